"""Every optimizer reduces a quadratic and takes the first step worked out by hand."""

import math

import numpy as np
import pytest

from common.optimizer import OPTIMIZERS, SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop, make_optimizer


def bowl_gradient(p):
    """Gradient of f(x, y) = x^2 / 20 + y^2, the book's anisotropic bowl."""
    x, y = p
    return np.array([x / 10.0, 2.0 * y])


@pytest.mark.parametrize("name, lr", [("sgd", 0.95), ("momentum", 0.1), ("nesterov", 0.1), ("adagrad", 1.5),
                                      ("rmsprop", 0.1), ("adam", 0.3)])
def test_reduces_the_bowl(name, lr):
    params = {"p": np.array([-7.0, 2.0])}
    optimizer = make_optimizer(name, lr=lr)
    f = lambda p: p[0] ** 2 / 20 + p[1] ** 2
    start = f(params["p"])
    for _ in range(100):
        optimizer.update(params, {"p": bowl_gradient(params["p"])})
    assert f(params["p"]) < 0.05 * start


G = np.array([0.5, -2.0])
P0 = np.array([1.0, 1.0])


@pytest.mark.parametrize("optimizer, expected", [
    (SGD(lr=0.1), P0 - 0.1 * G),
    (Momentum(lr=0.1, momentum=0.9), P0 - 0.1 * G),                   # v = -lr g
    (Nesterov(lr=0.1, momentum=0.9), P0 + 0.9 * (-0.1 * G) - 0.1 * G),
    (AdaGrad(lr=0.1), P0 - 0.1 * G / (np.abs(G) + 1e-7)),             # h = g^2
    (RMSprop(lr=0.1, decay_rate=0.99), P0 - 0.1 * G / (np.sqrt(0.01) * np.abs(G) + 1e-7)),
    # m = 0.1 g, v = 0.001 g^2, lr_t = lr sqrt(0.001) / 0.1: a step of lr * g / (|g| + 1e-7 / sqrt(0.001))
    (Adam(lr=0.1), P0 - 0.1 * G / (np.abs(G) + 1e-7 / np.sqrt(0.001))),
])
def test_first_step_by_hand(optimizer, expected):
    params = {"W": P0.copy()}
    optimizer.update(params, {"W": G.copy()})
    np.testing.assert_allclose(params["W"], expected, rtol=1e-6)


def test_second_momentum_step_by_hand():
    params, opt = {"W": P0.copy()}, Momentum(lr=0.1, momentum=0.9)
    opt.update(params, {"W": G})
    opt.update(params, {"W": G})
    v2 = 0.9 * (-0.1 * G) - 0.1 * G
    np.testing.assert_allclose(params["W"], P0 - 0.1 * G + v2)


def test_updates_in_place_and_keeps_float32():
    W = np.ones((3, 2), np.float32)
    params = {"W": W}
    for cls in OPTIMIZERS.values():
        cls().update(params, {"W": np.full((3, 2), 0.5, np.float32)})
    assert params["W"] is W and W.dtype == np.float32


