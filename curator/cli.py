"""The headless command line: the same services the window uses, for scripts and servers."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any, TextIO

from curator.app import AppContext, build_context
from curator.domain.errors import CuratorError
from curator.domain.models import LibraryItem, LibrarySection

log = logging.getLogger(__name__)

EXCERPT_LENGTH = 60


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="curator", description="Review and fix Plex matches and summaries.")
    parser.add_argument("--demo", action="store_true", help="use the embedded demo Plex server and providers")
    parser.add_argument("--server", metavar="URL",
                        help="Plex server address (token from the keyring or CURATOR_PLEX_TOKEN)")
    parser.add_argument("--demo-items", type=int, default=None, metavar="N",
                        help="with --demo: add a synthetic library of N movies")
    parser.add_argument("--self-test", action="store_true", help="check the installation and exit 0 or 1")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    libraries = commands.add_parser("libraries", help="list the server's libraries")
    libraries.add_argument("--json", action="store_true", help="print JSON lines")

    items = commands.add_parser("items", help="list the items of a library")
    items.add_argument("--library", required=True, metavar="NAME", help="library title (or section key)")
    items.add_argument("--limit", type=int, default=None, metavar="N", help="stop after N items")
    items.add_argument("--json", action="store_true", help="print JSON lines")

    match = commands.add_parser("match", help="find and score candidates for a library's items")
    match.add_argument("--library", required=True, metavar="NAME")
    match.add_argument("--threshold", type=float, default=None, help="auto-accept floor (default from settings)")
    match.add_argument("--margin", type=float, default=None, help="lead over the runner-up needed to auto-accept")
    match.add_argument("--concurrency", type=int, default=None, metavar="N")
    match.add_argument("--rematch", action="store_true", help="match items that already have a decision too")
    match.add_argument("--dry-run", action="store_true", help="show the verdicts without storing them")
    match.add_argument("--limit", type=int, default=None, metavar="N", help="stop after N items")
    match.add_argument("--json", action="store_true")

    accept = commands.add_parser("accept-above", help="accept every proposal scoring at least T")
    accept.add_argument("threshold", type=float, metavar="T")
    accept.add_argument("--margin", type=float, default=None, help="lead over the runner-up needed too")
    accept.add_argument("--dry-run", action="store_true", help="only count")
    accept.add_argument("--json", action="store_true")

    push = commands.add_parser("push", help="write accepted summaries to Plex (locked, journalled)")
    push.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    push.add_argument("--limit", type=int, default=None, metavar="N")
    push.add_argument("--json", action="store_true")

    revert = commands.add_parser("revert", help="restore summaries and locks from the push journal")
    target = revert.add_mutually_exclusive_group(required=True)
    target.add_argument("--all", action="store_true", help="every revertible push")
    target.add_argument("--item", action="append", metavar="RATINGKEY", help="one item (repeatable)")
    revert.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    revert.add_argument("--json", action="store_true")

    export = commands.add_parser("export", help="write every decision to a CSV file")
    export.add_argument("file", metavar="FILE.csv")

    server = commands.add_parser("demo-server", help="run the fake Plex server and providers in the foreground")
    server.add_argument("--items", type=int, default=None, metavar="N", help="add a synthetic library of N movies")
    server.add_argument("--port", type=int, default=None, metavar="P", help="port for the fake Plex server")
    server.add_argument("--tmdb-rate", type=int, default=None, metavar="R",
                        help="the fake TMDB's limit in requests per second (default 40)")

    stats = commands.add_parser("stats", help="what the last match runs cost: requests, cache hits, 429s, latency")
    stats.add_argument("--runs", type=int, default=1, metavar="N", help="show the last N runs (default 1)")
    stats.add_argument("--json", action="store_true", help="print one JSON object per run")

    evaluate = commands.add_parser("eval", help="score a labelled evaluation file and print the figures")
    evaluate.add_argument("file", metavar="FILE.jsonl")
    evaluate.add_argument("--threshold", type=float, default=None)
    evaluate.add_argument("--margin", type=float, default=None)
    evaluate.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run one CLI command; returns the process exit code."""
    out = out or sys.stdout
    if args.command == "demo-server":
        from curator.demo.servers import run_foreground

        return run_foreground(items=args.items, port=args.port, tmdb_rate=args.tmdb_rate)
    if args.command == "eval":
        return _run_eval(args, out)
    if args.command == "stats":
        return _run_stats(args, out)
    handler = _LIBRARY_COMMANDS.get(args.command or "libraries")
    if handler is None:
        raise SystemExit(f"unknown command {args.command!r}")
    return _run_library_command(args, handler, out)


