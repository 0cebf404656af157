"""The gradient-descent problem type, checked against derivatives of the MSE
by finite differences and the descent written out as a loop."""

import json
from functools import cache

import numpy as np
import pytest

from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import gradient_descent as problem

SEEDS = range(80)


@cache
def variant(seed, difficulty):
    return problem.generate(np.random.default_rng(seed), difficulty)


def loss(w, b, x, y):
    return sum((b + w * xn - yn) ** 2 for xn, yn in zip(x, y)) / len(x)


def fd_gradient(w, b, x, y, h=1e-5):
    """Central differences: exact up to rounding on a quadratic."""
    return (
        (loss(w + h, b, x, y) - loss(w - h, b, x, y)) / (2 * h),
        (loss(w, b + h, x, y) - loss(w, b - h, x, y)) / (2 * h),
    )


def descend(params, *, climb=False, scale=1.0, reuse=False, sequential=False):
    """The points of the descent; the keywords make the named mistakes."""
    x, y, lr = params["x"], params["y"], params["lr"]
    w, b = params["w"], params["b"]
    first = fd_gradient(w, b, x, y)
    points = [(w, b)]
    for _ in range(params["steps"]):
        gw = first[0] if reuse else fd_gradient(w, b, x, y)[0]
        move = lr * scale * gw
        new_w = w + move if climb else w - move
        gb = first[1] if reuse else fd_gradient(new_w if sequential else w, b, x, y)[1]
        move = lr * scale * gb
        b = b + move if climb else b - move
        w = new_w
        points.append((w, b))
    return points


NAMES = {(1, 0): "w_next", (1, 1): "b_next", (2, 0): "w_after_two", (2, 1): "b_after_two"}


def wrong_values(params):
    x, y = params["x"], params["y"]
    n = len(x)
    gw, gb = fd_gradient(params["w"], params["b"], x, y)
    wrong = {
        "grad_w": {
            "missing-factor-2": gw / 2,
            "sum-not-mean": gw * n,
            "sign-flipped": -gw,
            "missing-x": gb,  # (2/N)Σ eₙ, the xₙ left out
        },
        "grad_b": {
            "missing-factor-2": gb / 2,
            "sum-not-mean": gb * n,
            "sign-flipped": -gb,
            "x-in-bias-gradient": gw,
        },
    }
    runs = {
        "gradient-ascent": descend(params, climb=True),
        "missing-factor-2": descend(params, scale=0.5),
        "sum-not-mean": descend(params, scale=n),
        "sequential-update": descend(params, sequential=True),
        "reused-gradient": descend(params, reuse=True),
    }
    for (k, i), name in NAMES.items():
        if k <= params["steps"]:
            wrong[name] = {tag: points[k][i] for tag, points in runs.items()}
    wrong["w_next"]["missing-x"] = params["w"] - params["lr"] * gb
    return wrong


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_answers_match_finite_differences_and_the_update_rule(difficulty):
    for seed in SEEDS:
        params = variant(seed, difficulty)
        assert json.loads(json.dumps(params)) == params
        answers = problem.solve(params).answers()
        gw, gb = fd_gradient(params["w"], params["b"], params["x"], params["y"])
        assert answers["grad_w"] == pytest.approx(gw, abs=1e-6), params
        assert answers["grad_b"] == pytest.approx(gb, abs=1e-6), params
        points = descend(params)
        expected = {NAMES[(k, i)]: points[k][i] for k in range(1, len(points)) for i in (0, 1)}
        assert set(answers) == {"grad_w", "grad_b", *expected}
        for name, value in expected.items():
            assert answers[name] == pytest.approx(value, abs=1e-6), (name, params)


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_misconceptions_are_the_mistakes_they_name(difficulty):
    for seed in SEEDS:
        params = variant(seed, difficulty)
        solution = problem.solve(params)
        assert has_distinct_misconceptions(solution), params
        wrong = wrong_values(params)
        for part in solution.parts:
            for m in part.answer.misconceptions:
                assert m.value_or_expr == pytest.approx(wrong[part.name][m.tag], abs=1e-6), (
                    part.name,
                    m.tag,
                    params,
                )
                assert m.feedback_en and m.feedback_zh and m.score == 0.0
        tags = {p.name: {m.tag for m in p.answer.misconceptions} for p in solution.parts}
        assert tags["grad_w"] == {"missing-factor-2", "sum-not-mean", "sign-flipped", "missing-x"}
        assert {"gradient-ascent", "missing-factor-2"} <= tags["w_next"] & tags["b_next"]
        if difficulty >= 2:
            assert "sequential-update" in tags["b_next"]
        if params["steps"] == 2:
            assert "reused-gradient" in tags["w_after_two"] & tags["b_after_two"]


