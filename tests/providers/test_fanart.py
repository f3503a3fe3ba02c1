"""fanart.tv over respx with CONSTRUCTED payloads (no real one exists; field names unverified),
through a real ProviderGateway on virtual time."""

from __future__ import annotations

import dataclasses
import json
import logging
import traceback
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from curator.domain.errors import AuthFailed, BadResponse
from curator.domain.models import ExternalIds, MediaKind
from curator.logs import RedactingFilter
from curator.net.gateway import MemoryCache, ProviderGateway, run_inline
from curator.net.http import create_client
from curator.net.resilience import RetryPolicy
from curator.providers.base import Rate, build_gateway, default_settings
from curator.providers.fanart import Artwork, FanartSource, auth_for, parse_artwork
from tests.net.virtual_time import now, run_virtual

FIXTURES = Path(__file__).parents[1] / "fixtures" / "providers"
BASE = "https://webservice.fanart.tv/v3"
PROJECT_KEY = "fanart-PROJECT-KEY-9a8b7c"
CLIENT_KEY = "fanart-PERSONAL-KEY-1d2e3f"
ASSETS = "https://assets.fanart.tv/fanart"


def constructed(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))["body"]


MOVIE = constructed("fanart_movies_550_CONSTRUCTED.json")
SHOW = constructed("fanart_tv_279121_CONSTRUCTED.json")


def ids_of(art: list[Artwork]) -> list[str]:
    return [a.url.rsplit("-", 1)[-1].split(".")[0] for a in art]


class KeyRecordingCache(MemoryCache):
    def __init__(self) -> None:
        super().__init__()
        self.keys: list[str] = []

    def make_key(self, provider: str, endpoint: str, params: dict[str, Any]) -> str:
        key = super().make_key(provider, endpoint, params)
        self.keys.append(key)
        return key


def make_gateway(client: httpx.AsyncClient, cache: MemoryCache | None,
                 client_key: str | None) -> ProviderGateway:
    config = dataclasses.replace(default_settings({})["fanart"], rate=Rate(1000, 1.0))
    return build_gateway(config, client, cache=cache if cache is not None else MemoryCache(),
                         auth=auth_for(PROJECT_KEY, client_key), clock=now,
                         cache_offload=run_inline, retry=RetryPolicy(attempts=2, base_delay=0.5, jitter=0.1))


def run_source(call, *, cache: MemoryCache | None = None, client_key: str | None = CLIENT_KEY):
    async def main():
        async with create_client() as client:
            gateway = make_gateway(client, cache, client_key)
            return await call(FanartSource(gateway)), gateway.stats()

    return run_virtual(main)


# --- parsing -----------------------------------------------------------------------------


def test_movie_art_in_the_wanted_language_then_textless_then_likes():
    art = parse_artwork(MOVIE, "nl")
    assert [a.kind for a in art] == ["poster"] * 4 + ["logo"]
    assert ids_of(art) == ["102", "103", "104", "101", "201"]  # nl, "00", en by likes; no url skipped
    assert art[0] == Artwork(url=f"{ASSETS}/movies/550/movieposter/constructed-102.jpg",
                             language="nl", likes=1, kind="poster")
    assert ids_of(parse_artwork(MOVIE, "en-GB")) == ["104", "101", "103", "102", "201"]


def test_show_art_sorted_by_likes_when_the_language_is_missing():
    art = parse_artwork(SHOW, "nl")
    assert ids_of(art) == ["402", "401", "502", "501"]  # backgrounds are not read
    assert [a.likes for a in art] == [9, 2, 0, 5]


def test_odd_items_are_skipped_and_likes_read_defensively():
    data = {"movieposter": [None, "x", {"url": "ftp://x/a.jpg"}, {"url": 5},
                            {"url": "https://a/1.jpg", "likes": 3, "lang": None},
                            {"url": "https://a/2.jpg", "likes": "many", "lang": "EN"},
                            {"url": "https://a/3.jpg", "likes": True}],
            "hdmovielogo": "none"}
    assert parse_artwork(data, "en") == [
        Artwork("https://a/2.jpg", "en", 0, "poster"),
        Artwork("https://a/1.jpg", "", 3, "poster"),
        Artwork("https://a/3.jpg", "", 0, "poster"),
    ]
    assert parse_artwork({}, "en") == []


@pytest.mark.parametrize("data", [[], None, "Not found"])
def test_a_wrong_shape_is_a_bad_response(data):
    with pytest.raises(BadResponse, match="^fanart.tv: "):
        parse_artwork(data)


