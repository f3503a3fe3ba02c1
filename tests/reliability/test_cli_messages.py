"""What a user of the command line sees when something fails: one line with the typed error's
message and what to do, an exit code scripts can test, and no traceback (issue 8)."""

from __future__ import annotations

import pytest

from curator import cli
from curator.demo.plex_server import FakePlexServer


def run(*argv: str) -> int:
    return cli.run(cli.build_parser().parse_args(list(argv)))


@pytest.fixture
def token(monkeypatch, plex):
    monkeypatch.setenv("CURATOR_PLEX_TOKEN", plex.token)
    return plex.token


def test_a_server_name_that_does_not_resolve(monkeypatch, capsys):
    monkeypatch.setenv("CURATOR_PLEX_TOKEN", "cli-token-0000")
    assert run("--server", "http://plex-box.invalid:32400", "libraries") == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1] == (
        "error: Plex: could not connect (the server name could not be resolved) "
        "Check that the server is running and the address is right.")
    assert "Traceback" not in err and "cli-token-0000" not in err


def test_a_revoked_token(plex: FakePlexServer, token, capsys):
    plex.revoke_token()
    assert run("--server", plex.url, "libraries") == 2
    err = capsys.readouterr().err
    assert "error: Plex: Plex refused the token (HTTP 401) Sign in with Plex again" in err
    assert token not in err


def test_a_server_error_while_listing(plex: FakePlexServer, token, capsys):
    plex.fail_next(1, 503, path_prefix="/library/sections/1/all")
    assert run("--server", plex.url, "items", "--library", "Movies") == 2
    assert "error: Plex: server error (HTTP 503) The service had a problem; try again later." in capsys.readouterr().err


def test_a_push_whose_writes_fail_says_which_items_and_exits_1(plex: FakePlexServer, token, capsys):
    from curator.app import build_context
    from curator.domain.models import DecisionStatus, MediaKind

    context = build_context()
    try:
        store = context.decisions()
        keys = [str(item.rating_key) for item in plex.library.listing(1, "movie")[:3]]
        for key in keys:
            store.save_proposal(plex.machine_identifier, key, kind=MediaKind.MOVIE, title=key,
                                status=DecisionStatus.ACCEPTED, proposed_summary=f"New summary {key}.")
    finally:
        context.close()
    plex.fail_next(2, 500, method="PUT")
    assert run("--server", plex.url, "push", "--yes") == 1
    out = capsys.readouterr().out
    assert out.count(": Plex: server error (HTTP 500)") == 2
    assert "pushed 1 of 3 summaries." in out
    assert sum(plex.put_count(key) for key in keys) == 1
