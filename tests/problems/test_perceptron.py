"""The perceptron problem type, checked against the rule written out as a
plain loop over augmented vectors (bias first, input 1)."""

import json

import numpy as np
import pytest

from tutor.answers import check
from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import perceptron as problem

SEEDS = range(80)


def run(params, rule="right", until_correct=None):
    """(w, w0, updates, passes) of a rule applied to the variant, or None when
    it never has an error-free pass within 12 passes. Written independently
    of the module: augmented vectors ã = (1, x), ũ = (w0, w)."""
    X = [[1.0, *map(float, x)] for x in params["X"]]
    r, lr = params["r"], params["lr"]
    u = [float(params["w0"]), *map(float, params["w"])]
    until = params["until_correct"] if until_correct is None else until_correct
    updates = 0
    for passes in range(1, (12 if until else 1) + 1):
        made = 0
        start = list(u)
        pending = [0.0] * len(u)
        for x, label in zip(X, r):
            weights = start if rule == "batch" else u
            g = sum(a * b for a, b in zip(weights, x))
            if rule == "every-point":
                mistake = True
            elif rule == "strict":
                mistake = label * g < 0
            else:
                mistake = label * g <= 0
            if not mistake:
                continue
            made += 1
            step = [lr * label * a for a in x]
            if rule == "minus":
                step = [-s for s in step]
            if rule == "frozen-bias":
                step[0] = 0.0
            if rule == "batch":
                pending = [p + s for p, s in zip(pending, step)]
            else:
                u = [a + s for a, s in zip(u, step)]
        if rule == "batch":
            u = [a + p for a, p in zip(u, pending)]
        updates += made
        if not until or made == 0:
            return u[1:], u[0], updates, passes
        if rule == "every-point":
            return None
    return None


def variant(seed, difficulty):
    return problem.generate(np.random.default_rng(seed), difficulty)


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_answers_match_the_plain_loop(difficulty):
    for seed in SEEDS:
        params = variant(seed, difficulty)
        assert json.loads(json.dumps(params)) == params
        answers = problem.solve(params).answers()
        w, w0, updates, _ = run(params)
        assert answers["w"] == pytest.approx(w, abs=1e-12), params
        assert answers["w0"] == pytest.approx(w0, abs=1e-12), params
        assert answers["mistakes"] == updates, params


MISTAKES = {
    # tag → the rule of run() that makes the mistake
    "update-when-correct": "every-point",
    "strict-inequality": "strict",
    "no-bias-update": "frozen-bias",
    "subtract": "minus",
    "batch-update": "batch",
}


def wrong_values(params):
    """Each declared mistake recomputed from its description: tag → {part: value}."""
    values = {}
    for tag, rule in MISTAKES.items():
        result = run(params, rule)
        if result is not None:
            values[tag] = {"w": result[0], "w0": result[1], "mistakes": result[2]}
    if params["until_correct"]:
        first = run(params, until_correct=False)
        values["stopped-early"] = {"w": first[0], "w0": first[1], "mistakes": first[2]}
        values["counted-passes"] = {"mistakes": run(params)[3]}
    return values


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_misconceptions_are_the_mistakes_they_name(difficulty):
    seen = set()
    for seed in SEEDS:
        params = variant(seed, difficulty)
        solution = problem.solve(params)
        assert has_distinct_misconceptions(solution), params
        wrong = wrong_values(params)
        for part in solution.parts:
            for m in part.answer.misconceptions:
                assert m.value_or_expr == pytest.approx(wrong[m.tag][part.name]), (params, m.tag)
                assert m.feedback_en and m.feedback_zh and m.score == 0.0
                seen.add(m.tag)
    expected = {
        1: {"update-when-correct", "subtract", "batch-update"},
        2: set(MISTAKES),
        3: {"strict-inequality", "no-bias-update", "batch-update", "stopped-early"},
    }[difficulty]
    assert expected <= seen


def test_the_boundary_mistake_is_named():
    # AND from zero, η = 1: point 1 lies on the boundary (g = 0) and must update.
    params = {
        "X": [[0, 0], [0, 1], [1, 0], [1, 1]],
        "r": [-1, -1, -1, 1],
        "w": [0, 0],
        "w0": 0,
        "lr": 1,
        "until_correct": False,
    }
    parts = {p.name: p for p in problem.solve(params).parts}
    # With "< 0" every point of the zero start has r g = 0 and is skipped: no update
    # at all, so w stays (0, 0) (the right pass reaches (1, 1) with 2 updates).
    verdict = check(parts["w"].answer, "[0, 0]")
    assert verdict.misconception == "strict-inequality"
    assert "≤ 0" in verdict.feedback
    assert check(parts["mistakes"].answer, "0").misconception == "strict-inequality"
    assert check(parts["w"].answer, "[1, 1]").status == "correct"


