"""Checkers for the exercises of notebook 04 (numerical differentiation and gradient descent).

Introduced in notebook 04, "Try it".
"""

import numpy as np

from common.exercises import call_safely, checker, report, returned_numbers, unanswered
from common.functions import sigmoid, sigmoid_grad
from common.gradient import gradient_descent

H = 1e-4

# (description, f, x, exact derivative at x): smooth functions whose derivatives we know by hand.
DIFF_CASES = [
    ("f(x) = x**3 at x = 1", lambda x: x ** 3, 1.0, 3.0),
    ("f(x) = 0.01x**2 + 0.1x at x = 5", lambda x: 0.01 * x ** 2 + 0.1 * x, 5.0, 0.2),
    ("f(x) = sin(x) at x = 1", np.sin, 1.0, np.cos(1.0)),
    ("f(x) = exp(x) at x = 0.5", np.exp, 0.5, np.exp(0.5)),
]

# Exercise (c): f(x0, x1) = x0**2 / 20 + x1**2, gradient descent from START for STEPS steps.
START = (-7.0, 2.0)
STEPS = 100
TOLERANCE = 0.01  # "converged": the end point lies within this distance of the minimum (0, 0)
LR_STEP = 0.01    # the answer is asked for to two decimal places



@checker("Central difference")
def check_central_difference(central_difference):
    """Does ``central_difference(f, x)`` give (f(x + h) - f(x - h)) / 2h with a small h such as 1e-4?

    Tried on four functions with known derivatives at a single x, and on the sigmoid at five points
    at once (x a NumPy array), where it must agree with sigmoid'(x) = sigmoid(x) (1 - sigmoid(x)).
    """
    exercise = "Central difference"
    if unanswered(exercise, central_difference):
        return False
    for description, f, x, exact in DIFF_CASES:
        points = []
        got, failed = call_safely(exercise, central_difference, _recording(f, points), x)
        if failed is not None:
            return failed
        try:
            got = float(got)
        except (TypeError, ValueError, OverflowError):
            return report(exercise, False, f"for {description} your function returned {got!r}, "
                                           f"not a number. Did you forget `return`?")
        if abs(got - exact) <= 1e-6 * max(1.0, abs(exact)):
            offsets = sorted(float(p) - x for p in points)
            if not _symmetric(offsets, x):
                where = ", ".join(f"x {'+' if d >= 0 else '-'} {abs(d):.3g}" if d else "x" for d in offsets)
                hint = ("that is the forward difference (f(x + h) - f(x)) / h: its error shrinks with h, "
                        "but it is not the central difference." if len(offsets) == 2 and 0.0 in offsets else
                        "a central difference looks at both sides of x, equally far: f(x + h) and f(x - h).")
                return report(exercise, False, f"for {description} your slope is close, but your function "
                                               f"evaluates f at {where or 'no point at all'}. Hint: {hint}")
            continue
        forward = (f(x + H) - f(x)) / H
        if got == 0.0:
            hint = ("0.0 means f(x + h) and f(x - h) came out equal: is h so small that x + h rounds "
                    "back to x? Use h = 1e-4.")
        elif abs(got - forward) <= 1e-9 * abs(forward):
            hint = "that is the forward difference (f(x + h) - f(x)) / h. Step to both sides: f(x + h) - f(x - h)."
        elif abs(got - 2 * exact) <= 1e-4 * abs(exact):
            hint = "that is twice the slope: the two points are 2h apart, so divide by 2 * h."
        elif abs(got - exact / 2) <= 1e-4 * abs(exact):
            hint = "that is half the slope: divide by 2 * h, written with brackets: / (2 * h)."
        else:
            hint = "compute (f(x + h) - f(x - h)) / (2 * h) with h = 1e-4."
        return report(exercise, False, f"for {description} your function gives {got:.10g}, the exact "
                                       f"derivative is {exact:.10g} (off by {got - exact:.2g}). Hint: {hint}")
    xs = np.linspace(-2.0, 2.0, 5)
    got, failed = call_safely(exercise, central_difference, sigmoid, xs)
    if failed is not None:
        return failed
    got = np.asarray(got, dtype=float) if got is not None else None
    if got is None or got.shape != xs.shape:
        shape = "None" if got is None else got.shape
        return report(exercise, False, f"for the sigmoid at the 5 points x = {xs.tolist()} (one array) "
                                       f"your function returned shape {shape}, expected (5,). Use only "
                                       f"arithmetic (+, -, *, /) on x, so it works element by element.")
    if not np.allclose(got, sigmoid_grad(xs), rtol=0, atol=1e-8):
        worst = float(np.max(np.abs(got - sigmoid_grad(xs))))
        return report(exercise, False, f"for the sigmoid at x = {xs.tolist()} your function gives "
                                       f"{np.round(got, 6).tolist()}, expected {np.round(sigmoid_grad(xs), 6).tolist()} "
                                       f"(off by up to {worst:.2g}; within 1e-8 is expected).")
    return report(exercise, True, f"all four slopes agree with the exact derivatives to 6 digits, and on "
                                  f"the sigmoid your slopes {np.round(got, 4).tolist()} match "
                                  f"sigmoid(x)(1 - sigmoid(x)).")


