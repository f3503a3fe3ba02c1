"""Matching a library: for each item, find candidates through the provider chain, score them,
apply the auto-accept rule, and persist the proposal.

Per item, as few requests as possible:

1. a decision already made? skip it (a run is resumable: kill it, start it again, it goes on);
2. Plex already knows an external id (imdb/tmdb/tvdb)? look that record up by id — one
   request, a certain match;
3. otherwise search the chain with the title (a file-name title is parsed first) and year;
   only when that finds nothing, search again without the year, then with the alias;
4. score and rank the candidates, decide (auto / ambiguous / no match), and store the
   proposal with every candidate's score parts. The best candidate's details are fetched only
   when its summary is missing or in the wrong language.

Work runs in a fixed pool of workers (bounded concurrency), reports progress (done/total,
items per second, ETA) and can be cancelled: a cancelled run lets the items in flight finish,
so nothing that was asked for is asked for again.

A library run writes its decisions in batches: one transaction whenever ``BATCH_ITEMS`` items
wait or ``BATCH_SECONDS`` have passed, and one for whatever is left when the run ends, is
stopped or is cancelled. An item counts as done (progress, report, ``on_saved``) only once its
batch is committed, so a killed run loses at most its last batch — and those items are matched
again from the response cache, with no requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from curator.domain.errors import CuratorError, StoreError
from curator.domain.models import Candidate, DecisionStatus, LibraryItem, MediaKind
from curator.domain.policy import DEFAULT_MARGIN, DEFAULT_THRESHOLD, MatchStatus, Verdict, decide
from curator.domain.scoring import MatchQuery, ScoredCandidate, rank
from curator.domain.text import split_aliases
from curator.providers.chain import ChainResult, ProviderChain, is_poor
from curator.store.decisions import DecisionRecord, DecisionStore, ProposalRow, candidate_to_json

log = logging.getLogger(__name__)

T = TypeVar("T")
RunSync = Callable[..., Awaitable[Any]]
#: Candidates kept per item (the review panel shows them; more is noise).
MAX_CANDIDATES = 10
_STATUS = {MatchStatus.AUTO: DecisionStatus.AUTO, MatchStatus.AMBIGUOUS: DecisionStatus.AMBIGUOUS,
           MatchStatus.NO_MATCH: DecisionStatus.NO_MATCH}
#: A library run commits its decisions every this many items …
BATCH_ITEMS = 200
#: … or this many seconds, whichever comes first.
BATCH_SECONDS = 0.2
#: Skipped (already decided) items between two progress reports.
SKIPPED_PER_REPORT = 100


@dataclass(frozen=True, slots=True)
class MatchSettings:
    threshold: float = DEFAULT_THRESHOLD
    margin: float = DEFAULT_MARGIN
    languages: tuple[str, ...] = ("en",)
    concurrency: int = 8

    @property
    def language(self) -> str:
        return self.languages[0] if self.languages else "en"


@dataclass(frozen=True, slots=True)
class MatchProgress:
    """Where a run stands; ``rate`` is items per second over the items matched in this run."""

    done: int
    total: int
    skipped: int
    counts: dict[str, int]
    rate: float
    eta_seconds: float | None
    last_title: str = ""


@dataclass
class MatchReport:
    total: int = 0
    matched: int = 0
    skipped: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    cancelled: bool = False
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class Proposal:
    """The outcome for one item: the verdict, the ranked candidates, and what was skipped."""

    item: LibraryItem
    verdict: Verdict
    ranked: tuple[ScoredCandidate, ...]
    source: str
    notes: tuple[str, ...] = ()


def proposal_row(proposal: Proposal) -> ProposalRow:
    """What the decision store keeps of a proposal: every candidate with its score parts, the
    best one as the choice, and why."""
    verdict, item = proposal.verdict, proposal.item
    best = verdict.best
    return ProposalRow(
        item.rating_key, item.kind, item.title, _STATUS[verdict.status], guid=item.guid, year=item.year,
        candidates=tuple(scored_to_json(s) for s in proposal.ranked),
        chosen=candidate_to_json(best.candidate) if best is not None else None,
        score=best.score.value if best is not None else None,
        score_parts={"reason": verdict.reason, "lead": round(verdict.lead, 6), "source": proposal.source,
                     "parts": {p.name: p.contribution for p in best.score.parts} if best else {},
                     "notes": list(proposal.notes)},
        proposed_summary=best.candidate.summary if best is not None else "")


def scored_to_json(scored: ScoredCandidate) -> dict[str, Any]:
    """A candidate with its score and named parts, as stored in a decision."""
    return {**candidate_to_json(scored.candidate), "score": round(scored.score.value, 6),
            "parts": [{"name": p.name, "weight": p.weight, "similarity": p.similarity,
                       "contribution": p.contribution} for p in scored.score.parts]}


class MatchingService:
    """Matches items of one Plex server through a provider chain, persisting decisions.

    ``on_saved`` hears of every item decision once it is committed (episodes excepted), from a
    single ``save`` or a library run's batch."""

    def __init__(self, chain: ProviderChain, decisions: DecisionStore, server_id: str,
                 settings: MatchSettings | None = None, *, run_sync: RunSync = asyncio.to_thread,
                 clock: Callable[[], float] = time.monotonic,
                 episodes_of: Callable[[LibraryItem], Awaitable[list[LibraryItem]]] | None = None,
                 on_saved: Callable[[DecisionRecord], None] | None = None,
                 batch_items: int = BATCH_ITEMS, batch_seconds: float = BATCH_SECONDS) -> None:
        self.chain = chain
        self.episodes_of = episodes_of
        self.decisions = decisions
        self.server_id = server_id
        self.settings = settings or MatchSettings()
        self.on_saved = on_saved
        self._run_sync = run_sync
        self._clock = clock
        self._batch_items = batch_items
        self._batch_seconds = batch_seconds

    async def _store(self, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        result: T = await self._run_sync(lambda: call(*args, **kwargs))
        return result

    # -- one item -------------------------------------------------------------------------
    async def propose(self, item: LibraryItem, *, title: str | None = None, year: int | None = None,
                      never_auto: bool = False) -> Proposal:
        """Candidates for one item, ranked and judged (nothing stored). ``title``/``year``
        replace the item's own for a search the user edited."""
        query = MatchQuery.from_item(item)
        if title is not None:
            query = MatchQuery(title=title, year=year, kind=query.kind, ids=query.ids)
        language = self.settings.language
        notes: list[str] = []
        result = ChainResult()
        if query.ids and title is None:
            result = await self.chain.lookup(query.ids, query.kind, language)
            notes.extend(f"{s.provider}: {s.reason}" for s in result.skipped)
        if not result.candidates:
            result = await self._search(query, language, notes)
        if not result.candidates and result.error is not None:
            raise result.error  # an outage, not a verdict: the item stays undecided for the next run
        return await self.propose_from(item, list(result.candidates), result.provider, query=query,
                                       never_auto=never_auto, notes=notes)

    async def propose_from(self, item: LibraryItem, candidates: list[Candidate], source: str, *,
                           query: MatchQuery | None = None, never_auto: bool = False,
                           notes: list[str] | None = None) -> Proposal:
        """Rank and judge given candidates for an item (details for the best one if poor)."""
        query = query or MatchQuery.from_item(item)
        notes = notes if notes is not None else []
        ranked = rank(query, candidates)[:MAX_CANDIDATES]
        verdict = decide(ranked, self.settings.threshold, self.settings.margin, never_auto=never_auto)
        language = self.settings.language
        if verdict.best is not None and (is_poor(verdict.best.candidate, language)
                                         or self.chain.has_summary_sources(language)):
            ranked, verdict = await self._with_details(ranked, verdict, notes)
        return Proposal(item, verdict, tuple(ranked), source, tuple(notes))

    async def _search(self, query: MatchQuery, language: str, notes: list[str]) -> ChainResult:
        """Title and year first; only when nothing comes back, without the year, then aliases."""
        main, aliases = split_aliases(query.title)
        attempts: list[tuple[str, int | None]] = [(main or query.title, query.year)]
        if query.year is not None:
            attempts.append((main or query.title, None))
        attempts.extend((alias, query.year) for alias in aliases)
        result = ChainResult()
        for title, year in attempts:
            result = await self.chain.search(title, year, query.kind, language)
            notes.extend(f"{s.provider}: {s.reason}" for s in result.skipped if s.reason != "no candidates")
            if result.candidates:
                break
        return result

    async def _with_details(self, ranked: list[ScoredCandidate], verdict: Verdict,
                            notes: list[str]) -> tuple[list[ScoredCandidate], Verdict]:
        """Fill the best candidate's summary (and poster) in the wanted language."""
        assert verdict.best is not None
        try:
            filled, skipped = await self.chain.details(verdict.best.candidate, self.settings.languages)
        except CuratorError as err:  # details are a bonus: the match stands without them
            notes.append(err.user_message)
            return ranked, verdict
        notes.extend(f"{s.provider}: {s.reason}" for s in skipped)
        best = ScoredCandidate(filled, verdict.best.score)
        ranked = [best if scored is verdict.best else scored for scored in ranked]
        return ranked, replace(verdict, best=best)

    async def match_item(self, item: LibraryItem, *, never_auto: bool = False) -> DecisionRecord:
        """Propose and persist one item (and, for a show matched automatically, its episodes)."""
        proposal = await self.propose(item, never_auto=never_auto)
        record = await self.save(proposal)
        if item.kind is MediaKind.SHOW and record.status is DecisionStatus.AUTO and proposal.verdict.best:
            await self.propose_episodes(item, proposal.verdict.best.candidate, DecisionStatus.AUTO)
        return record

    async def propose_episodes(self, show: LibraryItem, match: Candidate, status: DecisionStatus) -> int:
        """Give every episode of a matched show its summary from the show's provider (by season
        and episode number), with the show's status; returns how many episodes got one."""
        rows = await self.episode_rows(show, match, status)
        await self._store(self.decisions.save_proposals, self.server_id, rows)
        return len(rows)

    async def episode_rows(self, show: LibraryItem, match: Candidate, status: DecisionStatus) -> list[ProposalRow]:
        """The proposals ``propose_episodes`` stores (nothing stored here)."""
        if self.episodes_of is None:
            return []
        episodes = await self.episodes_of(show)
        texts, skipped = await self.chain.episode_summaries(match, self.settings.languages)
        rows: list[ProposalRow] = []
        for episode in episodes:
            found = texts.get((episode.parent_index or 0, episode.index or 0))
            if found is None:
                continue
            rows.append(ProposalRow(
                episode.rating_key, episode.kind, status=status, guid=episode.guid, year=episode.year,
                title=f"{show.title} S{episode.parent_index:02d}E{episode.index:02d} {episode.title}".strip(),
                chosen=candidate_to_json(found),
                score_parts={"reason": "episode_of_matched_show", "show": show.rating_key,
                             "source": found.summary_source, "notes": [s.reason for s in skipped]},
                proposed_summary=found.summary))
        return rows

    async def save(self, proposal: Proposal) -> DecisionRecord:
        """Store one proposal now (one transaction)."""
        row = proposal_row(proposal)
        record = await self._store(
            self.decisions.save_proposal, self.server_id, row.rating_key, kind=row.kind, title=row.title,
            status=row.status, guid=row.guid, year=row.year, candidates=row.candidates, chosen=row.chosen,
            score=row.score, score_parts=row.score_parts, proposed_summary=row.proposed_summary)
        if self.on_saved is not None:
            self.on_saved(record)
        return record

    async def _rows_for(self, item: LibraryItem, never_auto: bool) -> tuple[ProposalRow, ...]:
        """A library run's work for one item: its proposal and, for a show matched
        automatically, its episodes' — to be stored by the run's batch."""
        proposal = await self.propose(item, never_auto=never_auto)
        row = proposal_row(proposal)
        best = proposal.verdict.best
        if item.kind is MediaKind.SHOW and row.status is DecisionStatus.AUTO and best is not None:
            return (row, *await self.episode_rows(item, best.candidate, DecisionStatus.AUTO))
        return (row,)

    # -- a whole library ------------------------------------------------------------------
    async def match_items(self, items: Iterable[LibraryItem] | AsyncIterable[LibraryItem], *,
                          total: int | None = None, rematch: bool = False,
                          progress: Callable[[MatchProgress], None] | None = None,
                          stop: asyncio.Event | None = None) -> MatchReport:
        """Match every item that has no decision yet (all of them with ``rematch``).

        Setting ``stop`` ends the run gracefully: no new item starts, the ones in flight
        finish and are saved. Cancelling the task stops at once: items in flight are lost (and
        matched again next time); decisions already made are still written."""
        started = self._clock()
        report = MatchReport(total=total or 0)
        decided = set() if rematch else await self._store(self.decisions.done_keys, self.server_id)
        never_auto = await self._store(self.decisions.never_auto_keys, self.server_id)
        queue: asyncio.Queue[LibraryItem | None] = asyncio.Queue(maxsize=self.settings.concurrency * 4)
        stop = stop or asyncio.Event()
        workers_n = max(1, self.settings.concurrency)

        def emit(title: str) -> None:
            if progress is None:
                return
            elapsed = max(self._clock() - started, 1e-9)
            rate = report.matched / elapsed
            known_total = max(report.total, report.matched + report.skipped)
            remaining = known_total - report.matched - report.skipped
            eta = remaining / rate if rate > 0 and report.total else None
            progress(MatchProgress(report.matched + report.skipped, known_total, report.skipped,
                                   dict(report.counts), rate, eta, title))

        def count(outcome: str) -> None:
            report.counts[outcome] = report.counts.get(outcome, 0) + 1
            report.matched += 1

        def written(items: Sequence[LibraryItem], records: Sequence[DecisionRecord]) -> None:
            for record in records:
                count(record.status.value)
                if self.on_saved is not None:
                    self.on_saved(record)
            emit(items[-1].title)

        batch = _DecisionBatch(lambda rows: self._store(self.decisions.save_proposals, self.server_id, rows),
                               written, size=self._batch_items, seconds=self._batch_seconds)

        async def worker() -> None:
            while (item := await queue.get()) is not None:
                try:
                    rows = await self._rows_for(item, item.rating_key in never_auto)
                except StoreError:
                    raise  # the database is gone: stop the run, the user must know
                except CuratorError as err:
                    report.failures.append(f"{item.title}: {err.user_message}")
                    log.warning("matching %s failed: %s", item.rating_key, err.user_message)
                    count("failed")
                    emit(item.title)
                    continue
                await batch.add(item, rows)

        async def produce() -> None:
            async for item in _aiter(items):
                if stop.is_set():
                    report.cancelled = True
                    break
                if total is None:
                    report.total += 1
                if item.rating_key in decided:
                    report.skipped += 1
                    if report.skipped % SKIPPED_PER_REPORT == 0:
                        emit(item.title)
                        await asyncio.sleep(0)  # a long run of decided items must not hold the loop
                    continue
                await queue.put(item)
            if report.skipped % SKIPPED_PER_REPORT:
                emit("")
            for _ in range(workers_n):
                await queue.put(None)

        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(batch.write_until_closed())
                workers = [group.create_task(worker()) for _ in range(workers_n)]
                group.create_task(produce())
                await asyncio.wait(workers)
                batch.close()
        except* CuratorError as failed:  # the store, or Plex while listing the items
            raise failed.exceptions[0] from None
        report.seconds = self._clock() - started
        return report


class _DecisionBatch:
    """Finished items' decisions, written by one writer task in one transaction each: when
    ``size`` items wait or ``seconds`` have passed, and what is left when the run closes the
    batch or is cancelled. Workers wait (back-pressure) when ``size * 4`` items wait."""

    def __init__(self, save: Callable[[list[ProposalRow]], Awaitable[list[DecisionRecord]]],
                 written: Callable[[Sequence[LibraryItem], Sequence[DecisionRecord]], None], *,
                 size: int, seconds: float) -> None:
        self._save = save
        self._written = written
        self._size = max(1, size)
        self._seconds = seconds
        self._pending: list[tuple[LibraryItem, tuple[ProposalRow, ...]]] = []
        self._due = asyncio.Event()
        self._room = asyncio.Event()
        self._room.set()
        self._closed = False
        # The write under way: its items (the first record of each is the item's own) and task.
        self._writing: tuple[list[tuple[LibraryItem, tuple[ProposalRow, ...]]], asyncio.Task[Any]] | None = None

    async def add(self, item: LibraryItem, rows: tuple[ProposalRow, ...]) -> None:
        while len(self._pending) >= self._size * 4:
            self._room.clear()
            await self._room.wait()
        self._pending.append((item, rows))
        if len(self._pending) >= self._size:
            self._due.set()

    def close(self) -> None:
        """No more items: write what is left, then ``write_until_closed`` returns."""
        self._closed = True
        self._due.set()

    async def write_until_closed(self) -> None:
        try:
            while not (self._closed and not self._pending):
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._due.wait(), self._seconds)
                self._due.clear()
                await self._write()
        except asyncio.CancelledError:
            while self._writing is not None or self._pending:  # the run was cancelled: keep what is done
                await self._write()
            raise

    async def _write(self) -> None:
        if self._writing is None:
            if not self._pending:
                return
            items, self._pending = self._pending, []
            self._room.set()
            rows = [row for _, item_rows in items for row in item_rows]
            self._writing = (items, asyncio.ensure_future(self._save(rows)))
        items, task = self._writing
        stored = await asyncio.shield(task)  # a cancelled run still waits for the commit under way
        self._writing = None
        firsts, index = [], 0
        for _, item_rows in items:
            firsts.append(stored[index])
            index += len(item_rows)
        self._written([item for item, _ in items], firsts)


async def _aiter(items: Iterable[LibraryItem] | AsyncIterable[LibraryItem]) -> AsyncIterable[LibraryItem]:
    if isinstance(items, AsyncIterable):
        async for item in items:
            yield item
    else:
        for item in items:
            yield item
