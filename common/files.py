"""Safe file writing and checksums, shared by everything that saves data or weights.

Introduced in notebook 01 (set-up): the MNIST cache and the sample weights are written with it.
"""

import hashlib
import os
import tempfile
import time
from pathlib import Path


def sha256_file(path) -> str:
    """The SHA-256 of a file's bytes, as 64 hex digits (what ``sha256sum`` prints)."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def atomic_write(path: Path, write) -> None:
    """Call ``write(file)`` on a temporary file beside ``path``, then rename it to ``path``.

    A rename within one folder is atomic: readers see the old file or the new one, nothing between.
    If ``write`` fails (or the process dies), only a ``.tmp`` file is left, which no loader reads.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp",
                                         delete=False)
    try:
        with handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, 0o644)  # temporary files are private (0600); the cache need not be
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise


def remove_stale_temporaries(path: Path, max_age_seconds: float = 3600) -> None:
    """Delete temporaries an interrupted run left behind (old ones only: another process may be writing)."""
    for leftover in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            if time.time() - leftover.stat().st_mtime > max_age_seconds:
                leftover.unlink()
        except OSError:
            pass
