"""A Keras-style model (モデル構築): ``Sequential``, ``Dense`` and ``Activation``, built from our own layers.

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

Nothing in here is new mathematics; it is packaging:

- ``Dense`` is ``common.layers.Affine`` (Y = X W + b) plus initial weights (He by default, section 6.2);
- ``Activation`` is ``Relu``, ``Sigmoid``, ``Tanh``, ``Softmax`` or ``Identity`` from ``common.layers``;
- the optimizers are ``common.optimizer``'s, made with ``make_optimizer`` ('sgd', 'momentum',
  'adagrad', 'rmsprop', 'adam', or an object with ``update(params, grads)``);
- 'categorical_crossentropy' after a final ``Activation('softmax')`` trains through
  ``SoftmaxWithLoss``: the softmax and the loss as one node whose gradient is (y - t) / N, computed
  from the scores before the softmax. That is exact and stays finite even when a probability
  rounds to 0, where the chain "softmax, then -t / y" would divide by it.
- 'mean_squared_error' is Keras' mean of (y - t)^2 over the batch and the outputs; note that the
  book's ``mean_squared_error`` in ``common.functions`` is a different quantity, 1/2 of the sum.

The model also speaks the book's network protocol (``params``, ``gradient``, ``loss``, ``accuracy``,
``numerical_gradient``), so ``common.gradient_check.gradient_check`` and ``common.trainer.Trainer``
work on it. Weights go to ``.npz`` files (plain arrays, loaded with ``allow_pickle=False``).

Speed: everything runs in the model's dtype (float32 unless ``Sequential(dtype="float64")``, which
gradient checks use); the first Dense skips the gradient of the input data, which nobody needs.
"""

import math
import sys
import time
import zipfile
import zlib
from pathlib import Path

import numpy as np

from common.files import atomic_write
from common.functions import cross_entropy_error
from common.layers import Affine, Identity, Relu, Sigmoid, Softmax, SoftmaxWithLoss, Tanh
from common.multi_layer_net import weight_init_scale
from common.optimizer import make_optimizer
from common.rng import rng
from common.trainer import TrainingDiverged

__all__ = ["Sequential", "Dense", "Activation", "History", "CategoricalCrossentropy", "MeanSquaredError",
           "ACTIVATIONS", "LOSSES", "TrainingDiverged"]

ACTIVATIONS = {"relu": Relu, "sigmoid": Sigmoid, "tanh": Tanh, "softmax": Softmax, "linear": Identity}


def _whole_number(value, name, owner, minimum=1):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{owner}: {name} must be a whole number >= {minimum}, got {value!r}")
    return int(value)


# ---------------------------------------------------------------------------------------------
# Layers
# ---------------------------------------------------------------------------------------------

class Dense:
    """A fully connected layer (全結合層): Y = X W + b, i.e. ``common.layers.Affine``.

    units: the number of neurons (outputs). input_shape: ``(inputs,)``, needed only by the first layer
    of a model; later layers take their input size from the layer before. The weights are created when
    the layer joins a model (``Sequential.add``): W drawn from a normal distribution with std given by
    ``weight_init_std`` ('he' = sqrt(2 / inputs) by default, for ReLU; 'xavier' for sigmoid and tanh;
    or a number), b zeros.
    """

    kind = "Dense"

    def __init__(self, units, input_shape=None, weight_init_std="he", name=None):
        self.units = _whole_number(units, "units", "Dense")
        self.input_size = None
        if input_shape is not None:
            shape = (input_shape,) if isinstance(input_shape, (int, np.integer)) else tuple(input_shape)
            if len(shape) != 1:
                raise ValueError(f"Dense takes flat samples: input_shape must be (features,), got {input_shape!r}. "
                                 f"Flatten images first, e.g. x.reshape(len(x), -1) gives (N, 784).")
            self.input_size = _whole_number(shape[0], "input_shape[0]", "Dense")
        weight_init_scale(weight_init_std, 1)  # fails early on a misspelt choice
        self.weight_init_std = weight_init_std
        self.name = name
        self.affine = None  # made by build()

    def build(self, input_size, dtype):
        """Create W (input_size, units) and b (units,) in ``dtype``, drawing from the project's rng()."""
        if self.input_size is not None and self.input_size != input_size:
            raise ValueError(f"{self.name or 'Dense'} was given input_shape=({self.input_size},), but the layer "
                             f"before it outputs {input_size} values")
        self.input_size = input_size
        scale = weight_init_scale(self.weight_init_std, input_size)
        W = (scale * rng().standard_normal((input_size, self.units))).astype(dtype)
        self.affine = Affine(W, np.zeros(self.units, dtype=dtype))

    @property
    def output_size(self):
        return self.units

    @property
    def built(self):
        return self.affine is not None

    def count_params(self):
        """inputs * units weights plus units biases (e.g. 784 * 500 + 500 = 392,500)."""
        return 0 if self.input_size is None else self.input_size * self.units + self.units

    def forward(self, x):
        return self.affine.forward(x)

    def backward(self, dout, input_gradient=True):
        return self.affine.backward(dout, input_gradient=input_gradient)

    def describe(self):
        return "Dense"


