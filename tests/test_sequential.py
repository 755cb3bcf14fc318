"""The Keras-style model of notebook 09: gradients, summary, history, save/load, errors, determinism."""

import re

import numpy as np
import pytest

from common.gradient import numerical_gradient
from common.gradient_check import gradient_check, max_relative_error
from common.layers import Softmax, SoftmaxWithLoss
from common.optimizer import SGD, Adam
from common.rng import seed
from common.sequential import (Activation, CategoricalCrossentropy, Dense, History, MeanSquaredError, Sequential,
                               TrainingDiverged)
from common.util import to_categorical

# mean |backprop - numerical| in float64; central differences (h = 1e-4) are good to ~1e-9 on these sizes
TOLERANCE = 1e-6  # the largest relative error of any element, float64


def small_model(hidden="relu", last="softmax", loss="categorical_crossentropy", dtype="float64", inputs=4,
                classes=3):
    model = Sequential(dtype=dtype)
    model.add(Dense(5, input_shape=(inputs,), weight_init_std=0.8))
    model.add(Activation(hidden))
    model.add(Dense(4, weight_init_std=0.8))
    model.add(Activation(hidden))
    model.add(Dense(classes, weight_init_std=0.8))
    model.add(Activation(last))
    model.compile(loss=loss, optimizer="sgd", metrics=["accuracy"] if classes > 1 else None)
    return model


def toy_data(n=6, inputs=4, classes=3, seed_=1):
    generator = np.random.default_rng(seed_)
    x = generator.normal(size=(n, inputs))
    return x, to_categorical(generator.integers(0, classes, n), classes).astype(np.float64)


def note_model():
    model = Sequential()
    model.add(Dense(units=500, input_shape=(784,)))
    model.add(Activation("relu"))
    model.add(Dense(units=250))
    model.add(Activation("relu"))
    model.add(Dense(units=100))
    model.add(Activation("relu"))
    model.add(Dense(units=10))
    model.add(Activation("softmax"))
    return model


def blobs(n=300, seed_=0):
    """Three well-separated clusters in 2-D: an easy classification problem."""
    generator = np.random.default_rng(seed_)
    labels = generator.integers(0, 3, n)
    centres = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])
    x = (centres[labels] + generator.normal(size=(n, 2))).astype(np.float32)
    return x, to_categorical(labels, 3)


def blob_model(optimizer="adam", **kw):
    model = Sequential()
    model.add(Dense(16, input_shape=(2,)))
    model.add(Activation("relu"))
    model.add(Dense(3))
    model.add(Activation("softmax"))
    model.compile(loss="categorical_crossentropy", optimizer=optimizer, metrics=["accuracy"], **kw)
    return model


# ---------------------------------------------------------------------------------------------
# Gradients of the whole model against common.gradient.numerical_gradient (float64)
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("hidden", ["relu", "sigmoid", "tanh", "linear", "softmax"])
def test_gradient_check_categorical_crossentropy(hidden):
    seed(0)
    model = small_model(hidden=hidden)
    x, t = toy_data()
    analytic = model.gradient(x, t)
    assert set(analytic) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    numeric = {key: numerical_gradient(lambda _: model.loss(x, t), param) for key, param in model.params.items()}
    errors = max_relative_error(analytic, numeric)
    assert all(error < TOLERANCE for error in errors.values()), errors


@pytest.mark.parametrize("last", ["linear", "sigmoid", "tanh", "relu", "softmax"])
@pytest.mark.parametrize("hidden", ["relu", "tanh"])
def test_gradient_check_mean_squared_error(hidden, last):
    seed(0)
    model = small_model(hidden=hidden, last=last, loss="mean_squared_error")
    x, _ = toy_data()
    t = np.random.default_rng(2).normal(size=(6, 3))
    errors = gradient_check(model, x, t, measure="max_relative")  # the book's helper works on the model as on any network
    assert errors and all(error < TOLERANCE for error in errors.values()), errors


