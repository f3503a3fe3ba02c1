"""TMDB (The Movie Database, API v3): search, details with translations, lookup by id.

Facts: shared/docs/PROVIDERS.md §1. Requests per call:

- ``search``: 1 (``/search/movie`` or ``/search/tv``).
- ``details``: 1 (``/movie/{id}`` or ``/tv/{id}`` with translations, external ids,
  alternative titles and images appended).
- ``lookup``: 1. A TMDB id goes straight to the details request; an IMDb or TheTVDB id goes
  through ``/find``, whose result is a search-level candidate (call ``details`` for more).

Movie searches filter with ``year`` rather than ``primary_release_year``: ``year`` matches any
release in that year (a local premiere a year late, a festival run), so a Plex year that is
off that way still finds the film; the scorer judges the year afterwards.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

import httpx

from curator import settings
from curator.domain.errors import BadResponse, InvalidInput, NotFound
from curator.domain.models import Candidate, ExternalIds, MediaKind, is_imdb_id, is_plain_number
from curator.domain.text import sanitise_summary
from curator.net.gateway import HeaderAuth, ProviderGateway, QueryParamAuth

NAME = "tmdb"
LABEL = "TMDB"
KINDS = frozenset({MediaKind.MOVIE, MediaKind.SHOW})
#: Poster size that suits a candidate list; sizes are listed by ``/configuration``.
#: Poster size requested from TMDB's image service (its base URL is the TMDB_IMAGES endpoint).
POSTER_SIZE = "w342"
APPENDED = "translations,external_ids,alternative_titles,images"

_YEAR = re.compile(r"^(\d{4})-")
# A bare language gets the region its speakers mostly use; TMDB wants "nl-NL", not "nl".
_REGIONS = {
    "cs": "CZ", "da": "DK", "de": "DE", "el": "GR", "en": "US", "es": "ES", "fi": "FI",
    "fr": "FR", "he": "IL", "hu": "HU", "it": "IT", "ja": "JP", "ko": "KR", "nb": "NO",
    "nl": "NL", "no": "NO", "pl": "PL", "pt": "PT", "ru": "RU", "sv": "SE", "tr": "TR",
    "uk": "UA", "zh": "CN",
}


def tmdb_auth(secret: str) -> httpx.Auth:
    """The auth hook for a TMDB credential: the read access token (a JWT, "eyJ…") as a Bearer
    header, a v3 API key as the ``api_key`` query parameter."""
    secret = secret.strip()
    if not secret:
        raise InvalidInput("TMDB: no API key or read access token is set.",
                           hint="Add one in Settings.")
    if secret.startswith("eyJ") and secret.count(".") == 2:
        return HeaderAuth("Authorization", secret, scheme="Bearer")
    return QueryParamAuth("api_key", secret)


@functools.lru_cache(maxsize=64)
def tmdb_language(language: str) -> str:
    """TMDB's form of a language tag: "nl" → "nl-NL", "pt-br" → "pt-BR", "xx" → "xx"."""
    base, _, region = language.strip().replace("_", "-").partition("-")
    base = base.lower()
    region = region.upper() or _REGIONS.get(base, "")
    return f"{base}-{region}" if region else base


@functools.lru_cache(maxsize=64)
def _base_language(language: str) -> str:
    return language.strip().replace("_", "-").partition("-")[0].lower()


class TmdbProvider:
    """TMDB behind a ready ``ProviderGateway`` (auth, limits, cache and retries live there)."""

    name = NAME
    kinds = KINDS

    def __init__(self, gateway: ProviderGateway) -> None:
        self._gateway = gateway

    async def search(self, title: str, year: int | None, kind: MediaKind,
                     language: str) -> list[Candidate]:
        if kind not in KINDS or not title.strip():
            return []
        params: dict[str, Any] = {"query": title.strip(), "language": tmdb_language(language),
                                  "include_adult": "false", "page": 1}
        if kind is MediaKind.MOVIE:
            params["year"] = year
            path = "/search/movie"
        else:
            params["first_air_date_year"] = year
            path = "/search/tv"
        payload = await self._gateway.get_json(path, params)
        if payload is None:
            return []
        return parse_search(payload, kind, _base_language(language))

    async def details(self, candidate: Candidate, language: str) -> Candidate:
        record = await self._fetch_record(candidate.kind, _tmdb_id(candidate), language)
        if record is None:
            raise NotFound(LABEL, f"{candidate.title or 'the record'} is no longer on TMDB")
        return record

    async def lookup(self, ids: ExternalIds, kind: MediaKind, language: str) -> Candidate | None:
        if kind not in KINDS:
            return None
        if ids.tmdb is not None:
            return await self._fetch_record(kind, ids.tmdb, language)
        imdb = ids.imdb if ids.imdb and is_imdb_id(ids.imdb) else None
        for external_id, source in ((imdb, "imdb_id"), (ids.tvdb, "tvdb_id")):
            if external_id is None:
                continue
            payload = await self._gateway.get_json(
                f"/find/{external_id}",
                {"external_source": source, "language": tmdb_language(language)})
            found = parse_find(payload, kind, _base_language(language)) if payload else None
            if found is not None:
                return _with_ids(found, replace(ids, imdb=imdb))
        return None

    async def episode_summaries(self, candidate: Candidate,
                                language: str) -> dict[tuple[int, int], str]:
        """Not offered: TMDB serves episodes one season per request; TheTVDB and TVmaze cover
        episode summaries."""
        return {}

    async def _fetch_record(self, kind: MediaKind, tmdb_id: int, language: str) -> Candidate | None:
        lang = _base_language(language)
        image_languages = ",".join(dict.fromkeys((lang, "null", "en")))
        path = f"/movie/{tmdb_id}" if kind is MediaKind.MOVIE else f"/tv/{tmdb_id}"
        payload = await self._gateway.get_json(path, {
            "language": tmdb_language(language),
            "append_to_response": APPENDED,
            "include_image_language": image_languages,
        })
        if payload is None:
            return None
        return parse_details(payload, kind, language)


