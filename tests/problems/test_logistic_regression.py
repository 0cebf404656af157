"""The logistic-regression problem type, checked against scipy's expit and
xlogy, a loss written out in the test and its finite differences."""

import json
import math
from functools import cache

import numpy as np
import pytest
from scipy.special import expit, xlogy

from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import logistic_regression

CASES = [(seed, difficulty) for seed in range(20) for difficulty in (1, 2, 3)]


@cache
def variant(seed, difficulty):
    params = logistic_regression.generate(np.random.default_rng(seed), difficulty)
    assert json.loads(json.dumps(params)) == params
    return params, logistic_regression.solve(json.loads(json.dumps(params)))


def answer(solution, name):
    return next(part.answer for part in solution.parts if part.name == name)


def mistakes(solution, name):
    return {m.tag: np.asarray(m.value_or_expr) for m in answer(solution, name).misconceptions}


def unpack(params):
    X, r, w = (np.array(params[k], dtype=float) for k in ("X", "r", "w"))
    return X, r, w, float(params["w0"]), float(params["lr"]), params["reduction"]


def oracle_loss(theta, X, r, reduction):
    """The cross-entropy of the notes with θ = (w0, w), summed or averaged."""
    y = expit(X @ theta[1:] + theta[0])
    total = -np.sum(xlogy(r, y) + xlogy(1 - r, 1 - y))
    return total if reduction == "sum" else total / len(r)


def oracle_gradient(theta, X, r, reduction, h=1e-6):
    return np.array(
        [
            (
                oracle_loss(theta + h * e, X, r, reduction)
                - oracle_loss(theta - h * e, X, r, reduction)
            )
            / (2 * h)
            for e in np.eye(len(theta))
        ]
    )


@pytest.mark.parametrize(("seed", "difficulty"), CASES)
def test_answers_match_an_independent_loss_and_its_finite_differences(seed, difficulty):
    params, solution = variant(seed, difficulty)
    X, r, w, w0, eta, reduction = unpack(params)
    theta = np.concatenate([[w0], w])
    got = solution.answers()
    np.testing.assert_allclose(got["predictions"], expit(X @ w + w0), rtol=1e-12)
    assert got["loss"] == pytest.approx(oracle_loss(theta, X, r, reduction), rel=1e-10)
    grad = oracle_gradient(theta, X, r, reduction)
    np.testing.assert_allclose(got["gradient_w"], grad[1:], atol=1e-7)
    assert got["gradient_w0"] == pytest.approx(grad[0], abs=1e-7)
    np.testing.assert_allclose(got["w_next"], w - eta * grad[1:], atol=1e-7)
    assert got["w0_next"] == pytest.approx(w0 - eta * grad[0], abs=1e-7)
    assert has_distinct_misconceptions(solution)


@pytest.mark.parametrize(("seed", "difficulty"), CASES)
def test_misconceptions_are_the_mistakes_they_name(seed, difficulty):
    params, solution = variant(seed, difficulty)
    X, r, w, w0, eta, reduction = unpack(params)
    n = len(r)
    y = np.array([1 / (1 + math.exp(-(x @ w + w0))) for x in X])
    total_loss = -sum(math.log(p) if label == 1 else math.log(1 - p) for p, label in zip(y, r))
    summed_w = sum((p - label) * x for p, label, x in zip(y, r, X))
    summed_w0 = sum(p - label for p, label in zip(y, r))
    scale, other_scale = (1, 1 / n) if reduction == "sum" else (1 / n, 1)
    tag = "mean-not-sum" if reduction == "sum" else "sum-not-mean"

    predictions = mistakes(solution, "predictions")
    np.testing.assert_allclose(predictions["exponent-sign"], 1 / (1 + np.exp(X @ w + w0)))
    np.testing.assert_allclose(predictions["missing-bias"], 1 / (1 + np.exp(-(X @ w))))
    np.testing.assert_allclose(predictions["missing-sigmoid"], X @ w + w0)

    loss = mistakes(solution, "loss")
    assert loss[tag] == pytest.approx(other_scale * total_loss)
    assert loss["missing-minus"] == pytest.approx(-scale * total_loss)
    positive_only = -sum(math.log(p) for p, label in zip(y, r) if label == 1)
    assert loss["missing-negative-class-term"] == pytest.approx(scale * positive_only)

    gradient_w, gradient_w0 = mistakes(solution, "gradient_w"), mistakes(solution, "gradient_w0")
    np.testing.assert_allclose(
        gradient_w["flipped-sign"], scale * sum((label - p) * x for p, label, x in zip(y, r, X))
    )
    np.testing.assert_allclose(gradient_w[tag], other_scale * summed_w)
    assert gradient_w0["flipped-sign"] == pytest.approx(-scale * summed_w0)
    assert gradient_w0[tag] == pytest.approx(other_scale * summed_w0)

    w_next, w0_next = mistakes(solution, "w_next"), mistakes(solution, "w0_next")
    np.testing.assert_allclose(w_next["ascending-step"], w + eta * scale * summed_w)
    np.testing.assert_allclose(w_next[tag], w - eta * other_scale * summed_w)
    assert w0_next["ascending-step"] == pytest.approx(w0 + eta * scale * summed_w0)
    assert w0_next[tag] == pytest.approx(w0 - eta * other_scale * summed_w0)
    assert w0_next["bias-not-updated"] == pytest.approx(w0)


