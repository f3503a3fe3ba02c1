"""Connecting to a Plex server and reading its libraries — what the window and the CLI share."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx

from curator.domain.errors import InvalidInput, NotFound
from curator.domain.models import ItemPage, LibraryItem, LibrarySection, MediaKind, PlexServer
from curator.plex.client import PlexClient

log = logging.getLogger(__name__)

DEFAULT_PAGE_SIZE = 200


class LibraryService:
    """One connected Plex server: its identity, sections and items."""

    def __init__(self, client: PlexClient, server: PlexServer) -> None:
        self.client = client
        self.server = server
        self._sections: list[LibrarySection] | None = None

    @classmethod
    async def connect(cls, http: httpx.AsyncClient, base_url: str, token: str, *,
                      client_identifier: str) -> LibraryService:
        """Check the address and token by asking the server who it is (needs a valid token)."""
        url = base_url.strip().rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise InvalidInput("The server address must start with http:// or https://",
                               hint="For example http://192.168.1.10:32400")
        client = PlexClient(http, url, token, client_identifier=client_identifier)
        server = await client.identity()
        service = cls(client, server)
        await service.sections()
        log.info("connected to Plex server %s (%s)", server.name or server.machine_identifier, server.version)
        return service

    async def sections(self, *, refresh: bool = False) -> list[LibrarySection]:
        if self._sections is None or refresh:
            self._sections = await self.client.sections()
        return self._sections

    async def find_section(self, name_or_key: str) -> LibrarySection:
        wanted = name_or_key.strip().casefold()
        for section in await self.sections():
            if section.title.casefold() == wanted or section.key == name_or_key.strip():
                return section
        names = ", ".join(s.title for s in await self.sections()) or "none"
        raise NotFound("Plex", f"no library called {name_or_key!r}", hint=f"Libraries on this server: {names}.")

    async def count(self, section: LibrarySection) -> int:
        return await self.client.count(section.key, section.kind)

    async def page(self, section: LibrarySection, offset: int, size: int = DEFAULT_PAGE_SIZE) -> ItemPage:
        return await self.client.fetch_page(section.key, section.kind, offset, size)

    async def iter_items(self, section: LibrarySection, *, page_size: int = DEFAULT_PAGE_SIZE,
                         kind: MediaKind | None = None) -> AsyncIterator[LibraryItem]:
        async for page in self.client.iter_pages(section.key, kind or section.kind, page_size=page_size):
            for item in page.items:
                yield item
