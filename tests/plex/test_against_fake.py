"""Curator's Plex client against the fake Plex on loopback, with python-plexapi as an
independent client (issue 2, acceptance 2 and 5)."""

from __future__ import annotations

import socket

import pytest
from plexapi.server import PlexServer as PlexApiServer

from curator.demo.plex_server import FakePlexServer
from curator.demo.synthetic import synthetic_section
from curator.domain import errors
from curator.domain.models import MediaKind
from curator.net.http import create_client
from curator.plex.client import PlexClient


@pytest.fixture(scope="module")
def fake_plex():
    with FakePlexServer(extra_sections=(synthetic_section(1000, 7),)) as server:
        yield server


@pytest.fixture(autouse=True)
def _clean_faults(fake_plex):
    fake_plex.clear_faults()
    yield
    fake_plex.clear_faults()


@pytest.mark.asyncio
async def test_plexapi_edits_and_curator_reads_back_locked(fake_plex):
    plexapi = PlexApiServer(fake_plex.url, fake_plex.token, timeout=10)
    titles = {section.title for section in plexapi.library.sections()}
    assert {"Movies", "TV Shows", "Synthetic"} <= titles
    synthetic = plexapi.library.section("Synthetic")
    before = fake_plex.request_count("GET", f"/library/sections/{synthetic.key}/all")
    every = synthetic.all(container_size=100)
    assert len(every) == 1000
    assert len({item.ratingKey for item in every}) == 1000
    assert fake_plex.request_count("GET", f"/library/sections/{synthetic.key}/all") - before >= 10
    target = every[123]
    target.editSummary("Edited through python-plexapi.")

    async with create_client() as http:
        client = PlexClient(http, fake_plex.url, fake_plex.token, client_identifier="test")
        summary, locked = await client.read_summary(str(target.ratingKey))
        item = await client.metadata(str(target.ratingKey))
    assert summary == "Edited through python-plexapi."
    assert locked and item.summary_locked


@pytest.mark.asyncio
async def test_curator_pages_the_synthetic_section(fake_plex):
    async with create_client() as http:
        client = PlexClient(http, fake_plex.url, fake_plex.token, client_identifier="test")
        section = next(s for s in await client.sections() if s.title == "Synthetic")
        keys = [item.rating_key async for page in client.iter_pages(section.key, MediaKind.MOVIE, page_size=300)
                for item in page.items]
    assert len(keys) == len(set(keys)) == 1000


@pytest.mark.asyncio
async def test_curator_edit_reaches_only_its_item(fake_plex):
    async with create_client() as http:
        client = PlexClient(http, fake_plex.url, fake_plex.token, client_identifier="test")
        section = next(s for s in await client.sections() if s.title == "Movies")
        page = await client.fetch_page(section.key, MediaKind.MOVIE, 0, 50)
        target, other = page.items[0], page.items[1]
        other_before = fake_plex.summary(other.rating_key)
        await client.edit_summary(target, "Only this one.")
        assert fake_plex.summary(target.rating_key) == "Only this one."
        assert "summary" in fake_plex.locked_fields(target.rating_key)
        assert fake_plex.summary(other.rating_key) == other_before
        await client.restore_summary(target, "Back again.", False)
        assert fake_plex.summary(target.rating_key) == "Back again."
        assert "summary" not in fake_plex.locked_fields(target.rating_key)


@pytest.mark.asyncio
async def test_wrong_token_is_a_clear_auth_error(fake_plex):
    async with create_client() as http:
        client = PlexClient(http, fake_plex.url, "wrong-token-value", client_identifier="test")
        with pytest.raises(errors.AuthFailed) as caught:
            await client.sections()
    assert "token" in caught.value.user_message.lower()
    assert "wrong-token-value" not in caught.value.user_message


@pytest.mark.asyncio
async def test_html_where_json_expected_is_a_bad_response(fake_plex):
    fake_plex.serve_html_next(1, path_prefix="/library/sections")
    async with create_client() as http:
        client = PlexClient(http, fake_plex.url, fake_plex.token, client_identifier="test")
        with pytest.raises(errors.BadResponse):
            await client.sections()
        assert len(await client.sections()) >= 2  # the next request works: nothing stuck


@pytest.mark.asyncio
async def test_server_down_is_unreachable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with create_client() as http:
        client = PlexClient(http, f"http://127.0.0.1:{port}", "token", client_identifier="test")
        with pytest.raises(errors.Unreachable) as caught:
            await client.sections()
    assert "connection refused" in str(caught.value)


@pytest.mark.asyncio
async def test_dropped_connection_mid_page_is_unreachable(fake_plex):
    fake_plex.drop_next(1, path_prefix="/library/sections/1/all", moment="mid_body")
    async with create_client() as http:
        client = PlexClient(http, fake_plex.url, fake_plex.token, client_identifier="test")
        with pytest.raises((errors.Unreachable, errors.BadResponse)):
            await client.fetch_page("1", MediaKind.MOVIE, 0, 10)
