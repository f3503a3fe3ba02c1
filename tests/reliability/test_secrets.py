"""Secrets (issue 8, acceptance 3): keys come only from the keyring or CURATOR_* variables and
are found nowhere else — not in the database, the logs, crash reports, terminal output or a
logged URL — even with DEBUG logging through a whole demo run; the Plex token travels only in
a header."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest

from curator.demo.providers import TMDB_READ_TOKEN
from curator.demo.servers import DemoServers
from curator.domain.models import MediaKind
from curator.net.http import create_client
from curator.plex.auth import PlexTvClient
from curator.secrets import SecretStore
from curator.services.library import LibraryService
from curator.services.publishing import Publisher, PushRequest
from curator.store.decisions import DecisionStore
from curator.store.journal import PushJournal

from .conftest import SERVER, accept, run_inline

#: A secret in a well-known carrier whose value is not masked (for tokens minted at run time,
#: which the test cannot know: TheTVDB's login token, POMS signatures).
UNMASKED_CARRIER = re.compile(
    r"(?i)\b(?:api_?key|apikey|client_key|x-plex-token|access_?token|auth_?token|token|secret|password)"
    r"[\"']?\s*[=:]\s*[\"']?(?!\*\*\*)[A-Za-z0-9._~+/-]{6,}"
    r"|\bauthorization[\"']?\s*[:=]\s*[\"']?(?:bearer|npo|basic)\s+(?!\*\*\*)\S{6,}")


def demo_secrets() -> dict[str, str]:
    """Every key and token the demo hands out, as its describe() lists them."""
    with DemoServers() as demo:
        described = demo.describe()
    found = {"plex_token": described["plex_token"], "plextv_token": described["plextv_token"],
             "TMDB_READ_TOKEN": TMDB_READ_TOKEN, **described["provider_keys"]}
    assert all(len(value) >= 8 for value in found.values())
    return found


def files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()]


@pytest.mark.whole_run
def test_a_whole_demo_run_with_debug_logging_leaks_no_key_or_token(tmp_path):
    data = tmp_path / "data"
    env = {**os.environ, "CURATOR_DATA_DIR": str(data), "CURATOR_LOG_LEVEL": "DEBUG",
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    demo = [sys.executable, "-m", "curator", "--demo", "--demo-items", "200"]
    outputs: list[str] = []
    for command in (["match", "--library", "Synthetic"], ["accept-above", "0", "--margin", "0"], ["push", "--yes"],
                    ["revert", "--all", "--yes"]):
        run = subprocess.run([*demo, *command], env=env, capture_output=True, text=True, timeout=180)
        assert run.returncode == 0, run.stderr[-3000:]
        outputs += [run.stdout, run.stderr]
    assert "pushed 1" in outputs[4] and "reverted 1" in outputs[6]

    written = files_under(data)
    names = {path.name for path in written}
    assert {"curator.sqlite3", "curator.log"} <= names
    log_text = "".join(path.read_text(errors="replace") for path in written if ".log" in path.name)
    assert "DEBUG" in log_text and "HTTP Request: GET" in log_text  # the run did log at DEBUG
    assert "api_key=***" in log_text  # a logged URL that carried a key, masked

    for name, secret in demo_secrets().items():
        needle = secret.encode()
        assert [p.name for p in written if needle in p.read_bytes()] == [], f"{name} reached the disk"
        assert not any(secret in text for text in outputs), f"{name} reached the terminal"
    for text in [log_text, *outputs]:
        assert UNMASKED_CARRIER.search(text) is None, UNMASKED_CARRIER.search(text).group(0)


@pytest.mark.asyncio
async def test_the_plex_token_travels_only_in_a_header(database, tmp_path):
    seen: list[httpx.Request] = []

    async def remember(request: httpx.Request) -> None:
        seen.append(request)

    with DemoServers() as demo:
        plextv, token, port = demo.plextv, demo.plex.token, demo.plex.port
        async with create_client() as http:
            http.event_hooks["request"].append(remember)
            library = await LibraryService.connect(http, demo.plex.url, token, client_identifier="reliability")
            section = (await library.sections())[0]
            items = [item async for item in library.iter_items(section, page_size=7)]
            publisher = Publisher(library.client, SERVER, PushJournal(database), DecisionStore(database),
                                  run_sync=run_inline)
            accept(publisher, [items[0].rating_key], "New.")
            assert (await publisher.push(PushRequest(items[0].rating_key, "New."))).ok
            assert (await publisher.revert((await publisher.revertible())[0])).ok
            show = (await library.client.fetch_page("2", MediaKind.SHOW, 0, 1)).items[0]
            assert await library.client.all_leaves(show.rating_key)
            account = PlexTvClient(http, "reliability", base_url=plextv.url)
            assert await account.resources(plextv.account_token)
    plex_requests = [r for r in seen if r.url.port == port]
    assert len(plex_requests) > 10
    for request in seen:
        assert token not in str(request.url) and plextv.account_token not in str(request.url)
        assert "token" not in request.url.query.decode().lower()
    assert all(r.headers.get("X-Plex-Token") == token for r in plex_requests)


def test_keys_come_from_curator_variables_or_the_keyring_and_nowhere_else(tmp_path):
    from tests.support.memory_keyring import memory_keyring

    with memory_keyring() as backend:
        backend.set_password("curator", "TMDB_API_KEY", "key-from-the-keyring")
        assert SecretStore(environ={}).get("TMDB_API_KEY") == "key-from-the-keyring"
        assert SecretStore(environ={"CURATOR_TMDB_API_KEY": "key-from-env"}).get("TMDB_API_KEY") == "key-from-env"
        # Other spellings are not read: the variable is CURATOR_<NAME>, nothing else.
        assert SecretStore(environ={"TMDB_API_KEY": "x" * 10, "tmdb_api_key": "y" * 10}).get(
            "TMDB_API_KEY") == "key-from-the-keyring"
        assert SecretStore(environ={}).get("OMDB_API_KEY") is None


CRASH = textwrap.dedent("""
    from curator import settings
    from curator.logs import configure_logging
    from curator.secrets import SecretStore
    configure_logging(settings.paths().ensure(), to_stderr=True)
    key = SecretStore().get("TMDB_API_KEY")
    raise RuntimeError(f"unexpected failure near https://api.themoviedb.org/3/movie/1?api_key={key} ({key})")
""")


def test_a_crash_report_is_written_and_redacted(tmp_path):
    data = tmp_path / "data"
    key = "crash-report-key-5e1f0a"
    run = subprocess.run([sys.executable, "-c", CRASH], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "CURATOR_DATA_DIR": str(data), "CURATOR_TMDB_API_KEY": key})
    assert run.returncode == 1
    assert "Curator stopped on an unexpected error" in run.stderr and "RuntimeError" in run.stderr
    assert key not in run.stderr
    log_text = (data / "logs" / "curator.log").read_text()
    assert "Traceback" in log_text and "unexpected failure near" in log_text
    assert key not in log_text and "api_key=***" in log_text
