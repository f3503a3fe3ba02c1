"""One provider's door to the network: cache, circuit breaker, call budget, rate limiter,
retries, error mapping and statistics, in that order, around ``curator.net.http``.

Secrets enter a request only through an auth hook (an ``httpx.Auth``) at send time, so they
never reach a cache key, a cached payload, a log line of ours or an error message. Prefer
``HeaderAuth`` where the provider accepts it: httpx logs every request URL at INFO, so a key in
the query string (``QueryParamAuth``) relies on the log redaction filter. Custom hooks (request
signing, login tokens) subclass ``httpx.Auth`` and register their secrets with
``curator.domain.redaction.secrets``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Generator, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Protocol, TypeVar

import httpx

from curator.domain.errors import BadResponse, NotFound, RateLimited, RemoteError, StoreError
from curator.domain.redaction import redact, secrets
from curator.net.http import MAX_BODY_BYTES, parse_json, raise_for_status, send
from curator.net.ratelimit import CallBudget, LimiterStats, RateLimiter
from curator.net.resilience import SERVICE_FAILURES, BreakerState, CircuitBreaker, RetryPolicy

log = logging.getLogger(__name__)

T = TypeVar("T")
Params = Mapping[str, str | int | float | bool | None]
#: Runs one synchronous cache call somewhere that does not stall the event loop.
CacheOffload = Callable[[Callable[[], Any]], Awaitable[Any]]

#: How many recent latencies the p95 is computed from.
_LATENCY_WINDOW = 1024


# --- the cache seam ----------------------------------------------------------------------


class CacheHit(Protocol):
    """A cached answer: ``found`` False means the service said "not found" (payload is None)."""

    @property
    def found(self) -> bool: ...

    @property
    def payload(self) -> Any: ...


class ResponseCache(Protocol):
    """Synchronous response cache (``curator.store.cache.ProviderCache`` is the SQLite one).

    ``recall`` and ``flush_due`` answer from memory with no I/O: the gateway calls them on the
    event loop. ``get``, ``put``, ``preload`` and ``flush`` may block and run through the
    gateway's ``cache_offload``. ``ttl`` None lets the cache choose (30 days for found, 7 days
    for not found).
    """

    def make_key(self, provider: str, endpoint: str, params: dict[str, Any]) -> str: ...

    def recall(self, key: str) -> CacheHit | None:
        """The answer if the cache holds it in memory, else None (then ask ``get``)."""

    def get(self, key: str) -> CacheHit | None: ...

    def put(self, key: str, provider: str, payload: Any, *, found: bool,
            ttl: float | None = None) -> None: ...

    def preload(self, provider: str) -> int:
        """Read ``provider``'s recent answers into memory, so ``recall`` can give them."""

    def flush_due(self) -> bool:
        """Whether bookkeeping from ``recall`` waits for ``flush``."""

    def flush(self) -> None: ...


@dataclass(frozen=True, slots=True)
class StoredResponse:
    found: bool
    payload: Any


class MemoryCache:
    """A ResponseCache in a dict, for tests and cache-less runs; same TTL defaults as SQLite."""

    FOUND_TTL = 30 * 24 * 3600.0
    NOT_FOUND_TTL = 7 * 24 * 3600.0

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._entries: dict[str, tuple[float, StoredResponse]] = {}

    def make_key(self, provider: str, endpoint: str, params: dict[str, Any]) -> str:
        canonical = json.dumps(sorted((str(k), str(v)) for k, v in params.items()))
        return f"{provider}|{endpoint}|{canonical}"

    def recall(self, key: str) -> StoredResponse | None:
        return self._lookup(key)

    def get(self, key: str) -> StoredResponse | None:
        return self._lookup(key)

    def put(self, key: str, provider: str, payload: Any, *, found: bool,
            ttl: float | None = None) -> None:
        if ttl is None:
            ttl = self.FOUND_TTL if found else self.NOT_FOUND_TTL
        self._entries[key] = (self._clock() + ttl, StoredResponse(found, payload if found else None))

    def preload(self, provider: str) -> int:
        return 0  # everything is in memory already

    def flush_due(self) -> bool:
        return False

    def flush(self) -> None:
        pass

    def __len__(self) -> int:
        return len(self._entries)

    def _lookup(self, key: str) -> StoredResponse | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires_at, stored = entry
        if self._clock() >= expires_at:
            del self._entries[key]
            return None
        return stored


