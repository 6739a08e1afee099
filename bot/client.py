"""The Discord client: the connection, the settings, the collections and the database; it runs
searches and database calls off the event loop, and reports errors politely. Answering is
bot/answering.py's, the commands bot/commands.py's."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import importlib
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot import collections
from bot.commands import Answers, Refused
from bot.db import Database, Unavailable
from bot.gate import QUESTION_LIMIT, Cooldowns, channel_ids, channel_refusal
from bot.locale import Translator, words_for
from bot.settings import Settings
from bot.views import NO_MENTIONS, say_privately
from index import Answer, BuildReport, Conversation, Index
from index.store import live

log = logging.getLogger(__name__)
T = TypeVar("T")


def freeze_startup_objects() -> None:
    """Take what importing made (modules, classes: about 70,000 objects) out of the cyclic GC.

    Otherwise every full collection walks them all while the event loop waits: 70 ms and more on
    a small server. Call it before loading the index, so an index a reload replaces is still freed.
    The bot builds (at start, on /reload), so what building imports (Punkt, nltk: answering alone
    never does) is imported first, and frozen with the rest.
    """
    importlib.import_module("index.analysis.sentences")
    gc.collect()
    gc.freeze()


class VerbatimTree(app_commands.CommandTree["VerbatimBot"]):
    """The slash commands, with the channel allow-list and one polite error handler, each in the
    member's language."""

    async def interaction_check(self, interaction: discord.Interaction[VerbatimBot]) -> bool:
        allowed = self.client.settings.allowed_channels
        ids = channel_ids(interaction.channel, interaction.channel_id)
        refusal = channel_refusal(ids, allowed, words_for(interaction.locale))
        if refusal:
            raise Refused(refusal)
        return True

    async def on_error(
        self, interaction: discord.Interaction[VerbatimBot], error: app_commands.AppCommandError
    ) -> None:
        command = interaction.command.name if interaction.command else "?"
        words = words_for(interaction.locale)
        refused = getattr(error, "original", None)
        if isinstance(refused, discord.HTTPException):
            # Discord refused a reply: no permission here (403), the interaction expired (404,
            # 10062), a rate limit discord.py could not wait out (429). One line, no traceback.
            log.warning(
                "/%s in channel %s: Discord refused the reply: %s",
                command,
                interaction.channel_id,
                refused,
            )
            if isinstance(refused, discord.NotFound):
                return  # the interaction is gone: there is no one left to tell
            text = words(
                "Discord refused my answer here; please try again, or ask me in another channel."
            )
            await say_privately(interaction, text, quiet=True)
            return
        if isinstance(error, Refused):
            text = str(error)
        elif isinstance(error, app_commands.TransformerError):
            text = words("Please ask in 1 to {limit} characters.", limit=QUESTION_LIMIT)
        elif isinstance(error, app_commands.CheckFailure):
            text = words("You can't use this command here.")
        else:
            log.error("/%s failed", command, exc_info=error)
            text = words("Something went wrong while answering; it is logged. Please try again.")
        await say_privately(interaction, text)


