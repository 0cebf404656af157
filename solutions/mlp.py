r"""The forward pass of a fully connected network (a multilayer perceptron)
with a choice of activations, and a hand-set network that computes XOR.

Notation: layer :math:`l` computes the pre-activation
:math:`z^l = W^l a^{l-1} + b^l` and the activation :math:`a^l = f_l(z^l)`, with
:math:`a^0 = x`. ``W[l]`` has shape (n_out, n_in) and acts as ``W @ a``, so
row :math:`j` holds the weights into unit :math:`j`; ``b[l]`` has shape
(n_out,). Every layer but the last uses the hidden activation, the last the
output activation. Lists are indexed from the first layer (index 0).
"""

import numpy as np

from .activations import relu, sigmoid

# The four inputs of a two-input Boolean function, in truth-table order.
XOR_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_TARGETS = np.array([0.0, 1.0, 1.0, 0.0])


def step(x):
    r"""Heaviside step, element-wise: 1 where :math:`x > 0`, else 0.

    .. math:: \operatorname{step}(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}

    Convention: :math:`\operatorname{step}(0) = 0`, so a unit fires only when
    its weighted sum strictly exceeds its threshold (as :func:`relu` has
    derivative 0 at 0 in :mod:`activations`).

    Parameters
    ----------
    x : array_like
        Any shape.

    Returns
    -------
    ndarray
        Same shape as ``x``, values 0.0 or 1.0; a numpy scalar for a scalar input.
    """
    return (np.asarray(x, dtype=float) > 0).astype(float)[()]


def _mlpf_linear(x):
    return np.asarray(x, dtype=float)[()]


_MLPF_ACTIVATIONS = {"sigmoid": sigmoid, "relu": relu, "linear": _mlpf_linear, "step": step}


def mlp_activation(z, kind):
    r"""One of the activations an MLP layer may use, applied element-wise.

    Parameters
    ----------
    z : array_like
        Pre-activations, any shape.
    kind : {"sigmoid", "relu", "linear", "step"}
        :math:`\sigma(z) = 1/(1 + e^{-z})`, :math:`\max(0, z)`, the identity
        :math:`z`, or :func:`step` (1 where :math:`z > 0`, else 0).

    Returns
    -------
    ndarray
        Same shape as ``z``.
    """
    if kind not in _MLPF_ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(_MLPF_ACTIVATIONS)}, got {kind!r}")
    return _MLPF_ACTIVATIONS[kind](z)


def _mlpf_network(weights, biases):
    """Weights and biases as float arrays of matching shapes (inputs not yet known)."""
    weights = [np.asarray(W, dtype=float) for W in weights]
    biases = [np.asarray(b, dtype=float) for b in biases]
    if not weights or len(weights) != len(biases):
        raise ValueError(
            f"need one bias vector per weight matrix and at least one layer, got "
            f"{len(weights)} weight matrices and {len(biases)} bias vectors"
        )
    for l, (W, b) in enumerate(zip(weights, biases)):
        if W.ndim != 2 or 0 in W.shape or b.shape != (W.shape[0],):
            raise ValueError(
                f"layer {l}: W must be a non-empty (n_out, n_in) matrix and b have shape "
                f"(n_out,), got {W.shape} and {b.shape}"
            )
        if l and W.shape[1] != weights[l - 1].shape[0]:
            raise ValueError(
                f"layer {l}: W needs one column per unit of layer {l - 1} "
                f"({weights[l - 1].shape[0]}), got shape {W.shape}"
            )
        if not (np.all(np.isfinite(W)) and np.all(np.isfinite(b))):
            raise ValueError(f"layer {l}: weights and biases must be finite numbers")
    return weights, biases


