"""Figures for training in the NTK chapter: lazy training, eigen-dynamics, finite-width effects.

Each function draws on a given Axes and returns the artists; none calls ``plt.show()``.
"""

from __future__ import annotations

import torch
from matplotlib.axes import Axes
from matplotlib.ticker import NullFormatter

from learntheory.plotting.ntk import plot_loglog_fit
from learntheory.plotting.style import PALETTE

__all__ = [
    "plot_feature_learning",
    "plot_flip_parts",
    "plot_flow_comparison",
    "plot_kernel_fit",
    "plot_lazy_rates",
    "plot_lazy_run",
    "plot_mode_residuals",
    "plot_ntk_fluctuations",
    "plot_training_filters",
]


def _np(t):
    return torch.as_tensor(t).detach().cpu().double().numpy()


def plot_flow_comparison(ax: Axes, gamma_test, net_test, flow_test, *, gamma_train=None,
                         y_train=None, net_train=None, color: str = PALETTE[1],
                         label: str = "network"):
    """Network predictions (solid) against the closed-form kernel prediction (dashed).

    ``gamma_*`` are the abscissae (e.g. angles on the circle); ``net_train``, if
    given, marks the network's predictions at the training inputs (crosses)
    beside the targets ``y_train`` (grey dots).
    """
    arts = ax.plot(_np(gamma_test), _np(flow_test), "--", color="k", lw=2,
                   label="kernel gradient descent, analytic NTK")
    arts += ax.plot(_np(gamma_test), _np(net_test), color=color, lw=1.5, label=label)
    if gamma_train is not None and y_train is not None:
        arts.append(ax.scatter(_np(gamma_train), _np(y_train), color="0.55", s=28, zorder=3,
                               label="training targets"))
    if gamma_train is not None and net_train is not None:
        arts.append(ax.scatter(_np(gamma_train), _np(net_train), color=color, marker="x",
                               s=22, zorder=4, label="network at training inputs"))
    ax.set_xlabel(r"input angle $\gamma$")
    ax.set_ylabel("$f(x)$")
    return arts


def plot_lazy_run(ax: Axes, run, data, *, record: int = -1, color: str = PALETTE[1],
                  label: str = "network", show_train: bool = True):
    """One :class:`~learntheory.ntk.lazy.LazyRun` at one recorded step on the circle.

    ``data`` is the :class:`~learntheory.datasets.CircleRegression` it was trained on;
    ``record`` indexes ``run.steps`` (default: the end of training).
    """
    return plot_flow_comparison(ax, data.gamma_test, run.net_test[record], run.flow_test[record],
                                gamma_train=data.gamma, y_train=data.y,
                                net_train=run.net_train[record] if show_train else None,
                                color=color, label=label)


def plot_lazy_rates(ax: Axes, widths, series, *, colors=PALETTE, markers: str = "os^Dv"):
    """Several quantities against the width, each with its power-law fit in *one* legend entry.

    ``series`` maps a label to ``(mean, se, fit)``: the mean over seeds per width,
    its standard error (bars: two of them) and a :func:`~learntheory.loglog_slope`
    fit. Returns ``(handles, labels)`` for ``ax.legend`` or ``fig.legend``: each
    handle shows the series' marker over its dashed fit, labelled with the
    fitted slope and its standard error.
    """
    handles, labels = [], []
    styles = zip(series.items(), colors, markers, strict=False)  # more styles than series
    for (label, (mean, se, fit)), color, marker in styles:
        points, line = plot_loglog_fit(ax, widths, mean, fit=fit, yerr=2 * se, color=color,
                                       marker=marker)
        handles.append((points, line))
        labels.append(f"{label}: slope {fit.slope:.2f} \N{PLUS-MINUS SIGN} {fit.stderr:.2f}")
    return handles, labels


def plot_kernel_fit(ax: Axes, data, prediction, *, color: str = PALETTE[0],
                    label: str = "kernel gradient descent"):
    """A kernel method's prediction on the circle's test grid, with the training targets.

    ``data`` is a :class:`~learntheory.datasets.CircleRegression`; ``prediction``
    (M,) lives on ``data.x_test``.
    """
    arts = ax.plot(_np(data.gamma_test), _np(prediction), color=color, lw=2, label=label)
    arts.append(ax.scatter(_np(data.gamma), _np(data.y), color="0.4", s=14, zorder=3,
                           label="training targets"))
    ax.set_xlabel(r"input angle $\gamma$")
    ax.set_ylabel("$f(x)$")
    return arts


