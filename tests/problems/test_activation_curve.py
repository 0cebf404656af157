"""The activation-curve problem type, checked against y = b + Σ cᵢ a(bᵢ + wᵢx)
written out here with math.exp and max."""

import json
import math

import numpy as np
import pytest

from tutor.answers import check
from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import activation_curve as problem

CASES = [(seed, difficulty) for seed in range(40) for difficulty in (1, 2, 3)]


def sigma(z):
    return 1.0 / (1.0 + math.exp(-z))


def hard(z):
    # The notes' hard sigmoid: two ReLUs, one starting the ramp, one ending it.
    return max(0.0, z) - max(0.0, z - 1.0)


ACT = {"sigmoid": sigma, "relu": lambda z: max(0.0, z), "hard_sigmoid": hard}


def oracle(params):
    act = ACT[params["kind"]]
    x = params["x"]
    pieces = [c * act(b + w * x) for c, w, b in zip(params["c"], params["w"], params["bias"])]
    return pieces, params["b"] + sum(pieces)


def wrong_pieces(params):
    """Each named mistake on the terms, recomputed from its description."""
    kind, x = params["kind"], params["x"]
    act = ACT[kind]
    units = list(zip(params["c"], params["w"], params["bias"]))
    wrong = {
        "activation-before-slope": [c * (act(b) + w * x) for c, w, b in units],
        "slope-as-height": [w * act(b + w * x) for c, w, b in units],
    }
    if kind == "sigmoid":
        wrong["exponent-sign"] = [c / (1 + math.exp(b + w * x)) for c, w, b in units]
    else:
        wrong["not-clipped"] = [c * (b + w * x) for c, w, b in units]
    return wrong


def variant(seed, difficulty):
    params = problem.generate(np.random.default_rng(seed), difficulty)
    assert json.loads(json.dumps(params)) == params
    return params, problem.solve(json.loads(json.dumps(params)))


def parts(solution):
    return {part.name: part.answer for part in solution.parts}


@pytest.mark.parametrize(("seed", "difficulty"), CASES)
def test_answers_match_the_formula(seed, difficulty):
    params, solution = variant(seed, difficulty)
    pieces, y = oracle(params)
    answers = solution.answers()
    assert answers["pieces"] == pytest.approx(pieces, abs=1e-12)
    assert answers["y"] == pytest.approx(y, abs=1e-12)


@pytest.mark.parametrize(("seed", "difficulty"), CASES)
def test_misconceptions_are_the_mistakes_they_name(seed, difficulty):
    params, solution = variant(seed, difficulty)
    assert has_distinct_misconceptions(solution)
    wrong = wrong_pieces(params)
    answer = parts(solution)
    for m in answer["pieces"].misconceptions:
        assert m.value_or_expr == pytest.approx(wrong[m.tag], abs=1e-12), m.tag
    y_mistakes = {m.tag: m.value_or_expr for m in answer["y"].misconceptions}
    _, y = oracle(params)
    assert y_mistakes.pop("missing-outer-bias") == pytest.approx(y - params["b"], abs=1e-12)
    for tag, value in y_mistakes.items():
        assert value == pytest.approx(params["b"] + sum(wrong[tag]), abs=1e-12), tag
    # Every mistake that changes the terms is declared on both parts.
    pieces, _ = oracle(params)
    changed = {t for t, v in wrong.items() if not np.allclose(v, pieces, atol=1e-9)}
    assert {m.tag for m in answer["pieces"].misconceptions} == changed
    assert set(y_mistakes) == changed


@pytest.mark.parametrize(("seed", "difficulty"), CASES[::5])
def test_the_checker_names_each_mistake(seed, difficulty):
    _, solution = variant(seed, difficulty)
    for answer in parts(solution).values():
        for m in answer.misconceptions:
            verdict = check(answer, json.dumps(np.round(m.value_or_expr, 6).tolist()))
            assert verdict.misconception == m.tag


