"""The synthetic films as the fake metadata providers know them.

Derived from :func:`curator.demo.synthetic.generate_movies` with the same ``(n, seed)``, so each
synthetic Plex item has its film here under the ids its guids use: TMDB ``9,500,000 + index``
and IMDb ``tt98`` + the zero-padded index (local and legacy items get them too). Title and year
are the true ones, read from the item's folder name (``Title (Year)``), which keeps them even
when Plex shows a file-name title or no year. Overviews, popularity and vote counts are derived
from ``(seed, index)``.

Lean and lazy: nothing is generated until first use; then only a title list and two small
arrays are kept, and :class:`Work` values are made on demand.
"""

from __future__ import annotations

import random
import re
import threading
import zlib
from array import array
from functools import lru_cache
from pathlib import PurePosixPath
from types import MappingProxyType

from curator.demo.catalogue import Work
from curator.demo.synthetic import generate_movies

FIRST_TMDB_ID = 9_500_000
_IMDB = re.compile(r"^tt98(\d{6})$")
_FOLDER = re.compile(r"^(?P<title>.+) \((?P<year>\d{4})\)$")

_ROLES = ("a tram driver", "two sisters", "an ageing boxer", "a botanist", "a radio host", "a retired spy",
          "a ferry captain", "a young widow", "a chess prodigy", "a night porter")
_PLACES = ("a port town", "the mountains", "a border village", "a flooded city", "an island", "the suburbs",
           "a desert motel", "a northern farm")
_TURNS = ("an old letter surfaces", "a stranger arrives with a map", "the factory closes", "a storm cuts the roads",
          "a child goes missing", "an inheritance is contested", "a secret recording is found")
_NL_ROLES = ("een trambestuurder", "twee zussen", "een oude bokser", "een botanicus", "een radiopresentator")
_NL_PLACES = ("een havenstad", "de bergen", "een grensdorp", "een overstroomde stad", "een eiland")


def imdb_id(index: int) -> str:
    return f"tt98{index:06d}"


def tmdb_id(index: int) -> int:
    return FIRST_TMDB_ID + index


class SyntheticCatalogue:
    """The first ``n`` synthetic films of ``seed``, findable by index, TMDB id and IMDb id."""

    def __init__(self, n: int, seed: int = 0) -> None:
        if n < 0:
            raise ValueError("n cannot be negative")
        self.n = n
        self.seed = seed
        self._titles: list[str] | None = None
        self._years = array("H")
        self._dates = array("H")  # month * 100 + day
        self._lock = threading.Lock()
        self._cached_work = lru_cache(maxsize=4096)(self._make_work)

    def __len__(self) -> int:
        return self.n

    def title_and_year(self, index: int) -> tuple[str, int]:
        titles = self._load()
        return titles[index], self._years[index]

    def index_of_tmdb(self, tmdb: int) -> int | None:
        index = tmdb - FIRST_TMDB_ID
        return index if 0 <= index < self.n else None

    def index_of_imdb(self, imdb: str) -> int | None:
        found = _IMDB.match(imdb)
        index = int(found.group(1)) if found else -1
        return index if 0 <= index < self.n else None

    def popularity(self, index: int) -> float:
        """Stable per film, 0.6–60, most of them low (as on TMDB)."""
        roll = zlib.crc32(f"{self.seed}:{index}:popularity".encode()) / 0xFFFFFFFF
        return round(0.6 + 60 * roll**3, 3)

    def work(self, index: int) -> Work:
        return self._cached_work(index)

    def _make_work(self, index: int) -> Work:
        title, year = self.title_and_year(index)
        date = self._dates[index]
        rng = random.Random(f"{self.seed}:{index}")
        summaries: dict[str, str] = {}
        if rng.random() < 0.92:
            summaries["en"] = (f"In {rng.choice(_PLACES)}, {rng.choice(_ROLES)} must start over when "
                               f"{rng.choice(_TURNS)}.")
        if "en" in summaries and rng.random() < 0.35:
            summaries["nl"] = (f"In {rng.choice(_NL_PLACES)} moet {rng.choice(_NL_ROLES)} opnieuw "
                               "beginnen als alles anders loopt dan gepland.")
        return Work(
            key=f"synthetic/{index}", kind="movie", title=title, year=year, original_title=title,
            original_language="en", tmdb_id=tmdb_id(index), imdb_id=imdb_id(index),
            summaries=MappingProxyType(summaries),
            release_date=f"{year}-{date // 100:02d}-{date % 100:02d}",
            popularity=self.popularity(index), vote_count=rng.randint(0, 4000),
        )

    def _load(self) -> list[str]:
        if self._titles is not None:
            return self._titles
        with self._lock:
            if self._titles is None:
                self._titles = self._generate()
            return self._titles

    def _generate(self) -> list[str]:
        titles: list[str] = []
        for index, entry in enumerate(generate_movies(self.n, self.seed)):
            found = _FOLDER.match(PurePosixPath(entry.file).parent.name)
            title = found.group("title") if found else entry.title
            year = int(found.group("year")) if found else entry.year or 2000
            titles.append(title)
            self._years.append(year)
            self._dates.append(_month_day(entry.originally_available_at, self.seed, index))
        return titles


def _month_day(date: str, seed: int, index: int) -> int:
    """``MMDD`` of Plex's release date when it has one, else a stable made-up day."""
    parts = date.split("-")
    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
        return int(parts[1]) * 100 + int(parts[2])
    roll = zlib.crc32(f"{seed}:{index}:date".encode())
    return (roll % 12 + 1) * 100 + roll % 28 + 1
