"""Every problem type's answer parts through the checker: the right value
typed as a student would type it is correct, and each declared misconception
typed the same way is named."""

import json

import numpy as np
import pytest

from tutor import registry
from tutor.answers import check

TYPES = sorted(registry.problem_types())


def typed(value):
    """A value as a student types it: whole numbers exact, others to 6
    significant digits, lists as JSON."""
    if isinstance(value, str) or hasattr(value, "free_symbols"):
        return str(value)
    array = np.asarray(value, dtype=float)
    if np.all(array == np.round(array)):
        return json.dumps(array.astype(int).tolist())
    return json.dumps(np.vectorize(lambda v: float(f"{v:.6g}"))(array).tolist())


@pytest.mark.parametrize("problem_id", TYPES)
def test_right_answers_are_correct_and_mistakes_are_named(problem_id):
    problem = registry.get(problem_id)
    for seed in range(40):
        for lang in ("en", "zh"):
            solution = problem.solve(problem.generate(np.random.default_rng(seed), seed % 3 + 1))
            for part in solution.parts:
                answer = part.answer
                right = {"expression": "expr", "choice": "correct"}.get(answer.kind, "value")
                right = getattr(answer, right)
                verdict = check(answer, typed(right), lang)
                assert verdict.status == "correct", (problem_id, seed, part.name, verdict)
                for mistake in answer.misconceptions:
                    verdict = check(answer, typed(mistake.value_or_expr), lang)
                    context = (problem_id, seed, part.name, mistake.tag, verdict)
                    assert verdict.status == "incorrect", context
                    assert verdict.misconception == mistake.tag, context
                    assert verdict.feedback == mistake.feedback(lang), context
                    assert verdict.score == mistake.score, context


def test_conv_output_size_without_the_plus_one_is_named():
    params = {"n": 32, "f": 5, "p": 0, "s": 1, "c_in": 3, "c_out": 6}
    part = registry.get("conv-output-size").solve(params).parts[0]
    verdict = check(part.answer, "27")  # (32 - 5) / 1, the notes' own slip
    assert verdict.misconception == "missing-plus-one"
    assert "+1" in verdict.feedback
    assert check(part.answer, "28").status == "correct"


def test_pca_covariance_divided_by_n_is_named():
    X = np.array([[2.5, 2.4], [0.4, 0.7], [2.2, 2.9]])
    parts = {p.name: p for p in registry.get("pca").solve({"X": X.tolist()}).parts}
    divided_by_n = np.cov(X, rowvar=False, bias=True)
    verdict = check(parts["covariance"].answer, json.dumps(divided_by_n.round(4).tolist()))
    assert verdict.misconception == "divides-by-n"
    assert "n − 1" in verdict.feedback
    assert check(parts["covariance"].answer, "[1.29 1.23; 1.23 1.33]").status == "correct"
