r"""The bandwidth thresholds of the Gaussian KDE when :math:`n = e^{\alpha d}`.

Data :math:`y_i \sim \mathcal N(0, I_d)`, :math:`n = e^{\alpha d}` with
:math:`\alpha` fixed as :math:`d \to \infty`, and a bandwidth :math:`h` that is
*not* rescaled with :math:`d`. Through the Random-Energy-Model mapping of
[BiroliMezard2024] (energies :math:`\lVert x-y_i\rVert^2/2`, temperature
:math:`h^2`, entropy :math:`\alpha` per dimension) the points that dominate
:math:`\hat\rho_h(x)` have rarity per dimension

.. math::
   \Sigma(h) = \tfrac12\Big[\ln(1 + h^{-2}) - \frac{h^2}{(1+h^2)^2}\Big],

and the estimator has three regimes (all closed forms here are *derived* from that
mapping and checked by simulation, not quoted from the paper):

* condensed (extreme-value) for :math:`h < h_G(\alpha)`, :math:`\Sigma(h_G) = \alpha`,
  where :math:`\mathbb E Y_2 \to 1 - (h/h_G)^2`;
* heavy-tailed (stable) for :math:`h_G < h < h_{CLT} = \sqrt2\, h_G`;
* Gaussian fluctuations (CLT) for :math:`h > h_{CLT}`.

The KL-optimal bandwidth :math:`h_{KL} = \sqrt{D_{\min}(\alpha)}` lies inside the
condensed regime. At finite :math:`d` the transitions sit at
:math:`\alpha_{\rm eff} = \alpha - \ln d / 2d`.

The phase diagram on a grid of :math:`\alpha` and the simulation grid
:math:`h = r\,h_G(\alpha_{\rm eff})` are in :mod:`learntheory.kde.phase`.

Every function is vectorised: a tensor in, a tensor of the same shape out (a Python
float gives a 0-d float64 tensor, a list of floats a 1-d one).
"""

from __future__ import annotations

import math
from typing import Any

import torch

from learntheory._core import check_int

__all__ = [
    "clt_bandwidth",
    "effective_alpha",
    "glass_bandwidth",
    "kl_bandwidth",
    "kl_per_dimension",
    "min_distance",
    "rarity",
]

#: Bisection steps of :func:`glass_bandwidth`: the bracket [e^{-alpha-1/8}, 1/sqrt(2 alpha)]
#: in log h has width < alpha + 1/8 + |ln(2 alpha)|/2 + ..., halved 200 times: far below eps.
_BISECTION_STEPS = 200


def _as_positive_tensor(value: Any, name: str, owner: str) -> torch.Tensor:
    """A finite floating tensor with every entry > 0 (a Python number -> float64 0-d, a
    non-empty list or tuple of numbers -> float64 1-d)."""
    if isinstance(value, (list, tuple)) and value and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        value = torch.tensor([float(v) for v in value], dtype=torch.float64)
    if isinstance(value, bool) or not isinstance(value, (torch.Tensor, int, float)):
        raise TypeError(f"The '{name}' parameter of {owner} must be a float, a list of floats "
                        f"or a floating torch.Tensor. Got {type(value).__name__} instead.")
    if not isinstance(value, torch.Tensor):
        value = torch.tensor(float(value), dtype=torch.float64)
    if not value.is_floating_point():
        raise TypeError(f"The '{name}' parameter of {owner} must have a floating dtype. "
                        f"Got {value.dtype} instead; convert with .to(torch.float64).")
    if not bool(torch.isfinite(value).all()):
        raise ValueError(f"The '{name}' parameter of {owner} must be finite. "
                         f"Got {int((~torch.isfinite(value)).sum())} NaN or inf entries.")
    if not bool((value > 0).all()):
        raise ValueError(f"The '{name}' parameter of {owner} must be > 0. "
                         f"Got {float(value.min())!r} instead.")
    return value


