"""Q-learning along an episode of a small grid world, the greedy policy of the
learnt table, and the DQN target from a frozen target network."""

import numpy as np

from tutor import tex
from tutor.answers import Number, Vector
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
    matrix,
    number,
    text,
    vector,
)
from tutor.solutions.rl import dqn_target, greedy_policy, q_learning_episode, td_target

ID = "q-learning"
TOPIC = "reinforcement-learning"
TITLE = text(
    "Q-learning in a grid world, the greedy policy and the DQN target",
    "网格世界中的 Q-learning、贪心策略与 DQN 目标值",
)
PARAMETERS = {
    "grid": text(
        "the grid as [rows, columns]: 1 to 3 rows, 1 to 4 columns, at least 2 cells; the cells "
        "are numbered 1, 2, … row by row",
        "网格的 [行数, 列数]：1 到 3 行、1 到 4 列，至少 2 个格子；格子按行依次编号 1、2、…",
    ),
    "actions": text(
        'the actions a₁, a₂, … in order: 2 to 4 different names among "left", "right", '
        '"up", "down"',
        '动作 a₁、a₂、… 的顺序：从 "left"、"right"、"up"、"down" 中选 2 到 4 个不同的',
    ),
    "goal": text("the number of the goal cell (terminal)", "终点格子的编号（终止状态）"),
    "goal_reward": text("the reward for entering the goal", "进入终点获得的奖励"),
    "trap": text(
        "the number of a trap cell (terminal), not the goal; null for none",
        "陷阱格子的编号（终止状态），不能是终点；没有陷阱时为 null",
    ),
    "trap_reward": text(
        "the reward for entering the trap; null without a trap",
        "进入陷阱获得的奖励；没有陷阱时为 null",
    ),
    "step_reward": text(
        "the reward of every other move, a move into a wall included",
        "其他每一步（包括撞墙）获得的奖励",
    ),
    "Q0": text(
        "the Q table before the episode: one row per cell, one column per action",
        "回合开始前的 Q 表：每个格子一行，每个动作一列",
    ),
    "alpha": text("the learning rate α, in (0, 1]", "学习率 α，取值 (0, 1]"),
    "gamma": text("the discount factor γ, in [0, 1]", "折扣因子 γ，取值 [0, 1]"),
    "episode": text(
        "the steps of the episode, 1 to 8 pairs [cell, action]: each step starts where the "
        "previous one ended, and none follows the arrival in a terminal cell",
        "回合中的各步，1 到 8 个 [格子, 动作] 对：每一步都从上一步到达的格子出发，"
        "到达终止格子后不再有步",
    ),
    "dqn": text(
        "the transitions whose DQN target is asked, 1 to 4 pairs [cell, action] from "
        "non-terminal cells",
        "要求 DQN 目标值的转移，1 到 4 个 [格子, 动作] 对，出发格子不能是终止状态",
    ),
    "q_online": text(
        "the online network's values Q(s′, ·; θ) at the next state of each DQN transition: "
        "one row per transition, one column per action",
        "在线网络在每个 DQN 转移的下一状态上的输出 Q(s′, ·; θ)：每个转移一行，每个动作一列",
    ),
    "q_target": text(
        "the frozen target network's values Q(s′, ·; θ⁻), shaped like q_online",
        "冻结的目标网络的输出 Q(s′, ·; θ⁻)，形状与 q_online 相同",
    ),
}
OPTIONAL = {"trap", "trap_reward"}

MOVES = {"left": (0, -1), "right": (0, 1), "up": (-1, 0), "down": (1, 0)}
NAMES = {
    "left": ("left", "左"),
    "right": ("right", "右"),
    "up": ("up", "上"),
    "down": ("down", "下"),
}
TOLERANCE = {"rtol": 1e-2, "atol": 5e-3}
POLICY_TOLERANCE = {"rtol": 0.0, "atol": 1e-6}
DIGITS = 6  # short decimals in, a few updates deep: show the worked numbers exactly
MAX_STEPS, MAX_DQN = 8, 4
# Two actions of a state whose values differ by less than this (but are not
# equal) would make the greedy action depend on rounding.
CLEAR_GAP = 0.05


def _pick(rng, options):
    """One of ``options`` as a plain Python value."""
    return options[int(rng.integers(len(options)))]


def _n(x):
    return tex.num(x, DIGITS)


# --- the world ---------------------------------------------------------------------


class _World:
    """The grid, its terminal cells and its rewards; cells from 0 inside."""

    def __init__(self, rows, cols, actions, goal, goal_reward, trap, trap_reward, step_reward):
        self.rows, self.cols, self.actions = rows, cols, actions
        self.goal, self.goal_reward = goal, goal_reward
        self.trap, self.trap_reward = trap, trap_reward
        self.step_reward = step_reward
        self.size = rows * cols

    def terminal(self, cell):
        return cell == self.goal or cell == self.trap

    def non_terminal(self):
        return [c for c in range(self.size) if not self.terminal(c)]

    def step(self, cell, action):
        """(next cell, reward, done, into a wall) for an action given by index."""
        dr, dc = MOVES[self.actions[action]]
        r, c = divmod(cell, self.cols)
        if 0 <= r + dr < self.rows and 0 <= c + dc < self.cols:
            nxt, wall = (r + dr) * self.cols + c + dc, False
        else:
            nxt, wall = cell, True
        if nxt == self.goal:
            return nxt, self.goal_reward, True, wall
        if nxt == self.trap:
            return nxt, self.trap_reward, True, wall
        return nxt, self.step_reward, False, wall


# --- generation ------------------------------------------------------------------


def generate(rng, difficulty=2):
    # Mostly an episode where the order of the updates matters (a later step
    # bootstraps from a state an earlier one changed) and where SARSA's next
    # action is not the greedy one: decided before the redraws, so that the
    # share does not depend on how rare they are.
    sequential_matters = difficulty >= 2 or rng.random() < 0.85
    sarsa_differs = rng.random() < 0.85
    # Half the episodes reach the goal or the trap, the others are cut short.
    ending = rng.random() < 0.5
    while True:
        params = _draw(rng, difficulty, ending)
        if params is None or not _clear(params):
            continue
        solution = _solve(params, steps=False)
        parts = {part.name: part.answer for part in solution.parts}
        tags = {m.tag for m in parts["q_values"].misconceptions}
        if "no-alpha" not in tags:
            continue
        if sequential_matters and "old-values" not in tags:
            continue
        if sarsa_differs and len(params["episode"]) > 1 and "sarsa" not in tags:
            continue
        dqn_tags = {m.tag for m in parts["dqn_target"].misconceptions}
        done = [_world(params).step(c - 1, params["actions"].index(a))[2] for c, a in params["dqn"]]
        if not all(done) and "online-network" not in dqn_tags:
            continue
        if any(done) and "bootstrap-on-terminal" not in dqn_tags:
            continue
        if has_distinct_misconceptions(solution):
            return params


