"""Checkers for the exercises of notebooks 07a (the XOR experiment) and 07b (XOR remedies).

Introduced in notebook 07a, "Try it" sections; (d) in notebook 07b.

(a) ``check_plateau_loss``: the loss at which a network stalls when it merges points into groups.
(b) ``check_beta_equivalence``: the weight scale and learning rate that make a gain-1 network retrace
    a gain-β network's training exactly.
(c) ``check_iterations_to_threshold``: the first iteration at which each run's loss reaches a threshold.
(d) ``check_paired_p_value``: the exact two-sided p-value of McNemar's test / the sign test from the
    counts of starts that favour each setting.
"""

import math

import numpy as np

from common.exercises import call_safely, checker, report, unanswered
from common.run_statistics import binomial_sign_p_value, first_iteration_below
from common.xor_experiment import XOR_T, init_params, train

TARGETS = XOR_T[:, 0]  # 0, 1, 1, 0 for the points (0,0), (1,0), (0,1), (1,1)


# ---------------------------------------------------------------------------------------------
# (a) Plateau values: merged points share one output, the mean of their targets
# ---------------------------------------------------------------------------------------------

def set_partitions(items):
    """Every way to split ``items`` into non-empty groups (15 ways for 4 items), as lists of lists."""
    items = list(items)
    if not items:
        return [[]]
    first, rest = items[0], items[1:]
    partitions = []
    for smaller in set_partitions(rest):
        partitions.append([[first]] + smaller)                         # first in a group of its own
        for i in range(len(smaller)):                                  # or joined to one of the groups
            partitions.append(smaller[:i] + [[first] + smaller[i]] + smaller[i + 1:])
    return partitions


def reference_plateau_loss(groups):
    """1/2 * sum over groups of sum over the group's points of (t - mean of the group's t)**2."""
    return sum(0.5 * float(np.sum((TARGETS[g] - TARGETS[g].mean()) ** 2)) for g in groups)


def _plateau_hint(got, groups):
    expected = reference_plateau_loss(groups)
    if np.isclose(got, 2 * expected):
        return "the learner's loss has the factor 1/2 in front of the sum: E = 1/2 * sum (y - t)**2."
    if np.isclose(got, expected / 4) or np.isclose(got, 2 * expected / 4):
        return "sum over the four points; do not average over them."
    half = sum(0.5 * float(np.sum((TARGETS[g] - 0.5) ** 2)) for g in groups if len(g) > 1)
    if np.isclose(got, half):
        return ("a group's best common output is the mean of its targets (2/3 for targets 1, 1, 0), "
                "not always 0.5.")
    return ("give each group one output, the mean of its points' targets, and add 1/2 * (y - t)**2 "
            "over all four points (a point alone in its group is fitted exactly and adds 0).")


@checker("Plateau loss")
def check_plateau_loss(plateau_loss):
    """Does ``plateau_loss(groups)`` give the learner's loss of a network that merges the points of
    each group (one common output per group, the best one)? ``groups`` is a list of lists of point
    indices 0-3, e.g. [[0], [1], [2, 3]]. Tried on all 15 ways of grouping the four points."""
    exercise = "Plateau loss"
    if unanswered(exercise, plateau_loss):
        return False
    if not callable(plateau_loss):
        return report(exercise, False, f"plateau_loss should be a function, got {type(plateau_loss).__name__}.")
    for groups in set_partitions(range(4)):
        got, failed = call_safely(exercise, plateau_loss, [list(g) for g in groups])
        if failed is not None:
            return failed
        try:
            got = float(got)
        except (TypeError, ValueError, OverflowError):
            return report(exercise, False, f"plateau_loss({groups}) should return a number, got {got!r}.")
        if not np.isclose(got, reference_plateau_loss(groups), rtol=1e-9, atol=1e-12):
            return report(exercise, False, f"plateau_loss({groups}) gave {got:.4f}, expected "
                                           f"{reference_plateau_loss(groups):.4f}. Hint: {_plateau_hint(got, groups)}")
    values = sorted({round(reference_plateau_loss(g), 6) for g in set_partitions(range(4))})
    return report(exercise, True, "right for all 15 groupings. The possible plateau values are "
                                  + ", ".join(f"{v:.4f}" for v in values) + ".")


