"""Convolution and pooling, checked against brute-force window counts,
nested loops and scipy.signal.correlate2d."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.signal import convolve2d, correlate2d

from tutor.solutions.conv import (
    avg_pool,
    cnn_param_counts,
    cnn_shapes,
    conv2d,
    conv_output_size,
    conv_param_count,
    max_pool,
)

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


def loop_avg_pool(x, size, stride):
    rows = range(0, x.shape[0] - size + 1, stride)
    cols = range(0, x.shape[1] - size + 1, stride)
    out = np.empty((len(rows), len(cols)))
    for i, top in enumerate(rows):
        for j, left in enumerate(cols):
            window = [x[top + u, left + v] for u in range(size) for v in range(size)]
            out[i, j] = sum(window) / len(window)
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_conv2d_with_padding_and_stride_matches_scipy(seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(-5, 6, size=rng.integers(2, 8, size=2)).astype(float)
    padding, stride = int(rng.integers(0, 3)), int(rng.integers(1, 4))
    f = int(rng.integers(1, min(x.shape) + 1))
    kernel = rng.integers(-2, 3, size=(f, f)).astype(float)
    padded = np.pad(x, padding)  # zero padding
    expected = correlate2d(padded, kernel, mode="valid")[::stride, ::stride]
    np.testing.assert_allclose(conv2d(x, kernel, padding, stride), expected, atol=1e-12)


@pytest.mark.parametrize("seed", range(20))
def test_conv2d_on_the_flipped_kernel_is_true_convolution(seed):
    # Why the flipped kernel is the mistake "true convolution": scipy's
    # convolve2d flips the kernel, a CNN layer does not.
    rng = np.random.default_rng(seed)
    x = rng.normal(size=rng.integers(3, 8, size=2))
    kernel = rng.normal(size=(2, 3))
    np.testing.assert_allclose(
        conv2d(x, kernel[::-1, ::-1]), convolve2d(x, kernel, mode="valid"), atol=1e-12
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_avg_pool_matches_nested_loops(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=rng.integers(1, 10, size=2))
    size = int(rng.integers(1, min(x.shape) + 1))
    stride = int(rng.integers(1, 4))
    result = avg_pool(x, size, stride)
    expected = loop_avg_pool(x, size, stride)
    assert result.shape == expected.shape
    assert result.shape == tuple(window_count(n, size, 0, stride) for n in x.shape)
    np.testing.assert_allclose(result, expected, atol=1e-12)


@pytest.mark.parametrize("seed", range(20))
def test_avg_pool_of_divisible_sizes_is_a_block_mean(seed):
    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 4))
    blocks = rng.integers(1, 5, size=2)
    x = rng.normal(size=tuple(blocks * size))
    expected = x.reshape(blocks[0], size, blocks[1], size).mean(axis=(1, 3))
    np.testing.assert_allclose(avg_pool(x, size), expected, atol=1e-12)


def test_avg_pool_drops_incomplete_windows_and_overlaps_with_stride_one():
    x = np.arange(25.0).reshape(5, 5)
    np.testing.assert_array_equal(avg_pool(x, 2), [[3.0, 5.0], [13.0, 15.0]])
    np.testing.assert_array_equal(avg_pool(x, 2, 1), loop_avg_pool(x, 2, 1))
    assert avg_pool(x, 2, 1).shape == (4, 4)


def test_avg_pool_leaves_the_input_unchanged():
    x = np.arange(16.0).reshape(4, 4)
    copy = x.copy()
    avg_pool(x, 2)
    np.testing.assert_array_equal(x, copy)


@pytest.mark.parametrize(
    "x_shape, size, stride",
    [
        ((3, 3), 4, None),
        ((5, 2), 3, 1),
        ((3, 3), 0, None),
        ((3, 3), 2, 0),
        ((3, 3), 1.5, None),
        ((3, 3), 2, 1.0),
        ((3,), 1, None),
        ((0, 0), 1, None),
    ],
)
def test_avg_pool_rejects_impossible_settings(x_shape, size, stride):
    with pytest.raises(ValueError):
        avg_pool(np.ones(x_shape), size, stride)


# cnn_shapes and cnn_param_counts


def random_stack(rng):
    """A random stack of convolutions and poolings that fits its input."""
    h, w, c = int(rng.integers(8, 70)), int(rng.integers(8, 70)), int(rng.integers(1, 5))
    layers, hh, ww = [], h, w
    for _ in range(int(rng.integers(1, 6))):
        if rng.random() < 0.6:
            f, p, s = int(rng.integers(1, 6)), int(rng.integers(0, 3)), int(rng.integers(1, 3))
            if f > min(hh, ww) + 2 * p:
                break
            layer = {"type": "conv", "filters": int(rng.integers(1, 40)), "size": f}
            layer.update(padding=p, stride=s)
            hh, ww = window_count(hh, f, p, s), window_count(ww, f, p, s)
        else:
            k, s = int(rng.integers(2, 4)), int(rng.integers(1, 4))
            if k > min(hh, ww):
                break
            layer = {"type": "pool", "size": k, "stride": s}
            hh, ww = window_count(hh, k, 0, s), window_count(ww, k, 0, s)
        layers.append(layer)
    if not layers:
        layers = [{"type": "pool", "size": 1, "stride": 1}]
    return (h, w, c), layers


def brute_force_shapes(input_shape, layers):
    """Each layer's output by counting the window positions along each axis."""
    h, w, c = input_shape
    shapes = []
    for layer in layers:
        p = layer.get("padding", 0)
        h = window_count(h, layer["size"], p, layer["stride"])
        w = window_count(w, layer["size"], p, layer["stride"])
        if layer["type"] == "conv":
            c = layer["filters"]  # one output channel per filter
        shapes.append((h, w, c))
    return shapes


