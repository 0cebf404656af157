"""Logistic regression on a few samples: the predictions, the cross-entropy
loss, its gradient and one step of gradient descent."""

import numpy as np

from tutor import tex
from tutor.answers import Misconception, Number, Vector
from tutor.problem import (
    ParameterError,
    Part,
    Solution,
    Step,
    changing,
    has_distinct_misconceptions,
    known_parameters,
    matrix,
    number,
    text,
    vector,
)
from tutor.solutions.classifiers import (
    logistic_regression_gradient,
    logistic_regression_loss,
    logistic_regression_probabilities,
    logistic_regression_step,
)

from ._figures_classifiers import STEPS, Notation, descent_figure

ID = "logistic-regression"
TOPIC = "classification"
TITLE = text(
    "Logistic regression: loss, gradient and one descent step",
    "逻辑回归：损失、梯度与一步梯度下降",
)
PARAMETERS = {
    "X": text(
        "the samples x^(l), one per row: N × d with 1 ≤ N ≤ 8 and 1 ≤ d ≤ 4",
        "样本 x^(l)，每行一个：N × d，1 ≤ N ≤ 8，1 ≤ d ≤ 4",
    ),
    "r": text("the labels r^(l), N entries, each 0 or 1", "标签 r^(l)，N 个分量，取 0 或 1"),
    "w": text("the weights w, d entries", "权重 w，d 个分量"),
    "w0": text("the bias w_0", "偏置 w_0"),
    "lr": text("the learning rate η, in (0, 10]", "学习率 η，取值 (0, 10]"),
    "reduction": text(
        '"sum" (the notes\' L = −Σ …) or "mean" (L = −(1/N) Σ …)',
        '"sum"（笔记中的 L = −Σ …）或 "mean"（L = −(1/N) Σ …）',
    ),
}

TOLERANCE = {"rtol": 1e-2, "atol": 2e-3}
STEP_TOLERANCE = {"rtol": 1e-2, "atol": 5e-3}
MAX_ENTRY = 100.0
REDUCTIONS = ("sum", "mean")
NONZERO_TENTHS = np.array([k for k in range(-10, 11) if k != 0]) / 10


def generate(rng, difficulty=2):
    if difficulty <= 1:
        n, d, reduction = 2, 1, "sum"
    elif difficulty == 2:
        n, d = int(rng.choice([2, 3])), int(rng.choice([1, 2]))
        reduction = "mean" if rng.random() < 0.4 else "sum"
    else:
        n, d = int(rng.choice([3, 4])), 2
        reduction = "mean" if rng.random() < 0.5 else "sum"
    # The sum grows with N: smaller steps keep the new parameters of exam size.
    etas = [0.1, 0.5, 1.0] if reduction == "mean" else [0.05, 0.1, 0.2]
    while True:
        X = rng.integers(-2, 4, size=(n, d))
        if np.any(np.all(X == 0, axis=1)) or len(np.unique(X, axis=0)) < n:
            continue
        r = rng.integers(0, 2, size=n)
        if r.min() == r.max():
            continue
        params = {
            "X": X.tolist(),
            "r": r.tolist(),
            "w": rng.choice(NONZERO_TENTHS, size=d).tolist(),
            "w0": float(rng.choice(NONZERO_TENTHS)),
            "lr": float(rng.choice(etas)),
            "reduction": reduction,
        }
        if has_distinct_misconceptions(solve(params)):
            return params


def _parameters(params):
    known_parameters(params, PARAMETERS)
    for name in PARAMETERS:
        if name not in params:
            raise ParameterError(name, "missing")
    X = matrix(params, "X", max_size=8)
    if X.shape[1] > 4:
        raise ParameterError("X", f"at most 4 features (columns), got {X.shape[1]}")
    r = vector(params, "r", max_size=8)
    if r.size != X.shape[0]:
        raise ParameterError("r", f"needs one label per sample ({X.shape[0]}), got {r.size}")
    if not np.all((r == 0) | (r == 1)):
        raise ParameterError("r", "labels must be 0 or 1")
    w = vector(params, "w", max_size=4)
    if w.size != X.shape[1]:
        raise ParameterError("w", f"needs one weight per feature ({X.shape[1]}), got {w.size}")
    w0 = number(params, "w0", -MAX_ENTRY, MAX_ENTRY)
    eta = number(params, "lr", 0.0, 10.0, low_open=True)
    for name, array in (("X", X), ("w", w)):
        if np.max(np.abs(array)) > MAX_ENTRY:
            raise ParameterError(name, f"entries must lie in [-{MAX_ENTRY:g}, {MAX_ENTRY:g}]")
    reduction = params["reduction"]
    if reduction not in REDUCTIONS:
        raise ParameterError("reduction", f'expected "sum" or "mean", got {reduction!r}')
    return X, r, w, w0, eta, reduction


