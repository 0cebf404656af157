"""The kmeans problem type, checked against Lloyd's iterations written here in
exact fractions, scipy.cluster.vq.vq for the assignment, and each declared
mistake recomputed from its description."""

import json
import statistics
from fractions import Fraction
from functools import cache

import numpy as np
import pytest
from scipy.cluster.vq import vq
from scipy.spatial import distance

from tutor.answers import check
from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import kmeans as problem

SEEDS = range(40)


@cache
def _generated(seed, difficulty):
    return json.dumps(problem.generate(np.random.default_rng(seed), difficulty))


def variant(seed, difficulty):
    """The generated parameters (generated once per test session: a fresh
    copy each time, so no test can alter another's)."""
    return json.loads(_generated(seed, difficulty))


def lloyd(X, centroids, iterations, dist=None, centre=None, empty=None):
    """Lloyd's iterations in exact fractions: the nearest centroid by ``dist``
    (squared Euclidean by default; the first wins a tie), each centroid moved
    to ``centre`` of its points (the mean by default), an empty cluster given
    ``empty(old)`` (its old centroid by default). Returns [(labels 1..k,
    centroids)] per iteration."""
    dist = dist or (lambda x, c: sum((a - b) ** 2 for a, b in zip(x, c)))
    centre = centre or (lambda values: sum(values, Fraction(0)) / len(values))
    empty = empty or (lambda old: old)
    points = [[Fraction(v) for v in x] for x in X]
    current = [[Fraction(v) for v in c] for c in centroids]
    history = []
    for _ in range(iterations):
        labels = []
        for x in points:
            d = [dist(x, c) for c in current]
            labels.append(d.index(min(d)) + 1)
        new = []
        for j, old in enumerate(current, start=1):
            members = [x for x, label in zip(points, labels) if label == j]
            if members:
                new.append([centre([m[0] for m in members]), centre([m[1] for m in members])])
            else:
                new.append(empty(old))
        history.append((labels, new))
        current = new
    return history


def as_float(matrix):
    return [[float(v) for v in row] for row in matrix]


def sse(X, centroids, labels, power=2):
    return sum(distance.euclidean(x, centroids[j - 1]) ** power for x, j in zip(X, labels))


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_answers_match_exact_lloyd_iterations_and_scipy(difficulty):
    for seed in SEEDS:
        params = variant(seed, difficulty)
        assert json.loads(json.dumps(params)) == params
        answers = problem.solve(params).answers()
        X, C, iterations = params["X"], params["centroids"], params["iterations"]
        history = lloyd(X, C, iterations)
        labels, centroids = history[0]
        assert answers["assignments"] == labels
        codes, _ = vq(np.array(X, dtype=float), np.array(C, dtype=float))
        assert answers["assignments"] == (codes + 1).tolist()
        np.testing.assert_allclose(answers["centroids"], as_float(centroids), rtol=1e-12)
        exact = sum(
            sum((a - b) ** 2 for a, b in zip(map(Fraction, x), centroids[j - 1]))
            for x, j in zip(X, labels)
        )
        assert answers["wcss"] == pytest.approx(float(exact), rel=1e-12)
        if iterations == 2:
            labels_2, centroids_2 = history[1]
            assert answers["assignments_2"] == labels_2
            np.testing.assert_allclose(answers["centroids_2"], as_float(centroids_2), rtol=1e-12)
        else:
            assert "assignments_2" not in answers and "centroids_2" not in answers


