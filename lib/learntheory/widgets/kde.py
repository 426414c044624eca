"""Explorers of the KDE-regimes chapter: the weights of the nearest points, and Y2.

Each explorer only wires a grid to a numeric function of :mod:`learntheory.kde`
and to the :mod:`learntheory.plotting` function that draws its result; the pages'
static figures call the same two.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from learntheory._core import make_generator
from learntheory.kde import (
    clt_bandwidth,
    effective_alpha,
    glass_bandwidth,
    kde_regime,
    nearest_weights,
    simulate_kde_scalar,
)
from learntheory.plotting.kde import plot_top_weights, plot_y2_histogram
from learntheory.widgets.explorer import Explorer

__all__ = ["explore_nearest_weights", "explore_participation"]


def _regime(h: float, alpha_eff: float) -> str:
    hg, hc = float(glass_bandwidth(alpha_eff)), float(clt_bandwidth(alpha_eff))
    names = {"condensed": f"condensed (h < h_G = {hg:.2f})",
             "heavy-tailed": f"heavy-tailed ({hg:.2f} = h_G < h < h_CLT = {hc:.2f})",
             "CLT": f"CLT (h > h_CLT = {hc:.2f})"}
    return names[kde_regime(h, alpha_eff)]


def explore_nearest_weights(
    alphas: Sequence[float],
    bandwidths: Sequence[float],
    *,
    d: int,
    k: int = 20,
    seed: int = 0,
) -> Explorer:
    """alpha x h: the largest normalised weights of the KDE at one test point, and the regime.

    Computes :func:`~learntheory.kde.nearest_weights` (:math:`n = e^{\\alpha d}` points
    from :math:`\\mathcal N(0, I_d)` and one test point, generator seeded by ``seed``)
    and draws its ``k`` largest weights with :func:`~learntheory.plotting.plot_top_weights`;
    the title names the regime against :math:`h_G(\\alpha_{\\rm eff})` and
    :math:`h_{CLT}(\\alpha_{\\rm eff})`.
    """

    def draw(fig, alpha: float, h: float) -> None:
        res = nearest_weights(alpha, d, h, dtype=torch.float64, generator=make_generator(seed))
        plot_top_weights(fig.subplots(), res.weights, k=k,
                         title=f"d = {d}, n = {res.n}: {_regime(h, res.alpha_eff)}")

    return Explorer(draw, {"alpha": list(alphas), "h": list(bandwidths)},
                    labels={"alpha": "α = ln n / d", "h": "bandwidth h"},
                    title="The weights of the nearest data points")


def explore_participation(
    dims: Sequence[int],
    bandwidths: Sequence[float],
    *,
    alpha: float,
    n_test: int,
    seed: int = 0,
) -> Explorer:
    """d x h: the participation ratio over many datasets against its d = ∞ mean.

    Computes :func:`~learntheory.kde.simulate_kde_scalar` (one fresh dataset per test
    point) and draws it with :func:`~learntheory.plotting.plot_y2_histogram`, placed
    against :math:`h_G(\\alpha_{\\rm eff})`.
    """

    def draw(fig, d: int, h: float) -> None:
        sim = simulate_kde_scalar(alpha, d, [h], n_test, dtype=torch.float64,
                                  generator=make_generator(seed))
        a_eff = float(effective_alpha(alpha, d))
        ax = fig.subplots()
        plot_y2_histogram(ax, sim, glass=float(glass_bandwidth(a_eff)))
        ax.set_title(f"α = {alpha}, n = {sim.n}: {_regime(h, a_eff)}")

    return Explorer(draw, {"d": list(dims), "h": list(bandwidths)},
                    labels={"d": "dimension d", "h": "bandwidth h"},
                    title="Participation ratio over datasets")
