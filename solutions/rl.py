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
