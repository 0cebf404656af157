"""Losses, gradient descent and the normal equation, checked against numpy
formulas, finite differences and numpy.linalg.lstsq on seeded random data."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tutor.solutions.linear import (
    gradient_descent_step,
    mae,
    mse,
    mse_gradient,
    normal_equation,
)

SEEDS = range(50)


def _line_problem(seed):
    """A random slope, intercept and noisy 1-D data set."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 30))
    x = rng.normal(loc=rng.normal(), scale=2.0, size=n)
    y = 3.0 * rng.normal() * x + rng.normal() + rng.normal(size=n)
    return float(rng.normal(scale=3.0)), float(rng.normal(scale=3.0)), x, y


def _line_loss(w, b, x, y):
    return np.mean((b + w * x - y) ** 2)


def _fd_gradient(w, b, x, y, h=1e-4):
    """Central differences; exact up to rounding since the loss is quadratic."""
    dw = (_line_loss(w + h, b, x, y) - _line_loss(w - h, b, x, y)) / (2 * h)
    db = (_line_loss(w, b + h, x, y) - _line_loss(w, b - h, x, y)) / (2 * h)
    return dw, db


def _design(X):
    X = X[:, None] if X.ndim == 1 else X
    return np.column_stack([np.ones(len(X)), X])


def _regression_problem(seed):
    """Well-conditioned data: N in d+5..40 samples of d in 1..5 features."""
    rng = np.random.default_rng(seed)
    d = int(rng.integers(1, 6))
    N = int(rng.integers(d + 5, 41))
    X = rng.normal(size=(N, d)) + rng.normal(size=d)
    r = _design(X) @ rng.normal(size=d + 1) + 0.1 * rng.normal(size=N)
    return X, r


# --- mse and mae ---------------------------------------------------------------


paired_arrays = st.integers(1, 4).flatmap(
    lambda ndim: hnp.array_shapes(min_dims=ndim, max_dims=ndim, max_side=6).flatmap(
        lambda shape: st.tuples(
            *[hnp.arrays(np.float64, shape, elements=st.floats(-1e3, 1e3)) for _ in range(2)]
        )
    )
)


@settings(max_examples=100, deadline=None)
@given(paired_arrays)
def test_mse_and_mae_match_numpy_formulas(pair):
    y_true, y_pred = pair
    diff = (y_pred - y_true).ravel()
    assert mse(y_true, y_pred) == pytest.approx(np.sum(diff * diff) / diff.size, rel=1e-12)
    assert mae(y_true, y_pred) == pytest.approx(np.sum(np.abs(diff)) / diff.size, rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS[:10])
def test_mse_and_mae_are_symmetric_and_zero_on_equal_inputs(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(2, 7))
    assert mse(a, b) == mse(b, a) and mae(a, b) == mae(b, a)
    assert mse(a, a) == 0.0 and mae(a, a) == 0.0


def test_mse_and_mae_on_a_hand_example():
    assert mse([1, 2, 3], [2, 2, 5]) == pytest.approx((1 + 0 + 4) / 3)
    assert mae([1, 2, 3], [2, 2, 5]) == pytest.approx((1 + 0 + 2) / 3)


@pytest.mark.parametrize("func", [mse, mae])
@pytest.mark.parametrize("y_true, y_pred", [([1, 2], [1, 2, 3]), ([], []), ([[1, 2]], [1, 2])])
def test_losses_reject_mismatched_or_empty_inputs(func, y_true, y_pred):
    with pytest.raises(ValueError):
        func(y_true, y_pred)


# --- gradient and gradient descent ------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_mse_gradient_matches_finite_differences(seed):
    w, b, x, y = _line_problem(seed)
    np.testing.assert_allclose(mse_gradient(w, b, x, y), _fd_gradient(w, b, x, y), atol=1e-6)


def test_mse_gradient_has_the_factor_two():
    # One point x=1, y=0 at w=b=1: residual 2, so dL/dw = dL/db = 2 * 2 = 4.
    assert mse_gradient(1.0, 1.0, [1.0], [0.0]) == pytest.approx((4.0, 4.0))


def test_mse_gradient_rejects_mismatched_lengths():
    with pytest.raises(ValueError):
        mse_gradient(1.0, 0.0, [1.0, 2.0], [1.0])


