"""Figures of the curve types: each one drawn into a fresh Axes and read back,
against scipy's expit, the activations written out with math.exp and max,
and finite differences of the loss written out term by term."""

import math

import numpy as np
import pytest
from scipy.special import expit

from tutor import figures
from tutor.sheet import build_variant

CASES = [(seed, difficulty) for seed in range(12) for difficulty in (1, 2, 3)]


@pytest.fixture
def drawn():
    """Draw a figure into a fresh Axes (styled as on a page) and hand the Axes
    back; every figure opened is closed afterwards."""
    from matplotlib import pyplot

    opened = []

    def draw(figure):
        figures.svg(figure)  # styles matplotlib as a page does
        fig, ax = pyplot.subplots()
        opened.append(fig)
        figure.draw(ax)
        return ax

    yield draw
    for fig in opened:
        pyplot.close(fig)


def variant_and_figure(problem_id, seed, difficulty, params=None):
    variant = build_variant(problem_id, seed, difficulty, params)
    return variant, variant.problem.figure(variant.params, variant.solution)


def data(line):
    x, y = line.get_data()
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def labelled(ax, start):
    """The lines whose legend label starts with ``start``."""
    return [line for line in ax.lines if line.get_label().startswith(start)]


def label_value(line):
    """The number a legend label ends with, as in "σ(1.5) = 0.8176"."""
    return float(line.get_label().rsplit("= ", 1)[1].replace("\u2212", "-"))


# --- sigmoid-derivative -------------------------------------------------------------


def sigmoid_lines(ax):
    """The curves σ and σ′, the tangent (the only line of two points that is
    not vertical) and the two marked points."""
    sigma, derivative = labelled(ax, "σ(z)")[0], labelled(ax, "σ′(z)")[0]
    tangents = [line for line in ax.lines if len(data(line)[0]) == 2 and np.ptp(data(line)[0]) > 0]
    points = [line for line in ax.lines if len(data(line)[0]) == 1]
    return sigma, derivative, tangents, points


@pytest.mark.parametrize("seed, difficulty", CASES)
def test_sigmoid_figure_draws_the_tangent_of_slope_sigma_prime_at_z(drawn, seed, difficulty):
    variant, figure = variant_and_figure("sigmoid-derivative", seed, difficulty)
    z = variant.params["z"]
    ax = drawn(figure)
    sigma, derivative, tangents, points = sigmoid_lines(ax)
    x, y = data(sigma)
    assert np.allclose(y, expit(x)) and x.min() <= z <= x.max()
    assert x.min() <= -6 and x.max() >= 6, "the whole S is shown"
    x, y = data(derivative)
    assert np.allclose(y, expit(x) * (1 - expit(x)))
    assert len(tangents) == 1
    (ends, heights) = data(tangents[0])
    slope = (heights[1] - heights[0]) / (ends[1] - ends[0])
    assert slope == pytest.approx(expit(z) * (1 - expit(z)), rel=1e-9)
    assert np.interp(z, ends, heights) == pytest.approx(expit(z), rel=1e-9)
    assert ends[0] < z < ends[1]
    low, high = ax.get_ylim()
    assert low <= heights.min() and heights.max() <= high, "the tangent stays in the picture"
    marked = sorted((float(data(p)[0][0]), float(data(p)[1][0])) for p in points)
    for point in points:
        assert label_value(point) == pytest.approx(data(point)[1][0], rel=1e-3, abs=1e-12)
    expected = sorted([(z, expit(z)), (z, expit(z) * (1 - expit(z)))])
    assert np.allclose(marked, expected)


@pytest.mark.parametrize("z", [-100.0, -7.5, 0.0, 4.0, 100.0])
def test_sigmoid_figure_holds_any_valid_z(drawn, z):
    params = {"z": z, "upstream": 1.0, "w": 1.0, "b": 0.0}
    _, figure = variant_and_figure("sigmoid-derivative", None, 2, params)
    ax = drawn(figure)
    low, high = ax.get_xlim()
    assert low < z < high
    assert f"z = {z:g}" in figure.caption["en"] and f"z = {z:g}" in figure.alt["en"]


# --- activation-curve ---------------------------------------------------------------


def sigma(z):
    return 1.0 / (1.0 + math.exp(-z))


ACTIVATION = {
    "sigmoid": sigma,
    "relu": lambda z: max(0.0, z),
    "hard_sigmoid": lambda z: min(1.0, max(0.0, z)),
}


def term(params, i, x):
    """c_i a(b_i + w_i x), written out."""
    a = ACTIVATION[params["kind"]]
    return params["c"][i] * a(params["bias"][i] + params["w"][i] * x)


