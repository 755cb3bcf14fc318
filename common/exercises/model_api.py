"""Checkers for the exercises of notebook 09 (a Keras-style model API).

Introduced in notebook 09, "Try it".

(a) ``check_count_params``: the number of parameters of a stack of Dense layers.
(b) ``check_predict_digits``: using a trained model on new raw images (the same preprocessing as in training).
(c) ``check_regression_model``: the output layer and loss for predicting a number instead of a class.

The checkers build small models of their own. They leave the project's random numbers as they found
them (``common.rng`` and, since ``common.rng.seed`` seeds them too, NumPy's global ``np.random`` and
Python's ``random``), so checking an answer does not change what the notebook's later cells compute.
"""

import contextlib
import random

import numpy as np

from common.exercises import call_safely, checker, report, returned_numbers, unanswered
from common.rng import rng, seed
from common.sequential import Activation, Dense, MeanSquaredError, Sequential


@contextlib.contextmanager
def _project_rng_kept():
    """Run a block and then put every random stream that common.rng.seed moves back where it was:
    common.rng's generator, np.random's global state and Python's random."""
    state, numpy_state, python_state = rng().bit_generator.state, np.random.get_state(), random.getstate()
    try:
        yield
    finally:
        rng().bit_generator.state = state
        np.random.set_state(numpy_state)
        random.setstate(python_state)


def _as_number(value):
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number


# ---------------------------------------------------------------------------------------------
# (a) Counting parameters
# ---------------------------------------------------------------------------------------------

COUNT_CASES = [[784, 500, 250, 100, 10], [2, 3, 1], [784, 50, 100, 10], [4, 4], [10, 1, 10]]


def params_of(layer_sizes):
    """The right answer: each Dense layer has n_in * n_out weights and n_out biases."""
    return sum(n_in * n_out + n_out for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]))


@checker("Counting parameters")
def check_count_params(count_params):
    """Does ``count_params(layer_sizes)`` give the number of weights and biases of Dense layers of those
    sizes (e.g. [784, 500, 250, 100, 10] -> 543,860)?"""
    exercise = "Counting parameters"
    if unanswered(exercise, count_params):
        return False
    for sizes in COUNT_CASES:
        got, failed = call_safely(exercise, count_params, list(sizes))
        if failed is not None:
            return failed
        if got is None:
            return report(exercise, False, f"count_params({sizes}) returned None. Did you forget `return`?")
        number = _as_number(got)
        if number is None:
            return report(exercise, False, f"count_params({sizes}) returned {got!r}; return one number, the "
                                           f"total over all layers (sum(...) adds up a list).")
        expected = params_of(sizes)
        if number == expected:
            continue
        pairs = list(zip(sizes[:-1], sizes[1:]))
        weights_only = sum(a * b for a, b in pairs)
        if number == weights_only:
            hint = "that counts the weights only: every neuron of a Dense layer also has a bias, n_out of them."
        elif number == weights_only + sum(a for a, _ in pairs):
            hint = ("the biases belong to a layer's outputs (n_out per layer), not to its inputs: "
                    "b has the shape (n_out,).")
        elif number == weights_only + sum(sizes):
            hint = "the input layer has no bias of its own: count n_out biases per Dense layer only."
        else:
            hint = ("a Dense layer from n_in to n_out values has W of shape (n_in, n_out) and b of shape "
                    "(n_out,): add n_in * n_out + n_out over neighbouring pairs of sizes.")
        return report(exercise, False, f"count_params({sizes}) gives {number:,.0f}, expected {expected:,}: {hint}")
    return report(exercise, True, "every layer stack agrees with the model's summary(); for the note's model "
                                  f"that is {params_of(COUNT_CASES[0]):,} numbers, "
                                  f"{params_of(COUNT_CASES[0]) * 4 / 2**20:.1f} MiB in float32.")


# ---------------------------------------------------------------------------------------------
# (b) Predicting digits from raw images
# ---------------------------------------------------------------------------------------------

def digit_problem():
    """A small 784 -> 10 softmax model with fixed weights, and 40 raw uint8 'images' (40, 28, 28).

    The biases are about as large as the weighted sums of pixels in [0, 1], so the answer depends on
    scaling the pixels by 1/255 as in training: unscaled pixels give other classes for many images.
    """
    generator = np.random.default_rng(9)
    with _project_rng_kept():
        model = Sequential([Dense(10, input_shape=(784,), weight_init_std=0.0), Activation("softmax")])
    model.params["W1"][...] = generator.normal(0, 0.05, size=(784, 10))
    model.params["b1"][...] = generator.normal(0, 1.0, size=10)
    images = generator.integers(0, 256, size=(40, 28, 28)).astype(np.uint8)
    return model, images


def _classes_of(model, x):
    return model.predict(x.reshape(len(x), -1).astype(np.float32)).argmax(axis=1)


