"""The auto-accept rule: a floor on the best score and a margin over the runner-up."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from curator.domain.scoring import ScoredCandidate

DEFAULT_THRESHOLD = 0.87
DEFAULT_MARGIN = 0.06
#: Below the threshold but at least this: a plausible match the user should look at
#: (AMBIGUOUS, "needs review"); below it, NO_MATCH. Only auto-acceptance depends on the
#: threshold, so this floor changes what is queued for review, never what is accepted.
REVIEW_FLOOR = 0.6


class MatchStatus(enum.Enum):
    """What happens to an item: accepted without asking, shown for review, or left unmatched."""

    AUTO = "auto"
    AMBIGUOUS = "ambiguous"
    NO_MATCH = "no_match"


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the policy made of a ranked list, and why (``reason`` is short and stable)."""

    status: MatchStatus
    best: ScoredCandidate | None
    runner_up: ScoredCandidate | None
    lead: float
    reason: str


def _same_work(a: ScoredCandidate, b: ScoredCandidate) -> bool:
    """The same record twice, or two providers' records sharing an external id."""
    ca, cb = a.candidate, b.candidate
    same_record = ca.provider == cb.provider and ca.provider_id == cb.provider_id
    return same_record or ca.ids.agrees_with(cb.ids) is True


def decide(ranked: Sequence[ScoredCandidate], threshold: float = DEFAULT_THRESHOLD,
           margin: float = DEFAULT_MARGIN, *, never_auto: bool = False,
           review_floor: float = REVIEW_FLOOR) -> Verdict:
    """AUTO when the best score reaches ``threshold`` and leads the runner-up (the best other
    work) by at least ``margin``, or when the best shares an external id with the item;
    AMBIGUOUS when strong candidates are too close or the best is plausible but below the
    threshold (at least ``review_floor``); NO_MATCH when nothing reaches that floor.
    ``never_auto`` turns every would-be AUTO into AMBIGUOUS (the user asked to review)."""
    if not ranked:
        return Verdict(MatchStatus.NO_MATCH, None, None, 0.0, "no_candidates")
    best = ranked[0]
    runner_up = next((c for c in ranked[1:] if not _same_work(best, c)), None)
    lead = best.score.value - (runner_up.score.value if runner_up else 0.0)
    if best.score.ids_agree:
        status, reason = MatchStatus.AUTO, "certain_id_match"
    elif best.score.ids_agree is False:
        return Verdict(MatchStatus.NO_MATCH, best, runner_up, lead, "id_conflict")
    elif best.score.value < min(review_floor, threshold):
        return Verdict(MatchStatus.NO_MATCH, best, runner_up, lead, "below_floor")
    elif best.score.value < threshold:
        return Verdict(MatchStatus.AMBIGUOUS, best, runner_up, lead, "below_threshold")
    elif lead < margin:
        close = 1 + sum(1 for c in ranked[1:] if not _same_work(best, c) and best.score.value - c.score.value < margin)
        return Verdict(MatchStatus.AMBIGUOUS, best, runner_up, lead, f"ambiguous: {close} candidates within margin")
    else:
        status, reason = MatchStatus.AUTO, "above_threshold"
    if never_auto:
        return Verdict(MatchStatus.AMBIGUOUS, best, runner_up, lead, "never_auto")
    return Verdict(status, best, runner_up, lead, reason)
