"""Benchmark: one training step of the book's SimpleConvNet (and of a DeepConvNet), common against PyTorch.

    python tests/bench/bench_convnet.py [--runs 5] [--threads N] [--no-deep | --deep-only]

A step is what training repeats 12,000 times in the book's protocol: forward, backward and an Adam
update on a mini-batch of 100 images of 1x28x28 (fixed random images: the arithmetic is the same as
for MNIST, and no dataset sits in memory to blur the memory figures), everything in float32.

Variants, each run in a fresh Python process, interleaved so that all see the same machine conditions:

- ``common``: common.simple_convnet.SimpleConvNet with common.optimizer.Adam.
- ``PyTorch``: the same architecture and initialisation in PyTorch (CPU), torch.optim.Adam.
  PyTorch is a reference for this script only, never a dependency (`pip install torch`).
- ``loop conv``: the same network with the readable convolution that loops over output pixels
  (``LoopConvolution`` in tests/test_convolution.py, the version notebook 10 shows).
- ``book-style``: a direct transcription of the book's algorithm, in our own words: im2col filled
  by nested loops over the filter offsets into a (N, C, FH, FW, out_h, out_w) array, transposed
  into the (N*out_h*out_w, C*FH*FW) layout; outputs transposed back; pooling through im2col and
  argmax; the gradient of the input computed for the first layer too; float64 parameters (the
  book draws them with np.random.randn); Adam with fresh arrays at every step.

Each process times ``--steps`` steps after a few warm-up steps and reports the median; the script
prints the median over the runs (with min and max), the peak resident memory of the process and how
much of it the steps added, and how many BLAS threads NumPy (OpenBLAS) and PyTorch used.
The second table does the same for the DeepConvNet of the book's chapter 8 (six 3x3 convolutions):
common.deep_convnet.DeepConvNet against the same architecture in PyTorch (He initialisation there too).
"""

import argparse
import os
import statistics

from bench_tools import load_text, run, torch_available

PRELUDE = r"""
import ctypes, glob, json, os, resource, sys, time
import numpy as np
sys.path.insert(0, "tests")

def rss_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

def blas_threads():
    lib_dir = os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs")
    for path in glob.glob(os.path.join(lib_dir, "*openblas*")):
        lib = ctypes.CDLL(path)
        for name in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_", "openblas_get_num_threads"):
            if hasattr(lib, name):
                return getattr(lib, name)()
    return None

def images(seed=0, batches=8):
    generator = np.random.default_rng(seed)
    x = generator.random((batches, 100, 1, 28, 28), dtype=np.float32)
    t = generator.integers(0, 10, (batches, 100))
    return x, t

def measure(step, steps, warmup=3):
    x, t = images()
    for i in range(warmup):
        step(x[i % len(x)], t[i % len(t)])
    before = rss_mib()
    times = []
    for i in range(steps):
        started = time.perf_counter()
        step(x[i % len(x)], t[i % len(t)])
        times.append(time.perf_counter() - started)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"step_ms": 1000 * float(np.median(times)), "peak_mib": peak, "steps_mib": max(peak - before, 0.0)}
"""

OURS = PRELUDE + r"""
from common.optimizer import Adam
from common.rng import seed
from common.simple_convnet import SimpleConvNet

seed(0)
network = SimpleConvNet()
optimizer = Adam(lr=0.001)

def step(x, t):
    optimizer.update(network.params, network.gradient(x, t))

result = measure(step, STEPS)
result["threads"] = blas_threads()
print(json.dumps(result))
"""

