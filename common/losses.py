"""Loss functions as objects for the Keras-style model: ``forward(y, t)`` gives a number, ``backward()`` dL/dy.

Introduced in notebook 09 (section 9.3, ``compile(loss=...)``). They play the part of a network's
last layer in ``common.layer_net.LayerNet``.
"""

import numpy as np

from common.functions import cross_entropy_error

__all__ = ["CategoricalCrossentropy", "MeanSquaredError", "LOSSES", "make_loss"]


class CategoricalCrossentropy:
    """Cross-entropy error (交差エントロピー誤差) of probabilities y against one-hot rows t:
    L = -(1/N) sum_n sum_k t_nk log y_nk.

    Written out for probabilities, its gradient is -t / y / N (with the book's 1e-7 added to y). A model
    never uses that chain after its final softmax: it fuses the two into ``SoftmaxWithLoss``, whose
    gradient with respect to the scores is (y - t) / N. This class is the unfused reference.
    """

    name = "categorical_crossentropy"
    delta = 1e-7

    def __init__(self):
        self.y = self.t = None

    def forward(self, y, t):
        self.y, self.t = y, t
        return cross_entropy_error(y, t)

    def backward(self, dout=1):
        return -dout * self.t / (self.y + self.y.dtype.type(self.delta)) / self.y.shape[0]


class MeanSquaredError:
    """L = mean of (y - t)^2 over the N samples and K outputs (Keras' 'mean_squared_error');
    dL/dy = 2 (y - t) / (N K).

    (The book's ``common.functions.mean_squared_error`` is 1/2 of the sum instead: same minimum,
    different size; see notebook 03.)
    """

    name = "mean_squared_error"

    def __init__(self):
        self.diff = None

    def forward(self, y, t):
        self.diff = y - t
        return np.mean(self.diff * self.diff)

    def backward(self, dout=1):
        return self.diff * (2 * dout / self.diff.size)


LOSSES = {"categorical_crossentropy": CategoricalCrossentropy, "mean_squared_error": MeanSquaredError,
          "mse": MeanSquaredError}


def make_loss(loss):
    """A loss object from its name ('categorical_crossentropy', 'mean_squared_error'), class or instance."""
    if isinstance(loss, str):
        try:
            return LOSSES[loss.lower()]()
        except KeyError:
            raise ValueError(f"compile: unknown loss {loss!r}; choose 'categorical_crossentropy' or "
                             f"'mean_squared_error', or pass an object with forward(y, t) and backward()") from None
    if isinstance(loss, type):
        loss = loss()
    if not (callable(getattr(loss, "forward", None)) and callable(getattr(loss, "backward", None))):
        raise TypeError(f"compile: a loss must be a name or an object with forward(y, t) and backward(), got {loss!r}")
    return loss
