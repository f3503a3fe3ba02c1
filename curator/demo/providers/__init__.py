"""Fake metadata providers on loopback: TMDB, TheTVDB v4, TVmaze, OMDb, fanart.tv and cinema.nl.

They answer in the real services' shapes from the demo world (:mod:`curator.demo.catalogue`
plus, optionally, :mod:`curator.demo.synthetic_catalogue`), enforce rate limits (429 with
``Retry-After``), count requests and offer fault knobs. They share no code with the provider
clients: nothing here imports ``curator.providers``, ``curator.net`` or ``curator.plex``.
"""

from __future__ import annotations

from curator.demo.providers.cinema_nl import FakeCinemaNl
from curator.demo.providers.fanart import FANART_API_KEY, FakeFanart
from curator.demo.providers.omdb import OMDB_API_KEY, FakeOmdb
from curator.demo.providers.ratelimit import RateLimit
from curator.demo.providers.service import FakeService, RequestCounts
from curator.demo.providers.suite import FakeProviders
from curator.demo.providers.tmdb import TMDB_API_KEY, TMDB_READ_TOKEN, FakeTmdb
from curator.demo.providers.tvdb import TVDB_API_KEY, FakeTvdb
from curator.demo.providers.tvmaze import FakeTvmaze

__all__ = [
    "FANART_API_KEY", "OMDB_API_KEY", "TMDB_API_KEY", "TMDB_READ_TOKEN", "TVDB_API_KEY", "FakeCinemaNl",
    "FakeFanart", "FakeOmdb", "FakeProviders", "FakeService", "FakeTmdb", "FakeTvdb", "FakeTvmaze", "RateLimit",
    "RequestCounts",
]
