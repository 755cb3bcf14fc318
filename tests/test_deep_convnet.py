"""Chapter 8: the book's DeepConvNet on the network core, and the trained weights we commit."""

import numpy as np
import pytest

from common.deep_convnet import WEIGHTS_FILE, DeepConvNet, random_shifts
from common.gradient_check import gradient_check
from common.layers import Dropout
from common.mnist import load_mnist
from common.rng import seed

WEIGHTS = WEIGHTS_FILE
rng = np.random.default_rng(8)

BOOK_SHAPES = {"W1": (16, 1, 3, 3), "b1": (16,), "W2": (16, 16, 3, 3), "b2": (16,),
               "W3": (32, 16, 3, 3), "b3": (32,), "W4": (32, 32, 3, 3), "b4": (32,),
               "W5": (64, 32, 3, 3), "b5": (64,), "W6": (64, 64, 3, 3), "b6": (64,),
               "W7": (1024, 50), "b7": (50,), "W8": (50, 10), "b8": (10,)}


class FixedRandom:
    """Stands in for a random generator: always the same numbers, so a dropout mask stays fixed."""

    def __init__(self, values):
        self.values = values

    def random(self, shape):
        return self.values[tuple(slice(0, n) for n in shape)]


def small_network(dtype=np.float64, **kwargs):
    """A DeepConvNet small enough for a numerical gradient: 10x10 images, 2 to 4 filters per layer."""
    params = [{"filter_num": n} for n in (2, 3, 3, 4, 4, 2)]
    return DeepConvNet(input_dim=(1, 10, 10), conv_param_1=params[0], conv_param_2=params[1],
                       conv_param_3=params[2], conv_param_4=params[3], conv_param_5=params[4],
                       conv_param_6=params[5], hidden_size=6, output_size=4, dtype=dtype, **kwargs)


def test_the_books_architecture_and_parameters():
    seed(0)
    network = DeepConvNet()
    assert {key: value.shape for key, value in network.params.items()} == BOOK_SHAPES
    assert list(network.params) == list(BOOK_SHAPES)  # W1, b1, ..., W8, b8 in the book's order
    assert all(value.dtype == np.float32 for value in network.params.values())
    assert list(network.layers) == [
        "Conv1", "Relu1", "Conv2", "Relu2", "Pool1", "Conv3", "Relu3", "Conv4", "Relu4", "Pool2",
        "Conv5", "Relu5", "Conv6", "Relu6", "Pool3", "Affine1", "Relu7", "Dropout1", "Affine2", "Dropout2"]
    assert [network.layers[f"Conv{k}"].pad for k in range(1, 7)] == [1, 1, 1, 2, 1, 1]
    assert all(isinstance(network.layers[name], Dropout) and network.layers[name].dropout_ratio == 0.5
               and not network.layers[name].inverted for name in ("Dropout1", "Dropout2"))
    # He initialisation: standard deviation sqrt(2 / fan-in), biases zero
    for key, fan_in in (("W1", 9), ("W2", 144), ("W4", 288), ("W6", 576), ("W7", 1024), ("W8", 50)):
        std = network.params[key].std()
        assert 0.85 < std / np.sqrt(2 / fan_in) < 1.15, (key, std)
    assert all(not network.params[f"b{k}"].any() for k in range(1, 9))
    assert sum(value.size for value in network.params.values()) == 123_552
    assert network.predict(np.zeros((2, 1, 28, 28), np.float32)).shape == (2, 10)


def test_the_books_keyword_arguments():
    network = DeepConvNet(input_dim=(1, 28, 28),
                          conv_param_1={"filter_num": 16, "filter_size": 3, "pad": 1, "stride": 1},
                          conv_param_6={"filter_num": 32, "filter_size": 3, "pad": 1, "stride": 1},
                          hidden_size=20, output_size=10)
    assert network.params["W6"].shape == (32, 64, 3, 3)
    assert network.params["W7"].shape == (32 * 4 * 4, 20)


@pytest.mark.parametrize("batch", [1, 3])
def test_gradient_matches_numerical_gradient(batch):
    seed(4)
    network = small_network()
    for name in ("Dropout1", "Dropout2"):  # fixed masks: the numerical gradient needs one function
        network.layers[name].rng = FixedRandom(np.random.default_rng(5).random((batch, 6)))
    x = rng.normal(size=(batch, 1, 10, 10))
    t = rng.integers(0, 4, size=batch)
    errors = gradient_check(network, x, t, measure="max_relative")
    grads = network.gradient(x, t)
    assert all(np.abs(grads[f"W{k}"]).max() > 1e-2 for k in range(1, 9))  # every layer takes part (no dead ReLUs)
    assert set(errors) == {f"{p}{k}" for p in "Wb" for k in range(1, 9)}
    assert max(errors.values()) < 1e-6, errors


