"""Crash safety (issue 8, acceptance 1): `curator match` and `curator push --yes` on a synthetic
library are killed with SIGKILL at seeded random points — at least 50 times — and restarted
until they finish. Then: every item has a decision, no decision was ever lost (the count never
drops, a pushed item stays pushed), the fake Plex saw at most one write per item, the journal
holds nothing unfinished, and `revert --all` restores every summary.

The fakes run in this process, so their counters (requests, PUTs per item) outlive every kill.
Most kills are triggered by progress — after a random number of new provider requests or
Plex writes, plus a random few milliseconds — so they land inside the work (between the
journal's intent, the write, its read-back and the decision update); some land during start-up.
"""

from __future__ import annotations

import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from curator.demo.servers import DemoServers

pytestmark = pytest.mark.crash_loop

ITEMS = 300
SEED = 20260815
MIN_KILLS = 50
MATCH_KILLS = 25
#: A run that neither finishes nor reaches its kill point in this time is stuck.
RUN_TIMEOUT = 90.0


@dataclass
class Store:
    """Read-only looks into the data folder, taken while no Curator runs."""

    path: Path

    def query(self, sql: str) -> list[tuple]:
        if not self.path.exists():
            return []
        with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True) as db:
            return db.execute(sql).fetchall()

    def decisions(self) -> dict[str, str]:
        return dict(self.query("SELECT rating_key, status FROM decision"))

    def journal(self) -> list[tuple[str, str]]:
        return self.query("SELECT rating_key, state FROM push_record ORDER BY id")


@dataclass
class KillLoop:
    command: list[str]
    env: dict[str, str]
    logs: Path
    rng: random.Random
    kills: int = 0
    runs: int = 0
    history: list[str] = field(default_factory=list)

    def run_until_done(self, progress: Callable[[], int], step: Callable[[int], int], quota: int,
                       after_kill: Callable[[], None]) -> int:
        """Start the command again and again, killing it at random points, until it ends by
        itself (after ``quota`` kills, it is left to finish); returns the kills. ``step(kills
        still wanted)`` is how much ``progress`` the next run may make before it is killed."""
        kills = 0
        while True:
            self.runs += 1
            out = self.logs / f"run-{self.runs}.out"
            with out.open("w") as sink:
                child = subprocess.Popen(self.command, env=self.env, stdout=sink, stderr=subprocess.STDOUT)
                killed = self._kill_at_random_point(child, progress, step(quota - kills)) if kills < quota else False
                code = child.wait(timeout=RUN_TIMEOUT)
            if killed:
                assert code == -signal.SIGKILL, out.read_text()[-2000:]
                kills += 1
                self.kills += 1
                after_kill()
                continue
            assert code == 0, out.read_text()[-3000:]
            return kills

    def _kill_at_random_point(self, child: subprocess.Popen[bytes], progress: Callable[[], int], step: int) -> bool:
        started = time.monotonic()
        if self.rng.random() < 0.15:  # during start-up: imports, the store, connecting
            point, target = "start-up", None
            wait_until = started + self.rng.uniform(0.05, 1.5)
        else:
            point, target = "work", progress() + step
            wait_until = None
        while child.poll() is None:
            now = time.monotonic()
            assert now - started < RUN_TIMEOUT, "a run got stuck"
            if (wait_until is not None and now >= wait_until) or (target is not None and progress() >= target):
                time.sleep(self.rng.uniform(0.0, 0.01))  # somewhere inside the next step
                if child.poll() is not None:
                    return False
                child.send_signal(signal.SIGKILL)
                self.history.append(point)
                return True
            time.sleep(0.002)
        return False


