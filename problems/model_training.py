"""One full-batch gradient-descent step of logistic regression: the loss
before, the updated weights and bias, and the loss after."""

import numpy as np

from tutor import tex
from tutor.answers import Misconception, Number, Vector
from tutor.problem import (
    ParameterError,
    Part,
    Solution,
    Step,
    has_distinct_misconceptions,
    known_parameters,
    matrix,
    number,
    text,
    vector,
)
from tutor.solutions.activations import sigmoid
from tutor.solutions.training import (
    logistic_gradient,
    logistic_loss,
    train_logistic_regression,
)

from ._figures_classifiers import STEPS, Notation, descent_figure

ID = "model-training"
TOPIC = "training"
TITLE = text(
    "One gradient-descent step of logistic regression",
    "逻辑回归的一步梯度下降",
)
PARAMETERS = {
    "X": text(
        "the inputs, one sample per row: n × d with 1 ≤ n, d ≤ 12, entries at most 1000 "
        "in magnitude",
        "输入，每行一个样本：n × d，1 ≤ n, d ≤ 12，各元素绝对值不超过 1000",
    ),
    "y": text("the labels, 0 or 1, one per sample", "标签，每个样本一个，取 0 或 1"),
    "w0": text("the initial weights, d numbers, |wⱼ| ≤ 1000", "初始权重，d 个数，|wⱼ| ≤ 1000"),
    "b0": text("the initial bias, |b| ≤ 1000", "初始偏置，|b| ≤ 1000"),
    "lr": text("the learning rate η, 0 < η ≤ 10", "学习率 η，0 < η ≤ 10"),
}

TOLERANCE = {"rtol": 1e-2, "atol": 2e-3}
LEARNING_RATES = (0.1, 0.2, 0.5, 1.0)
LN2 = float(np.log(2.0))
LIMIT = 1000.0


def generate(rng, difficulty=2):
    while True:
        if difficulty <= 1:
            d, n = 1, int(rng.integers(3, 5))
        elif difficulty == 2:
            d = 2 if rng.random() < 0.75 else 1
            n = int(rng.integers(3, 5)) if d == 2 else int(rng.integers(4, 6))
        else:
            d, n = 2, int(rng.integers(4, 6))
        if difficulty <= 1 or (difficulty == 2 and rng.random() < 0.5):
            X = rng.integers(-2, 4, size=(n, d)).astype(float)
        else:
            X = rng.integers(-20, 26, size=(n, d)) / 10
        y = rng.integers(0, 2, size=n)
        lr = float(rng.choice(LEARNING_RATES[1:] if difficulty <= 1 else LEARNING_RATES))
        w0 = np.zeros(d) if rng.random() < 0.3 else rng.integers(-10, 11, size=d) / 10
        b0 = 0.0 if rng.random() < 0.4 else int(rng.integers(-10, 11)) / 10
        params = {
            "X": X.tolist(),
            "y": y.tolist(),
            "w0": w0.tolist(),
            "b0": float(b0),
            "lr": lr,
        }
        if _interesting(X, y, w0, b0, lr) and has_distinct_misconceptions(solve(params)):
            return params


def _interesting(X, y, w0, b0, lr):
    """Both classes present, no repeated sample, a step that moves every
    parameter visibly and lowers the loss, as gradient descent should when
    the learning rate is sensible."""
    if y.min() == y.max() or len(np.unique(X, axis=0)) < len(X):
        return False
    grad_w, grad_b = logistic_gradient(w0, b0, X, y)
    if np.min(np.abs(lr * np.append(grad_w, grad_b))) < 0.02:
        return False
    w, b, _ = train_logistic_regression(X, y, lr, 1, w0, b0)
    return logistic_loss(w, b, X, y) < logistic_loss(w0, b0, X, y) - 0.01


def _data(params):
    known_parameters(params, PARAMETERS)
    X = matrix(params, "X")
    n, d = X.shape
    y = vector(params, "y", size=n)
    if not np.all((y == 0) | (y == 1)):
        raise ParameterError("y", "labels must be 0 or 1")
    w0 = vector(params, "w0", size=d)
    b0 = number(params, "b0", -LIMIT, LIMIT)
    for name, values in (("X", X), ("w0", w0)):
        if np.max(np.abs(values)) > LIMIT:
            raise ParameterError(name, f"entries must be at most {LIMIT:g} in magnitude")
    lr = number(params, "lr", 0.0, 10.0, low_open=True)
    return X, y.astype(int), w0, b0, lr


