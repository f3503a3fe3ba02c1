"""The SQLite database: one peewee proxy, pragmas, numbered migrations, corruption recovery.

``open_database`` checks the file, sets a damaged one aside (salvaging what it can), opens it
in WAL mode and brings the schema up to date. Every connection belongs to one thread (peewee
keeps them thread-local), so the store can be used from executor threads.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import peewee

from curator.domain.errors import DatabaseCorrupt, DatabaseLocked, StoreError

log = logging.getLogger(__name__)

#: Every store model is bound to this proxy; ``open_database`` points it at the real file.
database_proxy = peewee.DatabaseProxy()

DEFAULT_BUSY_TIMEOUT = 5.0

_LOCKED_CODES = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
_CORRUPT_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
_DISK_CODES = frozenset({sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY,
                         sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM})
#: Tables worth copying out of a damaged file: the user's own work.
_SALVAGED_TABLES = ("decision", "push_record")


ALREADY_RUNNING = "Curator is already running on this data folder."
ALREADY_RUNNING_HINT = "Close the other Curator (a window or a command) or wait for it to finish, then try again."


class InstanceLock:
    """One Curator per data folder: an exclusive OS lock on ``<database>.lock``, held while the
    database is open. The OS releases it when the process ends, however it ends (a crash or
    SIGKILL leaves no stale lock behind), so there is nothing to clean up."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[bytes] | None = None

    def acquire(self) -> None:
        """Take the lock, or raise DatabaseLocked at once when another process holds it."""
        if self._file is not None:
            return
        try:
            handle = open(self.path, "a+b")  # held open for as long as the lock
        except OSError as exc:
            raise StoreError(f"Curator cannot use its data folder ({exc.strerror or type(exc).__name__}).",
                             hint="Check the permissions of the data folder.") from None
        try:
            _lock_file(handle)
        except OSError:
            handle.close()
            raise DatabaseLocked(ALREADY_RUNNING, hint=ALREADY_RUNNING_HINT) from None
        self._file = handle

    def release(self) -> None:
        handle, self._file = self._file, None
        if handle is None:
            return
        try:
            _unlock_file(handle)
        finally:
            handle.close()

    @property
    def held(self) -> bool:
        return self._file is not None


