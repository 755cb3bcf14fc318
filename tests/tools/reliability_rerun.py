"""Re-run the kinds of cases of the reliability review against today's ``common`` and count them per class.

    DLFS_MNIST_MIRROR=/work/shared/data/mnist python tests/tools/reliability_rerun.py
    ... --area checkers        only one area (loader, disk, http, weights, layers, optim, seq, graph, checkers)
    ... --case H10 --case F09  only these cases;  --list  just list the cases;  --all  every outcome

../shared/reviews/reliability-review.md tried 442 bad inputs and faults against commit 7c9ad74 and
classified each. This script tries the same kinds of cases, area by area (every case the review names,
then more of the same kind), and classifies each one automatically by the expectation written next to it:

    A  handled well: a clear error that names the cause, a correct recovery, or the documented behaviour
    B  a raw NumPy/Python exception, or a message that does not name the cause (or blames the wrong one)
    C  a silent wrong result
    D  an exception escaping code that promises to handle it (the loader's fallback, a checker), or a hang
    E  a bad file that later loads as valid

It prints a table in the review's format and, below it, every case that is not A: its id, what was
tried and what happened. The exit status is 0 whatever the counts: this is a measurement, not a test.

Isolation: every loader case runs in a forked child process with its own temporary data folder
(``DLFS_DATA_DIR``), its own mirror folders and ``common.mnist.PUBLIC_MIRRORS`` pointed at servers on
127.0.0.1 (a helper process started by this script); the MNIST files are read from the folder that
``DLFS_MNIST_MIRROR`` names and never written. Neither ``~/.cache`` nor the repository's ``data/`` is
touched. Permission cases run as the user ``nobody`` (uid 65534) when the script runs as root, since
root ignores file permissions; the full and read-only disks are small tmpfs mounts when root may mount
them, and simulated (writes failing with ENOSPC or EROFS) otherwise. Timeouts and deadlines of the
loader are shortened in the HTTP cases (``DOWNLOAD_TIMEOUT`` 1.5 s, ``DOWNLOAD_DEADLINE`` 4 s) so that a
stall or a trickle ends in seconds. The exercise checkers get a grid of 22 garbage answers against all
of them, in 7 groups (one case per answer and group), besides the cases the review names.
Linux or macOS only (fork, signals). About a minute on two cores.
"""

from __future__ import annotations

import os

for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")  # shared machine; and forking is safer without BLAS threads

import argparse
import contextlib
import errno
import gzip
import hashlib
import http.server
import io
import json
import random
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import traceback
import urllib.request
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

MNIST_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
               "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
VICTIM = "t10k-labels-idx1-ubyte.gz"  # the file a misbehaving HTTP mirror misbehaves on
NOBODY = 65534


# =============================================================================================
# Results and cases
# =============================================================================================

@dataclass
class Result:
    cls: str
    happened: str


def A(text): return Result("A", text)
def B(text): return Result("B", text)
def C(text): return Result("C", text)
def D(text): return Result("D", text)
def E(text): return Result("E", text)


AREAS = {
    "loader": "MNIST loader: mirrors, arguments, cache files",
    "disk": "MNIST loader and weight files: permissions, full/read-only disks, concurrency, kills",
    "http": "MNIST loader over HTTP (local misbehaving server on 127.0.0.1)",
    "weights": "Sample weights (data/sample_weight.npz + .sha256)",
    "layers": "Layers, loss functions and networks",
    "optim": "Optimizers and Trainer",
    "seq": "Sequential (Keras-style model)",
    "graph": "Computational graph and Solvers",
    "checkers": "Exercise checkers",
}
# What an exception that a case did not expect counts as, per area: the loader and the checkers
# promise to handle everything (D); elsewhere it is an unexplained traceback (B).
UNEXPECTED = {"loader": "D", "disk": "D", "http": "D", "checkers": "D"}


@dataclass
class Case:
    area: str
    cid: str
    what: str
    run: Callable[[], Result]
    forked: bool
    timeout: float


CASES: list[Case] = []


def case(area, cid, what, forked=False, timeout=30.0):
    """Register ``fn`` as case ``cid``: ``what`` was tried; ``fn()`` returns a Result."""
    def register(fn):
        CASES.append(Case(area, cid, what, fn, forked, timeout))
        return fn
    return register


def short(text, limit=300):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def describe(error: BaseException) -> str:
    return short(f"{type(error).__name__}: {error}")


def mentions(text: str, *required) -> bool:
    """Every item of ``required`` occurs in ``text`` (case-insensitive); a tuple item means any one of them."""
    text = text.lower()
    for item in required:
        alternatives = item if isinstance(item, tuple) else (item,)
        if not any(a.lower() in text for a in alternatives):
            return False
    return True


def raised_inside_numpy(error: BaseException) -> bool:
    """True if the innermost frame of the traceback lies in NumPy (a raw NumPy error)."""
    frames = traceback.extract_tb(error.__traceback__)
    return bool(frames) and f"{os.sep}numpy{os.sep}" in frames[-1].filename


def expect_raise(fn, types, *required, wrong_result="C") -> Result:
    """A if fn() raises one of ``types`` whose message mentions ``required``; B for another exception
    or a message that does not name the cause; ``wrong_result`` (C) if it returns instead."""
    types = types if isinstance(types, tuple) else (types,)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            value = fn()
    except types as error:
        if mentions(str(error), *required):
            return A(describe(error))
        return B(f"the message does not name the cause (expected it to mention {required}): {describe(error)}")
    except Exception as error:
        where = " (from inside NumPy)" if raised_inside_numpy(error) else ""
        return B(f"{describe(error)}{where}")
    return Result(wrong_result, f"no error; returned {short(repr(value), 160)}")


def expect_value(fn, check, expected_text, no_warnings=False) -> Result:
    """A if fn() returns a value for which check(value) is true (and, with ``no_warnings``, warns nothing);
    C if it returns something else; B if it raises."""
    try:
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            value = fn()
    except Exception as error:
        where = " (from inside NumPy)" if raised_inside_numpy(error) else ""
        return B(f"raised {describe(error)}{where}; expected {expected_text}")
    try:
        ok = check(value)
    except Exception as error:
        return C(f"returned {short(repr(value), 120)}, which is not {expected_text} ({describe(error)})")
    if not ok:
        return C(f"returned {short(repr(value), 160)}; expected {expected_text}")
    if no_warnings and record:
        return B(f"right value, but warned: {short(record[0].message)}")
    return A(f"{expected_text}: {short(repr(value), 120)}")


def expect_warning(fn, category, *required) -> Result:
    """A if fn() warns with ``category`` mentioning ``required``; C if it runs silently; B if it raises."""
    try:
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            fn()
    except Exception as error:
        return B(f"raised {describe(error)}; expected a {category.__name__}")
    hits = [w for w in record if issubclass(w.category, category)]
    if not hits:
        return C("no warning: " + (f"only {short(record[0].message)}" if record else "silent"))
    if not any(mentions(str(w.message), *required) for w in hits):
        return B(f"the warning does not name the cause: {short(hits[0].message)}")
    return A(short(hits[0].message))


# =============================================================================================
# The MNIST loader: helpers run inside forked children
# =============================================================================================

class Env:
    """Paths shared by every loader case (filled in by main())."""
    mirror: Path          # the read-only folder of the four .gz files (DLFS_MNIST_MIRROR)
    work: Path            # a temporary folder for this run
    golden_cache: Path    # a valid mnist.npz built once at the start
    reference: dict       # the four arrays, parsed independently of common.mnist
    good_url: str         # the helper server's well-behaved mirror
    bad_url: str          # the helper server's misbehaving mirror: bad_url + mode + "/"
    refused_url: str      # an address where nothing listens
    full_disk: Path | None = None      # a 20 MB tmpfs (root only), else None
    readonly_disk: Path | None = None  # a read-only tmpfs (root only), else None


ENV = Env()


def fresh_dir(name="case") -> Path:
    folder = Path(tempfile.mkdtemp(prefix=name + ".", dir=ENV.work))
    folder.chmod(0o777)  # the permission cases run as nobody
    return folder


def mirror_copy(replace: dict | None = None, omit=()) -> Path:
    """A mirror folder: links to the real files, except those in ``omit`` and those in ``replace``
    (name -> a function that creates the file at the path it is given)."""
    folder = fresh_dir("mirror")
    for name in MNIST_FILES:
        if name in omit:
            continue
        if replace and name in replace:
            replace[name](folder / name)
        else:
            (folder / name).symlink_to(ENV.mirror / name)
    return folder


def content(make_bytes):
    """A ``replace`` entry for mirror_copy that writes make_bytes() (evaluated in the case's process)."""
    return lambda path: path.write_bytes(make_bytes())


def sparse(size):
    """A ``replace`` entry that creates a sparse file of ``size`` bytes."""
    def make(path):
        path.touch()
        os.truncate(path, size)
    return make


def mirror_bytes(name: str) -> bytes:
    return (ENV.mirror / name).read_bytes()


def idx_bytes(name: str) -> bytes:
    return gzip.decompress(mirror_bytes(name))


def setup_loader(mirror=None, public=None, data_dir=None, **constants):
    """Point common.mnist at ``mirror`` (a folder or URL, or nothing) and ``public`` mirrors (default:
    an address that refuses connections); a fresh data folder unless ``data_dir`` is given."""
    import common.mnist as mnist

    data_dir = data_dir or fresh_dir("data")
    os.environ["DLFS_DATA_DIR"] = str(data_dir)
    if mirror is None:
        os.environ.pop("DLFS_MNIST_MIRROR", None)
    else:
        os.environ["DLFS_MNIST_MIRROR"] = str(mirror)
    mnist.PUBLIC_MIRRORS = tuple(public) if public is not None else (ENV.refused_url,)
    for name, value in constants.items():
        setattr(mnist, name, value)
    return mnist, Path(data_dir)


@dataclass
class Load:
    data: tuple | None
    error: BaseException | None
    warnings: list[str]
    seconds: float

    def correct(self) -> bool:
        return self.data is not None and same_as_reference(self.data)

    def warned(self, *required) -> bool:
        return any(mentions(w, *required) for w in self.warnings)


def load(**kwargs) -> Load:
    import common.mnist as mnist

    kwargs.setdefault("normalize", False)
    started = time.monotonic()
    with warnings.catch_warnings(record=True) as record, contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("always")
        try:
            data, error = mnist.load_mnist(**kwargs), None
        except BaseException as caught:  # noqa: B036 (KeyboardInterrupt is a result here)
            data, error = None, caught
    return Load(data, error, [str(w.message) for w in record], time.monotonic() - started)


def same_as_reference(data, normalize=False, flatten=True, one_hot=False) -> bool:
    (x_train, t_train), (x_test, t_test) = data
    ref = ENV.reference
    for x, key in ((x_train, "x_train"), (x_test, "x_test")):
        expected = ref[key]
        if normalize:
            if x.dtype != np.float32 or not np.allclose(x.reshape(len(expected), -1)[:500],
                                                        expected.reshape(len(expected), -1)[:500] / 255.0):
                return False
        elif x.dtype != np.uint8 or not np.array_equal(x.reshape(expected.shape), expected):
            return False
        shape = (len(expected), 784) if flatten else (len(expected), 1, 28, 28)
        if x.shape != shape:
            return False
    for t, key in ((t_train, "t_train"), (t_test, "t_test")):
        expected = ref[key]
        if one_hot:
            if t.shape != (len(expected), 10) or not np.array_equal(t.argmax(axis=1), expected):
                return False
        elif t.dtype != np.int64 or not np.array_equal(t, expected):
            return False
    return True


def judge_recovery(result: Load, *required, slow_limit=None) -> Result:
    """The data must come back, correct, with a warning that mentions ``required`` (the bad source and why)."""
    if result.error is not None:
        from common.mnist import MNISTUnavailableError

        if isinstance(result.error, MNISTUnavailableError):
            return B(f"gave up although a good source was left: {short(result.error, 1000)}")
        return D(f"{describe(result.error)} escaped load_mnist")
    if not result.correct():
        return C("returned data that differ from MNIST")
    if slow_limit is not None and result.seconds > slow_limit:
        return D(f"correct data, but only after {result.seconds:.1f} s (limit {slow_limit} s)")
    if required and not result.warned(*required):
        return B(f"correct data, but no warning names the cause {required}; warnings: "
                 f"{short(result.warnings, 240)}")
    found = [w for w in result.warnings if mentions(w, *required)] if required else result.warnings
    return A("correct data" + (f"; warned: {short(found[0], 220)}" if found else ", no warning"))


def judge_unavailable(result: Load, *required) -> Result:
    """No usable source: MNISTUnavailableError whose message mentions ``required``."""
    from common.mnist import MNISTUnavailableError

    if result.error is None:
        return C("returned data although no source was usable" if not result.correct()
                 else "returned correct data (expected an error)")
    if not isinstance(result.error, MNISTUnavailableError):
        return D(f"{describe(result.error)} escaped load_mnist")
    if not mentions(str(result.error), *required):
        return B(f"the message does not name the cause {required}: {describe(result.error)}")
    return A(short(result.error, 260))


def offline_reload() -> Result | None:
    """Load again with no source at all: only the cache and our own verified downloads can answer.
    None if that is sound (correct data, or a clear 'unavailable'); E if wrong data loads as valid."""
    from common.mnist import MNISTUnavailableError

    setup_loader(mirror=fresh_dir("empty"), data_dir=Path(os.environ["DLFS_DATA_DIR"]))
    again = load()
    if again.error is None:
        return None if again.correct() else E("a later load returned wrong data as valid")
    if isinstance(again.error, MNISTUnavailableError):
        return None
    return D(f"a later load raised {describe(again.error)}")


def then_offline(result: Result) -> Result:
    """``result``, unless a later offline load shows a bad file loading as valid."""
    later = offline_reload()
    return later if later is not None and result.cls == "A" else result


def install_golden_cache(data_dir: Path) -> Path:
    path = data_dir / "mnist.npz"
    shutil.copyfile(ENV.golden_cache, path)
    return path


def golden_arrays() -> dict:
    with np.load(ENV.golden_cache, allow_pickle=False) as npz:
        return {key: npz[key] for key in npz.files}


def as_nobody():
    """In a forked child: drop root's privileges, so that file permissions apply."""
    if os.geteuid() == 0:
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)


