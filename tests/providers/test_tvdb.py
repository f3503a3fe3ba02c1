"""TheTVDB v4 provider and its login auth, against respx over the recorded payloads (and the
CONSTRUCTED ones named as such), through a real ProviderGateway."""

from __future__ import annotations

import asyncio
import json
import logging
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import respx

from curator.domain.errors import AuthFailed, BadResponse, InvalidInput, NotFound, SecretsError, ServerError
from curator.domain.models import Candidate, ExternalIds, MediaKind
from curator.logs import RedactingFilter
from curator.net.gateway import MemoryCache, ProviderGateway, run_inline
from curator.net.http import create_client
from curator.net.ratelimit import RateLimiter
from curator.net.resilience import CircuitBreaker, RetryPolicy
from curator.providers.tvdb import (
    TOKEN_LIFETIME,
    MemoryTokenStore,
    SecretTokenStore,
    TvdbAuth,
    TvdbProvider,
    embedded_overview,
    parse_episode_page,
    parse_record,
    parse_search,
    parse_translation,
    tvdb_language,
)
from tests.net.virtual_time import now, run_virtual

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "providers"
BASE = "https://api4.thetvdb.com/v4"
API_KEY = "f00dcafe-1234-4abc-9def-0123456789ab"
PIN = "PIN-93817"
T = TypeVar("T")


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def extended_373426(**changes: Any) -> dict[str, Any]:
    payload = fixture("tvdb_v4_series_373426_extended.json")
    payload["data"].update(changes)
    return payload


DUTCH = fixture("tvdb_v4_series_373426_translation_nld_CONSTRUCTED.json")["body"]


