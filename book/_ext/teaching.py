"""The course guide's generated parts, read from the book's own sources.

* ``{exercise-bank}``: every exercise of the book (``_toc.yml`` order) with its chapter,
  its one-line summary (the exercise's title), its difficulty (``level-1..3``) and
  whether it needs a computer (``computer``) or pen and paper (``paper``). An exercise
  without a title or without exactly one tag of each kind is a build warning (an error
  under ``-W``).
* ``{course-week} Title`` with ``:pages:`` (space-separated docnames): one week of a
  course plan: the pages to read, the explorers on them, their exercises, and the time
  their notebooks took to execute in this build (myst-nb's execution report, filled in
  once every page has been read, as myst-nb's own ``{nb-exec-table}`` does).
* ``{chapter-dependencies}``: an SVG diagram with an arrow A → B when pages of chapter
  B cross-reference pages of chapter A ({doc}, {ref}, {prf:ref}, {eq}, {numref}).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

ROOT = Path(__file__).resolve().parents[2]
LEVELS = ("level-1", "level-2", "level-3")
MEDIA = ("paper", "computer")
LEVEL_WORDS = {"level-1": "1 · routine", "level-2": "2 · standard", "level-3": "3 · harder"}
NOT_CHAPTERS = {"teaching"}  # folders of book/ that are not chapters of the book
logger = logging.getLogger(__name__)

_START = re.compile(r"^(`{3,}|:{3,})\{exercise(?:-start)?\}[ \t]*(?P<title>.*)$")
_OPTION = re.compile(r"^:(?P<key>[a-z-]+):[ \t]*(?P<value>.*)$")
_EXPLORER = re.compile(r"\blt\.widgets\.(explore_\w+)\(")
_LABEL = re.compile(r"^\s*:label:\s*(\S+)|^\((\S+)\)=\s*$")
_XREF = re.compile(r"\{(?:doc|ref|prf:ref|eq|numref)\}`(?:[^`<]*<)?([^`>]+)>?`")


@dataclass(frozen=True)
class Exercise:
    label: str
    title: str
    classes: tuple[str, ...]
    docname: str
    chapter: str
    line: int

    @property
    def level(self) -> str | None:
        found = [c for c in self.classes if c in LEVELS]
        return found[0] if len(found) == 1 else None

    @property
    def medium(self) -> str | None:
        found = [c for c in self.classes if c in MEDIA]
        return found[0] if len(found) == 1 else None


def toc_chapters(root: Path = ROOT) -> list[tuple[str, str, list[str]]]:
    """``(chapter folder, chapter title, [docnames])`` of the book's chapters, in order
    (the chapters whose pages live in a folder of ``book/`` with an ``index``)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    out = []
    for part in toc.get("parts", []):
        for chapter in part.get("chapters", []):
            index = chapter["file"]
            if not index.endswith("/index") or index.split("/")[-2] in NOT_CHAPTERS:
                continue
            docs = [index] + [s["file"] for s in chapter.get("sections", [])]
            title = _title(root / f"{index}.md")
            out.append((index.split("/")[-2], title, docs))
    return out


