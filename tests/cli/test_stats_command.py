"""`curator stats`: the match runs kept in the data folder, as text or JSON, with no server."""

from __future__ import annotations

import json
from io import StringIO

import pytest

from curator.cli import build_parser, run
from curator.services.stats import CacheFigures, ProviderFigures, RunStats, save_run


def _run(matched: int) -> RunStats:
    return RunStats(1_700_000_000.0 + matched, 30.0, 100, matched, 100 - matched, False, {"auto": matched},
                    (ProviderFigures("tmdb", matched, 4, 1, 0, 0, 12.5, 30.0),), CacheFigures(10, 2048))


@pytest.fixture
def cli_out():
    def call(*argv: str) -> tuple[int, str]:
        out = StringIO()
        code = run(build_parser().parse_args(["stats", *argv]), out)
        return code, out.getvalue()

    return call


def test_curator_stats_before_any_run(cli_out):
    code, text = cli_out()
    assert code == 0 and "No match run recorded yet" in text


def test_curator_stats_shows_the_last_runs(cli_out, tmp_path, monkeypatch):
    monkeypatch.setenv("CURATOR_DATA_DIR", str(tmp_path))
    save_run(tmp_path, _run(10))
    save_run(tmp_path, _run(20))
    code, text = cli_out()
    assert code == 0 and "20 of 100 items" in text and "10 of 100" not in text
    code, text = cli_out("--runs", "2", "--json")
    shown = [json.loads(line) for line in text.splitlines()]
    assert [s["matched"] for s in shown] == [20, 10]
    assert shown[0]["providers"][0]["requests"] == 20 and shown[0]["items_per_minute"] == 40.0
