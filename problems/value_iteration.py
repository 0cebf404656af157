"""Value iteration on a small MDP: one or two synchronous Bellman optimality
backups and the greedy policy of the last one."""

import numpy as np

from tutor import tex
from tutor.answers import Vector
from tutor.figures import COLORS, Figure, label_number, subscript
from tutor.problem import (
    ParameterError,
    Part,
    Solution,
    Step,
    distinct_misconceptions,
    has_distinct_misconceptions,
    integer,
    known_parameters,
    number,
    numbers,
    text,
    vector,
)
from tutor.solutions.rl import bellman_q_values, greedy_policy, value_iteration_step

ID = "value-iteration"
TOPIC = "reinforcement-learning"
TITLE = text("Value iteration: Bellman optimality backups", "值迭代：贝尔曼最优备份")
PARAMETERS = {
    "P": text(
        "the transition probabilities P[s][a][s′] = P(s′ | s, a): S × A × S numbers with "
        "S from 2 to 5 states and A from 2 to 3 actions, each P[s][a] summing to 1",
        "转移概率 P[s][a][s′] = P(s′ | s, a)：S × A × S 个数，状态数 S 为 2 到 5，"
        "动作数 A 为 2 到 3，每个 P[s][a] 之和为 1",
    ),
    "R": text(
        "the rewards: R[s][a] (S × A), or R[s][a][s′] (S × A × S) when the reward depends "
        "on the next state too",
        "奖励：R[s][a]（S × A），或者奖励还依赖下一状态时为 R[s][a][s′]（S × A × S）",
    ),
    "V0": text("the initial values V₀(s), S numbers", "初始值 V₀(s)，S 个数"),
    "gamma": text("the discount factor γ, in [0, 1]", "折扣因子 γ，取值 [0, 1]"),
    "backups": text("the number of backups to perform, 1 or 2", "要做的备份次数，1 或 2"),
}

TOLERANCE = {"rtol": 1e-2, "atol": 5e-3}
POLICY_TOLERANCE = {"rtol": 0.0, "atol": 1e-6}
# Two actions whose values differ by less than this (but are not equal) would
# make the greedy action depend on rounding.
CLEAR_GAP = 0.1
SPLITS = ((0.8, 0.2), (0.9, 0.1), (0.7, 0.3), (0.6, 0.4))


def _pick(rng, options):
    """One of ``options`` as a plain Python value."""
    return options[int(rng.integers(len(options)))]


# --- generation ------------------------------------------------------------------


def generate(rng, difficulty=2):
    if difficulty <= 1:
        n_states, backups = 3, 1
        zero_start, reward_3d, absorbing = False, False, False
        gammas = [0.5, 0.9]
    elif difficulty == 2:
        n_states, backups = _pick(rng, [3, 4]), 1
        zero_start = rng.random() < 0.4
        # From V₀ = 0 one backup with R(s, a) is only max_a R(s, a): the
        # reward then depends on s′, so that the probabilities matter.
        reward_3d = zero_start or rng.random() < 0.2
        absorbing = n_states == 4 and rng.random() < 0.5
        gammas = [0.5, 0.8, 0.9]
    else:
        n_states, backups = _pick(rng, [3, 4, 4]), 2
        zero_start = rng.random() < 0.6
        reward_3d = rng.random() < 0.4
        absorbing = n_states == 4 and rng.random() < 0.5
        gammas = [0.5, 0.8, 0.9]
    # Mostly a policy that is not the same action everywhere.
    mixed_policy = rng.random() < 0.85
    while True:
        params = _draw(rng, n_states, backups, zero_start, reward_3d, absorbing, gammas)
        if _clear(params, mixed_policy):
            solution = _solve(params, steps=False)
            last = solution.parts[backups - 1].answer
            tags = {m.tag for m in last.misconceptions}
            # Every mistake of the backup shows in the last values asked for;
            # γ alone cannot, in one backup from V₀ = 0.
            expected = {"in-place", "average-actions", "no-gamma", "most-likely-only"}
            if zero_start and backups == 1:
                expected.discard("no-gamma")
            if tags == expected and has_distinct_misconceptions(solution):
                return params


