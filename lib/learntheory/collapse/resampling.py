r"""Recursive kernel density estimation, and the bootstrap as its zero-bandwidth limit.

Each generation replaces the ``n_samples`` :math:`= M` points of a chain by :math:`M` draws
from their Gaussian KDE (:func:`learntheory.kde.sample_kde`): a point chosen uniformly
plus :math:`h\,\mathcal N(0, 1)`. With :math:`h = 0` this is iterated resampling with
replacement, the bootstrap run as a loop. Two exact laws hold for every chain:

* **Variance.** The KDE of points with (divide-by-:math:`M`) variance :math:`v` has
  variance :math:`v + h^2`, and :math:`M` draws from it have expected variance
  :math:`(1 - \tfrac1M)(v + h^2)`. So :math:`\mathbb E v_g` relaxes geometrically, at rate
  :math:`1 - 1/M`, to :math:`(M-1)h^2` (:func:`kde_loop_variance`); with :math:`h = 0`
  it decays to zero.
* **Ancestry.** Every point descends from one generation-0 point. Two distinct points
  share a parent with probability :math:`1/M`, so the probability that they share an
  ancestor is :math:`F_g = 1 - (1 - \tfrac1M)^g` (:func:`coalescence_probability`), and
  the number of distinct ancestors left is a Markov chain in reverse time
  (:func:`expected_ancestors`). The tails go first: an extreme point leaves no
  descendant with probability about :math:`e^{-1}` per generation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import torch

from learntheory._core import check_choice, check_int, check_positive
from learntheory.kde import sample_kde, silverman_bandwidth

__all__ = ["KDELoop", "KDEState", "coalescence_probability", "expected_ancestors",
           "kde_loop_variance", "kde_step"]

INITIAL = ("gaussian", "laplace")


@dataclass(frozen=True)
class KDELoop:
    r"""A 1-D Gaussian KDE refitted each generation to :math:`M` of its own samples.

    Parameters
    ----------
    n_samples : int
        :math:`M \ge 2`.
    bandwidth : float or "silverman"
        :math:`h \ge 0` (0: the bootstrap loop), or Silverman's rule applied to each
        chain's current sample (:func:`learntheory.kde.silverman_bandwidth` times the
        sample's standard deviation).
    initial : {"gaussian", "laplace"}
        The real data's law, with mean 0 and variance 1 (the Laplace law has excess
        kurtosis 3: heavy tails to lose).
    tail : float
        :math:`|x|` beyond which a point counts as in the tails (observation ``tail``).

    Notes
    -----
    The recursive-KDE experiment of the accumulate-or-replace literature
    ([Gerstgrasser2024] and its follow-ups); the variance and ancestry laws are derived
    in the module docstring; book: ``collapse-kde``.
    """

    n_samples: int
    bandwidth: float | str = 0.0
    initial: str = "laplace"
    tail: float = 3.0

    def __post_init__(self) -> None:
        owner = "KDELoop"
        check_int(self.n_samples, "n_samples", owner=owner, minimum=2)
        if isinstance(self.bandwidth, str):
            check_choice(self.bandwidth, "bandwidth", ("silverman",), owner=owner)
        else:
            check_positive(self.bandwidth, "bandwidth", owner=owner, allow_zero=True)
        check_choice(self.initial, "initial", INITIAL, owner=owner)
        check_positive(self.tail, "tail", owner=owner)

    def initial_state(self, n_chains: int, *, generator: torch.Generator | None = None,
                      device: torch.device | str | None = None,
                      dtype: torch.dtype = torch.float64) -> KDEState:
        """Generation 0: :math:`M` real points per chain, each its own ancestor."""
        n_chains = check_int(n_chains, "n_chains", owner="KDELoop.initial_state")
        shape = (n_chains, self.n_samples)
        if self.initial == "gaussian":
            data = torch.randn(shape, generator=generator, device=device, dtype=dtype)
        else:  # Laplace with variance 1 (scale 1/sqrt 2), by inversion
            u = torch.rand(shape, generator=generator, device=device, dtype=dtype) - 0.5
            data = -torch.sign(u) * torch.log1p(-2 * u.abs()) / math.sqrt(2)
        ancestors = torch.arange(self.n_samples, device=data.device).expand(shape).clone()
        return KDEState(config=self, generation=0, data=data, ancestors=ancestors)

    def step(self, state: KDEState, *, generator: torch.Generator | None = None) -> KDEState:
        return kde_step(state, generator=generator)


@dataclass(frozen=True)
class KDEState:
    """Each chain's sample and the generation-0 ancestor of every point.

    Attributes
    ----------
    data : torch.Tensor, shape (n_chains, M)
    ancestors : torch.Tensor, shape (n_chains, M), int64
    """

    config: KDELoop
    generation: int
    data: torch.Tensor
    ancestors: torch.Tensor

    def observe(self) -> dict[str, torch.Tensor]:
        """Per chain: ``var`` (divide by :math:`M`), ``kurtosis`` (excess), ``tail`` (fraction
        beyond the config's ``tail``), ``ancestors`` (distinct generation-0 ancestors) and
        ``coalesced`` (fraction of pairs of points with one ancestor)."""
        m = self.config.n_samples
        centred = self.data - self.data.mean(1, keepdim=True)
        var = (centred**2).mean(1)
        kurt = (centred**4).mean(1) / var.clamp_min(torch.finfo(var.dtype).tiny) ** 2 - 3
        counts = torch.zeros_like(self.ancestors).scatter_add_(
            1, self.ancestors, torch.ones_like(self.ancestors))
        pairs = (counts * (counts - 1)).sum(1).to(self.data.dtype) / (m * (m - 1))
        return {"var": var, "kurtosis": kurt,
                "tail": (self.data.abs() > self.config.tail).to(self.data.dtype).mean(1),
                "ancestors": (counts > 0).sum(1).to(self.data.dtype), "coalesced": pairs}


def kde_step(state: KDEState, *, generator: torch.Generator | None = None) -> KDEState:
    """Replace each chain's sample by :math:`M` draws from its KDE (ancestry followed)."""
    cfg = state.config
    if cfg.bandwidth == "silverman":
        h = silverman_bandwidth(cfg.n_samples, 1) * state.data.std(1)
    else:
        h = float(cfg.bandwidth)
    draws, idx = sample_kde(state.data[:, :, None], cfg.n_samples, bandwidth=h,
                            generator=generator, return_index=True)
    return replace(state, generation=state.generation + 1, data=draws[:, :, 0],
                   ancestors=torch.gather(state.ancestors, 1, idx))


def kde_loop_variance(config: KDELoop, n_generations: int) -> torch.Tensor:
    r"""Exact :math:`\mathbb E v_g`, ``g = 0..n_generations`` (float64, CPU), fixed :math:`h`.

    :math:`\mathbb E v_0 = 1 - \tfrac1M` (unit-variance real data) and
    :math:`\mathbb E v_{g+1} = (1 - \tfrac1M)(\mathbb E v_g + h^2)`, so
    :math:`\mathbb E v_g = v_* + (\mathbb E v_0 - v_*)(1 - \tfrac1M)^g`,
    :math:`v_* = (M - 1)h^2`.

    Raises
    ------
    ValueError
        For ``bandwidth="silverman"`` (the bandwidth then depends on the sample).
    """
    if not isinstance(config, KDELoop):
        raise TypeError("The 'config' parameter of kde_loop_variance must be a KDELoop. "
                        f"Got {type(config).__name__}.")
    if isinstance(config.bandwidth, str):
        raise ValueError("kde_loop_variance needs a fixed bandwidth; with "
                         f"bandwidth={config.bandwidth!r} it depends on the sample.")
    n_generations = check_int(n_generations, "n_generations", owner="kde_loop_variance",
                              minimum=0)
    m = config.n_samples
    rho = 1 - 1 / m
    v_star = (m - 1) * float(config.bandwidth) ** 2
    g = torch.arange(n_generations + 1, dtype=torch.float64)
    return v_star + (rho - v_star) * rho**g


def coalescence_probability(n_samples: int, n_generations: int) -> torch.Tensor:
    r""":math:`F_g = 1 - (1 - 1/M)^g`: two distinct points of generation :math:`g` share a
    generation-0 ancestor (``g = 0..n_generations``; float64, CPU)."""
    m = check_int(n_samples, "n_samples", owner="coalescence_probability", minimum=2)
    n_generations = check_int(n_generations, "n_generations", owner="coalescence_probability",
                              minimum=0)
    g = torch.arange(n_generations + 1, dtype=torch.float64)
    return 1 - (1 - 1 / m) ** g


def expected_ancestors(n_samples: int, n_generations: int) -> torch.Tensor:
    r"""Exact expected number of distinct generation-0 ancestors, ``g = 0..n_generations``.

    Traced back one generation, :math:`k` lineages pick their parents uniformly among
    :math:`M`; the number of distinct parents follows the occupancy law
    :math:`P(j \mid k)`, built ball by ball (a ball lands in an occupied box with
    probability :math:`j/M`). The lineage count after :math:`g` steps back from
    :math:`k = M` is a Markov chain with that kernel. Float64, CPU; :math:`O(M^2 g)`.
    """
    m = check_int(n_samples, "n_samples", owner="expected_ancestors", minimum=2)
    n_generations = check_int(n_generations, "n_generations", owner="expected_ancestors",
                              minimum=0)
    j = torch.arange(m + 1, dtype=torch.float64)
    kernel = torch.zeros(m + 1, m + 1, dtype=torch.float64)  # kernel[k, j] = P(j | k)
    kernel[0, 0] = 1.0
    row = kernel[0].clone()
    for k in range(1, m + 1):  # throw the k-th ball
        row = row * j / m + torch.cat([row.new_zeros(1), row[:-1]]) * (m - j + 1) / m
        kernel[k] = row
    dist = torch.zeros(m + 1, dtype=torch.float64)
    dist[m] = 1.0
    out = [float(dist @ j)]
    for _ in range(n_generations):
        dist = dist @ kernel
        out.append(float(dist @ j))
    return torch.tensor(out, dtype=torch.float64)
