"""After a run with DEBUG logging, a known fake key and a known Plex token appear in no file
Curator wrote: not the database (nor its WAL), not the logs (issue 2, acceptance 6)."""

from __future__ import annotations

import asyncio
import io
import logging
from pathlib import Path

import httpx

from curator import cli, settings
from curator.demo.plex_server import FakePlexServer
from curator.secrets import SecretStore
from curator.services.library import LibraryService
from curator.services.publishing import Publisher, PushRequest
from curator.store import db as store_db
from curator.store.decisions import DecisionStore
from curator.store.journal import PushJournal

KNOWN_KEY = "fake-tmdb-key-7f3a9c1e5b"
KNOWN_TOKEN = "fake-plex-token-41d8cd98f0"


def files_containing(folder: Path, needle: bytes) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file() and needle in path.read_bytes()]


def test_key_and_token_never_reach_disk(monkeypatch):
    monkeypatch.setenv("CURATOR_LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("CURATOR_TMDB_API_KEY", KNOWN_KEY)
    monkeypatch.setenv("CURATOR_PLEX_TOKEN", KNOWN_TOKEN)
    data = settings.paths().data
    with FakePlexServer(token=KNOWN_TOKEN) as plex:
        out = io.StringIO()
        for argv in (["--server", plex.url, "libraries"], ["--server", plex.url, "items", "--library", "Movies"]):
            assert cli.run(cli.build_parser().parse_args(argv), out) == 0
        assert "Movies" in out.getvalue()

        # A push journalled in the store, and a provider-style request with the key in its URL.
        assert SecretStore().get("TMDB_API_KEY") == KNOWN_KEY  # registers the key for redaction
        from curator.logs import configure_logging

        configure_logging(settings.paths(), to_stderr=False)
        database = store_db.open_database(settings.paths().database)

        async def push_and_leak() -> None:
            async with httpx.AsyncClient() as http:
                library = await LibraryService.connect(http, plex.url, KNOWN_TOKEN, client_identifier="t")
                page = await library.page((await library.sections())[0], 0, 1)
                publisher = Publisher(library.client, library.server.machine_identifier,
                                      PushJournal(database), DecisionStore(database))
                outcome = await publisher.push(PushRequest(page.items[0].rating_key, "A new summary."))
                assert outcome.ok
                await http.get(f"{plex.url}/nothing?api_key={KNOWN_KEY}")  # httpx logs this URL
                logging.getLogger("curator.test").debug("token in a message: %s", KNOWN_TOKEN)
                try:
                    raise RuntimeError(f"failure mentioning {KNOWN_KEY}")
                except RuntimeError:
                    logging.getLogger("curator.test").exception("with a traceback")

        asyncio.run(push_and_leak())
        store_db.close_database()
    logging.shutdown()

    logs = list((data / "logs").glob("*.log*"))
    assert logs and any(path.stat().st_size for path in logs)
    assert "HTTP Request" in "".join(path.read_text() for path in logs)  # DEBUG/INFO lines were written
    assert list(data.glob("curator.sqlite3*"))
    assert files_containing(data, KNOWN_KEY.encode()) == []
    assert files_containing(data, KNOWN_TOKEN.encode()) == []
