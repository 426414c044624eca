"""The smoke/full size switch shared by every notebook.

A notebook declares its sizes once::

    S = lt.sizes(full=dict(n=400, widths=[64, 256, 1024]), smoke=dict(n=40, widths=[16, 32]))

and reads ``S.n``. With the environment variable ``BOOK_SMOKE=1`` (set by
``make test``) the ``smoke`` values are used, otherwise the ``full`` ones. The
two dictionaries must have the same keys, so a size cannot be forgotten in
one mode.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["Sizes", "sizes", "smoke_mode"]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def smoke_mode() -> bool:
    """Return True when ``BOOK_SMOKE`` asks for small (CI) sizes.

    Raises
    ------
    ValueError
        If ``BOOK_SMOKE`` is set to something that is neither true nor false.
    """
    raw = os.environ.get("BOOK_SMOKE", "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValueError(
        "The 'BOOK_SMOKE' environment variable must be one of "
        f"{sorted(_TRUE | _FALSE - {''})} or unset. Got {raw!r} instead."
    )


class Sizes(Mapping):
    """Read-only sizes for one notebook, readable as attributes or keys.

    Attributes
    ----------
    smoke : bool
        Whether the smoke values were selected.
    """

    def __init__(self, values: Mapping[str, Any], smoke: bool) -> None:
        self._values = dict(values)
        self.smoke = smoke

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__dict__["_values"][name]
        except KeyError:
            declared = sorted(self._values)
            raise AttributeError(f"No size named {name!r}; declared: {declared}") from None

    def __getitem__(self, key: str) -> Any:
        return self._values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        mode = "smoke" if self.smoke else "full"
        body = ", ".join(f"{k}={v!r}" for k, v in self._values.items())
        return f"Sizes[{mode}]({body})"

    def _repr_html_(self) -> str:
        """A one-line, collapsed note for readers; the sizes unfold on a click."""
        import html

        mode = "smoke (BOOK_SMOKE=1)" if self.smoke else "full"
        rows = "".join(f"<tr><td><code>{html.escape(k)}</code></td>"
                       f"<td>{html.escape(repr(v))}</td></tr>" for k, v in self._values.items())
        return (f'<details class="lt-sizes"><summary>Sizes: {mode}</summary>'
                f'<table>{rows}</table></details>')


def sizes(*, full: Mapping[str, Any], smoke: Mapping[str, Any]) -> Sizes:
    """Select a notebook's sizes according to :func:`smoke_mode`.

    Parameters
    ----------
    full : mapping
        Publication sizes, used by default.
    smoke : mapping
        Small sizes for CI, used when ``BOOK_SMOKE=1``. Same keys as ``full``.

    Returns
    -------
    Sizes
        The selected values; ``S.smoke`` tells which.

    Raises
    ------
    ValueError
        If the two mappings do not have the same keys.

    Examples
    --------
    >>> import learntheory as lt
    >>> S = lt.sizes(full=dict(n=1000), smoke=dict(n=10))
    >>> S.n in (10, 1000)
    True
    """
    for name, value in (("full", full), ("smoke", smoke)):
        if not isinstance(value, Mapping):
            raise TypeError(
                f"The '{name}' parameter must be a mapping of sizes. Got {type(value).__name__}."
            )
    if set(full) != set(smoke):
        raise ValueError(
            "The 'full' and 'smoke' sizes must declare the same names. "
            f"Only in full: {sorted(set(full) - set(smoke))}; "
            f"only in smoke: {sorted(set(smoke) - set(full))}."
        )
    is_smoke = smoke_mode()
    return Sizes(smoke if is_smoke else full, is_smoke)
