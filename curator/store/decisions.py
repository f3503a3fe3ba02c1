"""Per-item decisions: the proposal (candidates, score and its parts) and the user's verdict.

One row per (server, rating_key). Matching upserts proposals — one at a time, or many in one
transaction with ``save_proposals`` (what a library run does); review changes statuses; a run
can resume by skipping ``done_keys``. Values come back as frozen ``DecisionRecord``s.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import peewee

from curator.domain.models import Candidate, DecisionStatus, ExternalIds, MediaKind
from curator.store.db import bound_database, mapped_errors
from curator.store.models import Decision

_CHUNK = 500
#: Inserts a proposal or replaces one; never_auto (the user's flag) is not touched.
_UPSERT = ("INSERT INTO decision (server, rating_key, guid, kind, title, year, status, chosen, candidates, score,"
           " score_parts, proposed_summary, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
           " ON CONFLICT (server, rating_key) DO UPDATE SET guid = excluded.guid, kind = excluded.kind,"
           " title = excluded.title, year = excluded.year, status = excluded.status, chosen = excluded.chosen,"
           " candidates = excluded.candidates, score = excluded.score, score_parts = excluded.score_parts,"
           " proposed_summary = excluded.proposed_summary, updated_at = excluded.updated_at"
           # A proposal the same as the stored one (a rematch from the cache) is not written again:
           # no page changes, no WAL, and its updated_at still says when it last changed.
           " WHERE decision.guid IS NOT excluded.guid OR decision.kind IS NOT excluded.kind"
           " OR decision.title IS NOT excluded.title OR decision.year IS NOT excluded.year"
           " OR decision.status IS NOT excluded.status OR decision.chosen IS NOT excluded.chosen"
           " OR decision.candidates IS NOT excluded.candidates OR decision.score IS NOT excluded.score"
           " OR decision.score_parts IS NOT excluded.score_parts"
           " OR decision.proposed_summary IS NOT excluded.proposed_summary")
#: The never-auto flag and last change of the decisions among the rating keys in a JSON array.
_STORED_AMONG = ("SELECT rating_key, never_auto, updated_at FROM decision WHERE server = ?"
                 " AND rating_key IN (SELECT value FROM json_each(?))")


@dataclass(frozen=True, slots=True)
class ProposalRow:
    """One item's proposal, as ``DecisionStore.save_proposals`` stores it."""

    rating_key: str
    kind: MediaKind
    title: str
    status: DecisionStatus
    guid: str = ""
    year: int | None = None
    candidates: tuple[Mapping[str, Any], ...] = ()
    chosen: Mapping[str, Any] | None = None
    score: float | None = None
    score_parts: Mapping[str, Any] = field(default_factory=dict)
    proposed_summary: str = ""


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    server: str
    rating_key: str
    kind: MediaKind
    title: str
    status: DecisionStatus
    guid: str = ""
    year: int | None = None
    chosen: dict[str, Any] | None = None
    candidates: tuple[dict[str, Any], ...] = ()
    score: float | None = None
    score_parts: dict[str, Any] = field(default_factory=dict)
    never_auto: bool = False
    proposed_summary: str = ""
    updated_at: float = 0.0