class Activation:
    """An activation function (活性化関数) as a layer: 'relu', 'sigmoid', 'tanh', 'softmax' or 'linear'.

    It has no parameters and keeps the number of values: its output shape is its input shape.
    """

    kind = "Activation"

    def __init__(self, activation, name=None):
        key = activation.lower() if isinstance(activation, str) else activation
        if key not in ACTIVATIONS:
            raise ValueError(f"Activation: unknown activation {activation!r}; choose one of "
                             f"{', '.join(repr(k) for k in ACTIVATIONS)}")
        self.activation = key
        self.layer = ACTIVATIONS[key]()
        self.name = name
        self.input_size = None

    def build(self, input_size, dtype):
        self.input_size = input_size

    @property
    def output_size(self):
        return self.input_size

    @property
    def built(self):
        return self.input_size is not None

    def count_params(self):
        return 0

    def forward(self, x):
        return self.layer.forward(x)

    def backward(self, dout, input_gradient=True):
        return self.layer.backward(dout)

    def describe(self):
        return f"Activation: {self.activation}"


# ---------------------------------------------------------------------------------------------
# Losses: forward(y, t) -> number, backward() -> dL/dy
# ---------------------------------------------------------------------------------------------

class CategoricalCrossentropy:
    """Cross-entropy error (交差エントロピー誤差) of probabilities y against one-hot rows t:
    L = -(1/N) sum_n sum_k t_nk log y_nk.

    Written out for probabilities, its gradient is -t / y / N (with the book's 1e-7 added to y). A model
    never uses that chain after its final softmax: it fuses the two into ``SoftmaxWithLoss``, whose
    gradient with respect to the scores is (y - t) / N. This class is the unfused reference.
    """

    name = "categorical_crossentropy"
    delta = 1e-7

    def __init__(self):
        self.y = self.t = None

    def forward(self, y, t):
        self.y, self.t = y, t
        return cross_entropy_error(y, t)

    def backward(self, dout=1):
        return -dout * self.t / (self.y + self.y.dtype.type(self.delta)) / self.y.shape[0]


class MeanSquaredError:
    """L = mean of (y - t)^2 over the N samples and K outputs (Keras' 'mean_squared_error');
    dL/dy = 2 (y - t) / (N K).

    (The book's ``common.functions.mean_squared_error`` is 1/2 of the sum instead: same minimum,
    different size; see notebook 03.)
    """

    name = "mean_squared_error"

    def __init__(self):
        self.diff = None

    def forward(self, y, t):
        self.diff = y - t
        return np.mean(self.diff * self.diff)

    def backward(self, dout=1):
        return self.diff * (2 * dout / self.diff.size)


LOSSES = {"categorical_crossentropy": CategoricalCrossentropy, "mean_squared_error": MeanSquaredError,
          "mse": MeanSquaredError}


