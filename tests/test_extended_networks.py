"""Batch norm, dropout, MultiLayerNet(Extend), weight decay, and the Trainer's divergence stop."""

import numpy as np
import pytest

from common.gradient_check import gradient_check, layer_gradient_check
from common.layers import BatchNormalization, Dropout
from common.multi_layer_net import MultiLayerNet, weight_init_scale
from common.multi_layer_net_extend import MultiLayerNetExtend
from common.rng import seed
from common.trainer import Trainer, TrainingDiverged
from common.util import smooth_curve

rng = np.random.default_rng(0)


class FixedRandom:
    """Stands in for a random generator: always the same numbers, so a dropout mask stays fixed."""

    def __init__(self, values):
        self.values = values

    def random(self, shape):
        return self.values[tuple(slice(0, n) for n in shape)]


def test_batchnorm_gradient_on_a_real_batch():
    layer = BatchNormalization(rng.normal(size=6) + 1.0, rng.normal(size=6))
    errors = layer_gradient_check(layer, rng.normal(size=(10, 6)) * 3 + 1, params=("gamma", "beta"), measure="max_relative")
    assert set(errors) == {"x0", "gamma", "beta"} and max(errors.values()) < 1e-6, errors


def test_batchnorm_normalises_and_uses_running_statistics_for_inference():
    layer = BatchNormalization(np.ones(3), np.zeros(3), momentum=0.0)
    x = rng.normal(loc=5, scale=2, size=(200, 3))
    out = layer.forward(x, train_flg=True)
    np.testing.assert_allclose(out.mean(axis=0), 0, atol=1e-7)
    np.testing.assert_allclose(out.std(axis=0), 1, atol=1e-5)
    np.testing.assert_allclose(layer.running_mean, x.mean(axis=0))  # momentum 0: the last batch
    single = layer.forward(x[:1], train_flg=False)                  # one image works at inference
    np.testing.assert_allclose(single, out[:1], atol=1e-5)
    one = layer.forward(x[:1], train_flg=True)  # a batch of one trains too, as in the book: xn = 0, out = beta
    np.testing.assert_array_equal(one, np.zeros((1, 3)))
    layer.forward(x[:5], train_flg=False)
    with pytest.raises(RuntimeError, match="training mode"):  # no batch statistics to differentiate
        layer.backward(np.ones((5, 3)))


def test_dropout_with_fixed_mask():
    layer = Dropout(0.3, rng=FixedRandom(rng.random((5, 8))))
    errors = layer_gradient_check(layer, rng.normal(size=(5, 8)))
    assert errors["x0"] < 1e-9


def test_dropout_book_form_scales_at_inference():
    seed(0)
    layer = Dropout(0.2)
    x = np.ones((1000, 100), np.float32)
    out = layer.forward(x, train_flg=True)
    assert set(np.unique(out)) == {0.0, 1.0}                  # survivors pass unchanged while training
    assert abs((out == 0).mean() - 0.2) < 0.01
    test_out = layer.forward(x, train_flg=False)               # ... and everything is scaled by 0.8 at inference
    assert test_out.dtype == np.float32
    np.testing.assert_allclose(test_out, 0.8 * x)
    np.testing.assert_allclose(layer.backward(np.full_like(x, 2.0)), 1.6 * x)


def test_dropout_inverted_is_off_at_inference():
    seed(0)
    layer = Dropout(0.2, inverted=True)
    x = np.ones((1000, 100), np.float32)
    out = layer.forward(x, train_flg=True)
    assert out.dtype == np.float32
    assert abs(out.mean() - 1.0) < 0.01                       # the same in expectation ...
    assert set(np.unique(out)) == {0.0, np.float32(1.25)}     # ... because survivors are scaled by 1/0.8
    assert abs((out == 0).mean() - 0.2) < 0.01
    np.testing.assert_array_equal(layer.forward(x, train_flg=False), x)
    with pytest.raises(ValueError, match="dropout_ratio"):
        Dropout(1.0)


