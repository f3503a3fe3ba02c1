"""``make bench``: run every ``bench/bench_*.py`` one after another, collect the ``BENCH {json}``
lines they print, and write ``docs/PERFORMANCE.md`` — each figure with its target, whether it
is met, the command that made it and the machine; then, plainly, what is not met, why, and what
would close it, and what was not measured.

    uv run --frozen python bench/run_all.py [--only match,push] [--output docs/PERFORMANCE.md]

Each script runs in its own process (the fakes they start run in yet another), one at a time,
so they do not compete for the machine's cores with each other.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
import timeit
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
#: Scripts in the order the page lists them; any other bench_*.py runs after these.
ORDER = ("load", "providers", "match", "push", "scoring", "ui", "startup")
#: Seconds one script may take before it is stopped (the whole run must stay under 15 minutes).
TIMEOUT_S = 420


@dataclass(frozen=True)
class Figure:
    """One figure of the issue: where it comes from, its target and how to judge it."""

    bench: str  # the "name" of the BENCH line
    key: str  # the figure in that line
    label: str
    target: str = "—"
    met: Callable[[float], bool] | None = None
    unit: str = ""
    #: Other figures of the same line shown next to this one.
    context: tuple[str, ...] = ()


@dataclass(frozen=True)
class Group:
    """The figures one script is expected to make, and what to say when it is missing."""

    script: str
    figures: tuple[Figure, ...]
    absent: str = "the script does not exist yet"


GROUPS: tuple[Group, ...] = (
    Group("load", (
        Figure("load", "first_page_s", "Load 20,000 items: time to the first page", "< 0.5 s", lambda v: v < 0.5, "s"),
        Figure("load", "total_s", "Load 20,000 items: total time", "< 5 s", lambda v: v < 5, "s"),
        Figure("load", "peak_rss_mb", "Load 20,000 items: peak memory (client)", "< 400 MB", lambda v: v < 400, "MB"),
    )),
    Group("providers", (
        Figure("providers_cold", "ratio_to_R", "Provider gateway: 500 lookups, sustained rate ÷ R", "≥ 0.90",
               lambda v: v >= 0.9, context=("rate_limit_R", "overall_per_s")),
        Figure("providers_cold", "rate_limited_received", "Provider gateway: 429s received", "0", lambda v: v == 0),
        Figure("providers_warm", "requests", "Provider gateway, warm cache: requests", "0", lambda v: v == 0),
    )),
    Group("match", (
        Figure("match_throughput", "ratio_to_ceiling", "Match 2,000 items: items/s ÷ ceiling R ÷ (requests per item)",
               "≥ 0.90", lambda v: v >= 0.9,
               context=("items_per_s", "ceiling_items_per_s", "rate_limit_R", "client_limit")),
        Figure("match_throughput", "requests_per_item", "Match 2,000 items: requests per movie", "≤ 1.5",
               lambda v: v <= 1.5),
        Figure("match_throughput", "rate_limited_received", "Match 2,000 items: 429s received", "0", lambda v: v == 0),
        Figure("match_sequential", "items_per_s", "Old approach (one request at a time, 0.5 s apart): items/s",
               unit="items/s", context=("items", "extrapolated_total_s")),
        Figure("match_sequential", "speedup", "Curator ÷ old approach (items/s)", unit="×"),
        Figure("match_cold_unlimited", "items_per_s",
               "Match 20,000 items, fake TMDB without a limit (client's own ceiling)", unit="items/s",
               context=("requests_per_item",)),
        Figure("match_warm_cache", "items_per_s", "Warm cache: rematch of 20,000 items", "≥ 5,000 items/s",
               lambda v: v >= 5000, "items/s", context=("elapsed_s",)),
        Figure("match_warm_cache", "requests", "Warm cache: requests", "0", lambda v: v == 0),
    )),
    Group("push", (
        Figure("push", "items_per_s", "Push 1,000 summaries (journal, locked write, read-back)", unit="items/s",
               context=("pushed_and_read_back", "failed", "concurrency")),
    )),
    Group("scoring", (
        Figure("scoring", "library_run_scores_per_cpu_s", "Scoring: candidate scores per CPU second (library run)",
               "≥ 100,000", lambda v: v >= 100_000,
               context=("library_run_scores_per_s", "ranking_only_scores_per_cpu_s")),
    )),
    Group("ui", (
        Figure("ui", "stall_loading_max_ms", "UI: longest event-loop stall while loading 20,000 items", "< 100 ms",
               lambda v: v < 100, "ms", context=("load_s",)),
        Figure("ui", "stall_matching_max_ms", "UI: longest event-loop stall while matching", "< 100 ms",
               lambda v: v < 100, "ms", context=("stall_matching_p99_ms", "match_items_per_s")),
        Figure("ui", "filter_ms_max", "UI: filter 20,000 rows (slowest filter, with repaint)", "< 50 ms",
               lambda v: v < 50, "ms", context=("filter_ms_median",)),
        Figure("ui", "sort_ms_max", "UI: sort 20,000 rows (slowest column, with repaint)", "< 50 ms",
               lambda v: v < 50, "ms", context=("sort_ms_median",)),
        Figure("ui", "search_ms_max", "UI: search box on 20,000 rows (slowest keystroke)", unit="ms"),
    ), absent="bench/bench_ui.py is not written yet (the review-window work adds it)"),
    Group("startup", (
        Figure("startup_source", "median_s", "Start-up from source: start to first window", unit="s",
               context=("cpu_median_s",)),
        Figure("startup_frozen", "median_s", "Start-up, frozen app: start to first window", "< 1.5 s",
               lambda v: v < 1.5, "s", context=("cpu_median_s",)),
    )),
)

_UI_NOTE = ("Measured by `bench/bench_ui.py`, which belongs to the review-window work (issue 5) and is "
            "analysed there; these figures include everything the window's event loop does meanwhile, "
            "matching's own per-item work and its batch commits among it.")

def _stall_note(line: dict[str, Any], phase: str) -> str:
    busy = line.get(f"busy_{phase}_max_ms", "?")
    return (
        f"The window's own longest stretch of work between two ticks of the timer was {busy} ms "
        f"(`busy_{phase}_max_ms`, main-thread CPU time); the rest of the stall is time the main thread was "
        "ready but not running — waiting for a core (the fakes in their child process, the machine's other "
        "work) or for the interpreter lock held by another thread (first-time imports in a worker thread "
        "were one such cause). " + _UI_NOTE)


def _limiter_429_note(line: dict[str, Any]) -> str:
    return (
        f"The limiter holds each call's place in the window until its answer is back, so no second of the "
        f"server's can see more than the client's limit ({line['client_limit']}/s) of the client's requests, "
        "whatever the delays on the way (`tests/net/test_ratelimit.py` checks this over random delays). A 429 "
        "therefore means the server counted requests that did not pass the limiter, or counts a lower limit "
        f"than R = {line['rate_limit_R']}. A 429 costs little: the gateway pauses as told, retries and paces for "
        "one period.")


def _limiter_rate_note(line: dict[str, Any]) -> str:
    return (
        "Each call holds its place in the window until its answer is back, so the best sustained rate is the "
        f"client's limit ({line['client_limit']}/s) ÷ (1 s + the answer time); on a busy machine the event loop "
        "notices answers later and the rate drops with it (quiet runs here: 0.96–0.98 of R at 4 ms answers). "
        "Closing it: a quieter machine; the limit itself is not the bottleneck.")


#: Why a figure falls short and what would close it, from what was measured while working on it
#: and from the figures of this run (``line``: the BENCH line the figure comes from).
SHORTFALLS: dict[tuple[str, str], Callable[[dict[str, Any]], str]] = {
    ("match_warm_cache", "items_per_s"): lambda line: (
        "A warm rematch is CPU-bound in one Python process, and every item still goes the whole way: a cache "
        "key, the cached answer (from the cache's memory, on the event loop, without a thread hop, once the "
        "provider's recent answers are preloaded), JSON decoding, the provider parsing it back into "
        "candidates, scoring, and writing the decision (JSON of every candidate with its score parts) in the "
        "store's thread. All of it shares one GIL, so the figure moves with the machine's load. Done so far: "
        "decisions written in batches, last-used marks written in batches, cache keys without `urlencode` "
        "and with memoised parts (145–200 items/s at first); then answers kept in memory and given without a "
        "thread hop, `sanitise_summary` skipping the HTML parser for plain text, and TMDB parsing only what "
        "it uses (about 1,400 → 2,300–2,800 items/s under the same load, same decisions and cache rows). "
        "What would close the rest, about 350 µs an item now against the 200 µs 5,000/s allows, from the "
        "profile: (1) the decision writes, 90–115 µs an item — an unchanged proposal is no longer written "
        "(no page or WAL writes on a rematch), but every candidate is still encoded to JSON to compare it; "
        "(2) caching parsed candidates rather than raw JSON, so a rematch re-scores without decoding "
        "and re-parsing (about 45 µs a hit); (3) `gc.freeze()` once a library is loaded (0.5–0.75 s of "
        "collections in a 20,000-item run); or a machine that runs Python about twice as fast as this one "
        "(see the calibration above)."),
    ("match_throughput", "rate_limited_received"): _limiter_429_note,
    ("providers_cold", "rate_limited_received"): _limiter_429_note,
    ("match_throughput", "ratio_to_ceiling"): _limiter_rate_note,
    ("providers_cold", "ratio_to_R"): _limiter_rate_note,
    ("ui", "stall_loading_max_ms"): lambda line: _stall_note(line, "loading"),
    ("ui", "stall_matching_max_ms"): lambda line: _stall_note(line, "matching"),
    **{("ui", key): lambda _line: _UI_NOTE for key in ("filter_ms_max", "sort_ms_max")},
    ("startup_frozen", "median_s"): lambda line: (
        "Measured by `bench/bench_startup.py` (packaging work, issue 7), on the frozen app found in `dist/`; "
        f"its CPU time per start was {line.get('cpu_median_s', '?')} s, steadier than wall time on a busy "
        "machine."),
    ("scoring", "library_run_scores_per_cpu_s"): lambda line: (
        "Scoring is CPU-bound Python: each candidate's title forms compared with rapidfuzz's Indel distance, "
        "and its parts looked up. Measured here at ≥ 100,000 per CPU second on a quiet machine; on a busy "
        "one the same code runs slower (see `loop_us` for how fast Python ran during the run)."),
}


@dataclass
class Outcome:
    script: str
    command: str
    seconds: float
    exit_code: int | None
    lines: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""


def scripts(only: set[str] | None) -> list[Path]:
    found = {path.stem.removeprefix("bench_"): path for path in BENCH_DIR.glob("bench_*.py")}
    ordered = [name for name in ORDER if name in found] + sorted(set(found) - set(ORDER))
    return [found[name] for name in ordered if only is None or name in only]


def run_script(path: Path) -> Outcome:
    command = f"uv run --frozen python bench/{path.name}"
    print(f"== {command}", flush=True)
    started = time.perf_counter()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen")}
    try:
        done = subprocess.run([sys.executable, str(path)], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired as err:
        out = err.stdout.decode() if isinstance(err.stdout, bytes) else (err.stdout or "")
        outcome = Outcome(path.stem, command, time.perf_counter() - started, None,
                          error=f"stopped after {TIMEOUT_S} s")
        outcome.lines = _bench_lines(out)
        return outcome
    outcome = Outcome(path.stem, command, time.perf_counter() - started, done.returncode, _bench_lines(done.stdout))
    for line in done.stdout.splitlines():
        if not line.startswith("BENCH "):
            print(f"   {line}", flush=True)
    if done.returncode != 0:
        outcome.error = f"exit code {done.returncode}: " + " | ".join(done.stderr.strip().splitlines()[-3:])
        print(f"   failed: {outcome.error}", flush=True)
    return outcome


def _bench_lines(stdout: str) -> list[dict[str, Any]]:
    lines = []
    for line in stdout.splitlines():
        if line.startswith("BENCH "):
            try:
                lines.append(json.loads(line[len("BENCH "):]))
            except ValueError:
                continue
    return lines


# --- the page ----------------------------------------------------------------------------------


def calibration_us() -> float:
    """Microseconds for ``sum(range(1000))`` here: how fast this machine runs Python right now."""
    return min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000 * 1e6


def machine_line() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def _shown(value: Any, unit: str = "") -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        text = f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 10 else f"{value:,.1f}"
    elif isinstance(value, int):
        text = f"{value:,}"
    else:
        text = str(value)
    return f"{text} {unit}".strip() if unit and unit != "×" else (f"{text}×" if unit == "×" else text)


def write_page(outcomes: list[Outcome], output: Path, *, started: datetime.datetime, load_before: str,
               load_after: str, loop_us: float, total_s: float) -> list[str]:
    """Write the page; returns the labels of the targets not met."""
    by_name = {line["name"]: (line, outcome) for outcome in outcomes for line in outcome.lines}
    ran = {outcome.script.removeprefix("bench_"): outcome for outcome in outcomes}
    rows, shortfalls, missing = [], [], []
    for group in GROUPS:
        outcome = ran.get(group.script)
        if outcome is None:
            script = BENCH_DIR / f"bench_{group.script}.py"
            reason = group.absent if not script.exists() else "not run (--only)"
            missing.append((group, reason))
            continue
        for figure in group.figures:
            line, source = by_name.get(figure.bench, ({}, outcome))
            value = line.get(figure.key)
            if value is None:
                why = outcome.error or f"{outcome.command} printed no '{figure.bench}.{figure.key}' figure"
                if figure.bench == "startup_frozen" and not outcome.error:
                    why = "no frozen app on this machine: `make dist` builds it (not part of `make bench`)"
                rows.append((figure.label, "not measured", figure.target, "—", outcome.command))
                missing.append((Group(group.script, (figure,)), why))
                continue
            measured = _shown(value, figure.unit)
            extra = ", ".join(f"{k} {_shown(line[k])}" for k in figure.context if k in line)
            if extra:
                measured += f" ({extra})"
            verdict = "—"
            if figure.met is not None and isinstance(value, int | float):
                ok = figure.met(float(value))
                verdict = "yes" if ok else "**no**"
                if not ok:
                    shortfalls.append((figure, line, figure.label))
            rows.append((figure.label, measured, figure.target, verdict, source.command))

    text = [
        "# Performance",
        "",
        f"Written by `make bench` (`bench/run_all.py`) on {started:%Y-%m-%d %H:%M} in {total_s / 60:.1f} minutes. "
        "Every figure below comes from that one run.",
        "",
        f"- **Machine:** {machine_line()}.",
        f"- **How busy it was:** load average {load_before} at the start, {load_after} at the end "
        "(on 2 cores; other work shared the machine).",
        f"- **How fast it runs Python:** `sum(range(1000))` took {loop_us:.1f} µs (a current laptop: about 8–10 µs). "
        "CPU-bound figures scale with this.",
        "- **Set-up:** the fake Plex and fake providers run in a child process on loopback "
        "(`curator demo-server`), so they do not share the client's interpreter; the client is the app's own "
        "composition root (`AppContext`: provider chain, gateway, SQLite cache and decision store).",
        "",
        "## Figures",
        "",
        "| Figure | Measured | Target | Met? | Command |",
        "|---|---|---|---|---|",
    ]
    text += [f"| {label} | {measured} | {target} | {met} | `{command}` |"
             for label, measured, target, met, command in rows]
    text += ["", "## Speed is bounded by the providers' limits", ""]
    text += _against_limits(by_name)
    text += ["", "## Not met: why, and what would close it", ""]
    if shortfalls:
        for figure, line, label in shortfalls:
            explain = SHORTFALLS.get((figure.bench, figure.key))
            why = explain(line) if explain is not None else "Not analysed yet."
            measured = _shown(line[figure.key], figure.unit)
            text.append(f"- **{label}** — measured {measured}, target {figure.target}. {why}")
    else:
        text.append("Every target that was measured is met.")
    text += ["", "## Not measured", ""]
    if missing:
        for group, reason in missing:
            labels = "; ".join(f.label for f in group.figures)
            text.append(f"- {labels}: not measured yet — {reason}.")
    else:
        text.append("Everything was measured.")
    text += ["", "## Every figure printed", ""]
    for outcome in outcomes:
        status = "ok" if not outcome.error else outcome.error
        text.append(f"- `{outcome.command}` ({outcome.seconds:.0f} s, {status})")
        for line in outcome.lines:
            shown = ", ".join(f"{k}={v}" for k, v in line.items() if k not in ("name", "machine"))
            text.append(f"  - `{line['name']}`: {shown}")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(text) + "\n", encoding="utf-8")
    return [label for _, _, label in shortfalls]


def _against_limits(by_name: dict[str, tuple[dict[str, Any], Outcome]]) -> list[str]:
    throughput = by_name.get("match_throughput", ({}, None))[0]
    sequential = by_name.get("match_sequential", ({}, None))[0]
    unlimited = by_name.get("match_cold_unlimited", ({}, None))[0]
    if not throughput:
        return ["The match benchmark did not run."]
    lines = [
        f"Matching {throughput['items']:,} films against the fake TMDB limited to R = {throughput['rate_limit_R']} "
        f"requests/s (Curator's limiter set to {throughput['client_limit']}/s, each call counted until its answer "
        f"is back) took {throughput['elapsed_s']} s: "
        f"{throughput['items_per_s']} items/s with {throughput['requests_per_item']} requests per item, against a "
        f"ceiling of R ÷ {throughput['requests_per_item']} = {throughput['ceiling_items_per_s']} items/s — "
        f"{throughput['ratio_to_ceiling'] * 100:.0f} % of it (429s received: {throughput['rate_limited_received']}). "
        "The client is waiting on the limit, not on its own work"
        + (f": the same client against a fake with no limit matched {unlimited['items_per_s']} items/s."
           if unlimited else "."),
    ]
    if sequential:
        lines += ["", f"The older scrapers' way — one request at a time with a 0.5 s pause — made "
                  f"{sequential['items_per_s']} items/s on {sequential['items']} of the same items (extrapolated: "
                  f"{sequential['extrapolated_total_s']} s for all {sequential['extrapolated_items']:,}); Curator is "
                  f"{sequential['speedup']}× faster on the same provider."]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="comma-separated scripts to run (e.g. match,push); the page lists the rest "
                                       "as not run")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "PERFORMANCE.md")
    args = parser.parse_args()
    only = {name.strip() for name in args.only.split(",")} if args.only else None
    started = datetime.datetime.now()
    clock = time.perf_counter()
    load_before = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    loop_us = calibration_us()
    outcomes = [run_script(path) for path in scripts(only)]
    load_after = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    total = time.perf_counter() - clock
    not_met = write_page(outcomes, args.output, started=started, load_before=load_before, load_after=load_after,
                         loop_us=loop_us, total_s=total)
    print(f"wrote {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output} "
          f"in {total / 60:.1f} minutes; targets not met: {', '.join(not_met) or 'none'}")
    return 1 if any(outcome.error for outcome in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
