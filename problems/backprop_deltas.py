"""Backpropagation by hand through a network with one hidden layer: the forward
pass, the error terms δ of both layers and the gradient of the hidden weights."""

import numpy as np

from tutor import tex
from tutor.answers import Matrix, Misconception, Vector
from tutor.problem import (
    ParameterError,
    Part,
    Solution,
    Step,
    has_distinct_misconceptions,
    known_parameters,
    text,
    vector,
)
from tutor.solutions.activations import sigmoid
from tutor.solutions.backprop import backprop_deltas, forward, gradients

from ._network import checked, one_hidden_layer

ID = "backprop-deltas"
TOPIC = "neural-networks"
TITLE = text(
    "Backpropagation: error terms of a one-hidden-layer network",
    "反向传播：单隐藏层网络的误差项",
)
PARAMETERS = {
    "weights": text(
        "[W1, W2]: W1 is h × n_in (hidden layer), W2 is n_out × h (output layer)",
        "[W1, W2]：W1 为 h × n_in（隐藏层），W2 为 n_out × h（输出层）",
    ),
    "biases": text(
        "[b1, b2]: b1 has h entries, b2 has n_out entries",
        "[b1, b2]：b1 有 h 个分量，b2 有 n_out 个分量",
    ),
    "x": text("the input vector, n_in entries", "输入向量，n_in 个分量"),
    "r": text(
        "the target output, n_out entries in [0, 1]",
        "目标输出，n_out 个分量，取值在 [0, 1] 内",
    ),
}

OUTPUT_TOLERANCE = {"rtol": 1e-2, "atol": 2e-3}
# The error terms are products of factors below 1/4, typically 0.001 to 0.1:
# an absolute tolerance of order 1e-3 would accept almost anything.
DELTA_TOLERANCE = {"rtol": 2e-2, "atol": 2e-4}

# (n_in, hidden, n_out) by difficulty. W2 is square (so that W2 δ can be
# mistaken for W2ᵀ δ) when hidden = n_out; W1 is square when hidden = n_in.
STRUCTURES = {
    1: ((2, 2, 1),),
    2: ((2, 2, 1), (2, 2, 2), (3, 2, 1), (3, 2, 2), (2, 3, 1)),
    3: ((3, 3, 1), (3, 3, 2), (2, 3, 2), (3, 2, 2)),
}
MAX_ENTRY = 1000.0

NONZERO_TENTHS = np.array([k for k in range(-10, 11) if k != 0]) / 10


def generate(rng, difficulty=2):
    structures = STRUCTURES[min(max(int(difficulty), 1), 3)]
    n_in, hidden, n_out = structures[int(rng.integers(len(structures)))]
    integer_input = difficulty <= 1 or rng.random() < 0.5
    soft_targets = difficulty >= 2 and rng.random() < 0.3
    while True:
        W1 = rng.choice(NONZERO_TENTHS, size=(hidden, n_in))
        W2 = rng.choice(NONZERO_TENTHS, size=(n_out, hidden))
        b1 = rng.integers(-10, 11, size=hidden) / 10
        b2 = rng.integers(-10, 11, size=n_out) / 10
        if integer_input:
            x = rng.choice([-2, -1, 1, 2], size=n_in).tolist()
        else:
            x = rng.choice(NONZERO_TENTHS, size=n_in).tolist()
        if soft_targets:
            r = (rng.integers(1, 10, size=n_out) / 10).tolist()
        else:
            r = rng.integers(0, 2, size=n_out).astype(float).tolist()
        params = {
            "weights": [W1.tolist(), W2.tolist()],
            "biases": [b1.tolist(), b2.tolist()],
            "x": [int(v) for v in x] if integer_input else x,
            "r": r,
        }
        if _worth_computing(params) and has_distinct_misconceptions(solve(params)):
            return params


def _worth_computing(params):
    """Every output clearly off its target, and a hidden error term large
    enough to be written down by hand without vanishing in the rounding."""
    weights, biases = params["weights"], params["biases"]
    _, (_, y) = forward(weights, biases, params["x"])
    hidden_delta = backprop_deltas(weights, biases, params["x"], params["r"])[0]
    return bool(np.all(np.abs(y - params["r"]) >= 0.05) and np.max(np.abs(hidden_delta)) >= 3e-3)


