"""Explorer of curated retraining: the number of compared samples K and the real-data weight.

It only wires a grid to :func:`learntheory.collapse.run_curation` and to
:func:`learntheory.plotting.plot_curation_run`; the page's static figures call the same two.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from learntheory._core import make_generator
from learntheory.collapse import CurationLoop, run_curation
from learntheory.plotting.collapse_curation import plot_curation_run
from learntheory.widgets.explorer import Explorer

__all__ = ["explore_curation"]


def explore_curation(
    candidates: Sequence[int],
    real_fractions: Sequence[float],
    *,
    n_generations: int = 10,
    n_chains: int = 2,
    n_curated: int = 500,
    seed: int = 0,
) -> Explorer:
    r"""K x real weight: the curated loop's samples, reward and best-mode weight.

    The real weight :math:`f = 1/(1+\lambda)` of the objective
    :math:`\mathbb E_{p_{\rm data}}\log p + \lambda\,\mathbb E_{\hat p_t}\log p`
    (``f = 0``: no real data, :math:`\lambda = \infty`) keeps the slider finite. Each frame
    runs :func:`~learntheory.collapse.run_curation` with ``n_curated`` kept samples and as
    many real ones per generation (generator seeded by ``seed``) and draws it with
    :func:`~learntheory.plotting.plot_curation_run`.
    """

    def draw(fig, n_candidates: int, real_fraction: float) -> None:
        ratio = math.inf if real_fraction == 0 else (1 - real_fraction) / real_fraction
        cfg = CurationLoop(n_candidates=n_candidates, synthetic_ratio=ratio,
                           n_curated=n_curated, n_real=n_curated)
        run = run_curation(cfg, n_generations, n_chains=n_chains,
                           snapshot_at=(n_generations,), n_samples=min(n_curated, 1000),
                           dtype=torch.float64, generator=make_generator(seed))
        plot_curation_run(fig.subplots(1, 3), run)

    return Explorer(draw, {"n_candidates": list(candidates),
                           "real_fraction": list(real_fractions)},
                    labels={"n_candidates": "K (samples per choice)",
                            "real_fraction": "real weight 1/(1+λ)"},
                    figsize=(6.8, 2.6), title="Curated retraining")
