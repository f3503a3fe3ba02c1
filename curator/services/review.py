"""Review decisions in bulk: accept everything above a threshold, collect what to push, export.

These work on stored decisions only (no network), so the window's live preview of "accept
all above threshold" and the CLI's ``accept-above`` count the same way.
"""

from __future__ import annotations

import asyncio
import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from curator.domain.errors import InvalidInput, NotFound
from curator.domain.models import DecisionStatus, ExternalIds, LibraryItem, MediaKind
from curator.services.matching import MatchingService, Proposal
from curator.services.publishing import PushRequest
from curator.store.decisions import DecisionRecord, DecisionStore, candidate_from_json, candidate_to_json

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
    """Accept every decision that ``qualifies`` (``dry_run``: only count them)."""
    preview, _ = await _accept_above(store, server, threshold, margin, dry_run=dry_run)
    return preview


async def _accept_above(store: DecisionStore, server: str, threshold: float, margin: float, *,
                        dry_run: bool) -> tuple[AcceptPreview, dict[str, DecisionRecord]]:
    """The preview, and the decisions it takes as they were before."""
    def work() -> tuple[AcceptPreview, dict[str, DecisionRecord]]:
        records = {record.rating_key: record for record in _reviewable(store, server)}
        preview = preview_accept(records.values(), threshold, margin)
        if not dry_run and preview.keys:
            store.set_status(server, preview.keys, DecisionStatus.ACCEPTED)
        return preview, {key: records[key] for key in preview.keys}

    return await asyncio.to_thread(work)


@dataclass(frozen=True, slots=True)
class UndoStep:
    """What one action changed: the rating keys, and their decisions before it."""

    keys: tuple[str, ...]
    before: dict[str, DecisionRecord]


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


_ID_FORMS = (
    (re.compile(r"(?:imdb[:\s]*)?(tt[0-9]{5,10})", re.IGNORECASE), "imdb"),
    (re.compile(r".*imdb\.com/title/(tt[0-9]{5,10})(?:[/?#].*)?", re.IGNORECASE), "imdb"),
    (re.compile(r"tmdb[:\s]*([0-9]{1,10})", re.IGNORECASE), "tmdb"),
    (re.compile(r".*themoviedb\.org/(?:movie|tv)/([0-9]{1,10})(?:[-/?#].*)?", re.IGNORECASE), "tmdb"),
    (re.compile(r"tvdb[:\s]*([0-9]{1,10})", re.IGNORECASE), "tvdb"),
)


def parse_external_id(text: str) -> ExternalIds:
    """An id the user typed: ``tt0133093``, ``tmdb:603``, ``tvdb:81189`` or a TMDB/IMDb URL.
    Validated here, before it goes anywhere near a URL path."""
    value = text.strip()
    for pattern, kind in _ID_FORMS:
        found = pattern.fullmatch(value)
        if found:
            ident = found.group(1)
            if kind == "imdb":
                return ExternalIds(imdb=ident.lower())
            return ExternalIds(tmdb=int(ident)) if kind == "tmdb" else ExternalIds(tvdb=int(ident))
    raise InvalidInput(f"Not an id Curator understands: {value[:40]!r}.",
                       hint="Type an IMDb id (tt0133093), tmdb:603 or tvdb:81189.")