def _factor(reduction, n="N"):
    """The 1/N in front of the sums of the mean convention (nothing for the sum)."""
    return "" if reduction == "sum" else rf"\frac{{1}}{{{n}}}"


def _sample_table(X, r):
    """The training set as a table: one row per sample, its features and its label."""
    d = X.shape[1]
    header = " & ".join(f"x_{j + 1}" for j in range(d)) if d > 1 else "x"
    rows = r" \\ ".join(
        f"{i + 1} & " + " & ".join(tex.num(v) for v in x) + f" & {int(label)}"
        for i, (x, label) in enumerate(zip(X, r))
    )
    return rf"$$\begin{{array}}{{c|{'c' * d}|c}} l & {header} & r \\ \hline {rows} \end{{array}}$$"


def statement(params):
    X, r, w = (np.asarray(params[k], dtype=float) for k in ("X", "r", "w"))
    n, d = X.shape
    samples = _sample_table(X, r)
    factor = _factor(params["reduction"])
    loss = (
        rf"$$L(w, w_0 \mid D) = -{factor}\sum_{{l=1}}^{{N}} \left( r^{{(l)}} \ln y^{{(l)}} "
        r"+ (1 - r^{(l)}) \ln (1 - y^{(l)}) \right)$$"
    )
    model = r"$y = \sigma(w^\top x + w_0) = \frac{1}{1 + e^{-(w^\top x + w_0)}}$"
    values = [rf"$w = {tex.vector(w)}$", rf"$w_0 = {tex.num(params['w0'])}$"]
    current, current_zh = ", ".join(values), "，".join(values)
    eta = rf"$\eta = {tex.num(params['lr'])}$"
    if params["reduction"] == "sum":
        which_en, which_zh = "summed over the samples (not averaged)", "对样本求和（不取平均）"
    else:
        which_en, which_zh = "averaged over the N samples", "对 N 个样本取平均"
    return text(
        f"Logistic regression predicts {model}. The training set has N = {n} samples with "
        f"d = {d} feature{'s' if d > 1 else ''}:\n{samples}\nThe current parameters are "
        f"{current}. The loss is the cross-entropy {which_en}, with the natural logarithm:"
        f"\n{loss}\n"
        "Compute (1) the predictions $y^{(l)}$ of all samples, (2) the loss $L$, "
        r"(3) the gradient $\frac{\partial L}{\partial w}$ and "
        r"$\frac{\partial L}{\partial w_0}$, and (4) the parameters after one step of "
        f"gradient descent with learning rate {eta}.",
        f"逻辑回归的预测为 {model}。训练集有 N = {n} 个样本，每个样本 d = {d} 维：\n{samples}\n"
        f"当前参数为 {current_zh}。损失取交叉熵，{which_zh}，使用自然对数：\n{loss}\n"
        "求：(1) 所有样本的预测值 $y^{(l)}$；(2) 损失 $L$；(3) 梯度 "
        r"$\frac{\partial L}{\partial w}$ 和 $\frac{\partial L}{\partial w_0}$；"
        f"(4) 以学习率 {eta} 做一步梯度下降后的参数。",
    )


def _score_latex(w, x, w0):
    """w^T x + w_0 written out with the numbers."""
    products = " + ".join(rf"{tex.paren(wj)} \cdot {tex.paren(xj)}" for wj, xj in zip(w, x))
    return f"{products} {tex.signed(w0)}"