def test_gradient_check_one_output_regression_and_float32_model():
    seed(0)
    model = small_model(hidden="sigmoid", last="linear", loss="mse", classes=1)
    x, _ = toy_data()
    t = np.random.default_rng(3).normal(size=(6, 1))
    errors = gradient_check(model, x, t, measure="max_relative")
    assert all(error < TOLERANCE for error in errors.values()), errors
    model32 = small_model(dtype="float32")
    grads = model32.gradient(*toy_data())
    assert all(g.dtype == np.float32 for g in grads.values())
    assert all(p.dtype == np.float32 for p in model32.params.values())


def test_mean_squared_error_is_keras_mean_not_the_books_half_sum():
    loss = MeanSquaredError()
    y, t = np.array([[1.0, 2.0], [3.0, 5.0]]), np.array([[0.0, 2.0], [3.0, 3.0]])
    assert loss.forward(y, t) == pytest.approx((1 + 0 + 0 + 4) / 4)
    np.testing.assert_allclose(loss.backward(), 2 * (y - t) / 4)


# ---------------------------------------------------------------------------------------------
# The fused softmax + cross-entropy gradient
# ---------------------------------------------------------------------------------------------

def test_softmax_and_crossentropy_train_as_one_node_with_gradient_y_minus_t_over_n():
    seed(0)
    model = small_model(hidden="tanh")
    x, t = toy_data()
    assert isinstance(model._fused, SoftmaxWithLoss)
    grads = model.gradient(x, t)
    # the last Dense receives (y - t) / N, so its gradients are h^T (y - t) / N and the column sums
    hidden = x
    for layer in model.layers[:4]:  # Dense, tanh, Dense, tanh: each wraps one of our layers
        hidden = layer.layer.forward(hidden)
    y = model.predict(x)
    np.testing.assert_allclose(grads["W3"], hidden.T @ (y - t) / len(x), rtol=1e-10)
    np.testing.assert_allclose(grads["b3"], (y - t).sum(axis=0) / len(x), rtol=1e-10, atol=1e-15)


def test_fused_gradient_equals_the_chain_for_moderate_scores_and_stays_exact_for_large_ones():
    generator = np.random.default_rng(4)
    t = to_categorical([0, 2, 1, 1], 3).astype(np.float64)
    for scale, chain_is_right in [(1.0, True), (1000.0, False)]:
        scores = scale * generator.normal(size=(4, 3))
        scores[:, 0] += scale * (t[:, 0] == 0)  # large scale: the correct class often far below the best
        fused = SoftmaxWithLoss()
        fused.forward(scores, t)
        d_fused = fused.backward()
        softmax, loss = Softmax(), CategoricalCrossentropy()
        loss.forward(softmax.forward(scores), t)
        d_chain = softmax.backward(loss.backward())
        y = Softmax().forward(scores)
        np.testing.assert_allclose(d_fused, (y - t) / 4, atol=1e-15)
        assert np.all(np.isfinite(d_fused))
        assert np.allclose(d_chain, d_fused, atol=1e-8) == chain_is_right


# ---------------------------------------------------------------------------------------------
# Building: summary, parameter counts, names
# ---------------------------------------------------------------------------------------------

def test_summary_of_the_notes_model(capsys):
    seed(0)
    model = note_model()
    assert [layer.count_params() for layer in model.layers] == [392_500, 0, 125_250, 0, 25_100, 0, 1_010, 0]
    assert model.count_params() == 543_860 == sum(p.size for p in model.params.values())
    model.summary()
    text = capsys.readouterr().out
    rows = [line for line in text.splitlines() if line.startswith(("dense", "activation"))]
    assert len(rows) == 8
    assert re.search(r"dense_1 \(Dense\)\s+\(None, 500\)\s+392,500", rows[0])
    assert re.search(r"activation_4 \(Activation: softmax\)\s+\(None, 10\)\s+0", rows[-1])
    assert "Total params: 543,860" in text
    assert [model.params[f"W{i}"].shape for i in range(1, 5)] == [(784, 500), (500, 250), (250, 100), (100, 10)]
    assert all(p.dtype == np.float32 for p in model.params.values())


