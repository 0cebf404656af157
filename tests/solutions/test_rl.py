"""Tabular Q-learning: the TD target and one update of the table."""

import itertools

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tutor.solutions.rl import (
    bellman_q_values,
    dqn_target,
    greedy_policy,
    q_learning_episode,
    q_update,
    td_target,
    value_iteration_step,
)

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


# q_learning_episode, greedy_policy, dqn_target, value iteration


def loop_episode(Q, transitions, alpha, gamma):
    """The update equation applied step by step on nested lists."""
    table = [list(row) for row in Q]
    for s, a, r, s_next, done in transitions:
        bootstrap = 0.0 if done else gamma * max(table[s_next])
        table[s][a] = table[s][a] + alpha * (r + bootstrap - table[s][a])
    return np.array(table)


def random_episode(rng, n_states, n_actions, length):
    """Transitions that often revisit states, so that later steps bootstrap
    from values the earlier steps changed."""
    steps = []
    s = int(rng.integers(n_states))
    for _ in range(length):
        s_next = int(rng.integers(n_states))
        done = bool(rng.random() < 0.2)
        steps.append((s, int(rng.integers(n_actions)), float(rng.normal()), s_next, done))
        s = s_next if not done else int(rng.integers(n_states))
    return steps


@pytest.mark.parametrize("seed", SEEDS)
def test_q_learning_episode_matches_sequential_loop(seed):
    rng = np.random.default_rng(seed)
    n_states, n_actions = int(rng.integers(1, 6)), int(rng.integers(1, 5))
    Q = rng.normal(size=(n_states, n_actions))
    steps = random_episode(rng, n_states, n_actions, int(rng.integers(0, 12)))
    alpha, gamma = float(rng.uniform(0.05, 1.0)), float(rng.uniform(0.0, 1.0))
    original = Q.copy()
    result = q_learning_episode(Q, steps, alpha, gamma)
    np.testing.assert_allclose(result, loop_episode(Q, steps, alpha, gamma), rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(Q, original)
    assert not np.shares_memory(result, Q)


def test_q_learning_episode_is_sequential_not_from_the_initial_table():
    # Step 2 bootstraps from state 0, which step 1 has just raised to 5:
    # target 0 + 0.5 · 5 = 2.5, not 0 + 0.5 · 0 as the initial table gives.
    Q = np.zeros((2, 2))
    steps = [(0, 1, 10.0, 1, True), (1, 0, 0.0, 0, False)]
    result = q_learning_episode(Q, steps, alpha=0.5, gamma=0.5)
    np.testing.assert_allclose(result, [[0.0, 5.0], [1.25, 0.0]])
    # The same pair updated twice starts the second time from the first result.
    twice = q_learning_episode(Q, [(0, 0, 4.0, 1, True)] * 2, alpha=0.5, gamma=0.9)
    assert twice[0, 0] == pytest.approx(2.0 + 0.5 * (4.0 - 2.0))


def test_q_learning_episode_empty_episode_returns_a_copy():
    Q = [[1.0, 2.0]]
    result = q_learning_episode(Q, [], 0.5, 0.9)
    np.testing.assert_array_equal(result, Q)


def test_q_learning_converges_on_a_chain_to_the_optimal_values():
    # States 0..4 in a row, actions 0 = left and 1 = right, a wall at the left
    # end; entering state 4 gives reward 1 and ends the episode. With γ the
    # optimal values are V*(s) = γ^(3 − s), Q*(s, right) = V*(s) and
    # Q*(s, left) = γ V*(max(s − 1, 0)).
    n, gamma = 5, 0.9
    v_star = np.array([gamma ** (n - 2 - s) for s in range(n - 1)])
    q_star = np.column_stack([gamma * v_star[np.maximum(np.arange(n - 1) - 1, 0)], v_star])
    rng = np.random.default_rng(0)
    Q = np.zeros((n, 2))
    for _ in range(600):
        s, steps = int(rng.integers(n - 1)), []
        while True:
            a = int(rng.integers(2))  # uniform exploration: Q-learning is off-policy
            s_next = max(s - 1, 0) if a == 0 else s + 1
            done = s_next == n - 1
            steps.append((s, a, float(done), s_next, done))
            if done:
                break
            s = s_next
        Q = q_learning_episode(Q, steps, alpha=0.5, gamma=gamma)
    np.testing.assert_allclose(Q[: n - 1], q_star, atol=1e-6)
    np.testing.assert_array_equal(greedy_policy(Q[: n - 1]), np.ones(n - 1, dtype=int))


@pytest.mark.parametrize(
    ("Q", "transitions", "alpha", "gamma"),
    [
        (np.zeros((2, 2)), [(0, 0, 1.0, 1, False)], 0.0, 0.9),
        (np.zeros((2, 2)), [(0, 0, 1.0, 1, False)], 0.5, 1.5),
        (np.zeros((2, 2)), [(0, 0, 1.0, 1)], 0.5, 0.9),
        (np.zeros((2, 2)), [(0, 2, 1.0, 1, False)], 0.5, 0.9),
        (np.zeros((2, 2)), [(0, 0, 1.0, 5, False)], 0.5, 0.9),
        (np.zeros((2, 2)), [(0, 0, "1", 1, False)], 0.5, 0.9),
        (np.zeros((2, 2)), [(0, 0, float("nan"), 1, False)], 0.5, 0.9),
        (np.zeros((2, 2)), [(0, 0, 1.0, 1, "no")], 0.5, 0.9),
        (np.zeros((2, 2)), (0, 0, 1.0, 1, False), 0.5, 0.9),
        (np.zeros((2, 2)), "episode", 0.5, 0.9),
        (np.zeros(4), [], 0.5, 0.9),
        ([[0.0, float("nan")]], [], 0.5, 0.9),
    ],
)
def test_q_learning_episode_rejects_bad_input(Q, transitions, alpha, gamma):
    with pytest.raises(ValueError):
        q_learning_episode(Q, transitions, alpha, gamma)


def loop_greedy(Q):
    policy = []
    for row in Q:
        best = 0
        for a in range(1, len(row)):
            if row[a] > row[best]:  # strictly greater: a tie keeps the earlier action
                best = a
        policy.append(best)
    return policy


@pytest.mark.parametrize("seed", SEEDS)
def test_greedy_policy_matches_loop_with_ties(seed):
    rng = np.random.default_rng(seed)
    # Small integers: many rows have tied maxima.
    Q = rng.integers(-2, 3, size=(int(rng.integers(1, 7)), int(rng.integers(1, 5)))).astype(float)
    policy = greedy_policy(Q)
    assert policy.dtype.kind == "i"
    assert policy.tolist() == loop_greedy(Q)


def test_greedy_policy_treats_rounding_differences_as_ties():
    # 0.1 + 0.2 and 0.3 are equal on paper; the first listed action wins.
    Q = [[0.3, 0.1 + 0.2, 0.0], [0.1 + 0.2, 0.3, -1.0]]
    assert greedy_policy(Q).tolist() == [0, 0]


@pytest.mark.parametrize("Q", [np.zeros(3), np.zeros((0, 2)), [[1.0, float("nan")]], [["a"]]])
def test_greedy_policy_rejects_bad_tables(Q):
    with pytest.raises(ValueError):
        greedy_policy(Q)


@pytest.mark.parametrize("seed", SEEDS)
def test_dqn_target_matches_loop_over_a_batch(seed):
    rng = np.random.default_rng(seed)
    batch, n_actions = int(rng.integers(1, 8)), int(rng.integers(1, 5))
    r = rng.normal(size=batch)
    q_frozen = rng.normal(size=(batch, n_actions))
    done = rng.random(batch) < 0.3
    gamma = float(rng.uniform())
    expected = [r[i] if done[i] else r[i] + gamma * max(q_frozen[i].tolist()) for i in range(batch)]
    y = dqn_target(r, q_frozen, gamma, done)
    assert y.shape == (batch,)
    np.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-12)
    for i in range(batch):
        single = dqn_target(float(r[i]), q_frozen[i], gamma, bool(done[i]))
        assert isinstance(single, float)
        assert single == pytest.approx(expected[i], abs=1e-12)


