"""Figures for curated retraining. Each function draws on given Axes and returns the artists;
the numbers come from :mod:`learntheory.collapse.curation`."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from matplotlib.axes import Axes
from matplotlib.ticker import NullFormatter

from learntheory.plotting.style import PALETTE

__all__ = ["plot_curation_path", "plot_curation_run", "plot_curation_samples",
           "plot_fixed_point"]

#: Axis labels of the observations of :meth:`~learntheory.collapse.CurationState.observe`.
LABELS = {"mean_reward": r"expected reward $\mathbb{E}\,r$",
          "mean_exp_reward": r"$\mathbb{E}\,e^{r}$",
          "var_exp_reward": r"$\mathrm{Var}\,e^{r}$",
          "best_mode_weight": "weight of the best mode"}


def _np(t):
    return t.detach().cpu().numpy()


def plot_curation_samples(ax: Axes, points: torch.Tensor, *, target=(3.0, 0.0),
                          radius: float = 3.0, color: str = PALETTE[0],
                          title: str | None = None, limit: float = 4.6):
    """Scatter of model samples ``points`` (n, 2), with the data circle and the target.

    The target :math:`x_\\star` of the reward is a black star; the dotted circle carries
    the data's modes.
    """
    p = _np(points)
    arts = [ax.scatter(p[:, 0], p[:, 1], s=2, alpha=0.35, color=color, lw=0,
                       rasterized=True)]
    theta = torch.linspace(0, 2 * math.pi, 200)
    arts += ax.plot(_np(radius * theta.cos()), _np(radius * theta.sin()), ls=":", color="0.5",
                    lw=0.8)
    arts += ax.plot([target[0]], [target[1]], "*", color="k", ms=9)
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-limit, limit)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    return arts


def plot_curation_path(ax: Axes, history, key: str, *, theory: torch.Tensor | None = None,
                       color: str = PALETTE[0], label: str | None = None,
                       theory_label: str | None = None):
    """Mean over chains (dots, with a band of ±2 standard errors) of ``history[key]``
    against the generation, with an optional prediction ``theory`` (n_generations + 1,)
    dashed in the same colour."""
    values = history[key]
    t = _np(history.generations)
    mean = values.mean(1)
    se = values.std(1) / math.sqrt(values.shape[1]) if values.shape[1] > 1 else 0 * mean
    arts = ax.plot(t, _np(mean), "o", ms=4, color=color, label=label)
    arts.append(ax.fill_between(t, _np(mean - 2 * se), _np(mean + 2 * se), color=color,
                                alpha=0.25, lw=0))
    if theory is not None:
        arts += ax.plot(t, _np(theory), "--", color=color, lw=1.3, label=theory_label)
    ax.set_xlabel("generation $t$")
    ax.set_ylabel(LABELS.get(key, key))
    return arts


def plot_fixed_point(ax: Axes, ratios: Sequence[float], mean: torch.Tensor,
                     se: torch.Tensor, *, theory: torch.Tensor | None = None,
                     limit: torch.Tensor | None = None, k: int | None = None,
                     theory_ratios: Sequence[float] | None = None):
    """Best-mode weight at the fixed point against :math:`\\lambda` (log axis).

    ``mean``, ``se``: the simulation (±2 SE bars) at ``ratios``; ``theory``: the perfect
    learner at the same :math:`K` and ``limit``: the :math:`K=\\infty` closed form, both
    on ``theory_ratios`` (default ``ratios``).
    """
    x = list(theory_ratios) if theory_ratios is not None else list(ratios)
    arts = [ax.errorbar(list(ratios), _np(mean), yerr=_np(2 * se), fmt="o", color=PALETTE[0],
                        capsize=3, label=f"EM loop, K = {k}" if k else "EM loop")]
    if theory is not None:
        arts += ax.plot(x, _np(theory), "-", color=PALETTE[0], lw=1.3,
                        label=f"perfect learner, K = {k}" if k else "perfect learner")
    if limit is not None:
        arts += ax.plot(x, _np(limit), "--", color="k", lw=1.3,
                        label=r"$K=\infty$ fixed point")
    ax.set_xscale("log")
    ax.set_xticks(list(ratios), [f"{v:g}" for v in ratios])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(r"synthetic-to-real ratio $\lambda$")
    ax.set_ylabel("weight of the best mode")
    ax.set_ylim(0, 1.02)
    ax.legend(loc="upper left")
    return arts


def plot_curation_run(axes: Sequence[Axes], run, *, color: str = PALETTE[0]):
    """Three panels of a :class:`~learntheory.collapse.CurationRun`: the last snapshot,
    the expected reward and the best-mode weight against the generation (dashed: the
    perfect learner)."""
    ax_s, ax_r, ax_w = axes
    last = max(run.snapshots)
    cfg = run.config
    arts = plot_curation_samples(ax_s, run.snapshots[last], target=cfg.target,
                                 radius=cfg.radius, color=color, title=f"t = {last}")
    arts += plot_curation_path(ax_r, run.history, "mean_reward",
                               theory=run.theory["mean_reward"], color=color)
    arts += plot_curation_path(ax_w, run.history, "best_mode_weight",
                               theory=run.theory["best_mode_weight"], color=color,
                               label="EM loop", theory_label="perfect learner")
    ax_w.set_ylim(0, 1.02)
    ax_w.legend(loc="best")
    return arts