def _title(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return path.stem


def exercises(root: Path = ROOT) -> list[Exercise]:
    """Every exercise in the chapters' sources, in reading order."""
    found = []
    for _, chapter, docs in toc_chapters(root):
        for doc in docs:
            lines = (root / f"{doc}.md").read_text(encoding="utf-8").splitlines()
            for i, line in enumerate(lines):
                m = _START.match(line)
                if not m:
                    continue
                options, j = {}, i + 1
                while j < len(lines) and (o := _OPTION.match(lines[j])):
                    options[o["key"]] = o["value"].strip()
                    j += 1
                found.append(Exercise(
                    label=options.get("label", ""), title=m["title"].strip(),
                    classes=tuple(options.get("class", "").split()), docname=doc,
                    chapter=chapter, line=i + 1))
    return found


def problems(ex: Exercise) -> list[str]:
    """What an exercise lacks for the bank (empty when it is complete)."""
    out = []
    if not ex.label:
        out.append("no :label:")
    if not ex.title:
        out.append("no one-line summary (the directive's title)")
    if ex.level is None:
        out.append(f"not exactly one difficulty class of {LEVELS}")
    if ex.medium is None:
        out.append(f"not exactly one medium class of {MEDIA}")
    return out


def explorers(doc: str, root: Path = ROOT) -> list[str]:
    text = (root / f"{doc}.md").read_text(encoding="utf-8")
    return list(dict.fromkeys(_EXPLORER.findall(text)))


def chapter_dependencies(root: Path = ROOT, forward: bool = False
                         ) -> dict[tuple[str, str], int]:
    """``{(A, B): n}``: chapter B's pages make n cross-references to chapter A's pages,
    A coming before B in the book (``forward=True``: only the references to later
    chapters, which are pointers ahead, not prerequisites)."""
    chapters = toc_chapters(root)
    rank = {folder: k for k, (folder, _, _) in enumerate(chapters)}
    home = {doc: folder for folder, _, docs in chapters for doc in docs}
    labels = {}
    for doc, folder in home.items():
        for line in (root / f"{doc}.md").read_text(encoding="utf-8").splitlines():
            m = _LABEL.match(line)
            if m:
                labels[m[1] or m[2]] = folder
    edges: dict[tuple[str, str], int] = {}
    for doc, folder in home.items():
        text = (root / f"{doc}.md").read_text(encoding="utf-8")
        for target in _XREF.findall(text):
            target = target.strip()
            if "/" in target or target in home:
                resolved = os.path.normpath(os.path.join(os.path.dirname(doc), target))
                other = home.get(resolved.lstrip("/")) or home.get(target.lstrip("/"))
            else:
                other = labels.get(target)
            if other and other != folder and (rank[other] > rank[folder]) == forward:
                edges[(other, folder)] = edges.get((other, folder), 0) + 1
    return edges


def _parse(directive: SphinxDirective, text: str) -> list[nodes.Node]:
    container = nodes.container()
    directive.state.nested_parse(StringList(text.splitlines(), directive.env.docname),
                                 directive.content_offset, container)
    return container.children


def _depends_on_sources(env) -> None:
    for _, _, docs in toc_chapters():
        for doc in docs:
            env.note_dependency(str(ROOT / f"{doc}.md"))


def _tag_words(ex: Exercise) -> str:
    level = f"level {ex.level[-1]}" if ex.level else "level ?"
    return f"{level}, {'computer' if ex.medium == 'computer' else 'pen and paper'}"


def _ref(ex: Exercise) -> str:
    return f"{{ref}}`{ex.title} <{ex.label}>`"


class ExerciseBank(SphinxDirective):
    def run(self):
        _depends_on_sources(self.env)
        rows = ["| # | Exercise | Chapter | Difficulty | Needs |", "|---|---|---|---|---|"]
        all_ex = exercises()
        for k, ex in enumerate(all_ex, 1):
            for issue in problems(ex):
                logger.warning(f"exercise {ex.label or '?'}: {issue}",
                               location=(ex.docname, ex.line))
            needs = {"computer": "a computer", "paper": "pen and paper"}.get(ex.medium, "?")
            rows.append(f"| {k} | {_ref(ex)} | {ex.chapter} | "
                        f"{LEVEL_WORDS.get(ex.level, '?')} | {needs} |")
        counts = {lv: sum(ex.level == lv for ex in all_ex) for lv in LEVELS}
        head = (f"{len(all_ex)} exercises: " + ", ".join(
            f"{n} at {LEVEL_WORDS[lv].split(' · ')[1]} level" for lv, n in counts.items())
            + f"; {sum(ex.medium == 'computer' for ex in all_ex)} need a computer.")
        return _parse(self, head + "\n\n" + "\n".join(rows))


class run_time(nodes.General, nodes.Inline, nodes.Element):
    """Placeholder for the execution time of some pages (filled after reading)."""


class CourseWeek(SphinxDirective):
    required_arguments = 1
    final_argument_whitespace = True
    option_spec = {"pages": directives.unchanged_required}
    has_content = True

    def run(self):
        _depends_on_sources(self.env)
        pages = self.options.get("pages", "").split()
        known = {doc for _, _, docs in toc_chapters() for doc in docs}
        unknown = [p for p in pages if p not in known]
        if not pages or unknown:
            raise self.error(f"course-week: :pages: must list docnames of _toc.yml; "
                             f"unknown: {unknown or '(none given)'}")
        found = [ex for ex in exercises() if ex.docname in pages]
        tools = [e for p in pages for e in explorers(p)]
        lines = [f"**{self.arguments[0]}**", "",
                 "- Read: " + ", ".join(f"{{doc}}`/{p}`" for p in pages),
                 "- In class: " + (", ".join(f"`lt.widgets.{t}`" for t in tools)
                                   if tools else "no explorer on these pages"),
                 "- Exercises: " + ("; ".join(
                     f"{_ref(ex)} ({_tag_words(ex)})" for ex in found)
                     or "none"),
                 "- Notebook run time: RUNTIME"]
        out = _parse(self, "\n".join(lines))
        for node in out:
            for text in list(node.findall(nodes.Text)):
                if "RUNTIME" in text:
                    before, after = str(text).split("RUNTIME", 1)
                    text.parent.replace(text, [nodes.Text(before), run_time(pages=pages),
                                               nodes.Text(after)])
        container = nodes.container(classes=["course-week"])
        container.extend(out)
        if self.content:
            container.extend(_parse(self, "\n".join(self.content)))
        self.env.lt_course_weeks = getattr(self.env, "lt_course_weeks", set()) | {
            self.env.docname}
        return [container]


class FillRunTimes(SphinxPostTransform):
    default_priority = 8

    def run(self, **kwargs):
        from myst_nb.sphinx_ import NbMetadataCollector

        data = NbMetadataCollector.get_doc_data(self.env)
        size = "smoke size (CI)" if os.environ.get("BOOK_SMOKE") == "1" else "full size"
        for node in list(self.document.findall(run_time)):
            times = [(data.get(p) or {}).get("exec_data") or {} for p in node["pages"]]
            secs = [t.get("runtime") for t in times if t.get("runtime") is not None]
            if not secs:
                text = "not executed in this build"
            else:
                total = sum(secs)
                text = (f"{total / 60:.1f} min" if total >= 90 else f"{total:.0f} s") + (
                    f" at {size}, {len(secs)} notebook{'s' if len(secs) > 1 else ''},"
                    f" as measured when this site was built ({os.cpu_count()} CPU cores)")
            node.replace_self(nodes.Text(text))


def _weeks_to_update(app, env):
    from myst_nb.sphinx_ import NbMetadataCollector

    if NbMetadataCollector.new_exec_data(env):
        return sorted(getattr(env, "lt_course_weeks", set()))
    return None


def _svg(edges: dict[tuple[str, str], int]) -> str:
    chapters = toc_chapters()
    names = {folder: title for folder, title, _ in chapters}
    order = [folder for folder, _, _ in chapters]
    depth = {}
    for folder in order:  # layers: the longest chain of prerequisites
        depth[folder] = 1 + max((depth[a] for (a, b) in edges if b == folder and a in depth),
                                default=-1)
    layers: dict[int, list[str]] = {}
    for folder in order:
        layers.setdefault(depth[folder], []).append(folder)
    w, h, gap_x, gap_y, margin = 250, 62, 36, 56, 8
    width = max(len(v) for v in layers.values()) * (w + gap_x) - gap_x + 2 * margin
    height = len(layers) * (h + gap_y) - gap_y + 2 * margin
    pos = {}
    for d, row in layers.items():
        x0 = (width - len(row) * (w + gap_x) + gap_x) / 2
        for k, folder in enumerate(row):
            pos[folder] = (x0 + k * (w + gap_x), margin + d * (h + gap_y))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
             f'role="img" class="chapter-dependencies" style="max-width:100%;height:auto" '
             f'aria-label="Which chapter builds on which">',
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" '
             'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
             '<path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>']
    for (a, b), n in sorted(edges.items()):
        (xa, ya), (xb, yb) = pos[a], pos[b]
        x1, y1, x2, y2 = xa + w / 2, ya + h, xb + w / 2, yb
        if ya == yb:
            y1, y2 = ya + h / 2, yb + h / 2
            x1, x2 = (xa + w, xb) if xa < xb else (xa, xb + w)
        parts.append(f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2:.0f}" '
                     f'stroke="#555" stroke-width="1.5" marker-end="url(#arrow)"/>')
        # the count, beside the arrow's middle, on a white halo so that lines never hide it
        parts.append(f'<text x="{(x1 + x2) / 2 + 10:.0f}" y="{(y1 + y2) / 2 + 5:.0f}" '
                     f'font-size="15" fill="#333" stroke="#fff" stroke-width="4" '
                     f'paint-order="stroke">{n}</text>')
    for folder, (x, y) in pos.items():
        parts.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="{w}" height="{h}" rx="8" '
                     f'fill="#eef3fb" stroke="#3a6ea5"/>')
        lines = _wrap(names[folder], 27)
        for k, line in enumerate(lines):
            dy = (k - (len(lines) - 1) / 2) * 19
            parts.append(f'<text x="{x + w / 2:.0f}" y="{y + h / 2 + 5 + dy:.0f}" '
                         f'font-size="15" text-anchor="middle" fill="#111">{line}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap of a chapter title into lines of at most ``width`` characters."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


class ChapterDependencies(SphinxDirective):
    def run(self):
        _depends_on_sources(self.env)
        edges = chapter_dependencies()
        names = {folder: title for folder, title, _ in toc_chapters()}
        figure = nodes.container(classes=["chapter-dependencies"])
        figure += nodes.raw("", _svg(edges), format="html")
        ahead = chapter_dependencies(forward=True)
        listing = "; ".join(f"{names[b]} cites {names[a]} {n} time{'s' if n > 1 else ''}"
                            for (a, b), n in sorted(edges.items(), key=lambda e: -e[1]))
        figure += _parse(self, "*Which chapter builds on which.* An arrow A → B means that "
                         "pages of B cross-reference pages of A; the number counts the "
                         f"references, read from the sources when the book was built: "
                         f"{listing or 'none'}." + (" Pointers ahead, to later chapters, are "
                         "not prerequisites and are not drawn: " + "; ".join(
                             f"{names[b]} to {names[a]} ({n})"
                             for (a, b), n in sorted(ahead.items())) + "." if ahead else ""))
        return [figure]


def _show_tags(app, doctree):
    """Each exercise shows its difficulty and medium in a line under its title."""
    for node in doctree.findall(nodes.Element):
        classes = node.get("classes", [])
        if "exercise" not in classes or not node.children:
            continue
        level = [c for c in classes if c in LEVELS]
        medium = [c for c in classes if c in MEDIA]
        if len(level) != 1 or len(medium) != 1:
            continue
        words = {"computer": "needs a computer", "paper": "pen and paper"}[medium[0]]
        text = f"Level {LEVEL_WORDS[level[0]]} · {words}"
        node.insert(1, nodes.paragraph(text, text, classes=["exercise-tags"]))


def _merge_weeks(app, env, docnames, other):
    env.lt_course_weeks = getattr(env, "lt_course_weeks", set()) | getattr(
        other, "lt_course_weeks", set())


def _purge_weeks(app, env, docname):
    getattr(env, "lt_course_weeks", set()).discard(docname)


def setup(app):
    app.add_node(run_time)
    app.add_directive("exercise-bank", ExerciseBank)
    app.add_directive("course-week", CourseWeek)
    app.add_directive("chapter-dependencies", ChapterDependencies)
    app.add_post_transform(FillRunTimes)
    app.connect("env-updated", _weeks_to_update)
    app.connect("doctree-read", _show_tags)
    app.connect("env-merge-info", _merge_weeks)
    app.connect("env-purge-doc", _purge_weeks)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
