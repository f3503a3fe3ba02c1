"""NPO POMS: the published signing vector, parsing of the recorded and constructed payloads,
the provider over respx through real gateways on virtual time, the credential refresh on
401/403 with the finder's cooldown, secrets kept out of logs, errors and cache keys, and the
client against the fake POMS on loopback."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from curator.demo.catalogue import work as catalogue_work
from curator.demo.providers.poms import POMS_API_KEY, POMS_API_SECRET, REVIEWS, FakePoms
from curator.demo.providers.ratelimit import RateLimit
from curator.demo.providers.world import World
from curator.domain.errors import AuthFailed, BadResponse, InvalidInput, RemoteError
from curator.domain.models import Candidate, ExternalIds, MediaKind
from curator.net.gateway import MemoryCache, ProviderGateway, run_inline
from curator.net.http import create_client
from curator.net.ratelimit import RateLimiter
from curator.net.resilience import CircuitBreaker, RetryPolicy
from curator.providers.base import Provider, Rate, build_gateway, default_settings
from curator.providers.poms import (
    SEARCH_TTL,
    CinemaPage,
    CredentialFinder,
    PomsAuth,
    PomsCredentials,
    PomsProvider,
    TextPages,
    api_path,
    auth_for,
    npo_date,
    parse_media,
    parse_page,
    parse_pages,
    programme_candidate,
    published_credentials,
    script_paths,
    sign,
    signing_message,
)
from tests.net.virtual_time import now, run_virtual

FIXTURES = Path(__file__).parents[1] / "fixtures" / "providers"
BASE = "https://rs.poms.omroep.nl/v1"
PAGES_URL = f"{BASE}/api/pages/"
MEDIA_URL = f"{BASE}/api/media"
CINEMA = "https://www.cinema.nl"
KEY, SECRET = "poms-FAKE-KEY-4b3a29", "poms-FAKE-SECRET-8c7d6e"
NEW_KEY, NEW_SECRET = "poms-FOUND-KEY-1a2b3c", "poms-FOUND-SECRET-9f8e7d"
EPOCH = 1_446_194_611.0  # Fri, 30 Oct 2015 08:43:31 GMT


def recorded(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def constructed_pages() -> dict[str, Any]:
    return recorded("poms_pages_vprocinema_CONSTRUCTED.json")["body"]


class Clock:
    def __init__(self, start: float = 1000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now


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




def pages_gateway(client: httpx.AsyncClient, base: str = CINEMA,
                  cache: MemoryCache | None = None) -> TextPages:
    pages: TextPages = ProviderGateway("cinema_nl", base, client, label="cinema.nl",
                                    limiter=RateLimiter(1000, 1.0, clock=now),
                                    breaker=CircuitBreaker(clock=now, service="cinema.nl"),
                                    retry=RetryPolicy(attempts=2, base_delay=0.5, jitter=0.1),
                                    cache=cache if cache is not None else MemoryCache(),
                                    cache_offload=run_inline, clock=now)
    return pages


def poms_gateway(client: httpx.AsyncClient, auth: httpx.Auth, cache: MemoryCache | None = None,
                 base: str = BASE) -> ProviderGateway:
    """The gateway the app builds for POMS, with a generous rate, on virtual time."""
    config = dataclasses.replace(default_settings({})["poms"], rate=Rate(1000, 1.0), base_url=base)
    return build_gateway(config, client, cache=cache if cache is not None else MemoryCache(), auth=auth,
                         clock=now, cache_offload=run_inline,
                         retry=RetryPolicy(attempts=2, base_delay=0.5, jitter=0.1))


def run_provider(call: Callable[[PomsProvider], Any], *, key: str = KEY, secret: str = SECRET,
                 cache: MemoryCache | None = None, finder_clock: Clock | None = None,
                 with_finder: bool = False, page_cache: MemoryCache | None = None) -> Any:
    """Run ``call(provider)`` on virtual time; returns (result, POMS gateway stats, finder)."""

    async def main() -> Any:
        async with create_client() as client:
            finder = (CredentialFinder(pages_gateway(client, cache=page_cache), clock=finder_clock or Clock())
                      if with_finder else None)
            gateway = poms_gateway(client, PomsAuth(key, secret, clock=lambda: EPOCH, finder=finder), cache)
            result = await call(PomsProvider(gateway))
            return result, gateway.stats(), finder

    return run_virtual(main)


def key_of(request: httpx.Request) -> str:
    return request.headers["Authorization"].removeprefix("NPO ").rpartition(":")[0]


def signature_is_valid(request: httpx.Request, secret: str) -> bool:
    """Checks a request's signature the way POMS would (from what was sent)."""
    expected = sign(key_of(request), secret, origin=request.headers["Origin"],
                    date=request.headers["X-NPO-Date"], path=api_path(request.url.path),
                    params=request.url.params.multi_items())
    return request.headers["Authorization"] == expected


