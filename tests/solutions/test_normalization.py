"""Batch normalisation checked against per-feature statistics computed by
hand in loops (and numpy's var with ddof=0), central finite differences for
the backward pass, and the defining property: the output of every feature
has mean β and standard deviation ≈ |γ|."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tutor.solutions.normalization import batch_norm, batch_norm_backward

SEEDS = range(40)


def random_batch(seed):
    rng = np.random.default_rng(seed)
    m, d = int(rng.integers(2, 9)), int(rng.integers(1, 5))
    X = rng.normal(loc=rng.normal(scale=3, size=d), scale=rng.uniform(0.2, 4, size=d), size=(m, d))
    gamma = rng.uniform(0.3, 3, size=d) * rng.choice([-1, 1], size=d)
    beta = rng.normal(size=d)
    return X, gamma, beta, float(rng.choice([0.0, 1e-5, 0.01, 0.5]))


def loop_batch_norm(X, gamma, beta, eps):
    m, d = len(X), len(X[0])
    Y = [[0.0] * d for _ in range(m)]
    x_hat = [[0.0] * d for _ in range(m)]
    means, variances = [], []
    for j in range(d):
        column = [X[i][j] for i in range(m)]
        mean = sum(column) / m
        var = sum((v - mean) ** 2 for v in column) / m
        means.append(mean)
        variances.append(var)
        for i in range(m):
            x_hat[i][j] = (column[i] - mean) / math.sqrt(var + eps)
            Y[i][j] = gamma[j] * x_hat[i][j] + beta[j]
    return Y, x_hat, means, variances


@pytest.mark.parametrize("seed", SEEDS)
def test_forward_matches_loops_and_numpy(seed):
    X, gamma, beta, eps = random_batch(seed)
    Y, x_hat, mean, var = batch_norm(X, gamma, beta, eps)
    want = loop_batch_norm(X.tolist(), gamma.tolist(), beta.tolist(), eps)
    for got, expected in zip((Y, x_hat, mean, var), want):
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(var, np.var(X, axis=0, ddof=0), rtol=1e-10)
    assert Y.shape == x_hat.shape == X.shape and mean.shape == var.shape == (X.shape[1],)


@pytest.mark.parametrize("seed", SEEDS)
def test_output_has_mean_beta_and_std_gamma(seed):
    X, gamma, beta, _ = random_batch(seed)
    Y, x_hat, _, var = batch_norm(X, gamma, beta, eps=1e-12)
    np.testing.assert_allclose(Y.mean(axis=0), beta, atol=1e-9)
    np.testing.assert_allclose(Y.std(axis=0), np.abs(gamma), rtol=1e-6)
    np.testing.assert_allclose(x_hat.std(axis=0), 1.0, rtol=1e-6)
    # With a visible ε the spread shrinks by √(σ² / (σ² + ε)).
    Y, _, _, _ = batch_norm(X, gamma, beta, eps=0.5)
    np.testing.assert_allclose(Y.std(axis=0), np.abs(gamma) * np.sqrt(var / (var + 0.5)))


def central_difference(f, p, h=1e-6):
    grad = np.zeros_like(p)
    for idx in np.ndindex(p.shape):
        step = np.zeros_like(p)
        step[idx] = h
        grad[idx] = (f(p + step) - f(p - step)) / (2 * h)
    return grad


@pytest.mark.parametrize("seed", SEEDS)
def test_backward_matches_finite_differences(seed):
    X, gamma, beta, eps = random_batch(seed)
    eps = max(eps, 1e-3)  # keep the loss smooth enough for differences
    dY = np.random.default_rng(seed + 1000).normal(size=X.shape)

    def loss(X=X, gamma=gamma, beta=beta):
        return float(np.sum(dY * batch_norm(X, gamma, beta, eps)[0]))

    dX, dgamma, dbeta = batch_norm_backward(dY, X, gamma, eps)
    np.testing.assert_allclose(dX, central_difference(lambda p: loss(X=p), X), atol=1e-6)
    np.testing.assert_allclose(
        dgamma, central_difference(lambda p: loss(gamma=p), gamma), atol=1e-6
    )
    np.testing.assert_allclose(dbeta, central_difference(lambda p: loss(beta=p), beta), atol=1e-6)
    # Shifting a whole feature does not change the output: its gradient sums to 0.
    np.testing.assert_allclose(dX.sum(axis=0), 0.0, atol=1e-9)


@settings(max_examples=50, deadline=None)
@given(
    hnp.arrays(
        np.float64, st.tuples(st.integers(2, 6), st.integers(1, 3)), elements=st.floats(-50, 50)
    ),
    st.floats(0.1, 10),
    st.floats(-20, 20),
)
def test_normalised_values_ignore_scale_and_shift_of_the_input(X, scale, shift):
    if np.any(np.ptp(X, axis=0) < 1e-3):
        return
    _, x_hat, _, _ = batch_norm(X, 1.0, 0.0, eps=0.0)
    _, moved, _, _ = batch_norm(scale * X + shift, 1.0, 0.0, eps=0.0)
    np.testing.assert_allclose(moved, x_hat, atol=1e-6)


def test_one_sample_normalises_to_zero():
    Y, x_hat, mean, var = batch_norm([[3.0, -1.0]], [2.0, 2.0], [0.5, -0.5], eps=1e-5)
    np.testing.assert_array_equal(x_hat, [[0.0, 0.0]])
    np.testing.assert_array_equal(Y, [[0.5, -0.5]])
    np.testing.assert_array_equal(var, [0.0, 0.0])
    dX, _, _ = batch_norm_backward([[1.0, 1.0]], [[3.0, -1.0]], 2.0, eps=1e-5)
    np.testing.assert_allclose(dX, [[0.0, 0.0]])


def test_constant_feature_with_eps():
    Y, x_hat, _, _ = batch_norm([[1.0], [1.0], [1.0]], 2.0, 3.0, eps=0.01)
    np.testing.assert_array_equal(x_hat, np.zeros((3, 1)))
    np.testing.assert_array_equal(Y, np.full((3, 1), 3.0))


def test_scalar_gamma_and_beta_apply_to_every_feature():
    X = np.array([[1.0, 10.0], [3.0, 30.0]])
    Y, _, _, _ = batch_norm(X, 2.0, -1.0, eps=0.0)
    np.testing.assert_allclose(Y, [[-3.0, -3.0], [1.0, 1.0]])


def test_variance_is_the_biased_one():
    # Deviations −1, 0, 1: Σ = 2, so σ² = 2/3 (not 1 as with m − 1).
    _, x_hat, mean, var = batch_norm([[1.0], [2.0], [3.0]], 1.0, 0.0, eps=0.0)
    assert mean.tolist() == [2.0]
    assert var[0] == pytest.approx(2 / 3)
    np.testing.assert_allclose(x_hat[:, 0], [-math.sqrt(1.5), 0.0, math.sqrt(1.5)])


@pytest.mark.parametrize(
    ("X", "gamma", "beta", "eps", "message"),
    [
        ([1.0, 2.0], 1.0, 0.0, 0.0, "X must"),
        (np.zeros((0, 2)), 1.0, 0.0, 0.0, "X must"),
        ([[1.0, 2.0], [3.0, 4.0]], [1.0, 2.0, 3.0], 0.0, 0.0, "gamma"),
        ([[1.0, 2.0], [3.0, 4.0]], 1.0, [0.0], 0.0, "beta"),
        ([[1.0, 2.0], [3.0, np.nan]], 1.0, 0.0, 0.0, "finite"),
        ([[1.0, 2.0], [3.0, 4.0]], [1.0, np.inf], 0.0, 0.0, "gamma"),
        ([[1.0, 2.0], [3.0, 4.0]], 1.0, 0.0, -1e-5, "eps"),
        ([[1.0, 2.0], [1.0, 4.0]], 1.0, 0.0, 0.0, "constant"),
    ],
)
def test_bad_inputs_raise(X, gamma, beta, eps, message):
    with pytest.raises(ValueError, match=message):
        batch_norm(X, gamma, beta, eps)


def test_backward_bad_inputs_raise():
    X = np.array([[1.0, 2.0], [3.0, 5.0]])
    with pytest.raises(ValueError, match="dY"):
        batch_norm_backward(np.ones((2, 3)), X, 1.0)
    with pytest.raises(ValueError, match="dY"):
        batch_norm_backward([[1.0, np.nan], [0.0, 0.0]], X, 1.0)
    with pytest.raises(ValueError, match="gamma"):
        batch_norm_backward(np.ones((2, 2)), X, [1.0, 2.0, 3.0])