def _run_library_command(args: argparse.Namespace, handler: Callable[..., Awaitable[int]], out: TextIO) -> int:
    try:  # a second Curator on the same data folder, or a store that cannot be opened
        context = build_context(demo=args.demo, demo_items=getattr(args, "demo_items", None), to_stderr=True)
    except CuratorError as err:
        print(f"error: {err.user_message}", file=sys.stderr)
        return 2
    shown = _show_notices(context.notices, 0)  # e.g. a damaged database was set aside
    try:
        return asyncio.run(_with_library(context, args, handler, out))
    except CuratorError as err:
        print(f"error: {err.user_message}", file=sys.stderr)
        return 2
    finally:
        _show_notices(context.notices, shown)
        context.close()


def _show_notices(notices: list[str], already_shown: int) -> int:
    """Print the notices from ``already_shown`` on to stderr; returns how many are shown now."""
    for notice in notices[already_shown:]:
        print(f"notice: {notice}", file=sys.stderr)
    return len(notices)


async def _with_library(context: AppContext, args: argparse.Namespace,
                        handler: Callable[..., Awaitable[int]], out: TextIO) -> int:
    try:
        library = await context.open_library(url=args.server)
        if args.command in _NEEDS_CONTEXT:
            return await handler(library, args, out, context)
        return await handler(library, args, out)
    finally:
        await context.aclose()


async def _libraries(library: Any, args: argparse.Namespace, out: TextIO) -> int:
    sections: list[LibrarySection] = await library.sections()
    if args.json:
        for section in sections:
            count = await library.count(section)
            print(json.dumps({"key": section.key, "title": section.title, "type": section.kind.value,
                              "agent": section.agent, "items": count}), file=out)
        return 0
    print(f"{library.server.name or 'Plex server'} ({library.server.version})", file=out)
    for section in sections:
        count = await library.count(section)
        print(f"  [{section.key}] {section.title:<30} {section.kind.value:<6} {count:>7} items", file=out)
    return 0


async def _items(library: Any, args: argparse.Namespace, out: TextIO) -> int:
    section = await library.find_section(args.library)
    shown = 0
    async for item in library.iter_items(section):
        if args.limit is not None and shown >= args.limit:
            break
        print(json.dumps(item_row(item), ensure_ascii=False) if args.json else format_item(item), file=out)
        shown += 1
    if not args.json:
        print(f"{shown} items in {section.title}", file=out)
    return 0


async def _match(library: Any, args: argparse.Namespace, out: TextIO, context: AppContext) -> int:
    section = await library.find_section(args.library)
    settings = context.match_settings(threshold=args.threshold, margin=args.margin, concurrency=args.concurrency)
    service = context.matching(library, settings)
    total = await library.count(section)
    items = _limited(library.iter_items(section), args.limit)
    if args.dry_run:
        async for item in items:
            proposal = await service.propose(item)
            print(_verdict_line(proposal, args.json), file=out)
        return 0
    from curator.services.stats import StatsRecorder, save_run
    from curator.store.cache import ProviderCache

    reporter = _ProgressPrinter(sys.stderr)
    recorder = StatsRecorder(context.providers.gateways, ProviderCache(context.database))
    report = await service.match_items(items, total=min(total, args.limit or total), rematch=args.rematch,
                                       progress=reporter)
    reporter.finish()
    await asyncio.to_thread(save_run, context.paths.data, recorder.finish(report))
    summary = {"library": section.title, "items": report.total, "matched": report.matched,
               "skipped_already_decided": report.skipped, "counts": report.counts,
               "failures": report.failures[:20], "seconds": round(report.seconds, 2),
               "threshold": settings.threshold, "margin": settings.margin}
    if args.json:
        print(json.dumps(summary), file=out)
    else:
        counts = ", ".join(f"{k} {v}" for k, v in sorted(report.counts.items())) or "nothing new"
        print(f"{section.title}: matched {report.matched} of {report.total} items in {report.seconds:.1f} s "
              f"({counts}); {report.skipped} already decided.", file=out)
        for failure in report.failures[:10]:
            print(f"  failed: {failure}", file=out)
    return 0


