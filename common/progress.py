"""Progress bars for training loops, all drawn by tqdm (a widget in Jupyter and Colab, text in a terminal).

Introduced in notebook 06 (the Trainer's bar) and notebook 09 (``fit``'s Keras-style bar).
"""

__all__ = ["progress_bar", "keras_bar", "format_logs"]

KERAS_FORMAT = "{n_fmt}/{total_fmt} [{bar:30}] - {elapsed} {rate_inv_fmt}{postfix}"


def progress_bar(total, desc="training", unit="it"):
    """A tqdm bar for ``total`` steps."""
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit=unit, leave=True)


def keras_bar(total, epoch, epochs):
    """A bar for one epoch of ``fit`` in the style of Keras: 'Epoch 3/10 60/60 [=====] - 00:02 0.03s/step, loss: ...'.

    The heading 'Epoch 3/10' is the bar's description; the logs go in its postfix (``set_postfix_str``).
    It is tqdm's text bar, written to standard output like Keras' own, so that a notebook keeps the
    finished line of every epoch as its output (a widget would keep nothing readable).
    """
    import sys

    from tqdm import tqdm

    return tqdm(total=total, desc=f"Epoch {epoch + 1}/{epochs}", unit="step", leave=True, ascii=".=",
                bar_format="{desc} " + KERAS_FORMAT, file=sys.stdout, mininterval=0.5)


def format_logs(logs):
    """{'loss': 0.09, 'accuracy': 0.97} as 'loss: 0.0900 - accuracy: 0.9700'."""
    return " - ".join(f"{key}: {value:.4f}" for key, value in logs.items())
