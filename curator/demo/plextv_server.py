"""A fake plex.tv on loopback: PIN sign-in, token check and server discovery (PLEX_API.md §4–5).

- ``POST /api/v2/pins[?strong=true]`` → 201 with a PIN (strong: 25-character code, 1800 s).
- ``GET /api/v2/pins/{id}`` → the PIN; ``authToken`` stays null until approved
  (:meth:`FakePlexTv.approve_pin` or :meth:`FakePlexTv.auto_approve_after`). Unknown or expired
  → 404 code 1020; polling faster than ``min_poll_interval`` → 429 code 1003.
- ``GET /api/v2/user`` → the account, or 401 code 1001.
- ``GET /api/v2/resources`` → the servers registered with :meth:`FakePlexTv.add_server` (a local
  http connection to their loopback URL plus remote and relay connections that lead nowhere), a
  player device and a friend's server.
- ``GET /auth`` → a page standing in for app.plex.tv/auth, where the PIN flow sends the browser.

Every ``/api/v2`` request needs ``X-Plex-Client-Identifier`` (header or query), else 400 code 1000.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import string
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from curator.demo.loopback import (
    LoopbackServer,
    Request,
    Response,
    retry_after_header,
    status_phrase,
)

DEFAULT_ACCOUNT_TOKEN = "demo-plextv-account-token"
STRONG_PIN_LIFETIME = 1800
PIN_LIFETIME = 900

_JSON = "application/json; charset=utf-8"
# Stands in for app.plex.tv/auth (the browser page of the PIN flow), so the demo needs no internet.
_AUTH_PAGE = (
    b"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Plex (Curator demo)</title></head>"
    b"<body><h1>Curator demo sign-in</h1><p>This is the demo's stand-in for the Plex sign-in page. The demo "
    b"signs you in by itself: go back to Curator.</p></body></html>"
)
_FIRST_PIN_ID = 500_000_001
_PIN_PATH = re.compile(r"/api/v2/pins/(\d+)")
_LOCATION = {
    "code": "NL",
    "european_union_member": True,
    "continent_code": "EU",
    "country": "The Netherlands",
    "city": "Utrecht",
    "time_zone": "Europe/Amsterdam",
    "postal_code": "3511",
    "in_privacy_restricted_country": True,
    "in_privacy_restricted_region": True,
    "subdivisions": "Utrecht",
    "coordinates": "52.0908, 5.1222",
}


class PlexServerLike(Protocol):
    """What plex.tv needs to know about a server to list it (the fake PMS has all of it)."""

    name: str
    machine_identifier: str
    version: str

    @property
    def url(self) -> str: ...

    @property
    def token(self) -> str | None: ...


@dataclass(slots=True)
class PinState:
    id: int
    code: str
    client_identifier: str
    product: str
    created_at: datetime
    expires_at: float  # on the server's clock
    lifetime: int
    auth_token: str | None = None
    polls: int = 0
    last_poll: float | None = None


def errors_body(code: int, message: str, status: int | None = None) -> bytes:
    error: dict[str, Any] = {"code": code, "message": message}
    if status is not None:
        error["status"] = status
    return json.dumps({"errors": [error]}).encode()


class FakePlexTv(LoopbackServer):
    """Fake plex.tv. ``clock`` (monotonic seconds) drives PIN expiry and the poll rate limit."""

    def __init__(
        self,
        *,
        account_token: str = DEFAULT_ACCOUNT_TOKEN,
        username: str = "curator-demo",
        email: str = "demo@curator.invalid",
        min_poll_interval: float = 0.5,
        clock: Callable[[], float] = time.monotonic,
        seed: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__(host=host, port=port)
        self.account_token = account_token
        self.username = username
        self.email = email
        self.min_poll_interval = min_poll_interval
        self._clock = clock
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self._pins: dict[int, PinState] = {}
        self._next_pin_id = _FIRST_PIN_ID
        self._tokens = {account_token}
        self._servers: list[PlexServerLike] = []
        self._auto_approve: tuple[int, str] | None = None

    # -- knobs -------------------------------------------------------------------------------

    def add_server(self, server: PlexServerLike) -> None:
        """List ``server`` in ``/api/v2/resources`` (its URL and token are read at request time)."""
        with self._lock:
            self._servers.append(server)

    def approve_pin(self, pin: int | str, token: str | None = None) -> str:
        """Sign the user in on ``pin`` (id or code): the next poll returns ``token``."""
        with self._lock:
            state = self._find(pin)
            if state is None:
                raise KeyError(pin)
            state.auth_token = self._issue(token)
            return state.auth_token

    def auto_approve_after(self, polls: int | None, token: str | None = None) -> None:
        """Approve every PIN on its ``polls``-th poll (None turns it off) — for the demo."""
        if polls is not None and polls < 1:
            raise ValueError("polls must be at least 1")
        with self._lock:
            self._auto_approve = None if polls is None else (polls, token or self.account_token)

    def expire_pin(self, pin: int | str) -> None:
        """Make ``pin`` (id or code) expire now."""
        with self._lock:
            state = self._find(pin)
            if state is None:
                raise KeyError(pin)
            state.expires_at = self._clock()

    def pin(self, pin: int | str) -> PinState | None:
        """The server's state of a PIN (id or code), for tests."""
        with self._lock:
            return self._find(pin)

    # -- HTTP --------------------------------------------------------------------------------

    def fault_response(self, status: int, retry_after: float | None) -> Response:
        return Response(status, errors_body(0, status_phrase(status), status), _JSON, retry_after_header(retry_after))

    def handle(self, request: Request) -> Response:
        path = request.path.rstrip("/")
        if path == "/auth" and request.method == "GET":
            return Response(200, _AUTH_PAGE, "text/html; charset=utf-8")
        if not path.startswith("/api/v2/"):
            return _json(404, errors_body(1000, "Not found", 404))
        client_identifier = request.param("X-Plex-Client-Identifier")
        if not client_identifier:
            return _json(400, errors_body(1000, "X-Plex-Client-Identifier is missing", 400))
        if path == "/api/v2/pins" and request.method == "POST":
            return self._create_pin(request, client_identifier)
        if (match := _PIN_PATH.fullmatch(path)) and request.method == "GET":
            return self._poll_pin(int(match.group(1)), client_identifier)
        if path == "/api/v2/user" and request.method == "GET":
            return self._user(request)
        if path == "/api/v2/resources" and request.method == "GET":
            return self._resources(request)
        return _json(404, errors_body(1000, "Not found", 404))

    def _create_pin(self, request: Request, client_identifier: str) -> Response:
        strong = (request.query.get("strong") or "").lower() in ("true", "1")
        lifetime = STRONG_PIN_LIFETIME if strong else PIN_LIFETIME
        now = self._clock()
        with self._lock:
            alphabet = string.ascii_lowercase + string.digits if strong else string.ascii_uppercase + string.digits
            code = "".join(self._rng.choice(alphabet) for _ in range(25 if strong else 4))
            state = PinState(
                id=self._next_pin_id,
                code=code,
                client_identifier=client_identifier,
                product=request.param("X-Plex-Product") or "",
                created_at=datetime.now(UTC).replace(microsecond=0),
                expires_at=now + lifetime,
                lifetime=lifetime,
            )
            self._next_pin_id += 1
            self._pins[state.id] = state
            body = self._pin_json(state, now)
        return _json(201, body)

    def _poll_pin(self, pin_id: int, client_identifier: str) -> Response:
        now = self._clock()
        with self._lock:
            state = self._pins.get(pin_id)
            if state is None or state.client_identifier != client_identifier or now >= state.expires_at:
                self._pins.pop(pin_id, None)
                return _json(404, errors_body(1020, "Code not found or expired"))
            if state.last_poll is not None and now - state.last_poll < self.min_poll_interval:
                return _json(429, errors_body(1003, "API rate limit exceeded"))
            state.last_poll = now
            state.polls += 1
            if self._auto_approve is not None and state.auth_token is None and state.polls >= self._auto_approve[0]:
                state.auth_token = self._issue(self._auto_approve[1])
            body = self._pin_json(state, now)
        return _json(200, body)

    def _user(self, request: Request) -> Response:
        token = self._authorized(request)
        if token is None:
            return _unauthorized()
        digest = hashlib.sha1(self.username.encode()).hexdigest()
        return _json(200, json.dumps({
            "id": 40_000_001,
            "uuid": digest[:16],
            "username": self.username,
            "title": self.username,
            "email": self.email,
            "friendlyName": "",
            "locale": None,
            "confirmed": True,
            "joinedAt": 1_600_000_000,
            "emailOnlyAuth": False,
            "hasPassword": True,
            "protected": False,
            "thumb": f"https://plex.tv/users/{digest[:16]}/avatar?c=1600000000",
            "authToken": token,
            "country": "NL",
            "subscription": {"active": False, "subscribedAt": None, "status": "Inactive", "paymentService": None,
                             "plan": None, "features": []},
            "restricted": False,
            "home": False,
            "guest": False,
            "homeAdmin": False,
            "twoFactorEnabled": False,
        }).encode())

    def _resources(self, request: Request) -> Response:
        if self._authorized(request) is None:
            return _unauthorized()
        include_relay = request.query.get("includeRelay") == "1"
        with self._lock:
            servers = list(self._servers)
        devices = [_server_resource(server, include_relay) for server in servers]
        devices.append(_player_resource())
        devices.append(_friends_server(include_relay))
        return _json(200, json.dumps(devices).encode())

    # -- internals ---------------------------------------------------------------------------

    def _authorized(self, request: Request) -> str | None:
        token = request.param("X-Plex-Token")
        with self._lock:
            return token if token in self._tokens else None

    def _issue(self, token: str | None) -> str:
        """Register a token plex.tv accepts from now on (the caller holds the lock)."""
        issued = token or self.account_token
        self._tokens.add(issued)
        return issued

    def _find(self, pin: int | str) -> PinState | None:
        """A PIN by id, or by code (a str that is no PIN's code but all digits is taken as an id)."""
        if isinstance(pin, int):
            return self._pins.get(pin)
        by_code = next((state for state in self._pins.values() if state.code == pin), None)
        if by_code is None and pin.isdigit():
            return self._pins.get(int(pin))
        return by_code

    @staticmethod
    def _pin_json(state: PinState, now: float) -> bytes:
        expires_in = max(0, int(state.expires_at - now))
        expires_at = datetime.fromtimestamp(state.created_at.timestamp() + state.lifetime, UTC)
        return json.dumps({
            "id": state.id,
            "code": state.code,
            "product": state.product,
            "trusted": False,
            "qr": f"https://plex.tv/api/v2/pins/qr/{state.code}",
            "clientIdentifier": state.client_identifier,
            "location": _LOCATION,
            "expiresIn": expires_in,
            "createdAt": _iso(state.created_at),
            "expiresAt": _iso(expires_at),
            "authToken": state.auth_token,
            "newRegistration": None,
        }).encode()