async def run_inline(call: Callable[[], T]) -> T:
    """CacheOffload for in-memory caches: just call it."""
    return call()


def in_executor(executor: Executor) -> CacheOffload:
    """CacheOffload on a given executor (e.g. one worker thread for SQLite)."""

    async def offload(call: Callable[[], Any]) -> Any:
        return await asyncio.get_running_loop().run_in_executor(executor, call)

    return offload


# --- auth hooks --------------------------------------------------------------------------


class HeaderAuth(httpx.Auth):
    """Sends a secret in a header, e.g. ``HeaderAuth("Authorization", token, scheme="Bearer")``."""

    def __init__(self, header: str, secret: str, *, scheme: str = "") -> None:
        secrets.register(secret)
        self._header = header
        self._value = f"{scheme} {secret}" if scheme else secret

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers[self._header] = self._value
        yield request


class QueryParamAuth(httpx.Auth):
    """Sends a secret as a query parameter (``apikey=…``), for providers that accept no header."""

    def __init__(self, param: str, secret: str) -> None:
        secrets.register(secret)
        self._param = param
        self._secret = secret

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.url = request.url.copy_set_param(self._param, self._secret)
        yield request


# --- statistics --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LatencyStats:
    """Seconds from sending a request to having its whole answer."""

    count: int
    mean: float
    p95: float


@dataclass(frozen=True, slots=True)
class GatewayStats:
    """A snapshot of one provider's traffic, for ``curator stats`` and the UI."""

    provider: str
    requests: int
    cache_hits: int
    rate_limited: int
    retries: int
    failures: Mapping[str, int]
    latency: LatencyStats
    breaker: BreakerState
    breaker_retry_in: float
    limiter: LimiterStats


class _Latencies:
    def __init__(self) -> None:
        self._count = 0
        self._total = 0.0
        self._recent: deque[float] = deque(maxlen=_LATENCY_WINDOW)

    def add(self, seconds: float) -> None:
        self._count += 1
        self._total += seconds
        self._recent.append(seconds)

    def summary(self) -> LatencyStats:
        if not self._count:
            return LatencyStats(0, 0.0, 0.0)
        ordered = sorted(self._recent)
        p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
        return LatencyStats(self._count, self._total / self._count, p95)


# --- the gateway -------------------------------------------------------------------------


class _NotFoundMarker:
    """The service said "not found" and the caller wants that as an empty answer."""


_NOT_FOUND = _NotFoundMarker()


@dataclass(slots=True)
class _Tally:
    """What one call has done so far, over all its attempts."""

    attempts: int = 0
    sent: int = 0


@dataclass(frozen=True, slots=True)
class _Call:
    method: str
    endpoint: str
    url: str
    params: dict[str, Any]
    json_body: Any
    headers: Mapping[str, str] | None
    not_found_is_empty: bool
    follow_redirects: bool
    #: How a successful answer is read (None: as JSON); what it returns is returned and cached.
    read: Callable[[str, httpx.Response], Any] | None = None
    #: Sees the body of every answer, whatever its status, before the status is mapped.
    screen: Callable[[str], None] | None = None


