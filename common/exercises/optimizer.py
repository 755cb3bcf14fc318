"""Checkers for the exercises of notebook 06a (optimizers and initial weights).

Introduced in notebook 06a, "Try it".
"""

import numpy as np

from common.exercises import checker, missing_methods, report, unanswered
from common.multi_layer_net import weight_init_scale
from common.optimizer import Momentum

# Exercise (c): plain SGD on the stretched bowl f(x, y) = x**2 / 20 + y**2, from START.
START = (-7.0, 2.0)
TARGET = 1e-3     # "arrived": f below this value
MAX_STEPS = 100


def _call(exercise, function, *args, **kwargs):
    """Call the learner's code; on an exception report it (instead of raising) and return None."""
    try:
        return function(*args, **kwargs), None
    except Exception as error:  # a learner's bug must not stop the notebook
        return None, error


def _momentum_problem(seed):
    """Three parameter arrays (two of the same shape) and five rounds of random gradients."""
    generator = np.random.default_rng(seed)
    params = {"W1": generator.standard_normal((3, 4)), "b1": generator.standard_normal(4),
              "W2": generator.standard_normal((3, 4))}
    grads = [{key: generator.standard_normal(value.shape) for key, value in params.items()} for _ in range(5)]
    return params, grads


def _run_momentum(exercise, optimizer, reference, params, grad_list):
    """Update both optimizers side by side; return a failure report, or None if every step agrees."""
    ours = {key: value.copy() for key, value in params.items()}
    arrays = dict(params)  # the array objects themselves, to check for in-place updates
    for step, grads in enumerate(grad_list, start=1):
        before = {key: value.copy() for key, value in params.items()}
        grads_before = {key: value.copy() for key, value in grads.items()}
        _, error = _call(exercise, optimizer.update, params, grads)
        if error is not None:
            return report(exercise, False, f"update() raised {type(error).__name__} at step {step}: {error}. "
                                           f"Keep one velocity per parameter, in a dict keyed like params "
                                           f"(self.v[key], created with np.zeros_like(params[key])).")
        reference.update(ours, grads)
        if not all(np.array_equal(grads[key], grads_before[key]) for key in grads):
            return report(exercise, False, f"update() changed the gradients in grads at step {step}. "
                                           f"Only the parameters (and your own velocities) should change.")
        for key in params:
            if params[key] is not arrays[key]:
                return report(exercise, False, f"after step {step}, params[{key!r}] is a new array. The network's "
                                               f"layers keep using the old one, so they would never see the "
                                               f"update. Change the array itself: params[key] += self.v[key].")
            if np.allclose(params[key], ours[key], rtol=1e-6, atol=1e-9):
                continue
            lr, momentum = reference.lr, reference.momentum
            sgd_step = before[key] - lr * grads[key]
            if np.array_equal(params[key], before[key]):
                hint = "the parameter did not change at all. Does update() add the velocity to params[key]?"
            elif np.allclose(params[key], before[key] + lr * grads[key]):
                hint = "it moved uphill: subtract lr * grad from the velocity (v = momentum * v - lr * grad)."
            elif step > 1 and np.allclose(params[key], sgd_step):
                hint = ("that is a plain SGD step: the velocity was forgotten since the last call. Create "
                        "self.v = {} in __init__ and keep each key's velocity from one update to the next.")
            else:
                hint = (f"expected v <- {momentum} * v - {lr} * grad, then params[key] += v, with v starting "
                        f"at zeros for each key. Is each key's velocity separate?")
            return report(exercise, False, f"at step {step} params[{key!r}] differs from "
                                           f"common.optimizer.Momentum(lr={lr}, momentum={momentum}): {hint}")
    return None


@checker("Momentum")
def check_momentum(momentum_class):
    """Does ``momentum_class(lr, momentum)`` take the same steps as common.optimizer.Momentum?

    Checked over five updates with random gradients on three parameter arrays (two of them of the same
    shape): the values after every step, that the arrays are changed in place, that every key keeps its
    own velocity, that the gradients are left alone, and the defaults lr=0.01, momentum=0.9.
    """
    exercise = "Momentum"
    if unanswered(exercise, momentum_class):
        return False
    optimizer, error = _call(exercise, momentum_class, lr=0.05, momentum=0.8)
    if error is not None:
        return report(exercise, False, f"Momentum(lr=0.05, momentum=0.8) raised {type(error).__name__}: "
                                       f"{error}. Write def __init__(self, lr=0.01, momentum=0.9).")
    failed = missing_methods(exercise, optimizer, ("update",), "Momentum(lr=0.05, momentum=0.8)")
    if failed is not None:
        return failed
    params, grads = _momentum_problem(6)
    failed = _run_momentum(exercise, optimizer, Momentum(lr=0.05, momentum=0.8), params, grads)
    if failed is not None:
        return failed
    optimizer, error = _call(exercise, momentum_class)
    if error is not None:
        return report(exercise, False, f"Momentum() without arguments raised {type(error).__name__}: {error}. "
                                       f"Give the arguments defaults: lr=0.01, momentum=0.9.")
    params, grads = _momentum_problem(7)
    reference = Momentum()
    ours = {key: value.copy() for key, value in params.items()}
    for step_grads in grads:
        _, error = _call(exercise, optimizer.update, params, step_grads)
        if error is not None:
            return report(exercise, False, f"update() raised {type(error).__name__}: {error}.")
        reference.update(ours, step_grads)
    if not all(np.allclose(params[key], ours[key], rtol=1e-6, atol=1e-9) for key in params):
        return report(exercise, False, "with lr=0.05 and momentum=0.8 your steps are right, but Momentum() "
                                       "with no arguments is not: the defaults should be lr=0.01, momentum=0.9.")
    return report(exercise, True, "five steps on three parameter arrays agree with common.optimizer.Momentum; "
                                  "the arrays are updated in place and every key keeps its own velocity.")


