"""k-fold splits checked as a partition by brute force and against numpy.array_split;
the cross-validation choice against a loop written here."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.solutions.validation import cross_validation_choice, kfold_indices, kfold_sizes

CASES = [(n, k) for k in range(2, 8) for n in range(k, 40)]


@pytest.mark.parametrize("n, k", CASES)
def test_kfold_indices_partition_the_samples(n, k):
    folds = kfold_indices(n, k)
    assert len(folds) == k
    seen = [0] * n
    for train, validation in folds:
        assert train.dtype.kind == "i" and validation.dtype.kind == "i"
        for i in validation:
            seen[int(i)] += 1
        complement = [i for i in range(n) if i not in set(validation.tolist())]
        assert train.tolist() == complement
    assert seen == [1] * n
    sizes = [len(v) for _, v in folds]
    assert max(sizes) - min(sizes) <= 1


@pytest.mark.parametrize("n, k", CASES)
def test_kfold_indices_are_contiguous_blocks_like_array_split(n, k):
    expected = np.array_split(np.arange(n), k)
    for (_, validation), block in zip(kfold_indices(n, k), expected):
        assert validation.tolist() == block.tolist()
    assert kfold_sizes(n, k).tolist() == [len(b) for b in expected]


@pytest.mark.parametrize("n, k", CASES)
def test_the_first_folds_get_the_extra_samples(n, k):
    sizes = kfold_sizes(n, k)
    extra = n % k
    assert sizes.tolist() == [n // k + 1] * extra + [n // k] * (k - extra)
    assert sizes.sum() == n


def test_kfold_hand_worked():
    # 10 samples, 3 folds: sizes 4, 3, 3 (10 mod 3 = 1 fold gets one more).
    folds = kfold_indices(10, 3)
    assert [v.tolist() for _, v in folds] == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert folds[1][0].tolist() == [0, 1, 2, 3, 7, 8, 9]
    # n = k: leave-one-out.
    assert [v.tolist() for _, v in kfold_indices(4, 4)] == [[0], [1], [2], [3]]


def test_kfold_accepts_numpy_integers():
    assert kfold_sizes(np.int64(7), np.int32(3)).tolist() == [3, 2, 2]


@pytest.mark.parametrize(
    "n, k", [(5, 1), (3, 4), (0, 2), (-1, 2), (5.0, 2), (5, 2.5), (True, 2), ("6", 3), (6, None)]
)
@pytest.mark.parametrize("func", [kfold_indices, kfold_sizes])
def test_kfold_refuses_bad_sizes(func, n, k):
    with pytest.raises(ValueError):
        func(n, k)


# --- choosing a model ------------------------------------------------------------------


def _choice_by_loop(scores, lower_is_better):
    means = [sum(row) / len(row) for row in scores]
    best = 0
    for m, value in enumerate(means):
        if (value < means[best]) if lower_is_better else (value > means[best]):
            best = m
    return means, best


@pytest.mark.parametrize("seed", range(60))
def test_cross_validation_choice_matches_a_loop(seed):
    rng = np.random.default_rng(seed)
    scores = rng.uniform(0, 1, size=(rng.integers(1, 6), rng.integers(1, 8)))
    lower_is_better = bool(seed % 2)
    means, chosen = cross_validation_choice(scores, lower_is_better)
    expected_means, expected_chosen = _choice_by_loop(scores.tolist(), lower_is_better)
    np.testing.assert_allclose(means, expected_means, atol=1e-12)
    assert chosen == expected_chosen and isinstance(chosen, int)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda k: st.lists(st.lists(st.integers(0, 20), min_size=k, max_size=k), min_size=1)
    ),
    st.booleans(),
)
def test_ties_go_to_the_first_model(scores, lower_is_better):
    # Whole numbers keep the means exact, so equal means really tie.
    _, chosen = cross_validation_choice(scores, lower_is_better)
    _, expected = _choice_by_loop(scores, lower_is_better)
    assert chosen == expected


def test_cross_validation_choice_hand_worked():
    # Errors of two models on 3 folds: model 2 has the best single fold (0.10)
    # but the higher mean (0.30 against 0.20).
    scores = [[0.20, 0.25, 0.15], [0.10, 0.40, 0.40]]
    means, chosen = cross_validation_choice(scores)
    np.testing.assert_allclose(means, [0.20, 0.30])
    assert chosen == 0
    assert cross_validation_choice(scores, lower_is_better=False)[1] == 1
    assert cross_validation_choice([[0.5, 0.5], [0.5, 0.5]])[1] == 0


def test_one_fold_and_one_model():
    means, chosen = cross_validation_choice([[0.3]])
    assert means.tolist() == [0.3] and chosen == 0


@pytest.mark.parametrize("scores", [[], [[]], [0.1, 0.2], [[[0.1]]], [[0.1, np.nan]], [[np.inf]]])
def test_cross_validation_choice_refuses_bad_scores(scores):
    with pytest.raises(ValueError):
        cross_validation_choice(scores)
