"""A fake cinema.nl: a search page and film pages in HTML, for the Dutch demo films and a few
international ones, with Dutch descriptions written for this fake (not the catalogue's Dutch
summaries, not the fake POMS reviews), so a test can tell which source a summary came from.

- ``GET /zoeken?q=<title> <year>&model=cinema``: cards in ``ul.CardList > li.CardList-item``
  (title, ``film • YYYY •``, ``n van 5``), plus a news card that is not a film. A trailing year
  in ``q`` puts that year's films first.
- ``GET /db/<id>-<slug>``: the film page (h1, ``film • YYYY``, ``n van 5 sterren``, Kijkwijzer,
  IMDb link, poster, an "Afbeeldingen" section). The slug has no diacritics: any other slug,
  one with diacritics included, is a 404, as on cinema.nl.
- The description sits where the film's ``layout`` puts it, one film per place the scraper
  looks: a review quote (blockquote), an article paragraph, an intro element, only the meta
  description, only og:description.

Knobs: a CAPTCHA (bot challenge) page, a short "access denied" page, pages without any
description element, and search cards linked with diacritics in the slug. Default limit 2
requests a second per client (then 429). Ids are invented (9,500,000 + n); images are tiny PNGs
under ``/images/`` (or at ``image_origin``).
"""

from __future__ import annotations

import html
import re
import threading
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import quote, unquote

from curator.demo import catalogue
from curator.demo.catalogue import Work
from curator.demo.loopback import Request, Response
from curator.demo.providers.ratelimit import RateLimit
from curator.demo.providers.service import FakeService, Params, Route, retry_after_header, status_phrase
from curator.demo.providers.world import World, slug

HTML_TYPE = "text/html; charset=utf-8"
FIRST_ID = 9_500_000
MAX_CARDS = 10
Layout = Literal["quote", "article", "intro", "meta", "og"]
WallPage = Literal["captcha", "blocked"]


@dataclass(frozen=True, slots=True)
class CinemaFilm:
    """A film (or series) as the fake cinema.nl shows it. ``title`` is the Dutch release title
    (accents kept: the slug drops them); ``text`` the description, ``quote`` a review excerpt
    shown above it (layout "quote" only)."""

    work_key: str
    number: int
    title: str
    layout: Layout
    stars: int
    age: str
    text: str
    quote: str = ""

    @property
    def cinema_id(self) -> int:
        return FIRST_ID + self.number

    @property
    def ref(self) -> str:
        return f"{self.cinema_id}-{slug(self.title)}"

    @property
    def description(self) -> str:
        """What a scraper following cinema.nl's priority order should find."""
        return self.quote if self.layout == "quote" else self.text


