"""Tests of common.two_layer_net: backprop agrees with numerical gradients; shapes and errors."""

import numpy as np
import pytest

from common.rng import seed
from common.two_layer_net import TwoLayerNet


def small_problem(batch_size, one_hot):
    seed(3)
    net = TwoLayerNet(input_size=6, hidden_size=5, output_size=4, weight_init_std=0.5, dtype=np.float64)
    rng = np.random.default_rng(4)
    x = rng.normal(size=(batch_size, 6))
    labels = rng.integers(0, 4, size=batch_size)
    return net, x, (np.eye(4)[labels] if one_hot else labels)


@pytest.mark.parametrize("batch_size", [1, 7])
@pytest.mark.parametrize("one_hot", [True, False])
def test_backprop_matches_numerical_gradient(batch_size, one_hot):
    net, x, t = small_problem(batch_size, one_hot)
    numeric = net.numerical_gradient(x, t)
    analytic = net.gradient(x, t)
    for key in net.params:
        assert analytic[key].shape == net.params[key].shape
        # Two approximations separate them: central differences (error ~ h² = 1e-8) and the
        # delta = 1e-7 inside the loss's log, which shifts the numerical slope by about delta / y.
        np.testing.assert_allclose(analytic[key], numeric[key], rtol=1e-5, atol=1e-8, err_msg=key)


def test_predict_loss_accuracy_shapes_and_float32():
    seed(0)
    net = TwoLayerNet(784, 50, 10)
    x = np.random.default_rng(0).random((3, 784), dtype=np.float32)
    y = net.predict(x)
    assert y.shape == (3, 10) and y.dtype == np.float32
    np.testing.assert_allclose(y.sum(axis=1), 1, rtol=1e-6)
    assert net.loss(x, np.array([1, 2, 3])).dtype == np.float32
    assert net.accuracy(x, np.array([1, 2, 3])) == net.accuracy(x, np.eye(10)[[1, 2, 3]])
    assert all(p.dtype == np.float32 for p in net.params.values())


def test_numerical_gradient_leaves_parameters_unchanged():
    net, x, t = small_problem(3, False)
    before = {k: v.copy() for k, v in net.params.items()}
    net.numerical_gradient(x, t)
    for key in before:
        np.testing.assert_array_equal(net.params[key], before[key])


def test_clear_errors():
    net = TwoLayerNet(784, 50, 10)
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 784\), got \(100, 28, 28\)"):
        net.predict(np.zeros((100, 28, 28)))
    with pytest.raises(ValueError, match="labels"):
        net.gradient(np.zeros((2, 784)), np.array([1, 2, 3]))
    with pytest.raises(ValueError, match="hidden_size must be a positive whole number"):
        TwoLayerNet(784, 0, 10)
