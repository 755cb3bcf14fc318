"""Checkers for the exercises of notebook 03 (learning from data and loss functions).

Introduced in notebook 03, "Try it".
"""

import numpy as np

from common.exercises import checker, report, unanswered
from common.functions import cross_entropy_error as _reference_cross_entropy

# Exercise (b): a network that is fairly sure it sees a 4, shown an image of a 9.
EXERCISE_Y = np.array([0.02, 0.01, 0.05, 0.02, 0.70, 0.05, 0.05, 0.05, 0.00, 0.05])
EXERCISE_LABEL = 9

# Exercise (c): the mini-batch loss to explain, and the number of classes of the uniform guess.
EXERCISE_LOSS = 0.1
EXERCISE_CLASSES = 1000


def _softmax_rows(scores):
    exp = np.exp(scores - scores.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def _label_batches():
    """(description, y, t) cases on which a learner's batched cross-entropy is compared with ours."""
    generator = np.random.default_rng(2024)  # our own generator: checking must not move the notebook's rng
    small_y = np.array([[0.1, 0.2, 0.6, 0.1],
                        [0.7, 0.1, 0.1, 0.1],
                        [0.25, 0.25, 0.25, 0.25]])
    small_t = np.array([2, 0, 3])
    big_y = _softmax_rows(generator.normal(0, 2, size=(100, 10)))
    big_t = generator.integers(0, 10, size=100)
    zero_y = np.array([[0.0, 0.5, 0.5],
                       [0.9, 0.1, 0.0],
                       [0.2, 0.3, 0.5]])
    zero_t = np.array([0, 0, 2])  # the first row gives its correct class probability 0
    one_y = _softmax_rows(generator.normal(0, 2, size=(1, 10)))
    one_t = np.array([7])
    return [
        ("a batch of 3 rows and 4 classes, t = [2, 0, 3]", small_y, small_t),
        ("a batch of 100 rows and 10 classes", big_y, big_t),
        ("a batch of 3 rows where one correct class has probability 0", zero_y, zero_t),
        ("a batch of a single row, shape (1, 10)", one_y, one_t),
    ]


def _hint_for_labels(got, y, t, expected):
    """A guess at the mistake behind a wrong batched cross-entropy, or '' if we cannot tell."""
    n = len(t)
    with np.errstate(divide="ignore", invalid="ignore"):
        columns_instead = -np.sum(np.log(y[:, t] + 1e-7)) / n
    if not np.isfinite(got):
        return (" A log of 0 is -inf: add a tiny delta inside the log, np.log(y[...] + 1e-7), as in "
                "section 4.2.2.")
    if n > 1 and np.isclose(got, expected * n, rtol=1e-5):
        return f" That is the sum over the batch: divide by the batch size N = {n} to get the average."
    if np.isclose(got, -expected, rtol=1e-5):
        return " The sign is flipped: the loss is MINUS the (average) log probability."
    if np.isclose(got, expected / np.log(10), rtol=1e-5):
        return " That is a base-10 logarithm: use np.log (the natural log), not np.log10."
    if n > 1 and np.isclose(got, columns_instead, rtol=1e-5):
        return (" y[:, t] picks whole columns (N x N numbers); y[np.arange(N), t] picks one number per "
                "row: the probability of that row's correct class.")
    return ""


@checker("Cross-entropy with labels")
def check_cross_entropy_labels(cross_entropy_error):
    """Check a batched ``cross_entropy_error(y, t)`` with integer labels ``t`` against common's.

    ``y`` has shape (N, classes) and ``t`` shape (N,); the answer must be the average over the batch
    of -log(y[n, t[n]] + 1e-7).
    """
    if unanswered("Cross-entropy with labels", cross_entropy_error):
        return False
    for description, y, t in _label_batches():
        expected = float(_reference_cross_entropy(y, t))
        try:
            with np.errstate(all="ignore"):
                result = cross_entropy_error(y.copy(), t.copy())
        except Exception as error:  # a learner's bug must give a verdict, not a traceback
            return report("Cross-entropy with labels", False,
                          f"on {description} your function raised {type(error).__name__}: {error}")
        if result is None:
            return report("Cross-entropy with labels", False,
                          f"on {description} your function returned None. Did you forget `return`?")
        try:
            got = np.asarray(result, dtype=float)
        except (TypeError, ValueError, OverflowError):
            return report("Cross-entropy with labels", False,
                          f"on {description} your function returned {result!r:.80}, not a number.")
        if got.shape != ():
            return report("Cross-entropy with labels", False,
                          f"on {description} your function returns an array of shape {got.shape}; it "
                          f"should return one number, the average over the batch (did you forget np.sum?).")
        got = float(got)
        if not np.isclose(got, expected, rtol=1e-5, atol=1e-7):
            return report("Cross-entropy with labels", False,
                          f"on {description} your function gives {got:.6f}, common.functions."
                          f"cross_entropy_error gives {expected:.6f}." + _hint_for_labels(got, y, t, expected))
    return report("Cross-entropy with labels", True,
                  "your function agrees with common.functions.cross_entropy_error on all four test "
                  "batches, including one where a correct class has probability 0.")


def _exercise_losses():
    t = np.zeros_like(EXERCISE_Y)
    t[EXERCISE_LABEL] = 1.0
    sse = 0.5 * np.sum((EXERCISE_Y - t) ** 2)
    cee = -np.sum(t * np.log(EXERCISE_Y + 1e-7))
    return float(sse), float(cee)


@checker("SSE and CEE")
def check_sse_cee(sse, cee):
    """Check the sum of squared errors and the cross-entropy error of exercise (b)."""
    if unanswered("SSE and CEE", sse, cee):
        return False
    try:
        sse, cee = float(sse), float(cee)
    except (TypeError, ValueError, OverflowError):
        return report("SSE and CEE", False, "sse and cee should each be a single number (a float).")
    expected_sse, expected_cee = _exercise_losses()
    if not np.isclose(sse, expected_sse, rtol=1e-4):
        if np.isclose(sse, 2 * expected_sse, rtol=1e-4):
            hint = " That is twice the answer: don't forget the 1/2 in front of the sum."
        elif np.isclose(sse, 0.5 * np.sum(EXERCISE_Y ** 2), rtol=1e-4):
            hint = f" It looks as if t is all zeros: t must be one-hot, with a 1 at index {EXERCISE_LABEL}."
        else:
            hint = f" Check that t is one-hot with its 1 at index {EXERCISE_LABEL} (the digit 9)."
        return report("SSE and CEE", False, f"sse = {sse:.4f}, but 1/2 * sum((y - t)**2) is {expected_sse:.4f}."
                                            + hint)
    if not np.isclose(cee, expected_cee, rtol=1e-4):
        if np.isclose(cee, -expected_cee, rtol=1e-4):
            hint = " The sign is flipped: E = MINUS sum(t * log(y))."
        elif np.isclose(cee, expected_cee / np.log(10), rtol=1e-4):
            hint = " That is a base-10 logarithm: use np.log (the natural log)."
        elif np.isclose(cee, -np.log(EXERCISE_Y.max()), rtol=1e-4):
            hint = (" That is -log of the LARGEST probability (0.70, the digit 4). The loss looks at the "
                    "probability of the CORRECT answer, the digit 9.")
        else:
            hint = f" Only the term of the correct class (index {EXERCISE_LABEL}) survives the sum."
        return report("SSE and CEE", False, f"cee = {cee:.4f}, but -sum(t * log(y + 1e-7)) is "
                                            f"{expected_cee:.4f}." + hint)
    return report("SSE and CEE", True, f"SSE = {expected_sse:.4f} and CEE = {expected_cee:.4f}. The network "
                                       f"bet on the wrong digit, and both losses are far above the book's "
                                       f"'wrong' example (SSE 0.5975, CEE 2.3026).")


@checker("Reading loss values")
def check_loss_numbers(p, uniform_loss):
    """Check exercise (c): the probability behind a loss of 0.1, and the loss of a uniform guess."""
    if unanswered("Reading loss values", p, uniform_loss):
        return False
    try:
        p, uniform_loss = float(p), float(uniform_loss)
    except (TypeError, ValueError, OverflowError):
        return report("Reading loss values", False, "p and uniform_loss should each be a single number.")
    expected_p = float(np.exp(-EXERCISE_LOSS))
    expected_uniform = float(np.log(EXERCISE_CLASSES))
    if not np.isclose(p, expected_p, atol=1e-3):
        if p > 1 or p < 0:
            hint = " A probability lies between 0 and 1: check the sign in the exponent."
        elif np.isclose(p, 10 ** -EXERCISE_LOSS, atol=1e-3):
            hint = " That undoes a base-10 log; the loss uses the natural log, so undo it with np.exp."
        elif np.isclose(p, 1 - EXERCISE_LOSS, atol=1e-3):
            hint = " Close, but the loss is -log(p), not 1 - p: solve -log(p) = 0.1 for p."
        elif np.isclose(p, EXERCISE_LOSS, atol=1e-3):
            hint = " That is the loss itself; we want the probability p with -log(p) = 0.1."
        else:
            hint = " If every image has the same p, the batch average is just -log(p); solve -log(p) = 0.1."
        return report("Reading loss values", False, f"p = {p:.4f} is not right.{hint}")
    if not np.isclose(uniform_loss, expected_uniform, atol=1e-3):
        if np.isclose(uniform_loss, np.log(10), atol=1e-3):
            hint = f" That is the loss for 10 classes; here there are {EXERCISE_CLASSES}."
        elif np.isclose(uniform_loss, np.log10(EXERCISE_CLASSES), atol=1e-3):
            hint = " That is a base-10 logarithm: use np.log."
        elif np.isclose(uniform_loss, 1 / EXERCISE_CLASSES, atol=1e-4):
            hint = " That is the probability of the correct class; the loss is -log of it."
        elif np.isclose(uniform_loss, -expected_uniform, atol=1e-3):
            hint = " The sign is flipped: a loss is never negative."
        else:
            hint = f" A uniform guess gives every class probability 1/{EXERCISE_CLASSES}."
        return report("Reading loss values", False, f"uniform_loss = {uniform_loss:.4f} is not right.{hint}")
    return report("Reading loss values", True,
                  f"a mini-batch loss of {EXERCISE_LOSS} is what you get when every correct class has "
                  f"probability {expected_p:.4f}, and guessing uniformly among {EXERCISE_CLASSES} classes costs "
                  f"log({EXERCISE_CLASSES}) = {expected_uniform:.4f}.")
