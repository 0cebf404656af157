"""Logistic regression and a one-hidden-layer MLP trained by full-batch
gradient descent, checked against independent losses and finite differences."""

import numpy as np
import pytest
from scipy.special import expit, logsumexp, softmax

from tutor.solutions.training import (
    fit_predict,
    logistic_gradient,
    logistic_loss,
    mlp_gradients,
    mlp_loss,
    predict_mlp,
    train_logistic_regression,
    train_mlp,
)

SEEDS = range(30)
PARAM_NAMES = ("W1", "b1", "W2", "b2")


def numerical_gradient(f, p, eps=1e-6):
    """Central differences of the scalar function f at the array p."""
    p = np.asarray(p, dtype=float)
    grad = np.zeros_like(p)
    for idx in np.ndindex(p.shape):
        step = np.zeros_like(p)
        step[idx] = eps
        grad[idx] = (f(p + step) - f(p - step)) / (2 * eps)
    return grad


def bce(w, b, X, y):
    """Mean binary cross-entropy from the probabilities themselves."""
    p = expit(X @ w + b)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def random_logistic_problem(rng, scale=1.0):
    n, d = int(rng.integers(1, 12)), int(rng.integers(1, 5))
    X = rng.normal(size=(n, d))
    y = rng.integers(0, 2, size=n)
    return scale * rng.normal(size=d), scale * float(rng.normal()), X, y


def separable_ish_data(rng, n=40, d=3):
    X = rng.normal(size=(n, d))
    y = (X @ rng.normal(size=d) + 0.3 * rng.normal(size=n) > 0).astype(int)
    return X, y


def bce_numerical_gradient(w, b, X, y):
    grad_w = numerical_gradient(lambda v: bce(v, b, X, y), w)
    grad_b = numerical_gradient(lambda c: bce(w, c[0], X, y), np.array([b]))[0]
    return grad_w, grad_b


def logistic_descent(X, y, lr, epochs, w0, b0):
    """Gradient descent whose gradient comes from finite differences."""
    w, b = np.array(w0, dtype=float), float(b0)
    for _ in range(epochs):
        grad_w, grad_b = bce_numerical_gradient(w, b, X, y)
        w, b = w - lr * grad_w, b - lr * grad_b
    return w, b


def mlp_logits(params, X):
    hidden = expit(X @ params["W1"].T + params["b1"])
    return hidden @ params["W2"].T + params["b2"]


def cross_entropy(params, X, y):
    probabilities = softmax(mlp_logits(params, X), axis=1)
    return -np.mean(np.log(probabilities[np.arange(len(y)), y]))


def random_mlp_problem(rng, scale=1.0):
    n, d = int(rng.integers(1, 9)), int(rng.integers(1, 5))
    hidden, classes = int(rng.integers(1, 6)), int(rng.integers(2, 5))
    params = {
        "W1": scale * rng.normal(size=(hidden, d)),
        "b1": scale * rng.normal(size=hidden),
        "W2": scale * rng.normal(size=(classes, hidden)),
        "b2": scale * rng.normal(size=classes),
    }
    return params, rng.normal(size=(n, d)), rng.integers(0, classes, size=n)


def with_param(params, name, value):
    return {**params, name: value}


def two_blobs(rng, n_per_class=50):
    X = np.vstack(
        [
            rng.normal(loc=(-2.0, -1.0), size=(n_per_class, 2)),
            rng.normal(loc=(2.0, 1.0), size=(n_per_class, 2)),
        ]
    )
    return X, np.repeat([0, 1], n_per_class)


# logistic_loss and logistic_gradient


@pytest.mark.parametrize("seed", SEEDS)
def test_logistic_loss_matches_mean_bce(seed):
    w, b, X, y = random_logistic_problem(np.random.default_rng(seed), scale=0.5)
    assert logistic_loss(w, b, X, y) == pytest.approx(bce(w, b, X, y), rel=1e-10, abs=1e-12)


