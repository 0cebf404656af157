"""Momentum, RMSProp, Adam, warm-up, the Hessian test and batch counts,
checked against the textbook formulas written out as plain-Python loops,
numpy.linalg, sympy's Hessian and a batching loop that is actually run."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.solutions.optimizers import (
    adam_step,
    hessian_eigen,
    last_batch_size,
    momentum_step,
    polynomial_gradient_hessian,
    rmsprop_step,
    total_updates,
    updates_per_epoch,
    warmup_lr,
)

SEEDS = range(60)


def _run(seed):
    """A random start, several gradients and hyper-parameters."""
    rng = np.random.default_rng(seed)
    d = int(rng.integers(1, 5))
    steps = int(rng.integers(1, 7))
    theta = rng.normal(scale=2.0, size=d)
    grads = rng.normal(scale=3.0, size=(steps, d))
    return rng, theta, grads


# --- momentum ------------------------------------------------------------------


def _momentum_oracle(theta, grads, lr, lam):
    """Coordinate by coordinate, m ← λm − ηg, θ ← θ + m, from m = 0."""
    out = []
    for i in range(len(theta)):
        th, m = float(theta[i]), 0.0
        for g in grads[:, i]:
            m = lam * m - lr * float(g)
            th = th + m
        out.append(th)
    return out


def _heavy_ball_oracle(theta, grads, lr, lam):
    """PyTorch's form: v ← λv + g, θ ← θ − ηv (the same steps, m = −ηv)."""
    th, v = np.array(theta, dtype=float), np.zeros(len(theta))
    for g in grads:
        v = lam * v + g
        th = th - lr * v
    return th


@pytest.mark.parametrize("seed", SEEDS)
def test_momentum_matches_the_update_rule_written_out(seed):
    rng, theta, grads = _run(seed)
    lr, lam = float(rng.uniform(0.01, 1.0)), float(rng.uniform(0.0, 0.99))
    th, movement = theta, None
    for g in grads:
        th, movement = momentum_step(th, g, movement, lr, lam)
    np.testing.assert_allclose(th, _momentum_oracle(theta, grads, lr, lam), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        th, _heavy_ball_oracle(theta, grads, lr, lam), rtol=1e-10, atol=1e-10
    )


def test_momentum_first_step_is_gradient_descent_and_scalars_stay_scalars():
    theta, movement = momentum_step(1.0, 2.0, None, 0.1, lam=0.9)
    assert isinstance(theta, float) and isinstance(movement, float)
    assert theta == pytest.approx(0.8) and movement == pytest.approx(-0.2)
    # The second step adds λ times the previous movement: −0.18 − 0.1·1 = −0.28.
    theta, movement = momentum_step(theta, 1.0, movement, 0.1, lam=0.9)
    assert movement == pytest.approx(-0.28) and theta == pytest.approx(0.52)
    # Zero movement and None are the same start.
    assert momentum_step([1.0, 2.0], [1.0, -1.0], 0.0, 0.5)[0] == pytest.approx([0.5, 2.5])


# --- RMSProp -------------------------------------------------------------------


def _rmsprop_oracle(theta, grads, lr, alpha, eps=0.0):
    """The lecture's recursion per coordinate: σ⁰ = |g⁰|, then
    σᵗ = sqrt(α (σᵗ⁻¹)² + (1 − α)(gᵗ)²), θ ← θ − η gᵗ / σᵗ."""
    out = []
    for i in range(len(theta)):
        th, sigma = float(theta[i]), None
        for g in grads[:, i]:
            g = float(g)
            sigma = abs(g) if sigma is None else math.sqrt(alpha * sigma**2 + (1 - alpha) * g**2)
            th -= lr * g / (sigma + eps)
        out.append(th)
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_rmsprop_matches_the_lecture_recursion(seed):
    rng, theta, grads = _run(seed)
    lr, alpha = float(rng.uniform(0.01, 1.0)), float(rng.uniform(0.0, 0.99))
    eps = float(rng.choice([0.0, 1e-8, 0.1]))
    th, sigma = theta, None
    for g in grads:
        th, sigma = rmsprop_step(th, g, sigma, lr, alpha, eps)
    expected = _rmsprop_oracle(theta, grads, lr, alpha, eps)
    np.testing.assert_allclose(th, expected, rtol=1e-12, atol=1e-12)
    # σ unrolled: α^(t−1) (g⁰)² + Σ_{k ≥ 1} (1 − α) α^(t−1−k) (gᵏ)².
    t = len(grads)
    unrolled = np.sqrt(
        alpha ** (t - 1) * grads[0] ** 2
        + sum((1 - alpha) * alpha ** (t - 1 - k) * grads[k] ** 2 for k in range(1, t))
    )
    np.testing.assert_allclose(sigma, unrolled, rtol=1e-10)