def _tmdb_id(candidate: Candidate) -> int:
    if candidate.provider != NAME or not is_plain_number(candidate.provider_id):
        raise InvalidInput(f"TMDB cannot fetch details for a {candidate.provider} record "
                           f"({candidate.provider_id!r}).")
    return int(candidate.provider_id)


def _with_ids(candidate: Candidate, known: ExternalIds) -> Candidate:
    """The candidate with ids the caller already knew filled in where TMDB did not say."""
    ids = candidate.ids
    return replace(candidate, ids=ExternalIds(imdb=ids.imdb or known.imdb,
                                              tmdb=ids.tmdb or known.tmdb,
                                              tvdb=ids.tvdb or known.tvdb))


# --- parsing (pure) ------------------------------------------------------------------------


def parse_search(payload: Any, kind: MediaKind, language: str) -> list[Candidate]:
    """Candidates from a ``/search/movie`` or ``/search/tv`` answer, in TMDB's order. The
    overview there is in the requested ``language`` (2-letter), or empty."""
    if not isinstance(payload, dict) or not isinstance(payload.get("results"), list):
        raise BadResponse(LABEL, "sent search results in an unexpected shape")
    images = _images()
    found = (_candidate(item, kind, language, images) for item in payload["results"])
    return [c for c in found if c is not None]


def parse_find(payload: Any, kind: MediaKind, language: str) -> Candidate | None:
    """The first movie (or show) of a ``/find/{external_id}`` answer."""
    if not isinstance(payload, dict):
        raise BadResponse(LABEL, "sent a lookup answer in an unexpected shape")
    results = payload.get("movie_results" if kind is MediaKind.MOVIE else "tv_results")
    images = _images()
    for item in results if isinstance(results, list) else ():
        candidate = _candidate(item, kind, language, images)
        if candidate is not None:
            return candidate
    return None


def parse_details(payload: Any, kind: MediaKind, language: str) -> Candidate:
    """A full candidate from ``/movie/{id}`` or ``/tv/{id}`` with the appended parts.

    The summary is the localised ``overview``; when that is empty, the matching entry of
    ``translations``; when there is none, the English one. ``summary_language`` says which.
    """
    if not isinstance(payload, dict) or _int(payload.get("id")) is None:
        raise BadResponse(LABEL, "sent a record in an unexpected shape")
    lang = _base_language(language)
    images = _images()
    base = _candidate(payload, kind, lang, images)
    if base is None:
        raise BadResponse(LABEL, "sent a record without a title")
    translations = _translations(payload)
    summary, summary_language = _summary(base.summary, translations, language)
    external = _dict(payload.get("external_ids"))
    imdb = _str(external.get("imdb_id")) or _str(payload.get("imdb_id"))
    tvdb = _int(external.get("tvdb_id"))
    title_key = "title" if kind is MediaKind.MOVIE else "name"
    titles = [*_alternative_titles(payload),
              *(_str(_dict(t.get("data")).get(title_key)) for t in translations
                if t.get("iso_639_1") in (lang, "en"))]
    poster = _best_poster(payload, lang, images) or base.poster_url
    return Candidate(
        provider=NAME, provider_id=base.provider_id, kind=kind, title=base.title,
        year=base.year, original_title=base.original_title,
        alternative_titles=_unique(titles, exclude=(base.title,)),
        ids=ExternalIds(imdb=imdb if is_imdb_id(imdb) else None, tmdb=int(base.provider_id),
                        tvdb=tvdb),
        popularity=base.popularity, vote_count=base.vote_count,
        summary=summary, summary_language=summary_language,
        poster_url=poster, original_language=base.original_language,
    )