def test_a_hand_worked_example_in_the_notes_notation():
    # x = (1, 2), r = 1 and x = (2, 0), r = 0 with w = (0.5, −0.25), w0 = 0, summed:
    # a = 0 and 1, so y = 1/2 and e/(1 + e); L = −ln(1/2) − ln(1 − e/(1+e)) = ln 2 + ln(1 + e);
    # ∂L/∂w = (1/2 − 1)(1, 2) + e/(1+e) (2, 0); ∂L/∂w0 = −1/2 + e/(1+e).
    params = {
        "X": [[1, 2], [2, 0]],
        "r": [1, 0],
        "w": [0.5, -0.25],
        "w0": 0.0,
        "lr": 0.5,
        "reduction": "sum",
    }
    got = logistic_regression.solve(params).answers()
    s = math.e / (1 + math.e)
    np.testing.assert_allclose(got["predictions"], [0.5, s])
    assert got["loss"] == pytest.approx(math.log(2) + math.log(1 + math.e))
    np.testing.assert_allclose(got["gradient_w"], [-0.5 + 2 * s, -1.0])
    assert got["gradient_w0"] == pytest.approx(s - 0.5)
    np.testing.assert_allclose(got["w_next"], [0.5 - 0.5 * (2 * s - 0.5), 0.25])
    assert got["w0_next"] == pytest.approx(-0.5 * (s - 0.5))
    # The mean halves the loss and the gradient.
    mean = logistic_regression.solve({**params, "reduction": "mean"}).answers()
    assert mean["loss"] == pytest.approx(got["loss"] / 2)
    assert mean["gradient_w0"] == pytest.approx(got["gradient_w0"] / 2)


def test_a_symmetric_example_leaves_the_bias_in_place():
    # x = ±1 with r = 1, 0 and w = ln 3: y = 3/4 and 1/4, so ∂L/∂w0 = −1/4 + 1/4 = 0 and
    # "forgot the bias update" is no mistake here.
    solution = logistic_regression.solve(
        {
            "X": [[1], [-1]],
            "r": [1, 0],
            "w": [math.log(3)],
            "w0": 0.0,
            "lr": 0.2,
            "reduction": "sum",
        }
    )
    got = solution.answers()
    np.testing.assert_allclose(got["predictions"], [0.75, 0.25])
    assert got["loss"] == pytest.approx(2 * math.log(4 / 3))
    np.testing.assert_allclose(got["gradient_w"], [-0.5])
    assert got["w0_next"] == pytest.approx(0.0, abs=1e-12)
    assert "bias-not-updated" not in mistakes(solution, "w0_next")
    assert "missing-bias" not in mistakes(solution, "predictions")


def test_generation_varies_the_structure_and_is_deterministic():
    drawn = [variant(seed, difficulty)[0] for seed, difficulty in CASES]
    assert {p["reduction"] for p in drawn} == {"sum", "mean"}
    assert {len(p["r"]) for p in drawn} == {2, 3, 4}
    assert {len(p["w"]) for p in drawn} == {1, 2}
    for p, (_, difficulty) in zip(drawn, CASES):
        assert set(p["r"]) == {0, 1}
        assert p["w0"] != 0
        if difficulty == 1:
            assert p["reduction"] == "sum" and len(p["r"]) == 2 and len(p["w"]) == 1
    assert drawn[7] == logistic_regression.generate(np.random.default_rng(CASES[7][0]), CASES[7][1])


def test_statement_names_the_convention():
    params, _ = variant(0, 1)
    assert "summed over the samples" in logistic_regression.statement(params)["en"]
    mean = {**params, "reduction": "mean"}
    assert r"\frac{1}{N}" in logistic_regression.statement(mean)["en"]
    assert "取平均" in logistic_regression.statement(mean)["zh"]


GOOD = {
    "X": [[1, 2], [2, 0]],
    "r": [1, 0],
    "w": [0.5, -0.25],
    "w0": 0.1,
    "lr": 0.5,
    "reduction": "sum",
}


@pytest.mark.parametrize(
    ("change", "name"),
    [
        ({"X": [[1, 2, 3], [2, 0, 1]]}, "w"),
        ({"X": [1, 2]}, "X"),
        ({"X": [[1, "a"], [2, 0]]}, "X"),
        ({"X": [[1, 2, 3, 4, 5]] * 2, "w": [1] * 5}, "X"),
        ({"r": [1, 2]}, "r"),
        ({"r": [1, 0, 1]}, "r"),
        ({"w": [0.5]}, "w"),
        ({"w0": "0.1"}, "w0"),
        ({"w0": float("inf")}, "w0"),
        ({"lr": 0}, "lr"),
        ({"lr": -0.1}, "lr"),
        ({"reduction": "median"}, "reduction"),
        ({"reduction": ["sum"]}, "reduction"),
        ({"lam": 0.1}, "lam"),
    ],
)
def test_bad_parameters_name_the_parameter(change, name):
    with pytest.raises(ParameterError) as error:
        logistic_regression.solve({**GOOD, **change})
    assert error.value.name == name


def test_a_missing_parameter_is_named():
    params = dict(GOOD)
    del params["reduction"]
    with pytest.raises(ParameterError) as error:
        logistic_regression.solve(params)
    assert error.value.name == "reduction"
