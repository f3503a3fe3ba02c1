"""A fake TheTVDB v4 (base URL ``…/v4``): login with Bearer tokens, search, remote-id lookup,
extended series and movie records, translations and episodes, in the shapes of the recorded
``tvdb_v4_*`` payloads and the v4 swagger.

Records are named in their original language (``Tegenlicht``, not ``Backlight``) and carry
3-letter language codes, as TheTVDB does. Tokens are issued by ``POST /login`` only;
:meth:`FakeTvdb.expire_tokens` makes every issued token fail with 401 so a client's re-login
is exercised. A key without a PIN must be used without one (``pin`` left out), as TheTVDB asks.
Unverified choices: an unknown remote id answers 200 with ``data: []``; ``language`` on
``/search`` does not filter.
"""

from __future__ import annotations

import json
import secrets
import threading
from typing import Any
from urllib.parse import urlencode

from curator.demo.catalogue import Episode, Season, Work, WorkKind
from curator.demo.loopback import Request, Response
from curator.demo.providers.ratelimit import RateLimit
from curator.demo.providers.service import FakeService, Params, Route, json_response, retry_after_header
from curator.demo.providers.world import (
    LANGUAGES,
    Language,
    World,
    language,
    language3,
    slug,
    stable,
    titles_by_language,
)

TVDB_API_KEY = "demo-tvdb-api-key"
SEARCH_PAGE_SIZE = 50
EPISODES_PAGE_SIZE = 500
SEASON_TYPES = ("default", "official", "dvd", "absolute", "alternate", "regional")
_LAST_UPDATED = "2024-06-01 12:00:00"
_KINDS: dict[str, WorkKind] = {"series": "show", "movie": "movie"}
_AIRED_ORDER = {"id": 1, "name": "Aired Order", "type": "official", "alternateName": None}


