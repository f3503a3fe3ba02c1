"""Plex's two wire formats from one JSON-shaped tree.

A node is a dict: scalar values are attributes, a list value is an array of child nodes under
that key, a dict value is a single child (``Meta``). JSON is that tree under ``MediaContainer``
(booleans true/false). In XML the key is the tag — except ``Metadata``, whose items are
``<Video>`` (movies, episodes) or ``<Directory>`` (shows, seasons) — and booleans are "1"/"0".
Nodes must not hold None values.
"""

from __future__ import annotations

import json
from typing import Any

Node = dict[str, Any]

_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
_ATTRIBUTE_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
)
_DIRECTORY_TYPES = frozenset({"show", "season"})
_json_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def to_json(container: Node) -> bytes:
    return _json_encoder.encode({"MediaContainer": container}).encode()


def to_xml(container: Node) -> bytes:
    parts = [_XML_DECLARATION]
    _write_xml("MediaContainer", container, parts)
    parts.append("\n")
    return "".join(parts).encode()


def _write_xml(tag: str, node: Node, parts: list[str]) -> None:
    parts.append("<" + tag)
    children: list[tuple[str, list[Node]]] = []
    for name, value in node.items():
        if isinstance(value, list):
            children.append((name, value))
        elif isinstance(value, dict):
            children.append((name, [value]))
        else:
            parts.append(f' {name}="{_xml_attribute(value)}"')
    if not any(items for _, items in children):
        parts.append(" />")
        return
    parts.append(">\n")
    for name, items in children:
        for item in items:
            _write_xml(_xml_tag(name, item), item, parts)
            parts.append("\n")
    parts.append(f"</{tag}>")


def _xml_tag(key: str, node: Node) -> str:
    if key == "Metadata":
        return "Directory" if node.get("type") in _DIRECTORY_TYPES else "Video"
    return key


def _xml_attribute(value: Any) -> str:
    if value is True:
        return "1"
    if value is False:
        return "0"
    if isinstance(value, str):
        return value.translate(_ATTRIBUTE_ESCAPES)
    return str(value)
