"""Synthetic Plex items find their films on the fakes: by guid ids and by title search."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

import httpx
import pytest

from curator.demo import synthetic_catalogue
from curator.demo.plex_model import PlexEntry
from curator.demo.providers import OMDB_API_KEY, TMDB_API_KEY, FakeProviders, RateLimit
from curator.demo.synthetic import generate_movies
from curator.demo.synthetic_catalogue import SyntheticCatalogue

ITEMS, SEED = 300, 7
UNLIMITED = RateLimit(100_000, 1.0)


@pytest.fixture(scope="module")
def fakes() -> Iterator[FakeProviders]:
    with FakeProviders(synthetic_items=ITEMS, synthetic_seed=SEED, tmdb_rate=UNLIMITED, omdb_rate=UNLIMITED) as f:
        yield f


@pytest.fixture(scope="module")
def tmdb(fakes: FakeProviders) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=fakes.tmdb.url, params={"api_key": TMDB_API_KEY}, timeout=5) as client:
        yield client


@pytest.fixture(scope="module")
def items() -> list[PlexEntry]:
    return generate_movies(ITEMS, SEED)


def true_title_and_year(entry: PlexEntry) -> tuple[str, int]:
    """What the item really is: its folder is "Title (Year)" even when Plex shows a file name."""
    folder = PurePosixPath(entry.file).parent.name
    return folder[:-7], int(folder[-5:-1])


def guid_ids(entry: PlexEntry) -> dict[str, str]:
    ids = dict(guid.split("://", 1) for guid in entry.external_guids)
    if entry.guid.startswith("com.plexapp.agents.imdb://"):
        ids["imdb"] = entry.guid.split("://", 1)[1].split("?")[0]
    return ids


def test_items_with_a_tmdb_guid_find_their_film_by_id(tmdb: httpx.Client, items: list[PlexEntry]) -> None:
    with_tmdb = [entry for entry in items if "tmdb" in guid_ids(entry)]
    assert len(with_tmdb) > ITEMS // 3
    for entry in with_tmdb[:40]:
        film = tmdb.get(f"/movie/{guid_ids(entry)['tmdb']}", params={"append_to_response": "external_ids"}).json()
        assert (film["title"], int(film["release_date"][:4])) == true_title_and_year(entry)
        assert film["external_ids"]["imdb_id"] == guid_ids(entry)["imdb"]


def test_items_with_an_imdb_guid_find_their_film(tmdb: httpx.Client, items: list[PlexEntry]) -> None:
    legacy = [entry for entry in items if entry.guid.startswith("com.plexapp.agents.imdb://")]
    assert legacy
    for entry in legacy[:20]:
        found = tmdb.get(f"/find/{guid_ids(entry)['imdb']}", params={"external_source": "imdb_id"}).json()
        assert [result["title"] for result in found["movie_results"]] == [true_title_and_year(entry)[0]]


def test_every_item_finds_its_film_by_title_and_year(tmdb: httpx.Client, items: list[PlexEntry]) -> None:
    for index, entry in enumerate(items):
        title, year = true_title_and_year(entry)
        results = tmdb.get("/search/movie", params={"query": title, "year": year}).json()["results"]
        assert synthetic_catalogue.tmdb_id(index) in [result["id"] for result in results], title
        assert all(result["title"] == title for result in results[:1])


def test_the_plex_title_of_a_clean_item_is_enough(tmdb: httpx.Client, items: list[PlexEntry]) -> None:
    clean = [(index, entry) for index, entry in enumerate(items) if entry.year is not None][:30]
    for index, entry in clean:
        results = tmdb.get("/search/movie", params={"query": entry.title, "year": entry.year}).json()["results"]
        assert synthetic_catalogue.tmdb_id(index) in [result["id"] for result in results]


def test_omdb_knows_the_synthetic_films_too(fakes: FakeProviders, items: list[PlexEntry]) -> None:
    imdb = guid_ids(next(entry for entry in items if "imdb" in guid_ids(entry)))["imdb"]
    body = httpx.get(fakes.omdb.url, params={"apikey": OMDB_API_KEY, "i": imdb}).json()
    assert body["Response"] == "True" and body["imdbID"] == imdb


def test_ids_outside_the_synthetic_range_are_unknown(tmdb: httpx.Client) -> None:
    assert tmdb.get(f"/movie/{synthetic_catalogue.tmdb_id(ITEMS)}").status_code == 404
    assert tmdb.get(f"/find/{synthetic_catalogue.imdb_id(ITEMS)}",
                    params={"external_source": "imdb_id"}).json()["movie_results"] == []


def test_the_catalogue_is_deterministic_and_built_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def counting(n: int, seed: int = 0) -> list[PlexEntry]:
        calls.append(n)
        return generate_movies(n, seed)

    monkeypatch.setattr(synthetic_catalogue, "generate_movies", counting)
    catalogue = SyntheticCatalogue(50, seed=3)
    assert calls == []  # nothing generated until first use
    first = catalogue.work(10)
    catalogue.work(11)
    assert calls == [50]
    again = SyntheticCatalogue(50, seed=3).work(10)
    assert first == again
    assert first.tmdb_id == synthetic_catalogue.tmdb_id(10) and first.imdb_id == synthetic_catalogue.imdb_id(10)


def test_synthetic_films_carry_overviews_in_english_and_sometimes_dutch() -> None:
    catalogue = SyntheticCatalogue(200)
    works = [catalogue.work(index) for index in range(200)]
    assert sum(bool(work.summary("en")) for work in works) > 150
    assert 20 < sum(bool(work.summary("nl")) for work in works) < 120
