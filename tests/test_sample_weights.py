"""The committed sample weights: verified on load, the right shapes, and accurate on real MNIST."""

import shutil

import numpy as np
import pytest

from common.functions import sigmoid, softmax
from common.mnist import load_mnist
from common.sample_weights import WEIGHTS_FILE, SampleWeightsError, load_sample_weights


def test_shapes_and_dtype():
    network = load_sample_weights()
    shapes = {name: a.shape for name, a in network.items()}
    assert shapes == {"W1": (784, 50), "b1": (50,), "W2": (50, 100), "b2": (100,), "W3": (100, 10), "b3": (10,)}
    assert all(a.dtype == np.float32 for a in network.values())


def test_accuracy_on_the_test_set_beats_the_books_weights():
    network = load_sample_weights()
    _, (x_test, t_test) = load_mnist()
    a1 = x_test @ network["W1"] + network["b1"]
    a2 = sigmoid(a1) @ network["W2"] + network["b2"]
    y = softmax(sigmoid(a2) @ network["W3"] + network["b3"])
    assert np.mean(y.argmax(axis=1) == t_test) >= 0.9352  # the book's figure for its own weights


@pytest.fixture
def copy(tmp_path):
    target = tmp_path / WEIGHTS_FILE.name
    shutil.copy(WEIGHTS_FILE, target)
    shutil.copy(str(WEIGHTS_FILE) + ".sha256", str(target) + ".sha256")
    return target


def test_altered_file_is_refused(copy):
    data = bytearray(copy.read_bytes())
    data[-100] ^= 1
    copy.write_bytes(bytes(data))
    with pytest.raises(SampleWeightsError, match="does not match its recorded SHA-256"):
        load_sample_weights(copy)


def test_missing_file_or_checksum_is_explained(copy, tmp_path):
    with pytest.raises(SampleWeightsError, match="missing.*git checkout"):
        load_sample_weights(tmp_path / "nowhere.npz")
    (tmp_path / (copy.name + ".sha256")).unlink()
    with pytest.raises(SampleWeightsError, match="No checksum recorded"):
        load_sample_weights(copy)
