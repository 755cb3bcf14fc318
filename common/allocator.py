"""Keep freed memory for the next training step: one setting of the C memory allocator, made on import.

Why. A training step of a convolutional network creates and frees arrays of several megabytes (the
unfolded windows of im2col, the feature maps and their gradients), and the next step needs the same
sizes again. By default the C library's allocator (glibc's malloc, used by NumPy on Linux) gives
blocks of this size back to the operating system as soon as they are freed, so every step asks for
them anew, and the operating system must hand out fresh pages and fill them with zeros first. For
SimpleConvNet that is about 1,900 page faults per step, a quarter of the step's time (measured here:
14.0 -> 9.9 ms per step with two BLAS threads, 16.1 -> 12.3 ms with one; tests/bench/bench_convnet.py).

What. Two settings of glibc's ``mallopt``:

    M_MMAP_THRESHOLD = 32 MiB   blocks up to 32 MiB come from the process's own heap (default: 128 KiB,
                                raised by glibc as it goes), where a freed block can be reused at once;
    M_TRIM_THRESHOLD = 512 MiB  free memory at the top of the heap is given back to the operating
                                system only when more than 512 MiB of it is unused (default: 128 KiB).

The price: after a large computation the process keeps up to 512 MiB it no longer uses, instead of
returning it (its peak, the most it ever held, does not change). Blocks over 32 MiB, the largest
glibc allows to keep, still come from the operating system each time.

Where. Only on Linux with glibc (Google Colab, most Linux machines); on macOS and Windows, or with
another allocator, nothing changes. ``DLFS_KEEP_FREED_MEMORY=0`` in the environment turns it off
(to compare, or if memory is tight).
"""

import ctypes
import os
import sys

__all__ = ["keep_freed_memory", "KEPT"]

M_TRIM_THRESHOLD = -1  # glibc's names for the two settings (malloc.h)
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 32 * 2**20
TRIM_THRESHOLD_BYTES = 512 * 2**20


def keep_freed_memory():
    """Make glibc keep freed blocks of up to 32 MiB for reuse. True if the setting was made."""
    if os.environ.get("DLFS_KEEP_FREED_MEMORY", "1") == "0" or not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # not glibc (e.g. musl on Alpine Linux): leave the allocator alone
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    # mallopt returns 1 on success and 0 if glibc refuses a value
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES))


KEPT = keep_freed_memory()  # made once, when common is first imported (see common/__init__.py)
