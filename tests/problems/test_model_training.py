"""The model-training problem type (one gradient-descent step of logistic
regression), checked against a hand-written loop and finite differences."""

import json
import math
from functools import cache

import numpy as np
import pytest
from scipy.special import expit

from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import model_training

CASES = [(seed, difficulty) for seed in range(30) for difficulty in (1, 2, 3)]


@cache
def variant(seed, difficulty):
    params = model_training.generate(np.random.default_rng(seed), difficulty)
    assert json.loads(json.dumps(params)) == params
    return params, model_training.solve(json.loads(json.dumps(params)))


def misconception(solution, name, tag):
    part = next(part for part in solution.parts if part.name == name)
    return next(m.value_or_expr for m in part.answer.misconceptions if m.tag == tag)


def loop_loss(X, y, w, b, log=math.log):
    """Mean cross-entropy, one sample at a time, from the probabilities."""
    total = 0.0
    for x, label in zip(X, y):
        z = sum(wj * xj for wj, xj in zip(w, x)) + b
        p = 1 / (1 + math.exp(-z))
        total += -(label * log(p) + (1 - label) * log(1 - p))
    return total / len(y)


def loop_gradient(X, y, w, b, link=lambda z: 1 / (1 + math.exp(-z))):
    """Σ (pᵢ − yᵢ) xᵢ and Σ (pᵢ − yᵢ), summed (not yet divided by n)."""
    grad_w, grad_b = [0.0] * len(w), 0.0
    for x, label in zip(X, y):
        error = link(sum(wj * xj for wj, xj in zip(w, x)) + b) - label
        grad_w = [g + error * xj for g, xj in zip(grad_w, x)]
        grad_b += error
    return grad_w, grad_b


def loop_step(X, y, w, b, lr):
    n = len(y)
    grad_w, grad_b = loop_gradient(X, y, w, b)
    return [wj - lr * g / n for wj, g in zip(w, grad_w)], b - lr * grad_b / n


def expit_loss(X, y, w, b):
    p = expit(np.asarray(X) @ np.asarray(w) + b)
    y = np.asarray(y)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


@pytest.mark.parametrize(("seed", "difficulty"), CASES)
def test_step_matches_a_hand_written_loop(seed, difficulty):
    params, solution = variant(seed, difficulty)
    X, y, w0, b0, lr = (params[k] for k in ("X", "y", "w0", "b0", "lr"))
    got = solution.answers()
    w1, b1 = loop_step(X, y, w0, b0, lr)
    assert got["loss_before"] == pytest.approx(loop_loss(X, y, w0, b0), rel=1e-9)
    assert got["w_after"] == pytest.approx(w1, rel=1e-9, abs=1e-12)
    assert got["b_after"] == pytest.approx(b1, rel=1e-9, abs=1e-12)
    assert got["loss_after"] == pytest.approx(loop_loss(X, y, w1, b1), rel=1e-9)
    assert has_distinct_misconceptions(solution)


@pytest.mark.parametrize(("seed", "difficulty"), CASES)
def test_update_is_a_step_down_the_numerical_gradient(seed, difficulty):
    params, solution = variant(seed, difficulty)
    X, y, w0, b0, lr = (params[k] for k in ("X", "y", "w0", "b0", "lr"))
    got = solution.answers()
    eps = 1e-6
    numeric_w = [
        (expit_loss(X, y, np.add(w0, eps * e), b0) - expit_loss(X, y, np.subtract(w0, eps * e), b0))
        / (2 * eps)
        for e in np.eye(len(w0))
    ]
    numeric_b = (expit_loss(X, y, w0, b0 + eps) - expit_loss(X, y, w0, b0 - eps)) / (2 * eps)
    np.testing.assert_allclose(
        (np.asarray(w0) - got["w_after"]) / lr, numeric_w, rtol=1e-5, atol=1e-8
    )
    assert (b0 - got["b_after"]) / lr == pytest.approx(numeric_b, rel=1e-5, abs=1e-8)
    assert got["loss_after"] == pytest.approx(
        expit_loss(X, y, got["w_after"], got["b_after"]), rel=1e-9
    )


