"""A fake TVmaze (no key): show search, single search, lookup by IMDb/TheTVDB id (a 301 to the
show), shows with embedded seasons or episodes, and episode lists, in the shapes of the recorded
``tvmaze_*`` payloads. Summaries are HTML, as on TVmaze. Default limit: 20 calls per 10 s per
client address.
"""

from __future__ import annotations

import html
from typing import Any

from curator.demo.catalogue import Episode, Season, Work
from curator.demo.loopback import Request, Response
from curator.demo.providers.ratelimit import RateLimit
from curator.demo.providers.service import (
    JSON_TYPE,
    FakeService,
    Params,
    Route,
    json_response,
    retry_after_header,
    status_phrase,
)
from curator.demo.providers.world import World, language, slug, stable

MAX_SEARCH_RESULTS = 10
_UPDATED = 1_717_200_000
_NETWORKS = {
    "nl": {"id": 9_401, "name": "Demo Twee", "country": {"name": "Netherlands", "code": "NL",
                                                         "timezone": "Europe/Amsterdam"}},
    "en": {"id": 9_402, "name": "Demo One", "country": {"name": "United Kingdom", "code": "GB",
                                                        "timezone": "Europe/London"}},
}


class FakeTvmaze(FakeService):
    name = "tvmaze"
    image_prefixes = ("/uploads/",)
    default_rate = RateLimit(20, 10.0)

    def __init__(self, world: World, **options: Any) -> None:
        self._world = world
        super().__init__(**options)

    def routes(self) -> list[Route]:
        return [
            Route("GET", "/search/shows", self._search),
            Route("GET", "/singlesearch/shows", self._single_search),
            Route("GET", "/lookup/shows", self._lookup),
            Route("GET", "/shows/{id}", self._show),
            Route("GET", "/shows/{id}/episodes", self._episodes),
            Route("GET", "/shows/{id}/seasons", self._seasons),
        ]

    def error_response(self, status: int, retry_after: float | None = None) -> Response:
        messages = {404: "Page not found.", 429: "Rate limit exceeded, please slow down."}
        message = messages.get(status, "An internal server error occurred.")
        return json_response({"name": status_phrase(status), "message": message, "code": 0, "status": status}, status,
                             retry_after_header(retry_after))

    # -- endpoints -----------------------------------------------------------------------------

    def _search(self, request: Request, params: Params) -> Response:
        hits = self._world.search(request.query.get("q") or "", "show")[:MAX_SEARCH_RESULTS]
        return json_response([{"score": hit.relevance, "show": self._show_record(self._world.work(hit.doc))}
                              for hit in hits])

    def _single_search(self, request: Request, params: Params) -> Response:
        hits = self._world.search(request.query.get("q") or "", "show")
        if not hits:
            return Response(404, b"", JSON_TYPE)  # TVmaze: "no match" is a 404 with an empty body
        return json_response(self._show_record(self._world.work(hits[0].doc), _embeds(request)))

    def _lookup(self, request: Request, params: Params) -> Response:
        work: Work | None = None
        if imdb := request.query.get("imdb"):
            work = self._world.by_imdb(imdb)
        elif (tvdb := request.query.get("thetvdb") or "").isdigit():
            work = self._world.by_tvdb_series(int(tvdb))
        tvmaze = self._world.tvmaze_id(work) if work is not None and work.kind == "show" else None
        if tvmaze is None:
            return self.error_response(404)
        return Response(301, b"", JSON_TYPE, (("Location", f"{self.origin}/shows/{tvmaze}"),))

    def _show(self, request: Request, params: Params) -> Response:
        work = self._work(params["id"])
        return json_response(self._show_record(work, _embeds(request))) if work else self.error_response(404)

    def _episodes(self, request: Request, params: Params) -> Response:
        work = self._work(params["id"])
        if work is None:
            return self.error_response(404)
        return json_response([self._episode(work, season, episode)
                              for season in work.seasons for episode in season.episodes])

    def _seasons(self, request: Request, params: Params) -> Response:
        work = self._work(params["id"])
        if work is None:
            return self.error_response(404)
        return json_response([self._season(work, season) for season in work.seasons])

    # -- records -------------------------------------------------------------------------------

    def _work(self, raw_id: str) -> Work | None:
        return self._world.by_tvmaze(int(raw_id)) if raw_id.isdigit() else None

    def _show_record(self, work: Work, embeds: tuple[str, ...] = ()) -> dict[str, Any]:
        tvmaze = self._world.tvmaze_id(work) or 0
        episodes = [(season, episode) for season in work.seasons for episode in season.episodes]
        runtime = 25 + int(stable(work.key, "runtime") * 35)
        record: dict[str, Any] = {
            "id": tvmaze, "url": f"{self.origin}/shows/{tvmaze}/{slug(work.original_title)}",
            "name": work.original_title,
            "type": "Documentary" if work.key == "show/tegenlicht-2002" else "Scripted",
            "language": language(work.original_language).english, "genres": ["Drama"], "status": "Ended",
            "runtime": runtime, "averageRuntime": runtime, "premiered": work.release_date or None,
            "ended": episodes[-1][1].air_date if episodes else None, "officialSite": None,
            "schedule": {"time": "20:00", "days": ["Sunday"]},
            "rating": {"average": round(6 + 3 * stable(work.key, "vote"), 1)},
            "weight": min(100, int(work.popularity / 2)),
            "network": _NETWORKS.get(work.original_language, _NETWORKS["en"]), "webChannel": None,
            "dvdCountry": None, "externals": {"tvrage": None, "thetvdb": work.tvdb_id, "imdb": work.imdb_id},
            "image": self._image(f"show-{tvmaze}"), "summary": _html(work.key, work.title, work.summary("en")),
            "updated": _UPDATED, "_links": {"self": {"href": f"{self.origin}/shows/{tvmaze}"}},
        }
        embedded: dict[str, Any] = {}
        if "seasons" in embeds:
            embedded["seasons"] = [self._season(work, season) for season in work.seasons]
        if "episodes" in embeds:
            embedded["episodes"] = [self._episode(work, season, episode) for season, episode in episodes]
        if embedded:
            record["_embedded"] = embedded
        return record

    def _season(self, work: Work, season: Season) -> dict[str, Any]:
        tvmaze = self._world.tvmaze_id(work) or 0
        season_id = tvmaze * 100 + season.number
        dates = [episode.air_date for episode in season.episodes if episode.air_date]
        return {
            "id": season_id, "url": f"{self.origin}/seasons/{season_id}", "number": season.number, "name": "",
            "episodeOrder": len(season.episodes), "premiereDate": dates[0] if dates else None,
            "endDate": dates[-1] if dates else None,
            "network": _NETWORKS.get(work.original_language, _NETWORKS["en"]), "webChannel": None,
            "image": None, "summary": _html(f"{work.key}/{season.number}", "", season.summaries.get("en", "")),
            "_links": {"self": {"href": f"{self.origin}/seasons/{season_id}"}},
        }

    def _episode(self, work: Work, season: Season, episode: Episode) -> dict[str, Any]:
        tvmaze = self._world.tvmaze_id(work) or 0
        episode_id = tvmaze * 1000 + season.number * 100 + episode.number
        return {
            "id": episode_id, "url": f"{self.origin}/episodes/{episode_id}/{slug(episode.title)}",
            "name": episode.title, "season": season.number, "number": episode.number, "type": "regular",
            "airdate": episode.air_date, "airtime": "20:00",
            "airstamp": f"{episode.air_date}T19:00:00+00:00" if episode.air_date else None,
            "runtime": 25 + int(stable(work.key, "runtime") * 35), "rating": {"average": None},
            "image": self._image(f"episode-{episode_id}"),
            "summary": _html(f"{work.key}/{season.number}/{episode.number}", "", episode.summary("en")) or None,
            "_links": {"self": {"href": f"{self.origin}/episodes/{episode_id}"}},
        }

    def _image(self, name: str) -> dict[str, str]:
        return {"medium": f"{self.origin}/uploads/images/medium_portrait/{name}.png",
                "original": f"{self.origin}/uploads/images/original_untouched/{name}.png"}


def _embeds(request: Request) -> tuple[str, ...]:
    raw = ",".join(value for key in ("embed", "embed[]") if (value := request.query.get(key)))
    return tuple(part.strip() for part in raw.split(",") if part.strip())


def _html(key: str, name: str, text: str) -> str:
    """TVmaze's HTML summaries: a paragraph, sometimes with the name in bold or a phrase in
    italics; "" stays "" (no summary)."""
    if not text:
        return ""
    escaped = html.escape(text, quote=False)
    style = int(stable(key, "html") * 3)
    if style == 0 and name:
        return f"<p><b>{html.escape(name, quote=False)}</b>: {escaped}</p>"
    if style == 1 and " " in escaped:
        first, rest = escaped.split(" ", 1)
        return f"<p><i>{first}</i> {rest}</p>"
    return f"<p>{escaped}</p>"
