"""Activation functions (活性化関数), output functions and loss functions (損失関数).

Activations and softmax introduced in notebook 02 (sections 3.2 and 3.5); losses in notebook 03
(section 4.2).

All functions work element-wise or row-wise on NumPy arrays of any batch size, and keep the input's
floating dtype (float32 in -> float32 out). None of them warns or overflows on extreme inputs.
"""

import numpy as np

__all__ = [
    "identity_function", "step_function", "sigmoid", "sigmoid_grad", "relu", "relu_grad", "tanh",
    "softmax", "log_softmax", "sum_squared_error", "mean_squared_error", "cross_entropy_error", "softmax_loss",
    "np",  # the book's scripts get NumPy from `from common.functions import *`, so a star import gives it too
]


def _float_array(x):
    """``x`` as a float array: float32 and float64 stay as they are, anything else becomes float64."""
    x = np.asarray(x)
    return x if x.dtype in (np.float32, np.float64) else x.astype(np.float64)


# -------------------------------------------------------------------------------------------
# Activation functions (section 3.2)
# -------------------------------------------------------------------------------------------

def identity_function(x):
    """h(x) = x: the output layer of a regression network passes its input through unchanged."""
    return x


def step_function(x):
    """h(x) = 1 if x > 0 else 0, element-wise (the perceptron's activation). Returns ints.

    ``x > 0`` gives an array of True/False; converting it to int turns True into 1 and False into 0.
    """
    return (np.asarray(x) > 0).astype(int)


def sigmoid(x):
    """h(x) = 1 / (1 + exp(-x)), element-wise, values in (0, 1).

    Computed without overflow: with z = exp(-|x|) (never larger than 1),
    h(x) = 1 / (1 + z) for x >= 0 and h(x) = z / (1 + z) for x < 0 — the same value, rearranged.
    The plain formula would evaluate exp(1000) for x = -1000 and warn about an overflow.
    """
    x = _float_array(x)
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


def sigmoid_grad(x):
    """dh/dx of the sigmoid at x: h(x) (1 - h(x))."""
    y = sigmoid(x)
    return y * (1 - y)


def relu(x):
    """ReLU (Rectified Linear Unit): h(x) = max(0, x), element-wise."""
    return np.maximum(0, x)


def relu_grad(x):
    """dh/dx of ReLU: 1 where x > 0, else 0 (at x = 0 we take 0, as the book does)."""
    x = _float_array(x)
    return (x > 0).astype(x.dtype)


def tanh(x):
    """h(x) = tanh(x) = (e^x - e^-x) / (e^x + e^-x), values in (-1, 1); equals 2 sigmoid(2x) - 1."""
    return np.tanh(_float_array(x))


# -------------------------------------------------------------------------------------------
# Output layer (section 3.5)
# -------------------------------------------------------------------------------------------

def log_softmax(a):
    """log y_k = a_k - log(sum_i exp(a_i)) along the last axis: the logarithm of softmax, computed directly.

    The log-sum-exp is taken after subtracting the row's maximum, so nothing overflows, and no
    probability is rounded to 0 before its log is taken (log(softmax(a)) would give -inf there).
    Introduced in notebook 05, section 5.6 (the loss of SoftmaxWithLoss).
    """
    a = _float_array(a)
    shifted = a - a.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def softmax(a):
    """y_k = exp(a_k) / sum_i exp(a_i) along the last axis: a row of scores becomes probabilities.

    Subtracting the row's maximum first changes nothing mathematically (the factor exp(-max) cancels
    between numerator and denominator) but keeps exp() from overflowing: the largest exponent is 0.
    Works on one row ``(n,)`` or a batch ``(N, n)``.
    """
    a = _float_array(a)
    shifted = a - a.max(axis=-1, keepdims=True)
    exp_a = np.exp(shifted)
    return exp_a / exp_a.sum(axis=-1, keepdims=True)


# -------------------------------------------------------------------------------------------
# Loss functions (section 4.2)
# -------------------------------------------------------------------------------------------

def _check_same_shape(y, t, name):
    if y.shape != t.shape:
        raise ValueError(f"{name} expected y and t of the same shape (t one-hot), got y {y.shape} "
                         f"and t {t.shape}")


def sum_squared_error(y, t):
    """E = 1/2 * sum_k (y_k - t_k)^2, with t one-hot; summed over a batch as well.

    The book calls this ``mean_squared_error``, although it is a sum; both names work here.
    """
    y, t = _float_array(y), np.asarray(t)
    _check_same_shape(y, t, "sum_squared_error")
    return 0.5 * np.sum((y - t) ** 2)


