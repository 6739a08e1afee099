"""The commands: /ask, /sources, /reload, /help, /collection, /stats, /forget, and asking by
mention or `!ask`.

Each command parses, calls the core (and the database, off the loop), renders, and responds once;
asking goes through the answer flow (bot/answering.py), the same for every way of asking.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

import discord
from discord import app_commands
from discord.ext import commands

from bot.answering import NO_COLLECTION, Answering, Host
from bot.collections import Collection
from bot.gate import QUESTION_LIMIT, cooldown_refusal
from bot.render import (
    MESSAGE_LIMIT,
    collections_card,
    help_card,
    report_text,
    shorten,
    sources_cards,
    stats_cards,
    to_embed,
)
from bot.views import NO_MENTIONS, say_privately, send_pages
from index import BuildReport, Index, VerbatimError

NO_STATE = (
    "That needs the bot's database, which cannot be used right now (the log says why); "
    "answers go on without it."
)

Interaction = discord.Interaction[Any]  # its client is the bot: a `Bot`, below


class Bot(Host, Protocol):
    """What the commands need of the bot (`VerbatimBot` is one), beyond the answer flow's needs."""

    @property
    def user(self) -> discord.ClientUser | None: ...

    async def open_collection(self, collection: Collection | None = None) -> Index: ...

    async def reload(self, collection: Collection | None = None) -> BuildReport: ...


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


def check_may_manage(interaction: Interaction) -> bool:
    """App-command check: in a server, with Manage Server permission or one of VERBATIM_OWNER_IDS."""
    if interaction.guild_id is None:
        raise Refused("This command works in a server, not in direct messages.")
    if interaction.user.id in interaction.client.settings.owner_ids:
        return True
    if interaction.permissions.manage_guild:
        return True
    raise Refused("Only members with the Manage Server permission (or the bot's owners) can.")


def mentioned_question(content: str, user_id: int) -> str | None:
    """The question after a leading mention of the bot (`<@id> question`), or None."""
    match = re.match(rf"\s*<@!?{user_id}>\s*(.*)", content, re.DOTALL)
    return match.group(1).strip() if match else None


