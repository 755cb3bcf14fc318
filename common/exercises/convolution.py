"""Checkers for the exercises of notebook 10 (convolutional neural networks, book chapter 7).

Introduced in notebook 10, "Try it" (a), (b) and (c).

(a) ``check_output_sizes``: the output height and width of five convolutions, worked out by hand with
    OH = (H + 2P - FH) / S + 1 (rounded down).
(b) ``check_max_pool``: max pooling of one 2-D image with size x size windows and stride = size.
(c) ``check_conv_im2col``: a convolution's forward pass for a batch (N, C, H, W), as one matrix product
    over ``im2col``'s rows, compared with ``common.layers.Convolution``.

Every checker goes through the package's ``@checker`` guard and calls the learner's code through
``call_safely``, so it never raises; the checks below name the usual slips for a more precise hint.
"""

import numpy as np

from common.exercises import call_safely, checker, report, returned_numbers, unanswered
from common.layers import Convolution, Pooling

# ---------------------------------------------------------------------------------------------
# (a) Output sizes
# ---------------------------------------------------------------------------------------------

# (input height, input width, filter height, filter width, pad, stride): the table of notebook 10, 7.2.4
OUTPUT_SIZE_TABLE = [
    (4, 4, 3, 3, 1, 1),
    (7, 7, 3, 3, 0, 2),
    (28, 31, 5, 5, 2, 3),
    (28, 28, 5, 5, 0, 1),
    (32, 32, 3, 3, 1, 2),
]


