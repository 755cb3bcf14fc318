"""The book's calling patterns, run against our `common` (issue: the book's code runs on `common`).

Each test is a line or two a study-group member types from the book, or what one of the book's
chapter scripts does (../shared/reviews/book-compatibility.md lists the scripts that used to fail).
"""

import numpy as np
import pytest

from common.layers import BatchNormalization, Dropout, SoftmaxWithLoss
from common.multi_layer_net import MultiLayerNet
from common.multi_layer_net_extend import MultiLayerNetExtend
from common.optimizer import OPTIMIZERS
from common.rng import seed
from common.trainer import Trainer
from common.two_layer_net import TwoLayerNet


@pytest.mark.parametrize("module, names", [
    ("common.functions", ["sigmoid", "softmax", "cross_entropy_error", "softmax_loss", "relu", "step_function"]),
    ("common.layers", ["Affine", "Relu", "SoftmaxWithLoss", "BatchNormalization", "Dropout", "softmax",
                       "cross_entropy_error"]),
    ("common.optimizer", ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"]),
    ("common.util", ["smooth_curve", "shuffle_dataset"]),
    ("common.gradient", ["numerical_gradient", "numerical_gradient_2d"]),
])
def test_star_imports_give_what_the_books_modules_give(module, names):
    """ch06 optimizer_compare_mnist.py never imports NumPy: it gets `np` from `from common.optimizer import *`."""
    namespace = {}
    exec(f"from {module} import *", namespace)
    assert namespace["np"] is np
    assert set(names) <= set(namespace), set(names) - set(namespace)


def test_optimizers_take_plain_floats_as_in_optimizer_compare_naive():
    def df(x, y):
        return x / 10.0, 2.0 * y

    for name, cls in OPTIMIZERS.items():
        params = {"x": -7.0, "y": 2.0}
        grads = {"x": 0, "y": 0}
        optimizer = cls(lr=0.1)
        for _ in range(30):
            grads["x"], grads["y"] = df(params["x"], params["y"])
            optimizer.update(params, grads)
        assert isinstance(params["x"], float)
        assert params["x"] ** 2 / 20 + params["y"] ** 2 < 7.0 ** 2 / 20 + 4.0, name


def test_the_books_misspelt_keyword_and_ours():
    book = MultiLayerNetExtend(784, [100] * 2, 10, use_dropout=True, dropout_ration=0.2)
    ours = MultiLayerNetExtend(784, [100] * 2, 10, use_dropout=True, dropout_ratio=0.2)
    assert book.dropout_ratio == ours.dropout_ratio == book.dropout_ration == 0.2
    assert [layer.dropout_ratio for layer in book.layers.values() if isinstance(layer, Dropout)] == [0.2, 0.2]
    with pytest.raises(ValueError, match="disagree"):
        MultiLayerNetExtend(784, [100], 10, dropout_ration=0.3, dropout_ratio=0.2)


def test_book_dropout_numbers_by_hand():
    """Training passes survivors unchanged; inference multiplies by 1 - ratio (the book's Dropout)."""

    class Fixed:
        def random(self, shape):
            return np.array([[0.1, 0.7, 0.4], [0.9, 0.2, 0.6]])[: shape[0], : shape[1]]

    x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    layer = Dropout(0.5, rng=Fixed())
    np.testing.assert_array_equal(layer.forward(x, train_flg=True), [[0.0, 2.0, 0.0], [4.0, 0.0, 6.0]])
    np.testing.assert_array_equal(layer.backward(np.ones((2, 3))), [[0, 1, 0], [1, 0, 1]])
    np.testing.assert_array_equal(layer.forward(x, train_flg=False), x * 0.5)
    inverted = Dropout(0.5, inverted=True, rng=Fixed())
    np.testing.assert_array_equal(inverted.forward(x, train_flg=True), [[0.0, 4.0, 0.0], [8.0, 0.0, 12.0]])
    np.testing.assert_array_equal(inverted.forward(x, train_flg=False), x)


def test_batch_norm_gradient_check_on_a_batch_of_one_as_in_the_book():
    """ch06 batch_norm_gradient_check.py: a float32-by-default network, one image, backprop vs numerical."""
    seed(0)
    x = np.random.default_rng(1).random((1, 784)).astype(np.float32)
    t = np.eye(10, dtype=np.float32)[[3]]
    network = MultiLayerNetExtend(input_size=784, hidden_size_list=[100, 100], output_size=10, use_batchnorm=True)
    # With one sample every normalised value is 0 and the layer outputs beta, which starts at exactly 0:
    # the kink of the ReLU that follows, where the numerical and the analytic slope differ (1/2 vs 0).
    # Move beta off the kink so that the comparison means something.
    for key in ("beta1", "beta2"):
        network.params[key][...] = np.random.default_rng(2).normal(size=100)
    grad_backprop = network.gradient(x, t)
    grad_numerical = network.numerical_gradient(x, t)  # in float64, whatever the network's dtype
    for key in grad_numerical:
        diff = np.average(np.abs(grad_backprop[key] - grad_numerical[key]))
        assert diff < 1e-6, (key, diff)
    assert all(network.params[key].dtype == np.float32 for key in network.params)  # given back unchanged


def test_batch_norm_keeps_the_books_eps():
    layer = BatchNormalization(np.ones(3), np.zeros(3))
    assert layer.eps == 1e-6 == 10e-7


def test_labels_as_a_column_n_by_1():
    """ch07 gradient_check.py passes t = np.array([1]).reshape(1, 1)."""
    seed(0)
    network = TwoLayerNet(4, 5, 3, dtype=np.float64)
    x = np.random.default_rng(0).normal(size=(1, 4))
    column, flat = np.array([1]).reshape(1, 1), np.array([1])
    assert network.loss(x, column) == network.loss(x, flat)
    grads = network.gradient(x, column)
    np.testing.assert_array_equal(grads["W1"], network.gradient(x, flat)["W1"])
    assert network.accuracy(x, column) == network.accuracy(x, flat)
    assert SoftmaxWithLoss().forward(np.array([[1.0, 2.0, 0.5]]), column) > 0


def test_trainer_lists_line_up_with_np_arange_max_epochs(capsys):
    """ch06/ch07 scripts plot train_acc_list against np.arange(max_epochs)."""
    seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 6)).astype(np.float32)
    t = (x[:, 0] > 0).astype(int)
    max_epochs = 4
    trainer = Trainer(MultiLayerNet(6, [10], 2), x, t, x[:100], t[:100], epochs=max_epochs, mini_batch_size=100,
                      optimizer="Adam", optimizer_param={"lr": 0.01}, evaluate_sample_num_per_epoch=50)
    trainer.train()
    assert len(trainer.train_acc_list) == len(trainer.test_acc_list) == len(np.arange(max_epochs))
    out = capsys.readouterr().out
    assert out.count("train loss:") == trainer.max_iter == len(trainer.train_loss_list)
    assert out.count("=== epoch:") == max_epochs
    assert f"test acc:{trainer.test_acc}" in out and "Final Test Accuracy" in out


