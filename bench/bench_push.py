"""Push benchmark: ``--items`` accepted summaries written to the fake Plex through Curator's
publisher — for each item: read the current summary, journal it, write the new one locked,
read it back, mark it done — and the items per second that makes.

The fakes run in a child process (as in bench_match.py); the publisher, the journal and the
decision store are the app's own (``AppContext.publisher``).

    uv run --frozen python bench/bench_push.py [--items 1000] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_match import curator_context, load_items
from common import demo_servers, report

from curator.app import AppContext
from curator.domain.models import DecisionStatus
from curator.services.review import push_requests
from curator.store.decisions import ProposalRow


async def push_run(context: AppContext, plex_url: str, count: int, concurrency: int) -> dict[str, Any]:
    try:
        library, items = await load_items(context, plex_url, count)
        store, server = context.decisions(), library.server.machine_identifier
        store.save_proposals(server, [
            ProposalRow(item.rating_key, item.kind, item.title, DecisionStatus.ACCEPTED, guid=item.guid,
                        year=item.year, proposed_summary=f"Curator benchmark summary number {n} for {item.title}.")
            for n, item in enumerate(items)])
        requests = await push_requests(store, server)
        publisher = context.publisher(library)
        started = time.perf_counter()
        outcomes = await publisher.push_many(requests, concurrency=concurrency)
        elapsed = time.perf_counter() - started
        pushed = store.counts(server)[DecisionStatus.PUSHED]
        revertible = len(await publisher.revertible())
    finally:
        await context.aclose()
    ok = sum(1 for outcome in outcomes if outcome.ok)
    return {"items": len(requests), "pushed_and_read_back": ok, "failed": len(outcomes) - ok,
            "decisions_marked_pushed": pushed, "revertible": revertible, "elapsed_s": round(elapsed, 2),
            "items_per_s": round(ok / elapsed, 1) if elapsed else 0.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=4, help="pushes in flight (the publisher's default)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, demo_servers("--items", str(args.items)) as servers, \
            curator_context(servers, Path(folder), client_rate=40) as context:
        figures = asyncio.run(push_run(context, servers["plex_url"], args.items, args.concurrency))
    report("push", **figures, concurrency=args.concurrency,
           note="per item: read, journal, write (locked), read back, mark done")
    return 0 if figures["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
