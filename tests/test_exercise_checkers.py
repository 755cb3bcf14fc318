"""The exercise checkers must accept right answers and reject wrong ones, with a useful message."""

import numpy as np

from common.exercises.perceptron import check_grid_search, check_nor, check_xnor
from common.perceptron import AND, NAND, OR, XOR


def test_nor_checker(capsys):
    assert check_nor(-0.5, -0.5, 0.2)
    assert not check_nor(0.5, 0.5, -0.2)  # that is OR
    assert "for input (0, 0) your perceptron gives 0, NOR should give 1" in capsys.readouterr().out


def test_grid_search_checker():
    def loops(table, grid):
        count = 0
        for w1 in grid:
            for w2 in grid:
                for b in grid:
                    outputs = [int(w1 * a + w2 * c + b > 0) for a, c in [(0, 0), (1, 0), (0, 1), (1, 1)]]
                    count += outputs == list(table)
        return count

    assert check_grid_search(loops)
    assert not check_grid_search(lambda table, grid: 0)  # right for XOR only
    assert loops(np.array([0, 1, 1, 0]), np.linspace(-1, 1, 21)) == 0


def test_xnor_checker():
    assert check_xnor(lambda a, b: NAND(OR(a, b), NAND(a, b)))
    assert not check_xnor(XOR)
    assert not check_xnor(AND)


# ---------------------------------------------------------------------------------------------
# Review findings 12 and 13: no checker raises, whatever it is given
# ---------------------------------------------------------------------------------------------

import importlib
import inspect
import pkgutil
import warnings

import pytest

import common.exercises as exercise_package

CHECKER_MODULES = [name for _, name, _ in pkgutil.iter_modules(exercise_package.__path__)]
CHECKERS = [(f"{module}.{name}", function)
            for module in CHECKER_MODULES
            for name, function in inspect.getmembers(importlib.import_module(f"common.exercises.{module}"),
                                                     inspect.isfunction)
            if name.startswith("check_") and function.__module__ == f"common.exercises.{module}"]


class Misspelt:
    """A layer or optimizer with every method name slightly wrong."""

    def __init__(self, *args, **kwargs):
        pass

    def foward(self, x, *args):
        return x

    def backword(self, dout):
        return dout

    def updte(self, params, grads):
        pass


class ExplodingInit:
    def __init__(self, *args, **kwargs):
        raise RuntimeError("boom in __init__")


def endless_generator(*args, **kwargs):
    yield from iter(int, 1)


GARBAGE = {
    "zero": 0,
    "negative": -1,
    "bool": True,
    "text": "text",
    "list": [1, 2],
    "dict": {},
    "huge int": 10 ** 400,
    "nan": float("nan"),
    "inf": np.inf,
    "matrix": np.zeros((2, 2)),
    "object": object(),
    "returns None": lambda *a, **k: None,
    "raises": lambda *a, **k: 1 / 0,
    "returns text": lambda *a, **k: "x",
    "returns nan array": lambda *a, **k: np.array([np.nan]),
    "returns huge int": lambda *a, **k: 10 ** 400,
    "returns object": lambda *a, **k: object(),
    "returns generator": endless_generator,
    "misspelt methods": Misspelt,
    "factory of misspelt": lambda *a, **k: Misspelt(),
    "constructor raises": ExplodingInit,
}


def test_every_checker_module_is_in_the_grid():
    assert len(CHECKERS) >= 30, [name for name, _ in CHECKERS]


@pytest.mark.parametrize("name, check", CHECKERS, ids=[name for name, _ in CHECKERS])
def test_unanswered_is_a_reminder_not_a_verdict(name, check, capsys):
    """An answer still left as None (the notebooks' starting point) gets a reminder, not a "Not yet."."""
    exercise_package.results.clear()
    assert check(*[None] * len(inspect.signature(check).parameters)) is False
    assert exercise_package.results == []
    out = capsys.readouterr().out
    assert "replace None with your answer" in out and "Not yet." not in out, out


@pytest.mark.parametrize("name, check", CHECKERS, ids=[name for name, _ in CHECKERS])
def test_checker_never_raises_on_garbage(name, check, capsys):
    n_args = len(inspect.signature(check).parameters)
    for label, value in GARBAGE.items():
        exercise_package.results.clear()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a learner's overflow warnings are not the checker's verdict
            verdict = check(*[value] * n_args)
        assert verdict is False, (label, verdict)
        out = capsys.readouterr().out
        assert "Not yet." in out, (label, out)
        assert exercise_package.results and not any(ok for _, ok in exercise_package.results), label


def test_guard_names_a_misspelt_method(capsys):
    from common.exercises.backprop import check_affine_backward, check_tanh_layer
    from common.exercises.optimizer import check_momentum

    assert not check_tanh_layer(Misspelt)
    assert "no method forward (it has 'foward': a typo?)" in capsys.readouterr().out
    assert not check_affine_backward(lambda W, b: None)
    assert "gave NoneType None, which has no method forward" in capsys.readouterr().out
    assert not check_momentum(Misspelt)
    assert "update (it has 'updte': a typo?)" in capsys.readouterr().out


