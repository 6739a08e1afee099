"""An HTML table's row is one unit, its cells joined by " | ", as the PDF, Word and reST readers
read rows: a cell alone loses what it belongs to (the option it describes, the version a change
came in). Rows of layout tables (one cell, or a page laid out in cells) stay paragraphs."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from independent import collapsed, visible_text

from index import open_index
from index.read.documents import read_document
from index.read.formats import html

SETTINGS = """
Settings
========

The kettle reads its settings from ``kettle.toml`` when it starts.

.. list-table::
   :header-rows: 1

   * - Setting
     - Default
     - Meaning
   * - ``keep_warm``
     - off
     - Keeps the water at 80 degrees for an hour after it boils.
   * - ``auto_off``
     - 30 seconds
     - Switches the heater off this long after the water has boiled.
"""


@pytest.fixture(scope="module")
def settings_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A page with a list-table as `sphinx-build` writes it (`<td><p>…</p></td>` cells)."""
    root = tmp_path_factory.mktemp("tables")
    src = root / "src"
    src.mkdir()
    (src / "conf.py").write_text('project = "Kettle"\nhtml_theme = "classic"\n', encoding="utf-8")
    (src / "index.rst").write_text(textwrap.dedent(SETTINGS).lstrip(), encoding="utf-8")
    out = root / "html"
    subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(src), str(out)],
        check=True,
        capture_output=True,
    )
    return out / "index.html"


def test_a_sphinx_tables_row_is_one_unit_with_its_cells(settings_page):
    doc, note = read_document("index.html", settings_page)
    assert doc is not None, note
    row = "auto_off | 30 seconds | Switches the heater off this long after the water has boiled."
    units = [doc.text[a:b] for a, b in doc.units]
    assert row in units
    assert "Setting | Default | Meaning" in units
    assert [doc.text[a:b] for a, b in doc.code] == []  # a row is not code
    # Each cell is the page's own text, in the page's order.
    assert collapsed(row.replace(" | ", " ")) in visible_text(settings_page)


def test_a_question_about_a_setting_quotes_its_whole_row(settings_page, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "settings.html").write_bytes(settings_page.read_bytes())
    answer = open_index(docs, tmp_path / "index").ask("how long until auto_off turns it off")
    assert answer.passages[0].text.startswith("auto_off | 30 seconds | Switches the heater off")


HISTORY = """<html><head><title>Buffer</title></head><body><main>
<h2 id="alloc">Buffer.alloc(size)</h2>
<details class="changelog"><summary>History</summary>
<table>
<tr><th>Version</th><th>Changes</th></tr>
<tr><td>v10.0.0</td>
<td><p>Specifying an invalid string for <code>fill</code> triggers a thrown exception.</p></td></tr>
<tr><td>v8.9.3<td><p>An invalid <code>fill</code> now results in a zero-filled buffer.</p>
</table>
</details>
<p>Allocates a new Buffer of size bytes. If fill is undefined, the Buffer is zero-filled.</p>
</main></body></html>"""


def test_each_history_row_keeps_its_version_even_without_end_tags():
    doc = html.read("buffer.html", HISTORY)
    units = [doc.text[a:b] for a, b in doc.units]
    assert units == [
        "Version | Changes",
        "v10.0.0 | Specifying an invalid string for fill triggers a thrown exception.",
        "v8.9.3 | An invalid fill now results in a zero-filled buffer.",
    ]
    assert "Allocates a new Buffer of size bytes." in doc.text


LAYOUT = """<html><head><title>Old manual</title></head><body>
<table><tr><td class="sidebar"><a href="a.html">A</a></td><td>
<h1>Boiling</h1>
<p>Fill the kettle to the mark.</p>
<p>Press the switch once. The light shows it is heating.</p>
<table><tr><td>2 cups</td><td>90 seconds</td></tr></table>
</td></tr></table>
<table><tr><td>A single cell of text about descaling the kettle.</td></tr></table>
</body></html>"""


def test_layout_tables_stay_paragraphs_and_a_nested_data_row_is_a_row():
    doc = html.read("old.html", LAYOUT)
    units = [doc.text[a:b] for a, b in doc.units]
    assert units == ["2 cups | 90 seconds"]
    paragraphs = doc.text.strip().split("\n\n")
    for text in (
        "Fill the kettle to the mark.",
        "Press the switch once. The light shows it is heating.",
        "A single cell of text about descaling the kettle.",
    ):
        assert text in paragraphs
    assert "|" not in doc.text.replace("2 cups | 90 seconds", "")


def test_a_restructuredtext_tables_row_is_a_unit_not_code(tmp_path):
    path = tmp_path / "settings.rst"
    path.write_text(textwrap.dedent(SETTINGS).lstrip() + "\n::\n\n    kettle --boil\n")
    doc, note = read_document("settings.rst", path)
    assert doc is not None, note
    row = "keep_warm | off | Keeps the water at 80 degrees for an hour after it boils."
    assert row in [doc.text[a:b] for a, b in doc.units]
    assert [doc.text[a:b] for a, b in doc.code] == ["kettle --boil"]


def test_a_passage_neither_starts_with_nor_goes_on_into_table_rows(tmp_path):
    """Node.js opens each entry with its version history: a short entry was quoted from its
    start, "History Version | Changes v15.7.0 | Introduced base64url encoding. …", before the
    sentence that answers."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "buffer.html").write_text(
        "<html><head><title>Buffer</title></head><body><main>"
        '<h2 id="enc">Buffers and character encodings</h2>'
        "<details><summary>History</summary><table>"
        "<tr><th>Version</th><th>Changes</th></tr>"
        "<tr><td>v15.7.0</td><td>Introduced base64url encoding.</td></tr>"
        "<tr><td>v6.4.0</td><td>Introduced latin1 as an alias for binary.</td></tr>"
        "</table></details>"
        "<p>When converting between Buffers and strings, a character encoding may be specified. "
        "If no character encoding is specified, UTF-8 is used as the default.</p>"
        "<table><tr><td>utf8</td><td>Multi-byte encoded Unicode characters.</td></tr></table>"
        '<h2 id="alloc">Buffer.alloc</h2><p>Allocates a new Buffer of size bytes.</p>'
        "</main></body></html>"
    )
    answer = open_index(docs, tmp_path / "index").ask("which character encoding is the default")
    assert answer.passages[0].text == (
        "When converting between Buffers and strings, a character encoding may be specified. "
        "If no character encoding is specified, UTF-8 is used as the default."
    )
