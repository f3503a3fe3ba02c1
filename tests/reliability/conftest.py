"""Shared set-up for the fault-injection tests: a fake Plex, a real SQLite store, a publisher
wired to both, and small loopback servers that misbehave in ways the fakes cannot."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
import pytest_asyncio

from curator.demo.plex_server import FakePlexServer
from curator.domain.models import DecisionStatus, MediaKind
from curator.net.http import create_client
from curator.plex.client import PlexClient
from curator.services.publishing import Publisher
from curator.store import db as store_db
from curator.store.decisions import DecisionStore
from curator.store.journal import PushJournal

SERVER = "reliability-server"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "crash_loop: kills the CLI with SIGKILL at seeded random points (at least 50 times) "
                   "during match and push, then checks that nothing was lost or pushed twice")
    config.addinivalue_line(
        "markers", "whole_run: runs whole CLI commands as subprocesses (several seconds each)")


async def run_inline(call: Callable[..., object], *args: object) -> object:
    return call(*args)


@pytest.fixture
def plex() -> Iterator[FakePlexServer]:
    with FakePlexServer() as server:
        yield server


@pytest.fixture
def database(tmp_path):
    db = store_db.open_database(tmp_path / "data" / "curator.sqlite3")
    yield db
    store_db.close_database()


@pytest_asyncio.fixture
async def publisher(plex, database):
    async with create_client() as http:
        client = PlexClient(http, plex.url, plex.token, client_identifier="reliability")
        yield Publisher(client, SERVER, PushJournal(database), DecisionStore(database), run_sync=run_inline)


def accept(publisher: Publisher, rating_keys: list[str], summary: str = "") -> None:
    """Decisions the user accepted, ready to push."""
    for key in rating_keys:
        publisher.decisions.save_proposal(SERVER, key, kind=MediaKind.MOVIE, title=f"item {key}",
                                          status=DecisionStatus.ACCEPTED, proposed_summary=summary)


async def movie_keys(publisher: Publisher, count: int) -> list[str]:
    page = await publisher.client.fetch_page("1", MediaKind.MOVIE, 0, count)
    return [item.rating_key for item in page.items]


@dataclass
class RawServer:
    """A loopback TCP server that answers every connection with ``head`` and then whatever
    ``body`` yields, one chunk every ``interval`` seconds; counts what it managed to send."""

    head: bytes
    body: Callable[[], Iterator[bytes]]
    interval: float = 0.0
    sent: int = 0
    finished: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._socket.getsockname()[1]}"

    def _serve(self) -> None:
        try:
            connection, _ = self._socket.accept()
        except OSError:
            return
        with connection:
            connection.recv(65536)
            try:
                connection.sendall(self.head)
                for chunk in self.body():
                    connection.sendall(chunk)
                    self.sent += len(chunk)
                    if self.interval:
                        time.sleep(self.interval)
            except OSError:
                pass  # the client hung up: that is what the tests want to see
            finally:
                self.finished.set()

    def close(self) -> None:
        self._socket.close()


@pytest.fixture
def raw_server() -> Iterator[Callable[..., RawServer]]:
    servers: list[RawServer] = []

    def start(head: bytes, body: Callable[[], Iterator[bytes]], interval: float = 0.0) -> RawServer:
        server = RawServer(head, body, interval)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()