def _relu_spread(scale_of, n_layers=5, n_units=100, n_samples=1000):
    """Std of the activations of each layer of a ReLU stack whose weights have std scale_of(n_in)."""
    generator = np.random.default_rng(62)
    x = generator.standard_normal((n_samples, n_units))
    spreads = []
    for _ in range(n_layers):
        x = np.maximum(0, x @ (scale_of(n_units) * generator.standard_normal((n_units, n_units))))
        spreads.append(float(x.std()))
    return spreads


@checker("Initial-weight scale")
def check_init_scale(init_scale):
    """Does ``init_scale(name, n_in)`` give sqrt(1 / n_in) for "xavier" and sqrt(2 / n_in) for "he"?"""
    exercise = "Initial-weight scale"
    if unanswered(exercise, init_scale):
        return False
    for n_in in (1, 2, 50, 100, 784):
        for name in ("xavier", "he"):
            got, error = _call(exercise, init_scale, name, n_in)
            if error is not None:
                return report(exercise, False, f"init_scale({name!r}, {n_in}) raised {type(error).__name__}: {error}")
            try:
                got = float(got)
            except (TypeError, ValueError, OverflowError):
                return report(exercise, False, f"init_scale({name!r}, {n_in}) returned {got!r}, not a number. "
                                               f"Did you forget `return`?")
            expected = weight_init_scale(name, n_in)
            if np.isclose(got, expected, rtol=1e-9, atol=0):
                continue
            other = "he" if name == "xavier" else "xavier"
            if np.isclose(got, expected ** 2):
                hint = "that is the variance; the scale is its square root (np.sqrt)."
            elif np.isclose(got, weight_init_scale(other, n_in)):
                hint = f"that is the {other.capitalize()} value: Xavier uses 1 / n, He uses 2 / n under the root."
            elif np.isclose(got, 1 / expected):
                hint = "that is upside down: n_in goes in the denominator, sqrt(k / n_in)."
            else:
                hint = "Xavier is sqrt(1 / n_in), He is sqrt(2 / n_in)."
            return report(exercise, False, f"init_scale({name!r}, {n_in}) gives {got:.6g}, expected "
                                           f"{expected:.6g}: {hint}")
    he, xavier = _relu_spread(lambda n: init_scale("he", n)), _relu_spread(lambda n: init_scale("xavier", n))
    return report(exercise, True, f"for a layer of 784 inputs: Xavier {init_scale('xavier', 784):.4f}, "
                                  f"He {init_scale('he', 784):.4f}. In 5 ReLU layers of 100 units the "
                                  f"activations' std goes {he[0]:.2f} -> {he[-1]:.2f} with your He scale, but "
                                  f"{xavier[0]:.2f} -> {xavier[-1]:.2f} with your Xavier scale.")


def sgd_steps_to_target(lr):
    """How many plain SGD steps from START reach f < TARGET on x**2/20 + y**2 (None if not within
    MAX_STEPS), and the point where the run ended."""
    point = np.array(START)
    for step in range(1, MAX_STEPS + 1):
        point = point - lr * np.array([point[0] / 10, 2 * point[1]])
        if not np.all(np.isfinite(point)):
            return None, point
        if point[0] ** 2 / 20 + point[1] ** 2 < TARGET:
            return step, point
    return None, point


def _best_sgd_run():
    """The smallest number of steps over learning rates 0.01, 0.02, ..., 1.50, and those rates."""
    steps = {lr: sgd_steps_to_target(lr)[0] for lr in np.round(np.arange(0.01, 1.51, 0.01), 2)}
    fewest = min(s for s in steps.values() if s is not None)
    return fewest, [float(lr) for lr, s in steps.items() if s == fewest]


@checker("SGD learning rate")
def check_sgd_learning_rate(lr):
    """Does plain SGD with learning rate ``lr`` get from (-7, 2) to f < 1e-3 on x**2/20 + y**2 within
    100 steps? Also says how many steps it took, next to the fewest any learning rate needs."""
    exercise = "SGD learning rate"
    if unanswered(exercise, lr):
        return False
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.integer, np.floating)) or not lr > 0:
        return report(exercise, False, f"the learning rate should be a positive number, got {lr!r}.")
    lr = float(lr)
    steps, end = sgd_steps_to_target(lr)
    if steps is None:
        if not np.all(np.isfinite(end)) or abs(end[1]) > abs(START[1]):
            why = ("the steep y direction blew up: with lr >= 1 every step jumps further past the bottom "
                   "than it started. Try a smaller learning rate.")
        elif end[0] ** 2 / 20 > end[1] ** 2:
            why = ("the flat x direction is still crawling: its slope is tiny, so small steps get almost "
                   "nowhere. Try a larger learning rate.")
        else:
            why = ("the steep y direction keeps jumping from one side of the valley to the other, and "
                   "shrinks too slowly. Try a slightly smaller learning rate.")
        return report(exercise, False, f"with lr = {lr:g}, 100 steps end at ({end[0]:.3g}, {end[1]:.3g}), "
                                       f"where f = {end[0] ** 2 / 20 + end[1] ** 2:.3g}: {why}")
    fewest, best = _best_sgd_run()
    best_text = f"{best[0]:.2f}" if len(best) == 1 else f"{best[0]:.2f} to {best[-1]:.2f}"
    extra = ("That is the best any learning rate can do." if steps == fewest else
             f"The fastest learning rates ({best_text}) need {fewest}: can you find them?")
    return report(exercise, True, f"with lr = {lr:g}, SGD reaches f < {TARGET:g} after {steps} steps. {extra}")
