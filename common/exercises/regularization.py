"""Checkers for the exercises of notebook 06b (batch normalisation, regularisation, hyperparameter search).

Introduced in notebook 06b, "Try it".

(a) ``check_batchnorm_forward``: batch normalisation of a batch in training mode.
(b) ``check_dropout``: inverted dropout, forward and backward, for a given mask.
(c) ``check_log_uniform``: drawing a hyperparameter on a log scale, 10 ** uniform(a, b).
"""

import numpy as np

from common.exercises import call_safely, checker, report, unanswered
from common.layers import BatchNormalization

EPS = 1e-6  # the eps of common.layers.BatchNormalization (the book's 10e-7)



def _as_array(exercise, value, shape, what):
    """``value`` as a float array of ``shape``, or None after printing a verdict."""
    if value is None:
        report(exercise, False, f"{what} is None. Did you forget `return`?")
        return None
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        report(exercise, False, f"{what} should be a NumPy array, got {type(value).__name__}.")
        return None
    if array.shape != shape:
        report(exercise, False, f"{what} should have shape {shape} (the shape of the input), got {array.shape}.")
        return None
    return array


# ---------------------------------------------------------------------------------------------
# (a) Batch normalisation, training mode
# ---------------------------------------------------------------------------------------------

def _batchnorm_cases():
    generator = np.random.default_rng(6)
    cases = []
    for n, d in [(8, 5), (50, 3), (2, 4)]:
        x = generator.normal(3.0, 2.0, size=(n, d)) * generator.uniform(0.5, 4.0, size=d)
        gamma = generator.uniform(0.5, 2.0, size=d)
        beta = generator.normal(0.0, 1.0, size=d)
        cases.append((x, gamma, beta))
    return cases


def _batchnorm_hint(got, x, gamma, beta):
    """Name a common slip if ``got`` matches it."""
    def normalise(axis=0, ddof=0, eps=EPS):
        centred = x - x.mean(axis=axis, keepdims=True)
        return centred / np.sqrt(x.var(axis=axis, ddof=ddof, keepdims=True) + eps)

    slips = [
        (gamma * normalise(ddof=1) + beta, "you divided the variance by N - 1; batch normalisation uses the "
                                           "batch's own variance, the mean of (x - mu)**2 (divide by N)."),
        (normalise(), "the normalised values are right, but scale and shift them: gamma * x_hat + beta."),
        (beta * normalise() + gamma, "gamma and beta are swapped: gamma scales (multiplies), beta shifts (adds)."),
        (gamma * (x - x.mean(axis=0)) + beta, "you centred the values but did not divide by sqrt(var + eps)."),
        (gamma * (x - x.mean(axis=0)) / (x.var(axis=0) + EPS) + beta,
         "divide by the standard deviation, sqrt(var + eps), not by the variance itself."),
    ]
    for candidate, hint in slips:
        if np.allclose(got, candidate, atol=1e-6):
            return hint
    if np.allclose((got - beta) / gamma, normalise(axis=1), atol=1e-6):
        return "you normalised each sample (each row, axis=1); normalise each feature over the batch (axis=0)."
    return ("compare step by step: mu = x.mean(axis=0), var = np.mean((x - mu)**2, axis=0), "
            "x_hat = (x - mu) / np.sqrt(var + eps), out = gamma * x_hat + beta.")


@checker("Batch normalisation forward")
def check_batchnorm_forward(batchnorm_forward):
    """Does ``batchnorm_forward(x, gamma, beta)`` normalise a batch (N, D) feature by feature, as
    common.layers.BatchNormalization does in training mode (eps = 1e-6)?"""
    exercise = "Batch normalisation forward"
    if unanswered(exercise, batchnorm_forward):
        return False
    for x, gamma, beta in _batchnorm_cases():
        x_before = x.copy()
        got, failed = call_safely(exercise, batchnorm_forward, x, gamma, beta)
        if failed is not None:
            return failed
        got = _as_array(exercise, got, x.shape, "the output")
        if got is None:
            return False
        if not np.array_equal(x, x_before):
            return report(exercise, False, "your function changed the input array x; compute new arrays "
                                           "(x - mu makes a new one) instead of writing into x.")
        expected = BatchNormalization(gamma, beta).forward(x, train_flg=True)
        if not np.allclose(got, expected, rtol=1e-4, atol=1e-4):  # eps = 1e-5 is fine too
            worst = float(np.max(np.abs(got - expected)))
            return report(exercise, False, f"for a batch of shape {x.shape} your output differs from "
                                           f"common.layers.BatchNormalization by up to {worst:.3g}: "
                                           + _batchnorm_hint(got, x, gamma, beta))
    return report(exercise, True, "your batch normalisation agrees with common.layers.BatchNormalization on "
                                  "three batches (2, 8 and 50 samples): every feature is centred on beta with "
                                  "spread gamma.")


# ---------------------------------------------------------------------------------------------
# (b) Inverted dropout with a given mask
# ---------------------------------------------------------------------------------------------

