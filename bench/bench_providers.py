"""Provider throughput against the loopback fake TMDB limited to R requests/s.

500 concurrent lookups (one TMDB search each) go through the real gateway (limiter, retries,
breaker, SQLite cache). Printed: requests, 429s received, elapsed time, sustained rate and its
ratio to R; then a second run over the same 500 items, which must make zero requests.

    uv run python bench/bench_providers.py [--rate 40] [--items 500] [--headroom 0.95]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import report

from curator.demo.providers import FakeProviders
from curator.demo.providers.ratelimit import RateLimit
from curator.demo.synthetic_catalogue import SyntheticCatalogue
from curator.domain.models import MediaKind
from curator.net.http import create_client
from curator.providers import tmdb
from curator.providers.base import Rate, build_gateway, default_settings
from curator.store import db as store_db
from curator.store.cache import ProviderCache


async def lookups(fakes: FakeProviders, titles: list[tuple[str, int | None]], rate: float,
                  cache: ProviderCache) -> dict[str, float]:
    config = replace(default_settings()["tmdb"], base_url=fakes.tmdb.url, rate=Rate(max(1, int(rate)), 1.0),
                     concurrency=64)
    async with create_client(max_connections=64) as http:
        sent: list[float] = []

        async def record(_request: object) -> None:
            sent.append(time.perf_counter())

        http.event_hooks["request"].append(record)
        gateway = build_gateway(config, http, cache=cache, auth=tmdb.tmdb_auth(fakes.keys()["TMDB_API_KEY"]))
        provider = tmdb.TmdbProvider(gateway)
        before = fakes.tmdb.requests.total
        started = time.perf_counter()
        results = await asyncio.gather(*(provider.search(title, year, MediaKind.MOVIE, "en")
                                         for title, year in titles))
        elapsed = time.perf_counter() - started
        stats = gateway.stats()
    found = sum(1 for r in results if r)
    window = sent[-1] - sent[0] if len(sent) > 1 else 0.0
    return {"requests": fakes.tmdb.requests.total - before, "elapsed_s": round(elapsed, 2), "found": found,
            "rate_limited_received": stats.rate_limited, "cache_hits": stats.cache_hits,
            "steady_per_s": round((len(sent) - 1) / window, 1) if window else 0.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=int, default=40, help="the fake TMDB's limit R, requests per second")
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--headroom", type=float, default=0.95,
                        help="the client's limit as a fraction of R (arrival jitter must not push the server over R)")
    args = parser.parse_args()
    catalogue = SyntheticCatalogue(args.items, 0)
    titles = [catalogue.title_and_year(i) for i in range(args.items)]
    with tempfile.TemporaryDirectory() as folder, \
            FakeProviders(synthetic_items=args.items, tmdb_rate=RateLimit(args.rate, 1.0)) as fakes:
        database = store_db.open_database(Path(folder) / "bench.sqlite3")
        cache = ProviderCache(database)
        first = asyncio.run(lookups(fakes, titles, args.rate * args.headroom, cache))
        second = asyncio.run(lookups(fakes, titles, args.rate * args.headroom, cache))
        sent_429 = fakes.rate_limited()["tmdb"]
        store_db.close_database()
    overall = first["requests"] / first["elapsed_s"] if first["elapsed_s"] else 0.0
    report("providers_cold", rate_limit_R=args.rate, client_limit=round(args.rate * args.headroom, 1),
           lookups=args.items, **first, fake_sent_429=sent_429, overall_per_s=round(overall, 1),
           ratio_to_R=round(overall / args.rate, 3), steady_ratio_to_R=round(first["steady_per_s"] / args.rate, 3),
           targets="zero 429s, ratio >= 0.90")
    report("providers_warm", lookups=args.items, **second, target="zero requests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
