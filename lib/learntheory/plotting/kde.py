"""Figures for the KDE-regimes chapter. Each function draws a result object on given Axes
and returns the artists; the numbers come from :mod:`learntheory.kde`."""

from __future__ import annotations

from matplotlib.axes import Axes

from learntheory.plotting.style import PALETTE

__all__ = ["plot_participation", "plot_phase_diagram"]


def _np(t):
    return t.detach().cpu().numpy()


def plot_phase_diagram(ax: Axes, diagram):
    """The (alpha, h) plane: h_CLT, h_G, h_KL and Scott's limit e^{-alpha}, regimes shaded.

    ``diagram`` is a :class:`~learntheory.kde.regimes.PhaseDiagram`.
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
    ax.legend(fontsize=8, loc="upper right")
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
    ax.legend(fontsize=8)
    return arts
