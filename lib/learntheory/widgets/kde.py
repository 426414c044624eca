"""Explorers of the KDE-regimes chapter."""

from __future__ import annotations

from collections.abc import Sequence

from learntheory._core import make_generator
from learntheory.kde import (
    bandwidths_at_ratios,
    participation_summary,
    phase_diagram,
    simulate_kde_scalar,
)
from learntheory.plotting import plot_participation, plot_phase_diagram
from learntheory.widgets.explorer import Explorer

__all__ = ["explore_participation"]


def explore_participation(
    alphas: Sequence[float],
    dims: Sequence[int],
    *,
    ratios: Sequence[float],
    n_test: int,
    seed: int = 0,
    defaults: dict | None = None,
) -> Explorer:
    """alpha x d explorer: the phase diagram (left) and the mean participation ratio against
    h / h_G(alpha_eff) from the scalar shortcut, with the d = infinity curve (right).

    Parameters
    ----------
    alphas, dims : sequences
        The grid (alpha > 0; dimensions with alpha_eff > 0).
    ratios : sequence of float
        h / h_G(alpha_eff) values simulated in each frame.
    n_test : int
        Test points per frame.
    seed : int
        Seed of each frame's generator (frames are reproducible).
    defaults : dict, optional
        Initial ``alpha`` and ``d``.
    """
    lo, hi = 0.5 * min(alphas), 1.5 * max(alphas)
    diagram = phase_diagram([lo + (hi - lo) * i / 99 for i in range(100)])

    def draw(fig, alpha: float, d: int) -> None:
        ax_phase, ax_y2 = fig.subplots(1, 2)
        plot_phase_diagram(ax_phase, diagram)
        hs = bandwidths_at_ratios(list(ratios), alpha, d)
        sim = simulate_kde_scalar(alpha, d, hs, n_test, generator=make_generator(seed))
        plot_participation(ax_y2, participation_summary(sim))
        ax_y2.set_title(f"α = {alpha:g}, d = {d}, n = {sim.n}", fontsize=9)

    return Explorer(draw, {"alpha": list(alphas), "d": list(dims)}, defaults=defaults,
                    title="KDE regimes: participation ratio against h / h_G")
