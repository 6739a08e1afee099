"""Reading a folder: formats, titles, source links, encodings, and files that must be skipped."""

from pathlib import Path

from index.read.documents import list_files, read_document


def read(path: Path):
    doc, note = read_document(path.name, path)
    return doc, note


def test_folder_is_read_recursively_and_sorted(docs):
    ids = [doc_id for doc_id, _ in list_files(docs)]
    assert ids == sorted(ids)
    assert "guides/bread.txt" in ids
    assert "000_44c18b5492aa5800.txt" in ids


def test_hidden_files_and_other_extensions_are_ignored(docs):
    (docs / ".env").write_text("DISCORD_TOKEN=secret\n")
    (docs / ".git").mkdir()
    (docs / ".git" / "notes.txt").write_text("private notes\n")
    (docs / "image.png").write_bytes(b"\x89PNG\r\n")
    ids = [doc_id for doc_id, _ in list_files(docs)]
    assert not any(i.startswith(".") or "/." in i or i.endswith(".png") for i in ids)


def test_seed_article_title_and_source_line(docs):
    doc, note = read(docs / "000_44c18b5492aa5800.txt")
    assert note is None
    assert doc.title == "A first group of 150 Haitian soldiers departed…"
    assert doc.outlet == "CNN"
    assert doc.source == "https://ctninfo.com/?p=35770&preview=true"
    skipped = [doc.text[s:e] for s, e in doc.skip]
    assert "https://ctninfo.com/?p=35770&preview=true" in skipped
    assert "Source: CNN" in skipped


def test_markdown_front_matter_gives_title_and_url(docs):
    doc, _ = read(docs / "volcanoes.md")
    assert doc.title == "Volcanoes of Iceland"
    assert doc.source == "https://example.org/iceland/volcanoes"
    assert doc.skip[0][0] == 0 and doc.text[: doc.skip[0][1]].startswith("---")


def test_markdown_heading_is_the_title_without_front_matter(tmp_path):
    (tmp_path / "notes.md").write_text("Intro line.\n\n## Field Notes\n\nText.\n")
    doc, _ = read(tmp_path / "notes.md")
    assert doc.title == "Field Notes"


def test_invalid_yaml_front_matter_is_read_line_by_line(tmp_path):
    (tmp_path / "odd.md").write_text("---\ntitle: A: B: [unclosed\n: nonsense\n---\nBody text.\n")
    doc, _ = read(tmp_path / "odd.md")
    assert doc.title == "A: B: [unclosed"


def test_html_visible_text_only(docs):
    doc, _ = read(docs / "telescope.html")
    assert doc.title == "The James Webb Space Telescope"
    assert doc.source == "https://example.org/space/jwst"
    assert "December 25, 2021" in doc.text
    for hidden in ("secret", "font-family", "HTML comment", "<p>"):
        assert hidden not in doc.text


def test_latin1_file_is_read_with_a_warning(tmp_path):
    (tmp_path / "old.txt").write_bytes("Café crème costs 3 €.".encode("cp1252"))
    doc, note = read(tmp_path / "old.txt")
    assert doc.text == "Café crème costs 3 €."
    assert "not UTF-8" in note


def test_binary_and_empty_files_are_skipped_with_a_reason(tmp_path):
    (tmp_path / "blob.txt").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "empty.txt").write_bytes(b"  \n\n")
    assert read(tmp_path / "blob.txt") == (None, "binary")
    assert read(tmp_path / "empty.txt") == (None, "empty")


def test_utf16_with_bom_is_decoded(tmp_path):
    (tmp_path / "wide.txt").write_bytes("Wide text here.".encode("utf-16"))
    doc, _ = read(tmp_path / "wide.txt")
    assert doc.text == "Wide text here."
