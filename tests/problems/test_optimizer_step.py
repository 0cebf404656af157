"""The optimizer-step problem type, checked against the update rules of the
lecture (momentum, RMSProp), Kingma & Ba's Adam and the linear warm-up,
written out here as plain-Python loops, one parameter at a time."""

import json
import math

import numpy as np
import pytest

from tutor.answers import check
from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import optimizer_step as problem

SEEDS = range(60)


def momentum(theta, grads, lr, lam, previous_sign=1.0, weight=1.0):
    """m ← previous_sign·λm − weight·ηg, θ ← θ + m, from m = 0."""
    out = []
    for i, th in enumerate(theta):
        m = 0.0
        for g in grads:
            m = previous_sign * lam * m - weight * lr * g[i]
            th += m
        out.append(th)
    return out


def rmsprop(theta, grads, lr, alpha, zero_start=False, power=1):
    """σ⁰ = |g⁰| (or a running mean square from 0), θ ← θ − η g / σ^power."""
    out = []
    for i, th in enumerate(theta):
        square = None
        for g in grads:
            g = g[i]
            if square is None and not zero_start:
                square = g * g
            else:
                square = alpha * (square or 0.0) + (1 - alpha) * g * g
            th -= lr * g / math.sqrt(square) ** power
        out.append(th)
    return out


def adam(theta, grads, lr, b1, b2, correct=True, root=True, fixed_t=False, eps=1e-8):
    out = []
    for i, th in enumerate(theta):
        m = v = 0.0
        for t, g in enumerate(grads, start=1):
            g = g[i]
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g * g
            k = 1 if fixed_t else t
            m_hat, v_hat = (m / (1 - b1**k), v / (1 - b2**k)) if correct else (m, v)
            th -= lr * m_hat / ((math.sqrt(v_hat) if root else v_hat) + eps)
        out.append(th)
    return out


def warmup(peak, steps, t):
    return peak * t / steps if t <= steps else peak


def negated(grads):
    return [[-g for g in row] for row in grads]


def oracle(params):
    theta, grads, lr = params["theta"], params["grads"], params["lr"]
    answers = {}
    if "momentum" in params["optimizers"]:
        answers["momentum"] = momentum(theta, grads, lr, params["lam"])
    if "rmsprop" in params["optimizers"]:
        answers["rmsprop"] = rmsprop(theta, grads, lr, params["alpha"])
    if "adam" in params["optimizers"]:
        answers["adam"] = adam(theta, grads, lr, params["beta1"], params["beta2"])
    if "step" in params:
        answers["warmup_lr"] = warmup(params["peak_lr"], params["warmup_steps"], params["step"])
    return answers


def wrong_values(params):
    """Each declared mistake, recomputed from its description: tag → the
    values it may take."""
    theta, grads, lr = params["theta"], params["grads"], params["lr"]
    wrong = {}
    if "lam" in params:
        lam = params["lam"]
        wrong["momentum"] = {
            "added-gradient": [momentum(theta, negated(grads), lr, lam)],
            "momentum-sign-mixed": [momentum(theta, grads, lr, lam, previous_sign=-1.0)],
            "no-momentum": [momentum(theta, grads, lr, 0.0)],
            "momentum-as-average": [momentum(theta, grads, lr, lam, weight=1 - lam)],
        }
    if "alpha" in params:
        alpha = params["alpha"]
        wrong["rmsprop"] = {
            "added-gradient": [rmsprop(theta, negated(grads), lr, alpha)],
            "sigma-squared": [rmsprop(theta, grads, lr, alpha, power=2)],
            "alpha-swapped": [rmsprop(theta, grads, lr, 1 - alpha)],
            "zero-initial-sigma": [rmsprop(theta, grads, lr, alpha, zero_start=True)],
        }
    if "beta1" in params:
        b1, b2 = params["beta1"], params["beta2"]
        wrong["adam"] = {
            "no-bias-correction": [adam(theta, grads, lr, b1, b2, correct=False)],
            "added-gradient": [adam(theta, negated(grads), lr, b1, b2)],
            "no-sqrt": [adam(theta, grads, lr, b1, b2, root=False)],
            "bias-correction-first-step": [adam(theta, grads, lr, b1, b2, fixed_t=True)],
        }
    if "step" in params:
        peak, steps, t = params["peak_lr"], params["warmup_steps"], params["step"]
        wrong["warmup_lr"] = {
            "off-by-one": [warmup(peak, steps, t - 1), warmup(peak, steps, t + 1)],
            "no-warmup": [peak],
            "kept-increasing": [peak * t / steps],
        }
    return wrong


