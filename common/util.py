"""Small helpers the experiments share.

Introduced in notebook 06 (smoothing loss curves).
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
