"""Tests of common.xor_experiment: many XOR networks trained at once.

Gradient checks run in float64 against common.gradient.numerical_gradient, one run at a time.
Tolerance: |backprop - numerical| <= 1e-6 + 1e-5 |numerical|. The central difference with h = 1e-4
has an error of about (β h)² times the third derivative, which for β = 10 reaches about 1e-7.
"""

import numpy as np
import pytest

from common.functions import sigmoid, sum_squared_error
from common.gradient import numerical_gradient as common_numerical_gradient
from common.perceptron import INPUTS, XOR
from common.rng import seed
from common.run_statistics import first_iteration_below
from common.optimizer import Adam, Momentum
from common.xor_experiment import (ACTIVATIONS, LOSS_TYPES, OUTCOMES, XOR_T, XOR_X, classify_outcomes,
                                   fitted_points, gain_sigmoid, gradient, hidden_output, init_params, loss,
                                   numerical_gradient, predict, train)


def general_params(runs=3, hidden=2, seed_=0, scale=1.0):
    """Parameters with every entry non-zero and of both signs (biases included)."""
    generator = np.random.default_rng(seed_)
    return {"W1": scale * generator.standard_normal((runs, 2, hidden)),
            "b1": scale * generator.standard_normal((runs, hidden)),
            "W2": scale * generator.standard_normal((runs, hidden, 1)),
            "b2": scale * generator.standard_normal((runs, 1))}


def one_run(params, r):
    return {key: value[r:r + 1].copy() for key, value in params.items()}


def test_data_is_the_xor_truth_table():
    np.testing.assert_array_equal(XOR_X, INPUTS)
    np.testing.assert_array_equal(XOR_T[:, 0], XOR(INPUTS[:, 0], INPUTS[:, 1]))


def test_gain_sigmoid_equals_common_sigmoid_even_far_out():
    a = np.linspace(-100, 100, 2001)
    for beta in (1.0, 10.0, 20.0):
        np.testing.assert_allclose(gain_sigmoid(a, beta), sigmoid(beta * a), rtol=1e-12, atol=1e-200)
    assert gain_sigmoid(-1e6, 20.0) >= 0 and gain_sigmoid(1e6, 20.0) == 1.0  # no overflow warning either


def test_init_params_shapes_ranges_and_prefix():
    seed(0)
    params = init_params(50, hidden_size=3)
    assert {key: value.shape for key, value in params.items()} == {
        "W1": (50, 2, 3), "b1": (50, 3), "W2": (50, 3, 1), "b2": (50, 1)}
    assert params["W1"].min() >= 0 and params["W1"].max() < 1 and params["W2"].min() >= 0
    assert not params["b1"].any() and not params["b2"].any()
    seed(0)
    first = init_params(10, hidden_size=3)  # the first 10 starts do not depend on how many are drawn
    for key in params:
        np.testing.assert_array_equal(first[key], params[key][:10])
    normal = init_params(2000, init="randn", generator=np.random.default_rng(1))
    assert normal["W1"].min() < -2 and abs(normal["W1"].mean()) < 0.1 and 0.9 < normal["W1"].std() < 1.1


@pytest.mark.parametrize("bad, message", [
    (dict(n_runs=0), "positive whole number of runs"),
    (dict(n_runs=3, hidden_size=0), "hidden_size"),
    (dict(n_runs=3, init="uniform"), "init must be one of"),
])
def test_init_params_rejects_bad_arguments(bad, message):
    with pytest.raises(ValueError, match=message):
        init_params(**bad)


def test_predict_and_hidden_output_match_a_hand_written_network():
    params = general_params(runs=4, hidden=3)
    beta = np.array([1.0, 3.0, 10.0, 0.5])
    x = np.random.default_rng(2).uniform(-1, 2, size=(7, 2))
    y, z = predict(params, beta, x), hidden_output(params, beta, x)
    assert y.shape == (4, 7, 1) and z.shape == (4, 7, 3)
    for r in range(4):
        hidden = sigmoid(beta[r] * (x @ params["W1"][r] + params["b1"][r]))
        np.testing.assert_allclose(z[r], hidden, rtol=1e-12)
        np.testing.assert_allclose(y[r], sigmoid(beta[r] * (hidden @ params["W2"][r] + params["b2"][r])), rtol=1e-12)