def test_constructor_with_a_list_and_he_initial_weights():
    seed(0)
    model = Sequential([Dense(300, input_shape=(400,)), Activation("relu"), Dense(2)])
    assert model.output_size == 2 and model.input_size == 400
    assert model.params["W1"].std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert np.all(model.params["b1"] == 0)
    assert Sequential([Dense(3, input_shape=784)]).input_size == 784


# ---------------------------------------------------------------------------------------------
# Training: history, evaluate, predict, progress display, determinism
# ---------------------------------------------------------------------------------------------

def test_fit_learns_and_history_has_one_value_per_epoch():
    seed(0)
    x, y = blobs()
    x_val, y_val = blobs(100, seed_=1)
    model = blob_model(lr=0.01)
    history = model.fit(x, y, batch_size=32, epochs=5, verbose=0, validation_data=(x_val, y_val))
    assert isinstance(history, History) and history is model.history
    assert list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert all(len(values) == 5 for values in history.history.values()) and history.epoch == [0, 1, 2, 3, 4]
    assert history.params["steps"] == 10  # ceil(300 / 32): the last mini-batch has 12 samples
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert history.history["val_accuracy"][-1] > 0.95
    loss, accuracy = model.evaluate(x_val, y_val)
    assert loss == pytest.approx(history.history["val_loss"][-1])
    assert accuracy == pytest.approx(history.history["val_accuracy"][-1])
    assert isinstance(loss, float) and isinstance(accuracy, float)
    no_validation = blob_model().fit(x, y, epochs=2, verbose=0)
    assert list(no_validation.history) == ["loss", "accuracy"]


def test_evaluate_and_predict_shapes_and_consistency():
    seed(0)
    x, y = blobs(250)
    model = blob_model()
    model.fit(x, y, batch_size=50, epochs=2, verbose=0)
    probabilities = model.predict(x, batch_size=64)  # chunks of 64 give the same as one pass
    assert probabilities.shape == (250, 3) and probabilities.dtype == np.float32
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, rtol=1e-5)
    np.testing.assert_allclose(probabilities, model.predict(x, batch_size=1000), rtol=1e-6)
    loss, accuracy = model.evaluate(x, y, batch_size=64)
    assert accuracy == pytest.approx(np.mean(probabilities.argmax(axis=1) == y.argmax(axis=1)))
    assert loss == pytest.approx(-np.mean(np.log(probabilities[y == 1])), rel=1e-4)
    assert model.accuracy(x, y.argmax(axis=1)) == pytest.approx(accuracy)
    model.compile(loss="categorical_crossentropy", optimizer="adam")  # without metrics: just the loss
    assert isinstance(model.evaluate(x, y), float)
    assert model.predict(x[:0]).shape == (0, 3)


def test_evaluate_verbose_prints_the_results(capsys):
    seed(0)
    x, y = blobs(60)
    model = blob_model()
    loss, accuracy = model.evaluate(x, y, verbose=1)
    assert capsys.readouterr().out == f"loss: {loss:.4f} - accuracy: {accuracy:.4f}\n"


