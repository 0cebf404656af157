"""The figures of the classifier types show the variant's own numbers: the
decision boundaries and the loss curve of a gradient-descent step of logistic
regression where a hand-written descent with scipy's expit puts them, and the
k nearest neighbours, their circle and the vote where numpy's distances put
them."""

import numpy as np
import pytest
from scipy.special import expit

from tutor import figures, tex
from tutor.problem import ParameterError
from tutor.sheet import build_variant

SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
CASES = [(seed, difficulty) for seed in range(20) for difficulty in (1, 2, 3)]

# Each training type's names for the labels, the weights, the bias and the
# learning rate, its label and output symbols, and whether its loss is a mean.
TRAINING = {
    "model-training": {"labels": "y", "w": "w0", "b": "b0", "symbol": "y", "output": "p"},
    "logistic-regression": {"labels": "r", "w": "w", "b": "w0", "symbol": "r", "output": "y"},
}


def drawn(figure):
    """The figure drawn into fresh axes (a list, one per panel), styled as a page styles it."""
    from matplotlib import pyplot

    figures.svg(figure)
    fig, axes = pyplot.subplots(1, figure.panels, figsize=figure.size)
    figure.draw(axes)
    return fig, list(np.atleast_1d(axes))


def close(fig):
    from matplotlib import pyplot

    pyplot.close(fig)


def lines_by_label(ax):
    return {line.get_label(): line for line in ax.lines}


def xy(line):
    return np.column_stack([np.asarray(v, dtype=float) for v in line.get_data()])


def arrows(ax):
    """(start, tip) of every arrow drawn with annotate."""
    return [(np.array(a.xyann), np.array(a.xy)) for a in ax.texts if a.get_text() == ""]


def cross(a, b):
    return a[0] * b[1] - a[1] * b[0]


def training_inputs(problem_id, params):
    names = TRAINING[problem_id]
    X = np.array(params["X"], dtype=float)
    labels = np.array(params[names["labels"]], dtype=float)
    w = np.array(params[names["w"]], dtype=float)
    b = float(params[names["b"]])
    mean = problem_id == "model-training" or params["reduction"] == "mean"
    return X, labels, w, b, float(params["lr"]), mean


def descend(X, labels, w, b, lr, mean, steps=10):
    """The parameters and the cross-entropy at every step, one sample at a time."""
    scale = 1 / len(X) if mean else 1.0
    path, losses = [], []
    for _ in range(steps + 1):
        p = expit(X @ w + b)
        path.append((w, b))
        losses.append(-scale * sum(np.log(q if t == 1 else 1 - q) for q, t in zip(p, labels)))
        error = p - labels
        w, b = w - lr * scale * (X.T @ error), b - lr * scale * error.sum()
    return path, np.array(losses)


def check_loss_panel(ax, losses):
    curves = lines_by_label(ax)
    np.testing.assert_allclose(xy(curves["L"]), np.column_stack([range(11), losses]), rtol=1e-9)
    step = xy(curves["t = 0 → 1"])
    np.testing.assert_allclose(step, [[0, losses[0]], [1, losses[1]]], rtol=1e-9)


@pytest.mark.parametrize("problem_id", sorted(TRAINING))
@pytest.mark.parametrize("seed, difficulty", CASES)
def test_training_figure_draws_the_descent_of_the_oracle(problem_id, seed, difficulty):
    names = TRAINING[problem_id]
    variant = build_variant(problem_id, seed, difficulty)
    X, labels, w, b, lr, mean = training_inputs(problem_id, variant.params)
    path, losses = descend(X, labels, w, b, lr, mean)
    figure = variant.problem.figure(variant.params, variant.solution)
    assert figure.panels == 2
    fig, (left, right) = drawn(figure)
    curves = lines_by_label(left)
    for label in (0, 1):
        points = xy(curves[f"{names['symbol']} = {label}"])
        expected = (
            X[labels == label]
            if X.shape[1] == 2
            else np.column_stack([X[labels == label, 0], np.full((labels == label).sum(), label)])
        )
        np.testing.assert_allclose(points, expected)
    if X.shape[1] == 2:
        starts = arrows(left)
        for t, (w_t, b_t) in enumerate(path[:2]):
            label = f"{names['output']} = 0.5, t = {t}"
            if label not in curves:
                when = ("before", "after")[t]
                said = f"boundary {when} the step lies outside"
                if not np.any(w_t):
                    said = f"{when.capitalize()} the step $w = 0$"
                assert said in figure.caption["en"], (t, figure.caption["en"])
                continue
            ends = xy(curves[label])
            # Both ends on the boundary w·x + b = 0, and an arrow from it along +w.
            np.testing.assert_allclose(ends @ w_t + b_t, 0, atol=1e-9 * (1 + abs(b_t)))
            on_line = [(s, tip) for s, tip in starts if abs(s @ w_t + b_t) < 1e-9 * (1 + abs(b_t))]
            assert any(
                cross(tip - s, w_t) == pytest.approx(0, abs=1e-9) and (tip - s) @ w_t > 0
                for s, tip in on_line
            ), (t, starts)
    else:
        bias = "b" if problem_id == "model-training" else "w₀"
        for t, (w_t, b_t) in enumerate(path[:2]):
            curve = xy(curves[f"σ(wx + {bias}), t = {t}"])
            np.testing.assert_allclose(curve[:, 1], expit(w_t[0] * curve[:, 0] + b_t), rtol=1e-9)
        threshold = xy(curves["0.5"])
        assert np.all(threshold[:, 1] == 0.5)
    check_loss_panel(right, losses)
    values = {text.get_text() for text in right.texts}
    assert {tex.plain(losses[0]), tex.plain(losses[1])} <= values
    close(fig)


