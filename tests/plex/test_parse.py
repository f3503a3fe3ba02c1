"""curator.plex.parse: shapes beyond the recorded samples, and refusal of shapes PMS never sends."""

from __future__ import annotations

import copy

import pytest

from curator.domain.errors import BadResponse
from curator.domain.models import MediaKind
from curator.plex.parse import parse_item_list, parse_metadata, parse_sections, parse_server
from tests.plex.payloads import load_json


def _movie_with_fields(fields):
    """CONSTRUCTED: the recorded movie metadata with a ``Field`` array added. No captured JSON
    body with Field[] exists; the shape follows PLEX_API.md §2 (XML <Field locked="1" name=…/>)."""
    data = copy.deepcopy(load_json("movie_metadata.json"))
    data["MediaContainer"]["Metadata"][0]["Field"] = fields
    return data


def test_locked_summary_field_is_read():
    item = parse_metadata(_movie_with_fields([{"locked": True, "name": "summary"}]))
    assert item is not None
    assert item.locked_fields == frozenset({"summary"})
    assert item.summary_locked


def test_only_locked_fields_count():
    item = parse_metadata(_movie_with_fields([
        {"locked": True, "name": "thumb"},
        {"locked": False, "name": "summary"},
        {"locked": "1", "name": "collection"},
    ]))
    assert item is not None
    assert item.locked_fields == frozenset({"thumb", "collection"})
    assert not item.summary_locked


def test_recorded_movie_has_no_locked_fields():
    item = parse_metadata(load_json("movie_metadata.json"))
    assert item is not None and not item.summary_locked


def test_guids_become_external_ids():
    item = parse_metadata(load_json("movie_metadata.json"))
    assert item is not None
    assert item.guid.startswith("plex://movie/")
    assert all(guid.split("://")[0] in {"imdb", "tmdb", "tvdb"} for guid in item.guids)
    ids = item.external_ids
    assert ids.imdb is not None and ids.imdb.startswith("tt") and ids.tmdb is not None


def test_only_movie_and_show_sections_are_kept():
    data = copy.deepcopy(load_json("library_sections.json"))
    # CONSTRUCTED: a music and a photo section next to the recorded ones.
    data["MediaContainer"]["Directory"] += [
        {"key": "20", "type": "artist", "title": "Music"},
        {"key": "21", "type": "photo", "title": "Photos"},
    ]
    sections = parse_sections(data)
    recorded = load_json("library_sections.json")["MediaContainer"]["Directory"]
    assert [s.key for s in sections] == [d["key"] for d in recorded if d["type"] in ("movie", "show")]
    assert sections[0].agent == "tv.plex.agents.movie" and sections[0].language == "en-US"


def test_listing_skips_kinds_curator_does_not_handle():
    data = copy.deepcopy(load_json("movie_section_all_noGuids_page.json"))
    data["MediaContainer"]["Metadata"][0]["type"] = "clip"  # CONSTRUCTED
    listing = parse_item_list(data)
    assert len(listing.items) == 9


def test_unpaged_listing_becomes_one_whole_page():
    listing = parse_item_list(load_json("show_section_all_type2.json"))
    assert listing.total is None
    page = listing.to_page(requested_offset=50)
    assert (page.offset, page.total, len(page.items)) == (0, 266, 266)


def test_paged_listing_keeps_server_offset():
    page = parse_item_list(load_json("movie_section_all_includeGuids_page.json")).to_page(requested_offset=0)
    assert (page.offset, page.total) == (1, 357)


def test_server_root_gives_a_name():
    # CONSTRUCTED: the attributes of reference server_root.xml that Curator reads, in JSON form.
    data = {"MediaContainer": {"friendlyName": "Living room", "machineIdentifier": "abc123", "version": "1.41.0"}}
    server = parse_server(data, "http://127.0.0.1:32400")
    assert (server.name, server.machine_identifier, server.version) == ("Living room", "abc123", "1.41.0")


def test_empty_metadata_answer_is_none():
    assert parse_metadata({"MediaContainer": {"size": 0}}) is None


def test_numbers_where_strings_are_usual_are_accepted():
    data = {"MediaContainer": {"Metadata": [{"ratingKey": 12, "type": "movie", "title": "X", "librarySectionID": 3,
                                             "year": "1999"}]}}
    item = parse_metadata(data)
    assert item is not None and (item.rating_key, item.section_key, item.year) == ("12", "3", 1999)


@pytest.mark.parametrize("data", [
    None,
    [],
    {"errors": []},
    {"MediaContainer": []},
    {"MediaContainer": {"Metadata": {"ratingKey": "1"}}},
    {"MediaContainer": {"Metadata": ["1"]}},
    {"MediaContainer": {"Metadata": [{"type": "movie", "title": "no key"}]}},
    {"MediaContainer": {"Metadata": [{"ratingKey": "1", "type": "movie", "title": {"nested": 1}}]}},
    {"MediaContainer": {"Metadata": [{"ratingKey": "1", "type": "movie", "Guid": "imdb://tt0000001"}]}},
])
def test_shapes_plex_never_sends_are_bad_responses(data):
    with pytest.raises(BadResponse) as caught:
        parse_item_list(data)
    assert caught.value.service == "Plex"


def test_identity_without_machine_identifier_is_a_bad_response():
    with pytest.raises(BadResponse):
        parse_server({"MediaContainer": {"size": 0}}, "http://127.0.0.1:32400")


def test_metadata_of_an_unhandled_kind_is_a_bad_response():
    with pytest.raises(BadResponse):
        parse_metadata({"MediaContainer": {"Metadata": [{"ratingKey": "5", "type": "track", "title": "Song"}]}})


def test_kinds_of_recorded_elements():
    episodes = parse_item_list(load_json("show_section_all_type4_episodes_includeGuids_page.json")).items
    assert {item.kind for item in episodes} == {MediaKind.EPISODE}
    assert all(item.parent_rating_key and item.index is not None for item in episodes)
