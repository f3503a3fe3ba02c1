"""Many proposals in one transaction (what a library run does): all or none, flags kept."""

from __future__ import annotations

import pytest

from curator.domain.models import DecisionStatus, MediaKind
from curator.store.decisions import DecisionStore, ProposalRow


@pytest.fixture
def store(db, clock):
    return DecisionStore(db, clock=clock)


def row(rating_key: str, **extra) -> ProposalRow:
    values = dict(kind=MediaKind.MOVIE, title=f"Item {rating_key}", status=DecisionStatus.AUTO)
    values.update(extra)
    return ProposalRow(rating_key, **values)


def test_many_proposals_are_stored_and_returned_as_stored(store, clock):
    rows = [row(str(n), candidates=({"provider": "tmdb", "provider_id": str(n), "score": 0.9},),
                chosen={"provider": "tmdb", "provider_id": str(n)}, score=0.9,
                score_parts={"reason": "auto", "parts": {"title": 0.5}}, proposed_summary=f"Summary {n}.")
            for n in range(1200)]
    records = store.save_proposals("srv", rows)
    assert [r.rating_key for r in records] == [str(n) for n in range(1200)]
    assert records[7] == store.get("srv", "7")
    assert records[7].updated_at == clock.now and records[7].candidates[0]["provider_id"] == "7"
    assert store.counts("srv")[DecisionStatus.AUTO] == 1200


def test_a_rewrite_keeps_the_users_never_auto_flag(store):
    store.save_proposals("srv", [row("1"), row("2")])
    store.set_never_auto("srv", ["2"])
    records = store.save_proposals("srv", [row("1", status=DecisionStatus.AMBIGUOUS),
                                           row("2", status=DecisionStatus.AMBIGUOUS)])
    assert [(r.rating_key, r.never_auto) for r in records] == [("1", False), ("2", True)]
    assert store.get("srv", "2").never_auto is True and store.get("srv", "2").status is DecisionStatus.AMBIGUOUS


def test_one_bad_row_stores_none_of_them(store):
    with pytest.raises(ValueError):
        store.save_proposals("srv", [row("1"), row("2", kind="podcast")])
    assert store.get("srv", "1") is None


def test_nothing_to_store_is_fine(store):
    assert store.save_proposals("srv", []) == []


def test_get_many_reads_the_stored_ones_across_chunks(store):
    store.save_proposals("srv", [row(str(n)) for n in range(1200)])
    found = store.get_many("srv", [str(n) for n in range(0, 1300, 3)] + ["7", "7"])
    assert set(found) == {str(n) for n in range(0, 1200, 3)} | {"7"}  # unknown keys are simply absent
    assert found["9"] == store.get("srv", "9")
    assert store.get_many("other", ["9"]) == {}


def test_restore_puts_many_decisions_back_flags_included_in_one_transaction(store):
    store.save_proposals("srv", [row(str(n), status=DecisionStatus.AMBIGUOUS, proposed_summary=f"S{n}.",
                                     score=0.5) for n in range(1200)])
    store.set_never_auto("srv", ["3", "4"])
    before = store.get_many("srv", [str(n) for n in range(1200)])
    store.set_status("srv", [str(n) for n in range(1200)], DecisionStatus.ACCEPTED)
    store.set_never_auto("srv", ["3"], False)
    store.set_never_auto("srv", ["5"], True)
    store.restore(list(before.values()))
    after = store.get_many("srv", [str(n) for n in range(1200)])
    assert {k: (r.status, r.never_auto, r.proposed_summary, r.score) for k, r in after.items()} == {
        k: (r.status, r.never_auto, r.proposed_summary, r.score) for k, r in before.items()}
    assert after["3"].never_auto and after["4"].never_auto and not after["5"].never_auto


def test_a_failed_restore_changes_nothing(store, monkeypatch):
    store.save_proposals("srv", [row("1", status=DecisionStatus.AMBIGUOUS), row("2", status=DecisionStatus.AMBIGUOUS)])
    before = list(store.get_many("srv", ["1", "2"]).values())
    store.set_status("srv", ["1", "2"], DecisionStatus.ACCEPTED)

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk gone")

    monkeypatch.setattr(DecisionStore, "_set", staticmethod(broken))  # after the upsert, inside the transaction
    with pytest.raises(RuntimeError):
        store.restore(before)
    monkeypatch.undo()
    assert {r.status for r in store.get_many("srv", ["1", "2"]).values()} == {DecisionStatus.ACCEPTED}


def test_saving_the_same_proposals_again_writes_nothing(store, db, clock):
    """A rematch from the cache proposes what is stored: no row is written again, and each
    record still says when it last changed; a changed proposal is written, with a new time."""
    rows = [row(str(n), candidates=({"provider": "tmdb", "provider_id": str(n), "score": 0.9},),
                score=0.9, score_parts={"reason": "auto"}, proposed_summary=f"Summary {n}.") for n in range(3)]
    first = store.save_proposals("srv", rows)
    saved_at = clock.now
    clock.advance(60)
    changes = db.connection().total_changes
    again = store.save_proposals("srv", rows)
    assert db.connection().total_changes == changes, "an unchanged proposal must not be written"
    assert again == first and {r.updated_at for r in again} == {saved_at}

    changed = [rows[0], row("1", candidates=rows[1].candidates, score=0.9, score_parts={"reason": "auto"},
                            proposed_summary="A better summary."), rows[2]]
    records = store.save_proposals("srv", changed)
    assert db.connection().total_changes == changes + 1
    assert [r.updated_at for r in records] == [saved_at, clock.now, saved_at]
    assert store.get("srv", "1").proposed_summary == "A better summary."
    assert store.get("srv", "1").updated_at == clock.now
