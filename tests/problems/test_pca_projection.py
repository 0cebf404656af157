"""The pca-projection problem type, checked against loops written here, the
SVD and eigen-decomposition of numpy.linalg, and each declared mistake
recomputed from its description."""

import json
import math
from functools import cache

import numpy as np
import pytest

from tutor.answers import check
from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import pca_projection as problem

SEEDS = range(50)


@cache
def _generated(seed, difficulty):
    return json.dumps(problem.generate(np.random.default_rng(seed), difficulty))


def variant(seed, difficulty):
    return json.loads(_generated(seed, difficulty))


def unit_rows(rows):
    return [[v / math.sqrt(sum(w * w for w in row)) for v in row] for row in rows]


def setting(params):
    X = params["X"]
    n, d = len(X), len(X[0])
    mean = params.get("mean") or [sum(x[c] for x in X) / n for c in range(d)]
    return X, mean, unit_rows(params["components"]), params["k"]


def encode_decode(X, mean, axes):
    """Scores, reconstructions and total squared error by loops."""
    scores, rebuilt, error = [], [], 0.0
    for x in X:
        z = [sum(u[c] * (x[c] - mean[c]) for c in range(len(x))) for u in axes]
        r = [mean[c] + sum(zj * u[c] for zj, u in zip(z, axes)) for c in range(len(x))]
        scores.append(z)
        rebuilt.append(r)
        error += sum((a - b) ** 2 for a, b in zip(x, r))
    return scores, rebuilt, error


def needed(eigenvalues, share, largest_first=True):
    ordered = sorted(eigenvalues, reverse=largest_first)
    running = 0.0
    for m, value in enumerate(ordered, start=1):
        running += value
        if running >= share * sum(eigenvalues) - 1e-12:
            return m
    return len(ordered)


def shaped(scores, k):
    return [z[0] for z in scores] if k == 1 else scores


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_answers_match_loops(difficulty):
    for seed in SEEDS:
        params = variant(seed, difficulty)
        answers = problem.solve(params).answers()
        X, mean, axes, k = setting(params)
        scores, rebuilt, error = encode_decode(X, mean, axes[:k])
        np.testing.assert_allclose(answers["scores"], shaped(scores, k), atol=1e-12)
        np.testing.assert_allclose(answers["reconstruction"], rebuilt, atol=1e-12)
        assert answers["error"] == pytest.approx(error, rel=1e-12, abs=1e-12)
        assert answers["components_needed"] == needed(params["eigenvalues"], params["share"])


@pytest.mark.parametrize("difficulty", (2, 3))
def test_data_variants_are_the_datas_own_pca(difficulty):
    data_variants = 0
    for seed in SEEDS:
        params = variant(seed, difficulty)
        if "mean" in params:
            continue
        data_variants += 1
        X = np.array(params["X"], dtype=float)
        n = len(X)
        # numpy's eigen-decomposition of np.cov: the same eigenvalues and axes.
        values, vectors = np.linalg.eigh(np.cov(X, rowvar=False))
        np.testing.assert_allclose(values[::-1], params["eigenvalues"], rtol=1e-10)
        for given, found in zip(unit_rows(params["components"]), vectors.T[::-1]):
            assert abs(float(np.dot(given, found))) == pytest.approx(1.0, abs=1e-10)
        # The SVD of the centred data: its right singular vectors are the axes, and the
        # error of keeping k of them is the sum of the dropped s² = (n − 1) Σ dropped λ.
        _, s, _ = np.linalg.svd(X - X.mean(axis=0))
        answers = problem.solve(params).answers()
        k = params["k"]
        assert answers["error"] == pytest.approx(float((s[k:] ** 2).sum()), rel=1e-9, abs=1e-9)
        assert answers["error"] == pytest.approx((n - 1) * sum(params["eigenvalues"][k:]))
        assert len({tuple(x) for x in params["X"]}) == n
    assert data_variants >= 10


