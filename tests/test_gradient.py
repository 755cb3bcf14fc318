"""Tests of common.gradient against derivatives worked out by hand."""

import numpy as np
import pytest

from common.gradient import gradient_descent, numerical_diff, numerical_gradient


def test_numerical_diff_book_values():
    f = lambda x: 0.01 * x ** 2 + 0.1 * x  # f'(x) = 0.02 x + 0.1
    assert numerical_diff(f, 5) == pytest.approx(0.2, abs=1e-10)
    assert numerical_diff(f, 10) == pytest.approx(0.3, abs=1e-10)


def test_gradient_of_sum_of_squares():
    f = lambda x: np.sum(x ** 2)  # gradient 2x
    for point in ([3.0, 4.0], [0.0, 2.0], [3.0, 0.0]):
        np.testing.assert_allclose(numerical_gradient(f, np.array(point)), 2 * np.array(point), atol=1e-8)


def test_any_shape_and_input_left_unchanged():
    w = np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 10
    before = w.copy()
    f = lambda x: np.sum(np.sin(x) * x)  # d/dx = cos(x) x + sin(x)
    grad = numerical_gradient(f, w)
    assert grad.shape == w.shape
    np.testing.assert_allclose(grad, np.cos(before) * before + np.sin(before), atol=1e-7)
    np.testing.assert_array_equal(w, before)


def test_nudges_are_seen_through_a_shared_array():
    """The book's pattern: f ignores its argument and reads the weights it closes over."""
    weights = np.array([[1.0, -2.0], [0.5, 3.0]])
    loss = lambda _: float(np.sum(weights ** 3))
    np.testing.assert_allclose(numerical_gradient(loss, weights), 3 * weights ** 2, rtol=1e-7)


def test_input_restored_even_if_f_fails():
    x = np.array([1.0, 2.0])

    def explode(v):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        numerical_gradient(explode, x)
    np.testing.assert_array_equal(x, [1.0, 2.0])


@pytest.mark.parametrize("bad", [np.array([1, 2]), [1.0, 2.0], 3.0])
def test_rejects_what_cannot_be_nudged(bad):
    with pytest.raises(TypeError, match="float NumPy array"):
        numerical_gradient(lambda v: 0.0, bad)


def test_gradient_descent_book_example():
    f = lambda x: np.sum(x ** 2)
    start = np.array([-3.0, 4.0])
    x, history = gradient_descent(f, start, lr=0.1, step_num=100, return_history=True)
    # Each step multiplies x by (1 - 2 * 0.1) = 0.8 exactly (the central difference is exact for x²
    # up to rounding), so after 100 steps x = 0.8**100 * start.
    np.testing.assert_allclose(x, 0.8 ** 100 * start, rtol=1e-3)
    assert np.all(np.abs(x) < 1e-9)
    assert history.shape == (101, 2)
    np.testing.assert_array_equal(history[0], start)
    np.testing.assert_array_equal(start, [-3.0, 4.0])  # not modified


def test_gradient_descent_rejects_fractional_steps():
    with pytest.raises(ValueError, match="whole number"):
        gradient_descent(lambda x: np.sum(x ** 2), np.array([1.0]), step_num=10.5)
