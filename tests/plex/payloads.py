"""Recorded Plex payloads from tests/fixtures/plex/ and small builders for listings made from them."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "plex"

BASE_URL = "http://127.0.0.1:32400"
PLEXTV_URL = "https://plex.tv"
TOKEN = "plexTok3n-abcdefghij"
CLIENT_ID = "curator-test-client-0001"


def load_json(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def load_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def numbered_items(template: dict[str, Any], count: int, first_key: int = 900000) -> list[dict[str, Any]]:
    """CONSTRUCTED: ``count`` copies of a recorded item element with distinct ratingKeys/titles."""
    items = []
    for number in range(count):
        item = copy.deepcopy(template)
        item["ratingKey"] = str(first_key + number)
        item["key"] = f"/library/metadata/{first_key + number}"
        item["title"] = f"{template.get('title', 'Item')} #{number}"
        items.append(item)
    return items


def paged_container(items: list[dict[str, Any]], start: int, size: int, **attrs: Any) -> dict[str, Any]:
    """A MediaContainer page as PMS pages one (offset/size/totalSize)."""
    chunk = items[start:start + size]
    return {"MediaContainer": {"size": len(chunk), "totalSize": len(items), "offset": start, **attrs,
                               **({"Metadata": chunk} if chunk else {})}}
