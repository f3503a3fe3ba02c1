from __future__ import annotations

import pytest

from curator.domain.models import ExternalIds, LibraryItem, MediaKind


@pytest.mark.parametrize(("guids", "expected"), [
    (("imdb://tt0133093", "tmdb://603", "tvdb://169"), ExternalIds("tt0133093", 603, 169)),
    (("com.plexapp.agents.imdb://tt0133093?lang=en",), ExternalIds(imdb="tt0133093")),
    (("com.plexapp.agents.thetvdb://74205/1/1?lang=en",), ExternalIds(tvdb=74205)),
    (("com.plexapp.agents.themoviedb://603?lang=en",), ExternalIds(tmdb=603)),
    (("plex://movie/5d776b59ad5437001f79c6f8", "local://56939"), ExternalIds()),
    (("imdb://not-an-id", "tmdb://abc"), ExternalIds()),
])
def test_external_ids_from_guids(guids, expected):
    assert ExternalIds.from_guids(guids) == expected


def test_agreement():
    a = ExternalIds(imdb="tt1", tmdb=5)
    assert a.agrees_with(ExternalIds(tmdb=5)) is True
    assert a.agrees_with(ExternalIds(tmdb=6)) is False
    assert a.agrees_with(ExternalIds(tvdb=9)) is None


def test_plex_type_numbers_round_trip():
    for kind in MediaKind:
        assert MediaKind.from_plex_type(kind.plex_type) is kind
    with pytest.raises(ValueError):
        MediaKind.from_plex_type(10)


def test_item_lock_and_unmatched():
    item = LibraryItem("1", MediaKind.MOVIE, "X", guid="local://1", locked_fields=frozenset({"summary"}))
    assert item.summary_locked and item.is_unmatched
    assert not LibraryItem("2", MediaKind.MOVIE, "Y", guid="plex://movie/abc").is_unmatched
