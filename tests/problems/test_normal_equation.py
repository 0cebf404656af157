"""The normal-equation problem type, checked against sums written as loops,
numpy.linalg.lstsq (augmented for ridge) and cofactors from explicit minors."""

import json
from functools import cache

import numpy as np
import pytest

from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import normal_equation as problem

SEEDS = range(80)


@cache
def variant(seed, difficulty):
    return problem.generate(np.random.default_rng(seed), difficulty)


def design(params, ones_last=False):
    X = np.array(params["X"], dtype=float)
    X = X[:, None] if X.ndim == 1 else X
    ones = np.ones((len(X), 1))
    return np.hstack([X, ones] if ones_last else [ones, X])


def sums(params, ones_last=False, ridge=None, penalize_bias=True):
    """XᵀX + λD and Xᵀr entry by entry, as sums over the samples."""
    A = design(params, ones_last)
    r = params["r"]
    ridge = params["ridge"] if ridge is None else ridge
    p = A.shape[1]
    gram = [[sum(row[i] * row[j] for row in A) for j in range(p)] for i in range(p)]
    moment = [sum(row[i] * t for row, t in zip(A, r)) for i in range(p)]
    bias = p - 1 if ones_last else 0
    for i in range(p):
        gram[i][i] += ridge if (penalize_bias or i != bias) else 0.0
    return np.array(gram), np.array(moment)


def least_squares(params, ridge=None, penalize_bias=True):
    """argmin ‖r − Xw‖² + λ‖w‖² as an ordinary least-squares problem with
    √λ-rows appended (one per penalised weight)."""
    A = design(params)
    ridge = params["ridge"] if ridge is None else ridge
    rows = np.sqrt(ridge) * np.eye(A.shape[1])
    if not penalize_bias:
        rows = rows[1:]
    w, *_ = np.linalg.lstsq(
        np.vstack([A, rows]), np.concatenate([params["r"], np.zeros(len(rows))]), rcond=None
    )
    return w


def minors(M):
    """M_ij: the determinant of M without row i and column j."""
    p = len(M)
    out = np.ones((p, p))
    for i in range(p):
        for j in range(p):
            minor = np.delete(np.delete(M, i, axis=0), j, axis=1)
            out[i, j] = np.linalg.det(minor) if minor.size else 1.0
    return out


def wrong_values(params):
    """Each declared mistake recomputed from its description: part → tag → value."""
    gram, moment = sums(params)
    n = len(params["r"])
    ridge = params["ridge"]
    w = least_squares(params)
    p = len(moment)
    signs = (-1.0) ** np.add.outer(range(p), range(p))
    adjugate = (signs * minors(gram)).T
    det = np.linalg.det(gram)
    # The bias last: the system of the design matrix with its ones column last.
    last_gram, last_moment = sums(params, ones_last=True)
    wrong = {
        "xtx": {
            "bias-column-last": last_gram,
            "divided-by-n": sums(params, ridge=0.0)[0] / n + ridge * np.eye(p),
            "ridge-not-added": sums(params, ridge=0.0)[0],
            "bias-unpenalised": sums(params, penalize_bias=False)[0],
        },
        "xtr": {"bias-column-last": last_moment, "divided-by-n": moment / n},
        "w": {
            "bias-column-last": np.linalg.solve(last_gram, last_moment),
            "missing-determinant": adjugate @ moment,
            # The minors transposed, without the signs (−1)^(i+j).
            "cofactor-signs": minors(gram).T @ moment / det,
            "bias-unpenalised": least_squares(params, penalize_bias=False),
            "divided-by-n": least_squares(params, ridge=n * ridge),
            "ridge-not-added": least_squares(params, ridge=0.0),
        },
    }
    assert np.allclose(adjugate @ moment / det, w)
    return wrong


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_answers_match_loops_and_lstsq(difficulty):
    for seed in SEEDS:
        params = variant(seed, difficulty)
        assert json.loads(json.dumps(params)) == params
        answers = problem.solve(params).answers()
        gram, moment = sums(params)
        np.testing.assert_allclose(answers["xtx"], gram, atol=1e-9)
        np.testing.assert_allclose(answers["xtr"], moment, atol=1e-9)
        np.testing.assert_allclose(answers["w"], least_squares(params), atol=1e-8)


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_misconceptions_are_the_mistakes_they_name(difficulty):
    for seed in SEEDS:
        params = variant(seed, difficulty)
        solution = problem.solve(params)
        assert has_distinct_misconceptions(solution), params
        wrong = wrong_values(params)
        for part in solution.parts:
            tags = set()
            for m in part.answer.misconceptions:
                np.testing.assert_allclose(
                    m.value_or_expr, wrong[part.name][m.tag], atol=1e-8, err_msg=m.tag
                )
                assert m.score == (0.5 if m.tag in ("bias-column-last", "bias-unpenalised") else 0)
                assert m.feedback_en and m.feedback_zh
                tags.add(m.tag)
            ridge_tags = {"ridge-not-added", "bias-unpenalised"}
            if params["ridge"] > 0 and part.name != "xtr":
                assert ridge_tags <= tags
            else:
                assert not ridge_tags & tags
            assert {"bias-column-last"} <= tags