def test_dqn_target_ignores_the_values_of_terminal_states():
    y = dqn_target([1.0, -1.0], [[100.0, 50.0], [2.0, 4.0]], 0.5, [True, False])
    np.testing.assert_allclose(y, [1.0, -1.0 + 0.5 * 4.0])
    assert dqn_target(2.0, [9.0, 3.0], 0.9, done=True) == 2.0
    # A scalar reward and flag are shared by the batch; 0/1 flags are accepted.
    np.testing.assert_allclose(dqn_target(1.0, [[1.0], [3.0]], 0.5), [1.5, 2.5])
    np.testing.assert_allclose(dqn_target([0, 0], [[1.0], [3.0]], 0.5, [1, 0]), [0.0, 1.5])


@pytest.mark.parametrize(
    ("r", "q", "gamma", "done"),
    [
        (1.0, [1.0, 2.0], 1.5, False),
        (1.0, [1.0, 2.0], -0.1, True),
        (1.0, [], 0.5, False),
        (1.0, [[[1.0]]], 0.5, False),
        ([1.0, 2.0], [1.0, 2.0], 0.5, False),
        ([1.0, 2.0, 3.0], [[1.0], [2.0]], 0.5, False),
        (1.0, [[1.0], [2.0]], 0.5, [True]),
        (1.0, [1.0, float("nan")], 0.5, False),
        (float("inf"), [1.0, 2.0], 0.5, False),
        ("1", [1.0, 2.0], 0.5, False),
        (1.0, [1.0, 2.0], 0.5, "yes"),
        (1.0, [[1.0], [2.0]], 0.5, [2, 0]),
    ],
)
def test_dqn_target_rejects_bad_input(r, q, gamma, done):
    with pytest.raises(ValueError):
        dqn_target(r, q, gamma, done)


