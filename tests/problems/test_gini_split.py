"""The gini-split problem type, checked against Gini impurities in exact
fractions and entropies written out here with math.log2."""

import json
import math
from fractions import Fraction
from functools import cache

import numpy as np
import pytest

from tutor.answers import check
from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import gini_split as problem

CASES = [(seed, difficulty) for seed in range(40) for difficulty in (1, 2, 3)]


def gini(row):
    n = sum(row)
    return 1 - sum(Fraction(c, n) ** 2 for c in row)


def weighted(table, impurity):
    n = sum(map(sum, table))
    return sum(Fraction(sum(row), n) * impurity(row) for row in table)


def entropy(row):
    n = sum(row)
    return -sum(c / n * math.log2(c / n) for c in row if c)


def gini_gain(table):
    return gini([sum(col) for col in zip(*table)]) - weighted(table, gini)


def info_gain(table):
    return entropy([sum(col) for col in zip(*table)]) - float(weighted(table, entropy))


@cache
def variant(seed, difficulty):
    params = problem.generate(np.random.default_rng(seed), difficulty)
    assert json.loads(json.dumps(params)) == params
    return params, problem.solve(json.loads(json.dumps(params)))


def answers_of(solution):
    return {part.name: part.answer for part in solution.parts}


def mistakes(answer):
    return {m.tag: m.value_or_expr for m in answer.misconceptions}


@pytest.mark.parametrize(("seed", "difficulty"), CASES)
def test_answers_match_exact_fractions(seed, difficulty):
    params, solution = variant(seed, difficulty)
    table = params["counts"]
    got = solution.answers()
    parent = gini([sum(col) for col in zip(*table)])
    assert got["gini_parent"] == pytest.approx(float(parent), abs=1e-12)
    assert got["gini_children"] == pytest.approx([float(gini(r)) for r in table], abs=1e-12)
    assert got["gini_split"] == pytest.approx(float(weighted(table, gini)), abs=1e-12)
    assert got["gini_gain"] == pytest.approx(float(gini_gain(table)), abs=1e-12)
    if "counts_b" in params:
        b = params["counts_b"]
        assert got["choice_gini"] == ("A" if gini_gain(table) > gini_gain(b) else "B")
        assert got["choice_ig"] == ("A" if info_gain(table) > info_gain(b) else "B")
    else:
        assert "choice_gini" not in got and "choice_ig" not in got


@pytest.mark.parametrize(("seed", "difficulty"), CASES)
def test_misconceptions_are_the_mistakes_they_name(seed, difficulty):
    params, solution = variant(seed, difficulty)
    assert has_distinct_misconceptions(solution)
    table = params["counts"]
    classes = [sum(col) for col in zip(*table)]
    n_values, n_classes = len(table), len(classes)
    parent, children = float(gini(classes)), [float(gini(r)) for r in table]
    split = float(weighted(table, gini))
    shares = lambda row: [c / sum(row) for c in row]  # noqa: E731
    one_minus_sum_p = lambda row: 1 - sum(shares(row))  # noqa: E731
    expected = {
        "gini_parent": {
            "one-minus-sum-p": one_minus_sum_p(classes),
            "forgot-one-minus": sum(p * p for p in shares(classes)),
            "entropy-for-gini": entropy(classes),
        },
        "gini_children": {
            "one-minus-sum-p": [one_minus_sum_p(r) for r in table],
            "forgot-one-minus": [sum(p * p for p in shares(r)) for r in table],
            "entropy-for-gini": [entropy(r) for r in table],
        },
        "gini_split": {
            "unweighted-mean": sum(children) / n_values,
            "weights-by-classes": sum(children) / n_classes,
            "entropy-for-gini": float(weighted(table, entropy)),
            "one-minus-sum-p": 0.0,
        },
        "gini_gain": {
            "unweighted-mean": parent - sum(children) / n_values,
            "weights-by-classes": parent - sum(children) / n_classes,
            "entropy-for-gini": info_gain(table),
            "gave-weighted-gini": split,
        },
    }
    answers = answers_of(solution)
    for name, wrong in expected.items():
        declared = mistakes(answers[name])
        for tag, value in declared.items():
            assert value == pytest.approx(wrong[tag], abs=1e-12), (name, tag)
        # Left out only when the mistake gives the right value here.
        for tag in set(wrong) - set(declared):
            same_as_classes = tag == "weights-by-classes" and n_classes == n_values
            assert same_as_classes or answers[name].close(wrong[tag]), (name, tag)
    if "counts_b" in params:
        b = params["counts_b"]
        agree = (gini_gain(table) > gini_gain(b)) == (info_gain(table) > info_gain(b))
        for name, tags in (
            ("choice_gini", ("higher-impurity", "entropy-for-gini")),
            ("choice_ig", ("lower-gain", "gini-for-ig")),
        ):
            answer = answers[name]
            other = {"A": "B", "B": "A"}[answer.correct]
            assert mistakes(answer) == {tags[0] if agree else tags[1]: other}


