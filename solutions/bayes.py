"""Naive Bayes for categorical features, with Laplace (additive) smoothing.

Feature values and class labels may be any hashable values (strings,
integers); classes are ordered by ``sorted(set(y))``, so the labels must be
mutually comparable. The value set :math:`V_j` of feature j is the set of
values that feature takes in the training data.
"""

import math

import numpy as np


def _nb_rows(X, y):
    """X as a list of equally long tuples and y as a list, with their checks."""
    if isinstance(X, np.ndarray):
        X = X.tolist()
    if isinstance(y, np.ndarray):
        y = y.tolist()
    if isinstance(X, (str, bytes)) or not hasattr(X, "__iter__"):
        raise ValueError(f"X must be a sequence of rows, got {X!r}")
    if isinstance(y, (str, bytes)) or not hasattr(y, "__iter__"):
        raise ValueError(f"y must be a sequence of labels, got {y!r}")
    rows = []
    for row in X:
        if isinstance(row, (str, bytes)) or not hasattr(row, "__iter__"):
            raise ValueError(f"every row of X must be a sequence of feature values, got {row!r}")
        rows.append(tuple(row))
    y = list(y)
    if not rows:
        raise ValueError("need at least one training sample")
    if len(rows) != len(y):
        raise ValueError(f"X and y must have the same length, got {len(rows)} and {len(y)}")
    width = len(rows[0])
    if width == 0 or any(len(row) != width for row in rows):
        raise ValueError("the rows of X must all have the same, non-zero number of features")
    for value in [v for row in rows for v in row] + y:
        try:
            hash(value)
        except TypeError:
            raise ValueError(f"feature values and labels must be hashable, got {value!r}") from None
    return rows, y


def _nb_classes(y):
    try:
        return sorted(set(y))
    except TypeError:
        raise ValueError("the class labels must be comparable with one another") from None


def _nb_query(x, width):
    if isinstance(x, np.ndarray):
        x = x.tolist()
    if isinstance(x, (str, bytes)) or not hasattr(x, "__iter__"):
        raise ValueError(f"x must be a sequence of feature values, got {x!r}")
    x = tuple(x)
    if len(x) != width:
        raise ValueError(f"x must have {width} feature values, got {len(x)}")
    return x


def _nb_alpha(alpha):
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.integer, np.floating)):
        raise ValueError(f"alpha must be a number, got {alpha!r}")
    if not 0 <= alpha < math.inf:
        raise ValueError(f"alpha must be a finite number >= 0, got {alpha}")
    return float(alpha)


def naive_bayes_priors(y):
    r"""Class priors as relative frequencies (not smoothed).

    .. math:: P(C_k) = \frac{N_k}{N}

    Parameters
    ----------
    y : sequence of hashable, comparable labels, length N ≥ 1

    Returns
    -------
    ndarray, shape (K,)
        The priors in the order ``sorted(set(y))``.
    """
    if isinstance(y, np.ndarray):
        y = y.tolist()
    if isinstance(y, (str, bytes)) or not hasattr(y, "__iter__"):
        raise ValueError(f"y must be a sequence of labels, got {y!r}")
    y = list(y)
    if not y:
        raise ValueError("need at least one label")
    classes = _nb_classes(y)
    return np.array([y.count(c) for c in classes], dtype=float) / len(y)


def _nb_counts(rows, y, x, classes):
    """(N_k per class, count(x_j, C_k) as a K × d array, |V_j| per feature)."""
    width = len(rows[0])
    sizes = np.array([y.count(c) for c in classes], dtype=float)
    counts = np.zeros((len(classes), width))
    index = {c: k for k, c in enumerate(classes)}
    for row, label in zip(rows, y):
        k = index[label]
        for j in range(width):
            if row[j] == x[j]:
                counts[k, j] += 1
    n_values = np.array([len({row[j] for row in rows}) for j in range(width)], dtype=float)
    return sizes, counts, n_values