@pytest.mark.parametrize("problem_id", sorted(TRAINING))
def test_training_figure_agrees_with_the_worked_answers(problem_id):
    for seed in range(10):
        variant = build_variant(problem_id, seed, 3)
        answers = {part.name: part.answer for part in variant.solution.parts}
        figure = variant.problem.figure(variant.params, variant.solution)
        fig, (left, right) = drawn(figure)
        if problem_id == "model-training":
            before, after = answers["loss_before"].value, answers["loss_after"].value
            np.testing.assert_allclose(
                xy(lines_by_label(right)["t = 0 → 1"])[:, 1], [before, after], rtol=1e-9
            )
            new_w, new_b = answers["w_after"].value, answers["b_after"].value
        else:
            new_w, new_b = answers["w_next"].value, answers["w0_next"].value
        label = f"{TRAINING[problem_id]['output']} = 0.5, t = 1"
        if label in lines_by_label(left):
            ends = xy(lines_by_label(left)[label])
            np.testing.assert_allclose(ends @ np.asarray(new_w) + new_b, 0, atol=1e-9)
        close(fig)


USER = {
    "model-training": {"y": [0, 1, 1, 0], "w0": [0.5, -0.5, 0.2], "b0": 0.1, "lr": 0.5},
    "logistic-regression": {
        "r": [0, 1, 1, 0],
        "w": [0.5, -0.5, 0.2],
        "w0": 0.1,
        "lr": 0.2,
        "reduction": "sum",
    },
}
THREE_FEATURES = [[1, 2, 0], [2, -1, 1], [0, 0, 3], [-1, 1, 1]]


@pytest.mark.parametrize("problem_id", sorted(TRAINING))
def test_more_than_two_features_draw_only_the_loss(problem_id):
    params = {"X": THREE_FEATURES, **USER[problem_id]}
    variant = build_variant(problem_id, None, 2, params)
    figure = variant.problem.figure(variant.params, variant.solution)
    assert figure.panels == 1 and "3 features" in figure.caption["en"]
    fig, (ax,) = drawn(figure)
    X, labels, w, b, lr, mean = training_inputs(problem_id, params)
    check_loss_panel(ax, descend(X, labels, w, b, lr, mean)[1])
    close(fig)


@pytest.mark.parametrize("problem_id", sorted(TRAINING))
def test_a_missing_or_distant_boundary_is_said_in_the_caption(problem_id):
    names = TRAINING[problem_id]
    params = {"X": [[0, 0], [1, 0], [0, 1]], **USER[problem_id]}
    params[names["labels"]] = [0, 1, 1]
    params[names["w"]], params[names["b"]] = [0.0, 0.0], 0.0  # no boundary at all
    variant = build_variant(problem_id, None, 2, params)
    figure = variant.problem.figure(variant.params, variant.solution)
    assert "Before the step $w = 0$" in figure.caption["en"]
    assert "no boundary" in figure.caption["en"] and "no boundary" in figure.alt["en"]
    fig, (left, _) = drawn(figure)
    curves = lines_by_label(left)
    assert f"{names['output']} = 0.5, t = 0" not in curves
    assert len(xy(curves[f"{names['output']} = 0.5, t = 1"])) == 2
    close(fig)
    # A boundary far from the samples is left out rather than shrinking them to a dot.
    params[names["w"]], params[names["b"]] = [0.01, 0.01], 5.0
    variant = build_variant(problem_id, None, 2, params)
    figure = variant.problem.figure(variant.params, variant.solution)
    assert "The boundary before the step lies outside" in figure.caption["en"]
    fig, (left, _) = drawn(figure)
    assert np.diff(left.get_xlim())[0] < 3
    close(fig)


