"""A Keras-style model (モデル構築): ``Sequential`` built from ``Dense`` and ``Activation`` layers.

Introduced in notebook 09 (sections 9.2-9.4): the procedure prepare data -> build -> train -> evaluate.

    >>> from common.sequential import Sequential, Dense, Activation
    >>> from common.util import to_categorical
    >>> model = Sequential()
    >>> model.add(Dense(500, input_shape=(784,)))       # 784 -> 500, W of shape (784, 500) and b (500,)
    >>> model.add(Activation("relu"))
    >>> model.add(Dense(10))                            # 500 -> 10: the input size comes from the layer before
    >>> model.add(Activation("softmax"))
    >>> model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    >>> history = model.fit(x_train, to_categorical(t_train), batch_size=1000, epochs=10,
    ...                     validation_data=(x_test, to_categorical(t_test)))
    >>> loss, accuracy = model.evaluate(x_test, to_categorical(t_test))

Nothing in here is new mathematics; it is packaging around the network core (``common.layer_net``),
which runs the layers forward and backward exactly as for TwoLayerNet and MultiLayerNet:

- the layers are in ``common.sequential_layers``, the losses in ``common.losses``, the History in
  ``common.history``, the progress bar in ``common.progress`` (tqdm);
- the optimizers are ``common.optimizer``'s, made with ``make_optimizer``;
- 'categorical_crossentropy' after a final ``Activation('softmax')`` trains through
  ``SoftmaxWithLoss``: the softmax and the loss as one node whose gradient is (y - t) / N, computed
  from the scores before the softmax. That is exact and stays finite even when a probability
  rounds to 0, where the chain "softmax, then -t / y" would divide by it.

The model also speaks the book's network protocol (``params``, ``gradient``, ``loss``, ``accuracy``,
``numerical_gradient``), so ``common.gradient_check.gradient_check`` and ``common.trainer.Trainer``
work on it. Weights go to ``.npz`` files (plain arrays, loaded with ``allow_pickle=False``).
"""

import math

import numpy as np

from common.checks import one_of, whole_number
from common.divergence import DivergenceCheck, TrainingDiverged
from common.history import History
from common.layer_net import LayerNet
from common.layers import SoftmaxWithLoss
from common.losses import LOSSES, CategoricalCrossentropy, MeanSquaredError, make_loss
from common.optimizer import make_optimizer
from common.progress import format_logs, keras_bar
from common.rng import rng
from common.sequential_layers import ACTIVATIONS, Activation, Dense

__all__ = ["Sequential", "Dense", "Activation", "History", "CategoricalCrossentropy", "MeanSquaredError",
           "ACTIVATIONS", "LOSSES", "TrainingDiverged"]


