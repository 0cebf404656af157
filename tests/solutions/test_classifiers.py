"""Softmax cross-entropy, logistic regression and the SVM's hinge loss, checked
against scipy.special, naive loops, finite differences and closed forms on
seeded random data."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.special import expit, log_softmax, xlogy
from scipy.special import softmax as scipy_softmax

from tutor.solutions.classifiers import (
    hinge_loss,
    hinge_subgradient,
    logistic_regression_gradient,
    logistic_regression_loss,
    logistic_regression_probabilities,
    logistic_regression_step,
    softmax_cross_entropy,
    softmax_cross_entropy_grad,
    svm_functional_margins,
    svm_margin,
    svm_subgradient_step,
)
from tutor.solutions.training import logistic_gradient, logistic_loss

SEEDS = range(40)


def central_difference(f, x, h=1e-6):
    """∂f/∂x for every entry of the array x, by central differences."""
    x = np.asarray(x, dtype=float)
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = h
        grad[index] = (f(x + step) - f(x - step)) / (2 * h)
    return grad


# --- softmax cross-entropy --------------------------------------------------------


def _batch(seed):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(1, 8)), int(rng.integers(2, 7))
    logits = rng.normal(scale=3.0, size=(n, k))
    return logits, rng.integers(0, k, size=n)


@pytest.mark.parametrize("seed", SEEDS)
def test_cross_entropy_matches_scipy_log_softmax(seed):
    logits, labels = _batch(seed)
    expected = -np.mean(log_softmax(logits, axis=1)[np.arange(len(labels)), labels])
    assert softmax_cross_entropy(logits, labels) == pytest.approx(expected, rel=1e-12)
    for row, label in zip(logits, labels):
        one_hot = np.eye(logits.shape[1])[label]
        naive = -sum(r * math.log(y) for r, y in zip(one_hot, scipy_softmax(row)) if r)
        assert softmax_cross_entropy(row, int(label)) == pytest.approx(naive, rel=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
def test_cross_entropy_gradient_is_softmax_minus_one_hot_and_matches_differences(seed):
    logits, labels = _batch(seed)
    n, k = logits.shape
    grad = softmax_cross_entropy_grad(logits, labels)
    assert grad.shape == logits.shape
    np.testing.assert_allclose(grad, (scipy_softmax(logits, axis=1) - np.eye(k)[labels]) / n)
    numeric = central_difference(lambda z: softmax_cross_entropy(z, labels), logits)
    np.testing.assert_allclose(grad, numeric, atol=1e-7)
    single = softmax_cross_entropy_grad(logits[0], int(labels[0]))
    assert single.shape == (k,)
    np.testing.assert_allclose(
        single,
        central_difference(lambda z: softmax_cross_entropy(z, int(labels[0])), logits[0]),
        atol=1e-7,
    )
    np.testing.assert_allclose(grad.sum(axis=1), 0.0, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(np.float64, st.integers(2, 6), elements=st.floats(-1e3, 1e3)),
    st.integers(0, 5),
)
def test_cross_entropy_is_stable_for_large_logits(logits, label):
    label %= logits.size
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        loss = softmax_cross_entropy(logits, label)
        grad = softmax_cross_entropy_grad(logits, label)
    assert loss >= -1e-12 and math.isfinite(loss)
    expected = -log_softmax(logits)[label]
    assert loss == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert np.all(np.isfinite(grad))


def test_cross_entropy_on_the_notes_examples():
    # The notes' −ln 0.9 and −ln 0.8: logits whose softmax is (0.9, 0.1) and (0.1, 0.8, 0.1).
    assert softmax_cross_entropy(np.log([0.9, 0.1]), 0) == pytest.approx(-math.log(0.9))
    assert softmax_cross_entropy(np.log([0.1, 0.8, 0.1]), 1) == pytest.approx(-math.log(0.8))
    # Equal logits: y = 1/K, so L = ln K and the gradient is 1/K − r.
    assert softmax_cross_entropy([2.0, 2.0, 2.0, 2.0], 3) == pytest.approx(math.log(4))
    np.testing.assert_allclose(
        softmax_cross_entropy_grad([2.0, 2.0, 2.0, 2.0], 3), [0.25, 0.25, 0.25, -0.75]
    )
    # Shifting every logit by a constant changes nothing.
    assert softmax_cross_entropy([1.0, 2.0, 3.0], 0) == pytest.approx(
        softmax_cross_entropy([101.0, 102.0, 103.0], 0)
    )


def test_cross_entropy_accepts_integral_float_labels_and_one_sample_batches():
    assert softmax_cross_entropy([[1.0, 2.0]], [1.0]) == pytest.approx(
        softmax_cross_entropy([1.0, 2.0], 1)
    )
    np.testing.assert_allclose(
        softmax_cross_entropy_grad([[1.0, 2.0]], np.array([1])),
        [softmax_cross_entropy_grad([1.0, 2.0], 1)],
    )


@pytest.mark.parametrize(
    ("logits", "labels"),
    [
        ([1.0, 2.0, 3.0], 3),
        ([1.0, 2.0, 3.0], -1),
        ([1.0, 2.0, 3.0], [0]),
        ([1.0, 2.0, 3.0], 0.5),
        ([1.0, 2.0, 3.0], True),
        ([[1.0, 2.0], [3.0, 4.0]], [0]),
        ([[1.0, 2.0], [3.0, 4.0]], 0),
        ([[[1.0]]], [0]),
        ([], 0),
        ([1.0, np.nan], 0),
        ([1.0, np.inf], 0),
        ("abc", 0),
    ],
)
def test_cross_entropy_rejects_bad_inputs(logits, labels):
    for func in (softmax_cross_entropy, softmax_cross_entropy_grad):
        with pytest.raises(ValueError):
            func(logits, labels)


# --- logistic regression ----------------------------------------------------------


def _logistic_problem(seed):
    rng = np.random.default_rng(seed)
    n, d = int(rng.integers(1, 9)), int(rng.integers(1, 4))
    X = rng.normal(scale=2.0, size=(n, d))
    return rng.normal(size=d), float(rng.normal()), X, rng.integers(0, 2, size=n).astype(float)


def _naive_logistic_loss(w, w0, X, r):
    total = 0.0
    for x, label in zip(X, r):
        y = 1.0 / (1.0 + math.exp(-(sum(wj * xj for wj, xj in zip(w, x)) + w0)))
        total -= xlogy(label, y) + xlogy(1 - label, 1 - y)
    return total


@pytest.mark.parametrize("seed", SEEDS)
def test_logistic_loss_matches_a_naive_loop_and_training_mean(seed):
    w, w0, X, r = _logistic_problem(seed)
    total = _naive_logistic_loss(w, w0, X, r)
    assert logistic_regression_loss(w, w0, X, r) == pytest.approx(total, rel=1e-10)
    assert logistic_regression_loss(w, w0, X, r, "mean") == pytest.approx(total / len(r), rel=1e-10)
    assert logistic_regression_loss(w, w0, X, r, "mean") == pytest.approx(
        logistic_loss(w, w0, X, r), rel=1e-12
    )
    np.testing.assert_allclose(logistic_regression_probabilities(w, w0, X), expit(X @ w + w0))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_logistic_gradient_matches_finite_differences(seed, reduction):
    w, w0, X, r = _logistic_problem(seed)
    g_w, g_w0 = logistic_regression_gradient(w, w0, X, r, reduction)
    num_w = central_difference(lambda v: logistic_regression_loss(v, w0, X, r, reduction), w)
    num_w0 = central_difference(
        lambda b: logistic_regression_loss(w, float(b[0]), X, r, reduction), [w0]
    )[0]
    np.testing.assert_allclose(g_w, num_w, atol=1e-6)
    assert g_w0 == pytest.approx(num_w0, abs=1e-6)
    if reduction == "mean":
        ref_w, ref_w0 = logistic_gradient(w, w0, X, r)
        np.testing.assert_allclose(g_w, ref_w, rtol=1e-12, atol=1e-15)
        assert g_w0 == pytest.approx(ref_w0, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("seed", SEEDS[:20])
def test_logistic_step_descends_against_the_gradient(seed):
    w, w0, X, r = _logistic_problem(seed)
    lr = 0.01
    w_next, w0_next = logistic_regression_step(w, w0, X, r, lr)
    num_w = central_difference(lambda v: logistic_regression_loss(v, w0, X, r), w)
    num_w0 = central_difference(lambda b: logistic_regression_loss(w, float(b[0]), X, r), [w0])[0]
    np.testing.assert_allclose(w_next, w - lr * num_w, atol=1e-8)
    assert w0_next == pytest.approx(w0 - lr * num_w0, abs=1e-8)
    assert logistic_regression_loss(w_next, w0_next, X, r) <= logistic_regression_loss(w, w0, X, r)


def test_logistic_regression_on_a_hand_example():
    # Two samples x = 1 (r = 1) and x = -1 (r = 0) with w = ln 3, w0 = 0: y = 3/4 and 1/4,
    # L = −ln(3/4) − ln(1 − 1/4) = 2 ln(4/3), ∂L/∂w = (3/4 − 1)·1 + (1/4 − 0)·(−1) = −1/2.
    X, r = [[1.0], [-1.0]], [1, 0]
    w = [math.log(3)]
    np.testing.assert_allclose(logistic_regression_probabilities(w, 0.0, X), [0.75, 0.25])
    assert logistic_regression_loss(w, 0.0, X, r) == pytest.approx(2 * math.log(4 / 3))
    g_w, g_w0 = logistic_regression_gradient(w, 0.0, X, r)
    np.testing.assert_allclose(g_w, [-0.5])
    assert g_w0 == pytest.approx(0.0, abs=1e-15)
    w_next, w0_next = logistic_regression_step(w, 0.0, X, r, 0.2)
    np.testing.assert_allclose(w_next, [math.log(3) + 0.1])
    assert w0_next == pytest.approx(0.0, abs=1e-15)


def test_logistic_loss_is_stable_for_large_scores():
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        loss = logistic_regression_loss([1000.0], 0.0, [[1.0], [-1.0]], [0, 1])
    assert loss == pytest.approx(2000.0)


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        (([1.0], 0.0, [[1.0]], [2.0]), {}),
        (([1.0], 0.0, [[1.0]], [-1.0]), {}),
        (([1.0], 0.0, [[1.0]], [1.0, 0.0]), {}),
        (([1.0, 2.0], 0.0, [[1.0]], [1.0]), {}),
        (([1.0], 0.0, [1.0], [1.0]), {}),
        (([1.0], 0.0, np.zeros((0, 1)), []), {}),
        (([1.0], np.nan, [[1.0]], [1.0]), {}),
        (([1.0], 0.0, [[np.inf]], [1.0]), {}),
        (([1.0], "a", [[1.0]], [1.0]), {}),
        (([1.0], 0.0, [[1.0]], [1.0]), {"reduction": "max"}),
    ],
)
def test_logistic_functions_reject_bad_inputs(args, kwargs):
    with pytest.raises(ValueError):
        logistic_regression_loss(*args, **kwargs)
    with pytest.raises(ValueError):
        logistic_regression_gradient(*args, **kwargs)
    with pytest.raises(ValueError):
        logistic_regression_step(*args, 0.1, **kwargs)


@pytest.mark.parametrize("lr", [0.0, -0.1, np.inf, np.nan])
def test_logistic_step_rejects_bad_learning_rates(lr):
    with pytest.raises(ValueError):
        logistic_regression_step([1.0], 0.0, [[1.0]], [1.0], lr)


# --- SVM ------------------------------------------------------------------------------


def _svm_problem(seed):
    """Random data whose products r·f(x) stay at least 1e-3 from the kink at 1."""
    rng = np.random.default_rng(seed)
    while True:
        n, d = int(rng.integers(1, 9)), int(rng.integers(1, 4))
        X = rng.normal(scale=2.0, size=(n, d))
        r = rng.choice([-1.0, 1.0], size=n)
        w, w0 = rng.normal(size=d), float(rng.normal())
        if np.all(np.abs(r * (X @ w + w0) - 1) > 1e-3):
            return w, w0, X, r, float(rng.uniform(0, 2))


def _naive_hinge(w, w0, X, r, lam):
    total = 0.0
    for x, label in zip(X, r):
        total += max(0.0, 1.0 - label * (sum(wj * xj for wj, xj in zip(w, x)) + w0))
    return total / len(r) + lam / 2 * sum(wj * wj for wj in w)


@pytest.mark.parametrize("seed", SEEDS)
def test_hinge_loss_matches_a_naive_loop(seed):
    w, w0, X, r, lam = _svm_problem(seed)
    assert hinge_loss(w, w0, X, r, lam) == pytest.approx(_naive_hinge(w, w0, X, r, lam))
    assert hinge_loss(w, w0, X, r) == pytest.approx(_naive_hinge(w, w0, X, r, 0.0))
    margins = svm_functional_margins(w, w0, X, r)
    np.testing.assert_allclose(margins, [lab * (x @ w + w0) for x, lab in zip(X, r)])


@pytest.mark.parametrize("seed", SEEDS)
def test_hinge_subgradient_is_the_gradient_away_from_the_kinks(seed):
    w, w0, X, r, lam = _svm_problem(seed)
    g_w, g_w0 = hinge_subgradient(w, w0, X, r, lam)
    # Every r·f(x) is at least 1e-3 from 1, so a step of 1e-7 never crosses a kink.
    num_w = central_difference(lambda v: _naive_hinge(v, w0, X, r, lam), w, h=1e-7)
    num_w0 = central_difference(lambda b: _naive_hinge(w, float(b[0]), X, r, lam), [w0], h=1e-7)
    np.testing.assert_allclose(g_w, num_w, atol=1e-6)
    assert g_w0 == pytest.approx(num_w0[0], abs=1e-6)


@pytest.mark.parametrize("seed", SEEDS[:20])
def test_svm_step_moves_against_the_subgradient(seed):
    w, w0, X, r, lam = _svm_problem(seed)
    g_w, g_w0 = hinge_subgradient(w, w0, X, r, lam)
    w_next, w0_next = svm_subgradient_step(w, w0, X, r, 0.3, lam)
    np.testing.assert_allclose(w_next, w - 0.3 * g_w)
    assert w0_next == pytest.approx(w0 - 0.3 * g_w0)


def test_hinge_on_a_hand_example():
    # w = (1, 1), w0 = −1, λ = 0.5. Points: (1, 1) r=+1: r f = 1 exactly (on the margin,
    # not counted); (0.5, 0) r=+1: r f = −0.5 (misclassified, hinge 1.5);
    # (2, 1) r=−1: r f = −2 (hinge 3); (−1, −1) r=−1: r f = 3 (outside).
    w, w0, lam = [1.0, 1.0], -1.0, 0.5
    X = [[1.0, 1.0], [0.5, 0.0], [2.0, 1.0], [-1.0, -1.0]]
    r = [1, 1, -1, -1]
    np.testing.assert_allclose(svm_functional_margins(w, w0, X, r), [1.0, -0.5, -2.0, 3.0])
    assert hinge_loss(w, w0, X, r, lam) == pytest.approx((0 + 1.5 + 3 + 0) / 4 + 0.25 * 2)
    g_w, g_w0 = hinge_subgradient(w, w0, X, r, lam)
    # λw − (1/4)[(+1)(0.5, 0) + (−1)(2, 1)] = (0.5, 0.5) − (1/4)(−1.5, −1)
    np.testing.assert_allclose(g_w, [0.5 + 0.375, 0.5 + 0.25])
    assert g_w0 == 0.0 and math.copysign(1.0, g_w0) == 1.0
    assert svm_margin(w) == pytest.approx(2 / math.sqrt(2))


def test_hinge_with_every_point_outside_the_margin_is_the_regulariser():
    w, X, r = np.array([2.0, -1.0]), [[1.0, 0.0], [-1.0, 0.0]], [1, -1]
    assert hinge_loss(w, 0.0, X, r, 0.2) == pytest.approx(0.1 * 5)
    g_w, g_w0 = hinge_subgradient(w, 0.0, X, r, 0.2)
    np.testing.assert_allclose(g_w, 0.2 * w)
    assert g_w0 == 0.0


def test_hinge_with_one_sample():
    assert hinge_loss([1.0], 0.0, [[0.25]], [1]) == pytest.approx(0.75)
    g_w, g_w0 = hinge_subgradient([1.0], 0.0, [[0.25]], [1])
    np.testing.assert_allclose(g_w, [-0.25])
    assert g_w0 == -1.0


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(np.float64, st.integers(1, 5), elements=st.floats(-1e3, 1e3, allow_subnormal=False))
)
def test_margin_is_two_over_the_norm(w):
    if not np.any(w):
        with pytest.raises(ValueError):
            svm_margin(w)
        return
    assert svm_margin(w) == pytest.approx(2 / math.hypot(*w), rel=1e-12)


@pytest.mark.parametrize("w", [[0.0, 0.0], [], [[1.0]], [np.nan], "ab"])
def test_margin_rejects_zero_and_bad_weights(w):
    with pytest.raises(ValueError):
        svm_margin(w)


@pytest.mark.parametrize(
    ("args", "lam"),
    [
        (([1.0], 0.0, [[1.0]], [0]), 0.0),
        (([1.0], 0.0, [[1.0]], [0.5]), 0.0),
        (([1.0], 0.0, [[1.0]], [1, 1]), 0.0),
        (([1.0, 1.0], 0.0, [[1.0]], [1]), 0.0),
        (([1.0], 0.0, [1.0], [1]), 0.0),
        (([1.0], 0.0, np.zeros((0, 1)), []), 0.0),
        (([1.0], np.nan, [[1.0]], [1]), 0.0),
        (([1.0], 0.0, [[np.nan]], [1]), 0.0),
        (([1.0], 0.0, [[1.0]], [1]), -0.1),
        (([1.0], 0.0, [[1.0]], [1]), np.inf),
        (([], 0.0, [[1.0]], [1]), 0.0),
    ],
)
def test_svm_functions_reject_bad_inputs(args, lam):
    with pytest.raises(ValueError):
        hinge_loss(*args, lam)
    with pytest.raises(ValueError):
        hinge_subgradient(*args, lam)
    with pytest.raises(ValueError):
        svm_subgradient_step(*args, 0.1, lam)


@pytest.mark.parametrize("lr", [0.0, -1.0, np.nan])
def test_svm_step_rejects_bad_learning_rates(lr):
    with pytest.raises(ValueError):
        svm_subgradient_step([1.0], 0.0, [[1.0]], [1], lr)