def _vector_latex(values, factor=False):
    """A weight vector: a plain number when d = 1 (in parentheses when
    negative and a factor of a product), a column otherwise."""
    values = np.atleast_1d(values)
    if len(values) > 1:
        return tex.matrix(values)
    return tex.paren(values[0]) if factor else tex.num(values[0])


def statement(params):
    X = np.asarray(params["X"], dtype=float)
    y = np.asarray(params["y"], dtype=int)
    n, d = X.shape
    header = " & ".join(f"x_{{i{j + 1}}}" for j in range(d)) if d > 1 else "x_i"
    rows = r" \\ ".join(
        f"{i + 1} & " + " & ".join(tex.num(v) for v in x) + f" & {label}"
        for i, (x, label) in enumerate(zip(X, y))
    )
    table = (
        rf"$$\begin{{array}}{{c|{'c' * d}|c}} i & {header} & y_i \\ \hline {rows} "
        r"\end{array}$$"
    )
    w0, b0, lr = params["w0"], float(params["b0"]), float(params["lr"])
    start = rf"$w = {_vector_latex(w0)}$, $b = {tex.num(b0)}$"
    model = r"$p_i = \sigma(w^\top x_i + b)$" if d > 1 else r"$p_i = \sigma(w x_i + b)$"
    return text(
        f"Logistic regression predicts {model}, the probability that sample $i$ has "
        f"label 1. The training set has {n} samples:\n{table}\n"
        f"Starting from {start}, take one full-batch gradient-descent step with learning "
        rf"rate $\eta = {tex.num(lr)}$ on the mean binary cross-entropy $L(w, b)$ (natural "
        "logarithm, averaged over the samples). Compute the loss before the step, the new "
        "weights and bias, and the loss after the step.",
        f"逻辑回归预测 {model}，即样本 $i$ 的标签为 1 的概率。训练集共 {n} 个样本：\n"
        f"{table}\n从 {start} 出发，以学习率 $\\eta = {tex.num(lr)}$ 对平均二元交叉熵 "
        "$L(w, b)$（自然对数，对样本取平均）做一步全批量梯度下降。求更新前的损失、"
        "更新后的权重和偏置，以及更新后的损失。",
    )


def _loss_terms(p, y):
    """The n log terms of the cross-entropy with the probabilities."""
    return " + ".join(
        rf"\ln {tex.num(pi)}" if yi == 1 else rf"\ln\left(1 - {tex.num(pi)}\right)"
        for pi, yi in zip(p, y)
    )


def _forward_steps(X, y, w, b, when, first):
    """z = Xw + b, p = σ(z) and the loss at (w, b), as steps."""
    n = len(y)
    z = X @ w + b
    p = sigmoid(z)
    loss = logistic_loss(w, b, X, y)
    en, zh = when
    loss_text = (
        text(
            "The mean cross-entropy: a sample with $y_i = 1$ contributes $\\ln p_i$, "
            "one with $y_i = 0$ contributes $\\ln(1 - p_i)$:",
            "平均交叉熵：$y_i = 1$ 的样本贡献 $\\ln p_i$，$y_i = 0$ 的样本贡献 $\\ln(1 - p_i)$：",
        )
        if first
        else text("The mean cross-entropy at the new parameters:", "新参数下的平均交叉熵：")
    )
    product = r" \cdot " if X.shape[1] == 1 else " "
    return [
        Step(
            text(
                f"The pre-activations {en}, one per sample:",
                f"{zh}各样本的预激活值：",
            ),
            rf"z = Xw + b = {tex.matrix(X)}{product}{_vector_latex(w, factor=True)} "
            rf"{tex.signed(b)} = {tex.matrix(z)}",
        ),
        Step(
            text(
                "The predicted probabilities $p_i = \\sigma(z_i) = 1/(1 + e^{-z_i})$:",
                "预测概率 $p_i = \\sigma(z_i) = 1/(1 + e^{-z_i})$：",
            ),
            rf"p = \sigma(z) = {tex.matrix(p)}",
        ),
        Step(
            loss_text,
            r"L = -\frac{1}{n}\sum_{i=1}^{n}\left[y_i \ln p_i + (1 - y_i)\ln(1 - p_i)\right] = "
            rf"-\frac{{1}}{{{n}}}\left({_loss_terms(p, y)}\right) = {tex.num(loss)}",
        ),
    ]


