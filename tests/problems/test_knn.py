"""The knn problem type, checked against scipy.spatial.distance and a
brute-force vote written here."""

import json

import numpy as np
import pytest
from scipy.spatial import distance

from tutor.answers import check
from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import knn as problem

SEEDS = range(80)


def vote(params, k, tie_order=1):
    """The vote of the k nearest (Euclidean; equal distances in training order,
    or latest first with tie_order = -1); a tied vote goes to the tied class
    whose member comes first among the neighbours."""
    X, y, x = params["X"], params["y"], params["x"]
    dist = [distance.euclidean(row, x) for row in X]
    order = sorted(range(len(X)), key=lambda i: (dist[i], tie_order * i))[:k]
    labels = [y[i] for i in order]
    top = max(labels.count(c) for c in labels)
    return next(c for c in labels if labels.count(c) == top)


def tied_classes(params):
    X, y, x, k = params["X"], params["y"], params["x"], params["k"]
    dist = [distance.euclidean(row, x) for row in X]
    labels = [y[i] for i in sorted(range(len(X)), key=lambda i: (dist[i], i))[:k]]
    top = max(labels.count(c) for c in labels)
    return {c for c in labels if labels.count(c) == top}


def variant(seed, difficulty):
    return problem.generate(np.random.default_rng(seed), difficulty)


def at(values, params):
    """The distances to every point, or to the named one."""
    return values if "point" not in params else values[params["point"] - 1]


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_answers_match_scipy_and_a_brute_force_vote(difficulty):
    for seed in SEEDS:
        params = variant(seed, difficulty)
        assert json.loads(json.dumps(params)) == params
        answers = problem.solve(params).answers()
        X, x = params["X"], params["x"]
        assert answers["euclidean"] == pytest.approx([distance.euclidean(r, x) for r in X])
        manhattan = [distance.cityblock(r, x) for r in X]
        assert answers["manhattan"] == pytest.approx(at(manhattan, params))
        if "p" in params:
            minkowski = [distance.minkowski(r, x, params["p"]) for r in X]
            assert answers["minkowski"] == pytest.approx(at(minkowski, params))
        else:
            assert "minkowski" not in answers
        assert answers["cosine"] == pytest.approx(1 - distance.cosine(params["u"], params["v"]))
        assert answers["prediction"] == vote(params, params["k"])


def wrong_values(params):
    """Each declared mistake recomputed from its description: tag → {part: values}."""
    X, x, u, v, k = (np.array(params[name], dtype=float) for name in ("X", "x", "u", "v", "k"))
    k = int(k)
    diffs = X - x
    signed = diffs.sum(axis=1)
    cos = 1 - distance.cosine(u, v)
    values = {
        "no-square-root": {"euclidean": [((X - x) ** 2).sum(axis=1).tolist()]},
        "no-abs": {"manhattan": [at(signed.tolist(), params), at((-signed).tolist(), params)]},
        "dot-product": {"cosine": [float(u @ v)]},
        "cosine-distance": {"cosine": [1 - cos]},
        "k-plus-one": {"prediction": [vote(params, k + 1)]},
        "nearest-only": {"prediction": [vote(params, 1)]},
        "tie-rule": {"prediction": [vote(params, k, tie_order=-1), *tied_classes(params)]},
    }
    if "p" in params:
        p = params["p"]
        powered = (np.abs(diffs) ** p).sum(axis=1)
        values["missing-root"] = {"minkowski": [at(powered.tolist(), params)]}
        values["wrong-root"] = {"minkowski": [at(np.sqrt(powered).tolist(), params)]}
    return values


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_misconceptions_are_the_mistakes_they_name(difficulty):
    tags = set()
    for seed in SEEDS:
        params = variant(seed, difficulty)
        solution = problem.solve(params)
        assert has_distinct_misconceptions(solution), params
        wrong = wrong_values(params)
        for part in solution.parts:
            for m in part.answer.misconceptions:
                candidates = wrong[m.tag][part.name]
                if part.name == "prediction":
                    assert m.value_or_expr in candidates and m.value_or_expr != vote(
                        params, params["k"]
                    )
                else:
                    assert any(
                        np.allclose(m.value_or_expr, c, rtol=0, atol=1e-12) for c in candidates
                    ), (params, m.tag)
                assert m.score == 0.0 and m.feedback_en and m.feedback_zh
                tags.add(m.tag)
        parts = {p.name: p for p in solution.parts}
        assert [m.tag for m in parts["euclidean"].answer.misconceptions] == ["no-square-root"]
        assert {m.tag for m in parts["cosine"].answer.misconceptions} >= {"dot-product"}
    expected = {"no-square-root", "no-abs", "dot-product", "k-plus-one", "nearest-only"}
    assert expected <= tags


def test_tie_rules_are_exercised():
    distance_ties = vote_ties = 0
    for seed in range(120):
        params = variant(seed, 3)
        X, x, k = params["X"], params["x"], params["k"]
        dist = sorted(distance.euclidean(row, x) for row in X)
        distance_ties += dist[k - 1] == dist[k]
        vote_ties += len(tied_classes(params)) > 1
    assert distance_ties > 5 and vote_ties > 5


