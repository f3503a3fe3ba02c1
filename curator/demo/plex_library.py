"""The fake Plex's library: items, listings and edits. Thread-safe; knows nothing of HTTP.

Listings keep the order they had at start-up (title order for movies and shows, show → season →
episode order below), so paging is stable while items are edited; an explicit ``sort`` is
computed on demand and cached until the next edit of a field it could depend on.
"""

from __future__ import annotations

import functools
import re
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from curator.demo.plex_model import (
    SECTION_KINDS,
    TYPE_NUMBERS,
    PlexEntry,
    PlexKind,
    PlexSectionSpec,
)

#: Fields a ``<field>.value`` edit changes (anything else is accepted and ignored, like tags).
EDITABLE_FIELDS = frozenset(
    {"title", "titleSort", "originalTitle", "summary", "tagline", "studio", "contentRating", "year",
     "originallyAvailableAt"}
)
_SORT_FIELDS = frozenset({"titleSort", "title", "year", "originallyAvailableAt", "addedAt", "updatedAt"})
_FIELD_NAME = r"[A-Za-z][A-Za-z0-9]*"
_VALUE_PARAM = re.compile(rf"^({_FIELD_NAME})\.value$")
_LOCKED_PARAM = re.compile(rf"^({_FIELD_NAME})\.locked$")
_FILTER_PARAM = re.compile(r"^(?:[a-z]+\.)?(title|year)([!<>=]*)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ARTICLES = ("the ", "a ", "an ")
_ENTRY_ATTRIBUTES = {
    "title": "title", "summary": "summary", "year": "year", "originalTitle": "original_title",
    "originallyAvailableAt": "originally_available_at", "addedAt": "added_at",
}


class LibraryError(Exception):
    """A request the library refuses; ``status`` is the HTTP status PMS would answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status


def title_sort(title: str) -> str:
    """Plex's default sort title: the title without a leading English article."""
    lowered = title.casefold()
    for article in _ARTICLES:
        if lowered.startswith(article) and len(title) > len(article):
            return title[len(article):]
    return title


@dataclass(frozen=True, slots=True)
class Edit:
    """Parsed ``<field>.value`` / ``<field>.locked`` arguments of one PUT."""

    values: Mapping[str, str]
    locks: Mapping[str, bool]


@dataclass(frozen=True, slots=True)
class Filter:
    field: str  # "title" or "year"
    operator: str  # Plex operator: "=", "!=", "==", "!==", "<=", ">=", ">>=", "<<="
    values: tuple[str, ...]


class PlexItem:
    """Mutable state of one item: its start-up entry plus edited values and locks."""

    __slots__ = ("entry", "locked", "section_key", "updated_at", "values")

    def __init__(self, entry: PlexEntry, section_key: int) -> None:
        self.entry = entry
        self.section_key = section_key
        self.values: dict[str, str] | None = None
        self.locked: frozenset[str] = entry.locked
        self.updated_at = entry.added_at

    @property
    def rating_key(self) -> int:
        return self.entry.rating_key

    @property
    def kind(self) -> PlexKind:
        return self.entry.kind

    def field(self, name: str) -> Any:
        """Current value of a Plex field (edited value first)."""
        values = self.values
        if values is not None and name in values:
            value = values[name]
            if name == "year":
                return int(value) if value else None
            return value
        if name == "titleSort":
            return title_sort(self.field("title"))
        if name == "updatedAt":
            return self.updated_at
        attribute = _ENTRY_ATTRIBUTES.get(name)
        return getattr(self.entry, attribute) if attribute else ""


class PlexLibrary:
    """All sections and items of one fake server. Hold :attr:`lock` while reading many fields."""

    def __init__(self, sections: Iterable[PlexSectionSpec]) -> None:
        self.lock = threading.RLock()
        self._sections: dict[int, PlexSectionSpec] = {}
        self._items: dict[int, PlexItem] = {}
        self._children: dict[int, list[PlexItem]] = {}
        self._listings: dict[tuple[int, str], list[PlexItem]] = {}
        self._sorted: dict[tuple[int, str, str], list[PlexItem]] = {}
        self._puts: Counter[int] = Counter()
        for spec in sections:
            self._add_section(spec)

    # -- building ----------------------------------------------------------------------------

    def _add_section(self, spec: PlexSectionSpec) -> None:
        if spec.key in self._sections:
            raise ValueError(f"duplicate section key {spec.key}")
        self._sections[spec.key] = spec
        by_kind: dict[str, list[PlexItem]] = {kind: [] for kind in SECTION_KINDS[spec.kind]}
        for entry in spec.entries:
            if entry.rating_key in self._items:
                raise ValueError(f"duplicate rating key {entry.rating_key}")
            if entry.kind not in by_kind:
                raise ValueError(f"a {spec.kind} section cannot hold a {entry.kind}")
            item = PlexItem(entry, spec.key)
            self._items[entry.rating_key] = item
            by_kind[entry.kind].append(item)
            if entry.parent is not None:
                self._children.setdefault(entry.parent, []).append(item)
        for children in self._children.values():
            children.sort(key=lambda child: (child.entry.index or 0, child.rating_key))
        top = sorted(by_kind[spec.kind], key=_default_order)
        self._listings[(spec.key, spec.kind)] = top
        if spec.kind == "show":
            seasons = [season for show in top for season in self._children.get(show.rating_key, [])]
            self._listings[(spec.key, "season")] = seasons
            self._listings[(spec.key, "episode")] = [
                episode for season in seasons for episode in self._children.get(season.rating_key, [])
            ]

    # -- reading -----------------------------------------------------------------------------

    @property
    def sections(self) -> list[PlexSectionSpec]:
        return [self._sections[key] for key in sorted(self._sections)]

    def section(self, key: int) -> PlexSectionSpec | None:
        return self._sections.get(key)

    def item(self, rating_key: int) -> PlexItem | None:
        return self._items.get(rating_key)

    def children(self, item: PlexItem) -> list[PlexItem]:
        return self._children.get(item.rating_key, [])

    def leaves(self, item: PlexItem) -> list[PlexItem]:
        """Episodes below a show or season."""
        if item.kind == "season":
            return self.children(item)
        if item.kind == "show":
            return [episode for season in self.children(item) for episode in self.children(season)]
        return []

    def listing(
        self, section_key: int, kind: str, *, sort: str | None = None, filters: Iterable[Filter] = ()
    ) -> list[PlexItem]:
        """Items of ``kind`` in a section, in listing order (or ``sort``), after ``filters``.

        The returned list is not mutated later; slice it freely.
        """
        base = self._listings.get((section_key, kind), [])
        sort_keys = _parse_sort(sort)
        if sort_keys:
            cache_key = (section_key, kind, ",".join(f"{name}:{desc}" for name, desc in sort_keys))
            with self.lock:
                ordered = self._sorted.get(cache_key)
                if ordered is None:
                    ordered = list(base)
                    for name, descending in reversed(sort_keys):
                        ordered.sort(key=functools.partial(_sort_value, name=name), reverse=descending)
                    self._sorted[cache_key] = ordered
            base = ordered
        filters = tuple(filters)
        if not filters:
            return base
        with self.lock:
            return [item for item in base if all(_passes(item, f) for f in filters)]

    # -- editing -----------------------------------------------------------------------------

    def items_for_section_edit(self, section_key: int, type_arg: str | None, id_arg: str | None) -> list[PlexItem]:
        """Targets of ``PUT /library/sections/{key}/all``: the ids given, else every item of the type."""
        spec = self._sections.get(section_key)
        if spec is None:
            raise LibraryError(404, f"no section {section_key}")
        if type_arg is None or not type_arg.isdigit():
            raise LibraryError(400, "type is missing or not a number")
        kind = next((k for k in SECTION_KINDS[spec.kind] if TYPE_NUMBERS[k] == int(type_arg)), None)
        if kind is None:
            raise LibraryError(400, f"type {type_arg} does not exist in section {section_key}")
        if id_arg is None:
            return list(self._listings[(section_key, kind)])
        items = self.items_for_ids(id_arg)
        for item in items:
            if item.section_key != section_key or item.kind != kind:
                raise LibraryError(400, f"item {item.rating_key} is not a {kind} of section {section_key}")
        return items

    def items_for_ids(self, id_arg: str) -> list[PlexItem]:
        """Items for a comma-separated list of rating keys; 400 if malformed, 404 if unknown."""
        keys = id_arg.split(",")
        if not all(key.isdigit() for key in keys):
            raise LibraryError(400, "ids must be rating keys")
        items = [self._items.get(int(key)) for key in keys]
        if any(item is None for item in items):
            raise LibraryError(404, "unknown rating key")
        return [item for item in items if item is not None]

    def apply(self, items: Iterable[PlexItem], edit: Edit) -> None:
        """Apply one PUT's edit to every target item and count it per rating key."""
        now = int(time.time())
        with self.lock:
            for item in items:
                if edit.values:
                    item.values = {**(item.values or {}), **edit.values}
                if edit.locks:
                    locked = set(item.locked)
                    for name, lock in edit.locks.items():
                        (locked.add if lock else locked.discard)(name)
                    item.locked = frozenset(locked)
                item.updated_at = now
                self._puts[item.rating_key] += 1
            if edit.values.keys() & _SORT_FIELDS:
                self._sorted.clear()

    # -- accessors for tests -----------------------------------------------------------------

    def summary(self, rating_key: int) -> str:
        with self.lock:
            return str(self._require(rating_key).field("summary"))

    def locked_fields(self, rating_key: int) -> frozenset[str]:
        with self.lock:
            return self._require(rating_key).locked

    def field(self, rating_key: int, name: str) -> Any:
        with self.lock:
            return self._require(rating_key).field(name)

    def put_count(self, rating_key: int) -> int:
        with self.lock:
            return self._puts[rating_key]

    def put_counts(self) -> dict[int, int]:
        with self.lock:
            return dict(self._puts)

    def _require(self, rating_key: int) -> PlexItem:
        item = self._items.get(rating_key)
        if item is None:
            raise KeyError(rating_key)
        return item


def parse_edit(args: Mapping[str, str]) -> Edit:
    """``<field>.value`` and ``<field>.locked`` arguments; 400 on a value Plex would refuse."""
    values: dict[str, str] = {}
    locks: dict[str, bool] = {}
    for name, value in args.items():
        if match := _VALUE_PARAM.match(name):
            field = match.group(1)
            if field not in EDITABLE_FIELDS:
                continue
            if field == "year" and value and not value.isdigit():
                raise LibraryError(400, "year must be a number")
            if field == "originallyAvailableAt" and value and not _DATE.match(value):
                raise LibraryError(400, "originallyAvailableAt must be YYYY-MM-DD")
            values[field] = value
        elif match := _LOCKED_PARAM.match(name):
            if value not in ("0", "1"):
                raise LibraryError(400, f"{name} must be 0 or 1")
            locks[match.group(1)] = value == "1"
    return Edit(values, locks)


def parse_filters(args: Mapping[str, str]) -> list[Filter]:
    """The title/year filters python-plexapi sends (``title=…``, ``year>>=…``, ``episode.title==…``)."""
    filters = []
    for name, value in args.items():
        if match := _FILTER_PARAM.match(name):
            field, suffix = match.groups()
            filters.append(Filter(field, suffix + "=", tuple(value.split(","))))
    return filters


def _default_order(item: PlexItem) -> tuple[str, int]:
    return (title_sort(item.entry.title).casefold(), item.rating_key)


def _parse_sort(sort: str | None) -> list[tuple[str, bool]]:
    keys = []
    for part in (sort or "").split(","):
        name, _, direction = part.strip().partition(":")
        name = name.rsplit(".", 1)[-1]
        if name in _SORT_FIELDS:
            keys.append((name, direction == "desc"))
    return keys


def _sort_value(item: PlexItem, name: str) -> tuple[bool, Any]:
    value = item.field(name)
    if isinstance(value, str):
        value = value.casefold()
    return (value is None or value == "", value if value is not None else 0)


def _passes(item: PlexItem, condition: Filter) -> bool:
    if condition.field == "year":
        year = item.field("year")
        try:
            wanted = [int(value) for value in condition.values]
        except ValueError:
            raise LibraryError(400, "year filter must be a number") from None
        if year is None:
            return condition.operator == "!="
        if condition.operator == ">>=":
            return any(year > value for value in wanted)
        if condition.operator == "<<=":
            return any(year < value for value in wanted)
        hit = year in wanted
        return not hit if condition.operator == "!=" else hit
    title = str(item.field("title")).casefold()
    wanted_titles = [value.casefold() for value in condition.values]
    tests = {
        "=": lambda value: value in title,
        "!=": lambda value: value not in title,
        "==": lambda value: value == title,
        "!==": lambda value: value != title,
        "<=": title.startswith,
        ">=": title.endswith,
    }
    test = tests.get(condition.operator)
    if test is None:
        raise LibraryError(400, f"unknown operator {condition.operator}")
    if condition.operator in ("!=", "!=="):
        return all(test(value) for value in wanted_titles)
    return any(test(value) for value in wanted_titles)
