"""Trainer: the training loop of every experiment, written once.

Introduced in notebook 06, section 6.4.

    >>> trainer = Trainer(network, x_train, t_train, x_test, t_test, epochs=20, mini_batch_size=100,
    ...                   optimizer="sgd", optimizer_param={"lr": 0.01}, evaluate_sample_num_per_epoch=1000)
    >>> trainer.train()            # a progress bar shows the loss and the accuracies as it goes
    >>> trainer.plot()             # loss per iteration, accuracy per epoch

Each iteration draws a mini-batch at random (with replacement, as the book does), computes the
gradient and lets the optimizer update the parameters. After every epoch (train_size / batch_size
iterations, at least 1) it measures the training and test accuracy, on all data or on the first
``evaluate_sample_num_per_epoch`` samples. Histories: ``train_loss_list`` (per iteration),
``train_acc_list`` and ``test_acc_list`` (per epoch, starting with the untrained network).

If the loss becomes NaN or infinite, training stops with a ``TrainingDiverged`` error that names the
learning rate, instead of carrying on with garbage.
"""

import math

import numpy as np

from common.optimizer import make_optimizer
from common.rng import rng


class TrainingDiverged(FloatingPointError):
    """The loss became NaN or infinite: the learning rate is (almost always) too large."""


class Trainer:
    """Trains ``network`` (anything with params, gradient, loss and accuracy) with mini-batch updates.

    optimizer: a name ('sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam') with its settings in
    ``optimizer_param``, or an optimizer object. ``verbose``: show a progress bar (tqdm; it works in
    JupyterLab, Colab and a terminal).
    """

    def __init__(self, network, x_train, t_train, x_test, t_test, epochs=20, mini_batch_size=100,
                 optimizer="SGD", optimizer_param=None, evaluate_sample_num_per_epoch=None, verbose=True):
        if len(x_train) != len(t_train) or len(x_test) != len(t_test):
            raise ValueError(f"Trainer: images and labels disagree in number: train {len(x_train)} vs "
                             f"{len(t_train)}, test {len(x_test)} vs {len(t_test)}")
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
            raise ValueError(f"Trainer: epochs must be a whole number >= 1, got {epochs!r}")
        if isinstance(mini_batch_size, bool) or not isinstance(mini_batch_size, (int, np.integer)) \
                or mini_batch_size < 1:
            raise ValueError(f"Trainer: mini_batch_size must be a whole number >= 1, got {mini_batch_size!r}")
        self.network = network
        self.x_train, self.t_train, self.x_test, self.t_test = x_train, t_train, x_test, t_test
        self.epochs, self.batch_size = int(epochs), int(mini_batch_size)
        self.optimizer = make_optimizer(optimizer, **(optimizer_param or {"lr": 0.01}))
        self.evaluate_sample_num_per_epoch = evaluate_sample_num_per_epoch
        self.verbose = verbose

        self.train_size = len(x_train)
        # Whole numbers throughout: the book computes train_size / batch_size as a float.
        self.iter_per_epoch = max(self.train_size // self.batch_size, 1)
        self.max_iter = self.epochs * self.iter_per_epoch
        self.current_iter = 0
        self.current_epoch = 0
        self.train_loss_list, self.train_acc_list, self.test_acc_list = [], [], []

    def _evaluate(self):
        n = self.evaluate_sample_num_per_epoch
        x_train, t_train = (self.x_train, self.t_train) if n is None else (self.x_train[:n], self.t_train[:n])
        x_test, t_test = (self.x_test, self.t_test) if n is None else (self.x_test[:n], self.t_test[:n])
        self.train_acc_list.append(self.network.accuracy(x_train, t_train))
        self.test_acc_list.append(self.network.accuracy(x_test, t_test))

    def train_step(self):
        """One iteration: a random mini-batch, its gradient, one update. Returns the mini-batch loss
        (measured on the forward pass of the gradient, i.e. just before the update)."""
        batch_mask = rng().integers(0, self.train_size, self.batch_size)
        x_batch, t_batch = self.x_train[batch_mask], self.t_train[batch_mask]
        grads = self.network.gradient(x_batch, t_batch)
        # gradient() has just computed the mini-batch loss on its forward pass; reuse it rather than
        # paying for another forward pass (a network without last_loss gets one, as in the book).
        loss = getattr(self.network, "last_loss", None)
        loss = float(self.network.loss(x_batch, t_batch) if loss is None else loss)
        if not math.isfinite(loss):
            lr = getattr(self.optimizer, "lr", "?")
            raise TrainingDiverged(
                f"The loss became {loss} at iteration {self.current_iter + 1} (epoch {self.current_epoch + 1}) "
                f"with {type(self.optimizer).__name__}(lr={lr}). The learning rate is probably too large: "
                f"try lr={lr / 10 if isinstance(lr, (int, float)) else 'a smaller value'}. "
                f"Training stopped before applying this step's update.")
        self.optimizer.update(self.network.params, grads)
        self.train_loss_list.append(loss)
        self.current_iter += 1
        return loss

    def train(self):
        """Run every epoch; returns self (its histories hold the results)."""
        self._evaluate()  # epoch 0: the untrained network
        bar = _progress_bar(self.max_iter) if self.verbose else None
        try:
            for _ in range(self.max_iter):
                loss = self.train_step()
                if self.current_iter % self.iter_per_epoch == 0:
                    self.current_epoch += 1
                    self._evaluate()
                if bar is not None:
                    bar.update(1)
                    if self.current_iter % 10 == 0 or self.current_iter == self.max_iter:
                        bar.set_postfix({"loss": f"{loss:.4f}", "train_acc": f"{self.train_acc_list[-1]:.4f}",
                                         "test_acc": f"{self.test_acc_list[-1]:.4f}"}, refresh=False)
        finally:
            if bar is not None:
                bar.close()
        return self

    def plot(self, smooth=True):
        """Two panels: the training loss per iteration, and training/test accuracy per epoch."""
        import matplotlib.pyplot as plt

        from common.util import smooth_curve

        fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
        ax_loss.plot(self.train_loss_list, color="#bbbbbb", lw=0.8, label="each mini-batch")
        if smooth and len(self.train_loss_list) > 20:
            ax_loss.plot(smooth_curve(self.train_loss_list), color="C0", label="smoothed")
        ax_loss.set(title="training loss", xlabel="iteration", ylabel="loss")
        ax_loss.legend()
        epochs = np.arange(len(self.train_acc_list))
        ax_acc.plot(epochs, self.train_acc_list, marker="o", ms=3, label="train")
        ax_acc.plot(epochs, self.test_acc_list, marker="s", ms=3, linestyle="--", label="test")
        ax_acc.set(title="accuracy", xlabel="epoch", ylabel="accuracy", ylim=(0, 1.02))
        ax_acc.legend()
        return fig


def _progress_bar(total):
    """A tqdm bar that draws itself as a widget in Jupyter and Colab and as text in a terminal."""
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="it", desc="training", leave=True)
