"""Tests of common.perceptron: the gates' truth tables against the definitions of the gates."""

import numpy as np
import pytest

from common.perceptron import AND, INPUTS, NAND, OR, XOR, perceptron, truth_table

x1, x2 = INPUTS[:, 0], INPUTS[:, 1]


@pytest.mark.parametrize("gate, expected", [
    (AND, x1 & x2),
    (NAND, 1 - (x1 & x2)),
    (OR, x1 | x2),
    (XOR, x1 ^ x2),
])
def test_truth_tables_match_boolean_logic(gate, expected):
    np.testing.assert_array_equal(truth_table(gate), expected)
    np.testing.assert_array_equal(gate(x1, x2), expected)  # vectorised over arrays too
    assert all(isinstance(gate(a, b), int) for a, b in INPUTS)  # plain ints for single inputs


def test_perceptron_fires_only_strictly_above_zero():
    assert perceptron([1.0, 1.0], [0.5, 0.5], -1.0) == 0  # exactly on the line: does not fire
    assert perceptron([1.0, 1.0], [0.5, 0.5], -0.99) == 1
    np.testing.assert_array_equal(perceptron(INPUTS, [1, 1], -1.5), [0, 0, 0, 1])


def test_perceptron_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="perceptron expected inputs with 2 values"):
        perceptron([1, 0, 1], [0.5, 0.5], -0.7)
