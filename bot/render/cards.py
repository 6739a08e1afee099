"""A `Card` is what an embed says (title, description, fields, footer): `to_embed` turns it into
a `discord.Embed`, `to_text` prints it for the console."""

from __future__ import annotations

from dataclasses import dataclass

import discord

from bot.render.text import MESSAGE_LIMIT, shorten, size, visible

COLOUR = 0x5865F2


@dataclass(frozen=True)
class Field:
    """One named block of a card: a passage, or a page of sources."""

    name: str
    value: str


@dataclass(frozen=True)
class Card:
    """What one embed says; every part already within Discord's limits."""

    title: str
    description: str = ""
    fields: tuple[Field, ...] = ()
    footer: str = ""


def card_size(card: Card) -> int:
    """The total Discord counts against EMBED_TOTAL_LIMIT."""
    parts = [card.title, card.description, card.footer]
    parts += [f.name for f in card.fields] + [f.value for f in card.fields]
    return sum(size(p) for p in parts)


def to_embed(card: Card) -> discord.Embed:
    """The card as a discord.Embed."""
    embed = discord.Embed(title=card.title, description=card.description or None, colour=COLOUR)
    for field in card.fields:
        embed.add_field(name=field.name, value=field.value, inline=False)
    if card.footer:
        embed.set_footer(text=card.footer)
    return embed


def to_text(card: Card) -> str:
    """The card as plain text, read as the embed would be."""
    blocks = [card.title]
    if card.description:
        blocks.append(card.description)
    blocks += [f"{f.name}\n{f.value}" for f in card.fields]
    if card.footer:
        blocks.append(f"({card.footer})")
    return visible("\n\n".join(blocks))  # a terminal must not run escape sequences


def message(text: str) -> str:
    """A short plain message within MESSAGE_LIMIT."""
    return shorten(text, MESSAGE_LIMIT, markdown=False) if size(text) > MESSAGE_LIMIT else text