def _draw(rng, n_states, backups, zero_start, reward_3d, absorbing, gammas):
    P = np.zeros((n_states, 2, n_states))
    for s in range(n_states):
        for a in range(2):
            here = rng.permutation(n_states)
            if rng.random() < 0.4:
                P[s, a, here[0]] = 1.0
            else:
                first, second = _pick(rng, SPLITS)
                P[s, a, here[0]], P[s, a, here[1]] = first, second
    low = -2 if n_states == 4 or rng.random() < 0.5 else 0
    if reward_3d:
        R = rng.integers(low, 6, size=(n_states, 2, n_states)) * (P > 0)
    else:
        R = rng.integers(low, 6, size=(n_states, 2))
    V0 = np.zeros(n_states) if zero_start else rng.integers(0, 6, size=n_states)
    if absorbing:
        # The last state ends the process: every action stays there with no reward.
        P[-1] = 0.0
        P[-1, :, -1] = 1.0
        R[-1] = 0
        V0[-1] = 0
    return {
        "P": P.tolist(),
        "R": R.astype(int).tolist(),
        "V0": V0.astype(int).tolist(),
        "gamma": _pick(rng, gammas),
        "backups": backups,
    }


def _clear(params, mixed_policy):
    """Enough stochastic moves for the probabilities to matter, greedy actions
    that are either exactly tied or clearly apart in every backup, and, when
    asked for, a last greedy policy with different actions in the states that
    are not terminal."""
    P = np.array(params["P"])
    if np.sum(P.max(axis=2) < 1) < 2:
        return False
    R, V, gamma = np.array(params["R"]), np.array(params["V0"], dtype=float), params["gamma"]
    for _ in range(params["backups"]):
        Q = bellman_q_values(P, R, V, gamma)
        ordered = np.sort(Q, axis=1)
        gaps = ordered[:, -1] - ordered[:, -2]
        if np.any((gaps > 1e-9) & (gaps < CLEAR_GAP)):
            return False
        V = Q.max(axis=1)
    live = [s for s in range(len(V)) if s not in _absorbing(P, R)]
    return not mixed_policy or len(set(greedy_policy(Q)[live].tolist())) > 1


# --- parameters ------------------------------------------------------------------


def _values(params):
    known_parameters(params, PARAMETERS)
    P = numbers(params, "P")
    if P.ndim != 3 or P.shape[2] != P.shape[0]:
        raise ParameterError("P", f"expected S × A × S numbers P[s][a][s′], got shape {P.shape}")
    n_states, n_actions, _ = P.shape
    if not (2 <= n_states <= 5 and 2 <= n_actions <= 3):
        raise ParameterError("P", f"expected 2 to 5 states and 2 to 3 actions, got {P.shape[:2]}")
    if np.any(P < 0) or np.any(P > 1):
        raise ParameterError("P", "probabilities must be between 0 and 1")
    sums = P.sum(axis=2)
    if not np.allclose(sums, 1.0, rtol=0, atol=1e-6):
        s, a = np.argwhere(~np.isclose(sums, 1.0, rtol=0, atol=1e-6))[0]
        raise ParameterError(
            "P", f"P[{s}][{a}] must sum to 1 over the next states, sums to {sums[s, a]:g}"
        )
    R = numbers(params, "R")
    if R.shape not in ((n_states, n_actions), P.shape):
        raise ParameterError(
            "R", f"expected {n_states} × {n_actions} (or × {n_states}) numbers, got {R.shape}"
        )
    V0 = vector(params, "V0", size=n_states)
    gamma = number(params, "gamma", 0.0, 1.0)
    backups = integer(params, "backups", 1, 2)
    return P, R, V0, gamma, backups


# --- the computation ---------------------------------------------------------------


def _backups(P, R, V0, gamma, backups):
    """V_1, ..., V_K and the greedy actions of the last backup, through the
    reference implementation."""
    try:
        values, V = [], V0
        for _ in range(backups):
            V, actions = value_iteration_step(P, R, V, gamma)
            values.append(V)
        return values, actions
    except ValueError as error:
        raise ParameterError(_culprit(error), str(error)) from None


def _culprit(error):
    message = str(error)
    if "P[" in message:
        return "P"
    for name in ("gamma", "P", "R"):
        if message.startswith(name):
            return name
    return "V0"


def _in_place(P, R, V0, gamma, backups):
    """The Gauss–Seidel sweep, state by state in order, each backup reading
    the values already updated in the same sweep; with the greedy actions of
    the last sweep."""
    values, V = [], np.array(V0, dtype=float)
    for _ in range(backups):
        rows = []
        for s in range(len(V)):
            rows.append(bellman_q_values(P, R, V, gamma)[s])
            V[s] = rows[-1].max()
        values.append(V.copy())
    return values, greedy_policy(np.array(rows))


