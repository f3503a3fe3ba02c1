"""Load benchmark: list a 20,000-item synthetic library from the fake Plex through Curator's
client, and print the time to the first page, the total time and the peak memory.

    uv run python bench/bench_load.py [--items 20000] [--page-size 500]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import demo_servers, peak_rss_mb, report

from curator.net.http import create_client
from curator.services.library import LibraryService


async def list_library(url: str, token: str, items: int, page_size: int) -> dict[str, float]:
    async with create_client() as http:
        started = time.perf_counter()
        library = await LibraryService.connect(http, url, token, client_identifier="curator-bench")
        section = next(s for s in await library.sections() if s.title.startswith("Synthetic"))
        first_page = None
        kept: list[object] = []  # keep every item, as the window's table does
        async for page in library.client.iter_pages(section.key, section.kind, page_size=page_size):
            if first_page is None:
                first_page = time.perf_counter() - started
            kept.extend(page.items)
        total = time.perf_counter() - started
        count = len(kept)
    if count != items:
        raise SystemExit(f"expected {items} items, listed {count}")
    return {"items": count, "first_page_s": round(first_page or 0.0, 3), "total_s": round(total, 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--page-size", type=int, default=500)
    args = parser.parse_args()
    with demo_servers("--items", str(args.items)) as servers:
        figures = asyncio.run(list_library(servers["plex_url"], servers["plex_token"], args.items, args.page_size))
    report("load", **figures, page_size=args.page_size, peak_rss_mb=round(peak_rss_mb(), 1),
           targets="first page < 0.5 s, total < 5 s, peak < 400 MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
