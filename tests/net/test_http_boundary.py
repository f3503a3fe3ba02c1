"""The HTTP boundary maps every failure to a typed error with a secret-free message."""

from __future__ import annotations

import email.utils

import httpx
import pytest
import respx

from curator.domain import errors
from curator.net.http import create_client, parse_json, parse_retry_after, raise_for_status, send

URL = "https://svc.example/thing?api_key=SECRETKEY123"


@pytest.mark.parametrize(("status", "error"), [
    (401, errors.AuthFailed), (403, errors.AuthFailed), (404, errors.NotFound), (400, errors.BadRequest),
    (422, errors.BadRequest), (429, errors.RateLimited), (500, errors.ServerError), (502, errors.ServerError),
])
def test_status_mapping(status, error):
    response = httpx.Response(status, json={"status_message": "nope"})
    with pytest.raises(error) as caught:
        raise_for_status("TMDB", response)
    assert "TMDB" in str(caught.value)
    assert caught.value.status == status


def test_ok_passes():
    raise_for_status("TMDB", httpx.Response(200))
    raise_for_status("TVmaze", httpx.Response(301, headers={"Location": "/shows/1"}))


def test_retry_after_seconds_and_date():
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 30, usegmt=True)
    assert parse_retry_after(date, now=now) == pytest.approx(30, abs=1)
    response = httpx.Response(429, headers={"Retry-After": "3"})
    with pytest.raises(errors.RateLimited) as caught:
        raise_for_status("TMDB", response)
    assert caught.value.retry_after == 3.0


def test_503_with_retry_after_is_rate_limiting():
    with pytest.raises(errors.RateLimited):
        raise_for_status("TVDB", httpx.Response(503, headers={"Retry-After": "1"}))


@pytest.mark.parametrize(("body", "content_type"), [
    (b"<html><body>Oops</body></html>", "text/html"),
    (b'{"results": [1, 2', "application/json"),
    (b"", "application/json"),
    (b"   ", "application/json"),
    (b"\xff\xfe\x00garbage", "application/json"),
])
def test_unreadable_bodies_are_bad_responses(body, content_type):
    with pytest.raises(errors.BadResponse):
        parse_json("OMDb", httpx.Response(200, content=body, headers={"Content-Type": content_type}))


def test_json_parses():
    assert parse_json("x", httpx.Response(200, json={"a": [1]})) == {"a": [1]}


@pytest.mark.asyncio
@pytest.mark.parametrize(("exc", "error"), [
    (httpx.ReadTimeout("t"), errors.TimedOut),
    (httpx.ConnectTimeout("t"), errors.TimedOut),
    (httpx.ConnectError("[Errno 111] Connection refused"), errors.Unreachable),
    (httpx.ConnectError("[Errno -2] Name or service not known"), errors.Unreachable),
    (httpx.RemoteProtocolError("peer closed connection"), errors.Unreachable),
    (httpx.ReadError("reset"), errors.Unreachable),
])
async def test_transport_failures_are_typed_and_leak_nothing(exc, error):
    async with create_client() as client:
        with respx.mock:
            respx.get("https://svc.example/thing").mock(side_effect=exc)
            with pytest.raises(error) as caught:
                await send(client, "TMDB", "GET", URL)
    text = f"{caught.value} {caught.value.__cause__!r} {caught.value.user_message}"
    assert "SECRETKEY123" not in text
    assert "svc.example" not in text


@pytest.mark.asyncio
async def test_name_resolution_failure_says_so():
    async with create_client() as client:
        with respx.mock:
            respx.get("https://svc.example/thing").mock(side_effect=httpx.ConnectError("[Errno -2] Name or service not known"))
            with pytest.raises(errors.Unreachable, match="could not be resolved"):
                await send(client, "Plex", "GET", URL)


def test_error_detail_is_redacted():
    response = httpx.Response(401, json={"status_message": "Invalid API key: api_key=SECRETKEY123"})
    with pytest.raises(errors.AuthFailed) as caught:
        raise_for_status("TMDB", response)
    assert "SECRETKEY123" not in str(caught.value)
