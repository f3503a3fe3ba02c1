"""What a match run cost: requests, cache hits, 429s received and latency per provider, and
items matched per minute — the figures ``curator stats`` and the app's statistics view show.

A ``StatsRecorder`` takes a snapshot of every provider gateway (and the response cache) when a
run starts; ``finish`` turns the difference into a ``RunStats``. ``save_run`` keeps the last
runs in a small JSON file in the data folder, so ``curator stats`` can show them without
opening the database or reaching a server. ``current_figures`` is the live view for a window.
No Qt here.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from curator.net.gateway import GatewayStats
from curator.services.matching import MatchReport
from curator.store.cache import CacheStats

log = logging.getLogger(__name__)

FILE_NAME = "match-stats.json"
#: Runs kept in the file, newest first.
KEPT_RUNS = 20


class StatsSource(Protocol):
    """A provider gateway, as far as statistics go."""

    def stats(self) -> GatewayStats: ...


class CacheStatsSource(Protocol):
    def stats(self) -> CacheStats: ...


@dataclass(frozen=True, slots=True)
class ProviderFigures:
    """One provider's traffic. Latency is seconds from sending to having the whole answer
    (mean over the requests counted; p95 over the gateway's most recent 1,024)."""

    provider: str
    requests: int
    cache_hits: int
    rate_limited: int
    retries: int = 0
    failures: int = 0
    latency_mean_ms: float = 0.0
    latency_p95_ms: float = 0.0
    breaker: str = "closed"

    @classmethod
    def of(cls, stats: GatewayStats) -> ProviderFigures:
        """Everything the gateway has counted since it was built."""
        return cls(stats.provider, stats.requests, stats.cache_hits, stats.rate_limited, stats.retries,
                   sum(stats.failures.values()), round(stats.latency.mean * 1000, 2),
                   round(stats.latency.p95 * 1000, 2), stats.breaker.value)

    @classmethod
    def between(cls, before: GatewayStats, after: GatewayStats) -> ProviderFigures:
        """What the gateway counted from ``before`` to ``after``."""
        count = after.latency.count - before.latency.count
        spent = after.latency.mean * after.latency.count - before.latency.mean * before.latency.count
        return cls(after.provider, after.requests - before.requests, after.cache_hits - before.cache_hits,
                   after.rate_limited - before.rate_limited, after.retries - before.retries,
                   sum(after.failures.values()) - sum(before.failures.values()),
                   round(spent / count * 1000, 2) if count > 0 else 0.0,
                   round(after.latency.p95 * 1000, 2) if count > 0 else 0.0, after.breaker.value)


@dataclass(frozen=True, slots=True)
class CacheFigures:
    """The response cache's size when the run ended (its hits are counted per provider)."""

    entries: int
    bytes: int


@dataclass(frozen=True, slots=True)
class RunStats:
    """One match run: when, how long, what it did, and what it cost per provider."""

    started_at: float
    seconds: float
    total: int
    matched: int
    skipped: int
    cancelled: bool = False
    counts: Mapping[str, int] = field(default_factory=dict)
    providers: tuple[ProviderFigures, ...] = ()
    cache: CacheFigures | None = None

    @property
    def items_per_minute(self) -> float:
        return self.matched / self.seconds * 60 if self.seconds > 0 else 0.0

    @property
    def requests(self) -> int:
        return sum(p.requests for p in self.providers)

    @property
    def cache_hits(self) -> int:
        return sum(p.cache_hits for p in self.providers)

    @property
    def rate_limited(self) -> int:
        return sum(p.rate_limited for p in self.providers)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["counts"] = dict(self.counts)
        data["items_per_minute"] = round(self.items_per_minute, 1)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunStats:
        cache = data.get("cache")
        return cls(
            started_at=float(data["started_at"]), seconds=float(data["seconds"]), total=int(data["total"]),
            matched=int(data["matched"]), skipped=int(data["skipped"]), cancelled=bool(data.get("cancelled")),
            counts={str(k): int(v) for k, v in dict(data.get("counts") or {}).items()},
            providers=tuple(ProviderFigures(**p) for p in data.get("providers") or ()),
            cache=CacheFigures(**cache) if isinstance(cache, dict) else None)


class StatsRecorder:
    """Snapshots the gateways (and cache) now; ``finish`` returns what one run cost."""

    def __init__(self, gateways: Mapping[str, StatsSource], cache: CacheStatsSource | None = None, *,
                 clock: Callable[[], float] = time.time) -> None:
        self._gateways = dict(gateways)
        self._cache = cache
        self._started_at = clock()
        self._before = {name: gateway.stats() for name, gateway in self._gateways.items()}

    def finish(self, report: MatchReport) -> RunStats:
        """The run's figures. With a cache, reads its size from the database: call it off the UI thread."""
        providers = tuple(ProviderFigures.between(self._before[name], gateway.stats())
                          for name, gateway in sorted(self._gateways.items()))
        size = self._cache.stats() if self._cache is not None else None
        cache = CacheFigures(size.entries, size.bytes) if size is not None else None
        return RunStats(self._started_at, report.seconds, report.total, report.matched, report.skipped,
                        report.cancelled, dict(report.counts), providers, cache)


def current_figures(gateways: Mapping[str, StatsSource]) -> tuple[ProviderFigures, ...]:
    """Every gateway's counts since it was built (a session's totals), by provider name."""
    return tuple(ProviderFigures.of(gateway.stats()) for _, gateway in sorted(gateways.items()))


# --- the file in the data folder -----------------------------------------------------------


def save_run(folder: Path, run: RunStats, *, keep: int = KEPT_RUNS) -> Path:
    """Add ``run`` to the runs kept in ``folder`` (newest first, at most ``keep``); atomic."""
    runs = [run, *load_runs(folder)][:keep]
    folder.mkdir(parents=True, exist_ok=True)
    payload = json.dumps({"runs": [r.to_json() for r in runs]}, indent=1)
    fd, tmp = tempfile.mkstemp(prefix=".match-stats-", suffix=".json", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(payload)
        os.replace(tmp, folder / FILE_NAME)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return folder / FILE_NAME


def load_runs(folder: Path) -> list[RunStats]:
    """The runs kept in ``folder``, newest first; [] when there are none or the file is unreadable."""
    path = folder / FILE_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return [RunStats.from_json(entry) for entry in data["runs"]]
    except FileNotFoundError:
        return []
    except (OSError, ValueError, KeyError, TypeError) as err:
        log.warning("match statistics file unreadable (%s); starting a new one", type(err).__name__)
        return []


def format_run(run: RunStats) -> str:
    """A few lines for a terminal: the run, then one row per provider, then the cache."""
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(run.started_at))
    state = " (stopped early)" if run.cancelled else ""
    lines = [f"Match run of {when}{state}: {run.matched:,} of {run.total:,} items matched in {run.seconds:.1f} s "
             f"({run.items_per_minute:,.0f} items/min); {run.skipped:,} already decided.",
             f"  {'provider':<10} {'requests':>9} {'cache hits':>10} {'429s':>6} {'retries':>7} {'failures':>8}"
             f"  latency mean / p95"]
    for p in run.providers:
        lines.append(f"  {p.provider:<10} {p.requests:>9,} {p.cache_hits:>10,} {p.rate_limited:>6,} {p.retries:>7,}"
                     f" {p.failures:>8,}  {p.latency_mean_ms:.1f} / {p.latency_p95_ms:.1f} ms")
    if run.cache is not None:
        lines.append(f"  response cache: {run.cache.entries:,} entries, {run.cache.bytes / 1e6:.1f} MB")
    return "\n".join(lines)
