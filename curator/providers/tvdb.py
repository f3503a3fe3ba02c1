"""TheTVDB API v4 (v3 is shut down): login token, search, extended records with translations,
lookup by remote id, episode summaries.

Facts: shared/docs/PROVIDERS.md §2 and TheTVDB's swagger (v4.7.10). Requests per call:

- ``search``: 1 (``/search``). The ``language`` filter of ``/search`` restricts results to
  works whose *original* language it is, so it is not sent; the wanted language is read from
  each result's ``overviews``/``translations`` maps instead.
- ``details``: 1 (``/series/{id}/extended`` or ``/movies/{id}/extended`` with
  ``meta=translations``), plus 1 (``…/translations/{lang}``) only when the record lists a
  translation it did not embed. ``short=true`` is not used: it drops the artworks, the only
  source of a poster in the wanted language.
- ``lookup``: a TheTVDB id is ``details``; an IMDb or TMDB id is 1 request
  (``/search/remoteid/{id}``) giving the base record, which has no summary.
- ``episode_summaries``: 1 per 500 episodes (``/series/{id}/episodes/default/{lang}``, paged
  via ``links.next``). That endpoint returns the overviews already in the wanted language;
  ``extended?meta=episodes`` carries only the untranslated text and would need one
  translation request per episode.

The login (``POST /login``) is done by ``TvdbAuth`` inside the gateway's request, through the
same client; it is never cached and not counted by the gateway's limiter (once a month).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import time
from collections.abc import AsyncGenerator, Callable, Generator, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from curator.domain.errors import AuthFailed, BadResponse, InvalidInput, NotFound, SecretsError
from curator.domain.models import Candidate, ExternalIds, MediaKind, is_imdb_id, is_plain_number
from curator.domain.redaction import secrets
from curator.domain.text import sanitise_summary
from curator.net.gateway import CacheOffload, ProviderGateway
from curator.net.http import parse_json, raise_for_status

log = logging.getLogger(__name__)

NAME = "tvdb"
LABEL = "TheTVDB"
KINDS = frozenset({MediaKind.SHOW, MediaKind.MOVIE})
ARTWORK_BASE = "https://artworks.thetvdb.com"
#: Tokens are valid for one month; renew a few days early so none expires mid-run.
TOKEN_LIFETIME = 27 * 24 * 3600.0
#: A bound on episode pages (500 episodes each) against a server that never stops paging.
MAX_EPISODE_PAGES = 40

_YEAR = re.compile(r"^(\d{4})")
_SEARCH_TYPES = {MediaKind.SHOW: "series", MediaKind.MOVIE: "movie"}
_POSTER_TYPES = {MediaKind.SHOW: 2, MediaKind.MOVIE: 14}  # /artwork/types: series/movie poster
_RECORD_PATHS = {MediaKind.SHOW: "series", MediaKind.MOVIE: "movies"}
# ISO 639-1 → TheTVDB's codes (ISO 639-2/T, plus its own "pt" for Brazilian Portuguese and
# "zhtw" for Taiwanese Mandarin, both seen in real search results).
_LANGUAGES = {
    "ar": "ara", "bg": "bul", "cs": "ces", "da": "dan", "de": "deu", "el": "ell", "en": "eng",
    "es": "spa", "fi": "fin", "fr": "fra", "he": "heb", "hu": "hun", "it": "ita", "ja": "jpn",
    "ko": "kor", "nb": "nor", "nl": "nld", "no": "nor", "pl": "pol", "pt": "por", "ro": "ron",
    "ru": "rus", "sv": "swe", "tr": "tur", "uk": "ukr", "zh": "zho",
}
_REGIONAL = {"pt-br": "pt", "zh-tw": "zhtw"}
_TWO_LETTER = {**{three: two for two, three in _LANGUAGES.items() if two != "nb"},
               "pt": "pt", "zhtw": "zh"}


def tvdb_language(language: str) -> str | None:
    """TheTVDB's code for a language tag: "nl" → "nld", "pt-BR" → "pt"; None when unknown."""
    tag = language.strip().replace("_", "-").lower()
    return _REGIONAL.get(tag) or _LANGUAGES.get(tag.partition("-")[0])