def plot_feature_learning(ax_loss: Axes, ax_change: Axes, history, *, title: str = ""):
    """Training loss against step (left) and each hidden layer's feature change (right).

    ``history`` is a :class:`~learntheory.ntk.training.TrainHistory` of an :class:`MLP`.
    """
    arts = ax_loss.semilogy(_np(history.steps), _np(history.loss), color=PALETTE[0])
    ax_loss.set_xlabel("gradient-descent step")
    ax_loss.set_ylabel("training loss")
    if title:
        ax_loss.set_title(title)
    change = _np(history.feature_change[-1])
    layers = range(1, len(change) + 1)
    arts.append(ax_change.bar(layers, change, color=PALETTE[1]))
    ax_change.set_ylim(0, max(1.2, 1.1 * float(change.max())))
    ax_change.set_xticks(list(layers))
    ax_change.set_xlabel("hidden layer")
    ax_change.set_ylabel("relative feature change")
    return arts


def plot_mode_residuals(ax: Axes, steps, measured, predicted, eigvals, *, ylim=(1e-5, 5.0)):
    """Residual norm per eigenspace (solid) against its predicted geometric decay (dashed).

    ``measured`` and ``predicted`` have shape (T, G); ``eigvals`` (G,) label the curves.
    """
    arts = []
    s = _np(steps)
    for g in range(measured.shape[1]):
        color = PALETTE[g % len(PALETTE)]
        arts += ax.semilogy(s, _np(measured[:, g]), color=color, lw=2,
                            label=rf"$\lambda = {float(eigvals[g]):.2f}$")
        arts += ax.semilogy(s, _np(predicted[:, g]), "--", color=color, lw=1)
    ax.set_ylim(*ylim)
    ax.set_xlabel("gradient-descent step $t$")
    ax.set_ylabel(r"$\|U_g^\top r_t\|$")
    return arts


def plot_training_filters(ax: Axes, comparison):
    r"""Early stopping against ridge, from a :class:`~learntheory.kernels.FilterComparison`.

    For each t: gradient flow :math:`1-e^{-\eta\lambda t}` (solid), ridge
    :math:`\lambda/(\lambda+n\lambda_r)` with :math:`\lambda_r = 1/(n\eta t)` (dashed), and the
    discrete GD filter :math:`1-(1-\eta\lambda_i)^t` at the kernel's eigenvalues (dots).
    """
    arts = []
    grid = _np(comparison.grid)
    for i, (t, color) in enumerate(zip(comparison.times, PALETTE, strict=False)):
        arts += ax.semilogx(grid, _np(comparison.flow[i]), color=color, lw=1.8, label=f"t = {t}")
        arts += ax.semilogx(grid, _np(comparison.ridge[i]), "--", color=color, lw=1)
        arts += ax.semilogx(_np(comparison.eigvals), _np(comparison.descent[i]), "o",
                            color=color, ms=4)
    arts += ax.plot([], [], "-", color="0.4", lw=1.8, label=r"flow $1-e^{-\eta\lambda t}$")
    arts += ax.plot([], [], "--", color="0.4", lw=1,
                    label=r"ridge $\lambda/(\lambda + 1/(\eta t))$")
    arts += ax.plot([], [], "o", color="0.4", ms=4, label=r"GD at the NTK's $\lambda_i$")
    ax.set_ylim(-0.03, 1.03)
    ax.set_xlabel(r"eigenvalue $\lambda$")
    ax.set_ylabel("fraction of the direction learned")
    return arts


