"""What every demo fake (Plex and the providers) shares: a threaded HTTP server on loopback
that really disconnects its clients when stopped, and the start/stop life cycle around it.

The fakes build on this and on nothing of Curator's clients (``curator.plex``,
``curator.providers``, ``curator.net``), so a client's mistake can't hide in shared code.
"""

from __future__ import annotations

import logging
import socket
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self
from urllib.parse import parse_qsl, unquote, urlsplit

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Request:
    """One request as a fake sees it. Header names are lower-case."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def param(self, name: str) -> str | None:
        """A query argument, else the header of the same name (how Plex reads ``X-Plex-*``)."""
        value = self.query.get(name)
        return value if value is not None else self.header(name)


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()


class LoopbackHandler(BaseHTTPRequestHandler):
    """Reads a request the way every fake sees it; subclasses answer it."""

    unquote_path: ClassVar[bool] = True  # Plex sees "/library/metadata/1" however it was escaped

    def answer(self) -> None:
        raise NotImplementedError

    def do_GET(self) -> None:
        self.answer()

    def do_POST(self) -> None:
        self.answer()

    def do_PUT(self) -> None:
        self.answer()

    def do_DELETE(self) -> None:
        self.answer()

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def read_request(self) -> Request:
        target = urlsplit(self.path)
        query: dict[str, str] = {}
        for key, value in parse_qsl(target.query, keep_blank_values=True):
            query.setdefault(key, value)
        headers = {name.lower(): value for name, value in self.headers.items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        path = unquote(target.path) if self.unquote_path else target.path
        return Request(self.command, path or "/", query, headers, body)



class TrackingServer(ThreadingHTTPServer):
    """Keeps track of open connections so that stopping really disconnects every client.
    ``owner`` is the fake the request handler hands each request to."""

    daemon_threads = True
    request_queue_size = 1024  # the default (5) drops connections under a burst of clients

    def __init__(self, address: tuple[str, int], owner: Any, handler: type[BaseHTTPRequestHandler]) -> None:
        self.owner = owner
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request, client_address):  # type: ignore[no-untyped-def]
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request):  # type: ignore[no-untyped-def]
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request, client_address):  # type: ignore[no-untyped-def]
        """Called inside socketserver's exception handler: a client that went away is no news."""
        log.debug("connection from %s ended with %r", client_address, sys.exc_info()[1])

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
            self._connections.clear()
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                log.debug("connection already closed")
            connection.close()


class LoopbackService:
    """Start, stop, ``with``, port and origin of a fake served by a ``TrackingServer``.
    Subclasses set ``handler`` (the request handler class) and may set ``display_name``."""

    handler: ClassVar[type[BaseHTTPRequestHandler]]
    poll_interval: ClassVar[float] = 0.05

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self._address = (host, port)
        self._server: TrackingServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def display_name(self) -> str:
        return type(self).__name__

    def start(self) -> Self:
        if self._server is not None:
            raise RuntimeError(f"{self.display_name} is already running")
        self._server = TrackingServer(self._address, self, self.handler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": self.poll_interval},
                                        name=f"{self.display_name}@{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError(f"{self.display_name} is not running")
        return int(self._server.server_address[1])

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        return f"http://{self._address[0]}:{self.port}"