def test_logistic_loss_of_zero_weights_is_log_two():
    X, y = np.ones((4, 2)), np.array([0, 1, 1, 0])
    assert logistic_loss(np.zeros(2), 0.0, X, y) == pytest.approx(np.log(2.0))


def test_logistic_loss_is_finite_when_saturated():
    # p = expit(-1000) is 0 in floating point; the loss of a confident
    # mistake is |z| = 1000, and of a confident success about 0.
    X, w = np.array([[1.0], [-1.0]]), np.array([1000.0])
    assert logistic_loss(w, 0.0, X, np.array([0, 1])) == pytest.approx(1000.0)
    assert logistic_loss(w, 0.0, X, np.array([1, 0])) == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_logistic_gradient_matches_finite_differences(seed):
    w, b, X, y = random_logistic_problem(np.random.default_rng(seed))
    grad_w, grad_b = logistic_gradient(w, b, X, y)
    expected_w, expected_b = bce_numerical_gradient(w, b, X, y)
    assert grad_w.shape == w.shape
    np.testing.assert_allclose(grad_w, expected_w, rtol=1e-5, atol=1e-8)
    assert grad_b == pytest.approx(expected_b, rel=1e-5, abs=1e-8)


@pytest.mark.parametrize(
    "X, y", [(np.ones(3), np.ones(3)), (np.ones((3, 2)), np.ones(2)), (np.ones((0, 2)), [])]
)
def test_logistic_functions_reject_bad_shapes(X, y):
    with pytest.raises(ValueError):
        logistic_loss(np.ones(2), 0.0, X, y)
    with pytest.raises(ValueError):
        logistic_gradient(np.ones(2), 0.0, X, y)


# train_logistic_regression


@pytest.mark.parametrize("seed", range(10))
def test_one_epoch_is_one_gradient_step(seed):
    rng = np.random.default_rng(seed)
    w0, b0, X, y = random_logistic_problem(rng)
    lr = float(rng.uniform(0.1, 2.0))
    w, b, losses = train_logistic_regression(X, y, lr, 1, w0=w0, b0=b0)
    expected_w, expected_b = logistic_descent(X, y, lr, 1, w0, b0)
    np.testing.assert_allclose(w, expected_w, rtol=1e-6, atol=1e-8)
    assert b == pytest.approx(expected_b, rel=1e-6, abs=1e-8)
    assert losses == [pytest.approx(bce(w0, b0, X, y), rel=1e-10)]


def test_default_start_is_zero_weights_and_bias():
    X, y = separable_ish_data(np.random.default_rng(0))
    w, b, losses = train_logistic_regression(X, y, 0.5, 1)
    expected_w, expected_b = logistic_descent(X, y, 0.5, 1, np.zeros(X.shape[1]), 0.0)
    np.testing.assert_allclose(w, expected_w, rtol=1e-6, atol=1e-8)
    assert b == pytest.approx(expected_b, rel=1e-6, abs=1e-8)
    assert losses[0] == pytest.approx(np.log(2.0))


@pytest.mark.parametrize("seed", range(5))
def test_logistic_losses_are_measured_before_each_update(seed):
    rng = np.random.default_rng(seed)
    X, y = separable_ish_data(rng)
    w0, b0, epochs = rng.normal(size=X.shape[1]), float(rng.normal()), 6
    _, _, losses = train_logistic_regression(X, y, 0.3, epochs, w0=w0, b0=b0)
    assert len(losses) == epochs
    assert losses[0] == pytest.approx(bce(w0, b0, X, y), rel=1e-10)
    for i in range(epochs - 1):
        w_i, b_i, prefix = train_logistic_regression(X, y, 0.3, i + 1, w0=w0, b0=b0)
        assert losses[i + 1] == pytest.approx(bce(w_i, b_i, X, y), rel=1e-10)
        assert prefix == losses[: i + 1]


