"""The critical-point problem type, checked against finite differences of the
loss, the closed-form eigenvalues of a symmetric 2 × 2 matrix and the
leading-minor test, on many generated variants."""

import json
import math

import numpy as np
import pytest

from tutor.answers import check
from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import critical_point as problem

SEEDS = range(60)


def loss(terms, x, y):
    return sum(c * x**i * y**j for c, i, j in terms)


def finite_differences(terms, point, h=1e-3):
    """Central differences; exact up to rounding for polynomials of degree ≤ 3."""
    x, y = point

    def f(dx, dy):
        return loss(terms, x + dx, y + dy)

    gradient = [(f(h, 0) - f(-h, 0)) / (2 * h), (f(0, h) - f(0, -h)) / (2 * h)]
    hxx = (f(h, 0) - 2 * f(0, 0) + f(-h, 0)) / h**2
    hyy = (f(0, h) - 2 * f(0, 0) + f(0, -h)) / h**2
    hxy = (f(h, h) - f(h, -h) - f(-h, h) + f(-h, -h)) / (4 * h * h)
    return np.array(gradient), np.array([[hxx, hxy], [hxy, hyy]])


def eigenvalues_2x2(H):
    middle, spread = (H[0, 0] + H[1, 1]) / 2, math.hypot((H[0, 0] - H[1, 1]) / 2, H[0, 1])
    return [middle - spread, middle + spread]


def kind_of(gradient, H):
    """Not critical unless ∇L = 0; then the leading minors decide."""
    if np.max(np.abs(gradient)) > 1e-4:
        return "not a critical point"
    det = H[0, 0] * H[1, 1] - H[0, 1] ** 2
    if det < -1e-9:
        return "saddle"
    if det > 1e-9:
        return "minimum" if H[0, 0] > 0 else "maximum"
    return "inconclusive"


def variant(seed, difficulty):
    return problem.generate(np.random.default_rng(seed), difficulty)


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_answers_match_finite_differences_and_the_minor_test(difficulty):
    for seed in SEEDS:
        params = variant(seed, difficulty)
        assert json.loads(json.dumps(params)) == params
        answers = problem.solve(params).answers()
        gradient, H = finite_differences(params["terms"], params["point"])
        assert answers["gradient"] == pytest.approx(gradient, abs=1e-5), params
        np.testing.assert_allclose(answers["hessian"], H, atol=1e-4, err_msg=str(params))
        assert answers["eigenvalues"] == pytest.approx(eigenvalues_2x2(H), abs=1e-4), params
        assert answers["kind"] == kind_of(gradient, H), params


def dropped_power(terms, point):
    """Every derivative of θ^n taken as θ^(n−1), by hand for each entry."""
    x, y = point
    gx = sum(c * x ** (i - 1) * y**j for c, i, j in terms if i >= 1)
    gy = sum(c * x**i * y ** (j - 1) for c, i, j in terms if j >= 1)
    hxx = sum(c * x ** (i - 2) * y**j for c, i, j in terms if i >= 2)
    hyy = sum(c * x**i * y ** (j - 2) for c, i, j in terms if j >= 2)
    hxy = sum(c * x ** (i - 1) * y ** (j - 1) for c, i, j in terms if i >= 1 and j >= 1)
    return [gx, gy], [[hxx, hxy], [hxy, hyy]]


