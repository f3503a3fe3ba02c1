"""OMDb over respx with the recorded payloads and every recorded OMDb error body, through a
real ProviderGateway on virtual time."""

from __future__ import annotations

import dataclasses
import json
import logging
import traceback
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from curator.domain.errors import AuthFailed, BadResponse, RateLimited, RemoteError
from curator.domain.models import Candidate, ExternalIds, MediaKind
from curator.logs import RedactingFilter
from curator.net.gateway import MemoryCache, ProviderGateway, run_inline
from curator.net.http import create_client
from curator.net.resilience import RetryPolicy
from curator.providers.base import Provider, Rate, build_gateway, default_settings
from curator.providers.omdb import (
    DAY,
    SEARCH_TTL,
    OmdbProvider,
    auth_for,
    error_of,
    parse_search,
    parse_title,
    votes_of,
    year_of,
)
from tests.net.virtual_time import now, run_virtual

FIXTURES = Path(__file__).parents[1] / "fixtures" / "providers"
BASE = "https://www.omdbapi.com/"
KEY = "omdb-FAKE-KEY-5e4d3c2b1a"


def recorded(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def omdb_error(text: str) -> tuple[int, dict[str, str]]:
    """(status, body) of the recorded OMDb error whose Error is ``text``."""
    [entry] = [e for e in recorded("errors_recorded.json")["omdb"] if e["body"]["Error"] == text]
    return entry["http_status"], entry["body"]


class KeyRecordingCache(MemoryCache):
    def __init__(self) -> None:
        super().__init__()
        self.keys: list[str] = []
        self.ttls: list[float | None] = []

    def make_key(self, provider: str, endpoint: str, params: dict[str, Any]) -> str:
        key = super().make_key(provider, endpoint, params)
        self.keys.append(key)
        return key

    def put(self, key: str, provider: str, payload: Any, *, found: bool, ttl: float | None = None) -> None:
        self.ttls.append(ttl)
        super().put(key, provider, payload, found=found, ttl=ttl)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_gateway(client: httpx.AsyncClient, cache: MemoryCache | None) -> ProviderGateway:
    """The gateway the app builds for OMDb (with its key hook), generous rate, virtual time."""
    config = dataclasses.replace(default_settings({})["omdb"], rate=Rate(1000, 1.0))
    return build_gateway(config, client, cache=cache if cache is not None else MemoryCache(),
                         auth=auth_for(KEY), clock=now, cache_offload=run_inline,
                         retry=RetryPolicy(attempts=2, base_delay=0.5, jitter=0.1))


def run_provider(call, *, cache: MemoryCache | None = None, clock: Clock | None = None):
    """Run ``call(provider)`` and return (result, gateway stats)."""

    async def main():
        async with create_client() as client:
            gateway = make_gateway(client, cache)
            provider = OmdbProvider(gateway, clock=clock or Clock())
            result = await call(provider)
            return result, gateway.stats()

    return run_virtual(main)


def sent_params(route: respx.Route) -> list[dict[str, str]]:
    """Query parameters of each call, without the key."""
    return [{k: v for k, v in call.request.url.params.items() if k != "apikey"} for call in route.calls]


# --- parsing -----------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "year"), [
    ("2010", 2010), ("1992\u20131995", 1992), ("2019\u2013", 2019), ("N/A", None), ("", None),
    (None, None), (2010, None),
])
def test_years(text, year):
    assert year_of(text) == year


@pytest.mark.parametrize(("text", "votes"), [("600,845", 600845), ("12", 12), ("N/A", 0), (None, 0), ("x", 0)])
def test_votes(text, votes):
    assert votes_of(text) == votes


def test_recorded_title_becomes_a_candidate():
    despicable = parse_title(recorded("omdb_title_i_tt1323594.json"))
    assert despicable == Candidate(
        provider="omdb", provider_id="tt1323594", kind=MediaKind.MOVIE, title="Despicable Me",
        year=2010, ids=ExternalIds(imdb="tt1323594"), vote_count=600845,
        summary=("Gru, a criminal mastermind, adopts three orphans as pawns to carry out the biggest "
                 "heist in history. His life takes an unexpected turn when the little girls see the "
                 "evildoer as their potential father."),
        summary_language="en",
        poster_url=("https://m.media-amazon.com/images/M/"
                    "MV5BMTY3NjY0MTQ0Nl5BMl5BanBnXkFtZTcwMzQ2MTc0Mw@@._V1_SX300.jpg"),
        original_language="en")


def test_recorded_search_becomes_candidates():
    found = parse_search(recorded("omdb_search_s_batman.json"))
    assert len(found) == 10
    assert [c.title for c in found[:2]] == ["Batman Begins", "The Batman"]
    animated = found[8]
    assert (animated.title, animated.kind, animated.year, animated.ids.imdb) == (
        "Batman: The Animated Series", MediaKind.SHOW, 1992, "tt0103359")
    assert all(c.provider == "omdb" and c.provider_id == c.ids.imdb and c.poster_url.startswith("https://")
               for c in found)
    assert all(c.summary == "" and c.summary_language == "" for c in found)


