r"""Backpropagation in a fully connected network with a sigmoid on every layer.

Notation of the notes: layer :math:`l` computes the pre-activation
:math:`a^l = W^l y^{l-1} + b^l` and the output :math:`y^l = \sigma(a^l)`, with
:math:`y^0 = x`. ``W[l]`` has shape (n_out, n_in) and ``b[l]`` shape (n_out,).
The loss of one sample is :math:`L = \tfrac12 \lVert y^L - r \rVert^2`.
Lists are indexed from the first layer (index 0) to the output layer.
"""

import numpy as np

from .activations import sigmoid


def _check_network(weights, biases, x):
    weights = [np.asarray(W, dtype=float) for W in weights]
    biases = [np.asarray(b, dtype=float) for b in biases]
    x = np.asarray(x, dtype=float)
    if not weights or len(weights) != len(biases):
        raise ValueError("need one bias vector per weight matrix, and at least one layer")
    if x.ndim != 1:
        raise ValueError(f"x must be a 1-D input vector, got shape {x.shape}")
    n_in = x.shape[0]
    for l, (W, b) in enumerate(zip(weights, biases)):
        if W.ndim != 2 or W.shape[1] != n_in or b.shape != (W.shape[0],):
            raise ValueError(
                f"layer {l}: W must have shape (n_out, {n_in}) and b shape (n_out,), "
                f"got {W.shape} and {b.shape}"
            )
        n_in = W.shape[0]
    return weights, biases, x


def forward(weights, biases, x):
    r"""Forward pass: pre-activations and activations of every layer.

    .. math:: a^l = W^l y^{l-1} + b^l, \qquad y^l = \sigma(a^l), \qquad y^0 = x

    Parameters
    ----------
    weights : list of ndarray, shapes (n_l, n_{l-1})
    biases : list of ndarray, shapes (n_l,)
    x : array_like, shape (n_0,)
        One input sample.

    Returns
    -------
    pre_activations : list of ndarray
        :math:`a^l` for each layer, first layer first.
    activations : list of ndarray
        :math:`y^l = \sigma(a^l)` for each layer; the last is the output.
    """
    weights, biases, x = _check_network(weights, biases, x)
    pre_activations, activations = [], []
    y = x
    for W, b in zip(weights, biases):
        a = W @ y + b
        y = sigmoid(a)
        pre_activations.append(a)
        activations.append(y)
    return pre_activations, activations


def backprop_deltas(weights, biases, x, r):
    r"""Error terms :math:`\delta^l = \partial L / \partial a^l` of every layer.

    .. math::

        \delta^L = (y^L - r) \odot \sigma'(a^L), \qquad
        \delta^{l} = \sigma'(a^{l}) \odot (W^{l+1})^\top \delta^{l+1}

    with :math:`\sigma'(a) = y(1 - y)`. Convention: :math:`\delta` is the
    gradient of the loss, so it carries :math:`y - r`; the notes' form with
    :math:`r - y` is its negative (the direction of the update).

    Parameters
    ----------
    weights, biases, x
        As in :func:`forward`.
    r : array_like, shape (n_L,)
        The target output.

    Returns
    -------
    list of ndarray
        :math:`\delta^l` for each layer, first layer first, shapes (n_l,).
    """
    _, activations = forward(weights, biases, x)
    return _deltas(weights, activations, r)


def _deltas(weights, activations, r):
    r = np.asarray(r, dtype=float)
    if r.shape != activations[-1].shape:
        raise ValueError(f"r must have shape {activations[-1].shape}, got {r.shape}")
    y = activations[-1]
    deltas = [(y - r) * y * (1.0 - y)]
    for W, y in zip(weights[:0:-1], activations[-2::-1]):
        deltas.append(y * (1.0 - y) * (np.asarray(W, dtype=float).T @ deltas[-1]))
    return deltas[::-1]


def gradients(weights, biases, x, r):
    r"""Gradients of the loss with respect to every weight and bias.

    .. math::

        \frac{\partial L}{\partial W^l} = \delta^l \, (y^{l-1})^\top, \qquad
        \frac{\partial L}{\partial b^l} = \delta^l

    Parameters
    ----------
    weights, biases, x, r
        As in :func:`backprop_deltas`.

    Returns
    -------
    dW : list of ndarray
        Same shapes as ``weights``.
    db : list of ndarray
        Same shapes as ``biases``.
    """
    _, activations = forward(weights, biases, x)
    deltas = _deltas(weights, activations, r)
    inputs = [np.asarray(x, dtype=float)] + activations[:-1]
    dW = [np.outer(delta, y_prev) for delta, y_prev in zip(deltas, inputs)]
    return dW, [delta.copy() for delta in deltas]
