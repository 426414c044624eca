r"""The Gaussian kernel density estimator, computed in log space.

For data :math:`y_1, \dots, y_n \in \mathbb R^d` and a bandwidth :math:`h`,

.. math::
   \hat\rho_h(x) = \frac1n \sum_{i=1}^n \mathcal N(x; y_i, h^2 I_d)
   = \frac{1}{n (2\pi h^2)^{d/2}} \sum_{i=1}^n e^{-\lVert x - y_i\rVert^2 / 2h^2} .

When :math:`d` is large and :math:`h` is :math:`O(1)` every term can underflow
(:math:`\lVert x-y\rVert^2/2h^2 \sim d/2h^2 \gg 745`), so the estimator is only ever
formed as a log-sum-exp, streamed over chunks of the data with a running
log-sum-exp (``logaddexp`` of the chunk results, i.e. a running maximum), so that
:math:`n = 10^6` points never need an :math:`(m, n)` matrix. The squared distances
come from one matrix product (the Gram trick).

The normalised weights :math:`w_i = e^{-\lVert x-y_i\rVert^2/2h^2} / \sum_j (\cdot)`
say how many data points carry the estimate at :math:`x`
(:func:`weight_statistics`): the participation ratio :math:`Y_2 = \sum_i w_i^2`, the
largest weight and the effective number of points :math:`1/Y_2`
([BiroliMezard2024]).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from learntheory._core import (
    check_choice,
    check_int,
    check_points,
    check_positive,
    check_same_device,
)
from learntheory.kde.sampling import sample_kde

__all__ = [
    "BANDWIDTH_RULES",
    "GaussianKDE",
    "WeightStatistics",
    "log_density",
    "scott_bandwidth",
    "silverman_bandwidth",
    "weight_statistics",
]

#: Queries per block, and (query, data) pairs per block when ``chunk_size`` is None: 2^20
#: (8 MiB in float64). Best of 4 on a loaded 2-core CPU (m = 1e3, n = 1e5, d = 64, float64):
#: 1024 data points per block 0.875 s, 256: 0.96 s, 8192: 1.06 s; 4x larger blocks (2^22)
#: were several times slower (the clamp/max/exp/sum passes fall out of cache).
_QUERY_BLOCK = 1024
_BLOCK_ELEMENTS = 1 << 20


def _validate(x, data, bandwidth, chunk_size, owner: str):
    check_points(data, "data", owner=owner)
    check_points(x, "x", owner=owner, features=data.shape[1])
    check_same_device(owner, x=x, data=data)
    h = check_positive(bandwidth, "bandwidth", owner=owner)
    if chunk_size is not None:
        chunk_size = check_int(chunk_size, "chunk_size", owner=owner, minimum=1)
    return h, chunk_size


def _log_normaliser(n: int, d: int, h: float) -> float:
    """log of 1 / (n (2 pi h^2)^{d/2}): the constant in front of the kernel sum."""
    return -math.log(n) - 0.5 * d * math.log(2.0 * math.pi * h * h)


def _streamed_log_weights(
    x: torch.Tensor, data: torch.Tensor, h: float, chunk_size: int | None, squares: bool
) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor]:
    r"""Stream over (query, data) blocks of ``s_ij = -|x_i - y_j|^2/2h^2 + |x_i|^2/2h^2``.

    Returns ``(LSE_j s_ij, LSE_j 2 s_ij or None, max_j s_ij)`` per query, each block
    merged into running values with ``logaddexp`` (equivalently a running maximum).
    The per-row constant :math:`|x_i|^2/2h^2` is added back by the caller (it cancels
    in normalised weights), so a block is one fused GEMM
    ``addmm(-|y|^2/2h^2, x, y^T, alpha=1/h^2)``, a clamp enforcing
    :math:`|x-y|^2 \ge 0` (``s_ij <= |x_i|^2/2h^2``), then in-place max, shift, exp, sum.
    """
    inv = 1.0 / (h * h)
    half_x2 = (x * x).sum(1, keepdim=True).mul_(0.5 * inv)  # (m, 1)
    bias = (data * data).sum(1).mul_(-0.5 * inv).unsqueeze(0)  # (1, n)
    m, n = x.shape[0], data.shape[0]
    qstep = min(m, _QUERY_BLOCK)
    step = chunk_size if chunk_size is not None else max(64, _BLOCK_ELEMENTS // qstep)
    lse1, lse2, top = [], [], []
    for q0 in range(0, m, qstep):
        xq, cap = x[q0:q0 + qstep], half_x2[q0:q0 + qstep]
        running = None
        for start in range(0, n, step):
            s = torch.addmm(bias[:, start:start + step], xq, data[start:start + step].mT,
                            alpha=inv)
            torch.minimum(s, cap, out=s)
            running = _merge(running, _reduce_block_(s, squares))
        lse1.append(running[0])
        lse2.append(running[1])
        top.append(running[2])
    return torch.cat(lse1), torch.cat(lse2) if squares else None, torch.cat(top)


def _reduce_block_(s: torch.Tensor, squares: bool):
    """``(LSE_j s_ij, LSE_j 2 s_ij or None, max_j s_ij)`` of a block of log-weights, which it
    overwrites (in-place shift and exp keep the block in cache)."""
    mx = s.amax(1, keepdim=True)
    e = s.sub_(mx).exp_()
    mx = mx.squeeze(1)
    b1 = e.sum(1).log_().add_(mx)
    b2 = e.square_().sum(1).log_().add_(mx, alpha=2.0) if squares else None
    return b1, b2, mx


def _merge(running, block):
    """Merge two partial reductions of :func:`_reduce_block_` (a running log-sum-exp)."""
    if running is None:
        return block
    b2 = torch.logaddexp(running[1], block[1]) if block[1] is not None else None
    return torch.logaddexp(running[0], block[0]), b2, torch.maximum(running[2], block[2])


def _weights_summary(lse1: torch.Tensor, lse2: torch.Tensor, top: torch.Tensor):
    r""":math:`Y_2 = e^{\operatorname{LSE}(2s) - 2\operatorname{LSE}(s)}` and
    :math:`\max_i w_i = e^{\max_i s_i - \operatorname{LSE}(s)}` from the reductions."""
    return torch.exp(lse2 - 2.0 * lse1), torch.exp(top - lse1)


def log_density(
    x: torch.Tensor, data: torch.Tensor, *, bandwidth: float, chunk_size: int | None = None
) -> torch.Tensor:
    r"""Log of the Gaussian KDE, :math:`\log \frac1n\sum_i \mathcal N(x; y_i, h^2 I)`.

    Parameters
    ----------
    x : torch.Tensor, shape (m, d)
        Query points.
    data : torch.Tensor, shape (n, d)
        The sample :math:`y_1, \dots, y_n`; same device and dtype as ``x``.
    bandwidth : float
        :math:`h > 0`, the standard deviation of each Gaussian bump (per coordinate).
    chunk_size : int, optional
        Data points per block (queries go 1024 at a time); ``None`` picks blocks of
        about :math:`2^{20}` (query, data) pairs. The result does not depend on it beyond rounding.

    Returns
    -------
    torch.Tensor, shape (m,)
        :math:`\log\hat\rho_h(x)` on the inputs' device, in their dtype; finite even
        where :math:`\hat\rho_h(x)` itself underflows to 0.

    Raises
    ------
    TypeError, ValueError
        Naming 'x' or 'data' (not a floating tensor, not (n, d), empty, NaN/inf,
        feature dimensions or devices that differ), 'bandwidth' (not > 0) or
        'chunk_size' (not an int >= 1).

    Notes
    -----
    :math:`\log\hat\rho_h(x) = \operatorname{LSE}_i(-\lVert x-y_i\rVert^2/2h^2) - \ln n
    - \tfrac d2 \ln(2\pi h^2)`, the log-sum-exp taken chunk by chunk and merged with
    ``logaddexp``. The squared distances use the Gram trick
    :math:`\lVert x\rVert^2 + \lVert y\rVert^2 - 2x\cdot y`, clamped at 0. Its rounding
    error is absolute, about :math:`\varepsilon(\lVert x\rVert^2 + \lVert y\rVert^2)`
    (at most :math:`\sim 2(d+2)\varepsilon(\lVert x\rVert^2+\lVert y\rVert^2)` by the
    standard dot-product bound), so the error in each exponent is
    :math:`\sim \varepsilon(\lVert x\rVert^2+\lVert y\rVert^2)/2h^2`. Since the
    log-sum-exp is 1-Lipschitz in the sup norm of its arguments, that is also the
    absolute error of :math:`\log\hat\rho_h`. Deep in the condensed regime
    (:math:`h \to 0`, :math:`d` large) it grows like :math:`\varepsilon d/h^2`, but so
    does :math:`\lvert\log\hat\rho_h\rvert \approx D_{\min} d / 2h^2`: the *relative*
    error stays :math:`O(\varepsilon)` for centred data. Data far from the origin lose
    accuracy (centre them first); float32 gives ``eps = 1.2e-7`` in place of ``2.2e-16``.

    Examples
    --------
    >>> import torch, learntheory as lt
    >>> y = torch.zeros(1, 2, dtype=torch.float64)
    >>> x = torch.zeros(1, 2, dtype=torch.float64)
    >>> round(float(lt.kde.log_density(x, y, bandwidth=1.0)), 12)  # log N(0; 0, I_2)
    -1.837877066409
    """
    owner = "log_density"
    h, chunk_size = _validate(x, data, bandwidth, chunk_size, owner)
    total, _, _ = _streamed_log_weights(x, data, h, chunk_size, squares=False)
    half_x2 = (x * x).sum(1).mul_(0.5 / (h * h))
    return total - half_x2 + _log_normaliser(data.shape[0], data.shape[1], h)


@dataclass(frozen=True)
class WeightStatistics:
    r"""How many data points carry the KDE at each query point.

    Attributes
    ----------
    participation_ratio : torch.Tensor, shape (m,)
        :math:`Y_2 = \sum_i w_i^2 = \sum_i k_i^2 / (\sum_i k_i)^2`, in
        :math:`[1/n, 1]` (1: one point carries everything).
    max_weight : torch.Tensor, shape (m,)
        :math:`\max_i w_i`, the largest normalised weight.
    effective_number : torch.Tensor, shape (m,)
        :math:`1/Y_2`, the effective number of contributing points.
    log_density : torch.Tensor, shape (m,)
        :math:`\log\hat\rho_h(x)` from the same weights (as :func:`log_density`).
    bandwidth : float
    """

    participation_ratio: torch.Tensor
    max_weight: torch.Tensor
    effective_number: torch.Tensor
    log_density: torch.Tensor
    bandwidth: float


def weight_statistics(
    x: torch.Tensor, data: torch.Tensor, *, bandwidth: float, chunk_size: int | None = None
) -> WeightStatistics:
    r"""Participation ratio, largest weight and effective number of points of the KDE.

    Parameters
    ----------
    x : torch.Tensor, shape (m, d)
        Query points.
    data : torch.Tensor, shape (n, d)
        The sample; same device and dtype as ``x``.
    bandwidth : float
        :math:`h > 0`.
    chunk_size : int, optional
        Data points per block (as in :func:`log_density`).

    Returns
    -------
    WeightStatistics
        Per query point, all from the same log-space weights.

    Raises
    ------
    TypeError, ValueError
        As :func:`log_density` (naming 'x', 'data', 'bandwidth', 'chunk_size').

    Notes
    -----
    With :math:`s_i = -\lVert x-y_i\rVert^2/2h^2` (up to a per-query constant that
    cancels), :math:`Y_2 = \exp(\operatorname{LSE}(2s) - 2\operatorname{LSE}(s))` and
    :math:`\max_i w_i = \exp(\max_i s_i - \operatorname{LSE}(s))`: no weight is ever
    formed outside log space. Below the glass bandwidth :math:`h_G(\alpha)` the
    weights are condensed and :math:`\mathbb E Y_2 \to 1 - (h/h_G)^2` (derived from
    the Random-Energy-Model mapping of [BiroliMezard2024];
    :func:`learntheory.kde.regimes.glass_bandwidth`).

    Examples
    --------
    >>> import torch, learntheory as lt
    >>> y = torch.tensor([[0.0], [0.0]], dtype=torch.float64)
    >>> st = lt.kde.weight_statistics(torch.zeros(1, 1, dtype=torch.float64), y, bandwidth=1.0)
    >>> float(st.participation_ratio[0]), float(st.effective_number[0])
    (0.5, 2.0)
    """
    owner = "weight_statistics"
    h, chunk_size = _validate(x, data, bandwidth, chunk_size, owner)
    lse1, lse2, top = _streamed_log_weights(x, data, h, chunk_size, squares=True)
    y2, wmax = _weights_summary(lse1, lse2, top)
    half_x2 = (x * x).sum(1).mul_(0.5 / (h * h))
    logp = lse1 - half_x2 + _log_normaliser(data.shape[0], data.shape[1], h)
    return WeightStatistics(participation_ratio=y2, max_weight=wmax, effective_number=1.0 / y2,
                            log_density=logp, bandwidth=h)


def scott_bandwidth(n: int, d: int) -> float:
    r"""Scott's rule for unit-variance data: :math:`h = n^{-1/(d+4)}`.

    Parameters
    ----------
    n, d : int
        Sample size and dimension (>= 1).

    Returns
    -------
    float

    Notes
    -----
    The normal-reference rule of [Scott1992], in the form used by ``scipy.stats.gaussian_kde``
    (``scotts_factor``), for data of unit variance per coordinate; for data of
    standard deviation :math:`\sigma` multiply by :math:`\sigma`. With
    :math:`n = e^{\alpha d}` it tends to :math:`e^{-\alpha}` as :math:`d\to\infty`,
    inside the condensed regime :math:`h < h_G(\alpha)` ([BiroliMezard2024]).

    Examples
    --------
    >>> import learntheory as lt
    >>> lt.kde.scott_bandwidth(10**4, 4) == 10 ** (-0.5)
    True
    """
    n = check_int(n, "n", owner="scott_bandwidth")
    d = check_int(d, "d", owner="scott_bandwidth")
    return float(n ** (-1.0 / (d + 4)))


def silverman_bandwidth(n: int, d: int) -> float:
    r"""Silverman's rule for unit-variance data: :math:`h = (n (d+2)/4)^{-1/(d+4)}`.

    Parameters
    ----------
    n, d : int
        Sample size and dimension (>= 1).

    Returns
    -------
    float

    Notes
    -----
    The normal-reference rule of [Silverman1986], in the form used by
    ``scipy.stats.gaussian_kde`` (``silverman_factor``), for unit variance per
    coordinate.

    Examples
    --------
    >>> import learntheory as lt
    >>> round(lt.kde.silverman_bandwidth(100, 1), 6) == round(75 ** (-0.2), 6)
    True
    """
    n = check_int(n, "n", owner="silverman_bandwidth")
    d = check_int(d, "d", owner="silverman_bandwidth")
    return float((n * (d + 2) / 4.0) ** (-1.0 / (d + 4)))


#: Bandwidth rules accepted by :class:`GaussianKDE` (unit-variance data).
BANDWIDTH_RULES = {"scott": scott_bandwidth, "silverman": silverman_bandwidth}


class GaussianKDE:
    r"""Gaussian kernel density estimator, scikit-learn style, over :func:`log_density`.

    Parameters
    ----------
    bandwidth : float or {"scott", "silverman"}
        :math:`h > 0`, or a rule applied to the fitted ``(n, d)`` assuming unit
        variance per coordinate (:func:`scott_bandwidth`, :func:`silverman_bandwidth`).
    chunk_size : int, optional
        Passed to :func:`log_density`.

    Attributes
    ----------
    data_ : torch.Tensor, shape (n, d)
        The fitted sample.
    bandwidth_ : float
        The bandwidth in use.

    Examples
    --------
    >>> import torch, learntheory as lt
    >>> kde = lt.kde.GaussianKDE(bandwidth=1.0).fit(torch.zeros(3, 2, dtype=torch.float64))
    >>> round(float(kde.score_samples(torch.zeros(1, 2, dtype=torch.float64))[0]), 12)
    -1.837877066409
    """

    def __init__(self, bandwidth: float | str = "scott", *, chunk_size: int | None = None):
        owner = "GaussianKDE"
        if isinstance(bandwidth, str):
            check_choice(bandwidth, "bandwidth", BANDWIDTH_RULES, owner=owner)
        else:
            check_positive(bandwidth, "bandwidth", owner=owner)
        if chunk_size is not None:
            check_int(chunk_size, "chunk_size", owner=owner, minimum=1)
        self.bandwidth = bandwidth
        self.chunk_size = chunk_size

    def fit(self, data: torch.Tensor) -> GaussianKDE:
        """Store the sample and resolve the bandwidth; returns ``self``."""
        check_points(data, "data", owner="GaussianKDE.fit")
        self.data_ = data
        if isinstance(self.bandwidth, str):
            self.bandwidth_ = BANDWIDTH_RULES[self.bandwidth](data.shape[0], data.shape[1])
        else:
            self.bandwidth_ = float(self.bandwidth)
        return self

    def _check_fitted(self, owner: str) -> None:
        if not hasattr(self, "data_"):
            raise ValueError(f"This GaussianKDE is not fitted yet; call fit(data) before {owner}.")

    def score_samples(self, x: torch.Tensor) -> torch.Tensor:
        """Log-density at ``x`` (m, d), shape (m,)."""
        self._check_fitted("score_samples")
        return log_density(x, self.data_, bandwidth=self.bandwidth_, chunk_size=self.chunk_size)

    def sample(self, n: int, *, generator: torch.Generator | None = None) -> torch.Tensor:
        r"""Draw ``n`` points from :math:`\hat\rho_h`: a uniform data point plus
        :math:`h\,\mathcal N(0, I)`; on the data's device, in its dtype.
        The generator must live on the data's device."""
        self._check_fitted("sample")
        return sample_kde(self.data_, n, bandwidth=self.bandwidth_, generator=generator)
