"""TMDB provider against respx over the recorded payloads, through a real ProviderGateway."""

from __future__ import annotations

import copy
import json
import logging
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import respx

from curator.domain.errors import AuthFailed, BadRequest, BadResponse, InvalidInput, NotFound, RateLimited
from curator.domain.models import Candidate, ExternalIds, MediaKind
from curator.logs import RedactingFilter
from curator.net.gateway import HeaderAuth, MemoryCache, ProviderGateway, QueryParamAuth, run_inline
from curator.net.http import create_client
from curator.net.ratelimit import RateLimiter
from curator.net.resilience import CircuitBreaker, RetryPolicy
from curator.providers.tmdb import (
    TmdbProvider,
    parse_details,
    parse_find,
    parse_search,
    tmdb_auth,
    tmdb_language,
)
from tests.net.virtual_time import now, run_virtual

IMAGE_BASE = "https://image.tmdb.org/t/p/w342"  # the default TMDB_IMAGES endpoint + poster size

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "providers"
BASE = "https://api.themoviedb.org/3"
API_KEY = "0123456789abcdef0123456789abcdef"
READ_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJmYWtlLXRlc3QtdG9rZW4ifQ.c2lnbmF0dXJlLWZha2U"
T = TypeVar("T")


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def recorded_error(status: int) -> dict[str, Any]:
    return next(e["body"] for e in fixture("errors_recorded.json")["tmdb"] if e["http_status"] == status)


def movie_550(**changes: Any) -> dict[str, Any]:
    """GET /movie/550 with its appended parts: the recorded details and translations, no
    external ids beyond the top-level imdb_id, and the CONSTRUCTED posters."""
    record = fixture("tmdb_movie_550_details.json")
    record["translations"] = {"translations": fixture("tmdb_movie_550_translations.json")["translations"]}
    record["images"] = fixture("tmdb_movie_550_images_posters_CONSTRUCTED.json")["body"]
    record.update(changes)
    return record


def tv_1399() -> dict[str, Any]:
    """GET /tv/1399 with the recorded external ids appended and a small alternative-titles
    block in the TV shape (``results``), which is not recorded."""
    record = fixture("tmdb_tv_details.json")
    record["external_ids"] = fixture("tmdb_tv_1399_external_ids.json")
    record["alternative_titles"] = {"results": [{"iso_3166_1": "NL", "title": "GoT", "type": ""}]}
    return record


def make_gateway(client: httpx.AsyncClient, *, auth: httpx.Auth | None = None,
                 cache: MemoryCache | None = None, attempts: int = 3) -> ProviderGateway:
    return ProviderGateway(
        "tmdb", BASE, client, label="TMDB",
        limiter=RateLimiter(1000, 1.0, clock=now),
        breaker=CircuitBreaker(clock=now, service="TMDB"),
        retry=RetryPolicy(attempts=attempts, base_delay=0.5, jitter=0.0),
        cache=cache if cache is not None else MemoryCache(), auth=auth or tmdb_auth(API_KEY),
        cache_offload=run_inline, clock=now)


def run(action: Callable[[TmdbProvider], Awaitable[T]], **gateway_options: Any) -> T:
    async def main() -> T:
        async with create_client() as client:
            return await action(TmdbProvider(make_gateway(client, **gateway_options)))

    return run_virtual(main)


# --- auth and languages --------------------------------------------------------------------


def test_a_read_access_token_goes_in_the_header_and_a_v3_key_in_the_query():
    assert isinstance(tmdb_auth(f"  {READ_TOKEN} "), HeaderAuth)
    assert isinstance(tmdb_auth(API_KEY), QueryParamAuth)
    with pytest.raises(InvalidInput):
        tmdb_auth("  ")
    for secret, check in ((READ_TOKEN, lambda r: r.headers["Authorization"] == f"Bearer {READ_TOKEN}"
                           and "api_key" not in r.url.params),
                          (API_KEY, lambda r: r.url.params["api_key"] == API_KEY
                           and "Authorization" not in r.headers)):
        with respx.mock() as router:
            route = router.get(f"{BASE}/search/movie").mock(
                return_value=httpx.Response(200, json={"page": 1, "results": []}))
            assert run(lambda p: p.search("x", None, MediaKind.MOVIE, "en"), auth=tmdb_auth(secret)) == []
            assert check(route.calls.last.request)