def _draw(rng, difficulty, ending):
    if difficulty <= 1:
        rows, cols, n_actions, with_trap = 1, 4, 2, False
        lengths, alphas, gammas = [3, 4], [0.5], [0.5, 0.8, 0.9]
        q_low, q_step, arbitrary_terminal = 0, 1.0, False
        n_dqn, dqn_done = 1, [False]
    elif difficulty == 2:
        rows, cols = _pick(rng, [(1, 4), (2, 2)])
        n_actions = 2 if rows == 1 else 4
        with_trap = rng.random() < 0.5
        lengths, alphas, gammas = [3, 4], [0.2, 0.5], [0.8, 0.9]
        q_low, q_step, arbitrary_terminal = -1, 1.0, rng.random() < 0.3
        n_dqn, dqn_done = 1, [rng.random() < 0.35]
    else:
        rows, cols, n_actions, with_trap = 2, 3, 4, True
        lengths, alphas, gammas = [4, 5, 6], [0.1, 0.2, 0.5], [0.8, 0.9]
        q_low, q_step, arbitrary_terminal = -1, 0.5, rng.random() < 0.4
        n_dqn = _pick(rng, [2, 3])
        dqn_done = [True, False] + [bool(rng.random() < 0.5)] * (n_dqn - 2)
        dqn_done = [dqn_done[i] for i in rng.permutation(n_dqn)]
    actions = ["left", "right"] if n_actions == 2 else ["left", "right", "up", "down"]
    size = rows * cols
    cells = rng.permutation(size)
    if rows == 1:
        # The goal at one end of the corridor, the trap (if any) at the other.
        goal = _pick(rng, [0, size - 1])
        trap = (size - 1 - goal) if with_trap else None
    else:
        goal, trap = int(cells[0]), int(cells[1]) if with_trap else None
    goal_reward = _pick(rng, [1, 5, 10])
    trap_reward = _pick(rng, [-5, -10]) if with_trap else None
    step_reward = _pick(rng, [0, -1]) if difficulty >= 2 else _pick(rng, [0, 0, -1])
    world = _World(rows, cols, actions, goal, goal_reward, trap, trap_reward, step_reward)

    levels = np.arange(q_low, 4 + q_step / 2, q_step)
    Q0 = rng.choice(levels, size=(size, n_actions))
    for cell in (goal, trap):
        if cell is not None and not arbitrary_terminal:
            Q0[cell] = 0.0

    episode = _walk(rng, world, _pick(rng, lengths), ending)
    if episode is None:
        return None
    dqn = _dqn_steps(rng, world, dqn_done)
    if dqn is None:
        return None
    if difficulty <= 1:
        q_online = rng.integers(0, 7, size=(n_dqn, n_actions)).astype(float)
        q_target = rng.integers(0, 7, size=(n_dqn, n_actions)).astype(float)
    else:
        q_online = rng.integers(-10, 51, size=(n_dqn, n_actions)) / 10
        q_target = rng.integers(-10, 51, size=(n_dqn, n_actions)) / 10
    for i, done in enumerate(dqn_done):
        gap = abs(q_online[i].max() - q_target[i].max())
        if (not done and gap < 0.5) or abs(q_target[i].max()) < 0.5:
            return None
    params = {
        "grid": [rows, cols],
        "actions": actions,
        "goal": goal + 1,
        "goal_reward": goal_reward,
        "trap": None if trap is None else trap + 1,
        "trap_reward": trap_reward,
    }
    params.update(
        step_reward=step_reward,
        Q0=[[_plain(v) for v in row] for row in Q0],
        alpha=_pick(rng, alphas),
        gamma=_pick(rng, gammas),
        episode=[[cell + 1, actions[a]] for cell, a in episode],
        dqn=[[cell + 1, actions[a]] for cell, a in dqn],
        q_online=[[_plain(v) for v in row] for row in q_online],
        q_target=[[_plain(v) for v in row] for row in q_target],
    )
    return params


def _plain(value):
    """A whole number as an int, else a float (JSON keeps both as written)."""
    value = float(value)
    return int(value) if value.is_integer() else value


def _walk(rng, world, length, ending):
    """A random walk from a non-terminal cell as (cell, action index) pairs:
    one that enters a terminal cell within ``length`` steps (but not before
    step 2, which would leave nothing to follow from one update to the next)
    when ``ending``, else one of ``length`` steps that stays clear of them."""
    for _ in range(200):
        cell = _pick(rng, world.non_terminal())
        steps, done = [], False
        while len(steps) < length and not done:
            action = int(rng.integers(len(world.actions)))
            steps.append((cell, action))
            cell, _, done, _ = world.step(cell, action)
        if (done and ending and len(steps) >= 2) or (not done and not ending):
            return steps
    return None


def _dqn_steps(rng, world, dones):
    """One (cell, action) per requested flag: entering a terminal cell or not."""
    pairs = [(c, a) for c in world.non_terminal() for a in range(len(world.actions))]
    ending = [p for p in pairs if world.step(*p)[2]]
    going_on = [p for p in pairs if not world.step(*p)[2]]
    if (any(dones) and not ending) or (not all(dones) and not going_on):
        return None
    chosen = [_pick(rng, ending if done else going_on) for done in dones]
    return chosen if len(set(chosen)) == len(chosen) else None


def _clear(params):
    """Updates that all change their entry, and greedy actions of the final
    table that are exactly tied or clearly apart."""
    world, Q0, alpha, gamma, transitions = _episode_inputs(params)
    values, table = _updates(Q0, transitions, alpha, gamma)
    before = np.array(Q0, dtype=float)
    for (s, a, *_), value in zip(transitions, values):
        if abs(value - before[s, a]) < 0.01:
            return False
        before[s, a] = value
    Q = table[world.non_terminal()]
    ordered = np.sort(Q, axis=1)
    gaps = ordered[:, -1] - ordered[:, -2]
    return not np.any((gaps > 1e-9) & (gaps < CLEAR_GAP))


