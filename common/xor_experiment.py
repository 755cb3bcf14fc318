"""Many small XOR networks trained side by side: the experiment of notebook 07.

Introduced in notebook 07a (the XOR experiment), sections 7.1-7.3; hidden activations, zero-mean
initialisations, Momentum/Adam and per-sample updates added in notebook 07b (XOR remedies).

One network has 2 inputs, H hidden units and 1 output; the output is a sigmoid with a gain β
(the "beta" of the learner's report), σ(βa) = 1 / (1 + exp(-βa)), and so are the hidden units unless
``activation`` says otherwise ("tanh" or "relu", f below, with the same gain inside):

    z = f(β (x W1 + b1)),    y = σ(β (z W2 + b2))

It is trained on the four XOR points with plain gradient descent on one of two losses, both summed
over the four points:

    "sse"            E = 1/2 Σ_n (y_n - t_n)²                           (the book's sum_squared_error)
    "cross_entropy"  E = -Σ_n [t_n log y_n + (1 - t_n) log(1 - y_n)]     (binary cross-entropy)

Backpropagation, with u1 = β (x W1 + b1) and u2 = β (z W2 + b2) the sigmoids' inputs:

    dE/du2 = (y - t) y (1 - y)   for "sse",     dE/du2 = y - t   for "cross_entropy"
    dE/dW2 = β zᵀ dE/du2,   dE/db2 = β Σ_n dE/du2,   dE/dz = β dE/du2 W2ᵀ
    dE/du1 = dE/dz f'(u1),   dE/dW1 = β xᵀ dE/du1,   dE/db1 = β Σ_n dE/du1

with f'(u1) = z (1 - z) for the sigmoid, 1 - z² for tanh and [u1 > 0] for ReLU.

Updates (``train``). ``optimizer`` is "sgd" (W <- W - lr dE/dW), "momentum" or "adam", with the
formulas and defaults of common.optimizer (Momentum: momentum 0.9; Adam: beta1 0.9, beta2 0.999,
eps 1e-7), applied to every run separately (tested against common.optimizer run by run).
``updates`` says what one *iteration* is:

    "batch"                one step on the loss summed over all four points (gradient descent)
    "per_sample"           four steps, one per point, each on that point's term of the loss, in the
                           fixed order (0,0), (1,0), (0,1), (1,1): stochastic gradient descent
                           (確率的勾配降下法) with a batch of one
    "per_sample_shuffled"  the same four steps in a fresh random order every iteration (drawn from
                           ``generator``; the same order for all runs, so the runs stay independent
                           of each other)

With the loss summed over the points, four per-sample steps with learning rate lr move the weights
about as far as one batch step with lr: an iteration is comparable, an update is a quarter of it.

Many runs at once. A study trains the same network from many random starts ("runs"), so every
parameter array has a leading run axis: ``params["W1"]`` has shape (R, 2, H) and
``params["W1"][r]`` is run r's ordinary W1 (the other keys: b1 (R, H), W2 (R, H, 1), b2 (R, 1)).
β and the learning rate may be one number or one value per run. The R networks never mix: training
them together gives the same numbers as training each alone (tested).

How it is fast. Inside, the arrays are turned round so that the run axis comes *last*, e.g. the
hidden outputs are (points, units, runs). Every NumPy operation then works on long rows of R numbers
instead of looping over R tiny matrices: several times faster for R in the thousands. The
formulas are exactly the ones above; notebook 07 shows them for one network, the readable way.
"""

from dataclasses import dataclass

import numpy as np

from common.perceptron import INPUTS

__all__ = ["XOR_X", "XOR_T", "LOSS_TYPES", "INITS", "ACTIVATIONS", "OPTIMIZERS", "UPDATES", "PLATEAUS", "OUTCOMES",
           "gain_sigmoid", "init_params", "predict", "hidden_output", "loss", "gradient", "numerical_gradient", "fitted_points",
           "classify_outcomes", "PLATEAU_FITTED_POINTS", "train", "TrainingResult"]

