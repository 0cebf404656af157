"""The conv2d problem type, checked against scipy.signal (correlate2d for the
CNN layer, convolve2d for the flipped-kernel mistake) and pooling loops
written here."""

import json

import numpy as np
import pytest
from scipy.signal import convolve2d, correlate2d

from tutor.answers import check
from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import conv2d as problem

SEEDS = range(40)


def variant(seed, difficulty):
    return problem.generate(np.random.default_rng(seed), difficulty)


def layer(x, kernel, padding, stride, flip=False):
    """The feature map with scipy: zero padding, then every window position
    (valid mode), then every stride-th one."""
    padded = np.pad(np.asarray(x, dtype=float), padding)
    operation = convolve2d if flip else correlate2d
    return operation(padded, np.asarray(kernel, dtype=float), mode="valid")[::stride, ::stride]


def pool(y, kind, stride=2):
    """2 × 2 pooling with nested loops; windows that do not fit are dropped."""
    rows = range(0, y.shape[0] - 1, stride)
    cols = range(0, y.shape[1] - 1, stride)
    out = np.empty((len(rows), len(cols)))
    for i, top in enumerate(rows):
        for j, left in enumerate(cols):
            window = [y[top + u, left + v] for u in (0, 1) for v in (0, 1)]
            out[i, j] = {"max": max, "average": lambda w: sum(w) / 4, "sum": sum}[kind](window)
    return out


def wrong_values(params):
    """Each mistake of the misconception list, recomputed from its description."""
    x, kernel = params["x"], params["kernel"]
    p, s, kind = params["padding"], params["stride"], params["pool"]
    y = layer(x, kernel, p, s)
    q = pool(y, kind)
    one_step = layer(x, kernel, p, 1)[: y.shape[0], : y.shape[1]]
    feature_map = {"flipped-kernel": layer(x, kernel, p, s, flip=True)}
    if s > 1:
        feature_map["stride-ignored"] = one_step
    other = "average" if kind == "max" else "max"
    pooled = {
        f"{other}-instead-of-{kind}": pool(y, other),
        "pooling-overlap": pool(y, kind, stride=1)[: q.shape[0], : q.shape[1]],
        "flipped-kernel": pool(layer(x, kernel, p, s, flip=True), kind),
    }
    if kind == "average":
        pooled["no-division"] = pool(y, "sum")
    if s > 1:
        pooled["stride-ignored"] = pool(one_step, kind)
    if p > 0:
        unpadded = layer(x, kernel, 0, s)
        if min(unpadded.shape) >= 2:
            pooled["no-padding"] = pool(unpadded, kind)
    return {"feature_map": feature_map, "pooled": pooled}


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_answers_match_scipy_and_pooling_loops(difficulty):
    for seed in SEEDS:
        params = variant(seed, difficulty)
        assert json.loads(json.dumps(params)) == params
        answers = problem.solve(params).answers()
        y = layer(params["x"], params["kernel"], params["padding"], params["stride"])
        np.testing.assert_allclose(answers["feature_map"], y, atol=1e-9, err_msg=str(params))
        np.testing.assert_allclose(
            answers["pooled"], pool(y, params["pool"]), atol=1e-9, err_msg=str(params)
        )


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_misconceptions_are_the_mistakes_they_name(difficulty):
    for seed in SEEDS:
        params = variant(seed, difficulty)
        solution = problem.solve(params)
        assert has_distinct_misconceptions(solution), params
        wrong = wrong_values(params)
        for part in solution.parts:
            right = np.asarray(part.answer.expected_json())
            declared = [np.asarray(m.value_or_expr) for m in part.answer.misconceptions]
            for m in part.answer.misconceptions:
                np.testing.assert_allclose(
                    m.value_or_expr, wrong[part.name][m.tag], atol=1e-9, err_msg=m.tag
                )
                assert m.feedback_en and m.feedback_zh and m.score == 0.0
            # Every mistake that gives another matrix of the same shape is named.
            for tag, value in wrong[part.name].items():
                if value.shape != right.shape or np.allclose(value, right):
                    continue
                assert any(d.shape == value.shape and np.allclose(d, value) for d in declared), (
                    params,
                    tag,
                )


