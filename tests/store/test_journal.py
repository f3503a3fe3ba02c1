from __future__ import annotations

import dataclasses
import sqlite3

import pytest

from curator.domain.errors import StoreError
from curator.domain.models import MediaKind
from curator.domain.redaction import MASK, secrets
from curator.store.journal import PushJournal, PushState


@pytest.fixture
def journal(db, clock):
    return PushJournal(db, clock=clock)


def _intent(journal: PushJournal, rating_key: str = "101", server: str = "srv", new: str = "New text") -> int:
    return journal.record_intent(server, rating_key, "1", MediaKind.MOVIE, "Old text", False, new)


def test_intent_is_committed_before_the_write(journal, db_path):
    record_id = _intent(journal)
    other = sqlite3.connect(db_path)  # another connection sees it: it is committed
    try:
        row = other.execute("SELECT state, previous_summary, new_summary FROM push_record WHERE id = ?",
                            (record_id,)).fetchone()
    finally:
        other.close()
    assert row == ("pending", "Old text", "New text")


def test_intent_inside_an_open_transaction_is_refused(journal, db):
    with db.atomic():
        with pytest.raises(StoreError):
            _intent(journal)


def test_happy_path_pending_written_done_reverted(journal, clock):
    record_id = _intent(journal)
    entry = journal.get(record_id)
    assert entry.state is PushState.PENDING and entry.kind is MediaKind.MOVIE
    assert entry.previous_locked is False and entry.created_at == clock.now
    clock.advance(3)
    journal.mark_written(record_id)
    assert journal.get(record_id).state is PushState.WRITTEN
    journal.mark_done(record_id)
    done = journal.get(record_id)
    assert done.state is PushState.DONE and done.updated_at == clock.now
    journal.mark_reverted(record_id)
    assert journal.get(record_id).state is PushState.REVERTED
    with pytest.raises(dataclasses.FrozenInstanceError):
        done.state = PushState.FAILED  # type: ignore[misc]


@pytest.mark.parametrize(("steps", "forbidden"), [
    ((), "mark_reverted"),                                     # pending cannot be reverted
    (("mark_written", "mark_done"), "mark_written"),           # done cannot go back
    (("mark_failed",), "mark_done"),                           # failed is final
    (("mark_written", "mark_done", "mark_reverted"), "mark_reverted"),  # revert once
])
def test_illegal_transitions_are_refused(journal, steps, forbidden):
    record_id = _intent(journal)
    for step in steps:
        getattr(journal, step)(*((record_id, "boom") if step == "mark_failed" else (record_id,)))
    before = journal.get(record_id)
    with pytest.raises(StoreError, match=f"Push record {record_id} is {before.state.value}"):
        getattr(journal, forbidden)(*((record_id, "x") if forbidden == "mark_failed" else (record_id,)))
    assert journal.get(record_id) == before


def test_unknown_record_is_an_error(journal):
    with pytest.raises(StoreError, match="no push record 999"):
        journal.mark_done(999)


def test_pending_may_be_resolved_as_done_after_a_restart(journal):
    record_id = _intent(journal)
    journal.mark_done(record_id)  # Plex already shows the new summary
    assert journal.get(record_id).state is PushState.DONE


def test_failure_keeps_its_error_without_secrets(journal):
    secrets.register("tok-1234567890")
    record_id = _intent(journal)
    journal.mark_failed(record_id, "Plex: HTTP 500 on /library/metadata/101?X-Plex-Token=tok-1234567890")
    entry = journal.get(record_id)
    assert entry.state is PushState.FAILED
    assert "HTTP 500" in entry.error and "tok-1234567890" not in entry.error and MASK in entry.error


def test_unfinished_lists_pending_and_written_oldest_first(journal):
    pending = _intent(journal, "1")
    written = _intent(journal, "2", server="other")
    done = _intent(journal, "3")
    failed = _intent(journal, "4")
    journal.mark_written(written)
    journal.mark_done(done)
    journal.mark_failed(failed, "no")
    assert [e.id for e in journal.unfinished()] == [pending, written]
    assert [e.id for e in journal.unfinished("srv")] == [pending]


def test_revertible_is_the_latest_done_push_per_item_newest_first(journal):
    first = _intent(journal, "A", new="v1")
    journal.mark_done(first)
    second = _intent(journal, "A", new="v2")
    journal.mark_done(second)
    other = _intent(journal, "B")
    journal.mark_done(other)
    failed_later = _intent(journal, "B", new="v3")
    journal.mark_failed(failed_later, "timeout")
    elsewhere = _intent(journal, "C", server="other")
    journal.mark_done(elsewhere)

    assert [e.id for e in journal.revertible("srv")] == [other, second]

    journal.mark_reverted(second)  # undo v2: v1 becomes the latest push to undo
    assert [e.id for e in journal.revertible("srv")] == [other, first]


def test_an_unresolved_newer_push_hides_the_item_from_revert(journal):
    done = _intent(journal, "A")
    journal.mark_done(done)
    unresolved = _intent(journal, "A", new="v2")
    assert journal.revertible("srv") == []
    journal.mark_failed(unresolved, "read-back mismatch")
    assert [e.id for e in journal.revertible("srv")] == [done]


def test_history_of_one_item_newest_first(journal):
    ids = [_intent(journal, "A", new=f"v{n}") for n in range(3)]
    _intent(journal, "B")
    assert [e.id for e in journal.history("srv", "A")] == list(reversed(ids))
    assert journal.history("srv", "Z") == []
