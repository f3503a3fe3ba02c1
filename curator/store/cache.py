"""A persistent cache of provider answers, with expiry and least-recently-used eviction.

Keys come from ``ProviderCache.make_key``: normalised, hashed, and never derived from a
parameter that carries a secret. Both answers and "nothing found" are cached, for different
times.

A hit is one indexed read; marking the entry as used is deferred and written for many hits in
one transaction (at the next ``put``, eviction, ``stats``, ``flush``, or every
``TOUCH_BATCH`` hits), so a warm run does not write once per answer. A crash can lose the
last few of those marks: eviction order is a little less exact, nothing else.

Answers read or written through a ``ProviderCache`` — and those ``preload`` reads in one query —
are also kept in memory (as their JSON text, bounded by ``MEMORY_MAX_ENTRIES`` and
``MEMORY_MAX_BYTES``, least recently used dropped first). ``recall`` answers from there with no
I/O, so the event loop can ask it directly; expiry, hit counts and last-used marks work as for
``get``. The memory follows the database: an entry evicted, purged or cleared is dropped from it,
and a write by another ``ProviderCache`` object (or a database opened anew) empties it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote_plus

import peewee

from curator.domain.errors import StoreError
from curator.store.db import bound_database, mapped_errors
from curator.store.models import CacheEntry

log = logging.getLogger(__name__)

DAY = 86_400.0
FOUND_TTL = 30 * DAY
NOT_FOUND_TTL = 7 * DAY
#: Eviction removes entries down to this fraction of the caps, so it runs once per batch.
LOW_WATER = 0.9

_SECRET_PARAMS = frozenset({"api_key", "apikey", "client_key", "token", "access_token",
                            "auth_token", "x_plex_token", "secret"})
#: Free-text search parameters: providers match them case-insensitively.
_SEARCH_PARAMS = frozenset({"query", "q", "t", "s", "title", "name", "term"})
_DELETE_CHUNK = 500
#: Characters ``quote_plus`` leaves as they are.
_UNRESERVED = re.compile(r"[A-Za-z0-9_.~-]*")
#: Hits whose "last used" time is written together.
TOUCH_BATCH = 256

#: Answers kept in memory (see the module's docstring) …
MEMORY_MAX_ENTRIES = 50_000
#: … and their size (the JSON text as Python holds it, with the key).
MEMORY_MAX_BYTES = 64 * 1024 * 1024
#: Larger answers are not kept in memory: decoding them on the event loop would stall it.
MEMORY_MAX_ANSWER = 64 * 1024
#: What holding one answer costs besides its key and text (the record and the dict's slot).
_KEPT_OVERHEAD = 200

_SELECT = "SELECT found, payload, fetched_at, expires_at FROM cache_entry WHERE key = ?"
#: Live answers of one provider, most recently used first (``+provider``: walk the last-used index).
_RECENT = ("SELECT key, found, payload, fetched_at, expires_at FROM cache_entry"
           " WHERE +provider = ? AND expires_at > ? ORDER BY last_access DESC, id DESC")
_TOUCH = "UPDATE cache_entry SET last_access = ? WHERE key = ?"
_UPSERT = ("INSERT INTO cache_entry (key, provider, payload, found, fetched_at, expires_at, last_access, size)"
           " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET provider = excluded.provider,"
           " payload = excluded.payload, found = excluded.found, fetched_at = excluded.fetched_at,"
           " expires_at = excluded.expires_at, last_access = excluded.last_access, size = excluded.size")


@dataclass(frozen=True, slots=True)
class CacheHit:
    found: bool
    payload: Any
    fetched_at: float


#: An answer held in memory: found, its JSON text (None for "not found"), fetched_at, expires_at
#: and the bytes it takes. A tuple of plain values, which the garbage collector stops tracking:
#: a full memory does not make every collection slower.
_Kept = tuple[bool, str | None, float, float, int]
_EXPIRES_AT, _SIZE = 3, 4


def _kept(key: str, found: bool, text: str | None, fetched_at: float, expires_at: float) -> _Kept | None:
    """What memory keeps of an answer, or None when it is too large to keep."""
    if text is not None and len(text) > MEMORY_MAX_ANSWER:
        return None
    size = _KEPT_OVERHEAD + sys.getsizeof(key) + (sys.getsizeof(text) if text is not None else 0)
    return bool(found), text, fetched_at, expires_at, size


def _hit(kept: _Kept) -> CacheHit:
    found, text, fetched_at, _, _ = kept
    return CacheHit(found, None if text is None else json.loads(text), fetched_at)


class _Memory:
    """Answers by key, least recently used first, within an entry and a byte cap. Not locked."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._kept: OrderedDict[str, _Kept] = OrderedDict()
        self.bytes = 0

    def find(self, key: str) -> _Kept | None:
        kept = self._kept.get(key)
        if kept is not None:
            self._kept.move_to_end(key)
        return kept

    def keep(self, key: str, kept: _Kept) -> None:
        """Hold ``kept`` as the most recently used answer, dropping the least recently used
        ones while over a cap."""
        self.drop(key)
        self._kept[key] = kept
        self.bytes += kept[_SIZE]
        while len(self._kept) > self.max_entries or self.bytes > self.max_bytes:
            _, oldest = self._kept.popitem(last=False)
            self.bytes -= oldest[_SIZE]

    def keep_older(self, answers: list[tuple[str, _Kept]]) -> int:
        """Hold answers (most recent first) as older than those held, while there is room;
        keys already held keep their answer. Returns how many were added."""
        added = 0
        for key, kept in answers:
            if len(self._kept) >= self.max_entries or self.bytes + kept[_SIZE] > self.max_bytes:
                break
            if key in self._kept:
                continue
            self._kept[key] = kept
            self._kept.move_to_end(key, last=False)
            self.bytes += kept[_SIZE]
            added += 1
        return added

    def room(self) -> tuple[int, int]:
        return self.max_entries - len(self._kept), self.max_bytes - self.bytes

    def drop(self, key: str) -> None:
        kept = self._kept.pop(key, None)
        if kept is not None:
            self.bytes -= kept[_SIZE]

    def clear(self) -> None:
        self._kept.clear()
        self.bytes = 0


