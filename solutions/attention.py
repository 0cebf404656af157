"""Scaled dot-product attention: scores, softmax weights and the weighted values.

Row convention: one query, key or value per ROW, so ``Q`` is (n_q, d_k), ``K``
is (n_k, d_k) and ``V`` is (n_k, d_v). The notes write the transposed layout
(tokens as columns: :math:`A = K^\\top Q / \\sqrt{d}`, softmax down each column,
:math:`H' = V A'`); the numbers are the same, transposed.
"""

import math

import numpy as np

from .activations import softmax


def _attn_array(value, name, ndims):
    """A finite float array with one of the allowed numbers of dimensions, not empty."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers, got {value!r}") from None
    if array.ndim not in ndims or array.size == 0:
        allowed = " or ".join(f"{n}-D" for n in ndims)
        raise ValueError(f"{name} must be a non-empty {allowed} array, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must contain only finite numbers")
    return array


def _attn_dimension(d):
    """The scaling dimension d as a positive finite float."""
    if isinstance(d, bool):
        raise ValueError(f"d must be a positive number, got {d!r}")
    try:
        d = float(d)
    except (TypeError, ValueError):
        raise ValueError(f"d must be a positive number, got {d!r}") from None
    if not math.isfinite(d) or d <= 0:
        raise ValueError(f"d must be a positive finite number, got {d}")
    return d


def attention_scores(Q, K):
    r"""Scaled scores of every query against every key.

    .. math:: S = \frac{Q K^\top}{\sqrt{d_k}}, \qquad S_{ij} = \frac{q_i^\top k_j}{\sqrt{d_k}}

    Parameters
    ----------
    Q : array_like, shape (n_q, d_k) or (d_k,)
        The queries, one per row (a 1-D array is one query).
    K : array_like, shape (n_k, d_k)
        The keys, one per row.

    Returns
    -------
    ndarray, shape (n_q, n_k), or (n_k,) for one 1-D query
    """
    Q = _attn_array(Q, "Q", (1, 2))
    K = _attn_array(K, "K", (2,))
    if Q.shape[-1] != K.shape[1]:
        raise ValueError(
            f"queries and keys need the same dimension d_k, got Q {Q.shape} and K {K.shape}"
        )
    return Q @ K.T / math.sqrt(K.shape[1])


def attention_weights(scores, d=None):
    r"""Softmax of scores along the last axis, scaled by :math:`1/\sqrt{d}` first.

    .. math::

        \alpha_{ij} = \frac{\exp(a_{ij} / \sqrt{d})}{\sum_{l} \exp(a_{il} / \sqrt{d})}

    The notes' example: the scores ``[10, 20, 30]`` with ``d = 100`` become
    ``[1, 2, 3]`` and the weights ``[0.0900, 0.2447, 0.6652]``; unscaled
    (``d=None``) the softmax is ``[2.06e-09, 4.54e-05, 0.99995]``, almost one-hot.

    Parameters
    ----------
    scores : array_like, shape (n_k,) or (n_q, n_k)
        Raw dot products :math:`q_i^\top k_j`: one query's scores, or one row per
        query. Entries may be ``-inf`` (a masked key), but every row needs a
        finite entry; NaN and ``+inf`` are refused.
    d : float, optional
        The dimension of the queries and keys, positive. ``None`` applies no
        scaling (the plain softmax of the scores).

    Returns
    -------
    ndarray
        Same shape as ``scores``; every row is positive where the score is
        finite and sums to 1.
    """
    try:
        scores = np.asarray(scores, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"scores must be numbers, got {scores!r}") from None
    if scores.ndim not in (1, 2) or scores.size == 0:
        raise ValueError(f"scores must be a non-empty 1-D or 2-D array, got shape {scores.shape}")
    if np.any(np.isnan(scores)) or np.any(scores == np.inf):
        raise ValueError("scores must not contain NaN or +inf")
    if not np.all(np.any(np.isfinite(scores), axis=-1)):
        raise ValueError("every row of scores needs at least one finite entry")
    scale = 1.0 if d is None else math.sqrt(_attn_dimension(d))
    return softmax(scores / scale, axis=-1)


def scaled_dot_product_attention(Q, K, V, mask=None):
    r"""Scaled dot-product attention: every query's weighted average of the values.

    .. math::

        A = \operatorname{softmax}\left(\frac{Q K^\top}{\sqrt{d_k}}\right)
        \;\text{(row by row)}, \qquad \text{output} = A V

    Row i of ``A`` holds query i's weights over the keys; they sum to 1, so row
    i of the output is a convex combination of the rows of ``V``.

    Parameters
    ----------
    Q : array_like, shape (n_q, d_k) or (d_k,)
        The queries, one per row (a 1-D array is one query).
    K : array_like, shape (n_k, d_k)
        The keys, one per row.
    V : array_like, shape (n_k, d_v) or (n_k,)
        The values, one per key.
    mask : array_like of bool, optional
        Broadcastable to the scores' shape (n_q, n_k), or (n_k,) for one query:
        ``True`` where a query may attend to a key, ``False`` where it may not
        (its score becomes :math:`-\infty`, its weight 0). Every query must be
        allowed at least one key.

    Returns
    -------
    output : ndarray, shape (n_q, d_v)
        ``A @ V``; (d_v,) for one 1-D query, and no value axis when ``V`` is 1-D.
    weights : ndarray, shape (n_q, n_k), or (n_k,) for one 1-D query
    """
    scores = attention_scores(Q, K)
    V = _attn_array(V, "V", (1, 2))
    if V.shape[0] != scores.shape[-1]:
        raise ValueError(f"V needs one row per key ({scores.shape[-1]}), got shape {V.shape}")
    if mask is not None:
        mask = np.asarray(mask)
        if mask.dtype != bool:
            raise ValueError(f"mask must be booleans, got dtype {mask.dtype}")
        try:
            mask = np.broadcast_to(mask, scores.shape)
        except ValueError:
            raise ValueError(
                f"mask of shape {mask.shape} does not fit the scores' shape {scores.shape}"
            ) from None
        if not np.all(np.any(mask, axis=-1)):
            raise ValueError("the mask leaves a query with no key to attend to")
        scores = np.where(mask, scores, -np.inf)
    weights = attention_weights(scores)
    return weights @ V, weights


def scale_attention_scores(scores, d):
    r"""Raw dot products divided by :math:`\sqrt{d}`, the input of the softmax.

    .. math:: s_{ij} = \frac{a_{ij}}{\sqrt{d}}

    Parameters
    ----------
    scores : array_like, shape (n_k,) or (n_q, n_k)
        Raw dot products :math:`a_{ij} = q_i^\top k_j`, finite.
    d : float
        The dimension of the queries and keys, positive.

    Returns
    -------
    ndarray
        Same shape as ``scores``.
    """
    scores = _attn_array(scores, "scores", (1, 2))
    return scores / math.sqrt(_attn_dimension(d))


def attention_from_scores(scores, V, d=None):
    r"""Attention from precomputed dot products: the weights and the weighted values.

    .. math::

        A = \operatorname{softmax}\left(\frac{a}{\sqrt{d}}\right) \;\text{(row by row)},
        \qquad \text{output} = A V

    The same as :func:`scaled_dot_product_attention` when ``scores`` is
    :math:`QK^\top` and ``d`` is :math:`d_k`.

    Parameters
    ----------
    scores : array_like, shape (n_k,) or (n_q, n_k)
        Raw dot products, as for :func:`attention_weights`.
    V : array_like, shape (n_k, d_v) or (n_k,)
        The values, one per key.
    d : float, optional
        The dimension of queries and keys; ``None`` applies no scaling.

    Returns
    -------
    output : ndarray, shape (n_q, d_v), or (d_v,) for one query's 1-D scores
    weights : ndarray, the shape of ``scores``
    """
    weights = attention_weights(scores, d)
    V = _attn_array(V, "V", (1, 2))
    if V.shape[0] != weights.shape[-1]:
        raise ValueError(f"V needs one row per key ({weights.shape[-1]}), got shape {V.shape}")
    return weights @ V, weights