def _average(P, R, V0, gamma, backups):
    values, V = [], V0
    for _ in range(backups):
        V = bellman_q_values(P, R, V, gamma).mean(axis=1)
        values.append(V)
    return values


def _most_likely(P):
    """Each move sent to its most likely next state with probability 1."""
    one_hot = np.zeros_like(P)
    n_states, n_actions, _ = P.shape
    for s in range(n_states):
        for a in range(n_actions):
            one_hot[s, a, int(np.argmax(P[s, a]))] = 1.0
    return one_hot


FEEDBACK = {
    "in-place": (
        "You updated in place (Gauss–Seidel): the states backed up later in the sweep used "
        "values already updated in it. Synchronous value iteration computes every V_{k+1}(s) "
        "from V_k alone.",
        "你做了就地更新（Gauss–Seidel）：本轮后面的状态用到了本轮已经更新过的值。"
        "同步值迭代中每个 V_{k+1}(s) 都只由 V_k 计算。",
    ),
    "average-actions": (
        "You averaged over the actions: that evaluates the uniformly random policy. The "
        "optimality backup takes the maximum over the actions.",
        "你对各动作取了平均：这是在评估均匀随机策略。最优贝尔曼备份要对动作取最大值。",
    ),
    "no-gamma": (
        "You forgot the discount: the value of the next state is multiplied by γ.",
        "你忘了折扣：下一状态的价值要乘以 γ。",
    ),
    "most-likely-only": (
        "You used only the most likely next state. The backup is an expectation: weight "
        "every next state s′ by its probability P(s′ | s, a) and add them up.",
        "你只用了最可能的下一状态。备份是期望：每个下一状态 s′ 都要按概率 P(s′ | s, a) "
        "加权后求和。",
    ),
    "tie-rule": (
        "Where both actions are equally good, the tie goes to the lower-numbered action; "
        "you chose a higher one.",
        "两个动作一样好时，按规定取编号较小的动作；你选了编号较大的。",
    ),
    "immediate-reward": (
        "You chose the action with the largest expected immediate reward; the greedy action "
        "maximises the reward plus γ times the value of the next state.",
        "你选了期望即时奖励最大的动作；贪心动作要让奖励加上 γ 乘以下一状态价值之和最大。",
    ),
    "zero-based": (
        "Number the actions from 1 (a_1 is 1, a_2 is 2), as in the statement; you counted from 0.",
        "动作按题目从 1 开始编号（a_1 为 1，a_2 为 2）；你是从 0 开始数的。",
    ),
}


def _value_answer(value, candidates):
    probe = Vector(value, **TOLERANCE)
    return Vector(
        value, **TOLERANCE, misconceptions=distinct_misconceptions(probe, candidates, FEEDBACK)
    )


def _last_tie_rule(Q):
    """The greedy actions with ties going to the highest action index."""
    best = Q.max(axis=1, keepdims=True)
    tied = np.isclose(Q, best, rtol=1e-12, atol=1e-12)
    return Q.shape[1] - 1 - np.argmax(tied[:, ::-1], axis=1)


def solve(params):
    return _solve(params, steps=True)


