"""Activations checked against scipy and finite differences on seeded random inputs."""

import contextlib
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.special import expit
from scipy.special import softmax as scipy_softmax

from tutor.solutions.activations import (
    activation_curve,
    activation_pieces,
    hard_sigmoid,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
)

SEEDS = range(50)


def _random_array(rng, scale):
    shape = tuple(rng.integers(1, 5, size=rng.integers(1, 4)))
    return rng.normal(scale=scale, size=shape)


def _central_difference(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / (2 * h)


@contextlib.contextmanager
def _no_floating_point_trouble():
    """Turn warnings and overflow, invalid or divide-by-zero into errors.

    Underflow stays at numpy's default (ignored): exp(-1e4) rounding to 0 is the
    intended result, not a fault.
    """
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        yield


finite_arrays = hnp.arrays(
    dtype=np.float64,
    shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
    elements=st.floats(-1e4, 1e4, allow_nan=False),
)


# --- sigmoid -----------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_sigmoid_matches_expit(seed):
    x = _random_array(np.random.default_rng(seed), scale=20.0)
    np.testing.assert_allclose(sigmoid(x), expit(x), rtol=1e-12, atol=1e-300)


@settings(max_examples=100, deadline=None)
@given(finite_arrays)
def test_sigmoid_matches_expit_on_any_finite_input(x):
    out = sigmoid(x)
    assert out.shape == x.shape
    np.testing.assert_allclose(out, expit(x), rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("seed", SEEDS[:20])
def test_sigmoid_is_symmetric_about_one_half(seed):
    x = _random_array(np.random.default_rng(seed), scale=5.0)
    np.testing.assert_allclose(sigmoid(-x), 1.0 - sigmoid(x), atol=1e-15)


def test_sigmoid_of_a_scalar_is_a_numpy_scalar():
    out = sigmoid(0.3)
    assert isinstance(out, np.floating)
    assert not isinstance(out, np.ndarray)
    assert out == pytest.approx(expit(0.3), rel=1e-15)


def test_sigmoid_accepts_lists_and_integers():
    np.testing.assert_allclose(sigmoid([-2, 0, 3]), expit(np.array([-2.0, 0.0, 3.0])))


def test_sigmoid_extremes_give_no_warning_and_no_nan():
    x = np.array([-1e4, 0.0, 1e4])
    with _no_floating_point_trouble():
        out = sigmoid(x)
    np.testing.assert_array_equal(out, [0.0, 0.5, 1.0])


# --- sigmoid_grad --------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_sigmoid_grad_matches_finite_differences(seed):
    x = _random_array(np.random.default_rng(seed), scale=4.0)
    np.testing.assert_allclose(sigmoid_grad(x), _central_difference(expit, x), atol=1e-9)


@pytest.mark.parametrize("seed", SEEDS[:20])
def test_sigmoid_grad_matches_expit_product(seed):
    x = _random_array(np.random.default_rng(seed), scale=20.0)
    expected = expit(x) * (1.0 - expit(x))
    np.testing.assert_allclose(sigmoid_grad(x), expected, rtol=1e-12, atol=1e-300)


def test_sigmoid_grad_peaks_at_one_quarter_at_zero():
    assert sigmoid_grad(0.0) == 0.25
    x = np.linspace(-10, 10, 201)
    assert np.all(sigmoid_grad(x) <= 0.25)


def test_sigmoid_grad_of_a_scalar_is_a_numpy_scalar():
    out = sigmoid_grad(-1.5)
    assert isinstance(out, np.floating)
    assert out == pytest.approx(expit(-1.5) * expit(1.5), rel=1e-14)


def test_sigmoid_grad_extremes_give_no_warning_and_no_nan():
    x = np.array([-1e4, 0.0, 1e4])
    with _no_floating_point_trouble():
        out = sigmoid_grad(x)
    np.testing.assert_array_equal(out, [0.0, 0.25, 0.0])


# --- relu ----------------------------------------------------------------------


def _relu_by_definition(x):
    return np.array([xi if xi > 0 else 0.0 for xi in np.ravel(x)]).reshape(np.shape(x))


@pytest.mark.parametrize("seed", SEEDS[:20])
def test_relu_matches_definition(seed):
    x = _random_array(np.random.default_rng(seed), scale=3.0)
    np.testing.assert_array_equal(relu(x), _relu_by_definition(x))


@pytest.mark.parametrize("seed", SEEDS[:20])
def test_relu_grad_matches_definition(seed):
    x = _random_array(np.random.default_rng(seed), scale=3.0)
    expected = np.array([1.0 if xi > 0 else 0.0 for xi in np.ravel(x)]).reshape(x.shape)
    np.testing.assert_array_equal(relu_grad(x), expected)


@pytest.mark.parametrize("seed", SEEDS)
def test_relu_grad_matches_finite_differences_away_from_zero(seed):
    x = _random_array(np.random.default_rng(seed), scale=3.0)
    x = x[np.abs(x) > 1e-3]
    np.testing.assert_allclose(
        relu_grad(x), _central_difference(_relu_by_definition, x, h=1e-6), atol=1e-8
    )


def test_relu_grad_is_zero_at_zero():
    assert relu_grad(0.0) == 0.0
    np.testing.assert_array_equal(relu_grad(np.array([-0.0, 0.0, 1e-300])), [0.0, 0.0, 1.0])


def test_relu_of_scalars_are_numpy_scalars():
    assert isinstance(relu(-2.0), np.floating) and relu(-2.0) == 0.0
    assert isinstance(relu_grad(2.0), np.floating) and relu_grad(2.0) == 1.0


def test_relu_keeps_integer_input_values():
    np.testing.assert_array_equal(relu([[-3, 4], [0, 7]]), [[0.0, 4.0], [0.0, 7.0]])


# --- softmax -------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_softmax_matches_scipy_along_any_axis(seed):
    rng = np.random.default_rng(seed)
    z = _random_array(rng, scale=10.0)
    axis = int(rng.integers(-z.ndim, z.ndim))
    np.testing.assert_allclose(
        softmax(z, axis=axis), scipy_softmax(z, axis=axis), rtol=1e-12, atol=1e-300
    )


def test_softmax_default_axis_is_the_last():
    z = np.random.default_rng(0).normal(size=(3, 4))
    np.testing.assert_allclose(softmax(z), scipy_softmax(z, axis=-1), rtol=1e-12)
    np.testing.assert_allclose(softmax(z).sum(axis=1), np.ones(3), rtol=1e-12)


@settings(max_examples=100, deadline=None)
@given(finite_arrays, st.data())
def test_softmax_is_a_distribution_along_the_axis(z, data):
    axis = data.draw(st.integers(-z.ndim, z.ndim - 1))
    p = softmax(z, axis=axis)
    assert p.shape == z.shape
    assert np.all(np.isfinite(p)) and np.all(p >= 0)
    np.testing.assert_allclose(p.sum(axis=axis), 1.0, rtol=1e-12)
    np.testing.assert_allclose(p, scipy_softmax(z, axis=axis), rtol=1e-9, atol=1e-300)


@pytest.mark.parametrize("seed", SEEDS)
def test_softmax_is_invariant_to_a_constant_shift_along_the_axis(seed):
    rng = np.random.default_rng(seed)
    z = _random_array(rng, scale=5.0)
    axis = int(rng.integers(z.ndim))
    shift_shape = list(z.shape)
    shift_shape[axis] = 1
    shift = rng.normal(scale=100.0, size=shift_shape)
    np.testing.assert_allclose(softmax(z + shift, axis=axis), softmax(z, axis=axis), rtol=1e-9)


def test_softmax_of_moderate_logits_is_strictly_positive():
    z = np.random.default_rng(1).normal(scale=5.0, size=(6, 7))
    assert np.all(softmax(z) > 0)


def test_softmax_of_extreme_logits_gives_no_warning_and_no_nan():
    z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]])
    with _no_floating_point_trouble():
        p = softmax(z)
    np.testing.assert_array_equal(p[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(p[1], np.full(3, 1 / 3), rtol=1e-15)


# --- hard_sigmoid and activation_curve ----------------------------------------------


def _hard_sigmoid_by_cases(z, low=0.0, high=1.0):
    if z <= low:
        return 0.0
    if z >= high:
        return 1.0
    return (z - low) / (high - low)


def _activation_by_name(kind, z):
    if kind == "sigmoid":
        return 1.0 / (1.0 + math.exp(-z))
    if kind == "relu":
        return z if z > 0 else 0.0
    return _hard_sigmoid_by_cases(z)


def _curve_by_loop(x, b, c, w, bias, kind):
    total = b
    for ci, wi, bi in zip(c, w, bias):
        total += ci * _activation_by_name(kind, bi + wi * x)
    return total


KINDS = ["sigmoid", "relu", "hard_sigmoid"]


@pytest.mark.parametrize("seed", SEEDS)
def test_hard_sigmoid_is_the_clipped_ramp(seed):
    x = _random_array(np.random.default_rng(seed), scale=2.0)
    np.testing.assert_allclose(hard_sigmoid(x), np.clip(x, 0.0, 1.0), atol=1e-15)


@pytest.mark.parametrize("seed", SEEDS[:20])
def test_hard_sigmoid_with_its_own_ramp_matches_the_cases(seed):
    rng = np.random.default_rng(seed)
    low = float(rng.normal(scale=2.0))
    high = low + float(rng.uniform(0.1, 3.0))
    x = rng.normal(loc=low, scale=2.0, size=30)
    expected = [_hard_sigmoid_by_cases(v, low, high) for v in x]
    np.testing.assert_allclose(hard_sigmoid(x, low, high), expected, atol=1e-12)


def test_hard_sigmoid_is_two_relus():
    x = np.linspace(-3, 4, 141)
    np.testing.assert_allclose(hard_sigmoid(x), relu(x) - relu(x - 1.0), atol=1e-15)
    assert hard_sigmoid(0.25) == 0.25 and hard_sigmoid(-5.0) == 0.0 and hard_sigmoid(7.0) == 1.0
    assert isinstance(hard_sigmoid(0.5), np.floating)


@pytest.mark.parametrize("low, high", [(1.0, 1.0), (2.0, 1.0), (0.0, np.inf), (np.nan, 1.0)])
def test_hard_sigmoid_refuses_a_bad_ramp(low, high):
    with pytest.raises(ValueError):
        hard_sigmoid(0.5, low, high)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("kind", KINDS)
def test_activation_curve_matches_a_loop(seed, kind):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(1, 5))
    b = float(rng.normal())
    c, w, bias = rng.normal(scale=2.0, size=(3, m))
    x = float(rng.normal(scale=2.0))
    expected = _curve_by_loop(x, b, c, w, bias, kind)
    out = activation_curve(x, b, c, w, bias, kind=kind)
    assert isinstance(out, float)
    assert out == pytest.approx(expected, abs=1e-12)
    pieces = activation_pieces(x, c, w, bias, kind)
    assert pieces.shape == (m,)
    assert b + pieces.sum() == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("kind", KINDS)
def test_activation_curve_on_an_array_of_inputs(kind):
    rng = np.random.default_rng(7)
    c, w, bias = rng.normal(size=(3, 3))
    x = rng.normal(scale=3.0, size=(4, 5))
    out = activation_curve(x, 0.5, c, w, bias, kind)
    assert out.shape == x.shape
    expected = [[_curve_by_loop(v, 0.5, c, w, bias, kind) for v in row] for row in x]
    np.testing.assert_allclose(out, expected, atol=1e-12)
    assert activation_pieces(x, c, w, bias, kind).shape == (4, 5, 3)


def test_activation_curve_default_kind_is_the_sigmoid():
    assert activation_curve(1.0, 0.0, [2.0], [1.0], [0.0]) == pytest.approx(2 * expit(1.0))


def test_activation_curve_hand_worked():
    # y = 1 + 2σ(0 + 1·1) − 1σ(1 − 1·1) = 1 + 2·0.731059 − 0.5
    assert activation_curve(1, 1, [2, -1], [1, -1], [0, 1]) == pytest.approx(
        1 + 2 / (1 + math.exp(-1)) - 0.5, abs=1e-12
    )
    # ReLU: 0.5 + 3·max(0, −1 + 2·2) + 2·max(0, 1 − 2) = 0.5 + 9 + 0
    assert activation_curve(2, 0.5, [3, 2], [2, -1], [-1, 1], "relu") == 9.5
    # Hard sigmoid: 0 + 2·h(−1 + 0.75·2) = 2·0.5
    assert activation_curve(2, 0, [2], [0.75], [-1], "hard_sigmoid") == pytest.approx(1.0)


def test_activation_curve_staircase_of_hard_sigmoids_is_piecewise_linear():
    # Two ramps on [0, 1] and [2, 3]: slopes 1, 0, 2, 0 between the kinks.
    x = np.array([-1.0, 0.5, 1.5, 2.5, 4.0])
    y = activation_curve(x, 1.0, [1.0, 2.0], [1.0, 1.0], [0.0, -2.0], "hard_sigmoid")
    np.testing.assert_allclose(y, [1.0, 1.5, 2.0, 3.0, 4.0], atol=1e-15)


@pytest.mark.parametrize(
    "args, kind",
    [
        ((1.0, 0.0, [1.0, 2.0], [1.0], [0.0]), "sigmoid"),  # lengths differ
        ((1.0, 0.0, [], [], []), "sigmoid"),  # no units
        ((1.0, 0.0, [[1.0]], [[1.0]], [[0.0]]), "relu"),  # not 1-D
        ((1.0, 0.0, [1.0], [np.nan], [0.0]), "relu"),
        ((np.inf, 0.0, [1.0], [1.0], [0.0]), "sigmoid"),
        ((1.0, np.nan, [1.0], [1.0], [0.0]), "sigmoid"),
        ((1.0, [1.0, 2.0], [1.0], [1.0], [0.0]), "sigmoid"),  # b not a scalar
        ((1.0, 0.0, [1.0], [1.0], [0.0]), "tanh"),
    ],
)
def test_activation_curve_refuses_bad_input(args, kind):
    with pytest.raises(ValueError):
        activation_curve(*args, kind=kind)
