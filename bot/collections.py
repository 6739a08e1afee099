"""Collections: named document folders, each with its own index, opened when first asked.

`VERBATIM_COLLECTIONS` names a TOML file with one table a collection:

    [rules]
    docs = "/srv/verbatim/rules"          # the documents folder (required)
    url = "https://example.org/rules"     # optional: the folder's public address (as
                                          # VERBATIM_DOCS_URL): citations link into it
    index = "/srv/verbatim/index/rules"   # optional: where its index is saved
    guilds = [123456789012345678]         # optional: the servers allowed to use it (else all)
    language = "de"                       # optional: read every document and question in this
                                          # language (else VERBATIM_LANGUAGE: auto, each its own)

Without the file there is one collection, `default`, of VERBATIM_DOCS. What belongs to a server
(which collection a channel uses) lives in the database, not here.
"""

from __future__ import annotations

import asyncio
import threading
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from bot.settings import Settings, SettingsError
from index import BuildReport, Index, open_index
from index.analysis.languages import setting as language_setting
from index.store import live
from index.store.paths import docs_folder

DEFAULT = "default"
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")


class CollectionsError(SettingsError):
    """The collections file is missing or wrong; the message says where, in one line."""


@dataclass(frozen=True)
class Spec:
    """What the collections file says about one collection."""

    name: str
    docs: Path
    url: str | None = None
    index_dir: Path | None = None
    guilds: frozenset[int] = frozenset()  # empty: every server
    language: str = "auto"  # "auto": each document in its own language; else all in this one

    language_set: bool = False  # the collections file names it (VERBATIM_LANGUAGE does not apply)

    def defaulted(self, language: str) -> Spec:
        """This spec with the language VERBATIM_LANGUAGE gives collections that name none."""
        return replace(self, language=language)

    def allows(self, guild_id: int | None) -> bool:
        """Whether a server (None: a direct message or the console) may use this collection."""
        return not self.guilds or guild_id in self.guilds


class Collection:
    """One collection: its spec, its index once opened, and the locks that guard loading."""

    def __init__(self, spec: Spec, opener: Callable[[], Index]) -> None:
        self.spec = spec
        self._opener = opener
        self.index: Index | None = None
        self._loading = threading.Lock()  # the first question opens the index once
        self._reloading = threading.Lock()  # one reload at a time; questions go on meanwhile
        self.pending = False  # a file was still being written when last refreshed: look again

    @property
    def reloading(self) -> bool:
        """Whether a reload of this collection is under way."""
        return self._reloading.locked()

    def open(self) -> Index:
        """The index, opened (loaded or built) on first use. Blocking: call it off the loop."""
        index = self.index
        if index is not None:
            return index
        with self._loading:
            if self.index is None:
                self.index = self._opener()
            return self.index

    def reload(self) -> BuildReport:
        """Re-read the documents, then swap the new index in. Blocking: call it off the loop.

        Questions asked meanwhile are answered from the previous index; if reading fails, the
        previous index stays and the error is raised.
        """
        with self._reloading:
            index = self._opener()
            self.index = index
        return index.report

    def keep_current(self, changed: bool) -> BuildReport | None:
        """Bring an opened collection up to date: apply its folder's changes (`changed`: the
        watcher saw some) or load a generation another process saved. What it did, or None.
        Blocking: call it off the loop. An unopened collection is read when first asked."""
        index = self.index
        if index is None:
            return None
        docs, index_dir = self.spec.docs, self.spec.index_dir
        with self._reloading:
            if changed or self.pending or live.retry_due(index):
                newer, self.pending = live.refresh(index, docs, index_dir)
            elif live.saved_generation(docs, index_dir) != index.generation:
                newer = live.follow(index, docs, index_dir)
            else:
                return None
            if newer is None:
                return None
            self.index = newer
        return newer.report

    async def reload_soon(self) -> BuildReport:
        """`reload` for the event loop: marked as running at once, the reading done in a thread."""
        if not self._reloading.acquire(blocking=False):
            await asyncio.to_thread(self._reloading.acquire)
        try:
            index = await asyncio.to_thread(self._opener)
            self.index = index
        finally:
            self._reloading.release()
        return index.report


