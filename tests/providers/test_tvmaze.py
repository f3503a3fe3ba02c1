"""TVmaze over respx with the recorded payloads (and a constructed 301 and episode list),
through a real ProviderGateway on virtual time."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from curator.domain.errors import BadResponse, RateLimited
from curator.domain.models import Candidate, ExternalIds, MediaKind
from curator.net.gateway import MemoryCache, ProviderGateway, run_inline
from curator.net.http import create_client
from curator.net.resilience import RetryPolicy
from curator.providers.base import Provider, Rate, build_gateway, default_settings
from curator.providers.tvmaze import (
    TvmazeProvider,
    language_code,
    parse_episode_summaries,
    parse_search,
    parse_season_summaries,
    parse_show,
    show_candidate,
)
from tests.net.virtual_time import now, run_virtual

FIXTURES = Path(__file__).parents[1] / "fixtures" / "providers"
BASE = "https://api.tvmaze.com"


def recorded(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def errors_for(service: str) -> list[dict[str, Any]]:
    return recorded("errors_recorded.json")[service]


def make_gateway(client: httpx.AsyncClient, *, cache: MemoryCache | None = None,
                 attempts: int = 3) -> ProviderGateway:
    """The gateway the app builds for TVmaze, with a generous rate, on virtual time."""
    config = dataclasses.replace(default_settings({})["tvmaze"], rate=Rate(1000, 1.0))
    return build_gateway(config, client, cache=cache if cache is not None else MemoryCache(),
                         clock=now, cache_offload=run_inline,
                         retry=RetryPolicy(attempts=attempts, base_delay=0.5, jitter=0.1))


def run_provider(call, *, cache: MemoryCache | None = None, attempts: int = 3):
    """Run ``call(provider)`` (a coroutine function) and return (result, gateway stats)."""

    async def main():
        async with create_client() as client:
            gateway = make_gateway(client, cache=cache, attempts=attempts)
            result = await call(TvmazeProvider(gateway))
            return result, gateway.stats()

    return run_virtual(main)


# --- parsing -----------------------------------------------------------------------------


def test_recorded_search_becomes_candidates():
    [doctor_who] = parse_search(recorded("tvmaze_search_shows_doctor_who_first_item.json"))
    assert doctor_who == Candidate(
        provider="tvmaze", provider_id="210", kind=MediaKind.SHOW, title="Doctor Who", year=2005,
        ids=ExternalIds(imdb="tt0436992", tvdb=78804), popularity=98.0,
        summary="Adventures across time and space with the time travelling alien and companions.",
        summary_language="en",
        poster_url="http://static.tvmaze.com/uploads/images/medium_portrait/161/404447.jpg",
        original_language="en")


def test_recorded_show_with_seasons_becomes_a_candidate_with_plain_text():
    flash = parse_show(recorded("tvmaze_show_13_embed_seasons.json"))
    assert (flash.provider_id, flash.title, flash.year) == ("13", "The Flash", 2014)
    assert flash.ids == ExternalIds(imdb="tt3107288", tvdb=279121)
    assert flash.summary.startswith("After a particle accelerator causes a freak storm, CSI")
    assert flash.summary.endswith("has become...The Flash!")
    assert '"meta-human"' in flash.summary and "<" not in flash.summary
    assert parse_season_summaries(recorded("tvmaze_show_13_embed_seasons.json")) == {}  # "" and null


def test_recorded_singlesearch_seasons_have_sanitised_summaries():
    data = recorded("tvmaze_singlesearch_shameless_embed_seasons.json")
    shameless = parse_show(data)
    assert shameless.summary.startswith("Shameless is a fiercely engaging")  # <strong> dropped
    seasons = parse_season_summaries(data)
    assert sorted(seasons) == [1, 2, 3, 4, 5, 6]  # 7 and 8 have empty summaries
    assert seasons[1].startswith("Frank goes missing and turns up in Toronto")
    assert not any("<" in text for text in seasons.values())


@pytest.mark.parametrize(("html", "text"), [
    ("<p><b>Barry</b> is <i>fast</i>.</p>", "Barry is fast."),
    ("<p>Good</p><script>alert('x')</script><p>Night</p>", "Good\n\nNight"),
    ("<p>Tom &amp; Jerry &quot;run&quot; &#8212; again</p>", 'Tom & Jerry "run" \u2014 again'),
    ("", ""),
])
def test_summaries_are_sanitised(html, text):
    show = {"id": 1, "name": "X", "language": "Dutch", "summary": html}
    candidate = show_candidate(show)
    assert candidate is not None
    assert candidate.summary == text
    assert candidate.summary_language == ("nl" if text else "")
    assert candidate.original_language == "nl"


def test_recorded_constructed_episodes_by_season_and_number():
    summaries = parse_episode_summaries(recorded("tvmaze_show_13_episodes_CONSTRUCTED.json")["body"])
    assert summaries == {
        (1, 1): "Barry wakes from a coma & finds he is fast.",
        (1, 2): "A storm in the city.",
        (2, 1): "Season two opens.\n\nA new speedster arrives.",
    }  # empty/null summaries and the unnumbered special are left out


@pytest.mark.parametrize(("name", "code"), [
    ("English", "en"), ("Dutch", "nl"), ("  dutch ", "nl"), ("German", "de"),
    ("Scottish  Gaelic", "gd"), ("Klingon", ""), (None, ""), (7, ""),
])
def test_language_names_map_to_two_letter_codes(name, code):
    assert language_code(name) == code


def test_odd_fields_are_skipped_not_fatal():
    odd = {"id": 5, "name": "Odd", "premiered": 2014, "externals": ["tt1"], "image": "x.jpg",
           "language": None, "weight": "high", "summary": None}
    assert show_candidate(odd) == Candidate(provider="tvmaze", provider_id="5",
                                            kind=MediaKind.SHOW, title="Odd")
    partial = {"id": 6, "name": "P", "premiered": "2019-01-01",
               "externals": {"imdb": "nm123", "thetvdb": "7"},
               "image": {"medium": None, "original": "https://static.tvmaze.com/o.jpg"}}
    candidate = show_candidate(partial)
    assert candidate is not None
    assert (candidate.year, candidate.ids, candidate.poster_url) == (
        2019, ExternalIds(), "https://static.tvmaze.com/o.jpg")


@pytest.mark.parametrize("show", [{"name": "No id"}, {"id": 3}, {"id": True, "name": "X"},
                                  {"id": "3", "name": "X"}, ["id", 3], None])
def test_a_show_without_id_or_name_is_no_candidate(show):
    assert show_candidate(show) is None
    with pytest.raises(BadResponse, match="^TVmaze: "):
        parse_show(show)


def test_search_skips_bad_items_and_rejects_a_wrong_shape():
    good = recorded("tvmaze_search_shows_doctor_who_first_item.json")[0]
    assert [c.title for c in parse_search([{"score": 1}, "junk", {"show": {"id": 1}}, good])] == ["Doctor Who"]
    with pytest.raises(BadResponse):
        parse_search({"shows": []})
    with pytest.raises(BadResponse):
        parse_episode_summaries({"episodes": []})


# --- over the gateway ----------------------------------------------------------------------


def test_search_sends_only_the_title():
    provider_type: type[Provider] = TvmazeProvider  # satisfies the protocol
    assert provider_type.name == "tvmaze"

    with respx.mock() as router:
        route = router.get(f"{BASE}/search/shows").mock(return_value=httpx.Response(
            200, json=recorded("tvmaze_search_shows_doctor_who_first_item.json")))
        found, _ = run_provider(lambda p: p.search("Doctor Who", 2005, MediaKind.SHOW, "nl"))
        params = dict(route.calls.last.request.url.params)
    assert [c.provider_id for c in found] == ["210"]
    assert params == {"q": "Doctor Who"}  # no year filter on TVmaze


def test_a_movie_search_asks_nothing():
    with respx.mock() as router:
        found, stats = run_provider(lambda p: p.search("Heat", 1995, MediaKind.MOVIE, "en"))
        assert not router.calls
    assert found == [] and stats.requests == 0


def test_singlesearch_uses_the_recorded_answer():
    with respx.mock() as router:
        route = router.get(f"{BASE}/singlesearch/shows").mock(return_value=httpx.Response(
            200, json=recorded("tvmaze_singlesearch_shameless_embed_seasons.json")))
        found, _ = run_provider(lambda p: p.singlesearch("Shameless"))
        assert route.calls.last.request.url.params["q"] == "Shameless"
    assert found is not None and (found.provider_id, found.year) == ("150", 2011)


def test_singlesearch_empty_404_is_no_match_and_is_remembered():
    [empty] = [e for e in errors_for("tvmaze") if e["body"] is None]
    cache = MemoryCache()

    async def twice(provider: TvmazeProvider):
        return [await provider.singlesearch("sdfgv35wvg23vg2") for _ in range(2)]

    with respx.mock() as router:
        route = router.get(f"{BASE}/singlesearch/shows").mock(return_value=httpx.Response(
            empty["http_status"], content=b"", headers={"Content-Type": empty["content_type"]}))
        (first, second), stats = run_provider(twice, cache=cache)
    assert (first, second) == (None, None)
    assert route.call_count == 1 and stats.cache_hits == 1
    assert stats.failures == {}


def test_lookup_follows_the_constructed_301_to_the_show():
    redirect = recorded("tvmaze_lookup_shows_imdb_301_CONSTRUCTED.json")
    cache = MemoryCache()

    async def twice(provider: TvmazeProvider):
        ids = ExternalIds(imdb="tt3107288", tvdb=279121)
        return [await provider.lookup(ids, MediaKind.SHOW, "en") for _ in range(2)]

    with respx.mock() as router:
        lookup = router.get(f"{BASE}/lookup/shows").mock(return_value=httpx.Response(
            redirect["status"], headers=redirect["headers"]))
        show = router.get(f"{BASE}/shows/13").mock(return_value=httpx.Response(
            200, json=recorded("tvmaze_show_13_embed_seasons.json")))
        (first, second), stats = run_provider(twice, cache=cache)
        asked = dict(lookup.calls.last.request.url.params)
    assert first is not None and first == second
    assert (first.provider_id, first.title) == ("13", "The Flash")
    assert asked == {"imdb": "tt3107288"}
    assert (lookup.call_count, show.call_count, stats.cache_hits) == (1, 1, 1)


def test_lookup_tries_the_tvdb_id_when_the_imdb_id_is_unknown():
    def answer(request: httpx.Request) -> httpx.Response:
        if "imdb" in request.url.params:
            return httpx.Response(404, content=b"")
        return httpx.Response(301, headers={"Location": f"{BASE}/shows/13"})

    with respx.mock() as router:
        lookup = router.get(f"{BASE}/lookup/shows").mock(side_effect=answer)
        router.get(f"{BASE}/shows/13").mock(return_value=httpx.Response(
            200, json=recorded("tvmaze_show_13_embed_seasons.json")))
        found, _ = run_provider(lambda p: p.lookup(ExternalIds(imdb="tt0000001", tvdb=279121),
                                                   MediaKind.SHOW, "en"))
        asked = [dict(call.request.url.params) for call in lookup.calls]
    assert found is not None and found.provider_id == "13"
    assert asked == [{"imdb": "tt0000001"}, {"thetvdb": "279121"}]


def test_lookup_of_unknown_ids_is_none():
    with respx.mock() as router:
        router.get(f"{BASE}/lookup/shows").mock(return_value=httpx.Response(404, content=b""))
        found, stats = run_provider(lambda p: p.lookup(ExternalIds(imdb="tt0000001"), MediaKind.SHOW, "en"))
        nothing, _ = run_provider(lambda p: p.lookup(ExternalIds(tmdb=550), MediaKind.SHOW, "en"))
    assert found is None and nothing is None
    assert stats.requests == 1


def test_details_and_season_summaries_share_one_request():
    candidate = Candidate(provider="tvmaze", provider_id="150", kind=MediaKind.SHOW, title="Shameless")

    async def both(provider: TvmazeProvider):
        return await provider.details(candidate, "en"), await provider.season_summaries(candidate)

    with respx.mock() as router:
        route = router.get(f"{BASE}/shows/150").mock(return_value=httpx.Response(
            200, json=recorded("tvmaze_singlesearch_shameless_embed_seasons.json")))
        (detailed, seasons), stats = run_provider(both)
        assert route.calls.last.request.url.params["embed"] == "seasons"
    assert detailed.ids == ExternalIds(imdb="tt1586680", tvdb=161511)
    assert detailed.poster_url.endswith("/medium_portrait/45/114890.jpg")
    assert len(seasons) == 6
    assert (stats.requests, stats.cache_hits) == (1, 1)


def test_details_of_another_providers_candidate_go_by_its_ids():
    theirs = Candidate(provider="tmdb", provider_id="60735", kind=MediaKind.SHOW, title="The Flash",
                       ids=ExternalIds(imdb="tt3107288"))
    with respx.mock() as router:
        router.get(f"{BASE}/lookup/shows").mock(return_value=httpx.Response(
            301, headers={"Location": f"{BASE}/shows/13"}))
        router.get(f"{BASE}/shows/13").mock(return_value=httpx.Response(
            200, json=recorded("tvmaze_show_13_embed_seasons.json")))
        detailed, _ = run_provider(lambda p: p.details(theirs, "en"))
    assert (detailed.provider, detailed.provider_id) == ("tvmaze", "13")


def test_episode_summaries_over_the_gateway():
    flash = Candidate(provider="tvmaze", provider_id="13", kind=MediaKind.SHOW, title="The Flash")
    with respx.mock() as router:
        router.get(f"{BASE}/shows/13/episodes").mock(return_value=httpx.Response(
            200, json=recorded("tvmaze_show_13_episodes_CONSTRUCTED.json")["body"]))
        summaries, _ = run_provider(lambda p: p.episode_summaries(flash, "en"))
    assert summaries[(1, 1)] == "Barry wakes from a coma & finds he is fast."
    assert len(summaries) == 3


def test_the_recorded_json_404_means_nothing_there():
    [json_404] = [e for e in errors_for("tvmaze") if e["body"] is not None]
    gone = Candidate(provider="tvmaze", provider_id="999999", kind=MediaKind.SHOW, title="Gone")

    async def ask(provider: TvmazeProvider):
        return await provider.details(gone, "en"), await provider.episode_summaries(gone, "en")

    with respx.mock() as router:
        router.get(url__regex=rf"{BASE}/shows/999999.*").mock(return_value=httpx.Response(
            json_404["http_status"], json=json_404["body"]))
        (detailed, episodes), stats = run_provider(ask)
    assert detailed is gone and episodes == {}
    assert stats.requests == 2 and stats.failures == {}


def test_429_is_waited_out_by_the_gateway():
    answers = iter([httpx.Response(429, headers={"Retry-After": "2"}),
                    httpx.Response(200, json=recorded("tvmaze_search_shows_doctor_who_first_item.json"))])

    async def timed(provider: TvmazeProvider):
        found = await provider.search("Doctor Who", None, MediaKind.SHOW, "en")
        return found, now()

    with respx.mock() as router:
        route = router.get(f"{BASE}/search/shows").mock(side_effect=lambda request: next(answers))
        (found, finished), stats = run_provider(timed)
    assert [c.title for c in found] == ["Doctor Who"]
    assert route.call_count == 2 and stats.rate_limited == 1
    assert finished >= 2.0  # Retry-After honoured


def test_persistent_429_ends_in_rate_limited():
    with respx.mock() as router:
        route = router.get(f"{BASE}/search/shows").mock(return_value=httpx.Response(
            429, headers={"Retry-After": "1"}))
        with pytest.raises(RateLimited, match="^TVmaze: too many requests"):
            run_provider(lambda p: p.search("Doctor Who", None, MediaKind.SHOW, "en"), attempts=2)
    assert route.call_count == 2
