"""The figures of k-means, PCA projection and the convolution layer show the
variant's own numbers: clusters and centroid moves where numpy's distances
and means put them, principal axes and projections where numpy's linear
algebra puts them, and the window of y_{1,1} over the cells whose products
scipy's correlate2d adds up."""

import re

import numpy as np
import pytest
from scipy.signal import correlate2d

from tutor import figures
from tutor.sheet import build_variant

CASES = [(seed, difficulty) for seed in range(10) for difficulty in (1, 2, 3)]


def drawn(figure):
    """The figure drawn into fresh axes, styled as a page styles it."""
    from matplotlib import pyplot

    figures.svg(figure)
    fig, ax = pyplot.subplots(figsize=figure.size)
    figure.draw(ax)
    return fig, ax


def close(fig):
    from matplotlib import pyplot

    pyplot.close(fig)


def xy(line):
    return np.column_stack([np.asarray(v, dtype=float) for v in line.get_data()])


def arrows(ax):
    """(start, tip) of every arrow drawn with annotate."""
    return [(np.array(a.xyann), np.array(a.xy)) for a in ax.texts if a.get_text() == ""]


def same_rows(a, b):
    """The rows of a and b agree as multisets."""
    a, b = np.atleast_2d(a), np.atleast_2d(b)
    return a.shape == b.shape and np.allclose(np.sort(a, axis=0), np.sort(b, axis=0))


# --- k-means -------------------------------------------------------------------------


SUBSCRIPTS = "₀₁₂₃₄₅"


@pytest.mark.parametrize("seed, difficulty", CASES)
def test_kmeans_figure_draws_the_first_assignment_and_the_moves_of_numpy(seed, difficulty):
    variant = build_variant("kmeans", seed, difficulty)
    X = np.array(variant.params["X"], dtype=float)
    start = np.array(variant.params["centroids"], dtype=float)
    k = len(start)
    labels = ((X[:, None, :] - start[None, :, :]) ** 2).sum(axis=2).argmin(axis=1)
    means = np.array([X[labels == j].mean(axis=0) for j in range(k)])
    figure = variant.problem.figure(variant.params, variant.solution)
    fig, ax = drawn(figure)
    lines = {line.get_label(): line for line in ax.lines}
    markers = set()
    for j in range(k):
        cluster = lines[f"C{SUBSCRIPTS[j + 1]}"]
        assert same_rows(xy(cluster), X[labels == j]), (seed, difficulty, j)
        markers.add(cluster.get_marker())
    assert len(markers) == k, "every cluster has its own marker shape"
    # The centroids: one marker each, not named in the legend.
    single = [
        line for line in ax.lines if len(line.get_xdata()) == 1 and line.get_label().startswith("_")
    ]
    hollow = [xy(line)[0] for line in single if line.get_markerfacecolor() == "none"]
    filled = [xy(line)[0] for line in single if line.get_markerfacecolor() != "none"]
    assert same_rows(hollow, start) and same_rows(filled, means)
    moved = [(a, b) for a, b in zip(start, means) if np.linalg.norm(b - a) > 1e-9]
    drawn_arrows = arrows(ax)
    assert len(drawn_arrows) == len(moved)
    for a, b in moved:
        assert any(np.allclose(a, s) and np.allclose(b, t) for s, t in drawn_arrows)
    # Every point carries its number from the table; every centroid its name.
    numbers = {a.get_text(): np.array(a.xy) for a in ax.texts if a.get_text().isdigit()}
    assert set(numbers) == {str(i) for i in range(1, len(X) + 1)}
    for i, x in enumerate(X, 1):
        np.testing.assert_allclose(numbers[str(i)], x)
    names = {a.get_text(): np.array(a.xy) for a in ax.texts if a.get_text().startswith("c")}
    for j in range(k):
        np.testing.assert_allclose(names[f"c{SUBSCRIPTS[j + 1]}"], means[j])
    assert ax.get_legend() is not None
    close(fig)
    assert "first iteration" in figure.caption["en"].lower()
    assert "第一次迭代" in figure.caption["zh"]
    if variant.params["iterations"] == 2:
        assert "second iteration" in figure.caption["en"]
    for value in means.ravel():
        assert f"{value:.4g}" in figure.alt["en"]


