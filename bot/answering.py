"""The answer flow, the same for every way of asking: /ask, `!ask`, a mention, and More.

Take a question; find the collection that answers here, the conversation it continues and the
votes that move passages; search off the event loop; log it; render; send it once with its
buttons; and remember the message that answered, so replies to it follow it. The commands
(bot/commands.py) and the buttons (bot/views.py) call this module; it is given the bot as a
`Host` and imports neither the client nor the commands.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import discord

from bot.collections import Collection, Registry
from bot.db import Database
from bot.gate import QUESTION_LIMIT, Cooldowns, channel_ids, channel_refusal, cooldown_refusal
from bot.locale import ENGLISH, N_, Words, message_words, words_for
from bot.render import answer_card, to_embed
from bot.settings import Settings
from bot.views import NO_MENTIONS, AnswerView, say_privately
from index import Answer, Conversation, Passage, QuestionError

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_SHOWN = 24  # "More" stops here: past this the passages no longer answer the question
REFUSAL_SECONDS = 15  # refusals in a channel delete themselves: they are only for the asker
VOTE_STEP = 1.0  # what 3 people's votes add or take from a passage (blended scores are ~0-3)
# The bot's own words, translated where they are said (bot/locale).
VOTE_THANKS = {"up": N_("Thanks: your 👍 is recorded."), "down": N_("Thanks: your 👎 is recorded.")}
VOTE_LOST = N_(
    "Thanks, but votes cannot be recorded right now (the bot's database is unavailable)."
)
NO_COLLECTION = N_("No document collection is open to this server.")
EMPTY_QUESTION = N_("The question is empty: ask something in plain words.")  # a QuestionError


class Host(Protocol):
    """What the flow needs of the bot (`VerbatimBot` is one): its settings, collections, database
    and cooldowns, and the calls that run off the event loop."""

    settings: Settings
    collections: Registry
    db: Database | None
    cooldowns: Cooldowns

    async def state(self, method: Callable[..., T], *args: Any, **kwargs: Any) -> T | None: ...

    async def search(
        self,
        question: str,
        k: int | None = None,
        *,
        collection: Collection | None = None,
        context: Conversation | None = None,
        boosts: dict[tuple[str, int], float] | None = None,
    ) -> Answer: ...

    async def collection_here(
        self, guild_id: int | None, channel: Any, channel_id: int | None = None
    ) -> Collection | None: ...


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


class Answering:
    """The answer flow over one bot."""

    def __init__(self, host: Host) -> None:
        self.host = host

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
        host = self.host
        collection = await host.collection_here(guild_id, channel, channel_id)
        if collection is None:
            return None
        db, name = host.db, collection.spec.name
        channel_id = channel_id or getattr(channel, "id", 0)
        turns = None
        if reply_to is not None:
            found = await host.state(db.turns_before, reply_to)
            if found is not None and found[0] == name:
                turns = found[1]
        if turns is None and isinstance(channel, discord.Thread):
            turns = await host.state(db.recent_turns, channel_id, name)
            if not turns:  # a thread started from an answer has the answer's id: it follows it
                found = await host.state(db.turns_before, channel_id)
                turns = found[1] if found is not None and found[0] == name else None
        context = None
        if turns:
            documents = [t.top[0] for t in turns if t.top is not None]
            context = Conversation(
                tuple(t.question for t in turns),
                tuple(reversed(dict.fromkeys(reversed(documents)))),  # most recent last
                tuple(t.top for t in turns if t.top is not None),  # where each answer was
            )
        boosts = await host.state(db.boosts, guild_id or 0, name, question, VOTE_STEP)
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
        answer = await self.host.search(
            question, collection=asked.collection, context=asked.context, boosts=asked.boosts
        )
        qid = await self.host.state(
            self.host.db.log_question,
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
            await self.host.state(self.host.db.set_message, asked.question_id, message.id)

    def buttons(
        self,
        question: str,
        passages: Sequence[Passage],
        asked: Asked,
        shown: int,
        words: Words = ENGLISH,
    ) -> AnswerView:
        """More / 👍 / 👎 under `passages`, the last of which is the answer's `shown`th."""
        settings = self.host.settings
        return AnswerView(
            more=len(passages) >= settings.passages and shown < MAX_SHOWN,
            timeout=settings.button_timeout,
            on_more=functools.partial(self.more, question=question, asked=asked, shown=shown),
            on_vote=functools.partial(
                self.vote, question=question, passages=tuple(passages), asked=asked
            ),
            words=words,
        )

    async def ask(self, interaction: discord.Interaction, question: str, private: bool) -> None:
        """/ask: think, answer, and send the answer once (to the asker alone when `private`, or
        when nothing answers), in the asker's language."""
        words = words_for(interaction.locale)
        await interaction.response.defer(ephemeral=private, thinking=True)
        asked = await self.prepare(
            question, interaction.guild_id, interaction.channel, interaction.channel_id
        )
        if asked is None:
            await _replace_privately(interaction, private, content=words(NO_COLLECTION))
            return
        try:
            answer, asked = await self.answer(question, asked, interaction.user.id, private)
        except QuestionError:
            await _replace_privately(interaction, private, content=words(EMPTY_QUESTION))
            return
        card = to_embed(answer_card(answer, words=words))
        if not answer.found:
            await _replace_privately(interaction, private, embed=card)
            return
        view = self.buttons(answer.question, answer.passages, asked, len(answer.passages), words)
        view.message = await interaction.followup.send(
            embed=card, view=view, ephemeral=private, allowed_mentions=NO_MENTIONS, wait=True
        )
        await self.remember(asked, view.message)

    async def more(
        self, interaction: discord.Interaction, *, question: str, asked: Asked, shown: int
    ) -> None:
        """The More button: the next passages, to the clicker alone (in their language), with
        their own buttons."""
        words = words_for(interaction.locale)
        await interaction.response.defer(ephemeral=True, thinking=True)
        step = self.host.settings.passages
        answer = await self.host.search(
            question,
            shown + step,
            collection=asked.collection,
            context=asked.context,
            boosts=asked.boosts,
        )
        extra = answer.passages[shown:]
        if not extra:
            await interaction.followup.send(
                words("No more passages answer this question."),
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )
            return
        view = self.buttons(question, extra, asked, shown + len(extra), words)
        page = dataclasses.replace(answer, passages=extra)
        card = answer_card(page, first=shown + 1, words=words)
        view.message = await interaction.followup.send(
            embed=to_embed(card), view=view, ephemeral=True, allowed_mentions=NO_MENTIONS, wait=True
        )

    async def vote(
        self,
        interaction: discord.Interaction,
        vote: str,
        *,
        question: str,
        passages: Sequence[Passage],
        asked: Asked,
    ) -> None:
        """👍 or 👎 (`vote` "up" or "down") on an answer's passages, thanked privately."""
        done = await self.host.state(
            self.host.db.vote,
            guild_id=asked.guild_id,
            collection=asked.collection.spec.name,
            user_id=interaction.user.id,
            question=question,
            passages=passages,
            vote=vote,
            question_id=asked.question_id,
        )
        words = words_for(interaction.locale)
        await say_privately(
            interaction, words(VOTE_THANKS[vote] if done is not None else VOTE_LOST)
        )

    async def answer_message(self, msg: discord.Message, question: str) -> None:
        """Reply to a message asking `question` (a mention or `!ask`), as /ask would; a message
        has no command tree to check it, so its refusals are here (and delete themselves). A
        message carries no locale: the reply is in the server's preferred language."""
        try:
            await self._answer_message(msg, question)
        except discord.HTTPException as error:  # no permission to reply here, say: one line
            log.warning("Reply in channel %s: Discord refused it: %s", msg.channel.id, error)

    async def _answer_message(self, msg: discord.Message, question: str) -> None:
        settings = self.host.settings
        words = message_words(msg)
        refusal = channel_refusal(channel_ids(msg.channel), settings.allowed_channels, words)
        if refusal is None and not question.strip():
            refusal = words(
                "Ask me a question after the mention, or type `{prefix}ask <question>`.",
                prefix=settings.prefix,
            )
        if refusal is None and len(question) > QUESTION_LIMIT:
            refusal = words("Please ask in at most {limit} characters.", limit=QUESTION_LIMIT)
        if refusal is None:
            refusal = cooldown_refusal(self.host.cooldowns.retry_after(msg.author.id), words)
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
            text = words(NO_COLLECTION)
            await msg.reply(text, delete_after=REFUSAL_SECONDS, allowed_mentions=NO_MENTIONS)
            return
        try:
            answer, asked = await self.answer(question, asked, msg.author.id)
        except QuestionError:
            await msg.reply(words(EMPTY_QUESTION), allowed_mentions=NO_MENTIONS)
            return
        if answer.found:
            view = self.buttons(
                answer.question, answer.passages, asked, len(answer.passages), words
            )
        else:
            view = None
        sent = await msg.reply(
            embed=to_embed(answer_card(answer, words=words)),
            view=view,
            allowed_mentions=NO_MENTIONS,
        )
        if view is not None:
            view.message = sent
        await self.remember(asked, sent)


async def _replace_privately(interaction: discord.Interaction, private: bool, **send: Any) -> None:
    """Answer the user alone; a public "thinking…" reply can't be hidden, so delete it first."""
    if not private:
        await interaction.delete_original_response()
    await interaction.followup.send(ephemeral=True, allowed_mentions=NO_MENTIONS, **send)