def wrong_values(params):
    """Each declared mistake, recomputed from its description: tag → {part: values}."""
    X, C, iterations = params["X"], params["centroids"], params["iterations"]
    right = lloyd(X, C, iterations)
    manhattan = lloyd(X, C, iterations, dist=lambda x, c: sum(abs(a - b) for a, b in zip(x, c)))
    median = lloyd(X, C, iterations, centre=lambda v: Fraction(statistics.median(v)))
    zeroed = lloyd(X, C, iterations, empty=lambda old: [Fraction(0), Fraction(0)])
    labels, centroids = right[0]
    values = {
        "manhattan": {
            "assignments": manhattan[0][0],
            "centroids": as_float(manhattan[0][1]),
            "wcss": sse(X, as_float(manhattan[0][1]), manhattan[0][0]),
        },
        "median": {
            "centroids": as_float(median[0][1]),
            "wcss": sse(X, as_float(median[0][1]), labels),
        },
        "zero-based": {"assignments": [j - 1 for j in labels]},
        "empty-cluster-zero": {"centroids": as_float(zeroed[0][1])},
        "not-squared": {"wcss": sse(X, as_float(centroids), labels, power=1)},
        "old-centroids": {"wcss": sse(X, C, labels)},
        "mean-not-sum": {"wcss": sse(X, as_float(centroids), labels) / len(X)},
    }
    if iterations == 2:
        values["manhattan"]["assignments_2"] = manhattan[1][0]
        values["manhattan"]["centroids_2"] = as_float(manhattan[1][1])
        values["median"]["assignments_2"] = median[1][0]
        values["median"]["centroids_2"] = as_float(median[1][1])
        values["zero-based"]["assignments_2"] = [j - 1 for j in right[1][0]]
        values["empty-cluster-zero"]["centroids_2"] = as_float(zeroed[1][1])
        # The second assignment made against the initial centroids again, and
        # the centroids that follow from it: the first iteration's.
        values["not-updated"] = {"assignments_2": labels, "centroids_2": as_float(centroids)}
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
                assert np.allclose(m.value_or_expr, expected, rtol=1e-12, atol=1e-12), (
                    params,
                    part.name,
                    m.tag,
                )
                assert m.score == (0.5 if m.tag == "zero-based" else 0.0)
                assert m.feedback_en and m.feedback_zh
                tags.add((part.name, m.tag))
    expected = {
        ("assignments", "zero-based"),
        ("centroids", "median"),
        ("wcss", "not-squared"),
        ("wcss", "old-centroids"),
    }
    if difficulty >= 2:
        expected |= {("assignments", "manhattan"), ("centroids", "manhattan")}
    if difficulty == 3:
        expected |= {("assignments_2", "not-updated"), ("centroids_2", "median")}
    assert expected <= tags


def test_manhattan_is_declared_only_where_it_changes_the_assignment():
    changed = 0
    for seed in range(90):
        params = variant(seed, seed % 3 + 1)
        parts = {p.name: p for p in problem.solve(params).parts}
        right = lloyd(params["X"], params["centroids"], 1)[0][0]
        city = [
            int(np.argmin([distance.cityblock(x, c) for c in params["centroids"]])) + 1
            for x in params["X"]
        ]
        declared = "manhattan" in {m.tag for m in parts["assignments"].answer.misconceptions}
        assert declared == (city != right)
        changed += city != right
    assert changed > 45  # most variants are ones where the slip shows


# A hand-worked example in the notes' setting: the initial centroids are two of
# the objects, x1 = (1, 1) and x2 = (2, 1).
# Iteration 1, squared distances to c1 | c2:
#   (1,1) 0 | 1 → 1;  (2,1) 1 | 0 → 2;  (4,3) 13 | 8 → 2;  (5,4) 25 | 18 → 2;
#   (1,2) 1 | 2 → 1;  (3,4) 13 | 10 → 2.
# c1 = ((1,1) + (1,2)) / 2 = (1, 1.5); c2 = ((2,1) + (4,3) + (5,4) + (3,4)) / 4 = (3.5, 3).
# J = 0.25 + 6.25 + 0.25 + 3.25 + 0.25 + 1.25 = 11.5.
# Iteration 2, squared distances to (1, 1.5) | (3.5, 3):
#   (1,1) 0.25 | 10.25 → 1;  (2,1) 1.25 | 6.25 → 1;  (4,3) 11.25 | 0.25 → 2;
#   (5,4) 22.25 | 3.25 → 2;  (1,2) 0.25 | 7.25 → 1;  (3,4) 10.25 | 1.25 → 2.
# c1 = ((1,1) + (2,1) + (1,2)) / 3 = (4/3, 4/3); c2 = ((4,3) + (5,4) + (3,4)) / 3 = (4, 11/3).
HAND = {
    "X": [[1, 1], [2, 1], [4, 3], [5, 4], [1, 2], [3, 4]],
    "centroids": [[1, 1], [2, 1]],
    "iterations": 2,
}


