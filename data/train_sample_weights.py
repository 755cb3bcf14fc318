"""Train the sample weights that notebook 02 uses for MNIST inference, reproducibly.

    python data/train_sample_weights.py

Network 784-50-100-10 (sigmoid, sigmoid, softmax), as in chapter 3 of the book. Trained here with
mini-batch SGD with momentum and backpropagation written out by hand (notebook 05 explains every
line), from a fixed seed, in float32. Writes data/sample_weight.npz atomically, records its SHA-256
in data/sample_weight.npz.sha256, and prints the test accuracy.

Re-running it on the same machine reproduces the file bit for bit; another CPU or BLAS library may
round differently in the last bits, and then the checksum changes with it.
"""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common.functions import sigmoid, softmax  # noqa: E402
from common.files import atomic_write, sha256_file  # noqa: E402
from common.mnist import load_mnist  # noqa: E402
from common.sample_weights import LAYER_SIZES, WEIGHTS_FILE  # noqa: E402

SEED = 20161001
EPOCHS = 12
BATCH_SIZE = 100
LEARNING_RATE = 0.1
MOMENTUM = 0.9


def init_params(rng):
    params = {}
    for i, (n_in, n_out) in enumerate(zip(LAYER_SIZES[:-1], LAYER_SIZES[1:]), start=1):
        # Xavier initialisation (notebook 06): std 1/sqrt(n_in) keeps sigmoid inputs in their useful range.
        params[f"W{i}"] = rng.normal(0.0, 1.0 / np.sqrt(n_in), size=(n_in, n_out)).astype(np.float32)
        params[f"b{i}"] = np.zeros(n_out, dtype=np.float32)
    return params


def forward(params, x):
    z1 = sigmoid(x @ params["W1"] + params["b1"])
    z2 = sigmoid(z1 @ params["W2"] + params["b2"])
    y = softmax(z2 @ params["W3"] + params["b3"])
    return z1, z2, y


def gradients(params, x, t):
    """Backpropagation through softmax-with-cross-entropy, two sigmoid layers and three affine layers."""
    z1, z2, y = forward(params, x)
    dy = y.copy()
    dy[np.arange(len(t)), t] -= 1  # softmax + cross-entropy: dL/da3 = (y - t_one_hot) / N
    dy /= len(t)
    grads = {"W3": z2.T @ dy, "b3": dy.sum(axis=0)}
    da2 = (dy @ params["W3"].T) * z2 * (1 - z2)  # sigmoid'(a) = z (1 - z)
    grads.update(W2=z1.T @ da2, b2=da2.sum(axis=0))
    da1 = (da2 @ params["W2"].T) * z1 * (1 - z1)
    grads.update(W1=x.T @ da1, b1=da1.sum(axis=0))
    return grads


def accuracy(params, x, t):
    return float(np.mean(forward(params, x)[2].argmax(axis=1) == t))


def main():
    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, flatten=True)
    rng = np.random.default_rng(SEED)
    params = init_params(rng)
    velocity = {k: np.zeros_like(v) for k, v in params.items()}
    for epoch in range(1, EPOCHS + 1):
        order = rng.permutation(len(x_train))
        for start in range(0, len(order), BATCH_SIZE):
            batch = order[start:start + BATCH_SIZE]
            grads = gradients(params, x_train[batch], t_train[batch])
            for key in params:
                velocity[key] = MOMENTUM * velocity[key] - LEARNING_RATE * grads[key]
                params[key] += velocity[key]
        print(f"epoch {epoch:2d}: train accuracy {accuracy(params, x_train, t_train):.4f}, "
              f"test accuracy {accuracy(params, x_test, t_test):.4f}")

    # np.savez stamps every member with the fixed date 1980-01-01, so equal arrays give equal bytes.
    atomic_write(WEIGHTS_FILE, lambda f: np.savez(f, **params))
    digest = sha256_file(WEIGHTS_FILE)
    Path(str(WEIGHTS_FILE) + ".sha256").write_text(f"{digest}  {WEIGHTS_FILE.name}\n")
    print(f"wrote {WEIGHTS_FILE} (SHA-256 {digest})")
    print(f"test accuracy of the saved weights: {accuracy(params, x_test, t_test):.4f}")


if __name__ == "__main__":
    main()
