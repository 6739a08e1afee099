"""Rendering: verbatim quotes, escaped markup, bold answers, and Discord's limits on worst cases."""

from __future__ import annotations

import re

from fakediscord import check_embed
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from bot import render
from index import Answer, Copy, Document, Passage

MARKUP = "Use *stars*, __under__, ~~strike~~, `code`, ||spoiler||, > quote, # head, [a](http://x)"
MENTIONS = "Tell @everyone and @here, <@123>, <@!123>, <@&456> and <#789> about <t:1700000000:R>"


def passage(text: str, answer: str | None = None, start: int = 1000, **kw) -> Passage:
    """A passage at document offset `start`, its answer the first occurrence of `answer`."""
    a0 = text.index(answer) if answer else None
    fields = {
        "document": "doc.txt",
        "title": "A document",
        "source": "https://example.org/a_b?x=1&y=(2)",
        "start": start,
        "end": start + len(text),
        "text": text,
        "sentence_start": 0,
        "sentence_end": 1,
        "score": 1.0,
        "answer": answer,
        "answer_start": None if a0 is None else start + a0,
        "answer_end": None if a0 is None else start + a0 + len(answer),
    }
    return Passage(**{**fields, **kw})


def unrender(quote: str) -> str:
    """The document text a rendered quote shows: without "> ", bold stars, escapes, ellipses."""
    lines = [line.removeprefix("> ") for line in quote.split("\n")]
    text = "\n".join(lines).removeprefix(render.ELLIPSIS).removesuffix(render.ELLIPSIS)
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        elif text.startswith("**", i):
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def test_quote_bolds_the_answer_and_keeps_words_verbatim():
    text = "In total, 700 Haitian soldiers are expected to receive training in Mexico."
    out = render.quote(passage(text, "700"), 1024)
    assert out == "> In total, **700** Haitian soldiers are expected to receive training in Mexico."
    assert unrender(out) == text


def test_quote_escapes_markup_so_it_shows_as_written():
    text = f"{MARKUP}. The answer is 42 here."
    out = render.quote(passage(text, "42"), 1024)
    assert "**42**" in out
    assert "\\*stars\\*" in out and "\\_\\_under\\_\\_" in out and "\\`code\\`" in out
    assert "\\|\\|spoiler\\|\\|" in out and "\\[a\\]" in out
    assert unrender(out) == text


def test_quote_escapes_line_start_markup_on_every_line():
    text = "# Not a heading\n> not a quote\n- not a list\n1. not numbered\nThe answer: 7."
    out = render.quote(passage(text, "7"), 1024)
    lines = out.split("\n")
    assert lines[:4] == [
        "> \\# Not a heading",
        "> \\> not a quote",
        "> \\- not a list",
        "> 1\\. not numbered The answer: **7**.",  # a plain line is the item's wrapped text
    ]
    assert unrender(out) == text.replace("\nThe answer", " The answer")


def test_a_paragraphs_hard_line_breaks_are_shown_as_spaces():
    text = "The kettle switches itself off when the\nwater boils, or when it is switched on\nempty."
    for markdown in (True, False):
        out = render.quote(passage(text, "water boils"), 1024, markdown)
        assert (
            out
            == "> The kettle switches itself off when the **water boils**, or when it is switched on empty."
        )
    listed = "Bring:\n- a kettle\n- water"
    assert render.quote(passage(listed), 1024, False) == "> Bring:\n> - a kettle\n> - water"


def test_mentions_are_shown_as_written_not_as_pings():
    out = render.quote(passage(MENTIONS + ".", "@everyone"), 1024)
    assert "\\<@123>" in out and "\\<@&456>" in out and "\\<#789>" in out
    assert "**@everyone**" in out  # the words stay; AllowedMentions.none() keeps it silent
    assert unrender(out) == MENTIONS + "."


def test_urls_in_text_stay_clickable():
    text = "See https://example.org/some_page_here?a=*b* for the 12 rules."
    out = render.quote(passage(text, "12"), 1024)
    assert "https://example.org/some_page_here?a=*b*" in out


def test_console_rendering_is_not_escaped():
    text = f"{MARKUP}, and the answer is 42."
    out = render.quote(passage(text, "42"), 1024, markdown=False)
    assert out == f"> {MARKUP}, and the answer is **42**."


def test_long_passage_is_cut_around_the_answer_at_word_boundaries():
    words = [f"w{i}" for i in range(1000)]
    text = " ".join(words[:500]) + " the answer is 7000 troops " + " ".join(words[500:])
    assert len(text) > 4000
    out = render.quote(passage(text, "7000"), 300)
    assert render.size(out) <= 300
    assert out.startswith("> " + render.ELLIPSIS) and out.endswith(render.ELLIPSIS)
    assert "**7000**" in out
    shown = unrender(out)
    at = text.index(shown)
    assert text[at - 1] == " " and text[at + len(shown)] == " "  # whole words only


