"""A fake OMDb: ``/?apikey=&i=`` / ``&t=[&y=&type=]`` / ``&s=[&page=]``, in the shapes of the
recorded ``omdb_*`` payloads. As on OMDb, "not found" and "too many results" are HTTP 200 with
``{"Response":"False","Error":…}``; a bad key and a spent daily budget are 401s.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

from curator.demo.catalogue import Work, WorkKind
from curator.demo.loopback import Request, Response
from curator.demo.providers.ratelimit import RateLimit
from curator.demo.providers.service import FakeService, Params, Route, json_response, retry_after_header
from curator.demo.providers.world import World, language, stable

OMDB_API_KEY = "demo0mdb"
SEARCH_PAGE_SIZE = 10
MIN_SEARCH_LENGTH = 3  # shorter searches answer "Too many results."
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_TYPES: dict[str, WorkKind] = {"movie": "movie", "series": "show"}
_COUNTRIES = {"en": "United States", "nl": "Netherlands", "de": "Germany", "fr": "France", "ja": "Japan",
              "ru": "Soviet Union"}


def _false(error: str, status: int = 200) -> Response:
    return json_response({"Response": "False", "Error": error}, status)


class FakeOmdb(FakeService):
    name = "omdb"
    image_prefixes = ("/posters/",)
    default_rate = RateLimit(100, 1.0)

    def __init__(self, world: World, *, api_key: str = OMDB_API_KEY, daily_budget: int | None = None,
                 **options: Any) -> None:
        self._world = world
        self._api_key = api_key
        self._budget = daily_budget
        self._spent = 0
        self._budget_lock = threading.Lock()
        super().__init__(**options)

    def set_daily_budget(self, budget: int | None) -> None:
        """Answer "Request limit reached!" (401) after ``budget`` more keyed requests; None: no
        limit."""
        with self._budget_lock:
            self._budget, self._spent = budget, 0

    def routes(self) -> list[Route]:
        return [Route("GET", "/", self._query)]

    def authorise(self, request: Request) -> Response | None:
        """Checks the key, then charges the daily budget."""
        key = request.query.get("apikey")
        if not key:
            return _false("No API key provided.", 401)
        if key != self._api_key:
            return _false("Invalid API key!", 401)
        with self._budget_lock:
            if self._budget is not None and self._spent >= self._budget:
                return _false("Request limit reached!", 401)
            self._spent += 1
        return None

    def error_response(self, status: int, retry_after: float | None = None) -> Response:
        errors = {404: "Not found.", 429: "Too many requests.", 401: "Invalid API key!"}
        body = {"Response": "False", "Error": errors.get(status, "Something went wrong.")}
        return json_response(body, status, retry_after_header(retry_after))

    # -- the one endpoint ----------------------------------------------------------------------

    def _query(self, request: Request, params: Params) -> Response:
        query = request.query
        kind_word = query.get("type") or ""
        if kind_word and kind_word not in (*_TYPES, "episode"):
            return _false("Incorrect type.")
        not_found = "Series not found!" if kind_word == "series" else "Movie not found!"
        if imdb := query.get("i"):
            work = self._world.by_imdb(imdb)
            if work is None or (kind_word and _type(work) != kind_word):
                return _false("Incorrect IMDb ID.")
            return json_response(self._title(work, full=query.get("plot") == "full"))
        year = int(query["y"]) if (query.get("y") or "").isdigit() else None
        if title := (query.get("t") or "").strip():
            hits = self._hits(title, kind_word, year)
            if not hits:
                return _false(not_found)
            return json_response(self._title(self._world.work(hits[0]), full=query.get("plot") == "full"))
        if search := (query.get("s") or "").strip():
            return self._search(search, kind_word, year, query.get("page") or "1", not_found)
        return _false("Incorrect IMDb ID.")

    def _search(self, search: str, kind_word: str, year: int | None, raw_page: str, not_found: str) -> Response:
        if len(search) < MIN_SEARCH_LENGTH:
            return _false("Too many results.")
        page = int(raw_page) if raw_page.isdigit() and 1 <= int(raw_page) <= 100 else 0
        if page == 0:
            return _false("The offset specified in a OFFSET clause may not be negative.")
        hits = self._hits(search, kind_word, year)
        start = (page - 1) * SEARCH_PAGE_SIZE
        found = [self._world.work(doc) for doc in hits[start:start + SEARCH_PAGE_SIZE]]
        if not found:
            return _false(not_found)
        return json_response({
            "Search": [{"Title": work.title, "Year": _year(work), "imdbID": work.imdb_id, "Type": _type(work),
                        "Poster": self._poster(work)} for work in found],
            "totalResults": str(len(hits)), "Response": "True",
        })

    # -- records -------------------------------------------------------------------------------

    def _hits(self, text: str, kind_word: str, year: int | None) -> list[int]:
        if kind_word == "episode":
            return []  # the demo world has no episode records on OMDb
        hits = self._world.search(text, _TYPES.get(kind_word), year)
        return [hit.doc for hit in hits if self._world.work(hit.doc).imdb_id]

    def _poster(self, work: Work) -> str:
        if work.key.startswith("synthetic/") and stable(work.key, "omdb-poster") < 0.1:
            return "N/A"
        return f"{self.origin}/posters/{work.imdb_id}.png"

    def _title(self, work: Work, *, full: bool) -> dict[str, Any]:
        plot = work.summary("en")
        if plot and not full:
            plot = plot.split(". ")[0].rstrip(".") + "."
        rating = round(5.0 + 3.6 * stable(work.key, "vote"), 1)
        record: dict[str, Any] = {
            "Title": work.title, "Year": _year(work), "Rated": "N/A", "Released": _released(work.release_date),
            "Runtime": f"{80 + int(stable(work.key, 'runtime') * 70)} min" if work.kind == "movie" else "N/A",
            "Genre": "Documentary" if work.key == "show/tegenlicht-2002" else "Drama",
            "Director": "N/A", "Writer": "N/A", "Actors": "N/A", "Plot": plot or "N/A",
            "Language": language(work.original_language).english,
            "Country": _COUNTRIES.get(work.original_language, "United States"), "Awards": "N/A",
            "Poster": self._poster(work),
            "Ratings": [{"Source": "Internet Movie Database", "Value": f"{rating}/10"}] if work.vote_count else [],
            "Metascore": "N/A", "imdbRating": str(rating) if work.vote_count else "N/A",
            "imdbVotes": f"{work.vote_count * 37:,}" if work.vote_count else "N/A",
            "imdbID": work.imdb_id, "Type": _type(work),
        }
        if work.kind == "movie":
            record.update({"DVD": "N/A", "BoxOffice": "N/A", "Production": "N/A", "Website": "N/A"})
        else:
            record["totalSeasons"] = str(len(work.seasons))
        record["Response"] = "True"
        return record


def _type(work: Work) -> str:
    return "movie" if work.kind == "movie" else "series"


def _year(work: Work) -> str:
    """Films: the year; series: ``2005–2006`` (en dash), or the one year they ran."""
    if work.kind == "movie":
        return str(work.year)
    years = [int(e.air_date[:4]) for s in work.seasons for e in s.episodes if e.air_date[:4].isdigit()]
    last = max(years, default=work.year)
    return f"{work.year}\u2013{last}" if last > work.year else str(work.year)


def _released(iso: str) -> str:
    """``1999-10-15`` → ``15 Oct 1999`` (OMDb's form); "N/A" when unknown."""
    try:
        day = date.fromisoformat(iso)
    except ValueError:
        return "N/A"
    return f"{day.day:02d} {_MONTHS[day.month - 1]} {day.year}"