def _two_letter(code: Any) -> str:
    return _TWO_LETTER.get(code, "") if isinstance(code, str) else ""


def _summary_languages(language: str) -> list[str]:
    """The languages a summary may be in, best first: the wanted one, then English."""
    wanted = tvdb_language(language)
    return list(dict.fromkeys(code for code in (wanted, "eng") if code))


# --- the login token -------------------------------------------------------------------------


class TokenStore(Protocol):
    """Where login tokens outlive the process. Tokens are secrets: the composition root backs
    this with the OS keyring, never with the database."""

    def load(self, name: str) -> tuple[str, float] | None:
        """The stored token and its expiry (epoch seconds), or None."""
        ...

    def save(self, name: str, token: str, expires_at: float) -> None: ...


class MemoryTokenStore:
    """A TokenStore in a dict: tokens last as long as the process."""

    def __init__(self) -> None:
        self._tokens: dict[str, tuple[str, float]] = {}

    def load(self, name: str) -> tuple[str, float] | None:
        return self._tokens.get(name)

    def save(self, name: str, token: str, expires_at: float) -> None:
        self._tokens[name] = (token, expires_at)


class NamedSecrets(Protocol):
    """The part of ``curator.secrets.SecretStore`` a token store needs."""

    def get(self, name: str) -> str | None: ...

    def set(self, name: str, value: str) -> None: ...


class SecretTokenStore:
    """A TokenStore over named secrets (the keyring): ``<name>_token`` holds
    "<expires_at> <token>"."""

    def __init__(self, store: NamedSecrets) -> None:
        self._store = store

    def load(self, name: str) -> tuple[str, float] | None:
        expires_at, _, token = (self._store.get(f"{name}_token") or "").partition(" ")
        try:
            return (token, float(expires_at)) if token else None
        except ValueError:
            return None

    def save(self, name: str, token: str, expires_at: float) -> None:
        self._store.set(f"{name}_token", f"{expires_at:.0f} {token}")


