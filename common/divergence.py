"""One check, shared by every training loop, that stops training when it has gone wrong.

Introduced in notebook 06 (section 6.1: a learning rate that is too large); the Trainer, the
Keras-style ``Sequential.fit`` and the XOR experiments use it.

Training has diverged (発散) when the loss
- is no longer a number (NaN) or is infinite, or
- has exploded while staying finite: it grew to more than ``factor`` times its first value (or
  times 1, if it started below 1). With the log-softmax loss a classifier's loss never becomes
  infinite: it climbs 2.3 -> 3638 -> 4402 -> ... instead, and that must stop training too.

The message names the likely cause: NaN or infinity in the training data itself (the learning rate
is not to blame then), or else steps too large for the data (lower the learning rate, scale the inputs).
"""

import math

import numpy as np

__all__ = ["TrainingDiverged", "DivergenceCheck"]


class TrainingDiverged(FloatingPointError):
    """Training stopped because the loss became NaN, infinite, or exploded."""


class DivergenceCheck:
    """Call ``check(loss, ...)`` with every step's loss; it raises TrainingDiverged when training diverged."""

    def __init__(self, factor=100.0):
        self.factor = factor
        self.first_loss = None

    def check(self, loss, where, optimizer=None, x_batch=None):
        """Raise TrainingDiverged if ``loss`` shows divergence. ``where`` says when ('iteration 12 (epoch 1)')."""
        loss = float(loss)
        if math.isfinite(loss):
            if self.first_loss is None:
                self.first_loss = loss
            elif loss > self.factor * max(self.first_loss, 1.0):
                self.stop(f"The loss exploded from {self.first_loss:.4g} to {loss:.4g} at {where}", optimizer)
            return
        if x_batch is not None and not np.all(np.isfinite(x_batch)):
            bad = int(np.count_nonzero(~np.isfinite(x_batch)))
            raise TrainingDiverged(
                f"The loss became {loss} at {where} because the training data holds NaN or infinity ({bad} values "
                f"in this mini-batch). Clean the data first: np.isfinite(x).all() must be True. The learning rate "
                f"is not the cause. Training stopped before this step's update.")
        self.stop(f"The loss became {loss} at {where}", optimizer)

    @staticmethod
    def stop(what, optimizer):
        """Raise TrainingDiverged for ``what`` (e.g. "The loss became nan at step 3"), with advice."""
        lr = getattr(optimizer, "lr", None)
        name = type(optimizer).__name__ if optimizer is not None else "the optimizer"
        if isinstance(lr, (int, float, np.number)) and math.isfinite(lr):
            advice = f"Try a smaller learning rate, e.g. lr={lr / 10:g}, or scale the inputs (e.g. pixels / 255)."
        else:
            advice = "Try a smaller learning rate, or scale the inputs (e.g. pixels / 255)."
        raise TrainingDiverged(f"{what} with {name}(lr={lr}): the steps are too large for these inputs. {advice} "
                               f"Training stopped before this step's update.")