def test_progress_display_outside_jupyter(capsys):
    """verbose=1: a tqdm text bar per epoch on standard output, Keras-like; verbose=2: a line per epoch."""
    seed(0)
    x, y = blobs(100)
    model = blob_model()
    model.fit(x, y, batch_size=25, epochs=2, verbose=1, validation_data=(x, y))
    captured = capsys.readouterr()
    assert captured.err == ""
    final = [line for line in captured.out.replace("\r", "\n").splitlines() if line.startswith("Epoch")]
    assert final[-1].startswith("Epoch 2/2 4/4 [==============================]"), final[-1]
    assert re.search(r"loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}$",
                     final[-1]), final[-1]
    model.fit(x, y, batch_size=25, epochs=2, verbose=2)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and re.fullmatch(r"Epoch 2/2 - loss: \d\.\d{4} - accuracy: \d\.\d{4}", lines[1]), lines
    model.fit(x, y, epochs=1, verbose=0)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_same_seed_same_training_and_shuffle_changes_the_order():
    x, y = blobs(200)

    def train(shuffle, seed_=0):
        seed(seed_)
        model = blob_model()
        history = model.fit(x, y, batch_size=16, epochs=3, verbose=0, shuffle=shuffle)
        return {key: value.copy() for key, value in model.params.items()}, history.history["loss"]

    first, loss_first = train(True)
    again, loss_again = train(True)
    assert loss_first == loss_again
    assert all(np.array_equal(first[key], again[key]) for key in first)
    in_order, _ = train(False)
    assert not np.array_equal(first["W1"], in_order["W1"])
    other_seed, _ = train(True, seed_=1)
    assert not np.array_equal(first["W1"], other_seed["W1"])


def test_every_sample_is_used_once_per_epoch():
    seed(0)
    x, y = blobs(50)
    x = x.copy()
    x[:, 0] = np.arange(50)  # each row carries its own number in the first column
    model = blob_model()
    seen = []
    affine = model.layers[0].layer
    original = affine.forward
    affine.forward = lambda batch, train_flg=False: (seen.append(batch[:, 0].copy()), original(batch))[1]
    model.fit(x, y, batch_size=12, epochs=2, verbose=0)
    per_epoch = [np.concatenate(seen[:5]), np.concatenate(seen[5:])]
    assert [len(chunk) for chunk in seen] == [12, 12, 12, 12, 2] * 2
    for rows in per_epoch:
        assert sorted(rows) == list(range(50))
    assert not np.array_equal(per_epoch[0], per_epoch[1])  # a new order every epoch


def test_compile_accepts_names_and_objects():
    for name in ["sgd", "momentum", "adagrad", "rmsprop", "adam", "Adam", "nesterov"]:
        assert blob_model(optimizer=name).optimizer.__class__.__name__.lower() == name.lower()
    optimizer = Adam(lr=0.01)
    model = blob_model(optimizer=optimizer)
    assert model.optimizer is optimizer
    assert blob_model(optimizer="sgd", lr=0.5).optimizer.lr == 0.5
    model.compile(loss=CategoricalCrossentropy(), optimizer=SGD())
    assert isinstance(model._fused, SoftmaxWithLoss)
    model.compile(loss="mean_squared_error", optimizer="sgd")
    assert model._fused is None  # softmax then MSE: the chain through Softmax.backward


def test_mean_squared_error_regression_learns():
    seed(0)
    generator = np.random.default_rng(5)
    x = generator.uniform(-1, 1, size=(200, 1)).astype(np.float32)
    y = np.sin(3 * x)
    model = Sequential([Dense(32, input_shape=(1,), weight_init_std="xavier"), Activation("tanh"), Dense(1),
                        Activation("linear")])
    model.compile(loss="mean_squared_error", optimizer="adam", lr=0.01)
    history = model.fit(x, y, batch_size=20, epochs=60, verbose=0)
    assert history.history["loss"][-1] < 0.05 * history.history["loss"][0]
    assert model.evaluate(x, y) == pytest.approx(np.mean((model.predict(x) - y) ** 2), rel=1e-4)


def test_raw_integer_pixels_are_accepted():
    seed(0)
    x, y = blobs(40)
    model = blob_model()
    pixels = np.clip(np.round(x * 10 + 50), 0, 255).astype(np.uint8)
    model.fit(pixels, y, batch_size=10, epochs=1, verbose=0)
    assert model.predict(pixels).dtype == np.float32


