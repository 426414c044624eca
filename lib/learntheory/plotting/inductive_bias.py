"""Figures for the inductive-bias chapter. Each function draws given numbers on given Axes
and returns the artists; the numbers come from :mod:`learntheory.inductive_bias`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch
from matplotlib.axes import Axes

from learntheory.plotting.style import PALETTE

__all__ = [
    "plot_bits_curve",
    "plot_bits_points",
    "plot_error_histogram",
    "plot_figure_legend",
    "plot_fit_convergence",
    "plot_fit_spread",
    "plot_log_tail",
    "plot_marker",
    "plot_toy_hypotheses",
]

#: One colour per estimate, the same on every figure of the chapter.
COLORS = {"exact": "k", "fitted": PALETTE[0], "naive": PALETTE[1], "chernoff": PALETTE[2],
          "limit": PALETTE[3], "empirical": PALETTE[4]}


def _np(t):
    if isinstance(t, torch.Tensor):
        return t.detach().cpu().numpy()
    return np.asarray(t, dtype=float)


def plot_toy_hypotheses(ax: Axes, target, hypotheses, n_train: int, *, best=None,
                        legend: bool = True):
    """The coordinate toy as a table: the target entries, the training entries (all
    hypotheses agree there) and a few sampled hypotheses on the free entries.

    Parameters
    ----------
    ax : Axes
    target : tensor, shape (D,)
        The true table :math:`w^\\star`.
    hypotheses : tensor, shape (k, D)
        A few sampled interpolating hypotheses (thin grey lines).
    n_train : int
        The first ``n_train`` entries are the training set.
    best : tensor, shape (D,), optional
        One hypothesis drawn thick (e.g. the best of many).
    """
    D = target.shape[0]
    j = np.arange(1, D + 1)
    arts = [ax.axvspan(0.5, n_train + 0.5, color="0.9", lw=0, label="training entries")]
    for i, h in enumerate(_np(hypotheses)):
        arts += ax.plot(j, h, color="0.6", lw=0.8,
                        label="sampled hypotheses" if i == 0 else None)
    if best is not None:
        arts += ax.plot(j, _np(best), color=PALETTE[0], lw=1.8, label="best of the sample")
    arts.append(ax.scatter(j, _np(target), s=14, color="k", zorder=4,
                           label=r"target $w^\star$"))
    ax.set_xlim(0.5, D + 0.5)
    ax.set_xlabel("input $j$ (table entry)")
    ax.set_ylabel("value $h(e_j)$")
    if legend:
        ax.legend(loc="lower left", ncols=2)
    return arts


def plot_error_histogram(ax: Axes, errors, *, epsilon: float | None = None, grid=None,
                         densities: Mapping[str, object] | None = None, bins: int = 50,
                         legend: bool = True, shade: bool = True):
    """Histogram of sampled test errors, the part at or under ``epsilon`` shaded, and
    densities of laws (``{label: values on grid}``) as lines.

    Parameters
    ----------
    ax : Axes
    errors : tensor, shape (S,)
    epsilon : float, optional
        The target error (vertical line; the bars under it are coloured).
    grid : tensor, shape (g,), optional
        Abscissae of the densities.
    densities : mapping, optional
        Label -> density values on ``grid`` (first solid, then dashed, dotted).
    """
    e = _np(errors)
    counts, edges = np.histogram(e, bins=bins, density=True)
    width = np.diff(edges)
    below = edges[1:] <= (epsilon if epsilon is not None else -np.inf)
    arts = [ax.bar(edges[:-1][~below], counts[~below], width=width[~below], align="edge",
                   color="0.75", lw=0, label=f"{len(e)} sampled errors")]
    if shade and epsilon is not None and below.any():
        arts.append(ax.bar(edges[:-1][below], counts[below], width=width[below], align="edge",
                           color=PALETTE[1], lw=0, label=r"errors $\leq \varepsilon$"))
    styles = ("-", "--", ":", "-.")
    keys = ("fitted", "exact", "limit", "chernoff")
    for (label, values), ls, key in zip((densities or {}).items(), styles, keys, strict=False):
        arts += ax.plot(_np(grid), _np(values), color=COLORS[key], lw=1.6, ls=ls, label=label)
    if epsilon is not None:
        arts.append(ax.axvline(epsilon, color="k", lw=1.0, ls="--"))
        ax.annotate(r"$\varepsilon$", (epsilon, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(3, -14), textcoords="offset points")
    ax.set_xlabel("test error $e(h)$")
    ax.set_ylabel("density")
    if legend:
        ax.legend(loc="upper right")
    return arts


def plot_bits_curve(ax: Axes, x, bits, *, kind: str = "exact", label: str | None = None,
                    ls: str = "-", lw: float = 1.8):
    """A curve of bits (exact, Chernoff bound, a fitted family's limit...) against ``x``.

    ``kind`` picks the chapter's colour for that estimate (``"exact"``, ``"fitted"``,
    ``"naive"``, ``"chernoff"``, ``"limit"``).
    """
    return ax.plot(_np(x), _np(bits), color=COLORS[kind], ls=ls, lw=lw, label=label)


def plot_bits_points(ax: Axes, x, bits, *, se=None, lower=None, kind: str = "fitted",
                     label: str | None = None, marker: str = "o", offset: float = 0.0):
    """Estimates of the bits with error bars (``se``: ±2 standard errors) at ``x``.

    Non-finite estimates (naive counting with no hit) are not drawn; if ``lower`` is given
    (what the estimate can still assert at 95 %), it is drawn as upward carets, which is
    all a count with no hit says.
    """
    x, b = _np(x) * (1.0 + offset), _np(bits)
    ok = np.isfinite(b)
    arts = []
    if se is not None:
        s = _np(se)
        ok_se = ok & np.isfinite(s)
        arts.append(ax.errorbar(x[ok_se], b[ok_se], yerr=2 * s[ok_se], fmt=marker,
                                color=COLORS[kind], ms=5, capsize=2, label=label))
        rest = ok & ~ok_se
        if rest.any():
            arts.append(ax.scatter(x[rest], b[rest], marker=marker, color=COLORS[kind], s=25))
    else:
        arts.append(ax.scatter(x[ok], b[ok], marker=marker, color=COLORS[kind], s=25,
                               label=label, zorder=4))
    if lower is not None:
        lo = _np(lower)
        arts.append(ax.scatter(x, lo, marker="^", color=COLORS[kind], s=30,
                               facecolors="none", label="95% lower bound" if label else None,
                               zorder=4))
    return arts


def plot_fit_convergence(ax: Axes, conv, *, show_reps: bool = True, legend: bool = True):
    """Fitted bits against the number of sampled hypotheses S: every replication (dots),
    their mean ± one standard deviation, the exact bits and the fitted family's limit.

    ``conv`` is a :class:`~learntheory.inductive_bias.FitConvergence`.
    """
    S = _np(conv.n_samples)
    b = _np(conv.bits)
    mean, sd = b.mean(1), b.std(1, ddof=1)
    arts = []
    if show_reps:
        xs = np.repeat(S[:, None], b.shape[1], 1) * np.exp(
            np.linspace(-0.06, 0.06, b.shape[1]))[None, :]
        arts.append(ax.scatter(xs.ravel(), b.ravel(), s=6, color=COLORS["fitted"], alpha=0.35,
                               lw=0))
    arts.append(ax.errorbar(S, mean, yerr=sd, fmt="o-", color=COLORS["fitted"], ms=5,
                            capsize=3, label="fitted: mean ± sd"))
    arts.append(ax.axhline(conv.exact, color=COLORS["exact"], lw=1.4, label="exact"))
    arts.append(ax.axhline(conv.limit, color=COLORS["limit"], lw=1.4, ls="--",
                           label=r"moment-matched limit ($S=\infty$)"))
    ax.set_xscale("log")
    ax.set_xlabel("sampled hypotheses $S$")
    ax.set_ylabel(r"bits $I(\varepsilon)$")
    if legend:
        ax.legend(loc="lower right")
    return arts


def plot_fit_spread(ax: Axes, conv, *, legend: bool = True):
    """Standard deviation of the fitted bits over replications against S (log-log), with
    the :math:`1/\\sqrt S` line through the largest S."""
    S = _np(conv.n_samples).astype(float)
    sd = _np(conv.bits).std(1, ddof=1)
    arts = ax.plot(S, sd, "o-", color=COLORS["fitted"], ms=5, label="sd of the fitted bits")
    arts += ax.plot(S, sd[-1] * np.sqrt(S[-1] / S), color="0.4", ls=":", lw=1.4,
                    label=r"$\propto 1/\sqrt{S}$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("sampled hypotheses $S$")
    ax.set_ylabel("sd of the fitted bits")
    if legend:
        ax.legend(loc="upper right")
    return arts


def plot_log_tail(ax: Axes, grid, log_cdfs: Mapping[str, object], *, errors=None,
                  epsilon: float | None = None, kinds: Sequence[str] | None = None,
                  legend: bool = True, legend_loc: str = "lower right",
                  floor: float = 1e-300):
    """:math:`\\Pr[e \\le x]` on a log axis against x: laws given by their natural-log CDF on
    ``grid`` (``{label: values}``), and the empirical CDF of sampled ``errors`` (a step that
    cannot go below 1/S).

    Parameters
    ----------
    ax : Axes
    grid : tensor, shape (g,)
    log_cdfs : mapping
        Label -> natural log of the CDF on ``grid``.
    errors : tensor, shape (S,), optional
    epsilon : float, optional
        The target (vertical line).
    kinds : sequence of str, optional
        The estimate each curve is (colour), default exact, fitted, chernoff, limit.
    """
    kinds = list(kinds) if kinds is not None else ["exact", "fitted", "chernoff", "limit"]
    styles = {"exact": "-", "fitted": "--", "chernoff": ":", "limit": "-.", "naive": "-"}
    arts = []
    x = _np(grid)
    if errors is not None:
        e = np.sort(_np(errors))
        p = np.arange(1, len(e) + 1) / len(e)
        arts += ax.step(e, p, where="post", color=COLORS["empirical"], lw=2.2,
                        label=f"empirical ({len(e)} errors)")
    for (label, values), kind in zip(log_cdfs.items(), kinds, strict=False):
        arts += ax.plot(x, np.maximum(np.exp(_np(values)), floor), color=COLORS[kind],
                        ls=styles[kind], lw=1.6, label=label)
    if errors is not None:
        arts.append(ax.axhline(1.0 / len(e), color="0.5", lw=0.8, ls=":"))
    if epsilon is not None:
        arts.append(ax.axvline(epsilon, color="k", lw=1.0, ls="--"))
    ax.set_yscale("log")
    ax.set_xlim(float(x.min()), float(x.max()))
    ax.set_xlabel(r"target error $\varepsilon$")
    ax.set_ylabel(r"$\Pr[e(h) \leq \varepsilon]$")
    if legend:
        ax.legend(loc=legend_loc)
    return arts


def plot_marker(ax: Axes, x: float, *, label: str | None = None):
    """A thin vertical line at ``x`` marking the current setting (e.g. the slider's value)."""
    return [ax.axvline(x, color="0.3", lw=1.0, ls="--", label=label)]


def plot_figure_legend(fig, ax: Axes, *, ncols: int = 4):
    """One legend for the whole figure, below the panels, from the artists of ``ax``."""
    return fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center",
                      ncols=ncols)
