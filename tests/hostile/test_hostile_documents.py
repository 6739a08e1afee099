"""Hostile documents: links out of the folder, hidden files, binaries, broken encodings, huge files,
pathological HTML and Markdown. Real files in tmp_path, built with the real `open_index`.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import nltk.redos
import pytest

from index import open_index
from index.read.documents import CONTROL, MAX_FILE_BYTES, read_document, refused, walk
from index.tools.cli import main

ROOT = Path(__file__).resolve().parents[2]
OWLS = "Barn owls hunt at night over open fields. A barn owl eats about four voles a night.\n"
SECRETS = ("walrus", "4242", "hunter2", "BEGIN OPENSSH")  # words only the unreadable files hold
PROSE = "The keeper of the lighthouse counts twelve gulls on the rocks at dawn. "


def hostile_folder(tmp: Path) -> Path:
    """A documents folder holding every kind of hostile file, and a secret folder beside it."""
    outside = tmp / "outside"
    outside.mkdir()
    (outside / "vault.txt").write_text("The vault code is 4242 and the walrus guards it.\n")
    docs = tmp / "docs"
    docs.mkdir()
    (docs / "owls.txt").write_text(OWLS)
    # Links out of the folder: a folder, a file, and one pointing nowhere.
    os.symlink(outside, docs / "linked")
    os.symlink(outside / "vault.txt", docs / "vault.txt")
    os.symlink(tmp / "nowhere.md", docs / "broken.md")
    # Hidden files and folders left there by mistake.
    (docs / ".env").write_text("DISCORD_TOKEN=walrus.hunter2\n")
    (docs / ".git").mkdir()
    (docs / ".git" / "notes.txt").write_text("The walrus password is hunter2.\n")
    (docs / ".ssh").mkdir()
    (docs / ".ssh" / "id_ed25519.txt").write_text("-----BEGIN OPENSSH PRIVATE KEY----- walrus\n")
    (docs / "sub").mkdir()
    (docs / "sub" / ".draft.md").write_text("# Draft\n\nThe walrus draft says hunter2.\n")
    (docs / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")  # OS litter: skipped quietly
    # Not regular files, and names no terminal or JSON should carry.
    os.mkfifo(docs / "pipe.txt")  # opening it would block the build forever
    (docs / "bad\nname.txt").write_text("The walrus hides in a file name.\n")
    with open(os.path.join(os.fsencode(docs), b"caf\xe9.txt"), "wb") as f:
        f.write(b"The walrus hides behind a Latin-1 file name.\n")
    # Binary files with a text extension.
    (docs / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (docs / "program.md").write_bytes(b"\x7fELF\x02\x01\x01\x00" + random.Random(1).randbytes(4096))
    (docs / "late.txt").write_bytes(b"%PDF-1.4 walrus\n" * 1000 + b"\x00stream\x00" * 100)
    (docs / "empty.txt").write_bytes(b" \n\t\n")
    # Encodings.
    (docs / "cut.txt").write_bytes("The café serves crème brûlée at noon. Bientôt…".encode()[:-2])
    (docs / "wide.txt").write_bytes("The wide document lists 9 herons.\n".encode("utf-16"))
    (docs / "wider.txt").write_bytes("The widest document lists 5 egrets.\n".encode("utf-32"))
    (docs / "stray.txt").write_bytes(
        "Crème fraîche is sold in Zürich for 4 francs. ".encode() * 20 + b"\xff and more.\n"
    )
    (docs / "legacy.txt").write_bytes("Café crème costs 3 € in Orléans.\n".encode("cp1252"))
    (docs / "terminal.txt").write_text(
        "The ferry leaves at 6 from pier 9.\x1b[2J\x1b]52;c;d2FscnVz\x07 Tickets cost 3 euros.\n"
    )
    # HTML: scripts, styles, comments, 5,000 levels of nesting, markup html.parser is slow on.
    nested = (
        "<div><span>" * 5000 + "<p>Deep inside, 17 moles dig tunnels.</p>" + "</span></div>" * 5000
    )
    (docs / "page.html").write_text(
        "<!DOCTYPE html><html><head><title>Mole &amp; vole facts</title>"
        "<style>body { color: walrus; }</style><script>var pw = 'hunter2';</script>"
        "<!-- walrus in a comment --></head><body>"
        f"{nested}<p>Voles &lt;3 meadows.&#27;[2J</p>"
        "<script>document.write('walrus')</script><svg><text>walrus</text></svg>"
        "<noembed>walrus</noembed><template><p>walrus</p></template>"
        "<p>Moles eat earthworms.</p><!-- an unclosed comment about the walrus"
    )
    (docs / "tags.html").write_text("<a " * 20_000 + "<p>The dam holds 30 beavers.</p>")
    # Markdown whose front matter is not valid YAML, or is never closed.
    (docs / "front.md").write_text(
        "---\n"
        'title: "Unclosed [quote: {\n'
        "tags: [a, b\n"
        "\ttab: indented: twice\n"
        ": : :\n"
        "---\n"
        "# Ferns\n\n"
        "Ferns grow 3 new fronds each spring.\n"
    )
    (docs / "open.md").write_text("---\ntitle: Never closed\n\nMosses need 2 days of rain.\n")
    return docs


EXPECTED_INDEXED = {
    "cut.txt",
    "front.md",
    "legacy.txt",
    "open.md",
    "owls.txt",
    "page.html",
    "stray.txt",
    "tags.html",
    "terminal.txt",
    "wide.txt",
    "wider.txt",
}
EXPECTED_SKIPPED = {  # read, then skipped: in the build summary
    "empty.txt": "empty",
    "image.txt": "binary",
    "late.txt": "binary",
    "program.md": "binary",
}
EXPECTED_REFUSED = {  # never opened
    ".env": "hidden file, not read",
    ".git/": "hidden folder, not read",
    ".ssh/": "hidden folder, not read",
    "bad\\u000aname.txt": "file name has control characters",
    "broken.md": "symbolic link, not followed",
    "caf\\xe9.txt": "file name is not valid UTF-8",
    "linked/": "symbolic link, not followed",
    "pipe.txt": "not a regular file",
    "sub/.draft.md": "hidden file, not read",
    "vault.txt": "symbolic link, not followed",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("hostile")
    docs = hostile_folder(tmp)
    return docs, open_index(docs, tmp / "index")


def test_every_hostile_file_is_indexed_or_skipped_with_a_reason(built, tally: Counter):
    docs, idx = built
    ids = {d.id for d in idx.documents}
    assert ids == EXPECTED_INDEXED
    assert dict(idx.report.skipped) == EXPECTED_SKIPPED | EXPECTED_REFUSED
    assert dict(refused(docs)) == EXPECTED_REFUSED
    tally["documents: hostile files and folders"] += (
        len(EXPECTED_INDEXED) + len(EXPECTED_SKIPPED) + len(EXPECTED_REFUSED) + 1  # .DS_Store
    )


def test_nothing_outside_the_folder_or_hidden_is_ever_quoted(built):
    _, idx = built
    for doc in idx.documents:
        text = idx.text_of(doc.id)
        assert not any(secret in text for secret in SECRETS), doc.id
    for question in (
        "what is the vault code?",
        "what does the walrus guard?",
        "what is the walrus password?",
        "what is the DISCORD_TOKEN?",
        "hunter2",
        "BEGIN OPENSSH PRIVATE KEY",
    ):
        for p in idx.ask(question, k=10).passages:
            assert not any(secret in p.text for secret in SECRETS), (question, p)


def test_documents_read_sensibly(built):
    _, idx = built
    assert idx.text_of("cut.txt").endswith("Bientôt")  # the cut character is dropped
    assert idx.text_of("wide.txt") == "The wide document lists 9 herons.\n"
    assert idx.text_of("wider.txt") == "The widest document lists 5 egrets.\n"
    assert "Crème fraîche is sold in Zürich" in idx.text_of("stray.txt")  # not read as cp1252
    assert idx.text_of("legacy.txt") == "Café crème costs 3 € in Orléans.\n"
    warnings = "\n".join(idx.report.warnings)
    assert "cut.txt: truncated UTF-8, last character dropped" in warnings
    assert "stray.txt: 1 invalid UTF-8 byte replaced" in warnings
    assert "legacy.txt: not UTF-8, read as cp1252" in warnings
    assert "terminal.txt: 3 control characters removed" in warnings
    assert idx.ask("how many herons are listed?").passages[0].answer == "9"


def test_control_characters_never_reach_a_terminal(built):
    _, idx = built
    for doc in idx.documents:
        text = idx.text_of(doc.id)
        assert not CONTROL.search(text), doc.id
    ferry = idx.ask("when does the ferry leave?").passages[0].text
    assert ferry.startswith("The ferry leaves at 6 from pier 9.")


def test_html_keeps_visible_text_only(built):
    _, idx = built
    page = idx.text_of("page.html")
    assert "Deep inside, 17 moles dig tunnels." in page
    assert "Voles <3 meadows." in page and "Moles eat earthworms." in page
    assert not any(secret in page for secret in SECRETS)
    assert "color" not in page and "document.write" not in page
    assert {d.id: d.title for d in idx.documents}["page.html"] == "Mole & vole facts"
    assert "The dam holds 30 beavers." in idx.text_of("tags.html")
    assert idx.ask("how many moles dig tunnels?").passages[0].answer == "17"


def test_markdown_with_invalid_front_matter(built):
    _, idx = built
    titles = {d.id: d.title for d in idx.documents}
    assert titles["front.md"] == "Unclosed [quote: {"  # read line by line, quotes trimmed
    quoted = " ".join(p.text for p in idx.ask("tags tab indented", k=10).passages)
    assert "tags:" not in quoted and "tab:" not in quoted  # front matter is never quoted
    assert idx.ask("how many fronds do ferns grow each spring?").passages[0].answer == "3"
    assert "Mosses need 2 days of rain." in idx.text_of("open.md")  # unclosed: all text


def test_build_summary_says_what_was_skipped_and_why(built, tmp_path, capsys):
    docs, _ = built
    assert main(["build", "--docs", str(docs), "--index", str(tmp_path / "index")]) == 0
    out, err = capsys.readouterr()
    (line,) = out.splitlines()
    assert line.startswith(f"Built index of {len(EXPECTED_INDEXED)} documents")
    assert (
        f"skipped {len(EXPECTED_SKIPPED) + len(EXPECTED_REFUSED)}: .env (hidden file, not read)"
        in line
    )
    assert "warning: cut.txt: truncated UTF-8, last character dropped" in err.splitlines()
    assert "Traceback" not in err


def test_build_summary_names_links_and_hidden_entries(built):
    _, idx = built
    skipped = dict(idx.report.skipped)
    assert skipped[".env"] == "hidden file, not read"
    assert skipped["linked/"] == "symbolic link, not followed"


def test_docs_folder_reached_through_a_link_is_followed_as_the_root(built, tmp_path):
    docs, idx = built
    root = tmp_path / "root"
    os.symlink(docs, root)
    through = open_index(root, tmp_path / "index")
    assert {d.id for d in through.documents} == {d.id for d in idx.documents}
    assert dict(refused(root)) == EXPECTED_REFUSED  # links inside are still refused


def test_a_file_swapped_for_a_link_after_the_scan_is_not_followed(tmp_path):
    (tmp_path / "vault.txt").write_text("The vault code is 4242.\n")
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Plain text.\n")
    ((doc_id, path, _),) = walk(docs)[0]
    os.unlink(path)
    os.symlink(tmp_path / "vault.txt", path)  # the race: replaced between scan and read
    assert read_document(doc_id, Path(path)) == (None, "symbolic link, not followed")


def test_a_file_over_the_cap_reads_only_the_cap(tmp_path, tally: Counter):
    """The real cap, on a 200 MB file that is sparse past the cap (read whole, it would be NULs)."""
    path = tmp_path / "huge.txt"
    line = "Crème brûlée for everyone. ".encode()  # multibyte: the cap falls inside a character
    with open(path, "wb") as f:
        f.write(line * (MAX_FILE_BYTES // len(line) + 1000))
        f.truncate(200 * 1024 * 1024)
    doc, note = read_document("huge.txt", path)
    assert doc is not None
    assert note == f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB, only the start indexed"
    assert len(doc.text.encode()) <= MAX_FILE_BYTES
    assert doc.text.endswith(" ")  # cut at a space: no half word, no half character
    assert doc.text.split()[-1] in line.decode().split()
    tally["documents: huge (200 MB)"] += 1


# Building the full 16 MiB cap of one-line prose takes about 12 s here (and trips the xfail below),
# so the subprocess lowers the cap to 2 MiB. The file is still 200 MB, sparse after 3 MB of text:
# reading it whole would take 200 MiB for the bytes and as much again for the text.
# The child reports its own peak (VmHWM): on Linux a child's ru_maxrss from `resource` starts at
# the peak of the process that spawned it (it survives exec), here pytest's, which tells nothing.
HUGE_BUILD = """
import sys
import index.read.documents
index.read.documents.MAX_FILE_BYTES = 2 * 1024 * 1024
from index.tools.cli import main
code = main(["build", "--docs", sys.argv[1], "--index", sys.argv[2]])
with open("/proc/self/status") as status:
    peak = next(line for line in status if line.startswith("VmHWM:"))
