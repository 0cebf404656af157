"""GAN losses checked against binary cross-entropy written with
scipy.special.xlogy, math.log loops and closed forms; the optimal
discriminator against a grid search of the value it maximises."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import xlogy

from tutor.solutions.gan import gan_losses, optimal_discriminator

SEEDS = range(60)


def bce(labels, outputs):
    """Mean binary cross-entropy −[y ln p + (1 − y) ln(1 − p)], with xlogy."""
    labels, outputs = np.asarray(labels, float), np.asarray(outputs, float)
    return float(np.mean(-(xlogy(labels, outputs) + xlogy(1 - labels, 1 - outputs))))


def random_batch(rng):
    m = int(rng.integers(1, 6))
    n = m if rng.random() < 0.7 else int(rng.integers(1, 6))
    return rng.uniform(0.01, 0.99, size=m), rng.uniform(0.01, 0.99, size=n)


@pytest.mark.parametrize("seed", SEEDS)
def test_discriminator_loss_is_the_cross_entropy_of_real_1_and_fake_0(seed):
    d_real, d_fake = random_batch(np.random.default_rng(seed))
    d_loss, _ = gan_losses(d_real, d_fake)
    # Each batch averaged on its own: the real term with label 1, the fake with label 0.
    want = bce(np.ones_like(d_real), d_real) + bce(np.zeros_like(d_fake), d_fake)
    assert d_loss == pytest.approx(want, rel=1e-12)
    if len(d_real) == len(d_fake):
        m = len(d_real)
        loop = -sum(math.log(a) + math.log(1 - b) for a, b in zip(d_real, d_fake)) / m
        assert d_loss == pytest.approx(loop, rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_generator_losses_match_their_formulas(seed):
    d_real, d_fake = random_batch(np.random.default_rng(seed))
    _, minimax = gan_losses(d_real, d_fake, generator="minimax")
    _, saturating_free = gan_losses(d_real, d_fake, generator="non-saturating")
    _, default = gan_losses(d_real, d_fake)
    n = len(d_fake)
    assert minimax == pytest.approx(sum(math.log(1 - b) for b in d_fake) / n, rel=1e-12)
    assert saturating_free == pytest.approx(-sum(math.log(b) for b in d_fake) / n, rel=1e-12)
    # The non-saturating loss is the cross-entropy of the fakes against label 1.
    assert saturating_free == pytest.approx(bce(np.ones(n), d_fake), rel=1e-12)
    assert default == saturating_free
    assert minimax < 0 < saturating_free


@pytest.mark.parametrize("seed", SEEDS[:20])
def test_the_generator_losses_do_not_depend_on_the_real_samples(seed):
    rng = np.random.default_rng(seed)
    d_real, d_fake = random_batch(rng)
    for form in ("minimax", "non-saturating"):
        assert (
            gan_losses(d_real, d_fake, form)[1] == gan_losses(rng.uniform(size=3), d_fake, form)[1]
        )


def test_the_saturation_of_the_minimax_form():
    # d/dD ln(1 − D) = −1/(1 − D) ≈ −1 near D = 0 while d/dD (−ln D) = −1/D is huge:
    # the minimax loss barely moves where the discriminator rejects the fakes.
    h = 1e-7
    d = 0.001
    minimax = (gan_losses([0.5], [d + h], "minimax")[1] - gan_losses([0.5], [d], "minimax")[1]) / h
    other = (gan_losses([0.5], [d + h])[1] - gan_losses([0.5], [d])[1]) / h
    assert minimax == pytest.approx(-1 / (1 - d), rel=1e-4)
    assert other == pytest.approx(-1 / d, rel=1e-4)


def test_at_the_equilibrium_the_losses_are_closed_forms():
    # D = 1/2 everywhere: L_D = 2 ln 2, minimax L_G = −ln 2, non-saturating ln 2.
    d_loss, g_loss = gan_losses([0.5, 0.5], [0.5, 0.5], "minimax")
    assert d_loss == pytest.approx(2 * math.log(2))
    assert g_loss == pytest.approx(-math.log(2))
    assert gan_losses([0.5], [0.5])[1] == pytest.approx(math.log(2))


def test_a_hand_worked_example():
    # D(x) = 0.8, 0.9; D(G(z)) = 0.2, 0.4.
    d_loss, g_loss = gan_losses([0.8, 0.9], [0.2, 0.4], "minimax")
    assert d_loss == pytest.approx(-(math.log(0.8 * 0.8) + math.log(0.9 * 0.6)) / 2)
    assert g_loss == pytest.approx(math.log(0.8 * 0.6) / 2)
    assert gan_losses([0.8, 0.9], [0.2, 0.4])[1] == pytest.approx(-math.log(0.08) / 2)


def test_one_sample_and_scalars():
    assert gan_losses(0.7, 0.2)[0] == pytest.approx(-math.log(0.7) - math.log(0.8))


def test_outputs_of_exactly_zero_or_one_give_infinite_losses():
    with np.errstate(all="raise"):
        assert gan_losses([1.0], [1.0], "minimax") == (math.inf, -math.inf)
        assert gan_losses([0.0], [0.0]) == (math.inf, math.inf)
        assert gan_losses([1.0], [0.0], "minimax") == (0.0, 0.0)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_optimal_discriminator_maximises_the_value_on_a_grid(seed):
    rng = np.random.default_rng(seed)
    p_data, p_g = rng.uniform(0.01, 3, size=2)
    grid = np.linspace(1e-4, 1 - 1e-4, 100001)
    value = p_data * np.log(grid) + p_g * np.log(1 - grid)
    best = grid[np.argmax(value)]
    optimum = optimal_discriminator(p_data, p_g)
    assert optimum == pytest.approx(best, abs=2e-5)
    assert optimum == pytest.approx(p_data / (p_data + p_g), rel=1e-12)
    here = p_data * math.log(optimum) + p_g * math.log(1 - optimum)
    assert here >= value.max() - 1e-12


@settings(max_examples=60, deadline=None)
@given(st.floats(1e-6, 1e6))
def test_equal_densities_give_one_half(p):
    assert optimal_discriminator(p, p) == 0.5


def test_the_optimum_is_element_wise_and_handles_zero_densities():
    np.testing.assert_allclose(
        optimal_discriminator([1.0, 0.0, 2.0, 0.3], [1.0, 5.0, 0.0, 0.1]), [0.5, 0.0, 1.0, 0.75]
    )
    assert isinstance(optimal_discriminator(1, 3), float)
    np.testing.assert_allclose(optimal_discriminator([1.0, 3.0], 1.0), [0.5, 0.75])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: gan_losses([0.5], [0.5], generator="wasserstein"), "generator must be"),
        (lambda: gan_losses([1.2], [0.5]), r"d_real must be probabilities in \[0, 1\]"),
        (lambda: gan_losses([0.5], [-0.1]), r"d_fake must be probabilities"),
        (lambda: gan_losses([np.nan], [0.5]), "d_real must be probabilities"),
        (lambda: gan_losses([], [0.5]), "non-empty"),
        (lambda: gan_losses([[0.5]], [0.5]), "1-D"),
        (lambda: gan_losses(["a"], [0.5]), "numbers"),
        (lambda: optimal_discriminator(0, 0), "both zero"),
        (lambda: optimal_discriminator(-1, 2), "non-negative"),
        (lambda: optimal_discriminator(1, np.inf), "non-negative finite"),
        (lambda: optimal_discriminator([1, 2], [1, 2, 3]), "compatible"),
    ],
)
def test_bad_input_raises(call, message):
    with pytest.raises(ValueError, match=message):
        call()