# --- parameters ------------------------------------------------------------------


def _world(params):
    grid = vector(params, "grid", size=2)
    if not all(float(v).is_integer() for v in grid):
        raise ParameterError("grid", f"expected two whole numbers, got {params['grid']!r}")
    rows, cols = int(grid[0]), int(grid[1])
    if not (1 <= rows <= 3 and 1 <= cols <= 4 and rows * cols >= 2):
        raise ParameterError("grid", f"expected 1 to 3 rows, 1 to 4 columns, got {rows} × {cols}")
    actions = params.get("actions")
    if (
        not isinstance(actions, list)
        or not 2 <= len(actions) <= 4
        or not all(isinstance(a, str) and a in MOVES for a in actions)
        or len(set(actions)) != len(actions)
    ):
        raise ParameterError(
            "actions", f"expected 2 to 4 different names among {', '.join(MOVES)}, got {actions!r}"
        )
    size = rows * cols
    goal = integer(params, "goal", 1, size) - 1
    goal_reward = number(params, "goal_reward")
    # No trap: null (or left out), and then no trap reward either.
    trap = trap_reward = None
    if params.get("trap") is not None:
        trap = integer(params, "trap", 1, size) - 1
        if trap == goal:
            raise ParameterError("trap", "the trap cannot be the goal")
        trap_reward = number(params, "trap_reward")
    elif params.get("trap_reward") is not None:
        raise ParameterError("trap_reward", "given without a trap")
    if size - 1 - (trap is not None) < 1:
        raise ParameterError("grid", "no cell is left that is neither the goal nor the trap")
    step_reward = number(params, "step_reward")
    return _World(rows, cols, actions, goal, goal_reward, trap, trap_reward, step_reward)


def _pairs(params, name, world, max_count):
    """[cell, action] pairs as (cell index, action index), from non-terminal cells."""
    pairs = params.get(name)
    if not isinstance(pairs, list) or not 1 <= len(pairs) <= max_count:
        raise ParameterError(name, f"expected 1 to {max_count} pairs [cell, action]")
    result = []
    for i, pair in enumerate(pairs, 1):
        if not isinstance(pair, list) or len(pair) != 2:
            raise ParameterError(name, f"entry {i}: expected [cell, action], got {pair!r}")
        cell, action = pair
        if isinstance(cell, float) and cell.is_integer():
            cell = int(cell)
        if isinstance(cell, bool) or not isinstance(cell, int) or not 1 <= cell <= world.size:
            raise ParameterError(name, f"entry {i}: the cell must be 1 to {world.size}")
        if action not in world.actions:
            raise ParameterError(
                name, f"entry {i}: the action must be one of {', '.join(world.actions)}"
            )
        if world.terminal(cell - 1):
            raise ParameterError(name, f"entry {i}: cell {cell} is terminal, nothing starts there")
        result.append((cell - 1, world.actions.index(action)))
    return result


def _values(params):
    known_parameters(params, PARAMETERS)
    world = _world(params)
    n_actions = len(world.actions)
    Q0 = matrix(params, "Q0", rows=world.size, cols=n_actions)
    alpha = number(params, "alpha", 0.0, 1.0, low_open=True)
    gamma = number(params, "gamma", 0.0, 1.0)
    episode = _pairs(params, "episode", world, MAX_STEPS)
    for t in range(1, len(episode)):
        cell, _, done, _ = world.step(*episode[t - 1])
        if done:
            raise ParameterError("episode", f"step {t} ends the episode; step {t + 1} follows it")
        if episode[t][0] != cell:
            raise ParameterError(
                "episode", f"step {t} ends in cell {cell + 1}, step {t + 1} starts elsewhere"
            )
    dqn = _pairs(params, "dqn", world, MAX_DQN)
    q_online = matrix(params, "q_online", rows=len(dqn), cols=n_actions)
    q_target = matrix(params, "q_target", rows=len(dqn), cols=n_actions)
    return world, Q0, alpha, gamma, episode, dqn, q_online, q_target


def _episode_inputs(params):
    world, Q0, alpha, gamma, episode, *_ = _values(params)
    return world, Q0, alpha, gamma, _transitions(world, episode)


def _transitions(world, steps):
    """(s, a, r, s′, done) for each (cell, action) pair."""
    result = []
    for cell, action in steps:
        nxt, reward, done, _ = world.step(cell, action)
        result.append((cell, action, float(reward), nxt, done))
    return result


# --- the computation ---------------------------------------------------------------


def _reference(call, name):
    try:
        return call()
    except ValueError as error:
        raise ParameterError(name, str(error)) from None


def _updates(Q0, transitions, alpha, gamma):
    """Q(s_t, a_t) right after each update, and the final table: the
    reference episode, one step at a time."""
    table, values = np.array(Q0, dtype=float), []
    for s, a, r, s_next, done in transitions:
        table = q_learning_episode(table, [(s, a, r, s_next, done)], alpha, gamma)
        values.append(float(table[s, a]))
    return values, table


def _from_initial(Q0, transitions, alpha, gamma):
    """Every update computed from the initial table: the values, and the table
    where each pair keeps its last such value."""
    table, values = np.array(Q0, dtype=float), []
    for s, a, r, s_next, done in transitions:
        value = float(q_learning_episode(Q0, [(s, a, r, s_next, done)], alpha, gamma)[s, a])
        values.append(value)
        table[s, a] = value
    return values, table


def _sarsa(Q0, transitions, alpha, gamma):
    """The target built on the action taken next, Q(s_{t+1}, a_{t+1}), where
    the episode shows it (the greedy value at the last step otherwise)."""
    table, values = np.array(Q0, dtype=float), []
    for t, (s, a, r, s_next, done) in enumerate(transitions):
        if t + 1 < len(transitions):
            following = [table[s_next, transitions[t + 1][1]]]
        else:
            following = table[s_next]
        target = td_target(r, following, gamma, done)
        table[s, a] += alpha * (target - table[s, a])
        values.append(float(table[s, a]))
    return values, table


