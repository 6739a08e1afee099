"""Text within Discord's limits: its counts, markdown escaping, and cutting at a word.

With `markdown=True` (Discord) document text is escaped so it cannot change the formatting; the
words themselves are never altered.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_COUNT_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10
MESSAGE_LIMIT = 2000

ELLIPSIS = "…"
URL_LIMIT = 400  # longer source links are shown as the document id instead
SOURCE_LINE_LIMIT = 360

# A link is left as written (stars and underscores included) up to a backtick, a bar or `~~`, which
# real links do not hold: those are escaped like any other text, so a link cannot open a code span
# or a spoiler that a later one closes.
_URL = re.compile(r"https?://(?:[^\s`|~]|~(?!~))+")
_SPECIAL = re.compile(r"[\\*_~|`\[\]<]")
# Control characters (a NUL or an escape sequence in a question) and halves of UTF-16 pairs (no
# JSON or terminal takes them) are shown as �; embeddings, overrides and isolates, which would
# reorder the rest of the line, are dropped. Words are kept.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_LINE_MARK = re.compile(r"^(\s*)([>#+\-])|^(\s*\d+)(\.\s)", re.MULTILINE)


def size(text: str) -> int:
    """Length as Discord may count it: UTF-16 code units (never less than characters)."""
    return len(text.encode("utf-16-le")) // 2


def escape(text: str, line_start: bool = True) -> str:
    """`text` with Discord markdown, mentions and link syntax shown as written (URLs untouched).

    `line_start` says whether `text` begins a line, where `>`, `#`, `-` and `1.` mean something.
    """
    text = visible(text)
    out, last = [], 0
    for url in _URL.finditer(text):
        out.append(_escape_plain(text[last : url.start()], line_start and last == 0))
        out.append(url.group())
        last = url.end()
    out.append(_escape_plain(text[last:], line_start and last == 0))
    return "".join(out)


def visible(text: str) -> str:
    """`text` without what would act on the display instead of being shown (see _CONTROL)."""
    return _BIDI.sub("", _CONTROL.sub("\ufffd", text))


def _escape_plain(text: str, line_start: bool) -> str:
    text = _SPECIAL.sub(lambda m: "\\" + m.group(), text)

    def mark(m: re.Match[str]) -> str:
        if m.start() == 0 and not line_start:
            return m.group()
        if m.group(2):
            return f"{m.group(1)}\\{m.group(2)}"
        return f"{m.group(3)}\\{m.group(4)}"

    return _LINE_MARK.sub(mark, text)


def shorten(text: str, limit: int, markdown: bool = True, block: bool = False) -> str:
    """`text` on one line (escaped if `markdown`) within `limit`, cut at a word with an ellipsis.

    `block` says the text starts a line of a description, where `#` or `1.` would format it.
    """
    cut = len(text) > 8 * limit  # a longer text cannot fit: don't split all of it
    text = " ".join(visible(text[: 8 * limit] if cut else text).split())
    n = len(text) + cut  # when cut, the end always gets an ellipsis

    def fmt(lo: int, hi: int) -> str:
        body = escape(text[lo:hi], block and lo == 0) if markdown else text[lo:hi]
        return ellipses(body, lo, hi, n)

    return fit(text, (0, 0), limit, fmt)


def ellipses(body: str, lo: int, hi: int, n: int) -> str:
    return ("" if lo == 0 else ELLIPSIS) + body + ("" if hi == n else ELLIPSIS)


def fit(text: str, keep: tuple[int, int], limit: int, fmt: Callable[[int, int], str]) -> str:
    """The widest window of `text` around `keep` whose `fmt(lo, hi)` fits in `limit`.

    Formatting adds characters (it drops only direction marks), so a window twice the limit wide
    does not fit: starting there keeps a megabyte sentence from being escaped whole on the loop.
    """
    width = min(len(text), 2 * limit)
    while width > 0:
        out = fmt(*_window(text, keep, width))
        if size(out) <= limit:
            return out
        width = min(width - 1, width * limit // size(out))
    return ELLIPSIS[:limit]


def _window(text: str, keep: tuple[int, int], width: int) -> tuple[int, int]:
    """A span of at most `width` characters around `keep`, snapped to whole words when possible."""
    n = len(text)
    a0, a1 = keep
    if width >= n:
        lo, hi = 0, n
    elif a1 - a0 >= width:
        lo, hi = a0, a0 + width  # the answer alone is too long: keep its beginning
    else:
        extra = width - (a1 - a0)
        lo = max(0, a0 - extra // 2)
        hi = min(n, lo + width if lo == 0 else a1 + extra - (a0 - lo))
        lo = max(0, min(lo, hi - width))
    # Snap inward to word boundaries, never into the answer, unless the answer is cut anyway.
    lo_cap, hi_cap = (a0, a1) if a1 > a0 else (hi, lo)
    if a1 - a0 > hi - lo:  # the answer alone is too long: end at a word within it
        hi_cap = lo
    snap_lo = lo
    while 0 < snap_lo < min(lo_cap, hi) and not text[snap_lo - 1].isspace():
        snap_lo += 1
    snap_hi = hi
    while max(hi_cap, snap_lo) < snap_hi < n and not text[snap_hi].isspace():
        snap_hi -= 1
    mid_word = (0 < snap_lo < n and not text[snap_lo - 1].isspace()) or (
        0 < snap_hi < n and not text[snap_hi].isspace()
    )
    if snap_lo < snap_hi and not mid_word:
        lo, hi = snap_lo, snap_hi
    while lo < min(lo_cap, hi) and text[lo].isspace():
        lo += 1
    while max(hi_cap, lo) < hi and text[hi - 1].isspace():
        hi -= 1
    return lo, hi


def safe_url(url: str | None) -> str | None:
    """An http(s) link that cannot break a markdown link, or None."""
    if not url or len(url) > URL_LIMIT or any(c.isspace() for c in url):
        return None
    if urlsplit(url).scheme not in ("http", "https"):
        return None
    return url.replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E")
