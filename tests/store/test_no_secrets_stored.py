"""No key or token ends up in the SQLite files, whatever path the data took."""

from __future__ import annotations

from pathlib import Path

from curator.secrets import SecretStore
from curator.store.cache import ProviderCache
from curator.store.db import close_database
from curator.store.decisions import DecisionStore
from curator.store.journal import PushJournal

FAKE_KEY = "tmdbkey-5f3a9c0e11d24b7c"
FAKE_TOKEN = "plextoken-Qw8Zr2Lk9Xv"


def _database_bytes(db_path: Path) -> bytes:
    files = [db_path, *(db_path.with_name(db_path.name + suffix) for suffix in ("-wal", "-shm"))]
    return b"".join(path.read_bytes() for path in files if path.exists())


def test_store_round_trip_leaves_no_secret_in_the_files(db, db_path):
    store = SecretStore(environ={"CURATOR_TMDB_API_KEY": FAKE_KEY, "CURATOR_PLEX_TOKEN": FAKE_TOKEN})
    key, token = store.get("tmdb_api_key"), store.get("plex_token")

    cache = ProviderCache(db)
    cache_key = cache.make_key("tmdb", f"/search/movie?api_key={key}", {"query": "Alien", "api_key": key})
    cache.put(cache_key, "tmdb", {"results": [{"id": 348, "title": "Alien", "overview": "In space…"}]})
    assert cache.get(cache_key).payload["results"][0]["id"] == 348

    decisions = DecisionStore(db)
    decisions.save_proposal("machine-1", "101", kind="movie", title="Alien", status="auto", score=0.98,
                            candidates=[{"provider": "tmdb", "provider_id": "348"}], proposed_summary="In space…")
    decisions.set_status("machine-1", ["101"], "accepted")

    journal = PushJournal(db)
    failed = journal.record_intent("machine-1", "101", "1", "movie", "Old", False, "In space…")
    journal.mark_failed(failed, f"HTTP 401 for /library/metadata/101?X-Plex-Token={token}")
    done = journal.record_intent("machine-1", "101", "1", "movie", "Old", False, "In space…")
    journal.mark_done(done)

    while_open = _database_bytes(db_path)
    assert b"348" in while_open  # the data is really in these bytes
    close_database()
    after_close = _database_bytes(db_path)
    for raw in (while_open, after_close):
        for secret in (FAKE_KEY, FAKE_TOKEN):
            assert secret.encode() not in raw
            assert secret.encode("utf-16-le") not in raw
