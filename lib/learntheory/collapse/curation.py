r"""Curated retraining: a model refitted on the samples a user prefers [Ferbach2024].

At each round the user sees :math:`K` i.i.d. samples :math:`x_1,\dots,x_K \sim p_t` and
keeps :math:`x_k` with probability :math:`e^{r(x_k)}/\sum_j e^{r(x_j)}` (a Bradley–Terry /
Luce choice [Luce1959]); the kept samples follow

.. math::
    \hat p_t(x) = p_t(x)\,H^K_{p_t}(x),\qquad
    H^K_p(x) = \mathbb E_{x_2..x_K\sim p}\Big[\frac{K e^{r(x)}}{e^{r(x)}
    + \sum_{i\ge2} e^{r(x_i)}}\Big],

and the next model maximises :math:`\mathbb E_{p_{\rm data}}\log p + \lambda\,
\mathbb E_{\hat p_t}\log p` [Bertrand2024] (``synthetic_ratio`` :math:`\lambda`;
:math:`\lambda = \infty` is no real data). A perfect learner gives
:math:`p_{t+1} = (p_{\rm data} + \lambda\hat p_t)/(1+\lambda)`.

Two halves, side by side:

* the **loop** (:class:`CurationLoop`, :func:`curation_step`): the toy of the book, eight
  Gaussians on a circle, reward :math:`r(x) = -\lVert x - x_\star\rVert`, a Gaussian
  mixture refitted by warm-started EM (:mod:`learntheory.collapse.mixture`);
* the **closed forms** on a finite set of atoms (:func:`choice_factor`,
  :func:`retrained_law`, :func:`tilted_law`, :func:`fixed_point_law`,
  :func:`reward_gain_bound`) and the atoms of the toy (:func:`toy_atoms`): since
  :math:`p_t/p_0` depends on :math:`x` only through :math:`r(x)`, the perfect learner's
  law of (mode, distance to the target) is exactly a discrete law on those atoms.

Book: ``collapse-curation``. Notation: ``n_candidates`` :math:`K`, ``n_curated`` :math:`N`,
``synthetic_ratio`` :math:`\lambda`, ``reward`` :math:`r`, ``target`` :math:`x_\star`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import torch

from learntheory._core import (
    check_int,
    check_points,
    check_positive,
    make_generator,
    resolve_factory,
)
from learntheory.collapse.mixture import GaussianMixture, fit_mixture

__all__ = [
    "CurationLoop",
    "CurationState",
    "curation_step",
    "distance_reward",
    "luce_choice",
]


def _check_ratio(value: float, owner: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and value == math.inf:
        return math.inf
    return check_positive(value, "synthetic_ratio", owner=owner, allow_zero=True)


def _check_k(value: int | float, owner: str) -> int | float:
    if isinstance(value, float) and value == math.inf:
        return math.inf
    return check_int(value, "n_candidates", owner=owner)


# -- the loop ---------------------------------------------------------------------------


def distance_reward(x: torch.Tensor, target: tuple[float, float] = (3.0, 0.0)) -> torch.Tensor:
    r""":math:`r(x) = -\lVert x - x_\star\rVert` for points ``x`` (..., 2): shape (...)."""
    dx, dy = x[..., 0] - target[0], x[..., 1] - target[1]
    return torch.addcmul(dx * dx, dy, dy).sqrt_().neg_()  # elementwise: no reduction pass


def luce_choice(reward: torch.Tensor, *, generator: torch.Generator | None = None
                ) -> torch.Tensor:
    r"""Index of the kept sample in each group of :math:`K`: (..., K) -> (...), int64.

    Index :math:`k` is kept with probability :math:`e^{r_k}/\sum_j e^{r_j}` [Luce1959],
    drawn as :math:`\arg\max_k (r_k + G_k)` with i.i.d. Gumbel :math:`G_k` (one uniform
    per entry of ``reward``, from ``generator``).
    """
    check_points(reward, "reward", owner="luce_choice", ndim=reward.ndim)
    gen = generator if generator is not None else make_generator(0, reward.device)
    u = torch.rand(reward.shape, generator=gen, device=reward.device, dtype=reward.dtype)
    tiny = torch.finfo(reward.dtype).tiny
    loglog = u.clamp_min_(tiny).log_().neg_().log_()  # log(-log u) = -Gumbel, in place
    return torch.sub(reward, loglog, out=loglog).argmax(-1)


@dataclass(frozen=True)
class CurationLoop:
    r"""The curated retraining loop of the book's toy (a :class:`~learntheory.collapse.
    Simulator`).

    Data: ``n_modes`` Gaussians of standard deviation ``mode_std`` on a circle of radius
    ``radius`` (the first at angle 0), equal weights. The model is a Gaussian mixture with
    ``n_modes`` full-covariance components, and :math:`p_0` is the data law itself (a
    perfectly pretrained model). Each generation:

    1. draw :math:`N` groups of :math:`K` candidates from :math:`p_t` (kept in the state);
    2. keep one per group by :func:`luce_choice` on :func:`distance_reward`;
    3. refit by ``em_iterations`` EM steps warm-started at :math:`p_t`, on the :math:`N`
       kept samples with total weight :math:`\lambda/(1+\lambda)` and a fixed real set of
       ``n_real`` data points (drawn once, in :meth:`initial_state`) with total weight
       :math:`1/(1+\lambda)`, the empirical version of Eq. (4) of [Bertrand2024]
       (``synthetic_ratio`` :math:`\lambda = \infty`: curated samples only; 0: real only).

    Parameters
    ----------
    n_candidates : int
        :math:`K \ge 1` (1: no curation, the plain refitting loop).
    synthetic_ratio : float
        :math:`\lambda \in [0, \infty]`, the weight of curated to real data.
    n_curated, n_real : int
        :math:`N` kept samples per generation; size of the real set.
    """

    n_candidates: int = 4
    synthetic_ratio: float = math.inf
    n_curated: int = 1000
    n_real: int = 1000
    n_modes: int = 8
    radius: float = 3.0
    mode_std: float = 0.3
    target: tuple[float, float] = (3.0, 0.0)
    em_iterations: int = 10
    reg_covar: float = 1e-6

    def __post_init__(self) -> None:
        owner = "CurationLoop"
        check_int(self.n_candidates, "n_candidates", owner=owner)
        _check_ratio(self.synthetic_ratio, owner)
        for name in ("n_curated", "n_real", "n_modes"):
            check_int(getattr(self, name), name, owner=owner)
        check_int(self.em_iterations, "em_iterations", owner=owner, minimum=0)
        check_positive(self.radius, "radius", owner=owner)
        check_positive(self.mode_std, "mode_std", owner=owner)
        check_positive(self.reg_covar, "reg_covar", owner=owner, allow_zero=True)
        if len(self.target) != 2:
            raise ValueError(f"The 'target' parameter of {owner} must be a point (x, y). "
                             f"Got {self.target!r} instead.")

    def data_mixture(self, n_chains: int = 1, *, device: torch.device | str | None = None,
                     dtype: torch.dtype | None = None) -> GaussianMixture:
        """The data law as a :class:`GaussianMixture`, repeated over ``n_chains``."""
        device, dtype = resolve_factory(device, dtype)
        k = self.n_modes
        angle = torch.arange(k, device=device, dtype=dtype) * (2 * math.pi / k)
        means = self.radius * torch.stack([angle.cos(), angle.sin()], -1)
        cov = self.mode_std**2 * torch.eye(2, device=device, dtype=dtype)
        return GaussianMixture(torch.full((n_chains, k), 1 / k, device=device, dtype=dtype),
                               means.expand(n_chains, k, 2).clone(),
                               cov.expand(n_chains, k, 2, 2).clone())

    def initial_state(self, n_chains: int, *, generator: torch.Generator | None = None,
                      device: torch.device | str | None = None,
                      dtype: torch.dtype | None = None) -> CurationState:
        """Generation 0: :math:`p_0` = the data law; the real set, then the first
        candidates, drawn in that order."""
        device, dtype = resolve_factory(device, dtype, generator)
        gen = generator if generator is not None else make_generator(0, device)
        n_chains = check_int(n_chains, "n_chains", owner="CurationLoop.initial_state")
        mix = self.data_mixture(n_chains, device=device, dtype=dtype)
        real = None
        if self.synthetic_ratio != math.inf:
            real = mix.sample(self.n_real, generator=gen)
        return CurationState(self, mix, real, self._candidates(mix, gen))

    def _candidates(self, mix: GaussianMixture, gen: torch.Generator) -> torch.Tensor:
        k, n = self.n_candidates, self.n_curated
        return mix.sample(n * k, generator=gen).reshape(mix.n_chains, n, k, 2)

    def step(self, state: CurationState, *, generator: torch.Generator | None = None
             ) -> CurationState:
        """One generation: :func:`curation_step`."""
        return curation_step(state, generator=generator)


@dataclass(frozen=True)
class CurationState:
    """One generation of :class:`CurationLoop` for ``n_chains`` chains.

    Attributes
    ----------
    config : CurationLoop
    mixture : GaussianMixture
        The model :math:`p_t`.
    real : torch.Tensor, shape (n_chains, n_real, 2), or None
        The fixed real set (None when ``synthetic_ratio`` is infinite).
    candidates : torch.Tensor, shape (n_chains, n_curated, n_candidates, 2)
        Samples of :math:`p_t`: the next user's choices, and the Monte Carlo sample of
        :meth:`observe`.
    """

    config: CurationLoop
    mixture: GaussianMixture
    real: torch.Tensor | None
    candidates: torch.Tensor

    @cached_property
    def reward(self) -> torch.Tensor:
        """:func:`distance_reward` of the candidates, (n_chains, n_curated, n_candidates):
        computed once, for :meth:`observe` and the next :func:`curation_step`."""
        return distance_reward(self.candidates, self.config.target)

    def observe(self) -> dict[str, torch.Tensor]:
        r"""Per chain: ``mean_reward`` :math:`\mathbb E_{p_t} r`, ``mean_exp_reward``
        :math:`\mathbb E_{p_t} e^r` and ``var_exp_reward`` (over the
        :math:`NK` candidates), ``mode_weights`` (n_chains, n_modes): the weight of the
        components whose mean lies in each mode's angular sector
        (:math:`|\theta - 2\pi j/m| < \pi/m`), and ``best_mode_weight``: that of the
        mode at the target."""
        cfg = self.config
        r = self.reward.flatten(1)
        a = r.exp()
        m = cfg.n_modes
        angle = torch.atan2(self.mixture.means[..., 1], self.mixture.means[..., 0])
        sector = torch.remainder(torch.round(angle * (m / (2 * math.pi))), m).long()
        modes = torch.zeros(self.mixture.n_chains, m, dtype=a.dtype, device=a.device)
        modes = modes.scatter_add(1, sector, self.mixture.weights)
        t_angle = math.atan2(cfg.target[1], cfg.target[0])
        best = round(t_angle * m / (2 * math.pi)) % m
        return {"mean_reward": r.mean(1), "mean_exp_reward": a.mean(1),
                "var_exp_reward": a.var(1), "mode_weights": modes,
                "best_mode_weight": modes[:, best]}


def curation_step(state: CurationState, *, generator: torch.Generator | None = None
                  ) -> CurationState:
    """One generation of the curated loop (see :class:`CurationLoop`); pure.

    Draws, from ``generator``: the Luce choices (one uniform per candidate), then the next
    generation's candidates.
    """
    cfg = state.config
    cand = state.candidates
    c, n, k, _ = cand.shape
    gen = generator if generator is not None else make_generator(0, cand.device)
    keep = luce_choice(state.reward, generator=gen)  # (c, n)
    curated = cand.gather(2, keep[..., None, None].expand(c, n, 1, 2))[:, :, 0]
    lam = cfg.synthetic_ratio
    if lam == math.inf:
        x, w = curated, None
    else:
        x = torch.cat([state.real, curated], 1)
        w = torch.cat([curated.new_full((c, cfg.n_real), 1 / ((1 + lam) * cfg.n_real)),
                       curated.new_full((c, n), lam / ((1 + lam) * n))], 1)
    mix = fit_mixture(x, state.mixture, sample_weight=w, n_iter=cfg.em_iterations,
                      reg_covar=cfg.reg_covar)
    return CurationState(cfg, mix, state.real, cfg._candidates(mix, gen))


# -- closed forms on a finite set of atoms ----------------------------------------------
