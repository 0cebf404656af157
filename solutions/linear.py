"""Regression losses, gradient descent for y = b + w·x, and the normal equation."""

import numpy as np


def _pair(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError(
            "y_true and y_pred must be non-empty and of one shape, "
            f"got {y_true.shape} and {y_pred.shape}"
        )
    return y_true, y_pred


def mse(y_true, y_pred):
    r"""Mean squared error.

    .. math:: \mathrm{MSE} = \frac{1}{N} \sum_{n=1}^{N} (\hat{y}_n - y_n)^2

    Parameters
    ----------
    y_true, y_pred : array_like, same shape

    Returns
    -------
    float
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean((y_pred - y_true) ** 2))


def mae(y_true, y_pred):
    r"""Mean absolute error.

    .. math:: \mathrm{MAE} = \frac{1}{N} \sum_{n=1}^{N} |\hat{y}_n - y_n|

    Parameters
    ----------
    y_true, y_pred : array_like, same shape

    Returns
    -------
    float
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean(np.abs(y_pred - y_true)))


def mse_gradient(w, b, x, y):
    r"""Gradient of the MSE of the line :math:`\hat{y} = b + w x`.

    .. math::

        \frac{\partial L}{\partial w} = \frac{2}{N} \sum_n (\hat{y}_n - y_n)\, x_n, \qquad
        \frac{\partial L}{\partial b} = \frac{2}{N} \sum_n (\hat{y}_n - y_n)

    Parameters
    ----------
    w, b : float
        Slope and intercept.
    x, y : array_like, shape (N,)
        Inputs and labels.

    Returns
    -------
    (float, float)
        :math:`(\partial L / \partial w, \partial L / \partial b)`.
    """
    y, x = _pair(y, x)
    residual = b + w * x - y
    return float(2.0 * np.mean(residual * x)), float(2.0 * np.mean(residual))


def gradient_descent_step(w, b, x, y, lr):
    r"""One gradient-descent step on the MSE of :math:`\hat{y} = b + w x`.

    .. math::

        w^1 = w^0 - \eta \frac{\partial L}{\partial w}\Big|_{w^0, b^0}, \qquad
        b^1 = b^0 - \eta \frac{\partial L}{\partial b}\Big|_{w^0, b^0}

    with :math:`L = \frac1N \sum_n (b + w x_n - y_n)^2` (see :func:`mse_gradient`).
    Both gradients are taken at the old point, then both parameters move.

    Parameters
    ----------
    w, b : float
    x, y : array_like, shape (N,)
    lr : float
        The learning rate :math:`\eta > 0`.

    Returns
    -------
    (float, float)
        The new ``(w, b)``.
    """
    if not 0 < lr < np.inf:
        raise ValueError(f"the learning rate must be a positive number, got {lr}")
    grad_w, grad_b = mse_gradient(w, b, x, y)
    return float(w - lr * grad_w), float(b - lr * grad_b)


def normal_equation(X, r, ridge=0.0):
    r"""Least-squares (or ridge) weights in closed form.

    .. math:: w^* = (X^\top X + \lambda I)^{-1} X^\top r

    where X is the data with a leading column of ones, so :math:`w^*_0` is the
    bias. As in the notes, the identity spans the bias too, so a positive
    :math:`\lambda` shrinks the bias as well.

    Parameters
    ----------
    X : array_like, shape (N, d)
        Inputs, one sample per row, *without* the column of ones (it is added
        here). A 1-D array is taken as one feature.
    r : array_like, shape (N,)
        Targets.
    ridge : float, default 0
        :math:`\lambda \ge 0`.

    Returns
    -------
    ndarray, shape (d + 1,)
        :math:`[w_0, w_1, \dots, w_d]`, bias first.

    Raises
    ------
    ValueError
        When :math:`X^\top X + \lambda I` is singular (e.g. fewer samples than
        parameters and no ridge).
    """
    X = np.asarray(X, dtype=float)
    X = X[:, None] if X.ndim == 1 else X
    r = np.asarray(r, dtype=float)
    if X.ndim != 2 or r.shape != (X.shape[0],):
        raise ValueError(f"X must be (N, d) and r (N,), got {X.shape} and {r.shape}")
    if not 0 <= ridge < np.inf:
        raise ValueError(f"ridge must be a non-negative number, got {ridge}")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(r))):
        raise ValueError("X and r must contain only finite numbers")
    design = np.column_stack([np.ones(X.shape[0]), X])
    gram = design.T @ design + ridge * np.eye(design.shape[1])
    if np.linalg.matrix_rank(gram) < gram.shape[0]:
        raise ValueError(
            "X^T X + ridge*I is singular: add samples, drop collinear columns or use ridge > 0"
        )
    return np.linalg.solve(gram, design.T @ r)


def _linear_finite_pair(y_true, y_pred):
    """``_pair`` plus a refusal of NaN and infinities, whose gradients mean nothing."""
    y_true, y_pred = _pair(y_true, y_pred)
    if not (np.all(np.isfinite(y_true)) and np.all(np.isfinite(y_pred))):
        raise ValueError("y_true and y_pred must contain only finite numbers")
    return y_true, y_pred


def mse_prediction_gradient(y_true, y_pred):
    r"""Gradient of the MSE with respect to each prediction.

    .. math::

        \frac{\partial\, \mathrm{MSE}}{\partial \hat{y}_n} = \frac{2}{N} (\hat{y}_n - y_n)

    where N is the number of predictions (all entries, whatever the shape), as
    in :func:`mse`.

    Parameters
    ----------
    y_true, y_pred : array_like, same shape, finite

    Returns
    -------
    ndarray, the shape of ``y_pred``
    """
    y_true, y_pred = _linear_finite_pair(y_true, y_pred)
    return 2.0 * (y_pred - y_true) / y_pred.size