class ProviderGateway:
    """The only way provider code talks to its service. One per provider.

    ``name`` is the provider's stable id (cache keys, statistics); ``label`` the name users see
    in messages and logs (defaults to ``name``).
    """

    def __init__(self, name: str, base_url: str, client: httpx.AsyncClient, *,
                 limiter: RateLimiter, breaker: CircuitBreaker, label: str | None = None,
                 retry: RetryPolicy | None = None, cache: ResponseCache | None = None,
                 auth: httpx.Auth | None = None, budget: CallBudget | None = None,
                 max_in_flight: int | None = None, cache_offload: CacheOffload = asyncio.to_thread,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.name = name
        self.label = label or name
        self.base_url = base_url.rstrip("/")
        self._client = client
        self._limiter = limiter
        self._breaker = breaker
        self._retry = retry or RetryPolicy()
        self._cache = cache
        self._auth = auth
        self._budget = budget
        self._in_flight = asyncio.Semaphore(max_in_flight) if max_in_flight else None
        self._offload = cache_offload
        self._clock = clock
        self._requests = 0
        self._cache_hits = 0
        self._rate_limited = 0
        self._retries = 0
        self._failures: dict[str, int] = {}
        self._latencies = _Latencies()
        self._budget_used_up = False
        # Background cache work, kept so a task is not dropped while it runs: reading this
        # provider's recent answers into the cache's memory (once, at the first answer memory did
        # not hold) and writing the bookkeeping of answers given from memory.
        self._preloading: asyncio.Future[None] | None = None
        self._flushing: asyncio.Future[None] | None = None

    async def get_json(self, path: str, params: Params | None = None, *,
                       headers: Mapping[str, str] | None = None, cache_ttl: float | None = None,
                       not_found_is_empty: bool = True, follow_redirects: bool = False,
                       use_cache: bool = True) -> Any | None:
        """GET ``base_url + path`` as JSON; None when not found (unless ``not_found_is_empty``
        is False, then NotFound). Parameters that are None are left out.

        The cache key is provider + path + params (never headers or secrets); ``cache_ttl``
        bounds how long the answer, found or not, is kept (None: the cache's defaults).
        """
        call = _Call("GET", path, self._url(path), _clean(params), None, headers,
                     not_found_is_empty, follow_redirects)
        return await self._fetch(call, call.params, cache_ttl, use_cache)

    async def post_json(self, path: str, json_body: Any, params: Params | None = None, *,
                        headers: Mapping[str, str] | None = None, cache_ttl: float | None = None,
                        not_found_is_empty: bool = True, follow_redirects: bool = False,
                        use_cache: bool = False) -> Any | None:
        """POST ``json_body`` and read JSON back. Not cached unless ``use_cache`` (searches
        sent as POST may be; logins must not be)."""
        call = _Call("POST", path, self._url(path), _clean(params), json_body, headers,
                     not_found_is_empty, follow_redirects)
        key_params = {**call.params, "_body": json.dumps(json_body, sort_keys=True, default=str)}
        return await self._fetch(call, key_params, cache_ttl, use_cache)

    async def get_text(self, path: str, params: Params | None = None, *,
                       read: Callable[[str], Any] | None = None, screen: Callable[[str], None] | None = None,
                       headers: Mapping[str, str] | None = None, cache_ttl: float | None = None,
                       not_found_is_empty: bool = True, follow_redirects: bool = False,
                       use_cache: bool = True) -> Any | None:
        """GET ``base_url + path`` as text (a web page, a script): the text, or ``read(text)``
        when ``read`` is given; None when not found, as ``get_json``. The cache keeps what is
        returned: give ``read`` to keep the facts parsed from a big page rather than the page (it
        must return JSON-serialisable values), or ``use_cache=False``.

        ``screen(text)`` sees the body of every answer first, whatever its status, and may raise:
        a bot-challenge page sent as 403/429/503 must not pass for a refused key or a rate limit
        (and be retried). Both run inside the attempt, so what they raise is judged like any error
        of the service: a BadResponse is not retried and counts against the circuit breaker.
        """
        call = _Call("GET", path, self._url(path), _clean(params), None, headers, not_found_is_empty,
                     follow_redirects, read=functools.partial(_read_text, read), screen=screen)
        return await self._fetch(call, call.params, cache_ttl, use_cache)

    async def finish_cache_work(self) -> None:
        """Wait for the background cache work under way (a preload, writing last-used marks),
        e.g. before the database closes."""
        for task in (self._preloading, self._flushing):
            if task is not None and not task.done():
                await asyncio.shield(task)

    def stats(self) -> GatewayStats:
        return GatewayStats(
            provider=self.name,
            requests=self._requests,
            cache_hits=self._cache_hits,
            rate_limited=self._rate_limited,
            retries=self._retries,
            failures=MappingProxyType(dict(self._failures)),
            latency=self._latencies.summary(),
            breaker=self._breaker.state,
            breaker_retry_in=self._breaker.retry_in,
            limiter=self._limiter.stats(),
        )

    # --- one call: cache, then retries around single attempts ---

    async def _fetch(self, call: _Call, key_params: dict[str, Any], cache_ttl: float | None,
                     use_cache: bool) -> Any | None:
        cache = self._cache if use_cache else None
        key = None
        if cache is not None:
            key = cache.make_key(self.name, call.endpoint, key_params)
            hit = cache.recall(key)  # from memory: no thread hop
            if hit is None:
                self._start_preload(cache)
                hit = await self._read_cache(cache, key)
            elif cache.flush_due():
                self._start_flush(cache)
            if hit is not None:
                self._cache_hits += 1
                if hit.found:
                    return hit.payload
                if call.not_found_is_empty:
                    return None
                raise NotFound(self.label, "not found (remembered from an earlier answer)")
        outcome = await self._fetch_remote(call)
        found = outcome is not _NOT_FOUND
        if cache is not None and key is not None:
            await self._write_cache(cache, key, outcome if found else None, found, cache_ttl)
        return outcome if found else None

    async def _fetch_remote(self, call: _Call) -> Any:
        """Single attempts under the retry policy; the final error is counted and logged once."""
        tally = _Tally()

        async def attempt() -> Any:
            tally.attempts += 1
            return await self._attempt(call, tally)

        try:
            return await self._retry.call(attempt, on_retry=self._note_retry,
                                          may_retry=self._circuit_allows)
        except RemoteError as err:
            self._note_failure(call, err, skipped=tally.sent == 0)
            raise

    async def _attempt(self, call: _Call, tally: _Tally) -> Any:
        self._breaker.check()
        self._spend_budget()
        try:
            outcome = await self._exchange(call, tally)
        except SERVICE_FAILURES:
            if self._breaker.record_failure():
                log.warning("%s: %d failures in a row; skipping it for %.0f s", self.label,
                            self._breaker.failures, self._breaker.reset_after)
            raise
        except RemoteError:
            self._breaker.record_success()
            raise
        except BaseException:
            self._breaker.release()
            raise
        self._breaker.record_success()
        return outcome

    def _spend_budget(self) -> None:
        """Take one call from the budget, or raise RateLimited (no request is sent). Runs after
        the breaker check, so it gives back a half-open trial it cannot use."""
        if self._budget is None:
            return
        wait = self._budget.try_spend()
        if wait <= 0:
            self._budget_used_up = False
            return
        self._breaker.release()
        allowance = f"{self._budget.max_calls} per {_duration(self._budget.period)}"
        if not self._budget_used_up:
            self._budget_used_up = True
            log.warning("%s: request budget (%s) used up; skipping it for %.0f s", self.label,
                        allowance, wait)
        raise RateLimited(self.label, f"its request budget ({allowance}) is used up",
                          retry_after=wait, hint="Curator uses the other providers until it frees up.")

    async def _exchange(self, call: _Call, tally: _Tally) -> Any:
        """Wait for a slot, send once, map the status and parse the body."""
        async with self._in_flight or contextlib.nullcontext(), self._limiter.slot():
            self._requests += 1
            tally.sent += 1
            started = self._clock()
            response = await send(self._client, self.label, call.method, call.url,
                                  params=call.params, json=call.json_body, headers=call.headers,
                                  auth=self._auth, follow_redirects=call.follow_redirects)
            self._latencies.add(self._clock() - started)
        if call.screen is not None:
            call.screen(_body_text(self.label, response))
        try:
            raise_for_status(self.label, response)
        except RateLimited as err:
            self._rate_limited += 1
            pause = (err.retry_after if err.retry_after is not None
                     else self._retry.backoff(tally.attempts))
            self._limiter.pause(min(pause, self._retry.max_total_delay))
            raise
        except NotFound:
            if call.not_found_is_empty:
                return _NOT_FOUND
            raise
        if call.read is not None:
            return call.read(self.label, response)
        return parse_json(self.label, response)

    # --- bookkeeping ---

    def _circuit_allows(self) -> bool:
        return self._breaker.state is not BreakerState.OPEN

    def _note_retry(self, error: BaseException, delay: float, failed_attempt: int) -> None:
        self._retries += 1
        log.debug("%s: attempt %d failed (%s); retrying in %.2f s", self.label, failed_attempt,
                  type(error).__name__, delay)

    def _note_failure(self, call: _Call, error: RemoteError, *, skipped: bool) -> None:
        """Count and log the final error of a call, once. A call that sent nothing (open
        circuit, used-up budget) is a skip whose cause was logged when it began: a debug line."""
        kind = type(error).__name__
        self._failures[kind] = self._failures.get(kind, 0) + 1
        level = logging.DEBUG if skipped else logging.WARNING
        log.log(level, "%s %s failed [%s]: %s", call.method, call.endpoint, kind,
                redact(error.user_message), extra={"provider": self.name, "error_type": kind})

    async def _read_cache(self, cache: ResponseCache, key: str) -> CacheHit | None:
        try:
            hit: CacheHit | None = await self._offload(functools.partial(cache.get, key))
        except StoreError as err:
            log.warning("%s: response cache unreadable, asking the service (%s)", self.label,
                        type(err).__name__)
            return None
        return hit

    def _start_preload(self, cache: ResponseCache) -> None:
        """Once per gateway: have the cache read this provider's recent answers into memory,
        in the background (answers keep coming from ``get`` meanwhile)."""
        if self._preloading is None:
            self._preloading = asyncio.ensure_future(self._preload(cache))

    async def _preload(self, cache: ResponseCache) -> None:
        try:
            await self._offload(functools.partial(cache.preload, self.name))
        except StoreError as err:
            log.warning("%s: response cache unreadable, asking it answer by answer (%s)", self.label,
                        type(err).__name__)

    def _start_flush(self, cache: ResponseCache) -> None:
        """Have the cache write the bookkeeping of answers given from memory (last-used marks),
        in the background; one write at a time."""
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.ensure_future(self._flush(cache))

    async def _flush(self, cache: ResponseCache) -> None:
        try:
            await self._offload(cache.flush)
        except StoreError as err:  # the marks are kept for the next try
            log.debug("%s: cache bookkeeping not written yet (%s)", self.label, type(err).__name__)

    async def _write_cache(self, cache: ResponseCache, key: str, payload: Any, found: bool,
                           ttl: float | None) -> None:
        try:
            await self._offload(functools.partial(cache.put, key, self.name, payload,
                                                  found=found, ttl=ttl))
        except StoreError as err:
            log.warning("%s: could not cache the answer (%s)", self.label, type(err).__name__)

    def _url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"


def _body_text(service: str, response: httpx.Response) -> str:
    """The body as text (charset from the headers, else UTF-8); BadResponse when oversized."""
    if len(response.content) > MAX_BODY_BYTES:
        raise BadResponse(service, f"answer too large ({len(response.content)} bytes)")
    return response.text


def _read_text(read: Callable[[str], Any] | None, service: str, response: httpx.Response) -> Any:
    text = _body_text(service, response)
    return read(text) if read is not None else text


def _clean(params: Params | None) -> dict[str, Any]:
    return {name: value for name, value in (params or {}).items() if value is not None}


def _duration(seconds: float) -> str:
    if seconds >= 86400 and seconds % 86400 == 0:
        days = int(seconds // 86400)
        return "day" if days == 1 else f"{days} days"
    return f"{seconds:g} s"
