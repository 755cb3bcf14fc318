"""Checkers for the exercises of notebook 08 (solvers and gradients: linear regression).

Introduced in notebook 08, "Try it".

(a) ``check_mse_gradients``: dL/da and dL/db of L = mean((y_true - (a x + b))**2), by hand.
(b) ``check_clip_by_norm``: gradient clipping, editing .g on purpose.
(c) ``check_big_batch_gradients``: the gradient of a large batch from a graph built for 32 rows, by
    letting backward() add up the gradients of several chunks.

The checkers build their own Variables and never touch the parameters registered by name
(``common.graph.get_parameters()``), so a learner's model is left as it was.
"""

import numpy as np

from common.exercises import call_safely, checker, report, unanswered
from common.graph import Variable, mean
from common.solvers import SGDSolver

# ---------------------------------------------------------------------------------------------
# (a) The gradients of the mean squared error, by hand
# ---------------------------------------------------------------------------------------------


def _regression_problem(seed, n):
    generator = np.random.default_rng(seed)
    x = generator.standard_normal((n, 1))
    y_true = 0.3 * x + 1.5 + 0.01 * generator.standard_normal((n, 1))
    a, b = generator.uniform(-1, 2, size=2)
    return float(a), float(b), x, y_true


def _graph_gradients(a, b, x, y_true):
    """dL/da and dL/db from common.graph's backward (float64), the reference for exercise (a)."""
    a_var = Variable.from_array(np.full((1, 1), a), need_grad=True)
    b_var = Variable.from_array(np.full((1, 1), b), need_grad=True)
    loss = mean((Variable.from_array(y_true) - (a_var * Variable.from_array(x) + b_var)) ** 2)
    loss.backward()
    return a_var.g.item(), b_var.g.item()


