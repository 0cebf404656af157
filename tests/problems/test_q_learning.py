"""The q-learning problem type, checked against a grid world, the Q-learning
update and the DQN target written out here with plain Python loops."""

import json

import numpy as np
import pytest

from tutor.answers import check
from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import q_learning as problem

SEEDS = range(40)
STEP = {"left": (0, -1), "right": (0, 1), "up": (-1, 0), "down": (1, 0)}


def move(params, cell, action):
    """(next cell, reward, done) from 1-based cells: walls keep the agent in place."""
    rows, cols = params["grid"]
    r, c = divmod(cell - 1, cols)
    dr, dc = STEP[action]
    if 0 <= r + dr < rows and 0 <= c + dc < cols:
        r, c = r + dr, c + dc
    nxt = r * cols + c + 1
    if nxt == params["goal"]:
        return nxt, params["goal_reward"], True
    if params.get("trap") is not None and nxt == params["trap"]:
        return nxt, params["trap_reward"], True
    return nxt, params["step_reward"], False


def transitions(params, pairs):
    """(s, a, r, s′, done) with 0-based state and action indices."""
    out = []
    for cell, action in pairs:
        nxt, r, done = move(params, cell, action)
        out.append((cell - 1, params["actions"].index(action), r, nxt - 1, done))
    return out


def run(params, alpha=None, gamma=None, ignore_done=False, from_initial=False, sarsa=False):
    """Q(s_t, a_t) after each update and the final table, by the update
    equation, with the variations that the mistakes make."""
    alpha = params["alpha"] if alpha is None else alpha
    gamma = params["gamma"] if gamma is None else gamma
    initial = [list(map(float, row)) for row in params["Q0"]]
    table = [row[:] for row in initial]
    steps = transitions(params, params["episode"])
    values = []
    for t, (s, a, r, s_next, done) in enumerate(steps):
        source = initial if from_initial else table
        if done and not ignore_done:
            target = r
        elif sarsa and t + 1 < len(steps):
            target = r + gamma * source[s_next][steps[t + 1][1]]
        else:
            target = r + gamma * max(source[s_next])
        value = source[s][a] + alpha * (target - source[s][a])
        table[s][a] = value
        values.append(value)
    return values, table


def non_terminal(params):
    rows, cols = params["grid"]
    return [c for c in range(rows * cols) if c + 1 not in (params["goal"], params.get("trap"))]


def greedy(params, table, last=False):
    """1-based action numbers: the first (or the last) of the largest values."""
    policy = []
    for s in non_terminal(params):
        row = table[s]
        best = max(row)
        tied = [j for j, v in enumerate(row) if abs(v - best) < 1e-9]
        policy.append((tied[-1] if last else tied[0]) + 1)
    return policy


def dqn(params, network="q_target", gamma=None, ignore_done=False):
    gamma = params["gamma"] if gamma is None else gamma
    ys = []
    for (_, _, r, _, done), row in zip(transitions(params, params["dqn"]), params[network]):
        ys.append(r if done and not ignore_done else r + gamma * max(row))
    return ys


def variant(seed, difficulty):
    return problem.generate(np.random.default_rng(seed), difficulty)


def scalar_or_list(ys):
    return ys[0] if len(ys) == 1 else ys


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_answers_match_the_update_equations(difficulty):
    for seed in SEEDS:
        params = variant(seed, difficulty)
        assert json.loads(json.dumps(params)) == params
        answers = problem.solve(params).answers()
        values, table = run(params)
        assert answers["q_values"] == pytest.approx(values, abs=1e-9), params
        assert answers["policy"] == greedy(params, table), params
        assert answers["dqn_target"] == pytest.approx(scalar_or_list(dqn(params)), abs=1e-9)


