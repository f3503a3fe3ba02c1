"""The fake NPO POMS: its signature check (against the published test vector), the vprocinema
pages and media searches in the recorded shapes, the credential page for the finder, the
rotation knob and the 5/s rate limit."""

from __future__ import annotations

import email.utils
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from curator.demo import catalogue
from curator.demo.providers.poms import (
    POMS_API_KEY,
    POMS_API_SECRET,
    PROGRAMMES,
    REVIEWS,
    FakePoms,
    authorization,
    signing_message,
)
from curator.demo.providers.ratelimit import RateLimit
from curator.demo.providers.world import World

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "providers"
ORIGIN = "https://www.vprogids.nl"
PAGES = "/v1/api/pages/"


def recorded(name: str) -> Any:
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


def form(text: str, kind: str = "MOVIE") -> dict[str, Any]:
    return {"highlight": True, "searches": {"text": text}, "facets": {"types": {"include": kind}}}


def signed(path: str, query: dict[str, str], *, key: str = POMS_API_KEY, secret: str = POMS_API_SECRET,
           signed_origin: str = ORIGIN, signed_query: dict[str, str] | None = None) -> dict[str, str]:
    """Headers for a request to ``path`` from ``ORIGIN`` (``signed_origin`` and ``signed_query``
    sign something else than is sent)."""
    date = email.utils.formatdate(usegmt=True)
    message = signing_message(signed_origin, date, path, query if signed_query is None else signed_query)
    return {"Authorization": authorization(key, secret, message), "X-NPO-Date": date, "Origin": ORIGIN}


def search(client: httpx.Client, text: str, kind: str = "MOVIE", *, max_results: str = "10",
           profile: str = "vprocinema", **signing: Any) -> httpx.Response:
    query = {"profile": profile, "max": max_results}
    return client.post(PAGES, params=query, json=form(text, kind), headers=signed(PAGES, query, **signing))


@pytest.fixture(scope="module")
def poms() -> Iterator[FakePoms]:
    with FakePoms(World(), rate=RateLimit(10_000, 1.0)) as server:
        yield server


@pytest.fixture(scope="module")
def client(poms: FakePoms) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=poms.origin, timeout=5) as http:
        yield http


def test_the_check_reproduces_the_published_test_vector():
    message = signing_message("http://www.vpro.nl", "Fri, 30 Oct 2015 08:43:31 -0000", "/v1/media", {})
    assert authorization("a", "b", message) == "NPO a:CtHYR9a+nr17OIn5rYml6a+A9ujqe0IywWqr93/DAOk="
    assert signing_message("o", "d", "/v1/api/pages/", {"profile": "vprocinema", "max": "10"}) == (
        "origin:o,x-npo-date:d,uri:/v1/api/pages/,max:10,profile:vprocinema")


def test_urls(poms: FakePoms):
    assert poms.url == poms.origin + "/v1"
    assert poms.cinema_url == poms.origin


def test_a_signed_search_has_the_recorded_shape_and_vprocinema_fields(client: httpx.Client):
    response = search(client, "zwartboek")
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == set(recorded("poms_pages_search_response_example.json"))
    [item] = body["items"]
    result = item["result"]
    assert set(item) == {"score", "highlights", "result"}
    assert (result["objectType"], result["type"], result["title"]) == ("page", "MOVIE", "Zwartboek")
    assert re.fullmatch(r"https://www\.cinema\.nl/db/\d+-zwartboek", result["url"])
    assert result["paragraphs"][0]["body"] == REVIEWS["movie/zwartboek-2006"].text
    relations = {(r["type"], r["value"]) for r in result["relations"]}
    assert relations == {("CINEMA_YEAR", "2006"), ("CINEMA_DIRECTOR", "Paul Verhoeven"),
                         ("CINEMA_APPRECIATION", "8"), ("CINEMA_AGERATING", "_16")}
    assert [g["displayName"] for g in result["genres"]] == ["Oorlog", "Thriller"]
    image = client.get(result["images"][0]["url"].removeprefix(str(client.base_url)))
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"


def test_reviews_are_new_dutch_texts_of_two_to_four_sentences():
    assert {"movie/zwartboek-2006", "movie/turks-fruit-1973", "movie/soldaat-van-oranje-1977",
            "movie/karakter-1997", "movie/de-aanslag-1986"} <= set(REVIEWS)
    assert len(REVIEWS) > 5  # and some international films
    for key, review in REVIEWS.items():
        work = catalogue.work(key)
        assert review.text != work.summary("nl") and review.text not in work.summary("nl")
        assert 2 <= len(re.findall(r"[.!?](?:\s|$)", review.text)) <= 4, key
        assert 1 <= review.appreciation <= 10


@pytest.mark.parametrize("title", ["Turks fruit", "Soldaat van Oranje", "Karakter", "De Aanslag",
                                   "The Matrix", "De reis van Chihiro"])
