"""Documentation sites read as sites: a real Sphinx site made by sphinx-build in the test (pages,
`_sources/`, `_static/`, genindex, the module index, search, viewcode's rendered source), and
pages as MkDocs and Docusaurus write them. Only each page's own text is indexed, generated pages
are skipped with a reason, a page's source is not a second document, headings link to their
anchors and never keep the "¶"."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from independent import collapsed, visible_text

from index import open_index
from index.read.documents import read_document

CONF = """
import os, sys
sys.path.insert(0, os.path.abspath("."))
project = "Kettle"
copyright = "2026, The Kettle Makers"
extensions = ["sphinx.ext.autodoc", "sphinx.ext.viewcode"]
html_theme = "classic"
html_last_updated_fmt = "%b %d, %Y"
"""
MODULE = '''
"""Kettle control."""


def boil(litres):
    """Bring `litres` of water to the boil."""
    return litres * 4
'''
INDEX = """
Kettle manual
=============

The kettle manual explains how to use and care for the K2 kettle.

.. toctree::
   :maxdepth: 2

   guide
   faq
   api
"""
GUIDE = """
User guide
==========

.. contents:: On this page
   :local:
   :backlinks: entry

Filling
-------

Fill the kettle through the lid up to the maximum mark, never above it,
because boiling water would spill out of the spout.

Descaling
---------

Descale the kettle every four weeks in hard-water areas: fill it halfway with
white vinegar, boil it once and leave it overnight.

.. code-block:: python

   kettle.descale(vinegar=True)
"""
FAQ = """
Questions
=========

Why does the kettle switch itself off?
--------------------------------------

The thermostat cuts the power when the water boils, or when the kettle is
switched on without water inside.
"""
CONTENTS = """
Contents
========

.. toctree::

   guide
   faq
   api
"""
API = """
API
===

.. automodule:: kettle
   :members:
"""
NAVIGATION = (
    "Quick search",
    "Previous topic",
    "Next topic",
    "Show Source",
    "Copyright",
    "Last updated",
)


@pytest.fixture(scope="module")
def sphinx_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Sphinx site as `sphinx-build` writes it (the classic theme: related bars, a sidebar
    with the table of contents, "Previous topic", "Quick search", a copyright footer)."""
    root = tmp_path_factory.mktemp("sphinx")
    src = root / "src"
    src.mkdir()
    files = {"conf.py": CONF, "kettle.py": MODULE, "index.rst": INDEX, "guide.rst": GUIDE}
    files |= {"faq.rst": FAQ, "api.rst": API, "contents.rst": CONTENTS}
    for name, body in files.items():
        (src / name).write_text(textwrap.dedent(body).lstrip(), encoding="utf-8")
    out = root / "html"
    subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(src), str(out)],
        check=True,
        capture_output=True,
    )
    for extra in (".doctrees", ".buildinfo", "objects.inv"):
        path = out / extra
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    return out