def _solve(params, steps):
    P, R, V0, gamma, backups = _values(params)
    values, actions = _backups(P, R, V0, gamma, backups)
    last_start = values[-2] if backups > 1 else V0
    Q_last = bellman_q_values(P, R, last_start, gamma)

    in_place_values, in_place_actions = _in_place(P, R, V0, gamma, backups)
    average_values = _average(P, R, V0, gamma, backups)
    no_gamma_values, no_gamma_actions = _backups(P, R, V0, 1.0, backups)
    one_hot = _most_likely(P)
    likely_values, likely_actions = _backups(one_hot, R, V0, gamma, backups)
    immediate = greedy_policy(bellman_q_values(P, R, np.zeros(len(V0)), 0.0))

    parts = []
    for k in range(backups):
        candidates = [
            ("in-place", in_place_values[k].tolist()),
            ("average-actions", average_values[k].tolist()),
            ("no-gamma", no_gamma_values[k].tolist()),
            ("most-likely-only", likely_values[k].tolist()),
        ]
        parts.append(
            Part(
                f"v{k + 1}",
                text(f"$V_{k + 1}$ (one value per state)", f"$V_{k + 1}$（每个状态一个值）"),
                _value_answer(values[k].tolist(), candidates),
            )
        )
    policy = (actions + 1).tolist()
    probe = Vector(policy, **POLICY_TOLERANCE)
    policy_candidates = [
        ("tie-rule", (_last_tie_rule(Q_last) + 1).tolist()),
        ("in-place", (in_place_actions + 1).tolist()),
        ("most-likely-only", (likely_actions + 1).tolist()),
        ("no-gamma", (no_gamma_actions + 1).tolist()),
        ("immediate-reward", (immediate + 1).tolist()),
        ("zero-based", actions.tolist(), 0.5),
    ]
    parts.append(
        Part(
            "policy",
            text(
                "greedy policy of the last backup (action numbers, one per state)",
                "最后一次备份的贪心策略（每个状态一个动作编号）",
            ),
            Vector(
                policy,
                **POLICY_TOLERANCE,
                misconceptions=distinct_misconceptions(probe, policy_candidates, FEEDBACK),
            ),
        )
    )
    if not steps:
        return Solution(tuple(parts), ())
    return Solution(tuple(parts), _steps(P, R, V0, gamma, values, actions))


# --- statement and steps -------------------------------------------------------------


def _absorbing(P, R):
    """States that every action keeps in place with no reward."""
    n_states = P.shape[0]
    return [s for s in range(n_states) if np.all(P[s, :, s] == 1.0) and np.all(R[s] == 0)]


def _state_list(states):
    return ", ".join(f"s_{s + 1}" for s in states)


def _transition_table(P, R):
    n_states, n_actions, _ = P.shape
    if R.ndim == 2:
        head = " & ".join(rf"P(s_{j + 1} \mid s, a)" for j in range(n_states))
        rows = r" \\ ".join(
            f"s_{s + 1} & a_{a + 1} & "
            + " & ".join(tex.num(p) for p in P[s, a])
            + f" & {tex.num(R[s, a])}"
            for s in range(n_states)
            for a in range(n_actions)
        )
        columns = "cc|" + "c" * n_states + "|c"
        return (
            rf"$$\begin{{array}}{{{columns}}} s & a & {head} & R(s, a) \\ \hline {rows}"
            r" \end{array}$$"
        )
    rows = r" \\ ".join(
        f"s_{s + 1} & a_{a + 1} & s_{t + 1} & {tex.num(P[s, a, t])} & {tex.num(R[s, a, t])}"
        for s in range(n_states)
        for a in range(n_actions)
        for t in range(n_states)
        if P[s, a, t] > 0
    )
    return (
        r"$$\begin{array}{cc|c|cc} s & a & s' & P(s' \mid s, a) & R(s, a, s') \\ \hline "
        rf"{rows} \end{{array}}$$"
    )


def _backup_formula(R):
    if R.ndim == 2:
        return (
            r"V_{k+1}(s) = \max_a \left( R(s, a) + \gamma \sum_{s'} P(s' \mid s, a) "
            r"V_k(s') \right)"
        )
    return (
        r"V_{k+1}(s) = \max_a \sum_{s'} P(s' \mid s, a) \left[ R(s, a, s') + \gamma "
        r"V_k(s') \right]"
    )


def _vector_text(values):
    return r"\left(" + ", ".join(tex.num(v) for v in values) + r"\right)"


