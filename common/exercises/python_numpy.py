"""Checkers for the exercises of notebook 00 (Python and NumPy for this book).

Introduced in notebook 00, "Try it" (a), (b) and (c).

(a) ``check_count_labels``: a function that counts how often each label occurs, as a dictionary.
(b) ``check_scale_layer``: a small class in the shape of the book's layers, with ``__init__`` and ``forward``.
(c) ``check_dense_relu``: a matrix product, a bias added by broadcasting, and negatives set to 0.

Every call of the learner's code goes through ``call_safely``, and every checker through the package's
``@checker`` guard, so a checker never raises: not on ``None``, not on a value of the wrong type, not on
code that raises, not on a misspelt method name. The checks below still name the usual slips, for a
more precise hint than the guard's.
"""

import difflib

import numpy as np

from common.exercises import call_safely, checker, report, unanswered

# ---------------------------------------------------------------------------------------------
# (a) Counting labels with a dictionary
# ---------------------------------------------------------------------------------------------

LABEL_CASES = [
    [5, 0, 4, 1, 9, 2, 1, 3, 1, 4],        # the first ten MNIST training labels
    ["cat", "dog", "cat", "cat", "bird"],
    [7],
    [],
]


def _equal(a, b):
    """a == b as one True or False, even for values (arrays, odd objects) whose == is not a plain bool."""
    try:
        return bool(a == b)
    except Exception:  # deliberately broad: whatever the learner's values do when compared
        return False


def _larger(a, b):
    """a > b, and False where the two cannot be compared."""
    try:
        return bool(a > b)
    except Exception:  # deliberately broad, as in _equal
        return False


def _as_float_array(value):
    """The value as an array of floats, or None if it is not numbers in a regular shape."""
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        return None


def reference_count_labels(labels):
    """The right answer: {label: how many times it occurs}, in order of first appearance."""
    counts = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    return counts


@checker("Counting labels")
def check_count_labels(count_labels):
    """Does ``count_labels(labels)`` return a dictionary {label: number of times it occurs in the list}?"""
    exercise = "Counting labels"
    if unanswered(exercise, count_labels):
        return False
    if not callable(count_labels):
        return report(exercise, False, f"count_labels should be a function (def count_labels(labels): ...), "
                                       f"got {type(count_labels).__name__}.")
    for labels in LABEL_CASES:
        given = list(labels)
        got, failed = call_safely(exercise, count_labels, given)
        if failed is not None:
            return failed
        expected = reference_count_labels(labels)
        if got is None:
            return report(exercise, False, f"count_labels({labels}) returned None. Did you forget `return counts`?")
        if given != labels:
            return report(exercise, False, f"count_labels changed the list it was given (it became {given}); "
                                           f"read the labels, do not remove or sort them.")
        if not isinstance(got, dict):
            return report(exercise, False, f"count_labels({labels}) returned a {type(got).__name__}, expected a "
                                           f"dictionary such as {expected}: start with counts = {{}}.")
        if _equal(got, expected):
            continue
        if labels and set(got) == set(expected) and all(_equal(value, 1) for value in got.values()):
            hint = ("every count is 1: add one to the count you already have, "
                    "counts[label] = counts.get(label, 0) + 1, instead of setting it to 1.")
        elif set(got) > set(expected) or any(_larger(got.get(k, 0), v) for k, v in expected.items()):
            hint = ("there are more labels or larger counts than in this list. Does your function keep its "
                    "dictionary between calls (a global variable, or a default argument counts={})? Make a "
                    "new, empty dictionary inside the function every time it is called.")
        elif set(got) < set(expected):
            hint = f"some labels are missing: {sorted(set(expected) - set(got), key=str)}."
        else:
            hint = "look at the labels whose counts differ."
        return report(exercise, False, f"count_labels({labels}) gives {got}, expected {expected}: {hint}")
    first = reference_count_labels(LABEL_CASES[0])
    return report(exercise, True, f"for the first ten MNIST labels you get {first}: "
                                  f"the digit 1 occurs {first[1]} times.")


