"""Gradient descent on the MSE of the line y = b + w·x: the gradient at the
starting point and one (or two) updates of w and b."""

import numpy as np

from tutor import tex
from tutor.answers import Misconception, Number
from tutor.problem import (
    ParameterError,
    Part,
    Solution,
    Step,
    has_distinct_misconceptions,
    integer,
    known_parameters,
    number,
    text,
    vector,
)
from tutor.solutions.linear import gradient_descent_step, mse, mse_gradient

ID = "gradient-descent"
TOPIC = "regression"
TITLE = text(
    "Gradient descent for linear regression",
    "线性回归的梯度下降",
)
PARAMETERS = {
    "x": text("the inputs x_n, a list of 1 to 12 numbers", "输入 x_n，1 到 12 个数的列表"),
    "y": text("the labels y_n, a list as long as x", "标签 y_n，与 x 等长的列表"),
    "w": text("the starting weight w⁰, |w⁰| ≤ 1000", "初始权重 w⁰，|w⁰| ≤ 1000"),
    "b": text("the starting bias b⁰, |b⁰| ≤ 1000", "初始偏置 b⁰，|b⁰| ≤ 1000"),
    "lr": text("the learning rate η, in (0, 10]", "学习率 η，取值 (0, 10]"),
    "steps": text("the number of updates asked for, 1 or 2", "要求计算的更新次数，1 或 2"),
}

TOLERANCE = {"rtol": 1e-2, "atol": 5e-3}
DIGITS = 6  # the inputs are short decimals: show the worked numbers exactly
LIMIT = 1000.0


def _n(x):
    return tex.num(x, DIGITS)


def _short(values, decimals=4):
    """Whether every value has at most ``decimals`` decimals (hand-computable)."""
    scaled = np.asarray(values, dtype=float) * 10**decimals
    return bool(np.all(np.abs(scaled - np.round(scaled)) < 1e-6))


def _choice(rng, options):
    return options[int(rng.integers(len(options)))]


SECOND_ORDER = ("sequential-update", "reused-gradient")


def generate(rng, difficulty=2):
    while True:
        params = _draw(rng, difficulty)
        if params is None or not _sound(params):
            continue
        solution = solve(params)
        if has_distinct_misconceptions(solution) and _shows_second_order(solution, difficulty):
            return params


def _shows_second_order(solution, difficulty):
    """From difficulty 2 on, the variant is one where the sequential update of
    b (and, over two steps, the reuse of the first gradient) gives a number
    that the tolerance tells apart from the right one."""
    if difficulty < 2:
        return True
    wanted = {"b_next": {"sequential-update"}}
    if len(solution.parts) > 4:
        wanted["w_after_two"] = {"reused-gradient"}
        wanted["b_after_two"] = {"reused-gradient", "sequential-update"}
    for part in solution.parts:
        tags = {m.tag for m in part.answer.misconceptions}
        if not wanted.get(part.name, set()) <= tags:
            return False
    return True


def _draw(rng, difficulty):
    if difficulty <= 1:
        n = _choice(rng, [2, 3])
        x = rng.integers(1, 5, size=n)
        w, b = float(rng.integers(-2, 4)), float(rng.integers(-2, 3))
        errors = rng.integers(-4, 5, size=n).astype(float)
        rates = [0.1, 0.05]
    else:
        n = _choice(rng, [3, 4])
        x = rng.integers(-2, 7, size=n)
        w, b = rng.integers(-20, 31) / 10, rng.integers(-20, 21) / 10
        errors = rng.integers(-30, 31, size=n) / 10
        rates = [0.1, 0.05, 0.02]
    lr = _rate(x, rates)
    if lr is None:
        return None
    # Backwards: pick the residuals at the starting point, then the labels.
    y = np.round(b + w * x - errors, 1)
    return {
        "x": x.astype(float).tolist(),
        "y": y.tolist(),
        "w": float(w),
        "b": float(b),
        "lr": float(lr),
        "steps": 2 if difficulty >= 3 else 1,
    }


