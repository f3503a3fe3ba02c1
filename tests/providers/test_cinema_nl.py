"""cinema.nl: the scraper's parsing over constructed pages, the provider over respx through a real
ProviderGateway on virtual time, and the provider against the fake cinema.nl on loopback."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
import respx

from curator.demo import catalogue
from curator.demo.providers.cinema_nl import FILMS, FakeCinemaNl
from curator.demo.providers.ratelimit import RateLimit
from curator.demo.providers.world import World
from curator.domain.models import Candidate, ExternalIds, MediaKind
from curator.net.gateway import MemoryCache, ProviderGateway, run_inline
from curator.net.http import create_client
from curator.net.resilience import RetryPolicy
from curator.providers.base import Provider, Rate, build_gateway, default_settings
from curator.providers.cinema_nl import (
    BLOCK_COOLDOWN,
    MAX_DETAIL_SCRAPES,
    Blocked,
    Card,
    CinemaNlProvider,
    FilmPage,
    card_candidate,
    page_candidate,
    parse_film_page,
    parse_search_page,
    plain_ref,
    strip_diacritics,
    wall_marker,
)
from tests.net.virtual_time import now, run_virtual

FIXTURES = Path(__file__).parents[1] / "fixtures" / "providers"
BASE = "https://www.cinema.nl"
ZWARTBOEK_QUOTE = ("Verhoeven keert terug naar Nederland met een oorlogsthriller die geen helden kent, alleen "
                   "overlevers.\n\nCarice van Houten draagt de film van begin tot eind.")


def page(name: str) -> str:
    return (FIXTURES / f"cinema_nl_{name}_CONSTRUCTED.html").read_text(encoding="utf-8")


def html_response(body: str, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, content=body.encode(), headers={"Content-Type": "text/html; charset=utf-8",
                                                                   **headers})




def make_gateway(client: httpx.AsyncClient, *, cache: MemoryCache | None = None, rate: Rate | None = None,
                 clock: Callable[[], float] = now, base_url: str = BASE) -> ProviderGateway:
    """The gateway the app builds for cinema.nl: its default 2 pages a second, one at a time."""
    config = dataclasses.replace(default_settings({})["cinema_nl"], base_url=base_url)
    if rate is not None:
        config = dataclasses.replace(config, rate=rate)
    return build_gateway(config, client, cache=cache if cache is not None else MemoryCache(), clock=clock,
                         cache_offload=run_inline, retry=RetryPolicy(attempts=3, base_delay=0.5, jitter=0.1))


def run_provider(call, *, cache: MemoryCache | None = None):
    """Run ``call(provider)`` on virtual time; (result, gateway stats)."""

    async def main():
        async with create_client() as client:
            gateway = make_gateway(client, cache=cache)
            result = await call(CinemaNlProvider(gateway, clock=now))
            return result, gateway.stats()

    return run_virtual(main)


def ours(ref: str, title: str = "Film", year: int | None = None) -> Candidate:
    return Candidate(provider="cinema_nl", provider_id=ref, kind=MediaKind.MOVIE, title=title, year=year)


# --- parsing: film pages -------------------------------------------------------------------


@pytest.mark.parametrize(("name", "source", "description"), [
    ("film_blockquote", "blockquote", ZWARTBOEK_QUOTE),
    ("film_article", "article",
     "Beeldhouwer Eric ontmoet Olga als hij liftend door Amsterdam zwerft & vanaf dat moment draait zijn hele "
     "leven om haar. Verhoeven filmt Wolkers\u2019 roman als een rauwe liefdesgeschiedenis."),
    ("film_intro", "class",
     "Jacob Katadreuffe groeit op in de schaduw van deurwaarder Dreverhaven,\nde vader die hem nooit erkent."
     "\n\nMike van Diem verfilmt Bordewijk als een somber duel."),
    ("film_meta", "meta",
     "Psycholoog Kris Kelvin moet boven de planeet Solaris beslissen of het onderzoek stopt & ontmoet zijn "
     "overleden vrouw."),
    ("film_og", "og", "Documentaireserie van de VPRO over de ideeën die de toekomst vormgeven."),
])
def test_each_place_a_description_can_come_from_in_priority_order(name, source, description):
    parsed = parse_film_page(page(name))
    assert (parsed.description_source, parsed.description) == (source, description)


def test_the_full_film_page_gives_every_field():
    parsed = parse_film_page(page("film_blockquote"), page_url=f"{BASE}/db/9500001-zwartboek")
    assert parsed == FilmPage(
        title="Zwartboek", description=ZWARTBOEK_QUOTE, description_source="blockquote", year=2006, kind="film",
        rating=8, age_rating="16", imdb="tt0389557",
        poster_url="https://images.vpro.nl/images/9500001+s(300)",  # not the sponsor's "poster"
    )  # and not the year or stars in the page's script


@pytest.mark.parametrize(("name", "fields"), [
    ("film_article", {"title": "Turks fruit", "year": 1973, "rating": 10, "age_rating": "16",
                      "imdb": "tt99100016", "poster_url": "https://images.vpro.nl/images/9500002"}),
    ("film_intro", {"year": 1997, "rating": 6, "age_rating": "12", "imdb": "tt99100018", "poster_url": ""}),
    ("film_meta", {"year": 1972, "kind": "film", "rating": None, "age_rating": "AL", "imdb": None}),
    ("film_og", {"year": 2002, "kind": "serie", "age_rating": "AL", "imdb": "tt0913290"}),
])
def test_fields_in_their_other_spellings(name, fields):
    parsed = parse_film_page(page(name), page_url=f"{BASE}/db/1-x")
    assert {field: getattr(parsed, field) for field in fields} == fields


def test_posters_come_only_from_the_image_host_asked_for():
    html = page("film_blockquote")
    assert parse_film_page(html, image_origin="http://127.0.0.1:8123").poster_url == ""
    relative = html.replace("https://images.vpro.nl/images/9500001+s(300)", "/images/9500001.png")
    assert parse_film_page(relative, page_url="http://127.0.0.1:8123/db/9500001-zwartboek",
                           image_origin="http://127.0.0.1:8123").poster_url == "http://127.0.0.1:8123/images/9500001.png"


@pytest.mark.parametrize("html", [page("film_bare"), "", "not a page at all", '{"title": "JSON"}', "<html><h1></h1>"])
def test_a_page_missing_its_elements_is_no_description_not_an_error(html):
    parsed = parse_film_page(html)
    assert parsed == FilmPage()
    known = ours("9500022-zwart-water", "Zwart water", 1998)
    candidate = page_candidate(parsed, "9500022-zwart-water", known)
    assert (candidate.summary, candidate.summary_language) == ("", "")
    assert (candidate.title, candidate.year, candidate.kind) == ("Zwart water", 1998, MediaKind.MOVIE)


def test_a_page_becomes_a_dutch_candidate_and_keeps_the_card_title_as_an_alternative():
    card = Card("9500021-zwartboek-de-serie", "Zwartboek: de serie", 2006, 2, "serie")
    candidate = page_candidate(parse_film_page(page("film_og")), card.ref, card_candidate(card))
    assert candidate == Candidate(
        provider="cinema_nl", provider_id="9500021-zwartboek-de-serie", kind=MediaKind.SHOW, title="Tegenlicht",
        year=2002, alternative_titles=("Zwartboek: de serie",), ids=ExternalIds(imdb="tt0913290"),
        summary="Documentaireserie van de VPRO over de ideeën die de toekomst vormgeven.", summary_language="nl")


def test_parsed_values_survive_the_cache_and_odd_cached_data_is_not_fatal():
    parsed = parse_film_page(page("film_blockquote"))
    assert FilmPage.from_json(json.loads(json.dumps(parsed.to_json()))) == parsed
    assert FilmPage.from_json({"title": 7, "year": "2006", "imdb": None, "rating": True}) == FilmPage()
    assert FilmPage.from_json(["not", "a", "page"]) == FilmPage()
    card = Card("1-x", "X", 2000, 3, "film")
    assert Card.from_json(card.to_json()) == card
    assert Card.from_json({"ref": "1-x"}) is None and Card.from_json("1-x") is None


# --- parsing: search pages, addresses, walls ---------------------------------------------------


def test_search_cards_in_order_without_other_links_repeats_or_untitled_cards():
    assert parse_search_page(page("search")) == [
        Card("9500001-zwartboek", "Zwartboek", 2006, 4, "film"),
        Card("9500020-het-zwarte-boek-van-amelie", "Het zwarte boek van Amélie", 2004, None, "film"),
        Card("9500021-zwartboek-de-serie", "Zwartboek: de serie", 2006, 2, "serie"),
        Card("9500022-zwart-water", "Zwart water", 1998, None, "film"),
    ]


def test_a_search_page_without_results_has_no_cards():
    assert parse_search_page(page("search_empty")) == []
    assert parse_search_page("") == []


@pytest.mark.parametrize(("link", "ref"), [
    ("/db/9500006-amélie", "9500006-amelie"),
    ("/db/9500006-am%C3%A9lie", "9500006-amelie"),
    ("/db/9500020-het-zwarte-boek-van-ame\u0301lie", "9500020-het-zwarte-boek-van-amelie"),  # combining accent
    ("https://www.cinema.nl/db/9500001-zwartboek/", "9500001-zwartboek"),
    ("/db/9500001-zwartboek?ref=zoeken#top", "9500001-zwartboek"),
    ("9500030-ça-tourne", "9500030-ca-tourne"),
    ("/db/9500001", "9500001"),
    ("/nieuws/9500001-zwartboek", None),
    ("/db/zwartboek", None),
    ("/db/9500001-a/../../admin", None),
    ("", None),
])
def test_slugs_are_stripped_of_diacritics(link, ref):
    assert plain_ref(link) == ref


@pytest.mark.parametrize(("text", "plain"), [
    ("Amélie", "Amelie"), ("naïve façade", "naive facade"), ("Über", "Uber"), ("Zoë", "Zoe"),
    ("Smørrebrød", "Smørrebrød"), ("zwartboek", "zwartboek"),
])
def test_strip_diacritics(text, plain):
    assert strip_diacritics(text) == plain


@pytest.mark.parametrize(("html", "marker"), [
    (page("wall_cloudflare"), "cf-turnstile"),
    (page("wall_recaptcha"), "g-recaptcha"),
    (page("wall_blocked"), "access denied"),
    ("<html><body><div class='cf-turnstile'></div></body></html>", "cf-turnstile"),
    ("<html><title>Just a moment...</title><script>window._cf_chl_opt={}</script></html>", "_cf_chl_opt"),
    ("<p>Our systems have detected unusual traffic from your computer network.</p>", "unusual traffic"),
    ("<html><title>Attention Required! | Cloudflare</title><p>Sorry, you have been blocked</p></html>",
     "attention required! | cloudflare"),
    ("<h1>403</h1><p>Automated requests are not allowed.</p>", "automated requests"),
])
def test_bot_walls_are_recognised_by_specific_markers(html, marker):
    assert wall_marker(html) == marker


@pytest.mark.parametrize("html", [
    page("film_blockquote"),
    page("search"),
    page("search_empty"),  # long, with "automated access" in its small print
    # a real page with a CAPTCHA in its newsletter form and a CDN's bot-detection script
    page("film_blockquote").replace("</main>", '<form class="Newsletter"><div class="g-recaptcha"></div></form>'
                                    '<script src="/cdn-cgi/challenge-platform/scripts/jsd/main.js"></script></main>'),
    # a film about robots, and a review saying "blocked"
    "<article><h1>I, Robot</h1><p>Are you a robot? The hero's path is blocked; access denied.</p></article>",
    "<html><body><h1>Deze pagina bestaat niet (meer).</h1></body></html>",
    "x" * 6000 + " access denied",  # "access denied" only counts on a short page
])
def test_real_pages_are_not_walls(html):
    assert wall_marker(html) == ""


def test_the_block_error_says_what_to_do_and_nothing_more():
    error = Blocked("cf-turnstile")
    assert str(error) == "cinema.nl: blocking automated requests; try again later"
    assert "skips cinema.nl" in error.user_message
    assert error.marker == "cf-turnstile"


# --- over the gateway (respx, virtual time) ----------------------------------------------------


def mock_site(router: respx.Router, pages: dict[str, str],
              search: str | None = None) -> tuple[respx.Route, respx.Route]:
    """/zoeken answers ``search``; /db/<ref> answers ``pages[ref]`` or a 404 page."""

    def film(request: httpx.Request) -> httpx.Response:
        ref = request.url.path.removeprefix("/db/")
        return html_response(pages[ref]) if ref in pages else html_response("<h1>Niet gevonden</h1>", 404)

    searched = router.get(f"{BASE}/zoeken").mock(return_value=html_response(search or page("search")))
    films = router.get(url__regex=rf"^{BASE}/db/.*").mock(side_effect=film)
    return searched, films


SEARCH_PAGES = {
    "9500001-zwartboek": page("film_blockquote"),
    "9500020-het-zwarte-boek-van-amelie": page("film_bare"),
    "9500021-zwartboek-de-serie": page("film_og"),
    "9500022-zwart-water": page("film_article"),
}


def test_protocol_and_names():
    provider_type: type[Provider] = CinemaNlProvider
    assert (provider_type.name, provider_type.kinds) == ("cinema_nl", frozenset({MediaKind.MOVIE}))
    config = default_settings({})["cinema_nl"]
    assert (config.label, config.base_url, config.rate, config.concurrency) == ("cinema.nl", BASE, Rate(2, 1.0), 1)


def test_search_sends_title_and_year_and_scrapes_at_most_three_pages():
    with respx.mock(assert_all_called=False) as router:
        searched, films = mock_site(router, SEARCH_PAGES)
        found, stats = run_provider(lambda p: p.search("Zwartboek", 2006, MediaKind.MOVIE, "en"))
        params = dict(searched.calls.last.request.url.params)
        asked = [call.request.url.raw_path.decode() for call in films.calls]
    assert params == {"q": "Zwartboek 2006", "model": "cinema"}
    assert asked == ["/db/9500001-zwartboek", "/db/9500020-het-zwarte-boek-van-amelie",
                     "/db/9500021-zwartboek-de-serie"]  # plain slugs; never the fourth card
    assert MAX_DETAIL_SCRAPES == 3 and stats.requests == 4
    zwartboek, amelie, serie, water = found
    assert (zwartboek.title, zwartboek.year, zwartboek.ids.imdb) == ("Zwartboek", 2006, "tt0389557")
    assert (zwartboek.summary, zwartboek.summary_language) == (ZWARTBOEK_QUOTE, "nl")
    assert (amelie.title, amelie.year, amelie.summary) == ("Het zwarte boek van Amélie", 2004, "")  # bare page
    assert serie.kind is MediaKind.SHOW
    assert water == Candidate(provider="cinema_nl", provider_id="9500022-zwart-water", kind=MediaKind.MOVIE,
                              title="Zwart water", year=1998)  # card only


def test_search_without_a_year_and_without_results():
    with respx.mock(assert_all_called=False) as router:
        searched, films = mock_site(router, {}, search=page("search_empty"))
        found, _ = run_provider(lambda p: p.search("sdfgv35wvg23vg2", None, MediaKind.MOVIE, "nl"))
        assert dict(searched.calls.last.request.url.params) == {"q": "sdfgv35wvg23vg2", "model": "cinema"}
        assert not films.calls
    assert found == []


@pytest.mark.parametrize(("title", "kind"), [("Tegenlicht", MediaKind.SHOW), ("  ", MediaKind.MOVIE)])
def test_a_show_or_empty_search_asks_nothing(title, kind):
    with respx.mock() as router:
        found, stats = run_provider(lambda p: p.search(title, None, kind, "nl"))
        assert not router.calls
    assert found == [] and stats.requests == 0


def test_the_cache_keeps_the_parsed_facts_not_the_page():
    cache = MemoryCache()

    async def search_then_details(provider: CinemaNlProvider):
        [first, *_] = await provider.search("Zwartboek", 2006, MediaKind.MOVIE, "nl")
        return first, await provider.details(first, "nl")

    with respx.mock(assert_all_called=False) as router:
        mock_site(router, SEARCH_PAGES)
        (found, detailed), stats = run_provider(search_then_details, cache=cache)
    assert detailed == found and (stats.requests, stats.cache_hits) == (4, 1)
    stored = [json.dumps(entry.payload) for _, entry in cache._entries.values()]
    assert len(stored) == 4 and not any("<" in text for text in stored)
    assert sum(map(len, stored)) < len(page("film_blockquote"))


def test_details_of_a_missing_page_keep_the_candidate():
    known = ours("9500099-weg", "Weg", 2001)
    with respx.mock(assert_all_called=False) as router:
        _, films = mock_site(router, {})
        detailed, stats = run_provider(lambda p: p.details(known, "nl"))
        assert films.call_count == 1
    assert detailed is known and stats.failures == {}


def test_details_ask_for_the_slug_without_diacritics():
    with respx.mock(assert_all_called=False) as router:
        _, films = mock_site(router, {"9500006-amelie": page("film_article")})
        detailed, _ = run_provider(lambda p: p.details(ours("9500006-amélie", "Amélie", 2001), "nl"))
        assert films.calls.last.request.url.raw_path == b"/db/9500006-amelie"
    assert detailed.provider_id == "9500006-amelie" and detailed.summary_language == "nl"


@pytest.mark.parametrize("candidate", [
    Candidate(provider="tmdb", provider_id="9075", kind=MediaKind.MOVIE, title="Black Book",
              ids=ExternalIds(imdb="tt0389557")),
    ours("../../admin"),
])
def test_details_of_another_providers_candidate_or_a_bad_id_ask_nothing(candidate):
    with respx.mock() as router:
        detailed, stats = run_provider(lambda p: p.details(candidate, "nl"))
        assert not router.calls
    assert detailed is candidate and stats.requests == 0


def test_lookup_by_id_is_not_possible_and_asks_nothing():
    with respx.mock() as router:
        found, stats = run_provider(lambda p: p.lookup(ExternalIds(imdb="tt0389557"), MediaKind.MOVIE, "nl"))
        assert not router.calls
    assert found is None and stats.requests == 0


def test_find_by_imdb_returns_the_candidate_whose_page_links_to_the_id():
    with respx.mock(assert_all_called=False) as router:
        _, films = mock_site(router, SEARCH_PAGES)
        found, _ = run_provider(lambda p: p.find_by_imdb("Zwartboek", 2006, "tt0913290"))
        assert films.call_count == 3
    assert found is not None and (found.provider_id, found.ids.imdb) == ("9500021-zwartboek-de-serie", "tt0913290")


@pytest.mark.parametrize("imdb_id", ["tt99100016", "tt0000001", ""])  # tt99100016: only on the 4th card's page
def test_find_by_imdb_without_a_linking_page_is_none(imdb_id):
    with respx.mock(assert_all_called=False) as router:
        _, films = mock_site(router, SEARCH_PAGES)
        found, _ = run_provider(lambda p: p.find_by_imdb("Zwartboek", 2006, imdb_id))
        assert films.call_count == (3 if imdb_id else 0)
    assert found is None


@pytest.mark.parametrize(("wall", "status"), [
    ("wall_cloudflare", 403), ("wall_cloudflare", 503), ("wall_recaptcha", 429), ("wall_recaptcha", 200),
    ("wall_blocked", 403), ("wall_blocked", 200),
])
def test_a_bot_wall_raises_blocked_is_not_retried_and_pauses_cinema_nl(wall, status):
    answers = [html_response(page(wall), status, **{"Retry-After": "1"})]

    async def blocked_then_skipped_then_back(provider: CinemaNlProvider):
        outcomes = []
        for _ in range(2):
            with pytest.raises(Blocked) as caught:
                await provider.search("Zwartboek", 2006, MediaKind.MOVIE, "nl")
            outcomes.append(caught.value)
        answers[0] = html_response(page("search_empty"))
        await asyncio.sleep(BLOCK_COOLDOWN)
        return outcomes, await provider.search("Zwartboek", 2006, MediaKind.MOVIE, "nl")

    with respx.mock() as router:
        route = router.get(f"{BASE}/zoeken").mock(side_effect=lambda request: answers[0])
        ((first, skipped), after), stats = run_provider(blocked_then_skipped_then_back)
        assert route.call_count == 2  # one blocked answer, no retries, nothing while paused, then one
    assert first.marker and skipped.marker == "cooldown"
    assert str(first) == "cinema.nl: blocking automated requests; try again later"
    assert after == []
    assert (stats.retries, dict(stats.failures)) == (0, {"Blocked": 1})


def test_a_plain_429_is_a_rate_limit_and_is_retried():
    answers = iter([html_response("<h1>Te veel verzoeken. Probeer het zo opnieuw.</h1>", 429, **{"Retry-After": "1"}),
                    html_response(page("search_empty"))])
    with respx.mock() as router:
        route = router.get(f"{BASE}/zoeken").mock(side_effect=lambda request: next(answers))
        found, stats = run_provider(lambda p: p.search("Zwartboek", None, MediaKind.MOVIE, "nl"))
    assert found == [] and route.call_count == 2 and stats.rate_limited == 1


def test_pages_are_fetched_two_a_second_and_one_at_a_time():
    started: list[float] = []
    in_flight = [0, 0]  # now, most

    async def slow_page(request: httpx.Request) -> httpx.Response:
        started.append(now())
        in_flight[0] += 1
        in_flight[1] = max(in_flight[1], in_flight[0])
        await asyncio.sleep(0.2)
        in_flight[0] -= 1
        return html_response(page("film_meta"))

    async def four_at_once(provider: CinemaNlProvider):
        return await asyncio.gather(*(provider.details(ours(f"95000{n}-film"), "nl") for n in range(10, 14)))

    with respx.mock() as router:
        router.get(url__regex=rf"^{BASE}/db/.*").mock(side_effect=slow_page)
        found, stats = run_provider(four_at_once)
    assert all(candidate.summary for candidate in found)
    assert in_flight[1] == 1
    # Evenly paced, 0.5 s apart, and never more than two calls in a second as cinema.nl counts
    # them: each holds its place until its page is back (0.2 s), so the third waits for the
    # first's answer + 1 s (1.2 s) and the fourth for the second's (1.7 s).
    assert [round(b - a, 3) for a, b in itertools.pairwise(started)] == [0.5, 0.7, 0.5]
    assert stats.rate_limited == 0


# --- against the fake cinema.nl on loopback (real sockets, real time) ---------------------------


@pytest.fixture(scope="module")
def fake():
    with FakeCinemaNl(World(), rate=RateLimit(1000, 1.0)) as running:
        yield running


@pytest.fixture
def site(fake):
    fake.clear_faults()
    fake.reset_counters()
    fake.set_rate_limit(RateLimit(1000, 1.0))
    return fake


FAST = Rate(100, 1.0)


def against(fake: FakeCinemaNl, call, *, rate: Rate | None = FAST):
    """Run ``call(provider)`` against the fake; (result, gateway stats). ``rate`` None: the defaults."""

    async def main():
        async with create_client() as client:
            gateway = make_gateway(client, rate=rate, clock=asyncio.get_running_loop().time, base_url=fake.url)
            result = await call(CinemaNlProvider(gateway, image_origin=fake.origin))
            return result, gateway.stats()

    return asyncio.run(main())


def test_the_fakes_dutch_description_wins_over_the_catalogues(site):
    [zwartboek], _ = against(site, lambda p: p.search("Zwartboek", 2006, MediaKind.MOVIE, "nl"))
    film = site.film("movie/zwartboek-2006")
    assert (zwartboek.summary, zwartboek.summary_language) == (film.quote, "nl")
    assert zwartboek.summary != catalogue.work("movie/zwartboek-2006").summary("nl")
    assert (zwartboek.provider_id, zwartboek.ids.imdb, zwartboek.year) == (film.ref, "tt0389557", 2006)
    assert zwartboek.poster_url == f"{site.origin}/images/{film.cinema_id}-poster.png"


def test_every_layout_of_the_fake_is_read_in_priority_order(site):
    async def every_page(provider: CinemaNlProvider):
        return [await provider.details(ours(film.ref), "nl") for film in FILMS]

    found, _ = against(site, every_page)
    assert [candidate.summary for candidate in found] == [film.description for film in FILMS]
    assert {film.layout for film in FILMS} == {"quote", "article", "intro", "meta", "og"}


@pytest.mark.parametrize("knob", ["serve_captcha", "serve_blocked"])
def test_the_fakes_walls_are_recognised_without_a_retry(site, knob):
    getattr(site, knob)()

    async def twice(provider: CinemaNlProvider):
        errors = []
        for _ in range(2):
            with pytest.raises(Blocked) as caught:
                await provider.search("Zwartboek", 2006, MediaKind.MOVIE, "nl")
            errors.append(caught.value)
        return errors

    (first, second), stats = against(site, twice)
    assert site.requests.total == 1  # no retry storm, and nothing while paused
    assert first.marker != "cooldown" and second.marker == "cooldown"
    assert stats.failures == {"Blocked": 1}


def test_a_fake_page_without_description_elements_is_no_description(site):
    site.drop_descriptions()
    film = site.film("movie/karakter-1997")
    detailed, _ = against(site, lambda p: p.details(ours(film.ref), "nl"))
    assert (detailed.title, detailed.year, detailed.summary, detailed.summary_language) == ("Karakter", 1997, "", "")


def test_cards_linked_with_diacritics_are_fetched_by_their_plain_slug(site):
    site.link_with_diacritics()
    [amelie], _ = against(site, lambda p: p.search("Amélie", 2001, MediaKind.MOVIE, "nl"))
    assert (amelie.provider_id, amelie.summary) == ("9500006-amelie", site.film("movie/amelie-2001").text)
    assert site.requests.by_endpoint == {"/zoeken": 1, "/db/{ref}": 1}


def test_the_default_pace_keeps_under_the_fakes_limit_one_request_at_a_time(site):
    site.set_rate_limit(RateLimit(2, 0.95))  # a little slack for arrival jitter on loopback
    site.set_latency(0.05)

    async def three_at_once(provider: CinemaNlProvider):
        films = FILMS[:3]
        return await asyncio.gather(*(provider.details(ours(film.ref), "nl") for film in films))

    found, stats = against(site, three_at_once, rate=None)
    assert [candidate.summary for candidate in found] == [film.description for film in FILMS[:3]]
    assert site.rate_limited == 0 and stats.rate_limited == 0
    assert site.peak_in_flight == 1
