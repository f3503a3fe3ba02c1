"""A library run writes its decisions in batches: few transactions, nothing counted as done
before it is committed, and what is finished is kept when the run is stopped or cancelled."""

from __future__ import annotations

import asyncio
import math

import pytest

from curator.domain.errors import DatabaseLocked, ServerError
from curator.domain.models import Candidate, DecisionStatus, LibraryItem, MediaKind
from curator.providers.chain import ProviderChain
from curator.services.matching import MatchingService, MatchProgress, MatchSettings
from curator.store.db import close_database, open_database
from curator.store.decisions import DecisionStore

MOVIE = MediaKind.MOVIE
SERVER = "srv"


class TitleProvider:
    """Finds one complete film per title; ``gate`` (when set) holds searches for titles in ``held``."""

    name = "tmdb"
    kinds = frozenset({MOVIE})

    def __init__(self, held: frozenset[str] = frozenset()) -> None:
        self.held = held
        self.gate = asyncio.Event()
        self.searched: list[str] = []

    async def search(self, title, year, kind, language):
        if title in self.held:
            await self.gate.wait()
        self.searched.append(title)
        return [Candidate("tmdb", str(len(title)), MOVIE, title, year, summary=f"About {title}.",
                          summary_language="en", poster_url="http://127.0.0.1/p.png")]

    async def lookup(self, ids, kind, language):
        return None

    async def details(self, candidate, language):
        return candidate

    async def episode_summaries(self, candidate, language):
        return {}


class CountingStore(DecisionStore):
    """The real store, counting bulk writes (each is one transaction)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.bulk_writes: list[int] = []

    def save_proposals(self, server, rows):
        self.bulk_writes.append(len(rows))
        return super().save_proposals(server, rows)


def films(count: int) -> list[LibraryItem]:
    return [LibraryItem(str(1000 + n), MOVIE, f"Film Number {n}", year=1990 + n % 30) for n in range(count)]


def service(provider, store, **kwargs) -> MatchingService:
    chain = ProviderChain({"tmdb": provider}, {MOVIE: ("tmdb",)})
    return MatchingService(chain, store, SERVER, MatchSettings(concurrency=4), **kwargs)


def stored(store: DecisionStore) -> int:
    return sum(store.counts(SERVER).values())


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "curator.sqlite3")
    yield database
    close_database()


@pytest.fixture
def store(db):
    return CountingStore(db)


@pytest.mark.asyncio
async def test_a_run_writes_in_batches_and_counts_an_item_only_once_committed(store):
    seen: list[tuple[int, int]] = []

    def progress(p: MatchProgress) -> None:
        seen.append((p.done, stored(store)))

    saved = []
    matching = service(TitleProvider(), store, batch_items=50, batch_seconds=60, on_saved=saved.append)
    report = await matching.match_items(films(230), total=230, progress=progress)

    assert report.matched == 230 and report.counts == {"auto": 230}
    assert stored(store) == 230
    # One transaction per batch: at most one per 50 items (a write takes everything waiting).
    assert 1 < len(store.bulk_writes) <= math.ceil(230 / 50) and max(store.bulk_writes) <= 4 * 50
    assert seen and all(done <= in_database for done, in_database in seen)
    assert seen[-1][0] == 230
    assert sorted(r.rating_key for r in saved) == sorted(i.rating_key for i in films(230))
    assert all(r.status is DecisionStatus.AUTO and r.proposed_summary for r in saved)


@pytest.mark.asyncio
async def test_a_slow_run_still_commits_every_fraction_of_a_second(store):
    provider = TitleProvider(held=frozenset({"Film Number 5"}))
    matching = service(provider, store, batch_items=1000, batch_seconds=0.05)
    run = asyncio.create_task(matching.match_items(films(6), total=6))
    for _ in range(200):
        if stored(store) == 5:
            break
        await asyncio.sleep(0.01)
    assert stored(store) == 5  # written by the timer, not by a full batch
    provider.gate.set()
    assert (await run).matched == 6


@pytest.mark.asyncio
async def test_a_cancelled_run_keeps_every_finished_item(store):
    provider = TitleProvider(held=frozenset({f"Film Number {n}" for n in range(20, 40)}))
    matching = service(provider, store, batch_items=1000, batch_seconds=60)
    run = asyncio.create_task(matching.match_items(films(40), total=40))
    for _ in range(200):
        if len(provider.searched) == 20:
            break
        await asyncio.sleep(0.01)
    assert stored(store) == 0  # nothing due yet
    run.cancel()
    with pytest.raises(asyncio.CancelledError):
        await run
    assert stored(store) == 20


@pytest.mark.asyncio
async def test_a_stopped_run_saves_what_is_in_flight(store):
    stop = asyncio.Event()

    def progress(p: MatchProgress) -> None:
        if p.done >= 10:
            stop.set()

    matching = service(TitleProvider(), store, batch_items=10, batch_seconds=60)
    report = await matching.match_items(films(100), total=100, progress=progress, stop=stop)
    assert report.cancelled and 10 <= report.matched < 100
    assert stored(store) == report.matched


class LockedStore(DecisionStore):
    def save_proposals(self, server, rows):
        raise DatabaseLocked("Curator's database is locked by another program.")


@pytest.mark.asyncio
async def test_a_store_failure_stops_the_run_with_its_own_error(db):
    matching = service(TitleProvider(), LockedStore(db), batch_items=5)
    with pytest.raises(DatabaseLocked):
        await matching.match_items(films(20), total=20)


@pytest.mark.asyncio
async def test_a_listing_failure_reaches_the_caller_as_itself(store):
    async def listing():
        for item in films(3):
            yield item
        raise ServerError("Plex", "answered 500 while listing the library")

    with pytest.raises(ServerError):
        await service(TitleProvider(), store).match_items(listing())
    assert stored(store) == 3  # what was matched before the failure is kept