class FakeTvdb(FakeService):
    name = "tvdb"
    base_path = "/v4"
    image_prefixes = ("/banners/",)
    default_rate = RateLimit(100, 1.0)

    def __init__(self, world: World, *, api_key: str = TVDB_API_KEY, pin: str | None = None,
                 **options: Any) -> None:
        """``pin``: set for a user-supported key (login must then send it)."""
        self._world = world
        self._api_key = api_key
        self._pin = pin
        self._tokens: set[str] = set()
        self._tokens_lock = threading.Lock()
        self._logins = 0
        super().__init__(**options)

    # -- knobs ---------------------------------------------------------------------------------

    def expire_tokens(self) -> None:
        """Every token issued so far now gets 401 (as when a month has passed)."""
        with self._tokens_lock:
            self._tokens.clear()

    @property
    def logins(self) -> int:
        """Successful logins so far."""
        with self._tokens_lock:
            return self._logins

    # -- service hooks -------------------------------------------------------------------------

    def routes(self) -> list[Route]:
        return [
            Route("POST", "/login", self._login, public=True),
            Route("GET", "/search", self._search),
            Route("GET", "/search/remoteid/{remote_id}", self._search_remote_id),
            Route("GET", "/series/{id}", self._series),
            Route("GET", "/series/{id}/extended", self._series_extended),
            Route("GET", "/series/{id}/translations/{lang}", self._series_translation),
            Route("GET", "/series/{id}/episodes/{season_type}", self._episodes),
            Route("GET", "/series/{id}/episodes/{season_type}/{lang}", self._episodes),
            Route("GET", "/movies/{id}", self._movie),
            Route("GET", "/movies/{id}/extended", self._movie_extended),
            Route("GET", "/movies/{id}/translations/{lang}", self._movie_translation),
        ]

    def authorise(self, request: Request) -> Response | None:
        header = request.header("authorization") or ""
        token = header[len("Bearer "):] if header.startswith("Bearer ") else ""
        with self._tokens_lock:
            valid = token in self._tokens
        return None if valid else json_response({"message": "Unauthorized"}, 401)

    def error_response(self, status: int, retry_after: float | None = None) -> Response:
        messages = {400: "InvalidParameters", 401: "Unauthorized", 404: "NotFoundException",
                    429: "Too Many Requests"}
        message = messages.get(status, "Internal Server Error")
        return json_response({"status": "failure", "message": message, "data": None}, status,
                             retry_after_header(retry_after))

    # -- endpoints -----------------------------------------------------------------------------

    def _login(self, request: Request, params: Params) -> Response:
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            body = None
        if not isinstance(body, dict) or body.get("apikey") != self._api_key or body.get("pin") != self._pin:
            return json_response({"status": "failure", "message": "invalid credentials", "data": None}, 401)
        token = secrets.token_urlsafe(24)
        with self._tokens_lock:
            self._tokens.add(token)
            self._logins += 1
        return json_response({"status": "success", "data": {"token": token}})

    def _search(self, request: Request, params: Params) -> Response:
        query = (request.query.get("query") or request.query.get("q") or "").strip()
        remote_id = (request.query.get("remote_id") or "").strip()
        if not query and not remote_id:
            return self.error_response(400)
        kind = _KINDS.get(request.query.get("type") or "")
        if request.query.get("type") and kind is None:
            works: list[Work] = []  # people and companies are not in the demo world
        elif remote_id:
            works = [work for work in self._by_remote_id(remote_id) if kind is None or work.kind == kind]
        else:
            year = request.query.get("year") or ""
            hits = self._world.search(query, kind, int(year) if year.isdigit() else None)
            works = [self._world.work(hit.doc) for hit in hits]
        works = [work for work in works if self._world.tvdb_id(work)]
        offset = _number(request.query.get("offset"), 0)
        limit = min(_number(request.query.get("limit"), SEARCH_PAGE_SIZE) or SEARCH_PAGE_SIZE, 5000)
        page = works[offset:offset + limit]
        def link(start: int) -> str:
            return f"{self.url}/search?{urlencode({**request.query, 'offset': start})}"

        return json_response({
            "status": "success",
            "data": [self._search_result(work) for work in page],
            "links": {"prev": link(max(0, offset - limit)) if offset else None, "self": link(offset),
                      "next": link(offset + limit) if offset + limit < len(works) else None,
                      "total_items": len(works), "page_size": limit},
        })

    def _search_remote_id(self, request: Request, params: Params) -> Response:
        found = [{"series" if work.kind == "show" else "movie": self._base_record(work)}
                 for work in self._by_remote_id(params["remote_id"]) if self._world.tvdb_id(work)]
        return json_response({"status": "success", "data": found})

    def _series(self, request: Request, params: Params) -> Response:
        work = self._series_work(params["id"])
        return self._ok(self._base_record(work)) if work else self.error_response(404)

    def _series_extended(self, request: Request, params: Params) -> Response:
        work = self._series_work(params["id"])
        if work is None:
            return self.error_response(404)
        record = self._series_extended_record(work, short=request.query.get("short") == "true")
        meta = request.query.get("meta") or ""
        if "translations" in meta:
            record["translations"] = _translations_extended(work)
        if "episodes" in meta:
            record["episodes"] = [self._episode(work, season, episode, None)
                                  for season in work.seasons for episode in season.episodes]
        return self._ok(record)

    def _series_translation(self, request: Request, params: Params) -> Response:
        return self._translation(self._series_work(params["id"]), params["lang"])

    def _movie(self, request: Request, params: Params) -> Response:
        work = self._movie_work(params["id"])
        return self._ok(self._base_record(work)) if work else self.error_response(404)

    def _movie_extended(self, request: Request, params: Params) -> Response:
        work = self._movie_work(params["id"])
        if work is None:
            return self.error_response(404)
        record = self._movie_extended_record(work, short=request.query.get("short") == "true")
        if "translations" in (request.query.get("meta") or ""):
            record["translations"] = _translations_extended(work)
        return self._ok(record)

    def _movie_translation(self, request: Request, params: Params) -> Response:
        return self._translation(self._movie_work(params["id"]), params["lang"])

    def _episodes(self, request: Request, params: Params) -> Response:
        work = self._series_work(params["id"])
        code3 = params.get("lang")
        lang = language3(code3) if code3 else None
        if work is None:
            return self.error_response(404)
        if params["season_type"] not in SEASON_TYPES or (code3 and lang is None):
            return self.error_response(400)
        season_filter = request.query.get("season")
        episodes = [self._episode(work, season, episode, lang)
                    for season in work.seasons for episode in season.episodes
                    if not season_filter or str(season.number) == season_filter]
        page = _number(request.query.get("page"), 0)
        chunk = episodes[page * EPISODES_PAGE_SIZE:(page + 1) * EPISODES_PAGE_SIZE]
        return json_response({
            "status": "success",
            "data": {"series": self._base_record(work), "episodes": chunk},
            "links": {"prev": None, "self": f"{self.url}/series/{work.tvdb_id}/episodes/{params['season_type']}",
                      "next": None, "total_items": len(episodes), "page_size": EPISODES_PAGE_SIZE},
        })

    # -- records -------------------------------------------------------------------------------

    @staticmethod
    def _ok(data: Any) -> Response:
        return json_response({"status": "success", "data": data})

    def _series_work(self, raw_id: str) -> Work | None:
        return self._world.by_tvdb_series(int(raw_id)) if raw_id.isdigit() else None

    def _movie_work(self, raw_id: str) -> Work | None:
        return self._world.by_tvdb_movie(int(raw_id)) if raw_id.isdigit() else None

    def _by_remote_id(self, remote_id: str) -> list[Work]:
        if remote_id.startswith("tt"):
            work = self._world.by_imdb(remote_id)
            return [work] if work else []
        if remote_id.isdigit():
            found = (self._world.by_tmdb("movie", int(remote_id)), self._world.by_tmdb("show", int(remote_id)))
            return [work for work in found if work is not None]
        return []

    def _translation(self, work: Work | None, code3: str) -> Response:
        lang = language3(code3)
        if work is None or lang is None:
            return self.error_response(404)
        name = titles_by_language(work).get(lang.code)
        overview = work.summaries.get(lang.code)
        if name is None and overview is None:
            return self.error_response(404)
        return self._ok(_translation(work, lang, name, overview))

    def _image(self, work: Work, code3: str | None = None, *, thumbnail: bool = False) -> str:
        folder = "series" if work.kind == "show" else "movies"
        tvdb = self._world.tvdb_id(work)
        return f"{self.origin}/banners/{folder}/{tvdb}/posters/{tvdb}-{code3 or 'xx'}{'_t' if thumbnail else ''}.png"

    def _search_result(self, work: Work) -> dict[str, Any]:
        word = "series" if work.kind == "show" else "movie"
        tvdb = self._world.tvdb_id(work)
        primary = language(work.original_language)
        overviews = _by_code3(work.summaries)
        return {
            "objectID": f"{word}-{tvdb}", "aliases": list(work.alternative_titles),
            "country": primary.tvdb_country, "id": f"{word}-{tvdb}", "image_url": self._image(work, primary.code3),
            "name": work.original_title, "first_air_time": work.release_date or f"{work.year}-01-01",
            "overview": overviews.get(primary.code3) or overviews.get("eng", ""),
            "primary_language": primary.code3, "primary_type": word,
            "status": "Ended" if work.kind == "show" else "Released", "type": word, "tvdb_id": str(tvdb),
            "year": str(work.year), "slug": slug(work.title), "overviews": overviews,
            "translations": _by_code3(titles_by_language(work)), "network": "",
            "remote_ids": _remote_ids(work),
            "thumbnail": self._image(work, primary.code3, thumbnail=True),
        }

    def _base_record(self, work: Work) -> dict[str, Any]:
        primary = language(work.original_language)
        record: dict[str, Any] = {
            "aliases": [{"language": "eng", "name": title} for title in work.alternative_titles],
            "id": self._world.tvdb_id(work), "image": self._image(work, primary.code3),
            "lastUpdated": _LAST_UPDATED, "name": work.original_title,
            "nameTranslations": sorted(_by_code3(titles_by_language(work))),
            "overviewTranslations": sorted(_by_code3(work.summaries)),
            "score": int(work.popularity * 1000), "slug": slug(work.title), "year": str(work.year),
        }
        if work.kind == "movie":
            record["status"] = {"id": 5, "name": "Released", "recordType": "movie", "keepUpdated": True}
            record["runtime"] = 80 + int(stable(work.key, "runtime") * 70)
            return record
        episodes = [episode for season in work.seasons for episode in season.episodes]
        record.update({
            "averageRuntime": 25 + int(stable(work.key, "runtime") * 35), "country": primary.tvdb_country,
            "defaultSeasonType": 1, "episodes": None, "firstAired": work.release_date or f"{work.year}-01-01",
            "isOrderRandomized": False, "lastAired": episodes[-1].air_date if episodes else "", "nextAired": "",
            "originalCountry": primary.tvdb_country, "originalLanguage": primary.code3,
            "status": {"id": 2, "name": "Ended", "recordType": "series", "keepUpdated": False},
        })
        return record

    def _artworks(self, work: Work) -> list[dict[str, Any]]:
        codes = dict.fromkeys(("eng", language(work.original_language).code3, *sorted(_by_code3(work.summaries))))
        tvdb = self._world.tvdb_id(work)
        return [{"id": tvdb * 10 + n, "image": self._image(work, code3),
                 "thumbnail": self._image(work, code3, thumbnail=True), "language": code3,
                 "type": 2 if work.kind == "show" else 14, "score": 100_000 - n,
                 "width": 680, "height": 1000, "includesText": True, "thumbnailWidth": 0, "thumbnailHeight": 0,
                 "updatedAt": 0, "status": {"id": 0, "name": None}, "tagOptions": None}
                for n, code3 in enumerate(codes)]

    def _series_extended_record(self, work: Work, *, short: bool) -> dict[str, Any]:
        base = self._base_record(work)
        base.pop("country")  # the recorded extended record has originalCountry only
        primary = language(work.original_language)
        overviews = _by_code3(work.summaries)
        tvdb = self._world.tvdb_id(work)
        return {
            **base,
            "overview": overviews.get(primary.code3) or overviews.get("eng", ""),
            "artworks": [] if short else self._artworks(work),
            "companies": [], "originalNetwork": None, "latestNetwork": None,
            "genres": [{"id": 13, "name": "Documentary", "slug": "documentary"}]
            if work.key == "show/tegenlicht-2002" else [{"id": 1, "name": "Drama", "slug": "drama"}],
            "trailers": [], "lists": [], "remoteIds": _remote_ids(work), "characters": [],
            "airsDays": dict.fromkeys(("sunday", "monday", "tuesday", "wednesday", "thursday", "friday",
                                       "saturday"), False),
            "airsTime": "20:00",
            "seasons": [_season_record(tvdb, season) for season in work.seasons],
            "tags": None, "contentRatings": [],
            "seasonTypes": [_AIRED_ORDER, {"id": 2, "name": "DVD Order", "type": "dvd", "alternateName": None},
                            {"id": 3, "name": "Absolute Order", "type": "absolute", "alternateName": None}],
        }

    def _movie_extended_record(self, work: Work, *, short: bool) -> dict[str, Any]:
        primary = language(work.original_language)
        release = {"country": primary.tvdb_country, "date": work.release_date or f"{work.year}-01-01",
                   "detail": None}
        return {
            **self._base_record(work),
            "artworks": [] if short else self._artworks(work), "audioLanguages": [], "awards": [],
            "boxOffice": None, "boxOfficeUS": None, "budget": None, "characters": [],
            "companies": {"studio": [], "network": [], "production": [], "distributor": [], "special_effects": []},
            "contentRatings": [], "first_release": release,
            "genres": [{"id": 1, "name": "Drama", "slug": "drama"}], "inspirations": [], "lists": [],
            "originalCountry": primary.tvdb_country, "originalLanguage": primary.code3,
            "production_countries": [], "releases": [release], "remoteIds": _remote_ids(work),
            "spoken_languages": [primary.code3], "studios": [], "subtitleLanguages": [], "tagOptions": None,
            "trailers": [],
        }

    def _episode(self, work: Work, season: Season, episode: Episode, lang: Language | None) -> dict[str, Any]:
        """``lang`` None: the default texts (original language, else English); else that
        language's texts, null where the episode has none."""
        primary = language(work.original_language)
        if lang is None:
            name: str | None = episode.title
            overview: str | None = episode.summary(primary.code) or episode.summary("en")
        else:
            overview = episode.summaries.get(lang.code)
            name = episode.title if overview is not None or lang.code == primary.code else None
        return {
            "id": episode.tvdb_id, "seriesId": work.tvdb_id, "name": name, "aired": episode.air_date,
            "runtime": 25 + int(stable(work.key, "runtime") * 35),
            "nameTranslations": [primary.code3], "overview": overview,
            "overviewTranslations": sorted(_by_code3(episode.summaries)),
            "image": self._image(work, None), "imageType": 11, "isMovie": 0, "seasons": None,
            "number": episode.number, "absoluteNumber": None, "seasonNumber": season.number,
            "lastUpdated": _LAST_UPDATED, "finaleType": None, "year": episode.air_date[:4],
            "seasonName": season.title, "linkedMovie": None, "airsAfterSeason": None,
            "airsBeforeEpisode": None, "airsBeforeSeason": None,
        }


