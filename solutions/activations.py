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


def hard_sigmoid(x, low=0.0, high=1.0):
    r"""Hard sigmoid, element-wise: flat, a straight ramp, flat again.

    The construction of the notes stacks two ReLUs: one starts the ramp, the
    other (subtracted) ends it, so the sum is 0, then rises linearly, then
    stays at 1.

    .. math::

        h(x) = \frac{\max(0, x - \ell) - \max(0, x - u)}{u - \ell}
             = \begin{cases} 0 & x \le \ell \\ \frac{x - \ell}{u - \ell} & \ell < x < u \\
               1 & x \ge u \end{cases}

    With the defaults :math:`\ell = 0, u = 1`:
    :math:`h(x) = \max(0, x) - \max(0, x - 1)`, the ramp of slope 1 from
    (0, 0) to (1, 1). Any other ramp is :math:`c\,h(b + w x)` for suitable
    :math:`b, w, c`, as in :func:`activation_curve`.

    Parameters
    ----------
    x : array_like
        Any shape.
    low, high : float, default 0 and 1
        Where the ramp starts (:math:`\ell`) and ends (:math:`u`), ``low < high``.

    Returns
    -------
    ndarray
        Same shape as ``x``, values in [0, 1]; a numpy scalar for a scalar input.
    """
    low, high = float(low), float(high)
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ValueError(f"need finite low < high for the ramp, got low={low}, high={high}")
    x = np.asarray(x, dtype=float)
    return ((relu(x - low) - relu(x - high)) / (high - low))[()]


_CURVE_ACTIVATIONS = {"sigmoid": sigmoid, "relu": relu, "hard_sigmoid": hard_sigmoid}


def _curve_parameters(c, w, bias):
    """The heights, slopes and inner biases as three 1-D float arrays of one length."""
    arrays = [np.asarray(v, dtype=float) for v in (c, w, bias)]
    if any(a.ndim != 1 for a in arrays) or len({a.size for a in arrays}) != 1 or not arrays[0].size:
        raise ValueError(
            "c, w and bias must be non-empty 1-D arrays of one length, got shapes "
            + ", ".join(str(a.shape) for a in arrays)
        )
    if not all(np.all(np.isfinite(a)) for a in arrays):
        raise ValueError("c, w and bias must contain only finite numbers")
    return arrays


def activation_pieces(x, c, w, bias, kind="sigmoid"):
    r"""The terms :math:`c_i\, a(b_i + w_i x)` of :func:`activation_curve`, one per unit.

    Parameters
    ----------
    x : float or array_like
        The input, scalar or any shape.
    c, w, bias : array_like, shape (m,)
        Heights :math:`c_i`, slopes :math:`w_i` and inner biases :math:`b_i`.
    kind : {"sigmoid", "relu", "hard_sigmoid"}
        The activation :math:`a`: :func:`sigmoid`, :func:`relu` or :func:`hard_sigmoid`
        (its default ramp from 0 to 1).

    Returns
    -------
    ndarray, shape ``np.shape(x) + (m,)``
        ``pieces[..., i]`` is :math:`c_i\, a(b_i + w_i x)`.
    """
    if kind not in _CURVE_ACTIVATIONS:
        raise ValueError(f"kind must be one of {', '.join(_CURVE_ACTIVATIONS)}, got {kind!r}")
    c, w, bias = _curve_parameters(c, w, bias)
    x = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(x)):
        raise ValueError("x must contain only finite numbers")
    z = bias + w * x[..., None]
    return c * np.asarray(_CURVE_ACTIVATIONS[kind](z))


def activation_curve(x, b, c, w, bias, kind="sigmoid"):
    r"""A constant plus a sum of scaled, shifted activations of one input.

    The notes' model of a piecewise-linear (or smooth) curve:

    .. math:: y = b + \sum_{i=1}^{m} c_i\, a(b_i + w_i x)

    where :math:`a` is the sigmoid :math:`\sigma(z) = 1/(1 + e^{-z})`, the ReLU
    :math:`\max(0, z)` or the hard sigmoid :math:`\max(0, z) - \max(0, z - 1)`
    (two ReLUs, see :func:`hard_sigmoid`). :math:`w_i` sets the slope of unit i,
    :math:`b_i` shifts it along x and :math:`c_i` sets its height; the outer
    :math:`b` is added once.

    Parameters
    ----------
    x : float or array_like
        The input, scalar or any shape.
    b : float
        The outer bias (the constant).
    c, w, bias : array_like, shape (m,)
        Heights :math:`c_i`, slopes :math:`w_i` and inner biases :math:`b_i`, m ≥ 1.
    kind : {"sigmoid", "relu", "hard_sigmoid"}, default "sigmoid"

    Returns
    -------
    float or ndarray
        A float for a scalar ``x``, else an array of the shape of ``x``.
    """
    b = np.asarray(b, dtype=float)
    if b.ndim != 0 or not np.isfinite(b):
        raise ValueError(f"b must be one finite number, got {b}")
    y = b + activation_pieces(x, c, w, bias, kind).sum(axis=-1)
    return float(y) if np.ndim(y) == 0 else y
