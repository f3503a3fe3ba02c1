"""What the fake providers know: the demo catalogue plus (optionally) the synthetic films, with
the ids each service gives them, localised titles, and one precomputed title search.

Ids the catalogue does not give are derived, in ranges no real record uses: TheTVDB movie ids
9,300,000 + position (catalogue films) or 9,600,000 + index (synthetic films); TVmaze show ids
9,400,000 + position, except Doctor Who (2005), whose real TVmaze id 210 is in the recorded
payloads.
"""

from __future__ import annotations

import re
import threading
import unicodedata
import zlib
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from curator.demo.catalogue import MOVIES, SHOWS, Work, WorkKind
from curator.demo.synthetic_catalogue import FIRST_TMDB_ID, SyntheticCatalogue

TVDB_FIRST_MOVIE_ID = 9_300_000
TVDB_FIRST_SYNTHETIC_MOVIE_ID = 9_600_000
TVMAZE_FIRST_ID = 9_400_000
_KNOWN_TVMAZE_IDS = {"show/doctor-who-2005": 210}


@dataclass(frozen=True, slots=True)
class Language:
    """``code`` ISO 639-1 (domain, TMDB), ``code3`` as TheTVDB writes it, ``country`` the
    ISO 3166-1 region TMDB pairs with it, ``tvdb_country`` TheTVDB's 3-letter country."""

    code: str
    code3: str
    country: str
    tvdb_country: str
    native: str
    english: str


LANGUAGES: dict[str, Language] = {lang.code: lang for lang in (
    Language("en", "eng", "US", "usa", "English", "English"),
    Language("nl", "nld", "NL", "nld", "Nederlands", "Dutch"),
    Language("de", "deu", "DE", "deu", "Deutsch", "German"),
    Language("fr", "fra", "FR", "fra", "Français", "French"),
    Language("ja", "jpn", "JP", "jpn", "日本語", "Japanese"),
    Language("ru", "rus", "RU", "rus", "Pусский", "Russian"),
    Language("es", "spa", "ES", "esp", "Español", "Spanish"),
    Language("it", "ita", "IT", "ita", "Italiano", "Italian"),
)}
_BY_CODE3 = {lang.code3: lang for lang in LANGUAGES.values()}


def language(code: str) -> Language:
    """The language for an ISO 639-1 code or a tag like ``nl-NL`` (English when unknown)."""
    return LANGUAGES.get(code.split("-")[0].lower(), LANGUAGES["en"])


def language3(code3: str) -> Language | None:
    return _BY_CODE3.get(code3.lower())


def tokens(text: str) -> tuple[str, ...]:
    """Search tokens: accents stripped, case folded, apostrophes dropped, split on the rest."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    folded = folded.casefold().replace("&", " and ").replace("'", "").replace("\u2019", "")
    return tuple(token for token in re.split(r"[\W_]+", folded) if token)


def slug(text: str) -> str:
    return "-".join(tokens(text)) or "untitled"


def titles_by_language(work: Work) -> dict[str, str]:
    """The work's own title in each language it has one: English, original, Dutch."""
    titles = {"en": work.title, work.original_language: work.original_title}
    if work.dutch_title:
        titles["nl"] = work.dutch_title
    return titles


def title_in(work: Work, code: str) -> str:
    """The title a service shows for ``code``: that language's title, else the English one."""
    return titles_by_language(work).get(code, work.title)


def episode_years(work: Work) -> frozenset[int]:
    return frozenset(int(episode.air_date[:4]) for season in work.seasons for episode in season.episodes
                     if episode.air_date[:4].isdigit())


_KIND_CODES = {"movie": 0, "show": 1}
_NOTHING: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class _Index:
    """Search postings by token and by release year, and per-document kind, year, popularity."""

    tokens: dict[str, frozenset[int]]
    years: dict[int, frozenset[int]]
    kinds: bytes
    years_of: array[int]
    popularity: array[float]


@dataclass(frozen=True, slots=True)
class Hit:
    """A search result: a document of the world and how well its best title matched (0–1]."""

    doc: int
    relevance: float