def _make_loss(loss):
    if isinstance(loss, str):
        try:
            return LOSSES[loss.lower()]()
        except KeyError:
            raise ValueError(f"compile: unknown loss {loss!r}; choose 'categorical_crossentropy' or "
                             f"'mean_squared_error', or pass an object with forward(y, t) and backward()") from None
    if isinstance(loss, type):
        loss = loss()
    if not (callable(getattr(loss, "forward", None)) and callable(getattr(loss, "backward", None))):
        raise TypeError(f"compile: a loss must be a name or an object with forward(y, t) and backward(), got {loss!r}")
    return loss


# ---------------------------------------------------------------------------------------------
# History and the progress display
# ---------------------------------------------------------------------------------------------

class History:
    """What ``fit`` returns: ``history`` maps 'loss', 'accuracy', 'val_loss', 'val_accuracy' to one value
    per epoch; ``epoch`` lists the epoch numbers (0, 1, ...), as in Keras.

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


def _seconds(value):
    return f"{value:.0f}s" if value >= 1 else f"{value * 1000:.0f}ms"


def _format_logs(logs):
    return "".join(f" - {key}: {value:.4f}" for key, value in logs.items())


def _in_jupyter():
    """True inside a Jupyter (or Colab) kernel, where one output can be redrawn through a display handle."""
    shell = sys.modules.get("IPython")
    if shell is None or "ipykernel" not in sys.modules:
        return False
    ip = shell.get_ipython()
    return ip is not None and hasattr(ip, "kernel")


class ProgressBar:
    """Keras-style progress for ``fit``. verbose=1: 'Epoch 3/10', then a bar redrawn as the steps go,
    '60/60 [==============================] - 2s 28ms/step - loss: 0.0905 - accuracy: 0.9729 - ...';
    verbose=2: one line per epoch. In Jupyter and Colab the bar redraws one output in place; in a
    terminal it redraws with a carriage return; elsewhere (a log file) each epoch's final line is printed.
    """

    WIDTH = 30
    REDRAW_EVERY = 0.1  # seconds: redrawing after every step of a small batch would cost more than the step

    def __init__(self, epochs, steps, verbose):
        self.epochs, self.steps, self.verbose = epochs, steps, verbose
        self.handle, self.lines = None, []
        if verbose == 1 and _in_jupyter():
            from IPython.display import display
            self.mode = "jupyter"
            self.handle = display({"text/plain": ""}, raw=True, display_id=True)
        elif verbose == 1 and getattr(sys.stdout, "isatty", lambda: False)():
            self.mode = "terminal"
        else:
            self.mode = "lines"
        self.started = self.last_drawn = 0.0

    def start_epoch(self, epoch):
        self.epoch = epoch
        self.started = self.last_drawn = time.perf_counter()
        if self.verbose != 1:
            return
        heading = f"Epoch {epoch + 1}/{self.epochs}"
        if self.mode == "jupyter":
            self.lines.append(heading)
        else:
            print(heading, flush=True)

    def _bar(self, step, logs, finished):
        elapsed = time.perf_counter() - self.started
        filled = self.WIDTH * step // self.steps
        arrow = "=" * filled if finished or filled == self.WIDTH else "=" * max(filled - 1, 0) + ">"
        bar = f"{step}/{self.steps} [{arrow:.<{self.WIDTH}}]"
        if finished:
            timing = f" - {_seconds(elapsed)} {_seconds(elapsed / self.steps)}/step"
        else:
            timing = f" - ETA: {_seconds(elapsed / step * (self.steps - step))}"
        return bar + timing + _format_logs(logs)

    def _show(self, text, final):
        if self.mode == "jupyter":
            self.handle.update({"text/plain": "\n".join(self.lines + [text])}, raw=True)
            if final:
                self.lines.append(text)
        elif self.mode == "terminal":
            sys.stdout.write("\r" + text + ("\n" if final else ""))
            sys.stdout.flush()
        elif final:
            print(text, flush=True)

    def update(self, step, logs):
        """After each step: redraw the bar (at most every REDRAW_EVERY seconds)."""
        if self.verbose != 1 or self.mode == "lines":
            return
        now = time.perf_counter()
        if now - self.last_drawn >= self.REDRAW_EVERY:
            self.last_drawn = now
            self._show(self._bar(step, logs, finished=False), final=False)

    def end_epoch(self, logs):
        if self.verbose == 1:
            self._show(self._bar(self.steps, logs, finished=True), final=True)
        elif self.verbose == 2:
            elapsed = time.perf_counter() - self.started
            print(f"Epoch {self.epoch + 1}/{self.epochs} - {_seconds(elapsed)} - "
                  f"{_seconds(elapsed / self.steps)}/step{_format_logs(logs)}", flush=True)


# ---------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------

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
        self.params = {}  # W1, b1, W2, b2, ...: the arrays the Dense layers use (the optimizer updates them)
        self.loss_function = self.optimizer = None
        self.metrics = []
        self.compiled = False
        self.last_loss = None
        self.history = None  # the History of the latest fit
        self._fused = None  # SoftmaxWithLoss when a final softmax meets categorical cross-entropy
        for layer in layers or []:
            self.add(layer)

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
        if isinstance(layer, Dense):
            self.params[f"W{number}"] = layer.affine.W
            self.params[f"b{number}"] = layer.affine.b
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
        self.loss_function = _make_loss(loss)
        self.optimizer = make_optimizer(optimizer, **optimizer_param)
        metrics = list(metrics or [])
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
            self._fused = SoftmaxWithLoss()
        else:
            self._fused = None
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

    # -- forward and backward ---------------------------------------------------------------

    def _as_float(self, a):
        return np.asarray(a, dtype=self.dtype)  # no copy when it already has the model's dtype

    def _forward(self, x, layers):
        for layer in layers:
            x = layer.forward(x)
        return x

    def _loss_and_scores(self, x, t):
        """Forward pass for training: the loss, and the outputs the metric looks at."""
        if self._fused is not None:  # the final softmax and the loss as one node: SoftmaxWithLoss
            scores = self._forward(x, self.layers[:-1])
            return self._fused.forward(scores, t), scores
        y = self._forward(x, self.layers)
        return self.loss_function.forward(y, t), y

    def _backward(self):
        if self._fused is not None:
            dout, layers = self._fused.backward(1), self.layers[:-1]
        else:
            dout, layers = self.loss_function.backward(1), self.layers
        for i in range(len(layers) - 1, -1, -1):
            # the first layer receives the data itself, whose gradient nobody uses: skip computing it
            dout = layers[i].backward(dout, input_gradient=i > 0)

    def loss(self, x, t):
        """The loss for inputs x and answers t (the book's ``network.loss``)."""
        self._require_compiled("loss")
        x, t = self._check_data(x, t, "loss", "t")
        return float(self._loss_and_scores(self._as_float(x), self._as_float(t))[0])

    def gradient(self, x, t):
        """{'W1': dL/dW1, 'b1': ..., ...} by backpropagation (the book's ``network.gradient``);
        the loss of this forward pass is kept in ``last_loss``."""
        self._require_compiled("gradient")
        x, t = self._check_data(x, t, "gradient", "t")
        self.last_loss = float(self._loss_and_scores(self._as_float(x), self._as_float(t))[0])
        self._backward()
        return self._param_grads()

    def numerical_gradient(self, x, t):
        """The same gradients by central differences (slow: for checking ``gradient`` in float64)."""
        from common.gradient import numerical_gradient

        loss_of_params = lambda _: self.loss(x, t)
        return {key: numerical_gradient(loss_of_params, param) for key, param in self.params.items()}

    def _param_grads(self):
        dense = [layer for layer in self.layers if isinstance(layer, Dense)]
        grads = {}
        for number, layer in enumerate(dense, start=1):
            grads[f"W{number}"], grads[f"b{number}"] = layer.affine.dW, layer.affine.db
        return grads

    def train_on_batch(self, x, y):
        """One step of learning on one mini-batch (x, y): forward, backward, one optimizer update.

        Returns [loss, accuracy] measured on the forward pass, before the update (just the loss when
        compiled without metrics), as Keras does. ``fit`` runs this step for every mini-batch.
        """
        self._require_compiled("train_on_batch")
        x, y = self._check_data(x, y, "train_on_batch")
        loss, correct = self._train_step(self._as_float(x), self._as_float(y))
        return [loss, correct / len(x)] if self.metrics else loss

    def _train_step(self, x, t):
        """The step itself, on arrays already checked and in the model's dtype: (loss, correct answers).

        Overflows are not warned about one by one: a loss that is no longer a finite number stops
        training with a TrainingDiverged error that says what to change.
        """
        with np.errstate(over="ignore", invalid="ignore"):
            loss, scores = self._loss_and_scores(x, t)
            loss = float(loss)
            if not math.isfinite(loss):
                self._diverged(f"The loss became {loss}")
            self._backward()
            self.optimizer.update(self.params, self._param_grads())
        correct = np.count_nonzero(scores.argmax(axis=1) == t.argmax(axis=1)) if self.metrics else 0
        return loss, correct

    def _diverged(self, what):
        lr = getattr(self.optimizer, "lr", "?")
        raise TrainingDiverged(f"{what} with {type(self.optimizer).__name__}(lr={lr}): the steps are too large "
                               f"for these inputs. Try a smaller learning rate, or scale the inputs (e.g. pixels "
                               f"/ 255). Training stopped.")

    # -- the Keras methods ------------------------------------------------------------------

    def fit(self, x, y, batch_size=32, epochs=1, verbose=1, validation_data=None, shuffle=True):
        """Train for ``epochs`` passes over (x, y) in mini-batches of ``batch_size``; returns a History.

        shuffle=True: every epoch visits the samples in a new random order (from common.rng), so each
        sample is used exactly once per epoch; the last mini-batch may be smaller. validation_data:
        (x_val, y_val), evaluated after every epoch. verbose: 0 silent, 1 progress bar, 2 a line per epoch.
        """
        self._require_compiled("fit")
        x, y = self._check_data(x, y, "fit")
        batch_size = _whole_number(batch_size, "batch_size", "fit")
        epochs = _whole_number(epochs, "epochs", "fit")
        if verbose not in (0, 1, 2):
            raise ValueError(f"fit: verbose must be 0 (silent), 1 (progress bar) or 2 (one line per epoch), "
                             f"got {verbose!r}")
        if len(x) == 0:
            raise ValueError("fit: there are no samples to learn from (x is empty)")
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ValueError("fit: validation_data must be a pair (x_val, y_val)")
            x_val, y_val = self._check_data(*validation_data, "fit", "y_val")

        n = len(x)
        steps = math.ceil(n / batch_size)
        history = History({"epochs": epochs, "steps": steps, "batch_size": batch_size, "verbose": verbose})
        progress = ProgressBar(epochs, steps, verbose)
        for epoch in range(epochs):
            progress.start_epoch(epoch)
            order = rng().permutation(n) if shuffle else None
            loss_sum, correct, seen = 0.0, 0, 0
            for step in range(steps):
                rows = slice(step * batch_size, min((step + 1) * batch_size, n))
                if shuffle:
                    rows = order[rows]
                x_batch, t_batch = self._as_float(x[rows]), self._as_float(y[rows])
                loss, right = self._train_step(x_batch, t_batch)
                count = len(x_batch)
                loss_sum, correct, seen = loss_sum + loss * count, correct + right, seen + count
                logs = {"loss": loss_sum / seen}
                if self.metrics:
                    logs["accuracy"] = correct / seen
                progress.update(step + 1, logs)
            if not all(np.all(np.isfinite(param)) for param in self.params.values()):
                self._diverged(f"Some weights became infinite or NaN in epoch {epoch + 1}")
            if validation_data is not None:
                results = self._evaluate(x_val, y_val, batch_size)
                logs["val_loss"] = results[0]
                if self.metrics:
                    logs["val_accuracy"] = results[1]
            history.append(epoch, logs)
            progress.end_epoch(logs)
        self.history = history
        return history

    def _evaluate(self, x, y, batch_size):
        loss_sum, correct = 0.0, 0
        for start in range(0, len(x), batch_size):
            x_batch = self._as_float(x[start:start + batch_size])
            t_batch = self._as_float(y[start:start + batch_size])
            loss, scores = self._loss_and_scores(x_batch, t_batch)
            loss_sum += float(loss) * len(x_batch)
            if self.metrics:
                correct += np.count_nonzero(scores.argmax(axis=1) == t_batch.argmax(axis=1))
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
        batch_size = _whole_number(batch_size, "batch_size", "evaluate")
        if len(x) == 0:
            raise ValueError("evaluate: there are no samples (x is empty)")
        results = self._evaluate(x, y, batch_size)
        if verbose:
            print(" - ".join(f"{name}: {value:.4f}" for name, value in zip(["loss"] + self.metrics, results)))
        return results if self.metrics else results[0]

    def predict(self, x, batch_size=1000):
        """The model's outputs for inputs x, shape (N, outputs): after a final softmax, the probability
        of each class. Needs no compile."""
        x = self._check_x(x, "predict")
        batch_size = _whole_number(batch_size, "batch_size", "predict")
        outputs = [self._forward(self._as_float(x[start:start + batch_size]), self.layers)
                   for start in range(0, len(x), batch_size)]
        return np.concatenate(outputs) if outputs else np.zeros((0, self.output_size), self.dtype)

    def accuracy(self, x, t, batch_size=1000):
        """The share of samples whose highest output is the right class; t one-hot or class numbers."""
        t = np.asarray(t)
        labels = t.argmax(axis=1) if t.ndim == 2 else t
        if len(labels) != len(x):
            raise ValueError(f"Sequential.accuracy: x has {len(x)} samples but t has {len(labels)}")
        predicted = self.predict(x, batch_size).argmax(axis=1)
        return float(np.mean(predicted == labels)) if len(labels) else 0.0

    # -- saving and loading weights ---------------------------------------------------------

    def save_weights(self, filepath):
        """Write every parameter (W1, b1, W2, ...) to an .npz file: plain arrays, no pickle.

        The file is written to a temporary name first and then renamed, so it is never half-written.
        """
        if not self.params:
            raise ValueError("save_weights: the model has no weights (no Dense layer)")
        path = Path(filepath)
        atomic_write(path, lambda file: np.savez(file, **self.params))
        return path

    def load_weights(self, filepath):
        """Read weights written by ``save_weights`` into this model (same layer sizes needed).

        Loaded with ``allow_pickle=False``: a file can only ever give arrays, never run code. Every name
        and shape is checked before anything is changed, so a bad file leaves the model as it was.
        """
        path = Path(filepath)
        if not path.is_file():
            raise FileNotFoundError(f"load_weights: no file {path}")
        try:
            with open(path, "rb") as file, np.load(file, allow_pickle=False) as npz:
                arrays = {key: npz[key] for key in npz.files}
        except (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error, AttributeError) as error:
            raise ValueError(f"load_weights: {path} is not a readable .npz file of weights "
                             f"({type(error).__name__}: {error})") from None
        if set(arrays) != set(self.params):
            raise ValueError(f"load_weights: {path.name} holds {sorted(arrays)}, but this model's parameters "
                             f"are {list(self.params)}: it was saved from a model with other layers")
        for key, param in self.params.items():
            array = arrays[key]
            if array.shape != param.shape:
                raise ValueError(f"load_weights: {key} in {path.name} has shape {array.shape}, this model's "
                                 f"{key} has shape {param.shape}: it was saved from a model with other layer sizes")
            if not np.issubdtype(array.dtype, np.floating):
                raise ValueError(f"load_weights: {key} in {path.name} has dtype {array.dtype}, expected floats")
            if not np.all(np.isfinite(array)):
                raise ValueError(f"load_weights: {key} in {path.name} contains NaN or infinity")
        for key, param in self.params.items():
            param[...] = arrays[key]  # in place: the layers and the optimizer keep using these arrays
        return self
