"""Checkers for the exercises of notebook 05 (backpropagation).

Introduced in notebook 05, "Try it".

(a) ``check_shopping_gradients``: the backward numbers of a new shopping graph.
(b) ``check_tanh_layer``: a Tanh layer's forward and backward (dy/dx = 1 - y**2).
(c) ``check_affine_backward``: a corrected Affine layer (the broken one sums nothing and transposes dW).
"""

import numpy as np

from common.exercises import call_safely, checker, missing_methods, report, unanswered
from common.gradient_check import layer_gradient_check

# ---------------------------------------------------------------------------------------------
# (a) The shopping graph: 4 bananas at 120 yen and 1 melon at 900 yen, 8% tax on the fruit,
#     then a delivery fee of 300 yen (no tax on it).
#
#     banana (120) ─┐                                   tax (1.08) ─┐
#                   ×── 480 ─┐                                      │
#  banana_num (4) ──┘        +── 1380 ─────────────────────────────×── 1490.4 ─┐
#     melon (900) ──┐        │                                                 +── 1790.4 → price
#                   ×── 900 ─┘                            delivery (300) ──────┘
#   melon_num (1) ──┘
# ---------------------------------------------------------------------------------------------

SHOPPING_INPUTS = {"banana": 120.0, "banana_num": 4.0, "melon": 900.0, "melon_num": 1.0, "tax": 1.08,
                   "delivery": 300.0}


def shopping_price(banana, banana_num, melon, melon_num, tax, delivery):
    """The price the shopping graph computes: (banana * banana_num + melon * melon_num) * tax + delivery."""
    return (banana * banana_num + melon * melon_num) * tax + delivery


def _shopping_gradients():
    v = SHOPPING_INPUTS
    return {
        "banana": v["banana_num"] * v["tax"],          # 4.32
        "banana_num": v["banana"] * v["tax"],          # 129.6
        "melon": v["melon_num"] * v["tax"],            # 1.08
        "melon_num": v["melon"] * v["tax"],            # 972
        "tax": v["banana"] * v["banana_num"] + v["melon"] * v["melon_num"],  # 1380
        "delivery": 1.0,
    }


def _shopping_hint(name, got, expected):
    v = SHOPPING_INPUTS
    without_tax = {"banana": v["banana_num"], "banana_num": v["banana"], "melon": v["melon_num"],
                   "melon_num": v["melon"]}
    swapped = {"banana": v["banana"] * v["tax"], "banana_num": v["banana_num"] * v["tax"],
               "melon": v["melon"] * v["tax"], "melon_num": v["melon_num"] * v["tax"]}
    if name in without_tax and np.isclose(got, without_tax[name]):
        return ("on its way back the gradient passes the tax node, which multiplies it by 1.08 "
                "(its other input).")
    if name in swapped and np.isclose(got, swapped[name]):
        return ("a multiply node hands each input the *other* input: d(banana) gets banana_num, "
                "d(banana_num) gets banana (each times the 1.08 arriving from the tax node).")
    if name == "tax":
        if np.isclose(got, shopping_price(**v)) or np.isclose(got, shopping_price(**v) - v["delivery"]):
            return ("the tax node multiplies the fruit total 1380 by the tax; its backward hands the tax the "
                    "other input, 1380 (times the 1 arriving from the + node).")
        return "the tax node's other input is the fruit total, 120 * 4 + 900 * 1 = 1380."
    if name == "delivery":
        return "an add node passes the gradient through unchanged, and 1 arrives at the last + node."
    return f"expected {expected:g}: follow the gradient back from price (1) node by node."


