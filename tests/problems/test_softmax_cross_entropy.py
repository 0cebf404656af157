"""The softmax-cross-entropy problem type, checked against scipy's softmax and
log_softmax and finite differences of the loss."""

import json
import math
from functools import cache

import numpy as np
import pytest
from scipy.special import log_softmax
from scipy.special import softmax as scipy_softmax

from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import softmax_cross_entropy

CASES = [(seed, difficulty) for seed in range(20) for difficulty in (1, 2, 3)]


@cache
def variant(seed, difficulty):
    params = softmax_cross_entropy.generate(np.random.default_rng(seed), difficulty)
    assert json.loads(json.dumps(params)) == params
    return params, softmax_cross_entropy.solve(json.loads(json.dumps(params)))


def answer(solution, name):
    return next(part.answer for part in solution.parts if part.name == name)


def mistakes(solution, name):
    return {m.tag: np.asarray(m.value_or_expr) for m in answer(solution, name).misconceptions}


def loss_of(a, c):
    return -log_softmax(a)[c]


def finite_difference_gradient(a, c, h=1e-6):
    return np.array(
        [(loss_of(a + h * e, c) - loss_of(a - h * e, c)) / (2 * h) for e in np.eye(len(a))]
    )


@pytest.mark.parametrize(("seed", "difficulty"), CASES)
def test_answers_match_scipy_and_finite_differences(seed, difficulty):
    params, solution = variant(seed, difficulty)
    a, r = np.array(params["a"]), np.array(params["r"])
    c = int(np.flatnonzero(r == 1)[0])
    got = solution.answers()
    np.testing.assert_allclose(got["softmax"], scipy_softmax(a), rtol=1e-12)
    assert got["loss"] == pytest.approx(loss_of(a, c), rel=1e-12)
    assert got["loss"] == pytest.approx(
        -sum(ri * math.log(p) for ri, p in zip(r, scipy_softmax(a)))
    )
    np.testing.assert_allclose(got["gradient"], finite_difference_gradient(a, c), atol=1e-7)
    assert has_distinct_misconceptions(solution)


@pytest.mark.parametrize(("seed", "difficulty"), CASES)
def test_misconceptions_are_the_mistakes_they_name(seed, difficulty):
    params, solution = variant(seed, difficulty)
    a, r = np.array(params["a"], dtype=float), np.array(params["r"], dtype=float)
    c = int(np.argmax(r))
    y = np.exp(a) / np.exp(a).sum()
    softmax_wrong = mistakes(solution, "softmax")
    np.testing.assert_allclose(softmax_wrong["normalised-logits"], a / a.sum())
    np.testing.assert_allclose(softmax_wrong["unnormalised"], [math.exp(v) for v in a])
    loss_wrong = mistakes(solution, "loss")
    assert loss_wrong["log2"] == pytest.approx(-math.log2(y[c]))
    assert loss_wrong["missing-minus"] == pytest.approx(math.log(y[c]))
    assert loss_wrong["all-classes"] == pytest.approx(-sum(math.log(p) for p in y))
    top = int(np.argmax(a))
    if top != c:
        assert loss_wrong["predicted-class"] == pytest.approx(-math.log(y[top]))
    else:
        assert "predicted-class" not in loss_wrong
    grad_wrong = mistakes(solution, "gradient")
    np.testing.assert_allclose(grad_wrong["reversed-sign"], r - y)
    np.testing.assert_allclose(grad_wrong["missing-label"], y)
    np.testing.assert_allclose(grad_wrong["gradient-wrt-probabilities"], -r / y)


def test_the_notes_examples():
    # The notes' −ln 0.8: the softmax output (0.1, 0.8, 0.1) and the label of class 2.
    solution = softmax_cross_entropy.solve(
        {"a": [math.log(0.1), math.log(0.8), math.log(0.1)], "r": [0, 1, 0]}
    )
    got = solution.answers()
    np.testing.assert_allclose(got["softmax"], [0.1, 0.8, 0.1])
    assert got["loss"] == pytest.approx(-math.log(0.8))
    np.testing.assert_allclose(got["gradient"], [0.1, -0.2, 0.1])
    # The attention example's scores [1, 2, 3]: softmax ≈ (0.0900, 0.2447, 0.6652).
    solution = softmax_cross_entropy.solve({"a": [1, 2, 3], "r": [1, 0, 0]})
    got = solution.answers()
    total = math.e + math.e**2 + math.e**3
    np.testing.assert_allclose(
        got["softmax"], [math.e / total, math.e**2 / total, math.e**3 / total]
    )
    assert got["loss"] == pytest.approx(math.log(total) - 1)
    np.testing.assert_allclose(
        got["gradient"], [math.e / total - 1, math.e**2 / total, math.e**3 / total]
    )
    assert mistakes(solution, "loss")["predicted-class"] == pytest.approx(math.log(total) - 3)


def test_generation_varies_the_structure_and_is_deterministic():
    drawn = [variant(seed, difficulty)[0] for seed, difficulty in CASES]
    assert {len(p["a"]) for p in drawn} == {3, 4}
    right = [int(np.argmax(p["a"])) == int(np.argmax(p["r"])) for p in drawn]
    assert set(right) == {True, False}
    assert any(any(v != int(v) for v in p["a"]) for p in drawn)
    assert all(v == int(v) for p, (_, d) in zip(drawn, CASES) if d == 1 for v in p["a"])
    for p in drawn:
        a = np.array(p["a"])
        assert np.sum(a == a.max()) == 1 and abs(a.sum()) >= 0.5
        assert sorted(p["r"]) == [0] * (len(a) - 1) + [1]
    assert drawn[5] == softmax_cross_entropy.generate(np.random.default_rng(CASES[5][0]), 3)


def test_steps_show_the_numbers():
    solution = softmax_cross_entropy.solve({"a": [2.0, 1.0, 0.1], "r": [0, 1, 0]})
    joined = " ".join(step.latex for step in solution.steps)
    assert "e^{0.1} = 1.105" in joined
    assert r"-\ln 0.2424" in joined
    assert "y - r" in joined


GOOD = {"a": [2.0, 1.0, 0.1], "r": [0, 1, 0]}


@pytest.mark.parametrize(
    ("change", "name"),
    [
        ({"a": "2 1 0"}, "a"),
        ({"a": [2.0]}, "a"),
        ({"a": [1.0] * 7}, "a"),
        ({"a": [2.0, 100.0, 0.1]}, "a"),
        ({"a": [2.0, float("nan"), 0.1]}, "a"),
        ({"a": [[2.0, 1.0, 0.1]]}, "a"),
        ({"r": [0, 1]}, "r"),
        ({"r": [0, 1, 1]}, "r"),
        ({"r": [0, 0, 0]}, "r"),
        ({"r": [0, 0.5, 0.5]}, "r"),
        ({"r": None}, "r"),
        ({"label": 1}, "label"),
    ],
)
def test_bad_parameters_name_the_parameter(change, name):
    with pytest.raises(ParameterError) as error:
        softmax_cross_entropy.solve({**GOOD, **change})
    assert error.value.name == name


def test_a_missing_parameter_is_named():
    with pytest.raises(ParameterError) as error:
        softmax_cross_entropy.solve({"a": [1.0, 2.0]})
    assert error.value.name == "r"
