"""The forward pass of a small multilayer perceptron by hand, and the
hand-set one-hidden-layer networks that compute XOR."""

from functools import cache

import numpy as np

from tutor import tex
from tutor.answers import Choice, Misconception, Number, Vector
from tutor.problem import (
    ParameterError,
    Part,
    Solution,
    Step,
    distinct_misconceptions,
    known_parameters,
    text,
    vector,
)
from tutor.solutions.mlp import (
    XOR_INPUTS,
    XOR_TARGETS,
    mlp_activation,
    mlp_forward,
    realises_xor,
    xor_outputs,
)

from ._network import checked, one_hidden_layer

ID = "mlp-forward"
TOPIC = "neural-networks"
TITLE = text(
    "Forward pass of a multilayer perceptron, and XOR",
    "多层感知机的前向传播与异或（XOR）",
)
FORWARD, XOR_TABLE, XOR_CHOICE = "forward", "xor-outputs", "xor-choice"
TASKS = (FORWARD, XOR_TABLE, XOR_CHOICE)
HIDDEN = ("sigmoid", "relu", "step")
OUTPUT = ("sigmoid", "linear", "step")
PARAMETERS = {
    "task": text(
        "forward (the pass for one input x), xor-outputs (the outputs on the four inputs of "
        "{0,1}²) or xor-choice (which of two networks computes XOR); by default forward with "
        "x, xor-choice with network B, else xor-outputs",
        "forward（对一个输入 x 做前向传播）、xor-outputs（求 {0,1}² 四个输入上的输出）"
        "或 xor-choice（两个网络中哪一个实现了异或）；缺省时：给出 x 为 forward，"
        "给出网络 B 为 xor-choice，否则为 xor-outputs",
    ),
    "hidden": text(
        "the activation of the hidden layer: sigmoid, relu or step",
        "隐藏层的激活函数：sigmoid、relu 或 step",
    ),
    "output": text(
        "the activation of the output layer: sigmoid, linear or step",
        "输出层的激活函数：sigmoid、linear 或 step",
    ),
    "weights": text(
        "[W1, W2]: W1 is h × n_in (row j: the weights into hidden unit j), W2 is n_out × h; "
        "1 ≤ n_in, h ≤ 4 and 1 ≤ n_out ≤ 3 (XOR: n_in = 2, n_out = 1)",
        "[W1, W2]：W1 为 h × n_in（第 j 行是进入隐藏单元 j 的权重），W2 为 n_out × h；"
        "1 ≤ n_in, h ≤ 4，1 ≤ n_out ≤ 3（异或：n_in = 2，n_out = 1）",
    ),
    "biases": text(
        "[b1, b2]: b1 has h entries, b2 has n_out entries",
        "[b1, b2]：b1 有 h 个分量，b2 有 n_out 个分量",
    ),
    "x": text(
        "the input, n_in numbers (task forward only; ignored otherwise)",
        "输入，n_in 个数（仅用于 forward；其他任务忽略）",
    ),
    "weights_b": text(
        "[W1, W2] of network B (task xor-choice only; weights and biases are network A)",
        "网络 B 的 [W1, W2]（仅用于 xor-choice；weights 和 biases 属于网络 A）",
    ),
    "biases_b": text(
        "[b1, b2] of network B (task xor-choice only)",
        "网络 B 的 [b1, b2]（仅用于 xor-choice）",
    ),
}
OPTIONAL = {"task", "x", "weights_b", "biases_b"}  # the task follows from x or B

TOLERANCE = {"rtol": 1e-2, "atol": 2e-3}
MAX_ENTRY = 100.0
# Weights of one decimal, never 0 (a zero weight hides a connection).
TENTHS = np.array([k for k in range(-15, 16) if k != 0]) / 10
SMALL_TENTHS = np.array([k for k in range(-10, 11) if k != 0]) / 10
INTEGERS = np.array([-3, -2, -1, 1, 2, 3])
STRUCTURES = {  # (hidden units, outputs) by difficulty; always 2 inputs
    1: ((2, 1),),
    2: ((2, 1), (3, 1), (2, 2), (3, 2)),
    3: ((3, 1), (3, 2), (2, 2)),
}
# Truth tables in the order of XOR_INPUTS: (0,0), (0,1), (1,0), (1,1).
GATES = {
    (0, 1, 1, 1): r"x_1 \text{ OR } x_2",
    (0, 0, 0, 1): r"x_1 \text{ AND } x_2",
    (1, 1, 1, 0): r"\text{NOT}(x_1 \text{ AND } x_2)",
    (1, 0, 0, 0): r"\text{NOT}(x_1 \text{ OR } x_2)",
    (0, 0, 1, 0): r"x_1 \text{ AND NOT } x_2",
    (0, 1, 0, 0): r"x_2 \text{ AND NOT } x_1",
}
ACTIVATION_LATEX = {
    "sigmoid": r"{f}(z) = \sigma(z) = \frac{{1}}{{1 + e^{{-z}}}}",
    "relu": r"{f}(z) = \text{{ReLU}}(z) = \max(0, z)",
    "linear": r"{f}(z) = z",
    "step": r"{f}(z) = \text{{step}}(z)",
}
STEP_RULE = text(" (1 if $z > 0$, else 0)", "（$z > 0$ 时为 1，否则为 0）")
ACTIVATION_NAME = {
    "sigmoid": text("the sigmoid", "sigmoid 函数"),
    "relu": text("ReLU", "ReLU"),
    "linear": text("no activation (linear, the identity)", "线性激活（恒等函数）"),
    "step": text("the step function", "阶跃函数"),
}