def solve(params):
    X, r, w, w0, eta, reduction = _parameters(params)
    n, d = X.shape
    try:
        y = logistic_regression_probabilities(w, w0, X)
        loss = logistic_regression_loss(w, w0, X, r, reduction)
        g_w, g_w0 = logistic_regression_gradient(w, w0, X, r, reduction)
        w_next, w0_next = logistic_regression_step(w, w0, X, r, eta, reduction)
        other = "mean" if reduction == "sum" else "sum"
        other_loss = logistic_regression_loss(w, w0, X, r, other)
        other_w, other_w0 = logistic_regression_gradient(w, w0, X, r, other)
        other_w_next, other_w0_next = logistic_regression_step(w, w0, X, r, eta, other)
        unbiased = logistic_regression_probabilities(w, 0.0, X)
        flipped = logistic_regression_probabilities(-w, -w0, X)
    except ValueError as error:
        raise ParameterError("X", str(error)) from None
    scores = X @ w + w0
    # −ln σ(a) = ln(1 + e^(−a)), which stays finite where y rounds to 0.
    positive_only = float(np.sum(r * np.logaddexp(0.0, -scores)))

    if reduction == "sum":
        reduction_tag = "mean-not-sum"
        reduction_en = "You divided by N; this loss sums over the samples, as in the notes."
        reduction_zh = "你除以了 N；这里的损失与笔记一样对样本求和，不取平均。"
    else:
        reduction_tag = "sum-not-mean"
        reduction_en = "You summed over the samples; this loss is the mean, so divide by N."
        reduction_zh = "你对样本求了和；这里的损失取平均，要除以 N。"

    def reduction_mistake(value):
        return Misconception(reduction_tag, value, reduction_en, reduction_zh)

    sign_en = (
        "Opposite sign: you used r − y. The gradient of L is Σ (y − r) x — the notes' "
        "−Σ (r − y) x with its leading minus."
    )
    sign_zh = "符号反了：你用了 r − y。L 的梯度是 Σ (y − r) x，即笔记中带负号的 −Σ (r − y) x。"
    ascend_en = (
        "You stepped along the gradient (or used r − y for it): descent subtracts, "
        "w − η ∂L/∂w, which lowers the loss."
    )
    ascend_zh = (
        "你沿梯度方向走了一步（或把梯度写成了 r − y）：梯度下降要减去，w − η ∂L/∂w，损失才会下降。"
    )

    prediction_mistakes = [
        Misconception(
            "exponent-sign",
            flipped,
            "Sign slip in the exponent: σ(a) = 1 / (1 + e^(−a)); you computed 1 / (1 + e^a) "
            "= 1 − y.",
            "指数的符号错了：σ(a) = 1 / (1 + e^(−a))；你算成了 1 / (1 + e^a) = 1 − y。",
        ),
        Misconception(
            "missing-bias",
            unbiased,
            "You left out the bias: y = σ(wᵀx + w₀).",
            "你漏了偏置：y = σ(wᵀx + w₀)。",
        ),
        Misconception(
            "missing-sigmoid",
            scores,
            "These are the scores a = wᵀx + w₀; the prediction is σ(a), a probability in (0, 1).",
            "这是得分 a = wᵀx + w₀；预测值是 σ(a)，一个 (0, 1) 内的概率。",
        ),
    ]
    loss_mistakes = [
        reduction_mistake(other_loss),
        Misconception(
            "missing-minus",
            -loss,
            "You left out the minus sign: the cross-entropy is positive, since ln y < 0.",
            "你漏了负号：交叉熵为正，因为 ln y < 0。",
        ),
        Misconception(
            "missing-negative-class-term",
            positive_only if reduction == "sum" else positive_only / n,
            "You kept only r ln y; a sample with r = 0 contributes ln(1 − y).",
            "你只保留了 r ln y；r = 0 的样本贡献的是 ln(1 − y)。",
        ),
    ]
    parts = (
        Part(
            "predictions",
            text(r"predictions $y^{(1)}, \dots, y^{(N)}$", r"预测值 $y^{(1)}, \dots, y^{(N)}$"),
            Vector(y, **TOLERANCE, misconceptions=changing(y, prediction_mistakes)),
        ),
        Part(
            "loss",
            text("loss $L$", "损失 $L$"),
            Number(loss, **TOLERANCE, misconceptions=changing(loss, loss_mistakes)),
        ),
        Part(
            "gradient_w",
            text(
                r"gradient $\frac{\partial L}{\partial w}$", r"梯度 $\frac{\partial L}{\partial w}$"
            ),
            Vector(
                g_w,
                **STEP_TOLERANCE,
                misconceptions=changing(
                    g_w,
                    [
                        Misconception("flipped-sign", -g_w, sign_en, sign_zh),
                        reduction_mistake(other_w),
                    ],
                ),
            ),
        ),
        Part(
            "gradient_w0",
            text(
                r"gradient $\frac{\partial L}{\partial w_0}$",
                r"梯度 $\frac{\partial L}{\partial w_0}$",
            ),
            Number(
                g_w0,
                **STEP_TOLERANCE,
                misconceptions=changing(
                    g_w0,
                    [
                        Misconception("flipped-sign", -g_w0, sign_en, sign_zh),
                        reduction_mistake(other_w0),
                    ],
                ),
            ),
        ),
        Part(
            "w_next",
            text("new weights $w$", "更新后的权重 $w$"),
            Vector(
                w_next,
                **STEP_TOLERANCE,
                misconceptions=changing(
                    w_next,
                    [
                        Misconception("ascending-step", w + eta * g_w, ascend_en, ascend_zh),
                        reduction_mistake(other_w_next),
                    ],
                ),
            ),
        ),
        Part(
            "w0_next",
            text("new bias $w_0$", "更新后的偏置 $w_0$"),
            Number(
                w0_next,
                **STEP_TOLERANCE,
                misconceptions=changing(
                    w0_next,
                    [
                        Misconception("ascending-step", w0 + eta * g_w0, ascend_en, ascend_zh),
                        reduction_mistake(other_w0_next),
                        Misconception(
                            "bias-not-updated",
                            w0,
                            "You left the bias as it was: w₀ moves too, w₀ − η ∂L/∂w₀.",
                            "你没有更新偏置：w₀ 也要更新为 w₀ − η ∂L/∂w₀。",
                        ),
                    ],
                ),
            ),
        ),
    )

    factor = _factor(reduction, n)
    score_lines = r" \\ ".join(
        rf"a^{{({i + 1})}} = {_score_latex(w, x, w0)} = {tex.num(s)}, & "
        rf"y^{{({i + 1})}} = \frac{{1}}{{1 + e^{{{tex.num(-s)}}}}} = {tex.num(p)}"
        for i, (x, s, p) in enumerate(zip(X, scores, y))
    )
    loss_terms = " + ".join(
        rf"\ln {tex.num(p)}" if label == 1 else rf"\ln (1 - {tex.num(p)})" for p, label in zip(y, r)
    )
    errors = y - r
    weighted = " + ".join(
        rf"{tex.paren(e)} \cdot {tex.vector_factor(x)}" for e, x in zip(errors, X)
    )
    error_sum = " + ".join(tex.paren(e) for e in errors)
    steps = (
        Step(
            text(
                "Score each sample, $a = w^\\top x + w_0$, and pass it through the sigmoid:",
                "对每个样本计算得分 $a = w^\\top x + w_0$，再代入 sigmoid：",
            ),
            rf"\begin{{array}}{{ll}} {score_lines} \end{{array}} \;\Rightarrow\; "
            rf"y = {tex.row(y)}",
        ),
        Step(
            text(
                "A sample with $r = 1$ contributes $\\ln y$, one with $r = 0$ contributes "
                "$\\ln(1 - y)$:",
                "$r = 1$ 的样本贡献 $\\ln y$，$r = 0$ 的样本贡献 $\\ln(1 - y)$：",
            ),
            rf"L = -{factor}\left( {loss_terms} \right) = {tex.num(loss)}",
        ),
        Step(
            text(
                "The chain rule through $y = \\sigma(a)$ gives the error $y - r$ of each sample:",
                "沿 $y = \\sigma(a)$ 用链式法则，每个样本的误差为 $y - r$：",
            ),
            rf"y - r = {tex.row(y)} - {tex.row(r)} = {tex.row(errors)}",
        ),
        Step(
            text(
                "The gradient weights each sample by its error:",
                "梯度是各样本按其误差加权求和：",
            ),
            rf"\frac{{\partial L}}{{\partial w}} = {factor}\sum_l (y^{{(l)}} - r^{{(l)}}) "
            rf"x^{{(l)}} = {factor}\left( {weighted} \right) = {tex.vector(g_w)}, \qquad "
            rf"\frac{{\partial L}}{{\partial w_0}} = {factor}\sum_l (y^{{(l)}} - r^{{(l)}}) "
            rf"= {factor}\left( {error_sum} \right) = {tex.num(g_w0)}",
        ),
        Step(
            text(
                "One step of gradient descent moves both against the gradient:",
                "一步梯度下降让两者都沿梯度的反方向移动：",
            ),
            rf"w \leftarrow w - \eta \frac{{\partial L}}{{\partial w}} = {tex.vector(w)} - "
            rf"{tex.num(eta)} \cdot {tex.vector_factor(g_w)} = {tex.vector(w_next)}, \qquad "
            rf"w_0 \leftarrow {tex.num(w0)} - {tex.num(eta)} \cdot {tex.paren(g_w0)} "
            rf"= {tex.num(w0_next)}",
        ),
    )
    return Solution(parts, steps)


def figure(params, solution):
    """The samples by class with the decision boundary before and after the
    step (with one feature, the probability curves σ(wx + w₀) instead), and
    the loss over ten steps of the same update. With more than two features
    only the loss is drawn: the boundary is a hyperplane."""
    X, r, w, w0, eta, reduction = _parameters(params)
    path = [(w, w0)]
    for _ in range(STEPS):
        path.append(logistic_regression_step(*path[-1], X, r, eta, reduction))
    losses = [logistic_regression_loss(*point, X, r, reduction) for point in path]
    if reduction == "sum":
        loss = text("cross-entropy summed over the samples", "对样本求和的交叉熵")
    else:
        loss = text("mean cross-entropy", "平均交叉熵")
    notation = Notation(label="r", output="y", bias="w_0", bias_plain="w₀", loss=loss)
    return descent_figure(X, r, path[0], path[1], losses, notation)