LOOP = PRELUDE + r"""
from common.layer_net import LayerNet
from common.layers import Affine, Pooling, Relu, SoftmaxWithLoss
from common.optimizer import Adam
from test_convolution import LoopConvolution

generator = np.random.default_rng(0)
def weights(*shape):
    return (0.01 * generator.standard_normal(shape)).astype(np.float32)

layers = {"Conv1": LoopConvolution(weights(30, 1, 5, 5), np.zeros(30, np.float32)), "Relu1": Relu(),
          "Pool1": Pooling(2, 2, stride=2), "Affine1": Affine(weights(4320, 100), np.zeros(100, np.float32)),
          "Relu2": Relu(), "Affine2": Affine(weights(100, 10), np.zeros(10, np.float32))}
network = LayerNet(layers, SoftmaxWithLoss(), input_shape=(1, 28, 28))
optimizer = Adam(lr=0.001)

def step(x, t):
    optimizer.update(network.params, network.gradient(x, t))

result = measure(step, STEPS, warmup=1)
result["threads"] = blas_threads()
print(json.dumps(result))
"""

# The book's algorithm, transcribed for timing only (our own words, float64 parameters as in the book).
BOOK = PRELUDE + r"""
def unfold(images, fh, fw, stride, pad):
    n, c, h, w = images.shape
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    padded = np.pad(images, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
    col = np.zeros((n, c, fh, fw, oh, ow))
    for i in range(fh):
        for j in range(fw):
            col[:, :, i, j, :, :] = padded[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, -1)

def fold(col, shape, fh, fw, stride, pad):
    n, c, h, w = shape
    oh, ow = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    col = col.reshape(n, oh, ow, c, fh, fw).transpose(0, 3, 4, 5, 1, 2)
    padded = np.zeros((n, c, h + 2 * pad + stride - 1, w + 2 * pad + stride - 1))
    for i in range(fh):
        for j in range(fw):
            padded[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride] += col[:, :, i, j, :, :]
    return padded[:, :, pad:h + pad, pad:w + pad]

class Conv:
    def __init__(self, W, b):
        self.W, self.b = W, b
    def forward(self, x):
        fn, c, fh, fw = self.W.shape
        n, _, h, w = x.shape
        self.oh, self.ow = h - fh + 1, w - fw + 1
        self.x, self.col, self.col_W = x, unfold(x, fh, fw, 1, 0), self.W.reshape(fn, -1).T
        out = self.col @ self.col_W + self.b
        return out.reshape(n, self.oh, self.ow, -1).transpose(0, 3, 1, 2)
    def backward(self, dout):
        fn, c, fh, fw = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, fn)
        self.db = dout.sum(axis=0)
        self.dW = (self.col.T @ dout).transpose(1, 0).reshape(fn, c, fh, fw)
        return fold(dout @ self.col_W.T, self.x.shape, fh, fw, 1, 0)

class Pool:
    def forward(self, x):
        n, c, h, w = x.shape
        self.shape, oh, ow = x.shape, h // 2, w // 2
        col = unfold(x, 2, 2, 2, 0).reshape(-1, 4)
        self.arg_max = col.argmax(axis=1)
        return col.max(axis=1).reshape(n, oh, ow, c).transpose(0, 3, 1, 2)
    def backward(self, dout):
        dout = dout.transpose(0, 2, 3, 1)
        spread = np.zeros((dout.size, 4))
        spread[np.arange(self.arg_max.size), self.arg_max] = dout.ravel()
        return fold(spread.reshape(-1, 4 * self.shape[1]), self.shape, 2, 2, 2, 0)

class ReLU:
    def forward(self, x):
        self.off = x <= 0
        out = x.copy()
        out[self.off] = 0
        return out
    def backward(self, dout):
        dout[self.off] = 0
        return dout

class Dense:
    def __init__(self, W, b):
        self.W, self.b = W, b
    def forward(self, x):
        self.shape, self.x = x.shape, x.reshape(x.shape[0], -1)
        return self.x @ self.W + self.b
    def backward(self, dout):
        self.dW, self.db = self.x.T @ dout, dout.sum(axis=0)
        return (dout @ self.W.T).reshape(self.shape)

generator = np.random.default_rng(0)
params = {"W1": 0.01 * generator.standard_normal((30, 1, 5, 5)), "b1": np.zeros(30),
          "W2": 0.01 * generator.standard_normal((4320, 100)), "b2": np.zeros(100),
          "W3": 0.01 * generator.standard_normal((100, 10)), "b3": np.zeros(10)}
layers = [Conv(params["W1"], params["b1"]), ReLU(), Pool(), Dense(params["W2"], params["b2"]), ReLU(),
          Dense(params["W3"], params["b3"])]
owners = {"W1": (0, "W"), "b1": (0, "b"), "W2": (3, "W"), "b2": (3, "b"), "W3": (5, "W"), "b3": (5, "b")}
m = {k: np.zeros_like(v) for k, v in params.items()}
v = {k: np.zeros_like(p) for k, p in params.items()}
count = 0

def step(x, t):
    global count
    for layer in layers:
        x = layer.forward(x)
    y = np.exp(x - x.max(axis=1, keepdims=True))
    y /= y.sum(axis=1, keepdims=True)
    dout = y.copy()
    dout[np.arange(len(t)), t] -= 1
    dout /= len(t)
    for layer in reversed(layers):
        dout = layer.backward(dout)
    count += 1
    lr_t = 0.001 * np.sqrt(1.0 - 0.999 ** count) / (1.0 - 0.9 ** count)
    for key, (index, name) in owners.items():
        grad = getattr(layers[index], "d" + name)
        m[key] += (1 - 0.9) * (grad - m[key])
        v[key] += (1 - 0.999) * (grad ** 2 - v[key])
        params[key] -= lr_t * m[key] / (np.sqrt(v[key]) + 1e-7)

result = measure(step, STEPS, warmup=1)
result["threads"] = blas_threads()
print(json.dumps(result))
"""

