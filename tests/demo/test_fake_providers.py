"""The five fakes together: URLs and keys, rate limits, fault knobs and counters."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Literal

import httpx
import pytest

from curator.demo.providers import (
    FANART_API_KEY,
    OMDB_API_KEY,
    TMDB_API_KEY,
    TVDB_API_KEY,
    FakeProviders,
    RateLimit,
)
from curator.demo.providers.ratelimit import SlidingWindow

TMDB_AUTH = {"api_key": TMDB_API_KEY}


@pytest.fixture
def fakes() -> Iterator[FakeProviders]:
    with FakeProviders() as providers:
        yield providers


@pytest.fixture(scope="module")
def web() -> Iterator[httpx.Client]:
    """A plain client (one per module: building one costs tens of milliseconds)."""
    with httpx.Client(timeout=5) as client:
        yield client


def tmdb_get(web: httpx.Client, fakes: FakeProviders, path: str = "/movie/550") -> httpx.Response:
    return web.get(fakes.tmdb.url + path, params=TMDB_AUTH)


# -- wiring ----------------------------------------------------------------------------------------


def test_urls_keys_and_describe(fakes: FakeProviders, web: httpx.Client) -> None:
    urls = fakes.urls()
    assert set(urls) == {"tmdb_url", "tvdb_url", "tvmaze_url", "omdb_url", "fanart_url", "poms_url", "cinema_nl_url"}
    assert urls["tmdb_url"].endswith("/3") and urls["tvdb_url"].endswith("/v4") and urls["fanart_url"].endswith("/v3")
    assert all(url.startswith("http://127.0.0.1:") for url in urls.values())
    assert len({url.split("/")[2] for url in urls.values()}) == 7  # one port each
    keys = fakes.keys()
    assert {k: keys[k] for k in ("TMDB_API_KEY", "TVDB_API_KEY", "OMDB_API_KEY", "FANART_API_KEY")} == {
        "TMDB_API_KEY": TMDB_API_KEY, "TVDB_API_KEY": TVDB_API_KEY, "OMDB_API_KEY": OMDB_API_KEY,
        "FANART_API_KEY": FANART_API_KEY}
    assert {"POMS_API_KEY", "POMS_API_SECRET"} <= keys.keys()
    described = fakes.describe()
    assert described["env"]["CURATOR_TMDB_URL"] == urls["tmdb_url"]
    assert described["env"]["CURATOR_TMDB_API_KEY"] == TMDB_API_KEY
    json.dumps(described)  # printable as one JSON line
    assert web.get(urls["tmdb_url"] + "/movie/550", params=TMDB_AUTH).status_code == 200
    assert web.get(urls["tvmaze_url"] + "/shows/210").status_code == 200
    assert web.get(urls["omdb_url"] + "/", params={"apikey": OMDB_API_KEY, "i": "tt0137523"}).status_code == 200
    assert web.get(urls["cinema_nl_url"] + "/db/9500001-zwartboek").status_code == 200
    assert described["env"]["CURATOR_CINEMA_NL_URL"] == urls["cinema_nl_url"]


def test_stop_closes_every_port(web: httpx.Client) -> None:
    providers = FakeProviders().start()
    assert providers.running
    urls = [service.url for service in providers.services]
    providers.stop()
    assert not providers.running
    for url in urls:
        with pytest.raises(httpx.ConnectError):
            web.get(url + "/", timeout=1)


# -- counters --------------------------------------------------------------------------------------


def test_requests_are_counted_in_total_and_by_endpoint(fakes: FakeProviders, web: httpx.Client) -> None:
    tmdb_get(web, fakes, "/movie/550")
    tmdb_get(web, fakes, "/movie/603")
    tmdb_get(web, fakes, "/search/movie?query=dune")
    web.get(fakes.tmdb.url + "/movie/550")  # refused (no key): still counted
    counts = fakes.requests()["tmdb"]
    assert counts.total == 4
    assert dict(counts.by_endpoint) == {"/movie/{id}": 3, "/search/movie": 1}
    assert fakes.requests()["tvmaze"].total == 0
    fakes.reset_counters()
    assert fakes.requests()["tmdb"].total == 0 and not fakes.requests()["tmdb"].by_endpoint


# -- rate limits -------------------------------------------------------------------------------------


def test_a_burst_past_the_tmdb_limit_gets_429_with_retry_after(fakes: FakeProviders, web: httpx.Client) -> None:
    fakes.tmdb.set_rate_limit(RateLimit(5, 10.0))
    answers = [tmdb_get(web, fakes) for _ in range(8)]
    assert [a.status_code for a in answers] == [200] * 5 + [429] * 3
    refused = answers[5]
    assert 1 <= int(refused.headers["retry-after"]) <= 10
    assert refused.json() == {"success": False, "status_code": 25,
                              "status_message": "Your request count (#) is over the allowed limit of (5)."}
    assert fakes.rate_limited()["tmdb"] == 3
    assert fakes.requests()["tmdb"].total == 8


def test_tvmaze_allows_20_calls_per_10_seconds(fakes: FakeProviders, web: httpx.Client) -> None:
    assert fakes.tvmaze.rate_limit == RateLimit(20, 10.0)
    answers = [web.get(fakes.tvmaze.url + "/shows/210") for _ in range(21)]
    assert [a.status_code for a in answers[:20]] == [200] * 20
    assert answers[20].status_code == 429
    assert 9 <= int(answers[20].headers["retry-after"]) <= 10
    assert answers[20].json()["status"] == 429


def test_a_client_that_respects_the_window_gets_no_429(fakes: FakeProviders, web: httpx.Client) -> None:
    fakes.tmdb.set_rate_limit(RateLimit(4, 0.2))
    for _ in range(2):
        started = time.monotonic()
        assert [tmdb_get(web, fakes).status_code for _ in range(4)] == [200] * 4
        time.sleep(max(0.0, 0.25 - (time.monotonic() - started)))
    assert fakes.rate_limited()["tmdb"] == 0


def test_the_default_tmdb_limit_is_40_per_second(fakes: FakeProviders) -> None:
    assert fakes.tmdb.rate_limit == RateLimit(40, 1.0)
    assert FakeProviders(tmdb_rate=RateLimit(200, 1.0)).tmdb.rate_limit == RateLimit(200, 1.0)


def test_429_without_retry_after(fakes: FakeProviders, web: httpx.Client) -> None:
    fakes.tmdb.set_rate_limit(RateLimit(1, 10.0))
    fakes.tmdb.send_retry_after(False)
    tmdb_get(web, fakes)
    refused = tmdb_get(web, fakes)
    assert refused.status_code == 429
    assert "retry-after" not in refused.headers


def test_a_429_storm_for_a_number_of_requests(fakes: FakeProviders, web: httpx.Client) -> None:
    fakes.tvdb.start_429_storm(count=3, retry_after=7)
    answers = [web.post(fakes.tvdb.url + "/login", json={"apikey": TVDB_API_KEY}) for _ in range(4)]
    assert [a.status_code for a in answers] == [429, 429, 429, 200]
    assert answers[0].headers["retry-after"] == "7"
    assert answers[0].json()["status"] == "failure"
    assert fakes.rate_limited()["tvdb"] == 3


def test_a_429_storm_for_a_while_and_until_ended(fakes: FakeProviders, web: httpx.Client) -> None:
    fakes.tmdb.start_429_storm(seconds=0.2)
    assert tmdb_get(web, fakes).status_code == 429
    time.sleep(0.25)
    assert tmdb_get(web, fakes).status_code == 200
    fakes.tmdb.start_429_storm()
    assert [tmdb_get(web, fakes).status_code for _ in range(3)] == [429] * 3
    fakes.tmdb.end_429_storm()
    assert tmdb_get(web, fakes).status_code == 200


def test_sliding_window_counts_admitted_requests_only() -> None:
    now = [100.0]
    window = SlidingWindow(RateLimit(2, 1.0), clock=lambda: now[0])
    assert window.admit() is None and window.admit() is None
    assert window.admit() == pytest.approx(1.0)
    now[0] = 100.6
    assert window.admit() == pytest.approx(0.4)  # refused arrivals do not extend the window
    now[0] = 101.0
    assert window.admit() is None
    assert window.admit("other client") is None


# -- fault knobs -----------------------------------------------------------------------------------


def test_fail_next_uses_the_providers_error_body(fakes: FakeProviders, web: httpx.Client) -> None:
    fakes.tmdb.fail_next(2, 503, retry_after=3)
    first, second, third = (tmdb_get(web, fakes) for _ in range(3))
    assert (first.status_code, second.status_code, third.status_code) == (503, 503, 200)
    assert first.json()["status_code"] == 9 and first.headers["retry-after"] == "3"
    fakes.omdb.fail_next(1, 500)
    failed = web.get(fakes.omdb.url + "/", params={"apikey": OMDB_API_KEY, "i": "tt0137523"})
    assert failed.status_code == 500 and failed.json()["Response"] == "False"


def test_faults_can_target_a_path(fakes: FakeProviders, web: httpx.Client) -> None:
    fakes.tmdb.fail_next(1, 500, path_prefix="/search")
    assert tmdb_get(web, fakes, "/movie/550").status_code == 200
    assert tmdb_get(web, fakes, "/search/movie?query=dune").status_code == 500


def test_malformed_json(fakes: FakeProviders, web: httpx.Client) -> None:
    fakes.tmdb.malformed_next()
    response = tmdb_get(web, fakes)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    with pytest.raises(json.JSONDecodeError):
        response.json()


@pytest.mark.parametrize("status", [200, 502])
def test_html_error_pages(fakes: FakeProviders, web: httpx.Client, status: Literal[200, 502]) -> None:
    fakes.tvmaze.html_next(status=status)
    response = web.get(fakes.tvmaze.url + "/shows/210")
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.lstrip().lower().startswith(("<!doctype html", "<html"))


def test_truncated_body(fakes: FakeProviders, web: httpx.Client) -> None:
    fakes.tmdb.truncate_next()
    with pytest.raises(httpx.RemoteProtocolError):
        tmdb_get(web, fakes)
    assert tmdb_get(web, fakes).status_code == 200  # the next request, on a new connection, is fine


def test_dropped_connection(fakes: FakeProviders, web: httpx.Client) -> None:
    fakes.tmdb.drop_next()
    with pytest.raises(httpx.RemoteProtocolError):
        tmdb_get(web, fakes)
    assert fakes.requests()["tmdb"].total == 1
    assert tmdb_get(web, fakes).status_code == 200


def test_slow_body(fakes: FakeProviders, web: httpx.Client) -> None:
    fakes.tmdb.slow_body_next(seconds=0.2)
    started = time.monotonic()
    response = tmdb_get(web, fakes)
    assert response.status_code == 200 and response.json()["id"] == 550
    assert time.monotonic() - started >= 0.18
    with pytest.raises(httpx.ReadTimeout):  # a client whose read timeout is shorter than a pause
        fakes.tmdb.slow_body_next(seconds=2.0)
        web.get(fakes.tmdb.url + "/movie/550", params=TMDB_AUTH, timeout=httpx.Timeout(5, read=0.1))


def test_latency_fixed_or_per_request(fakes: FakeProviders, web: httpx.Client) -> None:
    fakes.tmdb.set_latency(0.1)
    started = time.monotonic()
    tmdb_get(web, fakes)
    assert time.monotonic() - started >= 0.1
    fakes.tmdb.set_latency(lambda request: 0.1 if request.path.startswith("/3/search") else 0.0)
    started = time.monotonic()
    tmdb_get(web, fakes, "/movie/550")
    assert time.monotonic() - started < 0.08
    started = time.monotonic()
    tmdb_get(web, fakes, "/search/movie?query=dune")
    assert time.monotonic() - started >= 0.1
    fakes.clear_faults()
    started = time.monotonic()
    tmdb_get(web, fakes, "/search/movie?query=dune")
    assert time.monotonic() - started < 0.08


def test_clear_faults_forgets_pending_faults(fakes: FakeProviders, web: httpx.Client) -> None:
    fakes.tmdb.fail_next(5, 500)
    fakes.tmdb.start_429_storm()
    fakes.clear_faults()
    assert tmdb_get(web, fakes).status_code == 200


def test_knobs_reject_nonsense(fakes: FakeProviders) -> None:
    with pytest.raises(ValueError):
        fakes.tmdb.fail_next(0)
    with pytest.raises(ValueError):
        fakes.tmdb.set_latency(-1)
    with pytest.raises(ValueError):
        RateLimit(0, 1.0)
