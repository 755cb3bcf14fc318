"""Layers (レイヤ) for backpropagation (誤差逆伝播法): each one a node of the computational graph.

Introduced in notebook 05 (sections 5.4-5.6).

Every layer speaks one protocol:

    out = layer.forward(x)       # computes the output and keeps what backward will need
    dx = layer.backward(dout)    # dout = dL/d(out) from the layer above; returns dL/dx

Layers with parameters (Affine) also store their gradients (dW, db) during ``backward``.
No layer ever writes into an array it was given (the book's ReLU backward sets ``dout[mask] = 0``,
which silently changes the caller's array; ours builds a new one).
"""

import numpy as np

from common.functions import as_batch, sigmoid, softmax, tanh
from common.rng import rng as project_rng

__all__ = ["MulLayer", "AddLayer", "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "BatchNormalization", "Dropout",
           "Tanh", "Softmax", "Identity"]


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


class Relu:
    """y = max(0, x). Backward lets the gradient through where x > 0 and blocks it (0) elsewhere.

    ``mask`` is True where the input was positive, i.e. where the gradient flows.
    """

    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x > 0
        return np.maximum(x, 0)  # np.maximum makes a new array: x itself is left alone

    def backward(self, dout):
        return dout * self.mask  # a new array (True counts as 1, False as 0); dout is untouched


class Sigmoid:
    """y = 1 / (1 + exp(-x)). Backward uses dy/dx = y (1 - y), so only the output y is kept."""

    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = sigmoid(x)
        return self.out

    def backward(self, dout):
        return dout * self.out * (1 - self.out)


class Affine:
    """Y = X W + b for a batch X of shape (N, inputs); W has shape (inputs, outputs), b (outputs,).

    Backward:  dX = dY W^T,   dW = X^T dY,   db = sum of dY over the batch (axis 0),
    because every row of the batch used the same b. Inputs with more axes, such as images
    (N, 1, 28, 28), are flattened to (N, 784) for the product, and dX is given back in their shape.
    """

    def __init__(self, W, b):
        W, b = np.asarray(W), np.asarray(b)
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ValueError(f"Affine expected W of shape (inputs, outputs) and b of shape (outputs,), "
                             f"got W {W.shape} and b {b.shape}")
        self.W, self.b = W, b
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x):
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
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        if not input_gradient:
            return None
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

    def forward(self, x, t):
        self.input_shape = np.shape(x)
        x, self.t, one_hot = as_batch(x, t, name="SoftmaxWithLoss")
        # softmax and log-softmax from the same pieces (see common.functions.log_softmax):
        # with s = x - max(x), y = exp(s) / total and log y = s - log(total).
        shifted = x - x.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        total = exp.sum(axis=1, keepdims=True)
        self.y = exp / total
        batch_size = x.shape[0]
        if one_hot:
            self.loss = -np.sum(self.t * (shifted - np.log(total))) / batch_size
        else:
            rows = np.arange(batch_size)
            self.loss = -np.sum(shifted[rows, self.t] - np.log(total[:, 0])) / batch_size
        return self.loss

    def backward(self, dout=1):
        batch_size = self.y.shape[0]
        if self.t.shape == self.y.shape:  # one-hot
            dx = self.y - self.t
        else:  # labels: subtract 1 at the correct class of each row, without building one-hot rows
            dx = self.y.copy()
            dx[np.arange(batch_size), self.t] -= 1
        dx *= dout / batch_size  # dx is our own new array here, so scaling it in place is safe
        return dx.reshape(self.input_shape)


