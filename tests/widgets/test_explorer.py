"""Explorers: one definition gives a live widget and a static twin with every frame."""

import json
import re

import pytest
import torch

import learntheory as lt


def _draw(fig, a, b):
    ax = fig.subplots()
    ax.plot([0, 1], [0, a * b])
    ax.set(xlabel="x", ylabel="y")  # the book's style refuses unlabelled axes


def _line(fig, a):
    ax = fig.subplots()
    ax.plot([0, a])
    ax.set(xlabel="x", ylabel="y")


def test_static_twin_embeds_every_frame_and_a_slider_per_parameter():
    ex = lt.widgets.Explorer(_draw, {"a": [1, 2, 3], "b": [0.1, 1.0]}, title="t")
    html = ex.static_html()
    payload = json.loads(re.search(r'application/json" id="[^"]+">(.*?)</script>', html)
                         .group(1).replace("<\\/", "</"))
    assert sorted(payload["frames"]) == ["0,0", "0,1", "1,0", "1,1", "2,0", "2,1"]
    assert len(set(payload["frames"].values())) == 6  # the frames really differ
    assert html.count('type="range"') == 2
    assert ex.defaults == {"a": 2, "b": 1.0}


def test_live_widget_redraws_on_change():
    ex = lt.widgets.Explorer(_draw, {"a": [1, 2, 3], "b": [0.1, 1.0, 10.0]})
    box = ex.live()
    before = box.children[-1].value
    box.controls["a"].value = 3
    assert box.children[-1].value != before
    assert box.children[-1].value == ex.render(a=3, b=1.0)
    assert type(box.controls["b"]).__name__ == "FloatLogSlider"
    assert type(box.controls["a"]).__name__ == "IntSlider"


def test_mime_bundle_carries_both_renderings():
    bundle = lt.widgets.Explorer(_draw, {"a": [1, 2], "b": [1.0]})._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert 'class="lt-explorer"' in bundle["text/html"]


def test_explorer_errors_name_the_parameter():
    with pytest.raises(TypeError, match="'draw' parameter of Explorer must be callable"):
        lt.widgets.Explorer(3, {"a": [1]})
    with pytest.raises(ValueError, match="'grid' parameter of Explorer"):
        lt.widgets.Explorer(_draw, {})
    with pytest.raises(ValueError, match="default a=5 of Explorer must be one of"):
        lt.widgets.Explorer(_draw, {"a": [1, 2]}, defaults={"a": 5})
    with pytest.raises(ValueError, match="unknown parameters \\['c'\\]"):
        lt.widgets.Explorer(_draw, {"a": [1, 2]}, defaults={"c": 5})


def test_krr_explorer_builds_and_updates():
    data = lt.datasets.regression_1d(20, generator=lt.make_generator(0), dtype=torch.float64)
    ex = lt.widgets.explore_krr(data, bandwidths=[0.05, 0.2], ridges=[1e-3, 1e-1])
    box = ex.live()
    before = box.children[-1].value
    box.controls["ridge"].value = 1e-3
    box.controls["bandwidth"].value = 0.05
    assert box.children[-1].value != before
    assert len(ex.frames()) == 4


def test_a_single_valued_parameter_is_shown_fixed_not_as_a_slider():
    ex = lt.widgets.Explorer(_draw, {"a": [1, 2], "b": [0.5]})
    html = ex.static_html()
    assert html.count('type="range"') == 1 and "b = 0.5" in html
    assert type(ex.live().controls["b"]).__name__ == "Dropdown"


def test_labels_replace_parameter_names_in_both_renderings():
    ex = lt.widgets.Explorer(_line, {"a": [1, 2]},
                  labels={"a": "slope α"})
    html = ex.static_html()
    assert "slope α" in html and 'aria-label="slope α"' in html
    assert ex.live().controls["a"].description == "slope α"
    with pytest.raises(ValueError, match="'labels' parameter of Explorer names unknown"):
        lt.widgets.Explorer(lambda fig, a: None, {"a": [1]}, labels={"b": "x"})


def test_frames_are_light_palette_pngs():
    """Frames are 256-colour palette PNGs: a line plot frame is a fraction of the RGBA size."""
    import io

    from PIL import Image

    def draw(fig, a):
        ax = fig.subplots()
        for k in range(5):
            ax.plot(torch.linspace(0, 1, 200), torch.sin(a * k * torch.linspace(0, 6, 200)),
                    label=f"curve {k}")
        ax.legend()
        ax.set_xlabel("x")
        ax.set_ylabel("y")

    ex = lt.widgets.Explorer(draw, {"a": [1.0, 2.0]})
    png = ex.render(a=1.0)
    assert Image.open(io.BytesIO(png)).mode == "P"
    full = io.BytesIO()
    ex.figure(a=1.0).savefig(full, format="png", dpi=ex.dpi)
    assert len(png) < 0.5 * len(full.getvalue()), (len(png), len(full.getvalue()))