def _ties_last(Q):
    """The greedy actions with ties going to the last tied action."""
    flipped = greedy_policy(np.asarray(Q)[:, ::-1])
    return np.asarray(Q).shape[1] - 1 - flipped


FEEDBACK = {
    "sarsa": (
        "You bootstrapped from the action the agent took next, Q(s_{t+1}, a_{t+1}): that is "
        "SARSA. Q-learning uses the best action of the next state, max_a′ Q(s_{t+1}, a′).",
        "你用了智能体下一步实际执行的动作的值 Q(s_{t+1}, a_{t+1})：这是 SARSA。"
        "Q-learning 用下一状态最优动作的值 max_a′ Q(s_{t+1}, a′)。",
    ),
    "old-values": (
        "You computed every update from the initial table. The updates are sequential: each "
        "one reads the table as the earlier updates of the episode left it.",
        "你的每次更新都用了初始的 Q 表。更新是依次进行的："
        "每次都要用本回合前面各次更新之后的 Q 表。",
    ),
    "bootstrap-on-terminal": (
        "The episode ends in the goal or the trap: there is no future reward, so the target is "
        "r alone; you added γ·max Q of the terminal state.",
        "回合在终点或陷阱结束，之后没有奖励，目标值就是 r；你多加了终止状态的 γ·max Q。",
    ),
    "no-alpha": (
        "You replaced Q(s, a) by the target; the learning rate α only takes a step "
        "α(y − Q(s, a)) towards it.",
        "你直接把 Q(s, a) 换成了目标值；学习率 α 只朝目标迈出 α(y − Q(s, a)) 一步。",
    ),
    "no-gamma": (
        "You forgot the discount: the value of the next state is multiplied by γ.",
        "你忘了折扣：下一状态的价值要乘以 γ。",
    ),
    "tie-rule": (
        "Where several actions share the largest value, the tie goes to the first of them in "
        "the order a₁, a₂, …; you chose a later one.",
        "几个动作的 Q 值同为最大时，按规定取 a₁、a₂、… 顺序中最靠前的；你选了靠后的。",
    ),
    "zero-based": (
        "Number the actions from 1 (a₁ is 1), as in the statement; you counted from 0.",
        "动作按题目从 1 开始编号（a₁ 为 1）；你是从 0 开始数的。",
    ),
    "online-network": (
        "You used the online network Q(s′, ·; θ). The DQN target comes from the frozen target "
        "network: y = r + γ max_a′ Q(s′, a′; θ⁻), which keeps the target still while θ learns.",
        "你用了在线网络 Q(s′, ·; θ)。DQN 的目标值来自冻结的目标网络："
        "y = r + γ max_a′ Q(s′, a′; θ⁻)，这样 θ 学习时目标值保持稳定。",
    ),
}


def _kept(probe, candidates):
    return distinct_misconceptions(probe, candidates, FEEDBACK)


def solve(params):
    return _solve(params, steps=True)


def _solve(params, steps):
    world, Q0, alpha, gamma, episode, dqn, q_online, q_target = _values(params)
    transitions = _transitions(world, episode)
    values, _ = _reference(lambda: _updates(Q0, transitions, alpha, gamma), "Q0")
    table = _reference(lambda: q_learning_episode(Q0, transitions, alpha, gamma), "Q0")
    states = world.non_terminal()
    actions = _reference(lambda: greedy_policy(table[states]), "Q0")
    steps_dqn = _transitions(world, dqn)
    rewards = np.array([t[2] for t in steps_dqn])
    dones = np.array([t[4] for t in steps_dqn])
    y = _reference(lambda: dqn_target(rewards, q_target, gamma, dones), "q_target")

    sarsa_values, sarsa_table = _sarsa(Q0, transitions, alpha, gamma)
    old_values, old_table = _from_initial(Q0, transitions, alpha, gamma)
    on_terminal = [(s, a, r, s_next, False) for s, a, r, s_next, _ in transitions]
    terminal_values, _ = _updates(Q0, on_terminal, alpha, gamma)
    no_alpha_values, no_alpha_table = _updates(Q0, transitions, 1.0, gamma)
    no_gamma_values, _ = _updates(Q0, transitions, alpha, 1.0)

    probe = Vector(values, **TOLERANCE)
    q_part = Part(
        "q_values",
        text(
            "$Q(s_t, a_t)$ right after each update $t = 1, 2, \\ldots$ (a vector)",
            "每次更新 $t = 1, 2, \\ldots$ 之后的 $Q(s_t, a_t)$（向量）",
        ),
        Vector(
            values,
            **TOLERANCE,
            misconceptions=_kept(
                probe,
                [
                    ("sarsa", sarsa_values),
                    ("old-values", old_values),
                    ("bootstrap-on-terminal", terminal_values),
                    ("no-alpha", no_alpha_values),
                    ("no-gamma", no_gamma_values),
                ],
            ),
        ),
    )

    policy = (actions + 1).tolist()
    probe = Vector(policy, **POLICY_TOLERANCE)
    policy_part = Part(
        "policy",
        text(
            "greedy policy: the action number for each non-terminal state",
            "贪心策略：每个非终止状态的动作编号",
        ),
        Vector(
            policy,
            **POLICY_TOLERANCE,
            misconceptions=_kept(
                probe,
                [
                    ("tie-rule", (_ties_last(table[states]) + 1).tolist()),
                    ("sarsa", (greedy_policy(sarsa_table[states]) + 1).tolist()),
                    ("old-values", (greedy_policy(old_table[states]) + 1).tolist()),
                    ("no-alpha", (greedy_policy(no_alpha_table[states]) + 1).tolist()),
                    ("zero-based", actions.tolist(), 0.5),
                ],
            ),
        ),
    )

    single = len(dqn) == 1
    y_answer = float(y[0]) if single else y.tolist()
    dqn_candidates = [
        ("online-network", dqn_target(rewards, q_online, gamma, dones)),
        ("bootstrap-on-terminal", dqn_target(rewards, q_target, gamma, False)),
        ("no-gamma", dqn_target(rewards, q_target, 1.0, dones)),
    ]
    dqn_candidates = [
        (tag, float(value[0]) if single else value.tolist()) for tag, value in dqn_candidates
    ]
    kind = Number if single else Vector
    dqn_part = Part(
        "dqn_target",
        text(
            "DQN target $y$" + ("" if single else " of each transition (a vector)"),
            "DQN 目标值 $y$" + ("" if single else "，每个转移一个（向量）"),
        ),
        kind(
            y_answer,
            **TOLERANCE,
            misconceptions=_kept(kind(y_answer, **TOLERANCE), dqn_candidates),
        ),
    )
    parts = (q_part, policy_part, dqn_part)
    if not steps:
        return Solution(parts, ())
    return Solution(
        parts,
        _steps(world, Q0, alpha, gamma, transitions, values, table, states, actions)
        + _dqn_steps_text(world, gamma, steps_dqn, q_target, y),
    )


