r"""The phase diagram of the Gaussian KDE, and bandwidth grids for simulations at finite d.

Built on the thresholds of :mod:`learntheory.kde.regimes` ([BiroliMezard2024], derived
through the REM mapping): :func:`phase_diagram` tabulates :math:`h_G`, :math:`h_{CLT}`,
:math:`h_{KL}` and Scott's limit :math:`e^{-\alpha}` on a grid of :math:`\alpha` (book:
the phase-diagram page); :func:`bandwidths_at_ratios` places bandwidths at given ratios of
:math:`h_G(\alpha_{\rm eff})`, where finite-:math:`d` simulations are compared with theory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from learntheory.kde.regimes import (
    _as_positive_tensor,
    clt_bandwidth,
    effective_alpha,
    glass_bandwidth,
    kl_bandwidth,
)

__all__ = ["PhaseDiagram", "bandwidths_at_ratios", "phase_diagram"]


@dataclass(frozen=True)
class PhaseDiagram:
    r"""The thresholds on a grid of :math:`\alpha` (what the phase-diagram figure draws).

    Attributes
    ----------
    alpha : torch.Tensor, shape (k,)
    glass, clt, kl : torch.Tensor, shape (k,)
        :math:`h_G(\alpha)`, :math:`h_{CLT}(\alpha)`, :math:`h_{KL}(\alpha)`.
    scott_limit : torch.Tensor, shape (k,)
        :math:`e^{-\alpha}`, the :math:`d\to\infty` limit of Scott's rule
        :math:`n^{-1/(d+4)}` at :math:`n = e^{\alpha d}`.
    """

    alpha: torch.Tensor
    glass: torch.Tensor
    clt: torch.Tensor
    kl: torch.Tensor
    scott_limit: torch.Tensor


def phase_diagram(alpha: Any) -> PhaseDiagram:
    r"""Thresholds :math:`h_G, h_{CLT}, h_{KL}` and Scott's limit on a grid of :math:`\alpha`.

    Parameters
    ----------
    alpha : float or torch.Tensor
        Values :math:`> 0` (flattened to 1-D).

    Returns
    -------
    PhaseDiagram

    Raises
    ------
    TypeError, ValueError
        Naming 'alpha', as :func:`glass_bandwidth`.

    Examples
    --------
    >>> import torch, learntheory as lt
    >>> pd = lt.kde.phase_diagram(torch.tensor([0.5], dtype=torch.float64))
    >>> bool(pd.scott_limit[0] < pd.kl[0] < pd.glass[0] < pd.clt[0])
    True
    """
    alpha = _as_positive_tensor(alpha, "alpha", "phase_diagram").reshape(-1)
    return PhaseDiagram(alpha=alpha, glass=glass_bandwidth(alpha), clt=clt_bandwidth(alpha),
                        kl=kl_bandwidth(alpha), scott_limit=torch.exp(-alpha))


def bandwidths_at_ratios(ratios: Any, alpha: float, d: int) -> torch.Tensor:
    r"""Bandwidths :math:`h = r\,h_G(\alpha_{\rm eff}(\alpha, d))` for ratios :math:`r`.

    The grid on which simulations at finite :math:`d` are compared with
    :math:`1 - r^2` ([BiroliMezard2024], derived).

    Parameters
    ----------
    ratios : float or torch.Tensor
        :math:`r > 0`.
    alpha : float
        :math:`\alpha > 0`.
    d : int
        Dimension; :math:`\alpha_{\rm eff} = \alpha - \ln d / 2d` must be > 0.

    Returns
    -------
    torch.Tensor
        Same shape as ``ratios``.

    Raises
    ------
    TypeError, ValueError
        Naming 'ratios', 'alpha' or 'd'; a ValueError naming 'd' when
        :math:`\alpha_{\rm eff} \le 0`.

    Examples
    --------
    >>> import learntheory as lt
    >>> h = lt.kde.bandwidths_at_ratios(1.0, 0.3, 30)
    >>> abs(float(lt.kde.rarity(h)) - float(lt.kde.effective_alpha(0.3, 30))) < 1e-12
    True
    """
    owner = "bandwidths_at_ratios"
    ratios = _as_positive_tensor(ratios, "ratios", owner)
    a_eff = effective_alpha(_as_positive_tensor(alpha, "alpha", owner), d)
    if float(a_eff) <= 0:
        raise ValueError(f"The 'd' parameter of {owner} gives alpha_eff = alpha - ln d / 2d = "
                         f"{float(a_eff):.3g} <= 0 (alpha = {float(alpha)}, d = {d}): no "
                         "condensed regime at this size.")
    return ratios * glass_bandwidth(a_eff).to(ratios.dtype)
