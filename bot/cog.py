"""The commands: /ask, /sources, /reload, /help, /collection, /stats, /forget, and asking by
mention or `!ask`.

Each command parses, calls the core (and the database, off the loop), renders, and responds once.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.collections import Collection
from bot.gate import channel_refusal, cooldown_refusal
from bot.render import (
    MESSAGE_LIMIT,
    answer_card,
    collections_card,
    help_card,
    report_text,
    shorten,
    sources_cards,
    stats_cards,
    to_embed,
)
from bot.views import NO_MENTIONS, AnswerView, say_privately, send_pages
from index import MAX_QUESTION_CHARS, Answer, Conversation, QuestionError, VerbatimError

if TYPE_CHECKING:
    from bot.client import VerbatimBot

QUESTION_LIMIT = min(MAX_QUESTION_CHARS, 6000)  # Discord allows string options up to 6000
REFUSAL_SECONDS = 15  # refusals in a channel delete themselves: they are only for the asker
VOTE_STEP = 1.0  # what 3 people's votes add or take from a passage (blended scores are ~0-3)
NO_STATE = (
    "That needs the bot's database, which cannot be used right now (the log says why); "
    "answers go on without it."
)

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


def check_may_manage(interaction: Interaction) -> bool:
    """App-command check: in a server, with Manage Server permission or one of VERBATIM_OWNER_IDS."""
    if interaction.guild_id is None:
        raise Refused("This command works in a server, not in direct messages.")
    if interaction.user.id in interaction.client.settings.owner_ids:
        return True
    if interaction.permissions.manage_guild:
        return True
    raise Refused("Only members with the Manage Server permission (or the bot's owners) can.")


@dataclass(frozen=True)
class Asked:
    """Where and how a question was asked: what its answer's More and votes need again."""

    collection: Collection
    guild_id: int  # 0: a direct message
    channel_id: int
    context: Conversation | None = None
    boosts: Mapping[tuple[str, int], float] = field(default_factory=dict)
    following: int | None = None  # the log id of the question this one follows
    question_id: int | None = None  # this question's log id, once logged


def mentioned_question(content: str, user_id: int) -> str | None:
    """The question after a leading mention of the bot (`<@id> question`), or None."""
    match = re.match(rf"\s*<@!?{user_id}>\s*(.*)", content, re.DOTALL)
    return match.group(1).strip() if match else None