def _pick(rng, options):
    return options[int(rng.integers(len(options)))]


# --- generation ------------------------------------------------------------------


def generate(rng, difficulty=2):
    difficulty = min(max(int(difficulty), 1), 3)
    if difficulty == 1:
        task = FORWARD
    else:
        weights = (0.6, 0.25, 0.15) if difficulty == 2 else (0.5, 0.2, 0.3)
        task = TASKS[int(rng.choice(3, p=weights))]
    if task == FORWARD:
        return _forward_variant(rng, difficulty)
    return _xor_variant(rng, task)


def _forward_variant(rng, difficulty):
    hidden_units, n_out = _pick(rng, STRUCTURES[difficulty])
    hidden, output = _pick(rng, ("relu", "sigmoid")), _pick(rng, ("linear", "sigmoid"))
    integer = difficulty == 1 or rng.random() < (0.4 if difficulty == 2 else 0.2)
    while True:
        if integer:
            W1 = rng.choice(INTEGERS, size=(hidden_units, 2))
            W2 = rng.choice(INTEGERS, size=(n_out, hidden_units))
            b1, b2 = (rng.choice([-2, -1, 1, 2], size=n) for n in (hidden_units, n_out))
            x = rng.choice([-2, -1, 1, 2], size=2)
        else:
            W1 = rng.choice(TENTHS, size=(hidden_units, 2))
            W2 = rng.choice(TENTHS, size=(n_out, hidden_units))
            b1, b2 = (rng.choice(SMALL_TENTHS, size=n) for n in (hidden_units, n_out))
            x = rng.choice([-2, -1.5, -1, -0.5, 0.5, 1, 1.5, 2], size=2)
        params = {
            "task": FORWARD,
            "hidden": hidden,
            "output": output,
            "weights": [W1.astype(float).tolist(), W2.astype(float).tolist()],
            "biases": [b1.astype(float).tolist(), b2.astype(float).tolist()],
            "x": [int(v) for v in x] if integer else [float(v) for v in x],
        }
        if _worth_computing(params) and not _solve(params)[1]:
            return params


def _worth_computing(params):
    """Pre-activations clear of 0, a ReLU that cuts off at least one unit but
    not all of them, and sigmoids away from saturation."""
    (z1, z2), _ = mlp_forward(
        params["weights"], params["biases"], params["x"], params["hidden"], params["output"]
    )
    if np.min(np.abs(z1)) < 0.15 or np.min(np.abs(z2)) < 0.1:
        return False
    if params["hidden"] == "relu" and not (np.any(z1 < 0) and np.any(z1 > 0)):
        return False
    if params["hidden"] == "sigmoid" and np.max(np.abs(z1)) > 4:
        return False
    return not (params["output"] == "sigmoid" and np.max(np.abs(z2)) > 4)


def _xor_variant(rng, task):
    hidden = _pick(rng, ("step", "step", "relu"))
    while True:
        if hidden == "step":
            output = "step"
            weights, biases = _step_xor_network(rng)
        else:
            output = _pick(rng, ("linear", "step"))
            weights, biases = _relu_xor_network(rng, output)
        params = {
            "task": task,
            "hidden": hidden,
            "output": output,
            "weights": weights,
            "biases": biases,
        }
        if task == XOR_CHOICE:
            params = _with_distractor(rng, params)
            if params is None:
                continue
            solution, _ = _solve(params)
            if solution.parts[0].answer.misconceptions[0].tag in DISTRACTORS:
                return params
        else:
            solution, _ = _solve(params)
            if len(solution.parts[0].answer.misconceptions) >= 2:
                return params


@cache
def _step_units():
    """Every step unit (w₁, w₂, b) with w ∈ {−2, −1, 1, 2} and b a multiple of
    0.5 in [−3.5, 3.5], as an array of rows."""
    w = [-2.0, -1.0, 1.0, 2.0]
    b = np.arange(-7, 8) / 2
    grid = np.array(np.meshgrid(w, w, b, indexing="ij")).reshape(3, -1).T
    return grid


def _step_unit(rng, patterns, targets):
    """A random step unit that maps each pattern (row) to its 0/1 target,
    with every weighted sum clear of 0; None when the grid has none."""
    units = _step_units()
    z = patterns @ units[:, :2].T + units[:, 2]
    fits = np.all((z > 0) == (np.asarray(targets)[:, None] > 0), axis=0)
    fits &= np.all(z != 0, axis=0)
    found = np.flatnonzero(fits)
    return None if not found.size else units[int(rng.choice(found))]


def _step_xor_network(rng):
    """Two hidden step units computing two of the gates, and an output step
    unit that combines them into XOR: drawn until the gates allow it."""
    gates = list(GATES)
    while True:
        first, second = (gates[i] for i in rng.choice(len(gates), size=2, replace=False))
        # XOR must be a function of the hidden pattern: no pattern may meet both values.
        seen = {}
        for pattern, target in zip(zip(first, second), XOR_TARGETS):
            seen.setdefault(pattern, set()).add(float(target))
        if any(len(targets) > 1 for targets in seen.values()):
            continue
        patterns = np.array(list(seen), dtype=float)
        targets = np.array([targets.pop() for targets in seen.values()])
        units = [_step_unit(rng, XOR_INPUTS, gate) for gate in (first, second)]
        out = _step_unit(rng, patterns, targets)
        if out is None or any(u is None for u in units):
            continue
        W1 = [[float(u[0]), float(u[1])] for u in units]
        b1 = [float(u[2]) for u in units]
        return [W1, [[float(out[0]), float(out[1])]]], [b1, [float(out[2])]]


