"""batch-norm checked against Python's statistics module (mean, pvariance,
variance, pstdev) column by column, and every misconception recomputed from
the mistake it names."""

import json
import math
import statistics
from functools import cache

import numpy as np
import pytest

from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import batch_norm

VARIANTS = [(seed, difficulty) for difficulty in (1, 2, 3) for seed in range(30)]


@cache
def variant(seed, difficulty):
    params = batch_norm.generate(np.random.default_rng(seed), difficulty)
    return params, batch_norm.solve(json.loads(json.dumps(params)))


def columns(params):
    X = params["X"]
    return [[row[j] for row in X] for j in range(len(X[0]))]


def mistakes(solution, part):
    (found,) = [p for p in solution.parts if p.name == part]
    return {m.tag: np.asarray(m.value_or_expr) for m in found.answer.misconceptions}


def normalised(params, variance=statistics.pvariance, root=math.sqrt, eps=None):
    """x̂ column by column, with a variance and a root that a mistake may replace."""
    eps = params["eps"] if eps is None else eps
    out = []
    for column in columns(params):
        mean = statistics.mean(column)
        spread = root(variance(column) + eps)
        out.append([(v - mean) / spread for v in column])
    return np.array(out).T


def scaled(params, x_hat, swap=False):
    gamma, beta = np.array(params["gamma"]), np.array(params["beta"])
    return beta * x_hat + gamma if swap else gamma * x_hat + beta


@pytest.mark.parametrize(("seed", "difficulty"), VARIANTS)
def test_answers_match_the_statistics_module(seed, difficulty):
    params, solution = variant(seed, difficulty)
    answers = solution.answers()
    cols = columns(params)
    np.testing.assert_allclose(answers["mean"], [statistics.mean(c) for c in cols], atol=1e-12)
    np.testing.assert_allclose(
        answers["variance"], [statistics.pvariance(c) for c in cols], atol=1e-12
    )
    x_hat = normalised(params)
    np.testing.assert_allclose(answers["normalized"], x_hat, atol=1e-10)
    np.testing.assert_allclose(answers["output"], scaled(params, x_hat), atol=1e-10)
    # Every feature of the output has mean β and spread γ·σ/√(σ² + ε).
    Y = np.array(answers["output"])
    np.testing.assert_allclose(Y.mean(axis=0), params["beta"], atol=1e-10)
    var = np.array([statistics.pvariance(c) for c in cols])
    np.testing.assert_allclose(
        Y.std(axis=0), np.array(params["gamma"]) * np.sqrt(var / (var + params["eps"]))
    )


@pytest.mark.parametrize(("seed", "difficulty"), VARIANTS)
def test_misconceptions_are_the_mistakes_they_name(seed, difficulty):
    params, solution = variant(seed, difficulty)
    m, d = len(params["X"]), len(params["X"][0])
    eps = params["eps"]
    cols = columns(params)

    assert mistakes(solution, "mean") == {}
    var = mistakes(solution, "variance")
    np.testing.assert_allclose(var["unbiased-variance"], [statistics.variance(c) for c in cols])
    np.testing.assert_allclose(var["standard-deviation"], [statistics.pstdev(c) for c in cols])

    unbiased = normalised(params, variance=statistics.variance)
    by_variance = normalised(params, root=lambda v: v)
    # One row normalised over its own features (only with two features or more).
    rows = np.array(
        [
            [(v - statistics.mean(row)) / math.sqrt(statistics.pvariance(row) + eps) for v in row]
            for row in params["X"]
        ]
        if d > 1
        else []
    )
    expected = {
        "unbiased-variance": unbiased,
        "divided-by-variance": by_variance,
        "wrong-axis": rows,
        "missing-eps": normalised(params, eps=0.0),
    }
    x_hat = mistakes(solution, "normalized")
    y = mistakes(solution, "output")
    assert ("wrong-axis" in x_hat) == (d > 1)
    # ε = 0.01 is only asked where it matters; 1e-5 never does.
    assert ("missing-eps" in x_hat) == (eps == 0.01)
    for tag, value in x_hat.items():
        np.testing.assert_allclose(value, expected[tag], atol=1e-10, err_msg=tag)
        np.testing.assert_allclose(y[tag], scaled(params, expected[tag]), atol=1e-10, err_msg=tag)
    np.testing.assert_allclose(
        y["gamma-beta-swapped"], scaled(params, normalised(params), swap=True), atol=1e-10
    )
    assert set(y) == set(x_hat) | {"gamma-beta-swapped"}
    assert m in (3, 4)