def test_na_values_are_missing_and_plots_are_sanitised():
    record = {"Title": "X", "Year": "N/A", "imdbID": "tt0000042", "Type": "series",
              "Poster": "N/A", "Plot": "<b>Two</b> &amp; one", "Language": "N/A", "imdbVotes": "N/A",
              "Response": "True"}
    candidate = parse_title(record)
    assert candidate is not None
    assert (candidate.kind, candidate.year, candidate.poster_url, candidate.original_language,
            candidate.vote_count) == (MediaKind.SHOW, None, "", "", 0)
    assert candidate.summary == "Two & one"


def test_every_recorded_200_error_is_no_result():
    for text in ("Movie not found!", "Series not found!", "Too many results."):
        status, body = omdb_error(text)
        assert status == 200
        assert error_of(body) == text
        assert parse_title(body) is None
        assert parse_search(body) == []


def test_an_unknown_error_answer_is_no_result_with_a_warning(caplog):
    assert parse_title({"Response": "False", "Error": "Something went wrong."}) is None
    assert "OMDb answered with an error: Something went wrong." in caplog.text


@pytest.mark.parametrize("data", [[], "N/A", None, {"Search": []}, {"other": 1}])
def test_answers_of_the_wrong_shape_are_bad_responses(data):
    with pytest.raises(BadResponse, match="^OMDb: "):
        parse_title(data)


def test_records_that_are_not_candidates():
    assert parse_title({"Title": "Ep", "imdbID": "tt0000001", "Type": "episode", "Response": "True"}) is None
    with pytest.raises(BadResponse):
        parse_title({"Type": "movie", "Response": "True"})  # no title, no id
    with pytest.raises(BadResponse):
        parse_search({"Response": "True", "Search": "none"})
    skipped = parse_search({"Response": "True", "Search": [
        {"Title": "Game", "imdbID": "tt0000002", "Type": "game"}, "junk",
        {"Title": "No id", "imdbID": "N/A", "Type": "movie"},
        {"Title": "Kept", "imdbID": "tt0000003", "Type": "movie", "Year": "2001"}]})
    assert [(c.title, c.year) for c in skipped] == [("Kept", 2001)]


# --- over the gateway ----------------------------------------------------------------------


def test_search_hit_is_one_t_request_with_year_and_type():
    provider_type: type[Provider] = OmdbProvider
    assert provider_type.kinds == frozenset({MediaKind.MOVIE, MediaKind.SHOW})
    cache = KeyRecordingCache()

    with respx.mock() as router:
        route = router.get(BASE).mock(return_value=httpx.Response(
            200, json=recorded("omdb_title_i_tt1323594.json")))
        found, stats = run_provider(lambda p: p.search("Despicable Me", 2010, MediaKind.MOVIE, "nl"),
                                    cache=cache)
        params = sent_params(route)
        key_sent = route.calls.last.request.url.params["apikey"]
    assert [c.provider_id for c in found] == ["tt1323594"]
    assert params == [{"t": "Despicable Me", "y": "2010", "type": "movie"}]
    assert key_sent == KEY
    assert stats.requests == 1 and cache.ttls == [SEARCH_TTL]


def test_search_miss_falls_back_to_s_once_and_both_answers_are_cached():
    _, not_found = omdb_error("Movie not found!")
    batman = recorded("omdb_search_s_batman.json")

    async def twice(provider: OmdbProvider):
        return [await provider.search("Batman", 1991, MediaKind.MOVIE, "en") for _ in range(2)]

    with respx.mock() as router:
        route = router.get(BASE).mock(side_effect=lambda request: httpx.Response(
            200, json=not_found if "t" in request.url.params else batman))
        (first, second), stats = run_provider(twice)
        params = sent_params(route)
    assert len(first) == 10 and first == second
    assert params == [{"t": "Batman", "y": "1991", "type": "movie"}, {"s": "Batman", "type": "movie"}]
    assert (stats.requests, stats.cache_hits) == (2, 2)  # the 200 "not found" body is remembered


def test_series_search_with_recorded_not_found_and_too_many_results():
    _, series_not_found = omdb_error("Series not found!")
    _, too_many = omdb_error("Too many results.")

    with respx.mock() as router:
        route = router.get(BASE).mock(side_effect=lambda request: httpx.Response(
            200, json=series_not_found if "t" in request.url.params else too_many))
        found, _ = run_provider(lambda p: p.search("A", None, MediaKind.SHOW, "en"))
        params = sent_params(route)
    assert found == []
    assert params == [{"t": "A", "type": "series"}, {"s": "A", "type": "series"}]