def run_forked(fn: Callable[[], Result], timeout: float) -> Result:
    """Run fn() in a forked child; its Result comes back through a pipe. A child still running after
    ``timeout`` seconds is killed and counts as a hang (D)."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read_end)
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            try:
                result = fn()
            except BaseException as error:  # noqa: B036
                result = D(f"{describe(error)} escaped: {short(''.join(traceback.format_tb(error.__traceback__)[-2:]), 400)}")
            payload = json.dumps([result.cls, result.happened]).encode()
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
        finally:
            os._exit(0)
    os.close(write_end)
    chunks, deadline = [], time.monotonic() + timeout
    with os.fdopen(read_end, "rb") as pipe:
        while True:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([pipe], [], [], max(remaining, 0))
            if not ready:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return D(f"still running after {timeout:.0f} s: a hang")
            chunk = os.read(pipe.fileno(), 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    os.waitpid(pid, 0)
    if not chunks:
        return D("the case's process died without a result")
    cls, happened = json.loads(b"".join(chunks))
    return Result(cls, happened)


# =============================================================================================
# Area 1: the MNIST loader: mirrors, arguments, cache files
# =============================================================================================

def mirror_case(cid, what, replace=None, omit=(), required=(), fallback=True, **kw):
    """A mirror folder with one bad file; the good HTTP mirror behind it must deliver the file instead,
    and a warning must name the bad file and what is wrong with it."""
    @case("loader", cid, what, forked=True)
    def run():
        folder = mirror_copy(replace, omit)
        setup_loader(mirror=folder, public=(ENV.good_url,) if fallback else None)
        return then_offline(judge_recovery(load(), *required))
    return run


def make_dir(path: Path):
    path.mkdir()


mirror_case("M01", "mirror folder: train-images .gz truncated to half its size",
            replace={"train-images-idx3-ubyte.gz": content(lambda: mirror_bytes("train-images-idx3-ubyte.gz")[:4_800_000])},
            required=("train-images-idx3-ubyte.gz", "truncated"))
mirror_case("M02", "mirror folder: one byte flipped in the middle of train-labels .gz",
            replace={"train-labels-idx1-ubyte.gz": content(lambda: (lambda b: b[:15000] + bytes([b[15000] ^ 0xFF]) + b[15001:])(
                mirror_bytes("train-labels-idx1-ubyte.gz")))},
            required=("train-labels-idx1-ubyte.gz", ("gzip", "sha-256")))
mirror_case("M03", "mirror folder: two files swapped (test labels saved under the training labels' name)",
            replace={"train-labels-idx1-ubyte.gz": content(lambda: mirror_bytes("t10k-labels-idx1-ubyte.gz")),
                     "t10k-labels-idx1-ubyte.gz": content(lambda: mirror_bytes("train-labels-idx1-ubyte.gz"))},
            required=("train-labels-idx1-ubyte.gz", "sha-256"))
mirror_case("M04", "mirror folder: an empty t10k-images file (0 bytes)",
            replace={"t10k-images-idx3-ubyte.gz": content(lambda: b"")},
            required=("t10k-images-idx3-ubyte.gz", "empty"))
mirror_case("M05", "mirror folder: an HTML error page saved as t10k-labels .gz",
            replace={"t10k-labels-idx1-ubyte.gz": content(lambda: b"<!DOCTYPE html><html><body>404 Not Found</body></html>")},
            required=("t10k-labels-idx1-ubyte.gz", "gzip", "html"))
mirror_case("M06", "mirror folder: train-labels missing",
            omit=("train-labels-idx1-ubyte.gz",), required=("train-labels-idx1-ubyte.gz", "not found"))
mirror_case("M07", "mirror folder: a folder named like the file t10k-labels .gz",
            replace={"t10k-labels-idx1-ubyte.gz": make_dir}, required=("t10k-labels-idx1-ubyte.gz", "not a file"))
mirror_case("M08", "mirror folder: a .gz with trailing junk after the gzip stream",
            replace={"t10k-labels-idx1-ubyte.gz": content(lambda: mirror_bytes("t10k-labels-idx1-ubyte.gz") + b"junk" * 10)},
            required=("t10k-labels-idx1-ubyte.gz", "gzip"))
mirror_case("M09", "mirror folder: a 40 MB sparse file named train-labels .gz (larger than any MNIST file)",
            replace={"train-labels-idx1-ubyte.gz": sparse(40 * 2**20)},
            required=("train-labels-idx1-ubyte.gz", "more than"))
mirror_case("M10", "mirror folder: a gzip of the wrong content with the right name (a gzipped text file)",
            replace={"t10k-labels-idx1-ubyte.gz": content(lambda: gzip.compress(b"hello " * 1000))},
            required=("t10k-labels-idx1-ubyte.gz", "sha-256"))


def _unreadable(path: Path):
    shutil.copyfile(ENV.mirror / path.name, path)
    path.chmod(0)


@case("loader", "M11", "mirror folder: t10k-labels .gz unreadable (chmod 000, as an ordinary user)", forked=True)
def _():
    folder = mirror_copy({VICTIM: _unreadable})
    setup_loader(mirror=folder, public=(ENV.good_url,))
    as_nobody()
    return judge_recovery(load(), VICTIM, ("permission", "cannot read"))


@case("loader", "M12", "nothing anywhere: an empty mirror folder and unreachable public mirrors", forked=True)
def _():
    setup_loader(mirror=fresh_dir("empty"))
    return judge_unavailable(load(), "train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
                             "not found", "unreachable", "how to fix", "DLFS_MNIST_MIRROR")


@case("loader", "M13", "DLFS_MNIST_MIRROR names a folder that does not exist, nothing else reachable", forked=True)
def _():
    missing = ENV.work / "no-such-folder"
    setup_loader(mirror=missing)
    return judge_unavailable(load(), str(missing), "not found")


@case("loader", "M14", "DLFS_MNIST_MIRROR names a file instead of a folder, nothing else reachable", forked=True)
def _():
    setup_loader(mirror=ENV.mirror / "README.md")
    return judge_unavailable(load(), "README.md", "not found")


@case("loader", "M15", "DLFS_MNIST_MIRROR written with ~ (home folder)", forked=True)
def _():
    home = fresh_dir("home")
    (home / "mnist").symlink_to(ENV.mirror)
    os.environ["HOME"] = str(home)
    setup_loader(mirror="~/mnist")
    return judge_recovery(load())


@case("loader", "M16", "DLFS_MNIST_MIRROR with a trailing newline and spaces (pasted)", forked=True)
def _():
    setup_loader(mirror=f"  {ENV.mirror}\n")
    return judge_recovery(load())


@case("loader", "M17", "DLFS_MNIST_MIRROR as a file:// URL, nothing else reachable", forked=True)
def _():
    setup_loader(mirror=ENV.mirror.as_uri())
    result = load()
    if result.error is None and result.correct():
        return A("file:// URL understood: correct data")
    return judge_unavailable(result, "file://")


@case("loader", "M18", "mirror folder holding decompressed copies (train-images-idx3-ubyte, no .gz)", forked=True)
def _():
    folder = fresh_dir("mirror")
    for name in MNIST_FILES:
        (folder / name[:-3]).write_bytes(idx_bytes(name))
    setup_loader(mirror=folder)
    return judge_recovery(load())


@case("loader", "M19", "mirror folder with the browser's names (train-images.idx3-ubyte)", forked=True)
def _():
    folder = fresh_dir("mirror")
    for name in MNIST_FILES:
        (folder / name[:-3].replace("-idx", ".idx")).write_bytes(idx_bytes(name))
    setup_loader(mirror=folder)
    return judge_recovery(load())


@case("loader", "M20", "mirror folder: files recompressed (gzip -1, several members, zero padding)", forked=True)
def _():
    raw = idx_bytes("t10k-labels-idx1-ubyte.gz")
    folder = mirror_copy({
        "t10k-labels-idx1-ubyte.gz": content(lambda: gzip.compress(raw[:5000], 1) + gzip.compress(raw[5000:], 9)
                                             + b"\0" * 512),
        "train-labels-idx1-ubyte.gz": content(lambda: gzip.compress(idx_bytes("train-labels-idx1-ubyte.gz"), 1)),
    })
    setup_loader(mirror=folder)
    return judge_recovery(load())


@case("loader", "M21", "a decompressed copy whose IDX header promises more images than it holds", forked=True)
def _():
    raw = bytearray(idx_bytes("t10k-labels-idx1-ubyte.gz"))
    folder = mirror_copy(omit=(VICTIM,))
    (folder / VICTIM[:-3]).write_bytes(bytes(raw[:-10]))
    setup_loader(mirror=folder, public=(ENV.good_url,))
    return judge_recovery(load(), VICTIM, "sha-256")


for _cid, _name, _value in [("M22", "normalize", "yes"), ("M23", "flatten", 1), ("M24", "one_hot_label", None),
                            ("M25", "normalize", np.array([True, False]))]:
    def _make(name=_name, value=_value):
        def run():
            setup_loader(mirror=ENV.mirror)
            result = load(**{name: value})
            if result.error is None:
                return C(f"{name}={value!r} accepted without a word")
            if isinstance(result.error, TypeError) and mentions(str(result.error), name, "True or False"):
                return A(describe(result.error))
            return B(describe(result.error))
        return run
    case("loader", _cid, f"load_mnist({_name}={_value!r})", forked=True)(_make())


@case("loader", "M26", "load_mnist(np.bool_(True), flatten=np.bool_(False)): NumPy booleans", forked=True)
def _():
    setup_loader(mirror=ENV.mirror)
    result = load(normalize=np.bool_(True), flatten=np.bool_(False))
    if result.error is not None:
        return B(describe(result.error))
    return A("works") if same_as_reference(result.data, normalize=True, flatten=False) else C("wrong arrays")


@case("loader", "M27", "load_mnist(False, False, True) positionally, as the book calls it", forked=True)
def _():
    setup_loader(mirror=ENV.mirror)
    import common.mnist as mnist

    with contextlib.redirect_stdout(io.StringIO()):
        data = mnist.load_mnist(False, False, True)
    ok = same_as_reference(data, flatten=False, one_hot=True) and data[0][1].dtype == np.float32
    return A("(N, 1, 28, 28) uint8 images and float32 one-hot labels") if ok else C("wrong arrays")


@case("loader", "M28", "load_mnist(normalise=True): a misspelt keyword", forked=True)
def _():
    import common.mnist as mnist

    return expect_raise(lambda: mnist.load_mnist(normalise=True), TypeError, "normalise")


# -- cache files --------------------------------------------------------------------------------

def cache_case(cid, what, make, required=("unusable",), wrong_is="E"):
    """A bad mnist.npz in the data folder: it must be detected (a warning) and rebuilt from the mirror;
    loading it as valid is E."""
    @case("loader", cid, what, forked=True)
    def run():
        mnist, data_dir = setup_loader(mirror=ENV.mirror)
        make(data_dir / "mnist.npz")
        result = load()
        if result.error is None and not result.correct():
            return Result(wrong_is, "the bad cache loaded as valid")
        judged = judge_recovery(result, *required)
        if judged.cls != "A":
            return judged
        return then_offline(judged)
    return run


def _golden_with(**changes):
    def make(path):
        arrays = golden_arrays()
        for key, value in changes.items():
            if value is None:
                arrays.pop(key)
            else:
                arrays[key] = value(arrays[key]) if callable(value) else value
        np.savez(path, **arrays)
    return make


def _flip_in_middle(path):
    shutil.copyfile(ENV.golden_cache, path)
    with open(path, "r+b") as file:
        file.seek(30_000_000)
        byte = file.read(1)
        file.seek(30_000_000)
        file.write(bytes([byte[0] ^ 0x10]))


cache_case("C01", "cache truncated to its first 10 MB",
           lambda p: p.write_bytes(ENV.golden_cache.read_bytes()[:10_000_000]))
cache_case("C02", "cache of random bytes", lambda p: p.write_bytes(os.urandom(100_000)))
cache_case("C03", "cache with the images reshaped to (60000, 784)",
           _golden_with(x_train=lambda a: a.reshape(len(a), -1)))
cache_case("C04", "cache holding pickled object arrays",
           lambda p: np.savez(p, **{k: np.array([None, v], dtype=object) for k, v in golden_arrays().items()}))
cache_case("C05", "cache with float32 images instead of uint8", _golden_with(x_test=lambda a: a.astype(np.float32)))
cache_case("C06", "cache that is really a .npy file", lambda p: np.save(open(p, "wb"), np.zeros(3)))
cache_case("C07", "a foreign Keras cache (x_train, y_train, x_test, y_test)",
           lambda p: np.savez(p, x_train=ENV.reference["x_train"], y_train=ENV.reference["t_train"],
                              x_test=ENV.reference["x_test"], y_test=ENV.reference["t_test"]))
cache_case("C08", "hand-made cache with the fingerprint but only 100 training images",
           _golden_with(x_train=lambda a: a[:100], t_train=lambda a: a[:100], counts=None))
cache_case("C09", "hand-made cache with the fingerprint and shuffled training labels",
           _golden_with(t_train=lambda a: np.random.default_rng(0).permutation(a)))
cache_case("C10", "bit rot: one byte flipped inside the cache (zip CRC)", _flip_in_middle)
cache_case("C11", "an empty cache file (0 bytes)", lambda p: p.write_bytes(b""))
cache_case("C12", "cache with an extra array", _golden_with(extra=np.zeros(3)))
cache_case("C13", "cache whose counts say 100 training images", _golden_with(counts=np.array([100, 10000])))
cache_case("C14", "cache made from other sources (another fingerprint)",
           _golden_with(source_sha256=np.array(["0" * 64] * 4)))
cache_case("C15", "cache holding Fashion-MNIST-like arrays of the right shapes (all pixels inverted)",
           _golden_with(x_test=lambda a: 255 - a))


@case("loader", "C16", "a cache written before counts were stored (no 'counts' array): still loads", forked=True)
def _():
    mnist, data_dir = setup_loader(mirror=fresh_dir("empty"))
    _golden_with(counts=None)(data_dir / "mnist.npz")
    return judge_recovery(load())


@case("loader", "C17", "a folder named mnist.npz where the cache belongs", forked=True)
def _():
    mnist, data_dir = setup_loader(mirror=ENV.mirror)
    (data_dir / "mnist.npz").mkdir()
    return judge_recovery(load(), "mnist.npz")


@case("loader", "C18", "a leftover temporary file of an interrupted run (.mnist.npz.x.tmp) beside no cache",
      forked=True)
def _():
    mnist, data_dir = setup_loader(mirror=fresh_dir("empty"))
    shutil.copyfile(ENV.golden_cache, data_dir / ".mnist.npz.abc.tmp")
    result = load()
    if result.error is None:
        return E("the temporary file was loaded as the cache")
    return judge_unavailable(result, "not found")


@case("loader", "C19", "DLFS_DATA_DIR names a file, not a folder", forked=True)
def _():
    target = fresh_dir("x") / "a-file"
    target.write_text("not a folder")
    setup_loader(mirror=ENV.mirror, data_dir=target)
    result = load()
    if result.error is None:
        return A("data returned" + (f"; warned: {short(result.warnings[0])}" if result.warnings else ""))
    if mentions(str(result.error), "DLFS_DATA_DIR", "folder"):
        return A(describe(result.error))
    return B(describe(result.error))


@case("loader", "C20", "DLFS_DATA_DIR written with ~, a folder that does not exist yet", forked=True)
def _():
    home = fresh_dir("home")
    os.environ["HOME"] = str(home)
    setup_loader(mirror=ENV.mirror, data_dir="~/dlfs-data")
    result = load()
    if result.error is not None:
        return B(describe(result.error))
    if not (home / "dlfs-data" / "mnist.npz").is_file():
        return C("data returned, but the cache went somewhere else")
    return A("the folder was created under the home folder and the cache written there")


@case("loader", "C21", "a bad copy in our own downloads folder (data/mnist/) is discarded", forked=True)
def _():
    mnist, data_dir = setup_loader(mirror=ENV.mirror)
    (data_dir / "mnist").mkdir()
    (data_dir / "mnist" / VICTIM).write_bytes(b"\x1f\x8b" + os.urandom(300))
    result = load()
    judged = judge_recovery(result, VICTIM, "gzip")
    if judged.cls == "A" and (data_dir / "mnist" / VICTIM).exists():
        return C("the bad copy was left in place")
    return judged


@case("loader", "C22", "second load: the cache alone answers, the mirror is gone", forked=True)
def _():
    mnist, data_dir = setup_loader(mirror=ENV.mirror)
    first = load()
    if not first.correct():
        return judge_recovery(first)
    setup_loader(mirror=fresh_dir("empty"), data_dir=data_dir)
    second = load()
    return judge_recovery(second)


@case("loader", "C23", "a cache made read-only by the user (chmod 444) still loads", forked=True)
def _():
    mnist, data_dir = setup_loader(mirror=fresh_dir("empty"))
    install_golden_cache(data_dir).chmod(0o444)
    as_nobody()
    return judge_recovery(load())


@case("loader", "C24", "a symbolic link as the cache, pointing at a valid cache elsewhere", forked=True)
def _():
    mnist, data_dir = setup_loader(mirror=fresh_dir("empty"))
    (data_dir / "mnist.npz").symlink_to(ENV.golden_cache)
    return judge_recovery(load())


@case("loader", "C25", "a dangling symbolic link as the cache", forked=True)
def _():
    mnist, data_dir = setup_loader(mirror=ENV.mirror)
    (data_dir / "mnist.npz").symlink_to(data_dir / "gone.npz")
    return judge_recovery(load())


# =============================================================================================
# Area 2: the loader and weight files under permissions, full or read-only disks, concurrency, kills
# =============================================================================================

class FaultyFile:
    """A temporary file whose writes go through in 1 MB pieces; once ``after_bytes`` are written,
    ``fault()`` is called (it may raise, or signal the process). ``pause`` slows every piece down."""

    def __init__(self, real, fault=None, after_bytes=0, pause=0.0):
        self.real, self.fault, self.after, self.pause = real, fault, after_bytes, pause
        self.written, self.fired = 0, False

    def write(self, data):
        view = memoryview(data).cast("B")
        for start in range(0, len(view), 1 << 20):
            piece = view[start:start + (1 << 20)]
            if self.fault is not None and not self.fired and self.written + len(piece) > self.after:
                self.fired = True
                self.fault()
            self.real.write(piece)
            self.written += len(piece)
            if self.pause:
                time.sleep(self.pause)
        return len(view)

    def __getattr__(self, name):
        return getattr(self.real, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return self.real.__exit__(*exc)


def faulty_temporaries(**kwargs):
    """Make common.files write through FaultyFile (only in the case's own process)."""
    import common.files as files

    original = tempfile.NamedTemporaryFile
    files.tempfile = type("patched_tempfile", (), {
        "NamedTemporaryFile": staticmethod(lambda *a, **k: FaultyFile(original(*a, **k), **kwargs))})


def raise_oserror(code):
    def fault():
        raise OSError(code, os.strerror(code))
    return fault


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob(".*.tmp"))


def judge_uncached(result: Load, data_dir: Path, *required) -> Result:
    """Writing the cache failed: the data must still come back, with one warning naming the cause,
    and nothing half-written may be left to load later."""
    judged = judge_recovery(result, "could not write the mnist cache", *required)
    if judged.cls != "A":
        return judged
    cache = data_dir / "mnist.npz"
    if cache.exists():
        return E("a cache file exists although writing it failed")
    return then_offline(judged)


@case("disk", "F01", "full disk while writing the cache (writes fail with ENOSPC after 20 MB)", forked=True)
def _():
    mnist, data_dir = setup_loader(mirror=ENV.mirror)
    faulty_temporaries(fault=raise_oserror(errno.ENOSPC), after_bytes=20 << 20)
    result = load()
    judged = judge_uncached(result, data_dir, "no space")
    if judged.cls == "A" and leftovers(data_dir):
        return B(f"data returned, but a temporary file was left: {leftovers(data_dir)}")
    return judged


@case("disk", "F02", "a really full disk: the data folder on a 20 MB tmpfs (simulated ENOSPC where mounting "
                     "is not allowed)", forked=True)
def _():
    if ENV.full_disk is None:
        mnist, data_dir = setup_loader(mirror=ENV.mirror)
        faulty_temporaries(fault=raise_oserror(errno.ENOSPC), after_bytes=5 << 20)
        how = "(simulated) "
    else:
        mnist, data_dir = setup_loader(mirror=ENV.mirror, data_dir=fresh_in(ENV.full_disk))
        how = "(tmpfs) "
    judged = judge_uncached(load(), data_dir, "no space")
    return Result(judged.cls, how + judged.happened)


