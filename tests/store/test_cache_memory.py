"""The cache's memory layer: answers read or written are kept in memory (bounded) and given by
``recall`` with no SQLite read; expiry, hit counts, last-used marks, eviction and clearing work
as they do in SQLite."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from curator.store.cache import MEMORY_MAX_ANSWER, TOUCH_BATCH, ProviderCache
from curator.store.models import CacheEntry


@contextmanager
def no_sqlite(db) -> Iterator[None]:
    """Fail any SQL the block sends through the store's database."""

    def refuse(*args, **kwargs):
        raise AssertionError(f"SQLite was used: {args[:1]}")

    real = db.execute_sql
    db.execute_sql = refuse
    try:
        yield
    finally:
        db.execute_sql = real


def last_access(key: str) -> float:
    return CacheEntry.get(CacheEntry.key == key).last_access


# --- recall ------------------------------------------------------------------------------


def test_an_answer_written_is_recalled_without_sqlite(db, clock):
    cache = ProviderCache(db, clock=clock)
    cache.put("found", "tmdb", {"title": "Alien"})
    cache.put("none", "tmdb", None, found=False)
    with no_sqlite(db):
        found, none = cache.recall("found"), cache.recall("none")
        assert cache.get("found").payload == {"title": "Alien"}  # get asks memory first
    assert found.found and found.payload == {"title": "Alien"} and found.fetched_at == clock.now
    assert not none.found and none.payload is None


def test_an_answer_read_once_is_recalled_without_sqlite(db, clock):
    ProviderCache(db, clock=clock).put("k", "tmdb", {"n": 1})
    cache = ProviderCache(db, clock=clock)  # a new run: nothing in memory yet
    assert cache.recall("k") is None
    assert cache.get("k").payload == {"n": 1}
    with no_sqlite(db):
        assert cache.recall("k").payload == {"n": 1}


def test_each_recall_gives_a_fresh_payload(db, clock):
    cache = ProviderCache(db, clock=clock)
    cache.put("k", "tmdb", {"titles": ["a"]})
    cache.recall("k").payload["titles"].append("changed by a caller")
    assert cache.recall("k").payload == {"titles": ["a"]}


def test_expired_answers_are_not_recalled(db, clock):
    cache = ProviderCache(db, clock=clock)
    cache.put("short", "tmdb", {"a": 1}, ttl=60)
    cache.put("none", "tmdb", None, found=False)
    clock.advance(59)
    assert cache.recall("short") is not None
    clock.advance(1)
    assert cache.recall("short") is None and cache.get("short") is None
    clock.advance(7 * 86_400)
    assert cache.recall("none") is None and cache.get("none") is None


def test_hits_and_misses_count_as_from_sqlite(db, clock):
    cache = ProviderCache(db, clock=clock)
    cache.put("a", "tmdb", {"a": 1}, ttl=10)
    assert cache.recall("a") is not None          # a hit
    assert cache.get("a") is not None             # a hit (from memory)
    assert cache.recall("absent") is None         # not counted: the caller asks get next
    assert cache.get("absent") is None            # a miss
    clock.advance(10)
    assert cache.recall("a") is None and cache.get("a") is None  # one miss
    stats = cache.stats()
    assert (stats.hits, stats.misses) == (2, 2)


def test_recalled_answers_are_marked_used(db, clock):
    cache = ProviderCache(db, clock=clock)
    keys = [f"k{n}" for n in range(TOUCH_BATCH)]
    for key in keys:
        cache.put(key, "tmdb", {})
    stored_at = clock.now
    clock.advance(30)
    for key in keys[:-1]:
        cache.recall(key)
    assert not cache.flush_due()
    cache.recall(keys[-1])
    assert cache.flush_due()
    assert last_access(keys[0]) == stored_at  # recall writes nothing itself
    cache.flush()
    assert {last_access(key) for key in keys} == {stored_at + 30}
    assert not cache.flush_due()


def test_recall_does_not_wait_for_a_write_in_progress(db, clock):
    """The event loop calls recall: a put holding the database must not hold it up."""
    cache = ProviderCache(db, clock=clock)
    cache.put("k", "tmdb", {"n": 1})
    inside, release = threading.Event(), threading.Event()
    real = db.execute_sql

    def slow_write(sql, *args, **kwargs):
        if sql.startswith("INSERT INTO cache_entry"):
            inside.set()
            release.wait(10)
        return real(sql, *args, **kwargs)

    db.execute_sql = slow_write
    writer = threading.Thread(target=cache.put, args=("other", "tmdb", {"n": 2}))
    writer.start()
    try:
        assert inside.wait(10)
        answered = []
        reader = threading.Thread(target=lambda: answered.append(cache.recall("k")))
        reader.start()
        reader.join(2)
        assert answered and answered[0].payload == {"n": 1}
    finally:
        release.set()
        writer.join(10)
        db.execute_sql = real


# --- bounds ------------------------------------------------------------------------------


def test_memory_keeps_at_most_its_entry_cap(db, clock):
    cache = ProviderCache(db, memory_entries=3, clock=clock)
    for key in "abcde":
        cache.put(key, "tmdb", {"k": key})
    with no_sqlite(db):
        assert [key for key in "abcde" if cache.recall(key)] == ["c", "d", "e"]
    assert cache.get("a").payload == {"k": "a"}  # still in SQLite


