"""The svm-hinge problem type, checked against a hinge loss written out as a
loop, math.hypot and finite differences (the generated samples stay away from
the kinks, so the subgradient is the gradient there)."""

import json
import math
from functools import cache

import numpy as np
import pytest

from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import svm_hinge

CASES = [(seed, difficulty) for seed in range(20) for difficulty in (1, 2, 3)]


@cache
def variant(seed, difficulty):
    params = svm_hinge.generate(np.random.default_rng(seed), difficulty)
    assert json.loads(json.dumps(params)) == params
    return params, svm_hinge.solve(json.loads(json.dumps(params)))


def answer(solution, name):
    return next(part.answer for part in solution.parts if part.name == name)


def mistakes(solution, name):
    return {m.tag: np.asarray(m.value_or_expr) for m in answer(solution, name).misconceptions}


def unpack(params):
    X, r, w = (np.array(params[k], dtype=float) for k in ("X", "r", "w"))
    return X, r, w, float(params["w0"]), float(params["lam"]), float(params["lr"])


def loop_loss(theta, X, r, lam):
    """The notes' loss with θ = (w0, w): a plain loop over the samples."""
    w0, w = theta[0], theta[1:]
    total = 0.0
    for x, label in zip(X, r):
        total += max(0.0, 1.0 - label * (sum(a * b for a, b in zip(w, x)) + w0))
    return total / len(r) + lam / 2 * sum(v * v for v in w)


def finite_difference(theta, X, r, lam, h=1e-6):
    return np.array(
        [
            (loop_loss(theta + h * e, X, r, lam) - loop_loss(theta - h * e, X, r, lam)) / (2 * h)
            for e in np.eye(len(theta))
        ]
    )


def products(X, r, w, w0):
    return np.array([label * (x @ w + w0) for x, label in zip(X, r)])


@pytest.mark.parametrize(("seed", "difficulty"), CASES)
def test_answers_match_a_loop_and_finite_differences(seed, difficulty):
    params, solution = variant(seed, difficulty)
    X, r, w, w0, lam, eta = unpack(params)
    theta = np.concatenate([[w0], w])
    got = solution.answers()
    assert got["margin"] == pytest.approx(2 / math.hypot(*w), rel=1e-12)
    assert got["loss"] == pytest.approx(loop_loss(theta, X, r, lam), rel=1e-12)
    grad = finite_difference(theta, X, r, lam)
    np.testing.assert_allclose(got["subgradient_w"], grad[1:], atol=1e-7)
    assert got["subgradient_w0"] == pytest.approx(grad[0], abs=1e-7)
    np.testing.assert_allclose(got["w_next"], w - eta * grad[1:], atol=1e-7)
    assert got["w0_next"] == pytest.approx(w0 - eta * grad[0], abs=1e-7)
    assert has_distinct_misconceptions(solution)


@pytest.mark.parametrize(("seed", "difficulty"), CASES)
def test_misconceptions_are_the_mistakes_they_name(seed, difficulty):
    params, solution = variant(seed, difficulty)
    X, r, w, w0, lam, eta = unpack(params)
    n = len(r)
    m = products(X, r, w, w0)
    hinges = [max(0.0, 1 - v) for v in m]
    norm_sq = sum(v * v for v in w)

    def data_sums(keep):
        sum_w = sum((label * x for label, x, k in zip(r, X, keep) if k), np.zeros(len(w)))
        return sum_w, sum(label for label, k in zip(r, keep) if k)

    violators_w, violators_w0 = data_sums(m < 1)
    wrong_w, wrong_w0 = data_sums(m <= 0)
    every_w, every_w0 = data_sums(np.ones(n, dtype=bool))
    g_w = lam * w - violators_w / n
    g_w0 = -violators_w0 / n

    def check(name, tag, expected):
        found = mistakes(solution, name)
        right = np.asarray(answer(solution, name).value)
        if np.allclose(expected, right, rtol=0, atol=1e-9):
            assert tag not in found, (name, tag)  # the mistake changes nothing here
        else:
            np.testing.assert_allclose(found[tag], expected, err_msg=f"{name} {tag}")

    check("margin", "one-over-norm", 1 / math.sqrt(norm_sq))
    check("margin", "squared-norm", 2 / norm_sq)
    check("margin", "bias-in-norm", 2 / math.sqrt(norm_sq + w0 * w0))
    regulariser = lam / 2 * norm_sq
    check("loss", "missing-regulariser", sum(hinges) / n)
    check("loss", "sum-not-mean", sum(hinges) + regulariser)
    check("loss", "missing-half", sum(hinges) / n + lam * norm_sq)
    check("loss", "missing-max", sum(1 - v for v in m) / n + regulariser)
    check("subgradient_w", "missing-regulariser", -violators_w / n)
    check("subgradient_w", "sum-not-mean", lam * w - violators_w)
    check("subgradient_w", "sign-error", lam * w + violators_w / n)
    check("subgradient_w", "only-misclassified", lam * w - wrong_w / n)
    check("subgradient_w", "all-samples", lam * w - every_w / n)
    check("subgradient_w0", "sum-not-mean", -violators_w0)
    check("subgradient_w0", "sign-error", violators_w0 / n)
    check("subgradient_w0", "only-misclassified", -wrong_w0 / n)
    check("subgradient_w0", "all-samples", -every_w0 / n)
    check("subgradient_w0", "regularised-bias", g_w0 + lam * w0)
    check("w_next", "ascending-step", w + eta * g_w)
    check("w_next", "missing-regulariser", w + eta * violators_w / n)
    check("w_next", "sum-not-mean", w - eta * (lam * w - violators_w))
    check("w0_next", "ascending-step", w0 + eta * g_w0)
    check("w0_next", "sum-not-mean", w0 + eta * violators_w0)
    check("w0_next", "bias-not-updated", w0)
    declared = {(p.name, mc.tag) for p in solution.parts for mc in p.answer.misconceptions}
    assert len(declared) == sum(len(p.answer.misconceptions) for p in solution.parts)


