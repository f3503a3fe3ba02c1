"""Pushing approved summaries to Plex, and taking them back.

Every push follows one write-ahead order, so a crash or a pulled cable at any point loses
nothing and never writes an item twice:

1. read the item's current summary and lock state from Plex;
2. record both, with the new summary, in the push journal (committed);
3. write the new summary, locked; mark the record written;
4. read it back; mark the record done and the decision pushed.

At the next start ``recover`` settles records left pending or written by reading Plex: if the
new summary is there, the push happened (done); if not, it did not (failed) — nothing is sent
again on its own. A revert writes the recorded previous summary and lock state back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from curator.domain.errors import CuratorError, RemoteError
from curator.domain.models import DecisionStatus, LibraryItem, PushState
from curator.domain.text import sanitise_summary
from curator.plex.client import PlexClient
from curator.store.decisions import DecisionStore
from curator.store.journal import PushEntry, PushJournal

log = logging.getLogger(__name__)

T = TypeVar("T")
RunSync = Callable[..., Awaitable[Any]]
#: Plex has no documented limit; a summary longer than this is certainly not a summary.
MAX_SUMMARY_CHARS = 20_000


@dataclass(frozen=True, slots=True)
class PushOutcome:
    rating_key: str
    ok: bool
    message: str = ""
    journal_id: int | None = None
    skipped: bool = False


@dataclass(frozen=True, slots=True)
class PushRequest:
    rating_key: str
    summary: str


class Publisher:
    """Pushes and reverts summaries on one Plex server, journalled in the store."""

    def __init__(self, client: PlexClient, server_id: str, journal: PushJournal, decisions: DecisionStore,
                 *, run_sync: RunSync = asyncio.to_thread) -> None:
        self.client = client
        self.server_id = server_id
        self.journal = journal
        self.decisions = decisions
        self._run_sync = run_sync

    async def _store(self, call: Callable[..., T], *args: Any) -> T:
        result: T = await self._run_sync(call, *args)
        return result

    # -- push -----------------------------------------------------------------------------
    async def push(self, request: PushRequest) -> PushOutcome:
        """Push one summary (steps 1–4 above). Errors become a failed outcome, not an exception."""
        summary = sanitise_summary(request.summary)
        if not summary.strip():
            return PushOutcome(request.rating_key, False, "Refused: the new summary is empty.")
        if len(summary) > MAX_SUMMARY_CHARS:
            return PushOutcome(request.rating_key, False,
                               f"Refused: the summary is over {MAX_SUMMARY_CHARS} characters.")
        history = await self._store(self.journal.history, self.server_id, request.rating_key)
        latest = history[0] if history else None
        if latest is not None and latest.state in (PushState.PENDING, PushState.WRITTEN):
            await self.recover([latest])
            latest = await self._store(self.journal.get, latest.id)
        if latest is not None and latest.state is PushState.DONE and latest.new_summary == summary:
            await self._store(self.decisions.set_status, self.server_id, [request.rating_key], DecisionStatus.PUSHED)
            return PushOutcome(request.rating_key, True, "Already pushed.", latest.id, skipped=True)
        record_id: int | None = None
        try:
            item = await self.client.metadata(request.rating_key)
            record_id = await self._store(self.journal.record_intent, self.server_id, item.rating_key,
                                          item.section_key, item.kind, item.summary, item.summary_locked, summary)
            await self.client.edit_summary(item, summary, locked=True)
            await self._store(self.journal.mark_written, record_id)
            current, locked = await self.client.read_summary(item.rating_key)
            if current != summary or not locked:
                raise _ReadBackMismatch(item.rating_key)
            await self._store(self.journal.mark_done, record_id)
            await self._store(self.decisions.set_status, self.server_id, [item.rating_key], DecisionStatus.PUSHED)
            return PushOutcome(item.rating_key, True, "Pushed and read back.", record_id)
        except (CuratorError, _ReadBackMismatch) as err:
            message = err.user_message if isinstance(err, CuratorError) else str(err)
            if record_id is not None and not isinstance(err, RemoteError | _ReadBackMismatch):
                raise  # a store failure after the intent: leave the record for recovery
            if record_id is not None and await self._settle_after_error(record_id, message):
                log.info("push of item %s confirmed by reading it back after: %s", request.rating_key, message)
                return PushOutcome(request.rating_key, True, "Pushed (confirmed by reading it back).", record_id)
            await self._store(self.decisions.set_status, self.server_id, [request.rating_key], DecisionStatus.FAILED)
            log.warning("push of item %s failed: %s", request.rating_key, message)
            return PushOutcome(request.rating_key, False, message, record_id)

    async def _settle_after_error(self, record_id: int, message: str) -> bool:
        """After a network error we do not know whether the write landed: ask Plex once.
        True when it did (the record is done and the decision pushed)."""
        entry = await self._store(self.journal.get, record_id)
        if entry is None:
            return False
        try:
            await self.recover([entry])
        except RemoteError:
            return False  # Plex is unreachable: the record stays unfinished for the next recovery
        settled = await self._store(self.journal.get, record_id)
        if settled is not None and settled.state is PushState.DONE:
            return True
        if settled is not None and settled.state in (PushState.PENDING, PushState.WRITTEN):
            await self._store(self.journal.mark_failed, record_id, message)
        return False

    async def push_many(self, requests: Sequence[PushRequest], *, concurrency: int = 4,
                        progress: Callable[[int, int, PushOutcome], None] | None = None) -> list[PushOutcome]:
        """Push several items with bounded concurrency; cancellable between items."""
        semaphore = asyncio.Semaphore(max(1, concurrency))
        outcomes: list[PushOutcome] = []
        total = len(requests)

        async def one(request: PushRequest) -> None:
            async with semaphore:
                outcome = await self.push(request)
            outcomes.append(outcome)
            if progress is not None:
                progress(len(outcomes), total, outcome)

        await asyncio.gather(*(one(r) for r in requests))
        return outcomes

    # -- recovery -------------------------------------------------------------------------
    async def recover(self, entries: Iterable[PushEntry] | None = None) -> int:
        """Settle unfinished journal records by reading Plex; returns how many were settled."""
        todo = list(entries) if entries is not None else await self._store(self.journal.unfinished, self.server_id)
        settled = 0
        for entry in todo:
            try:
                current, locked = await self.client.read_summary(entry.rating_key)
            except RemoteError as err:
                if err.status == 404:
                    await self._store(self.journal.mark_failed, entry.id, "The item no longer exists in Plex.")
                    settled += 1
                    continue
                raise
            if current == entry.new_summary and (locked or entry.new_summary == entry.previous_summary):
                await self._store(self.journal.mark_done, entry.id)
                await self._store(self.decisions.set_status, self.server_id, [entry.rating_key], DecisionStatus.PUSHED)
            else:
                await self._store(self.journal.mark_failed, entry.id, "Interrupted before the write reached Plex.")
            settled += 1
        return settled

    # -- revert ---------------------------------------------------------------------------
    async def revertible(self) -> list[PushEntry]:
        return await self._store(self.journal.revertible, self.server_id)

    async def revert(self, entry: PushEntry) -> PushOutcome:
        """Put back the summary and lock state recorded before ``entry``'s push."""
        item = LibraryItem(rating_key=entry.rating_key, kind=entry.kind, title="", section_key=entry.section_key)
        try:
            await self.client.restore_summary(item, entry.previous_summary, entry.previous_locked)
            current, locked = await self.client.read_summary(entry.rating_key)
        except RemoteError as err:
            return PushOutcome(entry.rating_key, False, err.user_message, entry.id)
        if current != entry.previous_summary or locked != entry.previous_locked:
            return PushOutcome(entry.rating_key, False, "Plex did not keep the restored summary.", entry.id)
        await self._store(self.journal.mark_reverted, entry.id)
        await self._store(self.decisions.set_status, self.server_id, [entry.rating_key], DecisionStatus.ACCEPTED)
        return PushOutcome(entry.rating_key, True, "Restored the previous summary.", entry.id)


class _ReadBackMismatch(Exception):
    def __init__(self, rating_key: str) -> None:
        super().__init__(f"Plex did not keep the new summary of item {rating_key} (read-back differs).")