CREDENTIAL_PAGE = (  # CONSTRUCTED: a cinema.nl-like page linking its scripts
    '<!DOCTYPE html><html><head>'
    '<script async src="https://www.googletagmanager.com/gtm.js?id=GTM-X"></script>'
    '<script src="/static/app.js"></script><script src="static/npo.js?v=3"></script>'
    "</head><body><h1>Zoeken</h1></body></html>")


def credential_script(key: str, secret: str) -> str:  # CONSTRUCTED: the names NPO's JS library reads
    return f'window.cfg = {{npoApiKey: "{key}", vpronlSecret: "{secret}"}};'


def mock_cinema(router: respx.MockRouter, key: str = NEW_KEY, secret: str = SECRET) -> dict[str, respx.Route]:
    html = {"Content-Type": "text/html; charset=utf-8"}
    script = {"Content-Type": "application/javascript"}
    return {
        "page": router.get(f"{CINEMA}/zoeken").mock(return_value=httpx.Response(200, text=CREDENTIAL_PAGE,
                                                                                  headers=html)),
        "app": router.get(f"{CINEMA}/static/app.js").mock(return_value=httpx.Response(
            200, text="console.log('no keys here');", headers=script)),
        "config": router.get(f"{CINEMA}/static/npo.js").mock(return_value=httpx.Response(
            200, text=credential_script(key, secret), headers=script)),
    }


def accept_only(key: str, secret: str, body: Any) -> Callable[[httpx.Request], httpx.Response]:
    """A POMS that answers ``body`` to requests validly signed with ``key``/``secret``, else 401."""

    def answer(request: httpx.Request) -> httpx.Response:
        if key_of(request) == key and signature_is_valid(request, secret):
            return httpx.Response(200, json=body)
        return httpx.Response(401, json={"status": 401, "message": "Unauthorized"})

    return answer


# --- signing -----------------------------------------------------------------------------------


def test_the_published_test_vector():
    assert signing_message("http://www.vpro.nl", "Fri, 30 Oct 2015 08:43:31 -0000", "/media") == (
        "origin:http://www.vpro.nl,x-npo-date:Fri, 30 Oct 2015 08:43:31 -0000,uri:/v1/media")
    assert sign("a", "b", origin="http://www.vpro.nl", date="Fri, 30 Oct 2015 08:43:31 -0000",
                path="/media") == "NPO a:CtHYR9a+nr17OIn5rYml6a+A9ujqe0IywWqr93/DAOk="


def test_query_parameters_are_signed_sorted_raw_and_without_none():
    message = signing_message("o", "d", "/api/pages/",
                              {"profile": "vprocinema", "max": "10", "sort": None, "q": "a b&c"})
    assert message == "origin:o,x-npo-date:d,uri:/v1/api/pages/,max:10,profile:vprocinema,q:a b&c"
    assert signing_message("o", "d", "/x", [("b", 1), ("a", 2)]).endswith("uri:/v1/x,a:2,b:1")


@pytest.mark.parametrize(("path", "signed"), [
    ("/v1/api/pages/", "/api/pages/"), ("/v1/api/media", "/api/media"),
    ("/proxy/v1/api/media", "/api/media"), ("/api/media", "/api/media")])
def test_the_signed_path_is_relative_to_the_api_root(path, signed):
    assert api_path(path) == signed


def test_the_date_header_is_rfc_1123_gmt():
    assert npo_date(EPOCH) == "Fri, 30 Oct 2015 08:43:31 GMT"