TORCH = PRELUDE + r"""
import torch
if os.environ.get("BENCH_THREADS"):
    torch.set_num_threads(int(os.environ["BENCH_THREADS"]))
torch.manual_seed(0)
model = torch.nn.Sequential(
    torch.nn.Conv2d(1, 30, 5), torch.nn.ReLU(), torch.nn.MaxPool2d(2, 2), torch.nn.Flatten(),
    torch.nn.Linear(4320, 100), torch.nn.ReLU(), torch.nn.Linear(100, 10))
with torch.no_grad():  # the book's initialisation: N(0, 0.01^2) weights, zero biases
    for layer in (model[0], model[4], model[6]):
        layer.weight.normal_(0.0, 0.01)
        layer.bias.zero_()
"""

# The book's DeepConvNet (chapter 8): conv-relu-conv-relu-pool three times with 3x3 filters
# (16, 16, 32, 32, 64, 64; pads 1, 1, 1, 2, 1, 1), then Affine 50 - ReLU - Dropout - Affine 10 - Dropout.
DEEP_OURS = PRELUDE + r"""
from common.deep_convnet import DeepConvNet
from common.optimizer import Adam
from common.rng import seed

seed(0)
network = DeepConvNet()  # the book's defaults: He initialisation, dropout 0.5, float32
optimizer = Adam(lr=0.001)

def step(x, t):
    optimizer.update(network.params, network.gradient(x, t))

result = measure(step, STEPS)
result["threads"] = blas_threads()
print(json.dumps(result))
"""

DEEP_TORCH = PRELUDE + r"""
import torch
if os.environ.get("BENCH_THREADS"):
    torch.set_num_threads(int(os.environ["BENCH_THREADS"]))
torch.manual_seed(0)
modules, channels = [], 1
for i, (filters, pad) in enumerate(zip((16, 16, 32, 32, 64, 64), (1, 1, 1, 2, 1, 1)), start=1):
    modules += [torch.nn.Conv2d(channels, filters, 3, padding=pad), torch.nn.ReLU()]
    if i % 2 == 0:
        modules.append(torch.nn.MaxPool2d(2, 2))
    channels = filters
modules += [torch.nn.Flatten(), torch.nn.Linear(1024, 50), torch.nn.ReLU(), torch.nn.Dropout(0.5),
            torch.nn.Linear(50, 10), torch.nn.Dropout(0.5)]
model = torch.nn.Sequential(*modules)
with torch.no_grad():  # He initialisation and zero biases, as DeepConvNet
    for module in model:
        if isinstance(module, (torch.nn.Conv2d, torch.nn.Linear)):
            torch.nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
            module.bias.zero_()
"""


