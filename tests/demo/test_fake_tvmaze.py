"""The fake TVmaze against the recorded TVmaze payloads: search, single search, the 301 lookup."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from curator.demo import catalogue
from curator.demo.providers import FakeTvmaze, RateLimit
from curator.demo.providers.world import World

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "providers"
DOCTOR_WHO = 210  # the real TVmaze id, as in the recorded search


def recorded(name: str) -> Any:
    return json.loads((RECORDED / name).read_text())


@pytest.fixture(scope="module")
def tvmaze() -> Iterator[FakeTvmaze]:
    with FakeTvmaze(World(), rate=RateLimit(10_000, 1.0)) as server:
        yield server


@pytest.fixture(scope="module")
def api(tvmaze: FakeTvmaze) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=tvmaze.url, timeout=5) as client:
        yield client


def test_search_has_the_recorded_shape(api: httpx.Client) -> None:
    response = api.get("/search/shows", params={"q": "doctor who"})
    assert response.status_code == 200
    results = response.json()
    reference = recorded("tvmaze_search_shows_doctor_who_first_item.json")[0]
    assert set(results[0]) == set(reference)
    assert set(reference["show"]) <= set(results[0]["show"])  # newer fields come on top
    assert {result["show"]["id"] for result in results} >= {DOCTOR_WHO}
    assert results[0]["show"]["externals"] == {"tvrage": None, "thetvdb": 78804, "imdb": "tt0436992"}
    assert 0 < results[0]["score"] <= 1


def test_summaries_are_html_paragraphs_some_with_bold_or_italics(api: httpx.Client) -> None:
    world = World()
    summaries = [api.get(f"/shows/{world.tvmaze_id(work)}").json()["summary"] for work in world.shows]
    assert all(summary.startswith("<p>") and summary.endswith("</p>") for summary in summaries)
    assert any("<b>" in summary or "<i>" in summary for summary in summaries)


def test_single_search_with_embedded_seasons(api: httpx.Client) -> None:
    response = api.get("/singlesearch/shows", params={"q": "tegenlicht", "embed": "seasons"})
    assert response.status_code == 200
    show = response.json()
    reference = recorded("tvmaze_singlesearch_shameless_embed_seasons.json")
    assert set(reference) <= set(show)
    assert set(show["_embedded"]["seasons"][0]) == set(reference["_embedded"]["seasons"][0])
    assert [season["number"] for season in show["_embedded"]["seasons"]] == [1, 2]
    assert show["language"] == "Dutch"


def test_single_search_without_a_match_is_404_with_an_empty_body(api: httpx.Client) -> None:
    response = api.get("/singlesearch/shows", params={"q": "sdfgv35wvg23vg2"})
    assert response.status_code == 404
    assert response.content == b""


@pytest.mark.parametrize("params", [{"imdb": "tt0436992"}, {"thetvdb": "78804"}])
def test_lookup_answers_301_to_the_show(api: httpx.Client, tvmaze: FakeTvmaze, params: dict[str, str]) -> None:
    response = api.get("/lookup/shows", params=params)
    assert response.status_code == 301
    assert response.headers["location"] == f"{tvmaze.url}/shows/{DOCTOR_WHO}"
    followed = api.get("/lookup/shows", params=params, follow_redirects=True)
    assert followed.status_code == 200 and followed.json()["id"] == DOCTOR_WHO


def test_lookup_of_an_unknown_or_film_id_is_404(api: httpx.Client) -> None:
    for params in ({"imdb": "tt0000001"}, {"imdb": "tt0137523"}, {"thetvdb": "1"}):
        response = api.get("/lookup/shows", params=params)
        assert response.status_code == 404
        assert set(response.json()) == set(recorded("errors_recorded.json")["tvmaze"][0]["body"])


def test_show_with_seasons_has_the_recorded_keys(api: httpx.Client) -> None:
    show = api.get(f"/shows/{DOCTOR_WHO}", params={"embed": "seasons"}).json()
    reference = recorded("tvmaze_show_13_embed_seasons.json")
    assert set(reference) <= set(show)
    assert set(show["_embedded"]["seasons"][0]) == set(reference["_embedded"]["seasons"][0])


def test_episodes_carry_html_summaries(api: httpx.Client) -> None:
    episodes = api.get(f"/shows/{DOCTOR_WHO}/episodes").json()
    reference = recorded("tvmaze_show_13_episodes_CONSTRUCTED.json")["body"][0]
    assert set(episodes[0]) == set(reference)
    first = catalogue.work("show/doctor-who-2005").seasons[0].episodes[0]
    assert (episodes[0]["season"], episodes[0]["number"], episodes[0]["name"]) == (1, 1, first.title)
    assert episodes[0]["summary"].startswith("<p>")
    assert len(episodes) == sum(len(season.episodes) for season in catalogue.work("show/doctor-who-2005").seasons)


def test_unknown_show_is_a_json_404(api: httpx.Client) -> None:
    response = api.get("/shows/999")
    assert response.status_code == 404
    assert response.json()["status"] == 404


def test_show_images_are_served_by_the_fake(api: httpx.Client) -> None:
    image = api.get(api.get(f"/shows/{DOCTOR_WHO}").json()["image"]["medium"])
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
