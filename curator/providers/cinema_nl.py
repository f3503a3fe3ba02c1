"""cinema.nl (VPRO's film site): Dutch film descriptions, scraped from its web pages.

A web site, not an API, so every request goes through the provider's gateway at the polite
budget of ``base.default_settings`` (2 pages a second, one at a time); nothing here waits or
retries. Facts: shared/docs/PROVIDERS.md §6 ("cinema.nl and the web-search fallback").

- Search: ``GET /zoeken?q=<title> <year>&model=cinema``. The candidates are the cards
  ``ul.CardList > li.CardList-item a[href^="/db/"]`` (title in h2/h3/h4, year as ``• YYYY •``,
  rating as ``n van 5``); the first :data:`MAX_DETAIL_SCRAPES` are scraped for their details.
- Film page: ``GET /db/<id>-<slug>``; the slug must be free of diacritics or cinema.nl answers
  404. Its description is, in priority order: the first ``<blockquote>`` (a review excerpt) →
  an ``article p`` longer than 100 characters → an element with class intro/description/body/
  review → ``meta[name=description]`` → ``og:description``. A page without any gives a
  candidate with no summary, never an error.
- There is no search by id: ``lookup`` finds nothing. With an IMDb id and a title,
  ``find_by_imdb`` returns the candidate whose page links to that id.
- Bot walls (a CAPTCHA, a Cloudflare challenge, a short "access denied" page) raise
  :class:`Blocked` whatever the HTTP status: it is not retried, counts against the circuit
  breaker, and the provider then skips cinema.nl for :data:`BLOCK_COOLDOWN` seconds.

The cache keeps the facts parsed from a page (a few hundred bytes), not the page (often well
over 100 KB of markup, scripts and navigation), so the SQLite cache stays small and a cache
hit needs no parsing.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from curator.domain.errors import BadResponse
from curator.domain.models import Candidate, ExternalIds, MediaKind
from curator.domain.text import sanitise_summary
from curator.net.gateway import ProviderGateway

log = logging.getLogger(__name__)

NAME = "cinema_nl"
SERVICE = "cinema.nl"
LANGUAGE = "nl"
#: Film pages scraped per search, at most (each is a request at 2 a second).
MAX_DETAIL_SCRAPES = 3
#: Seconds cinema.nl is skipped after it showed a bot wall.
BLOCK_COOLDOWN = 15 * 60.0
#: Search results change as films are added; film pages hardly ever (the cache's default).
SEARCH_TTL = 7 * 24 * 3600.0
#: Posters are taken only from VPRO's image host (not from adverts or trackers on the page).
DEFAULT_IMAGE_ORIGIN = "https://images.vpro.nl"

_PARSER = "html.parser"
_CARD_LINKS = 'ul.CardList > li.CardList-item a[href^="/db/"]'
_HEADINGS = ("h2", "h3", "h4")
_REF = re.compile(r"(\d+)(?:-([^/?#\s]*))?")
_CARD_YEAR = re.compile(r"•\s*((?:18|19|20)\d{2})\s*(?:•|$)")
_CARD_STARS = re.compile(r"\b([0-5])\s*van\s*5\b")
_KIND_AND_YEAR = re.compile(r"\b(film|serie)\s*•\s*((?:18|19|20)\d{2})\b", re.IGNORECASE)
_KIND = re.compile(r"\b(film|serie)\s*•", re.IGNORECASE)
_STARS = re.compile(r"\b([0-5])\s*van\s*5\s*sterren\b", re.IGNORECASE)
_AGE = re.compile(r"(?i:kijkwijzer|leeftijd|geschikt vanaf)[^\d\n]{0,30}?\b(AL|6|9|12|14|16|18)\b")
_IMDB_LINK = re.compile(r"imdb\.com/title/(tt\d{7,10})(?!\d)")
_DESCRIPTION_CLASS = re.compile(r"(?:^|[-_])(?:intro|description|body|review)(?:$|[-_])", re.IGNORECASE)
_NOT_DESCRIPTIONS = frozenset({"html", "head", "body", "meta", "link", "script", "style"})
_LONG_PARAGRAPH = 100
_META_DESCRIPTIONS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("meta", {"name": re.compile(r"^description$", re.IGNORECASE)}),
    ("og", {"property": "og:description"}),
)

# --- bot walls ---------------------------------------------------------------------------

#: Specific signs of a bot wall (lower case): CAPTCHA widgets, Cloudflare's challenge page.
_WALL_MARKERS = (
    "g-recaptcha", "cf-turnstile", "h-captcha", "unusual traffic", "_cf_chl_opt", "cf-chl-",
    "/cdn-cgi/challenge-platform/", "<title>just a moment...</title>", "attention required! | cloudflare",
)
#: Words that mark a block page when the whole page is short (a real page is far longer).
_BLOCK_WORDS = re.compile(r"\b(?:access denied|blocked|automated (?:access|requests)|are you a robot)\b")
_SHORT_PAGE = 5000
#: Signs of a real cinema.nl page (search results or a film), which no bot wall has. A page
#: with them is content, even with a CAPTCHA widget in a form or Cloudflare's detection script.
_CONTENT_MARKERS = ("cardlist", "<article")


class Blocked(BadResponse):
    """cinema.nl answered with a CAPTCHA, a bot challenge or an "access denied" page instead of
    the page asked for. Not retried (asking again only deepens a block)."""

    hint = "Curator skips cinema.nl for a while and uses the other providers."

    def __init__(self, marker: str = "") -> None:
        super().__init__(SERVICE, "blocking automated requests; try again later")
        self.marker = marker


def wall_marker(html: str) -> str:
    """The sign that ``html`` is a bot wall ("" when it is not one)."""
    lowered = html.lower()
    if any(marker in lowered for marker in _CONTENT_MARKERS):
        return ""
    found = next((marker for marker in _WALL_MARKERS if marker in lowered), "")
    if not found and len(html) < _SHORT_PAGE and (words := _BLOCK_WORDS.search(lowered)):
        found = words[0]
    return found


def raise_if_blocked(html: str) -> None:
    """Raise Blocked when ``html`` is a bot wall (the gateway's screen for every answer)."""
    if marker := wall_marker(html):
        raise Blocked(marker)


# --- addresses ---------------------------------------------------------------------------


def strip_diacritics(text: str) -> str:
    """``"Amélie"`` → ``"Amelie"``: accents and other combining marks dropped."""
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def plain_ref(link: str) -> str | None:
    """``<id>-<slug>`` of a film page (from ``/db/…``, a full URL or a bare ref), with the slug
    decoded and stripped of diacritics as cinema.nl wants it; None when it is not a film page."""
    path = unquote(urlsplit(link.strip()).path)
    if path.startswith("/"):
        if not path.startswith("/db/"):
            return None
        path = path[len("/db/"):]
    match = _REF.fullmatch(path.rstrip("/"))
    if match is None:
        return None
    number, slug = match[1], strip_diacritics(match[2] or "")
    return f"{number}-{slug}" if slug else number


# --- parsed pages (pure) -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Card:
    """One search result. ``kind`` is "film", "serie" or "" (not shown)."""

    ref: str
    title: str
    year: int | None = None
    stars: int | None = None
    kind: str = ""

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: object) -> Card | None:
        """From its cached form; None when that is unusable."""
        if not isinstance(data, dict):
            return None
        ref, title = _str(data.get("ref")), _str(data.get("title"))
        if not ref or not title:
            return None
        return cls(ref, title, _int(data.get("year")), _int(data.get("stars")), _str(data.get("kind")))


