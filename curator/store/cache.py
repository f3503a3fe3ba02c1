"""A persistent cache of provider answers, with expiry and least-recently-used eviction.

Keys come from ``ProviderCache.make_key``: normalised, hashed, and never derived from a
parameter that carries a secret. Both answers and "nothing found" are cached, for different
times.

A hit is one indexed read; marking the entry as used is deferred and written for many hits in
one transaction (at the next ``put``, eviction, ``stats``, ``flush``, or every
``TOUCH_BATCH`` hits), so a warm run does not write once per answer. A crash can lose the
last few of those marks: eviction order is a little less exact, nothing else.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import threading
import time
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

_SELECT = "SELECT found, payload, fetched_at, expires_at FROM cache_entry WHERE key = ?"
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


@dataclass(frozen=True, slots=True)
class CacheStats:
    hits: int
    misses: int
    entries: int
    bytes: int
    entries_by_provider: dict[str, int] = field(default_factory=dict)


class ProviderCache:
    """Provider answers in SQLite. Safe to share between threads."""

    def __init__(self, db: peewee.Database | None = None, *, max_entries: int = 200_000,
                 max_bytes: int = 256 * 1024 * 1024, clock: Callable[[], float] = time.time) -> None:
        self._db = bound_database(db)
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._clock = clock
        self._lock = threading.Lock()
        self._hits = 0
        self._misses = 0
        # Running totals, loaded on first put and re-read at every eviction.
        self._entries: int | None = None
        self._bytes = 0
        # Hits not yet written back: key -> when.
        self._touched: dict[str, float] = {}

    @staticmethod
    def make_key(provider: str, endpoint: str, params: Mapping[str, Any] | None = None) -> str:
        """A stable key for one request: parameter order, spacing and the case of search text
        do not matter; secret parameters (api_key, token …) are left out."""
        path, _, query = endpoint.strip().partition("?")
        pairs = [*parse_qsl(query, keep_blank_values=True), *(params or {}).items()] if query else \
            (params or {}).items()
        normalised = sorted(
            (name.strip(), _normalise_value(name, value))
            for name, value in pairs
            if value is not None and not _is_secret(name)
        )
        provider = provider.strip().lower()
        encoded = "&".join(f"{_quote(name)}={_quote(value)}" for name, value in normalised)  # = urlencode()
        canonical = f"{provider}\n{path}\n{encoded}"
        return f"{provider}:{hashlib.sha256(canonical.encode()).hexdigest()[:40]}"

    def get(self, key: str) -> CacheHit | None:
        """The cached answer, or None when absent or expired. Marks the entry as used."""
        now = self._clock()
        with mapped_errors():
            row = self._db.execute_sql(_SELECT, (key,)).fetchone()
        with self._lock:
            if row is None or row[3] <= now:
                self._misses += 1
                return None
            self._hits += 1
            self._touched[key] = now
            due = len(self._touched) >= TOUCH_BATCH
        if due:
            self._write_touches_softly()
        found, payload, fetched_at, _ = row
        return CacheHit(found=bool(found), payload=None if payload is None else json.loads(payload),
                        fetched_at=fetched_at)

    def flush(self) -> None:
        """Write the pending "last used" marks now (e.g. when a run ends)."""
        with self._lock:
            touched, self._touched = self._touched, {}
        if not touched:
            return
        try:
            with mapped_errors(), self._db.atomic("IMMEDIATE"):
                self._db.cursor().executemany(_TOUCH, [(when, key) for key, when in touched.items()])
        except StoreError:
            with self._lock:
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
        with self._lock:
            return CacheStats(
                hits=self._hits,
                misses=self._misses,
                entries=sum(count for count, _ in by_provider.values()),
                bytes=sum(total for _, total in by_provider.values()),
                entries_by_provider={provider: count for provider, (count, _) in by_provider.items()},
            )

    def purge_expired(self) -> int:
        """Delete expired entries; returns how many."""
        with self._lock, mapped_errors():
            removed = CacheEntry.delete().where(CacheEntry.expires_at <= self._clock()).execute()
            self._entries = None
        return removed

    def clear(self, provider: str | None = None) -> int:
        """Delete every entry, or those of one provider; returns how many."""
        query = CacheEntry.delete()
        if provider is not None:
            query = query.where(CacheEntry.provider == provider.strip().lower())
        with self._lock, mapped_errors():
            removed = query.execute()
            self._entries = None
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
            freed = 0
            oldest_first = (CacheEntry.select(CacheEntry.id, CacheEntry.size)
                            .order_by(CacheEntry.last_access, CacheEntry.id).tuples())
            for entry_id, size in oldest_first.iterator():
                if len(victims) >= excess_entries and freed >= excess_bytes:
                    break
                victims.append(entry_id)
                freed += size
            for start in range(0, len(victims), _DELETE_CHUNK):
                chunk = victims[start:start + _DELETE_CHUNK]
                CacheEntry.delete().where(CacheEntry.id.in_(chunk)).execute()
            self._entries, self._bytes = self._totals()
        log.debug("cache eviction removed %d entries (%d bytes)", len(victims), freed)

    def _write_touches(self) -> None:
        """Write the pending "last used" marks; the caller holds the lock and a transaction."""
        if self._touched:
            self._db.cursor().executemany(_TOUCH, [(when, key) for key, when in self._touched.items()])
            self._touched = {}

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
