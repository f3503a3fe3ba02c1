"""Synthetic movie sections for load tests and benchmarks: deterministic, plausible and lean.

Titles, years, agents and summaries come from small word lists and a seeded RNG, so the same
``(n, seed)`` always gives the same items. External ids are in ranges no real record uses
(IMDb ``tt98……``, TMDB from 9,500,000).
"""

from __future__ import annotations

import random

from curator.demo.plex_model import PlexEntry, PlexSectionSpec, plex_guid

SYNTHETIC_SECTION_KEY = 3
FIRST_SYNTHETIC_RATING_KEY = 100_000

_ADJECTIVES = (
    "Silent", "Crimson", "Last", "Hidden", "Broken", "Golden", "Lonely", "Frozen", "Burning", "Distant",
    "Restless", "Hollow", "Wild", "Quiet", "Bitter", "Endless", "Northern", "Secret", "Pale", "Savage",
)
_NOUNS = (
    "Harbour", "Winter", "Garden", "Signal", "Mirror", "River", "Witness", "Orchard", "Frontier", "Lantern",
    "Tide", "Promise", "Station", "Island", "Echo", "Circus", "Highway", "Letter", "Crown", "Shadow",
)
_PLACES = (
    "Rotterdam", "the Delta", "Marseille", "Lisbon", "the Alps", "Tangier", "Ghent", "the Moors", "Havana",
    "Kyoto", "Oslo", "the Dunes", "Naples", "Groningen", "Trieste", "the Steppe",
)
_ROLES = (
    "retired detective", "young nurse", "night-shift pilot", "failed painter", "ship's cook", "schoolteacher",
    "small-town lawyer", "war photographer", "lighthouse keeper", "jazz pianist", "beekeeper", "forger",
)
_GOALS = (
    "find a missing sister", "repay an old debt", "clear a friend's name", "win back a lost farm",
    "protect a stranger's secret", "finish one last job", "cross the border", "stop a wedding",
)
_DEADLINES = (
    "the first snow falls", "the harbour closes", "the election", "the tide turns", "dawn", "the trial begins",
    "the festival ends", "the money runs out",
)
_PATTERNS = ("The {adj} {noun}", "{noun} of {place}", "{adj} {noun}", "The {noun}", "A {adj} {noun}")


def generate_movies(n: int, seed: int = 0, *, first_rating_key: int = FIRST_SYNTHETIC_RATING_KEY) -> list[PlexEntry]:
    """``n`` plausible movie items: about half matched with ``Guid[]``, some legacy, the rest local.

    A quarter have no summary and one in twenty has its summary locked; some carry a
    file-name-like title or no year.
    """
    if n < 0:
        raise ValueError("n cannot be negative")
    rng = random.Random(seed)
    return [_movie(rng, index, first_rating_key + index) for index in range(n)]


def synthetic_section(
    n: int,
    seed: int = 0,
    *,
    key: int = SYNTHETIC_SECTION_KEY,
    title: str = "Synthetic",
    first_rating_key: int = FIRST_SYNTHETIC_RATING_KEY,
) -> PlexSectionSpec:
    """A movie section of ``n`` synthetic items, to pass as an extra section to the fake Plex."""
    entries = tuple(generate_movies(n, seed, first_rating_key=first_rating_key))
    return PlexSectionSpec(key, title, "movie", entries, f"/data/{title}")


def _movie(rng: random.Random, index: int, rating_key: int) -> PlexEntry:
    title = rng.choice(_PATTERNS).format(adj=rng.choice(_ADJECTIVES), noun=rng.choice(_NOUNS), place=rng.choice(_PLACES))
    if rng.random() < 0.08:
        title += f" {rng.choice(('II', 'III', '2', 'Returns'))}"
    year = min(2024, 1930 + int(rng.betavariate(3, 1.4) * 95))
    roll = rng.random()
    if roll < 0.5:
        guid = plex_guid("movie", f"synthetic/{rating_key}")
        external: tuple[str, ...] = (f"imdb://tt98{index:06d}", f"tmdb://{9_500_000 + index}")
    elif roll < 0.6:
        guid, external = f"com.plexapp.agents.imdb://tt98{index:06d}?lang=en", ()
    else:
        guid, external = f"local://{rating_key}", ()
    folder = f"{title} ({year})"
    shown_title: str = title
    shown_year: int | None = year
    if guid.startswith("local://") and rng.random() < 0.3:
        shown_title = f"{title.lower().replace(' ', '.')}.{year}.1080p"
        shown_year = None
    summary = "" if rng.random() < 0.25 else (
        f"A {rng.choice(_ROLES)} in {rng.choice(_PLACES)} must {rng.choice(_GOALS)} before {rng.choice(_DEADLINES)}."
    )
    return PlexEntry(
        rating_key=rating_key,
        kind="movie",
        title=shown_title,
        year=shown_year,
        guid=guid,
        external_guids=external,
        summary=summary,
        locked=frozenset({"summary"}) if rng.random() < 0.05 else frozenset(),
        originally_available_at=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" if external else "",
        file=f"/data/Synthetic/{folder}/{folder}.mkv",
        duration_ms=rng.randint(80, 160) * 60_000,
        added_at=1_500_000_000 + index * 3_600,
    )
