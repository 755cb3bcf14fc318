"""The network core (ネットワークの骨組み): ordered layers plus a loss layer, written once for every network.

Introduced in notebook 05, section 5.7, where the book's TwoLayerNet runs its layers in a loop; every
network of the later chapters (MultiLayerNet, MultiLayerNetExtend, Sequential, SimpleConvNet,
DeepConvNet) is this same loop with other layers in it.

    predict(x)   =  x -> layer 1 -> layer 2 -> ... -> scores
    loss(x, t)   =  last_layer(predict(x), t)  (+ 1/2 lambda sum ||W||^2 with weight decay)
    gradient     =  loss forward, then every layer's backward in reverse order

A network is made by giving ``LayerNet`` its layers (a dict, in the order the data flows) and a last
layer (``SoftmaxWithLoss`` for a classifier). Parameters are found in the layers and named as the
book names them: the k-th layer that has a ``W`` gives ``Wk`` and ``bk``, the k-th batch norm gives
``gammak`` and ``betak``. ``params`` maps those names to the very arrays the layers use, so an
optimizer that updates ``params[key]`` in place updates the layers. Assigning a new array,
``params[key] = ...``, also works: it hands the new array to the layer.
"""

import math
from pathlib import Path

import numpy as np

from common.files import atomic_write, sha256_file
from common.gradient import numerical_gradient

__all__ = ["LayerNet", "ParamDict"]


class ParamDict(dict):
    """{'W1': array, 'b1': array, ...} whose entries are the arrays inside the layers.

    Reading an entry gives the layer's own array; assigning one (``params['W1'] = new``) gives the
    layer the new array too, after checking its shape. (With a plain dict, the book's networks keep
    using the old array and silently stop learning.)
    """

    def __init__(self, owners):
        self._owners = owners  # {'W1': (layer, 'W'), ...}
        super().__init__((key, getattr(layer, attr)) for key, (layer, attr) in owners.items())

    def __setitem__(self, key, value):
        if key not in self._owners:
            raise KeyError(f"{key!r} is not a parameter of this network; its parameters are {list(self)}")
        layer, attr = self._owners[key]
        old = getattr(layer, attr)
        if value is old and dict.get(self, key) is old:
            return  # `params[key] -= step` updated the array in place, then assigns it back to itself
        value = np.asarray(value)
        if value.shape != old.shape:
            raise ValueError(f"params[{key!r}] must keep its shape {old.shape}, got an array of shape {value.shape}")
        setattr(layer, attr, value)
        super().__setitem__(key, value)

    def owner(self, key):
        """(layer, attribute name) that holds parameter ``key``."""
        return self._owners[key]


