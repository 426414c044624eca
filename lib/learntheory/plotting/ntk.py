"""Figures for the NTK chapter. Each function draws on given Axes and returns artists."""

from __future__ import annotations

import math

import torch
from matplotlib.axes import Axes
from matplotlib.ticker import NullFormatter

from learntheory.plotting.style import PALETTE

__all__ = [
    "plot_loglog_fit",
    "plot_ntk_slices",
    "plot_output_ensemble",
    "plot_output_histogram",
    "plot_output_scatter",
]


def _np(t):
    return torch.as_tensor(t).detach().cpu().double().numpy()


def plot_output_histogram(ax: Axes, samples: torch.Tensor, variance: float, *, bins: int = 60,
                          color: str = PALETTE[0], label: str = "random networks"):
    """Histogram (density) of network outputs and the Gaussian N(0, variance) of the NNGP."""
    f = _np(samples)
    sd = math.sqrt(variance)
    lim = 4.5 * sd
    arts = [ax.hist(f, bins=bins, range=(-lim, lim), density=True, color=color, alpha=0.55,
                    label=label)[2]]
    grid = torch.linspace(-lim, lim, 301, dtype=torch.float64)
    pdf = torch.exp(-0.5 * grid**2 / variance) / math.sqrt(2 * math.pi * variance)
    arts += ax.plot(_np(grid), _np(pdf), color="k", lw=1.5, label=r"NNGP $\mathcal{N}(0,\Sigma)$")
    ax.set_xlabel("$f(x)$")
    ax.set_ylabel("density")
    ax.set_xlim(-lim, lim)
    return arts


def plot_output_scatter(ax: Axes, samples: torch.Tensor, cov: torch.Tensor, *,
                        max_points: int = 3000, color: str = PALETTE[0]):
    """Scatter of (f(x1), f(x2)) over networks with the NNGP's 1, 2 and 3 sigma ellipses."""
    f = _np(samples[:max_points])
    arts = [ax.scatter(f[:, 0], f[:, 1], s=3, alpha=0.3, color=color, rasterized=True)]
    vals, vecs = torch.linalg.eigh(torch.as_tensor(cov, dtype=torch.float64).cpu())
    t = torch.linspace(0, 2 * math.pi, 200, dtype=torch.float64)
    circle = torch.stack([t.cos(), t.sin()])
    for r in (1, 2, 3):
        ell = vecs @ (vals.clamp_min(0).sqrt()[:, None] * circle) * r
        arts += ax.plot(_np(ell[0]), _np(ell[1]), color="k", lw=1)
    lim = 3.5 * float(cov[0, 0]) ** 0.5
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel("$f(x_1)$")
    ax.set_ylabel("$f(x_2)$")
    return arts


def plot_loglog_fit(ax: Axes, x, y, *, fit=None, yerr=None, label: str = "",
                    color: str = PALETTE[0], marker: str = "o"):
    """Measured points (with error bars) and a fitted power law, on log-log axes."""
    arts = [ax.errorbar(_np(x), _np(y), yerr=None if yerr is None else _np(yerr), fmt=marker,
                        color=color, ms=4, capsize=2, label=label)]
    if fit is not None:
        xs = torch.as_tensor(x, dtype=torch.float64)
        arts += ax.plot(_np(xs), _np(fit.predict(xs)), "--", color=color, lw=1,
                        label=f"fit: slope {fit.slope:.2f}" + (
                            f" ± {fit.stderr:.2f}" if math.isfinite(fit.stderr) else ""))
    ax.set_xscale("log")
    ax.set_yscale("log")
    # label the measured widths, not the minor decades (their labels run together)
    ax.set_xticks(_np(x), [f"{float(v):g}" for v in _np(x)])
    ax.xaxis.set_minor_formatter(NullFormatter())
    return arts


def plot_output_ensemble(ax_hist: Axes, ax_scatter: Axes, ensemble, *,
                         color: str = PALETTE[0], show_kurtosis: bool = True):
    """Random networks against their NNGP: histogram of f(x1) (left) and (f(x1), f(x2)) (right).

    ``ensemble`` is a :class:`~learntheory.ntk.ensembles.OutputEnsemble`; the
    histogram's title reports its measured (and, where known, exact) excess kurtosis.
    """
    cfg = ensemble.config
    arts = plot_output_histogram(ax_hist, ensemble.outputs[:, 0], float(ensemble.nngp[0, 0]),
                                 color=color, label=f"width {cfg.width}")
    if show_kurtosis:
        text = f"excess kurtosis {ensemble.excess_kurtosis:.2f}"
        if ensemble.exact_kurtosis is not None:
            text += f" (exact {ensemble.exact_kurtosis:.2f})"
        ax_hist.set_title(f"width {cfg.width}, depth {cfg.depth}\n{text}")
    ax_hist.legend(loc="upper right")
    if ax_scatter is not None and ensemble.outputs.shape[1] > 1:
        arts += plot_output_scatter(ax_scatter, ensemble.outputs, ensemble.nngp, color=color)
        ax_scatter.set_title(f"{ensemble.outputs.shape[0]} networks of width {cfg.width}\n"
                             "at two inputs")
    return arts


def plot_ntk_slices(ax: Axes, gamma: torch.Tensor, slices, *, color: str = PALETTE[0],
                    label: str | None = None):
    """Empirical NTK rows of several networks (thin) against the analytic row (dashed).

    ``slices`` is a :class:`~learntheory.ntk.ensembles.NTKSlices`; ``gamma`` (M,)
    is the abscissa of its columns (the angle on the circle).
    """
    g = _np(gamma)
    if label is None:
        label = f"{slices.empirical.shape[0]} networks, width {slices.config.width}"
    arts = []
    for i, row in enumerate(slices.empirical):
        arts += ax.plot(g, _np(row), color=color, lw=0.8, alpha=0.6,
                        label=label if i == 0 else None)
    arts += ax.plot(g, _np(slices.analytic), color="k", lw=2, ls="--",
                    label=r"analytic $\Theta$")
    ax.set_xlabel(r"input angle $\gamma$")
    ax.set_ylabel(r"$\Theta(x_0, x)$")
    return arts
