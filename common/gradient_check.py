"""Gradient checking (勾配確認): compare backpropagation with numerical gradients.

Introduced in notebook 05, section 5.7.

Backpropagation is fast but easy to get subtly wrong; the numerical gradient (notebook 04) is slow but
simple enough to trust. If both agree to many digits, the backward pass is right. Always check in
float64: with float32 the numerical gradient itself is only good to about 3 digits.

    >>> errors = gradient_check(network, x_batch[:3], t_batch[:3])
    >>> errors        # mean |backprop - numerical| for every parameter (what the book prints)
    {'W1': 2.1e-13, 'b1': 9.7e-13, 'W2': 8.6e-13, 'b2': 1.2e-10}
    >>> gradient_check(network, x_batch[:3], t_batch[:3], measure="max_relative")
    {'W1': 3.4e-09, ...}   # the worst single element, relative to its size: what the tests use

A mean can hide one wrong element among thousands of right ones; the largest relative error of any
element cannot, so the tests use ``measure="max_relative"``.
"""

import numpy as np

from common.gradient import numerical_gradient

__all__ = ["mean_abs_difference", "max_relative_error", "gradient_check", "layer_gradient_check"]


def mean_abs_difference(analytic: dict, numeric: dict) -> dict:
    """{name: mean of |analytic - numeric|} for every name in ``numeric`` (shapes must match)."""
    differences = {}
    for name, expected in numeric.items():
        got = np.asarray(analytic[name])
        if got.shape != expected.shape:
            raise ValueError(f"gradient of {name}: backprop gives shape {got.shape}, numerical {expected.shape}")
        differences[name] = float(np.mean(np.abs(got - expected)))
    return differences


def max_relative_error(analytic: dict, numeric: dict, floor=1e-4) -> dict:
    """{name: the largest relative error of any single element} for every name in ``numeric``.

    Element by element: |a - n| / max(|a|, |n|, floor). Elements smaller than ``floor`` are measured
    on that absolute scale instead: a gradient that is really 0 (a bias just before batch norm, say)
    comes out of the central difference as rounding noise of about 1e-12, which relative to 0 would
    look like a 100 % error.
    """
    errors = {}
    for name, expected in numeric.items():
        got = np.asarray(analytic[name], dtype=np.float64)
        expected = np.asarray(expected, dtype=np.float64)
        if got.shape != expected.shape:
            raise ValueError(f"gradient of {name}: backprop gives shape {got.shape}, numerical {expected.shape}")
        denominator = np.maximum(np.maximum(np.abs(got), np.abs(expected)), floor)
        errors[name] = float(np.max(np.abs(got - expected) / denominator, initial=0.0))
    return errors


MEASURES = {"mean_abs": mean_abs_difference, "max_relative": max_relative_error}


def gradient_check(network, x, t, measure="mean_abs") -> dict:
    """Compare ``network.gradient`` with ``network.numerical_gradient`` for every parameter:
    ``measure="mean_abs"`` (the book's mean absolute difference) or ``"max_relative"``."""
    return MEASURES[measure](network.gradient(x, t), network.numerical_gradient(x, t))


def layer_gradient_check(layer, *inputs, params=(), seed=0, measure="mean_abs") -> dict:
    """Check one layer's backward pass against numerical gradients.

    The layer's output is turned into a number with a fixed random weighting ``dout``:
    L = sum(forward(*inputs) * dout), so dL/d(output) = dout. Then ``backward(dout)`` must equal the
    numerical dL/d(input) for every input it returns a gradient for, and the stored gradients ``d<name>`` must equal the
    numerical dL/d(parameter) for each name in ``params`` (e.g. ``params=("W", "b")`` for Affine).
    A layer whose forward returns a number (a loss layer) is checked with dout = 1.

    Returns {"x0": ..., "x1": ..., "W": ...} ("xi" is the i-th input): mean absolute differences, or
    with ``measure="max_relative"`` the largest relative error of any element.
    """
    inputs = [np.array(a, dtype=np.float64) if np.issubdtype(np.asarray(a).dtype, np.floating) else np.asarray(a)
              for a in inputs]
    out = layer.forward(*inputs)
    dout = 1.0 if np.ndim(out) == 0 else np.random.default_rng(seed).normal(size=np.shape(out))
    grads = layer.backward(dout)
    grads = grads if isinstance(grads, tuple) else (grads,)  # one gradient per input that has one
    analytic = {f"x{i}": g for i, g in enumerate(grads)}
    analytic.update({name: np.copy(getattr(layer, "d" + name)) for name in params})

    def loss(_):
        return float(np.sum(layer.forward(*inputs) * dout))

    # A loss layer returns a gradient for its scores but not for the labels: check what backward gives.
    numeric = {f"x{i}": numerical_gradient(loss, inputs[i]) for i in range(len(grads))}
    numeric.update({name: numerical_gradient(loss, getattr(layer, name)) for name in params})
    return MEASURES[measure](analytic, numeric)