class LayerNet:
    """Layers in order, a last (loss) layer, and everything a network does with them.

    layers: {name: layer} in the order the data flows through them (each speaks the protocol of
        ``common.layers.Layer``: forward(x, train_flg), backward(dout)).
    last_layer: forward(scores, t) -> loss, backward(1) -> dL/dscores (e.g. SoftmaxWithLoss).
    input_shape: the shape of one sample, e.g. (784,) or (1, 28, 28); inputs are checked against it.
    dtype: float32 for training (fast), float64 for gradient checks; inputs are converted to it.
    weight_decay_lambda: lambda of weight decay (荷重減衰) on every weight W (0 turns it off).
    """

    # Rows per chunk in accuracy(): only memory and speed depend on it. Chunks of 1,000 images keep the
    # intermediate arrays small enough to stay in the processor's cache: measured 12 % faster than
    # 10,000 (and than everything at once) for MNIST on a 784-50-10 network.
    accuracy_batch_size = 1000

    def __init__(self, layers, last_layer, input_shape=None, dtype=np.float32, weight_decay_lambda=0):
        if not layers:
            raise ValueError(f"{type(self).__name__}: a network needs at least one layer")
        if not (isinstance(weight_decay_lambda, (int, float, np.number)) and not isinstance(weight_decay_lambda, bool)
                and math.isfinite(weight_decay_lambda) and weight_decay_lambda >= 0):
            raise ValueError(f"{type(self).__name__}: weight_decay_lambda must be a finite number >= 0, "
                             f"got {weight_decay_lambda!r}")
        self.layers = dict(layers)
        self.last_layer = last_layer
        self.input_shape = None if input_shape is None else tuple(int(n) for n in input_shape)
        self.dtype = np.dtype(dtype)
        self.weight_decay_lambda = weight_decay_lambda
        self.last_loss = None  # the loss of the latest gradient() call (the Trainer reports it)
        self.last_scores = None  # the scores of the latest loss() call (what a metric looks at)
        self.label = type(self).__name__  # who speaks in error messages
        self.params = ParamDict(self._name_parameters())

    def _name_parameters(self):
        """{'W1': (layer, 'W'), 'b1': (layer, 'b'), ...}: the k-th layer holding a W gives W<k>, b<k>."""
        owners, counts = {}, {}
        for layer in self.layers.values():
            for attr in getattr(layer, "param_names", ()):
                counts[attr] = counts.get(attr, 0) + 1
                owners[f"{attr}{counts[attr]}"] = (layer, attr)
        return owners

    # -- inputs ---------------------------------------------------------------------------

    def _check_input(self, x, method="predict"):
        """x as an array of this network's dtype, after checking that each sample has input_shape."""
        x = np.asarray(x)
        name = f"{self.label}.{method}"
        if x.dtype.kind not in "fiu":  # floats, signed or unsigned integers
            raise ValueError(f"{name} expected numbers, got an array of dtype {x.dtype}")
        if self.input_shape is not None and x.shape[1:] != self.input_shape:
            expected = "(N, " + ", ".join(map(str, self.input_shape)) + ")"
            hint = ""
            if x.ndim >= 1 and math.prod(x.shape[1:]) == math.prod(self.input_shape):
                hint = (" (load MNIST with flatten=True, or x.reshape(len(x), -1))" if len(self.input_shape) == 1
                        else f" (load MNIST with flatten=False, or x.reshape(-1, {', '.join(map(str, self.input_shape))}))")
            elif x.shape == self.input_shape:
                hint = " (one sample? make it a batch of one: x[np.newaxis])"
            raise ValueError(f"{name} expected input of shape {expected}, got {x.shape}{hint}")
        return x.astype(self.dtype, copy=False)

    # -- forward --------------------------------------------------------------------------

    def predict(self, x, train_flg=False):
        """The scores: x passed through every layer in order (not through the last, loss, layer)."""
        x = self._check_input(x)
        before = None   # the first layer gets the caller's x, which is never overwritten
        for layer in self.layers.values():
            # A layer that can (Relu) may write its output into x when x is the new output of the
            # layer before (out_is_new), which nothing else holds: one array less per step.
            if getattr(layer, "can_overwrite_x", False) and getattr(before, "out_is_new", False):
                x = layer.forward(x, train_flg, overwrite_x=True)
            else:
                x = layer.forward(x, train_flg)
            before = layer
        return x

    def weight_decay(self):
        """1/2 * lambda * (sum of the squares of every weight W's entries); 0 without weight decay."""
        if not self.weight_decay_lambda:
            return 0.0
        return 0.5 * self.weight_decay_lambda * sum(
            float(np.sum(self.params[key] ** 2)) for key, (_, attr) in self.params._owners.items() if attr == "W")

    def loss(self, x, t, train_flg=False):
        """The last layer's loss of the scores against the answers t, plus the weight-decay term."""
        self.last_scores = self.predict(x, train_flg)
        return self.last_layer.forward(self.last_scores, t) + self.weight_decay()

    def accuracy(self, x, t, batch_size=None):
        """The share of samples whose highest score is the correct class (t: labels or one-hot rows).

        Works through x in chunks of ``batch_size`` rows: the answer is the same, but the temporary
        arrays stay small.
        """
        t = np.asarray(t)
        if t.ndim == 2 and t.shape[1] == 1:
            t = t[:, 0]  # labels as a column (N, 1)
        if t.ndim not in (1, 2):
            raise ValueError(f"{self.label}.accuracy expected labels (N,) or one-hot rows (N, classes), "
                             f"got t of shape {t.shape}")
        if len(t) != len(x):
            raise ValueError(f"{self.label}.accuracy: x has {len(x)} samples but t has {len(t)}; "
                             f"they must come in pairs (train images with train labels)")
        if len(t) == 0:
            raise ValueError(f"{self.label}.accuracy got no samples (x and t are empty): there is nothing to score")
        batch_size = self.accuracy_batch_size if batch_size is None else batch_size
        correct = 0
        for start in range(0, len(t), batch_size):
            scores = self.predict(x[start:start + batch_size], train_flg=False)
            answers = t[start:start + batch_size]
            if answers.ndim == 2:
                if answers.shape[1] != scores.shape[1]:
                    raise ValueError(f"{self.label}.accuracy: one-hot labels have {answers.shape[1]} "
                                     f"columns but the network has {scores.shape[1]} outputs")
                answers = answers.argmax(axis=1)
            elif answers.min() < 0 or answers.max() >= scores.shape[1]:
                raise ValueError(f"{self.label}.accuracy: labels must lie in 0..{scores.shape[1] - 1} (the network "
                                 f"has {scores.shape[1]} outputs), got {answers.min()}..{answers.max()}")
            correct += np.count_nonzero(scores.argmax(axis=1) == answers)
        return correct / len(t)

    # -- gradients ------------------------------------------------------------------------

    def gradient(self, x, t):
        """dL/d(every parameter) by backpropagation: one forward pass (training mode), one backward pass.

        Returns {'W1': ..., 'b1': ..., ...}; the loss of the forward pass is kept in ``last_loss``.
        """
        self.last_loss = self.loss(x, t, train_flg=True)  # every layer keeps what its backward needs
        dout = self.last_layer.backward(1)
        layers = list(self.layers.values())
        for layer, after in zip(reversed(layers[1:]), reversed(layers[2:] + [self.last_layer])):
            # A layer that can (Relu) may write its dx into dout when dout is the new array that the
            # layer after it made for this call alone (an Affine's dx): one array less per step.
            if getattr(layer, "can_overwrite_dout", False) and getattr(after, "dx_is_new", False):
                dout = layer.backward(dout, overwrite_dout=True)
            else:
                dout = layer.backward(dout)
        # The first layer's input is the data itself: nobody needs dL/dx, and skipping it saves a
        # large share of the arithmetic of a training step (a third for a two-layer network).
        if getattr(layers[0], "skips_input_gradient", False):
            layers[0].backward(dout, input_gradient=False)
        else:
            layers[0].backward(dout)
        return self._parameter_gradients()

    def _parameter_gradients(self):
        grads = {}
        for key, (layer, attr) in self.params._owners.items():
            grad = getattr(layer, "d" + attr)
            if attr == "W" and self.weight_decay_lambda:
                grad = grad + self.weight_decay_lambda * getattr(layer, attr)  # d/dW of 1/2 lambda ||W||^2
            grads[key] = grad
        return grads

    def numerical_gradient(self, x, t):
        """The same gradients by central differences (section 4.4), always computed in float64.

        In float32 a nudge of h = 1e-4 loses most of the digits, and the check would look broken;
        so for the duration of the check every parameter is replaced by a float64 copy (nudged one
        element at a time), then the network gets its own arrays back, unchanged, with its running
        statistics (batch norm) as they were. Slow: for checking ``gradient`` on a few samples.
        """
        originals = dict(self.params)
        dtype, states = self.dtype, self._layer_states()
        try:
            self.dtype = np.dtype(np.float64)
            for key, array in originals.items():
                self.params[key] = array.astype(np.float64)
            loss_of_params = lambda _: self.loss(x, t, train_flg=True)
            return {key: numerical_gradient(loss_of_params, self.params[key]) for key in originals}
        finally:
            self.dtype = dtype
            for key, array in originals.items():
                self.params[key] = array
            self._restore_layer_states(states)

    def _layer_states(self):
        """Copies of what layers keep between calls besides parameters (batch norm's running averages)."""
        return [(layer, {name: np.copy(getattr(layer, name)) for name in getattr(layer, "state_names", ())
                         if getattr(layer, name) is not None})
                for layer in self.layers.values()]

    @staticmethod
    def _restore_layer_states(states):
        for layer, saved in states:
            for name, value in saved.items():
                setattr(layer, name, value)

    # -- saving and loading ---------------------------------------------------------------

    @staticmethod
    def _params_path(file_name):
        """The .npz path for ``file_name``: the book's 'params.pkl' becomes 'params.npz' (no pickle here)."""
        path = Path(file_name)
        return path.with_suffix(".npz") if path.suffix in (".pkl", "") else path

    def save_params(self, file_name="params.npz", checksum=True):
        """Write every parameter to an .npz file (plain arrays) and, with ``checksum``, its SHA-256
        to ``<file>.sha256`` (what ``sha256sum`` prints), which ``load_params`` then verifies.

        The book writes a pickle file; a book-style name such as 'params.pkl' is written as
        'params.npz'. The file is written under a temporary name and renamed, so it is never
        half-written. Returns the path written.
        """
        path = self._params_path(file_name)
        atomic_write(path, lambda file: np.savez(file, **self.params))
        if checksum:
            sha_path = path.with_name(path.name + ".sha256")
            atomic_write(sha_path, lambda file: file.write(f"{sha256_file(path)}  {path.name}\n".encode()))
        return path

    def load_params(self, file_name="params.npz"):
        """Read parameters written by ``save_params`` into this network, in place.

        Loaded with ``allow_pickle=False``, so a file can only ever give arrays, never run code. If a
        ``.sha256`` file lies beside it, the file must match it. Every name, shape and value is checked
        before anything changes, so a bad file leaves the network as it was.
        """
        path = self._params_path(file_name)
        if not path.is_file():
            raise FileNotFoundError(f"{self.label}.load_params: no file {path}")
        checksum = path.with_name(path.name + ".sha256")
        if checksum.is_file():
            words = checksum.read_text(errors="replace").split()
            if sha256_file(path) != (words[0].lower() if words else ""):
                raise ValueError(f"{path} does not match the SHA-256 in {checksum.name}: the file is damaged or "
                                 f"was changed. Save it again (save_params) or download it again.")
        try:
            with open(path, "rb") as file, np.load(file, allow_pickle=False) as npz:
                arrays = {key: npz[key] for key in npz.files}
        except Exception as error:  # a zip that is not an .npz, a truncated file, an .npy, ...
            raise ValueError(f"{path} is not a readable .npz file of parameters "
                             f"({type(error).__name__}: {error})") from None
        if set(arrays) != set(self.params):
            raise ValueError(f"{path.name} holds {sorted(arrays)}, but this network's parameters are "
                             f"{list(self.params)}: it was saved from a network with other layers")
        for key, param in self.params.items():
            array = arrays[key]
            if array.shape != param.shape:
                raise ValueError(f"{key} in {path.name} has shape {array.shape}, this network's {key} has shape "
                                 f"{param.shape}: it was saved from a network with other layer sizes")
            if not np.issubdtype(array.dtype, np.floating):
                raise ValueError(f"{key} in {path.name} has dtype {array.dtype}, expected floating-point numbers")
            if not np.all(np.isfinite(array)):
                raise ValueError(f"{key} in {path.name} contains NaN or infinity")
        for key, param in self.params.items():
            param[...] = arrays[key]  # in place: the layers and any optimizer keep using these arrays
        return self