def mlp_forward(weights, biases, x, hidden="sigmoid", output="sigmoid"):
    r"""Forward pass of an MLP on one input: pre-activations and activations.

    .. math::

        z^l = W^l a^{l-1} + b^l, \qquad a^l = f_l(z^l), \qquad a^0 = x

    with :math:`f_l` the ``hidden`` activation for every layer but the last and
    the ``output`` activation for the last. With sigmoids everywhere this is
    :func:`backprop.forward`.

    Parameters
    ----------
    weights : list of array_like, shapes (n_l, n_{l-1})
        One matrix per layer, first layer first; it acts as ``W @ a``.
    biases : list of array_like, shapes (n_l,)
    x : array_like, shape (n_0,)
        One input sample.
    hidden, output : {"sigmoid", "relu", "linear", "step"}
        The activations, see :func:`mlp_activation`.

    Returns
    -------
    pre_activations : list of ndarray
        :math:`z^l` for each layer, first layer first (the input is not included).
    activations : list of ndarray
        :math:`a^l = f_l(z^l)` for each layer; the last is the network's output.

    Examples
    --------
    >>> W, b = xor_network()
    >>> mlp_forward(W, b, [1, 0], hidden="step", output="step")[1][-1]
    array([1.])
    """
    for kind in (hidden, output):
        if kind not in _MLPF_ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {', '.join(_MLPF_ACTIVATIONS)}, got {kind!r}"
            )
    weights, biases = _mlpf_network(weights, biases)
    x = np.asarray(x, dtype=float)
    if x.ndim != 1 or x.shape[0] != weights[0].shape[1]:
        raise ValueError(
            f"x must be a 1-D input of {weights[0].shape[1]} numbers (the columns of the "
            f"first W), got shape {x.shape}"
        )
    if not np.all(np.isfinite(x)):
        raise ValueError("x must contain only finite numbers")
    pre_activations, activations = [], []
    a = x
    last = len(weights) - 1
    for l, (W, b) in enumerate(zip(weights, biases)):
        z = W @ a + b
        a = np.asarray(mlp_activation(z, output if l == last else hidden), dtype=float)
        pre_activations.append(z)
        activations.append(a)
    return pre_activations, activations


def xor_network():
    r"""Hand-set weights of a network of step units that computes XOR.

    Two hidden units and one output, all with :func:`step`:

    .. math::

        h_1 = \operatorname{step}(x_1 + x_2 - 0.5) = x_1 \lor x_2, \qquad
        h_2 = \operatorname{step}(-x_1 - x_2 + 1.5) = \lnot(x_1 \land x_2),

        y = \operatorname{step}(h_1 + h_2 - 1.5) = h_1 \land h_2 = x_1 \oplus x_2

    Every weighted sum is at least 0.5 away from 0 on the four Boolean inputs,
    so the convention at step(0) does not matter here.

    Returns
    -------
    weights : list of ndarray
        ``[W1, W2]`` with ``W1 = [[1, 1], [-1, -1]]`` (rows: OR, NAND) and
        ``W2 = [[1, 1]]`` (AND).
    biases : list of ndarray
        ``[b1, b2]`` with ``b1 = [-0.5, 1.5]`` and ``b2 = [-1.5]``.

    Use with ``mlp_forward(weights, biases, x, hidden="step", output="step")``.
    """
    weights = [np.array([[1.0, 1.0], [-1.0, -1.0]]), np.array([[1.0, 1.0]])]
    biases = [np.array([-0.5, 1.5]), np.array([-1.5])]
    return weights, biases


def xor_outputs(weights, biases, hidden="step", output="step"):
    r"""The network's outputs on the four Boolean inputs.

    Parameters
    ----------
    weights, biases
        As in :func:`mlp_forward`, with 2 inputs.
    hidden, output : str
        As in :func:`mlp_forward`.

    Returns
    -------
    ndarray, shape (4, n_out)
        Row i is the output for the input ``XOR_INPUTS[i]``: (0, 0), (0, 1),
        (1, 0), (1, 1) in that order.
    """
    return np.array([mlp_forward(weights, biases, x, hidden, output)[1][-1] for x in XOR_INPUTS])


def realises_xor(weights, biases, hidden="step", output="step", atol=1e-9):
    r"""Whether a one-output network computes XOR on all four Boolean inputs.

    .. math:: y(x) = x_1 \oplus x_2 \quad \text{for } x \in \{0, 1\}^2

    Parameters
    ----------
    weights, biases, hidden, output
        As in :func:`xor_outputs`; the network must have one output.
    atol : float, default 1e-9
        How far an output may lie from 0 or 1 (a sigmoid output never reaches
        them: pass e.g. 0.1 to accept outputs within 0.1 of the targets).

    Returns
    -------
    bool
    """
    if not 0 <= atol < 0.5:
        raise ValueError(f"atol must be in [0, 0.5), got {atol}")
    outputs = xor_outputs(weights, biases, hidden, output)
    if outputs.shape[1] != 1:
        raise ValueError(f"XOR has one output; the network has {outputs.shape[1]}")
    return bool(np.all(np.abs(outputs[:, 0] - XOR_TARGETS) <= atol))