def statement(params):
    P, R, V0, gamma, backups = _values(params)
    n_states, n_actions, _ = P.shape
    actions = ", ".join(f"a_{a + 1}" for a in range(n_actions))
    reward_en = "the reward $R(s, a)$" if R.ndim == 2 else "the reward $R(s, a, s')$"
    reward_zh = "奖励 $R(s, a)$" if R.ndim == 2 else "奖励 $R(s, a, s')$"
    absorbing = _absorbing(P, R)
    end_en = end_zh = ""
    if absorbing:
        where = _state_list(absorbing)
        end_en = f"State ${where}$ is terminal: every action stays there with reward 0.\n"
        end_zh = f"状态 ${where}$ 是终止状态：任何动作都停留在原地，奖励为 0。\n"
    numbers_en = ", ".join(f"{a + 1} for $a_{a + 1}$" for a in range(n_actions))
    numbers_zh = "，".join(f"$a_{a + 1}$ 记为 {a + 1}" for a in range(n_actions))
    if backups == 1:
        ask_en, ask_zh = "one backup", "一次备份"
        give_en, give_zh = "$V_1$ as a vector", "$V_1$"
    else:
        ask_en, ask_zh = "two backups", "两次备份"
        give_en, give_zh = "$V_1$ and $V_2$ as vectors", "$V_1$ 和 $V_2$"
    formula = _backup_formula(R)
    return text(
        f"A Markov decision process has the states ${_state_list(range(n_states))}$ and the "
        f"actions ${actions}$. Action $a$ in state $s$ leads to $s'$ with probability "
        f"$P(s' \\mid s, a)$ and earns {reward_en}:\n{_transition_table(P, R)}\n"
        f"{end_en}With the discount factor $\\gamma = {tex.num(gamma)}$ and the "
        f"initial values $V_0 = {_vector_text(V0)}$ (for ${_state_list(range(n_states))}$), "
        f"perform {ask_en} of value iteration,\n$${formula},$$\nsynchronously: every "
        "$V_{k+1}(s)$ is computed from $V_k$ alone, not from values already updated in the "
        f"same sweep. Give {give_en} (one value per state, in order) and the "
        "greedy policy of the last backup: for each state the number of the action that "
        f"attains the maximum ({numbers_en}; a tie goes to the lower number).",
        f"一个马尔可夫决策过程有状态 ${_state_list(range(n_states))}$ 和动作 ${actions}$。"
        f"在状态 $s$ 执行动作 $a$，以概率 $P(s' \\mid s, a)$ 转移到 $s'$，并获得{reward_zh}：\n"
        f"{_transition_table(P, R)}\n{end_zh}折扣因子 $\\gamma = {tex.num(gamma)}$，"
        f"初始值 $V_0 = {_vector_text(V0)}$（依次对应 ${_state_list(range(n_states))}$）。"
        f"请按值迭代做{ask_zh}，\n$${formula},$$\n采用同步更新：每个 $V_{{k+1}}(s)$ 只由 $V_k$ "
        f"计算，不使用本轮中已经更新过的值。求 {give_zh}（按状态顺序写成向量），以及最后一次"
        f"备份的贪心策略：每个状态取得最大值的动作编号（{numbers_zh}；"
        "并列时取编号较小的）。",
    )


def _q_terms(P, R, V, gamma, s, a):
    """Q(s, a) written out with the numbers."""
    outcomes = [t for t in range(P.shape[0]) if P[s, a, t] > 0]
    if R.ndim == 2:
        if len(outcomes) > 1:
            inner = " + ".join(rf"{tex.num(P[s, a, t])} \cdot {tex.paren(V[t])}" for t in outcomes)
            inner = rf"\left( {inner} \right)"
        else:
            inner = tex.paren(V[outcomes[0]])  # a sure move: probability 1
        return rf"{tex.num(R[s, a])} + {tex.num(gamma)} \cdot {inner}"
    terms = [rf"{tex.num(R[s, a, t])} + {tex.num(gamma)} \cdot {tex.paren(V[t])}" for t in outcomes]
    if len(outcomes) == 1:
        return terms[0]  # a sure move: probability 1
    return " + ".join(
        rf"{tex.num(P[s, a, t])} \left( {term} \right)" for t, term in zip(outcomes, terms)
    )


def _steps(P, R, V0, gamma, values, actions):
    n_states, n_actions, _ = P.shape
    steps = [
        Step(
            text(
                "The Bellman optimality backup, applied to every state from the same "
                "$V_k$ (synchronous):",
                "贝尔曼最优备份，对每个状态都用同一个 $V_k$ 计算（同步更新）：",
            ),
            _backup_formula(R),
        )
    ]
    V = V0
    for k, V_next in enumerate(values, start=1):
        Q = bellman_q_values(P, R, V, gamma)
        for s in range(n_states):
            pieces = [
                rf"Q(s_{s + 1}, a_{a + 1}) = {_q_terms(P, R, V, gamma, s, a)} = "
                rf"{tex.num(Q[s, a])}"
                for a in range(n_actions)
            ]
            best = ", ".join(tex.num(q) for q in Q[s])
            steps.append(
                Step(
                    text(
                        f"Backup {k}, state $s_{s + 1}$, from $V_{k - 1}$:",
                        f"第 {k} 次备份，状态 $s_{s + 1}$，用 $V_{k - 1}$：",
                    ),
                    r" \qquad ".join(pieces)
                    + rf" \qquad V_{k}(s_{s + 1}) = \max({best}) = {tex.num(V_next[s])}",
                )
            )
        steps.append(
            Step(
                text(
                    f"All states together give $V_{k}$:",
                    f"所有状态合起来得到 $V_{k}$：",
                ),
                rf"V_{k} = {tex.row(V_next)}",
            )
        )
        V = V_next
    k = len(values)
    steps.append(
        Step(
            text(
                f"The greedy policy takes, in each state, the action that attained the maximum "
                f"in backup {k} (a tie goes to the lower-numbered action):",
                f"贪心策略在每个状态取第 {k} 次备份中取得最大值的动作（并列时取编号较小的）：",
            ),
            rf"\pi = {tex.row(actions + 1)}",
        )
    )
    return tuple(steps)


