"""A fake fanart.tv v3 (base URL ``…/v3``): ``/movies/{tmdb_or_imdb}`` and ``/tv/{tvdb}``.

No real fanart.tv payload is known (PROVIDERS.md §5): the shape is CONSTRUCTED from the field
names there — ``movieposter``/``hdmovielogo``/``moviebackground``, ``tvposter``/``hdtvlogo``/
``showbackground``, items ``{id, url, lang, likes}`` with strings for ``id`` and ``likes`` and
``lang`` ``"00"`` for textless art. Image URLs point at this fake, which serves a tiny PNG.
About one work in six has no art and answers 404.
"""

from __future__ import annotations

from typing import Any

from curator.demo.catalogue import Work
from curator.demo.loopback import Request, Response
from curator.demo.providers.ratelimit import RateLimit
from curator.demo.providers.service import FakeService, Params, Route, json_response, retry_after_header
from curator.demo.providers.world import World, slug, stable

FANART_API_KEY = "demo-fanart-api-key"
_GROUPS = {"movie": ("movieposter", "hdmovielogo", "moviebackground"),
           "show": ("tvposter", "hdtvlogo", "showbackground")}


def has_artwork(work: Work) -> bool:
    """Whether fanart.tv knows art for the work (a stable choice per work)."""
    return stable(work.key, "fanart") >= 1 / 6


class FakeFanart(FakeService):
    name = "fanart"
    base_path = "/v3"
    image_prefixes = ("/fanart/",)
    default_rate = RateLimit(100, 1.0)

    def __init__(self, world: World, *, api_key: str = FANART_API_KEY, **options: Any) -> None:
        self._world = world
        self._api_key = api_key
        super().__init__(**options)

    def routes(self) -> list[Route]:
        return [Route("GET", "/movies/{id}", self._movie), Route("GET", "/tv/{id}", self._tv)]

    def authorise(self, request: Request) -> Response | None:
        if self._api_key in (request.query.get("api_key"), request.header("api-key")):
            return None
        return json_response({"status": "error", "error message": "Not authorized"}, 401)

    def error_response(self, status: int, retry_after: float | None = None) -> Response:
        messages = {404: "Not found", 429: "Too many requests"}
        return json_response({"status": "error", "error message": messages.get(status, "Server error")}, status,
                             retry_after_header(retry_after))

    def _movie(self, request: Request, params: Params) -> Response:
        raw = params["id"]
        work = self._world.by_imdb(raw) if raw.startswith("tt") else (
            self._world.by_tmdb("movie", int(raw)) if raw.isdigit() else None)
        if work is None or not has_artwork(work):
            return self.error_response(404)
        return json_response({"name": work.title, "tmdb_id": str(work.tmdb_id), "imdb_id": work.imdb_id,
                              **self._groups(work, "movies", str(work.tmdb_id))})

    def _tv(self, request: Request, params: Params) -> Response:
        work = self._world.by_tvdb_series(int(params["id"])) if params["id"].isdigit() else None
        if work is None or not has_artwork(work):
            return self.error_response(404)
        return json_response({"name": work.title, "thetvdb_id": str(work.tvdb_id),
                              **self._groups(work, "tv", str(work.tvdb_id))})

    def _groups(self, work: Work, folder: str, record_id: str) -> dict[str, list[dict[str, str]]]:
        languages = list(dict.fromkeys(("en", work.original_language, "00")))
        if work.dutch_title or "nl" in work.summaries:
            languages.insert(1, "nl")
        groups: dict[str, list[dict[str, str]]] = {}
        for number, group in enumerate(_GROUPS[work.kind]):
            codes = [""] if group.endswith("background") else languages
            groups[group] = [self._item(work, folder, record_id, group, number * 10 + n, code)
                             for n, code in enumerate(codes)]
        return groups

    def _item(self, work: Work, folder: str, record_id: str, group: str, n: int, code: str) -> dict[str, str]:
        art_id = str(int(record_id) % 100_000 * 100 + n) if record_id.isdigit() else str(n)
        likes = int(stable(f"{work.key}/{group}/{n}", "likes") * 40)
        url = f"{self.origin}/fanart/{folder}/{record_id}/{group}/{slug(work.title)}-{art_id}.png"
        return {"id": art_id, "url": url, "lang": code, "likes": str(likes)}

