"""Every problem type over many seeds: no exception, no degenerate variant,
answers that survive the round trip through JSON, math that converts.

TUTOR_STRESS_SEEDS sets the number of seeds per type (default 300).
"""

import json
import os

import numpy as np
import pytest

from tutor import registry
from tutor.checking import step_for
from tutor.problem import MATH_PIECES, has_distinct_misconceptions
from tutor.render import math

SEEDS = int(os.environ.get("TUTOR_STRESS_SEEDS", "300"))
TYPES = sorted(registry.problem_types())


def finite(value):
    if isinstance(value, str):
        return True
    return bool(np.all(np.isfinite(np.asarray(value, dtype=float))))


def latex_pieces(problem, params, solution):
    statement = problem.statement(params)
    texts = [statement[lang] for lang in ("en", "zh")]
    texts += [part.label[lang] for part in solution.parts for lang in ("en", "zh")]
    texts += [step.text[lang] for step in solution.steps for lang in ("en", "zh")]
    pieces = [m.group(1) or m.group(2) for t in texts for m in MATH_PIECES.finditer(t)]
    return pieces + [step.latex for step in solution.steps if step.latex]


@pytest.mark.parametrize("problem_id", TYPES)
def test_every_seed_gives_a_sound_variant(problem_id):
    problem = registry.get(problem_id)
    for seed in range(SEEDS):
        difficulty = seed % 3 + 1
        drawn = problem.generate(np.random.default_rng(seed), difficulty)
        context = f"{problem_id} seed {seed} difficulty {difficulty}: {drawn}"
        assert drawn == problem.generate(np.random.default_rng(seed), difficulty), context
        assert set(drawn) <= set(problem.PARAMETERS), context
        # As sheets and explain see it: every parameter, null where unused.
        params = registry.generate(problem_id, seed, difficulty)
        assert params == {name: drawn.get(name) for name in problem.PARAMETERS}, context
        round_tripped = json.loads(json.dumps(params))
        assert round_tripped == params, context
        solution = problem.solve(round_tripped)
        answers = solution.answers()
        assert set(answers) == {part.name for part in solution.parts}, context
        assert all(finite(value) for value in answers.values()), context
        assert has_distinct_misconceptions(solution), context
        assert all(part.points > 0 for part in solution.parts), context
        assert solution.steps, context
        assert all(step_for(part, solution.steps) for part in solution.parts), context
        # explain --set with the generated parameters reproduces the answers.
        assert json.dumps(problem.solve(params).answers()) == json.dumps(answers), context


@pytest.mark.parametrize("problem_id", TYPES)
def test_every_formula_converts_to_mathml(problem_id):
    problem = registry.get(problem_id)
    for seed in range(0, SEEDS, 10):
        params = problem.generate(np.random.default_rng(seed), seed % 3 + 1)
        for piece in latex_pieces(problem, params, problem.solve(params)):
            assert "<merror" not in math(piece), f"{problem_id} seed {seed}: {piece}"


@pytest.mark.parametrize("problem_id", TYPES)
def test_every_type_declares_its_contract(problem_id):
    problem = registry.get(problem_id)
    assert problem_id == problem.ID
    assert set(problem.TITLE) == {"en", "zh"}
    assert problem.PARAMETERS
    assert all(set(d) == {"en", "zh"} for d in problem.PARAMETERS.values())
    params = problem.generate(np.random.default_rng(0), 2)
    assert set(params) <= set(problem.PARAMETERS)
    for part in problem.solve(params).parts:
        assert set(part.label) == {"en", "zh"}
        for m in part.answer.misconceptions:
            assert m.tag and m.feedback_en and m.feedback_zh


@pytest.mark.parametrize("problem_id", TYPES)
def test_unknown_parameters_are_refused(problem_id):
    from tutor.problem import ParameterError

    problem = registry.get(problem_id)
    params = problem.generate(np.random.default_rng(1), 2)
    with pytest.raises(ParameterError, match="no_such_parameter"):
        problem.solve({**params, "no_such_parameter": 1})