# ---------------------------------------------------------------------------------------------
# (b) A layer-shaped class
# ---------------------------------------------------------------------------------------------

def _methods(obj):
    """The public methods an object has, for spotting a misspelt name."""
    return [name for name in dir(obj) if not name.startswith("_") and callable(getattr(obj, name, None))]


@checker("A Scale layer")
def check_scale_layer(Scale):
    """Is ``Scale`` a class whose objects are made with ``Scale(factor)``, keep the factor as
    ``self.factor``, and have a method ``forward(x)`` that remembers ``x`` as ``self.x`` and returns
    ``factor * x`` without changing ``x``?"""
    exercise = "A Scale layer"
    if unanswered(exercise, Scale):
        return False
    if not isinstance(Scale, type):
        if hasattr(Scale, "forward") or hasattr(Scale, "factor"):
            return report(exercise, False, "that is an object made from your class (an instance). Pass the "
                                           "class itself: check_scale_layer(Scale), not check_scale_layer(Scale(2)).")
        return report(exercise, False, f"Scale should be a class (class Scale: ...), got {type(Scale).__name__}.")

    double, failed = call_safely(exercise, Scale, 2.0)
    if failed is not None:
        return failed
    if not hasattr(double, "factor"):
        return report(exercise, False, "Scale(2.0) has no attribute factor. Inside __init__ write "
                                       "self.factor = factor; a plain `factor = factor` is forgotten as "
                                       "soon as __init__ ends.")
    forward = getattr(double, "forward", None)
    if forward is None or not callable(forward):
        close = difflib.get_close_matches("forward", _methods(double), n=1)
        if close:
            return report(exercise, False, f"your class has no method forward, but it has {close[0]}: check the "
                                           f"spelling, Python takes names letter by letter.")
        return report(exercise, False, "your class has no method forward. Add one inside the class, indented: "
                                       "def forward(self, x): ...")

    halve, failed = call_safely(exercise, Scale, -0.5)  # a second object, made before the first is used
    if failed is not None:
        return failed
    x = np.array([1.0, -2.0, 3.0])
    before = x.copy()
    for layer, factor in [(double, 2.0), (halve, -0.5)]:
        out, failed = call_safely(exercise, layer.forward, x)
        if failed is not None:
            return failed
        if out is None:
            return report(exercise, False, "forward returned None. Did you forget `return`?")
        if not np.array_equal(x, before):
            return report(exercise, False, "forward changed the array it was given (x *= ... works in place). "
                                           "Make a new array instead: return self.factor * x.")
        values = _as_float_array(out)
        if values is None:
            return report(exercise, False, f"forward returned {out!r}; it should return an array of numbers.")
        out = values
        expected = factor * before
        if out.shape != expected.shape:
            return report(exercise, False, f"Scale({factor}).forward(x) with x of shape {x.shape} returned "
                                           f"shape {out.shape}; multiplying by a number keeps the shape.")
        if not np.allclose(out, expected):
            other = -0.5 if factor == 2.0 else 2.0
            if np.allclose(out, other * before):
                hint = (f"both objects multiply by {other:g}. Each object must use its own factor, "
                        f"self.factor, not a number written into the method or a value shared by all "
                        f"objects of the class.")
            else:
                hint = "forward should return self.factor * x."
            return report(exercise, False, f"Scale({factor}).forward({before.tolist()}) gave {out.tolist()}, "
                                           f"expected {expected.tolist()}: {hint}")
        remembered = getattr(layer, "x", None)
        remembered = None if remembered is None else _as_float_array(remembered)
        if remembered is None or remembered.shape != x.shape or not np.array_equal(remembered, before):
            return report(exercise, False, "forward should also remember its input as self.x (the layers of "
                                           "notebook 05 keep their inputs like this, for the backward pass).")
    return report(exercise, True, "Scale(2.0) doubles, Scale(-0.5) halves and flips the sign, and each object "
                                  "keeps its own factor and its last input. That is the shape of every layer "
                                  "in notebook 05.")


