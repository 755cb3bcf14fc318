"""The checkers of notebook 05 accept right answers and reject wrong ones, with a useful message."""

import numpy as np
import pytest

from common.exercises.backprop import (SHOPPING_INPUTS, check_affine_backward, check_shopping_gradients,
                                       check_tanh_layer, shopping_price)
from common.gradient import numerical_diff
from common.layers import AddLayer, MulLayer
from common.layers import Affine as ReferenceAffine

RIGHT_SHOPPING = {"banana": 4.32, "banana_num": 129.6, "melon": 1.08, "melon_num": 972.0, "tax": 1380.0,
                  "delivery": 1.0}




# ----- (a) shopping graph ---------------------------------------------------------------------

def test_expected_shopping_gradients_are_the_numerical_ones():
    """The checker's numbers are not hard-coded truths: they agree with central differences."""
    for name, expected in RIGHT_SHOPPING.items():
        def price_of(value, name=name):
            return shopping_price(**{**SHOPPING_INPUTS, name: value})
        assert numerical_diff(price_of, SHOPPING_INPUTS[name]) == pytest.approx(expected, rel=1e-6)


def test_shopping_accepts_the_layers_answer(capsys):
    v = SHOPPING_INPUTS
    mul_banana, mul_melon, add_fruit, mul_tax, add_delivery = MulLayer(), MulLayer(), AddLayer(), MulLayer(), AddLayer()
    fruit = add_fruit.forward(mul_banana.forward(v["banana"], v["banana_num"]), mul_melon.forward(v["melon"], v["melon_num"]))
    price = add_delivery.forward(mul_tax.forward(fruit, v["tax"]), v["delivery"])
    assert price == pytest.approx(1790.4)
    d_taxed, d_delivery = add_delivery.backward(1)
    d_fruit, d_tax = mul_tax.backward(d_taxed)
    d_banana_price, d_melon_price = add_fruit.backward(d_fruit)
    d_banana, d_banana_num = mul_banana.backward(d_banana_price)
    d_melon, d_melon_num = mul_melon.backward(d_melon_price)
    answer = {"banana": d_banana, "banana_num": d_banana_num, "melon": d_melon, "melon_num": d_melon_num,
              "tax": d_tax, "delivery": d_delivery}
    assert check_shopping_gradients(answer)
    assert check_shopping_gradients({k: str(v) for k, v in RIGHT_SHOPPING.items()})  # numbers as text are fine
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize("change, message", [
    ({"banana": 4.0}, "multiplies it by 1.08"),
    ({"banana": 129.6, "banana_num": 4.32}, "the *other* input"),
    ({"tax": 1790.4}, "fruit total 1380"),
    ({"tax": 1490.4}, "fruit total 1380"),
    ({"tax": 1000.0}, "1380"),
    ({"delivery": 1.08}, "passes the gradient through unchanged"),
    ({"melon_num": 900.0}, "multiplies it by 1.08"),
    ({"melon": "a lot"}, "should be a number"),
    ({"melon": None}, "still None"),
])
def test_shopping_rejects_wrong_numbers(change, message, capsys):
    assert not check_shopping_gradients({**RIGHT_SHOPPING, **change})
    out = capsys.readouterr().out
    assert "Not yet." in out and message in out


def test_shopping_rejects_missing_entries_and_non_dicts(capsys):
    assert not check_shopping_gradients({"banana": 4.32})
    assert "no entry for banana_num" in capsys.readouterr().out
    assert not check_shopping_gradients([4.32, 129.6])
    assert "give a dict" in capsys.readouterr().out


# ----- (b) Tanh layer -------------------------------------------------------------------------

class Tanh:
    def __init__(self):
        self.out = None

    def forward(self, x):
        self.out = np.tanh(x)
        return self.out

    def backward(self, dout):
        return dout * (1 - self.out ** 2)


def test_tanh_accepts_a_right_layer(capsys):
    assert check_tanh_layer(Tanh)
    assert "gradient check agrees" in capsys.readouterr().out


def _variant(backward=None, forward=None):
    class Variant(Tanh):
        pass
    if backward:
        Variant.backward = backward
    if forward:
        Variant.forward = forward
    return Variant


