"""Benchmark: the book's backprop training protocol with common, and the same in PyTorch.

    python tests/bench/bench_train_two_layer.py [--runs 5] [--threads N]

Protocol (chapter 5 of the book, notebook 05): TwoLayerNet 784-50-10 with ReLU, 10,000 iterations
of mini-batch SGD (batch 100, learning rate 0.1), and after every epoch (600 iterations) the
accuracy on all 60,000 training and 10,000 test images.

Each run is a fresh Python process, timed from start to exit, so imports and loading MNIST from the
cache count. Prints the median wall time over the runs, the peak resident memory, and the final test
accuracy. A flat NumPy loop (the bare arithmetic, no layers) runs as a floor for comparison.
If PyTorch is installed (it is not a dependency: `pip install torch` to compare), the same
protocol runs in PyTorch in the same way, and the ratio ours / PyTorch is printed.
"""

import argparse

from bench_tools import load_text, ratio, run, summarise, torch_available, warm_mnist_cache

OURS = r"""
import json, resource
from common.mnist import load_mnist
from common.rng import rng, seed
from common.two_layer_net import TwoLayerNet

seed(0)
(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True)
network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)
iters_num, batch_size, train_size, learning_rate = 10_000, 100, x_train.shape[0], 0.1
iter_per_epoch = max(train_size // batch_size, 1)
history = []
for i in range(iters_num):
    batch_mask = rng().integers(0, train_size, batch_size)
    grads = network.gradient(x_train[batch_mask], t_train[batch_mask])
    for key in ("W1", "b1", "W2", "b2"):
        network.params[key] -= learning_rate * grads[key]
    if i % iter_per_epoch == 0:
        history.append((network.accuracy(x_train, t_train), network.accuracy(x_test, t_test)))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"test_acc": network.accuracy(x_test, t_test), "epochs": len(history), "peak_mib": peak}))
"""

# The same protocol as one flat NumPy loop with nothing but the arithmetic: no layers, no checks,
# float32, no gradient for the input. A floor for what NumPy can do on this machine.
CAREFUL = r"""
import json, resource
import numpy as np
from common.mnist import load_mnist

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True)
generator = np.random.default_rng(0)
W1 = (0.01 * generator.standard_normal((784, 50))).astype(np.float32)
W2 = (0.01 * generator.standard_normal((50, 10))).astype(np.float32)
b1, b2 = np.zeros(50, np.float32), np.zeros(10, np.float32)
rows = np.arange(100)

def accuracy(x, t):
    return float(np.mean((np.maximum(x @ W1 + b1, 0) @ W2 + b2).argmax(axis=1) == t))

history = []
for i in range(10_000):
    batch_mask = generator.integers(0, 60_000, 100)
    x, t = x_train[batch_mask], t_train[batch_mask]
    a1 = x @ W1 + b1
    z1 = np.maximum(a1, 0)
    scores = z1 @ W2 + b2
    scores -= scores.max(axis=1, keepdims=True)
    y = np.exp(scores)
    y /= y.sum(axis=1, keepdims=True)
    y[rows, t] -= 1
    y *= np.float32(0.1 / 100)           # (y - t) / N, times the learning rate
    dz1 = (y @ W2.T) * (a1 > 0)
    W2 -= z1.T @ y
    b2 -= y.sum(axis=0)
    W1 -= x.T @ dz1
    b1 -= dz1.sum(axis=0)
    if i % 600 == 0:
        history.append((accuracy(x_train, t_train), accuracy(x_test, t_test)))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"test_acc": accuracy(x_test, t_test), "epochs": len(history), "peak_mib": peak}))
"""

TORCH = r"""
import json, resource
import torch
from common.mnist import load_mnist

torch.manual_seed(0)
(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True)
x_train, t_train = torch.from_numpy(x_train), torch.from_numpy(t_train)
x_test, t_test = torch.from_numpy(x_test), torch.from_numpy(t_test)
model = torch.nn.Sequential(torch.nn.Linear(784, 50), torch.nn.ReLU(), torch.nn.Linear(50, 10))
with torch.no_grad():  # the book's initialisation: N(0, 0.01^2) weights, zero biases
    for layer in (model[0], model[2]):
        layer.weight.normal_(0.0, 0.01)
        layer.bias.zero_()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
loss_fn = torch.nn.CrossEntropyLoss()

def accuracy(x, t):
    with torch.no_grad():
        return (model(x).argmax(dim=1) == t).float().mean().item()

iters_num, batch_size, train_size = 10_000, 100, x_train.shape[0]
iter_per_epoch = max(train_size // batch_size, 1)
history = []
for i in range(iters_num):
    batch_mask = torch.randint(0, train_size, (batch_size,))
    optimizer.zero_grad()
    loss_fn(model(x_train[batch_mask]), t_train[batch_mask]).backward()
    optimizer.step()
    if i % iter_per_epoch == 0:
        history.append((accuracy(x_train, t_train), accuracy(x_test, t_test)))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"test_acc": accuracy(x_test, t_test), "epochs": len(history), "peak_mib": peak}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS (and PyTorch) threads; default: each library's own choice")
    args = parser.parse_args()
    warm_mnist_cache()
    compare = torch_available()
    ours, careful, theirs = [], [], []
    for _ in range(args.runs):  # interleaved, so all see the same machine conditions
        ours.append(run(OURS, args.threads))
        careful.append(run(CAREFUL, args.threads))
        if compare:
            theirs.append(run(TORCH, args.threads))
    print(f"threads: {args.threads or 'library default'}; {load_text()}")
    print(f"Book protocol (784-50-10, 10,000 iterations, batch 100, lr 0.1, per-epoch accuracy on "
          f"70,000 images), {args.runs} runs, whole process each:")
    summarise("common", ours, "evaluations", "epochs")
    summarise("flat", careful, "evaluations", "epochs")
    print(ratio("common / flat NumPy loop", ours, careful))
    if compare:
        summarise("PyTorch", theirs, "evaluations", "epochs")
        print(ratio("common / PyTorch", ours, theirs))
    else:
        print("PyTorch is not installed: no reference run (pip install torch to compare).")


if __name__ == "__main__":
    main()
