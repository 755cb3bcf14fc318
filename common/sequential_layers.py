"""The Keras-style layers ``Dense`` and ``Activation``: our own layers, with their sizes worked out by the model.

Introduced in notebook 09 (section 9.2). Nothing in here is new mathematics:

- ``Dense`` is ``common.layers.Affine`` (Y = X W + b) plus initial weights (He by default, section 6.2);
- ``Activation`` is ``Relu``, ``Sigmoid``, ``Tanh``, ``Softmax`` or ``Identity`` from ``common.layers``.

Each keeps the layer it wraps in ``layer``; ``Sequential`` runs those layers through the network
core (``common.layer_net``).
"""

import numpy as np

from common.checks import whole_number
from common.layers import Affine, Identity, Relu, Sigmoid, Softmax, Tanh
from common.multi_layer_net import weight_init_scale
from common.rng import rng

__all__ = ["Dense", "Activation", "ACTIVATIONS"]

ACTIVATIONS = {"relu": Relu, "sigmoid": Sigmoid, "tanh": Tanh, "softmax": Softmax, "linear": Identity}


class Dense:
    """A fully connected layer (全結合層): Y = X W + b, i.e. ``common.layers.Affine``.

    units: the number of neurons (outputs). input_shape: ``(inputs,)``, needed only by the first layer
    of a model; later layers take their input size from the layer before. The weights are created when
    the layer joins a model (``Sequential.add``): W drawn from a normal distribution with std given by
    ``weight_init_std`` ('he' = sqrt(2 / inputs) by default, for ReLU; 'xavier' for sigmoid and tanh;
    or a number), b zeros.
    """

    def __init__(self, units, input_shape=None, weight_init_std="he", name=None):
        self.units = whole_number(units, "units", "Dense")
        self.input_size = None
        if input_shape is not None:
            shape = (input_shape,) if isinstance(input_shape, (int, np.integer)) else tuple(input_shape)
            if len(shape) != 1:
                raise ValueError(f"Dense takes flat samples: input_shape must be (features,), got {input_shape!r}. "
                                 f"Flatten images first, e.g. x.reshape(len(x), -1) gives (N, 784).")
            self.input_size = whole_number(shape[0], "input_shape[0]", "Dense")
        weight_init_scale(weight_init_std, 1)  # fails early on a misspelt choice
        self.weight_init_std = weight_init_std
        self.name = name
        self.layer = None  # the Affine layer, made by build()

    @property
    def affine(self):
        """The ``common.layers.Affine`` layer doing the work (the same object as ``layer``)."""
        return self.layer

    def build(self, input_size, dtype):
        """Create W (input_size, units) and b (units,) in ``dtype``, drawing from the project's rng()."""
        if self.input_size is not None and self.input_size != input_size:
            raise ValueError(f"{self.name or 'Dense'} was given input_shape=({self.input_size},), but the layer "
                             f"before it outputs {input_size} values")
        self.input_size = input_size
        scale = weight_init_scale(self.weight_init_std, input_size)
        W = (scale * rng().standard_normal((input_size, self.units))).astype(dtype)
        self.layer = Affine(W, np.zeros(self.units, dtype=dtype))

    @property
    def output_size(self):
        return self.units

    @property
    def built(self):
        return self.layer is not None

    def count_params(self):
        """inputs * units weights plus units biases (e.g. 784 * 500 + 500 = 392,500)."""
        return 0 if self.input_size is None else self.input_size * self.units + self.units

    def forward(self, x, train_flg=False):
        """The Affine layer's forward pass, x W + b (the model itself calls ``layer`` directly)."""
        return self.layer.forward(x)

    def backward(self, dout):
        return self.layer.backward(dout)

    def describe(self):
        return "Dense"


class Activation:
    """An activation function (活性化関数) as a layer: 'relu', 'sigmoid', 'tanh', 'softmax' or 'linear'.

    It has no parameters and keeps the number of values: its output shape is its input shape.
    """

    def __init__(self, activation, name=None):
        key = activation.lower() if isinstance(activation, str) else activation
        if key not in ACTIVATIONS:
            raise ValueError(f"Activation: unknown activation {activation!r}; choose one of "
                             f"{', '.join(repr(k) for k in ACTIVATIONS)}")
        self.activation = key
        self.layer = ACTIVATIONS[key]()
        self.name = name
        self.input_size = None

    def build(self, input_size, dtype):
        self.input_size = input_size

    @property
    def output_size(self):
        return self.input_size

    @property
    def built(self):
        return self.input_size is not None

    def count_params(self):
        return 0

    def forward(self, x, train_flg=False):
        """The activation layer's forward pass (the model itself calls ``layer`` directly)."""
        return self.layer.forward(x)

    def backward(self, dout):
        return self.layer.backward(dout)

    def describe(self):
        return f"Activation: {self.activation}"