def test_training_stops_with_a_clear_error_when_the_loss_blows_up():
    seed(0)
    x, y = blobs(100)
    model = blob_model(optimizer="sgd", lr=1e30)
    with pytest.raises(TrainingDiverged, match=r"SGD\(lr=1e\+30\).*smaller learning rate"):
        model.fit(x * 1e6, y, batch_size=10, epochs=3, verbose=0)


# ---------------------------------------------------------------------------------------------
# Saving and loading weights
# ---------------------------------------------------------------------------------------------

def test_save_and_load_weights_round_trip(tmp_path):
    seed(0)
    x, y = blobs(80)
    model = blob_model()
    model.fit(x, y, batch_size=20, epochs=2, verbose=0)
    path = model.save_weights(tmp_path / "model.weights.npz")
    with np.load(path, allow_pickle=False) as npz:
        assert sorted(npz.files) == ["W1", "W2", "b1", "b2"]
    seed(1)
    other = blob_model()
    assert not np.allclose(other.predict(x), model.predict(x))
    arrays = dict(other.params)
    other.load_weights(path)
    np.testing.assert_array_equal(other.predict(x), model.predict(x))
    assert all(other.params[key] is arrays[key] for key in arrays)  # loaded in place
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_bad_weight_files_give_clear_errors_and_leave_the_model_alone(tmp_path):
    seed(0)
    model = blob_model()
    before = {key: value.copy() for key, value in model.params.items()}
    with pytest.raises(FileNotFoundError, match="no file"):
        model.load_weights(tmp_path / "missing.npz")
    corrupt = tmp_path / "corrupt.npz"
    model.save_weights(corrupt)
    data = bytearray(corrupt.read_bytes())
    data[len(data) // 2: len(data) // 2 + 64] = b"\x00" * 64
    corrupt.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="not a readable .npz file"):
        model.load_weights(corrupt)
    (tmp_path / "text.npz").write_text("hello")
    with pytest.raises(ValueError, match="not a readable .npz file"):
        model.load_weights(tmp_path / "text.npz")
    bigger = Sequential([Dense(17, input_shape=(2,)), Activation("relu"), Dense(3), Activation("softmax")])
    bigger.save_weights(tmp_path / "bigger.npz")
    with pytest.raises(ValueError, match=r"W1 in bigger.npz has shape \(2, 17\), this network's W1 has shape \(2, 16\)"):
        model.load_weights(tmp_path / "bigger.npz")
    np.savez(tmp_path / "fewer.npz", W1=model.params["W1"])
    with pytest.raises(ValueError, match=r"holds \['W1'\], but this network's parameters are"):
        model.load_weights(tmp_path / "fewer.npz")
    np.savez(tmp_path / "pickled.npz", W1=np.array([{"x": 1}], dtype=object), b1=model.params["b1"],
             W2=model.params["W2"], b2=model.params["b2"])
    with pytest.raises(ValueError, match="not a readable .npz file"):
        model.load_weights(tmp_path / "pickled.npz")
    nan = {key: value.copy() for key, value in model.params.items()}
    nan["b2"][0] = np.nan
    np.savez(tmp_path / "nan.npz", **nan)
    with pytest.raises(ValueError, match="b2 in nan.npz contains NaN"):
        model.load_weights(tmp_path / "nan.npz")
    assert all(np.array_equal(model.params[key], before[key]) for key in before)


# ---------------------------------------------------------------------------------------------
# Clear errors
# ---------------------------------------------------------------------------------------------

def test_fit_evaluate_before_compile():
    seed(0)
    model = note_model()
    x, y = np.zeros((2, 784), np.float32), to_categorical([1, 2], 10)
    for call in (lambda: model.fit(x, y), lambda: model.evaluate(x, y)):
        with pytest.raises(RuntimeError, match=r"not compiled. Call model.compile\(loss=..., optimizer=..."):
            call()
    assert model.predict(x).shape == (2, 10)  # predicting needs no compile
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    model.add(Dense(10))
    with pytest.raises(RuntimeError, match="not compiled"):  # a changed model must be compiled again
        model.fit(x, y)
    with pytest.raises(RuntimeError, match="no layers"):
        Sequential().compile(loss="mse", optimizer="sgd")