def _candidate(item: Any, kind: MediaKind, language: str, images: str) -> Candidate | None:
    """A candidate from one search/find/details item; None when it has no id or title.
    ``images`` is where poster paths are (see ``_images``)."""
    if not isinstance(item, dict):
        return None
    tmdb_id = _int(item.get("id"))
    movie = kind is MediaKind.MOVIE
    title = _str(item.get("title" if movie else "name"))
    original = _str(item.get("original_title" if movie else "original_name"))
    if tmdb_id is None or not (title or original):
        return None
    summary = sanitise_summary(_str(item.get("overview")))
    date = _str(item.get("release_date" if movie else "first_air_date"))
    year = _YEAR.match(date)
    return Candidate(
        provider=NAME, provider_id=str(tmdb_id), kind=kind, title=title or original,
        year=int(year.group(1)) if year else None, original_title=original,
        ids=ExternalIds(tmdb=tmdb_id), popularity=_float(item.get("popularity")),
        vote_count=_int(item.get("vote_count")) or 0,
        summary=summary, summary_language=language if summary else "",
        poster_url=_image_url(item.get("poster_path"), images),
        original_language=_str(item.get("original_language")).lower(),
    )


def _translations(payload: Mapping[str, Any]) -> list[dict[str, Any]]:
    entries = _dict(payload.get("translations")).get("translations")
    return [t for t in entries if isinstance(t, dict)] if isinstance(entries, list) else []


def _summary(localised: str, translations: list[dict[str, Any]], language: str) -> tuple[str, str]:
    """``localised`` (the record's own overview, sanitised) when there is one, else the best
    translated overview; and its language."""
    lang = _base_language(language)
    region = tmdb_language(language).partition("-")[2]
    if localised:
        return localised, lang
    for wanted, wanted_region in ((lang, region), ("en", "US")):
        text = _translated_overview(translations, wanted, wanted_region)
        if text:
            return text, wanted
    return "", ""


def _translated_overview(translations: list[dict[str, Any]], language: str, region: str) -> str:
    """The overview of the best ``language`` entry: the wanted region first, then any."""
    matching = [t for t in translations if t.get("iso_639_1") == language]
    matching.sort(key=lambda t: t.get("iso_3166_1") != region)
    for entry in matching:
        text = sanitise_summary(_str(_dict(entry.get("data")).get("overview")))
        if text:
            return text
    return ""


def _alternative_titles(payload: Mapping[str, Any]) -> list[str]:
    block = _dict(payload.get("alternative_titles"))
    entries = block.get("titles", block.get("results"))  # movie: titles, tv: results
    return [_str(e.get("title")) for e in entries if isinstance(e, dict)] \
        if isinstance(entries, list) else []


def _best_poster(payload: Mapping[str, Any], language: str, images: str) -> str:
    """The poster in the wanted language, else one without text, else English; within each,
    the best rated (vote average, then votes)."""
    posters = _dict(payload.get("images")).get("posters")
    order = {code: rank for rank, code in enumerate(dict.fromkeys((language, None, "en")))}
    ranked = []
    for poster in posters if isinstance(posters, list) else ():
        if not isinstance(poster, dict) or poster.get("iso_639_1") not in order:
            continue
        path = poster.get("file_path")
        if _is_image_path(path):  # the URL is built for the winner only (same order: same prefix)
            ranked.append((order[poster.get("iso_639_1")], -_float(poster.get("vote_average")),
                           -(_int(poster.get("vote_count")) or 0), path))
    return _image_url(min(ranked)[3], images) if ranked else ""


def _images() -> str:
    """Where poster paths are: the TMDB_IMAGES endpoint and the poster size (read once per answer)."""
    return f"{settings.endpoint('TMDB_IMAGES')}/{POSTER_SIZE}"


def _is_image_path(path: Any) -> bool:
    return isinstance(path, str) and path.startswith("/")


def _image_url(path: Any, images: str) -> str:
    return f"{images}{path}" if _is_image_path(path) else ""


def _unique(titles: Iterable[str], *, exclude: Iterable[str] = ()) -> tuple[str, ...]:
    skip = {t.casefold() for t in exclude}
    seen: dict[str, str] = {}
    for title in titles:
        title = title.strip()
        if title and title.casefold() not in skip:
            seen.setdefault(title.casefold(), title)
    return tuple(seen.values())


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and is_plain_number(value.strip()):
        return int(value)
    return None


def _float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0.0
    return float(value)