def test_losses_follow_their_definitions():
    params = general_params(runs=3)
    for r, y in enumerate(predict(params, 2.0)):
        assert loss(params, 2.0, "sse")[r] == pytest.approx(sum_squared_error(y, XOR_T), rel=1e-12)
        cross_entropy = -np.sum(XOR_T * np.log(y) + (1 - XOR_T) * np.log(1 - y))
        assert loss(params, 2.0, "cross_entropy")[r] == pytest.approx(cross_entropy, rel=1e-10)


def test_cross_entropy_stays_finite_when_outputs_saturate():
    params = {"W1": np.ones((1, 2, 2)), "b1": np.zeros((1, 2)), "W2": np.full((1, 2, 1), 100.0),
              "b2": np.zeros((1, 1))}  # outputs 1 for every point: (0,0) and (1,1) are badly wrong
    u2 = 20.0 * 100.0 * 2 * gain_sigmoid(0.0, 20.0)  # the output sigmoid's input at (0,0)
    value = loss(params, 20.0, "cross_entropy")[0]
    assert np.isfinite(value) and value > u2 - 1  # about -log(1 - σ(u2)) = u2 for the (0,0) point alone
    assert np.all(np.isfinite(gradient(params, 20.0, "cross_entropy")["W2"]))


@pytest.mark.parametrize("loss_type", LOSS_TYPES)
@pytest.mark.parametrize("beta", [1.0, 3.0, 10.0])
@pytest.mark.parametrize("hidden", [2, 3])
def test_backprop_matches_common_numerical_gradient(loss_type, beta, hidden):
    params = general_params(runs=3, hidden=hidden, seed_=hidden, scale=0.7)
    backprop = gradient(params, beta, loss_type)
    for r in range(3):
        single = one_run(params, r)
        for key in single:
            expected = common_numerical_gradient(lambda _: loss(single, beta, loss_type)[0], single[key])
            np.testing.assert_allclose(backprop[key][r:r + 1], expected, rtol=1e-5, atol=1e-6, err_msg=key)


@pytest.mark.parametrize("loss_type", LOSS_TYPES)
def test_batched_numerical_gradient_equals_common_run_by_run(loss_type):
    params = general_params(runs=4, hidden=3, seed_=5)
    beta = np.array([1.0, 4.0, 10.0, 17.0])  # one gain per run
    batched = numerical_gradient(params, beta, loss_type)
    for r in range(4):
        single = one_run(params, r)
        for key in single:
            expected = common_numerical_gradient(lambda _: loss(single, beta[r], loss_type)[0], single[key])
            np.testing.assert_allclose(batched[key][r:r + 1], expected, rtol=1e-9, atol=1e-12, err_msg=key)


def test_gradient_with_one_beta_per_run_equals_each_run_alone():
    params = general_params(runs=3)
    beta = np.array([1.0, 5.0, 12.0])
    together = gradient(params, beta, "sse")
    for r in range(3):
        alone = gradient(one_run(params, r), beta[r], "sse")
        for key in alone:
            np.testing.assert_allclose(together[key][r:r + 1], alone[key], rtol=1e-13, atol=1e-15)


def test_one_iteration_is_one_gradient_descent_step():
    params = general_params(runs=2)
    result = train(params, beta=3.0, lr=0.05, iters=1, loss_type="cross_entropy")
    grads = gradient(params, 3.0, "cross_entropy")
    for key in params:
        np.testing.assert_allclose(result.params[key], params[key] - 0.05 * grads[key], rtol=1e-13, atol=1e-15)


