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
