"""Train the SimpleConvNet of notebook 10 on MNIST with the book's protocol, reproducibly.

    python data/train_simple_convnet.py

The book's protocol (chapter 7, train_convnet.py): SimpleConvNet with 30 filters of 5x5, a hidden
layer of 100 neurons, weights drawn with standard deviation 0.01; 20 epochs of 600 mini-batches of
100 images drawn at random (with replacement, as the book's Trainer does), Adam with learning rate
0.001. Everything in float32, from a fixed seed (``common.rng.seed``).

After every epoch it prints the accuracy on the first 1,000 training and test images (the book's
``evaluate_sample_num_per_epoch=1000``); at the end the accuracy on all 10,000 test images and the
wall time. Writes data/simple_convnet_params.npz (plain arrays, never a pickle) and its SHA-256 in
data/simple_convnet_params.npz.sha256, which ``SimpleConvNet().load_params(...)`` verifies.

Re-running it on the same machine with the same code reproduces the file bit for bit; another CPU,
BLAS library, number of BLAS threads or version of common (a convolution that adds its terms in another
order) may round differently in the last bits, and then the checksum changes with it. data/README.md
says which code made the committed file and what later versions give.
"""

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from common.mnist import load_mnist  # noqa: E402
from common.optimizer import Adam  # noqa: E402
from common.rng import rng, seed  # noqa: E402
from common.simple_convnet import SimpleConvNet  # noqa: E402

SEED = 20161001
EPOCHS = 20
BATCH_SIZE = 100
LEARNING_RATE = 0.001
EVALUATE_SAMPLES = 1000
WEIGHTS_FILE = Path(__file__).resolve().parent / "simple_convnet_params.npz"


def main():
    started = time.perf_counter()
    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, flatten=False)
    seed(SEED)
    network = SimpleConvNet(input_dim=(1, 28, 28),
                            conv_param={"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1},
                            hidden_size=100, output_size=10, weight_init_std=0.01)
    optimizer = Adam(lr=LEARNING_RATE)
    iterations_per_epoch = len(x_train) // BATCH_SIZE
    for epoch in range(1, EPOCHS + 1):
        losses = []
        for _ in range(iterations_per_epoch):
            batch = rng().integers(0, len(x_train), BATCH_SIZE)
            grads = network.gradient(x_train[batch], t_train[batch])
            optimizer.update(network.params, grads)
            losses.append(network.last_loss)
        train_acc = network.accuracy(x_train[:EVALUATE_SAMPLES], t_train[:EVALUATE_SAMPLES])
        test_acc = network.accuracy(x_test[:EVALUATE_SAMPLES], t_test[:EVALUATE_SAMPLES])
        print(f"epoch {epoch:2d}: mean loss {np.mean(losses):.4f}, train accuracy {train_acc:.4f}, "
              f"test accuracy {test_acc:.4f} (first {EVALUATE_SAMPLES} images), "
              f"{time.perf_counter() - started:.0f} s", flush=True)

    path = network.save_params(WEIGHTS_FILE)
    digest = path.with_name(path.name + ".sha256").read_text().split()[0]
    print(f"wrote {path} (SHA-256 {digest})")
    check = SimpleConvNet().load_params(path)  # what a learner does: verifies the SHA-256, no pickle
    print(f"test accuracy of the saved weights on all {len(x_test)} test images: "
          f"{check.accuracy(x_test, t_test):.4f}")
    print(f"wall time: {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