# --- statement and steps -------------------------------------------------------------


def _s(cell):
    return f"s_{cell + 1}"


def _action_words(world, lang):
    index = 0 if lang == "en" else 1
    sep = ", " if lang == "en" else "，"
    return sep.join(f"$a_{j + 1}$ = {NAMES[a][index]}" for j, a in enumerate(world.actions))


def _grid(world, lang):
    goal_word, trap_word = ("goal", "trap") if lang == "en" else ("终点", "陷阱")
    rows = []
    for r in range(world.rows):
        cells = []
        for c in range(world.cols):
            cell = r * world.cols + c
            label = _s(cell)
            if cell == world.goal:
                label += rf"\;\text{{({goal_word})}}"
            elif cell == world.trap:
                label += rf"\;\text{{({trap_word})}}"
            cells.append(label)
        rows.append(" & ".join(cells))
    columns = "|" + "c|" * world.cols
    body = r" \\ \hline ".join(rows)
    return rf"$$\begin{{array}}{{{columns}}} \hline {body} \\ \hline \end{{array}}$$"


def _q_table(world, Q0):
    head = " & ".join(f"a_{j + 1}" for j in range(len(world.actions)))
    rows = r" \\ ".join(
        f"{_s(cell)} & " + " & ".join(_n(v) for v in Q0[cell]) for cell in range(world.size)
    )
    columns = "c|" + "c" * len(world.actions)
    return rf"$$\begin{{array}}{{{columns}}} Q(s, a) & {head} \\ \hline {rows} \end{{array}}$$"


def _episode_table(world, episode):
    ts = " & ".join(str(t + 1) for t in range(len(episode)))
    states = " & ".join(_s(cell) for cell, _ in episode)
    actions = " & ".join(f"a_{a + 1}" for _, a in episode)
    columns = "c|" + "c" * len(episode)
    return (
        rf"$$\begin{{array}}{{{columns}}} t & {ts} \\ \hline s_t & {states} \\ a_t & {actions}"
        r" \end{array}$$"
    )


def _dqn_table(world, steps_dqn, q_online, q_target, lang):
    head = " & ".join(f"a_{j + 1}" for j in range(len(world.actions)))
    rows = []
    for i, (s, a, r, s_next, done) in enumerate(steps_dqn):
        words = ("yes", "no") if lang == "en" else ("是", "否")
        mark = rf"\text{{{words[0] if done else words[1]}}}"
        transition = f"{_s(s)} & a_{a + 1} & {_n(r)} & {_s(s_next)} & {mark}"
        online = " & ".join(_n(v) for v in q_online[i])
        frozen = " & ".join(_n(v) for v in q_target[i])
        rows.append(rf"{i + 1} & {transition} & \theta & {online}")
        rows.append(rf" & & & & & & \theta^- & {frozen}")
    columns = "c|ccccc|c|" + "c" * len(world.actions)
    end, net = ("terminal", "network") if lang == "en" else ("终止", "网络")
    return (
        rf"$$\begin{{array}}{{{columns}}} i & s & a & r & s' & \text{{{end}}} & "
        rf"\text{{{net}}} & {head} \\ \hline " + r" \\ ".join(rows) + r" \end{array}$$"
    )


def _rewards_text(world, lang):
    if lang == "en":
        parts = [f"Entering the goal ${_s(world.goal)}$ gives $r = {_n(world.goal_reward)}$"]
        if world.trap is not None:
            parts.append(
                f"entering the trap ${_s(world.trap)}$ gives $r = {_n(world.trap_reward)}$"
            )
        ends = "both end" if world.trap is not None else "it ends"
        return (
            "; ".join(parts)
            + f", and {ends} the episode. Every other move, one into a wall included, gives "
            f"$r = {_n(world.step_reward)}$."
        )
    parts = [f"进入终点 ${_s(world.goal)}$ 得到 $r = {_n(world.goal_reward)}$"]
    if world.trap is not None:
        parts.append(f"进入陷阱 ${_s(world.trap)}$ 得到 $r = {_n(world.trap_reward)}$")
    ends = "二者都会结束回合" if world.trap is not None else "并结束回合"
    return (
        "；".join(parts) + f"，{ends}。其他每一步（包括撞墙）得到 $r = {_n(world.step_reward)}$。"
    )


