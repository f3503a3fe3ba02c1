"""The fake OMDb against the recorded OMDb payloads and error bodies (200 errors and 401s)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from curator.demo import catalogue
from curator.demo.providers import OMDB_API_KEY, FakeOmdb, RateLimit
from curator.demo.providers.world import World

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "providers"


def recorded(name: str) -> Any:
    return json.loads((RECORDED / name).read_text())


def recorded_error(text: str) -> tuple[int, Any]:
    entry = next(e for e in recorded("errors_recorded.json")["omdb"] if e["body"]["Error"] == text)
    return entry["http_status"], entry["body"]


@pytest.fixture(scope="module")
def omdb() -> Iterator[FakeOmdb]:
    with FakeOmdb(World(), rate=RateLimit(10_000, 1.0)) as server:
        yield server


@pytest.fixture(scope="module")
def api(omdb: FakeOmdb) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=omdb.url, params={"apikey": OMDB_API_KEY}, timeout=5) as client:
        yield client


def test_title_by_id_has_the_recorded_keys(api: httpx.Client) -> None:
    body = api.get("/", params={"i": "tt0137523"}).json()
    assert set(body) == set(recorded("omdb_title_i_tt1323594.json"))
    assert (body["Title"], body["Year"], body["Type"], body["Released"]) == ("Fight Club", "1999", "movie",
                                                                              "15 Oct 1999")
    assert all(isinstance(value, str) for key, value in body.items() if key != "Ratings")


def test_full_plot_is_the_english_summary(api: httpx.Client) -> None:
    body = api.get("/", params={"i": "tt0013442", "plot": "full"}).json()
    assert body["Plot"] == catalogue.work("movie/nosferatu-1922").summary("en")
    short = api.get("/", params={"i": "tt0013442"}).json()["Plot"]
    assert body["Plot"].startswith(short[:-1]) and len(short) < len(body["Plot"])


def test_series_records_carry_a_year_range_and_seasons(api: httpx.Client) -> None:
    body = api.get("/", params={"t": "The Office", "y": 2005, "type": "series"}).json()
    assert (body["imdbID"], body["Type"], body["totalSeasons"]) == ("tt0386676", "series", "3")
    assert "DVD" not in body


def test_title_search_honours_year_and_type(api: httpx.Client) -> None:
    assert api.get("/", params={"t": "Solaris", "y": 2002}).json()["imdbID"] == "tt0307479"
    assert api.get("/", params={"t": "Solaris", "y": 1972}).json()["imdbID"] == "tt0069293"


def test_search_has_the_recorded_shape(api: httpx.Client) -> None:
    body = api.get("/", params={"s": "a star is born"}).json()
    reference = recorded("omdb_search_s_batman.json")
    assert set(body) == set(reference)
    assert set(body["Search"][0]) == set(reference["Search"][0])
    assert body["totalResults"] == "4" and len(body["Search"]) == 4


@pytest.mark.parametrize(("params", "error"), [
    ({"t": "Random Movie Title"}, "Movie not found!"),
    ({"t": "Random Movie Title", "type": "series"}, "Series not found!"),
    ({"s": "A"}, "Too many results."),
])
def test_not_found_and_too_many_are_http_200(api: httpx.Client, params: dict[str, str], error: str) -> None:
    status, body = recorded_error(error)
    response = api.get("/", params=params)
    assert (response.status_code, response.json()) == (status, body) == (200, body)


def test_a_bad_key_is_401(omdb: FakeOmdb, api: httpx.Client) -> None:
    status, body = recorded_error("Invalid API key!")
    response = api.get("/", params={"apikey": "wrong", "t": "Band of Brothers"})
    assert (response.status_code, response.json()) == (status, body)


def test_the_daily_budget_runs_out_with_401(api: httpx.Client) -> None:
    status, body = recorded_error("Request limit reached!")
    with FakeOmdb(World(), daily_budget=2) as server:
        answers = [api.get(server.url + "/", params={"i": "tt0137523"}) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, status]
        assert answers[2].json() == body
        server.set_daily_budget(None)
        assert api.get(server.url + "/", params={"i": "tt0137523"}).status_code == 200


def test_posters_point_at_the_fake(api: httpx.Client, omdb: FakeOmdb) -> None:
    poster = api.get("/", params={"i": "tt0137523"}).json()["Poster"]
    assert poster.startswith(omdb.url)
    assert api.get(poster).content.startswith(b"\x89PNG")