def test_training_many_runs_at_once_equals_each_run_alone():
    seed(3)
    params = init_params(6, hidden_size=2)
    beta = np.array([10.0, 10.0, 3.0, 14.0, 20.0, 1.0])
    lr = np.array([0.01, 0.1, 0.01, 0.05, 0.01, 1.0])
    for loss_type in LOSS_TYPES:
        together = train(params, beta, lr, iters=400, loss_type=loss_type, record_every=5, threshold=0.2)
        for r in range(6):
            alone = train(one_run(params, r), beta[r], lr[r], iters=400, loss_type=loss_type, record_every=5,
                          threshold=0.2)
            np.testing.assert_allclose(together.loss_history[r], alone.loss_history[0], rtol=1e-11, atol=1e-14)
            np.testing.assert_allclose(together.sse_history[r], alone.sse_history[0], rtol=1e-11, atol=1e-14)
            assert together.iterations_to_threshold[r] == alone.iterations_to_threshold[0]
            for key in params:
                np.testing.assert_allclose(together.params[key][r], alone.params[key][0], rtol=1e-11, atol=1e-14)


def test_training_with_numerical_gradients_follows_backprop():
    seed(4)
    params = init_params(3)
    numerical = train(params, 10.0, 0.01, iters=300, method="numerical")
    backprop = train(params, 10.0, 0.01, iters=300, method="backprop")
    # Each numerical step is off by ~1e-7 (the central difference's error at β = 10); that adds up.
    np.testing.assert_allclose(numerical.loss_history, backprop.loss_history, atol=1e-5)
    assert np.abs(numerical.loss_history - backprop.loss_history).max() > 0  # really two different methods


def test_iterations_to_threshold_is_the_first_crossing_of_the_history():
    seed(5)
    params = init_params(20)
    result = train(params, 10.0, 0.1, iters=600, record_every=1, threshold=0.05)
    np.testing.assert_array_equal(result.steps, np.arange(601))
    expected = first_iteration_below(result.sse_history, 0.05, result.steps)
    np.testing.assert_array_equal(result.iterations_to_threshold, expected)
    assert np.isfinite(expected).any() and np.isinf(expected).any()  # both kinds of run occur
    sparse = train(params, 10.0, 0.1, iters=600, record_every=7, threshold=0.05)
    assert sparse.steps[0] == 0 and sparse.steps[-1] == 600 and np.all(np.diff(sparse.steps) <= 7)
    np.testing.assert_array_equal(sparse.iterations_to_threshold, expected)  # checked at every iteration
    np.testing.assert_allclose(sparse.sse_history, result.sse_history[:, sparse.steps])


def test_the_gain_beta_is_a_rescaling_of_weights_and_learning_rate():
    """σ(β(xW + b)) = σ(x(βW) + βb): gain β with learning rate η = gain 1 with weights βW and rate β²η."""
    seed(6)
    params = init_params(5)
    with_gain = train(params, beta=10.0, lr=0.01, iters=2000, record_every=10)
    scaled = {key: 10.0 * value for key, value in params.items()}
    without_gain = train(scaled, beta=1.0, lr=1.0, iters=2000, record_every=10)
    np.testing.assert_allclose(with_gain.loss_history, without_gain.loss_history, rtol=1e-9, atol=1e-12)
    for key in params:
        np.testing.assert_allclose(10.0 * with_gain.params[key], without_gain.params[key], rtol=1e-9, atol=1e-9)


def test_train_leaves_the_starting_parameters_alone():
    params = general_params()
    before = {key: value.copy() for key, value in params.items()}
    train(params, iters=20)
    for key in params:
        np.testing.assert_array_equal(params[key], before[key])


def test_no_overflow_with_huge_weights_and_gain():
    params = general_params(scale=1000.0)
    for loss_type in LOSS_TYPES:
        assert np.all(np.isfinite(loss(params, 20.0, loss_type)))
        assert all(np.all(np.isfinite(g)) for g in gradient(params, 20.0, loss_type).values())