def _rate(x, rates):
    """The largest rate whose steps along the steepest direction of L stay
    well inside the stable range (η times the Hessian's largest eigenvalue
    below 1.5, where 2 would diverge) but are not timid (at least 0.4)."""
    mean = float(np.mean(x))
    hessian = 2 * np.array([[np.mean(x * x), mean], [mean, 1.0]])
    curvature = float(np.linalg.eigvalsh(hessian)[-1])
    for lr in sorted(rates, reverse=True):
        if 0.4 <= lr * curvature <= 1.5:
            return lr
    return None


def _sound(params):
    """Two distinct inputs, steps that visibly move both parameters and lower
    the loss, and hand-computable numbers all the way."""
    x, y = np.array(params["x"]), np.array(params["y"])
    if len(set(x.tolist())) < 2:
        return False
    w, b, lr = params["w"], params["b"], params["lr"]
    points = [(w, b)]
    for _ in range(params["steps"]):
        grad_w, grad_b = mse_gradient(*points[-1], x, y)
        if min(abs(lr * grad_w), abs(lr * grad_b)) < 0.05 or not _short([grad_w, grad_b]):
            return False
        points.append(gradient_descent_step(*points[-1], x, y, lr))
    losses = [mse(y, b_ + w_ * x) for w_, b_ in points]
    return bool(np.all(np.diff(losses) < 0)) and _short(np.ravel(points))


def _data(params):
    known_parameters(params, PARAMETERS)
    x = vector(params, "x", max_size=12)
    y = vector(params, "y", max_size=12)
    if y.size != x.size:
        raise ParameterError("y", f"expected {x.size} labels (one per input)")
    w = number(params, "w", -LIMIT, LIMIT)
    b = number(params, "b", -LIMIT, LIMIT)
    lr = number(params, "lr", 0.0, 10.0, low_open=True)
    steps = integer(params, "steps", 1, 2)
    return x, y, w, b, lr, steps


def statement(params):
    x, y = (np.asarray(params[k], dtype=float) for k in ("x", "y"))
    n = len(x)
    header = " & ".join(str(i + 1) for i in range(n))
    table = (
        rf"$$\begin{{array}}{{c|{'c' * n}}} n & {header} \\ \hline "
        rf"x_n & {' & '.join(_n(v) for v in x)} \\ "
        rf"y_n & {' & '.join(_n(v) for v in y)} \end{{array}}$$"
    )
    w, b, lr = (_n(params[k]) for k in ("w", "b", "lr"))
    two = params["steps"] == 2
    return text(
        f"The model $\\hat{{y}} = b + w x$ is fitted to the {n} samples below by gradient "
        "descent on the mean squared error "
        r"$L(w, b) = \frac{1}{N}\sum_{n=1}^{N} (b + w x_n - y_n)^2$ (no factor ½)."
        f"\n{table}\nStarting from $w^0 = {w}$, $b^0 = {b}$ with learning rate "
        f"$\\eta = {lr}$, compute the partial derivatives $\\partial L / \\partial w$ and "
        r"$\partial L / \partial b$ at $(w^0, b^0)$ and the parameters $w^1$, $b^1$ after one "
        "update, in which both derivatives are taken at the old point before either "
        "parameter changes."
        + (" Then do a second update from $(w^1, b^1)$: give $w^2$ and $b^2$." if two else ""),
        f"用梯度下降把模型 $\\hat{{y}} = b + w x$ 拟合到下面 {n} 个样本上，损失为均方误差 "
        r"$L(w, b) = \frac{1}{N}\sum_{n=1}^{N} (b + w x_n - y_n)^2$（不带 ½）。"
        f"\n{table}\n从 $w^0 = {w}$、$b^0 = {b}$ 出发，学习率 $\\eta = {lr}$，"
        r"求在 $(w^0, b^0)$ 处的偏导数 $\partial L / \partial w$、$\partial L / \partial b$，"
        "以及一次更新后的参数 $w^1$、$b^1$（两个偏导数都在旧的参数点上计算，然后两个参数"
        "同时更新）。" + ("再从 $(w^1, b^1)$ 做第二次更新，求 $w^2$ 与 $b^2$。" if two else ""),
    )


