"""One seedable source of randomness, so a notebook run twice prints the same numbers.

Introduced in notebook 01 (set-up).

    >>> from common.rng import seed, rng
    >>> seed(0)                 # at the top of every notebook
    >>> w = rng().normal(size=(2, 3))

``seed(n)`` also seeds NumPy's older global functions (``np.random.randn``, ``np.random.choice``)
and Python's ``random``, because the book's code uses them; code in ``common`` draws from ``rng()``.
"""

import random

import numpy as np

_generator = np.random.default_rng(0)


def seed(n: int = 0) -> None:
    """Restart every random stream the project uses from the integer ``n``."""
    global _generator
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"seed expects a non-negative integer, got {n!r}")
    _generator = np.random.default_rng(n)
    np.random.seed(n % 2**32)  # the legacy global seed only takes 32 bits
    random.seed(n)


def rng() -> np.random.Generator:
    """The project's random number generator (a ``numpy.random.Generator``)."""
    return _generator