class TvdbAuth(httpx.Auth):
    """Bearer auth with TheTVDB's login token.

    Logs in (``POST /login``) when it has no valid token, through the same client as the
    request; on a 401 logs in again once and retries once (a second 401 goes through, and the
    gateway makes it AuthFailed). Concurrent requests share one login. The key, the PIN and
    every token are registered for redaction. AsyncClient only.
    """

    def __init__(self, api_key: str, pin: str | None, token_store: TokenStore, base_url: str, *,
                 token_name: str = NAME, clock: Callable[[], float] = time.time,
                 offload: CacheOffload = asyncio.to_thread) -> None:
        if not api_key.strip():
            raise InvalidInput("TheTVDB: no API key is set.", hint="Add one in Settings.")
        self._api_key = api_key.strip()
        self._pin = (pin or "").strip()
        secrets.register(self._api_key)
        secrets.register(self._pin)
        self._store = token_store
        self._login_url = f"{base_url.rstrip('/')}/login"
        self._token_name = token_name
        self._clock = clock
        self._offload = offload
        self._token: str | None = None
        self._expires_at = 0.0
        self._store_read = False
        self._lock = asyncio.Lock()

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("TvdbAuth logs in asynchronously; use it with an httpx.AsyncClient")

    async def async_auth_flow(
            self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        async with self._lock:
            if not self._has_valid_token():
                await self._read_store()
            if not self._has_valid_token():
                await self._accept_login((yield self._login_request(request)))
            token = self._token
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code != 401:
            return
        async with self._lock:
            if self._token == token:  # not renewed by a concurrent request meanwhile
                log.info("%s: the login token was refused; logging in again", LABEL)
                await self._accept_login((yield self._login_request(request)))
            token = self._token
        request.headers["Authorization"] = f"Bearer {token}"
        yield request

    def _has_valid_token(self) -> bool:
        return self._token is not None and self._clock() < self._expires_at

    async def _read_store(self) -> None:
        if self._store_read:
            return
        self._store_read = True
        try:
            stored = await self._offload(functools.partial(self._store.load, self._token_name))
        except SecretsError as err:
            log.warning("%s: could not read the saved login token (%s)", LABEL, type(err).__name__)
            return
        if stored is not None:
            token, expires_at = stored
            secrets.register(token)
            self._token, self._expires_at = token, expires_at

    def _login_request(self, request: httpx.Request) -> httpx.Request:
        body = {"apikey": self._api_key, **({"pin": self._pin} if self._pin else {})}
        headers = {"Accept": "application/json"}
        if "User-Agent" in request.headers:
            headers["User-Agent"] = request.headers["User-Agent"]
        timeout = request.extensions.get("timeout")
        return httpx.Request("POST", self._login_url, json=body, headers=headers,
                             extensions={"timeout": timeout} if timeout else None)

    async def _accept_login(self, response: httpx.Response) -> None:
        """Take the token from a login answer, or raise the mapped error."""
        await response.aread()
        if response.status_code in (401, 403):
            what = "API key or subscriber PIN" if self._pin else "API key"
            raise AuthFailed(LABEL, f"the {what} was refused at login (HTTP {response.status_code})",
                             status=response.status_code)
        raise_for_status(LABEL, response)
        token = _dict(_dict(parse_json(LABEL, response)).get("data")).get("token")
        if not isinstance(token, str) or not token.strip():
            raise BadResponse(LABEL, "answered the login without a token")
        token = token.strip()
        secrets.register(token)
        self._token, self._expires_at = token, self._clock() + TOKEN_LIFETIME
        try:
            await self._offload(functools.partial(self._store.save, self._token_name, token,
                                                  self._expires_at))
        except SecretsError as err:
            log.warning("%s: could not save the login token (%s)", LABEL, type(err).__name__)


# --- the provider ----------------------------------------------------------------------------


class TvdbProvider:
    """TheTVDB v4 behind a ready ``ProviderGateway`` whose auth is a ``TvdbAuth``."""

    name = NAME
    kinds = KINDS

    def __init__(self, gateway: ProviderGateway) -> None:
        self._gateway = gateway

    async def search(self, title: str, year: int | None, kind: MediaKind,
                     language: str) -> list[Candidate]:
        if kind not in KINDS or not title.strip():
            return []
        payload = await self._gateway.get_json(
            "/search", {"query": title.strip(), "type": _SEARCH_TYPES[kind], "year": year})
        if payload is None:
            return []
        return parse_search(payload, kind, language)

    async def details(self, candidate: Candidate, language: str) -> Candidate:
        found = await self._extended(candidate.kind, _tvdb_id(candidate), language)
        if found is None:
            raise NotFound(LABEL, f"{candidate.title or 'the record'} is no longer on TheTVDB")
        return found

    async def lookup(self, ids: ExternalIds, kind: MediaKind, language: str) -> Candidate | None:
        if kind not in KINDS:
            return None
        if ids.tvdb is not None:
            return await self._extended(kind, ids.tvdb, language)
        imdb = ids.imdb if ids.imdb and is_imdb_id(ids.imdb) else None
        for remote_id in (imdb, ids.tmdb):
            if remote_id is None:
                continue
            payload = await self._gateway.get_json(f"/search/remoteid/{remote_id}")
            found = parse_remote_id(payload, kind, language) if payload is not None else None
            if found is not None:
                return found
        return None

    async def episode_summaries(self, candidate: Candidate,
                                language: str) -> dict[tuple[int, int], str]:
        """Overviews of the episodes in the series' default season order, in ``language`` only
        (no English stand-ins: the caller asks again with "en" if it wants them)."""
        lang3 = tvdb_language(language)
        if candidate.kind is not MediaKind.SHOW or lang3 is None:
            return {}
        path = f"/series/{_tvdb_id(candidate)}/episodes/default/{lang3}"
        summaries: dict[tuple[int, int], str] = {}
        page = 0
        for _ in range(MAX_EPISODE_PAGES):
            payload = await self._gateway.get_json(path, {"page": page})
            if payload is None:
                break
            episodes, next_page = parse_episode_page(payload, lang3)
            for key, text in episodes.items():
                summaries.setdefault(key, text)
            if next_page is None or next_page <= page:
                break
            page = next_page
        return summaries

    async def _extended(self, kind: MediaKind, tvdb_id: int, language: str) -> Candidate | None:
        """The extended record, with one translation request only when the record lists the
        language of the summary to show but did not embed its text."""
        path = f"/{_RECORD_PATHS[kind]}/{tvdb_id}"
        payload = await self._gateway.get_json(f"{path}/extended", {"meta": "translations"})
        if payload is None:
            return None
        record = _record(payload)
        fetched: dict[str, Translation] = {}
        for lang3 in _summary_languages(language):
            if embedded_overview(record, lang3):
                break
            if lang3 not in _codes(record.get("overviewTranslations")):
                continue
            answer = await self._gateway.get_json(f"{path}/translations/{lang3}")
            translation = parse_translation(answer) if answer is not None else None
            if translation is not None and translation.overview:
                fetched[lang3] = translation
                break
        return parse_record(record, kind, language, fetched)


def _tvdb_id(candidate: Candidate) -> int:
    if candidate.provider != NAME or not is_plain_number(candidate.provider_id):
        raise InvalidInput(f"TheTVDB cannot fetch details for a {candidate.provider} record "
                           f"({candidate.provider_id!r}).")
    return int(candidate.provider_id)


# --- parsing (pure) --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Translation:
    """One language's name and overview of a record (either may be empty)."""

    language: str
    name: str = ""
    overview: str = ""


def parse_search(payload: Any, kind: MediaKind, language: str) -> list[Candidate]:
    """Candidates from a ``/search`` answer, in TheTVDB's order, one per ``tvdb_id`` (the
    service can list a series twice, e.g. under two years)."""
    items = _dict(payload).get("data")
    if not isinstance(items, list):
        raise BadResponse(LABEL, "sent search results in an unexpected shape")
    candidates: dict[str, Candidate] = {}
    for item in items:
        candidate = _search_candidate(item, kind, language)
        if candidate is not None:
            candidates.setdefault(candidate.provider_id, candidate)
    return list(candidates.values())


def _search_candidate(item: Any, kind: MediaKind, language: str) -> Candidate | None:
    if not isinstance(item, dict):
        return None
    tvdb_id = _int(item.get("tvdb_id"))
    name = _str(item.get("name"))
    item_type = item.get("type")
    if tvdb_id is None or not name or (item_type and item_type != _SEARCH_TYPES[kind]):
        return None
    names = {k: _str(v) for k, v in _dict(item.get("translations")).items()}
    overviews = {k: _str(v) for k, v in _dict(item.get("overviews")).items()}
    original = item.get("primary_language")
    if isinstance(original, str) and original not in overviews:
        overviews[original] = _str(item.get("overview"))  # the untranslated text
    summary, summary_language = _pick_summary(
        {code: Translation(code, names.get(code, ""), text) for code, text in overviews.items()},
        language)
    title = _localised_name(names, language) or name
    imdb, tmdb = _remote_ids(item.get("remote_ids"))
    aliases = [a for a in _list(item.get("aliases")) if isinstance(a, str)]
    return Candidate(
        provider=NAME, provider_id=str(tvdb_id), kind=kind, title=title,
        year=_year(item.get("first_air_time")) or _year(item.get("year")), original_title=name,
        alternative_titles=_unique([*aliases, *names.values(), name], exclude=(title,)),
        ids=ExternalIds(imdb=imdb, tmdb=tmdb, tvdb=tvdb_id),
        summary=summary, summary_language=summary_language,
        poster_url=_artwork_url(item.get("image_url")),
        original_language=_two_letter(original),
    )


def parse_record(record: Mapping[str, Any], kind: MediaKind, language: str,
                 fetched: Mapping[str, Translation] | None = None) -> Candidate:
    """A candidate from a series/movie record (extended or base). Translations come from the
    embedded ``translations`` (``meta=translations``), from ``fetched`` ones, and from the
    record's own text, which is in its original language."""
    tvdb_id = _int(record.get("id"))
    name = _str(record.get("name"))
    if tvdb_id is None or not name:
        raise BadResponse(LABEL, "sent a record without an id or a name")
    original = record.get("originalLanguage")
    translations = _known_translations(record, fetched or {})
    summary, summary_language = _pick_summary(translations, language)
    names = {code: t.name for code, t in translations.items()}
    title = _localised_name(names, language) or name
    aliases = [_str(a.get("name")) for a in _list(record.get("aliases")) if isinstance(a, dict)]
    imdb, tmdb = _remote_ids(record.get("remoteIds"))
    release = _dict(record.get("first_release")).get("date")
    score = record.get("score")
    return Candidate(
        provider=NAME, provider_id=str(tvdb_id), kind=kind, title=title,
        year=_year(record.get("year")) or _year(record.get("firstAired")) or _year(release),
        original_title=name,
        alternative_titles=_unique([*aliases, *names.values(), name], exclude=(title,)),
        ids=ExternalIds(imdb=imdb, tmdb=tmdb, tvdb=tvdb_id),
        popularity=float(score) if isinstance(score, (int, float)) and not isinstance(score, bool)
        else 0.0,
        summary=summary, summary_language=summary_language,
        poster_url=_best_poster(record, kind, language) or _artwork_url(record.get("image")),
        original_language=_two_letter(original),
    )


def parse_remote_id(payload: Any, kind: MediaKind, language: str) -> Candidate | None:
    """The series (or movie) base record of a ``/search/remoteid/{id}`` answer."""
    items = _dict(payload).get("data")
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        raise BadResponse(LABEL, "sent a lookup answer in an unexpected shape")
    key = "series" if kind is MediaKind.SHOW else "movie"
    for item in items:
        record = _dict(item).get(key)
        if isinstance(record, dict) and _int(record.get("id")) is not None and _str(record.get("name")):
            return parse_record(record, kind, language)
    return None


def parse_translation(payload: Any) -> Translation | None:
    """A ``/…/translations/{language}`` answer."""
    data = _dict(payload).get("data")
    if not isinstance(data, dict) or not isinstance(data.get("language"), str):
        return None
    return Translation(data["language"], _str(data.get("name")),
                       sanitise_summary(_str(data.get("overview"))))


def parse_episode_page(payload: Any, language: str) -> tuple[dict[tuple[int, int], str], int | None]:
    """Summaries by (season, episode) from one page of ``/series/{id}/episodes/default/{lang}``
    and the number of the next page (None on the last). An episode that lists its overview
    translations but not ``language`` has no text in it, and is left out."""
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), dict):
        raise BadResponse(LABEL, "sent an episode list in an unexpected shape")
    summaries: dict[tuple[int, int], str] = {}
    for episode in _list(payload["data"].get("episodes")):
        if not isinstance(episode, dict):
            continue
        season, number = _int(episode.get("seasonNumber")), _int(episode.get("number"))
        listed = episode.get("overviewTranslations")
        if season is None or number is None or (isinstance(listed, list) and language not in listed):
            continue
        text = sanitise_summary(_str(episode.get("overview")))
        if text:
            summaries.setdefault((season, number), text)
    return summaries, _next_page(_dict(payload.get("links")).get("next"))


