"""Sentence splitting: Punkt with the project's own parameters, offline and deterministic."""

import itertools

import pytest

from index.analysis.sentences import URL_ONLY, blocks, split


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e, _ in split(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Dr. Smith went to Washington. He arrived at 3 p.m. on Friday.",
            ["Dr. Smith went to Washington.", "He arrived at 3 p.m. on Friday."],
        ),
        (
            "The U.S. Army trained them. The U.S.-backed mission failed.",
            ["The U.S. Army trained them.", "The U.S.-backed mission failed."],
        ),
        (
            "Acme Inc. was founded in Jan. 1990 by Mr. J. R. Smith. It grew fast.",
            ["Acme Inc. was founded in Jan. 1990 by Mr. J. R. Smith.", "It grew fast."],
        ),
        (
            "See Fig. 3 for details. Prices rose by 2.5 percent.",
            ["See Fig. 3 for details.", "Prices rose by 2.5 percent."],
        ),
        (
            "In No. 5 of the series, e.g. the last one, nothing happened. Then it ended.",
            ["In No. 5 of the series, e.g. the last one, nothing happened.", "Then it ended."],
        ),
    ],
)
def test_abbreviations_do_not_end_sentences(text, expected):
    assert sentences(text) == expected


def test_curly_quotes_end_sentences():
    text = "“This is essential,” said the minister. “It reflects our commitment.” The office added more."
    assert sentences(text) == [
        "“This is essential,” said the minister.",
        "“It reflects our commitment.”",
        "The office added more.",
    ]


def test_url_only_lines_and_blank_lines_end_sentences():
    text = "Read more at\n\nhttps://example.com/page\nNext paragraph starts here"
    assert sentences(text) == ["Read more at", "Next paragraph starts here"]


def test_list_items_are_sentences_of_their_own():
    text = "Shopping list:\n- eggs\n- milk\n\n1. first item\n2. second item"
    assert sentences(text) == [
        "Shopping list:",
        "- eggs",
        "- milk",
        "1. first item",
        "2. second item",
    ]


def test_heading_marks_are_not_part_of_the_sentence():
    assert sentences("# Heading\nText under heading. More text.") == [
        "Heading",
        "Text under heading.",
        "More text.",
    ]


def test_spans_index_the_text_exactly(docs):
    text = (docs / "000_44c18b5492aa5800.txt").read_text(encoding="utf-8")
    spans = split(text)
    assert all(text[s:e] == text[s:e].strip() and text[s:e] for s, e, _ in spans)
    assert [s for s, _, _ in spans] == sorted(s for s, _, _ in spans)
    assert all(e1 <= s2 for (_, e1, _), (s2, _, _) in itertools.pairwise(spans))


def test_seed_article_splits_after_closing_curly_quote(docs):
    text = (docs / "000_44c18b5492aa5800.txt").read_text(encoding="utf-8")
    got = sentences(text)
    assert (
        "“We need a disciplined, well-trained core group to reestablish a basic level of order.”"
        in got
    )
    assert "Mexico’s selection as a partner country is not coincidental." in got


def test_one_paragraph_per_line_without_blank_lines():
    text = "First line one. Still one.\nSecond line.\nThird line."
    assert [(s, e) for s, e in blocks(text)] == [(0, 26), (27, 39), (40, 51)]
    assert [p for _, _, p in split(text)] == [0, 0, 1, 2]


def test_metadata_spans_are_skipped():
    text = "A sentence here.\nSource: CNN"
    assert sentences(text) == ["A sentence here.", "Source: CNN"]
    assert [text[s:e] for s, e, _ in split(text, ((17, 28),))] == ["A sentence here."]


def test_memoized_punkt_splits_exactly_like_stock_punkt(docs):
    """The memo only skips repeated work: on real and tricky text it gives Punkt's own spans."""
    from index.analysis.punkt import MemoPunkt, _params, stock_punkt

    texts = [p.read_text(encoding="utf-8") for p in sorted(docs.rglob("*")) if p.is_file()]
    texts += [
        "It failed... Then it worked. Really? Yes! (It did.) “Quoted.” Next one.",
        "Version 2.0. Released in Jan. 2020 by Acme Inc. The U.S. team agreed. No. 5 won.",
        "See e.g. the docs. I.e. the manual. J. R. R. Tolkien wrote it. He was 81. Done.",
        "ok. ok? fine.\" then. 'single.' Next! x. Y. zz. AB. Cd. end",
        # Contexts the memo shares entries between: closers before the end, letter-only next tokens.
        "(see above). The end. [1]. then (x.) Next. 'quoted'. lower \"q\"? However it went.",
        "etc.) Foo. Inc. The firm. Inc. Acme rose. e.g. Then no. 5 and No. Five. U.S. They left.",
        "J. Smith. J. smith. 3. Then 3. then. v2.1. And. And\n\nso. On.\nNew line. it.) it.] ok",
        "read/merged. the NUL-terminated. The Acme-Inc. Now x-co. Next a--b. c $M. Py_Obj? no. -1. A",
        "See Mr-Dr. Smith. A-B. c. see-e.g. Them. user@host. Up. a*b. Up. x,y. Up. <br>. Up. 2nd. A",
        # Contexts the rules around Punkt act on: Punkt itself must still match stock Punkt there.
        "“What next?” she asked. 'Go!' he said. Yahoo! in. (x.) at. that.... She. a . . . . Next",
        "• 9. The first item • 10. The second. 1.) One 2.) Two. you and I. Did Albert I. Jones?",
    ]
    memo, stock = MemoPunkt(_params()), stock_punkt()
    for text in texts * 2:  # the second pass answers from the memo
        assert list(memo.span_tokenize(text)) == list(stock.span_tokenize(text))


