"""Review decisions in bulk: accept everything above a threshold, collect what to push, export.

These work on stored decisions only (no network), so the window's live preview of "accept
all above threshold" and the CLI's ``accept-above`` count the same way.
"""

from __future__ import annotations

import asyncio
import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from curator.domain.models import DecisionStatus
from curator.services.publishing import PushRequest
from curator.store.decisions import DecisionRecord, DecisionStore

#: Statuses a bulk accept may turn into ACCEPTED.
ACCEPTABLE = (DecisionStatus.AUTO, DecisionStatus.AMBIGUOUS)
#: Statuses whose proposal is approved for pushing.
APPROVED = (DecisionStatus.AUTO, DecisionStatus.ACCEPTED)


@dataclass(frozen=True, slots=True)
class AcceptPreview:
    accepted: int
    still_ambiguous: int
    keys: tuple[str, ...] = ()


def lead_of(record: DecisionRecord) -> float:
    value = record.score_parts.get("lead") if isinstance(record.score_parts, dict) else None
    return float(value) if isinstance(value, int | float) else 0.0


def qualifies(record: DecisionRecord, threshold: float, margin: float) -> bool:
    """Best score at least ``threshold``, its lead at least ``margin``, a summary to push, and
    not flagged "never auto"."""
    return (record.status in ACCEPTABLE and not record.never_auto and record.score is not None
            and record.score >= threshold and lead_of(record) >= margin and bool(record.proposed_summary))


def preview_accept(records: Iterable[DecisionRecord], threshold: float, margin: float) -> AcceptPreview:
    """How many decisions a bulk accept would take, and how many stay to review."""
    taken: list[str] = []
    ambiguous = 0
    for record in records:
        if qualifies(record, threshold, margin):
            taken.append(record.rating_key)
        elif record.status is DecisionStatus.AMBIGUOUS:
            ambiguous += 1
    return AcceptPreview(len(taken), ambiguous, tuple(taken))


def _reviewable(store: DecisionStore, server: str) -> list[DecisionRecord]:
    return [record for status in ACCEPTABLE for record in store.by_status(server, status)]


async def accept_above(store: DecisionStore, server: str, threshold: float, margin: float, *,
                       dry_run: bool = False) -> AcceptPreview:
    def work() -> AcceptPreview:
        preview = preview_accept(_reviewable(store, server), threshold, margin)
        if not dry_run and preview.keys:
            store.set_status(server, preview.keys, DecisionStatus.ACCEPTED)
        return preview

    return await asyncio.to_thread(work)


async def push_requests(store: DecisionStore, server: str) -> list[PushRequest]:
    """Every approved decision with a proposed summary, oldest decision first."""
    def work() -> list[PushRequest]:
        records = [r for status in APPROVED for r in store.by_status(server, status)]
        records.sort(key=lambda r: r.updated_at)
        return [PushRequest(r.rating_key, r.proposed_summary) for r in records if r.proposed_summary.strip()]

    return await asyncio.to_thread(work)


CSV_COLUMNS = ("rating_key", "kind", "title", "year", "status", "score", "lead", "reason", "provider",
               "provider_id", "match_title", "match_year", "imdb", "tmdb", "tvdb", "summary_language",
               "proposed_summary", "never_auto")


async def export_csv(store: DecisionStore, server: str, path: str | Path) -> int:
    """All decisions of the server as CSV (UTF-8 with a BOM so spreadsheet apps read accents)."""
    def work() -> int:
        records = [r for status in DecisionStatus for r in store.by_status(server, status)]
        target = Path(path)
        with target.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_COLUMNS)
            for r in records:
                chosen = r.chosen or {}
                ids = chosen.get("ids") or {}
                writer.writerow([
                    r.rating_key, r.kind.value, _cell(r.title), r.year or "", r.status.value,
                    "" if r.score is None else f"{r.score:.4f}", f"{lead_of(r):.4f}",
                    r.score_parts.get("reason", "") if isinstance(r.score_parts, dict) else "",
                    chosen.get("provider", ""), chosen.get("provider_id", ""), _cell(chosen.get("title", "")),
                    chosen.get("year") or "", ids.get("imdb") or "", ids.get("tmdb") or "", ids.get("tvdb") or "",
                    chosen.get("summary_language", ""), _cell(r.proposed_summary), int(r.never_auto),
                ])
        return len(records)

    return await asyncio.to_thread(work)


def _cell(value: object) -> str:
    """Text for a CSV cell; a leading =, +, - or @ is quoted so spreadsheets don't run it."""
    text = str(value or "")
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


__all__ = ["AcceptPreview", "accept_above", "export_csv", "preview_accept", "push_requests", "qualifies"]
