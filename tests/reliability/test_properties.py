"""Property-based tests (hypothesis) over untrusted input (issue 8): every parser of outside
data — Plex's JSON, each provider's JSON, cinema.nl's HTML — returns a value or raises
BadResponse for any input, never another exception; what they return is safe to put in a URL
path; normalisation, sanitising and scoring hold up against any text."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curator.domain.errors import BadResponse, InvalidInput
from curator.domain.models import Candidate, ExternalIds, MediaKind
from curator.domain.scoring import MatchQuery, rank, score_candidate
from curator.domain.text import normalise, sanitise_summary
from curator.net.http import create_client
from curator.plex import parse as plex_parse
from curator.plex.client import PlexClient
from curator.providers import cinema_nl, fanart, omdb, poms, tmdb, tvdb, tvmaze
from curator.services.review import parse_external_id

FAST = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Keys the parsers look for, so that generated documents reach deep into them.
KEYS = [
    "MediaContainer", "Metadata", "Directory", "Guid", "Field", "Media", "Part", "ratingKey", "type", "title",
    "key", "id", "name", "results", "movie_results", "tv_results", "overview", "release_date",
    "first_air_date", "data", "series", "movie", "image_url", "year", "translations", "overviewTranslations",
    "episodes", "links", "next", "seasonNumber", "number", "summary", "show", "Search", "Response", "Error",
    "imdbID", "Title", "Year", "Type", "Plot", "movieposter", "lang", "likes", "url", "items", "result",
    "titles", "descriptions", "value", "mid", "objectType", "remote_ids", "sourceName", "externalIds",
    "tvdb_id", "imdb_id", "totalSize", "offset", "librarySectionID", "machineIdentifier", "score", "aliases",
    "_embedded", "seasons", "premiered", "externals", "thetvdb", "imdb", "season", "image", "medium",
    "original", "Poster", "imdbVotes", "language", "file", "locked", "friendlyName", "version", "tvdb",
    "external_ids", "poster_path", "popularity", "vote_count", "original_title", "original_language",
]
# Values that are nearly right: ids with tricks in them, dates, HTML, numbers as text.
TRICKY = [
    "1", "603", "tt0133093", "tt0133093/../x", "1/../../account", "2001-02-03", "1999", "movie", "show",
    "series", "episode", "en", "eng", "nl", "N/A", "True", "False", "10,000", "<p>Plot<script>x()</script></p>",
    "\x00\x1b[31m", "²", "-1", "1e9", "", " ", "https://image.tmdb.org/t/p/w500/x.jpg",
]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**63, 2**63), st.floats(allow_nan=True),
                    st.text(max_size=16), st.sampled_from(TRICKY))
json_like = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=6)), inner, max_size=6)),
    max_leaves=30)

PARSERS: dict[str, Callable[[Any], Any]] = {
    "plex.server": lambda data: plex_parse.parse_server(data, "http://127.0.0.1:32400"),
    "plex.sections": plex_parse.parse_sections,
    "plex.item_list": plex_parse.parse_item_list,
    "plex.metadata": plex_parse.parse_metadata,
    "tmdb.search": lambda data: tmdb.parse_search(data, MediaKind.MOVIE, "en"),
    "tmdb.search_tv": lambda data: tmdb.parse_search(data, MediaKind.SHOW, "nl-NL"),
    "tmdb.find": lambda data: tmdb.parse_find(data, MediaKind.MOVIE, "en"),
    "tmdb.details": lambda data: tmdb.parse_details(data, MediaKind.MOVIE, "en"),
    "tmdb.details_tv": lambda data: tmdb.parse_details(data, MediaKind.SHOW, "nl"),
    "tvdb.search": lambda data: tvdb.parse_search(data, MediaKind.SHOW, "en"),
    "tvdb.remote_id": lambda data: tvdb.parse_remote_id(data, MediaKind.MOVIE, "en"),
    "tvdb.translation": tvdb.parse_translation,
    "tvdb.episode_page": lambda data: tvdb.parse_episode_page(data, "eng"),
    "tvmaze.show": tvmaze.parse_show,
    "tvmaze.search": tvmaze.parse_search,
    "tvmaze.seasons": tvmaze.parse_season_summaries,
    "tvmaze.episodes": tvmaze.parse_episode_summaries,
    "omdb.title": omdb.parse_title,
    "omdb.search": omdb.parse_search,
    "omdb.error": omdb.error_of,
    "fanart.artwork": lambda data: fanart.parse_artwork(data, "en"),
    "poms.pages": poms.parse_pages,
    "poms.page": poms.parse_page,
    "poms.media": poms.parse_media,
}

SERVICES = {"Plex", "TMDB", "TheTVDB", "TVmaze", "OMDb", "fanart.tv", "NPO POMS"}
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
UNSAFE_IN_A_PATH = re.compile(r"[/?#%\\\s\x00-\x1f]|\.\.")


def candidates_in(value: Any) -> Iterator[Candidate]:
    if isinstance(value, Candidate):
        yield value
    elif isinstance(value, list | tuple):
        for element in value:
            yield from candidates_in(element)


def assert_safe(candidate: Candidate) -> None:
    """What may go into a URL path later is plain; what may reach Plex has no control codes."""
    assert candidate.provider_id and not UNSAFE_IN_A_PATH.search(candidate.provider_id), candidate.provider_id
    assert candidate.ids.imdb is None or re.fullmatch(r"tt\d{5,10}", candidate.ids.imdb)
    for number in (candidate.ids.tmdb, candidate.ids.tvdb):
        assert number is None or (type(number) is int and number >= 0)
    assert not CONTROL.search(candidate.summary)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=json_like)
def test_parsers_return_safe_values_or_bad_response(data: Any) -> None:
    """Every parser gets every generated document (generating them is the slow part)."""
    for name, parse in PARSERS.items():
        try:
            value = parse(data)
        except BadResponse as err:
            assert str(err).split(":", 1)[0] in SERVICES, (name, str(err))
            continue
        for candidate in candidates_in(value):
            assert_safe(candidate)


html_pieces = st.sampled_from([
    "<li>", "</li>", "<a href='/db/12345-amelie'>", "<a href=\"https://www.cinema.nl/db/9-x/\">", "</a>",
    "<h3>", "</h3>", "<h1>Amélie</h1>", "Film · 2001", "Serie (1999)", "★★★", "4 sterren", "<blockquote>",
    "</blockquote>", "<article>", "<meta property='og:description' content='Een film.'>",
    "<a href='https://www.imdb.com/title/tt0211915/'>IMDb</a>", "<img src='/plaatjes/x.jpg'>", "<script>",
    "</script>", "Kijkwijzer 12", "<p class='description'>", "&amp;", "<", ">", "\x00",
])
html_like = st.lists(st.one_of(html_pieces, st.text(max_size=12)), max_size=40).map("".join)


@FAST
@given(html=html_like)
def test_cinema_nl_pages_parse_or_fail_as_bad_response(html: str) -> None:
    try:
        cards = cinema_nl.parse_search_page(html)
        page = cinema_nl.parse_film_page(html, page_url="https://www.cinema.nl/db/1-x")
    except BadResponse:
        return
    for card in cards:
        assert_safe(cinema_nl.card_candidate(card))
    assert page.imdb is None or re.fullmatch(r"tt\d{5,10}", page.imdb)


hostile_text = st.text(alphabet=st.one_of(st.characters(codec="utf-8"),
                                          st.sampled_from(list("<>&;/#\n\r\t\x00\x1b\x7f\x85\u2028"))), max_size=80)


@FAST
@given(text=hostile_text)
def test_sanitised_text_is_plain_and_stable(text: str) -> None:
    once = sanitise_summary(text)
    assert not CONTROL.search(once)
    assert once == once.strip()
    if "&" not in text:  # an escaped tag (&lt;b&gt;) becomes text that looks like a tag
        assert sanitise_summary(once) == once


@FAST
@given(text=hostile_text, other=hostile_text, year=st.one_of(st.none(), st.integers(1800, 2100)))
def test_normalisation_and_scoring_hold_for_any_text(text: str, other: str, year: int | None) -> None:
    normal = normalise(text)
    assert normalise(normal) == normal
    query = MatchQuery(title=text, year=year, kind=MediaKind.MOVIE, ids=ExternalIds())
    candidates = [Candidate(provider="tmdb", provider_id=str(n), kind=MediaKind.MOVIE, title=title, year=year)
                  for n, title in enumerate((text, other, normal), start=1)]
    for candidate in candidates:
        assert 0.0 <= score_candidate(query, candidate).value <= 1.0
    ranked = rank(query, candidates)
    assert [s.score.value for s in ranked] == sorted((s.score.value for s in ranked), reverse=True)


@FAST
@given(typed=st.one_of(hostile_text, st.sampled_from(["tt0133093", "tmdb:603", "tvdb:81189", "imdb tt1234567"])))
def test_typed_ids_are_understood_or_refused(typed: str) -> None:
    try:
        ids = parse_external_id(typed)
    except InvalidInput:
        return
    assert ids
    assert ids.imdb is None or re.fullmatch(r"tt\d{5,10}", ids.imdb)
    assert all(n is None or (type(n) is int and n >= 0) for n in (ids.tmdb, ids.tvdb))


@FAST
@given(guids=st.lists(st.one_of(hostile_text, st.sampled_from(
    ["imdb://tt0133093", "tmdb://603", "tvdb://81189", "com.plexapp.agents.imdb://tt0133093?lang=en",
     "tmdb://603/../x", "tvdb://²", "plex://movie/5d776"])), max_size=4))
def test_external_ids_from_guids_never_fail(guids: list[str]) -> None:
    ids = ExternalIds.from_guids(guids)
    assert all(n is None or (type(n) is int and n >= 0) for n in (ids.tmdb, ids.tvdb))


class _NoNetwork(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise AssertionError(f"a request was sent: {request.url}")


@pytest.mark.asyncio
@FAST
@given(key=st.one_of(hostile_text, st.integers().map(str)))
async def test_only_plain_digits_pass_as_a_rating_key(key: str) -> None:
    async with create_client(transport=_NoNetwork()) as http:
        client = PlexClient(http, "http://127.0.0.1:9", "token-0000", client_identifier="reliability")
        if re.fullmatch(r"[0-9]+", key):
            return
        with pytest.raises(InvalidInput):
            await client.metadata(key)