def _two_numbers(value):
    """(ga, gb) as floats from whatever pair the learner returned, or None."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return None
    try:
        return tuple(float(np.asarray(v, dtype=float).reshape(-1)[0]) if np.size(v) == 1 else None
                     for v in value)
    except (TypeError, ValueError, OverflowError):
        return None


def _mse_hint(got, a, b, x, y_true):
    residual = y_true - (a * x + b)
    ga, gb = -2 * np.mean(residual * x), -2 * np.mean(residual)
    close = lambda u, v: np.isclose(u, v, rtol=1e-6, atol=1e-9)  # noqa: E731
    if close(got[0], -ga) and close(got[1], -gb):
        return ("both signs are flipped. The loss is the square of y_true - y and y grows with a and b, so "
                "the chain rule brings a factor -1: dL/db = -2 * mean(y_true - y).")
    if close(got[0], ga / 2) and close(got[1], gb / 2):
        return "both are half the size: the derivative of r**2 is 2r, keep the 2."
    n = x.size
    if close(got[0], ga * n) and close(got[1], gb * n):
        return f"both are {n} times too large: the loss is a mean, so average over the batch (np.mean), not sum."
    if close(got[0], gb) and close(got[1], ga):
        return "the two are swapped: return (dL/da, dL/db)."
    if close(got[1], gb) and close(got[0], -2 * np.mean(residual)):
        return "dL/db is right; for dL/da remember that a is multiplied by x, so each term also gets its x."
    if close(got[0], ga):
        return "dL/da is right; dL/db is -2 times the mean of the residual y_true - y (b is added, so no x)."
    return ("with r = y_true - (a x + b): dL/da = mean(2 r * (-x)) and dL/db = mean(2 r * (-1)), "
            "each a chain rule of three steps: the square, the subtraction, the product or sum.")


@checker("MSE gradients")
def check_mse_gradients(mse_gradients):
    """Does ``mse_gradients(a, b, x, y_true)`` return (dL/da, dL/db) for L = mean((y_true - (a x + b))**2)?

    a and b are numbers, x and y_true arrays of shape (N, 1). Compared with common.graph's backward on
    three random problems.
    """
    exercise = "MSE gradients"
    if unanswered(exercise, mse_gradients):
        return False
    for seed, n in [(81, 32), (82, 5), (83, 100)]:
        a, b, x, y_true = _regression_problem(seed, n)
        x_before, y_before = x.copy(), y_true.copy()
        got, failed = call_safely(exercise, mse_gradients, a, b, x, y_true)
        if failed is not None:
            return failed
        if got is None:
            return report(exercise, False, "your function returned None. Did you forget `return ga, gb`?")
        pair = _two_numbers(got)
        if pair is None or None in pair:
            return report(exercise, False, f"return two numbers, (dL/da, dL/db); got {got!r}.")
        if not (np.array_equal(x, x_before) and np.array_equal(y_true, y_before)):
            return report(exercise, False, "your function changed x or y_true: compute new arrays instead.")
        expected = _graph_gradients(a, b, x, y_true)
        if not np.allclose(pair, expected, rtol=1e-6, atol=1e-9):
            return report(exercise, False, f"for a = {a:.3f}, b = {b:.3f} and a batch of {n}, you give "
                                           f"({pair[0]:.4f}, {pair[1]:.4f}), backward gives "
                                           f"({expected[0]:.4f}, {expected[1]:.4f}). Hint: "
                                           f"{_mse_hint(pair, a, b, x, y_true)}")
    return report(exercise, True, "your formulas agree with loss.backward() on three batches: "
                                  "dL/da = -2 mean((y_true - y) x) and dL/db = -2 mean(y_true - y).")


# ---------------------------------------------------------------------------------------------
# (b) Gradient clipping by the total norm
# ---------------------------------------------------------------------------------------------


def _clipping_parameters(seed, scale):
    """Three parameters with data and random gradients whose total norm is ``scale``."""
    generator = np.random.default_rng(seed)
    params = {}
    for name, shape in [("W", (3, 2)), ("b", (2,)), ("c", (1, 1))]:
        params[name] = Variable.from_array(generator.standard_normal(shape), need_grad=True, name=name)
        params[name].g = generator.standard_normal(shape)
    norm = np.sqrt(sum(np.sum(v.g ** 2) for v in params.values()))
    for v in params.values():
        v.g = v.g * (scale / norm)
    return params


def clip_by_norm_reference(gradients, max_norm):
    """The clipped gradients: all scaled by max_norm / total norm when the total norm exceeds max_norm."""
    norm = np.sqrt(sum(np.sum(g ** 2) for g in gradients.values()))
    factor = min(1.0, max_norm / norm) if norm > 0 else 1.0
    return {name: g * factor for name, g in gradients.items()}


def _clip_hint(got, before, max_norm):
    per_parameter = {name: g * min(1.0, max_norm / np.sqrt(np.sum(g ** 2))) for name, g in before.items()}
    by_value = {name: np.clip(g, -max_norm, max_norm) for name, g in before.items()}
    matches = lambda other: all(np.allclose(got[n], other[n]) for n in got)  # noqa: E731
    if matches(before):
        return ("the gradients did not change. Write the result back into each Variable: v.g = ... "
                "(a new array that is only returned or kept in a local variable does not reach the solver).")
    if matches(per_parameter):
        return ("each parameter was clipped on its own. Clip by the *total* norm over all parameters, "
                "sqrt(sum of every g**2), and scale every gradient by the same factor: then the direction "
                "of the whole step is kept.")
    if matches(by_value):
        return ("that is clipping by value (np.clip on each element), which changes the direction. Scale all "
                "gradients by max_norm / total_norm instead.")
    return "compute total_norm = sqrt(sum over all parameters of np.sum(v.g ** 2)); if it exceeds max_norm, " \
           "multiply every v.g by max_norm / total_norm."


@checker("Gradient clipping")
def check_clip_by_norm(clip_by_norm):
    """Does ``clip_by_norm(params, max_norm)`` rescale the gradients .g of a dict of Variables so that
    their total norm is at most ``max_norm``, keeping their direction and leaving .d alone?"""
    exercise = "Gradient clipping"
    if unanswered(exercise, clip_by_norm):
        return False
    for seed, scale, max_norm in [(91, 10.0, 1.0), (92, 0.5, 1.0), (93, 7.0, 5.0)]:
        params = _clipping_parameters(seed, scale)
        data = {name: v.d.copy() for name, v in params.items()}
        before = {name: v.g.copy() for name, v in params.items()}
        _, failed = call_safely(exercise, clip_by_norm, params, max_norm)
        if failed is not None:
            return failed
        got = {name: v.g.copy() for name, v in params.items()}
        if not all(np.array_equal(params[n].d, data[n]) for n in params):
            return report(exercise, False, "the data .d changed: clipping only edits the gradients .g "
                                           "(the solver's update() then uses them).")
        expected = clip_by_norm_reference(before, max_norm)
        if all(np.allclose(got[n], expected[n], rtol=1e-9, atol=1e-12) for n in got):
            continue
        situation = (f"total norm {scale:g} > max_norm {max_norm:g}" if scale > max_norm else
                     f"total norm {scale:g} <= max_norm {max_norm:g}: nothing should change")
        if scale <= max_norm:
            hint = ("gradients that are already small enough must stay exactly as they are: scale only when "
                    "total_norm > max_norm (the factor is min(1, max_norm / total_norm)).")
        else:
            hint = _clip_hint(got, before, max_norm)
        return report(exercise, False, f"with {situation}, your gradients are not right. Hint: {hint}")
    return report(exercise, True, "a gradient of total norm 10 is scaled to norm 1 in the same direction, "
                                  "one of norm 0.5 is left alone, and the data .d is never touched.")


# ---------------------------------------------------------------------------------------------
# (c) A big batch through a small graph: accumulating gradients on purpose
# ---------------------------------------------------------------------------------------------


STALE_GRADIENTS = (5.0, -3.0)


def _small_graph(seed):
    """The tutorial's graph for 32 rows, with its own (unregistered) a and b and a solver holding them."""
    generator = np.random.default_rng(seed)
    x, y_true = Variable((32, 1), name="x"), Variable((32, 1), name="y_true")
    a = Variable.from_array(generator.uniform(0, 1, (1, 1)).astype(np.float32), need_grad=True, name="a")
    b = Variable.from_array(generator.uniform(0, 1, (1, 1)).astype(np.float32), need_grad=True, name="b")
    loss = mean((y_true - (a * x + b)) ** 2)
    solver = SGDSolver(lr=0.01)
    solver.set_parameters({"a": a, "b": b})
    a.g, b.g = STALE_GRADIENTS  # left over from "an earlier step"
    return solver, loss, x, y_true, a, b


