"""Tests of common.mnist: every path through the loader, on tiny synthetic IDX files, with no network.

The last test loads the real MNIST through the mirror that DLFS_MNIST_MIRROR names (CI points it at
../shared/data/mnist) and checks facts about the data set that are known independently of our code.
"""

import functools
import gzip
import hashlib
import http.server
import os
import socket
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

import common.mnist as mnist
from common.mnist import MNISTSourceWarning, MNISTUnavailableError, load_mnist

N_TRAIN, N_TEST = 12, 5


# ---------------------------------------------------------------------------------------------
# Fixtures: synthetic IDX files, mirror folders, a local HTTP mirror
# ---------------------------------------------------------------------------------------------

def idx_bytes(array: np.ndarray) -> bytes:
    """Encode a uint8 array in the IDX format (magic number, sizes, then the bytes)."""
    magic = 0x0800 + array.ndim
    header = np.array([magic, *array.shape], dtype=">u4").tobytes()
    return header + array.astype(np.uint8).tobytes()


@pytest.fixture
def synthetic(monkeypatch, tmp_path):
    """Tiny random 'MNIST': raw IDX content per file name, and the loader told to expect it.

    The loader's data dir moves to a temporary folder and the public mirrors to an address where
    nothing listens, so no test here can touch the network or the real cache.
    """
    rng = np.random.default_rng(1)
    arrays = {
        "x_train": rng.integers(0, 256, size=(N_TRAIN, 28, 28), dtype=np.uint8),
        "t_train": rng.integers(0, 10, size=N_TRAIN, dtype=np.uint8),
        "x_test": rng.integers(0, 256, size=(N_TEST, 28, 28), dtype=np.uint8),
        "t_test": rng.integers(0, 10, size=N_TEST, dtype=np.uint8),
    }
    raw = {mnist.FILES[key]: idx_bytes(a) for key, a in arrays.items()}
    monkeypatch.setattr(mnist, "EXPECTED_SHA256", {name: hashlib.sha256(r).hexdigest() for name, r in raw.items()})
    monkeypatch.setattr(mnist, "EXPECTED_COUNTS", {"train": N_TRAIN, "test": N_TEST})
    monkeypatch.setattr(mnist, "PUBLIC_MIRRORS", (f"http://127.0.0.1:{closed_port()}/",))
    monkeypatch.setenv("DLFS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DLFS_MNIST_MIRROR", raising=False)
    return arrays, raw


def closed_port() -> int:
    """A local port where nothing listens: connecting to it is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_mirror(folder: Path, raw: dict, replace: dict | None = None, omit=()) -> Path:
    """A mirror folder holding the gzipped files; ``replace`` swaps in other compressed bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in raw.items():
        if name in omit:
            continue
        data = (replace or {}).get(name, gzip.compress(content, mtime=0))
        (folder / name).write_bytes(data)
    return folder


@pytest.fixture
def http_mirror(tmp_path):
    """Serve a folder over HTTP on 127.0.0.1; yields a function folder -> URL prefix."""
    servers = []

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    def serve(folder: Path) -> str:
        server = http.server.ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def assert_matches(arrays, loaded):
    (x_train, t_train), (x_test, t_test) = loaded
    np.testing.assert_array_equal(x_train, arrays["x_train"].reshape(N_TRAIN, 784))
    np.testing.assert_array_equal(t_train, arrays["t_train"])
    np.testing.assert_array_equal(x_test, arrays["x_test"].reshape(N_TEST, 784))
    np.testing.assert_array_equal(t_test, arrays["t_test"])


# ---------------------------------------------------------------------------------------------
# The good path
# ---------------------------------------------------------------------------------------------

def test_loads_from_mirror_with_book_semantics(synthetic, tmp_path, monkeypatch):
    arrays, raw = synthetic
    monkeypatch.setenv("DLFS_MNIST_MIRROR", str(write_mirror(tmp_path / "mirror", raw)))

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the good path must be silent
        (x, t), (xt, tt) = load_mnist()
    assert x.shape == (N_TRAIN, 784) and x.dtype == np.float32
    assert xt.shape == (N_TEST, 784) and tt.shape == (N_TEST,)
    assert t.dtype == np.int64
    np.testing.assert_allclose(x, arrays["x_train"].reshape(N_TRAIN, 784) / 255.0, rtol=1e-6)
    assert 0.0 <= x.min() and x.max() <= 1.0

    assert_matches(arrays, load_mnist(normalize=False))
    (x, _), _ = load_mnist(normalize=False)
    assert x.dtype == np.uint8

    (x, t), _ = load_mnist(flatten=False, one_hot_label=True)
    assert x.shape == (N_TRAIN, 1, 28, 28)
    assert t.shape == (N_TRAIN, 10) and t.dtype == np.float32
    np.testing.assert_array_equal(t.argmax(axis=1), arrays["t_train"])
    np.testing.assert_array_equal(t.sum(axis=1), np.ones(N_TRAIN))