def rarity(h: Any) -> torch.Tensor:
    r"""Rarity per dimension :math:`\Sigma(h)` of the points that dominate the KDE.

    Parameters
    ----------
    h : float or torch.Tensor
        Bandwidth(s) > 0.

    Returns
    -------
    torch.Tensor
        :math:`\Sigma(h) = \tfrac12[\ln(1+h^{-2}) - h^2/(1+h^2)^2]`, same shape as ``h``;
        decreasing from :math:`+\infty` (:math:`h\to0`) to 0 (:math:`h\to\infty`).

    Raises
    ------
    TypeError, ValueError
        Naming 'h' if it is not a float/floating tensor, not finite or not > 0.

    Notes
    -----
    :math:`\Sigma(h)` is the per-dimension KL divergence between the tilted law
    :math:`y \mid x \sim \mathcal N(x/(1+h^2), h^2/(1+h^2) I)` and :math:`\mathcal N(0, I)`,
    averaged over :math:`x`; derived from the REM mapping of [BiroliMezard2024]. With
    :math:`u = h^2`, :math:`d\Sigma/du = -(1+3u)/(2u(1+u)^3) < 0`.

    Examples
    --------
    >>> import math, learntheory as lt
    >>> abs(float(lt.kde.rarity(1.0)) - 0.5 * (math.log(2) - 0.25)) < 1e-15
    True
    """
    h = _as_positive_tensor(h, "h", "rarity")
    u = h * h
    return 0.5 * (torch.log1p(1.0 / u) - u / (1.0 + u) ** 2)


def glass_bandwidth(alpha: Any) -> torch.Tensor:
    r"""The glass (condensation) bandwidth :math:`h_G(\alpha)`, root of :math:`\Sigma(h)=\alpha`.

    Parameters
    ----------
    alpha : float or torch.Tensor
        :math:`\alpha = \ln n / d > 0`.

    Returns
    -------
    torch.Tensor
        :math:`h_G(\alpha)`, same shape (and dtype) as ``alpha``.

    Raises
    ------
    TypeError, ValueError
        Naming 'alpha' if it is not a float/floating tensor, not finite or not > 0.

    Notes
    -----
    A vectorised bisection on :math:`\ln h` (in float64, whatever the input dtype) over
    the bracket :math:`[e^{-\alpha-1/8}, (2\alpha)^{-1/2}]`, valid because
    :math:`\ln(1/h) - 1/8 \le \Sigma(h) \le 1/(2h^2)`; 200 halvings bring the bracket
    below one ulp, so :math:`\Sigma(h_G) = \alpha` to rounding (~1e-15 relative).
    Derived from [BiroliMezard2024].

    Examples
    --------
    >>> import learntheory as lt
    >>> round(float(lt.kde.glass_bandwidth(0.3)), 4)
    0.8677
    """
    alpha = _as_positive_tensor(alpha, "alpha", "glass_bandwidth")
    a = alpha.to(torch.float64)
    lo = -a - 0.125  # ln h with Sigma(h) >= alpha
    hi = -0.5 * torch.log(2.0 * a)  # ln h with Sigma(h) <= alpha
    lo, hi = torch.minimum(lo, hi), torch.maximum(lo, hi)
    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        u = torch.exp(2.0 * mid)
        above = 0.5 * (torch.log1p(1.0 / u) - u / (1.0 + u) ** 2) > a  # root is to the right
        lo = torch.where(above, mid, lo)
        hi = torch.where(above, hi, mid)
    return torch.exp(0.5 * (lo + hi)).to(alpha.dtype)


def clt_bandwidth(alpha: Any) -> torch.Tensor:
    r"""The CLT bandwidth :math:`h_{CLT}(\alpha) = \sqrt2\, h_G(\alpha)`.

    Above it the KDE has Gaussian fluctuations: :math:`w^2` at bandwidth :math:`h` is
    :math:`w` at :math:`h/\sqrt2`, so the variance condenses when
    :math:`\Sigma(h/\sqrt2) = \alpha` (derived; the REM's :math:`T = 2T_c`,
    [BiroliMezard2024]).

    Raises
    ------
    TypeError, ValueError
        Naming 'alpha', as :func:`glass_bandwidth`.

    Examples
    --------
    >>> import learntheory as lt
    >>> round(float(lt.kde.clt_bandwidth(0.3)), 4)
    1.2272
    """
    return math.sqrt(2.0) * glass_bandwidth(alpha)


def min_distance(alpha: Any) -> torch.Tensor:
    r""":math:`D_{\min}(\alpha) = \lim_d \min_i \lVert x - y_i\rVert^2 / d`.

    Returns
    -------
    torch.Tensor
        :math:`D_{\min} = h_G^2(1 + 2h_G^2)/(1+h_G^2)^2` with :math:`h_G = h_G(\alpha)`.

    Raises
    ------
    TypeError, ValueError
        Naming 'alpha', as :func:`glass_bandwidth`.

    Notes
    -----
    The nearest-neighbour distance per dimension, derived from the REM mapping of
    [BiroliMezard2024]; it equals the large-deviation minimum
    :math:`\min\{(1-a)^2 + b : a^2/2 + (b - 1 - \ln b)/2 \le \alpha\}`.

    Examples
    --------
    >>> import learntheory as lt
    >>> round(float(lt.kde.min_distance(0.3)), 4)
    0.614
    """
    hg = glass_bandwidth(alpha)
    u = hg * hg
    return u * (1.0 + 2.0 * u) / (1.0 + u) ** 2


