"""The network core: parameter names, float64 numerical gradients that leave the network as it was,
saving and loading with checksums."""

import numpy as np
import pytest

from common.gradient_check import gradient_check
from common.layer_net import LayerNet
from common.layers import Affine, BatchNormalization, Relu, SoftmaxWithLoss
from common.multi_layer_net_extend import MultiLayerNetExtend
from common.rng import seed


def small_net(dtype=np.float32):
    rng = np.random.default_rng(0)
    layers = {
        "Affine1": Affine(rng.normal(size=(4, 5)).astype(dtype), np.zeros(5, dtype)),
        "BatchNorm1": BatchNormalization(np.ones(5, dtype), np.zeros(5, dtype)),
        "Relu1": Relu(),
        "Affine2": Affine(rng.normal(size=(5, 3)).astype(dtype), np.zeros(3, dtype)),
    }
    return LayerNet(layers, SoftmaxWithLoss(), input_shape=(4,), dtype=dtype)


def test_parameters_are_named_as_the_book_names_them_and_are_the_layers_arrays():
    net = small_net()
    assert list(net.params) == ["W1", "b1", "gamma1", "beta1", "W2", "b2"]
    assert net.params["W2"] is net.layers["Affine2"].W
    assert net.params["gamma1"] is net.layers["BatchNorm1"].gamma


def test_numerical_gradient_is_float64_and_leaves_the_network_unchanged():
    net = small_net(np.float32)
    rng = np.random.default_rng(1)
    x, t = rng.normal(size=(6, 4)).astype(np.float32), rng.integers(0, 3, 6)
    net.loss(x, t, train_flg=True)  # running averages now hold something
    arrays = dict(net.params)
    values = {key: value.copy() for key, value in net.params.items()}
    running = net.layers["BatchNorm1"].running_mean.copy()
    numeric = net.numerical_gradient(x, t)
    assert all(grad.dtype == np.float64 for grad in numeric.values())
    assert all(net.params[key] is arrays[key] for key in arrays)            # the same arrays ...
    assert all(np.array_equal(net.params[key], values[key]) for key in values)  # ... with the same values
    assert net.dtype == np.float32 and np.array_equal(net.layers["BatchNorm1"].running_mean, running)
    # float32 backprop against the float64 check: agreement to float32 precision, not 1e-4 to 4e-3
    errors = gradient_check(net, x, t, measure="max_relative")
    assert max(errors.values()) < 1e-3, errors


def test_inputs_are_checked_with_a_hint():
    net = small_net()
    with pytest.raises(ValueError, match=r"LayerNet.predict expected input of shape \(N, 4\), got \(2, 2, 2\) "
                                         r"\(load MNIST with flatten=True"):
        net.predict(np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match=r"one sample\? make it a batch of one"):
        net.predict(np.zeros(4))
    with pytest.raises(ValueError, match="expected numbers"):
        net.predict(np.array([["a"] * 4]))


def test_save_and_load_with_checksum_and_a_book_style_name(tmp_path):
    seed(0)
    net = MultiLayerNetExtend(4, [5], 3, use_batchnorm=True)
    path = net.save_params(tmp_path / "params.pkl")  # the book's name; no pickle is written
    assert path.name == "params.npz" and (tmp_path / "params.npz.sha256").is_file()
    other = MultiLayerNetExtend(4, [5], 3, use_batchnorm=True, weight_init_std=0.5)
    arrays = dict(other.params)
    other.load_params(tmp_path / "params.pkl")
    assert all(np.array_equal(other.params[k], net.params[k]) for k in net.params)
    assert all(other.params[k] is arrays[k] for k in arrays)  # loaded in place
    data = bytearray(path.read_bytes())
    data[-30] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="does not match the SHA-256"):
        other.load_params(path)


