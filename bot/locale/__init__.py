"""The bot's own words in the member's language: gettext catalogues chosen per interaction.

Discord sends each interaction's locale (the member's client language) and the server's
preferred locale. `words_for(locale)` gives the `Words` of that language: `words("text {x}",
x=...)` and `words.plural(...)` translate one of the bot's own sentences, then fill in its
`{placeholders}`. Quotes and document titles are never passed through it: they are shown as
written. English is the messages themselves, and the fallback for every other locale.

The catalogues are `bot/locale/<language>.po`, managed with Babel (`scripts/i18n`), with the
compiled `<language>.mo` committed beside them so a fresh clone installs and runs offline without
a build step (tests/bot/test_bot_locale.py checks they match). Python's `gettext` reads the `.mo`
files; each language's `Words` is built once and never changes, so concurrent interactions in
different languages share nothing mutable.
"""

from __future__ import annotations

import functools
import gettext
import logging
from pathlib import Path
from typing import Any

import discord
from discord import app_commands

log = logging.getLogger(__name__)

FOLDER = Path(__file__).resolve().parent  # <language>.po and .mo, and verbatim.pot
# Discord's locales (discord.Locale values) that have a catalogue, and its folder. zh-TW is not
# here: Simplified Chinese is not its script, so it gets English until it has its own catalogue.
CATALOGUES = {
    "es-ES": "es",
    "es-419": "es",
    "de": "de",
    "fr": "fr",
    "pt-BR": "pt_BR",
    "ru": "ru",
    "zh-CN": "zh_CN",
    "ja": "ja",
}
LANGUAGES = tuple(dict.fromkeys(CATALOGUES.values()))


class Words:
    """The bot's sentences in one language (English: the messages as written in the code)."""

    def __init__(self, language: str, catalogue: gettext.NullTranslations) -> None:
        self.language = language
        self._catalogue = catalogue

    def __call__(self, message: str, /, **fields: Any) -> str:
        """`message` in this language, its `{placeholders}` filled from `fields`."""
        text = self._catalogue.gettext(message)
        return text.format(**fields) if fields else text

    def plural(self, singular: str, plural: str, n: int, /, **fields: Any) -> str:
        """The form of a message that fits the number `n` (also `{n}` in the text)."""
        return self._catalogue.ngettext(singular, plural, n).format(n=n, **fields)

    def translated(self, message: str) -> str | None:
        """`message` in this language if the catalogue has it, else None."""
        text = self._catalogue.gettext(message)
        return text if text != message else None

    def __repr__(self) -> str:
        return f"Words({self.language!r})"


ENGLISH = Words("en", gettext.NullTranslations())


def N_(message: str) -> str:
    """Mark a message for the catalogues where it is defined; it is translated where it is said."""
    return message


@functools.cache
def _catalogue_words(language: str) -> Words:
    try:
        with open(FOLDER / f"{language}.mo", "rb") as file:
            catalogue = gettext.GNUTranslations(file)
    except OSError as error:  # a broken install: say so once, and speak English
        log.warning("No compiled %s catalogue (%s); answering in English.", language, error)
        return ENGLISH
    return Words(language, catalogue)


def words_for(locale: discord.Locale | str | None) -> Words:
    """The words for a Discord locale (`interaction.locale`, `guild.preferred_locale`, or its
    value such as "pt-BR"); English for a locale without a catalogue, or none."""
    language = CATALOGUES.get(str(getattr(locale, "value", locale) or ""))
    return ENGLISH if language is None else _catalogue_words(language)


def message_words(message: discord.Message) -> Words:
    """The words for a reply to a message (a mention, `!ask`): a message carries no locale, so
    the server's preferred locale, else English."""
    guild = message.guild
    return words_for(getattr(guild, "preferred_locale", None) if guild is not None else None)


# What discord.py asks the translator for: only descriptions are ours to translate. Command
# and option names stay English, as the README documents them.
_DESCRIPTIONS = {
    app_commands.TranslationContextLocation.command_description,
    app_commands.TranslationContextLocation.group_description,
    app_commands.TranslationContextLocation.parameter_description,
}


class Translator(app_commands.Translator):
    """Command and option descriptions from the catalogues, for `python -m bot sync` to upload
    as Discord's description localizations."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if context.location not in _DESCRIPTIONS or locale.value not in CATALOGUES:
            return None
        return words_for(locale).translated(string.message)