def test_second_load_uses_cache_only(synthetic, tmp_path, monkeypatch):
    arrays, raw = synthetic
    mirror = write_mirror(tmp_path / "mirror", raw)
    monkeypatch.setenv("DLFS_MNIST_MIRROR", str(mirror))
    load_mnist()
    assert mnist.cache_path() == tmp_path / "data" / "mnist.npz" and mnist.cache_path().is_file()

    for f in mirror.iterdir():
        f.unlink()  # every source gone: only the cache can answer now
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_matches(arrays, load_mnist(normalize=False))


def test_cache_is_npz_loadable_without_pickle(synthetic, tmp_path, monkeypatch):
    _, raw = synthetic
    monkeypatch.setenv("DLFS_MNIST_MIRROR", str(write_mirror(tmp_path / "mirror", raw)))
    load_mnist()
    with np.load(mnist.cache_path(), allow_pickle=False) as npz:
        assert set(npz.files) == {"x_train", "t_train", "x_test", "t_test", "source_sha256", "counts"}
        assert npz["counts"].tolist() == [N_TRAIN, N_TEST]
        assert npz["source_sha256"].tolist() == [mnist.EXPECTED_SHA256[f] for f in mnist.FILES.values()]


def test_data_dir_is_repository_data_folder_by_default(monkeypatch):
    monkeypatch.delenv("DLFS_DATA_DIR", raising=False)
    assert mnist.data_dir() == Path(__file__).resolve().parent.parent / "data"