class Clock:
    """Wall-clock seconds the test moves by hand (token expiry)."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.value = start

    def __call__(self) -> float:
        return self.value


class Service:
    """respx routes for the login plus handlers that check the Bearer token they get."""

    def __init__(self, router: respx.MockRouter, *, tokens: list[str] | None = None) -> None:
        self.tokens = list(tokens or ["token-one-abcdef", "token-two-ghijkl", "token-three-mnopqr"])
        self.issued: list[str] = []
        self.login = router.post(f"{BASE}/login").mock(side_effect=self._log_in)
        self.accepted: set[str] = set()
        self.seen: list[str] = []  # the token of every other request, as it was sent

    async def _log_in(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0)
        token = self.tokens.pop(0)
        self.issued.append(token)
        self.accepted = {token}
        return httpx.Response(200, json={"status": "success", "data": {"token": token}})

    def login_bodies(self) -> list[dict[str, Any]]:
        return [json.loads(call.request.content) for call in self.login.calls]

    def answer(self, payload: Any) -> Callable[[httpx.Request], Awaitable[httpx.Response]]:
        """A handler that answers ``payload`` to a current token and 401 to anything else,
        after yielding to the event loop once so concurrent requests interleave."""
        async def respond(request: httpx.Request) -> httpx.Response:
            token = request.headers.get("Authorization", "").removeprefix("Bearer ")
            self.seen.append(token)
            await asyncio.sleep(0)
            if token not in self.accepted:
                return httpx.Response(401, json={"status": "failure", "message": "Unauthorized"})
            return httpx.Response(200, json=payload)
        return respond


def make_auth(*, pin: str | None = None, store: MemoryTokenStore | None = None,
              clock: Callable[[], float] | None = None) -> TvdbAuth:
    return TvdbAuth(API_KEY, pin, store if store is not None else MemoryTokenStore(), BASE,
                    clock=clock or Clock(), offload=run_inline)


def make_gateway(client: httpx.AsyncClient, auth: httpx.Auth, *, cache: MemoryCache | None = None,
                 attempts: int = 3) -> ProviderGateway:
    return ProviderGateway(
        "tvdb", BASE, client, label="TheTVDB",
        limiter=RateLimiter(1000, 1.0, clock=now),
        breaker=CircuitBreaker(clock=now, service="TheTVDB"),
        retry=RetryPolicy(attempts=attempts, base_delay=0.5, jitter=0.0),
        cache=cache if cache is not None else MemoryCache(), auth=auth,
        cache_offload=run_inline, clock=now)


def run(action: Callable[[TvdbProvider], Awaitable[T]], *, auth: TvdbAuth | None = None,
        **gateway_options: Any) -> T:
    async def main() -> T:
        async with create_client() as client:
            gateway = make_gateway(client, auth or make_auth(), **gateway_options)
            return await action(TvdbProvider(gateway))

    return run_virtual(main)


def show(provider_id: str = "373426", title: str = "Adam Savage's Tested") -> Candidate:
    return Candidate(provider="tvdb", provider_id=provider_id, kind=MediaKind.SHOW, title=title)


# --- languages -----------------------------------------------------------------------------


@pytest.mark.parametrize(("tag", "expected"), [
    ("nl", "nld"), ("en", "eng"), ("nl-NL", "nld"), ("DE", "deu"), ("fr-CA", "fra"),
    ("pt-BR", "pt"), ("pt", "por"), ("zh-TW", "zhtw"), ("zh", "zho"), ("fy", None),
])
def test_languages_map_to_tvdbs_three_letter_codes(tag, expected):
    assert tvdb_language(tag) == expected


# --- search --------------------------------------------------------------------------------


def test_search_deduplicates_the_recorded_results_and_reads_ids_and_poster():
    with respx.mock() as router:
        service = Service(router)
        route = router.get(f"{BASE}/search").mock(
            side_effect=service.answer(fixture("tvdb_v4_search_bobs_burgers.json")))
        found = run(lambda p: p.search("Bob's Burgers", 2011, MediaKind.SHOW, "nl"))
    params = route.calls.last.request.url.params
    assert (params["query"], params["type"], params["year"]) == ("Bob's Burgers", "series", "2011")
    assert "language" not in params, "the language filter would keep only Dutch-original shows"
    [bob] = found  # the recorded answer lists the series twice (years 2011 and 2012)
    assert (bob.provider, bob.provider_id, bob.kind, bob.title, bob.year) == (
        "tvdb", "194031", MediaKind.SHOW, "Bob's Burgers", 2011)
    assert bob.ids == ExternalIds(imdb="tt1561755", tmdb=32726, tvdb=194031)
    assert bob.poster_url == "https://artworks.thetvdb.com/banners/posters/194031-2.jpg"
    assert bob.original_language == "en"
    assert {"Bobs Burgers", "Bob Burgerfalodája", "Закусочная Боба"} <= set(bob.alternative_titles)
    # No Dutch overview in the record: English stands in, and says so.
    assert bob.summary.startswith("Bob's Burgers follows a third-generation restaurateur")
    assert bob.summary_language == "en"


def test_search_summaries_and_titles_come_in_the_wanted_language():
    payload = fixture("tvdb_v4_search_bobs_burgers.json")
    [german] = parse_search(payload, MediaKind.SHOW, "de")
    assert german.summary.startswith("In einem heruntergekommenen Stadtteil") and german.summary_language == "de"
    [czech] = parse_search(payload, MediaKind.SHOW, "cs")
    assert (czech.title, czech.original_title, czech.summary_language) == ("Bobovy burgery", "Bob's Burgers", "cs")
    assert "Bob's Burgers" in czech.alternative_titles
    [brazilian] = parse_search(payload, MediaKind.SHOW, "pt-BR")
    assert "hamburgueria" in brazilian.summary and brazilian.summary_language == "pt"
    [chinese] = parse_search(payload, MediaKind.SHOW, "zh-TW")
    assert chinese.title == "開心漢堡店" and chinese.summary_language == "zh"
    assert "\r" not in chinese.summary and not chinese.summary.endswith("\n")


def test_search_skips_broken_items_and_refuses_a_wrong_shape():
    items = [None, {"tvdb_id": "x", "name": "Bad id"}, {"tvdb_id": "5"},
             {"tvdb_id": "6", "name": "A film", "type": "movie"},
             {"tvdb_id": 7, "name": "Kept", "year": 2001, "overviews": ["not", "a", "map"],
              "remote_ids": [{"id": "nm0000001", "sourceName": "IMDB"}, "junk"], "image_url": 3}]
    [kept] = parse_search({"data": items}, MediaKind.SHOW, "en")
    assert (kept.provider_id, kept.title, kept.year, kept.ids) == ("7", "Kept", None, ExternalIds(tvdb=7))
    assert (kept.summary, kept.poster_url) == ("", "")
    for wrong in ({"data": {}}, [], None, {"status": "success"}):
        with pytest.raises(BadResponse):
            parse_search(wrong, MediaKind.SHOW, "en")


# --- details -------------------------------------------------------------------------------


def test_details_are_one_request_when_the_record_has_no_text_in_the_wanted_language():
    with respx.mock() as router:
        service = Service(router)
        route = router.get(f"{BASE}/series/373426/extended").mock(side_effect=service.answer(extended_373426()))
        got = run(lambda p: p.details(show(), "nl"))
    assert route.call_count == 1
    params = route.calls.last.request.url.params
    assert params["meta"] == "translations" and "short" not in params
    assert (got.provider_id, got.title, got.year) == ("373426", "Adam Savage\u2019s Tested", 2013)
    assert got.summary.startswith("Host of Discovery Channel's long-running series MythBusters")
    assert got.summary_language == "en"
    assert got.poster_url == "https://artworks.thetvdb.com/banners/series/373426/posters/5f5933d55075d.jpg"
    assert "Adam Savage's One Day Builds" in got.alternative_titles
    assert got.ids == ExternalIds(tvdb=373426)  # its remote ids are YouTube and a web site
    assert (got.popularity, got.original_language) == (37.0, "en")


def test_a_listed_translation_that_is_not_embedded_costs_one_more_request():
    extended = extended_373426(overviewTranslations=["eng", "nld"], nameTranslations=["eng", "nld"])
    with respx.mock() as router:
        service = Service(router)
        router.get(f"{BASE}/series/373426/extended").mock(side_effect=service.answer(extended))
        translation = router.get(f"{BASE}/series/373426/translations/nld").mock(side_effect=service.answer(DUTCH))
        got = run(lambda p: p.details(show(), "nl"))
    assert translation.call_count == 1
    assert got.summary.startswith("Adam Savage, bekend van MythBusters") and got.summary_language == "nl"
    assert got.title == "Adam Savage's Tested"
    assert service.login.call_count == 1


def test_embedded_translations_need_no_further_request():
    embedded = {"nameTranslations": [{"language": "nld", "name": DUTCH["data"]["name"]}],
                "overviewTranslations": [DUTCH["data"], {"language": "eng", "overview": "English text."}],
                "alias": []}
    extended = extended_373426(overviewTranslations=["eng", "nld"], translations=embedded)
    with respx.mock() as router:
        service = Service(router)
        router.get(f"{BASE}/series/373426/extended").mock(side_effect=service.answer(extended))
        got = run(lambda p: p.details(show(), "nl"))
        english = run(lambda p: p.details(show(), "en"))
    assert got.summary.startswith("Adam Savage, bekend van MythBusters") and got.summary_language == "nl"
    assert (english.summary, english.summary_language) == ("English text.", "en")
    assert embedded_overview(extended["data"], "nld").startswith("Adam Savage, bekend")
    assert embedded_overview(extended["data"], "fra") == ""


def test_movies_use_the_movie_record_and_the_movie_poster_type():
    movie = {"id": 123, "name": "Een film", "year": "2004", "originalLanguage": "nld",
             "overview": "Nederlandse tekst.", "image": "/banners/movies/123/posters/default.jpg",
             "artworks": [{"type": 2, "language": "nld", "score": 9, "image": "/series-type.jpg"},
                          {"type": 14, "language": "eng", "score": 50, "image": "/english.jpg"},
                          {"type": 14, "language": None, "score": 1, "image": "/textless.jpg"},
                          {"type": 14, "language": "nld", "score": 2, "image": "/dutch.jpg"}]}
    with respx.mock() as router:
        service = Service(router)
        route = router.get(f"{BASE}/movies/123/extended").mock(side_effect=service.answer({"data": movie}))
        got = run(lambda p: p.details(Candidate("tvdb", "123", MediaKind.MOVIE, "Een film"), "nl"))
    assert route.call_count == 1
    assert (got.kind, got.year, got.summary, got.summary_language) == (
        MediaKind.MOVIE, 2004, "Nederlandse tekst.", "nl")
    assert got.poster_url == "https://artworks.thetvdb.com/dutch.jpg"
    english = parse_record(movie, MediaKind.MOVIE, "en")
    assert english.poster_url == "https://artworks.thetvdb.com/english.jpg"
    assert (english.summary, english.summary_language) == ("", ""), "Dutch text is not passed off as English"
    no_art = parse_record({**movie, "artworks": None}, MediaKind.MOVIE, "de")
    assert no_art.poster_url == "https://artworks.thetvdb.com/banners/movies/123/posters/default.jpg"


def test_details_of_a_missing_record_or_a_foreign_candidate_fail_clearly():
    with respx.mock() as router:
        service = Service(router)
        router.get(f"{BASE}/series/1/extended").mock(side_effect=lambda r: httpx.Response(404))
        with pytest.raises(NotFound, match="no longer on TheTVDB"):
            run(lambda p: p.details(show("1", "Gone"), "en"))
        assert service.login.call_count == 1
        with pytest.raises(InvalidInput):
            run(lambda p: p.details(Candidate("tmdb", "1399", MediaKind.SHOW, "GoT"), "en"))
    for wrong in ({"data": []}, {"data": {"id": "x", "name": "n"}}, {"data": {"id": 1}}):
        with pytest.raises(BadResponse):
            parse_record(wrong.get("data") if isinstance(wrong.get("data"), dict) else {}, MediaKind.SHOW, "en")


def test_a_translation_record_is_parsed_defensively():
    translation = parse_translation(DUTCH)
    assert translation is not None and (translation.language, translation.name) == ("nld", "Adam Savage's Tested")
    assert parse_translation({"data": None}) is None
    assert parse_translation({"data": {"overview": "no language"}}) is None


# --- lookup --------------------------------------------------------------------------------


def test_lookup_by_tvdb_id_is_the_extended_record():
    with respx.mock() as router:
        service = Service(router)
        route = router.get(f"{BASE}/series/373426/extended").mock(side_effect=service.answer(extended_373426()))
        got = run(lambda p: p.lookup(ExternalIds(imdb="tt0000001", tvdb=373426), MediaKind.SHOW, "en"))
    assert route.call_count == 1 and got is not None and got.provider_id == "373426"


def test_lookup_by_imdb_or_tmdb_id_is_one_remote_id_request():
    remote = fixture("tvdb_v4_search_remoteid_tt1561755_CONSTRUCTED.json")["body"]
    with respx.mock() as router:
        service = Service(router)
        by_imdb = router.get(f"{BASE}/search/remoteid/tt1561755").mock(side_effect=service.answer(remote))
        by_tmdb = router.get(f"{BASE}/search/remoteid/32726").mock(side_effect=service.answer(remote))
        got = run(lambda p: p.lookup(ExternalIds(imdb="tt1561755"), MediaKind.SHOW, "en"))
        also = run(lambda p: p.lookup(ExternalIds(tmdb=32726), MediaKind.SHOW, "en"))
        movie = run(lambda p: p.lookup(ExternalIds(tmdb=32726), MediaKind.MOVIE, "en"))
    assert (by_imdb.call_count, by_tmdb.call_count) == (1, 2)
    assert got is not None and also == got
    assert (got.provider_id, got.title, got.year, got.ids.tvdb) == ("194031", "Bob's Burgers", 2011, 194031)
    assert (got.summary, got.summary_language) == ("", ""), "a base record carries no overview"
    assert "Bob Burgerfalodája" in got.alternative_titles
    assert movie is None, "a series record does not answer a movie lookup"


def test_lookup_without_a_match_is_none():
    with respx.mock() as router:
        service = Service(router)
        router.get(f"{BASE}/search/remoteid/tt0000001").mock(
            side_effect=service.answer({"status": "success", "data": []}))
        router.get(f"{BASE}/search/remoteid/5").mock(side_effect=lambda r: httpx.Response(404))
        assert run(lambda p: p.lookup(ExternalIds(imdb="tt0000001", tmdb=5), MediaKind.SHOW, "en")) is None
        assert run(lambda p: p.lookup(ExternalIds(), MediaKind.SHOW, "en")) is None
        assert run(lambda p: p.lookup(ExternalIds(imdb="../login"), MediaKind.SHOW, "en")) is None
    assert service.login.call_count == 1, "a malformed imdb id sends nothing"


# --- episodes ------------------------------------------------------------------------------


def test_episode_summaries_follow_the_pages_and_keep_only_the_wanted_language():
    pages = fixture("tvdb_v4_series_373426_episodes_default_nld_CONSTRUCTED.json")["pages"]
    with respx.mock() as router:
        service = Service(router)
        route = router.get(f"{BASE}/series/373426/episodes/default/nld").mock(
            side_effect=lambda request: service.answer(pages[int(request.url.params["page"])]["body"])(request))
        got = run(lambda p: p.episode_summaries(show(), "nl"))
    assert [call.request.url.params["page"] for call in route.calls] == ["0", "1"]
    assert got == {
        (2020, 1): "Adam bouwt in één dag een ruimtehelm na.",
        (0, 1): "Een rondleiding door de werkplaats.",
        (2021, 1): "Een lichtzwaard uit restmateriaal.",
    }


def test_episode_pages_are_parsed_defensively():
    page = fixture("tvdb_v4_series_373426_episodes_default_nld_CONSTRUCTED.json")["pages"][0]["body"]
    summaries, next_page = parse_episode_page(page, "nld")
    assert next_page == 1 and (2020, 2) not in summaries and (2020, 3) not in summaries
    assert parse_episode_page({"data": {"episodes": [None, {"number": 1}]}, "links": {"next": 7}}, "nld") == ({}, 7)
    with pytest.raises(BadResponse):
        parse_episode_page({"data": []}, "nld")


def test_episode_summaries_stop_on_a_page_that_points_backwards_and_skip_movies():
    looping = {"data": {"episodes": []}, "links": {"next": f"{BASE}/series/1/episodes/default/eng?page=0"}}
    with respx.mock() as router:
        service = Service(router)
        route = router.get(f"{BASE}/series/1/episodes/default/eng").mock(side_effect=service.answer(looping))
        assert run(lambda p: p.episode_summaries(show("1"), "en")) == {}
        assert route.call_count == 1
        assert run(lambda p: p.episode_summaries(Candidate("tvdb", "2", MediaKind.MOVIE, "x"), "en")) == {}
        assert run(lambda p: p.episode_summaries(show("1"), "fy")) == {}
    assert route.call_count == 1


# --- login and token -----------------------------------------------------------------------


def test_one_login_serves_many_requests_and_the_pin_is_sent_only_when_given():
    store = MemoryTokenStore()
    clock = Clock()
    with respx.mock() as router:
        service = Service(router)
        route = router.get(f"{BASE}/search").mock(side_effect=service.answer({"status": "success", "data": []}))

        async def many(provider: TvdbProvider) -> None:
            await asyncio.gather(*(provider.search(f"title {n}", None, MediaKind.SHOW, "en") for n in range(6)))
            await provider.search("later", None, MediaKind.SHOW, "en")

        run(many, auth=make_auth(store=store, clock=clock))
        assert service.login.call_count == 1
        assert route.call_count == 7
        assert set(service.seen) == {"token-one-abcdef"}
        assert service.login_bodies() == [{"apikey": API_KEY}]
        assert store.load("tvdb") == ("token-one-abcdef", clock() + TOKEN_LIFETIME)

        run(lambda p: p.search("with pin", None, MediaKind.SHOW, "en"), auth=make_auth(pin=PIN))
        assert service.login_bodies()[-1] == {"apikey": API_KEY, "pin": PIN}
        login = service.login.calls.last.request
        assert login.headers["User-Agent"].startswith("Curator/")
        assert login.extensions.get("timeout"), "the login keeps the client's time-outs"


def test_a_stored_token_is_used_until_it_expires_then_a_new_login_follows():
    clock = Clock()
    store = MemoryTokenStore()
    store.save("tvdb", "token-stored-xyz123", clock() + 3600)
    with respx.mock() as router:
        service = Service(router)
        service.accepted = {"token-stored-xyz123"}
        router.get(f"{BASE}/search").mock(side_effect=service.answer({"data": []}))
        auth = make_auth(store=store, clock=clock)
        run(lambda p: p.search("a", None, MediaKind.SHOW, "en"), auth=auth)
        assert service.login.call_count == 0
        clock.value += 3600  # the stored token's expiry
        run(lambda p: p.search("b", None, MediaKind.SHOW, "en"), auth=auth)
        assert service.login.call_count == 1
        assert service.seen[-1] == "token-one-abcdef"
        assert store.load("tvdb") == ("token-one-abcdef", clock() + TOKEN_LIFETIME)
        clock.value += TOKEN_LIFETIME - 1
        run(lambda p: p.search("c", None, MediaKind.SHOW, "en"), auth=auth)
        assert service.login.call_count == 1
        clock.value += 1
        run(lambda p: p.search("d", None, MediaKind.SHOW, "en"), auth=auth)
        assert service.login.call_count == 2


def test_a_refused_token_means_one_new_login_and_one_retry():
    store = MemoryTokenStore()
    store.save("tvdb", "token-revoked-000", Clock()() + 3600)
    with respx.mock() as router:
        service = Service(router)  # accepts only tokens it issued: the stored one is refused
        route = router.get(f"{BASE}/search").mock(
            side_effect=service.answer(fixture("tvdb_v4_search_bobs_burgers.json")))
        found = run(lambda p: p.search("Bob's Burgers", None, MediaKind.SHOW, "en"), auth=make_auth(store=store))
    assert [c.provider_id for c in found] == ["194031"]
    assert service.login.call_count == 1
    assert service.seen == ["token-revoked-000", "token-one-abcdef"]
    assert route.call_count == 2
    assert store.load("tvdb")[0] == "token-one-abcdef"


def test_concurrent_requests_refused_together_share_one_new_login():
    store = MemoryTokenStore()
    store.save("tvdb", "token-revoked-000", Clock()() + 3600)
    with respx.mock() as router:
        service = Service(router)
        route = router.get(f"{BASE}/search").mock(side_effect=service.answer({"data": []}))

        async def together(provider: TvdbProvider) -> None:
            await asyncio.gather(*(provider.search(f"t{n}", None, MediaKind.SHOW, "en") for n in range(4)))

        run(together, auth=make_auth(store=store))
    assert service.seen.count("token-revoked-000") == 4, "all four were sent with the stored token"
    assert service.login.call_count == 1
    assert service.seen.count("token-one-abcdef") == 4 and route.call_count == 8


def test_a_token_refused_twice_is_auth_failed_after_exactly_one_new_login():
    with respx.mock() as router:
        service = Service(router)
        route = router.get(f"{BASE}/search").mock(return_value=httpx.Response(401))
        with pytest.raises(AuthFailed) as caught:
            run(lambda p: p.search("x", None, MediaKind.SHOW, "en"))
    assert service.login.call_count == 2  # the first login, then exactly one more after the 401
    assert route.call_count == 2, "AuthFailed is not retried by the gateway"
    assert "Settings" in caught.value.user_message


def test_a_refused_key_at_login_is_auth_failed_with_a_clear_message():
    with respx.mock(assert_all_called=False) as router:
        login = router.post(f"{BASE}/login").mock(return_value=httpx.Response(
            401, json={"status": "failure", "message": f"InvalidAPIKey {API_KEY}", "data": None}))
        route = router.get(f"{BASE}/search").mock(return_value=httpx.Response(200, json={"data": []}))
        with pytest.raises(AuthFailed, match="API key was refused at login") as caught:
            run(lambda p: p.search("x", None, MediaKind.SHOW, "en"))
        with pytest.raises(AuthFailed, match="API key or subscriber PIN was refused"):
            run(lambda p: p.search("x", None, MediaKind.SHOW, "en"), auth=make_auth(pin=PIN))
    assert route.call_count == 0 and login.call_count == 2
    assert API_KEY not in caught.value.user_message


def test_login_failures_go_through_the_error_mapping():
    with respx.mock() as router:
        router.post(f"{BASE}/login").mock(side_effect=[
            httpx.Response(503), httpx.Response(200, json={"status": "success", "data": {}}),
            httpx.Response(200, text="<html>down</html>")])
        with pytest.raises(ServerError):
            run(lambda p: p.search("x", None, MediaKind.SHOW, "en"), attempts=1)
        with pytest.raises(BadResponse, match="without a token"):
            run(lambda p: p.search("x", None, MediaKind.SHOW, "en"), attempts=1)
        with pytest.raises(BadResponse):
            run(lambda p: p.search("x", None, MediaKind.SHOW, "en"), attempts=1)


def test_an_unreadable_token_store_only_costs_a_login():
    class BrokenStore:
        def load(self, name: str) -> tuple[str, float] | None:
            raise SecretsError("keyring locked")

        def save(self, name: str, token: str, expires_at: float) -> None:
            raise SecretsError("keyring locked")

    with respx.mock() as router:
        service = Service(router)
        router.get(f"{BASE}/search").mock(side_effect=service.answer({"data": []}))
        auth = TvdbAuth(API_KEY, None, BrokenStore(), BASE, clock=Clock(), offload=run_inline)
        assert run(lambda p: p.search("x", None, MediaKind.SHOW, "en"), auth=auth) == []
    assert service.login.call_count == 1


def test_tvdb_auth_needs_a_key_and_an_async_client():
    with pytest.raises(InvalidInput):
        TvdbAuth(" ", None, MemoryTokenStore(), BASE)
    with respx.mock(assert_all_called=False) as router, httpx.Client(auth=make_auth()) as client:
        router.get(f"{BASE}/search")
        with pytest.raises(RuntimeError, match="AsyncClient"):
            client.get(f"{BASE}/search")


def test_the_secret_token_store_round_trips_through_named_secrets():
    class Secrets(dict):
        def set(self, name: str, value: str) -> None:
            self[name] = value

    secrets = Secrets()
    store = SecretTokenStore(secrets)
    assert store.load("tvdb") is None
    store.save("tvdb", "abc.def.ghi", 1_700_000_123.4)
    assert secrets == {"tvdb_token": "1700000123 abc.def.ghi"}
    assert store.load("tvdb") == ("abc.def.ghi", 1_700_000_123.0)
    secrets["tvdb_token"] = "garbage"
    assert store.load("tvdb") is None


def test_key_pin_and_token_appear_in_no_log_record_error_or_cache_entry(caplog):
    caplog.set_level(logging.DEBUG)
    httpx_logger = logging.getLogger("httpx")
    redacting = RedactingFilter()
    httpx_logger.addFilter(redacting)
    cache = MemoryCache()
    errors: list[BaseException] = []
    tokens = ["token-secret-aaaaaa", "token-secret-bbbbbb"]

    async def exercise(provider: TvdbProvider) -> None:
        await provider.search("Bob's Burgers", 2011, MediaKind.SHOW, "nl")
        await provider.details(show(), "nl")
        try:
            await provider.search("refused", None, MediaKind.SHOW, "nl")
        except AuthFailed as err:
            errors.append(err)

    try:
        with respx.mock() as router:
            service = Service(router, tokens=tokens)
            router.get(f"{BASE}/search", params={"query": "refused"}).mock(return_value=httpx.Response(
                401, json={"status": "failure", "message": f"bad token {tokens[0]} for {API_KEY}"}))
            router.get(f"{BASE}/search").mock(side_effect=service.answer(fixture("tvdb_v4_search_bobs_burgers.json")))
            router.get(f"{BASE}/series/373426/extended").mock(side_effect=service.answer(extended_373426()))
            run(exercise, auth=make_auth(pin=PIN), cache=cache)
    finally:
        httpx_logger.removeFilter(redacting)
    assert service.issued == tokens
    assert [type(e) for e in errors] == [AuthFailed]
    assert any(r.name == "httpx" for r in caplog.records)
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
    texts = "\n".join(f"{e} {e.user_message} {''.join(traceback.format_exception(e))}" for e in errors)
    cached = repr(cache._entries)
    assert "/login" not in cached, "logins are never cached"
    for secret in (API_KEY, PIN, *tokens):
        assert secret not in logged
        assert secret not in texts
        assert secret not in cached
    assert errors[0].service == "TheTVDB"