class Sequential:
    """A stack of layers, each feeding the next (Keras' ``Sequential``).

    Build with ``add`` (or ``Sequential([layer, ...])``), then ``compile``, ``fit``, ``evaluate``,
    ``predict``. ``summary()`` prints the layers, their output shapes and parameter counts.
    dtype: the floating type of the weights and of all computation (float32; float64 for gradient checks).
    """

    def __init__(self, layers=None, dtype="float32", name="sequential"):
        self.dtype = np.dtype(dtype)
        if self.dtype.kind != "f":
            raise ValueError(f"Sequential: dtype must be a floating type such as 'float32', got {dtype!r}")
        self.name = name
        self.layers = []
        self.net = None  # the network core running the layers (rebuilt by add and compile)
        self.params = {}  # W1, b1, W2, b2, ...: the arrays the Dense layers use (the optimizer updates them)
        self.loss_function = self.optimizer = None
        self.metrics = []
        self.compiled = False
        self.history = None  # the History of the latest fit
        for layer in layers or []:
            self.add(layer)

    def _build_core(self, fused):
        """Hand the layers to the network core. ``fused``: the final softmax and the cross-entropy run
        as one SoftmaxWithLoss node, the core's last layer; otherwise the loss object is the last layer."""
        layers = self.layers[:-1] if fused else self.layers
        self._fused = SoftmaxWithLoss() if fused else None
        last_layer = self._fused if fused else self.loss_function
        self.net = LayerNet({layer.name: layer.layer for layer in layers}, last_layer,
                            input_shape=(self.input_size,), dtype=self.dtype)
        self.net.label = "Sequential"
        self.params = self.net.params

    @property
    def last_loss(self):
        """The loss of the latest ``gradient`` call or training step."""
        return None if self.net is None else self.net.last_loss

    # -- building ---------------------------------------------------------------------------

    def add(self, layer):
        """Append a layer. Its weights are created now, from the output size of the layer before."""
        if not isinstance(layer, (Dense, Activation)):
            raise TypeError(f"Sequential.add expects a Dense or an Activation layer, got {layer!r}")
        if layer.built:
            raise ValueError(f"Sequential.add: this {type(layer).__name__} layer already belongs to a model "
                             f"(its weights are that model's); create a new layer object instead")
        if self.layers:
            input_size = self.layers[-1].output_size
        elif isinstance(layer, Dense) and layer.input_size is not None:
            input_size = layer.input_size
        else:
            example = f"Dense({layer.units}, input_shape=(784,))" if isinstance(layer, Dense) \
                else "Dense(500, input_shape=(784,))"
            raise ValueError(f"The first layer must say how many values each sample has: start with a Dense "
                             f"layer given input_shape=(features,), e.g. {example}. Got "
                             f"{type(layer).__name__} without input_shape.")
        layer.build(input_size, self.dtype)
        number = 1 + sum(isinstance(other, type(layer)) for other in self.layers)
        if layer.name is None:
            layer.name = f"{type(layer).__name__.lower()}_{number}"
        self.layers.append(layer)
        self._build_core(fused=False)
        self.compiled = False  # a changed model must be compiled again
        return self

    @property
    def input_size(self):
        return self.layers[0].input_size if self.layers else None

    @property
    def output_size(self):
        return self.layers[-1].output_size if self.layers else None

    def count_params(self):
        return sum(layer.count_params() for layer in self.layers)

    def summary(self):
        """Print the layers in order with their output shapes and parameter counts (None = any batch size)."""
        rows = [(f"{layer.name} ({layer.describe()})", f"(None, {layer.output_size})", layer.count_params())
                for layer in self.layers]
        name_width = max([len("Layer (type)")] + [len(r[0]) for r in rows]) + 3
        width = name_width + 16 + 12
        print(f'Model: "{self.name}"')
        print("_" * width)
        print(f"{'Layer (type)':<{name_width}}{'Output Shape':<16}{'Param #':>12}")
        print("=" * width)
        for name, shape, count in rows:
            print(f"{name:<{name_width}}{shape:<16}{count:>12,}")
        print("=" * width)
        total = self.count_params()
        print(f"Total params: {total:,}")
        print(f"Trainable params: {total:,}")
        print("Non-trainable params: 0")

    # -- compiling --------------------------------------------------------------------------

    def compile(self, loss, optimizer, metrics=None, **optimizer_param):
        """Choose the loss function, the optimizer and the metrics.

        loss: 'categorical_crossentropy' (classification; the last layer must be Activation('softmax'))
              or 'mean_squared_error' (regression), or an object with forward(y, t) and backward().
        optimizer: 'sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam' (settings as keywords,
              e.g. lr=0.01), or an optimizer object such as common.optimizer.Adam(lr=0.0005).
        metrics: ['accuracy'] or None.
        """
        if not self.layers:
            raise RuntimeError("Sequential.compile: the model has no layers yet; add them first")
        self.loss_function = make_loss(loss)
        self.optimizer = make_optimizer(optimizer, **optimizer_param)
        metrics = [metrics] if isinstance(metrics, str) else list(metrics or [])
        for metric in metrics:
            if metric not in ("accuracy", "acc"):
                raise ValueError(f"compile: unknown metric {metric!r}; the one metric here is 'accuracy'")
        if metrics and self.output_size < 2:
            raise ValueError("compile: 'accuracy' compares the highest of several class scores, but the model "
                             f"has {self.output_size} output; drop metrics for a regression")
        self.metrics = ["accuracy"] if metrics else []
        last = self.layers[-1]
        ends_in_softmax = isinstance(last, Activation) and last.activation == "softmax"
        if isinstance(self.loss_function, CategoricalCrossentropy):
            if not ends_in_softmax:
                raise ValueError("categorical_crossentropy needs probabilities: make the last layer "
                                 "Activation('softmax') (the model ends with "
                                 f"{last.name} ({last.describe()}))")
            self._build_core(fused=True)
        else:
            self._build_core(fused=False)
        self.compiled = True
        return self

    def _require_compiled(self, method):
        if not self.compiled:
            raise RuntimeError(f"Sequential.{method}: the model is not compiled. Call model.compile(loss=..., "
                               f"optimizer=..., metrics=['accuracy']) first (after adding every layer).")

    # -- checking data ----------------------------------------------------------------------

    def _check_x(self, x, method):
        if not self.layers:
            raise RuntimeError(f"Sequential.{method}: the model has no layers yet")
        x = np.asarray(x)
        if x.ndim != 2 or x.shape[1] != self.input_size:
            hint = ""
            if x.ndim > 2 and math.prod(x.shape[1:]) == self.input_size:
                hint = f": flatten each sample first, x.reshape(len(x), {self.input_size})"
            elif x.ndim == 1 and x.size == self.input_size:
                hint = ": one sample? make it a batch of one, x.reshape(1, -1)"
            raise ValueError(f"Sequential.{method} expected input of shape (N, {self.input_size}), "
                             f"got {x.shape}{hint}")
        if not (np.issubdtype(x.dtype, np.floating) or np.issubdtype(x.dtype, np.integer)):
            raise ValueError(f"Sequential.{method} expected numbers, got dtype {x.dtype}")
        return x

    def _check_y(self, x, y, method, what="y"):
        y = np.asarray(y)
        if y.ndim == 0:
            raise ValueError(f"Sequential.{method} expected {what} with one answer per sample, got a single {y!r}")
        if len(y) != len(x):
            raise ValueError(f"Sequential.{method}: x has {len(x)} samples but {what} has {len(y)}; "
                             f"they must come in pairs, one answer per sample")
        classes = self.output_size
        if isinstance(self.loss_function, CategoricalCrossentropy):
            if y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1):
                raise ValueError(f"categorical_crossentropy expects one-hot labels of shape ({len(y)}, {classes}), "
                                 f"got {what} of shape {y.shape} (class numbers?). Convert them first: "
                                 f"to_categorical({what}, {classes}), from common.util")
            if y.shape != (len(x), classes):
                raise ValueError(f"categorical_crossentropy expects one-hot labels of shape ({len(x)}, {classes}) "
                                 f"to match the model's {classes} outputs, got {what} of shape {y.shape}")
            sums = y.sum(axis=1)
            if np.any(y < 0) or not np.allclose(sums, 1, atol=1e-3):
                raise ValueError(f"categorical_crossentropy expects each row of {what} to be one-hot (or "
                                 f"probabilities adding up to 1); row sums range from {sums.min():g} to "
                                 f"{sums.max():g}. Make them with to_categorical, from common.util")
        elif y.shape != (len(x), classes):
            hint = f": reshape it with {what}.reshape(-1, 1)" if y.ndim == 1 and classes == 1 else ""
            raise ValueError(f"Sequential.{method} expected {what} of shape ({len(x)}, {classes}) to match the "
                             f"model's {classes} outputs, got {y.shape}{hint}")
        if not np.issubdtype(y.dtype, np.number) or np.issubdtype(y.dtype, np.complexfloating):
            raise ValueError(f"Sequential.{method} expected numbers in {what}, got dtype {y.dtype}")
        return y

    def _check_data(self, x, y, method, what="y"):
        x = self._check_x(x, method)
        return x, self._check_y(x, y, method, what)

    # -- forward and backward: the network core's ------------------------------------------

    def _as_float(self, a):
        return np.asarray(a, dtype=self.dtype)  # no copy when it already has the model's dtype

    def loss(self, x, t):
        """The loss for inputs x and answers t (the book's ``network.loss``)."""
        self._require_compiled("loss")
        x, t = self._check_data(x, t, "loss", "t")
        return float(self.net.loss(x, self._as_float(t)))

    def gradient(self, x, t):
        """{'W1': dL/dW1, 'b1': ..., ...} by backpropagation (the book's ``network.gradient``);
        the loss of this forward pass is kept in ``last_loss``."""
        self._require_compiled("gradient")
        x, t = self._check_data(x, t, "gradient", "t")
        grads = self.net.gradient(x, self._as_float(t))
        self.net.last_loss = float(self.net.last_loss)
        return grads

    def numerical_gradient(self, x, t):
        """The same gradients by central differences, computed in float64 (slow: for checking ``gradient``)."""
        self._require_compiled("numerical_gradient")
        x, t = self._check_data(x, t, "numerical_gradient", "t")
        return self.net.numerical_gradient(x, np.asarray(t, dtype=np.float64))

    def train_on_batch(self, x, y):
        """One step of learning on one mini-batch (x, y): forward, backward, one optimizer update.

        Returns [loss, accuracy] measured on the forward pass, before the update (just the loss when
        compiled without metrics), as Keras does. ``fit`` runs this step for every mini-batch.
        """
        self._require_compiled("train_on_batch")
        x, y = self._check_data(x, y, "train_on_batch")
        loss, correct = self._train_step(self._as_float(x), self._as_float(y), DivergenceCheck(), "this batch")
        return [loss, correct / len(x)] if self.metrics else loss

    def _train_step(self, x, t, divergence, where):
        """The step itself, on arrays already checked and in the model's dtype: (loss, correct answers).

        Overflows are not warned about one by one: a loss that is no longer a finite number (or that
        explodes) stops training with a TrainingDiverged error that says what to change.
        """
        with np.errstate(over="ignore", invalid="ignore"):
            grads = self.net.gradient(x, t)
            loss = float(self.net.last_loss)
            self.net.last_loss = loss
            divergence.check(loss, where, self.optimizer, x)
            self.optimizer.update(self.params, grads)
        correct = self._correct(self.net.last_scores, t) if self.metrics else 0
        return loss, correct

    @staticmethod
    def _correct(scores, t):
        return np.count_nonzero(scores.argmax(axis=1) == t.argmax(axis=1))

    # -- the Keras methods ------------------------------------------------------------------

    def fit(self, x, y, batch_size=32, epochs=1, verbose=1, validation_data=None, shuffle=True):
        """Train for ``epochs`` passes over (x, y) in mini-batches of ``batch_size``; returns a History.

        shuffle=True: every epoch visits the samples in a new random order (from common.rng), so each
        sample is used exactly once per epoch; the last mini-batch may be smaller. validation_data:
        (x_val, y_val), evaluated after every epoch. verbose: 0 silent, 1 a progress bar per epoch
        (tqdm), 2 a line per epoch.
        """
        self._require_compiled("fit")
        x, y = self._check_data(x, y, "fit")
        batch_size = whole_number(batch_size, "batch_size", "fit")
        epochs = whole_number(epochs, "epochs", "fit")
        verbose = one_of(verbose, "verbose (0 silent, 1 progress bar, 2 one line per epoch)", "fit", (0, 1, 2))
        if len(x) == 0:
            raise ValueError("fit: there are no samples to learn from (x is empty)")
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ValueError("fit: validation_data must be a pair (x_val, y_val)")
            x_val, y_val = self._check_data(*validation_data, "fit", "y_val")

        n = len(x)
        steps = math.ceil(n / batch_size)
        history = History({"epochs": epochs, "steps": steps, "batch_size": batch_size, "verbose": verbose})
        divergence = DivergenceCheck()
        for epoch in range(epochs):
            bar = keras_bar(steps, epoch, epochs) if verbose == 1 else None
            order = rng().permutation(n) if shuffle else None
            loss_sum, correct, seen = 0.0, 0, 0
            for step in range(steps):
                rows = slice(step * batch_size, min((step + 1) * batch_size, n))
                if shuffle:
                    rows = order[rows]
                x_batch, t_batch = self._as_float(x[rows]), self._as_float(y[rows])
                try:
                    loss, right = self._train_step(x_batch, t_batch, divergence,
                                                   f"step {step + 1} of epoch {epoch + 1}")
                except TrainingDiverged:
                    if bar is not None:
                        bar.close()
                    raise
                count = len(x_batch)
                loss_sum, correct, seen = loss_sum + loss * count, correct + right, seen + count
                logs = {"loss": loss_sum / seen}
                if self.metrics:
                    logs["accuracy"] = correct / seen
                if bar is not None:
                    bar.set_postfix_str(format_logs(logs), refresh=False)
                    bar.update(1)
            if not all(np.all(np.isfinite(param)) for param in self.params.values()):
                divergence.stop(f"Some weights became infinite or NaN in epoch {epoch + 1}", self.optimizer)
            if validation_data is not None:
                results = self._evaluate(x_val, y_val, batch_size)
                logs["val_loss"] = results[0]
                if self.metrics:
                    logs["val_accuracy"] = results[1]
            history.append(epoch, logs)
            if bar is not None:
                bar.set_postfix_str(format_logs(logs))
                bar.close()
            elif verbose == 2:
                print(f"Epoch {epoch + 1}/{epochs} - {format_logs(logs)}", flush=True)
        self.history = history
        return history

    def _evaluate(self, x, y, batch_size):
        loss_sum, correct = 0.0, 0
        for start in range(0, len(x), batch_size):
            x_batch = self._as_float(x[start:start + batch_size])
            t_batch = self._as_float(y[start:start + batch_size])
            loss_sum += float(self.net.loss(x_batch, t_batch)) * len(x_batch)
            if self.metrics:
                correct += self._correct(self.net.last_scores, t_batch)
        results = [loss_sum / len(x)]
        if self.metrics:
            results.append(float(correct) / len(x))
        return results

    def evaluate(self, x, y, batch_size=1000, verbose=0):
        """[loss, accuracy] over all of (x, y) (just the loss when compiled without metrics).

        Computed in chunks of ``batch_size`` samples, which only affects memory, not the result.
        verbose=1 also prints them.
        """
        self._require_compiled("evaluate")
        x, y = self._check_data(x, y, "evaluate")
        batch_size = whole_number(batch_size, "batch_size", "evaluate")
        if len(x) == 0:
            raise ValueError("evaluate: there are no samples (x is empty)")
        results = self._evaluate(x, y, batch_size)
        if verbose:
            print(format_logs(dict(zip(["loss"] + self.metrics, results))))
        return results if self.metrics else results[0]

    def predict(self, x, batch_size=1000):
        """The model's outputs for inputs x, shape (N, outputs): after a final softmax, the probability
        of each class. Needs no compile."""
        x = self._check_x(x, "predict")
        batch_size = whole_number(batch_size, "batch_size", "predict")
        outputs = []
        for start in range(0, len(x), batch_size):
            out = self.net.predict(x[start:start + batch_size])
            if self._fused is not None:  # the core stops at the scores; the final softmax turns them into probabilities
                out = self.layers[-1].layer.forward(out)
            outputs.append(out)
        return np.concatenate(outputs) if outputs else np.zeros((0, self.output_size), self.dtype)

    def accuracy(self, x, t, batch_size=1000):
        """The share of samples whose highest output is the right class; t one-hot or class numbers."""
        x = self._check_x(x, "accuracy")
        return float(self.net.accuracy(x, t, batch_size))

    # -- saving and loading weights ---------------------------------------------------------

    def save_weights(self, filepath):
        """Write every parameter (W1, b1, W2, ...) to an .npz file: plain arrays, no pickle.

        The file is written to a temporary name first and then renamed, so it is never half-written.
        """
        if not self.params:
            raise ValueError("save_weights: the model has no weights (no Dense layer)")
        return self.net.save_params(filepath, checksum=False)

    def load_weights(self, filepath):
        """Read weights written by ``save_weights`` into this model (same layer sizes needed).

        Loaded with ``allow_pickle=False``: a file can only ever give arrays, never run code. Every name
        and shape is checked before anything is changed, so a bad file leaves the model as it was.
        """
        if self.net is None:
            raise RuntimeError("load_weights: the model has no layers yet; add them first")
        self.net.load_params(filepath)
        return self
