"""Startup benchmark: time from launching Curator to its first window on screen, for the frozen
app (``make dist``) and from source (``python -m curator``). Target: under 1.5 s frozen.

    uv run python bench/bench_startup.py [--runs 5] [--binary dist/curator/curator] [--demo]

Each run starts the program under ``QT_QPA_PLATFORM=offscreen`` with ``CURATOR_EXIT_AFTER_SHOW=1``:
at the window's first paint it prints "first window shown at <epoch seconds>" and quits. The
figure is that moment minus the moment this script launched it, so it includes the frozen
app's unpacking and every import. One warm-up run (not counted) creates the data folder and
fills the disk cache, as for a returning user; then the median of ``--runs`` runs is printed,
with the median CPU time of a whole run (steadier than wall-clock time on a busy machine).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import report

ROOT = Path(__file__).resolve().parent.parent
#: On Windows the windowed curator.exe has no stdout; its console twin prints the line.
DEFAULT_BINARY = ROOT / "dist" / "curator" / ("curator-cli.exe" if sys.platform == "win32" else "curator")
SHOWN = re.compile(r"first window shown at (\d+(?:\.\d+)?)")
TARGET_FROZEN_S = 1.5
RUN_TIME_LIMIT_S = 60.0


def time_to_window(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Seconds from launching ``command`` to its first window, and the CPU seconds the run
    used in all (0 where the system does not report children's CPU time). Raises when it
    shows no window."""
    launched, cpu_before = time.time(), _children_cpu()
    completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=RUN_TIME_LIMIT_S,
                               check=False)
    shown = SHOWN.search(completed.stdout)
    if completed.returncode != 0 or shown is None:
        detail = (completed.stderr or completed.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"{command[0]} exited with {completed.returncode} without showing a window: "
                           + " | ".join(detail))
    return float(shown.group(1)) - launched, _children_cpu() - cpu_before


def _children_cpu() -> float:
    times = os.times()
    return times.children_user + times.children_system


def measure(command: list[str], runs: int, data_dir: Path) -> list[tuple[float, float]]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "CURATOR_EXIT_AFTER_SHOW": "1",
           "CURATOR_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    time_to_window(command, env)  # warm-up: data folder, database, disk cache
    return [time_to_window(command, env) for _ in range(runs)]


def figures(results: list[tuple[float, float]]) -> dict[str, float]:
    """Wall-clock figures, and the median CPU time of a whole run (start to exit): on a busy
    machine the CPU figure is the steadier one."""
    times = [wall for wall, _cpu in results]
    return {"median_s": round(statistics.median(times), 3), "min_s": round(min(times), 3),
            "max_s": round(max(times), 3), "cpu_median_s": round(statistics.median(c for _w, c in results), 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--binary", type=Path, default=DEFAULT_BINARY, help="the frozen executable")
    parser.add_argument("--demo", action="store_true", help="start with the embedded demo servers")
    parser.add_argument("--skip-source", action="store_true", help="time only the frozen app")
    args = parser.parse_args()
    extra = ["--demo"] if args.demo else []
    with tempfile.TemporaryDirectory(prefix="curator-bench-startup-") as folder:
        if args.binary.is_file():
            results = figures(measure([str(args.binary), *extra], args.runs, Path(folder) / "frozen"))
            report("startup_frozen", **results, runs=args.runs, binary=str(args.binary),
                   target=f"< {TARGET_FROZEN_S} s", met=results["median_s"] < TARGET_FROZEN_S)
        else:
            print(f"startup_frozen: skipped, no {args.binary} (run 'make dist' first)")
        if not args.skip_source:
            results = figures(measure([sys.executable, "-m", "curator", *extra], args.runs, Path(folder) / "source"))
            report("startup_source", **results, runs=args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