def statement(params):
    world, Q0, alpha, gamma, episode, dqn, q_online, q_target = _values(params)
    transitions = _transitions(world, episode)
    steps_dqn = _transitions(world, dqn)
    last_done = transitions[-1][4]
    T = len(episode)
    states = ", ".join(_s(c) for c in world.non_terminal())
    if last_done:
        end_en = f"Step {T} enters a terminal cell and ends the episode."
        end_zh = f"第 {T} 步进入终止格子，回合结束。"
    else:
        end_en = f"The record stops after step {T}; the episode goes on."
        end_zh = f"记录到第 {T} 步为止，回合尚未结束。"
    if len(dqn) == 1:
        dqn_en = "the transition below, taken from its replay memory"
        dqn_zh = "从经验回放中取出的下面这个转移"
        give_en, give_zh = "its target $y$", "目标值 $y$"
    else:
        dqn_en = f"the mini-batch of {len(dqn)} transitions below, taken from its replay memory"
        dqn_zh = f"从经验回放中取出的下面这 {len(dqn)} 个转移组成的小批量"
        give_en, give_zh = "the target $y$ of each transition", "每个转移的目标值 $y$"
    grid = (world.rows, world.cols)
    return text(
        f"An agent moves on a grid of {grid[0]} × {grid[1]} cells, numbered row by row:\n"
        f"{_grid(world, 'en')}\nIts actions are {_action_words(world, 'en')}. Moves are "
        "deterministic; a move into the outer wall leaves the agent where it is. "
        f"{_rewards_text(world, 'en')}\nThe Q table starts as\n{_q_table(world, Q0)}\n"
        f"The agent learns with Q-learning, $\\alpha = {_n(alpha)}$, $\\gamma = {_n(gamma)}$, "
        f"and takes these steps:\n{_episode_table(world, episode)}\n{end_en}\n"
        "(1) Apply the Q-learning update after every step, in order, each on the table as the "
        "earlier updates left it; give the value of $Q(s_t, a_t)$ right after each update, as "
        f"a vector ($t = 1, \\ldots, {T}$).\n"
        f"(2) Give the greedy policy of the final table for the non-terminal states ${states}$ "
        "(in this order): for each, the number $j$ of the action $a_j$ with the largest value; "
        "a tie goes to the first of the tied actions in the order $a_1, a_2, \\ldots$.\n"
        f"(3) The agent also trains a DQN on this world. For {dqn_en}, the online network "
        "(parameters $\\theta$) and the target network (parameters $\\theta^-$, copied from "
        "$\\theta$ some steps ago and frozen since) output these values at the next state "
        f"$s'$:\n{_dqn_table(world, steps_dqn, q_online, q_target, 'en')}\n"
        f"Give {give_en} that the DQN loss regresses $Q(s, a; \\theta)$ onto.",
        f"智能体在 {grid[0]} × {grid[1]} 的网格上移动，格子按行编号：\n{_grid(world, 'zh')}\n"
        f"它的动作为 {_action_words(world, 'zh')}。移动是确定性的；撞到外墙时智能体留在原地。"
        f"{_rewards_text(world, 'zh')}\nQ 表的初始值为\n{_q_table(world, Q0)}\n"
        f"智能体用 Q-learning 学习，$\\alpha = {_n(alpha)}$，$\\gamma = {_n(gamma)}$，"
        f"依次执行了以下各步：\n{_episode_table(world, episode)}\n{end_zh}\n"
        "(1) 每一步之后按顺序做一次 Q-learning 更新，每次都在前面各次更新后的 Q 表上进行；"
        f"写出每次更新之后 $Q(s_t, a_t)$ 的值，组成向量（$t = 1, \\ldots, {T}$）。\n"
        f"(2) 求最终 Q 表在非终止状态 ${states}$ 上的贪心策略（按此顺序）：每个状态写出 Q 值最大"
        "的动作 $a_j$ 的编号 $j$；并列时取 $a_1, a_2, \\ldots$ 顺序中最靠前的。\n"
        f"(3) 智能体还在这个环境上训练一个 DQN。对{dqn_zh}，在线网络（参数 $\\theta$）和目标网络"
        "（参数 $\\theta^-$，若干步前从 $\\theta$ 复制后冻结）在下一状态 $s'$ 上的输出如下：\n"
        f"{_dqn_table(world, steps_dqn, q_online, q_target, 'zh')}\n"
        f"求 DQN 损失中 $Q(s, a; \\theta)$ 要拟合的{give_zh}。",
    )


def _move_text(world, s, a, r, s_next, done, wall, lang):
    name = NAMES[world.actions[a]][0 if lang == "en" else 1]
    if lang == "en":
        start = f"in ${_s(s)}$ the action $a_{a + 1}$ ({name})"
        if wall:
            where = f"hits the wall: the agent stays in ${_s(s_next)}$"
        else:
            where = f"leads to ${_s(s_next)}$"
        end = (
            ", a terminal cell: no bootstrap, the target is the reward alone"
            if done
            else ", which is not terminal"
        )
        return f"{start} {where} with $r = {_n(r)}${end}."
    start = f"在 ${_s(s)}$ 执行 $a_{a + 1}$（{name}）"
    where = f"撞墙，留在 ${_s(s_next)}$" if wall else f"到达 ${_s(s_next)}$"
    end = "，这是终止状态：不做自举，目标值就是奖励" if done else "，不是终止状态"
    return f"{start}{where}，$r = {_n(r)}${end}。"


def _steps(world, Q0, alpha, gamma, transitions, values, final, states, actions):
    steps = [
        Step(
            text(
                "Each step updates one entry, on the table as the earlier updates left it:",
                "每一步更新一个表项，用的是前面各次更新之后的 Q 表：",
            ),
            r"Q(s, a) \leftarrow Q(s, a) + \alpha \left( r + \gamma \max_{a'} Q(s', a') "
            r"- Q(s, a) \right)",
        )
    ]
    table = np.array(Q0, dtype=float)
    for t, ((s, a, r, s_next, done), value) in enumerate(zip(transitions, values), start=1):
        wall = world.step(s, a)[3]
        old = table[s, a]
        if done:
            target = r
            target_latex = rf"y_{t} = r = {_n(target)}"
        else:
            best = float(table[s_next].max())
            target = r + gamma * best
            row = ", ".join(_n(v) for v in table[s_next])
            target_latex = (
                rf"y_{t} = r + \gamma \max_{{a'}} Q({_s(s_next)}, a') = {_n(r)} + {_n(gamma)} "
                rf"\cdot \max({row}) = {_n(r)} + {_n(gamma)} \cdot {tex.paren(best, DIGITS)} "
                rf"= {_n(target)}"
            )
        update = (
            rf"Q({_s(s)}, a_{a + 1}) \leftarrow {_n(old)} + {_n(alpha)} \left( {_n(target)} "
            rf"{tex.signed(-old, DIGITS)} \right) = {_n(value)}"
        )
        steps.append(
            Step(
                text(
                    f"Step {t}: " + _move_text(world, s, a, r, s_next, done, wall, "en"),
                    f"第 {t} 步：" + _move_text(world, s, a, r, s_next, done, wall, "zh"),
                ),
                rf"{target_latex} \qquad {update}",
            )
        )
        table[s, a] = value
    steps.append(
        Step(
            text(
                "The values right after each update, in order:",
                "各次更新之后的值，按顺序：",
            ),
            rf"\left( Q(s_t, a_t) \right)_{{t = 1, \ldots, {len(values)}}} = {tex.row(values)}",
        )
    )
    head = " & ".join(f"a_{j + 1}" for j in range(len(world.actions)))
    rows = r" \\ ".join(
        f"{_s(cell)} & " + " & ".join(_n(v) for v in final[cell]) + f" & a_{actions[i] + 1}"
        for i, cell in enumerate(states)
    )
    columns = "c|" + "c" * len(world.actions) + "|c"
    steps.append(
        Step(
            text(
                "The final table of the non-terminal states and, in each, the action with the "
                "largest value (a tie goes to the first tied action):",
                "最终 Q 表中各非终止状态的值，以及每个状态 Q 值最大的动作（并列时取最靠前的）：",
            ),
            rf"\begin{{array}}{{{columns}}} Q(s, a) & {head} & \pi(s) \\ \hline {rows} "
            rf"\end{{array}} \qquad \pi = {tex.row(actions + 1)}",
        )
    )
    return tuple(steps)