async def _accept_above(library: Any, args: argparse.Namespace, out: TextIO, context: AppContext) -> int:
    from curator.services.review import accept_above

    margin = args.margin if args.margin is not None else context.match_settings().margin
    result = await accept_above(context.decisions(), library.server.machine_identifier, args.threshold, margin,
                                dry_run=args.dry_run)
    if args.json:
        print(json.dumps({"accepted": result.accepted, "still_ambiguous": result.still_ambiguous,
                          "dry_run": args.dry_run}), file=out)
    else:
        verb = "would accept" if args.dry_run else "accepted"
        print(f"{verb} {result.accepted} items scoring at least {args.threshold} with a lead of {margin}; "
              f"{result.still_ambiguous} stay to review.", file=out)
    return 0


async def _push(library: Any, args: argparse.Namespace, out: TextIO, context: AppContext) -> int:
    from curator.services.review import push_requests

    publisher = context.publisher(library)
    settled = await publisher.recover()
    if settled:
        print(f"settled {settled} pushes interrupted last time", file=sys.stderr)
    requests = await push_requests(context.decisions(), library.server.machine_identifier)
    if args.limit is not None:
        requests = requests[: args.limit]
    if not requests:
        print("Nothing to push: accept some matches first.", file=out)
        return 0
    if not _confirmed(f"Push {len(requests)} summaries to {library.server.name or 'Plex'} (locked)?", args.yes):
        print("Nothing pushed.", file=out)
        return 1
    outcomes = await publisher.push_many(requests)
    ok = sum(1 for o in outcomes if o.ok)
    for outcome in outcomes:
        if args.json:
            print(json.dumps({"ratingKey": outcome.rating_key, "ok": outcome.ok, "message": outcome.message}), file=out)
        elif not outcome.ok:
            print(f"  item {outcome.rating_key}: {outcome.message}", file=out)
    if not args.json:
        print(f"pushed {ok} of {len(outcomes)} summaries.", file=out)
    return 0 if ok == len(outcomes) else 1


async def _revert(library: Any, args: argparse.Namespace, out: TextIO, context: AppContext) -> int:
    publisher = context.publisher(library)
    entries = await publisher.revertible()
    if args.item:
        wanted = set(args.item)
        entries = [entry for entry in entries if entry.rating_key in wanted]
    if not entries:
        print("Nothing to revert.", file=out)
        return 0
    if not _confirmed(f"Restore the previous summary of {len(entries)} items?", args.yes):
        print("Nothing reverted.", file=out)
        return 1
    failed = 0
    for entry in entries:
        outcome = await publisher.revert(entry)
        failed += not outcome.ok
        if args.json:
            print(json.dumps({"ratingKey": outcome.rating_key, "ok": outcome.ok, "message": outcome.message}), file=out)
        elif not outcome.ok:
            print(f"  item {outcome.rating_key}: {outcome.message}", file=out)
    if not args.json:
        print(f"reverted {len(entries) - failed} of {len(entries)} items.", file=out)
    return 1 if failed else 0


async def _export(library: Any, args: argparse.Namespace, out: TextIO, context: AppContext) -> int:
    from curator.services.review import export_csv

    rows = await export_csv(context.decisions(), library.server.machine_identifier, args.file)
    print(f"wrote {rows} decisions to {args.file}", file=out)
    return 0


_LIBRARY_COMMANDS: dict[str, Callable[..., Awaitable[int]]] = {
    "libraries": _libraries, "items": _items, "match": _match, "accept-above": _accept_above,
    "push": _push, "revert": _revert, "export": _export,
}
_NEEDS_CONTEXT = {"match", "accept-above", "push", "revert", "export"}


