"""A curve built from activations, evaluated at one input: the notes'
y = b + Σ cᵢ σ(bᵢ + wᵢx), its ReLU form and its hard-sigmoid form."""

import numpy as np

from tutor import tex
from tutor.answers import Misconception, Number, Vector
from tutor.figures import COLORS, DASHES, MARKERS, Figure, label_number, subscript
from tutor.problem import (
    ParameterError,
    Part,
    Solution,
    Step,
    has_distinct_misconceptions,
    known_parameters,
    number,
    text,
    vector,
)
from tutor.solutions.activations import (
    activation_curve,
    activation_pieces,
    hard_sigmoid,
    relu,
    sigmoid,
)

ID = "activation-curve"
TOPIC = "neural-networks"
TITLE = text(
    "A curve as a sum of sigmoids, ReLUs or hard sigmoids",
    "用 sigmoid、ReLU 或 hard sigmoid 叠加出的曲线",
)
PARAMETERS = {
    "kind": text(
        'the activation: "sigmoid", "relu" or "hard_sigmoid"',
        '激活函数："sigmoid"、"relu" 或 "hard_sigmoid"',
    ),
    "x": text("the input x at which to evaluate the curve", "要计算曲线取值的输入 x"),
    "b": text("the outer bias b (the constant)", "外层偏置 b（常数项）"),
    "c": text("the heights c_i, one per unit (1 to 6 units)", "各单元的高度 c_i（1 到 6 个单元）"),
    "w": text("the slopes w_i, one per unit", "各单元的斜率（权重）w_i"),
    "bias": text("the inner biases b_i, one per unit", "各单元的内层偏置 b_i"),
}

KINDS = ("sigmoid", "relu", "hard_sigmoid")
ACTIVATION = {"sigmoid": sigmoid, "relu": relu, "hard_sigmoid": hard_sigmoid}
SYMBOL = {"sigmoid": r"\sigma", "relu": r"\mathrm{ReLU}", "hard_sigmoid": "h"}
LIMIT = 100.0
TOLERANCE = {"rtol": 1e-2, "atol": 5e-3}

# Exam-friendly points where each activation is evaluated: whole numbers for
# the sigmoid (σ(1) = 0.7311, σ(2) = 0.8808, …), and points on both sides of
# the kinks for the ReLU and the hard sigmoid.
Z_POINTS = {
    "sigmoid": (-2.0, -1.0, 0.0, 1.0, 2.0),
    "relu": (-3.0, -2.0, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0, 3.0),
    "hard_sigmoid": (-1.5, -1.0, -0.5, 0.25, 0.5, 0.75, 1.5, 2.0),
}
HEIGHTS = (-2.0, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0, 3.0)
OUTER = (-2.0, -1.0, -0.5, 0.5, 1.0, 1.5, 2.0)


def generate(rng, difficulty=2):
    if difficulty <= 1:
        kind = KINDS[int(rng.integers(2))]
        m = 2
    else:
        kind = KINDS[int(rng.choice(3, p=[0.45, 0.3, 0.25]))]
        m = 3 if difficulty >= 3 or rng.random() < 0.4 else 2
    xs = (1.0, 2.0) if difficulty <= 1 else (-2.0, -1.0, 1.0, 2.0, 3.0)
    if difficulty >= 3:
        xs += (-1.5, -0.5, 0.5, 1.5)
    slopes = (-2.0, -1.0, 1.0, 2.0) if difficulty <= 2 else (-2.0, -1.0, -0.5, 0.5, 1.0, 2.0)
    while True:
        x = float(rng.choice(xs))
        w = rng.choice(slopes, size=m)
        # Draw backwards: the point z_i where unit i is evaluated first, then
        # the inner bias that puts it there.
        z = rng.choice(Z_POINTS[kind], size=m, replace=False)
        bias = z - w * x
        c = rng.choice(HEIGHTS, size=m)
        params = {
            "kind": kind,
            "x": x,
            "b": float(rng.choice(OUTER)),
            "c": c.tolist(),
            "w": w.tolist(),
            "bias": bias.tolist(),
        }
        if (
            _interesting(kind, z)
            and np.max(np.abs(bias)) <= 6
            and has_distinct_misconceptions(solve(params))
        ):
            return params