@pytest.mark.parametrize(("tag", "expected"), [
    ("nl", "nl-NL"), ("en", "en-US"), ("NL", "nl-NL"), ("nl-BE", "nl-BE"), ("pt_br", "pt-BR"),
    ("de", "de-DE"), ("fy", "fy"),
])
def test_languages_get_the_region_tmdb_expects(tag, expected):
    assert tmdb_language(tag) == expected


# --- search --------------------------------------------------------------------------------


def test_movie_search_sends_the_filters_and_parses_the_recorded_results():
    with respx.mock() as router:
        route = router.get(f"{BASE}/search/movie").mock(
            return_value=httpx.Response(200, json=fixture("tmdb_search_movie_matrix_reloaded_year2003.json")))
        found = run(lambda p: p.search(" The Matrix Reloaded ", 2003, MediaKind.MOVIE, "en"))
    params = route.calls.last.request.url.params
    assert (params["query"], params["year"], params["language"], params["include_adult"]) == (
        "The Matrix Reloaded", "2003", "en-US", "false")
    assert "primary_release_year" not in params
    [matrix] = found
    assert (matrix.provider, matrix.provider_id, matrix.kind, matrix.title, matrix.year) == (
        "tmdb", "604", MediaKind.MOVIE, "The Matrix Reloaded", 2003)
    assert (matrix.original_title, matrix.original_language) == ("The Matrix Reloaded", "en")
    assert matrix.ids == ExternalIds(tmdb=604)
    assert (matrix.popularity, matrix.vote_count) == (pytest.approx(16.135457), 3698)
    assert matrix.poster_url == f"{IMAGE_BASE}/ezIurBz2fdUc68d98Fp9dRf5ihv.jpg"
    assert matrix.summary.startswith("Six months after the events depicted in The Matrix")
    assert "  " not in matrix.summary, "the summary is sanitised (double spaces collapsed)"
    assert matrix.summary_language == "en"


def test_tv_search_uses_the_first_air_date_year():
    with respx.mock() as router:
        route = router.get(f"{BASE}/search/tv").mock(
            return_value=httpx.Response(200, json=fixture("tmdb_search_tv.json")))
        found = run(lambda p: p.search("Game of Thrones", 2011, MediaKind.SHOW, "nl"))
    params = route.calls.last.request.url.params
    assert (params["first_air_date_year"], params["language"]) == ("2011", "nl-NL")
    assert "year" not in params
    got = found[0]
    assert (got.provider_id, got.kind, got.title, got.year, got.original_title) == (
        "1399", MediaKind.SHOW, "Game of Thrones", 2011, "Game of Thrones")
    assert [c.provider_id for c in found][:3] == ["1399", "206584", "94997"]


def test_search_without_a_year_leaves_the_filter_out_and_other_kinds_ask_nothing():
    with respx.mock() as router:
        route = router.get(f"{BASE}/search/movie").mock(
            return_value=httpx.Response(200, json={"page": 1, "results": []}))
        assert run(lambda p: p.search("Alien", None, MediaKind.MOVIE, "en")) == []
        assert "year" not in route.calls.last.request.url.params
        assert run(lambda p: p.search("Alien", None, MediaKind.EPISODE, "en")) == []
        assert route.call_count == 1


def test_search_skips_broken_items_and_refuses_a_wrong_shape():
    payload = {"results": [None, "x", {"id": "abc", "title": "No id"}, {"id": 5},
                           {"id": 7, "title": "Kept", "release_date": 2001, "popularity": "high",
                            "vote_count": "many", "poster_path": 12, "overview": None}]}
    [kept] = parse_search(payload, MediaKind.MOVIE, "nl")
    assert (kept.provider_id, kept.title, kept.year, kept.popularity, kept.vote_count) == ("7", "Kept", None, 0.0, 0)
    assert (kept.poster_url, kept.summary, kept.summary_language) == ("", "", "")
    for wrong in ([], {"results": {}}, "oops", None):
        with pytest.raises(BadResponse):
            parse_search(wrong, MediaKind.MOVIE, "en")


