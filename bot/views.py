"""Buttons: More / 👍 / 👎 under an answer, and page turning for /sources; replying to the user
alone. The views only hold buttons: what More and a vote do is the answer flow's."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord

from bot.locale import ENGLISH, Words, words_for
from bot.render import Card, to_embed

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()


async def say_privately(
    interaction: discord.Interaction, text: str, *, quiet: bool = False
) -> None:
    """Tell the user alone, whether or not the interaction was already answered.

    If Discord refuses, log it (`quiet`: at debug level, when the caller has logged the cause).
    """
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.send_message(
                text, ephemeral=True, allowed_mentions=NO_MENTIONS
            )
    except discord.HTTPException as error:
        log.log(logging.DEBUG if quiet else logging.WARNING, "Could not tell the user (%s)", error)


class ExpiringView(discord.ui.View):
    """A view that switches its buttons off when it times out, so they fail politely."""

    message: Any = None  # the message the view is on, set by whoever sends it

    async def on_timeout(self) -> None:
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        if self.message is not None:
            with contextlib.suppress(discord.HTTPException):
                await self.message.edit(view=self, allowed_mentions=NO_MENTIONS)

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        words = words_for(interaction.locale)
        if isinstance(error, discord.HTTPException):  # Discord refused the reply: one line
            name = getattr(item, "custom_id", item)
            log.warning("Button %r: Discord refused the reply: %s", name, error)
            if not isinstance(error, discord.NotFound):
                text = words("Discord refused that; please try again.")
                await say_privately(interaction, text, quiet=True)
            return
        log.error("Button %r failed", getattr(item, "custom_id", item), exc_info=error)
        text = words("Something went wrong with that button; please ask again.")
        await say_privately(interaction, text)


class AnswerView(ExpiringView):
    """Under an answer: More (the next passages, to the clicker alone), 👍 and 👎.

    What the buttons do is the answer flow's (bot/answering.py): `on_more(interaction)` and
    `on_vote(interaction, "up" or "down")`; the view only keeps one vote per person. Its label
    is in the asker's language (`words`); what a click says, in the clicker's.
    """

    def __init__(
        self,
        *,
        more: bool,
        timeout: float,
        on_more: Callable[[discord.Interaction], Awaitable[None]],
        on_vote: Callable[[discord.Interaction, str], Awaitable[None]],
        words: Words = ENGLISH,
    ) -> None:
        super().__init__(timeout=timeout)
        self.on_more = on_more
        self.on_vote = on_vote
        self.voters: set[int] = set()
        self.more.disabled = not more
        self.more.label = words("More")

    @discord.ui.button(label="More", style=discord.ButtonStyle.secondary)
    async def more(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self.on_more(interaction)

    @discord.ui.button(emoji="👍", style=discord.ButtonStyle.secondary)
    async def up(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._vote(interaction, "up")

    @discord.ui.button(emoji="👎", style=discord.ButtonStyle.secondary)
    async def down(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._vote(interaction, "down")

    async def _vote(self, interaction: discord.Interaction, vote: str) -> None:
        if interaction.user.id in self.voters:
            text = words_for(interaction.locale)("You already voted on this answer. Thanks!")
            await say_privately(interaction, text)
            return
        self.voters.add(interaction.user.id)
        await self.on_vote(interaction, vote)


class PagesView(ExpiringView):
    """◀ ▶ through the pages of a long card list (the /sources listing)."""

    def __init__(self, cards: Sequence[Card], *, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.cards = tuple(cards)
        self.page = 0
        self._update()

    def _update(self) -> None:
        self.back.disabled = self.page == 0
        self.forward.disabled = self.page == len(self.cards) - 1

    @discord.ui.button(label="◀", style=discord.ButtonStyle.secondary)
    async def back(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._turn(interaction, -1)

    @discord.ui.button(label="▶", style=discord.ButtonStyle.secondary)
    async def forward(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await self._turn(interaction, +1)

    async def _turn(self, interaction: discord.Interaction, step: int) -> None:
        self.page = min(max(self.page + step, 0), len(self.cards) - 1)
        self._update()
        await interaction.response.edit_message(
            embed=to_embed(self.cards[self.page]), view=self, allowed_mentions=NO_MENTIONS
        )


async def send_pages(
    interaction: discord.Interaction, cards: Sequence[Card], *, timeout: float
) -> None:
    """Reply to the user alone with the first card, and ◀ ▶ to turn the others when there are more."""
    send: dict[str, Any] = {"embed": to_embed(cards[0])}
    view = PagesView(cards, timeout=timeout) if len(cards) > 1 else None
    if view is not None:
        send["view"] = view
    response = await interaction.response.send_message(
        ephemeral=True, allowed_mentions=NO_MENTIONS, **send
    )
    if view is not None:
        view.message = response.resource  # the message itself, to switch the buttons off
