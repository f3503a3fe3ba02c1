"""Fakes that speak real services' HTTP on loopback, for tests, the demo and benchmarks.

They serve their own data (:mod:`curator.demo.catalogue`, :mod:`curator.demo.synthetic`) and
import nothing from ``curator.plex``, ``curator.providers`` or ``curator.net``, so a client's
mistake can never be mirrored by its fake.
"""

from __future__ import annotations

from curator.demo.loopback import LoopbackServer, Request, Response
from curator.demo.plex_server import FakePlexServer
from curator.demo.plextv_server import FakePlexTv
from curator.demo.servers import DemoServers, run_foreground

__all__ = ["DemoServers", "FakePlexServer", "FakePlexTv", "LoopbackServer", "Request", "Response", "run_foreground"]