XOR_X = INPUTS.astype(np.float64)                           # (0,0), (1,0), (0,1), (1,1)
XOR_T = np.array([[0.0], [1.0], [1.0], [0.0]])              # XOR of each row, shape (4, 1)
LOSS_TYPES = ("sse", "cross_entropy")
INITS = ("rand", "randn", "xavier", "he")
ACTIVATIONS = ("sigmoid", "tanh", "relu")
OPTIMIZERS = ("sgd", "momentum", "adam")
UPDATES = ("batch", "per_sample", "per_sample_shuffled")
KEYS = ("W1", "b1", "W2", "b2")
DIFF_STEP = 1e-4  # the step h of the central difference, as in common.gradient
# The sums of squared errors at which XOR networks stall (notebook 07, section 7.5), by name.
PLATEAUS = {"1/4": 0.25, "1/3": 1 / 3, "1/2": 0.5, "1": 1.0}
OUTCOMES = ("solved",) + tuple(PLATEAUS) + ("other",)


def gain_sigmoid(a, beta=1.0):
    """σ(βa) = 1 / (1 + exp(-βa)), element-wise, without overflow.

    The exponent is clipped to ±500 first: beyond that σ is 1 or 0 to within 1e-217, and exp() of
    a large number would overflow (and warn).
    """
    u = np.clip(beta * np.asarray(a, dtype=np.float64), -500.0, 500.0)
    return 1.0 / (1.0 + np.exp(-u))


def _sigmoid(u):
    """gain_sigmoid for the inner loops: 1 / (1 + exp(-u)), computed in one new array (faster)."""
    s = np.clip(u, -500.0, 500.0)
    np.negative(s, out=s)
    np.exp(s, out=s)
    s += 1.0
    return np.reciprocal(s, out=s)


def _hidden(u, activation):
    """The hidden units' outputs f(u) for the input u = β (x W1 + b1)."""
    if activation == "sigmoid":
        return _sigmoid(u)
    if activation == "tanh":
        return np.tanh(u)
    return np.maximum(u, 0.0)


def _hidden_slope(z, activation):
    """f'(u) written with the output z = f(u): z (1 - z), 1 - z², or 1 where z > 0 (ReLU)."""
    if activation == "sigmoid":
        return z * (1 - z)
    if activation == "tanh":
        return 1 - z * z
    return (z > 0).astype(np.float64)


def _check_activation(activation):
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")


# ---------------------------------------------------------------------------------------------
# Parameters: the public layout has the run axis first; inside it goes last
# ---------------------------------------------------------------------------------------------

def init_params(n_runs, hidden_size=2, init="rand", generator=None):
    """Initial parameters of ``n_runs`` networks 2 -> ``hidden_size`` -> 1.

    Weights are drawn with ``init="rand"`` from the uniform distribution on [0, 1) (np.random.rand,
    the learner's choice) or with ``init="randn"`` from the standard normal distribution
    (np.random.randn). The zero-mean initialisations of the book's section 6.2 scale the standard
    normal draws by the layer's fan-in n (2 for W1, ``hidden_size`` for W2): ``"xavier"`` by
    sqrt(1/n), ``"he"`` by sqrt(2/n). From the same generator state, "randn", "xavier" and "he" use
    the same draws, only rescaled, so they are paired starts. Biases start at 0, as in the book's
    TwoLayerNet. ``generator`` defaults to
    ``common.rng.rng()``. Run r's weights are drawn one run after another (W1, then W2), so the
    first 10 runs of ``init_params(200)`` are the same starts as ``init_params(10)`` from the same
    seed.
    """
    if isinstance(n_runs, bool) or not isinstance(n_runs, (int, np.integer)) or n_runs < 1:
        raise ValueError(f"init_params expected a positive whole number of runs, got {n_runs!r}")
    if isinstance(hidden_size, bool) or not isinstance(hidden_size, (int, np.integer)) or hidden_size < 1:
        raise ValueError(f"init_params expected a positive whole hidden_size, got {hidden_size!r}")
    if init not in INITS:
        raise ValueError(f"init must be one of {INITS}, got {init!r}")
    if generator is None:
        from common.rng import rng
        generator = rng()
    draw = generator.random if init == "rand" else generator.standard_normal
    W1 = np.empty((n_runs, 2, hidden_size))
    W2 = np.empty((n_runs, hidden_size, 1))
    for r in range(n_runs):
        W1[r] = draw((2, hidden_size))
        W2[r] = draw((hidden_size, 1))
    if init in ("xavier", "he"):
        gain = 1.0 if init == "xavier" else 2.0
        W1 *= np.sqrt(gain / 2)
        W2 *= np.sqrt(gain / hidden_size)
    return {"W1": W1, "b1": np.zeros((n_runs, hidden_size)), "W2": W2, "b2": np.zeros((n_runs, 1))}