@pytest.mark.parametrize(("seed", "difficulty"), CASES)
def test_misconceptions_are_the_mistakes_they_name(seed, difficulty):
    params, solution = variant(seed, difficulty)
    X, y, w0, b0, lr = (params[k] for k in ("X", "y", "w0", "b0", "lr"))
    n = len(y)
    before = loop_loss(X, y, w0, b0)
    w1, b1 = loop_step(X, y, w0, b0, lr)
    after = loop_loss(X, y, w1, b1)
    summed_w, summed_b = loop_gradient(X, y, w0, b0)
    linear_w, linear_b = loop_gradient(X, y, w0, b0, link=lambda z: z)
    uphill_w = [wj + lr * g / n for wj, g in zip(w0, summed_w)]
    uphill_b = b0 + lr * summed_b / n

    for name, loss, w, b in (("loss_before", before, w0, b0), ("loss_after", after, w1, b1)):
        assert misconception(solution, name, "log-base-2") == pytest.approx(
            loop_loss(X, y, w, b, log=math.log2)
        )
        assert misconception(solution, name, "missing-minus") == pytest.approx(-loss)
        assert misconception(solution, name, "summed-loss") == pytest.approx(n * loss)
    assert misconception(solution, "loss_after", "old-parameters") == pytest.approx(before)
    assert misconception(solution, "loss_after", "wrong-sign") == pytest.approx(
        loop_loss(X, y, uphill_w, uphill_b)
    )

    assert misconception(solution, "w_after", "wrong-sign") == pytest.approx(uphill_w)
    assert misconception(solution, "b_after", "wrong-sign") == pytest.approx(uphill_b)
    assert misconception(solution, "w_after", "summed-gradient") == pytest.approx(
        [wj - lr * g for wj, g in zip(w0, summed_w)]
    )
    assert misconception(solution, "b_after", "summed-gradient") == pytest.approx(
        b0 - lr * summed_b
    )
    assert misconception(solution, "w_after", "linear-regression-gradient") == pytest.approx(
        [wj - lr * g / n for wj, g in zip(w0, linear_w)]
    )
    assert misconception(solution, "b_after", "linear-regression-gradient") == pytest.approx(
        b0 - lr * linear_b / n
    )


def test_hand_worked_step_from_zero():
    # From w = b = 0 every pᵢ = 1/2, so L = ln 2; p − y = (−½, −½, ½) gives
    # ∂L/∂w = (−½·1 − ½·2 + ½·(−1))/3 = −2/3 and ∂L/∂b = −½/3 = −1/6.
    params = {"X": [[1], [2], [-1]], "y": [1, 1, 0], "w0": [0], "b0": 0, "lr": 1.0}
    got = model_training.solve(params).answers()
    assert got["loss_before"] == pytest.approx(math.log(2))
    assert got["w_after"] == pytest.approx([2 / 3])
    assert got["b_after"] == pytest.approx(1 / 6)
    z = [2 / 3 * x + 1 / 6 for x in (1, 2, -1)]
    after = -(
        math.log(1 / (1 + math.exp(-z[0])))
        + math.log(1 / (1 + math.exp(-z[1])))
        + math.log(1 - 1 / (1 + math.exp(-z[2])))
    )
    assert got["loss_after"] == pytest.approx(after / 3)
    assert got["loss_after"] < got["loss_before"]


def test_generation_varies_the_structure():
    drawn = [variant(seed, difficulty)[0] for seed, difficulty in CASES]
    shapes = {np.shape(p["X"]) for p in drawn}
    assert {d for _, d in shapes} == {1, 2}
    assert {n for n, _ in shapes} == {3, 4, 5}
    assert {p["lr"] for p in drawn} >= {0.1, 0.5, 1.0}
    assert {all(v == 0 for v in p["w0"]) for p in drawn} == {True, False}
    assert {p["b0"] == 0 for p in drawn} == {True, False}
    assert all(0 < sum(p["y"]) < len(p["y"]) for p in drawn)
    assert all(
        np.shape(p["X"])[1] == 1 for p, (_, difficulty) in zip(drawn, CASES) if difficulty == 1
    )
    assert drawn[5] == model_training.generate(np.random.default_rng(1), 3)


GOOD = {"X": [[1.0, 2.0], [0.5, -1.0], [-1.0, 0.0]], "y": [1, 0, 0], "w0": [0.1, -0.2]}
GOOD = {**GOOD, "b0": 0.0, "lr": 0.5}


@pytest.mark.parametrize(
    ("change", "name"),
    [
        ({"X": [1.0, 2.0, 3.0]}, "X"),
        ({"X": [[1.0, 2.0], [0.5]]}, "X"),
        ({"X": "[[1, 2]]"}, "X"),
        ({"y": [1, 0]}, "y"),
        ({"y": [1, 0, 2]}, "y"),
        ({"w0": [0.1]}, "w0"),
        ({"b0": "0"}, "b0"),
        ({"lr": 0.0}, "lr"),
        ({"lr": -0.5}, "lr"),
        ({"epochs": 3}, "epochs"),
        ({"X": [[1.0, 2.0], [0.5, -1.0], [-1.0, 1e9]]}, "X"),
        ({"w0": [0.1, float("inf")]}, "w0"),
    ],
)
def test_bad_parameters_name_the_parameter(change, name):
    with pytest.raises(ParameterError) as error:
        model_training.solve({**GOOD, **change})
    assert error.value.name == name
