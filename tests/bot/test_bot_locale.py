"""The bot speaks the member's language: its own words from the catalogues (bot/locale), chosen
from each interaction's locale; quotes and titles never change; English is the fallback."""

from __future__ import annotations

import gettext
import re

import pytest
from babel.messages.pofile import read_po
from fakediscord import (
    button_payload,
    buttons,
    check_embed,
    check_sent,
    command_payload,
    dispatch,
    feed,
    message_data,
    settle,
)
from test_bot_render import answer_of, worst_passage  # the render tests' worst cases

from bot import render
from bot.locale import CATALOGUES, FOLDER, LANGUAGES, Translator, message_words, words_for
from bot.render import report_text
from index import BuildReport, Document

EPHEMERAL = 64
TROOPS = "how many troops will Mexico train?"
NOTHING = "zebra quantum xylophone?"
DESCRIPTION_LIMIT = 100  # Discord's limit on command and option descriptions
MESSAGE_LIMIT = 2000
_FIELDS = re.compile(r"\{[^{}]*\}|%[sd]")


def catalogue(language: str):
    with open(FOLDER / f"{language}.po", "rb") as f:
        return read_po(f)


def template():
    with open(FOLDER / "verbatim.pot", "rb") as f:
        return read_po(f)


def fields(text: str) -> set[str]:
    return set(_FIELDS.findall(text))


def fills(text: str, english: str) -> bool:
    """Whether `text` formats with the English message's fields, as `Words` formats it (a stray
    brace would raise in the middle of a reply)."""
    names = {f.strip("{}") for f in fields(english) if f.startswith("{")}
    try:
        text.format(**dict.fromkeys(names, "x"))
    except (KeyError, IndexError, ValueError):
        return False
    return True


def test_the_seven_languages_have_catalogues():
    assert set(LANGUAGES) == {"es", "de", "fr", "pt_BR", "ru", "zh_CN", "ja"}
    assert {"es-ES", "de", "fr", "pt-BR", "ru", "zh-CN", "ja"} <= set(CATALOGUES)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalogue_has_every_message_with_the_same_placeholders(language):
    wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in template() if m.id}
    assert len(wanted) > 80  # the template was read, with the bot's messages in it
    po = catalogue(language)
    found = {}
    for message in po:
        if not message.id:
            continue
        assert "fuzzy" not in message.flags, message.id
        if message.pluralizable:
            singular, plural = message.id
            forms = message.string
            assert len(forms) == po.num_plurals and all(forms), message.id
            english = fields(singular) | fields(plural)
            for form in forms:
                assert fields(form) <= english, (message.id, form)
                assert fills(form, singular + plural), (message.id, form)
            assert fields(forms[-1]) == fields(plural), (message.id, forms[-1])
            found[singular] = forms
        else:
            assert message.string, message.id
            assert fields(message.string) == fields(message.id), (message.id, message.string)
            assert not fields(message.id) or fills(message.string, message.id), message.string
            assert len(message.string) <= MESSAGE_LIMIT
            found[message.id] = message.string
    assert set(found) == wanted


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_is_the_po(language):
    """The committed .mo says what the .po says (run scripts/i18n after editing a .po)."""
    with open(FOLDER / f"{language}.mo", "rb") as f:
        compiled = gettext.GNUTranslations(f)
    for message in catalogue(language):
        if not message.id:
            continue
        if message.pluralizable:
            for n, form in ((1, 0), (2, 1), (5, -1)):
                want = message.string[compiled.plural(n) if form != -1 else compiled.plural(5)]
                assert compiled.ngettext(*message.id, n) == want
        else:
            assert compiled.gettext(message.id) == message.string


def _descriptions(tree) -> list[str]:
    out = []
    for command in tree.walk_commands():
        out.append(command.description)
        out += [p.description for p in getattr(command, "parameters", [])]
    return out


@pytest.mark.asyncio
async def test_command_descriptions_are_localized_for_sync_and_fit(bot):
    translator = bot.tree.translator
    assert isinstance(translator, Translator)  # set in setup_hook, so `sync` uploads them
    ask = bot.tree.get_command("ask")
    payload = await ask.get_translated_payload(bot.tree, translator)
    assert payload["name"] == "ask" and payload["name_localizations"] == {}
    german = payload["description_localizations"]["de"]
    assert german == "Frag zu den Dokumenten und erhalte die Passagen, die antworten, als Zitat."
    assert set(payload["description_localizations"]) == set(CATALOGUES)
    question = next(o for o in payload["options"] if o["name"] == "question")
    assert question["description_localizations"]["ja"] == "質問（ふつうの言葉で）"
    assert "name_localizations" not in question or not question["name_localizations"]
    descriptions = _descriptions(bot.tree)
    assert len(descriptions) > 10
    for locale in CATALOGUES:
        words = words_for(locale)
        for description in descriptions:
            translated = words.translated(description)
            assert translated is not None, (locale, description)
            assert 1 <= len(translated) <= DESCRIPTION_LIMIT, (locale, translated)