def test_hand_worked_example():
    # The notes' w* = (XᵀX)⁻¹Xᵀr for x = (0, 1, 2), r = (1, 3, 4):
    # X = [1 0; 1 1; 1 2], XᵀX = [3 3; 3 5], Xᵀr = (8, 11), det = 15 − 9 = 6,
    # w* = (1/6)[5 −3; −3 3](8, 11) = (1/6)(7, 9) = (1.1667, 1.5).
    params = {"X": [[0], [1], [2]], "r": [1, 3, 4], "ridge": 0}
    answers = problem.solve(params).answers()
    np.testing.assert_allclose(answers["xtx"], [[3, 3], [3, 5]])
    np.testing.assert_allclose(answers["xtr"], [8, 11])
    np.testing.assert_allclose(answers["w"], [7 / 6, 1.5])
    # Ridge with λ = 1 on the bias too: [4 3; 3 6], det = 15,
    # w* = (1/15)[6 −3; −3 4](8, 11) = (1/15)(15, 20) = (1, 1.3333).
    solution = problem.solve({**params, "ridge": 1})
    answers = solution.answers()
    np.testing.assert_allclose(answers["xtx"], [[4, 3], [3, 6]])
    np.testing.assert_allclose(answers["w"], [1, 4 / 3])
    w_part = solution.parts[2].answer
    wrong = {m.tag: m.value_or_expr for m in w_part.misconceptions}
    np.testing.assert_allclose(wrong["ridge-not-added"], [7 / 6, 1.5])
    np.testing.assert_allclose(wrong["missing-determinant"], [15, 20])
    # Free bias: [3 3; 3 6], det = 9, w = (1/9)[6 −3; −3 3](8, 11) = (1/9)(15, 9).
    np.testing.assert_allclose(wrong["bias-unpenalised"], [15 / 9, 1])
    latex = " ".join(step.latex for step in solution.steps)
    assert r"\det = 4 \cdot 6 - 3^2 = 15" in latex and r"\frac{1}{15}" in latex


def test_a_flat_list_is_one_feature():
    flat = problem.solve({"X": [0, 1, 2], "r": [1, 3, 4], "ridge": 0}).answers()
    nested = problem.solve({"X": [[0], [1], [2]], "r": [1, 3, 4], "ridge": 0}).answers()
    assert flat == nested


def test_generation_is_deterministic_and_varied():
    shapes, ridges = set(), set()
    for difficulty in (1, 2, 3):
        for seed in range(60):
            params = variant(seed, difficulty)
            assert params == problem.generate(np.random.default_rng(seed), difficulty)
            X = np.array(params["X"])
            shapes.add((difficulty, *X.shape))
            ridges.add((difficulty, params["ridge"] > 0))
            w = least_squares(params)
            assert np.allclose(w * 1000, np.round(w * 1000), atol=1e-6)  # short decimals
            assert np.all(np.abs(w) <= 20)
    assert shapes == {(1, 3, 1), (2, 3, 1), (2, 4, 1), (3, 4, 2)}
    assert ridges == {(d, has) for d in (1, 2, 3) for has in (True, False)}


BASE = {"X": [[0.0], [1.0], [2.0]], "r": [1.0, 3.0, 4.0], "ridge": 0.0}


@pytest.mark.parametrize(
    "change, name",
    [
        ({"r": [1.0, 2.0]}, "r"),
        ({"r": "1 2 3"}, "r"),
        ({"X": [[[0.0]], [[1.0]], [[2.0]]]}, "X"),
        ({"X": [[0, 1, 2, 3]] * 3}, "X"),
        ({"X": [[1.0], [1.0], [1.0]]}, "X"),  # a constant feature: XᵀX is singular
        ({"X": [[0.0, 1.0], [1.0, 2.0]], "r": [1.0, 2.0]}, "X"),  # fewer samples than weights
        ({"X": "[[0], [1]]"}, "X"),
        ({"ridge": -1.0}, "ridge"),
        ({"ridge": "1"}, "ridge"),
        ({"ridge": float("nan")}, "ridge"),
        ({"lambda": 1.0}, "lambda"),
    ],
)
def test_bad_parameters_are_refused(change, name):
    with pytest.raises(ParameterError) as info:
        problem.solve({**BASE, **change})
    assert info.value.name == name


def test_ridge_makes_a_singular_problem_solvable():
    params = {**BASE, "X": [[1.0], [1.0], [1.0]], "ridge": 1.0}
    np.testing.assert_allclose(problem.solve(params).answers()["w"], least_squares(params))


def test_missing_parameter_is_named():
    with pytest.raises(ParameterError) as info:
        problem.solve({"X": [[0.0], [1.0]], "ridge": 0.0})
    assert info.value.name == "r"