def test_hand_worked_and_gate_one_pass():
    # The notes simulate AND with a perceptron. From w = (0, 0), w0 = 0, η = 1:
    # x1 = (0,0), r = −1: g = 0 ≤ 0 → w0 = −1;  x2, x3: g = −1, r g = 1 > 0;
    # x4 = (1,1), r = +1: g = −1 → w = (1, 1), w0 = 0.  Two updates.
    params = {
        "X": [[0, 0], [0, 1], [1, 0], [1, 1]],
        "r": [-1, -1, -1, 1],
        "w": [0, 0],
        "w0": 0,
        "lr": 1,
        "until_correct": False,
    }
    answers = problem.solve(params).answers()
    assert answers == {"w": [1.0, 1.0], "w0": 0.0, "mistakes": 2}
    assert "AND" in problem.statement(params)["en"]


def test_hand_worked_or_gate_until_correct():
    # OR from zero, η = 1 (by hand): passes 1–5 make 3, 1, 2, 2, 1 updates, pass 6
    # none; the result is w = (2, 2), w0 = −1.
    params = {
        "X": [[0, 0], [0, 1], [1, 0], [1, 1]],
        "r": [-1, 1, 1, 1],
        "w": [0, 0],
        "w0": 0,
        "lr": 1,
        "until_correct": True,
    }
    solution = problem.solve(params)
    assert solution.answers() == {"w": [2.0, 2.0], "w0": -1.0, "mistakes": 9}
    counted = [m for m in solution.parts[2].answer.misconceptions if m.tag == "counted-passes"]
    assert counted and counted[0].value_or_expr == 6
    assert "after 6 passes with 9 updates" in solution.steps[-1].text["en"]


def test_steps_show_each_visit():
    params = {
        "X": [[2, 1], [-1, 3]],
        "r": [1, -1],
        "w": [1, -1],
        "w0": -1,
        "lr": 0.5,
        "until_correct": False,
    }
    # x1: g = 2 − 1 − 1 = 0 → update w = (1, −1) + 0.5·(2, 1) = (2, −0.5), w0 = −0.5.
    # x2: g = −2 − 1.5 − 0.5 = −4, r g = 4 > 0: no update.
    steps = problem.solve(params).steps
    assert len(steps) == 4
    assert r"\begin{bmatrix}2 & -0.5\end{bmatrix}" in steps[1].latex
    assert "= -4" in steps[2].latex and "> 0" in steps[2].latex


def test_generation_is_deterministic_and_varied():
    gates, rates, starts, until = set(), set(), set(), set()
    for difficulty in (1, 2, 3):
        for seed in range(60):
            params = variant(seed, difficulty)
            assert params == variant(seed, difficulty)
            X = np.array(params["X"])
            assert X.shape[1] == 2 and 3 <= len(X) <= 4
            gates.add(problem._gate(X.astype(float), np.array(params["r"], dtype=float)))
            rates.add(params["lr"])
            starts.add(any(params["w"]) or params["w0"] != 0)
            until.add((difficulty, params["until_correct"]))
            _, _, updates, passes = run(params)
            assert updates >= 1
            if params["until_correct"]:
                assert 3 <= passes <= 4
            else:
                assert updates < len(X)
    assert {"AND", "OR", "NAND", None} <= gates
    assert rates == {1, 0.5} and starts == {True, False}
    assert until == {(1, False), (2, False), (3, True)}


BASE = {
    "X": [[1, 2], [2, -1]],
    "r": [1, -1],
    "w": [0, 0],
    "w0": 0,
    "lr": 1,
    "until_correct": False,
}


@pytest.mark.parametrize(
    "change, name",
    [
        ({"X": [[1, 2, 3, 4], [0, 1, 0, 1]]}, "X"),
        ({"X": [1, 2]}, "X"),
        ({"X": "[[1, 2]]"}, "X"),
        ({"r": [1]}, "r"),
        ({"r": [1, 0]}, "r"),
        ({"r": [1, None]}, "r"),
        ({"w": [0, 0, 0]}, "w"),
        ({"w0": "0"}, "w0"),
        ({"w0": float("inf")}, "w0"),
        ({"lr": 0}, "lr"),
        ({"lr": -0.5}, "lr"),
        ({"lr": 11}, "lr"),
        ({"until_correct": "yes"}, "until_correct"),
        ({"until_correct": 1}, "until_correct"),
        ({"epochs": 3}, "epochs"),
        # XOR: no line separates it, so the passes never become error-free.
        (
            {"X": [[0, 0], [0, 1], [1, 0], [1, 1]], "r": [-1, 1, 1, -1], "until_correct": True},
            "X",
        ),
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