def _in(payload: dict, locale: str) -> dict:
    payload["locale"] = locale
    return payload


def _quotes(embed: dict) -> list[str]:
    return [
        line for f in embed["fields"] for line in f["value"].split("\n") if line.startswith(">")
    ]


@pytest.mark.asyncio
async def test_a_german_member_gets_german_words_and_the_same_quotes(bot, recorder):
    await dispatch(bot, recorder, command_payload("ask", {"question": TROOPS}))
    english = recorder.of("followup")[-1].payload
    await dispatch(bot, recorder, _in(command_payload("ask", {"question": TROOPS}), "de"))
    german = recorder.of("followup")[-1].payload
    assert set(buttons(english)) == {"More", "👍", "👎"}
    assert set(buttons(german)) == {"Mehr", "👍", "👎"}
    (en_embed,), (de_embed,) = english["embeds"], german["embeds"]
    assert en_embed["footer"]["text"].startswith("passages 1–3 · ")
    assert de_embed["footer"]["text"].startswith("Passagen 1–3 · ")
    assert "**700**" in de_embed["fields"][0]["value"]
    assert _quotes(de_embed) == _quotes(en_embed)  # quotes are never translated
    assert [f["name"] for f in de_embed["fields"]] == [f["name"] for f in en_embed["fields"]]
    assert de_embed["title"] == TROOPS
    # More, clicked by the German member: German words on the next page too.
    more = buttons(german)["Mehr"]["custom_id"]
    click = _in(button_payload(recorder.of("followup")[-1].message, more), "de")
    await dispatch(bot, recorder, click)
    page = recorder.of("followup")[-1].payload
    assert "Mehr" in buttons(page)
    assert page["embeds"][0]["footer"]["text"].startswith("Passagen 4–")
    check_sent(recorder)


@pytest.mark.asyncio
async def test_a_german_member_is_told_no_passage_in_german(bot, recorder):
    await dispatch(bot, recorder, _in(command_payload("ask", {"question": NOTHING}), "de"))
    followup = recorder.of("followup")[-1].payload
    assert followup["flags"] == EPHEMERAL
    (embed,) = followup["embeds"]
    assert embed["description"].startswith("Nichts in den Dokumenten beantwortet diese Frage.")
    assert embed["footer"]["text"].startswith("keine Passage gefunden · ")
    assert embed["title"] == NOTHING  # the question as asked
    check_sent(recorder)


NOT_FOUND = {
    "en": "Nothing in the documents answers that question.",
    "es": "Nada en los documentos responde a esa pregunta.",
    "zh_CN": "文档中没有内容回答这个问题。",
    "pt_BR": "Nada nos documentos responde a essa pergunta.",
}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "locale, language",
    [
        ("xx-XX", "en"),  # not a Discord locale
        ("zh-TW", "en"),  # Traditional Chinese: no catalogue (Simplified is another script)
        ("it", "en"),
        ("en-GB", "en"),
        ("es-419", "es"),  # Latin American Spanish reads the Spanish catalogue
        ("zh-CN", "zh_CN"),
        ("pt-BR", "pt_BR"),
    ],
)
async def test_each_locale_gets_its_catalogue_or_english(bot, recorder, locale, language):
    await dispatch(bot, recorder, _in(command_payload("ask", {"question": NOTHING}), locale))
    (embed,) = recorder.of("followup")[-1].payload["embeds"]
    assert embed["description"].startswith(NOT_FOUND[language])
    assert words_for(locale).language == language


@pytest.mark.asyncio
async def test_concurrent_members_each_get_their_own_language(bot, recorder):
    """Interactions in different languages at once: nothing of one leaks into the other."""
    for locale in ("de", "ja", "ru", "en-US"):
        feed(bot, recorder, _in(command_payload("ask", {"question": TROOPS}), locale))
    await settle()
    found = sorted(
        (buttons(c.payload)[label]["label"], c.payload["embeds"][0]["footer"]["text"][:8])
        for c in recorder.of("followup")
        for label in buttons(c.payload)
        if label not in ("👍", "👎")
    )
    assert found == [
        ("Mehr", "Passagen"),
        ("More", "passages"),
        ("Ещё", "фрагмент"),
        ("もっと見る", "1～3 件目 ·"),
    ]
    check_sent(recorder)


