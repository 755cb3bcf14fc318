"""Layers (レイヤ) for backpropagation (誤差逆伝播法): each one a node of the computational graph.

Introduced in notebook 05 (sections 5.4-5.6).

Every layer of a network speaks one protocol (the base class ``Layer`` below):

    out = layer.forward(x, train_flg=False)   # computes the output and keeps what backward will need
    dx = layer.backward(dout)                 # dout = dL/d(out) from the layer above; returns dL/dx

``train_flg`` tells layers that behave differently while training (BatchNormalization, Dropout) which
mode they are in; every other layer accepts it and ignores it. A layer with parameters names them in
``param_names`` (Affine: ``("W", "b")``) and keeps each one as an attribute of that name (``layer.W``)
with its gradient beside it after ``backward`` (``layer.dW``): the book's names, which its scripts read.
No layer ever writes into an array it was given (the book's ReLU backward sets ``dout[mask] = 0``,
which silently changes the caller's array; ours builds a new one).

MulLayer and AddLayer (section 5.4) take two inputs; they are the first examples of the idea, not
parts of a network, so they keep the book's two-argument form.
"""

import numpy as np

from common.functions import __all__ as _function_names
from common.functions import *  # noqa: F401,F403  (the book's layers module re-exports them)
from common.functions import as_batch, sigmoid, softmax, tanh
from common.rng import rng as project_rng
from common.util import col2im, im2col, image_windows, image_windows_backward  # noqa: F401  (col2im, im2col: re-exported as in the book)

__all__ = ["Layer", "MulLayer", "AddLayer", "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "BatchNormalization",
           "Dropout", "Tanh", "Softmax", "Identity", "Convolution", "Pooling", "im2col", "col2im",
           *_function_names]


def _row_max(x):
    """The largest value of each row of a batch, as a column (N, 1): x.max(axis=1, keepdims=True).

    The same numbers, computed faster: for short rows (10 scores) NumPy's reduction along axis 1
    runs a separate small loop per row, while a transposed copy reduced along axis 0 compares whole
    rows at a time, about three times faster for a batch of 100. It matters because it runs in every
    training step.
    """
    return np.ascontiguousarray(x.T).max(axis=0)[:, np.newaxis]


class Layer:
    """What every layer of a network shares.

    ``param_names``: the names of the layer's parameters, e.g. ("W", "b"). Each is an attribute
    (``self.W``) and, after ``backward``, has its gradient in ``"d" + name`` (``self.dW``).
    ``state_names``: other arrays the layer keeps between calls (batch norm's running averages).
    ``skips_input_gradient``: True for layers whose ``backward(dout, input_gradient=False)`` can skip
    computing dL/dx; a network's first layer receives the data, whose gradient nobody needs.
    ``dx_is_new``: True for layers whose backward returns dx as a new array that nothing else holds.
    ``can_overwrite_dout``: True for layers whose ``backward(dout, overwrite_dout=True)`` may write dx
    into dout itself. The network core (common.layer_net) asks for that only when dout comes from a
    layer with ``dx_is_new``: then no other part of the program can see the change.
    ``out_is_new`` and ``can_overwrite_x``: the same for forward, ``forward(x, train_flg, overwrite_x=True)``.
    """

    param_names = ()
    state_names = ()  # what the layer keeps between calls besides parameters (running averages)
    skips_input_gradient = False
    dx_is_new = False
    can_overwrite_dout = False
    out_is_new = False
    can_overwrite_x = False

    def forward(self, x, train_flg=False):
        raise NotImplementedError

    def backward(self, dout):
        raise NotImplementedError

    def param_items(self):
        """[(name, array), ...] of this layer's parameters, in ``param_names`` order."""
        return [(name, getattr(self, name)) for name in self.param_names]

    def grad_items(self):
        """[(name, gradient), ...] as computed by the latest ``backward``."""
        return [(name, getattr(self, "d" + name)) for name in self.param_names]

    def _check_dout(self, dout, shape):
        """dout as an array of ``shape`` (the shape forward returned), or a ValueError saying why not."""
        if shape is None:
            raise RuntimeError(f"{type(self).__name__}.backward was called before forward: run forward first, "
                               f"it keeps what backward needs")
        dout = np.asarray(dout)
        if dout.shape != tuple(shape):
            raise ValueError(f"{type(self).__name__}.backward expected dout of shape {tuple(shape)} (the shape "
                             f"forward returned), got {dout.shape}")
        return dout


class MulLayer:
    """z = x * y. Backward swaps the inputs: dz/dx = y, dz/dy = x."""

    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        self.x, self.y = x, y
        return x * y

    def backward(self, dout):
        return dout * self.y, dout * self.x


class AddLayer:
    """z = x + y. Backward passes the gradient through unchanged to both inputs: dz/dx = dz/dy = 1."""

    def forward(self, x, y):
        return x + y

    def backward(self, dout):
        return dout, dout


