"""TVmaze (https://api.tvmaze.com): shows only, no key.

Requests go through the provider's gateway, whose limiter keeps to TVmaze's published "at
least 20 calls every 10 seconds per IP address" (``base.default_settings``); nothing here waits
or retries. Facts: shared/docs/PROVIDERS.md §3.

- ``/search/shows?q=`` answers ``[{score, show}]`` in relevance order. TVmaze has no year
  filter: the year is only used for scoring, by the caller.
- ``/singlesearch/shows?q=`` answers one show, or 404 with an empty body for "no match".
- ``/lookup/shows?imdb=|thetvdb=`` answers 301 to ``/shows/{id}``; the gateway follows it.
- Summaries are HTML written by users: always sanitised.

The show's language ("English", "Dutch") is taken as the language of its summary: TVmaze's
editors write summaries of local shows in the local language, but not always, so it is a
best guess (the language names are mapped by ``language_code``).
"""

from __future__ import annotations

import re
from typing import Any

from curator.domain.errors import BadResponse
from curator.domain.languages import language_code
from curator.domain.models import Candidate, ExternalIds, MediaKind, is_imdb_id, is_plain_number
from curator.domain.text import sanitise_summary
from curator.net.gateway import ProviderGateway

NAME = "tvmaze"
SERVICE = "TVmaze"

_YEAR = re.compile(r"^(\d{4})")

#: English language names (as TVmaze and OMDb write them) → ISO 639-1.
# --- parsing (pure) --------------------------------------------------------------------------


def show_candidate(show: object) -> Candidate | None:
    """A Candidate from one TVmaze show object; None when it has no id or name."""
    if not isinstance(show, dict):
        return None
    show_id, name = show.get("id"), show.get("name")
    if not isinstance(show_id, int) or isinstance(show_id, bool) or not _text(name):
        return None
    language = language_code(show.get("language"))
    summary = sanitise_summary(_text(show.get("summary")))
    return Candidate(
        provider=NAME,
        provider_id=str(show_id),
        kind=MediaKind.SHOW,
        title=_text(name).strip(),
        year=_year(show.get("premiered")),
        ids=_external_ids(show.get("externals")),
        popularity=_number(show.get("weight")),
        summary=summary,
        summary_language=language if summary else "",
        poster_url=_poster(show.get("image")),
        original_language=language,
    )


def parse_show(data: object) -> Candidate:
    """The Candidate of a ``/shows/{id}`` (or singlesearch) answer; BadResponse if it is none."""
    candidate = show_candidate(data)
    if candidate is None:
        raise BadResponse(SERVICE, "sent a show without an id or name")
    return candidate


def parse_search(data: object) -> list[Candidate]:
    """Candidates of a ``/search/shows`` answer, in TVmaze's order; unusable items skipped."""
    if not isinstance(data, list):
        raise BadResponse(SERVICE, "sent search results in an unexpected form")
    found = (show_candidate(item.get("show")) for item in data if isinstance(item, dict))
    return [candidate for candidate in found if candidate is not None]


def parse_season_summaries(data: object) -> dict[int, str]:
    """Season number → sanitised summary from a show's ``_embedded.seasons``; empty ones left out."""
    embedded = data.get("_embedded") if isinstance(data, dict) else None
    seasons = embedded.get("seasons") if isinstance(embedded, dict) else None
    summaries: dict[int, str] = {}
    for season in seasons if isinstance(seasons, list) else ():
        if not isinstance(season, dict) or not _is_count(season.get("number")):
            continue
        summary = sanitise_summary(_text(season.get("summary")))
        if summary:
            summaries[season["number"]] = summary
    return summaries