class _ProgressPrinter:
    """One progress line on stderr, rewritten in place on a terminal, every ~second otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._last = 0.0
        self._tty = stream.isatty()

    def __call__(self, progress: Any) -> None:
        now = time.monotonic()
        if now - self._last < (0.2 if self._tty else 2.0) and progress.done < progress.total:
            return
        self._last = now
        eta = f", about {progress.eta_seconds:.0f} s left" if progress.eta_seconds is not None else ""
        line = f"{progress.done}/{progress.total} items, {progress.rate:.1f}/s{eta}"
        self._stream.write(("\r" + line + "   ") if self._tty else line + "\n")
        self._stream.flush()

    def finish(self) -> None:
        if self._tty:
            self._stream.write("\n")


def _confirmed(question: str, yes: bool) -> bool:
    if yes:
        return True
    if not sys.stdin or not sys.stdin.isatty():
        print(f"{question} Pass --yes to confirm when running without a terminal.", file=sys.stderr)
        return False
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


async def _limited(items: Any, limit: int | None) -> Any:
    count = 0
    async for item in items:
        if limit is not None and count >= limit:
            return
        count += 1
        yield item


def _verdict_line(proposal: Any, as_json: bool) -> str:
    verdict = proposal.verdict
    best = verdict.best
    if as_json:
        return json.dumps({
            "ratingKey": proposal.item.rating_key, "title": proposal.item.title, "year": proposal.item.year,
            "status": verdict.status.value, "reason": verdict.reason, "lead": round(verdict.lead, 4),
            "candidates": [{"provider": s.candidate.provider, "id": s.candidate.provider_id,
                            "title": s.candidate.title, "year": s.candidate.year, "score": round(s.score.value, 4),
                            "parts": {p.name: round(p.contribution, 4) for p in s.score.parts}}
                           for s in proposal.ranked]}, ensure_ascii=False)
    if best is None:
        return f"{verdict.status.value:<9} {proposal.item.title} ({proposal.item.year or '?'}): no candidates"
    return (f"{verdict.status.value:<9} {proposal.item.title} ({proposal.item.year or '?'}) → "
            f"{best.candidate.title} ({best.candidate.year or '?'}) [{best.candidate.provider}:"
            f"{best.candidate.provider_id}] {best.score.value:.3f} = {best.score.explain()}")


def item_row(item: LibraryItem) -> dict[str, Any]:
    return {
        "ratingKey": item.rating_key, "title": item.title, "year": item.year, "type": item.kind.value,
        "guids": list(guid_labels(item)), "summary": excerpt(item.summary),
        "summaryLocked": item.summary_locked,
    }


def format_item(item: LibraryItem) -> str:
    year = str(item.year) if item.year else "----"
    guids = ",".join(guid_labels(item)) or "-"
    return f"{item.title[:40]:<40} {year} {item.kind.value:<7} {guids[:38]:<38} {excerpt(item.summary)}"


def guid_labels(item: LibraryItem) -> tuple[str, ...]:
    """Short ids for display: imdb:tt…, tmdb:…, tvdb:…, or local/plex when nothing better."""
    ids = item.external_ids
    labels = [f"imdb:{ids.imdb}" if ids.imdb else "", f"tmdb:{ids.tmdb}" if ids.tmdb else "",
              f"tvdb:{ids.tvdb}" if ids.tvdb else ""]
    found = tuple(label for label in labels if label)
    if found:
        return found
    if item.guid.startswith("local://"):
        return ("unmatched",)
    return (item.guid.split("://", 1)[0],) if item.guid else ()


def excerpt(text: str, length: int = EXCERPT_LENGTH) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


def _run_eval(args: argparse.Namespace, out: TextIO) -> int:
    from curator.services.evaluation import evaluate, format_table

    try:
        report = evaluate(args.file, threshold=args.threshold, margin=args.margin)
    except CuratorError as err:
        print(f"error: {err.user_message}", file=sys.stderr)
        return 2
    if args.json:
        json.dump(report.to_dict(), out, indent=2)
        out.write("\n")
    else:
        out.write(format_table(report) + "\n")
    return 0


def _run_stats(args: argparse.Namespace, out: TextIO) -> int:
    """The match runs recorded in the data folder, newest first (no server or database needed)."""
    from curator import settings
    from curator.services.stats import format_run, load_runs

    runs = load_runs(settings.paths().data)[: max(1, args.runs)]
    if not runs:
        print("No match run recorded yet: run 'curator match --library NAME' first.", file=out)
        return 0
    for run in runs:
        print(json.dumps(run.to_json()) if args.json else format_run(run), file=out)
    return 0


def run_demo_listing(out: TextIO | None = None) -> int:
    """What `make demo` shows when there is no display: the demo libraries and their items."""
    out = out or sys.stdout
    args = build_parser().parse_args(["--demo", "libraries"])

    async def listing(library: Any, _args: argparse.Namespace, stream: TextIO) -> int:
        await _libraries(library, _args, stream)
        for section in await library.sections():
            print(f"\n== {section.title} ==", file=stream)
            await _items(library, argparse.Namespace(library=section.key, limit=None, json=False), stream)
        return 0

    return _run_library_command(args, listing, out)