def embedded_overview(record: Mapping[str, Any], language: str) -> str:
    """The overview in ``language`` that the record itself carries, or ""."""
    translation = _known_translations(record, {}).get(language)
    return translation.overview if translation else ""


def _record(payload: Any) -> dict[str, Any]:
    data = _dict(payload).get("data")
    if not isinstance(data, dict):
        raise BadResponse(LABEL, "sent a record in an unexpected shape")
    return data


def _known_translations(record: Mapping[str, Any],
                        fetched: Mapping[str, Translation]) -> dict[str, Translation]:
    """Every language's name and overview the record offers: its own text (in its original
    language), then the embedded translations, then ``fetched`` ones; later non-empty fields win."""
    known: dict[str, Translation] = {}
    original = record.get("originalLanguage")
    if isinstance(original, str):
        known[original] = Translation(original, _str(record.get("name")),
                                      sanitise_summary(_str(record.get("overview"))))
    for source in (_embedded_translations(record), fetched):
        for code, new in source.items():
            old = known.get(code, Translation(code))
            known[code] = Translation(code, new.name or old.name, new.overview or old.overview)
    return known


def _embedded_translations(record: Mapping[str, Any]) -> dict[str, Translation]:
    """``translations.nameTranslations`` and ``overviewTranslations`` merged by language."""
    block = _dict(record.get("translations"))
    names: dict[str, str] = {}
    overviews: dict[str, str] = {}
    for key, target, field in (("nameTranslations", names, "name"),
                               ("overviewTranslations", overviews, "overview")):
        for entry in _list(block.get(key)):
            language = _dict(entry).get("language")
            text = _str(_dict(entry).get(field))
            if isinstance(language, str) and text:
                target.setdefault(language, text)
    return {code: Translation(code, names.get(code, ""), sanitise_summary(overviews.get(code, "")))
            for code in {*names, *overviews}}