def marked(line):
    """The one point of a line its marker sits on."""
    (index,) = line.get_markevery()
    x, y = data(line)
    return x[index], y[index]


@pytest.mark.parametrize("seed, difficulty", CASES)
def test_activation_figure_draws_every_term_and_their_sum(drawn, seed, difficulty):
    variant, figure = variant_and_figure("activation-curve", seed, difficulty)
    params = variant.params
    x, b, m = params["x"], params["b"], len(params["c"])
    ax = drawn(figure)
    for i in range(m):
        (line,) = labelled(ax, "c" + "₁₂₃₄₅₆"[i])
        inputs, values = data(line)
        assert np.allclose(values, [term(params, i, t) for t in inputs], atol=1e-12)
        at, value = marked(line)
        assert at == x and value == pytest.approx(term(params, i, x), abs=1e-12)
        assert label_value(line) == pytest.approx(term(params, i, x), rel=1e-3, abs=1e-12)
        assert line.get_linestyle() != "-", "the terms are dashed or dotted"
    (total,) = labelled(ax, "y =")
    inputs, values = data(total)
    expected = [b + sum(term(params, i, t) for i in range(m)) for t in inputs]
    assert np.allclose(values, expected, atol=1e-12) and total.get_linestyle() == "-"
    at, value = marked(total)
    y = b + sum(term(params, i, x) for i in range(m))
    assert at == x and value == pytest.approx(y, abs=1e-12)
    assert variant.solution.answers()["y"] == pytest.approx(y, abs=1e-12)
    (bias,) = labelled(ax, "b =")
    assert np.allclose(data(bias)[1], b)
    # Every unit's bend lies in the window, and a ReLU's corner is a point of the line.
    low, high = ax.get_xlim()
    assert low < x < high
    for w, inner in zip(params["w"], params["bias"]):
        bends = {"sigmoid": (0.0,), "relu": (0.0,), "hard_sigmoid": (0.0, 1.0)}[params["kind"]]
        for z in bends:
            assert low < (z - inner) / w < high
            if params["kind"] != "sigmoid":
                assert np.min(np.abs(inputs - (z - inner) / w)) < 1e-12
    # Markers, dashes and labels tell the series apart, not colour alone.
    styles = {(line.get_linestyle(), line.get_marker()) for line in labelled(ax, "c")}
    assert len(styles) == m


def test_activation_figure_holds_six_units_and_a_flat_one(drawn):
    params = {
        "kind": "relu",
        "x": -100.0,
        "b": 100.0,
        "c": [100.0, -100.0, 1.0, 2.0, 3.0, 4.0],
        "w": [0.01, 100.0, -100.0, 1.0, 0.0, 1.0],
        "bias": [100.0, -100.0, 0.0, 1.0, 2.0, 3.0],
    }
    variant, figure = variant_and_figure("activation-curve", None, 2, params)
    ax = drawn(figure)
    assert len(labelled(ax, "c")) == 6
    low, high = ax.get_xlim()
    assert low < -100 < high and high - low <= 40, "a far bend does not shrink the rest"
    assert "-100" in figure.alt["en"]


# --- critical-point -----------------------------------------------------------------


def loss(terms, x, y):
    return sum(
        c * np.asarray(x, dtype=float) ** i * np.asarray(y, dtype=float) ** j for c, i, j in terms
    )


def differences(terms, point, h=1e-4):
    """Central differences of the loss: gradient and Hessian."""
    x, y = point

    def f(dx, dy):
        return float(loss(terms, x + dx, y + dy))

    gradient = np.array([(f(h, 0) - f(-h, 0)) / (2 * h), (f(0, h) - f(0, -h)) / (2 * h)])
    hxx = (f(h, 0) - 2 * f(0, 0) + f(-h, 0)) / h**2
    hyy = (f(0, h) - 2 * f(0, 0) + f(0, -h)) / h**2
    hxy = (f(h, h) - f(h, -h) - f(-h, h) + f(-h, -h)) / (4 * h * h)
    return gradient, np.array([[hxx, hxy], [hxy, hyy]])


KIND_WORDS = {
    "minimum": "local minimum",
    "maximum": "local maximum",
    "saddle": "saddle point",
    "not a critical point": "not a critical point",
    "inconclusive": "undecided",
}


def contours(ax):
    return [c for c in ax.collections if hasattr(c, "levels")]


