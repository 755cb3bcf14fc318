"""Checkers for the exercises of notebook 01 (perceptrons).

Introduced in notebook 01, "Try it".
"""

import contextlib
import itertools

import numpy as np

import common.perceptron as gates_module

from common.exercises import call_safely, checker, report, unanswered
from common.perceptron import INPUTS, perceptron

NOR_TABLE = np.array([1, 0, 0, 0])
XNOR_TABLE = np.array([1, 0, 0, 1])


@checker("NOR")
def check_nor(w1, w2, b):
    """Does a single perceptron with weights (w1, w2) and bias b compute NOR (NOT OR)?"""
    if unanswered("NOR", w1, w2, b):
        return False
    if not all(_is_number(v) for v in (w1, w2, b)):
        return report("NOR", False, f"w1, w2 and b should be numbers, got {w1!r}, {w2!r} and {b!r}.")
    got = perceptron(INPUTS, [w1, w2], b)
    wrong = [(tuple(int(v) for v in x), int(y), int(t)) for x, y, t in zip(INPUTS, got, NOR_TABLE) if y != t]
    if not wrong:
        return report("NOR", True, f"w = ({w1}, {w2}), b = {b} computes NOR on all four inputs.")
    x, y, t = wrong[0]
    return report("NOR", False, f"for input {x} your perceptron gives {y}, NOR should give {t} "
                                f"({len(wrong)} of 4 rows wrong). Hint: NOR is OR with every output flipped; what happens to the sign of w1*x1 + w2*x2 + b if you flip the sign of all three parameters?")


def _is_number(value) -> bool:
    """A real, finite number (int, float or a NumPy scalar), not True/False."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        return False
    try:
        return bool(np.isfinite(float(value)))
    except OverflowError:  # an int too large for a float
        return False


def _as_whole_number(value):
    """``value`` as an int if it is one whole number (also a NumPy scalar or a 1-element array), else None."""
    if isinstance(value, (bool, np.bool_)) or value is None:
        return None
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        return None
    if array.size != 1 or not np.isfinite(array).all() or array.reshape(()) % 1 != 0:
        return None
    return int(array.reshape(()))


def _reference_count(table, grid):
    """How many (w1, w2, b) in grid x grid x grid make a perceptron reproduce ``table``."""
    grid = np.asarray(grid, dtype=float)
    w1, w2, b = (a.ravel() for a in np.meshgrid(grid, grid, grid, indexing="ij"))
    weighted_sums = INPUTS[:, :1] * w1 + INPUTS[:, 1:] * w2 + b  # shape (4, number of candidates)
    outputs = (weighted_sums > 0).astype(int)
    return int(np.all(outputs == np.asarray(table)[:, None], axis=0).sum())


@checker("Grid search")
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
        got, failed = call_safely("Grid search", count_solutions, np.array(table), grid.copy())
        if failed is not None:
            return failed
        count = _as_whole_number(got)
        if count is None:
            return report("Grid search", False, f"for {name} your function returned {got!r}; it should return "
                                                f"one whole number, the count. Did you forget `return count`?")
        if count != expected:
            return report("Grid search", False, f"for {name} on the grid -1.0, -0.9, ..., 1.0 you count "
                                                f"{count} parameter sets, we count {expected}.")
    return report("Grid search", True, f"your counts agree with ours: AND {_reference_count(gates['AND'], grid)}, "
                                       f"XOR {_reference_count(gates['XOR'], grid)} - no single perceptron "
                                       f"on this grid computes XOR.")


GATE_NAMES = ("AND", "NAND", "OR", "NOR", "XOR", "perceptron")


@contextlib.contextmanager
def _counting_gates(function, calls: list):
    """Let the gates count their calls while ``function`` runs.

    The gates are wrapped where ``function`` can find them: in its own module's (or notebook's)
    global names, in its closure, and in ``common.perceptron``; everything is put back afterwards.
    """
    def counted(gate, name):
        def wrapper(*args, **kwargs):
            calls.append(name)
            return gate(*args, **kwargs)
        return wrapper

    namespaces = [vars(gates_module)]
    function_globals = getattr(function, "__globals__", None)
    if isinstance(function_globals, dict) and function_globals is not vars(gates_module):
        namespaces.append(function_globals)
    saved = []
    for namespace in namespaces:
        for name in GATE_NAMES:
            if callable(namespace.get(name)):
                saved.append((namespace, name, namespace[name]))
    cells = [(cell, name) for name, cell in zip(getattr(getattr(function, "__code__", None), "co_freevars", ()),
                                               getattr(function, "__closure__", None) or ())
             if name in GATE_NAMES]
    saved_cells = [(cell, cell.cell_contents) for cell, _ in cells]
    try:
        for namespace, name, gate in saved:
            namespace[name] = counted(gate, name)
        for cell, name in cells:
            cell.cell_contents = counted(cell.cell_contents, name)
        yield
    finally:
        for namespace, name, gate in saved:
            namespace[name] = gate
        for cell, contents in saved_cells:
            cell.cell_contents = contents


@checker("XNOR")
def check_xnor(xnor):
    """Does ``xnor(x1, x2)``, built by stacking the gates AND, NAND and OR (or NOR), give 1 exactly
    when x1 == x2? The gates count their calls, so an answer without them (``int(a == b)``) is noticed."""
    if unanswered("XNOR", xnor):
        return False
    calls = []
    for (x1, x2), t in zip(itertools.product([0, 1], repeat=2), [1, 0, 0, 1]):
        with _counting_gates(xnor, calls):
            y, failed = call_safely("XNOR", xnor, x1, x2)
        if failed is not None:
            return failed
        if y is None:
            return report("XNOR", False, f"xnor({x1}, {x2}) returned None. Did you forget `return`?")
        value = _as_whole_number(y)
        if value is None or value not in (0, 1):
            return report("XNOR", False, f"xnor({x1}, {x2}) returned {y!r}; a gate's output is 0 or 1.")
        if value != t:
            return report("XNOR", False, f"xnor({x1}, {x2}) gives {value}, should be {t}.")
    if not calls:
        return report("XNOR", False, "the outputs are right, but your function never calls the gates AND, "
                                     "NAND, OR (or NOR): the exercise is to build XNOR by stacking those "
                                     "perceptrons, as XOR is built in section 2.5.")
    return report("XNOR", True, "your stacked gates compute XNOR (1 when both inputs agree).")
