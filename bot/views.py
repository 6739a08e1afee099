"""Buttons: More / 👍 / 👎 under an answer, and page turning for /sources."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord

from bot.render import Card, answer_card, to_embed
from index import Passage

if TYPE_CHECKING:
    from bot.client import VerbatimBot
    from bot.cog import Asked

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()
MAX_SHOWN = 24  # "More" stops here: past this the passages no longer answer the question
VOTE_THANKS = {"up": "Thanks: your 👍 is recorded.", "down": "Thanks: your 👎 is recorded."}
VOTE_LOST = "Thanks, but votes cannot be recorded right now (the bot's database is unavailable)."


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
        if isinstance(error, discord.HTTPException):  # Discord refused the reply: one line
            name = getattr(item, "custom_id", item)
            log.warning("Button %r: Discord refused the reply: %s", name, error)
            if not isinstance(error, discord.NotFound):
                await say_privately(
                    interaction, "Discord refused that; please try again.", quiet=True
                )
            return
        log.error("Button %r failed", getattr(item, "custom_id", item), exc_info=error)
        await say_privately(interaction, "Something went wrong with that button; please ask again.")


class AnswerView(ExpiringView):
    """Under an answer: More (the next passages, to the clicker alone), 👍 and 👎."""

    def __init__(
        self,
        question: str,
        passages: Sequence[Passage],
        *,
        shown: int,
        more: bool,
        timeout: float,
        asked: Asked,
    ) -> None:
        super().__init__(timeout=timeout)
        self.asked = asked
        self.question = question
        self.passages = tuple(passages)
        self.shown = shown
        self.voters: set[int] = set()
        self.more.disabled = not more or shown >= MAX_SHOWN

    @discord.ui.button(label="More", style=discord.ButtonStyle.secondary)
    async def more(
        self, interaction: discord.Interaction[VerbatimBot], button: discord.ui.Button
    ) -> None:
        bot = interaction.client
        await interaction.response.defer(ephemeral=True, thinking=True)
        step = bot.settings.passages
        asked = self.asked
        answer = await bot.search(
            self.question,
            self.shown + step,
            collection=asked.collection,
            context=asked.context,
            boosts=asked.boosts,
        )
        extra = answer.passages[self.shown :]
        if not extra:
            await interaction.followup.send(
                "No more passages answer this question.",
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return
        view = AnswerView(
            self.question,
            extra,
            shown=self.shown + len(extra),
            more=len(extra) >= step,
            timeout=self.timeout or 0,
            asked=asked,
        )
        card = answer_card(dataclasses.replace(answer, passages=extra), first=self.shown + 1)
        view.message = await interaction.followup.send(
            embed=to_embed(card), view=view, ephemeral=True, allowed_mentions=NO_MENTIONS, wait=True
        )

    @discord.ui.button(emoji="👍", style=discord.ButtonStyle.secondary)
    async def up(
        self, interaction: discord.Interaction[VerbatimBot], button: discord.ui.Button
    ) -> None:
        await self._vote(interaction, "up")

    @discord.ui.button(emoji="👎", style=discord.ButtonStyle.secondary)
    async def down(
        self, interaction: discord.Interaction[VerbatimBot], button: discord.ui.Button
    ) -> None:
        await self._vote(interaction, "down")

    async def _vote(self, interaction: discord.Interaction[VerbatimBot], vote: str) -> None:
        if interaction.user.id in self.voters:
            await say_privately(interaction, "You already voted on this answer. Thanks!")
            return
        self.voters.add(interaction.user.id)
        bot, asked = interaction.client, self.asked
        done = await bot.state(
            bot.db.vote,
            guild_id=asked.guild_id,
            collection=asked.collection.spec.name,
            user_id=interaction.user.id,
            question=self.question,
            passages=self.passages,
            vote=vote,
            question_id=asked.question_id,
        )
        await say_privately(interaction, VOTE_THANKS[vote] if done is not None else VOTE_LOST)


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