def variant(seed, difficulty):
    return problem.generate(np.random.default_rng(seed), difficulty)


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_answers_match_the_update_rules(difficulty):
    for seed in SEEDS:
        params = variant(seed, difficulty)
        assert json.loads(json.dumps(params)) == params
        answers = problem.solve(params).answers()
        expected = oracle(params)
        assert set(answers) == set(expected), params
        for name, value in expected.items():
            assert answers[name] == pytest.approx(value, rel=1e-9, abs=1e-9), (params, name)


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_misconceptions_are_the_mistakes_they_name(difficulty):
    for seed in SEEDS:
        params = variant(seed, difficulty)
        solution = problem.solve(params)
        assert has_distinct_misconceptions(solution), params
        wrong = wrong_values(params)
        for part in solution.parts:
            assert part.answer.misconceptions, (params, part.name)
            for m in part.answer.misconceptions:
                candidates = wrong[part.name][m.tag]
                assert any(
                    np.allclose(m.value_or_expr, c, rtol=1e-9, atol=1e-9) for c in candidates
                ), (params, part.name, m.tag)
                assert m.feedback_en and m.feedback_zh and m.score == 0.0
        # Every listed mistake that gives a wrong value here is recognised (under
        # its own tag, or merged with another slip that gives the same value).
        for part in solution.parts:
            answer = part.answer
            declared = [m.value_or_expr for m in answer.misconceptions]
            for values in wrong[part.name].values():
                for value in values:
                    if not answer.close(value):
                        assert any(
                            answer.close(value, d) or answer.close(d, value) for d in declared
                        ), (params, part.name, value)


def test_the_structure_follows_the_difficulty():
    asked, warmups, sizes, steps = {1: set(), 2: set(), 3: set()}, {1: 0, 2: 0, 3: 0}, set(), set()
    for difficulty in (1, 2, 3):
        for seed in range(100):
            params = variant(seed, difficulty)
            assert params == variant(seed, difficulty)
            asked[difficulty].add(tuple(params["optimizers"]))
            warmups[difficulty] += "step" in params
            sizes.add(len(params["theta"]))
            steps.add((difficulty, len(params["grads"])))
            assert all(g != 0 for row in params["grads"] for g in row)
            if "step" in params:
                assert params["step"] != params["warmup_steps"]
    assert asked[1] == {("momentum",)}
    assert asked[2] == {("momentum", "rmsprop"), ("momentum", "adam")}
    assert asked[3] == {("momentum", "rmsprop", "adam")}
    assert all(0 < warmups[d] < 100 for d in (1, 2, 3))
    assert sizes == {1, 2}
    assert {(1, 2), (2, 1), (2, 2), (3, 2)} <= steps and (3, 1) not in steps


def test_a_worked_example():
    # θ⁰ = 0.5, g⁰ = 2, g¹ = −1, η = 0.1, worked by hand.
    params = {
        "theta": [0.5],
        "grads": [[2.0], [-1.0]],
        "lr": 0.1,
        "optimizers": ["momentum", "rmsprop", "adam"],
        "lam": 0.9,
        "alpha": 0.9,
        "beta1": 0.9,
        "beta2": 0.999,
        "peak_lr": 0.1,
        "warmup_steps": 10,
        "step": 3,
    }
    answers = problem.solve(params).answers()
    # Momentum: m¹ = −0.2, θ¹ = 0.3; m² = 0.9·(−0.2) + 0.1 = −0.08, θ² = 0.22.
    assert answers["momentum"] == pytest.approx([0.22])
    # RMSProp: θ¹ = 0.5 − 0.1·2/2 = 0.4; σ¹ = sqrt(0.9·4 + 0.1·1) = sqrt(3.7).
    assert answers["rmsprop"] == pytest.approx([0.4 + 0.1 / math.sqrt(3.7)])
    # Adam: θ¹ = 0.4; m₂ = 0.08, v₂ = 0.004996, m̂₂ = 0.08/0.19, v̂₂ = 0.004996/0.001999.
    second = (0.08 / 0.19) / (math.sqrt(0.004996 / 0.001999) + 1e-8)
    assert answers["adam"] == pytest.approx([0.4 - 0.1 * second])
    assert answers["warmup_lr"] == pytest.approx(0.03)


