"""The checkers of notebook 09 accept right answers and reject wrong ones, with a useful message."""

import numpy as np
import pytest

from common.exercises.model_api import (COUNT_CASES, check_count_params, check_predict_digits,
                                        check_regression_model, digit_problem, params_of)
from common.rng import rng, seed
from common.sequential import Activation, Dense, Sequential


def verdict(capsys):
    return capsys.readouterr().out




def test_checkers_leave_the_project_rng_alone(capsys):
    seed(5)
    expected = np.random.default_rng(5).random(3)
    check_predict_digits(lambda model, images: np.zeros(len(images), int))
    check_regression_model(lambda: None)
    np.testing.assert_array_equal(rng().random(3), expected)


# ----- (a) counting parameters ----------------------------------------------------------------

def test_expected_counts_are_the_models_own():
    """The checker's formula is not a hard-coded truth: it agrees with Sequential.count_params."""
    for sizes in COUNT_CASES:
        model = Sequential([Dense(sizes[1], input_shape=(sizes[0],))] + [Dense(n) for n in sizes[2:]])
        assert params_of(sizes) == model.count_params()
    assert params_of([784, 500, 250, 100, 10]) == 543_860


def test_count_params_right_and_wrong(capsys):
    def right(sizes):
        return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:]))

    assert check_count_params(right)
    assert "543,860" in verdict(capsys)
    assert check_count_params(lambda sizes: np.int64(right(sizes)))  # a NumPy number is fine

    wrong = {
        "weights only": (lambda s: sum(a * b for a, b in zip(s[:-1], s[1:])), "also has a bias"),
        "input biases": (lambda s: sum(a * b + a for a, b in zip(s[:-1], s[1:])), "not to its inputs"),
        "every size": (lambda s: sum(a * b for a, b in zip(s[:-1], s[1:])) + sum(s), "no bias of its own"),
        "square": (lambda s: sum(b * b + b for b in s[1:]), "n_in * n_out + n_out"),
        "a list": (lambda s: [a * b + b for a, b in zip(s[:-1], s[1:])], "return one number"),
        "no return": (lambda s: None, "forget `return`"),
        "raises": (lambda s: s[10], "IndexError"),
    }
    for name, (answer, message) in wrong.items():
        assert not check_count_params(answer), name
        assert message in verdict(capsys), name


# ----- (b) predicting digits ------------------------------------------------------------------

def right_predict(model, images):
    x = images.reshape(len(images), -1) / 255
    return model.predict(x).argmax(axis=1)


def test_digit_problem_needs_the_scaling_and_has_no_near_ties():
    model, images = digit_problem()
    scaled = model.predict(images.reshape(40, -1) / np.float32(255))
    raw = model.predict(images.reshape(40, -1).astype(np.float32))
    assert np.count_nonzero(scaled.argmax(axis=1) != raw.argmax(axis=1)) >= 10
    top_two = np.sort(scaled, axis=1)[:, -2:]
    assert np.min(top_two[:, 1] - top_two[:, 0]) > 1e-4  # no answer hangs on rounding


def test_predict_digits_right_and_wrong(capsys):
    assert check_predict_digits(right_predict)
    assert "would have changed" in verdict(capsys)

    def in_place(model, images):
        images //= 2
        return right_predict(model, images)

    wrong = {
        "unscaled": (lambda m, i: m.predict(i.reshape(len(i), -1)).argmax(axis=1), "trained on pixels / 255"),
        "probabilities": (lambda m, i: m.predict(i.reshape(len(i), -1) / 255), "argmax(axis=1)"),
        "not flattened": (lambda m, i: m.predict(i / 255).argmax(axis=1), "flatten each sample first"),
        "wrong shape": (lambda m, i: right_predict(m, i)[:10], "one class number per image"),
        "other answers": (lambda m, i: np.zeros(len(i), int), "answers differ"),
        "mutates": (in_place, "changed the images"),
        "no return": (lambda m, i: None, "forget `return`"),
    }
    for name, (answer, message) in wrong.items():
        assert not check_predict_digits(answer), name
        assert message in verdict(capsys), name


# ----- (c) a regression model -----------------------------------------------------------------

def regression(hidden="tanh", last="linear", loss="mean_squared_error", units=32, lr=0.01, compile_=True,
               inputs=1, outputs=1):
    def build():
        layers = [Dense(units, input_shape=(inputs,))]
        if hidden:
            layers.append(Activation(hidden))
        layers.append(Dense(outputs))
        if last:
            layers.append(Activation(last))
        model = Sequential(layers)
        if compile_:
            model.compile(loss=loss, optimizer="adam", lr=lr)
        return model
    return build


def test_regression_model_right_answers(capsys):
    assert check_regression_model(regression())
    assert "mean squared error of" in verdict(capsys)
    assert check_regression_model(regression(last=None, hidden="relu"))  # ending with the Dense is linear too


@pytest.mark.parametrize("answer, message", [
    (regression(last="softmax"), "always exactly 1"),
    (regression(last="sigmoid"), "between 0 and 1"),
    (regression(last="tanh"), "between -1 and 1"),
    (regression(last="relu"), "0 or above"),
    (regression(hidden=None), "straight line"),
    (regression(lr=0.0001), "learn faster"),
    (regression(compile_=False), "not compiled"),
    (regression(outputs=2), "1 input(s) to 2 output(s)"),
    (regression(inputs=2), "2 input(s) to 1 output(s)"),
    (lambda: Sequential([Dense(3, input_shape=(1,))]).compile(loss="mse", optimizer="sgd") and None,
     "forget `return model`"),
    (regression(last="softmax", loss="categorical_crossentropy"), "always exactly 1"),
    (regression(last=None, loss="categorical_crossentropy"), "categorical_crossentropy needs probabilities"),
])
def test_regression_model_wrong_answers(answer, message, capsys):
    assert not check_regression_model(answer)
    assert message in verdict(capsys)


def test_regression_needs_mean_squared_error(capsys):
    class Custom:  # a loss object that is not mean squared error
        def forward(self, y, t):
            return float(np.mean(np.abs(y - t)))

        def backward(self, dout=1):
            return np.zeros(1)

    def build():
        model = Sequential([Dense(8, input_shape=(1,)), Activation("tanh"), Dense(1)])
        model.compile(loss=Custom(), optimizer="adam")
        return model

    assert not check_regression_model(build)
    assert "mean_squared_error" in verdict(capsys)
