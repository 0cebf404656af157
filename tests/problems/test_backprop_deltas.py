"""backprop-deltas checked against a forward pass written here with
scipy.special.expit and central finite differences of L = 1/2 ||y - r||^2:
∂L/∂b² = δ², ∂L/∂b¹ = δ¹ and ∂L/∂W¹ entry by entry."""

import json
import math

import numpy as np
import pytest
from scipy.special import expit

from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import backprop_deltas

VARIANTS = [(seed, difficulty) for difficulty in (1, 2, 3) for seed in range(25)]
EPS = 1e-6


def network(params):
    W1, W2 = (np.array(W, dtype=float) for W in params["weights"])
    b1, b2 = (np.array(b, dtype=float) for b in params["biases"])
    return W1, b1, W2, b2, np.array(params["x"], float), np.array(params["r"], float)


def output(W1, b1, W2, b2, x):
    return expit(W2 @ expit(W1 @ x + b1) + b2)


def loss(W1, b1, W2, b2, x, r):
    return 0.5 * float(np.sum((output(W1, b1, W2, b2, x) - r) ** 2))


def central_difference(f, p):
    grad = np.zeros_like(p)
    for idx in np.ndindex(p.shape):
        step = np.zeros_like(p)
        step[idx] = EPS
        grad[idx] = (f(p + step) - f(p - step)) / (2 * EPS)
    return grad


def variant(seed, difficulty):
    params = backprop_deltas.generate(np.random.default_rng(seed), difficulty)
    return params, backprop_deltas.solve(json.loads(json.dumps(params)))


def misconceptions(solution, part):
    (found,) = [p for p in solution.parts if p.name == part]
    return {m.tag: m for m in found.answer.misconceptions}


@pytest.mark.parametrize(("seed", "difficulty"), VARIANTS)
def test_answers_match_expit_forward_and_finite_differences(seed, difficulty):
    params, solution = variant(seed, difficulty)
    W1, b1, W2, b2, x, r = network(params)
    answers = {k: np.array(v) for k, v in solution.answers().items()}

    np.testing.assert_allclose(answers["output"], output(W1, b1, W2, b2, x), rtol=1e-12)
    d_b2 = central_difference(lambda b: loss(W1, b1, W2, b, x, r), b2)
    d_b1 = central_difference(lambda b: loss(W1, b, W2, b2, x, r), b1)
    d_W1 = central_difference(lambda W: loss(W, b1, W2, b2, x, r), W1)
    np.testing.assert_allclose(answers["delta_output"], d_b2, atol=1e-8)
    np.testing.assert_allclose(answers["delta_hidden"], d_b1, atol=1e-8)
    np.testing.assert_allclose(answers["grad_w_hidden"], d_W1, atol=1e-8)
    assert answers["grad_w_hidden"].shape == W1.shape