def _relu_xor_network(rng, output):
    """One of four ReLU constructions of XOR, scaled and with its units in a
    random order; s = x₁ + x₂ below.

    - |x₁ − x₂| = ReLU(x₁ − x₂) + ReLU(x₂ − x₁);
    - s − 2 ReLU(s − 1);
    - 1 − ReLU(1 − s) − ReLU(s − 1);
    - 2 ReLU(s − 0.5) − 6 ReLU(s − 1.5).
    """
    family = int(rng.integers(4))
    a = float(_pick(rng, (1, 2)))
    c = float(_pick(rng, (1, 2, 3) if family == 3 else (1, 2)))
    if family == 0:
        W1, b1, w2, b2 = [[a, -a], [-c, c]], [0.0, 0.0], [1 / a, 1 / c], 0.0
    elif family == 1:
        W1, b1, w2, b2 = [[a, a], [c, c]], [0.0, -c], [1 / a, -2 / c], 0.0
    elif family == 2:
        W1, b1, w2, b2 = [[-a, -a], [c, c]], [a, -c], [-1 / a, -1 / c], 1.0
    else:
        W1, b1, w2, b2 = [[a, a], [c, c]], [-0.5 * a, -1.5 * c], [2 / a, -6 / c], 0.0
    if output == "step":
        # The linear output is exactly 0 or 1: shift it by −0.5 and scale.
        scale = float(_pick(rng, (1, 2)))
        w2, b2 = [scale * w for w in w2], scale * (b2 - 0.5)
    order = [0, 1] if rng.random() < 0.5 else [1, 0]
    W1, b1, w2 = [W1[i] for i in order], [b1[i] for i in order], [w2[i] for i in order]
    return [W1, [w2]], [b1, [b2]]


DISTRACTORS = ("transposed-weights", "bias-as-threshold", "not-all-inputs")


def _with_distractor(rng, params):
    """A second network that does not compute XOR but looks as if it does
    under a named mistake (or fails on one input only), and the two networks
    in a random order; None when no distractor fits."""
    W, b = params["weights"], params["biases"]
    hidden, output = params["hidden"], params["output"]
    for kind in [DISTRACTORS[i] for i in rng.permutation(len(DISTRACTORS))]:
        if kind == "transposed-weights":
            other = [np.array(W[0]).T.tolist(), W[1]], b
        elif kind == "bias-as-threshold":
            other = W, [[-v + 0.0 for v in layer] for layer in b]
        else:
            other = _one_input_off(rng, W, b, hidden, output)
        if other is None or other == (W, b) or realises_xor(*other, hidden, output):
            continue
        if not _clear_of_zero(*other, hidden, output):
            continue
        if _diagnosis(other, hidden, output)[0] != kind:
            continue
        pair = [(W, b), other] if rng.random() < 0.5 else [other, (W, b)]
        return {
            **params,
            "weights": pair[0][0],
            "biases": pair[0][1],
            "weights_b": pair[1][0],
            "biases_b": pair[1][1],
        }
    return None


def _one_input_off(rng, W, b, hidden, output):
    """The network with one weight or bias moved, so that it is wrong on
    exactly one of the four inputs."""
    for _ in range(40):
        layers = [np.array(W[0], dtype=float), np.array(W[1], dtype=float)]
        shifts = [np.array(b[0], dtype=float), np.array(b[1], dtype=float)]
        target = _pick(rng, layers + shifts)
        index = tuple(int(rng.integers(n)) for n in target.shape)
        target[index] += _pick(rng, (-1.0, -0.5, 0.5, 1.0))
        other = [M.tolist() for M in layers], [v.tolist() for v in shifts]
        wrong = np.abs(xor_outputs(*other, hidden, output)[:, 0] - XOR_TARGETS) > 1e-9
        if wrong.sum() == 1:
            return other
    return None


def _clear_of_zero(weights, biases, hidden, output):
    """No step unit sits exactly on its threshold for any of the four inputs,
    so the convention at step(0) never decides an output."""
    for x in XOR_INPUTS:
        (z1, z2), _ = mlp_forward(weights, biases, x, hidden, output)
        if (hidden == "step" and np.any(z1 == 0)) or (output == "step" and np.any(z2 == 0)):
            return False
    return True


# --- parameters ------------------------------------------------------------------


def _network(params, weights, biases, n_in, n_out=None):
    network = one_hidden_layer(params, n_in, n_out, weights, biases, max_size=4, limit=MAX_ENTRY)
    if network[0][1].shape[0] > 3:
        raise ParameterError(weights, f"at most 3 outputs (rows of W2), got {len(network[0][1])}")
    return network


def _choice_of(params, name, options):
    value = params.get(name)
    if value not in options:
        raise ParameterError(name, f"expected one of {', '.join(options)}, got {value!r}")
    return value


