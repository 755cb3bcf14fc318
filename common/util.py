"""Small helpers the experiments share.

Introduced in notebook 06 (smoothing loss curves, shuffling a dataset); ``to_categorical`` in notebook 09, section 9.1.
"""

import numpy as np

from common.rng import rng

__all__ = ["smooth_curve", "shuffle_dataset", "to_categorical", "np",
           "conv_output_size", "image_windows", "image_windows_backward", "im2col", "col2im"]


def smooth_curve(values, window=None):
    """A smoothed copy of a noisy curve (e.g. mini-batch losses), the same length as ``values``.

    By default it smooths as the book's ``smooth_curve`` does: a weighted average of each point and
    its 5 neighbours on either side, with weights from an 11-point Kaiser window (beta = 2, a bell
    shape), the curve mirrored at both ends so the first and last points have neighbours too.

    ``window=25`` (any whole number) gives a plain moving average over that many points instead,
    cut short near the ends (only the points that exist are averaged): easier to explain, and what
    notebook 06a uses.
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 1:
        raise ValueError(f"smooth_curve expects a 1-D sequence, got shape {values.shape}")
    if window is not None:
        if isinstance(window, bool) or not isinstance(window, (int, np.integer)):
            raise ValueError(f"smooth_curve: window must be a whole number of points, got {window!r}")
        if window < 1 or values.size == 0:
            return values.copy()
        kernel = np.ones(min(window, values.size))
        sums = np.convolve(values, kernel, mode="same")
        counts = np.convolve(np.ones_like(values), kernel, mode="same")
        return sums / counts
    half = 5
    if values.size <= half:
        return values.copy()  # too short to have 5 neighbours to mirror
    weights = np.kaiser(2 * half + 1, 2)
    weights /= weights.sum()
    # Mirror the ends as the book does: before the start without repeating the first point,
    # after the end repeating the last one.
    padded = np.concatenate([values[half:0:-1], values, values[:-half - 1:-1]])
    return np.convolve(padded, weights, mode="valid")


def shuffle_dataset(x, t):
    """x and t put in the same new random order (the project's ``rng()``, so ``seed`` fixes it).

    The book's name and arguments; used to split off validation data (notebook 06b, section 6.5).
    Returns new arrays; the originals are not changed.
    """
    x, t = np.asarray(x), np.asarray(t)
    if len(x) != len(t):
        raise ValueError(f"shuffle_dataset: x has {len(x)} samples but t has {len(t)}; they must come in pairs")
    permutation = rng().permutation(len(x))
    return x[permutation], t[permutation]


def to_categorical(y, num_classes=None, dtype=np.float32):
    """Class numbers as one-hot rows (one-hot表現): 2 of 10 classes becomes [0, 0, 1, 0, 0, 0, 0, 0, 0, 0].

    The name and arguments are those of Keras' ``to_categorical``. ``y`` holds whole numbers from 0 to
    num_classes - 1, shape (N,) (a column (N, 1) is accepted too); ``num_classes`` defaults to
    max(y) + 1. Returns an array of shape (N, num_classes) with a single 1 in each row (float32).
    """
    labels = np.asarray(y)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1:
        raise ValueError(f"to_categorical expected class numbers of shape (N,), got shape {labels.shape}"
                         + (" (already one-hot?)" if labels.ndim == 2 else ""))
    if labels.dtype.kind == "f" and np.all(labels == np.round(labels)):
        labels = labels.astype(np.int64)  # 3.0 is a class number too
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"to_categorical expected whole class numbers, got dtype {labels.dtype}")
    if labels.size and labels.min() < 0:
        raise ValueError(f"to_categorical: class numbers start at 0, got {labels.min()}")
    largest = int(labels.max()) if labels.size else -1
    if num_classes is None:
        num_classes = largest + 1
    elif isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
        raise ValueError(f"to_categorical: num_classes must be a whole number >= 1, got {num_classes!r}")
    if largest >= num_classes:
        raise ValueError(f"to_categorical: class number {largest} does not fit num_classes={num_classes} "
                         f"(classes 0..{num_classes - 1})")
    one_hot = np.zeros((labels.size, num_classes), dtype=dtype)
    one_hot[np.arange(labels.size), labels] = 1
    return one_hot


# --- Chapter 7: convolution helpers ---------------------------------------------------------------


def _whole(value, name, smallest):
    """``value`` as an int if it is a whole number >= smallest, else a ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < smallest:
        raise ValueError(f"{name} must be a whole number >= {smallest}, got {value!r}")
    return int(value)


def conv_output_size(input_size, filter_size, stride=1, pad=0):
    """How many positions a filter takes along one axis: (input_size + 2 pad - filter_size) // stride + 1.

    Introduced in notebook 10, section 7.2.

    A 28-pixel row, a 5-pixel filter, stride 1, no padding: 24 positions. When the stride does not
    divide evenly, the last pixels that do not fill a whole window are left out (rounded down, as
    im2col and PyTorch do; the book's version returns a float such as 12.5 there). Returns an int.
    """
    input_size = _whole(input_size, "conv_output_size: input_size", 1)
    filter_size = _whole(filter_size, "conv_output_size: filter_size", 1)
    stride = _whole(stride, "conv_output_size: stride", 1)
    pad = _whole(pad, "conv_output_size: pad", 0)
    if filter_size > input_size + 2 * pad:
        raise ValueError(f"conv_output_size: a filter of size {filter_size} does not fit an input of size "
                         f"{input_size} with pad {pad} (padded size {input_size + 2 * pad})")
    return (input_size + 2 * pad - filter_size) // stride + 1


def image_windows(input_data, filter_h, filter_w, stride=1, pad=0, pad_value=0):
    """Every filter-sized window of a batch of images: a read-only view (N, C, out_h, out_w, filter_h, filter_w).

    Introduced in notebook 10, section 7.4.

    ``windows[n, c, y, x]`` is the patch of channel c of image n that the filter sees at output
    position (y, x): rows y*stride ... y*stride + filter_h - 1 of the image padded by ``pad`` pixels
    of ``pad_value`` on every side (columns alike). Nothing is copied except the padding: the windows
    overlap in memory (``numpy.lib.stride_tricks.sliding_window_view``), so writing to them is refused.
    im2col and the Convolution layer copy these windows into the layout their matrix product wants.
    """
    x = np.asarray(input_data)
    if x.ndim != 4:
        raise ValueError(f"expected images of shape (N, C, H, W), got {x.shape}")
    filter_h = _whole(filter_h, "filter_h", 1)
    filter_w = _whole(filter_w, "filter_w", 1)
    stride = _whole(stride, "stride", 1)
    pad = _whole(pad, "pad", 0)
    conv_output_size(x.shape[2], filter_h, stride, pad)  # raises if the filter does not fit
    conv_output_size(x.shape[3], filter_w, stride, pad)
    if pad:
        padded = np.full(x.shape[:2] + (x.shape[2] + 2 * pad, x.shape[3] + 2 * pad), pad_value, dtype=x.dtype)
        padded[:, :, pad:-pad, pad:-pad] = x
        x = padded
    windows = np.lib.stride_tricks.sliding_window_view(x, (filter_h, filter_w), axis=(2, 3))
    return windows[:, :, ::stride, ::stride]  # (N, C, out_h, out_w, filter_h, filter_w)


def image_windows_backward(windows_grad, input_shape, stride=1, pad=0):
    """The adjoint of ``image_windows``: add every window's gradient back onto the pixels it came from.

    Introduced in notebook 10, section 7.4.

    ``windows_grad`` has the shape image_windows returned, (N, C, out_h, out_w, filter_h, filter_w);
    the result has ``input_shape`` (N, C, H, W). A pixel that lies in several windows receives the sum
    of their gradients (it influenced all of them). The loop runs over the filter_h * filter_w offsets
    inside a window, not over the output pixels: offset (i, j) of every window at once is one strided
    slice of the padded image, so each step adds a whole (N, C, out_h, out_w) block.
    """
    windows_grad = np.asarray(windows_grad)
    if windows_grad.ndim != 6 or len(input_shape) != 4:
        raise ValueError(f"expected window gradients of shape (N, C, out_h, out_w, filter_h, filter_w) and an "
                         f"input shape (N, C, H, W), got {windows_grad.shape} and {tuple(input_shape)}")
    N, C, H, W = input_shape
    _, _, out_h, out_w, filter_h, filter_w = windows_grad.shape
    expected = (N, C, conv_output_size(H, filter_h, stride, pad), conv_output_size(W, filter_w, stride, pad),
                filter_h, filter_w)
    if windows_grad.shape != expected:
        raise ValueError(f"window gradients for input {tuple(input_shape)} (stride {stride}, pad {pad}) must have "
                         f"shape {expected}, got {windows_grad.shape}")
    padded = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=windows_grad.dtype)
    for i in range(filter_h):
        for j in range(filter_w):
            padded[:, :, i:i + stride * out_h:stride, j:j + stride * out_w:stride] += windows_grad[:, :, :, :, i, j]
    return padded[:, :, pad:pad + H, pad:pad + W]


