"""What the Keras-style ``fit`` returns: the training history, one value per epoch.

Introduced in notebook 09 (section 9.4).
"""

__all__ = ["History"]


class History:
    """``history`` maps 'loss', 'accuracy', 'val_loss', 'val_accuracy' to one value per epoch;
    ``epoch`` lists the epoch numbers (0, 1, ...), as in Keras.

    'loss' and 'accuracy' are averages over the epoch's mini-batches, each measured just before its
    update (the network improves during the epoch); 'val_...' are measured after the epoch.
    """

    def __init__(self, params=None):
        self.history = {}
        self.epoch = []
        self.params = dict(params or {})

    def append(self, epoch, logs):
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(value)

    def __repr__(self):
        return f"History(epochs={len(self.epoch)}, keys={list(self.history)})"
