"""An independent reading of the test documents (html.parser, the bytes on disk), to check passages
against: what a reader other than ours sees in the file."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path


class Visible(HTMLParser):
    """The text of a page a browser shows (no head, script or style): the independent reading."""

    INLINE = frozenset("a b i em strong span code small sub sup".split())
    HIDDEN = frozenset("head title script style".split())

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in self.HIDDEN
        if tag not in self.INLINE:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        self.hidden -= tag in self.HIDDEN
        if tag not in self.INLINE:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def collapsed(text: str) -> str:
    return " ".join(text.split())


def on_disk(path: Path) -> str:
    """The file's text as the reader decodes it: UTF-8, line ends stored as LF."""
    return path.read_bytes().decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def visible_text(path: Path) -> str:
    parser = Visible()
    parser.feed(path.read_bytes().decode("utf-8"))
    parser.close()
    return collapsed("".join(parser.parts))
