"""Plex Media Server JSON → domain values. Raw Plex JSON never leaves ``curator.plex``.

Every function takes decoded JSON (``MediaContainer`` root, or one bare item element) and
raises ``BadResponse`` when the shape is not what PMS sends.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from curator.domain.errors import BadResponse
from curator.domain.models import ItemPage, LibraryItem, LibrarySection, MediaKind, PlexServer

SERVICE = "Plex"


@dataclass(frozen=True, slots=True)
class ItemList:
    """The items of one listing answer with its paging fields (``total`` None: not paged)."""

    items: tuple[LibraryItem, ...]
    offset: int | None
    total: int | None

    def to_page(self, requested_offset: int) -> ItemPage:
        """As an ItemPage; an unpaged answer holds everything, so it starts at 0 and ends there."""
        if self.total is None:
            return ItemPage(items=self.items, offset=0, total=len(self.items))
        offset = requested_offset if self.offset is None else self.offset
        return ItemPage(items=self.items, offset=offset, total=self.total)


def _media_container(data: Any) -> dict[str, Any]:
    """The ``MediaContainer`` object of an answer."""
    container = data.get("MediaContainer") if isinstance(data, dict) else None
    if not isinstance(container, dict):
        raise _shape_error("no MediaContainer")
    return container


def parse_server(data: Any, base_url: str) -> PlexServer:
    """``GET /`` (with friendlyName) or ``GET /identity`` (without)."""
    container = _media_container(data)
    machine_identifier = _text(container.get("machineIdentifier"))
    if not machine_identifier:
        raise _shape_error("no machineIdentifier")
    return PlexServer(
        base_url=base_url,
        machine_identifier=machine_identifier,
        name=_text(container.get("friendlyName")),
        version=_text(container.get("version")),
    )


def parse_sections(data: Any) -> list[LibrarySection]:
    """``GET /library/sections``: movie and show sections; music, photo and others are skipped."""
    sections = []
    for entry in _list(_media_container(data), "Directory"):
        kind = _section_kind(entry.get("type"))
        key = _text(entry.get("key"))
        if kind is None or not key:
            continue
        sections.append(LibrarySection(
            key=key,
            title=_text(entry.get("title")),
            kind=kind,
            agent=_text(entry.get("agent")),
            language=_text(entry.get("language")),
            uuid=_text(entry.get("uuid")),
        ))
    return sections


def parse_item_list(data: Any, *, section_key: str = "") -> ItemList:
    """A listing (``/all``, ``/children``, ``/allLeaves``). Items of kinds Curator does not
    handle (clips, trailers, music) are skipped. ``section_key`` fills in items whose section
    neither the item nor the container names."""
    container = _media_container(data)
    default_section = _text(container.get("librarySectionID")) or section_key
    items = tuple(
        item for item in (_item_or_none(entry, default_section) for entry in _list(container, "Metadata"))
        if item is not None
    )
    total = _int_or_none(container.get("totalSize"))
    offset = _int_or_none(container.get("offset"))
    return ItemList(items=items, offset=offset if total is not None else None, total=total)


def parse_metadata(data: Any) -> LibraryItem | None:
    """``GET /library/metadata/{ratingKey}``: the one item, or None when the answer is empty."""
    container = _media_container(data)
    entries = _list(container, "Metadata")
    if not entries:
        return None
    item = _item_or_none(entries[0], _text(container.get("librarySectionID")))
    if item is None:
        raise _shape_error(f"an item of a kind Curator does not handle ({_text(entries[0].get('type'))!r})")
    return item


def _item_or_none(entry: dict[str, Any], default_section: str) -> LibraryItem | None:
    kind = _item_kind(entry.get("type"))
    if kind is None:
        return None
    rating_key = _text(entry.get("ratingKey"))
    if not rating_key:
        raise _shape_error("an item without ratingKey")
    return LibraryItem(
        rating_key=rating_key,
        kind=kind,
        title=_text(entry.get("title")),
        section_key=_text(entry.get("librarySectionID")) or default_section,
        year=_int_or_none(entry.get("year")),
        original_title=_text(entry.get("originalTitle")),
        guid=_text(entry.get("guid")),
        guids=tuple(guid for guid in (_text(g.get("id")) for g in _list(entry, "Guid")) if guid),
        summary=_text(entry.get("summary")),
        locked_fields=frozenset(
            _text(field.get("name")) for field in _list(entry, "Field")
            if _is_true(field.get("locked")) and _text(field.get("name"))
        ),
        parent_rating_key=_text(entry.get("parentRatingKey")),
        parent_title=_text(entry.get("parentTitle")),
        grandparent_title=_text(entry.get("grandparentTitle")),
        index=_int_or_none(entry.get("index")),
        parent_index=_int_or_none(entry.get("parentIndex")),
        file_path=_first_file(entry),
    )


def _first_file(entry: dict[str, Any]) -> str:
    media = _list(entry, "Media")
    parts = _list(media[0], "Part") if media else []
    return _text(parts[0].get("file")) if parts else ""


def _section_kind(value: Any) -> MediaKind | None:
    kind = _item_kind(value)
    return kind if kind in (MediaKind.MOVIE, MediaKind.SHOW) else None


def _item_kind(value: Any) -> MediaKind | None:
    try:
        return MediaKind(value)
    except ValueError:
        return None


def _list(obj: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """A child array; absent means empty. Non-object elements make the answer unreadable."""
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(element, dict) for element in value):
        raise _shape_error(f"{key} is not a list of objects")
    return value


def _text(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, (str, int)):
        return str(value)
    raise _shape_error(f"a {type(value).__name__} where text was expected")


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _is_true(value: Any) -> bool:
    return value is True or value in (1, "1", "true")


def _shape_error(what: str) -> BadResponse:
    return BadResponse(SERVICE, f"sent an answer Curator cannot read ({what})")
