"""Optimizers (最適化手法): rules that update the parameters from their gradients.

Introduced in notebook 06, section 6.1.

Every optimizer has one method, ``update(params, grads)``, which changes the arrays in ``params`` in
place (the network's layers share them), key by key, using ``grads[key]``:

    SGD       W <- W - lr * dW
    Momentum  v <- momentum * v - lr * dW;            W <- W + v
    Nesterov  v <- momentum * v - lr * dW;            W <- W + momentum * v - lr * dW
    AdaGrad   h <- h + dW * dW;                       W <- W - lr * dW / (sqrt(h) + eps)
    RMSprop   h <- decay * h + (1 - decay) * dW * dW; W <- W - lr * dW / (sqrt(h) + eps)
    Adam      m <- beta1 * m + (1 - beta1) * dW;  v <- beta2 * v + (1 - beta2) * dW * dW
              W <- W - lr * m_hat / (sqrt(v_hat) + eps), with m_hat = m / (1 - beta1^t),
              v_hat = v / (1 - beta2^t) (the bias correction for m and v starting at 0)

(dW * dW is element-wise.) Each keeps its own state (v, h, m) per parameter, created on the first
update with the parameter's shape and dtype.
"""

import numpy as np

__all__ = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "OPTIMIZERS", "make_optimizer"]


class Optimizer:
    """What all optimizers share: checking the learning rate and the params/grads pairs."""

    def __init__(self, lr):
        if isinstance(lr, bool) or not isinstance(lr, (int, float, np.floating)) or not lr > 0:
            raise ValueError(f"{type(self).__name__}: the learning rate lr must be a positive number, got {lr!r}")
        self.lr = lr

    def update(self, params, grads):
        for key, param in params.items():
            if key not in grads:
                raise ValueError(f"{type(self).__name__}.update: no gradient for parameter {key!r}")
            grad = grads[key]
            if grad.shape != param.shape:
                raise ValueError(f"{type(self).__name__}.update: gradient of {key!r} has shape {grad.shape}, "
                                 f"the parameter has shape {param.shape}")
            self._step(key, param, grad)

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
        self.momentum = momentum
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
        self.eps = eps
        self.h = {}

    def _step(self, key, param, grad):
        h = self._state(self.h, key, param)
        h += grad * grad
        param -= self.lr * grad / (np.sqrt(h) + self.eps)


class RMSprop(Optimizer):
    """AdaGrad with a fading memory: h is a moving average of squared gradients (decay_rate per step)."""

    def __init__(self, lr=0.01, decay_rate=0.99, eps=1e-7):
        super().__init__(lr)
        self.decay_rate = decay_rate
        self.eps = eps
        self.h = {}

    def _step(self, key, param, grad):
        h = self._state(self.h, key, param)
        h *= self.decay_rate
        h += (1 - self.decay_rate) * grad * grad
        param -= self.lr * grad / (np.sqrt(h) + self.eps)


class Adam(Optimizer):
    """Momentum (m) and RMSprop (v) together, both bias-corrected (Kingma and Ba, 2015)."""

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-7):
        super().__init__(lr)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.iter = 0
        self.m, self.v = {}, {}
        self._scratch = {}  # two work arrays per (shape, dtype), reused by every step (see _step)

    def update(self, params, grads):
        self.iter += 1  # one step for all parameters together: t in beta^t
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
        m *= self.beta1
        np.multiply(grad, 1 - self.beta1, out=a)
        m += a                                              # m <- beta1 m + (1 - beta1) g
        v *= self.beta2
        np.multiply(grad, 1 - self.beta2, out=a)
        a *= grad
        v += a                                              # v <- beta2 v + (1 - beta2) g g
        np.divide(m, 1 - self.beta1 ** self.iter, out=a)    # m_hat
        np.divide(v, 1 - self.beta2 ** self.iter, out=b)    # v_hat
        np.sqrt(b, out=b)
        b += self.eps
        a *= self.lr
        a /= b
        param -= a                                          # W <- W - lr m_hat / (sqrt(v_hat) + eps)


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
    return cls(**optimizer_param)