def _parameters(params):
    """The validated parameters: task, activations, the network(s) and x."""
    known_parameters(params, PARAMETERS)
    for name in ("hidden", "output", "weights", "biases"):
        if params.get(name) is None:
            raise ParameterError(name, "missing")
    task = params.get("task")
    if task is None:  # the task the given parameters pose
        task = FORWARD if params.get("x") is not None else XOR_TABLE
        if params.get("weights_b") is not None:
            task = XOR_CHOICE
    task = _choice_of({"task": task}, "task", TASKS)
    hidden = _choice_of(params, "hidden", HIDDEN)
    output = _choice_of(params, "output", OUTPUT)
    found = {"task": task, "hidden": hidden, "output": output}
    if task == FORWARD:
        if params.get("x") is None:
            raise ParameterError("x", "missing: the forward task needs an input")
        x = checked(lambda p, n: vector(p, n, max_size=4), params["x"], "x", limit=MAX_ENTRY)
        found["network"] = _network(params, "weights", "biases", x.size)
        found["x"] = x
        return found
    found["network"] = _network(params, "weights", "biases", 2, 1)
    if task == XOR_CHOICE:
        for name in ("weights_b", "biases_b"):
            if params.get(name) is None:
                raise ParameterError(name, "missing: xor-choice compares networks A and B")
        other = _network(params, "weights_b", "biases_b", 2, 1)
        found["other"] = other
        computes = [realises_xor(*net, hidden, output) for net in (found["network"], other)]
        if computes.count(True) != 1:
            which = "both networks compute" if all(computes) else "neither network computes"
            raise ParameterError(
                "weights_b", f"exactly one of the networks A and B must compute XOR; {which} it"
            )
    return found


# --- statement -------------------------------------------------------------------


def _network_latex(weights, biases, mark=""):
    (W1, W2), (b1, b2) = weights, biases
    return (
        rf"W^1{mark} = {tex.matrix(W1)}, \quad b^1{mark} = {tex.matrix(b1)}, \quad "
        rf"W^2{mark} = {tex.matrix(W2)}, \quad b^2{mark} = {tex.matrix(b2)}"
    )


def _zh_name(kind):
    """An activation's Chinese name, spaced from the Chinese before it when it
    starts with a Latin letter."""
    name = ACTIVATION_NAME[kind]["zh"]
    return f" {name}" if name[0].isascii() else name


def _architecture(p, lang):
    (W1, W2), _ = p["network"]
    h, n_out, n_in = W1.shape[0], W2.shape[0], W1.shape[1]
    equations = (
        r"$$z^1 = W^1 x + b^1, \quad a^1 = f(z^1), \quad z^2 = W^2 a^1 + b^2, \quad y = g(z^2)$$"
    )
    f_latex, g_latex = (
        f"${ACTIVATION_LATEX[p[layer]].format(f=name)}$"
        + (STEP_RULE[lang] if p[layer] == "step" else "")
        for layer, name in (("hidden", "f"), ("output", "g"))
    )
    if lang == "en":
        hidden, output = ACTIVATION_NAME[p["hidden"]]["en"], ACTIVATION_NAME[p["output"]]["en"]
        inputs = f"{n_in} input{'s' if n_in > 1 else ''}"
        units = f"{h} unit{'s' if h > 1 else ''}"
        outputs = "one output unit" if n_out == 1 else f"{n_out} output units"
        return (
            f"A multilayer perceptron has {inputs}, one hidden layer of {units} with "
            f"{hidden} as activation and {outputs} with {output}:\n{equations}\n"
            f"where {f_latex} and {g_latex}, applied entry by entry. Row j of $W^1$ holds "
            "the weights into hidden unit j."
        )
    return (
        f"一个多层感知机有 {n_in} 个输入；一个隐藏层，含 {h} 个单元，激活函数为"
        f"{_zh_name(p['hidden'])}；{n_out} 个输出单元，激活函数为{_zh_name(p['output'])}："
        f"\n{equations}\n其中 {f_latex}，{g_latex}，逐元素作用。"
        "$W^1$ 的第 j 行是进入隐藏单元 j 的权重。"
    )


def statement(params):
    p = _parameters(params)
    weights, biases = p["network"]
    if p["task"] == FORWARD:
        values = f"$${_network_latex(weights, biases)}$$"
        given = rf"$x = {tex.matrix(p['x'])}$"
        return text(
            f"{_architecture(p, 'en')} Its parameters are\n{values}\nFor the input {given}, "
            r"compute the pre-activations $z^1$ of the hidden layer, the hidden activations "
            r"$a^1$ and the output $y$.",
            f"{_architecture(p, 'zh')}参数为\n{values}\n对输入 {given}，求隐藏层的净输入 "
            r"$z^1$、隐藏层的激活值 $a^1$ 以及输出 $y$。",
        )
    inputs = r"$(0, 0), (0, 1), (1, 0), (1, 1)$"
    if p["task"] == XOR_TABLE:
        values = f"$${_network_latex(weights, biases)}$$"
        return text(
            f"{_architecture(p, 'en')} Its weights are set by hand:\n{values}\n"
            f"Compute the output $y$ for each of the inputs $x = (x_1, x_2)$ = {inputs}, in "
            r"this order, and check whether the network computes $x_1 \text{ XOR } x_2$.",
            f"{_architecture(p, 'zh')}其权重是手工设定的：\n{values}\n"
            f"依次对输入 $x = (x_1, x_2)$ = {inputs} 求输出 $y$，并检验该网络是否实现了 "
            r"$x_1 \text{ XOR } x_2$。",
        )
    other_w, other_b = p["other"]
    values = (
        f"$$\\text{{A:}} \\quad {_network_latex(weights, biases)}$$\n"
        f"$$\\text{{B:}} \\quad {_network_latex(other_w, other_b)}$$"
    )
    return text(
        f"{_architecture(p, 'en')} Two networks A and B of this shape have these weights:\n"
        f"{values}\nWhich of them computes $x_1 \\text{{ XOR }} x_2$ (output 1 exactly when "
        f"one input is 1) on all four inputs {inputs}? Answer A or B.",
        f"{_architecture(p, 'zh')}两个这种结构的网络 A 和 B 的权重如下：\n{values}\n"
        f"哪一个在全部四个输入 {inputs} 上都实现了 $x_1 \\text{{ XOR }} x_2$"
        "（恰有一个输入为 1 时输出 1）？回答 A 或 B。",
    )


