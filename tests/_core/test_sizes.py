"""The smoke/full switch: one declaration, two sizes, chosen by BOOK_SMOKE."""

import pytest

import learntheory as lt


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("true", True), ("0", False),
                                               ("", False), ("off", False)])
def test_smoke_mode_reads_book_smoke(monkeypatch, raw, expected):
    monkeypatch.setenv("BOOK_SMOKE", raw)
    assert lt.smoke_mode() is expected
    S = lt.sizes(full=dict(n=1000, widths=[64, 256]), smoke=dict(n=10, widths=[8]))
    assert S.n == (10 if expected else 1000)
    assert S["widths"] == ([8] if expected else [64, 256])
    assert S.smoke is expected


def test_unset_means_full(monkeypatch):
    monkeypatch.delenv("BOOK_SMOKE", raising=False)
    assert lt.sizes(full=dict(n=2), smoke=dict(n=1)).n == 2


def test_bad_switch_value_is_named(monkeypatch):
    monkeypatch.setenv("BOOK_SMOKE", "maybe")
    with pytest.raises(ValueError, match="BOOK_SMOKE.*'maybe'"):
        lt.smoke_mode()


def test_sizes_must_declare_the_same_names():
    with pytest.raises(ValueError, match=r"Only in full: \['seeds'\]"):
        lt.sizes(full=dict(n=1, seeds=3), smoke=dict(n=1))
    with pytest.raises(TypeError, match="'smoke' parameter must be a mapping"):
        lt.sizes(full=dict(n=1), smoke=[1])


def test_unknown_size_lists_the_declared_ones(monkeypatch):
    monkeypatch.delenv("BOOK_SMOKE", raising=False)
    S = lt.sizes(full=dict(n=1), smoke=dict(n=1))
    with pytest.raises(AttributeError, match=r"declared: \['n'\]"):
        _ = S.m


def test_sizes_show_as_one_collapsed_line_in_html(monkeypatch):
    """Readers see "Sizes: full" and can unfold the values; notebooks keep the full repr."""
    import learntheory as lt

    monkeypatch.delenv("BOOK_SMOKE", raising=False)
    S = lt.sizes(full=dict(n=400, widths=[1, 2]), smoke=dict(n=4, widths=[1]))
    html = S._repr_html_()
    assert html.startswith('<details class="lt-sizes"><summary>Sizes: full</summary>')
    assert "<code>n</code></td><td>400" in html and "[1, 2]" in html
    assert repr(S) == "Sizes[full](n=400, widths=[1, 2])"
