"""Chapter 7: im2col / col2im, the Convolution and Pooling layers, and SimpleConvNet.

The fast versions in common are checked against plain loop versions written here (one output pixel
at a time, straight from the definitions), and every backward pass against numerical gradients in
float64. The loop versions are also what tests/bench/bench_convnet.py times as the readable reference.
"""

import numpy as np
import pytest

from common.gradient_check import gradient_check, layer_gradient_check
from common.layers import Affine, Convolution, Layer, Pooling, Relu
from common.rng import seed
from common.simple_convnet import SimpleConvNet
from common.util import col2im, conv_output_size, im2col

TOLERANCE = 1e-7  # mean |backprop - numerical|; central differences (h = 1e-4) give ~1e-10 here
rng = np.random.default_rng(7)


# --- loop versions: one output pixel at a time ------------------------------------------------


def padded(x, pad, value=0.0):
    return np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), constant_values=value)


def loop_im2col(x, filter_h, filter_w, stride=1, pad=0):
    """Row (n, y, x) = the window of image n at output position (y, x), flattened in (c, i, j) order."""
    N, C, H, W = x.shape
    out_h, out_w = (H + 2 * pad - filter_h) // stride + 1, (W + 2 * pad - filter_w) // stride + 1
    xp = padded(x, pad)
    rows = []
    for n in range(N):
        for y in range(out_h):
            for x_ in range(out_w):
                rows.append(xp[n, :, y * stride:y * stride + filter_h, x_ * stride:x_ * stride + filter_w].ravel())
    return np.array(rows)


def loop_col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    """Each row of col added back onto the pixels of its window (overlaps add up)."""
    N, C, H, W = input_shape
    out_h, out_w = (H + 2 * pad - filter_h) // stride + 1, (W + 2 * pad - filter_w) // stride + 1
    image = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=col.dtype)
    row = 0
    for n in range(N):
        for y in range(out_h):
            for x_ in range(out_w):
                image[n, :, y * stride:y * stride + filter_h, x_ * stride:x_ * stride + filter_w] += \
                    col[row].reshape(C, filter_h, filter_w)
                row += 1
    return image[:, :, pad:pad + H, pad:pad + W]