FILMS: tuple[CinemaFilm, ...] = (
    CinemaFilm(
        "movie/zwartboek-2006", 1, "Zwartboek", "quote", 4, "16",
        "Den Haag, laatste oorlogswinter. Rachel Stein duikt na een verraden vluchtpoging onder bij het "
        "verzet en wordt ingezet om een SD-officier te verleiden. Verhoeven maakt van de bevrijding geen "
        "feest maar een afrekening, waarin goed en fout voortdurend van plaats wisselen.",
        quote="Paul Verhoeven keert terug naar Nederland met een oorlogsthriller die geen helden kent, "
              "alleen overlevers.",
    ),
    CinemaFilm(
        "movie/turks-fruit-1973", 2, "Turks fruit", "article", 4, "16",
        "Beeldhouwer Eric ontmoet Olga als hij liftend door Amsterdam zwerft, en vanaf dat moment draait "
        "zijn leven om haar. Verhoeven filmt de roman van Jan Wolkers als een rauwe, ongegeneerde "
        "liefdesgeschiedenis die eindigt aan een ziekbed.",
    ),
    CinemaFilm(
        "movie/soldaat-van-oranje-1977", 3, "Soldaat van Oranje", "quote", 4, "12",
        "Erik Lanshof en zijn Leidse studievrienden worden in mei 1940 ruw uit hun ontgroeningsroes "
        "gewekt. Waar de een kiest voor Londen en de ander voor de bezetter, toont Verhoeven hoe toeval "
        "en karakter bepalen aan welke kant iemand belandt.",
        quote="Een jongensboek over verzet en vriendschap, gefilmd met de zwier van een Hollywoodavontuur.",
    ),
    CinemaFilm(
        "movie/karakter-1997", 4, "Karakter", "intro", 4, "12",
        "Jacob Katadreuffe groeit op in de schaduw van deurwaarder Dreverhaven, de vader die hem nooit "
        "erkent maar hem wel overal dwarszit. Mike van Diem verfilmt de roman van Bordewijk als een "
        "somber, strak gestileerd duel tussen twee koppige mannen.",
    ),
    CinemaFilm(
        "movie/de-aanslag-1986", 5, "De aanslag", "quote", 3, "12",
        "Anton Steenwijk is twaalf als in januari 1945 voor het huis van de buren een politieman wordt "
        "neergeschoten. De represaille kost hem zijn ouders en zijn broer; pas tientallen jaren later "
        "hoort hij in toevallige ontmoetingen wat er die avond gebeurde.",
        quote="Fons Rademakers bewijst dat een oorlogsfilm vooral over de jaren erna kan gaan.",
    ),
    CinemaFilm(
        "movie/amelie-2001", 6, "Amélie", "article", 3, "AL",
        "Serveerster Amélie Poulain vindt in haar Parijse appartement een blikken doosje met "
        "jeugdschatten van een vorige bewoner en besluit het terug te bezorgen. Daarna kan ze het niet "
        "meer laten: ongezien grijpt ze in in de levens van buren en collega's.",
    ),
    CinemaFilm(
        "movie/spirited-away-2001", 7, "De reis van Chihiro", "quote", 5, "6",
        "Op weg naar hun nieuwe huis belanden de tienjarige Chihiro en haar ouders in een verlaten "
        "pretpark. Als de ouders in varkens veranderen, moet Chihiro in een badhuis voor geesten werken "
        "om hen te redden, en om haar eigen naam niet te vergeten.",
        quote="Hayao Miyazaki schept een geestenwereld die tegelijk betoverend en beangstigend is.",
    ),
    CinemaFilm(
        "movie/the-matrix-1999", 8, "The Matrix", "intro", 4, "16",
        "Programmeur Thomas Anderson leidt een dubbelleven als hacker Neo, tot de raadselachtige "
        "Morpheus hem laat zien dat de werkelijkheid een computersimulatie is. De Wachowski's maken van "
        "cyberpunk, kungfu en filosofie een actiefilm die het genre jarenlang bepaalde.",
    ),
    CinemaFilm(
        "movie/solaris-1972", 9, "Solaris", "meta", 5, "12",
        "Psycholoog Kris Kelvin moet op een ruimtestation boven de planeet Solaris beslissen of het "
        "onderzoek wordt gestaakt. De oceaan van de planeet wekt herinneringen tot leven: ook zijn "
        "vrouw, die jaren eerder stierf, staat ineens in zijn hut.",
    ),
    CinemaFilm(
        "movie/nosferatu-1922", 10, "Nosferatu", "og", 5, "12",
        "Makelaar Hutter reist naar de Karpaten om graaf Orlok een huis in zijn eigen stad te verkopen. "
        "Murnaus stomme film laat de vampier als een schaduw door de beelden glijden, met de pest in "
        "zijn kielzog.",
    ),
    CinemaFilm(
        "show/tegenlicht-2002", 11, "Tegenlicht", "article", 4, "AL",
        "Wekelijkse documentaireserie van de VPRO over de mensen en ideeën die de toekomst vormgeven, "
        "van technologie en economie tot klimaat en stedenbouw. Elke aflevering zoekt voorbij het nieuws "
        "naar de onderstromen die de samenleving veranderen.",
    ),
)
_COUNTRIES = {"nl": "Nederland", "en": "Verenigde Staten", "fr": "Frankrijk", "ja": "Japan", "de": "Duitsland",
              "ru": "Sovjet-Unie"}
