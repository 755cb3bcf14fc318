"""Solvers take exactly the steps of common.optimizer on the same numbers, through .d and .g."""

import warnings

import numpy as np
import pytest

from common.graph import Variable, clear_parameters, get_parameter_or_create, get_parameters, mean, was_cleared
from common.optimizer import OPTIMIZERS, SGD, Adam, Momentum
from common.solvers import AdamSolver, MomentumSolver, OrphanedParametersWarning, SGDSolver, Solver


@pytest.fixture(autouse=True)
def fresh_parameters():
    clear_parameters()
    yield
    clear_parameters()


def two_parameters(seed=0, dtype=np.float64):
    generator = np.random.default_rng(seed)
    W = get_parameter_or_create("W", (3, 2), initializer=generator.standard_normal((3, 2)), dtype=dtype)
    b = get_parameter_or_create("b", (2,), initializer=generator.standard_normal(2), dtype=dtype)
    return {"W": W, "b": b}


def gradient_rounds(steps=6, seed=1):
    generator = np.random.default_rng(seed)
    return [{"W": generator.standard_normal((3, 2)), "b": generator.standard_normal(2)} for _ in range(steps)]


@pytest.mark.parametrize("solver, reference", [
    (SGDSolver(lr=0.1), SGD(lr=0.1)),
    (MomentumSolver(lr=0.05, momentum=0.8), Momentum(lr=0.05, momentum=0.8)),
    (MomentumSolver(), Momentum()),
    (AdamSolver(lr=0.02, beta1=0.8, beta2=0.99), Adam(lr=0.02, beta1=0.8, beta2=0.99)),
    (AdamSolver(), Adam()),
], ids=["sgd", "momentum", "momentum-defaults", "adam", "adam-defaults"])
def test_steps_equal_common_optimizer(solver, reference):
    params = two_parameters()
    arrays = {name: v.d for name, v in params.items()}
    expected = {name: v.d.copy() for name, v in params.items()}
    solver.set_parameters(get_parameters())
    for grads in gradient_rounds():
        solver.zero_grad()
        for name, v in params.items():
            v.g = grads[name]
        solver.update()
        reference.update(expected, grads)
        for name, v in params.items():
            np.testing.assert_array_equal(v.d, expected[name])  # the very same arithmetic
            np.testing.assert_array_equal(v.g, grads[name])     # update leaves .g alone
            assert v.d is arrays[name]                          # changed in place


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_solver_by_name_for_every_optimizer(name):
    params = two_parameters()
    expected = {key: v.d.copy() for key, v in params.items()}
    solver, reference = Solver(name, lr=0.03), OPTIMIZERS[name](lr=0.03)
    solver.set_parameters(params)
    for grads in gradient_rounds(4):
        for key, v in params.items():
            v.g = grads[key]
        solver.update()
        reference.update(expected, grads)
    for key, v in params.items():
        np.testing.assert_array_equal(v.d, expected[key])


def test_an_optimizer_object_is_used_as_it_is():
    adam = Adam(lr=0.5)
    solver = Solver(adam)
    assert solver.optimizer is adam and solver.learning_rate() == 0.5


def test_the_tutorial_step_equals_the_prediction_and_float32_is_kept():
    generator = np.random.default_rng(3)
    x, y_true = Variable((32, 1)), Variable((32, 1))
    a = get_parameter_or_create("a", (1, 1), initializer=0.52)
    b = get_parameter_or_create("b", (1, 1), initializer=0.33)
    loss = mean((y_true - (a * x + b)) ** 2)
    x.d = generator.standard_normal((32, 1))
    y_true.d = 0.3 * x.d + 1.5
    solver = SGDSolver(lr=0.01)
    solver.set_parameters(get_parameters())
    loss.forward()
    solver.zero_grad()
    loss.backward()
    predicted = a.d - 0.01 * a.g, b.d - 0.01 * b.g
    solver.update()
    np.testing.assert_array_equal(a.d, predicted[0])
    np.testing.assert_array_equal(b.d, predicted[1])
    assert a.d.dtype == np.float32


