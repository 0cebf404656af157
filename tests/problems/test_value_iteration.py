"""The value-iteration problem type, checked against the Bellman optimality
backup written out here with plain loops over states, actions and next states."""

import json

import numpy as np
import pytest

from tutor.answers import check
from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import value_iteration as problem

SEEDS = range(60)


def q_row(params, V, s, gamma=None, most_likely=False):
    """Q(s, a) for every action: Σ_s′ P(s′|s,a)[R + γ V(s′)], or only the most
    likely next state with weight 1."""
    P, R = params["P"], params["R"]
    gamma = params["gamma"] if gamma is None else gamma
    row = []
    for a in range(len(P[s])):
        outcomes = range(len(P))
        if most_likely:
            outcomes = [max(outcomes, key=lambda t: P[s][a][t])]
        total = 0.0
        for t in outcomes:
            p = 1.0 if most_likely else P[s][a][t]
            reward = R[s][a][t] if isinstance(R[s][a], list) else R[s][a]
            total += p * (reward + gamma * V[t])
        row.append(total)
    return row


def first_max(row, last=False):
    best = max(row)
    tied = [a for a, v in enumerate(row) if abs(v - best) < 1e-9]
    return tied[-1] if last else tied[0]


def sweep(params, V, combine=max, in_place=False, **kwargs):
    """One backup: the new values and the action attaining each maximum."""
    new = list(V)
    values, rows = [], []
    for s in range(len(V)):
        row = q_row(params, new if in_place else V, s, **kwargs)
        rows.append(row)
        values.append(combine(row))
        new[s] = values[-1]
    return values, rows


def backups(params, **kwargs):
    V, all_values = [float(v) for v in params["V0"]], []
    for _ in range(params["backups"]):
        V, rows = sweep(params, V, **kwargs)
        all_values.append(V)
    return all_values, rows


def policy_of(rows, last=False):
    return [first_max(row, last) + 1 for row in rows]


def variant(seed, difficulty):
    return problem.generate(np.random.default_rng(seed), difficulty)


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_answers_match_the_backup_written_out(difficulty):
    for seed in SEEDS:
        params = variant(seed, difficulty)
        assert json.loads(json.dumps(params)) == params
        answers = problem.solve(params).answers()
        values, rows = backups(params)
        assert answers["v1"] == pytest.approx(values[0], abs=1e-9), params
        if params["backups"] == 2:
            assert answers["v2"] == pytest.approx(values[1], abs=1e-9), params
        else:
            assert "v2" not in answers
        assert answers["policy"] == policy_of(rows), params


def average(row):
    return sum(row) / len(row)


def wrong_values(params):
    """Each declared mistake, recomputed from its description."""
    in_place, in_place_rows = backups(params, in_place=True)
    no_gamma, no_gamma_rows = backups(params, gamma=1.0)
    likely, likely_rows = backups(params, most_likely=True)
    averaged, _ = backups(params, combine=average)
    _, rows = backups(params)
    immediate = [q_row(params, [0.0] * len(params["V0"]), s, gamma=0.0) for s in range(len(rows))]
    wrong = {
        f"v{k + 1}": {
            "in-place": in_place[k],
            "average-actions": averaged[k],
            "no-gamma": no_gamma[k],
            "most-likely-only": likely[k],
        }
        for k in range(params["backups"])
    }
    wrong["policy"] = {
        "tie-rule": policy_of(rows, last=True),
        "in-place": policy_of(in_place_rows),
        "most-likely-only": policy_of(likely_rows),
        "no-gamma": policy_of(no_gamma_rows),
        "immediate-reward": policy_of(immediate),
        "zero-based": [a - 1 for a in policy_of(rows)],
    }
    return wrong


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
        # The last values asked for show every mistake of the backup (γ aside
        # in one backup from V₀ = 0, where it cannot matter).
        last = solution.parts[params["backups"] - 1].answer
        expected_tags = {"in-place", "average-actions", "no-gamma", "most-likely-only"}
        if params["backups"] == 1 and not any(params["V0"]):
            expected_tags.discard("no-gamma")
        assert {m.tag for m in last.misconceptions} == expected_tags
    assert {tag for part, tag in seen if part == "policy"} >= {"zero-based", "tie-rule"}


