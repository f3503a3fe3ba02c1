"""The fake cinema.nl: search and film pages in the shape PROVIDERS.md §6 describes, Dutch texts of
its own, plain slugs only, the 2-a-second limit, and its wall and missing-description knobs."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from bs4 import BeautifulSoup

from curator.demo import catalogue
from curator.demo.providers.cinema_nl import FILMS, FakeCinemaNl
from curator.demo.providers.ratelimit import RateLimit
from curator.demo.providers.world import World


@pytest.fixture(scope="module")
def server() -> Iterator[FakeCinemaNl]:
    with FakeCinemaNl(World(), rate=RateLimit(10_000, 1.0)) as running:
        yield running


@pytest.fixture
def cinema(server: FakeCinemaNl) -> Iterator[FakeCinemaNl]:
    server.clear_faults()
    server.reset_counters()
    yield server
    server.clear_faults()


@pytest.fixture(scope="module")
def site(server: FakeCinemaNl) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=5) as client:
        yield client


def soup_of(response: httpx.Response) -> BeautifulSoup:
    assert response.headers["content-type"].startswith("text/html")
    return BeautifulSoup(response.text, "html.parser")


def search(site: httpx.Client, q: str) -> httpx.Response:
    return site.get("/zoeken", params={"q": q, "model": "cinema"})


def test_search_cards_have_title_year_and_rating_and_link_film_pages(cinema, site):
    response = search(site, "Zwartboek 2006")
    assert response.status_code == 200
    items = soup_of(response).select("ul.CardList > li.CardList-item")
    films = [item for item in items if item.select_one('a[href^="/db/"]')]
    assert len(films) == 1 and len(items) == 2  # and one news card that is not a film
    card = films[0]
    assert card.a["href"] == "/db/9500001-zwartboek"
    assert card.h3.get_text() == "Zwartboek"
    assert "• 2006 •" in card.get_text() and "4 van 5" in card.get_text()


def test_a_year_in_the_query_puts_that_years_films_first(cinema, site):
    def titles(q: str) -> list[str]:
        return [a.h3.get_text() for a in soup_of(search(site, q)).select('ul.CardList a[href^="/db/"]')]

    assert titles("de 1986") == ["De aanslag", "De reis van Chihiro"]
    assert titles("de 2001") == ["De reis van Chihiro", "De aanslag"]
    assert titles("black book") == ["Zwartboek"]  # English and Dutch titles both find it


def test_a_search_without_results_has_no_card_list(cinema, site):
    response = search(site, "sdfgv35wvg23vg2")
    assert response.status_code == 200
    page = soup_of(response)
    assert page.select("ul.CardList") == [] and "Geen resultaten" in page.get_text()


@pytest.mark.parametrize("film", FILMS, ids=lambda film: film.ref)
def test_film_pages_carry_every_field_the_scraper_reads(cinema, site, film):
    work = catalogue.work(film.work_key)
    page = soup_of(site.get(f"/db/{film.ref}"))
    text = " ".join(page.get_text(" ").split())
    assert page.h1.get_text() == film.title
    assert f"{'film' if work.kind == 'movie' else 'serie'} • {work.year}" in text
    assert f"{film.stars} van 5 sterren" in text
    assert f"Kijkwijzer: {film.age}" in text or f"Geschikt vanaf {film.age} jaar" in text
    assert page.select_one(f'a[href="https://www.imdb.com/title/{work.imdb_id}/"]') is not None
    assert page.select_one('img[alt*="poster"]')["src"] == f"{cinema.origin}/images/{film.cinema_id}-poster.png"
    assert page.find("h2", string="Afbeeldingen") is not None


def description_place(page: BeautifulSoup) -> tuple[str, str]:
    """Where the page's description is, in the order a scraper looks, and its text."""
    if (quote := page.find("blockquote")) is not None:
        return "quote", quote.p.get_text()
    if long := [p.get_text() for p in page.select("article p") if len(p.get_text()) > 100]:
        return "article", long[0]
    if (intro := page.select_one(".Film-intro")) is not None:
        return "intro", intro.get_text()
    if (meta := page.find("meta", attrs={"name": "description"})) is not None:
        return "meta", meta["content"]
    if (og := page.find("meta", property="og:description")) is not None:
        return "og", og["content"]
    return "", ""


