"""What every fake metadata provider shares: a threaded HTTP/1.1 server on loopback, routing,
an auth hook, a sliding-window rate limit, fault knobs and request counters.

Order of work for each request, as a real service would do it: count it (total and by
endpoint) → rate limit at arrival (a "429 storm", then the sliding window; refused requests
get the provider's 429 body, with ``Retry-After`` unless that is switched off) → a pending
fault, if one matches → latency → auth → the endpoint. Artwork paths (``image_prefixes``) are
served as a tiny PNG and skip limits, faults and auth, like the real image hosts do.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from types import MappingProxyType
from typing import Any, ClassVar, Literal

from curator.demo.providers.images import PNG
from curator.demo.providers.ratelimit import RateLimit, SlidingWindow, retry_after_seconds
from curator.demo.serving import LoopbackHandler, LoopbackService, Request, Response, TrackingServer

log = logging.getLogger(__name__)

Latency = float | Callable[[Request], float]
Params = Mapping[str, str]
Handler = Callable[[Request, Params], Response]
FaultAction = Literal["fail", "malformed", "html", "truncate", "drop", "slow"]

JSON_TYPE = "application/json; charset=utf-8"
_MALFORMED = b'{"page": 1, "results": [{"id": 1, "title": "Trunc'
_HTML_PAGES = {
    200: b"<!DOCTYPE html><html><head><title>Sign in to the network</title></head><body>"
         b"<h1>Welcome!</h1><p>Please accept the terms of use to continue.</p></body></html>",
    502: b"<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>"
         b"</center><hr><center>nginx</center></body></html>",
}


@dataclass(frozen=True, slots=True)
class Route:
    """``template`` like ``/movie/{id}``, relative to the service's base path; it also names
    the endpoint in the counters."""

    method: str
    template: str
    handler: Handler
    public: bool = False

    def compile(self) -> re.Pattern[str]:
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.template))
        return re.compile(f"^{pattern}/?$")


@dataclass(frozen=True, slots=True)
class RequestCounts:
    """Requests received (answered, refused or faulted alike), in total and by endpoint."""

    total: int
    by_endpoint: Mapping[str, int]


@dataclass(slots=True, eq=False)
class _Fault:
    action: FaultAction
    remaining: int
    path_prefix: str | None
    status: int = 500
    retry_after: float | None = None
    seconds: float = 0.0


@dataclass(slots=True, eq=False)
class _Storm:
    remaining: int | None
    until: float | None
    retry_after: float | None


def json_response(payload: Any, status: int = 200, headers: tuple[tuple[str, str], ...] = ()) -> Response:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(status, body, JSON_TYPE, headers)


def status_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def retry_after_header(retry_after: float | None) -> tuple[tuple[str, str], ...]:
    return () if retry_after is None else (("Retry-After", str(retry_after_seconds(retry_after))),)


class _Handler(LoopbackHandler):
    unquote_path = False  # the provider fakes see the path as sent
    protocol_version = "HTTP/1.1"
    server_version = "CuratorFakeProvider/1.0"
    disable_nagle_algorithm = True  # small answers must not wait for the client's delayed ACK
    timeout = 30  # idle keep-alive connections end after this many seconds
    server: TrackingServer

    def answer(self) -> None:
        self.server.owner._serve(self)

    def send(self, response: Response, *, cut: bool = False, slow: float = 0.0) -> None:
        """Head and body in one write (or, for ``slow``, the body in timed pieces)."""
        lines = [f"HTTP/1.1 {response.status} {status_phrase(response.status)}", f"Server: {self.server_version}",
                 f"Content-Type: {response.content_type}", f"Content-Length: {len(response.body)}"]
        lines += [f"{name}: {value}" for name, value in response.headers]
        if cut:
            self.close_connection = True
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        body = response.body[: len(response.body) // 2] if cut else response.body
        try:
            if slow > 0 and body:
                self._send_slowly(head, body, slow)
            else:
                self.wfile.write(head + body)
        except OSError:
            log.debug("client went away during the answer")
            self.close_connection = True

    def _send_slowly(self, head: bytes, body: bytes, seconds: float) -> None:
        pieces = min(10, len(body))
        size = -(-len(body) // pieces)
        self.wfile.write(head)
        for start in range(0, len(body), size):
            time.sleep(seconds / pieces)
            self.wfile.write(body[start:start + size])


class FakeService(LoopbackService):
    """Base of the fake providers. Subclasses set ``name``, ``base_path`` and
    ``default_rate``, and implement :meth:`routes`, :meth:`error_response` and (unless every
    route is public) :meth:`authorise`."""

    name: ClassVar[str] = ""
    base_path: ClassVar[str] = ""
    image_prefixes: ClassVar[tuple[str, ...]] = ()
    default_rate: ClassVar[RateLimit] = RateLimit(1000, 1.0)
    handler = _Handler

    def __init__(self, *, rate: RateLimit | None = None, host: str = "127.0.0.1", port: int = 0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(host=host, port=port)
        self._clock = clock
        self._lock = threading.Lock()
        self._window: SlidingWindow | None = SlidingWindow(rate or self.default_rate, clock)
        self._send_retry_after = True
        self._storm: _Storm | None = None
        self._latency: Latency = 0.0
        self._faults: list[_Fault] = []
        self._total = 0
        self._by_endpoint: Counter[str] = Counter()
        self._requests_seen: Counter[str] = Counter()
        self._rate_limited = 0
        self._routes = [(route, route.compile()) for route in self.routes()]

    @property
    def display_name(self) -> str:
        return f"fake {self.name}"

    @property
    def url(self) -> str:
        """The base URL a client is configured with, e.g. ``http://127.0.0.1:PORT/3``."""
        return self.origin + self.base_path

    # -- rate-limit knobs --------------------------------------------------------------------

    @property
    def rate_limit(self) -> RateLimit | None:
        window = self._window
        return window.limit if window is not None else None

    def set_rate_limit(self, limit: RateLimit | None) -> None:
        """A new sliding window (empty); None turns rate limiting off."""
        with self._lock:
            self._window = SlidingWindow(limit, self._clock) if limit is not None else None

    def send_retry_after(self, enabled: bool) -> None:
        """False: answer 429s without a ``Retry-After`` header."""
        with self._lock:
            self._send_retry_after = enabled

    def start_429_storm(self, *, count: int | None = None, seconds: float | None = None,
                        retry_after: float | None = 1.0) -> None:
        """Answer every request with 429: the next ``count`` requests, for ``seconds``, or
        (both None) until :meth:`end_429_storm`."""
        until = self._clock() + seconds if seconds is not None else None
        with self._lock:
            self._storm = _Storm(count, until, retry_after)

    def end_429_storm(self) -> None:
        with self._lock:
            self._storm = None

    # -- fault knobs -------------------------------------------------------------------------

    def set_latency(self, latency: Latency) -> None:
        """Seconds to wait before answering: a number, or a function of the request."""
        if not callable(latency) and latency < 0:
            raise ValueError("latency cannot be negative")
        with self._lock:
            self._latency = latency

    def fail_next(self, count: int = 1, status: int = 500, *, retry_after: float | None = None,
                  path_prefix: str | None = None) -> None:
        """Answer the next ``count`` requests with ``status`` and the provider's error body."""
        self._add(_Fault("fail", count, path_prefix, status=status, retry_after=retry_after))

    def malformed_next(self, count: int = 1, *, path_prefix: str | None = None) -> None:
        """Answer 200 ``application/json`` with a body that is not valid JSON."""
        self._add(_Fault("malformed", count, path_prefix))

    def html_next(self, count: int = 1, *, status: Literal[200, 502] = 200, path_prefix: str | None = None) -> None:
        """Answer an HTML page: a captive portal (200) or a proxy's error page (502)."""
        self._add(_Fault("html", count, path_prefix, status=status))

    def truncate_next(self, count: int = 1, *, path_prefix: str | None = None) -> None:
        """Announce the full ``Content-Length``, send half the body, then close."""
        self._add(_Fault("truncate", count, path_prefix))

    def drop_next(self, count: int = 1, *, path_prefix: str | None = None) -> None:
        """Close the connection without answering."""
        self._add(_Fault("drop", count, path_prefix))

    def slow_body_next(self, count: int = 1, *, seconds: float = 1.0, path_prefix: str | None = None) -> None:
        """Send the answer's body in pieces spread over ``seconds``."""
        self._add(_Fault("slow", count, path_prefix, seconds=seconds))

    def clear_faults(self) -> None:
        """Forget pending faults, latency and any 429 storm (the rate limit stays)."""
        with self._lock:
            self._faults.clear()
            self._latency = 0.0
            self._storm = None

    # -- counters ----------------------------------------------------------------------------

    @property
    def requests(self) -> RequestCounts:
        with self._lock:
            return RequestCounts(self._total, MappingProxyType(dict(self._by_endpoint)))

    @property
    def rate_limited(self) -> int:
        """429 answers sent (by the limit, a storm or a fault)."""
        with self._lock:
            return self._rate_limited

    def reset_counters(self) -> None:
        with self._lock:
            self._total = 0
            self._by_endpoint.clear()
            self._requests_seen.clear()
            self._rate_limited = 0

    def repeated_requests(self) -> dict[str, int]:
        """Requests received more than once, as "METHOD path?sorted-query" (keys left out) → count:
        how tests show that a resumed run asked for nothing twice."""
        with self._lock:
            return {signature: n for signature, n in self._requests_seen.items() if n > 1}

    def request_signatures(self) -> Counter[str]:
        with self._lock:
            return Counter(self._requests_seen)

    # -- for subclasses ----------------------------------------------------------------------

    def routes(self) -> list[Route]:
        raise NotImplementedError

    def authorise(self, request: Request) -> Response | None:
        """None when the request may proceed, else the provider's refusal."""
        return None

    def error_response(self, status: int, retry_after: float | None = None) -> Response:
        """The provider's error answer for ``status`` (with ``Retry-After`` when given)."""
        raise NotImplementedError

    # -- internals ---------------------------------------------------------------------------

    def _add(self, fault: _Fault) -> None:
        if fault.remaining < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._faults.append(fault)

    def _serve(self, handler: _Handler) -> None:
        request = handler.read_request()
        if request.method == "GET" and request.path.startswith(self.image_prefixes):
            self._count("image")
            handler.send(Response(200, PNG, "image/png"))
            return
        route, params = self._match(request)
        self._count(route.template if route is not None else "unknown", request)
        refusal = self._refusal(handler.client_address[0])
        if refusal is not None:
            self._send(handler, refusal)
            return
        fault, latency = self._take_fault(request)
        delay = latency(request) if callable(latency) else latency
        if delay > 0:
            time.sleep(delay)
        if fault is None:
            self._send(handler, self._answer(request, route, params))
        elif fault.action == "drop":
            handler.close_connection = True
        else:
            response = self._fault_response(fault) or self._answer(request, route, params)
            self._send(handler, response, cut=fault.action == "truncate", slow=fault.seconds)

    def _match(self, request: Request) -> tuple[Route | None, Params]:
        base = self.base_path
        if base and not (request.path == base or request.path.startswith(base + "/")):
            return None, {}
        path = request.path[len(base):] or "/"
        for route, pattern in self._routes:
            if route.method == request.method and (found := pattern.match(path)):
                return route, found.groupdict()
        return None, {}

    def _count(self, endpoint: str, request: Request | None = None) -> None:
        with self._lock:
            self._total += 1
            self._by_endpoint[endpoint] += 1
            if request is not None:
                self._requests_seen[_signature(request)] += 1

    def _refusal(self, client: str) -> Response | None:
        with self._lock:
            storm, window, with_header = self._storm, self._window, self._send_retry_after
            if storm is not None:
                expired = (storm.until is not None and self._clock() >= storm.until) or storm.remaining == 0
                if expired:
                    self._storm = storm = None
                elif storm.remaining is not None:
                    storm.remaining -= 1
        if storm is not None:
            return self.error_response(429, storm.retry_after if with_header else None)
        wait = window.admit(client) if window is not None else None
        if wait is None:
            return None
        return self.error_response(429, wait if with_header else None)

    def _take_fault(self, request: Request) -> tuple[_Fault | None, Latency]:
        path = request.path[len(self.base_path):] if request.path.startswith(self.base_path) else request.path
        with self._lock:
            latency = self._latency
            fault = next((f for f in self._faults if f.path_prefix is None or path.startswith(f.path_prefix)), None)
            if fault is not None:
                fault.remaining -= 1
                if fault.remaining == 0:
                    self._faults = [f for f in self._faults if f is not fault]
        return fault, latency

    def _fault_response(self, fault: _Fault) -> Response | None:
        if fault.action == "fail":
            return self.error_response(fault.status, fault.retry_after)
        if fault.action == "malformed":
            return Response(200, _MALFORMED, JSON_TYPE)
        if fault.action == "html":
            return Response(fault.status, _HTML_PAGES[fault.status], "text/html; charset=utf-8")
        return None

    def _answer(self, request: Request, route: Route | None, params: Params) -> Response:
        if route is None:
            return self.error_response(404)
        if not route.public and (denial := self.authorise(request)) is not None:
            return denial
        try:
            return route.handler(request, params)
        except Exception:
            log.exception("fake %s failed on %s %s", self.name, request.method, request.path)
            return self.error_response(500)

    def _send(self, handler: _Handler, response: Response, *, cut: bool = False, slow: float = 0.0) -> None:
        if response.status == 429:
            with self._lock:
                self._rate_limited += 1
        handler.send(response, cut=cut, slow=slow)


_SECRET_PARAMS = frozenset({"api_key", "apikey", "client_key"})


def _signature(request: Request) -> str:
    query = "&".join(f"{k}={v}" for k, v in sorted(request.query.items()) if k not in _SECRET_PARAMS)
    body = f" {request.body.decode('utf-8', 'replace')}" if request.body else ""
    return f"{request.method} {request.path}?{query}{body}"
