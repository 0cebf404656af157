"""The picture of a gradient-descent step of logistic regression, shared by
the types that train it (see tutor.figures): the samples with the decision
boundary before and after the step, and the loss over a few more steps of
the same update."""

from dataclasses import dataclass

import numpy as np

from tutor import tex
from tutor.figures import COLORS, DASHES, MARKERS, Figure
from tutor.problem import text
from tutor.solutions.activations import sigmoid

from ._figures import square_limits

# Steps of the loss curve: the exercise's step and nine more of the same rule.
STEPS = 10
# A boundary (or a probability curve's midpoint) this many data spans from the
# data is left outside the view rather than squeezing the samples together.
REACH = 1.5
GREY = "#777777"
PAD = 0.12  # the margin square_limits leaves around the data, as a share of the view


@dataclass(frozen=True)
class Notation:
    """The symbols of a type's statement, so that the figure speaks its notation."""

    label: str  # the class label: "y" or "r"
    output: str  # the predicted probability: "p" or "y"
    bias: str  # the bias in LaTeX: "b" or "w_0"
    bias_plain: str  # the bias as plain text, in the picture and the alt text: "b" or "w₀"
    loss: dict  # the loss in words, {"en": ..., "zh": ...}


def _plain_vector(values):
    values = np.atleast_1d(values)
    if len(values) == 1:
        return tex.plain(values[0])
    return "(" + ", ".join(tex.plain(v) for v in values) + ")"


def _samples_en(n):
    return f"{n} sample" if n == 1 else f"{n} samples"


def _correct(X, labels, w, b):
    """How many samples the model classifies correctly (class 1 where p > 0.5)."""
    return int(np.sum((X @ w + b > 0) == (labels == 1)))