def _run(w, b, x, y, lr, steps, *, sign=1.0, scale=1.0, reuse=False, sequential=False):
    """The parameters after each of ``steps`` updates of a (possibly mistaken)
    descent: ``sign=-1`` climbs, ``scale`` multiplies every gradient, ``reuse``
    keeps the first gradient, ``sequential`` takes ∂L/∂b at the new w."""
    points = [(w, b)]
    first = mse_gradient(w, b, x, y)
    for _ in range(steps):
        w, b = points[-1]
        grad_w, _ = first if reuse else mse_gradient(w, b, x, y)
        new_w = w - sign * lr * scale * grad_w
        _, grad_b = first if reuse else mse_gradient(new_w if sequential else w, b, x, y)
        points.append((new_w, b - sign * lr * scale * grad_b))
    return points


def _distinct(answer, mistakes):
    """The mistakes, less the second-order ones (their effect is of order η²)
    that a typed number cannot tell apart from the right answer or from an
    earlier mistake."""
    kept = []
    for mistake in mistakes:
        values = [answer] + [m.value_or_expr for m in kept]
        slack = [TOLERANCE["atol"] + TOLERANCE["rtol"] * abs(v) for v in values]
        close = any(abs(mistake.value_or_expr - v) <= t for v, t in zip(values, slack))
        if not (close and mistake.tag in SECOND_ORDER):
            kept.append(mistake)
    return tuple(kept)


