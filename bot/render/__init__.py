"""Answers, sources, help and statistics as cards: pure functions that keep within Discord's limits.

A `Card` is what an embed says (title, description, fields, footer). `to_embed` turns it into a
`discord.Embed`; `to_text` prints it for the console. With `markdown=True` (Discord) document
text is escaped so it cannot change the formatting; the words themselves are never altered.
The bot's own words come from `words=` (bot/locale), English by default; quotes and titles
are never translated.

text.py     Discord's limits, escaping, cutting text at a word
cards.py    `Card`, `to_embed`, `to_text`
answers.py  an answer's card: quotes with the answer in bold, citations
info.py     every other card: /sources, /help, /reload's report, /collection list, /stats
"""

from bot.render.answers import MIN_QUOTE, answer_card, code_block, not_found_card, quote
from bot.render.cards import Card, Field, card_size, message, to_embed, to_text
from bot.render.info import collections_card, help_card, report_text, sources_cards, stats_cards
from bot.render.text import (
    DESCRIPTION_LIMIT,
    ELLIPSIS,
    EMBED_TOTAL_LIMIT,
    EMBEDS_PER_MESSAGE,
    FIELD_COUNT_LIMIT,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FOOTER_LIMIT,
    MESSAGE_LIMIT,
    TITLE_LIMIT,
    escape,
    shorten,
    size,
    visible,
)

__all__ = [
    "DESCRIPTION_LIMIT",
    "ELLIPSIS",
    "EMBEDS_PER_MESSAGE",
    "EMBED_TOTAL_LIMIT",
    "FIELD_COUNT_LIMIT",
    "FIELD_NAME_LIMIT",
    "FIELD_VALUE_LIMIT",
    "FOOTER_LIMIT",
    "MESSAGE_LIMIT",
    "MIN_QUOTE",
    "TITLE_LIMIT",
    "Card",
    "Field",
    "answer_card",
    "card_size",
    "code_block",
    "collections_card",
    "escape",
    "help_card",
    "message",
    "not_found_card",
    "quote",
    "report_text",
    "shorten",
    "size",
    "sources_cards",
    "stats_cards",
    "to_embed",
    "to_text",
    "visible",
]
