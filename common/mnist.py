"""MNIST: the handwritten digits (手書き数字) the book trains on, downloaded once, verified, cached.

Introduced in notebook 01 (set-up); first used in notebook 02, section 3.6.

    >>> from common.mnist import load_mnist
    >>> (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, flatten=True)
    >>> x_train.shape, x_train.dtype, t_train[:5]
    ((60000, 784), dtype('float32'), array([5, 0, 4, 1, 9]))

Where the data comes from, in this order:

1. ``<data dir>/mnist/``: copies this module downloaded earlier (so a lost cache is rebuilt offline);
2. the directory named by the environment variable ``DLFS_MNIST_MIRROR`` (a local mirror holding
   the four ``.gz`` files, as CI uses);
3. the public HTTPS mirrors in ``PUBLIC_MIRRORS``.

Every file is checked against the SHA-256 of its *decompressed* content; a file that is missing,
truncated or different is reported by name (a ``MNISTSourceWarning``), ignored, and the next source
is tried. The four arrays are then cached in one ``.npz`` file (``<data dir>/mnist.npz``, never a
pickle) written atomically: first to a temporary file, then renamed, so an interrupted run can never
leave a half-written cache that later loads as valid. A cache that fails to load or to validate is
rebuilt.

The data dir is the repository's ``data/`` folder when ``common`` runs from a checkout, otherwise a
per-user cache folder; set ``DLFS_DATA_DIR`` to choose another.

Differences from the book's ``dataset/mnist.py``: no pickle; every file verified; labels come back as
``int64`` (the book's ``uint8`` wraps around silently in arithmetic such as ``t - 1``); one-hot labels
and normalised images are ``float32``.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import sys
import urllib.error
import urllib.request
import warnings
import zipfile
import zlib
from pathlib import Path

import numpy as np

from common.files import atomic_write

__all__ = [
    "load_mnist",
    "data_dir",
    "cache_path",
    "MNISTUnavailableError",
    "MNISTSourceWarning",
]

MIRROR_ENV = "DLFS_MNIST_MIRROR"
DATA_DIR_ENV = "DLFS_DATA_DIR"

# Public mirrors of the original files, tried in this order (both serve the same four .gz files).
PUBLIC_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
DOWNLOAD_TIMEOUT = 30  # seconds without an answer before a mirror is given up

# The four files, by the key under which their array is cached.
FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "t_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "t_test": "t10k-labels-idx1-ubyte.gz",
}

# SHA-256 of each file's decompressed content (the raw IDX bytes). They do not depend on how the
# file was gzip-compressed, so they hold for every mirror.
EXPECTED_SHA256 = {
    "train-images-idx3-ubyte.gz": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte.gz": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte.gz": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte.gz": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

CACHE_NAME = "mnist.npz"
DOWNLOADS_NAME = "mnist"  # folder inside the data dir for verified copies of downloaded files
IMAGE_SHAPE = (28, 28)
NUM_CLASSES = 10

# IDX headers start with a "magic number": 0x0803 means unsigned bytes in 3 dimensions (images),
# 0x0801 unsigned bytes in 1 dimension (labels).
_IDX_MAGIC = {3: 0x00000803, 1: 0x00000801}


class MNISTUnavailableError(RuntimeError):
    """No source could deliver a verified copy of a MNIST file, and nothing was cached."""


class MNISTSourceWarning(UserWarning):
    """One source failed for one file (missing, unreachable, truncated, wrong checksum)."""


class _Unusable(Exception):
    """A source or a cache could not be used; the message says why, in plain words."""


# --------------------------------------------------------------------------------------------
# The public function
# --------------------------------------------------------------------------------------------

def load_mnist(normalize: bool = True, flatten: bool = True, one_hot_label: bool = False):
    """Return ``(x_train, t_train), (x_test, t_test)``: 60,000 training and 10,000 test digits.

    normalize:      True gives float32 pixels in [0, 1] (pixel / 255); False gives the raw uint8 0..255.
    flatten:        True gives each image as a row of 784 numbers, shape (N, 784);
                    False keeps the picture shape with one channel, (N, 1, 28, 28).
    one_hot_label:  True gives labels as rows like [0, 0, 1, 0, 0, 0, 0, 0, 0, 0] (float32, shape (N, 10));
                    False gives the digit itself (int64, shape (N,)).
    """
    for name, value in (("normalize", normalize), ("flatten", flatten), ("one_hot_label", one_hot_label)):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"load_mnist: {name} must be True or False, got {value!r}")

    raw = _load_raw_arrays()
    # pop() lets each uint8 array be freed as soon as its converted copy exists (lower peak memory).
    x_train = _prepare_images(raw.pop("x_train"), normalize, flatten)
    x_test = _prepare_images(raw.pop("x_test"), normalize, flatten)
    t_train = _prepare_labels(raw.pop("t_train"), one_hot_label)
    t_test = _prepare_labels(raw.pop("t_test"), one_hot_label)
    return (x_train, t_train), (x_test, t_test)


def _prepare_images(images: np.ndarray, normalize: bool, flatten: bool) -> np.ndarray:
    n = images.shape[0]
    shape = (n, IMAGE_SHAPE[0] * IMAGE_SHAPE[1]) if flatten else (n, 1, *IMAGE_SHAPE)
    images = images.reshape(shape)
    if not normalize:
        return images
    # astype makes the float32 copy; dividing in place afterwards avoids a second temporary array.
    scaled = images.astype(np.float32)
    scaled /= np.float32(255.0)
    return scaled


def _prepare_labels(labels: np.ndarray, one_hot: bool) -> np.ndarray:
    labels = labels.astype(np.int64)
    if not one_hot:
        return labels
    one_hot_rows = np.zeros((labels.size, NUM_CLASSES), dtype=np.float32)
    one_hot_rows[np.arange(labels.size), labels] = 1.0
    return one_hot_rows


# --------------------------------------------------------------------------------------------
# Where files live
# --------------------------------------------------------------------------------------------

def data_dir() -> Path:
    """The folder for downloaded data and caches (created if needed).

    ``$DLFS_DATA_DIR`` if set; else the repository's ``data/`` when ``common`` runs from a checkout;
    else a per-user cache folder (``~/.cache/dlfs`` on Linux, ``~/Library/Caches/dlfs`` on macOS,
    ``%LOCALAPPDATA%\\dlfs`` on Windows).
    """
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        folder = Path(override).expanduser()
    else:
        checkout = Path(__file__).resolve().parent.parent
        if (checkout / "pyproject.toml").is_file() and (checkout / "data").is_dir():
            folder = checkout / "data"
        else:
            folder = _user_cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _user_cache_dir() -> Path:
    if sys.platform.startswith("win"):
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    return base / "dlfs"


def cache_path() -> Path:
    """Where the arrays are cached: ``<data dir>/mnist.npz``."""
    return data_dir() / CACHE_NAME


def _sources() -> list[str | Path]:
    """Every place a file may come from, in the order they are tried (see the module docstring)."""
    sources: list[str | Path] = [data_dir() / DOWNLOADS_NAME]
    mirror = os.environ.get(MIRROR_ENV)
    if mirror:
        sources.append(Path(mirror).expanduser())
    sources.extend(PUBLIC_MIRRORS)
    return sources


# --------------------------------------------------------------------------------------------
# The cache
# --------------------------------------------------------------------------------------------

def _load_raw_arrays() -> dict[str, np.ndarray]:
    """The four uint8 arrays, from the cache if it is sound, otherwise rebuilt from the sources."""
    path = cache_path()
    if path.exists():
        try:
            return _read_cache(path)
        except _Unusable as problem:
            warnings.warn(f"MNIST cache {path} is unusable ({problem}); rebuilding it.",
                          MNISTSourceWarning, stacklevel=3)
    arrays = _arrays_from_sources()
    try:
        _atomic_save_npz(path, arrays)
    except OSError as error:
        # The data is still good: hand it back, just without caching it for next time.
        warnings.warn(f"Could not write the MNIST cache {path} ({error}); the data is loaded but "
                      f"will be fetched again next time. Set {DATA_DIR_ENV} to a writable folder.",
                      MNISTSourceWarning, stacklevel=3)
    return arrays


def _expected_fingerprint() -> np.ndarray:
    """The checksums the cache was built from, stored inside it: a changed source list forces a rebuild."""
    return np.array([EXPECTED_SHA256[FILES[key]] for key in FILES])


def _read_cache(path: Path) -> dict[str, np.ndarray]:
    """Load and validate the cache. Raises _Unusable for anything short of a sound file.

    Reading every array in full also makes ``zipfile`` check each member's CRC-32, so flipped or
    missing bytes anywhere in the file are caught here.
    """
    try:
        # Opening the file ourselves guarantees it is closed even when NumPy gives up half-way.
        with open(path, "rb") as file, np.load(file, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error) as error:
        raise _Unusable(f"{type(error).__name__}: {error}") from None

    expected_keys = set(FILES) | {"source_sha256"}
    if set(arrays) != expected_keys:
        raise _Unusable(f"it holds {sorted(arrays)}, expected {sorted(expected_keys)}")
    if not np.array_equal(arrays.pop("source_sha256"), _expected_fingerprint()):
        raise _Unusable("it was built from different source files")
    for split in ("train", "test"):
        images, labels = arrays[f"x_{split}"], arrays[f"t_{split}"]
        if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE:
            raise _Unusable(f"x_{split} has shape {images.shape} and dtype {images.dtype}")
        if labels.dtype != np.uint8 or labels.shape != images.shape[:1]:
            raise _Unusable(f"t_{split} has shape {labels.shape} for {images.shape[0]} images")
        if labels.size and labels.max() >= NUM_CLASSES:
            raise _Unusable(f"t_{split} holds a label {labels.max()}, but digits go from 0 to 9")
    return arrays


def _atomic_save_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` to ``path`` so that the file is either complete or absent, never half-written."""
    atomic_write(path, lambda f: np.savez(f, source_sha256=_expected_fingerprint(), **arrays))