class ReviewSession:
    """The user's decisions on one server, with undo. Every change is written to the store at
    once; ``undo`` puts back, in one transaction, every decision the last action changed — one
    item, a selection, or everything "accept all above threshold" took."""

    def __init__(self, store: DecisionStore, server: str, matching: MatchingService, *,
                 undo_depth: int = 100) -> None:
        self.store = store
        self.server = server
        self.matching = matching
        # One entry per action: the keys it changed and their decisions before it (None when
        # there was none: undo then leaves the new decision pending).
        self._undo: list[UndoStep] = []
        self._undo_depth = undo_depth

    async def _remember(self, rating_keys: Sequence[str]) -> None:
        before = await asyncio.to_thread(self.store.get_many, self.server, rating_keys)
        self._push_step(UndoStep(tuple(dict.fromkeys(rating_keys)), before))

    def _push_step(self, step: UndoStep) -> None:
        if step.keys:
            self._undo.append(step)
            del self._undo[:-self._undo_depth]

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    async def undo(self) -> tuple[str, ...]:
        """Undo the last action; returns the rating keys it touched (none if nothing to undo)."""
        if not self._undo:
            return ()
        step = self._undo.pop()

        def put_back() -> None:
            self.store.restore([step.before[key] for key in step.keys if key in step.before])
            self.store.set_status(self.server, [key for key in step.keys if key not in step.before],
                                  DecisionStatus.PENDING)

        await asyncio.to_thread(put_back)
        return step.keys

    async def accept_above(self, threshold: float, margin: float) -> AcceptPreview:
        """Accept every decision above ``threshold`` with a lead of ``margin``: one action to undo."""
        preview, before = await _accept_above(self.store, self.server, threshold, margin, dry_run=False)
        self._push_step(UndoStep(preview.keys, before))
        return preview

    async def accept_many(self, choices: Sequence[tuple[str, int]]) -> list[DecisionRecord]:
        """Accept one candidate (by its place) for each of several items: one action to undo."""
        await self._remember([key for key, _ in choices])
        return [await self._accept(key, index) for key, index in choices]

    async def accept(self, rating_key: str, candidate_index: int = 0, *, summary: str | None = None,
                     item: LibraryItem | None = None) -> DecisionRecord:
        """Accept one of the item's candidates (by its place in the list), optionally with an
        edited summary. A candidate without a summary in the wanted language gets its details
        first. Accepting a show (pass its ``item``) gives its episodes their summaries too."""
        await self._remember([rating_key])
        return await self._accept(rating_key, candidate_index, summary=summary, item=item)

    async def _accept(self, rating_key: str, candidate_index: int, *, summary: str | None = None,
                      item: LibraryItem | None = None) -> DecisionRecord:
        record = await asyncio.to_thread(self.store.get, self.server, rating_key)
        if record is None or not record.candidates:
            raise NotFound("Curator", "this item has no candidates yet", hint="Match it first, or search again.")
        if not 0 <= candidate_index < len(record.candidates):
            raise InvalidInput(f"There is no candidate {candidate_index + 1} for this item.")
        chosen_json = record.candidates[candidate_index]
        candidate = candidate_from_json(chosen_json)
        if summary is None and candidate.summary_language != self.matching.settings.language:
            candidate, _ = await self.matching.chain.details(candidate, self.matching.settings.languages)
        text = summary if summary is not None else candidate.summary
        await asyncio.to_thread(self.store.choose, self.server, rating_key, chosen=candidate_to_json(candidate),
                                proposed_summary=text, status=DecisionStatus.ACCEPTED,
                                score=chosen_json.get("score"))
        updated = await asyncio.to_thread(self.store.get, self.server, rating_key)
        assert updated is not None
        if updated.kind is MediaKind.SHOW and item is not None:
            await self.matching.propose_episodes(item, candidate, DecisionStatus.ACCEPTED)
        return updated

    async def set_status(self, rating_keys: list[str], status: DecisionStatus) -> int:
        await self._remember(rating_keys)
        return await asyncio.to_thread(self.store.set_status, self.server, rating_keys, status)

    async def skip(self, rating_key: str) -> int:
        return await self.set_status([rating_key], DecisionStatus.SKIPPED)

    async def set_never_auto(self, rating_keys: list[str], value: bool = True) -> int:
        await self._remember(rating_keys)
        return await asyncio.to_thread(self.store.set_never_auto, self.server, rating_keys, value)

    async def search_again(self, item: LibraryItem, title: str, year: int | None) -> Proposal:
        """A new search with a title/year the user edited; the proposal replaces the old one."""
        if not title.strip():
            raise InvalidInput("Type a title to search for.")
        await self._remember([item.rating_key])
        proposal = await self.matching.propose(item, title=title.strip(), year=year, never_auto=True)
        await self.matching.save(proposal)
        return proposal

    async def look_up(self, item: LibraryItem, text: str) -> Proposal:
        """The record for an id the user typed becomes the item's only candidate."""
        ids = parse_external_id(text)
        result = await self.matching.chain.lookup(ids, item.kind, self.matching.settings.language)
        if not result.candidates:
            reasons = "; ".join(s.reason for s in result.skipped) or "no provider knows it"
            raise NotFound("Curator", f"nothing found for {text.strip()[:40]!r} ({reasons})")
        await self._remember([item.rating_key])
        proposal = await self.matching.propose_from(item, list(result.candidates), result.provider,
                                                    never_auto=True)
        await self.matching.save(proposal)
        return proposal


__all__ = ["AcceptPreview", "ReviewSession", "accept_above", "export_csv", "parse_external_id", "preview_accept",
           "push_requests", "qualifies"]
