"""The local store under stress: a second Curator on the same data folder, a damaged database
file, a disk that fills up. The user gets a clear message, the user's work (decisions, the
push journal) survives, and nothing is half-written (issue 8)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from curator import cli, settings
from curator.app import build_context
from curator.domain.errors import DatabaseLocked, StoreError
from curator.domain.models import DecisionStatus, MediaKind, PushState
from curator.services.publishing import PushRequest
from curator.store import db as store_db
from curator.store.cache import ProviderCache
from curator.store.decisions import DecisionStore, ProposalRow
from curator.store.journal import PushJournal

from .conftest import SERVER, accept, movie_keys

HOLD_THE_STORE = textwrap.dedent("""
    import sys
    from pathlib import Path
    from curator.store.db import open_database
    open_database(Path(sys.argv[1]))
    print("holding", flush=True)
    sys.stdin.read()
""")


def data_folder() -> Path:
    return settings.paths().data


def start_holder(database: Path) -> subprocess.Popen[str]:
    """Another process with the store open, as a running Curator has it."""
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_STORE, str(database)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    return holder


# --- two Curators on one data folder ------------------------------------------------------


def test_a_second_curator_is_refused_with_a_clear_message(plex, monkeypatch, capsys):
    database = settings.paths().database
    holder = start_holder(database)
    try:
        monkeypatch.setenv("CURATOR_PLEX_TOKEN", plex.token)
        code = cli.run(cli.build_parser().parse_args(["--server", plex.url, "libraries"]))
        err = capsys.readouterr().err
        assert code == 2
        assert "error: Curator is already running on this data folder." in err
        assert "Traceback" not in err
        with pytest.raises(DatabaseLocked) as caught:
            store_db.open_database(database)
        assert "Close the other Curator" in caught.value.user_message
        assert not list(database.parent.glob("*.corrupt-*"))  # a busy file is not "damaged"
    finally:
        holder.kill()
        holder.wait()


def test_a_killed_curator_leaves_no_stale_lock(tmp_path):
    database = tmp_path / "data" / "curator.sqlite3"
    holder = start_holder(database)
    with pytest.raises(DatabaseLocked):
        store_db.open_database(database)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    db = store_db.open_database(database)  # the OS released the lock with the process
    try:
        assert db.instance_lock is not None and db.instance_lock.held
    finally:
        store_db.close_database()
    assert not db.instance_lock.held


def test_closing_the_store_lets_the_next_curator_in(tmp_path):
    database = tmp_path / "data" / "curator.sqlite3"
    store_db.open_database(database)
    store_db.close_database()
    code = subprocess.run([sys.executable, "-c", HOLD_THE_STORE, str(database)], input="", text=True,
                          capture_output=True, timeout=60)
    assert code.returncode == 0, code.stderr


# --- a damaged database file ----------------------------------------------------------------


def fill_store(database: Path, decisions: int, journal: int, cache_entries: int) -> None:
    db = store_db.open_database(database)
    store = DecisionStore(db)
    store.save_proposals(SERVER, [ProposalRow(str(1000 + n), MediaKind.MOVIE, f"Film {n}", DecisionStatus.ACCEPTED,
                                              proposed_summary=f"Summary {n}") for n in range(decisions)])
    entries = PushJournal(db)
    for n in range(journal):
        record = entries.record_intent(SERVER, str(1000 + n), "1", MediaKind.MOVIE, f"Old {n}", False, f"Summary {n}")
        entries.mark_written(record)
        entries.mark_done(record)
    cache = ProviderCache(db)
    for n in range(cache_entries):
        cache.put(f"tmdb|/search|{n}", "tmdb", {"results": ["x" * 200] * 4}, found=True)
    store_db.close_database()  # checkpoints the WAL into the file


def damage_pages_of(database: Path, *tables: str) -> int:
    """Overwrite every page of the given tables and their indexes with garbage."""
    with sqlite3.connect(database) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        names = [row[0] for row in conn.execute(
            f"SELECT name FROM sqlite_master WHERE tbl_name IN ({', '.join('?' for _ in tables)})", tables)]
        pages = [row[0] for row in conn.execute(
            f"SELECT pageno FROM dbstat WHERE name IN ({', '.join('?' for _ in names)})", names)]
    conn.close()
    with database.open("r+b") as handle:
        for page in pages:
            handle.seek((page - 1) * page_size)
            handle.write(b"\xde\xad\xbe\xef" * (page_size // 4))
    return len(pages)


def test_a_damaged_file_is_set_aside_and_the_users_work_recovered(tmp_path):
    database = tmp_path / "data" / "curator.sqlite3"
    fill_store(database, decisions=40, journal=12, cache_entries=300)
    assert damage_pages_of(database, "cache_entry") > 10

    db = store_db.open_database(database)
    try:
        recovered = db.recovered
        assert recovered is not None
        assert (recovered.decisions, recovered.journal) == (40, 12)
        assert recovered.kept_aside.exists() and recovered.kept_aside.name.startswith("curator.sqlite3.corrupt-")
        assert "40 decisions and 12 push journal entries were recovered" in recovered.user_message
        store = DecisionStore(db)
        assert len(store.all(SERVER)) == 40
        assert store.get(SERVER, "1007").proposed_summary == "Summary 7"
        revertible = PushJournal(db).revertible(SERVER)
        assert len(revertible) == 12 and {e.state for e in revertible} == {PushState.DONE}
        assert ProviderCache(db).get("tmdb|/search|1") is None  # the cache starts empty
    finally:
        store_db.close_database()


def test_a_file_that_is_not_a_database_is_replaced_and_the_user_told(plex, monkeypatch, capsys):
    database = settings.paths().database
    database.parent.mkdir(parents=True, exist_ok=True)
    database.write_bytes(os.urandom(64 * 1024))
    monkeypatch.setenv("CURATOR_PLEX_TOKEN", plex.token)
    assert cli.run(cli.build_parser().parse_args(["--server", plex.url, "libraries"])) == 0
    err = capsys.readouterr().err
    assert "notice: Curator's database was damaged (file is not a database)" in err
    assert "0 decisions and 0 push journal entries were recovered" in err
    [kept] = list(database.parent.glob("curator.sqlite3.corrupt-*"))
    assert kept.stat().st_size == 64 * 1024
    context = build_context()  # the new file is healthy: no notice the second time
    try:
        assert context.notices == []
    finally:
        context.close()


# --- a full disk ------------------------------------------------------------------------------


def fill_the_disk(db: store_db.CuratorDatabase) -> None:
    """This connection may not grow the file by a single page any more (SQLITE_FULL)."""
    pages = db.execute_sql("PRAGMA page_count").fetchone()[0]
    db.execute_sql(f"PRAGMA max_page_count = {pages}")


def free_the_disk(db: store_db.CuratorDatabase) -> None:
    db.execute_sql("PRAGMA max_page_count = 1073741823")


def test_a_full_disk_is_a_store_error_and_a_batch_is_all_or_nothing(database):
    store = DecisionStore(database)
    store.save_proposals(SERVER, [ProposalRow("1", MediaKind.MOVIE, "Kept", DecisionStatus.AUTO)])
    fill_the_disk(database)
    rows = [ProposalRow(str(n), MediaKind.MOVIE, f"Film {n}", DecisionStatus.AUTO, proposed_summary="x" * 2000)
            for n in range(2, 200)]
    with pytest.raises(StoreError) as caught:
        store.save_proposals(SERVER, rows)
    assert "database or disk is full" in str(caught.value)
    assert "Check free disk space" in caught.value.user_message
    assert [r.rating_key for r in store.all(SERVER)] == ["1"]  # nothing half-written
    free_the_disk(database)
    assert len(store.save_proposals(SERVER, rows)) == len(rows)
    assert len(store.all(SERVER)) == 1 + len(rows)


@pytest.mark.asyncio
async def test_a_full_disk_before_a_push_sends_nothing_to_plex(publisher, plex, database):
    keys = await movie_keys(publisher, 2)
    originals = {key: plex.summary(key) for key in keys}
    accept(publisher, keys, "New text")
    fill_the_disk(database)
    outcome = await publisher.push(PushRequest(keys[0], "New text " + "y" * 8000))
    assert not outcome.ok
    assert outcome.message.startswith("Curator could not use its database (database or disk is full).")
    assert plex.put_count(keys[0]) == 0 and plex.summary(keys[0]) == originals[keys[0]]
    assert publisher.journal.history(SERVER, keys[0]) == []
    free_the_disk(database)
    publisher.decisions.set_status(SERVER, [keys[0]], DecisionStatus.ACCEPTED)
    assert (await publisher.push(PushRequest(keys[0], "New text"))).ok
    assert plex.put_count(keys[0]) == 1
