"""The gan-loss problem type, checked against binary cross-entropy written with
scipy.special.xlogy, math.log loops, and a grid search for the optimal
discriminator."""

import json
import math

import numpy as np
import pytest
from scipy.special import xlogy

from tutor.answers import check
from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import gan_loss

CASES = [(seed, difficulty) for seed in range(40) for difficulty in (1, 2, 3)]
GRID = np.linspace(1e-4, 1 - 1e-4, 20001)


def variant(seed, difficulty):
    params = gan_loss.generate(np.random.default_rng(seed), difficulty)
    assert json.loads(json.dumps(params)) == params
    return params, gan_loss.solve(json.loads(json.dumps(params)))


def answer(solution, name):
    return next(part.answer for part in solution.parts if part.name == name)


def mistakes(solution, name):
    return {m.tag: m.value_or_expr for m in answer(solution, name).misconceptions}


def bce(label, outputs):
    """Mean of −[y ln p + (1 − y) ln(1 − p)] for one label y."""
    p = np.asarray(outputs, dtype=float)
    return float(np.mean(-(xlogy(label, p) + xlogy(1 - label, 1 - p))))


@pytest.mark.parametrize(("seed", "difficulty"), CASES)
def test_answers_match_cross_entropy_and_a_grid_search(seed, difficulty):
    params, solution = variant(seed, difficulty)
    real, fake = params["d_real"], params["d_fake"]
    got = solution.answers()
    # D labels real samples 1 and generated ones 0.
    assert got["d_loss"] == pytest.approx(bce(1, real) + bce(0, fake), rel=1e-12)
    if params["generator"] == "minimax":
        assert got["g_loss"] == pytest.approx(-bce(0, fake), rel=1e-12)
        assert got["g_loss"] < 0
    else:
        # The non-saturating loss: the fakes scored against the label "real".
        assert got["g_loss"] == pytest.approx(bce(1, fake), rel=1e-12)
        assert got["g_loss"] > 0
    if params["p_data"] is not None:
        p_data, p_g = params["p_data"], params["p_g"]
        value = p_data * np.log(GRID) + p_g * np.log(1 - GRID)
        assert got["d_optimal"] == pytest.approx(GRID[np.argmax(value)], abs=1e-4)
        if p_data == p_g:
            assert got["d_optimal"] == 0.5
    else:
        assert "d_optimal" not in got
    assert len(real) == len(fake) in (2, 3)
    assert all(0 < v < 1 for v in real + fake)
    assert has_distinct_misconceptions(solution)
    # Complete, with null densities when D* is not asked: explain --set with these
    # parameters draws nothing that would add a part.
    assert set(params) == set(gan_loss.PARAMETERS)
    assert (params["p_data"] is None) == (params["p_g"] is None)


@pytest.mark.parametrize(("seed", "difficulty"), CASES)
def test_misconceptions_are_the_mistakes_they_name(seed, difficulty):
    params, solution = variant(seed, difficulty)
    real, fake = params["d_real"], params["d_fake"]
    m = len(real)
    d_loss = -sum(math.log(a) + math.log(1 - b) for a, b in zip(real, fake)) / m
    minimax = sum(math.log(1 - b) for b in fake) / m
    saturating_free = -sum(math.log(b) for b in fake) / m
    d_found = mistakes(solution, "d_loss")
    assert d_found["sign-error"] == pytest.approx(-d_loss)
    assert d_found["log2"] == pytest.approx(
        -sum(math.log2(a) + math.log2(1 - b) for a, b in zip(real, fake)) / m
    )
    assert d_found["sum-not-mean"] == pytest.approx(m * d_loss)
    assert d_found["swapped-real-fake"] == pytest.approx(
        -sum(math.log(b) + math.log(1 - a) for a, b in zip(real, fake)) / m
    )
    if "missing-one-minus" in d_found:
        assert d_found["missing-one-minus"] == pytest.approx(
            -sum(math.log(a) + math.log(b) for a, b in zip(real, fake)) / m
        )
    g_found = mistakes(solution, "g_loss")
    asked, other = (
        (minimax, saturating_free)
        if params["generator"] == "minimax"
        else (saturating_free, minimax)
    )
    assert g_found["other-form"] == pytest.approx(other)
    assert g_found["sign-error"] == pytest.approx(-asked)
    assert g_found["log2"] == pytest.approx(asked / math.log(2))
    assert g_found["sum-not-mean"] == pytest.approx(m * asked)
    if "with-real-term" in g_found:
        assert params["generator"] == "minimax"
        assert g_found["with-real-term"] == pytest.approx(-d_loss)
    if params["p_data"] is not None:
        p_data, p_g = params["p_data"], params["p_g"]
        o_found = mistakes(solution, "d_optimal")
        if p_data == p_g:
            assert o_found == {"perfect-discriminator": 1.0}
        else:
            assert o_found["swapped-densities"] == pytest.approx(p_g / (p_data + p_g))
            if "density-ratio" in o_found:
                assert o_found["density-ratio"] == pytest.approx(p_data / p_g)