def test_sigkill_during_match_and_push_loses_nothing_and_pushes_nothing_twice(tmp_path):
    data = tmp_path / "data"
    logs = tmp_path / "runs"
    logs.mkdir()
    store = Store(data / "curator.sqlite3")
    rng = random.Random(SEED)
    with DemoServers(items=ITEMS) as demo:
        described = demo.describe()
        for service in demo.providers.services:
            service.set_rate_limit(None)
        env = {**os.environ, **described["env"], "CURATOR_DATA_DIR": str(data),
               "CURATOR_PLEX_TOKEN": described["plex_token"],
               "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
               **{f"CURATOR_{name}_RATE": "1000/1" for name in ("TMDB", "TVDB", "OMDB", "TVMAZE")}}
        base = [sys.executable, "-m", "curator", "--server", described["plex_url"]]
        section = next(k for k, title in described["plex_sections"].items() if title == "Synthetic")
        keys = [str(item.rating_key) for item in demo.plex.library.listing(int(section), "movie")]
        assert len(keys) == ITEMS
        originals = {key: (demo.plex.summary(key), "summary" in demo.plex.locked_fields(key)) for key in keys}

        seen = {"decided": 0, "pushed": set()}

        def nothing_lost() -> None:
            decisions = store.decisions()
            pushed = {key for key, status in decisions.items() if status == "pushed"}
            assert len(decisions) >= seen["decided"], "a decision was lost"
            assert pushed >= seen["pushed"], "a pushed item went back"
            assert max(demo.plex.put_counts().values(), default=0) <= 1, "an item was written twice"
            seen["decided"], seen["pushed"] = len(decisions), pushed

        def tmdb_requests() -> int:
            return demo.providers.tmdb.requests.total

        def plex_writes() -> int:
            return sum(demo.plex.put_counts().values())

        # 1. match, killed again and again
        matcher = KillLoop([*base, "match", "--library", "Synthetic", "--concurrency", "4"], env, logs, rng)
        match_kills = matcher.run_until_done(tmdb_requests, lambda _wanted: rng.randint(1, 15), MATCH_KILLS,
                                             nothing_lost)
        assert len(store.decisions()) == ITEMS

        # 2. accept the proposals (one transaction), then push, killed again and again
        accepted = subprocess.run([*base, "accept-above", "0", "--margin", "0"], env=env, capture_output=True,
                                  text=True, timeout=RUN_TIMEOUT)
        assert accepted.returncode == 0, accepted.stderr[-2000:]
        to_push = int(re.search(r"accepted (\d+) items", accepted.stdout).group(1))
        assert to_push > ITEMS // 2
        pusher = KillLoop([*base, "push", "--yes"], env, logs, rng, runs=matcher.runs)
        def push_step(wanted: int) -> int:  # spread the kills over the writes still to come
            return rng.randint(1, max(1, (to_push - plex_writes()) // (wanted + 4)))

        push_kills = pusher.run_until_done(plex_writes, push_step, max(MIN_KILLS - match_kills, MIN_KILLS // 2),
                                           nothing_lost)
        nothing_lost()

        kills = match_kills + push_kills
        interrupted = sum(1 for _, state in store.journal() if state == "failed")
        print(f"{kills} kills ({match_kills} during match, {push_kills} during push; "
              f"{matcher.history.count('start-up') + pusher.history.count('start-up')} at start-up); "
              f"{interrupted} pushes were interrupted before their write and redone")
        assert kills >= MIN_KILLS, f"only {kills} kills ({match_kills} during match, {push_kills} during push)"
        assert matcher.history.count("work") + pusher.history.count("work") >= MIN_KILLS * 2 // 3

        # 3. one more push settles anything a kill left open and finds nothing left to do
        final = subprocess.run([*base, "push", "--yes"], env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT)
        assert final.returncode == 0, final.stderr[-2000:]
        assert "Nothing to push" in final.stdout

        decisions = store.decisions()
        assert set(decisions) == set(keys)  # every item has its decision
        pushed = {key for key, status in decisions.items() if status == "pushed"}
        assert len(pushed) == to_push and "accepted" not in decisions.values()
        journal = store.journal()
        assert not [row for row in journal if row[1] in ("pending", "written")]
        done = [key for key, state in journal if state == "done"]
        assert sorted(done) == sorted(pushed)  # one finished journal entry per pushed item
        writes = demo.plex.put_counts()
        assert {str(k) for k, n in writes.items() if n} == pushed
        assert set(writes.values()) == {1}  # no double push
        assert all(demo.plex.summary(key) != originals[key][0] for key in pushed)

        # 4. every push can be taken back
        reverted = subprocess.run([*base, "revert", "--all", "--yes"], env=env, capture_output=True, text=True,
                                  timeout=RUN_TIMEOUT)
        assert reverted.returncode == 0, reverted.stderr[-2000:]
        assert f"reverted {to_push} of {to_push} items." in reverted.stdout
        now = {key: (demo.plex.summary(key), "summary" in demo.plex.locked_fields(key)) for key in keys}
        assert now == originals
