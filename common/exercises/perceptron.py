"""Checkers for the exercises of notebook 01 (perceptrons).

Introduced in notebook 01, "Try it".
"""

import itertools

import numpy as np

from common.exercises import report, unanswered
from common.perceptron import INPUTS, perceptron

NOR_TABLE = np.array([1, 0, 0, 0])
XNOR_TABLE = np.array([1, 0, 0, 1])


def check_nor(w1, w2, b):
    """Does a single perceptron with weights (w1, w2) and bias b compute NOR (NOT OR)?"""
    if unanswered("NOR", w1, w2, b):
        return False
    got = perceptron(INPUTS, [w1, w2], b)
    wrong = [(tuple(int(v) for v in x), int(y), int(t)) for x, y, t in zip(INPUTS, got, NOR_TABLE) if y != t]
    if not wrong:
        return report("NOR", True, f"w = ({w1}, {w2}), b = {b} computes NOR on all four inputs.")
    x, y, t = wrong[0]
    return report("NOR", False, f"for input {x} your perceptron gives {y}, NOR should give {t} "
                                f"({len(wrong)} of 4 rows wrong). Hint: NOR is OR with every output flipped; what happens to the sign of w1*x1 + w2*x2 + b if you flip the sign of all three parameters?")


def _reference_count(table, grid):
    """How many (w1, w2, b) in grid x grid x grid make a perceptron reproduce ``table``."""
    grid = np.asarray(grid, dtype=float)
    w1, w2, b = (a.ravel() for a in np.meshgrid(grid, grid, grid, indexing="ij"))
    weighted_sums = INPUTS[:, :1] * w1 + INPUTS[:, 1:] * w2 + b  # shape (4, number of candidates)
    outputs = (weighted_sums > 0).astype(int)
    return int(np.all(outputs == np.asarray(table)[:, None], axis=0).sum())


def check_grid_search(count_solutions):
    """Check a function ``count_solutions(table, grid)`` against our own count, for five gates.

    ``table`` lists the wanted outputs for the inputs (0,0), (1,0), (0,1), (1,1); ``grid`` is a 1-D
    array of candidate values, tried for each of w1, w2 and b.
    """
    if unanswered("Grid search", count_solutions):
        return False
    grid = np.linspace(-1.0, 1.0, 21)
    gates = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "NAND": [1, 1, 1, 0], "NOR": [1, 0, 0, 0],
             "XOR": [0, 1, 1, 0]}
    for name, table in gates.items():
        expected = _reference_count(table, grid)
        got = count_solutions(np.array(table), grid)
        if got != expected:
            return report("Grid search", False, f"for {name} on the grid -1.0, -0.9, ..., 1.0 you count "
                                                f"{got} parameter sets, we count {expected}.")
    return report("Grid search", True, f"your counts agree with ours: AND {_reference_count(gates['AND'], grid)}, "
                                       f"XOR {_reference_count(gates['XOR'], grid)} - no single perceptron "
                                       f"on this grid computes XOR.")


def check_xnor(xnor):
    """Does ``xnor(x1, x2)``, built by stacking gates, give 1 exactly when x1 == x2?"""
    if unanswered("XNOR", xnor):
        return False
    for (x1, x2), t in zip(itertools.product([0, 1], repeat=2), [1, 0, 0, 1]):
        y = int(xnor(x1, x2))
        if y != t:
            return report("XNOR", False, f"xnor({x1}, {x2}) gives {y}, should be {t}.")
    return report("XNOR", True, "your stacked gates compute XNOR (1 when both inputs agree).")
