"""fanart.tv v3 (https://webservice.fanart.tv/v3): artwork only, optional.

``GET /movies/{tmdb_id|imdb_id}`` and ``GET /tv/{tvdb_id}``, with the project key as the
``api_key`` query parameter and, when the user has one, a personal key as ``client_key``
(``auth_for``). Facts: shared/docs/PROVIDERS.md §5. No real payload was found: the keys read
here (``movieposter``, ``hdmovielogo``, ``tvposter``, ``hdtvlogo``; items ``{id, url, lang,
likes}``) come from client documentation and are UNVERIFIED against the live service, so
the parser skips anything it does not recognise rather than failing.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass

import httpx

from curator.domain.errors import BadResponse
from curator.domain.models import ExternalIds, MediaKind, is_plain_number
from curator.domain.redaction import secrets
from curator.net.gateway import ProviderGateway

NAME = "fanart"
SERVICE = "fanart.tv"

#: Response keys Curator uses → the kind of artwork they hold.
ART_KINDS: Mapping[str, str] = {
    "movieposter": "poster",
    "hdmovielogo": "logo",
    "tvposter": "poster",
    "hdtvlogo": "logo",
}
_KIND_ORDER = ("poster", "logo")
#: ``lang`` values taken to mean "no text on the image" (unverified: "00" is fanart.tv's
#: convention according to client code, "" is a missing field).
_NEUTRAL_LANGUAGES = frozenset({"", "00"})


@dataclass(frozen=True, slots=True)
class Artwork:
    """One image: absolute ``url``, 2-letter ``language`` ("" or "00" for none), ``likes``
    (votes on fanart.tv) and ``kind`` ("poster" or "logo")."""

    url: str
    language: str
    likes: int
    kind: str


class FanartAuth(httpx.Auth):
    """Adds ``api_key`` and, when given, ``client_key`` to each request at send time; both
    are registered for redaction."""

    def __init__(self, api_key: str, client_key: str | None = None) -> None:
        secrets.register(api_key)
        secrets.register(client_key)
        self._params = {"api_key": api_key, **({"client_key": client_key} if client_key else {})}

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        for name, value in self._params.items():
            request.url = request.url.copy_set_param(name, value)
        yield request


def auth_for(api_key: str, client_key: str | None = None) -> httpx.Auth:
    """The gateway's auth hook: project key, plus the user's personal key if they have one."""
    return FanartAuth(api_key, client_key)


# --- parsing (pure) --------------------------------------------------------------------------


def parse_artwork(data: object, language: str = "") -> list[Artwork]:
    """Posters and logos of one answer: posters first, each kind in the wanted ``language``
    first, then images without text, then the rest, most liked first within each.
    BadResponse when ``data`` is not an object."""
    if not isinstance(data, dict):
        raise BadResponse(SERVICE, "sent artwork in an unexpected form")
    wanted = _language(language)
    found = [art for key, kind in ART_KINDS.items() for art in _items(data.get(key), kind)]

    def order(art: Artwork) -> tuple[int, int, int]:
        rank = 0 if art.language == wanted and wanted else 1 if art.language in _NEUTRAL_LANGUAGES else 2
        return _KIND_ORDER.index(art.kind), rank, -art.likes

    return sorted(found, key=order)


def _items(value: object, kind: str) -> list[Artwork]:
    art: list[Artwork] = []
    for item in value if isinstance(value, list) else ():
        if not isinstance(item, dict):
            continue
        url = item.get("url")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            continue
        art.append(Artwork(url=url, language=_language(item.get("lang")),
                           likes=_likes(item.get("likes")), kind=kind))
    return art


def _language(value: object) -> str:
    return value.strip().split("-")[0].casefold() if isinstance(value, str) else ""


def _likes(value: object) -> int:
    """``likes`` as a number; client code shows it as a string ("5")."""
    if isinstance(value, int) and not isinstance(value, bool):
        return max(0, value)
    if isinstance(value, str) and is_plain_number(value.strip()):
        return int(value.strip())
    return 0


# --- the source ------------------------------------------------------------------------------


class FanartSource:
    """Artwork for a work Curator already knows by id.

    Deliberately not a ``Provider``: fanart.tv cannot search, has no titles, years or
    summaries, and so can never produce a ``Candidate``. In the provider chain it would only
    ever answer "no candidates"; as its own small class it is asked for images of a chosen
    candidate instead (by its tmdb/imdb id for a movie, its TheTVDB id for a show).
    """

    name = NAME
    kinds = frozenset({MediaKind.MOVIE, MediaKind.SHOW})

    def __init__(self, gateway: ProviderGateway) -> None:
        self._gateway = gateway

    async def artwork(self, ids: ExternalIds, kind: MediaKind, language: str = "") -> list[Artwork]:
        """Posters and logos, ordered as ``parse_artwork`` says; [] when fanart.tv has none
        (404) or the ids it needs are missing (then no request is made)."""
        path = self._path(ids, kind)
        if path is None:
            return []
        data = await self._gateway.get_json(path)
        return parse_artwork(data, language) if data is not None else []

    async def posters(self, ids: ExternalIds, kind: MediaKind, language: str = "") -> list[Artwork]:
        """Posters only: the wanted language first, then most liked."""
        return [art for art in await self.artwork(ids, kind, language) if art.kind == "poster"]

    @staticmethod
    def _path(ids: ExternalIds, kind: MediaKind) -> str | None:
        if kind is MediaKind.MOVIE:
            movie_id = ids.tmdb if ids.tmdb is not None else ids.imdb
            return f"/movies/{movie_id}" if movie_id is not None else None
        return f"/tv/{ids.tvdb}" if ids.tvdb is not None else None