def _pick_summary(translations: Mapping[str, Translation], language: str) -> tuple[str, str]:
    """The overview in the wanted language, else English: (text, 2-letter language)."""
    for code in _summary_languages(language):
        translation = translations.get(code)
        text = sanitise_summary(translation.overview) if translation else ""
        if text:
            return text, _two_letter(code)
    return "", ""


def _localised_name(names: Mapping[str, str], language: str) -> str:
    for code in _summary_languages(language):
        if names.get(code):
            return names[code]
    return ""


def _best_poster(record: Mapping[str, Any], kind: MediaKind, language: str) -> str:
    """The poster artwork in the wanted language, else one without language, else English;
    within each, the highest score."""
    wanted = tvdb_language(language)
    order = {code: rank for rank, code in enumerate(dict.fromkeys((wanted, None, "eng")))}
    ranked = []
    for art in _list(record.get("artworks")):
        if not isinstance(art, dict) or art.get("type") != _POSTER_TYPES[kind]:
            continue
        language_code = art.get("language") or None
        url = _artwork_url(art.get("image"))
        if language_code in order and url:
            score = art.get("score")
            ranked.append((order[language_code],
                           -score if isinstance(score, (int, float)) else 0, url))
    return min(ranked)[2] if ranked else ""


def _remote_ids(entries: Any) -> tuple[str | None, int | None]:
    imdb: str | None = None
    tmdb: int | None = None
    for entry in _list(entries):
        entry = _dict(entry)
        source = _str(entry.get("sourceName")).lower()
        value = entry.get("id")
        if source == "imdb" and isinstance(value, str) and is_imdb_id(value.strip()):
            imdb = imdb or value.strip()
        elif source.startswith("themoviedb"):
            tmdb = tmdb or _int(value)
    return imdb, tmdb


def _next_page(link: Any) -> int | None:
    if isinstance(link, int) and not isinstance(link, bool):
        return link
    if not isinstance(link, str) or not link:
        return None
    try:
        return _int(httpx.URL(link).params.get("page"))
    except httpx.InvalidURL:
        return None


def _artwork_url(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        return ""
    value = value.strip()
    if value.startswith(("https://", "http://")):
        return value
    return f"{ARTWORK_BASE}/{value.lstrip('/')}"


def _codes(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _year(value: Any) -> int | None:
    match = _YEAR.match(value.strip()) if isinstance(value, str) else None
    return int(match.group(1)) if match else None


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


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


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
