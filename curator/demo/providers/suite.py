"""The fake metadata providers together, each on its own loopback port."""

from __future__ import annotations

import threading
from typing import Any, Self

from curator.demo.providers.cinema_nl import FakeCinemaNl
from curator.demo.providers.fanart import FANART_API_KEY, FakeFanart
from curator.demo.providers.omdb import OMDB_API_KEY, FakeOmdb
from curator.demo.providers.poms import POMS_API_KEY, POMS_API_SECRET, FakePoms
from curator.demo.providers.ratelimit import RateLimit
from curator.demo.providers.service import FakeService, RequestCounts
from curator.demo.providers.tmdb import TMDB_API_KEY, FakeTmdb
from curator.demo.providers.tvdb import TVDB_API_KEY, FakeTvdb
from curator.demo.providers.tvmaze import FakeTvmaze
from curator.demo.providers.world import World
from curator.demo.synthetic_catalogue import SyntheticCatalogue


class FakeProviders:
    """TMDB, TheTVDB v4, TVmaze, OMDb, fanart.tv, NPO POMS and cinema.nl fakes serving the demo
    catalogue (and the first ``synthetic_items`` synthetic films of ``synthetic_seed``). A rate
    of None keeps the provider's default (TMDB 40/s, TVmaze 20/10 s, POMS 5/s, cinema.nl 2/s,
    the others 100/s). Use as a context manager.
    """

    def __init__(self, *, synthetic_items: int = 0, synthetic_seed: int = 0, host: str = "127.0.0.1",
                 tmdb_rate: RateLimit | None = None, tvdb_rate: RateLimit | None = None,
                 tvmaze_rate: RateLimit | None = None, omdb_rate: RateLimit | None = None,
                 fanart_rate: RateLimit | None = None, poms_rate: RateLimit | None = None,
                 cinema_nl_rate: RateLimit | None = None,
                 omdb_daily_budget: int | None = None) -> None:
        self.world = World(SyntheticCatalogue(synthetic_items, synthetic_seed))
        self.tmdb = FakeTmdb(self.world, rate=tmdb_rate, host=host)
        self.tvdb = FakeTvdb(self.world, rate=tvdb_rate, host=host)
        self.tvmaze = FakeTvmaze(self.world, rate=tvmaze_rate, host=host)
        self.omdb = FakeOmdb(self.world, rate=omdb_rate, host=host, daily_budget=omdb_daily_budget)
        self.fanart = FakeFanart(self.world, rate=fanart_rate, host=host)
        self.poms = FakePoms(self.world, rate=poms_rate, host=host)
        self.cinema_nl = FakeCinemaNl(self.world, rate=cinema_nl_rate, host=host)

    @property
    def services(self) -> tuple[FakeService, ...]:
        return (self.tmdb, self.tvdb, self.tvmaze, self.omdb, self.fanart, self.poms, self.cinema_nl)

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> Self:
        started: list[FakeService] = []
        try:
            for service in self.services:
                service.start()
                started.append(service)
        except OSError:
            for service in reversed(started):
                service.stop()
            raise
        return self

    def stop(self) -> None:
        """Stops them all at once (each takes up to a server poll interval to wind down)."""
        stoppers = [threading.Thread(target=service.stop, name=f"stop-fake-{service.name}")
                    for service in self.services]
        for stopper in stoppers:
            stopper.start()
        for stopper in stoppers:
            stopper.join()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return all(service.running for service in self.services)

    # -- what a client needs ---------------------------------------------------------------------

    def urls(self) -> dict[str, str]:
        """Base URLs as Curator's ``CURATOR_<NAME>_URL`` settings take them (TMDB's ends in /3,
        POMS's in /v1)."""
        return {f"{service.name}_url": service.url for service in self.services}

    @staticmethod
    def keys() -> dict[str, str]:
        """The fixed demo keys the fakes accept (TheTVDB: no PIN)."""
        return {"TMDB_API_KEY": TMDB_API_KEY, "TVDB_API_KEY": TVDB_API_KEY, "OMDB_API_KEY": OMDB_API_KEY,
                "FANART_API_KEY": FANART_API_KEY, "POMS_API_KEY": POMS_API_KEY,
                "POMS_API_SECRET": POMS_API_SECRET}

    def describe(self) -> dict[str, Any]:
        """For :class:`curator.demo.servers.DemoServers`: the URLs, the keys, and ``env`` with the
        ``CURATOR_*`` variables that point Curator at the fakes and hand it the keys."""
        env = {f"CURATOR_{name[:-len('_url')].upper()}_URL": url for name, url in self.urls().items()}
        env.update({f"CURATOR_{name}": value for name, value in self.keys().items()})
        env["CURATOR_TMDB_IMAGES_URL"] = f"{self.tmdb.origin}/t/p"
        env["CURATOR_CINEMA_NL_IMAGES_URL"] = self.cinema_nl.origin
        env["CURATOR_POMS_KEY_PAGES_URL"] = self.poms.cinema_url  # the pages that publish its key
        return {**self.urls(), "provider_keys": self.keys(), "env": env}

    # -- counters and knobs ----------------------------------------------------------------------

    def requests(self) -> dict[str, RequestCounts]:
        return {service.name: service.requests for service in self.services}

    def rate_limited(self) -> dict[str, int]:
        return {service.name: service.rate_limited for service in self.services}

    def reset_counters(self) -> None:
        for service in self.services:
            service.reset_counters()

    def clear_faults(self) -> None:
        for service in self.services:
            service.clear_faults()