# A hand-worked example: training points A (1, 1), A (2, 1), B (4, 3), B (5, 5), A (1, 4),
# query (3, 2), k = 3.
# Euclidean: √(4+1) = 2.236, √(1+1) = 1.414, √(1+1) = 1.414, √(4+9) = 3.606, √(4+4) = 2.828.
# Nearest: x2 (1.414, A), x3 (1.414, B; after x2 in training order), x1 (2.236, A): A wins 2–1.
# The nearest point alone says A as well; k + 1 = 4 adds x5 (A): still A.
# Manhattan to point 4: |5 − 3| + |5 − 2| = 5; Minkowski p = 3: (8 + 27)^(1/3) = 3.271.
# Cosine of u = (1, 2), v = (3, 1): 5 / (√5 √10) = 0.7071.
HAND = {
    "X": [[1, 1], [2, 1], [4, 3], [5, 5], [1, 4]],
    "y": ["A", "A", "B", "B", "A"],
    "x": [3, 2],
    "k": 3,
    "u": [1, 2],
    "v": [3, 1],
    "point": 4,
    "p": 3,
}


def test_hand_worked_example():
    solution = problem.solve(HAND)
    answers = solution.answers()
    assert answers["euclidean"] == pytest.approx(
        [5**0.5, 2**0.5, 2**0.5, 13**0.5, 8**0.5], rel=1e-12
    )
    assert answers["manhattan"] == 5
    assert answers["minkowski"] == pytest.approx(35 ** (1 / 3))
    assert answers["cosine"] == pytest.approx(0.5**0.5)
    assert answers["prediction"] == "A"
    parts = {p.name: p for p in solution.parts}
    assert check(parts["manhattan"].answer, "5").status == "correct"
    assert check(parts["minkowski"].answer, "35").misconception == "missing-root"
    assert check(parts["cosine"].answer, "5").misconception == "dot-product"
    assert check(parts["euclidean"].answer, "[5 2 2 13 8]").misconception == "no-square-root"
    assert check(parts["prediction"].answer, "A").status == "correct"
    # Every wrong k gives A too: no misconception is declared for the vote.
    assert parts["prediction"].answer.misconceptions == ()
    # Manhattan without absolute values: (5 − 3) + (5 − 2) = 5 is the right value, and
    # (3 − 5) + (2 − 5) = −5 is the mistake.
    assert [m.value_or_expr for m in parts["manhattan"].answer.misconceptions] == [-5.0]


def test_a_tied_vote_follows_the_stated_rule():
    # k = 4 nearest: B (1), A (2), A (3), B (4): two votes each; B has the nearest member.
    params = dict(HAND, X=[[3, 3], [3, 0], [5, 2], [0, 2], [6, 6]], y=["B", "A", "A", "B", "A"])
    params["k"] = 4
    solution = problem.solve(params)
    assert solution.answers()["prediction"] == "B"
    prediction = solution.parts[-1].answer
    assert check(prediction, "A").misconception == "tie-rule"
    assert "nearest neighbour among the tied classes" in check(prediction, "A").feedback
    assert "tied between B, A" in solution.steps[-1].text["en"]


def test_without_a_named_point_every_distance_is_asked():
    params = {key: value for key, value in HAND.items() if key not in ("point", "p")}
    answers = problem.solve(params).answers()
    assert answers["manhattan"] == [3.0, 2.0, 2.0, 5.0, 4.0]
    assert "minkowski" not in answers
    statement = problem.statement(params)["en"]
    assert "Manhattan distance to every training point" in statement


@pytest.mark.parametrize(
    "change, name",
    [
        ({"X": [[1, 1, 1, 1, 1]] * 5}, "X"),
        ({"X": [[1, 1]]}, "X"),
        ({"X": [1, 2, 3]}, "X"),
        ({"y": ["A", "A", "B", "B"]}, "y"),
        ({"y": ["A", "A", "B", "B", "A b"]}, "y"),
        ({"y": ["A", "A", "B", "B", 1]}, "y"),
        ({"y": ["A", "A", "B", "B", None]}, "y"),
        ({"x": [3, 2, 1]}, "x"),
        ({"x": "3, 2"}, "x"),
        ({"k": 0}, "k"),
        ({"k": 6}, "k"),
        ({"k": 2.5}, "k"),
        ({"u": [0, 0]}, "u"),
        ({"v": [0, 0]}, "v"),
        ({"v": [1, 2, 3]}, "v"),
        ({"point": 0}, "point"),
        ({"point": 6}, "point"),
        ({"p": 0.5}, "p"),
        ({"p": "3"}, "p"),
        ({"metric": "cosine"}, "metric"),
    ],
)
def test_bad_parameters_are_refused(change, name):
    with pytest.raises(ParameterError) as info:
        problem.solve({**HAND, **change})
    assert info.value.name == name


def test_missing_parameter_is_named():
    params = dict(HAND)
    del params["k"]
    with pytest.raises(ParameterError) as info:
        problem.solve(params)
    assert info.value.name == "k"


def test_generation_is_deterministic_and_varied():
    ks, classes, named, orders = set(), set(), set(), set()
    for difficulty in (1, 2, 3):
        for seed in range(60):
            params = variant(seed, difficulty)
            assert params == variant(seed, difficulty)
            X = np.array(params["X"])
            assert 5 <= len(X) <= 7 and X.shape[1] == 2
            assert len({tuple(row) for row in X.tolist()}) == len(X)
            assert params["x"] not in params["X"]
            ks.add(params["k"])
            classes.add(len(set(params["y"])))
            named.add("point" in params)
            orders.add(params.get("p"))
    assert ks == {3, 5} and classes == {2, 3} and named == {True, False}
    assert orders == {None, 3}
