"""Tests of common.functions: hand-computed values, shapes, dtypes, extreme inputs, clear errors."""

import math
import warnings

import numpy as np
import pytest

from common.functions import (cross_entropy_error, identity_function, mean_squared_error, relu, relu_grad,
                              sigmoid, sigmoid_grad, softmax, step_function, sum_squared_error, tanh)
from common.gradient import numerical_gradient

# The book's example: the correct digit is 2.
T = np.array([0, 0, 1, 0, 0, 0, 0, 0, 0, 0])
Y_GOOD = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
Y_BAD = np.array([0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0])


def test_hand_computed_activation_values():
    x = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(step_function(x), [0, 0, 1])
    assert step_function(x).dtype.kind == "i"
    expected = [1 / (1 + math.e), 0.5, 1 / (1 + math.exp(-2))]
    np.testing.assert_allclose(sigmoid(x), expected, rtol=1e-15)
    np.testing.assert_allclose(sigmoid_grad(x), [s * (1 - s) for s in expected], rtol=1e-14)
    np.testing.assert_array_equal(relu(x), [0.0, 0.0, 2.0])
    np.testing.assert_array_equal(relu_grad(x), [0.0, 0.0, 1.0])
    np.testing.assert_allclose(tanh(x), [math.tanh(v) for v in x], rtol=1e-15)
    assert identity_function(x) is x


def test_sigmoid_and_softmax_survive_extreme_inputs_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = sigmoid(np.array([-1000.0, -50.0, 50.0, 1000.0]))
        np.testing.assert_allclose(s, [0.0, math.exp(-50) / (1 + math.exp(-50)), 1 / (1 + math.exp(-50)), 1.0],
                                   rtol=1e-12)  # tiny values keep their relative accuracy
        p = softmax(np.array([1010.0, 1000.0, 990.0]))
    assert np.all(np.isfinite(p)) and math.isclose(p.sum(), 1.0)
    np.testing.assert_allclose(p, [9.99954600e-01, 4.53978686e-05, 2.06106005e-09], rtol=1e-6)


def test_softmax_book_example_single_and_batch():
    a = np.array([0.3, 2.9, 4.0])
    np.testing.assert_allclose(softmax(a), [0.01821127, 0.24519181, 0.73659691], atol=5e-9)
    batch = softmax(np.stack([a, a + 100, -a]))
    assert batch.shape == (3, 3)
    np.testing.assert_allclose(batch.sum(axis=1), np.ones(3))
    np.testing.assert_allclose(batch[1], softmax(a))  # adding a constant to every score changes nothing


@pytest.mark.parametrize("f", [sigmoid, sigmoid_grad, relu, relu_grad, tanh, softmax])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_dtype_is_preserved(f, dtype):
    x = np.linspace(-3, 3, 12, dtype=dtype).reshape(3, 4)
    y = f(x)
    assert y.dtype == dtype and y.shape == x.shape


def test_integer_inputs_become_float():
    assert sigmoid(np.array([0, 1])).dtype == np.float64
    assert softmax([1, 2, 3]).dtype == np.float64


def test_losses_book_example():
    assert sum_squared_error(Y_GOOD, T) == pytest.approx(0.0975, abs=1e-12)
    assert cross_entropy_error(Y_GOOD, T) == pytest.approx(0.510825457099338, rel=1e-12)
    assert sum_squared_error(Y_BAD, T) == pytest.approx(0.5975, abs=1e-12)
    assert cross_entropy_error(Y_BAD, T) == pytest.approx(2.302584092994546, rel=1e-12)
    assert mean_squared_error is sum_squared_error  # the book's name


def test_cross_entropy_labels_and_one_hot_agree_single_and_batch():
    assert cross_entropy_error(Y_GOOD, 2) == pytest.approx(cross_entropy_error(Y_GOOD, T))
    y = np.stack([Y_GOOD, Y_BAD, softmax(np.arange(10.0))])
    labels = np.array([2, 2, 9])
    one_hot = np.eye(10)[labels]
    by_label, by_one_hot = cross_entropy_error(y, labels), cross_entropy_error(y, one_hot)
    assert by_label == pytest.approx(by_one_hot, rel=1e-12)
    manual = -np.mean([math.log(y[i, labels[i]] + 1e-7) for i in range(3)])  # averaged over the batch
    assert by_label == pytest.approx(manual, rel=1e-12)


def test_cross_entropy_of_a_zero_probability_is_finite():
    assert cross_entropy_error(np.array([1.0, 0.0]), 1) == pytest.approx(-math.log(1e-7))


def test_losses_keep_float32():
    y, t = Y_GOOD.astype(np.float32), T.astype(np.float32)
    assert cross_entropy_error(y, t).dtype == np.float32
    assert cross_entropy_error(y[None], np.array([2])).dtype == np.float32
    assert sum_squared_error(y, t).dtype == np.float32


@pytest.mark.parametrize("y, t, message", [
    (np.ones((4, 10)) / 10, np.zeros((4, 9)), r"one-hot \(4, 10\) or as labels \(4,\), got t \(4, 9\)"),
    (np.ones((4, 10)) / 10, np.zeros(5, dtype=int), r"got t \(5,\)"),
    (np.ones((4, 10)) / 10, np.array([0, 1, 2, 10]), r"labels must lie in 0..9"),
    (np.ones((4, 10)) / 10, np.array([0.0, 1.0, 2.0, 3.0]), r"integer class labels"),
    (np.ones((2, 3, 4)), np.zeros(2, dtype=int), r"y of shape \(N, classes\)"),
])
def test_cross_entropy_rejects_mismatched_shapes(y, t, message):
    with pytest.raises(ValueError, match=message):
        cross_entropy_error(y, t)


def test_sum_squared_error_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"same shape .* got y \(10,\) and t \(9,\)"):
        sum_squared_error(Y_GOOD, T[:9])


def test_sigmoid_grad_matches_numerical_derivative():
    x = np.linspace(-4, 4, 17)
    numeric = numerical_gradient(lambda v: np.sum(sigmoid(v)), x.copy())
    np.testing.assert_allclose(sigmoid_grad(x), numeric, atol=1e-9)


def test_log_softmax_is_log_of_softmax_and_stays_finite():
    from common.functions import log_softmax

    a = np.array([[0.3, 2.9, 4.0], [1.0, -2.0, 0.5]])
    np.testing.assert_allclose(log_softmax(a), np.log(softmax(a)), rtol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        extreme = log_softmax(np.array([1000.0, 0.0]))  # softmax rounds the second entry to 0
    np.testing.assert_allclose(extreme, [0.0, -1000.0])
    assert log_softmax(a.astype(np.float32)).dtype == np.float32
