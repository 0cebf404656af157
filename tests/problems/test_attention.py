"""The attention problem type, checked against scipy.special.softmax and dot
products written out as loops; the notes' example through the real command."""

import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
from scipy.special import softmax

from tutor.answers import check
from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import attention

CASES = [(seed, difficulty) for seed in range(30) for difficulty in (1, 2, 3)]
TUTOR = str(Path(sys.executable).parent / "tutor")
NOTES_UNSCALED = [2.06106005e-09, 4.53978686e-05, 9.99954600e-01]
NOTES_SCALED = [0.09003057, 0.24472847, 0.66524096]


def variant(seed, difficulty):
    params = attention.generate(np.random.default_rng(seed), difficulty)
    assert json.loads(json.dumps(params)) == params
    return params, attention.solve(json.loads(json.dumps(params)))


def answer(solution, name):
    return next(part.answer for part in solution.parts if part.name == name)


def mistakes(solution, name):
    return {m.tag: np.asarray(m.value_or_expr) for m in answer(solution, name).misconceptions}


def raw_scores(params):
    """q·k by loops over the rows, or the given scores; and the d to scale by."""
    if params.get("scores") is not None:
        return np.asarray(params["scores"], dtype=float), params["d"]
    Q, K = params["Q"], params["K"]
    rows = [[sum(a * b for a, b in zip(q, k)) for k in K] for q in Q]
    return np.array(rows, dtype=float), len(Q[0])


