"""Explorers of the model-collapse chapter: the Gaussian loop, and replace vs accumulate.

Each explorer only wires a grid to a simulator of :mod:`learntheory.collapse` (run once
per grid column and cached) and to the :mod:`learntheory.plotting` functions that draw
it; the pages' static figures call the same functions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from learntheory._core import make_generator
from learntheory.collapse import (
    GaussianLoop,
    RegressionLoop,
    gaussian_refit_moments,
    regression_risk,
    simulate,
)
from learntheory.plotting.collapse import plot_chain_mean, plot_risk_laws, plot_variance_fan
from learntheory.plotting.style import PALETTE
from learntheory.widgets.explorer import Explorer

__all__ = ["explore_gaussian_loop", "explore_replace_accumulate"]


def explore_gaussian_loop(
    sample_sizes: Sequence[int],
    generations: Sequence[int],
    *,
    n_chains: int,
    seed: int = 0,
) -> Explorer:
    """M x g: the fan of fitted variances of the Gaussian loop up to generation g.

    One :class:`~learntheory.collapse.GaussianLoop` simulation per sample size ``M``
    (``n_chains`` chains, up to ``max(generations)``), drawn with
    :func:`~learntheory.plotting.plot_variance_fan` against
    :func:`~learntheory.collapse.gaussian_refit_moments`.
    """
    last = max(generations)
    runs = {}

    def draw(fig, m: int, g: int) -> None:
        if m not in runs:
            runs[m] = simulate(GaussianLoop(m), last, n_chains=n_chains, dtype=torch.float64,
                               generator=make_generator(seed))
        ax = fig.subplots()
        plot_variance_fan(ax, runs[m].until(g), gaussian_refit_moments(GaussianLoop(m), g))
        ax.set_ylim(1e-6, 1e1)
        ax.set_xlim(0, last)
        ax.set_title(f"M = {m} samples per generation")
        ax.legend(loc="lower left", ncols=2)

    return Explorer(draw, {"m": list(sample_sizes), "g": list(generations)},
                    defaults={"m": sample_sizes[0], "g": last},
                    labels={"m": "samples per generation M", "g": "generations shown g"},
                    title="A Gaussian refitted to its own samples")


def explore_replace_accumulate(
    noises: Sequence[float],
    *,
    n_train: int,
    dim: int,
    n_generations: int,
    n_chains: int,
    seed: int = 0,
) -> Explorer:
    """mode x sigma: the test error of least squares relabelled by itself, with its law.

    One :class:`~learntheory.collapse.RegressionLoop` simulation per (mode, noise),
    drawn with :func:`~learntheory.plotting.plot_chain_mean` and
    :func:`~learntheory.collapse.regression_risk` (both modes' laws shown).
    """
    runs = {}

    def draw(fig, mode: str, noise: float) -> None:
        cfg = RegressionLoop(n_train, dim, noise=noise, mode=mode)
        if (mode, noise) not in runs:
            runs[mode, noise] = simulate(cfg, n_generations, n_chains=n_chains,
                                         dtype=torch.float64, generator=make_generator(seed))
        hist = runs[mode, noise]
        ax = fig.subplots()
        color = PALETTE[1] if mode == "replace" else PALETTE[0]
        plot_chain_mean(ax, hist.generations, hist["risk"], color=color,
                        label=f"{mode} (measured)")
        laws = {f"{other} (exact)": regression_risk(
            RegressionLoop(n_train, dim, noise, other), n_generations)
            for other in ("replace", "accumulate")}
        c = noise**2 * dim / (n_train - dim - 1)
        plot_risk_laws(ax, hist.generations, laws, bound=c * math.pi**2 / 6)
        top = max(noises) ** 2 * dim / (n_train - dim - 1) * n_generations
        ax.set_ylim(0, 1.05 * top)
        ax.set_title(f"T = {n_train}, d = {dim}, σ = {noise:g}")
        ax.legend(loc="upper left")

    return Explorer(draw, {"mode": ["replace", "accumulate"], "noise": list(noises)},
                    defaults={"mode": "replace", "noise": noises[0]},
                    labels={"mode": "data: replace or accumulate", "noise": "label noise σ"},
                    title="Replace or accumulate the generated data")
