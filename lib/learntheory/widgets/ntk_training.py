"""Explorers of the NTK chapter's training pages (one definition each: a grid and a draw function).

* :func:`explore_lazy_training`: width x training step, network vs kernel prediction.
* :func:`explore_spectral_dynamics`: learning rate x time, kernel GD and its spectral filter.
* :func:`explore_feature_learning`: width x parameterization, loss and feature movement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch

from learntheory._core import make_generator
from learntheory.kernels import gram_eigh
from learntheory.ntk.analytic import mlp_kernels
from learntheory.ntk.dynamics import TrainHistory, gradient_flow_predict, train_mlp
from learntheory.ntk.lazy import LazyRun, lazy_run
from learntheory.ntk.mlp import make_mlp
from learntheory.plotting.ntk_training import plot_flow_comparison, plot_training_filters
from learntheory.plotting.style import PALETTE
from learntheory.widgets.explorer import Explorer

__all__ = ["explore_feature_learning", "explore_lazy_training", "explore_spectral_dynamics"]


def explore_lazy_training(
    x: torch.Tensor,
    y: torch.Tensor,
    x_test: torch.Tensor,
    gamma_test: torch.Tensor,
    gamma_train: torch.Tensor,
    *,
    widths: Sequence[int],
    depth: int,
    lr: float,
    steps: int,
    n_records: int,
    seed: int = 0,
) -> Explorer:
    """Width x training step: the trained network vs the analytic-NTK prediction on test inputs.

    One training run per width (memoised), recorded at ``n_records + 1`` evenly spaced steps.
    """
    every = max(1, steps // n_records)
    runs: dict[int, LazyRun] = {}

    def draw(fig, width: int, record: int) -> None:
        if width not in runs:
            runs[width] = lazy_run(x, y, x_test, width=width, depth=depth, lr=lr, steps=steps,
                                   record_every=every, generator=make_generator(seed, x.device))
        run = runs[width]
        r = min(record, len(run.steps) - 1)
        ax = fig.subplots()
        plot_flow_comparison(ax, gamma_test, run.net_test[r], run.flow_test[r],
                             gamma_train=gamma_train, y_train=y, label=f"network of width {width}")
        ax.set_ylim(-2.2, 2.2)
        ax.set_title(f"step {int(run.steps[r])} of {steps}", fontsize=9)
        ax.legend(fontsize=7, loc="upper left", ncols=3)

    return Explorer(draw, {"width": list(widths), "record": list(range(n_records + 1))},
                    defaults={"width": widths[0], "record": n_records},
                    title="Lazy training: network vs kernel prediction")


def explore_spectral_dynamics(
    x: torch.Tensor,
    y: torch.Tensor,
    x_test: torch.Tensor,
    gamma_test: torch.Tensor,
    gamma_train: torch.Tensor,
    *,
    depth: int,
    lr_factors: Sequence[float],
    times: Sequence[int],
    sigma_w: float = 2**0.5,
    sigma_b: float = 0.1,
) -> Explorer:
    """Learning rate x time: kernel gradient descent with the analytic NTK, in two views.

    Left: the prediction on the test circle after ``t`` steps of size
    ``lr_factor / lambda_max``; right: the fraction of each eigen-direction learned,
    :math:`1 - (1 - \\eta\\lambda_i)^t` (dots) with the flow and ridge filter curves.
    """
    n = x.shape[0]
    theta = mlp_kernels(torch.cat([x, x_test]), depth=depth, sigma_w=sigma_w,
                        sigma_b=sigma_b).ntk
    k_train, k_test = theta[:n, :n], theta[n:, :n]
    vals, _ = gram_eigh(k_train)

    def draw(fig, lr_factor: float, t: int) -> None:
        lr = lr_factor / float(vals[0])
        pred = gradient_flow_predict(k_train, k_test, y, lr=lr, t=float(t), discrete=True).test
        ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.3, 1]})
        ax1.plot(gamma_test.cpu().numpy(), pred.cpu().numpy(), color=PALETTE[0], lw=2,
                 label=f"kernel GD after {t} steps")
        ax1.scatter(gamma_train.cpu().numpy(), y.cpu().numpy(), color="0.4", s=14, zorder=3,
                    label="training targets")
        ax1.set_ylim(-1.8, 1.8)
        ax1.set_xlabel(r"angle $\gamma$ of the input")
        ax1.legend(fontsize=8, loc="upper left")
        plot_training_filters(ax2, vals, lr=lr, times=[t], n=n)
        ax2.set_title(rf"$\eta = {lr_factor:g}/\lambda_{{\max}}$, $t = {t}$", fontsize=9)
        ax2.legend(fontsize=6, loc="upper left")

    return Explorer(draw, {"lr_factor": list(lr_factors), "t": list(times)},
                    title="Kernel gradient descent along the NTK's eigenvectors")


def explore_feature_learning(
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    widths: Sequence[int],
    learning_rates: Mapping[str, float],
    depth: int,
    steps: int,
    sigma_w: float = 2**0.5,
    sigma_b: float = 0.1,
    seed: int = 0,
) -> Explorer:
    """Width x parameterization: training loss and how far each hidden layer's features move."""
    runs: dict[tuple[int, str], TrainHistory] = {}

    def draw(fig, width: int, parameterization: str) -> None:
        key = (width, parameterization)
        if key not in runs:
            net = make_mlp(x.shape[1], width, depth, parameterization=parameterization,
                           device=x.device, dtype=x.dtype, sigma_w=sigma_w, sigma_b=sigma_b,
                           generator=make_generator(seed, x.device))
            runs[key] = train_mlp(net, x, y, lr=learning_rates[parameterization], steps=steps,
                                  record_every=max(1, steps // 50), record_ntk=False)
        hist = runs[key]
        ax1, ax2 = fig.subplots(1, 2)
        ax1.semilogy(hist.steps.cpu().numpy(), hist.loss.cpu().numpy(), color=PALETTE[0])
        ax1.set_xlabel("gradient-descent step")
        ax1.set_ylabel("training loss")
        name = "muP" if parameterization == "mup" else parameterization.upper()
        ax1.set_title(f"{name}, width {width}", fontsize=9)
        change = hist.feature_change[-1].cpu().numpy()
        ax2.bar(range(1, len(change) + 1), change, color=PALETTE[1])
        ax2.set_ylim(0, 1.2)
        ax2.set_xticks(range(1, len(change) + 1))
        ax2.set_xlabel("hidden layer")
        ax2.set_ylabel("relative feature change")

    return Explorer(draw, {"width": list(widths), "parameterization": list(learning_rates)},
                    title="Feature learning: NTK vs muP parameterization")
