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
    ndarray, shape (conv_output_size(h, fh, padding, stride),
                    conv_output_size(w, fw, padding, stride))
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
    ndarray, shape (conv_output_size(h, size, 0, stride),
                    conv_output_size(w, size, 0, stride))
    """
    x = _image(x)
    stride = size if stride is None else stride
    for n in x.shape:
        conv_output_size(n, size, 0, stride)  # rejects impossible settings
    windows = sliding_window_view(x, (size, size))[::stride, ::stride]
    return windows.max(axis=(2, 3))