def test_generation_is_deterministic_and_varied():
    seen = set()
    for difficulty in (1, 2, 3):
        for seed in range(80):
            params = variant(seed, difficulty)
            assert params == variant(seed, difficulty)
            x, kernel = np.array(params["x"]), np.array(params["kernel"])
            assert 4 <= len(x) <= 6 and x.shape[0] == x.shape[1]
            assert kernel.shape in ((2, 2), (3, 3))
            assert np.all(x == np.round(x)) and np.all(kernel == np.round(kernel))
            y = layer(x, kernel, params["padding"], params["stride"])
            assert 2 <= len(y) <= 5
            seen.add(("padding", params["padding"]))
            seen.add(("stride", params["stride"]))
            seen.add(("pool", params["pool"]))
            seen.add(("kernel", kernel.shape))
            seen.add(("rows dropped by pooling", len(y) % 2))
    assert seen == {
        ("padding", 0),
        ("padding", 1),
        ("stride", 1),
        ("stride", 2),
        ("pool", "max"),
        ("pool", "average"),
        ("kernel", (2, 2)),
        ("kernel", (3, 3)),
        ("rows dropped by pooling", 0),
        ("rows dropped by pooling", 1),
    }


def test_easy_variants_have_no_padding_and_stride_one():
    for seed in range(60):
        params = variant(seed, 1)
        assert params["padding"] == 0 and params["stride"] == 1


def test_worked_example_vertical_edge_with_padding():
    # The notes' padding: P = 1 turns the 4 × 4 input into 6 × 6; a 3 × 3 kernel
    # then gives (4 + 2 − 3)/1 + 1 = 4 (the notes' formula, without + 1, says 3).
    # Input: dark left half (0), bright right half (4). Kernel: left column
    # minus right column. Column sums of the padded input, column by column:
    # 0 (padding), 0, 0, 4, 4, 0 (padding), times the number of real rows in the
    # window (2 at the top and bottom, 3 in the middle):
    #   y_{i,j} = rows_i · (col_j − col_{j+2}) → columns 0, −4, −4, +4 per row.
    params = {
        "x": [[0, 0, 4, 4]] * 4,
        "kernel": [[1, 0, -1], [1, 0, -1], [1, 0, -1]],
        "padding": 1,
        "stride": 1,
        "pool": "max",
    }
    y = [[0, -8, -8, 8], [0, -12, -12, 12], [0, -12, -12, 12], [0, -8, -8, 8]]
    solution = problem.solve(params)
    assert solution.answers() == {"feature_map": y, "pooled": [[0, 12], [0, 12]]}
    feature_map, pooled = (part.answer for part in solution.parts)
    mistakes = {m.tag: m.value_or_expr for m in feature_map.misconceptions}
    # This kernel turned by 180° is its own negative: true convolution gives −Y.
    assert mistakes == {"flipped-kernel": (-np.array(y)).tolist()}
    mistakes = {m.tag: m.value_or_expr for m in pooled.misconceptions}
    assert mistakes["average-instead-of-max"] == [[-5, 0], [-5, 0]]
    assert mistakes["pooling-overlap"] == [[0, -8], [0, -12]]
    assert mistakes["flipped-kernel"] == [[12, 12], [12, 12]]
    # No padding would give a 2 × 2 map: another shape, which the checker
    # refuses before it looks at mistakes.
    assert "no-padding" not in mistakes
    assert check(pooled, "[0 12; 0 12]").status == "correct"
    verdict = check(pooled, "[-5 0; -5 0]")
    assert verdict.misconception == "average-instead-of-max" and "largest" in verdict.feedback
    assert "旋转了 180°" in check(feature_map, json.dumps((-np.array(y)).tolist()), "zh").feedback


