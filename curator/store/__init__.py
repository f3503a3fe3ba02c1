"""Local state in SQLite (peewee): the provider cache, the decisions and the push journal."""

from __future__ import annotations

from curator.store.cache import CacheHit, CacheStats, ProviderCache
from curator.store.db import (
    CuratorDatabase,
    RecoveredFromCorruption,
    close_database,
    database_proxy,
    open_database,
)
from curator.store.decisions import (
    DecisionRecord,
    DecisionStatus,
    DecisionStore,
    candidate_from_json,
    candidate_to_json,
)
from curator.store.journal import PushEntry, PushJournal, PushState

__all__ = [
    "CacheHit",
    "CacheStats",
    "CuratorDatabase",
    "DecisionRecord",
    "DecisionStatus",
    "DecisionStore",
    "ProviderCache",
    "PushEntry",
    "PushJournal",
    "PushState",
    "RecoveredFromCorruption",
    "candidate_from_json",
    "candidate_to_json",
    "close_database",
    "database_proxy",
    "open_database",
]