@dataclass(frozen=True, slots=True)
class FilmPage:
    """What a film page says. ``rating`` is out of 10 (the stars × 2); ``age_rating`` the
    Kijkwijzer age ("AL", "6" … "18"); ``description_source`` which element the description
    came from ("blockquote", "article", "class", "meta", "og", or "" for none)."""

    title: str = ""
    description: str = ""
    description_source: str = ""
    year: int | None = None
    kind: str = ""
    rating: int | None = None
    age_rating: str = ""
    imdb: str | None = None
    poster_url: str = ""

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: object) -> FilmPage:
        """From its cached form; fields that are missing or of the wrong type are left empty."""
        if not isinstance(data, dict):
            return cls()
        imdb = _str(data.get("imdb"))
        return cls(
            title=_str(data.get("title")), description=_str(data.get("description")),
            description_source=_str(data.get("description_source")), year=_int(data.get("year")),
            kind=_str(data.get("kind")), rating=_int(data.get("rating")),
            age_rating=_str(data.get("age_rating")), imdb=imdb or None,
            poster_url=_str(data.get("poster_url")),
        )


def parse_search_page(html: str) -> list[Card]:
    """The film cards of a search page, in its order; links elsewhere and repeats left out."""
    soup = BeautifulSoup(html, _PARSER)
    cards: list[Card] = []
    seen: set[str] = set()
    for link in soup.select(_CARD_LINKS):
        ref = plain_ref(_str(link.get("href")))
        item = link.find_parent("li")
        if ref is None or ref in seen or item is None:
            continue
        title = _text_of(link.find(_HEADINGS) or item.find(_HEADINGS))
        if not title:
            continue
        seen.add(ref)
        text = _text_of(item)
        year, stars, kind = _CARD_YEAR.search(text), _CARD_STARS.search(text), _KIND.search(text)
        cards.append(Card(ref, title, int(year[1]) if year else None, int(stars[1]) if stars else None,
                          kind[1].lower() if kind else ""))
    return cards


