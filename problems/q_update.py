"""One tabular Q-learning update: the TD target and the new Q(s, a)."""

import numpy as np

from tutor import tex
from tutor.answers import Misconception, Number
from tutor.problem import (
    ParameterError,
    Part,
    Solution,
    Step,
    boolean,
    has_distinct_misconceptions,
    known_parameters,
    number,
    text,
    vector,
)
from tutor.solutions.rl import q_update, td_target

ID = "q-update"
TOPIC = "reinforcement-learning"
TITLE = text("One Q-learning update", "一次 Q-learning 更新")
PARAMETERS = {
    "q": text("the current value Q(s, a)", "当前的 Q(s, a)"),
    "r": text("the reward of the transition", "这次状态转移获得的奖励"),
    "alpha": text("the learning rate α, in (0, 1]", "学习率 α，取值 (0, 1]"),
    "gamma": text("the discount factor γ, in [0, 1]", "折扣因子 γ，取值 [0, 1]"),
    "q_next": text(
        "Q(s′, ·): the values of the next state's actions, a non-empty list",
        "Q(s′, ·)：下一状态各动作的 Q 值，非空列表",
    ),
    "done": text("whether s′ is terminal (the episode ends)", "s′ 是否为终止状态（回合结束）"),
}

TOLERANCE = {"rtol": 1e-2, "atol": 5e-3}
DIGITS = 6  # the inputs are short decimals: show the worked numbers exactly


def _n(x):
    return tex.num(x, DIGITS)


def _choice(rng, options, weights=None):
    """One of ``options`` as a plain Python value (rng.choice returns numpy types)."""
    return options[int(rng.choice(len(options), p=weights))]


def generate(rng, difficulty=2):
    while True:
        params = _draw(rng, difficulty)
        if not _clear_maximum(params["q_next"]):
            continue
        solution = solve(params)
        new_q = solution.parts[1].answer.value
        # A zero TD error leaves Q(s, a) unchanged: nothing to update, nothing to tell apart.
        if abs(new_q - params["q"]) >= 0.01 and has_distinct_misconceptions(solution):
            return params


def _draw(rng, difficulty):
    if difficulty <= 1:
        k = 2
        decimals, negatives = False, False
        alphas, gammas = [0.1, 0.5], [0.5, 0.8, 0.9]
    elif difficulty == 2:
        k = _choice(rng, [2, 3])
        decimals, negatives = rng.random() < 0.5, False
        alphas, gammas = [0.1, 0.2, 0.5], [0.5, 0.8, 0.9, 0.95, 1.0]
    else:
        k = _choice(rng, [3, 4])
        decimals, negatives = True, rng.random() < 0.5
        alphas, gammas = [0.1, 0.2, 0.25, 0.5, 0.8], [0.5, 0.8, 0.9, 0.95, 1.0]

    low = -3 if negatives else 0
    if decimals:
        values = rng.integers(10 * low, 61, size=k + 1) / 10
    else:
        values = rng.integers(low, 11, size=k + 1).astype(float)
    done = bool(rng.random() < 0.2)
    if done:
        # A terminal step usually carries the outcome: reaching a goal or a pit.
        r = _choice(rng, [-10, -5, -1, 1, 5, 10])
    elif rng.random() < (0.35 if difficulty >= 2 else 0.2):
        r = _choice(rng, [-5, -2, -1])
    else:
        r = _choice(rng, [0, 1, 2, 5])
    return {
        "q": float(values[0]),
        "r": r,
        "alpha": _choice(rng, alphas),
        "gamma": _choice(rng, gammas),
        "q_next": [float(v) for v in values[1:]],
        "done": done,
    }


def _clear_maximum(q_next):
    """A unique maximum, clearly above the other values, so that "the largest
    value" is unambiguous and using another one is a visible mistake."""
    ordered = sorted(q_next, reverse=True)
    return ordered[0] - ordered[1] >= 0.5


def _values(params):
    known_parameters(params, PARAMETERS)
    q = number(params, "q")
    r = number(params, "r")
    alpha = number(params, "alpha", 0.0, 1.0, low_open=True)
    gamma = number(params, "gamma", 0.0, 1.0)
    q_next = vector(params, "q_next")
    done = boolean(params, "done")
    return q, r, alpha, gamma, q_next, done