class Relu(Layer):
    """y = max(0, x). Backward lets the gradient through where x > 0 and blocks it (0) elsewhere.

    ``mask`` is True where the input was positive, i.e. where the gradient flows.
    """

    def __init__(self):
        self.mask = None
        self._zeros = None  # zeros shaped like one sample, see forward

    can_overwrite_x = True

    def forward(self, x, train_flg=False, overwrite_x=False):
        """y = max(0, x): a new array, unless ``overwrite_x=True``: then y is written into x itself.

        common's networks ask for that only where x is the new output of the layer before (an Affine
        or a Convolution), which nothing else holds: 3 % of a SimpleConvNet step (6.9 MB less to write).
        """
        x = np.asarray(x)
        self.mask = x > 0
        # max(x, 0) element by element; np.maximum makes a new array (x is left alone) unless out=x.
        # The 0 is given as an array of zeros shaped like one sample rather than as the number 0:
        # the numbers are the same, but NumPy then runs its vectorised loop, about 3x faster on a
        # convolution layer's output (535 -> 158 microseconds for 100 x 30 x 24 x 24 values).
        sample_shape = x.shape[1:] if x.ndim > 1 else x.shape
        if self._zeros is None or self._zeros.shape != sample_shape or self._zeros.dtype != x.dtype:
            self._zeros = np.zeros(sample_shape, dtype=x.dtype)
        return np.maximum(x, self._zeros, out=x if overwrite_x else None)

    can_overwrite_dout = True

    def backward(self, dout, overwrite_dout=False):
        """dx = dout where x > 0, else 0: a new array, and dout is untouched.

        With ``overwrite_dout=True`` the zeros are written into dout itself, which is returned (what
        the book's Relu always does). That saves a fresh array per step, up to 1 % of a training step
        of notebook 09's model, but is only safe when nothing else holds dout (notebook 05 shows what
        goes wrong otherwise): common's networks ask for it only where dout is the new dx of an Affine.
        """
        dout = self._check_dout(dout, None if self.mask is None else self.mask.shape)
        if overwrite_dout:
            return np.multiply(dout, self.mask, out=dout)
        # A new array (True counts as 1, False as 0); dout is untouched. dx is laid out in memory as the
        # input x was (empty_like copies the mask's layout): the layer before reads it fastest that way,
        # e.g. a Convolution, whose output is stored pixel by pixel (2-3 % of a SimpleConvNet step).
        dx = np.empty_like(self.mask, dtype=np.result_type(dout, self.mask))
        return np.multiply(dout, self.mask, out=dx)


class Sigmoid(Layer):
    """y = 1 / (1 + exp(-x)). Backward uses dy/dx = y (1 - y), so only the output y is kept."""

    def __init__(self):
        self.out = None

    def forward(self, x, train_flg=False):
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        dout = self._check_dout(dout, None if self.out is None else self.out.shape)
        return dout * self.out * (1 - self.out)


class Affine(Layer):
    """Y = X W + b for a batch X of shape (N, inputs); W has shape (inputs, outputs), b (outputs,).

    Backward:  dX = dY W^T,   dW = X^T dY,   db = sum of dY over the batch (axis 0),
    because every row of the batch used the same b. Inputs with more axes, such as images
    (N, 1, 28, 28), are flattened to (N, 784) for the product, and dX is given back in their shape.
    """

    param_names = ("W", "b")
    skips_input_gradient = True
    dx_is_new = True   # dX = dY W^T is computed afresh by every backward, and the layer keeps no reference
    out_is_new = True  # the same for forward's output Y

    def __init__(self, W, b):
        W, b = np.asarray(W), np.asarray(b)
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ValueError(f"Affine expected W of shape (inputs, outputs) and b of shape (outputs,), "
                             f"got W {W.shape} and b {b.shape}")
        if W.dtype.kind != "f" or b.dtype.kind != "f":
            # An optimizer updates W and b in place, which cannot store fractions in an integer array.
            raise ValueError(f"Affine expected floating-point W and b, got {W.dtype} and {b.dtype}: "
                             f"make them with .astype(np.float32)")
        self.W, self.b = W, b
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x, train_flg=False):
        x = np.asarray(x)
        inputs = self.W.shape[0]
        if x.ndim < 2 or x.size != x.shape[0] * inputs:
            hint = " (one sample? make it a batch of one: x.reshape(1, -1))" if x.ndim == 1 else ""
            raise ValueError(f"Affine expected input of shape (N, {inputs}), got {x.shape}{hint}")
        self.original_x_shape = x.shape
        self.x = x.reshape(x.shape[0], inputs)
        out = self.x @ self.W
        out += self.b  # adding in place saves a second (N, outputs) array; out is our own
        return out

    def backward(self, dout, input_gradient=True):
        """Store dW and db; return dX, or None with ``input_gradient=False``.

        A network's first layer receives the data itself, whose gradient nobody uses: skipping the
        product dY W^T there saves a third of the work of a training step.
        """
        dout = self._check_dout(dout, None if self.x is None else (self.x.shape[0], self.W.shape[1]))
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        if not input_gradient:
            return None
        if self.x.flags.f_contiguous and not self.x.flags.c_contiguous:
            # x was stored sample-innermost (the output of a Pooling after a Convolution is): dX is given
            # the same layout, (W dY^T)^T, the same numbers, so that the layer before reads it in order.
            return (self.W @ dout.T).T.reshape(self.original_x_shape)
        return (dout @ self.W.T).reshape(self.original_x_shape)