@checker("Shopping gradients")
def check_shopping_gradients(gradients):
    """Are the six backward numbers of the banana-and-melon graph right?

    ``gradients`` is a dict {"banana", "banana_num", "melon", "melon_num", "tax", "delivery": number}:
    d(price)/d(input) for each input of the graph.
    """
    exercise = "Shopping gradients"
    if unanswered(exercise, gradients):
        return False
    if not isinstance(gradients, dict):
        return report(exercise, False, f"give a dict such as {{'banana': ..., 'banana_num': ..., ...}}, "
                                       f"got {type(gradients).__name__}.")
    expected = _shopping_gradients()
    missing = [name for name in expected if name not in gradients]
    if missing:
        return report(exercise, False, f"the dict has no entry for {', '.join(missing)}; "
                                       f"it needs all six: {', '.join(expected)}.")
    for name, value in expected.items():
        got = gradients[name]
        if got is None:
            return report(exercise, False, f"d(price)/d({name}) is still None.")
        try:
            got = float(got)
        except (TypeError, ValueError, OverflowError):
            return report(exercise, False, f"d(price)/d({name}) should be a number, got {got!r}.")
        if not np.isclose(got, value, rtol=1e-9, atol=1e-9):
            return report(exercise, False, f"d(price)/d({name}) is not {got:g}. Hint: "
                                           f"{_shopping_hint(name, got, value)}")
    return report(exercise, True, "all six gradients are right. One more banana would add 129.6 yen "
                                  "(120 yen plus tax), one more yen of delivery adds exactly 1 yen, and "
                                  "a 1% higher tax rate (0.01) adds 0.01 * 1380 = 13.8 yen.")


# ---------------------------------------------------------------------------------------------
# (b) A Tanh layer
# ---------------------------------------------------------------------------------------------


@checker("Tanh layer")
def check_tanh_layer(Tanh):
    """Does the class ``Tanh`` (with forward(x) and backward(dout)) compute y = tanh(x) and
    dL/dx = dout * (1 - y**2), without writing into ``dout``? Includes a numerical gradient check."""
    exercise = "Tanh layer"
    if unanswered(exercise, Tanh):
        return False
    generator = np.random.default_rng(5)
    x = generator.normal(size=(3, 4))
    dout = generator.normal(size=(3, 4))
    layer, failed = call_safely(exercise, Tanh)
    if failed is not None:
        return failed
    failed = missing_methods(exercise, layer, ("forward", "backward"), "Tanh()")
    if failed is not None:
        return failed
    x_before = x.copy()
    y, failed = call_safely(exercise, layer.forward, x)
    if failed is not None:
        return failed
    if y is None:
        return report(exercise, False, "forward returned None. Did you forget `return out`?")
    if not np.array_equal(x, x_before):
        return report(exercise, False, "forward changed its input x. Keep what backward needs in a new "
                                       "array (for example self.out = np.tanh(x)).")
    y = np.asarray(y)
    if y.shape != x.shape or not np.allclose(y, np.tanh(x)):
        return report(exercise, False, "forward should return np.tanh(x), element by element, with x's "
                                       f"shape {x.shape}.")
    dout_before = dout.copy()
    dx, failed = call_safely(exercise, layer.backward, dout)
    if failed is not None:
        return failed
    if not np.array_equal(dout, dout_before):
        return report(exercise, False, "backward changed dout, an array that belongs to the layer above. "
                                       "Compute a new array (dx = dout * ...) instead of writing into dout.")
    if dx is None:
        return report(exercise, False, "backward returned None. Did you forget `return dx`?")
    dx = np.asarray(dx)
    t = np.tanh(x)
    if dx.shape != x.shape:
        return report(exercise, False, f"backward should return one gradient per input, shape {x.shape}, "
                                       f"got {dx.shape}.")
    if not np.allclose(dx, dout * (1 - t ** 2)):
        if np.allclose(dx, 1 - t ** 2):
            hint = "that is the local derivative alone: multiply it by dout (the chain rule)."
        elif np.allclose(dx, dout * (1 - x ** 2)):
            hint = "use the output y = tanh(x), kept from forward, not the input x: 1 - y**2."
        elif np.allclose(dx, dout * t * (1 - t)):
            hint = "y(1 - y) is the sigmoid's derivative; tanh's is 1 - y**2."
        elif np.allclose(dx, -dout * (1 - t ** 2)):
            hint = "the sign is flipped: tanh rises everywhere, so its derivative 1 - y**2 is positive."
        else:
            hint = "return dout * (1 - y**2), with y the output of forward."
        return report(exercise, False, f"backward gives the wrong gradient. Hint: {hint}")
    errors, failed = call_safely(exercise, layer_gradient_check, Tanh(), x)
    if failed is not None:
        return failed
    if errors["x0"] > 1e-7:
        return report(exercise, False, f"the numerical gradient check disagrees by {errors['x0']:.1e} on average.")
    return report(exercise, True, f"forward is tanh, backward is dout * (1 - y**2), dout is left alone, "
                                  f"and the gradient check agrees (mean difference {errors['x0']:.0e}).")


