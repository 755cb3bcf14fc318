"""Solvers: an optimizer (最適化手法) that updates graph Variables through their ``.d`` and ``.g``.

Introduced in notebook 08, sections 8.4 (zero_grad) and 8.5 (update).

A solver does not have update rules of its own. It holds one of the optimizers of
``common.optimizer`` (notebook 06a) and a dictionary of parameters, Variables of ``common.graph``
(notebook 08), and each ``update()`` hands the optimizer the parameters' data and gradients:

    optimizer.update({name: v.d for each parameter}, {name: v.g for each parameter})

so ``v.d`` changes in place by exactly the rule of notebook 06a, for example SGD: d <- d - lr * g.

    >>> solver = SGDSolver(lr=0.01)
    >>> solver.set_parameters(get_parameters())
    >>> loss.forward()
    >>> solver.zero_grad()      # g <- 0: backward adds into .g, so reset it first
    >>> loss.backward()         # g <- dL/d
    >>> solver.weight_decay(1e-4)   # optional: g <- g + wd * d
    >>> solver.update()         # d <- the optimizer's step from d and g

``update`` leaves ``.g`` as it was: the gradient of this step stays visible until the next
``zero_grad``.

Running the model cell again (it calls ``clear_parameters()`` and creates new Variables of the
same names) leaves an existing solver holding the old, forgotten Variables: its updates would change
numbers no graph uses any more, and the loss would never move. ``zero_grad``, ``weight_decay`` and
``update`` notice this and warn once (``OrphanedParametersWarning``), naming the fix: call
``solver.set_parameters(get_parameters())`` again, or make a new solver.
"""

import warnings

import numpy as np

from common.graph import Variable, get_parameters, was_cleared
from common.optimizer import Adam, Momentum, make_optimizer

__all__ = ["Solver", "SGDSolver", "MomentumSolver", "AdamSolver", "OrphanedParametersWarning"]


class OrphanedParametersWarning(UserWarning):
    """A solver updates parameters that clear_parameters() has forgotten (the model was built again)."""


def _check_learning_rate(lr, who):
    is_number = not isinstance(lr, bool) and isinstance(lr, (int, float, np.integer, np.floating))
    if not is_number or not 0 < lr < float("inf"):  # NaN fails both comparisons
        raise ValueError(f"{who}: the learning rate must be a finite positive number, got {lr!r}")
    return lr