def affine_relu_affine(W1, W2, first=Affine, second=Affine, **layers_before):
    """A float64 LayerNet Affine - Relu - Affine with copies of W1 and W2 (first and second: the two
    Affine classes), after ``layers_before`` if any."""
    layers = {**layers_before, "Affine1": first(W1.copy(), np.zeros(W1.shape[1])), "Relu1": Relu(),
              "Affine2": second(W2.copy(), np.zeros(W2.shape[1]))}
    return LayerNet(layers, SoftmaxWithLoss(), input_shape=(W1.shape[0],), dtype=np.float64)


class KeepingAffine(Affine):
    """An Affine that keeps the output and the dx it hands on, as a learner's layer for plotting
    activations and gradients might: so no layer next to it may write into either."""

    dx_is_new = False
    out_is_new = False

    def forward(self, x, train_flg=False):
        self.out = super().forward(x, train_flg)
        return self.out

    def backward(self, dout, input_gradient=True):
        self.dx = super().backward(dout, input_gradient)
        return self.dx


def test_relu_writes_into_dout_only_when_the_core_knows_nobody_else_holds_it():
    """Relu.backward leaves dout alone unless asked; the core asks only after a layer whose dx is new
    (Affine), so the gradients are the same either way and a layer that keeps its dx sees it unchanged."""
    relu, dout = Relu(), np.array([[1.0, 2.0, 3.0]])
    relu.forward(np.array([[-1.0, 0.5, 2.0]]))
    assert np.array_equal(relu.backward(dout), [[0.0, 2.0, 3.0]]) and np.array_equal(dout, [[1.0, 2.0, 3.0]])
    assert relu.backward(dout, overwrite_dout=True) is dout and np.array_equal(dout, [[0.0, 2.0, 3.0]])

    rng = np.random.default_rng(2)
    x, t = rng.normal(size=(6, 4)), rng.integers(0, 3, 6)
    W1, W2 = rng.normal(size=(4, 5)), rng.normal(size=(5, 3))

    plain, recording = affine_relu_affine(W1, W2), affine_relu_affine(W1, W2, second=KeepingAffine)
    grads = plain.gradient(x, t)
    kept = recording.gradient(x, t)
    for key in grads:
        np.testing.assert_array_equal(grads[key], kept[key])
    # KeepingAffine's dx still holds dL/d(Relu output): the Relu made a new array for its own dx
    expected = recording.last_layer.backward(1) @ W2.T
    np.testing.assert_allclose(recording.layers["Affine2"].dx, expected)


def test_relu_writes_into_x_only_when_the_core_knows_nobody_else_holds_it():
    """Relu.forward leaves x alone unless asked; the core asks only after a layer whose output is new
    (Affine, Convolution, BatchNormalization), and never for the caller's own x."""
    relu, x = Relu(), np.array([[-1.0, 0.5, 2.0]])
    assert np.array_equal(relu.forward(x), [[0.0, 0.5, 2.0]]) and np.array_equal(x, [[-1.0, 0.5, 2.0]])
    assert relu.forward(x, overwrite_x=True) is x and np.array_equal(x, [[0.0, 0.5, 2.0]])
    assert np.array_equal(relu.mask, [[False, True, True]])   # the mask is taken before x is overwritten

    rng = np.random.default_rng(3)
    x, t = rng.normal(size=(6, 4)), rng.integers(0, 3, 6)
    W1, W2 = rng.normal(size=(4, 5)), rng.normal(size=(5, 3))

    plain, keeping = affine_relu_affine(W1, W2), affine_relu_affine(W1, W2, first=KeepingAffine)
    np.testing.assert_array_equal(plain.predict(x), keeping.predict(x))
    for key, grad in plain.gradient(x, t).items():
        np.testing.assert_array_equal(grad, keeping.gradient(x, t)[key])
    np.testing.assert_allclose(keeping.layers["Affine1"].out, x @ W1)   # still the Affine's own output
    data = x.copy()
    affine_relu_affine(W1, W2, Relu0=Relu()).predict(data)
    np.testing.assert_array_equal(data, x)   # a Relu as the first layer leaves the caller's x alone