@case("disk", "F03", "a read-only file system for the data folder (a read-only tmpfs; simulated EROFS where "
                     "mounting is not allowed)", forked=True)
def _():
    if ENV.readonly_disk is None:
        mnist, data_dir = setup_loader(mirror=ENV.mirror)
        faulty_temporaries(fault=raise_oserror(errno.EROFS), after_bytes=0)
        how = "(simulated) "
    else:
        mnist, data_dir = setup_loader(mirror=ENV.mirror, data_dir=ENV.readonly_disk)
        how = "(tmpfs) "
    judged = judge_uncached(load(), data_dir, "read-only")
    return Result(judged.cls, how + judged.happened)


@case("disk", "F04", "a file-size limit (ulimit -f 10 MB: EFBIG while writing the cache)", forked=True)
def _():
    import resource

    mnist, data_dir = setup_loader(mirror=ENV.mirror)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (10 << 20, 10 << 20))
    return judge_uncached(load(), data_dir, "too large")


@case("disk", "F05", "a data folder the user cannot write to (chmod 555, as an ordinary user)", forked=True)
def _():
    mnist, data_dir = setup_loader(mirror=ENV.mirror)
    data_dir.chmod(0o555)
    as_nobody()
    return judge_uncached(load(), data_dir, "permission denied")


@case("disk", "F06", "a data folder the user can neither read nor write (chmod 000, as an ordinary user)",
      forked=True)
def _():
    mnist, data_dir = setup_loader(mirror=ENV.mirror)
    data_dir.chmod(0)
    as_nobody()
    return judge_recovery(load(), str(data_dir), "permission denied")


@case("disk", "F07", "an existing cache the user cannot read (chmod 000, as an ordinary user)", forked=True)
def _():
    mnist, data_dir = setup_loader(mirror=ENV.mirror)
    install_golden_cache(data_dir).chmod(0)
    as_nobody()
    return judge_recovery(load(), "mnist.npz", "permission denied")


def concurrent_loads(n: int) -> Result:
    """n processes build the same cache at the same moment; all must get the data; the cache stays sound."""
    mnist, data_dir = setup_loader(mirror=ENV.mirror)
    gate_read, gate_write = os.pipe()
    children = []
    for _ in range(n):
        pid = os.fork()
        if pid == 0:
            os.close(gate_write)
            os.read(gate_read, 1)  # wait for the start signal
            result = load()
            os._exit(0 if result.error is None and result.correct() else 1)
        children.append(pid)
    os.close(gate_read)
    os.close(gate_write)  # everybody starts now
    statuses = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]
    if any(statuses):
        return D(f"exit statuses {statuses}: not every process got the right data")
    return then_offline(A(f"{n} processes all got the right data; the cache loads afterwards"))


case("disk", "F08", "two processes building the same cache at once", forked=True)(lambda: concurrent_loads(2))
case("disk", "F09", "three processes building the same cache at once", forked=True)(lambda: concurrent_loads(3))


def killed_during_write(earlier_cache: bool) -> Result:
    """kill -9 the loader while it writes the cache (slowed to ~0.6 s); the next load must be sound."""
    mnist, data_dir = setup_loader(mirror=ENV.mirror)
    if earlier_cache:
        install_golden_cache(data_dir)
        # an earlier cache is only rewritten when it is unusable: make the loader rebuild it
        _golden_with(x_test=lambda a: 255 - a)(data_dir / "mnist.npz")
    pid = os.fork()
    if pid == 0:
        faulty_temporaries(pause=0.01)
        load()
        os._exit(0)
    killed_at = None
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        temporaries = list(data_dir.glob(".mnist.npz.*.tmp"))
        if temporaries and temporaries[0].stat().st_size > 20 << 20:
            os.kill(pid, signal.SIGKILL)
            killed_at = temporaries[0].stat().st_size
            break
        time.sleep(0.002)
    os.waitpid(pid, 0)
    if killed_at is None:
        return D("the write never got going (or finished before the kill): the case could not run")
    later = offline_reload()
    if later is not None:
        return later
    return A(f"killed after {killed_at / 2**20:.0f} MB; the next load (no sources) was sound")


case("disk", "F10", "kill -9 in the middle of the 55 MB cache write, no earlier cache",
     forked=True)(lambda: killed_during_write(False))
case("disk", "F11", "kill -9 in the middle of rewriting a damaged cache",
     forked=True)(lambda: killed_during_write(True))


@case("disk", "F12", "Ctrl-C (the stop button) in the middle of the cache write", forked=True)
def _():
    mnist, data_dir = setup_loader(mirror=ENV.mirror)
    faulty_temporaries(fault=lambda: os.kill(os.getpid(), signal.SIGINT), after_bytes=20 << 20)
    result = load()
    if not isinstance(result.error, KeyboardInterrupt):
        return D(f"the interrupt did not stop the loader: {describe(result.error) if result.error else 'returned data'}")
    if (data_dir / "mnist.npz").exists() or leftovers(data_dir):
        return E(f"left files behind: {sorted(p.name for p in data_dir.iterdir())}")
    return then_offline(A("KeyboardInterrupt reached the caller; no cache, no temporary file left"))


def copy_sample_weights(folder: Path) -> Path:
    import common.sample_weights as sw

    for suffix in ("", ".sha256"):
        shutil.copyfile(str(sw.WEIGHTS_FILE) + suffix, folder / (sw.WEIGHTS_FILE.name + suffix))
    return folder / sw.WEIGHTS_FILE.name


@case("disk", "F13", "sample weights the user cannot read (chmod 000, as an ordinary user)", forked=True)
def _():
    from common.sample_weights import SampleWeightsError, load_sample_weights

    path = copy_sample_weights(fresh_dir("weights"))
    path.chmod(0)
    as_nobody()
    return expect_raise(lambda: load_sample_weights(path), (SampleWeightsError, PermissionError),
                        "sample_weight.npz", ("permission", "cannot read"))


