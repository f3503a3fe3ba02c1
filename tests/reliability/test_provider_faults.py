"""A metadata provider misbehaving: 429 storms with and without Retry-After, malformed JSON,
HTML pages, truncated and dropped answers, slow and oversized bodies, a name that does not
resolve. Each gives a typed error with a usable message, is retried only when asking again can
help, and leaves nothing bad in the response cache (issue 8)."""

from __future__ import annotations

import time

import pytest
import pytest_asyncio

from curator.demo.providers import TMDB_API_KEY, FakeProviders
from curator.domain.errors import BadResponse, RateLimited, ServerError, TimedOut, Unreachable
from curator.domain.models import LibraryItem, MediaKind
from curator.net import http as net_http
from curator.net.gateway import MemoryCache, run_inline
from curator.net.http import create_client
from curator.net.resilience import CircuitBreaker, RetryPolicy
from curator.providers import tmdb
from curator.providers.base import build_gateway, default_settings
from curator.providers.chain import ProviderChain
from curator.services.matching import MatchingService
from curator.store.decisions import DecisionStore

from .conftest import SERVER

pytestmark = pytest.mark.asyncio

ATTEMPTS = 4
SEARCH = ("Cape Fear", 1991, MediaKind.MOVIE, "en")


@pytest.fixture(scope="module")
def fake_tmdb():
    fakes = FakeProviders()
    with fakes.tmdb as service:
        yield service


@pytest.fixture
def fake(fake_tmdb):
    fake_tmdb.set_rate_limit(None)
    fake_tmdb.send_retry_after(True)
    fake_tmdb.clear_faults()
    fake_tmdb.reset_counters()
    yield fake_tmdb
    fake_tmdb.clear_faults()


def make_gateway(http, base_url: str, cache: MemoryCache):
    config = default_settings({"CURATOR_TMDB_URL": base_url, "CURATOR_TMDB_RATE": "1000/1"})["tmdb"]
    return build_gateway(config, http, cache=cache, auth=tmdb.tmdb_auth(TMDB_API_KEY),
                         retry=RetryPolicy(attempts=ATTEMPTS, base_delay=0.02, jitter=0.0, max_total_delay=10.0),
                         breaker=CircuitBreaker(failure_threshold=50), cache_offload=run_inline)


class Client:
    """The TMDB provider on its gateway, with the gateway's cache at hand."""

    def __init__(self, gateway, cache: MemoryCache) -> None:
        self.gateway = gateway
        self.cache = cache
        self.provider = tmdb.TmdbProvider(gateway)

    async def search(self):
        return await self.provider.search(*SEARCH)


@pytest_asyncio.fixture
async def client(fake):
    cache = MemoryCache()
    async with create_client() as http:
        yield Client(make_gateway(http, fake.url, cache), cache)


async def test_a_short_429_storm_with_retry_after_is_waited_out(client, fake):
    fake.start_429_storm(count=1, retry_after=1)
    started = time.monotonic()
    found = await client.search()
    assert found and found[0].title == "Cape Fear"
    assert time.monotonic() - started >= 0.9  # the server's Retry-After was honoured
    assert fake.requests.total == 2 and fake.rate_limited == 1
    stats = client.gateway.stats()
    assert stats.rate_limited == 1 and stats.retries == 1


async def test_a_short_429_storm_without_retry_after_backs_off(client, fake):
    fake.send_retry_after(False)
    fake.start_429_storm(count=2)
    found = await client.search()
    assert found and fake.requests.total == 3
    assert client.gateway.stats().rate_limited == 2


@pytest.mark.parametrize("retry_after", [True, False])
async def test_a_429_storm_that_outlasts_the_retries_gives_rate_limited_without_hammering(
        client, fake, retry_after):
    fake.send_retry_after(retry_after)
    fake.start_429_storm(retry_after=0.1)  # whole seconds on the wire: "Retry-After: 1"
    if retry_after:
        client.gateway._retry = RetryPolicy(attempts=2, base_delay=0.02, jitter=0.0)
    with pytest.raises(RateLimited) as caught:
        await client.search()
    assert str(caught.value).startswith("TMDB: too many requests (HTTP 429)")
    assert "Curator will slow down and try again." in caught.value.user_message
    assert fake.requests.total == (2 if retry_after else ATTEMPTS)
    assert len(client.cache) == 0
    fake.end_429_storm()
    assert await client.search()


