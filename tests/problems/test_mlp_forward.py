"""mlp-forward checked against a forward pass written here unit by unit
(scipy's expit for the sigmoid, max for ReLU, z > 0 for the step), the XOR
truth table, and every misconception recomputed from the mistake it names."""

import json
from functools import cache

import numpy as np
import pytest
from scipy.special import expit

from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import mlp_forward

VARIANTS = [(seed, difficulty) for difficulty in (1, 2, 3) for seed in range(30)]
INPUTS = [(0, 0), (0, 1), (1, 0), (1, 1)]
XOR = [0.0, 1.0, 1.0, 0.0]
FUNCTIONS = {
    "sigmoid": lambda z: float(expit(z)),
    "relu": lambda z: max(0.0, z),
    "step": lambda z: 1.0 if z > 0 else 0.0,
    "linear": lambda z: z,
}


def layer(W, b, inputs, kind, before_bias=False, transpose=False, sign=1.0):
    """One layer unit by unit: z_j = Σ_i W[j][i] a_i + b_j, then the activation.
    The keywords make the named mistakes: the bias after the activation, the
    transposed matrix (W[i][j]), the bias subtracted."""
    W = np.asarray(W, dtype=float)
    W = W.T if transpose else W
    f = FUNCTIONS[kind]
    out = []
    for j in range(W.shape[0]):
        s = sum(W[j, i] * inputs[i] for i in range(len(inputs)))
        out.append(f(s) + b[j] if before_bias else f(s + sign * b[j]))
    return out


def network(params, x, hidden=None, output=None, **mistake):
    (W1, W2), (b1, b2) = params["weights"], params["biases"]
    hidden, output = hidden or params["hidden"], output or params["output"]
    transpose = mistake.pop("transpose", False)
    a1 = layer(W1, b1, x, hidden, transpose=transpose, **mistake)
    square = len(W2) == len(W2[0])
    return a1, layer(W2, b2, a1, output, transpose=transpose and square, **mistake)


@cache
def variant(seed, difficulty):
    params = mlp_forward.generate(np.random.default_rng(seed), difficulty)
    return params, mlp_forward.solve(json.loads(json.dumps(params)))


def mistakes(solution, part):
    (found,) = [p for p in solution.parts if p.name == part]
    return {m.tag: np.asarray(m.value_or_expr) for m in found.answer.misconceptions}


def as_answer(values):
    """A one-output network answers with a number, a wider one with a vector."""
    return values[0] if len(values) == 1 else values


@pytest.mark.parametrize(("seed", "difficulty"), VARIANTS)
def test_answers_match_a_forward_pass_by_units(seed, difficulty):
    params, solution = variant(seed, difficulty)
    answers = solution.answers()
    task = params["task"]
    if task == "forward":
        W1, b1 = params["weights"][0], params["biases"][0]
        x = params["x"]
        z1 = [sum(w * v for w, v in zip(row, x)) + bj for row, bj in zip(W1, b1)]
        a1, y = network(params, x)
        np.testing.assert_allclose(answers["hidden_pre"], z1, atol=1e-12)
        np.testing.assert_allclose(answers["hidden"], a1, atol=1e-12)
        np.testing.assert_allclose(answers["output"], as_answer(y), atol=1e-12)
    elif task == "xor-outputs":
        expected = [network(params, x)[1][0] for x in INPUTS]
        np.testing.assert_allclose(answers["outputs"], expected, atol=1e-12)
        # Every generated network is a hand-set XOR network.
        assert expected == XOR
    else:
        other = {**params, "weights": params["weights_b"], "biases": params["biases_b"]}
        outputs = {
            "A": [network(params, x)[1][0] for x in INPUTS],
            "B": [network(other, x)[1][0] for x in INPUTS],
        }
        computes = [name for name, values in outputs.items() if values == XOR]
        assert computes == [answers["xor_choice"]]