def mae_prediction_gradient(y_true, y_pred):
    r"""(Sub)gradient of the MAE with respect to each prediction.

    .. math::

        \frac{\partial\, \mathrm{MAE}}{\partial \hat{y}_n} = \frac{1}{N}
        \operatorname{sign}(\hat{y}_n - y_n)

    with N the number of predictions. :math:`|e|` has no derivative at
    :math:`e = 0`; there the subgradient 0 is returned (``sign(0) = 0``), the
    choice of ``numpy.sign`` and of most libraries.

    Parameters
    ----------
    y_true, y_pred : array_like, same shape, finite

    Returns
    -------
    ndarray, the shape of ``y_pred``
        Entries in :math:`\{-1/N, 0, 1/N\}`.
    """
    y_true, y_pred = _linear_finite_pair(y_true, y_pred)
    return np.sign(y_pred - y_true) / y_pred.size


def mae_gradient(w, b, x, y):
    r"""Subgradient of the MAE of the line :math:`\hat{y} = b + w x`.

    .. math::

        \frac{\partial L}{\partial w} = \frac{1}{N} \sum_n \operatorname{sign}(\hat{y}_n - y_n)\,
        x_n, \qquad
        \frac{\partial L}{\partial b} = \frac{1}{N} \sum_n \operatorname{sign}(\hat{y}_n - y_n)

    with :math:`L = \frac1N \sum_n |b + w x_n - y_n|` and ``sign(0) = 0``: a
    point that the line passes through exactly contributes nothing (the
    subgradient 0 of :math:`|e|` at its kink). Away from such points this is
    the gradient.

    Parameters
    ----------
    w, b : float
        Slope and intercept.
    x, y : array_like, shape (N,)
        Inputs and labels, finite.

    Returns
    -------
    (float, float)
        :math:`(\partial L / \partial w, \partial L / \partial b)`.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if x.ndim != 1 or x.shape != y.shape or x.size == 0:
        raise ValueError(f"x and y must be 1-D, non-empty, of one length: {x.shape}, {y.shape}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("x and y must contain only finite numbers")
    if not (np.isfinite(w) and np.isfinite(b)):
        raise ValueError(f"w and b must be finite numbers, got {w} and {b}")
    signs = np.sign(b + w * x - y)
    return float(np.mean(signs * x)), float(np.mean(signs))


def normal_equation_system(X, r, ridge=0.0, penalize_bias=True):
    r"""The linear system of the (ridge) normal equation, before solving it.

    .. math:: (X^\top X + \lambda D)\, w = X^\top r

    where X is the data with a leading column of ones (as in
    :func:`normal_equation`) and D the identity, or, with
    ``penalize_bias=False``, the identity with a 0 in the bias' corner (the
    bias then goes unregularised).

    Parameters
    ----------
    X : array_like, shape (N, d)
        Inputs *without* the column of ones (added here); 1-D is one feature.
    r : array_like, shape (N,)
        Targets.
    ridge : float, default 0
        :math:`\lambda \ge 0`.
    penalize_bias : bool, default True
        Whether :math:`\lambda` is added to the bias' diagonal entry too
        (True matches :func:`normal_equation`).

    Returns
    -------
    (ndarray, ndarray)
        :math:`X^\top X + \lambda D`, shape (d + 1, d + 1), and
        :math:`X^\top r`, shape (d + 1,), bias first.
    """
    X = np.asarray(X, dtype=float)
    X = X[:, None] if X.ndim == 1 else X
    r = np.asarray(r, dtype=float)
    if X.ndim != 2 or X.shape[0] == 0 or r.shape != (X.shape[0],):
        raise ValueError(f"X must be (N, d) with N >= 1 and r (N,), got {X.shape} and {r.shape}")
    if not 0 <= ridge < np.inf:
        raise ValueError(f"ridge must be a non-negative number, got {ridge}")
    if not (np.all(np.isfinite(X)) and np.all(np.isfinite(r))):
        raise ValueError("X and r must contain only finite numbers")
    design = np.column_stack([np.ones(X.shape[0]), X])
    penalty = np.eye(design.shape[1])
    if not penalize_bias:
        penalty[0, 0] = 0.0
    return design.T @ design + ridge * penalty, design.T @ r


def ridge_normal_equation(X, r, ridge=0.0, penalize_bias=True):
    r"""Ridge weights in closed form, with the bias penalised or not.

    .. math:: w^* = (X^\top X + \lambda D)^{-1} X^\top r

    (see :func:`normal_equation_system` for D). With ``penalize_bias=True``
    this is :func:`normal_equation`; with ``False`` it minimises
    :math:`\|r - Xw\|^2 + \lambda \sum_{j \ge 1} w_j^2`, leaving :math:`w_0` free.

    Parameters
    ----------
    X : array_like, shape (N, d)
        Inputs without the column of ones; 1-D is one feature.
    r : array_like, shape (N,)
    ridge : float, default 0
    penalize_bias : bool, default True

    Returns
    -------
    ndarray, shape (d + 1,)
        Bias first.

    Raises
    ------
    ValueError
        When the system is singular (e.g. too few samples and no penalty on
        the direction that lacks data).
    """
    gram, moment = normal_equation_system(X, r, ridge, penalize_bias)
    if np.linalg.matrix_rank(gram) < gram.shape[0]:
        raise ValueError(
            "X^T X + ridge*D is singular: add samples, drop collinear columns or use ridge > 0"
        )
    return np.linalg.solve(gram, moment)
