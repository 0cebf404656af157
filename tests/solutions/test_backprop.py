"""Backprop of a sigmoid network, checked against a loop-based forward pass and
central finite differences of the loss 1/2 ||y - r||^2."""

import numpy as np
import pytest
from scipy.special import expit

from tutor.solutions.backprop import backprop_deltas, forward, gradients

SEEDS = range(30)


def random_network(rng, depth=None):
    """Weights (n_out, n_in), biases, one input x and a target r in (0, 1)."""
    depth = int(rng.integers(1, 5)) if depth is None else depth
    sizes = rng.integers(1, 6, size=depth + 1)
    weights = [rng.normal(size=(sizes[l + 1], sizes[l])) for l in range(depth)]
    biases = [rng.normal(size=sizes[l + 1]) for l in range(depth)]
    x = rng.normal(size=sizes[0])
    r = rng.uniform(size=sizes[-1])
    return weights, biases, x, r


def loop_forward(weights, biases, x):
    """a^l = W^l y^{l-1} + b^l and y^l = expit(a^l), entry by entry."""
    pre_activations, activations = [], []
    y = np.array(x, dtype=float)
    for W, b in zip(weights, biases):
        a = np.array(
            [b[i] + sum(W[i, j] * y[j] for j in range(W.shape[1])) for i in range(W.shape[0])]
        )
        y = expit(a)
        pre_activations.append(a)
        activations.append(y)
    return pre_activations, activations


def loss(weights, biases, x, r):
    output = loop_forward(weights, biases, x)[1][-1]
    return 0.5 * np.sum((output - r) ** 2)


def numerical_gradient(f, p, eps=1e-6):
    """Central differences of the scalar function f at the array p."""
    grad = np.zeros_like(p)
    for idx in np.ndindex(p.shape):
        step = np.zeros_like(p)
        step[idx] = eps
        grad[idx] = (f(p + step) - f(p - step)) / (2 * eps)
    return grad


def replaced(items, l, value):
    return items[:l] + [value] + items[l + 1 :]


def bias_gradients(weights, biases, x, r):
    return [
        numerical_gradient(lambda bl, l=l: loss(weights, replaced(biases, l, bl), x, r), b)
        for l, b in enumerate(biases)
    ]


def weight_gradients(weights, biases, x, r):
    return [
        numerical_gradient(lambda Wl, l=l: loss(replaced(weights, l, Wl), biases, x, r), W)
        for l, W in enumerate(weights)
    ]