def test_requests_are_signed_at_send_time():
    with respx.mock() as router:
        route = router.post(PAGES_URL).mock(return_value=httpx.Response(200, json=constructed_pages()))
        run_provider(lambda p: p.search("Zwartboek", 2006, MediaKind.MOVIE, "nl"))
    request = route.calls.last.request
    assert request.headers["X-NPO-Date"] == "Fri, 30 Oct 2015 08:43:31 GMT"
    assert request.headers["Origin"] == "https://www.vprogids.nl"
    assert request.headers["Authorization"] == sign(
        KEY, SECRET, origin="https://www.vprogids.nl", date="Fri, 30 Oct 2015 08:43:31 GMT",
        path="/api/pages/", params={"profile": "vprocinema", "max": "10"})


def test_auth_needs_credentials_or_a_finder():
    with pytest.raises(InvalidInput, match="no API key and secret"):
        PomsAuth(" ", SECRET)
    with pytest.raises(InvalidInput):
        auth_for(KEY, "")


# --- parsing -------------------------------------------------------------------------------------


def test_constructed_vprocinema_pages_are_parsed():
    pages = parse_pages(constructed_pages())
    assert pages[0] == CinemaPage(
        kind=MediaKind.MOVIE, page_id="https://www.cinema.nl/db/9000001-zwartboek", title="Zwartboek",
        description=('Verhoeven maakt van de bezetting een "jongensboek" vol verraad & bedrog.\n\n'
                     "Carice van Houten is onvergetelijk."),
        url="https://www.cinema.nl/db/9000001-zwartboek", year=2006, directors=("Paul Verhoeven",),
        appreciation=8, age_rating="16", genres=("Oorlog", "Thriller"),
        image_url="https://images.vpro.nl/images/9000001.jpg")  # the vprogids.nl image (410 Gone) skipped
    series = pages[1]
    assert (series.kind, series.year, series.directors, series.appreciation, series.age_rating) == (
        MediaKind.SHOW, 1999, ("Regisseur Een", "Regisseur Twee"), 6, "AL")
    assert series.image_url == ""
    bare = pages[2]
    assert (bare.title, bare.description, bare.year, bare.directors, bare.appreciation) == (
        "Zwart", "", None, (), None)
    assert [page.title for page in pages] == ["Zwartboek", "Het zwarte boek", "Zwart"]  # the ARTICLE left out


def test_a_page_becomes_a_dutch_candidate():
    candidate = parse_pages(constructed_pages())[0].candidate()
    assert candidate == Candidate(
        provider="poms", provider_id="https://www.cinema.nl/db/9000001-zwartboek", kind=MediaKind.MOVIE,
        title="Zwartboek", year=2006,
        summary=('Verhoeven maakt van de bezetting een "jongensboek" vol verraad & bedrog.\n\n'
                 "Carice van Houten is onvergetelijk."),
        summary_language="nl", poster_url="https://images.vpro.nl/images/9000001.jpg")
    assert parse_pages(constructed_pages())[2].candidate().summary_language == ""


def test_the_recorded_pages_search_shape():
    """A real (non-vprocinema) pages answer: its HOME/ARTICLE pages are not films, but the
    description is read from the recorded fields: paragraphs[0].body, else summary."""
    data = recorded("poms_pages_search_response_example.json")
    assert parse_pages(data) == []
    home, article = (dict(item["result"], type="MOVIE") for item in data["items"])
    assert parse_page(article).description == article["paragraphs"][0]["body"]
    assert parse_page(article).image_url.startswith("http://www-acc.vpro.nl/.imaging/")
    assert parse_page(home).description == home["summary"]
    assert parse_page(home).image_url == "http://images.poms.omroep.nl/image/s360/144540.jpg"
    assert parse_page(home).page_id == "http://www-acc.vpro.nl/programmas/absolutely-fabulous.html"