def _interesting(kind, z):
    """A ReLU unit on each side of its kink; a hard sigmoid with one unit on
    its ramp and one on a flat part: every piece of the construction is used."""
    if kind == "relu":
        return bool(np.any(z < 0) and np.any(z > 0))
    if kind == "hard_sigmoid":
        on_ramp = (z > 0) & (z < 1)
        return bool(np.any(on_ramp) and np.any(~on_ramp))
    return True


def _values(params):
    known_parameters(params, PARAMETERS)
    kind = params.get("kind")
    if kind not in KINDS:
        raise ParameterError("kind", f"expected one of {', '.join(KINDS)}, got {kind!r}")
    x = number(params, "x", -LIMIT, LIMIT)
    b = number(params, "b", -LIMIT, LIMIT)
    c = vector(params, "c", min_size=1, max_size=6)
    m = c.size
    w = vector(params, "w", size=m)
    bias = vector(params, "bias", size=m)
    for name, values in (("c", c), ("w", w), ("bias", bias)):
        if np.any(np.abs(values) > LIMIT):
            raise ParameterError(name, f"every entry must be within ±{LIMIT:g}")
    return kind, x, b, c, w, bias


def _formula(kind):
    """y = b + Σ c_i a(b_i + w_i x) with the activation of this kind."""
    return rf"y = b + \sum_{{i}} c_i\, {SYMBOL[kind]}(b_i + w_i x)"


def _definition(kind):
    return {
        "sigmoid": r"\sigma(z) = \frac{1}{1 + e^{-z}}",
        "relu": r"\mathrm{ReLU}(z) = \max(0, z)",
        "hard_sigmoid": r"h(z) = \max(0, z) - \max(0, z - 1)",
    }[kind]


def statement(params):
    kind = params["kind"]
    c, w, bias = (np.asarray(params[k], dtype=float) for k in ("c", "w", "bias"))
    m = c.size
    x, b = float(params["x"]), float(params["b"])
    header = " & ".join(str(i + 1) for i in range(m))
    rows = r" \\ ".join(
        f"{name} & " + " & ".join(tex.num(v) for v in values)
        for name, values in (("c_i", c), ("b_i", bias), ("w_i", w))
    )
    table = rf"$$\begin{{array}}{{c|{'c' * m}}} i & {header} \\ \hline {rows} \end{{array}}$$"
    model = f"$${_formula(kind)}, \\qquad {_definition(kind)}$$"
    where = {
        "sigmoid": (
            "the sigmoid",
            "sigmoid 函数",
        ),
        "relu": (
            "the ReLU (each hard sigmoid of the notes is two of them)",
            "ReLU（笔记中每个 hard sigmoid 都由两个 ReLU 组成）",
        ),
        "hard_sigmoid": (
            "the hard sigmoid built from two ReLUs: 0 for $z \\le 0$, a ramp $z$ on "
            "$[0, 1]$, 1 for $z \\ge 1$",
            "由两个 ReLU 叠成的 hard sigmoid：$z \\le 0$ 时为 0，在 $[0, 1]$ 上为斜坡 $z$，"
            "$z \\ge 1$ 时为 1",
        ),
    }[kind]
    term = rf"$c_i\, {SYMBOL[kind]}(b_i + w_i x)$"
    return text(
        f"As in the lectures, a curve is modelled as a constant plus {m} shifted, scaled "
        f"copies of an activation, here {where[0]}:\n{model}\nThe outer bias is "
        f"$b = {tex.num(b)}$ and the {m} units have the parameters\n{table}\n"
        f"At $x = {tex.num(x)}$, compute each unit's term {term} (as a vector, unit 1 first) "
        "and the output $y$.",
        f"和课上一样，把一条曲线写成一个常数加上 {m} 个经过平移和缩放的激活函数，"
        f"这里的激活函数是{where[1]}：\n{model}\n外层偏置 $b = {tex.num(b)}$，"
        f"{m} 个单元的参数为\n{table}\n"
        f"在 $x = {tex.num(x)}$ 处，求每个单元的项 {term}（写成向量，从单元 1 开始）以及输出 $y$。",
    )


