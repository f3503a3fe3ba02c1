"""UI benchmark: is the review window ever frozen? With a 20,000-item library loading and then
matching against the demo fakes, a 10 ms Qt timer measures how late the event loop serves it
(the longest stall and the 99th percentile); then filtering, sorting and searching the full
table are timed (each change plus the repaint it causes).

    uv run --frozen python bench/bench_ui.py [--items 20000] [--seconds 20] [--in-process] [--tmdb-rate 40]

By default the fakes run in a child process, as a real Plex server and real providers would
(they do not compete with the window for the interpreter). ``--in-process`` starts them inside
the window's process instead (``build_context(demo=True, demo_items=N)``), the worst case.
Targets: longest stall < 100 ms; each filter/sort < 50 ms. Runs offscreen.

Wall-clock figures include time the process was not running at all; on a busy machine read
the CPU ones too: ``busy_*_max_ms`` is the most main-thread CPU time spent between two timer
ticks (the longest stretch of the window's own work), ``*_cpu_ms_max`` the main-thread CPU
time of a filter/sort/search and its repaint.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import demo_servers, peak_rss_mb, report
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication

TICK_MS = 10
UNLIMITED_RATE = 100_000


class StallMonitor(QObject):
    """A precise 10 ms timer; records how late each tick comes (the loop was busy meanwhile),
    and the longest garbage-collector pause in the same time (one cause of stalls)."""

    def __init__(self) -> None:
        super().__init__()
        self._gc_started = 0.0
        self.gc_pauses_ms: list[float] = []
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._last = 0.0
        self._last_cpu = 0.0
        self.lateness_ms: list[float] = []
        self.busy_ms: list[float] = []

    def _gc(self, phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            self.gc_pauses_ms.append((time.perf_counter() - self._gc_started) * 1000)

    def start(self) -> None:
        self.lateness_ms = []
        self.busy_ms = []
        self.gc_pauses_ms = []
        gc.callbacks.append(self._gc)
        self._last, self._last_cpu = time.perf_counter(), time.thread_time()
        self._timer.start()

    def stop(self) -> dict[str, float]:
        self._timer.stop()
        gc.callbacks.remove(self._gc)
        late = sorted(self.lateness_ms) or [0.0]
        return {"max_ms": round(late[-1], 1), "p99_ms": round(late[int(0.99 * (len(late) - 1))], 1),
                "median_ms": round(statistics.median(late), 1), "ticks": len(late),
                "gc_max_ms": round(max(self.gc_pauses_ms, default=0.0), 1),
                "busy_max_ms": round(max(self.busy_ms, default=0.0), 1)}

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        self.lateness_ms.append(max(0.0, (now - self._last) * 1000 - TICK_MS))
        self.busy_ms.append((cpu - self._last_cpu) * 1000)
        self._last, self._last_cpu = now, cpu


@contextmanager
def fakes_in_child(items: int, tmdb_rate: int | None) -> Iterator[str]:
    """The fakes in another process (the window talks to them as to real servers); yields the
    fake Plex's address."""
    with demo_servers("--items", str(items), "--tmdb-rate", str(tmdb_rate or UNLIMITED_RATE)) as servers:
        env = {name: value for name, value in servers["env"].items()  # films: TMDB alone, as bench_match
               if not name.endswith(("_API_KEY", "_API_SECRET", "_CLIENT_KEY"))}
        os.environ.update({**env, "CURATOR_TMDB_API_KEY": servers["provider_keys"]["TMDB_API_KEY"],
                           "CURATOR_PLEX_TOKEN": servers["plex_token"]})
        yield str(servers["plex_url"])


async def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


def timed_ms(app: QApplication, change: Callable[[], Any]) -> tuple[float, float]:
    """One change to the table and the repaint it causes: wall-clock and main-thread CPU
    milliseconds (the CPU figure holds on a busy machine)."""
    started, cpu = time.perf_counter(), time.thread_time()
    change()
    app.processEvents()
    return (time.perf_counter() - started) * 1000, (time.thread_time() - cpu) * 1000


