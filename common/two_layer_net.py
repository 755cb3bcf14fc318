"""A two-layer neural network: Affine -> ReLU (or sigmoid) -> Affine -> Softmax-with-Loss.

Introduced in notebook 04, section 4.5 (with sigmoid, trained by numerical gradients); rebuilt from
layers in notebook 05, section 5.7 (with ReLU, trained by backpropagation).

    >>> net = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)
    >>> grads = net.gradient(x_batch, t_batch)             # backpropagation: fast
    >>> grads = net.numerical_gradient(x_batch, t_batch)   # central differences: slow, for checking
    >>> for key in ("W1", "b1", "W2", "b2"):
    ...     net.params[key] -= learning_rate * grads[key]  # in place: the layers share these arrays

The forward pass, for a batch X of shape (N, input_size):

    A1 = X W1 + b1,   Z1 = h(A1),   A2 = Z1 W2 + b2 (the scores),   L = cross-entropy(softmax(A2), t)

with h = ReLU (the book's chapter 5) or sigmoid (chapter 4: ``activation="sigmoid"``).
"""

import numpy as np

from common.gradient import numerical_gradient
from common.layers import Affine, Relu, Sigmoid, SoftmaxWithLoss
from common.rng import rng

ACTIVATION_LAYERS = {"relu": Relu, "sigmoid": Sigmoid}


class TwoLayerNet:
    """Two layers of weights (W1, b1 and W2, b2) with an activation between them and softmax on top.

    weight_init_std: the standard deviation of the initial random weights (biases start at 0).
    activation: "relu" (default, as in the book's chapter 5) or "sigmoid" (as in chapter 4).
    dtype: float32 for training (fast); float64 for gradient checks (precise).

    ``params`` holds the four arrays; ``layers`` holds the layers in the order the data flows through
    them (a plain dict keeps its insertion order); ``last_layer`` computes the loss. The Affine layers
    use the very arrays in ``params``, so update them in place (``-=``), never by assigning new arrays.
    """

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01, activation="relu",
                 dtype=np.float32):
        for name, size in (("input_size", input_size), ("hidden_size", hidden_size), ("output_size", output_size)):
            if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
                raise ValueError(f"TwoLayerNet: {name} must be a positive whole number, got {size!r}")
        if activation not in ACTIVATION_LAYERS:
            raise ValueError(f"TwoLayerNet: activation must be one of {sorted(ACTIVATION_LAYERS)}, got {activation!r}")
        self.dtype = np.dtype(dtype)
        generator = rng()
        self.params = {
            "W1": (weight_init_std * generator.standard_normal((input_size, hidden_size))).astype(self.dtype),
            "b1": np.zeros(hidden_size, dtype=self.dtype),
            "W2": (weight_init_std * generator.standard_normal((hidden_size, output_size))).astype(self.dtype),
            "b2": np.zeros(output_size, dtype=self.dtype),
        }
        activation_layer = ACTIVATION_LAYERS[activation]
        self.layers = {
            "Affine1": Affine(self.params["W1"], self.params["b1"]),
            f"{activation_layer.__name__}1": activation_layer(),
            "Affine2": Affine(self.params["W2"], self.params["b2"]),
        }
        self.last_layer = SoftmaxWithLoss()
        self.last_loss = None  # the loss of the latest gradient() call

    def _check_input(self, x):
        x = np.asarray(x)
        expected = self.params["W1"].shape[0]
        if x.ndim != 2 or x.shape[1] != expected:
            hint = " (flatten the images: load_mnist(flatten=True))" if x.ndim > 2 else ""
            raise ValueError(f"TwoLayerNet expected input of shape (N, {expected}), got {x.shape}{hint}")
        return x.astype(self.dtype, copy=False)

    def predict(self, x):
        """The scores A2, shape (N, output_size): softmax of them would give the class probabilities."""
        x = self._check_input(x)
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        """Cross-entropy error of softmax(scores) against t (one-hot rows or class labels)."""
        return self.last_layer.forward(self.predict(x), t)

    def accuracy(self, x, t, batch_size=10_000):
        """The fraction of rows whose highest score is the correct class.

        Works through x in chunks of ``batch_size`` rows: the answer is the same, but the temporary
        arrays stay small, which saves memory (and time) when x is all 60,000 training images.
        """
        t = np.asarray(t)
        labels = t.argmax(axis=1) if t.ndim == 2 else t
        correct = 0
        for start in range(0, len(labels), batch_size):
            scores = self.predict(x[start:start + batch_size])
            correct += np.count_nonzero(scores.argmax(axis=1) == labels[start:start + batch_size])
        return correct / max(len(labels), 1)

    def numerical_gradient(self, x, t):
        """Gradient of the loss for every parameter by central differences (section 4.4).

        The function handed to ``numerical_gradient`` ignores its argument: it recomputes the loss
        with ``self.params``, whose entries ``numerical_gradient`` nudges in place one at a time.
        """
        loss_of_params = lambda _: self.loss(x, t)
        return {key: numerical_gradient(loss_of_params, self.params[key]) for key in self.params}

    def gradient(self, x, t):
        """The same gradient by backpropagation (section 5.7): one forward pass, one backward pass.

        The loss of that forward pass is kept in ``last_loss``.
        """
        self.last_loss = self.loss(x, t)  # forward: every layer keeps what its backward needs

        dout = self.last_layer.backward(1)
        layers = list(self.layers.values())
        for layer in reversed(layers[1:]):
            dout = layer.backward(dout)
        # The first layer's input is the data itself: nobody needs dL/dX, so skip that product
        # (a third of all the arithmetic of a training step).
        layers[0].backward(dout, input_gradient=False)

        affine1, affine2 = self.layers["Affine1"], self.layers["Affine2"]
        return {"W1": affine1.dW, "b1": affine1.db, "W2": affine2.dW, "b2": affine2.db}
