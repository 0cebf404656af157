"""Principal component analysis, computed the way the notes do it by hand:
centre, sample covariance, eigen-decomposition, contribution ratios."""

import numpy as np


def _data_matrix(X):
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[0] < 2 or X.shape[1] < 1:
        raise ValueError(f"X must be an (n, d) array with n >= 2 samples, got shape {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X must contain only finite numbers")
    return X


def covariance(X):
    r"""Sample covariance matrix of the columns of X.

    .. math:: S = \frac{1}{n-1} \sum_{i=1}^{n} (x_i - \bar{x})(x_i - \bar{x})^\top

    Convention: divides by :math:`n - 1` (the unbiased sample covariance of
    the notes), not by :math:`n`.

    Parameters
    ----------
    X : array_like, shape (n, d)
        One sample per row, n >= 2.

    Returns
    -------
    ndarray, shape (d, d)
        Symmetric, positive semi-definite.
    """
    X = _data_matrix(X)
    centred = X - X.mean(axis=0)
    return centred.T @ centred / (X.shape[0] - 1)


def pca(X, k=None):
    r"""Principal components of X: eigenvalues and unit eigenvectors of S.

    Solves :math:`S v = \lambda v` for the sample covariance :math:`S` of X.

    Conventions: eigenvalues in descending order; each component is a unit
    vector whose entry of largest magnitude is positive (the first such entry
    when several tie), which fixes the sign that an eigenvector leaves open.

    Parameters
    ----------
    X : array_like, shape (n, d)
        One sample per row, n >= 2.
    k : int, optional
        How many components to keep, 1 <= k <= d; all d by default.

    Returns
    -------
    eigenvalues : ndarray, shape (k,)
        The variances along the components, descending.
    components : ndarray, shape (k, d)
        The principal axes, one unit row per component.
    """
    S = covariance(X)
    d = S.shape[0]
    if k is None:
        k = d
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= d:
        raise ValueError(f"k must be an integer between 1 and {d}, got {k!r}")
    eigenvalues, eigenvectors = np.linalg.eigh(S)
    order = np.argsort(eigenvalues)[::-1][:k]
    components = eigenvectors[:, order].T
    # Entries equal in magnitude up to rounding count as tied: the first wins.
    magnitude = np.abs(components)
    tied = magnitude >= magnitude.max(axis=1, keepdims=True) * (1 - 1e-9)
    largest = components[np.arange(len(order)), np.argmax(tied, axis=1)]
    components = components * np.where(largest < 0, -1.0, 1.0)[:, None]
    # eigh may return -0.0 or tiny negatives for a zero variance; report 0.
    return np.maximum(eigenvalues[order], 0.0), components


def explained_variance_ratio(eigenvalues):
    r"""Share of the variance carried by each component (its contribution ratio).

    .. math:: p_i = \frac{\lambda_i}{\sum_j \lambda_j}

    Pass all d eigenvalues to get shares of the total variance.

    Parameters
    ----------
    eigenvalues : array_like, shape (k,)
        Non-negative, not all zero.

    Returns
    -------
    ndarray, shape (k,)
        Non-negative, summing to 1.
    """
    eigenvalues = np.asarray(eigenvalues, dtype=float)
    if (
        eigenvalues.ndim != 1
        or not np.all(np.isfinite(eigenvalues))
        or np.any(eigenvalues < 0)
        or eigenvalues.sum() <= 0
    ):
        raise ValueError("eigenvalues must be a 1-D array of non-negative numbers, not all zero")
    return eigenvalues / eigenvalues.sum()


def project(X, components, mean=None):
    r"""Coordinates of the samples along the principal components.

    .. math:: F = (X - \bar{x})\, V^\top

    so that :math:`F_{ij} = v_j \cdot (x_i - \bar{x})`, the principal-component
    scores of the notes.

    Parameters
    ----------
    X : array_like, shape (n, d)
    components : array_like, shape (k, d)
        Unit rows, as returned by :func:`pca`.
    mean : array_like, shape (d,), optional
        The centre; the mean of X by default.

    Returns
    -------
    ndarray, shape (n, k)
    """
    X = np.asarray(X, dtype=float)
    components = np.asarray(components, dtype=float)
    if X.ndim != 2 or components.ndim != 2 or components.shape[1] != X.shape[1]:
        raise ValueError(
            f"X (n, d) and components (k, d) must agree in d, got {X.shape} and {components.shape}"
        )
    centre = X.mean(axis=0) if mean is None else np.asarray(mean, dtype=float)
    if not all(np.all(np.isfinite(a)) for a in (X, components, centre)):
        raise ValueError("X, components and mean must contain only finite numbers")
    return (X - centre) @ components.T


