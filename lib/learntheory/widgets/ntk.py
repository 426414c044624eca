"""Explorers of the NTK chapter's initialisation pages: NNGP and NTK concentration.

Each explorer only wires a grid to a numeric function of :mod:`learntheory.ntk`
(returning a typed result) and to the :mod:`learntheory.plotting` function
that draws that result; the pages' static figures call the same two.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from learntheory._core import check_instance, make_generator
from learntheory.ntk import MLPConfig, ntk_slices, output_ensemble
from learntheory.plotting.ntk import plot_ntk_slices, plot_output_ensemble
from learntheory.plotting.style import PALETTE
from learntheory.widgets.explorer import Explorer

__all__ = ["explore_nngp", "explore_ntk_concentration"]


def explore_nngp(
    x: torch.Tensor,
    *,
    config: MLPConfig,
    widths: Sequence[int],
    depths: Sequence[int],
    n_networks: int,
    seed: int = 0,
) -> Explorer:
    """Width x depth: outputs of many random networks at two inputs vs the NNGP Gaussian.

    Computes :func:`~learntheory.ntk.output_ensemble` and draws it with
    :func:`~learntheory.plotting.plot_output_ensemble`. ``config``'s width and
    depth are replaced by the grid's; each frame draws its networks from a
    generator seeded by ``seed``, so frames are reproducible.
    """
    check_instance(config, "config", MLPConfig, owner="explore_nngp")

    def draw(fig, width: int, depth: int) -> None:
        ens = output_ensemble(x, config=config.replace(width=width, depth=depth),
                              n_networks=n_networks, generator=make_generator(seed, x.device))
        plot_output_ensemble(*fig.subplots(1, 2), ens)

    return Explorer(draw, {"width": list(widths), "depth": list(depths)},
                    labels={"width": "width n", "depth": "hidden layers L"},
                    title="Random networks at initialisation vs the NNGP")


def explore_ntk_concentration(
    x0: torch.Tensor,
    x: torch.Tensor,
    gamma: torch.Tensor,
    *,
    config: MLPConfig,
    widths: Sequence[int],
    depths: Sequence[int],
    n_networks: int,
    seed: int = 0,
) -> Explorer:
    """Width x depth: empirical NTK rows of several networks vs the analytic NTK.

    Computes :func:`~learntheory.ntk.ntk_slices` (the analogue of [Jacot2018],
    Fig. 1) and draws it with :func:`~learntheory.plotting.plot_ntk_slices`.
    """
    check_instance(config, "config", MLPConfig, owner="explore_ntk_concentration")

    def draw(fig, width: int, depth: int) -> None:
        slices = ntk_slices(x0, x, config=config.replace(width=width, depth=depth),
                            n_networks=n_networks, generator=make_generator(seed, x.device))
        ax = fig.subplots()
        plot_ntk_slices(ax, gamma, slices, color=PALETTE[0])
        ax.set_title(f"depth {depth}, width {width}: mean relative error "
                     f"{float(slices.relative_error.mean()):.3f}")
        ax.legend()

    return Explorer(draw, {"width": list(widths), "depth": list(depths)},
                    labels={"width": "width n", "depth": "hidden layers L"},
                    title="Empirical NTK at initialisation vs the analytic NTK")