# Every PyTorch snippet ends the same way once its `model` is built: Adam, cross-entropy, the timed step.
TORCH_STEP = r"""
optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
loss_fn = torch.nn.CrossEntropyLoss()

def step(x, t):
    optimizer.zero_grad()
    loss_fn(model(torch.from_numpy(x)), torch.from_numpy(t)).backward()
    optimizer.step()

result = measure(step, STEPS)
result["threads"] = torch.get_num_threads()
print(json.dumps(result))
"""
TORCH += TORCH_STEP
DEEP_TORCH += TORCH_STEP


def snippet(code: str, steps: int) -> str:
    return code.replace("STEPS", str(steps))


def report(label: str, runs: list[dict]) -> float:
    """Print the median step time over the runs (min, max), peak memory and threads; return the median."""
    times = [r["step_ms"] for r in runs]
    median = statistics.median(times)
    print(f"  {label:<11} step median {median:8.1f} ms (min {min(times):7.1f}, max {max(times):7.1f}) | "
          f"peak RSS {max(r['peak_mib'] for r in runs):5.0f} MiB, of which the steps added "
          f"{max(r['steps_mib'] for r in runs):4.0f} MiB | {runs[-1]['threads']} BLAS/intra-op threads")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per variant (default 5)")
    parser.add_argument("--steps", type=int, default=40, help="timed steps per process for the fast variants")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads per variant (default: each library's own choice, usually all cores)")
    parser.add_argument("--no-deep", action="store_true", help="skip the DeepConvNet table")
    parser.add_argument("--deep-only", action="store_true", help="only the DeepConvNet table")
    args = parser.parse_args()
    if args.no_deep and args.deep_only:
        parser.error("--no-deep and --deep-only exclude each other")
    compare = torch_available()
    threads = f"{args.threads} thread(s) per variant" if args.threads else "default threads"
    print(f"{os.cpu_count()} CPUs, {threads}; before: {load_text()}")

    variants = {}
    if not args.deep_only:
        variants = {"common": snippet(OURS, args.steps), "loop conv": snippet(LOOP, max(args.steps // 10, 3)),
                    "book-style": snippet(BOOK, max(args.steps // 4, 5))}
        if compare:
            variants["PyTorch"] = snippet(TORCH, args.steps)
    if not args.no_deep:
        variants["deep common"] = snippet(DEEP_OURS, max(args.steps // 4, 5))
        if compare:
            variants["deep PyTorch"] = snippet(DEEP_TORCH, max(args.steps // 4, 5))
    results = {name: [] for name in variants}
    for _ in range(args.runs):  # interleaved, so all see the same machine conditions
        for name, code in variants.items():
            results[name].append(run(code, args.threads))

    if not args.deep_only:
        print(f"SimpleConvNet training step (batch 100, 1x28x28, forward + backward + Adam), {args.runs} runs:")
        ours = report("common", results["common"])
        if compare:
            torch_ms = report("PyTorch", results["PyTorch"])
        loop = report("loop conv", results["loop conv"])
        book = report("book-style", results["book-style"])
        if compare:
            print(f"  ratio common / PyTorch: {ours / torch_ms:.2f} (target <= 1.5)")
        else:
            print("  PyTorch is not installed: no reference run (pip install torch to compare).")
        print(f"  book-style / common: {book / ours:.1f}x (target >= 10); loop conv / common: {loop / ours:.1f}x")
    if not args.no_deep:
        print(f"DeepConvNet training step (six 3x3 convolutions, batch 100), {args.runs} runs:")
        deep = report("common", results["deep common"])
        if compare:
            deep_torch = report("PyTorch", results["deep PyTorch"])
            print(f"  ratio common / PyTorch: {deep / deep_torch:.2f} (target <= 2)")
    print(f"after: {load_text()}")


if __name__ == "__main__":
    main()