def _pca_unit_rows(components, d=None):
    """Components as a (k, d) array of orthonormal rows, else ValueError."""
    components = np.asarray(components, dtype=float)
    if components.ndim != 2 or 0 in components.shape:
        raise ValueError(f"components must be a non-empty (k, d) array, got {components.shape}")
    if d is not None and components.shape[1] != d:
        raise ValueError(f"components must have {d} columns, got shape {components.shape}")
    if not np.all(np.isfinite(components)):
        raise ValueError("components must contain only finite numbers")
    gram = components @ components.T
    if not np.allclose(gram, np.eye(len(components)), rtol=0, atol=1e-6):
        raise ValueError("components must be orthonormal rows (unit length, mutually orthogonal)")
    return components


def reconstruct(scores, components, mean):
    r"""Points rebuilt from their principal-component scores.

    .. math:: \hat{x}_i = \bar{x} + \sum_{j=1}^{k} z_{ij}\, v_j, \qquad
        \hat{X} = \bar{x} + Z V

    the inverse of :func:`project` on the span of the kept components: the
    mean is added back.

    Parameters
    ----------
    scores : array_like, shape (n, k) or (k,)
        The scores :math:`z_{ij} = v_j \cdot (x_i - \bar{x})`, one row per
        point (a 1-D array is one point).
    components : array_like, shape (k, d)
        The kept components as rows (orthonormal, as returned by :func:`pca`).
    mean : array_like, shape (d,)
        The centre the scores were measured from.

    Returns
    -------
    ndarray, shape (n, d) or (d,)
        The same number of dimensions as ``scores``.
    """
    scores = np.asarray(scores, dtype=float)
    components = np.asarray(components, dtype=float)
    mean = np.asarray(mean, dtype=float)
    if components.ndim != 2 or 0 in components.shape:
        raise ValueError(f"components must be a non-empty (k, d) array, got {components.shape}")
    k, d = components.shape
    if scores.ndim not in (1, 2) or scores.shape[-1] != k or scores.size == 0:
        raise ValueError(f"scores must have shape (n, {k}) or ({k},), got {scores.shape}")
    if mean.shape != (d,):
        raise ValueError(f"mean must have shape ({d},), got {mean.shape}")
    if not all(np.all(np.isfinite(a)) for a in (scores, components, mean)):
        raise ValueError("scores, components and mean must contain only finite numbers")
    return mean + scores @ components


def reconstruction_error(X, components, mean):
    r"""Total squared reconstruction error of the points kept to k components.

    .. math:: E = \sum_{i=1}^{n} \lVert x_i - \hat{x}_i \rVert_2^2, \qquad
        \hat{x}_i = \bar{x} + V^\top V (x_i - \bar{x})

    A sum over the points (not a mean) of squared Euclidean distances. On the
    data's own PCA (``mean`` its mean, ``components`` its first k axes) this
    equals :math:`(n-1) \sum_{j>k} \lambda_j`, the dropped eigenvalues times
    :math:`n - 1`.

    Parameters
    ----------
    X : array_like, shape (n, d)
        One point per row (n >= 1).
    components : array_like, shape (k, d)
        The kept components: orthonormal rows (within 1e-6), as from :func:`pca`.
    mean : array_like, shape (d,)

    Returns
    -------
    float
        Non-negative; 0 when k = d.
    """
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or 0 in X.shape or not np.all(np.isfinite(X)):
        raise ValueError(f"X must be a non-empty (n, d) array of finite numbers, got {X.shape}")
    components = _pca_unit_rows(components, X.shape[1])
    mean = np.asarray(mean, dtype=float)
    if mean.shape != (X.shape[1],) or not np.all(np.isfinite(mean)):
        raise ValueError(f"mean must be {X.shape[1]} finite numbers, got shape {mean.shape}")
    rebuilt = reconstruct(project(X, components, mean), components, mean)
    return float(((X - rebuilt) ** 2).sum())


def components_for_variance(eigenvalues, share):
    r"""How many principal components reach a share of the total variance.

    .. math:: \min \Big\{ m : \frac{\sum_{j=1}^{m} \lambda_{(j)}}{\sum_{j=1}^{d} \lambda_j}
        \ge s \Big\}

    with :math:`\lambda_{(1)} \ge \lambda_{(2)} \ge \dots` the eigenvalues
    largest first (they are sorted here, so any order may be passed). A
    cumulative share equal to ``share`` up to rounding (1e-12) reaches it.

    Parameters
    ----------
    eigenvalues : array_like, shape (d,)
        Non-negative, not all zero.
    share : float
        The target :math:`s`, in (0, 1].

    Returns
    -------
    int
        Between 1 and d.
    """
    ratios = explained_variance_ratio(eigenvalues)
    if isinstance(share, bool) or not isinstance(share, (int, float, np.integer, np.floating)):
        raise ValueError(f"share must be a number in (0, 1], got {share!r}")
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share!r}")
    cumulative = np.cumsum(np.sort(ratios)[::-1])
    return int(np.argmax(cumulative >= share - 1e-12) + 1)
