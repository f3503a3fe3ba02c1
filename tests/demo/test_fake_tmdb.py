"""The fake TMDB against the recorded TMDB payloads, over real HTTP on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from curator.demo import catalogue
from curator.demo.providers import TMDB_API_KEY, TMDB_READ_TOKEN, FakeTmdb, RateLimit
from curator.demo.providers.world import World

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "providers"
APPENDS = "translations,external_ids,alternative_titles,images"


def recorded(name: str) -> Any:
    return json.loads((RECORDED / name).read_text())


@pytest.fixture(scope="module")
def web() -> Iterator[httpx.Client]:
    """A plain client (one per module: building one costs tens of milliseconds)."""
    with httpx.Client(timeout=5) as client:
        yield client


@pytest.fixture(scope="module")
def tmdb() -> Iterator[FakeTmdb]:
    with FakeTmdb(World(), rate=RateLimit(10_000, 1.0)) as server:
        yield server


@pytest.fixture(scope="module")
def api(tmdb: FakeTmdb) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=tmdb.url, params={"api_key": TMDB_API_KEY}, timeout=5) as client:
        yield client


def ok(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


# -- shapes ---------------------------------------------------------------------------------------


def test_movie_search_result_has_the_recorded_keys(api: httpx.Client) -> None:
    body = ok(api.get("/search/movie", params={"query": "The Matrix", "year": 1999}))
    reference = recorded("tmdb_search_movie_matrix_reloaded_year2003.json")
    assert set(body) == set(reference)
    assert set(body["results"][0]) == set(reference["results"][0])
    assert body["results"][0]["id"] == 603


def test_tv_search_result_has_the_recorded_keys(api: httpx.Client) -> None:
    body = ok(api.get("/search/tv", params={"query": "Doctor Who"}))
    reference = recorded("tmdb_search_tv.json")
    assert set(body) == set(reference)
    assert set(body["results"][0]) == set(reference["results"][0])


def test_movie_details_have_the_recorded_keys_plus_the_appended_parts(api: httpx.Client) -> None:
    body = ok(api.get("/movie/550", params={"append_to_response": APPENDS}))
    plain = recorded("tmdb_movie_550_details.json")
    assert set(body) == set(plain) | set(APPENDS.split(","))
    translation = recorded("tmdb_movie_550_translations.json")["translations"][0]
    assert set(body["translations"]["translations"][0]) == set(translation)
    assert set(body["translations"]["translations"][0]["data"]) == set(translation["data"])
    alternative = recorded("tmdb_movie_603_append_alternative_titles.json")["alternative_titles"]
    assert set(body["alternative_titles"]) == set(alternative)
    assert body["external_ids"]["imdb_id"] == "tt0137523"


def test_details_without_appends_are_exactly_the_recorded_keys(api: httpx.Client) -> None:
    assert set(ok(api.get("/movie/603"))) == set(recorded("tmdb_movie_550_details.json"))


def test_tv_details_have_the_recorded_keys(api: httpx.Client) -> None:
    body = ok(api.get("/tv/57243", params={"append_to_response": APPENDS}))
    reference = recorded("tmdb_tv_details.json")
    assert set(body) == set(reference) | set(APPENDS.split(","))
    assert set(body["seasons"][0]) == set(reference["seasons"][0])
    assert set(body["last_episode_to_air"]) == set(reference["last_episode_to_air"])
    assert "results" in body["alternative_titles"]  # the TV variant of alternative titles
    assert body["external_ids"]["tvdb_id"] == 78804
    assert set(body["translations"]["translations"][0]["data"]) >= {"name", "overview"}


def test_find_by_imdb_id_has_the_recorded_shape(api: httpx.Client) -> None:
    body = ok(api.get("/find/tt0133093", params={"external_source": "imdb_id"}))
    reference = recorded("tmdb_find_imdb_tt0936501.json")
    assert set(body) == set(reference)
    assert set(body["movie_results"][0]) == set(reference["movie_results"][0])
    assert body["movie_results"][0]["id"] == 603


def test_find_by_tvdb_id_gives_the_series(api: httpx.Client) -> None:
    body = ok(api.get("/find/252712", params={"external_source": "tvdb_id"}))
    assert [result["original_name"] for result in body["tv_results"]] == ["Tegenlicht"]
    assert body["movie_results"] == []


def test_find_of_an_unknown_id_is_empty(api: httpx.Client) -> None:
    body = ok(api.get("/find/tt0000001", params={"external_source": "imdb_id"}))
    assert all(results == [] for results in body.values())


def test_sub_resources_are_also_served_on_their_own(api: httpx.Client) -> None:
    titles = ok(api.get("/movie/653/alternative_titles"))
    assert titles["id"] == 653
    assert "Nosferatu: A Symphony of Horror" in [entry["title"] for entry in titles["titles"]]


# -- language ----------------------------------------------------------------------------------


def test_dutch_overview_and_title_when_the_work_has_them(api: httpx.Client) -> None:
    body = ok(api.get("/movie/129", params={"language": "nl-NL"}))  # Spirited Away
    assert body["title"] == "De reis van Chihiro"
    assert body["overview"] and body["overview"] != ok(api.get("/movie/129"))["overview"]


def test_missing_dutch_overview_is_empty_and_english_lives_in_translations(api: httpx.Client) -> None:
    body = ok(api.get("/movie/550", params={"language": "nl-NL", "append_to_response": "translations"}))
    assert body["overview"] == ""
    assert body["title"] == "Fight Club"
    english = [t for t in body["translations"]["translations"] if t["iso_639_1"] == "en"]
    assert english and english[0]["data"]["overview"] == catalogue.work("movie/fight-club-1999").summary("en")
    assert english[0]["iso_3166_1"] == "US"


def test_search_results_are_localised_too(api: httpx.Client) -> None:
    results = ok(api.get("/search/movie", params={"query": "Zwartboek", "language": "nl-NL"}))["results"]
    assert results[0]["title"] == "Zwartboek"
    assert results[0]["overview"] == catalogue.work("movie/zwartboek-2006").summary("nl")


def test_images_follow_include_image_language(api: httpx.Client) -> None:
    body = ok(api.get("/movie/129", params={"language": "nl-NL", "append_to_response": "images",
                                            "include_image_language": "nl,null"}))
    assert {poster["iso_639_1"] for poster in body["images"]["posters"]} == {"nl", None}


def test_poster_files_are_served_as_png_without_a_key(tmdb: FakeTmdb, web: httpx.Client) -> None:
    config = web.get(f"{tmdb.url}/configuration", params={"api_key": TMDB_API_KEY}).json()
    poster = web.get(f"{tmdb.url}/movie/550", params={"api_key": TMDB_API_KEY}).json()["poster_path"]
    image = web.get(f"{config['images']['secure_base_url']}w342{poster}")
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")


# -- search ----------------------------------------------------------------------------------------


def test_search_ranks_by_relevance_then_popularity(api: httpx.Client) -> None:
    results = ok(api.get("/search/movie", params={"query": "hamlet"}))["results"]
    assert [r["release_date"][:4] for r in results] == ["1996", "1990", "2000", "1948"]


def test_year_matches_the_release_year_only(api: httpx.Client) -> None:
    for parameter in ("year", "primary_release_year"):
        results = ok(api.get("/search/movie", params={"query": "Hamlet", parameter: 1990}))["results"]
        assert [r["id"] for r in results] == [9_100_004]
    assert ok(api.get("/search/movie", params={"query": "Hamlet", "year": 1991}))["results"] == []


def test_search_matches_original_and_alternative_titles_ignoring_accents(api: httpx.Client) -> None:
    assert ok(api.get("/search/movie", params={"query": "Solyaris"}))["results"][0]["id"] == 593
    assert ok(api.get("/search/movie", params={"query": "amelie"}))["results"][0]["id"] == 194
    assert ok(api.get("/search/movie", params={"query": "Phantom der Nacht"}))["results"][0]["id"] == 9_100_001


def test_tv_year_also_matches_episode_air_years(api: httpx.Client) -> None:
    by_first_air = ok(api.get("/search/tv", params={"query": "Tegenlicht", "first_air_date_year": 2003}))
    by_any_air = ok(api.get("/search/tv", params={"query": "Tegenlicht", "year": 2003}))
    assert by_first_air["results"] == []
    assert [r["name"] for r in by_any_air["results"]] == ["Backlight"]


def test_search_pages_hold_twenty_results(web: httpx.Client) -> None:
    from curator.demo.synthetic_catalogue import SyntheticCatalogue

    with FakeTmdb(World(SyntheticCatalogue(2000)), rate=RateLimit(10_000, 1.0)) as server:
        params = {"api_key": TMDB_API_KEY, "query": "the"}
        first = ok(web.get(f"{server.url}/search/movie", params=params))
        second = ok(web.get(f"{server.url}/search/movie", params={**params, "page": 2}))
    assert len(first["results"]) == 20
    assert first["total_results"] > 40
    assert first["total_pages"] == -(-first["total_results"] // 20)
    assert second["page"] == 2
    assert {r["id"] for r in first["results"]}.isdisjoint(r["id"] for r in second["results"])


# -- auth and errors ---------------------------------------------------------------------------------


def test_a_read_token_works_as_bearer(tmdb: FakeTmdb, web: httpx.Client) -> None:
    response = web.get(f"{tmdb.url}/movie/550", headers={"Authorization": f"Bearer {TMDB_READ_TOKEN}"})
    assert response.status_code == 200


@pytest.mark.parametrize("auth", [{"params": {"api_key": "wrong"}},
                                  {"headers": {"Authorization": "Bearer eyJwrong"}}, {}])
def test_wrong_or_missing_auth_is_401_code_7(tmdb: FakeTmdb, web: httpx.Client, auth: dict[str, Any]) -> None:
    response = web.get(f"{tmdb.url}/movie/550", **auth)
    assert response.status_code == 401
    assert response.json() == recorded("errors_recorded.json")["tmdb"][0]["body"]


def test_unknown_id_is_404_code_34(api: httpx.Client) -> None:
    response = api.get("/movie/424242")
    assert response.status_code == 404
    assert response.json() == recorded("errors_recorded.json")["tmdb"][1]["body"]
    assert api.get("/tv/550").status_code == 404  # 550 is a film, not a series


def test_search_without_query_is_422(api: httpx.Client) -> None:
    response = api.get("/search/movie")
    assert response.status_code == 422
    assert response.json() == recorded("errors_recorded.json")["tmdb"][2]["body"]


def test_page_out_of_range_is_code_22(api: httpx.Client) -> None:
    response = api.get("/search/movie", params={"query": "Dune", "page": 501})
    assert response.status_code == 400
    assert response.json()["status_code"] == 22
