"""Figures for the KDE-regimes chapter. Each function draws a result object on given Axes
and returns the artists; the numbers come from :mod:`learntheory.kde`."""

from __future__ import annotations

import torch
from matplotlib.axes import Axes
from matplotlib.ticker import MaxNLocator

from learntheory.plotting.style import PALETTE

__all__ = [
    "plot_participation",
    "plot_phase_diagram",
    "plot_phase_points",
    "plot_top_weights",
    "plot_y2_histogram",
]


def _np(t):
    return t.detach().cpu().numpy()


def plot_phase_diagram(ax: Axes, diagram):
    """The (alpha, h) plane: h_CLT, h_G, h_KL and Scott's limit e^{-alpha}, regimes shaded.

    ``diagram`` is a :class:`~learntheory.kde.phase.PhaseDiagram`.
    """
    a = _np(diagram.alpha)
    top = max(float(diagram.clt.max()) * 1.15, 1e-3)
    arts = [ax.fill_between(a, 0, _np(diagram.glass), color=PALETTE[1], alpha=0.12, lw=0,
                            label="condensed ($h < h_G$)"),
            ax.fill_between(a, _np(diagram.glass), _np(diagram.clt), color=PALETTE[4],
                            alpha=0.12, lw=0, label="heavy-tailed"),
            ax.fill_between(a, _np(diagram.clt), top, color=PALETTE[0], alpha=0.08, lw=0,
                            label="CLT ($h > h_{CLT}$)")]
    arts += ax.plot(a, _np(diagram.clt), color=PALETTE[0], lw=2, label=r"$h_{CLT}=\sqrt{2}\,h_G$")
    arts += ax.plot(a, _np(diagram.glass), color=PALETTE[1], lw=2, label="$h_G$")
    arts += ax.plot(a, _np(diagram.kl), color=PALETTE[2], lw=2, ls="--", label="$h_{KL}$")
    arts += ax.plot(a, _np(diagram.scott_limit), color="0.3", lw=1.2, ls=":",
                    label=r"Scott, $d\to\infty$: $e^{-\alpha}$")
    ax.set_xlim(float(a.min()), float(a.max()))
    ax.set_ylim(0, top)
    ax.set_xlabel(r"$\alpha = \ln n / d$")
    ax.set_ylabel("bandwidth $h$")
    ax.legend(loc="upper right")
    return arts


def plot_participation(ax: Axes, summary, *, color: str = PALETTE[0], label: str | None = None,
                       theory: bool = True):
    """Mean participation ratio (±2 SE) against h / h_G(alpha_eff), with the d = ∞ curve.

    ``summary`` is a :class:`~learntheory.kde.simulation.ParticipationSummary`; call it once
    per dimension on the same Axes (``theory=False`` after the first) to show the curves
    sharpen with d.
    """
    r = _np(summary.ratio)
    arts = [ax.errorbar(r, _np(summary.mean_y2), yerr=2 * _np(summary.se_y2), fmt="o-",
                        color=color, ms=4, capsize=2,
                        label=label or f"d = {summary.d}")]
    if theory:
        arts += ax.plot(r, _np(summary.theory), color="k", lw=1.2, ls="--",
                        label=r"$1 - (h/h_G)^2$, $d=\infty$")
    ax.axvline(1.0, color="0.6", lw=0.8)
    ax.set_xlabel(r"$h / h_G(\alpha_{\rm eff})$")
    ax.set_ylabel(r"$\langle Y_2 \rangle$")
    ax.set_ylim(-0.02, 1.02)
    ax.legend()
    return arts


def plot_top_weights(ax: Axes, weights, *, k: int = 20, color: str = PALETTE[0],
                     title: str | None = None):
    """Bar chart of the ``k`` largest normalised weights :math:`w_i` at one query point.

    ``weights`` is a 1-D tensor of weights summing to 1 (any order); the bars are sorted,
    largest first, and the legend gives :math:`Y_2 = \\sum_i w_i^2` and :math:`1/Y_2`.
    """
    w = weights.detach().reshape(-1)
    y2 = float((w * w).sum())
    top = _np(torch.sort(w, descending=True).values[:k])
    arts = [ax.bar(range(1, len(top) + 1), top, color=color, width=0.8,
                   label=f"$Y_2$ = {y2:.3f}, $1/Y_2$ = {1 / y2:.1f}")]
    ax.set_xlabel("rank of the data point (by weight)")
    ax.set_ylabel("normalised weight $w_i$")
    ax.set_ylim(0, 1.02)
    ax.set_xlim(0.3, len(top) + 0.7)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper right")
    if title is not None:
        ax.set_title(title)
    return arts


def plot_y2_histogram(ax: Axes, sim, *, glass: float, column: int = 0,
                      color: str = PALETTE[0]):
    """Histogram of the participation ratio :math:`Y_2` over the test points of ``sim``.

    ``sim`` is a :class:`~learntheory.kde.simulation.KDESimulation`; ``column`` picks its
    bandwidth; ``glass`` is :math:`h_G` (of :math:`\\alpha_{\\rm eff}`), which places the
    :math:`d=\\infty` mean :math:`\\max(0, 1-(h/h_G)^2)` as a dashed line.
    """
    y2 = _np(sim.participation_ratio[:, column])
    h = float(sim.bandwidths[column])
    theory = max(0.0, 1.0 - (h / glass) ** 2)
    _, _, bars = ax.hist(y2, bins=25, range=(0, 1), color=color, alpha=0.7,
                         label=f"d = {sim.d}, h = {h:.2f}")
    arts = [bars]
    arts.append(ax.axvline(float(y2.mean()), color=color, lw=2,
                           label=rf"mean $\langle Y_2\rangle$ = {y2.mean():.2f}"))
    arts.append(ax.axvline(theory, color="k", lw=1.2, ls="--",
                           label=rf"$1-(h/h_G)^2$ = {theory:.2f}"))
    ax.set_xlabel(r"participation ratio $Y_2 = \sum_i w_i^2$")
    ax.set_ylabel("test points")
    ax.set_xlim(0, 1)
    ax.legend()
    return arts


def plot_phase_points(ax: Axes, alpha, h, value, *, vmin: float = 0.0, vmax: float = 1.0,
                      label: str = r"$\langle Y_2\rangle$"):
    """Simulated points on the phase diagram, coloured by ``value`` (e.g. mean :math:`Y_2`).

    ``alpha``, ``h`` and ``value`` are 1-D sequences of the same length; adds a colour bar.
    """
    sc = ax.scatter(alpha, h, c=value, cmap="viridis_r", vmin=vmin, vmax=vmax, s=36,
                    edgecolors="k", linewidths=0.4, zorder=5)
    ax.figure.colorbar(sc, ax=ax, label=label)
    return [sc]
