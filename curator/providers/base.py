"""The provider seam: what every metadata source offers, its settings, and how its gateway is
built.

A provider module turns its service's raw JSON (or HTML) into ``Candidate`` values; raw
payloads never leave the ``providers`` package. It talks to the network only through its
``ProviderGateway`` (cache, rate limit, retries, circuit breaker), so it never sleeps, retries
or handles a 429 itself.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import httpx

from curator import settings as app_settings
from curator.domain.models import Candidate, ExternalIds, MediaKind
from curator.net.gateway import CacheOffload, ProviderGateway, ResponseCache
from curator.net.ratelimit import CallBudget, RateLimiter
from curator.net.resilience import CircuitBreaker, RetryPolicy

log = logging.getLogger(__name__)

DAY = 24 * 3600.0


class Provider(Protocol):
    """A metadata source. ``language`` is an IETF tag such as ``"nl"`` or ``"nl-NL"``; each
    provider maps it to its own form (TMDB ``nl-NL``, TheTVDB ``nld``). Errors are
    ``curator.domain.errors.RemoteError`` subclasses, raised by the gateway."""

    name: str
    kinds: frozenset[MediaKind]

    async def search(self, title: str, year: int | None, kind: MediaKind,
                     language: str) -> list[Candidate]:
        """Candidates for a title (and year, when known), best guesses first."""
        ...

    async def lookup(self, ids: ExternalIds, kind: MediaKind, language: str) -> Candidate | None:
        """The record for a known imdb/tmdb/tvdb id, or None when the service has none."""
        ...

    async def details(self, candidate: Candidate, language: str) -> Candidate:
        """The candidate with summary, poster and ids filled in, in ``language`` where the
        service has it (``summary_language`` says which language it got)."""
        ...

    async def episode_summaries(self, candidate: Candidate,
                                language: str) -> dict[tuple[int, int], str]:
        """Episode summaries of a show by (season, episode). Optional: a provider without
        them returns {} or raises NotImplementedError."""
        ...


@dataclass(frozen=True, slots=True)
class Rate:
    """At most ``max_calls`` requests in any ``period`` seconds."""

    max_calls: int
    period: float

    @property
    def per_second(self) -> float:
        return self.max_calls / self.period


@dataclass(frozen=True, slots=True)
class ProviderSettings:
    """How Curator talks to one provider. ``concurrency`` caps requests in flight at once;
    ``daily_budget`` is a hard quota per day (skipped, not waited for, when used up)."""

    name: str
    label: str
    base_url: str
    rate: Rate
    enabled: bool = True
    concurrency: int = 4
    daily_budget: int | None = None
    #: Space requests evenly (period / max_calls apart) rather than in bursts: see RateLimiter.
    paced: bool = True


@dataclass(frozen=True, slots=True)
class _Defaults:
    label: str
    endpoint: str
    rate: Rate
    concurrency: int
    enabled: bool = True
    daily_budget: int | None = None


# Sources: shared/docs/PROVIDERS.md. Each rate sits at or under the published limit.
_DEFAULTS: dict[str, _Defaults] = {
    # "somewhere in the 40 requests per second range": stay a little under it.
    "tmdb": _Defaults("TMDB", "TMDB", Rate(35, 1.0), concurrency=8),
    # No published limit: be polite.
    "tvdb": _Defaults("TheTVDB", "TVDB", Rate(10, 1.0), concurrency=4),
    # "at least 20 calls every 10 seconds per IP address".
    "tvmaze": _Defaults("TVmaze", "TVMAZE", Rate(20, 10.0), concurrency=2),
    # Free tier: 1,000 requests a day, plus a polite per-second cap.
    "omdb": _Defaults("OMDb", "OMDB", Rate(5, 1.0), concurrency=2, daily_budget=1000),
    # Artwork only, no published limit: be polite. Off until the user adds a key.
    "fanart": _Defaults("fanart.tv", "FANART", Rate(5, 1.0), concurrency=2, enabled=False),
    # The budget c-kick/vpro-cinema-plex uses; unofficial API, so off by default.
    "poms": _Defaults("NPO POMS", "POMS", Rate(5, 1.0), concurrency=2, enabled=False),
    # A web site, not an API: 2 pages a second, one at a time; off by default.
    "cinema_nl": _Defaults("cinema.nl", "CINEMA_NL", Rate(2, 1.0), concurrency=1, enabled=False),
    # The same site's pages that publish NPO's POMS key, read only to find that key.
    "poms_key_pages": _Defaults("cinema.nl", "POMS_KEY_PAGES", Rate(2, 1.0), concurrency=1, enabled=False),
}


def default_settings(environ: dict[str, str] | None = None) -> dict[str, ProviderSettings]:
    """Every known provider with its default limits. Base URLs honour ``CURATOR_<NAME>_URL``;
    ``CURATOR_<NAME>_RATE=N/SECONDS`` (e.g. ``200/1``) replaces the rate limit — for a caching
    proxy or a paid plan with a higher limit, and for the demo's benchmarks."""
    env = os.environ if environ is None else environ
    return {
        name: ProviderSettings(name=name, label=d.label,
                               base_url=app_settings.endpoint(d.endpoint, environ),
                               rate=_rate_override(env.get(f"CURATOR_{d.endpoint}_RATE"), d.rate),
                               enabled=d.enabled, concurrency=d.concurrency,
                               daily_budget=d.daily_budget)
        for name, d in _DEFAULTS.items()
    }


def _rate_override(text: str | None, default: Rate) -> Rate:
    if not text:
        return default
    calls, _, period = text.partition("/")
    try:
        rate = Rate(int(calls), float(period or 1))
    except ValueError:
        log.warning("ignoring a rate setting that is not N/SECONDS: %r", text[:40])
        return default
    return rate if rate.max_calls >= 1 and rate.period > 0 else default


def build_gateway(config: ProviderSettings, client: httpx.AsyncClient, *,
                  cache: ResponseCache | None = None, auth: httpx.Auth | None = None,
                  retry: RetryPolicy | None = None, breaker: CircuitBreaker | None = None,
                  cache_offload: CacheOffload = asyncio.to_thread,
                  clock: Callable[[], float] = time.monotonic) -> ProviderGateway:
    """A gateway with the limiter, budget and in-flight cap that ``config`` asks for."""
    budget = (CallBudget(config.daily_budget, DAY, clock=clock)
              if config.daily_budget is not None else None)
    return ProviderGateway(
        config.name, config.base_url, client,
        label=config.label,
        limiter=RateLimiter(config.rate.max_calls, config.rate.period, clock=clock, paced=config.paced),
        breaker=breaker or CircuitBreaker(clock=clock, service=config.label),
        retry=retry, cache=cache, auth=auth, budget=budget,
        max_in_flight=config.concurrency, cache_offload=cache_offload, clock=clock,
    )