def small_model():
    from common.sequential import Activation, Dense, Sequential

    model = Sequential([Dense(4, input_shape=(3,)), Activation("softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
    return model


@case("disk", "F14", "Sequential.save_weights into a folder the user cannot write to (as an ordinary user)",
      forked=True)
def _():
    folder = fresh_dir("weights")
    folder.chmod(0o555)
    as_nobody()
    model = small_model()
    judged = expect_raise(lambda: model.save_weights(folder / "w.npz"), OSError, str(folder), "permission denied")
    if judged.cls == "A" and list(folder.iterdir()):
        return E(f"left files behind: {list(folder.iterdir())}")
    return judged


@case("disk", "F15", "Sequential.save_weights over an earlier file when the disk fills (ENOSPC)", forked=True)
def _():
    folder = fresh_dir("weights")
    model = small_model()
    path = model.save_weights(folder / "w.npz")
    before = path.read_bytes()
    for value in model.params.values():
        value += 1.0
    faulty_temporaries(fault=raise_oserror(errno.ENOSPC), after_bytes=0)
    judged = expect_raise(lambda: model.save_weights(path), OSError, "no space")
    if judged.cls == "A" and (path.read_bytes() != before or leftovers(folder)):
        return E("the earlier weights file was changed or a temporary file was left")
    return judged


def fresh_in(parent: Path) -> Path:
    folder = Path(tempfile.mkdtemp(dir=parent))
    folder.chmod(0o777)
    return folder


# =============================================================================================
# Area 3: the loader over HTTP, against a misbehaving server on 127.0.0.1
# =============================================================================================

class MirrorHandler(http.server.BaseHTTPRequestHandler):
    """GET /<mode>/<file>: ``good`` serves the mirror's file; every other mode serves the other files
    well and misbehaves on VICTIM (see ``misbehave``)."""

    mirror: Path = Path(".")
    bomb: bytes | None = None

    def log_message(self, *args):
        pass

    def do_GET(self):
        parts = self.path.strip("/").split("/")
        mode, name = (parts[0], parts[-1]) if len(parts) >= 2 else ("good", parts[-1])
        try:
            if mode == "good" or (name != VICTIM and mode not in ("raw", "all404")):
                return self.send_file(name)
            return self.misbehave(mode, name)
        except OSError:
            pass  # the client gave up: fine

    def send_file(self, name, body=None):
        path = self.mirror / name
        if body is None:
            if name not in MNIST_FILES or not path.is_file():
                return self.send_error(404)
            body = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def misbehave(self, mode, name):
        good = (self.mirror / name).read_bytes() if name in MNIST_FILES else b""
        if mode in ("404", "403", "500", "all404"):
            return self.send_error(404 if mode == "all404" else int(mode))
        if mode == "html":  # a captive portal's login page, with status 200
            body = b"<!DOCTYPE html><html><head><title>Login</title></head><body>Sign in to Wi-Fi</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            return self.wfile.write(body)
        if mode == "truncated":  # promises the whole file, sends 1,002 bytes, hangs up
            self.send_response(200)
            self.send_header("Content-Length", str(len(good)))
            self.end_headers()
            return self.wfile.write(good[:1002])
        if mode == "reset":  # a TCP reset instead of an answer
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.connection.close()
            return None
        if mode == "close":  # hangs up without a word
            self.connection.close()
            return None
        if mode == "stall":  # accepts the connection, never answers
            return self.wait(60)
        if mode == "stallbody":  # answers the headers, then never sends the body
            self.send_response(200)
            self.send_header("Content-Length", str(len(good)))
            self.end_headers()
            self.wfile.flush()
            return self.wait(60)
        if mode == "loop":
            self.send_response(302)
            self.send_header("Location", self.path)
            self.end_headers()
            return None
        if mode == "redirect":
            self.send_response(301)
            self.send_header("Location", f"/good/{name}")
            self.end_headers()
            return None
        if mode == "nothttp":
            return self.wfile.write(b"SSH-2.0-OpenSSH_9.6\r\n")
        if mode == "trickle":  # one byte a second: every read succeeds, the whole never ends
            self.send_response(200)
            self.send_header("Content-Length", str(len(good)))
            self.end_headers()
            for byte in good[:120]:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(1.0)
            return None
        if mode == "huge":  # no Content-Length: junk until the client gives up (at most 48 MB here)
            self.send_response(200)
            self.end_headers()
            block = b"\x1f\x8b" + os.urandom(1 << 20)
            for _ in range(48):
                self.wfile.write(block)
            return None
        if mode == "hugeannounced":
            self.send_response(200)
            self.send_header("Content-Length", str(10 * 2**30))
            self.end_headers()
            return self.wfile.write(b"\x1f\x8b" + b"x" * 1000)
        if mode == "bomb":  # 200 KB of gzip that inflates to 200 MiB
            if MirrorHandler.bomb is None:
                MirrorHandler.bomb = gzip.compress(b"\0" * (200 << 20), 9)
            return self.send_file(name, MirrorHandler.bomb)
        if mode == "wrongfile":
            return self.send_file(name, (self.mirror / "train-labels-idx1-ubyte.gz").read_bytes())
        if mode == "empty":
            return self.send_file(name, b"")
        if mode == "raw":  # a server that decompresses on the fly and sends the IDX bytes
            return self.send_file(name, gzip.decompress((self.mirror / name).read_bytes()))
        if mode == "chunked":  # chunked encoding, cut off in the middle of a chunk
            self.protocol_version = "HTTP/1.1"
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"10000\r\n" + good[:500])
            return None
        return self.send_error(400)

    def wait(self, seconds):
        stop = time.monotonic() + seconds
        while time.monotonic() < stop:
            time.sleep(0.2)


class QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


def serve(mirror: Path):
    """The helper process: serve the mirror on 127.0.0.1, print the port, stop when stdin closes."""
    MirrorHandler.mirror = mirror
    server = QuietServer(("127.0.0.1", 0), MirrorHandler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    print(server.server_address[1], flush=True)
    sys.stdin.read()
    server.shutdown()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


HTTP_FAST = {"DOWNLOAD_TIMEOUT": 1.5, "DOWNLOAD_DEADLINE": 4.0}


def http_case(cid, what, mode, *required, limit=20.0):
    """DLFS_MNIST_MIRROR is the misbehaving mirror; the public mirror behind it is good. The loader must
    fall through to the good mirror within ``limit`` seconds and warn about the bad one by URL and cause."""
    @case("http", cid, what, forked=True, timeout=60)
    def run():
        bad = f"{ENV.bad_url}{mode}/"
        setup_loader(mirror=bad, public=(ENV.good_url,), **HTTP_FAST)
        result = load()
        return then_offline(judge_recovery(result, bad + VICTIM, *required, slow_limit=limit))
    return run


http_case("H01", "HTTP 404 for one file", "404", "404")
http_case("H02", "HTTP 403 for one file", "403", "403")
http_case("H03", "HTTP 500 for one file", "500", "500")
http_case("H04", "an HTML login page with status 200 (captive portal)", "html", "gzip", "html")
http_case("H05", "Content-Length promises the whole file, the server hangs up after 1,002 bytes",
          "truncated", "cut short")
http_case("H06", "a TCP reset instead of an answer", "reset", ("reset", "connection"))
http_case("H07", "the server accepts the connection and never answers (stall)", "stall", "timed out", limit=8)
http_case("H08", "a redirect loop (302 to itself)", "loop", "redirect")
http_case("H09", "an answer that is not HTTP at all (an SSH banner)", "nothttp", ("badstatusline", "not http"))
http_case("H10", "a server that trickles one byte per second (only an overall deadline can stop it)",
          "trickle", "too slow", limit=10)
http_case("H11", "a 48 MB junk body without Content-Length", "huge", "more than")
http_case("H12", "Content-Length of 10 GiB announced", "hugeannounced", "announces")
http_case("H13", "a gzip bomb: 200 KB that inflate to 200 MiB", "bomb", "inflates")
http_case("H14", "the wrong file under the right name (train labels for t10k labels)", "wrongfile", "sha-256")
http_case("H15", "an empty body with status 200", "empty", "empty")
http_case("H16", "the server hangs up without any answer", "close", ("disconnected", "closed", "download failed"))
http_case("H17", "chunked transfer cut off in the middle of a chunk", "chunked", ("cut short", "incomplete"))
http_case("H18", "headers arrive, then the body never comes (stall in the body)", "stallbody",
          ("timed out", "too slow"), limit=8)


@case("http", "H19", "fallback to the next mirror: the first public mirror refuses connections", forked=True)
def _():
    setup_loader(mirror=None, public=(ENV.refused_url, ENV.good_url), **HTTP_FAST)
    return then_offline(judge_recovery(load(), ENV.refused_url, ("refused", "unreachable")))


@case("http", "H20", "a 301 redirect to the good mirror is followed", forked=True)
def _():
    setup_loader(mirror=f"{ENV.bad_url}redirect/", public=(), **HTTP_FAST)
    return judge_recovery(load())


@case("http", "H21", "a mirror that sends the decompressed IDX bytes (a server decompressing on the fly)",
      forked=True)
def _():
    mnist, data_dir = setup_loader(mirror=f"{ENV.bad_url}raw/", public=(), **HTTP_FAST)
    judged = judge_recovery(load())
    if judged.cls == "A":
        kept = data_dir / "mnist" / VICTIM
        if not kept.is_file() or gzip.decompress(kept.read_bytes()) != idx_bytes(VICTIM):
            return C("data right, but the kept copy is not the gzipped file")
        return then_offline(judged)
    return judged


@case("http", "H22", "DLFS_MNIST_MIRROR as a URL without the trailing slash", forked=True)
def _():
    setup_loader(mirror=ENV.good_url.rstrip("/"), public=(), **HTTP_FAST)
    return judge_recovery(load())


@case("http", "H23", "https:// to a server that speaks plain HTTP (TLS handshake fails)", forked=True)
def _():
    bad = ENV.good_url.replace("http://", "https://")
    setup_loader(mirror=bad, public=(ENV.good_url,), **HTTP_FAST)
    return judge_recovery(load(), bad, ("ssl", "wrong version", "download failed"))


@case("http", "H24", "nothing good anywhere: every file 404 and the public mirror refused", forked=True)
def _():
    bad = f"{ENV.bad_url}all404/"
    setup_loader(mirror=bad, public=(ENV.refused_url,), **HTTP_FAST)
    return judge_unavailable(load(), bad + VICTIM, "404", "how to fix")


@case("http", "H25", "a lost cache is rebuilt offline from the verified downloads kept in data/mnist/",
      forked=True)
def _():
    mnist, data_dir = setup_loader(mirror=ENV.good_url, public=(), **HTTP_FAST)
    first = load()
    if not first.correct():
        return judge_recovery(first)
    (data_dir / "mnist.npz").unlink()
    setup_loader(mirror=None, public=(ENV.refused_url,), data_dir=data_dir)
    return judge_recovery(load())


# =============================================================================================
# Area 4: sample weights (data/sample_weight.npz + .sha256), on copies in a temporary folder
# =============================================================================================

def weights_case(cid, what, prepare, types=None, *required, loads=False):
    """``prepare(path)`` damages a copy of the weights (path = the copy's .npz). With ``loads``, the
    copy must load and give the original arrays; otherwise loading must raise ``types`` mentioning
    ``required`` (SampleWeightsError by default)."""
    @case("weights", cid, what)
    def run():
        from common.sample_weights import SampleWeightsError, load_sample_weights

        path = copy_sample_weights(fresh_dir("weights"))
        original = load_sample_weights(path)
        target = prepare(path) or path
        if loads:
            return expect_value(lambda: load_sample_weights(target),
                                lambda w: sorted(w) == sorted(original) and all(
                                    np.array_equal(w[k], original[k]) for k in w),
                                "the original arrays")
        return expect_raise(lambda: load_sample_weights(target), types or SampleWeightsError, *required,
                            wrong_result="C")
    return run


def rewrite(path: Path, arrays: dict, regenerate_hash=True):
    """Write ``arrays`` to ``path`` and record its new SHA-256 (as the error message invites)."""
    from common.files import sha256_file

    with open(path, "wb") as file:
        np.savez(file, **arrays)
    if regenerate_hash:
        Path(str(path) + ".sha256").write_text(f"{sha256_file(path)}  {path.name}\n")


def loaded(path):
    with np.load(path) as npz:
        return {k: npz[k] for k in npz.files}


def changed(**changes):
    def prepare(path):
        arrays = loaded(path)
        for key, value in changes.items():
            if value is None:
                arrays.pop(key)
            else:
                arrays[key] = value(arrays[key]) if callable(value) else value
        rewrite(path, arrays)
    return prepare


def flip_byte(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 1
    path.write_bytes(bytes(data))


def with_hash_text(template: str, encoding="utf-8"):
    """Write the .sha256 from ``template`` ({hash}: the file's SHA-256, {upper}: the same in upper case)."""
    def prepare(path):
        from common.files import sha256_file

        digest = sha256_file(path)
        text = template.format(hash=digest, upper=digest.upper())
        Path(str(path) + ".sha256").write_bytes(text.encode(encoding))
    return prepare


def replace_by_folder(path):
    path.unlink()
    path.mkdir()


def regenerated(make_bytes):
    def prepare(path):
        from common.files import sha256_file

        path.write_bytes(make_bytes(path))
        Path(str(path) + ".sha256").write_text(f"{sha256_file(path)}  {path.name}\n")
    return prepare


weights_case("S01", "the weights file is missing", lambda p: p.unlink(), None, "missing", "git checkout")
weights_case("S02", "the .sha256 file is missing", lambda p: Path(str(p) + ".sha256").unlink(), None,
             "no checksum", ".sha256")
weights_case("S03", "one byte of the .npz changed", flip_byte, None, "does not match", "git checkout")
weights_case("S04", "the .sha256 holds text that is not a hash", with_hash_text("see README\n"), None,
             "64 hex digits")
weights_case("S05", "the .sha256 in upper case (PowerShell's Get-FileHash)", with_hash_text("{upper}\n"), loads=True)
weights_case("S06", "regenerated .sha256 for weights of the wrong shapes (W1 transposed)",
             changed(W1=lambda a: a.T.copy()), None, "W1", "shape")
weights_case("S07", "regenerated .sha256 for int64 weights", changed(W2=lambda a: (a * 100).astype(np.int64)),
             None, "W2", "int64")
weights_case("S08", "regenerated .sha256 for weights holding NaN",
             changed(b3=lambda a: np.full_like(a, np.nan)), None, "b3", "nan")
weights_case("S09", "the .sha256 written by PowerShell's Out-File (UTF-16 with BOM)", with_hash_text("{hash}\r\n", "utf-16"),
             loads=True)
weights_case("S10", "the .sha256 in sha256sum's format with a Windows line end", with_hash_text("{hash} *sample_weight.npz\r\n"),
             loads=True)
weights_case("S11", "regenerated .sha256 for a .npy file in place of the .npz",
             regenerated(lambda p: (lambda b: (np.save(b, np.zeros(3)), b.getvalue())[1])(io.BytesIO())), None,
             "not an .npz")
weights_case("S12", "regenerated .sha256 for an .npz with an object (pickled) array",
             changed(W1=lambda a: np.array([a, None], dtype=object)), None, ("pickle", "object", "W1"))
weights_case("S13", "regenerated .sha256 for weights with W3 missing", changed(W3=None), None, "W3")
weights_case("S14", "regenerated .sha256 for weights with an extra array", changed(W4=np.zeros(3, np.float32)), None,
             "W4")
weights_case("S15", "regenerated .sha256 for a truncated .npz", regenerated(lambda p: p.read_bytes()[:5000]), None,
             "not an .npz")
weights_case("S16", "regenerated .sha256 for an empty file", regenerated(lambda p: b""), None, ("empty", "not an .npz"))
weights_case("S17", "regenerated .sha256 for the book's pickle file renamed to .npz",
             regenerated(lambda p: __import__("pickle").dumps({"W1": [1.0]})), None, "not an .npz")
weights_case("S18", "a folder where the weights file belongs", replace_by_folder, None,
             ("folder", "directory", "not a file"))
weights_case("S19", "regenerated .sha256 for float64 weights (the book's dtype)",
             changed(**{k: (lambda a: a.astype(np.float64)) for k in ("W1", "b1", "W2", "b2", "W3", "b3")}), None,
             "float64")
weights_case("S20", "the path given as a str, not a Path", lambda p: str(p), loads=True)


# =============================================================================================
# Area 5: layers, loss functions and networks (common/layers.py, functions.py, layer_net.py and the networks)
# =============================================================================================

def _rand(*shape, seed=0, dtype=np.float64):
    return np.random.default_rng(seed).normal(size=shape).astype(dtype)


def _layers():
    import common.layers as layers
    return layers


def _after_forward(layer, x):
    layer.forward(x)
    return layer


def L(cid, what, fn):
    """Register a layers/networks case whose body returns a Result."""
    case("layers", cid, what)(fn)


L("L01", "Affine.forward on images (100, 28, 28) with W (784, 10): flattened, as documented",
  lambda: expect_value(lambda: _layers().Affine(_rand(784, 10), np.zeros(10)).forward(_rand(100, 28, 28)),
                       lambda y: np.allclose(y, _rand(100, 28, 28).reshape(100, 784) @ _rand(784, 10)),
                       "X.reshape(N, -1) @ W + b"))
L("L02", "Affine.forward with 783 features for W (784, 10)",
  lambda: expect_raise(lambda: _layers().Affine(_rand(784, 10), np.zeros(10)).forward(_rand(5, 783)),
                       ValueError, "(N, 784)", "(5, 783)"))
L("L03", "Affine.forward with one sample of shape (784,)",
  lambda: expect_raise(lambda: _layers().Affine(_rand(784, 10), np.zeros(10)).forward(_rand(784)),
                       ValueError, "batch of one"))
L("L04", "Affine(W (3, 2), b (3,)): b does not match W",
  lambda: expect_raise(lambda: _layers().Affine(_rand(3, 2), np.zeros(3)), ValueError, "b of shape"))
L("L05", "Relu.backward before forward",
  lambda: expect_raise(lambda: _layers().Relu().backward(np.ones((2, 2))), RuntimeError, "before forward"))
L("L06", "Affine.backward before forward",
  lambda: expect_raise(lambda: _layers().Affine(_rand(2, 2), np.zeros(2)).backward(np.ones((2, 2))),
                       RuntimeError, "before forward"))
L("L07", "Sigmoid.backward before forward",
  lambda: expect_raise(lambda: _layers().Sigmoid().backward(np.ones(3)), RuntimeError, "before forward"))
L("L08", "Relu.forward on a Python list",
  lambda: expect_value(lambda: _layers().Relu().forward([[-1.0, 2.0]]), lambda y: np.array_equal(y, [[0, 2]]),
                       "[[0, 2]]"))
L("L09", "Affine.backward with dout of the wrong shape",
  lambda: expect_raise(lambda: _after_forward(_layers().Affine(_rand(4, 3), np.zeros(3)), _rand(5, 4))
                       .backward(np.ones((5, 4))), ValueError, "dout of shape (5, 3)"))
L("L10", "Affine with integer W and b",
  lambda: expect_raise(lambda: _layers().Affine(np.ones((2, 2), np.int64), np.zeros(2, np.int64)),
                       ValueError, "floating-point", "int64"))
L("L11", "SoftmaxWithLoss.backward before forward",
  lambda: expect_raise(lambda: _layers().SoftmaxWithLoss().backward(), RuntimeError, "before forward"))
L("L12", "SoftmaxWithLoss.forward on an empty batch",
  lambda: expect_raise(lambda: _layers().SoftmaxWithLoss().forward(np.zeros((0, 3)), np.zeros(0, int)),
                       ValueError, "empty batch"))
L("L13", "Relu.backward with dout (5,) after a (4, 5) forward",
  lambda: expect_raise(lambda: _after_forward(_layers().Relu(), _rand(4, 5)).backward(np.ones(5)),
                       ValueError, "dout of shape (4, 5)"))
L("L14", "Sigmoid.backward with dout (1, 5) after a (4, 5) forward",
  lambda: expect_raise(lambda: _after_forward(_layers().Sigmoid(), _rand(4, 5)).backward(np.ones((1, 5))),
                       ValueError, "dout of shape (4, 5)"))


def _no_mutation():
    layers = _layers()
    x, dout = _rand(4, 5), _rand(4, 5, seed=1)
    x0, d0 = x.copy(), dout.copy()
    for layer in (layers.Relu(), layers.Sigmoid(), layers.Tanh(), layers.Affine(_rand(5, 5), np.zeros(5))):
        layer.forward(x)
        layer.backward(dout)
    return np.array_equal(x, x0) and np.array_equal(dout, d0)


L("L15", "Relu, Sigmoid, Tanh, Affine leave x and dout unchanged",
  lambda: expect_value(_no_mutation, bool, "x and dout untouched"))
L("L16", "sigmoid(-1000) and sigmoid(1000): no overflow warning",
  lambda: expect_value(lambda: _layers().sigmoid(np.array([-1000.0, 1000.0])),
                       lambda y: np.allclose(y, [0, 1]), "[0, 1]", no_warnings=True))
L("L17", "softmax([1000, 1000]): no overflow",
  lambda: expect_value(lambda: _layers().softmax(np.array([1000.0, 1000.0])), lambda y: np.allclose(y, 0.5),
                       "[0.5, 0.5]", no_warnings=True))
L("L18", "cross_entropy_error with label 10 for 10 classes",
  lambda: expect_raise(lambda: _layers().cross_entropy_error(np.full((2, 10), 0.1), np.array([3, 10])),
                       ValueError, "0..9"))
L("L19", "cross_entropy_error with label -1",
  lambda: expect_raise(lambda: _layers().cross_entropy_error(np.full((2, 10), 0.1), np.array([3, -1])),
                       ValueError, "0..9"))
L("L20", "cross_entropy_error with float labels [1.0, 2.0]",
  lambda: expect_raise(lambda: _layers().cross_entropy_error(np.full((2, 10), 0.1), np.array([1.0, 2.0])),
                       ValueError, "integer"))
L("L21", "cross_entropy_error with 3 labels for 2 rows",
  lambda: expect_raise(lambda: _layers().cross_entropy_error(np.full((2, 10), 0.1), np.array([1, 2, 3])),
                       ValueError, "(2,)"))
L("L22", "cross_entropy_error with one-hot rows of 2s",
  lambda: expect_raise(lambda: _layers().cross_entropy_error(np.full((2, 3), 0.3), np.full((2, 3), 2.0)),
                       ValueError, "add up to 1"))
L("L23", "SoftmaxWithLoss with all-zero one-hot labels",
  lambda: expect_raise(lambda: _layers().SoftmaxWithLoss().forward(np.ones((2, 3)), np.zeros((2, 3))),
                       ValueError, "all-zero"))
L("L24", "SoftmaxWithLoss with same-shape t that is not one-hot: [[2, -1, 0]] (sums to 1, negative entry)",
  lambda: expect_raise(lambda: _layers().SoftmaxWithLoss().forward(np.ones((1, 3)), np.array([[2.0, -1.0, 0.0]])),
                       ValueError, ("one-hot", "negative", "between 0 and 1")))
L("L25", "cross_entropy_error of one row y (10,) and a single int label, as the book",
  lambda: expect_value(lambda: _layers().cross_entropy_error(np.full(10, 0.1), 3),
                       lambda v: np.isclose(v, -np.log(0.1 + 1e-7)), "-log(0.1)"))
L("L26", "sum_squared_error with y (10,) and t (9,)",
  lambda: expect_raise(lambda: _layers().sum_squared_error(np.zeros(10), np.zeros(9)), ValueError, "(10,)", "(9,)"))
L("L27", "TwoLayerNet(..., dtype=np.int32): integer weights",
  lambda: expect_raise(lambda: __import__("common.two_layer_net", fromlist=["x"]).TwoLayerNet(4, 3, 2, dtype=np.int32),
                       (ValueError, TypeError), ("float", "floating")))
L("L28", "BatchNormalization with gamma (3,) and beta (4,)",
  lambda: expect_raise(lambda: _layers().BatchNormalization(np.ones(3), np.zeros(4)), ValueError, "same shape"))
L("L29", "BatchNormalization(momentum=1.5)",
  lambda: expect_raise(lambda: _layers().BatchNormalization(np.ones(3), np.zeros(3), momentum=1.5), ValueError,
                       "momentum"))
L("L30", "BatchNormalization.forward with 4 features for gamma (3,)",
  lambda: expect_raise(lambda: _layers().BatchNormalization(np.ones(3), np.zeros(3)).forward(_rand(5, 4)),
                       ValueError, "3 features"))
L("L31", "Dropout(dropout_ratio=1.0)",
  lambda: expect_raise(lambda: _layers().Dropout(1.0), ValueError, "dropout_ratio"))


def _bn_eval_then_backward():
    layer = _layers().BatchNormalization(np.ones(3), np.zeros(3))
    layer.forward(_rand(5, 3), train_flg=True)
    layer.forward(np.ones((5, 3)), train_flg=False)
    return layer.backward(np.ones((5, 3)))


L("L32", "BatchNormalization.backward after an inference-mode forward",
  lambda: expect_raise(_bn_eval_then_backward, RuntimeError, "training mode"))
L("L33", "Convolution with 1 channel in W, input with 3 channels",
  lambda: expect_raise(lambda: _layers().Convolution(_rand(4, 1, 3, 3), np.zeros(4)).forward(_rand(2, 3, 8, 8)),
                       ValueError, "(N, 1, H, W)"))
L("L34", "Convolution with a 5x5 filter on 3x3 images",
  lambda: expect_raise(lambda: _layers().Convolution(_rand(2, 1, 5, 5), np.zeros(2)).forward(_rand(2, 1, 3, 3)),
                       ValueError, "does not fit"))
L("L35", "Convolution(stride=0)",
  lambda: expect_raise(lambda: _layers().Convolution(_rand(2, 1, 3, 3), np.zeros(2), stride=0), ValueError, "stride"))
L("L36", "Convolution(stride=1.5)",
  lambda: expect_raise(lambda: _layers().Convolution(_rand(2, 1, 3, 3), np.zeros(2), stride=1.5), ValueError,
                       "stride"))
L("L37", "Pooling(2, 2, pad=2): padding as large as the window",
  lambda: expect_raise(lambda: _layers().Pooling(2, 2, pad=2), ValueError, "pad"))
L("L38", "Pooling.forward on a 3-D input (C, H, W)",
  lambda: expect_raise(lambda: _layers().Pooling(2, 2).forward(_rand(1, 8, 8)), ValueError, "(N, C, H, W)"))
L("L39", "Convolution with a 3-D W",
  lambda: expect_raise(lambda: _layers().Convolution(_rand(2, 3, 3), np.zeros(2)), ValueError, "(FN, C, FH, FW)"))
L("L40", "Tanh.backward before forward",
  lambda: expect_raise(lambda: _layers().Tanh().backward(np.ones(3)), RuntimeError, "before forward"))
L("L41", "Softmax layer backward with dout of the wrong shape",
  lambda: expect_raise(lambda: _after_forward(_layers().Softmax(), _rand(2, 3)).backward(np.ones((3, 2))),
                       ValueError, "dout of shape (2, 3)"))
L("L42", "numerical_gradient on an integer array",
  lambda: expect_raise(lambda: __import__("common.gradient", fromlist=["x"]).numerical_gradient(
      lambda x: float(np.sum(x ** 2)), np.array([1, 2])), TypeError, "float"))
L("L43", "gradient_descent(step_num=2.5)",
  lambda: expect_raise(lambda: __import__("common.gradient", fromlist=["x"]).gradient_descent(
      lambda x: float(np.sum(x ** 2)), np.array([1.0, 2.0]), step_num=2.5), ValueError, "step_num"))
def _nudged_then_raises():
    from common.gradient import numerical_gradient

    x = np.array([1.0, 2.0])
    with contextlib.suppress(ZeroDivisionError):
        numerical_gradient(lambda v: 1 / 0 if v[1] != 2.0 else 0.0, x)  # fails while x[1] is nudged
    return x


L("L44", "numerical_gradient leaves x unchanged even when f raises half-way",
  lambda: expect_value(_nudged_then_raises, lambda x: np.array_equal(x, [1.0, 2.0]), "x back to [1, 2]"))


# -- networks -------------------------------------------------------------------------------------

def _two_layer(dtype=np.float32, **kw):
    from common.rng import seed
    from common.two_layer_net import TwoLayerNet

    seed(0)
    return TwoLayerNet(784, 20, 10, dtype=dtype, **kw)


def _mln(**kw):
    from common.multi_layer_net import MultiLayerNet
    from common.rng import seed

    seed(0)
    return MultiLayerNet(6, [5, 4], 3, **kw)


def _images(n, seed=0):
    return np.random.default_rng(seed).random((n, 784)).astype(np.float32)


def _labels(n, classes=10, seed=0):
    return np.random.default_rng(seed).integers(0, classes, n)


L("N01", "TwoLayerNet(784, 50.0, 10): a float size",
  lambda: expect_raise(lambda: __import__("common.two_layer_net", fromlist=["x"]).TwoLayerNet(784, 50.0, 10),
                       ValueError, "hidden_size", "whole number"))
L("N02", "TwoLayerNet(784, 0, 10)",
  lambda: expect_raise(lambda: __import__("common.two_layer_net", fromlist=["x"]).TwoLayerNet(784, 0, 10),
                       ValueError, "hidden_size"))
L("N03", "TwoLayerNet(activation='Sigmoid'): capitalised",
  lambda: expect_value(lambda: _two_layer(activation="Sigmoid"), lambda n: "Sigmoid1" in n.layers, "a sigmoid network"))
L("N04", "accuracy(x_train, t_test): 600 images, 100 labels",
  lambda: expect_raise(lambda: _two_layer().accuracy(_images(600), _labels(100)), ValueError, "600", "100"))
L("N05", "accuracy with one-hot labels 9 wide for 10 outputs",
  lambda: expect_raise(lambda: _two_layer().accuracy(_images(4), np.eye(9)[[0, 1, 2, 3]]), ValueError, "9 columns"))
L("N06", "loss with Python lists for x and t",
  lambda: expect_value(lambda: _two_layer().loss(_images(3).tolist(), [1, 2, 3]),
                       lambda v: np.isclose(v, _two_layer().loss(_images(3), np.array([1, 2, 3]))),
                       "the same loss as with arrays"))
L("N07", "predict on images (N, 28, 28) for a 784-input network",
  lambda: expect_raise(lambda: _two_layer().predict(_images(5).reshape(5, 28, 28)), ValueError, "flatten"))


def _reassign_trains():
    net, x, t = _mln(weight_init_std=0.5), _rand(50, 6, dtype=np.float32), _labels(50, 3)
    before = net.loss(x, t)
    for _ in range(20):
        grads = net.gradient(x, t)
        for key in net.params:
            net.params[key] = net.params[key] - 0.5 * grads[key]
    return before, net.loss(x, t)


L("N08", "net.params[k] = net.params[k] - lr * g for 20 steps",
  lambda: expect_value(_reassign_trains, lambda r: r[1] < r[0] - 0.05, "a lower loss"))
L("N09", "net.params['W1'] = an array of another shape",
  lambda: expect_raise(lambda: _mln().params.__setitem__("W1", np.zeros((5, 6))), ValueError, "(6, 5)"))
L("N10", "MultiLayerNet(weight_init_std='hee')",
  lambda: expect_raise(lambda: _mln(weight_init_std="hee"), ValueError, "'hee'"))
L("N11", "MultiLayerNet(weight_decay_lambda=nan)",
  lambda: expect_raise(lambda: _mln(weight_decay_lambda=float("nan")), ValueError, "weight_decay_lambda"))
L("N12", "MultiLayerNet(6, 100, 3): hidden_size_list given as a number",
  lambda: expect_raise(lambda: __import__("common.multi_layer_net", fromlist=["x"]).MultiLayerNet(6, 100, 3),
                       (TypeError, ValueError), "hidden_size_list"))
L("N13", "MultiLayerNet(activation='tanh'): not offered",
  lambda: expect_raise(lambda: _mln(activation="tanh"), ValueError, "activation", "'relu'"))
L("N14", "gradient with float labels",
  lambda: expect_raise(lambda: _mln().gradient(_rand(4, 6), np.array([0.0, 1.0, 2.0, 1.0])), ValueError, "integer"))
L("N15", "gradient with label 3 for 3 classes",
  lambda: expect_raise(lambda: _mln().gradient(_rand(4, 6), np.array([0, 1, 3, 1])), ValueError, "0..2"))


def _gradients_agree():
    net, x, t = _mln(dtype=np.float64, activation="sigmoid"), _rand(5, 6), _labels(5, 3)
    grads, numeric = net.gradient(x, t), net.numerical_gradient(x, t)
    return max(float(np.max(np.abs(grads[k] - numeric[k]))) for k in grads)


L("N16", "gradient vs numerical_gradient of a sigmoid MultiLayerNet in float64",
  lambda: expect_value(_gradients_agree, lambda d: d < 1e-6, "agreement to 1e-6"))  # sigmoid: no ReLU kink
L("N17", "accuracy with labels as a column (N, 1)",
  lambda: expect_value(lambda: _two_layer().accuracy(_images(20), _labels(20)[:, None]),
                       lambda a: a == _two_layer().accuracy(_images(20), _labels(20)), "the same accuracy"))
L("N18", "accuracy with 1 image and 60 labels",
  lambda: expect_raise(lambda: _two_layer().accuracy(_images(1), _labels(60)), ValueError, "1 samples", "60"))
L("N19", "accuracy on no images at all (x and t empty)",
  lambda: expect_raise(lambda: _two_layer().accuracy(_images(0), _labels(0)), ValueError, ("empty", "no samples")))
L("N20", "accuracy with labels out of range (12 for 10 classes)",
  lambda: expect_raise(lambda: _two_layer().accuracy(_images(3), np.array([1, 12, 3])), ValueError, "0..9"))


def _saved_net(folder, **changes):
    net = _mln()
    path = net.save_params(folder / "p.npz", checksum=False)
    arrays = loaded(path)
    for key, value in changes.items():
        if value is None:
            arrays.pop(key)
        else:
            arrays[key] = value(arrays[key])
    np.savez(path, **arrays)
    return path


def _load_into_fresh(path):
    net = _mln()
    before = {k: v.copy() for k, v in net.params.items()}
    try:
        net.load_params(path)
    finally:
        unchanged = all(np.array_equal(before[k], net.params[k]) for k in before)
    return unchanged


def npy_file() -> Path:
    path = fresh_dir() / "w.npy"
    np.save(path, np.zeros(3))
    return path


L("N21", "load_params of a .npy file",
  lambda: expect_raise(lambda: _mln().load_params(npy_file()), ValueError, "not a readable .npz"))
L("N22", "load_params with W1 of the wrong shape (and the network unchanged)",
  lambda: expect_raise(lambda: _load_into_fresh(_saved_net(fresh_dir(), W1=lambda a: a.T.copy())), ValueError,
                       "W1", "shape"))
L("N23", "load_params of parameters holding NaN",
  lambda: expect_raise(lambda: _load_into_fresh(_saved_net(fresh_dir(), b2=lambda a: a + np.nan)), ValueError,
                       "NaN"))
L("N24", "load_params('params.pkl') when only the book's pickle name is given and no file exists",
  lambda: expect_raise(lambda: _mln().load_params(fresh_dir() / "params.pkl"), FileNotFoundError, "params.npz"))


def _altered_with_checksum():
    folder = fresh_dir()
    net = _mln()
    path = net.save_params(folder / "p.npz")
    data = bytearray(path.read_bytes())
    data[-200] ^= 1
    path.write_bytes(bytes(data))
    return _mln().load_params(path)


L("N25", "load_params of a file changed after save_params wrote its .sha256",
  lambda: expect_raise(_altered_with_checksum, ValueError, "sha-256"))


def _convnet(**kw):
    from common.rng import seed
    from common.simple_convnet import SimpleConvNet

    seed(0)
    return SimpleConvNet(**kw)


L("N26", "SimpleConvNet.predict on flat images (N, 784)",
  lambda: expect_raise(lambda: _convnet().predict(_images(2)), ValueError, "flatten=False"))
L("N27", "SimpleConvNet(conv_param={'filter_size': 30}) for 28x28 images",
  lambda: expect_raise(lambda: _convnet(conv_param={"filter_size": 30}), ValueError, ("too small", "does not fit")))
L("N28", "SimpleConvNet(conv_param={'filtersize': 5}): a misspelt key",
  lambda: expect_raise(lambda: _convnet(conv_param={"filtersize": 5}), ValueError, "filtersize"))
L("N29", "MultiLayerNetExtend with both dropout_ration and dropout_ratio",
  lambda: expect_raise(lambda: __import__("common.multi_layer_net_extend", fromlist=["x"]).MultiLayerNetExtend(
      6, [5], 3, use_dropout=True, dropout_ration=0.2, dropout_ratio=0.3), ValueError, "dropout_ratio"))
L("N30", "predict on an array of strings",
  lambda: expect_raise(lambda: _two_layer().predict(np.array([["a"] * 784])), ValueError, "numbers"))
L("N31", "predict on uint8 pixels 0..255: converted to the network's float32",
  lambda: expect_value(lambda: _two_layer().predict((_images(2) * 255).astype(np.uint8)),
                       lambda y: y.dtype == np.float32 and y.shape == (2, 10), "float32 scores (2, 10)"))
L("N32", "gradient with one-hot labels agrees with gradient with class labels",
  lambda: expect_value(lambda: (_mln().gradient(_rand(4, 6), np.eye(3)[[0, 1, 2, 1]]),
                                _mln().gradient(_rand(4, 6), np.array([0, 1, 2, 1]))),
                       lambda g: all(np.allclose(g[0][k], g[1][k]) for k in g[0]), "the same gradients"))
L("N33", "TwoLayerNet(784, 20, 10, activation='tanh'): not offered",
  lambda: expect_raise(lambda: _two_layer(activation="tanh"), ValueError, "activation"))
L("N34", "DeepConvNet.predict on 3-channel images",
  lambda: expect_raise(lambda: __import__("common.deep_convnet", fromlist=["x"]).DeepConvNet().predict(
      _rand(1, 3, 28, 28, dtype=np.float32)), ValueError, "(N, 1, 28, 28)"))
L("N35", "loss with NaN in x: the loss says nan rather than a number",
  lambda: expect_value(lambda: _two_layer().loss(np.full((2, 784), np.nan, np.float32), np.array([1, 2])),
                       lambda v: np.isnan(v), "nan"))

# =============================================================================================
# Area 6: optimizers and Trainer
# =============================================================================================

def _opt():
    import common.optimizer as optimizer
    return optimizer


def _step(opt, params=None, grads=None):
    params = params if params is not None else {"W": np.ones((2, 2))}
    grads = grads if grads is not None else {"W": np.ones((2, 2))}
    opt.update(params, grads)
    return params


def O(cid, what, fn):
    case("optim", cid, what)(fn)


O("O01", "SGD(lr=0)", lambda: expect_raise(lambda: _opt().SGD(lr=0), ValueError, "lr", "0"))
O("O02", "SGD(lr=-0.1)", lambda: expect_raise(lambda: _opt().SGD(lr=-0.1), ValueError, "lr"))
O("O03", "SGD(lr=nan)", lambda: expect_raise(lambda: _opt().SGD(lr=float("nan")), ValueError, "lr"))
O("O04", "SGD(lr=inf)", lambda: expect_raise(lambda: _opt().SGD(lr=float("inf")), ValueError, "lr", "finite"))
O("O05", "SGD(lr='0.01'): a string", lambda: expect_raise(lambda: _opt().SGD(lr="0.01"), ValueError, "lr", "'0.01'"))
O("O06", "SGD(lr=np.int64(1)): a NumPy integer",
  lambda: expect_value(lambda: _step(_opt().SGD(lr=np.int64(1)))["W"], lambda w: np.allclose(w, 0), "W - 1 * dW = 0"))
O("O07", "SGD(lr=True)", lambda: expect_raise(lambda: _opt().SGD(lr=True), ValueError, "lr"))
O("O08", "update with no gradient for one parameter",
  lambda: expect_raise(lambda: _step(_opt().SGD(), {"W": np.ones(2), "b": np.ones(2)}, {"W": np.ones(2)}),
                       ValueError, "'b'"))
O("O09", "update with a gradient of another shape",
  lambda: expect_raise(lambda: _step(_opt().Adam(), {"W": np.ones((2, 3))}, {"W": np.ones((3, 2))}), ValueError,
                       "(3, 2)", "(2, 3)"))
O("O10", "params holding a plain Python float (the book's params['x'] = -7.0)",
  lambda: expect_value(lambda: _step(_opt().Momentum(lr=0.1), {"x": -7.0}, {"x": 2.0})["x"],
                       lambda v: isinstance(v, float) and np.isclose(v, -7.2), "-7.2 stored back in the dict"))
O("O11", "update of an integer weight array",
  lambda: expect_raise(lambda: _step(_opt().SGD(), {"W": np.ones((2, 2), np.int64)}, {"W": np.ones((2, 2))}),
                       (ValueError, TypeError), "'W'", ("float", "integer", "int64")))
O("O12", "update with grads given as a list instead of a dict",
  lambda: expect_raise(lambda: _step(_opt().SGD(), {"W": np.ones(2)}, [np.ones(2)]), (ValueError, TypeError),
                       ("dict", "list")))
O("O13", "Momentum(momentum=1.5)", lambda: expect_raise(lambda: _opt().Momentum(momentum=1.5), ValueError, "momentum"))
O("O14", "Adam(beta1=1)", lambda: expect_raise(lambda: _opt().Adam(beta1=1), ValueError, "beta1"))
O("O15", "Adam(beta2=-0.1)", lambda: expect_raise(lambda: _opt().Adam(beta2=-0.1), ValueError, "beta2"))
O("O16", "AdaGrad(eps=0)", lambda: expect_raise(lambda: _opt().AdaGrad(eps=0), ValueError, "eps"))
O("O17", "make_optimizer('adamw'): an unknown name",
  lambda: expect_raise(lambda: _opt().make_optimizer("adamw"), ValueError, "adamw", "adam"))
O("O18", "make_optimizer('sgd', learning_rate=0.1): Keras' keyword",
  lambda: expect_value(lambda: _opt().make_optimizer("sgd", learning_rate=0.1).lr, lambda lr: lr == 0.1, "lr 0.1"))
O("O19", "make_optimizer('sgd', momentum=0.9): a setting SGD does not have",
  lambda: expect_raise(lambda: _opt().make_optimizer("sgd", momentum=0.9), ValueError, "momentum", "'lr'"))
O("O20", "RMSprop(decay_rate=1.5)", lambda: expect_raise(lambda: _opt().RMSprop(decay_rate=1.5), ValueError, "decay_rate"))
O("O21", "make_optimizer('ADAM'): upper case",
  lambda: expect_value(lambda: _opt().make_optimizer("ADAM"), lambda o: type(o).__name__ == "Adam", "an Adam"))
O("O22", "make_optimizer(object()): not an optimizer",
  lambda: expect_raise(lambda: _opt().make_optimizer(object()), TypeError, "update"))
O("O23", "Nesterov(momentum=-0.1)", lambda: expect_raise(lambda: _opt().Nesterov(momentum=-0.1), ValueError, "momentum"))
O("O24", "make_optimizer('sgd', lr=0.1, learning_rate=0.2): the learning rate twice",
  lambda: expect_raise(lambda: _opt().make_optimizer("sgd", lr=0.1, learning_rate=0.2), ValueError, "once"))
O("O25", "Adam on float16 parameters keeps them float16 and finite",
  lambda: expect_value(lambda: _step(_opt().Adam(lr=0.1), {"W": np.ones(3, np.float16)}, {"W": np.ones(3, np.float16)})["W"],
                       lambda w: w.dtype == np.float16 and np.all(np.isfinite(w)) and np.all(w < 1), "float16, smaller"))
O("O26", "update with a gradient holding NaN",
  lambda: expect_raise(lambda: _step(_opt().SGD(), {"W": np.ones(2)}, {"W": np.array([np.nan, 1.0])}),
                       (ValueError, FloatingPointError), "nan"))


# -- Trainer --------------------------------------------------------------------------------------

def _mnist_subset(n=1000, scale=1.0):
    from common.mnist import load_mnist

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (x, t), (xt, tt) = load_mnist()
    return (x[:n] * scale).astype(np.float32), t[:n], (xt[:200] * scale).astype(np.float32), tt[:200]


def _trainer(network=None, data=None, **kw):
    from common.rng import seed
    from common.trainer import Trainer

    seed(0)
    network = network if network is not None else _two_layer()
    x, t, xt, tt = data if data is not None else _mnist_subset(300)
    kw.setdefault("epochs", 1)
    kw.setdefault("mini_batch_size", 50)
    kw.setdefault("verbose", False)
    return Trainer(network, x, t, xt, tt, **kw)


def _diverges(**kw):
    return _trainer(**kw).train()


def _TrainingDiverged():
    from common.trainer import TrainingDiverged
    return TrainingDiverged


def _nan_pixel(value=np.nan):
    x, t, xt, tt = _mnist_subset(300)
    x[7, 300] = value
    return x, t, xt, tt


O("T01", "Trainer(epochs=0)", lambda: expect_raise(lambda: _trainer(epochs=0), ValueError, "epochs"))
O("T02", "Trainer(epochs=2.5)", lambda: expect_raise(lambda: _trainer(epochs=2.5), ValueError, "epochs"))
O("T03", "Trainer(mini_batch_size=0)",
  lambda: expect_raise(lambda: _trainer(mini_batch_size=0), ValueError, "mini_batch_size"))
O("T04", "lr=1e4 on unscaled pixels (x * 255): the loss explodes but stays finite",
  lambda: expect_raise(lambda: _diverges(data=_mnist_subset(1000, 255.0), epochs=3, optimizer_param={"lr": 1e4}),
                       _TrainingDiverged(), "exploded", "smaller learning rate"))
O("T05", "lr=1e30: the weights overflow to NaN",
  lambda: expect_raise(lambda: _diverges(optimizer_param={"lr": 1e30}, epochs=3), _TrainingDiverged(),
                       ("nan", "inf", "exploded"), "learning rate"))
O("T06", "one NaN pixel in the training images",
  lambda: expect_raise(lambda: _diverges(data=_nan_pixel(), epochs=20), _TrainingDiverged(), "training data",
                       "not the cause"))
O("T07", "optimizer_param={'lr': inf}",
  lambda: expect_raise(lambda: _trainer(optimizer_param={"lr": float("inf")}), ValueError, "lr", "finite"))
O("T08", "Trainer with 300 images and 299 labels",
  lambda: expect_raise(lambda: _trainer(data=(lambda d: (d[0], d[1][:-1], d[2], d[3]))(_mnist_subset(300))),
                       ValueError, "300", "299"))
O("T09", "Trainer with no training images",
  lambda: expect_raise(lambda: _trainer(data=(lambda d: (d[0][:0], d[1][:0], d[2], d[3]))(_mnist_subset(300))),
                       ValueError, "0 training"))
O("T10", "Trainer(evaluate_sample_num_per_epoch=0)",
  lambda: expect_raise(lambda: _trainer(evaluate_sample_num_per_epoch=0), ValueError, "evaluate_sample_num_per_epoch"))
O("T11", "Trainer(evaluate_sample_num_per_epoch=-100)",
  lambda: expect_raise(lambda: _trainer(evaluate_sample_num_per_epoch=-100), ValueError,
                       "evaluate_sample_num_per_epoch"))
O("T12", "optimizer_param={'LR': 0.1}: upper-case key",
  lambda: expect_raise(lambda: _trainer(optimizer_param={"LR": 0.1}), ValueError, "LR", "'lr'"))
O("T13", "optimizer_param={'learning_rate': 0.1}: Keras' keyword",
  lambda: expect_value(lambda: _trainer(optimizer_param={"learning_rate": 0.1}).optimizer.lr, lambda lr: lr == 0.1,
                       "lr 0.1"))
O("T14", "Trainer on Python lists (x and t)",
  lambda: expect_value(lambda: _trainer(_mln(), ([[0.0] * 6, [1.0] * 6] * 10, [1, 0] * 10, [[0.0] * 6] * 4,
                                                  [1] * 4), epochs=2, mini_batch_size=5).train(),
                       lambda tr: len(tr.train_acc_list) == 2, "two epochs of results"))
O("T15", "Trainer with one-hot labels",
  lambda: expect_value(lambda: _trainer(data=(lambda d: (d[0], np.eye(10)[d[1]], d[2], np.eye(10)[d[3]]))(
      _mnist_subset(300))).train(), lambda tr: 0 <= tr.test_acc <= 1, "an accuracy"))
O("T16", "one infinite pixel in the training images",
  lambda: expect_raise(lambda: _diverges(data=_nan_pixel(np.inf), epochs=20), _TrainingDiverged(), "training data",
                       "not the cause"))
O("T17", "mini_batch_size larger than the training set (with replacement, as the book)",
  lambda: expect_value(lambda: _trainer(mini_batch_size=1000).train(), lambda tr: len(tr.train_loss_list) == 1,
                       "one iteration per epoch"))
O("T18", "one-hot test labels 9 wide for a 10-class network",
  lambda: expect_raise(lambda: _trainer(data=(lambda d: (d[0], d[1], d[2], np.eye(10)[d[3]][:, :9]))(
      _mnist_subset(300))).train(), ValueError, "9 columns"))
O("T19", "a training label 10 for 10 classes",
  lambda: expect_raise(lambda: _trainer(data=(lambda d: (d[0], np.where(d[1] == 3, 10, d[1]), d[2], d[3]))(
      _mnist_subset(300))).train(), ValueError, "0..9"))
O("T20", "Trainer(optimizer='adamw')", lambda: expect_raise(lambda: _trainer(optimizer="adamw"), ValueError, "adamw"))
O("T21", "Trainer given something that is not a network (a dict of weights)",
  lambda: expect_raise(lambda: _trainer(network={"W1": np.zeros((784, 10))}).train(), (TypeError, ValueError),
                       "network", ("gradient", "params")))
O("T22", "Trainer(verbose=True) prints the book's lines",
  lambda: expect_value(lambda: _captured(lambda: _trainer(verbose=True).train()),
                       lambda out: "train loss:" in out and "=== epoch:1" in out and "test acc:" in out,
                       "the book's lines"))
O("T23", "test images not flattened (N, 28, 28) for a 784-input network",
  lambda: expect_raise(lambda: _trainer(data=(lambda d: (d[0], d[1], d[2].reshape(-1, 28, 28), d[3]))(
      _mnist_subset(300))).train(), ValueError, ("flatten", "(N, 784)")))
O("T24", "optimizer_param={'lr': '0.01'}: a string",
  lambda: expect_raise(lambda: _trainer(optimizer_param={"lr": "0.01"}), ValueError, "lr"))
O("T25", "Trainer(optimizer=SGD(lr=0.5), optimizer_param={'lr': 0.01}): settings for an optimizer object",
  lambda: expect_raise(lambda: _trainer(optimizer=_opt().SGD(lr=0.5), optimizer_param={"lr": 0.01}), ValueError,
                       ("optimizer_param", "either")))


def _captured(fn):
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        fn()
    return buffer.getvalue()

# =============================================================================================
# Area 7: Sequential (the Keras-style model)
# =============================================================================================

def _seq():
    import common.sequential as sequential
    return sequential


def _model(compiled=True, outputs=3, inputs=4, loss="categorical_crossentropy", metrics=("accuracy",), **kw):
    from common.rng import seed

    s = _seq()
    seed(0)
    layers = [s.Dense(8, input_shape=(inputs,)), s.Activation("relu"), s.Dense(outputs)]
    if loss == "categorical_crossentropy":
        layers.append(s.Activation("softmax"))
    model = s.Sequential(layers)
    if compiled:
        metrics = metrics if isinstance(metrics, str) else list(metrics)
        model.compile(loss=loss, optimizer=kw.pop("optimizer", "sgd"), metrics=metrics, **kw)
    return model


def _xy(n=20, inputs=4, outputs=3, seed=0):
    generator = np.random.default_rng(seed)
    x = generator.normal(size=(n, inputs)).astype(np.float32)
    y = np.eye(outputs, dtype=np.float32)[generator.integers(0, outputs, n)]
    return x, y


def _fit(model=None, x=None, y=None, **kw):
    model = model if model is not None else _model()
    dx, dy = _xy()
    kw.setdefault("verbose", 0)
    kw.setdefault("epochs", 1)
    return model.fit(dx if x is None else x, dy if y is None else y, **kw)


def Q(cid, what, fn):
    case("seq", cid, what)(fn)


Q("Q01", "model.add(Affine(...)): a layer of the book, not a Keras-style one",
  lambda: expect_raise(lambda: _seq().Sequential().add(_layers().Affine(_rand(2, 2), np.zeros(2))), TypeError,
                       "Dense or an Activation"))
Q("Q02", "first layer without input_shape",
  lambda: expect_raise(lambda: _seq().Sequential([_seq().Dense(4)]), ValueError, "input_shape"))
Q("Q03", "compile(metrics='accuracy'): a string instead of a list",
  lambda: expect_value(lambda: _model(metrics="accuracy").metrics, lambda m: m == ["accuracy"], "['accuracy']"))
Q("Q04", "compile(..., learning_rate=0.1): Keras' keyword",
  lambda: expect_value(lambda: _model(learning_rate=0.1).optimizer.lr, lambda lr: lr == 0.1, "lr 0.1"))
Q("Q05", "Dense(0)", lambda: expect_raise(lambda: _seq().Dense(0), ValueError, "units"))
Q("Q06", "Dense(2.5)", lambda: expect_raise(lambda: _seq().Dense(2.5), ValueError, "units"))
Q("Q07", "Dense(10, input_shape=(28, 28)): images not flattened",
  lambda: expect_raise(lambda: _seq().Dense(10, input_shape=(28, 28)), ValueError, "flatten"))
Q("Q08", "Activation('relu6'): unknown", lambda: expect_raise(lambda: _seq().Activation("relu6"), ValueError, "'relu'"))
Q("Q09", "compile before any layer",
  lambda: expect_raise(lambda: _seq().Sequential().compile(loss="mse", optimizer="sgd"), RuntimeError, "no layers"))
Q("Q10", "compile(loss='crossentropy'): unknown loss",
  lambda: expect_raise(lambda: _model(loss="crossentropy"), ValueError, "categorical_crossentropy"))
Q("Q11", "categorical_crossentropy without a final softmax",
  lambda: expect_raise(lambda: _model(compiled=False).add(_seq().Activation("relu")).compile(
      loss="categorical_crossentropy", optimizer="sgd"), ValueError, "softmax"))
Q("Q12", "fit before compile", lambda: expect_raise(lambda: _fit(_model(compiled=False)), RuntimeError, "compile"))


def _nan_data(value):
    x, y = _xy()
    x[3, 1] = value
    return x, y


Q("Q13", "fit with a NaN in x",
  lambda: expect_raise(lambda: _fit(*(lambda d: (None, d[0], d[1]))(_nan_data(np.nan))), _TrainingDiverged(),
                       "training data", "not the cause"))
Q("Q14", "fit with an infinity in x",
  lambda: expect_raise(lambda: _fit(*(lambda d: (None, d[0], d[1]))(_nan_data(np.inf))), _TrainingDiverged(),
                       "training data", "not the cause"))
Q("Q15", "fit with class numbers instead of one-hot labels",
  lambda: expect_raise(lambda: _fit(y=np.arange(20) % 3), ValueError, "to_categorical"))
Q("Q16", "fit with x of shape (N, 2, 2) for 4 inputs",
  lambda: expect_raise(lambda: _fit(x=_xy()[0].reshape(20, 2, 2)), ValueError, "flatten"))
Q("Q17", "fit with y of 19 rows for 20 samples",
  lambda: expect_raise(lambda: _fit(y=_xy()[1][:19]), ValueError, "20", "19"))
Q("Q18", "fit(batch_size=0)", lambda: expect_raise(lambda: _fit(batch_size=0), ValueError, "batch_size"))
Q("Q19", "fit(epochs=0)", lambda: expect_raise(lambda: _fit(epochs=0), ValueError, "epochs"))
Q("Q20", "fit(verbose=3)", lambda: expect_raise(lambda: _fit(verbose=3), ValueError, "verbose"))
Q("Q21", "fit(validation_data=x_val) without y_val",
  lambda: expect_raise(lambda: _fit(validation_data=_xy()[0]), ValueError, "(x_val, y_val)"))
Q("Q22", "fit(validation_data=(x, y 5 classes wide)) for a 3-class model",
  lambda: expect_raise(lambda: _fit(validation_data=(_xy()[0], np.eye(5)[np.arange(20) % 5])), ValueError, "y_val"))
Q("Q23", "evaluate on an empty x",
  lambda: expect_raise(lambda: _model().evaluate(np.zeros((0, 4)), np.zeros((0, 3))), ValueError, "no samples"))
Q("Q24", "predict without compile",
  lambda: expect_value(lambda: _model(compiled=False).predict(_xy()[0]), lambda p: p.shape == (20, 3) and
                       np.allclose(p.sum(axis=1), 1), "probabilities (20, 3)"))
Q("Q25", "predict with one sample of shape (4,)",
  lambda: expect_raise(lambda: _model().predict(np.zeros(4)), ValueError, "batch of one"))
Q("Q26", "fit with x of strings",
  lambda: expect_raise(lambda: _fit(x=np.array([["a"] * 4] * 20)), ValueError, "dtype"))
Q("Q27", "fit with label rows adding up to 2",
  lambda: expect_raise(lambda: _fit(y=_xy()[1] * 2), ValueError, "one-hot"))
Q("Q28", "mean_squared_error, 1 output, y of shape (N,)",
  lambda: expect_raise(lambda: _fit(_model(outputs=1, loss="mean_squared_error", metrics=()), y=np.zeros(20)),
                       ValueError, "reshape(-1, 1)"))
Q("Q29", "metrics=['accuracy'] for a regression with 1 output",
  lambda: expect_raise(lambda: _model(outputs=1, loss="mean_squared_error"), ValueError, "regression"))


def _weights_file(folder, **changes):
    model = _model()
    path = model.save_weights(folder / "w.npz")
    arrays = loaded(path)
    for key, value in changes.items():
        arrays[key] = value(arrays[key])
    np.savez(path, **arrays)
    return path


def _load_keeps_model(path):
    model = _model()
    before = {k: v.copy() for k, v in model.params.items()}
    try:
        model.load_weights(path)
    finally:
        if not all(np.array_equal(before[k], model.params[k]) for k in before):
            raise AssertionError("the model was changed by a failed load")
    return model


Q("Q30", "load_weights('w.npy'): a .npy file",
  lambda: expect_raise(lambda: _model().load_weights(npy_file()), ValueError, "not a readable .npz"))
Q("Q31", "load_weights of weights of other sizes (the model stays as it was)",
  lambda: expect_raise(lambda: _load_keeps_model(_weights_file(fresh_dir(), W1=lambda a: np.zeros((5, 8), a.dtype))),
                       ValueError, "W1", "shape"))
Q("Q32", "load_weights of a file that does not exist",
  lambda: expect_raise(lambda: _model().load_weights(fresh_dir() / "none.npz"), FileNotFoundError, "none.npz"))
Q("Q33", "Sequential(dtype='int32')",
  lambda: expect_raise(lambda: _seq().Sequential(dtype="int32"), ValueError, "floating"))
Q("Q34", "fit with lr=1e6 on data scaled by 1000",
  lambda: expect_raise(lambda: _fit(_model(lr=1e6), x=_xy()[0] * 1000, epochs=5), _TrainingDiverged(),
                       "learning rate"))
Q("Q35", "one Dense layer object added to two models",
  lambda: expect_raise(lambda: (lambda d: (_seq().Sequential([d]), _seq().Sequential([d])))(
      _seq().Dense(3, input_shape=(2,))), ValueError, "already belongs"))
Q("Q36", "add a layer after compile, then fit",
  lambda: expect_raise(lambda: _fit((lambda m: (m.add(_seq().Activation("relu")), m)[1])(_model())), RuntimeError,
                       "not compiled"))
Q("Q37", "compile(optimizer=object()): no update method",
  lambda: expect_raise(lambda: _model(optimizer=object()), TypeError, "update"))
Q("Q38", "compile(metrics=['mae'])", lambda: expect_raise(lambda: _model(metrics=["mae"]), ValueError, "'mae'"))
Q("Q39", "accuracy with one-hot labels 5 wide for 3 outputs",
  lambda: expect_raise(lambda: _model().accuracy(_xy()[0], np.eye(5)[np.arange(20) % 5]), ValueError, "5 columns"))
Q("Q40", "save_weights of a model without Dense layers",
  lambda: expect_raise(lambda: _seq().Sequential().save_weights(fresh_dir() / "w.npz"), (ValueError, RuntimeError),
                       ("no weights", "no layers")))


def _seq_trainer():
    from common.rng import seed
    from common.trainer import Trainer

    x, y = _xy(60)
    seed(0)
    return Trainer(_model(), x, y, x, y, epochs=2, mini_batch_size=10, verbose=False).train()


Q("Q41", "Trainer on a Sequential model", lambda: expect_value(_seq_trainer, lambda tr: len(tr.test_acc_list) == 2,
                                                               "two epochs"))


def _seq_gradient_check():
    model = _seq().Sequential([_seq().Dense(5, input_shape=(4,)), _seq().Activation("tanh"), _seq().Dense(3),
                              _seq().Activation("softmax")], dtype="float64")
    model.compile(loss="categorical_crossentropy", optimizer="sgd")
    x, y = _xy(6)
    grads, numeric = model.gradient(x, y), model.numerical_gradient(x, y)
    return max(float(np.max(np.abs(grads[k] - numeric[k]))) for k in grads)


Q("Q42", "gradient vs numerical_gradient of a float64 Sequential",
  lambda: expect_value(_seq_gradient_check, lambda d: d < 1e-6, "agreement to 1e-6"))
Q("Q43", "Dense(3, weight_init_std='hee')",
  lambda: expect_raise(lambda: _seq().Dense(3, weight_init_std="hee"), ValueError, "'hee'"))
Q("Q44", "fit on uint8 pixels (integers)",
  lambda: expect_value(lambda: _fit(x=(np.abs(_xy()[0]) * 50).astype(np.uint8)), lambda h: len(h.history["loss"]) == 1,
                       "one epoch of history"))


def _round_trip():
    folder = fresh_dir()
    model = _model()
    model.save_weights(folder / "w.npz")
    other = _model()
    for value in other.params.values():
        value += 1
    other.load_weights(folder / "w.npz")
    return all(np.array_equal(model.params[k], other.params[k]) for k in model.params)


Q("Q45", "save_weights then load_weights into another model", lambda: expect_value(_round_trip, bool, "equal weights"))
Q("Q46", "load_weights of weights holding NaN",
  lambda: expect_raise(lambda: _load_keeps_model(_weights_file(fresh_dir(), b1=lambda a: a + np.nan)), ValueError,
                       "NaN"))
Q("Q47", "evaluate(batch_size=0)",
  lambda: expect_raise(lambda: _model().evaluate(*_xy(), batch_size=0), ValueError, "batch_size"))
Q("Q48", "Activation(None)", lambda: expect_raise(lambda: _seq().Activation(None), ValueError, "activation"))
Q("Q49", "fit(validation_data=(x, class numbers))",
  lambda: expect_raise(lambda: _fit(validation_data=(_xy()[0], np.arange(20) % 3)), ValueError, "y_val",
                       "to_categorical"))
Q("Q50", "train_on_batch returns [loss, accuracy] measured before the update",
  lambda: expect_value(lambda: (lambda m, d: (m.evaluate(*d), m.train_on_batch(*d)))(_model(), _xy()),
                       lambda r: np.allclose(r[0], r[1], rtol=1e-5), "the loss and accuracy of evaluate before"))


# =============================================================================================
# Area 8: the computational graph and Solvers
# =============================================================================================

def _graph():
    import common.graph as graph
    return graph


def _solvers():
    import common.solvers as solvers
    return solvers


def G(cid, what, fn):
    case("graph", cid, what)(fn)


def _var(*shape, need_grad=False, name=None, value=None):
    v = _graph().Variable(shape, need_grad=need_grad, name=name)
    if value is not None:
        v.d = value
    return v


G("G01", "Variable('3'): a string shape", lambda: expect_raise(lambda: _graph().Variable("3"), TypeError, "(32, 1)"))
G("G02", "Variable((-1, 2))", lambda: expect_raise(lambda: _graph().Variable((-1, 2)), ValueError, "non-negative"))
G("G03", "Variable((2,), dtype=int)",
  lambda: expect_raise(lambda: _graph().Variable((2,), dtype=int), TypeError, "floating"))
G("G04", "v.d = an array of another shape",
  lambda: expect_raise(lambda: setattr(_var(2, 3), "d", np.zeros((3, 2))), ValueError, "(2, 3)", "(3, 2)"))
G("G05", "v.d = strings", lambda: expect_raise(lambda: setattr(_var(2), "d", np.array(["a", "b"])), TypeError,
                                                "real numbers"))
G("G06", "backward() on a (3, 1) variable without grad",
  lambda: expect_raise(lambda: (_var(3, 1, need_grad=True) * 2.0).backward(), ValueError, "grad="))
G("G07", "backward(grad=...) of the wrong shape",
  lambda: expect_raise(lambda: (_var(3, 1, need_grad=True) * 2.0).backward(np.ones((1, 3))), ValueError, "(3, 1)"))
G("G08", "x ** Variable: a Variable as the exponent",
  lambda: expect_raise(lambda: _var(2) ** _var(2), TypeError, "exponent"))
G("G09", "mean(x, axis=5) for a 2-D x",
  lambda: expect_raise(lambda: _graph().mean(_var(2, 3), axis=5), ValueError, "axis 5"))
G("G10", "mean of a variable with no elements",
  lambda: expect_raise(lambda: _graph().mean(_var(0, 3)), ValueError, "no elements"))
G("G11", "Variable + 'a'", lambda: expect_raise(lambda: _var(2) + "a", TypeError, "str"))


def _broadcast_gradient():
    graph = _graph()
    graph.clear_parameters()
    a = graph.get_parameter_or_create("a", (1, 1), initializer=2.0)
    x = graph.Variable.from_array(np.arange(32, dtype=np.float32).reshape(32, 1))
    loss = graph.mean((a * x - 1.0) ** 2)
    loss.backward()
    expected = np.mean(2 * (2.0 * x.d - 1.0) * x.d)
    graph.clear_parameters()
    return float(a.g[0, 0]), float(expected)


G("G12", "a (1, 1) parameter times a (32, 1) batch: the gradient is summed back to (1, 1)",
  lambda: expect_value(_broadcast_gradient, lambda r: np.isclose(r[0], r[1], rtol=1e-5), "dL/da"))


def _accumulates():
    v = _var(2, need_grad=True, value=np.array([1.0, 2.0]))
    y = _graph().mean(v * v)
    y.backward()
    y.backward()
    return v.g


G("G13", "backward twice without zero_grad adds up (documented)",
  lambda: expect_value(_accumulates, lambda g: np.allclose(g, [2.0, 4.0]), "twice the gradient [2, 4]"))


def _fresh(fn):
    def run():
        _graph().clear_parameters()
        try:
            return fn()
        finally:
            _graph().clear_parameters()
    return run


G("G14", "get_parameter_or_create with another shape for an existing name",
  _fresh(lambda: expect_raise(lambda: [_graph().get_parameter_or_create("w", s) for s in ((2, 3), (3, 2))],
                              ValueError, "(2, 3)", "clear_parameters")))
G("G15", "get_parameter_or_create('')",
  lambda: expect_raise(lambda: _graph().get_parameter_or_create("", (2,)), TypeError, "name"))
G("G16", "solver.set_parameters(a list of Variables)",
  lambda: expect_raise(lambda: _solvers().SGDSolver().set_parameters([_var(2)]), TypeError, "dict"))
G("G17", "solver.set_parameters({'w': a NumPy array})",
  lambda: expect_raise(lambda: _solvers().SGDSolver().set_parameters({"w": np.zeros(2)}), TypeError, "Variable"))
G("G18", "solver.set_parameters({'y': an intermediate variable})",
  lambda: expect_raise(lambda: _solvers().SGDSolver().set_parameters({"y": _var(2, need_grad=True) * 2.0}),
                       ValueError, "leaf"))
G("G19", "solver.update() with nothing registered",
  lambda: expect_raise(lambda: _solvers().SGDSolver().update(), ValueError, "set_parameters"))
G("G20", "solver.set_learning_rate(0)",
  lambda: expect_raise(lambda: _solvers().SGDSolver().set_learning_rate(0), ValueError, "learning rate"))
G("G21", "SGDSolver(lr=inf)", lambda: expect_raise(lambda: _solvers().SGDSolver(lr=float("inf")), ValueError, "lr"))
G("G22", "solver.set_learning_rate(nan)",
  lambda: expect_raise(lambda: _solvers().SGDSolver().set_learning_rate(float("nan")), ValueError, "learning rate"))
G("G23", "solver.weight_decay(-1)",
  lambda: expect_raise(lambda: (lambda s: (s.set_parameters({"w": _var(2)}), s.weight_decay(-1)))(
      _solvers().SGDSolver()), ValueError, "decay rate"))
G("G24", "Solver('adamw')", lambda: expect_raise(lambda: _solvers().Solver("adamw"), ValueError, "adamw"))
G("G25", "Solver(an object with update but no lr)",
  lambda: expect_raise(lambda: _solvers().Solver(type("Opt", (), {"update": lambda self, p, g: None})()), TypeError,
                       "lr"))


def _pow_zero_gradient():
    v = _var(3, need_grad=True, value=np.array([0.0, 1.0, 2.0]))
    _graph().mean(v ** 0).backward()
    return v.g


G("G26", "x ** 0 at x = 0: the gradient is 0, not nan",
  lambda: expect_value(_pow_zero_gradient, lambda g: np.array_equal(g, [0, 0, 0]), "zeros", no_warnings=True))


def _deep_graph():
    v = _var(1, need_grad=True, value=1.0)
    y = v
    for _ in range(20000):
        y = y + 0.0
    _graph().mean(y).backward()
    return v.g


G("G27", "a graph 20,000 functions deep: no RecursionError",
  lambda: expect_value(_deep_graph, lambda g: np.allclose(g, 1), "dL/dv = 1"))
G("G28", "get_parameter_or_create with an initializer of the wrong shape",
  _fresh(lambda: expect_raise(lambda: _graph().get_parameter_or_create("w", (2, 3), initializer=np.zeros((3, 2))),
                              ValueError, "(2, 3)")))
G("G29", "AdamSolver(beta1=1)", lambda: expect_raise(lambda: _solvers().AdamSolver(beta1=1), ValueError, "beta1"))
G("G30", "solver.weight_decay('0.1'): a string",
  lambda: expect_raise(lambda: (lambda s: (s.set_parameters({"w": _var(2)}), s.weight_decay("0.1")))(
      _solvers().SGDSolver()), ValueError, "decay rate"))


def _orphaned():
    graph, solvers = _graph(), _solvers()

    def build():
        graph.clear_parameters()
        a = graph.get_parameter_or_create("a", (1, 1), initializer=3.0)
        x = graph.Variable.from_array(np.ones((4, 1), np.float32))
        return graph.mean((a * x - 1.0) ** 2)

    loss = build()
    solver = solvers.SGDSolver(lr=0.1)
    solver.set_parameters(graph.get_parameters())
    loss = build()  # the model cell is run again
    for _ in range(3):
        loss.forward()
        solver.zero_grad()
        loss.backward()
        solver.update()
    graph.clear_parameters()


G("G31", "the model cell run again after set_parameters: the solver holds orphaned Variables",
  lambda: expect_warning(_orphaned, __import__("common.solvers", fromlist=["x"]).OrphanedParametersWarning,
                         "set_parameters(get_parameters())"))


def _solver_step():
    v = _var(2, need_grad=True, value=np.array([1.0, 2.0]))
    v.g = np.array([0.5, -1.0])
    solver = _solvers().SGDSolver(lr=0.1)
    solver.set_parameters({"v": v})
    solver.update()
    return v.d, v.g


G("G32", "SGDSolver.update: d <- d - lr * g, g left as it was",
  lambda: expect_value(_solver_step, lambda r: np.allclose(r[0], [0.95, 2.1]) and np.allclose(r[1], [0.5, -1.0]),
                       "d = [0.95, 2.1], g unchanged"))
G("G33", "np.float32(2) * Variable: NumPy scalar on the left",
  lambda: expect_value(lambda: (np.float32(2) * _var(2, value=np.array([1.0, 2.0]))).d, lambda d: np.allclose(d, [2, 4]),
                       "a Variable holding [2, 4]"))
G("G34", "mean(x, axis=(0, 0)): the same axis twice",
  lambda: expect_raise(lambda: _graph().mean(_var(2, 3), axis=(0, 0)), ValueError, "axis"))
G("G35", "Variable + a (3,) array for a (2,) Variable: shapes that do not broadcast",
  lambda: expect_raise(lambda: _var(2) + np.ones(3), ValueError, ("shape", "broadcast")))

# =============================================================================================
# Area 9: exercise checkers (they must never raise, and must say what is wrong)
# =============================================================================================

def _checker_modules():
    import importlib
    import inspect
    import pkgutil

    import common.exercises as package

    modules = {}
    for _, name, _ in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"common.exercises.{name}")
        modules[name] = [f for n, f in inspect.getmembers(module, inspect.isfunction)
                         if n.startswith("check_") and f.__module__ == module.__name__]
    return modules


def _arity(check):
    import inspect
    return len(inspect.signature(check).parameters)


def run_checker(check, *args):
    """(verdict, printed text, exception or None): a checker's verdict on an answer."""
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a learner's overflow warnings are not the checker's verdict
        try:
            verdict, error = check(*args), None
        except Exception as caught:
            verdict, error = None, caught
    return verdict, buffer.getvalue(), error


def judge_checker(check, args, *required, forbidden=(), correct=False) -> Result:
    """A wrong answer: False, a printed "Not yet." that mentions ``required`` and none of ``forbidden``.
    With ``correct``: True and "Correct!"."""
    verdict, out, error = run_checker(check, *args)
    name = check.__name__
    if error is not None:
        return D(f"{describe(error)} escaped {name}")
    text = short(out, 240)
    if correct:
        if verdict is True and "Correct!" in out:
            return A(f"{name}: {text}")
        return C(f"{name} rejected a right answer: {text}")
    if verdict is True:
        return C(f"{name} accepted a wrong answer: {text}")
    if verdict is not False or "Not yet." not in out:
        return B(f"{name} returned {verdict!r} and printed: {text}")
    if required and not mentions(out, *required):
        return B(f"{name}'s verdict does not name the cause {required}: {text}")
    if forbidden and any(mentions(out, f) for f in forbidden):
        return B(f"{name}'s verdict blames the wrong cause: {text}")
    return A(f"{name}: {text}")


# -- the grid: garbage answers against every checker ----------------------------------------------

CALLED: set = set()


def _tracked(label, result):
    def answer(*args, **kwargs):
        CALLED.add(label)
        return result(*args, **kwargs) if callable(result) else result
    return answer


class _Misspelt:
    """A layer or optimizer with every method name slightly wrong."""

    def __init__(self, *args, **kwargs):
        CALLED.add("misspelt methods")

    def foward(self, x, *args):
        return x

    def backword(self, dout):
        return dout

    def updte(self, params, grads):
        pass


class _ExplodingInit:
    def __init__(self, *args, **kwargs):
        CALLED.add("constructor raises")
        raise RuntimeError("boom in __init__")


def _endless(*args, **kwargs):
    CALLED.add("returns generator")
    return (i for i in iter(int, 1))


def _raises(*args, **kwargs):
    CALLED.add("raises")
    return 1 / 0


# label -> (answer, what a verdict must mention once the checker has called it)
GARBAGE = {
    "zero": (0, ()),
    "negative": (-1, ()),
    "bool": (True, ()),
    "text": ("text", ()),
    "list": ([1, 2], ()),
    "dict": ({}, ()),
    "huge int": (10 ** 400, ()),
    "nan": (float("nan"), ()),
    "inf": (np.inf, ()),
    "matrix": (np.zeros((2, 2)), ()),
    "object": (object(), ()),
    "returns None": (_tracked("returns None", None), ("none",)),
    "raises": (_raises, ("zerodivisionerror",)),
    "returns text": (_tracked("returns text", "x"), (("'x'", "str"),)),
    "returns nan array": (_tracked("returns nan array", np.array([np.nan])), (("nan", "shape", "(1,)", "array"),)),
    "returns wrong shape": (_tracked("returns wrong shape", np.zeros((7, 3))), (("shape", "(7, 3)", "array"),)),
    "returns huge int": (_tracked("returns huge int", 10 ** 400), (("10000000000", "int", "too large", "overflow"),)),
    "returns object": (_tracked("returns object", object()), ("object",)),
    "returns generator": (_endless, ("generator",)),
    "misspelt methods": (_Misspelt, (("foward", "backword", "updte", "misspelt", "typo", "no attribute"),)),
    "factory of misspelt": (lambda *a, **k: _Misspelt(),
                            (("foward", "backword", "updte", "misspelt", "typo", "no attribute"),)),
    "constructor raises": (_ExplodingInit, (("boom", "runtimeerror"),)),
}

CHECKER_GROUPS = {
    "perceptron + python_numpy": ("perceptron", "python_numpy"),
    "neural_network + loss": ("neural_network", "loss"),
    "gradient + backprop": ("gradient", "backprop"),
    "optimizer + regularization": ("optimizer", "regularization"),
    "model_api + solver": ("model_api", "solver"),
    "convolution + deep_learning": ("convolution", "deep_learning"),
    "xor": ("xor",),
}
_SEVERITY = {"D": 0, "C": 1, "E": 2, "B": 3, "A": 4}
# Exercises whose function works in place on Variables: what it returns is ignored, so a verdict about
# a returned None or str would be beside the point; it must say what the function did to the gradients.
IN_PLACE = {"check_big_batch_gradients": ("gradient",), "check_clip_by_norm": ("gradient",)}


def garbage_cell(label, group):
    answer, required = GARBAGE[label]

    def run():
        modules = _checker_modules()
        checks = [check for module in CHECKER_GROUPS[group] for check in modules[module]]
        outcomes = []
        for check in checks:
            CALLED.clear()
            if not _would_call(check, answer, label):
                required_here = ()
            elif check.__name__ in IN_PLACE and label not in ("raises", "constructor raises"):
                required_here = IN_PLACE[check.__name__]
            else:
                required_here = required
            outcome = judge_checker(check, [answer] * _arity(check), *required_here)
            outcomes.append(outcome)
        worst = min(outcomes, key=lambda r: _SEVERITY[r.cls])
        if worst.cls == "A":
            return A(f"all {len(checks)} checkers of {group}: Not yet., with a reason")
        bad = [r.happened for r in outcomes if r.cls == worst.cls]
        return Result(worst.cls, f"{len(bad)} of {len(checks)}: " + " | ".join(bad))
    return run


def _would_call(check, answer, label):
    """Run the checker once more to see whether it calls the answer (then the verdict must name what the
    answer did); CALLED is filled by the tracked answers."""
    CALLED.clear()
    run_checker(check, *[answer] * _arity(check))
    return label in CALLED


_cell = 0
for _group in CHECKER_GROUPS:
    for _label in GARBAGE:
        _cell += 1
        case("checkers", f"E{_cell:03d}", f"garbage answer '{_label}' given to every checker of {_group}",
             timeout=60)(garbage_cell(_label, _group))


# -- the cases the review names, and more of their kind -------------------------------------------

def _check(module, name):
    import importlib
    return getattr(importlib.import_module(f"common.exercises.{module}"), name)


def K(cid, what, module, name, args, *required, forbidden=(), correct=False):
    def run():
        return judge_checker(_check(module, name), args() if callable(args) else args, *required,
                             forbidden=forbidden, correct=correct)
    case("checkers", cid, what, timeout=60)(run)


K("E201", "(E004) check_cross_entropy_labels: the learner forgot `return`", "loss", "check_cross_entropy_labels",
  [lambda y, t: None], "return", forbidden=("delta",))
for _n, (_what, _factory) in enumerate([("None", lambda: None), ("42", lambda: 42), ("a string", lambda: "tanh")]):
    K(f"E{202 + _n}", f"(E039-E041) check_tanh_layer with a factory that returns {_what}", "backprop", "check_tanh_layer",
      [_factory], "no method forward")
for _n, (_what, _factory) in enumerate([("None", lambda W, b: None), ("42", lambda W, b: 42),
                                        ("a string", lambda W, b: "affine")]):
    K(f"E{205 + _n}", f"(E046-E048) check_affine_backward with a factory that returns {_what}", "backprop",
      "check_affine_backward", [_factory], "no method forward")
K("E208", "(E090) check_iterations_to_threshold: a function returning the string 'soon'", "xor",
  "check_iterations_to_threshold", [lambda history, threshold: "soon"], ("'soon'", "str"))
K("E209", "(E151) check_sse_cee(10 ** 400, 1.0): an int too big for a float", "loss", "check_sse_cee",
  [10 ** 400, 1.0], "single number")
K("E210", "(E167) check_nor('a', 'b', 'c')", "perceptron", "check_nor", ["a", "b", "c"], "numbers")
K("E211", "(E168) check_nor(np.array([1, 2]), 0, 0)", "perceptron", "check_nor", [np.array([1, 2]), 0, 0], "numbers")
K("E212", "(E178) check_grid_search: a function returning an array", "perceptron", "check_grid_search",
  [lambda table, grid: np.array([1, 2])], "whole number")
K("E213", "(E182) check_tanh_layer with a class whose methods are foward/backword", "backprop", "check_tanh_layer",
  [_Misspelt], "'foward'", "typo")
K("E214", "(E183) check_affine_backward with a class whose methods are foward/backword", "backprop",
  "check_affine_backward", [_Misspelt], "'foward'", "typo")
K("E215", "check_momentum with a class whose method is updte", "optimizer", "check_momentum", [_Misspelt], "'updte'")
K("E216", "check_xnor: a function returning None", "perceptron", "check_xnor", [lambda a, b: None], "return")

# plausible wrong answers: rejected, with a hint that names the slip
def _twice_the_sse():
    from common.exercises.loss import EXERCISE_LABEL, EXERCISE_Y

    t = np.eye(10)[EXERCISE_LABEL]
    return [np.sum((EXERCISE_Y - t) ** 2), -np.log(EXERCISE_Y[EXERCISE_LABEL] + 1e-7)]


K("E217", "check_sse_cee with twice the SSE (the 1/2 forgotten)", "loss", "check_sse_cee", _twice_the_sse, "twice")
K("E218", "check_cross_entropy_labels: the sum over the batch instead of the mean", "loss",
  "check_cross_entropy_labels", [lambda y, t: -np.sum(np.log(y[np.arange(len(t)), t] + 1e-7))], "batch size")
K("E219", "check_cross_entropy_labels: np.log10 instead of np.log", "loss", "check_cross_entropy_labels",
  [lambda y, t: -np.mean(np.log10(y[np.arange(len(t)), t] + 1e-7))], "base-10")
K("E220", "check_nor with the weights of OR", "perceptron", "check_nor", [0.5, 0.5, -0.2], "NOR should give 1")
K("E221", "check_xnor with XOR", "perceptron", "check_xnor",
  lambda: [__import__("common.perceptron", fromlist=["x"]).XOR], "should be")
K("E222", "check_xnor without the gates: int(a == b)", "perceptron", "check_xnor", [lambda a, b: int(a == b)],
  "never calls the gates")
K("E223", "check_softmax: the plain formula that overflows", "neural_network", "check_softmax",
  [lambda a: np.exp(a) / np.sum(np.exp(a), axis=-1, keepdims=True)], "subtract the largest")
K("E224", "check_softmax: a function that subtracts the maximum in place (a -= a.max())", "neural_network",
  "check_softmax", [lambda a: (a.__isub__(a.max(axis=-1, keepdims=True)), np.exp(a) / np.exp(a).sum(
      axis=-1, keepdims=True))[1]], "in place")


class _SGDAsMomentum:
    def __init__(self, lr=0.01, momentum=0.9):
        self.lr = lr

    def update(self, params, grads):
        for key in params:
            params[key] -= self.lr * grads[key]


class _TanhWithoutDout:
    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout):
        return 1 - self.out ** 2


class _AffineMeanDb:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.shape, self.x = x.shape, x.reshape(len(x), -1)
        return self.x @ self.W + self.b

    def backward(self, dout):
        self.dW, self.db = self.x.T @ dout, dout.mean(axis=0)
        return (dout @ self.W.T).reshape(self.shape)


K("E225", "check_momentum with plain SGD", "optimizer", "check_momentum", [_SGDAsMomentum], "Not yet")
K("E226", "check_tanh_layer: backward forgets to multiply by dout", "backprop", "check_tanh_layer", [_TanhWithoutDout],
  "multiply it by dout")
K("E227", "check_affine_backward: db as the mean over the batch", "backprop", "check_affine_backward", [_AffineMeanDb],
  "mean over the batch")
K("E228", "check_loss_numbers(p=0.9, uniform_loss=log(1000)): 1 - loss instead of exp(-loss)", "loss",
  "check_loss_numbers", [0.9, float(np.log(1000))], "1 - p")
K("E229", "check_count_params: the biases forgotten", "model_api", "check_count_params",
  [lambda sizes: sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))], ("bias", "n_out"))