@pytest.fixture
def site(sphinx_site: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "site"
    shutil.copytree(sphinx_site, folder)
    return folder


def test_the_site_holds_what_a_sphinx_site_holds(sphinx_site):
    for name in ("genindex.html", "search.html", "py-modindex.html", "_modules/kettle.html"):
        assert (sphinx_site / name).is_file(), name
    assert (sphinx_site / "_sources" / "guide.rst.txt").is_file()
    page = (sphinx_site / "guide.html").read_text(encoding="utf-8")
    for marker in ("Quick search", "Previous topic", "headerlink", "¶", "Copyright"):
        assert marker in page, marker


def test_only_the_pages_own_text_is_indexed(sphinx_site):
    for name in ("guide.html", "faq.html", "index.html"):
        doc, note = read_document(name, sphinx_site / name)
        assert doc is not None, (name, note)
        for marker in NAVIGATION:
            assert marker not in doc.text, (name, marker)
        assert "¶" not in doc.text, name
        assert all("¶" not in path for _, path, _ in doc.sections), name
        # The text is the page's: every paragraph is in an independent reading of the page.
        whole = visible_text(sphinx_site / name)
        for paragraph in doc.text.split("\n\n"):
            assert collapsed(paragraph) in whole, (name, paragraph)
    guide, _ = read_document("guide.html", sphinx_site / "guide.html")
    assert "white vinegar, boil it once and leave it overnight" in guide.text
    # Other pages' headings (the sidebar's table of contents) are not this page's text.
    assert "Why does the kettle switch itself off?" not in guide.text


def test_a_paragraphs_line_breaks_are_spaces(sphinx_site):
    doc, _ = read_document("guide.html", sphinx_site / "guide.html")
    paragraph = next(p for p in doc.text.split("\n\n") if p.startswith("Fill the kettle"))
    assert "\n" not in paragraph
    assert "never above it, because boiling water" in paragraph
    assert doc.text[doc.code[0][0] : doc.code[0][1]] == "kettle.descale(vinegar=True)"


def test_sections_link_to_their_anchor_without_the_pilcrow(sphinx_site):
    doc, _ = read_document("guide.html", sphinx_site / "guide.html")
    assert [(path, anchor) for _, path, anchor in doc.sections] == [
        ("User guide", "user-guide"),
        ("User guide › Filling", "filling"),
        ("User guide › Descaling", "descaling"),
    ]
    # The headings link back to the local contents ("toc-backref"): still the headings' words.
    page = (sphinx_site / "guide.html").read_text(encoding="utf-8")
    assert "toc-backref" in page
    assert [doc.text[a:b] for a, b in doc.headings] == ["User guide", "Filling", "Descaling"]
    assert "On this page" not in doc.text  # the local contents: a list of links


def test_an_object_description_is_a_section_with_its_anchor(sphinx_site):
    doc, _ = read_document("api.html", sphinx_site / "api.html")
    assert (
        doc.text
        == "API\n\nKettle control.\n\nkettle.boil(litres)\n\nBring litres of water to the boil.\n"
    )
    assert doc.sections[-1][1:] == ("API › kettle.boil(litres)", "kettle.boil")  # no [source], ¶
    assert [doc.text[a:b] for a, b in doc.headings] == ["API", "kettle.boil(litres)"]


def test_generated_pages_and_page_sources_are_skipped_with_a_reason(site, tmp_path):
    idx = open_index(site, tmp_path / "index", docs_url="https://docs.example/")
    skipped = dict(idx.report.skipped)
    assert "index" in skipped["genindex.html"]
    assert "modules" in skipped["py-modindex.html"]
    assert "search page" in skipped["search.html"]
    assert "source code" in skipped["_modules/kettle.html"]
    assert "page of links" in skipped["contents.html"]  # a table of contents and nothing else
    assert "genindex.html (a generated index of terms, not indexed)" in idx.report.summary()
    assert skipped["_sources/guide.rst.txt"] == "a page's source, its rendered page is indexed"
    documents = {p.document for q in ("descale vinegar", "thermostat") for p in idx.ask(q).passages}
    assert documents and all(d.endswith(".html") and "/" not in d for d in documents), documents
    best = idx.ask("how often should I descale the kettle?").passages[0]
    assert best.document == "guide.html"
    assert best.section == "User guide › Descaling"
    assert best.link == "https://docs.example/guide.html#descaling"
    assert "\n" not in best.text and best.text == idx.text_of("guide.html")[best.start : best.end]


def test_a_source_is_read_as_restructuredtext_once_its_page_is_gone(site, tmp_path):
    target = tmp_path / "index"
    assert "_sources/faq.rst.txt" in dict(open_index(site, target).report.skipped)
    (site / "faq.html").unlink()
    idx = open_index(site, target)
    assert "_sources/faq.rst.txt" not in dict(idx.report.skipped)
    best = idx.ask("why does the kettle switch itself off?").passages[0]
    assert best.document == "_sources/faq.rst.txt"
    assert best.section and "¶" not in best.section and "---" not in idx.text_of(best.document)
    assert best.section.startswith("Questions")
    (site / "faq.html").write_text("<h1>Questions</h1><p>Back again.</p>", encoding="utf-8")
    assert "_sources/faq.rst.txt" in dict(open_index(site, target).report.skipped)


RST = """
Brewing tea
===========

Warm the pot first, then add one spoon of tea per cup.  Call :func:`brew` with
:ref:`the strength you like <strength>` and the water's temperature.

.. note::

   Green tea wants water at 80 degrees, not boiling water.

.. toctree::

   other

Strength
--------

.. code-block:: python

   brew(strength=3)

.. raw:: html

   <script>alert("raw")</script>

.. include:: /etc/passwd
"""


def test_restructuredtext_is_read_as_text_with_sections(tmp_path):
    path = tmp_path / "tea.rst"
    path.write_text(RST.lstrip(), encoding="utf-8")
    doc, note = read_document("tea.rst", path)
    assert doc is not None, note
    assert doc.title == "Brewing tea"
    assert [(p, a) for _, p, a in doc.sections] == [
        ("Brewing tea", "brewing-tea"),
        ("Brewing tea › Strength", "strength"),
    ]
    assert "Call brew with the strength you like and the water's temperature." in doc.text
    assert "Green tea wants water at 80 degrees, not boiling water." in doc.text
    assert doc.text[doc.code[0][0] : doc.code[0][1]] == "brew(strength=3)"
    for markup in (":func:", ":ref:", "===", ".. ", "toctree", "other", "alert", "root:"):
        assert markup not in doc.text, markup
    assert [doc.text[a:b] for a, b in doc.headings] == ["Brewing tea", "Strength"]


MKDOCS = """<!DOCTYPE html>
<html><head><title>Install - Kettle Docs</title></head><body>
<div class="navbar fixed-top navbar-expand-lg navbar-dark bg-primary">
  <a class="navbar-brand" href="..">Kettle Docs</a>
  <ul class="nav navbar-nav"><li><a href="../">Home</a></li><li><a href="../descale/">Descaling</a></li></ul>
  <a href="#" data-toggle="modal" data-target="#mkdocs_search_modal">Search</a>
</div>
<div class="container"><div class="row">
  <div class="col-md-3"><div class="navbar-light navbar-expand-md bs-sidebar hidden-print affix" role="complementary">
    <ul class="nav flex-column"><li class="nav-item"><a href="#installing" class="nav-link">Installing</a></li>
    <li class="nav-item"><a href="#power" class="nav-link">Power</a></li></ul></div></div>
  <div class="col-md-9" role="main">
<h1 id="installing">Installing<a class="headerlink" href="#installing" title="Permanent link">&para;</a></h1>
<p>Place the kettle on a flat surface
away from the edge of the counter.</p>
<h2 id="power">Power<a class="headerlink" href="#power" title="Permanent link">&para;</a></h2>
<p>The kettle draws 2,200 watts; do not share its socket with a heater.</p>
</div></div></div>
<footer class="col-md-12"><hr><p>Documentation built with <a href="https://www.mkdocs.org/">MkDocs</a>.</p></footer>
<div class="modal" id="mkdocs_search_modal" tabindex="-1" role="dialog">
  <div class="modal-body"><p>From here you can search these documents.</p>
  <div id="mkdocs-search-results"></div></div></div>
</body></html>
"""
DOCUSAURUS = """<!doctype html>
<html><head><title>Descaling | Kettle</title></head><body>
<nav class="navbar navbar--fixed-top"><a class="navbar__brand" href="/">Kettle</a></nav>
<div class="main-wrapper"><div class="docsWrapper">
<aside class="theme-doc-sidebar-container"><nav class="menu"><a class="menu__link" href="/docs/install">Installing</a></nav></aside>
<main class="docMainContainer"><div class="container"><div class="row"><div class="col">
<article>
<nav class="theme-doc-breadcrumbs" aria-label="Breadcrumbs"><a href="/">Home</a> / Guides</nav>
<div class="theme-doc-markdown markdown">
<header><h1>Descaling</h1></header>
<p>Descale the kettle every four weeks in hard-water areas.</p>
<h2 class="anchor anchorWithStickyNavbar" id="vinegar-method">Vinegar method<a href="#vinegar-method" class="hash-link" aria-label="Direct link to Vinegar method" title="Direct link to Vinegar method">&#8203;</a></h2>
<p>Fill the kettle halfway with white vinegar, boil it, and leave it overnight.</p>
</div>
<footer class="theme-doc-footer docusaurus-mt-lg"><a href="https://example.org/edit/descale.md">Edit this page</a>
<span class="theme-last-updated">Last updated on Dec 5, 2026</span></footer>
</article>
<nav class="pagination-nav" aria-label="Docs pages"><a class="pagination-nav__link" href="/docs/install">Previous Installing</a></nav>
</div><div class="col col--3"><div class="tableOfContents"><ul><li><a href="#vinegar-method">Vinegar method</a></li></ul></div></div>
</div></div></main></div></div>
<footer class="footer"><div class="footer__copyright">Copyright © 2026 Kettle Makers.</div></footer>
</body></html>
"""


def test_mkdocs_and_docusaurus_pages_keep_only_their_text(tmp_path):
    for name, page, expected, anchors in (
        (
            "install/index.html",
            MKDOCS,
            "Installing\n\nPlace the kettle on a flat surface away from the edge of the counter.\n\n"
            "Power\n\nThe kettle draws 2,200 watts; do not share its socket with a heater.\n",
            [("Installing", "installing"), ("Installing › Power", "power")],
        ),
        (
            "descale.html",
            DOCUSAURUS,
            "Descaling\n\nDescale the kettle every four weeks in hard-water areas.\n\n"
            "Vinegar method\n\nFill the kettle halfway with white vinegar, boil it, and leave it "
            "overnight.\n",
            [("Descaling", None), ("Descaling › Vinegar method", "vinegar-method")],
        ),
    ):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8")
        doc, note = read_document(name, path)
        assert doc is not None, (name, note)  # MkDocs' search box on every page is not the page
        assert doc.text == expected, name
        assert [(p, a) for _, p, a in doc.sections] == anchors, name


def test_a_page_without_navigation_is_read_whole(tmp_path):
    page = "<html><body><h1>Notes</h1><p>One.</p><div><p>Two, in a div.</p></div></body></html>"
    path = tmp_path / "notes.html"
    path.write_text(page, encoding="utf-8")
    doc, _ = read_document("notes.html", path)
    assert doc.text == "Notes\n\nOne.\n\nTwo, in a div.\n"
    assert doc.headings == ((0, 5),)


def test_deeply_nested_site_markup_is_read_in_linear_time(tmp_path):
    """Nested main-content marks, navigation and page headers, 20,000 deep: the decisions are
    one sweep each, so the page is read well within the build's time limit per file (quadratic
    decisions took over a minute here and the file would be skipped)."""
    docs = tmp_path / "docs"
    docs.mkdir()
    n = 20_000
    (docs / "deep.html").write_text(
        "<article><nav><a href='#'>menu</a></nav><header><h2>Burrow</h2></header>" * n
        + "<p>Deep inside, 17 moles dig tunnels.</p>"
        + "</article>" * n,
        encoding="utf-8",
    )
    idx = open_index(docs, tmp_path / "index")
    assert not idx.report.skipped
    best = idx.ask("how many moles dig tunnels?").passages[0]
    assert best.text == "Deep inside, 17 moles dig tunnels."
    assert "menu" not in idx.text_of("deep.html")


def test_a_markdown_source_beside_its_page_is_not_a_second_document(tmp_path):
    docs = tmp_path / "docs"
    (docs / "_static").mkdir(parents=True)
    (docs / "descale.md").write_text("# Descaling\n\nDescale every four weeks.\n", encoding="utf-8")
    (docs / "descale.html").write_text(
        "<h1>Descaling</h1><p>Descale every four weeks.</p>", encoding="utf-8"
    )
    (docs / "notes.md").write_text("# Notes\n\nKeep the receipt.\n", encoding="utf-8")
    (docs / "_static" / "README.md").write_text("Font Awesome icons.\n", encoding="utf-8")
    idx = open_index(docs, tmp_path / "index")
    skipped = dict(idx.report.skipped)
    assert skipped["descale.md"] == "a page's source, its rendered page is indexed"
    assert "theme" in skipped["_static/README.md"]
    assert {p.document for p in idx.ask("how often to descale?").passages} == {"descale.html"}
    assert idx.ask("what should I keep?").passages[0].document == "notes.md"  # no page: read


def test_an_icon_font_s_glyphs_and_a_tab_label_of_them_are_no_text(tmp_path):
    """Django's console listings have a tab for each system, labelled with icon-font glyphs
    (private-use characters, U+F17C "/" U+F179 and U+F17A): they are neither text nor a
    sentence between the lead-in and its listing."""
    page = (
        "<html><body><h1>The development server</h1>"
        "<p>For instance, this command starts the server on port 8080:</p>"
        '<div class="console-block"><input class="c-tab-unix" id="c-tab-1-unix" type="radio">'
        '<label for="c-tab-1-unix" title="Linux/macOS">&#xf17c/&#xf179</label>'
        '<input class="c-tab-win" id="c-tab-1-win" type="radio">'
        '<label for="c-tab-1-win" title="Windows">&#xf17a</label>'
        '<section class="c-content-unix"><div class="highlight"><pre>'
        "$ python manage.py runserver 8080</pre></div></section></div>"
        "<p>Press <label>Ctrl-C \uf17a</label> to stop it.</p></body></html>"
    )
    path = tmp_path / "tutorial.html"
    path.write_text(page, encoding="utf-8")
    doc, _ = read_document("tutorial.html", path)
    assert doc.text == (
        "The development server\n\nFor instance, this command starts the server on port 8080:"
        "\n\n$ python manage.py runserver 8080\n\nPress Ctrl-C to stop it.\n"
    )