@pytest.mark.parametrize("seed", SEEDS)
def test_forward_matches_loop_reference(seed):
    weights, biases, x, _ = random_network(np.random.default_rng(seed))
    pre, act = forward(weights, biases, x)
    ref_pre, ref_act = loop_forward(weights, biases, x)
    assert len(pre) == len(act) == len(weights)
    for a, y, ref_a, ref_y in zip(pre, act, ref_pre, ref_act):
        np.testing.assert_allclose(a, ref_a, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(y, ref_y, rtol=1e-12, atol=1e-12)


def test_forward_saturates_without_overflow():
    weights, biases, x = [np.array([[1e4], [-1e4]])], [np.zeros(2)], np.array([1.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        _, act = forward(weights, biases, x)
    np.testing.assert_array_equal(act[-1], [1.0, 0.0])


@pytest.mark.parametrize("seed", SEEDS)
def test_deltas_equal_bias_finite_differences(seed):
    # a^l = W^l y^{l-1} + b^l, so dL/db^l = dL/da^l = delta^l.
    weights, biases, x, r = random_network(np.random.default_rng(seed))
    deltas = backprop_deltas(weights, biases, x, r)
    expected = bias_gradients(weights, biases, x, r)
    assert len(deltas) == len(expected)
    for delta, ref in zip(deltas, expected):
        assert delta.shape == ref.shape
        np.testing.assert_allclose(delta, ref, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("seed", range(10))
def test_deltas_follow_the_notes_on_one_hidden_layer(seed):
    rng = np.random.default_rng(seed)
    W1, b1 = rng.normal(size=(4, 3)), rng.normal(size=4)
    W2, b2 = rng.normal(size=(2, 4)), rng.normal(size=2)
    x, r = rng.normal(size=3), rng.uniform(size=2)
    h = expit(W1 @ x + b1)
    y = expit(W2 @ h + b2)
    delta_out = (y - r) * y * (1 - y)
    delta_hidden = h * (1 - h) * (W2.T @ delta_out)
    delta_1, delta_2 = backprop_deltas([W1, W2], [b1, b2], x, r)
    np.testing.assert_allclose(delta_2, delta_out, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(delta_1, delta_hidden, rtol=1e-12, atol=1e-15)


def test_delta_is_zero_when_output_hits_target():
    weights, biases, x, _ = random_network(np.random.default_rng(0), depth=3)
    output = loop_forward(weights, biases, x)[1][-1]
    for delta in backprop_deltas(weights, biases, x, output):
        np.testing.assert_allclose(delta, 0.0, atol=1e-15)


@pytest.mark.parametrize("seed", SEEDS)
def test_gradients_match_finite_differences(seed):
    weights, biases, x, r = random_network(np.random.default_rng(seed))
    dW, db = gradients(weights, biases, x, r)
    for grad, ref, param in zip(dW, weight_gradients(weights, biases, x, r), weights):
        assert grad.shape == param.shape
        np.testing.assert_allclose(grad, ref, rtol=1e-5, atol=1e-8)
    for grad, ref, param in zip(db, bias_gradients(weights, biases, x, r), biases):
        assert grad.shape == param.shape
        np.testing.assert_allclose(grad, ref, rtol=1e-5, atol=1e-8)


def test_gradients_accept_lists_and_leave_inputs_unchanged():
    weights, biases, x, r = random_network(np.random.default_rng(1), depth=2)
    copies = [w.copy() for w in weights], [b.copy() for b in biases], x.copy(), r.copy()
    dW, db = gradients([w.tolist() for w in weights], [b.tolist() for b in biases], list(x), r)
    dW_arrays, db_arrays = gradients(weights, biases, x, r)
    for got, ref in zip(dW + db, dW_arrays + db_arrays):
        np.testing.assert_array_equal(got, ref)
    for got, ref in zip(weights + biases + [x, r], copies[0] + copies[1] + [copies[2], copies[3]]):
        np.testing.assert_array_equal(got, ref)


def bad_networks():
    W, b, x, r = np.ones((2, 3)), np.ones(2), np.ones(3), np.ones(2)
    return {
        "W columns differ from x": ([np.ones((2, 4))], [b], x, r),
        "b length differs from W rows": ([W], [np.ones(3)], x, r),
        "b is 2-D": ([W], [np.ones((2, 1))], x, r),
        "W is 1-D": ([np.ones(3)], [np.ones(1)], x, r),
        "layers do not chain": ([W, np.ones((1, 3))], [b, np.ones(1)], x, np.ones(1)),
        "more weights than biases": ([W, np.ones((2, 2))], [b], x, r),
        "no layers": ([], [], x, r),
        "x is 2-D": ([W], [b], np.ones((3, 1)), r),
    }


@pytest.mark.parametrize("function", [backprop_deltas, gradients])
@pytest.mark.parametrize("case", bad_networks().keys())
def test_bad_shapes_raise(function, case):
    weights, biases, x, r = bad_networks()[case]
    with pytest.raises(ValueError):
        function(weights, biases, x, r)


@pytest.mark.parametrize("case", bad_networks().keys())
def test_forward_rejects_bad_shapes(case):
    weights, biases, x, _ = bad_networks()[case]
    with pytest.raises(ValueError):
        forward(weights, biases, x)


@pytest.mark.parametrize("function", [backprop_deltas, gradients])
@pytest.mark.parametrize("r", [np.ones(3), np.ones((2, 1)), 1.0])
def test_target_of_wrong_shape_raises(function, r):
    with pytest.raises(ValueError):
        function([np.ones((2, 3))], [np.ones(2)], np.ones(3), r)
