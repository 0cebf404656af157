"""Figures in worked solutions: every type that has one draws it for many
variants without a warning, the same bytes every time, with alt text and a
caption in both languages; pages carry them unless told not to."""

import json
import re
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest

from tutor import figures, registry
from tutor.sheet import build_variant

TUTOR = str(Path(sys.executable).parent / "tutor")
WITH_FIGURES = sorted(i for i, p in registry.problem_types().items() if hasattr(p, "figure"))
SEEDS = range(12)


def tutor(*args, cwd=None):
    return subprocess.run(
        [TUTOR, *args], capture_output=True, text=True, cwd=cwd or tempfile.gettempdir()
    )


def test_the_types_the_course_draws_have_figures():
    assert set(WITH_FIGURES) == {
        "activation-curve",
        "conv2d",
        "critical-point",
        "kmeans",
        "knn",
        "logistic-regression",
        "model-training",
        "pca",
        "pca-projection",
        "q-learning",
        "sigmoid-derivative",
        "value-iteration",
    }


@pytest.mark.parametrize("problem_id", WITH_FIGURES)
def test_every_variant_draws_a_figure_silently_and_the_same_each_time(problem_id):
    problem = registry.get(problem_id)
    for seed in SEEDS:
        difficulty = seed % 3 + 1
        variant = build_variant(problem_id, seed, difficulty)
        figure = problem.figure(variant.params, variant.solution)
        if figure is None:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            first = figures.svg(figure)
        assert first == figures.svg(figure), (problem_id, seed)
        assert first.lstrip().startswith("<?xml") and "<svg" in first
        assert "<dc:date>" not in first, "no date in the figure"
        for lang in ("en", "zh"):
            assert figure.caption[lang].strip() and figure.alt[lang].strip()
        # The alt text says what is drawn, with the variant's numbers.
        assert re.search(r"\d", figure.alt["en"]), figure.alt["en"]


def test_inline_figures_keep_their_ids_apart_and_name_themselves():
    variant = build_variant("pca", 3, 2)
    document = figures.svg(variant.problem.figure(variant.params, variant.solution))
    one = figures.inline(document, "fig1", 'three points & "axes"')
    two = figures.inline(document, "fig2", "x")
    assert not one.startswith("<?xml") and one.startswith("<svg")
    assert 'aria-label="three points &amp; &#34;axes&#34;"' in one
    ids_one = set(re.findall(r'id="([^"]+)"', one))
    ids_two = set(re.findall(r'id="([^"]+)"', two))
    assert ids_one and not ids_one & ids_two
    # Every reference points at an id of the same figure.
    for ref in re.findall(r'(?:href="|url\()#([^")]+)', one):
        assert ref in ids_one, ref


def test_explain_draws_the_notes_pca_example(tmp_path):
    out = tmp_path / "pca.html"
    result = tutor("explain", "pca", "--set", "X=[[2.5,2.4],[0.4,0.7],[2.2,2.9]]", "-o", str(out))
    assert result.returncode == 0 and result.stderr == "", result.stderr
    page = out.read_text(encoding="utf-8")
    assert page.count("<figure") == 1 and "<figcaption>" in page
    assert 'role="img" aria-label="Scatter plot of the 3 points x1 (2.5, 2.4)' in page
    assert "http" not in re.sub(r'xmlns(:\w+)?="[^"]+"', "", page.split("<svg", 1)[1])


def test_no_figures_leaves_them_out_and_json_never_has_them(tmp_path):
    args = ["explain", "pca", "--seed", "4"]
    assert "<svg" not in tutor(*args, "--format", "html", "--no-figures").stdout
    assert "<svg" in tutor(*args, "--format", "html").stdout
    assert (
        tutor(*args, "--format", "json").stdout
        == tutor(*args, "--format", "json", "--no-figures").stdout
    )
    for flag in ("--figures", "--no-figures"):
        out = tmp_path / flag
        assert tutor("sheet", "--seed", "7", "--out", str(out), flag).returncode == 0
    drawn = (tmp_path / "--figures" / "solutions.html").read_text(encoding="utf-8")
    plain = (tmp_path / "--no-figures" / "solutions.html").read_text(encoding="utf-8")
    assert drawn.count("<figure") >= len(WITH_FIGURES) // 2 and "<svg" not in plain
    for name in ("sheet.html", "sheet.json", "answers.toml"):
        a = (tmp_path / "--figures" / name).read_bytes()
        assert a == (tmp_path / "--no-figures" / name).read_bytes(), name
    sheet = json.loads((tmp_path / "--figures" / "sheet.json").read_text(encoding="utf-8"))
    assert "figure" not in json.dumps(sheet)


def test_pca_figure_puts_the_axes_where_the_eigenvectors_point():
    from matplotlib import pyplot

    variant = build_variant("pca", None, 2, {"X": [[2.5, 2.4], [0.4, 0.7], [2.2, 2.9]]})
    figure = variant.problem.figure(variant.params, variant.solution)
    figures.svg(figure)  # styles matplotlib as a page does
    fig, ax = pyplot.subplots()
    figure.draw(ax)
    X = np.array(variant.params["X"])
    values, vectors = np.linalg.eigh(np.cov(X, rowvar=False))
    tips = {tuple(np.round(a.xy, 6)) for a in ax.texts if a.get_text() == ""}
    for value, vector in zip(values, vectors.T):
        end = X.mean(axis=0) + np.sqrt(value) * vector
        assert tuple(np.round(end, 6)) in tips or tuple(np.round(2 * X.mean(0) - end, 6)) in tips
    plotted = [np.column_stack(line.get_data()) for line in ax.lines]
    assert any(len(p) == 3 and np.allclose(p, X) for p in plotted), "the three points are drawn"
    pyplot.close(fig)
