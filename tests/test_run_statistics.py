"""Tests of common.run_statistics against values worked out by hand."""

import numpy as np
import pytest

from common.run_statistics import first_iteration_below, summarize_runs, wilson_interval


def test_first_iteration_below():
    history = np.array([[0.9, 0.5, 0.01, 0.2],    # reaches at index 2 (and leaves again)
                        [0.9, 0.8, 0.7, 0.6],      # never: inf, not 0
                        [0.005, 0.9, 0.9, 0.9],    # at the very start
                        [0.9, 0.9, 0.9, 0.01]])    # exactly the threshold counts
    np.testing.assert_array_equal(first_iteration_below(history, 0.01), [2, np.inf, 0, 3])
    np.testing.assert_array_equal(first_iteration_below(history, 0.01, steps=[0, 10, 20, 25]),
                                  [20, np.inf, 0, 25])


def test_first_iteration_below_rejects_bad_shapes():
    with pytest.raises(ValueError, match=r"shape \(runs, steps\)"):
        first_iteration_below(np.zeros(5), 0.1)
    with pytest.raises(ValueError, match=r"one entry per column, shape \(3,\)"):
        first_iteration_below(np.zeros((2, 3)), 0.1, steps=[0, 1])


def test_wilson_interval():
    low, high = wilson_interval(0, 10)
    assert low == 0 and high == pytest.approx(0.2775, abs=1e-4)
    low, high = wilson_interval(5, 10)
    assert low == pytest.approx(0.2366, abs=1e-4) and high == pytest.approx(0.7634, abs=1e-4)
    low, high = wilson_interval(100, 200)
    assert low == pytest.approx(1 - high) and high - low < 0.14  # more runs, narrower interval
    assert wilson_interval(10, 10)[1] == 1.0
    with pytest.raises(ValueError, match="0 <= successes <= n"):
        wilson_interval(11, 10)


def test_summarize_runs():
    summary = summarize_runs([100, np.inf, 300, 200, np.inf])
    assert (summary.n_runs, summary.n_reached, summary.share) == (5, 3, 0.6)
    assert (summary.q25, summary.median, summary.q75) == (150, 200, 250)
    assert summary.share_low < 0.6 < summary.share_high
    none = summarize_runs([np.inf, np.inf])
    assert none.share == 0 and np.isnan(none.median)
    with pytest.raises(ValueError, match="at least one run"):
        summarize_runs([])
