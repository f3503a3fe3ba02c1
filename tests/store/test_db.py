from __future__ import annotations

import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import peewee
import pytest

from curator.domain.errors import DatabaseLocked, StoreError
from curator.store import db as store_db
from curator.store.cache import ProviderCache
from curator.store.db import close_database, migrate, open_database, schema_version
from curator.store.decisions import DecisionStore
from curator.store.journal import PushJournal
from curator.store.models import CacheEntry, Decision, PushRecord


def _tables(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()


def test_open_creates_schema_with_wal_and_pragmas(db):
    assert schema_version(db) == len(store_db.MIGRATIONS)
    assert db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute_sql("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 5000
    assert {"cache_entry", "decision", "push_record"} <= set(db.get_tables())
    assert db.recovered is None


@pytest.mark.parametrize("model", [CacheEntry, Decision, PushRecord])
def test_models_match_the_migrated_tables(db, model):
    columns = {column.name for column in db.get_columns(model._meta.table_name)}
    assert columns == set(model._meta.columns)


def test_reopening_applies_no_migration_again(db_path, monkeypatch):
    applied: list[int] = []
    real = store_db.MIGRATIONS[0]

    def counting(database):
        applied.append(1)
        real(database)

    monkeypatch.setattr(store_db, "MIGRATIONS", (counting,))
    open_database(db_path)
    DecisionStore().save_proposal("srv", "1", kind="movie", title="Alien", status="auto")
    close_database()
    open_database(db_path)
    assert applied == [1]
    assert DecisionStore().get("srv", "1").title == "Alien"
    close_database()


def test_new_migrations_apply_in_order_each_with_its_version(db):
    seen: list[tuple[str, int]] = []

    def second(database):
        seen.append(("second", schema_version(database)))
        database.execute_sql("CREATE TABLE extra (id INTEGER PRIMARY KEY)")

    def third(database):
        seen.append(("third", schema_version(database)))

    assert migrate(db, (*store_db.MIGRATIONS, second, third)) == 3
    assert seen == [("second", 1), ("third", 2)]
    assert migrate(db, (*store_db.MIGRATIONS, second, third)) == 3
    assert len(seen) == 2


def test_a_failing_migration_leaves_neither_its_changes_nor_its_version(db):
    def broken(database):
        database.execute_sql("CREATE TABLE half_done (id INTEGER PRIMARY KEY)")
        raise RuntimeError("migration bug")

    with pytest.raises(RuntimeError):
        migrate(db, (*store_db.MIGRATIONS, broken))
    assert schema_version(db) == 1
    assert "half_done" not in db.get_tables()


def test_a_database_from_a_newer_curator_is_refused(db_path):
    open_database(db_path).execute_sql("PRAGMA user_version = 99")
    close_database()
    with pytest.raises(StoreError, match="newer version"):
        open_database(db_path)
    close_database()


def test_garbage_file_is_set_aside_and_replaced(db_path):
    db_path.parent.mkdir(parents=True)
    garbage = b"this is not a database at all" * 200
    db_path.write_bytes(garbage)

    db = open_database(db_path)

    notice = db.recovered
    assert notice is not None
    assert notice.kept_aside.exists() and notice.kept_aside.read_bytes() == garbage
    assert notice.kept_aside.parent == db_path.parent
    assert notice.kept_aside.name.startswith("curator.sqlite3.corrupt-")
    assert (notice.decisions, notice.journal) == (0, 0)
    assert str(notice.kept_aside) in notice.user_message
    assert schema_version(db) == 1
    DecisionStore().save_proposal("srv", "1", kind="movie", title="Alien", status="auto")
    assert DecisionStore().get("srv", "1") is not None
    close_database()
    assert open_database(db_path).recovered is None
    close_database()


def _overwrite_page(path: Path, name: str, offset: int, data: bytes) -> None:
    """Overwrite bytes of the root page of table or index ``name``."""
    conn = sqlite3.connect(path)
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (name,)).fetchone()[0]
    conn.close()
    with path.open("r+b") as file:
        file.seek((root - 1) * page_size + offset)
        file.write(data[:page_size - offset])


@pytest.mark.parametrize(("damaged", "offset", "data", "reason"), [
    ("cache_entry", 0, b"\xff" * 65536, "malformed"),  # SQLite refuses the page outright
    ("cache_entry_last_access", 12, b"\x00\x00\x00\x02", "integrity check failed"),  # quick_check rows
])
def test_damaged_file_keeps_its_decisions_and_journal(db_path, damaged, offset, data, reason):
    open_database(db_path)
    decisions, journal, cache = DecisionStore(), PushJournal(), ProviderCache()
    for number in range(20):
        decisions.save_proposal("srv", str(number), kind="movie", title=f"Film {number}", status="accepted")
    record = journal.record_intent("srv", "7", "1", "movie", "old", True, "new")
    journal.mark_done(record)
    for number in range(300):
        cache.put(f"tmdb:{number}", "tmdb", {"overview": "x" * 200})
    close_database()
    assert not db_path.with_name(db_path.name + "-wal").exists()
    _overwrite_page(db_path, damaged, offset, data)

    db = open_database(db_path)

    assert db.recovered is not None
    assert reason in db.recovered.reason
    assert (db.recovered.decisions, db.recovered.journal) == (20, 1)
    assert DecisionStore().get("srv", "19").title == "Film 19"
    assert PushJournal().revertible("srv")[0].previous_locked is True
    assert ProviderCache().stats().entries == 0
    assert db.execute_sql("PRAGMA quick_check").fetchone()[0] == "ok"
    close_database()


def test_locked_database_raises_database_locked(db_path):
    open_database(db_path, busy_timeout=0.05)
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(DatabaseLocked) as caught:
            DecisionStore().save_proposal("srv", "1", kind="movie", title="Alien", status="auto")
        assert "another program" in caught.value.user_message
        assert "Another Curator" in caught.value.user_message
        assert DecisionStore().get("srv", "1") is None  # reading still works under WAL
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        close_database()


def test_store_works_from_worker_threads_and_close_closes_them_all(db_path):
    open_database(db_path)
    decisions = DecisionStore()

    def save(start: int) -> None:
        for number in range(start, start + 25):
            decisions.save_proposal("srv", str(number), kind="movie", title="x", status="auto")

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(save, (0, 25, 50, 75)))
        assert decisions.counts("srv")["auto"] == 100
        close_database()
        # Only when every thread's connection is closed does SQLite fold the WAL back in.
        assert not db_path.with_name(db_path.name + "-wal").exists()


def test_stores_refuse_a_database_that_is_not_the_open_one(db, tmp_path):
    other = peewee.SqliteDatabase(str(tmp_path / "other.sqlite3"))
    with pytest.raises(ValueError):
        DecisionStore(other)
    assert DecisionStore(db).counts("srv")["auto"] == 0
