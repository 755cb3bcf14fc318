"""Tests of common.two_layer_net: backprop agrees with numerical gradients; shapes, dtypes, errors."""

import numpy as np
import pytest

from common.functions import softmax
from common.gradient_check import gradient_check
from common.rng import seed
from common.two_layer_net import TwoLayerNet

TOLERANCE = 1e-6  # the largest relative error of any element, float64, h = 1e-4


def small_problem(batch_size, one_hot, activation):
    seed(3)
    net = TwoLayerNet(input_size=6, hidden_size=5, output_size=4, weight_init_std=0.5,
                      activation=activation, dtype=np.float64)
    rng = np.random.default_rng(4)
    x = rng.normal(size=(batch_size, 6))
    labels = rng.integers(0, 4, size=batch_size)
    return net, x, (np.eye(4)[labels] if one_hot else labels)


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
@pytest.mark.parametrize("batch_size", [1, 7])
@pytest.mark.parametrize("one_hot", [True, False])
def test_backprop_matches_numerical_gradient(batch_size, one_hot, activation):
    net, x, t = small_problem(batch_size, one_hot, activation)
    errors = gradient_check(net, x, t, measure="max_relative")
    assert set(errors) == {"W1", "b1", "W2", "b2"}
    assert all(error < TOLERANCE for error in errors.values()), errors


def test_gradient_check_on_real_mnist_images():
    from common.mnist import load_mnist

    (x_train, t_train), _ = load_mnist(one_hot_label=True)
    seed(0)
    net = TwoLayerNet(784, 50, 10, dtype=np.float64)
    errors = gradient_check(net, x_train[:3].astype(np.float64), t_train[:3], measure="max_relative")
    assert all(error < TOLERANCE for error in errors.values()), errors


def test_predict_loss_accuracy_shapes_and_float32():
    seed(0)
    net = TwoLayerNet(784, 50, 10)
    x = np.random.default_rng(0).random((3, 784), dtype=np.float32)
    scores = net.predict(x)
    assert scores.shape == (3, 10) and scores.dtype == np.float32
    loss = net.loss(x, np.array([1, 2, 3]))
    assert loss.dtype == np.float32
    expected = -np.mean(np.log(softmax(scores.astype(np.float64))[[0, 1, 2], [1, 2, 3]]))
    assert loss == pytest.approx(expected, rel=1e-5)
    assert net.accuracy(x, np.array([1, 2, 3])) == net.accuracy(x, np.eye(10)[[1, 2, 3]])
    assert all(p.dtype == np.float32 for p in net.params.values())
    assert list(net.layers) == ["Affine1", "Relu1", "Affine2"]
    grads = net.gradient(x, np.array([1, 2, 3]))
    assert all(grads[k].dtype == np.float32 and grads[k].shape == net.params[k].shape for k in grads)


def test_accuracy_in_chunks_equals_accuracy_at_once():
    seed(1)
    net = TwoLayerNet(20, 8, 3, weight_init_std=1.0)
    x = np.random.default_rng(1).normal(size=(1000, 20)).astype(np.float32)
    t = np.random.default_rng(2).integers(0, 3, size=1000)
    at_once = np.mean(net.predict(x).argmax(axis=1) == t)
    assert net.accuracy(x, t, batch_size=64) == pytest.approx(at_once)
    assert net.accuracy(x, t) == pytest.approx(at_once)


def test_updating_params_in_place_updates_the_layers():
    net, x, t = small_problem(4, False, "relu")
    before = net.loss(x, t)
    grads = net.gradient(x, t)
    for key in net.params:
        net.params[key] -= 0.1 * grads[key]
    assert net.loss(x, t) < before


def test_numerical_gradient_leaves_parameters_unchanged():
    net, x, t = small_problem(3, False, "sigmoid")
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
    with pytest.raises(ValueError, match="hidden_size must be a whole number >= 1"):
        TwoLayerNet(784, 0, 10)
    with pytest.raises(ValueError, match="activation must be one of"):
        TwoLayerNet(784, 50, 10, activation="tanh")
