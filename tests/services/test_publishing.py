"""Push, read-back, recovery and revert against the fake Plex, journalled in a real SQLite file."""

from __future__ import annotations

import pytest
import pytest_asyncio

from curator.demo.plex_server import FakePlexServer
from curator.domain.models import DecisionStatus, MediaKind, PushState
from curator.net.http import create_client
from curator.plex.client import PlexClient
from curator.services.publishing import Publisher, PushRequest
from curator.store import db as store_db
from curator.store.decisions import DecisionStore
from curator.store.journal import PushJournal

SERVER = "machine-1"


async def run_inline(call, *args):
    return call(*args)


@pytest.fixture
def fake_plex():
    with FakePlexServer() as server:
        yield server


@pytest.fixture
def database(tmp_path):
    db = store_db.open_database(tmp_path / "curator.sqlite3")
    yield db
    store_db.close_database()


@pytest_asyncio.fixture
async def publisher(fake_plex, database):
    async with create_client() as http:
        client = PlexClient(http, fake_plex.url, fake_plex.token, client_identifier="test")
        yield Publisher(client, SERVER, PushJournal(database), DecisionStore(database), run_sync=run_inline)


async def first_movie(publisher):
    page = await publisher.client.fetch_page("1", MediaKind.MOVIE, 0, 5)
    return page.items[0]


@pytest.mark.asyncio
async def test_push_records_previous_state_writes_locked_and_reads_back(publisher, fake_plex):
    item = await first_movie(publisher)
    previous = fake_plex.summary(item.rating_key)
    publisher.decisions.save_proposal(SERVER, item.rating_key, kind=MediaKind.MOVIE, title=item.title,
                                      status=DecisionStatus.ACCEPTED)
    outcome = await publisher.push(PushRequest(item.rating_key, "Een nieuwe samenvatting."))
    assert outcome.ok, outcome.message
    assert fake_plex.summary(item.rating_key) == "Een nieuwe samenvatting."
    assert "summary" in fake_plex.locked_fields(item.rating_key)
    entry = publisher.journal.get(outcome.journal_id)
    assert entry.state is PushState.DONE
    assert entry.previous_summary == previous and entry.previous_locked is False
    assert publisher.decisions.get(SERVER, item.rating_key).status is DecisionStatus.PUSHED
    assert fake_plex.put_count(item.rating_key) == 1


@pytest.mark.asyncio
async def test_same_push_twice_sends_one_put(publisher, fake_plex):
    item = await first_movie(publisher)
    await publisher.push(PushRequest(item.rating_key, "Once."))
    again = await publisher.push(PushRequest(item.rating_key, "Once."))
    assert again.ok and again.skipped
    assert fake_plex.put_count(item.rating_key) == 1


@pytest.mark.asyncio
async def test_revert_restores_summary_and_lock_state(publisher, fake_plex):
    item = await first_movie(publisher)
    previous = fake_plex.summary(item.rating_key)
    await publisher.push(PushRequest(item.rating_key, "Temporary."))
    [entry] = await publisher.revertible()
    outcome = await publisher.revert(entry)
    assert outcome.ok, outcome.message
    assert fake_plex.summary(item.rating_key) == previous
    assert "summary" not in fake_plex.locked_fields(item.rating_key)
    assert publisher.journal.get(entry.id).state is PushState.REVERTED
    assert await publisher.revertible() == []


@pytest.mark.asyncio
async def test_connection_dropped_after_the_write_is_recovered_as_done(publisher, fake_plex):
    item = await first_movie(publisher)
    fake_plex.drop_next(1, method="PUT", moment="after")
    outcome = await publisher.push(PushRequest(item.rating_key, "Landed despite the drop."))
    entry = publisher.journal.get(outcome.journal_id)
    # The write reached Plex; reading back settles the record as done, and nothing is re-sent.
    assert entry.state is PushState.DONE
    assert fake_plex.summary(item.rating_key) == "Landed despite the drop."
    assert fake_plex.put_count(item.rating_key) == 1


@pytest.mark.asyncio
async def test_connection_dropped_before_the_write_fails_cleanly(publisher, fake_plex):
    item = await first_movie(publisher)
    previous = fake_plex.summary(item.rating_key)
    fake_plex.drop_next(1, method="PUT", moment="before")
    outcome = await publisher.push(PushRequest(item.rating_key, "Never arrived."))
    assert not outcome.ok
    assert publisher.journal.get(outcome.journal_id).state is PushState.FAILED
    assert fake_plex.summary(item.rating_key) == previous


@pytest.mark.asyncio
async def test_unfinished_records_are_settled_by_reading_plex(publisher, fake_plex):
    item = await first_movie(publisher)
    # A crash after the intent but before the write, and one after the write.
    lost = publisher.journal.record_intent(SERVER, item.rating_key, item.section_key, item.kind,
                                           item.summary, False, "Never written.")
    assert await publisher.recover() == 1
    assert publisher.journal.get(lost).state is PushState.FAILED
    written = publisher.journal.record_intent(SERVER, item.rating_key, item.section_key, item.kind,
                                              item.summary, False, "Written before the crash.")
    await publisher.client.edit_summary(item, "Written before the crash.")
    assert await publisher.recover() == 1
    assert publisher.journal.get(written).state is PushState.DONE


@pytest.mark.asyncio
async def test_empty_or_html_summary_is_sanitised_or_refused(publisher, fake_plex):
    item = await first_movie(publisher)
    refused = await publisher.push(PushRequest(item.rating_key, "<p>  </p>"))
    assert not refused.ok and fake_plex.put_count(item.rating_key) == 0
    cleaned = await publisher.push(PushRequest(item.rating_key, "<p><b>Bold</b> &amp; <script>x()</script>plain</p>"))
    assert cleaned.ok
    assert "<" not in fake_plex.summary(item.rating_key)
