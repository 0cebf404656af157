"""Distances and cosine similarity against scipy.spatial.distance; the k-NN vote
against a brute-force vote written here, on integer data full of ties."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.spatial import distance

from tutor.solutions.neighbours import (
    cosine_similarity,
    knn_neighbours,
    knn_predict,
    minkowski_distance,
)

SEEDS = range(60)
ORDERS = [1, 1.5, 2, 3, 7]


# --- distances ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("p", ORDERS)
def test_minkowski_matches_scipy(seed, p):
    rng = np.random.default_rng(seed)
    d = int(rng.integers(1, 8))
    a, b = rng.normal(scale=3, size=(2, d))
    assert minkowski_distance(a, b, p) == pytest.approx(distance.minkowski(a, b, p), rel=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_infinite_order_is_chebyshev(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.integers(-5, 6, size=(2, int(rng.integers(1, 6))))
    assert minkowski_distance(a, b, math.inf) == distance.chebyshev(a, b)


pairs = st.integers(1, 6).flatmap(
    lambda d: st.tuples(
        *[hnp.arrays(np.float64, d, elements=st.floats(-1e3, 1e3, width=32)) for _ in range(2)]
    )
)


@settings(max_examples=150, deadline=None)
@given(pairs, st.sampled_from(ORDERS))
def test_minkowski_matches_scipy_on_any_pair(pair, p):
    a, b = pair
    want = distance.minkowski(a, b, p)
    assert minkowski_distance(a, b, p) == pytest.approx(want, rel=1e-9, abs=1e-12)
    assert minkowski_distance(b, a, p) == pytest.approx(minkowski_distance(a, b, p), rel=1e-12)


def test_distances_by_hand():
    assert minkowski_distance([0, 0], [3, 4]) == 5.0
    assert minkowski_distance([0, 0], [3, -4], 1) == 7.0  # the absolute values matter
    assert minkowski_distance([1, 2], [4, 0], 3) == pytest.approx(35 ** (1 / 3))
    assert minkowski_distance([2, 2], [2, 2], 3) == 0.0


def test_huge_and_tiny_entries_neither_overflow_nor_vanish():
    assert minkowski_distance([3e200, 0], [0, 4e200]) == pytest.approx(5e200)
    assert minkowski_distance([3e-200, 0], [0, 4e-200], 3) == pytest.approx(
        (27 + 64) ** (1 / 3) * 1e-200
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_cosine_similarity_is_one_minus_scipys_cosine_distance(seed):
    rng = np.random.default_rng(seed)
    a, b = rng.integers(-4, 5, size=(2, int(rng.integers(1, 6)))).astype(float)
    a[0], b[-1] = a[0] or 1.0, b[-1] or -2.0  # not zero vectors
    assert cosine_similarity(a, b) == pytest.approx(1 - distance.cosine(a, b), abs=1e-12)


def test_cosine_similarity_by_hand_and_its_range():
    assert cosine_similarity([1, 0], [1, 1]) == pytest.approx(1 / math.sqrt(2))
    assert cosine_similarity([1, 2], [2, 4]) == 1.0
    assert cosine_similarity([1, 2], [-2, -4]) == -1.0
    assert cosine_similarity([1, 0], [0, 3]) == 0.0
    assert cosine_similarity([1e300, 1e300], [1e300, 0]) == pytest.approx(1 / math.sqrt(2))


@pytest.mark.parametrize(
    "call",
    [
        lambda: cosine_similarity([0, 0], [1, 2]),
        lambda: cosine_similarity([1, 2], [0, 0]),
        lambda: cosine_similarity([1, 2], [1, 2, 3]),
        lambda: cosine_similarity([], []),
        lambda: minkowski_distance([1, 2], [1, 2, 3]),
        lambda: minkowski_distance([1, 2], [1, 2], 0.5),
        lambda: minkowski_distance([1, 2], [1, 2], -math.inf),
        lambda: minkowski_distance([1, 2], [1, 2], math.nan),
        lambda: minkowski_distance([1, 2], [1, 2], "2"),
        lambda: minkowski_distance([1, 2], [1, 2], True),
        lambda: minkowski_distance([[1, 2]], [[1, 2]]),
        lambda: minkowski_distance([1, np.nan], [1, 2]),
        lambda: minkowski_distance([], []),
    ],
)
def test_bad_inputs_raise_value_error(call):
    with pytest.raises(ValueError):
        call()


# --- the k-NN vote ------------------------------------------------------------------------


def brute_force_vote(X, y, x, k, p):
    """Sort by (distance, training index), count the k nearest labels, and
    give a tied vote to the tied class whose nearest member comes first."""
    dist = [distance.minkowski(row, x, p) for row in X]
    order = sorted(range(len(X)), key=lambda i: (dist[i], i))[:k]
    labels = [y[i] for i in order]
    counts = {label: labels.count(label) for label in labels}
    top = max(counts.values())
    for label in labels:  # nearest first
        if counts[label] == top:
            return label, order
    raise AssertionError


def small_grid_problem(seed):
    """Points on a 5 × 5 grid: equal distances and tied votes are common."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 15))
    X = rng.integers(0, 5, size=(n, 2))
    y = [str(c) for c in "ABC"[: int(rng.integers(1, 4))]]
    labels = [y[int(i)] for i in rng.integers(0, len(y), size=n)]
    x = rng.integers(0, 5, size=2)
    k = int(rng.integers(1, n + 1))
    return X, labels, x, k


