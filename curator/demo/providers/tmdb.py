"""A fake TMDB v3 (base URL ``…/3``): search, details with appended sub-resources, /find and
/configuration, in the shapes of the recorded ``tmdb_*`` payloads.

Language works as on TMDB: ``language=nl-NL`` gives the Dutch title where the work has one and
the Dutch overview, or ``""`` when there is none (the English text stays in ``translations``).
Posters are served by the fake itself under ``/t/p/<size>/<file>`` (see ``/configuration``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from curator.demo.catalogue import Episode, Work, WorkKind
from curator.demo.loopback import Request, Response
from curator.demo.providers.ratelimit import RateLimit
from curator.demo.providers.service import FakeService, Params, Route, json_response, retry_after_header
from curator.demo.providers.world import (
    LANGUAGES,
    Language,
    World,
    language,
    stable,
    title_in,
    titles_by_language,
)

TMDB_API_KEY = "demo-tmdb-v3-api-key"
#: A v4 read-access token: TMDB's start with "eyJ" (a JWT); clients tell the two kinds apart by it.
TMDB_READ_TOKEN = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJjdXJhdG9yLWRlbW8ifQ.demo"
PAGE_SIZE = 20
MAX_APPENDS = 20

_MOVIE_GENRES = ((28, "Action"), (12, "Adventure"), (16, "Animation"), (35, "Comedy"), (80, "Crime"),
                 (99, "Documentary"), (18, "Drama"), (14, "Fantasy"), (27, "Horror"), (9648, "Mystery"),
                 (10749, "Romance"), (878, "Science Fiction"), (53, "Thriller"), (37, "Western"))
_TV_GENRES = ((18, "Drama"), (35, "Comedy"), (99, "Documentary"), (10765, "Sci-Fi & Fantasy"),
              (80, "Crime"), (9648, "Mystery"))
_ERRORS = {
    400: (22, "Invalid page: Pages start at 1 and max at 500. They are expected to be an integer."),
    401: (7, "Invalid API key: You must be granted a valid key."),
    404: (34, "The resource you requested could not be found."),
    500: (11, "Internal error: Something went wrong, contact TMDB."),
    503: (9, "Service offline: This service is temporarily offline, try again later."),
    504: (24, "Your request to the backend server timed out. Try again."),
}
_ID = re.compile(r"^(\d+)")


class FakeTmdb(FakeService):
    name = "tmdb"
    base_path = "/3"
    image_prefixes = ("/t/p/",)
    default_rate = RateLimit(40, 1.0)

    def __init__(self, world: World, *, api_key: str = TMDB_API_KEY, read_token: str = TMDB_READ_TOKEN,
                 **options: Any) -> None:
        self._world = world
        self._api_key = api_key
        self._read_token = read_token
        super().__init__(**options)

    def routes(self) -> list[Route]:
        return [
            Route("GET", "/configuration", self._configuration),
            Route("GET", "/search/movie", self._search_movie),
            Route("GET", "/search/tv", self._search_tv),
            Route("GET", "/movie/{id}", self._movie),
            Route("GET", "/tv/{id}", self._tv),
            Route("GET", "/movie/{id}/{part}", self._movie_part),
            Route("GET", "/tv/{id}/{part}", self._tv_part),
            Route("GET", "/find/{external_id}", self._find),
        ]

    def authorise(self, request: Request) -> Response | None:
        if request.query.get("api_key") == self._api_key:
            return None
        if request.header("authorization") == f"Bearer {self._read_token}":
            return None
        return self.error_response(401)

    def error_response(self, status: int, retry_after: float | None = None) -> Response:
        headers = retry_after_header(retry_after)
        if status == 429:
            limit = self.rate_limit.max_calls if self.rate_limit else 40
            message = f"Your request count (#) is over the allowed limit of ({limit})."
            return json_response({"success": False, "status_code": 25, "status_message": message}, 429, headers)
        code, message = _ERRORS.get(status, (11, "Internal error: Something went wrong, contact TMDB."))
        body: dict[str, Any] = {"status_code": code, "status_message": message}
        if status != 404:  # the recorded 404 body has no "success"
            body = {"success": False, **body}
        return json_response(body, status, headers)

    # -- endpoints -----------------------------------------------------------------------------

    def _configuration(self, request: Request, params: Params) -> Response:
        base = f"{self.origin}/t/p/"
        return json_response({
            "images": {
                "base_url": base, "secure_base_url": base,
                "backdrop_sizes": ["w300", "w780", "w1280", "original"],
                "logo_sizes": ["w45", "w92", "w154", "w185", "w300", "w500", "original"],
                "poster_sizes": ["w92", "w154", "w185", "w342", "w500", "w780", "original"],
                "profile_sizes": ["w45", "w185", "h632", "original"],
                "still_sizes": ["w92", "w185", "w300", "original"],
            },
            "change_keys": [],
        })

    def _search_movie(self, request: Request, params: Params) -> Response:
        years = {request.query.get("year"), request.query.get("primary_release_year")}
        return self._search(request, "movie", _one_year(years), any_air_date=False)

    def _search_tv(self, request: Request, params: Params) -> Response:
        first_air = request.query.get("first_air_date_year")
        any_air = request.query.get("year")
        if first_air:
            return self._search(request, "show", _one_year({first_air}), any_air_date=False)
        return self._search(request, "show", _one_year({any_air}), any_air_date=True)

    def _search(self, request: Request, kind: WorkKind, year: int | None, *, any_air_date: bool) -> Response:
        query = (request.query.get("query") or "").strip()
        if not query:
            return json_response({"errors": ["query must be provided"]}, 422)
        page = _page(request.query.get("page"))
        if page is None:
            return self.error_response(400)
        lang = language(request.query.get("language") or "en-US")
        hits = self._world.search(query, kind, year, any_air_date=any_air_date)
        render = self._movie_result if kind == "movie" else self._tv_result
        start = (page - 1) * PAGE_SIZE
        results = [render(self._world.work(hit.doc), lang) for hit in hits[start:start + PAGE_SIZE]]
        return json_response({"page": page, "results": results,
                              "total_pages": max(1, math.ceil(len(hits) / PAGE_SIZE)),
                              "total_results": len(hits)})

    def _movie(self, request: Request, params: Params) -> Response:
        return self._details(request, self._work("movie", params["id"]), self._movie_details)

    def _tv(self, request: Request, params: Params) -> Response:
        return self._details(request, self._work("show", params["id"]), self._tv_details)

    def _movie_part(self, request: Request, params: Params) -> Response:
        return self._part(request, self._work("movie", params["id"]), params["part"])

    def _tv_part(self, request: Request, params: Params) -> Response:
        return self._part(request, self._work("show", params["id"]), params["part"])

    def _find(self, request: Request, params: Params) -> Response:
        external_id, source = params["external_id"], request.query.get("external_source")
        work: Work | None = None
        if source == "imdb_id":
            work = self._world.by_imdb(external_id)
        elif source == "tvdb_id" and external_id.isdigit():
            work = self._world.by_tvdb_series(int(external_id))
        lang = language(request.query.get("language") or "en-US")
        found: dict[str, list[dict[str, Any]]] = {
            "movie_results": [], "person_results": [], "tv_results": [], "tv_episode_results": [],
            "tv_season_results": [],
        }
        if work is not None and work.kind == "movie":
            found["movie_results"].append(self._movie_result(work, lang))
        elif work is not None:
            found["tv_results"].append(self._tv_result(work, lang))
        return json_response(found)

    # -- rendering -----------------------------------------------------------------------------

    def _work(self, kind: WorkKind, raw_id: str) -> Work | None:
        found = _ID.match(raw_id)  # TMDB also accepts "550-fight-club"
        return self._world.by_tmdb(kind, int(found.group(1))) if found else None

    def _details(self, request: Request, work: Work | None,
                 render: Callable[[Work, Language], dict[str, Any]]) -> Response:
        if work is None:
            return self.error_response(404)
        appends = [part.strip() for part in (request.query.get("append_to_response") or "").split(",") if part.strip()]
        if len(appends) > MAX_APPENDS:
            return json_response({"success": False, "status_code": 27,
                                  "status_message": "Too many append to response objects: "
                                                    f"The maximum number of remote calls is {MAX_APPENDS}."}, 400)
        body = render(work, language(request.query.get("language") or "en-US"))
        for part in appends:
            if (rendered := self._sub_resource(request, work, part)) is not None:
                body[part] = rendered
        return json_response(body)

    def _part(self, request: Request, work: Work | None, part: str) -> Response:
        rendered = self._sub_resource(request, work, part) if work is not None else None
        if work is None or rendered is None:
            return self.error_response(404)
        return json_response({"id": work.tmdb_id, **rendered})

    def _sub_resource(self, request: Request, work: Work, part: str) -> dict[str, Any] | None:
        if part == "translations":
            return {"translations": _translations(work)}
        if part == "external_ids":
            return _external_ids(work)
        if part == "alternative_titles":
            titles = [{"iso_3166_1": _alt_country(work, title), "title": title, "type": ""}
                      for title in _alternative_titles(work)]
            return {"titles": titles} if work.kind == "movie" else {"results": titles}
        if part == "images":
            return self._images(request, work)
        return None

    def _movie_result(self, work: Work, lang: Language) -> dict[str, Any]:
        return {
            "adult": False, "backdrop_path": _backdrop(work), "genre_ids": [g for g, _ in _genres(work)],
            "id": work.tmdb_id, "original_language": work.original_language,
            "original_title": work.original_title, "overview": work.summary(lang.code),
            "popularity": work.popularity, "poster_path": _poster(work, "en"),
            "release_date": _release_date(work), "title": title_in(work, lang.code), "video": False,
            "vote_average": _vote_average(work), "vote_count": work.vote_count,
        }

    def _tv_result(self, work: Work, lang: Language) -> dict[str, Any]:
        return {
            "adult": False, "backdrop_path": _backdrop(work), "genre_ids": [g for g, _ in _genres(work)],
            "id": work.tmdb_id, "origin_country": [_country(work)], "original_language": work.original_language,
            "original_name": work.original_title, "overview": work.summary(lang.code),
            "popularity": work.popularity, "poster_path": _poster(work, "en"),
            "first_air_date": _release_date(work), "name": title_in(work, lang.code),
            "vote_average": _vote_average(work), "vote_count": work.vote_count,
        }

    def _movie_details(self, work: Work, lang: Language) -> dict[str, Any]:
        return {
            "adult": False, "backdrop_path": _backdrop(work), "belongs_to_collection": None, "budget": 0,
            "genres": _genre_objects(work), "homepage": "", "id": work.tmdb_id, "imdb_id": work.imdb_id,
            "original_language": work.original_language, "original_title": work.original_title,
            "overview": work.summary(lang.code), "popularity": work.popularity,
            "poster_path": _poster(work, "en"), "production_companies": [],
            "production_countries": [_production_country(work)], "release_date": _release_date(work),
            "revenue": 0, "runtime": _runtime(work), "spoken_languages": [_spoken_language(work)],
            "status": "Released", "tagline": "", "title": title_in(work, lang.code), "video": False,
            "vote_average": _vote_average(work), "vote_count": work.vote_count,
        }

    def _tv_details(self, work: Work, lang: Language) -> dict[str, Any]:
        episodes = [(season.number, episode) for season in work.seasons for episode in season.episodes]
        last = episodes[-1] if episodes else None
        return {
            "adult": False, "backdrop_path": _backdrop(work), "created_by": [],
            "episode_run_time": [_runtime(work)], "first_air_date": _release_date(work),
            "genres": _genre_objects(work), "homepage": "", "id": work.tmdb_id, "in_production": False,
            "languages": [work.original_language],
            "last_air_date": last[1].air_date if last else None,
            "last_episode_to_air": _episode(work, *last, lang) if last else None,
            "name": title_in(work, lang.code), "next_episode_to_air": None, "networks": [],
            "number_of_episodes": len(episodes), "number_of_seasons": len(work.seasons),
            "origin_country": [_country(work)], "original_language": work.original_language,
            "original_name": work.original_title, "overview": work.summary(lang.code),
            "popularity": work.popularity, "poster_path": _poster(work, "en"), "production_companies": [],
            "production_countries": [_production_country(work)],
            "seasons": [_season(work, season.number, lang) for season in work.seasons],
            "spoken_languages": [_spoken_language(work)], "status": "Ended", "tagline": "",
            "type": "Documentary" if _genres(work)[0][0] == 99 else "Scripted",
            "vote_average": _vote_average(work), "vote_count": work.vote_count,
        }

    def _images(self, request: Request, work: Work) -> dict[str, Any]:
        wanted = request.query.get("include_image_language")
        if wanted is not None:
            allowed: set[str | None] | None = {None if code.strip() == "null" else code.strip()
                                               for code in wanted.split(",")}
        elif request.query.get("language"):
            allowed = {language(request.query["language"]).code}
        else:
            allowed = None
        posters = [_image(path, code, 1000, 1500) for code in _poster_languages(work)
                   if (path := _poster(work, code)) is not None and (allowed is None or code in allowed)]
        backdrops = [_image(_backdrop(work), None, 1920, 1080)] if allowed is None or None in allowed else []
        return {"backdrops": backdrops, "logos": [], "posters": posters}


# -- facts derived from a work ------------------------------------------------------------------


def _one_year(values: set[str | None]) -> int | bool | None:
    """The one year asked for; None when none; False when two different years are asked for."""
    years = {int(value) for value in values if value and value.isdigit()}
    if len(years) > 1:
        return False
    return years.pop() if years else None


def _page(raw: str | None) -> int | None:
    if raw is None or raw == "":
        return 1
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= 500 else None


def _release_date(work: Work) -> str:
    return work.release_date or f"{work.year}-01-01"


def _country(work: Work) -> str:
    return LANGUAGES[work.original_language].country if work.original_language in LANGUAGES else "US"


def _production_country(work: Work) -> dict[str, str]:
    names = {"US": "United States of America", "NL": "Netherlands", "DE": "Germany", "FR": "France",
             "JP": "Japan", "RU": "Russia"}
    code = _country(work)
    return {"iso_3166_1": code, "name": names.get(code, code)}


def _spoken_language(work: Work) -> dict[str, str]:
    lang = language(work.original_language)
    return {"english_name": lang.english, "iso_639_1": work.original_language, "name": lang.native}


def _genres(work: Work) -> list[tuple[int, str]]:
    table = _MOVIE_GENRES if work.kind == "movie" else _TV_GENRES
    if work.key == "show/tegenlicht-2002":
        return [(99, "Documentary")]
    first = table[int(stable(work.key, "genre") * len(table))]
    second = table[int(stable(work.key, "genre2") * len(table))]
    return [first] if second == first else [first, second]


def _genre_objects(work: Work) -> list[dict[str, Any]]:
    return [{"id": genre_id, "name": name} for genre_id, name in _genres(work)]


def _vote_average(work: Work) -> float:
    return round(5.0 + 3.6 * stable(work.key, "vote"), 1) if work.vote_count else 0.0


def _runtime(work: Work) -> int:
    low, spread = (80, 70) if work.kind == "movie" else (25, 35)
    return low + int(stable(work.key, "runtime") * spread)


def _poster_languages(work: Work) -> list[str | None]:
    codes: list[str | None] = ["en", None]
    for code in (work.original_language, "nl" if work.dutch_title or "nl" in work.summaries else None):
        if code is not None and code not in codes:
            codes.append(code)
    return codes


def _poster(work: Work, code: str | None) -> str | None:
    if work.key.startswith("synthetic/") and stable(work.key, "poster") < 0.1:
        return None
    prefix = "m" if work.kind == "movie" else "t"
    return f"/{prefix}{work.tmdb_id}-poster-{code or 'xx'}.png"


def _backdrop(work: Work) -> str:
    return f"/{'m' if work.kind == 'movie' else 't'}{work.tmdb_id}-backdrop.png"


def _image(path: str, code: str | None, width: int, height: int) -> dict[str, Any]:
    return {"aspect_ratio": round(width / height, 3), "height": height, "iso_639_1": code, "file_path": path,
            "vote_average": 5.3, "vote_count": 2, "width": width}


def _alternative_titles(work: Work) -> list[str]:
    titles = list(work.alternative_titles)
    for title in titles_by_language(work).values():
        if title != work.title and title not in titles:
            titles.append(title)
    return titles


def _alt_country(work: Work, title: str) -> str:
    if title == work.dutch_title:
        return "NL"
    return _country(work) if title == work.original_title else "US"


def _translations(work: Work) -> list[dict[str, Any]]:
    titles = titles_by_language(work)
    entries = []
    for code in sorted(set(work.summaries) | set(titles)):
        lang = LANGUAGES.get(code)
        if lang is None:
            continue
        title = titles.get(code, "")
        own = "" if title == work.original_title else title  # "" means: the original title
        data: dict[str, Any] = (
            {"homepage": "", "overview": work.summary(code), "runtime": _runtime(work), "tagline": "", "title": own}
            if work.kind == "movie" else
            {"name": own, "overview": work.summary(code), "homepage": "", "tagline": ""})
        entries.append({"iso_3166_1": lang.country, "iso_639_1": code, "name": lang.native,
                        "english_name": lang.english, "data": data})
    return entries


def _external_ids(work: Work) -> dict[str, Any]:
    if work.kind == "movie":
        return {"id": work.tmdb_id, "imdb_id": work.imdb_id, "wikidata_id": None, "facebook_id": None,
                "instagram_id": None, "twitter_id": None}
    return {"id": work.tmdb_id, "imdb_id": work.imdb_id, "freebase_mid": None, "freebase_id": None,
            "tvdb_id": work.tvdb_id, "tvrage_id": None, "wikidata_id": None, "facebook_id": None,
            "instagram_id": None, "twitter_id": None}


def _season(work: Work, number: int, lang: Language) -> dict[str, Any]:
    season = next(s for s in work.seasons if s.number == number)
    first = season.episodes[0].air_date if season.episodes else ""
    return {"air_date": first or None, "episode_count": len(season.episodes), "id": work.tmdb_id * 100 + number,
            "name": season.title, "overview": season.summaries.get(lang.code, ""),
            "poster_path": None, "season_number": number, "vote_average": 0.0}


def _episode(work: Work, season_number: int, episode: Episode, lang: Language) -> dict[str, Any]:
    return {"id": work.tmdb_id * 1000 + season_number * 100 + episode.number, "name": episode.title,
            "overview": episode.summary(lang.code), "vote_average": 0.0, "vote_count": 0,
            "air_date": episode.air_date, "episode_number": episode.number, "episode_type": "standard",
            "production_code": "", "runtime": _runtime(work), "season_number": season_number,
            "show_id": work.tmdb_id, "still_path": None}