class World:
    """The works the fakes serve. Documents ``0..C-1`` are the catalogue's works, ``C + i`` the
    synthetic film ``i``."""

    def __init__(self, synthetic: SyntheticCatalogue | None = None) -> None:
        self._works: tuple[Work, ...] = MOVIES + SHOWS
        self._synthetic = synthetic or SyntheticCatalogue(0)
        self._tvdb_movie_ids = {work.key: TVDB_FIRST_MOVIE_ID + n for n, work in enumerate(MOVIES, start=1)}
        self._tvmaze_ids = {work.key: _KNOWN_TVMAZE_IDS.get(work.key, TVMAZE_FIRST_ID + n)
                            for n, work in enumerate(SHOWS, start=1)}
        self._by_tvdb_movie = {tvdb: key for key, tvdb in self._tvdb_movie_ids.items()}
        self._by_tvmaze = {tvmaze: key for key, tvmaze in self._tvmaze_ids.items()}
        self._by_key = {work.key: work for work in self._works}
        self._by_imdb = {work.imdb_id: work for work in self._works if work.imdb_id}
        self._by_tmdb = {(work.kind, work.tmdb_id): work for work in self._works}
        self._by_tvdb_series = {work.tvdb_id: work for work in self._works if work.tvdb_id and work.kind == "show"}
        self._index: _Index | None = None
        self._index_lock = threading.Lock()
        self._cached_search = lru_cache(maxsize=8192)(self._search)

    @property
    def shows(self) -> tuple[Work, ...]:
        return SHOWS

    # -- documents -----------------------------------------------------------------------------

    def work(self, doc: int) -> Work:
        if doc < len(self._works):
            return self._works[doc]
        return self._synthetic.work(doc - len(self._works))

    def _titles(self, doc: int) -> Iterable[str]:
        if doc < len(self._works):
            work = self._works[doc]
            return dict.fromkeys((*titles_by_language(work).values(), *work.alternative_titles))
        return (self._synthetic.title_and_year(doc - len(self._works))[0],)

    # -- search --------------------------------------------------------------------------------

    def search(self, query: str, kind: WorkKind | None = None, year: int | None = None, *,
               any_air_date: bool = False) -> tuple[Hit, ...]:
        """Works whose title, original title, Dutch title or an alternative title holds every
        token of ``query``; ``year`` must be the release (first air) year, or with
        ``any_air_date`` any episode's air year too. Best relevance first, then popularity."""
        wanted = tuple(sorted(set(tokens(query))))
        if not wanted:
            return ()
        return self._cached_search(wanted, kind, year, any_air_date)

    def _search(self, wanted: tuple[str, ...], kind: WorkKind | None, year: int | None,
                any_air_date: bool) -> tuple[Hit, ...]:
        index = self._load_index()
        postings = [index.tokens.get(token, _NOTHING) for token in wanted]
        if year is not None and not any_air_date:
            postings.append(index.years.get(year, _NOTHING))
        postings.sort(key=len)
        docs = postings[0].intersection(*postings[1:])
        query = set(wanted)
        hits: list[tuple[float, float, int]] = []
        for doc in docs:
            if kind is not None and index.kinds[doc] != _KIND_CODES[kind]:
                continue
            if year is not None and index.years_of[doc] != year and not (
                    any_air_date and year in episode_years(self.work(doc))):
                continue
            relevance = max(_overlap(query, set(tokens(title))) for title in self._titles(doc))
            hits.append((relevance, index.popularity[doc], doc))
        hits.sort(key=lambda hit: (-hit[0], -hit[1], hit[2]))
        return tuple(Hit(doc, round(relevance, 4)) for relevance, _, doc in hits)

    def _load_index(self) -> _Index:
        with self._index_lock:
            if self._index is None:
                self._index = self._build_index()
            return self._index

    def _build_index(self) -> _Index:
        postings: dict[str, set[int]] = {}
        by_year: dict[int, set[int]] = {}
        kinds = bytearray()
        years = array("H")
        popularity = array("d")
        for doc in range(len(self._works) + len(self._synthetic)):
            if doc < len(self._works):
                work = self._works[doc]
                kind, year, popular = work.kind, work.year, work.popularity
            else:
                kind, year = "movie", self._synthetic.title_and_year(doc - len(self._works))[1]
                popular = self._synthetic.popularity(doc - len(self._works))
            kinds.append(_KIND_CODES[kind])
            years.append(year)
            popularity.append(popular)
            by_year.setdefault(year, set()).add(doc)
            for title in self._titles(doc):
                for token in tokens(title):
                    postings.setdefault(token, set()).add(doc)
        return _Index(
            tokens={token: frozenset(docs) for token, docs in postings.items()},
            years={year: frozenset(docs) for year, docs in by_year.items()},
            kinds=bytes(kinds), years_of=years, popularity=popularity,
        )

    # -- lookups -------------------------------------------------------------------------------

    def by_tmdb(self, kind: WorkKind, tmdb: int) -> Work | None:
        found = self._by_tmdb.get((kind, tmdb))
        if found is None and kind == "movie" and (index := self._synthetic.index_of_tmdb(tmdb)) is not None:
            return self._synthetic.work(index)
        return found

    def by_imdb(self, imdb: str) -> Work | None:
        found = self._by_imdb.get(imdb)
        if found is None and (index := self._synthetic.index_of_imdb(imdb)) is not None:
            return self._synthetic.work(index)
        return found

    def by_tvdb_series(self, tvdb: int) -> Work | None:
        return self._by_tvdb_series.get(tvdb)

    def by_tvdb_movie(self, tvdb: int) -> Work | None:
        key = self._by_tvdb_movie.get(tvdb)
        if key is not None:
            return self._by_key[key]
        index = tvdb - TVDB_FIRST_SYNTHETIC_MOVIE_ID
        return self._synthetic.work(index) if 0 <= index < len(self._synthetic) else None

    def by_tvmaze(self, tvmaze: int) -> Work | None:
        key = self._by_tvmaze.get(tvmaze)
        return self._by_key[key] if key is not None else None

    def tvdb_id(self, work: Work) -> int:
        """TheTVDB's id of the work (a series id for shows, a movie id for films)."""
        if work.kind == "show":
            return work.tvdb_id or 0
        if work.key in self._tvdb_movie_ids:
            return self._tvdb_movie_ids[work.key]
        return TVDB_FIRST_SYNTHETIC_MOVIE_ID + work.tmdb_id - FIRST_TMDB_ID

    def tvmaze_id(self, work: Work) -> int | None:
        return self._tvmaze_ids.get(work.key)


def _overlap(query: set[str], title: set[str]) -> float:
    """Jaccard similarity of the token sets: 1.0 when the query is exactly the title."""
    union = len(query | title)
    return len(query & title) / union if union else 0.0


def stable(key: str, salt: str) -> float:
    """A number in [0, 1) fixed by ``key`` and ``salt``: for made-up facts (ratings, runtimes)."""
    return zlib.crc32(f"{key}:{salt}".encode()) / 0x1_0000_0000
