"""Checkers for the exercises of notebook 02 (neural networks and the forward pass).

Introduced in notebook 02, "Try it".
"""

import warnings

import numpy as np

from common.exercises import checker, report, returned_numbers, unanswered
from common.functions import relu, sigmoid, softmax

# -------------------------------------------------------------------------------------------
# (a) a softmax that is stable for one row and for a batch of rows
# -------------------------------------------------------------------------------------------

# Inputs the checker tries, in this order, with a short description used in its messages.
SOFTMAX_CASES = [
    ("the row [0.3, 2.9, 4.0]", [0.3, 2.9, 4.0]),
    ("the row [1010, 1000, 990]", [1010.0, 1000.0, 990.0]),
    ("the row [-1000, -1010, -990]", [-1000.0, -1010.0, -990.0]),
    ("the batch [[0.3, 2.9, 4.0], [1010, 1000, 990]]", [[0.3, 2.9, 4.0], [1010.0, 1000.0, 990.0]]),
    ("a batch of 4 rows with very different sizes",
     [[1010.0, 1000.0, 990.0], [0.3, 2.9, 4.0], [-1000.0, -1010.0, -990.0], [5.0, 5.0, 5.0]]),
]

SOFTMAX_HINT = ("Hint: subtract the largest value before calling np.exp. For a batch, each row needs its "
                "own largest value: a.max(axis=-1, keepdims=True) gives one per row, in a shape that "
                "lines up with a.")


def _call_and_watch(function, *args):
    """Run ``function(*args)``; return (result, warning messages, exception or None)."""
    with warnings.catch_warnings(record=True) as caught, np.errstate(over="warn", invalid="warn",
                                                                      divide="warn"):
        warnings.simplefilter("always")
        try:
            result = function(*args)
            error = None
        except Exception as exception:  # a learner's bug must become a message, not a traceback
            result, error = None, exception
    return result, [str(w.message) for w in caught], error


@checker("Softmax")
def check_softmax(softmax_rows):
    """Check ``softmax_rows(a)``: softmax of one row (n,) or of every row of a batch (N, n).

    Compared with ``common.functions.softmax`` on inputs where the plain formula overflows, and on
    batches whose rows have very different sizes. No warning, no nan, the input left unchanged.
    """
    if unanswered("Softmax", softmax_rows):
        return False
    for description, values in SOFTMAX_CASES:
        a = np.array(values)
        original = a.copy()
        y, warned, error = _call_and_watch(softmax_rows, a)
        if error is not None:
            return report("Softmax", False, f"on {description} (shape {a.shape}) your function raised "
                                            f"{type(error).__name__}: {error}. {SOFTMAX_HINT}")
        if not np.array_equal(a, original):
            return report("Softmax", False, f"your function changed its input {description} in place. "
                                            f"Build a new array (shifted = a - a_max) instead of "
                                            f"writing into a (a -= a_max).")
        y, failed = returned_numbers("Softmax", y, f"on {description} your function")
        if failed is not None:
            return failed
        if y.shape != a.shape:
            return report("Softmax", False, f"on {description} your function returned shape {y.shape}; "
                                            f"softmax keeps the shape of its input, {a.shape}.")
        if warned or not np.all(np.isfinite(y)):
            problem = f"NumPy warned: {warned[0]}" if warned else "the result contains nan or inf"
            rows_work = "Single rows work, so look at what changes for a batch. " if a.ndim == 2 else ""
            return report("Softmax", False, f"on {description} {problem}. {rows_work}{SOFTMAX_HINT}")
        sums = y.sum(axis=-1)
        if not np.allclose(sums, 1):
            return report("Softmax", False, f"on {description} your outputs add up to "
                                            f"{np.round(sums, 4).tolist()} instead of 1 (per row). "
                                            f"Divide each row by its own sum: axis=-1, keepdims=True.")
        expected = softmax(a)
        if not np.allclose(y, expected, rtol=1e-6, atol=1e-9):
            worst = float(np.max(np.abs(y - expected)))
            return report("Softmax", False, f"on {description} your result differs from "
                                            f"common.functions.softmax by up to {worst:.2e}.")
    return report("Softmax", True, f"your softmax agrees with common.functions.softmax on all "
                                   f"{len(SOFTMAX_CASES)} test inputs, with no overflow and no warning.")


# -------------------------------------------------------------------------------------------
# (b) the output of a small network, by hand or by code
# -------------------------------------------------------------------------------------------

# A 2-2-2 network: ReLU in the hidden layer, identity in the output layer.
SMALL_NETWORK = {
    "W1": np.array([[1.0, -1.0], [0.5, 2.0]]),
    "b1": np.array([0.0, -1.0]),
    "W2": np.array([[1.0, 2.0], [-1.0, 1.0]]),
    "b2": np.array([0.5, 0.0]),
}
SMALL_X = np.array([2.0, 1.0])