# --- the mistakes ----------------------------------------------------------------


FEEDBACK = {
    "transposed-weights": (
        "You multiplied by the transpose: z¹ = W¹x + b¹ takes row j of W¹ for hidden unit "
        "j, so z¹ⱼ = Σᵢ W¹ⱼᵢ xᵢ + b¹ⱼ (and likewise z² = W²a¹ + b²).",
        "你乘的是转置矩阵：z¹ = W¹x + b¹ 中，隐藏单元 j 用的是 W¹ 的第 j 行，"
        "即 z¹ⱼ = Σᵢ W¹ⱼᵢ xᵢ + b¹ⱼ（z² = W²a¹ + b² 同理）。",
    ),
    "missing-bias": (
        "You left out the bias: every unit adds its bias to the weighted sum, z = Wx + b.",
        "你漏了偏置：每个单元都要在加权和上加上偏置，z = Wx + b。",
    ),
    "missing-output-bias": (
        "You left out the output bias: z² = W²a¹ + b², then y = g(z²).",
        "你漏了输出层的偏置：z² = W²a¹ + b²，然后 y = g(z²)。",
    ),
    "bias-as-threshold": (
        "You subtracted the bias as if it were a threshold; here it is added: z = Wx + b.",
        "你把偏置当成阈值减去了；这里偏置是加上去的：z = Wx + b。",
    ),
    "activation-before-bias": (
        "You applied the activation before adding the bias: the bias belongs inside, "
        "a = f(Wx + b), not f(Wx) + b.",
        "你在加偏置之前就用了激活函数：偏置应在激活函数之内，a = f(Wx + b)，而不是 f(Wx) + b。",
    ),
    "missing-hidden-activation": (
        "You passed the pre-activations z¹ on without the hidden activation: a¹ = f(z¹).",
        "你没有对隐藏层使用激活函数，直接把净输入 z¹ 传了下去：a¹ = f(z¹)。",
    ),
    "missing-output-activation": (
        "That is the output's pre-activation z²; the output is y = g(z²).",
        "这是输出层的净输入 z²；输出应为 y = g(z²)。",
    ),
    "sigmoid-on-linear-output": (
        "The output unit is linear: y = z² = W²a¹ + b², with no sigmoid on it.",
        "输出单元是线性的：y = z² = W²a¹ + b²，不再套 sigmoid。",
    ),
    "missing-bias-everywhere": (
        "You left out the biases: every unit adds its bias, z¹ = W¹x + b¹ and z² = W²a¹ + b².",
        "你漏了偏置：每个单元都要加偏置，z¹ = W¹x + b¹，z² = W²a¹ + b²。",
    ),
}


def _forward_with(weights, biases, x, hidden, output, before_bias=False):
    """The forward pass as a student with a mistake does it: the activations
    of both layers, the bias added after the activation when ``before_bias``."""
    if not before_bias:
        return mlp_forward(weights, biases, x, hidden, output)[1]
    a, activations = np.asarray(x, dtype=float), []
    for l, (W, b) in enumerate(zip(weights, biases)):
        a = mlp_activation(W @ a, output if l == len(weights) - 1 else hidden) + b
        activations.append(np.asarray(a, dtype=float))
    return activations


def _transposed(weights):
    """Every square weight matrix transposed: the shapes allow the mistake
    only there."""
    return [W.T if W.shape[0] == W.shape[1] else W for W in weights]


def _zero_biases(biases):
    return [np.zeros_like(b) for b in biases]


