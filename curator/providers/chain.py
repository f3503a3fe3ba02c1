"""The provider chain: ask providers in the user's order per media type, and move on when one
fails, is skipped (open circuit, no key, daily budget), or gives poor data.

"Poor data" is a candidate without a summary in the wanted language, without a year or
without a poster: the chain then asks the next provider that knows the same work (by its ids)
and keeps the best answer. A provider with no key is simply not in the chain.

Some languages have preferred *summary sources* that cannot be asked by id — for Dutch, the
VPRO Cinema reviews from NPO POMS and cinema.nl. For such a language the chain searches them
by title and year first and keeps a summary only from a page that is certainly the same work:
its IMDb link matches the work's IMDb id, or the scorer auto-accepts it. So with languages
(nl, en) a film's summary comes from POMS, else cinema.nl, else the provider's own nl text,
else English.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from curator.domain.errors import RemoteError
from curator.domain.models import Candidate, ExternalIds, MediaKind
from curator.domain.policy import DEFAULT_MARGIN, DEFAULT_THRESHOLD, MatchStatus, decide
from curator.domain.scoring import MatchQuery, rank
from curator.providers.base import Provider

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Skip:
    """A provider the chain passed over, and why (for the UI's and CLI's "what happened")."""

    provider: str
    reason: str


@dataclass(frozen=True, slots=True)
class ChainResult:
    """What the chain found. ``error`` is set when no provider answered at all (every one
    failed or was skipped): then "nothing found" is not a verdict, just an outage."""

    candidates: tuple[Candidate, ...] = ()
    provider: str = ""
    skipped: tuple[Skip, ...] = field(default_factory=tuple)
    error: RemoteError | None = None


def is_poor(candidate: Candidate, language: str) -> bool:
    """No summary in ``language``, no year, or no poster."""
    return (not candidate.summary or candidate.summary_language != language
            or candidate.year is None or not candidate.poster_url)


class ProviderChain:
    """Providers by name, and the order to try them in for each media kind."""

    def __init__(self, providers: Mapping[str, Provider], order: Mapping[MediaKind, Sequence[str]], *,
                 summary_sources: Mapping[str, Sequence[str]] | None = None,
                 threshold: float = DEFAULT_THRESHOLD, margin: float = DEFAULT_MARGIN) -> None:
        self.providers = dict(providers)
        self._order = {kind: tuple(name for name in names if name in self.providers)
                       for kind, names in order.items()}
        self._summary_sources = {language: tuple(name for name in names if name in self.providers)
                                 for language, names in (summary_sources or {}).items()}
        self._threshold = threshold
        self._margin = margin

    def has_summary_sources(self, language: str) -> bool:
        """Whether ``language`` has preferred summary sources (then details are always fetched)."""
        return bool(self._summary_sources.get(language))

    def order(self, kind: MediaKind) -> tuple[Provider, ...]:
        lookup_kind = MediaKind.SHOW if kind in (MediaKind.SEASON, MediaKind.EPISODE) else kind
        return tuple(self.providers[name] for name in self._order.get(lookup_kind, ())
                     if lookup_kind in self.providers[name].kinds)

    async def search(self, title: str, year: int | None, kind: MediaKind, language: str) -> ChainResult:
        """Candidates from the first provider that answers with any."""
        skipped: list[Skip] = []
        first_error: RemoteError | None = None
        answered = False
        for provider in self.order(kind):
            try:
                found = await provider.search(title, year, kind, language)
            except RemoteError as err:
                skipped.append(Skip(provider.name, err.user_message))
                first_error = first_error or err
                continue
            answered = True
            if found:
                return ChainResult(tuple(found), provider.name, tuple(skipped))
            skipped.append(Skip(provider.name, "no candidates"))
        return ChainResult((), "", tuple(skipped), error=None if answered else first_error)

    async def lookup(self, ids: ExternalIds, kind: MediaKind, language: str) -> ChainResult:
        """The record for known ids from the first provider that has it."""
        skipped: list[Skip] = []
        first_error: RemoteError | None = None
        answered = False
        for provider in self.order(kind):
            try:
                found = await provider.lookup(ids, kind, language)
            except RemoteError as err:
                skipped.append(Skip(provider.name, err.user_message))
                first_error = first_error or err
                continue
            answered = True
            if found is not None:
                return ChainResult((found,), provider.name, tuple(skipped))
            skipped.append(Skip(provider.name, "not found by id"))
        return ChainResult((), "", tuple(skipped), error=None if answered else first_error)

    async def details(self, candidate: Candidate, languages: Sequence[str]) -> tuple[Candidate, tuple[Skip, ...]]:
        """The candidate filled in by its own provider; its summary from the language's
        preferred summary sources when there are any; then — while the data is poor — from the
        other providers that know the same work."""
        skipped: list[Skip] = []
        best = candidate
        own = self.providers.get(candidate.provider)
        wanted = tuple(languages) or ("en",)
        if own is not None:
            try:
                best = await own.details(candidate, wanted[0])
            except RemoteError as err:
                skipped.append(Skip(own.name, err.user_message))
        for source in self._summary_sources.get(wanted[0], ()):
            if source == best.provider:
                break
            found = await self._summary_from(self.providers[source], best, wanted[0], skipped)
            if found is not None:
                return with_summary_of(best, found), tuple(skipped)
        if not is_poor(best, wanted[0]):
            return best, tuple(skipped)
        for provider in self.order(candidate.kind):
            if provider.name == candidate.provider:
                continue
            if not best.ids:
                break
            try:
                other = await provider.lookup(best.ids, candidate.kind, wanted[0])
                if other is not None:
                    other = await provider.details(other, wanted[0])
            except RemoteError as err:
                skipped.append(Skip(provider.name, err.user_message))
                continue
            if other is None:
                continue
            best = merge(best, other, wanted)
            if not is_poor(best, wanted[0]):
                break
        return best, tuple(skipped)


    async def episode_summaries(self, show: Candidate, languages: Sequence[str]
                                ) -> tuple[dict[tuple[int, int], Candidate], tuple[Skip, ...]]:
        """Episode summaries of a matched show by (season, episode), from the show's own
        provider when it has them, else from the next show provider that knows the same show
        by its ids; per episode the earliest wanted language wins. Each value is a Candidate
        carrying the summary, its language and source (the show's identity otherwise)."""
        skipped: list[Skip] = []
        own = self.providers.get(show.provider)
        sources = [p for p in (own, *self.order(MediaKind.SHOW)) if p is not None]
        found: dict[tuple[int, int], Candidate] = {}
        for language in tuple(languages) or ("en",):
            for provider in dict.fromkeys(sources):
                try:
                    record = show if provider is own else await provider.lookup(show.ids, MediaKind.SHOW, language)
                    texts = await provider.episode_summaries(record, language) if record is not None else {}
                except RemoteError as err:
                    skipped.append(Skip(provider.name, err.user_message))
                    continue
                for key, text in texts.items():
                    if text and key not in found:
                        found[key] = replace(show, summary=text, summary_language=language,
                                             summary_source=provider.name)
                if texts:
                    break
        return found, tuple(skipped)

    async def _summary_from(self, source: Provider, work: Candidate, language: str,
                            skipped: list[Skip]) -> Candidate | None:
        """``work``'s page on a search-only summary source, or None when no page is certainly
        the same work. Searches the original title first when it is in this language."""
        titles = [work.title]
        if work.original_title and work.original_title != work.title:
            if work.original_language == language:
                titles.insert(0, work.original_title)
            else:
                titles.append(work.original_title)
        query = MatchQuery(title=work.title, year=work.year, kind=work.kind, original_title=work.original_title,
                           ids=work.ids, alternative_titles=work.alternative_titles)
        for title in titles:
            try:
                if work.ids.imdb and hasattr(source, "find_by_imdb"):
                    verified = await source.find_by_imdb(title, work.year, work.ids.imdb)
                    if verified is not None and verified.summary:
                        return verified
                found = [c for c in await source.search(title, work.year, work.kind, language)
                         if c.summary and c.summary_language == language]
            except RemoteError as err:
                skipped.append(Skip(source.name, err.user_message))
                return None
            verdict = decide(rank(query, found), self._threshold, self._margin)
            if verdict.status is MatchStatus.AUTO and verdict.best is not None:
                return verdict.best.candidate
        skipped.append(Skip(source.name, "no page that is certainly this work"))
        return None


def with_summary_of(work: Candidate, page: Candidate) -> Candidate:
    """``work`` (identity, ids, poster) carrying ``page``'s summary, with the page as its source."""
    ids = ExternalIds(imdb=work.ids.imdb or page.ids.imdb, tmdb=work.ids.tmdb, tvdb=work.ids.tvdb)
    return replace(work, summary=page.summary, summary_language=page.summary_language,
                   summary_source=page.provider, ids=ids, poster_url=work.poster_url or page.poster_url)


def merge(base: Candidate, extra: Candidate, languages: Sequence[str]) -> Candidate:
    """``base`` with the gaps filled from ``extra``: the summary in the earliest wanted
    language either has, a year, a poster, ids."""
    summary, summary_language = base.summary, base.summary_language
    rank = {lang: i for i, lang in enumerate(languages)}
    worst = len(rank)
    source = base.summary_source
    if extra.summary and (not summary or rank.get(extra.summary_language, worst) < rank.get(summary_language, worst)):
        summary, summary_language = extra.summary, extra.summary_language
        source = extra.summary_source or extra.provider
    ids = ExternalIds(imdb=base.ids.imdb or extra.ids.imdb, tmdb=base.ids.tmdb or extra.ids.tmdb,
                      tvdb=base.ids.tvdb or extra.ids.tvdb)
    return replace(base, summary=summary, summary_language=summary_language, summary_source=source, ids=ids,
                   year=base.year if base.year is not None else extra.year,
                   poster_url=base.poster_url or extra.poster_url)