def assert_exact_slices(text: str) -> None:
    """Every span is a stripped, non-empty slice of the input, in order, without overlap."""
    spans = split(text)
    assert all(text[s:e] and text[s:e] == text[s:e].strip() for s, e, _ in spans)
    assert all(e1 <= s2 for (_, e1, _), (s2, _, _) in itertools.pairwise(spans))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("“What happens next?” she asked.", ["“What happens next?” she asked."]),
        (
            '"What happens next?" she asked. Nobody knew.',
            ['"What happens next?" she asked.', "Nobody knew."],
        ),
        ("'Stop!' he shouted, and ran.", ["'Stop!' he shouted, and ran."]),
        ("“Run!” cried the guard. We ran.", ["“Run!” cried the guard.", "We ran."]),
        (
            'She turned to him, "This is great." she said.',
            ['She turned to him, "This is great." she said.'],
        ),
        (
            "“Why now?” Maria Lopez asked. Nobody knew.",
            ["“Why now?” Maria Lopez asked.", "Nobody knew."],
        ),
        ('"Run!" the guard cried.', ['"Run!" the guard cried.']),
        # A capital after the quote is a new sentence, as before.
        ("“Why now?” Maria Lopez left the room.", ["“Why now?”", "Maria Lopez left the room."]),
        (
            "“What happens next?” The room fell silent.",
            ["“What happens next?”", "The room fell silent."],
        ),
        (
            "He works at Yahoo! in the accounting department.",
            ["He works at Yahoo! in the accounting department."],
        ),
        ("It grew (by 5 percent.) in a year.", ["It grew (by 5 percent.) in a year."]),
    ],
)
def test_quote_or_bracket_then_lowercase_continues_the_sentence(text, expected):
    assert sentences(text) == expected
    assert_exact_slices(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "I never meant that.... She left the store.",
            ["I never meant that....", "She left the store."],
        ),
        ("He paused… Then he left.", ["He paused…", "Then he left."]),
        ("It failed... Then it worked.", ["It failed...", "Then it worked."]),
        (
            "End with a period . . . . Next sentence.",
            ["End with a period . . . .", "Next sentence."],
        ),
        # An ellipsis before lowercase, or three spaced dots, is an omission inside the sentence.
        ("It was... well, fine. Done.", ["It was... well, fine.", "Done."]),
        (
            "He said it was . . . I forget what. Then he left.",
            ["He said it was . . . I forget what.", "Then he left."],
        ),
        (
            'She wrote, "I am here to . . . submit." Then she left.',
            ['She wrote, "I am here to . . . submit."', "Then she left."],
        ),
        ("He said, “It ended...” Then he left.", ["He said, “It ended...”", "Then he left."]),
        (
            "Her third album, I Am... Sasha Fierce, sold well.",
            ["Her third album, I Am... Sasha Fierce, sold well."],
        ),
        (
            'He wrote, "Why her? [...] Because she sang." Then he left.',
            ['He wrote, "Why her?', '[...] Because she sang."', "Then he left."],
        ),
        (
            'He answered: "... Nothing more." It ended.',
            ['He answered: "... Nothing more."', "It ended."],
        ),
        # A period then a spaced ellipsis: the period ends the sentence, the ellipsis opens the next.
        (
            "It was weakened. . . . The practice stayed. . . .",
            ["It was weakened.", ". . . The practice stayed. . . ."],
        ),
    ],
)
def test_ellipses(text, expected):
    assert sentences(text) == expected
    assert_exact_slices(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("You and I. Then we left.", ["You and I.", "Then we left."]),
        ("We met Albert I. Jones there.", ["We met Albert I. Jones there."]),
        ("Steps: 1) open the box 2) take it out", ["Steps:", "1) open the box", "2) take it out"]),
        ("1. The first item. 2. The second item.", ["1. The first item.", "2. The second item."]),
        ("a. The first item b. The second item", ["a. The first item", "b. The second item"]),
        ("1. The first step is the hardest.", ["1. The first step is the hardest."]),
        ("It rose by 2. Then it fell.", ["It rose by 2.", "Then it fell."]),
        ("Go to N°. 12. It is there.", ["Go to N°. 12.", "It is there."]),
    ],
)
def test_pronoun_i_inline_lists_and_numero(text, expected):
    assert sentences(text) == expected


