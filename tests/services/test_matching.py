"""The matching service against the demo fakes: id lookups cost one request, searches are
scored and stored with their parts, runs resume where they stopped."""

from __future__ import annotations

import asyncio
import math

import pytest

from curator.app import build_context
from curator.domain.models import DecisionStatus, MediaKind
from curator.services.matching import MatchSettings


@pytest.fixture
def demo(monkeypatch):
    from dataclasses import replace

    from curator.providers import base

    # The fakes' real limits are exercised elsewhere; here they would only make the tests slow.
    real = base.default_settings
    monkeypatch.setattr("curator.app.default_settings", lambda: {
        name: replace(s, rate=base.Rate(2000, 1.0), concurrency=16) for name, s in real().items()})
    context = build_context(demo=True, demo_items=300)
    for service in context.demo.providers.services:
        service.set_rate_limit(None)
    yield context
    context.close()


def run(context, coro_factory):
    async def main():
        try:
            library = await context.open_library()
            return await coro_factory(library)
        finally:
            await context.aclose()
    return asyncio.run(main())


def fakes(context):
    return context.demo.providers


def test_an_item_with_a_known_id_is_matched_with_one_request(demo):
    async def scenario(library):
        section = await library.find_section("Movies")
        items = [item async for item in library.iter_items(section)]
        with_tmdb = next(i for i in items if i.external_ids.tmdb and i.title == "The Matrix")
        fakes(demo).reset_counters()
        record = await demo.matching(library).match_item(with_tmdb)
        return record

    record = run(demo, scenario)
    counts = fakes(demo).requests()
    assert sum(c.total for c in counts.values()) == 1, {k: v.by_endpoint for k, v in counts.items() if v.total}
    assert record.status is DecisionStatus.AUTO
    assert record.score_parts["reason"] == "certain_id_match"
    assert record.proposed_summary


def test_every_stored_proposal_adds_up_and_is_explained(demo):
    async def scenario(library):
        service = demo.matching(library)
        for title in ("Movies", "TV Shows"):
            section = await library.find_section(title)
            await service.match_items(library.iter_items(section))
        return demo.decisions().by_status(library.server.machine_identifier, DecisionStatus.AUTO) + \
            demo.decisions().by_status(library.server.machine_identifier, DecisionStatus.AMBIGUOUS) + \
            demo.decisions().by_status(library.server.machine_identifier, DecisionStatus.NO_MATCH)

    records = run(demo, scenario)
    episodes = [r for r in records if r.kind is MediaKind.EPISODE]
    assert len(records) - len(episodes) == 40
    # Shows matched automatically hand their episodes a summary by season and episode number.
    assert episodes and all(r.proposed_summary and r.score_parts["reason"] == "episode_of_matched_show"
                            for r in episodes)
    checked = 0
    for record in records:
        for candidate in record.candidates:
            total = sum(part["contribution"] for part in candidate["parts"])
            assert math.isclose(total, candidate["score"], abs_tol=1e-5), (record.title, candidate)
            assert {p["name"] for p in candidate["parts"]} >= {"title", "year", "kind"}
            checked += 1
    assert checked >= 40


def test_ambiguous_remakes_are_not_auto_accepted(demo):
    async def scenario(library):
        section = await library.find_section("Movies")
        items = [item async for item in library.iter_items(section)]
        service = demo.matching(library)
        cape_fear = next(i for i in items if i.title == "Cape Fear")  # no year: 1962 or 1991?
        return await service.propose(cape_fear)

    proposal = run(demo, scenario)
    assert proposal.verdict.status.value != "auto"
    assert {c.candidate.year for c in proposal.ranked} >= {1962, 1991}


def test_a_stopped_run_resumes_without_asking_twice(demo):
    async def scenario(library):
        section = await library.find_section("Synthetic")
        service = demo.matching(library, MatchSettings(concurrency=4))
        stop = asyncio.Event()
        seen = []

        def progress(p):
            seen.append(p)
            if p.done >= 100:
                stop.set()

        first = await service.match_items(library.iter_items(section), total=300, progress=progress, stop=stop)
        second = await service.match_items(library.iter_items(section), total=300)
        return first, second, seen

    first, second, seen = run(demo, scenario)
    assert first.cancelled and 100 <= first.matched < 300
    assert second.skipped == first.matched and second.matched == 300 - first.matched
    assert fakes(demo).tmdb.repeated_requests() == {}
    assert seen[-1].rate > 0 and seen[-1].total == 300
    assert any(p.eta_seconds is not None for p in seen)


def test_never_auto_items_stay_for_review(demo):
    async def scenario(library):
        section = await library.find_section("Movies")
        items = [item async for item in library.iter_items(section)]
        matrix = next(i for i in items if i.title == "The Matrix")
        service = demo.matching(library)
        return await service.match_item(matrix, never_auto=True)

    record = run(demo, scenario)
    assert record.status is DecisionStatus.AMBIGUOUS
    assert record.score_parts["reason"] == "never_auto"


def test_show_search_goes_to_the_show_providers(demo):
    async def scenario(library):
        section = await library.find_section("TV Shows")
        items = [item async for item in library.iter_items(section)]
        tegenlicht = next(i for i in items if i.title == "Tegenlicht")
        return await demo.matching(library).propose(tegenlicht)

    proposal = run(demo, scenario)
    assert proposal.ranked and all(s.candidate.kind is MediaKind.SHOW for s in proposal.ranked)