def wrong_values(params):
    """Each declared mistake, recomputed from its description: tag → {part: value}."""
    X, mean, axes, k = setting(params)
    n = len(X)
    right_scores, right_rebuilt, right_error = encode_decode(X, mean, axes[:k])
    # Not centred: the scores of x itself; decoded with the mean added.
    raw = [[sum(u[c] * x[c] for c in range(len(x))) for u in axes[:k]] for x in X]
    raw_rebuilt = [
        [mean[c] + sum(z * u[c] for z, u in zip(zs, axes[:k])) for c in range(len(mean))]
        for zs in raw
    ]
    # The components of the smallest eigenvalues, smallest first.
    smallest = axes[::-1][:k]
    wrong_scores, wrong_rebuilt, wrong_error = encode_decode(X, mean, smallest)
    # Decoded without the mean.
    bare = [[r - m for r, m in zip(row, mean)] for row in right_rebuilt]
    values = {
        "not-centred": {
            "scores": shaped(raw, k),
            "reconstruction": raw_rebuilt,
            "error": sum(sum((a - b) ** 2 for a, b in zip(x, r)) for x, r in zip(X, raw_rebuilt)),
        },
        "wrong-component": {
            "scores": shaped(wrong_scores, k),
            "reconstruction": wrong_rebuilt,
            "error": wrong_error,
        },
        "mean-not-added": {
            "reconstruction": bare,
            "error": sum(sum((a - b) ** 2 for a, b in zip(x, r)) for x, r in zip(X, bare)),
        },
        "not-squared": {
            "error": sum(math.dist(x, r) for x, r in zip(X, right_rebuilt)),
        },
        "mean-per-point": {"error": right_error / n},
        "missing-n-minus-1": {"error": sum(params["eigenvalues"][k:])},
        "smallest-first": {
            "components_needed": needed(params["eigenvalues"], params["share"], False)
        },
        "one-short": {"components_needed": needed(params["eigenvalues"], params["share"]) - 1},
    }
    # Without the normalising factor: the whole-number directions as written.
    whole = [[v / math.gcd(*map(int, row)) for v in row] for row in params["components"][:k]]
    if all(float(v).is_integer() for row in whole for v in row):
        factor_scores, factor_rebuilt, _ = encode_decode(X, mean, whole)
        values["missing-factor"] = {
            "scores": shaped(factor_scores, k),
            "reconstruction": factor_rebuilt,
        }
    return values


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_misconceptions_are_the_mistakes_they_name(difficulty):
    tags = set()
    for seed in SEEDS:
        params = variant(seed, difficulty)
        solution = problem.solve(params)
        assert has_distinct_misconceptions(solution)
        wrong = wrong_values(params)
        for part in solution.parts:
            for m in part.answer.misconceptions:
                expected = wrong[m.tag][part.name]
                np.testing.assert_allclose(m.value_or_expr, expected, atol=1e-9, err_msg=m.tag)
                assert m.score == 0.0 and m.feedback_en and m.feedback_zh
                tags.add((part.name, m.tag))
        if "mean" in params:
            assert "missing-n-minus-1" not in {
                m.tag for p in solution.parts for m in p.answer.misconceptions
            }
    expected = {
        ("scores", "not-centred"),
        ("scores", "wrong-component"),
        ("reconstruction", "mean-not-added"),
        ("error", "not-squared"),
        ("components_needed", "one-short"),
    }
    if difficulty >= 2:
        expected |= {("error", "missing-n-minus-1"), ("components_needed", "smallest-first")}
        expected |= {("scores", "missing-factor")}
    assert expected <= tags


def test_the_notes_example():
    # The notes' points A = (2.5, 2.4), B = (0.4, 0.7), C = (2.2, 2.9): mean (1.7, 2),
    # S = [[1.29, 1.23], [1.23, 1.33]] (the notes misprint 1.29 as 1.26).
    # λ = 1.31 ± √(1.31² − 0.2028): 2.54016 and 0.07984.
    X = [[2.5, 2.4], [0.4, 0.7], [2.2, 2.9]]
    root = math.sqrt(1.31**2 - (1.29 * 1.33 - 1.23**2))
    big, small = 1.31 + root, 1.31 - root
    # (S − λI)v = 0 → v ∝ (1.23, λ − 1.29).
    u1, u2 = unit_rows([[1.23, big - 1.29], [1.23, small - 1.29]])
    params = {"X": X, "components": [u1, u2], "eigenvalues": [big, small], "k": 1, "share": 0.95}
    answers = problem.solve(params).answers()
    assert u1 == pytest.approx([0.7013, 0.7128], abs=1e-4)  # the notes: (0.696, 0.713)
    # Scores: A − mean = (0.8, 0.4), B − mean = (−1.3, −1.3), C − mean = (0.5, 0.9).
    expected = [0.8 * u1[0] + 0.4 * u1[1], -1.3 * u1[0] - 1.3 * u1[1], 0.5 * u1[0] + 0.9 * u1[1]]
    assert answers["scores"] == pytest.approx(expected)
    assert answers["scores"][0] == pytest.approx(0.8462, abs=1e-4)
    # The dropped variance, times n − 1 = 2.
    assert answers["error"] == pytest.approx(2 * small)
    assert answers["error"] == pytest.approx(0.1597, abs=1e-4)
    # 2.540 / 2.62 = 0.9695 ≥ 0.95: one component (the notes: 0.98).
    assert answers["components_needed"] == 1
    params["share"] = 0.98
    assert problem.solve(params).answers()["components_needed"] == 2