class LoopConvolution(Layer):
    """The convolution as its definition reads, one output pixel (y, x) at a time for the whole batch.

    out[:, f, y, x] = sum over c, i, j of window[:, c, i, j] * W[f, c, i, j] + b[f]. Backward visits the
    same windows: dW += dout[:, :, y, x]^T window, and each window's gradient dout[:, :, y, x] W goes
    back onto its pixels. Readable and slow: the reference the fast Convolution must agree with.
    """

    param_names = ("W", "b")

    def __init__(self, W, b, stride=1, pad=0):
        self.W, self.b, self.stride, self.pad = W, b, stride, pad
        self.x = self.dW = self.db = None

    def _windows(self):
        FN, C, FH, FW = self.W.shape
        N, _, H, W = self.x.shape
        out_h, out_w = (H + 2 * self.pad - FH) // self.stride + 1, (W + 2 * self.pad - FW) // self.stride + 1
        for y in range(out_h):
            for x in range(out_w):
                yield y, x, np.s_[:, :, y * self.stride:y * self.stride + FH, x * self.stride:x * self.stride + FW]

    def forward(self, x, train_flg=False):
        self.x = x
        xp = padded(x, self.pad)
        FN = self.W.shape[0]
        weights = self.W.reshape(FN, -1)
        N, _, H, W = x.shape
        out = np.zeros((N, FN, (H + 2 * self.pad - self.W.shape[2]) // self.stride + 1,
                        (W + 2 * self.pad - self.W.shape[3]) // self.stride + 1), dtype=np.result_type(x, self.W))
        for y, x_, window in self._windows():
            out[:, :, y, x_] = xp[window].reshape(N, -1) @ weights.T + self.b
        return out

    def backward(self, dout, input_gradient=True):
        xp = padded(self.x, self.pad)
        N, FN = dout.shape[:2]
        weights = self.W.reshape(FN, -1)
        dxp = np.zeros_like(xp)
        dW = np.zeros_like(weights)
        for y, x_, window in self._windows():
            dW += dout[:, :, y, x_].T @ xp[window].reshape(N, -1)
            dxp[window] += (dout[:, :, y, x_] @ weights).reshape(xp[window].shape)
        self.dW, self.db = dW.reshape(self.W.shape), dout.sum(axis=(0, 2, 3))
        H, W = self.x.shape[2:]
        return dxp[:, :, self.pad:self.pad + H, self.pad:self.pad + W]


def loop_max_pool(x, pool_h, pool_w, stride, pad):
    """Max of every window (padding never wins), and the gradient routing: 1 at each window's first maximum."""
    N, C, H, W = x.shape
    xp = padded(x, pad, value=-np.inf)
    out_h, out_w = (H + 2 * pad - pool_h) // stride + 1, (W + 2 * pad - pool_w) // stride + 1
    out = np.empty((N, C, out_h, out_w))
    for n in range(N):
        for c in range(C):
            for y in range(out_h):
                for x_ in range(out_w):
                    out[n, c, y, x_] = xp[n, c, y * stride:y * stride + pool_h, x_ * stride:x_ * stride + pool_w].max()
    return out


# --- im2col, col2im, conv_output_size ---------------------------------------------------------

SHAPES = [  # (input shape, filter_h, filter_w, stride, pad)
    ((1, 1, 5, 5), 3, 3, 1, 0),
    ((2, 3, 7, 7), 5, 5, 1, 0),
    ((2, 3, 7, 6), 3, 2, 2, 1),
    ((3, 2, 6, 6), 3, 3, 1, 2),
    ((1, 4, 8, 9), 2, 3, 3, 1),
]


def test_conv_output_size():
    assert conv_output_size(28, 5) == 24
    assert conv_output_size(28, 3, stride=1, pad=1) == 28
    assert conv_output_size(7, 3, stride=2, pad=0) == 3
    assert conv_output_size(8, 3, stride=2, pad=0) == 3  # rounded down: the last pixel fits no window
    assert isinstance(conv_output_size(np.int64(24), 2, 2), int)
    with pytest.raises(ValueError, match="does not fit"):
        conv_output_size(3, 5)
    with pytest.raises(ValueError, match="stride must be a whole number >= 1, got 0"):
        conv_output_size(28, 5, stride=0)


@pytest.mark.parametrize("shape, fh, fw, stride, pad", SHAPES)
def test_im2col_matches_loops(shape, fh, fw, stride, pad):
    x = rng.normal(size=shape)
    col = im2col(x, fh, fw, stride, pad)
    np.testing.assert_array_equal(col, loop_im2col(x, fh, fw, stride, pad))
    N, C = shape[:2]
    out_h, out_w = conv_output_size(shape[2], fh, stride, pad), conv_output_size(shape[3], fw, stride, pad)
    assert col.shape == (N * out_h * out_w, C * fh * fw)  # the book's 2-D layout


@pytest.mark.parametrize("shape, fh, fw, stride, pad", SHAPES)
def test_col2im_matches_loops_and_is_the_adjoint_of_im2col(shape, fh, fw, stride, pad):
    x = rng.normal(size=shape)
    col = rng.normal(size=im2col(x, fh, fw, stride, pad).shape)
    folded = col2im(col, shape, fh, fw, stride, pad)
    np.testing.assert_allclose(folded, loop_col2im(col, shape, fh, fw, stride, pad), rtol=1e-12, atol=1e-12)
    # <im2col(x), col> == <x, col2im(col)>: pixels in several windows collect the sum of their copies
    assert np.sum(im2col(x, fh, fw, stride, pad) * col) == pytest.approx(np.sum(x * folded), rel=1e-12)
    assert folded.shape == shape


def test_col2im_counts_overlaps():
    """Folding a col of ones gives, for each pixel, the number of windows it lies in."""
    col = np.ones(im2col(np.zeros((1, 1, 4, 4)), 3, 3).shape)
    np.testing.assert_array_equal(col2im(col, (1, 1, 4, 4), 3, 3)[0, 0],
                                  [[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]])


def test_im2col_col2im_keep_float32_and_leave_input_alone():
    x = rng.normal(size=(2, 3, 6, 6)).astype(np.float32)
    before = x.copy()
    col = im2col(x, 3, 3, 1, 1)
    assert col.dtype == np.float32 and col2im(col, x.shape, 3, 3, 1, 1).dtype == np.float32
    np.testing.assert_array_equal(x, before)
    col[...] = 0  # the result is a copy, not a view of x
    np.testing.assert_array_equal(x, before)


def test_im2col_col2im_errors():
    with pytest.raises(ValueError, match=r"expected images of shape \(N, C, H, W\), got \(100, 784\)"):
        im2col(np.zeros((100, 784)), 5, 5)
    with pytest.raises(ValueError, match="does not fit"):
        im2col(np.zeros((1, 1, 4, 4)), 5, 5)
    with pytest.raises(ValueError, match=r"col2im expected col of shape \(16, 9\)"):
        col2im(np.zeros((16, 8)), (1, 1, 6, 6), 3, 3)


# --- Convolution ------------------------------------------------------------------------------

CONV_CASES = [  # (input shape, filters FN, filter size, stride, pad)
    ((1, 1, 6, 6), 2, 3, 1, 0),
    ((3, 1, 7, 7), 3, 3, 2, 0),
    ((2, 3, 6, 5), 4, 3, 1, 1),
    ((1, 3, 7, 7), 2, 3, 2, 1),
    ((2, 2, 5, 6), 3, 3, 1, 2),
    ((2, 4, 6, 6), 2, 2, 2, 2),
    ((2, 3, 8, 8), 2, 5, 1, 2),
]


def assert_same_as_loops(fast, slow, x):
    """forward, dx, dW and db of the fast layer agree with the loop version's to rounding error, in
    inference mode and in training mode (where forward may keep the unfolded windows for backward)."""
    for train_flg in (False, True):
        out = fast.forward(x, train_flg=train_flg)
        np.testing.assert_allclose(out, slow.forward(x), rtol=1e-12, atol=1e-12)
        dout = rng.normal(size=out.shape)
        np.testing.assert_allclose(fast.backward(dout), slow.backward(dout), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(fast.dW, slow.dW, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(fast.db, slow.db, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape, filters, size, stride, pad", CONV_CASES)
def test_convolution_matches_loop_version(shape, filters, size, stride, pad):
    W, b = rng.normal(size=(filters, shape[1], size, size)), rng.normal(size=filters)
    assert_same_as_loops(Convolution(W, b, stride, pad), LoopConvolution(W, b, stride, pad), rng.normal(size=shape))


@pytest.mark.parametrize("shape, filters, size, stride, pad", CONV_CASES)
def test_convolution_gradient(shape, filters, size, stride, pad):
    layer = Convolution(rng.normal(size=(filters, shape[1], size, size)), rng.normal(size=filters), stride, pad)
    errors = layer_gradient_check(layer, rng.normal(size=shape), params=("W", "b"))
    assert set(errors) == {"x0", "W", "b"}
    assert all(e < TOLERANCE for e in errors.values()), errors


@pytest.mark.parametrize("shape, filter_hw, stride, pad", [((2, 3, 7, 9), (2, 3), 1, 0), ((2, 1, 7, 9), (3, 2), 1, 1),
                                                         ((3, 2, 8, 6), (3, 1), 2, 1), ((2, 3, 9, 7), (1, 4), 1, 0)])
@pytest.mark.parametrize("chunk_bytes", [Convolution.chunk_bytes, 1])
def test_convolution_with_oblong_filters_matches_loop_version(shape, filter_hw, stride, pad, chunk_bytes):
    """Filters taller than wide and wider than tall: the whole-rows copy (stride 1, several channels)
    reads FW - 1 pixels past the last one, which must land on the spare zeros, in any chunk."""
    W, b = rng.normal(size=(3, shape[1]) + filter_hw), rng.normal(size=3)
    fast = Convolution(W, b, stride, pad)
    fast.chunk_bytes = chunk_bytes
    assert_same_as_loops(fast, LoopConvolution(W, b, stride, pad), rng.normal(size=shape))


@pytest.mark.parametrize("shape, filters, size, stride, pad", CONV_CASES)
def test_convolution_in_chunks_of_one_row_matches_loop_version(shape, filters, size, stride, pad):
    """The layer unfolds a few output rows at a time (chunk_bytes); with one per chunk (the smallest
    chunks) forward, dx, dW (the sum over chunks) and db still match the loops."""
    W, b = rng.normal(size=(filters, shape[1], size, size)), rng.normal(size=filters)
    fast = Convolution(W, b, stride, pad)
    fast.chunk_bytes = 1
    assert fast.per_chunk(100, 8) == 1
    assert_same_as_loops(fast, LoopConvolution(W, b, stride, pad), rng.normal(size=(3,) + shape[1:]))


def test_convolution_keeps_small_unfolded_windows_for_backward_only_in_training():
    """SimpleConvNet's first layer: 5.8 MB of columns for 100 images, kept from forward for backward
    in training; in inference nothing is kept, and neither is anything larger than keep_bytes."""
    layer = Convolution(np.zeros((30, 1, 5, 5), np.float32), np.zeros(30, np.float32))
    x = np.ones((100, 1, 28, 28), np.float32)
    layer.forward(x, train_flg=True)
    assert layer.unfolded.kept and sum(c.nbytes for c in layer.unfolded.kept.values()) == 25 * 100 * 24 * 24 * 4
    layer.backward(np.ones((100, 30, 24, 24), np.float32), input_gradient=False)
    layer.forward(x)
    assert layer.unfolded.kept is None
    layer.keep_bytes = 2**20
    layer.forward(x, train_flg=True)
    assert layer.unfolded.kept is None


def test_convolution_chunk_size_follows_the_layer():
    """About chunk_bytes of columns per chunk: 2 output rows of 100 images for a 3x3, 16-channel 28x28
    layer with pad 1 in float32 (each row is computed 30 pixels wide: whole rows of the padded image)."""
    layer = Convolution(np.zeros((16, 16, 3, 3), np.float32), np.zeros(16, np.float32), 1, 1)
    assert layer.per_chunk(16 * 3 * 3 * 30 * 100, 4) == 4 * 2**20 // (16 * 9 * 30 * 100 * 4) == 2
    assert layer.per_chunk(10**9, 4) == 1   # never fewer than one row


def test_convolution_input_gradient_both_ways():
    """Stride 1 computes dx as a convolution of dout, other cases fold dcol back: both match the loops.

    Covers the edges of the first way (padding FH - 1) and the cases that take the second at stride 1
    (non-square filters, padding as large as the filter).
    """
    for W_shape, pad in [((3, 2, 3, 3), 2), ((3, 2, 2, 3), 1), ((2, 2, 2, 2), 2), ((2, 3, 1, 1), 0)]:
        W, b, x = rng.normal(size=W_shape), rng.normal(size=W_shape[0]), rng.normal(size=(2, W_shape[1], 5, 6))
        fast, slow = Convolution(W, b, 1, pad), LoopConvolution(W, b, 1, pad)
        dout = rng.normal(size=fast.forward(x).shape)
        slow.forward(x)
        np.testing.assert_allclose(fast.backward(dout), slow.backward(dout), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(fast.dW, slow.dW, rtol=1e-12, atol=1e-12)


def test_convolution_matches_direct_formula():
    """out[n, f, y, x] = sum over c, i, j of W[f, c, i, j] * xpad[n, c, y*s + i, x*s + j] + b[f], by hand."""
    x, W, b = rng.normal(size=(2, 2, 5, 5)), rng.normal(size=(3, 2, 3, 3)), rng.normal(size=3)
    out = Convolution(W, b, stride=2, pad=1).forward(x)
    xp = padded(x, 1)
    assert out.shape == (2, 3, 3, 3)
    for n, f, y, x_ in np.ndindex(out.shape):
        expected = np.sum(W[f] * xp[n, :, 2 * y:2 * y + 3, 2 * x_:2 * x_ + 3]) + b[f]
        assert out[n, f, y, x_] == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_convolution_skips_input_gradient_and_keeps_float32():
    W = rng.normal(size=(4, 3, 3, 3)).astype(np.float32)
    b = np.zeros(4, np.float32)
    x = rng.normal(size=(2, 3, 6, 6)).astype(np.float32)
    layer = Convolution(W, b, stride=1, pad=1)
    out = layer.forward(x)
    dout = np.ones_like(out)
    assert out.dtype == np.float32
    dx = layer.backward(dout)
    assert dx.dtype == layer.dW.dtype == layer.db.dtype == np.float32 and dx.shape == x.shape
    dW = layer.dW.copy()
    assert Convolution.skips_input_gradient and layer.backward(dout, input_gradient=False) is None
    np.testing.assert_array_equal(layer.dW, dW)


def test_convolution_and_pooling_leave_their_inputs_alone():
    x, W, b = rng.normal(size=(2, 3, 6, 6)), rng.normal(size=(2, 3, 3, 3)), rng.normal(size=2)
    copies = [a.copy() for a in (x, W, b)]
    for layer in (Convolution(W, b, stride=1, pad=1), Pooling(2, 2, stride=2), Pooling(3, 3, stride=1, pad=1)):
        out = layer.forward(x)
        dout = rng.normal(size=out.shape)
        dout_before = dout.copy()
        dx = layer.backward(dout)
        dx[...] = 0  # the gradient is a new array: changing it changes nothing we were given
        np.testing.assert_array_equal(dout, dout_before)
        for array, copy in zip((x, W, b), copies):
            np.testing.assert_array_equal(array, copy)


def test_convolution_errors():
    layer = Convolution(np.zeros((30, 3, 5, 5)), np.zeros(30))
    with pytest.raises(ValueError, match=r"Convolution expected input of shape \(N, 3, H, W\), got \(100, 784\)"):
        layer.forward(np.zeros((100, 784)))
    with pytest.raises(ValueError, match=r"got \(2, 1, 28, 28\)"):
        layer.forward(np.zeros((2, 1, 28, 28)))
    with pytest.raises(ValueError, match="does not fit"):
        layer.forward(np.zeros((2, 3, 4, 4)))
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.zeros((2, 30, 24, 24)))
    layer.forward(np.zeros((2, 3, 28, 28)))
    with pytest.raises(ValueError, match=r"expected dout of shape \(2, 30, 24, 24\)"):
        layer.backward(np.zeros((2, 30, 24)))
    with pytest.raises(ValueError, match=r"W of shape \(FN, C, FH, FW\) and b of shape \(FN,\)"):
        Convolution(np.zeros((30, 5, 5)), np.zeros(30))
    with pytest.raises(ValueError, match="stride must be a whole number >= 1, got 0"):
        Convolution(np.zeros((30, 1, 5, 5)), np.zeros(30), stride=0)


# --- Pooling ----------------------------------------------------------------------------------

POOL_CASES = [  # (input shape, pool_h, pool_w, stride, pad)
    ((1, 1, 4, 4), 2, 2, 2, 0),
    ((3, 2, 6, 6), 2, 2, 2, 0),
    ((2, 3, 7, 5), 2, 2, 2, 0),   # odd sizes: the last row does not fill a window
    ((2, 2, 6, 6), 3, 3, 1, 1),   # overlapping windows with padding
    ((1, 2, 7, 7), 3, 2, 2, 1),
    ((2, 1, 5, 6), 3, 3, 3, 2),
]


def distinct_values(shape):
    """Values with gaps of 0.01, so a nudge of 1e-4 never changes which one is a window's maximum."""
    return (rng.permutation(int(np.prod(shape))).reshape(shape) - np.prod(shape) / 2) * 0.01


@pytest.mark.parametrize("shape, ph, pw, stride, pad", POOL_CASES)
def test_pooling_matches_loops(shape, ph, pw, stride, pad):
    x = distinct_values(shape)
    out = Pooling(ph, pw, stride, pad).forward(x)
    np.testing.assert_array_equal(out, loop_max_pool(x, ph, pw, stride, pad))


@pytest.mark.parametrize("shape, ph, pw, stride, pad", POOL_CASES)
def test_pooling_gradient(shape, ph, pw, stride, pad):
    errors = layer_gradient_check(Pooling(ph, pw, stride, pad), distinct_values(shape))
    assert errors["x0"] < TOLERANCE, errors


def test_pooling_routes_the_gradient_to_the_first_maximum():
    x = np.array([[[[1.0, 3.0, 0.0, 0.0],
                    [3.0, 2.0, 0.0, 0.0],
                    [5.0, 5.0, -1.0, -2.0],
                    [5.0, 5.0, -3.0, -4.0]]]])
    layer = Pooling(2, 2, stride=2)
    np.testing.assert_array_equal(layer.forward(x), [[[[3.0, 0.0], [5.0, -1.0]]]])
    dx = layer.backward(np.array([[[[10.0, 20.0], [30.0, 40.0]]]]))
    np.testing.assert_array_equal(dx, [[[[0, 10, 20, 0], [0, 0, 0, 0], [30, 0, 40, 0], [0, 0, 0, 0]]]])


def test_relu_and_pooling_give_dx_in_the_memory_layout_of_their_input():
    """A Convolution returns its output stored pixel by pixel with the images side by side, (C, H, W, N)
    in memory. Relu and Pooling work in that order and hand dx back laid out like their input; the
    numbers are those of an ordinary (N, C, H, W) array, including which of several equal maxima gets
    the gradient."""
    stored = rng.integers(-3, 4, size=(3, 6, 8, 2)).astype(np.float64)   # small integers: many ties
    x = stored.transpose(3, 0, 1, 2)                                    # (N, C, H, W), images innermost
    ordinary = np.ascontiguousarray(x)
    for make in (Relu, lambda: Pooling(2, 2, stride=2), lambda: Pooling(3, 3, stride=1, pad=1)):
        layer, reference = make(), make()
        out = layer.forward(x)
        np.testing.assert_array_equal(out, reference.forward(ordinary))
        dout = rng.normal(size=out.shape)
        dx = layer.backward(dout)
        np.testing.assert_array_equal(dx, reference.backward(dout))
        assert np.argsort(dx.strides).tolist() == np.argsort(x.strides).tolist() == [0, 3, 2, 1]
    out = Pooling(2, 2, stride=2).forward(x)
    assert np.shares_memory(out.reshape(2, -1), out)   # an Affine layer flattens it without a copy


def test_affine_gives_dx_in_the_memory_layout_of_its_input():
    """A Pooling after a Convolution hands the Affine layer x with the images innermost (x flattened is
    Fortran-ordered); dX comes back stored the same way, with the same numbers."""
    x = rng.normal(size=(3, 4, 2, 5)).transpose(3, 0, 1, 2)   # (N, C, H, W) = (5, 3, 4, 2), images innermost
    W, b = rng.normal(size=(24, 7)), rng.normal(size=7)
    layer, reference = Affine(W, b), Affine(W, b)
    np.testing.assert_allclose(layer.forward(x), reference.forward(np.ascontiguousarray(x)), rtol=1e-12)
    dout = rng.normal(size=(5, 7))
    dx = layer.backward(dout)
    np.testing.assert_allclose(dx, reference.backward(dout), rtol=1e-12)
    np.testing.assert_allclose(layer.dW, reference.dW, rtol=1e-12)
    assert np.argsort(dx.strides).tolist() == np.argsort(x.strides).tolist()


def test_pooling_padding_never_wins():
    x = -np.ones((1, 1, 2, 2))
    np.testing.assert_array_equal(Pooling(2, 2, stride=1, pad=1).forward(x), -np.ones((1, 1, 3, 3)))


def test_pooling_keeps_float32_and_errors():
    layer = Pooling(2, 2, stride=2)
    out = layer.forward(np.ones((2, 3, 4, 4), np.float32))
    assert out.dtype == layer.backward(np.ones_like(out)).dtype == np.float32
    with pytest.raises(ValueError, match=r"Pooling expected input of shape \(N, C, H, W\).*got \(100, 784\)"):
        layer.forward(np.zeros((100, 784)))
    with pytest.raises(ValueError, match="pad must be smaller than the window"):
        Pooling(2, 2, stride=2, pad=2)
    with pytest.raises(ValueError, match=r"expected dout of shape \(2, 3, 2, 2\)"):
        layer.backward(np.ones((2, 3, 4, 4)))


# --- SimpleConvNet ----------------------------------------------------------------------------


def test_simple_convnet_has_the_books_parameters():
    seed(0)
    network = SimpleConvNet()
    shapes = {key: value.shape for key, value in network.params.items()}
    assert shapes == {"W1": (30, 1, 5, 5), "b1": (30,), "W2": (4320, 100), "b2": (100,),
                      "W3": (100, 10), "b3": (10,)}
    assert all(value.dtype == np.float32 for value in network.params.values())
    assert 0.008 < network.params["W2"].std() < 0.012  # weight_init_std=0.01
    assert list(network.layers) == ["Conv1", "Relu1", "Pool1", "Affine1", "Relu2", "Affine2"]


@pytest.mark.parametrize("conv_param, batch", [
    ({"filter_num": 3, "filter_size": 3, "pad": 0, "stride": 1}, 1),
    ({"filter_num": 3, "filter_size": 3, "pad": 1, "stride": 1}, 3),
    ({"filter_num": 2, "filter_size": 3, "pad": 2, "stride": 2}, 2),
    ({"filter_num": 2, "filter_size": 2, "pad": 1, "stride": 2}, 1),
])
def test_simple_convnet_gradient(conv_param, batch):
    seed(3)
    network = SimpleConvNet(input_dim=(2, 8, 8), conv_param=conv_param, hidden_size=6, output_size=4,
                            weight_init_std=0.5, dtype=np.float64)
    x = rng.normal(size=(batch, 2, 8, 8))
    t = rng.integers(0, 4, size=batch)
    errors = gradient_check(network, x, t)
    assert set(errors) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    assert all(e < TOLERANCE for e in errors.values()), errors


def test_simple_convnet_float32_gradients_and_accuracy_in_batches():
    seed(1)
    network = SimpleConvNet(input_dim=(1, 12, 12), conv_param={"filter_num": 4, "filter_size": 3}, hidden_size=8)
    x = rng.random((23, 1, 12, 12)).astype(np.float32)
    t = rng.integers(0, 10, size=23)
    grads = network.gradient(x, t)
    assert all(grads[key].dtype == np.float32 and grads[key].shape == network.params[key].shape for key in grads)
    whole = np.mean(network.predict(x).argmax(axis=1) == t)
    assert network.accuracy(x, t) == pytest.approx(whole)
    assert network.accuracy(x, t, batch_size=5) == pytest.approx(whole)


def test_simple_convnet_save_and_load(tmp_path):
    seed(2)
    network = SimpleConvNet(input_dim=(1, 10, 10), conv_param={"filter_num": 3, "filter_size": 3}, hidden_size=5)
    path = network.save_params(tmp_path / "params.pkl")  # the book's file name: written as .npz, no pickle
    assert path == tmp_path / "params.npz" and (tmp_path / "params.npz.sha256").is_file()
    other = SimpleConvNet(input_dim=(1, 10, 10), conv_param={"filter_num": 3, "filter_size": 3}, hidden_size=5)
    assert not np.array_equal(other.params["W1"], network.params["W1"])
    other.load_params(tmp_path / "params.pkl")
    x = rng.random((4, 1, 10, 10))
    for key in network.params:
        np.testing.assert_array_equal(other.params[key], network.params[key])
    np.testing.assert_array_equal(other.predict(x), network.predict(x))


def test_simple_convnet_errors():
    network = SimpleConvNet()
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 1, 28, 28\), got \(100, 784\)"):
        network.predict(np.zeros((100, 784), np.float32))
    with pytest.raises(ValueError, match="unknown"):
        SimpleConvNet(conv_param={"filter_nums": 30})
    with pytest.raises(ValueError, match="too small"):
        SimpleConvNet(input_dim=(1, 5, 5), conv_param={"filter_size": 5})


def test_committed_weights_load_into_simple_convnet():
    """data/simple_convnet_params.npz (made by data/train_simple_convnet.py) passes its SHA-256 check and fits."""
    from pathlib import Path
    path = Path(__file__).resolve().parent.parent / "data" / "simple_convnet_params.npz"
    network = SimpleConvNet().load_params(path)
    assert all(value.dtype == np.float32 and np.all(np.isfinite(value)) for value in network.params.values())
    scores = network.predict(rng.random((3, 1, 28, 28)).astype(np.float32))
    assert scores.shape == (3, 10) and np.all(np.isfinite(scores))
