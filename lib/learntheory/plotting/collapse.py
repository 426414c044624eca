"""Figures of the model-collapse chapter: loops simulated over many chains, with their
closed forms on the same axes. Each function draws on a given Axes and returns the
artists; the numbers come from :mod:`learntheory.collapse`."""

from __future__ import annotations

import math

import torch
from matplotlib.axes import Axes

from learntheory.plotting.style import PALETTE

__all__ = ["plot_chain_mean", "plot_densities", "plot_risk_laws", "plot_theory",
           "plot_variance_fan"]


def _np(t):
    return torch.as_tensor(t).detach().cpu().double().numpy()


def plot_chain_mean(ax: Axes, generations, values: torch.Tensor, *, color: str = PALETTE[0],
                    label: str | None = None, z: float = 2.0, marker: str = "o"):
    """Mean over chains of ``values`` (G, n_chains) against ``generations``, with a band
    of ``z`` standard errors (the chains are independent)."""
    n = values.shape[1]
    mean = values.mean(1)
    se = values.std(1) / math.sqrt(n) if n > 1 else torch.zeros_like(mean)
    g = _np(generations)
    arts = ax.plot(g, _np(mean), marker, color=color, ms=3, label=label)
    arts.append(ax.fill_between(g, _np(mean - z * se), _np(mean + z * se), color=color,
                                alpha=0.25, lw=0))
    return arts


def plot_theory(ax: Axes, generations, values, *, color: str = "k", label: str | None = None,
                ls: str = "--"):
    """A closed-form curve (dashed by default) over the same generations."""
    return ax.plot(_np(generations), _np(values), ls=ls, color=color, lw=1.5, label=label)


def plot_variance_fan(ax: Axes, history, moments, *, n_paths: int = 40,
                      color: str = PALETTE[0]):
    r"""The fan of :math:`\sigma_g^2` paths of a Gaussian loop on a log scale.

    Thin lines: ``n_paths`` chains. Measured across all chains: the median (solid) and
    the mean (markers). Theory (:class:`~learntheory.collapse.GaussianMoments`): the exact
    :math:`\mathbb E\sigma_g^2` (dashed) and the median (dotted, first order in the
    skewness of the log).
    """
    g = _np(history.generations)
    var = history["var"]
    arts = []
    for path in var[:, :n_paths].T:
        arts += ax.plot(g, _np(path), color=color, lw=0.5, alpha=0.35)
    arts += ax.plot(g, _np(var.median(1).values), color=color, lw=2.2, label="median (measured)")
    arts += ax.plot(g, _np(var.mean(1)), "o", color=PALETTE[1], ms=3,
                    label="mean (measured)")
    arts += plot_theory(ax, moments.generations, moments.var_mean,
                        label=r"$\mathbb{E}\,\sigma^2_g$ (exact)")
    arts += plot_theory(ax, moments.generations, moments.median_var, ls=":",
                        label="median (theory)")
    ax.set_yscale("log")
    ax.set_xlabel("generation $g$")
    ax.set_ylabel(r"fitted variance $\sigma_g^2$")
    return arts


def plot_densities(ax: Axes, grid: torch.Tensor, densities: dict, *, truth=None,
                   cmap: str = "viridis"):
    """Fitted densities across generations (``{generation: density on grid}``), coloured
    from early to late, with the true density in black."""
    import matplotlib as mpl

    colours = mpl.colormaps[cmap]
    keys = list(densities)
    arts = []
    for i, g in enumerate(keys):
        arts += ax.plot(_np(grid), _np(densities[g]), color=colours(i / max(len(keys) - 1, 1)),
                        lw=1.4, label=f"generation {g}")
    if truth is not None:
        arts += ax.plot(_np(grid), _np(truth), color="k", lw=1.2, ls="--", label="real data")
    ax.set_xlabel("$x$")
    ax.set_ylabel("density")
    return arts


def plot_risk_laws(ax: Axes, generations, laws: dict, *, bound: float | None = None):
    r"""Closed-form test-error curves (``{label: values}``, dashed then dotted), and the
    accumulate bound :math:`\pi^2 c/6` as a grey line."""
    arts = []
    for (label, values), ls in zip(laws.items(), ("--", ":", "-."), strict=False):
        arts += plot_theory(ax, generations, values, ls=ls, label=label)
    if bound is not None:
        arts.append(ax.axhline(bound, color="0.5", lw=0.8, label=r"bound $\pi^2 c/6$"))
    ax.set_xlabel("generation $n$")
    ax.set_ylabel(r"test error $\|\hat w_n - w^*\|^2$")
    return arts