def wrong_values(params, answers):
    """Each declared mistake, recomputed from its description."""
    H = np.array(answers["hessian"])
    eigen = np.array(answers["eigenvalues"])
    slipped_gradient, slipped_hessian = dropped_power(params["terms"], params["point"])
    diagonal_kind = (
        "minimum"
        if H[0, 0] > 0 and H[1, 1] > 0
        else "maximum"
        if H[0, 0] < 0 and H[1, 1] < 0
        else "saddle"
    )
    det = H[0, 0] * H[1, 1] - H[0, 1] ** 2
    return {
        "gradient": {"dropped-power": slipped_gradient},
        "hessian": {
            "diagonal-only": [[H[0, 0], 0.0], [0.0, H[1, 1]]],
            "dropped-power": slipped_hessian,
            "quadratic-form-matrix": (H / 2).tolist(),
        },
        "eigenvalues": {
            "descending-order": eigen[::-1].tolist(),
            "diagonal-as-eigenvalues": sorted([H[0, 0], H[1, 1]]),
            # roots of λ² + tr·λ + det: the eigenvalues negated
            "characteristic-sign": sorted(np.roots([1, np.trace(H), det]).real.tolist()),
            "quadratic-form-matrix": (eigen / 2).tolist(),
        },
        "kind": {
            "diagonal-signs": diagonal_kind,
            "determinant-only": "minimum" if det > 0 else "saddle",
            "reversed-rule": {"minimum": "maximum", "maximum": "minimum"}.get(answers["kind"]),
            "critical-means-minimum": "minimum",
        },
    }


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_misconceptions_are_the_mistakes_they_name(difficulty):
    for seed in SEEDS:
        params = variant(seed, difficulty)
        solution = problem.solve(params)
        assert has_distinct_misconceptions(solution), params
        answers = solution.answers()
        wrong = wrong_values(params, answers)
        quadratic = all(i + j <= 2 for _, i, j in params["terms"])
        for part in solution.parts:
            for m in part.answer.misconceptions:
                assert m.feedback_en and m.feedback_zh, (params, m.tag)
                if m.tag == "hessian-without-critical":
                    assert answers["kind"] == "not a critical point"
                    assert m.value_or_expr in ("minimum", "maximum", "saddle")
                    continue
                expected = wrong[part.name][m.tag]
                if part.name == "kind":
                    assert m.value_or_expr == expected, (params, m.tag)
                else:
                    np.testing.assert_allclose(
                        m.value_or_expr, expected, atol=1e-6, err_msg=f"{params} {m.tag}"
                    )
                assert m.score == (0.5 if m.tag == "descending-order" else 0.0)
                if m.tag == "quadratic-form-matrix":
                    assert quadratic
        tags = {part.name: {m.tag for m in part.answer.misconceptions} for part in solution.parts}
        assert "diagonal-only" in tags["hessian"]
        assert {"descending-order", "diagonal-as-eigenvalues"} <= tags["eigenvalues"]
        assert tags["kind"], params
        if answers["kind"] == "maximum":
            assert "determinant-only" in tags["kind"]
        if answers["kind"] == "saddle":
            assert tags["kind"] & {"critical-means-minimum", "diagonal-signs"}


def test_generation_covers_every_kind_and_structure():
    seen = set()
    for difficulty in (1, 2, 3):
        for seed in range(60):
            params = variant(seed, difficulty)
            assert params == variant(seed, difficulty)
            answers = problem.solve(params).answers()
            H = np.array(answers["hessian"])
            eigen = np.array(answers["eigenvalues"])
            assert np.min(np.abs(eigen)) >= 0.9 and H[0, 1] != 0
            assert all(isinstance(c, int) for row in params["terms"] for c in row)
            degree = max(i + j for _, i, j in params["terms"])
            assert degree == (3 if difficulty >= 3 else 2)
            if difficulty == 1:
                assert np.allclose(eigen, np.round(eigen))
            seen.add((difficulty, answers["kind"]))
            if answers["kind"] == "saddle" and H[0, 0] * H[1, 1] > 0:
                seen.add((difficulty, "saddle with a misleading diagonal"))
    for difficulty in (1, 2, 3):
        for kind in ("minimum", "maximum", "saddle", "saddle with a misleading diagonal"):
            assert (difficulty, kind) in seen
    assert (1, "not a critical point") not in seen
    assert (2, "not a critical point") in seen and (3, "not a critical point") in seen