def test_the_recorded_media_search():
    woord, corrie = parse_media(recorded("poms_media_search_response_readme.json"))
    assert (woord.provider, woord.provider_id, woord.kind, woord.title, woord.summary, woord.summary_language) == (
        "poms", "POMS_S_VPRO_157807", MediaKind.SHOW, "WOORD 27 oktober 2012: UUR 1", "Het Radiohistorisch Amsterdam",
        "nl")
    assert woord.poster_url == ""
    assert (corrie.provider_id, corrie.title, corrie.alternative_titles) == ("POMS_S_NTR_470249", "Dokter Corrie", ())
    assert corrie.summary.startswith("Dokter Corrie, hilarisch vertolkt door Martine Sandifort")
    assert corrie.poster_url == "https://images.poms.omroep.nl/image/s360/367113.jpg"


@pytest.mark.parametrize(("types", "chosen"), [
    (("SHORT", "LONG", "MAIN"), "MAIN"), (("SHORT", "MEDIUM"), "MEDIUM"), (("KICKER", "SHORT"), "SHORT"),
    (("UNHEARD_OF", "LEXICO"), "LEXICO"), (("UNHEARD_OF",), "UNHEARD_OF")])
def test_descriptions_by_type_preference(types, chosen):
    result = {"mid": "M1", "type": "SERIES", "titles": [{"value": "T", "type": "MAIN"}],
              "descriptions": [{"value": f"text {kind}", "owner": "NPO", "type": kind} for kind in types]}
    candidate = programme_candidate(result)
    assert candidate is not None and candidate.summary == f"text {chosen}"


def test_titles_by_type():
    candidate = programme_candidate({"mid": "M2", "type": "MOVIE", "titles": [
        {"value": "Lexico, De", "type": "LEXICO"}, {"value": "Kort", "type": "SHORT"},
        {"value": "Origineel", "type": "ORIGINAL"}, {"value": "Hoofdtitel", "type": "MAIN"}]})
    assert candidate is not None
    assert (candidate.kind, candidate.title, candidate.original_title, candidate.alternative_titles) == (
        MediaKind.MOVIE, "Hoofdtitel", "Origineel", ("Origineel", "Kort"))
    assert candidate.summary == "" and candidate.summary_language == ""


@pytest.mark.parametrize("result", [
    None, "page", {"type": "MOVIE", "url": "u"}, {"type": "MOVIE", "title": "t"},
    {"type": "ARTICLE", "title": "t", "url": "u"}, {"type": ["MOVIE"], "title": "t", "url": "u"}])
def test_unusable_page_results_are_skipped(result):
    assert parse_page(result) is None


def test_odd_field_types_are_skipped_not_fatal():
    page = parse_page({"type": "MOVIE", "title": " T ", "id": "p-1", "paragraphs": ["x", {"body": 3}],
                       "summary": "<b>S</b>", "relations": [{"type": "CINEMA_YEAR", "value": 2001},
                                                            {"type": "CINEMA_APPRECIATION", "value": "nan"},
                                                            {"type": "CINEMA_AGERATING", "value": True}, "x"],
                       "genres": [{"displayName": None}, "Drama"], "images": [{"url": "/relative.jpg"}]})
    assert page == CinemaPage(kind=MediaKind.MOVIE, page_id="p-1", title="T", description="S", year=2001)
    assert parse_page({"type": "MOVIE", "title": "T", "url": "u", "relations": [
        {"type": "CINEMA_APPRECIATION", "value": "11"}]}).appreciation is None


@pytest.mark.parametrize("data", [None, [], "x", {"items": None}, {"total": 0}])
def test_answers_of_the_wrong_shape_are_bad_responses(data):
    with pytest.raises(BadResponse, match=r"^NPO POMS: "):
        parse_pages(data)
    with pytest.raises(BadResponse, match=r"^NPO POMS: "):
        parse_media(data)


def test_junk_items_are_skipped():
    assert parse_pages({"items": ["x", None, {"result": "x"}, {}]}) == []
    assert parse_media({"items": [{"result": {"mid": "M", "type": "SERIES", "titles": "x"}}, 3]}) == []


# --- the provider over the gateway ------------------------------------------------------------