def test_lookup_and_details_by_imdb_id():
    async def both(provider: OmdbProvider):
        found = await provider.lookup(ExternalIds(imdb="tt1323594", tmdb=20352), MediaKind.MOVIE, "nl")
        assert found is not None
        return found, await provider.details(found, "nl")

    with respx.mock() as router:
        route = router.get(BASE).mock(return_value=httpx.Response(
            200, json=recorded("omdb_title_i_tt1323594.json")))
        (found, detailed), _ = run_provider(both)
        params = sent_params(route)
    assert found.provider_id == "tt1323594" and detailed.summary_language == "en"
    assert params == [{"i": "tt1323594"}, {"i": "tt1323594", "plot": "full"}]


def test_without_an_imdb_id_nothing_is_asked():
    plain = Candidate(provider="tmdb", provider_id="550", kind=MediaKind.MOVIE, title="Fight Club")

    async def both(provider: OmdbProvider):
        return (await provider.lookup(ExternalIds(tmdb=550), MediaKind.MOVIE, "en"),
                await provider.details(plain, "en"))

    with respx.mock():
        (found, detailed), stats = run_provider(both)
    assert found is None and detailed is plain and stats.requests == 0


def test_unknown_imdb_id_is_none():
    _, not_found = omdb_error("Movie not found!")
    with respx.mock() as router:
        router.get(BASE).mock(return_value=httpx.Response(200, json=not_found))
        found, _ = run_provider(lambda p: p.lookup(ExternalIds(imdb="tt9999999"), MediaKind.MOVIE, "en"))
    assert found is None


def test_recorded_invalid_key_is_auth_failed():
    status, body = omdb_error("Invalid API key!")
    with respx.mock() as router:
        route = router.get(BASE).mock(return_value=httpx.Response(status, json=body))
        with pytest.raises(AuthFailed) as raised:
            run_provider(lambda p: p.search("Band of Brothers", None, MediaKind.SHOW, "en"))
    assert route.call_count == 1  # a refused key is not retried
    assert "Invalid API key!" in str(raised.value) and "API key in Settings" in raised.value.user_message


def test_recorded_request_limit_stops_omdb_for_a_day():
    status, body = omdb_error("Request limit reached!")
    clock = Clock()
    errors: list[RateLimited] = []

    async def calls(provider: OmdbProvider):
        for advance in (0.0, 3600.0, DAY):
            clock.now += advance
            try:
                await provider.lookup(ExternalIds(imdb="tt1323594"), MediaKind.MOVIE, "en")
            except RateLimited as err:
                errors.append(err)

    with respx.mock() as router:
        route = router.get(BASE).mock(return_value=httpx.Response(status, json=body))
        run_provider(calls, clock=clock)
    assert route.call_count == 2  # the first, none during the day, one after it
    assert len(errors) == 3
    assert all("daily request limit is reached" in str(err) for err in errors)
    assert str(errors[0]).startswith("OMDb: ")
    assert errors[0].retry_after == DAY and errors[1].retry_after == pytest.approx(DAY - 3600)
    assert "skips OMDb" in errors[0].user_message


def test_the_key_is_in_no_log_record_error_or_cache_key(caplog):
    caplog.set_level(logging.DEBUG)
    _, not_found = omdb_error("Movie not found!")
    cache = KeyRecordingCache()
    errors: list[RemoteError] = []
    httpx_log = logging.getLogger("httpx")
    redacting = RedactingFilter()  # what curator.logs installs on the httpx logger
    httpx_log.addFilter(redacting)

    def answer(request: httpx.Request) -> httpx.Response:
        title = request.url.params.get("t")
        if title in ("Refused", "Spent"):
            status, body = omdb_error("Invalid API key!" if title == "Refused" else "Request limit reached!")
            return httpx.Response(status, json=body)
        return httpx.Response(200, json=not_found if title else recorded("omdb_search_s_batman.json"))

    async def exercise(provider: OmdbProvider):
        await provider.search("Batman", 1989, MediaKind.MOVIE, "en")
        for title in ("Refused", "Spent", "Later"):
            try:
                await provider.search(title, None, MediaKind.MOVIE, "en")
            except RemoteError as err:
                errors.append(err)

    try:
        with respx.mock() as router:
            route = router.get(BASE).mock(side_effect=answer)
            run_provider(exercise, cache=cache)
    finally:
        httpx_log.removeFilter(redacting)
    assert all(call.request.url.params["apikey"] == KEY for call in route.calls)
    assert [type(e).__name__ for e in errors] == ["AuthFailed", "RateLimited", "RateLimited"]
    assert any(r.name == "httpx" for r in caplog.records)
    assert all(KEY not in f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    assert KEY not in repr(cache.keys)
    assert all(KEY not in f"{e} {e.user_message} {''.join(traceback.format_exception(e))}" for e in errors)
