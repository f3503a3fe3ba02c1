"""The gateway and the cache's memory: an answer the cache holds in memory is given on the event
loop with no thread hop; the first answer it does not hold starts one background preload; the
last-used marks of answers from memory are written in the background."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from curator.domain.errors import DatabaseLocked
from curator.net.gateway import ProviderGateway
from curator.net.http import create_client
from curator.net.ratelimit import RateLimiter
from curator.net.resilience import CircuitBreaker
from curator.store.cache import TOUCH_BATCH, ProviderCache
from curator.store.db import close_database, open_database
from curator.store.models import CacheEntry

BASE = "https://api.tmdb.test/3"
PARAMS = {"language": "en-US"}


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Any]:
    database = open_database(tmp_path / "data" / "curator.sqlite3")
    yield database
    close_database()


class CountingOffload:
    """A CacheOffload (to a worker thread, as in the app) that counts the calls it hops for."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def __call__(self, call: Callable[[], Any]) -> Any:
        self.calls.append(getattr(call, "func", call).__name__)
        return await asyncio.to_thread(call)


def gateway(client: httpx.AsyncClient, cache: ProviderCache, offload: CountingOffload) -> ProviderGateway:
    return ProviderGateway("tmdb", BASE, client, label="TMDB", limiter=RateLimiter(10, 1.0),
                           breaker=CircuitBreaker(), cache=cache, cache_offload=offload)


def store(cache: ProviderCache, movie_id: int) -> None:
    cache.put(cache.make_key("tmdb", f"/movie/{movie_id}", PARAMS), "tmdb", {"id": movie_id})


@pytest.mark.asyncio
async def test_an_answer_in_memory_takes_no_thread_hop(db):
    cache, offload = ProviderCache(db), CountingOffload()
    store(cache, 550)
    async with create_client() as client:
        gw = gateway(client, cache, offload)
        with respx.mock(assert_all_called=False) as router:
            route = router.get(f"{BASE}/movie/550").mock(return_value=httpx.Response(200, json={"id": 1}))
            assert await gw.get_json("/movie/550", PARAMS) == {"id": 550}
    assert offload.calls == [] and route.call_count == 0
    assert gw.stats().cache_hits == 1 and gw.stats().requests == 0


@pytest.mark.asyncio
async def test_the_first_answer_not_in_memory_starts_one_preload(db):
    earlier_run = ProviderCache(db)
    for movie_id in (1, 2, 3):
        store(earlier_run, movie_id)
    cache, offload = ProviderCache(db), CountingOffload()  # this run: memory is empty
    async with create_client() as client:
        gw = gateway(client, cache, offload)
        with respx.mock():  # no request may be sent
            assert await gw.get_json("/movie/1", PARAMS) == {"id": 1}
            await gw.finish_cache_work()
            assert sorted(offload.calls) == ["get", "preload"]
            assert await gw.get_json("/movie/2", PARAMS) == {"id": 2}
            assert await gw.get_json("/movie/3", PARAMS) == {"id": 3}
    assert sorted(offload.calls) == ["get", "preload"]  # 2 and 3 came from memory
    assert gw.stats().cache_hits == 3 and gw.stats().requests == 0


@pytest.mark.asyncio
async def test_a_miss_asks_the_service_and_the_answer_is_then_in_memory(db):
    cache, offload = ProviderCache(db), CountingOffload()
    async with create_client() as client:
        gw = gateway(client, cache, offload)
        with respx.mock() as router:
            route = router.get(f"{BASE}/movie/7").mock(return_value=httpx.Response(200, json={"id": 7}))
            assert await gw.get_json("/movie/7", PARAMS) == {"id": 7}
            await gw.finish_cache_work()
            calls = len(offload.calls)
            assert await gw.get_json("/movie/7", PARAMS) == {"id": 7}
    assert route.call_count == 1 and len(offload.calls) == calls
    assert gw.stats().cache_hits == 1


@pytest.mark.asyncio
async def test_marks_of_answers_from_memory_are_written_in_the_background(db):
    cache, offload = ProviderCache(db), CountingOffload()
    for movie_id in range(TOUCH_BATCH):
        store(cache, movie_id)
    written = {entry.key: entry.last_access for entry in CacheEntry.select()}
    async with create_client() as client:
        gw = gateway(client, cache, offload)
        with respx.mock():
            for movie_id in range(TOUCH_BATCH):
                await gw.get_json(f"/movie/{movie_id}", PARAMS)
            await gw.finish_cache_work()
    assert offload.calls == ["flush"]
    assert all(entry.last_access > written[entry.key] for entry in CacheEntry.select())


@pytest.mark.asyncio
async def test_a_preload_that_fails_is_logged_and_answers_still_come(db, caplog, monkeypatch):
    earlier_run = ProviderCache(db)
    store(earlier_run, 1)
    store(earlier_run, 2)
    cache, offload = ProviderCache(db), CountingOffload()

    def locked(provider: str) -> int:
        raise DatabaseLocked("Curator's database is locked by another program.")

    monkeypatch.setattr(cache, "preload", locked)
    async with create_client() as client:
        gw = gateway(client, cache, offload)
        with respx.mock():
            assert await gw.get_json("/movie/1", PARAMS) == {"id": 1}
            await gw.finish_cache_work()
            assert await gw.get_json("/movie/2", PARAMS) == {"id": 2}
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == [
        "TMDB: response cache unreadable, asking it answer by answer (DatabaseLocked)"]