# --- details -------------------------------------------------------------------------------


def candidate(provider_id: str, kind: MediaKind = MediaKind.MOVIE, title: str = "") -> Candidate:
    return Candidate(provider="tmdb", provider_id=provider_id, kind=kind, title=title)


def test_details_is_one_request_with_everything_appended():
    with respx.mock() as router:
        route = router.get(f"{BASE}/movie/550").mock(return_value=httpx.Response(200, json=movie_550()))
        got = run(lambda p: p.details(candidate("550"), "en"))
    assert route.call_count == 1
    params = route.calls.last.request.url.params
    assert params["append_to_response"] == "translations,external_ids,alternative_titles,images"
    assert (params["language"], params["include_image_language"]) == ("en-US", "en,null")
    assert (got.title, got.year, got.ids) == ("Fight Club", 1999, ExternalIds(imdb="tt0137523", tmdb=550))
    assert got.summary.startswith("A ticking-time-bomb insomniac") and got.summary_language == "en"
    assert (got.popularity, got.vote_count) == (pytest.approx(93.958), 27917)
    # English wanted: the English posters come first, the better voted of the two tied ones.
    assert got.poster_url == f"{IMAGE_BASE}/constructedEnglishMostVotes.jpg"


def test_an_empty_localised_overview_falls_back_to_the_wanted_translation_then_english():
    empty = movie_550(overview="")
    dutch = parse_details(empty, MediaKind.MOVIE, "nl")
    assert dutch.summary.startswith("Een verzekeringsinspecteur die aan chronische slapeloosheid lijdt")
    assert dutch.summary_language == "nl"
    assert dutch.poster_url == f"{IMAGE_BASE}/constructedDutchBest.jpg"
    frisian = parse_details(empty, MediaKind.MOVIE, "fy")  # TMDB has no Frisian text for it
    assert frisian.summary.startswith("A ticking-time-bomb insomniac") and frisian.summary_language == "en"
    assert frisian.poster_url == f"{IMAGE_BASE}/constructedTextless.jpg"
    bare = parse_details(movie_550(overview="", translations=None, images=None), MediaKind.MOVIE, "nl")
    assert (bare.summary, bare.summary_language) == ("", "")
    assert bare.poster_url == f"{IMAGE_BASE}/pB8BM7pdSp6B6Ih7QZ4DrQ3PmJK.jpg", "the record's own poster"


def test_a_localised_overview_is_used_as_is_and_the_request_asks_for_dutch_images():
    dutch_text = "Een <i>verzekeringsinspecteur</i> &amp; een zeepverkoper."
    with respx.mock() as router:
        route = router.get(f"{BASE}/movie/550").mock(
            return_value=httpx.Response(200, json=movie_550(overview=dutch_text, title="Fight Club")))
        got = run(lambda p: p.details(candidate("550"), "nl"))
    assert route.calls.last.request.url.params["include_image_language"] == "nl,null,en"
    assert (got.summary, got.summary_language) == ("Een verzekeringsinspecteur & een zeepverkoper.", "nl")


def test_alternative_titles_come_from_the_appended_movie_block():
    got = parse_details(fixture("tmdb_movie_603_append_alternative_titles.json"), MediaKind.MOVIE, "en")
    assert (got.title, got.ids.imdb, got.ids.tmdb) == ("The Matrix", "tt0133093", 603)
    assert got.alternative_titles == ("المتمرد", "The Matrix 1")


def test_tv_details_read_external_ids_and_the_tv_alternative_titles():
    with respx.mock() as router:
        route = router.get(f"{BASE}/tv/1399").mock(return_value=httpx.Response(200, json=tv_1399()))
        got = run(lambda p: p.details(candidate("1399", MediaKind.SHOW), "en"))
    assert route.call_count == 1
    assert (got.kind, got.title, got.year) == (MediaKind.SHOW, "Game of Thrones", 2011)
    assert got.ids == ExternalIds(imdb="tt0944947", tmdb=1399, tvdb=121361)
    assert got.alternative_titles == ("GoT",)
    assert got.summary.startswith("Seven noble families") and got.summary_language == "en"


