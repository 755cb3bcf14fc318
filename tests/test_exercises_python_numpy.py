"""The checkers of notebook 00 accept right answers and reject wrong ones, with a useful message, and
never raise, whatever a learner passes them."""

import collections

import numpy as np
import pytest

from common import exercises
from common.exercises.python_numpy import (check_count_labels, check_dense_relu, check_scale_layer,
                                           dense_relu_problems, reference_count_labels, reference_dense_relu)




# ----- (a) counting labels ----------------------------------------------------------------------

def test_reference_counts():
    assert reference_count_labels([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]) == {5: 1, 0: 1, 4: 2, 1: 3, 9: 1, 2: 1, 3: 1}
    assert reference_count_labels([]) == {}


def count_with_a_loop(labels):
    counts = {}
    for label in labels:
        if label in counts:
            counts[label] += 1
        else:
            counts[label] = 1
    return counts


@pytest.mark.parametrize("right", [
    count_with_a_loop,
    lambda labels: dict(collections.Counter(labels)),
    lambda labels: collections.Counter(labels),                       # a Counter is a dictionary too
    lambda labels: {label: labels.count(label) for label in labels},
    lambda labels: {label: np.int64(labels.count(label)) for label in labels},
])
def test_count_labels_accepts_right_functions(right, capsys):
    assert check_count_labels(right)
    out = capsys.readouterr().out
    assert "Correct!" in out and "occurs 3 times" in out


SHARED = {}


def keeps_a_global_dictionary(labels):
    for label in labels:
        SHARED[label] = SHARED.get(label, 0) + 1
    return SHARED


def mutable_default(labels, counts={}):  # noqa: B006 (the mistake under test)
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    return counts


def forgets_return(labels):
    counts = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1


def pops_the_labels(labels):
    counts = {}
    while labels:
        label = labels.pop()
        counts[label] = counts.get(label, 0) + 1
    return counts


@pytest.mark.parametrize("wrong, message", [
    (lambda labels: {label: 1 for label in labels}, "every count is 1"),
    (keeps_a_global_dictionary, "new, empty dictionary inside the function"),
    (mutable_default, "default argument"),
    (forgets_return, "forget `return counts`"),
    (pops_the_labels, "changed the list it was given"),
    (lambda labels: [labels.count(label) for label in labels], "returned a list"),
    (lambda labels: sorted(set(labels)), "expected a dictionary"),
    (lambda labels: {label: labels.count(label) for label in labels[1:]}, "some labels are missing"),
    (lambda labels: {label: np.array([1, 2]) for label in labels}, "Not yet."),   # == gives an array
    (lambda labels: {label: "many" for label in labels}, "Not yet."),             # cannot compare "many" > 1
    (lambda labels: labels.counts(), "raised AttributeError"),                    # a misspelt method
    (lambda labels: 1 / 0, "raised ZeroDivisionError"),
    (lambda: {}, "raised TypeError"),                                             # takes no argument
    ({5: 1}, "should be a function"),
    ("count_labels", "should be a function"),
])
def test_count_labels_rejects_wrong_answers(wrong, message, capsys):
    SHARED.clear()
    exercises.results.clear()
    assert not check_count_labels(wrong)
    out = capsys.readouterr().out
    assert "Not yet." in out and message in out
    assert exercises.results and not exercises.results[-1][1]


# ----- (b) a Scale layer --------------------------------------------------------------------------

class Scale:
    def __init__(self, factor):
        self.factor = factor
        self.x = None

    def forward(self, x):
        self.x = x
        return self.factor * x


class ScaleWithExtras(Scale):
    """Extra attributes and methods are fine, and so is keeping a copy of x."""

    def forward(self, x):
        self.x = x.copy()
        self.out = x * self.factor
        return self.out

    def backward(self, dout):
        return dout * self.factor


def test_scale_layer_accepts_right_classes(capsys):
    assert check_scale_layer(Scale)
    assert check_scale_layer(ScaleWithExtras)
    assert capsys.readouterr().out.count("Correct!") == 2


class Misspelt(Scale):
    forward = None

    def foward(self, x):
        return self.factor * x


class NoForward:
    def __init__(self, factor):
        self.factor = factor


class ForgetsSelf:
    def __init__(self, factor):
        factor = factor  # noqa: PLW0127 (the mistake under test)

    def forward(self, x):
        return x


class UsesAMissingName(Scale):
    def forward(self, x):
        self.x = x
        return factor * x  # noqa: F821 (the mistake under test)


class HardCodedFactor(Scale):
    def forward(self, x):
        self.x = x
        return 2 * x


class SharedFactor(Scale):
    def __init__(self, factor):
        SharedFactor.factor = factor  # one value for every object of the class


class InPlace(Scale):
    def forward(self, x):
        self.x = x
        x *= self.factor
        return x


