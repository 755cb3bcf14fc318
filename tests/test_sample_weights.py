"""The committed sample weights: verified on load, the right shapes, and accurate on real MNIST."""

import shutil

import numpy as np
import pytest

from common.files import sha256_file
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


# --- the review's S05-S08: upper-case checksums, and arrays checked beyond the hash ---------------

def test_upper_case_checksum_is_accepted(copy):
    record = copy.parent / (copy.name + ".sha256")
    record.write_text(record.read_text().upper())  # PowerShell's Get-FileHash prints upper case
    assert load_sample_weights(copy)["W1"].shape == (784, 50)
    record.write_bytes(f"{sha256_file(copy).upper()}  {copy.name}\r\n".encode("utf-16"))  # Out-File
    assert load_sample_weights(copy)["b3"].shape == (10,)


def test_garbled_checksum_record_is_named(copy):
    (copy.parent / (copy.name + ".sha256")).write_text("not a checksum\n")
    with pytest.raises(SampleWeightsError, match="64 hex digits"):
        load_sample_weights(copy)


def rewrite_with_recorded_hash(path, network):
    """Replace the weights and regenerate their .sha256, as the old error message invited."""
    np.savez(path, **network)
    (path.parent / (path.name + ".sha256")).write_text(f"{sha256_file(path)}  {path.name}\n")


@pytest.mark.parametrize("damage, message", [
    ("int64", "W2 has dtype int64, expected float32"),
    ("float64", "b1 has dtype float64, expected float32"),
    ("shape", r"W1 has shape \(50, 784\), expected \(784, 50\)"),
    ("nan", "W3 holds 1 NaN or infinite value"),
    ("inf", "b2 holds 2 NaN or infinite value"),
    ("missing", r"holds \['W1', 'W2', 'W3', 'b1', 'b2'\]"),
])
def test_wrong_arrays_with_a_regenerated_hash_are_refused(copy, damage, message):
    network = load_sample_weights(copy)
    if damage == "int64":
        network["W2"] = network["W2"].astype(np.int64)
    elif damage == "float64":
        network["b1"] = network["b1"].astype(np.float64)
    elif damage == "shape":
        network["W1"] = network["W1"].T.copy()
    elif damage == "nan":
        network["W3"][3, 4] = np.nan
    elif damage == "inf":
        network["b2"][:2] = np.inf
    else:
        del network["b3"]
    rewrite_with_recorded_hash(copy, network)
    with pytest.raises(SampleWeightsError, match=message):
        load_sample_weights(copy)


def test_npy_file_with_a_regenerated_hash_is_refused(copy):
    with open(copy, "wb") as file:
        np.save(file, np.zeros(3, np.float32))
    (copy.parent / (copy.name + ".sha256")).write_text(sha256_file(copy) + "\n")
    with pytest.raises(SampleWeightsError, match="not an .npz archive"):
        load_sample_weights(copy)


def test_a_folder_in_place_of_the_file_is_not_called_missing(copy):
    """Reliability rerun S18: a folder of that name was reported as a missing file."""
    copy.unlink()
    copy.mkdir()
    with pytest.raises(SampleWeightsError, match="is a folder, not the weights file"):
        load_sample_weights(copy)
