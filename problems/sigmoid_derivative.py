"""The sigmoid, its derivative through the shortcut σ′ = y(1 − y), the
gradient it passes back in backpropagation, and d/dx σ(wx + b) by the chain rule."""

from functools import cache

import numpy as np

from tutor import tex
from tutor.answers import Expression, Misconception, Number
from tutor.figures import COLORS, DASHES, MARKERS, Figure, label_number
from tutor.problem import (
    Part,
    Solution,
    Step,
    has_distinct_misconceptions,
    known_parameters,
    number,
    text,
)
from tutor.solutions.activations import sigmoid, sigmoid_grad

ID = "sigmoid-derivative"
TOPIC = "neural-networks"
TITLE = text("The sigmoid and its derivative", "sigmoid 函数及其导数")
PARAMETERS = {
    "z": text(
        "the pre-activation fed to the sigmoid, |z| ≤ 100",
        "输入 sigmoid 的预激活值，|z| ≤ 100",
    ),
    "upstream": text(
        "the gradient δy = ∂L/∂y arriving from the layer above",
        "从上一层传回的梯度 δy = ∂L/∂y",
    ),
    "w": text(
        "the weight of the neuron y = σ(wx + b), |w| ≤ 100",
        "神经元 y = σ(wx + b) 的权重，|w| ≤ 100",
    ),
    "b": text(
        "the bias of the neuron y = σ(wx + b), |b| ≤ 100",
        "神经元 y = σ(wx + b) 的偏置，|b| ≤ 100",
    ),
}

TOLERANCE = {"rtol": 1e-2, "atol": 1e-3}
LIMIT = 100.0


def generate(rng, difficulty=2):
    # Beyond |z| = 3 the sigmoid saturates and σ′ shrinks below 0.05, where
    # the tolerance would stop telling the mistakes apart.
    z_steps = {1: (5, 20), 2: (2, 30)}.get(difficulty, (4, 60))
    z_unit = 20 if difficulty >= 3 else 10
    zero_bias = 0.5 if difficulty <= 1 else 0.25
    while True:
        z = _signed(rng, *z_steps) / z_unit
        upstream = _signed(rng, 3, 20) / 10
        w = _signed(rng, 2, 25) / 10
        if difficulty <= 1:
            w = abs(w)
        b = 0.0 if rng.random() < zero_bias else _signed(rng, 1, 20) / 10
        params = {"z": z, "upstream": upstream, "w": w, "b": b}
        if has_distinct_misconceptions(solve(params)):
            return params


def _signed(rng, low, high):
    """A whole number with low ≤ |k| ≤ high and a random sign."""
    return int(rng.integers(low, high + 1)) * (1 if rng.random() < 0.5 else -1)


def _values(params):
    known_parameters(params, PARAMETERS)
    return (
        number(params, "z", -LIMIT, LIMIT),
        number(params, "upstream", -1e6, 1e6),
        number(params, "w", -LIMIT, LIMIT),
        number(params, "b", -LIMIT, LIMIT),
    )


def _affine_latex(w, b):
    """wx + b with the numbers, e.g. ``0.3x - 0.5`` or ``-1.2x``."""
    head = "-x" if w == -1 else "x" if w == 1 else f"{tex.num(w)}x"
    return head if b == 0 else f"{head} {tex.signed(b)}"


def statement(params):
    z, upstream, w, b = (float(params[k]) for k in ("z", "upstream", "w", "b"))
    neuron = _affine_latex(w, b)
    return text(
        f"A sigmoid unit receives the pre-activation $z = {tex.num(z)}$ and outputs "
        r"$y = \sigma(z) = \frac{1}{1 + e^{-z}}$. In backpropagation the gradient "
        rf"$\delta y = \frac{{\partial L}}{{\partial y}} = {tex.num(upstream)}$ arrives from "
        "the layer above. Compute the output $y$, the local derivative "
        r"$\sigma'(z)$ and the gradient $\delta z = \frac{\partial L}{\partial z}$ passed "
        f"back to $z$. Then, for the neuron $y = \\sigma({neuron})$, give "
        r"$\frac{dy}{dx}$ as an expression in $x$.",
        f"一个 sigmoid 单元的预激活值为 $z = {tex.num(z)}$，输出 "
        r"$y = \sigma(z) = \frac{1}{1 + e^{-z}}$。反向传播时，上一层传回的梯度为 "
        rf"$\delta y = \frac{{\partial L}}{{\partial y}} = {tex.num(upstream)}$。求输出 $y$、"
        r"局部导数 $\sigma'(z)$ 以及传回 $z$ 的梯度 $\delta z = \frac{\partial L}{\partial z}$。"
        f"再对神经元 $y = \\sigma({neuron})$，写出 $\\frac{{dy}}{{dx}}$ 关于 $x$ 的表达式。",
    )