def wrong_values(params):
    """Each declared mistake, recomputed from its description."""
    _, table = run(params)
    sarsa_values, sarsa_table = run(params, sarsa=True)
    old_values, _ = run(params, from_initial=True)
    # Computed from the initial table, a pair updated twice keeps its last value.
    old_table = [list(map(float, row)) for row in params["Q0"]]
    for (s, a, *_), value in zip(transitions(params, params["episode"]), old_values):
        old_table[s][a] = value
    no_alpha_values, no_alpha_table = run(params, alpha=1.0)
    return {
        "q_values": {
            "sarsa": sarsa_values,
            "old-values": old_values,
            "bootstrap-on-terminal": run(params, ignore_done=True)[0],
            "no-alpha": no_alpha_values,
            "no-gamma": run(params, gamma=1.0)[0],
        },
        "policy": {
            "tie-rule": greedy(params, table, last=True),
            "sarsa": greedy(params, sarsa_table),
            "old-values": greedy(params, old_table),
            "no-alpha": greedy(params, no_alpha_table),
            "zero-based": [a - 1 for a in greedy(params, table)],
        },
        "dqn_target": {
            "online-network": scalar_or_list(dqn(params, network="q_online")),
            "bootstrap-on-terminal": scalar_or_list(dqn(params, ignore_done=True)),
            "no-gamma": scalar_or_list(dqn(params, gamma=1.0)),
        },
    }


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_misconceptions_are_the_mistakes_they_name(difficulty):
    seen = set()
    for seed in SEEDS:
        params = variant(seed, difficulty)
        solution = problem.solve(params)
        assert has_distinct_misconceptions(solution), params
        wrong = wrong_values(params)
        for part in solution.parts:
            for m in part.answer.misconceptions:
                expected = wrong[part.name][m.tag]
                assert np.allclose(m.value_or_expr, expected, rtol=0, atol=1e-9), (params, m.tag)
                assert m.feedback_en and m.feedback_zh
                assert m.score == (0.5 if m.tag == "zero-based" else 0.0)
                seen.add((part.name, m.tag))
        tags = {m.tag for m in solution.parts[0].answer.misconceptions}
        assert "no-alpha" in tags
    # Every mistake turns up somewhere on these seeds.
    if difficulty == 3:
        assert {(part, tag) for part in wrong for tag in wrong[part]} == seen


def test_generation_is_deterministic_and_varied():
    grids, endings, batches, walls, ties = set(), set(), set(), 0, 0
    for difficulty in (1, 2, 3):
        for seed in range(40):
            params = variant(seed, difficulty)
            if seed < 10:
                assert params == variant(seed, difficulty)
            steps = transitions(params, params["episode"])
            grids.add(tuple(params["grid"]))
            last = steps[-1]
            endings.add(
                "cut" if not last[4] else "goal" if last[3] + 1 == params["goal"] else "trap"
            )
            batches.add(len(params["dqn"]))
            walls += any(s == s_next for s, _, _, s_next, _ in steps)
            _, table = run(params)
            ties += greedy(params, table) != greedy(params, table, last=True)
    assert grids == {(1, 4), (2, 2), (2, 3)}
    assert endings == {"cut", "goal", "trap"}
    assert batches == {1, 2, 3}
    assert walls > 20 and ties > 20


