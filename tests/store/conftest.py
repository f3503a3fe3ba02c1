"""Store fixtures: a fresh database per test and a clock the test moves by hand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from curator.store.db import CuratorDatabase, close_database, open_database


class FakeClock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "curator.sqlite3"


@pytest.fixture
def db(db_path: Path) -> Iterator[CuratorDatabase]:
    database = open_database(db_path)
    yield database
    close_database()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