def test_memory_keeps_the_most_recently_used(db, clock):
    cache = ProviderCache(db, memory_entries=2, clock=clock)
    cache.put("a", "tmdb", {})
    cache.put("b", "tmdb", {})
    cache.recall("a")
    cache.put("c", "tmdb", {})
    assert [key for key in "abc" if cache.recall(key)] == ["a", "c"]


def test_memory_keeps_at_most_its_byte_cap(db, clock):
    cache = ProviderCache(db, memory_bytes=20_000, clock=clock)
    for number in range(40):
        cache.put(f"k{number}", "tmdb", {"blob": "x" * 1000})
    held = [number for number in range(40) if cache.recall(f"k{number}")]
    assert 5 <= len(held) < 20 and held[-1] == 39


def test_large_answers_are_not_kept_in_memory(db, clock):
    cache = ProviderCache(db, clock=clock)
    cache.put("big", "tmdb", {"blob": "x" * MEMORY_MAX_ANSWER})
    assert cache.recall("big") is None
    assert cache.get("big").payload == {"blob": "x" * MEMORY_MAX_ANSWER}
    assert cache.recall("big") is None


# --- following the database ----------------------------------------------------------------


def test_an_evicted_answer_is_not_recalled(db, clock):
    cache = ProviderCache(db, max_entries=3, clock=clock)
    for key in "abc":
        cache.put(key, "tmdb", {"k": key})
        clock.advance(1)
    cache.put("d", "tmdb", {"k": "d"})  # evicts down to 2: a and b go
    assert [key for key in "abcd" if cache.recall(key)] == ["c", "d"]


def test_cleared_and_purged_answers_are_not_recalled(db, clock):
    cache = ProviderCache(db, clock=clock)
    cache.put("old", "tmdb", {}, ttl=10)
    cache.put("kept", "tmdb", {})
    cache.put("other", "tvdb", {})
    clock.advance(11)
    cache.purge_expired()
    assert cache.recall("old") is None
    cache.clear("tvdb")
    assert cache.recall("other") is None and cache.get("other") is None
    assert cache.get("kept") is not None
    cache.clear()
    assert cache.recall("kept") is None and cache.get("kept") is None


def test_a_write_by_another_cache_object_is_seen(db, clock):
    first, second = ProviderCache(db, clock=clock), ProviderCache(db, clock=clock)
    first.put("k", "tmdb", {"v": 1})
    second.put("k", "tmdb", {"v": 2})
    assert first.recall("k") is None  # its memory may be stale: it asks SQLite
    assert first.get("k").payload == {"v": 2}
    second.clear()
    assert first.recall("k") is None and first.get("k") is None


# --- preload -----------------------------------------------------------------------------


def test_preload_reads_one_providers_live_answers(db, clock):
    writer = ProviderCache(db, clock=clock)
    writer.put("t1", "tmdb", {"n": 1})
    writer.put("t2", "TMDB", None, found=False)
    writer.put("gone", "tmdb", {"n": 0}, ttl=5)
    writer.put("v1", "tvdb", {"n": 2})
    clock.advance(5)
    cache = ProviderCache(db, clock=clock)
    assert cache.preload("tmdb") == 2
    with no_sqlite(db):
        assert cache.recall("t1").payload == {"n": 1}
        assert not cache.recall("t2").found
        assert cache.recall("gone") is None and cache.recall("v1") is None


def test_preload_takes_the_most_recently_used_first_and_fills_only_the_room(db, clock):
    writer = ProviderCache(db, clock=clock)
    for key in "abcd":
        writer.put(key, "tmdb", {"k": key})
        clock.advance(1)
    writer.get("a")
    writer.flush()  # a is now the most recently used
    cache = ProviderCache(db, memory_entries=3, clock=clock)
    cache.get("b")  # read this run: stays in memory
    assert cache.preload("tmdb") == 2
    with no_sqlite(db):
        assert [key for key in "abcd" if cache.recall(key)] == ["a", "b", "d"]


def test_preload_keeps_what_this_run_wrote(db, clock):
    ProviderCache(db, clock=clock).put("k", "tmdb", {"v": "old"})
    cache = ProviderCache(db, clock=clock)
    cache.put("k", "tmdb", {"v": "new"})
    cache.preload("tmdb")
    assert cache.recall("k").payload == {"v": "new"}


@pytest.mark.parametrize("change", ["put", "clear"])
def test_preload_keeps_nothing_when_the_cache_changed_while_it_read(db, clock, change):
    writer = ProviderCache(db, clock=clock)
    writer.put("k", "tmdb", {"v": 1})
    cache = ProviderCache(db, clock=clock)
    real = db.execute_sql

    def change_during_read(sql, *args, **kwargs):
        cursor = real(sql, *args, **kwargs)
        if sql.startswith("SELECT key, found"):
            writer.put("k", "tmdb", {"v": 2}) if change == "put" else writer.clear()
        return cursor

    db.execute_sql = change_during_read
    try:
        assert cache.preload("tmdb") == 0
    finally:
        db.execute_sql = real
    assert cache.recall("k") is None
