"""TMDB poster URLs: the images endpoint is read for every answer, a poster whose path is not
an image path is never chosen, ties go to the first path in order."""

from __future__ import annotations

from typing import Any

import pytest

from curator.domain.models import MediaKind
from curator.providers.tmdb import parse_details, parse_find, parse_search


def poster(path: Any, language: str | None, votes: float = 5.0, count: int = 10) -> dict[str, Any]:
    return {"file_path": path, "iso_639_1": language, "vote_average": votes, "vote_count": count}


def record(*posters: dict[str, Any]) -> dict[str, Any]:
    return {"id": 603, "title": "The Matrix", "release_date": "1999-03-31", "poster_path": "/own.jpg",
            "images": {"posters": list(posters)}}


def test_the_images_endpoint_is_read_for_every_answer(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CURATOR_TMDB_IMAGES_URL", "https://first.test/p/")
    search = {"results": [{"id": 603, "title": "The Matrix", "poster_path": "/a.jpg"}]}
    assert parse_search(search, MediaKind.MOVIE, "en")[0].poster_url == "https://first.test/p/w342/a.jpg"
    monkeypatch.setenv("CURATOR_TMDB_IMAGES_URL", "https://second.test/p")
    assert parse_search(search, MediaKind.MOVIE, "en")[0].poster_url == "https://second.test/p/w342/a.jpg"
    found = parse_find({"movie_results": search["results"]}, MediaKind.MOVIE, "en")
    assert found is not None and found.poster_url == "https://second.test/p/w342/a.jpg"
    details = parse_details(record(poster("/b.jpg", "en")), MediaKind.MOVIE, "en")
    assert details.poster_url == "https://second.test/p/w342/b.jpg"


@pytest.mark.parametrize("bad_path", [None, 7, "", "no-slash.jpg"])
def test_a_poster_without_an_image_path_is_passed_over(bad_path: Any):
    details = parse_details(record(poster(bad_path, "en", votes=9.9), poster("/second.jpg", "en", votes=1.0)),
                            MediaKind.MOVIE, "en")
    assert details.poster_url.endswith("/w342/second.jpg")


def test_only_bad_paths_leave_the_records_own_poster():
    details = parse_details(record(poster(None, "en"), poster("x.jpg", None)), MediaKind.MOVIE, "en")
    assert details.poster_url.endswith("/w342/own.jpg")


def test_fully_tied_posters_go_to_the_first_path_in_order():
    details = parse_details(record(poster("/zeta.jpg", "en"), poster("/alpha.jpg", "en")), MediaKind.MOVIE, "en")
    assert details.poster_url.endswith("/w342/alpha.jpg")
