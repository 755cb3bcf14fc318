"""Trainer: the training loop of every experiment, written once.

Introduced in notebook 06, section 6.4.

    >>> trainer = Trainer(network, x_train, t_train, x_test, t_test, epochs=20, mini_batch_size=100,
    ...                   optimizer="sgd", optimizer_param={"lr": 0.01}, evaluate_sample_num_per_epoch=1000,
    ...                   verbose=False, progress_bar=True)
    >>> trainer.train()            # a progress bar shows the loss and the accuracies as it goes
    >>> trainer.plot()             # loss per iteration, accuracy per epoch

Each iteration draws a mini-batch at random (with replacement, as the book does), computes the
gradient and lets the optimizer update the parameters. At the end of every epoch (train_size /
batch_size iterations, at least 1) it measures the training and test accuracy, on all data or on
the first ``evaluate_sample_num_per_epoch`` samples. Histories: ``train_loss_list`` (per
iteration), ``train_acc_list`` and ``test_acc_list`` (one per epoch, so they line up with
``np.arange(epochs)`` as in the book's scripts). After the last epoch, ``test_acc`` holds the
accuracy on the whole test set.

As in the book, ``verbose=True`` prints the loss of every iteration, a line per epoch and the final
test accuracy; ``progress_bar=True`` draws a tqdm bar instead (what the notebooks use).

Differences from the book's Trainer, on purpose: whole-number iteration counts (the book computes
train_size / batch_size as a float); the recorded loss is the one of the gradient's own forward pass,
just before the update (the book runs one more forward pass after it); and training stops with a
``TrainingDiverged`` error when the loss becomes NaN, infinite or explodes (``common.divergence``).
"""

import numpy as np

from common.checks import whole_number
from common.divergence import DivergenceCheck, TrainingDiverged
from common.optimizer import make_optimizer
from common.progress import progress_bar as make_progress_bar
from common.rng import rng

__all__ = ["Trainer", "TrainingDiverged"]


