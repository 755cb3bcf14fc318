"""A small computational graph (計算グラフ) whose variables carry a value (.d) and a gradient (.g).

Introduced in notebook 08, section 8.2.

Notebook 05 wired layers together by hand: call every ``forward`` in order, then every ``backward``
in reverse order. Here the graph remembers its own wiring. Each arithmetic step between Variables
creates a new Variable that knows which function made it and from which inputs:

    >>> from common.graph import Variable, get_parameter_or_create, mean
    >>> x = Variable((32, 1))                                    # data: need_grad=False
    >>> a = get_parameter_or_create("a", (1, 1))                 # parameter: need_grad=True
    >>> loss = mean((a * x - 1.0) ** 2)
    >>> loss.forward()          # recompute every node, inputs first (after x.d or a.d changed)
    >>> loss.backward()         # dloss/dv for every variable, in reverse order; adds into a.g

Two fields per Variable, as in Neural Network Libraries (nnabla):

    v.d   the data: a NumPy array of the variable's fixed shape
    v.g   the gradient dL/dv of the last quantity L that ``backward`` started from, same shape

Gradients accumulate (勾配の蓄積). ``backward`` *adds* the new gradient into the ``.g`` of every leaf
variable with ``need_grad=True`` (the parameters): two calls without a reset give twice the
gradient. Reset with ``Solver.zero_grad()`` (or ``v.g = 0``) before each backward pass, unless you
mean to add up gradients of several batches. Intermediate variables (made by a function) simply
hold the gradient of the latest backward pass. Leaves with ``need_grad=False`` (the data) are never
touched.

The functions, with the local derivatives that ``backward`` multiplies the arriving gradient gy by:

    add(x, y)           x + y          dx = gy,               dy = gy
    sub(x, y)           x - y          dx = gy,               dy = -gy
    mul(x, y)           x * y          dx = gy * y,           dy = gy * x
    pow_scalar(x, p)    x ** p         dx = gy * p * x**(p-1)            (p a plain number)
    mean(x, axis)       mean of x      dx = gy / n  on every one of the n averaged elements

The Python operators ``+ - * **`` and unary ``-`` call them; a plain number or NumPy array on either
side becomes a constant. add, sub and mul broadcast like NumPy (a (1, 1) parameter times a
(32, 1) batch gives (32, 1)); on the way back a gradient is summed over the broadcast axes, so that
every ``.g`` has the shape of its ``.d``.

Parameters are created by name and kept, in the order of creation, in one module-level dictionary:
``get_parameter_or_create``, ``get_parameters``, ``clear_parameters``. Asking for an existing name
returns the same Variable, so two graphs (one for a batch, one for all the data) can share it.
``clear_parameters`` marks the Variables it forgets (``was_cleared(v)``), so that a solver still
holding them after a model cell was run again can say so instead of training a model nobody uses.
"""

import numbers

import numpy as np

__all__ = ["Variable", "Function", "add", "sub", "mul", "pow_scalar", "mean", "graph_functions",
           "get_parameter_or_create", "get_parameters", "clear_parameters", "was_cleared"]


def _shape_text(shape):
    return str(tuple(shape))


