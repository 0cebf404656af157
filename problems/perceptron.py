"""The perceptron learning rule by hand: one pass, or passes until no mistake."""

import numpy as np

from tutor import tex
from tutor.answers import Integer, Number, Vector
from tutor.problem import (
    ParameterError,
    Part,
    Solution,
    Step,
    boolean,
    distinct_misconceptions,
    has_distinct_misconceptions,
    known_parameters,
    matrix,
    number,
    text,
    vector,
)
from tutor.solutions.perceptron import perceptron_epoch, perceptron_update

ID = "perceptron"
TOPIC = "classification"
TITLE = text("The perceptron learning rule", "感知机学习规则")
PARAMETERS = {
    "X": text(
        "the training points in the order they are visited, one per row: N × d, "
        "N from 1 to 8, d from 1 to 3",
        "按访问顺序排列的训练样本，每行一个：N × d，N 为 1 到 8，d 为 1 到 3",
    ),
    "r": text("the labels, −1 or +1, one per point", "各样本的标签，取 −1 或 +1"),
    "w": text("the starting weights w (d numbers)", "初始权重 w（d 个数）"),
    "w0": text("the starting bias w₀", "初始偏置 w₀"),
    "lr": text("the learning rate η, in (0, 10]", "学习率 η，取值 (0, 10]"),
    "until_correct": text(
        "false: one pass over the points; true: passes until a whole pass makes no update",
        "false：对样本做一轮遍历；true：反复遍历，直到某一轮没有任何更新",
    ),
}

TOLERANCE = {"rtol": 1e-2, "atol": 1e-3}
MAX_PASSES = 12  # more is no hand exercise (and non-separable data never stop)
GATES = {
    "AND": (-1, -1, -1, 1),
    "OR": (-1, 1, 1, 1),
    "NAND": (1, 1, 1, -1),
    "NOR": (1, -1, -1, -1),
}
TRUTH_TABLE = ((0, 0), (0, 1), (1, 0), (1, 1))


def _choice(rng, options, weights=None):
    """One of ``options`` as a plain Python value (rng.choice returns numpy types)."""
    return options[int(rng.choice(len(options), p=weights))]


def generate(rng, difficulty=2):
    until_correct = difficulty >= 3
    gate = difficulty >= 2 and rng.random() < (0.3 if difficulty == 2 else 0.4)
    while True:
        params = _draw(rng, difficulty, gate, until_correct)
        if _interesting(params, difficulty) and has_distinct_misconceptions(solve(params)):
            return params