def descent_figure(X, labels, before, after, losses, notation):
    """The step from ``before`` = (w, b) to ``after`` drawn for samples ``X``
    (n × d) with labels 0/1, and ``losses``, the loss at t = 0, …, STEPS of
    the same update. Two features: the plane with both decision boundaries;
    one feature: the probability curves over the axis; more features: only
    the loss, since the boundary is a hyperplane that a plane cannot show."""
    X = np.asarray(X, dtype=float)
    labels = np.asarray(labels, dtype=int)
    losses = np.asarray(losses, dtype=float)
    (w_a, b_a), (w_b, b_b) = before, after
    w_a, w_b = np.asarray(w_a, dtype=float), np.asarray(w_b, dtype=float)
    d = X.shape[1]
    draw_loss, loss_alt = _loss_panel(losses)
    caption_loss = text(
        f"the {notation.loss['en']} over {STEPS} steps of the same update, the step of the "
        r"exercise ($t = 0 \to 1$) drawn solid.",
        f"同一更新规则走 {STEPS} 步时的{notation.loss['zh']}，题中这一步"
        r"（$t = 0 \to 1$）画成实线。",
    )
    counts = (
        f"the model classifies {_correct(X, labels, w_a, b_a)} of {len(X)} samples correctly "
        f"before the step and {_correct(X, labels, w_b, b_b)} after it",
        f"模型步前分对 {_correct(X, labels, w_a, b_a)}/{len(X)} 个样本，"
        f"步后分对 {_correct(X, labels, w_b, b_b)}/{len(X)} 个",
    )
    params_en = (
        f"w = {_plain_vector(w_a)}, {notation.bias_plain} = {tex.plain(b_a)} before the step "
        f"(dashed) and w = {_plain_vector(w_b)}, {notation.bias_plain} = {tex.plain(b_b)} after "
        "it (solid)"
    )
    params_zh = (
        f"步前 w = {_plain_vector(w_a)}、{notation.bias_plain} = {tex.plain(b_a)}（虚线），"
        f"步后 w = {_plain_vector(w_b)}、{notation.bias_plain} = {tex.plain(b_b)}（实线）"
    )
    if d > 2:
        caption = text(
            f"With {d} features the decision boundary is a hyperplane that a plane cannot "
            f"show: the picture is {caption_loss['en']}",
            f"有 {d} 个特征时，决策边界是平面画不出的超平面；图中是{caption_loss['zh']}",
        )
        alt = text(
            f"Line chart of {loss_alt['en']}",
            f"折线图：{loss_alt['zh']}",
        )
        return Figure(draw_loss, caption, alt)

    if d == 2:
        draw_data, outside = _plane_panel(X, labels, (w_a, b_a), (w_b, b_b), notation)
        note_en, note_zh, alt_en, alt_zh = _missing_boundaries(
            (w_a, b_a), (w_b, b_b), outside, notation
        )
        caption = text(
            rf"Left: the samples by class and the decision boundary ${notation.output} = 0.5$ "
            rf"(where $w^\top x + {notation.bias} = 0$) before the step ($t = 0$, dashed) and "
            "after it ($t = 1$, solid); the short arrows point to the side predicted as class "
            f"1.{note_en} Right: {caption_loss['en']}",
            rf"左：按类别画出的样本，以及步前（$t = 0$，虚线）和步后（$t = 1$，实线）的决策边界 "
            rf"${notation.output} = 0.5$（即 $w^\top x + {notation.bias} = 0$）；短箭头指向预测为"
            f"类别 1 的一侧。{note_zh}右：{caption_loss['zh']}",
        )
        alt = text(
            f"Left, a scatter plot of the {_samples_en(len(X))}, class 0 as circles and class 1 as "
            f"squares, with the decision boundary for {params_en}{alt_en}; {counts[0]}. Right, a "
            f"line chart of {loss_alt['en']}",
            f"左为 {len(X)} 个样本的散点图（类别 0 为圆点，类别 1 为方块）以及决策边界："
            f"{params_zh}{alt_zh}；{counts[1]}。右为折线图：{loss_alt['zh']}",
        )
    else:
        draw_data = _line_panel(X[:, 0], labels, (w_a[0], b_a), (w_b[0], b_b), notation)
        caption = text(
            rf"Left: the samples at height ${notation.label} = 0$ or $1$ and the predicted "
            rf"probability ${notation.output} = \sigma(wx + {notation.bias})$ before the step "
            "($t = 0$, dashed) and after it ($t = 1$, solid); a sample is predicted as class 1 "
            f"where its curve is above the dotted line 0.5. Right: {caption_loss['en']}",
            rf"左：样本画在高度 ${notation.label} = 0$ 或 $1$ 处，以及步前（$t = 0$，虚线）和步后"
            rf"（$t = 1$，实线）的预测概率 ${notation.output} = \sigma(wx + {notation.bias})$；"
            f"曲线高于 0.5 的点线处预测为类别 1。右：{caption_loss['zh']}",
        )
        xs = ", ".join(tex.plain(v) for v in X[:, 0])
        alt = text(
            f"Left, the {_samples_en(len(X))} x = {xs} at the height of their label (class 0 as "
            f"circles, class 1 as squares) and the sigmoid curves for {params_en}, with the "
            f"threshold 0.5; {counts[0]}. Right, a line chart of {loss_alt['en']}",
            f"左为 {len(X)} 个样本 x = {xs}，画在其标签的高度（类别 0 为圆点，类别 1 为方块），"
            f"以及 sigmoid 曲线：{params_zh}，并画出阈值 0.5；{counts[1]}。"
            f"右为折线图：{loss_alt['zh']}",
        )

    def draw(axes):
        draw_data(axes[0])
        draw_loss(axes[1])

    return Figure(draw, caption, alt, size=(8, 3.3), panels=2)