def test_the_lectures_saddle_point():
    # Lee's example: y = w₁w₂x on one sample (x, ŷ) = (1, 1), L = (1 − w₁w₂)²
    # = 1 − 2w₁w₂ + w₁²w₂². At the origin: ∇L = 0, H = [[0, −2], [−2, 0]],
    # eigenvalues −2 and 2: a saddle point, not a local minimum.
    terms = [[1, 0, 0], [-2, 1, 1], [1, 2, 2]]
    solution = problem.solve({"terms": terms, "point": [0, 0]})
    answers = solution.answers()
    assert answers["gradient"] == [0.0, 0.0]
    assert answers["hessian"] == [[0.0, -2.0], [-2.0, 0.0]]
    assert answers["eigenvalues"] == pytest.approx([-2.0, 2.0])
    assert answers["kind"] == "saddle"
    parts = {part.name: part.answer for part in solution.parts}
    assert check(parts["kind"], "minimum").misconception == "critical-means-minimum"
    assert check(parts["hessian"], "[0 0; 0 0]").misconception == "diagonal-only"
    assert check(parts["eigenvalues"], "2, -2").misconception == "descending-order"
    assert check(parts["eigenvalues"], "2, -2").score == 0.5
    # Along the valley w₁w₂ = 1 the gradient is 0 too, but H = [[2, 2], [2, 2]]
    # has the eigenvalue 0: the second-order test cannot decide.
    valley = problem.solve({"terms": terms, "point": [1, 1]})
    assert valley.answers()["eigenvalues"] == pytest.approx([0.0, 4.0], abs=1e-12)
    assert valley.answers()["kind"] == "inconclusive"
    assert "inconclusive" in valley.parts[-1].answer.options


def test_a_maximum_named_by_the_determinant_slip():
    # L = −θ₁² + θ₁θ₂ − θ₂²: H = [[−2, 1], [1, −2]], det 3 > 0 but both
    # eigenvalues (−3, −1) negative.
    solution = problem.solve({"terms": [[-1, 2, 0], [1, 1, 1], [-1, 0, 2]], "point": [0, 0]})
    answers = solution.answers()
    assert answers["eigenvalues"] == pytest.approx([-3.0, -1.0])
    assert answers["kind"] == "maximum"
    kind = solution.parts[-1].answer
    assert check(kind, "minimum").misconception == "determinant-only"
    assert check(kind, "B").status == "correct"  # options: minimum, maximum, …
    gradient = solution.parts[0].answer
    assert gradient.misconceptions == ()  # at the origin no power factor shows


def test_a_point_that_is_not_critical():
    # L = θ₁² + θ₂² + θ₁ at the origin: ∇L = (1, 0).
    solution = problem.solve({"terms": [[1, 2, 0], [1, 0, 2], [1, 1, 0]], "point": [0, 0]})
    answers = solution.answers()
    assert answers["gradient"] == [1.0, 0.0]
    assert answers["kind"] == "not a critical point"
    verdict = check(solution.parts[-1].answer, "minimum")
    assert verdict.misconception == "hessian-without-critical"


@pytest.mark.parametrize(
    "change, name",
    [
        ({"terms": [[1, 2]]}, "terms"),
        ({"terms": [[1, -1, 0]]}, "terms"),
        ({"terms": [[1, 5, 0]]}, "terms"),
        ({"terms": [[1, 1.5, 0]]}, "terms"),
        ({"terms": [[0, 2, 0]]}, "terms"),
        ({"terms": "x^2"}, "terms"),
        ({"point": [0, 0, 0]}, "point"),
        ({"point": [0]}, "point"),
        ({"point": ["a", 0]}, "point"),
        ({"point": [1e9, 0]}, "point"),
        ({"hessian": [[1, 0], [0, 1]]}, "hessian"),
    ],
)
def test_bad_parameters_are_refused_by_name(change, name):
    params = {"terms": [[1, 2, 0], [-1, 0, 2]], "point": [0, 0], **change}
    with pytest.raises(ParameterError) as error:
        problem.solve(params)
    assert error.value.name == name