def _activation_latex(kind, z, value, i):
    """a(z_i) with the numbers: the definition, the substitution, the value."""
    a = SYMBOL[kind]
    if kind == "sigmoid":
        return (
            rf"{a}(z_{i}) = \frac{{1}}{{1 + e^{{-z_{i}}}}} = \frac{{1}}{{1 + e^{{{tex.num(-z)}}}}}"
            rf" = \frac{{1}}{{1 + {tex.num(np.exp(-z))}}} = {tex.num(value)}"
        )
    if kind == "relu":
        return rf"{a}(z_{i}) = \max(0, {tex.num(z)}) = {tex.num(value)}"
    return (
        rf"h(z_{i}) = \max(0, {tex.num(z)}) - \max(0, {tex.num(z)} - 1) = "
        rf"{tex.num(max(z, 0.0))} - {tex.paren(max(z - 1.0, 0.0))} = {tex.num(value)}"
    )


def _misconceptions(kind, x, b, c, w, bias, z, act, pieces):
    """(tag, wrong pieces, feedback en, feedback zh) of each mistake on the terms."""
    f = ACTIVATION[kind]
    a = {"sigmoid": "σ", "relu": "max(0, ·)", "hard_sigmoid": "h"}[kind]
    mistakes = [
        (
            "activation-before-slope",
            c * (np.asarray(f(bias)) + w * x),
            f"You applied {a} to bᵢ alone and added wᵢx afterwards: the activation takes "
            f"the whole sum, cᵢ·{a}(bᵢ + wᵢx).",
            f"你只对 bᵢ 用了 {a}，之后才加上 wᵢx：激活函数作用于整个和，cᵢ·{a}(bᵢ + wᵢx)。",
        ),
        (
            "slope-as-height",
            w * act,
            f"You multiplied by the slope wᵢ; the height of unit i is cᵢ: cᵢ·{a}(bᵢ + wᵢx).",
            f"你乘的是斜率 wᵢ；第 i 个单元的高度是 cᵢ：cᵢ·{a}(bᵢ + wᵢx)。",
        ),
    ]
    if kind == "sigmoid":
        mistakes.append(
            (
                "exponent-sign",
                c * np.asarray(sigmoid(-z)),
                "Check the sign in the exponent: σ(z) = 1/(1 + e^{−z}); "
                "1/(1 + e^{z}) is σ(−z) = 1 − σ(z).",
                "注意指数的符号：σ(z) = 1/(1 + e^{−z})；1/(1 + e^{z}) 是 σ(−z) = 1 − σ(z)。",
            )
        )
    elif kind == "relu":
        mistakes.append(
            (
                "not-clipped",
                c * z,
                "A ReLU clips negative inputs to 0: max(0, z) is 0 for z < 0, not z.",
                "ReLU 会把负的输入截为 0：z < 0 时 max(0, z) = 0，而不是 z。",
            )
        )
    else:
        mistakes.append(
            (
                "not-clipped",
                c * z,
                "The hard sigmoid is flat outside [0, 1]: h(z) = 0 for z ≤ 0 and 1 for z ≥ 1; "
                "only on the ramp is h(z) = z.",
                "hard sigmoid 在 [0, 1] 之外是平的：z ≤ 0 时 h(z) = 0，z ≥ 1 时 h(z) = 1；"
                "只有在斜坡上才有 h(z) = z。",
            )
        )
    return [m for m in mistakes if not np.allclose(m[1], pieces, rtol=0, atol=1e-9)]


