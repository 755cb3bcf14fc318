"""The checkers of notebook 07 accept right answers and reject wrong ones, with a useful message."""

import numpy as np
import pytest

import math

from common.exercises.xor import (check_beta_equivalence, check_iterations_to_threshold, check_paired_p_value,
                                  check_plateau_loss, reference_plateau_loss, set_partitions)
from common.run_statistics import first_iteration_below

T = np.array([0.0, 1.0, 1.0, 0.0])




# ----- (a) plateau loss -----------------------------------------------------------------------

def test_there_are_15_groupings_and_the_reference_gives_the_plateaus():
    partitions = set_partitions(range(4))
    assert len(partitions) == 15
    assert len({tuple(sorted(tuple(sorted(g)) for g in p)) for p in partitions}) == 15
    assert all(sorted(i for g in p for i in g) == [0, 1, 2, 3] for p in partitions)
    assert reference_plateau_loss([[0], [1, 2, 3]]) == pytest.approx(1 / 3)
    assert reference_plateau_loss([[0], [1], [2, 3]]) == pytest.approx(0.25)
    assert reference_plateau_loss([[0, 1, 2, 3]]) == pytest.approx(0.5)
    assert reference_plateau_loss([[0, 3], [1, 2]]) == 0


def right_plateau_loss(groups):
    total = 0.0
    for group in groups:
        targets = T[group]
        total += 0.5 * np.sum((targets - targets.mean()) ** 2)
    return total


def test_plateau_accepts_a_right_function(capsys):
    assert check_plateau_loss(right_plateau_loss)
    out = capsys.readouterr().out
    assert "Correct!" in out and "0.2500" in out and "0.3333" in out and "0.5000" in out


@pytest.mark.parametrize("wrong, message", [
    (lambda groups: 2 * right_plateau_loss(groups), "factor 1/2"),
    (lambda groups: right_plateau_loss(groups) / 4, "do not average"),
    (lambda groups: sum(0.5 * np.sum((T[g] - 0.5) ** 2) for g in groups if len(g) > 1), "mean of its targets"),
    (lambda groups: len(groups) / 10, "one output, the mean"),
    (lambda groups: "0.25", "expected"),
    (lambda groups: [1, 2], "should return a number"),
    (lambda groups: groups.shape, "raised AttributeError"),
    (42, "should be a function"),
])
def test_plateau_rejects_wrong_functions(wrong, message, capsys):
    assert not check_plateau_loss(wrong)
    out = capsys.readouterr().out
    assert "Not yet." in out and message in out


# ----- (b) beta as a rescaling ------------------------------------------------------------------

def test_beta_equivalence_accepts_the_right_numbers(capsys):
    assert check_beta_equivalence(5, 0.5)
    assert check_beta_equivalence("5", 25 * 0.02)  # numbers as text are fine
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize("scale, lr, message", [
    (5, 0.1, "β enters twice"),
    (5, 0.02, "steps are too small"),
    (5, 2.0, "write what that does"),
    (1, 0.5, "multiplied by β = 5"),
    (0.2, 0.5, "multiply by β, do not divide"),
    ("five", 0.5, "give two numbers"),
])
def test_beta_equivalence_rejects_wrong_numbers(scale, lr, message, capsys):
    assert not check_beta_equivalence(scale, lr)
    out = capsys.readouterr().out
    assert "Not yet." in out and message in out


# ----- (c) iterations to threshold -------------------------------------------------------------

def right_iterations(history, threshold):
    below = history <= threshold
    return np.where(below.any(axis=1), np.argmax(below, axis=1), np.inf)


def test_iterations_accepts_right_functions(capsys):
    assert check_iterations_to_threshold(right_iterations)
    assert check_iterations_to_threshold(lambda h, thr: first_iteration_below(h, thr))
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, message", [
    (lambda h, thr: np.argmax(h <= thr, axis=1), "np.argmax of a row that is all False"),
    (lambda h, thr: right_iterations(h, thr) + 1, "already the iteration"),
    (lambda h, thr: right_iterations(np.where(h == thr, 1.0, h), thr), "exactly at the threshold counts"),
    (lambda h, thr: np.where((h <= thr).any(axis=1), h.shape[1] - 1 - np.argmax((h <= thr)[:, ::-1], axis=1), np.inf),
     "FIRST column"),
    (lambda h, thr: right_iterations(h, thr)[:1], "one number per run"),
    (lambda h, thr: None, "one number per run"),
    (lambda h, thr: h.nonexistent, "raised AttributeError"),
    ("not a function", "should be a function"),
])
def test_iterations_rejects_wrong_functions(wrong, message, capsys):
    assert not check_iterations_to_threshold(wrong)
    out = capsys.readouterr().out
    assert "Not yet." in out and message in out



# ----- (d) paired p-value -----------------------------------------------------------------------

def right_p_value(a, b):
    n = a + b
    tail = sum(math.comb(n, i) for i in range(min(a, b) + 1)) / 2 ** n
    return min(1.0, 2 * tail)


def test_paired_p_value_accepts_a_right_function(capsys):
    assert check_paired_p_value(right_p_value)
    out = capsys.readouterr().out
    assert "Correct!" in out and "0.3750" in out


def _tail(a, b, upto):
    n = a + b
    return sum(math.comb(n, i) for i in range(upto)) / 2 ** n if n else 0.0


@pytest.mark.parametrize("wrong, message", [
    (lambda a, b: right_p_value(a, b) / 2, "one tail only"),
    (lambda a, b: 2 * _tail(a, b, min(a, b) + 1) if a + b else 1.0, "cannot exceed 1"),
    (lambda a, b: 2 * _tail(a, b, min(a, b)) if a + b else 1.0, "includes the split you saw"),
    (lambda a, b: right_p_value(a, b) if a + b else 0.0, "no start differs"),
    (lambda a, b: abs(a - b) / 200, "only the starts that differ count"),
    (lambda a, b: "small", "should return a number"),
    (lambda a, b: right_p_value(a, b) if a + b else 1 / (a + b), "raised ZeroDivisionError"),
    (None, "replace None"),
    (0.05, "should be a function"),
])
def test_paired_p_value_rejects_wrong_functions(wrong, message, capsys):
    assert not check_paired_p_value(wrong)
    out = capsys.readouterr().out
    assert message in out