def test_answer_at_either_end_of_a_long_passage_is_kept():
    body = " ".join(f"word{i}" for i in range(800))
    for text, answer in ((f"Answer42 {body}", "Answer42"), (f"{body} Answer42", "Answer42")):
        out = render.quote(passage(text, answer), 200)
        assert render.size(out) <= 200
        assert "**Answer42**" in out


def test_one_giant_word_is_cut_hard_but_fits():
    out = render.quote(passage("x" * 5000), 100)
    assert render.size(out) <= 100 and out.startswith("> x")


def test_answer_longer_than_the_room_is_cut_but_bold():
    text = "Start " + " ".join(["long answer words"] * 300) + " end."
    answer = " ".join(["long answer words"] * 300)
    out = render.quote(passage(text, answer), 150)
    assert render.size(out) <= 150 and out.count("**") == 2


def test_answer_offsets_outside_the_passage_are_ignored():
    bad = passage("Some text here.", answer_start=5, answer_end=99999)
    assert render.quote(bad, 100) == "> Some text here."


def test_size_counts_utf16_units():
    assert render.size("a😀") == 3  # Discord may count astral characters twice: stay under either


def answer_of(passages, question="how many?", **kw) -> Answer:
    return Answer(question, tuple(passages), **kw)


def worst_passage(i: int) -> Passage:
    unit = f"{MARKUP} {MENTIONS} 😀 "
    text = unit * 15 + f"The number is {i}00. " + unit * 15
    return passage(
        text,
        f"{i}00",
        start=i * 10000,
        title=("Title *with* markup " * 30) + str(i),
        source="https://example.org/" + "p_" * 150,
        document=f"doc{i}.txt",
    )


def test_worst_answer_fits_every_limit():
    question = "why " * 200 + "*really*?"
    answer = answer_of([worst_passage(i) for i in range(30)], question, elapsed_ms=12.3)
    card = render.answer_card(answer)
    embed = render.to_embed(card).to_dict()
    check_embed(embed)
    assert len(embed["fields"]) < 30
    assert embed["footer"]["text"].endswith("more not shown")
    assert all("**" in f["value"] for f in embed["fields"])  # each passage kept its answer
    assert embed["title"].endswith(render.ELLIPSIS)


def test_passages_are_numbered_from_first_for_more():
    card = render.answer_card(answer_of([worst_passage(1), worst_passage(2)]), first=4)
    assert [f.name.split(".")[0] for f in card.fields] == ["4", "5"]
    assert card.footer.startswith("passages 4–5")


def test_source_links_are_masked_and_safe():
    card = render.answer_card(answer_of([passage("It is 5.", "5")]))
    assert card.fields[0].value.endswith(
        "\ndoc.txt · [example.org](https://example.org/a_b?x=1&y=%282%29)"
    )
    unsafe = passage("It is 5.", "5", source="javascript:alert(1)")
    assert render.answer_card(answer_of([unsafe])).fields[0].value.endswith("\ndoc.txt")


def test_corrections_are_shown():
    card = render.answer_card(
        answer_of([passage("It is 5.", "5")], corrections={"mexco": "mexico"})
    )
    assert "mexico (not mexco)" in card.description


def test_nothing_found_says_so_and_suggests():
    answer = answer_of(
        [],
        "wher is the owl?",
        corrections={"wher": "where"},
        suggestions=("Barn owls", "Garden notes"),
    )
    card = render.answer_card(answer)
    assert not card.fields
    assert "Nothing in the documents answers" in card.description
    assert "where (not wher)" in card.description
    assert "Barn owls; Garden notes" in card.description
    check_embed(render.to_embed(card).to_dict())


def test_sources_are_paginated_within_limits():
    docs = [
        Document(f"d{i}.txt", f"Document *{i}* " + "t" * 400, "https://example.org/" + "x" * 300, i)
        for i in range(57)
    ]
    cards = render.sources_cards(docs)
    assert len(cards) == 6
    for card in cards:
        check_embed(render.to_embed(card).to_dict())
    listed = "\n".join(c.description for c in cards)
    assert all(f"**{i + 1}.**" in listed for i in range(57))
    assert cards[0].footer == "page 1/6 · 57 documents · 1596 sentences"


def test_no_sources():
    assert render.sources_cards([])[0].description == "No documents are indexed."


def test_help_mentions_every_command_and_the_prefix_when_on():
    on = render.help_card(prefix="?", message_commands=True, passages=3)
    off = render.help_card(prefix="?", message_commands=False, passages=3)
    for command in ("/ask", "/sources", "/reload", "/help"):
        assert command in on.description
    assert "`?ask <question>`" in on.description
    assert "turned off" in off.description


