"""Untrusted input (issue 8): what providers send is sanitised before it can reach Plex, sizes
are limited, and identifiers from outside — ratingKeys, provider ids, ids the user types — are
validated before they go into a URL path (no request is sent for a bad one)."""

from __future__ import annotations

import re

import httpx
import pytest

from curator.domain.errors import InvalidInput
from curator.domain.models import Candidate, ExternalIds, LibraryItem, MediaKind
from curator.net.http import create_client
from curator.plex.client import PlexClient
from curator.providers import tmdb, tvdb, tvmaze
from curator.providers.base import build_gateway, default_settings
from curator.services.publishing import MAX_SUMMARY_CHARS, PushRequest
from curator.services.review import parse_external_id

from .conftest import SERVER, accept, movie_keys

HOSTILE_SUMMARIES = [
    "<script>alert('x')</script><p>A <b>bold</b> plot.</p><img src=x onerror=alert(1)>",
    "A plot\x00 with\x1b[31m terminal\x07 codes\x7f.",
    "<style>p { display: none }</style>Visible plot.<!-- hidden -->",
    "Line one<br>line two &amp; more&nbsp;text",
]
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
BAD_KEYS = ["../1037", "1037/../../accounts", "1037?X-Plex-Token=x", "1037#", "10 37", " 1037", "1037\n",
            "１０３７", "١٠٣٧", "²", "-1", "", "0x10", "1e3", "1037%2F"]


