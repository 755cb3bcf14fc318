"""Tests of common.run_statistics against values worked out by hand."""

import numpy as np
import pytest

from common.run_statistics import (binomial_sign_p_value, first_iteration_below, mcnemar_test, sign_test,
                                   summarize_runs, wilson_interval)


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


def test_binomial_sign_p_value_by_hand():
    assert binomial_sign_p_value(0, 5) == pytest.approx(2 / 32)            # 2 * P(X = 0)
    assert binomial_sign_p_value(2, 10) == pytest.approx(2 * (1 + 10 + 45) / 1024)
    assert binomial_sign_p_value(8, 10) == binomial_sign_p_value(2, 10)     # two-sided: symmetric
    assert binomial_sign_p_value(5, 10) == 1.0 and binomial_sign_p_value(0, 0) == 1.0
    assert binomial_sign_p_value(0, 200) == pytest.approx(2.0 ** -199)      # exact far in the tail
    with pytest.raises(ValueError, match="0 <= k <= n"):
        binomial_sign_p_value(6, 5)


def test_mcnemar_counts_only_the_discordant_starts():
    a = np.array([1, 1, 1, 1, 1, 1, 0, 0, 1, 0], dtype=bool)
    b = np.array([1, 1, 0, 0, 0, 0, 0, 1, 1, 0], dtype=bool)
    result = mcnemar_test(a, b)
    assert (result.a_better, result.b_better, result.ties, result.n_differ) == (4, 1, 5, 5)
    assert result.p_value == pytest.approx(2 * (1 + 5) / 32)
    # Adding starts that both solve (or both fail) changes nothing: ties carry no information.
    more = mcnemar_test(np.r_[a, [True] * 50, [False] * 50], np.r_[b, [True] * 50, [False] * 50])
    assert (more.a_better, more.b_better, more.p_value) == (4, 1, result.p_value)
    swapped = mcnemar_test(b, a)
    assert (swapped.a_better, swapped.b_better, swapped.p_value) == (1, 4, result.p_value)


def test_paired_test_sees_what_overlapping_intervals_hide():
    # 200 starts: A solves 110, B solves 90, and A solves every start B solves.
    a = np.arange(200) < 110
    b = np.arange(200) < 90
    low_a, _ = wilson_interval(110, 200)
    _, high_b = wilson_interval(90, 200)
    assert low_a < high_b                                  # the 95% intervals overlap ...
    assert mcnemar_test(a, b).p_value < 1e-5               # ... yet 20 : 0 on the same starts is clear


def test_sign_test_with_never_and_ties():
    a = np.array([100, 200, np.inf, 50, np.inf, 300, 10])
    b = np.array([150, 200, 400, np.inf, np.inf, 250, 20])
    result = sign_test(a, b)
    # a faster: 100<150, 50<inf, 10<20; b faster: 400<inf, 250<300; ties: 200=200, inf=inf
    assert (result.a_better, result.b_better, result.ties) == (3, 2, 2)
    assert result.p_value == 1.0
    assert sign_test(np.arange(10.0), np.arange(10.0) + 1).p_value == pytest.approx(2 / 1024)


@pytest.mark.parametrize("call, message", [
    (lambda: mcnemar_test([True, False], [True]), "same length"),
    (lambda: sign_test(np.zeros((2, 2)), np.zeros((2, 2))), "1-d arrays"),
    (lambda: sign_test([1.0, np.nan], [1.0, 2.0]), "not NaN"),
    (lambda: mcnemar_test([], []), "one entry per start"),
])
def test_paired_tests_reject_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call()