def test_a_hand_worked_example_with_a_sample_on_the_margin():
    # w = (1, 1), w0 = −1, λ = 0.5, η = 0.2. r f: (1, 1) → 1 exactly (on the margin: not a
    # violator), (0.5, 0) r=+1 → −0.5, (2, 1) r=−1 → −2, (−1, −1) r=−1 → 3.
    # L = (0 + 1.5 + 3 + 0)/4 + 0.25·2 = 1.625; g_w = 0.5·(1, 1) − ((0.5, 0) − (2, 1))/4
    # = (0.875, 0.75); g_w0 = −(1 − 1)/4 = 0.
    params = {
        "X": [[1, 1], [0.5, 0], [2, 1], [-1, -1]],
        "r": [1, 1, -1, -1],
        "w": [1, 1],
        "w0": -1,
        "lam": 0.5,
        "lr": 0.2,
    }
    solution = svm_hinge.solve(params)
    got = solution.answers()
    assert got["margin"] == pytest.approx(math.sqrt(2))
    assert got["loss"] == pytest.approx(1.625)
    np.testing.assert_allclose(got["subgradient_w"], [0.875, 0.75])
    assert got["subgradient_w0"] == 0.0
    np.testing.assert_allclose(got["w_next"], [1 - 0.2 * 0.875, 1 - 0.2 * 0.75])
    assert got["w0_next"] == pytest.approx(-1.0)
    # g_w0 = 0: leaving the bias alone is no mistake here.
    assert "bias-not-updated" not in mistakes(solution, "w0_next")
    # Every sample: Σ r x = (1, 1) + (0.5, 0) − (2, 1) − (−1, −1) = (0.5, 1).
    wrong = mistakes(solution, "subgradient_w")
    np.testing.assert_allclose(wrong["all-samples"], [0.5 - 0.5 / 4, 0.5 - 1 / 4])
    steps = " ".join(step.latex for step in solution.steps)
    assert r"\sqrt{1^2 + 1^2}" in steps
    assert "1.625" in steps


def test_generation_varies_the_structure_and_is_deterministic():
    drawn = [variant(seed, difficulty)[0] for seed, difficulty in CASES]
    kinds = set()
    for p, (_, difficulty) in zip(drawn, CASES):
        X, r, w, w0, _, _ = unpack(p)
        m = products(X, r, w, w0)
        f = X @ w + w0
        assert np.all(np.abs(m - 1) >= 0.2 - 1e-9) and np.all(np.abs(f) >= 0.2 - 1e-9)
        assert set(p["r"]) == {-1, 1}
        if np.all(m > 1):
            kinds.add("separated")
        elif np.any(m < 0) and np.any((m > 0) & (m < 1)):
            kinds.add("mixed")
        else:
            kinds.add("violators")
        if difficulty == 3 and not np.all(m > 1):
            assert np.any(m < 0) and np.any((m > 0) & (m < 1)) and np.any(m > 1)
    assert kinds == {"separated", "mixed", "violators"}
    assert {len(p["r"]) for p in drawn} == {3, 4, 5}
    assert drawn[4] == svm_hinge.generate(np.random.default_rng(CASES[4][0]), CASES[4][1])


GOOD = {"X": [[1, 2], [2, 0]], "r": [1, -1], "w": [0.5, -0.5], "w0": 0.5, "lam": 0.1, "lr": 0.5}


@pytest.mark.parametrize(
    ("change", "name"),
    [
        ({"w": [0, 0]}, "w"),
        ({"w": [0.5]}, "w"),
        ({"w": "0.5 0.5"}, "w"),
        ({"X": [[1, 2, 3], [2, 0, 1]]}, "w"),
        ({"X": [[[1, 2]], [[2, 0]]]}, "X"),
        ({"X": [[1, 200], [2, 0]]}, "X"),
        ({"r": [1, 0]}, "r"),
        ({"r": [1, -1, 1]}, "r"),
        ({"w0": None}, "w0"),
        ({"lam": -0.1}, "lam"),
        ({"lam": True}, "lam"),
        ({"lr": 0}, "lr"),
        ({"lr": 11}, "lr"),
        ({"C": 1.0}, "C"),
    ],
)
def test_bad_parameters_name_the_parameter(change, name):
    with pytest.raises(ParameterError) as error:
        svm_hinge.solve({**GOOD, **change})
    assert error.value.name == name


def test_a_missing_parameter_is_named():
    params = dict(GOOD)
    del params["lam"]
    with pytest.raises(ParameterError) as error:
        svm_hinge.solve(params)
    assert error.value.name == "lam"