def _network(params):
    known_parameters(params, PARAMETERS)
    for name in PARAMETERS:
        if name not in params:
            raise ParameterError(name, "missing")
    x = checked(vector, params["x"], "x", limit=MAX_ENTRY)
    r = checked(vector, params["r"], "r", limit=MAX_ENTRY)
    (W1, W2), (b1, b2) = one_hidden_layer(params, x.size, limit=MAX_ENTRY)
    if r.size != W2.shape[0]:
        raise ParameterError("r", f"needs one entry per output ({W2.shape[0]}), got {r.size}")
    if np.any((r < 0) | (r > 1)):
        raise ParameterError("r", "a sigmoid output lies in (0, 1): targets must be in [0, 1]")
    return [W1, W2], [b1, b2], x, r


def statement(params):
    (W1, W2), (b1, b2) = (
        [np.asarray(v, dtype=float) for v in params[k]] for k in ("weights", "biases")
    )
    n_out, hidden = W2.shape
    n_in = W1.shape[1]
    values = (
        rf"$$W^1 = {tex.matrix(W1)}, \quad b^1 = {tex.matrix(b1)}, \quad "
        rf"W^2 = {tex.matrix(W2)}, \quad b^2 = {tex.matrix(b2)}$$"
    )
    sample = rf"$$x = {tex.matrix(params['x'])}, \quad r = {tex.matrix(params['r'])}$$"
    return text(
        f"A network with {n_in} inputs, one hidden layer of {hidden} units and {n_out} "
        f"output{'s' if n_out > 1 else ''} applies the sigmoid "
        r"$\sigma(a) = \frac{1}{1 + e^{-a}}$ on every layer: "
        r"$h = \sigma(a^1)$ with $a^1 = W^1 x + b^1$, and $y = \sigma(a^2)$ with "
        r"$a^2 = W^2 h + b^2$. Its parameters are"
        f"\n{values}\n"
        "Take the sample below and the loss $L = \\frac{1}{2}\\|y - r\\|^2$."
        f"\n{sample}\n"
        "By backpropagation, compute the output $y$, the error terms "
        r"$\delta^2 = \frac{\partial L}{\partial a^2}$ of the output layer and "
        r"$\delta^1 = \frac{\partial L}{\partial a^1}$ of the hidden layer, and the gradient "
        r"$\frac{\partial L}{\partial W^1}$ (same shape as $W^1$).",
        f"一个网络有 {n_in} 个输入、一个含 {hidden} 个神经元的隐藏层和 {n_out} 个输出，每层都使用 "
        r"sigmoid 激活函数 $\sigma(a) = \frac{1}{1 + e^{-a}}$："
        r"$h = \sigma(a^1)$，其中 $a^1 = W^1 x + b^1$；$y = \sigma(a^2)$，其中 "
        r"$a^2 = W^2 h + b^2$。参数为"
        f"\n{values}\n"
        "对下面的样本，损失取 $L = \\frac{1}{2}\\|y - r\\|^2$。"
        f"\n{sample}\n"
        "用反向传播求：输出 $y$，输出层的误差项 "
        r"$\delta^2 = \frac{\partial L}{\partial a^2}$，隐藏层的误差项 "
        r"$\delta^1 = \frac{\partial L}{\partial a^1}$，以及梯度 "
        r"$\frac{\partial L}{\partial W^1}$（形状与 $W^1$ 相同）。",
    )


SIGN_EN = (
    "Right size, opposite sign: you used the notes' convention δ = σ′(a)(r − y). "
    "Here δ = ∂L/∂a is the gradient of the loss, so it carries y − r; the notes' "
    "r − y version is its negative, the direction the update moves in."
)
SIGN_ZH = (
    "大小对，符号反了：你用了笔记中的约定 δ = σ′(a)(r − y)。这里 δ = ∂L/∂a 是损失的梯度，"
    "应含 y − r；笔记中带 r − y 的写法是它的相反数，即参数更新的方向。"
)


