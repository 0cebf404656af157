"""The cross-validation problem type, checked against numpy.array_split for the
folds, a search through the folds for a sample, and means and choices taken
with loops written here."""

import json
from functools import cache

import numpy as np
import pytest

from tutor.answers import check
from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import cross_validation as problem

CASES = [(seed, difficulty) for seed in range(50) for difficulty in (1, 2, 3)]


@cache
def variant(seed, difficulty):
    params = problem.generate(np.random.default_rng(seed), difficulty)
    assert json.loads(json.dumps(params)) == params
    return params, problem.solve(json.loads(json.dumps(params)))


def answers_of(solution):
    return {part.name: part.answer for part in solution.parts}


def mistakes(answer):
    return {m.tag: m.value_or_expr for m in answer.misconceptions}


def fold_containing(sample, blocks):
    """The fold (from 1) whose block holds the sample (numbered from 1)."""
    return next(j + 1 for j, block in enumerate(blocks) if sample - 1 in block)


def means_by_loop(scores):
    return [sum(row) / len(row) for row in scores]


def best_index(values, lower):
    best = 0
    for i, v in enumerate(values):
        if (v < values[best]) if lower else (v > values[best]):
            best = i
    return best


@pytest.mark.parametrize(("seed", "difficulty"), CASES)
def test_answers_match_array_split_and_loops(seed, difficulty):
    params, solution = variant(seed, difficulty)
    n, k, scores = params["n"], params["k"], params["scores"]
    lower = params["metric"] == "error"
    blocks = [set(b.tolist()) for b in np.array_split(np.arange(n), k)]
    got = solution.answers()
    assert got["fold_sizes"] == [len(b) for b in blocks]
    if "sample" in params:
        assert got["fold_of_sample"] == fold_containing(params["sample"], blocks)
    else:
        assert "fold_of_sample" not in got
    means = means_by_loop(scores)
    assert got["means"] == pytest.approx(means, abs=1e-12)
    assert got["chosen"] == f"M{best_index(means, lower) + 1}"


