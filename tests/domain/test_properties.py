"""Properties that must hold for any input, not just the titles in the tables."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from curator.domain.models import Candidate, ExternalIds, MediaKind
from curator.domain.policy import MatchStatus, decide
from curator.domain.scoring import MatchQuery, rank, score_candidate
from curator.domain.text import fold, normalise, sanitise_summary

# Titles from every script, with the punctuation and numerals titles are made of.
title_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
        st.sampled_from(list(" ,.:;-–—'’&+!?()[]/*IVXivx0123456789½³")),
    ),
    max_size=60,
)
words = st.lists(st.sampled_from(["the", "les", "die", "part", "ii", "iv", "x", "i", "a.k.a.", "&", "love",
                                  "night", "2", "one", "dr.", "et", "(aka", ")", ", the", ":", " - "]),
                 max_size=8).map(" ".join)
years = st.one_of(st.none(), st.integers(min_value=1890, max_value=2030))
ids = st.builds(ExternalIds, imdb=st.one_of(st.none(), st.sampled_from(["tt0000001", "tt0000002"])),
                tmdb=st.one_of(st.none(), st.integers(1, 3)))
candidates = st.builds(
    Candidate,
    provider=st.just("tmdb"),
    provider_id=st.integers(1, 50).map(str),
    kind=st.sampled_from([MediaKind.MOVIE, MediaKind.SHOW]),
    title=st.one_of(title_text, words),
    year=years,
    original_title=st.one_of(st.just(""), title_text),
    ids=ids,
    vote_count=st.integers(0, 50_000),
)
queries = st.builds(MatchQuery, title=st.one_of(title_text, words), year=years,
                    kind=st.sampled_from([MediaKind.MOVIE, MediaKind.SHOW]), ids=ids)


@given(st.one_of(title_text, words))
@settings(max_examples=200)
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    assert once == " ".join(once.split())  # collapsed whitespace, nothing at the ends


@given(title_text)
def test_fold_is_idempotent(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(queries, candidates)
@settings(max_examples=200)
def test_scores_are_in_range_and_parts_add_up(query: MatchQuery, candidate: Candidate) -> None:
    score = score_candidate(query, candidate)
    assert 0.0 <= score.value <= 1.0
    assert math.isclose(sum(p.contribution for p in score.parts), score.value, abs_tol=1e-9)
    assert all(0.0 <= p.similarity <= 1.0 for p in score.parts)


@given(queries, st.lists(candidates, max_size=8))
def test_rank_is_sorted_and_decide_is_consistent(query: MatchQuery, found: list[Candidate]) -> None:
    ranked = rank(query, found)
    assert sorted(map(id, (r.candidate for r in ranked))) == sorted(map(id, found))
    values = [r.score.value for r in ranked if r.score.ids_agree is not True]
    assert values == sorted(values, reverse=True)
    verdict = decide(ranked, 0.87, 0.06)
    if verdict.status is MatchStatus.AUTO and verdict.reason != "certain_id_match":
        assert verdict.best is not None and verdict.best.score.value >= 0.87 and verdict.lead >= 0.06


@given(st.text(max_size=200))
def test_sanitised_text_has_no_markup_controls_or_loose_whitespace(text: str) -> None:
    clean = sanitise_summary(text)
    if "<" not in clean and "&" not in clean:  # plain text: sanitising again changes nothing
        assert sanitise_summary(clean) == clean
    assert not any(ord(c) < 32 and c != "\n" for c in clean)
    assert "\n\n\n" not in clean and clean == clean.strip()