mean_squared_error = sum_squared_error


def as_batch(y, t, name="cross_entropy_error"):
    """Scores or probabilities ``y`` as a batch (N, classes) and answers ``t`` checked against it.

    A single row becomes a batch of one. ``t`` must be one-hot rows (same shape as y) or integer
    class labels of shape (N,) (or a column (N, 1)); anything else is a ValueError that says what was expected.
    Returns (y, t, is_one_hot).
    """
    if (type(y) is np.ndarray and type(t) is np.ndarray and y.ndim == 2 and y.dtype.char in "fd"
            and t.dtype.kind in "iu" and t.shape == y.shape[:1] and len(t)):
        # The common case in training, labels for a batch of scores, checked with the fewest steps:
        # the same checks as below, taken in every training step (this saves a few microseconds each).
        # Read as unsigned integers, a negative label becomes a huge number, so one maximum checks
        # both ends of the range 0..classes-1.
        if t.view(f"u{t.itemsize}").max() >= y.shape[1]:
            raise ValueError(f"{name}: labels must lie in 0..{y.shape[1] - 1}, got {t.min()}..{t.max()}")
        return y, t, False
    y = _float_array(y)
    t = np.asarray(t)
    if y.ndim == 1:  # one sample: treat it as a batch of one
        y = y[np.newaxis, :]
        t = t.reshape(1) if t.ndim == 0 else t[np.newaxis, ...]
    if y.ndim != 2:
        raise ValueError(f"{name} expected y of shape (N, classes), got {y.shape}")
    batch_size, classes = y.shape
    if batch_size == 0:
        raise ValueError(f"{name} got an empty batch (0 samples): there is nothing to average over")
    if t.shape == (batch_size, 1) and classes > 1:  # labels as a column (N, 1), as the book's chapter 7 passes them
        t = t[:, 0]
    if t.shape == y.shape:
        # Row sums of the one-hot rows; for float rows a product with a column of ones gives them
        # several times faster than t.sum(axis=1), which loops row by row over short rows.
        sums = t @ np.ones(classes, dtype=t.dtype) if t.dtype.kind == "f" else t.sum(axis=1)
        if t.size and np.any(np.abs(sums - 1) > 1e-3):
            raise ValueError(f"{name} expected each one-hot row of t to add up to 1, got row sums from "
                             f"{sums.min():g} to {sums.max():g} (an all-zero row has no correct class)")
        if t.size and (t.min() < 0 or t.max() > 1):  # e.g. [2, -1, 0] adds up to 1 but is no one-hot row
            raise ValueError(f"{name} expected one-hot rows of t with entries between 0 and 1, got entries from "
                             f"{t.min():g} to {t.max():g}")
        return y, t, True
    if t.shape != (batch_size,):
        raise ValueError(f"{name} expected t as one-hot {y.shape} or as labels ({batch_size},), got t {t.shape}")
    if t.dtype.kind not in "iu":  # signed or unsigned integers
        raise ValueError(f"{name} expected integer class labels, got dtype {t.dtype}")
    if t.size and (t.min() < 0 or t.max() >= classes):
        raise ValueError(f"{name}: labels must lie in 0..{classes - 1}, got {t.min()}..{t.max()}")
    return y, t, False


def cross_entropy_error(y, t):
    """E = -(1/N) * sum_n sum_k t_nk log(y_nk + delta), averaged over the N rows of a batch.

    y: probabilities, one row ``(n,)`` or a batch ``(N, n)``.
    t: the correct answers, either one-hot (same shape as y) or as class indices (shape ``(N,)``, or
       a single integer for a single row).
    delta = 1e-7 keeps log(0) = -inf away when the network gives the right class probability 0.
    """
    y, t, one_hot = as_batch(y, t)
    batch_size = y.shape[0]
    delta = y.dtype.type(1e-7)
    if one_hot:  # the book's formula as written
        return -np.sum(t * np.log(y + delta)) / batch_size
    # With labels, only the correct class's term of the sum survives: pick y[n, t_n] directly.
    return -np.sum(np.log(y[np.arange(batch_size), t] + delta)) / batch_size


def softmax_loss(X, t):
    """cross_entropy_error(softmax(X), t): the loss of a batch of scores X, in one call (the book's name).

    Computed through log_softmax, so it stays finite where softmax would round a probability to 0.
    """
    X, t, one_hot = as_batch(X, t, name="softmax_loss")
    log_y = log_softmax(X)
    batch_size = X.shape[0]
    if one_hot:
        return -np.sum(t * log_y) / batch_size
    return -np.sum(log_y[np.arange(batch_size), t]) / batch_size
