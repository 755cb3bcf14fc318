"""What the benchmark scripts share: run a snippet in a fresh process, time it, summarise the runs.

Each snippet prints, as its last line, a JSON object with at least ``test_acc`` and ``peak_mib``.
"""

import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository: tests/<folder>/this file


def run(code: str, threads: int | None = None) -> dict:
    """Run ``code`` in a fresh Python process; return its JSON result plus the wall time in seconds
    (``seconds``) and the CPU time the process used (``cpu_seconds``, user + system).

    ``threads`` limits OpenBLAS, OpenMP, MKL and (through BENCH_THREADS) PyTorch to that many threads.
    On a machine that other work keeps busy, the CPU time of a one-thread run moves much less than
    its wall time, so both are reported.
    """
    env = dict(os.environ)
    if threads:
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BENCH_THREADS"):
            env[name] = str(threads)
    started, cpu_before = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True,
                         env=env)
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["seconds"] = time.perf_counter() - started
    result["cpu_seconds"] = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    return result


def summarise(label: str, runs: list[dict], count_label: str, count_key: str) -> float:
    """Print median (min, max) wall time, peak memory and the last run's test accuracy; return the median."""
    seconds = [r["seconds"] for r in runs]
    median = statistics.median(seconds)
    cpu = statistics.median(r["cpu_seconds"] for r in runs)
    print(f"{label:<8} wall median {median:.2f} s (min {min(seconds):.2f}, max {max(seconds):.2f}), CPU median "
          f"{cpu:.2f} s | peak RSS {max(r['peak_mib'] for r in runs):.0f} MiB | test accuracy {runs[-1]['test_acc']:.4f} | "
          f"{runs[-1][count_key]} {count_label}")
    return median


def ratio(label: str, ours: list[dict], reference: list[dict]) -> str:
    """'ratio <label>: wall 0.98, CPU 0.97': medians of ours over medians of the reference."""
    wall = statistics.median(r["seconds"] for r in ours) / statistics.median(r["seconds"] for r in reference)
    cpu = statistics.median(r["cpu_seconds"] for r in ours) / statistics.median(r["cpu_seconds"] for r in reference)
    return f"ratio {label}: wall {wall:.2f}, CPU {cpu:.2f}"


def torch_available() -> bool:
    """PyTorch is only a reference for the benchmarks, never a dependency."""
    return subprocess.run([sys.executable, "-c", "import torch"], capture_output=True).returncode == 0


def warm_mnist_cache() -> None:
    """Build the MNIST cache first, so that every timed run loads it the same way."""
    subprocess.run([sys.executable, "-c", "from common.mnist import load_mnist; load_mnist()"], cwd=ROOT, check=True)


def load_text() -> str:
    return "load average (1, 5, 15 min): " + ", ".join(f"{value:.2f}" for value in os.getloadavg())