def _forward_candidates(weights, biases, x, hidden, output):
    (W1, W2), (b1, b2) = weights, biases
    (z1, z2), (a1, y) = mlp_forward(weights, biases, x, hidden, output)
    square = any(W.shape[0] == W.shape[1] for W in weights)
    transposed = _transposed(weights)
    pre = [("missing-bias", W1 @ x)]
    act = [
        ("missing-bias", mlp_activation(W1 @ x, hidden)),
        ("activation-before-bias", mlp_activation(W1 @ x, hidden) + b1),
        ("missing-hidden-activation", z1),
    ]
    out = [
        ("missing-output-bias", mlp_activation(W2 @ a1, output)),
        (
            "missing-bias-everywhere",
            _forward_with(weights, _zero_biases(biases), x, hidden, output)[1],
        ),
        ("activation-before-bias", _forward_with(weights, biases, x, hidden, output, True)[1]),
        ("missing-hidden-activation", mlp_activation(W2 @ z1 + b2, output)),
    ]
    if output == "linear":
        out.append(("sigmoid-on-linear-output", mlp_activation(z2, "sigmoid")))
    else:
        out.append(("missing-output-activation", z2))
    if W1.shape[0] == W1.shape[1]:
        pre.insert(0, ("transposed-weights", W1.T @ x + b1))
        act.insert(0, ("transposed-weights", mlp_activation(W1.T @ x + b1, hidden)))
    if square:
        out.insert(
            0, ("transposed-weights", _forward_with(transposed, biases, x, hidden, output)[1])
        )
    return pre, act, out


def _xor_candidates(weights, biases, hidden, output):
    def outputs(w, b, h=hidden, o=output, before_bias=False):
        return np.array([_forward_with(w, b, x, h, o, before_bias)[1][0] for x in XOR_INPUTS])

    found = []
    if weights[0].shape[0] == weights[0].shape[1]:
        found.append(("transposed-weights", outputs([weights[0].T, weights[1]], biases)))
    found += [
        ("missing-bias-everywhere", outputs(weights, _zero_biases(biases))),
        ("bias-as-threshold", outputs(weights, [-b for b in biases])),
        ("activation-before-bias", outputs(weights, biases, before_bias=True)),
        ("missing-hidden-activation", outputs(weights, biases, h="linear")),
    ]
    if output == "linear":
        found.append(("sigmoid-on-linear-output", outputs(weights, biases, o="sigmoid")))
    else:
        found.append(("missing-output-activation", outputs(weights, biases, o="linear")))
    return found


def _diagnosis(network, hidden, output):
    """The mistake under which a network that does not compute XOR seems to
    (its tag), or how it fails, and its real outputs on the four inputs."""
    weights = [np.asarray(W, dtype=float) for W in network[0]]
    biases = [np.asarray(b, dtype=float) for b in network[1]]
    outputs = xor_outputs(weights, biases, hidden, output)[:, 0]
    if weights[0].shape[0] == weights[0].shape[1] and realises_xor(
        [weights[0].T, weights[1]], biases, hidden, output
    ):
        return "transposed-weights", outputs
    if any(np.any(b) for b in biases) and realises_xor(
        weights, [-b for b in biases], hidden, output
    ):
        return "bias-as-threshold", outputs
    if np.sum(np.abs(outputs - XOR_TARGETS) > 1e-9) == 1:
        return "not-all-inputs", outputs
    return "wrong-network", outputs


def _choice_misconception(p):
    """The wrong network, named with the mistake that makes it look right."""
    computes_a = realises_xor(*p["network"], p["hidden"], p["output"])
    right, wrong = ("A", "B") if computes_a else ("B", "A")
    tag, outputs = _diagnosis(p["other"] if computes_a else p["network"], p["hidden"], p["output"])
    shown = "(" + ", ".join(tex.plain(v) for v in outputs) + ")"
    if tag == "transposed-weights":
        en = (
            f"Network {wrong} computes XOR only if you multiply by the transpose (W¹)ᵀ. With "
            f"z¹ = W¹x + b¹ (row j of W¹ feeds hidden unit j) its outputs are {shown}, not "
            f"(0, 1, 1, 0); network {right} computes XOR."
        )
        zh = (
            f"只有乘以转置 (W¹)ᵀ 时网络 {wrong} 才像是实现了异或。按 z¹ = W¹x + b¹"
            f"（W¹ 的第 j 行对应隐藏单元 j）计算，它的输出是 {shown}，不是 (0, 1, 1, 0)；"
            f"实现异或的是网络 {right}。"
        )
    elif tag == "bias-as-threshold":
        en = (
            f"Network {wrong} computes XOR only if the bias is subtracted like a threshold. "
            f"Here it is added, z = Wx + b, and its outputs are {shown}, not (0, 1, 1, 0); "
            f"network {right} computes XOR."
        )
        zh = (
            f"只有把偏置当作阈值减去时，网络 {wrong} 才像是实现了异或。这里偏置是加上的，"
            f"z = Wx + b，它的输出是 {shown}，不是 (0, 1, 1, 0)；实现异或的是网络 {right}。"
        )
    else:
        where = int(np.argmax(np.abs(outputs - XOR_TARGETS) > 1e-9))
        x1, x2 = (int(v) for v in XOR_INPUTS[where])
        detail_en = detail_zh = ""
        if tag == "not-all-inputs":
            detail_en = (
                f" It is right on three inputs but gives {tex.plain(outputs[where])} on "
                f"({x1}, {x2}), where XOR is {int(XOR_TARGETS[where])}: check all four inputs."
            )
            detail_zh = (
                f"它在三个输入上是对的，但在 ({x1}, {x2}) 上输出 {tex.plain(outputs[where])}，"
                f"而异或应为 {int(XOR_TARGETS[where])}：四个输入都要检查。"
            )
        en = (
            f"Network {wrong} outputs {shown} on (0, 0), (0, 1), (1, 0), (1, 1), not "
            f"(0, 1, 1, 0).{detail_en} Network {right} computes XOR."
        )
        zh = (
            f"网络 {wrong} 在 (0, 0), (0, 1), (1, 0), (1, 1) 上的输出是 {shown}，"
            f"不是 (0, 1, 1, 0)。{detail_zh}实现异或的是网络 {right}。"
        )
    return right, Misconception(tag, wrong, en, zh)


