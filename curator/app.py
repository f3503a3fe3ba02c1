"""The composition root: the one place that builds the concrete parts and wires them together.

Both front ends (the Qt window and the CLI) get an ``AppContext`` from here and talk only to
services. In demo mode the embedded fake servers are started on loopback and every endpoint is
pointed at them, so the rest of the app cannot tell the difference.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any

import httpx

from curator import preferences as prefs_file
from curator import settings
from curator.domain.errors import AuthFailed, CuratorError
from curator.domain.redaction import secrets as secret_registry
from curator.logs import configure_logging
from curator.net.http import create_client
from curator.preferences import Preferences
from curator.secrets import SecretStore
from curator.services.library import LibraryService
from curator.store import db as store_db

log = logging.getLogger(__name__)

PLEX_TOKEN = "PLEX_TOKEN"


@dataclass
class AppContext:
    paths: settings.Paths
    prefs: Preferences
    secrets: SecretStore
    demo: Any = None  # curator.demo.servers.DemoServers when running the demo
    notices: list[str] = field(default_factory=list)
    _http: httpx.AsyncClient | None = None

    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = create_client()
        return self._http

    def save_prefs(self, prefs: Preferences) -> None:
        self.prefs = prefs
        prefs_file.save(self.paths.data, prefs)

    def plex_token(self) -> str:
        if self.demo is not None:
            return str(self.demo.describe()["plex_token"])
        token = self.secrets.get(PLEX_TOKEN)
        if not token:
            raise AuthFailed("Plex", "no token saved for this server",
                             hint="Connect to a server first (URL and token), or set CURATOR_PLEX_TOKEN.")
        return token

    def plex_url(self) -> str:
        if self.demo is not None:
            return str(self.demo.describe()["plex_url"])
        return self.prefs.server_url

    async def open_library(self, url: str | None = None, token: str | None = None) -> LibraryService:
        base = url or self.plex_url()
        if not base:
            raise CuratorError("No Plex server is configured.",
                               hint="Use 'Connect to server' in the window, or pass --server URL.")
        return await LibraryService.connect(self.http, base, token or self.plex_token(),
                                            client_identifier=self.prefs.client_identifier)

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def close(self) -> None:
        if self.demo is not None:
            self.demo.stop()
            self.demo = None
        store_db.close_database()


def build_context(*, demo: bool = False, demo_items: int | None = None, to_stderr: bool = False) -> AppContext:
    """Create folders, logging, the store, the secret store and (for the demo) the fake servers."""
    paths = settings.paths().ensure()
    configure_logging(paths, to_stderr=to_stderr)
    opened = store_db.open_database(paths.database)
    notices: list[str] = []
    if opened.recovered is not None:
        notices.append(opened.recovered.user_message)
    context = AppContext(paths=paths, prefs=prefs_file.load(paths.data), secrets=SecretStore(), notices=notices)
    if demo:
        context.demo = start_demo(demo_items)
    return context


def start_demo(items: int | None = None) -> Any:
    """Start the embedded fake servers and point every endpoint at them (this process only)."""
    from curator.demo.servers import DemoServers

    servers = DemoServers(items=items)
    servers.start()
    described = servers.describe()
    os.environ.update(described["env"])
    secret_registry.register(str(described.get("plex_token", "")))
    log.info("demo servers started: %s", ", ".join(sorted(described["env"])))
    return servers