def solve(params):
    kind, x, b, c, w, bias = _values(params)
    pieces = activation_pieces(x, c, w, bias, kind)
    y = activation_curve(x, b, c, w, bias, kind)
    z = bias + w * x
    act = np.asarray(ACTIVATION[kind](z))

    mistakes = _misconceptions(kind, x, b, c, w, bias, z, act, pieces)
    piece_mistakes = tuple(Misconception(tag, v, en, zh) for tag, v, en, zh in mistakes)
    y_mistakes = (
        Misconception(
            "missing-outer-bias",
            y - b,
            f"You left out the outer bias: y = b + Σ cᵢ·(…), with b = {tex.plain(b)} added once.",
            f"你漏掉了外层偏置：y = b + Σ cᵢ·(…)，其中 b = {tex.plain(b)} 只加一次。",
        ),
    ) + tuple(Misconception(tag, b + float(np.sum(v)), en, zh) for tag, v, en, zh in mistakes)

    parts = (
        Part(
            "pieces",
            text(
                rf"the terms $c_i\, {SYMBOL[kind]}(b_i + w_i x)$, unit 1 first",
                rf"各项 $c_i\, {SYMBOL[kind]}(b_i + w_i x)$，从单元 1 开始",
            ),
            Vector(pieces, **TOLERANCE, misconceptions=piece_mistakes),
            points=float(len(pieces)),
        ),
        Part(
            "y",
            text("the output $y$", "输出 $y$"),
            Number(y, **TOLERANCE, misconceptions=y_mistakes),
        ),
    )

    steps = [
        Step(
            text(
                "The model adds the outer bias to one term per unit; each unit first "
                "computes its own input $z_i = b_i + w_i x$:",
                "模型在外层偏置上加上每个单元的一项；"
                "每个单元先算出自己的输入 $z_i = b_i + w_i x$：",
            ),
            rf"{_formula(kind)}, \qquad {_definition(kind)}",
        )
    ]
    for i in range(len(c)):
        k = i + 1
        steps.append(
            Step(
                text(f"Unit {k}:", f"单元 {k}："),
                rf"z_{k} = {tex.num(bias[i])} + {tex.paren(w[i])} \cdot {tex.paren(x)} "
                rf"= {tex.num(z[i])}, \quad {_activation_latex(kind, z[i], act[i], k)}, \quad "
                rf"c_{k}\, {SYMBOL[kind]}(z_{k}) = {tex.num(c[i])} \cdot {tex.num(act[i])} "
                rf"= {tex.num(pieces[i])}",
            )
        )
    terms = " ".join(tex.signed(p) for p in pieces)
    steps += [
        Step(
            text("The terms, unit 1 first:", "各项（从单元 1 开始）："),
            rf"\left(c_i\, {SYMBOL[kind]}(z_i)\right)_i = {tex.row(pieces)}",
        ),
        Step(
            text(
                "Add them to the outer bias $b$ (added once, not once per unit):",
                "把它们加到外层偏置 $b$ 上（$b$ 只加一次，不是每个单元加一次）：",
            ),
            rf"y = {tex.num(b)} {terms} = {tex.num(y)}",
        ),
    ]
    return Solution(parts, tuple(steps))


def _window(kind, x, w, bias, reach=15.0):
    """The inputs to plot: x and, for every unit with w_i ≠ 0, where it
    changes (the sigmoid's rise for z_i from −4 to 4, the kinks of the ReLU
    at z_i = 0 and of the hard sigmoid at z_i = 0 and 1), kept within
    ``reach`` of x so that a far-away unit does not shrink the rest."""
    edges = {"sigmoid": (-4.0, 4.0), "relu": (0.0,), "hard_sigmoid": (0.0, 1.0)}[kind]
    slopes = w != 0
    marks = [x] + [float(v) for e in edges for v in (e - bias[slopes]) / w[slopes]]
    low, high = max(min(marks), x - reach), min(max(marks), x + reach)
    pad = max(1.0, 0.1 * (high - low))
    return low - pad, high + pad


def _kinks(kind, w, bias):
    """The inputs where a ReLU or a hard sigmoid bends, so that the plot
    passes through the corners exactly."""
    if kind == "sigmoid":
        return np.array([])
    edges = (0.0,) if kind == "relu" else (0.0, 1.0)
    slopes = w != 0
    return np.concatenate([(e - bias[slopes]) / w[slopes] for e in edges])