def _recording(f, points):
    """``f``, noting every x it is evaluated at in ``points`` (to tell a central difference from others)."""
    def recorded(x):
        points.extend(np.ravel(np.asarray(x, dtype=float)).tolist())
        return f(x)
    return recorded


def _symmetric(offsets, x):
    """Do the evaluation points (as offsets from x, sorted) lie in pairs equally far on both sides of x?"""
    if len(offsets) < 2:
        return False
    tolerance = 1e-9 * max(abs(d) for d in offsets) + 8 * np.finfo(float).eps * max(1.0, abs(x))
    return all(abs(a + b) <= tolerance for a, b in zip(offsets, reversed(offsets)))


def _matrix_cases():
    """(description, f, X, exact gradient) for the 2-D exercise; f may ignore its argument."""
    X1 = np.array([[1.0, -2.0, 3.0], [0.5, 0.0, -1.5]])
    A = np.array([[2.0, -1.0], [0.5, 3.0], [-4.0, 1.0]])
    X2 = np.array([[0.3, -0.7], [1.2, 0.0], [-0.4, 2.0]])
    W = np.array([[1.0, -2.0], [0.5, 3.0]])
    return [
        ("f(X) = np.sum(X**2) on a 2x3 matrix", lambda X: np.sum(X ** 2), X1, 2 * X1),
        ("f(X) = np.sum(A * X) + X[0, 1]**3 on a 3x2 matrix", lambda X: np.sum(A * X) + X[0, 1] ** 3, X2,
         A + np.array([[0.0, 3 * X2[0, 1] ** 2], [0.0, 0.0], [0.0, 0.0]])),
        ("f = lambda _: np.sum(W**3), which ignores its argument and reads the 2x2 matrix W directly "
         "(like the network's loss)", lambda _: np.sum(W ** 3), W, 3 * W ** 2),
    ]