def test_zero_epochs_returns_the_start():
    X, y = separable_ish_data(np.random.default_rng(1))
    w0 = np.arange(3.0)
    w, b, losses = train_logistic_regression(X, y, 0.1, 0, w0=w0, b0=0.5)
    np.testing.assert_array_equal(w, w0)
    assert b == 0.5
    assert losses == []


@pytest.mark.parametrize("seed", range(10))
def test_logistic_loss_never_increases_with_a_small_step(seed):
    # The loss is L-smooth with L <= ||[X, 1]||_2^2 / (4n); a step 1/L always descends.
    X, y = separable_ish_data(np.random.default_rng(seed))
    design = np.hstack([X, np.ones((len(X), 1))])
    lr = 4 * len(X) / np.linalg.norm(design, 2) ** 2
    _, _, losses = train_logistic_regression(X, y, lr, 50)
    assert np.all(np.diff(losses) <= 1e-12)
    assert losses[-1] < losses[0]


def test_logistic_training_is_deterministic_and_leaves_inputs_alone():
    rng = np.random.default_rng(2)
    X, y = separable_ish_data(rng)
    w0 = rng.normal(size=X.shape[1])
    copies = X.copy(), y.copy(), w0.copy()
    first = train_logistic_regression(X, y, 0.5, 20, w0=w0, b0=0.1)
    second = train_logistic_regression(X, y, 0.5, 20, w0=w0, b0=0.1)
    np.testing.assert_array_equal(first[0], second[0])
    assert first[1] == second[1]
    assert first[2] == second[2]
    for array, copy in zip((X, y, w0), copies):
        np.testing.assert_array_equal(array, copy)


@pytest.mark.parametrize(
    "y, lr, epochs",
    [
        ([0, 1, 2, 1], 0.1, 5),  # a label outside {0, 1}
        ([0, 1, -1, 1], 0.1, 5),
        ([0, 1, 0.5, 1], 0.1, 5),
        ([0, 1, 0, 1], 0.0, 5),
        ([0, 1, 0, 1], -0.1, 5),
        ([0, 1, 0, 1], 0.1, -1),
        ([0, 1, 0, 1], 0.1, 2.5),
        ([0, 1, 0], 0.1, 5),  # one label short
    ],
)
def test_train_logistic_regression_rejects_bad_input(y, lr, epochs):
    with pytest.raises(ValueError):
        train_logistic_regression(np.ones((4, 2)), np.array(y), lr, epochs)


# mlp_loss and mlp_gradients


@pytest.mark.parametrize("seed", SEEDS)
def test_mlp_loss_matches_softmax_cross_entropy(seed):
    params, X, y = random_mlp_problem(np.random.default_rng(seed))
    assert mlp_loss(params, X, y) == pytest.approx(cross_entropy(params, X, y), rel=1e-10)


def test_mlp_loss_is_stable_for_huge_logits():
    params, X, y = random_mlp_problem(np.random.default_rng(3))
    params["W2"] = params["W2"] * 1e4
    logits = mlp_logits(params, X)
    expected = np.mean(logsumexp(logits, axis=1) - logits[np.arange(len(y)), y])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        assert mlp_loss(params, X, y) == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("seed", SEEDS)
def test_mlp_gradients_match_finite_differences(seed):
    params, X, y = random_mlp_problem(np.random.default_rng(seed))
    grads = mlp_gradients(params, X, y)
    assert set(grads) == set(PARAM_NAMES)
    for name in PARAM_NAMES:
        expected = numerical_gradient(
            lambda value, name=name: cross_entropy(with_param(params, name, value), X, y),
            params[name],
        )
        assert grads[name].shape == params[name].shape
        np.testing.assert_allclose(grads[name], expected, rtol=1e-5, atol=1e-8)


# train_mlp and predict_mlp