def solve(params):
    X, y, w0, b0, lr = _data(params)
    n = len(y)
    try:
        w1, b1, _ = train_logistic_regression(X, y, lr, 1, w0, b0)
    except ValueError as error:
        raise ParameterError("X", str(error)) from None
    loss0 = logistic_loss(w0, b0, X, y)
    loss1 = logistic_loss(w1, b1, X, y)
    grad_w, grad_b = logistic_gradient(w0, b0, X, y)
    p = sigmoid(X @ w0 + b0)

    # Treating the model as linear regression: the error is z − y, not σ(z) − y.
    linear_error = X @ w0 + b0 - y
    uphill_w, uphill_b = w0 + lr * grad_w, b0 + lr * grad_b
    parts = (
        Part(
            "loss_before",
            text("loss before the step $L(w, b)$", "更新前的损失 $L(w, b)$"),
            Number(loss0, **TOLERANCE, misconceptions=_loss_misconceptions(loss0, n)),
        ),
        Part(
            "w_after",
            text("weights after the step", "更新后的权重"),
            Vector(
                w1,
                **TOLERANCE,
                misconceptions=(
                    Misconception(
                        "wrong-sign",
                        uphill_w,
                        "You stepped uphill: gradient descent subtracts the gradient, "
                        "w ← w − η ∂L/∂w with ∂L/∂w = (1/n) Σ (pᵢ − yᵢ) xᵢ.",
                        "你沿梯度上升了：梯度下降要减去梯度，w ← w − η ∂L/∂w，"
                        "其中 ∂L/∂w = (1/n) Σ (pᵢ − yᵢ) xᵢ。",
                    ),
                    Misconception(
                        "summed-gradient",
                        w0 - lr * n * grad_w,
                        "You summed the gradient over the samples; the loss is a mean, so "
                        "its gradient carries the factor 1/n.",
                        "你对各样本的梯度求了和；损失是平均值，梯度要乘以 1/n。",
                    ),
                    Misconception(
                        "linear-regression-gradient",
                        w0 - lr * X.T @ linear_error / n,
                        "You used zᵢ − yᵢ as the error, as in linear regression; logistic "
                        "regression's error is pᵢ − yᵢ with pᵢ = σ(zᵢ).",
                        "你用了 zᵢ − yᵢ 作为误差，这是线性回归的做法；逻辑回归的误差是 "
                        "pᵢ − yᵢ，其中 pᵢ = σ(zᵢ)。",
                    ),
                ),
            ),
        ),
        Part(
            "b_after",
            text("bias after the step", "更新后的偏置"),
            Number(
                b1,
                **TOLERANCE,
                misconceptions=(
                    Misconception(
                        "wrong-sign",
                        uphill_b,
                        "You stepped uphill: b ← b − η ∂L/∂b with ∂L/∂b = (1/n) Σ (pᵢ − yᵢ).",
                        "你沿梯度上升了：b ← b − η ∂L/∂b，其中 ∂L/∂b = (1/n) Σ (pᵢ − yᵢ)。",
                    ),
                    Misconception(
                        "summed-gradient",
                        b0 - lr * n * grad_b,
                        "You summed the errors; the gradient of the mean loss averages them: "
                        "∂L/∂b = (1/n) Σ (pᵢ − yᵢ).",
                        "你对误差求了和；平均损失的梯度要取平均：∂L/∂b = (1/n) Σ (pᵢ − yᵢ)。",
                    ),
                    Misconception(
                        "linear-regression-gradient",
                        b0 - lr * float(np.mean(linear_error)),
                        "You used zᵢ − yᵢ as the error, as in linear regression; use "
                        "pᵢ − yᵢ with pᵢ = σ(zᵢ).",
                        "你用了 zᵢ − yᵢ 作为误差（线性回归的做法）；应使用 pᵢ − yᵢ，"
                        "其中 pᵢ = σ(zᵢ)。",
                    ),
                ),
            ),
        ),
        Part(
            "loss_after",
            text("loss after the step", "更新后的损失"),
            Number(
                loss1,
                **TOLERANCE,
                misconceptions=(
                    Misconception(
                        "old-parameters",
                        loss0,
                        "That is the loss before the step: recompute the predictions with the "
                        "new w and b.",
                        "这是更新前的损失：应使用新的 w 和 b 重新计算预测值。",
                    ),
                    Misconception(
                        "wrong-sign",
                        logistic_loss(uphill_w, uphill_b, X, y),
                        "This is the loss after a step uphill (w + η ∂L/∂w): gradient descent "
                        "subtracts the gradient.",
                        "这是沿梯度上升一步（w + η ∂L/∂w）后的损失：梯度下降要减去梯度。",
                    ),
                    *_loss_misconceptions(loss1, n),
                ),
            ),
        ),
    )

    error = p - y
    steps = _forward_steps(X, y, w0, b0, ("at the start", "初始参数下"), first=True)
    steps += [
        Step(
            text(
                "The errors $p_i - y_i$ and the gradient of the mean loss:",
                "误差 $p_i - y_i$ 以及平均损失的梯度：",
            ),
            rf"p - y = {tex.matrix(error)}, \qquad "
            rf"\frac{{\partial L}}{{\partial w}} = \frac{{1}}{{n}} X^\top (p - y) = "
            rf"\frac{{1}}{{{n}}} {tex.matrix(X.T)} {tex.matrix(error)} = "
            rf"{_vector_latex(grad_w)}, \qquad "
            rf"\frac{{\partial L}}{{\partial b}} = \frac{{1}}{{n}}\sum_{{i=1}}^{{n}} (p_i - y_i) = "
            rf"{tex.num(grad_b)}",
        ),
        Step(
            text(
                "Step against the gradient, scaled by the learning rate:",
                "沿梯度的反方向，按学习率更新：",
            ),
            rf"w \leftarrow w - \eta \frac{{\partial L}}{{\partial w}} = {_vector_latex(w0)} - "
            rf"{tex.num(lr)} \cdot {_vector_latex(grad_w, factor=True)} = {_vector_latex(w1)}, "
            r"\qquad "
            rf"b \leftarrow b - \eta \frac{{\partial L}}{{\partial b}} = {tex.num(b0)} - "
            rf"{tex.num(lr)} \cdot {tex.paren(grad_b)} = {tex.num(b1)}",
        ),
    ]
    steps += _forward_steps(X, y, w1, b1, ("with the new parameters", "新参数下"), first=False)
    change = "lower" if loss1 < loss0 else "higher"
    change_zh = "下降" if loss1 < loss0 else "上升"
    steps.append(
        Step(
            text(
                f"The loss went from {tex.plain(loss0)} to {tex.plain(loss1)}: {change} "
                "after the step.",
                f"损失从 {tex.plain(loss0)} 变为 {tex.plain(loss1)}：一步之后{change_zh}了。",
            ),
        )
    )
    return Solution(parts, tuple(steps))


