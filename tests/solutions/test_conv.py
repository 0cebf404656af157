"""Convolution and pooling, checked against brute-force window counts,
nested loops and scipy.signal.correlate2d."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.signal import correlate2d

from tutor.solutions.conv import conv2d, conv_output_size, conv_param_count, max_pool

SEEDS = range(40)


def window_count(n, f, p, s):
    """Start positions of a window of size f sliding by s over n + 2p cells."""
    return len(range(0, n + 2 * p - f + 1, s))


def loop_conv2d(x, kernel, padding, stride):
    padded = np.zeros((x.shape[0] + 2 * padding, x.shape[1] + 2 * padding))
    padded[padding : padding + x.shape[0], padding : padding + x.shape[1]] = x
    fh, fw = kernel.shape
    rows = range(0, padded.shape[0] - fh + 1, stride)
    cols = range(0, padded.shape[1] - fw + 1, stride)
    out = np.zeros((len(rows), len(cols)))
    for i, top in enumerate(rows):
        for j, left in enumerate(cols):
            out[i, j] = sum(
                kernel[u, v] * padded[top + u, left + v] for u in range(fh) for v in range(fw)
            )
    return out


def loop_max_pool(x, size, stride):
    rows = range(0, x.shape[0] - size + 1, stride)
    cols = range(0, x.shape[1] - size + 1, stride)
    out = np.empty((len(rows), len(cols)))
    for i, top in enumerate(rows):
        for j, left in enumerate(cols):
            out[i, j] = max(x[top + u, left + v] for u in range(size) for v in range(size))
    return out


def random_conv_case(rng):
    padding, stride = int(rng.integers(0, 3)), int(rng.integers(1, 4))
    h, w = rng.integers(1, 9, size=2)
    fh = int(rng.integers(1, h + 2 * padding + 1))
    fw = int(rng.integers(1, w + 2 * padding + 1))
    return rng.normal(size=(h, w)), rng.normal(size=(fh, fw)), padding, stride


# conv_output_size


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(1, 40),
    f=st.integers(1, 40),
    p=st.integers(0, 5),
    s=st.integers(1, 6),
)
def test_output_size_counts_window_positions(n, f, p, s):
    assume(f <= n + 2 * p)
    assert conv_output_size(n, f, p, s) == window_count(n, f, p, s)


def test_output_size_counts_the_first_position():
    # The exam notes print (n + 2p - f) / s without the + 1; that gives 2 here.
    n, f, p, s = 5, 3, 0, 1
    assert window_count(n, f, p, s) == 3
    assert conv_output_size(n, f, p, s) == 3
    assert conv_output_size(n, f, p, s) != (n + 2 * p - f) / s


def test_output_size_defaults_to_no_padding_and_stride_one():
    assert conv_output_size(7, 3) == window_count(7, 3, 0, 1)


def test_output_size_accepts_numpy_integers():
    assert conv_output_size(np.int64(6), np.int32(2), np.int64(1), np.int8(2)) == window_count(
        6, 2, 1, 2
    )


@pytest.mark.parametrize(
    "n, f, p, s",
    [
        (3, 4, 0, 1),  # kernel larger than the input
        (3, 6, 1, 1),  # ... and than the padded input
        (5, 3, 0, 0),  # stride 0
        (5, 3, -1, 1),  # negative padding
        (0, 1, 0, 1),  # empty input
        (5, 0, 0, 1),  # empty kernel
        (2.5, 1, 0, 1),
        (5, 3.0, 0, 1),
        (5, 3, 0, 1.5),
        (5, 3, True, 1),
        (True, 1, 0, 1),
        ("5", 3, 0, 1),
    ],
)
def test_output_size_rejects_impossible_settings(n, f, p, s):
    with pytest.raises(ValueError):
        conv_output_size(n, f, p, s)


# conv2d


@pytest.mark.parametrize("seed", SEEDS)
def test_conv2d_matches_nested_loops(seed):
    x, kernel, padding, stride = random_conv_case(np.random.default_rng(seed))
    np.testing.assert_allclose(
        conv2d(x, kernel, padding, stride), loop_conv2d(x, kernel, padding, stride), atol=1e-12
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_conv2d_output_shape_follows_output_size(seed):
    x, kernel, padding, stride = random_conv_case(np.random.default_rng(seed))
    expected = tuple(window_count(n, f, padding, stride) for n, f in zip(x.shape, kernel.shape))
    assert conv2d(x, kernel, padding, stride).shape == expected


@pytest.mark.parametrize("seed", range(20))
def test_conv2d_valid_matches_scipy_correlate2d(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=rng.integers(1, 10, size=2))
    kernel = rng.normal(size=(rng.integers(1, x.shape[0] + 1), rng.integers(1, x.shape[1] + 1)))
    np.testing.assert_allclose(conv2d(x, kernel), correlate2d(x, kernel, mode="valid"), atol=1e-12)


def test_conv2d_does_not_flip_the_kernel():
    # A kernel with a single 1 in its top-left corner picks x[i, j] (no flip);
    # a flipped kernel would pick x[i + 1, j + 2].
    x = np.arange(20.0).reshape(4, 5)
    kernel = np.zeros((2, 3))
    kernel[0, 0] = 1.0
    np.testing.assert_array_equal(conv2d(x, kernel), x[:3, :3])


def test_conv2d_pads_with_zeros():
    x = np.ones((2, 2))
    np.testing.assert_array_equal(conv2d(x, np.ones((3, 3)), padding=1), np.full((2, 2), 4.0))


def test_conv2d_leaves_inputs_unchanged():
    rng = np.random.default_rng(0)
    x, kernel = rng.normal(size=(5, 5)), rng.normal(size=(2, 2))
    x_copy, kernel_copy = x.copy(), kernel.copy()
    conv2d(x, kernel, padding=1, stride=2)
    np.testing.assert_array_equal(x, x_copy)
    np.testing.assert_array_equal(kernel, kernel_copy)


@pytest.mark.parametrize(
    "x_shape, k_shape, padding, stride",
    [
        ((3, 3), (4, 1), 0, 1),  # kernel taller than the input
        ((3, 3), (1, 6), 1, 1),  # kernel wider than the padded input
        ((3, 3), (2, 2), 0, 0),
        ((3, 3), (2, 2), -1, 1),
        ((3, 3), (2, 2), 0.5, 1),
        ((3, 3), (2, 2), 0, 1.0),
        ((3,), (2, 2), 0, 1),
        ((3, 3, 1), (2, 2), 0, 1),
        ((3, 3), (0, 2), 0, 1),
        ((0, 3), (1, 1), 0, 1),
    ],
)
def test_conv2d_rejects_impossible_settings(x_shape, k_shape, padding, stride):
    with pytest.raises(ValueError):
        conv2d(np.ones(x_shape), np.ones(k_shape), padding, stride)


# max_pool


@pytest.mark.parametrize("seed", SEEDS)
def test_max_pool_matches_nested_loops(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=rng.integers(1, 10, size=2))
    size = int(rng.integers(1, min(x.shape) + 1))
    stride = int(rng.integers(1, 4))
    result = max_pool(x, size, stride)
    expected = loop_max_pool(x, size, stride)
    assert result.shape == expected.shape
    assert result.shape == tuple(window_count(n, size, 0, stride) for n in x.shape)
    np.testing.assert_array_equal(result, expected)


@pytest.mark.parametrize("seed", range(20))
def test_max_pool_stride_defaults_to_size(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=rng.integers(2, 10, size=2))
    size = int(rng.integers(1, min(x.shape) + 1))
    np.testing.assert_array_equal(max_pool(x, size), loop_max_pool(x, size, size))


def test_max_pool_with_overlapping_windows():
    x = np.array(
        [
            [1.0, 5.0, 2.0, 0.0],
            [3.0, 4.0, 8.0, 1.0],
            [0.0, 2.0, 6.0, 7.0],
        ]
    )
    expected = loop_max_pool(x, 2, 1)
    assert expected.shape == (2, 3)
    np.testing.assert_array_equal(max_pool(x, 2, stride=1), expected)


def test_max_pool_drops_incomplete_windows():
    x = np.arange(25.0).reshape(5, 5)
    np.testing.assert_array_equal(max_pool(x, 2), [[6.0, 8.0], [16.0, 18.0]])


@pytest.mark.parametrize(
    "x_shape, size, stride",
    [
        ((3, 3), 4, None),  # window larger than the input
        ((5, 2), 3, 1),  # window wider than the input
        ((3, 3), 0, None),
        ((3, 3), 2, 0),
        ((3, 3), 1.5, None),
        ((3, 3), 2, 1.0),
        ((3,), 1, None),
        ((0, 0), 1, None),
    ],
)
def test_max_pool_rejects_impossible_settings(x_shape, size, stride):
    with pytest.raises(ValueError):
        max_pool(np.ones(x_shape), size, stride)


# conv_param_count


@settings(max_examples=200, deadline=None)
@given(c_in=st.integers(1, 64), c_out=st.integers(1, 64), f=st.integers(1, 11))
def test_param_count_closed_form(c_in, c_out, f):
    assert conv_param_count(c_in, c_out, f) == c_out * (c_in * f * f + 1)
    assert conv_param_count(c_in, c_out, f, bias=False) == c_out * c_in * f * f


def test_param_count_of_one_rgb_kernel_of_the_notes():
    # A 3x5x5 kernel on an RGB image has 75 weights (plus one bias).
    assert conv_param_count(c_in=3, c_out=1, f=5, bias=False) == 75
    assert conv_param_count(c_in=3, c_out=1, f=5) == 76


@pytest.mark.parametrize(
    "c_in, c_out, f", [(0, 1, 3), (3, 0, 3), (3, 1, 0), (3, 1, 2.5), (True, 1, 3), (3, -2, 3)]
)
def test_param_count_rejects_bad_settings(c_in, c_out, f):
    with pytest.raises(ValueError):
        conv_param_count(c_in, c_out, f)