def _check_params(params, name):
    if not isinstance(params, dict) or any(key not in params for key in KEYS):
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(f"{name} expected a dict with keys {list(KEYS)}, got {got}")
    W1 = np.asarray(params["W1"])
    if W1.ndim != 3 or W1.shape[1] != 2:
        raise ValueError(f"{name} expected W1 of shape (runs, 2, hidden), got {W1.shape}")
    runs, _, hidden = W1.shape
    expected = {"b1": (runs, hidden), "W2": (runs, hidden, 1), "b2": (runs, 1)}
    for key, shape in expected.items():
        if np.shape(params[key]) != shape:
            raise ValueError(f"{name}: W1 is {W1.shape}, so {key} should be {shape}, got {np.shape(params[key])}")
    return runs


def _runs_last(params):
    """(W1 (2, H, R), b1 (H, R), W2 (H, R), b2 (R,)): fresh float64 arrays, run axis last."""
    return (np.ascontiguousarray(np.moveaxis(np.asarray(params["W1"], dtype=np.float64), 0, -1)),
            np.ascontiguousarray(np.asarray(params["b1"], dtype=np.float64).T),
            np.ascontiguousarray(np.asarray(params["W2"], dtype=np.float64)[:, :, 0].T),
            np.asarray(params["b2"], dtype=np.float64)[:, 0].copy())


def _runs_first(W1, b1, W2, b2):
    """The inverse of _runs_last: a params dict with the run axis first."""
    return {"W1": np.ascontiguousarray(np.moveaxis(W1, -1, 0)), "b1": np.ascontiguousarray(b1.T),
            "W2": np.ascontiguousarray(W2.T[:, :, np.newaxis]), "b2": b2[:, np.newaxis].copy()}


def _per_run(value, runs, name):
    """A number, or one value per run, as an array that broadcasts against (..., runs)."""
    value = np.asarray(value, dtype=np.float64)
    if value.ndim == 0:
        return value
    if value.shape != (runs,):
        raise ValueError(f"{name} should be one number or one value per run, shape ({runs},), got {value.shape}")
    return value


def _check_data(x, t, name):
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"{name} expected inputs x of shape (points, 2), got {x.shape}")
    if t is not None:
        t = np.asarray(t, dtype=np.float64)
        if t.shape != (x.shape[0], 1):
            raise ValueError(f"{name} expected targets t of shape ({x.shape[0]}, 1), got {t.shape}")
    return x, t


def _check_loss_type(loss_type):
    if loss_type not in LOSS_TYPES:
        raise ValueError(f"loss_type must be one of {LOSS_TYPES}, got {loss_type!r}")


# ---------------------------------------------------------------------------------------------
# Forward and backward, run axis last: x (N, 2), t (N, 1) -> arrays (N, ..., R)
# ---------------------------------------------------------------------------------------------

def _forward(W1, b1, W2, b2, beta, x, activation="sigmoid"):
    """z (N, H, R) and u2 (N, R), the output sigmoid's input; y = σ(u2)."""
    z = _hidden(beta * (np.tensordot(x, W1, axes=1) + b1), activation)
    u2 = beta * ((z * W2).sum(axis=1) + b2)
    return z, u2