class DecisionStore:
    """Decisions in SQLite; every write is one transaction. Safe to use from any thread."""

    def __init__(self, db: peewee.Database | None = None, *, clock: Callable[[], float] = time.time) -> None:
        self._db = bound_database(db)
        self._clock = clock

    def get(self, server: str, rating_key: str) -> DecisionRecord | None:
        with mapped_errors():
            row = Decision.get_or_none((Decision.server == server) & (Decision.rating_key == rating_key))
        return None if row is None else _record(row)

    def save_proposal(self, server: str, rating_key: str, *, kind: MediaKind | str, title: str,
                      status: DecisionStatus | str, guid: str = "", year: int | None = None,
                      candidates: Sequence[Mapping[str, Any]] = (), chosen: Mapping[str, Any] | None = None,
                      score: float | None = None, score_parts: Mapping[str, Any] | None = None,
                      proposed_summary: str = "") -> DecisionRecord:
        """Insert or replace the proposal for one item. The user's never-auto flag is kept."""
        row = ProposalRow(rating_key, MediaKind(kind), title, DecisionStatus(status), guid, year, tuple(candidates),
                          chosen, score, score_parts or {}, proposed_summary)
        with mapped_errors(), self._db.atomic("IMMEDIATE"):
            self._upsert(server, [row])
            stored = Decision.get((Decision.server == server) & (Decision.rating_key == rating_key))
        return _record(stored)

    def save_proposals(self, server: str, rows: Sequence[ProposalRow]) -> list[DecisionRecord]:
        """Insert or replace many proposals in one transaction (all or none); never-auto flags
        are kept. Returns the records as stored, in the order of ``rows``."""
        if not rows:
            return []
        with mapped_errors(), self._db.atomic("IMMEDIATE"):
            self._upsert(server, rows)
            stored = self._stored_among(server, [row.rating_key for row in rows])
        records = []
        for row in rows:
            never_auto, updated_at = stored[row.rating_key]
            records.append(DecisionRecord(
                server, row.rating_key, row.kind, row.title, row.status, row.guid, row.year,
                None if row.chosen is None else dict(row.chosen), tuple(dict(c) for c in row.candidates),
                row.score, dict(row.score_parts), never_auto, row.proposed_summary, updated_at))
        return records

    def _upsert(self, server: str, rows: Sequence[ProposalRow]) -> None:
        """Write ``rows`` (inside the caller's transaction): new ones, and changed ones with a new
        ``updated_at``; a row the same as the stored one is left as it is."""
        now = self._clock()
        self._db.cursor().executemany(_UPSERT, [
            (server, row.rating_key, row.guid, MediaKind(row.kind).value, row.title, row.year,
             DecisionStatus(row.status).value, None if row.chosen is None else _json(dict(row.chosen)),
             _json([dict(c) for c in row.candidates]), row.score, _json(dict(row.score_parts)),
             row.proposed_summary, now)
            for row in rows])

    def _stored_among(self, server: str, rating_keys: Sequence[str]) -> dict[str, tuple[bool, float]]:
        """Never-auto flag and ``updated_at`` of each stored decision among ``rating_keys``."""
        rows = self._db.execute_sql(_STORED_AMONG, (server, _json(list(rating_keys))))
        return {rating_key: (bool(never_auto), updated_at) for rating_key, never_auto, updated_at in rows}

    def set_status(self, server: str, rating_keys: Iterable[str], status: DecisionStatus | str) -> int:
        """Set the status of existing decisions; returns how many changed."""
        return self._update(server, rating_keys, {Decision.status: DecisionStatus(status).value})

    def set_never_auto(self, server: str, rating_keys: Iterable[str], never_auto: bool = True) -> int:
        """Flag existing decisions so they are never auto-accepted; returns how many changed."""
        return self._update(server, rating_keys, {Decision.never_auto: never_auto})

    def by_status(self, server: str, status: DecisionStatus | str) -> list[DecisionRecord]:
        query = (Decision.select()
                 .where((Decision.server == server) & (Decision.status == DecisionStatus(status).value))
                 .order_by(Decision.id))
        with mapped_errors():
            return [_record(row) for row in query]

    def counts(self, server: str) -> dict[DecisionStatus, int]:
        """Number of decisions per status (every status present, zero when none)."""
        query = (Decision.select(Decision.status, peewee.fn.COUNT(Decision.id))
                 .where(Decision.server == server).group_by(Decision.status).tuples())
        totals = dict.fromkeys(DecisionStatus, 0)
        with mapped_errors():
            for status, count in query:
                totals[DecisionStatus(status)] = count
        return totals

    def done_keys(self, server: str) -> set[str]:
        """Rating keys that already have a decision (anything but pending): a run skips them."""
        query = (Decision.select(Decision.rating_key)
                 .where((Decision.server == server) & (Decision.status != DecisionStatus.PENDING.value))
                 .tuples())
        with mapped_errors():
            return {rating_key for (rating_key,) in query}

    def choose(self, server: str, rating_key: str, *, chosen: Mapping[str, Any], proposed_summary: str,
               status: DecisionStatus | str = DecisionStatus.ACCEPTED, score: float | None = None) -> int:
        """The user picked a candidate (and maybe edited its summary); returns rows changed."""
        changes: dict[peewee.Field, Any] = {Decision.chosen: dict(chosen), Decision.proposed_summary: proposed_summary,
                                            Decision.status: DecisionStatus(status).value}
        if score is not None:
            changes[Decision.score] = score
        return self._update(server, [rating_key], changes)

    def get_many(self, server: str, rating_keys: Iterable[str]) -> dict[str, DecisionRecord]:
        """The stored decisions among ``rating_keys``, by rating key (one query)."""
        keys = list(dict.fromkeys(rating_keys))
        found: dict[str, DecisionRecord] = {}
        with mapped_errors():
            for start in range(0, len(keys), _CHUNK):
                query = Decision.select().where((Decision.server == server)
                                                & Decision.rating_key.in_(keys[start:start + _CHUNK]))
                found.update((row.rating_key, _record(row)) for row in query)
        return found

    def restore(self, records: Sequence[DecisionRecord]) -> None:
        """Put decisions back exactly as ``records`` hold them, never-auto flags included, in
        one transaction (undo)."""
        if not records:
            return
        by_server: dict[str, list[DecisionRecord]] = {}
        for record in records:
            by_server.setdefault(record.server, []).append(record)
        with mapped_errors(), self._db.atomic("IMMEDIATE"):
            for server, group in by_server.items():
                self._upsert(server, [ProposalRow(r.rating_key, r.kind, r.title, r.status, r.guid, r.year,
                                                  r.candidates, r.chosen, r.score, r.score_parts, r.proposed_summary)
                                      for r in group])
                for flag in (True, False):
                    flagged = [r.rating_key for r in group if r.never_auto is flag]
                    self._set(server, flagged, {Decision.never_auto: flag})

    def all(self, server: str) -> list[DecisionRecord]:
        query = Decision.select().where(Decision.server == server).order_by(Decision.id)
        with mapped_errors():
            return [_record(row) for row in query]

    def never_auto_keys(self, server: str) -> set[str]:
        """Rating keys the user marked "never auto-match"."""
        query = (Decision.select(Decision.rating_key)
                 .where((Decision.server == server) & (Decision.never_auto == True))  # noqa: E712 - peewee
                 .tuples())
        with mapped_errors():
            return {rating_key for (rating_key,) in query}

    def _update(self, server: str, rating_keys: Iterable[str], changes: dict[peewee.Field, Any]) -> int:
        with mapped_errors(), self._db.atomic("IMMEDIATE"):
            return self._set(server, rating_keys, {**changes, Decision.updated_at: self._clock()})

    @staticmethod
    def _set(server: str, rating_keys: Iterable[str], changes: dict[peewee.Field, Any]) -> int:
        """Change existing decisions (inside the caller's transaction); returns how many changed."""
        keys = list(dict.fromkeys(rating_keys))
        changed = 0
        for start in range(0, len(keys), _CHUNK):
            changed += (Decision.update(changes)
                        .where((Decision.server == server) & Decision.rating_key.in_(keys[start:start + _CHUNK]))
                        .execute())
        return changed


