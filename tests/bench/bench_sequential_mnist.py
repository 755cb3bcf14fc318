"""Benchmark: the Keras-style model of notebook 09 with common.sequential, and the same in PyTorch.

    python tests/bench/bench_sequential_mnist.py [--runs 5]

Protocol (the study note of notebook 09): 784 -> Dense 500 ReLU -> Dense 250 ReLU -> Dense 100 ReLU
-> Dense 10 softmax (543,860 parameters), categorical cross-entropy, Adam (learning rate 0.001),
mini-batches of 1,000 in a new random order every epoch, 10 epochs, float32, normalised pixels; after
every epoch the loss and accuracy on all 10,000 test images (validation_data). Initial weights: He
(normal, std sqrt(2 / inputs)), zero biases, in every variant.

Each run is a fresh Python process, timed from start to exit, so imports and loading MNIST from the
cache count. Prints the median wall time over the runs, the peak resident memory, and the final test
accuracy. A flat NumPy loop (the bare arithmetic: no layers, no checks, a hand-fused Adam) runs as a
floor for comparison. All three variants compute the same four numbers per epoch that Keras' fit
reports: the training loss and accuracy over the epoch's mini-batches, and the loss and accuracy on the
test images (until 2026-11-27 the flat loop skipped all but the last, so it did less work than the
other two). If PyTorch is installed (it is not a dependency: `pip install torch` to
compare), the same protocol runs in PyTorch in the same way, and the ratio ours / PyTorch is printed.
The machine's load average is printed too: on a shared machine, compare runs made under similar load.
``--threads N`` limits every variant to N threads (OpenBLAS for NumPy, intra-op threads for PyTorch);
by default each library uses as many as it likes (all cores). On a busy machine, ``--threads 1`` gives
steadier numbers: threads that wait for each other suffer most from competition for the cores.
Targets: common / PyTorch <= 1.2, peak memory <= 700 MiB.
"""

import argparse
import os

from bench_tools import load_text, ratio, run, summarise, torch_available, warm_mnist_cache

OURS = r"""
import json, resource
from common.mnist import load_mnist
from common.rng import seed
from common.sequential import Activation, Dense, Sequential
from common.util import to_categorical

seed(0)
(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True)
y_train, y_test = to_categorical(t_train, 10), to_categorical(t_test, 10)
model = Sequential()
model.add(Dense(500, input_shape=(784,)))
model.add(Activation("relu"))
model.add(Dense(250))
model.add(Activation("relu"))
model.add(Dense(100))
model.add(Activation("relu"))
model.add(Dense(10))
model.add(Activation("softmax"))
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
history = model.fit(x_train, y_train, batch_size=1000, epochs=10, verbose=0, validation_data=(x_test, y_test))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"test_acc": history.history["val_accuracy"][-1], "epochs": len(history.epoch), "peak_mib": peak}))
"""

# The same protocol as one flat NumPy loop with nothing but the arithmetic (and the same four numbers
# per epoch as the other variants): no layers, no checks,
# float32, no gradient for the input, Adam written out with scratch buffers. A floor for NumPy here.
FLAT = r"""
import json, resource
import numpy as np
from common.mnist import load_mnist

(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True)
generator = np.random.default_rng(0)
sizes = [784, 500, 250, 100, 10]
Ws = [(np.sqrt(2 / n_in) * generator.standard_normal((n_in, n_out))).astype(np.float32)
      for n_in, n_out in zip(sizes[:-1], sizes[1:])]
bs = [np.zeros(n_out, np.float32) for n_out in sizes[1:]]
params = Ws + bs
ms, vs = [np.zeros_like(p) for p in params], [np.zeros_like(p) for p in params]
scratch = [np.empty_like(p) for p in params], [np.empty_like(p) for p in params]
eye = np.eye(10, dtype=np.float32)

def forward(x):
    hidden = [x]
    for W, b in zip(Ws[:-1], bs[:-1]):
        a = x @ W
        a += b
        x = np.maximum(a, 0, out=a)
        hidden.append(x)
    scores = x @ Ws[-1]
    scores += bs[-1]
    return hidden, scores

def softmax(scores):
    scores -= scores.max(axis=1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=1, keepdims=True)
    return scores

def loss_and_correct(y, labels):  # cross-entropy summed over the rows, and the number of right answers
    return (float(-np.log(y[np.arange(len(labels)), labels] + 1e-7).sum()),
            int(np.count_nonzero(y.argmax(axis=1) == labels)))

step, history = 0, []
for epoch in range(10):
    order = generator.permutation(60_000)
    loss_sum, correct = 0.0, 0
    for start in range(0, 60_000, 1000):
        rows = order[start:start + 1000]
        labels = t_train[rows]
        x, t = x_train[rows], eye[labels]
        hidden, scores = forward(x)
        y = softmax(scores)
        batch_loss, batch_correct = loss_and_correct(y, labels)
        loss_sum, correct = loss_sum + batch_loss, correct + batch_correct
        dy = (y - t) / np.float32(1000)
        grads = [None] * 8
        for i in range(3, -1, -1):
            grads[i], grads[4 + i] = hidden[i].T @ dy, dy.sum(axis=0)
            if i > 0:
                dy = dy @ Ws[i].T
                dy *= hidden[i] > 0
        step += 1
        c1, c2 = 1 - 0.9 ** step, 1 - 0.999 ** step
        for p, g, m, v, s1, s2 in zip(params, grads, ms, vs, *scratch):
            m *= 0.9; np.multiply(g, 0.1, out=s1); m += s1
            v *= 0.999; np.multiply(g, 0.001, out=s1); s1 *= g; v += s1
            np.divide(v, c2, out=s2); np.sqrt(s2, out=s2); s2 += 1e-7
            np.divide(m, c1, out=s1); s1 *= 0.001; s1 /= s2; p -= s1
    val_loss, val_correct = 0.0, 0
    for start in range(0, 10_000, 1000):
        y = softmax(forward(x_test[start:start + 1000])[1])
        batch_loss, batch_correct = loss_and_correct(y, t_test[start:start + 1000])
        val_loss, val_correct = val_loss + batch_loss, val_correct + batch_correct
    history.append((loss_sum / 60_000, correct / 60_000, val_loss / 10_000, val_correct / 10_000))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"test_acc": history[-1][3], "epochs": len(history), "peak_mib": peak}))
"""

