"""The cnn-shapes problem type, checked against window positions counted one
by one and parameters counted as the entries of built weight arrays."""

import json

import numpy as np
import pytest

from tutor.answers import check
from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import cnn_shapes as problem

SEEDS = range(60)


def variant(seed, difficulty):
    return problem.generate(np.random.default_rng(seed), difficulty)


def positions(n, f, p, s):
    """Start positions of a window of size f sliding by s over n + 2p cells."""
    return len(range(0, n + 2 * p - f + 1, s))


def walk(params, sides=None, depth=None, keep_channels=False, padding=True):
    """Shapes layer by layer; ``sides`` computes a side, ``depth`` (if given)
    what a pooling does to the channels."""
    sides = sides or (lambda n, f, p, s, kind: positions(n, f, p, s))
    h, w, c = params["input_shape"]
    rows = []
    for layer in params["layers"]:
        f, s = layer["size"], layer["stride"]
        if layer["type"] == "conv":
            p = layer["padding"] if padding else 0
            h, w = sides(h, f, p, s, "conv"), sides(w, f, p, s, "conv")
            c = c if keep_channels else layer["filters"]
        else:
            h, w = sides(h, f, 0, s, "pool"), sides(w, f, 0, s, "pool")
            c = depth(c, f) if depth else c
        rows.append([h, w, c])
    return rows


def weights_and_biases(params):
    """Entries of each layer's weight tensor (c_out × c_in × f × f) and bias vector."""
    c, counts = params["input_shape"][2], []
    for layer in params["layers"]:
        if layer["type"] == "pool":
            counts.append(0)
            continue
        f, c_out = layer["size"], layer["filters"]
        counts.append(np.ones((c_out, c, f, f)).size + np.ones(c_out).size)
        c = c_out
    return counts


def per_conv(params, formula):
    c, counts = params["input_shape"][2], []
    for layer in params["layers"]:
        if layer["type"] == "pool":
            counts.append(0)
        else:
            counts.append(formula(layer["size"], c, layer["filters"]))
            c = layer["filters"]
    return counts


