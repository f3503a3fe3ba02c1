"""Peewee models of the store's tables, bound to ``database_proxy``.

The tables themselves are created by the numbered migrations in ``db.py``; these classes must
match them (a test checks). Timestamps are Unix seconds. No secret is ever stored here.
"""

from __future__ import annotations

import json
from typing import Any

import peewee

from curator.store.db import database_proxy


class JSONField(peewee.TextField):
    """Text column holding compact JSON."""

    def db_value(self, value: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    def python_value(self, value: str | None) -> Any:
        return None if value is None else json.loads(value)


class BaseModel(peewee.Model):
    class Meta:
        database = database_proxy
        legacy_table_names = False


class CacheEntry(BaseModel):
    """One cached provider answer (``found``) or the fact that there was none."""

    key = peewee.TextField(unique=True)
    provider = peewee.TextField()
    payload = peewee.TextField(null=True)
    found = peewee.BooleanField()
    fetched_at = peewee.FloatField()
    expires_at = peewee.FloatField()
    last_access = peewee.FloatField()
    size = peewee.IntegerField()


class Decision(BaseModel):
    """The proposal and the user's verdict for one Plex item on one server."""

    server = peewee.TextField()
    rating_key = peewee.TextField()
    guid = peewee.TextField(default="")
    kind = peewee.TextField()
    title = peewee.TextField(default="")
    year = peewee.IntegerField(null=True)
    status = peewee.TextField()
    chosen = JSONField(null=True)
    candidates = JSONField(default=list)
    score = peewee.FloatField(null=True)
    score_parts = JSONField(default=dict)
    never_auto = peewee.BooleanField(default=False)
    proposed_summary = peewee.TextField(default="")
    updated_at = peewee.FloatField()


class PushRecord(BaseModel):
    """One write of a summary to Plex, recorded before the write so it can be resolved and
    reverted."""

    server = peewee.TextField()
    rating_key = peewee.TextField()
    section_key = peewee.TextField(default="")
    kind = peewee.TextField()
    previous_summary = peewee.TextField(default="")
    previous_locked = peewee.BooleanField(default=False)
    new_summary = peewee.TextField()
    state = peewee.TextField()
    error = peewee.TextField(default="")
    created_at = peewee.FloatField()
    updated_at = peewee.FloatField()