def _draw(rng, difficulty, gate, until_correct):
    if gate:
        X = [list(p) for p in TRUTH_TABLE]
        r = list(GATES[_choice(rng, ["AND", "OR", "NAND"])])
    else:
        n = 3 if difficulty <= 1 else _choice(rng, [3, 4])
        cells = rng.choice(36, size=n, replace=False)  # distinct points of a 6 × 6 grid
        X = [[int(c // 6) - 2, int(c % 6) - 2] for c in cells]
        r = [_choice(rng, [-1, 1]) for _ in range(n)]
    if not gate and rng.random() < (0.3 if difficulty >= 2 else 0.0):
        w, w0 = [0, 0], 0  # the classic start: every first point lies on the boundary
    else:
        w = rng.integers(-2, 3, size=2).tolist()
        w0 = int(rng.integers(-2, 3))
    # η = 0.5 from an integer start is η = 1 from twice that start: on a truth
    # table that takes more passes than a hand exercise should.
    lr = 1 if difficulty <= 1 or (gate and until_correct) else _choice(rng, [1, 1, 0.5])
    return {"X": X, "r": r, "w": w, "w0": w0, "lr": lr, "until_correct": until_correct}


def _interesting(params, difficulty):
    """Distinct points of both classes, a run short enough to do by hand with
    at least one update and one point left alone, and (above the easiest
    level) a point met exactly on the boundary and a batch pass that differs."""
    X, r = np.array(params["X"], dtype=float), np.array(params["r"], dtype=float)
    if len({tuple(x) for x in X.tolist()}) < len(X) or len(set(r.tolist())) < 2:
        return False
    w, w0, lr = np.array(params["w"], dtype=float), float(params["w0"]), float(params["lr"])
    until_correct = params["until_correct"]
    run = _run(X, r, w, w0, lr, "right", until_correct)
    if run is None:
        return False
    w_end, w0_end, updates, passes, on_boundary = run
    if until_correct:
        if not 3 <= passes <= 4 or updates > 7:
            return False
    elif not 1 <= updates < len(X):
        return False
    if np.abs(w_end).max() > 6 or abs(w0_end) > 6 or not np.any(w_end):
        return False
    if difficulty >= 2:
        if not on_boundary:
            return False
        batch = _run(X, r, w, w0, lr, "batch-update", until_correct)
        if batch is not None and np.array_equal(batch[0], w_end) and batch[1] == w0_end:
            return False
    return True


def _data(params):
    known_parameters(params, PARAMETERS)
    X = matrix(params, "X", max_size=8)
    if X.shape[1] > 3:
        raise ParameterError("X", f"at most 3 features (columns), got {X.shape[1]}")
    r = vector(params, "r", size=X.shape[0])
    if not np.all(np.isin(r, (-1, 1))):
        raise ParameterError("r", "every label must be -1 or +1")
    w = vector(params, "w", size=X.shape[1])
    w0 = number(params, "w0")
    lr = number(params, "lr", 0.0, 10.0, low_open=True)
    until_correct = boolean(params, "until_correct")
    return X, r, w, w0, lr, until_correct


def _trace(X, r, w, w0, lr, until_correct):
    """Every visit of the right run: pass, point, g(x) before, whether it
    updated, w and w0 after; None when passes never become error-free."""
    trace = []
    for pass_number in range(1, (MAX_PASSES if until_correct else 1) + 1):
        made = 0
        for i, (x, label) in enumerate(zip(X, r)):
            g = float(w @ x + w0)
            w, w0 = perceptron_update(w, w0, x, label, lr)
            updated = label * g <= 0
            made += updated
            trace.append(
                {"pass": pass_number, "i": i, "g": g, "updated": updated, "w": w, "w0": w0}
            )
        if not until_correct or made == 0:
            return trace
    return None


def _right(X, r, w, w0, lr, until_correct):
    """(w, w0, updates, passes) through the reference passes."""
    total = 0
    for pass_number in range(1, (MAX_PASSES if until_correct else 1) + 1):
        w, w0, mistakes = perceptron_epoch(w, w0, X, r, lr)
        total += mistakes
        if not until_correct or mistakes == 0:
            return w, w0, total, pass_number
    raise ParameterError(
        "X",
        f"no pass is free of mistakes within {MAX_PASSES} passes: the points are not linearly "
        "separable, or they need more passes than a hand exercise should",
    )


def _run(X, r, w, w0, lr, rule, until_correct):
    """The run of the rule or of a wrong version of it: (w, w0, updates,
    passes, whether a point was met exactly on the boundary), or None when
    it never has an error-free pass.

    rule: "right" is the perceptron rule; "update-when-correct" updates on
    every point; "strict-inequality" updates only when r g(x) < 0;
    "no-bias-update" keeps w0; "subtract" moves by −η r x; "batch-update"
    tests the pass with the weights it started with and applies the sum of
    the updates at its end."""
    w, w0 = np.array(w, dtype=float), float(w0)
    total, on_boundary = 0, False
    sign = -1.0 if rule == "subtract" else 1.0
    for pass_number in range(1, (MAX_PASSES if until_correct else 1) + 1):
        made = 0
        dw, dw0 = np.zeros_like(w), 0.0
        for x, label in zip(X, r):
            margin = label * (w @ x + w0)
            on_boundary = on_boundary or margin == 0
            if rule == "update-when-correct":
                wrong = True
            elif rule == "strict-inequality":
                wrong = margin < 0
            else:
                wrong = margin <= 0
            if not wrong:
                continue
            made += 1
            if rule == "batch-update":
                dw, dw0 = dw + lr * label * x, dw0 + lr * label
            else:
                w = w + sign * lr * label * x
                w0 = w0 + (0.0 if rule == "no-bias-update" else sign * lr * label)
        w, w0 = w + dw, w0 + dw0
        total += made
        if not until_correct or made == 0:
            return w, w0, total, pass_number, on_boundary
        if rule == "update-when-correct":
            return None  # every pass updates: it never stops
    return None


def _gate(X, r):
    """The logic gate whose truth table (false → −1, true → +1) the data are."""
    rows = [tuple(x) for x in X.tolist()]
    if sorted(rows) != [tuple(map(float, p)) for p in TRUTH_TABLE]:
        return None
    labels = dict(zip(rows, r.tolist()))
    for name, outputs in GATES.items():
        if all(labels[tuple(map(float, p))] == o for p, o in zip(TRUTH_TABLE, outputs)):
            return name
    return None


def _vec(values):
    """A vector as a row of numbers in parentheses: (1, -0.5)."""
    return r"\left(" + ", ".join(tex.num(v) for v in values) + r"\right)"


def statement(params):
    X, r, w, w0, lr, until_correct = _data(params)
    n, d = X.shape
    head = " & ".join(f"x^{{(i)}}_{{{j + 1}}}" for j in range(d))
    rows = r" \\ ".join(
        f"{i + 1} & " + " & ".join(tex.num(v) for v in x) + f" & {'+1' if label > 0 else '-1'}"
        for i, (x, label) in enumerate(zip(X, r))
    )
    table = rf"$$\begin{{array}}{{c|{'c' * d}|c}} i & {head} & r \\ \hline {rows} \end{{array}}$$"
    gate = _gate(X, r)
    gate_en = (
        f"These are the four inputs of the logic gate {gate} on $\\{{0, 1\\}}^2$, with "
        "output true as $+1$ and false as $-1$. "
        if gate
        else ""
    )
    gate_zh = (
        f"这四个样本正是逻辑门 {gate} 在 $\\{{0, 1\\}}^2$ 上的真值表，输出为真记为 $+1$，"
        "为假记为 $-1$。"
        if gate
        else ""
    )
    start = rf"$w = {_vec(w)}$, $w_0 = {tex.num(w0)}$, $\eta = {tex.num(lr)}$"
    if until_correct:
        task_en = (
            "Repeat passes over the points, always in this order, until a whole pass makes no "
            "update. Give the final $w$ and $w_0$ and the total number of updates over all passes."
        )
        task_zh = (
            "按同样的顺序反复遍历样本，直到某一整轮没有任何更新。"
            "求最终的 $w$、$w_0$ 以及所有轮次中更新的总次数。"
        )
    else:
        task_en = (
            "Make one pass over the points in this order. Give $w$ and $w_0$ after the pass "
            "and the number of updates made."
        )
        task_zh = "按此顺序遍历一轮样本。求这一轮之后的 $w$、$w_0$ 以及更新的次数。"
    return text(
        f"A perceptron with discriminant $g(x) = w^\\top x + w_0$ is trained on {n} points "
        f"with labels $r \\in \\{{-1, +1\\}}$:\n{table}\n{gate_en}It starts from {start}. "
        "The rule is online: visit the points one at a time; when $r\\,g(x) \\le 0$ (a point "
        "exactly on the boundary counts as misclassified) update at once "
        "$w \\leftarrow w + \\eta\\, r\\, x$ and $w_0 \\leftarrow w_0 + \\eta\\, r$; otherwise "
        f"leave them unchanged. {task_en}",
        f"感知机的判别函数为 $g(x) = w^\\top x + w_0$，在以下 {n} 个样本上训练，"
        f"标签 $r \\in \\{{-1, +1\\}}$：\n{table}\n{gate_zh}初始值为 {start}。"
        "采用在线（逐个样本）更新：依次访问各样本，若 $r\\,g(x) \\le 0$（恰好落在分界面上的点也算"
        "分错），立即更新 $w \\leftarrow w + \\eta\\, r\\, x$、$w_0 \\leftarrow w_0 + \\eta\\, r$；"
        f"否则保持不变。{task_zh}",
    )


FEEDBACK = {
    "update-when-correct": (
        "You updated on every point. The rule updates only when r·g(x) ≤ 0; a point with "
        "r·g(x) > 0 is already on its side and leaves w and w₀ unchanged.",
        "你对每个样本都做了更新。只有 r·g(x) ≤ 0 时才更新；r·g(x) > 0 的样本已经分对，"
        "w 和 w₀ 保持不变。",
    ),
    "strict-inequality": (
        "A point exactly on the boundary (g(x) = 0) counts as misclassified: the test is "
        "r·g(x) ≤ 0, not r·g(x) < 0, so that point must update w and w₀.",
        "恰好落在分界面上的点（g(x) = 0）也算分错：判断条件是 r·g(x) ≤ 0 而不是 r·g(x) < 0，"
        "这样的点也要更新 w 和 w₀。",
    ),
    "no-bias-update": (
        "You forgot to update the bias: every update also does w₀ ← w₀ + η r (the bias is a "
        "weight whose input is always 1).",
        "你忘了更新偏置：每次更新还要做 w₀ ← w₀ + η r（偏置相当于输入恒为 1 的权重）。",
    ),
    "subtract": (
        "Sign error: the update adds η r x (and η r to w₀), which moves g(x) towards the "
        "point's label; you subtracted it.",
        "符号错误：更新应加上 η r x（w₀ 加上 η r），使 g(x) 朝样本标签的方向变化；你却减去了它。",
    ),
    "batch-update": (
        "You tested every point with the weights the pass started with and applied the "
        "updates together at the end (batch). The perceptron is online: an update is used "
        "at once for the next point.",
        "你用本轮开始时的权重检验所有样本，并在一轮结束后一次性更新（批量方式）。感知机是在线"
        "更新的：每次更新后的权重立即用于下一个样本。",
    ),
    "stopped-early": (
        "That is the result of the first pass only: keep passing over the points until a "
        "whole pass makes no update.",
        "这只是第一轮之后的结果：要继续遍历，直到某一整轮没有任何更新。",
    ),
    "counted-passes": (
        "That is the number of passes; the question asks for the number of updates.",
        "这是遍历的轮数；题目问的是更新的次数。",
    ),
}


def _kept(answer, right, candidates):
    return distinct_misconceptions(answer(right), candidates, FEEDBACK)


def solve(params):
    X, r, w_start, w0_start, lr, until_correct = _data(params)
    w, w0, updates, passes = _right(X, r, w_start, w0_start, lr, until_correct)
    trace = _trace(X, r, w_start, w0_start, lr, until_correct)

    wrong = []
    # When two mistakes give one value, the feedback names the first of them.
    rules = ("strict-inequality", "no-bias-update", "subtract", "batch-update")
    for rule in (*rules, "update-when-correct"):
        run = _run(X, r, w_start, w0_start, lr, rule, until_correct)
        if run is not None:
            wrong.append((rule, run))
    if until_correct:
        first = _right(X, r, w_start, w0_start, lr, False)
        wrong.append(("stopped-early", first))

    def vector_answer(value, misconceptions=()):
        return Vector(value, **TOLERANCE, misconceptions=misconceptions)

    def number_answer(value, misconceptions=()):
        return Number(value, **TOLERANCE, misconceptions=misconceptions)

    def integer_answer(value, misconceptions=()):
        return Integer(value, misconceptions=misconceptions)

    count_candidates = [(tag, run[2]) for tag, run in wrong if tag != "no-bias-update"]
    if until_correct:
        count_candidates.append(("counted-passes", passes))
    parts = (
        Part(
            "w",
            text("weights $w$", "权重 $w$"),
            vector_answer(
                w, _kept(vector_answer, w, [(tag, run[0].tolist()) for tag, run in wrong])
            ),
            points=2,
        ),
        Part(
            "w0",
            text("bias $w_0$", "偏置 $w_0$"),
            number_answer(w0, _kept(number_answer, w0, [(tag, run[1]) for tag, run in wrong])),
        ),
        Part(
            "mistakes",
            text("number of updates", "更新次数"),
            integer_answer(updates, _kept(integer_answer, updates, count_candidates)),
        ),
    )
    return Solution(parts, _steps(X, r, w_start, w0_start, lr, until_correct, trace, passes))


def _steps(X, r, w, w0, lr, until_correct, trace, passes):
    steps = [
        Step(
            text(
                "Start from the given weights. For each point compute $g(x) = w^\\top x + w_0$ "
                "with the current weights and test $r\\,g(x) \\le 0$.",
                "从给定的初始权重出发。对每个样本用当前权重计算 $g(x) = w^\\top x + w_0$，"
                "并检验 $r\\,g(x) \\le 0$。",
            ),
            rf"w = {tex.row(w)}, \quad w_0 = {tex.num(w0)}, \quad \eta = {tex.num(lr)}",
        )
    ]
    for visit in trace:
        i, x, label = visit["i"], X[visit["i"]], r[visit["i"]]
        terms = " + ".join(f"{tex.paren(a)} \\cdot {tex.paren(b)}" for a, b in zip(w, x))
        g = visit["g"]
        product = label * g
        head = rf"g(x^{{({i + 1})}}) = {terms} {tex.signed(w0)} = {tex.num(g)}"
        where_en = f"Pass {visit['pass']}, p" if until_correct else "P"
        where_zh = f"第 {visit['pass']} 轮，" if until_correct else ""
        sign = "+1" if label > 0 else "-1"
        if visit["updated"]:
            new_w, new_w0 = visit["w"], visit["w0"]
            step = rf"{tex.num(lr)} \cdot \left({sign}\right)"
            latex = (
                rf"{head}, \quad r\,g = {tex.num(product)} \le 0 \;\Rightarrow\; "
                rf"w \leftarrow w + \eta\, r\, x^{{({i + 1})}} = {tex.row(w)} + {step} \cdot "
                rf"{tex.row(x)} = {tex.row(new_w)}, \quad w_0 \leftarrow w_0 + \eta\, r = "
                rf"{tex.num(w0)} + {step} = {tex.num(new_w0)}"
            )
            if g == 0:
                why_en = "$g = 0$: the point lies on the boundary, which counts as misclassified"
                why_zh = "$g = 0$：该点落在分界面上，算作分错"
            else:
                why_en, why_zh = "misclassified", "分错"
            steps.append(
                Step(
                    text(
                        f"{where_en}oint {i + 1} ($r = {sign}$): {why_en}, so update at once.",
                        f"{where_zh}样本 {i + 1}（$r = {sign}$）：{why_zh}，立即更新。",
                    ),
                    latex,
                )
            )
            w, w0 = new_w, new_w0
        else:
            steps.append(
                Step(
                    text(
                        f"{where_en}oint {i + 1} ($r = {sign}$): correctly classified, no update.",
                        f"{where_zh}样本 {i + 1}（$r = {sign}$）：分类正确，不更新。",
                    ),
                    rf"{head}, \quad r\,g = {tex.num(product)} > 0",
                )
            )
    updates = sum(v["updated"] for v in trace)
    if until_correct:
        summary = text(
            f"Pass {passes} makes no update: every point has $r\\,g(x) > 0$, so training stops "
            f"after {passes} passes with {updates} updates in all.",
            f"第 {passes} 轮没有任何更新：所有样本都满足 $r\\,g(x) > 0$，训练在 {passes} 轮后"
            f"停止，共更新 {updates} 次。",
        )
    else:
        summary = text(
            f"After the pass ({updates} updates):",
            f"一轮之后（共更新 {updates} 次）：",
        )
    steps.append(
        Step(
            summary,
            rf"w = {tex.row(w)}, \quad w_0 = {tex.num(w0)}, \quad \text{{updates}} = {updates}",
        )
    )
    return tuple(steps)
