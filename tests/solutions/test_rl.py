"""Tabular Q-learning: the TD target and one update of the table."""

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tutor.solutions.rl import q_update, td_target

SEEDS = range(30)


def loop_td_target(r, q_next, gamma, done):
    if done:
        return r
    best = q_next[0]
    for value in q_next[1:]:
        if value > best:
            best = value
    return r + gamma * best


def random_transition(rng):
    n_states, n_actions = int(rng.integers(1, 6)), int(rng.integers(1, 5))
    return {
        "Q": rng.normal(size=(n_states, n_actions)),
        "s": int(rng.integers(n_states)),
        "a": int(rng.integers(n_actions)),
        "r": float(rng.normal()),
        "s_next": int(rng.integers(n_states)),
        "alpha": float(rng.uniform(0.01, 1.0)),
        "gamma": float(rng.uniform(0.0, 1.0)),
        "done": bool(rng.integers(2)),
    }


# td_target


@pytest.mark.parametrize("seed", SEEDS)
def test_td_target_matches_loop(seed):
    rng = np.random.default_rng(seed)
    r, gamma = float(rng.normal()), float(rng.uniform())
    q_next = list(rng.normal(size=rng.integers(1, 7)))
    expected = loop_td_target(r, q_next, gamma, done=False)
    assert td_target(r, q_next, gamma) == pytest.approx(expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("seed", range(10))
def test_td_target_of_terminal_transition_is_the_reward(seed):
    rng = np.random.default_rng(seed)
    r, q_next = float(rng.normal()), rng.normal(size=3) + 10.0
    assert td_target(r, q_next, float(rng.uniform()), done=True) == r


@pytest.mark.parametrize("gamma", [0.0, 1.0])
def test_td_target_accepts_the_ends_of_the_gamma_range(gamma):
    assert td_target(1.0, [2.0, -3.0], gamma) == pytest.approx(1.0 + gamma * 2.0)


@pytest.mark.parametrize("gamma", [-0.1, 1.01, float("nan")])
@pytest.mark.parametrize("done", [False, True])
def test_td_target_rejects_gamma_outside_unit_interval(gamma, done):
    with pytest.raises(ValueError):
        td_target(1.0, [0.0, 1.0], gamma, done)


# q_update


@pytest.mark.parametrize("seed", SEEDS)
def test_q_update_matches_formula_at_s_a_only(seed):
    t = random_transition(np.random.default_rng(seed))
    Q, s, a = t["Q"], t["s"], t["a"]
    target = loop_td_target(t["r"], list(Q[t["s_next"]]), t["gamma"], t["done"])
    expected = Q.copy()
    expected[s, a] = Q[s, a] + t["alpha"] * (target - Q[s, a])
    new_Q = q_update(**t)
    assert new_Q.shape == Q.shape
    np.testing.assert_allclose(new_Q, expected, rtol=1e-12, atol=1e-12)
    unchanged = np.ones(Q.shape, dtype=bool)
    unchanged[s, a] = False
    np.testing.assert_array_equal(new_Q[unchanged], Q[unchanged])


@pytest.mark.parametrize("seed", SEEDS)
def test_q_update_returns_new_table_and_leaves_input_alone(seed):
    t = random_transition(np.random.default_rng(seed))
    original = t["Q"].copy()
    new_Q = q_update(**t)
    assert new_Q is not t["Q"]
    assert not np.shares_memory(new_Q, t["Q"])
    np.testing.assert_array_equal(t["Q"], original)


def test_q_update_accepts_nested_lists():
    Q = [[0.0, 1.0], [2.0, 4.0]]
    new_Q = q_update(Q, s=0, a=0, r=1.0, s_next=1, alpha=0.5, gamma=0.5)
    assert Q == [[0.0, 1.0], [2.0, 4.0]]
    np.testing.assert_allclose(new_Q, [[0.5 * (1.0 + 0.5 * 4.0), 1.0], [2.0, 4.0]])


def test_q_update_terminal_transition_does_not_bootstrap():
    Q = np.array([[0.0, 0.0], [100.0, 50.0]])
    new_Q = q_update(Q, s=0, a=1, r=2.0, s_next=1, alpha=0.5, gamma=0.9, done=True)
    assert new_Q[0, 1] == pytest.approx(0.5 * 2.0)


def test_q_update_uses_max_over_next_actions_not_sarsa():
    # From s' the greedy action 1 is worth 10; any other next action (what
    # SARSA would bootstrap from) is worth 0 or less, so the targets differ.
    Q = np.array([[0.0, 0.0, 0.0], [0.0, 10.0, -4.0]])
    r, gamma, alpha = 1.0, 0.9, 1.0
    new_Q = q_update(Q, s=0, a=2, r=r, s_next=1, alpha=alpha, gamma=gamma)
    sarsa_values = {r + gamma * Q[1, a_next] for a_next in (0, 2)}
    assert new_Q[0, 2] == pytest.approx(r + gamma * 10.0)
    assert new_Q[0, 2] not in sarsa_values


def test_q_update_with_alpha_one_sets_the_target():
    Q = np.array([[3.0, -1.0], [0.5, 2.0]])
    new_Q = q_update(Q, s=1, a=0, r=-1.0, s_next=0, alpha=1.0, gamma=0.5)
    assert new_Q[1, 0] == pytest.approx(-1.0 + 0.5 * 3.0)


def test_q_update_self_loop_bootstraps_from_the_old_value():
    Q = np.array([[2.0, 6.0]])
    new_Q = q_update(Q, s=0, a=1, r=0.0, s_next=0, alpha=0.5, gamma=0.5)
    assert new_Q[0, 1] == pytest.approx(6.0 + 0.5 * (0.5 * 6.0 - 6.0))


@pytest.mark.parametrize("alpha", [0.0, -0.5, 1.5, float("nan")])
def test_q_update_rejects_alpha_outside_half_open_unit_interval(alpha):
    with pytest.raises(ValueError):
        q_update(np.zeros((2, 2)), 0, 0, 1.0, 1, alpha, 0.9)


@pytest.mark.parametrize("gamma", [-0.5, 1.5])
@pytest.mark.parametrize("done", [False, True])
def test_q_update_rejects_gamma_outside_unit_interval(gamma, done):
    with pytest.raises(ValueError):
        q_update(np.zeros((2, 2)), 0, 0, 1.0, 1, 0.5, gamma, done)


@pytest.mark.parametrize("Q", [np.zeros(3), np.zeros((2, 2, 2))])
def test_q_update_rejects_tables_that_are_not_2d(Q):
    with pytest.raises(ValueError):
        q_update(Q, 0, 0, 1.0, 0, 0.5, 0.9)


@settings(max_examples=60, deadline=None)
@given(
    q_values=st.lists(st.floats(-10, 10), min_size=6, max_size=6),
    r=st.floats(-5, 5),
    alpha=st.floats(0.1, 1.0),
    gamma=st.floats(0.0, 1.0),
    s=st.integers(0, 2),
    s_next=st.integers(0, 2),
    a=st.integers(0, 1),
)
def test_repeated_updates_converge_to_the_target(q_values, r, alpha, gamma, s, s_next, a):
    # Q[s'] never changes when s' != s, so Q[s, a] approaches the fixed target
    # geometrically, by a factor (1 - alpha) per update.
    assume(s != s_next)
    Q = np.array(q_values).reshape(3, 2)
    target = r + gamma * max(Q[s_next])
    for _ in range(400):
        Q = q_update(Q, s, a, r, s_next, alpha, gamma)
    assert Q[s, a] == pytest.approx(target, abs=1e-9)


@pytest.mark.parametrize(
    ("s", "a", "s_next"), [(-1, 0, 0), (2, 0, 0), (0, 3, 0), (0, 0, 2), (0.0, 0, 0), (True, 0, 0)]
)
def test_q_update_rejects_indices_outside_the_table(s, a, s_next):
    with pytest.raises(ValueError):
        q_update(np.zeros((2, 3)), s, a, 1.0, s_next, 0.5, 0.9)
