"""Numerical differentiation (数値微分) and gradient descent (勾配降下法).

Introduced in notebook 04 (sections 4.3 and 4.4). Notebook 05 uses ``numerical_gradient`` to check
backpropagation.

The derivative is approximated by the central difference

    df/dx ≈ (f(x + h) - f(x - h)) / (2h),   h = 1e-4,

whose error shrinks like h², against h for the forward difference (f(x + h) - f(x)) / h. A much
smaller h does not help: in floating point, x + h rounds back to x and the difference becomes 0.
"""

import numpy as np

__all__ = ["numerical_diff", "numerical_gradient", "numerical_gradient_2d", "gradient_descent",
           "np"]  # a star import gives NumPy too, as the book's module does

H = 1e-4


def numerical_diff(f, x, h=H):
    """The derivative of a one-variable function ``f`` at ``x`` by the central difference."""
    return (f(x + h) - f(x - h)) / (2 * h)


def numerical_gradient(f, x, h=H):
    """The gradient (勾配) of ``f`` at ``x``: every partial derivative df/dx_i, same shape as ``x``.

    ``x`` may have any shape (a vector, a weight matrix, ...). Each element is nudged by +h and -h in
    turn and ``f`` is evaluated; this is why a network can pass its own weight matrix as ``x`` with an
    ``f`` that ignores its argument and just recomputes the loss: the nudge is seen through the
    shared array. Every element is restored right after use (also if ``f`` raises), so ``x`` is
    unchanged afterwards.

    Costs 2 evaluations of ``f`` per element of ``x``: fine for checking, far too slow for training.
    Use float64 for checks: in float32 a step of 1e-4 loses most of the digits.
    """
    if not isinstance(x, np.ndarray) or not np.issubdtype(x.dtype, np.floating):
        what = f"an array of dtype {x.dtype}" if isinstance(x, np.ndarray) else type(x).__name__
        raise TypeError(f"numerical_gradient needs a float NumPy array to nudge, got {what}")
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        original = x[index]
        try:
            x[index] = original + h
            f_plus = f(x)
            x[index] = original - h
            f_minus = f(x)
        finally:
            x[index] = original
        grad[index] = (f_plus - f_minus) / (2 * h)
    return grad


def numerical_gradient_2d(f, X, h=H):
    """The gradient of ``f`` at each row of X: for a batch of points, one gradient per point.

    ``f`` takes one point (a 1-D vector). The book's chapter-4 script gradient_2d.py draws the
    gradient of f(x0, x1) = x0^2 + x1^2 as arrows at a grid of points this way. A 1-D X is one point.
    """
    X = np.array(X, dtype=np.float64)  # a copy: the rows are nudged in place while they are evaluated
    if X.ndim == 1:
        return numerical_gradient(f, X, h)
    if X.ndim != 2:
        raise ValueError(f"numerical_gradient_2d expected points as rows (N, D) or one point (D,), got {X.shape}")
    return np.array([numerical_gradient(f, row, h) for row in X]).reshape(X.shape)


def gradient_descent(f, init_x, lr=0.01, step_num=100, return_history=False):
    """Repeat x <- x - lr * grad f(x) for ``step_num`` steps from ``init_x`` (which is not modified).

    lr is the learning rate (学習率). Returns the final x, and with ``return_history=True`` also an
    array of every x visited, starting with ``init_x`` (shape ``(step_num + 1, *x.shape)``).
    """
    if not float(step_num).is_integer() or step_num < 0:
        raise ValueError(f"step_num must be a whole number of steps, got {step_num!r}")
    x = np.array(init_x, dtype=float)  # a copy: the caller's starting point stays as it was
    history = [x.copy()]
    for _ in range(int(step_num)):
        x -= lr * numerical_gradient(f, x)
        history.append(x.copy())
    return (x, np.array(history)) if return_history else x
