"""Pictures shared by several problem types (see tutor.figures)."""

import numpy as np

from tutor import tex
from tutor.figures import COLORS, DASHES, subscript
from tutor.problem import text


def _point(values):
    return "(" + ", ".join(tex.plain(v) for v in values) + ")"


def square_limits(ax, reach, pad=0.12):
    """Limits that hold every point of ``reach`` with one scale on both axes."""
    low, high = reach.min(axis=0), reach.max(axis=0)
    half = (1 + 2 * pad) * max((high - low).max(), 1e-9) / 2
    for centre, set_limits in zip((low + high) / 2, (ax.set_xlim, ax.set_ylim)):
        set_limits(centre - half, centre + half)
    ax.set_aspect("equal", adjustable="box")


def principal_axes(points, mean, components, eigenvalues):
    """Points in the plane with their mean, the principal axes u_j drawn from
    the mean with length √λ_j, and every point's projection onto the first
    axis. Everything is 2-D: the caller passes coordinates in the plane.

    Returns (draw, alt) for a :class:`tutor.figures.Figure`."""
    points = np.asarray(points, dtype=float)
    mean = np.asarray(mean, dtype=float)
    axes = np.asarray(components, dtype=float)[:2] * np.sqrt(np.asarray(eigenvalues)[:2, None])
    first = np.asarray(components, dtype=float)[0]
    projected = mean + np.outer((points - mean) @ first, first)

    def draw(ax):
        for x, p in zip(points, projected):
            ax.plot(*zip(x, p), ":", color="#777777", linewidth=1)
        ax.plot(*projected.T, "s", color=COLORS[1], markersize=4, label="xᵢ on u₁")
        ax.plot(*points.T, "o", color=COLORS[0], markersize=6, label="xᵢ")
        for i, x in enumerate(points, 1):
            ax.annotate(f"x{subscript(i)}", x, textcoords="offset points", xytext=(5, 4))
        for j, (axis, dash) in enumerate(zip(axes, DASHES)):
            ax.annotate(
                "",
                mean + axis,
                mean,
                arrowprops={"arrowstyle": "-|>", "linestyle": dash, "color": COLORS[2 + j]},
            )
            ax.plot(*zip(mean - axis, mean), dash, color=COLORS[2 + j], linewidth=1)
            label = f"√λ{subscript(j + 1)} u{subscript(j + 1)}"
            ax.plot([], [], dash, color=COLORS[2 + j], label=label)
        ax.plot(*mean, "X", color="black", markersize=9, label="μ")
        square_limits(ax, np.vstack([points, projected, mean + axes, mean - axes]))
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0)

    listed = ", ".join(f"x{i} {_point(x)}" for i, x in enumerate(points, 1))
    lengths = [tex.plain(np.linalg.norm(a)) for a in axes]
    alt = text(
        f"Scatter plot of the {len(points)} points {listed} (circles), their mean "
        f"{_point(mean)} (a cross), the first principal axis from the mean (solid arrow, length "
        f"√λ1 = {lengths[0]})"
        + (f" and the second (dashed arrow, length √λ2 = {lengths[1]})" if len(axes) > 1 else "")
        + ", and each point's projection onto the first axis (squares on dotted lines).",
        f"散点图：{len(points)} 个点 {listed}（圆点），均值 {_point(mean)}（叉号），"
        f"从均值出发的第一主轴（实线箭头，长 √λ1 = {lengths[0]}）"
        + (f"和第二主轴（虚线箭头，长 √λ2 = {lengths[1]}）" if len(axes) > 1 else "")
        + "，以及各点在第一主轴上的投影（虚线连到方块）。",
    )
    return draw, alt
