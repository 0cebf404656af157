"""Scaled dot-product attention checked against scipy.special.softmax, a
naive loop over queries and keys, the softmax's shift invariance and the
notes' example."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.special import softmax as scipy_softmax

from tutor.solutions.attention import (
    attention_from_scores,
    attention_scores,
    attention_weights,
    scale_attention_scores,
    scaled_dot_product_attention,
)

SEEDS = range(60)


def naive_attention(Q, K, V, mask=None):
    """Loops only: dot products, exponentials and sums written out."""
    d = len(K[0])
    out, weights = [], []
    for i, q in enumerate(Q):
        scores = []
        for j, k in enumerate(K):
            if mask is not None and not mask[i][j]:
                scores.append(None)
                continue
            scores.append(sum(a * b for a, b in zip(q, k)) / math.sqrt(d))
        top = max(s for s in scores if s is not None)
        exps = [0.0 if s is None else math.exp(s - top) for s in scores]
        total = sum(exps)
        row = [e / total for e in exps]
        weights.append(row)
        out.append([sum(row[j] * V[j][c] for j in range(len(K))) for c in range(len(V[0]))])
    return np.array(out), np.array(weights)


def random_case(rng):
    n_q, n_k, d_k, d_v = (int(v) for v in rng.integers(1, 6, size=4))
    return (
        rng.normal(scale=2, size=(n_q, d_k)),
        rng.normal(scale=2, size=(n_k, d_k)),
        rng.normal(size=(n_k, d_v)),
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_attention_matches_a_naive_loop(seed):
    Q, K, V = random_case(np.random.default_rng(seed))
    output, weights = scaled_dot_product_attention(Q, K, V)
    want_output, want_weights = naive_attention(Q.tolist(), K.tolist(), V.tolist())
    np.testing.assert_allclose(weights, want_weights, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(output, want_output, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_weights_match_scipy_softmax_of_the_scaled_scores(seed):
    rng = np.random.default_rng(seed)
    Q, K, _ = random_case(rng)
    d = K.shape[1]
    raw = Q @ K.T
    np.testing.assert_allclose(attention_scores(Q, K), raw / np.sqrt(d), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        attention_weights(raw, d), scipy_softmax(raw / np.sqrt(d), axis=1), rtol=1e-12, atol=1e-15
    )
    np.testing.assert_allclose(
        attention_weights(raw), scipy_softmax(raw, axis=1), rtol=1e-12, atol=1e-15
    )
    # Any positive d, not only the dimension of the keys.
    other = float(rng.uniform(0.1, 50))
    np.testing.assert_allclose(
        attention_weights(raw[0], other), scipy_softmax(raw[0] / math.sqrt(other)), rtol=1e-12
    )


@pytest.mark.parametrize("seed", SEEDS[:30])
def test_attention_from_scores_matches_the_naive_loop(seed):
    Q, K, V = random_case(np.random.default_rng(seed))
    raw = [[sum(a * b for a, b in zip(q, k)) for k in K] for q in Q]
    output, weights = attention_from_scores(raw, V, d=K.shape[1])
    want_output, want_weights = naive_attention(Q.tolist(), K.tolist(), V.tolist())
    np.testing.assert_allclose(weights, want_weights, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(output, want_output, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        scale_attention_scores(raw, K.shape[1]), np.array(raw) / math.sqrt(K.shape[1])
    )
    # One query's scores as a list give one output row as a list.
    row_output, row_weights = attention_from_scores(raw[0], V, d=K.shape[1])
    np.testing.assert_allclose(row_output, want_output[0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(row_weights, want_weights[0], rtol=1e-12, atol=1e-15)
    # Unscaled: the plain softmax of the dot products.
    _, plain = attention_from_scores(raw, V)
    np.testing.assert_allclose(plain, scipy_softmax(np.array(raw), axis=1), rtol=1e-12)


@pytest.mark.parametrize("seed", SEEDS[:30])
def test_adding_a_constant_to_a_row_changes_nothing(seed):
    rng = np.random.default_rng(seed)
    scores = rng.normal(scale=5, size=(int(rng.integers(1, 5)), int(rng.integers(1, 6))))
    shifts = rng.normal(scale=100, size=(scores.shape[0], 1))
    d = int(rng.integers(1, 65))
    np.testing.assert_allclose(
        attention_weights(scores + shifts, d), attention_weights(scores, d), rtol=1e-9, atol=1e-14
    )


@settings(max_examples=80, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        hnp.array_shapes(min_dims=2, max_dims=2, max_side=5),
        elements=st.floats(-1e3, 1e3),
    ),
    st.floats(1e-3, 1e4),
)
def test_rows_are_probability_distributions(scores, d):
    weights = attention_weights(scores, d)
    assert weights.shape == scores.shape
    assert np.all(weights >= 0) and np.all(np.isfinite(weights))
    np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(weights, scipy_softmax(scores / np.sqrt(d), axis=1), atol=1e-12)


def test_the_notes_example():
    # [10, 20, 30] with d = 100 is [1, 2, 3] after scaling.
    unscaled = attention_weights([10, 20, 30])
    scaled = attention_weights([10, 20, 30], d=100)
    np.testing.assert_allclose(unscaled, [2.06106005e-09, 4.53978686e-05, 9.99954600e-01], 1e-8)
    np.testing.assert_allclose(scaled, [0.09003057, 0.24472847, 0.66524096], rtol=1e-7)
    e = [math.exp(v) for v in (1, 2, 3)]
    np.testing.assert_allclose(scaled, [v / sum(e) for v in e], rtol=1e-12)


def test_a_hand_worked_example():
    # q·k = 2 and 0, d_k = 4, so the scaled scores are 1 and 0.
    Q, K, V = [[1, 1, 0, 0]], [[1, 1, 1, 1], [1, -1, 0, 0]], [[2, 0], [0, 4]]
    output, weights = scaled_dot_product_attention(Q, K, V)
    w = math.e / (math.e + 1)
    np.testing.assert_allclose(weights, [[w, 1 - w]], rtol=1e-12)
    np.testing.assert_allclose(output, [[2 * w, 4 * (1 - w)]], rtol=1e-12)


def test_one_query_as_a_vector():
    rng = np.random.default_rng(3)
    Q, K, V = rng.normal(size=3), rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    output, weights = scaled_dot_product_attention(Q, K, V)
    full_output, full_weights = scaled_dot_product_attention(Q[None, :], K, V)
    assert output.shape == (2,) and weights.shape == (4,)
    np.testing.assert_allclose(weights, full_weights[0])
    np.testing.assert_allclose(output, full_output[0])


def test_one_key_gets_all_the_weight():
    output, weights = scaled_dot_product_attention([[1.0, 2.0], [3.0, -1.0]], [[5.0, 5.0]], [[7.0]])
    np.testing.assert_array_equal(weights, [[1.0], [1.0]])
    np.testing.assert_allclose(output, [[7.0], [7.0]])


def test_equal_scores_give_uniform_weights():
    np.testing.assert_allclose(attention_weights([[2.0, 2.0, 2.0, 2.0]], d=3), [[0.25] * 4])


def test_the_mask_removes_keys():
    rng = np.random.default_rng(0)
    Q, K, V = rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    causal = np.tril(np.ones((3, 3), dtype=bool))
    output, weights = scaled_dot_product_attention(Q, K, V, mask=causal)
    want_output, want_weights = naive_attention(Q.tolist(), K.tolist(), V.tolist(), causal)
    np.testing.assert_allclose(weights, want_weights, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(output, want_output, rtol=1e-12)
    assert np.all(weights[~causal] == 0)
    # A mask of one row is broadcast over the queries.
    _, broadcast = scaled_dot_product_attention(Q, K, V, mask=[True, False, True])
    assert np.all(broadcast[:, 1] == 0)


def test_large_scores_do_not_overflow():
    with np.errstate(over="raise", invalid="raise"):
        weights = attention_weights([[1e4, 0.0, -1e4]])
    np.testing.assert_allclose(weights, [[1.0, 0.0, 0.0]])


def test_minus_infinity_scores_are_masked_keys():
    np.testing.assert_allclose(attention_weights([0.0, -np.inf, 0.0]), [0.5, 0.0, 0.5])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: attention_weights([1, 2], d=0), "d must be"),
        (lambda: attention_weights([1, 2], d=-4), "d must be"),
        (lambda: attention_weights([1, 2], d=True), "d must be"),
        (lambda: attention_weights([1, 2], d="x"), "d must be"),
        (lambda: attention_weights([1, np.nan]), "NaN"),
        (lambda: attention_weights([1, np.inf]), r"\+inf"),
        (lambda: attention_weights([-np.inf, -np.inf]), "finite entry"),
        (lambda: attention_weights([]), "non-empty"),
        (lambda: attention_weights([[[1.0]]]), "1-D or 2-D"),
        (lambda: attention_weights(["a", "b"]), "numbers"),
        (lambda: attention_scores([[1, 2]], [[1, 2, 3]]), "same dimension"),
        (lambda: scale_attention_scores([1, 2], 0), "d must be"),
        (lambda: scale_attention_scores([1, np.inf], 4), "finite"),
        (lambda: attention_from_scores([1, 2], [[1], [2], [3]], 4), "one row per key"),
        (lambda: attention_from_scores([1, 2], [[1], [np.nan]], 4), "finite"),
        (lambda: attention_scores([[1, 2]], [1, 2]), "2-D"),
        (lambda: scaled_dot_product_attention([[1, 2]], [[1, 2]], [[1], [2]]), "one row per key"),
        (lambda: scaled_dot_product_attention([[1, 2]], [[1, 2]], [[np.nan]]), "finite"),
        (lambda: scaled_dot_product_attention([[1]], [[1], [2]], [1, 2], mask=[1, 0]), "boolean"),
        (
            lambda: scaled_dot_product_attention([[1]], [[1], [2]], [1, 2], mask=[False] * 2),
            "no key",
        ),
        (lambda: scaled_dot_product_attention([[1]], [[1], [2]], [1, 2], mask=[True] * 3), "fit"),
    ],
)
def test_bad_input_raises(call, message):
    with pytest.raises(ValueError, match=message):
        call()