def parse_episode_summaries(data: object) -> dict[tuple[int, int], str]:
    """(season, number) → sanitised summary from ``/shows/{id}/episodes``. Specials (no number)
    and episodes without a summary are left out."""
    if not isinstance(data, list):
        raise BadResponse(SERVICE, "sent an episode list in an unexpected form")
    summaries: dict[tuple[int, int], str] = {}
    for episode in data:
        if not isinstance(episode, dict):
            continue
        season, number = episode.get("season"), episode.get("number")
        if not (isinstance(season, int) and isinstance(number, int) and _is_count(season) and _is_count(number)):
            continue
        summary = sanitise_summary(_text(episode.get("summary")))
        if summary:
            summaries[(season, number)] = summary
    return summaries


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _year(premiered: object) -> int | None:
    match = _YEAR.match(_text(premiered))
    return int(match[1]) if match else None


def _external_ids(externals: object) -> ExternalIds:
    if not isinstance(externals, dict):
        return ExternalIds()
    imdb = _text(externals.get("imdb")).strip()
    tvdb = externals.get("thetvdb")
    return ExternalIds(imdb=imdb if is_imdb_id(imdb) else None,
                       tvdb=tvdb if isinstance(tvdb, int) and _is_count(tvdb) and tvdb > 0 else None)


def _poster(image: object) -> str:
    """The medium portrait (about 210×295, right for a side panel), else the original."""
    if not isinstance(image, dict):
        return ""
    for size in ("medium", "original"):
        url = _text(image.get(size))
        if url.startswith(("https://", "http://")):
            return url
    return ""


# --- the provider ----------------------------------------------------------------------------


class TvmazeProvider:
    """TVmaze as a ``Provider`` (shows only)."""

    name = NAME
    kinds = frozenset({MediaKind.SHOW})

    def __init__(self, gateway: ProviderGateway) -> None:
        self._gateway = gateway

    async def search(self, title: str, year: int | None, kind: MediaKind,
                     language: str) -> list[Candidate]:
        """Shows matching ``title``, TVmaze's best first (one request). ``year`` and
        ``language`` are not sent: TVmaze filters on neither."""
        if kind is MediaKind.MOVIE or not title.strip():
            return []
        data = await self._gateway.get_json("/search/shows", {"q": title})
        return parse_search(data) if data is not None else []

    async def singlesearch(self, title: str) -> Candidate | None:
        """TVmaze's single best show for ``title``, or None (its 404 with an empty body)."""
        if not title.strip():
            return None
        data = await self._gateway.get_json("/singlesearch/shows", {"q": title})
        return parse_show(data) if data is not None else None

    async def lookup(self, ids: ExternalIds, kind: MediaKind, language: str) -> Candidate | None:
        """The show with this IMDb id, else this TheTVDB id (one request per id tried)."""
        if kind is MediaKind.MOVIE:
            return None
        for param, value in (("imdb", ids.imdb), ("thetvdb", ids.tvdb)):
            if value is None:
                continue
            data = await self._gateway.get_json("/lookup/shows", {param: value},
                                                follow_redirects=True)
            if data is not None:
                return parse_show(data)
        return None

    async def details(self, candidate: Candidate, language: str) -> Candidate:
        """The full show record (``/shows/{id}?embed=seasons``, one request, shared with
        ``season_summaries``). A candidate of another provider is looked up by its ids."""
        if candidate.provider != NAME:
            return await self.lookup(candidate.ids, candidate.kind, language) or candidate
        data = await self._show(candidate.provider_id)
        return parse_show(data) if data is not None else candidate

    async def season_summaries(self, candidate: Candidate) -> dict[int, str]:
        """Season summaries of one of our shows, by season number."""
        if candidate.provider != NAME:
            return {}
        return parse_season_summaries(await self._show(candidate.provider_id))

    async def episode_summaries(self, candidate: Candidate,
                                language: str) -> dict[tuple[int, int], str]:
        """Episode summaries of one of our shows by (season, episode); one request."""
        if candidate.provider != NAME or not is_plain_number(candidate.provider_id):
            return {}
        data = await self._gateway.get_json(f"/shows/{candidate.provider_id}/episodes")
        return parse_episode_summaries(data) if data is not None else {}

    async def _show(self, show_id: str) -> Any:
        if not is_plain_number(show_id):
            return None
        return await self._gateway.get_json(f"/shows/{show_id}", {"embed": "seasons"})