# A hand-worked corridor in the notes' setting (walking a grid, the recursion
# Q = r + γ max Q filled into a table): s1 s2 s3 s4, the goal s4 (+10), every
# other move 0; α = 0.5, γ = 0.9.
#   Q0:  s1 (1, 0)   s2 (0, 2)   s3 (1, 4)   s4 (0, 0)       [left, right]
#   1. s2 right → s3:  y = 0.9·max(1, 4) = 3.6;     Q(s2, R) = 2 + 0.5(3.6 − 2) = 2.8
#   2. s3 left → s2:   y = 0.9·max(0, 2.8) = 2.52;  Q(s3, L) = 1 + 0.5(2.52 − 1) = 1.76
#   3. s2 right → s3:  y = 0.9·max(1.76, 4) = 3.6;  Q(s2, R) = 2.8 + 0.5(3.6 − 2.8) = 3.2
#   4. s3 right → s4 (goal, terminal):  y = 10;     Q(s3, R) = 4 + 0.5(10 − 4) = 7
# Greedy: s1 left (1 > 0), s2 right (3.2), s3 right (7): [1, 2, 2].
# From the initial table step 2 would read max(0, 2) = 2: 1 + 0.5(1.8 − 1) = 1.4, and
# step 3 would repeat step 1: 2.8.
# SARSA bootstraps from the next action taken: 1. Q(s3, L) = 1: y = 0.9, Q = 1.45;
# 2. Q(s2, R) = 1.45: y = 1.305, Q = 1.1525; 3. Q(s3, R) = 4: y = 3.6, Q = 2.525; 4. 7.
# DQN: s2 left → s1 (not terminal, r = 0); target net at s1 (3, 1), online (2, 4):
# y = 0.9·3 = 2.7; the online net would give 0.9·4 = 3.6.
HAND = {
    "grid": [1, 4],
    "actions": ["left", "right"],
    "goal": 4,
    "goal_reward": 10,
    "step_reward": 0,
    "Q0": [[1, 0], [0, 2], [1, 4], [0, 0]],
    "alpha": 0.5,
    "gamma": 0.9,
    "episode": [[2, "right"], [3, "left"], [2, "right"], [3, "right"]],
    "dqn": [[2, "left"]],
    "q_online": [[2, 4]],
    "q_target": [[3, 1]],
}


def test_hand_worked_corridor():
    solution = problem.solve(HAND)
    answers = solution.answers()
    assert answers["q_values"] == pytest.approx([2.8, 1.76, 3.2, 7.0])
    assert answers["policy"] == [1, 2, 2]
    assert answers["dqn_target"] == pytest.approx(2.7)
    parts = {part.name: part.answer for part in solution.parts}
    wrong = {m.tag: m.value_or_expr for m in parts["q_values"].misconceptions}
    assert wrong["old-values"] == pytest.approx([2.8, 1.4, 2.8, 7.0])
    assert wrong["sarsa"] == pytest.approx([1.45, 1.1525, 2.525, 7.0])
    assert wrong["no-alpha"] == pytest.approx([3.6, 3.24, 3.6, 10.0])
    # The goal's row holds zeros: bootstrapping from it changes nothing, so
    # that mistake cannot be told apart here.
    assert "bootstrap-on-terminal" not in wrong
    dqn_wrong = {m.tag: m.value_or_expr for m in parts["dqn_target"].misconceptions}
    assert dqn_wrong == {"online-network": pytest.approx(3.6), "no-gamma": pytest.approx(3.0)}
    verdict = check(parts["dqn_target"], "3.6")
    assert verdict.misconception == "online-network" and "θ⁻" in verdict.feedback
    assert check(parts["q_values"], "[2.8, 1.76, 3.2, 7]").status == "correct"
    assert check(parts["q_values"], "[2.8, 1.4, 2.8, 7]").misconception == "old-values"
    latex = " ".join(step.latex for step in solution.steps)
    assert r"\max(1.76, 4)" in latex and "= 3.2" in latex and "y_4 = r = 10" in latex


def test_terminal_rows_with_values_make_the_terminal_mistake_visible():
    # An arbitrary initial value at the goal: bootstrapping from it at step 4
    # gives 10 + 0.9·5 = 14.5 as the target, 4 + 0.5(14.5 − 4) = 9.25.
    params = {**HAND, "Q0": [[1, 0], [0, 2], [1, 4], [5, 0]]}
    answers = problem.solve(params).answers()
    assert answers["q_values"] == pytest.approx([2.8, 1.76, 3.2, 7.0])
    q_part = problem.solve(params).parts[0].answer
    wrong = {m.tag: m.value_or_expr for m in q_part.misconceptions}
    assert wrong["bootstrap-on-terminal"] == pytest.approx([2.8, 1.76, 3.2, 9.25])


