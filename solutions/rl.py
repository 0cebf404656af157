"""Tabular Q-learning."""

import numpy as np


def td_target(r, q_next, gamma, done=False):
    r"""Temporal-difference target of Q-learning.

    .. math:: y = r + \gamma \max_{a'} Q(s', a')

    and :math:`y = r` when the transition ends the episode (no bootstrap).

    Parameters
    ----------
    r : float
        Reward of the transition.
    q_next : array_like, shape (n_actions,)
        :math:`Q(s', \cdot)`, the values of the next state.
    gamma : float
        Discount factor in [0, 1].
    done : bool, default False
        Whether :math:`s'` is terminal.

    Returns
    -------
    float
    """
    if not 0.0 <= gamma <= 1.0:
        raise ValueError(f"gamma must be in [0, 1], got {gamma}")
    if done:
        return float(r)
    q_next = np.asarray(q_next, dtype=float)
    if q_next.ndim != 1 or q_next.size == 0:
        raise ValueError(f"q_next must be a non-empty 1-D array, got shape {q_next.shape}")
    return float(r + gamma * q_next.max())


def q_update(Q, s, a, r, s_next, alpha, gamma, done=False):
    r"""One Q-learning update of a Q table.

    .. math:: Q(s, a) \leftarrow Q(s, a) + \alpha \big(r + \gamma \max_{a'} Q(s', a') - Q(s, a)\big)

    The target uses the greedy value :math:`\max_{a'} Q(s', a')` (Q-learning
    is off-policy), not the action actually taken next (that would be SARSA).

    Parameters
    ----------
    Q : array_like, shape (n_states, n_actions)
        The table; it is not modified.
    s, a : int
        State and action of the transition.
    r : float
        Reward.
    s_next : int
        Next state.
    alpha : float
        Learning rate in (0, 1].
    gamma : float
        Discount factor in [0, 1].
    done : bool, default False
        Whether ``s_next`` is terminal; then the target is ``r`` alone.

    Returns
    -------
    ndarray, shape (n_states, n_actions)
        A new table, equal to Q except at (s, a).
    """
    Q = np.array(Q, dtype=float)  # a copy: the caller's table stays as it was
    if Q.ndim != 2:
        raise ValueError(f"Q must be a 2-D table (n_states, n_actions), got shape {Q.shape}")
    if not 0.0 < alpha <= 1.0:
        raise ValueError(f"alpha must be in (0, 1], got {alpha}")
    n_states, n_actions = Q.shape
    for name, index, size in (
        ("s", s, n_states),
        ("a", a, n_actions),
        ("s_next", s_next, n_states),
    ):
        if (
            isinstance(index, bool)
            or not isinstance(index, (int, np.integer))
            or not 0 <= index < size
        ):
            raise ValueError(f"{name} must be an index in 0..{size - 1}, got {index!r}")
    target = td_target(r, Q[s_next], gamma, done)
    Q[s, a] += alpha * (target - Q[s, a])
    return Q


