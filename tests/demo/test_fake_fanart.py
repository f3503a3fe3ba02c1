"""The fake fanart.tv: the constructed shape, lookups by TMDB, IMDb and TheTVDB id, 404s."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from curator.demo.catalogue import WORKS, Work
from curator.demo.providers import FANART_API_KEY, FakeFanart, RateLimit
from curator.demo.providers.fanart import has_artwork
from curator.demo.providers.world import World

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "providers"


def constructed(name: str) -> Any:
    return json.loads((RECORDED / name).read_text())["body"]


@pytest.fixture(scope="module")
def fanart() -> Iterator[FakeFanart]:
    with FakeFanart(World(), rate=RateLimit(10_000, 1.0)) as server:
        yield server


@pytest.fixture(scope="module")
def api(fanart: FakeFanart) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fanart.url, params={"api_key": FANART_API_KEY}, timeout=5) as client:
        yield client


def with_art(kind: str, wanted: bool) -> Work:
    return next(work for work in WORKS if work.kind == kind and has_artwork(work) == wanted)


def test_movie_art_by_tmdb_and_imdb_id(api: httpx.Client) -> None:
    work = with_art("movie", True)
    by_tmdb = api.get(f"/movies/{work.tmdb_id}").json()
    by_imdb = api.get(f"/movies/{work.imdb_id}").json()
    assert by_tmdb == by_imdb
    reference = constructed("fanart_movies_550_CONSTRUCTED.json")
    assert set(by_tmdb) == set(reference)
    assert set(by_tmdb["movieposter"][0]) == {"id", "url", "lang", "likes"}
    assert all(isinstance(item["likes"], str) for item in by_tmdb["movieposter"])
    assert {item["lang"] for item in by_tmdb["movieposter"]} >= {"en", "00"}


def test_tv_art_by_tvdb_id(api: httpx.Client) -> None:
    work = with_art("show", True)
    body = api.get(f"/tv/{work.tvdb_id}").json()
    assert set(body) == set(constructed("fanart_tv_279121_CONSTRUCTED.json"))
    assert body["thetvdb_id"] == str(work.tvdb_id)


def test_no_art_is_404(api: httpx.Client) -> None:
    work = with_art("movie", False)
    for path in (f"/movies/{work.tmdb_id}", "/movies/424242", "/tv/1"):
        response = api.get(path)
        assert response.status_code == 404, path
        assert response.json()["status"] == "error"


def test_a_wrong_key_is_401_and_the_header_form_works(fanart: FakeFanart, api: httpx.Client) -> None:
    work = with_art("movie", True)
    assert api.get(f"/movies/{work.tmdb_id}", params={"api_key": "wrong"}).status_code == 401
    with httpx.Client(base_url=fanart.url, headers={"api-key": FANART_API_KEY}) as header_client:
        assert header_client.get(f"/movies/{work.tmdb_id}").status_code == 200


def test_art_urls_serve_a_png(api: httpx.Client, fanart: FakeFanart) -> None:
    url = api.get(f"/movies/{with_art('movie', True).tmdb_id}").json()["movieposter"][0]["url"]
    assert url.startswith(fanart.origin)
    image = api.get(url)
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