def test_zero_grad_and_accumulation():
    params = two_parameters()
    solver = SGDSolver(lr=0.1)
    solver.set_parameters(params)
    loss = mean(params["W"] * params["W"] * 0.5) + mean(params["b"] * 2.0)  # gradients W / 6 and 1
    loss.backward()
    loss.backward()  # no reset in between: twice the gradient
    np.testing.assert_allclose(params["W"].g, 2 * params["W"].d / 6)
    np.testing.assert_allclose(params["b"].g, 2.0)
    solver.zero_grad()
    for v in params.values():
        np.testing.assert_array_equal(v.g, 0)
    loss.backward()
    np.testing.assert_allclose(params["b"].g, 1.0)
    before = params["b"].d.copy()
    solver.update()
    np.testing.assert_allclose(params["b"].d, before - 0.1)


def test_weight_decay_adds_to_the_gradient():
    params = two_parameters()
    solver = SGDSolver(lr=0.1)
    solver.set_parameters(params)
    grads = gradient_rounds(1)[0]
    for name, v in params.items():
        v.g = grads[name]
    solver.weight_decay(0.01)
    for name, v in params.items():
        np.testing.assert_allclose(v.g, grads[name] + 0.01 * v.d)
    solver.weight_decay(0.01)  # like backward, it adds again
    for name, v in params.items():
        np.testing.assert_allclose(v.g, grads[name] + 0.02 * v.d)
    before = {name: v.d.copy() for name, v in params.items()}
    solver.update()
    for name, v in params.items():
        np.testing.assert_allclose(v.d, before[name] - 0.1 * (grads[name] + 0.02 * before[name]))
    g = params["W"].g.copy()
    solver.weight_decay(0)
    np.testing.assert_array_equal(params["W"].g, g)


def test_weight_decay_leads_to_the_ridge_solution():
    """Full-batch SGD with weight decay wd on mean((y - (a x + b))**2) ends at the minimum of that loss
    plus (wd / 2)(a**2 + b**2): the ridge regression solution, found in closed form."""
    generator = np.random.default_rng(5)
    X = generator.standard_normal(200)
    Y = 0.3 * X + 1.5 + 0.01 * generator.standard_normal(200)
    x, y_true = Variable.from_array(X.reshape(-1, 1)), Variable.from_array(Y.reshape(-1, 1))
    a = get_parameter_or_create("a", (1, 1), dtype=np.float64)
    b = get_parameter_or_create("b", (1, 1), dtype=np.float64)
    loss = mean((y_true - (a * x + b)) ** 2)
    solver, wd = SGDSolver(lr=0.1), 0.5
    solver.set_parameters(get_parameters())
    for _ in range(500):
        loss.forward()
        solver.zero_grad()
        loss.backward()
        solver.weight_decay(wd)
        solver.update()
    # gradient = 0:  2 (mean(x^2) a + mean(x) b - mean(xy)) + wd a = 0,  2 (mean(x) a + b - mean(y)) + wd b = 0
    M = np.array([[2 * np.mean(X * X) + wd, 2 * np.mean(X)], [2 * np.mean(X), 2 + wd]])
    ridge = np.linalg.solve(M, [2 * np.mean(X * Y), 2 * np.mean(Y)])
    np.testing.assert_allclose([a.d.item(), b.d.item()], ridge, rtol=1e-9)
    assert b.d.item() < 1.3  # pulled towards 0, well below the true 1.5


@pytest.mark.parametrize("solver", [SGDSolver(lr=0.1), MomentumSolver(lr=0.1), AdamSolver(lr=0.1)],
                         ids=["sgd", "momentum", "adam"])
def test_learning_rate_setter(solver):
    params = two_parameters()
    expected = {name: v.d.copy() for name, v in params.items()}
    reference = type(solver.optimizer)(lr=0.1)
    solver.set_parameters(params)
    for step, grads in enumerate(gradient_rounds(4)):
        if step == 2:
            solver.set_learning_rate(0.025)
            reference.lr = 0.025
        for name, v in params.items():
            v.g = grads[name]
        solver.update()
        reference.update(expected, grads)
    assert solver.learning_rate() == 0.025 and solver.optimizer.lr == 0.025
    for name, v in params.items():
        np.testing.assert_array_equal(v.d, expected[name])


