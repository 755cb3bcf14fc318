"""The checkers of notebook 03 accept right answers and reject wrong ones with a useful message."""

import numpy as np
import pytest

from common.exercises.loss import check_cross_entropy_labels, check_loss_numbers, check_sse_cee
from common.functions import cross_entropy_error


def batched_labels(y, t):
    n = y.shape[0]
    return -np.sum(np.log(y[np.arange(n), t] + 1e-7)) / n




def test_cross_entropy_checker_accepts_right_answers(capsys):
    assert check_cross_entropy_labels(batched_labels)
    assert check_cross_entropy_labels(cross_entropy_error)  # common's own, which also takes labels
    assert "agrees with common.functions.cross_entropy_error" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, message", [
    (lambda y, t: -np.sum(np.log(y[np.arange(len(t)), t] + 1e-7)),
     "divide by the batch size N = 3"),
    (lambda y, t: np.sum(np.log(y[np.arange(len(t)), t] + 1e-7)) / len(t),
     "The sign is flipped"),
    (lambda y, t: -np.sum(np.log10(y[np.arange(len(t)), t] + 1e-7)) / len(t),
     "np.log (the natural log), not np.log10"),
    (lambda y, t: -np.sum(np.log(y[:, t] + 1e-7)) / len(t),
     "y[np.arange(N), t] picks one number per row"),
    (lambda y, t: -np.sum(np.log(y[np.arange(len(t)), t])) / len(t),
     "add a tiny delta inside the log"),
    (lambda y, t: -np.log(y[np.arange(len(t)), t] + 1e-7),
     "should return one number"),
    (lambda y, t: y.argmax(axis=2),
     "your function raised AxisError"),
    (lambda y, t: -np.sum(np.log(y[np.arange(len(t)), t] + 1e-7)) / 100,  # batch size hard-coded
     "on a batch of 3 rows and 4 classes"),
])
def test_cross_entropy_checker_rejects_wrong_answers(wrong, message, capsys):
    assert not check_cross_entropy_labels(wrong)
    out = capsys.readouterr().out
    assert out.startswith("Not yet.")
    assert message in out


def test_cross_entropy_checker_does_not_let_a_zero_probability_slip_through(capsys):
    # Right everywhere except that it forgets delta: only the batch with a zero probability exposes it.
    def no_delta(y, t):
        with np.errstate(divide="ignore"):
            return -np.sum(np.log(y[np.arange(len(t)), t])) / len(t)

    assert not check_cross_entropy_labels(no_delta)
    assert "where one correct class has probability 0" in capsys.readouterr().out


def test_sse_cee_checker(capsys):
    y = np.array([0.02, 0.01, 0.05, 0.02, 0.70, 0.05, 0.05, 0.05, 0.00, 0.05])
    t = np.eye(10)[9]
    sse, cee = 0.5 * np.sum((y - t) ** 2), -np.sum(t * np.log(y + 1e-7))
    assert np.isclose(sse, 0.7017) and np.isclose(cee, 2.9957, atol=1e-4)
    assert check_sse_cee(sse, cee)
    assert check_sse_cee(round(sse, 4), -np.log(0.05))  # rounded, or without delta: still right
    capsys.readouterr()

    cases = [
        ((2 * sse, cee), "don't forget the 1/2"),
        ((0.5 * np.sum(y ** 2), cee), "t must be one-hot"),
        ((sse, -cee), "The sign is flipped"),
        ((sse, cee / np.log(10)), "base-10 logarithm"),
        ((sse, -np.log(0.70)), "probability of the CORRECT answer"),
        ((sse, 1.0), "Only the term of the correct class"),
        (("abc", cee), "a single number"),
    ]
    for answer, message in cases:
        assert not check_sse_cee(*answer)
        assert message in capsys.readouterr().out, answer


def test_loss_numbers_checker(capsys):
    assert check_loss_numbers(np.exp(-0.1), np.log(1000))
    assert "0.9048" in capsys.readouterr().out
    cases = [
        ((np.exp(0.1), np.log(1000)), "between 0 and 1"),
        ((10 ** -0.1, np.log(1000)), "undo it with np.exp"),
        ((0.9, np.log(1000)), "not 1 - p"),
        ((0.1, np.log(1000)), "That is the loss itself"),
        ((0.5, np.log(1000)), "solve -log(p) = 0.1"),
        ((np.exp(-0.1), np.log(10)), "here there are 1000"),
        ((np.exp(-0.1), 3.0), "base-10 logarithm"),
        ((np.exp(-0.1), 0.001), "the loss is -log of it"),
        ((np.exp(-0.1), -np.log(1000)), "never negative"),
        ((np.exp(-0.1), 5.0), "probability 1/1000"),
        (([1, 2], 5.0), "single number"),
    ]
    for answer, message in cases:
        assert not check_loss_numbers(*answer)
        assert message in capsys.readouterr().out, answer


def test_forgotten_return_is_named_as_such(capsys):
    """E004 of the reliability review: a missing `return` got the hint about a delta inside the log."""
    def forgot_return(y, t):
        -np.sum(np.log(y[np.arange(len(t)), t] + 1e-7)) / len(t)

    assert not check_cross_entropy_labels(forgot_return)
    out = capsys.readouterr().out
    assert "returned None. Did you forget `return`?" in out and "delta" not in out


def test_numbers_too_large_for_a_float_are_a_verdict(capsys):
    assert not check_sse_cee(10 ** 400, 10 ** 400)
    assert not check_loss_numbers(10 ** 400, 1.0)
    assert capsys.readouterr().out.count("Not yet.") == 2
