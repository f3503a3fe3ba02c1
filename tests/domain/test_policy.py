"""The auto-accept rule: floor, margin over the runner-up, certain ids, never-auto."""

from __future__ import annotations

import pytest

from curator.domain.models import Candidate, ExternalIds, MediaKind
from curator.domain.policy import DEFAULT_MARGIN, DEFAULT_THRESHOLD, MatchStatus, decide
from curator.domain.scoring import Score, ScoredCandidate, ScorePart


def scored(value: float, provider_id: str = "1", *, provider: str = "tmdb", ids_agree: bool | None = None,
           ids: ExternalIds | None = None) -> ScoredCandidate:
    candidate = Candidate(provider=provider, provider_id=provider_id, kind=MediaKind.MOVIE, title="T",
                          ids=ids or ExternalIds())
    parts = (ScorePart("title", 1.0, value, value),)
    if ids_agree is not None:
        parts = (ScorePart("title", 0.5, value, 0.5 * value),
                 ScorePart("ids", 0.5, float(ids_agree), 0.5 * ids_agree))
        value = sum(p.contribution for p in parts)
    return ScoredCandidate(candidate, Score(value, parts))


def test_defaults_are_sane() -> None:
    assert 0.5 < DEFAULT_THRESHOLD < 1.0
    assert 0.0 < DEFAULT_MARGIN < 0.2


def test_empty_list_is_no_match() -> None:
    verdict = decide([], 0.9, 0.05)
    assert verdict.status is MatchStatus.NO_MATCH
    assert verdict.best is None and verdict.runner_up is None
    assert verdict.reason == "no_candidates"


@pytest.mark.parametrize(
    ("values", "status", "reason"),
    [
        ([0.95], MatchStatus.AUTO, "above_threshold"),
        ([0.95, 0.80], MatchStatus.AUTO, "above_threshold"),
        ([0.90, 0.85], MatchStatus.AUTO, "above_threshold"),  # lead exactly the margin
        ([0.89, 0.10], MatchStatus.AMBIGUOUS, "below_threshold"),
        ([0.59, 0.10], MatchStatus.NO_MATCH, "below_floor"),
        ([0.95, 0.93], MatchStatus.AMBIGUOUS, "ambiguous: 2 candidates within margin"),
        ([0.99, 0.98, 0.97, 0.50], MatchStatus.AMBIGUOUS, "ambiguous: 3 candidates within margin"),
    ],
)
def test_floor_and_margin(values: list[float], status: MatchStatus, reason: str) -> None:
    ranked = [scored(v, str(i)) for i, v in enumerate(values)]
    verdict = decide(ranked, 0.90, 0.05)
    assert (verdict.status, verdict.reason) == (status, reason)
    assert verdict.best is ranked[0]
    assert verdict.lead == pytest.approx(values[0] - (values[1] if len(values) > 1 else 0.0))


def test_the_runner_up_is_the_best_other_work() -> None:
    """The same record twice, or two providers' records of one film, do not make it ambiguous."""
    ids = ExternalIds(imdb="tt0113277")
    best = scored(0.96, "949", ids=ids)
    same_record = scored(0.96, "949", ids=ids)
    same_film_elsewhere = scored(0.95, "x1", provider="omdb", ids=ids)
    other = scored(0.50, "77")
    verdict = decide([best, same_record, same_film_elsewhere, other], 0.90, 0.05)
    assert verdict.status is MatchStatus.AUTO
    assert verdict.runner_up is other


def test_never_auto_turns_auto_into_review() -> None:
    ranked = [scored(0.99), scored(0.2, "2")]
    verdict = decide(ranked, 0.9, 0.05, never_auto=True)
    assert (verdict.status, verdict.reason) == (MatchStatus.AMBIGUOUS, "never_auto")
    assert verdict.best is ranked[0]
    below = decide([scored(0.5)], 0.9, 0.05, never_auto=True)
    assert (below.status, below.reason) == (MatchStatus.NO_MATCH, "below_floor")


def test_a_shared_id_is_certain_even_below_the_floor() -> None:
    verdict = decide([scored(0.2, ids_agree=True), scored(0.9, "2")], 0.95, 0.05)
    assert (verdict.status, verdict.reason) == (MatchStatus.AUTO, "certain_id_match")
    assert decide([scored(0.2, ids_agree=True)], 0.95, 0.05, never_auto=True).status is MatchStatus.AMBIGUOUS


def test_a_conflicting_id_blocks_auto_accept() -> None:
    verdict = decide([scored(1.0, ids_agree=False)], 0.4, 0.05)
    assert (verdict.status, verdict.reason) == (MatchStatus.NO_MATCH, "id_conflict")