class Trainer:
    """Trains ``network`` (anything with params, gradient, loss and accuracy) with mini-batch updates.

    optimizer: a name ('sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam') with its settings in
    ``optimizer_param``, or an optimizer object, which brings its own settings (then no
    ``optimizer_param``). verbose: print the book's lines; progress_bar: show a tqdm bar (it works in
    JupyterLab, Colab and a terminal).
    """

    def __init__(self, network, x_train, t_train, x_test, t_test, epochs=20, mini_batch_size=100,
                 optimizer="SGD", optimizer_param=None, evaluate_sample_num_per_epoch=None, verbose=True,
                 progress_bar=False):
        if len(x_train) != len(t_train) or len(x_test) != len(t_test):
            raise ValueError(f"Trainer: images and labels disagree in number: train {len(x_train)} vs "
                             f"{len(t_train)}, test {len(x_test)} vs {len(t_test)}")
        if len(x_train) == 0 or len(x_test) == 0:
            raise ValueError(f"Trainer: there must be training and test data, got {len(x_train)} training and "
                             f"{len(x_test)} test samples")
        missing = [name for name in ("params", "gradient", "accuracy") if not hasattr(network, name)]
        if missing:
            raise TypeError(f"Trainer: network must be a network object with params, gradient(x, t) and "
                            f"accuracy(x, t) (TwoLayerNet, MultiLayerNet, Sequential, ...); "
                            f"{type(network).__name__} has no {', no '.join(missing)}")
        if optimizer_param and not isinstance(optimizer, str):
            raise ValueError(f"Trainer: optimizer_param={optimizer_param!r} would be ignored, because the optimizer "
                             f"is an object with its own settings ({type(optimizer).__name__}, "
                             f"lr={getattr(optimizer, 'lr', None)}). Give the settings to that object, or "
                             f"give the optimizer by name: optimizer={type(optimizer).__name__.lower()!r}")
        self.epochs = whole_number(epochs, "epochs", "Trainer")
        self.batch_size = whole_number(mini_batch_size, "mini_batch_size", "Trainer")
        if evaluate_sample_num_per_epoch is not None:
            evaluate_sample_num_per_epoch = whole_number(evaluate_sample_num_per_epoch,
                                                         "evaluate_sample_num_per_epoch", "Trainer")
        self.network = network
        # Arrays, so that a mini-batch can be picked with x_train[batch_mask] (lists cannot do that).
        x_train, t_train, x_test, t_test = (np.asarray(a) for a in (x_train, t_train, x_test, t_test))
        self.x_train, self.t_train, self.x_test, self.t_test = x_train, t_train, x_test, t_test
        self.optimizer = make_optimizer(optimizer, **(optimizer_param or {"lr": 0.01}))
        self.evaluate_sample_num_per_epoch = evaluate_sample_num_per_epoch
        self.verbose, self.progress_bar = verbose, progress_bar

        self.train_size = len(x_train)
        self.iter_per_epoch = max(self.train_size // self.batch_size, 1)
        self.max_iter = self.epochs * self.iter_per_epoch
        self.current_iter = 0
        self.current_epoch = 0
        self.train_loss_list, self.train_acc_list, self.test_acc_list = [], [], []
        self.test_acc = None  # on the whole test set, after train()
        self.divergence = DivergenceCheck()

    def _evaluate(self):
        n = self.evaluate_sample_num_per_epoch
        x_train, t_train = (self.x_train, self.t_train) if n is None else (self.x_train[:n], self.t_train[:n])
        x_test, t_test = (self.x_test, self.t_test) if n is None else (self.x_test[:n], self.t_test[:n])
        train_acc, test_acc = self.network.accuracy(x_train, t_train), self.network.accuracy(x_test, t_test)
        self.train_acc_list.append(train_acc)
        self.test_acc_list.append(test_acc)
        if self.verbose:
            print(f"=== epoch:{self.current_epoch}, train acc:{train_acc}, test acc:{test_acc} ===")

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
        where = f"iteration {self.current_iter + 1} (epoch {self.current_epoch + 1})"
        self.divergence.check(loss, where, self.optimizer, x_batch)
        self.optimizer.update(self.network.params, grads)
        self.train_loss_list.append(loss)
        if self.verbose:
            print(f"train loss:{loss}")
        self.current_iter += 1
        return loss

    def train(self):
        """Run every epoch, then measure the whole test set; returns self (its histories hold the results)."""
        bar = make_progress_bar(self.max_iter) if self.progress_bar else None
        try:
            for _ in range(self.max_iter):
                loss = self.train_step()
                if self.current_iter % self.iter_per_epoch == 0:
                    self.current_epoch += 1
                    self._evaluate()
                if bar is not None:
                    bar.update(1)
                    if self.train_acc_list and (self.current_iter % 10 == 0 or self.current_iter == self.max_iter):
                        bar.set_postfix({"loss": f"{loss:.4f}", "train_acc": f"{self.train_acc_list[-1]:.4f}",
                                         "test_acc": f"{self.test_acc_list[-1]:.4f}"}, refresh=False)
        finally:
            if bar is not None:
                bar.close()
        self.test_acc = self.network.accuracy(self.x_test, self.t_test)
        if self.verbose:
            print("=============== Final Test Accuracy ===============")
            print(f"test acc:{self.test_acc}")
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
        epochs = np.arange(1, len(self.train_acc_list) + 1)
        ax_acc.plot(epochs, self.train_acc_list, marker="o", ms=3, label="train")
        ax_acc.plot(epochs, self.test_acc_list, marker="s", ms=3, linestyle="--", label="test")
        ax_acc.set(title="accuracy (end of each epoch)", xlabel="epoch", ylabel="accuracy", ylim=(0, 1.02))
        ax_acc.legend()
        return fig