@pytest.mark.parametrize(("seed", "difficulty"), CASES[::3])
def test_the_checker_accepts_the_choice_and_names_the_other(seed, difficulty):
    params, solution = variant(seed, difficulty)
    for name in ("choice_gini", "choice_ig"):
        answer = answers_of(solution).get(name)
        if answer is None:
            continue
        assert check(answer, answer.correct).status == "correct"
        assert check(answer, answer.correct.lower()).status == "correct"
        (wrong,) = answer.misconceptions
        verdict = check(answer, wrong.value_or_expr, "zh")
        assert verdict.misconception == wrong.tag and verdict.feedback == wrong.feedback_zh


def test_generation_draws_both_agreement_and_disagreement():
    seen, shapes = {"agree": 0, "disagree": 0, "single": 0}, set()
    for seed, difficulty in CASES:
        params, _ = variant(seed, difficulty)
        if seed < 5:
            assert params == problem.generate(np.random.default_rng(seed), difficulty)
        a = params["counts"]
        shapes.add((len(a), len(a[0])))
        sizes = [sum(row) for row in a]
        assert min(sizes) >= 2 and len(set(sizes)) == len(sizes)
        if "counts_b" not in params:
            assert difficulty < 3
            seen["single"] += 1
            continue
        assert difficulty >= 2
        b = params["counts_b"]
        assert [sum(c) for c in zip(*a)] == [sum(c) for c in zip(*b)]
        gains = gini_gain(a) - gini_gain(b), info_gain(a) - info_gain(b)
        assert min(abs(g) for g in gains) >= 0.01
        seen["agree" if (gains[0] > 0) == (gains[1] > 0) else "disagree"] += 1
    assert min(seen.values()) >= 10, seen
    assert shapes == {(2, 2), (2, 3), (3, 2), (3, 3)}


def test_hand_worked_exam_example():
    # The exam review's 10 people: high education 4 high / 2 low income, low
    # education 1 high / 3 low. Gini(D) = 1 − 0.5² − 0.5² = 0.5;
    # Gini(D₁) = 1 − (4/6)² − (2/6)² = 4/9, Gini(D₂) = 1 − (1/4)² − (3/4)² = 3/8;
    # Gini(D, A) = 0.6·4/9 + 0.4·3/8 = 5/12; gain = 1/2 − 5/12 = 1/12.
    solution = problem.solve({"counts": [[4, 2], [1, 3]]})
    got = solution.answers()
    assert got["gini_parent"] == pytest.approx(0.5)
    assert got["gini_children"] == pytest.approx([4 / 9, 3 / 8])
    assert got["gini_split"] == pytest.approx(5 / 12)
    assert got["gini_gain"] == pytest.approx(1 / 12)
    answers = answers_of(solution)
    # For two equally frequent classes Σp² = 1 − Gini = 0.5 as well: no mistake to name.
    assert "forgot-one-minus" not in mistakes(answers["gini_parent"])
    assert check(answers["gini_split"], "0.40972").misconception == "unweighted-mean"
    assert check(answers["gini_gain"], "0.1245").misconception == "entropy-for-gini"


def test_hand_worked_disagreement():
    # Same 10 people; attribute B puts 3 of the low-income ones apart:
    # B: [[5, 2], [0, 3]]. Gini(D, B) = 0.7·(1 − (5/7)² − (2/7)²) = 2/7 = 0.2857,
    # so B wins on both criteria here. The variant where they disagree:
    # A = [[5, 1], [1, 3]], B = [[3, 4], [3, 0]] over 6 / 4 samples of two classes.
    solution = problem.solve({"counts": [[4, 2], [1, 3]], "counts_b": [[5, 2], [0, 3]]})
    assert solution.answers()["choice_gini"] == "B"
    assert solution.answers()["choice_ig"] == "B"
    a, b = [[5, 1], [1, 3]], [[3, 4], [3, 0]]
    assert gini_gain(a) > gini_gain(b) and info_gain(a) < info_gain(b)
    got = problem.solve({"counts": a, "counts_b": b}).answers()
    assert (got["choice_gini"], got["choice_ig"]) == ("A", "B")


GOOD = {"counts": [[4, 2], [1, 3]], "counts_b": [[5, 2], [0, 3]]}


@pytest.mark.parametrize(
    ("change", "name"),
    [
        ({"counts": [[4, -2], [1, 3]]}, "counts"),
        ({"counts": [[4.5, 2], [1, 3]]}, "counts"),
        ({"counts": [[4, 2], [0, 0]]}, "counts"),
        ({"counts": [[4], [1]]}, "counts"),
        ({"counts": [[4, 2]]}, "counts"),
        ({"counts": "4 2; 1 3"}, "counts"),
        ({"counts": [4, 2, 1, 3]}, "counts"),
        ({"counts_b": [[5, 2], [0, 2]]}, "counts_b"),
        ({"counts_b": [[5, 2, 0], [0, 3, 0]]}, "counts_b"),
        ({"counts_b": [[5, 2], [0, "x"]]}, "counts_b"),
        ({"weights": [1, 2]}, "weights"),
    ],
)
def test_bad_parameters_are_refused_by_name(change, name):
    with pytest.raises(ParameterError) as error:
        problem.solve({**GOOD, **change})
    assert error.value.name == name


def test_counts_b_may_be_null():
    assert set(problem.solve({"counts": [[4, 2], [1, 3]], "counts_b": None}).answers()) == {
        "gini_parent",
        "gini_children",
        "gini_split",
        "gini_gain",
    }
