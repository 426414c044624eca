"""House style for the book's figures (matplotlib only).

Every figure of the book comes from :func:`new_figure`, which applies one style so that
no page has to remember it:

* **Width.** The book's column shows a figure at most ``MAX_WIDTH`` = 7 in wide at its
  natural size (672 CSS px at 1280 px, measured in ``tests/book/test_site.py``; 96 CSS px
  per inch). A wider figure is shrunk by the browser and its text with it, so
  :func:`new_figure` refuses one.
* **Text.** ``BOOK_RC`` sets every font to at least ``MIN_FONT_PT`` = 10 pt, so that text
  is 10 pt on the page at natural size; :class:`BookFigure` checks at drawing time that no
  text is smaller and that every axis with tick labels has a label (its own, or one of
  an axis it shares, or the figure's ``supxlabel``/``supylabel``).
* **Log axes.** An axis showing two decades or more labels the decades only; a shorter
  one labels its 1-2-5 ticks as plain numbers (minor ticks stay unlabelled marks).
* **Format.** In IPython, static figures are shown (and glued) as SVG, crisp at any
  width; explorer frames stay PNG (see :class:`learntheory.widgets.Explorer`).
"""

from __future__ import annotations

import sys
from typing import Any

import matplotlib as mpl
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, LogFormatter, LogLocator, NullFormatter

__all__ = ["BOOK_RC", "MAX_WIDTH", "MIN_FONT_PT", "PALETTE", "BookFigure", "new_figure",
           "use_book_style"]

#: Colour-blind-safe palette (Okabe & Ito), used in this order.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

#: Widest figure (inches) shown at natural size in the book's column.
MAX_WIDTH = 7.0
#: Smallest font (points) allowed in a figure.
MIN_FONT_PT = 10.0

#: The rcParams of the book's figures.
BOOK_RC: dict[str, Any] = {
    "font.size": 11,
    "axes.titlesize": 11,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "legend.title_fontsize": 10,
    "figure.titlesize": 12,
    "figure.labelsize": 11,
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "svg.fonttype": "path",
}


def use_book_style() -> None:
    """Apply :data:`BOOK_RC` to matplotlib and, in IPython, show figures as SVG.

    Called by :func:`new_figure`; it changes matplotlib's global ``rcParams`` (the
    book's notebooks draw every figure in this style).
    """
    mpl.rcParams.update(BOOK_RC)
    ipython = sys.modules.get("IPython")
    if ipython is not None and ipython.get_ipython() is not None:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("svg")


def _unlabelled_axes(fig: Figure) -> list[str]:
    missing = []
    for ax in fig.axes:
        if not ax.get_visible() or not ax.axison or hasattr(ax, "_colorbar"):
            continue
        for name, axis, shared, sup in (
            ("x", ax.xaxis, ax.get_shared_x_axes(), getattr(fig, "_supxlabel", None)),
            ("y", ax.yaxis, ax.get_shared_y_axes(), getattr(fig, "_supylabel", None)),
        ):
            if not any(t.get_visible() and t.get_text() for t in axis.get_ticklabels()):
                continue  # no tick labels: nothing to name (images, shared inner panels)
            if sup is not None and sup.get_text():
                continue
            siblings = shared.get_siblings(ax)
            getter = "get_xlabel" if name == "x" else "get_ylabel"
            if not any(getattr(s, getter)() for s in siblings):
                missing.append(f"{name} axis of '{ax.get_title() or ax.get_label() or ax}'")
    return missing