def test_artwork_is_a_frozen_value():
    art = Artwork("https://a/1.jpg", "en", 1, "poster")
    with pytest.raises(dataclasses.FrozenInstanceError):
        art.likes = 2  # type: ignore[misc]


# --- over the gateway ----------------------------------------------------------------------


def test_movie_posters_by_tmdb_id_with_both_keys():
    with respx.mock() as router:
        route = router.get(f"{BASE}/movies/550").mock(return_value=httpx.Response(200, json=MOVIE))
        posters, _ = run_source(lambda s: s.posters(ExternalIds(imdb="tt0137523", tmdb=550),
                                                     MediaKind.MOVIE, "en"))
        params = dict(route.calls.last.request.url.params)
    assert ids_of(posters) == ["104", "101", "103", "102"]
    assert params == {"api_key": PROJECT_KEY, "client_key": CLIENT_KEY}


def test_movie_by_imdb_id_without_a_personal_key():
    with respx.mock() as router:
        route = router.get(f"{BASE}/movies/tt0137523").mock(return_value=httpx.Response(200, json=MOVIE))
        art, _ = run_source(lambda s: s.artwork(ExternalIds(imdb="tt0137523"), MediaKind.MOVIE),
                            client_key=None)
        params = dict(route.calls.last.request.url.params)
    assert len(art) == 5
    assert params == {"api_key": PROJECT_KEY}


def test_show_art_by_tvdb_id():
    with respx.mock() as router:
        router.get(f"{BASE}/tv/279121").mock(return_value=httpx.Response(200, json=SHOW))
        posters, _ = run_source(lambda s: s.posters(ExternalIds(imdb="tt3107288", tvdb=279121),
                                                     MediaKind.SHOW, "de"))
    assert [(p.language, p.likes) for p in posters] == [("de", 9), ("en", 2)]


def test_missing_ids_ask_nothing():
    async def both(source: FanartSource):
        return (await source.posters(ExternalIds(tvdb=279121), MediaKind.MOVIE),
                await source.posters(ExternalIds(imdb="tt3107288", tmdb=60735), MediaKind.SHOW))

    with respx.mock():
        (movie, show), stats = run_source(both)
    assert movie == [] and show == [] and stats.requests == 0


def test_404_is_no_art_and_is_remembered():
    async def twice(source: FanartSource):
        return [await source.posters(ExternalIds(tmdb=1), MediaKind.MOVIE) for _ in range(2)]

    with respx.mock() as router:
        route = router.get(f"{BASE}/movies/1").mock(return_value=httpx.Response(404, content=b""))
        (first, second), stats = run_source(twice)
    assert first == second == []
    assert route.call_count == 1 and stats.cache_hits == 1


def test_keys_are_in_no_log_record_error_or_cache_key(caplog):
    caplog.set_level(logging.DEBUG)
    cache = KeyRecordingCache()
    httpx_log = logging.getLogger("httpx")
    redacting = RedactingFilter()  # what curator.logs installs on the httpx logger
    httpx_log.addFilter(redacting)

    async def exercise(source: FanartSource):
        await source.posters(ExternalIds(tmdb=550), MediaKind.MOVIE, "en")
        with pytest.raises(AuthFailed) as raised:
            await source.posters(ExternalIds(tvdb=279121), MediaKind.SHOW, "en")
        return raised.value

    try:
        with respx.mock() as router:
            router.get(f"{BASE}/movies/550").mock(return_value=httpx.Response(200, json=MOVIE))
            # An invented error body that echoes the key, so the error message must mask it.
            refused = router.get(f"{BASE}/tv/279121").mock(return_value=httpx.Response(
                401, json={"status": "error", "message": f"Invalid key {PROJECT_KEY}"}))
            error, _ = run_source(exercise, cache=cache)
            sent = dict(refused.calls.last.request.url.params)
    finally:
        httpx_log.removeFilter(redacting)
    assert sent == {"api_key": PROJECT_KEY, "client_key": CLIENT_KEY}
    assert any(r.name == "httpx" for r in caplog.records)
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    error_text = f"{error} {error.user_message} {''.join(traceback.format_exception(error))}"
    for key in (PROJECT_KEY, CLIENT_KEY):
        assert key not in logged
        assert key not in repr(cache.keys)
        assert key not in error_text
    assert "Invalid key ***" in str(error)
