"""Impurity measures for decision trees: entropy, information gain, Gini.

Labels and feature values may be any hashable values (strings, integers,
booleans). Probabilities are relative frequencies; by convention
:math:`0 \\log 0 = 0`, so classes that do not occur contribute nothing.
"""

from collections import Counter

import numpy as np


def _as_list(values, name="labels"):
    """A 1-D sequence of hashable values (tuples included) as a plain list."""
    if isinstance(values, np.ndarray):
        if values.ndim != 1:
            raise ValueError(f"{name} must be 1-D, got shape {values.shape}")
        values = values.tolist()
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise ValueError(f"{name} must be a sequence of values, got {values!r}")
    values = list(values)
    for value in values:
        try:
            hash(value)
        except TypeError:
            raise ValueError(f"{name} must be hashable values, got {value!r}") from None
    return values


def _value_counts(values):
    """Counts of each distinct value, in order of first appearance."""
    values = _as_list(values)
    if not values:
        raise ValueError("need at least one label")
    return np.array(list(Counter(values).values()), dtype=float)


def _class_counts(counts):
    """Class counts as floats, refused unless 1-D, finite, non-negative and not all 0."""
    counts = np.asarray(counts, dtype=float)
    if (
        counts.ndim != 1
        or not np.all(np.isfinite(counts))
        or np.any(counts < 0)
        or counts.sum() <= 0
    ):
        raise ValueError("counts must be a 1-D array of non-negative numbers, not all zero")
    return counts


def entropy_from_counts(counts, base=2):
    r"""Entropy of a distribution given by class counts.

    .. math:: H = -\sum_k p_k \log_b p_k, \qquad p_k = \frac{n_k}{\sum_j n_j}

    Parameters
    ----------
    counts : array_like, shape (K,)
        Non-negative class counts, not all zero. Zero counts contribute 0.
    base : float, default 2
        Base of the logarithm (2 gives bits, ``numpy.e`` gives nats).

    Returns
    -------
    float
    """
    counts = _class_counts(counts)
    if base <= 0 or base == 1:
        raise ValueError("the base of the logarithm must be positive and not 1")
    p = counts[counts > 0] / counts.sum()
    return float(-np.sum(p * np.log(p)) / np.log(base))


def conditional_entropy_from_counts(table, base=2):
    r"""Conditional entropy :math:`H(D \mid A)` from a contingency table.

    .. math:: H(D \mid A) = \sum_i \frac{|D_i|}{|D|} H(D_i)

    Parameters
    ----------
    table : array_like, shape (n_values, n_classes)
        ``table[i, k]`` counts the samples with the i-th value of attribute A
        and class k. Every row must have at least one sample.
    base : float, default 2

    Returns
    -------
    float
    """
    table = _count_table(table)
    weights = table.sum(axis=1) / table.sum()
    return float(sum(w * entropy_from_counts(row, base) for w, row in zip(weights, table)))


def information_gain_from_counts(table, base=2):
    r"""Information gain of splitting on A, from a contingency table.

    .. math:: IG(D \mid A) = H(D) - H(D \mid A)

    Parameters
    ----------
    table : array_like, shape (n_values, n_classes)
        As in :func:`conditional_entropy_from_counts`; column sums give the
        class counts of D.
    base : float, default 2

    Returns
    -------
    float
        Non-negative up to rounding.
    """
    conditional = conditional_entropy_from_counts(table, base)
    return entropy_from_counts(np.sum(table, axis=0), base) - conditional


def entropy(labels, base=2):
    r"""Entropy of a set of labels.

    .. math:: H(D) = -\sum_{k=1}^{K} \frac{|C_k|}{|D|} \log_b \frac{|C_k|}{|D|}

    Parameters
    ----------
    labels : array_like, shape (n,)
        Class labels, any hashable values; at least one.
    base : float, default 2

    Returns
    -------
    float
        0 for a pure node, :math:`\log_b K` for K equally frequent classes.
    """
    return entropy_from_counts(_value_counts(labels), base)


def _groups(labels, feature):
    """The labels split by the value of the feature, one list per value."""
    labels = _as_list(labels)
    feature = _as_list(feature, "feature")
    if len(labels) != len(feature):
        raise ValueError(
            f"labels and feature must have the same length, got {len(labels)} and {len(feature)}"
        )
    groups = {}
    for value, label in zip(feature, labels):
        groups.setdefault(value, []).append(label)
    return labels, list(groups.values())


