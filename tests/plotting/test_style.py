"""The book's figure style (learntheory.plotting.style): each rule refuses what breaks it.

Each check is shown to fire on a figure that breaks exactly one rule and to stay quiet on
the same figure with the rule kept, so none can pass by never firing.
"""

from __future__ import annotations

import io

import pytest

import learntheory as lt
from learntheory.plotting.style import BOOK_RC, MAX_WIDTH, MIN_FONT_PT


def _draw(fig) -> None:
    fig.savefig(io.BytesIO(), format="png")


def _labelled(fig, title="panel"):
    ax = fig.subplots()
    ax.plot([0, 1], [0, 1])
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(title)
    return ax


def test_a_labelled_figure_in_the_style_draws():
    fig = lt.plotting.new_figure(figsize=(MAX_WIDTH, 3))
    _labelled(fig)
    _draw(fig)


def test_the_style_sets_every_font_to_at_least_the_minimum():
    sizes = {k: v for k, v in BOOK_RC.items() if k.endswith("size") and k != "font.size"}
    assert sizes and all(v >= MIN_FONT_PT for v in sizes.values()), sizes
    assert BOOK_RC["font.size"] >= MIN_FONT_PT


@pytest.mark.parametrize("figsize", [(MAX_WIDTH + 0.1, 3), (0, 3), (5, -1)])
def test_too_wide_or_empty_figures_are_refused(figsize):
    with pytest.raises(ValueError, match="figsize"):
        lt.plotting.new_figure(figsize=figsize)


def test_text_below_the_minimum_is_refused():
    fig = lt.plotting.new_figure(figsize=(5, 3))
    ax = _labelled(fig)
    _draw(fig)
    ax.legend(["line"], fontsize=MIN_FONT_PT - 1)
    with pytest.raises(ValueError, match="below"):
        _draw(fig)


def test_an_unlabelled_axis_is_refused_unless_a_shared_axis_carries_the_label():
    fig = lt.plotting.new_figure(figsize=(6, 3))
    a, b = fig.subplots(1, 2, sharey=True)
    for ax in (a, b):
        ax.plot([0, 1], [0, 1])
        ax.set_xlabel("x")
    a.set_ylabel("y")
    _draw(fig)  # b's y axis is shared with a's, which has the label
    a.set_ylabel("")
    with pytest.raises(ValueError, match="y axis"):
        _draw(fig)


def test_colliding_titles_are_refused():
    fig = lt.plotting.new_figure(figsize=(6, 3))
    axes = fig.subplots(1, 3, sharey=True)
    for ax in axes:
        ax.plot([0, 1], [0, 1])
        ax.set_xlabel("x")
        ax.set_title("short")
    axes[0].set_ylabel("y")
    _draw(fig)
    axes[1].set_title("a title far too long for a third of the figure's width")
    with pytest.raises(ValueError, match="collide"):
        _draw(fig)


def test_a_legend_off_the_figure_is_refused():
    fig = lt.plotting.new_figure(figsize=(4, 3))
    ax = _labelled(fig)
    ax.plot([0, 1], [1, 0], label="a long legend entry " * 3)
    ax.legend(loc="upper left", bbox_to_anchor=(0.5, 1.0))
    with pytest.raises(ValueError, match="legend"):
        _draw(fig)


def test_overlapping_tick_labels_are_refused():
    fig = lt.plotting.new_figure(figsize=(3, 3))
    ax = _labelled(fig)
    ax.set_xticks([0, 0.5, 1])
    _draw(fig)
    ax.set_xticks([0, 0.01, 1], ["zero", "one hundredth", "one"])
    with pytest.raises(ValueError, match="tick labels"):
        _draw(fig)


@pytest.mark.parametrize("span, labels", [((0.05, 0.2), ["0.05", "0.1", "0.2"]),
                                          ((0.01, 10.0), None)])
def test_log_axes_label_few_ticks(span, labels):
    """A short log axis labels its 1-2-5 ticks as plain numbers; a long one its decades."""
    fig = lt.plotting.new_figure(figsize=(3, 3))
    ax = fig.subplots()
    ax.loglog(span, span)
    ax.set(xlabel="x", ylabel="y", xlim=span)
    _draw(fig)
    lo, hi = span
    ticks = zip(ax.xaxis.get_majorticklabels(), ax.xaxis.get_majorticklocs(), strict=True)
    shown = [t.get_text() for t, loc in ticks if lo <= loc <= hi and t.get_text()]
    minor = [t.get_text() for t in ax.xaxis.get_minorticklabels() if t.get_text()]
    assert not minor
    if labels is None:
        assert all("10^" in t for t in shown) and len(shown) == 4, shown
    else:
        assert shown == labels
