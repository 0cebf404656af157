"""The naive-bayes problem type, checked against exact brute-force counting
with fractions.Fraction."""

import json
import math
from fractions import Fraction

import numpy as np
import pytest

from tutor.answers import check
from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import naive_bayes as problem

SEEDS = range(80)


def count(params):
    """(classes, N_C per class, count(x_j, C) table, |V_j| per feature, N), by counting."""
    X, y, x = params["X"], params["y"], params["x"]
    classes = sorted(set(y))
    sizes = [y.count(c) for c in classes]
    table = [
        [sum(1 for row, label in zip(X, y) if label == c and row[j] == x[j]) for j in range(len(x))]
        for c in classes
    ]
    n_values = [len({row[j] for row in X}) for j in range(len(x))]
    return classes, sizes, table, n_values, len(y)


def normalised(values):
    total = sum(values)
    return [v / total for v in values]


def oracle(params, denominator="laplace", prior=True, smooth=True):
    """Priors, likelihoods, scores and posteriors as Fractions, under the right
    formula or a named wrong one."""
    classes, sizes, table, n_values, n = count(params)
    priors = [Fraction(s, n) for s in sizes]
    likelihoods = []
    for size, row in zip(sizes, table):
        if not smooth:
            likelihoods.append([Fraction(c, size) for c in row])
        elif denominator == "plus-one":
            likelihoods.append([Fraction(c + 1, size + 1) for c in row])
        elif denominator == "all-samples":
            likelihoods.append([Fraction(c + 1, n + v) for c, v in zip(row, n_values)])
        else:
            likelihoods.append([Fraction(c + 1, size + v) for c, v in zip(row, n_values)])
    scores = [(p if prior else 1) * math.prod(row) for p, row in zip(priors, likelihoods)]
    posteriors = normalised(scores) if sum(scores) else None
    return classes, priors, likelihoods, scores, posteriors


def variant(seed, difficulty):
    return problem.generate(np.random.default_rng(seed), difficulty)


def as_float(values):
    return np.array(values, dtype=float).tolist()


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_answers_match_exact_counting(difficulty):
    for seed in SEEDS:
        params = variant(seed, difficulty)
        assert json.loads(json.dumps(params)) == params
        answers = problem.solve(params).answers()
        classes, priors, likelihoods, _, posteriors = oracle(params)
        assert answers["priors"] == pytest.approx(as_float(priors), abs=1e-12)
        np.testing.assert_allclose(answers["likelihoods"], as_float(likelihoods), atol=1e-12)
        assert answers["posteriors"] == pytest.approx(as_float(posteriors), abs=1e-12)
        assert answers["prediction"] == classes[posteriors.index(max(posteriors))]


def wrong_values(params):
    """Each declared mistake recomputed from its description: tag → {part: value}."""
    classes, priors, likelihoods, scores, posteriors = oracle(params)
    _, sizes, _, _, n = count(params)
    plus_one = oracle(params, denominator="plus-one")
    raw = oracle(params, smooth=False)
    over_n = oracle(params, denominator="all-samples")
    no_prior = oracle(params, prior=False)

    def winner(result):
        return None if result[4] is None else classes[result[4].index(max(result[4]))]

    return {
        "reversed-order": {"priors": priors[::-1], "posteriors": posteriors[::-1]},
        "smoothed-prior": {"priors": [Fraction(s + 1, n + len(classes)) for s in sizes]},
        "notes-plus-one": {
            "likelihoods": plus_one[2],
            "posteriors": plus_one[4],
            "prediction": winner(plus_one),
        },
        "no-smoothing": {
            "likelihoods": raw[2],
            "posteriors": raw[4],
            "prediction": winner(raw),
        },
        "divided-by-n": {"likelihoods": over_n[2]},
        "no-prior": {"posteriors": no_prior[4], "prediction": winner(no_prior)},
        "not-normalised": {"posteriors": scores},
    }


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_misconceptions_are_the_mistakes_they_name(difficulty):
    flips = set()
    for seed in SEEDS:
        params = variant(seed, difficulty)
        solution = problem.solve(params)
        assert has_distinct_misconceptions(solution), params
        wrong = wrong_values(params)
        for part in solution.parts:
            for m in part.answer.misconceptions:
                expected = wrong[m.tag][part.name]
                if part.name == "prediction":
                    assert m.value_or_expr == expected
                    flips.add(m.tag)
                else:
                    np.testing.assert_allclose(m.value_or_expr, as_float(expected), atol=1e-12)
                assert m.score == (0.5 if m.tag == "reversed-order" else 0.0)
        tags = {m.tag for m in solution.parts[1].answer.misconceptions}
        assert tags == {"notes-plus-one", "no-smoothing", "divided-by-n"}
    assert {"no-smoothing", "no-prior"} <= flips