def _new_q(q, r, alpha, gamma, q_next, done):
    """Q(s, a) after the update, through the reference Q table update on a
    two-state table: row 0 holds Q(s, ·) with Q(s, a) first, row 1 holds Q(s′, ·)."""
    table = np.zeros((2, len(q_next)))
    table[0, 0] = q
    table[1] = q_next
    try:
        return float(q_update(table, 0, 0, r, 1, alpha, gamma, done)[0, 0])
    except ValueError as error:
        raise ParameterError(_culprit(error), str(error)) from None


def _target(r, q_next, gamma, done):
    try:
        return td_target(r, q_next, gamma, done)
    except ValueError as error:
        raise ParameterError(_culprit(error), str(error)) from None


def _culprit(error):
    """The parameter a reference function's error message is about."""
    message = str(error)
    for name in ("alpha", "gamma", "q_next"):
        if message.startswith(name):
            return name
    return "q_next"


def statement(params):
    q_next = params["q_next"]
    k = len(q_next)
    actions = " & ".join(f"a_{j + 1}" for j in range(k))
    values = " & ".join(tex.num(v, DIGITS) for v in q_next)
    table = (
        rf"$$\begin{{array}}{{c|{'c' * k}}} a' & {actions} \\ \hline Q(s', a') & {values}"
        r" \end{array}$$"
    )
    r, q = tex.num(params["r"], DIGITS), tex.num(params["q"], DIGITS)
    alpha, gamma = tex.num(params["alpha"], DIGITS), tex.num(params["gamma"], DIGITS)
    if params["done"]:
        end_en = "$s'$ is a terminal state: the episode ends with this transition."
        end_zh = "$s'$ 是终止状态：这次转移之后回合结束。"
    else:
        end_en = "$s'$ is not a terminal state."
        end_zh = "$s'$ 不是终止状态。"
    return text(
        f"An agent in state $s$ takes action $a$, receives the reward $r = {r}$ and moves to "
        f"state $s'$. Its Q table holds $Q(s, a) = {q}$ and, for the {k} actions of $s'$:\n"
        f"{table}\n{end_en} With learning rate $\\alpha = {alpha}$ and discount factor "
        f"$\\gamma = {gamma}$, perform one Q-learning update: give the TD target and the new "
        "value of $Q(s, a)$.",
        f"智能体在状态 $s$ 执行动作 $a$，获得奖励 $r = {r}$，转移到状态 $s'$。当前 Q 表中 "
        f"$Q(s, a) = {q}$，$s'$ 下 {k} 个动作的 Q 值为：\n{table}\n{end_zh}"
        f"学习率 $\\alpha = {alpha}$，折扣因子 $\\gamma = {gamma}$。请做一次 Q-learning 更新："
        "求 TD 目标值以及更新后的 $Q(s, a)$。",
    )


def _real(right, candidates):
    """The candidates that are mistakes in this setting: one that gives the
    right value (γ = 1 for a forgotten γ, α = 1 for a forgotten α) is none."""
    return tuple(
        Misconception(*c) for c in candidates if not np.isclose(c[1], right, rtol=0, atol=1e-12)
    )