@pytest.mark.parametrize(("seed", "difficulty"), VARIANTS)
def test_misconceptions_are_the_mistakes_they_name(seed, difficulty):
    params, solution = variant(seed, difficulty)
    W1, b1, W2, b2, x, r = network(params)
    a1 = W1 @ x + b1
    h = expit(a1)
    a2 = W2 @ h + b2
    y = expit(a2)
    delta2 = (y - r) * y * (1 - y)
    delta1 = h * (1 - h) * (W2.T @ delta2)

    out = misconceptions(solution, "output")
    np.testing.assert_allclose(out["missing-output-sigmoid"].value_or_expr, a2)
    np.testing.assert_allclose(out["missing-hidden-sigmoid"].value_or_expr, expit(W2 @ a1 + b2))

    d2 = misconceptions(solution, "delta_output")
    np.testing.assert_allclose(d2["missing-output-derivative"].value_or_expr, y - r)
    np.testing.assert_allclose(d2["notes-sign-convention"].value_or_expr, (r - y) * y * (1 - y))
    np.testing.assert_allclose(
        d2["derivative-at-pre-activation"].value_or_expr, (y - r) * a2 * (1 - a2)
    )

    d1 = misconceptions(solution, "delta_hidden")
    np.testing.assert_allclose(
        d1["missing-output-derivative"].value_or_expr, h * (1 - h) * (W2.T @ (y - r))
    )
    np.testing.assert_allclose(
        d1["notes-sign-convention"].value_or_expr,
        h * (1 - h) * (W2.T @ ((r - y) * y * (1 - y))),
    )
    np.testing.assert_allclose(d1["missing-hidden-derivative"].value_or_expr, W2.T @ delta2)
    np.testing.assert_allclose(
        d1["derivative-at-pre-activation"].value_or_expr, a1 * (1 - a1) * (W2.T @ delta2)
    )
    square_w2 = W2.shape[0] == W2.shape[1]
    assert ("untransposed-weights" in d1) == square_w2
    if square_w2:
        np.testing.assert_allclose(
            d1["untransposed-weights"].value_or_expr, h * (1 - h) * (W2 @ delta2)
        )

    g = misconceptions(solution, "grad_w_hidden")
    np.testing.assert_allclose(g["notes-sign-convention"].value_or_expr, -np.outer(delta1, x))
    np.testing.assert_allclose(
        g["missing-output-derivative"].value_or_expr,
        np.outer(h * (1 - h) * (W2.T @ (y - r)), x),
    )
    np.testing.assert_allclose(
        g["missing-hidden-derivative"].value_or_expr, np.outer(W2.T @ delta2, x)
    )
    square_w1 = W1.shape[0] == W1.shape[1]
    assert ("transposed-outer-product" in g) == square_w1
    assert ("hidden-activation-as-input" in g) == square_w1
    if square_w1:
        np.testing.assert_allclose(g["transposed-outer-product"].value_or_expr, np.outer(x, delta1))
        np.testing.assert_allclose(
            g["hidden-activation-as-input"].value_or_expr, np.outer(delta1, h)
        )
    assert ("output-layer-gradient" in g) == (W2.shape == W1.shape)
    if W2.shape == W1.shape:
        np.testing.assert_allclose(g["output-layer-gradient"].value_or_expr, np.outer(delta2, h))

    for part in solution.parts:
        for m in part.answer.misconceptions:
            assert m.score == (0.5 if m.tag == "notes-sign-convention" else 0.0)
            # every wrong answer has the shape of the right one
            assert np.shape(m.value_or_expr) == np.shape(part.answer.expected_json())


def test_hand_worked_xor_example():
    # The notes' setting: a hidden layer lets a sigmoid network learn XOR.
    # The input (1, 0) should give 1; all sums written out by hand.
    params = {
        "weights": [[[0.6, -0.4], [-0.3, 0.7]], [[0.8, -0.5]]],
        "biases": [[0.1, -0.2], [0.2]],
        "x": [1, 0],
        "r": [1],
    }
    s = lambda a: 1 / (1 + math.exp(-a))  # noqa: E731
    h1, h2 = s(0.6 * 1 - 0.4 * 0 + 0.1), s(-0.3 * 1 + 0.7 * 0 - 0.2)
    y = s(0.8 * h1 - 0.5 * h2 + 0.2)
    d_out = (y - 1) * y * (1 - y)
    d1, d2 = h1 * (1 - h1) * 0.8 * d_out, h2 * (1 - h2) * (-0.5) * d_out
    answers = backprop_deltas.solve(params).answers()
    assert answers["output"] == pytest.approx([y])
    assert answers["delta_output"] == pytest.approx([d_out])
    assert answers["delta_hidden"] == pytest.approx([d1, d2])
    assert np.allclose(answers["grad_w_hidden"], [[d1, 0], [d2, 0]])
    # The output is below the target, so δ = ∂L/∂a is negative (the notes'
    # r − y form would be positive) and the first weight row gets a negative
    # gradient: gradient descent raises it.
    assert d_out < 0 and d1 < 0
    assert h1 == pytest.approx(0.668188, abs=1e-6) and y == pytest.approx(0.633156, abs=1e-6)


