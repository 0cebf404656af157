"""The q-update problem type, checked against the Q-learning update written
out directly in Python."""

import json
import math

import numpy as np
import pytest

from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import q_update as problem

SEEDS = range(100)


def target_of(r, gamma, bootstrap_value, done):
    return r if done else r + gamma * bootstrap_value


def updated(q, alpha, target):
    return (1 - alpha) * q + alpha * target  # the same rule, written as a blend


def oracle(params):
    q, r, alpha, gamma = (params[k] for k in ("q", "r", "alpha", "gamma"))
    y = target_of(r, gamma, max(params["q_next"]), params["done"])
    return y, updated(q, alpha, y)


def wrong_values(params):
    """Each declared mistake, recomputed from its description: tag → the set of
    values it may take (not-max: one per other value of Q(s′, ·))."""
    q, r, alpha, gamma, q_next = (params[k] for k in ("q", "r", "alpha", "gamma", "q_next"))
    y, _ = oracle(params)
    others = {v for v in q_next if v != max(q_next)}
    wrong_targets = {
        "bootstrap-on-terminal": {r + gamma * max(q_next)},
        "not-max": {r + gamma * v for v in others},
        "no-gamma": {r + max(q_next)},
    }
    return {
        "td_target": wrong_targets,
        "new_q": {
            **{tag: {updated(q, alpha, t) for t in ts} for tag, ts in wrong_targets.items()},
            "no-alpha": {y},
            "sign-error": {q - alpha * (y - q), q + alpha * (q - y)},
        },
    }


def variant(seed, difficulty):
    return problem.generate(np.random.default_rng(seed), difficulty)


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_answers_match_the_direct_formula(difficulty):
    for seed in SEEDS:
        params = variant(seed, difficulty)
        assert json.loads(json.dumps(params)) == params
        answers = problem.solve(params).answers()
        y, new_q = oracle(params)
        assert answers["td_target"] == pytest.approx(y, abs=1e-9), params
        assert answers["new_q"] == pytest.approx(new_q, abs=1e-9), params


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_misconceptions_are_the_mistakes_they_name(difficulty):
    for seed in SEEDS:
        params = variant(seed, difficulty)
        solution = problem.solve(params)
        assert has_distinct_misconceptions(solution), params
        wrong = wrong_values(params)
        done = params["done"]
        for part in solution.parts:
            tags = [m.tag for m in part.answer.misconceptions]
            for m in part.answer.misconceptions:
                assert any(
                    math.isclose(m.value_or_expr, v, abs_tol=1e-9) for v in wrong[part.name][m.tag]
                )
                assert m.feedback_en and m.feedback_zh and m.score == 0.0
            if done:
                assert "bootstrap-on-terminal" in tags and "not-max" not in tags
                assert "no-gamma" not in tags
            else:
                assert "bootstrap-on-terminal" not in tags
                # One entry per other value of Q(s′, ·), all under the same tag.
                assert tags.count("not-max") == len(wrong[part.name]["not-max"])
                assert ("no-gamma" in tags) == (params["gamma"] != 1.0)
        update_tags = {m.tag for m in solution.parts[1].answer.misconceptions}
        assert {"no-alpha", "sign-error"} <= update_tags


def test_not_max_feedback_names_the_max():
    params = {
        "q": 2.0,
        "r": 1,
        "alpha": 0.1,
        "gamma": 0.9,
        "q_next": [1.0, 4.0, 3.0],
        "done": False,
    }
    target = problem.solve(params).parts[0].answer
    not_max = [m for m in target.misconceptions if m.tag == "not-max"]
    assert sorted(m.value_or_expr for m in not_max) == pytest.approx([1.9, 3.7])
    for m in not_max:
        assert "max Q(s′, ·) = 4" in m.feedback_en and "SARSA" in m.feedback_en
    smallest = next(m for m in not_max if m.value_or_expr == pytest.approx(1.9))
    assert "smallest" in smallest.feedback_en and "最小值" in smallest.feedback_zh


