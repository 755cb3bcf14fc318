"""The checkers of notebook 10 accept right answers and reject wrong ones, with a useful message."""

import numpy as np
import pytest

from common import exercises
from common.exercises.convolution import (OUTPUT_SIZE_TABLE, check_conv_im2col, check_max_pool,
                                          check_output_sizes, expected_output_sizes)
from common.util import conv_output_size, im2col

# ----- (a) output sizes ------------------------------------------------------------------------

RIGHT_SIZES = [(4, 4), (3, 3), (10, 11), (24, 24), (16, 16)]


def test_output_sizes_table_agrees_with_conv_output_size():
    """The checker's answers are computed, not typed in: they must match common.util.conv_output_size."""
    computed = [(conv_output_size(h, fh, s, p), conv_output_size(w, fw, s, p)) for h, w, fh, fw, p, s in OUTPUT_SIZE_TABLE]
    assert expected_output_sizes() == computed == RIGHT_SIZES


def test_output_sizes_accepts_right_answers(capsys):
    assert check_output_sizes(RIGHT_SIZES)
    assert "Correct!" in capsys.readouterr().out
    assert check_output_sizes([list(pair) for pair in RIGHT_SIZES])            # lists are pairs too
    assert check_output_sizes(np.array(RIGHT_SIZES))                           # so is an array of rows
    assert check_output_sizes([(float(h), float(w)) for h, w in RIGHT_SIZES])  # 16.0 is 16


@pytest.mark.parametrize("row, wrong, phrase", [
    (4, (16.5, 16.5), "round down"),           # (32 + 2 - 3) / 2 + 1 without rounding
    (4, (17, 17), "round down, not up"),
    (2, (8, 9), "padding is missing"),         # (28 - 5) // 3 + 1 = 8, (31 - 5) // 3 + 1 = 9
    (0, (3, 3), "both"),                       # 4 + 1 - 3 + 1 = 3: the padding counted once
    (3, (23, 23), "the + 1 is missing"),
    (1, (5, 5), "the stride is missing"),      # 7 - 3 + 1
    (3, (24, 25), "your output width 25"),     # no slip matches: the general formula
])
def test_output_sizes_names_the_slip(row, wrong, phrase, capsys):
    answers = list(RIGHT_SIZES)
    answers[row] = wrong
    assert not check_output_sizes(answers)
    out = capsys.readouterr().out
    assert f"row {row + 1}" in out and phrase in out, out


def test_output_sizes_unanswered_and_malformed(capsys):
    exercises.results.clear()
    assert not check_output_sizes([None] * 5)
    assert not check_output_sizes([(4, 4), None, None, None, None])   # half done: still a reminder
    out = capsys.readouterr().out
    assert out.count("replace every None") == 2 and "Not yet." not in out and exercises.results == []
    assert not check_output_sizes(RIGHT_SIZES[:4])
    assert "needs 5 (height, width) pairs; got 4" in capsys.readouterr().out
    assert not check_output_sizes([4, 3, 10, 24, 16])
    assert "row 1: expected a pair (height, width)" in capsys.readouterr().out
    assert not check_output_sizes("(4, 4), (3, 3)")
    assert "should be a list of 5" in capsys.readouterr().out


# ----- (b) max pooling -------------------------------------------------------------------------

