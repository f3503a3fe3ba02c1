"""The provider chain: ask providers in the user's order per media type, and move on when one
fails, is skipped (open circuit, no key, daily budget), or gives poor data.

"Poor data" is a candidate without a summary in the wanted language, without a year or
without a poster: the chain then asks the next provider that knows the same work (by its ids)
and keeps the best answer. A provider with no key is simply not in the chain.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from curator.domain.errors import RemoteError
from curator.domain.models import Candidate, ExternalIds, MediaKind
from curator.providers.base import Provider

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Skip:
    """A provider the chain passed over, and why (for the UI's and CLI's "what happened")."""

    provider: str
    reason: str


@dataclass(frozen=True, slots=True)
class ChainResult:
    candidates: tuple[Candidate, ...] = ()
    provider: str = ""
    skipped: tuple[Skip, ...] = field(default_factory=tuple)


def is_poor(candidate: Candidate, language: str) -> bool:
    """No summary in ``language``, no year, or no poster."""
    return (not candidate.summary or candidate.summary_language != language
            or candidate.year is None or not candidate.poster_url)


class ProviderChain:
    """Providers by name, and the order to try them in for each media kind."""

    def __init__(self, providers: Mapping[str, Provider], order: Mapping[MediaKind, Sequence[str]]) -> None:
        self.providers = dict(providers)
        self._order = {kind: tuple(name for name in names if name in self.providers)
                       for kind, names in order.items()}

    def order(self, kind: MediaKind) -> tuple[Provider, ...]:
        lookup_kind = MediaKind.SHOW if kind in (MediaKind.SEASON, MediaKind.EPISODE) else kind
        return tuple(self.providers[name] for name in self._order.get(lookup_kind, ())
                     if lookup_kind in self.providers[name].kinds)

    async def search(self, title: str, year: int | None, kind: MediaKind, language: str) -> ChainResult:
        """Candidates from the first provider that answers with any."""
        skipped: list[Skip] = []
        for provider in self.order(kind):
            try:
                found = await provider.search(title, year, kind, language)
            except RemoteError as err:
                skipped.append(Skip(provider.name, err.user_message))
                continue
            if found:
                return ChainResult(tuple(found), provider.name, tuple(skipped))
            skipped.append(Skip(provider.name, "no candidates"))
        return ChainResult((), "", tuple(skipped))

    async def lookup(self, ids: ExternalIds, kind: MediaKind, language: str) -> ChainResult:
        """The record for known ids from the first provider that has it."""
        skipped: list[Skip] = []
        for provider in self.order(kind):
            try:
                found = await provider.lookup(ids, kind, language)
            except RemoteError as err:
                skipped.append(Skip(provider.name, err.user_message))
                continue
            if found is not None:
                return ChainResult((found,), provider.name, tuple(skipped))
            skipped.append(Skip(provider.name, "not found by id"))
        return ChainResult((), "", tuple(skipped))

    async def details(self, candidate: Candidate, languages: Sequence[str]) -> tuple[Candidate, tuple[Skip, ...]]:
        """The candidate filled in by its own provider, then — while the data is poor — by the
        other providers that know the same work, trying the wanted languages in order."""
        skipped: list[Skip] = []
        best = candidate
        own = self.providers.get(candidate.provider)
        wanted = tuple(languages) or ("en",)
        if own is not None:
            try:
                best = await own.details(candidate, wanted[0])
            except RemoteError as err:
                skipped.append(Skip(own.name, err.user_message))
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


def merge(base: Candidate, extra: Candidate, languages: Sequence[str]) -> Candidate:
    """``base`` with the gaps filled from ``extra``: the summary in the earliest wanted
    language either has, a year, a poster, ids."""
    summary, summary_language = base.summary, base.summary_language
    rank = {lang: i for i, lang in enumerate(languages)}
    worst = len(rank)
    if extra.summary and (not summary or rank.get(extra.summary_language, worst) < rank.get(summary_language, worst)):
        summary, summary_language = extra.summary, extra.summary_language
    ids = ExternalIds(imdb=base.ids.imdb or extra.ids.imdb, tmdb=base.ids.tmdb or extra.ids.tmdb,
                      tvdb=base.ids.tvdb or extra.ids.tvdb)
    return replace(base, summary=summary, summary_language=summary_language, ids=ids,
                   year=base.year if base.year is not None else extra.year,
                   poster_url=base.poster_url or extra.poster_url)
