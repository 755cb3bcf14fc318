"""The checkers of notebook 06a accept right answers and reject wrong ones, with a useful message."""

import numpy as np
import pytest

from common.exercises.optimizer import (check_init_scale, check_momentum, check_sgd_learning_rate,
                                        sgd_steps_to_target)
from common.optimizer import Momentum


class RightMomentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr, self.momentum, self.v = lr, momentum, {}

    def update(self, params, grads):
        for key in params:
            if key not in self.v:
                self.v[key] = np.zeros_like(params[key])
            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
            params[key] += self.v[key]


class ForgetsVelocity(RightMomentum):
    def update(self, params, grads):
        for key in params:
            v = self.momentum * np.zeros_like(params[key]) - self.lr * grads[key]
            params[key] += v


class NewArrays(RightMomentum):
    def update(self, params, grads):
        for key in params:
            self.v[key] = self.momentum * self.v.get(key, 0) - self.lr * grads[key]
            params[key] = params[key] + self.v[key]


class OneVelocityForAll(RightMomentum):
    def update(self, params, grads):
        for key in params:
            self.v = self.momentum * (self.v if isinstance(self.v, np.ndarray) else 0) - self.lr * grads[key]
            params[key] += self.v


class Uphill(RightMomentum):
    def update(self, params, grads):
        for key in params:
            self.v[key] = self.momentum * self.v.get(key, 0) + self.lr * grads[key]
            params[key] += self.v[key]


class ChangesGrads(RightMomentum):
    def update(self, params, grads):
        for key in params:
            grads[key] *= self.lr
            self.v[key] = self.momentum * self.v.get(key, 0) - grads[key]
            params[key] += self.v[key]


class WrongDefaults(RightMomentum):
    def __init__(self, lr=0.1, momentum=0.5):
        super().__init__(lr, momentum)


class NoArguments:
    def __init__(self):
        pass




def test_momentum_checker_accepts_a_right_class_and_common(capsys):
    assert check_momentum(RightMomentum)
    assert check_momentum(Momentum)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, message", [
    (ForgetsVelocity, "that is a plain SGD step: the velocity was forgotten"),
    (NewArrays, "is a new array"),
    (OneVelocityForAll, "Keep one velocity per parameter"),
    (Uphill, "it moved uphill"),
    (ChangesGrads, "changed the gradients"),
    (WrongDefaults, "the defaults should be lr=0.01, momentum=0.9"),
    (NoArguments, "Write def __init__(self, lr=0.01, momentum=0.9)"),
])
def test_momentum_checker_rejects_common_mistakes(wrong, message, capsys):
    assert not check_momentum(wrong)
    out = capsys.readouterr().out
    assert out.startswith("Not yet.") and message in out


def right_scale(name, n_in):
    return np.sqrt((1.0 if name == "xavier" else 2.0) / n_in)


def test_init_scale_checker_accepts_the_right_scales(capsys):
    assert check_init_scale(right_scale)
    out = capsys.readouterr().out
    assert "Xavier 0.0357, He 0.0505" in out


@pytest.mark.parametrize("wrong, message", [
    (lambda name, n: right_scale(name, n) ** 2, "that is the variance"),
    (lambda name, n: right_scale("he" if name == "xavier" else "xavier", n), "Xavier uses 1 / n, He uses 2 / n"),
    (lambda name, n: 1 / right_scale(name, n), "that is upside down"),
    (lambda name, n: 0.01, "Xavier is sqrt(1 / n_in), He is sqrt(2 / n_in)"),
    (lambda name, n: None, "Did you forget `return`?"),
    (lambda name, n: {"xavier": 1}[name] / n, "raised KeyError"),
])
def test_init_scale_checker_rejects_wrong_scales(wrong, message, capsys):
    assert not check_init_scale(wrong)
    assert message in capsys.readouterr().out


def test_sgd_steps_match_a_direct_computation():
    # SGD on x**2/20 + y**2 multiplies x by (1 - lr/10) and y by (1 - 2 lr) at every step.
    lr = 0.5
    k = np.arange(1, 101)
    f = (-7 * (1 - lr / 10) ** k) ** 2 / 20 + (2 * (1 - 2 * lr) ** k) ** 2
    assert sgd_steps_to_target(lr)[0] == int(k[np.argmax(f < 1e-3)])


def test_sgd_learning_rate_checker(capsys):
    assert check_sgd_learning_rate(0.92)
    assert "after 41 steps. That is the best" in capsys.readouterr().out
    assert check_sgd_learning_rate(0.5)
    assert "The fastest learning rates (0.91 to 0.94) need 41" in capsys.readouterr().out


@pytest.mark.parametrize("lr, message", [
    (0.1, "the flat x direction is still crawling"),
    (0.98, "keeps jumping from one side of the valley to the other"),
    (1.05, "blew up"),
    (-0.5, "should be a positive number"),
    ("0.9", "should be a positive number"),
])
def test_sgd_learning_rate_checker_rejects_and_explains(lr, message, capsys):
    assert not check_sgd_learning_rate(lr)
    assert message in capsys.readouterr().out