def small_batch(seed_value):
    seed(seed_value)
    generator = np.random.default_rng(seed_value)
    return generator.normal(size=(6, 8)), generator.integers(0, 4, size=6)


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_multi_layer_net_gradient_with_weight_decay(activation):
    x, t = small_batch(1)
    net = MultiLayerNet(8, [7, 6, 5], 4, activation=activation, weight_init_std=0.5,
                        weight_decay_lambda=0.1, dtype=np.float64)
    errors = gradient_check(net, x, t, measure="max_relative")
    assert len(errors) == 8 and max(errors.values()) < 1e-6, errors


def test_extend_gradient_with_batchnorm_dropout_and_weight_decay():
    x, t = small_batch(2)
    net = MultiLayerNetExtend(8, [7, 6], 4, activation="sigmoid", weight_init_std=0.5, weight_decay_lambda=0.1,
                              use_batchnorm=True, use_dropout=True, dropout_ratio=0.3, dtype=np.float64)
    for name, layer in net.layers.items():
        if name.startswith("Dropout"):
            layer.rng = FixedRandom(np.random.default_rng(3).random((6, 7)))
    errors = gradient_check(net, x, t, measure="max_relative")
    assert {"gamma1", "beta1", "gamma2", "beta2"} <= set(errors)
    assert max(errors.values()) < 1e-6, errors
    assert list(net.layers)[:4] == ["Affine1", "BatchNorm1", "Sigmoid1", "Dropout1"]


def test_weight_decay_term_and_init_scales():
    net = MultiLayerNet(4, [3], 2, weight_decay_lambda=0.5, dtype=np.float64)
    expected = 0.25 * (np.sum(net.params["W1"] ** 2) + np.sum(net.params["W2"] ** 2))
    assert net.weight_decay() == pytest.approx(expected)
    assert weight_init_scale("he", 100) == pytest.approx(np.sqrt(0.02))
    assert weight_init_scale("xavier", 100) == pytest.approx(0.1)
    assert weight_init_scale(0.01, 100) == 0.01
    with pytest.raises(ValueError, match="weight_init_std"):
        weight_init_scale("gaussian", 10)


def fake_data(n=200):
    generator = np.random.default_rng(5)
    x = generator.normal(size=(n, 10)).astype(np.float32)
    t = (x[:, 0] > 0).astype(np.int64)
    return x, t


def test_trainer_learns_and_keeps_histories():
    seed(0)
    x, t = fake_data()
    net = MultiLayerNet(10, [16], 2)
    trainer = Trainer(net, x, t, x, t, epochs=10, mini_batch_size=20, optimizer="adam",
                      optimizer_param={"lr": 0.01}, verbose=False).train()
    assert len(trainer.train_loss_list) == 10 * 10
    assert len(trainer.train_acc_list) == len(trainer.test_acc_list) == 10  # one per epoch, as in the book
    assert trainer.test_acc_list[-1] > 0.9
    assert trainer.test_acc == trainer.test_acc_list[-1]  # the whole test set, measured once more at the end


def test_trainer_stops_on_divergence_naming_the_learning_rate():
    seed(0)
    x, t = fake_data()
    x = x * 1000  # huge inputs with a huge learning rate: the loss blows up
    net = MultiLayerNet(10, [16], 2, weight_init_std=1.0)
    trainer = Trainer(net, x, t, x, t, epochs=50, mini_batch_size=20, optimizer="sgd",
                      optimizer_param={"lr": 1e6}, verbose=False)
    with np.errstate(over="ignore", invalid="ignore"):
        with pytest.raises(TrainingDiverged, match=r"SGD\(lr=1000000\.0\).*too large.*lr=100000\b"):
            trainer.train()
    assert trainer.current_iter < trainer.max_iter


def test_trainer_rejects_bad_settings():
    x, t = fake_data()
    net = MultiLayerNet(10, [4], 2)
    with pytest.raises(ValueError, match="epochs must be a whole number"):
        Trainer(net, x, t, x, t, epochs=2.5)
    with pytest.raises(ValueError, match="disagree in number"):
        Trainer(net, x, t[:10], x, t)
    for bad in (0, -5, 2.5):
        with pytest.raises(ValueError, match="evaluate_sample_num_per_epoch must be a whole number >= 1"):
            Trainer(net, x, t, x, t, evaluate_sample_num_per_epoch=bad)