def _sigma_latex(a):
    """σ(a) written out as 1/(1 + e^{−a})."""
    return rf"\frac{{1}}{{1 + e^{{{tex.num(-a)}}}}}"


def solve(params):
    weights, biases, x, r = _network(params)
    try:
        (a1, a2), (h, y) = forward(weights, biases, x)
        delta_hidden, delta_out = backprop_deltas(weights, biases, x, r)
        (grad_w1, _), _ = gradients(weights, biases, x, r)
    except ValueError as error:
        raise ParameterError("weights", str(error)) from None
    W1, W2 = weights
    b2 = biases[1]
    square_w1 = W1.shape[0] == W1.shape[1]
    square_w2 = W2.shape[0] == W2.shape[1]

    # Every wrong value below is the named slip, carried on with otherwise
    # correct arithmetic on the same parameters.
    hidden_slope = h * (1 - h)
    no_output_slope = y - r
    no_output_slope_hidden = hidden_slope * (W2.T @ no_output_slope)
    no_hidden_slope = W2.T @ delta_out
    out_at_pre_activation = (y - r) * a2 * (1 - a2)
    hidden_at_pre_activation = a1 * (1 - a1) * (W2.T @ delta_out)

    output_mistakes = (
        Misconception(
            "missing-output-sigmoid",
            a2,
            "That is the pre-activation a² = W²h + b²; the output is y = σ(a²).",
            "这是输出层的净输入 a² = W²h + b²；输出应为 y = σ(a²)。",
        ),
        Misconception(
            "missing-hidden-sigmoid",
            sigmoid(W2 @ a1 + b2),
            "You passed the hidden pre-activations a¹ to the output layer; apply the sigmoid "
            "first: h = σ(a¹), then y = σ(W²h + b²).",
            "你把隐藏层的净输入 a¹ 直接传给了输出层；应先激活：h = σ(a¹)，再 y = σ(W²h + b²)。",
        ),
    )
    delta_out_mistakes = (
        Misconception(
            "missing-output-derivative",
            no_output_slope,
            "You left out σ′(a²) = y(1 − y): y − r is ∂L/∂y, and δ² = ∂L/∂a² = (y − r) ⊙ y(1 − y).",
            "你漏了 σ′(a²) = y(1 − y)：y − r 是 ∂L/∂y，而 δ² = ∂L/∂a² = (y − r) ⊙ y(1 − y)。",
        ),
        Misconception("notes-sign-convention", -delta_out, SIGN_EN, SIGN_ZH, score=0.5),
        Misconception(
            "derivative-at-pre-activation",
            out_at_pre_activation,
            "The shortcut σ′(a) = y(1 − y) takes the output y = σ(a), not the pre-activation a: "
            "you computed a²(1 − a²).",
            "简便公式 σ′(a) = y(1 − y) 中代入的是输出 y = σ(a)，不是净输入 a："
            "你算成了 a²(1 − a²)。",
        ),
    )
    delta_hidden_mistakes = [
        Misconception(
            "missing-output-derivative",
            no_output_slope_hidden,
            "Your δ² lacks the factor y(1 − y), and that carries over: δ¹ = h(1 − h) ⊙ (W²)ᵀδ² "
            "with δ² = (y − r) ⊙ y(1 − y).",
            "你的 δ² 漏了因子 y(1 − y)，并传到了这一层：δ¹ = h(1 − h) ⊙ (W²)ᵀδ²，"
            "其中 δ² = (y − r) ⊙ y(1 − y)。",
        ),
        Misconception("notes-sign-convention", -delta_hidden, SIGN_EN, SIGN_ZH, score=0.5),
        Misconception(
            "missing-hidden-derivative",
            no_hidden_slope,
            "You left out σ′(a¹) = h(1 − h): (W²)ᵀδ² is ∂L/∂h, and δ¹ = h(1 − h) ⊙ (W²)ᵀδ².",
            "你漏了 σ′(a¹) = h(1 − h)：(W²)ᵀδ² 是 ∂L/∂h，而 δ¹ = h(1 − h) ⊙ (W²)ᵀδ²。",
        ),
        Misconception(
            "derivative-at-pre-activation",
            hidden_at_pre_activation,
            "The shortcut σ′(a) = h(1 − h) takes the activation h = σ(a), not the "
            "pre-activation: you computed a¹(1 − a¹).",
            "简便公式 σ′(a) = h(1 − h) 中代入的是激活值 h = σ(a)，不是净输入："
            "你算成了 a¹(1 − a¹)。",
        ),
    ]
    if square_w2:
        delta_hidden_mistakes.append(
            Misconception(
                "untransposed-weights",
                hidden_slope * (W2 @ delta_out),
                "The error flows backwards through the transpose: δ¹ = h(1 − h) ⊙ (W²)ᵀδ². "
                "You multiplied by W² itself (W²[k, j] links hidden unit j to output k).",
                "误差沿转置矩阵反向传播：δ¹ = h(1 − h) ⊙ (W²)ᵀδ²。你乘的是 W² 本身"
                "（W²[k, j] 连接隐藏单元 j 与输出 k）。",
            )
        )
    grad_mistakes = [
        Misconception("notes-sign-convention", -grad_w1, SIGN_EN, SIGN_ZH, score=0.5),
        Misconception(
            "missing-output-derivative",
            np.outer(no_output_slope_hidden, x),
            "Your δ² lacks the factor y(1 − y), and it carries through δ¹ into ∂L/∂W¹ = δ¹xᵀ.",
            "你的 δ² 漏了因子 y(1 − y)，经 δ¹ 一直传到 ∂L/∂W¹ = δ¹xᵀ。",
        ),
        Misconception(
            "missing-hidden-derivative",
            np.outer(no_hidden_slope, x),
            "Your δ¹ lacks the factor h(1 − h): δ¹ = h(1 − h) ⊙ (W²)ᵀδ², then ∂L/∂W¹ = δ¹xᵀ.",
            "你的 δ¹ 漏了因子 h(1 − h)：δ¹ = h(1 − h) ⊙ (W²)ᵀδ²，然后 ∂L/∂W¹ = δ¹xᵀ。",
        ),
    ]
    if square_w1:
        grad_mistakes += [
            Misconception(
                "transposed-outer-product",
                np.outer(x, delta_hidden),
                "That is x(δ¹)ᵀ, the transpose: entry (j, i) is δ¹_j x_i, so ∂L/∂W¹ = δ¹xᵀ, "
                "one row per hidden unit like W¹.",
                "这是 x(δ¹)ᵀ，转置了：第 (j, i) 个元素是 δ¹_j x_i，所以 ∂L/∂W¹ = δ¹xᵀ，"
                "和 W¹ 一样每行对应一个隐藏单元。",
            ),
            Misconception(
                "hidden-activation-as-input",
                np.outer(delta_hidden, h),
                "The input of the hidden layer is x, not h: ∂L/∂W¹ = δ¹xᵀ.",
                "隐藏层的输入是 x，不是 h：∂L/∂W¹ = δ¹xᵀ。",
            ),
        ]
    if W2.shape == W1.shape:
        grad_mistakes.append(
            Misconception(
                "output-layer-gradient",
                np.outer(delta_out, h),
                "That is ∂L/∂W² = δ²hᵀ, the gradient of the output layer's weights; the hidden "
                "layer's is ∂L/∂W¹ = δ¹xᵀ.",
                "这是输出层权重的梯度 ∂L/∂W² = δ²hᵀ；隐藏层的是 ∂L/∂W¹ = δ¹xᵀ。",
            )
        )

    parts = (
        Part(
            "output",
            text("output $y$", "输出 $y$"),
            Vector(y, **OUTPUT_TOLERANCE, misconceptions=output_mistakes),
        ),
        Part(
            "delta_output",
            text(
                r"output error term $\delta^2 = \frac{\partial L}{\partial a^2}$",
                r"输出层误差项 $\delta^2 = \frac{\partial L}{\partial a^2}$",
            ),
            Vector(delta_out, **DELTA_TOLERANCE, misconceptions=delta_out_mistakes),
        ),
        Part(
            "delta_hidden",
            text(
                r"hidden error term $\delta^1 = \frac{\partial L}{\partial a^1}$",
                r"隐藏层误差项 $\delta^1 = \frac{\partial L}{\partial a^1}$",
            ),
            Vector(delta_hidden, **DELTA_TOLERANCE, misconceptions=tuple(delta_hidden_mistakes)),
        ),
        Part(
            "grad_w_hidden",
            text(
                r"gradient $\frac{\partial L}{\partial W^1}$",
                r"梯度 $\frac{\partial L}{\partial W^1}$",
            ),
            Matrix(grad_w1, **DELTA_TOLERANCE, misconceptions=tuple(grad_mistakes)),
        ),
    )

    b1 = biases[0]
    hidden_sigmas = r", \quad ".join(
        rf"h_{j + 1} = {_sigma_latex(a)} = {tex.num(v)}" for j, (a, v) in enumerate(zip(a1, h))
    )
    output_sigmas = r", \quad ".join(
        rf"y_{k + 1} = {_sigma_latex(a)} = {tex.num(v)}" for k, (a, v) in enumerate(zip(a2, y))
    )
    back = W2.T @ delta_out
    steps = (
        Step(
            text(
                "Hidden layer: the pre-activations, then the sigmoid of each:",
                "隐藏层：先算净输入，再逐个取 sigmoid：",
            ),
            rf"a^1 = W^1 x + b^1 = {tex.matrix(W1)} {tex.matrix(x)} + {tex.matrix(b1)} "
            rf"= {tex.matrix(a1)}, \qquad {hidden_sigmas}",
        ),
        Step(
            text(
                "Output layer: the same with h as its input:",
                "输出层：同样计算，输入为 h：",
            ),
            rf"a^2 = W^2 h + b^2 = {tex.matrix(W2)} {tex.matrix(h)} + {tex.matrix(b2)} "
            rf"= {tex.matrix(a2)}, \qquad {output_sigmas}",
        ),
        Step(
            text(
                "Output error term: ∂L/∂y = y − r times σ′(a²) = y(1 − y), entry by entry. "
                "(The notes write δ with r − y: that is the negative of this gradient, the "
                "direction of the update.)",
                "输出层误差项：∂L/∂y = y − r 逐元素乘以 σ′(a²) = y(1 − y)。"
                "（笔记中的 δ 用 r − y，是这个梯度的相反数，即更新的方向。）",
            ),
            rf"\delta^2 = (y - r) \odot y \odot (1 - y) = {tex.matrix(y - r)} \odot "
            rf"{tex.matrix(y)} \odot {tex.matrix(1 - y)} = {tex.matrix(delta_out)}",
        ),
        Step(
            text(
                "Hidden error term: send δ² back through the transposed weights, then multiply "
                "by σ′(a¹) = h(1 − h):",
                "隐藏层误差项：δ² 经转置的权重反向传回，再乘以 σ′(a¹) = h(1 − h)：",
            ),
            rf"\delta^1 = h \odot (1 - h) \odot (W^2)^\top \delta^2 = {tex.matrix(hidden_slope)} "
            rf"\odot {tex.matrix(W2.T)} {tex.matrix(delta_out)} = {tex.matrix(hidden_slope)} "
            rf"\odot {tex.matrix(back)} = {tex.matrix(delta_hidden)}",
        ),
        Step(
            text(
                "The gradient of the hidden weights is the error term times the layer's input "
                "x: entry (j, i) is δ¹ⱼ xᵢ.",
                "隐藏层权重的梯度是误差项乘以该层的输入 x：第 (j, i) 个元素为 δ¹ⱼ xᵢ。",
            ),
            rf"\frac{{\partial L}}{{\partial W^1}} = \delta^1 x^\top = {tex.matrix(delta_hidden)} "
            rf"{tex.row(x)} = {tex.matrix(grad_w1)}",
        ),
    )
    return Solution(parts, steps)
