"""The GAN objective: the discriminator's and the generator's losses on a
minibatch, and the optimal discriminator for fixed densities.

Logarithms are natural. ``d_real`` holds the discriminator's outputs
:math:`D(x^{(i)})` on real samples, ``d_fake`` its outputs
:math:`D(G(z^{(i)}))` on generated ones: probabilities that the input is real.
"""

import numpy as np

GAN_GENERATOR_FORMS = ("minimax", "non-saturating")


def _gan_outputs(values, name):
    """Discriminator outputs as a non-empty 1-D float array in [0, 1]."""
    try:
        array = np.atleast_1d(np.asarray(values, dtype=float))
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers, got {values!r}") from None
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {array.shape}")
    if not np.all(np.isfinite(array)) or np.any(array < 0) or np.any(array > 1):
        raise ValueError(f"{name} must be probabilities in [0, 1], got {array.tolist()}")
    return array


def _gan_mean_log(values):
    """The mean of ln(values), −inf when a value is 0 (no warning)."""
    with np.errstate(divide="ignore"):
        return float(np.mean(np.log(values)))


def gan_losses(d_real, d_fake, generator="non-saturating"):
    r"""The discriminator's loss and the generator's loss on one minibatch.

    The discriminator minimises the cross-entropy of telling real (label 1)
    from generated (label 0):

    .. math::

        L_D = -\frac{1}{m} \sum_{i=1}^{m} \ln D(x^{(i)})
              - \frac{1}{n} \sum_{i=1}^{n} \ln\left(1 - D(G(z^{(i)}))\right)

    (with m = n, the usual :math:`-\frac{1}{m}\sum_i [\ln D(x^{(i)}) +
    \ln(1 - D(G(z^{(i)})))]`). The generator sees no real sample; it minimises

    .. math::

        L_G^{\text{minimax}} = \frac{1}{n} \sum_{i=1}^{n} \ln\left(1 - D(G(z^{(i)}))\right)
        \qquad\text{or}\qquad
        L_G^{\text{non-saturating}} = -\frac{1}{n} \sum_{i=1}^{n} \ln D(G(z^{(i)}))

    The minimax form is the game's value with the real term dropped; its
    gradient vanishes when D rejects the fakes confidently (early training),
    so the non-saturating form is the one used in practice. Both push
    :math:`D(G(z))` up.

    Parameters
    ----------
    d_real : array_like, shape (m,)
        :math:`D(x^{(i)})` on the real samples, in [0, 1].
    d_fake : array_like, shape (n,)
        :math:`D(G(z^{(i)}))` on the generated samples, in [0, 1].
    generator : {"minimax", "non-saturating"}, default "non-saturating"
        Which generator loss to return.

    Returns
    -------
    d_loss, g_loss : float
        Each a mean over its batch, natural log. An output of exactly 0 or 1
        where its log is taken gives an infinite loss (+inf for ``d_loss`` and the
        non-saturating ``g_loss``, -inf for the minimax ``g_loss``).
    """
    if generator not in GAN_GENERATOR_FORMS:
        raise ValueError(
            f"generator must be one of {', '.join(GAN_GENERATOR_FORMS)}, got {generator!r}"
        )
    d_real = _gan_outputs(d_real, "d_real")
    d_fake = _gan_outputs(d_fake, "d_fake")
    fake_rejected = _gan_mean_log(1.0 - d_fake)
    d_loss = -_gan_mean_log(d_real) - fake_rejected
    g_loss = fake_rejected if generator == "minimax" else -_gan_mean_log(d_fake)
    return d_loss, g_loss


def optimal_discriminator(p_data, p_g):
    r"""The discriminator that maximises the GAN value for a fixed generator.

    For each x, :math:`V(D) = p_{\text{data}}(x) \ln D(x) + p_g(x) \ln(1 - D(x))`
    is maximised by

    .. math:: D^*(x) = \frac{p_{\text{data}}(x)}{p_{\text{data}}(x) + p_g(x)}

    so :math:`D^* = 1/2` wherever :math:`p_g = p_{\text{data}}`: at the global
    optimum the discriminator cannot tell real from generated.

    Parameters
    ----------
    p_data, p_g : float or array_like of one shape (or broadcastable)
        The densities of the data and of the generator at the same points:
        non-negative and finite, never both zero at a point.

    Returns
    -------
    float or ndarray
        A float for scalar inputs, else an array of the broadcast shape, in [0, 1].
    """
    try:
        p_data = np.asarray(p_data, dtype=float)
        p_g = np.asarray(p_g, dtype=float)
        p_data, p_g = np.broadcast_arrays(p_data, p_g)
    except (TypeError, ValueError):
        raise ValueError("p_data and p_g must be numbers of compatible shapes") from None
    for name, p in (("p_data", p_data), ("p_g", p_g)):
        if not np.all(np.isfinite(p)) or np.any(p < 0):
            raise ValueError(f"{name} must be non-negative finite densities")
    total = p_data + p_g
    if np.any(total == 0):
        raise ValueError("p_data and p_g are both zero at a point: D* is undefined there")
    optimum = p_data / total
    return float(optimum) if optimum.ndim == 0 else optimum