class Recorder(httpx.AsyncBaseTransport):
    """A transport that records requests and answers none: a request reaching it is a failure."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(599)


@pytest.mark.asyncio
@pytest.mark.parametrize("summary", HOSTILE_SUMMARIES)
async def test_what_reaches_plex_is_plain_text(publisher, plex, summary):
    [key] = await movie_keys(publisher, 1)
    accept(publisher, [key], summary)
    outcome = await publisher.push(PushRequest(key, summary))
    assert outcome.ok, outcome.message
    pushed = plex.summary(key)
    assert pushed and "<" not in pushed and ">" not in pushed
    assert not CONTROL.search(pushed)
    assert "alert" not in pushed and "display" not in pushed and "hidden" not in pushed


@pytest.mark.asyncio
@pytest.mark.parametrize(("summary", "reason"), [
    ("x" * (MAX_SUMMARY_CHARS + 1), f"Refused: the summary is over {MAX_SUMMARY_CHARS} characters."),
    ("<p> </p><script>only code</script>\x00", "Refused: the new summary is empty."),
])
async def test_oversized_or_empty_summaries_are_refused_without_a_request(publisher, plex, summary, reason):
    [key] = await movie_keys(publisher, 1)
    before = plex.request_count()
    outcome = await publisher.push(PushRequest(key, summary))
    assert not outcome.ok and outcome.message == reason
    assert plex.request_count() == before and plex.put_count(key) == 0


def test_provider_text_is_sanitised_when_parsed():
    payload = {"id": 603, "title": "<b>The</b> Matrix", "overview": HOSTILE_SUMMARIES[0],
               "release_date": "1999-03-30", "imdb_id": "tt0133093"}
    candidate = tmdb.parse_details(payload, MediaKind.MOVIE, "en")
    assert candidate.summary == "A bold plot."
    show = tvmaze.parse_show({"id": 1, "name": "Show", "summary": "<p>Plot<script>x()</script></p>"})
    assert show.summary == "Plot"


@pytest.mark.asyncio
@pytest.mark.parametrize("key", BAD_KEYS)
async def test_a_bad_rating_key_never_reaches_a_url(key):
    recorder = Recorder()
    async with create_client(transport=recorder) as http:
        client = PlexClient(http, "http://127.0.0.1:9", "token-0000", client_identifier="reliability")
        item = LibraryItem(rating_key=key, kind=MediaKind.MOVIE, title="x", section_key="1")
        for call in (lambda: client.metadata(key), lambda: client.children(key), lambda: client.all_leaves(key),
                     lambda: client.edit_summary(item, "x"), lambda: client.restore_summary(item, "x", False)):
            with pytest.raises(InvalidInput, match="Not a valid Plex item id"):
                await call()
        section_item = LibraryItem(rating_key="1037", kind=MediaKind.MOVIE, title="x", section_key=key)
        with pytest.raises(InvalidInput, match="Not a valid Plex library section id"):
            await client.edit_summary(section_item, "x")
        with pytest.raises(InvalidInput):
            await client.fetch_page(key, MediaKind.MOVIE, 0, 10)
    assert recorder.requests == []


@pytest.mark.asyncio
@pytest.mark.parametrize("provider_id", [
    "603/../../account", "603?api_key=x", "../603", "6 03", "",
    "²",  # str.isdigit() accepts it, int() refuses it
])
async def test_a_bad_provider_id_never_reaches_a_url(provider_id):
    recorder = Recorder()
    async with create_client(transport=recorder) as http:
        gateway = build_gateway(default_settings({"CURATOR_TMDB_URL": "http://127.0.0.1:9/3"})["tmdb"], http)
        for module, name in ((tmdb, "tmdb"), (tvdb, "tvdb")):
            provider = module.TmdbProvider(gateway) if module is tmdb else module.TvdbProvider(gateway)
            candidate = Candidate(provider=name, provider_id=provider_id, kind=MediaKind.MOVIE, title="x")
            with pytest.raises(InvalidInput, match="cannot fetch details"):
                await provider.details(candidate, "en")
        show = Candidate(provider="tvmaze", provider_id=provider_id, kind=MediaKind.SHOW, title="x")
        maze = tvmaze.TvmazeProvider(gateway)
        assert await maze.episode_summaries(show, "en") == {}
        assert await maze.season_summaries(show) == {}
    assert recorder.requests == []


@pytest.mark.parametrize("typed", ["tt0133093/../../x", "tmdb:603/credits", "tvdb:1?x=1", "603", "tt12",
                                   "tmdb:-5", "imdb:tt0133093 OR 1=1", "", "tmdb:99999999999"])
def test_ids_the_user_types_are_refused_unless_they_are_plain(typed):
    with pytest.raises(InvalidInput, match="Not an id Curator understands"):
        parse_external_id(typed)


@pytest.mark.parametrize(("typed", "ids"), [
    ("tt0133093", ExternalIds(imdb="tt0133093")), ("  TMDB: 603 ", ExternalIds(tmdb=603)),
    ("https://www.imdb.com/title/tt0133093/?ref_=x", ExternalIds(imdb="tt0133093")),
    ("https://www.themoviedb.org/movie/603-the-matrix", ExternalIds(tmdb=603)), ("tvdb:81189", ExternalIds(tvdb=81189)),
])
def test_plain_ids_the_user_types_are_understood(typed, ids):
    assert parse_external_id(typed) == ids


@pytest.mark.parametrize(("make", "value"), [
    (lambda v: ExternalIds.from_guids([f"imdb://{v}"]).imdb, "tt0133093\n"),
    (lambda v: ExternalIds.from_guids([f"imdb://{v}"]).imdb, "tt٠١٣٣٠٩٣"),
    (lambda v: parse_external_id(v).imdb, "tt٠١٣٣٠٩٣"),
    (lambda v: tmdb.parse_details({"id": 1, "title": "X", "imdb_id": v}, MediaKind.MOVIE, "en").ids.imdb,
     "tt٠١٣٣٠٩٣"),
])
def test_imdb_ids_are_plain_ascii_before_they_enter_a_url_path(make, value):
    try:
        imdb = make(value)
    except InvalidInput:
        return
    assert imdb is None or re.fullmatch(r"tt[0-9]{5,10}", imdb), repr(imdb)


def test_the_server_address_refuses_a_token_in_it():
    with pytest.raises(InvalidInput, match="no \\?X-Plex-Token"):
        PlexClient(httpx.AsyncClient(), "http://192.168.1.10:32400/?X-Plex-Token=abcdef", "t", "c")
    assert SERVER  # the shared fixtures' server id is a plain name
