"""k-means clustering (Lloyd's algorithm) by hand: assign every point to its
nearest centroid, move every centroid to the mean of its points, and the
within-cluster sum of squares that the two steps decrease.

Clusters are numbered from 0 here (array indices); the exercises number them
from 1.
"""

import numpy as np

# Squared distances equal up to this relative rounding count as tied.
_KM_TIE_RTOL = 1e-12


def _km_points(X):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or 0 in X.shape:
        raise ValueError(f"X must be a non-empty (n, d) array, got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X must contain only finite numbers")
    return X


def _km_centroids(centroids, d):
    centroids = np.asarray(centroids, dtype=float)
    if centroids.ndim != 2 or centroids.shape[0] == 0 or centroids.shape[1] != d:
        raise ValueError(
            f"centroids must be a non-empty (k, {d}) array matching X, got shape {centroids.shape}"
        )
    if not np.all(np.isfinite(centroids)):
        raise ValueError("centroids must contain only finite numbers")
    return centroids


def _km_squared_distances(X, centroids):
    """``D[i, j] = ‖x_i − c_j‖²``, summed coordinate by coordinate (no
    ``‖x‖² − 2x·c + ‖c‖²`` shortcut, whose cancellation would blur ties)."""
    return ((X[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)


def kmeans_assign(X, centroids):
    r"""The assignment step: the index of the nearest centroid of every point.

    .. math:: a_i = \arg\min_{j} \lVert x_i - c_j \rVert_2^2

    Ties: a point equally far from several centroids goes to the one with the
    lowest index; squared distances equal up to a relative rounding of
    :math:`10^{-12}` count as equal.

    Parameters
    ----------
    X : array_like, shape (n, d)
        One point per row.
    centroids : array_like, shape (k, d)
        One centroid per row.

    Returns
    -------
    ndarray of int, shape (n,)
        Cluster indices in ``0 .. k-1``.
    """
    X = _km_points(X)
    centroids = _km_centroids(centroids, X.shape[1])
    squared = _km_squared_distances(X, centroids)
    nearest = squared.min(axis=1, keepdims=True)
    tied = squared <= nearest + _KM_TIE_RTOL * np.maximum(nearest, 1e-300)
    # argmax returns the first True: the lowest index among the tied.
    return np.argmax(tied, axis=1).astype(int)


def kmeans_step(X, centroids):
    r"""One Lloyd iteration: assign the points, then move each centroid to the
    mean of its points.

    .. math::

        a_i = \arg\min_{j} \lVert x_i - c_j \rVert_2^2, \qquad
        c_j^{\text{new}} = \frac{1}{|C_j|} \sum_{i \,:\, a_i = j} x_i

    The assignment uses the centroids passed in; a point equally far from
    several centroids goes to the one with the lowest index. A cluster that no
    point chooses (empty) keeps its old centroid unchanged. The inputs are not
    changed.

    Parameters
    ----------
    X : array_like, shape (n, d)
    centroids : array_like, shape (k, d)

    Returns
    -------
    new_centroids : ndarray, shape (k, d)
    assignments : ndarray of int, shape (n,)
        The assignment made against the old centroids, in ``0 .. k-1``.
    """
    X = _km_points(X)
    centroids = _km_centroids(centroids, X.shape[1])
    assignments = kmeans_assign(X, centroids)
    new_centroids = centroids.copy()
    for j in range(len(centroids)):
        members = X[assignments == j]
        if len(members):
            new_centroids[j] = members.mean(axis=0)
    return new_centroids, assignments


def wcss(X, centroids, assignments):
    r"""The within-cluster sum of squares (the k-means objective).

    .. math:: J = \sum_{i=1}^{n} \lVert x_i - c_{a_i} \rVert_2^2

    A sum over the points of the squared Euclidean distance to the centroid of
    their own cluster (not a mean, not square-rooted).

    Parameters
    ----------
    X : array_like, shape (n, d)
    centroids : array_like, shape (k, d)
    assignments : array_like of int, shape (n,)
        Cluster indices in ``0 .. k-1``.

    Returns
    -------
    float
        Non-negative.
    """
    X = _km_points(X)
    centroids = _km_centroids(centroids, X.shape[1])
    raw = np.asarray(assignments)
    if raw.shape != (X.shape[0],):
        raise ValueError(f"assignments must have shape ({X.shape[0]},), got {raw.shape}")
    if raw.dtype.kind not in "iuf" or (raw.dtype.kind == "f" and not np.all(raw == np.round(raw))):
        raise ValueError("assignments must be whole cluster indices")
    labels = raw.astype(int)
    if np.any(labels < 0) or np.any(labels >= len(centroids)):
        raise ValueError(f"assignments must lie in 0 .. {len(centroids) - 1}")
    return float(((X - centroids[labels]) ** 2).sum())
