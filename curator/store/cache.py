"""A persistent cache of provider answers, with expiry and least-recently-used eviction.

Keys come from ``ProviderCache.make_key``: normalised, hashed, and never derived from a
parameter that carries a secret. Both answers and "nothing found" are cached, for different
times.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

import peewee

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

    @staticmethod
    def make_key(provider: str, endpoint: str, params: Mapping[str, Any] | None = None) -> str:
        """A stable key for one request: parameter order, spacing and the case of search text
        do not matter; secret parameters (api_key, token …) are left out."""
        path, _, query = endpoint.strip().partition("?")
        pairs = [*parse_qsl(query, keep_blank_values=True), *(params or {}).items()]
        normalised = sorted(
            (name.strip(), _normalise_value(name, value))
            for name, value in pairs
            if value is not None and not _is_secret(name)
        )
        provider = provider.strip().lower()
        canonical = f"{provider}\n{path}\n{urlencode(normalised)}"
        return f"{provider}:{hashlib.sha256(canonical.encode()).hexdigest()[:40]}"

    def get(self, key: str) -> CacheHit | None:
        """The cached answer, or None when absent or expired. Marks the entry as used."""
        now = self._clock()
        with mapped_errors():
            entry = CacheEntry.get_or_none(CacheEntry.key == key)
            if entry is not None and entry.expires_at > now:
                CacheEntry.update(last_access=now).where(CacheEntry.id == entry.id).execute()
            else:
                entry = None
        with self._lock:
            if entry is None:
                self._misses += 1
                return None
            self._hits += 1
        payload = None if entry.payload is None else json.loads(entry.payload)
        return CacheHit(found=entry.found, payload=payload, fetched_at=entry.fetched_at)

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
                previous = CacheEntry.select(CacheEntry.size).where(CacheEntry.key == key).scalar()
                (CacheEntry.insert(**values)
                 .on_conflict(conflict_target=[CacheEntry.key],
                              preserve=[getattr(CacheEntry, name) for name in values if name != "key"])
                 .execute())
            self._entries += 1 if previous is None else 0
            self._bytes += size - (previous or 0)
            if self._entries > self.max_entries or self._bytes > self.max_bytes:
                self._evict()

    def stats(self) -> CacheStats:
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

    @staticmethod
    def _totals() -> tuple[int, int]:
        count, total = CacheEntry.select(peewee.fn.COUNT(CacheEntry.id),
                                         peewee.fn.COALESCE(peewee.fn.SUM(CacheEntry.size), 0)).scalar(as_tuple=True)
        return int(count), int(total)


def _is_secret(name: str) -> bool:
    return name.strip().lower().replace("-", "_") in _SECRET_PARAMS


def _normalise_value(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(_normalise_value(name, item) for item in value)
    text = str(value).strip()
    if name.strip().lower() in _SEARCH_PARAMS:
        return " ".join(text.split()).casefold()
    return text
