"""Activation functions and their derivatives."""

import numpy as np


def sigmoid(x):
    r"""Logistic sigmoid, element-wise.

    .. math:: \sigma(x) = \frac{1}{1 + e^{-x}}

    Computed from :math:`e^{-|x|}` so that no exponential overflows: stable for
    any finite input, with no warning for :math:`|x|` up to 1e4 and beyond.

    Parameters
    ----------
    x : array_like
        Any shape.

    Returns
    -------
    ndarray
        Same shape as ``x``, values in [0, 1]; a numpy scalar for a scalar input.
    """
    x = np.asarray(x, dtype=float)
    decay = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + decay), decay / (1.0 + decay))[()]


def sigmoid_grad(x):
    r"""Derivative of the sigmoid with respect to its input.

    .. math:: \sigma'(x) = \sigma(x)\,(1 - \sigma(x))

    This is the shortcut of the notes: with :math:`y = \sigma(x)`,
    :math:`\delta x = \delta y \cdot y(1 - y)`.

    Parameters
    ----------
    x : array_like
        Pre-activation, any shape.

    Returns
    -------
    ndarray
        Same shape as ``x``, values in [0, 1/4].
    """
    y = sigmoid(x)
    return y * (1.0 - y)


def relu(x):
    r"""Rectified linear unit, element-wise: :math:`\max(0, x)`.

    Parameters
    ----------
    x : array_like
        Any shape.

    Returns
    -------
    ndarray
        Same shape as ``x``.
    """
    return np.maximum(np.asarray(x, dtype=float), 0.0)[()]


def relu_grad(x):
    r"""Derivative of ReLU: 1 where :math:`x > 0`, else 0.

    Convention: the derivative at exactly 0 is taken to be 0.

    Parameters
    ----------
    x : array_like
        Any shape.

    Returns
    -------
    ndarray
        Same shape as ``x``, values 0.0 or 1.0.
    """
    return (np.asarray(x, dtype=float) > 0).astype(float)[()]


def softmax(z, axis=-1):
    r"""Softmax along one axis.

    .. math:: \operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}}

    The maximum along ``axis`` is subtracted first (the result does not change)
    so that no exponential overflows.

    Parameters
    ----------
    z : array_like
        Logits, any shape.
    axis : int, default -1
        The axis whose entries sum to 1.

    Returns
    -------
    ndarray
        Same shape as ``z``, positive, summing to 1 along ``axis``.
    """
    z = np.asarray(z, dtype=float)
    exps = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return exps / np.sum(exps, axis=axis, keepdims=True)
