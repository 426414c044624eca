"""One explorer definition, two renderings: live in JupyterLab, static on the site.

An explorer is a parameter grid plus a pure ``draw(fig, **params)`` function
that computes (through the numeric subpackages) and plots (through
:mod:`learntheory.plotting`) into a given matplotlib figure. From that single
definition, :class:`Explorer` gives

* a **live** ipywidgets explorer (sliders, memoised redraws) for a notebook
  user with a kernel, and
* a **static twin** for the built site: every grid point is pre-rendered to a
  PNG frame and embedded in the page with a few lines of plain JavaScript, so
  that the sliders work with no kernel and no network.

Displaying an :class:`Explorer` (the last expression of a cell) emits both as
one MIME bundle. JupyterLab shows the live widget; the book's HTML builder is
configured to drop the widget MIME type and shows the static twin.
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import json
import math
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as W
import matplotlib

from learntheory.plotting.style import new_figure

__all__ = ["Explorer"]

DrawFn = Callable[..., Any]


def _label(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def _palette_png(png: bytes) -> bytes:
    """Re-encode a PNG with a 256-colour palette (adaptive, fast octree), optimised."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    out = io.BytesIO()
    image.quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(out, format="PNG",
                                                                      optimize=True)
    return out.getvalue()


def _is_geometric(values: Sequence[float]) -> bool:
    if len(values) < 3 or min(values) <= 0:
        return False
    logs = [math.log(v) for v in values]
    steps = [b - a for a, b in itertools.pairwise(logs)]
    return max(steps) - min(steps) < 1e-6 * max(1.0, abs(max(steps)))