def _loss_from(y, u2, t, loss_type):
    """Loss per run, (R,), from the outputs y (N, R) and their sigmoid inputs u2."""
    if loss_type == "sse":
        return 0.5 * ((y - t) ** 2).sum(axis=0)
    # -log σ(u) = log(1 + exp(-u)) and -log(1 - σ(u)) = log(1 + exp(u)), computed without overflow
    return (t * np.logaddexp(0.0, -u2) + (1 - t) * np.logaddexp(0.0, u2)).sum(axis=0)


def _backward(W2, beta, x, t, z, y, loss_type, activation="sigmoid"):
    """Gradients (dW1, db1, dW2, db2), run axis last, by the formulas of the module docstring."""
    d_u2 = (y - t) * y * (1 - y) if loss_type == "sse" else y - t       # (N, R)
    beta_d_u2 = (beta * d_u2)[:, np.newaxis, :]                           # β dE/du2, (N, 1, R)
    dW2 = (z * beta_d_u2).sum(axis=0)                                     # (H, R)
    db2 = beta_d_u2.sum(axis=(0, 1))                                      # (R,)
    d_u1 = beta_d_u2 * W2 * _hidden_slope(z, activation)                  # (N, H, R)
    dW1 = beta * np.tensordot(x.T, d_u1, axes=1)                          # (2, H, R)
    db1 = beta * d_u1.sum(axis=0)                                         # (H, R)
    return dW1, db1, dW2, db2


# ---------------------------------------------------------------------------------------------
# The public functions: run axis first
# ---------------------------------------------------------------------------------------------

def predict(params, beta=1.0, x=XOR_X, activation="sigmoid"):
    """The outputs y of every run for every input row: shape (R, N, 1)."""
    runs = _check_params(params, "predict")
    x, _ = _check_data(x, None, "predict")
    _check_activation(activation)
    W1, b1, W2, b2 = _runs_last(params)
    _, u2 = _forward(W1, b1, W2, b2, _per_run(beta, runs, "beta"), x, activation)
    return _sigmoid(u2).T[:, :, np.newaxis]


def hidden_output(params, beta=1.0, x=XOR_X, activation="sigmoid"):
    """The hidden units' outputs z of every run for every input row: shape (R, N, H)."""
    runs = _check_params(params, "hidden_output")
    x, _ = _check_data(x, None, "hidden_output")
    _check_activation(activation)
    W1, b1, W2, b2 = _runs_last(params)
    z, _ = _forward(W1, b1, W2, b2, _per_run(beta, runs, "beta"), x, activation)
    return np.ascontiguousarray(np.moveaxis(z, -1, 0))


def loss(params, beta=1.0, loss_type="sse", x=XOR_X, t=XOR_T, activation="sigmoid"):
    """The loss of every run, shape (R,), summed over the points (see the module docstring)."""
    runs = _check_params(params, "loss")
    _check_loss_type(loss_type)
    _check_activation(activation)
    x, t = _check_data(x, t, "loss")
    W1, b1, W2, b2 = _runs_last(params)
    _, u2 = _forward(W1, b1, W2, b2, _per_run(beta, runs, "beta"), x, activation)
    return _loss_from(_sigmoid(u2), u2, t, loss_type)


def gradient(params, beta=1.0, loss_type="sse", x=XOR_X, t=XOR_T, activation="sigmoid"):
    """dE/dparameter of every run by backpropagation: a dict shaped like ``params``."""
    runs = _check_params(params, "gradient")
    _check_loss_type(loss_type)
    _check_activation(activation)
    x, t = _check_data(x, t, "gradient")
    W1, b1, W2, b2 = _runs_last(params)
    beta = _per_run(beta, runs, "beta")
    z, u2 = _forward(W1, b1, W2, b2, beta, x, activation)
    return _runs_first(*_backward(W2, beta, x, t, z, _sigmoid(u2), loss_type, activation))


