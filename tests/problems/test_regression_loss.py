"""The regression-loss problem type, checked against MAE and MSE summed in a
loop and gradients by finite differences."""

import json
import math

import numpy as np
import pytest

from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import regression_loss as problem

SEEDS = range(100)


def variant(seed, difficulty):
    return problem.generate(np.random.default_rng(seed), difficulty)


def losses(y, y_hat):
    """MAE and MSE written as the loops of their definitions."""
    abs_sum = sq_sum = 0.0
    for label, prediction in zip(y, y_hat):
        abs_sum += abs(prediction - label)
        sq_sum += (prediction - label) ** 2
    return abs_sum / len(y), sq_sum / len(y)


def fd_gradients(y, y_hat, h=1e-6):
    """Central differences of both losses in each prediction; a prediction
    equal to its label sits on the kink of |e|, where the stated subgradient 0
    is the average of the two one-sided slopes, which central differences give."""
    mae_grad, mse_grad = [], []
    for i in range(len(y_hat)):
        up, down = list(y_hat), list(y_hat)
        up[i] += h
        down[i] -= h
        (mae_up, mse_up), (mae_down, mse_down) = losses(y, up), losses(y, down)
        mae_grad.append((mae_up - mae_down) / (2 * h))
        mse_grad.append((mse_up - mse_down) / (2 * h))
    return np.array(mae_grad), np.array(mse_grad)


def wrong_values(params):
    """Each declared mistake recomputed from its description: tag → candidates."""
    y, y_hat = np.array(params["y"]), np.array(params["y_hat"])
    n = len(y)
    e = y_hat - y
    mae, mse = losses(y, y_hat)
    sign = np.array([1.0 if v > 0 else -1.0 if v < 0 else 0.0 for v in e])
    return {
        "mae": {
            "no-divide-by-n": [np.sum(np.abs(e))],
            "signed-errors": [np.sum(e) / n, np.sum(y - y_hat) / n],
        },
        "mse": {
            "no-divide-by-n": [np.sum(e * e)],
            "rmse": [math.sqrt(mse)],
            "half-mse": [np.sum(e * e) / (2 * n)],
            "missing-square": [mae],
        },
        "mse_gradient": {
            "no-divide-by-n": [2 * e],
            "missing-factor-2": [e / n],
            "sign-flipped": [2 * (y - y_hat) / n],
        },
        "mae_gradient": {
            "no-divide-by-n": [sign],
            "sign-flipped": [-sign / n],
            "sign-of-zero": [np.where(e == 0, 1.0, sign) / n],
        },
    }


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_answers_match_loops_and_finite_differences(difficulty):
    for seed in SEEDS:
        params = variant(seed, difficulty)
        assert json.loads(json.dumps(params)) == params
        answers = problem.solve(params).answers()
        mae, mse = losses(params["y"], params["y_hat"])
        mae_grad, mse_grad = fd_gradients(params["y"], params["y_hat"])
        assert answers["mae"] == pytest.approx(mae, abs=1e-9), params
        assert answers["mse"] == pytest.approx(mse, abs=1e-9), params
        np.testing.assert_allclose(answers["mse_gradient"], mse_grad, atol=1e-6)
        np.testing.assert_allclose(answers["mae_gradient"], mae_grad, atol=1e-6)


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_misconceptions_are_the_mistakes_they_name(difficulty):
    for seed in SEEDS:
        params = variant(seed, difficulty)
        solution = problem.solve(params)
        assert has_distinct_misconceptions(solution), params
        wrong = wrong_values(params)
        for part in solution.parts:
            for m in part.answer.misconceptions:
                candidates = wrong[part.name][m.tag]
                assert any(np.allclose(m.value_or_expr, v, atol=1e-9) for v in candidates), (
                    part.name,
                    m.tag,
                )
                assert m.feedback_en and m.feedback_zh
                assert m.score == (0.5 if m.tag == "sign-of-zero" else 0.0)
        tags = {p.name: [m.tag for m in p.answer.misconceptions] for p in solution.parts}
        assert tags["mae"].count("signed-errors") == 2
        assert set(tags["mse"]) == {"no-divide-by-n", "rmse", "half-mse", "missing-square"}
        has_exact = any(a == b for a, b in zip(params["y"], params["y_hat"]))
        assert ("sign-of-zero" in tags["mae_gradient"]) == has_exact