def figure(params, solution):
    """The curve y = b + Σ cᵢ a(bᵢ + wᵢx) (solid) with each unit's term
    cᵢ a(bᵢ + wᵢx) (dashed, dotted, dash-dotted) and the outer bias b, over
    an input range that shows every unit's bend and the asked x; at x a
    marker on every curve gives the terms and y of the answer. A unit that
    bends more than 15 from x is drawn only as far as the window reaches."""
    kind, x, b, c, w, bias = _values(params)
    pieces = activation_pieces(x, c, w, bias, kind)
    y = activation_curve(x, b, c, w, bias, kind)
    low, high = _window(kind, x, w, bias)
    a = {"sigmoid": "σ", "relu": "ReLU", "hard_sigmoid": "h"}[kind]

    def draw(ax):
        kinks = _kinks(kind, w, bias)
        grid = np.union1d(np.linspace(low, high, 801), kinks[(kinks > low) & (kinks < high)])
        grid = np.union1d(grid, [x])
        at = [int(np.searchsorted(grid, x))]
        curves = activation_pieces(grid, c, w, bias, kind)
        ax.axhline(
            b,
            color="#777777",
            linewidth=0.9,
            linestyle=(0, (1, 1)),
            label=f"b = {label_number(b)}",
        )
        for i in range(c.size):
            ax.plot(
                grid,
                curves[:, i],
                DASHES[1 + i % 3],
                color=COLORS[i % len(COLORS)],
                marker=MARKERS[i % len(MARKERS)],
                markevery=at,
                markersize=6,
                linewidth=1.3,
                zorder=3,
                label=f"c{subscript(i + 1)} {a}(z{subscript(i + 1)}) = {label_number(pieces[i])}",
            )
        ax.plot(
            grid,
            b + curves.sum(axis=1),
            DASHES[0],
            color="black",
            marker="*",
            markevery=at,
            markersize=11,
            linewidth=2,
            label=f"y = {label_number(y)}",
        )
        ax.axvline(x, color="#777777", linewidth=0.9, linestyle=DASHES[3])
        ax.set_xlim(low, high)
        ax.margins(y=0.08)  # b often lies at the edge of the data
        ax.set_xlabel("x", fontstyle="italic")
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0)

    m = c.size
    name = {"sigmoid": "σ", "relu": "ReLU", "hard_sigmoid": "h"}[kind]
    terms = ", ".join(tex.plain(p) for p in pieces)
    caption = text(
        f"The curve y = b + Σ cᵢ {name}(bᵢ + wᵢx) (solid) is the outer bias b (thin dotted "
        f"line) plus its {m} term{'s' if m > 1 else ''} cᵢ {name}(bᵢ + wᵢx), one per unit "
        f"(dashed and dotted). At x = {tex.plain(x)} (vertical line) the markers give each "
        f"term, zᵢ = bᵢ + wᵢx, and their sum y = {tex.plain(y)}.",
        f"曲线 y = b + Σ cᵢ {name}(bᵢ + wᵢx)（实线）等于外层偏置 b（细点线）加上 {m} 个"
        f"单元各自的项 cᵢ {name}(bᵢ + wᵢx)（虚线和点线）。在 x = {tex.plain(x)} 处"
        f"（竖线），各标记给出每一项（zᵢ = bᵢ + wᵢx）以及它们的和 y = {tex.plain(y)}。",
    )
    alt = text(
        f"Graph of y = b + Σ cᵢ {name}(bᵢ + wᵢx) for x from {tex.plain(low)} to "
        f"{tex.plain(high)}, with b = {tex.plain(b)} and its {m} terms drawn separately; at "
        f"x = {tex.plain(x)} the terms are {terms} and y = {tex.plain(y)}.",
        f"y = b + Σ cᵢ {name}(bᵢ + wᵢx) 的图像，x 从 {tex.plain(low)} 到 {tex.plain(high)}，"
        f"b = {tex.plain(b)}，{m} 个项分别画出；在 x = {tex.plain(x)} 处各项为 {terms}，"
        f"y = {tex.plain(y)}。",
    )
    return Figure(draw, caption, alt)
