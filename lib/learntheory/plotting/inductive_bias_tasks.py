"""Figures of the inductive-bias chapter's task and model-class pages (book:
``ib-dimension``, ``ib-model-classes``). Each function draws on a given Axes and returns
the artists; the numbers come from :mod:`learntheory.inductive_bias`."""

from __future__ import annotations

import math

import torch
from matplotlib.axes import Axes

from learntheory.plotting.style import PALETTE

__all__ = ["plot_bits_against", "plot_bits_by_space", "plot_error_parts"]


def _np(t):
    return torch.as_tensor(t).detach().cpu().double().numpy()


def _mean_se(values: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean and standard error over the last axis (repetitions: teachers, splits)."""
    v = torch.as_tensor(values, dtype=torch.float64)
    if v.ndim == 1:
        return v, torch.zeros_like(v)
    n = v.shape[-1]
    se = v.std(-1) / math.sqrt(n) if n > 1 else torch.zeros(v.shape[:-1], dtype=v.dtype)
    return v.mean(-1), se


def plot_bits_against(ax: Axes, x, bits: torch.Tensor, *, label: str | None = None,
                      color: str = PALETTE[0], marker: str = "o", ls: str = "-",
                      xlabel: str | None = None, ylabel: str = "inductive bias $I$ (bits)"):
    """Mean of ``bits`` (k, n_rep) over its repetitions against ``x`` (k,), with error
    bars of one standard error (the repetitions are independent teachers or splits).

    Points whose repetitions are not all finite (an unattainable or unresolvable target)
    are left out; a 1-D ``bits`` is drawn without error bars.
    """
    mean, se = _mean_se(bits)
    ok = torch.isfinite(mean) & torch.isfinite(se)
    xs = torch.as_tensor(x, dtype=torch.float64)[ok]
    arts = [ax.errorbar(_np(xs), _np(mean[ok]), yerr=_np(se[ok]), fmt=marker, ls=ls,
                        color=color, ms=4, capsize=2, lw=1.4, label=label)]
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return arts


def plot_error_parts(ax: Axes, x, mean_error: torch.Tensor, interpolant: torch.Tensor,
                     spread: torch.Tensor, *, epsilons=(), label_at=None,
                     xlabel: str = "task dimension"):
    r"""The mean test error of a random interpolating hypothesis and its two parts.

    ``mean_error`` = ``interpolant`` (the error of the posterior mean,
    :math:`\lVert\mu - y_*\rVert^2/m`) + ``spread`` (the mean posterior variance,
    :math:`\operatorname{tr}\Sigma_*/m`); each (k, n_rep), drawn as mean ± one standard
    error over the repetitions. ``epsilons`` are marked as dotted horizontal lines,
    labelled just above the line at ``label_at`` (one x in axes fraction per epsilon,
    left end of the text; default: right-aligned at the right edge).
    """
    arts = []
    for vals, lab, col, mk in ((mean_error, r"mean error $\mathbb{E}\,e(h)$", PALETTE[0], "o"),
                               (interpolant, r"interpolant $\|\mu - y_*\|^2/m$", PALETTE[1],
                                "s"),
                               (spread, r"spread $\mathrm{tr}\,\Sigma_*/m$", PALETTE[2], "^")):
        arts += plot_bits_against(ax, x, vals, label=lab, color=col, marker=mk,
                                  xlabel=xlabel, ylabel="test error (MSE)")
    xs = [None] * len(epsilons) if label_at is None else list(label_at)
    for eps, at in zip(epsilons, xs, strict=True):
        arts.append(ax.axhline(float(eps), color="0.5", lw=0.9, ls=":"))
        x, dx, ha = (1.0, -4, "right") if at is None else (float(at), 0, "left")
        arts.append(ax.annotate(rf"$\varepsilon$ = {float(eps):g}", (x, float(eps)),
                                xycoords=("axes fraction", "data"), xytext=(dx, 2),
                                textcoords="offset points", ha=ha, va="bottom",
                                fontsize=10, color="0.35"))
    return arts


def plot_bits_by_space(ax: Axes, epsilons, curves: dict, *, styles: dict | None = None):
    r""":math:`I(\varepsilon)` against :math:`\varepsilon` for several hypothesis spaces.

    ``curves`` maps a name to a tensor of bits at ``epsilons`` (non-finite values, i.e.
    unattainable targets, are not drawn); ``styles`` optionally maps a name to keyword
    arguments of ``ax.plot`` (colour, line style, marker). The bits axis is logarithmic,
    so values below 0.01 bit are clipped there.
    """
    eps = torch.as_tensor(epsilons, dtype=torch.float64)
    arts = []
    for i, (name, bits) in enumerate(curves.items()):
        b = torch.as_tensor(bits, dtype=torch.float64)
        ok = torch.isfinite(b)
        kw = dict(color=PALETTE[i % len(PALETTE)], lw=1.6, marker="o", ms=3)
        kw.update((styles or {}).get(name, {}))
        arts += ax.plot(_np(eps[ok]), _np(b[ok].clamp_min(1e-2)), label=name, **kw)
    ax.set_yscale("log")
    ax.set_xlabel(r"target test error $\varepsilon$")
    ax.set_ylabel(r"$I(\varepsilon)$ (bits)")
    return arts