# right answers are accepted (the checkers' documented behaviour)
K("E230", "check_nor(-0.5, -0.5, 0.2): a right answer", "perceptron", "check_nor", [-0.5, -0.5, 0.2], correct=True)
K("E231", "check_cross_entropy_labels(common.functions.cross_entropy_error)", "loss", "check_cross_entropy_labels",
  lambda: [__import__("common.functions", fromlist=["x"]).cross_entropy_error], correct=True)
K("E232", "check_softmax(common.functions.softmax)", "neural_network", "check_softmax",
  lambda: [__import__("common.functions", fromlist=["x"]).softmax], correct=True)
K("E233", "check_tanh_layer(common.layers.Tanh)", "backprop", "check_tanh_layer",
  lambda: [__import__("common.layers", fromlist=["x"]).Tanh], correct=True)
K("E234", "check_momentum(common.optimizer.Momentum)", "optimizer", "check_momentum",
  lambda: [__import__("common.optimizer", fromlist=["x"]).Momentum], correct=True)
K("E235", "check_count_params with an np.int64 result", "model_api", "check_count_params",
  [lambda sizes: np.int64(sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:])))], correct=True)


def _unanswered(module):
    def run():
        import common.exercises as package

        bad = []
        for check in _checker_modules()[module]:
            package.results.clear()
            verdict, out, error = run_checker(check, *[None] * _arity(check))
            if error is not None:
                return D(f"{describe(error)} escaped {check.__name__}")
            if verdict is not False or package.results or "replace None" not in out or "Not yet." in out:
                bad.append(f"{check.__name__}: {short(out, 120)}")
        return B("; ".join(bad)) if bad else A("a reminder from every checker, no verdict recorded")
    return run


