"""Pretrained weights for the 784-50-100-10 network of notebook 02 (MNIST inference).

Introduced in notebook 02, section 3.6.

The weights are ours, not the book's: ``python data/train_sample_weights.py`` trains them from a
fixed seed and writes ``data/sample_weight.npz`` with its SHA-256 in ``data/sample_weight.npz.sha256``.
Loading checks that SHA-256 first and reads the arrays with ``allow_pickle=False`` (the book ships a
pickle, which can run arbitrary code when loaded; an ``.npz`` of plain arrays cannot).
"""

from pathlib import Path

import numpy as np

from common.files import sha256_file

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
WEIGHTS_FILE = DATA_DIR / "sample_weight.npz"
LAYER_SIZES = (784, 50, 100, 10)
PARAMETER_NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")


class SampleWeightsError(RuntimeError):
    """The sample weights are missing, altered, or not the arrays we expect."""


def recorded_sha256(path: Path = WEIGHTS_FILE) -> str:
    """The SHA-256 written next to ``path`` (in ``<path>.sha256``, the format of ``sha256sum``)."""
    record = Path(str(path) + ".sha256")
    try:
        return record.read_text().split()[0]
    except (FileNotFoundError, IndexError):
        raise SampleWeightsError(f"No checksum recorded for {path.name}: expected it in {record}. "
                                 f"Regenerate both with: python data/train_sample_weights.py") from None


def load_sample_weights(path: Path = WEIGHTS_FILE) -> dict:
    """Return {'W1', 'b1', 'W2', 'b2', 'W3', 'b3'} (float32) after verifying the file's SHA-256."""
    path = Path(path)
    if not path.is_file():
        raise SampleWeightsError(f"{path} is missing. It is part of the repository: restore it with "
                                 f"`git checkout -- data/` or regenerate it with "
                                 f"`python data/train_sample_weights.py`.")
    expected, actual = recorded_sha256(path), sha256_file(path)
    if actual != expected:
        raise SampleWeightsError(f"{path.name} does not match its recorded SHA-256 (expected "
                                 f"{expected[:16]}..., file has {actual[:16]}...): it was altered or "
                                 f"damaged. Restore it with `git checkout -- data/`.")
    with np.load(path, allow_pickle=False) as npz:
        network = {name: npz[name] for name in npz.files}
    if sorted(network) != sorted(PARAMETER_NAMES):
        raise SampleWeightsError(f"{path.name} holds {sorted(network)}, expected {list(PARAMETER_NAMES)}")
    return network