# ---------------------------------------------------------------------------------------------
# Bad sources: each is reported by name and the next source is tried
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("damage, reported", [
    ("checksum", "SHA-256"),
    ("truncated", "truncated"),
    ("missing", "file not found"),
    ("not gzip", "not a valid gzip"),
])
def test_bad_mirror_file_falls_through_to_next_source(synthetic, tmp_path, monkeypatch, http_mirror,
                                                      damage, reported):
    arrays, raw = synthetic
    victim = "train-labels-idx1-ubyte.gz"
    good = gzip.compress(raw[victim], mtime=0)
    replace, omit = {}, ()
    if damage == "checksum":
        altered = bytearray(raw[victim])
        altered[-1] ^= 0xFF  # one label changed: still a valid file, but not the verified one
        replace[victim] = gzip.compress(bytes(altered))
    elif damage == "truncated":
        replace[victim] = good[: len(good) // 2]
    elif damage == "not gzip":
        replace[victim] = b"<html>404 page instead of data</html>"
    else:
        omit = (victim,)
    monkeypatch.setenv("DLFS_MNIST_MIRROR", str(write_mirror(tmp_path / "bad", raw, replace, omit)))
    good_url = http_mirror(write_mirror(tmp_path / "good", raw))
    monkeypatch.setattr(mnist, "PUBLIC_MIRRORS", (f"http://127.0.0.1:{closed_port()}/", good_url))

    with pytest.warns(MNISTSourceWarning) as record:
        loaded = load_mnist(normalize=False)
    assert_matches(arrays, loaded)
    messages = [str(w.message) for w in record]
    assert any(victim in m and reported in m and str(tmp_path / "bad") in m for m in messages), messages
    assert any(victim in m and "unreachable" in m for m in messages), messages  # the dead first URL
    # Only the damaged file needed the network; the good download was kept for offline rebuilds.
    assert (tmp_path / "data" / "mnist" / victim).read_bytes() == good
    assert not (tmp_path / "data" / "mnist" / "train-images-idx3-ubyte.gz").exists()


def test_verified_downloads_rebuild_a_lost_cache_offline(synthetic, tmp_path, monkeypatch, http_mirror):
    arrays, raw = synthetic
    url = http_mirror(write_mirror(tmp_path / "web", raw))
    monkeypatch.setattr(mnist, "PUBLIC_MIRRORS", (url,))
    load_mnist()
    mnist.cache_path().unlink()
    monkeypatch.setattr(mnist, "PUBLIC_MIRRORS", (f"http://127.0.0.1:{closed_port()}/",))  # offline now
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_matches(arrays, load_mnist(normalize=False))


def test_bad_own_download_is_discarded(synthetic, tmp_path, monkeypatch):
    arrays, raw = synthetic
    downloads = write_mirror(tmp_path / "data" / "mnist", raw,
                             replace={"t10k-labels-idx1-ubyte.gz": b"garbage"})
    monkeypatch.setenv("DLFS_MNIST_MIRROR", str(write_mirror(tmp_path / "mirror", raw)))
    with pytest.warns(MNISTSourceWarning, match="t10k-labels-idx1-ubyte.gz"):
        assert_matches(arrays, load_mnist(normalize=False))
    assert not (downloads / "t10k-labels-idx1-ubyte.gz").exists()


def test_nothing_reachable_gives_one_clear_error(synthetic, tmp_path, monkeypatch):
    _, raw = synthetic
    monkeypatch.setenv("DLFS_MNIST_MIRROR", str(tmp_path / "empty"))
    with pytest.warns(MNISTSourceWarning):
        with pytest.raises(MNISTUnavailableError) as excinfo:
            load_mnist()
    message = str(excinfo.value)
    for needed in ["train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz", "DLFS_MNIST_MIRROR",
                   "DLFS_DATA_DIR", mnist.PUBLIC_MIRRORS[0], "file not found",
                   "unreachable"]:
        assert needed in message, (needed, message)
    # No chained urllib or socket traceback behind it.
    assert excinfo.value.__cause__ is None and excinfo.value.__context__ is None
    assert not mnist.cache_path().exists()


def test_unwritable_cache_still_returns_data(synthetic, tmp_path, monkeypatch):
    arrays, raw = synthetic
    monkeypatch.setenv("DLFS_MNIST_MIRROR", str(write_mirror(tmp_path / "mirror", raw)))

    def refuse(path, arrays):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(mnist, "_atomic_save_npz", refuse)
    with pytest.warns(MNISTSourceWarning, match="Could not write the MNIST cache"):
        assert_matches(arrays, load_mnist(normalize=False))


@pytest.mark.parametrize("name", ["normalize", "flatten", "one_hot_label"])
def test_flags_must_be_booleans(name):
    with pytest.raises(TypeError, match=name):
        load_mnist(**{name: "yes"})


# ---------------------------------------------------------------------------------------------
# The cache: corruption is detected and repaired; interrupted writes leave nothing loadable
# ---------------------------------------------------------------------------------------------

def corrupt(path: Path, how: str) -> None:
    data = bytearray(path.read_bytes())
    if how == "flipped byte":
        data[len(data) // 2] ^= 0xFF  # inside the image array: only the CRC-32 check can notice
    elif how == "truncated":
        del data[len(data) // 3:]
    elif how == "empty":
        data = bytearray()
    elif how == "not a zip":
        data = bytearray(b"this is not an npz file at all")
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["flipped byte", "truncated", "empty", "not a zip"])
def test_corrupt_cache_is_detected_and_rebuilt(synthetic, tmp_path, monkeypatch, how):
    arrays, raw = synthetic
    monkeypatch.setenv("DLFS_MNIST_MIRROR", str(write_mirror(tmp_path / "mirror", raw)))
    load_mnist()
    corrupt(mnist.cache_path(), how)
    with pytest.warns(MNISTSourceWarning, match="cache .* is unusable"):
        assert_matches(arrays, load_mnist(normalize=False))
    with warnings.catch_warnings():  # and the rebuilt cache is sound
        warnings.simplefilter("error")
        assert_matches(arrays, load_mnist(normalize=False))


def test_cache_with_wrong_contents_is_rebuilt(synthetic, tmp_path, monkeypatch):
    arrays, raw = synthetic
    monkeypatch.setenv("DLFS_MNIST_MIRROR", str(write_mirror(tmp_path / "mirror", raw)))
    path = mnist.cache_path()
    np.savez(path, x_train=np.zeros((3, 28, 28), np.uint8))  # a valid npz, but not our cache
    with pytest.warns(MNISTSourceWarning, match="unusable"):
        assert_matches(arrays, load_mnist(normalize=False))


def test_cache_built_from_other_sources_is_rebuilt(synthetic, tmp_path, monkeypatch):
    arrays, raw = synthetic
    monkeypatch.setenv("DLFS_MNIST_MIRROR", str(write_mirror(tmp_path / "mirror", raw)))
    load_mnist()
    fake = dict(mnist.EXPECTED_SHA256, **{"t10k-labels-idx1-ubyte.gz": "0" * 64})
    monkeypatch.setattr(mnist, "EXPECTED_SHA256", fake)
    with pytest.warns(MNISTSourceWarning) as record:
        with pytest.raises(MNISTUnavailableError):  # the mirror no longer matches the new checksum
            load_mnist()
    assert any("different source files" in str(w.message) for w in record)


def test_interrupted_cache_write_leaves_no_cache(synthetic, tmp_path, monkeypatch):
    arrays, raw = synthetic
    monkeypatch.setenv("DLFS_MNIST_MIRROR", str(write_mirror(tmp_path / "mirror", raw)))
    real_savez = np.savez

    def savez_then_die(file, **arrays):
        real_savez(file, **arrays)
        file.truncate(file.tell() // 2)  # half the bytes reached the disk ...
        raise KeyboardInterrupt  # ... when the learner pressed Stop

    monkeypatch.setattr(mnist.np, "savez", savez_then_die)
    with pytest.raises(KeyboardInterrupt):
        load_mnist()
    data = tmp_path / "data"
    assert not mnist.cache_path().exists()
    assert not list(data.glob("*.tmp")) and not list(data.glob(".*.tmp"))

    monkeypatch.setattr(mnist.np, "savez", real_savez)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_matches(arrays, load_mnist(normalize=False))


def test_leftover_temporary_file_is_never_loaded(synthetic, tmp_path, monkeypatch):
    """A process killed mid-write (no chance to clean up) leaves only a .tmp file, which is ignored."""
    arrays, raw = synthetic
    monkeypatch.setenv("DLFS_MNIST_MIRROR", str(write_mirror(tmp_path / "mirror", raw)))
    data = tmp_path / "data"
    data.mkdir(parents=True)
    leftover = data / ".mnist.npz.killed.tmp"
    leftover.write_bytes(b"PK\x03\x04 half of a zip")
    old = 1_000_000_000
    os.utime(leftover, (old, old))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_matches(arrays, load_mnist(normalize=False))
    assert not leftover.exists()  # stale leftovers are swept up on the next write


# ---------------------------------------------------------------------------------------------
# The real data set, through the mirror (must run in CI, never skip)
# ---------------------------------------------------------------------------------------------

# Known facts about MNIST, independent of this project's code.
TRAIN_LABEL_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_LABEL_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_real_mnist():
    (x_train, t_train), (x_test, t_test) = load_mnist()
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784)
    assert x_train.dtype == x_test.dtype == np.float32
    assert t_train.shape == (60000,) and t_test.shape == (10000,)
    assert x_train.min() == 0.0 and x_train.max() == 1.0
    assert np.bincount(t_train).tolist() == TRAIN_LABEL_COUNTS
    assert np.bincount(t_test).tolist() == TEST_LABEL_COUNTS
    assert abs(float(x_train.mean(dtype=np.float64)) - 0.1307) < 5e-5
    assert abs(float(x_train.std(dtype=np.float64)) - 0.3081) < 5e-5
    assert t_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]

    (images, _), _ = load_mnist(normalize=False, flatten=False)
    assert images.shape == (60000, 1, 28, 28) and images.dtype == np.uint8
    np.testing.assert_array_equal(images.reshape(60000, 784) / np.float32(255), x_train)


# ---------------------------------------------------------------------------------------------
# Review findings 8-11 and 16: misbehaving HTTP mirrors, size caps, odd caches, hand-made caches
# ---------------------------------------------------------------------------------------------

VICTIM = "t10k-labels-idx1-ubyte.gz"  # the file the bad mirror misbehaves on; it answers 404 for the others


@pytest.fixture
def bad_http_mirror():
    """A local server on 127.0.0.1 that misbehaves in one of several ways; yields mode -> URL prefix.

    Every handler ends by itself within a few seconds, and the server stops when the test ends.
    """
    servers = []

    def serve(mode: str, body: bytes = b"") -> str:
        class Misbehaving(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if not self.path.endswith(VICTIM):
                    self.send_error(404)
                    return
                if mode == "not http":
                    self.wfile.write(b"SSH-2.0-OpenSSH_9.6\r\n\r\n")
                    return
                self.send_response(200)
                if mode == "cut short":  # promises a million bytes, sends 1,002, hangs up
                    self.send_header("Content-Length", "1000000")
                    self.end_headers()
                    self.wfile.write(b"\x1f\x8b" + b"x" * 1000)
                elif mode == "huge announced":
                    self.send_header("Content-Length", str(10 * 2**30))
                    self.end_headers()
                    self.wfile.write(b"x" * 1000)
                elif mode == "endless":  # no Content-Length: junk until the client gives up (bounded here)
                    self.end_headers()
                    for _ in range(200):
                        try:
                            self.wfile.write(b"x" * 65536)
                        except OSError:
                            return
                elif mode == "chunked":  # chunked encoding, cut off in the middle of a chunk
                    self.protocol_version = "HTTP/1.1"
                    self.send_header("Transfer-Encoding", "chunked")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(b"10000\r\n" + b"\x1f\x8b" + b"x" * 500)
                elif mode == "trickle":  # one byte at a time: each read succeeds, the whole never ends
                    self.send_header("Content-Length", "1000000")
                    self.end_headers()
                    stop = time.monotonic() + 5
                    while time.monotonic() < stop:
                        try:
                            self.wfile.write(b"\x1f")
                            self.wfile.flush()
                        except OSError:
                            return
                        time.sleep(0.05)
                else:  # "body": these exact bytes
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Misbehaving)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("mode, reported", [
    ("cut short", "cut short"),                       # http.client.IncompleteRead (H05, H15)
    ("chunked", "in the middle of a chunk"),          # IncompleteRead without a length used to escape (rerun H17)
    ("not http", "BadStatusLine"),                    # an answer that is not HTTP (H09, H16)
    ("trickle", "too slow"),                          # no overall deadline before (H17)
    ("huge announced", "announces"),                  # no size cap before (H18)
    ("endless", "more than"),
    ("bomb", "inflates to more than"),                # a small gzip of a huge file (H19)
])
def test_misbehaving_http_mirror_falls_through_to_the_next(synthetic, tmp_path, monkeypatch, http_mirror,
                                                           bad_http_mirror, mode, reported):
    arrays, raw = synthetic
    monkeypatch.setattr(mnist, "DOWNLOAD_TIMEOUT", 2)
    monkeypatch.setattr(mnist, "DOWNLOAD_DEADLINE", 0.5)
    monkeypatch.setattr(mnist, "MAX_DOWNLOAD_BYTES", 2_000_000)
    monkeypatch.setattr(mnist, "MAX_DECOMPRESSED_BYTES", 100_000)
    bomb = gzip.compress(b"\0" * 5_000_000, mtime=0)  # 5 KB that inflates to 5 MB
    bad = bad_http_mirror("body" if mode == "bomb" else mode, bomb)
    monkeypatch.setenv("DLFS_MNIST_MIRROR", bad)  # the mirror setting takes a URL too
    monkeypatch.setattr(mnist, "PUBLIC_MIRRORS", (http_mirror(write_mirror(tmp_path / "good", raw)),))

    started = time.monotonic()
    with pytest.warns(MNISTSourceWarning) as record:
        loaded = load_mnist(normalize=False)
    assert time.monotonic() - started < 5
    assert_matches(arrays, loaded)
    messages = [str(w.message) for w in record]
    assert any(bad + VICTIM in m and reported in m for m in messages), messages


def test_http_mirror_setting_needs_no_public_mirror(synthetic, tmp_path, monkeypatch, http_mirror):
    arrays, raw = synthetic
    url = http_mirror(write_mirror(tmp_path / "web", raw))
    monkeypatch.setenv("DLFS_MNIST_MIRROR", url.rstrip("/"))  # with or without the final slash
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the dead public mirror is never needed
        assert_matches(arrays, load_mnist(normalize=False))


def test_uncompressed_copies_in_the_mirror_folder_are_recognised(synthetic, tmp_path, monkeypatch):
    arrays, raw = synthetic
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    names = list(raw)
    (mirror / names[0].removesuffix(".gz")).write_bytes(raw[names[0]])          # gunzipped by hand
    (mirror / names[1].removesuffix(".gz").replace("-idx", ".idx")).write_bytes(raw[names[1]])  # Windows name
    (mirror / names[2]).write_bytes(raw[names[2]])  # a browser decompressed it but kept the .gz name
    (mirror / names[3]).write_bytes(gzip.compress(raw[names[3]]))
    monkeypatch.setenv("DLFS_MNIST_MIRROR", str(mirror))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_matches(arrays, load_mnist(normalize=False))


def test_missing_file_names_the_decompressed_alternative(synthetic, tmp_path, monkeypatch):
    monkeypatch.setenv("DLFS_MNIST_MIRROR", str(tmp_path / "empty"))
    with pytest.warns(MNISTSourceWarning) as record:
        with pytest.raises(MNISTUnavailableError, match="decompressed copies without .gz"):
            load_mnist()
    assert any("nor a decompressed copy named t10k-labels-idx1-ubyte" in str(w.message) for w in record)


def test_oversized_file_in_the_mirror_folder_is_refused(synthetic, tmp_path, monkeypatch, http_mirror):
    arrays, raw = synthetic
    monkeypatch.setattr(mnist, "MAX_DOWNLOAD_BYTES", 50_000)
    mirror = write_mirror(tmp_path / "mirror", raw, replace={VICTIM: b"\x1f\x8b" + b"\0" * 60_000})
    monkeypatch.setenv("DLFS_MNIST_MIRROR", str(mirror))
    monkeypatch.setattr(mnist, "PUBLIC_MIRRORS", (http_mirror(write_mirror(tmp_path / "good", raw)),))
    with pytest.warns(MNISTSourceWarning, match="60,002 bytes, more than any MNIST file"):
        assert_matches(arrays, load_mnist(normalize=False))


def test_upper_case_checksums_are_accepted(synthetic, tmp_path, monkeypatch):
    arrays, raw = synthetic
    monkeypatch.setattr(mnist, "EXPECTED_SHA256", {k: v.upper() for k, v in mnist.EXPECTED_SHA256.items()})
    monkeypatch.setenv("DLFS_MNIST_MIRROR", str(write_mirror(tmp_path / "mirror", raw)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_matches(arrays, load_mnist(normalize=False))
        assert_matches(arrays, load_mnist(normalize=False))  # and the cache it wrote is accepted


def test_npy_file_as_cache_is_rebuilt(synthetic, tmp_path, monkeypatch):
    """C06: np.load gives a bare array for a .npy, which used to crash the reader for good."""
    arrays, raw = synthetic
    monkeypatch.setenv("DLFS_MNIST_MIRROR", str(write_mirror(tmp_path / "mirror", raw)))
    with open(mnist.cache_path(), "wb") as file:
        np.save(file, np.zeros(3))
    with pytest.warns(MNISTSourceWarning, match="not an .npz archive"):
        assert_matches(arrays, load_mnist(normalize=False))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_matches(arrays, load_mnist(normalize=False))


def hand_made_cache(arrays, **changes):
    """What the old error message invited: an npz with the right keys and fingerprint, other contents."""
    content = dict(arrays, **changes)
    np.savez(mnist.cache_path(), source_sha256=mnist._expected_fingerprint(), **content)


@pytest.mark.parametrize("change, reported", [
    ("fewer images", "holds 5 images"),
    ("shuffled labels", "t_train does not match the SHA-256"),
    ("one pixel", "x_test does not match the SHA-256"),
    ("counts", "records"),
])
def test_hand_made_cache_is_rebuilt(synthetic, tmp_path, monkeypatch, change, reported):
    """C08, C09: the fingerprint used to be a constant, so any arrays with it loaded as valid."""
    arrays, raw = synthetic
    monkeypatch.setenv("DLFS_MNIST_MIRROR", str(write_mirror(tmp_path / "mirror", raw)))
    mnist.data_dir()
    if change == "fewer images":
        hand_made_cache(arrays, x_train=arrays["x_train"][:5], t_train=arrays["t_train"][:5])
    elif change == "shuffled labels":
        hand_made_cache(arrays, t_train=np.roll(arrays["t_train"], 1))
    elif change == "one pixel":
        x_test = arrays["x_test"].copy()
        x_test[0, 0, 0] ^= 1
        hand_made_cache(arrays, x_test=x_test)
    else:
        hand_made_cache(arrays, counts=np.array([60_000, 10_000]))
    with pytest.warns(MNISTSourceWarning, match=f"cache .* is unusable .*{reported}"):
        assert_matches(arrays, load_mnist(normalize=False))
    with warnings.catch_warnings():  # the rebuilt cache is sound
        warnings.simplefilter("error")
        assert_matches(arrays, load_mnist(normalize=False))


def test_cache_without_counts_from_an_older_version_still_loads(synthetic, tmp_path, monkeypatch):
    arrays, raw = synthetic
    mnist.data_dir()
    hand_made_cache(arrays)  # exactly what the previous version wrote: real arrays, no counts
    monkeypatch.setenv("DLFS_MNIST_MIRROR", str(tmp_path / "nowhere"))  # only the cache can answer
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_matches(arrays, load_mnist(normalize=False))


# ---------------------------------------------------------------------------------------------
# Found by tests/tools/reliability_rerun.py (case ids in brackets)
# ---------------------------------------------------------------------------------------------

def test_server_that_sends_files_decompressed_is_not_refused_as_too_large(synthetic, tmp_path, monkeypatch,
                                                                          http_mirror):
    """[H21] A decompressed file is larger than its .gz: the cap for decompressed content applies to it."""
    arrays, raw = synthetic
    monkeypatch.setattr(mnist, "MAX_DOWNLOAD_BYTES", 1_000)  # smaller than the synthetic x_train (9,424 bytes)
    monkeypatch.setattr(mnist, "MAX_DECOMPRESSED_BYTES", 100_000)
    folder = tmp_path / "raw"
    folder.mkdir()
    for name, content in raw.items():
        (folder / name).write_bytes(content)  # served under the .gz names, but not compressed
    monkeypatch.setenv("DLFS_MNIST_MIRROR", http_mirror(folder))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_matches(arrays, load_mnist(normalize=False))
    monkeypatch.setattr(mnist, "MAX_DECOMPRESSED_BYTES", 5_000)  # and that cap still holds
    mnist.cache_path().unlink()
    for own_copy in (mnist.data_dir() / "mnist").iterdir():
        own_copy.unlink()
    with pytest.warns(MNISTSourceWarning) as record:
        with pytest.raises(MNISTUnavailableError):
            load_mnist()
    assert any("9,424 bytes, more than any MNIST file (5,000 allowed)" in str(w.message) for w in record)


def test_mirror_setting_as_a_file_url(synthetic, tmp_path, monkeypatch):
    """[M17] file:///... (what a browser shows for a folder) used to be taken as a folder named 'file:'."""
    arrays, raw = synthetic
    monkeypatch.setenv("DLFS_MNIST_MIRROR", write_mirror(tmp_path / "mirror", raw).as_uri())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert_matches(arrays, load_mnist(normalize=False))


def test_data_dir_setting_that_names_a_file(synthetic, tmp_path, monkeypatch):
    """[C19] used to be FileExistsError: [Errno 17] File exists, without a word about DLFS_DATA_DIR."""
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("hello")
    monkeypatch.setenv("DLFS_DATA_DIR", str(not_a_folder))
    with pytest.raises(OSError, match=r"DLFS_DATA_DIR names .*notes.txt, a file, not a folder\. Set DLFS_DATA_DIR"):
        load_mnist()


def test_data_folder_that_cannot_be_searched_still_gives_the_data(synthetic, tmp_path, monkeypatch):
    """[F06] A data folder with mode 000: looking for the cache raised PermissionError out of load_mnist.

    Root ignores file modes, so the denial is simulated where the loader meets it (tools/reliability_rerun.py
    runs the real thing as an ordinary user)."""
    arrays, raw = synthetic
    monkeypatch.setenv("DLFS_MNIST_MIRROR", str(write_mirror(tmp_path / "mirror", raw)))
    data = mnist.data_dir()
    real_exists = Path.exists

    def exists(path):
        if path.parent in (data, data / "mnist"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_exists(path)

    monkeypatch.setattr(Path, "exists", exists)
    with pytest.warns(MNISTSourceWarning) as record:
        assert_matches(arrays, load_mnist(normalize=False))
    assert any("MNIST cache" in str(w.message) and "is unusable" in str(w.message) for w in record), \
        [str(w.message) for w in record]