@pytest.mark.parametrize(("seed", "difficulty"), VARIANTS)
def test_misconceptions_are_the_mistakes_they_name(seed, difficulty):
    params, solution = variant(seed, difficulty)
    task = params["task"]
    if task == "forward":
        check_forward_mistakes(params, solution)
    elif task == "xor-outputs":
        found = mistakes(solution, "outputs")
        assert len(found) >= 2
        recomputed = {
            "transposed-weights": dict(transpose=True),
            "missing-bias-everywhere": dict(sign=0.0),
            "bias-as-threshold": dict(sign=-1.0),
            "activation-before-bias": dict(before_bias=True),
            "missing-hidden-activation": dict(hidden="linear"),
            "sigmoid-on-linear-output": dict(output="sigmoid"),
            "missing-output-activation": dict(output="linear"),
        }
        for tag, value in found.items():
            expected = [network(params, x, **recomputed[tag])[1][0] for x in INPUTS]
            np.testing.assert_allclose(value, expected, atol=1e-12, err_msg=tag)
    else:
        check_choice_mistake(params, solution)
    for part in solution.parts:
        for m in part.answer.misconceptions:
            assert m.score == 0.0
            assert np.shape(m.value_or_expr) == np.shape(part.answer.expected_json())


def check_forward_mistakes(params, solution):
    (W1, W2), (b1, b2) = params["weights"], params["biases"]
    x, hidden, output = params["x"], params["hidden"], params["output"]
    square = len(W1) == len(W1[0])
    pre, act, out = (mistakes(solution, p) for p in ("hidden_pre", "hidden", "output"))
    assert ("transposed-weights" in pre) == square
    assert ("transposed-weights" in out) == square
    np.testing.assert_allclose(pre["missing-bias"], layer(W1, [0] * len(b1), x, "linear"))
    if square:
        np.testing.assert_allclose(
            pre["transposed-weights"], layer(W1, b1, x, "linear", transpose=True)
        )
        np.testing.assert_allclose(
            act["transposed-weights"], layer(W1, b1, x, hidden, transpose=True)
        )
        np.testing.assert_allclose(
            out["transposed-weights"], as_answer(network(params, x, transpose=True)[1])
        )
    np.testing.assert_allclose(act["missing-bias"], layer(W1, [0] * len(b1), x, hidden))
    np.testing.assert_allclose(
        act["activation-before-bias"], layer(W1, b1, x, hidden, before_bias=True)
    )
    np.testing.assert_allclose(act["missing-hidden-activation"], layer(W1, b1, x, "linear"))

    a1 = network(params, x)[0]
    z1 = layer(W1, b1, x, "linear")
    z2 = layer(W2, b2, a1, "linear")
    checks = {
        "missing-output-bias": layer(W2, [0] * len(b2), a1, output),
        "missing-bias-everywhere": network(params, x, sign=0.0)[1],
        "activation-before-bias": network(params, x, before_bias=True)[1],
        "missing-hidden-activation": layer(W2, b2, z1, output),
    }
    if output == "linear":
        checks["sigmoid-on-linear-output"] = [float(expit(v)) for v in z2]
        assert "missing-output-activation" not in out
    else:
        checks["missing-output-activation"] = z2
        assert "sigmoid-on-linear-output" not in out
    for tag, expected in checks.items():
        np.testing.assert_allclose(out[tag], as_answer(expected), atol=1e-12, err_msg=tag)


def check_choice_mistake(params, solution):
    (part,) = solution.parts
    (mistake,) = part.answer.misconceptions
    right = part.answer.correct
    assert mistake.value_or_expr == {"A": "B", "B": "A"}[right]
    key = "" if mistake.value_or_expr == "A" else "_b"
    wrong = {**params, "weights": params["weights" + key], "biases": params["biases" + key]}
    outputs = [network(wrong, x)[1][0] for x in INPUTS]
    assert outputs != XOR
    if mistake.tag == "transposed-weights":
        # Computed with (W1)ᵀ x the wrong network looks like XOR.
        assert [network(wrong, x, transpose=True)[1][0] for x in INPUTS] == XOR
    elif mistake.tag == "bias-as-threshold":
        assert [network(wrong, x, sign=-1.0)[1][0] for x in INPUTS] == XOR
    else:
        assert mistake.tag == "not-all-inputs"
        assert sum(o != t for o, t in zip(outputs, XOR)) == 1