def test_a_hand_worked_example():
    # D(x) = 0.8, 0.9 and D(G(z)) = 0.2, 0.4: L_D = −½[ln 0.8 + ln 0.8 + ln 0.9 + ln 0.6].
    params = {
        "d_real": [0.8, 0.9],
        "d_fake": [0.2, 0.4],
        "generator": "minimax",
        "p_data": 0.3,
        "p_g": 0.6,
    }
    solution = gan_loss.solve(params)
    got = solution.answers()
    assert got["d_loss"] == pytest.approx(-0.5 * math.log(0.8 * 0.8 * 0.9 * 0.6))
    assert got["g_loss"] == pytest.approx(0.5 * math.log(0.8 * 0.6))
    assert got["d_optimal"] == pytest.approx(1 / 3)
    # Giving the non-saturating value when the minimax one is asked is named.
    verdict = check(answer(solution, "g_loss"), f"{-0.5 * math.log(0.2 * 0.4):.5f}")
    assert verdict.misconception == "other-form"
    non_saturating = gan_loss.solve({**params, "generator": "non-saturating"}).answers()
    assert non_saturating["g_loss"] == pytest.approx(-0.5 * math.log(0.2 * 0.4))


def test_at_the_equilibrium_the_discriminator_outputs_one_half():
    params = {"d_real": [0.5, 0.5], "d_fake": [0.5, 0.5], "generator": "minimax"}
    got = gan_loss.solve({**params, "p_data": 0.7, "p_g": 0.7}).answers()
    assert got["d_loss"] == pytest.approx(2 * math.log(2))
    assert got["g_loss"] == pytest.approx(-math.log(2))
    assert got["d_optimal"] == 0.5


def test_null_densities_ask_no_optimum():
    params = {"d_real": [0.9, 0.6], "d_fake": [0.1, 0.3], "generator": "minimax"}
    assert "d_optimal" not in gan_loss.solve({**params, "p_data": None, "p_g": None}).answers()


GOOD = {"d_real": [0.9, 0.6], "d_fake": [0.1, 0.3], "generator": "non-saturating"}


@pytest.mark.parametrize(
    ("change", "name"),
    [
        ({"extra": 1}, "extra"),
        ({"d_real": [0.9, 1.0]}, "d_real"),
        ({"d_real": [0.0, 0.5]}, "d_real"),
        ({"d_real": "0.9"}, "d_real"),
        ({"d_real": [[0.9, 0.6]]}, "d_real"),
        ({"d_real": [0.5] * 7}, "d_real"),
        ({"d_fake": [0.1, -0.3]}, "d_fake"),
        ({"d_fake": [0.1]}, "d_fake"),
        ({"d_fake": [0.1, None]}, "d_fake"),
        ({"generator": "wasserstein"}, "generator"),
        ({"generator": 1}, "generator"),
        ({"p_data": 0.5}, "p_g"),
        ({"p_g": 0.5}, "p_data"),
        ({"p_data": -1, "p_g": 0.5}, "p_data"),
        ({"p_data": 0.5, "p_g": "x"}, "p_g"),
        ({"p_data": 0, "p_g": 0}, "p_g"),
    ],
)
def test_bad_parameters_name_the_culprit(change, name):
    with pytest.raises(ParameterError) as error:
        gan_loss.solve({**GOOD, **change})
    assert error.value.name == name


def test_a_missing_parameter_is_named():
    for name in GOOD:
        params = dict(GOOD)
        del params[name]
        with pytest.raises(ParameterError) as error:
            gan_loss.solve(params)
        assert error.value.name == name
