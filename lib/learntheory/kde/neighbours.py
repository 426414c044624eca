r"""Which data points carry the estimate: normalised kernel weights and the regime.

At a query point :math:`x` the Gaussian KDE is an average of kernel values
:math:`k_i = \mathcal N(x; y_i, h^2 I)`; its normalised weights
:math:`w_i = k_i / \sum_j k_j` say how many points carry it. Below the glass
bandwidth :math:`h_G(\alpha)` a handful of nearest points take almost all the weight
(the condensed regime); between :math:`h_G` and :math:`h_{CLT} = \sqrt2\,h_G` the
estimate is heavy-tailed; above :math:`h_{CLT}` it is a Gaussian average
([BiroliMezard2024], derived through the REM mapping; book: ``kde-regimes``).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from learntheory._core import check_pair, check_positive, make_generator, resolve_factory
from learntheory.kde.regimes import clt_bandwidth, effective_alpha, glass_bandwidth
from learntheory.kde.simulation import sample_size
from learntheory.kernels import squared_distances

__all__ = ["REGIMES", "NearestWeights", "kde_regime", "kernel_weights", "nearest_weights"]

#: The three regimes, by increasing bandwidth.
REGIMES = ("condensed", "heavy-tailed", "CLT")


def kde_regime(bandwidth: float, alpha: float) -> str:
    r"""The regime of bandwidth :math:`h` at entropy :math:`\alpha`: below :math:`h_G`,
    between :math:`h_G` and :math:`h_{CLT}`, or above :math:`h_{CLT}`.

    Examples
    --------
    >>> import learntheory as lt
    >>> [lt.kde.kde_regime(h, 0.3) for h in (0.5, 1.0, 1.5)]
    ['condensed', 'heavy-tailed', 'CLT']
    """
    h = check_positive(bandwidth, "bandwidth", owner="kde_regime")
    a = check_positive(alpha, "alpha", owner="kde_regime")
    if h < float(glass_bandwidth(a)):
        return REGIMES[0]
    return REGIMES[1] if h < float(clt_bandwidth(a)) else REGIMES[2]


def kernel_weights(x: torch.Tensor, data: torch.Tensor, *, bandwidth: float) -> torch.Tensor:
    r"""Normalised weights :math:`w_{ij} = k(x_i, y_j) / \sum_l k(x_i, y_l)` of each query.

    Parameters
    ----------
    x : torch.Tensor, shape (m, d)
    data : torch.Tensor, shape (n, d)
    bandwidth : float
        :math:`h > 0`.

    Returns
    -------
    torch.Tensor, shape (m, n)
        Rows sum to 1; computed in log space (a softmax of
        :math:`-\lVert x_i - y_j\rVert^2/2h^2`), so no row underflows to 0/0.

    Notes
    -----
    The same weights whose statistics :func:`~learntheory.kde.weight_statistics`
    streams; here the whole matrix, for small problems and pictures.
    """
    x, data = check_pair(x, data, "kernel_weights")
    h = check_positive(bandwidth, "bandwidth", owner="kernel_weights")
    return torch.softmax(-squared_distances(x, data) / (2 * h * h), dim=1)


@dataclass(frozen=True)
class NearestWeights:
    r"""The KDE's weights at one test point of one simulated dataset.

    Attributes
    ----------
    alpha, d, n, bandwidth : the setting (:math:`n = e^{\alpha d}` rounded)
    alpha_eff : float
        :math:`\alpha - \ln d / 2d`, the finite-:math:`d` entropy the thresholds use.
    glass, clt : float
        :math:`h_G(\alpha_{\rm eff})` and :math:`h_{CLT}(\alpha_{\rm eff})`.
    regime : str
        :func:`kde_regime` of the bandwidth at :math:`\alpha_{\rm eff}`.
    weights : torch.Tensor, shape (n,)
        Normalised weights of the data points (sum 1, data order).
    participation_ratio : float
        :math:`Y_2 = \sum_i w_i^2`.
    """

    alpha: float
    d: int
    n: int
    bandwidth: float
    alpha_eff: float
    glass: float
    clt: float
    regime: str
    weights: torch.Tensor
    participation_ratio: float


def nearest_weights(
    alpha: float,
    d: int,
    bandwidth: float,
    *,
    device: torch.device | str | None = None,
    dtype: torch.dtype | None = None,
    generator: torch.Generator | None = None,
) -> NearestWeights:
    r"""Draw :math:`n = e^{\alpha d}` points from :math:`\mathcal N(0, I_d)` and one test
    point (in that order, from ``generator``); return the KDE's weights at the test point.

    Returns
    -------
    NearestWeights
    """
    owner = "nearest_weights"
    n = sample_size(alpha, d)
    h = check_positive(bandwidth, "bandwidth", owner=owner)
    device, dtype = resolve_factory(device, dtype, generator)
    gen = generator if generator is not None else make_generator(0, device)
    data = torch.randn(n, d, device=device, dtype=dtype, generator=gen)
    x = torch.randn(1, d, device=device, dtype=dtype, generator=gen)
    w = kernel_weights(x, data, bandwidth=h)[0]
    a_eff = float(effective_alpha(alpha, d))
    if a_eff <= 0:
        raise ValueError(f"The 'd' parameter of {owner} must leave alpha_eff = alpha - ln d/2d "
                         f"> 0. Got d={d} with alpha={alpha} (alpha_eff = {a_eff:.3g}).")
    return NearestWeights(float(alpha), d, n, h, a_eff, float(glass_bandwidth(a_eff)),
                          float(clt_bandwidth(a_eff)), kde_regime(h, a_eff), w,
                          float((w * w).sum()))