class Variable:
    """A node of the graph: data ``.d`` and gradient ``.g`` (both NumPy arrays of one fixed shape).

    Variable(shape, need_grad=False, name=None, dtype=np.float32) starts with zeros in both. A
    Variable made by a function (``a * x``) remembers it in ``.creator``; one made here is a leaf.
    Assigning ``v.d = ...`` or ``v.g = ...`` writes into the existing array (its identity never
    changes), from an array of the same shape or from a single number, which fills every element.
    """

    __array_ufunc__ = None  # `array * v` and `np.float32(2) * v` call v.__rmul__, not NumPy

    def __init__(self, shape=(), need_grad=False, name=None, dtype=np.float32):
        if isinstance(shape, numbers.Integral):
            shape = (shape,)
        if not isinstance(shape, (tuple, list)) or not all(isinstance(n, numbers.Integral) for n in shape):
            raise TypeError(f"Variable expects a shape such as (32, 1), got {shape!r}")
        shape = tuple(int(n) for n in shape)
        if any(n < 0 for n in shape):
            raise ValueError(f"Variable expects a shape of non-negative sizes, got {shape}")
        dtype = np.dtype(dtype)
        if not np.issubdtype(dtype, np.floating):
            raise TypeError(f"Variable holds floating-point numbers (float32 or float64), got dtype {dtype}")
        self.name = name
        self.need_grad = bool(need_grad)
        self.creator = None  # the Function that computes this variable; None for a leaf
        self._cleared = False  # True once clear_parameters() has forgotten this named parameter
        self._data = np.zeros(shape, dtype)
        self._grad = np.zeros(shape, dtype)

    @classmethod
    def from_array(cls, array, need_grad=False, name=None):
        """A leaf Variable holding a copy of ``array`` (its dtype kept if floating, else float32)."""
        array = np.asarray(array)
        dtype = array.dtype if np.issubdtype(array.dtype, np.floating) else np.float32
        variable = cls(array.shape, need_grad=need_grad, name=name, dtype=dtype)
        variable.d = array
        return variable

    # --- the two fields ---------------------------------------------------------------------
    def _assign(self, target, value, field):
        value = np.asarray(value)
        if not _is_real(value.dtype):
            raise TypeError(f"{self._label()}: .{field} takes real numbers, got an array of dtype {value.dtype}")
        if value.shape != target.shape and value.size != 1:
            raise ValueError(f"{self._label()} has shape {_shape_text(target.shape)}: set .{field} from an array "
                             f"of that shape or from a single number, got shape {_shape_text(value.shape)}")
        target[...] = value if value.shape == target.shape else value.reshape(())  # one number fills all

    @property
    def d(self):
        """The data (値): a NumPy array of shape ``self.shape``."""
        return self._data

    @d.setter
    def d(self, value):
        self._assign(self._data, value, "d")

    @property
    def g(self):
        """The gradient (勾配) dL/dv: a NumPy array of shape ``self.shape``."""
        return self._grad

    @g.setter
    def g(self, value):
        self._assign(self._grad, value, "g")

    @property
    def shape(self):
        return self._data.shape

    @property
    def ndim(self):
        return self._data.ndim

    @property
    def size(self):
        return self._data.size

    @property
    def dtype(self):
        return self._data.dtype

    def _label(self):
        return f"Variable {self.name!r}" if self.name else "the Variable"

    def __repr__(self):
        name = f"{self.name!r}, " if self.name else ""
        return f"Variable({name}shape={self.shape}, need_grad={self.need_grad})"

    # --- whole-graph passes -----------------------------------------------------------------
    def forward(self):
        """Recompute this variable from the leaves: every function of its graph, inputs first.

        Call it after changing the ``.d`` of any leaf (new data, a changed parameter): the values of
        the intermediate variables are not updated by themselves.
        """
        for function in graph_functions(self):
            function.forward()

    def backward(self, grad=None):
        """Backpropagate from this variable: dL/dv for every variable that needs it, L being this one.

        grad: the gradient arriving at this variable, dL/dself. Leave it out for a single-number
              variable (a loss), which starts from dL/dL = 1.

        The functions run in reverse order of the forward pass. Each leaf with ``need_grad=True``
        gets the result *added* to its ``.g`` (reset it first with ``Solver.zero_grad()``); each
        intermediate variable's ``.g`` is overwritten with this pass's gradient. The local derivatives
        use the values stored in the graph: after changing a leaf's ``.d``, call ``forward()`` first,
        or old and new values get mixed.
        """
        if grad is None:
            if self.size != 1:
                raise ValueError(f"backward() without a grad starts from dL/dL = 1, which needs a single-number "
                                 f"variable such as a loss; {self._label().lower()} has shape "
                                 f"{_shape_text(self.shape)}. Pass grad= (an array of that shape).")
            grad = np.ones(self.shape, self.dtype)
        else:
            grad = np.asarray(grad, dtype=self.dtype)
            if grad.shape != self.shape and grad.size != 1:
                raise ValueError(f"backward(grad=...): {self._label().lower()} has shape {_shape_text(self.shape)}, "
                                 f"grad has shape {_shape_text(grad.shape)}")
            grad = np.broadcast_to(grad.reshape(()) if grad.shape != self.shape else grad, self.shape).copy()

        functions = graph_functions(self)
        needs = _needs_gradient(functions)
        if self.creator is None:  # a leaf on its own: dL/dL for itself
            if self.need_grad:
                self._grad += grad
            return
        pending = {id(self): grad}  # gradients of intermediate variables, summed within this pass
        for function in reversed(functions):
            output = function.output
            gy = pending.pop(id(output), None)
            if gy is None:  # nothing flows back into this function (its output does not reach self)
                continue
            output._grad[...] = gy
            if not needs[id(function)]:
                continue
            for variable, gx in zip(function.inputs, function.backward(gy)):
                if gx is None:
                    continue
                if variable.creator is None:
                    if variable.need_grad:
                        variable._grad += gx
                elif needs[id(variable.creator)]:
                    pending[id(variable)] = pending[id(variable)] + gx if id(variable) in pending else gx

    # --- operators --------------------------------------------------------------------------
    def __add__(self, other):
        return add(self, other)

    def __radd__(self, other):
        return add(other, self)

    def __sub__(self, other):
        return sub(self, other)

    def __rsub__(self, other):
        return sub(other, self)

    def __mul__(self, other):
        return mul(self, other)

    def __rmul__(self, other):
        return mul(other, self)

    def __pow__(self, exponent):
        return pow_scalar(self, exponent)

    def __neg__(self):
        return mul(self, -1.0)


