"""NPO POMS, the frontend API behind VPRO Cinema: Dutch film (and series) descriptions.

Facts: shared/docs/PROVIDERS.md §6. The API is not officially supported by NPO and may change
or close at any time, so the provider is off by default (``base.default_settings``).

- Every request is signed at send time by ``PomsAuth`` (the gateway's auth hook):
  ``Authorization: NPO <key>:<base64 HMAC-SHA256(secret, message)>``, ``X-NPO-Date`` and
  ``Origin``; ``sign`` is the pure signing function.
- ``search``: one ``POST /api/pages/?profile=vprocinema&max=N`` with the title as free text and
  a type facet (``MOVIE``, or ``SERIES`` for shows). A result page carries the whole VPRO
  review (``paragraphs[0].body``), so ``details`` needs no request. For shows with no VPRO
  Cinema page, one ``POST /api/media`` looks for an NPO programme instead.
- Searches are cached (7 days): they are read-only queries sent as POST only because the
  search form is a JSON body, and reviews rarely change. The cache key is the path, the query
  and the body; the signature, date and key are added by the auth hook after the key is made,
  so they never reach it.
- ``lookup`` returns None: POMS cannot be searched by IMDb or TMDB id. Years and title
  similarity are the scorer's business (PROVIDERS.md's ±2 years and 0.3 threshold); this module
  only returns candidates.
- Credentials: a key and secret the user enters (keyring names ``POMS_API_KEY`` and
  ``POMS_API_SECRET``). Optionally a ``CredentialFinder`` reads the ones NPO's public web pages
  publish. On HTTP 401/403 the auth hook gets fresh credentials once (through the finder, which
  keeps a cooldown of at least 60 s between attempts) and retries once; then ``AuthFailed``.
  That one retry is sent outside the gateway's limiter, like TheTVDB's login.
"""

from __future__ import annotations

import asyncio
import base64
import email.utils
import hashlib
import hmac
import logging
import re
import time
from collections.abc import AsyncGenerator, Callable, Generator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import httpx

from curator.domain.errors import AuthFailed, BadResponse, InvalidInput, RemoteError
from curator.domain.models import Candidate, ExternalIds, MediaKind
from curator.domain.redaction import redact, secrets
from curator.domain.text import sanitise_summary
from curator.net.gateway import Params, ProviderGateway

log = logging.getLogger(__name__)

NAME = "poms"
LABEL = "NPO POMS"
KINDS = frozenset({MediaKind.MOVIE, MediaKind.SHOW})
#: Keyring names of the user's credentials.
KEY_NAME = "POMS_API_KEY"
SECRET_NAME = "POMS_API_SECRET"  # noqa: S105 - a keyring entry's name, not a secret
#: The Origin c-kick/vpro-cinema-plex signs with.
DEFAULT_ORIGIN = "https://www.vprogids.nl"
#: The API root every signed path is relative to (``https://rs.poms.omroep.nl/v1``).
API_ROOT = "/v1"
PAGES_PATH = "/api/pages/"
MEDIA_PATH = "/api/media"
PROFILE = "vprocinema"
SEARCH_MAX = 10
DAY = 24 * 3600.0
SEARCH_TTL = 7 * DAY
#: The finder never searches the web pages more often than this.
MIN_COOLDOWN = 60.0
#: Pages (relative to the cinema.nl base URL) that may publish the key, and how many of their
#: scripts one attempt reads at most. Unverified: the old vprogids.nl/cinema/zoek.html is gone.
DEFAULT_PAGE_PATHS = ("/zoeken",)
MAX_SCRIPTS = 6
AUTH_HINT = "Enter a POMS key and secret in Settings."

_REFUSED = frozenset({401, 403})
_PAGE_KINDS = {"MOVIE": MediaKind.MOVIE, "SERIES": MediaKind.SHOW}
_PAGE_TYPES = {kind: name for name, kind in _PAGE_KINDS.items()}
_MEDIA_KINDS = {"MOVIE": MediaKind.MOVIE, "SERIES": MediaKind.SHOW}
#: pyapi's TextualTypeEnum order, the most complete description first.
_TEXT_TYPES = ("MAIN", "LONG", "MEDIUM", "SHORT", "SUB", "KICKER", "ORIGINAL", "EPISODE", "WORK",
               "LEXICO", "ABBREVIATION")
