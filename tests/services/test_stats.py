"""Match-run statistics: what one run cost per provider (from gateway snapshots), kept in the
data folder for `curator stats`."""

from __future__ import annotations

import math
from types import MappingProxyType

from curator.net.gateway import GatewayStats, LatencyStats
from curator.net.ratelimit import LimiterStats
from curator.net.resilience import BreakerState
from curator.services.matching import MatchReport
from curator.services.stats import (
    FILE_NAME,
    CacheFigures,
    ProviderFigures,
    RunStats,
    StatsRecorder,
    current_figures,
    format_run,
    load_runs,
    save_run,
)
from curator.store.cache import CacheStats


def gateway_stats(provider="tmdb", *, requests=0, hits=0, limited=0, retries=0, failures=None,
                  latency=(0, 0.0, 0.0)) -> GatewayStats:
    return GatewayStats(provider, requests, hits, limited, retries, MappingProxyType(failures or {}),
                        LatencyStats(*latency), BreakerState.CLOSED, 0.0, LimiterStats(requests, 0.0, 0, 0.0))


class FakeGateway:
    def __init__(self, *snapshots: GatewayStats) -> None:
        self.snapshots = list(snapshots)

    def stats(self) -> GatewayStats:
        return self.snapshots.pop(0) if len(self.snapshots) > 1 else self.snapshots[0]


class FakeCache:
    def stats(self) -> CacheStats:
        return CacheStats(hits=0, misses=0, entries=1200, bytes=3_500_000)


def test_a_run_counts_only_what_happened_during_it():
    before = gateway_stats(requests=100, hits=10, limited=1, retries=2, failures={"ServerError": 1},
                           latency=(100, 0.010, 0.020))
    after = gateway_stats(requests=400, hits=60, limited=1, retries=5, failures={"ServerError": 2, "NotFound": 1},
                          latency=(400, 0.025, 0.040))
    recorder = StatsRecorder({"tmdb": FakeGateway(before, after)}, FakeCache(), clock=lambda: 1_700_000_000.0)
    run = recorder.finish(MatchReport(total=500, matched=300, skipped=200, counts={"auto": 280, "ambiguous": 20},
                                      seconds=60.0))
    (tmdb,) = run.providers
    assert (tmdb.requests, tmdb.cache_hits, tmdb.rate_limited, tmdb.retries, tmdb.failures) == (300, 50, 0, 3, 2)
    # 400 × 25 ms − 100 × 10 ms over the 300 requests of the run = 30 ms each
    assert math.isclose(tmdb.latency_mean_ms, 30.0)
    assert tmdb.latency_p95_ms == 40.0
    assert run.items_per_minute == 300.0 and (run.requests, run.cache_hits, run.rate_limited) == (300, 50, 0)
    assert run.cache == CacheFigures(1200, 3_500_000)
    assert run.started_at == 1_700_000_000.0


def test_a_provider_that_sent_nothing_has_no_latency():
    same = gateway_stats(requests=5, latency=(5, 0.5, 0.9))
    figures = ProviderFigures.between(same, same)
    assert (figures.requests, figures.latency_mean_ms, figures.latency_p95_ms) == (0, 0.0, 0.0)


def test_current_figures_are_the_session_totals_by_provider():
    gateways = {"tvmaze": FakeGateway(gateway_stats("tvmaze", requests=3)),
                "tmdb": FakeGateway(gateway_stats("tmdb", requests=7, latency=(7, 0.002, 0.004)))}
    assert [(f.provider, f.requests, f.latency_mean_ms) for f in current_figures(gateways)] == [
        ("tmdb", 7, 2.0), ("tvmaze", 3, 0.0)]


def _run(matched: int) -> RunStats:
    return RunStats(1_700_000_000.0 + matched, 30.0, 100, matched, 100 - matched, False, {"auto": matched},
                    (ProviderFigures("tmdb", matched, 4, 1, 0, 0, 12.5, 30.0),), CacheFigures(10, 2048))


def test_runs_are_kept_newest_first_and_read_back_whole(tmp_path):
    for matched in range(5):
        save_run(tmp_path, _run(matched), keep=3)
    runs = load_runs(tmp_path)
    assert [r.matched for r in runs] == [4, 3, 2]
    assert runs[0] == _run(4)


def test_an_unreadable_file_is_replaced_not_fatal(tmp_path):
    (tmp_path / FILE_NAME).write_text("{not json", encoding="utf-8")
    assert load_runs(tmp_path) == []
    save_run(tmp_path, _run(7))
    assert [r.matched for r in load_runs(tmp_path)] == [7]


def test_the_text_shows_the_figures_a_user_asks_about():
    text = format_run(_run(60))
    assert "60 of 100 items" in text and "120 items/min" in text and "40 already decided" in text
    row = next(line for line in text.splitlines() if line.strip().startswith("tmdb"))
    assert row.split()[1:5] == ["60", "4", "1", "0"]
    assert "12.5 / 30.0 ms" in row
