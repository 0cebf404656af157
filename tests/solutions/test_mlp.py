"""The MLP forward pass checked against a loop written here (scipy's expit
for the sigmoid), against backprop.forward on sigmoid networks, and the
XOR network on all four Boolean inputs."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit

from tutor.solutions.backprop import forward
from tutor.solutions.mlp import (
    XOR_INPUTS,
    mlp_activation,
    mlp_forward,
    realises_xor,
    step,
    xor_network,
    xor_outputs,
)

KINDS = ("sigmoid", "relu", "linear", "step")
SEEDS = range(40)


def activate(value, kind):
    """One number through an activation, by its definition."""
    if kind == "sigmoid":
        return float(expit(value))
    if kind == "relu":
        return value if value > 0 else 0.0
    if kind == "step":
        return 1.0 if value > 0 else 0.0
    return value


def loop_forward(weights, biases, x, hidden, output):
    """z_j = b_j + Σ_i W[j, i] a_i unit by unit, layer by layer."""
    pre, post = [], []
    a = [float(v) for v in x]
    for l, (W, b) in enumerate(zip(weights, biases)):
        kind = output if l == len(weights) - 1 else hidden
        z = [b[j] + sum(W[j][i] * a[i] for i in range(len(a))) for j in range(len(b))]
        a = [activate(v, kind) for v in z]
        pre.append(z)
        post.append(a)
    return pre, post


def random_network(rng, depth=None):
    depth = int(rng.integers(1, 5)) if depth is None else depth
    sizes = rng.integers(1, 6, size=depth + 1)
    weights = [rng.normal(size=(sizes[l + 1], sizes[l])) for l in range(depth)]
    biases = [rng.normal(size=sizes[l + 1]) for l in range(depth)]
    return weights, biases, rng.normal(size=sizes[0])


@pytest.mark.parametrize("seed", SEEDS)
def test_forward_matches_a_loop_for_every_pair_of_activations(seed):
    rng = np.random.default_rng(seed)
    weights, biases, x = random_network(rng)
    for hidden in KINDS:
        for output in KINDS:
            pre, post = mlp_forward(weights, biases, x, hidden, output)
            want_pre, want_post = loop_forward(weights, biases, x, hidden, output)
            assert len(pre) == len(post) == len(weights)
            for got, want in zip(pre, want_pre):
                np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)
            for got, want in zip(post, want_post):
                np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_sigmoid_networks_agree_with_backprop_forward(seed):
    weights, biases, x = random_network(np.random.default_rng(seed))
    pre, post = mlp_forward(weights, biases, x)
    want_pre, want_post = forward(weights, biases, x)
    for got, want in zip(pre + post, want_pre + want_post):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_weights_act_as_w_times_x_not_its_transpose():
    # A non-symmetric W: row j feeds unit j.
    (z,), _ = mlp_forward(
        [[[1.0, 2.0], [3.0, 4.0]]], [[0.5, -0.5]], [1.0, 10.0], "linear", "linear"
    )
    np.testing.assert_allclose(z, [1 + 20 + 0.5, 3 + 40 - 0.5])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.floats(-5, 5), min_size=2, max_size=2),
    st.lists(st.floats(-3, 3), min_size=9, max_size=9),
    st.sampled_from(KINDS),
)
def test_relu_and_step_layers_have_their_ranges(x, numbers, output):
    weights = [np.reshape(numbers[:6], (3, 2)), np.reshape(numbers[6:], (1, 3))]
    biases = [np.zeros(3), np.zeros(1)]
    _, (hidden_relu, _) = mlp_forward(weights, biases, x, "relu", output)
    _, (hidden_step, _) = mlp_forward(weights, biases, x, "step", output)
    assert np.all(hidden_relu >= 0)
    assert set(np.unique(hidden_step)) <= {0.0, 1.0}
    # step(z) is 1 exactly where ReLU lets z through.
    np.testing.assert_array_equal(hidden_step, (hidden_relu > 0).astype(float))


def test_step_convention_at_zero():
    assert step(0.0) == 0.0
    assert step(-0.0) == 0.0
    assert step(1e-12) == 1.0
    assert step(-3) == 0.0
    np.testing.assert_array_equal(step([[-1, 0], [2, 0.5]]), [[0, 0], [1, 1]])
    assert np.ndim(step(2.0)) == 0


def test_mlp_activation_definitions():
    z = np.array([-2.0, 0.0, 1.5])
    np.testing.assert_allclose(mlp_activation(z, "sigmoid"), expit(z))
    np.testing.assert_array_equal(mlp_activation(z, "relu"), [0, 0, 1.5])
    np.testing.assert_array_equal(mlp_activation(z, "linear"), z)
    np.testing.assert_array_equal(mlp_activation(z, "step"), [0, 0, 1])


def test_xor_network_computes_xor_on_all_four_inputs():
    weights, biases = xor_network()
    for x1 in (0, 1):
        for x2 in (0, 1):
            _, want = loop_forward(weights, biases, [x1, x2], "step", "step")
            _, (hidden, y) = mlp_forward(weights, biases, [x1, x2], "step", "step")
            assert y.tolist() == want[-1] == [float(x1 != x2)]
            # The hidden units are OR and NAND, the output their AND.
            assert hidden.tolist() == [float(x1 or x2), float(not (x1 and x2))]
    assert realises_xor(weights, biases)


def test_xor_network_never_sits_on_a_threshold():
    weights, biases = xor_network()
    for x in XOR_INPUTS:
        pre, _ = mlp_forward(weights, biases, x, "step", "step")
        assert all(np.min(np.abs(z)) >= 0.5 for z in pre)


def test_xor_outputs_in_truth_table_order():
    weights, biases = xor_network()
    outputs = xor_outputs(weights, biases)
    assert outputs.shape == (4, 1)
    assert outputs[:, 0].tolist() == [0.0, 1.0, 1.0, 0.0]
    np.testing.assert_array_equal(XOR_INPUTS, [[0, 0], [0, 1], [1, 0], [1, 1]])


def test_realises_xor_rejects_other_networks():
    weights, biases = xor_network()
    # An output OR instead of AND: (x1 OR x2) OR NAND(x1, x2) is always 1.
    or_biases = [biases[0], np.array([-0.5])]
    assert xor_outputs(weights, or_biases)[:, 0].tolist() == [1.0, 1.0, 1.0, 1.0]
    assert not realises_xor(weights, or_biases)
    # Transposing W1 breaks it.
    assert not realises_xor([weights[0].T, weights[1]], biases)


def test_relu_xor_network_with_a_linear_output():
    # h1 = ReLU(x1 + x2), h2 = ReLU(x1 + x2 - 1), y = h1 - 2 h2.
    weights = [[[1.0, 1.0], [1.0, 1.0]], [[1.0, -2.0]]]
    biases = [[0.0, -1.0], [0.0]]
    assert realises_xor(weights, biases, "relu", "linear")
    assert not realises_xor(weights, biases, "linear", "linear")


def test_sigmoid_outputs_need_a_tolerance():
    weights, biases = xor_network()
    big = [20 * np.asarray(W) for W in weights], [20 * np.asarray(b) for b in biases]
    assert not realises_xor(*big, "sigmoid", "sigmoid")
    assert realises_xor(*big, "sigmoid", "sigmoid", atol=0.1)


@pytest.mark.parametrize(
    ("weights", "biases", "x", "message"),
    [
        ([[[1.0, 2.0]]], [[0.0]], [1.0, 2.0, 3.0], "x must"),
        ([[[1.0, 2.0]]], [[0.0, 1.0]], [1.0, 2.0], "layer 0"),
        ([[[1.0, 2.0]], [[1.0, 2.0]]], [[0.0], [0.0]], [1.0, 2.0], "layer 1"),
        ([[[1.0, 2.0]]], [], [1.0, 2.0], "one bias vector"),
        ([], [], [1.0], "at least one layer"),
        ([[[1.0, np.nan]]], [[0.0]], [1.0, 2.0], "finite"),
        ([[[1.0, 2.0]]], [[0.0]], [1.0, np.inf], "finite"),
        ([[1.0, 2.0]], [[0.0]], [1.0, 2.0], "layer 0"),
    ],
)
def test_bad_networks_raise(weights, biases, x, message):
    with pytest.raises(ValueError, match=message):
        mlp_forward(weights, biases, x)


def test_bad_activations_and_xor_arguments_raise():
    weights, biases = xor_network()
    with pytest.raises(ValueError, match="activation"):
        mlp_forward(weights, biases, [0, 1], hidden="tanh")
    with pytest.raises(ValueError, match="activation"):
        mlp_activation([1.0], "softmax")
    with pytest.raises(ValueError, match="one output"):
        realises_xor([weights[0], np.ones((2, 2))], [biases[0], np.zeros(2)])
    with pytest.raises(ValueError, match="atol"):
        realises_xor(weights, biases, atol=0.5)
