"""The headless command line: the same services the window uses, for scripts and servers."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
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
    parser.add_argument("--server", metavar="URL", help="Plex server address (token from the keyring or CURATOR_PLEX_TOKEN)")
    parser.add_argument("--self-test", action="store_true", help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    libraries = commands.add_parser("libraries", help="list the server's libraries")
    libraries.add_argument("--json", action="store_true", help="print JSON lines")

    items = commands.add_parser("items", help="list the items of a library")
    items.add_argument("--library", required=True, metavar="NAME", help="library title (or section key)")
    items.add_argument("--limit", type=int, default=None, metavar="N", help="stop after N items")
    items.add_argument("--json", action="store_true", help="print JSON lines")

    server = commands.add_parser("demo-server", help="run the fake Plex server and providers in the foreground")
    server.add_argument("--items", type=int, default=None, metavar="N", help="add a synthetic library of N movies")
    server.add_argument("--port", type=int, default=None, metavar="P", help="port for the fake Plex server")

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

        return run_foreground(items=args.items, port=args.port)
    if args.command == "eval":
        return _run_eval(args, out)
    handler = _LIBRARY_COMMANDS.get(args.command or "libraries")
    if handler is None:
        raise SystemExit(f"unknown command {args.command!r}")
    return _run_library_command(args, handler, out)


def _run_library_command(args: argparse.Namespace, handler: Callable[..., Awaitable[int]], out: TextIO) -> int:
    context = build_context(demo=args.demo, to_stderr=True)
    try:
        return asyncio.run(_with_library(context, args, handler, out))
    except CuratorError as err:
        print(f"error: {err.user_message}", file=sys.stderr)
        return 2
    finally:
        context.close()


async def _with_library(context: AppContext, args: argparse.Namespace,
                        handler: Callable[..., Awaitable[int]], out: TextIO) -> int:
    try:
        library = await context.open_library(url=args.server)
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


_LIBRARY_COMMANDS: dict[str, Callable[..., Awaitable[int]]] = {"libraries": _libraries, "items": _items}


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
    except (OSError, ValueError) as exc:
        print(f"error: cannot evaluate {args.file}: {exc}", file=sys.stderr)
        return 2
    if args.json:
        json.dump(report.to_dict(), out, indent=2)
        out.write("\n")
    else:
        out.write(format_table(report) + "\n")
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