print("peak-kib", peak.split()[1], file=sys.stderr)
sys.exit(code)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_a_200_mb_single_line_file_builds_in_bounded_memory(tmp_path, tally: Counter):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "owls.txt").write_text(OWLS)
    with open(docs / "huge.txt", "wb") as f:
        f.write(PROSE.encode() * (3 * 1024 * 1024 // len(PROSE)))  # one line, no newline
        f.truncate(200 * 1024 * 1024)
    done = subprocess.run(
        [sys.executable, "-c", HUGE_BUILD, str(docs), str(tmp_path / "index")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Built index of 2 documents")
    assert "warning: huge.txt: larger than 2 MB, only the start indexed" in done.stderr
    assert "Traceback" not in done.stderr
    peak = int(done.stderr.split("peak-kib ")[1].split()[0]) * 1024
    # About 60 MiB is Python with numpy and nltk, about 25 MiB the 2 MiB of text indexed.
    assert peak < 1.5 * 2**30
    assert peak < 200 * 2**20, f"peak RSS {peak / 2**20:.0f} MiB"
    tally["documents: huge (200 MB)"] += 1
    tally["documents: huge build peak RSS MiB"] = round(peak / 2**20)


def test_a_long_one_line_paragraph_does_not_stop_the_build(tmp_path, monkeypatch):
    # A slower machine, simulated: a 0.5 s regex limit, which one Punkt pass over this 2 MB line
    # exceeds here, while each bounded piece of it takes a few milliseconds.
    monkeypatch.setattr(nltk.redos, "DEFAULT_TIMEOUT", 0.5)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "owls.txt").write_text(OWLS)
    (docs / "long.txt").write_text(PROSE * (2 * 1024 * 1024 // len(PROSE)))
    idx = open_index(docs, tmp_path / "index")
    assert {d.id for d in idx.documents} == {"owls.txt", "long.txt"}
