"""The conv-output-size problem type, checked against a brute-force count of
window positions and a parameter count read off the layer's weight tensor."""

import json

import numpy as np
import pytest

from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import conv_output_size as problem

SEEDS = range(150)


def window_positions(n, f, p, s):
    """Start positions of an f-wide window stepping s cells at a time over the
    padded row of n + 2p cells, counted one by one."""
    padded = n + 2 * p
    count, start = 0, 0
    while start + f <= padded:
        count += 1
        start += s
    return count


def parameters(c_in, c_out, f):
    """Every weight of the c_out × c_in × f × f kernel tensor, plus one bias per kernel."""
    return np.zeros((c_out, c_in, f, f)).size + np.zeros(c_out).size


def wrong_values(params):
    """Each mistake of the misconception list, recomputed from its own description."""
    n, f, p, s = (params[k] for k in ("n", "f", "p", "s"))
    c_in, c_out = params["c_in"], params["c_out"]
    out = window_positions(n, f, p, s)
    return {
        "output_size": {
            # The notes' own formula: no +1 (with the floor a student applies to get a size).
            "missing-plus-one": int(np.floor((n + 2 * p - f) / s)),
            "no-padding": window_positions(n, f, 0, s),
            "padding-once": int(np.floor((n + p - f) / s)) + 1,
            "rounding-up": int(np.ceil((n + 2 * p - f) / s)) + 1,
            "no-stride": window_positions(n, f, p, 1),
        },
        "param_count": {
            "no-bias": c_out * c_in * f**2,
            "no-input-channels": c_out * (f**2 + 1),
            "bias-per-channel": c_out * c_in * (f**2 + 1),
            "times-output-size": parameters(c_in, c_out, f) * out**2,
        },
    }


def variant(seed, difficulty):
    return problem.generate(np.random.default_rng(seed), difficulty)


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_answers_match_the_oracles(difficulty):
    for seed in SEEDS:
        params = variant(seed, difficulty)
        assert json.loads(json.dumps(params)) == params
        answers = problem.solve(params).answers()
        n, f, p, s = (params[k] for k in ("n", "f", "p", "s"))
        assert answers["output_size"] == window_positions(n, f, p, s), params
        assert answers["param_count"] == parameters(params["c_in"], params["c_out"], f), params


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_misconceptions_are_the_mistakes_they_name(difficulty):
    for seed in SEEDS:
        params = variant(seed, difficulty)
        solution = problem.solve(params)
        assert has_distinct_misconceptions(solution), params
        wrong = wrong_values(params)
        for part in solution.parts:
            declared = {m.value_or_expr for m in part.answer.misconceptions}
            for m in part.answer.misconceptions:
                assert m.value_or_expr == wrong[part.name][m.tag], (params, m.tag)
                assert m.feedback_en and m.feedback_zh and m.score == 0.0
            # Every mistake that gives a wrong number in this setting is recognised.
            right = part.answer.expected_json()
            assert {v for v in wrong[part.name].values() if v != right} <= declared, params


def test_generation_is_deterministic_and_varied():
    structures = set()
    for seed in range(200):
        params = variant(seed, 2)
        assert params == variant(seed, 2)
        n, f, p, s = (params[k] for k in ("n", "f", "p", "s"))
        assert 5 <= n <= 64 and f in (1, 3, 5, 7) and s in (1, 2, 3)
        same = f > 1 and 2 * p == f - 1
        assert p in (0, 1, 2) or same
        if same:
            structures.add("same")
        else:
            structures.add("divisible" if (n + 2 * p - f) % s == 0 else "floor matters")
        structures.add(("channels", params["c_in"] if params["c_in"] in (1, 3) else "previous"))
    assert structures == {
        "same",
        "divisible",
        "floor matters",
        ("channels", 1),
        ("channels", 3),
        ("channels", "previous"),
    }


def test_worked_example_from_the_notes():
    # The notes' RGB example: a 3 × 5 × 5 kernel merges 75 values into one.
    # A 32 × 32 RGB image, six such kernels, no padding, stride 1:
    # output 32 − 5 + 1 = 28; parameters 6 · (75 + 1) = 456.
    params = {"n": 32, "f": 5, "p": 0, "s": 1, "c_in": 3, "c_out": 6}
    solution = problem.solve(params)
    assert solution.answers() == {"output_size": 28, "param_count": 456}
    size, count = solution.parts
    tags = {m.tag: m.value_or_expr for m in size.answer.misconceptions}
    # The notes write (N + 2P − F)/S: 27, one short.
    assert tags == {"missing-plus-one": 27}
    tags = {m.tag: m.value_or_expr for m in count.answer.misconceptions}
    assert tags["no-bias"] == 450 and tags["bias-per-channel"] == 468
    assert tags["no-input-channels"] == 156


def test_padding_of_one_with_stride_two():
    # A 7 × 7 input padded to 9 × 9, 3 × 3 kernel, stride 2: windows start at 0, 2, 4, 6.
    params = {"n": 7, "f": 3, "p": 1, "s": 2, "c_in": 1, "c_out": 4}
    solution = problem.solve(params)
    assert solution.answers() == {"output_size": 4, "param_count": 40}
    size = solution.parts[0].answer
    values = {m.tag: m.value_or_expr for m in size.misconceptions}
    # Dropping the +1, dropping the padding and padding once all give 3 here: one
    # entry names them all.
    assert values["missing-plus-one"] == 3
    assert "no-padding" not in values and "padding-once" not in values
    merged = next(m for m in size.misconceptions if m.tag == "missing-plus-one")
    assert "forgot the padding" in merged.feedback_en and "n + p = 8" in merged.feedback_en
    assert "忽略了填充" in merged.feedback_zh
    assert values["no-stride"] == 7
    assert has_distinct_misconceptions(solution)


def test_floor_step_shows_the_rounding():
    params = {"n": 28, "f": 3, "p": 1, "s": 2, "c_in": 1, "c_out": 16}
    steps = problem.solve(params).steps
    assert any(r"\left\lfloor 13.5 \right\rfloor = 13" in step.latex for step in steps)
    assert problem.solve(params).answers()["output_size"] == 14


@pytest.mark.parametrize(
    "change, name",
    [
        ({"f": 9, "p": 0, "n": 8}, "f"),
        ({"f": 0}, "f"),
        ({"s": 0}, "s"),
        ({"p": -1}, "p"),
        ({"n": 0}, "n"),
        ({"n": "32"}, "n"),
        ({"c_in": 0}, "c_in"),
        ({"c_out": 2.5}, "c_out"),
        ({"c_out": True}, "c_out"),
        ({"stride": 2}, "stride"),
    ],
)
def test_bad_parameters_are_refused(change, name):
    params = {"n": 32, "f": 3, "p": 1, "s": 1, "c_in": 3, "c_out": 8, **change}
    with pytest.raises(ParameterError) as info:
        problem.solve(params)
    assert info.value.name == name


def test_missing_parameter_is_named():
    with pytest.raises(ParameterError) as info:
        problem.solve({"n": 32, "f": 3, "p": 1, "s": 1, "c_in": 3})
    assert info.value.name == "c_out"
