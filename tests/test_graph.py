"""The computational graph of common.graph: every backward pass against numerical gradients.

Gradient checks run in float64 and compare with common.gradient.numerical_gradient (central
difference, h = 1e-4) to rtol = 1e-6, atol = 1e-8: for these smooth functions the central
difference is off by about h**2 times the third derivative, far below that.
"""

import numpy as np
import pytest

from common.gradient import numerical_gradient
from common.graph import (Variable, add, clear_parameters, get_parameter_or_create, get_parameters,
                          graph_functions, mean, mul, pow_scalar, sub)

RTOL, ATOL = 1e-6, 1e-8


@pytest.fixture(autouse=True)
def fresh_parameters():
    clear_parameters()
    yield
    clear_parameters()


def leaf(shape, seed, positive=False):
    generator = np.random.default_rng(seed)
    values = generator.uniform(0.5, 2.0, shape) if positive else generator.standard_normal(shape)
    return Variable.from_array(values, need_grad=True)


def check_gradients(output, inputs, seed=0):
    """Backward from ``output`` with a random upstream gradient W, i.e. L = sum(W * output), against
    the numerical gradient of that L with respect to each input's data."""
    W = np.random.default_rng(seed + 100).standard_normal(output.shape)
    for variable in inputs:
        variable.g = 0
    output.backward(grad=W)

    def L(_):
        output.forward()
        return float(np.sum(W * output.d))

    for variable in inputs:
        expected = numerical_gradient(L, variable.d)  # nudges variable.d itself, restores it
        np.testing.assert_allclose(variable.g, expected, rtol=RTOL, atol=ATOL)
    output.forward()


@pytest.mark.parametrize("function", [add, sub, mul], ids=["add", "sub", "mul"])
@pytest.mark.parametrize("shape_x, shape_y", [
    ((3, 4), (3, 4)),          # same shape
    ((32, 1), (1, 1)),         # the tutorial: a batch times a (1, 1) parameter
    ((1, 1), (32, 1)),
    ((3, 1), (1, 4)),          # both broadcast
    ((2, 3, 4), (4,)),         # fewer axes
    ((), (2, 3)),              # a single number
])
def test_binary_functions_backward(function, shape_x, shape_y):
    x, y = leaf(shape_x, 1), leaf(shape_y, 2)
    out = function(x, y)
    assert out.shape == np.broadcast_shapes(shape_x, shape_y)
    assert x.g.shape == shape_x and y.g.shape == shape_y
    check_gradients(out, [x, y])


@pytest.mark.parametrize("exponent", [2, 3, 1, 0.5, -1, -2.5])
def test_pow_scalar_backward(exponent):
    x = leaf((3, 4), 3, positive=True)  # positive, so that every exponent is defined
    out = pow_scalar(x, exponent)
    np.testing.assert_allclose(out.d, x.d ** exponent)
    check_gradients(out, [x])


def test_pow_scalar_zero_exponent_has_no_slope():
    x = Variable.from_array(np.array([0.0, 2.0]), need_grad=True)
    out = pow_scalar(x, 0)
    out.backward(grad=np.ones(2))
    np.testing.assert_array_equal(out.d, [1.0, 1.0])
    np.testing.assert_array_equal(x.g, [0.0, 0.0])


@pytest.mark.parametrize("axis, keepdims", [(None, False), (None, True), (0, False), (1, True), (-1, False),
                                            ((0, 2), False), ((0, 2), True)])
