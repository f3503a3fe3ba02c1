"""plex.tv: sign in with a PIN in the browser, check a token, discover the user's servers."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import httpx

from curator import settings
from curator.domain.errors import AuthFailed, BadResponse, InvalidInput, RateLimited, RemoteError, Unreachable
from curator.domain.redaction import secrets
from curator.net.http import parse_json, raise_for_status, send
from curator.plex.client import PROBE_TIMEOUT, PRODUCT, PlexClient, client_headers

log = logging.getLogger(__name__)

SERVICE = "plex.tv"
#: Longest pause between two PIN polls after plex.tv asked Curator to slow down.
MAX_POLL_INTERVAL = 15.0


class PinExpired(AuthFailed):
    """The sign-in code ran out (or plex.tv no longer knows it) before the user approved it."""

    hint = "Start “Sign in with Plex” again and approve the code in the browser within a few minutes."


@dataclass(frozen=True, slots=True)
class Pin:
    """A sign-in code. ``expires_in`` is the lifetime plex.tv gave it, in seconds."""

    id: int
    code: str
    expires_at: datetime | None
    expires_in: float


@dataclass(frozen=True, slots=True)
class PlexConnection:
    uri: str
    protocol: str
    address: str
    port: int
    local: bool
    relay: bool


@dataclass(frozen=True, slots=True)
class PlexResource:
    """A Plex Media Server the signed-in user can reach, with its own access token."""

    name: str
    client_identifier: str
    access_token: str = field(repr=False)
    owned: bool
    product_version: str
    connections: tuple[PlexConnection, ...]


class PlexTvClient:
    def __init__(self, http: httpx.AsyncClient, client_identifier: str, product: str = PRODUCT,
                 base_url: str | None = None) -> None:
        self._http = http
        self._client_identifier = client_identifier
        self._product = product
        self._base_url = (base_url or settings.endpoint("PLEXTV")).rstrip("/")
        self._headers = client_headers(client_identifier, product)

    async def create_pin(self, strong: bool = True) -> Pin:
        """A new sign-in code; strong codes (25 characters) live longer than 4-character ones."""
        params = {"strong": "true"} if strong else None
        response = await self._send("POST", "/api/v2/pins", params=params)
        raise_for_status(SERVICE, response)
        return _parse_pin(parse_json(SERVICE, response))

    def auth_url(self, pin: Pin) -> str:
        """The page to open in the user's browser to approve ``pin``."""
        query = urlencode({
            "clientID": self._client_identifier,
            "code": pin.code,
            "context[device][product]": self._product,
        })
        return f"{settings.endpoint('PLEX_AUTH_APP')}#?{query}"

    async def wait_for_token(self, pin: Pin, *, interval: float = 1.0,
                             sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
                             clock: Callable[[], float] = time.monotonic) -> str:
        """Poll until the user approved ``pin`` and return the token. Slows down when plex.tv
        answers 429; raises PinExpired when the code's lifetime (counted from now) is over or
        plex.tv no longer knows it. Cancel the task to stop waiting."""
        deadline = clock() + pin.expires_in
        while True:
            if clock() >= deadline:
                raise _pin_expired(status=None)
            try:
                token = await self._poll_pin(pin)
            except RateLimited as exc:
                interval = max(min(interval * 2, MAX_POLL_INTERVAL), exc.retry_after or 0.0)
                log.info("plex.tv asked to poll more slowly; waiting %.1f s between polls", interval)
            else:
                if token:
                    secrets.register(token)
                    return token
            await sleep(interval)

    async def check_token(self, token: str) -> bool:
        """True if plex.tv accepts ``token``, False if it refuses it (401); other failures raise."""
        secrets.register(token)
        response = await self._send("GET", "/api/v2/user", token=token)
        if response.status_code == 401:
            return False
        raise_for_status(SERVICE, response)
        return True

    async def resources(self, token: str) -> list[PlexResource]:
        """The Plex Media Servers this account can use (other devices are left out)."""
        secrets.register(token)
        response = await self._send("GET", "/api/v2/resources", token=token,
                                    params={"includeHttps": "1", "includeRelay": "1"})
        raise_for_status(SERVICE, response)
        return parse_resources(parse_json(SERVICE, response))

    async def _poll_pin(self, pin: Pin) -> str | None:
        response = await self._send("GET", f"/api/v2/pins/{int(pin.id)}")
        if response.status_code == 404:
            raise _pin_expired(status=404)
        raise_for_status(SERVICE, response)
        data = parse_json(SERVICE, response)
        if not isinstance(data, dict):
            raise _shape_error("a sign-in code that is not an object")
        token = data.get("authToken")
        return token if isinstance(token, str) and token else None

    async def _send(self, method: str, path: str, *, token: str | None = None,
                    params: dict[str, str] | None = None) -> httpx.Response:
        headers = dict(self._headers)
        if token is not None:
            headers["X-Plex-Token"] = token
        return await send(self._http, SERVICE, method, f"{self._base_url}{path}", params=params, headers=headers)