@checker("Big batch")
def check_big_batch_gradients(big_batch_gradients):
    """Does ``big_batch_gradients(solver, loss, x, y_true, X, Y)`` leave in every parameter's .g the
    gradient of the mean squared error over all rows of X and Y, using only the 32-row graph ``loss``?

    X and Y have shape (k * 32, 1). Checked for k = 4 and k = 2, starting from stale gradients.
    """
    exercise = "Big batch"
    if unanswered(exercise, big_batch_gradients):
        return False
    for seed, chunks in [(71, 4), (72, 2)]:
        solver, loss, x, y_true, a, b = _small_graph(seed)
        generator = np.random.default_rng(seed + 10)
        X = generator.standard_normal((32 * chunks, 1)).astype(np.float32)
        Y = (0.3 * X + 1.5 + 0.01 * generator.standard_normal(X.shape)).astype(np.float32)
        start = a.d.item(), b.d.item()
        _, failed = call_safely(exercise, big_batch_gradients, solver, loss, x, y_true, X, Y)
        if failed is not None:
            return failed
        if (a.d.item(), b.d.item()) != start:
            return report(exercise, False, "a or b changed: only compute the gradients here, do not call "
                                           "solver.update().")
        residual = Y.astype(np.float64) - (start[0] * X + start[1])
        expected = np.array([-2 * np.mean(residual * X), -2 * np.mean(residual)])
        got = np.array([a.g.item(), b.g.item()])
        if np.allclose(got, expected, rtol=1e-4, atol=1e-5):
            continue
        per_chunk = [(-2 * np.mean(r * Xc), -2 * np.mean(r)) for Xc, r in
                     zip(np.split(X, chunks), np.split(residual, chunks))]
        stale = np.array(STALE_GRADIENTS)
        if any(np.allclose(got, candidate, rtol=1e-4, atol=1e-4) for candidate in
               (expected + stale, expected * chunks + stale, expected + stale / chunks)):
            hint = ("the stale gradients from before are still in there: call solver.zero_grad() once, "
                    "before the loop.")
        elif np.allclose(got, expected * chunks, rtol=1e-4, atol=1e-5):
            hint = (f"that is the sum over the {chunks} chunks. Each chunk's loss is a mean over 32 rows; "
                    f"the mean over all rows is the average of the chunks: divide every .g by {chunks}.")
        elif np.allclose(got, per_chunk[-1], rtol=1e-4, atol=1e-5) or \
                np.allclose(got, np.array(per_chunk[-1]) / chunks, rtol=1e-4, atol=1e-5):
            hint = ("only the last chunk is left: do not reset the gradients inside the loop. backward() adds "
                    "into .g, and here we want exactly that.")
        elif np.allclose(got, per_chunk[0], rtol=1e-4, atol=1e-5):
            hint = f"that is the first chunk only: loop over all {chunks} chunks of 32 rows."
        else:
            hint = ("for each chunk of 32 rows: put it into x.d and y_true.d, loss.forward(), loss.backward(); "
                    "zero the gradients once before, and divide them by the number of chunks after.")
        return report(exercise, False, f"with {chunks} chunks, (a.g, b.g) = ({got[0]:.4f}, {got[1]:.4f}), "
                                       f"the gradient over all {32 * chunks} rows is ({expected[0]:.4f}, "
                                       f"{expected[1]:.4f}). Hint: {hint}")
    return report(exercise, True, "a graph built for 32 rows gave the gradient of 128 rows: four backward "
                                  "passes added up in .g, then divided by 4. This is gradient accumulation, "
                                  "the on-purpose use of 'backward adds into .g'.")