class _Writes:
    """How many times any ProviderCache in this process has changed the cache's contents: an
    object that did not make the latest change cannot trust what it holds in memory."""

    lock = threading.Lock()
    count = 0


@dataclass(frozen=True, slots=True)
class CacheStats:
    hits: int
    misses: int
    entries: int
    bytes: int
    entries_by_provider: dict[str, int] = field(default_factory=dict)


class ProviderCache:
    """Provider answers in SQLite, the recent ones also in memory. Safe to share between threads."""

    def __init__(self, db: peewee.Database | None = None, *, max_entries: int = 200_000,
                 max_bytes: int = 256 * 1024 * 1024, memory_entries: int = MEMORY_MAX_ENTRIES,
                 memory_bytes: int = MEMORY_MAX_BYTES, clock: Callable[[], float] = time.time) -> None:
        self._db = bound_database(db)
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._clock = clock
        # Held across SQLite writes (puts, eviction, purges): never taken on the event loop.
        self._lock = threading.Lock()
        # Held only for in-memory work, never across I/O: guards everything below.
        self._quick = threading.Lock()
        self._hits = 0
        self._misses = 0
        # Running totals, loaded on first put and re-read at every eviction.
        self._entries: int | None = None
        self._bytes = 0
        # Hits not yet written back: key -> when.
        self._touched: dict[str, float] = {}
        self._memory = _Memory(memory_entries, memory_bytes)
        # The write count and database the memory is in step with.
        self._writes_seen = _Writes.count
        self._memory_of: object = self._db.obj

    @staticmethod
    def make_key(provider: str, endpoint: str, params: Mapping[str, Any] | None = None) -> str:
        """A stable key for one request: parameter order, spacing and the case of search text
        do not matter; secret parameters (api_key, token …) are left out."""
        path, _, query = endpoint.strip().partition("?")
        pairs = [*parse_qsl(query, keep_blank_values=True), *(params or {}).items()] if query else \
            (params or {}).items()
        normalised = []
        for name, value in pairs:
            if value is None:
                continue
            try:
                pair = _pair(name, value)
            except TypeError:  # a value that cannot be a cache key itself (a list)
                pair = _pair.__wrapped__(name, value)
            if pair is not None:
                normalised.append(pair)
        normalised.sort()  # by name, then value: the encoded pair follows from them
        provider = provider.strip().lower()
        encoded = "&".join([pair[2] for pair in normalised])  # = urlencode() of the sorted pairs
        canonical = f"{provider}\n{path}\n{encoded}"
        return f"{provider}:{hashlib.sha256(canonical.encode()).hexdigest()[:40]}"

    def recall(self, key: str) -> CacheHit | None:
        """The answer if memory holds it and it has not expired, else None (ask ``get``). No
        I/O: safe on the event loop. A hit counts and is marked as used like one from ``get``;
        the marks are written by a later ``get``, ``put`` or ``flush`` (see ``flush_due``)."""
        now = self._clock()
        with self._quick:
            self._check_memory()
            kept = self._memory.find(key)
            if kept is None:
                return None
            if kept[_EXPIRES_AT] <= now:
                self._memory.drop(key)
                return None
            self._hits += 1
            self._touched[key] = now
        return _hit(kept)

    def flush_due(self) -> bool:
        """Whether enough last-used marks wait for ``flush`` to be worth a write."""
        return len(self._touched) >= TOUCH_BATCH

    def get(self, key: str) -> CacheHit | None:
        """The cached answer, or None when absent or expired. Marks the entry as used."""
        remembered = self.recall(key)
        if remembered is not None:
            if self.flush_due():
                self._write_touches_softly()
            return remembered
        now = self._clock()
        writes = _Writes.count
        with mapped_errors():
            row = self._db.execute_sql(_SELECT, (key,)).fetchone()
        with self._quick:
            if row is None or row[3] <= now:
                self._misses += 1
                return None
            self._hits += 1
            self._touched[key] = now
            due = len(self._touched) >= TOUCH_BATCH
            found, payload, fetched_at, expires_at = row
            kept = _kept(key, found, payload, fetched_at, expires_at)
            if kept is not None and writes == _Writes.count:  # nothing written since the read
                self._check_memory()
                self._memory.keep(key, kept)
        if due:
            self._write_touches_softly()
        return CacheHit(found=bool(found), payload=None if payload is None else json.loads(payload),
                        fetched_at=fetched_at)

    def preload(self, provider: str) -> int:
        """Read ``provider``'s live answers into memory, the most recently used first, while
        memory has room for them (one query: call it off the event loop). Returns how many."""
        writes = _Writes.count
        with self._quick:
            self._check_memory()
            entries_room, bytes_room = self._memory.room()
        answers: list[tuple[str, _Kept]] = []
        size = 0
        with mapped_errors():
            rows = self._db.execute_sql(_RECENT, (provider.strip().lower(), self._clock()))
            try:
                for key, found, payload, fetched_at, expires_at in rows:
                    kept = _kept(key, found, payload, fetched_at, expires_at)
                    if kept is None:
                        continue
                    if len(answers) >= entries_room or size + kept[_SIZE] > bytes_room:
                        break
                    answers.append((key, kept))
                    size += kept[_SIZE]
            finally:
                rows.close()  # ends the read at once, even when memory filled up before the last row
        with self._quick:
            if writes != _Writes.count:  # the cache changed while it was read: keep nothing
                return 0
            self._check_memory()
            added = self._memory.keep_older(answers)
        log.debug("cache: %d %s answers read into memory", added, provider)
        return added

    def flush(self) -> None:
        """Write the pending "last used" marks now (e.g. when a run ends)."""
        with self._quick:
            touched, self._touched = self._touched, {}
        if not touched:
            return
        try:
            with mapped_errors(), self._db.atomic("IMMEDIATE"):
                self._db.cursor().executemany(_TOUCH, [(when, key) for key, when in touched.items()])
        except StoreError:
            with self._quick:
                self._touched = {**touched, **self._touched}
            raise

    def put(self, key: str, provider: str, payload: Any, *, found: bool = True,
            ttl: float | None = None) -> None:
        """Store an answer (``found``) or a "nothing found" for ``ttl`` seconds (default by kind)."""
        text = None if payload is None else json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        size = len(key.encode()) + (len(text.encode()) if text is not None else 0)
        if size > self.max_bytes:
            log.debug("not caching a %d-byte %s answer: larger than the whole cache", size, provider)
            return
        now = self._clock()
        lifetime = ttl if ttl is not None else (FOUND_TTL if found else NOT_FOUND_TTL)
        values = {"key": key, "provider": provider.strip().lower(), "payload": text, "found": found,
                  "fetched_at": now, "expires_at": now + lifetime, "last_access": now, "size": size}
        with self._lock, mapped_errors():
            if self._entries is None:
                self._entries, self._bytes = self._totals()
            with self._db.atomic("IMMEDIATE"):
                self._write_touches()
                row = self._db.execute_sql("SELECT size FROM cache_entry WHERE key = ?", (key,)).fetchone()
                previous = row[0] if row else None
                self._db.execute_sql(_UPSERT, tuple(values.values()))
            self._entries += 1 if previous is None else 0
            self._bytes += size - (previous or 0)
            kept = _kept(key, found, text, now, now + lifetime)
            with self._quick:
                self._note_write()
                if kept is None:
                    self._memory.drop(key)
                else:
                    self._memory.keep(key, kept)
            if self._entries > self.max_entries or self._bytes > self.max_bytes:
                self._evict()

    def stats(self) -> CacheStats:
        self.flush()
        with mapped_errors():
            rows = (CacheEntry
                    .select(CacheEntry.provider, peewee.fn.COUNT(CacheEntry.id), peewee.fn.SUM(CacheEntry.size))
                    .group_by(CacheEntry.provider)
                    .tuples())
            by_provider = {provider: (count, total) for provider, count, total in rows}
        with self._quick:
            return CacheStats(
                hits=self._hits,
                misses=self._misses,
                entries=sum(count for count, _ in by_provider.values()),
                bytes=sum(total for _, total in by_provider.values()),
                entries_by_provider={provider: count for provider, (count, _) in by_provider.items()},
            )

    def purge_expired(self) -> int:
        """Delete expired entries; returns how many."""
        now = self._clock()
        with self._lock, mapped_errors():
            removed = CacheEntry.delete().where(CacheEntry.expires_at <= now).execute()
            self._entries = None
            with self._quick:
                self._note_write()
                self._memory.clear()  # what it held is either expired or still in SQLite: reread
        return removed

    def clear(self, provider: str | None = None) -> int:
        """Delete every entry, or those of one provider; returns how many."""
        query = CacheEntry.delete()
        if provider is not None:
            query = query.where(CacheEntry.provider == provider.strip().lower())
        with self._lock, mapped_errors():
            removed = query.execute()
            self._entries = None
            with self._quick:
                self._note_write()
                self._memory.clear()
        return removed

    def _evict(self) -> None:
        """Drop expired entries, then the least recently used, down to LOW_WATER of the caps."""
        with self._db.atomic("IMMEDIATE"):
            self._write_touches()
            CacheEntry.delete().where(CacheEntry.expires_at <= self._clock()).execute()
            entries, total = self._totals()
            excess_entries = entries - int(self.max_entries * LOW_WATER)
            excess_bytes = total - int(self.max_bytes * LOW_WATER)
            victims: list[int] = []
            victim_keys: list[str] = []
            freed = 0
            oldest_first = (CacheEntry.select(CacheEntry.id, CacheEntry.key, CacheEntry.size)
                            .order_by(CacheEntry.last_access, CacheEntry.id).tuples())
            for entry_id, key, size in oldest_first.iterator():
                if len(victims) >= excess_entries and freed >= excess_bytes:
                    break
                victims.append(entry_id)
                victim_keys.append(key)
                freed += size
            for start in range(0, len(victims), _DELETE_CHUNK):
                chunk = victims[start:start + _DELETE_CHUNK]
                CacheEntry.delete().where(CacheEntry.id.in_(chunk)).execute()
            self._entries, self._bytes = self._totals()
            with self._quick:
                self._note_write()
                for key in victim_keys:
                    self._memory.drop(key)
        log.debug("cache eviction removed %d entries (%d bytes)", len(victims), freed)

    def _write_touches(self) -> None:
        """Write the pending "last used" marks; the caller holds the lock and a transaction."""
        with self._quick:
            touched, self._touched = self._touched, {}
        if touched:
            self._db.cursor().executemany(_TOUCH, [(when, key) for key, when in touched.items()])

    def _note_write(self) -> None:
        """Count a change this object made to the cache; memory is still in step only when no
        other object made one since it last looked. The caller holds ``_quick``."""
        with _Writes.lock:
            self._check_memory()
            _Writes.count += 1
            self._writes_seen = _Writes.count

    def _check_memory(self) -> None:
        """Empty the memory when another object wrote to the cache, or the database is another
        one, since it was filled. The caller holds ``_quick``."""
        if self._writes_seen != _Writes.count or self._memory_of is not self._db.obj:
            self._memory.clear()
            self._writes_seen = _Writes.count
            self._memory_of = self._db.obj

    def _write_touches_softly(self) -> None:
        """``flush`` from a read, which must still return its hit: a database that cannot be
        written now only delays the marks (they are kept for the next try)."""
        try:
            self.flush()
        except StoreError as err:
            log.debug("cache: last-used marks not written yet (%s)", type(err).__name__)

    @staticmethod
    def _totals() -> tuple[int, int]:
        count, total = CacheEntry.select(peewee.fn.COUNT(CacheEntry.id),
                                         peewee.fn.COALESCE(peewee.fn.SUM(CacheEntry.size), 0)).scalar(as_tuple=True)
        return int(count), int(total)


@functools.lru_cache(maxsize=256)
def _is_secret(name: str) -> bool:
    return name.strip().lower().replace("-", "_") in _SECRET_PARAMS


@functools.lru_cache(maxsize=256)
def _is_search(name: str) -> bool:
    return name.strip().lower() in _SEARCH_PARAMS


@functools.lru_cache(maxsize=4096, typed=True)
def _pair(name: str, value: Any) -> tuple[str, str, str] | None:
    """One parameter of a key: its name, normalised value and both URL-encoded ("name=value");
    None for a secret. Most parameters repeat from request to request, hence the memo."""
    if _is_secret(name):
        return None
    name = name.strip()
    normalised = _normalise_value(name, value)
    return name, normalised, f"{_quote(name)}={_quote(normalised)}"


def _quote(text: str) -> str:
    """``quote_plus(text)``, without its cost when nothing needs quoting (most values)."""
    return text if _UNRESERVED.fullmatch(text) else quote_plus(text)


def _normalise_value(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(_normalise_value(name, item) for item in value)
    text = str(value).strip()
    if _is_search(name):
        return " ".join(text.split()).casefold()
    return text