def _json(status: int, body: bytes) -> Response:
    return Response(status, body, _JSON)


def _unauthorized() -> Response:
    return _json(401, errors_body(1001, "User could not be authenticated", 401))


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _plex_direct(address: str, port: int, machine_identifier: str) -> dict[str, Any]:
    digest = hashlib.sha1(machine_identifier.encode()).hexdigest()
    return {"protocol": "https", "address": address, "port": port,
            "uri": f"https://{address.replace('.', '-')}.{digest}.plex.direct:{port}"}


def _server_resource(server: PlexServerLike, include_relay: bool) -> dict[str, Any]:
    target = urlsplit(server.url)
    connections = [
        {"protocol": "http", "address": target.hostname, "port": target.port, "uri": server.url,
         "local": True, "relay": False, "IPv6": False},
        # documentation addresses (RFC 5737): plausible, never reachable
        {**_plex_direct("203.0.113.10", 32400, server.machine_identifier), "local": False, "relay": False,
         "IPv6": False},
    ]
    if include_relay:
        connections.append({**_plex_direct("198.51.100.20", 8443, server.machine_identifier), "local": False,
                            "relay": True, "IPv6": False})
    return {
        "name": server.name,
        "product": "Plex Media Server",
        "productVersion": server.version,
        "platform": "Linux",
        "platformVersion": "6.1.0 (Debian 12)",
        "device": "PC",
        "clientIdentifier": server.machine_identifier,
        "createdAt": "2023-05-01T10:00:00Z",
        "lastSeenAt": _iso(datetime.now(UTC)),
        "provides": "server",
        "ownerId": None,
        "sourceTitle": None,
        "publicAddress": "203.0.113.10",
        "accessToken": server.token or "",
        "owned": True,
        "home": False,
        "synced": False,
        "relay": True,
        "presence": True,
        "httpsRequired": False,
        "publicAddressMatches": False,
        "dnsRebindingProtection": False,
        "natLoopbackSupported": False,
        "connections": connections,
    }