def test_clear_errors():
    with pytest.raises(ValueError, match=r"SGD: lr \(the learning rate\) must be a finite number > 0, got 0"):
        SGD(lr=0)
    with pytest.raises(ValueError, match="no gradient for parameter 'b'"):
        SGD().update({"W": np.ones(2), "b": np.ones(2)}, {"W": np.ones(2)})
    with pytest.raises(ValueError, match=r"gradient of 'W' has shape \(3,\), the parameter has shape \(2,\)"):
        SGD().update({"W": np.ones(2)}, {"W": np.ones(3)})
    with pytest.raises(ValueError, match="unknown optimizer 'adamw'"):
        make_optimizer("adamw")
    assert isinstance(make_optimizer("AdaGrad", lr=0.5), AdaGrad) and make_optimizer("ADAM").lr == 0.001
    opt = Adam()
    assert make_optimizer(opt) is opt
    assert math.isclose(make_optimizer("sgd").lr, 0.01)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_adam_in_place_step_equals_the_formula_bit_for_bit(dtype):
    """Adam writes into reused work arrays for speed; the numbers must be exactly the formula's."""
    generator = np.random.default_rng(3)
    shapes = {"W1": (7, 5), "b1": (5,), "W2": (5, 5), "b2": (5,)}  # two keys of one shape share work arrays
    params = {key: generator.standard_normal(shape).astype(dtype) for key, shape in shapes.items()}
    expected = {key: value.copy() for key, value in params.items()}
    m = {key: np.zeros_like(value) for key, value in params.items()}
    v = {key: np.zeros_like(value) for key, value in params.items()}
    opt = Adam(lr=0.01)
    for t in range(1, 21):
        grads = {key: generator.standard_normal(shape).astype(dtype) for key, shape in shapes.items()}
        opt.update(params, grads)
        lr_t = 0.01 * math.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        for key, g in grads.items():  # the formula as written in the module docstring
            m[key] = m[key] + (1 - 0.9) * (g - m[key])
            v[key] = v[key] + (1 - 0.999) * (g * g - v[key])
            expected[key] = expected[key] - m[key] * lr_t / (np.sqrt(v[key]) + 1e-7)
    for key in params:
        assert params[key].dtype == dtype
        np.testing.assert_array_equal(params[key], expected[key])


def test_plain_number_parameters_are_updated_in_the_dict():
    """The book's optimizer_compare_naive keeps params['x'] = -7.0, a Python float."""
    for cls in OPTIMIZERS.values():
        params = {"x": -7.0, "y": 2.0}
        optimizer = cls(lr=0.1)
        for _ in range(3):
            optimizer.update(params, {"x": params["x"] / 10.0, "y": 2.0 * params["y"]})
        assert isinstance(params["x"], float) and isinstance(params["y"], float)
        assert abs(params["x"]) < 7.0 and abs(params["y"]) < 2.0, cls.__name__


@pytest.mark.parametrize("make, message", [
    (lambda: SGD(lr=float("inf")), "lr .*finite number > 0, got inf"),
    (lambda: SGD(lr=float("nan")), "finite number > 0"),
    (lambda: Momentum(momentum=1.5), r"momentum must be a number in \[0, 1\), got 1.5"),
    (lambda: Momentum(momentum=-0.1), r"momentum must be a number in \[0, 1\)"),
    (lambda: Adam(beta1=1), r"beta1 must be a number in \[0, 1\), got 1"),
    (lambda: Adam(beta2=1.2), r"beta2 must be a number in \[0, 1\)"),
    (lambda: RMSprop(decay_rate=1.5), r"decay_rate must be a number in \[0, 1\)"),
    (lambda: AdaGrad(eps=0), "eps must be a finite number > 0"),
    (lambda: make_optimizer("adam", learnig_rate=0.1), r"Adam takes the settings \['lr', 'beta1'"),
])
def test_hyperparameters_are_validated(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_numpy_integers_and_keras_learning_rate_are_accepted():
    assert SGD(lr=np.int64(1)).lr == 1
    assert make_optimizer("sgd", learning_rate=0.5).lr == 0.5


def test_star_import_gives_numpy_as_the_books_module_does():
    namespace = {}
    exec("from common.optimizer import *", namespace)
    assert namespace["np"] is np and "Adam" in namespace


def test_integer_parameters_and_grads_that_are_no_dict_are_explained():
    """Reliability rerun O11, O12: NumPy's casting error, and 'truth value of an array is ambiguous'."""
    with pytest.raises(ValueError, match=r"parameter 'W' holds int64 numbers.*astype\(np.float32\)"):
        SGD().update({"W": np.ones((2, 2), np.int64)}, {"W": np.ones((2, 2))})
    with pytest.raises(TypeError, match="takes two dicts .* got grads of type list"):
        SGD().update({"W": np.ones(2)}, [np.ones(2)])
    with pytest.raises(TypeError, match="got params of type ndarray"):
        Adam().update(np.ones(2), {"W": np.ones(2)})
