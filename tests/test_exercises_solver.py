"""The checkers of notebook 08 accept right answers and reject wrong ones, with a useful message."""

import numpy as np
import pytest

from common.exercises.solver import check_big_batch_gradients, check_clip_by_norm, check_mse_gradients
from common.graph import clear_parameters, get_parameter_or_create, get_parameters




# ----- (a) the gradients of the mean squared error --------------------------------------------

def right_mse_gradients(a, b, x, y_true):
    residual = y_true - (a * x + b)
    return -2 * np.mean(residual * x), -2 * np.mean(residual)


def test_mse_accepts_right_formulas_in_any_number_form(capsys):
    assert check_mse_gradients(right_mse_gradients)
    assert check_mse_gradients(lambda *args: [np.array([[g]]) for g in right_mse_gradients(*args)])
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, message", [
    (lambda a, b, x, y: tuple(-g for g in right_mse_gradients(a, b, x, y)), "both signs are flipped"),
    (lambda a, b, x, y: tuple(g / 2 for g in right_mse_gradients(a, b, x, y)), "keep the 2"),
    (lambda a, b, x, y: tuple(g * x.size for g in right_mse_gradients(a, b, x, y)), "not sum"),
    (lambda a, b, x, y: right_mse_gradients(a, b, x, y)[::-1], "swapped"),
    (lambda a, b, x, y: (-2 * np.mean(y - a * x - b), right_mse_gradients(a, b, x, y)[1]), "gets its x"),
    (lambda a, b, x, y: (right_mse_gradients(a, b, x, y)[0], 0.0), "dL/da is right"),
    (lambda a, b, x, y: (1.0, 2.0), "chain rule of three steps"),
    (lambda a, b, x, y: None, "returned None"),
    (lambda a, b, x, y: 3.0, "return two numbers"),
    (lambda a, b, x, y: (x, y), "return two numbers"),
    (lambda a, b, x, y: 1 / 0, "ZeroDivisionError"),
])
def test_mse_rejects_wrong_answers(wrong, message, capsys):
    assert not check_mse_gradients(wrong)
    out = capsys.readouterr().out
    assert "Not yet." in out and message in out


def test_mse_rejects_changing_the_data(capsys):
    def changes_x(a, b, x, y_true):
        result = right_mse_gradients(a, b, x, y_true)
        x *= 2
        return result
    assert not check_mse_gradients(changes_x)
    assert "changed x or y_true" in capsys.readouterr().out


# ----- (b) gradient clipping ------------------------------------------------------------------

def right_clip(params, max_norm):
    total = np.sqrt(sum(np.sum(v.g ** 2) for v in params.values()))
    if total > max_norm:
        for v in params.values():
            v.g = v.g * (max_norm / total)


def test_clip_accepts_a_right_function(capsys):
    assert check_clip_by_norm(right_clip)
    assert "Correct!" in capsys.readouterr().out


def clips_always(params, max_norm):
    total = np.sqrt(sum(np.sum(v.g ** 2) for v in params.values()))
    for v in params.values():
        v.g = v.g * (max_norm / total)


def per_parameter(params, max_norm):
    for v in params.values():
        norm = np.sqrt(np.sum(v.g ** 2))
        if norm > max_norm:
            v.g = v.g * (max_norm / norm)


def by_value(params, max_norm):
    for v in params.values():
        v.g = np.clip(v.g, -max_norm, max_norm)


def returns_only(params, max_norm):
    total = np.sqrt(sum(np.sum(v.g ** 2) for v in params.values()))
    return {name: v.g * min(1, max_norm / total) for name, v in params.items()}


def scales_data(params, max_norm):
    right_clip(params, max_norm)
    for v in params.values():
        v.d = v.d * 0.5


@pytest.mark.parametrize("wrong, message", [
    (clips_always, "must stay exactly as they are"),
    (per_parameter, "each parameter was clipped on its own"),
    (by_value, "clipping by value"),
    (returns_only, "Write the result back into each Variable"),
    (scales_data, "the data .d changed"),
    (lambda params, max_norm: [v.g for v in params.values()][5], "IndexError"),
])
def test_clip_rejects_wrong_answers(wrong, message, capsys):
    assert not check_clip_by_norm(wrong)
    out = capsys.readouterr().out
    assert "Not yet." in out and message in out


# ----- (c) gradient accumulation --------------------------------------------------------------

def right_big_batch(solver, loss, x, y_true, X, Y):
    chunks = len(X) // 32
    solver.zero_grad()
    for k in range(chunks):
        x.d, y_true.d = X[32 * k:32 * (k + 1)], Y[32 * k:32 * (k + 1)]
        loss.forward()
        loss.backward()
    for v in solver.get_parameters().values():
        v.g = v.g / chunks


def test_big_batch_accepts_the_right_answer_and_leaves_registered_parameters_alone(capsys):
    clear_parameters()
    mine = get_parameter_or_create("a", (1, 1), initializer=0.25)
    assert check_big_batch_gradients(right_big_batch)
    assert get_parameters() == {"a": mine} and mine.d.item() == 0.25 and mine.g.item() == 0
    assert "Correct!" in capsys.readouterr().out
    clear_parameters()


def no_zero_grad(solver, loss, x, y_true, X, Y):
    chunks = len(X) // 32
    for k in range(chunks):
        x.d, y_true.d = X[32 * k:32 * (k + 1)], Y[32 * k:32 * (k + 1)]
        loss.forward()
        loss.backward()
    for v in solver.get_parameters().values():
        v.g = v.g / chunks


def no_division(solver, loss, x, y_true, X, Y):
    solver.zero_grad()
    for k in range(len(X) // 32):
        x.d, y_true.d = X[32 * k:32 * (k + 1)], Y[32 * k:32 * (k + 1)]
        loss.forward()
        loss.backward()


def resets_inside(solver, loss, x, y_true, X, Y):
    for k in range(len(X) // 32):
        x.d, y_true.d = X[32 * k:32 * (k + 1)], Y[32 * k:32 * (k + 1)]
        loss.forward()
        solver.zero_grad()
        loss.backward()


def first_chunk_only(solver, loss, x, y_true, X, Y):
    solver.zero_grad()
    x.d, y_true.d = X[:32], Y[:32]
    loss.forward()
    loss.backward()


def forgets_forward(solver, loss, x, y_true, X, Y):
    chunks = len(X) // 32
    solver.zero_grad()
    for k in range(chunks):
        x.d, y_true.d = X[32 * k:32 * (k + 1)], Y[32 * k:32 * (k + 1)]
        loss.backward()
    for v in solver.get_parameters().values():
        v.g = v.g / chunks


def updates_too(solver, loss, x, y_true, X, Y):
    right_big_batch(solver, loss, x, y_true, X, Y)
    solver.update()


@pytest.mark.parametrize("wrong, message", [
    (no_zero_grad, "stale gradients"),
    (no_division, "divide every .g by 4"),
    (resets_inside, "only the last chunk"),
    (first_chunk_only, "first chunk only"),
    (forgets_forward, "loss.forward(), loss.backward()"),
    (updates_too, "do not call solver.update()"),
    (lambda solver, loss, x, y_true, X, Y: x.d.__setitem__(..., X), "ValueError"),
])
def test_big_batch_rejects_wrong_answers(wrong, message, capsys):
    assert not check_big_batch_gradients(wrong)
    out = capsys.readouterr().out
    assert "Not yet." in out and message in out
