"""The one HTTP boundary: client factory, and the single place where transport failures and
status codes become ``curator.domain.errors``.

Error messages never contain URLs, headers or bodies verbatim (they may carry keys); they say
which service failed, how, and what the user can do.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import socket
import ssl
import time
from typing import Any

import httpx

from curator import __version__
from curator.domain.errors import (
    AuthFailed,
    BadRequest,
    BadResponse,
    NotFound,
    RateLimited,
    RemoteError,
    ServerError,
    TimedOut,
    Unreachable,
)

log = logging.getLogger(__name__)

USER_AGENT = f"Curator/{__version__} (+https://github.com/curator-app/curator)"
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=20.0, write=20.0, pool=30.0)
#: Bodies larger than this are refused rather than parsed (a hostile or broken server).
MAX_BODY_BYTES = 32 * 1024 * 1024
#: Seconds a whole exchange (connect, send, every byte of the answer) may take; the read timeout
#: alone lets a server that drips a byte now and then hold a request open for ever.
ANSWER_DEADLINE = 120.0


def create_client(*, timeout: httpx.Timeout | None = None, max_connections: int = 32,
                  transport: httpx.AsyncBaseTransport | None = None,
                  headers: dict[str, str] | None = None) -> httpx.AsyncClient:
    """The shared AsyncClient: explicit timeouts, TLS verification on, no redirects by default."""
    return httpx.AsyncClient(
        timeout=timeout or DEFAULT_TIMEOUT,
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
        headers={"User-Agent": USER_AGENT, **(headers or {})},
        transport=transport,
        follow_redirects=False,
    )


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


async def send(client: httpx.AsyncClient, service: str, method: str, url: str, *,
               max_bytes: int | None = None, **kwargs: Any) -> httpx.Response:
    """Send one request and read its answer, mapping transport failures to typed errors (the
    status is not checked).

    The body is streamed: reading stops, and BadResponse is raised, as soon as it passes
    ``max_bytes`` (default ``MAX_BODY_BYTES``, counted after decompression); the whole answer
    must arrive within ``ANSWER_DEADLINE`` seconds, however slowly a server drips it."""
    limit = MAX_BODY_BYTES if max_bytes is None else max_bytes
    follow_redirects = kwargs.pop("follow_redirects", httpx.USE_CLIENT_DEFAULT)
    auth = kwargs.pop("auth", httpx.USE_CLIENT_DEFAULT)
    try:
        async with asyncio.timeout(ANSWER_DEADLINE):
            request = client.build_request(method, url, **kwargs)
            response = await client.send(request, auth=auth, follow_redirects=follow_redirects, stream=True)
            try:
                await _read_capped(service, response, limit)
            finally:
                await response.aclose()
    except TimeoutError:
        raise TimedOut(service, f"did not finish its answer within {ANSWER_DEADLINE:g} s") from None
    except httpx.TimeoutException as exc:
        raise TimedOut(service, "did not answer in time") from _scrubbed(exc)
    except httpx.RemoteProtocolError as exc:
        raise Unreachable(service, "the connection was dropped before the answer was complete") from _scrubbed(exc)
    except httpx.ConnectError as exc:
        raise Unreachable(service, f"could not connect ({_reason(exc)})") from _scrubbed(exc)
    except httpx.TransportError as exc:
        raise Unreachable(service, f"network error ({type(exc).__name__})") from _scrubbed(exc)
    except (httpx.DecodingError, httpx.TooManyRedirects) as exc:
        raise BadResponse(service, f"sent an answer that could not be read ({type(exc).__name__})") from None
    return response


async def _read_capped(service: str, response: httpx.Response, limit: int) -> None:
    """Read the body into ``response`` (as ``aread`` would), refusing it past ``limit`` bytes."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit and "Content-Encoding" not in response.headers:
        raise BadResponse(service, f"answer too large ({int(declared)} bytes; the limit is {limit})")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > limit:
            raise BadResponse(service, f"answer too large (over {limit} bytes); stopped reading")
        chunks.append(chunk)
    # What Response.aread() does; the content is then available as usual (.content, .text, .json()).
    response._content = b"".join(chunks)


def raise_for_status(service: str, response: httpx.Response) -> None:
    """Map an error status to the error tree; 2xx and 3xx return quietly."""
    status = response.status_code
    if status < 400:
        return
    detail = _error_detail(response)
    if status == 401 or status == 403:
        raise AuthFailed(service, f"access refused (HTTP {status}){detail}", status=status)
    if status == 404:
        raise NotFound(service, f"not found (HTTP 404){detail}", status=status)
    if status == 429:
        raise RateLimited(service, f"too many requests (HTTP 429){detail}",
                          retry_after=parse_retry_after(response.headers.get("Retry-After")))
    if status == 503 and "Retry-After" in response.headers:
        raise RateLimited(service, f"service unavailable (HTTP 503){detail}", status=503,
                          retry_after=parse_retry_after(response.headers.get("Retry-After")))
    if status >= 500:
        raise ServerError(service, f"server error (HTTP {status}){detail}", status=status)
    raise BadRequest(service, f"request refused (HTTP {status}){detail}", status=status)


def parse_json(service: str, response: httpx.Response) -> Any:
    """The body as JSON, or BadResponse when it is HTML, empty, truncated or oversized."""
    body = response.content
    if len(body) > MAX_BODY_BYTES:
        raise BadResponse(service, f"answer too large ({len(body)} bytes)")
    if not body.strip():
        raise BadResponse(service, "answered with an empty body where data was expected")
    content_type = response.headers.get("Content-Type", "")
    head = body.lstrip()[:1]
    if head == b"<" or "html" in content_type.lower():
        raise BadResponse(service, "answered with a web page (HTML) where data was expected")
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadResponse(service, f"sent data that could not be read ({type(exc).__name__})") from None


def _error_detail(response: httpx.Response) -> str:
    """A short, secret-free description from a JSON error body, if it has one."""
    try:
        data = json.loads(response.content[:4096]) if response.content[:1] in (b"{", b"[") else None
    except ValueError:
        return ""
    message = None
    if isinstance(data, dict):
        message = data.get("status_message") or data.get("Error") or data.get("message")
        errors = data.get("errors")
        if not message and isinstance(errors, list) and errors:
            first = errors[0]
            message = first.get("message") if isinstance(first, dict) else str(first)
    if not isinstance(message, str) or not message:
        return ""
    message = message.strip()[:200]
    from curator.domain.redaction import redact

    return f": {redact(message)}"


def _reason(exc: Exception) -> str:
    # httpx/anyio often report "All connection attempts failed"; the cause is further down.
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 8:
        chain.append(current)
        current = current.__cause__ or current.__context__
    if any(isinstance(e, ssl.SSLCertVerificationError) for e in chain):
        return "its TLS certificate could not be verified"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "connection refused"
    if any(isinstance(e, socket.gaierror) for e in chain):
        return "the server name could not be resolved"
    text = " ".join(str(e) for e in chain).lower()
    if "name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text \
            or "name resolution" in text:
        return "the server name could not be resolved"
    if "refused" in text:
        return "connection refused"
    return "connection failed"


def _scrubbed(exc: Exception) -> Exception:
    """The cause to chain, stripped of the request (which holds the URL and headers)."""
    plain = RuntimeError(type(exc).__name__)
    return plain


__all__ = [
    "ANSWER_DEADLINE",
    "DEFAULT_TIMEOUT",
    "MAX_BODY_BYTES",
    "RemoteError",
    "create_client",
    "parse_json",
    "parse_retry_after",
    "raise_for_status",
    "send",
]