class SoftmaxWithLoss:
    """Softmax followed by the cross-entropy error, as one layer (the last layer of a classifier).

    Forward returns the loss L = -(1/N) sum_n log y_n,t_n (a number) for scores x and answers t
    (one-hot rows or class labels). Backward returns dL/dx = (y - t) / N: the difference between
    the predicted probabilities and the correct answer, averaged over the batch of N. Softmax and
    cross-entropy are made for each other: their derivatives cancel into this clean form, as the
    identity output and squared error do.

    Unlike the book, the loss is computed as log-softmax (log y = x - max - log(sum exp(x - max)))
    instead of log(y + 1e-7):
    it is never -inf, and it is exactly the function whose derivative backward returns, so a
    gradient check agrees to rounding error rather than to the size of that 1e-7.
    """

    def __init__(self):
        self.loss = None
        self.y = None  # softmax output
        self.t = None  # correct answers: one-hot rows or class labels
        self.input_shape = None
        self._rows = None  # 0, 1, ..., N-1: the row numbers, to pick each row's correct class

    def forward(self, x, t):
        self.input_shape = x.shape if isinstance(x, np.ndarray) else np.shape(x)
        x, self.t, one_hot = as_batch(x, t, name="SoftmaxWithLoss")
        # softmax and log-softmax from the same pieces (see common.functions.log_softmax):
        # with s = x - max(x), y = exp(s) / total and log y = s - log(total).
        shifted = x - _row_max(x)
        exp = np.exp(shifted)
        total = exp.sum(axis=1, keepdims=True)
        exp /= total  # exp is our own array: dividing in place saves a copy
        self.y = exp
        batch_size = x.shape[0]
        if one_hot:
            self.loss = -np.sum(self.t * (shifted - np.log(total))) / batch_size
        else:
            self._rows = np.arange(batch_size)  # row n's correct score is shifted[n, t[n]]; backward uses it too
            self.loss = -(shifted[self._rows, self.t] - np.log(total[:, 0])).sum() / batch_size
        return self.loss

    def backward(self, dout=1):
        if self.y is None:
            raise RuntimeError("SoftmaxWithLoss.backward was called before forward: run forward first, "
                               "it keeps what backward needs")
        batch_size = self.y.shape[0]
        if self.t.shape == self.y.shape:  # one-hot
            dx = self.y - self.t
        else:  # labels: subtract 1 at the correct class of each row, without building one-hot rows
            dx = self.y.copy()
            dx[self._rows, self.t] -= 1
        dx *= dout / batch_size  # dx is our own new array here, so scaling it in place is safe
        return dx.reshape(self.input_shape)


class BatchNormalization(Layer):
    """Batch normalisation (Ioffe and Szegedy, 2015): normalise each feature over the batch, then
    scale and shift it with learned parameters gamma and beta.

    Introduced in notebook 06, section 6.3.

    Training (train_flg=True), for a batch x of shape (N, D), per feature (column):
        mu = mean(x),  xc = x - mu,  var = mean(xc**2),  std = sqrt(var + eps),
        xn = xc / std,  out = gamma * xn + beta
    and running averages of mu and var are kept (running = momentum * running + (1 - momentum) * new)
    for inference (train_flg=False), where one image must not depend on the others in its batch.
    A batch of one is allowed, as in the book's gradient check: its variance is 0, so xn = 0 and the
    output is beta (eps keeps the division finite); training on such batches teaches gamma nothing.

    Backward follows the computational graph of those lines, node by node (notebook 06 draws it).
    It needs a forward pass in training mode: in inference mode the output does not depend on the
    batch statistics, and the book's layer would silently reuse the previous training batch.
    Inputs with more axes are flattened to (N, D) and restored.

    eps = 1e-6, the book's value (written ``10e-7`` there).
    """

    param_names = ("gamma", "beta")
    state_names = ("running_mean", "running_var")
    dx_is_new = True   # dx is computed afresh by every backward
    out_is_new = True  # the same for forward's output

    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None, eps=1e-6):
        self.gamma, self.beta = np.asarray(gamma), np.asarray(beta)
        if self.gamma.ndim != 1 or self.beta.shape != self.gamma.shape:
            raise ValueError(f"BatchNormalization expected gamma and beta of the same shape (D,), "
                             f"got {self.gamma.shape} and {self.beta.shape}")
        if not 0 <= momentum < 1:
            raise ValueError(f"BatchNormalization: momentum must be at least 0 and below 1, got {momentum!r}")
        if not eps > 0:
            raise ValueError(f"BatchNormalization: eps must be a small positive number, got {eps!r}")
        self.momentum, self.eps = momentum, eps
        # Copies: the running statistics change as we train, and we never modify arrays we were given.
        self.running_mean = None if running_mean is None else np.array(running_mean)
        self.running_var = None if running_var is None else np.array(running_var)
        self.input_shape = None
        self.batch_size = self.xc = self.xn = self.std = None
        self.dgamma = self.dbeta = None

    def forward(self, x, train_flg=True):
        x = np.asarray(x)
        self.input_shape = x.shape
        if x.ndim < 2 or x.shape[0] == 0:
            raise ValueError(f"BatchNormalization expected a batch of shape (N, {self.gamma.shape[0]}) with N >= 1, "
                             f"got {x.shape}")
        x = x.reshape(x.shape[0], -1)
        if x.shape[1] != self.gamma.shape[0]:
            raise ValueError(f"BatchNormalization expected {self.gamma.shape[0]} features per sample, got {self.input_shape}")
        if self.running_mean is None:
            self.running_mean = np.zeros(x.shape[1], dtype=x.dtype)
            self.running_var = np.ones(x.shape[1], dtype=x.dtype)

        if train_flg:
            mu = x.mean(axis=0)
            xc = x - mu
            var = np.mean(xc ** 2, axis=0)
            std = np.sqrt(var + self.eps)
            xn = xc / std
            self.batch_size, self.xc, self.xn, self.std = x.shape[0], xc, xn, std
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
        else:
            self.xn = None  # no training batch to differentiate through (see backward)
            xn = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)

        out = self.gamma * xn + self.beta
        return out.reshape(self.input_shape)

    def backward(self, dout):
        if self.xn is None:
            raise RuntimeError("BatchNormalization.backward needs a forward pass in training mode "
                               "(forward(x, train_flg=True)): in inference mode the layer uses its running "
                               "averages, and there is no batch to differentiate through")
        dout = self._check_dout(dout, self.input_shape).reshape(self.batch_size, -1)
        self.dbeta = dout.sum(axis=0)
        self.dgamma = np.sum(self.xn * dout, axis=0)
        dxn = self.gamma * dout
        dxc = dxn / self.std                                        # through xn = xc / std ...
        dstd = -np.sum(dxn * self.xc / (self.std * self.std), axis=0)  # ... which also depends on std
        dvar = 0.5 * dstd / self.std                                # std = sqrt(var + eps)
        dxc = dxc + (2.0 / self.batch_size) * self.xc * dvar        # var = mean(xc**2)
        dmu = np.sum(dxc, axis=0)                                   # xc = x - mu
        dx = dxc - dmu / self.batch_size                            # mu = mean(x)
        return dx.reshape(self.input_shape)