def test_movie_search_is_one_cached_pages_request():
    provider_type: type[Provider] = PomsProvider
    assert provider_type.kinds == frozenset({MediaKind.MOVIE, MediaKind.SHOW})
    cache = KeyRecordingCache()

    async def twice(provider: PomsProvider) -> list[list[Candidate]]:
        return [await provider.search("Zwartboek", 2006, MediaKind.MOVIE, "en") for _ in range(2)]

    with respx.mock() as router:
        route = router.post(PAGES_URL).mock(return_value=httpx.Response(200, json=constructed_pages()))
        (first, second), stats, _ = run_provider(twice, cache=cache)
    request = route.calls.last.request
    assert dict(request.url.params) == {"profile": "vprocinema", "max": "10"}
    assert json.loads(request.content) == {"highlight": True, "searches": {"text": "Zwartboek"},
                                           "facets": {"types": {"include": "MOVIE"}}}
    assert [c.title for c in first] == ["Zwartboek", "Zwart"]  # the SERIES page is not a movie
    assert first == second and first[0].summary_language == "nl"
    assert (stats.requests, stats.cache_hits, cache.ttls) == (1, 1, [SEARCH_TTL])


def test_show_search_asks_for_series_then_programmes():
    no_pages = {"facets": {}, "selectedFacets": {}, "total": 0, "offset": 0, "max": 10, "items": []}
    with respx.mock() as router:
        pages = router.post(PAGES_URL).mock(return_value=httpx.Response(200, json=no_pages))
        media = router.post(MEDIA_URL).mock(return_value=httpx.Response(
            200, json=recorded("poms_media_search_response_readme.json")))
        found, stats, _ = run_provider(lambda p: p.search("Dokter Corrie", None, MediaKind.SHOW, "nl"))
        page_form = json.loads(pages.calls.last.request.content)
        media_request = media.calls.last.request
    assert page_form["facets"] == {"types": {"include": "SERIES"}}
    assert json.loads(media_request.content) == {"searches": {"text": "Dokter Corrie"}}
    assert dict(media_request.url.params) == {"max": "10"}
    assert signature_is_valid(media_request, SECRET)
    assert [c.provider_id for c in found] == ["POMS_S_VPRO_157807", "POMS_S_NTR_470249"]
    assert stats.requests == 2


def test_show_search_with_a_series_page_asks_nothing_more():
    with respx.mock() as router:
        router.post(PAGES_URL).mock(return_value=httpx.Response(200, json=constructed_pages()))
        found, stats, _ = run_provider(lambda p: p.search("Het zwarte boek", None, MediaKind.SHOW, "nl"))
    assert [(c.title, c.kind) for c in found] == [("Het zwarte boek", MediaKind.SHOW)]
    assert stats.requests == 1


def test_lookup_details_and_episodes_ask_nothing():
    page = parse_pages(constructed_pages())[0].candidate()

    async def calls(provider: PomsProvider) -> Any:
        return (await provider.lookup(ExternalIds(imdb="tt0389557", tmdb=9075), MediaKind.MOVIE, "nl"),
                await provider.details(page, "nl"), await provider.episode_summaries(page, "nl"),
                await provider.search("  ", None, MediaKind.MOVIE, "nl"),
                await provider.search("Zwartboek", None, MediaKind.EPISODE, "nl"))

    with respx.mock():
        (found, detailed, episodes, blank, episode), stats, _ = run_provider(calls)
    assert found is None and detailed is page and episodes == {} and blank == [] and episode == []
    assert stats.requests == 0


# --- credentials: refresh on 401/403 ------------------------------------------------------------


def test_401_refreshes_the_credentials_once_then_succeeds():
    with respx.mock() as router:
        cinema = mock_cinema(router, NEW_KEY, NEW_SECRET)
        pages = router.post(PAGES_URL).mock(side_effect=accept_only(NEW_KEY, NEW_SECRET, constructed_pages()))
        found, stats, finder = run_provider(
            lambda p: p.search("Zwartboek", None, MediaKind.MOVIE, "nl"), with_finder=True)
        keys = [key_of(call.request) for call in pages.calls]
    assert [c.title for c in found] == ["Zwartboek", "Zwart"]
    assert keys == [KEY, NEW_KEY]
    assert [route.call_count for route in cinema.values()] == [1, 1, 1]  # off-site gtm.js never asked
    assert finder.cached == PomsCredentials(NEW_KEY, NEW_SECRET)
    assert stats.requests == 1 and stats.failures == {}