def _loss_misconceptions(loss, n):
    return (
        Misconception(
            "log-base-2",
            loss / LN2,
            "You used log base 2; the cross-entropy here uses the natural logarithm ln.",
            "你用了以 2 为底的对数；这里的交叉熵用自然对数 ln。",
        ),
        Misconception(
            "missing-minus",
            -loss,
            "The cross-entropy is −(1/n) Σ [yᵢ ln pᵢ + (1 − yᵢ) ln(1 − pᵢ)]: the minus sign "
            "makes it positive.",
            "交叉熵是 −(1/n) Σ [yᵢ ln pᵢ + (1 − yᵢ) ln(1 − pᵢ)]：前面的负号使它为正。",
        ),
        Misconception(
            "summed-loss",
            n * loss,
            "You summed over the samples; the loss asked for is the mean, so divide by n.",
            "你对样本求了和；题目要求的是平均损失，应除以 n。",
        ),
    )


NOTATION = Notation(
    label="y",
    output="p",
    bias="b",
    bias_plain="b",
    loss=text("mean cross-entropy", "平均交叉熵"),
)


def figure(params, solution):
    """The samples by class with the decision boundary before and after the
    step (with one feature, the probability curves σ(wx + b) instead), and
    the loss over ten steps of the same update. With more than two features
    only the loss is drawn: the boundary is a hyperplane."""
    X, y, w0, b0, lr = _data(params)
    w1, b1, _ = train_logistic_regression(X, y, lr, 1, w0, b0)
    w, b, losses = train_logistic_regression(X, y, lr, STEPS, w0, b0)
    losses = [*losses, logistic_loss(w, b, X, y)]
    return descent_figure(X, y, (w0, b0), (w1, b1), losses, NOTATION)
