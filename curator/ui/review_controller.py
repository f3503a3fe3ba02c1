"""The glue between the review window and the services: matching a library, the review
session's one-item decisions, bulk accept, push and revert. Everything runs as background
tasks; results come back as signals carrying fresh decision records, so the table can repaint
just the rows that changed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, Callable, Coroutine, Iterable, Sequence
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from curator.app import AppContext
from curator.domain.errors import CuratorError
from curator.domain.models import DecisionStatus, LibraryItem
from curator.domain.text import sanitise_summary
from curator.services.library import LibraryService
from curator.services.matching import MatchingService, MatchReport, Proposal
from curator.services.publishing import PushOutcome, PushRequest
from curator.services.review import AcceptPreview, ReviewSession, accept_above, push_requests
from curator.store.decisions import DecisionRecord, DecisionStore
from curator.store.journal import PushEntry
from curator.ui.tasks import TaskRunner

#: Pushes go in small batches so that Cancel can stop between them.
PUSH_BATCH = 8
#: Above this many changed keys, reloading every decision is cheaper than one query per key.
RELOAD_ALL_ABOVE = 300
#: How often decisions saved during a matching run reach the table.
SAVED_FLUSH_MS = 200

PushProgress = Callable[[int, int, PushOutcome], None]


class LabelledTaskRunner(TaskRunner):
    """A TaskRunner that also says what is running (for the status bar)."""

    running_changed = Signal(list)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._labels: dict[asyncio.Task[Any], str] = {}

    def start(self, coro: Coroutine[Any, Any, Any], *, on_done: Callable[[Any], None] | None = None,
              on_error: Callable[[CuratorError], None] | None = None, label: str = "") -> asyncio.Task[Any]:
        task = super().start(coro, on_done=on_done, on_error=on_error, label=label)
        if label:
            self._labels[task] = label
            task.add_done_callback(self._forget)
            self.running_changed.emit(self.running())
        return task

    def running(self) -> list[str]:
        """Labels of the running tasks, each once, oldest first."""
        return list(dict.fromkeys(self._labels.values()))

    def _forget(self, task: asyncio.Task[Any]) -> None:
        self._labels.pop(task, None)
        self.running_changed.emit(self.running())


class ReviewController(QObject):
    """Review work on one connected server."""

    records_loaded = Signal(object)  # list[DecisionRecord]: every decision of the server
    records_changed = Signal(object)  # list[DecisionRecord]: some decisions changed
    summary_changed = Signal(str, str, bool)  # rating key, summary now in Plex, locked
    match_progress = Signal(object)  # MatchProgress
    match_finished = Signal(object)  # MatchReport, or None when the run was cancelled
    matching_changed = Signal(bool)
    message = Signal(str)
    ready = Signal()  # the services are built: review actions can start

    def __init__(self, context: AppContext, tasks: TaskRunner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.tasks = tasks
        self.library: LibraryService | None = None
        self.store: DecisionStore | None = None
        self.matching: MatchingService | None = None
        self.session: ReviewSession | None = None
        self._match_task: asyncio.Task[Any] | None = None
        self._stop = asyncio.Event()
        self._saved: dict[str, DecisionRecord] = {}
        self._newer: list[dict[str, DecisionRecord]] = []  # one per reload under way
        self._notices_shown = 0
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(SAVED_FLUSH_MS)
        self._flush_timer.timeout.connect(self.flush_saved)

    # -- set-up ---------------------------------------------------------------------------
    @property
    def server_id(self) -> str:
        return self.library.server.machine_identifier if self.library is not None else ""

    @property
    def server_name(self) -> str:
        return (self.library.server.name if self.library is not None else "") or "your Plex server"

    def attach(self, library: LibraryService) -> None:
        """Work on this server: load its decisions, build the services; ``ready`` follows."""
        self.stop_matching(now=True)
        self.library = library
        self.store = self.context.decisions()
        self.matching = None
        self.session = None
        self.reload_decisions()
        self.tasks.start(self._prepare(library), label="Preparing the providers")

    async def _prepare(self, library: LibraryService) -> None:
        """The provider chain is built off the Qt thread: that imports the providers and reads
        their keys from the keyring, which can take a while."""
        matching = await asyncio.to_thread(self._build_matching)
        if library is not self.library:
            return  # connected elsewhere meanwhile
        self.matching = matching
        self.session = ReviewSession(self._store(), self.server_id, matching)
        self.show_new_notices()  # building the providers may have added some
        self.ready.emit()

    def show_new_notices(self) -> None:
        """Send the context's notices (missing keys, a recovered database…) not sent yet."""
        for notice in self.context.notices[self._notices_shown:]:
            self.message.emit(notice)
        self._notices_shown = len(self.context.notices)

    def apply_settings(self) -> None:
        """Use the current preferences (thresholds, languages) from now on; undo history stays."""
        if self.session is not None:
            self.matching = self._build_matching()
            self.session.matching = self.matching

    def _build_matching(self) -> MatchingService:
        if self.library is None:
            raise CuratorError("Not connected to a Plex server.", hint="Connect to a server first.")
        matching = self.context.matching(self.library, self.context.match_settings())
        matching.on_saved = self._saved_record
        return matching

    def _store(self) -> DecisionStore:
        if self.store is None:
            raise CuratorError("Not connected to a Plex server.", hint="Connect to a server first.")
        return self.store

    def _session(self) -> ReviewSession | None:
        """The review session, or None (and a message) while not connected or still preparing."""
        if self.session is None:
            self.message.emit("Curator is not ready for this yet: connect to a server, then try again.")
        return self.session

    def reload_decisions(self) -> None:
        """Read every decision of the server again (in the background)."""
        self.tasks.start(self._reload_all(), label="Reading decisions")

    async def _reload_all(self) -> None:
        store, server = self._store(), self.server_id
        newer: dict[str, DecisionRecord] = {}
        self._newer.append(newer)
        try:
            records = await asyncio.to_thread(store.all, server)
        finally:
            self._newer = [n for n in self._newer if n is not newer]
        # Changes published while reading may be missing from what was read: they win.
        self.records_loaded.emit([newer.get(record.rating_key, record) for record in records])

    def _publish(self, records: list[DecisionRecord]) -> None:
        for newer in self._newer:
            newer.update((record.rating_key, record) for record in records)
        self.records_changed.emit(records)

    # -- matching -------------------------------------------------------------------------
    @property
    def matching_running(self) -> bool:
        return self._match_task is not None

    @property
    def stopping(self) -> bool:
        return self.matching_running and self._stop.is_set()

    def match(self, items: AsyncIterable[LibraryItem], *, total: int | None, title: str) -> bool:
        """Match every item without a decision yet; progress and results come as signals.
        False when a run is already going or the services are not ready."""
        if self._match_task is not None or self.matching is None:
            return False
        matching = self.matching
        self._stop = asyncio.Event()
        self._match_task = self.tasks.start(
            matching.match_items(items, total=total, progress=self.match_progress.emit, stop=self._stop),
            on_done=self._match_done, label=f"Matching {title}")
        self._match_task.add_done_callback(self._match_ended)
        self.matching_changed.emit(True)
        return True

    def stop_matching(self, *, now: bool = False) -> None:
        """First call: no new item starts, those in flight finish and are saved. A second call
        (or ``now``) cancels the run at once."""
        if self._match_task is None:
            return
        if now or self._stop.is_set():
            self._match_task.cancel()
        else:
            self._stop.set()
            self.matching_changed.emit(True)

    def _match_done(self, report: MatchReport) -> None:
        self.flush_saved()
        self.reload_decisions()  # episodes of matched shows got decisions too
        self.match_finished.emit(report)

    def _match_ended(self, task: asyncio.Task[Any]) -> None:
        self._match_task = None
        self.flush_saved()
        if task.cancelled():
            self.match_finished.emit(None)
        self.matching_changed.emit(False)

    def _saved_record(self, record: DecisionRecord) -> None:
        self._saved[record.rating_key] = record
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def flush_saved(self) -> None:
        """Send the decisions stored since the last flush to the table."""
        self._flush_timer.stop()
        if self._saved:
            records, self._saved = list(self._saved.values()), {}
            self._publish(records)

    # -- one item at a time ----------------------------------------------------------------
    def accept(self, item: LibraryItem, index: int, summary: str | None = None,
               on_done: Callable[[DecisionRecord], None] | None = None) -> None:
        """Accept candidate ``index`` (0-based) of the item, optionally with an edited summary."""
        session = self._session()
        if session is None:
            return

        async def work() -> DecisionRecord:
            record = await session.accept(item.rating_key, index, summary=summary)
            self._publish([record])
            return record

        self.tasks.start(work(), on_done=on_done, label=f"Accepting {item.title}")

    def accept_many(self, choices: Sequence[tuple[LibraryItem, int]]) -> None:
        """Accept one candidate for each of several items, one item after the other."""
        session = self._session()
        if session is None or not choices:
            return

        async def work() -> int:
            records = await session.accept_many([(item.rating_key, index) for item, index in choices])
            self._publish(records)
            return len(records)

        self.tasks.start(work(), on_done=lambda count: self.message.emit(f"Accepted {count:,} items."),
                         label=f"Accepting {len(choices):,} items")

    def skip(self, items: Sequence[LibraryItem], on_done: Callable[[Any], None] | None = None) -> None:
        session = self._session()
        if session is None:
            return
        keys = [item.rating_key for item in items]

        async def work() -> None:
            await session.skip(keys[0]) if len(keys) == 1 else await session.set_status(keys, DecisionStatus.SKIPPED)
            await self._emit_reloaded(keys)

        self.tasks.start(work(), on_done=on_done, label="Skipping")

    def set_never_auto(self, items: Sequence[LibraryItem], value: bool) -> None:
        session = self._session()
        if session is None:
            return
        keys = [item.rating_key for item in items]

        async def work() -> int:
            changed = await session.set_never_auto(keys, value)
            await self._emit_reloaded(keys)
            return changed

        def done(changed: int) -> None:
            if changed < len(keys):
                self.message.emit("“Never auto-match” applies to items that were matched once; "
                                  "match the others first.")

        self.tasks.start(work(), on_done=done, label="Marking never auto-match" if value else "Allowing auto-match")

    def search_again(self, item: LibraryItem, title: str, year: int | None,
                     on_done: Callable[[Proposal], None] | None = None) -> None:
        session = self._session()
        if session is None:
            return

        def done(proposal: Proposal) -> None:
            self.flush_saved()
            found = len(proposal.ranked)
            self.message.emit(f"Searched again for “{title}”: {found} candidate{'s' * (found != 1)}.")
            if on_done is not None:
                on_done(proposal)

        self.tasks.start(session.search_again(item, title, year), on_done=done, label=f"Searching for {title}")

    def look_up(self, item: LibraryItem, text: str, on_done: Callable[[Proposal], None] | None = None) -> None:
        session = self._session()
        if session is None:
            return

        def done(proposal: Proposal) -> None:
            self.flush_saved()
            if on_done is not None:
                on_done(proposal)

        self.tasks.start(session.look_up(item, text), on_done=done, label=f"Looking up {text.strip()[:40]}")

    def undo(self, on_done: Callable[[tuple[str, ...]], None] | None = None) -> None:
        session = self._session()
        if session is None:
            return
        if not session.can_undo:
            self.message.emit("Nothing to undo.")
            return

        async def work() -> tuple[str, ...]:
            keys = await session.undo()
            await self._emit_reloaded(keys)
            return keys

        def done(keys: tuple[str, ...]) -> None:
            if len(keys) > 1:
                self.message.emit(f"Undone: {len(keys):,} decisions are as they were.")
            if on_done is not None:
                on_done(keys)

        self.tasks.start(work(), on_done=done, label="Undoing")

    # -- batches --------------------------------------------------------------------------
    async def accept_above(self, threshold: float, margin: float) -> AcceptPreview:
        """Accept every decision above the threshold with the margin (as the CLI does); with a
        review session, one Ctrl+Z puts them all back."""
        session = self.session
        preview = (await session.accept_above(threshold, margin) if session is not None
                   else await accept_above(self._store(), self.server_id, threshold, margin))
        await self._emit_reloaded(preview.keys)
        return preview

    async def push_requests(self) -> list[PushRequest]:
        """What a push would write now: approved decisions with a summary, oldest first."""
        return await push_requests(self._store(), self.server_id)

    async def push(self, requests: Sequence[PushRequest], progress: PushProgress,
                   stop: asyncio.Event) -> list[PushOutcome]:
        """Push in small batches; ``stop`` ends the run after the batch in flight."""
        if self.library is None:
            raise CuratorError("Not connected to a Plex server.", hint="Connect to a server first.")
        publisher = self.context.publisher(self.library)
        settled = await publisher.recover()
        if settled:
            self.message.emit(f"Settled {settled} pushes that were interrupted last time.")
        outcomes: list[PushOutcome] = []
        total = len(requests)
        for start in range(0, total, PUSH_BATCH):
            if stop.is_set():
                break
            batch = list(requests[start:start + PUSH_BATCH])
            before = len(outcomes)

            def step(done: int, _total: int, outcome: PushOutcome, before: int = before) -> None:
                progress(before + done, total, outcome)

            outcomes.extend(await publisher.push_many(batch, progress=step))
            summaries = {request.rating_key: request.summary for request in batch}
            for outcome in outcomes[before:]:
                if outcome.ok:
                    self.summary_changed.emit(outcome.rating_key, sanitise_summary(summaries[outcome.rating_key]), True)
            await self._emit_reloaded(list(summaries))
        return outcomes

    async def revertible(self) -> list[PushEntry]:
        if self.library is None:
            raise CuratorError("Not connected to a Plex server.", hint="Connect to a server first.")
        return await self.context.publisher(self.library).revertible()

    async def revert(self, entries: Sequence[PushEntry], progress: PushProgress,
                     stop: asyncio.Event) -> list[PushOutcome]:
        """Put back the summaries and locks recorded before each push, one entry at a time."""
        if self.library is None:
            raise CuratorError("Not connected to a Plex server.", hint="Connect to a server first.")
        publisher = self.context.publisher(self.library)
        outcomes: list[PushOutcome] = []
        for entry in entries:
            if stop.is_set():
                break
            outcome = await publisher.revert(entry)
            outcomes.append(outcome)
            if outcome.ok:
                self.summary_changed.emit(entry.rating_key, entry.previous_summary, entry.previous_locked)
            await self._emit_reloaded([entry.rating_key])
            progress(len(outcomes), len(entries), outcome)
        return outcomes

    # -- helpers --------------------------------------------------------------------------
    async def _emit_reloaded(self, keys: Iterable[str]) -> None:
        """Read the given decisions again and send them to the table."""
        store, server = self._store(), self.server_id
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return
        if len(wanted) > RELOAD_ALL_ABOVE:
            await self._reload_all()
            return

        def read() -> list[DecisionRecord]:
            found = store.get_many(server, wanted)
            return [found[key] for key in wanted if key in found]

        self._publish(await asyncio.to_thread(read))

    def close(self) -> None:
        """The window is closing: stop matching now (other tasks belong to the task runner)."""
        self.stop_matching(now=True)
