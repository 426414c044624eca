"""Explorers of the NTK chapter (one definition each: a grid and a draw function)."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from learntheory._core import make_generator
from learntheory.kernels import gram_eigh
from learntheory.ntk import (
    empirical_ntk,
    excess_kurtosis,
    make_mlp,
    mlp_kernels,
    relu_excess_kurtosis,
    sample_network_outputs,
)
from learntheory.ntk.dynamics import gradient_flow_predict, train_mlp
from learntheory.ntk.lazy import lazy_run
from learntheory.plotting.ntk import plot_ntk_slices, plot_output_histogram, plot_output_scatter
from learntheory.plotting.style import PALETTE
from learntheory.widgets.explorer import Explorer

__all__ = [
    "explore_feature_learning",
    "explore_lazy_training",
    "explore_nngp",
    "explore_ntk_concentration",
    "explore_spectral_dynamics",
]


def explore_nngp(
    x: torch.Tensor,
    *,
    widths: Sequence[int],
    depths: Sequence[int],
    n_networks: int,
    sigma_w: float = 2**0.5,
    sigma_b: float = 0.0,
    seed: int = 0,
) -> Explorer:
    """Width × depth: outputs of many random networks at two inputs vs the NNGP Gaussian.

    Left: histogram of f(x1) with the NNGP density; right: (f(x1), f(x2)) with
    the NNGP's 1-2-3 sigma ellipses. Each frame draws its own networks from a
    generator seeded by ``seed``, so frames are reproducible.
    """

    def draw(fig, width: int, depth: int) -> None:
        gen = make_generator(seed, x.device)
        f = sample_network_outputs(x, width=width, depth=depth, n_networks=n_networks,
                                   sigma_w=sigma_w, sigma_b=sigma_b, generator=gen)
        cov = mlp_kernels(x, depth=depth, sigma_w=sigma_w, sigma_b=sigma_b).nngp
        kurt = f"excess kurtosis {float(excess_kurtosis(f[:, 0])):.2f}"
        if sigma_b == 0:  # the closed form holds for bias-free ReLU networks
            kurt += f" (exact {relu_excess_kurtosis(width, depth):.2f})"
        ax1, ax2 = fig.subplots(1, 2)
        plot_output_histogram(ax1, f[:, 0], float(cov[0, 0]))
        ax1.set_title(f"width {width}, depth {depth}: {kurt}", fontsize=9)
        ax1.legend(fontsize=7, loc="upper right")
        plot_output_scatter(ax2, f, cov)
        ax2.set_title(f"{n_networks} networks at two inputs", fontsize=9)

    return Explorer(draw, {"width": list(widths), "depth": list(depths)},
                    title="Random networks at initialisation vs the NNGP")


def explore_ntk_concentration(
    x0: torch.Tensor,
    x: torch.Tensor,
    gamma: torch.Tensor,
    *,
    widths: Sequence[int],
    depths: Sequence[int],
    n_seeds: int,
    sigma_w: float = 2**0.5,
    sigma_b: float = 0.1,
    seed: int = 0,
) -> Explorer:
    """Width × depth: empirical NTK rows of several networks vs the analytic NTK.

    Draws :math:`\\hat\\Theta(x_0, x(\\gamma))` for ``n_seeds`` networks along
    the unit circle (the analogue of [Jacot2018], Fig. 1) and the analytic row.
    """
    xs = torch.cat([x0, x])

    def draw(fig, width: int, depth: int) -> None:
        gen = make_generator(seed, x.device)
        rows = []
        for _ in range(n_seeds):
            net = make_mlp(x.shape[1], width, depth, sigma_w=sigma_w, sigma_b=sigma_b,
                           device=x.device, dtype=x.dtype, generator=gen)
            with torch.no_grad():
                rows.append(empirical_ntk(net, x0, x)[0])
        exact = mlp_kernels(xs, depth=depth, sigma_w=sigma_w, sigma_b=sigma_b).ntk[0, 1:]
        emp = torch.stack(rows)
        err = float(((emp - exact).norm(dim=1) / exact.norm()).mean())
        ax = fig.subplots()
        plot_ntk_slices(ax, gamma, emp, exact, color=PALETTE[0],
                        label=f"{n_seeds} networks of width {width}")
        ax.set_title(f"depth {depth}, width {width}: mean relative error {err:.3f}", fontsize=9)
        ax.legend(fontsize=8)

    return Explorer(draw, {"width": list(widths), "depth": list(depths)},
                    title="Empirical NTK at initialisation vs the analytic NTK")


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
    """Width × training step: the trained network vs the analytic-NTK prediction on test inputs.

    One training run per width (memoised), recorded at ``n_records + 1`` evenly spaced steps.
    """
    every = max(1, steps // n_records)
    runs: dict[int, object] = {}

    def draw(fig, width: int, record: int) -> None:
        if width not in runs:
            runs[width] = lazy_run(x, y, x_test, width=width, depth=depth, lr=lr, steps=steps,
                                   record_every=every, generator=make_generator(seed, x.device))
        run = runs[width]
        r = min(record, len(run.steps) - 1)
        ax = fig.subplots()
        g = gamma_test.detach().cpu().numpy()
        ax.plot(g, run.flow_test[r].cpu().numpy(), "--", color="k", lw=2,
                label="analytic-NTK gradient descent")
        ax.plot(g, run.net_test[r].cpu().numpy(), color=PALETTE[1], lw=1.5,
                label=f"network of width {width}")
        ax.scatter(gamma_train.cpu().numpy(), y.cpu().numpy(), color="0.3", s=14, zorder=3,
                   label="training targets")
        ax.set_xlabel(r"angle $\gamma$ of the input")
        ax.set_ylabel("$f(x)$")
        ax.set_title(f"step {int(run.steps[r])} of {steps}", fontsize=9)
        ax.legend(fontsize=8, loc="lower right")

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
    """Learning rate × time: kernel gradient descent with the analytic NTK, in two views.

    Left: the prediction on the test circle after ``t`` steps of size
    ``lr_factor / lambda_max``; right: the fraction of each eigen-direction learned,
    :math:`1 - (1 - \\eta\\lambda_i)^t`, against :math:`\\lambda_i`.
    """
    n = x.shape[0]
    theta = mlp_kernels(torch.cat([x, x_test]), depth=depth, sigma_w=sigma_w,
                        sigma_b=sigma_b).ntk
    k_train, k_test = theta[:n, :n], theta[n:, :n]
    vals, _ = gram_eigh(k_train)

    def draw(fig, lr_factor: float, t: int) -> None:
        lr = lr_factor / float(vals[0])
        pred = gradient_flow_predict(k_train, k_test, y, lr=lr, t=float(t), discrete=True).test
        ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.4, 1]})
        ax1.plot(gamma_test.cpu().numpy(), pred.cpu().numpy(), color=PALETTE[0], lw=2,
                 label=f"kernel GD after {t} steps")
        ax1.scatter(gamma_train.cpu().numpy(), y.cpu().numpy(), color="0.3", s=14, zorder=3,
                    label="training targets")
        ax1.set_ylim(-1.8, 1.8)
        ax1.set_xlabel(r"angle $\gamma$ of the input")
        ax1.legend(fontsize=8, loc="lower right")
        filt = 1 - (1 - lr * vals.clamp_min(0)) ** t
        ax2.semilogx(vals.cpu().numpy(), filt.cpu().numpy(), "o", color=PALETTE[1], ms=4)
        ax2.set_ylim(-0.05, 1.05)
        ax2.set_xlabel(r"NTK eigenvalue $\lambda_i$")
        ax2.set_ylabel("fraction of direction $i$ learned")
        ax2.set_title(rf"$\eta = {lr_factor:g}/\lambda_{{\max}}$, $t = {t}$", fontsize=9)

    return Explorer(draw, {"lr_factor": list(lr_factors), "t": list(times)},
                    title="Kernel gradient descent along the NTK's eigenvectors")


def explore_feature_learning(
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    widths: Sequence[int],
    learning_rates: dict[str, float],
    depth: int,
    steps: int,
    seed: int = 0,
) -> Explorer:
    """Width × parameterization: training loss and how far each hidden layer's features move."""
    runs: dict[tuple[int, str], object] = {}

    def draw(fig, width: int, parameterization: str) -> None:
        key = (width, parameterization)
        if key not in runs:
            net = make_mlp(x.shape[1], width, depth, parameterization=parameterization,
                           device=x.device, dtype=x.dtype, sigma_w=2**0.5, sigma_b=0.1,
                           generator=make_generator(seed, x.device))
            runs[key] = train_mlp(net, x, y, lr=learning_rates[parameterization], steps=steps,
                                  record_every=max(1, steps // 50), record_ntk=False)
        hist = runs[key]
        ax1, ax2 = fig.subplots(1, 2)
        ax1.semilogy(hist.steps.cpu().numpy(), hist.loss.cpu().numpy(), color=PALETTE[0])
        ax1.set_xlabel("gradient-descent step")
        ax1.set_ylabel("training loss")
        ax1.set_title(f"{parameterization}, width {width}", fontsize=9)
        change = hist.feature_change[-1].cpu().numpy()
        ax2.bar(range(1, len(change) + 1), change, color=PALETTE[1])
        ax2.set_ylim(0, 1.2)
        ax2.set_xticks(range(1, len(change) + 1))
        ax2.set_xlabel("hidden layer")
        ax2.set_ylabel("relative feature change")

    return Explorer(draw, {"width": list(widths), "parameterization": list(learning_rates)},
                    title="Feature learning: NTK vs muP parameterization")