def kl_bandwidth(alpha: Any) -> torch.Tensor:
    r"""The KL-optimal bandwidth :math:`h_{KL}(\alpha) = \sqrt{D_{\min}(\alpha)} < h_G(\alpha)`.

    The minimiser of :func:`kl_per_dimension` over :math:`h` (derived,
    [BiroliMezard2024]): it lies inside the condensed regime.

    Raises
    ------
    TypeError, ValueError
        Naming 'alpha', as :func:`glass_bandwidth`.

    Examples
    --------
    >>> import learntheory as lt
    >>> round(float(lt.kde.kl_bandwidth(0.5)), 4)
    0.6224
    """
    return torch.sqrt(min_distance(alpha))


def kl_per_dimension(h: Any, alpha: Any) -> torch.Tensor:
    r""":math:`\lim_d \frac1d KL(\rho \Vert \hat\rho_h)` for :math:`\rho = \mathcal N(0, I_d)`.

    Parameters
    ----------
    h : float or torch.Tensor
        Bandwidth(s) > 0.
    alpha : float or torch.Tensor
        :math:`\alpha > 0`; broadcast against ``h``.

    Returns
    -------
    torch.Tensor
        .. math::
           \frac{KL}{d} = \begin{cases}
           \tfrac12[\ln(1+h^2) + \frac1{1+h^2} - 1] & h \ge h_G(\alpha) \\
           \alpha + \tfrac12\ln h^2 + \frac{D_{\min}(\alpha)}{2h^2} - \tfrac12 & h < h_G(\alpha)
           \end{cases}

        (pure smoothing bias above :math:`h_G`; the quenched, condensed estimator below).

    Raises
    ------
    TypeError, ValueError
        Naming 'h' or 'alpha' if not a float/floating tensor, not finite or not > 0.

    Notes
    -----
    Derived from the REM mapping of [BiroliMezard2024]; the two branches agree at
    :math:`h_G` and the minimum :math:`\alpha + \tfrac12\ln D_{\min}` is reached at
    :func:`kl_bandwidth`.

    Examples
    --------
    >>> import learntheory as lt
    >>> round(float(lt.kde.kl_per_dimension(lt.kde.kl_bandwidth(0.3), 0.3)), 4)
    0.0562
    """
    h = _as_positive_tensor(h, "h", "kl_per_dimension")
    alpha = _as_positive_tensor(alpha, "alpha", "kl_per_dimension")
    h, alpha = torch.broadcast_tensors(h, alpha.to(h.dtype))
    hg = glass_bandwidth(alpha)
    dmin = min_distance(alpha)
    u = h * h
    smooth = 0.5 * (torch.log1p(u) + 1.0 / (1.0 + u) - 1.0)
    condensed = alpha + 0.5 * torch.log(u) + dmin / (2.0 * u) - 0.5
    return torch.where(h >= hg, smooth, condensed)


def effective_alpha(alpha: Any, d: int) -> torch.Tensor:
    r"""Finite-:math:`d` entropy :math:`\alpha_{\rm eff} = \alpha - \ln d / (2d)`.

    Parameters
    ----------
    alpha : float or torch.Tensor
        :math:`\alpha > 0`.
    d : int
        Dimension (>= 1).

    Returns
    -------
    torch.Tensor
        Same shape as ``alpha``. It can be <= 0 at small :math:`d`, where no
        condensed regime exists at that :math:`n`.

    Raises
    ------
    TypeError, ValueError
        Naming 'alpha' (as :func:`glass_bandwidth`) or 'd' (not an int >= 1).

    Notes
    -----
    A Bahadur-Rao prefactor :math:`d^{-1/2}` on the number of near neighbours
    (derived, [BiroliMezard2024] setting); plot simulations against
    :math:`h / h_G(\alpha_{\rm eff})`.

    Examples
    --------
    >>> import learntheory as lt
    >>> float(lt.kde.effective_alpha(0.5, 1))
    0.5
    """
    alpha = _as_positive_tensor(alpha, "alpha", "effective_alpha")
    d = check_int(d, "d", owner="effective_alpha")
    return alpha - math.log(d) / (2.0 * d)
