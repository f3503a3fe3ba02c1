"""Edits on the fake Plex: item and section routes, locks, id-less PUTs, validation, PUT counters."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest

from curator.demo.plex_server import FakePlexServer
from tests.demo.conftest import JSON, container


def rating_key(http: httpx.Client, title: str, *, section: int = 1, kind: int | None = None) -> str:
    params = {"type": kind} if kind else {}
    items = container(http.get(f"/library/sections/{section}/all", params=params, headers=JSON))["Metadata"]
    (item,) = [item for item in items if item["title"] == title]
    return item["ratingKey"]


def metadata(http: httpx.Client, key: str) -> dict[str, Any]:
    (item,) = container(http.get(f"/library/metadata/{key}", headers=JSON))["Metadata"]
    return item


def test_item_route_edit_locks_and_reads_back(plex: FakePlexServer, http: httpx.Client) -> None:
    key = rating_key(http, "Black Book")
    response = http.put(f"/library/metadata/{key}", params={"summary.value": "Een verzetsdrama.", "summary.locked": 1})
    assert response.status_code == 200
    assert response.content == b"" and response.headers["content-type"].startswith("text/html")
    item = metadata(http, key)
    assert item["summary"] == "Een verzetsdrama."
    assert item["Field"] == [{"locked": True, "name": "summary"}]
    assert plex.summary(key) == "Een verzetsdrama." and plex.locked_fields(key) == {"summary"}
    assert plex.put_count(key) == 1


def test_section_route_edit_as_python_plexapi_sends_it(plex: FakePlexServer, http: httpx.Client) -> None:
    key = rating_key(http, "Character")
    other = rating_key(http, "The Matrix")
    # joinArgs sorts keys and quotes values with quote(v, safe=""): a space becomes %20
    response = http.put(f"/library/sections/1/all?id={key}&summary.locked=1&summary.value=Rotterdam%2C%20jaren%20twintig.&type=1")
    assert response.status_code == 200
    assert plex.summary(key) == "Rotterdam, jaren twintig."
    assert plex.put_counts() == {int(key): 1}
    assert plex.put_count(other) == 0


def test_unlocking_removes_the_field(plex: FakePlexServer, http: httpx.Client) -> None:
    key = rating_key(http, "A Star Is Born")
    assert metadata(http, key)["Field"] == [{"locked": True, "name": "summary"}]
    assert http.put("/library/sections/1/all", params={"type": 1, "id": key, "summary.locked": 0}).status_code == 200
    item = metadata(http, key)
    assert "Field" not in item
    assert item["summary"].startswith("A seasoned country-rock star")  # a bare unlock keeps the value


def test_id_less_section_edit_hits_every_item_of_the_type(plex: FakePlexServer, http: httpx.Client) -> None:
    assert http.put("/library/sections/1/all", params={"type": 1, "summary.locked": 1}).status_code == 200
    movies = container(http.get("/library/sections/1/all", headers=JSON))["Metadata"]
    assert all(plex.locked_fields(item["ratingKey"]) >= {"summary"} for item in movies)
    assert set(plex.put_counts()) == {int(item["ratingKey"]) for item in movies}
    show = rating_key(http, "Doctor Who (2005)", section=2)
    assert plex.locked_fields(show) == frozenset()


def test_id_less_section_edit_of_episodes_spares_shows(plex: FakePlexServer, http: httpx.Client) -> None:
    response = http.put("/library/sections/2/all", params={"type": 4, "summary.value": "Wiped."})
    assert response.status_code == 200
    episodes = container(http.get("/library/sections/2/all", params={"type": 4}, headers=JSON))["Metadata"]
    assert {episode["summary"] for episode in episodes} == {"Wiped."}
    shows = container(http.get("/library/sections/2/all", headers=JSON))["Metadata"]
    assert "Wiped." not in {show["summary"] for show in shows}


def test_episodes_are_edited_through_the_show_section(plex: FakePlexServer, http: httpx.Client) -> None:
    key = rating_key(http, "Rose", section=2, kind=4)
    response = http.put("/library/sections/2/all", params={"type": 4, "id": key, "summary.value": "Nieuw.",
                                                             "summary.locked": 1})
    assert response.status_code == 200
    assert plex.summary(key) == "Nieuw." and plex.put_count(key) == 1


def test_several_ids_and_several_fields_in_one_put(plex: FakePlexServer, http: httpx.Client) -> None:
    first, second = rating_key(http, "The Fly"), rating_key(http, "The Matrix")
    response = http.put("/library/sections/1/all", params={
        "type": 1, "id": f"{first},{second}", "title.value": "Renamed", "title.locked": 1,
        "year.value": "1990", "summary.value": "", "genre[0].tag.tag": "Ignored", "genre.locked": 1})
    assert response.status_code == 200
    for key in (first, second):
        item = metadata(http, key)
        assert (item["title"], item["year"], item["summary"]) == ("Renamed", 1990, "")
        assert {field["name"] for field in item["Field"]} == {"genre", "title"}
        assert plex.put_count(key) == 1


def test_edits_show_in_listings(plex: FakePlexServer, http: httpx.Client) -> None:
    key = rating_key(http, "Amelie")
    http.put(f"/library/metadata/{key}", params={"summary.value": "Montmartre."})
    listed = [item for item in container(http.get("/library/sections/1/all", headers=JSON))["Metadata"]
              if item["ratingKey"] == key]
    assert listed[0]["summary"] == "Montmartre."


@pytest.mark.parametrize("params", [
    {"summary.value": "x"},  # no type
    {"type": "movie", "summary.value": "x"},  # not a number
    {"type": 2, "summary.value": "x"},  # shows are not in the movie section
    {"type": 1, "id": "abc", "summary.value": "x"},  # not a rating key
    {"type": 1, "id": "KEY", "summary.locked": "yes"},  # locked must be 0 or 1
    {"type": 1, "id": "KEY", "year.value": "nineteen"},
])
def test_inconsistent_section_edits_are_refused(plex: FakePlexServer, http: httpx.Client, params: dict[str, Any]) -> None:
    key = rating_key(http, "The Thing")
    params = {name: key if value == "KEY" else value for name, value in params.items()}
    response = http.put("/library/sections/1/all", params=params)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert plex.put_counts() == {}


def test_ids_of_another_section_are_refused_and_nothing_is_applied(plex: FakePlexServer, http: httpx.Client) -> None:
    movie = rating_key(http, "The Thing")
    show = rating_key(http, "Tegenlicht", section=2)
    response = http.put("/library/sections/1/all", params={"type": 1, "id": f"{movie},{show}", "summary.value": "x"})
    assert response.status_code == 400
    assert plex.summary(movie) != "x" and plex.put_counts() == {}
    show_as_season = http.put("/library/sections/2/all", params={"type": 3, "id": show, "summary.value": "x"})
    assert show_as_season.status_code == 400


def test_unknown_ids_and_sections_give_404(plex: FakePlexServer, http: httpx.Client) -> None:
    assert http.put("/library/metadata/999999", params={"summary.value": "x"}).status_code == 404
    assert http.put("/library/sections/1/all", params={"type": 1, "id": 999999, "summary.value": "x"}).status_code == 404
    assert http.put("/library/sections/7/all", params={"type": 1, "summary.value": "x"}).status_code == 404
    assert plex.put_counts() == {}


def test_concurrent_puts_are_all_applied_and_counted(plex: FakePlexServer, http: httpx.Client) -> None:
    keys = [item["ratingKey"] for item in container(http.get("/library/sections/1/all", headers=JSON))["Metadata"]]

    def push(share: list[str]) -> None:
        for key in share:
            for round_number in range(3):
                http.put(f"/library/metadata/{key}", params={"summary.value": f"{key}-{round_number}",
                                                            "summary.locked": 1}).raise_for_status()

    threads = [threading.Thread(target=push, args=(keys[n::6],)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert plex.put_counts() == {int(key): 3 for key in keys}
    assert all(plex.summary(key) == f"{key}-2" for key in keys)
