"""python-plexapi, an independent client, against the fake Plex (it speaks XML and pages with headers)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from plexapi.server import PlexServer

from curator.demo.plex_server import FakePlexServer
from curator.demo.synthetic import synthetic_section


@pytest.fixture(scope="module")
def fake() -> Iterator[FakePlexServer]:
    with FakePlexServer(extra_sections=[synthetic_section(1000, seed=11)]) as server:
        yield server


@pytest.fixture(scope="module")
def plex(fake: FakePlexServer) -> PlexServer:
    return PlexServer(fake.url, fake.token)


def test_server_and_sections(fake: FakePlexServer, plex: PlexServer) -> None:
    assert (plex.friendlyName, plex.machineIdentifier, plex.version) == (fake.name, fake.machine_identifier,
                                                                          fake.version)
    sections = plex.library.sections()
    assert [(s.key, s.title, s.type) for s in sections] == [(1, "Movies", "movie"), (2, "TV Shows", "show"),
                                                            (3, "Synthetic", "movie")]
    assert plex.library.section("Synthetic").totalSize == 1000


def test_section_all_pages_through_a_thousand_items(fake: FakePlexServer, plex: PlexServer) -> None:
    before = fake.request_count("GET", "/library/sections/3/all")
    items = plex.library.sectionByID(3).all(container_size=100)
    assert len(items) == 1000 and len({item.ratingKey for item in items}) == 1000
    assert fake.request_count("GET", "/library/sections/3/all") - before >= 10
    first = items[0]
    assert first.librarySectionID == 3 and first.type == "movie"


def test_search_with_maxresults_and_sort(plex: PlexServer) -> None:
    section = plex.library.sectionByID(3)
    assert len(section.search(maxresults=250, container_size=100)) == 250
    titles = [movie.titleSort for movie in section.search(sort="titleSort:desc", maxresults=20)]
    assert titles == sorted(titles, key=str.casefold, reverse=True)
    assert [m.year for m in plex.library.section("Movies").search(year=1982)] == [1982]


def test_guids_of_new_agent_items(plex: PlexServer) -> None:
    thing = next(m for m in plex.library.section("Movies").all() if m.title == "The Thing")
    assert [guid.id for guid in thing.guids] == ["imdb://tt0084787", "tmdb://1091"]


def test_edit_summary_then_reload_shows_it_locked(fake: FakePlexServer, plex: PlexServer) -> None:
    movie = next(m for m in plex.library.section("Movies").all() if m.title == "Black Book")
    assert not movie.isLocked("summary")
    movie.editSummary("Nederland, 1944: een zangeres in het verzet.")
    movie.reload()
    assert movie.summary == "Nederland, 1944: een zangeres in het verzet."
    assert [(field.name, field.locked) for field in movie.fields] == [("summary", True)]
    assert fake.put_count(movie.ratingKey) == 1

    movie.editSummary(movie.summary, locked=False)
    movie.reload()
    assert not movie.fields


def test_batch_edits_send_one_put(fake: FakePlexServer, plex: PlexServer) -> None:
    movie = next(m for m in plex.library.section("Movies").all() if m.title == "The Matrix")
    movie.batchEdits()
    movie.editTitle("The Matrix (1999)").editSummary("Een hacker ontdekt de waarheid.")
    movie.saveEdits()
    movie.reload()
    assert (movie.title, movie.summary) == ("The Matrix (1999)", "Een hacker ontdekt de waarheid.")
    assert {field.name for field in movie.fields} == {"summary", "title"}
    assert fake.put_count(movie.ratingKey) == 1


def test_shows_seasons_and_episodes(fake: FakePlexServer, plex: PlexServer) -> None:
    show = next(s for s in plex.library.section("TV Shows").all() if s.title == "Doctor Who (2005)")
    assert [season.index for season in show.seasons()] == [1, 2]
    episodes = show.episodes()
    assert [(e.seasonNumber, e.index) for e in episodes][:3] == [(1, 1), (1, 2), (1, 3)]
    rose = episodes[0]
    assert (rose.title, rose.grandparentTitle) == ("Rose", "Doctor Who (2005)")
    rose.editSummary("Een winkelmeisje ontmoet de Doctor.")
    rose.reload()
    assert rose.summary == "Een winkelmeisje ontmoet de Doctor." and rose.isLocked("summary")
    assert plex.library.section("TV Shows").totalViewSize(libtype="episode") == 20