def _is_real(dtype):
    return np.issubdtype(dtype, np.integer) or np.issubdtype(dtype, np.floating)


def _needs_gradient(functions):
    """{id(function): True if some input of it leads back to a leaf with need_grad=True}."""
    needs = {}
    for function in functions:  # in forward order, so the creators of the inputs come first
        needs[id(function)] = any(
            variable.need_grad if variable.creator is None else needs[id(variable.creator)]
            for variable in function.inputs)
    return needs


def graph_functions(variable):
    """The functions that compute ``variable``, in an order where each comes after its inputs' creators.

    ``forward`` runs them in this order and ``backward`` in the reverse order (a topological order).
    Each function appears once, even if its output is used several times.
    """
    order, done = [], set()
    stack = [(variable.creator, False)] if variable.creator is not None else []
    while stack:  # depth-first, without recursion, so long graphs do not hit Python's recursion limit
        function, inputs_done = stack.pop()
        if id(function) in done:
            continue
        if inputs_done:
            done.add(id(function))
            order.append(function)
            continue
        stack.append((function, True))
        for variable in reversed(function.inputs):
            if variable.creator is not None and id(variable.creator) not in done:
                stack.append((variable.creator, False))
    return order


def _sum_to(gradient, shape):
    """Sum a gradient over the axes along which the forward pass broadcast an input of ``shape``."""
    if gradient.shape == shape:
        return gradient
    extra = gradient.ndim - len(shape)  # leading axes the input did not have
    stretched = tuple(extra + i for i, n in enumerate(shape) if n == 1 and gradient.shape[extra + i] != 1)
    return gradient.sum(axis=tuple(range(extra)) + stretched, keepdims=True).reshape(shape)