@cache
def _generic():
    """σ(wx + b), its derivative in x and σ′ without the inner factor, with
    w and b as symbols: differentiated once, then filled in per variant."""
    import sympy

    x, w, b = sympy.symbols("x w b")
    outer = 1 / (1 + sympy.exp(-(w * x + b)))
    return w, b, sympy.diff(outer, x), outer * (1 - outer)


def _symbolic(w, b):
    """d/dx σ(wx + b) with w and b as exact decimals, so that the formula
    shows 3/10 rather than 0.300000000000000 or a rounded e^b."""
    import sympy

    w_symbol, b_symbol, derivative, without_inner = _generic()
    W, B = sympy.Rational(repr(w)), sympy.Rational(repr(b))
    values = {w_symbol: W, b_symbol: B}
    derivative = derivative.xreplace(values)
    # Dividing out the rational w is much cheaper than a second substitution.
    without_inner = derivative / W if W != 0 else without_inner.xreplace(values)
    return derivative, without_inner, W, sympy.latex(derivative)


def solve(params):
    z, upstream, w, b = _values(params)
    y = float(sigmoid(z))
    derivative = float(sigmoid_grad(z))
    delta = upstream * derivative
    expression, without_inner, argument_only, expression_latex = _symbolic(w, b)

    parts = (
        Part(
            "value",
            text(r"output $y = \sigma(z)$", r"输出 $y = \sigma(z)$"),
            Number(
                y,
                **TOLERANCE,
                misconceptions=(
                    Misconception(
                        "exponent-sign",
                        1 - y,
                        "Check the sign in the exponent: σ(z) = 1/(1 + e^{−z}); "
                        "1/(1 + e^{z}) is σ(−z) = 1 − σ(z).",
                        "注意指数的符号：σ(z) = 1/(1 + e^{−z})；"
                        "1/(1 + e^{z}) 是 σ(−z) = 1 − σ(z)。",
                    ),
                ),
            ),
        ),
        Part(
            "derivative",
            text(r"local derivative $\sigma'(z)$", r"局部导数 $\sigma'(z)$"),
            Number(
                derivative,
                **TOLERANCE,
                misconceptions=(
                    Misconception(
                        "shortcut-on-input",
                        z * (1 - z),
                        "You applied the shortcut to the input: in σ′(z) = y(1 − y), y is the "
                        "output σ(z), not z.",
                        "你把捷径公式用在了输入上：σ′(z) = y(1 − y) 中的 y 是输出 σ(z)，不是 z。",
                    ),
                    Misconception(
                        "missing-square",
                        1 - y,
                        "e^{−z}/(1 + e^{−z}) = 1 − σ(z) lacks the square in the denominator: "
                        "σ′(z) = e^{−z}/(1 + e^{−z})² = σ(z)(1 − σ(z)).",
                        "e^{−z}/(1 + e^{−z}) = 1 − σ(z) 的分母少了平方："
                        "σ′(z) = e^{−z}/(1 + e^{−z})² = σ(z)(1 − σ(z))。",
                    ),
                    Misconception(
                        "missing-inner-derivative",
                        y**2,
                        "σ(z)² = 1/(1 + e^{−z})² leaves out the derivative of e^{−z} in the "
                        "chain rule: the numerator is e^{−z}, which gives σ(z)(1 − σ(z)).",
                        "σ(z)² = 1/(1 + e^{−z})² 漏掉了链式法则中 e^{−z} 的导数：分子应为 e^{−z}，"
                        "结果是 σ(z)(1 − σ(z))。",
                    ),
                ),
            ),
        ),
        Part(
            "delta",
            text(
                r"gradient $\delta z = \frac{\partial L}{\partial z}$",
                r"梯度 $\delta z = \frac{\partial L}{\partial z}$",
            ),
            Number(
                delta,
                **TOLERANCE,
                misconceptions=(
                    Misconception(
                        "missing-local-derivative",
                        upstream,
                        "You passed δy back unchanged: multiply it by the local derivative, "
                        "δz = δy · y(1 − y).",
                        "你把 δy 原样传了回去：应乘以局部导数，δz = δy · y(1 − y)。",
                    ),
                    Misconception(
                        "times-output",
                        upstream * y,
                        "You multiplied δy by y = σ(z); the local derivative is y(1 − y).",
                        "你把 δy 乘以了 y = σ(z)；局部导数是 y(1 − y)。",
                    ),
                    Misconception(
                        "shortcut-on-input",
                        upstream * z * (1 - z),
                        "You used z(1 − z); the shortcut takes the output: δz = δy · y(1 − y) "
                        "with y = σ(z).",
                        "你用了 z(1 − z)；捷径公式用的是输出：δz = δy · y(1 − y)，其中 y = σ(z)。",
                    ),
                ),
            ),
        ),
        Part(
            "expression",
            text(
                r"$\frac{d}{dx}\sigma(wx + b)$ as an expression in $x$",
                r"$\frac{d}{dx}\sigma(wx + b)$（关于 $x$ 的表达式）",
            ),
            Expression(
                expression,
                ("x",),
                misconceptions=(
                    Misconception(
                        "missing-inner-derivative",
                        without_inner,
                        "Chain rule: σ′(wx + b) must be multiplied by the derivative of the "
                        "inner function wx + b, which is w.",
                        "链式法则：σ′(wx + b) 还要乘以内层函数 wx + b 的导数 w。",
                    ),
                    Misconception(
                        "argument-only",
                        argument_only,
                        "w is only the derivative of the argument wx + b; it multiplies "
                        "σ′(wx + b) = σ(wx + b)(1 − σ(wx + b)).",
                        "w 只是自变量 wx + b 的导数；它还要乘以 "
                        "σ′(wx + b) = σ(wx + b)(1 − σ(wx + b))。",
                    ),
                ),
            ),
            points=2.0,
        ),
    )

    neuron = _affine_latex(w, b)
    steps = (
        Step(
            text("The output of the sigmoid:", "sigmoid 的输出："),
            rf"y = \sigma(z) = \frac{{1}}{{1 + e^{{-z}}}} = \frac{{1}}{{1 + e^{{{tex.num(-z)}}}}}"
            rf" = \frac{{1}}{{1 + {tex.num(np.exp(-z))}}} = {tex.num(y)}",
        ),
        Step(
            text(
                "Its derivative, written with the output (the shortcut σ′ = y(1 − y)):",
                "其导数用输出表示（捷径公式 σ′ = y(1 − y)）：",
            ),
            rf"\sigma'(z) = \frac{{e^{{-z}}}}{{\left(1 + e^{{-z}}\right)^2}} = y(1 - y) = "
            rf"{tex.num(y)} \times \left(1 - {tex.num(y)}\right) = {tex.num(derivative)}",
        ),
        Step(
            text(
                "Backpropagation multiplies the incoming gradient by the local derivative:",
                "反向传播把传入的梯度乘以局部导数：",
            ),
            rf"\delta z = \delta y \cdot y(1 - y) = {tex.num(upstream)} \times "
            rf"{tex.num(derivative)} = {tex.num(delta)}",
        ),
        Step(
            text(
                f"For $y = \\sigma({neuron})$ write $u = {neuron}$, so "
                rf"$\frac{{du}}{{dx}} = w = {tex.num(w)}$, and apply the chain rule:",
                f"对 $y = \\sigma({neuron})$，令 $u = {neuron}$，则 "
                rf"$\frac{{du}}{{dx}} = w = {tex.num(w)}$，由链式法则：",
            ),
            rf"\frac{{dy}}{{dx}} = \sigma'(u) \cdot \frac{{du}}{{dx}} = "
            rf"{tex.paren(w)} \cdot \sigma(u)\left(1 - \sigma(u)\right) = "
            rf"{tex.paren(w)} \cdot \frac{{e^{{-u}}}}{{\left(1 + e^{{-u}}\right)^2}} = "
            rf"{expression_latex}",
        ),
    )
    return Solution(parts, steps)


