from __future__ import annotations

import pytest

from curator.domain.models import Candidate, ExternalIds, MediaKind
from curator.store.decisions import (
    DecisionStatus,
    DecisionStore,
    candidate_from_json,
    candidate_to_json,
)
from curator.store.models import Decision

ALIEN = Candidate(provider="tmdb", provider_id="348", kind=MediaKind.MOVIE, title="Alien", year=1979,
                  ids=ExternalIds(imdb="tt0078748", tmdb=348), summary="In space…", summary_language="en",
                  alternative_titles=("Alien – Das unheimliche Wesen",), popularity=41.5, vote_count=15000)


@pytest.fixture
def store(db, clock):
    return DecisionStore(db, clock=clock)


def _propose(store: DecisionStore, rating_key: str, status: str = "auto", server: str = "srv", **extra):
    return store.save_proposal(server, rating_key, kind="movie", title=f"Item {rating_key}", status=status, **extra)


def test_proposal_round_trip(store, clock):
    chosen = {**candidate_to_json(ALIEN), "score": 0.97}
    record = store.save_proposal(
        "srv", "101", kind=MediaKind.MOVIE, title="Alien", status=DecisionStatus.AUTO, guid="plex://movie/5d77",
        year=1979, candidates=[chosen, {"provider": "tmdb", "provider_id": "8077", "score": 0.41}],
        chosen=chosen, score=0.97, score_parts={"title": 1.0, "year": 1.0}, proposed_summary="In space…")
    assert record == store.get("srv", "101")
    assert record.kind is MediaKind.MOVIE and record.status is DecisionStatus.AUTO
    assert record.candidates[1]["provider_id"] == "8077"
    assert record.score_parts == {"title": 1.0, "year": 1.0}
    assert record.updated_at == clock.now and record.never_auto is False
    assert candidate_from_json(record.chosen) == ALIEN


def test_get_unknown_is_none(store):
    assert store.get("srv", "nope") is None


def test_upsert_replaces_the_proposal_but_keeps_never_auto(store, clock):
    _propose(store, "1", candidates=[{"provider": "tmdb"}], score=0.5)
    assert store.set_never_auto("srv", ["1"]) == 1
    clock.advance(10)
    record = _propose(store, "1", status="ambiguous", score=0.7)
    assert record.status is DecisionStatus.AMBIGUOUS and record.score == 0.7
    assert record.candidates == () and record.never_auto is True and record.updated_at == clock.now
    assert store.counts("srv")[DecisionStatus.AMBIGUOUS] == 1


def test_same_rating_key_on_two_servers_are_two_decisions(store):
    _propose(store, "1", server="a")
    _propose(store, "1", server="b", status="no_match")
    assert store.get("a", "1").status is DecisionStatus.AUTO
    assert store.get("b", "1").status is DecisionStatus.NO_MATCH


def test_set_status_in_bulk(store, db):
    rows = [{"server": "srv", "rating_key": str(n), "kind": "movie", "status": "auto", "updated_at": 0.0}
            for n in range(1200)]  # more keys than one SQL statement takes
    with db.atomic():
        Decision.insert_many(rows).execute()
    _propose(store, "x", server="other")
    changed = store.set_status("srv", [str(n) for n in range(1000)] + ["missing"], DecisionStatus.ACCEPTED)
    assert changed == 1000
    assert store.counts("srv")[DecisionStatus.ACCEPTED] == 1000
    assert store.counts("other")[DecisionStatus.AUTO] == 1


def test_set_never_auto_can_be_cleared(store):
    _propose(store, "1")
    store.set_never_auto("srv", ["1"])
    assert store.set_never_auto("srv", ["1"], False) == 1
    assert store.get("srv", "1").never_auto is False
    assert store.set_never_auto("srv", ["unknown"]) == 0


def test_by_status_counts_and_done_keys(store):
    _propose(store, "1", status="pending")
    _propose(store, "2", status="auto")
    _propose(store, "3", status="ambiguous")
    _propose(store, "4", status="ambiguous")
    _propose(store, "5", status="pushed")
    _propose(store, "9", status="ambiguous", server="other")
    assert [r.rating_key for r in store.by_status("srv", "ambiguous")] == ["3", "4"]
    counts = store.counts("srv")
    assert set(counts) == set(DecisionStatus)
    assert counts[DecisionStatus.AMBIGUOUS] == 2
    assert (counts[DecisionStatus.PENDING], counts[DecisionStatus.FAILED]) == (1, 0)
    assert store.done_keys("srv") == {"2", "3", "4", "5"}
    assert store.done_keys("nobody") == set()


def test_unknown_status_or_kind_is_refused(store):
    with pytest.raises(ValueError):
        _propose(store, "1", status="maybe")
    with pytest.raises(ValueError):
        store.save_proposal("srv", "1", kind="podcast", title="x", status="auto")
    assert store.get("srv", "1") is None
