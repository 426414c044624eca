r"""A Gaussian refitted to its own samples, and the exact laws of its parameters.

Generation 0 is the true distribution :math:`\mathcal N(\mu_0, \sigma_0^2)`. Each
generation draws ``n_samples`` :math:`= M` points from the current model and refits the
mean and the variance to them (*replace*), or to every sample drawn so far (*accumulate*,
with generation 0's draw the real data). With the unbiased variance estimator and
replacement, :math:`\sigma^2_{n+1} = \sigma^2_n S_n` with :math:`S_n \sim \chi^2_{M-1}/(M-1)`
i.i.d. ([Shumailov2024]), so

* :math:`\mathbb E\sigma_n^2 = \sigma_0^2`: the variance is a martingale;
* :math:`\mathbb E\ln\sigma_n^2 = \ln\sigma_0^2 + n\,\mathbb E\ln S`, with
  :math:`\mathbb E\ln S = \psi(\tfrac{M-1}2) - \ln\tfrac{M-1}2 < 0`: the log-variance is a
  random walk with negative drift, so :math:`\sigma_n^2 \to 0` almost surely;
* :math:`\mathbb E W_2^2 = \mathbb E(\mu_n-\mu_0)^2 + \mathbb E(\sigma_n-\sigma_0)^2` grows
  linearly in :math:`n`.

:func:`gaussian_refit_moments` gives these laws for both estimators (the MLE divides by
:math:`M`, so :math:`S \sim \chi^2_{M-1}/M`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import torch

from learntheory._core import check_choice, check_int, check_positive

__all__ = ["GaussianLoop", "GaussianMoments", "GaussianState", "chi_square",
           "gaussian_refit_moments", "gaussian_step"]

ESTIMATORS = ("unbiased", "mle")
MODES = ("replace", "accumulate")
DRAWS = ("samples", "statistics")


@dataclass(frozen=True)
class GaussianLoop:
    r"""A 1-D Gaussian refitted each generation to ``n_samples`` of its own samples.

    Parameters
    ----------
    n_samples : int
        :math:`M \ge 2`, samples drawn per generation.
    estimator : {"unbiased", "mle"}
        Variance estimator: divide by :math:`M - 1` (``"unbiased"``) or by the number of
        points (``"mle"``).
    mode : {"replace", "accumulate"}
        Fit to the latest draw only, or to every draw so far (the pool grows by
        :math:`M` per generation, [Gerstgrasser2024]).
    mean, std : float
        The true distribution :math:`\mathcal N(\mu_0, \sigma_0^2)` (generation 0).
    draw : {"samples", "statistics"}
        ``"samples"`` draws the :math:`M` points literally; ``"statistics"`` draws only what
        the fit uses, exactly in law: :math:`\bar x \sim \mathcal N(\mu, \sigma^2/M)` and,
        independently, :math:`\sum_i (x_i - \bar x)^2 \sim \sigma^2\chi^2_{M-1}` (a
        Marsaglia-Tsang gamma draw, [MarsagliaTsang2000]): about :math:`M` times fewer
        random numbers. The tests check the two against each other in law.

    Notes
    -----
    Implements the Gaussian fit-and-sample loop of [Shumailov2024] (its theorem on Gaussian
    model collapse); book: ``collapse-gaussian``.
    """

    n_samples: int
    estimator: str = "unbiased"
    mode: str = "replace"
    mean: float = 0.0
    std: float = 1.0
    draw: str = "samples"

    def __post_init__(self) -> None:
        owner = "GaussianLoop"
        check_int(self.n_samples, "n_samples", owner=owner, minimum=2)
        check_choice(self.draw, "draw", DRAWS, owner=owner)
        check_choice(self.estimator, "estimator", ESTIMATORS, owner=owner)
        check_choice(self.mode, "mode", MODES, owner=owner)
        if not math.isfinite(float(self.mean)):
            raise ValueError(f"The 'mean' parameter of {owner} must be finite. Got {self.mean!r}.")
        check_positive(self.std, "std", owner=owner)

    def initial_state(self, n_chains: int, *, generator: torch.Generator | None = None,
                      device: torch.device | str | None = None,
                      dtype: torch.dtype = torch.float64) -> GaussianState:
        """Generation 0: the true distribution in every chain (nothing pooled yet)."""
        n_chains = check_int(n_chains, "n_chains", owner="GaussianLoop.initial_state")
        full = torch.full((n_chains,), 1.0, device=device, dtype=dtype)
        zero = torch.zeros_like(full)
        return GaussianState(config=self, generation=0, mean=full * self.mean,
                             var=full * self.std**2, count=zero, total=zero, total_sq=zero)

    def step(self, state: GaussianState, *, generator: torch.Generator | None = None
             ) -> GaussianState:
        return gaussian_step(state, generator=generator)


@dataclass(frozen=True)
class GaussianState:
    """The fitted parameters of every chain, and the pooled sums (accumulate mode).

    Attributes
    ----------
    mean, var : torch.Tensor, shape (n_chains,)
        The current model :math:`\\mathcal N(\\mu_g, \\sigma_g^2)`.
    count, total, total_sq : torch.Tensor, shape (n_chains,)
        Number, sum and sum of squares of the pooled samples (used in accumulate mode).
    """

    config: GaussianLoop
    generation: int
    mean: torch.Tensor
    var: torch.Tensor
    count: torch.Tensor
    total: torch.Tensor
    total_sq: torch.Tensor

    def observe(self) -> dict[str, torch.Tensor]:
        """``mean``, ``var``, and ``w2``: the 2-Wasserstein distance to generation 0."""
        cfg = self.config
        w2 = torch.sqrt((self.mean - cfg.mean) ** 2 + (self.var.sqrt() - cfg.std) ** 2)
        return {"mean": self.mean, "var": self.var, "w2": w2}


def chi_square(k: int, shape: tuple[int, ...], *, generator: torch.Generator | None = None,
               device=None, dtype: torch.dtype = torch.float64) -> torch.Tensor:
    r"""Draw :math:`\chi^2_k = 2\,\Gamma(k/2)` variables (``k >= 2``) with a generator.

    Marsaglia and Tsang's rejection sampler for :math:`\Gamma(a)`, :math:`a \ge 1`:
    with :math:`d = a - 1/3`, :math:`c = 1/\sqrt{9d}`, accept :math:`d v`,
    :math:`v = (1 + cz)^3`, when :math:`\ln u < z^2/2 + d - dv + d\ln v`
    ([MarsagliaTsang2000]); the rejected entries are redrawn until none is left
    (acceptance above 95% for :math:`a \ge 1`).
    """
    k = check_int(k, "k", owner="chi_square", minimum=2)
    d = k / 2 - 1 / 3
    c = 1 / math.sqrt(9 * d)
    out = torch.empty(shape, device=device, dtype=dtype)
    todo = torch.ones(shape, dtype=torch.bool, device=out.device)
    while bool(todo.any()):
        n = int(todo.sum())
        z = torch.randn(n, generator=generator, device=out.device, dtype=dtype)
        u = torch.rand(n, generator=generator, device=out.device, dtype=dtype)
        v = (1 + c * z) ** 3
        ok = (v > 0) & (torch.log(u) < z * z / 2 + d - d * v + d * torch.log(v.clamp_min(1e-300)))
        idx = todo.nonzero(as_tuple=True)
        keep = tuple(i[ok] for i in idx)
        out[keep] = 2 * d * v[ok]
        todo[keep] = False
    return out


def gaussian_step(state: GaussianState, *, generator: torch.Generator | None = None
                  ) -> GaussianState:
    r"""One generation: draw :math:`M` points from each chain's model and refit.

    With ``draw="samples"`` the points are :math:`x = \mu_g + \sigma_g z`,
    :math:`z \sim \mathcal N(0, 1)` (shape ``(n_chains, M)``), summarised by their mean and
    centred sum of squares (computed on :math:`z`, which is the same up to rounding); with
    ``draw="statistics"`` those two are drawn directly. The input state is not modified.
    In accumulate mode the fit uses the pooled sums of every draw so far.
    """
    cfg = state.config
    m, sd = cfg.n_samples, state.var.sqrt()
    like = dict(device=state.mean.device, dtype=state.mean.dtype)
    if cfg.draw == "samples":
        z = torch.randn(state.mean.shape[0], m, generator=generator, **like)
        z_var, z_mean = torch.var_mean(z, dim=1, correction=0)  # one fused pass
        new_mean, new_ss = state.mean + sd * z_mean, state.var * m * z_var
    else:  # the two sufficient statistics, exactly in law
        z = torch.randn(state.mean.shape, generator=generator, **like)
        new_mean = state.mean + sd * z / math.sqrt(m)
        new_ss = state.var * chi_square(m - 1, state.mean.shape, generator=generator, **like)
    # the draw's sum and sum of squares about zero, for the pool
    total_new, total_sq_new = m * new_mean, new_ss + m * new_mean * new_mean
    if cfg.mode == "replace":
        count = torch.full_like(state.count, m)
        total, total_sq, mean, centred = total_new, total_sq_new, new_mean, new_ss
    else:
        count = state.count + m
        total, total_sq = state.total + total_new, state.total_sq + total_sq_new
        mean = total / count
        centred = (total_sq - count * mean * mean).clamp_min(0.0)
    var = centred / (count - 1 if cfg.estimator == "unbiased" else count)
    return replace(state, generation=state.generation + 1, mean=mean, var=var, count=count,
                   total=total, total_sq=total_sq)


@dataclass(frozen=True)
class GaussianMoments:
    r"""Exact moments of the replace loop at generations ``0..n``.

    Attributes
    ----------
    generations : torch.Tensor
        ``0, 1, ..., n`` (float64).
    var_mean, var_std : torch.Tensor
        :math:`\mathbb E\sigma_n^2` and the standard deviation of :math:`\sigma_n^2`.
    log_var_mean, log_var_std : torch.Tensor
        Mean and standard deviation of :math:`\ln\sigma_n^2` (exact: a sum of i.i.d.
        :math:`\ln S`).
    geometric_var : torch.Tensor
        :math:`e^{\mathbb E\ln\sigma_n^2}`, the typical value of :math:`\sigma_n^2`.
    median_var : torch.Tensor
        The median of :math:`\sigma_n^2` to first order in the skewness of
        :math:`\ln\sigma_n^2`: :math:`\exp(\mathbb E\ln\sigma_n^2 - \kappa_3/(6\kappa_2))`
        with :math:`\kappa_2 = \psi'(k/2)`, :math:`\kappa_3 = \psi''(k/2)` the cumulants of
        :math:`\ln S` (the offset does not depend on :math:`n`); its error is
        :math:`O(1/n)`, largest at :math:`n = 1` (4e-4 in the log for :math:`M = 20`).
    mean_sq_drift : torch.Tensor
        :math:`\mathbb E(\mu_n - \mu_0)^2`.
    w2_sq : torch.Tensor
        :math:`\mathbb E W_2^2` between generation :math:`n` and generation 0.
    log_drift : float
        :math:`\mathbb E\ln S`, the drift of the log-variance per generation.
    """

    generations: torch.Tensor
    var_mean: torch.Tensor
    var_std: torch.Tensor
    log_var_mean: torch.Tensor
    log_var_std: torch.Tensor
    geometric_var: torch.Tensor
    median_var: torch.Tensor
    mean_sq_drift: torch.Tensor
    w2_sq: torch.Tensor
    log_drift: float


def gaussian_refit_moments(config: GaussianLoop, n_generations: int) -> GaussianMoments:
    r"""The exact laws of the replace loop, generations ``0..n_generations`` (float64, CPU).

    With :math:`k = M - 1` and :math:`S = \chi^2_k / c` (:math:`c = M - 1` unbiased,
    :math:`c = M` MLE), the factors :math:`S_i` are i.i.d. and independent of the past, so

    .. math::

        \mathbb E\sigma_n^2 = \sigma_0^2 m_1^n,\quad
        \mathbb E\sigma_n^4 = \sigma_0^4 m_2^n,\quad
        \mathbb E\sigma_n = \sigma_0 m_{1/2}^n,\quad
        \mathbb E\ln\sigma_n^2 = \ln\sigma_0^2 + n\,\mathbb E\ln S,

    with :math:`m_1 = k/c`, :math:`m_2 = k(k+2)/c^2`,
    :math:`m_{1/2} = \sqrt{2/c}\,\Gamma(\tfrac{k+1}2)/\Gamma(\tfrac k2)`,
    :math:`\mathbb E\ln S = \psi(\tfrac k2) + \ln\tfrac 2c`,
    :math:`\mathrm{Var}\ln S = \psi'(\tfrac k2)`; and, the mean moving by
    :math:`\sigma_i Z_i/\sqrt M` each generation,
    :math:`\mathbb E(\mu_n-\mu_0)^2 = \frac{\sigma_0^2}{M}\sum_{i<n} m_1^i`.

    Raises
    ------
    ValueError
        If ``config`` is in accumulate mode (no closed form is implemented there).

    Notes
    -----
    The dynamics are those of the Gaussian-collapse theorem of [Shumailov2024]; the
    moments are derived from them (chi-square moments); book: ``collapse-gaussian``.
    """
    if not isinstance(config, GaussianLoop):
        raise TypeError("The 'config' parameter of gaussian_refit_moments must be a "
                        f"GaussianLoop. Got {type(config).__name__}.")
    if config.mode != "replace":
        raise ValueError("gaussian_refit_moments has the closed forms of mode='replace' only. "
                         f"Got mode={config.mode!r}.")
    n_generations = check_int(n_generations, "n_generations", owner="gaussian_refit_moments",
                              minimum=0)
    m = config.n_samples
    k = m - 1
    c = k if config.estimator == "unbiased" else m
    n = torch.arange(n_generations + 1, dtype=torch.float64)
    m1, m2 = k / c, k * (k + 2) / c**2
    m_half = math.sqrt(2 / c) * math.exp(math.lgamma((k + 1) / 2) - math.lgamma(k / 2))
    half_k = torch.tensor(k / 2, dtype=torch.float64)
    drift = float(torch.special.digamma(half_k)) + math.log(2 / c)
    log_var = float(torch.special.polygamma(1, half_k))
    log_skew_offset = float(torch.special.polygamma(2, half_k)) / (6 * log_var)
    s0, v0 = config.std, config.std**2
    var_mean = v0 * m1**n
    var_std = v0 * (m2**n - m1 ** (2 * n)).clamp_min(0.0).sqrt()
    log_var_mean = math.log(v0) + n * drift
    cum = torch.cat([torch.zeros(1, dtype=torch.float64), torch.cumsum(m1**n[:-1], 0)])
    mean_sq = v0 / m * cum
    w2_sq = mean_sq + var_mean - 2 * s0 * s0 * m_half**n + v0
    return GaussianMoments(generations=n, var_mean=var_mean, var_std=var_std,
                           log_var_mean=log_var_mean, log_var_std=(n * log_var).sqrt(),
                           geometric_var=log_var_mean.exp(),
                           median_var=torch.where(n > 0, (log_var_mean - log_skew_offset).exp(),
                                                  torch.tensor(v0, dtype=torch.float64)),
                           mean_sq_drift=mean_sq,
                           w2_sq=w2_sq, log_drift=drift)
