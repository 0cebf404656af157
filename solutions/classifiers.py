"""Linear classifiers: softmax with cross-entropy, logistic regression, and the
SVM's margin and regularised hinge loss.

Logarithms are natural. The notes' labels are ``r``: class indices (softmax),
0/1 (logistic regression) or ±1 (SVM).
"""

import numpy as np

from .activations import sigmoid, softmax


def _sce_inputs(logits, labels):
    """Logits as (N, K), labels as N int indices, and whether the input was one sample."""
    try:
        logits = np.asarray(logits, dtype=float)
        labels = np.asarray(labels)
    except (TypeError, ValueError):
        raise ValueError("logits must be numbers and labels class indices") from None
    if logits.ndim == 1:
        if labels.ndim != 0:
            raise ValueError(f"one sample of logits takes one integer label, got {labels.shape}")
    elif logits.ndim == 2:
        if labels.shape != (logits.shape[0],):
            raise ValueError(
                f"logits (N, K) need labels (N,), got {logits.shape} and {labels.shape}"
            )
    else:
        raise ValueError(f"logits must be (K,) or (N, K), got shape {logits.shape}")
    if logits.size == 0:
        raise ValueError(f"need at least one sample and one class, got shape {logits.shape}")
    if not np.all(np.isfinite(logits)):
        raise ValueError("logits must be finite")
    if (
        labels.dtype.kind == "f"
        and np.all(np.isfinite(labels))
        and np.all(labels == np.round(labels))
    ):
        labels = labels.astype(int)
    if labels.dtype.kind not in "iu":
        raise ValueError(f"labels must be integer class indices, got {labels.tolist()!r}")
    n_classes = logits.shape[-1]
    if np.any(labels < 0) or np.any(labels >= n_classes):
        raise ValueError(f"labels must be in 0..{n_classes - 1}, got {labels.tolist()!r}")
    single = logits.ndim == 1
    return np.atleast_2d(logits), np.atleast_1d(labels).astype(int), single


def softmax_cross_entropy(logits, labels):
    r"""Cross-entropy of the softmax of logits against the true classes.

    .. math::

        y = \operatorname{softmax}(a), \qquad
        L = -\sum_{i=1}^{K} r_i \ln y_i = -\ln y_c
          = \ln \sum_{j=1}^{K} e^{a_j} - a_c

    with :math:`r` the one-hot label of class :math:`c`. For a batch, the mean
    over the samples. Natural logarithm. Computed as the log-sum-exp with the
    largest logit subtracted, so no exponential overflows and no log of 0 is taken.

    Parameters
    ----------
    logits : array_like, shape (K,) or (N, K)
        The scores :math:`a` of the K classes, for one sample or N samples.
    labels : int or array_like of int, shape (N,)
        The true class index in 0..K-1 (one int for one sample).

    Returns
    -------
    float
        :math:`L` for one sample; :math:`\frac{1}{N}\sum_n L_n` for a batch.
    """
    logits, labels, _ = _sce_inputs(logits, labels)
    top = logits.max(axis=1, keepdims=True)
    log_norm = (top + np.log(np.exp(logits - top).sum(axis=1, keepdims=True)))[:, 0]
    return float(np.mean(log_norm - logits[np.arange(len(labels)), labels]))


def softmax_cross_entropy_grad(logits, labels):
    r"""Gradient of :func:`softmax_cross_entropy` with respect to the logits.

    .. math:: \frac{\partial L}{\partial a} = y - r, \qquad y = \operatorname{softmax}(a)

    with :math:`r` the one-hot label; for a batch, each row is divided by N
    (the loss is the mean over the samples).

    Parameters
    ----------
    logits : array_like, shape (K,) or (N, K)
    labels : int or array_like of int, shape (N,)
        Class indices in 0..K-1.

    Returns
    -------
    ndarray
        Same shape as ``logits``; each row sums to 0.
    """
    logits, labels, single = _sce_inputs(logits, labels)
    grad = softmax(logits, axis=1)
    grad[np.arange(len(labels)), labels] -= 1.0
    return grad[0] if single else grad / len(labels)


