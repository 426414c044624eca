r"""The lower tail of a generalized chi-square: exactly, and as a Chernoff bound.

The inductive bias is :math:`-\log_2 F(\varepsilon)` with :math:`F` the distribution
function of the test error, evaluated far in its lower tail where counting samples is
hopeless. For a :class:`~learntheory.inductive_bias.GeneralizedChi2` the tail is known
through the Laplace transform :math:`\varphi(s) = \mathbb E e^{-s(e - e_0)}`:

* :func:`log_cdf` inverts it exactly. With :math:`t = \varepsilon - e_0` and
  :math:`\psi(s) = \log\varphi(s) + st - \log s`,

  .. math::

      F(\varepsilon) = \frac{e^{\psi(\hat c)}}{\pi}\int_0^\infty
      \operatorname{Re}\, e^{\psi(\hat c + iu) - \psi(\hat c)}\,du,

  the Bromwich integral taken along the vertical line through the minimum
  :math:`\hat c > 0` of the convex :math:`\psi` (book: ``eq-ib-inversion``). On that line
  the integrand is largest at :math:`u = 0` and its real part starts at 1, so the
  logarithm of an astronomically small probability comes out to full relative accuracy:
  no cancellation, no underflow.
* :func:`chernoff_log_cdf` is the Chernoff bound
  :math:`\log F(\varepsilon) \le \inf_{s > 0}[\,st + \log\varphi(s)]`, so
  :math:`-\log_2` of it is a rigorous *lower* bound on the bits (book: ``eq-ib-chernoff``).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from learntheory._core import check_instance
from learntheory.inductive_bias.gchi2 import GeneralizedChi2

__all__ = ["chernoff_log_cdf", "log_cdf"]

_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(32)
_MAX_PANELS = 20_000


def _on_cpu(law: GeneralizedChi2) -> GeneralizedChi2:
    """The law in float64 on the CPU: the tail is a scalar computation over J terms."""
    def cpu(t):
        return t.detach().to("cpu", torch.float64)

    if law.weights.device.type == "cpu" and law.weights.dtype == torch.float64:
        return law
    return GeneralizedChi2(cpu(law.weights), cpu(law.dofs), cpu(law.noncentralities),
                           law.offset)


def _parts(law: GeneralizedChi2):
    w = law.weights.to(torch.float64)
    return w, law.dofs.to(torch.float64), law.noncentralities.to(torch.float64)


def _dlog_phi(law: GeneralizedChi2, s: float, order: int) -> float:
    """Derivative of log phi at real s > -1/(2 max w): order 1 or 2."""
    w, k, lam = _parts(law)
    one = 1 + 2 * s * w
    if order == 1:
        return float(-(k * w / one + lam * w / one**2).sum())
    return float((2 * k * w**2 / one**2 + 4 * lam * w**2 / one**3).sum())


def _check_epsilon(law: GeneralizedChi2, epsilon: float, owner: str) -> float:
    if isinstance(epsilon, bool) or not isinstance(epsilon, (int, float)) or not math.isfinite(
            epsilon):
        raise TypeError(f"The 'epsilon' parameter of {owner} must be a finite real number. "
                        f"Got {epsilon!r} instead.")
    t = float(epsilon) - law.floor
    if t <= 0:
        raise ValueError(
            f"The 'epsilon' parameter of {owner} must exceed the smallest attainable error "
            f"{law.floor:.6g} (no hypothesis reaches a lower error, so the bits are infinite). "
            f"Got {float(epsilon):.6g} instead.")
    return t


def _root(f, lo: float, hi: float) -> float:
    """Root of an increasing function by bisection in log s, after bracketing [lo, hi]."""
    while f(lo) > 0:
        lo /= 16.0
    while f(hi) < 0:
        hi *= 16.0
    a, b = math.log(lo), math.log(hi)
    for _ in range(200):
        mid = 0.5 * (a + b)
        if f(math.exp(mid)) < 0:
            a = mid
        else:
            b = mid
        if b - a < 1e-15:
            break
    return math.exp(0.5 * (a + b))


def chernoff_log_cdf(law: GeneralizedChi2, epsilon: float) -> float:
    r"""The Chernoff bound :math:`\log F(\varepsilon) \le \inf_{s>0}[st + \log\varphi(s)]`.

    Parameters
    ----------
    law : GeneralizedChi2
    epsilon : float
        Target error, above ``law.floor``.

    Returns
    -------
    float
        An upper bound on the natural log of :math:`F(\varepsilon)`; 0 when
        :math:`\varepsilon` is at or above the mean (the bound is then vacuous).

    Notes
    -----
    Implements the Chernoff bound of the notes to [Boopathy2024] (a standard
    large-deviation step); book: ``eq-ib-chernoff``. The infimum is where the tilted mean
    :math:`-\partial_s\log\varphi(s)` equals :math:`t`.
    """
    owner = "chernoff_log_cdf"
    law = _on_cpu(check_instance(law, "law", GeneralizedChi2, owner=owner))
    t = _check_epsilon(law, epsilon, owner)
    if t + law.floor >= law.mean:  # includes the constant law (no components)
        return 0.0
    s = _root(lambda s: t + _dlog_phi(law, s, 1), 1.0 / t, 1.0 / t)
    return float(s * t + law.log_mgf_neg(torch.tensor(s, dtype=torch.float64)))


def _upper_chernoff(law: GeneralizedChi2, t: float) -> float:
    """Chernoff bound on log P(e - e0 >= t) for t above the mean: inf over 0 < s < 1/(2 max w)."""
    s_max = 0.5 / float(law.weights.max())
    # d/ds [log E e^{sX} - s t] = tilted mean - t, increasing in s; root in (0, s_max)
    lo, hi = 0.0, s_max
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if -_dlog_phi(law, -mid, 1) < t:
            lo = mid
        else:
            hi = mid
    s = lo
    return float(law.log_mgf_neg(torch.tensor(-s, dtype=torch.float64))) - s * t


def log_cdf(law: GeneralizedChi2, epsilon: float, *, rtol: float = 1e-10) -> float:
    r"""Natural log of :math:`F(\varepsilon) = \Pr[e \le \varepsilon]`, exact to ``rtol``.

    Parameters
    ----------
    law : GeneralizedChi2
    epsilon : float
        Target error, above ``law.floor``.
    rtol : float
        Relative size of the neglected tail of the integral.

    Returns
    -------
    float
        :math:`\log F(\varepsilon)`, accurate to ~1e-9 relative in :math:`F` (tested
        against scipy's ``ncx2.logcdf`` and against sampling), however small :math:`F` is.

    Raises
    ------
    ValueError
        If ``epsilon`` is at or below the smallest attainable error ``law.floor``.

    Notes
    -----
    Implements the Bromwich inversion of the Laplace transform along the saddle-point
    point (book: ``eq-ib-inversion``); the law is that of [Boopathy2024]'s kernel
    hypothesis space. The vertical line through :math:`\hat c` is bent into the parabola
    :math:`s(u) = \hat c + iu - \beta u^2`, which leaves the same singularities (the pole
    at 0, the branch points at :math:`-1/(2w_j)`) on its left, so the integral is
    unchanged while :math:`e^{st}` now damps it like :math:`e^{-\beta t u^2}`
    (:math:`\beta = 1/(8t\sigma^2)`, :math:`\sigma` the saddle's width, unless the branch
    points need a gentler bend). It is taken by 32-point Gauss–Legendre panels whose width
    grows geometrically and never exceeds :math:`\pi/t` (half an oscillation of
    :math:`e^{iut}`), up to where the integrand falls below ``rtol`` / 100. Where that would
    take over 20,000 panels (a law so concentrated, far from :math:`\varepsilon`, that
    :math:`F` is below :math:`10^{-10^5}` or so), the integral is replaced by its Laplace
    approximation :math:`\sigma/\sqrt{2\pi}` ([Daniels1954]), whose relative error in
    :math:`F` is :math:`O(1/J)`: an error of order :math:`1/J` nats on millions of bits.
    """
    owner = "log_cdf"
    law = _on_cpu(check_instance(law, "law", GeneralizedChi2, owner=owner))
    t = _check_epsilon(law, epsilon, owner)
    if law.weights.numel() == 0:
        return 0.0  # the error is the constant floor < epsilon
    if epsilon >= law.mean and _upper_chernoff(law, t) < math.log(1e-17):
        return 0.0  # 1 - F < 1e-17: log F is 0 in double precision
    c = _root(lambda s: t + _dlog_phi(law, s, 1) - 1.0 / s, 1.0 / t, 1.0 / t)
    sigma = 1.0 / math.sqrt(_dlog_phi(law, c, 2) + 1.0 / c**2)
    cc = torch.tensor(c, dtype=torch.float64)
    psi0 = float(law.log_mgf_neg(cc)) + c * t - math.log(c)
    w_max = float(law.weights.max())
    # the parabola s(u) = c + iu - beta u^2: Gaussian damping e^{-beta t u^2} beyond the
    # saddle's width sigma, turning left no faster than keeps clear of the branch points
    beta = min(1.0 / (8.0 * t * sigma**2), 4.0 * w_max**2 * c + 2.0 * w_max)

    def terms(u: torch.Tensor) -> torch.Tensor:
        s = torch.complex(c - beta * u * u, u)
        psi = law.log_mgf_neg(s) + s * t - torch.log(s) - psi0
        return (torch.exp(psi) * torch.complex(torch.ones_like(u), 2 * beta * u)).real

    u_max = sigma
    while float(terms(torch.tensor([u_max], dtype=torch.float64)).abs()) > rtol * 1e-2 and (
            u_max < 1e12 * sigma):
        u_max *= 1.5
    cap = math.pi / t
    if u_max / cap > _MAX_PANELS:
        # a law concentrated far from epsilon: F is astronomically small and the Gaussian
        # (Laplace) approximation of the integral, sigma sqrt(pi / 2) / pi, is exact to O(1/J)
        return psi0 + math.log(sigma) - 0.5 * math.log(2 * math.pi)
    edges = [0.0]
    width = 0.25 * sigma
    while edges[-1] < u_max:
        edges.append(edges[-1] + min(width, cap))
        width *= 1.15
    e = torch.tensor(edges, dtype=torch.float64)
    a, b = e[:-1, None], e[1:, None]
    x = torch.as_tensor(_NODES, dtype=torch.float64)
    u = (0.5 * (b - a) * x + 0.5 * (a + b)).reshape(-1)
    wq = (0.5 * (b - a) * torch.as_tensor(_WEIGHTS, dtype=torch.float64)).reshape(-1)
    total = torch.zeros((), dtype=torch.float64)
    for i in range(0, u.numel(), 8192):
        total = total + (terms(u[i:i + 8192]) * wq[i:i + 8192]).sum()
    integral = float(total) / math.pi
    if not integral > 0:
        raise ValueError(f"log_cdf could not resolve the tail at epsilon={epsilon!r} "
                         f"(the inversion integral came out {integral!r}).")
    return psi0 + math.log(integral)