def test_rmsprop_first_step_moves_by_the_learning_rate():
    theta, sigma = rmsprop_step([1.0, -2.0, 0.5], [4.0, -0.1, 0.0], None, 0.3)
    np.testing.assert_allclose(theta, [0.7, -1.7, 0.5])  # a zero gradient does not move
    np.testing.assert_allclose(sigma, [4.0, 0.1, 0.0])


@pytest.mark.parametrize("seed", range(20))
def test_rmsprop_from_sigma_zero_is_the_running_mean_square_form(seed):
    rng, theta, grads = _run(seed)
    lr, alpha, eps = 0.1, float(rng.uniform(0.5, 0.99)), 1e-8
    th, sigma = theta, np.zeros_like(theta)
    square, expected = np.zeros_like(theta), theta.copy()
    for g in grads:
        th, sigma = rmsprop_step(th, g, sigma, lr, alpha, eps)
        square = alpha * square + (1 - alpha) * g**2
        expected = expected - lr * g / (np.sqrt(square) + eps)
    np.testing.assert_allclose(th, expected, rtol=1e-10, atol=1e-12)


# --- Adam ----------------------------------------------------------------------


def _adam_oracle(theta, grads, lr, beta1, beta2, eps):
    """Algorithm 1 of Kingma & Ba, one coordinate at a time."""
    out = []
    for i in range(len(theta)):
        th, m, v = float(theta[i]), 0.0, 0.0
        for t, g in enumerate(grads[:, i], start=1):
            g = float(g)
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g * g
            m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
            th -= lr * m_hat / (math.sqrt(v_hat) + eps)
        out.append(th)
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_adam_matches_the_algorithm_over_several_steps(seed):
    rng, theta, grads = _run(seed)
    lr = float(rng.uniform(0.001, 0.5))
    beta1, beta2 = float(rng.uniform(0.5, 0.99)), float(rng.uniform(0.9, 0.9999))
    eps = float(rng.choice([1e-8, 1e-3, 0.0]))
    th, m, v = theta, None, None
    for t, g in enumerate(grads, start=1):
        th, m, v = adam_step(th, g, m, v, t, lr, beta1, beta2, eps)
    expected = _adam_oracle(theta, grads, lr, beta1, beta2, eps)
    np.testing.assert_allclose(th, expected, rtol=1e-12, atol=1e-12)


def test_adam_first_step_is_a_signed_step_of_the_learning_rate():
    theta, m, v = adam_step([1.0, 1.0], [3.0, -0.5], None, None, 1, lr=0.1, eps=0.0)
    np.testing.assert_allclose(theta, [0.9, 1.1])
    np.testing.assert_allclose(m, [0.3, -0.05])  # returned uncorrected
    np.testing.assert_allclose(v, [0.009, 0.00025])


def test_adam_bias_correction_uses_the_step_number():
    # Same state, a later step number: a weaker correction, a different move.
    early = adam_step(0.0, 1.0, 0.5, 0.01, 2, lr=1.0, eps=0.0)[0]
    late = adam_step(0.0, 1.0, 0.5, 0.01, 50, lr=1.0, eps=0.0)[0]
    m, v = 0.9 * 0.5 + 0.1, 0.999 * 0.01 + 0.001
    assert early == pytest.approx(-(m / (1 - 0.9**2)) / math.sqrt(v / (1 - 0.999**2)))
    assert late == pytest.approx(-(m / (1 - 0.9**50)) / math.sqrt(v / (1 - 0.999**50)))