class Function:
    """A node that computes one output Variable from its input Variables.

    Subclasses define ``compute(*arrays)`` (the forward formula) and ``backward(gy)``, which returns
    one gradient per input (or None for an input that needs none), each of that input's shape.
    """

    name = "function"

    def __init__(self, *inputs):
        self.inputs = inputs
        data = self.compute(*(variable.d for variable in inputs))
        self.output = Variable(np.shape(data), need_grad=False, dtype=np.result_type(data))
        self.output.d = data
        self.output.need_grad = any(variable.need_grad for variable in inputs)
        self.output.creator = self

    def forward(self):
        """Recompute the output from the inputs' current data."""
        self.output.d = self.compute(*(variable.d for variable in self.inputs))

    def compute(self, *arrays):
        raise NotImplementedError

    def backward(self, gy):
        raise NotImplementedError

    def __repr__(self):
        return f"{self.name}({', '.join(_input_text(v) for v in self.inputs)}) -> {self.output.shape}"


def _input_text(variable):
    if variable.name:
        return variable.name
    if variable.creator is not None:
        return variable.creator.name
    return f"constant{variable.shape}" if variable.size != 1 else f"{variable.d.item():g}"


def _as_variable(value, function_name, dtype):
    """A Variable as it is; a number or NumPy array as a constant leaf (need_grad=False)."""
    if isinstance(value, Variable):
        return value
    if isinstance(value, (numbers.Real, np.ndarray, np.generic)) and not isinstance(value, (bool, np.bool_)):
        array = np.asarray(value)
        if _is_real(array.dtype):
            if array.ndim == 0 or not np.issubdtype(array.dtype, np.floating):
                array = array.astype(dtype)  # a plain number (or integers) takes the Variable's dtype
            return Variable.from_array(array)
    raise TypeError(f"{function_name}: expected a Variable, a number or a NumPy array of numbers, "
                    f"got {type(value).__name__}")


def _binary_inputs(x, y, function_name):
    dtype = next((v.dtype for v in (x, y) if isinstance(v, Variable)), np.dtype(np.float32))
    x, y = _as_variable(x, function_name, dtype), _as_variable(y, function_name, dtype)
    try:
        np.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        raise ValueError(f"{function_name}: the shapes {_shape_text(x.shape)} and {_shape_text(y.shape)} do not "
                         f"broadcast (each axis must be equal, or 1 in one of them)") from None
    return x, y


class Add(Function):
    name = "add"

    def compute(self, x, y):
        return x + y

    def backward(self, gy):
        x, y = self.inputs
        return _sum_to(gy, x.shape), _sum_to(gy, y.shape)


class Sub(Function):
    name = "sub"

    def compute(self, x, y):
        return x - y

    def backward(self, gy):
        x, y = self.inputs
        return _sum_to(gy, x.shape), _sum_to(-gy, y.shape)


class Mul(Function):
    name = "mul"

    def compute(self, x, y):
        return x * y

    def backward(self, gy):
        x, y = self.inputs
        return _sum_to(gy * y.d, x.shape), _sum_to(gy * x.d, y.shape)


class PowScalar(Function):
    name = "pow_scalar"

    def __init__(self, x, exponent):
        self.exponent = exponent
        super().__init__(x)

    def compute(self, x):
        return x ** self.exponent

    def backward(self, gy):
        (x,) = self.inputs
        if self.exponent == 0:  # x ** 0 = 1 everywhere: no slope (and no 0 ** -1 at x = 0)
            return (np.zeros_like(x.d),)
        return (gy * self.exponent * x.d ** (self.exponent - 1),)

    def __repr__(self):
        return f"pow_scalar({_input_text(self.inputs[0])}, {self.exponent:g}) -> {self.output.shape}"


class Mean(Function):
    name = "mean"

    def __init__(self, x, axis=None, keepdims=False):
        self.axis, self.keepdims = axis, keepdims
        super().__init__(x)

    def compute(self, x):
        return np.mean(x, axis=self.axis, keepdims=self.keepdims)

    def backward(self, gy):
        (x,) = self.inputs
        axes = tuple(range(x.ndim)) if self.axis is None else tuple(a % x.ndim for a in np.atleast_1d(self.axis))
        count = int(np.prod([x.shape[a] for a in axes]))
        if not self.keepdims:
            gy = np.expand_dims(gy, axes)
        return (np.broadcast_to(gy / count, x.shape).copy(),)


