"""MNIST: the handwritten digits (手書き数字) the book trains on, downloaded once, verified, cached.

Introduced in notebook 01 (set-up); first used in notebook 02, section 3.6.

    >>> from common.mnist import load_mnist
    >>> (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, flatten=True)
    >>> x_train.shape, x_train.dtype, t_train[:5]
    ((60000, 784), dtype('float32'), array([5, 0, 4, 1, 9]))

Where the data comes from, in this order:

1. ``<data dir>/mnist/``: copies this module downloaded earlier (so a lost cache is rebuilt offline);
2. the mirror named by the environment variable ``DLFS_MNIST_MIRROR``: a local folder holding the
   four ``.gz`` files (as CI uses; ``file:///...`` works too), or the URL of an HTTP(S) mirror
   (``https://example.org/mnist/``);
3. the public HTTPS mirrors in ``PUBLIC_MIRRORS``.

Every file is checked against the SHA-256 of its *decompressed* content; a file that is missing,
truncated, too large or different is reported by name (a ``MNISTSourceWarning``), ignored, and the
next source is tried. In a folder, an already decompressed copy (``train-images-idx3-ubyte`` without
``.gz``, as some browsers save it) is recognised too. A download that fails in any way (refused,
cut short, not HTTP at all, slower than ``DOWNLOAD_DEADLINE`` seconds in total, larger than
``MAX_DOWNLOAD_BYTES`` (``MAX_DECOMPRESSED_BYTES`` from a server that sends the file decompressed),
or inflating to more than ``MAX_DECOMPRESSED_BYTES``) moves on to the next source.

The four arrays are then cached in one ``.npz`` file (``<data dir>/mnist.npz``, never a pickle)
written atomically: first to a temporary file, then renamed, so an interrupted run can never leave a
half-written cache that later loads as valid. The cache records the SHA-256 of each array (computed
over the array in its original IDX form, so it equals the source file's checksum) and the number of
training and test images; loading recomputes the checksums and checks the counts (60,000 / 10,000).
A cache that fails to load or to validate (a damaged file, a ``.npy``, a hand-made or truncated copy)
is rebuilt, and so is one the user may not read; a cache that cannot be written (a full or read-only
disk, no permission) is skipped with a warning, and the data still comes back.

The data dir is the repository's ``data/`` folder when ``common`` runs from a checkout, otherwise a
per-user cache folder; set ``DLFS_DATA_DIR`` to choose another.

Differences from the book's ``dataset/mnist.py``: no pickle; every file verified; labels come back as
``int64`` (the book's ``uint8`` wraps around silently in arithmetic such as ``t - 1``); one-hot labels
and normalised images are ``float32``.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.client
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import warnings
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
DOWNLOAD_TIMEOUT = 30     # seconds without an answer (connecting, or between two reads) before a mirror is given up
DOWNLOAD_DEADLINE = 600   # seconds for a whole file, however it trickles in (the largest is 9.9 MB)
MAX_DOWNLOAD_BYTES = 32 * 2**20      # no MNIST .gz file is larger than 10 MB
MAX_DECOMPRESSED_BYTES = 64 * 2**20  # the largest decompressed file has 47,040,016 bytes

# The four files, by the key under which their array is cached.
FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "t_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "t_test": "t10k-labels-idx1-ubyte.gz",
}

# SHA-256 of each file's decompressed content (the raw IDX bytes). They do not depend on how the
# file was gzip-compressed, so they hold for every mirror. Compared without regard to case.
EXPECTED_SHA256 = {
    "train-images-idx3-ubyte.gz": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "train-labels-idx1-ubyte.gz": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "t10k-images-idx3-ubyte.gz": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "t10k-labels-idx1-ubyte.gz": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
}

# How many images (and labels) each split holds.
EXPECTED_COUNTS = {"train": 60_000, "test": 10_000}

CACHE_NAME = "mnist.npz"
DOWNLOADS_NAME = "mnist"  # folder inside the data dir for verified copies of downloaded files
IMAGE_SHAPE = (28, 28)
NUM_CLASSES = 10

# IDX headers start with a "magic number": 0x0803 means unsigned bytes in 3 dimensions (images),
# 0x0801 unsigned bytes in 1 dimension (labels).
_IDX_MAGIC = {3: 0x00000803, 1: 0x00000801}
_IDX_HEADER_START = b"\x00\x00\x08"  # the first three bytes of both


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
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:  # a file of that name, or no right to create it
        setting = f"{DATA_DIR_ENV} names" if override else "The data folder is"
        problem = ("a file, not a folder" if folder.is_file()
                   else f"a folder that cannot be created ({error.strerror})")
        raise type(error)(f"{setting} {folder}, {problem}. Set {DATA_DIR_ENV} to a folder you can write to "
                          f"(it is created if missing).") from None
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
    """Every place a file may come from, in the order they are tried (see the module docstring).

    A folder is a ``Path``, a web mirror a ``str`` (the URL the file names are appended to).
    """
    sources: list[str | Path] = [data_dir() / DOWNLOADS_NAME]
    mirror = os.environ.get(MIRROR_ENV, "").strip()
    if mirror.lower().startswith(("http://", "https://")):
        sources.append(mirror if mirror.endswith("/") else mirror + "/")
    elif mirror.lower().startswith("file:"):  # file:///home/me/mnist, as a browser shows a folder
        sources.append(Path(urllib.request.url2pathname(urllib.parse.urlparse(mirror).path)))
    elif mirror:
        sources.append(Path(mirror).expanduser())
    sources.extend(PUBLIC_MIRRORS)
    return sources


# --------------------------------------------------------------------------------------------
# The cache
# --------------------------------------------------------------------------------------------

def _load_raw_arrays() -> dict[str, np.ndarray]:
    """The four uint8 arrays, from the cache if it is sound, otherwise rebuilt from the sources."""
    path = cache_path()
    if _exists(path):
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


def _exists(path: Path) -> bool:
    """``path.exists()``, except that a path we may not look at counts as existing (reading it then
    fails with a message that says why), instead of raising PermissionError."""
    try:
        return path.exists()
    except OSError:
        return True


def _expected_fingerprint() -> np.ndarray:
    """The checksums of the four source files, in the order of FILES (lower-case hex)."""
    return np.array([EXPECTED_SHA256[FILES[key]].lower() for key in FILES])


def _idx_sha256(array: np.ndarray) -> str:
    """SHA-256 of ``array`` written back in the IDX format: the checksum of the file it came from."""
    digest = hashlib.sha256()
    digest.update(np.array([_IDX_MAGIC[array.ndim], *array.shape], dtype=">u4").tobytes())
    digest.update(np.ascontiguousarray(array).data)
    return digest.hexdigest()


def _expected_counts() -> np.ndarray:
    return np.array([EXPECTED_COUNTS["train"], EXPECTED_COUNTS["test"]])


def _read_cache(path: Path) -> dict[str, np.ndarray]:
    """Load and validate the cache. Raises _Unusable for anything short of a sound file.

    Reading every array in full also makes ``zipfile`` check each member's CRC-32, so flipped or
    missing bytes anywhere in the file are caught here. The arrays' own SHA-256 is then recomputed:
    a hand-made cache (too few images, shuffled labels) cannot pass for the real data.
    """
    try:
        # Opening the file ourselves guarantees it is closed even when NumPy gives up half-way.
        with open(path, "rb") as file:
            loaded = np.load(file, allow_pickle=False)
            if not isinstance(loaded, np.lib.npyio.NpzFile):  # a .npy holds one bare array
                raise _Unusable(f"it is a single {type(loaded).__name__}, not an .npz archive of arrays")
            with loaded as npz:
                arrays = {key: npz[key] for key in npz.files}
    except _Unusable:
        raise
    except Exception as error:  # whatever a damaged or foreign file makes NumPy or zipfile raise
        raise _Unusable(f"{type(error).__name__}: {error}") from None

    required = set(FILES) | {"source_sha256"}
    allowed = required | {"counts"}  # caches written before the counts were stored lack them
    if not required <= set(arrays) <= allowed:
        raise _Unusable(f"it holds {sorted(arrays)}, expected {sorted(allowed)}")
    recorded = arrays.pop("source_sha256")
    if recorded.shape != (len(FILES),) or recorded.dtype.kind != "U" or \
            not np.array_equal(np.char.lower(recorded), _expected_fingerprint()):
        raise _Unusable("it was built from different source files")
    counts = arrays.pop("counts", None)
    if counts is not None and not np.array_equal(counts, _expected_counts()):
        raise _Unusable(f"it records {counts.tolist()} images, expected {_expected_counts().tolist()}")
    for split in ("train", "test"):
        images, labels = arrays[f"x_{split}"], arrays[f"t_{split}"]
        if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE:
            raise _Unusable(f"x_{split} has shape {images.shape} and dtype {images.dtype}")
        if len(images) != EXPECTED_COUNTS[split]:
            raise _Unusable(f"x_{split} holds {len(images)} images, MNIST has {EXPECTED_COUNTS[split]}")
        if labels.dtype != np.uint8 or labels.shape != images.shape[:1]:
            raise _Unusable(f"t_{split} has shape {labels.shape} for {images.shape[0]} images")
    for key, filename in FILES.items():
        if _idx_sha256(arrays[key]) != EXPECTED_SHA256[filename].lower():
            raise _Unusable(f"{key} does not match the SHA-256 of {filename}: the arrays were changed "
                            f"after the cache was written, or it was made by hand")
    return arrays


def _atomic_save_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write ``arrays`` to ``path`` so that the file is either complete or absent, never half-written.

    Besides the arrays it records their SHA-256 (``source_sha256``, in the order of FILES) and the
    number of training and test images (``counts``), both checked by ``_read_cache``.
    """
    fingerprint = np.array([_idx_sha256(arrays[key]) for key in FILES])
    counts = np.array([len(arrays["x_train"]), len(arrays["x_test"])])
    atomic_write(path, lambda f: np.savez(f, source_sha256=fingerprint, counts=counts, **arrays))


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
        counts = (len(arrays[f"x_{split}"]), len(arrays[f"t_{split}"]))
        if counts != (EXPECTED_COUNTS[split],) * 2:
            raise MNISTUnavailableError(f"MNIST {split} files hold {counts[0]} images and {counts[1]} labels, "
                                        f"expected {EXPECTED_COUNTS[split]} of each.")
    return arrays


