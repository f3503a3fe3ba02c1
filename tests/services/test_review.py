"""Review actions on stored decisions: accept a candidate, skip, never-auto, search again,
look up a typed id, undo; bulk accept preview and CSV export."""

from __future__ import annotations

import asyncio
import csv
from dataclasses import replace

import pytest

from curator.app import build_context
from curator.domain.errors import InvalidInput, NotFound
from curator.domain.models import DecisionStatus, ExternalIds
from curator.services.review import ReviewSession, accept_above, export_csv, parse_external_id, preview_accept


@pytest.mark.parametrize(("text", "ids"), [
    ("tt0133093", ExternalIds(imdb="tt0133093")), (" TT0133093 ", ExternalIds(imdb="tt0133093")),
    ("https://www.imdb.com/title/tt0133093/", ExternalIds(imdb="tt0133093")),
    ("tmdb:603", ExternalIds(tmdb=603)), ("TMDB 603", ExternalIds(tmdb=603)),
    ("https://www.themoviedb.org/movie/603-the-matrix", ExternalIds(tmdb=603)),
    ("tvdb:81189", ExternalIds(tvdb=81189)),
])
def test_typed_ids_are_parsed(text, ids):
    assert parse_external_id(text) == ids


@pytest.mark.parametrize("text", ["", "603", "tmdb:abc", "tt12", "../../etc/passwd", "tvdb:1/2", "imdb:tt1;drop"])
def test_bad_ids_are_refused_before_any_request(text):
    with pytest.raises(InvalidInput):
        parse_external_id(text)


@pytest.fixture
def demo():
    context = build_context(demo=True)
    yield context
    context.close()


async def matched_demo(demo):
    """The demo's films, matched, and a review session on them."""
    library = await demo.open_library()
    service = demo.matching(library)
    section = await library.find_section("Movies")
    every = [i async for i in library.iter_items(section)]
    await service.match_items(every)
    return every, ReviewSession(demo.decisions(), library.server.machine_identifier, service)


def test_review_actions_and_undo(demo, tmp_path):
    async def scenario():
        try:
            every, session = await matched_demo(demo)
            store, server = session.store, session.server
            items = {i.title: i for i in every}  # by title, for the unique ones used below
            cape = items["Cape Fear"]
            before = store.get(server, cape.rating_key)
            assert before.status is not DecisionStatus.AUTO and len(before.candidates) >= 2
            second = before.candidates[1]
            accepted = await session.accept(cape.rating_key, 1)
            assert accepted.status is DecisionStatus.ACCEPTED
            assert accepted.chosen["provider_id"] == second["provider_id"] and accepted.proposed_summary
            edited = await session.accept(cape.rating_key, 0, summary="My own words.")
            assert edited.proposed_summary == "My own words."
            await session.undo()
            await session.undo()
            assert store.get(server, cape.rating_key) == replace(before, updated_at=store.get(server, cape.rating_key).updated_at)

            await session.skip(cape.rating_key)
            assert store.get(server, cape.rating_key).status is DecisionStatus.SKIPPED
            await session.set_never_auto([cape.rating_key])
            assert store.get(server, cape.rating_key).never_auto
            await session.undo()
            assert not store.get(server, cape.rating_key).never_auto

            again = await session.search_again(items["Solyaris"], "Solaris", 1972)
            assert again.ranked[0].candidate.year == 1972
            assert store.get(server, items["Solyaris"].rating_key).status is not DecisionStatus.AUTO  # the user reviews it
            looked = await session.look_up(items["Ocean's 11"], "tmdb:9100011")  # the demo catalogue's id
            assert looked.ranked[0].candidate.provider_id == "9100011"
            with pytest.raises(NotFound):
                await session.look_up(items["Ocean's 11"], "tmdb:1")

            preview = preview_accept(store.all(server), 0.5, 0.0)
            result = await accept_above(store, server, 0.5, 0.0)
            assert result.accepted == preview.accepted > 0
            rows = await export_csv(store, server, tmp_path / "decisions.csv")
            with open(tmp_path / "decisions.csv", encoding="utf-8-sig") as handle:
                table = list(csv.DictReader(handle))
            assert rows == len(table) == 37
            assert {"rating_key", "status", "score", "proposed_summary"} <= table[0].keys()
        finally:
            await demo.aclose()

    asyncio.run(scenario())


def test_one_undo_puts_back_everything_one_action_changed(demo):
    async def scenario():
        try:
            every, session = await matched_demo(demo)
            store, server = session.store, session.server
            keys = [item.rating_key for item in every]
            original = store.get_many(server, keys)

            # accept all above threshold: many decisions, one step
            taken = await session.accept_above(0.9, 0.06)
            assert 2 <= taken.accepted <= len(keys) - 3
            assert all(store.get(server, key).status is DecisionStatus.ACCEPTED for key in taken.keys)
            # then a selection skipped, and two items accepted in one go
            reviewable = [r for r in store.get_many(server, keys).values() if len(r.candidates) >= 2][:2]
            skipped = [key for key in keys if key not in taken.keys and key not in {r.rating_key for r in reviewable}]
            assert len(reviewable) == 2 and skipped
            await session.set_status(skipped, DecisionStatus.SKIPPED)
            await session.accept_many([(r.rating_key, 1) for r in reviewable])
            assert all(store.get(server, r.rating_key).status is DecisionStatus.ACCEPTED for r in reviewable)

            assert set(await session.undo()) == {r.rating_key for r in reviewable}
            assert set(await session.undo()) == set(skipped)
            assert set(await session.undo()) == set(taken.keys)
            assert not session.can_undo and await session.undo() == ()
            now = store.get_many(server, keys)
            assert {k: replace(r, updated_at=0.0) for k, r in now.items()} == {
                k: replace(r, updated_at=0.0) for k, r in original.items()}
        finally:
            await demo.aclose()

    asyncio.run(scenario())
