"""The sigmoid-derivative problem type, checked against scipy's expit, finite
differences and an independent sympy differentiation."""

import json
import math
from functools import cache

import numpy as np
import pytest
import sympy
from scipy.special import expit

from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import sigmoid_derivative

CASES = [(seed, difficulty) for seed in range(15) for difficulty in (1, 2, 3)]
X = sympy.Symbol("x")
GRID = np.linspace(-2.0, 2.0, 9)


@cache
def variant(seed, difficulty):
    params = sigmoid_derivative.generate(np.random.default_rng(seed), difficulty)
    assert json.loads(json.dumps(params)) == params
    return params, sigmoid_derivative.solve(json.loads(json.dumps(params)))


def answer(solution, name):
    return next(part.answer for part in solution.parts if part.name == name)


def misconception(solution, name, tag):
    return next(m.value_or_expr for m in answer(solution, name).misconceptions if m.tag == tag)


def on_grid(expr):
    """An expression in x evaluated on GRID (a constant broadcast to it)."""
    f = sympy.lambdify(X, expr, "numpy")
    return np.broadcast_to(np.asarray(f(GRID), dtype=float), GRID.shape)


def finite_difference(f, x, eps=1e-6):
    return (f(x + eps) - f(x - eps)) / (2 * eps)


@pytest.mark.parametrize(("seed", "difficulty"), CASES)
def test_numbers_match_expit_and_finite_differences(seed, difficulty):
    params, solution = variant(seed, difficulty)
    z, upstream = params["z"], params["upstream"]
    got = solution.answers()
    slope = finite_difference(expit, z)
    assert got["value"] == pytest.approx(expit(z), rel=1e-9)
    assert got["derivative"] == pytest.approx(slope, rel=1e-6)
    assert got["delta"] == pytest.approx(upstream * slope, rel=1e-6)
    if seed % 5 == 0:
        assert has_distinct_misconceptions(solution)


@pytest.mark.parametrize(("seed", "difficulty"), CASES[::4])
def test_expression_is_the_derivative_of_the_neuron(seed, difficulty):
    params, solution = variant(seed, difficulty)
    w, b = params["w"], params["b"]
    expr = answer(solution, "expression").expr
    assert expr.free_symbols <= {X}
    independent = sympy.diff(1 / (1 + sympy.exp(-(sympy.Float(w) * X + sympy.Float(b)))), X)
    np.testing.assert_allclose(on_grid(expr), on_grid(independent), rtol=1e-9, atol=1e-12)
    numeric = finite_difference(lambda x: expit(w * x + b), GRID)
    np.testing.assert_allclose(on_grid(expr), numeric, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize(("seed", "difficulty"), CASES)
def test_misconceptions_are_the_mistakes_they_name(seed, difficulty):
    params, solution = variant(seed, difficulty)
    z, upstream, w, b = (params[k] for k in ("z", "upstream", "w", "b"))
    e = math.exp(-z)
    assert misconception(solution, "value", "exponent-sign") == pytest.approx(1 / (1 + math.exp(z)))
    assert misconception(solution, "derivative", "shortcut-on-input") == pytest.approx(z * (1 - z))
    assert misconception(solution, "derivative", "missing-square") == pytest.approx(e / (1 + e))
    assert misconception(solution, "derivative", "missing-inner-derivative") == pytest.approx(
        1 / (1 + e) ** 2
    )
    assert misconception(solution, "delta", "missing-local-derivative") == pytest.approx(upstream)
    assert misconception(solution, "delta", "times-output") == pytest.approx(upstream / (1 + e))
    assert misconception(solution, "delta", "shortcut-on-input") == pytest.approx(
        upstream * z * (1 - z)
    )
    s = expit(w * GRID + b)
    np.testing.assert_allclose(
        on_grid(misconception(solution, "expression", "missing-inner-derivative")),
        s * (1 - s),
        rtol=1e-9,
    )
    np.testing.assert_allclose(
        on_grid(misconception(solution, "expression", "argument-only")), w, rtol=1e-12
    )


def test_hand_worked_shortcut():
    # z = ln 3 gives y = 3/4, so σ'(z) = 3/4 · 1/4 = 3/16 and δz = 2 · 3/16 = 3/8;
    # for σ(0.5x) the slope at x = 0 is 0.5 · σ(0)(1 − σ(0)) = 0.5 · 1/4.
    solution = sigmoid_derivative.solve({"z": math.log(3), "upstream": 2.0, "w": 0.5, "b": 0.0})
    got = solution.answers()
    assert got["value"] == pytest.approx(0.75)
    assert got["derivative"] == pytest.approx(3 / 16)
    assert got["delta"] == pytest.approx(3 / 8)
    expr = answer(solution, "expression").expr
    assert float(expr.subs(X, 0)) == pytest.approx(0.125)
    assert float(expr.subs(X, 2 * math.log(3))) == pytest.approx(0.5 * 3 / 16)


def test_generation_varies_the_structure_and_is_deterministic():
    drawn = [variant(seed, difficulty)[0] for seed, difficulty in CASES]
    assert {p["z"] > 0 for p in drawn} == {True, False}
    assert {p["w"] > 0 for p in drawn} == {True, False}
    assert {p["upstream"] > 0 for p in drawn} == {True, False}
    assert {p["b"] == 0 for p in drawn} == {True, False}
    assert all(p["z"] != 0 and abs(p["z"]) <= 3 for p in drawn)
    assert all(p["w"] > 0 for p, (_, difficulty) in zip(drawn, CASES) if difficulty == 1)
    assert drawn[0] == sigmoid_derivative.generate(np.random.default_rng(0), 1)


def test_steps_show_the_numbers():
    solution = sigmoid_derivative.solve({"z": 0.8, "upstream": -1.5, "w": 0.3, "b": -0.5})
    joined = " ".join(step.latex for step in solution.steps)
    assert "e^{-0.8}" in joined
    assert "-1.5" in joined
    assert r"\frac{dy}{dx}" in joined


GOOD = {"z": 0.8, "upstream": -1.5, "w": 0.3, "b": -0.5}


@pytest.mark.parametrize(
    ("change", "name"),
    [
        ({"z": "0.8"}, "z"),
        ({"z": 250.0}, "z"),
        ({"upstream": None}, "upstream"),
        ({"w": [0.3]}, "w"),
        ({"b": True}, "b"),
        ({"b": float("nan")}, "b"),
        ({"c": 1.0}, "c"),
    ],
)
def test_bad_parameters_name_the_parameter(change, name):
    with pytest.raises(ParameterError) as error:
        sigmoid_derivative.solve({**GOOD, **change})
    assert error.value.name == name


def test_missing_parameter_is_named():
    params = dict(GOOD)
    del params["upstream"]
    with pytest.raises(ParameterError) as error:
        sigmoid_derivative.solve(params)
    assert error.value.name == "upstream"