@pytest.mark.parametrize("seed", range(200))
def test_knn_matches_a_brute_force_vote(seed):
    X, y, x, k = small_grid_problem(seed)
    for p in (1, 2, 3):
        label, order = brute_force_vote(X, y, x, k, p)
        assert knn_predict(X, y, x, k, p) == label, (seed, p)
        assert knn_neighbours(X, x, k, p).tolist() == order
    # Chebyshev: scipy's minkowski does not take p = inf, its chebyshev does.
    dist = [distance.chebyshev(row, x) for row in X]
    order = sorted(range(len(X)), key=lambda i: (dist[i], i))[:k]
    assert knn_neighbours(X, x, k, math.inf).tolist() == order


def test_equal_distances_are_taken_in_training_order():
    # Points 1 and 2 are both at distance 1 from the query; with k = 1 the first wins.
    X = [[1, 0], [-1, 0], [5, 5]]
    assert knn_predict(X, ["B", "A", "A"], [0, 0], 1) == "B"
    assert knn_predict(X, ["A", "B", "B"], [0, 0], 1) == "A"
    assert knn_neighbours(X, [0, 0], 2).tolist() == [0, 1]


def test_a_tied_vote_goes_to_the_class_of_the_nearest_neighbour_among_the_tied():
    # Nearest first: C (1), A (2), B (3), A (4), B (5). k = 5: A and B have 2 votes each;
    # C is nearer than both but has 1 vote; of A and B, A's nearest member comes first.
    X = [[5, 0], [1, 0], [2, 0], [4, 0], [3, 0]]
    y = ["B", "C", "A", "A", "B"]
    assert knn_predict(X, y, [0, 0], 5) == "A"
    assert knn_predict(X, y, [0, 0], 3) == "C"  # C, A, B: one vote each, C is nearest


def test_labels_keep_their_type_and_one_point_votes_alone():
    assert knn_predict([[0, 0], [3, 3]], [7, 8], [1, 1], 1) == 7
    assert knn_predict([[2.0]], ["only"], [0.0], 1) == "only"
    assert knn_predict([0.0, 10.0, 11.0], ["a", "b", "b"], 1.0, 3) == "b"  # 1-D X: one feature


@pytest.mark.parametrize(
    "args",
    [
        ([[0, 0], [1, 1]], ["a", "b"], [0, 0], 0),
        ([[0, 0], [1, 1]], ["a", "b"], [0, 0], 3),
        ([[0, 0], [1, 1]], ["a", "b"], [0, 0], 1.0),
        ([[0, 0], [1, 1]], ["a", "b"], [0, 0], True),
        ([[0, 0], [1, 1]], ["a"], [0, 0], 1),
        ([[0, 0], [1, 1]], ["a", "b"], [0, 0, 0], 1),
        ([[0, 0], [1, np.inf]], ["a", "b"], [0, 0], 1),
        (np.zeros((0, 2)), [], [0, 0], 1),
        ([[0, 0], [1, 1]], [["a"], ["b"]], [0, 0], 1),
        ([[0, 0], [1, 1]], "ab", [0, 0], 1),
    ],
)
def test_knn_bad_inputs_raise_value_error(args):
    with pytest.raises(ValueError):
        knn_predict(*args)


def test_knn_rejects_an_order_below_one():
    with pytest.raises(ValueError):
        knn_predict([[0, 0], [1, 1]], ["a", "b"], [0, 0], 1, p=0.5)
