r"""Simulating the KDE regimes: real vectors, or the exact scalar shortcut.

Both experiments draw :math:`n = \mathrm{round}(e^{\alpha d})` data points from
:math:`\mathcal N(0, I_d)` and ``n_test`` independent test points
:math:`x \sim \mathcal N(0, I_d)`, and return, per test point and bandwidth, the
participation ratio :math:`Y_2`, the largest normalised weight and
:math:`\log\hat\rho_h(x)`, plus the nearest-neighbour squared distance
:math:`\min_i\lVert x-y_i\rVert^2`.

* :func:`simulate_kde` uses real vectors (one shared dataset, as in the paper's
  setting; each test point sees it independently of the others only through
  :math:`x`).
* :func:`simulate_kde_scalar` uses that, given :math:`x`, the squared distances are
  i.i.d. non-central :math:`\chi^2_d(\lambda)` with :math:`\lambda = \lVert x\rVert^2
  \sim \chi^2_d`: it draws :math:`\lambda`, then
  :math:`(\sqrt\lambda - z)^2 + \chi^2_{d-1}` for each data point (exact in law), with a
  fresh dataset per test point. It never forms a :math:`d`-vector, which reaches
  :math:`d = 80`, :math:`n \approx 10^7` on a CPU.

The theory to compare with ([BiroliMezard2024], derived through the REM mapping):
:math:`\mathbb E Y_2 \to 1 - (h/h_G(\alpha_{\rm eff}))^2` below :math:`h_G`
(:mod:`learntheory.kde.regimes`), approached slowly in :math:`d`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch

from learntheory._core import check_instance, check_int, check_positive, resolve_factory
from learntheory.kde.estimator import (
    _log_normaliser,
    _merge,
    _reduce_block_,
    _weights_summary,
    weight_statistics,
)
from learntheory.kde.regimes import effective_alpha, glass_bandwidth
from learntheory.kernels import squared_distances

__all__ = [
    "KDESimulation",
    "ParticipationSummary",
    "participation_summary",
    "sample_size",
    "simulate_kde",
    "simulate_kde_scalar",
]

#: Data points per block of the simulations when ``chunk_size`` is None.
_CHUNK = 1 << 18


@dataclass(frozen=True)
class KDESimulation:
    r"""Per-test-point statistics of the KDE at several bandwidths.

    Attributes
    ----------
    alpha : float
        :math:`\ln n / d` as requested (``n`` is rounded).
    d, n : int
        Dimension and sample size :math:`n = \mathrm{round}(e^{\alpha d})`.
    bandwidths : torch.Tensor, shape (k,)
    participation_ratio : torch.Tensor, shape (m, k)
        :math:`Y_2` per test point and bandwidth.
    max_weight : torch.Tensor, shape (m, k)
        :math:`\max_i w_i`.
    log_density : torch.Tensor, shape (m, k)
        :math:`\log\hat\rho_h(x)`.
    nearest_sq_distance : torch.Tensor, shape (m,)
        :math:`\min_i\lVert x-y_i\rVert^2`.
    test_sq_norm : torch.Tensor, shape (m,)
        :math:`\lVert x\rVert^2` (:math:`\lambda` of the scalar shortcut).
    method : str
        ``"direct"`` or ``"scalar"``.
    """

    alpha: float
    d: int
    n: int
    bandwidths: torch.Tensor
    participation_ratio: torch.Tensor
    max_weight: torch.Tensor
    log_density: torch.Tensor
    nearest_sq_distance: torch.Tensor
    test_sq_norm: torch.Tensor
    method: str


def sample_size(alpha: float, d: int) -> int:
    r""":math:`n = \mathrm{round}(e^{\alpha d})`, at least 1.

    Raises
    ------
    TypeError, ValueError
        Naming 'alpha' (not > 0) or 'd' (not an int >= 1).

    Examples
    --------
    >>> import learntheory as lt
    >>> lt.kde.sample_size(0.3, 40)
    162755
    """
    alpha = check_positive(alpha, "alpha", owner="sample_size")
    d = check_int(d, "d", owner="sample_size")
    return max(1, round(math.exp(alpha * d)))


def _check(alpha, d, bandwidths, n_test, chunk_size, owner):
    alpha = check_positive(alpha, "alpha", owner=owner)
    d = check_int(d, "d", owner=owner)
    n_test = check_int(n_test, "n_test", owner=owner)
    if chunk_size is not None:
        chunk_size = check_int(chunk_size, "chunk_size", owner=owner)
    if isinstance(bandwidths, (int, float)) and not isinstance(bandwidths, bool):
        bandwidths = [bandwidths]
    if isinstance(bandwidths, torch.Tensor):
        bandwidths = bandwidths.reshape(-1).tolist()
    if not isinstance(bandwidths, (list, tuple)) or len(bandwidths) == 0:
        raise TypeError(f"The 'bandwidths' parameter of {owner} must be a float, a non-empty "
                        f"list of floats or a 1-D tensor. Got {type(bandwidths).__name__} instead.")
    hs = [check_positive(h, "bandwidths", owner=owner) for h in bandwidths]
    return alpha, d, hs, n_test, chunk_size


def simulate_kde(
    alpha: float,
    d: int,
    bandwidths: Any,
    n_test: int,
    *,
    chunk_size: int | None = None,
    device: torch.device | str | None = None,
    dtype: torch.dtype | None = None,
    generator: torch.Generator | None = None,
) -> KDESimulation:
    r"""Direct simulation: real data :math:`\mathcal N(0, I_d)`, :math:`n = e^{\alpha d}`.

    Parameters
    ----------
    alpha : float
        :math:`\ln n / d > 0`.
    d : int
        Dimension.
    bandwidths : float, list of float or 1-D tensor
        The bandwidths :math:`h > 0` at which to evaluate (same data for all).
    n_test : int
        Independent test points :math:`x \sim \mathcal N(0, I_d)`.
    chunk_size : int, optional
        Data points per block (:func:`~learntheory.kde.estimator.weight_statistics`).
    device, dtype, generator
        Where and how the data are drawn (the generator's device by default).

    Returns
    -------
    KDESimulation
        ``method = "direct"``; the statistics come from
        :func:`~learntheory.kde.estimator.weight_statistics`.

    Raises
    ------
    TypeError, ValueError
        Naming 'alpha', 'd', 'bandwidths', 'n_test', 'chunk_size', 'dtype' or 'generator'.

    Examples
    --------
    >>> import learntheory as lt
    >>> sim = lt.kde.simulate_kde(0.3, 10, [0.5, 1.0], 4, generator=lt.make_generator(0))
    >>> sim.n, tuple(sim.participation_ratio.shape)
    (20, (4, 2))
    """
    owner = "simulate_kde"
    alpha, d, hs, n_test, chunk_size = _check(alpha, d, bandwidths, n_test, chunk_size, owner)
    device, dtype = resolve_factory(device, dtype, generator)
    n = sample_size(alpha, d)
    data = torch.randn(n, d, generator=generator, device=device, dtype=dtype)
    x = torch.randn(n_test, d, generator=generator, device=device, dtype=dtype)
    stats = [weight_statistics(x, data, bandwidth=h, chunk_size=chunk_size) for h in hs]
    step = chunk_size or _CHUNK
    nearest = torch.stack([squared_distances(x, data[s:s + step]).amin(1)
                           for s in range(0, n, step)]).amin(0)
    return KDESimulation(
        alpha=alpha, d=d, n=n, bandwidths=torch.tensor(hs, device=device, dtype=dtype),
        participation_ratio=torch.stack([s.participation_ratio for s in stats], 1),
        max_weight=torch.stack([s.max_weight for s in stats], 1),
        log_density=torch.stack([s.log_density for s in stats], 1),
        nearest_sq_distance=nearest, test_sq_norm=(x * x).sum(1), method="direct")


def simulate_kde_scalar(
    alpha: float,
    d: int,
    bandwidths: Any,
    n_test: int,
    *,
    chunk_size: int | None = None,
    device: torch.device | str | None = None,
    dtype: torch.dtype | None = None,
    generator: torch.Generator | None = None,
) -> KDESimulation:
    r"""The exact scalar shortcut: squared distances drawn as non-central :math:`\chi^2_d`.

    Parameters
    ----------
    alpha, d, bandwidths, n_test, chunk_size, device, dtype, generator
        As :func:`simulate_kde`; ``chunk_size`` is the number of distances drawn at a
        time per test point (default :math:`2^{18}`). Test points are drawn in groups of
        ``max(1, 2^18 // min(n, chunk_size))``: for each group and each chunk, the
        normals ``(g, c)`` then the Gamma variates ``(g, c)``.

    Returns
    -------
    KDESimulation
        ``method = "scalar"``; one fresh dataset per test point.

    Raises
    ------
    TypeError, ValueError
        As :func:`simulate_kde`.

    Notes
    -----
    For :math:`x` with :math:`\lVert x\rVert^2 = \lambda` and :math:`y \sim \mathcal N(0, I_d)`,
    rotate :math:`x` onto the first axis: :math:`\lVert x - y\rVert^2 = (\sqrt\lambda - y_1)^2
    + \sum_{k\ge2} y_k^2 \sim \chi^2_d(\lambda)` with the two parts independent, the second
    :math:`\chi^2_{d-1} = 2\,\mathrm{Gamma}((d-1)/2)`; and :math:`\lambda \sim \chi^2_d =
    2\,\mathrm{Gamma}(d/2)`. The log-weights :math:`-\lVert x-y_i\rVert^2/2h^2` are then
    reduced in log space exactly as in :func:`~learntheory.kde.estimator.weight_statistics`.

    Examples
    --------
    >>> import learntheory as lt
    >>> sim = lt.kde.simulate_kde_scalar(0.3, 10, 0.5, 3, generator=lt.make_generator(0))
    >>> sim.method, tuple(sim.log_density.shape)
    ('scalar', (3, 1))
    """
    owner = "simulate_kde_scalar"
    alpha, d, hs, n_test, chunk_size = _check(alpha, d, bandwidths, n_test, chunk_size, owner)
    device, dtype = resolve_factory(device, dtype, generator)
    n = sample_size(alpha, d)
    step = chunk_size or _CHUNK
    lam = 2.0 * torch._standard_gamma(torch.full((n_test,), d / 2.0, device=device, dtype=dtype),
                                      generator=generator)
    group = max(1, min(n_test, _CHUNK // min(n, step)))  # test points drawn together
    y2, wmax, logp, nearest = [], [], [], []
    for g0 in range(0, n_test, group):
        root = lam[g0:g0 + group].sqrt().unsqueeze(1)  # (g, 1)
        running = [None] * len(hs)
        near = None
        for start in range(0, n, step):
            shape = (root.shape[0], min(step, n - start))
            z = torch.randn(shape, generator=generator, device=device, dtype=dtype)
            dist = (root - z).square_()
            if d > 1:
                conc = torch.full(shape, (d - 1) / 2.0, device=device, dtype=dtype)
                dist.add_(torch._standard_gamma(conc, generator=generator), alpha=2.0)
            block_min = dist.amin(1)
            near = block_min if near is None else torch.minimum(near, block_min)
            for k, h in enumerate(hs):
                running[k] = _merge(running[k], _reduce_block_(dist.mul(-0.5 / (h * h)), True))
        stats = [_weights_summary(*running[k]) for k in range(len(hs))]
        y2.append(torch.stack([a for a, _ in stats], 1))
        wmax.append(torch.stack([b for _, b in stats], 1))
        logp.append(torch.stack([running[k][0] + _log_normaliser(n, d, h)
                                 for k, h in enumerate(hs)], 1))
        nearest.append(near)
    y2, wmax, logp, nearest = (torch.cat(t) for t in (y2, wmax, logp, nearest))
    return KDESimulation(
        alpha=alpha, d=d, n=n, bandwidths=torch.tensor(hs, device=device, dtype=dtype),
        participation_ratio=y2, max_weight=wmax, log_density=logp,
        nearest_sq_distance=nearest, test_sq_norm=lam, method="scalar")


@dataclass(frozen=True)
class ParticipationSummary:
    r"""Mean weight statistics of a :class:`KDESimulation` against the theory.

    Attributes
    ----------
    d : int
    alpha_eff : float
        :math:`\alpha - \ln d / 2d`.
    ratio : torch.Tensor, shape (k,)
        :math:`h / h_G(\alpha_{\rm eff})` per bandwidth.
    mean_y2, se_y2 : torch.Tensor, shape (k,)
        Mean of :math:`Y_2` over test points and its standard error (sample std / sqrt(m)).
    mean_max_weight, se_max_weight : torch.Tensor, shape (k,)
        The same for the largest weight.
    theory : torch.Tensor, shape (k,)
        :math:`\max(0, 1 - r^2)`, the :math:`d\to\infty` mean of :math:`Y_2`
        (derived from [BiroliMezard2024]; 0 above :math:`h_G`).
    """

    d: int
    alpha_eff: float
    ratio: torch.Tensor
    mean_y2: torch.Tensor
    se_y2: torch.Tensor
    mean_max_weight: torch.Tensor
    se_max_weight: torch.Tensor
    theory: torch.Tensor


def participation_summary(sim: KDESimulation) -> ParticipationSummary:
    r"""Average a simulation over test points and set it against :math:`1 - (h/h_G)^2`.

    Parameters
    ----------
    sim : KDESimulation
        From :func:`simulate_kde` or :func:`simulate_kde_scalar`, with at least 2 test
        points (for the standard error).

    Returns
    -------
    ParticipationSummary

    Raises
    ------
    TypeError
        Naming 'sim' if it is not a :class:`KDESimulation`.
    ValueError
        Naming 'sim' if it has fewer than 2 test points, or if
        :math:`\alpha_{\rm eff} \le 0` (no condensed regime at this :math:`d`).

    Notes
    -----
    The test points of :func:`simulate_kde_scalar` are i.i.d., so ``se`` is the standard
    error of the mean; those of :func:`simulate_kde` share one dataset, and ``se`` then
    ignores the dataset-to-dataset variation.

    Examples
    --------
    >>> import learntheory as lt
    >>> sim = lt.kde.simulate_kde_scalar(0.3, 20, [0.5, 2.0], 4, generator=lt.make_generator(0))
    >>> [round(float(t), 3) for t in lt.kde.participation_summary(sim).theory]
    [0.746, 0.0]
    """
    owner = "participation_summary"
    check_instance(sim, "sim", KDESimulation, owner=owner)
    m = sim.participation_ratio.shape[0]
    if m < 2:
        raise ValueError(f"The 'sim' parameter of {owner} must hold at least 2 test points "
                         f"(for a standard error). Got {m}.")
    a_eff = float(effective_alpha(sim.alpha, sim.d))
    if a_eff <= 0:
        raise ValueError(f"The 'sim' parameter of {owner} has alpha_eff = alpha - ln d / 2d = "
                         f"{a_eff:.3g} <= 0 (alpha = {sim.alpha}, d = {sim.d}): no condensed "
                         "regime at this size; raise alpha or d.")
    ratio = sim.bandwidths / float(glass_bandwidth(a_eff))
    y2, wm = sim.participation_ratio, sim.max_weight
    return ParticipationSummary(
        d=sim.d, alpha_eff=a_eff, ratio=ratio, mean_y2=y2.mean(0),
        se_y2=y2.std(0) / math.sqrt(m), mean_max_weight=wm.mean(0),
        se_max_weight=wm.std(0) / math.sqrt(m), theory=(1.0 - ratio**2).clamp_min(0.0))