def test_every_variant_needs_smoothing():
    for difficulty in (1, 2, 3):
        for seed in range(60):
            params = variant(seed, difficulty)
            _, sizes, table, _, _ = count(params)
            assert min(min(row) for row in table) == 0  # some count is 0
            assert max(min(row) for row in table) > 0  # but not in every class
            assert min(sizes) >= 2 and 6 <= len(params["y"]) <= 10
            assert 2 <= len(params["features"]) <= 3
            posteriors = oracle(params)[4]
            assert abs(posteriors[0] - posteriors[1]) >= Fraction(1, 10)  # no near tie


# A hand-worked table in the setting of the notes (weather / play).
#   Outlook  Wind    play
#   sunny    weak    no
#   sunny    strong  no
#   rain     weak    yes
#   overcast weak    yes
#   rain     strong  no
#   overcast strong  yes
#   sunny    weak    yes
# Query: Outlook = overcast, Wind = strong. N_no = 3, N_yes = 4; |V_Outlook| = 3, |V_Wind| = 2.
# P(overcast|no) = (0+1)/(3+3) = 1/6, P(strong|no) = (2+1)/(3+2) = 3/5;
# P(overcast|yes) = (2+1)/(4+3) = 3/7, P(strong|yes) = (1+1)/(4+2) = 1/3.
# Scores: 3/7 · 1/6 · 3/5 = 3/70 and 4/7 · 3/7 · 1/3 = 4/49;
# posteriors 21/61 and 40/61 ≈ 0.3443, 0.6557: yes.
# The notes' +1 denominator: 1/4 · 3/4 (no) and 3/5 · 2/5 (yes).
HAND = {
    "features": ["Outlook", "Wind"],
    "X": [
        ["sunny", "weak"],
        ["sunny", "strong"],
        ["rain", "weak"],
        ["overcast", "weak"],
        ["rain", "strong"],
        ["overcast", "strong"],
        ["sunny", "weak"],
    ],
    "y": ["no", "no", "yes", "yes", "no", "yes", "yes"],
    "x": ["overcast", "strong"],
}


def test_hand_worked_weather_table():
    solution = problem.solve(HAND)
    answers = solution.answers()
    assert answers["priors"] == pytest.approx([3 / 7, 4 / 7])
    np.testing.assert_allclose(answers["likelihoods"], [[1 / 6, 3 / 5], [3 / 7, 1 / 3]])
    assert answers["posteriors"] == pytest.approx([21 / 61, 40 / 61])
    assert answers["prediction"] == "yes"
    parts = {p.name: p for p in solution.parts}
    verdict = check(parts["likelihoods"].answer, "[0.25 0.75; 0.6 0.4]")
    assert verdict.misconception == "notes-plus-one"
    assert "N_C + |V_j|" in verdict.feedback
    assert check(parts["posteriors"].answer, "[0.3443, 0.6557]").status == "correct"
    assert check(parts["prediction"].answer, "yes").status == "correct"
    # Without smoothing "no" scores 0 (overcast never occurs with "no"), so the
    # prediction does not change here, and no misconception is declared for it.
    assert parts["prediction"].answer.misconceptions == ()


def test_steps_show_the_smoothed_fractions():
    latex = " ".join(step.latex for step in problem.solve(HAND).steps)
    assert r"\frac{0 + 1}{3 + 3} = 0.1667" in latex
    assert r"\frac{2 + 1}{4 + 3} = 0.4286" in latex
    assert "= 0.6557" in latex


@pytest.mark.parametrize(
    "change, name",
    [
        ({"features": ["Outlook"]}, "X"),
        ({"features": ["Outlook", "Outlook"]}, "features"),
        ({"features": "Outlook, Wind"}, "features"),
        ({"features": ["Out{look}", "Wind"]}, "features"),
        ({"X": [["sunny", "weak"]]}, "X"),
        ({"X": [["sunny"]] * 7}, "X"),
        ({"y": ["no"] * 6}, "y"),
        ({"y": ["no"] * 7}, "y"),
        ({"y": ["a", "b", "c", "d", "a", "b", "c"]}, "y"),
        ({"y": ["no", "no", "yes", "yes", "no", 1, "yes"]}, "y"),
        ({"x": ["overcast"]}, "x"),
        ({"x": ["snow", "strong"]}, "x"),
        ({"x": ["overcast", None]}, "x"),
        ({"x": ["overcast", True]}, "x"),
        ({"alpha": 1}, "alpha"),
    ],
)
def test_bad_parameters_are_refused(change, name):
    with pytest.raises(ParameterError) as info:
        problem.solve({**HAND, **change})
    assert info.value.name == name


def test_missing_parameter_is_named():
    params = dict(HAND)
    del params["x"]
    with pytest.raises(ParameterError) as info:
        problem.solve(params)
    assert info.value.name == "x"


def test_generation_is_deterministic_and_varied():
    features, sizes = set(), set()
    for difficulty in (1, 2, 3):
        for seed in range(40):
            params = variant(seed, difficulty)
            assert params == variant(seed, difficulty)
            features.add(len(params["features"]))
            sizes.add(len(params["y"]))
    assert features == {2, 3} and sizes == set(range(6, 11))