# --- warm-up -------------------------------------------------------------------


@given(st.integers(0, 60), st.integers(0, 30), st.floats(0.001, 2.0), st.floats(0.0, 0.001))
@settings(max_examples=200, deadline=None)
def test_linear_warmup_rises_by_equal_steps_then_stays(step, warmup, base, start):
    rate = warmup_lr(step, base, warmup, start)
    if warmup == 0 or step >= warmup:
        assert rate == pytest.approx(base)
    else:
        increment = (base - start) / warmup
        assert rate == pytest.approx(start + step * increment)
        assert warmup_lr(step + 1, base, warmup, start) - rate == pytest.approx(increment)


def test_warmup_schedules_by_hand():
    assert warmup_lr(1, 0.1, 10) == pytest.approx(0.01)
    assert warmup_lr(10, 0.1, 10) == pytest.approx(0.1)
    assert warmup_lr(400, 0.1, 400, 0.01, "constant") == pytest.approx(0.01)  # ResNet
    assert warmup_lr(401, 0.1, 400, 0.01, "constant") == pytest.approx(0.1)
    assert warmup_lr(3.0, 0.1, 4) == pytest.approx(0.075)


# --- Hessian -------------------------------------------------------------------


def _sylvester_kind(H):
    """Classification of a 2 × 2 Hessian by its leading minors."""
    det = H[0, 0] * H[1, 1] - H[0, 1] ** 2
    if det < 0:
        return "saddle"
    if det == 0:
        return "inconclusive" if H[0, 0] * H[1, 1] >= 0 else "saddle"
    return "minimum" if H[0, 0] > 0 else "maximum"


@pytest.mark.parametrize("seed", SEEDS)
def test_hessian_eigen_matches_eigvalsh_and_the_leading_minors(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 6))
    A = rng.normal(size=(n, n))
    H = A + A.T
    eigenvalues, kind = hessian_eigen(H)
    np.testing.assert_allclose(eigenvalues, np.sort(np.linalg.eigvalsh(H)), atol=1e-12)
    assert np.all(np.diff(eigenvalues) >= 0)
    if n == 2:
        assert kind == _sylvester_kind(H)
    if np.all(eigenvalues > 0):
        assert kind == "minimum"
    elif np.all(eigenvalues < 0):
        assert kind == "maximum"
    else:
        assert kind == "saddle"


@pytest.mark.parametrize("seed", range(15))
def test_hessian_eigen_of_sympys_hessian_of_random_quadratics(seed):
    import sympy

    rng = np.random.default_rng(seed)
    x, y = sympy.symbols("x y")
    a, b, c, d, e, f = (int(v) for v in rng.integers(-5, 6, size=6))
    loss = a * x**2 + b * x * y + c * y**2 + d * x + e * y + f
    H = sympy.hessian(loss, (x, y))
    eigenvalues, kind = hessian_eigen(np.array(H.tolist(), dtype=float))
    exact = sorted(float(v) for v, k in H.eigenvals().items() for _ in range(k))
    np.testing.assert_allclose(eigenvalues, exact, atol=1e-9)
    det = 4 * a * c - b * b
    if det > 0:
        assert kind == ("minimum" if a > 0 else "maximum")
    elif det < 0:
        assert kind == "saddle"
    else:  # 4ac = b² ≥ 0: one eigenvalue 0, the other of the sign of a + c
        assert kind == "inconclusive"


def test_hessian_eigen_zero_eigenvalues():
    assert hessian_eigen([[2.0, 0.0], [0.0, 0.0]])[1] == "inconclusive"
    assert hessian_eigen([[1.0, 1.0], [1.0, 1.0]])[1] == "inconclusive"  # eigenvalues 0, 2
    assert hessian_eigen([[-1.0, 0.0], [0.0, -1e-15]])[1] == "inconclusive"
    assert hessian_eigen(np.diag([1.0, 0.0, -1.0]))[1] == "saddle"
    assert hessian_eigen([[0.0]])[1] == "inconclusive"
    assert hessian_eigen([[3.0]])[1] == "minimum"


