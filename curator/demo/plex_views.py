"""Plex response nodes for the fake server, shaped like the recorded PMS payloads.

Nodes are the JSON-shaped dicts of :mod:`curator.demo.plex_render`. Call the item functions
while holding the library's lock: they read the items' current values.
"""

from __future__ import annotations

import os
import re
import uuid
from typing import Any

from curator.demo.plex_library import PlexItem, PlexLibrary
from curator.demo.plex_model import SECTION_KINDS, TYPE_NUMBERS, PlexSectionSpec
from curator.demo.plex_render import Node

IDENTIFIER = "com.plexapp.plugins.library"
MEDIA_TAG_PREFIX = "/system/bundle/media/flags/"
MEDIA_TAG_VERSION = 1_734_362_201

_ALL_TITLES = {"movie": "All Movies", "show": "All Shows", "season": "All Seasons", "episode": "All Episodes"}
_SORTS = (  # (key, title, default direction)
    ("titleSort", "Title", "asc"),
    ("originallyAvailableAt", "Release Date", "desc"),
    ("addedAt", "Date Added", "desc"),
)
_FIELDS = (("title", "Title", "string"), ("year", "Year", "integer"))
_OPERATORS = {
    "integer": (("=", "is"), ("!=", "is not"), (">>=", "is greater than"), ("<<=", "is less than")),
    "string": (("=", "contains"), ("!=", "does not contain"), ("==", "is"), ("!==", "is not"),
               ("<=", "begins with"), (">=", "ends with")),
}
_NOT_SLUG = re.compile(r"[^0-9a-z]+")


def section_uuid(spec: PlexSectionSpec) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"curator-demo/section/{spec.key}/{spec.title}"))


def section_art(kind: str) -> tuple[str, str]:
    return f"/:/resources/{kind}-fanart.jpg", f"/:/resources/{kind}.png"


def section_directory(spec: PlexSectionSpec) -> Node:
    """One entry of ``/library/sections`` (``Directory``)."""
    art, thumb = section_art(spec.kind)
    return {
        "allowSync": True,
        "art": art,
        "composite": f"/library/sections/{spec.key}/composite/{spec.created_at}",
        "filters": True,
        "refreshing": False,
        "thumb": thumb,
        "key": str(spec.key),
        "type": spec.kind,
        "title": spec.title,
        "agent": spec.agent,
        "scanner": spec.scanner,
        "language": spec.language,
        "uuid": section_uuid(spec),
        "updatedAt": spec.created_at,
        "createdAt": spec.created_at,
        "scannedAt": spec.created_at,
        "content": True,
        "directory": True,
        "contentChangedAt": 12345,
        "hidden": 0,
        "Location": [{"id": spec.key, "path": spec.location}],
    }


def library_container(spec: PlexSectionSpec, kind: str, **paging: int) -> Node:
    """MediaContainer attributes of a section listing; ``paging`` (size/totalSize/offset) first."""
    art, thumb = section_art(spec.kind)
    return {
        **paging,
        "allowSync": True,
        "art": art,
        "content": "secondary",
        "identifier": IDENTIFIER,
        "librarySectionID": spec.key,
        "librarySectionTitle": spec.title,
        "librarySectionUUID": section_uuid(spec),
        "mediaTagPrefix": MEDIA_TAG_PREFIX,
        "mediaTagVersion": MEDIA_TAG_VERSION,
        "nocache": True,
        "thumb": thumb,
        "title1": spec.title,
        "title2": _ALL_TITLES[kind],
        "viewGroup": kind,
    }


def meta_node(spec: PlexSectionSpec, active_kind: str) -> Node:
    """The ``Meta`` block of ``includeMeta=1``: the types, sorts and fields clients may filter on."""
    types = []
    for kind in SECTION_KINDS[spec.kind]:
        prefix = "" if kind == spec.kind else f"{kind}."
        sorts = []
        for key, title, direction in _SORTS:
            sort: Node = {"defaultDirection": direction, "descKey": f"{prefix}{key}:desc", "key": f"{prefix}{key}",
                          "title": title}
            if key == "titleSort":
                sort = {"default": direction, **sort}
                if kind == active_kind:
                    sort = {"active": True, "activeDirection": "asc", **sort}
            sorts.append(sort)
        types.append({
            "key": f"/library/sections/{spec.key}/all?type={TYPE_NUMBERS[kind]}",
            "type": kind,
            "title": _ALL_TITLES[kind].removeprefix("All "),
            "active": kind == active_kind,
            "Sort": sorts,
            "Field": [{"key": f"{prefix}{key}", "title": title, "type": field_type} for key, title, field_type in _FIELDS],
        })
    field_types = [
        {"type": field_type, "Operator": [{"key": key, "title": title} for key, title in operators]}
        for field_type, operators in _OPERATORS.items()
    ]
    return {"Type": types, "FieldType": field_types}


