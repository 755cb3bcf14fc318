"""The checkers of notebook 06b accept right answers and reject wrong ones, with a useful message."""

import numpy as np

from common.exercises.regularization import check_batchnorm_forward, check_dropout, check_log_uniform




# ----- (a) batch normalisation forward ---------------------------------------------------------

def batchnorm_forward(x, gamma, beta, eps=1e-7):
    mu = x.mean(axis=0)
    xc = x - mu
    var = np.mean(xc ** 2, axis=0)
    return gamma * xc / np.sqrt(var + eps) + beta


def test_batchnorm_accepts_a_right_answer(capsys):
    assert check_batchnorm_forward(batchnorm_forward)
    assert "Correct!" in capsys.readouterr().out


def test_batchnorm_accepts_np_var_and_a_larger_eps():
    assert check_batchnorm_forward(lambda x, g, b: g * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + 1e-5) + b)


def test_batchnorm_names_common_slips(capsys):
    slips = {
        "divide by N)": lambda x, g, b: g * (x - x.mean(0)) / np.sqrt(x.var(0, ddof=1) + 1e-7) + b,
        "scale and shift them": lambda x, g, b: (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-7),
        "gamma and beta are swapped": lambda x, g, b: b * (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-7) + g,
        "did not divide": lambda x, g, b: g * (x - x.mean(0)) + b,
        "not by the variance itself": lambda x, g, b: g * (x - x.mean(0)) / (x.var(0) + 1e-7) + b,
        "each row, axis=1": lambda x, g, b: g * (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + 1e-7) + b,
    }
    for phrase, answer in slips.items():
        assert not check_batchnorm_forward(answer)
        assert phrase in capsys.readouterr().out, phrase


def test_batchnorm_rejects_wrong_shapes_errors_and_mutation(capsys):
    assert not check_batchnorm_forward(lambda x, g, b: x.mean(axis=0))
    assert "should have shape (8, 5)" in capsys.readouterr().out
    assert not check_batchnorm_forward(lambda x, g, b: 1 / 0)
    assert "raised ZeroDivisionError" in capsys.readouterr().out

    def in_place(x, gamma, beta):
        x -= x.mean(axis=0)
        x /= np.sqrt(np.mean(x ** 2, axis=0) + 1e-7)
        return gamma * x + beta

    assert not check_batchnorm_forward(in_place)
    assert "changed the input array" in capsys.readouterr().out


# ----- (b) inverted dropout --------------------------------------------------------------------

def test_dropout_accepts_a_right_answer(capsys):
    assert check_dropout(lambda x, mask, r: x * mask / (1 - r), lambda d, mask, r: d * mask / (1 - r))
    assert "Correct!" in capsys.readouterr().out


def test_dropout_names_common_slips(capsys):
    right = lambda d, mask, r: d * mask / (1 - r)  # noqa: E731
    slips = {
        "scaled up by 1 / (1 - dropout_ratio)": lambda x, mask, r: x * mask,
        "book's inference-time": lambda x, mask, r: x * mask * (1 - r),
        "not the other way round": lambda x, mask, r: x * ~mask / (1 - r),
        "dropped none": lambda x, mask, r: x / (1 - r),
    }
    for phrase, forward in slips.items():
        assert not check_dropout(forward, right)
        assert phrase in capsys.readouterr().out, phrase
    assert not check_dropout(right, lambda d, mask, r: d)
    out = capsys.readouterr().out
    assert "backward pass" in out and "nothing was dropped" in out


# ----- (c) log-uniform sampling ----------------------------------------------------------------

def test_log_uniform_accepts_a_right_answer(capsys):
    generator = np.random.default_rng(0)
    assert check_log_uniform(lambda low, high, size: 10 ** generator.uniform(np.log10(low), np.log10(high), size))
    assert "Correct!" in capsys.readouterr().out


def test_log_uniform_rejects_uniform_values_exponents_and_constants(capsys):
    generator = np.random.default_rng(1)
    assert not check_log_uniform(lambda low, high, size: generator.uniform(low, high, size))
    assert "top decade" in capsys.readouterr().out
    assert not check_log_uniform(lambda low, high, size: generator.uniform(np.log10(low), np.log10(high), size))
    assert "returned exponents" in capsys.readouterr().out
    assert not check_log_uniform(lambda low, high, size: np.full(size, np.sqrt(low * high)))
    assert "all your values are the same" in capsys.readouterr().out
    assert not check_log_uniform(lambda low, high, size: 10 ** generator.uniform(-6, -2, size))  # fixed range
    assert "must lie in the range" in capsys.readouterr().out


def test_log_uniform_rejects_an_uneven_spread(capsys):
    generator = np.random.default_rng(2)

    def squeezed(low, high, size):  # the exponent is not uniform: a triangle, crowded in the middle
        a, b = np.log10(low), np.log10(high)
        return 10 ** ((generator.uniform(a, b, size) + generator.uniform(a, b, size)) / 2)

    assert not check_log_uniform(squeezed)
    assert "should get about 0.25" in capsys.readouterr().out
    assert not check_log_uniform(lambda low, high, size: [low] * 3)
    assert "should have shape (20000,)" in capsys.readouterr().out