def test_first_layer_needs_an_input_size():
    model = Sequential()
    with pytest.raises(ValueError, match=r"start with a Dense layer given input_shape=\(features,\), "
                                         r"e.g. Dense\(500, input_shape=\(784,\)\)"):
        model.add(Dense(500))
    with pytest.raises(ValueError, match="Got Activation without input_shape"):
        model.add(Activation("relu"))
    with pytest.raises(ValueError, match=r"input_shape must be \(features,\).*x.reshape\(len\(x\), -1\)"):
        Dense(500, input_shape=(28, 28))
    model.add(Dense(5, input_shape=(3,)))
    with pytest.raises(ValueError, match=r"input_shape=\(7,\), but the layer before it outputs 5"):
        model.add(Dense(2, input_shape=(7,)))
    layer = Dense(2)
    model.add(layer)
    with pytest.raises(ValueError, match="already belongs to a model"):
        model.add(layer)
    with pytest.raises(ValueError, match="already belongs to a model"):
        Sequential().add(model.layers[0])
    with pytest.raises(TypeError, match="expects a Dense or an Activation"):
        model.add("relu")


def test_labels_must_be_one_hot_for_categorical_crossentropy():
    seed(0)
    model = note_model()
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    x = np.zeros((3, 784), np.float32)
    with pytest.raises(ValueError, match=r"one-hot labels of shape \(3, 10\), got y of shape \(3,\) \(class "
                                         r"numbers\?\). Convert them first: to_categorical\(y, 10\)"):
        model.fit(x, np.array([1, 2, 3]))
    with pytest.raises(ValueError, match=r"to match the model's 10 outputs, got y of shape \(3, 9\)"):
        model.fit(x, to_categorical([1, 2, 3], 9))
    with pytest.raises(ValueError, match="row sums range from 0 to 3"):
        model.fit(x, np.array([[0.0] * 10, [1.0] * 3 + [0.0] * 7, [1.0] + [0.0] * 9]))
    with pytest.raises(ValueError, match=r"got y_val of shape \(3,\).*to_categorical\(y_val, 10\)"):
        model.fit(x, to_categorical([1, 2, 3], 10), validation_data=(x, np.array([1, 2, 3])))


def test_mismatched_sample_counts_and_input_widths():
    seed(0)
    model = note_model()
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    y = to_categorical([1, 2, 3], 10)
    with pytest.raises(ValueError, match="x has 5 samples but y has 3; they must come in pairs"):
        model.fit(np.zeros((5, 784), np.float32), y)
    with pytest.raises(ValueError, match="x has 2 samples but y_val has 3"):
        model.fit(np.zeros((3, 784)), y, validation_data=(np.zeros((2, 784)), y))
    with pytest.raises(ValueError, match=r"expected input of shape \(N, 784\), got \(3, 28, 28\): flatten each "
                                         r"sample first, x.reshape\(len\(x\), 784\)"):
        model.fit(np.zeros((3, 28, 28)), y)
    with pytest.raises(ValueError, match=r"predict expected input of shape \(N, 784\), got \(3, 785\)"):
        model.predict(np.zeros((3, 785)))
    with pytest.raises(ValueError, match=r"one sample\? make it a batch of one"):
        model.predict(np.zeros(784))
    with pytest.raises(ValueError, match="validation_data must be a pair"):
        model.fit(np.zeros((3, 784)), y, validation_data=np.zeros((3, 784)))