def test_stride_two_average_pooling():
    # 5 × 5 input, 2 × 2 kernel, padding 1, stride 2: windows start at rows and
    # columns 1, 3, 5 of the 7 × 7 padded input, so Y is 3 × 3; average pooling
    # keeps its top-left 2 × 2 block only.
    x = [[1, 2, 3, 4, 5], [0, 1, 0, 1, 0], [2, 2, 2, 2, 2], [5, 4, 3, 2, 1], [1, 0, 1, 0, 1]]
    params = {"x": x, "kernel": [[1, 2], [0, -1]], "padding": 1, "stride": 2, "pool": "average"}
    solution = problem.solve(params)
    y = layer(x, params["kernel"], 1, 2)
    assert y.shape == (3, 3)
    # Corner window: only x[0][0] under the kernel's bottom-right entry (−1).
    assert y[0, 0] == -1
    assert solution.answers()["pooled"] == [[np.mean(y[:2, :2])]]
    pooled = solution.parts[1].answer
    tags = {m.tag: m.value_or_expr for m in pooled.misconceptions}
    assert tags["max-instead-of-average"] == [[np.max(y[:2, :2])]]
    assert tags["no-division"] == [[np.sum(y[:2, :2])]]
    assert any(
        r"\left\lfloor \frac{3 - 2}{2} \right\rfloor + 1 = 1" in s.latex for s in solution.steps
    )
    assert any("dropped" in s.text["en"] for s in solution.steps)


def test_statement_says_cross_correlation_and_names_the_kernel():
    params = {
        "x": [[1, 2, 3, 4]] * 4,
        "kernel": [[1, 0, -1], [2, 0, -2], [1, 0, -1]],
        "padding": 0,
        "stride": 1,
        "pool": "max",
    }
    words = problem.statement(params)
    assert "cross-correlation" in words["en"] and "not flipped" in words["en"]
    assert "Sobel" in words["en"] and "互相关" in words["zh"] and "不翻转" in words["zh"]


BASE = {
    "x": [[1, 2, 3, 4]] * 4,
    "kernel": [[1, -1], [1, -1]],
    "padding": 0,
    "stride": 1,
    "pool": "max",
}


@pytest.mark.parametrize(
    "change, name",
    [
        ({"x": [1, 2, 3]}, "x"),
        ({"x": [[1, 2], [3]]}, "x"),
        ({"x": [[1, 2, 3]]}, "x"),
        ({"x": [[1] * 9] * 9}, "x"),
        ({"x": [["a", "b"], ["c", "d"]]}, "x"),
        ({"x": [[1e6, 0], [0, 0]]}, "x"),
        ({"kernel": [[1] * 5] * 5}, "kernel"),
        ({"kernel": "edge"}, "kernel"),
        ({"x": [[1, 2], [3, 4]], "kernel": [[1, 0, 0]] * 3}, "kernel"),
        ({"x": [[1, 2], [3, 4]]}, "x"),  # a 1 × 1 map cannot be pooled
        ({"padding": -1}, "padding"),
        ({"padding": 3}, "padding"),
        ({"padding": "1"}, "padding"),
        ({"stride": 0}, "stride"),
        ({"stride": 1.5}, "stride"),
        ({"stride": True}, "stride"),
        ({"pool": "min"}, "pool"),
        ({"pool": 2}, "pool"),
        ({"dilation": 2}, "dilation"),
    ],
)
def test_bad_parameters_are_refused(change, name):
    with pytest.raises(ParameterError) as info:
        problem.solve({**BASE, **change})
    assert info.value.name == name


def test_missing_parameter_is_named():
    params = dict(BASE)
    del params["pool"]
    with pytest.raises(ParameterError) as info:
        problem.solve(params)
    assert info.value.name == "pool"
