"""Reproductions of the reliability review's findings about layers, networks, optimizers and Trainer.

../shared/reviews/reliability-review.md lists them (findings 1-16); the MNIST loader, sample weights,
solver and checker findings have their own tests (test_mnist, test_sample_weights, test_solvers,
test_exercise_checkers). Each test here failed, or gave a silent wrong answer, before the fix.
"""

import numpy as np
import pytest

from common.layers import Affine, BatchNormalization, Relu, Sigmoid, SoftmaxWithLoss
from common.multi_layer_net import MultiLayerNet
from common.rng import seed
from common.sequential import Activation, Dense, Sequential
from common.trainer import Trainer
from common.two_layer_net import TwoLayerNet


def test_finding_1_accuracy_checks_that_images_and_labels_pair_up():
    seed(0)
    net = TwoLayerNet(784, 50, 10)
    with pytest.raises(ValueError, match="x has 600 samples but t has 100"):
        net.accuracy(np.random.rand(600, 784).astype("f4"), np.random.randint(0, 10, 100))
    with pytest.raises(ValueError, match="x has 1 samples but t has 60"):
        net.accuracy(np.random.rand(1, 784).astype("f4"), np.random.randint(0, 10, 60))
    with pytest.raises(ValueError, match="one-hot labels have 9 columns but the network has 10 outputs"):
        net.accuracy(np.zeros((4, 784), "f4"), np.eye(9)[[0, 1, 2, 3]])


def test_finding_4_assigning_a_new_array_to_params_reaches_the_layer():
    """net.params[k] = net.params[k] - lr * g used to train nothing: the layer kept the old array."""
    seed(0)
    rng = np.random.default_rng(0)
    x, t = rng.random((50, 6)).astype(np.float32), rng.integers(0, 3, 50)
    net = TwoLayerNet(6, 8, 3, weight_init_std=0.5)
    before = net.loss(x, t)
    for _ in range(20):
        grads = net.gradient(x, t)
        for key in net.params:
            net.params[key] = net.params[key] - 0.5 * grads[key]
    assert net.loss(x, t) < before - 0.05
    assert net.layers["Affine1"].W is net.params["W1"]
    with pytest.raises(ValueError, match=r"params\['W1'\] must keep its shape \(6, 8\)"):
        net.params["W1"] = np.zeros((8, 6), np.float32)
    with pytest.raises(KeyError, match="not a parameter of this network"):
        net.params["W9"] = np.zeros(3)


@pytest.mark.parametrize("layer", [Relu(), Sigmoid()], ids=["Relu", "Sigmoid"])
def test_finding_5_backward_checks_the_shape_of_dout(layer):
    layer.forward(np.ones((4, 5)))
    for bad in (np.ones(5), np.ones((1, 5))):
        with pytest.raises(ValueError, match=r"expected dout of shape \(4, 5\)"):
            layer.backward(bad)


def test_finding_5_all_zero_one_hot_labels_are_refused():
    with pytest.raises(ValueError, match="all-zero row has no correct class"):
        SoftmaxWithLoss().forward(np.ones((2, 3)), np.zeros((2, 3)))


def test_finding_5_batch_norm_backward_after_an_inference_forward():
    layer = BatchNormalization(np.ones(3), np.zeros(3))
    layer.forward(np.random.default_rng(0).normal(size=(5, 3)), train_flg=True)
    layer.forward(np.ones((5, 3)), train_flg=False)
    with pytest.raises(RuntimeError, match="needs a forward pass in training mode"):
        layer.backward(np.ones((5, 3)))


def test_finding_6_weight_decay_must_be_finite():
    for bad in (float("nan"), float("inf"), -0.1):
        with pytest.raises(ValueError, match="weight_decay_lambda must be a finite number >= 0"):
            MultiLayerNet(4, [3], 2, weight_decay_lambda=bad)


def test_finding_15_keras_spellings_and_numpy_numbers():
    seed(0)
    model = Sequential([Dense(4, input_shape=(3,)), Activation("softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="sgd", metrics="accuracy", learning_rate=0.1)
    assert model.metrics == ["accuracy"] and model.optimizer.lr == 0.1


def test_finding_15_backward_before_forward_empty_batches_integer_weights_lists():
    for layer, dout in [(Relu(), np.ones((2, 2))), (Affine(np.ones((2, 2)), np.zeros(2)), np.ones((2, 2)))]:
        with pytest.raises(RuntimeError, match="backward was called before forward"):
            layer.backward(dout)
    with pytest.raises(RuntimeError, match="backward was called before forward"):
        SoftmaxWithLoss().backward()
    with pytest.raises(ValueError, match="empty batch"):
        SoftmaxWithLoss().forward(np.zeros((0, 3)), np.zeros(0, dtype=int))
    with pytest.raises(ValueError, match=r"floating-point W and b, got int64.*astype\(np.float32\)"):
        Affine(np.ones((2, 2), dtype=np.int64), np.zeros(2))
    seed(0)
    x = [[0.0, 1.0], [1.0, 0.0]] * 10
    t = [1, 0] * 10
    trainer = Trainer(MultiLayerNet(2, [4], 2), x, t, x, t, epochs=2, mini_batch_size=5, verbose=False).train()
    assert len(trainer.train_acc_list) == 2


def test_rerun_accuracy_refuses_empty_input_and_labels_out_of_range():
    """Reliability rerun N19, N20: no samples, or a label the network cannot output, used to score silently."""
    seed(0)
    net = TwoLayerNet(784, 50, 10)
    with pytest.raises(ValueError, match="got no samples"):
        net.accuracy(np.zeros((0, 784), "f4"), np.zeros(0, int))
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.9 \(the network has 10 outputs\), got 0\.\.12"):
        net.accuracy(np.zeros((3, 784), "f4"), np.array([0, 12, 3]))
    with pytest.raises(ValueError, match=r"got -1\.\.3"):
        net.accuracy(np.zeros((3, 784), "f4"), np.array([0, -1, 3]))


def test_rerun_one_hot_entries_outside_0_and_1_are_refused():
    """Reliability rerun L24: [2, -1, 0] adds up to 1 but is no one-hot row."""
    with pytest.raises(ValueError, match="entries between 0 and 1, got entries from -1 to 2"):
        SoftmaxWithLoss().forward(np.zeros((1, 3)), np.array([[2.0, -1.0, 0.0]]))


def test_rerun_hidden_size_list_must_be_a_list():
    """Reliability rerun N12: MultiLayerNet(6, 100, 3) failed with 'Value after * must be an iterable'."""
    with pytest.raises(ValueError, match=r"hidden_size_list must be a list of hidden-layer sizes, such as \[100\]"):
        MultiLayerNet(6, 100, 3)