def test_generation_is_deterministic_and_varied():
    kinds, sizes, signs = set(), set(), set()
    for difficulty in (1, 2, 3):
        for seed in range(100):
            params = problem.generate(np.random.default_rng(seed), difficulty)
            assert params == problem.generate(np.random.default_rng(seed), difficulty)
            kind, x = params["kind"], params["x"]
            z = [b + w * x for w, b in zip(params["w"], params["bias"])]
            kinds.add(kind)
            sizes.add(len(z))
            assert x != 0 and params["b"] != 0 and all(c != 0 for c in params["c"])
            if kind == "sigmoid":
                # Exam-friendly points: σ at whole numbers.
                assert all(float(v).is_integer() and abs(v) <= 2 for v in z)
            if kind == "relu":
                assert min(z) < 0 < max(z)
                signs.add("negative clipped")
            if kind == "hard_sigmoid":
                assert any(0 < v < 1 for v in z) and any(v <= 0 or v >= 1 for v in z)
            if difficulty == 1:
                assert len(z) == 2 and kind != "hard_sigmoid"
    assert kinds == {"sigmoid", "relu", "hard_sigmoid"}
    assert sizes == {2, 3}
    assert signs


def test_hand_worked_sigmoid_curve():
    # The notes' three sigmoids, evaluated at x = 1 with
    # z = (−1 + 1·1, −1 + 2·1, 1 − 2·1) = (0, 1, −1):
    # y = 0.5 + 2·σ(0) + 1·σ(1) − 1·σ(−1) = 0.5 + 1 + 0.7311 − 0.2689 = 1.9621.
    params = {
        "kind": "sigmoid",
        "x": 1,
        "b": 0.5,
        "c": [2, 1, -1],
        "w": [1, 2, -2],
        "bias": [-1, -1, 1],
    }
    answers = problem.solve(params).answers()
    expected = [2 * 0.5, sigma(1), -sigma(-1)]
    assert answers["pieces"] == pytest.approx(expected, abs=1e-12)
    assert answers["y"] == pytest.approx(1.5 + sigma(1) - sigma(-1), abs=1e-12)
    assert answers["y"] == pytest.approx(1.9621, abs=1e-4)


def test_hand_worked_hard_sigmoid_from_two_relus():
    # h(z) = max(0, z) − max(0, z − 1). At x = 2: z₁ = −1.5 + 2 = 0.5 on the ramp,
    # z₂ = 0.5·2 + 1 = 2 on the top: y = 1 + 2·0.5 − 1·1 = 1.
    params = {
        "kind": "hard_sigmoid",
        "x": 2,
        "b": 1,
        "c": [2, -1],
        "w": [1, 0.5],
        "bias": [-1.5, 1],
    }
    solution = problem.solve(params)
    assert solution.answers() == {"pieces": [1.0, -1.0], "y": 1.0}
    wrong = {m.tag: m.value_or_expr for m in parts(solution)["pieces"].misconceptions}
    assert wrong["not-clipped"] == pytest.approx([1.0, -2.0])


def test_hand_worked_relu_clips_the_negative_piece():
    # z = (1 − 2·2, −1 + 1·2) = (−3, 1): max(0, −3) = 0, so y = −0.5 + 0 + 1.5·1 = 1.
    params = {"kind": "relu", "x": 2, "b": -0.5, "c": [2, 1.5], "w": [-2, 1], "bias": [1, -1]}
    solution = problem.solve(params)
    assert solution.answers() == {"pieces": [0.0, 1.5], "y": 1.0}
    y = parts(solution)["y"]
    assert check(y, "1.5").misconception == "missing-outer-bias"
    assert check(y, "-5").misconception == "not-clipped"  # −0.5 + 2·(−3) + 1.5


GOOD = {"kind": "sigmoid", "x": 1, "b": 0.5, "c": [1, 2], "w": [1, -1], "bias": [0, 1]}


@pytest.mark.parametrize(
    ("change", "name"),
    [
        ({"kind": "tanh"}, "kind"),
        ({"kind": 3}, "kind"),
        ({"x": "one"}, "x"),
        ({"x": 1000}, "x"),
        ({"b": None}, "b"),
        ({"c": [[1, 2]]}, "c"),
        ({"c": []}, "c"),
        ({"w": [1]}, "w"),
        ({"bias": [0, 1, 2]}, "bias"),
        ({"bias": [0, "a"]}, "bias"),
        ({"c": [1, 1e6]}, "c"),
        ({"gamma": 1}, "gamma"),
    ],
)
def test_bad_parameters_are_refused_by_name(change, name):
    with pytest.raises(ParameterError) as error:
        problem.solve({**GOOD, **change})
    assert error.value.name == name


def test_missing_parameter_is_named():
    params = dict(GOOD)
    del params["bias"]
    with pytest.raises(ParameterError) as error:
        problem.solve(params)
    assert error.value.name == "bias"