# --- figure --------------------------------------------------------------------------

# The states sit in a row of boxes (x to the right, y up, one unit per box width):
# arcs above them for the transitions, the greedy actions under them.
BOX_GAP, BOX_WIDTH, BOX_HEIGHT = 1.7, 1.0, 0.8
ACTION_Y, ROW_LABEL_X = -0.25, -0.95
LEAVE, ARRIVE = 0.3, -0.3  # where an arc leaves its box and enters the next, from the centre
ARC_RAD, LOOP_RAD = 0.4, 1.0
LOOP_FROM, LOOP_MIDDLE, LOOP_TO = 0.6, 0.4, 0.2
UNIT_INCHES = 0.62


def _likely(P, actions):
    """For every state, the most likely next states under its greedy action
    (all of them when several share the largest probability)."""
    moves = []
    for s, a in enumerate(actions):
        row = P[s, a]
        top = row.max()
        moves += [(s, int(t), float(row[t])) for t in np.flatnonzero(np.isclose(row, top))]
    return moves


def _arc(s, t):
    """The start and end of the arrow from box s to box t, its connection style,
    where its label goes and how the label is aligned. Arcs between boxes run
    above them, leaving a box on its right and entering on its left; a state
    that stays loops on the right side of its own box."""
    x = s * BOX_GAP
    if s == t:
        right = x + BOX_WIDTH / 2
        start, end = (right, LOOP_FROM), (right, LOOP_TO)
        # arc3 bends to the left of the direction of travel for a positive rad:
        # going down, a negative one bulges to the right.
        bulge = LOOP_RAD * (LOOP_FROM - LOOP_TO) / 2
        return start, end, f"arc3,rad={-LOOP_RAD}", (right + bulge + 0.04, LOOP_MIDDLE), "left"
    start, end = (x + LEAVE, BOX_HEIGHT), (t * BOX_GAP + ARRIVE, BOX_HEIGHT)
    # Upwards: negative going right, positive going left.
    rad = -ARC_RAD if end[0] > start[0] else ARC_RAD
    top = BOX_HEIGHT + ARC_RAD * abs(end[0] - start[0]) / 2
    return start, end, f"arc3,rad={rad}", ((start[0] + end[0]) / 2, top), "center"


def _figure_caption(backups, ending):
    hatched_en = " A hatched box is a terminal state." if ending else ""
    hatched_zh = "带阴影的方框是终止状态。" if ending else ""
    return text(
        f"The states with their values $V_{backups}$ after backup {backups} (in the boxes) "
        "and, under each, the greedy action $\\pi(s)$ of that backup. An arrow goes from every "
        "state to the most likely next state of its greedy action and carries that "
        f"probability; an arrow back to its own box means staying.{hatched_en}",
        f"各状态及第 {backups} 次备份后的值 $V_{backups}$（方框内），下方是这次备份的贪心动作 "
        "$\\pi(s)$。箭头从每个状态指向其贪心动作最可能到达的下一状态，并标出该概率；"
        "指回自身的箭头表示停留。" + hatched_zh,
    )