def test_dropout_is_active_only_while_training():
    seed(5)
    network = small_network(dtype=np.float32)
    x = rng.random((4, 1, 10, 10)).astype(np.float32)
    np.testing.assert_array_equal(network.predict(x), network.predict(x))  # inference: no randomness
    assert not np.array_equal(network.predict(x, train_flg=True), network.predict(x, train_flg=True))


def test_float32_gradients_and_accuracy_in_batches():
    seed(6)
    network = small_network(dtype=np.float32)
    x = rng.random((23, 1, 10, 10)).astype(np.float32)
    t = rng.integers(0, 4, size=23)
    grads = network.gradient(x, t)
    assert all(grads[key].dtype == np.float32 and grads[key].shape == network.params[key].shape for key in grads)
    assert np.isfinite(network.last_loss)
    whole = np.mean(network.predict(x).argmax(axis=1) == t)
    assert network.accuracy(x, t) == pytest.approx(whole)
    assert network.accuracy(x, t, batch_size=5) == pytest.approx(whole)


def test_save_and_load(tmp_path):
    seed(7)
    network = small_network(dtype=np.float32)
    path = network.save_params(tmp_path / "deep_convnet_params.pkl")  # the book's name: written as .npz
    assert path == tmp_path / "deep_convnet_params.npz" and (tmp_path / "deep_convnet_params.npz.sha256").is_file()
    other = small_network(dtype=np.float32)
    assert not np.array_equal(other.params["W1"], network.params["W1"])
    other.load_params(path)
    x = rng.random((3, 1, 10, 10)).astype(np.float32)
    np.testing.assert_array_equal(other.predict(x), network.predict(x))
    data = bytearray(path.read_bytes())
    data[-1] ^= 1  # one bit changed: the SHA-256 no longer matches
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="does not match the SHA-256"):
        other.load_params(path)


def test_errors():
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 1, 28, 28\), got \(100, 784\)"):
        DeepConvNet().predict(np.zeros((100, 784), np.float32))
    with pytest.raises(ValueError, match="conv_param_3 takes the keys"):
        DeepConvNet(conv_param_3={"filters": 8})
    with pytest.raises(ValueError, match=r"conv_param_2\['pad'\] must be a whole number >= 0"):
        DeepConvNet(conv_param_2={"pad": -1})
    with pytest.raises(ValueError, match="too small for 2x2 pooling"):
        DeepConvNet(input_dim=(1, 3, 3))
    with pytest.raises(ValueError, match="input_dim must be"):
        DeepConvNet(input_dim=(28, 28))


def test_committed_weights_load_and_classify():
    network = DeepConvNet().load_params(WEIGHTS)  # verifies the SHA-256 and reads with allow_pickle=False
    assert all(value.dtype == np.float32 and np.all(np.isfinite(value)) for value in network.params.values())
    assert WEIGHTS.stat().st_size < 1_000_000
    (_, _), (x_test, t_test) = load_mnist(flatten=False)
    # notebook 11 checks all 10,000 test images (>= 0.9935); 1,000 of them keep this test fast
    assert network.accuracy(x_test[:1000], t_test[:1000]) >= 0.985  # 0.990 here; the first 1,000 are the harder ones


def test_random_shifts_move_each_image_by_at_most_max_shift():
    images = np.zeros((200, 1, 9, 9), np.float32)
    images[:, 0, 4, 4] = 1.0  # one bright pixel in the middle of every image
    before = images.copy()
    shifted = random_shifts(images, 2, np.random.default_rng(0))
    np.testing.assert_array_equal(images, before)  # the input is left alone
    assert shifted.shape == images.shape and shifted.dtype == np.float32
    rows, cols = np.nonzero(shifted[:, 0].sum(axis=2))[1], np.nonzero(shifted[:, 0].sum(axis=1))[1]
    moves = {(int(r) - 4, int(c) - 4) for r, c in zip(rows, cols)}
    assert moves == {(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)}  # all 25 shifts, nothing beyond
    np.testing.assert_array_equal(shifted.sum(axis=(1, 2, 3)), 1.0)  # the pixel moved, nothing else came in
    np.testing.assert_array_equal(random_shifts(images, 0), images)
    np.testing.assert_array_equal(shifted, random_shifts(images, 2, np.random.default_rng(0)))  # seeded
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        random_shifts(np.zeros((9, 9)))
