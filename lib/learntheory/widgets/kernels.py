"""Explorers of the kernels primer."""

from __future__ import annotations

from collections.abc import Sequence

from learntheory.kernels import krr_error_curves, krr_fit_1d
from learntheory.plotting import plot_error_curves, plot_krr_fit
from learntheory.widgets.explorer import Explorer

__all__ = ["explore_krr"]


def explore_krr(
    data,
    *,
    bandwidths: Sequence[float],
    ridges: Sequence[float],
    kernel: str = "gaussian",
    defaults: dict | None = None,
) -> Explorer:
    """Bandwidth × ridge explorer: the fit (left) and the error curves (right).

    Parameters
    ----------
    data : Regression1D
        The sample to fit (see :func:`learntheory.datasets.regression_1d`).
    bandwidths, ridges : sequences of float
        The grid; the static twin pre-renders every pair.
    kernel : {"gaussian", "laplace"}
    defaults : dict, optional
        Initial ``bandwidth`` and ``ridge`` (on the grid).
    """
    curves: dict[float, object] = {}

    def draw(fig, bandwidth: float, ridge: float) -> None:
        if ridge not in curves:  # one sweep per ridge, shared by all its frames
            curves[ridge] = krr_error_curves(data, bandwidths=bandwidths, ridge=ridge,
                                             kernel=kernel)
        ax_fit, ax_err = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.4, 1]})
        plot_krr_fit(ax_fit, data, krr_fit_1d(data, bandwidth=bandwidth, ridge=ridge,
                                               kernel=kernel))
        plot_error_curves(ax_err, curves[ridge], current=bandwidth)
        ax_err.set_title(f"errors against h (λ = {ridge:.2g})")

    return Explorer(draw, {"bandwidth": list(bandwidths), "ridge": list(ridges)},
                    defaults=defaults, labels={"bandwidth": "bandwidth h", "ridge": "ridge λ"},
                    title="Kernel ridge regression: bandwidth × ridge")