def test_generation_varies_structure_and_stays_clean():
    shapes = {d: set() for d in (1, 2, 3)}
    for difficulty in (1, 2, 3):
        for seed in range(40):
            rng = np.random.default_rng(seed)
            params = backprop_deltas.generate(rng, difficulty)
            assert params == backprop_deltas.generate(np.random.default_rng(seed), difficulty)
            assert json.loads(json.dumps(params)) == params
            W1, b1, W2, b2, x, r = network(params)
            shapes[difficulty].add((x.size, b1.size, b2.size))
            for values in (W1, W2, b1, b2):
                assert np.all(np.abs(values) <= 1) and np.allclose(values, np.round(values, 1))
            assert np.all(np.isin(r, [0, 1])) or np.allclose(r, np.round(r, 1))
            assert np.all(np.abs(output(W1, b1, W2, b2, x) - r) >= 0.05)
            assert has_distinct_misconceptions(backprop_deltas.solve(params))
    assert shapes[1] == {(2, 2, 1)}
    assert (2, 2, 2) in shapes[2] and len(shapes[2]) >= 4
    assert any(hidden == 3 for _, hidden, _ in shapes[3])


def test_statement_shows_the_numbers():
    params, _ = variant(4, 2)
    statement = backprop_deltas.statement(params)
    for lang in ("en", "zh"):
        assert r"W^1 = \begin{bmatrix}" in statement[lang]
        assert r"\frac{1}{2}\|y - r\|^2" in statement[lang]


GOOD = {
    "weights": [[[0.5, -0.2], [0.3, 0.8]], [[0.7, -0.6]]],
    "biases": [[0.1, -0.1], [0.2]],
    "x": [1, 2],
    "r": [1],
}


@pytest.mark.parametrize(
    ("change", "name"),
    [
        ({"weights": GOOD["weights"] + [[[1.0]]]}, "weights"),
        ({"weights": GOOD["weights"][:1]}, "weights"),
        ({"weights": "W1, W2"}, "weights"),
        ({"weights": [[[0.5, -0.2, 0.1], [0.3, 0.8, 0.1]], [[0.7, -0.6]]]}, "weights"),
        ({"weights": [[[0.5, -0.2], [0.3, 0.8]], [[0.7, -0.6, 0.1]]]}, "weights"),
        ({"weights": [[[0.5, "a"], [0.3, 0.8]], [[0.7, -0.6]]]}, "weights"),
        ({"weights": [[[0.5, float("nan")], [0.3, 0.8]], [[0.7, -0.6]]]}, "weights"),
        ({"weights": [[[0.5, 1e9], [0.3, 0.8]], [[0.7, -0.6]]]}, "weights"),
        ({"weights": [[0.5, -0.2], [[0.7, -0.6]]]}, "weights"),
        ({"biases": [[0.1, -0.1]]}, "biases"),
        ({"biases": [[0.1, -0.1, 0.3], [0.2]]}, "biases"),
        ({"biases": [[0.1, -0.1], [0.2, 0.3]]}, "biases"),
        ({"biases": [[0.1, -0.1], "0.2"]}, "biases"),
        ({"x": [1, 2, 3]}, "weights"),
        ({"x": "1, 2"}, "x"),
        ({"x": [[1, 2]]}, "x"),
        ({"r": [1, 0]}, "r"),
        ({"r": [1.5]}, "r"),
        ({"r": [-0.2]}, "r"),
        ({"r": None}, "r"),
        ({"eta": 0.1}, "eta"),
    ],
)
def test_bad_parameters_name_the_parameter(change, name):
    backprop_deltas.solve(GOOD)
    with pytest.raises(ParameterError) as error:
        backprop_deltas.solve({**GOOD, **change})
    assert error.value.name == name


@pytest.mark.parametrize("missing", ["weights", "biases", "x", "r"])
def test_missing_parameter_is_named(missing):
    params = {k: v for k, v in GOOD.items() if k != missing}
    with pytest.raises(ParameterError) as error:
        backprop_deltas.solve(params)
    assert error.value.name == missing