def preferred_connections(resource: PlexResource) -> list[str]:
    """Addresses to try, best first: local, then remote, then relay; https before http within
    each. Local addresses of a server the user does not own are left out (they are the owner's LAN)."""
    ranked: list[tuple[tuple[int, int], str]] = []
    for connection in resource.connections:
        if connection.local and not resource.owned:
            continue
        place = 2 if connection.relay else 0 if connection.local else 1
        if connection.protocol == "https":
            url, secure = connection.uri, 0
        else:
            host = f"[{connection.address}]" if ":" in connection.address else connection.address
            url, secure = f"http://{host}:{connection.port}", 1
        if url:
            ranked.append(((place, secure), url))
    ranked.sort(key=lambda entry: entry[0])
    return list(dict.fromkeys(url for _, url in ranked))


async def first_reachable(urls: Sequence[str], token: str, http: httpx.AsyncClient, *,
                          client_identifier: str, timeout: httpx.Timeout = PROBE_TIMEOUT) -> str:
    """The first of ``urls`` where a Plex server answers ``GET /identity`` within ``timeout``."""
    for number, url in enumerate(urls, start=1):
        try:
            await PlexClient(http, url, token, client_identifier).probe(timeout=timeout)
        except (RemoteError, InvalidInput) as exc:
            log.info("Plex server address %d of %d did not answer: %s", number, len(urls), type(exc).__name__)
            continue
        return url
    raise Unreachable("Plex", f"none of the server's {len(urls)} addresses answered")


def parse_resources(data: Any) -> list[PlexResource]:
    """``GET /api/v2/resources`` (a JSON array) → the servers in it; registers their tokens."""
    if not isinstance(data, list):
        raise _shape_error("a server list that is not a list")
    servers = []
    for entry in data:
        if not isinstance(entry, dict):
            raise _shape_error("a device that is not an object")
        provides = str(entry.get("provides") or "").split(",")
        if "server" not in (part.strip() for part in provides):
            continue
        token = _str(entry.get("accessToken"))
        secrets.register(token)
        servers.append(PlexResource(
            name=_str(entry.get("name")),
            client_identifier=_str(entry.get("clientIdentifier")),
            access_token=token,
            owned=entry.get("owned") is True,
            product_version=_str(entry.get("productVersion")),
            connections=tuple(_parse_connection(c) for c in entry.get("connections") or ()),
        ))
    return servers


def _parse_connection(entry: Any) -> PlexConnection:
    if not isinstance(entry, dict):
        raise _shape_error("a connection that is not an object")
    port = entry.get("port")
    return PlexConnection(
        uri=_str(entry.get("uri")),
        protocol=_str(entry.get("protocol")).lower(),
        address=_str(entry.get("address")),
        port=port if isinstance(port, int) and not isinstance(port, bool) else 32400,
        local=entry.get("local") is True,
        relay=entry.get("relay") is True,
    )


def _parse_pin(data: Any) -> Pin:
    if not isinstance(data, dict):
        raise _shape_error("a sign-in code that is not an object")
    pin_id, code, expires_in = data.get("id"), data.get("code"), data.get("expiresIn")
    if not isinstance(pin_id, int) or isinstance(pin_id, bool) or not isinstance(code, str) or not code:
        raise _shape_error("a sign-in code without id or code")
    if not isinstance(expires_in, (int, float)) or isinstance(expires_in, bool) or expires_in <= 0:
        raise _shape_error("a sign-in code without a lifetime")
    return Pin(id=pin_id, code=code, expires_at=_timestamp(data.get("expiresAt")), expires_in=float(expires_in))


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _pin_expired(*, status: int | None) -> PinExpired:
    return PinExpired(SERVICE, "the sign-in code expired before it was approved", status=status)


def _shape_error(what: str) -> BadResponse:
    return BadResponse(SERVICE, f"sent an answer Curator cannot read ({what})")
