"""Argument checks with one phrasing: "<who>: <name> must be <what>, got <value>".

Introduced with the network core (notebook 06 onwards uses it through the networks, the optimizers
and the Trainer). Each function returns the value (converted where that is safe, e.g. a NumPy
integer to ``int``) or raises a ValueError that says who complained, what was expected and what came.
"""

import math
import numbers

__all__ = ["whole_number", "positive_number", "number_in_range", "one_of"]


def _fail(owner, name, what, value):
    raise ValueError(f"{owner}: {name} must be {what}, got {value!r}")


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def whole_number(value, name, owner, minimum=1):
    """``value`` as an int, if it is a whole number >= ``minimum`` (3 and np.int64(3) pass; 3.0 and True do not)."""
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        _fail(owner, name, f"a whole number >= {minimum}", value)
    return int(value)


def positive_number(value, name, owner):
    """``value`` as a float, if it is a finite number > 0 (a learning rate, say)."""
    if not _is_real(value) or not math.isfinite(value) or not value > 0:
        _fail(owner, name, "a finite number > 0", value)
    return float(value)


def number_in_range(value, name, owner, low, high, include_low=True, include_high=False):
    """``value`` as a float, if it is finite and lies between ``low`` and ``high`` (ends as given)."""
    ok = _is_real(value) and math.isfinite(value)
    if ok:
        ok = (value >= low if include_low else value > low) and (value <= high if include_high else value < high)
    if not ok:
        left, right = "[" if include_low else "(", "]" if include_high else ")"
        _fail(owner, name, f"a number in {left}{low}, {high}{right}", value)
    return float(value)


def one_of(value, name, owner, choices):
    """``value`` if it is one of ``choices`` (strings compared without regard to case)."""
    key = value.lower() if isinstance(value, str) else value
    if key not in choices:
        _fail(owner, name, "one of " + ", ".join(repr(c) for c in choices), value)
    return key