def _mutating_backward(self, dout):
    dout *= 1 - self.out ** 2
    return dout


def _mutating_forward(self, x):
    np.tanh(x, out=x)
    self.out = x
    return x


def _raising_backward(self, dout):
    raise NameError("name 'y' is not defined")


@pytest.mark.parametrize("wrong, message", [
    (_variant(backward=lambda self, dout: 1 - self.out ** 2), "multiply it by dout"),
    (_variant(backward=lambda self, dout: dout * self.out * (1 - self.out)), "sigmoid's derivative"),
    (_variant(backward=lambda self, dout: -dout * (1 - self.out ** 2)), "sign is flipped"),
    (_variant(backward=lambda self, dout: dout * self.out), "return dout * (1 - y**2)"),
    (_variant(backward=lambda self, dout: None), "returned None"),
    (_variant(backward=lambda self, dout: (dout * (1 - self.out ** 2)).sum(axis=0)), "one gradient per input"),
    (_variant(backward=_mutating_backward), "backward changed dout"),
    (_variant(backward=_raising_backward), "raised NameError"),
    (_variant(forward=lambda self, x: 1 / (1 + np.exp(-x))), "np.tanh(x)"),
    (_variant(forward=lambda self, x: None), "forward returned None"),
    (_variant(forward=_mutating_forward), "forward changed its input"),
])
def test_tanh_rejects_wrong_layers(wrong, message, capsys):
    assert not check_tanh_layer(wrong)
    out = capsys.readouterr().out
    assert "Not yet." in out and message in out


def test_tanh_hint_for_using_the_input_instead_of_the_output(capsys):
    class InputTanh(Tanh):
        def forward(self, x):
            self.x = x
            return np.tanh(x)

        def backward(self, dout):
            return dout * (1 - self.x ** 2)

    assert not check_tanh_layer(InputTanh)
    assert "use the output y = tanh(x)" in capsys.readouterr().out


# ----- (c) Affine backward --------------------------------------------------------------------

class BrokenAffine(ReferenceAffine):
    """The notebook's broken layer: db not summed over the batch, dW transposed."""

    def backward(self, dout):
        self.dW = dout.T @ self.x
        self.db = dout
        return (dout @ self.W.T).reshape(self.original_x_shape)


class MeanAffine(ReferenceAffine):
    def backward(self, dout):
        dx = super().backward(dout)
        self.db = dout.mean(axis=0)
        return dx


class TransposedAffine(ReferenceAffine):
    def backward(self, dout):
        dx = super().backward(dout)
        self.dW = dout.T @ self.x
        return dx


class FlatDxAffine(ReferenceAffine):
    def backward(self, dout):
        super().backward(dout)
        return dout @ self.W.T  # forgot to restore the input's shape


class WrongDxAffine(ReferenceAffine):
    def backward(self, dout):
        super().backward(dout)
        return (dout @ self.W.T).reshape(self.original_x_shape) * 2


class WrongDwValuesAffine(ReferenceAffine):
    def backward(self, dout):
        dx = super().backward(dout)
        self.dW = self.dW * 0.5
        return dx


class MutatingAffine(ReferenceAffine):
    def backward(self, dout):
        dx = super().backward(dout)
        dout *= 0
        return dx


def test_affine_accepts_the_reference_layer(capsys):
    assert check_affine_backward(ReferenceAffine)
    assert "Correct!" in capsys.readouterr().out


@pytest.mark.parametrize("wrong, message", [
    (BrokenAffine, "db has shape (5, 3), but b has shape (3,)"),
    (MeanAffine, "that is the mean over the batch"),
    (TransposedAffine, "dW has shape (3, 4), but W has shape (4, 3)"),
    (FlatDxAffine, "backward should return dX of the same shape"),
    (WrongDxAffine, "dout @ W.T"),
    (WrongDwValuesAffine, "X^T @ dout"),
    (MutatingAffine, "backward changed dout"),
])
def test_affine_rejects_broken_layers(wrong, message, capsys):
    assert not check_affine_backward(wrong)
    out = capsys.readouterr().out
    assert "Not yet." in out and message in out
