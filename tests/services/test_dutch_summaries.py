"""Dutch summaries end to end on the demo (issue 6, acceptance 4): with languages (nl, en) a
Dutch film gets its POMS review; with POMS off, cinema.nl's text; with both off, TMDB's nl-NL
overview; and a film nobody describes in Dutch gets the English summary."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from curator.app import build_context
from curator.demo import catalogue
from curator.demo.providers.cinema_nl import FILMS
from curator.demo.providers.poms import REVIEWS
from curator.domain.text import sanitise_summary

BLACK_BOOK = "movie/zwartboek-2006"


@pytest.fixture
def demo(monkeypatch):
    from curator.providers import base

    real = base.default_settings
    monkeypatch.setattr("curator.app.default_settings", lambda: {
        name: replace(s, rate=base.Rate(1000, 1.0), concurrency=8) for name, s in real().items()})
    context = build_context(demo=True)
    for service in context.demo.providers.services:
        service.set_rate_limit(None)
    context.prefs = replace(context.prefs, summary_languages=("nl", "en"))
    yield context
    context.close()


def summary_for(context, title: str):
    async def scenario():
        try:
            library = await context.open_library()
            section = await library.find_section("Movies")
            item = [i async for i in library.iter_items(section) if i.title == title][0]
            proposal = await context.matching(library).propose(item)
            return proposal.verdict.best.candidate
        finally:
            await context.aclose()

    return asyncio.run(scenario())


def test_poms_review_first(demo):
    best = summary_for(demo, "Black Book")
    assert best.summary == sanitise_summary(REVIEWS[BLACK_BOOK].text)
    assert (best.summary_language, best.summary_source) == ("nl", "poms")
    assert best.provider == "tmdb" and best.ids.imdb == "tt0389557"  # the work is still TMDB's


def test_cinema_nl_when_poms_is_off(demo, monkeypatch):
    monkeypatch.delenv("CURATOR_POMS_API_KEY")
    best = summary_for(demo, "Black Book")
    film = next(f for f in FILMS if f.work_key == BLACK_BOOK)
    assert best.summary == sanitise_summary(film.description)
    assert (best.summary_language, best.summary_source) == ("nl", "cinema_nl")


def test_tmdb_dutch_overview_when_both_are_off(demo, monkeypatch):
    monkeypatch.delenv("CURATOR_POMS_API_KEY")
    demo.prefs = replace(demo.prefs, summary_sources={})
    best = summary_for(demo, "Black Book")
    assert best.summary == sanitise_summary(catalogue.work(BLACK_BOOK).summaries["nl"])
    assert (best.summary_language, best.summary_source or best.provider) == ("nl", "tmdb")


def test_english_when_nobody_has_dutch(demo):
    work = catalogue.work("movie/fight-club-1999")  # no Dutch text anywhere in the demo world
    assert "nl" not in work.summaries and work.key not in REVIEWS
    assert work.key not in {film.work_key for film in FILMS}
    best = summary_for(demo, "Fight Club")
    assert (best.summary, best.summary_language) == (sanitise_summary(work.summaries["en"]), "en")


def test_a_refused_poms_key_is_replaced_by_the_one_npo_publishes(demo):
    """NPO changed its key: the stored one is refused (401), the app reads the new one from the
    pages that publish it, retries once and gets the review; one look at the pages, no more."""
    fake = demo.demo.providers.poms
    fake.rotate_credentials("npo-new-key", "npo-new-secret")  # the demo's key is refused from now on
    best = summary_for(demo, "Black Book")
    assert (best.summary_language, best.summary_source) == ("nl", "poms")
    assert fake.auth_refused >= 1
    pages = fake.requests.by_endpoint
    assert sum(count for endpoint, count in pages.items() if "zoeken" in endpoint) == 1


def test_a_refused_poms_key_with_nothing_new_published_falls_back_to_cinema_nl(demo):
    fake = demo.demo.providers.poms
    fake.rotate_credentials("npo-new-key", "npo-new-secret", publish=False)  # the pages still show the old one
    best = summary_for(demo, "Black Book")
    assert (best.summary_language, best.summary_source) == ("nl", "cinema_nl")
