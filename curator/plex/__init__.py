"""Plex Media Server and plex.tv clients. Raw Plex JSON never leaves this package."""

from __future__ import annotations

from curator.plex.auth import (
    Pin,
    PinExpired,
    PlexConnection,
    PlexResource,
    PlexTvClient,
    first_reachable,
    preferred_connections,
)
from curator.plex.client import DEFAULT_PAGE_SIZE, PlexClient

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "Pin",
    "PinExpired",
    "PlexClient",
    "PlexConnection",
    "PlexResource",
    "PlexTvClient",
    "first_reachable",
    "preferred_connections",
]