# New points: μ = (1, 2), u1 = (3, 4)/5, u2 = (−4, 3)/5, λ = (8, 2), x = (4, 2).
# x − μ = (3, 0): z = 0.6 · 3 + 0.8 · 0 = 1.8; x̂ = (1, 2) + 1.8 (0.6, 0.8) = (2.08, 3.44);
# x − x̂ = (1.92, −1.44), E = 3.6864 + 2.0736 = 5.76 (= the dropped score −2.4, squared).
HAND = {
    "X": [[4, 2]],
    "mean": [1, 2],
    "components": [[3, 4], [-4, 3]],
    "eigenvalues": [8, 2],
    "k": 1,
    "share": 0.75,
}


def test_hand_worked_example():
    solution = problem.solve(HAND)
    answers = solution.answers()
    assert answers["scores"] == pytest.approx([1.8])
    np.testing.assert_allclose(answers["reconstruction"], [[2.08, 3.44]])
    assert answers["error"] == pytest.approx(5.76)
    assert answers["components_needed"] == 1  # 8 / 10 = 0.8 ≥ 0.75
    parts = {p.name: p for p in solution.parts}
    assert check(parts["scores"].answer, "1.8").status == "correct"
    # Not centred: 0.6 · 4 + 0.8 · 2 = 4.
    assert check(parts["scores"].answer, "4").misconception == "not-centred"
    # The second component: −0.8 · 3 + 0.6 · 0 = −2.4.
    assert check(parts["scores"].answer, "-2.4").misconception == "wrong-component"
    assert check(parts["reconstruction"].answer, "[1.08 1.44]").misconception == "mean-not-added"
    # Not squared: ‖(1.92, −1.44)‖ = 2.4.
    assert check(parts["error"].answer, "2.4").misconception == "not-squared"
    # Smallest first: 2 / 10 < 0.75, (2 + 8) / 10 ≥ 0.75 → 2.
    assert check(parts["components_needed"].answer, "2").misconception == "smallest-first"
    # Directions given as (0.6, 0.8): no factor to forget.
    assert "missing-factor" not in {m.tag for p in solution.parts for m in p.answer.misconceptions}
    statement = problem.statement(HAND)
    assert r"u_1 = \left(0.6, 0.8\right)" in statement["en"] and "75%" in statement["en"]


def test_a_factor_outside_the_direction_is_shown_and_its_omission_named():
    params = dict(HAND, components=[[1, 1], [-1, 1]], X=[[3, 5], [0, 2]], share=0.9)
    solution = problem.solve(params)
    assert r"u_1 = \frac{1}{\sqrt{2}}\left(1, 1\right)" in problem.statement(params)["en"]
    parts = {p.name: p for p in solution.parts}
    # x − μ = (2, 3) and (−1, 0): z = 5/√2 and −1/√2; without the factor 5 and −1.
    assert solution.answers()["scores"] == pytest.approx([5 / math.sqrt(2), -1 / math.sqrt(2)])
    assert check(parts["scores"].answer, "[5, -1]").misconception == "missing-factor"
    assert solution.answers()["components_needed"] == 2  # 0.8 < 0.9
    latex = " ".join(step.latex for step in solution.steps)
    assert r"\frac{1}{\sqrt{2}}\left(1 \cdot 2 + 1 \cdot 3\right) = \frac{5}{\sqrt{2}}" in latex


def test_keeping_every_component_rebuilds_exactly():
    params = dict(HAND, k=2)
    answers = problem.solve(params).answers()
    np.testing.assert_allclose(answers["reconstruction"], [[4, 2]], atol=1e-12)
    assert answers["error"] == pytest.approx(0, abs=1e-12)


# Data along (1, 1) and (1, −1): mean (3, 3), centred ±(2, 2) and ±(1, −1), so
# S = [[10, 6], [6, 10]] / 3 with λ = 16/3 along (1, 1) and 4/3 along (1, −1).
# Keeping u1: (4, 2) and (2, 4) rebuild to (3, 3), each 2 away squared: E = 4 = 3 · 4/3.
DATA = {
    "X": [[1, 1], [5, 5], [4, 2], [2, 4]],
    "components": [[1, 1], [1, -1]],
    "eigenvalues": [16 / 3, 4 / 3],
    "k": 1,
    "share": 0.9,
}


