"""Convolution and pooling as in CNNs: output sizes, parameter counts and the
single-channel operations themselves."""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def _integer(name, value, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def conv_output_size(n, f, p=0, s=1):
    r"""Side length of the output of a convolution or pooling layer.

    .. math:: n_{out} = \left\lfloor \frac{n + 2p - f}{s} \right\rfloor + 1

    (The ``+ 1`` counts the first position of the window; it is the term most
    often forgotten.)

    Parameters
    ----------
    n : int
        Input side length, >= 1.
    f : int
        Kernel (window) side length, >= 1 and at most ``n + 2p``.
    p : int, default 0
        Padding on each side, >= 0.
    s : int, default 1
        Stride, >= 1.

    Returns
    -------
    int

    Raises
    ------
    ValueError
        For a non-integer or out-of-range setting, or a kernel larger than the
        padded input.
    """
    n, f = _integer("n", n, 1), _integer("f", f, 1)
    p, s = _integer("p", p, 0), _integer("s", s, 1)
    if f > n + 2 * p:
        raise ValueError(f"the kernel (f={f}) is larger than the padded input (n+2p={n + 2 * p})")
    return (n + 2 * p - f) // s + 1


def conv_param_count(c_in, c_out, f, bias=True):
    r"""Number of trainable parameters of a convolution layer.

    .. math:: c_{out} \, (c_{in} f^2 + 1)

    Each of the :math:`c_{out}` kernels spans all :math:`c_{in}` input channels
    (a 3×5×5 kernel on an RGB image has 75 weights) plus one bias.

    Parameters
    ----------
    c_in, c_out : int
        Input and output channels, >= 1.
    f : int
        Kernel side length, >= 1.
    bias : bool, default True

    Returns
    -------
    int
    """
    c_in, c_out, f = _integer("c_in", c_in, 1), _integer("c_out", c_out, 1), _integer("f", f, 1)
    return c_out * (c_in * f * f + (1 if bias else 0))


def _image(x, name="x"):
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.size == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array, got shape {x.shape}")
    return x


def conv2d(x, kernel, padding=0, stride=1):
    r"""Single-channel 2-D convolution as CNNs compute it (cross-correlation).

    .. math:: y_{ij} = \sum_{u,v} k_{uv}\, \tilde{x}_{is+u,\; js+v}

    where :math:`\tilde{x}` is ``x`` zero-padded by ``padding`` on every side.
    The kernel is not flipped.

    Parameters
    ----------
    x : array_like, shape (h, w)
    kernel : array_like, shape (fh, fw)
    padding : int, default 0
    stride : int, default 1

    Returns
    -------
    ndarray, shape (⌊(h + 2·padding − fh) / stride⌋ + 1, ⌊(w + 2·padding − fw) / stride⌋ + 1)

    Raises
    ------
    ValueError
        If the kernel is larger than the padded input, or padding < 0 or stride < 1.
    """
    x, kernel = _image(x), _image(kernel, "kernel")
    for n, f in zip(x.shape, kernel.shape):
        conv_output_size(n, f, padding, stride)  # rejects impossible settings
    windows = sliding_window_view(np.pad(x, padding), kernel.shape)[::stride, ::stride]
    return np.einsum("ijuv,uv->ij", windows, kernel)


def max_pool(x, size, stride=None):
    r"""Max pooling of a single-channel image, without padding.

    .. math:: y_{ij} = \max_{0 \le u, v < f} x_{is+u,\; js+v}

    Parameters
    ----------
    x : array_like, shape (h, w)
    size : int
        Window side length f.
    stride : int, optional
        Defaults to ``size`` (non-overlapping windows).

    Returns
    -------
    ndarray, shape (⌊(h − size) / stride⌋ + 1, ⌊(w − size) / stride⌋ + 1)

    Raises
    ------
    ValueError
        If the window is larger than the image, or stride < 1.
    """
    return _pool_windows(x, size, stride).max(axis=(2, 3))


def avg_pool(x, size, stride=None):
    r"""Average pooling of a single-channel image, without padding.

    .. math:: y_{ij} = \frac{1}{f^2} \sum_{0 \le u, v < f} x_{is+u,\; js+v}

    Windows that would stick out of the image are dropped, as in
    :func:`max_pool`.

    Parameters
    ----------
    x : array_like, shape (h, w)
    size : int
        Window side length f.
    stride : int, optional
        Defaults to ``size`` (non-overlapping windows).

    Returns
    -------
    ndarray, shape (⌊(h − size) / stride⌋ + 1, ⌊(w − size) / stride⌋ + 1)

    Raises
    ------
    ValueError
        If the window is larger than the image, or stride < 1.
    """
    return _pool_windows(x, size, stride).mean(axis=(2, 3))


def _pool_windows(x, size, stride):
    """The pooling windows of an image, shape (out_h, out_w, size, size)."""
    x = _image(x)
    stride = size if stride is None else stride
    for n in x.shape:
        conv_output_size(n, size, 0, stride)  # rejects impossible settings
    return sliding_window_view(x, (size, size))[::stride, ::stride]


_CNN_LAYER_KEYS = {
    "conv": ("type", "filters", "size", "padding", "stride"),
    "pool": ("type", "size", "stride"),
}


def _cnn_input_shape(input_shape):
    shaped = not isinstance(input_shape, (str, bytes, dict)) and hasattr(input_shape, "__len__")
    if not shaped or len(input_shape) != 3:
        raise ValueError(f"input_shape must be (height, width, channels), got {input_shape!r}")
    names = ("height", "width", "channels")
    return tuple(_integer(f"input_shape {name}", d, 1) for name, d in zip(names, input_shape))


def _cnn_layer_spec(index, layer):
    """A layer as (type, filters, size, padding, stride), checked; ``index``
    counts from 1 and starts every message, to say which layer is at fault."""
    where = f"layer {index}"
    if not isinstance(layer, dict):
        raise ValueError(f"{where}: expected a dict with a 'type', got {layer!r}")
    kind = layer.get("type")
    if not isinstance(kind, str) or kind not in _CNN_LAYER_KEYS:
        raise ValueError(f"{where}: type must be 'conv' or 'pool', got {kind!r}")
    unknown = sorted(set(layer) - set(_CNN_LAYER_KEYS[kind]), key=str)
    if unknown:
        raise ValueError(f"{where}: unknown key {unknown[0]!r} for a {kind} layer")
    if "size" not in layer:
        raise ValueError(f"{where}: the window size is missing")
    size = _integer(f"{where} size", layer["size"], 1)
    if kind == "conv":
        if "filters" not in layer:
            raise ValueError(f"{where}: the number of filters is missing")
        filters = _integer(f"{where} filters", layer["filters"], 1)
        padding = _integer(f"{where} padding", layer.get("padding", 0), 0)
        stride = _integer(f"{where} stride", layer.get("stride", 1), 1)
        return kind, filters, size, padding, stride
    stride = _integer(f"{where} stride", layer.get("stride", size), 1)
    return kind, None, size, 0, stride


def _cnn_walk(input_shape, layers):
    """(output shape, parameter count) of every layer, in order."""
    h, w, c = _cnn_input_shape(input_shape)
    if isinstance(layers, (str, bytes, dict)) or not hasattr(layers, "__iter__"):
        raise ValueError(f"layers must be a sequence of layer dicts, got {layers!r}")
    results = []
    for index, layer in enumerate(layers, start=1):
        kind, filters, size, padding, stride = _cnn_layer_spec(index, layer)
        try:
            h = conv_output_size(h, size, padding, stride)
            w = conv_output_size(w, size, padding, stride)
        except ValueError as error:
            raise ValueError(f"layer {index}: {error}") from None
        if kind == "conv":
            count = conv_param_count(c, filters, size)
            c = filters
        else:
            count = 0  # a pooling layer has nothing to learn
        results.append(((h, w, c), count))
    if not results:
        raise ValueError("layers must hold at least one layer")
    return results


def cnn_shapes(input_shape, layers):
    r"""Output shape (height, width, channels) after each layer of a CNN stack.

    A convolution layer with :math:`c_{out}` filters of size f, padding p and
    stride s, and a k × k pooling layer with stride s (no padding), map a
    :math:`h \times w \times c` input to

    .. math::

        h_{out} = \left\lfloor \frac{h + 2p - f}{s} \right\rfloor + 1, \qquad
        w_{out} = \left\lfloor \frac{w + 2p - f}{s} \right\rfloor + 1, \qquad
        c_{out} \text{ channels (conv) or } c \text{ channels (pool, with } p = 0, f = k)

    Pooling acts on each channel separately: it keeps the channel count.

    Parameters
    ----------
    input_shape : sequence of 3 int
        (height, width, channels), e.g. (32, 32, 3) for an RGB image.
    layers : sequence of dict
        ``{"type": "conv", "filters": c_out, "size": f, "padding": p, "stride": s}``
        (padding defaults to 0, stride to 1) or
        ``{"type": "pool", "size": k, "stride": s}`` (stride defaults to k).

    Returns
    -------
    list of tuple (int, int, int)
        One shape per layer.

    Raises
    ------
    ValueError
        For a malformed layer or input shape, or a window larger than the
        (padded) input of its layer; the message names the layer, counted
        from 1.
    """
    return [shape for shape, _ in _cnn_walk(input_shape, layers)]


def cnn_param_counts(input_shape, layers):
    r"""Trainable parameters of each layer of a CNN stack (weights and biases).

    .. math:: \text{conv: } c_{out} (f^2 c_{in} + 1), \qquad \text{pool: } 0

    where :math:`c_{in}` is the channel count of the layer's input (the image's
    channels for the first layer, the previous layer's output channels after).

    Parameters
    ----------
    input_shape, layers
        As in :func:`cnn_shapes`.

    Returns
    -------
    list of int
        One count per layer.
    """
    return [count for _, count in _cnn_walk(input_shape, layers)]