def test_other_bad_settings():
    with pytest.raises(ValueError, match=r"unknown activation 'softplus'; choose one of 'relu', 'sigmoid', "
                                         r"'tanh', 'softmax', 'linear'"):
        Activation("softplus")
    with pytest.raises(ValueError, match="units must be a whole number >= 1, got 0"):
        Dense(0)
    with pytest.raises(ValueError, match="weight_init_std"):
        Dense(3, weight_init_std="glorot")
    model = Sequential([Dense(4, input_shape=(2,)), Activation("relu"), Dense(3)])
    with pytest.raises(ValueError, match=r"categorical_crossentropy needs probabilities: make the last layer "
                                         r"Activation\('softmax'\)"):
        model.compile(loss="categorical_crossentropy", optimizer="adam")
    with pytest.raises(ValueError, match="unknown loss 'hinge'"):
        model.compile(loss="hinge", optimizer="adam")
    with pytest.raises(ValueError, match="unknown optimizer 'adamw'"):
        model.compile(loss="mse", optimizer="adamw")
    with pytest.raises(ValueError, match="unknown metric 'precision'"):
        model.compile(loss="mse", optimizer="adam", metrics=["precision"])
    with pytest.raises(TypeError, match="forward"):
        model.compile(loss=lambda y, t: 0, optimizer="adam")
    regression = Sequential([Dense(1, input_shape=(2,))])
    with pytest.raises(ValueError, match="drop metrics for a regression"):
        regression.compile(loss="mse", optimizer="adam", metrics=["accuracy"])
    regression.compile(loss="mse", optimizer="adam")
    with pytest.raises(ValueError, match=r"expected y of shape \(3, 1\).*reshape it with y.reshape\(-1, 1\)"):
        regression.fit(np.zeros((3, 2)), np.zeros(3))
    model.compile(loss="mse", optimizer="sgd")
    x, y = np.zeros((3, 2)), np.zeros((3, 3))
    for kwargs, message in [({"batch_size": 0}, "batch_size must be a whole number >= 1"),
                            ({"epochs": 2.5}, "epochs must be a whole number >= 1"),
                            ({"verbose": 3}, "verbose .* must be one of 0, 1, 2, got 3")]:
        with pytest.raises(ValueError, match=message):
            model.fit(x, y, **kwargs)
    with pytest.raises(ValueError, match="no samples"):
        model.fit(x[:0], y[:0])
    with pytest.raises(ValueError, match="dtype must be a floating type"):
        Sequential(dtype="int32")


# ---------------------------------------------------------------------------------------------
# to_categorical
# ---------------------------------------------------------------------------------------------

def test_to_categorical():
    one_hot = to_categorical([2, 0, 1])
    np.testing.assert_array_equal(one_hot, [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    assert one_hot.dtype == np.float32
    assert to_categorical(np.array([[3], [1]]), 10).shape == (2, 10)
    assert to_categorical(np.array([1.0, 2.0]), 4).argmax(axis=1).tolist() == [1, 2]
    assert to_categorical([], 3).shape == (0, 3)
    with pytest.raises(ValueError, match=r"class number 10 does not fit num_classes=10 \(classes 0..9\)"):
        to_categorical([10, 1], 10)
    with pytest.raises(ValueError, match="class numbers start at 0"):
        to_categorical([-1, 1])
    with pytest.raises(ValueError, match=r"already one-hot\?"):
        to_categorical(np.eye(3))
    with pytest.raises(ValueError, match="whole class numbers"):
        to_categorical([0.5, 1.0])
    with pytest.raises(ValueError, match="num_classes must be a whole number"):
        to_categorical([1], 0)


def test_train_on_batch_is_one_step_of_fit():
    x, y = blobs(64)
    seed(0)
    stepped = blob_model()
    seed(0)
    fitted = blob_model()
    loss, accuracy = stepped.train_on_batch(x, y)
    history = fitted.fit(x, y, batch_size=64, epochs=1, verbose=0, shuffle=False)
    assert loss == pytest.approx(history.history["loss"][0]) and accuracy == history.history["accuracy"][0]
    assert all(np.array_equal(stepped.params[key], fitted.params[key]) for key in stepped.params)
    with pytest.raises(ValueError, match="x has 64 samples but y has 10"):
        stepped.train_on_batch(x, y[:10])