def test_403_is_treated_like_401():
    def answer(request: httpx.Request) -> httpx.Response:
        if key_of(request) == NEW_KEY:
            return httpx.Response(200, json=constructed_pages())
        return httpx.Response(403, json={"status": 403, "message": "Forbidden"})

    with respx.mock() as router:
        mock_cinema(router, NEW_KEY, NEW_SECRET)
        pages = router.post(PAGES_URL).mock(side_effect=answer)
        found, _, _ = run_provider(lambda p: p.search("Zwartboek", None, MediaKind.MOVIE, "nl"), with_finder=True)
    assert found and pages.call_count == 2


def test_401_twice_is_a_clear_auth_failure_and_the_cooldown_holds():
    clock = Clock()
    errors: list[AuthFailed] = []

    async def three_searches(provider: PomsProvider) -> None:
        for advance in (0.0, 30.0, 31.0):
            clock.now += advance
            try:
                await provider.search(f"Film {advance}", None, MediaKind.MOVIE, "nl")
            except AuthFailed as err:
                errors.append(err)

    with respx.mock() as router:
        cinema = mock_cinema(router, NEW_KEY, NEW_SECRET)
        pages = router.post(PAGES_URL).mock(return_value=httpx.Response(401, json={"status": 401}))
        run_provider(three_searches, finder_clock=clock, with_finder=True)
        keys = [key_of(call.request) for call in pages.calls]
    assert len(errors) == 3
    assert str(errors[0]) == ("NPO POMS: refused the API key and secret (HTTP 401), "
                              "also after fetching them again")
    assert errors[0].user_message.endswith("Enter a POMS key and secret in Settings.")
    assert errors[0].status == 401
    # t=0: refused, fetched the published key, refused again. t=30: within the cooldown, no fetch,
    # no retry. t=61: fetched again, but it is the key just refused, so no retry either.
    assert keys == [KEY, NEW_KEY, NEW_KEY, NEW_KEY]
    assert cinema["page"].call_count == 2
    assert str(errors[1]) == "NPO POMS: refused the API key and secret (HTTP 401)"


def test_without_a_finder_a_401_is_not_retried():
    with respx.mock() as router:
        pages = router.post(PAGES_URL).mock(return_value=httpx.Response(401, json={"status": 401}))
        with pytest.raises(AuthFailed, match=r"refused the API key and secret \(HTTP 401\)$"):
            run_provider(lambda p: p.search("Zwartboek", None, MediaKind.MOVIE, "nl"))
    assert pages.call_count == 1


def test_without_credentials_the_finder_supplies_them_before_the_first_request():
    with respx.mock() as router:
        cinema = mock_cinema(router, NEW_KEY, NEW_SECRET)
        pages = router.post(PAGES_URL).mock(side_effect=accept_only(NEW_KEY, NEW_SECRET, constructed_pages()))
        found, _, _ = run_provider(lambda p: p.search("Zwartboek", None, MediaKind.MOVIE, "nl"),
                                   key="", secret="", with_finder=True)
    assert found and pages.call_count == 1 and cinema["page"].call_count == 1


def test_nothing_published_and_no_credentials_sends_nothing_to_poms():
    with respx.mock(assert_all_called=False) as router:
        router.get(f"{CINEMA}/zoeken").mock(return_value=httpx.Response(404, text="<h1>Niet gevonden</h1>"))
        pages = router.post(PAGES_URL).mock(return_value=httpx.Response(200, json=constructed_pages()))
        with pytest.raises(AuthFailed, match="no API key and secret are set") as raised:
            run_provider(lambda p: p.search("Zwartboek", None, MediaKind.MOVIE, "nl"),
                         key="", secret="", with_finder=True)
    assert pages.call_count == 0
    assert "Settings" in raised.value.user_message


def test_concurrent_401s_share_one_refresh():
    async def together(provider: PomsProvider) -> list[list[Candidate]]:
        return list(await asyncio.gather(*(provider.search(f"Zwartboek {n}", None, MediaKind.MOVIE, "nl")
                                           for n in range(3))))

    with respx.mock() as router:
        cinema = mock_cinema(router, NEW_KEY, NEW_SECRET)
        router.post(PAGES_URL).mock(side_effect=accept_only(NEW_KEY, NEW_SECRET, constructed_pages()))
        results, _, _ = run_provider(together, with_finder=True)
    assert all(results) and cinema["page"].call_count == 1