class VerbatimBot(commands.Bot):
    """The bot over its collections (each index opened when first asked, swapped by /reload).

    `index`, when given, is the first collection's index, loaded before the bot starts; `load`
    opens that collection instead of `open_index` (tests hold it). `database` defaults to
    VERBATIM_DB, opened in `setup_hook`.
    """

    def __init__(
        self,
        settings: Settings,
        index: Index | None,
        *,
        load: Callable[[], Index] | None = None,
        intents: discord.Intents | None = None,
        registry: collections.Registry | None = None,
        database: Database | None = None,
    ) -> None:
        if intents is None:
            intents = discord.Intents.default()
            intents.message_content = settings.message_content
        shards: dict = {}
        if settings.shards is not None and isinstance(self, commands.AutoShardedBot):
            shards = {"shard_ids": list(settings.shards[0]), "shard_count": settings.shards[1]}
        super().__init__(
            **shards,
            # Without the intent prefix commands are off (see on_message); when_mentioned stops
            # discord.py warning about a prefix it could not read.
            command_prefix=settings.prefix if settings.message_content else commands.when_mentioned,
            intents=intents,
            help_command=None,
            allowed_mentions=NO_MENTIONS,
            tree_cls=VerbatimTree,
        )
        self.settings = settings
        self.collections = registry or collections.from_settings(settings, load)
        if index is not None:
            self.collections.first.index = index
        self.db = database
        self.cooldowns = Cooldowns(settings.cooldown_seconds)
        self._stop_watching = asyncio.Event()
        self._watching: asyncio.Task | None = None

    async def setup_hook(self) -> None:
        # Command descriptions in the catalogues' languages, uploaded by `python -m bot sync`.
        await self.tree.set_translator(Translator())
        if self.db is None:
            target = self.settings.db_target()
            self.db = await asyncio.to_thread(
                Database, target, retention_days=self.settings.log_days
            )
            if self.db.available:
                log.info("State in %s.", target)
        await self.add_cog(Answers(self))
        prefix = self.settings.prefix
        if self.settings.message_content:
            log.info("Mentions and %sask are on (Message Content intent requested).", prefix)
        else:
            log.info(
                "Mentions and %sask are off; only slash commands answer. To turn them on, enable "
                "the Message Content intent in the Developer Portal and set "
                "VERBATIM_MESSAGE_CONTENT=true.",
                prefix,
            )

    async def on_ready(self) -> None:
        log.info(
            "Logged in as %s (id %s) in %d servers.",
            self.user,
            self.application_id,
            len(self.guilds),
        )

    async def on_message(self, message: discord.Message) -> None:
        # Prefix commands need the message content intent; without it they stay off.
        if self.settings.message_content and not message.author.bot:
            await self.process_commands(message)

    def start_watching(self) -> None:
        """Keep the collections current in the background (VERBATIM_WATCH), from the running loop."""
        if self.settings.watch and self._watching is None:
            self._watching = asyncio.create_task(self.keep_current(), name="verbatim-watch")

    async def keep_current(self) -> None:
        """Apply each opened collection's folder changes once they settle, and swap in the
        generations other processes save (one builder, many servers). Runs until the bot closes."""
        import watchfiles

        folders = await asyncio.to_thread(self.collections.folders)
        if not folders:
            return
        log.info("Watching %s for changes (VERBATIM_WATCH).", ", ".join(map(str, folders)))
        async for batch in watchfiles.awatch(
            *folders,
            debounce=live.WATCH_MAX_MS,
            step=live.WATCH_QUIET_MS,
            rust_timeout=int(live.FOLLOW_SECONDS * 1000),
            yield_on_timeout=True,
            stop_event=self._stop_watching,
        ):
            paths = [path for _, path in batch]
            try:
                done = await asyncio.to_thread(self.collections.keep_current, paths)
            except Exception as error:  # a bad moment (a full disk, a bad file) must not stop it
                log.warning("Could not update the index: %s", error)
                continue
            for collection, report in done:
                log.info("%s: %s", collection.spec.name, live.describe(report))

    async def close(self) -> None:
        self._stop_watching.set()
        if self._watching is not None:
            self._watching.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._watching
        await super().close()
        if self.db is not None:
            await asyncio.to_thread(self.db.close)

    async def state(self, method: Callable[..., T], *args: Any, **kwargs: Any) -> T | None:
        """A database call run off the event loop; None when the database is unavailable (the
        reason is logged once, by the database)."""
        try:
            return await asyncio.to_thread(functools.partial(method, *args, **kwargs))
        except Unavailable:
            return None

    @property
    def index(self) -> Index | None:
        """The first collection's index, if it is open (the only one without a collections file)."""
        return self.collections.first.index

    @index.setter
    def index(self, value: Index | None) -> None:
        self.collections.first.index = value

    async def collection_here(
        self, guild_id: int | None, channel: Any, channel_id: int | None = None
    ) -> collections.Collection | None:
        """The collection that answers in a channel (its threads inherit it), or None if this
        server may use none."""
        registry = self.collections
        if len(registry) == 1:  # nothing to choose: no need to ask the database
            return registry.first if registry.first.spec.allows(guild_id) else None
        bindings = await self.state(self.db.bindings, guild_id) if guild_id else None
        ids = channel_ids(channel, channel_id)
        return registry.choose(guild_id, bindings or {}, ids)

    async def open_collection(self, collection: collections.Collection | None = None) -> Index:
        """A collection's index (default: the first), opened off the event loop on first use."""
        collection = collection or self.collections.first
        index = collection.index
        return index if index is not None else await asyncio.to_thread(collection.open)

    async def search(
        self,
        question: str,
        k: int | None = None,
        *,
        collection: collections.Collection | None = None,
        context: Conversation | None = None,
        boosts: dict[tuple[str, int], float] | None = None,
    ) -> Answer:
        """Ask a collection's current index off the event loop; a reload swaps the collection's
        index, not the one this question uses."""
        index = await self.open_collection(collection)
        ask = functools.partial(index.ask, context=context, boosts=boosts)
        return await asyncio.to_thread(ask, question, k or self.settings.passages)

    @property
    def reloading(self) -> bool:
        """Whether a reload of the first collection is under way."""
        return self.collections.first.reloading

    async def reload(self, collection: collections.Collection | None = None) -> BuildReport:
        """Re-read a collection's documents in a thread, then swap its new index in; questions go
        on meanwhile."""
        collection = collection or self.collections.first
        report = await collection.reload_soon()
        log.info("Reloaded %s: %s", collection.spec.name, report.summary())
        for warning in report.warnings:
            log.warning("Reload of %s: %s", collection.spec.name, warning)
        return report


class ShardedVerbatimBot(VerbatimBot, commands.AutoShardedBot):
    """The bot over some of Discord's shards (VERBATIM_SHARDS): several processes, one index."""


def create_bot(settings: Settings, index: Index | None, **kwargs: Any) -> VerbatimBot:
    """The bot the settings ask for: sharded when VERBATIM_SHARDS says which shards to run."""
    cls = ShardedVerbatimBot if settings.shards is not None else VerbatimBot
    return cls(settings, index, **kwargs)