@pytest.mark.parametrize(("seed", "difficulty"), CASES)
def test_misconceptions_are_the_mistakes_they_name(seed, difficulty):
    params, solution = variant(seed, difficulty)
    assert has_distinct_misconceptions(solution)
    n, k, scores = params["n"], params["k"], params["scores"]
    lower = params["metric"] == "error"
    answers = answers_of(solution)
    wrong_sizes = mistakes(answers["fold_sizes"])
    if n % k:
        # The extra samples handed to the last folds; or dropped altogether.
        last_extra = [n // k + (1 if j >= k - n % k else 0) for j in range(k)]
        assert wrong_sizes == {"extra-to-last-folds": last_extra, "dropped-remainder": [n // k] * k}
    else:
        assert wrong_sizes == {}

    if "sample" in params:
        last_extra = [n // k + (1 if j >= k - n % k else 0) for j in range(k)]
        blocks = np.split(np.arange(n), np.cumsum(last_extra)[:-1])
        wrong_fold = fold_containing(params["sample"], [set(b.tolist()) for b in blocks])
        declared = mistakes(answers["fold_of_sample"])
        if wrong_fold != solution.answers()["fold_of_sample"]:
            assert declared == {"extra-to-last-folds": wrong_fold}
        else:
            assert declared == {}

    wrong_means = mistakes(answers["means"])
    assert wrong_means["sum-not-mean"] == pytest.approx([sum(r) for r in scores], abs=1e-12)
    best_folds = [min(r) if lower else max(r) for r in scores]
    assert wrong_means["best-single-fold"] == pytest.approx(best_folds, abs=1e-12)

    means = means_by_loop(scores)
    chosen = answers["chosen"].correct
    candidates = {
        "wrong-direction": best_index([-m for m in means], lower),
        "best-single-fold": max(
            range(len(scores)),
            key=lambda i: -min(scores[i]) if lower else max(scores[i]),
        ),
    }
    if "train" in params:
        candidates["training-score"] = best_index(params["train"], lower)
    for tag, option in mistakes(answers["chosen"]).items():
        assert option == f"M{candidates[tag] + 1}" != chosen, tag
    # Every mistake that leads away from the right model is declared.
    declared = set(mistakes(answers["chosen"]))
    assert {t for t, i in candidates.items() if f"M{i + 1}" != chosen} == declared


@pytest.mark.parametrize(("seed", "difficulty"), CASES[::4])
def test_the_checker_names_each_mistake(seed, difficulty):
    _, solution = variant(seed, difficulty)
    for answer in answers_of(solution).values():
        if answer.kind == "choice":
            assert check(answer, answer.correct).status == "correct"
            number = str(answer.options.index(answer.correct) + 1)
            assert check(answer, number).status == "correct"
        for m in answer.misconceptions:
            typed = m.value_or_expr
            typed = typed if isinstance(typed, str) else json.dumps(np.round(typed, 6).tolist())
            verdict = check(answer, typed)
            assert verdict.misconception == m.tag and verdict.status == "incorrect"


def test_generation_is_deterministic_and_covers_the_cases():
    seen = set()
    for seed, difficulty in CASES:
        params, solution = variant(seed, difficulty)
        if seed < 5:
            assert params == problem.generate(np.random.default_rng(seed), difficulty)
        n, k, scores = params["n"], params["k"], np.array(params["scores"])
        assert 3 <= k <= 5 and n >= 2 * k and scores.shape[1] == k
        assert len(scores) in ((2,) if difficulty == 1 else (2, 3))
        means = np.sort(scores.mean(axis=1))
        assert np.all(np.diff(means) >= 0.01)  # no near-tie to decide
        assert np.allclose(means * 100, np.round(means * 100))  # short decimals
        tags = set(mistakes(answers_of(solution)["chosen"]))
        seen |= {params["metric"], "divisible" if n % k == 0 else "remainder"}
        seen |= {f"trap:{t}" for t in tags}
        seen |= {"train"} if "train" in params else set()
        seen |= {"sample"} if "sample" in params else set()
    assert seen == {
        "error",
        "accuracy",
        "divisible",
        "remainder",
        "train",
        "sample",
        "trap:wrong-direction",
        "trap:best-single-fold",
        "trap:training-score",
    }


def test_hand_worked_three_fold_example():
    # The notes' setting: 3 folds, 3 models, each model's results averaged.
    # 10 samples: 10 = 3·3 + 1, so the folds hold x1–x4, x5–x7, x8–x10.
    # Errors: M1 (0.30 + 0.20 + 0.25)/3 = 0.25; M2 (0.10 + 0.35 + 0.39)/3 = 0.28;
    # M3 (0.40 + 0.35 + 0.45)/3 = 0.40. M1 is chosen although M2 has the best
    # fold (0.10) and M3 the best training error.
    params = {
        "n": 10,
        "k": 3,
        "metric": "error",
        "scores": [[0.30, 0.20, 0.25], [0.10, 0.35, 0.39], [0.40, 0.35, 0.45]],
        "train": [0.2, 0.15, 0.05],
        "sample": 5,
    }
    solution = problem.solve(params)
    got = solution.answers()
    assert got["fold_sizes"] == [4, 3, 3]
    assert got["fold_of_sample"] == 2
    assert got["means"] == pytest.approx([0.25, 0.28, 0.40])
    assert got["chosen"] == "M1"
    answers = answers_of(solution)
    # x5 with the extra sample at the end (3, 3, 4) would be in fold 2 too: no mistake.
    assert mistakes(answers["fold_of_sample"]) == {}
    assert check(answers["fold_sizes"], "3 3 4").misconception == "extra-to-last-folds"
    # M2 holds the best single fold. M3 is both the worst mean and the best
    # training error: one option, named by the first of the two mistakes.
    assert mistakes(answers["chosen"]) == {"wrong-direction": "M3", "best-single-fold": "M2"}
    assert check(answers["chosen"], "M2").misconception == "best-single-fold"
    assert check(answers["chosen"], "c").misconception == "wrong-direction"


def test_hand_worked_accuracies():
    # Accuracies: higher is better. 12 samples in 4 folds of 3.
    params = {
        "n": 12,
        "k": 4,
        "metric": "accuracy",
        "scores": [[0.8, 0.9, 0.7, 0.8], [0.75, 0.85, 0.8, 0.8]],
    }
    solution = problem.solve(params)
    got = solution.answers()
    assert got["fold_sizes"] == [3, 3, 3, 3]
    assert got["means"] == pytest.approx([0.8, 0.8])
    assert got["chosen"] == "M1"  # a tie goes to the first model
    params["scores"][1][0] = 0.79
    got = problem.solve(params).answers()
    assert got["means"] == pytest.approx([0.8, 0.81])
    assert got["chosen"] == "M2"


GOOD = {"n": 10, "k": 3, "metric": "error", "scores": [[0.3, 0.2, 0.25], [0.1, 0.35, 0.39]]}


@pytest.mark.parametrize(
    ("change", "name"),
    [
        ({"k": 1}, "k"),
        ({"k": 2.5}, "k"),
        ({"k": "3"}, "k"),
        ({"n": 2}, "n"),
        ({"n": True}, "n"),
        ({"metric": "loss"}, "metric"),
        ({"scores": [[0.3, 0.2], [0.1, 0.35]]}, "scores"),
        ({"scores": [[0.3, 0.2, 0.25]]}, "scores"),
        ({"scores": [[0.3, 0.2, -0.25], [0.1, 0.35, 0.39]]}, "scores"),
        ({"scores": [[0.3, "a", 0.25], [0.1, 0.35, 0.39]]}, "scores"),
        ({"metric": "accuracy", "scores": [[30, 20, 25], [10, 35, 39]]}, "scores"),
        ({"train": [0.1, 0.2, 0.3]}, "train"),
        ({"train": [0.1, -0.2]}, "train"),
        ({"sample": 0}, "sample"),
        ({"sample": 11}, "sample"),
        ({"folds": 3}, "folds"),
    ],
)
def test_bad_parameters_are_refused_by_name(change, name):
    with pytest.raises(ParameterError) as error:
        problem.solve({**GOOD, **change})
    assert error.value.name == name
