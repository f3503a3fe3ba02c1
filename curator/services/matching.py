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
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterable, Awaitable, Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from curator.domain.errors import CuratorError, StoreError
from curator.domain.models import Candidate, DecisionStatus, LibraryItem, MediaKind
from curator.domain.policy import DEFAULT_MARGIN, DEFAULT_THRESHOLD, MatchStatus, Verdict, decide
from curator.domain.scoring import MatchQuery, ScoredCandidate, rank
from curator.domain.text import split_aliases
from curator.providers.chain import ChainResult, ProviderChain, is_poor
from curator.store.decisions import DecisionRecord, DecisionStore, candidate_to_json

log = logging.getLogger(__name__)

T = TypeVar("T")
RunSync = Callable[..., Awaitable[Any]]
#: Candidates kept per item (the review panel shows them; more is noise).
MAX_CANDIDATES = 10
_STATUS = {MatchStatus.AUTO: DecisionStatus.AUTO, MatchStatus.AMBIGUOUS: DecisionStatus.AMBIGUOUS,
           MatchStatus.NO_MATCH: DecisionStatus.NO_MATCH}


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


def scored_to_json(scored: ScoredCandidate) -> dict[str, Any]:
    """A candidate with its score and named parts, as stored in a decision."""
    return {**candidate_to_json(scored.candidate), "score": round(scored.score.value, 6),
            "parts": [{"name": p.name, "weight": p.weight, "similarity": p.similarity,
                       "contribution": p.contribution} for p in scored.score.parts]}


class MatchingService:
    """Matches items of one Plex server through a provider chain, persisting decisions."""

    def __init__(self, chain: ProviderChain, decisions: DecisionStore, server_id: str,
                 settings: MatchSettings | None = None, *, run_sync: RunSync = asyncio.to_thread,
                 clock: Callable[[], float] = time.monotonic,
                 episodes_of: Callable[[LibraryItem], Awaitable[list[LibraryItem]]] | None = None) -> None:
        self.chain = chain
        self.episodes_of = episodes_of
        self.decisions = decisions
        self.server_id = server_id
        self.settings = settings or MatchSettings()
        self._run_sync = run_sync
        self._clock = clock

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
        if self.episodes_of is None:
            return 0
        episodes = await self.episodes_of(show)
        texts, skipped = await self.chain.episode_summaries(match, self.settings.languages)
        saved = 0
        for episode in episodes:
            found = texts.get((episode.parent_index or 0, episode.index or 0))
            if found is None:
                continue
            await self._store(
                self.decisions.save_proposal, self.server_id, episode.rating_key, kind=episode.kind,
                title=f"{show.title} S{episode.parent_index:02d}E{episode.index:02d} {episode.title}".strip(),
                status=status, guid=episode.guid, year=episode.year, candidates=[], chosen=candidate_to_json(found),
                score=None, score_parts={"reason": "episode_of_matched_show", "show": show.rating_key,
                                         "source": found.summary_source, "notes": [s.reason for s in skipped]},
                proposed_summary=found.summary)
            saved += 1
        return saved

    async def save(self, proposal: Proposal) -> DecisionRecord:
        verdict, item = proposal.verdict, proposal.item
        best = verdict.best
        return await self._store(
            self.decisions.save_proposal, self.server_id, item.rating_key, kind=item.kind, title=item.title,
            status=_STATUS[verdict.status], guid=item.guid, year=item.year,
            candidates=[scored_to_json(s) for s in proposal.ranked],
            chosen=candidate_to_json(best.candidate) if best is not None else None,
            score=best.score.value if best is not None else None,
            score_parts={"reason": verdict.reason, "lead": round(verdict.lead, 6), "source": proposal.source,
                         "parts": {p.name: p.contribution for p in best.score.parts} if best else {},
                         "notes": list(proposal.notes)},
            proposed_summary=best.candidate.summary if best is not None else "",
        )

    # -- a whole library ------------------------------------------------------------------
    async def match_items(self, items: Iterable[LibraryItem] | AsyncIterable[LibraryItem], *,
                          total: int | None = None, rematch: bool = False,
                          progress: Callable[[MatchProgress], None] | None = None,
                          stop: asyncio.Event | None = None) -> MatchReport:
        """Match every item that has no decision yet (all of them with ``rematch``).

        Setting ``stop`` ends the run gracefully: no new item starts, the ones in flight
        finish and are saved. Cancelling the task stops at once (items in flight are lost and
        matched again next time)."""
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

        async def worker() -> None:
            while (item := await queue.get()) is not None:
                try:
                    record = await self.match_item(item, never_auto=item.rating_key in never_auto)
                    report.counts[record.status.value] = report.counts.get(record.status.value, 0) + 1
                except StoreError:
                    raise  # the database is gone: stop the run, the user must know
                except CuratorError as err:
                    report.failures.append(f"{item.title}: {err.user_message}")
                    report.counts["failed"] = report.counts.get("failed", 0) + 1
                    log.warning("matching %s failed: %s", item.rating_key, err.user_message)
                report.matched += 1
                emit(item.title)

        async def produce() -> None:
            async for item in _aiter(items):
                if stop.is_set():
                    report.cancelled = True
                    break
                if total is None:
                    report.total += 1
                if item.rating_key in decided:
                    report.skipped += 1
                    emit(item.title)
                    continue
                await queue.put(item)
            for _ in range(workers_n):
                await queue.put(None)

        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(workers_n):
                    group.create_task(worker())
                group.create_task(produce())
        except* StoreError as failed:
            raise failed.exceptions[0] from None
        report.seconds = self._clock() - started
        return report



async def _aiter(items: Iterable[LibraryItem] | AsyncIterable[LibraryItem]) -> AsyncIterable[LibraryItem]:
    if isinstance(items, AsyncIterable):
        async for item in items:
            yield item
    else:
        for item in items:
            yield item