def test_trainer_names_what_is_wrong_with_the_network_or_the_optimizer_settings():
    """Reliability rerun T21 (AttributeError from inside train) and T25 (optimizer_param silently ignored)."""
    from common.optimizer import SGD

    x, t = fake_data()
    with pytest.raises(TypeError, match="dict has no params, no gradient, no accuracy"):
        Trainer({"W1": np.zeros((10, 2))}, x, t, x, t)
    with pytest.raises(ValueError, match=r"optimizer_param=\{'lr': 0.01\} would be ignored, .*SGD, lr=0.5"):
        Trainer(MultiLayerNet(10, [4], 2), x, t, x, t, optimizer=SGD(lr=0.5), optimizer_param={"lr": 0.01})
    assert Trainer(MultiLayerNet(10, [4], 2), x, t, x, t, optimizer=SGD(lr=0.5)).optimizer.lr == 0.5


def test_trainer_stops_when_the_loss_explodes_while_finite():
    """The log-softmax loss never becomes inf: 2.3 -> thousands must stop training all the same."""
    seed(0)
    x, t = fake_data()
    net = MultiLayerNet(10, [16], 2)
    trainer = Trainer(net, x * 255, t, x, t, epochs=50, mini_batch_size=20, optimizer="sgd",
                      optimizer_param={"lr": 1e4}, verbose=False)
    with pytest.raises(TrainingDiverged, match="exploded from"):
        trainer.train()
    assert all(np.isfinite(loss) for loss in trainer.train_loss_list)


def test_trainer_blames_nan_in_the_data_not_the_learning_rate():
    seed(0)
    x, t = fake_data()
    x = x.copy()
    x[:, 3] = np.nan
    trainer = Trainer(MultiLayerNet(10, [16], 2), x, t, x, t, epochs=2, mini_batch_size=20, verbose=False)
    with np.errstate(invalid="ignore"):
        with pytest.raises(TrainingDiverged, match="training data holds NaN.*learning rate is not the cause"):
            trainer.train()


def test_trainer_verbose_prints_the_books_lines(capsys):
    seed(0)
    x, t = fake_data()
    trainer = Trainer(MultiLayerNet(10, [8], 2), x, t, x, t, epochs=2, mini_batch_size=50, verbose=True).train()
    lines = capsys.readouterr().out.splitlines()
    assert sum(line.startswith("train loss:") for line in lines) == 2 * trainer.iter_per_epoch
    assert sum(line.startswith("=== epoch:") for line in lines) == 2
    assert lines[-2:][0] == "=============== Final Test Accuracy ===============" and lines[-1].startswith("test acc:")


def test_smooth_curve():
    np.testing.assert_allclose(smooth_curve([1, 2, 3, 4, 5], window=3), [1.5, 2, 3, 4, 4.5])
    assert smooth_curve(np.ones(100)).shape == (100,)
    np.testing.assert_allclose(smooth_curve(np.ones(100)), 1.0)  # the Kaiser weights add up to 1


def test_smooth_curve_matches_a_hand_computed_kaiser_average():
    values = np.arange(30.0) ** 2
    weights = np.kaiser(11, 2) / np.kaiser(11, 2).sum()
    # away from the ends: the weighted average of the point and its 5 neighbours on each side
    assert smooth_curve(values)[12] == pytest.approx(np.dot(weights, values[7:18]))
    # at the start, the curve is mirrored without repeating the first point: x[5], ..., x[1], x[0], ...
    mirrored = np.concatenate([values[5:0:-1], values[:6]])
    assert smooth_curve(values)[0] == pytest.approx(np.dot(weights, mirrored))


def test_trainer_plot_shows_loss_and_both_accuracies():
    import matplotlib.pyplot as plt

    seed(0)
    x, t = fake_data()
    trainer = Trainer(MultiLayerNet(10, [8], 2), x, t, x, t, epochs=3, mini_batch_size=20, verbose=False).train()
    fig = trainer.plot()
    ax_loss, ax_acc = fig.axes
    assert ax_loss.get_title() == "training loss" and len(ax_loss.lines) == 2  # raw and smoothed
    assert [line.get_label() for line in ax_acc.lines] == ["train", "test"]
    assert list(ax_acc.lines[0].get_xdata()) == [1, 2, 3]  # the end of epochs 1..3
    plt.close(fig)
