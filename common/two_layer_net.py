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

with h = ReLU (the book's chapter 5) or sigmoid (chapter 4: ``activation="sigmoid"``). predict, loss,
accuracy, gradient and numerical_gradient come from the network core, ``common.layer_net.LayerNet``.
"""

import numpy as np

from common.checks import one_of, whole_number
from common.layer_net import LayerNet
from common.layers import Affine, Relu, Sigmoid, SoftmaxWithLoss
from common.rng import rng

__all__ = ["TwoLayerNet", "ACTIVATION_LAYERS"]

ACTIVATION_LAYERS = {"relu": Relu, "sigmoid": Sigmoid}


class TwoLayerNet(LayerNet):
    """Two layers of weights (W1, b1 and W2, b2) with an activation between them and softmax on top.

    weight_init_std: the standard deviation of the initial random weights (biases start at 0).
    activation: "relu" (default, as in the book's chapter 5) or "sigmoid" (as in chapter 4).
    dtype: float32 for training (fast); float64 for gradient checks (precise).

    ``params`` holds the four arrays; ``layers`` holds the layers in the order the data flows through
    them (a plain dict keeps its insertion order); ``last_layer`` computes the loss.
    """


    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01, activation="relu",
                 dtype=np.float32):
        sizes = {name: whole_number(size, name, "TwoLayerNet") for name, size in
                 (("input_size", input_size), ("hidden_size", hidden_size), ("output_size", output_size))}
        activation_layer = ACTIVATION_LAYERS[one_of(activation, "activation", "TwoLayerNet", tuple(ACTIVATION_LAYERS))]
        dtype = np.dtype(dtype)
        generator = rng()
        W1 = (weight_init_std * generator.standard_normal((sizes["input_size"], sizes["hidden_size"]))).astype(dtype)
        b1 = np.zeros(sizes["hidden_size"], dtype=dtype)
        W2 = (weight_init_std * generator.standard_normal((sizes["hidden_size"], sizes["output_size"]))).astype(dtype)
        b2 = np.zeros(sizes["output_size"], dtype=dtype)
        layers = {
            "Affine1": Affine(W1, b1),
            f"{activation_layer.__name__}1": activation_layer(),
            "Affine2": Affine(W2, b2),
        }
        super().__init__(layers, SoftmaxWithLoss(), input_shape=(sizes["input_size"],), dtype=dtype)
