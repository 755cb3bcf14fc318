"""A fully connected network of any depth, with weight initialisation options and weight decay.

Introduced in notebook 06 (sections 6.1, 6.2 and 6.4).

    >>> net = MultiLayerNet(input_size=784, hidden_size_list=[100, 100, 100, 100], output_size=10,
    ...                     activation="relu", weight_init_std="he", weight_decay_lambda=0.1)

Layers: (Affine -> activation) for each hidden layer, then Affine -> SoftmaxWithLoss.

Weight decay (荷重減衰) adds 1/2 * lambda * sum of ||W||^2 over all weight matrices to the loss, which
adds lambda * W to each weight's gradient: large weights are pulled towards 0.
"""

import numpy as np

from common.gradient import numerical_gradient
from common.layers import Affine, Relu, Sigmoid, SoftmaxWithLoss
from common.rng import rng

ACTIVATION_LAYERS = {"relu": Relu, "sigmoid": Sigmoid}


def weight_init_scale(weight_init_std, n_in):
    """The standard deviation of the initial weights of a layer with ``n_in`` inputs.

    'relu' or 'he':         sqrt(2 / n_in)  (He et al., 2015: keeps ReLU activations spread out)
    'sigmoid' or 'xavier':  sqrt(1 / n_in)  (Glorot and Bengio, 2010: for sigmoid and tanh)
    a number:               that number, e.g. 0.01
    """
    if isinstance(weight_init_std, str):
        name = weight_init_std.lower()
        if name in ("relu", "he"):
            return np.sqrt(2.0 / n_in)
        if name in ("sigmoid", "xavier"):
            return np.sqrt(1.0 / n_in)
        raise ValueError(f"weight_init_std must be 'relu', 'he', 'sigmoid', 'xavier' or a number, got {weight_init_std!r}")
    if isinstance(weight_init_std, bool) or not isinstance(weight_init_std, (int, float, np.floating)) \
            or weight_init_std < 0:
        raise ValueError(f"weight_init_std must be 'relu', 'he', 'sigmoid', 'xavier' or a number >= 0, "
                         f"got {weight_init_std!r}")
    return float(weight_init_std)


class MultiLayerNet:
    """Fully connected network: input -> [Affine -> activation] x hidden layers -> Affine -> softmax.

    hidden_size_list: the number of neurons of each hidden layer, e.g. [100, 100, 100].
    activation: "relu" or "sigmoid".  weight_init_std: see ``weight_init_scale``.
    weight_decay_lambda: the strength lambda of weight decay (0 turns it off).
    Parameters are named W1, b1, W2, b2, ... from the input towards the output.
    """

    def __init__(self, input_size, hidden_size_list, output_size, activation="relu", weight_init_std="relu",
                 weight_decay_lambda=0, dtype=np.float32):
        sizes = [input_size, *hidden_size_list, output_size]
        for size in sizes:
            if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
                raise ValueError(f"{type(self).__name__}: layer sizes must be positive whole numbers, got {sizes}")
        if activation not in ACTIVATION_LAYERS:
            raise ValueError(f"{type(self).__name__}: activation must be one of {sorted(ACTIVATION_LAYERS)}, "
                             f"got {activation!r}")
        if weight_decay_lambda < 0:
            raise ValueError(f"weight_decay_lambda must be >= 0, got {weight_decay_lambda!r}")
        self.input_size, self.output_size = input_size, output_size
        self.hidden_size_list = list(hidden_size_list)
        self.hidden_layer_num = len(self.hidden_size_list)
        self.activation = activation
        self.weight_decay_lambda = weight_decay_lambda
        self.dtype = np.dtype(dtype)

        generator = rng()
        self.params = {}
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            scale = weight_init_scale(weight_init_std, n_in)
            self.params[f"W{i}"] = (scale * generator.standard_normal((n_in, n_out))).astype(self.dtype)
            self.params[f"b{i}"] = np.zeros(n_out, dtype=self.dtype)

        self.layers = {}
        self._build_layers()
        self.last_layer = SoftmaxWithLoss()
        self.last_loss = None  # the loss of the latest gradient() call

    def _build_layers(self):
        activation_layer = ACTIVATION_LAYERS[self.activation]
        for i in range(1, self.hidden_layer_num + 1):
            self.layers[f"Affine{i}"] = Affine(self.params[f"W{i}"], self.params[f"b{i}"])
            self.layers[f"{activation_layer.__name__}{i}"] = activation_layer()
        last = self.hidden_layer_num + 1
        self.layers[f"Affine{last}"] = Affine(self.params[f"W{last}"], self.params[f"b{last}"])

    def _check_input(self, x):
        x = np.asarray(x)
        if x.ndim != 2 or x.shape[1] != self.input_size:
            raise ValueError(f"{type(self).__name__} expected input of shape (N, {self.input_size}), got {x.shape}")
        return x.astype(self.dtype, copy=False)

    def _forward_layer(self, layer, x, train_flg):
        return layer.forward(x)

    def predict(self, x, train_flg=False):
        """The scores of the last Affine layer, shape (N, output_size)."""
        x = self._check_input(x)
        for layer in self.layers.values():
            x = self._forward_layer(layer, x, train_flg)
        return x

    def weight_decay(self):
        """1/2 * lambda * (sum of the squares of every weight matrix's entries)."""
        if not self.weight_decay_lambda:
            return 0.0
        return 0.5 * self.weight_decay_lambda * sum(
            float(np.sum(self.params[f"W{i}"] ** 2)) for i in range(1, self.hidden_layer_num + 2))

    def loss(self, x, t, train_flg=False):
        """Cross-entropy error of the predictions, plus the weight-decay term."""
        return self.last_layer.forward(self.predict(x, train_flg), t) + self.weight_decay()

    def accuracy(self, x, t, batch_size=10_000):
        """The fraction of rows whose highest score is the correct class (computed in chunks)."""
        t = np.asarray(t)
        labels = t.argmax(axis=1) if t.ndim == 2 else t
        correct = 0
        for start in range(0, len(labels), batch_size):
            scores = self.predict(x[start:start + batch_size], train_flg=False)
            correct += np.count_nonzero(scores.argmax(axis=1) == labels[start:start + batch_size])
        return correct / max(len(labels), 1)

    def numerical_gradient(self, x, t):
        """Gradients by central differences, for checking ``gradient`` (slow)."""
        loss_of_params = lambda _: self.loss(x, t, train_flg=True)
        return {key: numerical_gradient(loss_of_params, self.params[key]) for key in self.params}

    def gradient(self, x, t):
        """Gradients of the loss (weight decay included) by backpropagation.

        The loss of this forward pass is kept in ``last_loss`` (the Trainer reports it).
        """
        self.last_loss = self.loss(x, t, train_flg=True)
        dout = self.last_layer.backward(1)
        layers = list(self.layers.values())
        for layer in reversed(layers[1:]):
            dout = layer.backward(dout)
        layers[0].backward(dout, input_gradient=False)  # nobody needs the gradient of the data itself

        grads = {}
        for i in range(1, self.hidden_layer_num + 2):
            affine = self.layers[f"Affine{i}"]
            # d/dW of 1/2 lambda ||W||^2 is lambda W
            grads[f"W{i}"] = affine.dW + self.weight_decay_lambda * affine.W if self.weight_decay_lambda else affine.dW
            grads[f"b{i}"] = affine.db
        return grads