class Answers(commands.Cog):
    """Answers questions with quoted passages."""

    def __init__(self, bot: VerbatimBot) -> None:
        self.bot = bot

    def answer_view(self, answer: Answer, asked: Asked) -> AnswerView:
        """More / 👍 / 👎 for an answer's passages."""
        return AnswerView(
            answer.question,
            answer.passages,
            shown=len(answer.passages),
            more=len(answer.passages) >= self.bot.settings.passages,
            timeout=self.bot.settings.button_timeout,
            asked=asked,
        )

    async def collection_here(
        self, guild_id: int | None, channel: Any, channel_id: int | None = None
    ) -> Collection | None:
        """The collection that answers in a channel (its threads inherit it), or None if this
        server may use none."""
        registry = self.bot.collections
        if len(registry) == 1:  # nothing to choose: no need to ask the database
            return registry.first if registry.first.spec.allows(guild_id) else None
        bindings = await self.bot.state(self.bot.db.bindings, guild_id) if guild_id else None
        ids = channel_ids(channel, channel_id)
        return registry.choose(guild_id, bindings or {}, ids)

    async def prepare(
        self,
        question: str,
        guild_id: int | None,
        channel: Any,
        channel_id: int | None = None,
        reply_to: int | None = None,
    ) -> Asked | None:
        """Which collection answers, the conversation a follow-up continues (the thread's recent
        questions, or the answer replied to), and the votes that move passages; None if no
        collection is open to this server."""
        collection = await self.collection_here(guild_id, channel, channel_id)
        if collection is None:
            return None
        db, name = self.bot.db, collection.spec.name
        channel_id = channel_id or getattr(channel, "id", 0)
        turns = None
        if reply_to is not None:
            found = await self.bot.state(db.turns_before, reply_to)
            if found is not None and found[0] == name:
                turns = found[1]
        if turns is None and isinstance(channel, discord.Thread):
            turns = await self.bot.state(db.recent_turns, channel_id, name)
            if not turns:  # a thread started from an answer has the answer's id: it follows it
                found = await self.bot.state(db.turns_before, channel_id)
                turns = found[1] if found is not None and found[0] == name else None
        context = None
        if turns:
            documents = [t.top[0] for t in turns if t.top is not None]
            context = Conversation(
                tuple(t.question for t in turns),
                tuple(reversed(dict.fromkeys(reversed(documents)))),  # most recent last
                tuple(t.top for t in turns if t.top is not None),  # where each answer was
            )
        boosts = await self.bot.state(db.boosts, guild_id or 0, name, question, VOTE_STEP)
        return Asked(
            collection,
            guild_id or 0,
            channel_id or 0,
            context,
            boosts or {},
            turns[-1].id if turns else None,
        )

    async def answer(
        self, question: str, asked: Asked, user_id: int, private: bool = False
    ) -> tuple[Answer, Asked]:
        """Search, then log the question (when the database can): the answer and its `Asked`.

        An answer shown to the asker alone (`private`, or nothing found by /ask) is logged so,
        and never followed by other people's questions.
        """
        answer = await self.bot.search(
            question, collection=asked.collection, context=asked.context, boosts=asked.boosts
        )
        qid = await self.bot.state(
            self.bot.db.log_question,
            guild_id=asked.guild_id,
            channel_id=asked.channel_id,
            collection=asked.collection.spec.name,
            user_id=user_id,
            question=question,
            passages=answer.passages,
            following=asked.following,
            public=not private,
        )
        return answer, dataclasses.replace(asked, question_id=qid)

    async def remember(self, asked: Asked, message: Any) -> None:
        """Note which message answered a logged question, so replies to it follow it."""
        if asked.question_id is not None and message is not None:
            await self.bot.state(self.bot.db.set_message, asked.question_id, message.id)

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
        asked = await self.prepare(
            question, interaction.guild_id, interaction.channel, interaction.channel_id
        )
        if asked is None:
            text = "No document collection is open to this server."
            await self._replace_privately(interaction, private, content=text)
            return
        try:
            answer, asked = await self.answer(question, asked, interaction.user.id, private)
        except QuestionError as error:
            await self._replace_privately(interaction, private, content=str(error))
            return
        card = to_embed(answer_card(answer))
        if not answer.found:
            await self._replace_privately(interaction, private, embed=card)
            return
        view = self.answer_view(answer, asked)
        view.message = await interaction.followup.send(
            embed=card, view=view, ephemeral=private, allowed_mentions=NO_MENTIONS, wait=True
        )
        await self.remember(asked, view.message)

    async def _replace_privately(
        self, interaction: Interaction, private: bool, **send: Any
    ) -> None:
        """Answer the user alone; a public "thinking…" reply can't be hidden, so delete it first."""
        if not private:
            await interaction.delete_original_response()
        await interaction.followup.send(ephemeral=True, allowed_mentions=NO_MENTIONS, **send)

    @app_commands.command(name="sources", description="The documents I quote from.")
    async def sources(self, interaction: Interaction) -> None:
        collection = await self.collection_here(
            interaction.guild_id, interaction.channel, interaction.channel_id
        )
        if collection is None:
            await say_privately(interaction, "No document collection is open to this server.")
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
        collection = await self.collection_here(
            interaction.guild_id, interaction.channel, interaction.channel_id
        )
        if collection is None:
            await say_privately(interaction, "No document collection is open to this server.")
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
        here = await self.collection_here(
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
            here = await self.collection_here(
                interaction.guild_id, interaction.channel, interaction.channel_id
            )
            if here is None:
                await say_privately(interaction, "No document collection is open to this server.")
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
        reply_to = msg.reference.message_id if msg.reference is not None else None
        guild_id = msg.guild.id if msg.guild is not None else None
        asked = await self.prepare(question, guild_id, msg.channel, reply_to=reply_to)
        if asked is None:
            text = "No document collection is open to this server."
            await msg.reply(text, delete_after=REFUSAL_SECONDS, allowed_mentions=NO_MENTIONS)
            return
        try:
            answer, asked = await self.answer(question, asked, msg.author.id)
        except QuestionError as error:
            await msg.reply(str(error), allowed_mentions=NO_MENTIONS)
            return
        view = self.answer_view(answer, asked) if answer.found else None
        sent = await msg.reply(
            embed=to_embed(answer_card(answer)),
            view=view,
            allowed_mentions=NO_MENTIONS,
        )
        if view is not None:
            view.message = sent
        await self.remember(asked, sent)