class Explorer:
    """A parameter grid and a draw function, shown live or as precomputed frames.

    Parameters
    ----------
    draw : callable
        ``draw(fig, **params)`` draws one state into the matplotlib figure
        ``fig``. It must be deterministic: the static frames and the live
        widget call it with the same parameters.
    grid : mapping of str to sequence
        For each parameter, the values the static twin pre-renders (and the
        range the live sliders cover). Keep the product small (each frame is
        a PNG embedded in the page).
    defaults : mapping, optional
        Initial value of each parameter; must lie on the grid. Defaults to
        the middle of each grid.
    figsize : (float, float)
        Figure size in inches. The default, 6.8 in at 100 dpi, is the 688-px width at
        which the page shows a frame at 1280 px, so the book's 10-pt text is shown at
        its size; the width is capped as for every book figure
        (:func:`learntheory.plotting.new_figure`).
    dpi : int
        Resolution of the frames. Each frame is stored as a 256-colour palette PNG
        (about a quarter of the bytes of the full-colour PNG, with no visible loss for
        line plots), so pages with many frames stay light.
    title : str, optional
        Shown above the controls; also the frames' alt text prefix.
    labels : mapping of str to str, optional
        The reader's name for each parameter, with its symbol (for example
        ``{"lr_factor": "step size η / η_max"}``), shown beside its slider instead
        of the variable name; parameters without one show their name.

    Examples
    --------
    >>> def draw(fig, a):
    ...     fig.subplots().plot([0, a])
    ...     fig.supxlabel("x"); fig.supylabel("a x")   # every axis labelled
    >>> ex = Explorer(draw, {"a": [1, 2, 3]})
    >>> len(ex.frames())
    3
    """

    def __init__(
        self,
        draw: DrawFn,
        grid: Mapping[str, Sequence[Any]],
        *,
        defaults: Mapping[str, Any] | None = None,
        figsize: tuple[float, float] = (6.8, 3.2),
        dpi: int = 100,
        title: str | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> None:
        if not callable(draw):
            raise TypeError(f"The 'draw' parameter of Explorer must be callable. Got {draw!r}.")
        if not isinstance(grid, Mapping) or not grid:
            raise ValueError("The 'grid' parameter of Explorer must be a non-empty mapping of "
                             f"parameter names to sequences of values. Got {grid!r}.")
        self.grid = {k: list(v) for k, v in grid.items()}
        for name, values in self.grid.items():
            if not values:
                raise ValueError(f"The grid of parameter {name!r} in Explorer is empty.")
        defaults = dict(defaults or {})
        unknown = set(defaults) - set(self.grid)
        if unknown:
            raise ValueError(f"The 'defaults' parameter of Explorer names unknown parameters "
                             f"{sorted(unknown)}; the grid has {sorted(self.grid)}.")
        for name, value in defaults.items():
            if value not in self.grid[name]:
                raise ValueError(f"The default {name}={value!r} of Explorer must be one of its "
                                 f"grid values {self.grid[name]}.")
        self.defaults = {k: defaults.get(k, v[len(v) // 2]) for k, v in self.grid.items()}
        labels = dict(labels or {})
        unknown = set(labels) - set(self.grid)
        if unknown:
            raise ValueError(f"The 'labels' parameter of Explorer names unknown parameters "
                             f"{sorted(unknown)}; the grid has {sorted(self.grid)}.")
        self.labels = {k: str(labels.get(k, k)) for k in self.grid}
        self.draw = draw
        self.figsize = figsize
        self.dpi = dpi
        self.title = title
        self._cache: dict[tuple, bytes] = {}

    # -- rendering ------------------------------------------------------
    def figure(self, **params: Any) -> matplotlib.figure.Figure:
        """Return a new figure drawn at ``params`` (missing ones take their defaults)."""
        fig = new_figure(figsize=self.figsize)
        self.draw(fig, **{**self.defaults, **params})
        return fig

    def render(self, **params: Any) -> bytes:
        """Return the PNG bytes of the frame at ``params`` (memoised)."""
        full = {**self.defaults, **params}
        key = tuple(full[k] for k in self.grid)
        if key not in self._cache:
            fig = self.figure(**full)
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=self.dpi)
            self._cache[key] = _palette_png(buf.getvalue())
        return self._cache[key]

    def frames(self) -> dict[str, bytes]:
        """Render every grid point; keys are comma-joined grid indices (``"0,3"``)."""
        out = {}
        for idx in itertools.product(*(range(len(v)) for v in self.grid.values())):
            params = {k: v[i] for (k, v), i in zip(self.grid.items(), idx, strict=True)}
            out[",".join(map(str, idx))] = self.render(**params)
        return out

    # -- the static twin --------------------------------------------------
    def static_html(self) -> str:
        """Self-contained HTML: one range input per parameter and the frames as data URIs."""
        uid = "lt-explorer-" + uuid.uuid4().hex[:10]
        frames = {k: "data:image/png;base64," + base64.b64encode(v).decode("ascii")
                  for k, v in self.frames().items()}
        start = [self.grid[k].index(self.defaults[k]) for k in self.grid]
        labels = {k: [_label(v) for v in vals] for k, vals in self.grid.items()}
        controls = []
        for (name, vals), i0 in zip(self.grid.items(), start, strict=True):
            text = html.escape(self.labels[name])
            if len(vals) == 1:  # a fixed parameter: shown, not a slider
                controls.append(
                    f'<label style="margin-right:1.5em">{text} = '
                    f'{html.escape(labels[name][0])}<input type="hidden" value="0" '
                    f'data-param="{html.escape(name)}"></label>'
                )
                continue
            controls.append(
                f'<label style="margin-right:1.5em">{text} '
                f'<input type="range" min="0" max="{len(vals) - 1}" step="1" value="{i0}" '
                f'data-param="{html.escape(name)}" aria-label="{text}"> '
                f'<output>{html.escape(labels[name][i0])}</output></label>'
            )
        title = f"<strong>{html.escape(self.title)}</strong><br>" if self.title else ""
        alt = html.escape(self.title or "explorer frame")
        first = frames[",".join(map(str, start))]
        payload = json.dumps({"frames": frames, "labels": labels, "names": self.labels})
        payload = payload.replace("</", "<\\/")
        return (
            f'<div class="lt-explorer" id="{uid}">{title}'
            f'<div class="lt-explorer-controls">{"".join(controls)}</div>'
            f'<img class="lt-explorer-frame" src="{first}" alt="{alt}" '
            f'style="max-width:100%;height:auto"></div>'
            f'<script type="application/json" id="{uid}-data">{payload}</script>'
            "<script>(function(){"
            f'var root=document.getElementById("{uid}");'
            f'var data=JSON.parse(document.getElementById("{uid}-data").textContent);'
            'var inputs=root.querySelectorAll("input[data-param]");'
            'var img=root.querySelector("img.lt-explorer-frame");'
            "function update(){var key=[],desc=[];inputs.forEach(function(el){"
            "var label=data.labels[el.dataset.param][el.value];key.push(el.value);"
            'desc.push(data.names[el.dataset.param]+" = "+label);'
            'if(el.type==="range"){el.nextElementSibling.textContent=label;}});'
            'img.src=data.frames[key.join(",")];'
            'img.alt="' + alt + ': "+desc.join(", ");}'
            'inputs.forEach(function(el){el.addEventListener("input",update);});'
            "})();</script>"
        )

    # -- the live explorer --------------------------------------------------
    def _control(self, name: str, values: list[Any]) -> W.ValueWidget:
        value = self.defaults[name]
        style = {"description_width": "initial"}
        text = self.labels[name]
        common = dict(description=text, continuous_update=False, style=style)
        if len(values) == 1:  # a fixed parameter
            return W.Dropdown(options=values, value=value, description=text, style=style,
                              disabled=True)
        numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
        if numeric and all(isinstance(v, int) for v in values):
            return W.IntSlider(value=value, min=min(values), max=max(values), **common)
        if numeric and _is_geometric(values):
            lo, hi = math.log10(min(values)), math.log10(max(values))
            return W.FloatLogSlider(value=value, min=lo, max=hi, step=(hi - lo) / 100, **common)
        if numeric:
            lo, hi = min(values), max(values)
            return W.FloatSlider(value=value, min=lo, max=hi, step=(hi - lo) / 100, **common)
        return W.Dropdown(options=values, value=value, description=text, style=style)

    def live(self) -> W.VBox:
        """Return the live ipywidgets explorer (needs a running kernel)."""
        controls = {k: self._control(k, v) for k, v in self.grid.items()}
        image = W.Image(value=self.render(), format="png", layout=W.Layout(max_width="100%"))

        def update(change: Any = None) -> None:
            image.value = self.render(**{k: c.value for k, c in controls.items()})

        for control in controls.values():
            control.observe(update, names="value")
        header = [W.HTML(f"<strong>{html.escape(self.title)}</strong>")] if self.title else []
        box = W.VBox([*header, W.HBox(list(controls.values())), image])
        box.update = update  # exposed for headless tests
        box.controls = controls
        return box

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        bundle = self.live()._repr_mimebundle_(include=include, exclude=exclude) or {}
        bundle = dict(bundle)
        bundle["text/html"] = self.static_html()
        bundle["text/plain"] = f"Explorer({', '.join(self.grid)})"
        return bundle