def _fetch_verified(filename: str) -> tuple[bytes | None, list[str]]:
    """Try every source for one file; return (decompressed verified bytes or None, what went wrong where)."""
    attempts = []
    downloads = data_dir() / DOWNLOADS_NAME
    for source in _sources():
        where = _describe(source, filename)
        try:
            data, where = _read_from(source, filename)
            raw = _decompress_and_verify(data, filename)
        except _Unusable as problem:
            is_own_copy_missing = source == downloads and not _exists(downloads / filename)
            if not is_own_copy_missing:  # having downloaded nothing yet is normal, not worth a warning
                attempts.append(f"{where}: {problem}")
                warnings.warn(f"MNIST: {filename} from {where} is unusable ({problem}); "
                              f"trying the next source.", MNISTSourceWarning, stacklevel=5)
            if source == downloads:
                with contextlib.suppress(OSError):
                    (downloads / filename).unlink(missing_ok=True)  # discard a bad copy of our own
            continue
        if isinstance(source, str):
            _keep_download(downloads / filename, data)
        return raw, attempts
    return None, attempts


def _describe(source: str | Path, filename: str) -> str:
    return source + filename if isinstance(source, str) else str(Path(source) / filename)


def _uncompressed_names(filename: str) -> list[str]:
    """Names a decompressed copy may have: ``train-images-idx3-ubyte`` and ``train-images.idx3-ubyte``."""
    stem = filename[:-len(".gz")]
    return [stem, stem.replace("-idx", ".idx")]