def _missing_boundaries(before, after, outside, notation):
    """What the caption and the alt text say of a boundary that is not drawn:
    with w = 0 there is none (every sample gets σ(b)); otherwise it lies
    outside the view. Returns (caption_en, caption_zh, alt_en, alt_zh)."""
    notes = ["", "", "", ""]
    for (w, b), out, when, when_zh in zip(
        (before, after), outside, ("before", "after"), ("步前", "步后")
    ):
        if not out:
            continue
        if not np.any(w):
            p = tex.plain(sigmoid(b))
            probability = rf"${notation.output} = \sigma({notation.bias}) = {p}$"
            notes[0] += (
                f" {when.capitalize()} the step $w = 0$: every sample gets {probability}, "
                "so there is no boundary."
            )
            notes[1] += f"{when_zh} $w = 0$：每个样本都得到 {probability}，没有决策边界。"
            notes[2] += f"; {when} the step w = 0, every sample gets {p} and there is no boundary"
            notes[3] += f"；{when_zh} w = 0，每个样本都得到 {p}，没有边界"
        else:
            notes[0] += f" The boundary {when} the step lies outside the drawn region."
            notes[1] += f"{when_zh}的边界落在所画区域之外。"
            notes[2] += f"; the boundary {when} the step lies outside the view"
            notes[3] += f"；{when_zh}的边界在所画区域之外"
    return notes


def _loss_panel(losses):
    steps = np.arange(len(losses))

    def draw(ax):
        ax.plot(
            steps,
            losses,
            DASHES[2],
            marker=MARKERS[0],
            markersize=3.5,
            color=COLORS[0],
            label="L",
        )
        ax.plot(
            steps[:2],
            losses[:2],
            DASHES[0],
            marker=MARKERS[0],
            markersize=6,
            linewidth=2.4,
            color=COLORS[1],
            label="t = 0 → 1",
        )
        for t, offset in ((0, (4, 6)), (1, (6, 3))):
            ax.annotate(
                tex.plain(losses[t]),
                (steps[t], losses[t]),
                textcoords="offset points",
                xytext=offset,
                fontsize=8,
            )
        ax.set_xticks(steps[::2])
        ax.set_xlim(-0.4, len(losses) - 0.6)
        ax.margins(y=0.18)
        ax.set_xlabel("t", fontstyle="italic")
        ax.set_ylabel("L", fontstyle="italic")
        ax.locator_params(axis="y", nbins=5)
        ax.legend(loc="best")

    alt = text(
        f"the loss L over {len(losses) - 1} steps: {tex.plain(losses[0])} at t = 0, "
        f"{tex.plain(losses[1])} at t = 1 (the step of the exercise, drawn solid) and "
        f"{tex.plain(losses[-1])} at t = {len(losses) - 1}.",
        f"{len(losses) - 1} 步内的损失 L：t = 0 时为 {tex.plain(losses[0])}，t = 1 时为 "
        f"{tex.plain(losses[1])}（题中这一步，实线），t = {len(losses) - 1} 时为 "
        f"{tex.plain(losses[-1])}。",
    )
    return draw, alt


def _span(values):
    """The extent of the data along its widest axis, never 0."""
    extent = float(np.max(values.max(axis=0) - values.min(axis=0)))
    return extent if extent > 0 else 1.0


def _foot(w, b, centre):
    """The point of w·x + b = 0 nearest to ``centre``, or None when w = 0."""
    norm2 = float(w @ w)
    if norm2 == 0:
        return None
    return centre - (w @ centre + b) * w / norm2


def _segment(w, b, low, high):
    """The part of the line w·x + b = 0 inside the box [low, high] as its two
    end points, or None when the line misses the box (or w = 0)."""
    foot = _foot(w, b, (low + high) / 2)
    if foot is None:
        return None
    direction = np.array([-w[1], w[0]]) / np.linalg.norm(w)
    start, stop = -np.inf, np.inf
    for k in range(2):
        if direction[k] == 0:
            if not low[k] <= foot[k] <= high[k]:
                return None
            continue
        ends = sorted(((low[k] - foot[k]) / direction[k], (high[k] - foot[k]) / direction[k]))
        start, stop = max(start, ends[0]), min(stop, ends[1])
    if stop <= start:
        return None
    return foot + start * direction, foot + stop * direction


def _legend_outside(ax):
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0)