@pytest.mark.parametrize("film", FILMS, ids=lambda film: film.ref)
def test_each_layout_puts_the_description_in_its_own_place(cinema, site, film):
    page = soup_of(site.get(f"/db/{film.ref}"))
    assert description_place(page) == (film.layout, film.description)


def test_every_place_is_used_by_some_film():
    assert {film.layout for film in FILMS} == {"quote", "article", "intro", "meta", "og"}


def test_the_descriptions_are_the_fakes_own_dutch_texts(cinema):
    for film in FILMS:
        work = catalogue.work(film.work_key)
        for text in filter(None, (film.text, film.quote)):
            assert text[:40] not in work.summary("nl") and text[:40] not in work.summary("en")
        assert " de " in film.text or " het " in film.text or " van " in film.text  # Dutch


@pytest.mark.parametrize("path", [
    "/db/9500006-am%C3%A9lie",  # diacritics in the slug
    "/db/9500006-amelie-2001",  # another slug
    "/db/9500006",
    "/db/9599999-onbekend",
    "/db/amelie",
    "/films/amelie",
])
def test_only_the_plain_slug_is_served(cinema, site, path):
    assert site.get("/db/9500006-amelie").status_code == 200
    response = site.get(path)
    assert response.status_code == 404
    assert "bestaat niet" in soup_of(response).get_text()


def test_captcha_knob_serves_a_challenge_for_count_requests(cinema, site):
    cinema.serve_captcha(count=1)
    walled = site.get("/db/9500001-zwartboek")
    assert walled.status_code == 403
    assert "cf-turnstile" in walled.text and "/cdn-cgi/challenge-platform/" in walled.text
    assert "<article" not in walled.text
    assert site.get("/db/9500001-zwartboek").status_code == 200
    assert cinema.requests.total == 2


def test_blocked_knob_serves_a_short_access_denied_page_until_cleared(cinema, site):
    cinema.serve_blocked(status=200)
    for _ in range(2):
        response = search(site, "Zwartboek")
        assert response.status_code == 200 and len(response.content) < 5000
        assert "Access Denied" in response.text and "blocked" in response.text
    cinema.clear_faults()
    assert "CardList" in search(site, "Zwartboek").text


def test_drop_descriptions_leaves_no_description_element(cinema, site):
    cinema.drop_descriptions()
    for film in FILMS:
        page = soup_of(site.get(f"/db/{film.ref}"))
        assert page.h1.get_text() == film.title
        assert description_place(page) == ("", "")
        assert page.select(".Film-intro, .Film-text") == []


def test_cards_can_link_slugs_with_diacritics(cinema, site):
    cinema.link_with_diacritics()
    [link] = soup_of(search(site, "Amélie")).select('a[href^="/db/"]')
    assert link["href"] == "/db/9500006-am%C3%A9lie"
    assert site.get(link["href"]).status_code == 404


def test_images_are_pngs_outside_the_limit(cinema, site):
    response = site.get("/images/9500001-poster.png")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert cinema.requests.by_endpoint == {"image": 1}


def test_two_requests_a_second_then_429_with_retry_after():
    with FakeCinemaNl(World()) as limited, httpx.Client(base_url=limited.url, timeout=5) as client:
        assert limited.rate_limit == RateLimit(2, 1.0)
        statuses = [client.get("/db/9500001-zwartboek").status_code for _ in range(3)]
        refused = client.get("/db/9500001-zwartboek")
    assert statuses == [200, 200, 429]
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert "Te veel verzoeken" in refused.text
    assert limited.rate_limited == 2


def test_peak_in_flight_counts_requests_answered_at_once(cinema):
    cinema.set_rate_limit(None)  # three at once would pass the 2/s limit
    cinema.set_latency(1.0)      # long enough to overlap on a busy machine
    barrier = threading.Barrier(3)

    def fetch() -> None:
        with httpx.Client(base_url=cinema.url, timeout=5) as client:
            barrier.wait()
            client.get("/db/9500001-zwartboek")

    workers = [threading.Thread(target=fetch) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert cinema.peak_in_flight == 3
    deadline = time.monotonic() + 5  # the fake's threads finish just after the answers are read
    while cinema.in_flight and time.monotonic() < deadline:
        time.sleep(0.01)
    cinema.reset_counters()
    assert cinema.peak_in_flight == 0


def test_knobs_reject_a_count_below_one(cinema):
    with pytest.raises(ValueError, match="at least 1"):
        cinema.serve_captcha(count=0)
