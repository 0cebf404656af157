"""Softmax and cross-entropy for one sample: the class probabilities, the loss
and its gradient with respect to the logits."""

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
    text,
    vector,
)
from tutor.solutions.activations import softmax
from tutor.solutions.classifiers import softmax_cross_entropy, softmax_cross_entropy_grad

ID = "softmax-cross-entropy"
TOPIC = "classification"
TITLE = text("Softmax and cross-entropy", "softmax 与交叉熵")
PARAMETERS = {
    "a": text(
        "the logits a = (a_1, …, a_K) of the K classes, 2 ≤ K ≤ 6, each in [-30, 30]",
        "K 个类别的 logits a = (a_1, …, a_K)，2 ≤ K ≤ 6，每个分量在 [-30, 30] 内",
    ),
    "r": text(
        "the one-hot label: K entries, a 1 at the true class and 0 elsewhere",
        "one-hot 标签：K 个分量，真实类别处为 1，其余为 0",
    ),
}

TOLERANCE = {"rtol": 1e-2, "atol": 2e-3}
MAX_LOGIT = 30.0


def generate(rng, difficulty=2):
    if difficulty <= 1:
        k, decimals, low = 3, False, -1
    elif difficulty == 2:
        k, decimals, low = int(rng.choice([3, 4])), bool(rng.random() < 0.5), -2
    else:
        k, decimals, low = 4, True, -3
    # Half the variants label the class the model favours (a confident, right
    # prediction), half another class (a wrong prediction, a large loss).
    label_is_top = bool(rng.random() < 0.5)
    while True:
        if decimals:
            a = rng.integers(10 * low, 31, size=k) / 10
        else:
            a = rng.integers(low, 4, size=k).astype(float)
        top = np.flatnonzero(a == a.max())
        if len(top) > 1 or abs(a.sum()) < 0.5:
            continue
        others = [i for i in range(k) if i != top[0]]
        label = int(top[0]) if label_is_top else int(rng.choice(others))
        params = {"a": a.tolist(), "r": [int(i == label) for i in range(k)]}
        if has_distinct_misconceptions(solve(params)):
            return params


def _parameters(params):
    known_parameters(params, PARAMETERS)
    a = vector(params, "a", min_size=2, max_size=6)
    if np.max(np.abs(a)) > MAX_LOGIT:
        raise ParameterError("a", f"logits must lie in [-{MAX_LOGIT:g}, {MAX_LOGIT:g}]")
    r = vector(params, "r", min_size=2, max_size=6)
    if r.size != a.size:
        raise ParameterError("r", f"needs one entry per class ({a.size}), got {r.size}")
    if not np.all((r == 0) | (r == 1)) or r.sum() != 1:
        raise ParameterError("r", "a one-hot label has exactly one 1 and 0 elsewhere")
    return a, r, int(np.argmax(r))


def statement(params):
    a, r = (np.asarray(params[k], dtype=float) for k in ("a", "r"))
    k = a.size
    c = int(np.argmax(r)) + 1
    given = rf"$$a = {tex.row(a)}, \qquad r = {tex.row(r)}$$"
    definition = r"$y_i = \frac{e^{a_i}}{\sum_{j=1}^{K} e^{a_j}}$"
    return text(
        f"A classifier with K = {k} classes produces the logits $a$ below for a sample "
        f"of class $C_{c}$, whose one-hot label is $r$.\n{given}\n"
        f"The class probabilities are $y = \\text{{softmax}}(a)$, {definition}. Compute "
        "(1) the probabilities $y$, (2) the cross-entropy loss "
        r"$L = -\sum_{i=1}^{K} r_i \ln y_i$ (natural logarithm) and (3) its gradient "
        r"$\frac{\partial L}{\partial a}$ with respect to the logits.",
        f"一个 K = {k} 类的分类器对一个属于类别 $C_{c}$ 的样本输出下面的 logits $a$，"
        f"该样本的 one-hot 标签为 $r$。\n{given}\n"
        f"类别概率为 $y = \\text{{softmax}}(a)$，{definition}。求："
        "(1) 概率 $y$；(2) 交叉熵损失 "
        r"$L = -\sum_{i=1}^{K} r_i \ln y_i$（自然对数）；(3) 损失对 logits 的梯度 "
        r"$\frac{\partial L}{\partial a}$。",
    )


