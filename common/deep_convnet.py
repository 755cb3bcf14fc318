"""The book's deep convolutional network (ディープなCNN) for MNIST, chapter 8.

Introduced in notebook 11, section 8.1.

    conv - relu - conv - relu - pool -
    conv - relu - conv - relu - pool -
    conv - relu - conv - relu - pool -
    affine - relu - dropout - affine - dropout - softmax

    >>> network = DeepConvNet()                                  # the book's defaults
    >>> network.load_params("data/deep_convnet_params.npz")      # our trained weights (SHA-256 checked)
    >>> network.accuracy(x_test, t_test)                         # x_test: (N, 1, 28, 28)

With the defaults: six 3x3 convolutions with 16, 16, 32, 32, 64, 64 filters and pads 1, 1, 1, 2, 1, 1
(stride 1), 2x2 max pooling after every second one, so the maps go 28x28 -> 14x14 -> 16x16 (the pad 2
of the fourth convolution) -> 8x8 -> 4x4; then 64 * 4 * 4 = 1024 numbers into a fully connected
layer of 50 neurons, ReLU, dropout (0.5), 10 scores and dropout (0.5) again, as in the book.
Weights are drawn with He's scale sqrt(2 / fan-in) (fan-in: the inputs one neuron sees, e.g.
16 * 3 * 3 for the second convolution), biases are zero. Parameters: W1..W6 (the filters), W7
(1024, 50), W8 (50, 10), and b1..b8, named as in the book.

predict, loss, accuracy, gradient, numerical_gradient, save_params and load_params come from the
network core, ``common.layer_net``. Differences from the book's ch08/deep_convnet.py:

- ``loss(x, t)`` evaluates in inference mode unless ``train_flg=True`` (the book's always drops
  neurons); ``gradient`` trains, as in the book, and keeps that loss in ``last_loss``.
- The fan-ins of He's initialisation are computed from the layer sizes (the book hard-codes them,
  so other ``conv_param`` values got the default network's scales).
- Weights are saved and loaded as ``.npz`` with a SHA-256 beside them, never as a pickle; the
  book's file name ``deep_convnet_params.pkl`` becomes ``deep_convnet_params.npz``.
- float32 by default (``dtype=np.float64`` for gradient checks).
"""

from pathlib import Path

import numpy as np

from common.checks import whole_number
from common.layer_net import LayerNet
from common.layers import Affine, Convolution, Dropout, Pooling, Relu, SoftmaxWithLoss
from common.rng import rng
from common.util import conv_output_size

__all__ = ["DeepConvNet", "DEFAULT_CONV_PARAMS", "WEIGHTS_FILE", "random_shifts"]

WEIGHTS_FILE = Path(__file__).resolve().parent.parent / "data" / "deep_convnet_params.npz"
"""Our trained weights (made by data/train_deep_convnet.py), with their SHA-256 in ``<file>.sha256``."""

DEFAULT_CONV_PARAMS = (  # the book's conv_param_1 .. conv_param_6
    {"filter_num": 16, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 16, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 32, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 32, "filter_size": 3, "pad": 2, "stride": 1},
    {"filter_num": 64, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 64, "filter_size": 3, "pad": 1, "stride": 1},
)