def test_training_figures_are_refused_with_the_parameters_solve_refuses():
    from tutor.problems import logistic_regression, model_training

    with pytest.raises(ParameterError):
        model_training.figure({"X": [[1.0]], "y": [2], "w0": [0.0], "b0": 0.0, "lr": 1.0}, None)
    with pytest.raises(ParameterError):
        logistic_regression.figure({"X": [[1.0]], "r": [1], "w": [0.0], "w0": 0.0}, None)


# --- k nearest neighbours -------------------------------------------------------


def oracle_vote(X, y, x, k):
    """The k nearest by numpy's norm (equal distances in training order) and the
    vote with ties to the class of the nearest among the tied."""
    distances = np.linalg.norm(X - x, axis=1)
    nearest = [int(i) for i in np.argsort(distances, kind="stable")[:k]]
    counts = {label: [y[i] for i in nearest].count(label) for label in set(y)}
    top = max(counts.values())
    winner = next(y[i] for i in nearest if counts[y[i]] == top)
    return distances, nearest, winner


@pytest.mark.parametrize("seed, difficulty", CASES)
def test_knn_figure_rings_the_oracle_neighbours_inside_their_circle(seed, difficulty):
    variant = build_variant("knn", seed, difficulty)
    params = variant.params
    X, x, y, k = (
        np.array(params["X"], float),
        np.array(params["x"], float),
        params["y"],
        params["k"],
    )
    distances, nearest, winner = oracle_vote(X, y, x, k)
    assert winner == variant.solution.parts[-1].answer.correct
    figure = variant.problem.figure(params, variant.solution)
    assert f"prediction is {winner}" in figure.caption["en"]
    assert f"Predicted class: {winner}" in figure.alt["en"]
    fig, (ax,) = drawn(figure)
    curves = lines_by_label(ax)
    np.testing.assert_allclose(xy(curves[f"N{str(k).translate(SUBSCRIPTS)}(x)"]), X[nearest])
    for label in set(y):
        np.testing.assert_allclose(xy(curves[label]), X[[c == label for c in y]])
    np.testing.assert_allclose(xy(curves["x"]), [x])
    radius = distances[nearest[-1]]
    (circle,) = [line for name, line in curves.items() if name.startswith("r = ")]
    assert circle.get_label() == f"r = {tex.plain(radius)}"
    np.testing.assert_allclose(np.linalg.norm(xy(circle) - x, axis=1), radius)
    # Every neighbour, and no other point, is joined to the query by a segment.
    joined = [xy(line) for line in ax.lines if line.get_label().startswith("_")]
    segments = [s for s in joined if len(s) == 2 and np.allclose(s[0], x)]
    assert sorted(map(tuple, (s[1] for s in segments))) == sorted(map(tuple, X[nearest]))
    # The whole circle is in view.
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    assert x0 <= x[0] - radius and x[0] + radius <= x1
    assert y0 <= x[1] - radius and x[1] + radius <= y1
    close(fig)


KNN_BASE = {"y": ["A", "B", "A", "B"], "k": 3, "u": [1, 2], "v": [2, 1]}


def test_knn_with_one_feature_marks_the_interval_on_the_line():
    params = {"X": [[0], [2], [5], [-3]], "x": [1], **KNN_BASE}
    variant = build_variant("knn", None, 2, params)
    figure = variant.problem.figure(params, variant.solution)
    assert (
        "interval of radius 4" in figure.caption["en"] and "prediction is A" in figure.caption["en"]
    )
    fig, (ax,) = drawn(figure)
    curves = lines_by_label(ax)
    np.testing.assert_allclose(xy(curves["N₃(x)"]), [[0, 0], [2, 0], [5, 0]])
    (interval,) = [line for name, line in curves.items() if name.startswith("r = ")]
    np.testing.assert_allclose(xy(interval)[:, 0], [-3, 5])
    assert "taken in training order" in figure.caption["en"]
    close(fig)


def test_knn_with_more_than_two_dimensions_has_no_figure():
    params = {"X": [[0, 0, 1], [2, 1, 0], [5, 0, 0], [-3, 1, 1]], "x": [1, 0, 0], **KNN_BASE}
    variant = build_variant("knn", None, 2, params)
    assert variant.problem.figure(params, variant.solution) is None


def test_knn_with_many_classes_keeps_them_apart_by_marker():
    params = {
        "X": [[i, i % 3] for i in range(8)],
        "y": ["a", "b", "c", "d", "e", "f", "g", "h"],
        "x": [3, 1],
        "k": 2,
        "u": [1, 2],
        "v": [2, 1],
    }
    variant = build_variant("knn", None, 2, params)
    figure = variant.problem.figure(params, variant.solution)
    fig, (ax,) = drawn(figure)
    curves = lines_by_label(ax)
    markers = [curves[label].get_marker() for label in params["y"]]
    assert len(set(markers)) == len(markers)
    close(fig)
