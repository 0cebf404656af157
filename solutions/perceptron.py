"""The perceptron learning rule: online updates on misclassified points.

Labels are :math:`r \\in \\{-1, +1\\}` and the discriminant is
:math:`f(x) = w^\\top x + w_0`. A sample counts as misclassified when
:math:`r\\, f(x) \\le 0`: a point exactly on the boundary is a mistake too, so
training from the all-zero weights moves at all. Comparisons are exact (no
tolerance): with integer data and a learning rate such as 1 or 0.5 every
value is exact in floating point.
"""

import numpy as np


def _pc_data(X, r):
    """X as an (N, d) float array (a 1-D X is one feature) and r as ±1 floats."""
    X = np.asarray(X, dtype=float)
    X = X[:, None] if X.ndim == 1 else X
    r = np.asarray(r, dtype=float)
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise ValueError(f"X must be a non-empty (N, d) array, got shape {X.shape}")
    if r.shape != (X.shape[0],):
        raise ValueError(
            f"r must hold one label per row of X: expected ({X.shape[0]},), got {r.shape}"
        )
    if not np.all(np.isfinite(X)):
        raise ValueError("X must contain only finite numbers")
    if not np.all((r == 1) | (r == -1)):
        raise ValueError("the labels r must be -1 or +1")
    return X, r


def _pc_weights(w, w0, d):
    """w as a float vector of length d and w0 as a float, both finite."""
    w = np.zeros(d) if w is None else np.array(w, dtype=float)
    if w.shape != (d,):
        raise ValueError(f"w must have one weight per feature: expected ({d},), got {w.shape}")
    try:
        w0 = float(w0)
    except (TypeError, ValueError):
        raise ValueError(f"w0 must be a number, got {w0!r}") from None
    if not (np.all(np.isfinite(w)) and np.isfinite(w0)):
        raise ValueError("w and w0 must be finite numbers")
    return w, w0


def _pc_rate(lr):
    try:
        lr = float(lr)
    except (TypeError, ValueError):
        raise ValueError(f"the learning rate must be a number, got {lr!r}") from None
    if not 0 < lr < np.inf:
        raise ValueError(f"the learning rate must be a positive number, got {lr}")
    return lr


def _pc_step(w, w0, x, r, lr):
    """One checked-input step: (w, w0, whether it updated)."""
    if r * (w @ x + w0) <= 0:
        return w + lr * r * x, w0 + lr * r, True
    return w, w0, False


def perceptron_update(w, w0, x, r, lr=1.0):
    r"""One online perceptron step on one sample.

    .. math::

        \text{if } r\,(w^\top x + w_0) \le 0: \qquad
        w \leftarrow w + \eta\, r\, x, \qquad w_0 \leftarrow w_0 + \eta\, r

    and nothing changes when :math:`r\,(w^\top x + w_0) > 0` (the sample is on
    its own side). The bias moves like a weight whose input is always 1.

    Parameters
    ----------
    w : array_like, shape (d,)
        Weights.
    w0 : float
        Bias.
    x : array_like, shape (d,)
        One sample.
    r : {-1, +1}
        Its label.
    lr : float, default 1
        The learning rate :math:`\eta > 0`.

    Returns
    -------
    (ndarray of shape (d,), float)
        The new ``(w, w0)``; a copy even when unchanged.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"x must be one sample (a 1-D array), got shape {x.shape}")
    X, labels = _pc_data(x[None, :], [r])
    w, w0 = _pc_weights(w, w0, X.shape[1])
    w, w0, _ = _pc_step(w, w0, X[0], labels[0], _pc_rate(lr))
    return w, float(w0)


def perceptron_epoch(w, w0, X, r, lr=1.0):
    r"""One pass of the online perceptron over the samples, in order.

    Each sample is tested with the weights as they are at that moment, so an
    update made on one sample already applies to the next (online, not
    batch). See :func:`perceptron_update` for the rule.

    Parameters
    ----------
    w : array_like, shape (d,)
    w0 : float
    X : array_like, shape (N, d)
        Samples, one per row (a 1-D array is one feature).
    r : array_like, shape (N,)
        Labels in {-1, +1}.
    lr : float, default 1

    Returns
    -------
    (ndarray of shape (d,), float, int)
        The weights and bias after the pass and the number of updates made
        (samples with :math:`r\,f(x) \le 0` when they were visited).
    """
    X, r = _pc_data(X, r)
    w, w0 = _pc_weights(w, w0, X.shape[1])
    lr = _pc_rate(lr)
    mistakes = 0
    for x, label in zip(X, r):
        w, w0, updated = _pc_step(w, w0, x, label, lr)
        mistakes += updated
    return w, float(w0), int(mistakes)


def perceptron_train(X, r, lr=1.0, w=None, w0=0.0, max_epochs=100):
    r"""Online perceptron passes until a pass makes no update.

    Repeats :func:`perceptron_epoch` from ``(w, w0)``; it stops after the
    first pass in which every sample has :math:`r\,(w^\top x + w_0) > 0`.
    On linearly separable data this happens after finitely many updates
    (Novikoff's theorem); on other data it never does.

    Parameters
    ----------
    X : array_like, shape (N, d)
    r : array_like, shape (N,)
        Labels in {-1, +1}.
    lr : float, default 1
    w : array_like of shape (d,), optional
        Starting weights; zeros by default.
    w0 : float, default 0
        Starting bias.
    max_epochs : int, default 100
        The most passes to make.

    Returns
    -------
    (ndarray of shape (d,), float, int)
        The final weights, bias and the number of passes made, the last
        (error-free) pass included: data that the start already separates
        gives ``epochs == 1``.

    Raises
    ------
    ValueError
        On bad inputs, and when no pass within ``max_epochs`` is error-free
        (the data are not linearly separable, or more passes are needed).
    """
    X, r = _pc_data(X, r)
    w, w0 = _pc_weights(w, w0, X.shape[1])
    lr = _pc_rate(lr)
    if isinstance(max_epochs, bool) or int(max_epochs) != max_epochs or max_epochs < 1:
        raise ValueError(f"max_epochs must be a positive whole number, got {max_epochs!r}")
    for epoch in range(1, int(max_epochs) + 1):
        w, w0, mistakes = perceptron_epoch(w, w0, X, r, lr)
        if mistakes == 0:
            return w, w0, epoch
    raise ValueError(
        f"no error-free pass within {max_epochs} epochs: the data may not be linearly separable"
    )