def candidate_to_json(candidate: Candidate) -> dict[str, Any]:
    """The JSON form of a candidate stored in ``chosen`` and ``candidates``."""
    return {
        "provider": candidate.provider, "provider_id": candidate.provider_id,
        "kind": candidate.kind.value, "title": candidate.title, "year": candidate.year,
        "original_title": candidate.original_title,
        "alternative_titles": list(candidate.alternative_titles),
        "ids": {"imdb": candidate.ids.imdb, "tmdb": candidate.ids.tmdb, "tvdb": candidate.ids.tvdb},
        "popularity": candidate.popularity, "vote_count": candidate.vote_count,
        "summary": candidate.summary, "summary_language": candidate.summary_language,
        "poster_url": candidate.poster_url, "original_language": candidate.original_language,
        "summary_source": candidate.summary_source,
    }


def candidate_from_json(data: Mapping[str, Any]) -> Candidate:
    """The inverse of ``candidate_to_json``; extra keys (a score, its parts) are ignored."""
    ids = data.get("ids") or {}
    return Candidate(
        provider=data["provider"], provider_id=str(data["provider_id"]), kind=MediaKind(data["kind"]),
        title=data["title"], year=data.get("year"), original_title=data.get("original_title", ""),
        alternative_titles=tuple(data.get("alternative_titles", ())),
        ids=ExternalIds(imdb=ids.get("imdb"), tmdb=ids.get("tmdb"), tvdb=ids.get("tvdb")),
        popularity=data.get("popularity", 0.0), vote_count=data.get("vote_count", 0),
        summary=data.get("summary", ""), summary_language=data.get("summary_language", ""),
        poster_url=data.get("poster_url", ""), original_language=data.get("original_language", ""),
        summary_source=data.get("summary_source", ""),
    )


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _json(value: Any) -> str:
    """The JSON text of a column, as ``JSONField`` writes it."""
    return _ENCODER.encode(value)


def _record(row: Decision) -> DecisionRecord:
    return DecisionRecord(
        server=row.server, rating_key=row.rating_key, kind=MediaKind(row.kind), title=row.title,
        status=DecisionStatus(row.status), guid=row.guid, year=row.year, chosen=row.chosen,
        candidates=tuple(row.candidates), score=row.score, score_parts=row.score_parts,
        never_auto=bool(row.never_auto), proposed_summary=row.proposed_summary, updated_at=row.updated_at,
    )