def _dqn_steps_text(world, gamma, steps_dqn, q_target, y):
    pieces = []
    for i, (_, _, r, s_next, done) in enumerate(steps_dqn):
        label = "y" if len(steps_dqn) == 1 else f"y_{i + 1}"
        if done:
            pieces.append(rf"{label} = r = {_n(y[i])}")
        else:
            row = ", ".join(_n(v) for v in q_target[i])
            pieces.append(
                rf"{label} = r + \gamma \max_{{a'}} Q({_s(s_next)}, a'; \theta^-) = {_n(r)} "
                rf"+ {_n(gamma)} "
                rf"\cdot \max({row}) = {_n(y[i])}"
            )
    if len(steps_dqn) > 1:
        pieces.append(rf"y = {tex.row(y)}")
    return (
        Step(
            text(
                "The DQN target bootstraps from the frozen target network $\\theta^-$, not from "
                "the online network being trained; a terminal $s'$ has no future value, so "
                "there the target is $r$:",
                "DQN 目标值用冻结的目标网络 $\\theta^-$ 自举，而不是正在训练的在线网络；"
                "终止的 $s'$ 没有未来价值，目标值就是 $r$：",
            ),
            r" \qquad ".join(pieces),
        ),
    )


# --- figure --------------------------------------------------------------------------

SYMBOLS = {"goal": "★", "trap": "☠"}
HATCHES = {"goal": "//", "trap": "xx"}
CELL_INCHES = 1.2
# Where things sit inside a cell of side 1 (x to the right, y down): the label and
# the greedy arrow in the upper left, the value at the bottom left, all clear of the
# bands from 0.6 to 0.8 across and down the cell where the episode's line runs.
LABEL_AT, ARROW_AT, VALUE_AT = (0.05, 0.05), (0.3, 0.36), (0.3, 0.91)
ARROW_HALF = 0.14
PATH_FROM, PATH_TO = 0.8, 0.6


def _corner(world, cell):
    """The top-left corner of a cell, as (x, y) with y growing downwards."""
    r, c = divmod(cell, world.cols)
    return np.array([c, r], dtype=float)


def _path(world, transitions):
    """The vertices of the episode's line, and for every step the segment that
    carries its arrowhead. A cell's k-th visit sits a little further up the
    diagonal of the lower-right band than the one before, so that going back
    and forth does not retrace a segment; a move into the wall is a spike to the
    border and back."""
    cells = [transitions[0][0]] + [s_next for *_, s_next, _ in transitions]
    visits = max(cells.count(c) for c in cells)
    spread = min(0.1, (PATH_FROM - PATH_TO) / max(visits - 1, 1))
    seen = {}

    def point(cell):
        seen[cell] = seen.get(cell, -1) + 1
        return _corner(world, cell) + PATH_FROM - spread * seen[cell]

    points, heads = [point(cells[0])], []
    for s, a, _, s_next, _ in transitions:
        heads.append(len(points) - 1)
        after = point(s_next)
        if world.step(s, a)[3]:
            dr, dc = MOVES[world.actions[a]]
            border = (points[-1] + after) / 2
            corner = _corner(world, s)
            if dc:
                border[0] = corner[0] + (0.97 if dc > 0 else 0.03)
            else:
                border[1] = corner[1] + (0.97 if dr > 0 else 0.03)
            points.append(border)
        points.append(after)
    return np.array(points), heads


def _tied(row, best):
    """The actions other than ``best`` whose value ties with it (as greedy_policy
    counts ties)."""
    top = row.max()
    tied = np.isclose(row, top, rtol=1e-12, atol=1e-12)
    return [j for j in range(len(row)) if tied[j] and j != best]


def _figure_caption(world, ties, transitions):
    tied = any(ties.values())
    walls = any(world.step(s, a)[3] for s, a, *_ in transitions)
    if world.trap is None:
        ends_en, ends_zh = "The goal (★, hatched) ends", "终点（★，斜线阴影）会结束回合"
    else:
        ends_en = "The goal (★, hatched) and the trap (☠, cross-hatched) end"
        ends_zh = "终点（★，斜线阴影）和陷阱（☠，交叉阴影）会结束回合"
    return text(
        "The grid after the episode. In every non-terminal cell the arrow points along the "
        "greedy action of the final Q table and the number is its value $\\max_a Q(s, a)$"
        + (
            "; dashed grey arrows are actions tied with it, passed over by the tie rule"
            if tied
            else ""
        )
        + f". {ends_en} the episode; $r$ is the reward for entering. The dotted line follows "
        "the episode from the circle to the square"
        + ("; a spike to the border is a move into the wall." if walls else "."),
        "回合结束后的网格。每个非终止格子中，箭头指向最终 Q 表的贪心动作，数字是它的值 "
        "$\\max_a Q(s, a)$"
        + ("；灰色虚线箭头是与它并列、按规则未选的动作" if tied else "")
        + f"。{ends_zh}，$r$ 是进入时的奖励。点线从圆点到方块画出本回合的路径"
        + ("；伸向边框的尖角表示撞墙。" if walls else "。"),
    )