def _read_from(source: str | Path, filename: str) -> tuple[bytes, str]:
    """The bytes of ``filename`` (gzipped, or already decompressed) from a folder (a Path) or a URL
    prefix (a str), and where exactly they came from. Raises _Unusable on any failure."""
    if isinstance(source, Path):
        return _read_file(source, filename)
    return _download(source + filename), source + filename


def _read_file(folder: Path, filename: str) -> tuple[bytes, str]:
    candidates = [folder / filename] + [folder / name for name in _uncompressed_names(filename)]
    try:
        path = next((c for c in candidates if c.is_file()), None)
        if path is None:
            if (folder / filename).exists():
                raise _Unusable("it is not a file")
            raise _Unusable(f"file not found (nor a decompressed copy named {_uncompressed_names(filename)[0]})")
        size = path.stat().st_size
        limit = MAX_DOWNLOAD_BYTES if path.name == filename else MAX_DECOMPRESSED_BYTES
        if size > limit:
            raise _Unusable(f"{size:,} bytes, more than any MNIST file ({limit:,} allowed)")
        return path.read_bytes(), str(path)
    except OSError as error:
        raise _Unusable(f"cannot read it: {error.strerror or error}") from None


def _download(url: str) -> bytes:
    """Download ``url`` whole, within DOWNLOAD_DEADLINE seconds and MAX_DOWNLOAD_BYTES bytes.

    Every way a download can fail becomes an _Unusable with a short reason, so that the caller can
    move on to the next source: HTTP errors, unreachable hosts, timeouts, resets, a connection closed
    before the promised length (IncompleteRead), an answer that is not HTTP at all (BadStatusLine).
    """
    print(f"Downloading {url} ...", flush=True)
    deadline = time.monotonic() + DOWNLOAD_DEADLINE
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response:
            announced = response.headers.get("Content-Length")
            announced = int(announced) if announced and announced.isdigit() else None
            # A .gz file is at most MAX_DOWNLOAD_BYTES; a server that sends the file decompressed (its
            # first bytes are an IDX header) may send up to MAX_DECOMPRESSED_BYTES. Which one applies
            # is known after the first bytes; nothing larger than both is ever read.
            limit = max(MAX_DOWNLOAD_BYTES, MAX_DECOMPRESSED_BYTES)
            chunks, size, head = [], 0, b""
            while True:
                if announced is not None and announced > limit:
                    raise _Unusable(f"the server announces {announced:,} bytes, more than any MNIST file "
                                    f"({limit:,} allowed)")
                # read1 returns what has arrived (at most 1 MiB) instead of waiting for a full block,
                # so a server that trickles bytes cannot keep us past the deadline.
                chunk = response.read1(1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if len(head) < 3:
                    head = (head + chunk)[:3]
                    if len(head) == 3:
                        limit = MAX_DECOMPRESSED_BYTES if head == _IDX_HEADER_START else MAX_DOWNLOAD_BYTES
                if size > limit:
                    raise _Unusable(f"more than {limit:,} bytes, more than any MNIST file")
                if time.monotonic() > deadline:
                    raise _Unusable(f"too slow: {size:,} bytes after {DOWNLOAD_DEADLINE} s")
            if announced is not None and size < announced:
                raise http.client.IncompleteRead(b"".join(chunks), announced - size)
            return b"".join(chunks)
    except _Unusable:
        raise
    except urllib.error.HTTPError as error:
        raise _Unusable(f"HTTP error {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise _Unusable(f"unreachable ({error.reason})") from None
    except http.client.IncompleteRead as error:
        # expected is None when the answer came in chunks (Transfer-Encoding: chunked) and one was cut off
        more = (f"{error.expected:,} more were announced" if error.expected is not None
                else "in the middle of a chunk")
        raise _Unusable(f"cut short: the connection closed after {len(error.partial):,} bytes, {more}") from None
    except (OSError, ValueError, http.client.HTTPException) as error:  # timeouts, resets, not HTTP
        raise _Unusable(f"download failed ({type(error).__name__}: {error})") from None
    except Exception as error:  # anything else one mirror does must not stop us trying the next one
        raise _Unusable(f"download failed ({type(error).__name__}: {error})") from None


def _gunzip(compressed: bytes) -> bytes:
    """Decompress gzip data, refusing to produce more than MAX_DECOMPRESSED_BYTES (a "zip bomb")."""
    pieces, total, rest = [], 0, compressed
    while rest:
        member = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # one gzip member; files may hold several
        piece = member.decompress(rest, MAX_DECOMPRESSED_BYTES - total + 1)
        total += len(piece)
        if total > MAX_DECOMPRESSED_BYTES:
            raise _Unusable(f"it inflates to more than {MAX_DECOMPRESSED_BYTES:,} bytes, more than any MNIST file")
        if not member.eof:
            raise _Unusable("truncated: the gzip stream ends early")
        pieces.append(piece)
        rest = member.unused_data
        if not rest.strip(b"\0"):  # gzip allows zero padding after the last member
            break
    return b"".join(pieces)


def _decompress_and_verify(data: bytes, filename: str) -> bytes:
    if data[:2] == b"\x1f\x8b":  # the gzip magic number
        try:
            raw = _gunzip(data)
        except zlib.error as error:
            raise _Unusable(f"not a valid gzip file ({error})") from None
    elif data[:3] == _IDX_HEADER_START:  # an IDX header: a copy that was already decompressed
        if len(data) > MAX_DECOMPRESSED_BYTES:
            raise _Unusable(f"{len(data):,} bytes, more than any MNIST file")
        raw = data
    elif not data:
        raise _Unusable("not a valid gzip file (it is empty)")
    else:
        raise _Unusable(f"not a valid gzip file (it starts with {data[:16]!r})")
    digest = hashlib.sha256(raw).hexdigest()
    expected = EXPECTED_SHA256[filename].lower()
    if digest != expected:
        raise _Unusable(f"SHA-256 of its content is {digest[:16]}..., expected {expected[:16]}...")
    return raw


def _keep_download(path: Path, data: bytes) -> None:
    """Save a verified download, so that a lost or corrupt cache can be rebuilt without the network."""
    try:
        if data[:2] != b"\x1f\x8b":  # the server sent it decompressed: keep it as the .gz it names
            data = gzip.compress(data, mtime=0)
        atomic_write(path, lambda f: f.write(data))
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
        "    (decompressed copies without .gz are fine too) and set the environment variable",
        f"    {MIRROR_ENV} to that folder, or to the URL of another mirror (https://.../);",
        f"  - copy an existing {CACHE_NAME} into {data_dir()} (choose that folder with {DATA_DIR_ENV}).",
    ]
    return "\n".join(lines)
