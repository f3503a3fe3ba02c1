"""Provider throughput against the loopback fake TMDB limited to R requests/s.

500 concurrent lookups (one TMDB search each) go through the real gateway (limiter, retries,
breaker, SQLite cache). Printed: requests, 429s received, elapsed time, sustained rate and its
ratio to R; then a second run over the same 500 items, which must make zero requests.

The fakes run in a child process, as a real server runs apart from its clients: in one
process the fake's threads wait for the client's interpreter lock before they note a
request's arrival, and that wait — not the client — bunches arrivals. The child answers
``counts`` on its standard input with the fake's own counters (requests, 429s sent).

The client runs at R itself by default (``--headroom 1.0``): its limiter holds each call's
place in the window until the answer is back, so however late a request reaches the server, no
second of the server's sees more than R.

    uv run python bench/bench_providers.py [--rate 40] [--items 500] [--headroom 1.0]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

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


class ChildFakes:
    """The fake providers in a child process (see the module's doc)."""

    def __init__(self, items: int, rate: int) -> None:
        self._process = subprocess.Popen(
            [sys.executable, __file__, "--serve-fakes", "--items", str(items), "--rate", str(rate)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        described = self._ask(None)
        self.tmdb_url: str = described["tmdb_url"]
        self.tmdb_key: str = described["tmdb_key"]

    def counts(self) -> dict[str, int]:
        return self._ask("counts")

    def close(self) -> None:
        assert self._process.stdin is not None
        self._process.stdin.close()  # the child stops at the end of its input
        self._process.wait(timeout=10)

    def _ask(self, question: str | None) -> dict[str, Any]:
        assert self._process.stdin is not None and self._process.stdout is not None
        if question is not None:
            self._process.stdin.write(question + "\n")
            self._process.stdin.flush()
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError("the fake providers' process ended")
        answer: dict[str, Any] = json.loads(line)
        return answer


def serve_fakes(items: int, rate: int) -> int:
    """The child: run the fakes, print their URL and key, then answer ``counts`` until stdin ends."""
    with FakeProviders(synthetic_items=items, tmdb_rate=RateLimit(rate, 1.0)) as fakes:
        print(json.dumps({"tmdb_url": fakes.tmdb.url, "tmdb_key": fakes.keys()["TMDB_API_KEY"]}), flush=True)
        for _line in sys.stdin:
            print(json.dumps({"requests": fakes.tmdb.requests.total, "sent_429": fakes.rate_limited()["tmdb"]}),
                  flush=True)
    return 0


async def lookups(fakes: ChildFakes, titles: list[tuple[str, int | None]], rate: float,
                  cache: ProviderCache) -> dict[str, float]:
    config = replace(default_settings()["tmdb"], base_url=fakes.tmdb_url, rate=Rate(max(1, int(rate)), 1.0),
                     concurrency=64)
    async with create_client(max_connections=64) as http:
        sent: list[float] = []

        async def record(_request: object) -> None:
            sent.append(time.perf_counter())

        http.event_hooks["request"].append(record)
        gateway = build_gateway(config, http, cache=cache, auth=tmdb.tmdb_auth(fakes.tmdb_key))
        provider = tmdb.TmdbProvider(gateway)
        before = fakes.counts()["requests"]
        started = time.perf_counter()
        results = await asyncio.gather(*(provider.search(title, year, MediaKind.MOVIE, "en")
                                         for title, year in titles))
        elapsed = time.perf_counter() - started
        stats = gateway.stats()
    found = sum(1 for r in results if r)
    window = sent[-1] - sent[0] if len(sent) > 1 else 0.0
    return {"requests": fakes.counts()["requests"] - before, "elapsed_s": round(elapsed, 2), "found": found,
            "rate_limited_received": stats.rate_limited, "cache_hits": stats.cache_hits,
            "latency_mean_ms": round(stats.latency.mean * 1000, 1),
            "latency_p95_ms": round(stats.latency.p95 * 1000, 1),
            "steady_per_s": round((len(sent) - 1) / window, 1) if window else 0.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=int, default=40, help="the fake TMDB's limit R, requests per second")
    parser.add_argument("--items", type=int, default=500)
    parser.add_argument("--headroom", type=float, default=1.0,
                        help="the client's limit as a fraction of R")
    parser.add_argument("--serve-fakes", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_fakes:
        return serve_fakes(args.items, args.rate)
    catalogue = SyntheticCatalogue(args.items, 0)
    titles = [catalogue.title_and_year(i) for i in range(args.items)]
    fakes = ChildFakes(args.items, args.rate)
    try:
        with tempfile.TemporaryDirectory() as folder:
            database = store_db.open_database(Path(folder) / "bench.sqlite3")
            cache = ProviderCache(database)
            first = asyncio.run(lookups(fakes, titles, args.rate * args.headroom, cache))
            second = asyncio.run(lookups(fakes, titles, args.rate * args.headroom, cache))
            sent_429 = fakes.counts()["sent_429"]
            store_db.close_database()
    finally:
        fakes.close()
    overall = first["requests"] / first["elapsed_s"] if first["elapsed_s"] else 0.0
    report("providers_cold", rate_limit_R=args.rate, client_limit=round(args.rate * args.headroom, 1),
           lookups=args.items, **first, fake_sent_429=sent_429, overall_per_s=round(overall, 1),
           ratio_to_R=round(overall / args.rate, 3), steady_ratio_to_R=round(first["steady_per_s"] / args.rate, 3),
           targets="zero 429s, ratio >= 0.90")
    report("providers_warm", lookups=args.items, **second, target="zero requests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