class Answers(commands.Cog):
    """Answers questions with quoted passages."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.answering = Answering(bot)

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
        await self.answering.ask(interaction, question, private)

    @app_commands.command(name="sources", description="The documents I quote from.")
    async def sources(self, interaction: Interaction) -> None:
        collection = await self.bot.collection_here(
            interaction.guild_id, interaction.channel, interaction.channel_id
        )
        if collection is None:
            await say_privately(interaction, NO_COLLECTION)
            return
        index = await self.bot.open_collection(collection)
        cards = sources_cards(index.documents)
        await send_pages(interaction, cards, timeout=self.bot.settings.button_timeout)

    @app_commands.command(
        name="reload", description="Re-read the documents and swap in the new index."
    )
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.check(check_may_reload)
    async def reload(self, interaction: Interaction) -> None:
        collection = await self.bot.collection_here(
            interaction.guild_id, interaction.channel, interaction.channel_id
        )
        if collection is None:
            await say_privately(interaction, NO_COLLECTION)
            return
        if collection.reloading:
            await say_privately(interaction, "A reload is already running; try again when it ends.")
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            report = await self.bot.reload(collection)
        except VerbatimError as error:
            text = f"Reload failed; still answering from the previous documents. {error}"
        else:
            text = f"Reloaded. {report_text(report)}"
            if len(self.bot.collections) > 1:
                text = f"Reloaded {collection.spec.name}. {report_text(report)}"
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

    collection = app_commands.Group(
        name="collection", description="Which document collection answers in this channel."
    )

    @collection.command(
        name="list", description="The collections this server can use, and which one answers here."
    )
    async def collection_list(self, interaction: Interaction) -> None:
        here = await self.bot.collection_here(
            interaction.guild_id, interaction.channel, interaction.channel_id
        )
        card = collections_card(
            [c.spec for c in self.bot.collections.allowed(interaction.guild_id)],
            here.spec.name if here else None,
            {c.spec.name: len(c.index.documents) for c in self.bot.collections if c.index},
        )
        await interaction.response.send_message(
            embed=to_embed(card), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @collection.command(
        name="use", description="Answer in this channel (and its threads) from a collection."
    )
    @app_commands.describe(
        name="The collection (see /collection list)",
        server="Make it the whole server's collection instead of this channel's",
    )
    @app_commands.check(check_may_manage)
    async def collection_use(
        self, interaction: Interaction, name: str, server: bool = False
    ) -> None:
        allowed = {c.spec.name: c for c in self.bot.collections.allowed(interaction.guild_id)}
        if name not in allowed:
            listed = ", ".join(allowed) or "none"
            text = f"No collection {name} here; this server can use: {listed}."
            await say_privately(interaction, shorten(text, MESSAGE_LIMIT))  # escaped: typed text
            return
        channel = 0 if server else interaction.channel_id or 0
        done = await self.bot.state(self.bot.db.bind, interaction.guild_id, channel, name)
        if done is None:
            await say_privately(interaction, NO_STATE)
            return
        where = "this server (where no channel chose another)" if server else "this channel"
        await say_privately(interaction, f"Now answering in {where} from {name}.")

    @collection_use.autocomplete("name")
    async def _collection_names(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = [c.spec.name for c in self.bot.collections.allowed(interaction.guild_id)]
        return [app_commands.Choice(name=n, value=n) for n in names if current in n][:25]

    @collection.command(
        name="clear-votes", description="Forget this server's votes on a collection."
    )
    @app_commands.describe(name="The collection (default: the one answering here)")
    @app_commands.check(check_may_manage)
    async def collection_clear_votes(self, interaction: Interaction, name: str = "") -> None:
        if name:
            allowed = {c.spec.name for c in self.bot.collections.allowed(interaction.guild_id)}
            if name not in allowed:
                await say_privately(interaction, "No such collection here; see /collection list.")
                return
        else:
            here = await self.bot.collection_here(
                interaction.guild_id, interaction.channel, interaction.channel_id
            )
            if here is None:
                await say_privately(interaction, NO_COLLECTION)
                return
            name = here.spec.name
        gone = await self.bot.state(self.bot.db.clear_votes, interaction.guild_id, name)
        if gone is None:
            await say_privately(interaction, NO_STATE)
            return
        await say_privately(interaction, f"Cleared {gone} votes on {name} in this server.")

    @app_commands.command(
        name="stats", description="What people asked, what was found, what was voted down."
    )
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.check(check_may_manage)
    async def stats(self, interaction: Interaction) -> None:
        stats = await self.bot.state(self.bot.db.stats, interaction.guild_id)
        if stats is None:
            await say_privately(interaction, NO_STATE)
            return
        cards = stats_cards(stats, self.bot.settings.log_days)
        await send_pages(interaction, cards, timeout=self.bot.settings.button_timeout)

    @app_commands.command(
        name="forget", description="Delete the questions and votes the bot logged from you."
    )
    async def forget(self, interaction: Interaction) -> None:
        gone = await self.bot.state(self.bot.db.forget, interaction.user.id)
        if gone is None:
            await say_privately(interaction, NO_STATE)
            return
        await say_privately(
            interaction,
            f"Deleted {gone} logged questions and votes of yours, in every server.",
        )

    # Mentions and the prefix command need the message content intent (VERBATIM_MESSAGE_CONTENT).

    @commands.command(name="ask")
    async def ask_text(self, ctx: commands.Context, *, question: str = "") -> None:
        """`!ask <question>`: the same answer as /ask."""
        await self.answering.answer_message(ctx.message, question)

    @commands.Cog.listener()
    async def on_message(self, msg: discord.Message) -> None:
        if not self.bot.settings.message_content or msg.author.bot or self.bot.user is None:
            return
        question = mentioned_question(msg.content, self.bot.user.id)
        if question is not None:
            await self.answering.answer_message(msg, question)
