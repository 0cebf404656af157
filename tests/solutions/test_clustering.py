"""k-means checked against brute-force loops written here and
scipy.cluster.vq.vq, on seeded random data: the assignment, the update, the
WCSS, and full Lloyd runs that reach a fixed point with a WCSS that never rises."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.cluster.vq import vq

from tutor.solutions.clustering import kmeans_assign, kmeans_step, wcss

SEEDS = range(60)


def _random_case(rng):
    """n points in d dimensions and k centroids drawn among the points' range."""
    d = int(rng.integers(1, 5))
    n = int(rng.integers(1, 30))
    k = int(rng.integers(1, 6))
    X = rng.normal(size=(n, d)) * rng.uniform(0.5, 5) + rng.normal(scale=3, size=d)
    centroids = X[rng.integers(0, n, size=k)] + rng.normal(scale=0.5, size=(k, d))
    return X, centroids


def _brute_assign(X, centroids):
    """Nearest centroid by a loop over Euclidean distances; the first wins a tie."""
    labels = []
    for x in X:
        best, best_j = math.inf, -1
        for j, c in enumerate(centroids):
            dist = math.sqrt(sum((a - b) ** 2 for a, b in zip(x, c)))
            if dist < best:
                best, best_j = dist, j
        labels.append(best_j)
    return np.array(labels)


def _brute_means(X, labels, old):
    new = []
    for j, c in enumerate(old):
        members = [x for x, label in zip(X, labels) if label == j]
        if members:
            new.append([sum(col) / len(members) for col in zip(*members)])
        else:
            new.append(list(c))
    return np.array(new, dtype=float)


def _brute_wcss(X, centroids, labels):
    return sum(sum((a - b) ** 2 for a, b in zip(x, centroids[j])) for x, j in zip(X, labels))


# --- assignment ----------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_assign_matches_a_brute_force_loop_and_scipy_vq(seed):
    X, centroids = _random_case(np.random.default_rng(seed))
    labels = kmeans_assign(X, centroids)
    assert labels.dtype.kind == "i" and labels.shape == (len(X),)
    np.testing.assert_array_equal(labels, _brute_assign(X, centroids))
    codes, distances = vq(X, centroids)
    np.testing.assert_array_equal(labels, codes)
    # Every point is at its nearest centroid's distance.
    chosen = np.linalg.norm(X - centroids[labels], axis=1)
    np.testing.assert_allclose(chosen, distances, rtol=1e-12, atol=1e-12)


def test_assign_ties_go_to_the_lower_index():
    X = np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 5.0], [1.0, 0.0]])
    centroids = np.array([[1.0, 1.0], [1.0, -1.0], [0.0, 0.0]])
    # (0, 0): √2, √2, 0 → 2. (2, 0): √2, √2, 2 → 0 (tied with 1, lower wins).
    # (1, 5): 4, 6, √26 → 0. (1, 0): 1, 1, 1 → 0 (three-way tie).
    np.testing.assert_array_equal(kmeans_assign(X, centroids), [2, 0, 0, 0])
    # Ties that rounding splits (0.1 − 0.3 ≠ −(0.3 − 0.1) in the last bit) still tie.
    X = np.array([[0.2]])
    np.testing.assert_array_equal(kmeans_assign(X, [[0.3], [0.1]]), [0])
    np.testing.assert_array_equal(kmeans_assign(X, [[0.1], [0.3]]), [0])


def test_assign_with_duplicate_centroids_uses_the_first():
    X = np.array([[0.0, 1.0], [3.0, 3.0]])
    np.testing.assert_array_equal(kmeans_assign(X, [[3, 3], [3, 3], [0, 1]]), [2, 0])


def test_assign_one_point_one_centroid():
    np.testing.assert_array_equal(kmeans_assign([[5.0, -1.0]], [[0.0, 0.0]]), [0])


@settings(max_examples=60, deadline=None)
@given(
    hnp.arrays(np.int64, st.tuples(st.integers(1, 8), st.just(2)), elements=st.integers(-5, 5)),
    hnp.arrays(np.int64, st.tuples(st.integers(1, 4), st.just(2)), elements=st.integers(-5, 5)),
)
def test_assign_on_small_integers_agrees_with_exact_squared_distances(X, centroids):
    # Exact integer arithmetic: the lowest index among the exact minima.
    squared = [[int(((x - c) ** 2).sum()) for c in centroids] for x in X]
    expected = [row.index(min(row)) for row in squared]
    np.testing.assert_array_equal(kmeans_assign(X, centroids), expected)


# --- update step -----------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_step_moves_each_centroid_to_the_mean_of_its_points(seed):
    X, centroids = _random_case(np.random.default_rng(seed))
    new, labels = kmeans_step(X, centroids)
    expected_labels = _brute_assign(X, centroids)
    np.testing.assert_array_equal(labels, expected_labels)
    np.testing.assert_allclose(new, _brute_means(X, expected_labels, centroids), rtol=1e-12)
    assert new.shape == np.shape(centroids)


def test_step_keeps_the_centroid_of_an_empty_cluster():
    X = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 10.0]])
    centroids = np.array([[1.0, 0.0], [50.0, 50.0], [9.0, 9.0]])
    new, labels = kmeans_step(X, centroids)
    np.testing.assert_array_equal(labels, [0, 0, 2])
    np.testing.assert_array_equal(new, [[1.0, 0.0], [50.0, 50.0], [10.0, 10.0]])


