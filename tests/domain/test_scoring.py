"""The score: its parts add up, and it orders candidates the way a careful person would."""

from __future__ import annotations

import math

import pytest

from curator.domain.models import Candidate, ExternalIds, LibraryItem, MediaKind
from curator.domain.policy import MatchStatus, decide
from curator.domain.scoring import MatchQuery, Score, rank, score_candidate, title_similarity

MOVIE = MediaKind.MOVIE


def movie(title: str, year: int | None, provider_id: str = "1", *, original_title: str = "",
          ids: ExternalIds | None = None, votes: int = 100, kind: MediaKind = MOVIE) -> Candidate:
    return Candidate(provider="tmdb", provider_id=provider_id, kind=kind, title=title, year=year,
                     original_title=original_title, ids=ids or ExternalIds(), vote_count=votes)


def query(title: str, year: int | None = None, *, ids: ExternalIds | None = None) -> MatchQuery:
    return MatchQuery(title=title, year=year, kind=MOVIE, ids=ids or ExternalIds())


def assert_parts_add_up(score: Score) -> None:
    assert math.isclose(sum(p.contribution for p in score.parts), score.value, abs_tol=1e-12)
    assert math.isclose(sum(p.weight for p in score.parts), 1.0, abs_tol=1e-12)
    for part in score.parts:
        assert math.isclose(part.contribution, part.weight * part.similarity, abs_tol=1e-15)
        assert 0.0 <= part.similarity <= 1.0
    assert 0.0 <= score.value <= 1.0


@pytest.mark.parametrize(
    ("q", "candidate"),
    [
        (query("American President, The", 1995), movie("The American President", 1995)),
        (query("Heat", 1995), movie("Heat", 1986)),
        (query("Heat", None), movie("Heat", 1995)),
        (query("Alien", 1979, ids=ExternalIds(imdb="tt0078748")),
         movie("Alien", 1979, ids=ExternalIds(imdb="tt0078748"))),
        (query("Alien", 1979, ids=ExternalIds(tmdb=348)), movie("Aliens", 1986, ids=ExternalIds(tmdb=679))),
        (query("Totally different", 2001), movie("Nothing alike at all", 1950, votes=0)),
    ],
)
def test_parts_add_up_to_the_score(q: MatchQuery, candidate: Candidate) -> None:
    score = score_candidate(q, candidate)
    assert_parts_add_up(score)
    assert [p.name for p in score.parts][:4] == ["title", "year", "kind", "popularity"]


def test_exact_title_and_year_is_near_certain() -> None:
    score = score_candidate(query("American President, The", 1995), movie("The American President", 1995))
    assert score.value > 0.95
    assert score.part("title").similarity == 1.0
    assert score.part("year").similarity == 1.0


def test_same_title_same_year_beats_a_year_off_by_one() -> None:
    q = query("Sirens", 1994)
    assert score_candidate(q, movie("Sirens", 1994)).value > score_candidate(q, movie("Sirens", 1993)).value


def test_a_year_off_by_one_is_still_a_strong_match_for_a_distinctive_title() -> None:
    score = score_candidate(query("Killing Zoe", 1994), movie("Killing Zoe", 1993))
    assert score.value >= 0.87  # the default floor
    assert score_candidate(query("Killing Zoe", 1994), movie("Killing Zoe", 1991)).value < 0.8


def test_a_year_off_by_one_counts_for_little_on_a_common_title() -> None:
    """Several candidates carry the words of 'The Island': a film of that name a year apart
    is as likely another film as this one, late."""
    candidates = [movie("The Island", 2005, "1"), movie("Shutter Island", 2010, "2"),
                  movie("Treasure Island", 1950, "3"), movie("Nim's Island", 2008, "4"),
                  movie("Cutthroat Island", 1995, "5")]
    ranked = rank(query("The Island", 2006), candidates)
    assert ranked[0].candidate.provider_id == "1"
    assert ranked[0].score.value < 0.87
    alone = rank(query("The Island", 2006), candidates[:1])
    assert alone[0].score.value > ranked[0].score.value


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Bloodsport III", "Bloodsport II"),
        ("Breaking Dawn – Part 1", "Breaking Dawn – Part 2"),
        ("The Twilight Saga: Breaking Dawn - Part 1", "The Twilight Saga: Breaking Dawn - Part 2"),
        ("Rocky IV", "Rocky V"),
        ("2001: A Space Odyssey", "2010: The Year We Make Contact"),
    ],
)
def test_different_sequel_numbers_do_not_look_like_the_same_title(a: str, b: str) -> None:
    assert title_similarity(query(a), movie(b, None)) < 0.6


@pytest.mark.parametrize(
    ("library", "provider"),
    [
        ("American President, The", "The American President"),
        ("Godfather: Part II, The", "The Godfather: Part II"),
        ("Fright Night Part II", "Fright Night Part 2"),
        ("Dr. Dolittle", "Doctor Dolittle"),
        ("Jungle2Jungle", "Jungle 2 Jungle"),
        ("Ghostbusters", "Ghost Busters"),
        ("Léon", "Leon"),
    ],
)
def test_spelling_variants_are_the_same_title(library: str, provider: str) -> None:
    assert title_similarity(query(library), movie(provider, None)) == 1.0


