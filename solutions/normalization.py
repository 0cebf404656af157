r"""Batch normalisation of a mini-batch (training mode) and its gradient.

Samples are rows, features are columns: every statistic is taken per feature,
over the samples of the batch (axis 0). The variance is the biased one, with
:math:`1/m`, as batch normalisation computes it during training.
"""

import numpy as np


def _bn_inputs(X, gamma, eps, name="X"):
    """X as an (m, d) float array, gamma as (d,), eps as a float, all checked."""
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or 0 in X.shape:
        raise ValueError(
            f"{name} must be a non-empty (m, d) matrix, one sample per row, got {X.shape}"
        )
    gamma = _bn_feature_vector(gamma, X.shape[1], "gamma")
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{name} must contain only finite numbers")
    eps = float(eps)
    if not 0 <= eps < np.inf:
        raise ValueError(f"eps must be a finite number >= 0, got {eps}")
    return X, gamma, eps


def _bn_feature_vector(value, d, name):
    """A scale or shift: one number for every feature, or a (d,) vector."""
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        array = np.full(d, float(array))
    if array.shape != (d,):
        raise ValueError(f"{name} must be a number or have shape ({d},), got {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must contain only finite numbers")
    return array


def _bn_statistics(X, eps):
    """Mean, biased variance and 1/sqrt(var + eps) per feature."""
    mean = X.mean(axis=0)
    var = ((X - mean) ** 2).mean(axis=0)
    if np.any(var + eps <= 0):
        flat = ", ".join(str(j + 1) for j in np.flatnonzero(var + eps <= 0))
        raise ValueError(
            f"feature column(s) {flat} (counting from 1) are constant over the batch and eps = 0: "
            "the normalisation would divide by zero (use eps > 0)"
        )
    return mean, var, 1.0 / np.sqrt(var + eps)


def batch_norm(X, gamma, beta, eps=1e-5):
    r"""Batch normalisation of a mini-batch, per feature (training mode).

    .. math::

        \mu_j = \frac{1}{m} \sum_{i=1}^{m} x_{ij}, \qquad
        \sigma_j^2 = \frac{1}{m} \sum_{i=1}^{m} (x_{ij} - \mu_j)^2,

        \hat{x}_{ij} = \frac{x_{ij} - \mu_j}{\sqrt{\sigma_j^2 + \epsilon}}, \qquad
        y_{ij} = \gamma_j \hat{x}_{ij} + \beta_j

    The variance divides by :math:`m` (biased), not :math:`m - 1`.

    Parameters
    ----------
    X : array_like, shape (m, d)
        The mini-batch, one sample per row, m ≥ 1.
    gamma, beta : float or array_like, shape (d,)
        Scale and shift, one per feature (a number is used for every feature).
    eps : float, default 1e-5
        :math:`\epsilon \ge 0`, added to the variance. With ``eps = 0`` a
        feature that is constant over the batch raises ValueError.

    Returns
    -------
    Y : ndarray, shape (m, d)
        :math:`y = \gamma \hat{x} + \beta`.
    x_hat : ndarray, shape (m, d)
        The normalised inputs :math:`\hat{x}`.
    mean : ndarray, shape (d,)
        :math:`\mu`.
    var : ndarray, shape (d,)
        :math:`\sigma^2` (biased, without :math:`\epsilon`).
    """
    X, gamma, eps = _bn_inputs(X, gamma, eps)
    beta = _bn_feature_vector(beta, X.shape[1], "beta")
    mean, var, inv_std = _bn_statistics(X, eps)
    x_hat = (X - mean) * inv_std
    return gamma * x_hat + beta, x_hat, mean, var


def batch_norm_backward(dY, X, gamma, eps=1e-5):
    r"""Gradients of a loss through :func:`batch_norm`, given :math:`\partial L / \partial Y`.

    The batch statistics depend on every sample, so each input's gradient
    collects the paths through :math:`\mu` and :math:`\sigma^2` too:

    .. math::

        \frac{\partial L}{\partial \beta_j} = \sum_i \frac{\partial L}{\partial y_{ij}},
        \qquad
        \frac{\partial L}{\partial \gamma_j} = \sum_i \frac{\partial L}{\partial y_{ij}}
        \hat{x}_{ij},

        \frac{\partial L}{\partial x_{ij}} = \frac{1}{m \sqrt{\sigma_j^2 + \epsilon}}
        \left( m\, g_{ij} - \sum_k g_{kj} - \hat{x}_{ij} \sum_k g_{kj} \hat{x}_{kj} \right),
        \qquad g_{ij} = \gamma_j \frac{\partial L}{\partial y_{ij}}

    Parameters
    ----------
    dY : array_like, shape (m, d)
        :math:`\partial L / \partial Y`, the upstream gradient.
    X : array_like, shape (m, d)
        The mini-batch the forward pass saw.
    gamma : float or array_like, shape (d,)
    eps : float, default 1e-5
        As in :func:`batch_norm` (the same value as the forward pass).

    Returns
    -------
    dX : ndarray, shape (m, d)
    dgamma : ndarray, shape (d,)
    dbeta : ndarray, shape (d,)
    """
    X, gamma, eps = _bn_inputs(X, gamma, eps)
    dY = np.asarray(dY, dtype=float)
    if dY.shape != X.shape:
        raise ValueError(f"dY must have the shape of X {X.shape}, got {dY.shape}")
    if not np.all(np.isfinite(dY)):
        raise ValueError("dY must contain only finite numbers")
    m = X.shape[0]
    mean, _, inv_std = _bn_statistics(X, eps)
    x_hat = (X - mean) * inv_std
    dbeta = dY.sum(axis=0)
    dgamma = (dY * x_hat).sum(axis=0)
    g = dY * gamma
    dX = inv_std / m * (m * g - g.sum(axis=0) - x_hat * (g * x_hat).sum(axis=0))
    return dX, dgamma, dbeta