def test_lead_in_colon_and_its_list_lines_are_units():
    text = "Intro paragraph.\n\nYou will need:\nflour\nsugar\nbutter\n\nMix them. Bake it."
    assert sentences(text) == [
        "Intro paragraph.",
        "You will need:",
        "flour",
        "sugar",
        "butter",
        "Mix them.",
        "Bake it.",
    ]
    assert [p for _, _, p in split(text)] == [0, 1, 2, 3, 4, 5, 5]
    # Without blank lines (one paragraph a line) the same.
    assert sentences("You will need:\nflour\nsugar") == ["You will need:", "flour", "sugar"]


WRAPPED = (
    "The council met on Tuesday to discuss the new bridge over the river and\n"
    "the roads that lead to it. Most members agreed that the old bridge could\n"
    "not carry the traffic of the coming years.\n"
    "The mayor said that work would start in the spring. She added that the\n"
    "city had asked the state for money to cover half of the cost: the rest\n"
    "would come from tolls.\n"
    "Residents will be able to comment until the end of the month.\n"
)


def test_hard_wrapped_lines_join_into_paragraphs_without_changing_the_text():
    got = sentences(WRAPPED)
    assert got == [
        "The council met on Tuesday to discuss the new bridge over the river and\n"
        "the roads that lead to it.",
        "Most members agreed that the old bridge could\nnot carry the traffic of the coming years.",
        "The mayor said that work would start in the spring.",
        "She added that the\ncity had asked the state for money to cover half of the cost: the rest\n"
        "would come from tolls.",
        "Residents will be able to comment until the end of the month.",
    ]
    # Short lines that end a sentence end their paragraph (the file has no blank lines).
    assert [p for _, _, p in split(WRAPPED)] == [0, 0, 1, 1, 2]
    assert_exact_slices(WRAPPED)


def test_hard_wrapped_paragraphs_between_blank_lines():
    text = WRAPPED.replace("years.\n", "years.\n\n").replace("tolls.\n", "tolls.\n\n")
    assert [p for _, _, p in split(text)] == [0, 0, 1, 1, 2]
    assert sentences(text) == sentences(WRAPPED)


def test_one_paragraph_a_line_stays_so(docs):
    """Long lines, each ending a paragraph (the seed article): every line end ends a paragraph."""
    text = (docs / "000_44c18b5492aa5800.txt").read_text(encoding="utf-8")
    lines = [line for line in text.split("\n") if line.strip() and not URL_ONLY.match(line)]
    assert [text[s:e] for s, e in blocks(text)] == lines
    # Short lines one paragraph each (a list, a poem) are not taken for wrapped text either.
    short = "Apples are red.\nPears are green and sweet.\nPlums are\nblue."
    assert len(blocks(short)) == 4


def test_hard_wrapped_crlf_text_splits_the_same():
    text = WRAPPED.replace("\n", "\r\n")
    assert [t.replace("\r\n", "\n") for t in sentences(text)] == sentences(WRAPPED)
    assert_exact_slices(text)


def test_colon_at_a_wrap_joins_but_a_lead_in_starts_a_list():
    text = (
        "The committee published its findings on Monday and the conclusion was:\n"
        "the bridge must be closed to heavy trucks until the repairs are done in\n"
        "the spring. Residents were asked to bring the following items:\n"
        "a torch\n"
        "warm clothes\n"
        "\n"
        "The meeting ended at nine after a long discussion of the new bridge.\n"
    )
    assert sentences(text) == [
        "The committee published its findings on Monday and the conclusion was:\n"
        "the bridge must be closed to heavy trucks until the repairs are done in\nthe spring.",
        "Residents were asked to bring the following items:",
        "a torch",
        "warm clothes",
        "The meeting ended at nine after a long discussion of the new bridge.",
    ]


def test_loading_punkt_leaves_scipy_alone():
    """nltk's __init__ imports SciPy when it is installed (about 1 s, on every build and update);
    loading the splitter keeps it out, and SciPy is importable afterwards."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import index.analysis.sentences\n"
        "print('scipy' in sys.modules)\n"
        "try:\n"
        "    import scipy.stats\n"
        "    print('importable')\n"
        "except ImportError:\n"
        "    print('not installed')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    first, second = out.stdout.split()
    assert first == "False"
    assert second == "importable"  # (the test extra installs it)


def test_an_element_wise_operator_does_not_end_a_sentence():
    """Octave's ".*", "./", ".^" are operators: "x .* y" is one sentence, and a period that ends
    a sentence still does."""
    text = "The product is x .* y for two arrays. Division is a ./ b here. Powers use .^ too. End."
    assert [text[s:e] for s, e, _ in split(text)] == [
        "The product is x .* y for two arrays.",
        "Division is a ./ b here.",
        "Powers use .^ too.",
        "End.",
    ]