def test_step_does_not_modify_its_input():
    X = np.array([[0.0], [4.0]])
    centroids = np.array([[1.0], [5.0]])
    kmeans_step(X, centroids)
    np.testing.assert_array_equal(centroids, [[1.0], [5.0]])


def test_step_on_a_hand_worked_example():
    # Points (1, 1), (2, 1), (4, 3), (5, 4); centroids (1, 1) and (5, 4).
    # Squared distances to c1: 0, 1, 13, 25; to c2: 25, 18, 2, 0 → clusters 0, 0, 1, 1.
    # New centroids (1.5, 1) and (4.5, 3.5); WCSS = 0.25 · 2 + (0.25 + 0.25) · 2 = 1.5.
    X = np.array([[1, 1], [2, 1], [4, 3], [5, 4]])
    new, labels = kmeans_step(X, [[1, 1], [5, 4]])
    np.testing.assert_array_equal(labels, [0, 0, 1, 1])
    np.testing.assert_array_equal(new, [[1.5, 1.0], [4.5, 3.5]])
    assert wcss(X, new, labels) == pytest.approx(1.5)


# --- WCSS --------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_wcss_matches_a_brute_force_sum(seed):
    rng = np.random.default_rng(seed)
    X, centroids = _random_case(rng)
    labels = rng.integers(0, len(centroids), size=len(X))
    assert wcss(X, centroids, labels) == pytest.approx(_brute_wcss(X, centroids, labels))


@pytest.mark.parametrize("seed", SEEDS)
def test_wcss_is_the_sum_of_squared_vq_distances_for_the_nearest_assignment(seed):
    X, centroids = _random_case(np.random.default_rng(seed))
    _, distances = vq(X, centroids)
    assert wcss(X, centroids, kmeans_assign(X, centroids)) == pytest.approx(
        float((distances**2).sum())
    )


def test_wcss_accepts_whole_floats_as_labels():
    X = np.array([[0.0, 0.0], [3.0, 4.0]])
    assert wcss(X, [[0.0, 0.0]], np.array([0.0, 0.0])) == 25.0


# --- full Lloyd runs -------------------------------------------------------------------


def _lloyd(X, centroids, max_iter=200):
    history = [np.asarray(centroids, dtype=float)]
    costs = []
    for _ in range(max_iter):
        new, labels = kmeans_step(X, history[-1])
        costs.append((wcss(X, history[-1], labels), wcss(X, new, labels)))
        history.append(new)
        if np.array_equal(new, history[-2]):
            break
    return history, costs


@pytest.mark.parametrize("seed", SEEDS)
def test_lloyd_converges_to_a_fixed_point_with_a_monotone_wcss(seed):
    X, centroids = _random_case(np.random.default_rng(seed))
    history, costs = _lloyd(X, centroids)
    final = history[-1]
    # A fixed point: one more step changes nothing.
    again, labels = kmeans_step(X, final)
    np.testing.assert_array_equal(again, final)
    np.testing.assert_array_equal(labels, _brute_assign(X, final))
    # Every assignment and every update lowers the WCSS or leaves it.
    sequence = [c for pair in costs for c in pair]
    assert all(b <= a * (1 + 1e-12) + 1e-12 for a, b in zip(sequence, sequence[1:])), sequence


@pytest.mark.parametrize("seed", SEEDS[:20])
def test_lloyd_reaches_a_fixed_point_of_scipy_kmeans2_from_the_same_start(seed):
    from scipy.cluster.vq import kmeans2

    rng = np.random.default_rng(seed)
    X, centroids = _random_case(rng)
    history, _ = _lloyd(X, centroids)
    counts = np.bincount(kmeans_assign(X, history[-1]), minlength=len(centroids))
    if np.any(counts == 0):
        return  # scipy handles empty clusters its own way
    reached, codes = kmeans2(X, history[-1], minit="matrix", iter=5)
    np.testing.assert_allclose(reached, history[-1], rtol=1e-10, atol=1e-10)
    np.testing.assert_array_equal(codes, kmeans_assign(X, history[-1]))


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "X, centroids",
    [
        (np.ones((0, 2)), np.ones((1, 2))),  # no points
        (np.ones(3), np.ones((1, 1))),  # 1-D points
        (np.ones((3, 2)), np.ones((0, 2))),  # no centroids
        (np.ones((3, 2)), np.ones((2, 3))),  # dimensions disagree
        (np.ones((3, 2)), np.ones(2)),  # 1-D centroids
        (np.array([[1.0, np.nan]]), np.ones((1, 2))),
        (np.ones((2, 2)), np.array([[np.inf, 0.0]])),
    ],
)
@pytest.mark.parametrize("func", [kmeans_assign, kmeans_step])
def test_bad_shapes_and_values_raise(func, X, centroids):
    with pytest.raises(ValueError):
        func(X, centroids)


@pytest.mark.parametrize(
    "labels",
    [[0, 1], [0, 1, 2], [0, 1, -1], [0, 0.5, 1], ["a", "b", "c"], [True, False, True], [[0, 1, 1]]],
)
def test_wcss_rejects_bad_assignments(labels):
    X = np.zeros((3, 2))
    with pytest.raises(ValueError):
        wcss(X, np.zeros((2, 2)), labels)
