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
    mae_gradient,
    mae_prediction_gradient,
    mse,
    mse_gradient,
    mse_prediction_gradient,
    normal_equation,
    normal_equation_system,
    ridge_normal_equation,
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


# --- gradients with respect to the predictions, MAE gradient, ridge system ---------


def _away_from_kinks(rng, shape, gap=0.05):
    """Labels and predictions whose differences are all at least ``gap`` from 0."""
    y_true = rng.normal(scale=3.0, size=shape)
    diff = rng.uniform(gap, 4.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)
    return y_true, y_true + diff


def _fd_prediction_gradient(loss, y_true, y_pred, h=1e-6):
    grad = np.zeros_like(y_pred)
    for index in np.ndindex(y_pred.shape):
        up, down = y_pred.copy(), y_pred.copy()
        up[index] += h
        down[index] -= h
        grad[index] = (loss(y_true, up) - loss(y_true, down)) / (2 * h)
    return grad


@pytest.mark.parametrize("seed", SEEDS)
def test_prediction_gradients_match_finite_differences(seed):
    rng = np.random.default_rng(seed)
    shape = tuple(int(s) for s in rng.integers(1, 5, size=int(rng.integers(1, 3))))
    y_true, y_pred = _away_from_kinks(rng, shape)
    mse_loss = lambda t, p: np.mean((p - t) ** 2)  # noqa: E731
    mae_loss = lambda t, p: np.mean(np.abs(p - t))  # noqa: E731
    got = mse_prediction_gradient(y_true, y_pred)
    assert got.shape == shape
    np.testing.assert_allclose(got, _fd_prediction_gradient(mse_loss, y_true, y_pred), atol=1e-6)
    got = mae_prediction_gradient(y_true, y_pred)
    assert got.shape == shape
    np.testing.assert_allclose(got, _fd_prediction_gradient(mae_loss, y_true, y_pred), atol=1e-6)


def test_prediction_gradients_on_a_hand_example():
    # e = ŷ − y = (1, 0, 2): MSE gradient 2e/3, MAE gradient sign(e)/3 with sign(0) = 0.
    y_true, y_pred = [1, 2, 3], [2, 2, 5]
    np.testing.assert_allclose(mse_prediction_gradient(y_true, y_pred), [2 / 3, 0, 4 / 3])
    np.testing.assert_allclose(mae_prediction_gradient(y_true, y_pred), [1 / 3, 0, 1 / 3])
    np.testing.assert_allclose(mae_prediction_gradient([0, 0], [-5, 0.1]), [-0.5, 0.5])


@pytest.mark.parametrize("seed", SEEDS[:10])
def test_mae_prediction_gradient_is_zero_where_prediction_is_exact(seed):
    rng = np.random.default_rng(seed)
    y_true, y_pred = _away_from_kinks(rng, (8,))
    exact = rng.random(8) < 0.5
    y_pred[exact] = y_true[exact]
    grad = mae_prediction_gradient(y_true, y_pred)
    assert np.all(grad[exact] == 0.0)
    assert np.all(np.abs(grad[~exact]) == 1 / 8)


@pytest.mark.parametrize(
    "func", [mse_prediction_gradient, mae_prediction_gradient], ids=["mse", "mae"]
)
@pytest.mark.parametrize(
    "y_true, y_pred",
    [([1, 2], [1, 2, 3]), ([], []), ([[1, 2]], [1, 2]), ([1, np.nan], [1, 2]), ([1], [np.inf])],
)
def test_prediction_gradients_reject_bad_inputs(func, y_true, y_pred):
    with pytest.raises(ValueError):
        func(y_true, y_pred)


def _mae_line_loss(w, b, x, y):
    return np.mean(np.abs(b + w * x - y))


def _mae_gradient_loop(w, b, x, y):
    """The subgradient summed point by point, sign(0) = 0 written out."""
    gw = gb = 0.0
    for xn, yn in zip(x, y):
        e = b + w * xn - yn
        s = 1.0 if e > 0 else -1.0 if e < 0 else 0.0
        gw += s * xn
        gb += s
    return gw / len(x), gb / len(x)


@pytest.mark.parametrize("seed", SEEDS)
def test_mae_gradient_matches_finite_differences_away_from_kinks(seed):
    w, b, x, y = _line_problem(seed)
    residual = b + w * x - y
    # Push every point at least 0.05 off the line, so that ±h never crosses a kink.
    y = y - np.where(np.abs(residual) < 0.05, 0.1 * np.sign(residual + 1e-12), 0.0)
    h = 1e-7
    dw = (_mae_line_loss(w + h, b, x, y) - _mae_line_loss(w - h, b, x, y)) / (2 * h)
    db = (_mae_line_loss(w, b + h, x, y) - _mae_line_loss(w, b - h, x, y)) / (2 * h)
    np.testing.assert_allclose(mae_gradient(w, b, x, y), (dw, db), atol=1e-6)
    np.testing.assert_allclose(mae_gradient(w, b, x, y), _mae_gradient_loop(w, b, x, y))


@pytest.mark.parametrize("seed", SEEDS[:20])
def test_mae_gradient_is_a_subgradient_at_kinks(seed):
    rng = np.random.default_rng(seed)
    x = rng.integers(-4, 5, size=6).astype(float)
    w, b = float(rng.integers(-3, 4)), float(rng.integers(-3, 4))
    y = b + w * x + rng.integers(-2, 3, size=6)  # some residuals are exactly 0
    gw, gb = mae_gradient(w, b, x, y)
    assert (gw, gb) == pytest.approx(_mae_gradient_loop(w, b, x, y))
    # Convexity: L(θ + Δ) ≥ L(θ) + g·Δ for every Δ when g is a subgradient.
    for dw, db in rng.normal(size=(50, 2)):
        assert _mae_line_loss(w + dw, b + db, x, y) >= (
            _mae_line_loss(w, b, x, y) + gw * dw + gb * db - 1e-12
        )