def test_hand_worked_example():
    # Labels 2, 4, 6, 3 and predictions 3, 4, 4, 5: errors e = ŷ − y = (1, 0, −2, 2).
    # MAE = (1 + 0 + 2 + 2)/4 = 1.25;  MSE = (1 + 0 + 4 + 4)/4 = 2.25.
    # ∂MSE/∂ŷ = 2e/4 = (0.5, 0, −1, 1);  ∂MAE/∂ŷ = sign(e)/4 = (0.25, 0, −0.25, 0.25).
    params = {"y": [2, 4, 6, 3], "y_hat": [3, 4, 4, 5]}
    solution = problem.solve(params)
    answers = solution.answers()
    assert answers["mae"] == pytest.approx(1.25)
    assert answers["mse"] == pytest.approx(2.25)
    np.testing.assert_allclose(answers["mse_gradient"], [0.5, 0, -1, 1])
    np.testing.assert_allclose(answers["mae_gradient"], [0.25, 0, -0.25, 0.25])
    wrong = {
        p.name: {m.tag: m.value_or_expr for m in p.answer.misconceptions} for p in solution.parts
    }
    assert wrong["mse"]["rmse"] == pytest.approx(1.5)  # √2.25
    assert wrong["mse"]["no-divide-by-n"] == pytest.approx(9)
    np.testing.assert_allclose(wrong["mae_gradient"]["sign-of-zero"], [0.25, 0.25, -0.25, 0.25])
    latex = " ".join(step.latex for step in solution.steps)
    assert r"\frac{5}{4} = 1.25" in latex and r"\frac{9}{4} = 2.25" in latex


def test_generation_is_deterministic_and_varied():
    sizes = {1: set(), 2: set(), 3: set()}
    with_zero = 0
    for difficulty in (1, 2, 3):
        for seed in range(60):
            params = variant(seed, difficulty)
            assert params == variant(seed, difficulty)
            y, y_hat = np.array(params["y"]), np.array(params["y_hat"])
            sizes[difficulty].add(len(y))
            e = y_hat - y
            assert np.any(e > 0) and np.any(e < 0)  # mixed signs
            assert np.allclose(e * 10, np.round(e * 10))  # one decimal at most
            with_zero += bool(np.any(e == 0))
            if difficulty == 3:
                assert np.max(np.abs(e)) >= 3  # the outlier
    assert sizes == {1: {3, 4}, 2: {4, 5}, 3: {5, 6}}
    assert with_zero > 10


BASE = {"y": [1.0, 2.0, 3.0], "y_hat": [2.0, 2.0, 1.0]}


@pytest.mark.parametrize(
    "change, name",
    [
        ({"y_hat": [1.0, 2.0]}, "y_hat"),
        ({"y_hat": [[1.0, 2.0, 3.0]]}, "y_hat"),
        ({"y": "1, 2, 3"}, "y"),
        ({"y": []}, "y"),
        ({"y": [1.0, float("nan"), 3.0]}, "y"),
        ({"y_hat": [1.0, None, 3.0]}, "y_hat"),
        ({"y": list(range(13)), "y_hat": list(range(13))}, "y"),
        ({"weights": [1, 1, 1]}, "weights"),
    ],
)
def test_bad_parameters_are_refused(change, name):
    with pytest.raises(ParameterError) as info:
        problem.solve({**BASE, **change})
    assert info.value.name == name


def test_missing_parameter_is_named():
    with pytest.raises(ParameterError) as info:
        problem.solve({"y": [1.0, 2.0]})
    assert info.value.name == "y_hat"
