"""House style for the book's figures (matplotlib only)."""

from __future__ import annotations

from matplotlib.figure import Figure

__all__ = ["PALETTE", "new_figure"]

#: Colour-blind-safe palette (Okabe & Ito), used in this order.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]


def new_figure(figsize: tuple[float, float] = (6.4, 4.0), **kwargs) -> Figure:
    """Return a detached :class:`~matplotlib.figure.Figure` with the house style.

    The figure is not registered with pyplot, so rendering many frames leaks
    no memory and needs no ``plt.close``.
    """
    fig = Figure(figsize=figsize, layout="constrained", **kwargs)
    return fig