class _CentralDifferences:
    """Central differences for every parameter of every run, with ONE forward pass per gradient.

    The P parameters of each run form a column of theta (P, R). Every one of them is nudged by +h
    and by -h, each nudge in its own copy of the network: 2P copies of all R networks, a batch of
    2P R networks that goes through _forward at once. Then
    grad_i = (E(theta_i + h) - E(theta_i - h)) / 2h, exactly the formula of
    common.gradient.numerical_gradient, element by element (theta_i + h is the same number there).
    The nudges and the bookkeeping are prepared once, so a training loop can call it cheaply.
    """

    def __init__(self, shapes, runs, beta, h=DIFF_STEP, activation="sigmoid"):
        self.shapes, self.runs, self.h, self.activation = shapes, runs, h, activation
        self.sizes = [int(np.prod(shape)) for shape in shapes]
        self.n = sum(self.sizes)                                             # P
        self.nudges = (np.concatenate([np.eye(self.n), -np.eye(self.n)], axis=1) * h)[:, :, np.newaxis]
        self.splits = np.cumsum(self.sizes)[:-1]
        copies = 2 * self.n * runs
        # one beta per copy: copy c of run r sits at column c * R + r
        self.beta = np.broadcast_to(beta, (2 * self.n, runs)).reshape(copies) if np.ndim(beta) else beta

    def __call__(self, p, x, t, loss_type):
        n, runs = self.n, self.runs
        theta = np.concatenate([a.reshape(-1, runs) for a in p])                 # (P, R)
        copies = (theta[:, np.newaxis, :] + self.nudges).reshape(n, 2 * n * runs)
        arrays = [part.reshape(*shape, -1)
                  for part, shape in zip(np.split(copies, self.splits), self.shapes)]
        _, u2 = _forward(*arrays, self.beta, x, self.activation)
        losses = _loss_from(_sigmoid(u2), u2, t, loss_type).reshape(2 * n, runs)
        grad = (losses[:n] - losses[n:]) / (2 * self.h)                          # (P, R)
        return tuple(part.reshape(*shape, runs) for part, shape in zip(np.split(grad, self.splits), self.shapes))


def _central_differences(p, beta, h=DIFF_STEP, activation="sigmoid"):
    return _CentralDifferences([a.shape[:-1] for a in p], p[0].shape[-1], beta, h, activation)


def numerical_gradient(params, beta=1.0, loss_type="sse", x=XOR_X, t=XOR_T, h=DIFF_STEP, activation="sigmoid"):
    """dE/dparameter of every run by central differences (h = 1e-4), all nudges in one batch.

    Gives the same numbers as calling common.gradient.numerical_gradient on each run's arrays
    (tested), at the cost of a single forward pass through 2 P R networks (P parameters per run).
    """
    runs = _check_params(params, "numerical_gradient")
    _check_loss_type(loss_type)
    _check_activation(activation)
    x, t = _check_data(x, t, "numerical_gradient")
    p = _runs_last(params)
    return _runs_first(*_central_differences(p, _per_run(beta, runs, "beta"), h, activation)(p, x, t, loss_type))


