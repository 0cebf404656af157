"""The parameters of a network with one hidden layer, [W1, W2] and [b1, b2],
read and checked the same way by every problem type that gives one."""

import numpy as np

from tutor.problem import ParameterError, matrix, vector


def checked(validate, value, name, label="", limit=1000.0):
    """A matrix or vector, refused under its parameter's name; ``label`` names
    the element of a two-element list in front of the message."""
    prefix = f"{label}: " if label else ""
    try:
        array = validate({name: value}, name)
    except ParameterError as error:
        detail = str(error).removeprefix(f"parameter {name!r}: ")
        raise ParameterError(name, prefix + detail) from None
    if np.max(np.abs(array)) > limit:
        raise ParameterError(name, f"{prefix}entries must lie in [-{limit:g}, {limit:g}]")
    return array


def _pair(params, name, kind):
    value = params.get(name)
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        count = f"{len(value)} entries" if isinstance(value, (list, tuple)) else repr(value)
        raise ParameterError(
            name,
            f"expected a list of two {kind} (hidden layer, then output layer: exactly one "
            f"hidden layer), got {count}",
        )
    return value


def one_hidden_layer(
    params, n_in, n_out=None, weights="weights", biases="biases", max_size=12, limit=1000.0
):
    """([W1, W2], [b1, b2]) from the parameters named ``weights`` and ``biases``,
    for ``n_in`` inputs (and ``n_out`` outputs if given): W1 is h × n_in, W2 is
    n_out × h, b1 has h entries and b2 has n_out."""
    W = _pair(params, weights, "matrices [W1, W2]")
    b = _pair(params, biases, "vectors [b1, b2]")
    W1, W2 = (
        checked(lambda p, n: matrix(p, n, max_size=max_size), W[i], weights, f"W{i + 1}", limit)
        for i in (0, 1)
    )
    b1, b2 = (
        checked(lambda p, n: vector(p, n, max_size=max_size), b[i], biases, f"b{i + 1}", limit)
        for i in (0, 1)
    )
    if W1.shape[1] != n_in:
        raise ParameterError(
            weights, f"W1 needs one column per input ({n_in}), got shape {W1.shape}"
        )
    if W2.shape[1] != W1.shape[0]:
        raise ParameterError(
            weights,
            f"W2 needs one column per hidden unit (W1 has {W1.shape[0]} rows), "
            f"got shape {W2.shape}",
        )
    if n_out is not None and W2.shape[0] != n_out:
        raise ParameterError(weights, f"W2 needs one row per output ({n_out}), got {W2.shape[0]}")
    if b1.size != W1.shape[0]:
        raise ParameterError(
            biases, f"b1 needs one entry per hidden unit ({W1.shape[0]}), got {b1.size}"
        )
    if b2.size != W2.shape[0]:
        raise ParameterError(
            biases, f"b2 needs one entry per output ({W2.shape[0]}), got {b2.size}"
        )
    return [W1, W2], [b1, b2]
