"""Fixtures for the demo fakes: servers on loopback and plain httpx clients talking to them."""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from curator.demo.plex_server import FakePlexServer

PLEX_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "plex"
JSON = {"Accept": "application/json"}
#: One verifying TLS context for every test client (building one per client costs ~40 ms).
TLS = ssl.create_default_context()


def recorded(name: str) -> Any:
    """A recorded Plex payload from tests/fixtures/plex (copies of shared/reference/plex)."""
    path = PLEX_FIXTURES / name
    return json.loads(path.read_text()) if path.suffix == ".json" else path.read_bytes()


@pytest.fixture(scope="module")
def shared_plex() -> Iterator[FakePlexServer]:
    """A demo Plex for tests that only read (module scope: started once)."""
    with FakePlexServer() as server:
        yield server


@pytest.fixture
def plex() -> Iterator[FakePlexServer]:
    """A fresh demo Plex for tests that edit or turn knobs."""
    with FakePlexServer() as server:
        yield server


def client_for(server: FakePlexServer, *, token: bool = True) -> httpx.Client:
    headers = {"X-Plex-Token": server.token or ""} if token else {}
    return httpx.Client(base_url=server.url, headers=headers, timeout=5, verify=TLS)


@pytest.fixture
def http(plex: FakePlexServer) -> Iterator[httpx.Client]:
    with client_for(plex) as client:
        yield client


@pytest.fixture(scope="module")
def shared_http(shared_plex: FakePlexServer) -> Iterator[httpx.Client]:
    with client_for(shared_plex) as client:
        yield client


def container(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()["MediaContainer"]