# --- the credential finder ---------------------------------------------------------------------


@pytest.mark.parametrize(("text", "found"), [
    ('cfg = {"vpronlApiKey": "k-123", "vpronlSecret": "s-456"}', ("k-123", "s-456")),
    ("npoApiKey = 'k-abc'; vpronlSecret='s-def';", ("k-abc", "s-def")),
    ('npoApiKey: "npo-key", vpronlApiKey: "vpro-key"', ("vpro-key", None)),
    ('vpronlApiKey:"first1",vpronlApiKey:"second"', ("first1", None)),
    ('apiKey: "nope", secret: "nope", vpronlSecret: ""', (None, None)),
])
def test_published_credentials(text, found):
    assert published_credentials(text) == found


def test_script_paths_are_same_site_only():
    html = ('<script src="/a.js"></script><SCRIPT type="module" src=\'b.js?v=2\'></SCRIPT>'
            '<script src="https://www.cinema.nl/c.js"></script><script src="//cdn.example.com/d.js"></script>'
            '<script src="https://evil.example/e.js"></script><script src="/a.js"></script><script>inline</script>')
    assert script_paths(html, "/films/zoeken", CINEMA) == ["/a.js", "/films/b.js?v=2", "/c.js"]
    assert script_paths('<script src="/x/app.js"></script><script src="/y.js"></script>', "/page",
                        "http://127.0.0.1:9/x") == ["/app.js"]


def test_the_cooldown_is_at_least_a_minute():
    with pytest.raises(ValueError, match="at least 60"):
        CredentialFinder(pages=None, cooldown=59.0)  # type: ignore[arg-type]


def test_the_finder_caches_in_memory_only_and_reports_new_values():
    page_cache = KeyRecordingCache()
    heard: list[PomsCredentials] = []
    clock = Clock()
    fetches: list[int] = []

    async def main(page: respx.Route) -> list[PomsCredentials | None]:
        async with create_client() as client:
            finder = CredentialFinder(pages_gateway(client, cache=page_cache), clock=clock, on_found=heard.append)
            found = [await finder.credentials()]
            fetches.append(page.call_count)
            clock.now += 60.0
            found.append(await finder.credentials())  # the cooldown is over, but nothing was refused
            fetches.append(page.call_count)
            found.append(await finder.refresh())
            fetches.append(page.call_count)
            return found

    with respx.mock() as router:
        cinema = mock_cinema(router, NEW_KEY, NEW_SECRET)
        found = run_virtual(lambda: main(cinema["page"]))
    assert found == [PomsCredentials(NEW_KEY, NEW_SECRET)] * 3
    assert fetches == [1, 1, 2]
    assert heard == [PomsCredentials(NEW_KEY, NEW_SECRET)]  # the same values again are not news
    assert len(page_cache) == 0 and page_cache.keys == []
    assert NEW_SECRET not in repr(found)


def test_a_failing_page_keeps_the_known_values(caplog):
    known = PomsCredentials("known-key-1", "known-secret-1")

    async def main() -> PomsCredentials | None:
        async with create_client() as client:
            finder = CredentialFinder(pages_gateway(client), known=known)
            return await finder.refresh()

    with respx.mock() as router:
        router.get(f"{CINEMA}/zoeken").mock(return_value=httpx.Response(503, text="down"))
        assert run_virtual(main) == known
    assert "could not read the pages that publish the key" in caplog.text


# --- secrets -----------------------------------------------------------------------------------