def solve(params):
    x, y, w0, b0, lr, steps = _data(params)
    n = x.size
    grad_w, grad_b = mse_gradient(w0, b0, x, y)
    points = [(w0, b0)]
    for _ in range(steps):
        points.append(gradient_descent_step(*points[-1], x, y, lr))

    ascent = _run(w0, b0, x, y, lr, steps, sign=-1.0)
    halved = _run(w0, b0, x, y, lr, steps, scale=0.5)
    summed = _run(w0, b0, x, y, lr, steps, scale=float(n))
    sequential = _run(w0, b0, x, y, lr, steps, sequential=True)
    reused = _run(w0, b0, x, y, lr, steps, reuse=True)

    def mistake(tag, value, en, zh):
        return Misconception(tag, float(value), en, zh)

    factor_2 = (
        "The square brings down a factor 2: ∂L/∂w = (2/N)Σ(ŷₙ − yₙ)xₙ. Without it you "
        "minimise the ½-scaled loss of some notes, not the L given here.",
        "平方求导会带出因子 2：∂L/∂w = (2/N)Σ(ŷₙ − yₙ)xₙ。漏掉它相当于最小化某些笔记里带 ½ 的"
        "损失，而不是这里给出的 L。",
    )
    factor_2_b = (
        "The square brings down a factor 2: ∂L/∂b = (2/N)Σ(ŷₙ − yₙ).",
        "平方求导会带出因子 2：∂L/∂b = (2/N)Σ(ŷₙ − yₙ)。",
    )
    summed_text = (
        f"You summed instead of averaging: L is a mean, so its derivatives carry 1/N = 1/{n}.",
        f"你求了和而不是平均：L 是平均值，所以导数中带有 1/N = 1/{n}。",
    )
    missing_x = (
        "∂L/∂w needs the inner derivative ∂ŷₙ/∂w = xₙ: each residual is multiplied by its xₙ.",
        "∂L/∂w 需要乘以内层导数 ∂ŷₙ/∂w = xₙ：每个残差都要乘以对应的 xₙ。",
    )

    parts = [
        Part(
            "grad_w",
            text(
                r"$\partial L / \partial w$ at $(w^0, b^0)$",
                r"在 $(w^0, b^0)$ 处的 $\partial L / \partial w$",
            ),
            Number(
                grad_w,
                **TOLERANCE,
                misconceptions=(
                    mistake("missing-factor-2", grad_w / 2, *factor_2),
                    mistake("sum-not-mean", grad_w * n, *summed_text),
                    mistake(
                        "sign-flipped",
                        -grad_w,
                        "The sign is flipped: differentiate (ŷₙ − yₙ)² with respect to w and "
                        "the residual ŷₙ − yₙ stays as it is (with yₙ − ŷₙ a minus sign comes "
                        "out of the chain rule).",
                        "符号反了：(ŷₙ − yₙ)² 对 w 求导时残差就是 ŷₙ − yₙ（若写成 yₙ − ŷₙ，"
                        "链式法则会带出一个负号）。",
                    ),
                    mistake("missing-x", grad_b, *missing_x),
                ),
            ),
        ),
        Part(
            "grad_b",
            text(
                r"$\partial L / \partial b$ at $(w^0, b^0)$",
                r"在 $(w^0, b^0)$ 处的 $\partial L / \partial b$",
            ),
            Number(
                grad_b,
                **TOLERANCE,
                misconceptions=(
                    mistake("missing-factor-2", grad_b / 2, *factor_2_b),
                    mistake("sum-not-mean", grad_b * n, *summed_text),
                    mistake(
                        "sign-flipped",
                        -grad_b,
                        "The sign is flipped: ∂L/∂b = (2/N)Σ(ŷₙ − yₙ), the residuals taken as "
                        "prediction minus label.",
                        "符号反了：∂L/∂b = (2/N)Σ(ŷₙ − yₙ)，残差是预测值减标签。",
                    ),
                    mistake(
                        "x-in-bias-gradient",
                        grad_w,
                        "That is ∂L/∂w: for the bias the inner derivative ∂ŷₙ/∂b is 1, so the "
                        "residuals are not multiplied by xₙ.",
                        "这是 ∂L/∂w：对偏置而言内层导数 ∂ŷₙ/∂b = 1，残差不乘 xₙ。",
                    ),
                ),
            ),
        ),
    ]

    ascent_text = (
        "You stepped up the gradient: descent subtracts η times the derivative "
        "(or your residuals were y − ŷ, which flips the derivative's sign).",
        "你沿梯度上升了：梯度下降要减去 η 乘以导数（或者你的残差写成了 y − ŷ，导数的符号因此"
        "反了）。",
    )
    sequential_text = (
        "You updated w first and then took ∂L/∂b at the new w: both derivatives are taken "
        "at the old point, then both parameters move together.",
        "你先更新了 w，再在新的 w 处计算 ∂L/∂b：两个偏导数都应在旧的参数点计算，然后两个参数"
        "同时更新。",
    )
    reused_text = (
        "You reused the first gradient: the second update needs the derivatives recomputed "
        "at (w¹, b¹).",
        "你重复使用了第一次的梯度：第二次更新要在 (w¹, b¹) 处重新计算偏导数。",
    )
    labels = {
        (1, 0): ("w_next", text("$w^1$", "$w^1$")),
        (1, 1): ("b_next", text("$b^1$", "$b^1$")),
        (2, 0): ("w_after_two", text("$w^2$ (after two updates)", "$w^2$（两次更新后）")),
        (2, 1): ("b_after_two", text("$b^2$ (after two updates)", "$b^2$（两次更新后）")),
    }
    for k in range(1, steps + 1):
        for index in (0, 1):
            name, label = labels[(k, index)]
            is_w = index == 0
            mistakes = [
                mistake("gradient-ascent", ascent[k][index], *ascent_text),
                mistake(
                    "missing-factor-2",
                    halved[k][index],
                    *(factor_2 if is_w else factor_2_b),
                ),
                mistake("sum-not-mean", summed[k][index], *summed_text),
            ]
            if k == 1 and is_w:
                mistakes.append(mistake("missing-x", w0 - lr * grad_b, *missing_x))
            if not (k == 1 and is_w):
                mistakes.append(
                    mistake("sequential-update", sequential[k][index], *sequential_text)
                )
            if k == 2:
                mistakes.append(mistake("reused-gradient", reused[k][index], *reused_text))
            value = points[k][index]
            parts.append(
                Part(
                    name,
                    label,
                    Number(value, **TOLERANCE, misconceptions=_distinct(value, mistakes)),
                )
            )

    steps_out = _steps(x, y, points, lr)
    return Solution(tuple(parts), tuple(steps_out))