@pytest.mark.parametrize(("seed", "difficulty"), CASES)
def test_answers_match_scipy_and_loops(seed, difficulty):
    params, solution = variant(seed, difficulty)
    raw, d = raw_scores(params)
    got = solution.answers()
    np.testing.assert_allclose(got["scores"], raw / math.sqrt(d), rtol=1e-12, atol=1e-12)
    weights = softmax(raw / math.sqrt(d), axis=-1)
    np.testing.assert_allclose(got["weights"], weights, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(got["weights_unscaled"], softmax(raw, axis=-1), atol=1e-15)
    np.testing.assert_allclose(np.sum(got["weights"], axis=-1), 1.0)
    if params.get("V") is not None:
        V = np.asarray(params["V"], dtype=float)
        # Each output row: the value rows weighted by that query's weights.
        rows = np.atleast_2d(weights)
        output = [
            [sum(w * v[c] for w, v in zip(row, V)) for c in range(V.shape[1])] for row in rows
        ]
        np.testing.assert_allclose(
            got["output"], np.reshape(output, np.shape(got["output"])), atol=1e-12
        )
    else:
        assert "output" not in got
    assert has_distinct_misconceptions(solution)
    # Every parameter is given (the unused as null), so that explain --set with a
    # variant's parameters draws nothing that could override them.
    assert set(params) == set(attention.PARAMETERS)
    assert (params["scores"] is None) == (params["Q"] is not None) == (params["K"] is not None)
    assert (params["d"] is None) == (params["scores"] is None)


@pytest.mark.parametrize(("seed", "difficulty"), CASES)
def test_misconceptions_are_the_mistakes_they_name(seed, difficulty):
    params, solution = variant(seed, difficulty)
    raw, d = raw_scores(params)
    scaled = raw / math.sqrt(d)
    single = raw.ndim == 1

    def check_value(name, tag, expected):
        found = mistakes(solution, name)
        if tag in found:
            np.testing.assert_allclose(found[tag], expected, rtol=1e-12, atol=1e-12)

    check_value("scores", "no-scaling", raw)
    check_value("scores", "divided-by-d", raw / d)
    check_value("weights", "no-scaling", softmax(raw, axis=-1))
    check_value("weights", "divided-by-d", softmax(raw / d, axis=-1))
    check_value("weights_unscaled", "scaled", softmax(scaled, axis=-1))
    sums = raw.sum(axis=-1, keepdims=True)
    if np.all(sums != 0):
        check_value("weights", "no-exponential", raw / sums)
        check_value("weights_unscaled", "no-exponential", raw / sums)
    assert {"no-scaling", "divided-by-d"} <= set(mistakes(solution, "weights"))
    if not single:
        # Normalising down the columns, and the transposed scores KQᵀ.
        columns = softmax(scaled, axis=0)
        check_value("weights", "wrong-axis", columns)
        check_value("weights_unscaled", "wrong-axis", softmax(raw, axis=0))
        check_value("scores", "transposed-scores", scaled.T)
        scores_part = answer(solution, "scores")
        for m in scores_part.misconceptions:
            assert m.score == (0.5 if m.tag == "transposed-scores" else 0.0)
        check_value("weights", "transposed-scores", softmax(scaled.T, axis=1))
        check_value("weights_unscaled", "transposed-scores", softmax(raw.T, axis=1))
        assert "wrong-axis" in mistakes(solution, "weights")
    if params.get("V") is not None:
        V = np.asarray(params["V"], dtype=float)
        weights = softmax(scaled, axis=-1)
        check_value("output", "no-scaling", softmax(raw, axis=-1) @ V)
        check_value("output", "divided-by-d", softmax(raw / d, axis=-1) @ V)
        if V.shape[1] == weights.shape[0]:  # the product in the wrong order exists
            check_value("output", "value-times-weights", V @ weights)
        else:
            assert "value-times-weights" not in mistakes(solution, "output")
        if not single:
            check_value("output", "wrong-axis", softmax(scaled, axis=0) @ V)
            check_value("output", "transposed-weights", weights.T @ V)
    for part in solution.parts:
        for m in part.answer.misconceptions:
            assert np.shape(m.value_or_expr) == np.shape(part.answer.value), (part.name, m.tag)


def test_the_notes_example_in_process():
    solution = attention.solve({"scores": [10, 20, 30], "d": 100})
    got = solution.answers()
    np.testing.assert_allclose(got["scores"], [1, 2, 3])
    np.testing.assert_allclose(got["weights"], NOTES_SCALED, rtol=1e-7)
    np.testing.assert_allclose(got["weights_unscaled"], NOTES_UNSCALED, rtol=1e-7)
    assert "output" not in got
    # Dividing by d = 100 instead of √d = 10 is named.
    verdict = check(answer(solution, "weights"), json.dumps(softmax([0.1, 0.2, 0.3]).tolist()))
    assert verdict.misconception == "divided-by-d"
    assert check(answer(solution, "weights"), "[0.09, 0.245, 0.665]").status == "correct"


def tutor(*args):
    return subprocess.run([TUTOR, *args], capture_output=True, text=True, cwd=tempfile.gettempdir())


def tutor_json(*args):
    result = tutor("explain", "attention", *args, "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_notes_example_through_the_command():
    # The notes' check as typed: the optional Q, K and V stay out, so no
    # output part appears and every run prints the same answers.
    runs = [tutor_json("--set", "scores=[10,20,30]", "--set", "d=100") for _ in range(2)]
    got = runs[0]["answers"]
    assert set(got) == {"scores", "weights", "weights_unscaled"}
    assert runs[0]["params"]["V"] is None and runs[0]["params"]["Q"] is None
    assert runs[0]["answers"] == runs[1]["answers"] and runs[0]["steps"] == runs[1]["steps"]
    np.testing.assert_allclose(got["scores"], [1, 2, 3])
    np.testing.assert_allclose(got["weights"], NOTES_SCALED, rtol=1e-7)
    np.testing.assert_allclose(got["weights_unscaled"], NOTES_UNSCALED, rtol=1e-7)


def test_a_seed_with_set_changes_that_variant_where_set_says():
    seed = next(s for s in range(100) if attention.generate(np.random.default_rng(s), 2)["Q"])
    out = tutor_json("--seed", str(seed), "--set", "V=[[1,0],[0,1],[1,1]]")
    assert out["params"]["Q"] is not None and out["params"]["V"] == [[1, 0], [0, 1], [1, 1]]
    np.testing.assert_allclose(
        out["answers"]["output"], np.array(out["answers"]["weights"]) @ [[1, 0], [0, 1], [1, 1]]
    )
    refused = tutor("explain", "attention", "--seed", str(seed), "--set", "scores=[1,2]")
    assert refused.returncode == 2 and "not both" in refused.stderr


def test_q_and_k_are_used_once_scores_is_null():
    Q, K, V = [[1, 0], [0, 1]], [[1, 1], [2, 0]], [[1, 0], [0, 1]]
    params = {"Q": Q, "K": K, "V": V, "scores": None, "d": None}
    got = attention.solve(params).answers()
    raw = np.array([[1, 2], [1, 0]]) / math.sqrt(2)
    np.testing.assert_allclose(got["scores"], raw)
    np.testing.assert_allclose(got["weights"], softmax(raw, axis=1))
    np.testing.assert_allclose(got["output"], softmax(raw, axis=1))  # V = I


def test_a_hand_worked_self_attention():
    # q1·k1 = 2, q1·k2 = 0, q2·k1 = 2, q2·k2 = 4; d = 4 → S = [[1, 0], [1, 2]].
    params = {
        "Q": [[1, 1, 0, 0], [1, 1, 1, 1]],
        "K": [[1, 1, 0, 0], [0, 0, 2, 2]],
        "V": [[1, 0], [0, 1]],
    }
    got = attention.solve(params).answers()
    np.testing.assert_allclose(got["scores"], [[1, 0], [1, 2]])
    e = math.e
    np.testing.assert_allclose(
        got["weights"], [[e / (e + 1), 1 / (e + 1)], [1 / (1 + e), e / (1 + e)]]
    )
    np.testing.assert_allclose(got["output"], got["weights"])
    np.testing.assert_allclose(got["weights_unscaled"][0], [e**2 / (e**2 + 1), 1 / (e**2 + 1)])


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"scores": [1, 2], "d": 4, "extra": 1}, "extra"),
        ({"scores": [1, 2]}, "d"),
        ({"scores": [1, 2], "d": None}, "d"),
        ({"scores": [1, 2], "d": 0}, "d"),
        ({"scores": [1, 2], "d": 2.5}, "d"),
        ({"scores": [1, 2], "d": "4"}, "d"),
        ({"scores": "1 2", "d": 4}, "scores"),
        ({"scores": [[[1, 2]]], "d": 4}, "scores"),
        ({"scores": [1, 2, 1e6], "d": 4}, "scores"),
        ({"scores": [[1, 2, 3]] * 5, "d": 4}, "scores"),
        ({"scores": [1, 2], "d": 4, "V": [["a"], ["b"]]}, "V"),
        ({}, "Q"),
        ({"Q": [[1, 2]]}, "K"),
        ({"Q": [[1, 2]], "K": [[1, 2, 3]]}, "K"),
        ({"Q": [1, 2], "K": [[1, 2]]}, "Q"),
        ({"Q": [[1, 2]], "K": [[1, 2], [3, 4]], "V": [[1, 2]]}, "V"),
        ({"Q": [[1, 2]], "K": [[1, 2], [3, 4]], "V": [[1, 2], [3, "x"]]}, "V"),
        ({"Q": [[1, 2]] * 5, "K": [[1, 2]]}, "Q"),
        ({"Q": [[1, 2]], "K": [[1, 2]] * 7}, "K"),
        ({"Q": [[1, 200]], "K": [[1, 2]]}, "Q"),
        ({"Q": [[1, 2]], "K": [[1, 2]], "d": 3}, "d"),
        ({"scores": [1, 2], "d": 4, "Q": [[1, 2]], "K": [[1, 2]]}, "Q"),
        ({"scores": [1, 2], "d": 4, "K": [[1, 2]]}, "K"),
        ({"scores": [1, 2, 3], "d": 4, "V": [[1], [2]]}, "V"),
    ],
)
def test_bad_parameters_name_the_culprit(params, name):
    with pytest.raises(ParameterError) as error:
        attention.solve(params)
    assert error.value.name == name
