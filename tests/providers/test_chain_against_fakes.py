"""The real providers, gateways and SQLite cache against the loopback fakes (issue 3,
acceptance 4–6): a warm cache makes no requests, bad answers are typed, logged once, and the
chain moves on to the next provider."""

from __future__ import annotations

import asyncio
import logging

import pytest

from curator.app import build_context
from curator.demo.providers import FakeProviders
from curator.demo.synthetic_catalogue import SyntheticCatalogue
from curator.domain.models import MediaKind

ITEMS = 500


@pytest.fixture(scope="module")
def fakes():
    with FakeProviders(synthetic_items=ITEMS) as running:
        yield running


@pytest.fixture
def context(fakes, monkeypatch):
    for name, value in fakes.describe()["env"].items():
        monkeypatch.setenv(name, value)
    fakes.clear_faults()
    fakes.reset_counters()
    ctx = build_context()
    yield ctx
    ctx.close()


async def search_all(context, titles):
    try:
        chain = context.providers.chain
        return await asyncio.gather(*(chain.search(t, y, MediaKind.MOVIE, "en") for t, y in titles))
    finally:
        await context.aclose()


def test_second_run_over_the_same_items_makes_no_requests(context, fakes, monkeypatch):
    from dataclasses import replace

    from curator.providers import base

    fast = {name: replace(s, rate=base.Rate(1000, 1.0), concurrency=32) for name, s in base.default_settings().items()}
    monkeypatch.setattr("curator.app.default_settings", lambda: fast)
    fakes.tmdb.set_rate_limit(None)
    catalogue = SyntheticCatalogue(ITEMS, 0)
    titles = [catalogue.title_and_year(i) for i in range(ITEMS)]
    first = asyncio.run(search_all(context, titles))
    assert all(result.provider == "tmdb" and result.candidates for result in first)
    assert fakes.tmdb.requests.total == ITEMS
    fakes.reset_counters()
    second = asyncio.run(search_all(context, titles))
    assert [r.candidates for r in second] == [r.candidates for r in first]
    assert sum(counts.total for counts in fakes.requests().values()) == 0


@pytest.mark.parametrize("fault", ["malformed", "html", "truncate", "timeout"])
def test_a_bad_answer_is_typed_logged_once_and_the_chain_moves_on(context, fakes, caplog, monkeypatch, fault):
    from dataclasses import replace

    from curator.net import resilience

    monkeypatch.setattr(resilience.RetryPolicy, "__init__", _fast_retry_init(resilience.RetryPolicy.__init__))
    if fault == "malformed":
        fakes.tmdb.malformed_next(10)
    elif fault == "html":
        fakes.tmdb.html_next(10, status=200)  # a captive portal or error page where JSON was expected
    elif fault == "truncate":
        fakes.tmdb.truncate_next(10)
    else:
        fakes.tmdb.set_latency(3.0)
        import httpx

        from curator import app

        monkeypatch.setattr(app, "create_client", lambda: httpx.AsyncClient(timeout=httpx.Timeout(0.5)))
    caplog.set_level(logging.INFO)
    context.prefs = replace(context.prefs, movie_providers=("tmdb", "omdb"))
    [result] = asyncio.run(search_all(context, [("Nosferatu", 1922)]))
    assert result.provider == "omdb" and result.candidates
    [skip] = result.skipped
    assert skip.provider == "tmdb"
    failures = [r for r in caplog.records if r.name == "curator.net.gateway" and r.levelno >= logging.WARNING]
    assert len(failures) == 1, [r.getMessage() for r in failures]
    expected = {"malformed": "BadResponse", "html": "BadResponse", "truncate": ("BadResponse", "Unreachable"),
                "timeout": "TimedOut"}[fault]
    assert failures[0].error_type in (expected if isinstance(expected, tuple) else (expected,))


def _fast_retry_init(original):
    def init(self, *args, **kwargs):
        original(self, *args, **{**kwargs, "attempts": 2, "base_delay": 0.01, "max_delay": 0.02})
    return init
