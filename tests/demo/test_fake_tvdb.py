"""The fake TheTVDB v4 against the recorded v4 payloads: login, tokens, search, records."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from curator.demo import catalogue
from curator.demo.providers import TVDB_API_KEY, FakeTvdb, RateLimit
from curator.demo.providers.world import World

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "providers"
TEGENLICHT = 252712


def recorded(name: str) -> Any:
    return json.loads((RECORDED / name).read_text())


@pytest.fixture(scope="module")
def web() -> Iterator[httpx.Client]:
    """A plain client (one per module: building one costs tens of milliseconds)."""
    with httpx.Client(timeout=5) as client:
        yield client


@pytest.fixture(scope="module")
def tvdb() -> Iterator[FakeTvdb]:
    with FakeTvdb(World(), rate=RateLimit(10_000, 1.0)) as server:
        yield server


def login(web: httpx.Client, server: FakeTvdb, **body: Any) -> httpx.Response:
    return web.post(f"{server.url}/login", json={"apikey": TVDB_API_KEY, **body})


@pytest.fixture(scope="module")
def api(tvdb: FakeTvdb, web: httpx.Client) -> Iterator[httpx.Client]:
    token = login(web, tvdb).json()["data"]["token"]
    with httpx.Client(base_url=tvdb.url, headers={"Authorization": f"Bearer {token}"}, timeout=5) as client:
        yield client


def data(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "success"
    return body["data"]


# -- login and tokens ------------------------------------------------------------------------------


def test_login_issues_a_token_that_works_as_bearer(tvdb: FakeTvdb, web: httpx.Client) -> None:
    response = login(web, tvdb)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "success" and set(body["data"]) == {"token"}
    search = web.get(f"{tvdb.url}/search", params={"query": "Tegenlicht"},
                       headers={"Authorization": f"Bearer {body['data']['token']}"})
    assert search.status_code == 200


@pytest.mark.parametrize("body", [{"apikey": "wrong"}, {"pin": "1234"}, {}])
def test_a_bad_key_or_an_unexpected_pin_is_refused(tvdb: FakeTvdb, web: httpx.Client, body: dict[str, str]) -> None:
    payload = {"apikey": TVDB_API_KEY, **body} if body else {}
    response = web.post(f"{tvdb.url}/login", json=payload)
    assert response.status_code == 401
    assert response.json()["status"] == "failure"


def test_a_key_with_a_pin_needs_that_pin(web: httpx.Client) -> None:
    with FakeTvdb(World(), pin="4321") as server:
        assert login(web, server).status_code == 401
        assert login(web, server, pin="4321").status_code == 200
        assert server.logins == 1


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-issued"}, {"Authorization": TVDB_API_KEY}])
def test_requests_without_an_issued_token_are_401(tvdb: FakeTvdb, web: httpx.Client,
                                                  headers: dict[str, str]) -> None:
    response = web.get(f"{tvdb.url}/series/{TEGENLICHT}", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"message": "Unauthorized"}


def test_expired_tokens_fail_until_the_client_logs_in_again(web: httpx.Client) -> None:
    with FakeTvdb(World()) as server:
        old = login(web, server).json()["data"]["token"]
        url = f"{server.url}/series/{TEGENLICHT}"
        assert web.get(url, headers={"Authorization": f"Bearer {old}"}).status_code == 200
        server.expire_tokens()
        assert web.get(url, headers={"Authorization": f"Bearer {old}"}).status_code == 401
        new = login(web, server).json()["data"]["token"]
        assert new != old
        assert web.get(url, headers={"Authorization": f"Bearer {new}"}).status_code == 200
        assert server.logins == 2
        assert server.requests.by_endpoint["/login"] == 2


# -- search ----------------------------------------------------------------------------------------


def test_search_result_has_the_recorded_keys_and_string_ids(api: httpx.Client) -> None:
    results = data(api.get("/search", params={"query": "Tegenlicht", "type": "series", "language": "nld"}))
    reference = recorded("tvdb_v4_search_bobs_burgers.json")["data"][0]
    assert set(results[0]) == set(reference)
    first = results[0]
    assert (first["id"], first["objectID"], first["tvdb_id"]) == (f"series-{TEGENLICHT}", f"series-{TEGENLICHT}",
                                                                   str(TEGENLICHT))
    assert first["name"] == "Tegenlicht" and first["primary_language"] == "nld"
    tegenlicht = catalogue.work("show/tegenlicht-2002")
    assert first["overviews"] == {"eng": tegenlicht.summary("en"), "nld": tegenlicht.summary("nl")}
    assert first["translations"]["eng"] == "Backlight"
    assert {"id": "tt0913290", "type": 2, "sourceName": "IMDB"} in first["remote_ids"]


def test_search_finds_english_titles_and_filters_type_and_year(api: httpx.Client) -> None:
    both = data(api.get("/search", params={"query": "Doctor Who"}))
    assert {r["tvdb_id"] for r in both} == {"78804", "76107"}
    assert data(api.get("/search", params={"query": "Doctor Who", "year": 1963}))[0]["tvdb_id"] == "76107"
    assert data(api.get("/search", params={"query": "Doctor Who", "type": "movie"})) == []
    movies = data(api.get("/search", params={"query": "Black Book", "type": "movie"}))
    assert movies[0]["id"].startswith("movie-") and movies[0]["name"] == "Zwartboek"


def test_search_pages_with_links(api: httpx.Client, web: httpx.Client) -> None:
    body = api.get("/search", params={"query": "the", "limit": 2}).json()
    assert len(body["data"]) == 2
    assert body["links"]["page_size"] == 2 and body["links"]["total_items"] > 2
    following = web.get(body["links"]["next"], headers=api.headers).json()
    assert {r["id"] for r in following["data"]}.isdisjoint(r["id"] for r in body["data"])


def test_remote_id_search_gives_the_base_record(api: httpx.Client) -> None:
    found = data(api.get("/search/remoteid/tt0436992"))
    assert [entry["series"]["id"] for entry in found] == [78804]
    reference = recorded("tvdb_v4_search_remoteid_tt1561755_CONSTRUCTED.json")["body"]["data"][0]["series"]
    assert set(reference) <= set(found[0]["series"])
    film = data(api.get("/search/remoteid/tt0137523"))
    assert film[0]["movie"]["name"] == "Fight Club"
    assert data(api.get("/search/remoteid/tt0000001")) == []


# -- records -----------------------------------------------------------------------------------------


def test_series_extended_has_the_recorded_keys(api: httpx.Client) -> None:
    record = data(api.get(f"/series/{TEGENLICHT}/extended"))
    reference = recorded("tvdb_v4_series_373426_extended.json")["data"]
    assert set(record) == set(reference)
    assert set(record["artworks"][0]) == set(reference["artworks"][0])
    assert set(record["seasons"][0]) == set(reference["seasons"][0])
    assert record["id"] == TEGENLICHT and record["originalLanguage"] == "nld"
    assert record["overview"] == catalogue.work("show/tegenlicht-2002").summary("nl")


def test_extended_with_translations_meta_and_short(api: httpx.Client) -> None:
    record = data(api.get(f"/series/{TEGENLICHT}/extended", params={"meta": "translations", "short": "true"}))
    assert record["artworks"] == [] and record["characters"] == []
    overviews = {t["language"]: t["overview"] for t in record["translations"]["overviewTranslations"]}
    assert overviews["eng"] == catalogue.work("show/tegenlicht-2002").summary("en")
    names = {t["language"]: t["name"] for t in record["translations"]["nameTranslations"]}
    assert names == {"eng": "Backlight", "nld": "Tegenlicht"}


def test_translation_by_language_and_404_when_missing(api: httpx.Client) -> None:
    translation = data(api.get(f"/series/{TEGENLICHT}/translations/eng"))
    reference = recorded("tvdb_v4_series_373426_translation_nld_CONSTRUCTED.json")["body"]["data"]
    assert set(translation) == set(reference)
    assert translation["overview"] == catalogue.work("show/tegenlicht-2002").summary("en")
    assert translation["isPrimary"] is False
    missing = api.get("/series/76107/translations/nld")  # Doctor Who (1963) has English only
    assert missing.status_code == 404
    assert missing.json()["status"] == "failure"


def test_episodes_in_a_language_with_null_where_untranslated(api: httpx.Client) -> None:
    body = api.get("/series/76107/episodes/default/nld").json()
    assert body["status"] == "success"
    assert body["data"]["series"]["id"] == 76107
    assert body["links"]["total_items"] == len(body["data"]["episodes"]) > 0
    assert all(episode["overview"] is None for episode in body["data"]["episodes"])
    english = data(api.get("/series/76107/episodes/default/eng"))["episodes"]
    first = catalogue.work("show/doctor-who-1963").seasons[0].episodes[0]
    assert (english[0]["seasonNumber"], english[0]["number"]) == (1, 1)
    assert english[0]["overview"] == first.summary("en")


def test_episodes_filter_by_season_and_reject_unknown_orders(api: httpx.Client) -> None:
    season_two = data(api.get(f"/series/{TEGENLICHT}/episodes/default", params={"season": 2}))["episodes"]
    assert {episode["seasonNumber"] for episode in season_two} == {2}
    assert api.get(f"/series/{TEGENLICHT}/episodes/nonsense/eng").status_code == 400


def test_movie_records(api: httpx.Client) -> None:
    movie_id = int(data(api.get("/search", params={"query": "Fight Club", "type": "movie"}))[0]["tvdb_id"])
    record = data(api.get(f"/movies/{movie_id}/extended", params={"meta": "translations"}))
    assert record["name"] == "Fight Club"
    assert {"id": "550", "type": 12, "sourceName": "TheMovieDB.com"} in record["remoteIds"]
    assert record["translations"]["overviewTranslations"][0]["language"] == "eng"
    assert data(api.get(f"/movies/{movie_id}/translations/eng"))["name"] == "Fight Club"


def test_unknown_records_are_404(api: httpx.Client) -> None:
    for path in ("/series/1", "/series/1/extended", "/movies/1/extended", "/series/abc"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"status": "failure", "message": "NotFoundException", "data": None}