def item_node(library: PlexLibrary, item: PlexItem, *, detail: bool, guids: bool) -> Node:
    """One item for ``Metadata`` (``<Video>``/``<Directory>`` in XML).

    ``detail`` adds what ``/library/metadata/{id}`` carries beyond a listing (section fields,
    ``Field[]`` locks, ``Location[]``); ``guids`` adds ``Guid[]`` (new-agent items only).
    """
    entry = item.entry
    kind = entry.kind
    key = item.rating_key
    updated = item.updated_at
    title = item.field("title")
    is_container = kind == "show" or kind == "season"
    node: Node = {
        "ratingKey": str(key),
        "key": f"/library/metadata/{key}/children" if is_container else f"/library/metadata/{key}",
    }
    if entry.parent is not None:
        _add_lineage(library, item, node)
    node["guid"] = entry.guid
    if (kind == "movie" or kind == "show") and entry.guid.startswith("plex://"):
        node["slug"] = _slug(entry.title, entry.year)
    _put(node, "studio", item.field("studio"))
    node["type"] = kind
    node["title"] = title
    if detail:
        spec = library.section(item.section_key)
        if spec is not None:
            node["librarySectionTitle"] = spec.title
        node["librarySectionID"] = item.section_key
        node["librarySectionKey"] = f"/library/sections/{item.section_key}"
    sort_title = item.field("titleSort")
    if sort_title != title:
        node["titleSort"] = sort_title
    _put(node, "originalTitle", item.field("originalTitle"))
    _put(node, "contentRating", item.field("contentRating"))
    node["summary"] = item.field("summary")
    if kind == "show":
        node["index"] = 1
    elif entry.index is not None:
        node["index"] = entry.index
    _put(node, "year", item.field("year"))
    _put(node, "tagline", item.field("tagline"))
    node["thumb"] = f"/library/metadata/{key}/thumb/{updated}"
    node["art"] = f"/library/metadata/{_root_key(library, item)}/art/{updated}"
    _put(node, "duration", entry.duration_ms)
    _put(node, "originallyAvailableAt", item.field("originallyAvailableAt"))
    if is_container:
        node["leafCount"] = len(library.leaves(item))
        node["viewedLeafCount"] = 0
        if kind == "show":
            node["childCount"] = len(library.children(item))
    node["addedAt"] = entry.added_at
    node["updatedAt"] = updated
    if entry.file:
        node["Media"] = [_media(item)]
    if guids and entry.external_guids:
        node["Guid"] = [{"id": guid} for guid in entry.external_guids]
    if detail:
        if item.locked:
            node["Field"] = [{"locked": True, "name": name} for name in sorted(item.locked)]
        if kind == "show":
            node["Location"] = [{"path": _show_folder(library, item)}]
    return node


def _put(node: Node, name: str, value: Any) -> None:
    if value:
        node[name] = value


def _add_lineage(library: PlexLibrary, item: PlexItem, node: Node) -> None:
    """parent*/grandparent* attributes of seasons and episodes (and parentIndex)."""
    entry = item.entry
    parent = library.item(entry.parent) if entry.parent is not None else None
    if parent is None:
        return
    node["parentRatingKey"] = str(parent.rating_key)
    grandparent = library.item(parent.entry.parent) if parent.entry.parent is not None else None
    if grandparent is not None:
        node["grandparentRatingKey"] = str(grandparent.rating_key)
        node["grandparentGuid"] = grandparent.entry.guid
        node["grandparentKey"] = f"/library/metadata/{grandparent.rating_key}"
        node["grandparentTitle"] = grandparent.field("title")
        node["grandparentThumb"] = f"/library/metadata/{grandparent.rating_key}/thumb/{grandparent.updated_at}"
        node["grandparentArt"] = f"/library/metadata/{grandparent.rating_key}/art/{grandparent.updated_at}"
    node["parentGuid"] = parent.entry.guid
    node["parentKey"] = f"/library/metadata/{parent.rating_key}"
    node["parentTitle"] = parent.field("title")
    node["parentIndex"] = parent.entry.index if entry.kind == "episode" else 1
    node["parentThumb"] = f"/library/metadata/{parent.rating_key}/thumb/{parent.updated_at}"
    if entry.kind == "season":
        _put(node, "parentYear", parent.field("year"))


def _root_key(library: PlexLibrary, item: PlexItem) -> int:
    while item.entry.parent is not None:
        parent = library.item(item.entry.parent)
        if parent is None:
            break
        item = parent
    return item.rating_key


def _media(item: PlexItem) -> Node:
    entry = item.entry
    key = item.rating_key
    duration = entry.duration_ms or 6_000_000
    bitrate = 6_000 + (key * 7919) % 9_000
    container = os.path.splitext(entry.file)[1].lstrip(".").lower() or "mkv"
    return {
        "id": key,
        "duration": duration,
        "bitrate": bitrate,
        "width": 1920,
        "height": 1080,
        "aspectRatio": 1.78,
        "audioChannels": 6,
        "audioCodec": "eac3",
        "videoCodec": "h264",
        "videoResolution": "1080",
        "container": container,
        "videoFrameRate": "24p",
        "Part": [{
            "id": key,
            "key": f"/library/parts/{key}/{entry.added_at}/file.{container}",
            "duration": duration,
            "file": entry.file,
            "size": bitrate * duration // 8,
            "container": container,
        }],
    }


def _show_folder(library: PlexLibrary, show: PlexItem) -> str:
    for episode in library.leaves(show):
        if episode.entry.file:
            return os.path.dirname(os.path.dirname(episode.entry.file))
    spec = library.section(show.section_key)
    return f"{spec.location if spec else ''}/{show.entry.title}"


def _slug(title: str, year: int | None) -> str:
    slug = _NOT_SLUG.sub("-", title.casefold()).strip("-")
    return f"{slug}-{year}" if year else slug
