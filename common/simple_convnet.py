"""The book's simple convolutional network (CNN, 畳み込みニューラルネットワーク) for MNIST.

Introduced in notebook 10, section 7.5.

    conv - relu - pool - affine - relu - affine - softmax

    >>> network = SimpleConvNet(input_dim=(1, 28, 28),
    ...                         conv_param={'filter_num': 30, 'filter_size': 5, 'pad': 0, 'stride': 1},
    ...                         hidden_size=100, output_size=10, weight_init_std=0.01)

With the defaults: 30 filters of 5x5 turn a 28x28 image into 30 maps of 24x24, 2x2 max pooling
halves them to 12x12, and 30 * 12 * 12 = 4320 numbers go into a fully connected layer of 100
neurons, then 10 scores. Parameters: W1 (30, 1, 5, 5), b1 (30,), W2 (4320, 100), b2 (100,),
W3 (100, 10), b3 (10,). predict, loss, accuracy, gradient, numerical_gradient, save_params and
load_params come from the network core, ``common.layer_net``; images come in as (N, 1, 28, 28)
(``load_mnist(flatten=False)``).
"""

import numpy as np

from common.checks import whole_number
from common.layer_net import LayerNet
from common.layers import Affine, Convolution, Pooling, Relu, SoftmaxWithLoss
from common.multi_layer_net import weight_init_scale
from common.rng import rng
from common.util import conv_output_size

__all__ = ["SimpleConvNet"]

DEFAULT_CONV_PARAM = {"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1}


class SimpleConvNet(LayerNet):
    """Convolution -> ReLU -> 2x2 max pooling -> Affine -> ReLU -> Affine -> SoftmaxWithLoss.

    input_dim: one image's shape (channels, height, width).
    conv_param: {'filter_num', 'filter_size', 'pad', 'stride'} of the convolution (missing keys take
        the book's values 30, 5, 0, 1).
    hidden_size: neurons of the hidden fully connected layer; output_size: number of classes.
    weight_init_std: standard deviation of the initial weights (the book's 0.01), or 'he' / 'relu'
        for sqrt(2 / fan-in) per layer (see ``common.multi_layer_net.weight_init_scale``).
    dtype: float32 to train, float64 for gradient checks.

    ``accuracy(x, t, batch_size=100)`` works through the images 100 at a time, as the book does.
    ``save_params('params.pkl')`` (the book's file name) writes ``params.npz``: never a pickle.
    """

    accuracy_batch_size = 100

    def __init__(self, input_dim=(1, 28, 28), conv_param=None, hidden_size=100, output_size=10,
                 weight_init_std=0.01, dtype=np.float32):
        owner = type(self).__name__
        if len(tuple(input_dim)) != 3:
            raise ValueError(f"{owner}: input_dim must be (channels, height, width), got {input_dim!r}")
        channels, height, width = (whole_number(n, "input_dim", owner) for n in input_dim)
        conv_param = dict(conv_param or {})
        unknown = set(conv_param) - set(DEFAULT_CONV_PARAM)
        if unknown:
            raise ValueError(f"{owner}: conv_param takes the keys {list(DEFAULT_CONV_PARAM)}, got unknown "
                             f"{sorted(unknown)}")
        conv_param = {**DEFAULT_CONV_PARAM, **conv_param}
        filter_num = whole_number(conv_param["filter_num"], "conv_param['filter_num']", owner)
        filter_size = whole_number(conv_param["filter_size"], "conv_param['filter_size']", owner)
        pad = whole_number(conv_param["pad"], "conv_param['pad']", owner, minimum=0)
        stride = whole_number(conv_param["stride"], "conv_param['stride']", owner)
        hidden_size = whole_number(hidden_size, "hidden_size", owner)
        output_size = whole_number(output_size, "output_size", owner)
        dtype = np.dtype(dtype)

        conv_h = conv_output_size(height, filter_size, stride, pad)
        conv_w = conv_output_size(width, filter_size, stride, pad)
        if conv_h < 2 or conv_w < 2:
            raise ValueError(f"{owner}: the convolution's output ({conv_h}x{conv_w}) is too small for 2x2 pooling")
        pool_output_size = filter_num * (conv_h // 2) * (conv_w // 2)  # 2x2 windows, stride 2
        self.conv_param = conv_param
        self.input_dim = (channels, height, width)

        generator = rng()

        def weights(shape, fan_in):
            scale = weight_init_scale(weight_init_std, fan_in)
            return (scale * generator.standard_normal(shape)).astype(dtype)

        W1 = weights((filter_num, channels, filter_size, filter_size), channels * filter_size * filter_size)
        W2 = weights((pool_output_size, hidden_size), pool_output_size)
        W3 = weights((hidden_size, output_size), hidden_size)
        layers = {
            "Conv1": Convolution(W1, np.zeros(filter_num, dtype), stride, pad),
            "Relu1": Relu(),
            "Pool1": Pooling(2, 2, stride=2),
            "Affine1": Affine(W2, np.zeros(hidden_size, dtype)),
            "Relu2": Relu(),
            "Affine2": Affine(W3, np.zeros(output_size, dtype)),
        }
        super().__init__(layers, SoftmaxWithLoss(), input_shape=self.input_dim, dtype=dtype)
