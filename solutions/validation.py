"""k-fold cross-validation: the folds, and choosing a model by its mean score.

The notes' "N-fold cross-validation": cut the training data into N equal
parts, use each part once as the validation set while the others train the
model, and pick the model whose result averaged over the N runs is best.
Here the number of folds is ``k`` and the number of samples ``n``.
"""

import numpy as np


def _kfold_count(name, value, minimum):
    """A whole number (not a bool) of at least ``minimum``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def kfold_sizes(n, k):
    r"""The sizes of the k validation folds of n samples.

    .. math:: |F_j| = \left\lfloor \frac{n}{k} \right\rfloor + [\, j \le n \bmod k \,],
              \qquad j = 1, \dots, k

    The first ``n % k`` folds get one sample more; the sizes differ by at most one.

    Parameters
    ----------
    n : int
        Number of samples, ``n >= k``.
    k : int
        Number of folds, ``k >= 2``.

    Returns
    -------
    ndarray of int, shape (k,)
    """
    k = _kfold_count("k", k, 2)
    n = _kfold_count("n", n, k)
    return np.array([n // k + (1 if j < n % k else 0) for j in range(k)], dtype=int)


def kfold_indices(n, k):
    r"""Contiguous, unshuffled k-fold splits of the sample indices 0, …, n − 1.

    Fold j (from 0) validates on the block of indices that follows fold j − 1,
    of size :func:`kfold_sizes` ``(n, k)[j]`` (the first ``n % k`` folds are one
    larger), and trains on all the other indices, in increasing order. Every
    index is in exactly one validation fold.

    Parameters
    ----------
    n : int
        Number of samples, ``n >= k``.
    k : int
        Number of folds, ``k >= 2``.

    Returns
    -------
    list of k tuples (train_indices, validation_indices)
        Both int arrays, sorted; together they hold 0, …, n − 1 once each.
    """
    sizes = kfold_sizes(n, k)
    ends = np.cumsum(sizes)
    indices = np.arange(int(ends[-1]))
    return [
        (np.concatenate([indices[: end - size], indices[end:]]), indices[end - size : end])
        for size, end in zip(sizes, ends)
    ]


def cross_validation_choice(scores, lower_is_better=True):
    r"""Each model's mean validation score over the folds, and the model to choose.

    .. math:: \bar{s}_m = \frac{1}{k} \sum_{j=1}^{k} s_{m j}, \qquad
              m^* = \arg\min_m \bar{s}_m \;\text{(errors)} \quad\text{or}\quad
              \arg\max_m \bar{s}_m \;\text{(accuracies)}

    The plain mean over the folds, as in the notes (not weighted by fold size).
    Ties go to the first model.

    Parameters
    ----------
    scores : array_like, shape (n_models, k)
        ``scores[m, j]``: model m's score on validation fold j.
    lower_is_better : bool, default True
        True for errors or losses, False for accuracies.

    Returns
    -------
    (ndarray of shape (n_models,), int)
        The means, and the index (from 0) of the chosen model.
    """
    scores = np.asarray(scores, dtype=float)
    if scores.ndim != 2 or 0 in scores.shape:
        raise ValueError(f"scores must be a non-empty (models, folds) array, got {scores.shape}")
    if not np.all(np.isfinite(scores)):
        raise ValueError("scores must contain only finite numbers")
    means = scores.mean(axis=1)
    chosen = np.argmin(means) if lower_is_better else np.argmax(means)
    return means, int(chosen)
