"""Async client for one Plex Media Server: identity, sections, paged items, metadata, and the
one kind of write Curator makes — a summary edit that always names its item.

The token travels only in the ``X-Plex-Token`` header, never in a URL.
"""

from __future__ import annotations

import platform
import re
from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from curator import __version__
from curator.domain.errors import AuthFailed, InvalidInput, NotFound
from curator.domain.models import ItemPage, LibraryItem, LibrarySection, MediaKind, PlexServer
from curator.domain.redaction import secrets
from curator.net.http import parse_json, raise_for_status, send
from curator.plex.parse import SERVICE, parse_item_list, parse_metadata, parse_sections, parse_server

DEFAULT_PAGE_SIZE = 200
#: How long a reachability probe (``GET /identity``) may take before the next address is tried.
PROBE_TIMEOUT = httpx.Timeout(3.0)
PRODUCT = "Curator"

_PLAIN_DIGITS = re.compile(r"[0-9]+")
_TOKEN_HINT = "Sign in with Plex again, or paste a current token for this server in Settings."  # noqa: S105
_GONE_HINT = "It may have been deleted or moved in Plex; reload the library."


def client_headers(client_identifier: str, product: str = PRODUCT) -> dict[str, str | bytes]:
    """The ``X-Plex-*`` headers Curator sends to Plex and plex.tv, asking for JSON."""
    device_name = platform.node() or product
    return {
        "Accept": "application/json",
        "X-Plex-Client-Identifier": client_identifier,
        "X-Plex-Product": product,
        "X-Plex-Version": __version__,
        "X-Plex-Platform": platform.system() or "Unknown",
        # Host names may be non-ASCII; Plex expects UTF-8 header values.
        "X-Plex-Device-Name": device_name.encode("utf-8"),
    }