# --- logistic regression --------------------------------------------------------

_LOGREG_REDUCTIONS = ("sum", "mean")


def _logreg_inputs(w, w0, X, r=None, reduction="sum"):
    try:
        w, X = np.asarray(w, dtype=float), np.asarray(X, dtype=float)
        w0 = float(w0)
        r = None if r is None else np.asarray(r, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("w, w0, X and r must be numbers") from None
    if w.ndim != 1 or w.size == 0 or X.ndim != 2 or X.shape[0] == 0 or X.shape[1] != w.size:
        raise ValueError(f"w must be (d,) and X (N, d) with N, d >= 1, got {w.shape} and {X.shape}")
    if r is not None and r.shape != (X.shape[0],):
        raise ValueError(f"r must hold one label per row of X, got {r.shape} for X {X.shape}")
    arrays = [w, X, np.array([w0])] + ([] if r is None else [r])
    if not all(np.all(np.isfinite(a)) for a in arrays):
        raise ValueError("w, w0, X and r must be finite")
    if r is not None and np.any((r < 0) | (r > 1)):
        raise ValueError(f"labels r must lie in [0, 1] (classes 0 and 1), got {r.tolist()!r}")
    if reduction not in _LOGREG_REDUCTIONS:
        raise ValueError(f"reduction must be 'sum' or 'mean', got {reduction!r}")
    return w, w0, X, r


def logistic_regression_probabilities(w, w0, X):
    r"""Outputs of logistic regression: the probability of class 1 for each sample.

    .. math:: y^{(l)} = \sigma(w^\top x^{(l)} + w_0) = \frac{1}{1 + e^{-(w^\top x^{(l)} + w_0)}}

    Parameters
    ----------
    w : array_like, shape (d,)
    w0 : float
        The bias.
    X : array_like, shape (N, d)
        One sample per row.

    Returns
    -------
    ndarray, shape (N,)
    """
    w, w0, X, _ = _logreg_inputs(w, w0, X)
    return np.atleast_1d(sigmoid(X @ w + w0))


def logistic_regression_loss(w, w0, X, r, reduction="sum"):
    r"""Cross-entropy loss of logistic regression, summed (the notes) or averaged.

    .. math::

        L(w, w_0 \mid D) = -\sum_{l=1}^{N} \Big[ r^{(l)} \ln y^{(l)}
            + (1 - r^{(l)}) \ln (1 - y^{(l)}) \Big],
        \qquad y^{(l)} = \sigma(w^\top x^{(l)} + w_0)

    ``reduction="mean"`` divides by N (the convention of
    ``training.logistic_loss``). Natural logarithm. Computed as
    :math:`\sum_l [\ln(1 + e^{a_l}) - r_l a_l]` with :math:`a_l = w^\top x^{(l)} + w_0`,
    which never takes the log of 0.

    Parameters
    ----------
    w : array_like, shape (d,)
    w0 : float
    X : array_like, shape (N, d)
    r : array_like, shape (N,)
        Labels 0 or 1 (soft labels in [0, 1] are accepted).
    reduction : {"sum", "mean"}, default "sum"

    Returns
    -------
    float
    """
    w, w0, X, r = _logreg_inputs(w, w0, X, r, reduction)
    a = X @ w + w0
    per_sample = np.logaddexp(0.0, a) - r * a
    return float(per_sample.sum() if reduction == "sum" else per_sample.mean())


def logistic_regression_gradient(w, w0, X, r, reduction="sum"):
    r"""Gradient of :func:`logistic_regression_loss`.

    .. math::

        \frac{\partial L}{\partial w} = \sum_{l} (y^{(l)} - r^{(l)})\, x^{(l)}, \qquad
        \frac{\partial L}{\partial w_0} = \sum_{l} (y^{(l)} - r^{(l)})

    (the notes' :math:`-\sum_l (r^{(l)} - y^{(l)}) x^{(l)}`), divided by N for
    ``reduction="mean"``.

    Parameters
    ----------
    w, w0, X, r, reduction
        As for :func:`logistic_regression_loss`.

    Returns
    -------
    (ndarray of shape (d,), float)
        :math:`(\partial L / \partial w, \partial L / \partial w_0)`.
    """
    w, w0, X, r = _logreg_inputs(w, w0, X, r, reduction)
    error = np.atleast_1d(sigmoid(X @ w + w0)) - r
    scale = 1.0 if reduction == "sum" else 1.0 / X.shape[0]
    return scale * (X.T @ error), float(scale * error.sum())


def _clf_descend(w, w0, lr, gradients):
    """(w, w0) one step of size lr against the gradients (g_w, g_w0)."""
    if not 0 < lr < np.inf:
        raise ValueError(f"the learning rate must be a positive number, got {lr}")
    g_w, g_w0 = gradients
    return np.asarray(w, dtype=float) - lr * g_w, float(w0) - lr * g_w0


def logistic_regression_step(w, w0, X, r, lr, reduction="sum"):
    r"""One gradient-descent step of logistic regression.

    .. math::

        w \leftarrow w - \eta \frac{\partial L}{\partial w}, \qquad
        w_0 \leftarrow w_0 - \eta \frac{\partial L}{\partial w_0}

    with both gradients (:func:`logistic_regression_gradient`) taken at the old point.

    Parameters
    ----------
    w, w0, X, r, reduction
        As for :func:`logistic_regression_loss`.
    lr : float
        The learning rate :math:`\eta > 0`.

    Returns
    -------
    (ndarray of shape (d,), float)
        The new ``(w, w0)``.
    """
    return _clf_descend(w, w0, lr, logistic_regression_gradient(w, w0, X, r, reduction))


# --- support vector machine -----------------------------------------------------


def _svm_weights(w):
    try:
        w = np.asarray(w, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("w must be numbers") from None
    if w.ndim != 1 or w.size == 0 or not np.all(np.isfinite(w)):
        raise ValueError(f"w must be a non-empty 1-D array of finite numbers, got {w!r}")
    return w


def _svm_inputs(w, w0, X, r, lam=0.0):
    w = _svm_weights(w)
    try:
        X, r, w0, lam = (
            np.asarray(X, dtype=float),
            np.asarray(r, dtype=float),
            float(w0),
            float(lam),
        )
    except (TypeError, ValueError):
        raise ValueError("w0, X, r and lam must be numbers") from None
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] != w.size or r.shape != (X.shape[0],):
        raise ValueError(
            f"X must be (N, d) with N >= 1 and d = {w.size} (the size of w), and r (N,); "
            f"got {X.shape} and {r.shape}"
        )
    if not (np.all(np.isfinite(X)) and np.isfinite(w0)):
        raise ValueError("X and w0 must be finite")
    if not np.all((r == 1) | (r == -1)):
        raise ValueError(f"labels r must be -1 or +1, got {r.tolist()!r}")
    if not 0 <= lam < np.inf:
        raise ValueError(f"lam must be a non-negative number, got {lam}")
    return w, w0, X, r, lam


def svm_margin(w):
    r"""Width of the SVM's margin: the distance between the hyperplanes
    :math:`w^\top x + w_0 = \pm 1`.

    .. math:: \text{margin} = \frac{2}{\lVert w \rVert}

    Parameters
    ----------
    w : array_like, shape (d,)

    Returns
    -------
    float

    Raises
    ------
    ValueError
        For :math:`w = 0`, which defines no hyperplane.
    """
    w = _svm_weights(w)
    scale = float(np.max(np.abs(w)))
    if scale == 0:
        raise ValueError("w = 0 defines no hyperplane: the margin is undefined")
    # Scaling by the largest entry first keeps w·w from underflowing for tiny w.
    return 2.0 / (scale * float(np.sqrt(np.sum((w / scale) ** 2))))


def svm_functional_margins(w, w0, X, r):
    r"""The products :math:`r^{(l)} f(x^{(l)})` with :math:`f(x) = w^\top x + w_0`.

    A sample with :math:`r f(x) \ge 1` lies on or outside its side's margin
    hyperplane; :math:`0 < r f(x) < 1` inside the margin but on the right side;
    :math:`r f(x) < 0` on the wrong side (misclassified).

    Parameters
    ----------
    w : array_like, shape (d,)
    w0 : float
    X : array_like, shape (N, d)
    r : array_like, shape (N,)
        Labels -1 or +1.

    Returns
    -------
    ndarray, shape (N,)
    """
    w, w0, X, r, _ = _svm_inputs(w, w0, X, r)
    return r * (X @ w + w0)


def hinge_loss(w, w0, X, r, lam=0.0):
    r"""Regularised hinge loss of a linear SVM (the notes' form).

    .. math::

        L(w, w_0 \mid D) = \frac{1}{N} \sum_{l=1}^{N}
            \max\big(0,\; 1 - r^{(l)} (w^\top x^{(l)} + w_0)\big)
            + \frac{\lambda}{2} \lVert w \rVert^2

    The mean over the samples; the bias :math:`w_0` is not regularised.

    Parameters
    ----------
    w : array_like, shape (d,)
    w0 : float
    X : array_like, shape (N, d)
    r : array_like, shape (N,)
        Labels -1 or +1.
    lam : float, default 0
        :math:`\lambda \ge 0`.

    Returns
    -------
    float
    """
    w, w0, X, r, lam = _svm_inputs(w, w0, X, r, lam)
    hinge = np.maximum(0.0, 1.0 - r * (X @ w + w0))
    return float(hinge.mean() + 0.5 * lam * (w @ w))


def hinge_subgradient(w, w0, X, r, lam=0.0):
    r"""A subgradient of :func:`hinge_loss`.

    .. math::

        g_w = \lambda w - \frac{1}{N} \sum_{l:\, r^{(l)} f(x^{(l)}) < 1} r^{(l)} x^{(l)},
        \qquad
        g_{w_0} = -\frac{1}{N} \sum_{l:\, r^{(l)} f(x^{(l)}) < 1} r^{(l)}

    with :math:`f(x) = w^\top x + w_0`. Convention at the kink: a sample with
    :math:`r f(x) = 1` exactly does not count (the notes' ":math:`\ge 1`" case),
    so its hinge contributes the subgradient 0.

    Parameters
    ----------
    w, w0, X, r, lam
        As for :func:`hinge_loss`.

    Returns
    -------
    (ndarray of shape (d,), float)
        :math:`(g_w, g_{w_0})`.
    """
    w, w0, X, r, lam = _svm_inputs(w, w0, X, r, lam)
    active = r * (X @ w + w0) < 1.0
    n = X.shape[0]
    # + 0.0 turns the -0.0 of an empty or balanced sum into 0.0.
    return lam * w - (r[active] @ X[active]) / n, float(-r[active].sum() / n) + 0.0


def svm_subgradient_step(w, w0, X, r, lr, lam=0.0):
    r"""One subgradient-descent step on :func:`hinge_loss`.

    .. math:: w \leftarrow w - \eta\, g_w, \qquad w_0 \leftarrow w_0 - \eta\, g_{w_0}

    with :math:`(g_w, g_{w_0})` from :func:`hinge_subgradient` at the old point.

    Parameters
    ----------
    w, w0, X, r, lam
        As for :func:`hinge_loss`.
    lr : float
        The learning rate :math:`\eta > 0`.

    Returns
    -------
    (ndarray of shape (d,), float)
        The new ``(w, w0)``.
    """
    return _clf_descend(w, w0, lr, hinge_subgradient(w, w0, X, r, lam))