def test_hand_worked_example():
    # ŷ = b + w·x (the notes' model y = b + w x₁) with w⁰ = 1, b⁰ = 0, η = 0.1 on
    # (1, 3), (2, 5): ŷ = (1, 2), e = ŷ − y = (−2, −3).
    # ∂L/∂w = (2/2)(−2·1 − 3·2) = −8;  ∂L/∂b = (2/2)(−2 − 3) = −5.
    # w¹ = 1 + 0.8 = 1.8;  b¹ = 0 + 0.5 = 0.5.
    # Second step: ŷ = (2.3, 4.1), e = (−0.7, −0.9): ∂L/∂w = −2.5, ∂L/∂b = −1.6;
    # w² = 1.8 + 0.25 = 2.05;  b² = 0.5 + 0.16 = 0.66.
    params = {"x": [1, 2], "y": [3, 5], "w": 1, "b": 0, "lr": 0.1, "steps": 2}
    solution = problem.solve(params)
    assert solution.answers() == pytest.approx(
        {
            "grad_w": -8,
            "grad_b": -5,
            "w_next": 1.8,
            "b_next": 0.5,
            "w_after_two": 2.05,
            "b_after_two": 0.66,
        }
    )
    wrong = {
        p.name: {m.tag: m.value_or_expr for m in p.answer.misconceptions} for p in solution.parts
    }
    # Sequential: b¹ from ∂L/∂b at (w¹, b⁰) = (2/2)((1.8 − 3) + (3.6 − 5)) = −2.6 → 0.26.
    assert wrong["b_next"]["sequential-update"] == pytest.approx(0.26)
    assert wrong["w_next"]["gradient-ascent"] == pytest.approx(0.2)
    assert wrong["grad_w"]["missing-factor-2"] == pytest.approx(-4)
    # Reused gradient: w² = 1 + 2 · 0.8 = 2.6.
    assert wrong["w_after_two"]["reused-gradient"] == pytest.approx(2.6)
    latex = " ".join(step.latex for step in solution.steps)
    assert "= -8" in latex and "= 1.8" in latex and "= 2.05" in latex and "= 0.66" in latex


def test_one_step_has_four_parts():
    params = {"x": [1, 2], "y": [3, 5], "w": 1, "b": 0, "lr": 0.1, "steps": 1}
    names = [p.name for p in problem.solve(params).parts]
    assert names == ["grad_w", "grad_b", "w_next", "b_next"]


def test_generation_is_deterministic_and_varied():
    rates, sizes = set(), set()
    for difficulty in (1, 2, 3):
        for seed in range(60):
            params = variant(seed, difficulty)
            assert params == variant(seed, difficulty)
            assert params["steps"] == (2 if difficulty == 3 else 1)
            rates.add(params["lr"])
            sizes.add(len(params["x"]))
            points = descend(params)
            losses = [loss(w, b, params["x"], params["y"]) for w, b in points]
            assert all(a > b for a, b in zip(losses, losses[1:])), params  # descent descends
            numbers = np.array([*params["x"], *params["y"], *np.ravel(points)])
            assert np.allclose(numbers * 1e4, np.round(numbers * 1e4), atol=1e-5)
    assert sizes == {2, 3, 4}
    assert {0.1, 0.05} <= rates <= {0.1, 0.05, 0.02}


BASE = {"x": [1.0, 2.0], "y": [3.0, 5.0], "w": 1.0, "b": 0.0, "lr": 0.1, "steps": 1}


@pytest.mark.parametrize(
    "change, name",
    [
        ({"y": [3.0]}, "y"),
        ({"x": [[1.0, 2.0]]}, "x"),
        ({"x": "1 2"}, "x"),
        ({"x": []}, "x"),
        ({"lr": 0}, "lr"),
        ({"lr": -0.1}, "lr"),
        ({"lr": "0.1"}, "lr"),
        ({"w": float("inf")}, "w"),
        ({"b": None}, "b"),
        ({"steps": 3}, "steps"),
        ({"steps": 1.5}, "steps"),
        ({"momentum": 0.9}, "momentum"),
    ],
)
def test_bad_parameters_are_refused(change, name):
    with pytest.raises(ParameterError) as info:
        problem.solve({**BASE, **change})
    assert info.value.name == name


def test_missing_parameter_is_named():
    params = dict(BASE)
    del params["lr"]
    with pytest.raises(ParameterError) as info:
        problem.solve(params)
    assert info.value.name == "lr"