# ---------------------------------------------------------------------------------------------
# (c) Matrix product, broadcasting and a mask
# ---------------------------------------------------------------------------------------------

def dense_relu_problems():
    """Three (X, W, b) with small integer-valued floats. Seed 3 is chosen so that every problem has
    positive and negative entries before the ReLU, no zero in b, and answers that tell a missing bias
    or a bias added after the ReLU apart from the right one."""
    generator = np.random.default_rng(3)
    problems = []
    for n, d_in, d_out in [(4, 3, 2), (1, 3, 2), (5, 4, 3)]:
        X = generator.integers(-3, 4, size=(n, d_in)).astype(float)
        W = generator.integers(-2, 3, size=(d_in, d_out)).astype(float)
        b = generator.integers(-2, 3, size=d_out).astype(float)
        problems.append((X, W, b))
    return problems


def reference_dense_relu(X, W, b):
    Y = X @ W + b
    return np.where(Y > 0, Y, 0.0)


@checker("Matrix product, bias and ReLU")
def check_dense_relu(dense_relu):
    """Does ``dense_relu(X, W, b)`` compute X @ W + b, with every negative entry set to 0, for X of shape
    (N, D), W of shape (D, M) and b of shape (M,), returning shape (N, M) and leaving its inputs unchanged?"""
    exercise = "Matrix product, bias and ReLU"
    if unanswered(exercise, dense_relu):
        return False
    if not callable(dense_relu):
        return report(exercise, False, f"dense_relu should be a function (def dense_relu(X, W, b): ...), "
                                       f"got {type(dense_relu).__name__}.")
    for X, W, b in dense_relu_problems():
        inputs = (X.copy(), W.copy(), b.copy())
        got, failed = call_safely(exercise, dense_relu, *inputs)
        if failed is not None:
            return failed
        if got is None:
            return report(exercise, False, "dense_relu returned None. Did you forget `return`?")
        if not all(np.array_equal(given, original) for given, original in zip(inputs, (X, W, b))):
            return report(exercise, False, "dense_relu changed an array it was given. Compute a new array "
                                           "Y = X @ W + b first, and set the negatives of Y to 0.")
        values = _as_float_array(got)
        if values is None:
            return report(exercise, False, f"dense_relu returned {type(got).__name__}; return a NumPy array.")
        got = values
        expected = reference_dense_relu(X, W, b)
        shapes = f"X {X.shape}, W {W.shape}, b {b.shape}"
        if got.shape != expected.shape:
            if got.shape == expected.T.shape:
                hint = "that is the transpose: the rows of the answer belong to the rows of X."
            else:
                hint = "(N, D) @ (D, M) gives (N, M), and adding b of shape (M,) keeps it."
            return report(exercise, False, f"with {shapes} the answer has shape {expected.shape}, yours "
                                           f"{got.shape}: {hint}")
        if np.allclose(got, expected):
            continue
        Y = X @ W + b
        if np.allclose(got, Y):
            hint = "the negative entries are still there: Y[Y < 0] = 0 sets them to 0."
        elif np.allclose(got, np.where(X @ W > 0, X @ W, 0.0)):
            hint = "the bias b is missing: add it to X @ W before looking for negatives."
        elif np.allclose(got, np.where(X @ W > 0, X @ W, 0.0) + b):
            hint = "add b before setting the negatives to 0, so the zeros stay zeros."
        else:
            hint = "compute Y = X @ W + b, then set the entries of Y below 0 to 0."
        return report(exercise, False, f"with {shapes} your answer differs from ours in "
                                       f"{np.count_nonzero(~np.isclose(got, expected))} of {expected.size} "
                                       f"entries: {hint}")
    X, W, b = dense_relu_problems()[0]
    zeros = np.count_nonzero(reference_dense_relu(X, W, b) == 0)
    return report(exercise, True, f"right for all three shapes. In the first one, {zeros} of the "
                                  f"{X.shape[0] * W.shape[1]} outputs were cut to 0. This is a layer of "
                                  f"notebook 02 followed by the ReLU of notebook 05.")