class Dropout(Layer):
    """Dropout: while training, drop each neuron with probability dropout_ratio.

    Introduced in notebook 06, section 6.4.

    Two ways to keep the expected output the same in training as at inference:

    - the book's (default, ``inverted=False``): training passes the survivors unchanged, and at
      inference every output is multiplied by (1 - dropout_ratio), the share that survived;
    - inverted dropout (``inverted=True``, what most frameworks do): training scales the survivors
      by 1 / (1 - dropout_ratio), and inference passes everything through unchanged.

    Both have the same mean, but not the same training dynamics with the same learning rate: the
    inverted form makes the surviving signals (and their gradients) larger by 1 / (1 - ratio).
    Notebook 06b compares the two on the book's overfitting experiment.

    ``rng`` is where the random masks come from (the project's generator by default); a test can pass
    an object with a ``random(shape)`` method that always returns the same numbers, to fix the mask.
    """

    def __init__(self, dropout_ratio=0.5, inverted=False, rng=None):
        if not 0 <= dropout_ratio < 1:
            raise ValueError(f"Dropout: dropout_ratio must be at least 0 and below 1, got {dropout_ratio!r}")
        self.dropout_ratio = dropout_ratio
        self.inverted = bool(inverted)
        self.rng = rng
        self.mask = None
        self.out_shape = None
        # the factor applied to the survivors while training, and to everything at inference
        self.train_scale = 1.0 / (1.0 - dropout_ratio) if self.inverted else 1.0
        self.test_scale = 1.0 if self.inverted else 1.0 - dropout_ratio

    def _scaled(self, a, factor):
        if factor == 1.0:
            return a
        return a * np.asarray(factor, dtype=np.result_type(a, np.float32))  # keeps float32 as float32

    def forward(self, x, train_flg=True):
        self.out_shape = np.shape(x)
        if not train_flg:
            self.mask = None
            return self._scaled(x, self.test_scale)
        source = self.rng if self.rng is not None else project_rng()  # project_rng() follows seed()
        self.mask = source.random(np.shape(x)) >= self.dropout_ratio  # True = this neuron survives
        return self._scaled(x * self.mask, self.train_scale)

    def backward(self, dout):
        dout = self._check_dout(dout, self.out_shape)
        if self.mask is None:  # after an inference-mode forward: y = test_scale * x
            return self._scaled(dout, self.test_scale)
        return self._scaled(dout * self.mask, self.train_scale)


class Tanh(Layer):
    """y = tanh(x). Backward uses dy/dx = 1 - y^2, so only the output y is kept.

    Introduced in notebook 09 (a Keras-style ``Activation('tanh')``); notebook 05 asks for it as an exercise.
    """

    def __init__(self):
        self.out = None

    def forward(self, x, train_flg=False):
        self.out = tanh(x)
        return self.out

    def backward(self, dout):
        dout = self._check_dout(dout, None if self.out is None else self.out.shape)
        return dout * (1 - self.out * self.out)


class Softmax(Layer):
    """y = softmax(x) row by row, as a layer of its own (when no cross-entropy follows it).

    Introduced in notebook 09 (a Keras-style ``Activation('softmax')``).

    Every output y_k depends on every input x_j: dy_k/dx_j = y_k (delta_kj - y_j). Multiplied with
    dout and summed over k, that gives dx_j = y_j (dout_j - sum_k dout_k y_k). Before a cross-entropy
    loss, use SoftmaxWithLoss instead: its gradient (y - t) / N is simpler and never divides by a
    probability that has rounded to 0.
    """

    def __init__(self):
        self.out = None

    def forward(self, x, train_flg=False):
        self.out = softmax(x)
        return self.out

    def backward(self, dout):
        dout = self._check_dout(dout, None if self.out is None else self.out.shape)
        weighted = np.sum(dout * self.out, axis=-1, keepdims=True)
        return self.out * (dout - weighted)


class Identity(Layer):
    """y = x (the identity function, 恒等関数, as a layer): backward passes dout through unchanged.

    Introduced in notebook 09 (a Keras-style ``Activation('linear')``, the usual output of a regression).
    """

    def forward(self, x, train_flg=False):
        return x

    def backward(self, dout):
        return dout


