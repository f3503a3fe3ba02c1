"""Every recorded JSON payload in tests/fixtures/plex/ goes through the real client API.

A JSON file added to that folder without a reader here fails ``test_every_json_fixture_is_read``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import httpx
import pytest

from curator.domain.models import MediaKind
from curator.plex.auth import Pin, PinExpired, PlexTvClient
from curator.plex.client import PlexClient
from tests.plex.payloads import BASE_URL, FIXTURES, PLEXTV_URL, TOKEN, load_json

Reader = Callable[[PlexClient, PlexTvClient, object], Awaitable[None]]


def _serve(router, method: str, url: str, payload: object, status: int = 200) -> None:
    router.route(method=method, url=url).mock(return_value=httpx.Response(status, json=payload))


async def _episode_metadata(plex, _tv, router):
    _serve(router, "GET", f"{BASE_URL}/library/metadata/48049", load_json("episode_metadata.json"))
    item = await plex.metadata("48049")
    assert (item.kind, item.section_key, item.parent_rating_key) == (MediaKind.EPISODE, "2", "48047")
    assert (item.grandparent_title, item.parent_title, item.index, item.parent_index) == \
        ("Alice in Borderland", "Season 2", 1, 2)
    assert item.guids and item.file_path.endswith("S02E01 - Episode 1 WEBDL-1080p.mkv")


async def _identity(plex, _tv, router):
    _serve(router, "GET", f"{BASE_URL}/identity", load_json("identity.json"))
    server = await plex.probe()
    assert (server.machine_identifier, server.version) == \
        ("623cbfe8a679d4d8c68a6ffe3608aca44e8da703", "1.18.5.2309-f5213a238")


async def _library_sections(plex, _tv, router):
    _serve(router, "GET", f"{BASE_URL}/library/sections", load_json("library_sections.json"))
    sections = await plex.sections()
    assert sections and {s.kind for s in sections} <= {MediaKind.MOVIE, MediaKind.SHOW}
    assert all(s.key.isdigit() and s.title and s.uuid for s in sections)


async def _movie_metadata(plex, _tv, router):
    _serve(router, "GET", f"{BASE_URL}/library/metadata/134703", load_json("movie_metadata.json"))
    item = await plex.metadata("134703")
    assert (item.title, item.original_title, item.year, item.section_key) == ("Wicked", "Wicked: Part I", 2024, "3")
    assert item.external_ids.imdb and item.external_ids.tmdb
    assert item.locked_fields == frozenset()
    assert item.file_path == "/mnt/Movies_1/W/Wicked (2024).mkv"


async def _movie_page_with_guids(plex, _tv, router):
    _serve(router, "GET", f"{BASE_URL}/library/sections/1/all", load_json("movie_section_all_includeGuids_page.json"))
    page = await plex.fetch_page("1", MediaKind.MOVIE, 1, 5)
    assert (len(page.items), page.offset, page.total) == (5, 1, 357)
    assert all(item.guids for item in page.items)
    assert page.items[0].rating_key == "9881" and page.items[0].section_key == "1"


async def _movie_page_without_guids(plex, _tv, router):
    _serve(router, "GET", f"{BASE_URL}/library/sections/1/all", load_json("movie_section_all_noGuids_page.json"))
    page = await plex.fetch_page("1", MediaKind.MOVIE, 0, 10)
    assert (len(page.items), page.offset, page.total) == (10, 0, 358)
    assert not any(item.guids for item in page.items)


async def _plextv_errors(_plex, tv, router):
    bodies = load_json("plextv_errors_CONSTRUCTED_from_docs.json")
    router.get(f"{PLEXTV_URL}/api/v2/pins/7").mock(side_effect=[
        httpx.Response(429, json=bodies["rate_limited_429"]),
        httpx.Response(404, json=bodies["pins_404"]),
    ])
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    with pytest.raises(PinExpired):
        await tv.wait_for_token(Pin(7, "ABCD", None, 900.0), sleep=sleep, clock=lambda: 0.0)
    assert slept == [2.0]


async def _pin_response(_plex, tv, router):
    _serve(router, "POST", f"{PLEXTV_URL}/api/v2/pins", load_json("plextv_pin_response.json"), status=201)
    pin = await tv.create_pin(strong=False)
    assert (pin.id, pin.code, pin.expires_in) == (373040866, "7RQZ", 876.0)
    assert pin.expires_at == datetime(2024, 7, 16, 17, 18, 5, tzinfo=UTC)


async def _resources(_plex, tv, router):
    _serve(router, "GET", f"{PLEXTV_URL}/api/v2/resources", load_json("plextv_resources.json"))
    servers = await tv.resources(TOKEN)
    assert len(servers) == 7
    assert all(server.access_token and server.connections for server in servers)


async def _season_excerpt(plex, _tv, router):
    # CONSTRUCTED wrapper: the recorded season element placed in a /children MediaContainer.
    wrapped = {"MediaContainer": {"size": 1, "Metadata": [load_json("season_item_excerpt.json")]}}
    _serve(router, "GET", f"{BASE_URL}/library/metadata/56703/children", wrapped)
    [season] = await plex.children("56703")
    assert (season.kind, season.rating_key, season.section_key, season.index) == (MediaKind.SEASON, "56704", "10", 10)
    assert season.external_ids.tvdb == 767627


async def _show_children(plex, _tv, router):
    _serve(router, "GET", f"{BASE_URL}/library/metadata/24581/children", load_json("show_children_seasons.json"))
    [season] = await plex.children("24581")
    # The element has no librarySectionID; the container's is used.
    assert (season.kind, season.title, season.section_key, season.parent_rating_key) == \
        (MediaKind.SEASON, "Season 1", "1", "24581")
    assert season.external_ids.tvdb == 264047


async def _show_metadata(plex, _tv, router):
    _serve(router, "GET", f"{BASE_URL}/library/metadata/44288", load_json("show_metadata.json"))
    item = await plex.metadata("44288")
    assert (item.kind, item.title, item.year, item.section_key) == (MediaKind.SHOW, "Better Call Saul", 2015, "2")
    assert item.summary.startswith("Before Saul Goodman")


async def _show_listing_unpaged(plex, _tv, router):
    _serve(router, "GET", f"{BASE_URL}/library/sections/1/all", load_json("show_section_all_type2.json"))
    page = await plex.fetch_page("1", MediaKind.SHOW, 0, 100)
    assert (len(page.items), page.offset, page.total) == (266, 0, 266)
    assert all(item.kind is MediaKind.SHOW and item.section_key == "1" for item in page.items)
    assert len({item.rating_key for item in page.items}) == 266


async def _episode_page(plex, _tv, router):
    _serve(router, "GET", f"{BASE_URL}/library/sections/2/all",
           load_json("show_section_all_type4_episodes_includeGuids_page.json"))
    page = await plex.fetch_page("2", MediaKind.EPISODE, 0, 10)
    assert (len(page.items), page.total) == (10, 3438)
    assert all(item.kind is MediaKind.EPISODE and item.grandparent_title and item.file_path for item in page.items)


READERS: dict[str, Reader] = {
    "episode_metadata.json": _episode_metadata,
    "identity.json": _identity,
    "library_sections.json": _library_sections,
    "movie_metadata.json": _movie_metadata,
    "movie_section_all_includeGuids_page.json": _movie_page_with_guids,
    "movie_section_all_noGuids_page.json": _movie_page_without_guids,
    "plextv_errors_CONSTRUCTED_from_docs.json": _plextv_errors,
    "plextv_pin_response.json": _pin_response,
    "plextv_resources.json": _resources,
    "season_item_excerpt.json": _season_excerpt,
    "show_children_seasons.json": _show_children,
    "show_metadata.json": _show_metadata,
    "show_section_all_type2.json": _show_listing_unpaged,
    "show_section_all_type4_episodes_includeGuids_page.json": _episode_page,
}

JSON_FIXTURES = sorted(path.name for path in FIXTURES.glob("*.json"))


def test_fixture_folder_is_present():
    assert len(JSON_FIXTURES) >= 14
    assert set(READERS) <= set(JSON_FIXTURES), "READERS names a fixture that is not in tests/fixtures/plex/"


@pytest.mark.parametrize("name", JSON_FIXTURES)
@pytest.mark.asyncio
async def test_every_json_fixture_is_read(name, plex, plextv, router):
    reader = READERS.get(name)
    if reader is None:
        pytest.fail(f"tests/fixtures/plex/{name} has no reader in READERS; add one that parses it")
    await reader(plex, plextv, router)