class BatchNormalization:
    """Batch normalisation (Ioffe and Szegedy, 2015): normalise each feature over the batch, then
    scale and shift it with learned parameters gamma and beta.

    Introduced in notebook 06, section 6.3.

    Training (train_flg=True), for a batch x of shape (N, D), per feature (column):
        mu = mean(x),  xc = x - mu,  var = mean(xc**2),  std = sqrt(var + eps),
        xn = xc / std,  out = gamma * xn + beta
    and running averages of mu and var are kept (running = momentum * running + (1 - momentum) * new)
    for inference (train_flg=False), where one image must not depend on the others in its batch.

    Backward follows the computational graph of those lines, node by node (notebook 06 draws it).
    Inputs with more axes are flattened to (N, D) and restored.
    """

    def __init__(self, gamma, beta, momentum=0.9, running_mean=None, running_var=None, eps=1e-7):
        self.gamma, self.beta = np.asarray(gamma), np.asarray(beta)
        if self.gamma.ndim != 1 or self.beta.shape != self.gamma.shape:
            raise ValueError(f"BatchNormalization expected gamma and beta of the same shape (D,), "
                             f"got {self.gamma.shape} and {self.beta.shape}")
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
        x = x.reshape(x.shape[0], -1)
        if x.shape[1] != self.gamma.shape[0]:
            raise ValueError(f"BatchNormalization expected {self.gamma.shape[0]} features per sample, got {self.input_shape}")
        if self.running_mean is None:
            self.running_mean = np.zeros(x.shape[1], dtype=x.dtype)
            self.running_var = np.ones(x.shape[1], dtype=x.dtype)

        if train_flg:
            if x.shape[0] < 2:
                raise ValueError("BatchNormalization needs a batch of at least 2 samples in training mode "
                                 "(the variance of one sample is 0)")
            mu = x.mean(axis=0)
            xc = x - mu
            var = np.mean(xc ** 2, axis=0)
            std = np.sqrt(var + self.eps)
            xn = xc / std
            self.batch_size, self.xc, self.xn, self.std = x.shape[0], xc, xn, std
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
        else:
            xn = (x - self.running_mean) / np.sqrt(self.running_var + self.eps)

        out = self.gamma * xn + self.beta
        return out.reshape(self.input_shape)

    def backward(self, dout):
        dout = np.asarray(dout).reshape(self.batch_size, -1)
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


class Dropout:
    """Dropout (inverted): in training, drop each neuron with probability dropout_ratio and scale the
    survivors by 1 / (1 - dropout_ratio); at inference, pass everything through unchanged.

    Introduced in notebook 06, section 6.4.

    The book instead keeps the training output unscaled and multiplies by (1 - dropout_ratio) at
    inference. Both give the same expected output during training as at inference; the inverted form
    does the scaling once, during training, so the trained network needs no special case when used.

    ``rng`` is where the random masks come from (the project's generator by default); a test can pass
    an object with a ``random(shape)`` method that always returns the same numbers, to fix the mask.
    """

    def __init__(self, dropout_ratio=0.5, rng=None):
        if not 0 <= dropout_ratio < 1:
            raise ValueError(f"Dropout: dropout_ratio must be at least 0 and below 1, got {dropout_ratio!r}")
        self.dropout_ratio = dropout_ratio
        self.rng = rng
        self.mask = None
        self.scale = 1.0 / (1.0 - dropout_ratio)

    def forward(self, x, train_flg=True):
        if not train_flg:
            self.mask = None
            return x
        source = self.rng if self.rng is not None else project_rng()  # project_rng() follows seed()
        self.mask = source.random(np.shape(x)) >= self.dropout_ratio  # True = this neuron survives
        return x * self.mask * np.asarray(self.scale, dtype=np.result_type(x, np.float32))

    def backward(self, dout):
        if self.mask is None:
            return dout
        return dout * self.mask * np.asarray(self.scale, dtype=np.result_type(dout, np.float32))


class Tanh:
    """y = tanh(x). Backward uses dy/dx = 1 - y^2, so only the output y is kept.

    Introduced in notebook 09 (a Keras-style ``Activation('tanh')``); notebook 05 asks for it as an exercise.
    """

    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = tanh(x)
        return self.out

    def backward(self, dout):
        return dout * (1 - self.out * self.out)


class Softmax:
    """y = softmax(x) row by row, as a layer of its own (when no cross-entropy follows it).

    Introduced in notebook 09 (a Keras-style ``Activation('softmax')``).

    Every output y_k depends on every input x_j: dy_k/dx_j = y_k (delta_kj - y_j). Multiplied with
    dout and summed over k, that gives dx_j = y_j (dout_j - sum_k dout_k y_k). Before a cross-entropy
    loss, use SoftmaxWithLoss instead: its gradient (y - t) / N is simpler and never divides by a
    probability that has rounded to 0.
    """

    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = softmax(x)
        return self.out

    def backward(self, dout):
        weighted = np.sum(dout * self.out, axis=-1, keepdims=True)
        return self.out * (dout - weighted)


class Identity:
    """y = x (the identity function, 恒等関数, as a layer): backward passes dout through unchanged.

    Introduced in notebook 09 (a Keras-style ``Activation('linear')``, the usual output of a regression).
    """

    def forward(self, x):
        return x

    def backward(self, dout):
        return dout
