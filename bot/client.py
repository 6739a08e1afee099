"""The Discord client: holds the settings and the current index, and reports errors politely."""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
from collections.abc import Callable

import discord
from discord import app_commands
from discord.ext import commands

from bot.cog import QUESTION_LIMIT, Answers, Refused, channel_ids
from bot.feedback import FeedbackLog
from bot.gate import Cooldowns, channel_refusal
from bot.settings import Settings
from bot.views import NO_MENTIONS, say_privately
from index import Answer, BuildReport, Index, open_index

log = logging.getLogger(__name__)


def freeze_startup_objects() -> None:
    """Take what importing made (modules, classes: about 70,000 objects) out of the cyclic GC.

    Otherwise every full collection walks them all while the event loop waits: 70 ms and more on
    a small server. Call it before loading the index, so an index a reload replaces is still freed.
    The bot builds (at start, on /reload), so what building imports (Punkt, nltk: answering alone
    never does) is imported first, and frozen with the rest.
    """
    importlib.import_module("index.sentences")
    gc.collect()
    gc.freeze()


class VerbatimTree(app_commands.CommandTree["VerbatimBot"]):
    """The slash commands, with the channel allow-list and one polite error handler."""

    async def interaction_check(self, interaction: discord.Interaction[VerbatimBot]) -> bool:
        allowed = self.client.settings.allowed_channels
        refusal = channel_refusal(channel_ids(interaction.channel, interaction.channel_id), allowed)
        if refusal:
            raise Refused(refusal)
        return True

    async def on_error(
        self, interaction: discord.Interaction[VerbatimBot], error: app_commands.AppCommandError
    ) -> None:
        command = interaction.command.name if interaction.command else "?"
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
            text = "Discord refused my answer here; please try again, or ask me in another channel."
            await say_privately(interaction, text, quiet=True)
            return
        if isinstance(error, Refused):
            text = str(error)
        elif isinstance(error, app_commands.TransformerError):
            text = f"Please ask in 1 to {QUESTION_LIMIT} characters."
        elif isinstance(error, app_commands.CheckFailure):
            text = "You can't use this command here."
        else:
            log.error("/%s failed", command, exc_info=error)
            text = "Something went wrong while answering; it is logged. Please try again."
        await say_privately(interaction, text)


class VerbatimBot(commands.Bot):
    """The bot, built around an index that was loaded before it starts (swapped by /reload).

    `index` may be None only to register the slash commands (`python -m bot sync`).
    """

    def __init__(
        self,
        settings: Settings,
        index: Index | None,
        *,
        load: Callable[[], Index] | None = None,
        intents: discord.Intents | None = None,
    ) -> None:
        if intents is None:
            intents = discord.Intents.default()
            intents.message_content = settings.message_content
        super().__init__(
            # Without the intent prefix commands are off (see on_message); when_mentioned stops
            # discord.py warning about a prefix it could not read.
            command_prefix=settings.prefix if settings.message_content else commands.when_mentioned,
            intents=intents,
            help_command=None,
            allowed_mentions=NO_MENTIONS,
            tree_cls=VerbatimTree,
        )
        self.settings = settings
        self.index = index
        self._load = load or (
            lambda: open_index(settings.docs, settings.index_dir, docs_url=settings.docs_url)
        )
        self.feedback = FeedbackLog(settings.feedback_file)
        self.cooldowns = Cooldowns(settings.cooldown_seconds)
        self._reload_lock = asyncio.Lock()

    async def setup_hook(self) -> None:
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

    async def search(self, question: str, k: int | None = None) -> Answer:
        """Ask the current index off the event loop; a reload swaps `self.index`, not this one."""
        index = self.index
        if index is None:
            raise RuntimeError("the bot was started without an index")
        return await asyncio.to_thread(index.ask, question, k or self.settings.passages)

    @property
    def reloading(self) -> bool:
        """Whether a reload is under way."""
        return self._reload_lock.locked()

    async def reload(self) -> BuildReport:
        """Re-read the documents in a thread, then swap the new index in; questions go on."""
        async with self._reload_lock:
            index = await asyncio.to_thread(self._load)
            self.index = index
        log.info("Reloaded: %s", index.report.summary())
        for warning in index.report.warnings:
            log.warning("Reload: %s", warning)
        return index.report