def max_pool(x, size):
    out = np.zeros((x.shape[0] // size, x.shape[1] // size))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = x[i * size:(i + 1) * size, j * size:(j + 1) * size].max()
    return out


def test_max_pool_accepts_right_answers(capsys):
    assert check_max_pool(max_pool)
    assert "Correct!" in capsys.readouterr().out
    # the vectorised way: split each axis into (windows, size) and take the maximum inside
    assert check_max_pool(lambda x, s: x.reshape(x.shape[0] // s, s, x.shape[1] // s, s).max(axis=(1, 3)))


def blocks(x, s):
    return x.reshape(x.shape[0] // s, s, x.shape[1] // s, s)


@pytest.mark.parametrize("answer, phrase", [
    (lambda x, s: blocks(x, s).mean(axis=(1, 3)), "that is average pooling"),
    (lambda x, s: blocks(x, s).min(axis=(1, 3)), "smallest value"),
    (lambda x, s: blocks(x, s).max(axis=(1, 3)).T, "rows and columns are swapped"),
    (lambda x, s: np.maximum(blocks(x, s).max(axis=(1, 3)), 0), "start each window's maximum from its first value"),
    (lambda x, s: blocks(x, s).max(axis=(1, 3)) + 1, "should be x[i*size:(i+1)*size"),
])
def test_max_pool_names_the_slip(answer, phrase, capsys):
    assert not check_max_pool(answer)
    out = capsys.readouterr().out
    assert phrase in out and "Not yet." in out, out


def test_max_pool_rejects_wrong_shapes_errors_and_mutation(capsys):
    def overlapping(x, s):  # stride 1 instead of stride = size
        return np.array([[x[i:i + s, j:j + s].max() for j in range(x.shape[1] - s + 1)]
                         for i in range(x.shape[0] - s + 1)])

    assert not check_max_pool(overlapping)
    assert "windows do not overlap" in capsys.readouterr().out
    assert not check_max_pool(lambda x, s: x[::s, ::s])  # right shape, not the maxima
    assert "Not yet." in capsys.readouterr().out
    assert not check_max_pool(lambda x, s: 1 / 0)
    assert "raised ZeroDivisionError" in capsys.readouterr().out
    assert not check_max_pool(lambda x, s: "pooled")
    assert "Not yet." in capsys.readouterr().out

    def in_place(x, s):
        out = max_pool(x, s)
        x[...] = 0
        return out

    assert not check_max_pool(in_place)
    assert "changed the image" in capsys.readouterr().out


# ----- (c) convolution with im2col --------------------------------------------------------------

def conv_forward(x, W, b, stride, pad):
    N, C, H, Wd = x.shape
    FN, _, FH, FW = W.shape
    OH, OW = conv_output_size(H, FH, stride, pad), conv_output_size(Wd, FW, stride, pad)
    out = im2col(x, FH, FW, stride, pad) @ W.reshape(FN, -1).T + b
    return out.reshape(N, OH, OW, FN).transpose(0, 3, 1, 2)


def test_conv_accepts_right_answers(capsys):
    assert check_conv_im2col(conv_forward)
    assert "Correct!" in capsys.readouterr().out
    from common.layers import Convolution  # the layer itself is a right answer too
    assert check_conv_im2col(lambda x, W, b, stride, pad: Convolution(W, b, stride, pad).forward(x))


def reshaped_without_transpose(x, W, b, stride, pad):
    N, FN = x.shape[0], W.shape[0]
    out = im2col(x, W.shape[2], W.shape[3], stride, pad) @ W.reshape(FN, -1).T + b
    return out.reshape(N, FN, *conv_forward(x, W, b, stride, pad).shape[2:])


@pytest.mark.parametrize("answer, phrase", [
    (lambda x, W, b, s, p: conv_forward(x, W, np.zeros_like(b), s, p), "the bias is missing"),
    (reshaped_without_transpose, "the numbers are right but in the wrong places"),
    (lambda x, W, b, s, p: conv_forward(x, W[:, :, ::-1, ::-1], b, s, p), "turned by 180 degrees"),
    (lambda x, W, b, s, p: conv_forward(x, W, b, s, p) * 2, "compare step by step"),
])
def test_conv_names_the_slip(answer, phrase, capsys):
    assert not check_conv_im2col(answer)
    out = capsys.readouterr().out
    assert phrase in out and "Not yet." in out, out


def test_conv_rejects_wrong_shapes_errors_and_mutation(capsys):
    def flat(x, W, b, stride, pad):  # forgot to reshape at all
        return im2col(x, W.shape[2], W.shape[3], stride, pad) @ W.reshape(W.shape[0], -1).T + b

    assert not check_conv_im2col(flat)
    assert "reshape to (N, OH, OW, FN)" in capsys.readouterr().out
    assert not check_conv_im2col(lambda x, W, b, stride, pad: conv_forward(x, W, b, stride, 0))
    assert "should have shape" in capsys.readouterr().out
    assert not check_conv_im2col(lambda x, W, b, stride, pad: conv_forward(x, W, b))  # forgot arguments
    assert "raised TypeError" in capsys.readouterr().out

    def in_place(x, W, b, stride, pad):
        out = conv_forward(x, W, b, stride, pad)
        W *= 0
        return out

    assert not check_conv_im2col(in_place)
    assert "changed x, W or b" in capsys.readouterr().out