def solve(params):
    a, r, c = _parameters(params)
    try:
        y = softmax(a)
        loss = softmax_cross_entropy(a, c)
        grad = softmax_cross_entropy_grad(a, c)
    except ValueError as error:
        raise ParameterError("a", str(error)) from None
    exps = np.exp(a)
    total = float(exps.sum())
    k = a.size

    softmax_mistakes = [
        Misconception(
            "unnormalised",
            exps,
            "These are the exponentials exp(a_i); divide each by their sum Σ exp(a_j) so "
            "that the probabilities add up to 1.",
            "这只是指数 exp(a_i)；还要除以它们的和 Σ exp(a_j)，使概率之和为 1。",
        ),
    ]
    if abs(a.sum()) > 1e-9:
        softmax_mistakes.insert(
            0,
            Misconception(
                "normalised-logits",
                a / a.sum(),
                "You divided the logits by their sum; softmax divides the exponentials: "
                "y_i = exp(a_i) / Σ exp(a_j).",
                "你把 logits 除以了它们的和；softmax 除的是指数之和：y_i = exp(a_i) / Σ exp(a_j)。",
            ),
        )

    loss_mistakes = [
        Misconception(
            "log2",
            loss / np.log(2.0),
            "You used log base 2; this loss uses the natural logarithm ln.",
            "你用了以 2 为底的对数；这里的损失用自然对数 ln。",
        ),
        Misconception(
            "missing-minus",
            -loss,
            "You left out the minus sign: L = −Σ r_i ln y_i is positive, since ln y_i < 0.",
            "你漏了负号：L = −Σ r_i ln y_i 为正，因为 ln y_i < 0。",
        ),
        Misconception(
            "all-classes",
            -float(np.sum(np.log(y))),
            "You added −ln y_i over every class; the one-hot r keeps only the true class: "
            "L = −ln y_c.",
            "你对所有类别都加了 −ln y_i；one-hot 的 r 只保留真实类别这一项：L = −ln y_c。",
        ),
    ]
    predicted = int(np.argmax(y))
    if predicted != c and np.sum(y == y[predicted]) == 1:
        loss_mistakes.append(
            Misconception(
                "predicted-class",
                -float(np.log(y[predicted])),
                "You took the probability of the class the model predicts (the largest y_i); "
                "the loss uses the true class, where r_i = 1.",
                "你用了模型预测的类别（最大的 y_i）的概率；损失应取真实类别（r_i = 1 处）的概率。",
            )
        )

    grad_mistakes = [
        Misconception(
            "reversed-sign",
            r - y,
            "Opposite sign: ∂L/∂a = y − r (prediction minus label); r − y is the direction "
            "gradient descent moves the logits in.",
            "符号反了：∂L/∂a = y − r（预测减标签）；r − y 是梯度下降移动 logits 的方向。",
        ),
        Misconception(
            "missing-label",
            y,
            "You forgot to subtract the one-hot label: ∂L/∂a = y − r.",
            "你忘了减去 one-hot 标签：∂L/∂a = y − r。",
        ),
        Misconception(
            "gradient-wrt-probabilities",
            -r / y,
            "That is ∂L/∂y = −r_i / y_i, the gradient with respect to the probabilities; "
            "through the softmax the gradient with respect to the logits is y − r.",
            "这是对概率的梯度 ∂L/∂y = −r_i / y_i；经过 softmax 后，对 logits 的梯度为 y − r。",
        ),
    ]
    parts = (
        Part(
            "softmax",
            text("probabilities $y = \\text{softmax}(a)$", "概率 $y = \\text{softmax}(a)$"),
            Vector(y, **TOLERANCE, misconceptions=tuple(softmax_mistakes)),
        ),
        Part(
            "loss",
            text("cross-entropy loss $L$", "交叉熵损失 $L$"),
            Number(loss, **TOLERANCE, misconceptions=tuple(loss_mistakes)),
        ),
        Part(
            "gradient",
            text(
                r"gradient $\frac{\partial L}{\partial a}$",
                r"梯度 $\frac{\partial L}{\partial a}$",
            ),
            Vector(
                grad,
                **TOLERANCE,
                misconceptions=changing(grad, grad_mistakes),
            ),
        ),
    )

    exponentials = ", \\quad ".join(rf"e^{{{tex.num(v)}}} = {tex.num(e)}" for v, e in zip(a, exps))
    sum_terms = " + ".join(tex.num(e) for e in exps)
    fractions = ", \\quad ".join(
        rf"y_{i + 1} = \frac{{{tex.num(e)}}}{{{tex.num(total)}}} = {tex.num(p)}"
        for i, (e, p) in enumerate(zip(exps, y))
    )
    loss_terms = "-" + " - ".join(rf"{int(ri)} \cdot \ln {tex.num(p)}" for ri, p in zip(r, y))
    steps = (
        Step(
            text(
                "Exponentiate each logit and add the exponentials up:",
                "对每个 logit 取指数，再把这些指数相加：",
            ),
            rf"{exponentials}, \qquad \sum_{{j=1}}^{{{k}}} e^{{a_j}} = {sum_terms} "
            rf"= {tex.num(total)}",
        ),
        Step(
            text(
                "Divide each exponential by the sum (the probabilities add up to 1):",
                "每个指数除以它们的和（概率之和为 1）：",
            ),
            rf"{fractions} \;\Rightarrow\; y = {tex.row(y)}",
        ),
        Step(
            text(
                f"Only the true class $C_{c + 1}$ has $r_i = 1$, so the sum keeps one term:",
                f"只有真实类别 $C_{c + 1}$ 处 $r_i = 1$，求和只剩一项：",
            ),
            rf"L = -\sum_i r_i \ln y_i = {loss_terms} = -\ln {tex.num(y[c])} = {tex.num(loss)}",
        ),
        Step(
            text(
                "Through the softmax, the gradient with respect to the logits is the "
                "prediction minus the label:",
                "经过 softmax 求导，损失对 logits 的梯度等于预测减去标签：",
            ),
            rf"\frac{{\partial L}}{{\partial a}} = y - r = {tex.row(y)} - {tex.row(r)} "
            rf"= {tex.row(grad)}",
        ),
    )
    return Solution(parts, steps)
