"""Small helpers the experiments share.

Introduced in notebook 06 (smoothing loss curves); ``to_categorical`` in notebook 09, section 9.1.
"""

import numpy as np


def smooth_curve(values, window=25):
    """A moving average of ``values`` over ``window`` points, the same length as ``values``.

    Mini-batch losses jump up and down from batch to batch; the average of each point's neighbours
    shows the trend. Near the ends the window is cut short (only the points that exist are averaged).
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 1:
        raise ValueError(f"smooth_curve expects a 1-D sequence, got shape {values.shape}")
    if window < 1 or values.size == 0:
        return values.copy()
    kernel = np.ones(min(window, values.size))
    sums = np.convolve(values, kernel, mode="same")
    counts = np.convolve(np.ones_like(values), kernel, mode="same")
    return sums / counts


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
