"""Files of a documentation site that are not documents of their own, decided from names alone.

A page's source beside it (`guide.md` or `guide.rst` by `guide.html`; Sphinx's
`_sources/guide.rst.txt`, `_sources/guide.txt` or `_sources/guide.md.txt` for `guide.html`) is a
copy of the rendered page: indexing it too would quote every page twice, the markup-laden copy
often first. Only the rendered page is read, and cited. `_static/` beside pages holds the site's
theme (JavaScript, fonts and their READMEs). The walk asks at every scan, so a source whose page
is removed is read again at the next update, and one whose page appears leaves the index.
"""

from __future__ import annotations

import re

_SOURCE_NAME = re.compile(r"(?i)(?:\.(?:rst|md|markdown|txt|ipynb))?\.txt$")
_PAGE = (".html", ".htm")


def _folder(doc_id: str) -> str:
    return doc_id.rsplit("/", 1)[0] if "/" in doc_id else ""


def site_copies(ids: list[str]) -> dict[str, str]:
    """{id: why it is not read} for the ids (all document files of a folder) that are a site's
    page sources or theme files."""
    pages = {d for d in ids if d.lower().endswith(_PAGE)}
    if not pages:
        return {}
    folders = {_folder(d) for d in pages}
    out: dict[str, str] = {}
    for doc_id in ids:
        parts = doc_id.split("/")
        stem = None
        if "_sources" in parts[:-1]:
            at = len(parts) - 1 - parts[::-1].index("_sources")
            base = "/".join(parts[:at] + parts[at + 1 :])
            stem = _SOURCE_NAME.sub("", base)
            stem = stem if stem != base else None
        elif doc_id.lower().endswith((".md", ".markdown", ".rst")):
            stem = doc_id.rsplit(".", 1)[0]
        page = next((stem + e for e in _PAGE if stem and stem + e in pages), None)
        if page is not None:
            out[doc_id] = "a page's source, its rendered page is indexed"
        elif "_static" in parts[:-1] and "/".join(parts[: parts.index("_static")]) in folders:
            out[doc_id] = "a documentation site's theme files (_static/), not read"
    return out