def test_generation_is_deterministic_and_varied():
    kinds = set()
    for difficulty in (1, 2, 3):
        for seed in range(40):
            params = variant(seed, difficulty)
            if seed < 10:
                assert params == variant(seed, difficulty)
            P = np.array(params["P"])
            assert np.allclose(P.sum(axis=2), 1.0)
            kinds.add(("states", P.shape[0]))
            kinds.add(("backups", params["backups"]))
            kinds.add(("reward", np.ndim(params["R"])))
            kinds.add(("zero start", not any(params["V0"])))
            kinds.add(("stochastic", bool(np.any((P > 0) & (P < 1)))))
            absorbing = any(np.all(P[s, :, s] == 1) for s in range(P.shape[0]))
            kinds.add(("absorbing", absorbing))
    assert kinds >= {
        ("states", 3),
        ("states", 4),
        ("backups", 1),
        ("backups", 2),
        ("reward", 2),
        ("reward", 3),
        ("zero start", True),
        ("zero start", False),
        ("stochastic", True),
        ("absorbing", True),
        ("absorbing", False),
    }
    assert ("stochastic", False) not in kinds


# A hand-worked example: s1, s2 and the terminal s3; γ = 0.9, V0 = (1, 2, 0).
#   s1 a1: s2 with 0.8, s1 with 0.2, R = 0:  0.9(0.8·2 + 0.2·1) = 1.62
#   s1 a2: s1 surely, R = 1:                  1 + 0.9·1 = 1.9      → V1(s1) = 1.9, a2
#   s2 a1: s3 with 0.9, s1 with 0.1, R = 5:  5 + 0.9(0.1·1) = 5.09
#   s2 a2: s1 surely, R = 0:                  0.9·1 = 0.9          → V1(s2) = 5.09, a1
#   s3: stays, R = 0: 0 for both actions, a tie → a1.
# In place, s2 would read V(s1) = 1.9 already: 5 + 0.9·0.19 = 5.171.
# Averaging: (1.62 + 1.9)/2 = 1.76, (5.09 + 0.9)/2 = 2.995.  Without γ: 2, 5.1.
# Most likely next state only: s1 a1 → s2: 0.9·2 = 1.8 < 1.9; s2 a1 → s3: 5.
# Second backup from V1 = (1.9, 5.09, 0):
#   s1 a1: 0.9(0.8·5.09 + 0.2·1.9) = 4.0068;  s1 a2: 1 + 0.9·1.9 = 2.71 → 4.0068, a1
#   s2 a1: 5 + 0.9·0.1·1.9 = 5.171;           s2 a2: 0.9·1.9 = 1.71    → 5.171, a1
HAND = {
    "P": [
        [[0.2, 0.8, 0.0], [1.0, 0.0, 0.0]],
        [[0.1, 0.0, 0.9], [1.0, 0.0, 0.0]],
        [[0.0, 0.0, 1.0], [0.0, 0.0, 1.0]],
    ],
    "R": [[0, 1], [5, 0], [0, 0]],
    "V0": [1, 2, 0],
    "gamma": 0.9,
    "backups": 1,
}