def test_mean_backward(axis, keepdims):
    x = leaf((2, 3, 4), 4)
    out = mean(x, axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(out.d, np.mean(x.d, axis=axis, keepdims=keepdims))
    check_gradients(out, [x])


def test_operators_and_constants_on_either_side():
    x = leaf((3, 2), 5)
    c = np.arange(6.0).reshape(3, 2)
    out = mean((2.0 * x - 1) ** 2 + (3 - x) * c + x * 0.5 - (-x) + c * x)
    expected = np.mean((2 * x.d - 1) ** 2 + (3 - x.d) * c + x.d * 0.5 + x.d + c * x.d)
    np.testing.assert_allclose(out.d, expected)
    check_gradients(out, [x])


def test_a_variable_used_twice_gets_the_sum_of_both_paths():
    x = leaf((4,), 6)
    y = x * x + x            # x reaches y by three paths
    z = mean(y * y - x)      # and y is used twice
    check_gradients(z, [x])
    x.g = 0
    z.backward()
    np.testing.assert_allclose(x.g, ((2 * (x.d ** 2 + x.d)) * (2 * x.d + 1) - 1) / 4)


def test_the_tutorial_loss_against_formulas_and_numerical_gradients():
    generator = np.random.default_rng(7)
    x, y_true = Variable((32, 1), dtype=np.float64), Variable((32, 1), dtype=np.float64)
    a = get_parameter_or_create("a", (1, 1), initializer=0.5, dtype=np.float64)
    b = get_parameter_or_create("b", (1, 1), initializer=0.3, dtype=np.float64)
    loss = mean(pow_scalar(sub(y_true, add(mul(a, x), b)), 2))
    x.d = generator.standard_normal((32, 1))
    y_true.d = 0.3 * x.d + 1.5
    loss.forward()
    residual = y_true.d - (a.d * x.d + b.d)
    assert np.isclose(loss.d, np.mean(residual ** 2))
    loss.backward()
    assert np.isclose(a.g.item(), -2 * np.mean(residual * x.d))
    assert np.isclose(b.g.item(), -2 * np.mean(residual))
    check_gradients(loss, [a, b])
    np.testing.assert_array_equal(x.g, 0)  # data (need_grad=False) gets no gradient
    np.testing.assert_array_equal(y_true.g, 0)


def test_gradients_accumulate_in_parameters_until_reset():
    x = Variable.from_array(np.array([1.0, 2.0, 3.0]))
    a = get_parameter_or_create("a", (), initializer=2.0, dtype=np.float64)
    y = a * x
    loss = mean(y ** 2)
    loss.backward()
    once = a.g.copy()
    np.testing.assert_allclose(once, np.mean(2 * a.d * x.d ** 2))
    y_grad_once = y.g.copy()
    loss.backward()
    np.testing.assert_allclose(a.g, 2 * once)          # parameters: added up
    np.testing.assert_allclose(y.g, y_grad_once)       # intermediate: this pass only
    loss.backward()
    np.testing.assert_allclose(a.g, 3 * once)
    a.g = 0
    loss.backward()
    np.testing.assert_allclose(a.g, once)
    np.testing.assert_array_equal(x.g, 0)
    assert loss.g == 1


def test_forward_recomputes_after_changing_a_parameter_and_backward_uses_the_last_forward():
    x = Variable.from_array(np.array([[1.0], [2.0]]))
    a = get_parameter_or_create("a", (1, 1), initializer=1.0, dtype=np.float64)
    b = get_parameter_or_create("b", (1, 1), initializer=0.0, dtype=np.float64)
    y = a * x + b
    loss = mean(y ** 2)
    assert np.isclose(loss.d, 2.5)                     # computed when the graph was built
    a.d = 3.0
    assert np.isclose(loss.d, 2.5)                     # not yet recomputed
    loss.backward()
    assert np.isclose(a.g.item(), 5.0)                 # mean(2 y x) with the old y = x
    loss.forward()
    np.testing.assert_allclose(y.d, [[3.0], [6.0]])
    assert np.isclose(loss.d, 22.5)
    a.g = 0
    loss.backward()
    assert np.isclose(a.g.item(), 15.0)                # mean(2 * 3x * x)
    x.d = [[0.0], [1.0]]                               # new data, same graph
    b.d = 1.0
    loss.forward()
    assert np.isclose(loss.d, (1.0 + 16.0) / 2)


def test_need_grad_false_parameters_and_branches_are_left_alone():
    x = Variable.from_array(np.array([1.0, -2.0]))
    frozen = get_parameter_or_create("frozen", (2,), initializer=[3.0, 4.0], need_grad=False, dtype=np.float64)
    w = get_parameter_or_create("w", (2,), initializer=1.0, dtype=np.float64)
    loss = mean(frozen * x + w * x)
    loss.backward()
    np.testing.assert_array_equal(frozen.g, 0)
    np.testing.assert_allclose(w.g, x.d / 2)
    frozen.need_grad = True  # switched on later: the next backward includes it
    loss.backward()
    np.testing.assert_allclose(frozen.g, x.d / 2)


def test_backward_from_an_intermediate_variable_and_a_leaf():
    x = leaf((2, 2), 8)
    y = x * 3.0
    z = mean(y)
    y.backward(grad=np.ones((2, 2)))
    np.testing.assert_allclose(x.g, 3.0)
    z.forward()
    x.backward(grad=1.0)  # a leaf: dL/dL = 1 added to its own gradient
    np.testing.assert_allclose(x.g, 4.0)


def test_graph_functions_lists_each_function_once_in_forward_order():
    x = Variable((3,), name="x")
    a = get_parameter_or_create("a", (1,))
    y = a * x
    loss = mean(y * y + y)
    names = [f.name for f in graph_functions(loss)]
    assert names.count("mul") == 2 and len(names) == 4 and names[-1] == "mean"
    assert names.index("add") > names.index("mul")
    assert graph_functions(x) == []
    text = [repr(f) for f in graph_functions(loss)]
    assert text[0] == "mul(a, x) -> (3,)"
    assert repr(pow_scalar(x, 2).creator) == "pow_scalar(x, 2) -> (3,)"


def test_a_long_chain_needs_no_recursion():
    x = Variable.from_array(np.array(1.0), need_grad=True)
    y = x
    for _ in range(5000):
        y = y + 1.0
    y.backward()
    assert x.g == 1.0 and y.d == 5001.0


def test_dtypes_float32_by_default_float64_kept():
    x = Variable((2, 3))
    assert x.d.dtype == np.float32 and x.g.dtype == np.float32
    assert (2 * x - 1.5).dtype == np.float32
    assert (mean(x ** 2) * 0.5).dtype == np.float32
    assert (Variable((2,), dtype=np.float64) + 1).dtype == np.float64
    assert Variable.from_array(np.array([1, 2])).dtype == np.float32


def test_assigning_d_and_g_writes_into_the_same_array():
    v = Variable((2, 2), name="v")
    data, grad = v.d, v.g
    v.d = 5
    v.g = [[1, 2], [3, 4]]
    assert v.d is data and v.g is grad
    np.testing.assert_array_equal(v.d, 5)
    np.testing.assert_array_equal(v.g, [[1, 2], [3, 4]])
    v.d = np.array([[7.0]])  # a single number in any shape fills all
    np.testing.assert_array_equal(v.d, 7)


def test_parameters_by_name():
    a = get_parameter_or_create("a", (1, 1))
    b = get_parameter_or_create("b", (1, 1), initializer=0.5)
    W = get_parameter_or_create("W", (2, 3), initializer=lambda shape: np.arange(6.0).reshape(shape))
    assert get_parameter_or_create("a", (1, 1), initializer=9.0) is a  # existing: initializer ignored
    assert list(get_parameters()) == ["a", "b", "W"]
    assert get_parameters()["b"] is b and a.need_grad and a.name == "a"
    np.testing.assert_array_equal(a.d, 0)
    np.testing.assert_array_equal(b.d, 0.5)
    np.testing.assert_array_equal(W.d, [[0, 1, 2], [3, 4, 5]])
    params = get_parameters()
    params.clear()  # a copy: the registry stays
    assert len(get_parameters()) == 3
    assert repr(a) == "Variable('a', shape=(1, 1), need_grad=True)"
    clear_parameters()
    assert get_parameters() == {}
    assert get_parameter_or_create("a", (1, 1)) is not a


def test_clear_errors():
    x = Variable((32, 1), name="x")
    with pytest.raises(ValueError, match=r"add: the shapes \(32, 1\) and \(3, 2\) do not broadcast"):
        add(x, Variable((3, 2)))
    with pytest.raises(ValueError, match=r"mul: the shapes"):
        x * np.ones((5, 1, 1)) * np.ones((4, 1))
    with pytest.raises(ValueError, match=r"Variable 'x' has shape \(32, 1\): set .d from an array of that "
                                         r"shape or from a single number, got shape \(32,\)"):
        x.d = np.zeros(32)
    with pytest.raises(ValueError, match=r"set .g from"):
        x.g = np.zeros((1, 32))
    with pytest.raises(TypeError, match="takes real numbers"):
        x.d = "a string"
    with pytest.raises(ValueError, match=r"backward\(\) without a grad .* shape \(32, 1\)"):
        x.backward()
    with pytest.raises(ValueError, match=r"backward\(grad=...\)"):
        (x * 2).backward(grad=np.ones(3))
    with pytest.raises(TypeError, match="exponent must be a plain number"):
        x ** x
    with pytest.raises(TypeError, match="pow_scalar: expected a Variable"):
        pow_scalar(np.ones(2), 2)
    with pytest.raises(ValueError, match=r"mean: axis 2 does not fit a variable of shape \(32, 1\)"):
        mean(x, axis=2)
    with pytest.raises(ValueError, match="mean: axis"):
        mean(x, axis=(0, -2))
    with pytest.raises(TypeError, match="add: expected a Variable, a number or a NumPy array"):
        x + "1"
    with pytest.raises(TypeError, match="sub: expected"):
        [1.0] - x
    with pytest.raises(TypeError, match="floating-point"):
        Variable((2,), dtype=np.int64)
    with pytest.raises(TypeError, match="a shape such as"):
        Variable("big")
    get_parameter_or_create("a", (1, 1))
    with pytest.raises(ValueError, match=r"parameter 'a' exists with shape \(1, 1\), asked for shape \(2,\)"):
        get_parameter_or_create("a", 2)
    with pytest.raises(TypeError, match="needs a name"):
        get_parameter_or_create("", (1,))
    with pytest.raises(ValueError, match=r"Variable 'W' has shape \(2, 2\)"):
        get_parameter_or_create("W", (2, 2), initializer=np.ones(3))