@pytest.mark.parametrize("seed", SEEDS)
def test_gradient_descent_step_moves_against_the_gradient(seed):
    w, b, x, y = _line_problem(seed)
    lr = float(np.random.default_rng(seed).uniform(1e-3, 0.5))
    gw, gb = _fd_gradient(w, b, x, y)
    np.testing.assert_allclose(
        gradient_descent_step(w, b, x, y, lr), (w - lr * gw, b - lr * gb), atol=1e-6
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_gradient_descent_step_with_small_rate_decreases_the_loss(seed):
    w, b, x, y = _line_problem(seed)
    # The Hessian's largest eigenvalue is at most 2 (1 + mean x^2): this rate is below 1/L.
    lr = 0.5 / (1.0 + np.mean(x**2))
    new_w, new_b = gradient_descent_step(w, b, x, y, lr)
    assert _line_loss(new_w, new_b, x, y) < _line_loss(w, b, x, y)


@pytest.mark.parametrize("seed", SEEDS[:10])
def test_gradient_descent_converges_to_the_least_squares_line(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=20)
    y = 2.0 * x - 1.0 + rng.normal(size=20)
    w, b = 0.0, 0.0
    for _ in range(500):
        w, b = gradient_descent_step(w, b, x, y, lr=0.2)
    slope, intercept = np.polyfit(x, y, 1)
    np.testing.assert_allclose((w, b), (slope, intercept), atol=1e-8)


@pytest.mark.parametrize("lr", [0.0, -0.1, float("nan")])
def test_gradient_descent_step_rejects_non_positive_rate(lr):
    with pytest.raises(ValueError):
        gradient_descent_step(0.0, 0.0, [1.0, 2.0], [1.0, 3.0], lr)


# --- normal equation ---------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_normal_equation_matches_lstsq(seed):
    X, r = _regression_problem(seed)
    expected, *_ = np.linalg.lstsq(_design(X), r, rcond=None)
    w = normal_equation(X, r)
    assert w.shape == (X.shape[1] + 1,)
    np.testing.assert_allclose(w, expected, rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("seed", SEEDS)
def test_ridge_matches_lstsq_of_the_augmented_system(seed):
    X, r = _regression_problem(seed)
    ridge = float(np.random.default_rng(seed).uniform(0.01, 50.0))
    A = _design(X)
    # min ||A w - r||^2 + ridge ||w||^2  ==  min ||[A; sqrt(ridge) I] w - [r; 0]||^2
    augmented = np.vstack([A, np.sqrt(ridge) * np.eye(A.shape[1])])
    targets = np.concatenate([r, np.zeros(A.shape[1])])
    expected, *_ = np.linalg.lstsq(augmented, targets, rcond=None)
    np.testing.assert_allclose(normal_equation(X, r, ridge=ridge), expected, rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("seed", SEEDS)
def test_ridge_solution_zeroes_the_objective_gradient(seed):
    X, r = _regression_problem(seed)
    ridge = float(np.random.default_rng(seed).uniform(0.0, 50.0))
    A = _design(X)
    w = normal_equation(X, r, ridge=ridge)
    gradient = 2 * A.T @ (A @ w - r) + 2 * ridge * w
    scale = np.abs(A.T @ r).max() + 1.0
    np.testing.assert_allclose(gradient, 0.0, atol=1e-9 * scale)


def test_ridge_shrinks_the_bias_too():
    # With an all-zero feature, w0 solves (N + ridge) w0 = sum(r): not the mean of r.
    r = np.array([1.0, 2.0, 6.0])
    w = normal_equation(np.zeros(3), r, ridge=1.0)
    np.testing.assert_allclose(w, [9.0 / 4.0, 0.0], atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS[:10])
def test_normal_equation_recovers_exact_weights(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(12, 3))
    weights = rng.normal(size=4)
    np.testing.assert_allclose(normal_equation(X, _design(X) @ weights), weights, atol=1e-10)


@pytest.mark.parametrize("seed", SEEDS[:10])
def test_normal_equation_treats_1d_input_as_one_feature(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=15)
    r = 1.5 * x - 0.5 + rng.normal(size=15)
    w = normal_equation(x, r)
    np.testing.assert_allclose(w, normal_equation(x[:, None], r), rtol=1e-12)
    np.testing.assert_allclose(w, np.polyfit(x, r, 1)[::-1], rtol=1e-9, atol=1e-12)


def test_normal_equation_raises_with_fewer_samples_than_parameters():
    X = np.random.default_rng(0).normal(size=(3, 4))  # 5 parameters, 3 samples
    with pytest.raises(ValueError):
        normal_equation(X, np.ones(3))


def test_normal_equation_raises_on_collinear_columns_without_ridge():
    x = np.random.default_rng(0).normal(size=10)
    X = np.column_stack([x, 2 * x])
    r = x + 1.0
    with pytest.raises(ValueError):
        normal_equation(X, r)
    assert np.all(np.isfinite(normal_equation(X, r, ridge=0.1)))


def test_normal_equation_rejects_negative_ridge():
    X, r = _regression_problem(0)
    with pytest.raises(ValueError):
        normal_equation(X, r, ridge=-0.1)


@pytest.mark.parametrize("r_shape", [(9,), (10, 1), ()])
def test_normal_equation_rejects_mismatched_targets(r_shape):
    X = np.random.default_rng(0).normal(size=(10, 2))
    with pytest.raises(ValueError):
        normal_equation(X, np.ones(r_shape))