class ForgetsReturn(Scale):
    def forward(self, x):
        self.x = x
        self.factor * x


class DoesNotRemember:
    def __init__(self, factor):
        self.factor = factor

    def forward(self, x):
        return self.factor * x


class ReturnsText(Scale):
    def forward(self, x):
        self.x = x
        return "twice x"


class ReturnsASum(Scale):
    def forward(self, x):
        self.x = x
        return np.sum(self.factor * x)


class NoFactorArgument:
    def __init__(self):
        self.factor = 2

    def forward(self, x):
        return self.factor * x


@pytest.mark.parametrize("wrong, message", [
    (Misspelt, "but it has foward"),
    (NoForward, "no method forward"),
    (ForgetsSelf, "self.factor = factor"),
    (UsesAMissingName, "raised NameError"),
    (HardCodedFactor, "both objects multiply by 2"),
    (SharedFactor, "both objects multiply by -0.5. Each object must use its own factor"),
    (InPlace, "changed the array it was given"),
    (ForgetsReturn, "forget `return`"),
    (DoesNotRemember, "remember its input as self.x"),
    (ReturnsText, "array of numbers"),
    (ReturnsASum, "keeps the shape"),
    (NoFactorArgument, "raised TypeError"),
    (Scale(2.0), "Pass the class itself"),
    (lambda factor: factor, "should be a class"),
    (3, "should be a class"),
])
def test_scale_layer_rejects_wrong_answers(wrong, message, capsys):
    assert not check_scale_layer(wrong)
    out = capsys.readouterr().out
    assert "Not yet." in out and message in out


# ----- (c) matrix product, bias and ReLU ------------------------------------------------------------

def test_every_problem_tells_the_usual_mistakes_apart():
    for X, W, b in dense_relu_problems():
        Y = X @ W + b
        right = reference_dense_relu(X, W, b)
        assert (Y < 0).any() and (Y > 0).any()
        assert not np.allclose(right, np.maximum(X @ W, 0))
        assert not np.allclose(right, np.maximum(X @ W, 0) + b)


def with_a_mask(X, W, b):
    Y = X @ W + b
    Y[Y < 0] = 0
    return Y


@pytest.mark.parametrize("right", [
    with_a_mask,
    lambda X, W, b: np.maximum(0, np.dot(X, W) + b),
    lambda X, W, b: ((X @ W + b) * (X @ W + b > 0)).tolist(),   # a list of lists is fine too
])
def test_dense_relu_accepts_right_functions(right, capsys):
    assert check_dense_relu(right)
    assert "Correct!" in capsys.readouterr().out


def relu_in_place_on_x(X, W, b):
    X[X < 0] = 0
    return np.maximum(X @ W + b, 0)


@pytest.mark.parametrize("wrong, message", [
    (lambda X, W, b: X @ W + b, "negative entries are still there"),
    (lambda X, W, b: np.maximum(X @ W, 0), "bias b is missing"),
    (lambda X, W, b: np.maximum(X @ W, 0) + b, "add b before setting the negatives to 0"),
    (lambda X, W, b: np.maximum(X, 0) @ W + b, "differs from ours"),
    (lambda X, W, b: np.maximum(X @ W + b, 0).T, "that is the transpose"),
    (lambda X, W, b: np.maximum(X @ W + b, 0).sum(axis=0), "(N, D) @ (D, M) gives (N, M)"),
    (relu_in_place_on_x, "changed an array it was given"),
    (lambda X, W, b: X * W + b, "raised ValueError"),          # element-wise, not the matrix product
    (lambda X, W, b: W @ X + b, "raised ValueError"),          # the order of the product matters
    (lambda X, W, b: None, "returned None"),
    (lambda X, W, b: "X @ W + b", "return a NumPy array"),
    (lambda X, W, b: {"Y": X @ W}, "return a NumPy array"),
    (lambda X, W: X @ W, "raised TypeError"),
    (np.zeros((4, 2)), "should be a function"),
])
def test_dense_relu_rejects_wrong_answers(wrong, message, capsys):
    assert not check_dense_relu(wrong)
    out = capsys.readouterr().out
    assert "Not yet." in out and message in out


# ----- never raises, whatever it is given ---------------------------------------------------------

def test_checkers_never_raise_on_the_shared_garbage(capsys):
    from test_exercise_checkers import GARBAGE  # the grid every other checker module is run against

    for check in (check_count_labels, check_scale_layer, check_dense_relu):
        for label, value in GARBAGE.items():
            exercises.results.clear()
            assert check(value) is False, (check.__name__, label)
            assert "Not yet." in capsys.readouterr().out, (check.__name__, label)
            assert exercises.results and not any(ok for _, ok in exercises.results), (check.__name__, label)
