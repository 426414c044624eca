"""Author-year labels in the bibliography, to match the author-year citations in the text.

sphinxcontrib-bibtex cites author-year in the text (``bibtex_reference_style: author_year``)
but its stock pybtex styles label the bibliography [1], [2], ... ("plain") or [JGH18]
("alpha"). This registers a pybtex style ``authoryear``: entries sorted by author, year
and title, each labelled "Jacot et al., 2018" as it is cited. Select it with
``bibtex_default_style: authoryear`` in ``_config.yml``.
"""

from __future__ import annotations

from pybtex.plugin import register_plugin
from pybtex.richtext import Text
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle


def _surname(person) -> str:
    """The printed surname: LaTeX accents decoded (Sch{\\"o}lkopf -> Schölkopf)."""
    return Text.from_latex(" ".join(person.prelast_names + person.last_names)).render_as("text")


class AuthorYearLabels(BaseLabelStyle):
    """'Neal, 1996', 'Cho and Saul, 2009', 'Jacot et al., 2018'."""

    def format_labels(self, sorted_entries):
        for entry in sorted_entries:
            people = entry.persons.get("author") or entry.persons.get("editor") or []
            names = [_surname(p) for p in people]
            if len(names) >= 3:
                who = f"{names[0]} et al."
            elif len(names) == 2:
                who = f"{names[0]} and {names[1]}"
            else:
                who = names[0] if names else entry.key
            yield f"{who}, {entry.fields.get('year', 'n.d.')}"


class AuthorYearStyle(PlainStyle):
    default_label_style = AuthorYearLabels
    default_sorting_style = "author_year_title"


register_plugin("pybtex.style.formatting", "authoryear", AuthorYearStyle)


def setup(app):
    return {"parallel_read_safe": True, "parallel_write_safe": True}