def plot_ntk_fluctuations(ax: Axes, result, *, fit_c: float | None = None,
                          max_ratio: float | None = None):
    r"""Relative variance of the NTK diagonal against depth/width, one colour per width.

    ``result`` is a :class:`~learntheory.ntk.fluctuations.NTKFluctuations`; with ``fit_c``
    the curve :math:`e^{c L/n} - 1` is overlaid (up to ``max_ratio``).
    """
    arts = []
    for j, (n, color) in enumerate(zip(result.widths, PALETTE, strict=False)):
        arts.append(ax.errorbar(_np(result.ratio[:, j]), _np(result.excess[:, j]),
                                yerr=_np(2 * result.stderr[:, j]), fmt="o", color=color, ms=4,
                                capsize=2, label=f"width {n}"))
    if fit_c is not None:
        r = result.ratio.flatten()
        hi = float(r.max()) if max_ratio is None else max_ratio
        xs = torch.logspace(torch.log10(r.min()), torch.log10(torch.tensor(hi)), 100,
                            dtype=torch.float64)
        arts += ax.plot(_np(xs), _np(torch.expm1(fit_c * xs)), "--", color="k", lw=1,
                        label=rf"$e^{{cL/n}} - 1$, fitted $c = {fit_c:.2f}$")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.xaxis.set_minor_formatter(NullFormatter())  # minor-decade labels run together
    ax.set_xlabel("depth / width $L/n$")
    ax.set_ylabel(r"$\mathrm{Var}\,\hat\Theta(x,x) \,/\, (\mathbb{E}\,\hat\Theta(x,x))^2$")
    return arts


def _fixed_slope_line(ax: Axes, widths, values, slope: float, color, label: str):
    """Dashed c * n**slope with c the least-squares value on the log scale."""
    w, v = torch.as_tensor(widths, dtype=torch.float64), torch.as_tensor(values)
    c = torch.exp((v.log() - slope * w.log()).mean())
    return ax.plot(_np(w), _np(c * w**slope), "--", color=color, lw=1, label=label)


def plot_flip_parts(ax_sizes: Axes, ax_ratio: Axes, sweep, *,
                    probe_labels=("training inputs", "test inputs")):
    r"""The ReLU flip part's two pieces against the width (book: ``ntk-flip-parts``).

    ``sweep`` is a :class:`~learntheory.ntk.FlipSweep` whose probe set 0 is the training
    inputs. Left (log-log, training inputs): the coherent size
    :math:`\sqrt{\text{mean excess}}` and the random-walk size (mean over seeds, bars two
    standard errors), each with a dashed line of slope -1/2 or -3/4 fitted through it.
    Right: excess / random\ :sup:`2` per seed, mean and two standard errors, for every
    probe set, with the :math:`n^{1/2}` law fitted through the training inputs and 0.
    """
    widths = sweep.widths
    seeds = sweep.values.shape[-1]
    arts = []
    excess, rand = sweep.get("excess", 0), sweep.get("random", 0)
    coh = excess.mean(1).clamp_min(1e-300).sqrt()
    coh_se = excess.std(1) / seeds**0.5 / (2 * coh)
    rnd = rand.mean(1)
    for vals, se, slope, power, color, marker, label in (
            (coh, coh_se, -0.5, "-1/2", PALETTE[0], "o", "coherent part"),
            (rnd, rand.std(1) / seeds**0.5, -0.75, "-3/4", PALETTE[1], "s",
             "random-walk size")):
        arts.append(ax_sizes.errorbar(_np(widths), _np(vals), yerr=_np(2 * se), fmt=marker,
                                      color=color, label=label, capsize=2))
        arts += _fixed_slope_line(ax_sizes, widths, vals, slope, color,
                                  rf"$\propto n^{{{power}}}$")
    ax_sizes.set_xscale("log", base=2)
    ax_sizes.set_yscale("log")
    ax_sizes.set_xlabel("width $n$")
    ax_sizes.set_ylabel("relative size, training inputs")
    for p in range(sweep.values.shape[0]):
        ratio = sweep.get("excess", p) / sweep.get("random", p) ** 2
        mean, se = ratio.mean(1), ratio.std(1) / seeds**0.5
        arts.append(ax_ratio.errorbar(_np(widths), _np(mean), yerr=_np(2 * se),
                                      fmt="os^"[p % 3], color=PALETTE[p], capsize=2,
                                      label=probe_labels[p]))
        if p == 0:
            arts += _fixed_slope_line(ax_ratio, widths, mean.clamp_min(1e-12), 0.5,
                                      PALETTE[0], r"$\propto n^{1/2}$")
    arts.append(ax_ratio.axhline(0.0, color="0.4", lw=1, ls="--"))
    ax_ratio.set_xscale("log", base=2)
    ax_ratio.set_xlabel("width $n$")
    ax_ratio.set_ylabel("(coherent / random walk)$^2$")
    return arts