def _figure_alt(world, greedy, table, transitions):
    def cell(c):
        return f"s{c + 1}"

    def values(lang):
        index = 0 if lang == "en" else 1
        pieces = []
        for c, a in greedy.items():
            piece = f"{cell(c)} {NAMES[world.actions[a]][index]} {tex.plain(table[c].max())}"
            others = [NAMES[world.actions[j]][index] for j in _tied(table[c], a)]
            if others:
                piece += (
                    f" (tied with {', '.join(others)}, dashed)"
                    if lang == "en"
                    else f"（与{'、'.join(others)}并列，虚线）"
                )
            pieces.append(piece)
        return (", " if lang == "en" else "，").join(pieces)

    def route(lang):
        wall = " (wall)" if lang == "en" else "（撞墙）"
        names = [cell(transitions[0][0])]
        for s, a, _, s_next, _ in transitions:
            names.append(cell(s_next) + (wall if world.step(s, a)[3] else ""))
        return " → ".join(names)

    goal, reward = cell(world.goal), tex.plain(world.goal_reward)
    trap_en = trap_zh = ""
    if world.trap is not None:
        trap, trap_reward = cell(world.trap), tex.plain(world.trap_reward)
        trap_en = f" and the trap {trap} (☠, reward {trap_reward}, cross-hatched)"
        trap_zh = f"和陷阱 {trap}（☠，奖励 {trap_reward}，交叉阴影）"
    return text(
        f"A grid of {world.rows} × {world.cols} cells s1 to s{world.size}, numbered row by "
        f"row, with the goal {goal} (★, reward {reward}, hatched){trap_en}. In each other cell "
        f"an arrow shows the greedy action of the final Q table and a number its value: "
        f"{values('en')}. A dotted line follows the episode {route('en')}.",
        f"{world.rows} × {world.cols} 的网格，格子 s1 到 s{world.size} 按行编号，终点为 {goal}"
        f"（★，奖励 {reward}，斜线阴影）{trap_zh}。其余每个格子中，箭头表示最终 Q 表的贪心动作，"
        f"数字是它的值：{values('zh')}。点线画出本回合的路径 {route('zh')}。",
    )


def _grid_axes(ax, world):
    ax.set_xlim(-0.04, world.cols + 0.04)
    ax.set_ylim(world.rows + 0.04, -0.04)
    ax.set_aspect("equal")
    ax.set_axis_off()


def figure(params, solution):
    """The grid after the episode: the goal and the trap (symbol, reward and
    hatching), in every other cell the greedy action of the final Q table as an
    arrow with its value max_a Q(s, a), and the episode as a dotted line from a
    circle to a square. Every valid grid (at most 3 × 4 cells) is drawn as it is."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    world, Q0, alpha, gamma, episode, *_ = _values(params)
    transitions = _transitions(world, episode)
    table = q_learning_episode(Q0, transitions, alpha, gamma)
    states = world.non_terminal()
    greedy = dict(zip(states, greedy_policy(table[states]).tolist()))
    ties = {cell: _tied(table[cell], greedy[cell]) for cell in states}
    path, heads = _path(world, transitions)
    ends = {"goal": (world.goal, world.goal_reward)}
    if world.trap is not None:
        ends["trap"] = (world.trap, world.trap_reward)

    def arrow(ax, cell, action, **style):
        # Tied actions leave from the centre, each its own way, so that two opposite
        # ones do not cover each other; a lone greedy action is centred.
        dr, dc = MOVES[world.actions[action]]
        centre = _corner(world, cell) + ARROW_AT
        step = ARROW_HALF * np.array([dc, dr], dtype=float)
        tail, tip = (centre, centre + 1.3 * step) if ties[cell] else (centre - step, centre + step)
        ax.annotate("", tip, tail, arrowprops={"arrowstyle": "-|>", **style})

    def draw(ax):
        _grid_axes(ax, world)
        for kind, (cell, reward) in ends.items():
            corner = _corner(world, cell)
            ax.add_patch(
                Rectangle(
                    corner,
                    1,
                    1,
                    facecolor="white",
                    edgecolor="#999999",
                    linewidth=0,
                    hatch=HATCHES[kind],
                )
            )
            ax.text(
                *(corner + ARROW_AT),
                SYMBOLS[kind],
                ha="center",
                va="center",
                fontsize=18,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
            )
            ax.text(
                *(corner + VALUE_AT),
                f"r = {label_number(reward)}",
                ha="center",
                va="center",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1},
            )
        for cell in range(world.size):
            corner = _corner(world, cell)
            ax.add_patch(Rectangle(corner, 1, 1, fill=False, edgecolor="black", linewidth=1.2))
            ax.text(
                *(corner + LABEL_AT),
                "s" + subscript(cell + 1),
                ha="left",
                va="top",
                fontsize=9,
                fontstyle="italic",
                color="#444444",
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5},
            )
        for cell in states:
            for other in ties[cell]:
                arrow(ax, cell, other, color="#888888", linestyle="--", linewidth=1)
            arrow(ax, cell, greedy[cell], color=COLORS[0], linewidth=2)
            ax.text(
                *(_corner(world, cell) + VALUE_AT),
                label_number(table[cell].max()),
                ha="center",
                va="center",
                fontsize=10,
            )
        ax.plot(*path.T, ":", color=COLORS[1], linewidth=1.8)
        for i in heads:
            middle, along = (path[i] + path[i + 1]) / 2, (path[i + 1] - path[i]) * 0.01
            ax.annotate(
                "",
                middle + along,
                middle - along,
                arrowprops={
                    "arrowstyle": "-|>,head_length=0.7,head_width=0.35",
                    "color": COLORS[1],
                    "linewidth": 0,
                },
            )
        ax.plot(*path[0], "o", color=COLORS[1], markersize=6)
        ax.plot(*path[-1], "s", color=COLORS[1], markersize=6)
        handles = [
            Line2D(
                [],
                [],
                color=COLORS[1],
                linestyle=":",
                marker="o",
                markevery=[0],
                label=rf"$(s_t, a_t)_{{t=1}}^{{{len(transitions)}}}$",
            ),
            Line2D(
                [],
                [],
                color=COLORS[0],
                linewidth=2,
                marker=">",
                markevery=[1],
                label=r"$\arg\max_a Q(s, a)$",
            ),
        ]
        ax.legend(
            handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0), ncol=2, borderaxespad=0.2
        )

    size = (max(3.6, CELL_INCHES * world.cols + 0.4), CELL_INCHES * world.rows + 0.7)
    return Figure(
        draw,
        _figure_caption(world, ties, transitions),
        _figure_alt(world, greedy, table, transitions),
        size,
    )