def test_hand_worked_example():
    solution = problem.solve(HAND)
    answers = solution.answers()
    assert answers["assignments"] == [1, 2, 2, 2, 1, 2]
    assert answers["centroids"] == [[1.0, 1.5], [3.5, 3.0]]
    assert answers["wcss"] == pytest.approx(11.5)
    assert answers["assignments_2"] == [1, 1, 2, 2, 1, 2]
    np.testing.assert_allclose(answers["centroids_2"], [[4 / 3, 4 / 3], [4, 11 / 3]])
    parts = {p.name: p for p in solution.parts}
    assert check(parts["assignments"].answer, "1 2 2 2 1 2").status == "correct"
    assert check(parts["assignments"].answer, "0 1 1 1 0 1").misconception == "zero-based"
    # Manhattan distances give the same clusters here: 0|1, 1|0, 5|4, 7|6, 1|2, 5|4.
    assert [m.tag for m in parts["assignments"].answer.misconceptions] == ["zero-based"]
    # Medians of cluster 2: x from 2, 3, 4, 5 → 3.5; y from 1, 3, 4, 4 → 3.5.
    verdict = check(parts["centroids"].answer, "[1 1.5; 3.5 3.5]")
    assert verdict.misconception == "median"
    # Unsquared: 0.5 + 2.5 + 0.5 + √3.25 + 0.5 + √1.25 = 6.921.
    assert check(parts["wcss"].answer, "6.921").misconception == "not-squared"
    # Against the starting centroids: 0 + 0 + 8 + 18 + 1 + 10 = 37.
    assert check(parts["wcss"].answer, "37").misconception == "old-centroids"
    assert check(parts["wcss"].answer, "11.5 / 6").misconception == "mean-not-sum"
    assert check(parts["centroids_2"].answer, "[1.333 1.333; 4 3.667]").status == "correct"
    assert check(parts["assignments_2"].answer, "1 2 2 2 1 2").misconception == "not-updated"
    latex = " ".join(step.latex for step in solution.steps)
    assert r"\frac{\left(1, 1\right) + \left(1, 2\right)}{2} = \left(1, 1.5\right)" in latex


def test_a_tie_goes_to_the_lower_numbered_centroid():
    # (2, 2) is at squared distance 2 from both centroids.
    params = {"X": [[2, 2], [0, 0], [4, 4]], "centroids": [[1, 1], [3, 3]], "iterations": 1}
    answers = problem.solve(params).answers()
    assert answers["assignments"] == [1, 1, 2]
    assert answers["centroids"] == [[1.0, 1.0], [4.0, 4.0]]
    statement = problem.statement(params)
    assert "smaller number" in statement["en"] and "编号较小" in statement["zh"]


def test_an_empty_cluster_keeps_its_centroid():
    params = {
        "X": [[0, 0], [1, 0], [0, 1], [10, 10]],
        "centroids": [[0, 0], [20, 20], [10, 9]],
        "iterations": 2,
    }
    solution = problem.solve(params)
    answers = solution.answers()
    assert answers["assignments"] == [1, 1, 1, 3]
    np.testing.assert_allclose(answers["centroids"], [[1 / 3, 1 / 3], [20, 20], [10, 10]])
    np.testing.assert_allclose(answers["centroids_2"], [[1 / 3, 1 / 3], [20, 20], [10, 10]])
    parts = {p.name: p for p in solution.parts}
    verdict = check(parts["centroids"].answer, "[0.3333 0.3333; 0 0; 10 10]")
    assert verdict.misconception == "empty-cluster-zero"
    assert "keeps its previous centroid" in verdict.feedback
    # The second iteration changes nothing: the steps say it has converged.
    assert "converged" in solution.steps[-1].text["en"]