def im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    """Unfold images into a matrix whose rows are the filter windows: shape (N*out_h*out_w, C*filter_h*filter_w).

    Introduced in notebook 10, section 7.4.

    Row n*out_h*out_w + y*out_w + x holds the window of image n at output position (y, x), every
    channel of it, flattened in (c, i, j) order, the same order as a filter W[f] of shape
    (C, filter_h, filter_w) flattens. So a convolution becomes one matrix product:
    ``im2col(x, ...) @ W.reshape(FN, -1).T`` gives every output pixel of every filter at once.
    Input: images of shape (N, C, H, W); the dtype is kept (float32 stays float32).
    Built from ``image_windows`` (a view) with one copy; notebook 10 shows the loops it replaces.
    """
    windows = image_windows(input_data, filter_h, filter_w, stride, pad)
    N, C, out_h, out_w = windows.shape[:4]
    return windows.transpose(0, 2, 3, 1, 4, 5).reshape(N * out_h * out_w, C * filter_h * filter_w)


def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    """Fold a matrix in im2col's layout back into images of ``input_shape`` (N, C, H, W), summing overlaps.

    Introduced in notebook 10, section 7.4.

    col2im is the adjoint (transpose) of im2col, not its inverse: a pixel that appears in several
    windows gets the sum of its copies. That is what backpropagation needs: for every col,
    sum(im2col(x) * col) == sum(x * col2im(col)), so the gradient of the unfolded matrix folds into
    the gradient of the images. Returns a new array in col's dtype.
    """
    col = np.asarray(col)
    if len(input_shape) != 4:
        raise ValueError(f"col2im expected input_shape (N, C, H, W), got {tuple(input_shape)}")
    N, C, H, W = (int(size) for size in input_shape)
    out_h, out_w = conv_output_size(H, filter_h, stride, pad), conv_output_size(W, filter_w, stride, pad)
    expected = (N * out_h * out_w, C * filter_h * filter_w)
    if col.shape != expected:
        raise ValueError(f"col2im expected col of shape {expected} for input {(N, C, H, W)} (filter "
                         f"{filter_h}x{filter_w}, stride {stride}, pad {pad}), got {col.shape}")
    windows_grad = col.reshape(N, out_h, out_w, C, filter_h, filter_w).transpose(0, 3, 1, 2, 4, 5)
    return image_windows_backward(windows_grad, (N, C, H, W), stride, pad)