def test_train_mlp_starts_from_seeded_scaled_normals():
    # W1 then W2 (first layer first), N(0, 1/fan-in), biases at zero.
    X, y = two_blobs(np.random.default_rng(0), n_per_class=5)
    params, losses = train_mlp(X, y, hidden=3, lr=0.1, epochs=0, seed=7)
    rng = np.random.default_rng(7)
    np.testing.assert_allclose(params["W1"], rng.normal(size=(3, 2)) / np.sqrt(2), rtol=1e-12)
    np.testing.assert_allclose(params["W2"], rng.normal(size=(2, 3)) / np.sqrt(3), rtol=1e-12)
    np.testing.assert_array_equal(params["b1"], np.zeros(3))
    np.testing.assert_array_equal(params["b2"], np.zeros(2))
    assert losses == []


def test_train_mlp_is_deterministic_for_a_seed():
    X, y = two_blobs(np.random.default_rng(1), n_per_class=10)
    first_params, first_losses = train_mlp(X, y, 4, 0.5, 10, seed=3)
    second_params, second_losses = train_mlp(X, y, 4, 0.5, 10, seed=3)
    for name in PARAM_NAMES:
        np.testing.assert_array_equal(first_params[name], second_params[name])
    assert first_losses == second_losses


def test_train_mlp_depends_on_the_seed():
    X, y = two_blobs(np.random.default_rng(1), n_per_class=10)
    params_a, losses_a = train_mlp(X, y, 4, 0.5, 10, seed=3)
    params_b, losses_b = train_mlp(X, y, 4, 0.5, 10, seed=4)
    assert not np.allclose(params_a["W1"], params_b["W1"])
    assert losses_a != losses_b


@pytest.mark.parametrize("seed", range(5))
def test_one_mlp_epoch_is_one_gradient_step(seed):
    rng = np.random.default_rng(seed)
    X, y = two_blobs(rng, n_per_class=4)
    lr = 0.7
    start, _ = train_mlp(X, y, 3, lr, 0, seed=seed)
    params, losses = train_mlp(X, y, 3, lr, 1, seed=seed)
    for name in PARAM_NAMES:
        grad = numerical_gradient(
            lambda value, name=name: cross_entropy(with_param(start, name, value), X, y),
            start[name],
        )
        np.testing.assert_allclose(params[name], start[name] - lr * grad, rtol=1e-6, atol=1e-8)
    assert losses == [pytest.approx(cross_entropy(start, X, y), rel=1e-10)]


def test_mlp_losses_are_measured_before_each_update():
    X, y = two_blobs(np.random.default_rng(2), n_per_class=6)
    epochs = 6
    _, losses = train_mlp(X, y, 3, 0.5, epochs, seed=0)
    assert len(losses) == epochs
    for i in range(epochs):
        params_i, prefix = train_mlp(X, y, 3, 0.5, i, seed=0)
        assert losses[i] == pytest.approx(cross_entropy(params_i, X, y), rel=1e-10)
        assert prefix == losses[:i]


@pytest.mark.parametrize("seed", range(3))
def test_mlp_learns_two_blobs(seed):
    X, y = two_blobs(np.random.default_rng(seed))
    params, losses = train_mlp(X, y, hidden=4, lr=1.0, epochs=200, seed=seed)
    assert losses[-1] < 0.5 * losses[0]
    assert np.mean(predict_mlp(params, X) == y) >= 0.9


@pytest.mark.parametrize("seed", SEEDS)
def test_predict_mlp_is_argmax_of_forward_pass(seed):
    params, X, _ = random_mlp_problem(np.random.default_rng(seed), scale=2.0)
    logits = mlp_logits(params, X)
    prediction = predict_mlp(params, X)
    assert prediction.shape == (X.shape[0],)
    assert np.issubdtype(prediction.dtype, np.integer)
    np.testing.assert_array_equal(prediction, [int(np.argmax(row)) for row in logits])


@pytest.mark.parametrize("X", [np.ones(2), np.ones((3, 3)), np.ones((3, 2, 1))])
def test_predict_mlp_rejects_wrong_input_shape(X):
    params = {"W1": np.ones((4, 2)), "b1": np.ones(4), "W2": np.ones((3, 4)), "b2": np.ones(3)}
    with pytest.raises(ValueError):
        predict_mlp(params, X)