# ---------------------------------------------------------------------------------------------
# (c) A broken Affine layer, fixed
# ---------------------------------------------------------------------------------------------

@checker("Affine backward")
def check_affine_backward(Affine):
    """Does the class ``Affine(W, b)`` compute X W + b and, in backward(dout), return dX = dout W^T
    (in the shape of the input) and store dW = X^T dout and db = dout summed over the batch?"""
    exercise = "Affine backward"
    if unanswered(exercise, Affine):
        return False
    generator = np.random.default_rng(6)
    W, b = generator.normal(size=(4, 3)), generator.normal(size=3)
    for shape in [(5, 4), (5, 1, 2, 2)]:
        x = generator.normal(size=shape)
        dout = generator.normal(size=(5, 3))
        layer, failed = call_safely(exercise, Affine, W.copy(), b.copy())
        if failed is not None:
            return failed
        failed = missing_methods(exercise, layer, ("forward", "backward"), "Affine(W, b)")
        if failed is not None:
            return failed
        out, failed = call_safely(exercise, layer.forward, x)
        if failed is not None:
            return failed
        x2 = x.reshape(5, 4)
        if out is None or np.shape(out) != (5, 3) or not np.allclose(out, x2 @ W + b):
            return report(exercise, False, f"forward on an input of shape {shape} should give X W + b of shape "
                                           f"(5, 3). Did you change forward?")
        dout_before = dout.copy()
        dx, failed = call_safely(exercise, layer.backward, dout)
        if failed is not None:
            return failed
        if not np.array_equal(dout, dout_before):
            return report(exercise, False, "backward changed dout: compute new arrays instead.")
        dW, db = getattr(layer, "dW", None), getattr(layer, "db", None)
        if dW is None or db is None:
            return report(exercise, False, "backward should store self.dW and self.db.")
        dW, db = np.asarray(dW), np.asarray(db)
        if db.shape != b.shape:
            return report(exercise, False, f"db has shape {db.shape}, but b has shape {b.shape}: a gradient "
                                           f"always has the shape of what it is the gradient of. Every row of "
                                           f"the batch used the same b, so add the rows' gradients: "
                                           f"dout.sum(axis=0).")
        if not np.allclose(db, dout.sum(axis=0)):
            if np.allclose(db, dout.mean(axis=0)):
                hint = ("that is the mean over the batch; use the sum. (The 1/N of the average loss is "
                        "already inside dout: SoftmaxWithLoss divides by the batch size.)")
            else:
                hint = "db is dout summed over the batch axis: dout.sum(axis=0)."
            return report(exercise, False, f"db has the right shape but the wrong values. Hint: {hint}")
        if dW.shape != W.shape:
            return report(exercise, False, f"dW has shape {dW.shape}, but W has shape {W.shape}. Match the "
                                           f"shapes: X^T (4, N) times dY (N, 3) gives (4, 3).")
        if not np.allclose(dW, x2.T @ dout):
            return report(exercise, False, "dW has the right shape but the wrong values: it is X^T @ dout.")
        if dx is None or np.shape(dx) != shape:
            got = None if dx is None else np.shape(dx)
            return report(exercise, False, f"for an input of shape {shape} backward should return dX of the same "
                                           f"shape, got {got}.")
        if not np.allclose(np.reshape(dx, (5, 4)), dout @ W.T):
            return report(exercise, False, "dX has the right shape but the wrong values: it is dout @ W.T.")
    return report(exercise, True, "dX, dW and db have the shapes of X, W and b and the right values, "
                                  "for a batch of vectors and for a batch of 1x2x2 images.")