def test_wall_and_trap_in_a_two_by_three_grid():
    # s1 s2 s3 / s4 s5 s6 with the trap s3 (−10), the goal s6 (+5), steps −1;
    # Q0(s1, ·) = (0, 2, 1, 0) for (left, right, up, down), all else 0; α = γ = 0.5.
    # 1. s1 up: the wall, stays in s1, r = −1: y = −1 + 0.5·max(0, 2, 1, 0) = 0,
    #    Q(s1, up) = 1 + 0.5(0 − 1) = 0.5.
    # 2. s1 right → s2, r = −1: y = −1 + 0.5·0 = −1, Q(s1, right) = 2 + 0.5(−1 − 2) = 0.5.
    # 3. s2 right → s3, the trap: y = −10, Q(s2, right) = 0 + 0.5(−10 − 0) = −5.
    params = {
        "grid": [2, 3],
        "actions": ["left", "right", "up", "down"],
        "goal": 6,
        "goal_reward": 5,
        "trap": 3,
        "trap_reward": -10,
        "step_reward": -1,
        "Q0": [[0, 2, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]],
        "alpha": 0.5,
        "gamma": 0.5,
        "episode": [[1, "up"], [1, "right"], [2, "right"]],
        "dqn": [[5, "right"], [4, "right"]],
        "q_online": [[1, 2, 3, 4], [1, 1, 1, 1]],
        "q_target": [[4, 3, 2, 1], [2, 2, 2, 2]],
    }
    answers = problem.solve(params).answers()
    assert answers["q_values"] == pytest.approx([0.5, 0.5, -5.0])
    # s1 (0, 0.5, 0.5, 0): a tie of right and up goes to right; s2, s4 all 0 but
    # s2 right −5: left; s5 all 0: left.
    assert answers["policy"] == [2, 1, 1, 1]
    # s5 right → s6, the goal: y = 5; s4 right → s5: y = −1 + 0.5·2 = 0.
    assert answers["dqn_target"] == pytest.approx([5.0, 0.0])
    statement = problem.statement(params)
    assert "trap" in statement["en"] and "陷阱" in statement["zh"]


BASE = HAND


@pytest.mark.parametrize(
    "change, name",
    [
        ({"grid": [0, 4]}, "grid"),
        ({"grid": [1, 4.5]}, "grid"),
        ({"grid": "1x4"}, "grid"),
        ({"actions": ["left", "left"]}, "actions"),
        ({"actions": ["left", "jump"]}, "actions"),
        ({"actions": "left right"}, "actions"),
        ({"goal": 5}, "goal"),
        ({"goal": "4"}, "goal"),
        ({"trap": 4, "trap_reward": -5}, "trap"),
        ({"trap": 1}, "trap_reward"),
        ({"trap_reward": -5}, "trap_reward"),
        ({"goal_reward": None}, "goal_reward"),
        ({"step_reward": float("nan")}, "step_reward"),
        ({"Q0": [[0, 0], [0, 0], [0, 0]]}, "Q0"),
        ({"Q0": [[0, 0, 0]] * 4}, "Q0"),
        ({"alpha": 0}, "alpha"),
        ({"alpha": 1.5}, "alpha"),
        ({"gamma": -0.1}, "gamma"),
        ({"gamma": 1.01}, "gamma"),
        ({"episode": []}, "episode"),
        ({"episode": [[2, "right"], [2, "right"]]}, "episode"),
        ({"episode": [[3, "right"], [4, "left"]]}, "episode"),
        ({"episode": [[4, "left"]]}, "episode"),
        ({"episode": [[2, "up"]]}, "episode"),
        ({"episode": [[9, "right"]]}, "episode"),
        ({"episode": [[2, "right", 0]]}, "episode"),
        ({"episode": [[2, "right"]] * 9}, "episode"),
        ({"dqn": [[4, "left"]]}, "dqn"),
        ({"dqn": [[2, "left"], [3, "left"]]}, "q_online"),
        ({"q_online": [[1, 2, 3]]}, "q_online"),
        ({"q_target": [["a", "b"]]}, "q_target"),
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
