"""The push journal: a write-ahead record of every summary Curator writes to Plex.

The intent (with the summary and lock state it replaces) is committed before the network
write; the record then moves ``pending → written → done`` (or ``failed``), and a done record
can be reverted. Records left pending/written by a crash are resolved at the next start by
reading Plex back.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import peewee

from curator.domain.errors import StoreError
from curator.domain.models import MediaKind, PushState
from curator.domain.redaction import redact
from curator.store.db import bound_database, mapped_errors
from curator.store.models import PushRecord

_UNFINISHED = (PushState.PENDING, PushState.WRITTEN)
#: Which states each transition may start from. A pending record may become done directly
#: when a restart finds the new summary already in Plex.
_ALLOWED_FROM: dict[PushState, tuple[PushState, ...]] = {
    PushState.WRITTEN: (PushState.PENDING,),
    PushState.DONE: (PushState.PENDING, PushState.WRITTEN),
    PushState.FAILED: (PushState.PENDING, PushState.WRITTEN),
    PushState.REVERTED: (PushState.DONE,),
}


@dataclass(frozen=True, slots=True)
class PushEntry:
    id: int
    server: str
    rating_key: str
    section_key: str
    kind: MediaKind
    previous_summary: str
    previous_locked: bool
    new_summary: str
    state: PushState
    error: str
    created_at: float
    updated_at: float


class PushJournal:
    """The journal of pushes. Safe to use from any thread."""

    def __init__(self, db: peewee.Database | None = None, *, clock: Callable[[], float] = time.time) -> None:
        self._db = bound_database(db)
        self._clock = clock

    def record_intent(self, server: str, item_rating_key: str, section_key: str, kind: MediaKind | str,
                      previous_summary: str, previous_locked: bool, new_summary: str) -> int:
        """Record a push about to happen and commit it; returns the record id."""
        if self._db.in_transaction():
            raise StoreError("A push intent must be committed on its own, before the write to Plex.")
        now = self._clock()
        with mapped_errors(), self._db.atomic("IMMEDIATE"):
            return PushRecord.insert(
                server=server, rating_key=item_rating_key, section_key=section_key,
                kind=MediaKind(kind).value, previous_summary=previous_summary,
                previous_locked=previous_locked, new_summary=new_summary,
                state=PushState.PENDING.value, error="", created_at=now, updated_at=now,
            ).execute()

    def mark_written(self, record_id: int) -> None:
        self._move(record_id, PushState.WRITTEN)

    def mark_done(self, record_id: int) -> None:
        """The new summary was read back from Plex."""
        self._move(record_id, PushState.DONE)

    def mark_failed(self, record_id: int, error: str) -> None:
        self._move(record_id, PushState.FAILED, error=redact(error))

    def mark_reverted(self, record_id: int) -> None:
        self._move(record_id, PushState.REVERTED)

    def get(self, record_id: int) -> PushEntry | None:
        with mapped_errors():
            row = PushRecord.get_or_none(PushRecord.id == record_id)
        return None if row is None else _entry(row)

    def unfinished(self, server: str | None = None) -> list[PushEntry]:
        """Pending and written records, oldest first: their outcome must be read from Plex."""
        query = PushRecord.select().where(PushRecord.state.in_([s.value for s in _UNFINISHED]))
        if server is not None:
            query = query.where(PushRecord.server == server)
        return self._entries(query.order_by(PushRecord.id))

    def revertible(self, server: str) -> list[PushEntry]:
        """For each item, its latest done push, newest first. An item whose latest push is still
        unresolved (pending/written) is left out until that is settled."""
        states = [PushState.DONE.value, *(s.value for s in _UNFINISHED)]
        query = (PushRecord.select()
                 .where((PushRecord.server == server) & PushRecord.state.in_(states))
                 .order_by(PushRecord.id.desc()))
        seen: set[str] = set()
        latest: list[PushEntry] = []
        for entry in self._entries(query):
            if entry.rating_key in seen:
                continue
            seen.add(entry.rating_key)
            if entry.state is PushState.DONE:
                latest.append(entry)
        return latest

    def history(self, server: str, rating_key: str) -> list[PushEntry]:
        """Every push of one item, newest first."""
        query = (PushRecord.select()
                 .where((PushRecord.server == server) & (PushRecord.rating_key == rating_key))
                 .order_by(PushRecord.id.desc()))
        return self._entries(query)

    def _move(self, record_id: int, state: PushState, *, error: str = "") -> None:
        allowed = [s.value for s in _ALLOWED_FROM[state]]
        with mapped_errors(), self._db.atomic("IMMEDIATE"):
            changed = (PushRecord
                       .update(state=state.value, error=error, updated_at=self._clock())
                       .where((PushRecord.id == record_id) & PushRecord.state.in_(allowed))
                       .execute())
            if changed:
                return
            current = PushRecord.select(PushRecord.state).where(PushRecord.id == record_id).scalar()
        if current is None:
            raise StoreError(f"There is no push record {record_id}.")
        raise StoreError(f"Push record {record_id} is {current}; it cannot become {state.value}.")

    @staticmethod
    def _entries(query: Iterable[PushRecord]) -> list[PushEntry]:
        with mapped_errors():
            return [_entry(row) for row in query]


def _entry(row: PushRecord) -> PushEntry:
    return PushEntry(
        id=row.id, server=row.server, rating_key=row.rating_key, section_key=row.section_key,
        kind=MediaKind(row.kind), previous_summary=row.previous_summary,
        previous_locked=bool(row.previous_locked), new_summary=row.new_summary,
        state=PushState(row.state), error=row.error, created_at=row.created_at, updated_at=row.updated_at,
    )
