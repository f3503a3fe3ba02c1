"""A fake NPO POMS frontend API (base URL ``…/v1``): VPRO Cinema pages search
(``POST /v1/api/pages/?profile=vprocinema&max=N``) and media search (``POST /v1/api/media``),
in the shapes of the recorded ``poms_*`` payloads and PROVIDERS.md §6's vprocinema field list.

Every API request must carry a valid NPO signature (``Authorization: NPO <key>:<signature>``,
``X-NPO-Date``, ``Origin``), checked here with this module's own HMAC code; a wrong key or
signature is a 401. Beside the API, on the same port, the fake plays the part of cinema.nl for
the credential finder: ``/zoeken`` links scripts, one of which publishes the key and secret
under the names NPO's JS library uses. :meth:`FakePoms.rotate_credentials` changes the accepted
credentials and, unless told otherwise, the published ones.

The VPRO reviews, ratings, cinema.nl ids and the Tegenlicht programme record are ILLUSTRATIVE
DEMO DATA written for this fake (directors are the films' real ones). POMS's error bodies were
never recorded: ``{"status", "message"}`` is an invented stand-in.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from curator.demo.catalogue import Work, WorkKind
from curator.demo.loopback import Request, Response
from curator.demo.providers.ratelimit import RateLimit
from curator.demo.providers.service import (
    FakeService,
    Params,
    Route,
    json_response,
    retry_after_header,
    status_phrase,
)
from curator.demo.providers.world import World, slug, title_in

POMS_API_KEY = "demo-poms-api-key"
POMS_API_SECRET = "demo-poms-api-secret"
API_ROOT = "/v1"
DEFAULT_MAX = 10
MAX_MAX = 240
CINEMA_SITE = "https://www.cinema.nl"
FIRST_CINEMA_ID = 9_500_000

_KINDS: dict[str, WorkKind] = {"MOVIE": "movie", "SERIES": "show"}
_HTML = "text/html; charset=utf-8"
_SCRIPT = "application/javascript; charset=utf-8"


@dataclass(frozen=True, slots=True)
class Review:
    """What VPRO Cinema says about a film: the review, director, 1–10 rating, Kijkwijzer age
    (as POMS writes it: ``"_16"``, ``"AL"``) and genres."""

    text: str
    director: str
    appreciation: int
    age_rating: str
    genres: tuple[str, ...]


#: Reviews of the demo films by work key, written for this fake.
REVIEWS: Mapping[str, Review] = {
    "movie/zwartboek-2006": Review(
        "Paul Verhoeven keert na Hollywood terug naar de bezetting en maakt er een zinderende, "
        "ongemakkelijke thriller van. Carice van Houten draagt de film als Rachel Stein, die zich als "
        "Ellis de Vries in het hol van de leeuw waagt. Niemand is hier helemaal goed of fout, en juist "
        "dat maakt het oorlogsverhaal zo schurend.",
        "Paul Verhoeven", 8, "_16", ("Oorlog", "Thriller")),
    "movie/turks-fruit-1973": Review(
        "Rutger Hauer en Monique van de Ven spelen een liefde die even rauw als teder is. Verhoeven brengt "
        "de roman van Jan Wolkers zonder schroom in beeld: uitbundig, smerig en ontroerend tegelijk. "
        "Een mijlpaal van de Nederlandse film.",
        "Paul Verhoeven", 8, "_16", ("Drama", "Romantiek")),
    "movie/soldaat-van-oranje-1977": Review(
        "Verhoevens oorlogsepos volgt een groep Leidse vrienden van de sociëteit naar het verzet, de "
        "collaboratie en de overtocht naar Engeland. Rutger Hauer is onweerstaanbaar als de avonturier "
        "Erik Lanshof. Groots spektakel, met oog voor de kleine keuzes die het verschil maken.",
        "Paul Verhoeven", 7, "_12", ("Oorlog", "Avontuur")),
    "movie/karakter-1997": Review(
        "Mike van Diem verfilmt Bordewijks roman als een donker, strak gestileerd duel tussen vader en "
        "zoon. Jan Decleir is angstaanjagend als de zwijgzame Dreverhaven; Fedja van Huêt houdt knap stand "
        "als de zoon die zich omhoog werkt. Terecht bekroond met een Oscar.",
        "Mike van Diem", 8, "_12", ("Drama",)),
    "movie/de-aanslag-1986": Review(
        "Fons Rademakers bewerkt de roman van Mulisch tot een film over schuld die nooit verjaart. Derek de "
        "Lint speelt Anton Steenwijk, wiens leven gevormd wordt door één nacht in de hongerwinter. "
        "Ingetogen en beklemmend.",
        "Fons Rademakers", 7, "_12", ("Oorlog", "Drama")),
    "movie/nosferatu-1922": Review(
        "Murnaus ongeautoriseerde Dracula-bewerking is na een eeuw nog altijd huiveringwekkend. Max Schreck "
        "als graaf Orlok, met zijn klauwen en kale schedel, is een beeld dat niemand vergeet. Schaduwen op "
        "de trap, een spookschip en een stad in de greep van de pest.",
        "F.W. Murnau", 9, "_12", ("Horror",)),
    "movie/metropolis-1927": Review(
        "Fritz Langs visioen van een verticale stad, met boven de rijken en onder de arbeiders, legde de "
        "basis voor een eeuw sciencefiction. De machinemens blijft een van de iconische beelden uit de "
        "filmgeschiedenis. De boodschap is naïef, de beelden zijn overweldigend.",
        "Fritz Lang", 9, "AL", ("Sciencefiction", "Drama")),
    "movie/solaris-1972": Review(
        "Tarkovski maakt van Lems roman een trage, filosofische meditatie over herinnering en verlies. "
        "Waar andere ruimtefilms spektakel zoeken, kijkt deze naar binnen. Wie geduld heeft, wordt "
        "beloond met een van de aangrijpendste films over rouw.",
        "Andrej Tarkovski", 9, "_12", ("Sciencefiction", "Drama")),
    "movie/the-matrix-1999": Review(
        "De Wachowski's mengen cyberpunk, kungfu en filosofie tot een film die het actiegenre op zijn kop "
        "zette. De vertraagde kogels van 'bullet time' werden meteen eindeloos nagebootst. Slim, stijlvol "
        "en verrassend speels.",
        "Lana Wachowski, Lilly Wachowski", 8, "_16", ("Actie", "Sciencefiction")),
    "movie/spirited-away-2001": Review(
        "Miyazaki's meesterwerk volgt een mokkend meisje dat in een badhuis voor goden moet werken en daar "
        "opgroeit. Elk shot zit vol vondsten, van een stinkende riviergeest tot de zwijgende Geen Gezicht. "
        "Betoverend voor kinderen en volwassenen.",
        "Hayao Miyazaki", 10, "_6", ("Animatie", "Fantasy")),
    "movie/amelie-2001": Review(
        "Jeunet schildert een sprookjesachtig Montmartre in warm groen en rood. Audrey Tautou is "
        "onweerstaanbaar als de dromerige Amélie, die het geluk van anderen regisseert maar haar eigen "
        "liefde uit de weg gaat. Soms te suikerzoet, nooit zonder charme.",
        "Jean-Pierre Jeunet", 7, "_12", ("Komedie", "Romantiek")),
}


@dataclass(frozen=True, slots=True)
class Programme:
    """An NPO programme as the media search gives it."""

    mid: str
    titles: tuple[tuple[str, str, str], ...]  # (value, owner, type)
    descriptions: tuple[tuple[str, str, str], ...]
    image_id: int


#: NPO programmes of the demo shows by work key, written for this fake.
PROGRAMMES: Mapping[str, Programme] = {
    "show/tegenlicht-2002": Programme(
        "POMS_S_VPRO_9900001",
        (("Tegenlicht", "BROADCASTER", "MAIN"), ("VPRO Tegenlicht", "NPO", "SHORT"),
         ("Tegenlicht", "BROADCASTER", "LEXICO")),
        (("VPRO Tegenlicht onderzoekt wereldwijd hoe technologie, geld en macht de samenleving van morgen "
          "vormen. Elke week spreken vernieuwers, critici en wetenschappers over de vragen die er straks "
          "toe doen.", "BROADCASTER", "MAIN"),
         ("Documentaireserie van de VPRO over de wereld van morgen.", "BROADCASTER", "SHORT")),
        9_900_001),
}


@dataclass(frozen=True, slots=True)
class _Credentials:
    key: str
    secret: str


def signing_message(origin: str, date: str, uri: str, query: Mapping[str, str]) -> str:
    """The text POMS signs for a request as the server receives it (``uri`` includes ``/v1``)."""
    parts = [f"origin:{origin}", f"x-npo-date:{date}", f"uri:{uri}"]
    parts += [f"{name}:{value}" for name, value in sorted(query.items())]
    return ",".join(parts)


def authorization(key: str, secret: str, message: str) -> str:
    """The ``Authorization`` value a client holding ``key`` and ``secret`` must send."""
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()
    return f"NPO {key}:{base64.b64encode(digest).decode('ascii')}"


class FakePoms(FakeService):
    name = "poms"
    image_prefixes = ("/images/",)
    default_rate = RateLimit(5, 1.0)

    def __init__(self, world: World, *, api_key: str = POMS_API_KEY, secret: str = POMS_API_SECRET,
                 **options: Any) -> None:
        self._world = world
        self._accepted = self._published = _Credentials(api_key, secret)
        self._credentials_lock = threading.Lock()
        self._auth_refused = 0
        self._cinema_ids = {key: FIRST_CINEMA_ID + n for n, key in enumerate(REVIEWS, start=1)}
        super().__init__(**options)

    @property
    def url(self) -> str:
        """The POMS base URL a client is configured with: ``http://127.0.0.1:PORT/v1``."""
        return self.origin + API_ROOT

    @property
    def cinema_url(self) -> str:
        """The cinema.nl base URL for the credential finder (the fake's origin)."""
        return self.origin

    # -- knobs and counters ----------------------------------------------------------------------

    def rotate_credentials(self, api_key: str, secret: str, *, publish: bool = True) -> None:
        """Accept only this key and secret from now on; ``publish`` puts them in the script the
        credential page links (False leaves the old values there)."""
        with self._credentials_lock:
            self._accepted = _Credentials(api_key, secret)
            if publish:
                self._published = self._accepted

    @property
    def auth_refused(self) -> int:
        """401s sent for a missing or wrong key or signature."""
        with self._credentials_lock:
            return self._auth_refused

    # -- the service -----------------------------------------------------------------------------

    def routes(self) -> list[Route]:
        return [
            Route("POST", f"{API_ROOT}/api/pages", self._pages),
            Route("POST", f"{API_ROOT}/api/media", self._media),
            Route("GET", "/zoeken", self._search_page, public=True),
            Route("GET", "/static/{name}", self._script, public=True),
        ]

    def authorise(self, request: Request) -> Response | None:
        scheme, _, credential = (request.header("authorization") or "").partition(" ")
        key, separator, signature = credential.rpartition(":")
        origin, date = request.header("origin"), request.header("x-npo-date")
        with self._credentials_lock:
            accepted = self._accepted
        valid = (scheme == "NPO" and separator and origin and date and key == accepted.key
                 and hmac.compare_digest(
                     authorization(key, accepted.secret, signing_message(origin, date, request.path,
                                                                         request.query)),
                     f"NPO {key}:{signature}"))
        if valid:
            return None
        with self._credentials_lock:
            self._auth_refused += 1
        return self.error_response(401)

    def error_response(self, status: int, retry_after: float | None = None) -> Response:
        return json_response({"status": status, "message": status_phrase(status)}, status,
                             retry_after_header(retry_after))

    # -- VPRO Cinema pages -----------------------------------------------------------------------

    def _pages(self, request: Request, params: Params) -> Response:
        if request.query.get("profile") != "vprocinema":
            return _bad_request("only the vprocinema profile is served here")
        limit, form = _limit(request), _form(request)
        if limit is None or form is None:
            return _bad_request("max must be 1 to 240 and the body a JSON search form")
        text, kinds = _search_text(form), _facet_kinds(form)
        hits = [hit for hit in self._world.search(text) if self._world.work(hit.doc).key in REVIEWS]
        hits = [hit for hit in hits if kinds is None or self._world.work(hit.doc).kind in kinds]
        items = [{"score": round(hit.relevance * 10, 3), "highlights": [],
                  "result": self._page(self._world.work(hit.doc))} for hit in hits[:limit]]
        return json_response({"facets": {}, "selectedFacets": {}, "total": len(hits), "offset": 0,
                              "max": limit, "items": items})

    def _page(self, work: Work) -> dict[str, Any]:
        review = REVIEWS[work.key]
        cinema_id = self._cinema_ids[work.key]
        title = title_in(work, "nl")
        return {
            "objectType": "page",
            "type": "MOVIE" if work.kind == "movie" else "SERIES",
            "url": f"{CINEMA_SITE}/db/{cinema_id}-{slug(title)}",
            "broadcasters": [{"id": "VPRO", "value": "VPRO"}],
            "title": title,
            "paragraphs": [{"body": review.text}],
            "relations": [
                {"type": "CINEMA_YEAR", "value": str(work.year)},
                *({"type": "CINEMA_DIRECTOR", "value": name.strip()} for name in review.director.split(",")),
                {"type": "CINEMA_APPRECIATION", "value": str(review.appreciation)},
                {"type": "CINEMA_AGERATING", "value": review.age_rating},
            ],
            "genres": [{"displayName": genre} for genre in review.genres],
            "images": [{"type": "PICTURE", "url": f"{self.origin}/images/{cinema_id}.png", "title": title}],
        }

    # -- NPO programmes --------------------------------------------------------------------------

    def _media(self, request: Request, params: Params) -> Response:
        limit, form = _limit(request), _form(request)
        if limit is None or form is None:
            return _bad_request("max must be 1 to 240 and the body a JSON search form")
        hits = [hit for hit in self._world.search(_search_text(form))
                if self._world.work(hit.doc).key in PROGRAMMES]
        items = [{"score": round(hit.relevance * 10, 3), "highlights": [],
                  "result": _programme(PROGRAMMES[self._world.work(hit.doc).key])} for hit in hits[:limit]]
        return json_response({"total": len(hits), "offset": 0, "max": limit, "items": items})

    # -- the cinema.nl pages that publish the key ------------------------------------------------

    def _search_page(self, request: Request, params: Params) -> Response:
        page = ("<!DOCTYPE html><html lang=\"nl\"><head><meta charset=\"utf-8\"><title>Zoeken | Cinema.nl</title>"
                "<script async src=\"https://www.googletagmanager.com/gtm.js?id=GTM-DEMO\"></script>"
                "<script src=\"/static/app.js\" defer></script>"
                "<script src=\"/static/npo-config.js\"></script>"
                "<script>window.dataLayer = window.dataLayer || [];</script>"
                "</head><body><h1>Zoeken</h1><form action=\"/zoeken\"><input name=\"q\"></form></body></html>")
        return Response(200, page.encode(), _HTML)

    def _script(self, request: Request, params: Params) -> Response:
        if params["name"] == "app.js":
            body = "document.addEventListener('DOMContentLoaded', function () { /* search box */ });\n"
        elif params["name"] == "npo-config.js":
            with self._credentials_lock:
                published = self._published
            body = ("window.NPO_CONFIG = {\n"
                    "  npoApiBaseUrl: \"https://rs.poms.omroep.nl/v1\",\n"
                    f"  vpronlApiKey: \"{published.key}\",\n"
                    f"  vpronlSecret: \"{published.secret}\"\n"
                    "};\n")
        else:
            return Response(404, b"Not Found", _HTML)
        return Response(200, body.encode(), _SCRIPT)