@checker("Predicting digits")
def check_predict_digits(predict_digits):
    """Does ``predict_digits(model, images)`` turn raw images (N, 28, 28) of 0-255 pixels into the class
    numbers (N,) the model predicts, preparing them exactly as the training data was prepared?"""
    exercise = "Predicting digits"
    if unanswered(exercise, predict_digits):
        return False
    model, images = digit_problem()
    before = images.copy()
    got, failed = call_safely(exercise, predict_digits, model, images)
    if failed is not None:
        return failed
    if got is None:
        return report(exercise, False, "predict_digits returned None. Did you forget `return`?")
    if not np.array_equal(images, before):
        return report(exercise, False, "predict_digits changed the images it was given; make new arrays "
                                       "(x = images.reshape(...) / 255 does).")
    got, failed = returned_numbers(exercise, got, "predict_digits")
    if failed is not None:
        return failed
    expected = _classes_of(model, images / np.float32(255))
    if got.shape == (len(images), 10):
        return report(exercise, False, "that is one row of 10 probabilities per image; the answer is the "
                                       "class with the highest probability: .argmax(axis=1).")
    if got.shape != expected.shape:
        return report(exercise, False, f"expected one class number per image, shape {expected.shape}, "
                                       f"got shape {got.shape}.")
    if np.array_equal(got, expected):
        unscaled = _classes_of(model, images)
        return report(exercise, True, f"all {len(images)} answers agree with the model. Without the division "
                                      f"by 255, {np.count_nonzero(unscaled != expected)} of the {len(images)} "
                                      f"answers would have changed.")
    if np.array_equal(got, _classes_of(model, images)):
        return report(exercise, False, "these are the answers for raw 0-255 pixels, but the model was trained "
                                       "on pixels / 255: prepare new data exactly like the training data.")
    return report(exercise, False, f"{np.count_nonzero(got != expected)} of {len(images)} answers differ from "
                                   f"the model's: flatten to (N, 784), divide by 255, predict, take argmax(axis=1).")


# ---------------------------------------------------------------------------------------------
# (c) A regression model
# ---------------------------------------------------------------------------------------------

REGRESSION_SEED = 2024
REGRESSION_EPOCHS = 100
REGRESSION_TARGET = 0.01  # mean squared error on the training curve after REGRESSION_EPOCHS epochs


def regression_data():
    """200 points x in [-1, 1] (shape (200, 1)) and y = sin(3x) (shape (200, 1)): a curve to learn."""
    generator = np.random.default_rng(REGRESSION_SEED)
    x = generator.uniform(-1, 1, size=(200, 1)).astype(np.float32)
    return x, np.sin(3 * x)


@checker("A regression model")
def check_regression_model(build_regression_model):
    """Does ``build_regression_model()`` return a compiled Sequential that learns y = sin(3x) (one input,
    one output, a number rather than a class) to a mean squared error below 0.01 in 100 epochs of
    batch 20? Also checks that the output layer and the loss suit a regression."""
    exercise = "A regression model"
    if unanswered(exercise, build_regression_model):
        return False
    with _project_rng_kept():
        seed(REGRESSION_SEED)  # the same initial weights and order of samples at every check
        model, failed = call_safely(exercise, build_regression_model)
        if failed is not None:
            return failed
        if not isinstance(model, Sequential):
            return report(exercise, False, f"build_regression_model() should return the Sequential model, "
                                           f"got {type(model).__name__}. Did you forget `return model`?")
        if model.input_size != 1 or model.output_size != 1:
            return report(exercise, False, f"the model maps {model.input_size} input(s) to {model.output_size} "
                                           f"output(s); here one number x goes in and one number y comes out: "
                                           f"input_shape=(1,) and a last Dense(1).")
        if not model.compiled:
            return report(exercise, False, "the model is not compiled: call model.compile(loss=..., "
                                           "optimizer=...) before returning it.")
        last = model.layers[-1]
        activation = last.activation if isinstance(last, Activation) else "linear"
        if activation == "softmax":
            return report(exercise, False, "a softmax over one output is always exactly 1, whatever x is: "
                                           "softmax is for classes. A regression ends with Activation('linear') "
                                           "(the identity function), or with the last Dense itself.")
        if activation in ("sigmoid", "relu", "tanh"):
            ranges = {"sigmoid": "between 0 and 1", "relu": "0 or above", "tanh": "between -1 and 1"}
            return report(exercise, False, f"with {activation} last, the model can only answer numbers "
                                           f"{ranges[activation]}. A regression should be free to answer any "
                                           f"number: end with Activation('linear') (the identity function).")
        if not isinstance(model.loss_function, MeanSquaredError):
            return report(exercise, False, "use loss='mean_squared_error', the usual loss of a regression "
                                           "(cross-entropy is for probabilities of classes).")
        x, y = regression_data()
        history, failed = call_safely(exercise, lambda: model.fit(x, y, batch_size=20, epochs=REGRESSION_EPOCHS,
                                                                  verbose=0))
        if failed is not None:
            return failed
    final = model.evaluate(x, y)
    hidden = [layer for layer in model.layers if isinstance(layer, Activation) and layer is not last
              and layer.activation != "linear"]
    if final >= REGRESSION_TARGET:
        if not hidden:
            hint = ("without a non-linear activation between Dense layers the model is a straight line, and "
                    "no straight line follows a sine: add a hidden Dense layer with tanh or relu.")
        else:
            hint = ("let it learn faster, with optimizer='adam' and a larger learning rate "
                    "(compile(..., optimizer='adam', lr=0.01)), or give the hidden layer more neurons.")
        return report(exercise, False, f"after {REGRESSION_EPOCHS} epochs the mean squared error is {final:.4f}, "
                                       f"not yet below {REGRESSION_TARGET}: {hint}")
    return report(exercise, True, f"a linear output and mean squared error: after {REGRESSION_EPOCHS} epochs the "
                                  f"model follows sin(3x) with a mean squared error of {final:.5f} (it started at "
                                  f"{history.history['loss'][0]:.3f}).")