_YEAR_AT_END = re.compile(r"^(?P<title>.*\S)\s+(?P<year>(?:18|19|20)\d{2})$")

_WALLS: dict[WallPage, bytes] = {
    # A bot challenge as a CDN serves it: no content, a challenge widget and script.
    "captcha": (
        b"<!DOCTYPE html><html lang=\"en-US\"><head><title>Just a moment...</title></head><body>"
        b"<div class=\"main-wrapper\"><h1>www.cinema.nl</h1><p>Verify you are human by completing the "
        b"action below.</p><div class=\"cf-turnstile\" data-sitekey=\"demo-not-a-key\"></div></div>"
        b"<script src=\"/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1\"></script></body></html>"
    ),
    # A firewall's short refusal.
    "blocked": (
        b"<html><head><title>Access Denied</title></head><body><h1>Access Denied</h1>"
        b"<p>Your requests have been blocked.</p></body></html>"
    ),
}


@dataclass(slots=True, eq=False)
class _Wall:
    page: WallPage
    status: int
    remaining: int | None


class FakeCinemaNl(FakeService):
    name = "cinema_nl"
    image_prefixes = ("/images/",)
    default_rate = RateLimit(2, 1.0)

    def __init__(self, world: World, *, image_origin: str | None = None, **options: Any) -> None:
        self._world = world
        self._image_origin = image_origin
        self._films = {film.work_key: film for film in FILMS}
        self._by_id = {film.cinema_id: film for film in FILMS}
        self._wall: _Wall | None = None
        self._no_descriptions = False
        self._accented_links = False
        self._in_flight = 0
        self._peak_in_flight = 0
        self._flight_lock = threading.Lock()
        super().__init__(**options)

    def routes(self) -> list[Route]:
        return [Route("GET", "/zoeken", self._search, public=True),
                Route("GET", "/db/{ref}", self._film_page, public=True)]

    def error_response(self, status: int, retry_after: float | None = None) -> Response:
        messages = {404: "Deze pagina bestaat niet (meer).", 429: "Te veel verzoeken. Probeer het zo opnieuw."}
        message = messages.get(status, "Er ging iets mis. Probeer het later opnieuw.")
        body = (f"<!DOCTYPE html><html lang=\"nl\"><head><title>{status} {status_phrase(status)} | Cinema.nl"
                f"</title></head><body><main><h1>{html.escape(message)}</h1><p><a href=\"/\">Naar de voorpagina"
                f"</a></p></main></body></html>")
        return Response(status, body.encode(), HTML_TYPE, retry_after_header(retry_after))

    # -- knobs -----------------------------------------------------------------------------------

    def serve_captcha(self, count: int | None = None, *, status: int = 403) -> None:
        """Answer the next ``count`` requests (None: all, until :meth:`clear_faults`) with a bot
        challenge page, as a CDN does, with ``status``."""
        self._set_wall(_Wall("captcha", status, count))

    def serve_blocked(self, count: int | None = None, *, status: int = 403) -> None:
        """Answer with a short "Access Denied" page, as a firewall does."""
        self._set_wall(_Wall("blocked", status, count))

    def drop_descriptions(self, enabled: bool = True) -> None:
        """Film pages without any description element (no quote, paragraph, intro or meta)."""
        with self._lock:
            self._no_descriptions = enabled

    def link_with_diacritics(self, enabled: bool = True) -> None:
        """Search cards link slugs with the title's diacritics (the page itself answers 404 there)."""
        with self._lock:
            self._accented_links = enabled

    def clear_faults(self) -> None:
        """Also ends a wall page, restores descriptions and plain card links."""
        super().clear_faults()
        with self._lock:
            self._wall = None
            self._no_descriptions = self._accented_links = False

    @property
    def peak_in_flight(self) -> int:
        """The most requests this fake was answering at the same time."""
        with self._flight_lock:
            return self._peak_in_flight

    @property
    def in_flight(self) -> int:
        """Requests being answered now (a client may have its whole answer a moment before the
        fake's thread has finished with it)."""
        with self._flight_lock:
            return self._in_flight

    def reset_counters(self) -> None:
        super().reset_counters()
        with self._flight_lock:
            self._peak_in_flight = self._in_flight

    def film(self, work_key: str) -> CinemaFilm:
        """The page data of a catalogue work (KeyError if cinema.nl has none)."""
        return self._films[work_key]

    def page_url(self, work_key: str) -> str:
        return f"{self.origin}/db/{self.film(work_key).ref}"

    # -- internals -------------------------------------------------------------------------------

    def _set_wall(self, wall: _Wall) -> None:
        if wall.remaining is not None and wall.remaining < 1:
            raise ValueError("count must be at least 1")
        with self._lock:
            self._wall = wall

    def _take_wall(self) -> _Wall | None:
        with self._lock:
            wall = self._wall
            if wall is not None and wall.remaining is not None:
                wall.remaining -= 1
                if wall.remaining == 0:
                    self._wall = None
        return wall

    def _serve(self, handler: Any) -> None:
        with self._flight_lock:
            self._in_flight += 1
            self._peak_in_flight = max(self._peak_in_flight, self._in_flight)
        try:
            super()._serve(handler)
        finally:
            with self._flight_lock:
                self._in_flight -= 1

    def _answer(self, request: Request, route: Route | None, params: Params) -> Response:
        wall = self._take_wall()
        if wall is not None:
            return Response(wall.status, _WALLS[wall.page], HTML_TYPE)
        return super()._answer(request, route, params)

    # -- pages -----------------------------------------------------------------------------------

    def _search(self, request: Request, params: Params) -> Response:
        query = " ".join((request.query.get("q") or "").split())
        found = _YEAR_AT_END.match(query)
        title, year = (found["title"], int(found["year"])) if found else (query, None)
        works = [self._world.work(hit.doc) for hit in self._world.search(title)]
        films = [(work, self._films[work.key]) for work in works if work.key in self._films]
        films.sort(key=lambda pair: pair[0].year != year)  # stable: the year's films first
        with self._lock:
            accented = self._accented_links
        cards = [self._card(work, film, accented) for work, film in films[:MAX_CARDS]]
        if cards:
            cards.append(_news_card(films[0][1]))
        body = (f"<h1>Zoekresultaten</h1>\n<ul class=\"CardList\">\n{''.join(cards)}</ul>" if cards
                else f"<h1>Zoekresultaten</h1>\n<p>Geen resultaten voor \u201c{html.escape(query)}\u201d.</p>")
        return _page(f"Zoeken: {query}", body)

    def _film_page(self, request: Request, params: Params) -> Response:
        number, _, rest = unquote(params["ref"]).partition("-")
        film = self._by_id.get(int(number)) if number.isdigit() else None
        if film is None or f"{number}-{rest}" != film.ref:
            return self.error_response(404)
        work = catalogue.work(film.work_key)
        with self._lock:
            bare = self._no_descriptions
        return _page(film.title, self._film_body(work, film, bare), self._head(film, bare))

    def _card(self, work: Work, film: CinemaFilm, accented: bool) -> str:
        ref = f"{film.cinema_id}-{quote(_accented_slug(film.title))}" if accented else film.ref
        return (f"<li class=\"CardList-item\">\n  <a class=\"Card\" href=\"/db/{ref}\">\n"
                f"    <img src=\"{self._images()}/{film.cinema_id}-card.png\" alt=\"\">\n"
                f"    <h3 class=\"Card-title\">{html.escape(film.title)}</h3>\n"
                f"    <p class=\"Card-meta\">{_kind(work)} • {work.year} • {_country(work)}</p>\n"
                f"    <p class=\"Card-rating\">{film.stars} van 5</p>\n  </a>\n</li>\n")

    def _head(self, film: CinemaFilm, bare: bool) -> str:
        if bare:
            return ""
        teaser = film.text.split(". ")[0].rstrip(".") + "."
        meta = film.text if film.layout == "meta" else teaser
        og = film.text if film.layout == "og" else teaser
        tags = [] if film.layout == "og" else [f"<meta name=\"description\" content=\"{html.escape(meta)}\">"]
        tags.append(f"<meta property=\"og:description\" content=\"{html.escape(og)}\">")
        return "\n".join(tags)

    def _film_body(self, work: Work, film: CinemaFilm, bare: bool) -> str:
        title = html.escape(film.title)
        parts = [
            f"<h1 class=\"Film-title\">{title}</h1>",
            f"<p class=\"Film-meta\">{_kind(work)} • {work.year} • {_country(work)}</p>",
            f"<p class=\"Film-rating\">{film.stars} van 5 sterren</p>",
            f"<img class=\"Film-poster\" src=\"{self._images()}/{film.cinema_id}-poster.png\" alt=\"poster {title}\">",
        ]
        if not bare:
            parts += _description_parts(film)
        facts = [f"<li>{_age(film)}</li>"]
        if work.imdb_id:
            facts.append(f"<li><a href=\"https://www.imdb.com/title/{work.imdb_id}/\">Bekijk op IMDb</a></li>")
        parts.append(f"<ul class=\"Film-facts\">{''.join(facts)}</ul>")
        parts.append(f"<section class=\"Film-images\"><h2>Afbeeldingen</h2><img src=\"{self._images()}/"
                     f"{film.cinema_id}-still-1.png\" alt=\"still uit {title}\"></section>")
        return "<article class=\"Film\">\n" + "\n".join(parts) + "\n</article>"

    def _images(self) -> str:
        return f"{self._image_origin or self.origin}/images"


