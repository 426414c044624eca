"""Figures for the kernels primer. Each function draws on given Axes and returns artists."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from matplotlib.axes import Axes

from learntheory.plotting.style import PALETTE

__all__ = [
    "plot_eigenfunctions",
    "plot_error_curves",
    "plot_filters",
    "plot_fit_path",
    "plot_gram",
    "plot_kernel_slices",
    "plot_krr_fit",
    "plot_spectrum",
]


def _np(t: torch.Tensor):
    return t.detach().cpu().numpy()


def plot_gram(ax: Axes, K: torch.Tensor, *, title: str | None = None, cmap: str = "viridis"):
    """Heat map of a Gram matrix, with a colour bar."""
    im = ax.imshow(_np(K), cmap=cmap, interpolation="nearest")
    ax.figure.colorbar(im, ax=ax, shrink=0.8)
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title)
    return im


def plot_krr_fit(ax: Axes, data, fit, *, show_target: bool = True, legend: bool = True):
    """Training sample, true function and the KRR fit on the test grid; the title gives
    h and λ, the upper right corner the train and test errors."""
    x = _np(data.x_test[:, 0])
    arts = [ax.scatter(_np(data.x_train[:, 0]), _np(data.y_train), s=12, color="0.45",
                       label="training data", zorder=3)]
    if show_target:
        arts += ax.plot(x, _np(data.f_test), color="k", lw=1.2, ls="--", label="target $f^*$")
    arts += ax.plot(x, _np(fit.prediction), color=PALETTE[0], lw=2, label="KRR fit")
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.set_ylim(-2.6, 2.6)
    ax.set_title(f"h = {fit.bandwidth:.3g}, λ = {fit.ridge:.2g}")
    arts.append(ax.text(0.97, 0.97, f"train MSE {fit.train_mse:.3f}\ntest MSE {fit.test_mse:.3f}",
                        transform=ax.transAxes, ha="right", va="top"))
    if legend:
        ax.legend(loc="lower left")
    return arts


def plot_error_curves(ax: Axes, curves, *, current: float | None = None,
                      show_decomposition: bool = True):
    """Train/test error (and exact bias², variance) against bandwidth, log-log."""
    h = _np(curves.bandwidths)
    arts = ax.plot(h, _np(curves.train_mse), "o-", color=PALETTE[2], ms=3, label="train MSE")
    arts += ax.plot(h, _np(curves.test_mse), "o-", color=PALETTE[1], ms=3, label="test MSE")
    if show_decomposition:
        arts += ax.plot(h, _np(curves.bias2), ":", color=PALETTE[3], label="bias²")
        arts += ax.plot(h, _np(curves.variance), ":", color=PALETTE[5], label="variance")
    if current is not None:
        arts.append(ax.axvline(current, color="0.3", lw=1))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("bandwidth $h$")
    ax.set_ylabel("mean squared error")
    ax.legend()
    return arts


def plot_spectrum(ax: Axes, eigvals: torch.Tensor | Sequence, *, label: str | None = None,
                  color: str | None = None, k: int | None = None):
    """Eigenvalues in descending order on a log scale."""
    ev = torch.as_tensor(eigvals).detach().cpu()
    ev = ev[:k] if k else ev
    arts = ax.semilogy(range(1, len(ev) + 1), ev.clamp_min(1e-18).numpy(), "o-", ms=3,
                       label=label, color=color)
    ax.set_xlabel("index $i$")
    ax.set_ylabel(r"eigenvalue $\lambda_i$")
    return arts


def plot_filters(ax: Axes, eigvals: torch.Tensor, filters: dict[str, torch.Tensor]):
    """Filter factor (fraction of each eigen-direction that is learned) against λ_i."""
    arts = []
    ev = _np(eigvals)
    for (label, f), color in zip(filters.items(), PALETTE, strict=False):
        arts += ax.semilogx(ev, _np(f), "o", ms=3, label=label, color=color)
    ax.set_xlabel(r"eigenvalue $\lambda_i$")
    ax.set_ylabel("fraction learned")
    ax.set_ylim(-0.05, 1.05)
    ax.legend()
    return arts


def plot_kernel_slices(ax: Axes, x: torch.Tensor, slices: dict[str, torch.Tensor], *,
                       x0: float | None = None, title: str | None = None):
    """Curves :math:`x \\mapsto k(x_0, x)`, one per entry of ``slices`` (label -> (m,) values).

    ``x`` is the (m,) or (m, 1) evaluation grid; ``x0`` draws a dotted vertical
    line at the anchor point.
    """
    xs = _np(x.reshape(-1))
    arts = []
    for (label, values), color in zip(slices.items(), PALETTE, strict=False):
        arts += ax.plot(xs, _np(values.reshape(-1)), color=color, lw=1.8, label=label)
    if x0 is not None:
        arts.append(ax.axvline(x0, color="0.5", lw=0.8, ls=":"))
    ax.set_xlabel("$x$")
    ax.set_ylabel("$k(x_0, x)$")
    if title:
        ax.set_title(title)
    ax.legend()
    return arts


def plot_eigenfunctions(ax: Axes, z: torch.Tensor, phi: torch.Tensor, *,
                        x_sample: torch.Tensor | None = None, spacing: float = 3.0):
    """Eigenfunctions ``phi[:, i]`` on the grid ``z``, stacked with vertical offsets.

    Row ``i`` is drawn at height ``-spacing * i`` and labelled
    :math:`\\phi_{i+1}`; ``x_sample`` adds a rug of the sample points.
    """
    zs = _np(z.reshape(-1))
    arts = []
    k = phi.shape[1]
    for i in range(k):
        base = -spacing * i
        arts.append(ax.axhline(base, color="0.85", lw=0.8))
        arts += ax.plot(zs, _np(phi[:, i]) + base, color=PALETTE[i % len(PALETTE)], lw=1.6)
    if x_sample is not None:
        xs = _np(x_sample.reshape(-1))
        arts.append(ax.scatter(xs, [-spacing * (k - 0.4)] * len(xs), marker="|", s=25,
                               color="0.5", lw=0.6))
    ax.set_yticks([-spacing * i for i in range(k)],
                  [f"$\\phi_{{{i + 1}}}$" for i in range(k)])
    ax.set_xlabel("$x$")
    ax.set_ylabel("eigenfunction")
    return arts


def plot_fit_path(ax: Axes, x: torch.Tensor, y: torch.Tensor, fits: dict[str, torch.Tensor], *,
                  target: torch.Tensor | None = None):
    """A training sample ``(x, y)`` and several fits evaluated at the same ``x``.

    ``fits`` maps a label (e.g. a training time) to (n,) fitted values; the
    points are sorted by ``x`` so each fit is drawn as a curve.
    """
    order = torch.argsort(x.reshape(-1))
    xs = _np(x.reshape(-1)[order])
    arts = [ax.scatter(xs, _np(y[order]), s=8, color="0.65", label="training data", zorder=1)]
    if target is not None:
        arts += ax.plot(xs, _np(target[order]), color="k", lw=1.2, ls="--", label="target $f^*$")
    for (label, f), color in zip(fits.items(), PALETTE, strict=False):
        arts += ax.plot(xs, _np(f[order]), color=color, lw=1.8, label=label)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.legend()
    return arts
