r"""Replace or accumulate: linear regression retrained on its own labels.

The fixed-design setting of [Dohmatob2024] and [Gerstgrasser2024]: each chain draws a
design :math:`X \in \mathbb R^{T \times d}` with :math:`\mathcal N(0, I_d)` rows and a
true weight :math:`w^*` once. Generation :math:`i \ge 1` relabels the same design with
the previous model plus fresh noise, :math:`y^{(i)} = X\hat w_{i-1} + E^{(i)}`,
:math:`E^{(i)} \sim \mathcal N(0, \sigma^2 I_T)`, :math:`\hat w_0 = w^*`, and refits by
least squares:

* *replace*: on :math:`y^{(i)}` alone;
* *accumulate*: on all the labels so far, which for the stacked copies of :math:`X` is
  least squares on their average.

The test error is the excess risk :math:`\mathcal E(\hat w) = \lVert\hat w - w^*\rVert^2`.
With :math:`c = \sigma^2 d / (T - d - 1)` (the mean of
:math:`\sigma^2\,\mathrm{tr}(X^\top X)^{-1}`), :func:`regression_risk` gives
:math:`\mathbb E\mathcal E_{\rm replace}(n) = c\,n` and
:math:`\mathbb E\mathcal E_{\rm acc}(n) = c\sum_{i=1}^n i^{-2} < \tfrac{\pi^2}{6}c`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import torch

from learntheory._core import check_choice, check_int, check_positive

__all__ = ["RegressionLoop", "RegressionState", "regression_risk", "regression_step"]

MODES = ("replace", "accumulate")


@dataclass(frozen=True)
class RegressionLoop:
    r"""Least squares on a fixed design, relabelled by its own predictions each generation.

    Parameters
    ----------
    n_train : int
        :math:`T`, rows of the design; at least ``dim + 2`` (the mean of
        :math:`\mathrm{tr}(X^\top X)^{-1}` is finite only then).
    dim : int
        :math:`d`, the number of weights.
    noise : float
        :math:`\sigma \ge 0`, the label noise.
    mode : {"replace", "accumulate"}

    Notes
    -----
    Implements the linear-regression model of [Gerstgrasser2024] (after [Dohmatob2024]);
    book: ``collapse-accumulate``.
    """

    n_train: int
    dim: int
    noise: float = 1.0
    mode: str = "replace"

    def __post_init__(self) -> None:
        owner = "RegressionLoop"
        check_int(self.dim, "dim", owner=owner)
        check_int(self.n_train, "n_train", owner=owner)
        if self.n_train < self.dim + 2:
            raise ValueError(f"The 'n_train' parameter of {owner} must be at least dim + 2 = "
                             f"{self.dim + 2} (fewer samples than parameters leave least "
                             f"squares without a finite mean error). Got {self.n_train}.")
        check_positive(self.noise, "noise", owner=owner, allow_zero=True)
        check_choice(self.mode, "mode", MODES, owner=owner)

    def initial_state(self, n_chains: int, *, generator: torch.Generator | None = None,
                      device: torch.device | str | None = None,
                      dtype: torch.dtype = torch.float64) -> RegressionState:
        """Draw each chain's design and :math:`w^* \\sim \\mathcal N(0, I_d/d)`;
        generation 0 is :math:`\\hat w_0 = w^*`."""
        n_chains = check_int(n_chains, "n_chains", owner="RegressionLoop.initial_state")
        x = torch.randn(n_chains, self.n_train, self.dim, generator=generator, device=device,
                        dtype=dtype)
        w_star = torch.randn(n_chains, self.dim, generator=generator, device=device,
                             dtype=dtype) / math.sqrt(self.dim)
        # the least-squares map P = (X^T X)^{-1} X^T, once per chain (X has full rank a.s.)
        gram = x.transpose(1, 2) @ x
        solver = torch.linalg.solve(gram, x.transpose(1, 2))
        return RegressionState(config=self, generation=0, x=x, solver=solver, w_star=w_star,
                               weights=w_star.clone(),
                               label_sum=torch.zeros(n_chains, self.n_train, device=x.device,
                                                     dtype=dtype))

    def step(self, state: RegressionState, *, generator: torch.Generator | None = None
             ) -> RegressionState:
        return regression_step(state, generator=generator)


@dataclass(frozen=True)
class RegressionState:
    """Each chain's design, least-squares map, true and current weights.

    Attributes
    ----------
    x : torch.Tensor, shape (n_chains, T, d)
    solver : torch.Tensor, shape (n_chains, d, T)
        :math:`(X^\\top X)^{-1}X^\\top`.
    w_star, weights : torch.Tensor, shape (n_chains, d)
    label_sum : torch.Tensor, shape (n_chains, T)
        Sum of every generation's labels (accumulate mode).
    """

    config: RegressionLoop
    generation: int
    x: torch.Tensor
    solver: torch.Tensor
    w_star: torch.Tensor
    weights: torch.Tensor
    label_sum: torch.Tensor

    def observe(self) -> dict[str, torch.Tensor]:
        """``risk``: the excess risk :math:`\\lVert\\hat w - w^*\\rVert^2` of each chain."""
        return {"risk": ((self.weights - self.w_star) ** 2).sum(1)}


def regression_step(state: RegressionState, *, generator: torch.Generator | None = None
                    ) -> RegressionState:
    r"""Relabel the design with the current model plus noise, and refit by least squares."""
    cfg = state.config
    noise = torch.randn(state.label_sum.shape, generator=generator,
                        device=state.x.device, dtype=state.x.dtype)
    # batched matrix-vector products as broadcast sums (faster than bmm for small d)
    labels = (state.x * state.weights[:, None, :]).sum(-1) + cfg.noise * noise
    label_sum = state.label_sum + labels
    target = labels if cfg.mode == "replace" else label_sum / (state.generation + 1)
    weights = (state.solver * target[:, None, :]).sum(-1)
    return replace(state, generation=state.generation + 1, weights=weights,
                   label_sum=label_sum)


def regression_risk(config: RegressionLoop, n_generations: int) -> torch.Tensor:
    r"""Expected excess risk at generations ``0..n_generations`` (float64, CPU).

    :math:`c\,n` (replace) or :math:`c\sum_{i\le n} i^{-2}` (accumulate), with
    :math:`c = \sigma^2 d/(T - d - 1)`. The accumulate curve stays below
    :math:`\tfrac{\pi^2}{6}c` for every :math:`n` (a bound; the curve is exact).

    Notes
    -----
    Implements the replace and accumulate risks of [Gerstgrasser2024] (their linear model,
    derived in book: ``collapse-accumulate``).
    """
    if not isinstance(config, RegressionLoop):
        raise TypeError("The 'config' parameter of regression_risk must be a RegressionLoop. "
                        f"Got {type(config).__name__}.")
    n_generations = check_int(n_generations, "n_generations", owner="regression_risk",
                              minimum=0)
    c = config.noise**2 * config.dim / (config.n_train - config.dim - 1)
    n = torch.arange(n_generations + 1, dtype=torch.float64)
    if config.mode == "replace":
        return c * n
    inv_sq = torch.cat([torch.zeros(1, dtype=torch.float64), 1.0 / n[1:] ** 2])
    return c * torch.cumsum(inv_sq, 0)