@checker("Numerical gradient of a matrix")
def check_numerical_gradient_2d(numerical_gradient_2d):
    """Does ``numerical_gradient_2d(f, X)`` return every df/dX[i, j] of a 2-D X and leave X unchanged?"""
    exercise = "Numerical gradient of a matrix"
    if unanswered(exercise, numerical_gradient_2d):
        return False
    for description, f, X, exact in _matrix_cases():
        before = X.copy()
        got, failed = call_safely(exercise, numerical_gradient_2d, f, X)
        if failed is not None:
            return failed
        if got is None:
            return report(exercise, False, f"for {description} your function returned None. Did you "
                                           f"forget `return grad`?")
        got, failed = returned_numbers(exercise, got, f"for {description} your function")
        if failed is not None:
            return failed
        if not np.array_equal(X, before):
            changed = int(np.sum(X != before))
            return report(exercise, False, f"for {description} your function changed {changed} entr"
                                           f"{'y' if changed == 1 else 'ies'} of X. Put each entry back "
                                           f"(X[idx] = original) right after computing its slope.")
        if got.shape != X.shape:
            return report(exercise, False, f"for {description} the gradient has shape {got.shape}, "
                                           f"X has shape {X.shape}: there is one slope per entry of X.")
        if not np.allclose(got, exact, rtol=0, atol=1e-6):
            if not np.any(got):
                hint = ("every slope is 0: f did not see the nudges. Nudge the entries of X itself, in "
                        "place (X[idx] = original + h), not a copy of X.") if "ignores" in description else \
                       "every slope is 0: is something nudged at all?"
            else:
                i, j = np.unravel_index(np.argmax(np.abs(got - exact)), X.shape)
                hint = (f"entry [{i}, {j}] is {got[i, j]:.6g}, expected {exact[i, j]:.6g}. Does your loop "
                        f"visit every (row, column) pair, for example with np.ndindex(X.shape)?")
            return report(exercise, False, f"for {description}: {hint}")
    return report(exercise, True, "right slopes for all three functions, the right shapes, and X is "
                                  "unchanged afterwards - even when f reads X directly.")


def converges(lr):
    """The end point of gradient descent on x0**2/20 + x1**2 with learning rate ``lr``, and whether
    it lies within TOLERANCE of the minimum (0, 0)."""
    f = lambda x: x[0] ** 2 / 20 + x[1] ** 2
    end = gradient_descent(f, np.array(START), lr=lr, step_num=STEPS)
    return end, bool(np.linalg.norm(end) < TOLERANCE)


def _describe(lr, end):
    return f"with lr = {lr:.2f} the 100 steps end at ({end[0]:.3g}, {end[1]:.3g})"


@checker("Learning-rate range")
def check_learning_rate_range(lr_low, lr_high):
    """Are ``lr_low`` and ``lr_high`` the smallest and largest learning rates, in steps of 0.01, for
    which 100 steps of gradient descent on x0**2/20 + x1**2 from (-7, 2) end within 0.01 of (0, 0)?"""
    exercise = "Learning-rate range"
    if unanswered(exercise, lr_low, lr_high):
        return False
    try:
        lr_low, lr_high = float(lr_low), float(lr_high)
    except (TypeError, ValueError, OverflowError):
        return report(exercise, False, f"give two numbers, got {lr_low!r} and {lr_high!r}.")
    if not 0 < lr_low <= lr_high:
        return report(exercise, False, f"expected 0 < lr_low <= lr_high, got {lr_low} and {lr_high}.")
    for lr in np.linspace(lr_low, lr_high, 6):
        end, ok = converges(lr)
        if not ok:
            if abs(end[0]) >= TOLERANCE:
                why = ("x0 is still far from 0: along x0 the bowl is flat, so the steps are small; "
                       "a larger learning rate moves faster.")
            else:
                why = ("x1 jumps from one side of 0 to the other at every step: along x1 the bowl is "
                       "steep, so a large learning rate overshoots the bottom.")
            return report(exercise, False, f"{_describe(lr, end)}, not within {TOLERANCE} of (0, 0): {why}")
    below, above = round(lr_low - LR_STEP, 2), round(lr_high + LR_STEP, 2)
    end, ok = converges(below)
    if ok:
        return report(exercise, False, f"every learning rate from {lr_low:.2f} to {lr_high:.2f} converges, "
                                       f"but so does {below:.2f}: the lower edge is further down.")
    end, ok = converges(above)
    if ok:
        return report(exercise, False, f"every learning rate from {lr_low:.2f} to {lr_high:.2f} converges, "
                                       f"but so does {above:.2f}: the upper edge is further up.")
    return report(exercise, True, f"every learning rate from {lr_low:.2f} to {lr_high:.2f} converges, and "
                                  f"{below:.2f} and {above:.2f} do not. The window is narrow because one "
                                  f"direction is flat (it wants big steps) and the other steep (it "
                                  f"overshoots with big steps).")
