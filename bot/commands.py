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
from discord.app_commands import locale_str
from discord.ext import commands

from bot.answering import NO_COLLECTION, Answering, Host
from bot.collections import Collection
from bot.gate import QUESTION_LIMIT, cooldown_refusal
from bot.locale import N_, words_for
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

NO_STATE = N_(
    "That needs the bot's database, which cannot be used right now (the log says why); "
    "answers go on without it."
)
MANAGERS_ONLY = N_("Only members with the Manage Server permission (or the bot's owners) can.")

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
    wait = interaction.client.cooldowns.retry_after(interaction.user.id)
    refusal = cooldown_refusal(wait, words_for(interaction.locale))
    if refusal:
        raise Refused(refusal)
    return True


def check_may_reload(interaction: Interaction) -> bool:
    """App-command check: Manage Server permission, or one of VERBATIM_OWNER_IDS."""
    if interaction.user.id in interaction.client.settings.owner_ids:
        return True
    if interaction.guild_id is not None and interaction.permissions.manage_guild:
        return True
    words = words_for(interaction.locale)
    raise Refused(
        words("Only members with the Manage Server permission (or the bot's owners) can reload.")
    )


def check_may_manage(interaction: Interaction) -> bool:
    """App-command check: in a server, with Manage Server permission or one of VERBATIM_OWNER_IDS."""
    words = words_for(interaction.locale)
    if interaction.guild_id is None:
        raise Refused(words("This command works in a server, not in direct messages."))
    if interaction.user.id in interaction.client.settings.owner_ids:
        return True
    if interaction.permissions.manage_guild:
        return True
    raise Refused(words(MANAGERS_ONLY))


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
        name="ask",
        description=locale_str("Ask about the documents; get the passages that answer, quoted."),
    )
    @app_commands.describe(
        question=locale_str("Your question, in plain words"),
        private=locale_str(
            "Show the answer to you alone (default: everyone in the channel sees it)"
        ),
    )
    @app_commands.check(check_cooldown)
    async def ask(
        self,
        interaction: Interaction,
        question: app_commands.Transform[str, Question],
        private: bool = False,
    ) -> None:
        await self.answering.ask(interaction, question, private)

    @app_commands.command(name="sources", description=locale_str("The documents I quote from."))
    async def sources(self, interaction: Interaction) -> None:
        words = words_for(interaction.locale)
        collection = await self.bot.collection_here(
            interaction.guild_id, interaction.channel, interaction.channel_id
        )
        if collection is None:
            await say_privately(interaction, words(NO_COLLECTION))
            return
        index = await self.bot.open_collection(collection)
        cards = sources_cards(index.documents, words=words)
        await send_pages(interaction, cards, timeout=self.bot.settings.button_timeout)

    @app_commands.command(
        name="reload", description=locale_str("Re-read the documents and swap in the new index.")
    )
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.check(check_may_reload)
    async def reload(self, interaction: Interaction) -> None:
        words = words_for(interaction.locale)
        collection = await self.bot.collection_here(
            interaction.guild_id, interaction.channel, interaction.channel_id
        )
        if collection is None:
            await say_privately(interaction, words(NO_COLLECTION))
            return
        if collection.reloading:
            text = words("A reload is already running; try again when it ends.")
            await say_privately(interaction, text)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            report = await self.bot.reload(collection)
        except VerbatimError as error:  # the core's reason, as it gives it
            text = words(
                "Reload failed; still answering from the previous documents. {error}",
                error=error,
            )
        else:
            done = report_text(report, words=words)
            text = words("Reloaded. {report}", report=done)
            if len(self.bot.collections) > 1:
                text = words("Reloaded {name}. {report}", name=collection.spec.name, report=done)
        await interaction.followup.send(
            shorten(text, MESSAGE_LIMIT), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @app_commands.command(name="help", description=locale_str("What I do and how to ask."))
    async def help(self, interaction: Interaction) -> None:
        card = help_card(
            prefix=self.bot.settings.prefix,
            message_commands=self.bot.settings.message_content,
            passages=self.bot.settings.passages,
            words=words_for(interaction.locale),
        )
        await interaction.response.send_message(
            embed=to_embed(card), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    collection = app_commands.Group(
        name="collection",
        description=locale_str("Which document collection answers in this channel."),
    )

    @collection.command(
        name="list",
        description=locale_str("The collections this server can use, and which one answers here."),
    )
    async def collection_list(self, interaction: Interaction) -> None:
        here = await self.bot.collection_here(
            interaction.guild_id, interaction.channel, interaction.channel_id
        )
        card = collections_card(
            [c.spec for c in self.bot.collections.allowed(interaction.guild_id)],
            here.spec.name if here else None,
            {c.spec.name: len(c.index.documents) for c in self.bot.collections if c.index},
            words=words_for(interaction.locale),
        )
        await interaction.response.send_message(
            embed=to_embed(card), ephemeral=True, allowed_mentions=NO_MENTIONS
        )

    @collection.command(
        name="use",
        description=locale_str("Answer in this channel (and its threads) from a collection."),
    )
    @app_commands.describe(
        name=locale_str("The collection (see /collection list)"),
        server=locale_str("Make it the whole server's collection instead of this channel's"),
    )
    @app_commands.check(check_may_manage)
    async def collection_use(
        self, interaction: Interaction, name: str, server: bool = False
    ) -> None:
        words = words_for(interaction.locale)
        allowed = {c.spec.name: c for c in self.bot.collections.allowed(interaction.guild_id)}
        if name not in allowed:
            listed = ", ".join(allowed) or words("none")
            text = words(
                "No collection {name} here; this server can use: {names}.", name=name, names=listed
            )
            await say_privately(interaction, shorten(text, MESSAGE_LIMIT))  # escaped: typed text
            return
        channel = 0 if server else interaction.channel_id or 0
        done = await self.bot.state(self.bot.db.bind, interaction.guild_id, channel, name)
        if done is None:
            await say_privately(interaction, words(NO_STATE))
            return
        if server:
            text = words(
                "Now answering in this server (where no channel chose another) from {name}.",
                name=name,
            )
        else:
            text = words("Now answering in this channel from {name}.", name=name)
        await say_privately(interaction, text)

    @collection_use.autocomplete("name")
    async def _collection_names(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = [c.spec.name for c in self.bot.collections.allowed(interaction.guild_id)]
        return [app_commands.Choice(name=n, value=n) for n in names if current in n][:25]

    @collection.command(
        name="clear-votes", description=locale_str("Forget this server's votes on a collection.")
    )
    @app_commands.describe(name=locale_str("The collection (default: the one answering here)"))
    @app_commands.check(check_may_manage)
    async def collection_clear_votes(self, interaction: Interaction, name: str = "") -> None:
        words = words_for(interaction.locale)
        if name:
            allowed = {c.spec.name for c in self.bot.collections.allowed(interaction.guild_id)}
            if name not in allowed:
                text = words("No such collection here; see /collection list.")
                await say_privately(interaction, text)
                return
        else:
            here = await self.bot.collection_here(
                interaction.guild_id, interaction.channel, interaction.channel_id
            )
            if here is None:
                await say_privately(interaction, words(NO_COLLECTION))
                return
            name = here.spec.name
        gone = await self.bot.state(self.bot.db.clear_votes, interaction.guild_id, name)
        if gone is None:
            await say_privately(interaction, words(NO_STATE))
            return
        text = words.plural(
            "Cleared {n} vote on {name} in this server.",
            "Cleared {n} votes on {name} in this server.",
            gone,
            name=name,
        )
        await say_privately(interaction, text)

    @app_commands.command(
        name="stats",
        description=locale_str("What people asked, what was found, what was voted down."),
    )
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.check(check_may_manage)
    async def stats(self, interaction: Interaction) -> None:
        words = words_for(interaction.locale)
        stats = await self.bot.state(self.bot.db.stats, interaction.guild_id)
        if stats is None:
            await say_privately(interaction, words(NO_STATE))
            return
        cards = stats_cards(stats, self.bot.settings.log_days, words=words)
        await send_pages(interaction, cards, timeout=self.bot.settings.button_timeout)

    @app_commands.command(
        name="forget",
        description=locale_str("Delete the questions and votes the bot logged from you."),
    )
    async def forget(self, interaction: Interaction) -> None:
        words = words_for(interaction.locale)
        gone = await self.bot.state(self.bot.db.forget, interaction.user.id)
        if gone is None:
            await say_privately(interaction, words(NO_STATE))
            return
        text = words.plural(
            "Deleted {n} logged question or vote of yours, in every server.",
            "Deleted {n} logged questions and votes of yours, in every server.",
            gone,
        )
        await say_privately(interaction, text)

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
