"""Per-item decisions: the proposal (candidates, score and its parts) and the user's verdict.

One row per (server, rating_key). Matching upserts proposals; review changes statuses; a run
can resume by skipping ``done_keys``. Values come back as frozen ``DecisionRecord``s.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import peewee

from curator.domain.models import Candidate, DecisionStatus, ExternalIds, MediaKind
from curator.store.db import bound_database, mapped_errors
from curator.store.models import Decision

_CHUNK = 500


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
        values = {
            "server": server, "rating_key": rating_key, "guid": guid, "kind": MediaKind(kind).value,
            "title": title, "year": year, "status": DecisionStatus(status).value,
            "chosen": None if chosen is None else dict(chosen),
            "candidates": [dict(candidate) for candidate in candidates],
            "score": score, "score_parts": dict(score_parts or {}),
            "proposed_summary": proposed_summary, "updated_at": self._clock(),
        }
        replaced = [getattr(Decision, name) for name in values if name not in ("server", "rating_key")]
        with mapped_errors(), self._db.atomic("IMMEDIATE"):
            (Decision.insert(**values)
             .on_conflict(conflict_target=[Decision.server, Decision.rating_key], preserve=replaced)
             .execute())
            row = Decision.get((Decision.server == server) & (Decision.rating_key == rating_key))
        return _record(row)

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

    def restore(self, record: DecisionRecord) -> None:
        """Put a decision back exactly as ``record`` holds it (undo)."""
        self.save_proposal(record.server, record.rating_key, kind=record.kind, title=record.title,
                           status=record.status, guid=record.guid, year=record.year,
                           candidates=record.candidates, chosen=record.chosen, score=record.score,
                           score_parts=record.score_parts, proposed_summary=record.proposed_summary)
        self.set_never_auto(record.server, [record.rating_key], record.never_auto)

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
        keys = list(dict.fromkeys(rating_keys))
        changes = {**changes, Decision.updated_at: self._clock()}
        changed = 0
        with mapped_errors(), self._db.atomic("IMMEDIATE"):
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start:start + _CHUNK]
                changed += (Decision.update(changes)
                            .where((Decision.server == server) & Decision.rating_key.in_(chunk))
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


def _record(row: Decision) -> DecisionRecord:
    return DecisionRecord(
        server=row.server, rating_key=row.rating_key, kind=MediaKind(row.kind), title=row.title,
        status=DecisionStatus(row.status), guid=row.guid, year=row.year, chosen=row.chosen,
        candidates=tuple(row.candidates), score=row.score, score_parts=row.score_parts,
        never_auto=bool(row.never_auto), proposed_summary=row.proposed_summary, updated_at=row.updated_at,
    )