def test_mae_gradient_on_a_hand_example():
    # ŷ = 1 + 2x at x = (0, 1, 2): (1, 3, 5) against y = (2, 3, 4): signs (−1, 0, +1).
    assert mae_gradient(2.0, 1.0, [0.0, 1.0, 2.0], [2.0, 3.0, 4.0]) == pytest.approx(
        ((0 + 0 + 2) / 3, (-1 + 0 + 1) / 3)
    )


@pytest.mark.parametrize(
    "w, b, x, y",
    [
        (1.0, 0.0, [1.0, 2.0], [1.0]),
        (1.0, 0.0, [], []),
        (1.0, 0.0, [[1.0, 2.0]], [[1.0, 2.0]]),
        (1.0, 0.0, [1.0, np.nan], [1.0, 2.0]),
        (np.inf, 0.0, [1.0], [1.0]),
    ],
)
def test_mae_gradient_rejects_bad_inputs(w, b, x, y):
    with pytest.raises(ValueError):
        mae_gradient(w, b, x, y)


def _system_loop(X, r, ridge, penalize_bias):
    """XᵀX + λD and Xᵀr as sums over the samples, the ones column written out."""
    X = X[:, None] if X.ndim == 1 else X
    p = X.shape[1] + 1
    gram, moment = np.zeros((p, p)), np.zeros(p)
    for row, target in zip(X, r):
        xn = [1.0, *row]
        for i in range(p):
            moment[i] += xn[i] * target
            for j in range(p):
                gram[i, j] += xn[i] * xn[j]
    for i in range(p):
        gram[i, i] += ridge if (i > 0 or penalize_bias) else 0.0
    return gram, moment


@pytest.mark.parametrize("seed", SEEDS)
def test_normal_equation_system_matches_a_loop(seed):
    X, r = _regression_problem(seed)
    ridge = float(np.random.default_rng(seed).choice([0.0, 0.5, 3.0]))
    for penalize_bias in (True, False):
        gram, moment = normal_equation_system(X, r, ridge, penalize_bias)
        expected_gram, expected_moment = _system_loop(X, r, ridge, penalize_bias)
        np.testing.assert_allclose(gram, expected_gram, rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(moment, expected_moment, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_ridge_normal_equation_with_penalized_bias_is_normal_equation(seed):
    X, r = _regression_problem(seed)
    ridge = float(np.random.default_rng(seed).uniform(0.0, 20.0))
    np.testing.assert_allclose(
        ridge_normal_equation(X, r, ridge), normal_equation(X, r, ridge=ridge), rtol=1e-10
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_ridge_with_a_free_bias_matches_lstsq_of_the_augmented_system(seed):
    X, r = _regression_problem(seed)
    ridge = float(np.random.default_rng(seed).uniform(0.01, 50.0))
    A = _design(X)
    penalty = np.sqrt(ridge) * np.eye(A.shape[1])[1:]  # no row for the bias
    augmented = np.vstack([A, penalty])
    targets = np.concatenate([r, np.zeros(len(penalty))])
    expected, *_ = np.linalg.lstsq(augmented, targets, rcond=None)
    w = ridge_normal_equation(X, r, ridge, penalize_bias=False)
    np.testing.assert_allclose(w, expected, rtol=1e-8, atol=1e-8)
    # A free bias makes the residuals average to zero.
    assert np.mean(r - A @ w) == pytest.approx(0.0, abs=1e-9 * (1 + np.abs(r).max()))


def test_ridge_normal_equation_free_bias_on_a_hand_example():
    # x = (0, 1, 2), r = (1, 3, 5) lies on r = 1 + 2x. With a free bias and λ = 1:
    # centred x = (−1, 0, 1), Σx̃² = 2, Σx̃r = 4: w1 = 4 / (2 + 1) = 4/3, w0 = 3 − 4/3.
    w = ridge_normal_equation([0.0, 1.0, 2.0], [1.0, 3.0, 5.0], 1.0, penalize_bias=False)
    np.testing.assert_allclose(w, [3 - 4 / 3, 4 / 3])
    np.testing.assert_allclose(ridge_normal_equation([0.0, 1.0, 2.0], [1.0, 3.0, 5.0]), [1, 2])


@pytest.mark.parametrize(
    "X, r, ridge",
    [
        (np.ones((3, 2)), np.ones(2), 0.0),
        (np.ones((0, 1)), np.ones(0), 0.0),
        (np.ones((3, 1)), np.ones(3), -1.0),
        (np.array([[1.0], [np.nan], [2.0]]), np.ones(3), 0.0),
        (np.ones((3, 1)), np.array([1.0, np.inf, 2.0]), 0.0),
    ],
)
def test_normal_equation_system_rejects_bad_inputs(X, r, ridge):
    with pytest.raises(ValueError):
        normal_equation_system(X, r, ridge)
    with pytest.raises(ValueError):
        ridge_normal_equation(X, r, ridge)


def test_ridge_normal_equation_free_bias_is_singular_without_spread():
    # All x equal: the bias and the slope cannot be told apart without a penalty,
    # and with a free bias the penalty on the slope alone is enough.
    x, r = np.full(4, 2.0), np.array([1.0, 2.0, 3.0, 4.0])
    with pytest.raises(ValueError):
        ridge_normal_equation(x, r)
    assert np.all(np.isfinite(ridge_normal_equation(x, r, 0.5, penalize_bias=False)))