def test_dutch_and_international_films_are_found(client: httpx.Client, title: str):
    items = search(client, title).json()["items"]
    assert items and items[0]["result"]["title"] == title


def test_the_type_facet_and_max(client: httpx.Client):
    assert search(client, "zwartboek", "SERIES").json()["items"] == []
    assert search(client, "Hamlet").json()["total"] == 0  # no VPRO review in the demo world
    body = search(client, "a", max_results="1").json()
    assert body["max"] == 1 and len(body["items"]) <= 1


@pytest.mark.parametrize(("options", "status"), [
    ({"profile": "cinema"}, 400), ({"max_results": "0"}, 400), ({"max_results": "x"}, 400)])
def test_bad_queries(client: httpx.Client, options: dict[str, str], status: int):
    assert search(client, "zwartboek", **options).status_code == status


def test_media_search_has_the_recorded_shape(client: httpx.Client):
    query = {"max": "5"}
    response = client.post("/v1/api/media", params=query, json={"searches": {"text": "Tegenlicht"}},
                           headers=signed("/v1/api/media", query))
    assert response.status_code == 200, response.text
    body = response.json()
    reference = recorded("poms_media_search_response_readme.json")
    assert set(body) == set(reference)
    [item] = body["items"]
    assert set(item["result"]) <= set(reference["items"][1]["result"])
    result = item["result"]
    assert (result["mid"], result["type"]) == (PROGRAMMES["show/tegenlicht-2002"].mid, "SERIES")
    assert [d["type"] for d in result["descriptions"]] == ["MAIN", "SHORT"]
    assert result["descriptions"][0]["value"] != catalogue.work("show/tegenlicht-2002").summary("nl")


@pytest.mark.parametrize("signing", [
    {"key": "someone-else"}, {"secret": "wrong-secret"}, {"signed_origin": "https://elsewhere.example"},
    {"signed_query": {"profile": "vprocinema", "max": "5"}}])
def test_bad_signatures_are_refused(poms: FakePoms, client: httpx.Client, signing: dict[str, Any]):
    before = poms.auth_refused
    response = search(client, "zwartboek", **signing)
    assert response.status_code == 401
    assert response.json() == {"status": 401, "message": "Unauthorized"}
    assert poms.auth_refused == before + 1


@pytest.mark.parametrize("dropped", ["Authorization", "X-NPO-Date", "Origin"])
def test_missing_headers_are_refused(client: httpx.Client, dropped: str):
    query = {"profile": "vprocinema", "max": "10"}
    headers = signed(PAGES, query)
    del headers[dropped]
    assert client.post(PAGES, params=query, json=form("zwartboek"), headers=headers).status_code == 401


def test_a_signature_for_another_path_is_refused(client: httpx.Client):
    query = {"max": "10"}
    headers = signed(PAGES, query)
    assert client.post("/v1/api/media", params=query, json={"searches": {"text": "x"}},
                       headers=headers).status_code == 401


def test_the_credential_page_links_the_script_that_publishes_the_key(client: httpx.Client):
    page = client.get("/zoeken")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    sources = re.findall(r'<script[^>]*src="([^"]+)"', page.text)
    assert sources[0].startswith("https://www.googletagmanager.com/")
    scripts = [client.get(src) for src in sources[1:]]
    assert all(s.status_code == 200 and "javascript" in s.headers["content-type"] for s in scripts)
    published = "".join(s.text for s in scripts)
    assert f'vpronlApiKey: "{POMS_API_KEY}"' in published
    assert f'vpronlSecret: "{POMS_API_SECRET}"' in published
    assert client.get("/static/other.js").status_code == 404


def test_rotating_the_credentials():
    with FakePoms(World(), rate=RateLimit(10_000, 1.0)) as poms, httpx.Client(base_url=poms.origin) as client:
        poms.rotate_credentials("new-key", "new-secret")
        assert search(client, "karakter").status_code == 401
        assert search(client, "karakter", key="new-key", secret="new-secret").status_code == 200
        assert 'vpronlApiKey: "new-key"' in client.get("/static/npo-config.js").text
        poms.rotate_credentials("hidden-key", "hidden-secret", publish=False)
        assert search(client, "karakter", key="hidden-key", secret="hidden-secret").status_code == 200
        assert 'vpronlApiKey: "new-key"' in client.get("/static/npo-config.js").text


def test_the_default_rate_limit_is_5_per_second():
    assert FakePoms.default_rate == RateLimit(5, 1.0)
    with FakePoms(World()) as poms, httpx.Client(base_url=poms.origin) as client:
        statuses = [search(client, "zwartboek").status_code for _ in range(7)]
        assert statuses[:5] == [200] * 5 and statuses[5:] == [429, 429]
        refused = search(client, "zwartboek")
        assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
        assert poms.rate_limited == 3
        assert poms.requests.by_endpoint["/v1/api/pages"] == 8