async def test_malformed_json_is_a_bad_response_not_retried_and_not_cached(client, fake):
    fake.malformed_next()
    with pytest.raises(BadResponse) as caught:
        await client.search()
    assert "could not be read" in str(caught.value)
    assert fake.requests.total == 1 and len(client.cache) == 0
    assert await client.search()
    assert len(client.cache) == 1


async def test_a_captive_portal_page_is_a_bad_response(client, fake):
    fake.html_next(status=200)
    with pytest.raises(BadResponse) as caught:
        await client.search()
    assert "answered with a web page (HTML)" in str(caught.value)
    assert len(client.cache) == 0


async def test_a_proxy_error_page_is_a_server_error_and_retried(client, fake):
    fake.html_next(count=ATTEMPTS, status=502)
    with pytest.raises(ServerError) as caught:
        await client.search()
    assert str(caught.value) == "TMDB: server error (HTTP 502)"
    fake.html_next(status=502)
    assert await client.search()  # one 502, then the retry succeeds


@pytest.mark.parametrize("fault", ["truncate_next", "drop_next"])
async def test_truncated_and_dropped_answers_are_unreachable_and_retried(client, fake, fault):
    getattr(fake, fault)(ATTEMPTS)
    with pytest.raises(Unreachable) as caught:
        await client.search()
    assert "dropped before the answer was complete" in str(caught.value)
    assert len(client.cache) == 0
    getattr(fake, fault)(1)
    assert await client.search()


async def test_a_slow_body_past_the_deadline_times_out(client, fake, monkeypatch):
    monkeypatch.setattr(net_http, "ANSWER_DEADLINE", 0.2)
    fake.slow_body_next(ATTEMPTS, seconds=0.6)
    with pytest.raises(TimedOut) as caught:
        await client.search()
    assert str(caught.value) == "TMDB: did not finish its answer within 0.2 s"
    fake.slow_body_next(1, seconds=0.1)  # slow, but within the deadline
    assert await client.search()


async def test_an_oversized_answer_is_refused_and_not_retried(client, fake, monkeypatch):
    monkeypatch.setattr(net_http, "MAX_BODY_BYTES", 256)
    with pytest.raises(BadResponse) as caught:
        await client.search()
    assert "answer too large" in str(caught.value)
    assert fake.requests.total == 1 and len(client.cache) == 0


async def test_a_provider_name_that_does_not_resolve_says_so():
    cache = MemoryCache()
    async with create_client() as http:
        client = Client(make_gateway(http, "http://api.tmdb.invalid/3", cache), cache)
        with pytest.raises(Unreachable) as caught:
            await client.search()
    assert str(caught.value) == "TMDB: could not connect (the server name could not be resolved)"
    assert TMDB_API_KEY not in caught.value.user_message


async def test_items_matched_during_a_storm_are_retried_next_run_not_marked_no_match(fake, database):
    """A provider outage must not become a permanent verdict: a "no match" decision is never
    matched again, so the items asked during the storm would be lost to the user."""
    fake.send_retry_after(False)
    fake.start_429_storm()
    item = LibraryItem(rating_key="501", kind=MediaKind.MOVIE, title="Cape Fear", year=1991, section_key="1")
    decisions = DecisionStore(database)
    async with create_client() as http:
        provider = tmdb.TmdbProvider(make_gateway(http, fake.url, MemoryCache()))
        chain = ProviderChain({"tmdb": provider}, {MediaKind.MOVIE: ["tmdb"]})
        service = MatchingService(chain, decisions, SERVER)
        report = await service.match_items([item])
        assert report.failures and "too many requests" in report.failures[0]
        assert decisions.get(SERVER, "501") is None  # nothing decided: matched again next run
        fake.end_429_storm()
        again = await service.match_items([item])
    assert again.skipped == 0 and decisions.get(SERVER, "501").chosen["title"] == "Cape Fear"
