"""The batch-epoch problem type, checked against an epoch of batching that is
actually run, sample by sample."""

import json
import math

import numpy as np
import pytest

from tutor.answers import check
from tutor.problem import ParameterError, has_distinct_misconceptions
from tutor.problems import batch_epoch as problem

SEEDS = range(120)


def one_epoch(n, b, drop_last):
    """Shuffle and batch the samples as a training loop does: the size of
    every batch that makes an update."""
    order = np.random.default_rng(n).permutation(n)
    sizes = []
    for start in range(0, n, b):
        batch = order[start : start + b]
        if drop_last and len(batch) < b:
            continue
        sizes.append(len(batch))
    return sizes


def oracle(params):
    n, b, epochs, drop_last = (
        params[k] for k in ("n_samples", "batch_size", "epochs", "drop_last")
    )
    sizes = one_epoch(n, b, drop_last)
    total = 0
    for _ in range(epochs):  # every epoch batches the data afresh, the same way
        total += len(sizes)
    return {"updates_per_epoch": len(sizes), "total_updates": total, "last_batch_size": sizes[-1]}


def wrong_values(params):
    """Each declared mistake, recomputed from its description."""
    n, b, epochs, drop_last = (
        params[k] for k in ("n_samples", "batch_size", "epochs", "drop_last")
    )
    floor, ceil = math.floor(n / b), math.ceil(n / b)
    right_per_epoch = floor if drop_last else ceil
    wrong_rounding = ceil if drop_last else floor
    return {
        "updates_per_epoch": {
            "floor-instead-of-ceil": floor,
            "ceil-instead-of-floor": ceil,
            "no-rounding": n / b,
            "one-update-per-sample": n,
        },
        "total_updates": {
            "floor-instead-of-ceil": epochs * wrong_rounding,
            "ceil-instead-of-floor": epochs * wrong_rounding,
            "no-rounding": epochs * n / b,
            "rounded-once": (math.floor if drop_last else math.ceil)(epochs * n / b),
            "forgot-epochs": right_per_epoch,
            "epochs-as-updates": epochs,
        },
        "last_batch_size": {
            "full-last-batch": b,
            "remainder-zero": 0,
            "dropped-remainder": n % b,
        },
    }


def variant(seed, difficulty):
    return problem.generate(np.random.default_rng(seed), difficulty)


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_answers_match_a_batching_loop(difficulty):
    for seed in SEEDS:
        params = variant(seed, difficulty)
        assert json.loads(json.dumps(params)) == params
        assert problem.solve(params).answers() == oracle(params), params


@pytest.mark.parametrize("difficulty", (1, 2, 3))
def test_misconceptions_are_the_mistakes_they_name(difficulty):
    for seed in SEEDS:
        params = variant(seed, difficulty)
        solution = problem.solve(params)
        assert has_distinct_misconceptions(solution), params
        wrong = wrong_values(params)
        for part in solution.parts:
            assert part.answer.misconceptions, (params, part.name)
            for m in part.answer.misconceptions:
                assert m.value_or_expr == pytest.approx(wrong[part.name][m.tag]), (params, m.tag)
                assert m.feedback_en and m.feedback_zh and m.score == 0.0
        # The rounding slip is declared whenever B does not divide N.
        tags = {m.tag for m in solution.parts[0].answer.misconceptions}
        if params["n_samples"] % params["batch_size"]:
            assert (
                "ceil-instead-of-floor" if params["drop_last"] else "floor-instead-of-ceil"
            ) in tags


def test_generation_varies_the_structure():
    seen = set()
    for difficulty in (1, 2, 3):
        for seed in range(100):
            params = variant(seed, difficulty)
            assert params == variant(seed, difficulty)
            n, b = params["n_samples"], params["batch_size"]
            assert n >= b and params["epochs"] >= 2
            seen.add((difficulty, n % b == 0, params["drop_last"]))
    assert (1, True, False) in seen and (1, False, False) in seen
    assert not any(drop for d, _, drop in seen if d == 1)
    for difficulty in (2, 3):
        assert {(difficulty, divisible, drop) for divisible in (0, 1) for drop in (0, 1)} <= seen


def test_the_lectures_examples():
    # Lee's lecture: N = 10000, B = 10 gives 1000 updates per epoch; N = 1000,
    # B = 100 gives 10.
    first = problem.solve({"n_samples": 10000, "batch_size": 10, "epochs": 3, "drop_last": False})
    assert first.answers() == {
        "updates_per_epoch": 10000 // 10,
        "total_updates": 3 * 1000,
        "last_batch_size": 10,
    }
    second = problem.solve({"n_samples": 1000, "batch_size": 100, "epochs": 1, "drop_last": False})
    assert second.answers()["updates_per_epoch"] == 10


def test_mnist_by_hand():
    # 60000 = 468·128 + 96: 469 batches, the last of 96 samples; 468 when dropped.
    params = {"n_samples": 60000, "batch_size": 128, "epochs": 10, "drop_last": False}
    solution = problem.solve(params)
    assert solution.answers() == {
        "updates_per_epoch": 469,
        "total_updates": 4690,
        "last_batch_size": 60000 - 468 * 128,
    }
    parts = {part.name: part.answer for part in solution.parts}
    assert check(parts["updates_per_epoch"], "468").misconception == "floor-instead-of-ceil"
    assert check(parts["total_updates"], "4688").misconception == "rounded-once"  # ⌈600000/128⌉
    assert check(parts["last_batch_size"], "128").misconception == "full-last-batch"
    assert check(parts["total_updates"], "10").misconception == "epochs-as-updates"
    dropped = problem.solve({**params, "drop_last": True}).answers()
    assert dropped == {"updates_per_epoch": 468, "total_updates": 4680, "last_batch_size": 128}


def test_small_quotients_name_the_missing_rounding():
    params = {"n_samples": 50, "batch_size": 8, "epochs": 3, "drop_last": False}
    parts = {part.name: part.answer for part in problem.solve(params).parts}
    verdict = check(parts["updates_per_epoch"], "6.25")
    assert verdict.misconception == "no-rounding"
    assert check(parts["updates_per_epoch"], "7").status == "correct"
    assert check(parts["total_updates"], "19").misconception == "rounded-once"  # ⌈150/8⌉


@pytest.mark.parametrize(
    "change, name",
    [
        ({"n_samples": 0}, "n_samples"),
        ({"n_samples": "100"}, "n_samples"),
        ({"n_samples": 10.5}, "n_samples"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": [32]}, "batch_size"),
        ({"epochs": -1}, "epochs"),
        ({"epochs": True}, "epochs"),
        ({"drop_last": "yes"}, "drop_last"),
        ({"drop_last": True, "batch_size": 200}, "batch_size"),
        ({"learning_rate": 0.1}, "learning_rate"),
    ],
)
def test_bad_parameters_are_refused_by_name(change, name):
    params = {"n_samples": 100, "batch_size": 32, "epochs": 2, "drop_last": False, **change}
    with pytest.raises(ParameterError) as error:
        problem.solve(params)
    assert error.value.name == name
