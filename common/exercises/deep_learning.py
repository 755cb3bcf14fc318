"""Checkers for the exercises of notebook 11 (deep learning, the book's chapter 8).

Introduced in notebook 11, "Try it" (a), (b) and (c).

(a) ``check_shift_image``: data augmentation, an image moved by whole pixels with zeros coming in (8.1.2).
(b) ``check_receptive_field``: how many input pixels one output unit of a stack of layers sees (8.1.3).
(c) ``check_residual``: a layer with a skip connection, y = x + F(x), and its backward pass (8.2.4).

Every call of the learner's code goes through ``call_safely`` and every checker through the package's
``@checker`` guard, so a checker never raises, whatever it is given.
"""

import numbers

import numpy as np

from common.exercises import call_safely, checker, missing_methods, report, unanswered
from common.gradient import numerical_gradient

# ---------------------------------------------------------------------------------------------
# (a) Shifting an image
# ---------------------------------------------------------------------------------------------


def reference_shift_image(image, dy, dx):
    """``image`` moved dy pixels down and dx pixels right (negative: up, left); zeros come in at the edges."""
    image = np.asarray(image)
    out = np.zeros_like(image)
    h, w = image.shape
    if abs(dy) >= h or abs(dx) >= w:
        return out
    out[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = \
        image[max(-dy, 0):h + min(-dy, 0), max(-dx, 0):w + min(-dx, 0)]
    return out


SHIFT_CASES = [(0, 0), (2, 0), (0, 3), (-2, 1), (1, -3), (-1, -1), (5, 6)]


def _test_image():
    """A 6x7 image with distinct values (0.5 to 21.0), so every misplaced pixel shows."""
    return (np.arange(1, 43, dtype=np.float64) / 2).reshape(6, 7)


@checker("Shifting an image")
def check_shift_image(shift_image):
    """Does ``shift_image(image, dy, dx)`` move a 2-D image dy rows down and dx columns right, with
    zeros where nothing comes in, keep the shape, and leave the image it was given unchanged?"""
    exercise = "Shifting an image"
    if unanswered(exercise, shift_image):
        return False
    image = _test_image()
    for dy, dx in SHIFT_CASES:
        given = image.copy()
        got, failed = call_safely(exercise, shift_image, given, dy, dx)
        if failed is not None:
            return failed
        if not np.array_equal(given, image):
            return report(exercise, False, f"shift_image(image, {dy}, {dx}) changed the image it was given. "
                                           f"Make a new array (np.zeros_like(image)) and copy into it.")
        if got is None:
            return report(exercise, False, "shift_image returned None. Did you forget `return`?")
        try:
            got = np.asarray(got, dtype=np.float64)
        except (TypeError, ValueError, OverflowError):
            return report(exercise, False, f"shift_image returned {type(got).__name__}, expected a 2-D array.")
        expected = reference_shift_image(image, dy, dx)
        if got.shape != image.shape:
            return report(exercise, False, f"shift_image(image, {dy}, {dx}) on a {image.shape} image returned "
                                           f"shape {got.shape}: a shifted image keeps its size (the pixels "
                                           f"that leave are dropped, zeros come in).")
        if np.array_equal(got, expected):
            continue
        if np.array_equal(got, np.roll(image, (dy, dx), axis=(0, 1))):
            hint = ("np.roll wraps the pixels that leave one edge around to the other; they should be dropped "
                    "and zeros come in instead.")
        elif np.array_equal(got, reference_shift_image(image, -dy, -dx)):
            hint = "it moved the other way: a positive dy moves the picture down, a positive dx to the right."
        elif np.array_equal(got, reference_shift_image(image, dx, dy)):
            hint = "dy and dx are swapped: dy counts rows (down), dx columns (right)."
        else:
            wrong = np.argwhere(got != expected)[0]
            hint = (f"pixel (row {wrong[0]}, column {wrong[1]}) is {got[tuple(wrong)]:g}, expected "
                    f"{expected[tuple(wrong)]:g}. out[y + dy, x + dx] = image[y, x] where both lie inside.")
        return report(exercise, False, f"shift_image(image, {dy}, {dx}) is not right: {hint}")
    return report(exercise, True, "every shift moves the digit and fills the edge with zeros; a shift larger "
                                  "than the image leaves an empty image. Random shifts of -2 to 2 pixels are "
                                  "what data/train_deep_convnet.py gives the network in every epoch.")


# ---------------------------------------------------------------------------------------------
# (b) The receptive field of a stack of layers
# ---------------------------------------------------------------------------------------------

DEEP_CONVNET_STACK = [(3, 1), (3, 1), (2, 2), (3, 1), (3, 1), (2, 2), (3, 1), (3, 1), (2, 2)]


def reference_receptive_field(layers):
    """The side of the input square that one output unit of ``layers`` sees.

    layers: [(filter_size, stride), ...] from the input to the output (pooling counts as a layer with
    its window and stride). Each layer widens the field by (filter_size - 1) steps of the current
    jump, the distance in input pixels between neighbouring units; a stride multiplies the jump.
    """
    field, jump = 1, 1
    for size, stride in layers:
        field += (size - 1) * jump
        jump *= stride
    return field


RECEPTIVE_CASES = [
    ([(3, 1)], 3),
    ([(5, 1)], 5),
    ([(3, 1), (3, 1)], 5),
    ([(3, 1)] * 3, 7),
    ([(2, 2)], 2),
    ([(3, 1), (2, 2), (3, 1)], 8),
    ([(3, 2), (3, 2)], 7),
    ([], 1),
    (DEEP_CONVNET_STACK, 36),
]


@checker("The receptive field")
def check_receptive_field(receptive_field):
    """Does ``receptive_field(layers)`` give the side of the input square one output unit sees, for
    layers given as [(filter_size, stride), ...] from the input to the output?"""
    exercise = "The receptive field"
    if unanswered(exercise, receptive_field):
        return False
    for layers, expected in RECEPTIVE_CASES:
        got, failed = call_safely(exercise, receptive_field, list(layers))
        if failed is not None:
            return failed
        if got is None:
            return report(exercise, False, "receptive_field returned None. Did you forget `return`?")
        if isinstance(got, bool) or not isinstance(got, numbers.Real):
            return report(exercise, False, f"receptive_field({layers}) returned {type(got).__name__}, expected "
                                           f"a whole number (a side length in pixels).")
        if got == expected:
            continue
        strides_one = all(stride == 1 for _, stride in layers)
        if got == 1 + sum(size - 1 for size, _ in layers) and not strides_one:
            hint = ("right for stride 1, but after a layer with stride 2 neighbouring units are 2 input pixels "
                    "apart, so each later layer widens the field twice as much. Keep a `jump` that the strides "
                    "multiply, and add (size - 1) * jump per layer.")
        elif got == sum(size for size, _ in layers):
            hint = ("neighbouring windows overlap: two 3x3 layers see 5x5, not 6x6. Each layer adds "
                    "(size - 1) pixels (times the jump), starting from 1.")
        else:
            hint = "start from 1 pixel; each layer adds (size - 1) * jump, then jump *= stride."
        return report(exercise, False, f"receptive_field({layers}) gave {got}, expected {expected}: {hint}")
    return report(exercise, True, "two 3x3 layers see 5x5 like one 5x5 layer, three see 7x7; and each of "
                                  "DeepConvNet's last 4x4 units sees a 36x36 square, more than the whole "
                                  "28x28 image.")


# ---------------------------------------------------------------------------------------------
# (c) A skip connection
# ---------------------------------------------------------------------------------------------


class _Tanh:
    """F(x) = tanh(x W): the inner layer the checker wraps (a layer with a parameter, in float64)."""

    def __init__(self, W):
        self.W, self.x, self.out, self.dW = W, None, None, None

    def forward(self, x, train_flg=False):
        self.x = x
        self.out = np.tanh(x @ self.W)
        return self.out

    def backward(self, dout):
        da = dout * (1 - self.out ** 2)
        self.dW = self.x.T @ da
        return da @ self.W.T


def _residual_problem():
    generator = np.random.default_rng(11)
    return generator.normal(size=(3, 4)), generator.normal(size=(4, 4)) * 0.7, generator.normal(size=(3, 4))


@checker("A skip connection")
def check_residual(Residual):
    """Is ``Residual(inner)`` a layer whose forward(x) returns x + inner.forward(x), and whose
    backward(dout) returns dout + inner.backward(dout) (the gradient of both branches)?"""
    exercise = "A skip connection"
    if unanswered(exercise, Residual):
        return False
    x, W, dout = _residual_problem()
    inner = _Tanh(W.copy())
    block, failed = call_safely(exercise, Residual, inner)
    if failed is not None:
        return failed
    missing = missing_methods(exercise, block, ("forward", "backward"), "Residual(inner)")
    if missing is not None:
        return missing
    given = x.copy()
    out, failed = call_safely(exercise, block.forward, given)
    if failed is not None:
        return failed
    if not np.array_equal(given, x):
        return report(exercise, False, "forward changed the array it was given; compute x + F(x) as a new array.")
    try:
        out = np.asarray(out, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        return report(exercise, False, f"forward returned {type(out).__name__}, expected an array.")
    branch = np.tanh(x @ W)
    if out.shape != x.shape:
        return report(exercise, False, f"forward returned shape {out.shape} for an input of shape {x.shape}; "
                                       f"x + F(x) has the shape of x.")
    if not np.allclose(out, x + branch):
        hint = ("it returned F(x) only: add the input, x + self.inner.forward(x)."
                if np.allclose(out, branch) else "expected x + inner.forward(x).")
        return report(exercise, False, f"forward is not right: {hint}")
    given_dout = dout.copy()
    dx, failed = call_safely(exercise, block.backward, given_dout)
    if failed is not None:
        return failed
    if not np.array_equal(given_dout, dout):
        return report(exercise, False, "backward changed the dout it was given; add the two gradients into a new "
                                       "array (dout + ...), not with +=.")
    if dx is None:
        return report(exercise, False, "backward returned None. Did you forget `return`?")
    try:
        dx = np.asarray(dx, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
        return report(exercise, False, f"backward returned {type(dx).__name__}, expected an array.")
    # dL/dx for L = sum(dout * (x + F(x))), by central differences (notebook 04)
    expected = numerical_gradient(lambda v: float(np.sum(dout * (v + np.tanh(v @ W)))), x.copy())
    inner_only = dout * (1 - branch ** 2) @ W.T
    if dx.shape != x.shape:
        return report(exercise, False, f"backward returned shape {dx.shape}; dL/dx has the shape of x, {x.shape}.")
    if not np.allclose(dx, expected, atol=1e-6):
        if np.allclose(dx, inner_only, atol=1e-6):
            hint = ("it returned only the gradient through F. The input also reached the output directly, "
                    "through the skip: add dout itself, dout + self.inner.backward(dout).")
        elif np.allclose(dx, dout):
            hint = "it returned only dout: the branch F also needs its gradient, self.inner.backward(dout)."
        else:
            hint = "expected dout + inner.backward(dout)."
        return report(exercise, False, f"backward is not right: {hint}")
    if inner.dW is None or not np.allclose(inner.dW, x.T @ (dout * (1 - branch ** 2))):
        return report(exercise, False, "the inner layer has no gradient for its weights: backward must call "
                                       "inner.backward(dout), so that F's parameters learn too.")
    return report(exercise, True, "the gradient reaches x twice: through F, and unchanged through the skip. "
                                  "However small F's gradient gets in a deep stack, dout itself always arrives.")
