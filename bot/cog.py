"""The commands: /ask, /sources, /reload, /help, and asking by mention or `!ask`.

Each command parses, calls the core, renders, and responds once.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.gate import channel_refusal, cooldown_refusal
from bot.render import (
    MESSAGE_LIMIT,
    answer_card,
    help_card,
    report_text,
    shorten,
    sources_cards,
    to_embed,
)
from bot.views import NO_MENTIONS, AnswerView, PagesView, say_privately
from index import MAX_QUESTION_CHARS, Answer, QuestionError, VerbatimError

if TYPE_CHECKING:
    from bot.client import VerbatimBot

QUESTION_LIMIT = min(MAX_QUESTION_CHARS, 6000)  # Discord allows string options up to 6000
REFUSAL_SECONDS = 15  # refusals in a channel delete themselves: they are only for the asker

Interaction = discord.Interaction["VerbatimBot"]
log = logging.getLogger(__name__)


class Refused(app_commands.CheckFailure):
    """A polite refusal; its message is shown to the user alone."""


class Question(app_commands.Transformer):
    """A question of 1 to QUESTION_LIMIT characters: Discord's client enforces the bound it is
    given, and this checks it again, as interactions can come from elsewhere."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.string

    @property
    def min_value(self) -> int:
        return 1

    @property
    def max_value(self) -> int:
        return QUESTION_LIMIT

    async def transform(self, interaction: Interaction, value: str) -> str:
        if not 1 <= len(value) <= QUESTION_LIMIT:
            raise app_commands.TransformerError(value, self.type, self)
        return value


def channel_ids(channel: Any, channel_id: int | None = None) -> tuple[int | None, ...]:
    """The channel's id and, for a thread, its parent's (a thread of an allowed channel is ok)."""
    return (channel_id or getattr(channel, "id", None), getattr(channel, "parent_id", None))


def check_cooldown(interaction: Interaction) -> bool:
    """App-command check: one question per user per VERBATIM_COOLDOWN_SECONDS."""
    refusal = cooldown_refusal(interaction.client.cooldowns.retry_after(interaction.user.id))
    if refusal:
        raise Refused(refusal)
    return True


def check_may_reload(interaction: Interaction) -> bool:
    """App-command check: Manage Server permission, or one of VERBATIM_OWNER_IDS."""
    if interaction.user.id in interaction.client.settings.owner_ids:
        return True
    if interaction.guild_id is not None and interaction.permissions.manage_guild:
        return True
    raise Refused(
        "Only members with the Manage Server permission (or the bot's owners) can reload."
    )


def mentioned_question(content: str, user_id: int) -> str | None:
    """The question after a leading mention of the bot (`<@id> question`), or None."""
    match = re.match(rf"\s*<@!?{user_id}>\s*(.*)", content, re.DOTALL)
    return match.group(1).strip() if match else None


