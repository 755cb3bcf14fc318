"""Tests of common.rng: one seed makes every random stream repeat."""

import random

import numpy as np
import pytest

from common.rng import rng, seed


def draws():
    return rng().normal(size=3), np.random.rand(3), random.random()


def test_same_seed_same_numbers_different_seed_different_numbers():
    seed(7)
    first = draws()
    seed(7)
    again = draws()
    seed(8)
    other = draws()
    for a, b, c in zip(first, again, other):
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, c)


@pytest.mark.parametrize("bad", [-1, 1.5, "0", True])
def test_seed_rejects_non_integers(bad):
    with pytest.raises(ValueError, match="non-negative integer"):
        seed(bad)
