"""The headless CLI over the demo servers: listings, JSON output and clear errors."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys

import pytest

from curator import cli
from curator.demo.plex_server import FakePlexServer


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = cli.run(cli.build_parser().parse_args(list(argv)), out)
    return code, out.getvalue()


def test_demo_libraries_lists_both_sections():
    code, text = run("--demo", "libraries")
    assert code == 0
    assert "Movies" in text and "TV Shows" in text


def test_demo_items_as_json_lines():
    code, text = run("--demo", "items", "--library", "movies", "--json")
    assert code == 0
    rows = [json.loads(line) for line in text.splitlines()]
    assert len(rows) >= 30
    assert {"ratingKey", "title", "year", "type", "guids", "summary"} <= rows[0].keys()
    assert any(row["guids"] == ["unmatched"] for row in rows)
    assert any(any(g.startswith("imdb:") for g in row["guids"]) for row in rows)


def test_unknown_library_names_the_ones_there(capsys):
    code, _ = run("--demo", "items", "--library", "Music")
    assert code == 2
    assert "Movies" in capsys.readouterr().err


def test_wrong_token_is_reported_not_raised(monkeypatch, capsys):
    with FakePlexServer() as plex:
        monkeypatch.setenv("CURATOR_PLEX_TOKEN", "not-the-token")
        code, _ = run("--server", plex.url, "libraries")
    err = capsys.readouterr().err
    assert code == 2
    assert "refused the token" in err and "not-the-token" not in err


def test_server_down_is_reported(monkeypatch, capsys):
    monkeypatch.setenv("CURATOR_PLEX_TOKEN", "whatever-token")
    code, _ = run("--server", "http://127.0.0.1:9", "libraries")
    assert code == 2
    assert "could not connect" in capsys.readouterr().err


def test_no_server_configured_says_what_to_do(capsys):
    code, _ = run("libraries")
    assert code == 2
    assert "--server" in capsys.readouterr().err


def test_demo_server_prints_one_json_line_and_stops_on_sigterm(tmp_path):
    env = {**os.environ, "CURATOR_DATA_DIR": str(tmp_path)}
    process = subprocess.Popen([sys.executable, "-m", "curator", "demo-server", "--items", "50"],
                               stdout=subprocess.PIPE, text=True, env=env)
    try:
        line = process.stdout.readline()
        described = json.loads(line)
        assert described["plex_url"].startswith("http://127.0.0.1:")
        assert described["plex_token"]
        assert described["plextv_url"].startswith("http://127.0.0.1:")
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0


def test_no_display_demo_falls_back_to_the_cli(monkeypatch, capsys):
    from curator import __main__ as entry

    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("QT_QPA_PLATFORM", "")
    if sys.platform in ("win32", "darwin"):
        pytest.skip("always has a display")
    assert entry.main(["--demo"]) == 0
    captured = capsys.readouterr()
    assert "No display" in captured.err
    assert "Movies" in captured.out and "Tegenlicht" in captured.out