def add(x, y):
    """x + y, element by element (with NumPy broadcasting)."""
    return Add(*_binary_inputs(x, y, "add")).output


def sub(x, y):
    """x - y, element by element (with NumPy broadcasting)."""
    return Sub(*_binary_inputs(x, y, "sub")).output


def mul(x, y):
    """x * y, element by element (with NumPy broadcasting)."""
    return Mul(*_binary_inputs(x, y, "mul")).output


def pow_scalar(x, exponent):
    """x ** exponent, element by element, for a plain number ``exponent`` (e.g. 2 for a square)."""
    if isinstance(exponent, bool) or not isinstance(exponent, numbers.Real):
        raise TypeError(f"pow_scalar: the exponent must be a plain number such as 2, got {type(exponent).__name__}")
    if not isinstance(x, Variable):
        raise TypeError(f"pow_scalar: expected a Variable to raise to a power, got {type(x).__name__}")
    return PowScalar(x, float(exponent) if not isinstance(exponent, numbers.Integral) else int(exponent)).output


def mean(x, axis=None, keepdims=False):
    """The mean of x over all elements (axis=None, a single number) or over the given axis or axes."""
    if not isinstance(x, Variable):
        raise TypeError(f"mean: expected a Variable, got {type(x).__name__}")
    if axis is not None:
        axes = (axis,) if isinstance(axis, numbers.Integral) else tuple(axis)
        if not all(isinstance(a, numbers.Integral) and -x.ndim <= a < x.ndim for a in axes) or \
                len({a % x.ndim for a in axes}) != len(axes):
            raise ValueError(f"mean: axis {axis!r} does not fit a variable of shape {_shape_text(x.shape)}")
        axis = tuple(int(a) for a in axes)
    if x.size == 0:
        raise ValueError("mean: the variable has no elements to average")
    return Mean(x, axis=axis, keepdims=keepdims).output


# --- parameters by name ---------------------------------------------------------------------------
_parameters = {}


def get_parameter_or_create(name, shape, initializer=None, need_grad=True, dtype=np.float32):
    """The parameter called ``name``: created on the first call, the same Variable on every later call.

    initializer: how to fill a new parameter: None (zeros), a number (every element), an array of
                 the shape, or a function called with the shape that returns such an array (for
                 random starts use ``common.rng``, e.g. ``lambda shape: rng().uniform(size=shape)``).
                 It is ignored when the parameter exists already.
    A later call with another shape is an error: two parts of a model would fight over one name.
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"a parameter needs a name (a non-empty string), got {name!r}")
    if name in _parameters:
        existing = _parameters[name]
        wanted = (shape,) if isinstance(shape, numbers.Integral) else tuple(shape)
        if existing.shape != wanted:
            raise ValueError(f"parameter {name!r} exists with shape {_shape_text(existing.shape)}, asked for shape "
                             f"{_shape_text(wanted)} (call clear_parameters() to start a new model)")
        return existing
    variable = Variable(shape, need_grad=need_grad, name=name, dtype=dtype)
    if initializer is not None:
        value = initializer(variable.shape) if callable(initializer) else initializer
        variable.d = value
    _parameters[name] = variable
    return variable


def get_parameters():
    """All parameters by name, in the order they were created (a new dict; the Variables are shared)."""
    return dict(_parameters)


def clear_parameters():
    """Forget every parameter (Variables already in a graph keep working; new names start afresh).

    The forgotten Variables are marked (see ``was_cleared``): a solver that still updates them warns.
    """
    for variable in _parameters.values():
        variable._cleared = True
    _parameters.clear()


def was_cleared(variable):
    """True for a parameter that ``clear_parameters()`` has forgotten since it was created.

    Typical cause: the cell that builds the model ran again (it starts with ``clear_parameters()``),
    so ``get_parameters()`` now holds new Variables of the same names, and the new graph uses those.
    """
    return bool(getattr(variable, "_cleared", False))
