"""OMDb (https://www.omdbapi.com/): movies and series by IMDb id or title, English plots.

The key goes as the ``apikey`` query parameter, the only way OMDb takes it (``auth_for``). Every
request is ``GET /`` with ``i=`` (an IMDb id), ``t=`` (one title, a full record) or ``s=`` (a
search list). Facts: shared/docs/PROVIDERS.md §4.

How answers are read:
- Values are strings and "N/A" means missing; ``Year`` may be a range ("1992–1995");
  ``imdbVotes`` has thousands separators ("600,845").
- "Movie not found!", "Series not found!" and "Too many results." come as HTTP 200 with
  ``{"Response":"False","Error":…}``. They are answers, not failures: the gateway caches the
  body like any other (searches for 7 days, as long as a 404 is kept) and this module reads
  it as "no result".
- HTTP 401 "Invalid API key!" is ``AuthFailed`` (from the gateway). HTTP 401 "Request limit
  reached!" means the daily quota is spent: it becomes ``RateLimited`` and OMDb is not asked
  again for a day (the gateway's own ``CallBudget`` counts only this process's calls).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any

import httpx

from curator.domain.errors import AuthFailed, BadResponse, RateLimited
from curator.domain.languages import language_code
from curator.domain.models import Candidate, ExternalIds, MediaKind, is_imdb_id, is_plain_number
from curator.domain.redaction import redact
from curator.domain.text import sanitise_summary
from curator.net.gateway import ProviderGateway, QueryParamAuth

log = logging.getLogger(__name__)

NAME = "omdb"
SERVICE = "OMDb"
DAY = 24 * 3600.0
#: How long search answers (which may be "not found") are cached.
SEARCH_TTL = 7 * DAY

_YEAR = re.compile(r"^\s*(\d{4})")
_KINDS = {"movie": MediaKind.MOVIE, "series": MediaKind.SHOW}
_NO_RESULT = ("not found", "too many results", "incorrect imdb id")
_LIMIT_REACHED = "request limit reached"


def auth_for(api_key: str) -> httpx.Auth:
    """The gateway's auth hook: the key as the ``apikey`` query parameter."""
    return QueryParamAuth("apikey", api_key)


# --- parsing (pure) --------------------------------------------------------------------------


def year_of(value: object) -> int | None:
    """The first year of "2010", "1992–1995" or "2019–"; None for "N/A"."""
    match = _YEAR.match(_value(value))
    return int(match[1]) if match else None


def votes_of(value: object) -> int:
    """``imdbVotes`` as a number: "600,845" → 600845; 0 when missing."""
    digits = _value(value).replace(",", "").strip()
    return int(digits) if is_plain_number(digits) else 0


def error_of(data: object) -> str | None:
    """The ``Error`` text of a ``{"Response":"False"}`` answer, None for a real answer.
    BadResponse when ``data`` is not an OMDb answer at all."""
    if not isinstance(data, dict) or not ("Response" in data or "Title" in data):
        raise BadResponse(SERVICE, "sent an answer in an unexpected form")
    if str(data.get("Response", "True")).casefold() != "false":
        return None
    error = data.get("Error")
    return error.strip() if isinstance(error, str) and error.strip() else "unknown error"


def title_candidate(item: object) -> Candidate | None:
    """A Candidate from a title record or a search item; None without a title and IMDb id, or
    for types Curator does not match (episode, game)."""
    if not isinstance(item, dict):
        return None
    imdb, title = _value(item.get("imdbID")).strip(), _value(item.get("Title")).strip()
    kind = _KINDS.get(_value(item.get("Type")).strip().casefold())
    if not (is_imdb_id(imdb) and title and kind):
        return None
    summary = sanitise_summary(_value(item.get("Plot")))
    return Candidate(
        provider=NAME,
        provider_id=imdb,
        kind=kind,
        title=title,
        year=year_of(item.get("Year")),
        ids=ExternalIds(imdb=imdb),
        vote_count=votes_of(item.get("imdbVotes")),
        summary=summary,
        summary_language="en" if summary else "",  # OMDb plots are English
        poster_url=_poster(item.get("Poster")),
        original_language=language_code(_value(item.get("Language")).split(",")[0]),
    )


def parse_title(data: object) -> Candidate | None:
    """The Candidate of an ``i=``/``t=`` answer; None for "not found" and for types Curator
    does not match (episode, game); BadResponse for a record it cannot read."""
    if _has_no_result(data):
        return None
    candidate = title_candidate(data)
    if candidate is not None:
        return candidate
    kind = _value(data.get("Type")).strip().casefold() if isinstance(data, dict) else ""
    if kind and kind not in _KINDS:
        return None
    raise BadResponse(SERVICE, "sent a title record without a title, type or IMDb id")


