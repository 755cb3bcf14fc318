"""Statistics over many training runs that differ only in their random start.

Introduced in notebook 07 (the XOR experiment), section 7.4.

One run of a small network is an anecdote: the same settings from another random start may learn
quickly, slowly or not at all. So a setting is judged by many runs, and reported as

- the share of runs that reach a loss threshold, with a 95% interval (Wilson's score interval), and
- how many iterations the runs that got there needed: the median and the quartiles.

A run that never reached the threshold has ``np.inf`` iterations.

Comparing two settings (added in notebook 07b, section 7.10). When both settings are trained from
the *same* starts, the comparison is paired (対応のある比較): start r under setting A and start r
under setting B differ only in the setting. Then the right question is "on how many starts does A
do better than B, and on how many worse?", and the starts where both do the same carry no
information about the difference. Two exact tests ask it:

- ``mcnemar_test`` (マクネマー検定) for solved / not solved per start;
- ``sign_test`` (符号検定) for the iterations per start (which of the two reached the threshold first).

Both reduce to the same calculation: among the n starts that differ, count the k that favour A.
If the settings were equally good, each differing start would favour A or B with probability 1/2,
like a fair coin, so k would follow the binomial distribution Binomial(n, 1/2). The two-sided
p-value is the probability of a split at least as uneven as the one seen,

    p = min(1, 2 * P(X <= min(k, n - k))),   X ~ Binomial(n, 1/2),   P(X <= m) = Σ_{i<=m} C(n, i) / 2^n,

computed exactly with whole numbers. A small p (say below 0.05) says "a split this uneven would be
rare if the settings were equally good". Overlapping 95 % intervals of the two shares are *not* such
a test: they ignore the pairing and are far too cautious.
"""

import math

from dataclasses import dataclass

import numpy as np

__all__ = ["first_iteration_below", "wilson_interval", "RunSummary", "summarize_runs", "binomial_sign_p_value",
           "PairedComparison", "mcnemar_test", "sign_test"]


def first_iteration_below(history, threshold, steps=None):
    """For each row of ``history`` (R, K), the first step whose value is <= ``threshold``.

    ``steps`` (K,) names the iteration of each column (default 0, 1, ..., K-1). Rows that never get
    there give ``np.inf``. (``np.argmax`` alone would give 0 for them: the first True of an all-False
    row does not exist, and argmax returns the first index then.)
    """
    history = np.asarray(history, dtype=np.float64)
    if history.ndim != 2:
        raise ValueError(f"first_iteration_below expected a history of shape (runs, steps), got {history.shape}")
    steps = np.arange(history.shape[1]) if steps is None else np.asarray(steps)
    if steps.shape != (history.shape[1],):
        raise ValueError(f"steps should have one entry per column, shape ({history.shape[1]},), got {steps.shape}")
    below = history <= threshold
    first = np.argmax(below, axis=1)
    return np.where(below.any(axis=1), steps[first].astype(np.float64), np.inf)