def test_hand_worked_example():
    solution = problem.solve(HAND)
    answers = solution.answers()
    assert answers["v1"] == pytest.approx([1.9, 5.09, 0.0])
    assert answers["policy"] == [2, 1, 1]
    parts = {part.name: part.answer for part in solution.parts}
    wrong = {m.tag: m.value_or_expr for m in parts["v1"].misconceptions}
    assert wrong["in-place"] == pytest.approx([1.9, 5.171, 0.0])
    assert wrong["average-actions"] == pytest.approx([1.76, 2.995, 0.0])
    assert wrong["no-gamma"] == pytest.approx([2.0, 5.1, 0.0])
    assert wrong["most-likely-only"] == pytest.approx([1.9, 5.0, 0.0])
    policy_wrong = {m.tag: m.value_or_expr for m in parts["policy"].misconceptions}
    assert policy_wrong["tie-rule"] == [2, 1, 2]
    assert policy_wrong["zero-based"] == [1, 0, 0]
    assert check(parts["v1"], "1.9, 5.09, 0").status == "correct"
    assert check(parts["v1"], "1.9, 5.171, 0").misconception == "in-place"
    assert check(parts["policy"], "[2, 1, 2]").misconception == "tie-rule"
    statement = problem.statement(HAND)
    assert "$s_3$ is terminal" in statement["en"] and "synchronously" in statement["en"]

    two = problem.solve({**HAND, "backups": 2}).answers()
    assert two["v1"] == pytest.approx([1.9, 5.09, 0.0])
    assert two["v2"] == pytest.approx([4.0068, 5.171, 0.0])
    assert two["policy"] == [1, 1, 1]


def test_reward_of_the_next_state():
    # R(s, a, s′): s1 a1 goes to s2 (0.7, reward 4) or s1 (0.3, reward −2):
    # 0.7(4 + 0.5·0) + 0.3(−2 + 0.5·0) = 2.2; s1 a2 stays, reward 1: 1.
    params = {
        "P": [[[0.3, 0.7], [1.0, 0.0]], [[0.0, 1.0], [0.6, 0.4]]],
        "R": [[[-2, 4], [1, 0]], [[0, 0], [3, -1]]],
        "V0": [0, 0],
        "gamma": 0.5,
        "backups": 1,
    }
    answers = problem.solve(params).answers()
    # s2 a1 stays, reward 0: 0; s2 a2: 0.6·3 + 0.4·(−1) = 1.4.
    assert answers["v1"] == pytest.approx([2.2, 1.4])
    assert answers["policy"] == [1, 2]
    assert "R(s, a, s')" in problem.statement(params)["en"]


BASE = HAND


@pytest.mark.parametrize(
    "change, name",
    [
        ({"P": [[0.5, 0.5], [0.5, 0.5]]}, "P"),
        ({"P": [[[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]] * 2}, "P"),
        ({"P": [[[0.5, 0.6, 0.0], [1.0, 0.0, 0.0]]] * 3}, "P"),
        ({"P": [[[1.5, -0.5, 0.0], [1.0, 0.0, 0.0]]] * 3}, "P"),
        ({"P": [[[1.0, 0.0, 0.0]]] * 3}, "P"),
        ({"P": "identity"}, "P"),
        ({"R": [[0, 1], [5, 0]]}, "R"),
        ({"R": [[0, 1, 2], [5, 0, 1], [0, 0, 0]]}, "R"),
        ({"R": [[0, "1"], [5, 0], [0, 0]]}, "R"),
        ({"R": [[0, float("inf")], [5, 0], [0, 0]]}, "R"),
        ({"V0": [1, 2]}, "V0"),
        ({"V0": [1, 2, None]}, "V0"),
        ({"gamma": 1.5}, "gamma"),
        ({"gamma": -0.1}, "gamma"),
        ({"gamma": "0.9"}, "gamma"),
        ({"backups": 3}, "backups"),
        ({"backups": 0}, "backups"),
        ({"backups": 1.5}, "backups"),
        ({"epsilon": 0.1}, "epsilon"),
    ],
)
def test_bad_parameters_are_refused(change, name):
    with pytest.raises(ParameterError) as info:
        problem.solve({**BASE, **change})
    assert info.value.name == name


def test_missing_parameter_is_named():
    params = dict(BASE)
    del params["V0"]
    with pytest.raises(ParameterError) as info:
        problem.solve(params)
    assert info.value.name == "V0"
