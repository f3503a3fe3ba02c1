"""Plex misbehaving while Curator reads the library and pushes summaries: every fault gives a
typed error with a message a user can act on, and leaves the journal, the decisions and Plex
agreeing with each other (issue 8)."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import httpx
import pytest

from curator.demo.loopback import Request, Response
from curator.demo.plex_server import FakePlexServer
from curator.domain.errors import AuthFailed, BadResponse, ServerError, TimedOut, Unreachable
from curator.domain.models import DecisionStatus, MediaKind, PushState
from curator.net import http as net_http
from curator.net.http import create_client
from curator.plex.client import PlexClient
from curator.services.publishing import Publisher, PushRequest
from curator.store.decisions import DecisionStore
from curator.store.journal import PushJournal

from .conftest import SERVER, accept, movie_keys, run_inline

NEW_SUMMARY = "A summary Curator pushes."


class ScriptedPlex(FakePlexServer):
    """The fake Plex, plus a hook that runs right after it has applied an edit (a PUT): the
    way to make the read-back that follows a write fail, and nothing before it."""

    def __init__(self) -> None:
        super().__init__()
        self.after_put: Callable[[FakePlexServer], None] | None = None
        self.garble_next = 0

    def handle(self, request: Request) -> Response:
        response = super().handle(request)
        if request.method == "PUT" and self.after_put is not None:
            hook, self.after_put = self.after_put, None
            hook(self)
        if request.method == "GET" and self.garble_next and response.status == 200:
            self.garble_next -= 1  # valid HTTP, half a JSON document
            return Response(200, response.body[: len(response.body) // 2], response.content_type, response.headers)
        return response


@pytest.fixture
def plex():
    with ScriptedPlex() as server:
        yield server


def assert_consistent(publisher: Publisher, plex: FakePlexServer, key: str, original: str) -> None:
    """The journal, the decision and Plex tell the same story about one item."""
    history = publisher.journal.history(SERVER, key)
    decision = publisher.decisions.get(SERVER, key)
    if not history:
        assert plex.summary(key) == original and plex.put_count(key) == 0
        return
    latest = history[0]
    assert latest.previous_summary == original
    if latest.state is PushState.DONE:
        assert plex.summary(key) == latest.new_summary and "summary" in plex.locked_fields(key)
        assert decision.status is DecisionStatus.PUSHED
        assert plex.put_count(key) == 1
    elif latest.state is PushState.FAILED:
        assert plex.summary(key) == original and plex.put_count(key) == 0
        assert decision.status is DecisionStatus.FAILED
    else:
        pytest.fail(f"journal entry left {latest.state} although Plex could be asked")


# --- reading the library -------------------------------------------------------------------


@pytest.mark.asyncio
async def test_a_500_on_a_listing_page_is_a_server_error_and_the_next_call_works(publisher, plex):
    plex.fail_next(1, 500, path_prefix="/library/sections/1/all")
    with pytest.raises(ServerError) as caught:
        await publisher.client.fetch_page("1", MediaKind.MOVIE, 0, 10)
    assert str(caught.value) == "Plex: server error (HTTP 500)"
    assert "try again later" in caught.value.user_message
    page = await publisher.client.fetch_page("1", MediaKind.MOVIE, 0, 10)
    assert len(page.items) == 10


@pytest.mark.asyncio
async def test_a_connection_dropped_mid_page_stops_the_listing_with_unreachable(publisher, plex):
    pages = []
    with pytest.raises(Unreachable) as caught:
        async for page in publisher.client.iter_pages("1", MediaKind.MOVIE, page_size=10):
            pages.append(page)
            plex.drop_next(1, path_prefix="/library/sections/1/all", moment="mid_body")
    assert len(pages) == 1
    assert "dropped before the answer was complete" in caught.value.user_message
    assert "Check that the server is running" in caught.value.user_message


@pytest.mark.asyncio
async def test_a_token_revoked_mid_listing_says_to_sign_in_again(publisher, plex):
    pages = []
    with pytest.raises(AuthFailed) as caught:
        async for page in publisher.client.iter_pages("1", MediaKind.MOVIE, page_size=10):
            pages.append(page)
            plex.revoke_token()
    assert len(pages) == 1
    assert str(caught.value) == "Plex: Plex refused the token (HTTP 401)"
    assert "Sign in with Plex again" in caught.value.user_message


@pytest.mark.asyncio
async def test_an_html_page_where_json_was_expected_is_a_bad_response(publisher, plex):
    plex.serve_html_next(1, path_prefix="/library/sections")
    with pytest.raises(BadResponse) as caught:
        await publisher.client.sections()
    assert "answered with a web page (HTML)" in str(caught.value)
    assert len(await publisher.client.sections()) == 2


@pytest.mark.asyncio
async def test_half_a_json_document_is_a_bad_response(publisher, plex):
    plex.garble_next = 1
    with pytest.raises(BadResponse) as caught:
        await publisher.client.fetch_page("1", MediaKind.MOVIE, 0, 10)
    assert "could not be read" in str(caught.value)


@pytest.mark.asyncio
async def test_a_slow_server_times_out_and_a_merely_sluggish_one_does_not(plex):
    plex.set_latency(0.5)
    async with create_client(timeout=httpx.Timeout(0.15)) as http:
        client = PlexClient(http, plex.url, plex.token, client_identifier="reliability")
        with pytest.raises(TimedOut) as caught:
            await client.sections()
    assert str(caught.value) == "Plex: did not answer in time"
    plex.set_latency(0.1)
    async with create_client(timeout=httpx.Timeout(2.0)) as http:
        client = PlexClient(http, plex.url, plex.token, client_identifier="reliability")
        assert len(await client.sections()) == 2


@pytest.mark.asyncio
async def test_a_server_name_that_does_not_resolve_says_so():
    async with create_client() as http:
        client = PlexClient(http, "http://plex-server.invalid:32400", "token-never-sent-1234",
                            client_identifier="reliability")
        with pytest.raises(Unreachable) as caught:
            await client.identity()
    assert str(caught.value) == "Plex: could not connect (the server name could not be resolved)"
    assert "token-never-sent" not in caught.value.user_message


@pytest.mark.asyncio
async def test_an_oversized_answer_is_refused(publisher, plex, monkeypatch):
    monkeypatch.setattr(net_http, "MAX_BODY_BYTES", 4096)
    with pytest.raises(BadResponse) as caught:
        await publisher.client.fetch_page("1", MediaKind.MOVIE, 0, 37)
    assert "answer too large" in str(caught.value)


@pytest.mark.asyncio
async def test_the_size_cap_stops_reading_an_endless_body(raw_server):
    """The cap is enforced while the body streams in: an answer that never ends is abandoned
    after the cap, instead of being read into memory for ever."""
    server = raw_server(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n",
                        lambda: itertools.repeat(b"[" * 65536))
    limit = 1024 * 1024
    async with create_client() as http:
        with pytest.raises(BadResponse) as caught:
            await net_http.send(http, "Plex", "GET", f"{server.url}/library/sections", max_bytes=limit)
    assert "answer too large" in str(caught.value) and "stopped reading" in str(caught.value)
    assert server.finished.wait(10), "the client must hang up on the endless body"
    assert server.sent < 64 * limit  # what fits in socket buffers, not the whole (endless) body


@pytest.mark.asyncio
async def test_a_declared_oversized_body_is_refused_before_reading_it(raw_server):
    server = raw_server(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 999999999\r\n\r\n",
                        lambda: itertools.repeat(b"{" * 65536))
    async with create_client() as http:
        with pytest.raises(BadResponse) as caught:
            await net_http.send(http, "TMDB", "GET", f"{server.url}/x", max_bytes=1024)
    assert str(caught.value) == "TMDB: answer too large (999999999 bytes; the limit is 1024)"


@pytest.mark.asyncio
async def test_a_body_dripped_slower_than_the_deadline_times_out(raw_server, monkeypatch):
    """Each piece arrives well within the read timeout, so only the whole-answer deadline
    catches a server that drips its answer."""
    monkeypatch.setattr(net_http, "ANSWER_DEADLINE", 0.5)
    server = raw_server(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
                        lambda: itertools.repeat(b" ", 1000), interval=0.05)
    async with create_client() as http:
        with pytest.raises(TimedOut) as caught:
            await net_http.send(http, "Plex", "GET", f"{server.url}/library/sections")
    assert str(caught.value) == "Plex: did not finish its answer within 0.5 s"


# --- pushing -------------------------------------------------------------------------------


def fail_metadata_read(plex: ScriptedPlex) -> None:
    plex.fail_next(1, 500, method="GET", path_prefix="/library/metadata/")


def fail_the_put(plex: ScriptedPlex) -> None:
    plex.fail_next(1, 500, method="PUT")


def drop_the_put_unanswered(plex: ScriptedPlex) -> None:
    plex.drop_next(1, method="PUT", moment="before")


def apply_the_put_but_lose_the_answer(plex: ScriptedPlex) -> None:
    plex.drop_next(1, method="PUT", moment="after")


def cut_the_answer_to_the_put(plex: ScriptedPlex) -> None:
    plex.drop_next(1, method="PUT", moment="mid_body")


def drop_the_read_back(plex: ScriptedPlex) -> None:
    plex.after_put = lambda p: p.drop_next(1, method="GET", moment="mid_body")


def fail_the_read_back(plex: ScriptedPlex) -> None:
    plex.after_put = lambda p: p.fail_next(1, 500, method="GET")


def html_for_the_read_back(plex: ScriptedPlex) -> None:
    plex.after_put = lambda p: p.serve_html_next(1, method="GET")


@pytest.mark.asyncio
@pytest.mark.parametrize(("fault", "pushed", "message"), [
    (fail_metadata_read, False, "Plex: server error (HTTP 500)"),
    (fail_the_put, False, "Plex: server error (HTTP 500)"),
    (drop_the_put_unanswered, False, "Plex: the connection was dropped before the answer was complete"),
    (apply_the_put_but_lose_the_answer, True, "Pushed (confirmed by reading it back)."),
    (cut_the_answer_to_the_put, True, "Pushed (confirmed by reading it back)."),
    (drop_the_read_back, True, "Pushed (confirmed by reading it back)."),
    (fail_the_read_back, True, "Pushed (confirmed by reading it back)."),
    (html_for_the_read_back, True, "Pushed (confirmed by reading it back)."),
])
async def test_a_fault_during_a_push_leaves_journal_decision_and_plex_in_agreement(
        publisher, plex, fault, pushed, message):
    [key] = await movie_keys(publisher, 1)
    original = plex.summary(key)
    accept(publisher, [key], NEW_SUMMARY)
    fault(plex)
    outcome = await publisher.push(PushRequest(key, NEW_SUMMARY))
    assert outcome.ok is pushed
    assert outcome.message.startswith(message)
    assert_consistent(publisher, plex, key, original)
    assert publisher.journal.unfinished(SERVER) == []
    if pushed:  # and a write that landed can be taken back
        [entry] = await publisher.revertible()
        assert (await publisher.revert(entry)).ok
        assert plex.summary(key) == original and "summary" not in plex.locked_fields(key)


@pytest.mark.asyncio
async def test_a_token_revoked_right_after_a_write_leaves_it_for_recovery(publisher, plex, database):
    """Plex took the write but refuses the read-back: Curator cannot tell, so the journal keeps
    the record unfinished (never "failed") until a working token settles it."""
    [key] = await movie_keys(publisher, 1)
    original = plex.summary(key)
    accept(publisher, [key], NEW_SUMMARY)
    plex.after_put = lambda p: p.revoke_token()
    outcome = await publisher.push(PushRequest(key, NEW_SUMMARY))
    assert not outcome.ok and "Plex refused the token" in outcome.message
    [unfinished] = publisher.journal.unfinished(SERVER)
    assert unfinished.state is PushState.WRITTEN and unfinished.previous_summary == original
    assert await publisher.revertible() == []  # not revertible while unsettled

    token = plex.rotate_token()
    async with create_client() as http:
        fresh = Publisher(PlexClient(http, plex.url, token, client_identifier="reliability"), SERVER,
                          PushJournal(database), DecisionStore(database), run_sync=run_inline)
        assert await fresh.recover() == 1
        assert_consistent(fresh, plex, key, original)
        [entry] = await fresh.revertible()
        assert (await fresh.revert(entry)).ok
    assert plex.summary(key) == original


@pytest.mark.asyncio
async def test_a_token_revoked_mid_batch_fails_the_rest_cleanly_and_a_new_token_finishes(
        publisher, plex, database):
    keys = await movie_keys(publisher, 10)
    originals = {key: plex.summary(key) for key in keys}
    accept(publisher, keys, NEW_SUMMARY)

    def revoke_after_four(done: int, _total: int, _outcome: object) -> None:
        if done == 4:
            plex.revoke_token()

    outcomes = await publisher.push_many([PushRequest(k, NEW_SUMMARY) for k in keys], concurrency=1,
                                         progress=revoke_after_four)
    assert [o.ok for o in outcomes] == [True] * 4 + [False] * 6
    for outcome in outcomes[4:]:
        assert outcome.message.startswith("Plex: Plex refused the token (HTTP 401)")
        assert "Sign in with Plex again" in outcome.message
    for key in keys:
        assert_consistent(publisher, plex, key, originals[key])
    assert publisher.journal.unfinished(SERVER) == []

    # The user signs in again and retries the failed ones: each item is written exactly once.
    token = plex.rotate_token()
    failed = [o.rating_key for o in outcomes if not o.ok]
    publisher.decisions.set_status(SERVER, failed, DecisionStatus.ACCEPTED)
    async with create_client() as http:
        fresh = Publisher(PlexClient(http, plex.url, token, client_identifier="reliability"), SERVER,
                          PushJournal(database), DecisionStore(database), run_sync=run_inline)
        again = await fresh.push_many([PushRequest(k, NEW_SUMMARY) for k in keys])
    assert all(o.ok for o in again)
    assert sum(o.skipped for o in again) == 4  # already pushed: not sent again
    assert {key: plex.put_count(key) for key in keys} == dict.fromkeys(keys, 1)
    assert all(plex.summary(key) == NEW_SUMMARY for key in keys)


@pytest.mark.asyncio
async def test_plex_down_during_a_push_leaves_nothing_half_done(plex, database):
    async with create_client(timeout=httpx.Timeout(0.2)) as http:
        publisher = Publisher(PlexClient(http, plex.url, plex.token, client_identifier="reliability"), SERVER,
                              PushJournal(database), DecisionStore(database), run_sync=run_inline)
        [key] = await movie_keys(publisher, 1)
        original = plex.summary(key)
        accept(publisher, [key], NEW_SUMMARY)
        plex.set_latency(0.5)
        outcome = await publisher.push(PushRequest(key, NEW_SUMMARY))
    assert not outcome.ok and outcome.message.startswith("Plex: did not answer in time")
    assert_consistent(publisher, plex, key, original)