def _figure_alt(V, actions, moves, ending, backups):
    n_states = len(V)
    listed = ", ".join(tex.plain(v) for v in V)
    greedy = ", ".join(f"a{a + 1}" for a in actions)
    arrows = ", ".join(f"s{s + 1} → s{t + 1} ({tex.plain(p)})" for s, t, p in moves)
    terminal = ", ".join(f"s{s + 1}" for s in sorted(ending))
    return text(
        f"{n_states} boxes in a row for the states s1 to s{n_states} with their values after "
        f"backup {backups}, V{backups} = ({listed}), and the greedy actions {greedy} under them"
        + (f"; {terminal} is terminal (hatched)" if ending else "")
        + f". Arrows to the most likely next state of each greedy action, with its "
        f"probability: {arrows}.",
        f"{n_states} 个方框排成一行，表示状态 s1 到 s{n_states}，框内是第 {backups} 次备份后的值 "
        f"V{backups} = ({listed})，下方是贪心动作 {greedy}"
        + (f"；{terminal} 是终止状态（阴影）" if ending else "")
        + f"。箭头指向各贪心动作最可能到达的下一状态，并标出概率：{arrows}。",
    )


def figure(params, solution):
    """The states in a row of boxes with their values after the last backup,
    the greedy action under each, and an arc from every state to the most
    likely next state of its greedy action, labelled with the probability.
    Every valid MDP (2 to 5 states) is drawn as it is."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    P, R, V0, gamma, backups = _values(params)
    values, actions = _backups(P, R, V0, gamma, backups)
    V = values[-1]
    n_states = len(V)
    ending = set(_absorbing(P, R))
    moves = _likely(P, actions)
    arcs = [(s, t, p, *_arc(s, t)) for s, t, p in moves]
    highest = max([BOX_HEIGHT] + [label[1] for *_, label, _ in arcs])

    # Room on the right for a loop of the last state and its label.
    right = (n_states - 1) * BOX_GAP + BOX_WIDTH / 2 + 0.75

    def draw(ax):
        for s in range(n_states):
            x = s * BOX_GAP
            corner = (x - BOX_WIDTH / 2, 0)
            if s in ending:
                ax.add_patch(
                    Rectangle(
                        corner,
                        BOX_WIDTH,
                        BOX_HEIGHT,
                        facecolor="white",
                        edgecolor="#999999",
                        linewidth=0,
                        hatch="//",
                    )
                )
            ax.add_patch(
                Rectangle(
                    corner, BOX_WIDTH, BOX_HEIGHT, fill=False, edgecolor="black", linewidth=1.2
                )
            )
            ax.text(
                x,
                0.6,
                "s" + subscript(s + 1),
                ha="center",
                va="center",
                fontsize=9,
                fontstyle="italic",
                color="#444444",
            )
            ax.text(
                x,
                0.28,
                label_number(V[s]),
                ha="center",
                va="center",
                fontsize=10,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
            )
            ax.text(
                x,
                ACTION_Y,
                "a" + subscript(actions[s] + 1),
                ha="center",
                va="center",
                fontsize=10,
                fontstyle="italic",
                color=COLORS[2],
            )
        ax.text(ROW_LABEL_X, 0.28, f"$V_{{{backups}}}$", ha="center", va="center", fontsize=10)
        ax.text(
            ROW_LABEL_X, ACTION_Y, r"$\pi$", ha="center", va="center", fontsize=10, color=COLORS[2]
        )
        for *_, p, start, end, style, label, align in arcs:
            ax.annotate(
                "",
                end,
                start,
                arrowprops={
                    "arrowstyle": "-|>",
                    "color": COLORS[0],
                    "linewidth": 1.2,
                    "connectionstyle": style,
                    "shrinkA": 0,
                    "shrinkB": 0,
                },
            )
            ax.text(
                *label,
                label_number(p),
                ha=align,
                va="center",
                fontsize=9,
                color=COLORS[0],
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5},
            )
        ax.set_xlim(ROW_LABEL_X - 0.35, right)
        ax.set_ylim(ACTION_Y - 0.25, highest + 0.2)
        ax.set_aspect("equal")
        ax.set_axis_off()
        handle = Line2D(
            [],
            [],
            color=COLORS[0],
            marker=">",
            markevery=[1],
            label=r"$s \to \arg\max_{s'} P(s' \mid s, \pi(s))$",
        )
        ax.legend(handles=[handle], loc="upper center", bbox_to_anchor=(0.5, 0), borderaxespad=0.2)

    width = right - ROW_LABEL_X + 0.35
    height = highest + 0.45 - ACTION_Y
    unit = min(UNIT_INCHES, 5.2 / width)
    size = (max(3.4, unit * width + 0.2), unit * height + 0.6)
    return Figure(
        draw,
        _figure_caption(backups, ending),
        _figure_alt(V, actions, moves, ending, backups),
        size,
    )