def test_hand_worked_example_features_of_different_scales():
    # The notes motivate normalisation with features of very different
    # scales: here 1, 2, 3, 6 and 100, 300, 200, 200.
    params = {
        "X": [[1, 100], [2, 300], [3, 200], [6, 200]],
        "gamma": [2, 0.5],
        "beta": [1, -1],
        "eps": 0,
    }
    # Feature 1: μ = 12/4 = 3, σ² = (4 + 1 + 0 + 9)/4 = 3.5
    # Feature 2: μ = 800/4 = 200, σ² = (10000 + 10000 + 0 + 0)/4 = 5000
    s1, s2 = math.sqrt(3.5), math.sqrt(5000)
    x_hat = [[-2 / s1, -100 / s2], [-1 / s1, 100 / s2], [0, 0], [3 / s1, 0]]
    answers = batch_norm.solve(params).answers()
    assert answers["mean"] == [3.0, 200.0]
    assert answers["variance"] == [3.5, 5000.0]
    np.testing.assert_allclose(answers["normalized"], x_hat)
    np.testing.assert_allclose(answers["normalized"][0], [-1.0690, -1.4142], atol=1e-4)
    np.testing.assert_allclose(
        answers["output"], [[2 * a + 1, 0.5 * b - 1] for a, b in x_hat], atol=1e-12
    )
    # After normalising, both features have spread 1: the scales no longer differ.
    np.testing.assert_allclose(np.std(answers["normalized"], axis=0), [1, 1])
    # Divided by m − 1: 14/3 and 20000/3.
    found = mistakes(batch_norm.solve(params), "variance")
    np.testing.assert_allclose(found["unbiased-variance"], [14 / 3, 20000 / 3])


def test_eps_changes_a_small_spread():
    # Values 0.2, 0.4, 0.6: σ² = 0.08/3, so ε = 0.01 is more than a third of it.
    params = {"X": [[0.2], [0.4], [0.6]], "gamma": [1], "beta": [0], "eps": 0.01}
    answers = batch_norm.solve(params).answers()
    top = 0.2 / math.sqrt(0.08 / 3 + 0.01)
    np.testing.assert_allclose(answers["normalized"], [[-top], [0], [top]], atol=1e-12)
    found = mistakes(batch_norm.solve(params), "normalized")
    np.testing.assert_allclose(found["missing-eps"][2], [0.2 / math.sqrt(0.08 / 3)])


def test_generation_varies_the_structure():
    shapes = {d: set() for d in (1, 2, 3)}
    for difficulty in (1, 2, 3):
        for seed in range(40):
            params = batch_norm.generate(np.random.default_rng(seed), difficulty)
            assert params == batch_norm.generate(np.random.default_rng(seed), difficulty)
            assert json.loads(json.dumps(params)) == params
            X = np.array(params["X"])
            shapes[difficulty].add((X.shape, params["eps"]))
            # Short decimals and a mean that stays one.
            assert np.allclose(X, np.round(X, 2))
            assert np.allclose(X.mean(axis=0), np.round(X.mean(axis=0), 2))
            assert has_distinct_misconceptions(batch_norm.solve(params))
    assert {eps for _, eps in shapes[1]} == {0.0}
    assert {shape[1] for shape, _ in shapes[1]} == {1}
    assert {eps for _, eps in shapes[2]} == {0.0, 1e-5, 0.01}
    assert {shape for shape, _ in shapes[2]} == {(3, 1), (4, 1), (3, 2), (4, 2)}
    assert {shape[1] for shape, _ in shapes[3]} == {2}


GOOD = {
    "X": [[1.0, 2.0], [3.0, 5.0], [2.0, 8.0]],
    "gamma": [1.5, 2.0],
    "beta": [0.5, -1.0],
    "eps": 0,
}


@pytest.mark.parametrize(
    ("change", "name"),
    [
        ({"X": [[1.0, 2.0]]}, "X"),
        ({"X": [1.0, 2.0, 3.0]}, "X"),
        ({"X": [[1.0, 2.0], [3.0]]}, "X"),
        ({"X": [[1.0, "a"], [3.0, 5.0]]}, "X"),
        ({"X": [[1.0, 2.0, 3.0, 4.0, 5.0], [3.0, 5.0, 1.0, 1.0, 1.0]]}, "X"),
        ({"X": [[1.0, 2.0], [1.0, 5.0], [1.0, 8.0]]}, "X"),
        ({"X": [[1.0, 1e9], [3.0, 5.0]]}, "X"),
        ({"gamma": [1.5]}, "gamma"),
        ({"gamma": "1.5"}, "gamma"),
        ({"gamma": True}, "gamma"),
        ({"beta": [0.5, float("inf")]}, "beta"),
        ({"beta": [[0.5, -1.0]]}, "beta"),
        ({"eps": -0.1}, "eps"),
        ({"eps": 2}, "eps"),
        ({"eps": "0.01"}, "eps"),
        ({"momentum": 0.9}, "momentum"),
    ],
)
def test_bad_parameters_name_the_parameter(change, name):
    batch_norm.solve(GOOD)
    with pytest.raises(ParameterError) as error:
        batch_norm.solve({**GOOD, **change})
    assert error.value.name == name


@pytest.mark.parametrize("missing", ["X", "gamma", "beta", "eps"])
def test_missing_parameter_is_named(missing):
    with pytest.raises(ParameterError) as error:
        batch_norm.solve({k: v for k, v in GOOD.items() if k != missing})
    assert error.value.name == missing


def test_a_number_for_gamma_and_beta_serves_every_feature():
    answers = batch_norm.solve({**GOOD, "gamma": 2, "beta": 0}).answers()
    twice = 2 * np.array(batch_norm.solve(GOOD).answers()["normalized"])
    np.testing.assert_allclose(answers["output"], twice)