def _small_forward(x, hidden=relu, transpose=False, bias=True):
    """The small network's output, or a common slip in computing it."""
    n = SMALL_NETWORK
    W1, W2 = (n["W1"].T, n["W2"].T) if transpose else (n["W1"], n["W2"])
    b1, b2 = (n["b1"], n["b2"]) if bias else (0.0, 0.0)
    z1 = hidden(x @ W1 + b1)
    return z1 @ W2 + b2


@checker("Small network")
def check_small_network(y):
    """Is ``y`` the output of SMALL_NETWORK (ReLU hidden layer, identity output) for SMALL_X?"""
    if unanswered("Small network", y):
        return False
    try:
        y = np.asarray(y, dtype=float)
    except (TypeError, ValueError, OverflowError):
        return report("Small network", False, f"expected two numbers, got {y!r}.")
    if y.shape != (2,):
        return report("Small network", False, f"expected two numbers (the output layer has 2 neurons), "
                                              f"got an array of shape {y.shape}.")
    expected = _small_forward(SMALL_X)
    if np.allclose(y, expected):
        return report("Small network", True, f"y = [{expected[0]:g}, {expected[1]:g}]. The hidden layer "
                                             f"gives a1 = [2.5, -1], and ReLU turns the -1 into 0.")
    slips = [
        ("that is the output without the ReLU in the hidden layer (ReLU turns a negative value into 0)",
         _small_forward(SMALL_X, hidden=lambda a: a)),
        ("that is the output without the biases b1 and b2", _small_forward(SMALL_X, bias=False)),
        ("that is the output with each weight matrix transposed. Multiply x @ W1: row i of W1 holds "
         "the weights leaving input i", _small_forward(SMALL_X, transpose=True)),
        ("that is the output with a sigmoid instead of ReLU in the hidden layer",
         _small_forward(SMALL_X, hidden=sigmoid)),
    ]
    for explanation, value in slips:
        if np.allclose(y, value):
            return report("Small network", False, f"you have {np.round(y, 4).tolist()}: {explanation}.")
    return report("Small network", False, f"you have {np.round(y, 4).tolist()}. Go step by step: "
                                          f"a1 = x @ W1 + b1, z1 = relu(a1), y = z1 @ W2 + b2; "
                                          f"a1 should come out as [2.5, -1].")


# -------------------------------------------------------------------------------------------
# (c) accuracy in batches
# -------------------------------------------------------------------------------------------

# (first test image, last test image + 1, batch size): sizes that do and do not divide the count.
ACCURACY_CASES = [(0, 1000, 100), (0, 1000, 1000), (1000, 1500, 1), (2000, 2777, 300), (5000, 5100, 7)]


def _reference_predictions(network, x):
    a1 = x @ network["W1"] + network["b1"]
    a2 = sigmoid(a1) @ network["W2"] + network["b2"]
    return np.argmax(softmax(sigmoid(a2) @ network["W3"] + network["b3"]), axis=1)


@checker("Accuracy")
def check_accuracy(accuracy):
    """Check ``accuracy(network, x, t, batch_size)`` on parts of the MNIST test set.

    The right answer is the fraction of images whose predicted digit equals the label, whatever the
    batch size, including batch sizes that leave a shorter last batch.
    """
    if unanswered("Accuracy", accuracy):
        return False
    if not callable(accuracy):
        return report("Accuracy", False, f"accuracy should be a function, got {type(accuracy).__name__}.")
    from common.mnist import load_mnist
    from common.sample_weights import load_sample_weights

    network = load_sample_weights()
    _, (x_test, t_test) = load_mnist(normalize=True, flatten=True)
    for start, stop, batch_size in ACCURACY_CASES:
        x, t = x_test[start:stop].copy(), t_test[start:stop].copy()
        n = len(x)
        where = f"test images {start} to {stop - 1} ({n} images) with batch_size={batch_size}"
        expected = float(np.mean(_reference_predictions(network, x) == t))
        got, _, error = _call_and_watch(accuracy, {k: v.copy() for k, v in network.items()}, x, t,
                                        batch_size)
        if error is not None:
            return report("Accuracy", False, f"on {where} your function raised "
                                             f"{type(error).__name__}: {error}")
        try:
            got = float(got)
        except (TypeError, ValueError, OverflowError):
            return report("Accuracy", False, f"on {where} your function returned {got!r}; expected one "
                                             f"number, the fraction of correct predictions.")
        if np.isclose(got, expected * n):
            return report("Accuracy", False, f"on {where} you return {got:g}, the number of correct "
                                             f"predictions. Divide it by the number of images, {n}.")
        if not np.isclose(got, expected):
            hint = ""
            if n % batch_size:
                hint = (f" {n} is not a multiple of {batch_size}, so the last batch is shorter: "
                        f"for i in range(0, len(x), batch_size) with x[i:i + batch_size] covers every "
                        f"image exactly once.")
            return report("Accuracy", False, f"on {where} you return {got:.4f}, expected "
                                             f"{expected:.4f}.{hint}")
    return report("Accuracy", True, f"your accuracy is right for all {len(ACCURACY_CASES)} tests, "
                                    f"including batch sizes that leave a shorter last batch.")
