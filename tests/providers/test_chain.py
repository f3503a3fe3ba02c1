"""The chain's order, fallbacks and poor-data merging, with in-memory providers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from curator.domain.errors import CircuitOpen, ServerError
from curator.domain.models import Candidate, ExternalIds, MediaKind
from curator.providers.chain import ProviderChain, is_poor, merge

MOVIE = MediaKind.MOVIE


class StubProvider:
    def __init__(self, name, *, results=(), error=None, by_id=None, details_in=None, kinds=(MOVIE, MediaKind.SHOW)):
        self.name = name
        self.kinds = frozenset(kinds)
        self.results = list(results)
        self.error = error
        self.by_id = by_id
        self.details_in = details_in or {}
        self.calls: list[str] = []

    async def search(self, title, year, kind, language):
        self.calls.append("search")
        if self.error:
            raise self.error
        return self.results

    async def lookup(self, ids, kind, language):
        self.calls.append("lookup")
        if self.error:
            raise self.error
        return self.by_id

    async def details(self, candidate, language):
        self.calls.append("details")
        if self.error:
            raise self.error
        return self.details_in.get(language, candidate)

    async def episode_summaries(self, candidate, language):
        return {}


def cand(provider, **kw):
    base = dict(provider=provider, provider_id="1", kind=MOVIE, title="Nosferatu", year=1922)
    base.update(kw)
    return Candidate(**base)


@pytest.mark.asyncio
async def test_first_provider_with_candidates_wins_and_failures_are_recorded():
    broken = StubProvider("tmdb", error=ServerError("TMDB", "boom"))
    empty = StubProvider("omdb")
    good = StubProvider("tvdb", results=[cand("tvdb")])
    chain = ProviderChain({"tmdb": broken, "omdb": empty, "tvdb": good}, {MOVIE: ("tmdb", "omdb", "tvdb")})
    result = await chain.search("Nosferatu", 1922, MOVIE, "en")
    assert result.provider == "tvdb"
    assert [s.provider for s in result.skipped] == ["tmdb", "omdb"]
    assert "boom" in result.skipped[0].reason


@pytest.mark.asyncio
async def test_open_circuit_is_skipped_not_fatal():
    chain = ProviderChain({"tmdb": StubProvider("tmdb", error=CircuitOpen("TMDB", "skipped for 60 s")),
                           "omdb": StubProvider("omdb", results=[cand("omdb")])}, {MOVIE: ("tmdb", "omdb")})
    assert (await chain.search("x", None, MOVIE, "en")).provider == "omdb"


@pytest.mark.asyncio
async def test_order_is_per_kind_and_unknown_names_are_ignored():
    tv_only = StubProvider("tvmaze", results=[cand("tvmaze")], kinds=(MediaKind.SHOW,))
    chain = ProviderChain({"tvmaze": tv_only}, {MOVIE: ("tvmaze", "nope"), MediaKind.SHOW: ("tvmaze",)})
    assert chain.order(MOVIE) == ()
    assert chain.order(MediaKind.EPISODE) == (tv_only,)
    result = await chain.search("x", None, MOVIE, "en")
    assert result.candidates == () and tv_only.calls == []


@pytest.mark.asyncio
async def test_poor_details_are_filled_from_the_next_provider_by_id():
    ids = ExternalIds(imdb="tt0013442")
    english = cand("tmdb", summary="A vampire.", summary_language="en", poster_url="http://p/1.jpg", ids=ids)
    dutch = cand("poms", summary="Een vampier.", summary_language="nl", poster_url="", ids=ids)
    tmdb = StubProvider("tmdb", details_in={"nl": english})
    poms = StubProvider("poms", by_id=dutch)
    chain = ProviderChain({"tmdb": tmdb, "poms": poms}, {MOVIE: ("tmdb", "poms")})
    filled, skipped = await chain.details(cand("tmdb", ids=ids), ("nl", "en"))
    assert (filled.summary, filled.summary_language) == ("Een vampier.", "nl")
    assert filled.poster_url == "http://p/1.jpg"
    assert skipped == ()


@pytest.mark.asyncio
async def test_good_details_ask_nobody_else():
    complete = cand("tmdb", summary="Een vampier.", summary_language="nl", poster_url="http://p", ids=ExternalIds(tmdb=1))
    other = StubProvider("omdb", by_id=cand("omdb"))
    chain = ProviderChain({"tmdb": StubProvider("tmdb", details_in={"nl": complete}), "omdb": other},
                          {MOVIE: ("tmdb", "omdb")})
    filled, _ = await chain.details(cand("tmdb"), ("nl",))
    assert filled == complete and other.calls == []


def test_is_poor_and_merge_rules():
    rich = cand("a", summary="x", summary_language="nl", poster_url="p")
    assert not is_poor(rich, "nl") and is_poor(rich, "en")
    assert is_poor(replace(rich, year=None), "nl")
    english = cand("a", summary="en text", summary_language="en")
    dutch = cand("b", summary="nl tekst", summary_language="nl", year=None, poster_url="p2")
    merged = merge(english, dutch, ("nl", "en"))
    assert (merged.summary, merged.year, merged.poster_url) == ("nl tekst", 1922, "p2")
    assert merge(dutch, english, ("nl", "en")).summary == "nl tekst"