def test_set_parameters_adds_and_replaces_by_name():
    params = two_parameters()
    solver = SGDSolver()
    solver.set_parameters({"W": params["W"]})
    solver.set_parameters({"b": params["b"]})
    assert list(solver.get_parameters()) == ["W", "b"]
    other = Variable((2,), need_grad=True)
    solver.set_parameters({"b": other})
    assert solver.get_parameters()["b"] is other
    assert repr(solver) == "SGDSolver(SGD, lr=0.01, parameters: W, b)"
    assert repr(AdamSolver()) == "AdamSolver(Adam, lr=0.001, parameters: none yet)"


def test_clear_errors():
    solver = SGDSolver()
    for method in ("update", "zero_grad"):
        with pytest.raises(ValueError, match=rf"SGDSolver.{method}\(\): no parameters registered yet; call "
                                             r"set_parameters\(get_parameters\(\)\) first"):
            getattr(solver, method)()
    with pytest.raises(ValueError, match="no parameters"):
        solver.weight_decay(0.1)
    with pytest.raises(TypeError, match=r"set_parameters expects a dict \{name: Variable\}"):
        solver.set_parameters([Variable(1)])
    with pytest.raises(TypeError, match="'a' should be a Variable, got ndarray"):
        solver.set_parameters({"a": np.zeros(2)})
    a = get_parameter_or_create("a", (1,))
    with pytest.raises(ValueError, match=r"'y' is computed by mul\(\), not a parameter"):
        solver.set_parameters({"y": a * 2.0})
    with pytest.raises(ValueError, match="learning rate must be a finite positive number, got 0"):
        solver.set_learning_rate(0)
    with pytest.raises(ValueError, match="learning rate must be a finite positive number"):
        solver.set_learning_rate(True)
    with pytest.raises(ValueError, match="learning rate.*, got -1"):  # the optimizer's own wording
        SGDSolver(lr=-1)
    for bad in (np.inf, np.nan):  # G21 of the reliability review: inf passed the lr > 0 check
        with pytest.raises(ValueError, match="learning rate must be a finite positive number"):
            solver.set_learning_rate(bad)
    with pytest.raises(ValueError, match="unknown optimizer 'lbfgs'"):
        Solver("lbfgs")
    solver.set_parameters({"a": a})
    with pytest.raises(ValueError, match="decay rate must be a number >= 0"):
        solver.weight_decay(-0.1)


# --- finding 3 of the reliability review: a model cell run again --------------------------------

def build_model_cell(x, y_true):
    """What notebook 08's model cell does: start afresh, create a and b, build the loss."""
    clear_parameters()
    a = get_parameter_or_create("a", (1, 1), initializer=0.0, dtype=np.float64)
    b = get_parameter_or_create("b", (1, 1), initializer=0.0, dtype=np.float64)
    return mean((y_true - (a * x + b)) ** 2)


def train_steps(solver, loss, steps=50):
    for _ in range(steps):
        loss.forward()
        solver.zero_grad()
        loss.backward()
        solver.update()
    loss.forward()
    return loss.d.item()


def test_solver_warns_when_the_model_cell_ran_again():
    generator = np.random.default_rng(3)
    x = Variable.from_array(generator.standard_normal((32, 1)))
    y_true = Variable.from_array(2.0 * x.d + 1.0)
    loss = build_model_cell(x, y_true)
    solver = SGDSolver(lr=0.1)
    solver.set_parameters(get_parameters())
    loss = build_model_cell(x, y_true)  # the learner re-runs the model cell, not the solver cell
    loss.forward()
    start = loss.d.item()

    with pytest.warns(OrphanedParametersWarning, match=r"'a', 'b'.*set_parameters\(get_parameters\(\)\)"):
        after = train_steps(solver, loss)
    assert after == start  # the review's silent symptom, now announced

    with warnings.catch_warnings():  # once per name, not once per step
        warnings.simplefilter("error")
        train_steps(solver, loss, steps=2)

    solver.set_parameters(get_parameters())  # the fix the warning names
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert train_steps(solver, loss) < 0.01 * start


def test_no_warning_for_own_variables_or_a_rebuilt_solver():
    a = Variable.from_array(np.ones((1, 1)), need_grad=True, name="a")  # not from the registry
    solver = SGDSolver(lr=0.1)
    solver.set_parameters({"a": a})
    clear_parameters()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        solver.zero_grad()
        solver.update()
    assert not was_cleared(a)
    W = two_parameters()["W"]
    clear_parameters()
    assert was_cleared(W) and "W" not in get_parameters()