class Solver:
    """Updates registered Variables with any optimizer of ``common.optimizer``.

    Solver(optimizer, **optimizer_param): ``optimizer`` is an object with ``update(params, grads)``
    and a learning rate ``lr`` (``common.optimizer.Adam(lr=0.01)``) or a name that
    ``make_optimizer`` knows ("sgd", "momentum", "adam", ...) with its settings as keywords.
    """

    def __init__(self, optimizer="sgd", **optimizer_param):
        self.optimizer = make_optimizer(optimizer, **optimizer_param)
        if not hasattr(self.optimizer, "lr"):
            raise TypeError(f"{type(self).__name__}: the optimizer needs a learning rate attribute lr")
        self._parameters = {}
        self._warned_orphans = set()  # names already warned about, so a training loop warns once

    # --- which parameters -------------------------------------------------------------------
    def set_parameters(self, params):
        """Register Variables by name (a dict such as ``get_parameters()``); a name given again is replaced.

        The optimizer keeps its memory (velocity, Adam's moments) per name, so a replaced name
        continues with the memory of the old one; use a new Solver to start afresh.
        """
        if not isinstance(params, dict):
            raise TypeError(f"set_parameters expects a dict {{name: Variable}} such as get_parameters(), "
                            f"got {type(params).__name__}")
        for name, variable in params.items():
            if not isinstance(name, str):
                raise TypeError(f"set_parameters: parameter names must be strings, got {name!r}")
            if not isinstance(variable, Variable):
                raise TypeError(f"set_parameters: {name!r} should be a Variable, got {type(variable).__name__}")
            if variable.creator is not None:
                raise ValueError(f"set_parameters: {name!r} is computed by {variable.creator.name}(), not a "
                                 f"parameter: only leaf Variables can be updated")
        self._parameters.update(params)
        self._warned_orphans.difference_update(params)  # a Variable given again may be warned about again

    def get_parameters(self):
        """The registered parameters by name (a new dict; the Variables are shared)."""
        return dict(self._parameters)

    def _registered(self, method):
        if not self._parameters:
            raise ValueError(f"{type(self).__name__}.{method}(): no parameters registered yet; call "
                             f"set_parameters(get_parameters()) first")
        self._warn_about_orphans(method)
        return self._parameters

    def _warn_about_orphans(self, method):
        """Warn (once per name) when registered Variables were forgotten by clear_parameters()."""
        orphans = [name for name, v in self._parameters.items()
                   if was_cleared(v) and name not in self._warned_orphans]
        if not orphans:
            return
        self._warned_orphans.update(orphans)
        current = get_parameters()
        replaced = [name for name in orphans if name in current]
        why = (f"the model was built again and get_parameters() now holds new Variables for "
               f"{', '.join(map(repr, replaced))}, which the new graph uses" if replaced else
               "no graph built since then uses them")
        warnings.warn(f"{type(self).__name__}.{method}(): the parameters {', '.join(map(repr, orphans))} "
                      f"were forgotten by clear_parameters() ({why}), so this solver's updates would not "
                      f"reach the model. Call solver.set_parameters(get_parameters()) again, or make a "
                      f"new solver.", OrphanedParametersWarning, stacklevel=3)

    # --- the steps of a training iteration --------------------------------------------------
    def zero_grad(self):
        """g <- 0 for every registered parameter (backward adds into .g, so do this before it)."""
        for variable in self._registered("zero_grad").values():
            variable.g = 0

    def weight_decay(self, decay_rate):
        """g <- g + decay_rate * d for every parameter: the gradient of (decay_rate / 2) * sum(d ** 2).

        The L2 penalty of notebook 06b (荷重減衰), added to the gradients, between ``backward`` and
        ``update``. Like backward it adds into .g: calling it twice adds the term twice.
        """
        if isinstance(decay_rate, bool) or not isinstance(decay_rate, (int, float, np.integer, np.floating)) \
                or not decay_rate >= 0:
            raise ValueError(f"weight_decay: the decay rate must be a number >= 0, got {decay_rate!r}")
        for variable in self._registered("weight_decay").values():
            variable.g += decay_rate * variable.d

    def update(self):
        """One step of the optimizer for every parameter: changes each .d in place, leaves .g as it is."""
        parameters = self._registered("update")
        self.optimizer.update({name: v.d for name, v in parameters.items()},
                              {name: v.g for name, v in parameters.items()})

    # --- the learning rate ------------------------------------------------------------------
    def learning_rate(self):
        """The optimizer's current learning rate."""
        return self.optimizer.lr

    def set_learning_rate(self, lr):
        """Change the learning rate for the next updates (e.g. to lower it as training goes on)."""
        self.optimizer.lr = _check_learning_rate(lr, f"{type(self).__name__}.set_learning_rate")

    def __repr__(self):
        names = ", ".join(self._parameters) or "none yet"
        return (f"{type(self).__name__}({type(self.optimizer).__name__}, lr={self.learning_rate():g}, "
                f"parameters: {names})")


class SGDSolver(Solver):
    """Solver with common.optimizer.SGD: d <- d - lr * g."""

    def __init__(self, lr=0.01):
        super().__init__("sgd", lr=lr)


class MomentumSolver(Solver):
    """Solver with common.optimizer.Momentum: v <- momentum * v - lr * g, then d <- d + v."""

    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__(Momentum(lr=lr, momentum=momentum))


class AdamSolver(Solver):
    """Solver with common.optimizer.Adam: steps of about lr, from bias-corrected moving averages of g and g**2."""

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-7):
        super().__init__(Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps))