def solve(params):
    q, r, alpha, gamma, q_next, done = _values(params)
    target = _target(r, q_next, gamma, done)
    new_q = _new_q(q, r, alpha, gamma, q_next, done)
    best = float(q_next.max())

    # Each wrong target, and the new Q(s, a) it leads to.
    wrong = []
    if done:
        wrong.append(
            (
                "bootstrap-on-terminal",
                _target(r, q_next, gamma, False),
                _new_q(q, r, alpha, gamma, q_next, False),
                f"s′ is terminal: there is no future reward, so the target is r = {_n(r)} "
                "alone; you added γ·max Q(s′, ·).",
                f"s′ 是终止状态，没有未来奖励，目标值就是 r = {_n(r)}；你多加了 γ·max Q(s′, ·)。",
            )
        )
    else:
        smallest = float(q_next.min())
        for value in sorted(set(q_next.tolist()) - {best}, reverse=True):
            where = ", ".join(f"a_{j + 1}" for j in np.flatnonzero(q_next == value))
            kind_en = ", the smallest value," if value == smallest else ""
            kind_zh = "（最小值）" if value == smallest else ""
            wrong.append(
                (
                    "not-max",
                    _target(r, [value], gamma, False),
                    _new_q(q, r, alpha, gamma, [value], False),
                    f"You used Q(s′, {where}) = {_n(value)}{kind_en} in the target; Q-learning "
                    f"takes the largest value of the next state, max Q(s′, ·) = {_n(best)}, "
                    "whatever action is taken next (using the next action's value is SARSA).",
                    f"你在目标值中用了 Q(s′, {where}) = {_n(value)}{kind_zh}；Q-learning 取下一"
                    f"状态的最大值 max Q(s′, ·) = {_n(best)}，与下一步实际执行的动作无关"
                    "（用下一动作的值是 SARSA）。",
                )
            )
        wrong.append(
            (
                "no-gamma",
                _target(r, q_next, 1.0, False),
                _new_q(q, r, alpha, 1.0, q_next, False),
                f"You forgot the discount: the future value is multiplied by γ = {_n(gamma)}.",
                f"你忘了折扣：未来的价值要乘以 γ = {_n(gamma)}。",
            )
        )
    target_mistakes = _real(target, [(tag, t, en, zh) for tag, t, _, en, zh in wrong])
    update_mistakes = _real(
        new_q,
        [(tag, u, en, zh) for tag, _, u, en, zh in wrong]
        + [
            (
                "no-alpha",
                _new_q(q, r, 1.0, gamma, q_next, done),
                f"You replaced Q(s, a) by the target; the learning rate α = {_n(alpha)} takes "
                "only a step α(y − Q(s, a)) towards it.",
                f"你直接把 Q(s, a) 换成了目标值；学习率 α = {_n(alpha)} 只朝目标迈出 "
                "α(y − Q(s, a)) 一步。",
            ),
            (
                "sign-error",
                q - alpha * (target - q),
                "Sign error: the update moves Q(s, a) towards the target, "
                "Q(s, a) + α(y − Q(s, a)); yours moves it away.",
                "符号错误：更新应让 Q(s, a) 向目标值靠近，即 Q(s, a) + α(y − Q(s, a))；"
                "你的结果反而远离了目标。",
            ),
        ],
    )
    parts = (
        Part(
            "td_target",
            text("TD target $y$", "TD 目标值 $y$"),
            Number(target, **TOLERANCE, misconceptions=target_mistakes),
        ),
        Part(
            "new_q",
            text("new $Q(s, a)$", "更新后的 $Q(s, a)$"),
            Number(new_q, **TOLERANCE, misconceptions=update_mistakes),
        ),
    )

    if done:
        target_steps = [
            Step(
                text(
                    "$s'$ is terminal: no reward follows it, so nothing is bootstrapped and "
                    "the values $Q(s', \\cdot)$ are not used. The target is the reward alone:",
                    "$s'$ 是终止状态：之后不再有奖励，因此不做自举，也不用 $Q(s', \\cdot)$。"
                    "目标值就是奖励本身：",
                ),
                rf"y = r = {_n(target)}",
            )
        ]
    else:
        values = ", ".join(_n(v) for v in q_next)
        target_steps = [
            Step(
                text(
                    "$s'$ is not terminal. Q-learning bootstraps on the best action of $s'$, "
                    "whichever action is taken next:",
                    "$s'$ 不是终止状态。Q-learning 用 $s'$ 下最优动作的值做自举，"
                    "与下一步实际执行的动作无关：",
                ),
                rf"\max_{{a'}} Q(s', a') = \max({values}) = {_n(best)}",
            ),
            Step(
                text("The TD target:", "TD 目标值："),
                rf"y = r + \gamma \max_{{a'}} Q(s', a') = {_n(r)} + {_n(gamma)} \cdot "
                rf"{tex.paren(best, DIGITS)} = {_n(target)}",
            ),
        ]
    error = target - q
    steps = (
        *target_steps,
        Step(
            text(
                "The TD error: how far the target is from the current estimate.",
                "TD 误差：目标值与当前估计之差。",
            ),
            rf"\delta = y - Q(s, a) = {_n(target)} {tex.signed(-q, DIGITS)} = {_n(error)}",
        ),
        Step(
            text(
                "Move $Q(s, a)$ a step of size $\\alpha$ towards the target:",
                "让 $Q(s, a)$ 朝目标值移动 $\\alpha$ 倍的 TD 误差：",
            ),
            rf"Q(s, a) \leftarrow Q(s, a) + \alpha \delta = {_n(q)} + {_n(alpha)} \cdot "
            rf"{tex.paren(error, DIGITS)} = {_n(new_q)}",
        ),
    )
    return Solution(parts, steps)