@pytest.mark.parametrize(
    "X, y, hidden, lr, epochs",
    [
        (np.ones((4, 2)), np.array([0.0, 1.0, 0.0, 1.0]), 3, 0.1, 5),  # float labels
        (np.ones((4, 2)), np.array([False, True, False, True]), 3, 0.1, 5),
        (np.ones((4, 2)), np.array([0, 0, 0, 0]), 3, 0.1, 5),  # one class only
        (np.ones((4, 2)), np.array([0, 1, -1, 1]), 3, 0.1, 5),
        (np.ones(4), np.array([0, 1, 0, 1]), 3, 0.1, 5),  # X not 2-D
        (np.ones((4, 2, 1)), np.array([0, 1, 0, 1]), 3, 0.1, 5),
        (np.ones((3, 2)), np.array([0, 1, 0, 1]), 3, 0.1, 5),  # X and y lengths differ
        (np.ones((4, 2)), np.array([0, 1, 0, 1]), 0, 0.1, 5),
        (np.ones((4, 2)), np.array([0, 1, 0, 1]), 2.5, 0.1, 5),
        (np.ones((4, 2)), np.array([0, 1, 0, 1]), 3, 0.0, 5),
        (np.ones((4, 2)), np.array([0, 1, 0, 1]), 3, 0.1, -1),
        (np.ones((4, 2)), np.array([0, 1, 0, 1]), 3, 0.1, 1.5),
    ],
)
def test_train_mlp_rejects_bad_input(X, y, hidden, lr, epochs):
    with pytest.raises(ValueError):
        train_mlp(X, y, hidden, lr, epochs, seed=0)


@pytest.mark.parametrize("label", [1, 2])
def test_train_mlp_rejects_a_single_nonzero_class(label):
    with pytest.raises(ValueError):
        train_mlp(np.ones((4, 2)), np.full(4, label), 3, 0.1, 5, seed=0)


@pytest.mark.parametrize("labels", [[0, -1], [0, 2]])
def test_mlp_loss_and_gradients_reject_labels_outside_the_classes(labels):
    params, _ = train_mlp(np.eye(2), np.array([0, 1]), 2, 0.1, 0, seed=0)
    X = np.ones((2, 2))
    with pytest.raises(ValueError):
        mlp_loss(params, X, np.array(labels))
    with pytest.raises(ValueError):
        mlp_gradients(params, X, np.array(labels))


def _moons(n, rng):
    """Two interleaved half circles with noise, drawn independently of the grader."""
    t = rng.uniform(0, np.pi, n)
    upper = rng.random(n) < 0.5
    points = np.where(
        upper[:, None],
        np.column_stack([np.cos(t), np.sin(t)]),
        np.column_stack([1 - np.cos(t), 0.5 - np.sin(t)]),
    )
    return points + rng.normal(0, 0.2, (n, 2)), (~upper).astype(int)


@pytest.mark.parametrize("seed", range(3))
def test_fit_predict_separates_two_moons(seed):
    rng = np.random.default_rng(seed)
    X_train, y_train = _moons(300, rng)
    X_test, y_test = _moons(300, rng)
    predicted = fit_predict(X_train, y_train, X_test)
    assert predicted.shape == y_test.shape
    assert np.mean(predicted == y_test) >= 0.9


def test_fit_predict_is_deterministic_and_leaves_its_inputs():
    rng = np.random.default_rng(7)
    X_train, y_train = _moons(100, rng)
    X_test, _ = _moons(50, rng)
    copies = X_train.copy(), y_train.copy(), X_test.copy()
    first = fit_predict(X_train, y_train, X_test)
    np.testing.assert_array_equal(first, fit_predict(X_train, y_train, X_test))
    for original, copy in zip((X_train, y_train, X_test), copies):
        np.testing.assert_array_equal(original, copy)