def test_kmeans_figure_keeps_an_empty_cluster_where_it_was():
    params = {"X": [[0, 0], [1, 0], [0, 1]], "centroids": [[0, 0], [9, 9]], "iterations": 2}
    variant = build_variant("kmeans", None, 2, params)
    figure = variant.problem.figure(variant.params, variant.solution)
    fig, ax = drawn(figure)
    single = [xy(line)[0] for line in ax.lines if len(line.get_xdata()) == 1]
    assert any(np.allclose(p, [9, 9]) for p in single), "the empty cluster's centroid is drawn"
    tips = [t for _, t in arrows(ax)]
    assert len(tips) == 1 and np.allclose(tips[0], [1 / 3, 1 / 3])
    close(fig)
    assert "no point" in figure.alt["en"] and "没有点" in figure.alt["zh"]


# --- PCA projection ----------------------------------------------------------------------


def pca_inputs(params):
    X = np.array(params["X"], dtype=float)
    mean = X.mean(axis=0) if params.get("mean") is None else np.array(params["mean"], dtype=float)
    U = np.array(params["components"], dtype=float)
    U = U / np.linalg.norm(U, axis=1, keepdims=True)
    return X, mean, U, np.array(params["eigenvalues"], dtype=float)


@pytest.mark.parametrize("seed, difficulty", CASES)
def test_pca_projection_figure_puts_points_axes_and_projections_where_numpy_does(seed, difficulty):
    variant = build_variant("pca-projection", seed, difficulty)
    X, mean, U, eigenvalues = pca_inputs(variant.params)
    d = X.shape[1]
    figure = variant.problem.figure(variant.params, variant.solution)
    fig, ax = drawn(figure)
    if d == 2:
        points, centre, axes = X, mean, U
    else:
        # In the plane of u1 and u2: the scores, by least squares on the basis.
        points = np.linalg.lstsq(U[:2].T, (X - mean).T, rcond=None)[0].T
        centre, axes = np.zeros(2), np.eye(2)
        # What is left is the part along u3 (Pythagoras).
        along_u3 = (X - mean) @ np.cross(U[0], U[1])
        np.testing.assert_allclose(
            (points**2).sum(axis=1) + along_u3**2, ((X - mean) ** 2).sum(axis=1), atol=1e-9
        )
        assert ax.get_xlabel() == "z₁" and ax.get_ylabel() == "z₂"
    plotted = [xy(line) for line in ax.lines]
    assert any(same_rows(p, points) for p in plotted), "every point at its coordinates"
    assert any(p.shape == (1, 2) and np.allclose(p[0], centre) for p in plotted), "the mean"
    feet = centre + np.outer((points - centre) @ axes[0], axes[0])
    assert any(same_rows(p, feet) for p in plotted), "the projections onto u1"
    if variant.params["k"] == 1:
        rebuilt = np.asarray(variant.solution.answers()["reconstruction"], dtype=float)
        if d == 2:
            assert same_rows(feet, rebuilt), "with k = 1 the squares are the reconstructions"
    tips = [t for _, t in arrows(ax)]
    for j in range(2):
        tip = centre + np.sqrt(eigenvalues[j]) * axes[j]
        assert any(np.allclose(tip, t) for t in tips), (seed, difficulty, j)
    close(fig)
    for value in np.sqrt(eigenvalues[:2]):
        assert f"{value:.4g}" in figure.alt["en"]


def test_pca_projection_figure_of_a_single_point_names_the_data_sets_mean():
    params = {
        "X": [[4, 1]],
        "mean": [1, 1],
        "components": [[3, 4], [-4, 3]],
        "eigenvalues": [4, 1],
        "k": 1,
        "share": 0.8,
    }
    variant = build_variant("pca-projection", None, 2, params)
    figure = variant.problem.figure(variant.params, variant.solution)
    assert "the point x1 (4, 1)" in figure.alt["en"]
    assert "data set's mean μ (1, 1)" in figure.alt["en"]
    # (4, 1) − (1, 1) = (3, 0); along u1 = (0.6, 0.8): 1.8 · u1 = (1.08, 1.44), plus μ.
    assert "(2.08, 2.44)" in figure.alt["en"]
    fig, ax = drawn(figure)
    plotted = [xy(line) for line in ax.lines]
    assert any(p.shape == (1, 2) and np.allclose(p[0], [2.08, 2.44]) for p in plotted)
    close(fig)


# --- convolution -----------------------------------------------------------------------------


def numbers_in(ax, left, top, width, height):
    """The numbers written in the cells of a box, row by row."""
    cells = {}
    for t in ax.texts:
        x, y = t.get_position()
        if left < x < left + width and top < y < top + height:
            cells[(y, x)] = float(t.get_text().replace("\u2212", "-"))
    values = [cells[key] for key in sorted(cells)]
    return np.array(values).reshape(round(height), round(width))