def test_generation_is_deterministic_and_varied():
    lengths, rewards, done_count = set(), set(), 0
    n = 0
    for difficulty in (1, 2, 3):
        for seed in range(100):
            params = variant(seed, difficulty)
            assert params == variant(seed, difficulty)
            q_next = params["q_next"]
            assert 2 <= len(q_next) <= 4
            assert sorted(q_next)[-1] > sorted(q_next)[-2]  # a unique maximum
            assert params["alpha"] in (0.1, 0.2, 0.25, 0.5, 0.8)
            assert params["gamma"] in (0.5, 0.8, 0.9, 0.95, 1.0)
            assert isinstance(params["done"], bool)
            lengths.add(len(q_next))
            rewards.add("negative" if params["r"] < 0 else "non-negative")
            done_count += params["done"]
            n += 1
    assert lengths == {2, 3, 4}
    assert rewards == {"negative", "non-negative"}
    assert 0.12 < done_count / n < 0.32


def test_hand_worked_grid_world_step():
    # The notes' recursion Q_t = r_t + γ max_a Q_{t+1}, one step by hand: a move
    # costs −1, the best next action is worth 4, γ = 0.9, α = 0.5, Q(s, a) = 0:
    # y = −1 + 0.9 · 4 = 2.6;  Q(s, a) ← 0 + 0.5 · (2.6 − 0) = 1.3.
    params = {"q": 0, "r": -1, "alpha": 0.5, "gamma": 0.9, "q_next": [2, 4, 1], "done": False}
    answers = problem.solve(params).answers()
    assert answers["td_target"] == pytest.approx(2.6)
    assert answers["new_q"] == pytest.approx(1.3)
    # Reaching the goal (+10) ends the episode: no bootstrap.
    # y = 10;  Q(s, a) ← 4 + 0.5 · (10 − 4) = 7.
    params = {"q": 4, "r": 10, "alpha": 0.5, "gamma": 0.9, "q_next": [2, 4, 1], "done": True}
    answers = problem.solve(params).answers()
    assert answers["td_target"] == pytest.approx(10)
    assert answers["new_q"] == pytest.approx(7)
    wrong = {m.tag: m.value_or_expr for m in problem.solve(params).parts[0].answer.misconceptions}
    assert wrong == {"bootstrap-on-terminal": pytest.approx(13.6)}


def test_steps_show_the_numbers():
    params = {"q": 2, "r": 1, "alpha": 0.1, "gamma": 0.9, "q_next": [1.2, 3, 0.5], "done": False}
    latex = " ".join(step.latex for step in problem.solve(params).steps)
    assert r"\max(1.2, 3, 0.5) = 3" in latex
    assert "= 3.7" in latex and "= 1.7" in latex and "= 2.17" in latex


BASE = {"q": 1.0, "r": 0.0, "alpha": 0.5, "gamma": 0.9, "q_next": [1.0, 2.0], "done": False}


@pytest.mark.parametrize(
    "change, name",
    [
        ({"alpha": 0}, "alpha"),
        ({"alpha": 1.5}, "alpha"),
        ({"gamma": -0.1}, "gamma"),
        ({"gamma": 1.01}, "gamma"),
        ({"q_next": []}, "q_next"),
        ({"q_next": [[1.0, 2.0]]}, "q_next"),
        ({"q_next": "1, 2"}, "q_next"),
        ({"q_next": 3.0}, "q_next"),
        ({"done": "yes"}, "done"),
        ({"done": 1}, "done"),
        ({"q": "1"}, "q"),
        ({"r": None}, "r"),
        ({"r": float("nan")}, "r"),
        ({"epsilon": 0.1}, "epsilon"),
    ],
)
def test_bad_parameters_are_refused(change, name):
    with pytest.raises(ParameterError) as info:
        problem.solve({**BASE, **change})
    assert info.value.name == name


def test_missing_parameter_is_named():
    params = dict(BASE)
    del params["gamma"]
    with pytest.raises(ParameterError) as info:
        problem.solve(params)
    assert info.value.name == "gamma"
