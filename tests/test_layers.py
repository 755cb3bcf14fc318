"""Every layer's backward pass against numerical gradients (float64), plus shapes, errors, no mutation."""

import numpy as np
import pytest

from common.gradient_check import layer_gradient_check
from common.layers import Affine, AddLayer, MulLayer, Relu, Sigmoid, SoftmaxWithLoss

TOLERANCE = 1e-6  # the largest relative error of any element; central differences (h = 1e-4) in float64
rng = np.random.default_rng(0)


def assert_close(errors):
    assert errors and all(e < TOLERANCE for e in errors.values()), errors


def test_shopping_example_numbers():
    """2 apples at 100 yen with 10% tax: the book's numbers, forward and backward."""
    mul_apple, mul_tax = MulLayer(), MulLayer()
    price = mul_tax.forward(mul_apple.forward(100, 2), 1.1)
    assert price == pytest.approx(220)
    d_apple_price, d_tax = mul_tax.backward(1)
    d_apple, d_apple_num = mul_apple.backward(d_apple_price)
    assert (d_apple, d_apple_num, d_tax) == pytest.approx((2.2, 110, 200))


def test_apples_and_oranges_example_numbers():
    mul_apple, mul_orange, add, mul_tax = MulLayer(), MulLayer(), AddLayer(), MulLayer()
    total = add.forward(mul_apple.forward(100, 2), mul_orange.forward(150, 3))
    price = mul_tax.forward(total, 1.1)
    assert price == pytest.approx(715)
    d_total, d_tax = mul_tax.backward(1)
    d_apple_price, d_orange_price = add.backward(d_total)
    d_apple, d_apple_num = mul_apple.backward(d_apple_price)
    d_orange, d_orange_num = mul_orange.backward(d_orange_price)
    assert (d_apple_num, d_apple, d_orange, d_orange_num, d_tax) == pytest.approx((110, 2.2, 3.3, 165, 650))


@pytest.mark.parametrize("batch", [1, 5])
def test_mul_and_add_layers(batch):
    x, y = rng.normal(size=(batch, 3)), rng.normal(size=(batch, 3))
    assert_close(layer_gradient_check(MulLayer(), x, y, measure="max_relative"))
    assert_close(layer_gradient_check(AddLayer(), x, y, measure="max_relative"))


@pytest.mark.parametrize("batch", [1, 6])
def test_relu_and_sigmoid(batch):
    x = rng.normal(size=(batch, 7))
    x[np.abs(x) < 1e-3] = 0.5  # keep away from ReLU's kink, where the derivative is undefined
    assert_close(layer_gradient_check(Relu(), x, measure="max_relative"))
    assert_close(layer_gradient_check(Sigmoid(), x, measure="max_relative"))


@pytest.mark.parametrize("shape", [(1, 4), (5, 4), (3, 1, 2, 2)])
def test_affine(shape):
    layer = Affine(rng.normal(size=(4, 3)), rng.normal(size=3))
    errors = layer_gradient_check(layer, rng.normal(size=shape), params=("W", "b"), measure="max_relative")
    assert set(errors) == {"x0", "W", "b"}
    assert_close(errors)
    dx = layer.backward(np.ones((shape[0], 3)))
    assert dx.shape == shape  # tensor inputs are flattened for the product and restored for dx


@pytest.mark.parametrize("batch", [1, 4])
@pytest.mark.parametrize("one_hot", [True, False])
def test_softmax_with_loss(batch, one_hot):
    x = rng.normal(size=(batch, 5))
    labels = rng.integers(0, 5, size=batch)
    t = np.eye(5)[labels] if one_hot else labels
    assert_close(layer_gradient_check(SoftmaxWithLoss(), x, t, measure="max_relative"))


def test_softmax_with_loss_backward_is_y_minus_t_over_n():
    layer = SoftmaxWithLoss()
    x = rng.normal(size=(4, 3))
    t = np.eye(3)[[0, 2, 1, 1]]
    layer.forward(x, t)
    np.testing.assert_allclose(layer.backward(), (layer.y - t) / 4)
    single = SoftmaxWithLoss()
    single.forward(x[0], 0)  # one sample without a batch axis
    assert single.backward().shape == (3,)


def test_no_layer_mutates_its_arguments():
    x = rng.normal(size=(4, 3)).astype(np.float32)
    dout = rng.normal(size=(4, 3)).astype(np.float32)
    keep_x, keep_dout = x.copy(), dout.copy()
    for layer in (Relu(), Sigmoid(), Affine(np.ones((3, 3), np.float32), np.zeros(3, np.float32))):
        layer.forward(x)
        layer.backward(dout)
    loss = SoftmaxWithLoss()
    t = np.array([0, 1, 2, 0])
    loss.forward(x, t)
    loss.backward(np.float32(1.0))
    np.testing.assert_array_equal(x, keep_x)
    np.testing.assert_array_equal(dout, keep_dout)
    np.testing.assert_array_equal(t, [0, 1, 2, 0])


def test_float32_stays_float32():
    x = rng.normal(size=(4, 3)).astype(np.float32)
    affine = Affine(np.ones((3, 2), np.float32), np.zeros(2, np.float32))
    out = affine.forward(Relu().forward(x))
    assert out.dtype == np.float32
    loss = SoftmaxWithLoss()
    assert loss.forward(out, np.array([0, 1, 1, 0])).dtype == np.float32
    assert loss.backward().dtype == np.float32
    assert affine.backward(loss.backward()).dtype == np.float32 and affine.dW.dtype == np.float32


def test_clear_errors_for_mismatched_shapes():
    affine = Affine(np.zeros((784, 50)), np.zeros(50))
    with pytest.raises(ValueError, match=r"Affine expected input of shape \(N, 784\), got \(100, 28, 27\)"):
        affine.forward(np.zeros((100, 28, 27)))
    with pytest.raises(ValueError, match=r"reshape\(1, -1\)"):
        affine.forward(np.zeros(784))
    with pytest.raises(ValueError, match=r"W of shape \(inputs, outputs\) and b of shape \(outputs,\)"):
        Affine(np.zeros((784, 50)), np.zeros(10))
    with pytest.raises(ValueError, match="one-hot"):
        SoftmaxWithLoss().forward(np.zeros((4, 10)), np.zeros((4, 9)))


@pytest.mark.parametrize("batch", [1, 5])
def test_tanh_softmax_and_identity(batch):
    from common.layers import Identity, Softmax, Tanh

    x = rng.normal(size=(batch, 6))
    for layer in (Tanh(), Softmax(), Identity()):
        assert_close(layer_gradient_check(layer, x, measure="max_relative"))
    np.testing.assert_allclose(Softmax().forward(x).sum(axis=1), 1)
    x32 = x.astype(np.float32)
    for layer in (Tanh(), Softmax(), Identity()):
        out = layer.forward(x32)
        assert out.dtype == np.float32 and layer.backward(np.ones_like(out)).dtype == np.float32
    np.testing.assert_array_equal(x32, x.astype(np.float32))  # inputs left alone