def parse_film_page(html: str, *, page_url: str = "", image_origin: str = DEFAULT_IMAGE_ORIGIN) -> FilmPage:
    """The facts of a film page; whatever the page lacks stays empty (never an error).
    ``page_url`` resolves relative image addresses."""
    soup = BeautifulSoup(html, _PARSER)
    for hidden in soup(["script", "style", "noscript", "template"]):
        hidden.decompose()
    heading = soup.find("h1")
    description, source = _description(soup)
    text = soup.get_text(" ")
    kind_year, stars, age = _KIND_AND_YEAR.search(text), _STARS.search(text), _AGE.search(text)
    kind = kind_year[1] if kind_year else (found[1] if (found := _KIND.search(text)) else "")
    return FilmPage(
        title=_text_of(heading),
        description=description,
        description_source=source,
        year=int(kind_year[2]) if kind_year else None,
        kind=kind.lower(),
        rating=int(stars[1]) * 2 if stars else None,
        age_rating=age[1] if age else "",
        imdb=_imdb_id(soup),
        poster_url=_poster(soup, page_url, image_origin),
    )


def card_candidate(card: Card) -> Candidate:
    """A candidate from a search card alone (no description or ids yet)."""
    return Candidate(provider=NAME, provider_id=card.ref, kind=_media_kind(card.kind, MediaKind.MOVIE),
                     title=card.title, year=card.year)


def page_candidate(page: FilmPage, ref: str, known: Candidate) -> Candidate:
    """``known`` (from a card, or the chain) completed with what the film page says."""
    title = page.title or known.title
    alternatives = known.alternative_titles
    if known.title and known.title != title and known.title not in alternatives:
        alternatives = (*alternatives, known.title)
    return dataclasses.replace(
        known, provider=NAME, provider_id=ref, kind=_media_kind(page.kind, known.kind), title=title,
        year=page.year if page.year is not None else known.year, alternative_titles=alternatives,
        ids=dataclasses.replace(known.ids, imdb=page.imdb or known.ids.imdb),
        summary=page.description, summary_language=LANGUAGE if page.description else "",
        poster_url=page.poster_url or known.poster_url,
    )


def _description(soup: BeautifulSoup) -> tuple[str, str]:
    quote = soup.find("blockquote")
    if isinstance(quote, Tag):
        for attribution in quote.find_all(["footer", "cite"]):
            attribution.decompose()
        if text := sanitise_summary(quote.decode_contents()):
            return text, "blockquote"
    for paragraph in soup.select("article p"):
        text = sanitise_summary(paragraph.decode_contents())
        if len(text) > _LONG_PARAGRAPH:
            return text, "article"
    for element in soup.find_all(class_=_DESCRIPTION_CLASS):
        if element.name not in _NOT_DESCRIPTIONS and (text := sanitise_summary(element.decode_contents())):
            return text, "class"
    for source, attrs in _META_DESCRIPTIONS:
        meta = soup.find("meta", attrs=attrs)
        if isinstance(meta, Tag) and (text := sanitise_summary(_str(meta.get("content")))):
            return text, source
    return "", ""


def _imdb_id(soup: BeautifulSoup) -> str | None:
    for link in soup.find_all("a", href=True):
        if found := _IMDB_LINK.search(_str(link.get("href"))):
            return found[1]
    return None


def _poster(soup: BeautifulSoup, page_url: str, image_origin: str) -> str:
    wanted = urlsplit(image_origin).netloc.lower()
    for image in soup.select('img[alt*="poster" i]'):
        source = _str(image.get("src")) or _str(image.get("data-src"))
        url = urljoin(page_url, source.strip()) if source.strip() else ""
        parts = urlsplit(url)
        if parts.scheme in ("https", "http") and parts.netloc.lower() == wanted:
            return url
    return ""


def _media_kind(kind: str, default: MediaKind) -> MediaKind:
    return {"film": MediaKind.MOVIE, "serie": MediaKind.SHOW}.get(kind, default)