class PlexClient:
    """One Plex Media Server at ``base_url``, used with ``token``."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, token: str, client_identifier: str) -> None:
        self._http = http
        self._base_url = _server_url(base_url)
        self._headers: dict[str, str | bytes] = {**client_headers(client_identifier), "X-Plex-Token": token}
        secrets.register(token)

    @property
    def base_url(self) -> str:
        return self._base_url

    # --- reading ---------------------------------------------------------------------------

    async def identity(self) -> PlexServer:
        """Name, machine identifier and version from the server root (this also proves the token)."""
        return parse_server(await self._get_json("/", what="The server"), self._base_url)

    async def probe(self, *, timeout: httpx.Timeout = PROBE_TIMEOUT) -> PlexServer:
        """``GET /identity`` with a short timeout: does a Plex server answer at this address?"""
        data = await self._get_json("/identity", what="The server", timeout=timeout)
        return parse_server(data, self._base_url)

    async def sections(self) -> list[LibrarySection]:
        """The movie and show libraries of the server."""
        return parse_sections(await self._get_json("/library/sections", what="The library list"))

    async def fetch_page(self, section_key: str, kind: MediaKind, offset: int, size: int) -> ItemPage:
        """Items ``offset … offset+size`` of one kind in a section, with their external ids."""
        path, params = _section_listing(section_key, kind)
        return await self._fetch_page(path, params, offset, size, what=f"Library section {section_key}",
                                      section_key=section_key)

    async def iter_pages(self, section_key: str, kind: MediaKind,
                         page_size: int = DEFAULT_PAGE_SIZE) -> AsyncIterator[ItemPage]:
        """Every item of one kind in a section, page by page."""
        path, params = _section_listing(section_key, kind)
        async for page in self._iter_listing(path, params, page_size, what=f"Library section {section_key}",
                                             section_key=section_key):
            yield page

    async def count(self, section_key: str, kind: MediaKind) -> int:
        """How many items of one kind a section holds (a size-0 page)."""
        page = await self.fetch_page(section_key, kind, 0, 0)
        return page.total if page.total is not None else len(page.items)

    async def metadata(self, rating_key: str) -> LibraryItem:
        """One item in full: Guid[] ids, locked fields, file path."""
        key = _plain_digits(rating_key, "item id (ratingKey)")
        what = f"Item {key}"
        item = parse_metadata(await self._get_json(f"/library/metadata/{key}", what=what))
        if item is None:
            raise NotFound(SERVICE, f"{what} was not found", hint=_GONE_HINT)
        return item

    async def children(self, rating_key: str, page_size: int = DEFAULT_PAGE_SIZE) -> list[LibraryItem]:
        """A show's seasons or a season's episodes."""
        return await self._collect(rating_key, "children", page_size)

    async def all_leaves(self, rating_key: str, page_size: int = DEFAULT_PAGE_SIZE) -> list[LibraryItem]:
        """Every episode of a show."""
        return await self._collect(rating_key, "allLeaves", page_size)

    async def read_summary(self, rating_key: str) -> tuple[str, bool]:
        """The item's current summary and whether it is locked (read-back after a write)."""
        item = await self.metadata(rating_key)
        return item.summary, item.summary_locked

    # --- writing ---------------------------------------------------------------------------

    async def edit_summary(self, item: LibraryItem, summary: str, *, locked: bool = True) -> None:
        """Write ``summary`` to this one item, locked by default so Plex keeps it."""
        await self._edit_summary(item, summary, locked)

    async def set_summary_lock(self, item: LibraryItem, locked: bool) -> None:
        """Lock or unlock the item's summary without changing its text."""
        await self._edit_summary(item, None, locked)

    async def restore_summary(self, item: LibraryItem, summary: str, locked: bool) -> None:
        """Put back a summary and lock state recorded before a push (revert)."""
        await self._edit_summary(item, summary, locked)

    async def _edit_summary(self, item: LibraryItem, summary: str | None, locked: bool) -> None:
        """The only write this client sends. It always carries ``id`` and ``type``: without
        ``id`` PMS applies the edit to EVERY item of that type in the section."""
        section = _plain_digits(item.section_key, "library section id")
        rating_key = _plain_digits(item.rating_key, "item id (ratingKey)")
        query: dict[str, str] = {"type": str(item.kind.plex_type), "id": rating_key}
        if summary is not None:
            query["summary.value"] = summary
        query["summary.locked"] = "1" if locked else "0"
        # Values are percent-encoded by hand (space → %20), as PMS clients do; '+' is not a space to every server.
        encoded = "&".join(f"{name}={quote(value, safe='')}" for name, value in query.items())
        url = f"{self._base_url}/library/sections/{section}/all?{encoded}"
        response = await send(self._http, SERVICE, "PUT", url, headers=self._headers)
        _raise_for_status(response, f"Item {rating_key}")

    # --- plumbing --------------------------------------------------------------------------

    async def _collect(self, rating_key: str, leaf: str, page_size: int) -> list[LibraryItem]:
        key = _plain_digits(rating_key, "item id (ratingKey)")
        items: list[LibraryItem] = []
        async for page in self._iter_listing(f"/library/metadata/{key}/{leaf}", {}, page_size, what=f"Item {key}"):
            items.extend(page.items)
        return items

    async def _iter_listing(self, path: str, params: Mapping[str, Any], page_size: int, *, what: str,
                            section_key: str = "") -> AsyncIterator[ItemPage]:
        if page_size < 1:
            raise InvalidInput(f"Page size must be at least 1 (got {page_size}).")
        offset = 0
        while True:
            page = await self._fetch_page(path, params, offset, page_size, what=what, section_key=section_key)
            yield page
            offset += len(page.items)
            # An unpaged answer carries everything; an empty page ends a server that miscounts.
            if not page.items or page.total is None or offset >= page.total:
                return

    async def _fetch_page(self, path: str, params: Mapping[str, Any], offset: int, size: int, *, what: str,
                          section_key: str = "") -> ItemPage:
        if offset < 0 or size < 0:
            raise InvalidInput(f"Paging needs a non-negative offset and size (got {offset}, {size}).")
        paging = {"X-Plex-Container-Start": str(offset), "X-Plex-Container-Size": str(size)}
        data = await self._get_json(path, what=what, params=params, headers=paging)
        return parse_item_list(data, section_key=section_key).to_page(offset)

    async def _get_json(self, path: str, *, what: str, params: Mapping[str, Any] | None = None,
                        headers: Mapping[str, str] | None = None, timeout: httpx.Timeout | None = None) -> Any:
        extra: dict[str, Any] = {}
        if timeout is not None:
            extra["timeout"] = timeout
        response = await send(self._http, SERVICE, "GET", f"{self._base_url}{path}", params=params,
                              headers={**self._headers, **(headers or {})}, **extra)
        _raise_for_status(response, what)
        return parse_json(SERVICE, response)


def _raise_for_status(response: httpx.Response, what: str) -> None:
    """The shared mapping, worded for Plex: a refused token and a missing item say what to do."""
    try:
        raise_for_status(SERVICE, response)
    except AuthFailed as exc:
        raise AuthFailed(SERVICE, f"Plex refused the token (HTTP {exc.status})", status=exc.status,
                         hint=_TOKEN_HINT) from None
    except NotFound:
        raise NotFound(SERVICE, f"{what} was not found (HTTP 404)", status=404, hint=_GONE_HINT) from None


def _section_listing(section_key: str, kind: MediaKind) -> tuple[str, dict[str, Any]]:
    section = _plain_digits(section_key, "library section id")
    return f"/library/sections/{section}/all", {"type": kind.plex_type, "includeGuids": 1}


def _plain_digits(value: str, what: str) -> str:
    """A Plex key as it goes into a path or an edit: ASCII digits and nothing else."""
    if not isinstance(value, str) or not _PLAIN_DIGITS.fullmatch(value):
        raise InvalidInput(f"Not a valid Plex {what}: {value!r}. Reload the library and try again.")
    return value


def _server_url(base_url: str) -> str:
    """``http(s)://host[:port][/prefix]`` without a trailing slash; query strings are refused
    because a pasted ``?X-Plex-Token=…`` would put the token into every URL."""
    url = base_url.strip().rstrip("/")
    try:
        parts = urlsplit(url)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
        parts = None
    if parts is None or not port_ok or parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("The Plex server address must look like http://192.168.1.10:32400 or https://….")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise InvalidInput("Enter the Plex server address without anything after it (no ?X-Plex-Token=…); "
                           "the token goes in its own field.")
    return url