def test_to_text_reads_like_the_embed():
    card = render.answer_card(
        answer_of([passage("It is 700 men.", "700")], "how many?"), markdown=False
    )
    assert render.to_text(card) == (
        "how many?\n\n1. A document\n> It is **700** men.\n"
        "doc.txt · https://example.org/a_b?x=1&y=%282%29\n\n(passage 1 · 0 ms)"
    )


words = st.text(alphabet="ab*_~|`<>#-1. \\", min_size=1, max_size=12).filter(
    lambda w: w.strip() == w and w
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(words, min_size=20, max_size=400),
    st.integers(min_value=0),
    st.integers(min_value=1, max_value=3),
    st.integers(min_value=60, max_value=1024),
    st.booleans(),
)
# An answer whose escaped text alone is over the limit: it was cut inside a word (issue 13).
@example(
    parts=["1"] * 24 + ["111111111111", "1111111<<<<<", "11<<<<<<<<<<"] + ["1"] * 17,
    at=108880,
    length=3,
    limit=60,
    markdown=True,
)
def test_any_quote_fits_is_verbatim_and_cut_between_words(parts, at, length, limit, markdown):
    text = " ".join(parts)
    assume(markdown or "*" not in text)  # unescaped stars can't be told from the bold markers
    i = at % len(parts)
    span = parts[i : i + length]
    a0 = len(" ".join(parts[:i])) + (1 if i else 0)
    answer = " ".join(span)
    p = passage(text, start=50, answer=None)
    p = Passage(
        **{
            **p.__dict__,
            "answer": answer,
            "answer_start": 50 + a0,
            "answer_end": 50 + a0 + len(answer),
        }
    )
    out = render.quote(p, limit, markdown)
    assert render.size(out) <= limit
    shown = unrender(out) if markdown else out.removeprefix("> ").replace("**", "")
    shown = shown.removeprefix(render.ELLIPSIS).removesuffix(render.ELLIPSIS)
    starts = [m.start() for m in re.finditer(re.escape(shown), text)] if shown else []
    assert starts, (text, out)
    assert any(
        (s == 0 or text[s - 1] == " ")
        and (s + len(shown) == len(text) or text[s + len(shown)] == " ")
        for s in starts
    )
    if len(answer) < limit // 4:
        assert answer in shown


def test_citation_line_says_page_section_and_copies_and_links_the_name():
    cited = passage(
        "Refunds take 5 days.",
        "5 days",
        document="handbook.pdf",
        source=None,
        page=12,
        page_label="xii",
        section="Returns › Refunds_and_more",
        link="https://example.org/docs/handbook.pdf#page=12",
        also_in=(Copy("copy.pdf", "Copy", None), Copy("old.pdf", "Old", None)),
    )
    value = render.answer_card(answer_of([cited])).fields[0].value
    assert value.endswith(
        "\n[handbook.pdf](https://example.org/docs/handbook.pdf#page=12) · p. xii · "
        "Returns › Refunds\\_and\\_more · also in 2 other documents"
    )
    plain = render.answer_card(answer_of([cited]), markdown=False).fields[0].value
    assert plain.endswith(
        "\nhandbook.pdf · p. xii · Returns › Refunds_and_more · "
        "https://example.org/docs/handbook.pdf#page=12 · also in 2 other documents"
    )
    news = passage("It is 5.", "5", outlet="CNN")
    assert (
        render.answer_card(answer_of([news]))
        .fields[0]
        .value.endswith("\ndoc.txt · CNN · [example.org](https://example.org/a_b?x=1&y=%282%29)")
    )


def test_a_quote_over_a_page_break_is_cited_on_both_pages_in_the_readers_language():
    from bot.locale import words_for

    cited = passage(
        "The length is updated but no memory is released.",
        document="liboctave.pdf",
        source=None,
        page=18,
        pages=(18, 19),
        pages_label="18–19",
    )
    value = render.answer_card(answer_of([cited])).fields[0].value
    assert value.endswith("\nliboctave.pdf · pp. 18–19")
    german = render.answer_card(answer_of([cited]), words=words_for("de")).fields[0].value
    assert german.endswith("\nliboctave.pdf · S. 18–19")


def test_code_passages_are_code_blocks_that_a_fence_inside_cannot_close():
    code = "fence = '```'\nprint(fence)  # *not* bold @everyone"
    value = render.answer_card(answer_of([passage(code, code=True)])).fields[0].value
    block = value.rsplit("\n", 1)[0]
    assert block.startswith("```\n") and block.endswith("\n```")
    assert block.count("```") == 2  # the one inside is broken by a zero-width space
    assert block[4:-4].replace("\u200b", "") == code  # the words are kept
    long = passage("x = 1\n" * 400, code=True)
    value = render.answer_card(answer_of([long])).fields[0].value
    assert value.count("```") == 2 and "\n…\n```" in value and render.size(value) <= 1024