TORCH = r"""
import json, os, resource
import torch
from common.mnist import load_mnist

if os.environ.get("BENCH_THREADS"):
    torch.set_num_threads(int(os.environ["BENCH_THREADS"]))
torch.manual_seed(0)
(x_train, t_train), (x_test, t_test) = load_mnist(normalize=True)
x_train, t_train = torch.from_numpy(x_train), torch.from_numpy(t_train)
x_test, t_test = torch.from_numpy(x_test), torch.from_numpy(t_test)
model = torch.nn.Sequential(torch.nn.Linear(784, 500), torch.nn.ReLU(), torch.nn.Linear(500, 250), torch.nn.ReLU(),
                            torch.nn.Linear(250, 100), torch.nn.ReLU(), torch.nn.Linear(100, 10))
with torch.no_grad():  # He initial weights, zero biases, as in common.sequential.Dense
    for layer in model[::2]:
        torch.nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
        layer.bias.zero_()
optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
loss_fn = torch.nn.CrossEntropyLoss()  # log-softmax and cross-entropy fused, like SoftmaxWithLoss

history = []
for epoch in range(10):
    order = torch.randperm(60_000)
    loss_sum, correct = 0.0, 0
    for start in range(0, 60_000, 1000):
        rows = order[start:start + 1000]
        x, t = x_train[rows], t_train[rows]
        optimizer.zero_grad()
        scores = model(x)
        loss = loss_fn(scores, t)
        loss.backward()
        optimizer.step()
        loss_sum += loss.item() * len(rows)
        correct += (scores.argmax(dim=1) == t).sum().item()
    val_loss, val_correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, 10_000, 1000):
            scores = model(x_test[start:start + 1000])
            val_loss += loss_fn(scores, t_test[start:start + 1000]).item() * 1000
            val_correct += (scores.argmax(dim=1) == t_test[start:start + 1000]).sum().item()
    history.append((loss_sum / 60_000, correct / 60_000, val_loss / 10_000, val_correct / 10_000))
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"test_acc": history[-1][3], "epochs": len(history), "peak_mib": peak}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None,
                        help="threads per variant (default: each library's own choice, usually all cores)")
    args = parser.parse_args()
    warm_mnist_cache()
    compare = torch_available()
    threads = f"{args.threads} thread(s) per variant" if args.threads else "default threads"
    print(f"{os.cpu_count()} CPUs, {threads}; before: {load_text()}")
    ours, flat, theirs = [], [], []
    for _ in range(args.runs):  # interleaved, so all see the same machine conditions
        ours.append(run(OURS, args.threads))
        flat.append(run(FLAT, args.threads))
        if compare:
            theirs.append(run(TORCH, args.threads))
    print(f"after: {load_text()}")
    print(f"Notebook 09 protocol (784-500-250-100-10, Adam lr 0.001, batch 1,000, 10 epochs, float32, "
          f"validation on 10,000 test images every epoch), {args.runs} runs, whole process each:")
    summarise("common", ours, "epochs", "epochs")
    summarise("flat", flat, "epochs", "epochs")
    print(ratio("common / flat NumPy loop", ours, flat))
    if compare:
        summarise("PyTorch", theirs, "epochs", "epochs")
        print(ratio("common / PyTorch", ours, theirs) + "  (target <= 1.2; peak memory target <= 700 MiB)")
    else:
        print("PyTorch is not installed: no reference run (pip install torch to compare).")


if __name__ == "__main__":
    main()