for _n, _module in enumerate(sorted(_checker_modules())):
    case("checkers", f"E{240 + _n}", f"answers still None in every checker of {_module}: a reminder, not a verdict")(
        _unanswered(_module))


def _stop_button():
    """A learner's endless loop inside check_regression_model, stopped by the stop button (SIGINT)."""
    from common.rng import rng

    check = _check("model_api", "check_regression_model")
    before = rng().bit_generator.state

    def endless():
        while True:
            pass

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    try:
        run_checker(check, endless)
    except KeyboardInterrupt:
        stopped = True
    else:
        stopped = False
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    if not stopped:
        return C("the interrupt was swallowed: the learner could not stop the cell")
    if rng().bit_generator.state != before:
        return C("stopped, but the project's random generator was left moved")
    return A("KeyboardInterrupt reached the notebook; the project's generator was put back")


case("checkers", "E260", "the stop button during a learner's endless loop inside check_regression_model")(_stop_button)


def _random_streams_kept():
    """check_regression_model seeds common.rng; the module promises the notebook's random numbers stay
    as they were. common.rng.seed also seeds np.random and Python's random (the book's code uses them)."""
    from common.rng import rng

    check = _check("model_api", "check_regression_model")
    np.random.seed(123)
    random.seed(123)
    states = (rng().bit_generator.state, np.random.get_state()[1].copy(), random.getstate())

    def build():
        s = _seq()
        model = s.Sequential([s.Dense(16, input_shape=(1,)), s.Activation("tanh"), s.Dense(1)])
        model.compile(loss="mean_squared_error", optimizer="adam", lr=0.01)
        return model

    run_checker(check, build)
    after = (rng().bit_generator.state, np.random.get_state()[1], random.getstate())
    changed = [name for name, a, b in zip(("common.rng", "np.random", "random"), states, after)
               if not (np.array_equal(a, b) if name == "np.random" else a == b)]
    if changed:
        return C(f"checking the answer moved {', '.join(changed)}: later cells of the notebook compute other numbers")
    return A("common.rng, np.random and random are as they were")


