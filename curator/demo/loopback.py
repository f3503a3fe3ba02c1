"""A small HTTP server on loopback that every demo fake builds on.

It runs ``http.server.ThreadingHTTPServer`` in a daemon thread, speaks HTTP/1.1 with keep-alive,
and gives each fake the same test knobs: latency, failing the next requests, dropping the
connection, serving an HTML page where an API answer was expected, and request counters.
Subclasses implement :meth:`LoopbackServer.handle` (and may shape their own error bodies).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Literal

from curator.demo.serving import LoopbackHandler, LoopbackService, Request, Response, TrackingServer

log = logging.getLogger(__name__)

DropMoment = Literal["before", "after", "mid_body"]

_HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>Sign in</title></head>"
    b"<body><h1>Please sign in to continue</h1><form method=\"post\"></form></body></html>"
)


@dataclass(slots=True, eq=False)
class _Rule:
    """A pending fault: applies to the next ``remaining`` requests that match."""

    action: Literal["fail", "drop", "html"]
    remaining: int
    method: str | None = None
    path_prefix: str | None = None
    status: int = 500
    retry_after: float | None = None
    moment: DropMoment = "before"

    def matches(self, request: Request) -> bool:
        if self.method is not None and request.method != self.method.upper():
            return False
        return self.path_prefix is None or request.path.startswith(self.path_prefix)


@dataclass(slots=True)
class _Knobs:
    latency: float = 0.0
    rules: list[_Rule] = field(default_factory=list)
    requests: Counter[tuple[str, str]] = field(default_factory=Counter)


class _Handler(LoopbackHandler):
    protocol_version = "HTTP/1.1"
    server_version = "CuratorDemo/1.0"
    timeout = 30  # idle keep-alive connections end after this many seconds
    disable_nagle_algorithm = True
    server: TrackingServer

    def answer(self) -> None:
        owner = self.server.owner
        request = self.read_request()
        rule = owner._begin(request)
        if rule is not None and rule.action == "drop" and rule.moment == "before":
            self.close_connection = True
            return
        if rule is not None and rule.action == "fail":
            response = owner.fault_response(rule.status, rule.retry_after)
        elif rule is not None and rule.action == "html":
            response = Response(200, _HTML_PAGE, "text/html; charset=utf-8")
        else:
            response = owner._handle_safely(request)
        if rule is not None and rule.action == "drop":
            self.close_connection = True
            if rule.moment == "mid_body":
                self._send(response, cut=True)
            return
        self._send(response)

    def _send(self, response: Response, *, cut: bool = False) -> None:
        """Write the whole answer in one go; ``cut`` stops halfway through the body (or the head,
        when there is no body) so the client sees a truncated answer."""
        self.log_request(response.status)
        lines = [
            f"{self.protocol_version} {response.status} {status_phrase(response.status)}",
            f"Server: {self.version_string()}",
            f"Date: {self.date_time_string()}",
            f"Content-Type: {response.content_type}",
            f"Content-Length: {len(response.body)}",
            *(f"{name}: {value}" for name, value in response.headers),
        ]
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        if not cut:
            self.wfile.write(head + response.body)
        elif response.body:
            self.wfile.write(head + response.body[: len(response.body) // 2])
        else:
            self.wfile.write(head[: len(head) // 2])


class LoopbackServer(LoopbackService):
    """Base of the fake Plex servers: knobs and counters. Subclasses implement ``handle``."""

    handler = _Handler
    poll_interval = 0.01

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host=host, port=port)
        self._knobs_lock = threading.Lock()
        self._knobs = _Knobs()

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:50123`` (no trailing slash)."""
        return self.origin

    # -- knobs -------------------------------------------------------------------------------

    def set_latency(self, seconds: float) -> None:
        """Wait this long before answering every request (0 turns it off)."""
        if seconds < 0:
            raise ValueError("latency cannot be negative")
        with self._knobs_lock:
            self._knobs.latency = seconds

    def fail_next(
        self,
        count: int = 1,
        status: int = 500,
        *,
        method: str | None = None,
        path_prefix: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        """Answer the next ``count`` matching requests with ``status`` (and ``Retry-After``)."""
        self._add_rule(_Rule("fail", count, method, path_prefix, status, retry_after))

    def drop_next(
        self,
        count: int = 1,
        *,
        method: str | None = None,
        path_prefix: str | None = None,
        moment: DropMoment = "before",
    ) -> None:
        """Close the connection on the next ``count`` matching requests.

        ``before``: without handling the request or answering; ``after``: the request is
        handled (an edit is applied) but no answer is sent; ``mid_body``: the request is
        handled and the answer is cut halfway through its body (through its head if it has
        no body).
        """
        self._add_rule(_Rule("drop", count, method, path_prefix, moment=moment))

    def serve_html_next(
        self, count: int = 1, *, method: str | None = None, path_prefix: str | None = None
    ) -> None:
        """Answer the next ``count`` matching requests with a 200 HTML page (a captive portal)."""
        self._add_rule(_Rule("html", count, method, path_prefix))

    def clear_faults(self) -> None:
        """Forget pending faults and latency."""
        with self._knobs_lock:
            self._knobs.rules.clear()
            self._knobs.latency = 0.0

    # -- counters ----------------------------------------------------------------------------

    def request_count(self, method: str | None = None, path: str | None = None) -> int:
        """Requests received (faulted ones included), optionally for one method and/or path."""
        with self._knobs_lock:
            return sum(
                count
                for (seen_method, seen_path), count in self._knobs.requests.items()
                if (method is None or seen_method == method.upper())
                and (path is None or seen_path == path)
            )

    def request_counts(self) -> dict[tuple[str, str], int]:
        """A copy of the counters, keyed by (method, path)."""
        with self._knobs_lock:
            return dict(self._knobs.requests)

    def reset_counters(self) -> None:
        with self._knobs_lock:
            self._knobs.requests.clear()

    # -- for subclasses ----------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        raise NotImplementedError

    def fault_response(self, status: int, retry_after: float | None) -> Response:
        """The answer for a request failed by :meth:`fail_next`. Subclasses shape the body."""
        return Response(status, f"{status} {status_phrase(status)}".encode(), headers=retry_after_header(retry_after))

    # -- internals ---------------------------------------------------------------------------

    def _add_rule(self, rule: _Rule) -> None:
        if rule.remaining < 1:
            raise ValueError("count must be at least 1")
        with self._knobs_lock:
            self._knobs.rules.append(rule)

    def _begin(self, request: Request) -> _Rule | None:
        """Count the request, wait the latency, and take the first fault that matches it."""
        with self._knobs_lock:
            self._knobs.requests[(request.method, request.path)] += 1
            latency = self._knobs.latency
            rule = next((r for r in self._knobs.rules if r.matches(request)), None)
            if rule is not None:
                rule.remaining -= 1
                if rule.remaining == 0:
                    self._knobs.rules = [r for r in self._knobs.rules if r is not rule]
        if latency:
            time.sleep(latency)
        return rule

    def _handle_safely(self, request: Request) -> Response:
        try:
            return self.handle(request)
        except Exception:
            log.exception("demo server %s failed on %s %s", type(self).__name__, request.method, request.path)
            return self.fault_response(500, None)


def status_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def retry_after_header(retry_after: float | None) -> tuple[tuple[str, str], ...]:
    if retry_after is None:
        return ()
    seconds = int(retry_after) if float(retry_after).is_integer() else retry_after
    return (("Retry-After", str(seconds)),)