def test_fitted_points_and_outcomes():
    y = np.array([[0.05, 0.95, 0.95, 0.05], [0.0, 2 / 3, 2 / 3, 2 / 3], [0.0, 1.0, 1.0, 1.0]])[:, :, np.newaxis]
    np.testing.assert_array_equal(fitted_points(y), [4, 1, 3])
    final_sse = np.array([0.5 * np.sum((row - XOR_T) ** 2) for row in y])
    np.testing.assert_array_equal(classify_outcomes(final_sse), ["solved", "1/3", "1/2"])
    np.testing.assert_array_equal(classify_outcomes(np.array([0.26, 0.985, 0.7])), ["1/4", "1", "other"])
    assert set(OUTCOMES) == {"solved", "1/4", "1/3", "1/2", "1", "other"}


@pytest.mark.parametrize("call, message", [
    (lambda p: loss(p, 1.0, "mse"), "loss_type must be one of"),
    (lambda p: predict({"W1": p["W1"]}), "expected a dict with keys"),
    (lambda p: predict({**p, "W2": p["W2"][:, :, 0]}), r"W2 should be \(3, 2, 1\)"),
    (lambda p: predict({**p, "W1": p["W1"][:, :1]}), r"W1 of shape \(runs, 2, hidden\)"),
    (lambda p: gradient(p, np.ones(2)), r"beta should be one number or one value per run, shape \(3,\)"),
    (lambda p: train(p, lr=np.ones(4)), r"lr should be one number or one value per run"),
    (lambda p: train(p, iters=10.5), "iters must be a whole number"),
    (lambda p: train(p, record_every=0), "record_every must be a whole number >= 1"),
    (lambda p: train(p, method="adam"), "method must be"),
    (lambda p: train(p, optimizer="rmsprop"), "optimizer must be one of"),
    (lambda p: train(p, updates="minibatch"), "updates must be one of"),
    (lambda p: predict(p, activation="softplus"), "activation must be one of"),
    (lambda p: classify_outcomes(np.zeros(3), fitted=np.zeros(2)), r"one fitted count per run, shape \(3,\)"),
    (lambda p: predict(p, 1.0, np.zeros((4, 3))), r"inputs x of shape \(points, 2\)"),
    (lambda p: loss(p, 1.0, "sse", XOR_X, np.zeros(4)), r"targets t of shape \(4, 1\)"),
])
def test_bad_input_gets_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call(general_params())


# ----- notebook 07b: activations, zero-mean starts, optimizers, per-sample updates ---------------

