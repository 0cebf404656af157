r"""Optimisation: momentum, RMSProp and Adam steps, a warm-up learning-rate
schedule, the gradient and Hessian of a polynomial loss and the
second-derivative test at a critical point, and counting the updates of
mini-batch training.

The notation follows Hung-yi Lee's lecture on optimisation: the gradient
:math:`g^t` is taken at :math:`\theta^t`, the movement of momentum is
:math:`m^{t+1} = \lambda m^t - \eta g^t` and is *added* to the parameters,
and RMSProp starts with :math:`\sigma^0 = |g^0|`.
"""

import math

import numpy as np


def _opt_vector(value, name):
    """A scalar or 1-D array of finite floats (a scalar stays 0-D)."""
    try:
        array = np.array(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or a 1-D array of numbers") from None
    if array.ndim > 1:
        raise ValueError(f"{name} must be a number or a 1-D array, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} must contain only finite numbers")
    return array


def _opt_like(theta, value, name):
    """``value`` as an array of the shape of ``theta``: None means zeros, a
    single number is the same for every parameter."""
    if value is None:
        return np.zeros_like(theta)
    array = _opt_vector(value, name)
    if array.ndim == 0:
        return np.full_like(theta, float(array))
    if array.shape != theta.shape:
        raise ValueError(f"{name} must have the shape of theta {theta.shape}, got {array.shape}")
    return array


def _opt_rate(value, name, low, high, low_open=False, high_open=True):
    """A finite hyper-parameter in a range, as a float."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number, got {value!r}")
    value = float(value)
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if not math.isfinite(value) or too_low or too_high:
        left, right = "(" if low_open else "[", ")" if high_open else "]"
        raise ValueError(f"{name} must be in {left}{low:g}, {high:g}{right}, got {value!r}")
    return value


def _opt_count(value, name, minimum):
    """A whole number >= minimum (a float with an integer value is accepted)."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _opt_out(array):
    """A 0-D result as a float, an array as an array."""
    return float(array) if array.ndim == 0 else array


def momentum_step(theta, grad, movement, lr, lam=0.9):
    r"""One gradient-descent step with momentum, in the course's convention.

    .. math::

        m^{t+1} = \lambda m^t - \eta g^t, \qquad \theta^{t+1} = \theta^t + m^{t+1}

    The movement :math:`m` already carries the minus sign of gradient descent,
    so it is *added* to the parameters; it starts at :math:`m^0 = 0`. (This is
    the same update as PyTorch's ``v = \lambda v + g``, ``\theta -= \eta v``
    with :math:`m = -\eta v`, for a constant :math:`\eta`.)

    Parameters
    ----------
    theta : float or array_like, shape (d,)
        The parameters :math:`\theta^t`.
    grad : float or array_like, shape of ``theta``
        The gradient :math:`g^t` of the loss at :math:`\theta^t`.
    movement : float or array_like, shape of ``theta``, or None
        The previous movement :math:`m^t`; None (or 0) for the first step.
    lr : float
        The learning rate :math:`\eta > 0`.
    lam : float, default 0.9
        The momentum weight :math:`\lambda \in [0, 1)`.

    Returns
    -------
    theta_new : float or ndarray
        :math:`\theta^{t+1}`.
    movement_new : float or ndarray
        :math:`m^{t+1}`, to pass to the next step.
    """
    theta = _opt_vector(theta, "theta")
    grad = _opt_like(theta, grad, "grad")
    movement = _opt_like(theta, movement, "movement")
    lr = _opt_rate(lr, "lr", 0.0, math.inf, low_open=True)
    lam = _opt_rate(lam, "lam", 0.0, 1.0)
    movement_new = lam * movement - lr * grad
    return _opt_out(theta + movement_new), _opt_out(movement_new)


def rmsprop_step(theta, grad, sigma, lr, alpha=0.9, eps=0.0):
    r"""One RMSProp step, in the course's convention.

    .. math::

        \sigma^0 = |g^0|, \qquad
        \sigma^t = \sqrt{\alpha \left(\sigma^{t-1}\right)^2 + (1 - \alpha) \left(g^t\right)^2},
        \qquad
        \theta^{t+1} = \theta^t - \frac{\eta}{\sigma^t + \varepsilon} g^t

    element-wise. :math:`\sigma` is the root of a weighted mean of the squared
    gradients (not the mean square itself), and the first step divides by
    :math:`|g^0|`, so it moves every parameter by exactly :math:`\eta` against
    the sign of its gradient. Passing ``sigma=0`` instead of None gives the
    other common convention (PyTorch's: a running mean square that starts at
    0, so :math:`\sigma^0 = \sqrt{1 - \alpha}\, |g^0|`).

    A parameter whose gradient is 0 does not move, even when
    :math:`\sigma + \varepsilon = 0` (0/0 is taken as 0).

    Parameters
    ----------
    theta : float or array_like, shape (d,)
        The parameters :math:`\theta^t`.
    grad : float or array_like, shape of ``theta``
        The gradient :math:`g^t` at :math:`\theta^t`.
    sigma : float or array_like, shape of ``theta``, or None
        :math:`\sigma^{t-1}` of the previous step (>= 0); None for the first
        step, which sets :math:`\sigma^0 = |g^0|`.
    lr : float
        The learning rate :math:`\eta > 0`.
    alpha : float, default 0.9
        The weight :math:`\alpha \in [0, 1)` of the past.
    eps : float, default 0
        :math:`\varepsilon \ge 0` added to the denominator.

    Returns
    -------
    theta_new : float or ndarray
        :math:`\theta^{t+1}`.
    sigma_new : float or ndarray
        :math:`\sigma^t`, to pass as ``sigma`` to the next step.

    Raises
    ------
    ValueError
        On bad shapes or hyper-parameters, or a negative ``sigma``.
    """
    theta = _opt_vector(theta, "theta")
    grad = _opt_like(theta, grad, "grad")
    lr = _opt_rate(lr, "lr", 0.0, math.inf, low_open=True)
    alpha = _opt_rate(alpha, "alpha", 0.0, 1.0)
    eps = _opt_rate(eps, "eps", 0.0, math.inf)
    if sigma is None:
        sigma_new = np.abs(grad)
    else:
        sigma = _opt_like(theta, sigma, "sigma")
        if np.any(sigma < 0):
            raise ValueError("sigma must be >= 0")
        sigma_new = np.sqrt(alpha * sigma**2 + (1.0 - alpha) * grad**2)
    # With alpha < 1, sigma_new is 0 only where the gradient is 0 too.
    moving = grad != 0
    step = np.divide(grad, sigma_new + eps, out=np.zeros_like(grad), where=moving)
    return _opt_out(theta - lr * step), _opt_out(sigma_new)


def adam_step(theta, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    r"""One Adam step (Kingma & Ba), element-wise.

    .. math::

        m_t = \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad
        v_t = \beta_2 v_{t-1} + (1 - \beta_2) g_t^2,

        \hat{m}_t = \frac{m_t}{1 - \beta_1^t}, \qquad
        \hat{v}_t = \frac{v_t}{1 - \beta_2^t}, \qquad
        \theta_t = \theta_{t-1} - \eta \frac{\hat{m}_t}{\sqrt{\hat{v}_t} + \varepsilon}

    with :math:`m_0 = v_0 = 0`. Here :math:`t` counts the updates from 1 and
    :math:`g_t` is the gradient at :math:`\theta_{t-1}` (the lecture's
    :math:`g^{t-1}`). The bias correction undoes the pull of
    :math:`m_0 = v_0 = 0` towards 0: on the first step
    :math:`\hat{m}_1 = g_1`, :math:`\hat{v}_1 = g_1^2`.

    Parameters
    ----------
    theta : float or array_like, shape (d,)
        :math:`\theta_{t-1}`.
    grad : float or array_like, shape of ``theta``
        :math:`g_t`.
    m, v : float or array_like, shape of ``theta``, or None
        :math:`m_{t-1}` and :math:`v_{t-1} \ge 0`; None (or 0) before the
        first step.
    t : int
        The number of this update, >= 1, used in the bias correction.
    lr : float, default 0.001
        :math:`\eta > 0`.
    beta1, beta2 : float, default 0.9 and 0.999
        Decay rates in [0, 1).
    eps : float, default 1e-8
        :math:`\varepsilon \ge 0`.

    Returns
    -------
    theta_new, m_new, v_new : float or ndarray
        :math:`\theta_t`, :math:`m_t` and :math:`v_t` (uncorrected: pass them
        to the next step).
    """
    theta = _opt_vector(theta, "theta")
    grad = _opt_like(theta, grad, "grad")
    m = _opt_like(theta, m, "m")
    v = _opt_like(theta, v, "v")
    if np.any(v < 0):
        raise ValueError("v must be >= 0")
    t = _opt_count(t, "t", 1)
    lr = _opt_rate(lr, "lr", 0.0, math.inf, low_open=True)
    beta1 = _opt_rate(beta1, "beta1", 0.0, 1.0)
    beta2 = _opt_rate(beta2, "beta2", 0.0, 1.0)
    eps = _opt_rate(eps, "eps", 0.0, math.inf)
    m_new = beta1 * m + (1.0 - beta1) * grad
    v_new = beta2 * v + (1.0 - beta2) * grad**2
    m_hat = m_new / (1.0 - beta1**t)
    v_hat = v_new / (1.0 - beta2**t)
    denominator = np.sqrt(v_hat) + eps
    moving = m_hat != 0
    if np.any(moving & (denominator == 0)):
        raise ValueError("a non-zero m divided by sqrt(v) + eps = 0: use eps > 0")
    step = np.divide(m_hat, denominator, out=np.zeros_like(m_hat), where=moving)
    return _opt_out(theta - lr * step), _opt_out(m_new), _opt_out(v_new)


def warmup_lr(step, base_lr, warmup_steps, start_lr=0.0, schedule="linear"):
    r"""The learning rate of update ``step`` under a warm-up schedule.

    The notes describe two warm-ups. The *gradual* (linear) one raises the
    rate a little every step, from ``start_lr`` to ``base_lr`` over the first
    :math:`T` updates, then keeps ``base_lr``:

    .. math::

        \eta_t = \eta_{\text{start}} + (\eta - \eta_{\text{start}})
                 \frac{\min(t, T)}{T}

    so with :math:`\eta_{\text{start}} = 0`, :math:`\eta_t = \eta \, t / T`
    for :math:`t \le T` (the :math:`T`-th update is the first at the full
    rate). The *constant* one (ResNet's) trains the first :math:`T` updates at
    ``start_lr`` and switches to ``base_lr`` from update :math:`T + 1` on.

    Updates are numbered from 1; ``step = 0`` (before the first update) gives
    ``start_lr``. ``warmup_steps = 0`` means no warm-up: ``base_lr`` always.

    Parameters
    ----------
    step : int
        :math:`t \ge 0`.
    base_lr : float
        The rate after the warm-up, :math:`\eta > 0`.
    warmup_steps : int
        :math:`T \ge 0`.
    start_lr : float, default 0
        :math:`\eta_{\text{start}} \ge 0`.
    schedule : {"linear", "constant"}, default "linear"

    Returns
    -------
    float
    """
    step = _opt_count(step, "step", 0)
    warmup_steps = _opt_count(warmup_steps, "warmup_steps", 0)
    base_lr = _opt_rate(base_lr, "base_lr", 0.0, math.inf, low_open=True)
    start_lr = _opt_rate(start_lr, "start_lr", 0.0, math.inf)
    if schedule not in ("linear", "constant"):
        raise ValueError(f"schedule must be 'linear' or 'constant', got {schedule!r}")
    if warmup_steps == 0 or step > warmup_steps:
        return base_lr
    if schedule == "constant":
        return start_lr
    return start_lr + (base_lr - start_lr) * step / warmup_steps


def hessian_eigen(H, tol=1e-9):
    r"""Eigenvalues of a Hessian and what they say about a critical point.

    At a point where the gradient is 0, the loss near :math:`\theta'` is
    :math:`L(\theta) \approx L(\theta') + \frac12 (\theta - \theta')^\top H
    (\theta - \theta')`, so

    - all eigenvalues :math:`> 0` (H positive definite): a local minimum;
    - all :math:`< 0` (negative definite): a local maximum;
    - some :math:`> 0` and some :math:`< 0`: a saddle point (also when another
      eigenvalue is 0: the loss already rises along one direction and falls
      along another);
    - otherwise, an eigenvalue 0 and the rest of one sign: "inconclusive", the
      second-order terms cannot tell.

    An eigenvalue counts as 0 when :math:`|\lambda| \le` ``tol`` times
    :math:`\max(1, \max_i |\lambda_i|)`.

    Parameters
    ----------
    H : array_like, shape (n, n)
        A symmetric matrix of finite numbers.
    tol : float, default 1e-9

    Returns
    -------
    eigenvalues : ndarray, shape (n,)
        In ascending order.
    kind : str
        "minimum", "maximum", "saddle" or "inconclusive".

    Raises
    ------
    ValueError
        Unless H is a non-empty square, symmetric matrix of finite numbers.
    """
    try:
        H = np.array(H, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("H must be a square matrix of numbers") from None
    if H.ndim != 2 or H.shape[0] != H.shape[1] or H.size == 0:
        raise ValueError(f"H must be a non-empty square matrix, got shape {H.shape}")
    if not np.all(np.isfinite(H)):
        raise ValueError("H must contain only finite numbers")
    scale = max(1.0, float(np.max(np.abs(H))))
    if not np.allclose(H, H.T, rtol=0.0, atol=1e-9 * scale):
        raise ValueError("H must be symmetric")
    tol = _opt_rate(tol, "tol", 0.0, math.inf)
    eigenvalues = np.linalg.eigvalsh((H + H.T) / 2)
    zero = np.abs(eigenvalues) <= tol * max(1.0, float(np.max(np.abs(eigenvalues))))
    positive, negative = (eigenvalues > 0) & ~zero, (eigenvalues < 0) & ~zero
    if positive.any() and negative.any():
        kind = "saddle"
    elif zero.any():
        kind = "inconclusive"
    else:
        kind = "minimum" if positive.all() else "maximum"
    return eigenvalues, kind


def _opt_terms(terms):
    """Polynomial terms as (coefficient, power of θ1, power of θ2) rows."""
    try:
        terms = np.array(terms, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("terms must be rows (coefficient, power1, power2)") from None
    if terms.ndim != 2 or terms.shape[1] != 3 or terms.shape[0] == 0:
        raise ValueError(f"terms must be a non-empty list of rows of 3, got shape {terms.shape}")
    if not np.all(np.isfinite(terms)):
        raise ValueError("terms must contain only finite numbers")
    powers = terms[:, 1:]
    if np.any(powers < 0) or np.any(powers != np.round(powers)):
        raise ValueError("the powers must be non-negative whole numbers")
    return terms[:, 0], powers.astype(int)


def polynomial_gradient_hessian(terms, point):
    r"""Value, gradient and Hessian of a polynomial loss of two parameters.

    .. math::

        L(\theta_1, \theta_2) = \sum_k c_k \, \theta_1^{i_k} \theta_2^{j_k}, \qquad
        \nabla L = \begin{bmatrix} \partial L / \partial \theta_1 \\
        \partial L / \partial \theta_2 \end{bmatrix}, \qquad
        H = \begin{bmatrix}
        \partial^2 L / \partial \theta_1^2 & \partial^2 L / \partial \theta_1 \partial \theta_2 \\
        \partial^2 L / \partial \theta_2 \partial \theta_1 & \partial^2 L / \partial \theta_2^2
        \end{bmatrix}

    using :math:`\frac{d}{dx} x^n = n x^{n-1}` term by term, all at ``point``.

    Parameters
    ----------
    terms : array_like, shape (k, 3)
        One row :math:`(c_k, i_k, j_k)` per term; the powers are non-negative
        whole numbers (repeated powers simply add up).
    point : array_like, shape (2,)
        :math:`(\theta_1, \theta_2)`.

    Returns
    -------
    value : float
    gradient : ndarray, shape (2,)
    hessian : ndarray, shape (2, 2)
        Symmetric.
    """
    c, powers = _opt_terms(terms)
    point = _opt_vector(point, "point")
    if point.shape != (2,):
        raise ValueError(f"point must hold 2 numbers, got shape {point.shape}")
    x, y = point
    i, j = powers[:, 0], powers[:, 1]

    def monomials(di, dj):
        """Σ c ∂^(di+dj)/∂θ1^di ∂θ2^dj of θ1^i θ2^j at the point."""
        factor = np.ones_like(c)
        for k in range(di):
            factor = factor * (i - k)
        for k in range(dj):
            factor = factor * (j - k)
        alive = factor != 0
        px, py = np.where(alive, i - di, 0), np.where(alive, j - dj, 0)
        return float(np.sum(np.where(alive, c * factor * x**px * y**py, 0.0)))

    gradient = np.array([monomials(1, 0), monomials(0, 1)])
    mixed = monomials(1, 1)
    hessian = np.array([[monomials(2, 0), mixed], [mixed, monomials(0, 2)]])
    return monomials(0, 0), gradient, hessian


def _opt_batches(n_samples, batch_size):
    n_samples = _opt_count(n_samples, "n_samples", 1)
    batch_size = _opt_count(batch_size, "batch_size", 1)
    return n_samples, batch_size


def updates_per_epoch(n_samples, batch_size, drop_last=False):
    r"""Parameter updates (mini-batches) in one epoch.

    .. math::

        \left\lceil \frac{N}{B} \right\rceil \text{ (the last, partial batch
        counts)} \qquad \text{or} \qquad \left\lfloor \frac{N}{B} \right\rfloor
        \text{ (} \texttt{drop\_last} \text{: it is dropped)}

    Parameters
    ----------
    n_samples : int
        :math:`N \ge 1`.
    batch_size : int
        :math:`B \ge 1`.
    drop_last : bool, default False
        Whether an incomplete last batch is skipped.

    Returns
    -------
    int
    """
    n_samples, batch_size = _opt_batches(n_samples, batch_size)
    if drop_last:
        return n_samples // batch_size
    return -(-n_samples // batch_size)


def total_updates(n_samples, batch_size, epochs, drop_last=False):
    r"""Parameter updates over ``epochs`` epochs: :math:`E` times
    :func:`updates_per_epoch` (each epoch starts its batches afresh, so the
    rounding happens once per epoch, not once over all the samples seen).

    Parameters
    ----------
    n_samples, batch_size : int
        :math:`N, B \ge 1`.
    epochs : int
        :math:`E \ge 0`.
    drop_last : bool, default False

    Returns
    -------
    int
    """
    epochs = _opt_count(epochs, "epochs", 0)
    return epochs * updates_per_epoch(n_samples, batch_size, drop_last)


def last_batch_size(n_samples, batch_size, drop_last=False):
    r"""Samples in the last batch that is used in an epoch.

    .. math:: N - \left(\left\lceil N / B \right\rceil - 1\right) B

    that is :math:`N \bmod B`, or :math:`B` when :math:`B` divides :math:`N`.
    With ``drop_last`` every batch used is full: :math:`B`, or 0 when
    :math:`N < B` leaves no batch at all.

    Parameters
    ----------
    n_samples, batch_size : int
        :math:`N, B \ge 1`.
    drop_last : bool, default False

    Returns
    -------
    int
    """
    n_samples, batch_size = _opt_batches(n_samples, batch_size)
    if drop_last:
        return batch_size if n_samples >= batch_size else 0
    return n_samples - (updates_per_epoch(n_samples, batch_size) - 1) * batch_size