def test_shuffle_dataset_keeps_pairs_together():
    from common.util import shuffle_dataset

    seed(0)
    x = np.arange(20).reshape(10, 2)
    t = np.arange(10)
    x_shuffled, t_shuffled = shuffle_dataset(x, t)
    assert not np.array_equal(t_shuffled, t) and sorted(t_shuffled) == list(t)
    np.testing.assert_array_equal(x_shuffled[:, 0] // 2, t_shuffled)  # row k of x still belongs to label k


def test_softmax_loss_and_numerical_gradient_2d():
    from common.functions import cross_entropy_error, softmax, softmax_loss
    from common.gradient import numerical_gradient_2d

    X = np.array([[0.3, 2.9, 4.0], [1.0, 1.0, 1.0]])
    t = np.array([2, 0])
    assert softmax_loss(X, t) == pytest.approx(cross_entropy_error(softmax(X), t), rel=1e-6)

    def function_2(x):  # the book's ch04 gradient_2d.py function: one point, or one point per row
        return np.sum(x ** 2) if x.ndim == 1 else np.sum(x ** 2, axis=1)

    points = np.array([[-2.0, 1.0], [0.5, 3.0], [0.0, 0.0]])
    np.testing.assert_allclose(numerical_gradient_2d(function_2, points), 2 * points, atol=1e-8)
    np.testing.assert_allclose(numerical_gradient_2d(function_2, np.array([3.0, 4.0])), [6.0, 8.0])