def frames(ax, label):
    """The frames drawn for one output, as (left, top, width, height, dashed)."""
    found = []
    for patch in ax.patches:
        if patch.get_label() == label:
            (left, top), width, height = patch.get_xy(), patch.get_width(), patch.get_height()
            found.append((left, top, width, height, patch.get_linestyle() != "-"))
    return found


def whole(box):
    """A frame drawn a little inside its cells, widened to the cells."""
    left, top, width, height, _ = box
    inset = (round(width) - width) / 2
    return left - inset, top - inset, round(width), round(height)


@pytest.mark.parametrize("seed, difficulty", CASES)
def test_conv2d_figure_frames_the_window_whose_products_scipy_adds(seed, difficulty):
    variant = build_variant("conv2d", seed, difficulty)
    params = variant.params
    x, kernel = np.array(params["x"], dtype=float), np.array(params["kernel"], dtype=float)
    p, s = params["padding"], params["stride"]
    padded = np.pad(x, p)
    feature_map = correlate2d(padded, kernel, mode="valid")[::s, ::s]
    fh, fw = kernel.shape
    figure = variant.problem.figure(params, variant.solution)
    fig, ax = drawn(figure)
    (first, in_map), (second, second_in_map) = frames(ax, "$y_{1,1}$"), frames(ax, "$y_{1,2}$")
    assert not first[4] and second[4], "y1,1 solid, y1,2 dashed"
    left, top, width, height = whole(first)
    assert (left, width, height) == (0, fw, fh)
    under = numbers_in(ax, left, top, width, height)
    np.testing.assert_allclose(under, padded[:fh, :fw])
    assert (under * kernel).sum() == pytest.approx(feature_map[0, 0])
    # The next window along, one stride to the right.
    left_2, top_2, width_2, height_2 = whole(second)
    assert (left_2, top_2, width_2, height_2) == pytest.approx((s, top, fw, fh))
    under = numbers_in(ax, left_2, top_2, width_2, height_2)
    assert (under * kernel).sum() == pytest.approx(feature_map[0, 1])
    # The whole padded input, the kernel and the map are written out.
    rows, cols = padded.shape
    np.testing.assert_allclose(numbers_in(ax, 0, top, cols, rows), padded)
    map_left, map_top, _, _ = whole(in_map)
    m_rows, m_cols = feature_map.shape
    np.testing.assert_allclose(numbers_in(ax, map_left, map_top, m_cols, m_rows), feature_map)
    assert whole(second_in_map)[:2] == pytest.approx((map_left + 1, map_top))
    kernel_left = next(t.get_position()[0] for t in ax.texts if t.get_text() == "K")
    kernel_top = next(t.get_position()[1] for t in ax.texts if t.get_text() == "K") + 0.25
    np.testing.assert_allclose(numbers_in(ax, kernel_left, kernel_top, fw, fh), kernel)
    # The hatched bands cover the padding ring and nothing else.
    ring = np.pad(np.zeros(x.shape, dtype=bool), p, constant_values=True)
    hatched = np.zeros_like(ring)
    for band in ax.patches:
        if band.get_hatch():
            (bx, by), bw, bh = band.get_xy(), band.get_width(), band.get_height()
            rows_in = slice(round(by - top), round(by - top + bh))
            hatched[rows_in, round(bx) : round(bx + bw)] = True
    np.testing.assert_array_equal(hatched, ring)
    close(fig)
    assert re.search(rf"y1,1 = [^;]*= {feature_map[0, 0]:.4g};", figure.alt["en"])
    assert f"y1,2 = {feature_map[0, 1]:.4g}" in figure.alt["en"]


def test_conv2d_figure_leaves_out_a_map_too_large_to_read():
    x = [[-100 + 13 * i + 7 * j for j in range(8)] for i in range(8)]
    params = {"x": x, "kernel": [[-100]], "padding": 2, "stride": 1, "pool": "max"}
    variant = build_variant("conv2d", None, 2, params)
    figure = variant.problem.figure(params, variant.solution)
    fig, ax = drawn(figure)
    assert "Y" not in [t.get_text() for t in ax.texts]
    assert len(frames(ax, "$y_{1,1}$")) == 1
    np.testing.assert_allclose(numbers_in(ax, 0, 0, 12, 12), np.pad(np.array(x), 2))
    close(fig)
    assert "too large" in figure.caption["en"] and "Two tables" in figure.alt["en"]


@pytest.mark.parametrize("seed", range(30))
def test_generated_conv2d_variants_always_show_the_feature_map(seed):
    for difficulty in (1, 2, 3):
        variant = build_variant("conv2d", seed, difficulty)
        figure = variant.problem.figure(variant.params, variant.solution)
        assert "Three tables" in figure.alt["en"]
