"""The checkers of notebook 04 accept right answers and reject wrong ones, with a useful message."""

import numpy as np
import pytest

from common.exercises.gradient import (check_central_difference, check_learning_rate_range,
                                       check_numerical_gradient_2d, converges)


def central(f, x, h=1e-4):
    return (f(x + h) - f(x - h)) / (2 * h)


def ndindex_gradient(f, X, h=1e-4):
    grad = np.zeros_like(X)
    for idx in np.ndindex(X.shape):
        original = X[idx]
        X[idx] = original + h
        f_plus = f(X)
        X[idx] = original - h
        f_minus = f(X)
        X[idx] = original
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad


def nditer_gradient(f, X, h=1e-4):
    grad = np.zeros_like(X)
    it = np.nditer(X, flags=["multi_index"])
    while not it.finished:
        idx = it.multi_index
        original = X[idx]
        X[idx] = original + h
        f_plus = f(X)
        X[idx] = original - h
        f_minus = f(X)
        X[idx] = original
        grad[idx] = (f_plus - f_minus) / (2 * h)
        it.iternext()
    return grad




def test_central_difference_accepts_the_central_difference(capsys):
    assert check_central_difference(central)
    assert check_central_difference(lambda f, x: (f(x + 1e-5) - f(x - 1e-5)) / 2e-5)  # another small h
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, message", [
    (lambda f, x: (f(x + 1e-4) - f(x)) / 1e-4, "that is the forward difference"),
    (lambda f, x: (f(x + 1e-4) - f(x - 1e-4)) / 1e-4, "divide by 2 * h"),
    (lambda f, x: (f(x + 1e-4) - f(x - 1e-4)) / 2 * 1e-4, "compute (f(x + h) - f(x - h)) / (2 * h)"),
    (lambda f, x: (f(x + 1e-50) - f(x - 1e-50)) / 2e-50, "rounds back to x"),
    (lambda f, x: print((f(x + 1e-4) - f(x - 1e-4)) / 2e-4), "Did you forget `return`?"),
    (lambda f, x: float((f(x + 1e-4) - f(x - 1e-4)) / 2e-4), "your code raised TypeError"),
    (lambda f, x: f(x + 1e-4) - f(x - 1e-4) / 2e-4, "the exact derivative is 3"),
])
def test_central_difference_rejects_with_a_reason(wrong, message, capsys):
    assert not check_central_difference(wrong)
    out = capsys.readouterr().out
    assert "Not yet." in out and message in out, out


def test_central_difference_must_work_on_arrays(capsys):
    scalar_only = lambda f, x: (f(x + 1e-4) - f(x - 1e-4)) / 2e-4 if np.ndim(x) == 0 else 0.25
    assert not check_central_difference(scalar_only)
    assert "expected (5,)" in capsys.readouterr().out


@pytest.mark.parametrize("solution", [ndindex_gradient, nditer_gradient])
def test_gradient_2d_accepts_loops_over_every_entry(solution):
    assert check_numerical_gradient_2d(solution)


def test_gradient_2d_rejects_a_function_that_does_not_restore(capsys):
    def forgets_to_restore(f, X, h=1e-4):
        grad = np.zeros_like(X)
        for idx in np.ndindex(X.shape):
            original = X[idx]
            X[idx] = original + h
            f_plus = f(X)
            X[idx] = original - h
            grad[idx] = (f_plus - f(X)) / (2 * h)
        return grad

    assert not check_numerical_gradient_2d(forgets_to_restore)
    assert "changed 6 entries of X" in capsys.readouterr().out


def test_gradient_2d_rejects_nudging_a_copy(capsys):
    def nudges_a_copy(f, X, h=1e-4):
        return ndindex_gradient(f, X.copy(), h)

    assert not check_numerical_gradient_2d(nudges_a_copy)
    assert "not a copy of X" in capsys.readouterr().out


def test_gradient_2d_rejects_wrong_shape_and_missed_entries(capsys):
    assert not check_numerical_gradient_2d(lambda f, X: ndindex_gradient(f, X).ravel())
    assert "there is one slope per entry" in capsys.readouterr().out

    def first_row_only(f, X, h=1e-4):
        grad = np.zeros_like(X)
        for j in range(X.shape[1]):
            original = X[0, j]
            X[0, j] = original + h
            f_plus = f(X)
            X[0, j] = original - h
            grad[0, j] = (f_plus - f(X)) / (2 * h)
            X[0, j] = original
        return grad

    assert not check_numerical_gradient_2d(first_row_only)
    assert "entry [1, " in capsys.readouterr().out


def test_gradient_2d_rejects_the_one_dimensional_version(capsys):
    def one_dimensional(f, x, h=1e-4):  # the notebook's 1-D loop: x[i] is a whole row of a matrix
        grad = np.zeros_like(x)
        for i in range(x.size):
            original = x[i]
            x[i] = original + h
            f_plus = f(x)
            x[i] = original - h
            f_minus = f(x)
            x[i] = original
            grad[i] = (f_plus - f_minus) / (2 * h)
        return grad

    assert not check_numerical_gradient_2d(one_dimensional)
    assert capsys.readouterr().out.startswith("Not yet.")


def test_learning_rate_range_edges():
    assert [converges(lr)[1] for lr in (0.63, 0.64, 0.97, 0.98)] == [False, True, True, False]


def test_learning_rate_range_accepts_the_edges(capsys):
    assert check_learning_rate_range(0.64, 0.97)
    assert "0.63 and 0.98 do not" in capsys.readouterr().out


@pytest.mark.parametrize("low, high, message", [
    (0.1, 0.9, "x0 is still far from 0"),
    (0.7, 1.1, "x1 jumps from one side of 0 to the other"),
    (0.7, 0.9, "but so does 0.69: the lower edge is further down"),
    (0.64, 0.9, "but so does 0.91: the upper edge is further up"),
    (0.9, 0.7, "expected 0 < lr_low <= lr_high"),
    ("fast", 0.9, "give two numbers"),
])
def test_learning_rate_range_rejects_with_a_reason(low, high, message, capsys):
    assert not check_learning_rate_range(low, high)
    out = capsys.readouterr().out
    assert "Not yet." in out and message in out, out


@pytest.mark.parametrize("h", [1e-7, 1e-8, 1e-10])
def test_forward_difference_with_a_tiny_step_is_rejected(h, capsys):
    """D-M5 of the notebooks review: a forward difference with a small h used to pass as "Correct!"."""
    assert not check_central_difference(lambda f, x: (f(x + h) - f(x)) / h)
    out = capsys.readouterr().out
    assert "forward difference" in out and "Correct" not in out


def test_other_central_schemes_and_vectorised_answers_pass():
    five_point = lambda f, x, h=1e-3: (-f(x + 2 * h) + 8 * f(x + h) - 8 * f(x - h) + f(x - 2 * h)) / (12 * h)  # noqa: E731
    assert check_central_difference(five_point)
    assert check_central_difference(lambda f, x, h=1e-5: (f(x + h) - f(x - h)) / (2 * h))


def test_wrong_slope_message_prints_the_difference(capsys):
    assert not check_central_difference(lambda f, x: central(f, x) * 1.001)
    assert "(off by" in capsys.readouterr().out