async def run(app: QApplication, args: argparse.Namespace, plex_url: str | None) -> dict[str, Any]:
    from curator.app import build_context
    from curator.ui.library_model import Column, ReviewFilter
    from curator.ui.main_window import MainWindow

    context = build_context(demo=plex_url is None, demo_items=args.items if plex_url is None else None)
    if plex_url is not None:
        context.prefs = context.prefs.with_changes(server_url=plex_url)
    else:
        for name in [name for name in os.environ if name.endswith(("_API_KEY", "_API_SECRET", "_CLIENT_KEY"))
                     and name != "CURATOR_TMDB_API_KEY"]:
            del os.environ[name]  # films: TMDB alone, as with the fakes in a child process
        if args.tmdb_rate is None:  # lift the fakes' limits (else they keep their own)
            for service in context.demo.providers.services:
                service.set_rate_limit(None)
    window = MainWindow(context)
    window.resize(1320, 820)
    window.show()
    monitor = StallMonitor()
    figures: dict[str, Any] = {"items": args.items, "fakes": "in-process" if args.in_process else "child process"}
    try:
        window.connect_configured()
        await wait_for(lambda: window.library_box.count() > 0, 30, "the libraries")
        synthetic = next(i for i in range(window.library_box.count())
                         if window.library_box.itemText(i).startswith("Synthetic"))
        monitor.start()
        started = time.perf_counter()
        window.library_box.setCurrentIndex(synthetic)
        await wait_for(lambda: window.model.finished and window.model.rowCount() == args.items, 120, "the library")
        await wait_for(lambda: not window.tasks.running(), 30, "the decisions")
        figures["load_s"] = round(time.perf_counter() - started, 2)
        loading = monitor.stop()
        figures.update({"stall_loading_max_ms": loading["max_ms"], "busy_loading_max_ms": loading["busy_max_ms"],
                        "gc_loading_max_ms": loading["gc_max_ms"]})

        await wait_for(window.match_action.isEnabled, 30, "the services")
        monitor.start()
        started = time.perf_counter()
        window.match_action.trigger()
        await wait_for(lambda: window.controller.matching_running, 10, "matching to start")
        deadline = time.monotonic() + args.seconds
        while window.controller.matching_running and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        window.controller.stop_matching()
        await wait_for(lambda: not window.controller.matching_running, 60, "matching to stop")
        elapsed = time.perf_counter() - started
        matching = monitor.stop()
        matched = len(window.model.decisions)
        figures.update({"matched": matched, "match_items_per_s": round(matched / elapsed, 1),
                        "stall_matching_max_ms": matching["max_ms"], "stall_matching_p99_ms": matching["p99_ms"],
                        "stall_matching_median_ms": matching["median_ms"],
                        "busy_matching_max_ms": matching["busy_max_ms"], "gc_matching_max_ms": matching["gc_max_ms"]})

        await wait_for(lambda: not window.tasks.running(), 60, "the last decisions")
        filter_ms = [timed_ms(app, lambda f=f: window.set_review_filter(f)) for f in ReviewFilter]
        filter_ms.append(timed_ms(app, lambda: window.set_review_filter(ReviewFilter.ALL)))
        sort_ms = [timed_ms(app, lambda c=c, o=o: window.table.sortByColumn(c, o))
                   for c in Column for o in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder)]
        search_ms = [timed_ms(app, lambda t=t: window.search.setText(t)) for t in ("m", "mo", "movie 1", "")]
        window.table.selectAll()
        app.processEvents()
        sort_selected_ms = timed_ms(app, lambda: window.table.sortByColumn(Column.TITLE, Qt.SortOrder.AscendingOrder))
        figures["rows"] = window.proxy.rowCount()
        for name, runs in (("filter", filter_ms), ("sort", sort_ms), ("search", search_ms)):
            wall, cpu = [w for w, _ in runs], [c for _, c in runs]
            figures.update({f"{name}_ms_max": round(max(wall), 1),
                            f"{name}_ms_median": round(statistics.median(wall), 1),
                            f"{name}_cpu_ms_max": round(max(cpu), 1)})
        figures["sort_all_selected_ms"] = round(sort_selected_ms[0], 1)
    finally:
        window.close()
        await context.aclose()
        context.close()
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=20.0, help="how long to let matching run")
    parser.add_argument("--in-process", action="store_true", help="run the fakes inside the window's process")
    parser.add_argument("--tmdb-rate", type=int, default=None,
                        help="the fake TMDB's (and Curator's) limit in requests/s (default: unlimited)")
    args = parser.parse_args()

    import qasync

    with ExitStack() as stack:
        data_dir = stack.enter_context(tempfile.TemporaryDirectory(prefix="curator-bench-ui-"))
        os.environ["CURATOR_DATA_DIR"] = data_dir
        os.environ["CURATOR_TMDB_RATE"] = f"{args.tmdb_rate or UNLIMITED_RATE}/1"
        plex_url = None if args.in_process else stack.enter_context(fakes_in_child(args.items, args.tmdb_rate))
        app = QApplication.instance() or QApplication(sys.argv)
        app.setQuitOnLastWindowClosed(False)
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        with loop:
            figures = loop.run_until_complete(run(app, args, plex_url))
    report("ui", **figures, peak_rss_mb=round(peak_rss_mb(), 1),
           targets="stall < 100 ms; filter/sort < 50 ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
