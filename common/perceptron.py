"""Perceptrons (パーセプトロン) and the logic gates built from them.

Introduced in notebook 01, sections 2.1-2.5.

A perceptron receives signals x1, x2, multiplies each by a weight (重み) w1, w2, adds a bias (バイアス)
b and fires (outputs 1) only when the total is above zero:

    y = 1  if  w1*x1 + w2*x2 + b > 0
    y = 0  otherwise

The bias is the threshold moved to the left-hand side: b = -θ. AND, NAND and OR are the same
function with different parameters; XOR needs two layers: XOR(x1, x2) = AND(NAND(x1, x2), OR(x1, x2)).
"""

import numpy as np

# (w1, w2, b) for each gate: one valid choice among infinitely many (these are the book's).
GATE_PARAMETERS = {
    "AND": ((0.5, 0.5), -0.7),
    "NAND": ((-0.5, -0.5), 0.7),
    "OR": ((0.5, 0.5), -0.2),
}

# The four corners of the input plane, in truth-table order.
INPUTS = np.array([[0, 0], [1, 0], [0, 1], [1, 1]])


def perceptron(x, w, b):
    """Output of one perceptron: 1 where ``w . x + b > 0``, else 0.

    x: one input ``(n,)`` or a batch of inputs ``(N, n)``; w: weights ``(n,)``; b: bias (a number).
    Returns an int for one input, an int array ``(N,)`` for a batch.
    """
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    if w.ndim != 1 or x.shape[-1:] != w.shape:
        raise ValueError(f"perceptron expected inputs with {w.shape[-1] if w.ndim else '?'} values "
                         f"(one per weight), got x of shape {x.shape} and w of shape {w.shape}")
    fired = (x @ w + b) > 0
    return int(fired) if fired.ndim == 0 else fired.astype(int)


def _gate(name):
    w, b = GATE_PARAMETERS[name]

    def gate(x1, x2):
        return perceptron(np.stack([np.asarray(x1), np.asarray(x2)], axis=-1), w, b)

    gate.__name__ = name
    gate.__doc__ = f"The {name} gate as a perceptron with w = {w}, b = {b}. Works on numbers or arrays."
    return gate


AND = _gate("AND")
NAND = _gate("NAND")
OR = _gate("OR")


def XOR(x1, x2):
    """Exclusive OR from two layers of perceptrons: AND(NAND(x1, x2), OR(x1, x2))."""
    s1 = NAND(x1, x2)
    s2 = OR(x1, x2)
    return AND(s1, s2)


def truth_table(gate):
    """The outputs of ``gate`` on the four inputs (0,0), (1,0), (0,1), (1,1), as an int array."""
    return np.array([int(gate(x1, x2)) for x1, x2 in INPUTS])