def _steps(x, y, points, lr):
    n = x.size
    out = []
    for k in range(1, len(points)):
        w, b = points[k - 1]
        new_w, new_b = points[k]
        grad_w, grad_b = mse_gradient(w, b, x, y)
        predictions = b + w * x
        residuals = predictions - y
        at = f"(w^{k - 1}, b^{k - 1})"
        products = " + ".join(
            f"{tex.paren(e, DIGITS)} \\cdot {tex.paren(v, DIGITS)}" for e, v in zip(residuals, x)
        )
        sums = " + ".join(tex.paren(e, DIGITS) for e in residuals)
        if k == 2:
            out.append(
                Step(
                    text(
                        "Second update: the same computation at the new point $(w^1, b^1)$.",
                        "第二次更新：在新的参数点 $(w^1, b^1)$ 上重复同样的计算。",
                    ),
                    rf"w^1 = {_n(w)}, \quad b^1 = {_n(b)}",
                )
            )
        out += [
            Step(
                text(
                    f"Predictions $\\hat{{y}}_n = b + w x_n$ at ${at}$ and residuals "
                    "$e_n = \\hat{y}_n - y_n$:",
                    f"在 ${at}$ 处的预测值 $\\hat{{y}}_n = b + w x_n$ 与残差 "
                    "$e_n = \\hat{y}_n - y_n$：",
                ),
                rf"\hat{{y}} = {tex.row(predictions, DIGITS)}, \quad "
                rf"e = {tex.row(residuals, DIGITS)}",
            ),
            Step(
                text(
                    "The derivative with respect to w: the chain rule gives $2 e_n$ times "
                    "$\\partial \\hat{y}_n / \\partial w = x_n$, averaged over the samples:",
                    "对 w 求导：由链式法则得到 $2 e_n$ 乘以 $\\partial \\hat{y}_n / \\partial w = "
                    "x_n$，再对样本取平均：",
                ),
                rf"\frac{{\partial L}}{{\partial w}} = \frac{{2}}{{N}}\sum_{{n=1}}^{{N}} e_n x_n "
                rf"= \frac{{2}}{{{n}}}\left({products}\right) = {tex.num(grad_w)}",
            ),
            Step(
                text(
                    "The derivative with respect to b ($\\partial \\hat{y}_n / \\partial b = 1$):",
                    "对 b 求导（$\\partial \\hat{y}_n / \\partial b = 1$）：",
                ),
                rf"\frac{{\partial L}}{{\partial b}} = \frac{{2}}{{N}}\sum_{{n=1}}^{{N}} e_n "
                rf"= \frac{{2}}{{{n}}}\left({sums}\right) = {tex.num(grad_b)}",
            ),
            Step(
                text(
                    "Step against the gradient, both parameters from the same old point:",
                    "沿负梯度方向更新，两个参数都用旧参数点上的梯度：",
                ),
                rf"w^{k} = w^{k - 1} - \eta \frac{{\partial L}}{{\partial w}} = {_n(w)} - "
                rf"{_n(lr)} \cdot {tex.paren(grad_w, DIGITS)} = {_n(new_w)}, \qquad "
                rf"b^{k} = b^{k - 1} - \eta \frac{{\partial L}}{{\partial b}} = {_n(b)} - "
                rf"{_n(lr)} \cdot {tex.paren(grad_b, DIGITS)} = {_n(new_b)}",
            ),
        ]
    return out