class Registry:
    """The collections by name, in the file's order (the first allowed one is a server's default)."""

    def __init__(
        self, specs: Iterable[Spec], opener: Callable[[Spec], Index] | None = None
    ) -> None:
        open_spec = opener or (
            lambda spec: open_index(
                spec.docs, spec.index_dir, docs_url=spec.url, language=spec.language
            )
        )
        self._all: dict[str, Collection] = {}
        for spec in specs:
            self._all[spec.name] = Collection(spec, lambda spec=spec: open_spec(spec))
        if not self._all:
            raise CollectionsError("no collections: the collections file defines none")

    def __contains__(self, name: object) -> bool:
        return name in self._all

    def __iter__(self):
        return iter(self._all.values())

    def __len__(self) -> int:
        return len(self._all)

    def get(self, name: str) -> Collection:
        """The collection called `name` (KeyError if there is none)."""
        return self._all[name]

    @property
    def first(self) -> Collection:
        """The first collection of the file (the only one without a file)."""
        return next(iter(self._all.values()))

    def allowed(self, guild_id: int | None) -> list[Collection]:
        """The collections a server may use, in the file's order."""
        return [c for c in self._all.values() if c.spec.allows(guild_id)]

    def choose(
        self, guild_id: int | None, bindings: dict[int, str], channel_ids: Iterable[int | None]
    ) -> Collection | None:
        """The collection that answers in a channel: the channel's (or its parent's) binding, the
        server's, else the first allowed one; None if the server may use none."""
        for key in (*channel_ids, 0):
            name = bindings.get(key) if key is not None else None
            if name in self._all and self._all[name].spec.allows(guild_id):
                return self._all[name]
        allowed = self.allowed(guild_id)
        return allowed[0] if allowed else None

    def refresh(self, name: str) -> BuildReport | None:
        """Reload a collection if it was opened; an unopened one is read when first asked.
        Blocking: call it off the loop."""
        collection = self._all[name]
        if collection.index is None:
            return None
        return collection.reload()

    def folders(self) -> list[Path]:
        """The documents folders to watch (those that exist), each once."""
        found = {docs_folder(c.spec.docs).resolve() for c in self._all.values()}
        return sorted(f for f in found if f.is_dir())

    def touched(self, paths: Iterable[str]) -> list[Collection]:
        """The collections whose folders hold any of `paths` (changes the watcher reported)."""
        resolved = [Path(p).resolve() for p in paths]
        out = []
        for collection in self._all.values():
            folder = docs_folder(collection.spec.docs).resolve()
            if any(p == folder or folder in p.parents for p in resolved):
                out.append(collection)
        return out

    def keep_current(self, changed: Iterable[str] = ()) -> list[tuple[Collection, BuildReport]]:
        """Bring every opened collection up to date: those whose folders hold `changed` paths read
        their changes, the others follow what other processes saved. Blocking: off the loop."""
        touched = set(map(id, self.touched(changed)))
        done = []
        for collection in self._all.values():
            report = collection.keep_current(id(collection) in touched)
            if report is not None:
                done.append((collection, report))
        return done

    def watch(self, stop: threading.Event, say: Callable[[str], None]) -> None:
        """Keep the collections current until `stop` is set (a thread: the console)."""
        for batch in live.changes(self.folders(), stop):
            try:
                done = self.keep_current(path for _, path in batch)
            except Exception as error:  # a bad moment (a full disk, a bad file) must not stop it
                say(f"could not update the index: {error}")
                continue
            for collection, report in done:
                say(f"{collection.spec.name}: {live.describe(report)}")


def from_settings(settings: Settings, load: Callable[[], Index] | None = None) -> Registry:
    """The collections of VERBATIM_COLLECTIONS, else `default` = VERBATIM_DOCS (opened by `load`
    when given)."""
    if settings.collections is not None:
        specs = read_specs(settings.collections)
        return Registry([s if s.language_set else s.defaulted(settings.language) for s in specs])
    return single(settings.docs, settings.index_dir, load, settings.docs_url, settings.language)


def single(
    docs: Path,
    index_dir: Path | None,
    opener: Callable[[], Index] | None = None,
    url: str | None = None,
    language: str = "auto",
):
    """The registry without a collections file: `default`, the documents folder (at `url`)."""
    spec = Spec(DEFAULT, Path(docs), url, index_dir, language=language)
    return Registry([spec], (lambda _spec: opener()) if opener is not None else None)


def read_specs(path: Path) -> list[Spec]:
    """The collections of a TOML file; relative folders are relative to the file."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise CollectionsError(
            f"cannot read the collections file {path}: {error.strerror or error}"
        ) from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise CollectionsError(f"the collections file {path} is not valid TOML: {error}") from error
    base = Path(path).parent
    specs = []
    for name, table in data.items():
        where = f"{path}: [{name}]"
        if not isinstance(table, dict):
            raise CollectionsError(f'{where} must be a table like [{name}] with docs = "folder"')
        if not name or len(name) > 32 or not set(name) <= _NAME_CHARS:
            raise CollectionsError(
                f"{where}: a collection name is 1-32 lowercase letters, digits, - or _"
            )
        unknown = set(table) - {"docs", "url", "index", "guilds", "language"}
        if unknown:
            raise CollectionsError(f"{where}: unknown key {sorted(unknown)[0]!r}")
        docs = table.get("docs")
        if not isinstance(docs, str) or not docs.strip():
            raise CollectionsError(f'{where} needs docs = "the documents folder"')
        url, index = table.get("url"), table.get("index")
        if url is not None and not (
            isinstance(url, str) and url.startswith(("http://", "https://"))
        ):
            raise CollectionsError(f"{where}: url must be an http(s) link")
        if index is not None and not isinstance(index, str):
            raise CollectionsError(f'{where}: index must be a folder, like index = "cache/rules"')
        guilds = table.get("guilds", [])
        if not isinstance(guilds, list) or not all(
            isinstance(g, int) and not isinstance(g, bool) and g > 0 for g in guilds
        ):
            raise CollectionsError(f"{where}: guilds must be a list of server ids, like [1234]")
        language = table.get("language")
        try:
            language = language_setting(language) if isinstance(language, str) else None
        except ValueError as exc:
            raise CollectionsError(f"{where}: language {exc}") from None
        if "language" in table and language is None:
            raise CollectionsError(f'{where}: language must be a code like "de", or "auto"')
        specs.append(
            Spec(
                name,
                base / Path(docs).expanduser(),
                url,
                base / Path(index).expanduser() if index else None,
                frozenset(guilds),
                language or "auto",
                language is not None,
            )
        )
    if not specs:
        raise CollectionsError(f"the collections file {path} defines no collection")
    return specs
