"""Test knobs of the fake Plex: failures, dropped connections, latency, HTML pages, tokens, counters."""

from __future__ import annotations

import time

import httpx
import pytest

from curator.demo.plex_server import FakePlexServer
from tests.demo.conftest import JSON, client_for, container, recorded

THING = "1014"  # rating key of "The Thing" (1982) in the demo library


def test_fail_next_answers_with_the_status_then_recovers(plex: FakePlexServer, http: httpx.Client) -> None:
    plex.fail_next(2, 500)
    first, second, third = (http.get("/library/sections", headers=JSON) for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (500, 500, 200)
    assert first.headers["content-type"].startswith("text/html") and b"500" in first.content
    assert plex.request_count("GET", "/library/sections") == 3


def test_fail_next_503_with_retry_after(plex: FakePlexServer, http: httpx.Client) -> None:
    plex.fail_next(1, 503, retry_after=7)
    response = http.get("/library/sections")
    assert response.status_code == 503 and response.headers["Retry-After"] == "7"


def test_failures_only_hit_matching_requests(plex: FakePlexServer, http: httpx.Client) -> None:
    plex.fail_next(1, 500, method="PUT", path_prefix="/library/metadata/")
    assert http.get(f"/library/metadata/{THING}").status_code == 200
    assert http.put("/library/sections/1/all", params={"type": 1, "id": THING, "summary.value": "a"}).status_code == 200
    assert http.put(f"/library/metadata/{THING}", params={"summary.value": "b"}).status_code == 500
    assert http.put(f"/library/metadata/{THING}", params={"summary.value": "c"}).status_code == 200
    assert plex.summary(THING) == "c" and plex.put_count(THING) == 2


def test_drop_before_closes_without_answer_or_effect(plex: FakePlexServer, http: httpx.Client) -> None:
    plex.drop_next(1, method="PUT")
    with pytest.raises(httpx.RemoteProtocolError):
        http.put(f"/library/metadata/{THING}", params={"summary.value": "lost"})
    assert plex.put_count(THING) == 0 and plex.summary(THING) != "lost"
    assert http.get("/identity").status_code == 200


def test_drop_after_applies_the_edit_but_never_answers(plex: FakePlexServer, http: httpx.Client) -> None:
    plex.drop_next(1, method="PUT", moment="after")
    with pytest.raises(httpx.RemoteProtocolError):
        http.put(f"/library/metadata/{THING}", params={"summary.value": "applied", "summary.locked": 1})
    assert plex.put_count(THING) == 1 and plex.summary(THING) == "applied"


def test_drop_mid_body_cuts_the_answer(plex: FakePlexServer, http: httpx.Client) -> None:
    plex.drop_next(1, path_prefix="/library/sections/1/all", moment="mid_body")
    with pytest.raises(httpx.RemoteProtocolError):
        http.get("/library/sections/1/all", headers=JSON)
    assert container(http.get("/library/sections/1/all", headers=JSON))["size"] == 37


def test_drop_mid_body_of_an_empty_answer_still_truncates(plex: FakePlexServer, http: httpx.Client) -> None:
    plex.drop_next(1, method="PUT", moment="mid_body")
    with pytest.raises(httpx.RemoteProtocolError):
        http.put(f"/library/metadata/{THING}", params={"summary.value": "applied"})
    assert plex.put_count(THING) == 1


def test_latency_delays_every_answer(plex: FakePlexServer, http: httpx.Client) -> None:
    plex.set_latency(0.15)
    started = time.perf_counter()
    assert http.get("/identity").status_code == 200
    assert time.perf_counter() - started >= 0.15
    plex.set_latency(0)
    started = time.perf_counter()
    http.get("/identity")
    assert time.perf_counter() - started < 0.15


def test_html_where_json_was_asked(plex: FakePlexServer, http: httpx.Client) -> None:
    plex.serve_html_next(1, path_prefix="/library")
    response = http.get("/library/sections", headers=JSON)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.lstrip().lower().startswith("<!doctype html>")
    assert container(http.get("/library/sections", headers=JSON))["size"] == 2


def test_clear_faults_forgets_pending_ones(plex: FakePlexServer, http: httpx.Client) -> None:
    plex.fail_next(5, 500)
    plex.set_latency(1)
    plex.clear_faults()
    started = time.perf_counter()
    assert http.get("/identity").status_code == 200
    assert time.perf_counter() - started < 1


def test_revoke_and_rotate_token(plex: FakePlexServer, http: httpx.Client) -> None:
    old = plex.token
    plex.revoke_token()
    refused = http.get("/library/sections", headers=JSON)
    assert refused.status_code == 401 and refused.content == recorded("pms_401_body.html").strip()
    assert http.get("/identity").status_code == 200  # needs no token
    new = plex.rotate_token()
    assert new != old and plex.token == new
    assert http.get("/library/sections").status_code == 401  # still the old token
    assert http.get("/library/sections", headers={"X-Plex-Token": new}).status_code == 200
    assert plex.rotate_token("chosen") == "chosen"


def test_request_counters_by_method_and_path(plex: FakePlexServer, http: httpx.Client) -> None:
    http.get("/library/sections")
    http.get("/library/sections")
    http.put(f"/library/metadata/{THING}", params={"summary.value": "x"})
    assert plex.request_count("GET", "/library/sections") == 2
    assert plex.request_count("PUT") == 1
    assert plex.request_counts()[("PUT", f"/library/metadata/{THING}")] == 1
    plex.reset_counters()
    assert plex.request_count() == 0


def test_stop_disconnects_clients_and_is_idempotent(plex: FakePlexServer) -> None:
    with client_for(plex) as http:
        assert http.get("/identity").status_code == 200  # leaves a kept-alive connection
        plex.stop()
        plex.stop()
        with pytest.raises(httpx.TransportError):
            http.get("/identity")
    assert not plex.running


def test_knob_arguments_are_checked(plex: FakePlexServer) -> None:
    with pytest.raises(ValueError):
        plex.fail_next(0)
    with pytest.raises(ValueError):
        plex.set_latency(-1)