@pytest.mark.parametrize("seed, difficulty", CASES)
def test_critical_point_figure_draws_the_loss_around_the_point(drawn, seed, difficulty):
    variant, figure = variant_and_figure("critical-point", seed, difficulty)
    terms, point = variant.params["terms"], np.array(variant.params["point"], dtype=float)
    kind = variant.solution.answers()["kind"]
    assert KIND_WORDS[kind] in figure.caption["en"]
    ax = drawn(figure)
    (marker,) = [line for line in ax.lines if len(data(line)[0]) == 1]
    assert np.allclose(np.ravel(data(marker)), point)
    assert np.allclose(ax.get_xlim(), point[0] + np.array([-2, 2]))
    assert np.allclose(ax.get_ylim(), point[1] + np.array([-2, 2]))
    sets = contours(ax)
    assert sets, "contour lines are drawn"
    spread = np.ptp(loss(terms, *np.meshgrid(*(p + np.linspace(-2, 2, 50) for p in point))))
    for contour in sets:
        for level, path in zip(contour.levels, contour.get_paths()):
            vertices = path.vertices
            if len(vertices):
                # Every vertex of a contour is where the loss takes its level.
                error = np.abs(loss(terms, vertices[:, 0], vertices[:, 1]) - level)
                assert error.max() <= 0.02 * spread, (level, error.max())
    labels = [float(t.get_text().replace("\u2212", "-")) for t in ax.texts if t.get_text()]
    assert len(labels) >= 2, "the contours carry their values"
    levels = np.concatenate([contour.levels for contour in sets])
    assert all(np.min(np.abs(levels - label)) <= 1e-3 * max(1, abs(label)) for label in labels)
    value = float(loss(terms, *point))
    gradient, hessian = differences(terms, point)
    if kind in ("saddle", "not a critical point"):
        (through,) = [c for c in sets if len(c.levels) == 1]
        assert through.levels[0] == pytest.approx(value)
        vertices = np.vstack([p.vertices for p in through.get_paths() if len(p.vertices)])
        assert np.min(np.linalg.norm(vertices - point, axis=1)) < 0.05, "it passes θ*"
    if kind == "not a critical point":
        (arrow,) = [t for t in ax.texts if t.get_text() == "" and hasattr(t, "xyann")]
        assert np.allclose(arrow.xyann, point)
        direction = np.asarray(arrow.xy) - point
        cross = direction[0] * gradient[1] - direction[1] * gradient[0]
        assert cross == pytest.approx(0, abs=1e-3 * np.linalg.norm(gradient))
        assert direction @ gradient > 0, "the arrow points uphill"
    else:
        eigenvalues = np.linalg.eigvalsh(hessian)
        for k in range(2):
            (line,) = labelled(ax, "v" + "₁₂"[k])
            ends = np.column_stack(data(line))
            assert np.allclose(ends.mean(axis=0), point)
            direction = ends[1] - ends[0]
            # Along an eigenvector, H d is a multiple λ d of it.
            assert hessian @ direction == pytest.approx(eigenvalues[k] * direction, abs=1e-3)
            assert label_value(line) == pytest.approx(eigenvalues[k], rel=1e-3, abs=1e-3)


@pytest.mark.parametrize(
    "terms, point, variable",
    [
        ([[1, 2, 0], [-4, 1, 0]], [2, 5], 0),
        ([[1, 0, 4]], [0, 0], 1),
        ([[1, 1, 0], [2, 3, 0]], [1, -1], 0),
    ],
)
def test_critical_point_figure_of_one_parameter_is_a_curve(drawn, terms, point, variable):
    variant, figure = variant_and_figure(
        "critical-point", None, 2, {"terms": terms, "point": point}
    )
    ax = drawn(figure)
    assert not contours(ax)
    assert ("θ₁", "θ₂")[variable] + " alone" in figure.caption["en"]
    (curve,) = labelled(ax, "L(θ")
    x, y = data(curve)
    others = np.full_like(x, point[1 - variable])
    assert np.allclose(y, loss(terms, *((x, others) if variable == 0 else (others, x))))
    (tangent,) = labelled(ax, "∂L")
    ends, heights = data(tangent)
    slope = differences(terms, point)[0][variable]
    assert (heights[1] - heights[0]) / (ends[1] - ends[0]) == pytest.approx(slope, abs=1e-5)
    assert np.interp(point[variable], ends, heights) == pytest.approx(loss(terms, *point))


def test_critical_point_figure_of_a_constant_loss_is_none():
    for terms in ([[5, 0, 0]], [[1, 2, 0], [-1, 2, 0], [3, 0, 0]]):
        _, figure = variant_and_figure("critical-point", None, 2, {"terms": terms, "point": [1, 1]})
        assert figure is None
