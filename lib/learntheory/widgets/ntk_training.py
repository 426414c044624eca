"""Explorers of the NTK chapter's training pages.

* :func:`explore_lazy_training`: width x training step, network vs kernel prediction.
* :func:`explore_spectral_dynamics`: learning rate x steps, kernel GD and its spectral filter.
* :func:`explore_feature_learning`: width x parameterization, loss and feature movement.

Each only wires a grid to numeric functions (:mod:`learntheory.ntk`,
:mod:`learntheory.kernels`) and to the :mod:`learntheory.plotting` functions
that the pages' static figures use too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from learntheory._core import check_instance, make_generator
from learntheory.datasets import CircleRegression
from learntheory.kernels import early_stopping_filters, gram_eigh, max_learning_rate
from learntheory.ntk import (
    LazyRun,
    MLPConfig,
    TrainHistory,
    gradient_flow_predict,
    lazy_run,
    make_mlp,
    mlp_kernels,
    train_mlp,
)
from learntheory.plotting.ntk_training import (
    plot_feature_learning,
    plot_kernel_fit,
    plot_lazy_run,
    plot_training_filters,
)
from learntheory.widgets.explorer import Explorer

__all__ = ["explore_feature_learning", "explore_lazy_training", "explore_spectral_dynamics"]


def explore_lazy_training(
    data: CircleRegression,
    *,
    config: MLPConfig,
    widths: Sequence[int],
    lr: float,
    steps: int,
    n_records: int,
    seed: int = 0,
) -> Explorer:
    """Width x training step: the trained network vs the analytic-NTK prediction on test inputs.

    One :func:`~learntheory.ntk.lazy_run` per width (memoised), recorded at
    ``n_records + 1`` evenly spaced steps, drawn by
    :func:`~learntheory.plotting.plot_lazy_run`.
    """
    owner = "explore_lazy_training"
    check_instance(data, "data", CircleRegression, owner=owner)
    check_instance(config, "config", MLPConfig, owner=owner)
    every = max(1, steps // n_records)
    recorded = sorted(set(range(0, steps + 1, every)) | {steps})   # as train_mlp records
    runs: dict[int, LazyRun] = {}

    def draw(fig, width: int, step: int) -> None:
        if width not in runs:
            runs[width] = lazy_run(data.x, data.y, data.x_test, config=config.with_width(width),
                                   lr=lr, steps=steps, record_every=every,
                                   generator=make_generator(seed, data.x.device))
        run = runs[width]
        r = run.steps.tolist().index(step)
        ax = fig.subplots()
        plot_lazy_run(ax, run, data, record=r, label=f"network of width {width}")
        ax.set_ylim(-2.2, 2.2)
        ax.set_title(f"step {step} of {steps}")
        fig.legend(*ax.get_legend_handles_labels(), loc="outside right")

    return Explorer(draw, {"width": list(widths), "step": recorded},
                    defaults={"width": widths[0], "step": steps},
                    labels={"width": "width n", "step": "training step t"},
                    title="Lazy training: network vs kernel prediction")


def explore_spectral_dynamics(
    data: CircleRegression,
    *,
    config: MLPConfig,
    lr_factors: Sequence[float],
    times: Sequence[int],
) -> Explorer:
    """Learning rate x steps: kernel gradient descent with the analytic NTK, in two views.

    Left: the prediction on the test circle after ``t`` steps of size
    ``lr_factor / lambda_max`` (:func:`~learntheory.ntk.gradient_flow_predict`);
    right: the early-stopping and ridge filters at that step
    (:func:`~learntheory.kernels.early_stopping_filters`).
    """
    owner = "explore_spectral_dynamics"
    check_instance(data, "data", CircleRegression, owner=owner)
    check_instance(config, "config", MLPConfig, owner=owner)
    theta = mlp_kernels(data.x, config=config).ntk
    k_test = mlp_kernels(data.x_test, data.x, config=config).ntk
    vals, _ = gram_eigh(theta)
    top = 0.5 * max_learning_rate(vals)           # 1 / lambda_max

    def draw(fig, lr_factor: float, t: int) -> None:
        lr = lr_factor * top
        pred = gradient_flow_predict(theta, k_test, data.y, lr=lr, t=float(t),
                                     discrete=True).test
        ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.3, 1]})
        plot_kernel_fit(ax1, data, pred, label=f"kernel GD after {t} steps")
        ax1.set_ylim(-1.8, 1.8)
        ax1.legend(loc="upper left")
        plot_training_filters(ax2, early_stopping_filters(vals, lr=lr, times=[t]))
        ax2.set_title(rf"$\eta = {lr_factor:g}/\lambda_{{\max}}$, $t = {t}$")
        ax2.legend(loc="lower right")

    return Explorer(draw, {"lr_factor": list(lr_factors), "t": list(times)},
                    labels={"lr_factor": "step size η·λ_max", "t": "gradient-descent steps t"},
                    title="Kernel gradient descent along the NTK's eigenvectors")


def explore_feature_learning(
    data: CircleRegression,
    *,
    config: MLPConfig,
    widths: Sequence[int],
    learning_rates: Mapping[str, float],
    steps: int,
    seed: int = 0,
) -> Explorer:
    """Width x parameterization: training loss and how far each hidden layer's features move.

    One :func:`~learntheory.ntk.train_mlp` run per frame (memoised), drawn by
    :func:`~learntheory.plotting.plot_feature_learning`.
    """
    owner = "explore_feature_learning"
    check_instance(data, "data", CircleRegression, owner=owner)
    check_instance(config, "config", MLPConfig, owner=owner)
    runs: dict[tuple[int, str], TrainHistory] = {}

    def draw(fig, width: int, parameterization: str) -> None:
        key = (width, parameterization)
        if key not in runs:
            net = make_mlp(data.x.shape[1],
                           config=config.replace(width=width, parameterization=parameterization),
                           device=data.x.device, dtype=data.x.dtype,
                           generator=make_generator(seed, data.x.device))
            runs[key] = train_mlp(net, data.x, data.y, lr=learning_rates[parameterization],
                                  steps=steps, record_every=max(1, steps // 50))
        name = "muP" if parameterization == "mup" else parameterization.upper()
        plot_feature_learning(*fig.subplots(1, 2), runs[key], title=f"{name}, width {width}")

    return Explorer(draw, {"width": list(widths), "parameterization": list(learning_rates)},
                    labels={"width": "width n", "parameterization": "parameterization"},
                    title="Feature learning: NTK vs muP parameterization")
