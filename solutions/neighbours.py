"""Distances, cosine similarity and the k-nearest-neighbour vote.

Tie rules of :func:`knn_predict`: neighbours at equal distance are taken in
training order (a stable sort by distance), and a tie in the vote goes to
the class, among the tied ones, of the nearest neighbour.
"""

import math

import numpy as np


def _knn_vector(a, name):
    a = np.asarray(a, dtype=float)
    if a.ndim != 1 or a.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must contain only finite numbers")
    return a


def _knn_order(p):
    if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)):
        raise ValueError(f"p must be a number >= 1 or math.inf, got {p!r}")
    if math.isnan(p) or p < 1:
        raise ValueError(f"p must be >= 1 (or math.inf) for a distance, got {p}")
    return float(p)


def _knn_minkowski(diff, p):
    """The p-norm of a finite difference vector (p already checked)."""
    diff = np.abs(diff)
    if p == math.inf:
        return float(diff.max())
    if p == 1:
        return float(diff.sum())
    # p = 2 through sqrt, so that a perfect square gives an exact distance.
    with np.errstate(over="ignore", under="ignore"):
        value = np.sqrt(np.sum(diff * diff)) if p == 2 else np.sum(diff**p) ** (1.0 / p)
    value = float(value)
    top = diff.max()
    if top > 0 and (value == 0 or not math.isfinite(value)):
        # Scaled to avoid overflow (huge entries) or underflow (tiny ones).
        value = float(top * np.sum((diff / top) ** p) ** (1.0 / p))
    return value


def minkowski_distance(a, b, p=2):
    r"""Minkowski distance of order p.

    .. math:: d_p(a, b) = \Big(\sum_i |a_i - b_i|^p\Big)^{1/p}

    p = 1 is the Manhattan distance, p = 2 the Euclidean one and
    p = ``math.inf`` the Chebyshev distance :math:`\max_i |a_i - b_i|`.

    Parameters
    ----------
    a, b : array_like, shape (d,)
        Two points of the same dimension d ≥ 1.
    p : float, default 2
        The order, :math:`p \ge 1` (below 1 it is not a distance) or ``math.inf``.

    Returns
    -------
    float
    """
    a, b = _knn_vector(a, "a"), _knn_vector(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same length, got {a.size} and {b.size}")
    return _knn_minkowski(a - b, _knn_order(p))


def cosine_similarity(a, b):
    r"""Cosine of the angle between two vectors.

    .. math:: \cos(a, b) = \frac{a^\top b}{\lVert a \rVert_2 \, \lVert b \rVert_2}

    Parameters
    ----------
    a, b : array_like, shape (d,)

    Returns
    -------
    float
        In [-1, 1]; 1 for vectors pointing the same way. (The cosine
        *distance* of ``scipy.spatial.distance.cosine`` is one minus this.)

    Raises
    ------
    ValueError
        When either vector is zero (no direction, so no angle).
    """
    a, b = _knn_vector(a, "a"), _knn_vector(b, "b")
    if a.shape != b.shape:
        raise ValueError(f"a and b must have the same length, got {a.size} and {b.size}")
    if not (np.any(a) and np.any(b)):
        raise ValueError("the cosine similarity of a zero vector is undefined")
    # Scaled by the largest entry first, so huge or tiny entries neither overflow nor vanish.
    a, b = a / np.abs(a).max(), b / np.abs(b).max()
    value = (a @ b) / np.sqrt((a @ a) * (b @ b))
    return float(np.clip(value, -1.0, 1.0))


def _knn_training(X_train, x):
    X_train = np.asarray(X_train, dtype=float)
    X_train = X_train[:, None] if X_train.ndim == 1 else X_train
    if X_train.ndim != 2 or 0 in X_train.shape:
        raise ValueError(f"X_train must be a non-empty (n, d) array, got shape {X_train.shape}")
    if not np.all(np.isfinite(X_train)):
        raise ValueError("X_train must contain only finite numbers")
    x = _knn_vector(np.atleast_1d(np.asarray(x, dtype=float)), "x")
    if x.shape != (X_train.shape[1],):
        raise ValueError(f"x must have {X_train.shape[1]} coordinates, got {x.size}")
    return X_train, x


def _knn_count(k, n):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise ValueError(f"k must be a whole number, got {k!r}")
    if not 1 <= k <= n:
        raise ValueError(f"k must be between 1 and the number of training points {n}, got {k}")
    return int(k)


def knn_neighbours(X_train, x, k, p=2):
    r"""The indices of the k training points nearest to x, nearest first.

    Distances are :func:`minkowski_distance` of order p; points at equal
    distance keep their training order (a stable sort).

    Parameters
    ----------
    X_train : array_like, shape (n, d)
        Training points, one per row (a 1-D array is one feature).
    x : array_like, shape (d,)
        The query.
    k : int
        :math:`1 \le k \le n`.
    p : float, default 2

    Returns
    -------
    ndarray of int, shape (k,)
    """
    X_train, x = _knn_training(X_train, x)
    k = _knn_count(k, X_train.shape[0])
    p = _knn_order(p)
    distances = np.array([_knn_minkowski(row - x, p) for row in X_train])
    return np.argsort(distances, kind="stable")[:k]


def knn_predict(X_train, y_train, x, k, p=2):
    r"""The k-nearest-neighbour vote.

    The k nearest training points (:func:`knn_neighbours`: Minkowski
    distance of order p, ties in distance broken by training order) each
    vote for their class; the class with the most votes wins. A tie in the
    vote goes to the tied class whose nearest member among the k comes first.

    Parameters
    ----------
    X_train : array_like, shape (n, d)
    y_train : sequence of n hashable labels
    x : array_like, shape (d,)
    k : int
        :math:`1 \le k \le n`.
    p : float, default 2

    Returns
    -------
    label
        One of the labels of ``y_train``.
    """
    if isinstance(y_train, np.ndarray):
        y_train = y_train.tolist()
    if isinstance(y_train, (str, bytes)) or not hasattr(y_train, "__iter__"):
        raise ValueError(f"y_train must be a sequence of labels, got {y_train!r}")
    y_train = list(y_train)
    for label in y_train:
        try:
            hash(label)
        except TypeError:
            raise ValueError(f"labels must be hashable, got {label!r}") from None
    X_checked, _ = _knn_training(X_train, x)
    if len(y_train) != X_checked.shape[0]:
        raise ValueError(
            f"X_train and y_train must have the same length, got {X_checked.shape[0]} "
            f"and {len(y_train)}"
        )
    nearest = [y_train[i] for i in knn_neighbours(X_train, x, k, p)]
    votes = {}
    for label in nearest:  # dicts keep first-seen order: nearest first
        votes[label] = votes.get(label, 0) + 1
    top = max(votes.values())
    return next(label for label, count in votes.items() if count == top)
