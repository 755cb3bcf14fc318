"""Pretrained weights for the 784-50-100-10 network of notebook 02 (MNIST inference).

Introduced in notebook 02, section 3.6.

The weights are ours, not the book's: ``python data/train_sample_weights.py`` trains them from a
fixed seed and writes ``data/sample_weight.npz`` with its SHA-256 in ``data/sample_weight.npz.sha256``.
Loading checks that SHA-256 first (in lower- or upper-case hex, as PowerShell's ``Get-FileHash``
prints it) and reads the arrays with ``allow_pickle=False`` (the book ships a pickle, which can run
arbitrary code when loaded; an ``.npz`` of plain arrays cannot). The arrays themselves are then checked
too (names, shapes, float32, finite values): a regenerated ``.sha256`` vouches for whatever file is
there, so the hash alone cannot promise the network of notebook 02.
"""

import re
import zipfile
from pathlib import Path

import numpy as np

from common.files import sha256_file

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
WEIGHTS_FILE = DATA_DIR / "sample_weight.npz"
LAYER_SIZES = (784, 50, 100, 10)
PARAMETER_NAMES = ("W1", "b1", "W2", "b2", "W3", "b3")
# The shape of every parameter of the 784-50-100-10 network: W{i} (n_in, n_out), b{i} (n_out,).
PARAMETER_SHAPES = {f"{kind}{i}": ((n_in, n_out) if kind == "W" else (n_out,))
                    for i, (n_in, n_out) in enumerate(zip(LAYER_SIZES[:-1], LAYER_SIZES[1:]), start=1)
                    for kind in ("W", "b")}


class SampleWeightsError(RuntimeError):
    """The sample weights are missing, altered, or not the arrays we expect."""


def recorded_sha256(path: Path = WEIGHTS_FILE) -> str:
    """The SHA-256 written next to ``path`` (in ``<path>.sha256``, the format of ``sha256sum``)."""
    record = Path(str(path) + ".sha256")
    try:
        data = record.read_bytes()
    except FileNotFoundError:
        raise SampleWeightsError(f"No checksum recorded for {path.name}: expected it in {record}. "
                                 f"Regenerate both with: python data/train_sample_weights.py") from None
    # PowerShell's Out-File writes UTF-16 with a byte-order mark; everything else writes ASCII.
    text = data.decode("utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else data.decode("utf-8", "replace")
    words = text.split()
    if not words or not re.fullmatch(r"[0-9a-fA-F]{64}", words[0]):
        raise SampleWeightsError(f"{record} should start with a SHA-256 (64 hex digits, as sha256sum "
                                 f"prints it), got {text[:80]!r}. Restore it with `git checkout -- data/`.")
    return words[0].lower()  # Get-FileHash prints upper case; sha256sum lower case: the same hash


def load_sample_weights(path: Path = WEIGHTS_FILE) -> dict:
    """Return {'W1', 'b1', 'W2', 'b2', 'W3', 'b3'} (float32) after verifying the file's SHA-256."""
    path = Path(path)
    if path.is_dir():
        raise SampleWeightsError(f"{path} is a folder, not the weights file. Remove the folder, then restore "
                                 f"the file with `git checkout -- data/`.")
    if not path.is_file():
        raise SampleWeightsError(f"{path} is missing. It is part of the repository: restore it with "
                                 f"`git checkout -- data/` or regenerate it with "
                                 f"`python data/train_sample_weights.py`.")
    expected, actual = recorded_sha256(path), sha256_file(path)
    if actual != expected:
        raise SampleWeightsError(f"{path.name} does not match its recorded SHA-256 (expected "
                                 f"{expected[:16]}..., file has {actual[:16]}...): it was altered or "
                                 f"damaged. Restore it with `git checkout -- data/`.")
    try:
        with open(path, "rb") as file, np.load(file, allow_pickle=False) as npz:
            network = {name: npz[name] for name in npz.files}
    except (OSError, ValueError, EOFError, TypeError, AttributeError, zipfile.BadZipFile) as error:
        # TypeError/AttributeError: np.load gave a single array (a .npy), which is no archive
        raise SampleWeightsError(f"{path.name} is not an .npz archive of arrays ({type(error).__name__}: "
                                 f"{error}). Restore it with `git checkout -- data/`.") from None
    _check_arrays(network, path.name)
    return network


def _check_arrays(network: dict, filename: str) -> None:
    """The six parameters, each float32 of its shape, all finite; else a SampleWeightsError naming what came."""
    if sorted(network) != sorted(PARAMETER_NAMES):
        raise SampleWeightsError(f"{filename} holds {sorted(network)}, expected {list(PARAMETER_NAMES)}")
    for name in PARAMETER_NAMES:
        array, shape = network[name], PARAMETER_SHAPES[name]
        if array.shape != shape:
            raise SampleWeightsError(f"{filename}: {name} has shape {array.shape}, expected {shape} "
                                     f"(the 784-50-100-10 network of notebook 02).")
        if array.dtype != np.float32:
            raise SampleWeightsError(f"{filename}: {name} has dtype {array.dtype}, expected float32.")
        if not np.all(np.isfinite(array)):
            bad = int(np.count_nonzero(~np.isfinite(array)))
            raise SampleWeightsError(f"{filename}: {name} holds {bad} NaN or infinite value(s); trained "
                                     f"weights are finite numbers.")