def random_mdp(rng, n_states=None, n_actions=None, reward_3d=None):
    n_states = n_states or int(rng.integers(1, 6))
    n_actions = n_actions or int(rng.integers(1, 4))
    P = rng.random((n_states, n_actions, n_states)) ** 3  # some near-zero probabilities
    P /= P.sum(axis=2, keepdims=True)
    reward_3d = bool(rng.integers(2)) if reward_3d is None else reward_3d
    shape = (n_states, n_actions, n_states) if reward_3d else (n_states, n_actions)
    return P, rng.normal(size=shape)


def loop_backup(P, R, V, gamma):
    """V_{k+1}(s) and the first maximising action, by three nested loops."""
    n_states, n_actions, _ = P.shape
    values, actions = [], []
    for s in range(n_states):
        q = []
        for a in range(n_actions):
            total = 0.0
            for s_next in range(n_states):
                reward = R[s, a, s_next] if R.ndim == 3 else R[s, a]
                total += P[s, a, s_next] * (reward + gamma * V[s_next])
            q.append(total)
        values.append(max(q))
        actions.append(q.index(max(q)))
    return np.array(values), actions


@pytest.mark.parametrize("seed", SEEDS)
def test_value_iteration_step_matches_loop(seed):
    rng = np.random.default_rng(seed)
    P, R = random_mdp(rng)
    V = rng.normal(size=P.shape[0])
    gamma = float(rng.uniform())
    values, actions = value_iteration_step(P, R, V, gamma)
    expected_values, expected_actions = loop_backup(P, R, V, gamma)
    np.testing.assert_allclose(values, expected_values, rtol=1e-12, atol=1e-12)
    assert actions.tolist() == expected_actions
    assert bellman_q_values(P, R, V, gamma).shape == P.shape[:2]


@pytest.mark.parametrize("seed", range(10))
def test_reward_of_state_and_action_equals_constant_reward_over_next_states(seed):
    rng = np.random.default_rng(seed)
    P, R = random_mdp(rng, reward_3d=False)
    V, gamma = rng.normal(size=P.shape[0]), float(rng.uniform())
    R3 = np.repeat(R[:, :, None], P.shape[0], axis=2)
    np.testing.assert_allclose(
        bellman_q_values(P, R, V, gamma), bellman_q_values(P, R3, V, gamma), atol=1e-12
    )