# ---------------------------------------------------------------------------------------------
# (b) The gain β as a rescaling
# ---------------------------------------------------------------------------------------------

BETA, LR = 5.0, 0.02  # the gain-β network of the exercise and its learning rate


@checker("Beta as a rescaling")
def check_beta_equivalence(weight_scale, lr):
    """Does a gain-1 network, started from ``weight_scale`` times the weights and trained with
    learning rate ``lr``, follow the same path as the gain-5 network trained with 0.02?"""
    exercise = "Beta as a rescaling"
    if unanswered(exercise, weight_scale, lr):
        return False
    try:
        weight_scale, lr = float(weight_scale), float(lr)
    except (TypeError, ValueError, OverflowError):
        return report(exercise, False, "give two numbers: weight_scale and lr.")
    starts = init_params(5, generator=np.random.default_rng(7))
    reference = train(starts, beta=BETA, lr=LR, iters=300, record_every=10)
    scaled = {key: weight_scale * value for key, value in starts.items()}
    with np.errstate(all="ignore"):
        ours = train(scaled, beta=1.0, lr=lr, iters=300, record_every=10)
    if np.allclose(ours.loss_history, reference.loss_history, rtol=1e-8, atol=1e-10):
        return report(exercise, True, f"with weights x{weight_scale:g} and learning rate {lr:g} the gain-1 "
                                      f"network retraces all 300 steps: β multiplies the start, and β² the "
                                      f"learning rate.")
    if not np.isclose(weight_scale, BETA):
        hint = ("σ(β(xW + b)) = σ(x(βW) + βb): the gain-1 network needs the weights multiplied by β = 5."
                if not np.isclose(weight_scale, 1 / BETA) else "multiply by β, do not divide: W' = βW.")
        return report(exercise, False, f"the two runs differ from the start. Hint: {hint}")
    if np.isclose(lr, BETA * LR):
        hint = ("β enters twice: the gradient with respect to W is β times the one with respect to W' = βW, "
                "and a step of W moves W' by β times as much. So lr' = β² * 0.02.")
    elif np.isclose(lr, LR):
        hint = "the starting point is right, but the steps are too small: lr' = β² * 0.02."
    else:
        hint = "one step changes W by lr * dE/dW; write what that does to W' = βW in terms of dE/dW'."
    return report(exercise, False, f"the start matches, but the paths part after the first step. Hint: {hint}")


# ---------------------------------------------------------------------------------------------
# (c) Iterations to a threshold
# ---------------------------------------------------------------------------------------------

_HISTORIES = [
    np.array([[0.9, 0.5, 0.01, 0.2, 0.001],   # reaches at 2 (and goes up again)
              [0.9, 0.8, 0.7, 0.6, 0.5],       # never
              [0.002, 0.9, 0.9, 0.9, 0.9],     # at the very start
              [0.9, 0.9, 0.9, 0.9, 0.01]]),    # exactly the threshold, at the end
    np.array([[0.5, 0.4, 0.3]]),               # a single run that never gets there
]


