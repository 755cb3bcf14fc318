"""The checkers of notebook 11 accept right answers and reject the usual wrong ones with a useful hint."""

import numpy as np
import pytest

from common.exercises.deep_learning import (DEEP_CONVNET_STACK, check_receptive_field, check_residual,
                                            check_shift_image, reference_receptive_field,
                                            reference_shift_image)

# ----- (a) shifting an image ---------------------------------------------------------------------


def test_reference_shift():
    image = np.arange(1, 10, dtype=float).reshape(3, 3)
    np.testing.assert_array_equal(reference_shift_image(image, 1, 0), [[0, 0, 0], [1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(reference_shift_image(image, 0, -1), [[2, 3, 0], [5, 6, 0], [8, 9, 0]])
    np.testing.assert_array_equal(reference_shift_image(image, 3, 0), np.zeros((3, 3)))


def shift_with_padding(image, dy, dx):
    h, w = image.shape
    padded = np.pad(image, ((h, h), (w, w)))
    return padded[h - dy:2 * h - dy, w - dx:2 * w - dx].copy()


def shift_with_loops(image, dy, dx):
    out = np.zeros_like(image)
    for y in range(image.shape[0]):
        for x in range(image.shape[1]):
            if 0 <= y + dy < image.shape[0] and 0 <= x + dx < image.shape[1]:
                out[y + dy, x + dx] = image[y, x]
    return out


@pytest.mark.parametrize("right", [shift_with_padding, shift_with_loops, reference_shift_image])
def test_shift_accepts_right_answers(right, capsys):
    assert check_shift_image(right)
    assert "Correct!" in capsys.readouterr().out


def shift_in_place(image, dy, dx):
    image[:] = reference_shift_image(image, dy, dx)
    return image


@pytest.mark.parametrize("wrong, hint", [
    (lambda image, dy, dx: np.roll(image, (dy, dx), axis=(0, 1)), "wraps"),
    (lambda image, dy, dx: reference_shift_image(image, -dy, -dx), "moved the other way"),
    (lambda image, dy, dx: reference_shift_image(image, dx, dy), "swapped"),
    (shift_in_place, "changed the image it was given"),
    (lambda image, dy, dx: np.pad(image, 1), "keeps its size"),
    (lambda image, dy, dx: None, "forget `return`"),
])
def test_shift_rejects_wrong_answers(wrong, hint, capsys):
    assert not check_shift_image(wrong)
    assert hint in capsys.readouterr().out


# ----- (b) the receptive field ---------------------------------------------------------------------


def test_reference_receptive_field():
    assert reference_receptive_field([(3, 1), (3, 1)]) == 5 == reference_receptive_field([(5, 1)])
    assert reference_receptive_field(DEEP_CONVNET_STACK) == 36


def receptive_field_backwards(layers):
    """The other way round: from one output unit back to the input, r -> (r - 1) * stride + size."""
    field = 1
    for size, stride in reversed(layers):
        field = (field - 1) * stride + size
    return field


@pytest.mark.parametrize("right", [reference_receptive_field, receptive_field_backwards,
                                   lambda layers: np.int64(reference_receptive_field(layers))])
def test_receptive_field_accepts_right_answers(right, capsys):
    assert check_receptive_field(right)
    assert "36x36" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", [
    (lambda layers: 1 + sum(size - 1 for size, _ in layers), "after a layer with stride 2"),
    (lambda layers: sum(size for size, _ in layers), "overlap"),
    (lambda layers: "5", "expected a whole number"),
    (lambda layers: None, "forget `return`"),
])
def test_receptive_field_rejects_wrong_answers(wrong, hint, capsys):
    assert not check_receptive_field(wrong)
    assert hint in capsys.readouterr().out


# ----- (c) a skip connection ---------------------------------------------------------------------------


class Residual:
    def __init__(self, inner):
        self.inner = inner

    def forward(self, x, train_flg=False):
        return x + self.inner.forward(x, train_flg)

    def backward(self, dout):
        return dout + self.inner.backward(dout)


class ResidualWithoutTrainFlag(Residual):
    def forward(self, x):
        return x + self.inner.forward(x)


class ForgetsTheSkip(Residual):
    def backward(self, dout):
        return self.inner.backward(dout)


class OnlyTheSkip(Residual):
    def backward(self, dout):
        return dout


class ForwardWithoutSkip(Residual):
    def forward(self, x, train_flg=False):
        return self.inner.forward(x, train_flg)


class AddsInPlace(Residual):
    def backward(self, dout):
        dout += self.inner.backward(dout)
        return dout


@pytest.mark.parametrize("right", [Residual, ResidualWithoutTrainFlag])
def test_residual_accepts_right_answers(right, capsys):
    assert check_residual(right)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, hint", [
    (ForgetsTheSkip, "add dout itself"),
    (OnlyTheSkip, "self.inner.backward(dout)"),
    (ForwardWithoutSkip, "add the input"),
    (AddsInPlace, "changed the dout"),
])
def test_residual_rejects_wrong_answers(wrong, hint, capsys):
    assert not check_residual(wrong)
    assert hint in capsys.readouterr().out