def _samples(ax, X, labels, heights, notation):
    """The samples by class, numbered as in the statement's table."""
    for label in (0, 1):
        chosen = labels == label
        ax.plot(
            X[chosen],
            heights[chosen],
            MARKERS[label],
            color=COLORS[label],
            markersize=6,
            linestyle="none",
            label=f"{notation.label} = {label}",
        )
    for i, (x, h) in enumerate(zip(X, heights), 1):
        ax.annotate(str(i), (x, h), textcoords="offset points", xytext=(4, 3), fontsize=7)


def _plane_panel(X, labels, before, after, notation):
    """The samples in the plane and both boundaries. Returns (draw, outside):
    outside says, per boundary, that it is not in the view."""
    centre = (X.min(axis=0) + X.max(axis=0)) / 2
    span = _span(X)
    reach = [X, centre - span / 2, centre + span / 2]
    for w, b in (before, after):
        foot = _foot(w, b, centre)
        if foot is not None and np.linalg.norm(foot - centre) <= REACH * span:
            reach.append(foot[None, :])
    reach = np.vstack(reach)
    # The view square_limits will set, known here to tell whether a boundary is in it.
    half = (1 + 2 * PAD) * float(np.max(reach.max(axis=0) - reach.min(axis=0))) / 2
    middle = (reach.min(axis=0) + reach.max(axis=0)) / 2
    low, high = middle - half, middle + half
    lines = [_segment(w, b, low, high) for w, b in (before, after)]

    def draw(ax):
        _samples(ax, X[:, 0], labels, X[:, 1], notation)
        styles = ((DASHES[1], COLORS[3], 0), (DASHES[0], COLORS[2], 1))
        for (w, _), ends, (dash, colour, t) in zip((before, after), lines, styles):
            if ends is None:
                continue
            label = f"{notation.output} = 0.5, t = {t}"
            ax.plot(*np.transpose(ends), dash, color=colour, label=label)
            middle_point = (ends[0] + ends[1]) / 2
            tip = middle_point + 0.09 * 2 * half * w / np.linalg.norm(w)
            ax.annotate(
                "",
                tip,
                middle_point,
                arrowprops={"arrowstyle": "-|>", "color": colour, "linestyle": dash},
            )
        square_limits(ax, reach, PAD)
        ax.locator_params(nbins=5)
        ax.set_xlabel("x₁", fontstyle="italic")
        ax.set_ylabel("x₂", fontstyle="italic")
        _legend_outside(ax)

    return draw, [ends is None for ends in lines]


def _line_panel(x, labels, before, after, notation):
    """The samples on the axis at the height of their label and both sigmoid curves."""
    centre = (x.min() + x.max()) / 2
    span = _span(x[:, None])
    reach = [x.min(), x.max(), centre - span / 2, centre + span / 2]
    for w, b in (before, after):
        if w != 0 and abs(-b / w - centre) <= REACH * span:
            reach.append(-b / w)
    pad = PAD * (max(reach) - min(reach))
    low, high = min(reach) - pad, max(reach) + pad
    grid = np.linspace(low, high, 150)

    def draw(ax):
        ax.axhline(0.5, linestyle=DASHES[2], color=GREY, linewidth=1, label="0.5")
        styles = ((DASHES[1], COLORS[3], 0), (DASHES[0], COLORS[2], 1))
        for (w, b), (dash, colour, t) in zip((before, after), styles):
            label = f"σ(wx + {notation.bias_plain}), t = {t}"
            ax.plot(grid, sigmoid(w * grid + b), dash, color=colour, label=label)
        _samples(ax, x, labels, labels.astype(float), notation)
        ax.set_xlim(low, high)
        ax.locator_params(axis="x", nbins=6)
        ax.set_ylim(-0.12, 1.15)
        ax.set_yticks([0, 0.5, 1])
        ax.set_xlabel("x", fontstyle="italic")
        ax.set_ylabel(notation.output, fontstyle="italic")
        _legend_outside(ax)

    return draw