def fitted_points(y, t=XOR_T, tolerance=0.1):
    """How many points each run fits, |y - t| < tolerance: an int array (R,) for outputs y (R, N, 1)."""
    y = np.asarray(y, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    if y.ndim != 3 or y.shape[1:] != t.shape:
        raise ValueError(f"fitted_points expected outputs of shape (runs, {t.shape[0]}, 1), got {y.shape}")
    return (np.abs(y - t) < tolerance).sum(axis=(1, 2))


# How many points a network on each plateau fits (notebook 07a, section 7.5): 1/4 two merged points,
# 1/3 three merged points, 1/2 one output pinned at the wrong end, 1 two of them.
PLATEAU_FITTED_POINTS = {"1/4": 2, "1/3": 1, "1/2": 3, "1": 2}


def classify_outcomes(final_sse, threshold=0.01, tolerance=0.02, fitted=None):
    """Name the end state of each run: "solved" (sum of squared errors <= threshold), the plateau
    it sits on ("1/4", "1/3", "1/2" or "1": within ``tolerance`` of that value), or "other".

    A loss value alone can mislead: a run that is still on its way down and passes 0.5 is not on
    the plateau at 1/2 (one output pinned at the wrong end). Give ``fitted``, the points each run
    fits (``fitted_points``), and a plateau label also needs that plateau's number of fitted points
    (``PLATEAU_FITTED_POINTS``); runs near a plateau value that do not fit it are "other".

    Returns an array of strings, one per run; ``OUTCOMES`` lists the names in a fixed order.
    """
    final_sse = np.asarray(final_sse, dtype=np.float64)
    if final_sse.ndim != 1:
        raise ValueError(f"classify_outcomes expected one final loss per run, shape (R,), got {final_sse.shape}")
    if fitted is not None:
        fitted = np.asarray(fitted)
        if fitted.shape != final_sse.shape:
            raise ValueError(f"classify_outcomes expected one fitted count per run, shape {final_sse.shape}, "
                             f"got {fitted.shape}")
    labels = np.full(final_sse.shape, "other", dtype=object)
    for name, level in PLATEAUS.items():
        near = np.abs(final_sse - level) <= tolerance
        if fitted is not None:
            near &= fitted == PLATEAU_FITTED_POINTS[name]
        labels[near] = name
    labels[final_sse <= threshold] = "solved"
    return labels.astype(str)


# ---------------------------------------------------------------------------------------------
# Training
# ---------------------------------------------------------------------------------------------

@dataclass
class TrainingResult:
    """What ``train`` returns. R runs, K recorded steps.

    params:        the final parameters (run axis first)
    steps:         (K,) the iterations at which losses were recorded: 0, k, 2k, ..., and the last
    loss_history:  (R, K) the training loss at those iterations
    sse_history:   (R, K) the sum of squared errors at those iterations (the common yardstick:
                   equal to loss_history when training on "sse")
    iterations_to_threshold: (R,) the first iteration whose sum of squared errors is <= threshold,
                   checked at every iteration; np.inf for runs that never got there
    threshold:     the threshold used
    """
    params: dict
    steps: np.ndarray
    loss_history: np.ndarray
    sse_history: np.ndarray
    iterations_to_threshold: np.ndarray
    threshold: float

    @property
    def final_loss(self):
        """(R,) the training loss after the last iteration."""
        return self.loss_history[:, -1]

    @property
    def final_sse(self):
        """(R,) the sum of squared errors after the last iteration."""
        return self.sse_history[:, -1]


class _Updater:
    """The update rule of ``train`` for all runs at once, run axis last (see the module docstring).

    The formulas are common.optimizer's (SGD, Momentum, Adam with the book's arrangement of the bias
    correction), written for a learning rate that may differ from run to run.
    """

    def __init__(self, optimizer, lr, momentum=0.9, beta1=0.9, beta2=0.999, eps=1e-7):
        self.optimizer, self.lr, self.momentum = optimizer, lr, momentum
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.state, self.t = None, 0

    def __call__(self, params, grads):
        if self.optimizer == "sgd":
            for p, g in zip(params, grads):
                p -= self.lr * g
            return
        if self.state is None:
            copies = 1 if self.optimizer == "momentum" else 2
            self.state = [[np.zeros_like(p) for p in params] for _ in range(copies)]
        if self.optimizer == "momentum":
            for p, g, v in zip(params, grads, self.state[0]):
                v *= self.momentum
                v -= self.lr * g                      # v <- momentum v - lr g
                p += v                                # W <- W + v
            return
        self.t += 1
        lr_t = self.lr * np.sqrt(1.0 - self.beta2 ** self.t) / (1.0 - self.beta1 ** self.t)
        for p, g, m, v in zip(params, grads, *self.state):
            m += (1 - self.beta1) * (g - m)           # m <- m + (1 - beta1) (g - m)
            v += (1 - self.beta2) * (g * g - v)       # v <- v + (1 - beta2) (g g - v)
            p -= lr_t * m / (np.sqrt(v) + self.eps)   # W <- W - lr_t m / (sqrt(v) + eps)


def train(params, beta=10.0, lr=0.01, iters=10_000, loss_type="sse", method="backprop", record_every=1,
          threshold=0.01, x=XOR_X, t=XOR_T, activation="sigmoid", optimizer="sgd", updates="batch",
          generator=None):
    """Train all runs at once for ``iters`` iterations; by default plain gradient descent, W <- W - lr dE/dW.

    One iteration is one step on the loss summed over all points (``updates="batch"``), or one step
    per point (``"per_sample"``, ``"per_sample_shuffled"``: stochastic gradient descent, see the
    module docstring). ``optimizer`` is "sgd", "momentum" or "adam"; ``activation`` is the hidden
    units' "sigmoid", "tanh" or "relu". ``params`` is not changed; the result holds the final
    parameters and the loss histories (see TrainingResult), recorded after whole iterations.
    ``method`` is "backprop" or "numerical" (central differences, as the learner did: slow).
    ``beta`` and ``lr`` may be one number or one value per run. ``generator`` (default
    ``common.rng.rng()``) draws the orders of "per_sample_shuffled".
    """
    runs = _check_params(params, "train")
    _check_loss_type(loss_type)
    _check_activation(activation)
    x, t = _check_data(x, t, "train")
    if method not in ("backprop", "numerical"):
        raise ValueError(f"method must be 'backprop' or 'numerical', got {method!r}")
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    if updates not in UPDATES:
        raise ValueError(f"updates must be one of {UPDATES}, got {updates!r}")
    for name, value in (("iters", iters), ("record_every", record_every)):
        if isinstance(value, bool) or not float(value).is_integer() or value < (0 if name == "iters" else 1):
            raise ValueError(f"{name} must be a whole number{'' if name == 'iters' else ' >= 1'}, got {value!r}")
    iters, record_every = int(iters), int(record_every)
    beta = _per_run(beta, runs, "beta")
    lr = _per_run(lr, runs, "lr")
    if updates == "per_sample_shuffled" and generator is None:
        from common.rng import rng
        generator = rng()
    W1, b1, W2, b2 = _runs_last(params)
    p = (W1, b1, W2, b2)
    steps = np.unique(np.append(np.arange(0, iters + 1, record_every), iters))
    loss_history = np.empty((runs, steps.size))
    sse_history = np.empty((runs, steps.size))
    reached = np.full(runs, np.inf)
    numerical = _central_differences(p, beta, activation=activation) if method == "numerical" else None
    update = _Updater(optimizer, lr)
    points = [slice(None)] if updates == "batch" else [slice(n, n + 1) for n in range(x.shape[0])]

    def grads(xs, ts, z=None, y=None):
        if numerical is not None:
            return numerical(p, xs, ts, loss_type)
        if z is None:
            z, u2 = _forward(W1, b1, W2, b2, beta, xs, activation)
            y = _sigmoid(u2)
        return _backward(W2, beta, xs, ts, z, y, loss_type, activation)

    k = 0
    for i in range(iters + 1):
        z, u2 = _forward(W1, b1, W2, b2, beta, x, activation)
        y = _sigmoid(u2)
        sse = 0.5 * ((y - t) ** 2).sum(axis=0)
        reached[np.isinf(reached) & (sse <= threshold)] = i
        if k < steps.size and i == steps[k]:
            sse_history[:, k] = sse
            loss_history[:, k] = sse if loss_type == "sse" else _loss_from(y, u2, t, loss_type)
            k += 1
        if i == iters:
            break
        if updates == "batch":
            update(p, grads(x, t, z, y))
            continue
        order = generator.permutation(len(points)) if updates == "per_sample_shuffled" else range(len(points))
        for n in order:
            update(p, grads(x[points[n]], t[points[n]]))
    return TrainingResult(_runs_first(W1, b1, W2, b2), steps, loss_history, sse_history, reached, threshold)