def wrong_values(params):
    """Each mistake of the misconception lists, recomputed from its description."""
    right = lambda n, f, p, s, kind: positions(n, f, p, s)  # noqa: E731
    without_one = lambda n, f, p, s, kind: (n + 2 * p - f) // s  # noqa: E731
    conv_only = lambda n, f, p, s, kind: (  # noqa: E731
        without_one(n, f, p, s, kind) if kind == "conv" else positions(n, f, p, s)
    )
    shapes = {
        "missing-plus-one": [walk(params, conv_only), walk(params, without_one)],
        "no-padding": [walk(params, right, padding=False)],
        # A k × k window sliding with stride k along the channels as well.
        "pooling-changes-channels": [walk(params, right, depth=lambda c, k: c // k)],
        "channels-equal-input": [walk(params, right, keep_channels=True)],
    }
    counts = {
        "no-input-channels": per_conv(params, lambda f, c_in, c_out: f * f * c_out + c_out),
        "no-bias": per_conv(params, lambda f, c_in, c_out: f * f * c_in * c_out),
        "no-channels-no-bias": per_conv(params, lambda f, c_in, c_out: f * f * c_out),
    }
    totals = {tag: sum(value) for tag, value in counts.items()}
    return {"shapes": shapes, "params": counts, "total_params": totals}


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_answers_match_window_positions_and_built_weights(difficulty):
    for seed in SEEDS:
        params = variant(seed, difficulty)
        assert json.loads(json.dumps(params)) == params
        answers = problem.solve(params).answers()
        assert answers["shapes"] == walk(params), params
        assert answers["params"] == weights_and_biases(params), params
        assert answers["total_params"] == sum(weights_and_biases(params)), params


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_misconceptions_are_the_mistakes_they_name(difficulty):
    for seed in SEEDS:
        params = variant(seed, difficulty)
        solution = problem.solve(params)
        assert has_distinct_misconceptions(solution), params
        wrong = wrong_values(params)
        for part in solution.parts:
            right = part.answer.expected_json()
            declared = [m.value_or_expr for m in part.answer.misconceptions]
            for m in part.answer.misconceptions:
                expected = wrong[part.name][m.tag]
                if part.name == "shapes":
                    assert m.value_or_expr in expected, (params, m.tag)
                else:
                    assert m.value_or_expr == expected, (params, m.tag)
                assert m.feedback_en and m.feedback_zh and m.score == 0.0
            # Every mistake that gives another (positive) answer is named.
            for tag, values in wrong[part.name].items():
                for value in values if part.name == "shapes" else [values]:
                    positive = np.all(np.asarray(value) > 0) if part.name == "shapes" else True
                    if positive and value != right:
                        assert value in declared, (params, part.name, tag)


def test_generation_is_deterministic_and_varied():
    seen = set()
    for difficulty in (1, 2, 3):
        for seed in range(100):
            params = variant(seed, difficulty)
            assert params == variant(seed, difficulty)
            h, w, c = params["input_shape"]
            assert h == w and c == 3 and h in (28, 32, 48, 64)
            layers = params["layers"]
            assert len(layers) == difficulty + 1 and layers[0]["type"] == "conv"
            assert min(walk(params)[-1][:2]) >= 2
            seen.add(("layers", len(layers)))
            seen.add(("pooling", any(layer["type"] == "pool" for layer in layers)))
            seen.add(
                (
                    "floor matters",
                    any(
                        (n + 2 * layer.get("padding", 0) - layer["size"]) % layer["stride"]
                        for n, layer in zip([h] + [r[0] for r in walk(params)], layers)
                    ),
                )
            )
            for layer in layers:
                if layer["type"] == "conv":
                    seen.add(("stride", layer["stride"]))
                    seen.add(("same padding", 2 * layer["padding"] == layer["size"] - 1))
    assert seen == {
        ("layers", 2),
        ("layers", 3),
        ("layers", 4),
        ("pooling", True),
        ("pooling", False),
        ("floor matters", True),
        ("floor matters", False),
        ("stride", 1),
        ("stride", 2),
        ("same padding", True),
        ("same padding", False),
    }


LENET = {
    "input_shape": [32, 32, 3],
    "layers": [
        {"type": "conv", "filters": 6, "size": 5, "padding": 0, "stride": 1},
        {"type": "pool", "size": 2, "stride": 2},
        {"type": "conv", "filters": 16, "size": 5, "padding": 0, "stride": 1},
        {"type": "pool", "size": 2, "stride": 2},
    ],
}


def test_worked_example_from_the_notes_setting():
    # The notes' RGB example: a 3 × 5 × 5 kernel merges 75 values into one. Six
    # of them on a 32 × 32 RGB image: 32 − 5 + 1 = 28, so 28 × 28 × 6, and
    # 6 · (75 + 1) = 456 parameters. Pooling 2 × 2 halves the sides: 14 × 14 × 6.
    # Sixteen 5 × 5 filters over its 6 channels: 14 − 5 + 1 = 10, 16 · (150 + 1)
    # = 2416 parameters; pooling: 5 × 5 × 16. Total 456 + 2416 = 2872.
    solution = problem.solve(LENET)
    assert solution.answers() == {
        "shapes": [[28, 28, 6], [14, 14, 6], [10, 10, 16], [5, 5, 16]],
        "params": [456, 0, 2416, 0],
        "total_params": 2872,
    }
    shapes, counts, total = (part.answer for part in solution.parts)
    values = {}
    for m in shapes.misconceptions:
        values.setdefault(m.tag, []).append(m.value_or_expr)
    # The notes' formula (N + 2P − F)/S without + 1: 32 − 5 = 27, pooled to 13,
    # 13 − 5 = 8, pooled to 4; with the pooling computed the same way,
    # (27 − 2)/2 → 12, 12 − 5 = 7, (7 − 2)/2 → 2.
    assert values["missing-plus-one"] == [
        [[27, 27, 6], [13, 13, 6], [8, 8, 16], [4, 4, 16]],
        [[27, 27, 6], [12, 12, 6], [7, 7, 16], [2, 2, 16]],
    ]
    assert values["pooling-changes-channels"] == [
        [[28, 28, 6], [14, 14, 3], [10, 10, 16], [5, 5, 8]]
    ]
    assert values["channels-equal-input"] == [[[28, 28, 3], [14, 14, 3], [10, 10, 3], [5, 5, 3]]]
    assert "no-padding" not in values  # no padding here to forget
    counted = {m.tag: m.value_or_expr for m in counts.misconceptions}
    assert counted == {
        "no-input-channels": [6 * 26, 0, 16 * 26, 0],
        "no-bias": [450, 0, 2400, 0],
        "no-channels-no-bias": [150, 0, 400, 0],
    }
    assert {m.tag: m.value_or_expr for m in total.misconceptions} == {
        "no-input-channels": 572,
        "no-bias": 2850,
        "no-channels-no-bias": 550,
    }
    verdict = check(shapes, "[27 27 6; 13 13 6; 8 8 16; 4 4 16]")
    assert verdict.misconception == "missing-plus-one" and "+1" in verdict.feedback
    assert check(total, "2872").status == "correct"
    assert check(total, "2850").misconception == "no-bias"


def test_same_padding_stride_two_and_a_floor():
    # 64 × 64 × 3, 3 × 3 conv with p = 1, s = 2: ⌊(64 + 2 − 3)/2⌋ + 1 = ⌊31.5⌋ + 1 = 32;
    # pooling 3 × 3 stride 3: ⌊(32 − 3)/3⌋ + 1 = 10 (32 is not a multiple of 3).
    params = {
        "input_shape": [64, 64, 3],
        "layers": [
            {"type": "conv", "filters": 8, "size": 3, "padding": 1, "stride": 2},
            {"type": "pool", "size": 3, "stride": 3},
        ],
    }
    solution = problem.solve(params)
    assert solution.answers()["shapes"] == [[32, 32, 8], [10, 10, 8]]
    assert solution.answers()["params"] == [8 * (27 + 1), 0]
    mistakes = solution.parts[0].answer.misconceptions
    values = {}
    for m in mistakes:
        values.setdefault(m.tag, m.value_or_expr)  # the first entry of each tag
    assert values["pooling-changes-channels"] == [[32, 32, 8], [10, 10, 2]]
    # With p = 1 and s = 2, dropping the + 1 and dropping the padding both give
    # ⌊63/2⌋ = ⌊(64 − 3)/2⌋ + 1 = 31: one entry names both slips.
    assert values["missing-plus-one"] == [[31, 31, 8], [10, 10, 8]]
    assert "no-padding" not in values
    merged = next(m for m in mistakes if m.tag == "missing-plus-one")
    assert "+1" in merged.feedback_en and "padding" in merged.feedback_en
    assert "填充" in merged.feedback_zh
    assert any("round down" in step.text["en"] for step in solution.steps)


def test_statement_lists_the_layers():
    words = problem.statement(LENET)
    assert r"32 \times 32 \times 3" in words["en"]
    assert words["en"].count("conv:") == 2 and words["en"].count("max pool") == 2
    assert "最大池化" in words["zh"] and "卷积核" in words["zh"]


def conv(**change):
    return {"type": "conv", "filters": 4, "size": 3, "padding": 0, "stride": 1, **change}


@pytest.mark.parametrize(
    "change, name",
    [
        ({"input_shape": [32, 32]}, "input_shape"),
        ({"input_shape": [32, 32, 0]}, "input_shape"),
        ({"input_shape": [32, 32.5, 3]}, "input_shape"),
        ({"input_shape": ["32", 32, 3]}, "input_shape"),
        ({"input_shape": [True, 32, 3]}, "input_shape"),
        ({"input_shape": [1024, 32, 3]}, "input_shape"),
        ({"input_shape": 32}, "input_shape"),
        ({"layers": []}, "layers"),
        ({"layers": [conv()] * 7}, "layers"),
        ({"layers": conv()}, "layers"),
        ({"layers": [{"type": "dense", "size": 3}]}, "layers"),
        ({"layers": [["conv", 4, 3]]}, "layers"),
        ({"layers": [conv(filters=0)]}, "layers"),
        ({"layers": [conv(filters="4")]}, "layers"),
        ({"layers": [conv(size=2.5)]}, "layers"),
        ({"layers": [conv(padding=-1)]}, "layers"),
        ({"layers": [conv(stride=0)]}, "layers"),
        ({"layers": [conv(dilation=2)]}, "layers"),
        ({"layers": [{"type": "conv", "size": 3}]}, "layers"),
        ({"layers": [{"type": "pool", "stride": 2}]}, "layers"),
        ({"layers": [{"type": "pool", "size": 2, "padding": 1}]}, "layers"),
        ({"layers": [conv(size=11)]}, "layers"),  # larger than the 8 × 8 input
        ({"layers": [{"type": "pool", "size": 4}, {"type": "pool", "size": 4}]}, "layers"),
        ({"kernel": 3}, "kernel"),
    ],
)
def test_bad_parameters_are_refused(change, name):
    params = {"input_shape": [8, 8, 3], "layers": [conv()], **change}
    with pytest.raises(ParameterError) as info:
        problem.solve(params)
    assert info.value.name == name


def test_missing_parameter_is_named():
    with pytest.raises(ParameterError) as info:
        problem.solve({"input_shape": [32, 32, 3]})
    assert info.value.name == "layers"


def test_defaults_of_padding_and_strides():
    params = {"input_shape": [9, 9, 1], "layers": [{"type": "conv", "filters": 2, "size": 3}]}
    params["layers"].append({"type": "pool", "size": 2})
    assert problem.solve(params).answers()["shapes"] == [[7, 7, 2], [3, 3, 2]]