def _by_code3(texts: dict[str, str] | Any) -> dict[str, str]:
    """A mapping keyed by ISO 639-1 code, re-keyed by TheTVDB's 3-letter codes."""
    return {LANGUAGES[code].code3: text for code, text in texts.items() if code in LANGUAGES and text}


def _remote_ids(work: Work) -> list[dict[str, Any]]:
    ids = [{"id": work.imdb_id, "type": 2, "sourceName": "IMDB"}] if work.imdb_id else []
    return [*ids, {"id": str(work.tmdb_id), "type": 12, "sourceName": "TheMovieDB.com"}]


def _translation(work: Work, lang: Language, name: str | None, overview: str | None) -> dict[str, Any]:
    primary = language(work.original_language)
    return {"name": name, "overview": overview, "language": lang.code3, "aliases": [], "isAlias": False,
            "isPrimary": lang.code == primary.code, "tagline": None}


def _translations_extended(work: Work) -> dict[str, Any]:
    titles = titles_by_language(work)
    return {
        "nameTranslations": [_translation(work, LANGUAGES[code], title, None)
                             for code, title in sorted(titles.items()) if code in LANGUAGES],
        "overviewTranslations": [_translation(work, LANGUAGES[code], None, text)
                                 for code, text in sorted(work.summaries.items()) if code in LANGUAGES],
        "alias": list(work.alternative_titles),
    }


def _season_record(tvdb: int, season: Season) -> dict[str, Any]:
    return {"id": tvdb * 100 + season.number, "seriesId": tvdb, "type": _AIRED_ORDER, "number": season.number,
            "nameTranslations": [], "overviewTranslations": sorted(_by_code3(season.summaries)),
            "companies": {"studio": None, "network": None, "production": None, "distributor": None,
                          "special_effects": None},
            "lastUpdated": _LAST_UPDATED}


def _number(raw: str | None, default: int) -> int:
    return int(raw) if raw and raw.isdigit() else default