# --------------------------------------------------------------------------------------------
# Fetching and verifying the four files
# --------------------------------------------------------------------------------------------

def _arrays_from_sources() -> dict[str, np.ndarray]:
    arrays, failures = {}, []
    for key, filename in FILES.items():
        raw, attempts = _fetch_verified(filename)
        if raw is None:
            failures.append((filename, attempts))
            continue
        arrays[key] = _parse_idx(raw, filename, ndim=3 if key.startswith("x") else 1)
    if failures:
        raise MNISTUnavailableError(_unavailable_message(failures))
    for split in ("train", "test"):
        if len(arrays[f"x_{split}"]) != len(arrays[f"t_{split}"]):
            raise MNISTUnavailableError(f"MNIST {split} images and labels disagree in count "
                                        f"({len(arrays[f'x_{split}'])} vs {len(arrays[f't_{split}'])}).")
    return arrays


def _fetch_verified(filename: str) -> tuple[bytes | None, list[str]]:
    """Try every source for one file; return (decompressed verified bytes or None, what went wrong where)."""
    attempts = []
    downloads = data_dir() / DOWNLOADS_NAME
    for source in _sources():
        where = _describe(source, filename)
        try:
            compressed = _read_from(source, filename)
            raw = _decompress_and_verify(compressed, filename)
        except _Unusable as problem:
            is_own_copy_missing = source == downloads and not (downloads / filename).exists()
            if not is_own_copy_missing:  # having downloaded nothing yet is normal, not worth a warning
                attempts.append(f"{where}: {problem}")
                warnings.warn(f"MNIST: {filename} from {where} is unusable ({problem}); "
                              f"trying the next source.", MNISTSourceWarning, stacklevel=5)
            if source == downloads:
                (downloads / filename).unlink(missing_ok=True)  # discard a bad copy of our own
            continue
        if isinstance(source, str):
            _keep_download(downloads / filename, compressed)
        return raw, attempts
    return None, attempts


