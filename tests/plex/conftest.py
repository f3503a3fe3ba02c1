from __future__ import annotations

import pytest
import pytest_asyncio
import respx

from curator.net.http import create_client
from curator.plex.auth import PlexTvClient
from curator.plex.client import PlexClient
from tests.plex.payloads import BASE_URL, CLIENT_ID, PLEXTV_URL, TOKEN


@pytest_asyncio.fixture
async def http():
    client = create_client()
    yield client
    await client.aclose()


@pytest.fixture
def router():
    """respx router; every request not routed by the test fails the test."""
    with respx.mock(assert_all_called=False) as mock:
        yield mock


@pytest.fixture
def plex(http) -> PlexClient:
    return PlexClient(http, BASE_URL, TOKEN, CLIENT_ID)


@pytest.fixture
def plextv(http) -> PlexTvClient:
    return PlexTvClient(http, CLIENT_ID, base_url=PLEXTV_URL)
