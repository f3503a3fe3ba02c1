"""Provider settings and the gateway built from them."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import httpx
import pytest
import respx

from curator.domain.errors import RateLimited, ServerError
from curator.domain.models import Candidate, ExternalIds, MediaKind
from curator.net.gateway import MemoryCache, ProviderGateway, run_inline
from curator.net.http import create_client
from curator.net.resilience import RetryPolicy
from curator.providers.base import DAY, Provider, ProviderSettings, Rate, build_gateway, default_settings
from tests.net.virtual_time import now, run_virtual


def test_defaults_cover_every_provider_within_published_limits():
    config = default_settings({})
    assert set(config) == {"tmdb", "tvdb", "tvmaze", "omdb", "fanart", "poms", "cinema_nl", "poms_key_pages"}
    assert 30 <= config["tmdb"].rate.per_second < 40  # "somewhere in the 40 requests per second range"
    assert config["tvmaze"].rate == Rate(20, 10.0)  # "at least 20 calls every 10 seconds"
    assert config["omdb"].daily_budget == 1000 and config["omdb"].rate.period <= 1.0
    assert config["poms"].rate.per_second <= 5
    assert config["cinema_nl"].rate.per_second <= 2 and config["cinema_nl"].concurrency == 1
    # The pages that publish NPO's POMS key are cinema.nl's too: the same polite limit.
    assert config["poms_key_pages"].rate == config["cinema_nl"].rate and config["poms_key_pages"].concurrency == 1
    assert config["poms_key_pages"].base_url == "https://www.cinema.nl"
    assert config["tvdb"].rate.per_second <= 10
    assert all(c.concurrency >= 1 and c.label for c in config.values())
    assert config["tmdb"].base_url == "https://api.themoviedb.org/3"
    assert config["tvdb"].base_url == "https://api4.thetvdb.com/v4"


def test_base_urls_follow_the_environment():
    config = default_settings({"CURATOR_TMDB_URL": "http://127.0.0.1:8765/tmdb/"})
    assert config["tmdb"].base_url == "http://127.0.0.1:8765/tmdb"
    assert config["tvmaze"].base_url == "https://api.tvmaze.com"


def tmdb_settings(**changes: Any) -> ProviderSettings:
    config = default_settings({"CURATOR_TMDB_URL": "https://tmdb.test/3"})["tmdb"]
    return dataclasses.replace(config, **changes)


def test_built_gateway_keeps_to_the_configured_rate():
    sent: list[float] = []

    def answer(request):
        sent.append(now())
        return httpx.Response(200, json={"results": []})

    async def main():
        async with create_client() as client:
            gateway = build_gateway(tmdb_settings(rate=Rate(35, 1.0)), client, clock=now,
                                    cache_offload=run_inline)
            await asyncio.gather(*(gateway.get_json("/search/movie", {"query": f"t{n}"})
                                   for n in range(100)))
            return gateway

    with respx.mock() as router:
        router.get("https://tmdb.test/3/search/movie").mock(side_effect=answer)
        gateway = run_virtual(main)
    assert isinstance(gateway, ProviderGateway)
    assert (gateway.name, gateway.label) == ("tmdb", "TMDB")
    assert len(sent) == 100
    assert max(sum(1 for t in sent if start <= t < start + 1.0) for start in sent) == 35
    # Paced: evenly spaced at the configured rate, no burst.
    assert min(b - a for a, b in zip(sent, sent[1:], strict=False)) == pytest.approx(1 / 35, rel=1e-3)
    assert sent[-1] == pytest.approx(99 / 35)


def test_built_gateway_spends_the_daily_budget_and_names_the_service():
    omdb = dataclasses.replace(default_settings({})["omdb"], base_url="https://omdb.test",
                               daily_budget=2)

    async def main():
        async with create_client() as client:
            gateway = build_gateway(omdb, client, clock=now, cache_offload=run_inline,
                                    retry=RetryPolicy(attempts=1))
            await gateway.get_json("/", {"i": "tt0133093"})
            await gateway.get_json("/", {"i": "tt0234215"})
            with pytest.raises(RateLimited) as raised:
                await gateway.get_json("/", {"i": "tt0242653"})
            return raised.value

    with respx.mock() as router:
        route = router.get("https://omdb.test/").mock(return_value=httpx.Response(200, json={"Response": "True"}))
        error = run_virtual(main)
    assert route.call_count == 2
    assert str(error).startswith("OMDb: its request budget (2 per day)")
    assert error.retry_after == pytest.approx(DAY, abs=1.0)


class SketchProvider:
    """The shape of a provider: raw JSON in, Candidates out, all traffic via the gateway."""

    name = "tmdb"
    kinds = frozenset({MediaKind.MOVIE})

    def __init__(self, gateway: ProviderGateway) -> None:
        self._gateway = gateway

    async def search(self, title: str, year: int | None, kind: MediaKind, language: str) -> list[Candidate]:
        data = await self._gateway.get_json("/search/movie", {"query": title, "year": year, "language": language})
        return [Candidate(provider=self.name, provider_id=str(r["id"]), kind=kind, title=r["title"])
                for r in (data or {}).get("results", [])]

    async def lookup(self, ids: ExternalIds, kind: MediaKind, language: str) -> Candidate | None:
        return None

    async def details(self, candidate: Candidate, language: str) -> Candidate:
        return candidate

    async def episode_summaries(self, candidate: Candidate, language: str) -> dict[tuple[int, int], str]:
        return {}


def test_a_provider_over_a_built_gateway_gets_candidates_and_typed_errors():
    async def main():
        async with create_client() as client:
            gateway = build_gateway(tmdb_settings(), client, cache=MemoryCache(), clock=now,
                                    cache_offload=run_inline, retry=RetryPolicy(attempts=2))
            provider: Provider = SketchProvider(gateway)
            found = await provider.search("Fight Club", 1999, MediaKind.MOVIE, "nl-NL")
            with pytest.raises(ServerError) as raised:
                await provider.search("Broken", None, MediaKind.MOVIE, "nl-NL")
            return found, raised.value

    with respx.mock() as router:
        route = router.get("https://tmdb.test/3/search/movie")
        route.side_effect = lambda request: (
            httpx.Response(503) if request.url.params["query"] == "Broken"
            else httpx.Response(200, json={"results": [{"id": 550, "title": "Fight Club"}]}))
        found, error = run_virtual(main)
        years = [call.request.url.params.get("year") for call in route.calls]
    assert found == [Candidate(provider="tmdb", provider_id="550", kind=MediaKind.MOVIE, title="Fight Club")]
    assert str(error) == "TMDB: server error (HTTP 503)"
    assert years == ["1999", None, None]  # a None parameter is left out, and 503 was retried once


def test_rate_can_be_overridden_per_provider():
    settings = default_settings({"CURATOR_TMDB_RATE": "200/1", "CURATOR_TVMAZE_RATE": "nonsense"})
    assert settings["tmdb"].rate == Rate(200, 1.0)
    assert settings["tvmaze"].rate == Rate(20, 10.0)