def _text_of(element: Any) -> str:
    return " ".join(element.get_text(" ").split()) if isinstance(element, Tag) else ""


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# --- the provider ----------------------------------------------------------------------------


class CinemaNlProvider:
    """cinema.nl as a ``Provider`` (films; its series pages are recognised as shows).

    ``image_origin`` is the only host posters are taken from (VPRO's, unless pointed at a
    fake); ``clock`` and ``block_cooldown`` time the pause after a bot wall.
    """

    name = NAME
    kinds = frozenset({MediaKind.MOVIE})

    def __init__(self, gateway: ProviderGateway, *, image_origin: str = DEFAULT_IMAGE_ORIGIN,
                 clock: Callable[[], float] = time.monotonic, block_cooldown: float = BLOCK_COOLDOWN) -> None:
        self._gateway = gateway
        self._image_origin = image_origin
        self._clock = clock
        self._block_cooldown = block_cooldown
        self._blocked_until = float("-inf")

    async def search(self, title: str, year: int | None, kind: MediaKind,
                     language: str) -> list[Candidate]:
        """Films for ``title`` (and ``year``) in cinema.nl's order; the first
        :data:`MAX_DETAIL_SCRAPES` with their page's description and IMDb id. Dutch only, so
        ``language`` changes nothing."""
        if kind is not MediaKind.MOVIE or not title.strip():
            return []
        return await self._search(title, year)

    async def find_by_imdb(self, title: str, year: int | None, imdb_id: str) -> Candidate | None:
        """Of the films found for ``title``, the one whose page links to ``imdb_id``; None when
        none of the scraped pages does (then the scorer should not guess)."""
        if not title.strip() or not imdb_id:
            return None
        candidates = await self._search(title, year)
        return next((c for c in candidates[:MAX_DETAIL_SCRAPES] if c.ids.imdb == imdb_id), None)

    async def lookup(self, ids: ExternalIds, kind: MediaKind, language: str) -> Candidate | None:
        """cinema.nl cannot be searched by id: always None (see ``find_by_imdb``)."""
        return None

    async def details(self, candidate: Candidate, language: str) -> Candidate:
        """One of our candidates completed from its film page (one request, or the cache).
        Another provider's candidate comes back as it is: there is no search by id."""
        if candidate.provider != NAME:
            return candidate
        return await self._film(candidate.provider_id, candidate)

    async def episode_summaries(self, candidate: Candidate,
                                language: str) -> dict[tuple[int, int], str]:
        return {}

    async def _search(self, title: str, year: int | None) -> list[Candidate]:
        query = f"{title.strip()} {year}" if year is not None else title.strip()
        data = await self._page("/zoeken", _search_payload, {"q": query, "model": "cinema"}, cache_ttl=SEARCH_TTL)
        cards = [card for item in (data if isinstance(data, list) else ())
                 if (card := Card.from_json(item)) is not None]
        detailed = [await self._film(card.ref, card_candidate(card)) for card in cards[:MAX_DETAIL_SCRAPES]]
        return detailed + [card_candidate(card) for card in cards[MAX_DETAIL_SCRAPES:]]

    async def _film(self, ref: str, known: Candidate) -> Candidate:
        plain = plain_ref(ref)
        if plain is None:
            return known
        path = f"/db/{plain}"
        read = functools.partial(_film_payload, page_url=self._gateway.base_url + path,
                                 image_origin=self._image_origin)
        data = await self._page(path, read)
        return page_candidate(FilmPage.from_json(data), plain, known) if data is not None else known

    async def _page(self, path: str, read: Callable[[str], Any], params: dict[str, str] | None = None, *,
                    cache_ttl: float | None = None) -> Any:
        """A parsed page through the gateway; during a block cooldown, Blocked at once."""
        if self._clock() < self._blocked_until:
            raise Blocked("cooldown")
        try:
            return await self._gateway.get_text(path, params, read=read, screen=raise_if_blocked,
                                                cache_ttl=cache_ttl)
        except Blocked as blocked:
            self._blocked_until = self._clock() + self._block_cooldown
            log.warning("cinema.nl is blocking automated requests (%s); skipping it for %.0f s",
                        blocked.marker, self._block_cooldown)
            raise


def _search_payload(html: str) -> list[dict[str, Any]]:
    return [card.to_json() for card in parse_search_page(html)]


def _film_payload(html: str, *, page_url: str, image_origin: str) -> dict[str, Any]:
    return parse_film_page(html, page_url=page_url, image_origin=image_origin).to_json()