def test_aliases_and_original_titles_are_matched() -> None:
    q = query("Women on the Verge of a Nervous Breakdown (Mujeres al borde de un ataque de nervios)", 1988)
    by_original = movie("Women on the Verge", 1988, original_title="Mujeres al borde de un ataque de nervios")
    assert score_candidate(q, by_original).part("title").similarity == 1.0
    assert title_similarity(query("Hidden (a.k.a. Cache) (Caché)"), movie("Caché", None)) == 1.0


def test_a_part_of_a_title_matches_but_below_a_whole_match() -> None:
    q = query("Star Wars: Episode IV - A New Hope", 1977)
    partial = title_similarity(q, movie("Star Wars", 1977))
    assert 0.4 < partial < 0.8
    assert title_similarity(q, movie("Star Wars: Episode IV - A New Hope", 1977)) == 1.0


def test_parts_never_match_parts() -> None:
    """'Star Trek: X' and 'Star Trek: Y' share their main title but are different films."""
    similarity = title_similarity(query("Star Trek: Insurrection"), movie("Star Trek: Nemesis", None))
    assert similarity < 0.6


def test_a_different_media_type_costs_enough_to_stay_below_the_floor() -> None:
    show = movie("Fargo", 1996, kind=MediaKind.SHOW)
    assert score_candidate(query("Fargo", 1996), show).value < 0.87
    assert score_candidate(query("Fargo", 1996), show).part("kind").similarity == 0.0


def test_popularity_only_breaks_ties() -> None:
    q = query("Emma", 1996)
    obscure, famous = movie("Emma", 1996, "1", votes=3), movie("Emma", 1996, "2", votes=5000)
    ranked = rank(q, [obscure, famous])
    assert [r.candidate.provider_id for r in ranked] == ["2", "1"]
    assert ranked[0].score.value - ranked[1].score.value < 0.03


def test_same_external_id_is_certain_and_ranks_first() -> None:
    ids = ExternalIds(imdb="tt0114814")
    q = query("Usual Suspects, The", 1995, ids=ids)
    by_id = movie("Die üblichen Verdächtigen", 1995, "1", ids=ids)
    by_title = movie("The Usual Suspects", 1995, "2")
    ranked = rank(q, [by_title, by_id])
    assert ranked[0].candidate is by_id
    assert ranked[0].score.ids_agree is True
    verdict = decide(ranked, 0.87, 0.06)
    assert verdict.status is MatchStatus.AUTO and verdict.reason == "certain_id_match"


def test_a_different_id_of_the_same_kind_blocks_auto_accept() -> None:
    q = query("Heat", 1995, ids=ExternalIds(tmdb=949))
    other = movie("Heat", 1995, "5", ids=ExternalIds(tmdb=12345))
    score = score_candidate(q, other)
    assert score.ids_agree is False
    assert score.value < 0.6
    verdict = decide(rank(q, [other]), 0.87, 0.06)
    assert verdict.status is not MatchStatus.AUTO


def test_ids_of_different_kinds_are_not_compared() -> None:
    q = query("Heat", 1995, ids=ExternalIds(imdb="tt0113277"))
    score = score_candidate(q, movie("Heat", 1995, ids=ExternalIds(tmdb=949)))
    assert score.ids_agree is None
    assert score.part("ids") is None


def test_rank_is_best_first_and_stable() -> None:
    q = query("Heat", 1995)
    twins = [movie("Heat", 1995, str(i), votes=10) for i in range(5)]
    worse = movie("Heat Wave", 1990, "9")
    ranked = rank(q, [worse, *twins])
    assert [r.candidate.provider_id for r in ranked] == ["0", "1", "2", "3", "4", "9"]
    assert rank(q, []) == []


def test_explain_lists_the_parts() -> None:
    text = score_candidate(query("Heat", 1995), movie("Heat", 1995)).explain()
    assert text.startswith("title ") and " + year " in text and " + popularity " in text


@pytest.mark.parametrize(
    ("item", "title", "year"),
    [
        (LibraryItem("1", MOVIE, "nosferatu.1922.1080p.bluray.x264"), "nosferatu", 1922),
        (LibraryItem("1", MOVIE, "nosferatu.1922.1080p.bluray.x264", year=1921), "nosferatu", 1921),
        (LibraryItem("1", MOVIE, "Heat", year=1995), "Heat", 1995),
        (LibraryItem("1", MOVIE, "", file_path="/m/Heat (1995)/Heat.1995.mkv"), "Heat", 1995),
    ],
)
def test_query_from_item_reads_file_names(item: LibraryItem, title: str, year: int | None) -> None:
    q = MatchQuery.from_item(item)
    assert (q.title, q.year, q.kind) == (title, year, MOVIE)


def test_query_from_item_carries_ids_and_original_title() -> None:
    item = LibraryItem("1", MOVIE, "Das Boot", year=1981, original_title="Das Boot",
                       guids=("imdb://tt0082096", "tmdb://387"))
    q = MatchQuery.from_item(item)
    assert q.ids == ExternalIds(imdb="tt0082096", tmdb=387)
    assert q.original_title == "Das Boot"