def _rl_probability(name, value, low_open=False):
    """A hyper-parameter in [0, 1] ((0, 1] when ``low_open``) as a float."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not (0.0 < value <= 1.0 if low_open else 0.0 <= value <= 1.0):
        interval = "(0, 1]" if low_open else "[0, 1]"
        raise ValueError(f"{name} must be in {interval}, got {value}")
    return value


def _rl_finite(name, values, ndims):
    """An array of finite floats with one of the given numbers of dimensions."""
    try:
        array = np.array(values, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of numbers") from None
    if array.ndim not in ndims or 0 in array.shape:
        raise ValueError(f"{name} must be a non-empty {' or '.join(f'{d}-D' for d in ndims)} array")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must contain only finite numbers")
    return array


def q_learning_episode(Q, transitions, alpha, gamma):
    r"""A Q table after the Q-learning updates of an episode, one after another.

    For each transition :math:`(s_t, a_t, r_t, s_{t+1})`, in order,

    .. math:: Q(s_t, a_t) \leftarrow Q(s_t, a_t)
              + \alpha \big(r_t + \gamma \max_{a'} Q(s_{t+1}, a') - Q(s_t, a_t)\big)

    with the target :math:`r_t` alone when :math:`s_{t+1}` is terminal. The
    updates are sequential: each one reads the table as the earlier updates
    left it (a later step that bootstraps from an updated state sees the new
    value; the same pair updated twice starts from its first update).

    Parameters
    ----------
    Q : array_like, shape (n_states, n_actions)
        The table before the episode; it is not modified.
    transitions : sequence of (s, a, r, s_next, done)
        The steps of the episode in the order they happened: integer state and
        action indices, the reward, the next state and whether it is terminal.
        May be empty (the table is returned unchanged).
    alpha : float
        Learning rate in (0, 1].
    gamma : float
        Discount factor in [0, 1].

    Returns
    -------
    ndarray, shape (n_states, n_actions)
        A new table.
    """
    alpha = _rl_probability("alpha", alpha, low_open=True)
    gamma = _rl_probability("gamma", gamma)
    table = _rl_finite("Q", Q, (2,))
    if isinstance(transitions, (str, bytes)) or not hasattr(transitions, "__iter__"):
        raise ValueError(
            f"transitions must be a sequence of (s, a, r, s_next, done), got {transitions!r}"
        )
    for step, transition in enumerate(transitions):
        try:
            s, a, r, s_next, done = transition
        except (TypeError, ValueError):
            raise ValueError(
                f"transition {step} must be (s, a, r, s_next, done), got {transition!r}"
            ) from None
        if isinstance(r, bool) or not isinstance(r, (int, float, np.integer, np.floating)):
            raise ValueError(f"transition {step}: the reward must be a number, got {r!r}")
        if not np.isfinite(r):
            raise ValueError(f"transition {step}: the reward must be finite, got {r!r}")
        if not isinstance(done, (bool, np.bool_)):
            raise ValueError(f"transition {step}: done must be true or false, got {done!r}")
        table = q_update(table, s, a, float(r), s_next, alpha, gamma, bool(done))
    return table


def greedy_policy(Q):
    r"""The greedy policy of a Q table: the best action of every state.

    .. math:: \pi(s) = \arg\max_a Q(s, a)

    Ties go to the lowest action index. Values that agree to about twelve
    significant digits count as tied, so that two sums equal on paper but
    rounded differently in floating point still tie.

    Parameters
    ----------
    Q : array_like, shape (n_states, n_actions)

    Returns
    -------
    ndarray of int, shape (n_states,)
        Action indices, from 0.
    """
    Q = _rl_finite("Q", Q, (2,))
    best = Q.max(axis=1, keepdims=True)
    tied = np.isclose(Q, best, rtol=1e-12, atol=1e-12)
    return np.argmax(tied, axis=1)


def dqn_target(r, q_target_next, gamma, done=False):
    r"""The DQN regression target, from the frozen target network.

    .. math:: y = r + \gamma \max_{a'} Q(s', a'; \theta^-)

    and :math:`y = r` when :math:`s'` is terminal. :math:`\theta^-` are the
    parameters of the target network, a copy of the online network's that is
    refreshed only every so many steps; the online network's values of
    :math:`s'` are not used.

    Parameters
    ----------
    r : float or array_like, shape (B,)
        Rewards.
    q_target_next : array_like, shape (n_actions,) or (B, n_actions)
        The target network's values :math:`Q(s', \cdot; \theta^-)` of the next
        state, one row per transition of the batch. Rows of terminal
        transitions are not read (they may hold anything finite).
    gamma : float
        Discount factor in [0, 1].
    done : bool or array_like of bool, shape (B,), default False
        Whether each :math:`s'` is terminal.

    Returns
    -------
    float for a single transition (1-D ``q_target_next``), else ndarray, shape (B,)
    """
    gamma = _rl_probability("gamma", gamma)
    q = _rl_finite("q_target_next", q_target_next, (1, 2))
    single = q.ndim == 1
    q = np.atleast_2d(q)
    batch = q.shape[0]
    r_array = np.asarray(r)
    if r_array.dtype.kind not in "iuf":
        raise ValueError(f"r must be a number or an array of numbers, got {r!r}")
    r_array = r_array.astype(float)
    if r_array.ndim > 1 or (r_array.ndim == 1 and (single or r_array.size != batch)):
        raise ValueError(f"r must be a number or one reward per row of q_target_next ({batch})")
    if not np.all(np.isfinite(r_array)):
        raise ValueError("r must be finite")
    done_array = np.asarray(done)
    # Flags as booleans, or as the integers 0 and 1 of a replay buffer.
    if done_array.dtype.kind in "iu" and np.all((done_array == 0) | (done_array == 1)):
        done_array = done_array.astype(bool)
    if done_array.dtype != bool:
        raise ValueError(f"done must be true/false values, got {done!r}")
    if done_array.ndim > 1 or (done_array.ndim == 1 and (single or done_array.size != batch)):
        raise ValueError(f"done must be one flag or one flag per row of q_target_next ({batch})")
    y = np.where(done_array, 0.0, gamma * q.max(axis=1)) + r_array
    y = np.broadcast_to(y, (batch,)).astype(float)
    return float(y[0]) if single else y


def bellman_q_values(P, R, V, gamma):
    r"""The action values of one Bellman backup of a finite MDP.

    .. math:: Q(s, a) = \sum_{s'} P(s' \mid s, a) \big[R(s, a, s') + \gamma V(s')\big]

    which is :math:`R(s, a) + \gamma \sum_{s'} P(s' \mid s, a) V(s')` when the
    reward depends only on the state and the action.

    Parameters
    ----------
    P : array_like, shape (S, A, S)
        ``P[s, a, s']``: probability of moving to ``s'``; each ``P[s, a]`` is a
        distribution (non-negative, summing to 1).
    R : array_like, shape (S, A) or (S, A, S)
        Rewards ``R[s, a]`` or ``R[s, a, s']``.
    V : array_like, shape (S,)
        Current state values.
    gamma : float
        Discount factor in [0, 1].

    Returns
    -------
    ndarray, shape (S, A)
    """
    gamma = _rl_probability("gamma", gamma)
    P = _rl_finite("P", P, (3,))
    n_states, n_actions, n_next = P.shape
    if n_next != n_states:
        raise ValueError(f"P must have shape (S, A, S), got {P.shape}")
    if np.any(P < 0) or not np.allclose(P.sum(axis=2), 1.0, rtol=0, atol=1e-9):
        raise ValueError("every P[s, a] must be a probability distribution over next states")
    R = _rl_finite("R", R, (2, 3))
    if R.shape not in ((n_states, n_actions), P.shape):
        raise ValueError(f"R must have shape {(n_states, n_actions)} or {P.shape}, got {R.shape}")
    V = _rl_finite("V", V, (1,))
    if V.shape != (n_states,):
        raise ValueError(f"V must have {n_states} entries, got {V.size}")
    if R.ndim == 2:
        return R + gamma * (P @ V)
    return np.sum(P * (R + gamma * V), axis=2)


def value_iteration_step(P, R, V, gamma):
    r"""One synchronous sweep of value iteration and its greedy actions.

    .. math:: V_{k+1}(s) = \max_a \sum_{s'} P(s' \mid s, a)
              \big[R(s, a, s') + \gamma V_k(s')\big]

    Every state is backed up from the same :math:`V_k` (synchronous, not in
    place). The greedy action of a state is the one attaining the maximum,
    ties to the lowest action index (see :func:`greedy_policy`).

    Parameters
    ----------
    P : array_like, shape (S, A, S)
        ``P[s, a, s']``, each ``P[s, a]`` a probability distribution.
    R : array_like, shape (S, A) or (S, A, S)
        Rewards ``R[s, a]`` or ``R[s, a, s']``.
    V : array_like, shape (S,)
        :math:`V_k`.
    gamma : float
        Discount factor in [0, 1].

    Returns
    -------
    V_new : ndarray, shape (S,)
        :math:`V_{k+1}`.
    actions : ndarray of int, shape (S,)
        The greedy action of every state, from 0.
    """
    Q = bellman_q_values(P, R, V, gamma)
    return Q.max(axis=1), greedy_policy(Q)