HIDDEN = {"sigmoid": sigmoid, "tanh": np.tanh, "relu": lambda u: np.maximum(u, 0)}


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_hidden_activations_forward_and_gradient(activation):
    params = general_params(runs=3, hidden=3, seed_=8, scale=0.8)
    beta = 2.0
    z = hidden_output(params, beta, activation=activation)
    y = predict(params, beta, activation=activation)
    for r in range(3):
        hidden = HIDDEN[activation](beta * (XOR_X @ params["W1"][r] + params["b1"][r]))
        np.testing.assert_allclose(z[r], hidden, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(y[r], sigmoid(beta * (hidden @ params["W2"][r] + params["b2"][r])), rtol=1e-12)
    for loss_type in LOSS_TYPES:
        backprop = gradient(params, beta, loss_type, activation=activation)
        for r in range(3):
            single = one_run(params, r)
            for key in single:
                expected = common_numerical_gradient(lambda _: loss(single, beta, loss_type, activation=activation)[0],
                                                     single[key])
                np.testing.assert_allclose(backprop[key][r:r + 1], expected, rtol=1e-5, atol=1e-6, err_msg=key)


def test_zero_mean_initialisations_rescale_the_same_normal_draws():
    starts = {init: init_params(2000, hidden_size=4, init=init, generator=np.random.default_rng(9))
              for init in ("randn", "xavier", "he")}
    for init, gain in (("xavier", 1.0), ("he", 2.0)):
        np.testing.assert_allclose(starts[init]["W1"], starts["randn"]["W1"] * np.sqrt(gain / 2), rtol=1e-15)
        np.testing.assert_allclose(starts[init]["W2"], starts["randn"]["W2"] * np.sqrt(gain / 4), rtol=1e-15)
        assert abs(starts[init]["W1"].mean()) < 0.05
    assert starts["xavier"]["W2"].std() == pytest.approx(0.5, rel=0.05)   # sqrt(1 / 4)
    assert starts["he"]["W1"].std() == pytest.approx(1.0, rel=0.05)       # sqrt(2 / 2)


@pytest.mark.parametrize("optimizer, reference", [("momentum", lambda: Momentum(lr=0.05)),
                                                  ("adam", lambda: Adam(lr=0.05))])
def test_optimizers_follow_common_optimizer_run_by_run(optimizer, reference):
    params = general_params(runs=3, hidden=2, seed_=10, scale=0.5)
    result = train(params, beta=2.0, lr=0.05, iters=30, optimizer=optimizer, loss_type="cross_entropy")
    for r in range(3):
        single = {key: value.copy() for key, value in one_run(params, r).items()}
        opt = reference()
        for _ in range(30):
            opt.update(single, gradient(single, 2.0, "cross_entropy"))
        for key in single:
            np.testing.assert_allclose(result.params[key][r:r + 1], single[key], rtol=1e-10, atol=1e-13, err_msg=key)


def test_per_sample_updates_are_one_step_per_point_in_order():
    params = general_params(runs=2)
    result = train(params, beta=3.0, lr=0.05, iters=2, updates="per_sample")
    expected = {key: value.copy() for key, value in params.items()}
    for _ in range(2):
        for n in range(4):
            grads = gradient(expected, 3.0, "sse", XOR_X[n:n + 1], XOR_T[n:n + 1])
            expected = {key: expected[key] - 0.05 * grads[key] for key in expected}
    for key in params:
        np.testing.assert_allclose(result.params[key], expected[key], rtol=1e-12, atol=1e-15)


def test_shuffled_per_sample_updates_draw_one_order_per_iteration():
    params = general_params(runs=3)
    generator = np.random.default_rng(12)
    orders = [generator.permutation(4) for _ in range(5)]
    result = train(params, beta=3.0, lr=0.05, iters=5, updates="per_sample_shuffled",
                   generator=np.random.default_rng(12))
    expected = {key: value.copy() for key, value in params.items()}
    for order in orders:
        for n in order:
            grads = gradient(expected, 3.0, "sse", XOR_X[n:n + 1], XOR_T[n:n + 1])
            expected = {key: expected[key] - 0.05 * grads[key] for key in expected}
    for key in params:
        np.testing.assert_allclose(result.params[key], expected[key], rtol=1e-12, atol=1e-15)
    fixed = train(params, beta=3.0, lr=0.05, iters=5, updates="per_sample")
    assert not np.allclose(fixed.params["W1"], result.params["W1"])  # the order matters


def test_new_options_keep_runs_independent():
    seed(13)
    params = init_params(4, hidden_size=3, init="xavier")
    lr = np.array([0.1, 0.3, 0.05, 0.2])
    together = train(params, 1.0, lr, iters=200, activation="tanh", optimizer="adam", updates="per_sample",
                     record_every=10, threshold=0.2)
    for r in range(4):
        alone = train(one_run(params, r), 1.0, lr[r], iters=200, activation="tanh", optimizer="adam",
                      updates="per_sample", record_every=10, threshold=0.2)
        np.testing.assert_allclose(together.sse_history[r], alone.sse_history[0], rtol=1e-11, atol=1e-14)
        assert together.iterations_to_threshold[r] == alone.iterations_to_threshold[0]


def test_classify_outcomes_with_fitted_points_tells_moving_runs_from_plateaus():
    y = np.array([[0.0, 1.0, 1.0, 1.0],        # one output pinned wrong: the plateau at 1/2
                  [0.5, 0.5, 0.5, 0.5]])[:, :, np.newaxis]   # 0.5 everywhere: loss 1/2, nothing fitted
    final_sse = 0.5 * ((y - XOR_T) ** 2).sum(axis=(1, 2))
    np.testing.assert_allclose(final_sse, [0.5, 0.5])
    np.testing.assert_array_equal(classify_outcomes(final_sse), ["1/2", "1/2"])
    np.testing.assert_array_equal(classify_outcomes(final_sse, fitted=fitted_points(y)), ["1/2", "other"])