@pytest.mark.parametrize(
    "H",
    [[[1.0, 2.0], [0.0, 1.0]], [[1.0, 2.0, 3.0]], [1.0, 2.0], [], [[np.nan, 0], [0, 1]], "ab"],
)
def test_hessian_eigen_refuses_what_is_not_a_symmetric_matrix(H):
    with pytest.raises(ValueError):
        hessian_eigen(H)


# --- polynomial losses -----------------------------------------------------------


def _random_terms(rng):
    k = int(rng.integers(1, 7))
    return [
        [float(rng.integers(-5, 6)), int(rng.integers(0, 5)), int(rng.integers(0, 5))]
        for _ in range(k)
    ]


def _loss(terms, x, y):
    return sum(c * x**i * y**j for c, i, j in terms)


@pytest.mark.parametrize("seed", SEEDS)
def test_polynomial_derivatives_match_finite_differences(seed):
    rng = np.random.default_rng(seed)
    terms = _random_terms(rng)
    x, y = rng.uniform(-2, 2, size=2)
    value, gradient, hessian = polynomial_gradient_hessian(terms, [x, y])
    h = 1e-4
    fd_gradient = [
        (_loss(terms, x + h, y) - _loss(terms, x - h, y)) / (2 * h),
        (_loss(terms, x, y + h) - _loss(terms, x, y - h)) / (2 * h),
    ]
    fd_xx = (_loss(terms, x + h, y) - 2 * _loss(terms, x, y) + _loss(terms, x - h, y)) / h**2
    fd_yy = (_loss(terms, x, y + h) - 2 * _loss(terms, x, y) + _loss(terms, x, y - h)) / h**2
    fd_xy = (
        _loss(terms, x + h, y + h)
        - _loss(terms, x + h, y - h)
        - _loss(terms, x - h, y + h)
        + _loss(terms, x - h, y - h)
    ) / (4 * h * h)
    assert value == pytest.approx(_loss(terms, x, y), rel=1e-12, abs=1e-12)
    np.testing.assert_allclose(gradient, fd_gradient, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(hessian, [[fd_xx, fd_xy], [fd_xy, fd_yy]], rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("seed", range(15))
def test_polynomial_derivatives_match_sympy(seed):
    import sympy

    rng = np.random.default_rng(100 + seed)
    terms = _random_terms(rng)
    point = [int(v) for v in rng.integers(-3, 4, size=2)]
    x, y = sympy.symbols("x y")
    loss = sum(sympy.Integer(int(c)) * x**i * y**j for c, i, j in terms)
    at = {x: point[0], y: point[1]}
    _, gradient, hessian = polynomial_gradient_hessian(terms, point)
    assert gradient.tolist() == [float(sympy.diff(loss, v).subs(at)) for v in (x, y)]
    assert hessian.tolist() == [
        [float(e) for e in r] for r in sympy.hessian(loss, (x, y)).subs(at).tolist()
    ]


def test_polynomial_derivatives_at_zero_and_constant_terms():
    _, gradient, hessian = polynomial_gradient_hessian([[7, 0, 0], [2, 2, 0], [-1, 1, 1]], [0, 0])
    assert gradient.tolist() == [0.0, 0.0]
    assert hessian.tolist() == [[4.0, -1.0], [-1.0, 0.0]]


# --- batches -------------------------------------------------------------------


def _batching_loop(n, b, drop_last):
    """Run the batching an epoch does and count what it yields."""
    samples = list(range(n))
    sizes = []
    for start in range(0, n, b):
        batch = samples[start : start + b]
        if drop_last and len(batch) < b:
            continue
        sizes.append(len(batch))
    return sizes


@given(st.integers(1, 500), st.integers(1, 80), st.integers(0, 7), st.booleans())
@settings(max_examples=300, deadline=None)
def test_batch_counts_match_a_batching_loop(n, b, epochs, drop_last):
    sizes = _batching_loop(n, b, drop_last)
    assert updates_per_epoch(n, b, drop_last) == len(sizes)
    assert total_updates(n, b, epochs, drop_last) == sum(
        len(_batching_loop(n, b, drop_last)) for _ in range(epochs)
    )
    assert last_batch_size(n, b, drop_last) == (sizes[-1] if sizes else 0)
    assert sum(sizes) == (n if not drop_last else n - n % b)


def test_batch_counts_by_hand():
    assert updates_per_epoch(60000, 128) == 469  # MNIST: 468 full batches and one of 96
    assert last_batch_size(60000, 128) == 96
    assert updates_per_epoch(60000, 128, drop_last=True) == 468
    assert total_updates(60000, 128, 10) == 4690
    assert updates_per_epoch(100, 10) == 10 and last_batch_size(100, 10) == 10
    assert updates_per_epoch(5, 10, drop_last=True) == 0 and last_batch_size(5, 10, True) == 0
    assert updates_per_epoch(5.0, 2) == 3


# --- bad input -----------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: momentum_step([1.0, 2.0], [1.0], None, 0.1),
        lambda: momentum_step([[1.0]], [[1.0]], None, 0.1),
        lambda: momentum_step([], [], None, 0.1),
        lambda: momentum_step(1.0, np.nan, None, 0.1),
        lambda: momentum_step(1.0, 1.0, None, 0.0),
        lambda: momentum_step(1.0, 1.0, None, 0.1, lam=1.0),
        lambda: momentum_step(1.0, 1.0, None, 0.1, lam=-0.1),
        lambda: momentum_step(1.0, 1.0, [0.0, 0.0], 0.1),
        lambda: momentum_step("a", 1.0, None, 0.1),
        lambda: rmsprop_step(1.0, 1.0, -1.0, 0.1),
        lambda: rmsprop_step(1.0, 1.0, None, 0.1, alpha=1.5),
        lambda: rmsprop_step(1.0, 1.0, None, 0.1, eps=-1.0),
        lambda: rmsprop_step(1.0, 1.0, None, 0.1, alpha=1.0),
        lambda: rmsprop_step(1.0, 1.0, None, True),
        lambda: adam_step(1.0, 1.0, None, None, 0),
        lambda: adam_step(1.0, 1.0, None, None, 1.5),
        lambda: adam_step(1.0, 1.0, None, -1.0, 1),
        lambda: adam_step(1.0, 1.0, None, None, 1, beta1=1.0),
        lambda: adam_step(1.0, 1.0, None, None, 1, beta2=-0.1),
        lambda: adam_step(1.0, 0.0, 0.5, 0.0, 2, eps=0.0),
        lambda: warmup_lr(-1, 0.1, 10),
        lambda: warmup_lr(1, 0.0, 10),
        lambda: warmup_lr(1, 0.1, -1),
        lambda: warmup_lr(1, 0.1, 10, schedule="cosine"),
        lambda: warmup_lr(1, 0.1, 10, start_lr=-0.1),
        lambda: updates_per_epoch(0, 10),
        lambda: updates_per_epoch(10, 0),
        lambda: updates_per_epoch(10.5, 2),
        lambda: updates_per_epoch(True, 2),
        lambda: total_updates(10, 2, -1),
        lambda: last_batch_size(10, "2"),
        lambda: polynomial_gradient_hessian([[1, 2]], [0, 0]),
        lambda: polynomial_gradient_hessian([[1, -1, 0]], [0, 0]),
        lambda: polynomial_gradient_hessian([[1, 1.5, 0]], [0, 0]),
        lambda: polynomial_gradient_hessian([], [0, 0]),
        lambda: polynomial_gradient_hessian([[1, 2, 0]], [0, 0, 0]),
        lambda: polynomial_gradient_hessian([[np.inf, 2, 0]], [0, 0]),
    ],
)
def test_bad_input_raises_value_error(call):
    with pytest.raises(ValueError):
        call()
