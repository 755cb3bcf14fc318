"""Benchmark: how long load_mnist() takes, uncached and cached, and its peak memory.

    python tests/bench/bench_load_mnist.py [--runs 5]

Each measurement runs in a fresh Python process (as a learner's new kernel would), with its own
empty data dir for the uncached case. Prints the median and the range over the runs. Needs the data
from a local mirror (DLFS_MNIST_MIRROR) or the network.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

CHILD = r"""
import json, resource, sys, time
import numpy as np                        # imported before the clock starts: not part of the load
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
from common.mnist import load_mnist
(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, flatten=True)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
print(json.dumps({"seconds": seconds, "peak_mib": peak / 1024, "baseline_mib": baseline / 1024}))
"""


def run_child(data_dir: str) -> dict:
    env = dict(os.environ, DLFS_DATA_DIR=data_dir)
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def summarise(label: str, runs: list[dict]) -> None:
    seconds = [r["seconds"] for r in runs]
    peaks = [r["peak_mib"] for r in runs]
    print(f"{label:<9} median {statistics.median(seconds):.3f} s (min {min(seconds):.3f}, max {max(seconds):.3f}); "
          f"peak RSS median {statistics.median(peaks):.0f} MiB "
          f"(process before loading: {statistics.median(r['baseline_mib'] for r in runs):.0f} MiB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    uncached, cached = [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as empty:
            uncached.append(run_child(empty))   # builds the cache from the sources
            cached.append(run_child(empty))     # loads the cache just built
    print(f"load_mnist(), {args.runs} runs each, fresh process per run, "
          f"source: {os.environ.get('DLFS_MNIST_MIRROR') or 'public mirrors'}")
    summarise("uncached", uncached)
    summarise("cached", cached)


if __name__ == "__main__":
    main()