if sys.platform == "win32":
    import msvcrt

    def _lock_file(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock_file(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _lock_file(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock_file(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


@dataclass(frozen=True, slots=True)
class RecoveredFromCorruption:
    """The database file was damaged: it was set aside and a fresh one created."""

    kept_aside: Path
    reason: str
    decisions: int = 0
    journal: int = 0

    @property
    def user_message(self) -> str:
        return (f"Curator's database was damaged ({self.reason}). It was set aside as "
                f"{self.kept_aside} and a new one was started; {self.decisions} decisions and "
                f"{self.journal} push journal entries were recovered.")


class CuratorDatabase(peewee.SqliteDatabase):
    """A SqliteDatabase that remembers every thread's connection so all can be closed."""

    def __init__(self, path: Path, *, busy_timeout: float) -> None:
        super().__init__(
            str(path),
            timeout=busy_timeout,
            check_same_thread=False,  # lets close_all() close other threads' connections
            pragmas={
                "journal_mode": "wal",
                "foreign_keys": 1,
                "synchronous": "normal",
                "busy_timeout": int(busy_timeout * 1000),
            },
        )
        self.path = path
        #: Set by open_database when the previous file was damaged; the UI tells the user.
        self.recovered: RecoveredFromCorruption | None = None
        #: Held from open_database until close_all (one Curator per data folder).
        self.instance_lock: InstanceLock | None = None
        self._connections: set[sqlite3.Connection] = set()
        self._connections_lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        conn = super()._connect()
        with self._connections_lock:
            self._connections.add(conn)
        return conn

    def rollback(self) -> None:
        """Roll back, unless SQLite already has: after a full disk (SQLITE_FULL) or an I/O error
        it ends the transaction itself, and a second ROLLBACK would fail and hide the real error."""
        if not self.is_closed() and not self.connection().in_transaction:
            return
        super().rollback()

    def _close(self, conn: sqlite3.Connection) -> None:
        with self._connections_lock:
            self._connections.discard(conn)
        conn.close()

    def close_all(self) -> None:
        """Close the connections of every thread (at shutdown)."""
        with self._connections_lock:
            connections, self._connections = self._connections, set()
        for conn in connections:
            conn.close()
        self._state.reset()
        if self.instance_lock is not None:
            self.instance_lock.release()


Migration = Callable[[peewee.SqliteDatabase], None]


def _create_initial_schema(db: peewee.SqliteDatabase) -> None:
    statements = (
        """CREATE TABLE cache_entry (
            id INTEGER PRIMARY KEY,
            key TEXT NOT NULL UNIQUE,
            provider TEXT NOT NULL,
            payload TEXT,
            found INTEGER NOT NULL,
            fetched_at REAL NOT NULL,
            expires_at REAL NOT NULL,
            last_access REAL NOT NULL,
            size INTEGER NOT NULL)""",
        "CREATE INDEX cache_entry_last_access ON cache_entry (last_access, id)",
        "CREATE INDEX cache_entry_expires_at ON cache_entry (expires_at)",
        "CREATE INDEX cache_entry_provider ON cache_entry (provider)",
        """CREATE TABLE decision (
            id INTEGER PRIMARY KEY,
            server TEXT NOT NULL,
            rating_key TEXT NOT NULL,
            guid TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            year INTEGER,
            status TEXT NOT NULL,
            chosen TEXT,
            candidates TEXT NOT NULL DEFAULT '[]',
            score REAL,
            score_parts TEXT NOT NULL DEFAULT '{}',
            never_auto INTEGER NOT NULL DEFAULT 0,
            proposed_summary TEXT NOT NULL DEFAULT '',
            updated_at REAL NOT NULL)""",
        "CREATE UNIQUE INDEX decision_server_rating_key ON decision (server, rating_key)",
        "CREATE INDEX decision_server_status ON decision (server, status)",
        """CREATE TABLE push_record (
            id INTEGER PRIMARY KEY,
            server TEXT NOT NULL,
            rating_key TEXT NOT NULL,
            section_key TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL,
            previous_summary TEXT NOT NULL DEFAULT '',
            previous_locked INTEGER NOT NULL DEFAULT 0,
            new_summary TEXT NOT NULL,
            state TEXT NOT NULL,
            error TEXT NOT NULL DEFAULT '',
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL)""",
        "CREATE INDEX push_record_server_rating_key ON push_record (server, rating_key)",
        "CREATE INDEX push_record_state ON push_record (state)",
    )
    for statement in statements:
        db.execute_sql(statement)


#: Schema version N is reached by applying MIGRATIONS[N-1]; never edit one that has shipped.
MIGRATIONS: tuple[Migration, ...] = (_create_initial_schema,)


def schema_version(db: peewee.SqliteDatabase) -> int:
    return int(db.execute_sql("PRAGMA user_version").fetchone()[0])


def migrate(db: peewee.SqliteDatabase, migrations: Sequence[Migration] | None = None) -> int:
    """Apply the migrations (default MIGRATIONS) the file has not seen yet, each with its
    version bump in one transaction. Safe to run again and from two processes at once.
    Returns the schema version."""
    migrations = MIGRATIONS if migrations is None else migrations
    with mapped_errors():
        if schema_version(db) > len(migrations):
            raise StoreError("This database was written by a newer version of Curator.",
                             hint="Update Curator, or point CURATOR_DATA_DIR at another folder.")
        for number, migration in enumerate(migrations, start=1):
            with db.atomic("IMMEDIATE"):
                if schema_version(db) >= number:
                    continue
                log.info("applying database migration %d (%s)", number, migration.__name__)
                migration(db)
                db.execute_sql(f"PRAGMA user_version = {number:d}")
        return schema_version(db)


def open_database(path: Path, *, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> CuratorDatabase:
    """Open (creating if needed) the database at ``path`` and bind the store models to it.

    A damaged file is set aside and replaced: check ``db.recovered`` afterwards.
    Raises DatabaseLocked when another Curator has the same data folder open (or another
    program holds the file), StoreError when it cannot be opened at all.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    close_database()
    lock = InstanceLock(lock_path(path))
    lock.acquire()  # before anything reads the file: another Curator's half-done write is not damage
    try:
        reason = _damage(path, busy_timeout)
        kept_aside = _set_aside(path) if reason else None
        db = CuratorDatabase(path, busy_timeout=busy_timeout)
        db.instance_lock = lock
        database_proxy.initialize(db)
        with mapped_errors():
            db.connect(reuse_if_open=True)
        migrate(db)
    except BaseException:
        close_database()
        lock.release()
        raise
    if kept_aside is not None and reason is not None:
        salvaged = {table: _salvage(kept_aside, db, table) for table in _SALVAGED_TABLES}
        db.recovered = RecoveredFromCorruption(kept_aside, reason, decisions=salvaged["decision"],
                                               journal=salvaged["push_record"])
        log.warning("database was damaged (%s); set aside as %s; recovered %s",
                    reason, kept_aside, salvaged)
    return db


def bound_database(db: peewee.Database | None = None) -> peewee.DatabaseProxy:
    """The proxy the store models use. ``db``, when given, must be the database it points at
    (a guard against handing a store some other database)."""
    if db is not None and db is not database_proxy and db is not database_proxy.obj:
        raise ValueError("the store models are bound to the database opened by open_database()")
    return database_proxy


def close_database() -> None:
    """Close every connection of the open database (any thread) and unbind the models."""
    db = database_proxy.obj
    if isinstance(db, CuratorDatabase):
        db.close_all()
    database_proxy.initialize(None)


@contextlib.contextmanager
def mapped_errors() -> Iterator[None]:
    """Turn SQLite failures a user can do something about into curator.domain.errors."""
    try:
        yield
    except (peewee.DatabaseError, sqlite3.DatabaseError) as exc:
        error = _store_error(exc)
        if error is None:
            raise
        raise error from exc


def _store_error(exc: Exception) -> StoreError | None:
    original = getattr(exc, "orig", exc)
    code = getattr(original, "sqlite_errorcode", None)
    if code is None:
        return None
    code &= 0xFF  # extended result code -> primary
    if code in _LOCKED_CODES:
        return DatabaseLocked("Curator's database is locked by another program.")
    if code in _CORRUPT_CODES:
        return DatabaseCorrupt("Curator's database is damaged.",
                               hint="Restart Curator: it sets the damaged file aside and starts a new one.")
    if code in _DISK_CODES:
        return StoreError(f"Curator could not use its database ({original}).",
                          hint="Check free disk space and the permissions of the data folder.")
    return None


def _damage(path: Path, busy_timeout: float) -> str | None:
    """Why the file at ``path`` cannot be used as a database, or None when it is fine."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    try:
        with contextlib.closing(sqlite3.connect(path, timeout=busy_timeout)) as conn:
            rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorcode", 0) & 0xFF in _CORRUPT_CODES:
            return str(exc)
        raise _store_error(exc) or StoreError(f"Curator could not open its database ({exc}).") from exc
    if rows == [("ok",)]:
        return None
    return "integrity check failed: " + "; ".join(str(row[0]) for row in rows[:3])


def _set_aside(path: Path) -> Path:
    """Rename the damaged file (and its -wal/-shm companions) with a timestamp."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    counter = 1
    while target.exists():
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{counter}")
        counter += 1
    path.rename(target)
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.rename(target.with_name(target.name + suffix))
    return target


def _salvage(source: Path, db: peewee.SqliteDatabase, table: str) -> int:
    """Copy the readable rows of ``table`` from the damaged file into ``db``; best effort."""
    rows: list[tuple[object, ...]] = []
    try:
        with contextlib.closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as old:
            old_columns = [row[1] for row in old.execute(f"PRAGMA table_info({table})")]
            columns = [c for c in old_columns if c in {col.name for col in db.get_columns(table)}]
            if not columns:
                return 0
            # table is one of our own (decision, push_record); columns are ours present in both
            for row in old.execute(f"SELECT {', '.join(columns)} FROM {table}"):  # noqa: S608  # nosec B608
                rows.append(row)
    except sqlite3.DatabaseError as exc:
        log.warning("could not read all of %s from the damaged database: %s", table, exc)
    if not rows:
        return 0
    placeholders = ", ".join("?" for _ in columns)
    with mapped_errors(), db.atomic():
        for row in rows:
            db.execute_sql(f"INSERT OR IGNORE INTO {table} ({', '.join(columns)}) VALUES ({placeholders})",  # noqa: S608
                           row)
    return len(rows)
