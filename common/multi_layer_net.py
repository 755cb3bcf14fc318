"""A fully connected network of any depth, with weight initialisation options and weight decay.

Introduced in notebook 06 (sections 6.1, 6.2 and 6.4).

    >>> net = MultiLayerNet(input_size=784, hidden_size_list=[100, 100, 100, 100], output_size=10,
    ...                     activation="relu", weight_init_std="he", weight_decay_lambda=0.1)

Layers: (Affine -> activation) for each hidden layer, then Affine -> SoftmaxWithLoss.

Weight decay (荷重減衰) adds 1/2 * lambda * sum of ||W||^2 over all weight matrices to the loss, which
adds lambda * W to each weight's gradient: large weights are pulled towards 0.
"""

import numpy as np

from common.checks import one_of, whole_number
from common.layer_net import LayerNet
from common.layers import Affine, Relu, Sigmoid, SoftmaxWithLoss
from common.rng import rng

__all__ = ["MultiLayerNet", "weight_init_scale", "ACTIVATION_LAYERS"]

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


class MultiLayerNet(LayerNet):
    """Fully connected network: input -> [Affine -> activation] x hidden layers -> Affine -> softmax.

    hidden_size_list: the number of neurons of each hidden layer, e.g. [100, 100, 100].
    activation: "relu" or "sigmoid".  weight_init_std: see ``weight_init_scale``.
    weight_decay_lambda: the strength lambda of weight decay (0 turns it off).
    Parameters are named W1, b1, W2, b2, ... from the input towards the output. predict, loss,
    accuracy, gradient and numerical_gradient come from the network core, ``common.layer_net``.
    """


    def __init__(self, input_size, hidden_size_list, output_size, activation="relu", weight_init_std="relu",
                 weight_decay_lambda=0, dtype=np.float32):
        owner = type(self).__name__
        if isinstance(hidden_size_list, (str, bytes)) or not hasattr(hidden_size_list, "__iter__"):
            raise ValueError(f"{owner}: hidden_size_list must be a list of hidden-layer sizes, such as [100] for one "
                             f"hidden layer of 100 neurons or [100, 100] for two; got {hidden_size_list!r}")
        sizes = [whole_number(size, "every layer size", owner)
                 for size in [input_size, *hidden_size_list, output_size]]
        self.activation = one_of(activation, "activation", owner, tuple(ACTIVATION_LAYERS))
        self.input_size, self.output_size = sizes[0], sizes[-1]
        self.hidden_size_list = sizes[1:-1]
        self.hidden_layer_num = len(self.hidden_size_list)
        dtype = np.dtype(dtype)

        generator = rng()
        weights = []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            scale = weight_init_scale(weight_init_std, n_in)
            weights.append(((scale * generator.standard_normal((n_in, n_out))).astype(dtype),
                            np.zeros(n_out, dtype=dtype)))
        super().__init__(self._build_layers(weights, dtype), SoftmaxWithLoss(), input_shape=(self.input_size,),
                         dtype=dtype, weight_decay_lambda=weight_decay_lambda)

    def _hidden_block(self, i, dtype):
        """The layers that follow hidden layer i's Affine: here just its activation."""
        return {f"{ACTIVATION_LAYERS[self.activation].__name__}{i}": ACTIVATION_LAYERS[self.activation]()}

    def _build_layers(self, weights, dtype):
        layers = {}
        for i, (W, b) in enumerate(weights[:-1], start=1):
            layers[f"Affine{i}"] = Affine(W, b)
            layers.update(self._hidden_block(i, dtype))
        layers[f"Affine{len(weights)}"] = Affine(*weights[-1])
        return layers