@checker("Iterations to threshold")
def check_iterations_to_threshold(iterations_to_threshold):
    """Does ``iterations_to_threshold(history, threshold)`` return, for each row of ``history``
    (runs, iterations), the first iteration whose loss is <= threshold, and np.inf for rows that never
    get there?"""
    exercise = "Iterations to threshold"
    if unanswered(exercise, iterations_to_threshold):
        return False
    if not callable(iterations_to_threshold):
        return report(exercise, False, "iterations_to_threshold should be a function.")
    for history in _HISTORIES:
        expected = first_iteration_below(history, 0.01)
        got, failed = call_safely(exercise, iterations_to_threshold, history.copy(), 0.01)
        if failed is not None:
            return failed
        try:
            got = np.asarray(got, dtype=float) if got is not None else None
        except (TypeError, ValueError, OverflowError):
            return report(exercise, False, f"for a history of shape {history.shape} your function returned "
                                           f"{got!r:.80}; return an array of numbers, one per run.")
        if got is None or got.shape != expected.shape:
            shape = None if got is None else got.shape
            return report(exercise, False, f"for a history of shape {history.shape} return one number per run, "
                                           f"shape {expected.shape}, got {shape}.")
        if np.array_equal(got, expected):
            continue
        never = np.isinf(expected)
        strict = first_iteration_below(np.where(history == 0.01, np.inf, history), 0.01)  # as if "<" were used
        if np.any(got[never] == 0):
            hint = ("a run that never reaches the threshold got 0. np.argmax of a row that is all False returns "
                    "0; check with .any(axis=1) and put np.inf there.")
        elif np.array_equal(got[~never], expected[~never] + 1):
            hint = "the first entry of a history is iteration 0, so its column index is already the iteration."
        elif np.array_equal(got, strict):
            hint = "'reaches' means loss <= threshold: a loss exactly at the threshold counts."
        elif np.all(got[~never] >= expected[~never]):
            hint = "look for the FIRST column at or below the threshold in each row, not a later one."
        else:
            hint = "for each row, the index of the first column whose loss is <= threshold."
        return report(exercise, False, f"for the history\n{history}\nexpected {expected.tolist()}, got "
                                       f"{got.tolist()}. Hint: {hint}")
    return report(exercise, True, "first crossings are right, and runs that never get there give np.inf "
                                  "(so they cannot pass for runs that were solved at once).")


# ---------------------------------------------------------------------------------------------
# (d) The p-value of a paired comparison
# ---------------------------------------------------------------------------------------------

_SPLITS = [(4, 1), (1, 4), (0, 5), (2, 8), (10, 10), (0, 0), (3, 0), (27, 12), (40, 1)]


@checker("Paired p-value")
def check_paired_p_value(paired_p_value):
    """Does ``paired_p_value(a_better, b_better)`` give the exact two-sided p-value of McNemar's test
    (and of the sign test): min(1, 2 P(X <= min(a, b))) with X ~ Binomial(a + b, 1/2)?"""
    exercise = "Paired p-value"
    if unanswered(exercise, paired_p_value):
        return False
    if not callable(paired_p_value):
        return report(exercise, False, f"paired_p_value should be a function, got {type(paired_p_value).__name__}.")
    for a, b in _SPLITS:
        got, failed = call_safely(exercise, paired_p_value, a, b)
        if failed is not None:
            return failed
        try:
            got = float(got)
        except (TypeError, ValueError, OverflowError):
            return report(exercise, False, f"paired_p_value({a}, {b}) should return a number, got {got!r:.60}.")
        expected = binomial_sign_p_value(a, a + b)
        if np.isclose(got, expected, rtol=1e-9, atol=1e-15):
            continue
        n, m = a + b, min(a, b)
        one_sided = expected / 2 if expected < 1 else None
        if one_sided is not None and np.isclose(got, one_sided, rtol=1e-9):
            hint = "that is one tail only; either setting could have come out ahead, so double it (two-sided)."
        elif n and np.isclose(got, 2 * sum(math.comb(n, i) for i in range(m + 1)) / 2 ** n) and got > 1:
            hint = "a p-value cannot exceed 1: return min(1, 2 * tail)."
        elif n and np.isclose(got, 2 * sum(math.comb(n, i) for i in range(m)) / 2 ** n):
            hint = "'at least as uneven' includes the split you saw: sum P(X = i) for i = 0 ... min(a, b)."
        elif n == 0:
            hint = "no start differs (a + b = 0): there is no evidence either way, so p = 1."
        else:
            hint = ("only the starts that differ count: n = a + b; under 'equally good' each is a fair coin "
                    "flip, P(X = i) = C(n, i) / 2**n (math.comb).")
        return report(exercise, False, f"paired_p_value({a}, {b}) gave {got:.6g}, expected {expected:.6g}. Hint: {hint}")
    return report(exercise, True, f"right for all {len(_SPLITS)} splits, e.g. 4 : 1 gives "
                                  f"{binomial_sign_p_value(4, 5):.4f} and 27 : 12 gives {binomial_sign_p_value(27, 39):.4f}.")