def test_data_mode_projects_the_data_itself():
    answers = problem.solve(DATA).answers()
    r = math.sqrt(2)
    assert answers["scores"] == pytest.approx([-2 * r, 2 * r, 0, 0], abs=1e-12)
    np.testing.assert_allclose(answers["reconstruction"], [[1, 1], [5, 5], [3, 3], [3, 3]])
    assert answers["error"] == pytest.approx(4)
    assert answers["components_needed"] == 2  # 16/3 / (20/3) = 0.8 < 0.9
    parts = {p.name: p for p in problem.solve(DATA).parts}
    # The dropped eigenvalue without the factor n − 1 = 3.
    assert check(parts["error"].answer, "1.3333").misconception == "missing-n-minus-1"


def test_data_mode_checks_that_the_axes_are_the_datas():
    # Other data with the same axes claimed: (0, 2) − mean (2, 2) has S = [[10, 2], [2, 2]] / 3.
    with pytest.raises(ParameterError) as info:
        problem.solve(dict(DATA, X=[[1, 1], [3, 3], [4, 2], [0, 2]]))
    assert info.value.name == "components"
    with pytest.raises(ParameterError) as info:
        problem.solve(dict(DATA, eigenvalues=[6, 4 / 3]))
    assert info.value.name == "eigenvalues"


@pytest.mark.parametrize(
    "change, name",
    [
        ({"X": [[1, 2, 3, 4]]}, "X"),
        ({"X": [1, 2]}, "X"),
        ({"X": [[1, 2]] * 7}, "X"),
        ({"X": [["a", 2]]}, "X"),
        ({"mean": [1, 2, 3]}, "mean"),
        ({"mean": "1, 2"}, "mean"),
        ({"components": [[3, 4], [4, 3]]}, "components"),
        ({"components": [[3, 4], [0, 0]]}, "components"),
        ({"components": [[3, 4]]}, "components"),
        ({"components": [[1, 0, 0], [0, 1, 0], [0, 0, 1]]}, "components"),
        ({"eigenvalues": [2, 8]}, "eigenvalues"),
        ({"eigenvalues": [8, 8]}, "eigenvalues"),
        ({"eigenvalues": [8, -2]}, "eigenvalues"),
        ({"eigenvalues": [0, 0]}, "eigenvalues"),
        ({"eigenvalues": [8, 2, 1]}, "eigenvalues"),
        ({"k": 0}, "k"),
        ({"k": 3}, "k"),
        ({"k": 1.5}, "k"),
        ({"share": 0}, "share"),
        ({"share": 1.5}, "share"),
        ({"share": "0.9"}, "share"),
        ({"scale": 2}, "scale"),
    ],
)
def test_bad_parameters_are_refused(change, name):
    with pytest.raises(ParameterError) as info:
        problem.solve({**HAND, **change})
    assert info.value.name == name


def test_a_null_mean_is_an_absent_mean():
    # Sheets and explain give every parameter, null where a variant does not use it.
    assert problem.solve(dict(DATA, mean=None)).answers() == problem.solve(DATA).answers()
    assert problem.statement(dict(DATA, mean=None)) == problem.statement(DATA)


def test_data_mode_needs_two_points():
    params = {key: value for key, value in HAND.items() if key != "mean"}
    with pytest.raises(ParameterError) as info:
        problem.solve(params)
    assert info.value.name == "X"


def test_generation_is_deterministic_and_varied():
    seen = {"d": set(), "mode": set(), "k": set(), "needed": set(), "n": set(), "factor": set()}
    for difficulty in (1, 2, 3):
        for seed in range(40):
            params = variant(seed, difficulty)
            assert params == problem.generate(np.random.default_rng(seed), difficulty)
            d = len(params["X"][0])
            answers = problem.solve(params).answers()
            seen["d"].add(d)
            seen["mode"].add("mean" in params)
            seen["k"].add(params["k"])
            seen["n"].add(len(params["X"]))
            seen["needed"].add(answers["components_needed"])
            seen["factor"].add(any(math.dist(r, [0] * d) % 1 > 0 for r in params["components"]))
            assert 1 <= params["k"] < d
            # No cumulative share within 0.01 of the target.
            values = np.array(params["eigenvalues"])
            assert np.all(np.abs(np.cumsum(values) / values.sum() - params["share"]) >= 0.01)
            if difficulty == 1:
                assert d == 2 and "mean" in params
    assert seen["d"] == {2, 3} and seen["mode"] == {True, False} and seen["k"] == {1, 2}
    assert seen["needed"] == {1, 2, 3} and seen["factor"] == {True, False}
    assert {1, 2, 3, 5} <= seen["n"]
