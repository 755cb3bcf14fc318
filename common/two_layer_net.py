"""A two-layer neural network for MNIST: input -> Affine -> sigmoid -> Affine -> softmax.

Introduced in notebook 04, section 4.5 (learning with numerical gradients).

    >>> net = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)
    >>> grads = net.numerical_gradient(x_batch, t_batch)   # slow: 2 forward passes per parameter
    >>> grads = net.gradient(x_batch, t_batch)             # fast: backpropagation (notebook 05)
    >>> for key in ("W1", "b1", "W2", "b2"):
    ...     net.params[key] -= learning_rate * grads[key]

The forward pass, for a batch X of shape (N, input_size):

    A1 = X W1 + b1,   Z1 = sigmoid(A1),   A2 = Z1 W2 + b2,   Y = softmax(A2)

and the loss is the cross-entropy error of Y against the labels, averaged over the batch.
"""

import numpy as np

from common.functions import cross_entropy_error, sigmoid, softmax
from common.gradient import numerical_gradient
from common.rng import rng


class TwoLayerNet:
    """Two layers of weights (W1, b1 and W2, b2) with a sigmoid between them and softmax on top.

    weight_init_std: the standard deviation of the initial random weights (biases start at 0).
    dtype: float32 for training (fast); float64 for gradient checks (precise).
    """

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01, dtype=np.float32):
        for name, size in (("input_size", input_size), ("hidden_size", hidden_size), ("output_size", output_size)):
            if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
                raise ValueError(f"TwoLayerNet: {name} must be a positive whole number, got {size!r}")
        self.dtype = np.dtype(dtype)
        generator = rng()
        self.params = {
            "W1": (weight_init_std * generator.standard_normal((input_size, hidden_size))).astype(self.dtype),
            "b1": np.zeros(hidden_size, dtype=self.dtype),
            "W2": (weight_init_std * generator.standard_normal((hidden_size, output_size))).astype(self.dtype),
            "b2": np.zeros(output_size, dtype=self.dtype),
        }

    def _check_input(self, x):
        x = np.asarray(x)
        expected = self.params["W1"].shape[0]
        if x.ndim != 2 or x.shape[1] != expected:
            raise ValueError(f"TwoLayerNet expected input of shape (N, {expected}), got {x.shape}"
                             + (" (flatten the images: load_mnist(flatten=True))" if x.ndim > 2 else ""))
        return x.astype(self.dtype, copy=False)

    def predict(self, x):
        """The class probabilities Y, shape (N, output_size)."""
        x = self._check_input(x)
        z1 = sigmoid(x @ self.params["W1"] + self.params["b1"])
        return softmax(z1 @ self.params["W2"] + self.params["b2"])

    def loss(self, x, t):
        """Cross-entropy error of the predictions against t (one-hot rows or class labels)."""
        return cross_entropy_error(self.predict(x), t)

    def accuracy(self, x, t):
        """The fraction of rows whose most probable class is the correct one."""
        y = self.predict(x).argmax(axis=1)
        t = np.asarray(t)
        labels = t.argmax(axis=1) if t.ndim == 2 else t
        return float(np.mean(y == labels))

    def numerical_gradient(self, x, t):
        """Gradient of the loss for every parameter by central differences (section 4.4).

        The function handed to ``numerical_gradient`` ignores its argument: it recomputes the loss
        with ``self.params``, whose entries ``numerical_gradient`` nudges in place one at a time.
        """
        loss_of_params = lambda _: self.loss(x, t)
        return {key: numerical_gradient(loss_of_params, self.params[key]) for key in self.params}

    def gradient(self, x, t):
        """The same gradient by backpropagation (derived in notebook 05): one forward, one backward pass.

        dL/dA2 = (Y - T) / N for softmax with cross-entropy; the rest is the chain rule, with
        sigmoid'(A1) = Z1 (1 - Z1).
        """
        x = self._check_input(x)
        W1, b1, W2, b2 = (self.params[k] for k in ("W1", "b1", "W2", "b2"))
        z1 = sigmoid(x @ W1 + b1)
        y = softmax(z1 @ W2 + b2)
        t = np.asarray(t)
        batch_size = x.shape[0]
        dy = (y - t) if t.shape == y.shape else _minus_one_at_labels(y, t)
        dy = dy / batch_size
        dz1 = dy @ W2.T
        da1 = dz1 * z1 * (1 - z1)
        return {"W1": x.T @ da1, "b1": da1.sum(axis=0), "W2": z1.T @ dy, "b2": dy.sum(axis=0)}


def _minus_one_at_labels(y, labels):
    """Y - T for integer labels without building the one-hot matrix T."""
    if labels.shape != (y.shape[0],):
        raise ValueError(f"expected t as one-hot {y.shape} or as labels ({y.shape[0]},), got {labels.shape}")
    dy = y.copy()
    dy[np.arange(y.shape[0]), labels] -= 1
    return dy