# --- solving ---------------------------------------------------------------------


def solve(params):
    return _solve(params)[0]


def _kept(probe, candidates, dropped):
    kept = distinct_misconceptions(probe, candidates, FEEDBACK)
    dropped += sorted({tag for tag, _ in candidates} - {m.tag for m in kept})
    return kept


def _solve(params):
    """The solution, and the tags of the mistakes that coincide here with the
    right answer or with an earlier mistake (left out of the parts)."""
    p = _parameters(params)
    weights, biases = p["network"]
    hidden, output = p["hidden"], p["output"]
    dropped = []
    if p["task"] == FORWARD:
        x = p["x"]
        (z1, z2), (a1, y) = mlp_forward(weights, biases, x, hidden, output)
        pre, act, out = _forward_candidates(weights, biases, x, hidden, output)
        probes = {"hidden_pre": Vector(z1, **TOLERANCE), "hidden": Vector(a1, **TOLERANCE)}
        if y.size == 1:
            probes["output"] = Number(float(y[0]), **TOLERANCE)
            out = [(tag, float(np.ravel(v)[0])) for tag, v in out]
        else:
            probes["output"] = Vector(y, **TOLERANCE)
        labels = {
            "hidden_pre": text(
                r"pre-activations $z^1 = W^1 x + b^1$", r"净输入 $z^1 = W^1 x + b^1$"
            ),
            "hidden": text(r"hidden activations $a^1$", r"隐藏层激活值 $a^1$"),
            "output": text("output $y$", "输出 $y$"),
        }
        parts = tuple(
            Part(
                name,
                labels[name],
                type(probe)(probe.value, **TOLERANCE, misconceptions=_kept(probe, cands, dropped)),
            )
            for (name, probe), cands in zip(probes.items(), (pre, act, out))
        )
        return Solution(parts, _forward_steps(p, z1, a1, z2, y)), dropped
    if p["task"] == XOR_TABLE:
        outputs = xor_outputs(weights, biases, hidden, output)[:, 0]
        probe = Vector(outputs, **TOLERANCE)
        kept = _kept(probe, _xor_candidates(weights, biases, hidden, output), dropped)
        part = Part(
            "outputs",
            text(
                "outputs $y$ on (0, 0), (0, 1), (1, 0), (1, 1)",
                "在 (0, 0), (0, 1), (1, 0), (1, 1) 上的输出 $y$",
            ),
            Vector(outputs, **TOLERANCE, misconceptions=kept),
        )
        return Solution((part,), _xor_steps(p, outputs)), dropped
    right, mistake = _choice_misconception(p)
    part = Part(
        "xor_choice",
        text("the network that computes XOR (A or B)", "实现异或的网络（A 或 B）"),
        Choice(("A", "B"), right, misconceptions=(mistake,)),
    )
    return Solution((part,), _choice_steps(p, right)), dropped


# --- worked steps ----------------------------------------------------------------


def _unit(name, j, count):
    """The name of unit j of a layer, without an index when it is the only one."""
    return f"{name}_{j + 1}" if count > 1 else name


def _sums(W, inputs, b, name):
    """z_j = w_j1 x_1 + … + b_j written out for every unit j."""
    return r", \quad ".join(
        f"{_unit(name, j, len(W))} = "
        + " + ".join(rf"{tex.paren(w)} \cdot {tex.paren(v)}" for w, v in zip(row, inputs))
        + rf" {tex.signed(bj)} = {tex.num(row @ inputs + bj)}"
        for j, (row, bj) in enumerate(zip(W, b))
    )


def _activation_values(kind, z, name):
    """a_j = f(z_j) written out for every unit j."""
    pieces = []
    for j, v in enumerate(z):
        value = tex.num(mlp_activation(v, kind))
        if kind == "sigmoid":
            body = rf"\frac{{1}}{{1 + e^{{{tex.num(-v)}}}}}"
        elif kind == "relu":
            body = rf"\max(0, {tex.num(v)})"
        elif kind == "step":
            body = rf"\text{{step}}({tex.num(v)})"
        else:
            body = tex.num(v)
        pieces.append(rf"{_unit(name, j, len(z))} = {body} = {value}")
    return r", \quad ".join(pieces)


