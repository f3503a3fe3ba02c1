"""`curator match` over a 1,000-item library, killed with SIGKILL and run again, continues
where it stopped (issue 4, acceptance 4). The fakes run in this process so their request
counters survive the CLI's death."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from curator.demo.servers import DemoServers

ITEMS = 1000
CONCURRENCY = 4


def decided(database: Path) -> int:
    if not database.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1) as db:
            return db.execute("SELECT COUNT(*) FROM decision").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_killed_match_resumes_without_asking_for_decided_items_again(tmp_path):
    data = tmp_path / "data"
    with DemoServers(items=ITEMS) as demo:
        described = demo.describe()
        for service in demo.providers.services:
            service.set_rate_limit(None)
        env = {**os.environ, **described["env"], "CURATOR_DATA_DIR": str(data),
               "CURATOR_PLEX_TOKEN": described["plex_token"], "CURATOR_TMDB_RATE": "400/1",
               "CURATOR_TVDB_RATE": "400/1", "CURATOR_OMDB_RATE": "400/1"}
        command = [sys.executable, "-m", "curator", "--server", described["plex_url"], "match",
                   "--library", "Synthetic", "--concurrency", str(CONCURRENCY)]
        first = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        database = data / "curator.sqlite3"
        deadline = time.monotonic() + 60
        while decided(database) < 300 and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        before_kill = decided(database)
        assert 300 <= before_kill < ITEMS, "the kill must land mid-run"
        signatures_before = demo.providers.tmdb.request_signatures()

        second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
        assert second.returncode == 0, second.stderr[-2000:]
        assert decided(database) == ITEMS
        skipped = int(re.search(r"(\d+) already decided", second.stdout).group(1))
        assert skipped >= before_kill  # everything decided before the kill was skipped
        repeated = {sig: n for sig, n in demo.providers.tmdb.request_signatures().items()
                    if n > 1 and sig in signatures_before}
    # Only requests that were in flight when the process died can be asked again: their
    # answers never reached the cache. Every item decided before the kill is asked nothing.
    assert len(repeated) <= CONCURRENCY, repeated
