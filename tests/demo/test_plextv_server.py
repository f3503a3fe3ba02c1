"""The fake plex.tv: PIN flow (incl. 429 and expiry), user check and resources."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from curator.demo.plex_server import FakePlexServer
from curator.demo.plextv_server import DEFAULT_ACCOUNT_TOKEN, FakePlexTv
from tests.demo.conftest import TLS, recorded

CLIENT = {"X-Plex-Client-Identifier": "test-client-0001", "X-Plex-Product": "Curator", "Accept": "application/json"}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def plextv(clock: FakeClock) -> Iterator[FakePlexTv]:
    with FakePlexTv(clock=clock) as server:
        yield server


@pytest.fixture
def http(plextv: FakePlexTv) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=plextv.url, headers=CLIENT, timeout=5, verify=TLS) as client:
        yield client


def create_pin(http: httpx.Client, *, strong: bool = True) -> dict[str, Any]:
    response = http.post("/api/v2/pins", params={"strong": "true"} if strong else {})
    assert response.status_code == 201, response.text
    return response.json()


def errors(response: httpx.Response) -> list[dict[str, Any]]:
    return response.json()["errors"]


def test_strong_pin_has_the_recorded_shape(http: httpx.Client) -> None:
    pin = create_pin(http)
    assert set(pin) == set(recorded("plextv_pin_response.json"))
    assert re.fullmatch(r"[a-z0-9]{25}", pin["code"])
    assert pin["expiresIn"] == 1800 and pin["authToken"] is None
    assert pin["clientIdentifier"] == "test-client-0001" and pin["product"] == "Curator"


def test_plain_pin_is_four_characters_for_fifteen_minutes(http: httpx.Client) -> None:
    pin = create_pin(http, strong=False)
    assert re.fullmatch(r"[A-Z0-9]{4}", pin["code"]) and pin["expiresIn"] == 900


@pytest.mark.parametrize(("method", "path"), [("POST", "/api/v2/pins"), ("GET", "/api/v2/pins/1"),
                                              ("GET", "/api/v2/user"), ("GET", "/api/v2/resources")])
def test_missing_client_identifier_is_a_400(plextv: FakePlexTv, method: str, path: str) -> None:
    with httpx.Client(base_url=plextv.url, verify=TLS) as bare:
        response = bare.request(method, path, headers={"X-Plex-Token": DEFAULT_ACCOUNT_TOKEN})
    assert response.status_code == 400
    assert errors(response) == [{"code": 1000, "message": "X-Plex-Client-Identifier is missing", "status": 400}]


def test_poll_returns_the_token_once_approved(plextv: FakePlexTv, http: httpx.Client, clock: FakeClock) -> None:
    pin = create_pin(http)
    waiting = http.get(f"/api/v2/pins/{pin['id']}")
    assert waiting.status_code == 200 and waiting.json()["authToken"] is None
    token = plextv.approve_pin(pin["code"], "user-token-42")
    clock.now += 1
    approved = http.get(f"/api/v2/pins/{pin['id']}").json()
    assert approved["authToken"] == token == "user-token-42"
    assert approved["expiresIn"] == 1799


def test_polling_too_fast_is_rate_limited(plextv: FakePlexTv, http: httpx.Client, clock: FakeClock) -> None:
    pin = create_pin(http)
    assert http.get(f"/api/v2/pins/{pin['id']}").status_code == 200
    clock.now += 0.2
    limited = http.get(f"/api/v2/pins/{pin['id']}")
    assert limited.status_code == 429
    assert errors(limited) == [{"code": 1003, "message": "API rate limit exceeded"}]
    clock.now += 0.5
    assert http.get(f"/api/v2/pins/{pin['id']}").status_code == 200


def test_expired_unknown_and_foreign_pins_are_not_found(plextv: FakePlexTv, http: httpx.Client, clock: FakeClock) -> None:
    not_found = [{"code": 1020, "message": "Code not found or expired"}]
    old = create_pin(http)
    clock.now += 1800
    expired = http.get(f"/api/v2/pins/{old['id']}")
    assert expired.status_code == 404 and errors(expired) == not_found

    unknown = http.get("/api/v2/pins/123")
    assert unknown.status_code == 404 and errors(unknown) == not_found

    pin = create_pin(http)
    foreign = http.get(f"/api/v2/pins/{pin['id']}", headers={"X-Plex-Client-Identifier": "someone-else"})
    assert foreign.status_code == 404

    fresh = create_pin(http)
    plextv.expire_pin(fresh["id"])
    assert http.get(f"/api/v2/pins/{fresh['id']}").status_code == 404


def test_auto_approve_after_polls(plextv: FakePlexTv, http: httpx.Client, clock: FakeClock) -> None:
    plextv.auto_approve_after(2)
    pin = create_pin(http)
    first = http.get(f"/api/v2/pins/{pin['id']}").json()
    clock.now += 1
    second = http.get(f"/api/v2/pins/{pin['id']}").json()
    assert first["authToken"] is None and second["authToken"] == DEFAULT_ACCOUNT_TOKEN
    state = plextv.pin(pin["code"])
    assert state is not None and state.polls == 2


def test_user_accepts_the_account_and_issued_tokens(plextv: FakePlexTv, http: httpx.Client) -> None:
    user = http.get("/api/v2/user", headers={"X-Plex-Token": DEFAULT_ACCOUNT_TOKEN})
    assert user.status_code == 200 and user.json()["authToken"] == DEFAULT_ACCOUNT_TOKEN
    refused = http.get("/api/v2/user", headers={"X-Plex-Token": "nope"})
    assert refused.status_code == 401
    assert errors(refused) == [{"code": 1001, "message": "User could not be authenticated", "status": 401}]
    pin = create_pin(http)
    plextv.approve_pin(pin["id"], "issued-token")
    assert http.get("/api/v2/user", params={"X-Plex-Token": "issued-token"}).status_code == 200


def test_resources_list_the_fake_plex_with_a_working_local_connection(plextv: FakePlexTv, http: httpx.Client) -> None:
    with FakePlexServer() as plex:
        plextv.add_server(plex)
        response = http.get("/api/v2/resources", params={"includeHttps": 1, "includeRelay": 1},
                            headers={"X-Plex-Token": DEFAULT_ACCOUNT_TOKEN})
        assert response.status_code == 200
        devices = response.json()
        assert isinstance(devices, list)
        ours = next(device for device in devices if device["clientIdentifier"] == plex.machine_identifier)
        assert set(ours) == set(recorded("plextv_resources.json")[0])
        assert (ours["name"], ours["owned"], ours["accessToken"], ours["provides"]) == (
            plex.name, True, plex.token, "server")
        local = [c for c in ours["connections"] if c["local"]]
        assert [(c["protocol"], c["uri"]) for c in local] == [("http", plex.url)]
        assert any(c["relay"] for c in ours["connections"])
        with httpx.Client(verify=TLS) as direct:
            identity = direct.get(f"http://{local[0]['address']}:{local[0]['port']}/identity",
                                  headers={"Accept": "application/json"})
        assert identity.json()["MediaContainer"]["machineIdentifier"] == plex.machine_identifier
        assert any("player" in device["provides"] for device in devices)

        without_relay = http.get("/api/v2/resources", headers={"X-Plex-Token": DEFAULT_ACCOUNT_TOKEN}).json()
        ours = next(device for device in without_relay if device["clientIdentifier"] == plex.machine_identifier)
        assert not any(c["relay"] for c in ours["connections"])

        rotated = plex.rotate_token()
        again = http.get("/api/v2/resources", headers={"X-Plex-Token": DEFAULT_ACCOUNT_TOKEN}).json()
        assert next(d for d in again if d["clientIdentifier"] == plex.machine_identifier)["accessToken"] == rotated


def test_resources_need_a_valid_token(http: httpx.Client) -> None:
    assert http.get("/api/v2/resources").status_code == 401
