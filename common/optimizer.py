"""Optimizers (最適化手法): rules that update the parameters from their gradients.

Introduced in notebook 06, section 6.1.

Every optimizer has one method, ``update(params, grads)``, which changes the arrays in ``params`` in
place (the network's layers share them), key by key, using ``grads[key]``:

    SGD       W <- W - lr * dW
    Momentum  v <- momentum * v - lr * dW;            W <- W + v
    Nesterov  v <- momentum * v - lr * dW;            W <- W + momentum * v - lr * dW
    AdaGrad   h <- h + dW * dW;                       W <- W - lr * dW / (sqrt(h) + eps)
    RMSprop   h <- decay * h + (1 - decay) * dW * dW; W <- W - lr * dW / (sqrt(h) + eps)
    Adam      m <- m + (1 - beta1) * (dW - m);  v <- v + (1 - beta2) * (dW * dW - v)
              W <- W - lr_t * m / (sqrt(v) + eps),  lr_t = lr * sqrt(1 - beta2^t) / (1 - beta1^t)

(dW * dW is element-wise.) Adam's m and v start at 0 and would be too small in the first steps;
lr_t corrects for that (the bias correction): it is lr * m_hat / sqrt(v_hat) rearranged, with
m_hat = m / (1 - beta1^t) and v_hat = v / (1 - beta2^t), and eps added to sqrt(v) as the book does.
Each optimizer keeps its own state (v, h, m) per parameter, created on the first update with the
parameter's shape and dtype.

``params`` may also hold plain Python numbers (the book's ``params['x'] = -7.0``): those are updated
by storing the new number in the dict, since a number cannot be changed in place.
"""

import math
from collections.abc import Mapping

import numpy as np

from common.checks import number_in_range, positive_number

__all__ = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "OPTIMIZERS", "make_optimizer",
           "np"]  # the book's scripts get NumPy from `from common.optimizer import *`


class Optimizer:
    """What all optimizers share: checking the learning rate and the params/grads pairs."""

    def __init__(self, lr):
        positive_number(lr, "lr (the learning rate)", type(self).__name__)
        self.lr = lr

    def update(self, params, grads):
        owner = type(self).__name__
        for name, value in (("params", params), ("grads", grads)):
            if not isinstance(value, Mapping):
                raise TypeError(f"{owner}.update(params, grads) takes two dicts {{name: array}} with the same "
                                f"keys (as network.params and network.gradient(x, t) give them), got {name} of "
                                f"type {type(value).__name__}")
        for key in list(params):
            param = params[key]
            if key not in grads:
                raise ValueError(f"{owner}.update: no gradient for parameter {key!r}")
            grad = grads[key]
            if isinstance(param, np.ndarray):
                if np.shape(grad) != param.shape:
                    raise ValueError(f"{owner}.update: gradient of {key!r} has shape "
                                     f"{np.shape(grad)}, the parameter has shape {param.shape}")
                if param.dtype.kind != "f":
                    raise ValueError(f"{owner}.update: parameter {key!r} holds {param.dtype} numbers, but a step "
                                     f"changes it by fractions in place, which an integer array cannot store. "
                                     f"Make it floating-point first: params[{key!r}] = "
                                     f"params[{key!r}].astype(np.float32)")
                self._step(key, param, np.asarray(grad))
            else:  # a plain number: step a 0-d copy of it, then store the new number in the dict
                value = np.array(param, dtype=np.float64)
                self._step(key, value, np.asarray(grad, dtype=np.float64))
                params[key] = float(value)

    def _step(self, key, param, grad):
        raise NotImplementedError

    @staticmethod
    def _state(store, key, param):
        """The optimizer's memory (v, h, m, ...) for one parameter: zeros of its shape at first."""
        if key not in store:
            store[key] = np.zeros_like(param)
        return store[key]


class SGD(Optimizer):
    """Stochastic gradient descent (確率的勾配降下法): a step of size lr against the gradient."""

    def __init__(self, lr=0.01):
        super().__init__(lr)

    def _step(self, key, param, grad):
        param -= self.lr * grad


class Momentum(Optimizer):
    """SGD with a velocity v that keeps some of the previous steps (like a ball rolling downhill)."""

    def __init__(self, lr=0.01, momentum=0.9):
        super().__init__(lr)
        self.momentum = number_in_range(momentum, "momentum", type(self).__name__, 0, 1)
        self.v = {}

    def _new_velocity(self, key, param, grad):
        """v <- momentum * v - lr * dW (v starts at 0), updated in place and returned."""
        v = self._state(self.v, key, param)
        v *= self.momentum
        v -= self.lr * grad
        return v

    def _step(self, key, param, grad):
        param += self._new_velocity(key, param, grad)