def test_hand_worked_xor_network_of_the_notes():
    # The notes: one hidden layer lets perceptrons compute XOR. Hidden units
    # OR (x1 + x2 - 0.5) and NAND (-x1 - x2 + 1.5), output AND (h1 + h2 - 1.5).
    params = {
        "task": "xor-outputs",
        "hidden": "step",
        "output": "step",
        "weights": [[[1, 1], [-1, -1]], [[1, 1]]],
        "biases": [[-0.5, 1.5], [-1.5]],
    }
    # (0,0): z¹ = (-0.5, 1.5), h = (0, 1), z² = -0.5 → 0
    # (0,1) and (1,0): z¹ = (0.5, 0.5), h = (1, 1), z² = 0.5 → 1
    # (1,1): z¹ = (1.5, -0.5), h = (1, 0), z² = -0.5 → 0
    solution = mlp_forward.solve(params)
    assert solution.answers() == {"outputs": [0.0, 1.0, 1.0, 0.0]}
    found = mistakes(solution, "outputs")
    # Without the biases: (0,0) gives z¹ = (0, 0), h = (0, 0), z² = 0 → 0;
    # (0,1) gives z¹ = (1, -1), h = (1, 0), z² = 1 → 1; (1,1): z¹ = (2, -2) → 1.
    assert found["missing-bias-everywhere"].tolist() == [0.0, 1.0, 1.0, 1.0]
    # The output pre-activations (−0.5, 0.5, 0.5, −0.5) as answers.
    assert found["missing-output-activation"].tolist() == [-0.5, 0.5, 0.5, -0.5]


def test_hand_worked_forward_pass():
    params = {
        "task": "forward",
        "hidden": "relu",
        "output": "sigmoid",
        "weights": [[[1, -1], [2, 1]], [[1, -2]]],
        "biases": [[0.5, -1], [0.5]],
        "x": [1, 2],
    }
    # z¹ = (1 - 2 + 0.5, 2 + 2 - 1) = (-0.5, 3); a¹ = (0, 3)
    # z² = 0 - 6 + 0.5 = -5.5; y = 1 / (1 + e^5.5)
    answers = mlp_forward.solve(params).answers()
    assert answers["hidden_pre"] == [-0.5, 3.0]
    assert answers["hidden"] == [0.0, 3.0]
    assert answers["output"] == pytest.approx(1 / (1 + np.exp(5.5)))
    found = mistakes(mlp_forward.solve(params), "hidden_pre")
    # Wᵀx + b: (1 + 4 + 0.5, -1 + 2 - 1)
    assert found["transposed-weights"].tolist() == [5.5, 0.0]


def test_generation_varies_the_structure():
    seen = {d: set() for d in (1, 2, 3)}
    for difficulty in (1, 2, 3):
        for seed in range(40):
            params = mlp_forward.generate(np.random.default_rng(seed), difficulty)
            assert params == mlp_forward.generate(np.random.default_rng(seed), difficulty)
            assert json.loads(json.dumps(params)) == params
            W1, W2 = params["weights"]
            seen[difficulty].add((params["task"], len(W1), len(W2), params["hidden"]))
            if params["task"] == "forward" and len(W1) == len(W1[0]):
                # A square W¹ is never symmetric, so Wᵀx is a visible mistake.
                assert W1[0][1] != W1[1][0]
            assert has_distinct_misconceptions(mlp_forward.solve(params))
    assert {task for task, *_ in seen[1]} == {"forward"}
    assert {(2, 1)} == {(h, o) for _, h, o, _ in seen[1]}
    for difficulty in (2, 3):
        assert {task for task, *_ in seen[difficulty]} == {"forward", "xor-outputs", "xor-choice"}
        assert {hidden for *_, hidden in seen[difficulty]} == {"relu", "sigmoid", "step"}
    assert {(h, o) for task, h, o, _ in seen[2] if task == "forward"} == {
        (2, 1),
        (3, 1),
        (2, 2),
        (3, 2),
    }


def test_choice_answers_are_balanced():
    answers = []
    for seed in range(80):
        params = mlp_forward.generate(np.random.default_rng(seed), 3)
        if params["task"] == "xor-choice":
            answers.append(mlp_forward.solve(params).answers()["xor_choice"])
    assert 0.25 < answers.count("A") / len(answers) < 0.75


GOOD = {
    "task": "forward",
    "hidden": "relu",
    "output": "linear",
    "weights": [[[1.0, -1.0], [0.5, 2.0]], [[1.0, -1.0]]],
    "biases": [[0.5, -0.5], [1.0]],
    "x": [1.0, 2.0],
}
XOR_NET = {
    "task": "xor-choice",
    "hidden": "step",
    "output": "step",
    "weights": [[[1, 1], [-1, -1]], [[1, 1]]],
    "biases": [[-0.5, 1.5], [-1.5]],
    "weights_b": [[[1, 1], [-1, -1]], [[1, 1]]],
    "biases_b": [[0.5, -1.5], [1.5]],
}


