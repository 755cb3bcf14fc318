"""The exercise checkers must accept right answers and reject wrong ones, with a useful message."""

import numpy as np

from common import exercises
from common.exercises.perceptron import check_grid_search, check_nor, check_xnor
from common.perceptron import AND, NAND, OR, XOR


def test_nor_checker(capsys):
    assert check_nor(-0.5, -0.5, 0.2)
    assert not check_nor(0.5, 0.5, -0.2)  # that is OR
    assert "for input (0, 0) your perceptron gives 0, NOR should give 1" in capsys.readouterr().out


def test_unanswered_is_a_reminder_not_a_verdict(capsys):
    exercises.results.clear()
    assert not check_nor(None, None, None)
    assert not check_xnor(None)
    assert exercises.results == []
    assert "replace None with your answer" in capsys.readouterr().out


def test_grid_search_checker():
    def loops(table, grid):
        count = 0
        for w1 in grid:
            for w2 in grid:
                for b in grid:
                    outputs = [int(w1 * a + w2 * c + b > 0) for a, c in [(0, 0), (1, 0), (0, 1), (1, 1)]]
                    count += outputs == list(table)
        return count

    assert check_grid_search(loops)
    assert not check_grid_search(lambda table, grid: 0)  # right for XOR only
    assert loops(np.array([0, 1, 1, 0]), np.linspace(-1, 1, 21)) == 0


def test_xnor_checker():
    assert check_xnor(lambda a, b: NAND(OR(a, b), NAND(a, b)))
    assert not check_xnor(XOR)
    assert not check_xnor(AND)