def naive_bayes_likelihoods(X, y, x, alpha=1.0):
    r"""Smoothed likelihoods :math:`P(x_j \mid C_k)` of the query's values.

    .. math::

        P(x_j \mid C_k) = \frac{\operatorname{count}(x_j, C_k) + \alpha}{N_k + \alpha\, |V_j|}

    where :math:`N_k` counts the samples of class k and :math:`|V_j|` the
    distinct values of feature j in X (Laplace smoothing for
    :math:`\alpha = 1`; none for :math:`\alpha = 0`). A query value that X
    never shows has count 0 and does not enlarge :math:`V_j`.

    Parameters
    ----------
    X : sequence of N rows of d hashable values
    y : sequence of N labels
    x : sequence of d values
        The query.
    alpha : float, default 1
        The pseudo-count :math:`\alpha \ge 0`.

    Returns
    -------
    ndarray, shape (K, d)
        Row k for class k of ``sorted(set(y))``, column j for feature j.
    """
    rows, y = _nb_rows(X, y)
    x = _nb_query(x, len(rows[0]))
    alpha = _nb_alpha(alpha)
    classes = _nb_classes(y)
    sizes, counts, n_values = _nb_counts(rows, y, x, classes)
    return (counts + alpha) / (sizes[:, None] + alpha * n_values[None, :])


def naive_bayes_scores(X, y, x, alpha=1.0):
    r"""Unnormalised posteriors: prior times the product of the likelihoods.

    .. math:: s_k = P(C_k) \prod_{j=1}^{d} P(x_j \mid C_k)

    Computed as written (no logarithms), as by hand; with many features the
    products underflow, which :func:`naive_bayes_posterior` avoids.

    Returns
    -------
    ndarray, shape (K,)
        In the order ``sorted(set(y))``.
    """
    likelihoods = naive_bayes_likelihoods(X, y, x, alpha)
    return naive_bayes_priors(y) * np.prod(likelihoods, axis=1)


def naive_bayes_posterior(X, y, x, alpha=1.0):
    r"""Posterior class probabilities of a categorical naive Bayes model.

    .. math::

        P(C_k \mid x) = \frac{P(C_k) \prod_j P(x_j \mid C_k)}
                             {\sum_i P(C_i) \prod_j P(x_j \mid C_i)}

    with priors :math:`N_k / N` and the smoothed likelihoods of
    :func:`naive_bayes_likelihoods`. The sums of logarithms are normalised
    with the log-sum-exp shift, so many features do not underflow.

    Parameters
    ----------
    X : sequence of N rows of d hashable values
    y : sequence of N comparable, hashable labels
    x : sequence of d values
    alpha : float, default 1

    Returns
    -------
    ndarray, shape (K,)
        Posteriors in the order ``sorted(set(y))``; they sum to 1.

    Raises
    ------
    ValueError
        On bad inputs, and when every class has likelihood 0 (possible only
        with ``alpha = 0``: the posterior is 0/0).
    """
    likelihoods = naive_bayes_likelihoods(X, y, x, alpha)
    priors = naive_bayes_priors(y)
    with np.errstate(divide="ignore"):
        logs = np.log(priors) + np.sum(np.log(likelihoods), axis=1)
    top = logs.max()
    if top == -math.inf:
        raise ValueError("every class has likelihood 0 for this query: use alpha > 0")
    weights = np.exp(logs - top)
    return weights / weights.sum()


def naive_bayes_predict(X, y, x, alpha=1.0):
    """The class with the largest posterior (see :func:`naive_bayes_posterior`).

    Returns
    -------
    label
        One of the labels of ``y``; on a tie (posteriors equal up to
        rounding: within a relative 1e-9 of the largest), the first of the
        tied classes in ``sorted(set(y))`` order.
    """
    posterior = naive_bayes_posterior(X, y, x, alpha)
    if isinstance(y, np.ndarray):
        y = y.tolist()
    tied = np.flatnonzero(posterior >= posterior.max() * (1 - 1e-9))
    return _nb_classes(list(y))[int(tied[0])]