def test_key_and_secret_are_in_no_log_record_error_or_cache_key(caplog):
    caplog.set_level(logging.DEBUG)
    cache = KeyRecordingCache()
    page_cache = KeyRecordingCache()
    errors: list[RemoteError] = []
    clock = Clock()

    async def exercise(provider: PomsProvider) -> None:
        await provider.search("Zwartboek", None, MediaKind.MOVIE, "nl")  # 401, refresh, success
        await provider.search("Zwartboek", None, MediaKind.SHOW, "nl")
        for title in ("Refused", "Refused again"):
            clock.now += 61
            try:
                await provider.search(title, None, MediaKind.MOVIE, "nl")
            except RemoteError as err:
                errors.append(err)

    def answer(request: httpx.Request) -> httpx.Response:
        if b"Refused" in request.content:
            return httpx.Response(401, json={"status": 401, "message": "Unauthorized"})
        return accept_only(NEW_KEY, NEW_SECRET, constructed_pages())(request)

    with respx.mock() as router:
        mock_cinema(router, NEW_KEY, NEW_SECRET)
        pages = router.post(PAGES_URL).mock(side_effect=answer)
        run_provider(exercise, cache=cache, finder_clock=clock, with_finder=True, page_cache=page_cache)
    assert pages.call_count == 5
    assert [type(e).__name__ for e in errors] == ["AuthFailed", "AuthFailed"]
    assert any(r.name == "httpx" for r in caplog.records)
    assert any(r.name == "curator.providers.poms" for r in caplog.records)
    for value in (KEY, SECRET, NEW_KEY, NEW_SECRET):
        assert all(value not in f"{r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records)
        assert value not in repr(cache.keys) and value not in repr(page_cache.keys)
        assert all(value not in f"{e} {e.user_message} {''.join(traceback.format_exception(e))}"
                   for e in errors)
    assert all("Authorization" not in key and "X-NPO-Date" not in key for key in cache.keys)
    assert len(set(cache.keys)) == 4  # two searches, two refused titles; date and signature not in them


# --- against the fake POMS on loopback --------------------------------------------------------


@pytest.fixture
def fake_poms() -> Iterator[FakePoms]:
    with FakePoms(World(), rate=RateLimit(1000, 1.0)) as server:
        yield server


async def search_fake(fake: FakePoms, title: str, kind: MediaKind, *, key: str, secret: str,
                      finder_clock: Clock | None = None) -> tuple[list[Candidate], CredentialFinder]:
    async with create_client() as client:
        pages = pages_gateway(client, base=fake.cinema_url)
        finder = CredentialFinder(pages, clock=finder_clock or Clock())
        config = dataclasses.replace(default_settings({})["poms"], base_url=fake.url)
        gateway = build_gateway(config, client, cache=MemoryCache(), auth=PomsAuth(key, secret, finder=finder),
                                cache_offload=run_inline)
        return await PomsProvider(gateway).search(title, None, kind, "nl"), finder


@pytest.mark.asyncio
async def test_the_fake_serves_its_reviews_to_the_client(fake_poms):
    found, _ = await search_fake(fake_poms, "Zwartboek", MediaKind.MOVIE, key=POMS_API_KEY, secret=POMS_API_SECRET)
    [zwartboek] = found
    assert (zwartboek.title, zwartboek.year, zwartboek.summary_language) == ("Zwartboek", 2006, "nl")
    assert zwartboek.summary == REVIEWS["movie/zwartboek-2006"].text
    assert zwartboek.summary != catalogue_work("movie/zwartboek-2006").summary("nl")
    assert zwartboek.poster_url.startswith(fake_poms.origin)
    shows, _ = await search_fake(fake_poms, "Tegenlicht", MediaKind.SHOW, key=POMS_API_KEY, secret=POMS_API_SECRET)
    assert [(c.title, c.provider_id) for c in shows] == [("Tegenlicht", "POMS_S_VPRO_9900001")]
    assert fake_poms.auth_refused == 0


@pytest.mark.asyncio
async def test_rotated_credentials_are_found_again_on_the_fake(fake_poms):
    fake_poms.rotate_credentials("rotated-key-77", "rotated-secret-77")
    found, finder = await search_fake(fake_poms, "Karakter", MediaKind.MOVIE, key="stale-key-1",
                                      secret="stale-secret-1")
    assert [c.title for c in found] == ["Karakter"]
    assert finder.cached == PomsCredentials("rotated-key-77", "rotated-secret-77")
    assert fake_poms.auth_refused == 1
    assert fake_poms.requests.by_endpoint["/zoeken"] == 1

    fake_poms.rotate_credentials("unpublished-key", "unpublished-secret", publish=False)
    with pytest.raises(AuthFailed, match="also after fetching them again"):
        await search_fake(fake_poms, "Karakter", MediaKind.MOVIE, key="stale-key-1", secret="stale-secret-1")