class Convolution(Layer):
    """A convolution layer (畳み込み層): FN filters W of shape (FN, C, FH, FW) slide over images (N, C, H, W).

    Introduced in notebook 10, section 7.4.

    Output (N, FN, out_h, out_w), out_h = (H + 2 pad - FH) // stride + 1 (out_w alike), with
        out[n, f, y, x] = sum over c, i, j of W[f, c, i, j] * xpad[n, c, y*stride + i, x*stride + j] + b[f],
    where xpad is x with ``pad`` zeros on every side. b has shape (FN,): one bias per filter.

    As in the book, the windows are unfolded into a matrix (im2col) so that the layer is a matrix
    product. The book unfolds them as rows, (N*out_h*out_w, C*FH*FW) (what ``im2col`` returns); here
    they are columns, col of shape (C*FH*FW, positions), the transpose, because that is the order
    a copy of the windows produces fastest. Then, with Wm = W.reshape(FN, -1):

        forward:   out = Wm @ col + b                 (FN, positions), viewed as (N, FN, out_h, out_w)
        backward:  dW = dout @ col^T,  db = dout summed over every image and pixel,
                   dcol = Wm^T @ dout, folded back onto the pixels it came from (col2im) = dx.

    The columns may list the output positions (image n, row y, column x) in any order, as long as
    forward and backward agree. Here they go pixel by pixel with the N images side by side, (y, x, n),
    and the input is first copied once, padded, in the same order, (C, H + 2 pad, W + 2 pad, N)
    (``_Unfolded``). Four things make the layer fast; none changes the formulas:

    - Long copies. In that order, what one offset (i, j) of the filter picks from a few output rows
      is a few long stretches of memory, for all images at once. At stride 1 with several channels
      each row of col is even a single stretch (``_row_columns``), about 3.5x faster to copy than
      short pieces; the price is a few extra columns: each output row is computed as wide as the
      padded image (Wp = W + 2 pad instead of out_w), and the extra values, which mix the end of one
      row with the start of the next, are never used (backward gives them a gradient of 0).
    - The output comes out of the product stored in that order too, (FN, out_h, out_w, N), and is
      returned as an (N, FN, out_h, out_w) view of it. The layers after it work in that order (Relu
      and Pooling keep the memory order of their input, an Affine flattens it without a copy): a
      pooling window's four values are then whole stretches of N values apart, and NumPy compares
      them 100 at a time instead of a dozen (SimpleConvNet's step: 15 % faster than image by image).
    - A few output rows at a time (``per_chunk``): col for 100 images of a 16-channel 28x28 layer would
      be 50 MB, written to main memory and read back; a chunk of about 4 MB is copied into the
      processor's cache and multiplied while it is still there, and the bias is added to that chunk
      of the output at once. backward unfolds the chunks again for dW (a copy from the cache is
      cheaper than keeping 50 MB), so the layer keeps only its copy of the input; columns of at most
      ``keep_bytes`` for the whole batch (5.8 MB in SimpleConvNet's first layer) are kept instead.
    - At stride 1 (square filters, pad < FH) dx is itself a convolution: of dout, padded by
      FH - 1 - pad, with the filters turned by 180 degrees and C and FN swapped
      (``_input_gradient_as_convolution``): the same fast path instead of the fold.

    A network's first layer skips dx (``backward(dout, input_gradient=False)``): nobody needs the
    gradient of the data. float32 input and parameters give float32 everywhere.
    """

    param_names = ("W", "b")
    skips_input_gradient = True
    dx_is_new = True   # dx is computed afresh by every backward (or not at all: input_gradient=False)
    out_is_new = True  # the same for forward's output
    chunk_bytes = 4 * 2**20  # the size of the unfolded windows of one chunk (fits the processor's cache)
    keep_bytes = 8 * 2**20   # forward in training keeps the unfolded windows for backward if they are no larger

    def __init__(self, W, b, stride=1, pad=0):
        W, b = np.asarray(W), np.asarray(b)
        if W.ndim != 4 or b.shape != (W.shape[0],):
            raise ValueError(f"Convolution expected W of shape (FN, C, FH, FW) and b of shape (FN,), "
                             f"got W {W.shape} and b {b.shape}")
        for name, value, smallest in (("stride", stride, 1), ("pad", pad, 0)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < smallest:
                raise ValueError(f"Convolution: {name} must be a whole number >= {smallest}, got {value!r}")
        self.W, self.b = W, b
        self.stride, self.pad = int(stride), int(pad)
        self.x_shape = None    # the shape of the latest input (backward gives dx that shape)
        self.unfolded = None   # the latest input, ready to be unfolded into columns (_Unfolded)
        self.out_shape = None
        self.dW = None
        self.db = None

    def per_chunk(self, values_per_row, itemsize):
        """How many output rows (of every image) to unfold at once so that their columns take about
        ``chunk_bytes``; at least one."""
        return max(1, self.chunk_bytes // max(values_per_row * itemsize, 1))

    def forward(self, x, train_flg=False):
        x = np.asarray(x)
        FN, C, FH, FW = self.W.shape
        if x.ndim != 4 or x.shape[1] != C:
            raise ValueError(f"Convolution expected input of shape (N, {C}, H, W), got {x.shape}")
        if x.shape[2] + 2 * self.pad < FH or x.shape[3] + 2 * self.pad < FW:
            raise ValueError(f"Convolution: a {FH}x{FW} filter does not fit input {x.shape} with pad {self.pad}")
        self.unfolded = None   # let go of the previous batch's columns first, so their memory can be reused
        self.unfolded = _Unfolded(x, FH, FW, self.stride, self.pad, keep_bytes=self.keep_bytes if train_flg else 0)
        out = _convolve(self.unfolded, self.W, self.per_chunk, self.b)
        self.x_shape = x.shape
        out = out.transpose(3, 0, 1, 2)   # (N, FN, out_h, out_w), a view of (FN, out_h, out_w, N)
        self.out_shape = out.shape
        return out

    def backward(self, dout, input_gradient=True):
        """Store dW and db; return dx, or None with ``input_gradient=False``."""
        dout = self._check_dout(dout, self.out_shape)
        FN, C, FH, FW = self.W.shape
        unfolded = self.unfolded
        positions = dout.transpose(1, 2, 3, 0)   # (FN, out_h, out_w, N), free if dout has our layout
        # db: the sum of each filter's row, as a product with a column of ones. The matrix-vector product
        # adds in another order than .sum(), and about 4x faster (0.05 instead of 0.22 ms for SimpleConvNet).
        self.db = positions.reshape(FN, -1) @ np.ones(positions[0].size, dtype=positions.dtype)
        dW = np.zeros((FN, C * FH * FW), dtype=np.result_type(positions, self.W))
        N, out_h, width = unfolded.images, unfolded.out_h, unfolded.width
        step = self.per_chunk(C * FH * FW * width * N, dW.itemsize)
        for start in range(0, out_h, step):   # dW = dout @ col^T, chunk by chunk
            part = positions[:, start:start + step]
            if width > unfolded.out_w:   # the extra columns computed in forward: their gradient is 0
                extra = np.zeros(part.shape[:2] + (width - unfolded.out_w, N), dtype=part.dtype)
                part = np.concatenate([part, extra], axis=2)
            dW += part.reshape(FN, -1) @ unfolded.columns(start, start + step).T
        self.dW = dW.reshape(self.W.shape)
        if not input_gradient:
            return None
        if self.stride == 1 and FH == FW and self.pad < FH:
            return self._input_gradient_as_convolution(dout)
        N, _, out_h, out_w = self.out_shape
        dcol = self.W.reshape(FN, -1).T @ dout.transpose(1, 0, 2, 3).reshape(FN, -1)   # (C*FH*FW, N*out_h*out_w)
        windows_grad = dcol.reshape(C, FH, FW, N, out_h, out_w).transpose(3, 0, 4, 5, 1, 2)
        return image_windows_backward(windows_grad, self.x_shape, self.stride, self.pad)

    def _input_gradient_as_convolution(self, dout):
        """dx for stride 1, computed as a convolution of dout instead of folding dcol back (col2im).

        dx[n, c, y, x] = sum over f, i, j of dout[n, f, y + pad - i, x + pad - j] * W[f, c, i, j]: a
        convolution of dout (padded by FH - 1 - pad) with the filters turned by 180 degrees and the
        roles of C and FN swapped. Same numbers as the fold, with the fast path of forward.
        """
        turned = self.W[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)     # (C, FN, FH, FW)
        FH = self.W.shape[2]
        return _convolve(_Unfolded(dout, FH, FH, 1, FH - 1 - self.pad), turned, self.per_chunk).transpose(3, 0, 1, 2)


def _convolve(unfolded, W, per_chunk, b=None):
    """The product of the filters W (FN, C, FH, FW) with the unfolded windows of a batch, plus the bias b.

    Returns out of shape (FN, out_h, out_w, N): the output stored pixel by pixel, the N images side by
    side (see ``_Unfolded``). ``per_chunk(values_per_row, itemsize)`` says how many output rows to
    unfold at once. b (FN,) is optional (None: no bias).
    """
    FN = W.shape[0]
    Wm = W.reshape(FN, -1)
    N, out_h, out_w, width = unfolded.images, unfolded.out_h, unfolded.out_w, unfolded.width
    out = np.empty((FN, out_h, out_w, N), dtype=np.result_type(Wm, unfolded.dtype))
    rows = out.reshape(FN, -1)   # the same memory as a matrix (a view: out is contiguous)
    bias = None if b is None else b.reshape(FN, 1, 1, 1)
    step = per_chunk(Wm.shape[1] * width * N, out.itemsize)
    for start in range(0, out_h, step):   # a few output rows at a time: one copy, one product
        stop = min(start + step, out_h)
        columns = unfolded.columns(start, stop)
        chunk = out[:, start:stop]
        # The product is written into out (or copied there without its extra columns), and the bias
        # is added at once, while this chunk is still in the processor's cache.
        if width == out_w:
            np.matmul(Wm, columns, out=rows[:, start * out_w * N:stop * out_w * N])
            if bias is not None:
                chunk += bias
        else:   # the extra columns (width > out_w) are dropped
            product = (Wm @ columns).reshape(FN, stop - start, width, N)[:, :, :out_w]
            if bias is not None:
                np.add(product, bias, out=chunk)
            else:
                chunk[...] = product
    return out


class _Unfolded:
    """A batch of images (N, C, H, W) prepared for im2col: ``columns(start, stop)`` copies the windows
    of output rows start..stop-1, for every image, as columns (C*FH*FW, positions).

    The input is first copied once, padded, into the order (C, H + 2 pad, W + 2 pad, N): pixel by
    pixel, with the N images side by side (``_pixel_major``). The columns list the output positions
    in the same order, (out_h, width, N), so the product comes out stored that way too.
    Two ways to build them:

    - At stride 1 with several channels, from whole rows (``_row_columns``): each output row is
      computed as wide as the padded image, width = Wp = W + 2 pad, and the columns past out_w are
      extra (computed, never used), because then row (c, i, j) of col is one unbroken stretch of
      memory, about 3.5x faster to copy than one short piece per window.
    - Otherwise (one channel, where the extra columns would cost more than they save, or a stride
      > 1), from the windows (``sliding_window_view``): width = out_w.
    """

    def __init__(self, x, filter_h, filter_w, stride, pad, keep_bytes=0):
        N, C, H, W = x.shape
        self.images, self.dtype, self.filter_shape = N, x.dtype, (filter_h, filter_w)
        self.out_h = (H + 2 * pad - filter_h) // stride + 1
        self.out_w = (W + 2 * pad - filter_w) // stride + 1
        whole_rows = stride == 1 and C > 1
        self.padded = _pixel_major(x, pad, spare=(filter_w - 1) * N if whole_rows else 0)
        if whole_rows:
            self.windows = None
            self.width = W + 2 * pad
        else:
            windows = np.lib.stride_tricks.sliding_window_view(self.padded, (filter_h, filter_w), axis=(1, 2))
            self.windows = windows[:, ::stride, ::stride]   # (C, out_h, out_w, N, filter_h, filter_w)
            self.width = self.out_w
        # Columns of the whole batch small enough (keep_bytes) are kept after their first copy, so that
        # backward multiplies them again instead of copying them again.
        size = C * filter_h * filter_w * self.out_h * self.width * N * x.itemsize
        self.kept = {} if size <= keep_bytes else None

    def columns(self, start, stop):
        stop = min(stop, self.out_h)
        if self.kept is not None and (start, stop) in self.kept:
            return self.kept[start, stop]
        if self.windows is None:
            columns = _row_columns(self.padded, self.filter_shape, start, stop)
        else:
            windows = self.windows[:, start:stop]                # (C, rows, out_w, N, FH, FW)
            C, rows, out_w, N, FH, FW = windows.shape
            columns = windows.transpose(0, 4, 5, 1, 2, 3).reshape(C * FH * FW, rows * out_w * N)   # the one copy
        if self.kept is not None:
            self.kept[start, stop] = columns
        return columns


def _pixel_major(x, pad, spare=0):
    """x (N, C, H, W) with ``pad`` zeros around each image, stored as (C, Hp, Wp, N): pixel by pixel,
    the N images side by side, plus ``spare`` zeros at the end of memory (``_row_columns`` reads a
    little past the last pixel)."""
    N, C, H, W = x.shape
    Hp, Wp = H + 2 * pad, W + 2 * pad
    memory = (np.zeros if pad or spare else np.empty)(C * Hp * Wp * N + spare, dtype=x.dtype)
    padded = memory[:C * Hp * Wp * N].reshape(C, Hp, Wp, N)
    padded[:, pad:pad + H, pad:pad + W, :] = x.transpose(1, 2, 3, 0)
    return padded


def _row_columns(padded, filter_shape, start, stop):
    """im2col at stride 1 for output rows start..stop-1, as columns (C*FH*FW, rows*Wp*N), from whole rows.

    Row (c, i, j) of col holds, for every output position (y, x, n) with x < Wp, the pixel
    padded[c, y + i, x + j, n]. Consecutive positions (y, x, n) are consecutive values in memory,
    starting (i * Wp + j) * N values into channel c: so row (c, i, j) is a single stretch of
    rows * Wp * N values, and numpy's ``as_strided`` can describe all of them as one view without
    copying (read-only; the strides are the steps in memory along each axis). Positions x >= out_w
    wrap into the next row and give values that are not part of the convolution.
    """
    C, Hp, Wp, N = padded.shape
    FH, FW = filter_shape
    step = padded.itemsize
    view = np.lib.stride_tricks.as_strided(
        padded[:, start:],   # the spare zeros after the last pixel keep every read inside the array
        shape=(C, FH, FW, (stop - start) * Wp * N),
        strides=(Hp * Wp * N * step, Wp * N * step, N * step, step),
        writeable=False)
    return view.reshape(C * FH * FW, (stop - start) * Wp * N)   # the one copy


class Pooling(Layer):
    """Max pooling (Maxプーリング): the largest value of every pool_h x pool_w window, channel by channel.

    Introduced in notebook 10, section 7.3.

    Input (N, C, H, W), output (N, C, out_h, out_w) with out_h = (H + 2 pad - pool_h) // stride + 1.
    Pooling has no parameters and mixes no channels. Backward sends each output's gradient to the one
    input that was the maximum of its window (the first one, if several are equal); every other input
    of the window gets 0, since changing it a little does not change the maximum. Where windows
    overlap (stride < pool size), a pixel collects the gradients of every window it won.

    The book's default stride is 1; ours is 2, the usual choice with 2x2 windows (the book's scripts
    always pass the stride explicitly). Padding adds -infinity, which never wins a window (the book
    pads with 0, which would win over negative inputs); pad must be smaller than the window.

    Instead of unfolding the windows with im2col, the layer walks over the pool_h * pool_w offsets
    inside a window: offset (i, j) of all windows at once is one strided slice of the input, so the
    maximum is built by pool_h * pool_w - 1 elementwise comparisons of whole arrays, and ``arg_max``
    records, for every output, which offset (i * pool_w + j) won. The output and dx are stored in
    memory in the order x was (after a Convolution: pixel by pixel, the images side by side).
    """

    dx_is_new = True   # backward fills a new array with the gradient

    def __init__(self, pool_h, pool_w, stride=2, pad=0):
        for name, value, smallest in (("pool_h", pool_h, 1), ("pool_w", pool_w, 1), ("stride", stride, 1),
                                      ("pad", pad, 0)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < smallest:
                raise ValueError(f"Pooling: {name} must be a whole number >= {smallest}, got {value!r}")
        if pad >= pool_h or pad >= pool_w:
            raise ValueError(f"Pooling: pad must be smaller than the window ({pool_h}x{pool_w}), got pad {pad}")
        self.pool_h, self.pool_w, self.stride, self.pad = int(pool_h), int(pool_w), int(stride), int(pad)
        self.input_shape = None
        self.input_layout = None   # the order of x's axes in memory (dx is stored the same way)
        self.out_shape = None
        self.arg_max = None

    def forward(self, x, train_flg=False):
        x = np.asarray(x)
        if x.ndim != 4 or x.shape[2] + 2 * self.pad < self.pool_h or x.shape[3] + 2 * self.pad < self.pool_w:
            raise ValueError(f"Pooling expected input of shape (N, C, H, W) with H, W at least "
                             f"{self.pool_h - 2 * self.pad}, {self.pool_w - 2 * self.pad}, got {x.shape}")
        lowest = -np.inf if np.issubdtype(x.dtype, np.floating) else np.iinfo(x.dtype).min
        windows = image_windows(x, self.pool_h, self.pool_w, self.stride, self.pad, pad_value=lowest)
        offsets = [(i, j) for i in range(self.pool_h) for j in range(self.pool_w)]   # k = i * pool_w + j
        # The arrays of this loop (out, arg_max, hit) are laid out in memory as x is (order="K" and
        # empty_like keep the layout), so every comparison reads and writes in memory order. That
        # matters when x comes from a Convolution, stored pixel by pixel with the images side by side:
        # then each step runs over stretches of N values at once, 2-3x faster than row by row.
        out = windows[:, :, :, :, 0, 0].copy(order="K")
        for i, j in offsets[1:]:
            np.maximum(out, windows[:, :, :, :, i, j], out=out)
        # arg_max = the first offset k whose value equals the maximum. Walking from the last offset to
        # the first, every hit sets arg_max to k (arg_max - (arg_max - k) * 1 = k; a miss subtracts 0),
        # so the earliest hit is the one that stays. Integer arithmetic: much faster than np.where.
        arg_max = np.empty_like(out, dtype=np.uint8 if len(offsets) <= 256 else np.int64)
        arg_max.fill(len(offsets) - 1)
        for k in range(len(offsets) - 2, -1, -1):
            hit = windows[:, :, :, :, offsets[k][0], offsets[k][1]] == out
            arg_max -= (arg_max - k) * hit
        self.input_shape, self.arg_max, self.out_shape = x.shape, arg_max, out.shape
        self.input_layout = _axis_order(x)
        return out   # (N, C, out_h, out_w), stored in memory as x was

    def backward(self, dout):
        """dx: each output's gradient added onto the input pixel that won its window."""
        dout = self._check_dout(dout, None if self.arg_max is None else self.out_shape)
        if _axis_order(dout) != _axis_order(self.arg_max):   # work in forward's memory order
            dout = _copy_in_order(dout, _axis_order(self.arg_max))
        N, C, H, W = self.input_shape
        out_h, out_w, s, pad = dout.shape[2], dout.shape[3], self.stride, self.pad
        # The common case, windows that tile the input exactly (2x2, stride 2, even sizes): every pixel
        # lies in one window, so each offset's slice is written once, straight into dx.
        tiles = (s == self.pool_h == self.pool_w and pad == 0 and H == s * out_h and W == s * out_w)
        padded = _empty_in_order((N, C, H + 2 * pad, W + 2 * pad), dout.dtype, self.input_layout)  # dx stored as x was
        if not tiles:
            padded.fill(0)
        for k in range(self.pool_h * self.pool_w):
            i, j = divmod(k, self.pool_w)
            # offset (i, j) of every window is one strided slice of the input (as in image_windows_backward)
            pixels = padded[:, :, i:i + s * out_h:s, j:j + s * out_w:s]
            if tiles:
                np.multiply(dout, self.arg_max == k, out=pixels)
            else:
                pixels += dout * (self.arg_max == k)
        return padded[:, :, pad:pad + H, pad:pad + W]


def _axis_order(array):
    """The axes of an array from the outermost in memory (largest step) to the innermost."""
    return tuple(sorted(range(array.ndim), key=lambda axis: -array.strides[axis]))


def _empty_in_order(shape, dtype, order):
    """A new array of ``shape`` whose axes are stored in memory in ``order`` (outermost first)."""
    stored = np.empty([shape[axis] for axis in order], dtype=dtype)
    return stored.transpose(np.argsort(order))


def _copy_in_order(array, order):
    """A copy of array whose axes are stored in memory in ``order`` (outermost first)."""
    copy = _empty_in_order(array.shape, array.dtype, order)
    copy[...] = array
    return copy