def wilson_interval(successes, n, z=1.96):
    """(low, high): Wilson's 95% score interval for a share ``successes / n``.

    Unlike share ± 2 standard errors, it stays inside [0, 1] and is sensible for 0 or n successes.
    """
    if n <= 0 or not 0 <= successes <= n:
        raise ValueError(f"wilson_interval needs 0 <= successes <= n and n > 0, got {successes} of {n}")
    p = successes / n
    centre = (p + z ** 2 / (2 * n)) / (1 + z ** 2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z ** 2 / (4 * n ** 2)) / (1 + z ** 2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class RunSummary:
    """One setting summarised over its runs (see ``summarize_runs``)."""
    n_runs: int
    n_reached: int
    share: float          # n_reached / n_runs
    share_low: float      # Wilson 95% interval of the share
    share_high: float
    median: float         # iterations, over the runs that reached the threshold (nan if none did)
    q25: float            # quartiles of those iterations (nan if none did)
    q75: float


def summarize_runs(iterations):
    """Summarise iterations-to-threshold of many runs (``np.inf`` = never reached) as a RunSummary."""
    iterations = np.asarray(iterations, dtype=np.float64).ravel()
    if iterations.size == 0:
        raise ValueError("summarize_runs needs at least one run")
    reached = iterations[np.isfinite(iterations)]
    low, high = wilson_interval(reached.size, iterations.size)
    if reached.size:
        q25, median, q75 = np.percentile(reached, [25, 50, 75])
    else:
        q25 = median = q75 = np.nan
    return RunSummary(iterations.size, reached.size, reached.size / iterations.size, low, high,
                      float(median), float(q25), float(q75))


# ---------------------------------------------------------------------------------------------
# Paired comparisons: the same starts under two settings
# ---------------------------------------------------------------------------------------------

def binomial_sign_p_value(k, n):
    """Exact two-sided p-value of k successes in n fair coin flips: min(1, 2 P(X <= min(k, n-k))).

    X ~ Binomial(n, 1/2). Computed with whole numbers (math.comb), so it is exact for any n. For
    n = 0 (no start differs) there is no evidence either way and the p-value is 1.
    """
    if isinstance(n, bool) or not float(n).is_integer() or n < 0 or not 0 <= k <= n or not float(k).is_integer():
        raise ValueError(f"binomial_sign_p_value needs whole numbers 0 <= k <= n, got k={k!r}, n={n!r}")
    k, n = int(k), int(n)
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(k, n - k) + 1))
    return min(1.0, 2 * tail / 2 ** n)


@dataclass
class PairedComparison:
    """The result of ``mcnemar_test`` or ``sign_test`` for settings A and B on the same starts.

    a_better:  starts on which A did better (solved where B did not; or reached the threshold first)
    b_better:  starts on which B did better
    ties:      starts on which both did the same (they do not enter the test)
    p_value:   the exact two-sided p-value of the split a_better : b_better (binomial_sign_p_value)
    """
    a_better: int
    b_better: int
    ties: int
    p_value: float

    @property
    def n_differ(self):
        """How many starts differ between the settings: the n of the test."""
        return self.a_better + self.b_better


def _paired(a, b, name):
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim != 1 or a.shape != b.shape or a.size == 0:
        raise ValueError(f"{name} expected two results per start, as two 1-d arrays of the same length "
                         f"(one entry per start), got shapes {a.shape} and {b.shape}")
    return a, b


def mcnemar_test(solved_a, solved_b):
    """McNemar's exact test (マクネマー検定): does A solve more of the same starts than B?

    ``solved_a[r]``, ``solved_b[r]``: True if start r reached the threshold under setting A (B).
    Starts solved by both or by neither are ties; the test looks only at the discordant starts,
    solved by A alone (a_better) or by B alone (b_better). Under "A and B are equally good" each
    discordant start is a fair coin flip, so a_better ~ Binomial(a_better + b_better, 1/2); the
    p-value is ``binomial_sign_p_value(a_better, a_better + b_better)``.
    """
    a, b = _paired(solved_a, solved_b, "mcnemar_test")
    a, b = a.astype(bool), b.astype(bool)
    a_better, b_better = int(np.sum(a & ~b)), int(np.sum(b & ~a))
    return PairedComparison(a_better, b_better, a.size - a_better - b_better,
                            binomial_sign_p_value(a_better, a_better + b_better))


def sign_test(iterations_a, iterations_b):
    """The sign test (符号検定) on iterations to the threshold: does A get there first on more starts?

    ``iterations_a[r]``, ``iterations_b[r]``: start r's iterations to the threshold under A and B
    (``np.inf`` = never, which counts as slower than any number of iterations). A start is a_better
    if A needed fewer iterations, b_better if B did; equal counts (including never under both) are
    ties. Only the signs of the differences enter, not their sizes, so one very slow run cannot
    dominate, and runs that never arrive can take part. p-value as in ``mcnemar_test``.
    """
    a, b = _paired(iterations_a, iterations_b, "sign_test")
    a, b = a.astype(np.float64), b.astype(np.float64)
    if np.isnan(a).any() or np.isnan(b).any():
        raise ValueError("sign_test: iterations must be numbers or np.inf (never), not NaN")
    a_better, b_better = int(np.sum(a < b)), int(np.sum(b < a))
    return PairedComparison(a_better, b_better, a.size - a_better - b_better,
                            binomial_sign_p_value(a_better, a_better + b_better))
