"""reStructuredText: the text docutils reads (markup gone), its sections as sections (the anchor
docutils and Sphinx give them), literal blocks as code units, table rows as units.

Read only when no rendered page of the file is in the folder (see `index.documents`). Safe by
docutils' settings: no file inclusion, no raw passthrough, no configuration files read, and
reports never printed or raised. Sphinx's own directives and roles are not docutils': their
content is read as text (the prose of `.. versionadded::`, `.. function::`, `.. note::`), a
directive that only lists other files (`toctree`) is left out, and a role docutils does not
know shows its text (`:func:`len`` → `len`, `:ref:`the guide <guide>`` → `the guide`).
"""

from __future__ import annotations

import io
import re

from index.read.formats import SourceDoc, link, metadata_lines, name_title, title
from index.read.formats.markdown import SEPARATOR

_SETTINGS = {
    "report_level": 5,
    "halt_level": 5,
    "warning_stream": io.StringIO(),
    "file_insertion_enabled": False,
    "raw_enabled": False,
    "_disable_config": True,
    "doctitle_xform": False,
    "traceback": False,
    "syntax_highlight": "none",
    "line_length_limit": 100_000,
}
# Sphinx directives whose content is prose: read as a block (their argument a line of its own).
_PROSE_DIRECTIVES = """
seealso versionadded versionchanged deprecated versionremoved centered hlist glossary
function class method attribute data exception module currentmodule decorator staticmethod
classmethod describe object option envvar program setting templatetag templatefilter
django-admin fieldlookup index productionlist only tabularcolumns todo
""".split()
_DOMAINS = ("py", "c", "cpp", "js", "rst", "std")
_SKIPPED_DIRECTIVES = ("toctree", "autosummary", "literalinclude", "include", "raw", "highlight")
_ROLE = re.compile(r"^:[\w:.+-]+:`(.*)`$", re.DOTALL)
_registered = False


def _register() -> None:
    """Teach docutils Sphinx's common directives, once a process."""
    global _registered
    if _registered:
        return
    from docutils import nodes
    from docutils.parsers.rst import Directive, directives

    class Prose(Directive):
        optional_arguments = 1
        final_argument_whitespace = True
        has_content = True
        option_spec = None

        def run(self):
            box = nodes.container()
            if self.arguments:
                box += nodes.paragraph(text=self.arguments[0])
            self.state.nested_parse(self.content, self.content_offset, box)
            return [box]

    Prose.option_spec = _AnyOptions()

    class Skip(Directive):
        optional_arguments = 1
        final_argument_whitespace = True
        has_content = True
        option_spec = _AnyOptions()

        def run(self):
            return []

    names = list(_PROSE_DIRECTIVES)
    names += [f"{d}:{n}" for d in _DOMAINS for n in _PROSE_DIRECTIVES]
    for name in names:
        directives.register_directive(name, Prose)
    for name in _SKIPPED_DIRECTIVES:
        directives.register_directive(name, Skip)
    _registered = True


class _AnyOptions(dict):
    """Accept any option a directive is given (`:noindex:`, `:synopsis: …`) and ignore it."""

    def __contains__(self, key) -> bool:
        return True

    def __getitem__(self, key):
        return lambda value: value

    def get(self, key, default=None):
        return self[key]


class _Writer:
    """The document's text built block by block, with its sections and code units."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.size = 0
        self.heads: list[tuple[int, int, str, str | None]] = []
        self.units: list[tuple[int, int]] = []
        self.code: list[tuple[int, int]] = []  # the units that are listings
        self.rows: list[tuple[int, int]] = []  # the units that are table rows
        self.headings: list[tuple[int, int]] = []

    def block(self, text: str, unit: bool = False, code: bool = False) -> tuple[int, int] | None:
        """Add a block of text after a blank line; its span, or None when it is blank."""
        text = text.strip("\n")
        if not text.strip():
            return None
        if self.out:
            self.out.append("\n\n")
            self.size += 2
        if unit or code:
            self.units.append((self.size, self.size + len(text)))
        if code:
            self.code.append(self.units[-1])
        self.out.append(text)
        self.size += len(text)
        return self.size - len(text), self.size


def _text(node) -> str:
    """A node's text, with unknown roles shown as their text."""
    from docutils import nodes

    parts: list[str] = []
    for child in node.children:
        if isinstance(child, nodes.system_message):
            continue
        if isinstance(child, nodes.problematic):
            raw = child.astext()
            m = _ROLE.match(raw)
            inner = m.group(1) if m else raw
            inner = re.sub(r"^(.*?)\s*<[^<>]*>$", r"\1", inner, flags=re.DOTALL) or inner
            parts.append(inner.lstrip("~!"))
        elif isinstance(child, nodes.Text):
            parts.append(str(child))
        else:
            parts.append(_text(child))
    return "".join(parts)


def _walk(node, out: _Writer, level: int) -> None:
    from docutils import nodes

    for child in node.children:
        if isinstance(
            child,
            (
                nodes.system_message,
                nodes.comment,
                nodes.substitution_definition,
                nodes.target,
                nodes.raw,
                nodes.pending,
            ),
        ):
            continue
        if isinstance(child, nodes.section):
            titles = [c for c in child.children if isinstance(c, nodes.title)]
            name = title(_text(titles[0])) if titles else ""
            span = out.block(name) if name else None
            if span is not None:
                ids = child.get("ids") or []
                out.heads.append((span[0], level + 1, name, ids[0] if ids else None))
                out.headings.append(span)
            _walk(child, out, level + 1)
        elif isinstance(child, nodes.title):
            continue  # a section's title is written with the section
        elif isinstance(child, (nodes.literal_block, nodes.doctest_block)):
            out.block(child.astext(), code=True)
        elif isinstance(child, nodes.row):
            cells = [" ".join(_text(c).split()) for c in child.children]
            span = out.block(" | ".join(c for c in cells if c), unit=True)
            if span is not None:
                out.rows.append(span)
        elif isinstance(child, (nodes.paragraph, nodes.term, nodes.line, nodes.rubric)):
            out.block(" ".join(_text(child).split()))  # a paragraph's line breaks are spaces
        elif isinstance(child, nodes.TextElement) and not child.children:
            continue
        elif isinstance(child, nodes.Element):
            _walk(child, out, level)


def read(doc_id: str, text: str) -> SourceDoc:
    """A reStructuredText file as a document."""
    from docutils.core import publish_doctree

    _register()
    tree = publish_doctree(text, settings_overrides=dict(_SETTINGS))
    out = _Writer()
    _walk(tree, out, 0)
    body = "".join(out.out) + ("\n" if out.out else "")
    spans, url, outlet = metadata_lines(body, units=out.units)
    path: list[tuple[int, str]] = []
    sections = []
    for start, level, name, anchor in out.heads:
        while path and path[-1][0] >= level:
            path.pop()
        path.append((level, name))
        sections.append((start, SEPARATOR.join(n for _, n in path), anchor))
    name = out.heads[0][2] if out.heads else name_title(doc_id, body, tuple(spans))
    return SourceDoc(
        doc_id,
        name,
        link(url),
        body,
        tuple(spans),
        outlet=outlet,
        units=tuple(out.units),
        sections=tuple(sections),
        kind="rst",
        code=tuple(out.code),
        rows=tuple(out.rows),
        headings=tuple(out.headings),
    )