def test_first_steps_move_by_the_learning_rate():
    # RMSProp's σ⁰ = |g⁰| and Adam's bias correction both make the first update
    # a step of exactly η against the sign of each gradient.
    params = {
        "theta": [1.0, -1.0],
        "grads": [[3.7, -0.4]],
        "lr": 0.2,
        "optimizers": ["rmsprop", "adam"],
        "alpha": 0.9,
        "beta1": 0.9,
        "beta2": 0.999,
    }
    solution = problem.solve(params)
    answers = solution.answers()
    assert answers["rmsprop"] == pytest.approx([0.8, -0.8])
    assert answers["adam"] == pytest.approx([0.8, -0.8], abs=1e-6)
    adam_part = {part.name: part.answer for part in solution.parts}["adam"]
    # No bias correction: 0.1·g / sqrt(0.001·g²) = 3.162 times the step.
    slip = 1.0 - 0.2 * 0.1 / math.sqrt(0.001), -1.0 + 0.2 * 0.1 / math.sqrt(0.001)
    verdict = check(adam_part, f"[{slip[0]:.4f}, {slip[1]:.4f}]")
    assert verdict.misconception == "no-bias-correction"


def test_warmup_after_the_warmup_and_at_its_end():
    base = {"theta": [0.0], "grads": [[1.5], [0.5]], "lr": 0.1, "optimizers": ["momentum"]}
    base["lam"] = 0.9
    after = problem.solve({**base, "peak_lr": 0.01, "warmup_steps": 5, "step": 12})
    part = after.parts[-1].answer
    assert part.value == pytest.approx(0.01)
    assert [m.tag for m in part.misconceptions] == ["kept-increasing"]
    assert check(part, "0.024").misconception == "kept-increasing"
    at_end = problem.solve({**base, "peak_lr": 0.01, "warmup_steps": 5, "step": 5})
    part = at_end.parts[-1].answer
    assert part.value == pytest.approx(0.01)
    assert check(part, "0.008").misconception == "off-by-one"


@pytest.mark.parametrize(
    "change, name",
    [
        ({"theta": [[0.5]]}, "theta"),
        ({"theta": []}, "theta"),
        ({"theta": "0.5"}, "theta"),
        ({"grads": [[1.0, 2.0]]}, "grads"),
        ({"grads": [1.0, 2.0]}, "grads"),
        ({"grads": [[float("nan")]]}, "grads"),
        ({"lr": 0}, "lr"),
        ({"lr": "0.1"}, "lr"),
        ({"lam": 1.0}, "lam"),
        ({"lam": -0.1}, "lam"),
        ({"optimizers": ["sgd"]}, "optimizers"),
        ({"optimizers": []}, "optimizers"),
        ({"optimizers": "momentum"}, "optimizers"),
        ({"optimizers": ["momentum", "momentum"]}, "optimizers"),
        ({"optimizers": ["adam"]}, "beta1"),
        ({"optimizers": ["rmsprop"], "alpha": 1.5}, "alpha"),
        ({"peak_lr": 0.1}, "warmup_steps"),
        ({"peak_lr": 0.1, "warmup_steps": 0, "step": 1}, "warmup_steps"),
        ({"peak_lr": 0.1, "warmup_steps": 5, "step": 0}, "step"),
        ({"peak_lr": -0.1, "warmup_steps": 5, "step": 1}, "peak_lr"),
        ({"momentum": 0.9}, "momentum"),
    ],
)
def test_bad_parameters_are_refused_by_name(change, name):
    params = {
        "theta": [0.5],
        "grads": [[1.0], [2.0]],
        "lr": 0.1,
        "optimizers": ["momentum"],
        "lam": 0.9,
        **change,
    }
    with pytest.raises(ParameterError) as error:
        problem.solve(params)
    assert error.value.name == name