def test_the_reload_report_says_what_the_core_says_in_english_and_translates():
    built = BuildReport(True, 3, 120, 0.5, "/idx", skipped=(("a.pdf", "unreadable"),))
    loaded = BuildReport(False, 1, 7, 0.01, "/idx", unsettled=2)
    updated = BuildReport(
        False,
        12,
        480,
        1.25,
        "/idx",
        skipped=(
            ("0.txt", "empty"),
            *((f"_modules/{i}.html", "rendered source code") for i in range(3)),
            *((f"{i}.bin", f"reason {i}") for i in range(5)),
        ),
        added=1,
        changed=2,
        removed=3,
    )
    for report in (built, loaded, updated):
        assert report_text(report) == report.summary()  # the same words as the log and CLI
    german = report_text(updated, words=words_for("de"))
    assert german.startswith("+1 neu · ~2 geändert · −3 entfernt · 1.2 s. Index aktualisiert:")
    assert "12 Dokumente, 480 Sätze" in german and "und 2 weitere" in german
    assert "0.txt (empty)" in german  # the core's reasons stay as given
    assert "3 rendered source code: _modules/0.html, …" in german  # one reason shared, once
    assert report_text(loaded, words=words_for("ru")).startswith(
        "Индекс загружен: 1 документ, 7 предложений"
    )


@pytest.mark.asyncio
async def test_refusals_and_help_follow_the_locale(bot, recorder):
    await dispatch(bot, recorder, _in(command_payload("ask", {"question": "   "}), "ru"))
    assert recorder.of("followup")[-1].payload["content"] == (
        "Вопрос пуст: спросите что-нибудь простыми словами."
    )
    await dispatch(bot, recorder, _in(command_payload("help"), "ja"))
    (embed,) = recorder.calls[-1].payload["data"]["embeds"]
    assert embed["title"] == "Verbatim：文書から引用して答えます"
    assert "**/ask** `question`" in embed["description"]  # command and option names stay
    await dispatch(bot, recorder, _in(command_payload("reload"), "fr"))
    refusal = recorder.calls[-1].payload["data"]["content"]
    assert refusal.startswith("Seuls les membres ayant la permission Gérer le serveur")
    check_sent(recorder)


@pytest.mark.asyncio
async def test_a_message_is_answered_in_the_servers_preferred_locale(bot):
    import discord

    def message(guild_locale: str | None) -> discord.Message:
        data = message_data(1, 2, "hi", {"id": "3", "username": "u"})
        channel = discord.DMChannel(
            me=bot.user, state=bot._connection, data={"id": "2", "type": 1, "recipients": []}
        )
        msg = discord.Message(state=bot._connection, channel=channel, data=data)
        if guild_locale is not None:
            msg.guild = discord.Guild(
                data={"id": "4", "name": "g", "preferred_locale": guild_locale},
                state=bot._connection,
            )
        return msg

    assert message_words(message("pt-BR")).language == "pt_BR"
    assert message_words(message("it")).language == "en"
    assert message_words(message(None)).language == "en"  # a direct message: no locale


BUTTON_LABEL_LIMIT = 80


@pytest.mark.parametrize("language", ["en", *LANGUAGES])
def test_worst_cards_fit_discords_limits_in_every_language(language):
    """Longer words must not push a card past Discord's limits; quotes stay the English ones."""
    words = words_for(next((k for k, v in CATALOGUES.items() if v == language), language))
    assert words.language == language
    assert 1 <= len(words("More")) <= BUTTON_LABEL_LIMIT
    question = "why " * 200 + "*really*?"
    answer = answer_of([worst_passage(i) for i in range(30)], question, elapsed_ms=12.3)
    english = render.answer_card(answer)
    card = render.answer_card(answer, words=words)
    check_embed(render.to_embed(card).to_dict())
    assert card.fields[0].value.split("\n")[:-1] == english.fields[0].value.split("\n")[:-1]
    nothing = answer_of([], question, corrections={"wher": "where"}, suggestions=("Owls",) * 9)
    check_embed(render.to_embed(render.answer_card(nothing, words=words)).to_dict())
    docs = [
        Document(f"d{i}.txt", f"Document *{i}* " + "t" * 400, "https://example.org/" + "x" * 300, i)
        for i in range(57)
    ]
    for card in render.sources_cards(docs, words=words):
        check_embed(render.to_embed(card).to_dict())
    for on in (True, False):
        help_card = render.help_card(prefix="?", message_commands=on, passages=3, words=words)
        check_embed(render.to_embed(help_card).to_dict())