class Nesterov(Momentum):
    """Nesterov's accelerated gradient: Momentum that also looks one velocity-step ahead.

    Written in the form that needs only the gradient at the current parameters (Bengio et al., 2013):
    v <- momentum * v - lr * dW, then W <- W + momentum * v - lr * dW.
    """

    def _step(self, key, param, grad):
        v = self._new_velocity(key, param, grad)
        param += self.momentum * v - self.lr * grad


class AdaGrad(Optimizer):
    """Per-parameter learning rates that shrink where the gradients have been large.

    h sums the squared gradients; dividing by sqrt(h) makes steps smaller for parameters that have
    already moved a lot. eps = 1e-7 avoids dividing by zero before any gradient arrived.
    """

    def __init__(self, lr=0.01, eps=1e-7):
        super().__init__(lr)
        self.eps = positive_number(eps, "eps", type(self).__name__)
        self.h = {}

    def _step(self, key, param, grad):
        h = self._state(self.h, key, param)
        h += grad * grad
        param -= self.lr * grad / (np.sqrt(h) + self.eps)


class RMSprop(Optimizer):
    """AdaGrad with a fading memory: h is a moving average of squared gradients (decay_rate per step)."""

    def __init__(self, lr=0.01, decay_rate=0.99, eps=1e-7):
        super().__init__(lr)
        self.decay_rate = number_in_range(decay_rate, "decay_rate", type(self).__name__, 0, 1)
        self.eps = positive_number(eps, "eps", type(self).__name__)
        self.h = {}

    def _step(self, key, param, grad):
        h = self._state(self.h, key, param)
        h *= self.decay_rate
        h += (1 - self.decay_rate) * grad * grad
        param -= self.lr * grad / (np.sqrt(h) + self.eps)


class Adam(Optimizer):
    """Momentum (m) and RMSprop (v) together, with a bias correction (Kingma and Ba, 2015).

    Written as the book arranges it (the module docstring): eps is added to sqrt(v), and the bias
    correction goes into the step size lr_t.
    """

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-7):
        super().__init__(lr)
        self.beta1 = number_in_range(beta1, "beta1", "Adam", 0, 1)
        self.beta2 = number_in_range(beta2, "beta2", "Adam", 0, 1)
        self.eps = positive_number(eps, "eps", "Adam")
        self.iter = 0
        self.lr_t = None
        self.m, self.v = {}, {}
        self._scratch = {}  # two work arrays per (shape, dtype), reused by every step (see _step)

    def update(self, params, grads):
        self.iter += 1  # one step for all parameters together: t in beta^t
        self.lr_t = self.lr * math.sqrt(1.0 - self.beta2 ** self.iter) / (1.0 - self.beta1 ** self.iter)
        super().update(params, grads)

    def _step(self, key, param, grad):
        # The formula of the module docstring, step by step, written into two work arrays a and b
        # that every step reuses: for a large model, a fresh temporary array per operation costs
        # about as much time as the arithmetic itself. (tests/test_optimizer.py checks that the
        # numbers are exactly the formula's.)
        m, v = self._state(self.m, key, param), self._state(self.v, key, param)
        work = self._scratch.get((param.shape, param.dtype))
        if work is None:
            work = self._scratch[(param.shape, param.dtype)] = (np.empty_like(param), np.empty_like(param))
        a, b = work
        np.subtract(grad, m, out=a)
        a *= 1 - self.beta1
        m += a                                              # m <- m + (1 - beta1) (g - m)
        np.multiply(grad, grad, out=a)
        a -= v
        a *= 1 - self.beta2
        v += a                                              # v <- v + (1 - beta2) (g g - v)
        np.sqrt(v, out=b)
        b += self.eps
        np.multiply(m, self.lr_t, out=a)
        a /= b
        param -= a                                          # W <- W - lr_t m / (sqrt(v) + eps)


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "nesterov": Nesterov, "adagrad": AdaGrad,
              "rmsprop": RMSprop, "adam": Adam}


def make_optimizer(optimizer, **optimizer_param):
    """An optimizer from its name ('SGD', 'adam', ... in any case) and settings, or one given as an object."""
    if not isinstance(optimizer, str):
        if not callable(getattr(optimizer, "update", None)):
            raise TypeError(f"expected an optimizer name or an object with update(params, grads), got {optimizer!r}")
        return optimizer
    try:
        cls = OPTIMIZERS[optimizer.lower()]
    except KeyError:
        raise ValueError(f"unknown optimizer {optimizer!r}; choose one of {sorted(OPTIMIZERS)}") from None
    if "learning_rate" in optimizer_param:  # Keras' name for lr
        if "lr" in optimizer_param:
            raise ValueError("give the learning rate once: lr or learning_rate, not both")
        optimizer_param["lr"] = optimizer_param.pop("learning_rate")
    try:
        return cls(**optimizer_param)
    except TypeError as error:  # an unknown keyword: name the ones that exist
        import inspect

        known = [name for name in inspect.signature(cls).parameters]
        raise ValueError(f"{cls.__name__} takes the settings {known}; got {sorted(optimizer_param)} "
                         f"({error})") from None
