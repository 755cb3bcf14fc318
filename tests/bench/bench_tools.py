"""What the benchmark scripts share: run a snippet in a fresh process, time it, summarise the runs.

Each snippet prints, as its last line, a JSON object with at least ``test_acc`` and ``peak_mib``.
"""

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository: tests/<folder>/this file


def run(code: str, threads: int | None = None) -> dict:
    """Run ``code`` in a fresh Python process; return its JSON result plus the wall time in seconds.

    ``threads`` limits OpenBLAS, OpenMP, MKL and (through BENCH_THREADS) PyTorch to that many threads.
    """
    env = dict(os.environ)
    if threads:
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BENCH_THREADS"):
            env[name] = str(threads)
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True,
                         env=env)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["seconds"] = time.perf_counter() - started
    return result


def summarise(label: str, runs: list[dict], count_label: str, count_key: str) -> float:
    """Print median (min, max) wall time, peak memory and the last run's test accuracy; return the median."""
    seconds = [r["seconds"] for r in runs]
    median = statistics.median(seconds)
    print(f"{label:<8} wall median {median:.2f} s (min {min(seconds):.2f}, max {max(seconds):.2f}) | "
          f"peak RSS {max(r['peak_mib'] for r in runs):.0f} MiB | test accuracy {runs[-1]['test_acc']:.4f} | "
          f"{runs[-1][count_key]} {count_label}")
    return median


def torch_available() -> bool:
    """PyTorch is only a reference for the benchmarks, never a dependency."""
    return subprocess.run([sys.executable, "-c", "import torch"], capture_output=True).returncode == 0


def warm_mnist_cache() -> None:
    """Build the MNIST cache first, so that every timed run loads it the same way."""
    subprocess.run([sys.executable, "-c", "from common.mnist import load_mnist; load_mnist()"], cwd=ROOT, check=True)


def load_text() -> str:
    return "load average (1, 5, 15 min): " + ", ".join(f"{value:.2f}" for value in os.getloadavg())
