"""Explorer of the self-distillation section: the label weight α against the step t.

It only wires a grid to :func:`learntheory.collapse.distill_krr_1d` and to the
:mod:`learntheory.plotting` functions that the page's static figures call.
"""

from __future__ import annotations

from collections.abc import Sequence

from learntheory.collapse import DistillationRun, distill_krr_1d
from learntheory.plotting.collapse_distillation import (
    plot_distillation_diagonal,
    plot_distillation_fits,
)
from learntheory.widgets.explorer import Explorer

__all__ = ["explore_self_distillation"]


def explore_self_distillation(
    data,
    *,
    alphas: Sequence[float],
    steps: Sequence[int],
    ridge: float,
    bandwidth: float,
    kernel: str = "gaussian",
    k: int = 15,
    defaults: dict | None = None,
) -> Explorer:
    """α × t explorer: the students f^(s) (left) and the diagonal b^(s) (right), s <= t.

    Parameters
    ----------
    data : Regression1D
        The sample (see :func:`learntheory.datasets.regression_1d`).
    alphas : sequence of float
        Label weights in [0, 1].
    steps : sequence of int
        Distillation steps t >= 1 of the slider (increasing); a frame draws those <= t.
    ridge, bandwidth : float
        Per-sample ridge and kernel length scale of every step.
    kernel : {"gaussian", "laplace"}
    k : int
        Eigen-indices shown in the right panel.
    defaults : dict, optional
        Initial ``alpha`` and ``step`` (on the grid).
    """
    runs: dict[float, DistillationRun] = {}

    def draw(fig, alpha: float, step: int) -> None:
        if alpha not in runs:  # one closed-form run per α, shared by all its frames
            runs[alpha] = distill_krr_1d(data, alpha=alpha, ridge=ridge, bandwidth=bandwidth,
                                         steps=max(steps), kernel=kernel)
        run = runs[alpha]
        ax_fit, ax_diag = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.3, 1]})
        shown = [s for s in steps if s <= step]  # the grid's steps up to the current one
        plot_distillation_fits(ax_fit, data, run, steps=shown, highlight=step, legend=False)
        ax_fit.set_title(f"α = {alpha:g}, t = {step}: test error "
                         f"{float(run.test_mse[step - 1]):.4f}")
        plot_distillation_diagonal(ax_diag, run.diagonal, steps=shown, limit=run.limit_diagonal,
                                   k=min(k, run.diagonal.shape[1]), legend=False)
        ax_diag.set_title("diagonal (dashed: t = ∞)")

    return Explorer(draw, {"alpha": list(alphas), "step": list(steps)}, defaults=defaults,
                    figsize=(7.0, 3.3),
                    labels={"alpha": "ground-truth weight α", "step": "distillation step t"},
                    title="Self-distillation: ground-truth weight × step")