case("checkers", "E261", "check_regression_model leaves every random stream of the notebook as it was")(
    _random_streams_kept)


def _output_flood():
    def noisy(sizes):
        print("debug " * 10000)
        return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))
    return judge_checker(_check("model_api", "check_count_params"), [noisy], correct=True)


case("checkers", "E262", "a right answer that prints a lot while it runs")(_output_flood)


def _system_exit():
    def quits(table, grid):
        raise SystemExit(1)
    try:
        return judge_checker(_check("perceptron", "check_grid_search"), [quits], "SystemExit")
    except SystemExit:
        return D("SystemExit from the learner's code escaped the checker (a notebook shows it as an error)")


case("checkers", "E263", "a learner's function that calls sys.exit()")(_system_exit)

# =============================================================================================
# Running the cases and printing the table
# =============================================================================================

class CaseTimeout(BaseException):
    """Raised by the alarm in a case that runs too long (a BaseException: no checker swallows it)."""


def run_here(c: Case) -> Result:
    def on_alarm(signum, frame):
        raise CaseTimeout()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, c.timeout)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            return c.run()
    except CaseTimeout:
        return D(f"still running after {c.timeout:.0f} s: a hang")
    except Exception as error:
        frame = traceback.extract_tb(error.__traceback__)[-1]
        return Result(UNEXPECTED.get(c.area, "B"), f"unexpected {describe(error)} "
                                                   f"(at {Path(frame.filename).name}:{frame.lineno})")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def reference_arrays(mirror: Path) -> dict:
    """The four arrays, parsed here without common.mnist and checked against the mirror's SHA256SUMS."""
    sums = {}
    listing = mirror / "SHA256SUMS"
    if listing.is_file():
        for line in listing.read_text().splitlines():
            words = line.split()
            if len(words) == 2 and not line.startswith("#"):
                sums[words[1]] = words[0].lower()
    arrays = {}
    for key, name in zip(("x_train", "t_train", "x_test", "t_test"), MNIST_FILES):
        raw = gzip.decompress((mirror / name).read_bytes())
        expected = sums.get(name[:-3])
        if expected and hashlib.sha256(raw).hexdigest() != expected:
            sys.exit(f"{mirror / name} does not match {listing}: fix the mirror first")
        header = 16 if key.startswith("x") else 8
        array = np.frombuffer(raw, dtype=np.uint8, offset=header)
        arrays[key] = array.reshape(-1, 28, 28) if key.startswith("x") else array.copy()
    return arrays