def conditional_entropy(labels, feature, base=2):
    r"""Conditional entropy of the labels given a feature.

    .. math:: H(D \mid A) = \sum_{i=1}^{n} \frac{|D_i|}{|D|} H(D_i)

    where :math:`D_i` holds the samples whose feature takes its i-th value.

    Parameters
    ----------
    labels : array_like, shape (n,)
        Class labels, any hashable values.
    feature : array_like, shape (n,)
        The attribute A's value for each sample, any hashable values.
    base : float, default 2

    Returns
    -------
    float
    """
    labels, groups = _groups(labels, feature)
    if not labels:
        raise ValueError("need at least one label")
    return float(sum(len(g) / len(labels) * entropy(g, base) for g in groups))


def information_gain(labels, feature, base=2):
    r"""Information gain of splitting the labels on a feature (ID3's criterion).

    .. math:: IG(D \mid A) = H(D) - H(D \mid A)

    Parameters
    ----------
    labels : array_like, shape (n,)
    feature : array_like, shape (n,)
    base : float, default 2

    Returns
    -------
    float
        Between 0 and :math:`H(D)` up to rounding.
    """
    return entropy(labels, base) - conditional_entropy(labels, feature, base)


def gini(labels):
    r"""Gini impurity of a set of labels.

    .. math:: \operatorname{Gini}(D) = 1 - \sum_{k=1}^{K} p_k^2

    Parameters
    ----------
    labels : array_like, shape (n,)
        Class labels, any hashable values; at least one.

    Returns
    -------
    float
        0 for a pure node, :math:`1 - 1/K` for K equally frequent classes.
    """
    counts = _value_counts(labels)
    p = counts / counts.sum()
    return float(1.0 - np.sum(p**2))


def gini_from_counts(counts):
    r"""Gini impurity of a distribution given by class counts.

    .. math:: \operatorname{Gini}(D) = 1 - \sum_{k=1}^{K} p_k^2, \qquad
              p_k = \frac{n_k}{\sum_j n_j}

    Parameters
    ----------
    counts : array_like, shape (K,)
        Non-negative class counts, not all zero. Zero counts contribute 0.

    Returns
    -------
    float
        0 for a pure node, :math:`1 - 1/K` for K equally frequent classes.
    """
    counts = _class_counts(counts)
    p = counts / counts.sum()
    return float(1.0 - np.sum(p**2))


def _count_table(table):
    """A contingency table as floats, refused unless 2-D, finite, non-negative
    and with at least one sample per row."""
    table = np.asarray(table, dtype=float)
    if (
        table.ndim != 2
        or table.size == 0
        or not np.all(np.isfinite(table))
        or np.any(table < 0)
        or np.any(table.sum(axis=1) <= 0)
    ):
        raise ValueError(
            "table must be a non-empty 2-D array of finite, non-negative counts "
            "with at least one sample per row"
        )
    return table


def gini_split_from_counts(table):
    r"""Weighted Gini impurity of the children of a split (CART's criterion).

    .. math:: \operatorname{Gini}(D, A) = \sum_{i} \frac{|D_i|}{|D|} \operatorname{Gini}(D_i)

    Each child is weighted by its share of the samples, not equally.

    Parameters
    ----------
    table : array_like, shape (n_values, n_classes)
        ``table[i, k]`` counts the samples with the i-th value of attribute A
        and class k. Every row must have at least one sample.

    Returns
    -------
    float
    """
    table = _count_table(table)
    weights = table.sum(axis=1) / table.sum()
    return float(sum(w * gini_from_counts(row) for w, row in zip(weights, table)))


def gini_gain_from_counts(table):
    r"""Drop in Gini impurity from the parent to the weighted children.

    .. math:: \Delta \operatorname{Gini}(D, A) = \operatorname{Gini}(D) - \operatorname{Gini}(D, A)

    The parent's class counts are the column sums of the table. The split with
    the larger gain (the smaller :func:`gini_split_from_counts`) is preferred.

    Parameters
    ----------
    table : array_like, shape (n_values, n_classes)
        As in :func:`gini_split_from_counts`.

    Returns
    -------
    float
        Non-negative up to rounding.
    """
    table = _count_table(table)
    return gini_from_counts(table.sum(axis=0)) - gini_split_from_counts(table)


def gini_split(labels, feature):
    r"""Weighted Gini impurity of the labels split on a feature.

    .. math:: \operatorname{Gini}(D, A) = \sum_{i=1}^{n} \frac{|D_i|}{|D|} \operatorname{Gini}(D_i)

    where :math:`D_i` holds the samples whose feature takes its i-th value:
    the same as :func:`gini_split_from_counts` on the contingency table.

    Parameters
    ----------
    labels : array_like, shape (n,)
        Class labels, any hashable values; at least one.
    feature : array_like, shape (n,)
        The attribute A's value for each sample, any hashable values.

    Returns
    -------
    float
    """
    labels, groups = _groups(labels, feature)
    if not labels:
        raise ValueError("need at least one label")
    return float(sum(len(g) / len(labels) * gini(g) for g in groups))