def test_review_reproductions(capsys):
    from common.exercises.loss import check_sse_cee
    from common.exercises.xor import check_iterations_to_threshold

    assert check_xnor(lambda a, b: None) is False  # used to raise TypeError from int(None)
    assert "returned None" in capsys.readouterr().out
    assert check_grid_search(lambda table, grid: np.array([1, 2])) is False
    assert check_nor("a", "b", "c") is False
    assert "numbers" in capsys.readouterr().out
    assert check_iterations_to_threshold(lambda history, threshold: "soon") is False  # E090
    assert check_sse_cee(10 ** 400, 1.0) is False  # E151, OverflowError
    assert "single number" in capsys.readouterr().out


# ---------------------------------------------------------------------------------------------
# D-M6 of the notebooks review: XNOR must be built from the gates
# ---------------------------------------------------------------------------------------------

def test_xnor_without_gates_is_rejected(capsys):
    assert not check_xnor(lambda a, b: int(a == b))
    out = capsys.readouterr().out
    assert "never calls the gates" in out and "Correct" not in out
    assert not check_xnor(lambda a, b: 1 - abs(a - b))


def test_xnor_from_gates_passes_however_they_are_reached(capsys):
    import common.perceptron as gates

    def local_import(x1, x2):
        from common.perceptron import NAND as nand_gate, OR as or_gate
        return nand_gate(nand_gate(x1, x2), or_gate(x1, x2))

    def make_closure():
        AND, OR = gates.AND, gates.OR

        def with_closure(x1, x2):
            return OR(AND(x1, x2), 1 - OR(x1, x2))
        return with_closure

    namespace = {}
    exec("from common.perceptron import AND, NAND, OR\n"
         "def helper(a, b):\n    return AND(NAND(a, b), OR(a, b))\n"
         "def xnor(a, b):\n    return 1 - helper(a, b)\n", namespace)

    for answer in (local_import, make_closure(), namespace["xnor"]):
        assert check_xnor(answer), capsys.readouterr().out
    # and the gates are put back afterwards
    assert gates.NAND(1, 1) == 0 and namespace["AND"] is gates.AND and namespace["NAND"] is gates.NAND


# ---------------------------------------------------------------------------------------------
# Found by tests/tools/reliability_rerun.py: verdicts that named the wrong thing, SystemExit, random streams
# ---------------------------------------------------------------------------------------------

def _checker(name):
    return dict((n.split(".")[1], f) for n, f in CHECKERS)[name]


@pytest.mark.parametrize("name", ["check_softmax", "check_batchnorm_forward", "check_dropout", "check_log_uniform",
                                  "check_conv_im2col", "check_max_pool"])
def test_a_forgotten_return_is_named_not_called_shape_nothing(name, capsys):
    """The result None used to become np.asarray(None, dtype=float), reported as "got shape ()"."""
    check = _checker(name)
    assert check(*[lambda *a, **k: None] * len(inspect.signature(check).parameters)) is False
    out = capsys.readouterr().out
    assert "None. Did you forget `return`?" in out and "shape ()" not in out, out


@pytest.mark.parametrize("name", ["check_numerical_gradient_2d", "check_predict_digits", "check_softmax",
                                  "check_max_pool"])
@pytest.mark.parametrize("result, shown", [("x", "str 'x'"), ((i for i in range(3)), "generator")])
def test_a_result_that_is_not_numbers_is_named(name, result, shown, capsys):
    check = _checker(name)
    assert check(lambda *a, **k: result) is False
    out = capsys.readouterr().out
    assert "should return a NumPy array of numbers, got " + shown in out, out


def test_sys_exit_in_the_learners_code_becomes_a_verdict(capsys):
    def quits(table, grid):
        raise SystemExit(1)

    assert check_grid_search(quits) is False
    assert "your code raised SystemExit: 1" in capsys.readouterr().out


def test_checking_a_model_leaves_every_random_stream_of_the_notebook_alone(capsys):
    """common.rng.seed also seeds np.random and random; the checker used to restore common.rng only."""
    import random

    from common.exercises.model_api import check_regression_model
    from common.rng import rng
    from common.sequential import Activation, Dense, Sequential

    def build():
        model = Sequential([Dense(16, input_shape=(1,)), Activation("tanh"), Dense(1)])
        model.compile(loss="mean_squared_error", optimizer="adam", lr=0.01)
        return model

    np.random.seed(123)
    random.seed(123)
    before = rng().bit_generator.state, np.random.get_state()[1].copy(), random.getstate()
    check_regression_model(build)
    assert rng().bit_generator.state == before[0]
    np.testing.assert_array_equal(np.random.get_state()[1], before[1])
    assert random.getstate() == before[2]