def expected_output_sizes():
    """The right answers: [(OH, OW), ...], one pair per row of OUTPUT_SIZE_TABLE."""
    return [((h + 2 * p - fh) // s + 1, (w + 2 * p - fw) // s + 1) for h, w, fh, fw, p, s in OUTPUT_SIZE_TABLE]


def _size_slips(size, filter_size, pad, stride):
    """[(wrong answer, what went wrong), ...] for one axis; the first match is the hint given."""
    return [
        ((size + 2 * pad - filter_size) / stride + 1, "round down: (H + 2P - FH) / S is cut to a whole number "
                                                      "(the last pixels that do not fill a window are left out)."),
        ((size - filter_size) // stride + 1, "the padding is missing: add 2P, P pixels on each side."),
        ((size + pad - filter_size) // stride + 1, "padding adds P pixels on *both* sides: 2P in all."),
        ((size + 2 * pad - filter_size) // stride, "the + 1 is missing: it counts the window's first position."),
        (size + 2 * pad - filter_size + 1, "the stride is missing: divide (H + 2P - FH) by S before adding 1."),
        (-(-(size + 2 * pad - filter_size) // stride) + 1, "round down, not up: a window that does not fit is "
                                                           "left out."),
    ]


def _whole_pair(value):
    """(a, b) as two ints if value is a pair of whole numbers, else None."""
    try:
        a, b = value
        pair = (float(a), float(b))
    except (TypeError, ValueError, OverflowError):
        return None
    if not all(np.isfinite(v) for v in pair):
        return None
    return pair


@checker("Output sizes")
def check_output_sizes(answers):
    """Is ``answers`` the list of (output height, output width) for the five rows of the table?"""
    exercise = "Output sizes"
    if unanswered(exercise, answers):
        return False
    if isinstance(answers, (str, bytes, dict)) or not hasattr(answers, "__len__"):
        return report(exercise, False, f"answers should be a list of {len(OUTPUT_SIZE_TABLE)} (height, width) "
                                       f"pairs, got {type(answers).__name__}.")
    answers = list(answers)
    if any(answer is None for answer in answers):
        print(f"{exercise}: replace every None with your answer, then run the cell again.")
        return False
    if len(answers) != len(OUTPUT_SIZE_TABLE):
        return report(exercise, False, f"the table has {len(OUTPUT_SIZE_TABLE)} rows, so answers needs "
                                       f"{len(OUTPUT_SIZE_TABLE)} (height, width) pairs; got {len(answers)}.")
    for row, (answer, expected, case) in enumerate(zip(answers, expected_output_sizes(), OUTPUT_SIZE_TABLE), 1):
        h, w, fh, fw, pad, stride = case
        pair = _whole_pair(answer)
        if pair is None:
            return report(exercise, False, f"row {row}: expected a pair (height, width) of numbers such as "
                                           f"(4, 4), got {answer!r}.")
        if pair == expected:
            continue
        for axis, got, size, filter_size, right in (("height", pair[0], h, fh, expected[0]),
                                                    ("width", pair[1], w, fw, expected[1])):
            if got == right:
                continue
            slips = _size_slips(size, filter_size, pad, stride)
            hint = next((text for wrong, text in slips if wrong != right and np.isclose(got, wrong)),
                        "use OH = (H + 2P - FH) / S + 1, rounded down.")
            return report(exercise, False, f"row {row} (input {h}x{w}, filter {fh}x{fw}, pad {pad}, stride "
                                           f"{stride}): your output {axis} {got:g} is not right; {hint}")
    return report(exercise, True, "all five output sizes are right. Row 5 is the one to remember: "
                                  "(32 + 2 - 3) / 2 + 1 = 16.5, and the half window is dropped, so 16.")


# ---------------------------------------------------------------------------------------------
# (b) Max pooling of one image
# ---------------------------------------------------------------------------------------------

BOOK_POOL_INPUT = np.array([[1, 2, 1, 0],
                            [0, 1, 2, 3],
                            [3, 0, 1, 2],
                            [2, 4, 0, 1]], dtype=float)


def _pool_cases():
    generator = np.random.default_rng(10)
    return [
        (BOOK_POOL_INPUT.copy(), 2),                            # the book's example: [[2, 3], [4, 2]]
        (generator.normal(size=(6, 6)), 3),                     # negative values, 3x3 windows
        (generator.normal(size=(8, 6)) - 5.0, 2),               # all negative, not square
    ]


def _reference_pool(x, size):
    return Pooling(size, size, stride=size).forward(x[np.newaxis, np.newaxis])[0, 0]


def _pool_hint(got, x, size):
    h, w = x.shape[0] // size, x.shape[1] // size
    blocks = x[:h * size, :w * size].reshape(h, size, w, size)
    slips = [
        (blocks.mean(axis=(1, 3)), "that is average pooling; max pooling keeps the largest value of each window."),
        (blocks.min(axis=(1, 3)), "that is the smallest value of each window; max pooling keeps the largest."),
        (blocks.max(axis=(1, 3)).T, "rows and columns are swapped: out[i, j] is the window of rows "
                                    "i*size ... i*size + size - 1 and columns j*size ... j*size + size - 1."),
        (np.maximum(blocks.max(axis=(1, 3)), 0), "a window of negative numbers gives 0: start each window's "
                                                 "maximum from its first value (or use .max()), not from 0."),
    ]
    for candidate, hint in slips:
        if got.shape == candidate.shape and np.allclose(got, candidate):
            return hint
    return "out[i, j] should be x[i*size:(i+1)*size, j*size:(j+1)*size].max()."


@checker("Max pooling")
def check_max_pool(max_pool):
    """Does ``max_pool(x, size)`` return the maximum of every size x size window of a 2-D array x
    (stride = size), as common.layers.Pooling does?"""
    exercise = "Max pooling"
    if unanswered(exercise, max_pool):
        return False
    for x, size in _pool_cases():
        before = x.copy()
        got, failed = call_safely(exercise, max_pool, x, size)
        if failed is not None:
            return failed
        expected = _reference_pool(before, size)
        got, failed = returned_numbers(exercise, got, "max_pool")
        if failed is not None:
            return failed
        if not np.array_equal(x, before):
            return report(exercise, False, "max_pool changed the image it was given; read x, write the maxima "
                                           "into a new array.")
        if got.shape != expected.shape:
            overlapping = (x.shape[0] - size + 1, x.shape[1] - size + 1)
            hint = (" Those are windows at every pixel (stride 1); here the stride equals the size, so the "
                    "windows do not overlap." if got.shape == overlapping else "")
            return report(exercise, False, f"for x of shape {x.shape} and size {size} the output should have "
                                           f"shape {expected.shape} (one value per window), got {got.shape}.{hint}")
        if not np.allclose(got, expected):
            return report(exercise, False, f"for x of shape {x.shape} and size {size}: " + _pool_hint(got, before, size))
    return report(exercise, True, "your max pooling agrees with common.layers.Pooling, on the book's 4x4 example "
                                  "([[2, 3], [4, 2]]) and on windows of negative numbers.")


# ---------------------------------------------------------------------------------------------
# (c) Convolution forward with im2col
# ---------------------------------------------------------------------------------------------

def _conv_cases():
    generator = np.random.default_rng(11)
    cases = []
    for n, c, h, w, fn, f, stride, pad in [(2, 1, 5, 5, 3, 3, 1, 0), (3, 3, 6, 7, 4, 3, 1, 1),
                                           (2, 2, 7, 7, 2, 3, 2, 1)]:
        cases.append((generator.normal(size=(n, c, h, w)), generator.normal(size=(fn, c, f, f)),
                      generator.normal(size=fn), stride, pad))
    return cases


def _conv_hint(got, x, W, b, stride, pad):
    """Name a common slip when ``got`` matches it."""
    FN = W.shape[0]
    right = Convolution(W, b, stride, pad).forward(x)
    N, _, OH, OW = right.shape
    rows = right.transpose(0, 2, 3, 1).reshape(N * OH * OW, FN)   # what im2col @ W.T gives, before reshaping
    flipped = Convolution(W[:, :, ::-1, ::-1].copy(), b, stride, pad).forward(x)
    slips = [
        (right - b.reshape(1, FN, 1, 1), "the bias is missing: add b, one number per filter."),
        (rows.reshape(N, FN, OH, OW), "the numbers are right but in the wrong places: the product has one row "
                                      "per output pixel and one column per filter, (N*OH*OW, FN). Reshape it to "
                                      "(N, OH, OW, FN) first, then move the filter axis: .transpose(0, 3, 1, 2)."),
        (flipped, "your filters are turned by 180 degrees (the mathematicians' convolution). The book's "
                  "convolution, like every deep-learning library, multiplies window and filter as they lie."),
    ]
    for candidate, hint in slips:
        if got.shape == candidate.shape and np.allclose(got, candidate):
            return hint
    return ("compare step by step: col = im2col(x, FH, FW, stride, pad); out = col @ W.reshape(FN, -1).T + b; "
            "then out.reshape(N, OH, OW, FN).transpose(0, 3, 1, 2).")


@checker("Convolution with im2col")
def check_conv_im2col(conv_forward):
    """Does ``conv_forward(x, W, b, stride, pad)`` compute the convolution of a batch x (N, C, H, W) with
    filters W (FN, C, FH, FW) and biases b (FN,), shape (N, FN, OH, OW), as common.layers.Convolution?"""
    exercise = "Convolution with im2col"
    if unanswered(exercise, conv_forward):
        return False
    for x, W, b, stride, pad in _conv_cases():
        copies = [a.copy() for a in (x, W, b)]
        got, failed = call_safely(exercise, conv_forward, x, W, b, stride, pad)
        if failed is not None:
            return failed
        expected = Convolution(copies[1], copies[2], stride, pad).forward(copies[0])
        got, failed = returned_numbers(exercise, got, "conv_forward")
        if failed is not None:
            return failed
        if any(not np.array_equal(a, copy) for a, copy in zip((x, W, b), copies)):
            return report(exercise, False, "conv_forward changed x, W or b; compute new arrays instead.")
        setting = f"x {x.shape}, W {W.shape}, stride {stride}, pad {pad}"
        if got.shape != expected.shape:
            hint = ""
            if got.size == expected.size:
                hint = " The numbers are all there: reshape to (N, OH, OW, FN), then transpose(0, 3, 1, 2)."
            elif pad and got.ndim == 4 and got.shape[2:] == (expected.shape[2] - pad, expected.shape[3] - pad):
                hint = " Pass pad (and stride) on to im2col."
            return report(exercise, False, f"for {setting} the output should have shape (N, FN, OH, OW) = "
                                           f"{expected.shape}, got {got.shape}.{hint}")
        if not np.allclose(got, expected, rtol=1e-6, atol=1e-6):
            return report(exercise, False, f"for {setting}: " + _conv_hint(got, *copies, stride, pad))
    return report(exercise, True, "your convolution agrees with common.layers.Convolution on three batches, "
                                  "with channels, padding and stride 2: one matrix product does all of it.")
