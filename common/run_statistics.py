"""Statistics over many training runs that differ only in their random start.

Introduced in notebook 07 (the XOR experiment), section 7.4.

One run of a small network is an anecdote: the same settings from another random start may learn
quickly, slowly or not at all. So a setting is judged by many runs, and reported as

- the share of runs that reach a loss threshold, with a 95% interval (Wilson's score interval), and
- how many iterations the runs that got there needed: the median and the quartiles.

A run that never reached the threshold has ``np.inf`` iterations.
"""

from dataclasses import dataclass

import numpy as np

__all__ = ["first_iteration_below", "wilson_interval", "RunSummary", "summarize_runs"]


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
