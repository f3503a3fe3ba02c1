"""plex.tv: PIN sign-in, token check, server discovery and connection choice (respx, fake time)."""

from __future__ import annotations

import asyncio
import copy
from urllib.parse import parse_qs

import httpx
import pytest

from curator.domain.errors import AuthFailed, BadResponse, ServerError, Unreachable
from curator.domain.redaction import redact
from curator.plex.auth import (
    MAX_POLL_INTERVAL,
    Pin,
    PinExpired,
    PlexConnection,
    PlexResource,
    PlexTvClient,
    first_reachable,
    parse_resources,
    preferred_connections,
)
from tests.plex.payloads import CLIENT_ID, PLEXTV_URL, TOKEN, load_json

PIN = Pin(id=373040866, code="8lzjqnq8lye02n52jq3fqxf8e", expires_at=None, expires_in=1800.0)
PIN_URL = f"{PLEXTV_URL}/api/v2/pins/{PIN.id}"
NEW_TOKEN = "AuthTokenFromPlexTv-123"


class FakeTime:
    """A clock and a sleep that advances it, so polling tests never wait."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _pin_body(token: str | None) -> dict:
    body = copy.deepcopy(load_json("plextv_pin_response.json"))
    body["authToken"] = token
    return body


def _rate_limited(retry_after: str | None = None) -> httpx.Response:
    body = load_json("plextv_errors_CONSTRUCTED_from_docs.json")["rate_limited_429"]
    return httpx.Response(429, json=body, headers={"Retry-After": retry_after} if retry_after else {})


# --- PIN -----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_create_pin_asks_for_a_strong_code(plextv, router):
    body = load_json("plextv_pin_response.json")
    route = router.post(f"{PLEXTV_URL}/api/v2/pins").mock(return_value=httpx.Response(201, json=body))
    pin = await plextv.create_pin()
    request = route.calls[0].request
    assert request.url.params["strong"] == "true"
    assert request.headers["X-Plex-Client-Identifier"] == CLIENT_ID
    assert request.headers["X-Plex-Product"] == "Curator"
    assert request.headers["Accept"] == "application/json"
    assert "X-Plex-Token" not in request.headers
    assert (pin.id, pin.code, pin.expires_in) == (body["id"], body["code"], float(body["expiresIn"]))


@pytest.mark.asyncio
async def test_a_pin_answer_without_code_is_a_bad_response(plextv, router):
    router.post(f"{PLEXTV_URL}/api/v2/pins").mock(return_value=httpx.Response(201, json={"id": 5}))
    with pytest.raises(BadResponse):
        await plextv.create_pin()


def test_auth_url_carries_client_code_and_product(plextv):
    url = plextv.auth_url(PIN)
    base, _, fragment = url.partition("#?")
    assert base == "https://app.plex.tv/auth"
    assert parse_qs(fragment) == {
        "clientID": [CLIENT_ID],
        "code": [PIN.code],
        "context[device][product]": ["Curator"],
    }
    assert "context%5Bdevice%5D%5Bproduct%5D=Curator" in fragment


def test_auth_url_follows_the_endpoint_setting(http, monkeypatch):
    monkeypatch.setenv("CURATOR_PLEX_AUTH_APP_URL", "http://127.0.0.1:9999/auth/")
    url = PlexTvClient(http, CLIENT_ID, product="Curator Test").auth_url(PIN)
    assert url.startswith("http://127.0.0.1:9999/auth#?")
    assert parse_qs(url.partition("#?")[2])["context[device][product]"] == ["Curator Test"]


@pytest.mark.asyncio
async def test_plextv_base_url_follows_the_endpoint_setting(http, monkeypatch, router):
    monkeypatch.setenv("CURATOR_PLEXTV_URL", "http://127.0.0.1:9998")
    route = router.get("http://127.0.0.1:9998/api/v2/user").mock(return_value=httpx.Response(200, json={}))
    assert await PlexTvClient(http, CLIENT_ID).check_token(TOKEN) is True
    assert route.called


@pytest.mark.asyncio
async def test_polling_returns_the_token_once_approved(plextv, router):
    time = FakeTime()
    route = router.get(PIN_URL).mock(side_effect=[
        httpx.Response(200, json=_pin_body(None)),
        httpx.Response(200, json=_pin_body(None)),
        httpx.Response(200, json=_pin_body(NEW_TOKEN)),
    ])
    token = await plextv.wait_for_token(PIN, sleep=time.sleep, clock=time.clock)
    assert token == NEW_TOKEN
    assert time.sleeps == [1.0, 1.0]
    assert route.call_count == 3
    assert NEW_TOKEN not in redact(f"token is {NEW_TOKEN}")
    assert all(call.request.headers["X-Plex-Client-Identifier"] == CLIENT_ID for call in route.calls)


@pytest.mark.asyncio
async def test_polling_backs_off_on_429_then_succeeds(plextv, router):
    time = FakeTime()
    router.get(PIN_URL).mock(side_effect=[
        httpx.Response(200, json=_pin_body(None)),
        _rate_limited(),
        _rate_limited(),
        httpx.Response(200, json=_pin_body(None)),
        httpx.Response(200, json=_pin_body(NEW_TOKEN)),
    ])
    assert await plextv.wait_for_token(PIN, sleep=time.sleep, clock=time.clock) == NEW_TOKEN
    # 1 s normally; each 429 doubles the interval, which then stays slower.
    assert time.sleeps == [1.0, 2.0, 4.0, 4.0]


@pytest.mark.asyncio
async def test_polling_honours_retry_after_and_caps_the_backoff(plextv, router):
    time = FakeTime()
    router.get(PIN_URL).mock(side_effect=[_rate_limited("20")] + [_rate_limited()] * 6
                             + [httpx.Response(200, json=_pin_body(NEW_TOKEN))])
    assert await plextv.wait_for_token(PIN, sleep=time.sleep, clock=time.clock) == NEW_TOKEN
    assert time.sleeps[0] == 20.0
    assert time.sleeps[1:] == [MAX_POLL_INTERVAL] * 6


@pytest.mark.asyncio
async def test_an_expired_pin_404_raises_pin_expired(plextv, router):
    time = FakeTime()
    body = load_json("plextv_errors_CONSTRUCTED_from_docs.json")["pins_404"]
    router.get(PIN_URL).mock(side_effect=[httpx.Response(200, json=_pin_body(None)), httpx.Response(404, json=body)])
    with pytest.raises(PinExpired) as caught:
        await plextv.wait_for_token(PIN, sleep=time.sleep, clock=time.clock)
    assert isinstance(caught.value, AuthFailed)
    assert "expired" in str(caught.value) and "Sign in with Plex" in caught.value.user_message


@pytest.mark.asyncio
async def test_the_pin_lifetime_ends_the_wait(plextv, router):
    time = FakeTime()
    route = router.get(PIN_URL).mock(return_value=httpx.Response(200, json=_pin_body(None)))
    short = Pin(id=PIN.id, code=PIN.code, expires_at=None, expires_in=5.0)
    with pytest.raises(PinExpired):
        await plextv.wait_for_token(short, sleep=time.sleep, clock=time.clock)
    assert route.call_count == 5
    assert time.now == pytest.approx(1005.0)


@pytest.mark.asyncio
async def test_waiting_can_be_cancelled(plextv, router):
    router.get(PIN_URL).mock(return_value=httpx.Response(200, json=_pin_body(None)))
    polled = asyncio.Event()

    async def sleep_forever(_seconds: float) -> None:
        polled.set()
        await asyncio.Event().wait()

    task = asyncio.create_task(plextv.wait_for_token(PIN, sleep=sleep_forever))
    await asyncio.wait_for(polled.wait(), timeout=2)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


@pytest.mark.asyncio
async def test_a_server_error_while_polling_is_raised(plextv, router):
    router.get(PIN_URL).mock(return_value=httpx.Response(500))
    with pytest.raises(ServerError):
        await plextv.wait_for_token(PIN, sleep=FakeTime().sleep)


# --- token check ---------------------------------------------------------------------------


@pytest.mark.parametrize(("status", "expected"), [(200, True), (401, False)])
@pytest.mark.asyncio
async def test_check_token(plextv, router, status, expected):
    route = router.get(f"{PLEXTV_URL}/api/v2/user").mock(return_value=httpx.Response(status, json={}))
    assert await plextv.check_token(TOKEN) is expected
    request = route.calls[0].request
    assert request.headers["X-Plex-Token"] == TOKEN
    assert TOKEN not in str(request.url)


@pytest.mark.asyncio
async def test_check_token_raises_on_other_failures(plextv, router):
    router.get(f"{PLEXTV_URL}/api/v2/user").mock(return_value=httpx.Response(500, text="oops"))
    with pytest.raises(ServerError) as caught:
        await plextv.check_token(TOKEN)
    assert caught.value.service == "plex.tv"


# --- resources and connections -------------------------------------------------------------


@pytest.mark.asyncio
async def test_resources_lists_servers_with_their_tokens(plextv, router):
    data = load_json("plextv_resources.json")
    # CONSTRUCTED: a player device next to the recorded servers; it must be left out.
    data.append({"name": "Phone", "provides": "client,player", "clientIdentifier": "p1", "accessToken": "phoneTok",
                 "owned": True, "connections": []})
    route = router.get(f"{PLEXTV_URL}/api/v2/resources").mock(return_value=httpx.Response(200, json=data))

    servers = await plextv.resources(TOKEN)

    params = route.calls[0].request.url.params
    assert (params["includeHttps"], params["includeRelay"]) == ("1", "1")
    assert TOKEN not in str(route.calls[0].request.url)
    assert [s.name for s in servers] == [d["name"] for d in data[:-1]]
    first = servers[0]
    assert (first.client_identifier, first.owned, first.product_version) == \
        ("8276c3fa6bc24e44b347e19c71fbb98b9287c1e9", True, "1.50.7.9541-913b34e21")
    assert first.connections[0] == PlexConnection(
        uri="https://192-168-1-150.fc6b48db927de7394036856ade1760b9.plex.direct:32400", protocol="https",
        address="192.168.1.150", port=32400, local=True, relay=False)
    for server in servers:
        assert server.access_token not in repr(server)
        assert server.access_token not in redact(f"X {server.access_token} Y")


@pytest.mark.asyncio
async def test_resources_that_are_not_a_list_are_a_bad_response(plextv, router):
    router.get(f"{PLEXTV_URL}/api/v2/resources").mock(return_value=httpx.Response(200, json={"MediaContainer": {}}))
    with pytest.raises(BadResponse):
        await plextv.resources(TOKEN)


def _recorded(name: str) -> PlexResource:
    return next(s for s in parse_resources(load_json("plextv_resources.json")) if s.name == name)


def test_owned_server_prefers_local_then_remote_then_relay():
    assert preferred_connections(_recorded("StreamMaster")) == [
        "https://192-168-1-150.fc6b48db927de7394036856ade1760b9.plex.direct:32400",
        "https://www.streammaster.com:45678",
        "https://54-231-109-34.fc6b48db927de7394036856ade1760b9.plex.direct:45678",
        "https://162-243-175-222.fc6b48db927de7394036856ade1760b9.plex.direct:8443",
    ]


def test_shared_server_skips_the_owners_local_addresses():
    assert preferred_connections(_recorded("PirateBay")) == [
        "https://23-145-67-54.d5e7f86fcace84ce8e19c7fa25347ce.plex.direct:32400",
        "https://162-243-175-222.d5e7f86fcace84ce8e19c7fa25347ce.plex.direct:8443",
    ]


def test_http_connections_use_address_and_port():
    assert preferred_connections(_recorded("Plexify")) == ["http://87.64.72.96:23945"]


def test_https_comes_before_http_within_each_place():
    # CONSTRUCTED resource mixing protocols and places, listed in the worst order.
    def conn(protocol, address, local=False, relay=False):
        return PlexConnection(uri=f"{protocol}://{address.replace('.', '-')}.x.plex.direct:32400", protocol=protocol,
                              address=address, port=32400, local=local, relay=relay)
    resource = PlexResource(name="Mixed", client_identifier="m", access_token="t0ken", owned=True, product_version="1",
                            connections=(conn("https", "9.9.9.9", relay=True), conn("http", "8.8.8.8"),
                                         conn("http", "192.168.1.2", local=True), conn("https", "8.8.8.8"),
                                         conn("https", "192.168.1.2", local=True), conn("http", "fe80::1", local=True)))
    assert preferred_connections(resource) == [
        "https://192-168-1-2.x.plex.direct:32400",
        "http://192.168.1.2:32400",
        "http://[fe80::1]:32400",
        "https://8-8-8-8.x.plex.direct:32400",
        "http://8.8.8.8:32400",
        "https://9-9-9-9.x.plex.direct:32400",
    ]


@pytest.mark.asyncio
async def test_first_reachable_returns_the_first_address_that_answers(http, router):
    urls = ["https://192-168-1-150.x.plex.direct:32400", "https://remote.example:45678", "https://relay.example:8443"]
    first = router.get(f"{urls[0]}/identity").mock(side_effect=httpx.ConnectTimeout("timed out"))
    second = router.get(f"{urls[1]}/identity").mock(return_value=httpx.Response(200, json=load_json("identity.json")))
    third = router.get(f"{urls[2]}/identity").mock(return_value=httpx.Response(200, json=load_json("identity.json")))

    assert await first_reachable(urls, TOKEN, http, client_identifier=CLIENT_ID) == urls[1]

    assert first.called and second.called and not third.called
    request = second.calls[0].request
    assert request.extensions["timeout"]["read"] == 3.0
    assert TOKEN not in str(request.url)


@pytest.mark.asyncio
async def test_first_reachable_skips_addresses_that_are_not_plex(http, router):
    urls = ["http://10.0.0.1:32400", "http://10.0.0.2:32400"]
    router.get(f"{urls[0]}/identity").mock(return_value=httpx.Response(200, text="<html>router login</html>",
                                                                        headers={"Content-Type": "text/html"}))
    router.get(f"{urls[1]}/identity").mock(return_value=httpx.Response(200, json=load_json("identity.json")))
    assert await first_reachable(urls, TOKEN, http, client_identifier=CLIENT_ID) == urls[1]


@pytest.mark.asyncio
async def test_first_reachable_raises_when_nothing_answers(http, router):
    urls = ["http://10.0.0.1:32400", "http://10.0.0.2:32400"]
    for url in urls:
        router.get(f"{url}/identity").mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(Unreachable) as caught:
        await first_reachable(urls, TOKEN, http, client_identifier=CLIENT_ID)
    assert "2 addresses" in str(caught.value)