class DeepConvNet(LayerNet):
    """Three blocks of (Convolution - ReLU - Convolution - ReLU - 2x2 max pooling), then
    Affine - ReLU - Dropout - Affine - Dropout - SoftmaxWithLoss.

    input_dim: one image's shape (channels, height, width).
    conv_param_1 .. conv_param_6: {'filter_num', 'filter_size', 'pad', 'stride'} of each convolution
        (missing keys, or None, take the book's values listed in ``DEFAULT_CONV_PARAMS``).
    hidden_size: neurons of the hidden fully connected layer; output_size: number of classes.
    dropout_ratio: the share of neurons each Dropout layer drops while training (the book's 0.5).
    dtype: float32 to train, float64 for gradient checks.

    ``accuracy(x, t, batch_size=100)`` works through the images 100 at a time, as the book does.
    """

    accuracy_batch_size = 100

    def __init__(self, input_dim=(1, 28, 28), conv_param_1=None, conv_param_2=None, conv_param_3=None,
                 conv_param_4=None, conv_param_5=None, conv_param_6=None, hidden_size=50, output_size=10,
                 dropout_ratio=0.5, dtype=np.float32):
        owner = type(self).__name__
        if len(tuple(input_dim)) != 3:
            raise ValueError(f"{owner}: input_dim must be (channels, height, width), got {input_dim!r}")
        channels, height, width = (whole_number(n, "input_dim", owner) for n in input_dim)
        hidden_size = whole_number(hidden_size, "hidden_size", owner)
        output_size = whole_number(output_size, "output_size", owner)
        dtype = np.dtype(dtype)
        given = (conv_param_1, conv_param_2, conv_param_3, conv_param_4, conv_param_5, conv_param_6)
        self.conv_params = [self._conv_param(param, default, k, owner)
                            for k, (param, default) in enumerate(zip(given, DEFAULT_CONV_PARAMS), start=1)]
        self.input_dim = (channels, height, width)

        generator = rng()

        def he_weights(shape, fan_in):  # He initialisation: N(0, 2 / fan_in), recommended with ReLU
            return (np.sqrt(2.0 / fan_in) * generator.standard_normal(shape)).astype(dtype)

        layers, size = {}, (height, width)
        for k, param in enumerate(self.conv_params, start=1):
            filters, fs, pad, stride = param["filter_num"], param["filter_size"], param["pad"], param["stride"]
            if min(size) + 2 * pad < fs:
                raise ValueError(f"{owner}: conv_param_{k}'s {fs}x{fs} filter does not fit its input "
                                 f"{size[0]}x{size[1]} with pad {pad}")
            size = tuple(conv_output_size(n, fs, stride, pad) for n in size)
            layers[f"Conv{k}"] = Convolution(he_weights((filters, channels, fs, fs), channels * fs * fs),
                                             np.zeros(filters, dtype), stride, pad)
            layers[f"Relu{k}"] = Relu()
            if k % 2 == 0:
                if min(size) < 2:
                    raise ValueError(f"{owner}: the maps after conv_param_{k} are {size[0]}x{size[1]}, too "
                                     f"small for 2x2 pooling")
                layers[f"Pool{k // 2}"] = Pooling(2, 2, stride=2)
                size = (size[0] // 2, size[1] // 2)
            channels = filters
        flat = channels * size[0] * size[1]  # 64 * 4 * 4 = 1024 with the defaults
        layers["Affine1"] = Affine(he_weights((flat, hidden_size), flat), np.zeros(hidden_size, dtype))
        layers["Relu7"] = Relu()
        layers["Dropout1"] = Dropout(dropout_ratio)
        layers["Affine2"] = Affine(he_weights((hidden_size, output_size), hidden_size), np.zeros(output_size, dtype))
        layers["Dropout2"] = Dropout(dropout_ratio)
        super().__init__(layers, SoftmaxWithLoss(), input_shape=self.input_dim, dtype=dtype)

    @staticmethod
    def _conv_param(param, default, k, owner):
        """conv_param_k with missing keys filled from the book's default, every value checked."""
        param = dict(param or {})
        unknown = set(param) - set(default)
        if unknown:
            raise ValueError(f"{owner}: conv_param_{k} takes the keys {list(default)}, got unknown {sorted(unknown)}")
        param = {**default, **param}
        name = f"conv_param_{k}"
        return {"filter_num": whole_number(param["filter_num"], f"{name}['filter_num']", owner),
                "filter_size": whole_number(param["filter_size"], f"{name}['filter_size']", owner),
                "pad": whole_number(param["pad"], f"{name}['pad']", owner, minimum=0),
                "stride": whole_number(param["stride"], f"{name}['stride']", owner)}


def random_shifts(images, max_shift=2, generator=None):
    """Data augmentation (データ拡張): every image moved by its own random whole-pixel shift.

    Introduced in notebook 11, section 8.1.2; data/train_deep_convnet.py trains our weights with it.

    images: a batch (N, C, H, W). Image n moves dy_n rows down and dx_n columns right, each drawn
    uniformly from -max_shift .. max_shift (so 0 too); pixels that leave are dropped and zeros (the
    background of MNIST) come in. Returns a new array; ``images`` is left alone. ``generator`` is a
    NumPy Generator (the project's ``rng()`` by default, so ``seed`` fixes the shifts).

    How: pad every image with max_shift zeros on each side; the shifted image is then the H x W window
    of the padded one that starts at row max_shift - dy, column max_shift - dx. ``sliding_window_view``
    offers every such window without copying, and one fancy index picks each image's own window.
    """
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"random_shifts expected images of shape (N, C, H, W), got {images.shape}")
    max_shift = whole_number(max_shift, "max_shift", "random_shifts", minimum=0)
    generator = rng() if generator is None else generator
    n, _, h, w = images.shape
    s = max_shift
    padded = np.pad(images, ((0, 0), (0, 0), (s, s), (s, s)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (h, w), axis=(2, 3))  # (N, C, 2s+1, 2s+1, H, W)
    starts = generator.integers(0, 2 * s + 1, size=(2, n))  # start = s - shift
    return windows[np.arange(n), :, starts[0], starts[1]]  # (N, C, H, W), a new array
