r"""How far a random network's output is from Gaussian: the excess kurtosis, measured and exact.

* :func:`excess_kurtosis` measures it (about zero, since network outputs are centred),
  with :func:`excess_kurtosis_se`, its delta-method standard error;
* :func:`relu_excess_kurtosis` is its exact value for a ReLU network at one input:
  :math:`3[(1 + 5/n)^L - 1]` without biases, and a two-moment recursion with biases or
  unequal widths (book: ``thm-relu-kurtosis``).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from learntheory._core import check_int, check_points, check_positive
from learntheory.ntk.config import layer_widths

__all__ = ["excess_kurtosis", "excess_kurtosis_se", "relu_excess_kurtosis"]


def excess_kurtosis(samples: torch.Tensor) -> torch.Tensor:
    r"""Excess kurtosis about zero, :math:`\overline{f^4} / (\overline{f^2})^2 - 3`, per column.

    Parameters
    ----------
    samples : torch.Tensor, shape (S,) or (S, k)
        Draws of centred variables (network outputs, whose mean is exactly 0),
        one row per draw.

    Returns
    -------
    torch.Tensor, shape () or (k,)
        Same device and dtype as ``samples``; zero for a Gaussian, up to Monte
        Carlo error of about :math:`\sqrt{24/S}`.

    Notes
    -----
    The moments are taken about 0, not about the sample mean, because the
    outputs of a random network are exactly centred; book: ``fig-nngp-kurtosis``.
    """
    owner = "excess_kurtosis"
    ndim = samples.dim() if isinstance(samples, torch.Tensor) and samples.dim() == 1 else 2
    f = check_points(samples, "samples", owner=owner, ndim=ndim)
    if f.shape[0] < 2:
        raise ValueError("The 'samples' parameter of excess_kurtosis must hold at least 2 "
                         f"draws. Got shape {tuple(f.shape)}.")
    m2 = (f**2).mean(dim=0)
    return (f**4).mean(dim=0) / m2**2 - 3.0


def excess_kurtosis_se(samples: torch.Tensor) -> torch.Tensor:
    r"""Delta-method standard error of :func:`excess_kurtosis`, per column.

    Parameters
    ----------
    samples : torch.Tensor, shape (S,) or (S, k)
        Independent draws, one row per draw.

    Returns
    -------
    torch.Tensor, shape () or (k,)
        :math:`\mathrm{sd}(u)/\sqrt S` with the influence function
        :math:`u = (f^4 - m_4)/m_2^2 - 2m_4(f^2 - m_2)/m_2^3` of
        :math:`\hat\kappa = m_4/m_2^2 - 3` (:math:`m_p` the sample moments about 0).
        For a Gaussian it is :math:`\sqrt{24/S}`; heavy tails make it larger, which is
        why it is estimated from the draws and not taken from the Gaussian value.

    Notes
    -----
    First-order (CLT) error of a smooth function of two sample means; it needs
    :math:`\mathbb E f^8 < \infty`, true for network outputs. Book: ``fig-nngp-kurtosis``.
    """
    owner = "excess_kurtosis_se"
    ndim = samples.dim() if isinstance(samples, torch.Tensor) and samples.dim() == 1 else 2
    f = check_points(samples, "samples", owner=owner, ndim=ndim)
    if f.shape[0] < 2:
        raise ValueError("The 'samples' parameter of excess_kurtosis_se must hold at least 2 "
                         f"draws. Got shape {tuple(f.shape)}.")
    f2, f4 = f**2, f**4
    m2, m4 = f2.mean(dim=0), f4.mean(dim=0)
    u = (f4 - m4) / m2**2 - 2 * m4 * (f2 - m2) / m2**3
    return u.std(dim=0) / f.shape[0] ** 0.5


def relu_excess_kurtosis(
    width: int | Sequence[int],
    depth: int,
    *,
    sigma_w: float = 2.0**0.5,
    sigma_b: float = 0.0,
    input_variance: float = 1.0,
) -> float:
    r"""Exact excess kurtosis of the output of a ReLU MLP at one input.

    Parameters
    ----------
    width : int or sequence of int
        Hidden width n (all hidden layers), or the L widths :math:`n_1..n_L`.
    depth : int
        Number of hidden layers L.
    sigma_w, sigma_b : float
        Weight and bias scales (NTK or standard parameterization: same law).
    input_variance : float
        :math:`\Sigma^1(x, x) = \sigma_w^2\lvert x\rvert^2/d + \sigma_b^2`. Without biases
        the result depends on neither it nor ``sigma_w``.

    Returns
    -------
    float
        :math:`\kappa = 3\,(m_2^{L}/(m_1^{L})^2 - 1)` from the recursion
        :math:`m_1^\ell = \mu m_1^{\ell-1} + \sigma_b^2`,
        :math:`m_2^\ell = \mu^2(1 + 5/n_\ell)\,m_2^{\ell-1} + 2\sigma_b^2\mu\,m_1^{\ell-1}
        + \sigma_b^4`, :math:`\mu = \sigma_w^2/2`, started at
        :math:`m_1^0 = \Sigma^1(x,x)`, :math:`m_2^0 = (m_1^0)^2`. Without biases,
        :math:`\kappa = 3[\prod_\ell(1 + 5/n_\ell) - 1]`, which for equal widths is
        :math:`3[(1 + 5/n)^L - 1] = 15L/n + O(L^2/n^2)`.

    Notes
    -----
    Given the layer below, the pre-activations of layer :math:`\ell` are i.i.d.
    :math:`\mathcal N(0, q^{\ell-1})`, so :math:`q^\ell = q^{\ell-1}\chi_\ell + \sigma_b^2`
    with :math:`\chi_\ell = \tfrac{\sigma_w^2}{n_\ell}\sum_j\mathrm{relu}(z_j)^2`
    independent of :math:`q^{\ell-1}`, :math:`\mathbb E\chi_\ell = \mu`,
    :math:`\mathbb E\chi_\ell^2 = \mu^2(1 + 5/n_\ell)`; the output is
    :math:`\mathcal N(0, q^L)` given :math:`q^L`, so :math:`\mathbb Ef^4 = 3\,\mathbb E(q^L)^2`.
    The :math:`O(L/n)` order agrees with [Roberts2022]; book: ``thm-relu-kurtosis``.

    Examples
    --------
    >>> import learntheory as lt
    >>> lt.ntk.relu_excess_kurtosis(10, 1)  # 15 / n
    1.5
    """
    owner = "relu_excess_kurtosis"
    L = check_int(depth, "depth", owner=owner, minimum=0)
    widths = layer_widths(width, L, owner)
    sw = check_positive(sigma_w, "sigma_w", owner=owner)
    sb = check_positive(sigma_b, "sigma_b", owner=owner, allow_zero=True)
    m1 = check_positive(input_variance, "input_variance", owner=owner)
    m2, mu, b2 = m1 * m1, sw * sw / 2, sb * sb
    for n in widths:
        m1, m2 = mu * m1 + b2, mu * mu * (1 + 5 / n) * m2 + 2 * b2 * mu * m1 + b2 * b2
    return 3.0 * (m2 / m1**2 - 1.0)