def test_a_user_choice_is_diagnosed():
    (part,) = mlp_forward.solve(XOR_NET).parts
    assert part.answer.correct == "A"
    assert part.answer.misconceptions[0].tag == "bias-as-threshold"


@pytest.mark.parametrize(
    ("base", "change", "name"),
    [
        (GOOD, {"task": "backward"}, "task"),
        (GOOD, {"hidden": "tanh"}, "hidden"),
        (GOOD, {"output": "relu"}, "output"),
        (GOOD, {"output": 1}, "output"),
        (GOOD, {"x": [1.0, 2.0, 3.0]}, "weights"),
        (GOOD, {"x": "1, 2"}, "x"),
        (GOOD, {"x": [[1.0, 2.0]]}, "x"),
        (GOOD, {"weights": [[[1.0, "a"], [0.5, 2.0]], [[1.0, -1.0]]]}, "weights"),
        (GOOD, {"weights": [[[1.0, -1.0], [0.5, 2.0]], [[1.0, -1.0, 2.0]]]}, "weights"),
        (GOOD, {"weights": [[[1.0, -1.0], [0.5, 2.0]]]}, "weights"),
        (GOOD, {"weights": [[[1.0, 1e9], [0.5, 2.0]], [[1.0, -1.0]]]}, "weights"),
        (GOOD, {"weights": [[[1.0, -1.0]] * 5, [[1.0] * 5]]}, "weights"),
        (GOOD, {"biases": [[0.5], [1.0]]}, "biases"),
        (GOOD, {"biases": [[0.5, -0.5], [1.0, 2.0]]}, "biases"),
        (GOOD, {"biases": [[0.5, float("nan")], [1.0]]}, "biases"),
        (GOOD, {"eta": 0.1}, "eta"),
        (XOR_NET, {"weights_b": XOR_NET["weights"], "biases_b": XOR_NET["biases"]}, "weights_b"),
        (XOR_NET, {"biases": XOR_NET["biases_b"]}, "weights_b"),
        (XOR_NET, {"weights_b": [[[1, 1, 1]], [[1]]]}, "weights_b"),
        (XOR_NET, {"weights": [[[1, 1], [-1, -1]], [[1, 1], [1, 1]]]}, "weights"),
        ({**XOR_NET, "task": "xor-outputs"}, {"weights": [[[1, 1, 1]], [[1]]]}, "weights"),
    ],
)
def test_bad_parameters_name_the_parameter(base, change, name):
    mlp_forward.solve(base)
    with pytest.raises(ParameterError) as error:
        mlp_forward.solve({**base, **change})
    assert error.value.name == name


@pytest.mark.parametrize(
    ("base", "missing"),
    [(GOOD, "x"), (GOOD, "weights"), (XOR_NET, "biases_b"), (XOR_NET, "output")],
)
def test_missing_parameter_is_named(base, missing):
    with pytest.raises(ParameterError) as error:
        mlp_forward.solve({k: v for k, v in base.items() if k != missing})
    assert error.value.name == missing


def test_parameters_of_other_tasks_are_ignored():
    # explain --set merges given values into a drawn variant: an x left over
    # from a forward variant must not change an XOR task.
    params = {**XOR_NET, "x": [3, 4]}
    assert mlp_forward.solve(params).answers() == mlp_forward.solve(XOR_NET).answers()


def test_without_a_task_the_parameters_given_pose_one():
    untasked = {k: v for k, v in GOOD.items() if k != "task"}
    assert mlp_forward.solve(untasked).answers() == mlp_forward.solve(GOOD).answers()
    choice = {k: v for k, v in XOR_NET.items() if k != "task"}
    assert mlp_forward.solve(choice).answers() == mlp_forward.solve(XOR_NET).answers()
    table = {k: v for k, v in choice.items() if k not in ("weights_b", "biases_b")}
    asked = mlp_forward.solve({**table, "task": "xor-outputs"}).answers()
    assert mlp_forward.solve(table).answers() == asked