def test_details_of_a_record_tmdb_no_longer_has_is_not_found():
    with respx.mock() as router:
        router.get(f"{BASE}/movie/999999").mock(return_value=httpx.Response(404, json=recorded_error(404)))
        with pytest.raises(NotFound, match="no longer on TMDB"):
            run(lambda p: p.details(candidate("999999", title="Gone"), "en"))


def test_details_refuse_a_candidate_of_another_provider():
    foreign = Candidate(provider="tvdb", provider_id="194031", kind=MediaKind.SHOW, title="Bob's Burgers")
    with respx.mock(), pytest.raises(InvalidInput):
        run(lambda p: p.details(foreign, "en"))


def test_a_record_without_an_id_is_a_bad_response():
    for wrong in ({"title": "No id"}, [], {"id": 3}):
        with pytest.raises(BadResponse):
            parse_details(wrong, MediaKind.MOVIE, "en")


# --- lookup --------------------------------------------------------------------------------


def test_lookup_by_tmdb_id_is_the_details_request():
    with respx.mock() as router:
        route = router.get(f"{BASE}/movie/550").mock(return_value=httpx.Response(200, json=movie_550()))
        got = run(lambda p: p.lookup(ExternalIds(imdb="tt0137523", tmdb=550), MediaKind.MOVIE, "en"))
    assert route.call_count == 1
    assert got is not None and got.summary_language == "en" and got.ids.imdb == "tt0137523"


def test_lookup_by_imdb_id_is_one_find_request():
    with respx.mock() as router:
        route = router.get(f"{BASE}/find/tt0936501").mock(
            return_value=httpx.Response(200, json=fixture("tmdb_find_imdb_tt0936501.json")))
        got = run(lambda p: p.lookup(ExternalIds(imdb="tt0936501"), MediaKind.MOVIE, "en"))
    assert route.call_count == 1
    params = route.calls.last.request.url.params
    assert (params["external_source"], params["language"]) == ("imdb_id", "en-US")
    assert got is not None
    assert (got.provider_id, got.title, got.year) == ("8681", "Taken", 2008)
    assert got.ids == ExternalIds(imdb="tt0936501", tmdb=8681)


def test_lookup_finds_shows_by_tvdb_id_and_answers_none_when_nothing_matches():
    with respx.mock() as router:
        route = router.get(f"{BASE}/find/121361").mock(return_value=httpx.Response(200, json={
            "movie_results": [], "tv_results": fixture("tmdb_search_tv.json")["results"][:1]}))
        got = run(lambda p: p.lookup(ExternalIds(tvdb=121361), MediaKind.SHOW, "en"))
        assert route.calls.last.request.url.params["external_source"] == "tvdb_id"
        assert got is not None and got.ids == ExternalIds(tmdb=1399, tvdb=121361)
        assert run(lambda p: p.lookup(ExternalIds(tvdb=121361), MediaKind.MOVIE, "en")) is None
        assert run(lambda p: p.lookup(ExternalIds(), MediaKind.MOVIE, "en")) is None
    assert parse_find(fixture("tmdb_find_imdb_tt0936501.json"), MediaKind.SHOW, "en") is None


def test_lookup_ignores_a_malformed_imdb_id_instead_of_putting_it_in_the_path():
    with respx.mock(assert_all_called=False) as router:
        route = router.route().mock(return_value=httpx.Response(500))
        assert run(lambda p: p.lookup(ExternalIds(imdb="../movie/550"), MediaKind.MOVIE, "en")) is None
    assert route.call_count == 0


def test_lookup_of_an_unknown_tmdb_id_is_none():
    with respx.mock() as router:
        router.get(f"{BASE}/tv/424242").mock(return_value=httpx.Response(404, json=recorded_error(404)))
        assert run(lambda p: p.lookup(ExternalIds(tmdb=424242), MediaKind.SHOW, "en")) is None


# --- errors --------------------------------------------------------------------------------


