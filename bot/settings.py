"""The bot's settings: read once, at run time, from the environment and then `.env`."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from dotenv import dotenv_values

from index.analysis.languages import setting as language_setting
from index.store.paths import index_folder

T = TypeVar("T")

TOKEN_MISSING = (
    "DISCORD_TOKEN is not set: copy .env.example to .env and put your bot's token in it "
    "(or try the bot without Discord: scripts/run --console)"
)

# Discord keeps an interaction's token (needed to edit its messages) for 15 minutes; buttons must
# expire before that so they can be switched off politely.
MAX_BUTTON_TIMEOUT = 14 * 60
MAX_PASSAGES = 10
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class SettingsError(ValueError):
    """A setting is missing or invalid; the message is one line that says how to fix it."""


@dataclass(frozen=True)
class Settings:
    """Everything the bot can be told, with its defaults. See `.env.example`."""

    token: str | None = field(default=None, repr=False)  # never shown, never logged
    docs: Path = Path("seeds")
    index_dir: Path | None = None
    docs_url: str | None = None  # the documents folder's public address, for citation links
    prefix: str = "!"
    message_content: bool = False
    collections: Path | None = None
    db: Path | None = None
    log_days: int = 30
    cooldown_seconds: float = 5.0
    allowed_channels: frozenset[int] = frozenset()
    owner_ids: frozenset[int] = frozenset()
    passages: int = 3
    button_timeout: float = 600.0
    log_level: str = "INFO"
    watch: bool = True  # follow the documents folder and the generations other processes save
    read_timeout: float = 30.0  # seconds one file may take to read, per 100 pages of a PDF
    shards: tuple[tuple[int, ...], int] | None = None  # (shard ids, shard count); None: all
    language: str = "auto"  # documents each read in their own language, or all in this one

    def db_target(self) -> str:
        """The database: VERBATIM_DB (a path, or a SQLite `file:` URI), else `verbatim.db` beside
        the index cache folder."""
        if self.db is not None:
            text = str(self.db)
            return text if text.startswith("file:") else str(self.db.expanduser())
        return str(index_folder(self.docs, self.index_dir).parent / "verbatim.db")

    def require_token(self) -> str:
        """The token, or a SettingsError that says where to set it."""
        if not self.token:
            raise SettingsError(TOKEN_MISSING)
        return self.token


def load_settings(
    environ: Mapping[str, str] | None = None, dotenv: str | Path | None = ".env"
) -> Settings:
    """Settings from `environ` (default: os.environ), falling back to the `dotenv` file."""
    values: dict[str, str] = {}
    if dotenv is not None and Path(dotenv).is_file():
        values.update({k: v for k, v in dotenv_values(dotenv).items() if v is not None})
    values.update(os.environ if environ is None else environ)

    def get(name: str, parse: Callable[[str, str], T], default: T) -> T:
        raw = values.get(name, "").strip()
        return parse(name, raw) if raw else default

    return Settings(
        token=values.get("DISCORD_TOKEN", "").strip() or None,
        docs=get("VERBATIM_DOCS", _path, Path("seeds")),
        index_dir=get("VERBATIM_INDEX", _path, None),
        docs_url=get("VERBATIM_DOCS_URL", _url, None),
        prefix=get("VERBATIM_PREFIX", _prefix, "!"),
        message_content=get("VERBATIM_MESSAGE_CONTENT", _bool, False),
        collections=get("VERBATIM_COLLECTIONS", _path, None),
        db=get("VERBATIM_DB", _path, None),
        log_days=int(get("VERBATIM_LOG_DAYS", _number(1, 3650, whole=True), 30)),
        cooldown_seconds=get("VERBATIM_COOLDOWN_SECONDS", _number(0, 3600), 5.0),
        allowed_channels=get("VERBATIM_ALLOWED_CHANNELS", _ids, frozenset()),
        owner_ids=get("VERBATIM_OWNER_IDS", _ids, frozenset()),
        passages=int(get("VERBATIM_PASSAGES", _number(1, MAX_PASSAGES, whole=True), 3)),
        button_timeout=get("VERBATIM_BUTTON_TIMEOUT", _number(10, MAX_BUTTON_TIMEOUT), 600.0),
        log_level=get("VERBATIM_LOG_LEVEL", _log_level, "INFO"),
        watch=get("VERBATIM_WATCH", _bool, True),
        read_timeout=get("VERBATIM_READ_TIMEOUT", _number(1, 3600), 30.0),
        shards=get("VERBATIM_SHARDS", _shards, None),
        language=get("VERBATIM_LANGUAGE", _language, "auto"),
    )


def _path(name: str, raw: str) -> Path:
    return Path(raw).expanduser()


def _url(name: str, raw: str) -> str:
    if not raw.startswith(("http://", "https://")) or any(c.isspace() for c in raw):
        raise SettingsError(f"{name} must be an http(s) address, like https://example.org/docs/")
    return raw


def _prefix(name: str, raw: str) -> str:
    if any(c.isspace() for c in raw) or len(raw) > 5:
        raise SettingsError(f"{name} must be 1 to 5 characters, no spaces, like '!', not {raw!r}")
    return raw


def _bool(name: str, raw: str) -> bool:
    word = raw.lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, not {raw!r}")


def _number(low: float, high: float, whole: bool = False) -> Callable[[str, str], float]:
    kind = "a whole number" if whole else "a number"

    def parse(name: str, raw: str) -> float:
        try:
            value = int(raw) if whole else float(raw)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise SettingsError(f"{name} must be {kind} from {low:g} to {high:g}, not {raw!r}")
        return value

    return parse


def _ids(name: str, raw: str) -> frozenset[int]:
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    bad = [p for p in parts if not p.isdigit()]
    if bad:
        raise SettingsError(
            f"{name} must be Discord ids (numbers) separated by commas, not {bad[0]!r}"
        )
    return frozenset(int(p) for p in parts)


def _shards(name: str, raw: str) -> tuple[tuple[int, ...], int]:
    """`0-3/8` (shards 0 to 3 of 8), `5/8`, or `0,2,4/8`."""
    shown = f"{name} must be SHARDS/COUNT like 0-3/8 (shards 0 to 3 of 8), not {raw!r}"
    ids_part, slash, count_part = raw.replace(" ", "").partition("/")
    if not slash or not count_part.isdigit() or not 1 <= int(count_part) <= 10_000:
        raise SettingsError(shown)
    count = int(count_part)
    ids: list[int] = []
    for piece in ids_part.split(","):
        low, dash, high = piece.partition("-")
        if not low.isdigit() or (dash and not high.isdigit()):
            raise SettingsError(shown)
        first, last = int(low), int(high) if dash else int(low)
        if first > last or last >= count:
            raise SettingsError(f"{name}: shard ids must be from 0 to {count - 1}, not {raw!r}")
        ids.extend(range(first, last + 1))
    return tuple(sorted(set(ids))), count


def _log_level(name: str, raw: str) -> str:
    if raw.upper() not in LOG_LEVELS:
        raise SettingsError(f"{name} must be one of {', '.join(LOG_LEVELS)}, not {raw!r}")
    return raw.upper()


def _language(name: str, raw: str) -> str:
    try:
        return language_setting(raw)
    except ValueError as exc:
        raise SettingsError(f"{name}: {exc}") from None
