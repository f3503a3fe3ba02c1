"""Run the demo fakes together on loopback: the fake Plex (demo library, optionally a synthetic
section) and the fake plex.tv, which lists the fake Plex as the user's server.

:meth:`DemoServers.describe` is a flat dict of what a client needs (URLs, tokens) plus ``env``:
the ``CURATOR_<NAME>_URL`` settings that point Curator at the fakes. Fakes added later register
with :meth:`DemoServers.add` and contribute their own entries.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any, Protocol, Self

from curator.demo.plex_server import FakePlexServer
from curator.demo.plextv_server import FakePlexTv
from curator.demo.providers import FakeProviders
from curator.demo.providers.ratelimit import RateLimit
from curator.demo.synthetic import synthetic_section

Describe = Callable[[], dict[str, Any]]


class Fake(Protocol):
    """What DemoServers needs of a fake: a loopback server, or a group of them."""

    @property
    def running(self) -> bool: ...

    def start(self) -> object: ...

    def stop(self) -> None: ...


class DemoServers:
    """The demo's fakes, started and stopped together. Use as a context manager."""

    def __init__(
        self,
        *,
        items: int | None = None,
        plex_port: int = 0,
        seed: int = 0,
        auto_approve_polls: int | None = 2,
        tmdb_rate: int | None = None,
    ) -> None:
        """``items``: size of an extra synthetic movie section; ``auto_approve_polls``: plex.tv
        signs the user in on that poll of every PIN (None: only :meth:`FakePlexTv.approve_pin`);
        ``tmdb_rate``: the fake TMDB's limit in requests per second (None: its default)."""
        extra = (synthetic_section(items, seed),) if items else ()
        self.plex = FakePlexServer(extra_sections=extra, port=plex_port)
        self.plextv = FakePlexTv()
        self.plextv.auto_approve_after(auto_approve_polls)
        self.providers = FakeProviders(synthetic_items=items or 0, synthetic_seed=seed,
                                       tmdb_rate=RateLimit(tmdb_rate, 1.0) if tmdb_rate else None)
        self._entries: list[tuple[Fake, Describe]] = []
        self.plextv.add_server(self.plex)
        self.add(self.plex, self._describe_plex)
        self.add(self.plextv, self._describe_plextv)
        self.add(self.providers, self.providers.describe)

    def add(self, server: Fake, describe: Describe) -> None:
        """Register another fake (started now if the others already run); ``describe`` gives its
        entries for :meth:`describe` (an ``env`` entry is merged into the shared one)."""
        self._entries.append((server, describe))
        if self.plex.running and not server.running:
            server.start()

    def start(self) -> Self:
        started: list[Fake] = []
        try:
            for server, _ in self._entries:
                server.start()
                started.append(server)
        except OSError:
            for server in reversed(started):
                server.stop()
            raise
        return self

    def stop(self) -> None:
        for server, _ in reversed(self._entries):
            server.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def describe(self) -> dict[str, Any]:
        """Flat description of the running fakes, e.g. ``{"plex_url": …, "plex_token": …, "env": {…}}``."""
        description: dict[str, Any] = {}
        env: dict[str, str] = {}
        for _, describe in self._entries:
            entries = describe()
            env.update(entries.pop("env", {}))
            description.update(entries)
        description["env"] = env
        return description

    def _describe_plex(self) -> dict[str, Any]:
        return {
            "plex_url": self.plex.url,
            "plex_token": self.plex.token,
            "plex_name": self.plex.name,
            "plex_machine_identifier": self.plex.machine_identifier,
            "plex_sections": {str(spec.key): spec.title for spec in self.plex.library.sections},
        }

    def _describe_plextv(self) -> dict[str, Any]:
        return {
            "plextv_url": self.plextv.url,
            "plextv_token": self.plextv.account_token,
            "env": {"CURATOR_PLEXTV_URL": self.plextv.url, "CURATOR_PLEX_AUTH_APP_URL": f"{self.plextv.url}/auth"},
        }

    @classmethod
    def run_foreground(cls, items: int | None = None, port: int | None = None,
                       tmdb_rate: int | None = None) -> int:
        """Start the fakes (Plex on ``port``, others on free ports), print :meth:`describe` as one
        JSON line to stdout, and serve until SIGINT or SIGTERM. Returns the exit code (0)."""
        stop = threading.Event()

        def request_stop(_signum: int, _frame: FrameType | None) -> None:
            stop.set()

        previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            with cls(items=items, plex_port=port or 0, tmdb_rate=tmdb_rate) as demo:
                sys.stdout.write(json.dumps(demo.describe()) + "\n")
                sys.stdout.flush()
                while not stop.wait(0.2):
                    pass
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0


run_foreground = DemoServers.run_foreground