def _tangent_reach(y, slope, reach=3.0):
    """How far either side of z the tangent is drawn: at most ``reach``, and
    never past the band −0.05 ≤ σ ≤ 1.05 that the plot shows."""
    if slope <= 0:
        return reach
    return min(reach, (1.05 - y) / slope, (y + 0.05) / slope)


def figure(params, solution):
    """σ and σ′ over a window that holds both the whole S of the sigmoid and
    the variant's z, with the point (z, σ(z)), the value σ′(z) below it and
    the tangent to σ there, of slope σ′(z). The other parts (δy, w, b) reuse
    this slope and need no picture of their own."""
    z, upstream, _, _ = _values(params)
    y, slope = float(sigmoid(z)), float(sigmoid_grad(z))
    delta = upstream * slope
    low, high = min(-6.0, z - 3.0), max(6.0, z + 3.0)
    reach = _tangent_reach(y, slope)
    at, height, rate = label_number(z), label_number(y), label_number(slope)

    def draw(ax):
        grid = np.union1d(np.linspace(low, high, 601), [z])
        ax.plot(grid, sigmoid(grid), DASHES[0], color=COLORS[0], label="σ(z)")
        ax.plot(grid, sigmoid_grad(grid), DASHES[1], color=COLORS[1], label="σ′(z)")
        ends = np.array([z - reach, z + reach])
        shift = f"(z {'+' if z < 0 else '−'} {label_number(abs(z))})" if z else "z"
        ax.plot(
            ends,
            y + slope * (ends - z),
            DASHES[2],
            color=COLORS[2],
            linewidth=1.8,
            label=f"{height} + {rate}·{shift}",
        )
        ax.plot([z, z], [0, y], DASHES[3], color="#777777", linewidth=0.9)
        ax.plot(z, y, MARKERS[0], color=COLORS[0], markersize=9, label=f"σ({at}) = {height}")
        ax.plot(z, slope, MARKERS[1], color=COLORS[1], markersize=6, label=f"σ′({at}) = {rate}")
        ax.set_xlim(low, high)
        ax.set_ylim(-0.08, 1.08)
        ax.set_xlabel("z", fontstyle="italic")
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0)

    numbers = {
        "z": tex.plain(z),
        "y": tex.plain(y),
        "slope": tex.plain(slope),
        "low": tex.plain(low),
        "high": tex.plain(high),
    }
    caption = text(
        f"The sigmoid σ (solid) and its derivative σ′ (dashed). At z = {numbers['z']} the "
        f"tangent to σ (dotted) has slope σ′(z) = y(1 − y) = {numbers['slope']}, the height of "
        f"the dashed curve there; backpropagation multiplies δy = {tex.plain(upstream)} by this "
        f"slope, giving δz = {tex.plain(delta)}.",
        f"sigmoid 函数 σ（实线）及其导数 σ′（虚线）。在 z = {numbers['z']} 处，σ 的切线（点线）"
        f"斜率为 σ′(z) = y(1 − y) = {numbers['slope']}，正是虚线在该处的高度；反向传播把 "
        f"δy = {tex.plain(upstream)} 乘以这个斜率，得到 δz = {tex.plain(delta)}。",
    )
    alt = text(
        f"Graph of σ(z) and σ′(z) for z from {numbers['low']} to {numbers['high']}, with the "
        f"point z = {numbers['z']}, σ(z) = {numbers['y']} (a circle), σ′(z) = "
        f"{numbers['slope']} (a square) and the tangent to σ there, of slope {numbers['slope']}.",
        f"σ(z) 与 σ′(z) 的图像，z 从 {numbers['low']} 到 {numbers['high']}；标出点 "
        f"z = {numbers['z']}、σ(z) = {numbers['y']}（圆点）、σ′(z) = {numbers['slope']}"
        f"（方块），以及该处斜率为 {numbers['slope']} 的 σ 的切线。",
    )
    return Figure(draw, caption, alt)