def test_a_refused_key_is_auth_failed_with_tmdbs_reason():
    with respx.mock() as router:
        route = router.get(f"{BASE}/search/movie").mock(return_value=httpx.Response(401, json=recorded_error(401)))
        with pytest.raises(AuthFailed) as caught:
            run(lambda p: p.search("Alien", 1979, MediaKind.MOVIE, "en"))
    assert route.call_count == 1, "a refused key is not retried"
    assert "Invalid API key" in str(caught.value) and "Settings" in caught.value.user_message


def test_a_missing_query_is_a_bad_request():
    with respx.mock() as router:
        router.get(f"{BASE}/search/movie").mock(return_value=httpx.Response(422, json=recorded_error(422)))
        with pytest.raises(BadRequest, match="query must be provided"):
            run(lambda p: p.search("x", None, MediaKind.MOVIE, "en"))


def test_a_429_waits_for_retry_after_then_succeeds_or_gives_up_rate_limited():
    limited = fixture("tmdb_error_429_CONSTRUCTED.json")
    too_many = httpx.Response(429, json=limited["body"], headers=limited["headers"])
    ok = httpx.Response(200, json=fixture("tmdb_search_movie_matrix_reloaded_year2003.json"))
    sent: list[float] = []

    def answer(responses: list[httpx.Response]) -> Callable[[httpx.Request], httpx.Response]:
        def respond(request: httpx.Request) -> httpx.Response:
            sent.append(now())
            return responses.pop(0)
        return respond

    with respx.mock() as router:
        router.get(f"{BASE}/search/movie").mock(side_effect=answer([too_many, ok]))
        found = run(lambda p: p.search("The Matrix Reloaded", 2003, MediaKind.MOVIE, "en"))
    assert [c.provider_id for c in found] == ["604"]
    assert sent[1] - sent[0] >= 2.0, "the Retry-After of 2 s was honoured"
    with respx.mock() as router:
        router.get(f"{BASE}/search/movie").mock(return_value=too_many)
        with pytest.raises(RateLimited) as caught:
            run(lambda p: p.search("The Matrix Reloaded", 2003, MediaKind.MOVIE, "en"), attempts=1)
    assert caught.value.retry_after == 2.0


# --- secrets -------------------------------------------------------------------------------


@pytest.mark.parametrize("secret", [API_KEY, READ_TOKEN])
def test_the_credential_appears_in_no_log_record_error_or_cache_key(caplog, secret):
    caplog.set_level(logging.DEBUG)
    httpx_logger = logging.getLogger("httpx")
    redacting = RedactingFilter()  # what curator.logs.configure_logging installs on "httpx"
    httpx_logger.addFilter(redacting)
    cache = MemoryCache()
    errors: list[BaseException] = []

    async def exercise(provider: TmdbProvider) -> None:
        await provider.search("Fight Club", 1999, MediaKind.MOVIE, "nl")
        await provider.details(candidate("550"), "nl")
        for call in (lambda: provider.search("refused", None, MediaKind.MOVIE, "nl"),
                     lambda: provider.details(candidate("1"), "nl")):
            try:
                await call()
            except (AuthFailed, NotFound) as err:
                errors.append(err)

    refused = copy.deepcopy(recorded_error(401))
    refused["status_message"] += f" ({secret})"  # a service echoing the key back
    try:
        with respx.mock() as router:
            router.get(f"{BASE}/search/movie", params={"query": "refused"}).mock(
                return_value=httpx.Response(401, json=refused))
            router.get(f"{BASE}/search/movie").mock(
                return_value=httpx.Response(200, json=fixture("tmdb_search_movie_matrix_reloaded_year2003.json")))
            router.get(f"{BASE}/movie/550").mock(return_value=httpx.Response(200, json=movie_550()))
            router.get(f"{BASE}/movie/1").mock(return_value=httpx.Response(404, json=recorded_error(404)))
            run(exercise, auth=tmdb_auth(secret), cache=cache)
    finally:
        httpx_logger.removeFilter(redacting)
    assert [type(e) for e in errors] == [AuthFailed, NotFound]
    assert any(r.name == "httpx" for r in caplog.records)
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    assert secret not in logged
    assert secret not in repr(cache._entries)
    texts = "\n".join(f"{e} {e.user_message} {''.join(traceback.format_exception(e))}" for e in errors)
    assert secret not in texts