def _description_parts(film: CinemaFilm) -> list[str]:
    text = html.escape(film.text)
    if film.layout == "quote":
        return [f"<blockquote class=\"Film-quote\"><p>{html.escape(film.quote)}</p><footer>Cinema.nl</footer>"
                f"</blockquote>", f"<div class=\"Film-text\"><p>{text}</p></div>"]
    if film.layout == "article":
        return [f"<div class=\"Film-text\"><p>{text}</p></div>"]
    if film.layout == "intro":
        return ["<p>Een film uit de database van Cinema.nl.</p>", f"<div class=\"Film-intro\">{text}</div>"]
    return ["<p>Meer over deze film volgt.</p>"]  # "meta" and "og": only the head describes it


def _news_card(film: CinemaFilm) -> str:
    href = f"/nieuws/{slug(film.title)}-terug-in-de-bioscoop"
    return (f"<li class=\"CardList-item\">\n  <a class=\"Card\" href=\"{href}\">\n"
            f"    <h3 class=\"Card-title\">{html.escape(film.title)} terug in de bioscoop</h3>\n"
            f"    <p class=\"Card-meta\">nieuws</p>\n  </a>\n</li>\n")


def _page(title: str, body: str, head: str = "") -> Response:
    document = (f"<!DOCTYPE html>\n<html lang=\"nl\">\n<head>\n<meta charset=\"utf-8\">\n"
                f"<title>{html.escape(title)} | Cinema.nl</title>\n{head}\n</head>\n<body>\n"
                f"<header class=\"SiteHeader\"><a href=\"/\">Cinema.nl</a> <nav><a href=\"/films\">Films</a> "
                f"<a href=\"/series\">Series</a></nav></header>\n<main>\n{body}\n</main>\n"
                f"<footer class=\"SiteFooter\"><p>\u00a9 VPRO</p></footer>\n</body>\n</html>\n")
    return Response(200, document.encode(), HTML_TYPE)


def _kind(work: Work) -> str:
    return "film" if work.kind == "movie" else "serie"


def _country(work: Work) -> str:
    return _COUNTRIES.get(work.original_language, "Verenigde Staten")


def _age(film: CinemaFilm) -> str:
    return f"Kijkwijzer: {film.age}" if film.age == "AL" or film.number % 2 else f"Geschikt vanaf {film.age} jaar"


def _accented_slug(title: str) -> str:
    """The title's slug with its diacritics kept: what cinema.nl does not serve."""
    return "-".join(part for part in re.split(r"[^\w]+", title.casefold()) if part)
