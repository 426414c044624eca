"""Explorers of the inductive-bias chapter: bits on the coordinate toy, and against the
kernel bandwidth on a sphere task.

Each explorer only wires a grid to the functions of :mod:`learntheory.inductive_bias` and
to the :mod:`learntheory.plotting` functions that the pages' static figures call.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import torch

from learntheory._core import make_generator
from learntheory.inductive_bias import (
    Task,
    chernoff_log_cdf,
    condition,
    coordinate_toy,
    error_law,
    exact_bits,
    fit_ncx2,
    fitted_bits,
    law_bits,
    log_cdf,
    median_bandwidth,
    naive_bits,
    sample_hypotheses,
    test_errors,
)
from learntheory.kernels import gaussian
from learntheory.plotting.inductive_bias import (
    plot_bits_curve,
    plot_bits_points,
    plot_figure_legend,
    plot_log_tail,
    plot_marker,
)
from learntheory.widgets.explorer import Explorer

__all__ = ["explore_bandwidth_bits", "explore_toy_bits"]


def explore_toy_bits(
    epsilons: Sequence[float],
    n_trains: Sequence[int],
    *,
    dim: int = 40,
    n_hypotheses: int = 10_000,
    n_boot: int = 50,
    n_grid: int = 40,
    seed: int = 0,
    defaults: dict | None = None,
) -> Explorer:
    """ε × n explorer on :func:`~learntheory.inductive_bias.coordinate_toy`: the bits.

    For each number of training entries n, draws ``n_hypotheses`` interpolating hypotheses
    of the toy with ``dim`` entries (target and draws from the generator seeded ``seed``,
    the same target for every n), and estimates the bits at each ε of the grid by
    counting (:func:`~learntheory.inductive_bias.naive_bits`) and by the fitted scaled
    noncentral chi-square (:func:`~learntheory.inductive_bias.fitted_bits`, ``n_boot``
    bootstrap refits), beside the exact bits of the toy's law. Left: bits against ε at
    the current n; right: bits against n at the current ε.
    """
    eps_grid = sorted(float(e) for e in epsilons)
    ns = sorted(int(n) for n in n_trains)
    fine = torch.logspace(math.log10(eps_grid[0]), math.log10(eps_grid[-1]), n_grid,
                          dtype=torch.float64)
    all_n = list(range(1, dim))
    runs: dict[int, dict] = {}
    exact_by_n: dict[float, torch.Tensor] = {}

    def run(n: int) -> dict:
        if n not in runs:
            gen = make_generator(seed)
            toy = coordinate_toy(dim, n, generator=gen)
            post = condition(toy.kernel, toy.x_train, toy.y_train, toy.x_test)
            errors = test_errors(sample_hypotheses(post, n_hypotheses, generator=gen),
                                 toy.y_test)
            fits = [fitted_bits(errors, e, n_boot=n_boot, generator=gen) for e in eps_grid]
            naive = [naive_bits(errors, e) for e in eps_grid]
            runs[n] = dict(
                exact=torch.tensor([exact_bits(toy.law, float(e)) for e in fine]),
                fitted=torch.tensor([f.bits for f in fits]),
                fitted_se=torch.tensor([f.se for f in fits]),
                naive=torch.tensor([b.bits for b in naive]),
                naive_se=torch.tensor([b.se for b in naive]),
                naive_lower=torch.tensor([b.lower_bound if b.hits == 0 else math.nan
                                          for b in naive]),
                limit=math.log2(n_hypotheses / 3))
        return runs[n]

    def exact_n(eps: float) -> torch.Tensor:
        if eps not in exact_by_n:
            target = coordinate_toy(dim, 1, generator=make_generator(seed)).y_test
            exact_by_n[eps] = torch.tensor(
                [exact_bits(coordinate_toy(dim, n, target=target).law, eps) for n in all_n])
        return exact_by_n[eps]

    def draw(fig, epsilon: float, n_train: int) -> None:
        ax_e, ax_n = fig.subplots(1, 2, sharey=True)
        r = run(n_train)
        plot_bits_curve(ax_e, fine, r["exact"], label="exact")
        plot_bits_points(ax_e, eps_grid, r["fitted"], se=r["fitted_se"], kind="fitted",
                         label="fitted ncx2")
        plot_bits_points(ax_e, eps_grid, r["naive"], se=r["naive_se"],
                         lower=r["naive_lower"], kind="naive", marker="s", offset=0.04,
                         label="counting")
        plot_marker(ax_e, epsilon)
        ax_e.set_xscale("log")
        ax_e.set_xlabel(r"target error $\varepsilon$")
        ax_e.set_ylabel(r"bits $I(\varepsilon)$")
        ax_e.set_title(f"n = {n_train} training entries")
        i = eps_grid.index(float(epsilon))
        per_n = [run(n) for n in ns]
        plot_bits_curve(ax_n, all_n, exact_n(float(epsilon)), label="exact")
        plot_bits_points(ax_n, ns, [p["fitted"][i] for p in per_n],
                         se=[p["fitted_se"][i] for p in per_n], kind="fitted")
        plot_bits_points(ax_n, ns, [p["naive"][i] for p in per_n],
                         se=[p["naive_se"][i] for p in per_n],
                         lower=[p["naive_lower"][i] for p in per_n], kind="naive",
                         marker="s", offset=0.02)
        plot_marker(ax_n, n_train)
        ax_n.set_xlabel("training entries $n$")
        ax_n.set_title(f"ε = {epsilon:g}")
        ax_e.legend(loc="upper right")

    return Explorer(draw, {"epsilon": eps_grid, "n_train": ns}, defaults=defaults,
                    figsize=(7.0, 3.6),
                    labels={"epsilon": "target error ε", "n_train": "training entries n"},
                    title=f"Coordinate toy ({dim} entries, {n_hypotheses} hypotheses): "
                          "bits by counting, by the fit, exactly")


def explore_bandwidth_bits(
    task: Task,
    multipliers: Sequence[float],
    epsilons: Sequence[float],
    *,
    n_hypotheses: int = 2000,
    n_boot: int = 30,
    n_grid: int = 30,
    seed: int = 0,
    defaults: dict | None = None,
) -> Explorer:
    """Bandwidth × ε explorer: bits of the Gaussian-kernel space on ``task``.

    The bandwidth is ``multiplier`` times the median heuristic
    (:func:`~learntheory.inductive_bias.median_bandwidth`). For each, the exact law of the
    test error (:func:`~learntheory.inductive_bias.error_law`), ``n_hypotheses`` sampled
    hypotheses (generator seeded ``seed``) and the scaled ncx2 fitted to their errors.
    Left: :math:`\\Pr[e \\le x]` on a log axis (exact, fitted, Chernoff, empirical);
    right: the bits at ε against the bandwidth (exact, Chernoff bound, fitted with
    ``n_boot`` bootstrap refits).
    """
    mults = sorted(float(m) for m in multipliers)
    eps_grid = sorted(float(e) for e in epsilons)
    h0 = median_bandwidth(task.x_train)
    runs: dict[float, dict] = {}

    def run(mult: float) -> dict:
        if mult not in runs:
            gen = make_generator(seed)
            kernel = functools.partial(gaussian, bandwidth=mult * h0)
            post = condition(kernel, task.x_train, task.y_train, task.x_test)
            law = error_law(post, task.y_test)
            errors = test_errors(sample_hypotheses(post, n_hypotheses, generator=gen),
                                 task.y_test)
            fit = fit_ncx2(errors)
            hi = max(law.mean + 3 * math.sqrt(law.var), 1.1 * eps_grid[-1])
            lo = max(0.8 * eps_grid[0], law.floor + 1e-6)
            grid = torch.linspace(lo, hi, n_grid, dtype=torch.float64)
            exact = [law_bits(law, e) for e in eps_grid]
            fits = [fitted_bits(errors, e, n_boot=n_boot, generator=gen) for e in eps_grid]
            runs[mult] = dict(
                law=law, errors=errors, grid=grid,
                curves={"exact": torch.tensor([log_cdf(law, float(x)) for x in grid]),
                        "fitted ncx2": torch.tensor([log_cdf(fit.law, float(x))
                                                     for x in grid]),
                        "Chernoff bound": torch.tensor([chernoff_log_cdf(law, float(x))
                                                        for x in grid])},
                exact=torch.tensor([b.bits for b in exact]),
                chernoff=torch.tensor([b.chernoff for b in exact]),
                fitted=torch.tensor([f.bits for f in fits]),
                fitted_se=torch.tensor([f.se for f in fits]))
        return runs[mult]

    def draw(fig, multiplier: float, epsilon: float) -> None:
        ax_t, ax_b = fig.subplots(1, 2)
        r = run(multiplier)
        plot_log_tail(ax_t, r["grid"], r["curves"], errors=r["errors"], epsilon=epsilon,
                      kinds=["exact", "fitted", "chernoff"], legend=False)
        ax_t.set_title(f"h = {multiplier:g} × median: mean error {r['law'].mean:.2f}")
        i = eps_grid.index(float(epsilon))
        per = [run(m) for m in mults]
        plot_bits_curve(ax_b, mults, [p["exact"][i] for p in per], label="exact")
        plot_bits_curve(ax_b, mults, [p["chernoff"][i] for p in per], kind="chernoff",
                        ls=":", label="Chernoff bound")
        plot_bits_points(ax_b, mults, [p["fitted"][i] for p in per],
                         se=[p["fitted_se"][i] for p in per], kind="fitted",
                         label="fitted ncx2")
        plot_marker(ax_b, multiplier)
        ax_b.set_xscale("log")
        ax_b.set_xlabel("bandwidth / median distance")
        ax_b.set_ylabel(r"bits $I(\varepsilon)$")
        ax_b.set_title(f"ε = {epsilon:g}")
        plot_figure_legend(fig, ax_t)

    return Explorer(draw, {"multiplier": mults, "epsilon": eps_grid}, defaults=defaults,
                    figsize=(7.0, 4.0),
                    labels={"multiplier": "bandwidth / median", "epsilon": "target error ε"},
                    title=f"Gaussian kernel on a sphere task ({n_hypotheses} hypotheses): "
                          "bits against the bandwidth")