def test_value_iteration_step_is_synchronous():
    # State 1 moves to state 0 for sure. A synchronous sweep backs it up from
    # V_0(0) = 0, not from the value state 0 has just received.
    P = np.array([[[1.0, 0.0]], [[1.0, 0.0]]])
    R = np.array([[1.0], [0.0]])
    values, _ = value_iteration_step(P, R, np.zeros(2), 0.5)
    np.testing.assert_allclose(values, [1.0, 0.0])


def policy_values(P, R, policy, gamma):
    """V_π from the Bellman equation (I − γ P_π) V = R_π."""
    states = np.arange(P.shape[0])
    P_pi = P[states, policy]
    R_pi = R[states, policy] if R.ndim == 2 else np.sum(P_pi * R[states, policy], axis=1)
    return np.linalg.solve(np.eye(len(states)) - gamma * P_pi, R_pi)


@pytest.mark.parametrize("seed", range(25))
def test_value_iteration_converges_to_the_best_deterministic_policy(seed):
    rng = np.random.default_rng(seed)
    P, R = random_mdp(rng)
    n_states, n_actions, _ = P.shape
    gamma = float(rng.uniform(0.3, 0.85))
    candidates = [
        (np.array(policy), policy_values(P, R, np.array(policy), gamma))
        for policy in itertools.product(range(n_actions), repeat=n_states)
    ]
    # The optimal policy's values dominate every other policy's, state by state.
    best_policy, v_star = max(candidates, key=lambda c: c[1].sum())
    assert all(np.all(v_star >= v - 1e-9) for _, v in candidates)
    V = np.zeros(n_states)
    for _ in range(300):
        V, actions = value_iteration_step(P, R, V, gamma)
    np.testing.assert_allclose(V, v_star, atol=1e-8)
    # The greedy actions at the fixed point are optimal too (maybe another optimum).
    np.testing.assert_allclose(policy_values(P, R, actions, gamma), v_star, atol=1e-8)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), gamma=st.floats(0.0, 1.0))
def test_value_iteration_step_is_a_gamma_contraction(seed, gamma):
    rng = np.random.default_rng(seed)
    P, R = random_mdp(rng)
    U, W = rng.normal(size=(2, P.shape[0])) * 5
    TU, _ = value_iteration_step(P, R, U, gamma)
    TW, _ = value_iteration_step(P, R, W, gamma)
    assert np.max(np.abs(TU - TW)) <= gamma * np.max(np.abs(U - W)) + 1e-9


@pytest.mark.parametrize(
    ("P", "R", "V", "gamma"),
    [
        (np.full((2, 1, 2), 0.5), np.zeros((2, 1)), np.zeros(2), 1.5),
        (np.full((2, 1, 2), 0.6), np.zeros((2, 1)), np.zeros(2), 0.9),
        (np.array([[[1.5, -0.5]], [[1.0, 0.0]]]), np.zeros((2, 1)), np.zeros(2), 0.9),
        (np.full((2, 1, 3), 1 / 3), np.zeros((2, 1)), np.zeros(2), 0.9),
        (np.full((2, 2), 0.5), np.zeros((2, 1)), np.zeros(2), 0.9),
        (np.full((2, 1, 2), 0.5), np.zeros((2, 2)), np.zeros(2), 0.9),
        (np.full((2, 1, 2), 0.5), np.zeros((2, 1, 3)), np.zeros(2), 0.9),
        (np.full((2, 1, 2), 0.5), np.zeros((2, 1)), np.zeros(3), 0.9),
        (np.full((2, 1, 2), 0.5), np.zeros((2, 1)), [0.0, float("nan")], 0.9),
        (np.full((2, 1, 2), 0.5), [[float("inf")], [0.0]], np.zeros(2), 0.9),
    ],
)
def test_value_iteration_step_rejects_bad_input(P, R, V, gamma):
    with pytest.raises(ValueError):
        value_iteration_step(P, R, V, gamma)