def _player_resource() -> dict[str, Any]:
    return {
        "name": "Living Room TV",
        "product": "Plex for Android (TV)",
        "productVersion": "10.20.1.1234",
        "platform": "Android",
        "platformVersion": "12",
        "device": "SHIELD Android TV",
        "clientIdentifier": "demo-player-0001",
        "createdAt": "2023-06-01T18:00:00Z",
        "lastSeenAt": "2024-09-01T20:00:00Z",
        "provides": "client,player,pubsub-player",
        "ownerId": None,
        "sourceTitle": None,
        "publicAddress": "203.0.113.10",
        "accessToken": "demo-player-token",
        "owned": True,
        "home": False,
        "synced": False,
        "relay": False,
        "presence": False,
        "httpsRequired": False,
        "publicAddressMatches": True,
        "dnsRebindingProtection": False,
        "natLoopbackSupported": False,
        "connections": [],
    }


def _friends_server(include_relay: bool) -> dict[str, Any]:
    machine_identifier = "f00dfacefeed0000demo0000000000000000beef"
    connections = [
        {**_plex_direct("192.0.2.44", 32400, machine_identifier), "local": True, "relay": False, "IPv6": False},
        {**_plex_direct("192.0.2.45", 32400, machine_identifier), "local": False, "relay": False, "IPv6": False},
    ]
    if include_relay:
        connections.append({**_plex_direct("198.51.100.21", 8443, machine_identifier), "local": False,
                            "relay": True, "IPv6": False})
    return {
        "name": "Friend's Server",
        "product": "Plex Media Server",
        "productVersion": "1.40.1.8227-c0dd5a73e",
        "platform": "Windows",
        "platformVersion": "10.0 (Build 19045)",
        "device": "PC",
        "clientIdentifier": machine_identifier,
        "createdAt": "2021-03-12T02:21:19Z",
        "lastSeenAt": "2024-08-30T12:00:00Z",
        "provides": "server",
        "ownerId": 40_000_777,
        "sourceTitle": "a-friend",
        "publicAddress": "192.0.2.45",
        "accessToken": "demo-friend-token",
        "owned": False,
        "home": False,
        "synced": False,
        "relay": True,
        "presence": False,
        "httpsRequired": False,
        "publicAddressMatches": False,
        "dnsRebindingProtection": False,
        "natLoopbackSupported": False,
        "connections": connections,
    }