def try_mount(target: Path, options: str) -> Path | None:
    """Mount a tmpfs at ``target`` (root only); None where that is not allowed."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return None
    target.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target)],
                          capture_output=True)
    return target if done.returncode == 0 else None


def warm_up():
    """Import, in this process, everything a forked child may need: a child running as nobody could
    not read every module, and importing once is faster anyway."""
    import http.client  # noqa: F401
    import pickle  # noqa: F401
    import resource  # noqa: F401
    import ssl  # noqa: F401

    import common.files
    import common.mnist
    import common.sample_weights
    import common.sequential  # noqa: F401

    buffer = io.BytesIO()
    np.savez(buffer, a=np.zeros(2))
    buffer.seek(0)
    with np.load(buffer, allow_pickle=False) as npz:
        npz["a"]
    zipfile.ZipFile(io.BytesIO(buffer.getvalue())).close()
    np.char.lower(np.array(["A"]))  # common.mnist compares the cache's fingerprint with it
    "localhost".encode("idna")  # urllib imports the codec on first use
    with urllib.request.urlopen(ENV.good_url + VICTIM, timeout=10) as response:
        response.read()
    _ = small_model().predict(np.zeros((1, 3)))


def remove_tree(folder: Path):
    def retry(function, path, _):
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(path), 0o777)
            os.chmod(path, 0o777)
            function(path)
    shutil.rmtree(folder, onerror=retry)


def print_report(results: list[tuple[Case, Result]]):
    print("| area | cases | A | B | C | D | E |")
    print("|---|---|---|---|---|---|---|")
    totals = {k: 0 for k in "ABCDE"}
    for area, title in AREAS.items():
        rows = [r for c, r in results if c.area == area]
        if not rows:
            continue
        counts = {k: sum(r.cls == k for r in rows) for k in "ABCDE"}
        for k in counts:
            totals[k] += counts[k]
        print(f"| {title} | {len(rows)} | " + " | ".join(str(counts[k]) for k in "ABCDE") + " |")
    print(f"| **all** | **{len(results)}** | " + " | ".join(f"**{totals[k]}**" for k in "ABCDE") + " |")
    others = [(c, r) for c, r in results if r.cls != "A"]
    print()
    if not others:
        print("Every case was handled well (A).")
        return
    print(f"Cases not handled well ({len(others)}):")
    for c, r in others:
        print(f"- {c.cid} ({r.cls}, {c.area}) tried: {c.what}")
        print(textwrap.indent(textwrap.fill("happened: " + r.happened, 110), "    "))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--area", action="append", choices=list(AREAS), help="only this area (repeatable)")
    parser.add_argument("--case", action="append", help="only this case id (repeatable)")
    parser.add_argument("--list", action="store_true", help="list the cases and stop")
    parser.add_argument("--all", action="store_true", help="print every case's outcome, A included")
    parser.add_argument("--serve", help=argparse.SUPPRESS)  # the helper HTTP server process
    args = parser.parse_args()
    if args.serve:
        return serve(Path(args.serve))

    filtered = bool(args.area or args.case)
    selected = [c for c in CASES if not filtered or c.area in (args.area or ()) or c.cid in (args.case or ())]
    if args.list:
        for c in selected:
            print(f"{c.cid:5} {c.area:9} {c.what}")
        return 0
    mirror = Path(os.environ.get("DLFS_MNIST_MIRROR", "")).expanduser()
    if not all((mirror / name).is_file() for name in MNIST_FILES):
        sys.exit("Set DLFS_MNIST_MIRROR to a folder holding the four MNIST .gz files, e.g. "
                 "DLFS_MNIST_MIRROR=../shared/data/mnist python tests/tools/reliability_rerun.py")
    mirror = mirror.resolve()

    ENV.work = Path(tempfile.mkdtemp(prefix="reliability-rerun."))
    ENV.work.chmod(0o1777)  # the permission cases run as nobody and need their own folders too
    mounts = []
    server = None
    started = time.monotonic()
    try:
        ENV.mirror = mirror
        ENV.reference = reference_arrays(mirror)
        session = ENV.work / "session-data"
        session.mkdir()
        os.environ["DLFS_DATA_DIR"] = str(session)  # in-process cases (check_accuracy) never see the real cache
        os.environ["DLFS_MNIST_MIRROR"] = str(mirror)
        import common.mnist as mnist

        ENV.refused_url = f"http://127.0.0.1:{closed_port()}/"
        mnist.PUBLIC_MIRRORS = (ENV.refused_url,)
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            mnist.load_mnist()
        ENV.golden_cache = mnist.cache_path()
        ENV.golden_cache.chmod(0o444)

        server = subprocess.Popen([sys.executable, __file__, "--serve", str(mirror)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)
        port = int(server.stdout.readline())
        ENV.good_url = f"http://127.0.0.1:{port}/good/"
        ENV.bad_url = f"http://127.0.0.1:{port}/"
        ENV.full_disk = try_mount(ENV.work / "full-disk", "size=20m,mode=1777")
        ENV.readonly_disk = try_mount(ENV.work / "readonly-disk", "ro,size=1m,mode=0777")
        mounts = [m for m in (ENV.full_disk, ENV.readonly_disk) if m is not None]
        warm_up()

        results = []
        progress = sys.stderr.isatty()
        for number, c in enumerate(selected, 1):
            if progress:
                print(f"\r[{number}/{len(selected)}] {c.cid} ", end="", file=sys.stderr, flush=True)
            result = run_forked(c.run, c.timeout) if c.forked else run_here(c)
            results.append((c, result))
            if args.all:
                print(f"\r{c.cid} {result.cls} {c.what}: {short(result.happened, 200)}", file=sys.stderr)
        print(f"\r{len(selected)} cases in {time.monotonic() - started:.0f} s" + " " * 20, file=sys.stderr)
        print_report(results)
    finally:
        if server is not None:
            server.stdin.close()
            server.wait(timeout=10)
        for mount in mounts:
            subprocess.run(["umount", "-l", str(mount)], capture_output=True)
        remove_tree(ENV.work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