def built_parameters(input_shape, layers):
    """The size of explicitly built weight and bias arrays of every layer."""
    c, counts = input_shape[2], []
    for layer in layers:
        if layer["type"] == "pool":
            counts.append(0)
            continue
        f, c_out = layer["size"], layer["filters"]
        weights = np.empty((c_out, c, f, f))
        biases = np.empty(c_out)
        counts.append(weights.size + biases.size)
        c = c_out
    return counts


@pytest.mark.parametrize("seed", range(60))
def test_cnn_shapes_count_window_positions(seed):
    input_shape, layers = random_stack(np.random.default_rng(seed))
    assert cnn_shapes(input_shape, layers) == brute_force_shapes(input_shape, layers)


@pytest.mark.parametrize("seed", range(60))
def test_cnn_param_counts_match_built_weight_arrays(seed):
    input_shape, layers = random_stack(np.random.default_rng(seed))
    counts = cnn_param_counts(input_shape, layers)
    assert counts == built_parameters(input_shape, layers)
    assert all(isinstance(count, int) for count in counts)


def test_cnn_shapes_of_the_notes_rgb_example():
    # A 32 × 32 RGB image through six 3 × 5 × 5 filters (75 weights each, plus a
    # bias), no padding, stride 1: 28 × 28 × 6 and 6 · 76 = 456 parameters.
    layers = [{"type": "conv", "filters": 6, "size": 5, "padding": 0, "stride": 1}]
    assert cnn_shapes((32, 32, 3), layers) == [(28, 28, 6)]
    assert cnn_param_counts((32, 32, 3), layers) == [6 * (3 * 5 * 5 + 1)] == [456]


def test_cnn_shapes_of_a_lenet_stack():
    layers = [
        {"type": "conv", "filters": 6, "size": 5, "padding": 0, "stride": 1},
        {"type": "pool", "size": 2, "stride": 2},
        {"type": "conv", "filters": 16, "size": 5, "padding": 0, "stride": 1},
        {"type": "pool", "size": 2, "stride": 2},
    ]
    assert cnn_shapes([32, 32, 3], layers) == [(28, 28, 6), (14, 14, 6), (10, 10, 16), (5, 5, 16)]
    assert cnn_param_counts([32, 32, 3], layers) == [456, 0, 16 * (6 * 25 + 1), 0]


def test_cnn_shapes_defaults_and_rectangular_input():
    layers = [{"type": "conv", "filters": 4, "size": 3}, {"type": "pool", "size": 2}]
    explicit = [
        {"type": "conv", "filters": 4, "size": 3, "padding": 0, "stride": 1},
        {"type": "pool", "size": 2, "stride": 2},
    ]
    assert cnn_shapes((9, 12, 1), layers) == cnn_shapes((9, 12, 1), explicit)
    assert cnn_shapes((9, 12, 1), layers) == [(7, 10, 4), (3, 5, 4)]
    assert cnn_shapes(np.array([9, 12, 1]), layers) == [(7, 10, 4), (3, 5, 4)]


def test_pooling_keeps_the_channels_and_has_no_parameters():
    layers = [{"type": "pool", "size": 3, "stride": 3}]
    assert cnn_shapes((10, 10, 7), layers) == [(3, 3, 7)]
    assert cnn_param_counts((10, 10, 7), layers) == [0]


@pytest.mark.parametrize(
    "input_shape",
    [(32, 32), (32, 32, 3, 1), (0, 32, 3), (32, 32, 0), (32.0, 32, 3), (True, 32, 3), "32", None],
)
def test_cnn_shapes_reject_bad_input_shapes(input_shape):
    layers = [{"type": "pool", "size": 2, "stride": 2}]
    with pytest.raises(ValueError, match="input_shape"):
        cnn_shapes(input_shape, layers)


@pytest.mark.parametrize(
    "layers",
    [
        [],
        None,
        "conv",
        {"type": "conv", "filters": 4, "size": 3},
        [{"type": "dense", "size": 3}],
        [{"type": ["conv"], "size": 3}],
        [["conv", 4, 3]],
        [{"type": "conv", "size": 3}],
        [{"type": "conv", "filters": 4}],
        [{"type": "conv", "filters": 0, "size": 3}],
        [{"type": "conv", "filters": 4, "size": 3, "padding": -1}],
        [{"type": "conv", "filters": 4, "size": 3, "stride": 0}],
        [{"type": "conv", "filters": 4, "size": 3, "stride": 1.0}],
        [{"type": "conv", "filters": 4, "size": 3, "dilation": 2}],
        [{"type": "pool", "size": 2, "padding": 1}],
        [{"type": "pool", "size": 2, "filters": 3}],
        [{"type": "pool", "size": True}],
        [{"type": "conv", "filters": 4, "size": 9}],  # larger than the 8 × 8 input
        [{"type": "pool", "size": 4}, {"type": "pool", "size": 4}],  # 2 × 2 left
    ],
)
def test_cnn_shapes_and_counts_reject_bad_layers(layers):
    for function in (cnn_shapes, cnn_param_counts):
        with pytest.raises(ValueError):
            function((8, 8, 3), layers)


def test_cnn_errors_name_the_layer():
    layers = [{"type": "pool", "size": 2}, {"type": "conv", "filters": 2, "size": 7}]
    with pytest.raises(ValueError, match="^layer 2: "):
        cnn_shapes((8, 8, 3), layers)