def _dropout_hint(part, got, value, mask, ratio):
    """Name a common slip in the forward (part='forward') or backward pass."""
    slips = [
        (value * mask, "the kept values must be scaled up by 1 / (1 - dropout_ratio), so that their "
                       "expected value stays what it was without dropout."),
        (value * mask * (1 - ratio), "multiplying by (1 - dropout_ratio) is the book's inference-time "
                                     "scaling; inverted dropout divides by (1 - dropout_ratio) while training."),
        (value * ~mask / (1 - ratio), "the mask is True where a neuron survives: keep those values and zero "
                                      "the others, not the other way round."),
        (value / (1 - ratio), "you scaled every value but dropped none: multiply by the mask too."),
        (value, "nothing was dropped: multiply by the mask and by 1 / (1 - dropout_ratio)."),
    ]
    for candidate, hint in slips:
        if np.allclose(got, candidate):
            return hint
    if part == "backward":
        return "the gradient goes back through the same mask and the same factor 1 / (1 - dropout_ratio)."
    return "the output should be x * mask / (1 - dropout_ratio)."


@checker("Inverted dropout")
def check_dropout(dropout_forward, dropout_backward):
    """Do ``dropout_forward(x, mask, dropout_ratio)`` and ``dropout_backward(dout, mask, dropout_ratio)``
    agree with inverted dropout (x * mask / (1 - dropout_ratio), as common.layers.Dropout computes it
    with inverted=True) for the same mask?

    The reference is written out here rather than taken from the layer, whose default follows the
    book (no scaling while training) and so is not the answer this exercise asks for."""
    exercise = "Inverted dropout"
    if unanswered(exercise, dropout_forward, dropout_backward):
        return False
    generator = np.random.default_rng(7)
    for ratio, shape in [(0.2, (4, 6)), (0.5, (10, 3))]:
        uniform = generator.random(shape)
        mask = uniform >= ratio  # True = this neuron survives, as in common.layers.Dropout
        x = generator.normal(size=shape)
        dout = generator.normal(size=shape)
        expected_out = x * mask / (1 - ratio)  # inverted dropout: survivors scaled up while training
        expected_dx = dout * mask / (1 - ratio)  # the gradient takes the same path back
        for part, function, value, expected in [("forward", dropout_forward, x, expected_out),
                                                ("backward", dropout_backward, dout, expected_dx)]:
            got, failed = call_safely(exercise, function, value, mask.copy(), ratio)
            if failed is not None:
                return failed
            got = _as_array(exercise, got, shape, f"the {part} output")
            if got is None:
                return False
            if not np.allclose(got, expected):
                return report(exercise, False, f"{part} pass with dropout_ratio={ratio}: "
                                               + _dropout_hint(part, got, value, mask, ratio))
    return report(exercise, True, "forward and backward agree with common.layers.Dropout: dropped neurons "
                                  "give 0 and pass no gradient; survivors are scaled by 1 / (1 - ratio).")


# ---------------------------------------------------------------------------------------------
# (c) Log-uniform sampling of a hyperparameter
# ---------------------------------------------------------------------------------------------

@checker("Log-uniform sampling")
def check_log_uniform(log_uniform):
    """Does ``log_uniform(low, high, size)`` return ``size`` numbers between low and high whose
    log10 is spread evenly (every decade equally likely)?"""
    exercise = "Log-uniform sampling"
    if unanswered(exercise, log_uniform):
        return False
    size = 20_000
    for low, high in [(1e-6, 1e-2), (1e-8, 1e-4), (0.1, 10.0)]:
        samples, failed = call_safely(exercise, log_uniform, low, high, size)
        if failed is not None:
            return failed
        samples = _as_array(exercise, samples, (size,), f"log_uniform({low:g}, {high:g}, {size})")
        if samples is None:
            return False
        if np.any(samples <= 0) and np.all(samples <= np.log10(high)):
            return report(exercise, False, f"log_uniform({low:g}, {high:g}, size) returned exponents such as "
                                           f"{samples[0]:.3f}; return 10 ** exponent, the hyperparameter itself.")
        if np.any(samples < low * (1 - 1e-9)) or np.any(samples > high * (1 + 1e-9)):
            return report(exercise, False, f"for the range {low:g} to {high:g} you returned values from "
                                           f"{samples.min():.3g} to {samples.max():.3g}; every value must lie "
                                           f"in the range.")
        a, b = np.log10(low), np.log10(high)
        exponents = np.log10(samples)
        decades = int(round(b - a))
        fractions = np.histogram(exponents, bins=decades, range=(a, b))[0] / size
        if fractions[-1] > 0.8:
            return report(exercise, False, f"for {low:g} to {high:g}, {fractions[-1]:.0%} of your values lie in "
                                           f"the top decade ({10 ** (b - 1):g} to {high:g}): that is uniform "
                                           f"sampling of the value. Draw the exponent uniformly instead: "
                                           f"10 ** uniform(log10(low), log10(high)).")
        if np.std(exponents) < 1e-9:
            return report(exercise, False, "all your values are the same: draw a new random number for each.")
        expected = 1 / decades
        if np.max(np.abs(fractions - expected)) > 0.03:
            shares = ", ".join(f"{f:.2f}" for f in fractions)
            return report(exercise, False, f"for {low:g} to {high:g} each of the {decades} decades should get "
                                           f"about {expected:.2f} of the values; yours get {shares}. The exponent "
                                           f"must be uniform between log10(low) and log10(high).")
    return report(exercise, True, "your samples stay in range and every decade (1e-6 to 1e-5, 1e-5 to 1e-4, "
                                  "...) is equally likely: the logarithm is uniformly spread.")