def _programme(programme: Programme) -> dict[str, Any]:
    return {
        "objectType": "group", "mid": programme.mid, "urn": f"urn:vpro:media:group:{programme.image_id}",
        "embeddable": True, "broadcasters": [{"id": "VPRO", "value": "VPRO"}],
        "titles": [{"value": value, "owner": owner, "type": kind} for value, owner, kind in programme.titles],
        "descriptions": [{"value": value, "owner": owner, "type": kind}
                         for value, owner, kind in programme.descriptions],
        "genres": [{"id": "3.0.1.3", "terms": ["Informatief"]}], "countries": [], "languages": [],
        "images": [{"title": programme.titles[0][0], "imageUri": f"urn:vpro:image:{programme.image_id}",
                    "owner": "BROADCASTER", "type": "PICTURE", "highlighted": False, "workflow": "PUBLISHED"}],
        "workflow": "PUBLISHED", "type": "SERIES", "isOrdered": True, "avType": "VIDEO",
    }


def _bad_request(message: str) -> Response:
    return json_response({"status": 400, "message": message}, 400)


def _limit(request: Request) -> int | None:
    raw = request.query.get("max", str(DEFAULT_MAX))
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= MAX_MAX else None


def _form(request: Request) -> dict[str, Any] | None:
    try:
        form = json.loads(request.body or b"{}")
    except ValueError:
        return None
    return form if isinstance(form, dict) else None


def _search_text(form: Mapping[str, Any]) -> str:
    searches = form.get("searches")
    text = searches.get("text") if isinstance(searches, dict) else None
    return text if isinstance(text, str) else ""


def _facet_kinds(form: Mapping[str, Any]) -> frozenset[WorkKind] | None:
    """The kinds the ``types`` facet includes; None when it does not filter."""
    facets = form.get("facets")
    types = facets.get("types") if isinstance(facets, dict) else None
    include = types.get("include") if isinstance(types, dict) else None
    names = [include] if isinstance(include, str) else include if isinstance(include, list) else None
    if names is None:
        return None
    return frozenset(_KINDS[name] for name in names if name in _KINDS)
