"""Matching throughput against the rate-limit ceiling, the old sequential approach, and a warm cache.

Three runs, each through the composition root (``AppContext``: the real provider chain, gateway,
SQLite cache and decision store), with the fakes in a child process so they do not share the
client's interpreter:

1. **Throughput vs ceiling** — ``--items`` synthetic films from the fake Plex, matched against
   the fake TMDB limited to R requests/s (the client limits itself to R × headroom, R itself by
   default: its limiter counts a call until the answer is back, so arrival jitter cannot push the
   server over and no margin is needed). Printed:
   items/s, requests per item, the ceiling R ÷ (requests per item) and the ratio, 429s received.
   Only TMDB's key is given, so every request counted is a TMDB request.
2. **Sequential** — what the older scrapers do: one request at a time through httpx with
   ``time.sleep(0.5)`` between requests, the same requests Curator makes for the item (by id
   when Plex knows one, else a title search). Run on ``--sequential-items`` items spread over
   the same set and extrapolated to the full set (said so in the output).
3. **Warm cache** — ``--warm-items`` films matched once against an unlimited fake (the cold,
   CPU-bound figure), then matched again with ``rematch``: every answer comes from the cache.
   Printed: items/s and requests (must be zero).

    uv run --frozen python bench/bench_match.py [--rate 40] [--items 2000] [--warm-items 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import demo_servers, peak_rss_mb, report

from curator.app import AppContext, build_context
from curator.domain.models import LibraryItem
from curator.services.matching import MatchReport
from curator.services.stats import StatsRecorder, save_run
from curator.store.cache import ProviderCache

#: Only TMDB gets a key: the movie chain is then TMDB alone and every request is a TMDB request.
PROVIDER_KEYS = ("TMDB_API_KEY",)
UNLIMITED = 100_000
SEQUENTIAL_PAUSE_S = 0.5


@contextmanager
def curator_context(servers: dict[str, Any], data_dir: Path, client_rate: int) -> Iterator[AppContext]:
    """An AppContext pointed at the fakes, with its own data folder and TMDB limited to ``client_rate``/s."""
    env = {name: value for name, value in servers["env"].items()
           if not name.endswith(("_API_KEY", "_API_SECRET", "_CLIENT_KEY"))}
    env.update({f"CURATOR_{name}": servers["provider_keys"][name] for name in PROVIDER_KEYS})
    env.update({"CURATOR_DATA_DIR": str(data_dir), "CURATOR_TMDB_RATE": f"{client_rate}/1",
                "CURATOR_PLEX_TOKEN": servers["plex_token"]})
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    context = build_context()
    try:
        yield context
    finally:
        context.close()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


async def load_items(context: AppContext, plex_url: str, count: int) -> tuple[Any, list[LibraryItem]]:
    library = await context.open_library(url=plex_url)
    section = await library.find_section("Synthetic")
    items: list[LibraryItem] = []
    async for item in library.iter_items(section, page_size=1000):
        items.append(item)
        if len(items) == count:
            break
    return library, items


async def match_run(context: AppContext, plex_url: str, count: int, *, rematch: bool = False,
                    label: str = "") -> dict[str, Any]:
    """Load ``count`` items, then match them (timed) and return the figures the bench prints."""
    sent: list[float] = []

    async def note_sent(_request: httpx.Request) -> None:
        sent.append(time.monotonic())

    try:
        library, items = await load_items(context, plex_url, count)
        context.http.event_hooks["request"].append(note_sent)
        service = context.matching(library)
        recorder = StatsRecorder(context.providers.gateways, ProviderCache(context.database))
        started = time.perf_counter()
        result: MatchReport = await service.match_items(items, total=len(items), rematch=rematch)
        elapsed = time.perf_counter() - started
        stats = recorder.finish(result)
        save_run(context.paths.data, stats)  # what `curator stats` shows for this data folder
    finally:
        await context.aclose()
    tmdb = next((p for p in stats.providers if p.provider == "tmdb"), None)
    requests = tmdb.requests if tmdb else 0
    return {"items": len(items), "matched": result.matched, "failed": result.counts.get("failed", 0),
            "elapsed_s": round(elapsed, 2), "items_per_s": round(result.matched / elapsed, 1),
            "items_per_minute": round(stats.items_per_minute), "latency_mean_ms": tmdb.latency_mean_ms if tmdb else 0.0,
            "requests": requests, "requests_per_item": round(requests / max(1, result.matched), 3),
            "cache_hits": tmdb.cache_hits if tmdb else 0, "rate_limited_received": tmdb.rate_limited if tmdb else 0,
            "most_sent_in_any_second": most_in_window(sent, 1.0),
            "counts": dict(sorted(result.counts.items()))}


def most_in_window(times: list[float], window: float) -> int:
    """The most requests the client sent within any ``window`` seconds."""
    most, first = 0, 0
    for last, moment in enumerate(times):
        while moment - times[first] >= window:
            first += 1
        most = max(most, last - first + 1)
    return most


def sequential_run(servers: dict[str, Any], items: list[LibraryItem]) -> dict[str, Any]:
    """The older scrapers' way: one request at a time, 0.5 s apart (the same request per item
    Curator would make first: by TMDB id, by IMDb id, else a title search)."""
    base = servers["env"]["CURATOR_TMDB_URL"]
    key = servers["provider_keys"]["TMDB_API_KEY"]
    requests = 0
    started = time.perf_counter()
    with httpx.Client(base_url=base, params={"api_key": key}, timeout=10) as http:
        for item in items:
            ids = item.external_ids
            if ids.tmdb:
                response = http.get(f"/movie/{ids.tmdb}", params={"language": "en-US"})
            elif ids.imdb:
                response = http.get(f"/find/{ids.imdb}", params={"external_source": "imdb_id"})
            else:
                response = http.get("/search/movie", params={"query": item.title, "year": item.year or ""})
            response.raise_for_status()
            response.json()
            requests += 1
            time.sleep(SEQUENTIAL_PAUSE_S)
    elapsed = time.perf_counter() - started
    return {"items": len(items), "requests": requests, "elapsed_s": round(elapsed, 2),
            "items_per_s": round(len(items) / elapsed, 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=int, default=40, help="the fake TMDB's limit R, requests per second")
    parser.add_argument("--headroom", type=float, default=1.0, help="the client's limit as a fraction of R")
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--sequential-items", type=int, default=100)
    parser.add_argument("--warm-items", type=int, default=20_000)
    args = parser.parse_args()
    client_rate = max(1, int(args.rate * args.headroom))

    with tempfile.TemporaryDirectory() as folder, \
            demo_servers("--items", str(args.items), "--tmdb-rate", str(args.rate)) as servers:
        with curator_context(servers, Path(folder) / "limited", client_rate) as context:
            limited = asyncio.run(match_run(context, servers["plex_url"], args.items))
        limited["curator_stats_agrees"] = stats_agree(Path(folder) / "limited", limited)
        with curator_context(servers, Path(folder) / "sequential", client_rate) as context:
            _, items = asyncio.run(_loaded(context, servers["plex_url"], args.items))
        step = max(1, len(items) // args.sequential_items)
        sequential = sequential_run(servers, items[::step][: args.sequential_items])

    ceiling = args.rate / limited["requests_per_item"] if limited["requests_per_item"] else 0.0
    seq_rate = sequential["items_per_s"]
    seq_full_s = args.items / seq_rate if seq_rate else 0.0
    report("match_throughput", rate_limit_R=args.rate, client_limit=client_rate, **limited,
           ceiling_items_per_s=round(ceiling, 1),
           ratio_to_ceiling=round(limited["items_per_s"] / ceiling, 3) if ceiling else 0.0,
           targets=">= 90 % of the ceiling, <= 1.5 requests per movie, zero 429s")
    report("match_sequential", pause_s=SEQUENTIAL_PAUSE_S, **sequential,
           extrapolated_items=args.items, extrapolated_total_s=round(seq_full_s, 1),
           speedup=round(limited["items_per_s"] / seq_rate, 1) if seq_rate else 0.0,
           note=f"measured on {sequential['items']} of the {args.items} items (every {step}th), extrapolated")

    with tempfile.TemporaryDirectory() as folder, \
            demo_servers("--items", str(args.warm_items), "--tmdb-rate", str(UNLIMITED)) as servers:
        with curator_context(servers, Path(folder) / "warm", UNLIMITED) as context:
            cold = asyncio.run(match_run(context, servers["plex_url"], args.warm_items))
        with curator_context(servers, Path(folder) / "warm", UNLIMITED) as context:
            warm = asyncio.run(match_run(context, servers["plex_url"], args.warm_items, rematch=True))
    report("match_cold_unlimited", **cold, note="fake TMDB without a limit: the client's own ceiling")
    report("match_warm_cache", **warm, peak_rss_mb=round(peak_rss_mb(), 1),
           targets=">= 5,000 items/s, zero requests")
    return 0


def stats_agree(data_dir: Path, figures: dict[str, Any]) -> bool:
    """Whether `curator stats` on that data folder shows the same requests, hits and 429s."""
    shown = subprocess.run([sys.executable, "-m", "curator", "stats", "--json"], capture_output=True, text=True,
                           env={**os.environ, "CURATOR_DATA_DIR": str(data_dir)}, check=True).stdout
    tmdb = next(p for p in json.loads(shown)["providers"] if p["provider"] == "tmdb")
    return (tmdb["requests"], tmdb["cache_hits"], tmdb["rate_limited"]) == (
        figures["requests"], figures["cache_hits"], figures["rate_limited_received"])


async def _loaded(context: AppContext, plex_url: str, count: int) -> tuple[Any, list[LibraryItem]]:
    try:
        return await load_items(context, plex_url, count)
    finally:
        await context.aclose()


if __name__ == "__main__":
    sys.exit(main())