@pytest.mark.parametrize(
    "change, name",
    [
        ({"X": [[1, 2, 3]] * 6}, "X"),
        ({"X": [[1, 2]]}, "X"),
        ({"X": [1, 2, 3]}, "X"),
        ({"X": [[1, "a"], [2, 3]]}, "X"),
        ({"X": [[1, 2]] * 13}, "X"),
        ({"X": [[1e6, 2]] * 6}, "X"),
        ({"centroids": [[1, 1]]}, "centroids"),
        ({"centroids": [[1, 1, 1], [2, 2, 2]]}, "centroids"),
        ({"centroids": [[i, i] for i in range(7)]}, "centroids"),
        ({"centroids": [[1, float("nan")], [2, 2]]}, "centroids"),
        ({"iterations": 0}, "iterations"),
        ({"iterations": 3}, "iterations"),
        ({"iterations": 1.5}, "iterations"),
        ({"iterations": "2"}, "iterations"),
        ({"k": 2}, "k"),
    ],
)
def test_bad_parameters_are_refused(change, name):
    with pytest.raises(ParameterError) as info:
        problem.solve({**HAND, **change})
    assert info.value.name == name


def test_more_centroids_than_points_is_refused():
    params = {"X": [[0, 0], [1, 1]], "centroids": [[0, 0], [1, 1], [2, 2]], "iterations": 1}
    with pytest.raises(ParameterError) as info:
        problem.solve(params)
    assert info.value.name == "centroids"


def test_missing_parameter_is_named():
    with pytest.raises(ParameterError) as info:
        problem.solve({"X": HAND["X"], "iterations": 1})
    assert info.value.name == "centroids"


def test_generation_is_deterministic_and_varied():
    seen = {"k": set(), "n": set(), "iterations": {}, "from_points": set(), "converged": set()}
    for difficulty in (1, 2, 3):
        for seed in range(40):
            params = variant(seed, difficulty)
            assert params == problem.generate(np.random.default_rng(seed), difficulty)
            X, C = np.array(params["X"]), np.array(params["centroids"])
            assert X.shape[1] == 2 and 6 <= len(X) <= 8 and 2 <= len(C) <= 3
            assert np.all((X >= 0) & (X <= 8)) and X.dtype.kind == "i"
            assert len({tuple(x) for x in X.tolist()}) == len(X)
            seen["k"].add(len(C))
            seen["n"].add(len(X))
            seen["iterations"].setdefault(difficulty, set()).add(params["iterations"])
            seen["from_points"].add(all(c in params["X"] for c in params["centroids"]))
            history = lloyd(params["X"], params["centroids"], params["iterations"])
            # No point is equally far from two centroids, and no cluster is empty.
            for labels, _ in history:
                assert set(labels) == set(range(1, len(C) + 1))
            current = [[Fraction(v) for v in c] for c in params["centroids"]]
            for _, new in history:
                for x in params["X"]:
                    d = sorted(sum((a - b) ** 2 for a, b in zip(x, c)) for c in current)
                    assert d[1] - d[0] >= Fraction(1, 2)
                current = new
            if params["iterations"] == 2:
                seen["converged"].add(history[0][0] == history[1][0])
            if difficulty == 1:
                assert all(v.denominator in (1, 2) for row in history[0][1] for v in row)
    assert seen["k"] == {2, 3} and seen["n"] == {6, 7, 8}
    assert seen["iterations"] == {1: {1}, 2: {1}, 3: {2}}
    assert seen["from_points"] == {True, False} and seen["converged"] == {True, False}