def _describe(source: str | Path, filename: str) -> str:
    return source + filename if isinstance(source, str) else str(Path(source) / filename)


def _read_from(source: str | Path, filename: str) -> bytes:
    """The compressed bytes of ``filename`` from a local folder (a Path) or a URL prefix (a str)."""
    if isinstance(source, Path):
        try:
            return (source / filename).read_bytes()
        except FileNotFoundError:
            raise _Unusable("file not found") from None
        except OSError as error:
            raise _Unusable(f"cannot read it: {error.strerror or error}") from None
    url = source + filename
    print(f"Downloading {url} ...", flush=True)
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response:
            return response.read()
    except urllib.error.HTTPError as error:
        raise _Unusable(f"HTTP error {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise _Unusable(f"unreachable ({error.reason})") from None
    except (OSError, ValueError) as error:  # timeouts, resets, malformed URLs
        raise _Unusable(f"download failed ({type(error).__name__}: {error})") from None


def _decompress_and_verify(compressed: bytes, filename: str) -> bytes:
    try:
        raw = gzip.decompress(compressed)
    except EOFError:
        raise _Unusable("truncated: the gzip stream ends early") from None
    except (OSError, zlib.error) as error:
        raise _Unusable(f"not a valid gzip file ({error})") from None
    digest = hashlib.sha256(raw).hexdigest()
    expected = EXPECTED_SHA256[filename]
    if digest != expected:
        raise _Unusable(f"SHA-256 of its content is {digest[:16]}..., expected {expected[:16]}...")
    return raw


def _keep_download(path: Path, compressed: bytes) -> None:
    """Save a verified download, so that a lost or corrupt cache can be rebuilt without the network."""
    try:
        atomic_write(path, lambda f: f.write(compressed))
    except OSError:
        pass  # only a convenience: the cache itself is written later


def _parse_idx(raw: bytes, filename: str, ndim: int) -> np.ndarray:
    """Read the IDX format: a 4-byte magic number, ``ndim`` big-endian 4-byte sizes, then the bytes."""
    header_size = 4 * (1 + ndim)
    if len(raw) < header_size:
        raise MNISTUnavailableError(f"{filename}: too short to be an IDX file ({len(raw)} bytes).")
    header = np.frombuffer(raw, dtype=">u4", count=1 + ndim)
    magic, shape = int(header[0]), tuple(int(s) for s in header[1:])
    if magic != _IDX_MAGIC[ndim]:
        raise MNISTUnavailableError(f"{filename}: IDX magic number {magic:#010x}, "
                                    f"expected {_IDX_MAGIC[ndim]:#010x}.")
    count = int(np.prod(shape))
    if len(raw) != header_size + count:
        raise MNISTUnavailableError(f"{filename}: header promises {count} values, "
                                    f"file holds {len(raw) - header_size}.")
    return np.frombuffer(raw, dtype=np.uint8, offset=header_size).reshape(shape).copy()


def _unavailable_message(failures: list[tuple[str, list[str]]]) -> str:
    lines = ["Could not get a verified copy of MNIST, and no cache exists yet.", "What was tried:"]
    for filename, attempts in failures:
        lines.append(f"  {filename}:")
        lines.extend(f"    - {attempt}" for attempt in attempts or ["no source was configured"])
    lines += [
        "How to fix it (any one is enough):",
        "  - connect to the internet and run again; the files come from " + " or ".join(PUBLIC_MIRRORS),
        f"  - download the four .gz files ({', '.join(FILES.values())}) by hand into a folder",
        f"    and set the environment variable {MIRROR_ENV} to that folder;",
        f"  - copy an existing {CACHE_NAME} into {data_dir()} (choose that folder with {DATA_DIR_ENV}).",
    ]
    return "\n".join(lines)