def parse_search(data: object) -> list[Candidate]:
    """Candidates of an ``s=`` answer in OMDb's order; [] for "not found"/"too many results"."""
    if _has_no_result(data):
        return []
    items = data.get("Search") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise BadResponse(SERVICE, "sent search results in an unexpected form")
    found = (title_candidate(item) for item in items)
    return [candidate for candidate in found if candidate is not None]


def _has_no_result(data: object) -> bool:
    """True for an error answer (HTTP 200, ``"Response":"False"``): "not found" and "too
    many results" quietly, any other with a warning (it is cached like the rest)."""
    error = error_of(data)
    if error is None:
        return False
    if not any(phrase in error.casefold() for phrase in _NO_RESULT):
        log.warning("%s answered with an error: %s", SERVICE, redact(error[:200]))
    return True


def _daily_limit_reached() -> RateLimited:
    return RateLimited(SERVICE, "the daily request limit is reached", status=401,
                       retry_after=DAY,
                       hint="Curator skips OMDb for a day and uses the other providers.")


def _value(value: object) -> str:
    """A string field, with OMDb's "N/A" read as missing."""
    return value if isinstance(value, str) and value.strip() != "N/A" else ""


def _poster(value: object) -> str:
    url = _value(value).strip()
    return url if url.startswith(("https://", "http://")) else ""


# --- the provider ----------------------------------------------------------------------------


class OmdbProvider:
    """OMDb as a ``Provider`` (movies and series). ``clock`` times the pause after the daily
    limit is reached."""

    name = NAME
    kinds = frozenset({MediaKind.MOVIE, MediaKind.SHOW})

    def __init__(self, gateway: ProviderGateway, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._gateway = gateway
        self._clock = clock
        self._paused_until = float("-inf")

    async def search(self, title: str, year: int | None, kind: MediaKind,
                     language: str) -> list[Candidate]:
        """One ``t=&y=&type=`` request, which gives a full record; when that finds nothing, a
        second ``s=&type=`` request without the year (a year off by one is common, and the
        score weighs it). So one request for a hit, two for a miss."""
        if not title.strip():
            return []
        omdb_type = "movie" if kind is MediaKind.MOVIE else "series"
        record = await self._get({"t": title, "y": year, "type": omdb_type}, cache_ttl=SEARCH_TTL)
        best = parse_title(record)
        if best is not None:
            return [best]
        listing = await self._get({"s": title, "type": omdb_type}, cache_ttl=SEARCH_TTL)
        return parse_search(listing)

    async def lookup(self, ids: ExternalIds, kind: MediaKind, language: str) -> Candidate | None:
        """The record of an IMDb id (``i=``, one request); None without one or when unknown."""
        if ids.imdb is None:
            return None
        return parse_title(await self._get({"i": ids.imdb}))

    async def details(self, candidate: Candidate, language: str) -> Candidate:
        """The record with the full plot (``i=&plot=full``, one request). OMDb plots are in
        English whatever ``language`` asks for."""
        imdb = candidate.ids.imdb or (candidate.provider_id if candidate.provider == NAME else None)
        if imdb is None:
            return candidate
        found = parse_title(await self._get({"i": imdb, "plot": "full"}))
        return found or candidate

    async def episode_summaries(self, candidate: Candidate,
                                language: str) -> dict[tuple[int, int], str]:
        """Not offered: OMDb needs a request per season and has short English plots only."""
        return {}

    async def _get(self, params: dict[str, str | int | None], *,
                   cache_ttl: float | None = None) -> Any:
        """One GET /, with the daily-limit pause checked first and a 401 "Request limit
        reached!" turned into RateLimited (and the start of the pause)."""
        wait = self._paused_until - self._clock()
        if wait > 0:
            raise RateLimited(SERVICE, "the daily request limit is reached", status=None,
                              retry_after=wait,
                              hint="Curator skips OMDb until it frees up.")
        try:
            return await self._gateway.get_json("/", params, cache_ttl=cache_ttl)
        except AuthFailed as err:
            if _LIMIT_REACHED not in str(err).casefold():
                raise
            self._paused_until = self._clock() + DAY
            log.warning("%s: daily request limit reached; not asking it again for 24 h", SERVICE)
            raise _daily_limit_reached() from None