_TITLE_TYPES = ("MAIN", "ORIGINAL", "WORK", "SHORT", "SUB", "ABBREVIATION", "LEXICO", "EPISODE")
#: vprogids.nl image URLs answer 410 Gone since the move to cinema.nl.
_DEAD_IMAGE_HOSTS = ("vprogids.nl",)
#: ``urn:vpro:image:144540`` is served as ``images.poms.omroep.nl/image/s360/144540.jpg`` (both
#: forms appear for one image in the recorded pages search).
_IMAGE_URN = re.compile(r"^urn:vpro:image:(\d+)$")
_POMS_IMAGE = "https://images.poms.omroep.nl/image/s360/{}.jpg"
_YEAR = re.compile(r"^\s*(\d{4})\b")
_SCRIPT_SRC = re.compile(r"<script\b[^>]*?\bsrc\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)
_PUBLISHED_KEY = re.compile(
    r"\b(vpronlApiKey|npoApiKey)\b[\"']?\s*[:=]\s*[\"']([^\"'\s]{4,200})[\"']")
_PUBLISHED_SECRET = re.compile(r"\bvpronlSecret\b[\"']?\s*[:=]\s*[\"']([^\"'\s]{4,200})[\"']")


# --- signing ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PomsCredentials:
    """A POMS key and its secret (the secret is left out of ``repr``)."""

    key: str
    secret: str = field(repr=False)


def npo_date(epoch: float) -> str:
    """The ``X-NPO-Date`` form of a moment: RFC 1123 in GMT."""
    return email.utils.formatdate(epoch, usegmt=True)


def signing_message(origin: str, date: str, path: str,
                    params: Mapping[str, object] | Iterable[tuple[str, object]] = ()) -> str:
    """What POMS signs: origin, date and ``/v1`` + ``path``, then each query parameter sorted
    by name, with raw (not URL-encoded) values; parameters that are None are left out."""
    pairs = params.items() if isinstance(params, Mapping) else params
    query = sorted(((str(name), value) for name, value in pairs if value is not None),
                   key=lambda pair: pair[0])
    parts = [f"origin:{origin}", f"x-npo-date:{date}", f"uri:{API_ROOT}{path}"]
    parts += [f"{name}:{value}" for name, value in query]
    return ",".join(parts)


def sign(key: str, secret: str, *, origin: str, date: str, path: str,
         params: Mapping[str, object] | Iterable[tuple[str, object]] = ()) -> str:
    """The ``Authorization`` value for one request (``path`` is relative to the API root)."""
    message = signing_message(origin, date, path, params)
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    return f"NPO {key}:{base64.b64encode(digest).decode('ascii')}"


def api_path(url_path: str) -> str:
    """The part of a request path under the API root: ``/v1/api/pages/`` → ``/api/pages/``."""
    _, root, rest = url_path.partition(API_ROOT + "/")
    return "/" + rest if root else url_path


class PomsAuth(httpx.Auth):
    """Signs each request at send time. On a 401/403 it asks ``finder`` (when there is one) for
    fresh credentials once, retries once with them, and otherwise raises ``AuthFailed``.
    Concurrent requests share one refresh. The key and secret are registered for redaction.
    AsyncClient only."""

    def __init__(self, key: str, secret: str, origin: str = DEFAULT_ORIGIN,
                 clock: Callable[[], float] = time.time, *,
                 finder: CredentialFinder | None = None) -> None:
        key, secret = key.strip(), secret.strip()
        if not (key and secret) and finder is None:
            raise InvalidInput(f"{LABEL}: no API key and secret are set.", hint=AUTH_HINT)
        secrets.register(key)
        secrets.register(secret)
        self._credentials = PomsCredentials(key, secret) if key and secret else None
        self._origin = origin
        self._clock = clock
        self._finder = finder
        self._lock = asyncio.Lock()

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("PomsAuth refreshes credentials asynchronously; use an httpx.AsyncClient")

    async def async_auth_flow(
            self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        credentials = await self._current()
        self._sign(request, credentials)
        response = yield request
        if response.status_code not in _REFUSED:
            return
        renewed = await self._renew(credentials, response.status_code)
        if renewed is None:
            raise _refused(response.status_code, retried=False)
        self._sign(request, renewed)
        response = yield request
        if response.status_code in _REFUSED:
            raise _refused(response.status_code, retried=True)

    def _sign(self, request: httpx.Request, credentials: PomsCredentials) -> None:
        date = npo_date(self._clock())
        request.headers["Authorization"] = sign(
            credentials.key, credentials.secret, origin=self._origin, date=date,
            path=api_path(request.url.path), params=request.url.params.multi_items())
        request.headers["X-NPO-Date"] = date
        request.headers["Origin"] = self._origin

    async def _current(self) -> PomsCredentials:
        if self._credentials is None and self._finder is not None:
            async with self._lock:
                if self._credentials is None:
                    self._credentials = await self._finder.credentials()
        if self._credentials is None:
            raise AuthFailed(LABEL, "no API key and secret are set, and none were found published",
                             hint=AUTH_HINT)
        return self._credentials

    async def _renew(self, refused: PomsCredentials, status: int) -> PomsCredentials | None:
        """Credentials to retry with, or None when there are none better than ``refused``."""
        async with self._lock:
            if self._credentials is not None and self._credentials != refused:
                return self._credentials  # renewed by a concurrent request meanwhile
            if self._finder is None:
                return None
            log.info("%s: the key was refused (HTTP %d); looking for a published one", LABEL, status)
            found = await self._finder.refresh()
            if found is None or found == refused:
                return None
            self._credentials = found
            return found


def _refused(status: int, *, retried: bool) -> AuthFailed:
    again = ", also after fetching them again" if retried else ""
    return AuthFailed(LABEL, f"refused the API key and secret (HTTP {status}){again}",
                      status=status, hint=AUTH_HINT)


def auth_for(key: str, secret: str, *, origin: str = DEFAULT_ORIGIN,
             finder: CredentialFinder | None = None) -> PomsAuth:
    """The gateway's auth hook for the user's key and secret (and an optional finder)."""
    return PomsAuth(key, secret, origin, finder=finder)


# --- published credentials -------------------------------------------------------------------


class TextPages(Protocol):
    """What the finder needs from the cinema.nl gateway: text by path, relative to
    ``base_url`` (``ProviderGateway.get_text``)."""

    base_url: str

    async def get_text(self, path: str, params: Params | None = None, *,
                       use_cache: bool = False) -> str | None: ...


def published_credentials(text: str) -> tuple[str | None, str | None]:
    """The key (``vpronlApiKey``, else ``npoApiKey``) and ``vpronlSecret`` values a page or
    script assigns, each None when absent."""
    keys = {name: value for name, value in reversed(_PUBLISHED_KEY.findall(text))}
    secret = _PUBLISHED_SECRET.search(text)
    return keys.get("vpronlApiKey") or keys.get("npoApiKey"), secret[1] if secret else None


def script_paths(html: str, page_path: str, base_url: str) -> list[str]:
    """Paths (relative to ``base_url``) of the scripts a page links on the same site, in page
    order; scripts on other hosts are left out."""
    base = base_url.rstrip("/")
    page_url = base + "/" + page_path.lstrip("/")
    site = urlsplit(base)
    paths: list[str] = []
    for src in _SCRIPT_SRC.findall(html):
        url = urlsplit(urljoin(page_url, src.strip()))
        if (url.scheme, url.netloc) != (site.scheme, site.netloc):
            continue
        if not (url.path == site.path or url.path.startswith(site.path.rstrip("/") + "/")):
            continue
        path = url.path[len(site.path.rstrip("/")):] + (f"?{url.query}" if url.query else "")
        if path not in paths:
            paths.append(path)
    return paths


class CredentialFinder:
    """Finds the POMS key and secret NPO's public pages publish (the names NPO's own JS library
    reads: ``npoApiKey``/``vpronlApiKey`` and ``vpronlSecret``), in the pages and the scripts
    they link, through the cinema.nl gateway. Never cached in the response cache (they are
    secrets); found values are kept in memory, ``known`` seeds them (e.g. from the keyring) and
    ``on_found`` hears of new ones. Attempts are at least ``cooldown`` seconds apart."""

    def __init__(self, pages: TextPages, *, page_paths: Sequence[str] = DEFAULT_PAGE_PATHS,
                 cooldown: float = MIN_COOLDOWN, clock: Callable[[], float] = time.monotonic,
                 known: PomsCredentials | None = None, max_scripts: int = MAX_SCRIPTS,
                 on_found: Callable[[PomsCredentials], None] | None = None) -> None:
        if cooldown < MIN_COOLDOWN:
            raise ValueError(f"the cooldown must be at least {MIN_COOLDOWN:g} s")
        if known is not None:
            secrets.register(known.key)
            secrets.register(known.secret)
        self._pages = pages
        self._page_paths = tuple(page_paths)
        self._cooldown = cooldown
        self._clock = clock
        self._found = known
        self._max_scripts = max_scripts
        self._on_found = on_found
        self._last_attempt: float | None = None
        self._lock = asyncio.Lock()

    @property
    def cached(self) -> PomsCredentials | None:
        return self._found

    async def credentials(self) -> PomsCredentials | None:
        """The values found before, else a search (when the cooldown allows one)."""
        return self._found or await self.refresh()

    async def refresh(self) -> PomsCredentials | None:
        """Search the pages again, unless the last attempt began less than ``cooldown`` seconds
        ago; the values found before when it is too soon, or nothing (new) is found."""
        async with self._lock:
            now = self._clock()
            if self._last_attempt is not None and now - self._last_attempt < self._cooldown:
                log.debug("%s: searched for a published key %.0f s ago; not again yet", LABEL,
                          now - self._last_attempt)
                return self._found
            self._last_attempt = now
            try:
                found = await self._search()
            except RemoteError as err:
                log.warning("%s: could not read the pages that publish the key: %s", LABEL,
                            redact(err.user_message))
                return self._found
            if found is None:
                log.warning("%s: no published key and secret were found", LABEL)
                return self._found
            secrets.register(found.key)
            secrets.register(found.secret)
            if found != self._found:
                self._found = found
                if self._on_found is not None:
                    self._on_found(found)
            return found

    async def _search(self) -> PomsCredentials | None:
        key: str | None = None
        secret: str | None = None
        scripts_left = self._max_scripts
        for page in self._page_paths:
            html = await self._pages.get_text(page, use_cache=False)
            if html is None:
                continue
            key, secret = _merge(published_credentials(html), key, secret)
            for script in script_paths(html, page, self._pages.base_url):
                if (key and secret) or scripts_left <= 0:
                    break
                scripts_left -= 1
                text = await self._pages.get_text(script, use_cache=False)
                if text is not None:
                    key, secret = _merge(published_credentials(text), key, secret)
            if key and secret:
                return PomsCredentials(key, secret)
        return None


def _merge(found: tuple[str | None, str | None], key: str | None,
           secret: str | None) -> tuple[str | None, str | None]:
    return key or found[0], secret or found[1]


# --- parsing (pure) --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CinemaPage:
    """One VPRO Cinema page from a ``profile=vprocinema`` search: the Dutch review (sanitised)
    and the facts its relations give. ``appreciation`` is VPRO's 1–10 rating, ``age_rating``
    the Kijkwijzer age ("AL", "12", "16")."""

    kind: MediaKind
    page_id: str
    title: str
    description: str = ""
    url: str = ""
    year: int | None = None
    directors: tuple[str, ...] = ()
    appreciation: int | None = None
    age_rating: str = ""
    genres: tuple[str, ...] = ()
    image_url: str = ""

    def candidate(self) -> Candidate:
        return Candidate(provider=NAME, provider_id=self.page_id, kind=self.kind, title=self.title,
                         year=self.year, summary=self.description,
                         summary_language="nl" if self.description else "",
                         poster_url=self.image_url)


def parse_page(result: object) -> CinemaPage | None:
    """A CinemaPage from one search item's ``result``; None unless it is a MOVIE or SERIES page
    with a title and a url (or id)."""
    if not isinstance(result, dict):
        return None
    kind = _PAGE_KINDS.get(_text(result.get("type")))
    title = _text(result.get("title")).strip()
    url = _text(result.get("url")).strip()
    page_id = url or _text(result.get("id")).strip()
    if kind is None or not title or not page_id:
        return None
    relations = _relations(result.get("relations"))
    appreciation = _integer(_first(relations.get("CINEMA_APPRECIATION", ())))
    return CinemaPage(
        kind=kind, page_id=page_id, title=title, description=_page_description(result), url=url,
        year=_year(_first(relations.get("CINEMA_YEAR", ()))),
        directors=tuple(relations.get("CINEMA_DIRECTOR", ())),
        appreciation=appreciation if appreciation is not None and 1 <= appreciation <= 10 else None,
        age_rating=_first(relations.get("CINEMA_AGERATING", ())).lstrip("_").upper(),
        genres=tuple(_unique(_text(_dict(genre).get("displayName")).strip()
                             for genre in _list(result.get("genres")))),
        image_url=_page_image(result.get("images")),
    )


def parse_pages(data: object) -> list[CinemaPage]:
    """The MOVIE and SERIES pages of a pages search answer, in POMS's order."""
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise BadResponse(LABEL, "sent page search results in an unexpected form")
    pages = (parse_page(_dict(item).get("result")) for item in items)
    return [page for page in pages if page is not None]


def programme_candidate(result: object) -> Candidate | None:
    """A Candidate from one media search ``result`` (a MOVIE or SERIES with a mid and a title):
    title by type (MAIN first), description by type (MAIN, LONG, MEDIUM, SHORT, …)."""
    if not isinstance(result, dict):
        return None
    kind = _MEDIA_KINDS.get(_text(result.get("type")))
    mid = _text(result.get("mid")).strip()
    titles = _typed_texts(result.get("titles"), _TITLE_TYPES)
    if kind is None or not mid or not titles:
        return None
    title = titles[0][1]
    original = next((value for kind_name, value in titles if kind_name == "ORIGINAL"), "")
    descriptions = _typed_texts(result.get("descriptions"), _TEXT_TYPES)
    summary = sanitise_summary(descriptions[0][1]) if descriptions else ""
    alternatives = _unique(value for kind_name, value in titles[1:]
                           if kind_name not in ("LEXICO", "EPISODE"))
    return Candidate(
        provider=NAME, provider_id=mid, kind=kind, title=title,
        original_title=original if original != title else "",
        alternative_titles=tuple(t for t in alternatives if t.casefold() != title.casefold()),
        summary=summary, summary_language="nl" if summary else "",
        poster_url=_media_image(result.get("images")),
    )


def parse_media(data: object) -> list[Candidate]:
    """The MOVIE and SERIES programmes of a media search answer, in POMS's order."""
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise BadResponse(LABEL, "sent media search results in an unexpected form")
    found = (programme_candidate(_dict(item).get("result")) for item in items)
    return [candidate for candidate in found if candidate is not None]


def _page_description(result: dict[str, Any]) -> str:
    """``paragraphs[0].body`` (the review), else the page's ``summary``."""
    paragraphs = _list(result.get("paragraphs"))
    body = _text(_dict(paragraphs[0]).get("body")) if paragraphs else ""
    return sanitise_summary(body) or sanitise_summary(_text(result.get("summary")))


def _relations(value: object) -> dict[str, list[str]]:
    relations: dict[str, list[str]] = {}
    for relation in _list(value):
        kind, text = _text(_dict(relation).get("type")), _relation_value(_dict(relation).get("value"))
        if kind and text:
            relations.setdefault(kind, []).append(text)
    return relations


def _relation_value(value: object) -> str:
    if isinstance(value, bool):
        return ""
    if isinstance(value, int | float):
        return f"{value:g}"
    return _text(value).strip()


def _typed_texts(value: object, order: Sequence[str]) -> list[tuple[str, str]]:
    """(type, text) of ``titles``/``descriptions`` entries, by ``order`` of type, then as sent."""
    rank = {name: i for i, name in enumerate(order)}
    entries = [(_text(_dict(entry).get("type")), _text(_dict(entry).get("value")).strip())
               for entry in _list(value)]
    entries = [(kind, text) for kind, text in entries if text]
    return sorted(entries, key=lambda entry: rank.get(entry[0], len(rank)))


def _page_image(value: object) -> str:
    for image in _list(value):
        url = _text(_dict(image).get("url")).strip()
        host = urlsplit(url).hostname or ""
        if url.startswith(("https://", "http://")) and not host.endswith(_DEAD_IMAGE_HOSTS):
            return url
    return ""


def _media_image(value: object) -> str:
    for image in _list(value):
        found = _IMAGE_URN.match(_text(_dict(image).get("imageUri")).strip())
        if found:
            return _POMS_IMAGE.format(found[1])
    return ""


def _year(value: str) -> int | None:
    found = _YEAR.match(value)
    return int(found[1]) if found else None


def _integer(value: str) -> int | None:
    try:
        return round(float(value))
    except (ValueError, OverflowError):  # not a number, NaN or infinite
        return None


def _first(values: Sequence[str]) -> str:
    return values[0] if values else ""


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        if value and value.casefold() not in seen:
            seen[value.casefold()] = value
    return list(seen.values())


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


# --- the provider ----------------------------------------------------------------------------


class PomsProvider:
    """NPO POMS as a ``Provider``, behind a ``ProviderGateway`` whose auth is a ``PomsAuth``.
    Every summary it gives is Dutch, whatever ``language`` is asked."""

    name = NAME
    kinds = KINDS

    def __init__(self, gateway: ProviderGateway, *, max_results: int = SEARCH_MAX) -> None:
        self._gateway = gateway
        self._max = max_results

    async def search(self, title: str, year: int | None, kind: MediaKind,
                     language: str) -> list[Candidate]:
        """VPRO Cinema pages for ``title`` (one request); for a show without one, NPO
        programmes (one more). ``year`` is not sent: POMS's text search has no year filter."""
        if kind not in KINDS or not title.strip():
            return []
        found = [page.candidate() for page in await self.search_pages(title, kind)]
        if not found and kind is MediaKind.SHOW:
            found = await self.search_programmes(title, kind)
        return found

    async def search_pages(self, title: str, kind: MediaKind) -> list[CinemaPage]:
        """VPRO Cinema pages of ``kind`` matching ``title``, POMS's best first."""
        if kind not in KINDS or not title.strip():
            return []
        form = {"highlight": True, "searches": {"text": title.strip()},
                "facets": {"types": {"include": _PAGE_TYPES[kind]}}}
        data = await self._gateway.post_json(PAGES_PATH, form, {"profile": PROFILE, "max": self._max},
                                             use_cache=True, cache_ttl=SEARCH_TTL)
        if data is None:
            return []
        return [page for page in parse_pages(data) if page.kind is kind]

    async def search_programmes(self, title: str, kind: MediaKind) -> list[Candidate]:
        """NPO programmes (media) of ``kind`` matching ``title``, POMS's best first."""
        if kind not in KINDS or not title.strip():
            return []
        data = await self._gateway.post_json(MEDIA_PATH, {"searches": {"text": title.strip()}},
                                             {"max": self._max}, use_cache=True, cache_ttl=SEARCH_TTL)
        if data is None:
            return []
        return [candidate for candidate in parse_media(data) if candidate.kind is kind]

    async def lookup(self, ids: ExternalIds, kind: MediaKind, language: str) -> Candidate | None:
        """Always None: POMS cannot be searched by IMDb, TMDB or TheTVDB id."""
        return None

    async def details(self, candidate: Candidate, language: str) -> Candidate:
        """The candidate as it is: a search result already carries the whole description."""
        return candidate

    async def episode_summaries(self, candidate: Candidate,
                                language: str) -> dict[tuple[int, int], str]:
        """None: VPRO Cinema reviews whole films and series."""
        return {}
