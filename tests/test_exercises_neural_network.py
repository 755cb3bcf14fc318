"""The checkers of notebook 02 accept right answers and reject wrong ones, with a useful message."""

import numpy as np

from common.exercises.neural_network import (SMALL_NETWORK, SMALL_X, check_accuracy, check_small_network,
                                             check_softmax)
from common.functions import relu, sigmoid, softmax


# ----------------------------------------------------------------------------- (a) softmax

def test_softmax_checker_accepts_a_row_wise_stable_softmax(capsys):
    def softmax_rows(a):
        shifted = a - a.max(axis=-1, keepdims=True)
        exp_a = np.exp(shifted)
        return exp_a / exp_a.sum(axis=-1, keepdims=True)

    assert check_softmax(softmax_rows)
    assert check_softmax(softmax)
    assert "Correct!" in capsys.readouterr().out


def test_softmax_checker_rejects_the_plain_formula(capsys):
    def plain(a):
        return np.exp(a) / np.sum(np.exp(a), axis=-1, keepdims=True)

    assert not check_softmax(plain)
    out = capsys.readouterr().out
    assert "[1010, 1000, 990]" in out and "overflow" in out and "subtract the largest value" in out


def test_softmax_checker_rejects_one_maximum_for_the_whole_batch(capsys):
    def whole_batch_max(a):  # the book's one-row version applied to a batch
        exp_a = np.exp(a - np.max(a))
        return exp_a / np.sum(exp_a, axis=-1, keepdims=True)

    assert not check_softmax(whole_batch_max)
    out = capsys.readouterr().out
    assert "the batch [[0.3, 2.9, 4.0], [1010, 1000, 990]]" in out and "own largest value" in out


def test_softmax_checker_explains_a_shape_error_and_a_wrong_sum(capsys):
    def no_keepdims(a):
        exp_a = np.exp(a - a.max(axis=-1))
        return exp_a / exp_a.sum(axis=-1)

    assert not check_softmax(no_keepdims)  # fine for one row, a broadcasting error for a (2, 3) batch
    assert "raised ValueError" in capsys.readouterr().out

    def divides_by_everything(a):
        exp_a = np.exp(a - a.max(axis=-1, keepdims=True))
        return exp_a / exp_a.sum()

    assert not check_softmax(divides_by_everything)
    assert "add up to" in capsys.readouterr().out


def test_softmax_checker_rejects_changing_the_input(capsys):
    def in_place(a):
        a -= a.max(axis=-1, keepdims=True)
        np.exp(a, out=a)
        a /= a.sum(axis=-1, keepdims=True)
        return a

    assert not check_softmax(in_place)
    assert "in place" in capsys.readouterr().out


# ----------------------------------------------------------------------------- (b) small network

def test_small_network_checker(capsys):
    n = SMALL_NETWORK
    y = relu(SMALL_X @ n["W1"] + n["b1"]) @ n["W2"] + n["b2"]
    assert check_small_network(y)
    assert check_small_network([3, 5])  # the answer by hand, as a list of ints
    capsys.readouterr()

    assert not check_small_network([4.0, 4.0])
    assert "without the ReLU" in capsys.readouterr().out
    assert not check_small_network([2.5, 5.0])
    assert "without the biases" in capsys.readouterr().out
    assert not check_small_network([5.5, 1.0])
    assert "transposed" in capsys.readouterr().out
    assert not check_small_network(sigmoid(SMALL_X @ n["W1"] + n["b1"]) @ n["W2"] + n["b2"])
    assert "sigmoid" in capsys.readouterr().out
    assert not check_small_network([1.0, 2.0])
    assert "a1 should come out as [2.5, -1]" in capsys.readouterr().out
    assert not check_small_network(8.0)
    assert "expected two numbers" in capsys.readouterr().out


# ----------------------------------------------------------------------------- (c) accuracy

def predict(network, x):
    a1 = x @ network["W1"] + network["b1"]
    a2 = sigmoid(a1) @ network["W2"] + network["b2"]
    return softmax(sigmoid(a2) @ network["W3"] + network["b3"])


def test_accuracy_checker_accepts_batches_with_a_shorter_last_batch(capsys):
    def accuracy(network, x, t, batch_size):
        correct = 0
        for i in range(0, len(x), batch_size):
            correct += np.sum(np.argmax(predict(network, x[i:i + batch_size]), axis=1) == t[i:i + batch_size])
        return correct / len(x)

    assert check_accuracy(accuracy)
    assert "Correct!" in capsys.readouterr().out


def test_accuracy_checker_rejects_a_count_and_a_dropped_last_batch(capsys):
    def count(network, x, t, batch_size):
        return int(np.sum(np.argmax(predict(network, x), axis=1) == t))

    assert not check_accuracy(count)
    assert "the number of correct predictions" in capsys.readouterr().out

    def drops_last_batch(network, x, t, batch_size):
        correct = 0
        for i in range(len(x) // batch_size):
            batch = slice(i * batch_size, (i + 1) * batch_size)
            correct += np.sum(np.argmax(predict(network, x[batch]), axis=1) == t[batch])
        return correct / len(x)

    assert not check_accuracy(drops_last_batch)
    assert "the last batch is shorter" in capsys.readouterr().out


def test_accuracy_checker_reports_an_exception_and_ignores_global_data(capsys):
    def crashes(network, x, t, batch_size):
        return np.mean(np.argmax(predict(network, x.reshape(-1, 28, 28)), axis=1) == t)

    assert not check_accuracy(crashes)
    assert "raised ValueError" in capsys.readouterr().out

    def always_the_same(network, x, t, batch_size):  # ignores its arguments
        return 0.97

    assert not check_accuracy(always_the_same)
    assert "expected" in capsys.readouterr().out