def _forward_steps(p, z1, a1, z2, y):
    (W1, W2), (b1, b2) = p["network"]
    x = p["x"]
    hidden, output = p["hidden"], p["output"]
    steps = [
        Step(
            text(
                "Hidden layer: each unit takes its row of $W^1$ times $x$, plus its bias:",
                "隐藏层：每个单元用 $W^1$ 中自己的那一行乘以 $x$，再加上偏置：",
            ),
            rf"z^1 = W^1 x + b^1 = {tex.matrix(W1)} {tex.matrix(x)} + {tex.matrix(b1)}: "
            rf"\quad {_sums(W1, x, b1, 'z^1')} \;\Rightarrow\; z^1 = {tex.matrix(z1)}",
        ),
        Step(
            text(
                f"Apply {ACTIVATION_NAME[hidden]['en']} to every entry:",
                f"对每个分量使用{_zh_name(hidden)}：",
            ),
            rf"{_activation_values(hidden, z1, 'a^1')} \;\Rightarrow\; a^1 = {tex.matrix(a1)}",
        ),
        Step(
            text(
                "Output layer: the same with $a^1$ as its input:",
                "输出层：同样计算，输入为 $a^1$：",
            ),
            rf"z^2 = W^2 a^1 + b^2 = {tex.matrix(W2)} {tex.matrix(a1)} + {tex.matrix(b2)}: "
            rf"\quad {_sums(W2, a1, b2, 'z^2')}",
        ),
    ]
    result = tex.num(y[0]) if y.size == 1 else tex.matrix(y)
    if output == "linear":
        steps.append(
            Step(
                text(
                    "The output unit is linear, so the output is its pre-activation:",
                    "输出单元是线性的，输出就是它的净输入：",
                ),
                rf"y = z^2 = {result}",
            )
        )
    else:
        steps.append(
            Step(
                text(
                    f"Apply {ACTIVATION_NAME[output]['en']} to get the output:",
                    f"使用{_zh_name(output)}得到输出：",
                ),
                _activation_values(output, z2, "y")
                + ("" if y.size == 1 else rf" \;\Rightarrow\; y = {result}"),
            )
        )
    return tuple(steps)


def _table(weights, biases, hidden, output):
    """One row per Boolean input: z¹, a¹, z² and y."""
    W1 = weights[0]
    h = W1.shape[0]
    head = " & ".join(
        ["x_1", "x_2"]
        + [f"z^1_{j + 1}" for j in range(h)]
        + [f"a^1_{j + 1}" for j in range(h)]
        + ["z^2", "y"]
    )
    rows = []
    for x in XOR_INPUTS:
        (z1, z2), (a1, y) = mlp_forward(weights, biases, x, hidden, output)
        cells = [str(int(v)) for v in x] + [tex.num(v) for v in (*z1, *a1, z2[0], y[0])]
        rows.append(" & ".join(cells))
    columns = f"cc|{'c' * h}|{'c' * h}|c|c"
    return rf"\begin{{array}}{{{columns}}} {head} \\ \hline " + r" \\ ".join(rows) + r" \end{array}"


def _gate_note(weights, biases, hidden):
    """Which logic gate each hidden step unit computes, where it is one."""
    if hidden != "step":
        return "", ""
    names = []
    for j, (row, bj) in enumerate(zip(weights[0], biases[0])):
        table = tuple(int(v > 0) for v in XOR_INPUTS @ row + bj)
        if table in GATES:
            names.append(rf"$a^1_{j + 1} = {GATES[table]}$")
    if not names:
        return "", ""
    return " The hidden units compute " + ", ".join(names) + ".", (
        "隐藏单元分别计算 " + "，".join(names) + "。"
    )


def _xor_steps(p, outputs):
    weights, biases = p["network"]
    hidden, output = p["hidden"], p["output"]
    gates_en, gates_zh = _gate_note(weights, biases, hidden)
    computes = realises_xor(weights, biases, hidden, output)
    verdict_en = (
        "This is XOR's truth table (0, 1, 1, 0)."
        if computes
        else ("This is not XOR's truth table (0, 1, 1, 0).")
    )
    verdict_zh = (
        "这正是异或的真值表 (0, 1, 1, 0)。" if computes else "这不是异或的真值表 (0, 1, 1, 0)。"
    )
    return (
        Step(
            text(
                "For each input compute $z^1 = W^1 x + b^1$, $a^1 = f(z^1)$, "
                f"$z^2 = W^2 a^1 + b^2$ and $y = g(z^2)$.{gates_en}",
                "对每个输入依次计算 $z^1 = W^1 x + b^1$、$a^1 = f(z^1)$、"
                f"$z^2 = W^2 a^1 + b^2$ 和 $y = g(z^2)$。{gates_zh}",
            ),
            _table(weights, biases, hidden, output),
        ),
        Step(
            text(
                f"The outputs in the order (0, 0), (0, 1), (1, 0), (1, 1). {verdict_en}",
                f"按 (0, 0), (0, 1), (1, 0), (1, 1) 的顺序，输出为：{verdict_zh}",
            ),
            rf"y = {tex.row(outputs)}",
        ),
    )


def _choice_steps(p, right):
    hidden, output = p["hidden"], p["output"]
    steps = []
    for name, (weights, biases) in (("A", p["network"]), ("B", p["other"])):
        gates_en, gates_zh = _gate_note(weights, biases, hidden)
        outputs = xor_outputs(weights, biases, hidden, output)[:, 0]
        steps.append(
            Step(
                text(
                    f"Network {name} on the four inputs.{gates_en}",
                    f"网络 {name} 在四个输入上的计算。{gates_zh}",
                ),
                _table(weights, biases, hidden, output)
                + rf" \qquad y_{{\text{{{name}}}}} = {tex.row(outputs)}",
            )
        )
    steps.append(
        Step(
            text(
                "Only one of them gives XOR's truth table (0, 1, 1, 0):",
                "只有一个网络给出异或的真值表 (0, 1, 1, 0)：",
            ),
            rf"y_{{\text{{{right}}}}} = {tex.row(XOR_TARGETS)} \;\Rightarrow\; \text{{{right}}}",
        )
    )
    return tuple(steps)