def _colliding_texts(fig: Figure, renderer) -> list[str]:
    """Titles and axis labels that run off the figure or into each other."""
    texts = [t for ax in fig.axes if ax.get_visible()
             for t in (ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label)]
    texts += [getattr(fig, name, None) for name in ("_suptitle", "_supxlabel", "_supylabel")]
    texts = [t for t in texts if t is not None and t.get_visible() and t.get_text()]
    boxes = [(t.get_text()[:40], t.get_window_extent(renderer)) for t in texts]
    legends = [lg for lg in [*fig.legends, *(ax.get_legend() for ax in fig.axes)]
               if lg is not None and lg.get_visible()]
    out = [f"'{name}' runs off the figure" for name, b in boxes + [
        (f"legend {[t.get_text()[:20] for t in lg.get_texts()][:2]}",
         lg.get_window_extent(renderer)) for lg in legends]
           if b.x0 < fig.bbox.x0 - 1 or b.x1 > fig.bbox.x1 + 1
           or b.y0 < fig.bbox.y0 - 1 or b.y1 > fig.bbox.y1 + 1]
    out += [f"'{n1}' overlaps '{n2}'" for i, (n1, b1) in enumerate(boxes)
            for n2, b2 in boxes[i + 1:] if b1.overlaps(b2)]
    for ax in fig.axes:  # tick labels of one axis running into each other
        for axis in (ax.xaxis, ax.yaxis):
            ticks = [t for t in axis.get_ticklabels(which="both")
                     if t.get_visible() and t.get_text()]
            tb = [(t.get_text(), t.get_window_extent(renderer)) for t in ticks]
            out += [f"tick labels '{n1}' and '{n2}' overlap" for i, (n1, b1) in enumerate(tb)
                    for n2, b2 in tb[i + 1:] if b1.overlaps(b2)]
    return out


def _decades_only(fig: Figure) -> None:
    """Log axes label few ticks: matplotlib also labels minor ticks on short log axes, and
    in a book-sized panel they run into each other. An axis showing two decades or more
    labels the decades only; a shorter one labels the 1-2-5 ticks as plain numbers."""
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            if axis.get_scale() != "log" or not isinstance(axis.get_major_formatter(),
                                                             LogFormatter):
                continue  # not log, or its labels were chosen by hand
            lo, hi = sorted(axis.get_view_interval())
            shown = [t for t in axis.get_majorticklocs() if lo <= t <= hi]
            if len(shown) < 2:
                axis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
                axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            axis.set_minor_formatter(NullFormatter())


class BookFigure(Figure):
    """A :class:`~matplotlib.figure.Figure` that checks the book's style when drawn.

    Raises
    ------
    ValueError
        At drawing time, if a text is smaller than :data:`MIN_FONT_PT`, an axis with
        tick labels has no label, or a title or axis label runs off the figure or into
        another one (a title too long for its panel).
    """

    def draw(self, renderer) -> None:  # noqa: D102 - matplotlib's
        _decades_only(self)
        small = sorted({(round(t.get_fontsize(), 1), t.get_text()[:30])
                        for t in self.findobj(Text)
                        if t.get_visible() and t.get_text() and t.get_fontsize() < MIN_FONT_PT})
        if small:
            raise ValueError(f"Figure text below the book's {MIN_FONT_PT:g} pt: {small[:5]} "
                             "(drop the fontsize argument; learntheory.plotting.BOOK_RC "
                             "sizes every text).")
        missing = _unlabelled_axes(self)
        if missing:
            raise ValueError(f"Every axis of a book figure needs a label; missing: {missing}.")
        super().draw(renderer)
        colliding = _colliding_texts(self, renderer)
        if colliding:
            raise ValueError(f"Figure titles or labels collide: {colliding[:4]} (shorten them, "
                             "break them into lines, or make the figure taller/fewer panels).")


def new_figure(figsize: tuple[float, float] = (6.4, 4.0), **kwargs) -> BookFigure:
    """Return a detached :class:`BookFigure` in the book's style.

    The figure is not registered with pyplot, so rendering many frames leaks
    no memory and needs no ``plt.close``.

    Parameters
    ----------
    figsize : (float, float)
        Width and height in inches; the width at most :data:`MAX_WIDTH`.

    Raises
    ------
    ValueError
        If the width exceeds :data:`MAX_WIDTH` (the page would shrink the figure's text).
    """
    try:
        width, height = (float(v) for v in figsize)
    except (TypeError, ValueError):
        raise TypeError(f"The 'figsize' parameter of new_figure must be (width, height) in "
                        f"inches. Got {figsize!r}.") from None
    if not 0 < width <= MAX_WIDTH or height <= 0:
        raise ValueError(f"The 'figsize' parameter of new_figure must have 0 < width <= "
                         f"{MAX_WIDTH} in (the book's column; a wider figure is shrunk with its "
                         f"text) and a positive height. Got {figsize!r}.")
    use_book_style()
    return BookFigure(figsize=(width, height), layout="constrained", **kwargs)
