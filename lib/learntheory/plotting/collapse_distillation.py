"""Figures for self-distillation (model-collapse chapter). Each function draws on a given
Axes and returns the artists; the numbers come from :mod:`learntheory.collapse.distillation`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib as mpl
import torch
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

from learntheory.plotting.style import PALETTE

__all__ = [
    "plot_distillation_diagonal",
    "plot_distillation_fits",
    "plot_distillation_losses",
    "plot_optimal_alpha",
]


def _np(t: torch.Tensor):
    return t.detach().cpu().numpy()


def _step_colors(n_steps: int) -> list:
    """``n_steps`` colours from dark (step 1) to light (the last step), viridis."""
    cmap = mpl.colormaps["viridis"]
    return [cmap(0.85 * i / max(n_steps - 1, 1)) for i in range(n_steps)]


def _steps(steps: Sequence[int] | None, total: int) -> list[int]:
    chosen = list(range(1, total + 1)) if steps is None else [int(t) for t in steps]
    bad = [t for t in chosen if not 1 <= t <= total]
    if bad:
        raise ValueError(f"The 'steps' parameter must hold steps in 1..{total}. Got {bad}.")
    return chosen


def plot_distillation_fits(ax: Axes, data, run, *, steps: Sequence[int] | None = None,
                           highlight: int | None = None, show_limit: bool = True,
                           legend: bool = True, ylim: tuple[float, float] = (-2.2, 2.2)):
    """The training sample, the target and the students f^(t) of a distillation run.

    Parameters
    ----------
    ax : Axes
    data : Regression1D
        The sample the run was fitted to.
    run : DistillationRun
        From :func:`learntheory.collapse.distill_krr_1d`.
    steps : sequence of int, optional
        Which steps to draw (1-based); all by default. Coloured dark (early) to light.
    highlight : int, optional
        A step drawn thick, the others thin.
    show_limit : bool
        Draw the infinite-step student f^(∞) (dashed black).
    legend : bool
        Add a legend (turn off to build one figure legend for several panels).
    ylim : (float, float)
    """
    steps = _steps(steps, run.steps)
    x = _np(data.x_test[:, 0])
    arts = [ax.scatter(_np(data.x_train[:, 0]), _np(data.y_train), s=14, color="0.55",
                       label="training data", zorder=3)]
    arts += ax.plot(x, _np(data.f_test), color="0.3", lw=1, ls=":", label="target $f^*$")
    for t, color in zip(steps, _step_colors(len(steps)), strict=True):
        lw = 1.5 if highlight is None else (2.6 if t == highlight else 1.0)
        arts += ax.plot(x, _np(run.test[t - 1]), color=color, lw=lw, label=f"$t = {t}$")
    if show_limit:
        arts += ax.plot(x, _np(run.limit_test), color="k", lw=1.6, ls="--",
                        label=r"$t = \infty$")
    ax.set_xlabel("$x$")
    ax.set_ylabel("$f^{(t)}(x)$")
    ax.set_ylim(*ylim)
    ax.set_title(f"α = {run.alpha:g}")
    if legend:
        ax.legend(loc="lower left", ncol=2)
    return arts


def plot_distillation_diagonal(ax: Axes, diagonal: torch.Tensor, *,
                               steps: Sequence[int] | None = None,
                               measured: torch.Tensor | None = None,
                               limit: torch.Tensor | None = None, k: int | None = None,
                               floor: float = 1e-4, legend: bool = True):
    """The diagonal b_j^(t) against the eigen-index j (log scale), one curve per step.

    Parameters
    ----------
    ax : Axes
    diagonal : torch.Tensor, shape (T, n)
        The closed form (:func:`learntheory.collapse.distillation_diagonal`), drawn as lines.
    steps : sequence of int, optional
        Which steps to draw (1-based); all by default.
    measured : torch.Tensor, shape (T, n), optional
        The same diagonal measured by retraining, drawn as markers in the same colours.
    limit : torch.Tensor, shape (n,), optional
        :math:`b^{(\\infty)}`, dashed black.
    k : int, optional
        Number of eigen-indices shown (all by default).
    floor : float
        Lower end of the y axis.
    legend : bool
    """
    steps = _steps(steps, diagonal.shape[0])
    k = diagonal.shape[1] if k is None else k
    j = list(range(1, k + 1))
    arts = []
    for t, color in zip(steps, _step_colors(len(steps)), strict=True):
        arts += ax.semilogy(j, _np(diagonal[t - 1, :k]), color=color, lw=1.5, label=f"$t = {t}$")
        if measured is not None:
            arts += ax.semilogy(j, _np(measured[t - 1, :k]), "o", color=color, ms=4, mfc="none")
    if measured is not None:  # one legend entry for every marker
        arts += ax.semilogy([], [], "o", color="0.3", ms=4, mfc="none", label="retrained")
    if limit is not None:
        arts += ax.semilogy(j, _np(limit[:k]), color="k", lw=1.6, ls="--", label=r"$t = \infty$")
    ax.set_ylim(floor, 1.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("eigen-index $j$")
    ax.set_ylabel("$b_j^{(t)}$")
    if legend:
        ax.legend(loc="lower left", ncol=2)
    return arts


def plot_distillation_losses(ax: Axes, losses: Mapping[str, torch.Tensor], *,
                             limits: Mapping[str, float] | None = None,
                             current: int | None = None, logx: bool = True,
                             linestyles: Sequence[str] = ("-",)):
    """Test error of f^(t) against the step t (log y; log x by default), one curve per label.

    Parameters
    ----------
    ax : Axes
    losses : mapping of str to torch.Tensor of shape (T,)
        Label (e.g. ``"α = 0.25"``) to the test error at t = 1..T.
    limits : mapping of str to float, optional
        The error of f^(∞) for some labels, dotted in the same colour.
    current : int, optional
        A step marked by a vertical line.
    logx : bool
        Logarithmic step axis (for long runs); otherwise integer ticks.
    linestyles : sequence of str
        Cycled over the curves (to tell apart curves that overlap).
    """
    arts = []
    for i, ((label, loss), color) in enumerate(zip(losses.items(), PALETTE, strict=False)):
        t = range(1, loss.shape[0] + 1)
        arts += ax.semilogy(t, _np(loss), color=color, lw=1.8, label=label,
                            ls=linestyles[i % len(linestyles)])
        if limits is not None and label in limits:
            arts.append(ax.axhline(limits[label], color=color, lw=1, ls=":"))
    if current is not None:
        arts.append(ax.axvline(current, color="0.4", lw=1))
    # labels at 1, 2, 3, 5 x 10^k written plainly (0.03 rather than 3 x 10^-2)
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 3.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    if logx:
        ax.set_xscale("log")
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("distillation step $t$")
    ax.set_ylabel("test error of $f^{(t)}$")
    ax.legend()
    return arts


def plot_optimal_alpha(ax: Axes, alphas: Mapping[str, torch.Tensor], *,
                       markers: Sequence[str] = ("o", "s", "^", "D")):
    """The best weight α*_t of each step against t, one curve per way of choosing it.

    Parameters
    ----------
    ax : Axes
    alphas : mapping of str to torch.Tensor of shape (T,)
        Label to α* at t = 1..T (NaN at step 1, where it is undefined, is skipped).
    markers : sequence of str
    """
    arts = [ax.axhline(v, color="0.75", lw=0.8) for v in (0.0, 1.0)]
    for (label, a), color, m in zip(alphas.items(), PALETTE, markers, strict=False):
        arts += ax.plot(range(1, a.shape[0] + 1), _np(a), marker=m, ms=5, color=color,
                        lw=1.4, label=label)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("distillation step $t$")
    ax.set_ylabel(r"best weight $\alpha^*_t$")
    ax.legend()
    return arts
