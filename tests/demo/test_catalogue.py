"""The demo catalogue and the demo Plex library built from it."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from curator.demo import catalogue
from curator.demo.catalogue import (
    MOVIES,
    PLEX_MOVIES,
    PLEX_SHOWS,
    SHOWS,
    WORKS,
    demo_sections,
)
from curator.domain.models import ExternalIds

REMAKES = {
    "Nosferatu": {1922, 1979, 2024}, "Metropolis": {1927, 2001}, "Hamlet": {1948, 1990, 1996, 2000},
    "A Star Is Born": {1937, 1954, 1976, 2018}, "Little Women": {1933, 1949, 1994, 2019},
    "The Thing": {1982, 2011}, "Solaris": {1972, 2002}, "Ocean's Eleven": {1960, 2001}, "Scarface": {1932, 1983},
    "True Grit": {1969, 2010}, "Dune": {1984, 2021}, "The Fly": {1958, 1986}, "Cape Fear": {1962, 1991},
}
DUTCH = {"Zwartboek": 2006, "Turks fruit": 1973, "Soldaat van Oranje": 1977, "Karakter": 1997, "De Aanslag": 1986}


def test_the_remakes_and_dutch_films_are_all_there() -> None:
    assert 38 <= len(MOVIES) <= 45
    for title, years in REMAKES.items():
        found = {w.year for w in MOVIES if title in (w.title, *w.alternative_titles)}
        assert found >= years, title
    dutch = {w.original_title: w for w in MOVIES if w.original_language == "nl"}
    assert {title: work.year for title, work in dutch.items()} == DUTCH
    for work in dutch.values():
        assert work.dutch_title == work.original_title
        assert work.summary("nl"), work.key


def test_works_have_unique_valid_ids_and_short_summaries() -> None:
    assert len({w.key for w in WORKS}) == len(WORKS)
    assert len({(w.kind, w.tmdb_id) for w in WORKS}) == len(WORKS)
    imdb = [w.imdb_id for w in WORKS if w.imdb_id]
    assert len(set(imdb)) == len(imdb) and all(re.fullmatch(r"tt\d{7,8}", i) for i in imdb)
    for work in WORKS:
        assert work.summary("en"), work.key
        for text in work.summaries.values():
            assert len(text) < 400 and text.count(". ") <= 2, work.key
    assert sum(1 for w in MOVIES if w.summary("nl")) >= 20


def test_shows_have_seasons_and_episodes() -> None:
    assert 3 <= len(SHOWS) <= 6
    for show in SHOWS:
        assert show.tvdb_id and 2 <= len(show.seasons) <= 3, show.key
        for season in show.seasons:
            assert [e.number for e in season.episodes] == list(range(1, len(season.episodes) + 1))
            assert all(e.title and e.summary("en") for e in season.episodes)
    dutch_show = next(s for s in SHOWS if s.original_language == "nl")
    assert all(e.summary("nl") for season in dutch_show.seasons for e in season.episodes)


def test_lookups() -> None:
    assert catalogue.find_by_imdb("tt0084787") is catalogue.work("movie/the-thing-1982")
    assert catalogue.find_by_tmdb("movie", 1091) is catalogue.work("movie/the-thing-1982")
    assert catalogue.find_by_tvdb(252712) is catalogue.work("show/tegenlicht-2002")
    assert catalogue.find_by_tmdb("show", 1091) is None
    with pytest.raises(KeyError):
        catalogue.work("movie/nope")


def test_plex_placements_refer_to_works_and_leave_some_remakes_out() -> None:
    placed = {p.work_key for p in PLEX_MOVIES + PLEX_SHOWS}
    assert placed <= {w.key for w in WORKS}
    assert len(placed) == len(PLEX_MOVIES) + len(PLEX_SHOWS)
    candidates_only = {w.key for w in WORKS} - placed
    assert {"movie/hamlet-1990", "movie/a-star-is-born-1937", "show/doctor-who-1963"} <= candidates_only


def test_demo_library_has_the_variety_matching_needs() -> None:
    movies, shows = demo_sections()
    assert (movies.key, movies.title, movies.kind) == (1, "Movies", "movie")
    assert (shows.key, shows.title, shows.kind) == (2, "TV Shows", "show")
    entries = movies.entries + shows.entries
    assert len({e.rating_key for e in entries}) == len(entries)
    assert all(catalogue.work(e.work_key) for e in entries)  # the ground truth behind every item
    schemes = Counter(e.guid.split("://")[0] for e in movies.entries)
    assert schemes["plex"] >= 10 and schemes["com.plexapp.agents.imdb"] >= 3 and schemes["local"] >= 8
    for entry in entries:
        assert bool(entry.external_guids) == entry.guid.startswith("plex://"), entry.title
        ids = ExternalIds.from_guids((entry.guid, *entry.external_guids))
        if not entry.guid.startswith("local://") and entry.kind in ("movie", "show"):
            assert ids, entry.title
    titles = [e.title for e in movies.entries]
    assert any(re.search(r"\.\d{4}\.", title) for title in titles)  # file-name-like
    assert "Star Is Born, A" in titles and "Thing, The" in titles  # article moved
    assert any(e.year is None for e in movies.entries)
    assert any(e.summary == "" for e in movies.entries)
    assert sum("summary" in e.locked for e in movies.entries) >= 3
    assert all(e.file for e in movies.entries)
    black_book = next(e for e in movies.entries if e.title == "Black Book")
    assert black_book.summary == catalogue.work("movie/zwartboek-2006").summary("en")  # English where Dutch is wanted


def test_show_entries_nest_properly() -> None:
    _, shows = demo_sections()
    by_key = {e.rating_key: e for e in shows.entries}
    for entry in shows.entries:
        if entry.kind == "season":
            assert by_key[entry.parent].kind == "show"
        elif entry.kind == "episode":
            assert by_key[entry.parent].kind == "season" and entry.file
    legacy = next(e for e in shows.entries if e.kind == "episode" and e.guid.startswith("com.plexapp.agents.thetvdb"))
    assert re.fullmatch(r"com\.plexapp\.agents\.thetvdb://78804/\d/\d\?lang=en", legacy.guid)
    local_episodes = [e for e in shows.entries if e.kind == "episode" and e.guid.startswith("local://")]
    assert local_episodes and all(e.title.startswith("Episode ") and not e.summary for e in local_episodes)


def test_demo_sections_are_deterministic() -> None:
    assert demo_sections() == demo_sections()