class Answers(commands.Cog):
    """Answers questions with quoted passages."""

    def __init__(self, bot: VerbatimBot) -> None:
        self.bot = bot

    def answer_view(self, answer: Answer) -> AnswerView:
        """More / 👍 / 👎 for an answer's passages."""
        return AnswerView(
            answer.question,
            answer.passages,
            shown=len(answer.passages),
            more=len(answer.passages) >= self.bot.settings.passages,
            timeout=self.bot.settings.button_timeout,
        )

    @app_commands.command(
        name="ask", description="Ask about the documents; get the passages that answer, quoted."
    )
    @app_commands.describe(
        question="Your question, in plain words",
        private="Show the answer to you alone (default: everyone in the channel sees it)",
    )
    @app_commands.check(check_cooldown)
    async def ask(
        self,
        interaction: Interaction,
        question: app_commands.Transform[str, Question],
        private: bool = False,
    ) -> None:
        await interaction.response.defer(ephemeral=private, thinking=True)
        try:
            answer = await self.bot.search(question)
        except QuestionError as error:
            await self._replace_privately(interaction, private, content=str(error))
            return
        card = to_embed(answer_card(answer))
        if not answer.found:
            await self._replace_privately(interaction, private, embed=card)
            return
        view = self.answer_view(answer)
        view.message = await interaction.followup.send(
            embed=card, view=view, ephemeral=private, allowed_mentions=NO_MENTIONS, wait=True
        )

    async def _replace_privately(
        self, interaction: Interaction, private: bool, **send: Any
    ) -> None:
        """Answer the user alone; a public "thinking…" reply can't be hidden, so delete it first."""
        if not private:
            await interaction.delete_original_response()
        await interaction.followup.send(ephemeral=True, allowed_mentions=NO_MENTIONS, **send)

    @app_commands.command(name="sources", description="The documents I quote from.")
    async def sources(self, interaction: Interaction) -> None:
        cards = sources_cards(self.bot.index.documents)
        send: dict[str, Any] = {"embed": to_embed(cards[0])}
        view = (
            PagesView(cards, timeout=self.bot.settings.button_timeout) if len(cards) > 1 else None
        )
        if view is not None:
            send["view"] = view
        response = await interaction.response.send_message(
            ephemeral=True, allowed_mentions=NO_MENTIONS, **send
        )
        if view is not None:
            view.message = response.resource  # the message itself, to switch the buttons off

    @app_commands.command(
        name="reload", description="Re-read the documents and swap in the new index."
    )
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.check(check_may_reload)
    async def reload(self, interaction: Interaction) -> None:
        if self.bot.reloading:
            await say_privately(interaction, "A reload is already running; try again when it ends.")
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            report = await self.bot.reload()
        except VerbatimError as error:
            text = f"Reload failed; still answering from the previous documents. {error}"
        else:
            text = f"Reloaded. {report_text(report)}"
        await interaction.followup.send(
            shorten(text, MESSAGE_LIMIT), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @app_commands.command(name="help", description="What I do and how to ask.")
    async def help(self, interaction: Interaction) -> None:
        card = help_card(
            prefix=self.bot.settings.prefix,
            message_commands=self.bot.settings.message_content,
            passages=self.bot.settings.passages,
        )
        await interaction.response.send_message(
            embed=to_embed(card), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    # Mentions and the prefix command need the message content intent (VERBATIM_MESSAGE_CONTENT).

    @commands.command(name="ask")
    async def ask_text(self, ctx: commands.Context, *, question: str = "") -> None:
        """`!ask <question>`: the same answer as /ask."""
        await self.answer_message(ctx.message, question)

    @commands.Cog.listener()
    async def on_message(self, msg: discord.Message) -> None:
        if not self.bot.settings.message_content or msg.author.bot or self.bot.user is None:
            return
        question = mentioned_question(msg.content, self.bot.user.id)
        if question is not None:
            await self.answer_message(msg, question)

    async def answer_message(self, msg: discord.Message, question: str) -> None:
        """Reply to a message asking `question`, as /ask would (refusals delete themselves)."""
        try:
            await self._answer_message(msg, question)
        except discord.HTTPException as error:  # no permission to reply here, say: one line
            log.warning("Reply in channel %s: Discord refused it: %s", msg.channel.id, error)

    async def _answer_message(self, msg: discord.Message, question: str) -> None:
        refusal = channel_refusal(channel_ids(msg.channel), self.bot.settings.allowed_channels)
        if refusal is None and not question.strip():
            prefix = self.bot.settings.prefix
            refusal = f"Ask me a question after the mention, or type `{prefix}ask <question>`."
        if refusal is None and len(question) > QUESTION_LIMIT:
            refusal = f"Please ask in at most {QUESTION_LIMIT} characters."
        if refusal is None:
            refusal = cooldown_refusal(self.bot.cooldowns.retry_after(msg.author.id))
        if refusal is not None:
            await msg.reply(
                refusal,
                delete_after=REFUSAL_SECONDS,
                allowed_mentions=NO_MENTIONS,
            )
            return
        try:
            answer = await self.bot.search(question)
        except QuestionError as error:
            await msg.reply(str(error), allowed_mentions=NO_MENTIONS)
            return
        view = self.answer_view(answer) if answer.found else None
        sent = await msg.reply(
            embed=to_embed(answer_card(answer)),
            view=view,
            allowed_mentions=NO_MENTIONS,
        )
        if view is not None:
            view.message = sent
