"""Run the real scorer and policy over a labelled set of match cases and report the figures.

The set is read from a path given at run time (format: one JSON case a line — a query, TMDB
search results as candidates, the true TMDB id or null, tags). It is never imported or
shipped with the application.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from curator.domain.errors import InvalidInput
from curator.domain.models import Candidate, ExternalIds, MediaKind
from curator.domain.policy import DEFAULT_MARGIN, DEFAULT_THRESHOLD, MatchStatus, Verdict, decide
from curator.domain.scoring import MatchQuery, ScoredCandidate, rank

INDISTINGUISHABLE = "indistinguishable"
SWEEP_THRESHOLDS = tuple(round(0.70 + 0.02 * i, 2) for i in range(16))  # 0.70 … 1.00


@dataclass(frozen=True, slots=True)
class EvalCase:
    """One labelled case: a library item's query, what a search found, and the right answer
    (a TMDB id, or None when the right film is not among the candidates' catalogue)."""

    case_id: str
    query: MatchQuery
    candidates: tuple[Candidate, ...]
    truth: str | None
    tags: tuple[str, ...]

    @property
    def half(self) -> str:
        """'a' or 'b', from a hash of the case id: a fixed split for tuning vs checking."""
        return "ab"[hashlib.sha256(self.case_id.encode()).digest()[0] & 1]


@dataclass(frozen=True, slots=True)
class _Outcome:
    """A case run through ``rank`` and ``decide``."""

    case: EvalCase
    ranked: tuple[ScoredCandidate, ...]
    verdict: Verdict

    @property
    def accepted(self) -> bool:
        return self.verdict.status is MatchStatus.AUTO

    @property
    def accepted_id(self) -> str | None:
        best = self.verdict.best
        return best.candidate.provider_id if self.accepted and best else None


@dataclass(frozen=True, slots=True)
class Metrics:
    """Counts for one subset of the cases; the rates are derived from them."""

    cases: int = 0
    positives: int = 0
    negatives: int = 0
    top1_correct: int = 0
    auto_accepts: int = 0
    positives_accepted: int = 0
    correct_accepts: int = 0
    wrong_accepts: int = 0
    negatives_accepted: int = 0
    ambiguous: int = 0
    no_match: int = 0

    @property
    def top1_accuracy(self) -> float | None:
        return _ratio(self.top1_correct, self.positives)

    @property
    def auto_accept_coverage(self) -> float | None:
        return _ratio(self.positives_accepted, self.positives)

    @property
    def auto_accept_precision(self) -> float | None:
        return _ratio(self.correct_accepts, self.auto_accepts)

    @property
    def false_accept_rate_negatives(self) -> float | None:
        return _ratio(self.negatives_accepted, self.negatives)

    def to_dict(self) -> dict[str, Any]:
        return {
            "top1_accuracy": self.top1_accuracy,
            "auto_accept_coverage": self.auto_accept_coverage,
            "auto_accept_precision": self.auto_accept_precision,
            "wrong_accepts": self.wrong_accepts,
            "false_accept_rate_negatives": self.false_accept_rate_negatives,
            "counts": {
                "cases": self.cases, "positives": self.positives, "negatives": self.negatives,
                "top1_correct": self.top1_correct, "auto_accepts": self.auto_accepts,
                "positives_accepted": self.positives_accepted, "correct_accepts": self.correct_accepts,
                "negatives_accepted": self.negatives_accepted, "ambiguous": self.ambiguous,
                "no_match": self.no_match,
            },
        }


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True, slots=True)
class SweepPoint:
    threshold: float
    metrics: Metrics

    def to_dict(self) -> dict[str, Any]:
        m = self.metrics
        return {"threshold": self.threshold, "auto_accept_coverage": m.auto_accept_coverage,
                "auto_accept_precision": m.auto_accept_precision, "wrong_accepts": m.wrong_accepts,
                "false_accept_rate_negatives": m.false_accept_rate_negatives}


@dataclass(frozen=True, slots=True)
class WrongAccept:
    """An automatic accept that was wrong, for the report: what was asked, what was taken."""

    case_id: str
    query: str
    year: int | None
    accepted: str
    truth: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.case_id, "query": self.query, "year": self.year,
                "accepted": self.accepted, "truth": self.truth}


@dataclass(frozen=True, slots=True)
class EvalReport:
    """Figures for one threshold/margin setting over one file of cases."""

    source: str
    threshold: float
    margin: float
    overall: Metrics
    negatives: Metrics
    negatives_distinguishable: Metrics
    indistinguishable: Metrics
    by_tag: dict[str, Metrics]
    by_half: dict[str, Metrics]
    sweep: tuple[SweepPoint, ...]
    wrong: tuple[WrongAccept, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "threshold": self.threshold,
            "margin": self.margin,
            "overall": self.overall.to_dict(),
            "negatives": self.negatives.to_dict(),
            "negatives_distinguishable": self.negatives_distinguishable.to_dict(),
            "indistinguishable": self.indistinguishable.to_dict(),
            "by_tag": {tag: m.to_dict() for tag, m in self.by_tag.items()},
            "by_half": {half: m.to_dict() for half, m in self.by_half.items()},
            "sweep": [p.to_dict() for p in self.sweep],
            "wrong_accepts": [w.to_dict() for w in self.wrong],
        }


# --- reading cases -------------------------------------------------------------------------


def _year_of(date: object) -> int | None:
    text = str(date or "")
    return int(text[:4]) if len(text) >= 4 and text[:4].isdecimal() else None


def candidate_from_tmdb(obj: dict[str, Any], default_kind: MediaKind) -> Candidate:
    """A domain candidate from a TMDB search result (movie or tv)."""
    is_tv = obj.get("media_type") == "tv" or ("name" in obj and "title" not in obj)
    kind = MediaKind.SHOW if is_tv else MediaKind.MOVIE if "title" in obj else default_kind
    title = str(obj.get("title") or obj.get("name") or "")
    original = str(obj.get("original_title") or obj.get("original_name") or "")
    tmdb_id = int(obj["id"])
    return Candidate(
        provider="tmdb",
        provider_id=str(tmdb_id),
        kind=kind,
        title=title,
        year=_year_of(obj.get("release_date") or obj.get("first_air_date")),
        original_title=original if original != title else "",
        ids=ExternalIds(tmdb=tmdb_id),
        popularity=float(obj.get("popularity") or 0.0),
        vote_count=int(obj.get("vote_count") or 0),
        original_language=str(obj.get("original_language") or ""),
    )


def _parse_case(obj: dict[str, Any]) -> EvalCase:
    query = obj["query"]
    kind = MediaKind(query.get("type", "movie"))
    truth = obj.get("truth")
    return EvalCase(
        case_id=str(obj["id"]),
        query=MatchQuery(title=str(query["title"]), year=query.get("year"), kind=kind),
        candidates=tuple(candidate_from_tmdb(c, kind) for c in obj.get("candidates", ())),
        truth=None if truth is None else str(truth),
        tags=tuple(obj.get("tags", ())),
    )


def read_cases(cases_path: str | Path) -> Iterator[EvalCase]:
    """The cases of a JSONL file; a line that is not a case is reported with its number."""
    path = Path(cases_path)
    try:
        handle = path.open(encoding="utf-8")
    except OSError as err:
        raise InvalidInput(f"Cannot read the evaluation file {path.name}: {err.strerror}.") from err
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield _parse_case(json.loads(line))
            except (ValueError, KeyError, TypeError) as err:
                raise InvalidInput(
                    f"Line {number} of {path.name} is not a match case ({type(err).__name__}: {err})."
                ) from err


# --- running -------------------------------------------------------------------------------


def _tally(outcomes: Iterable[_Outcome], verdicts: Iterable[Verdict] | None = None) -> Metrics:
    counts = {f.name: 0 for f in fields(Metrics)}
    pairs = zip(outcomes, verdicts, strict=True) if verdicts is not None else ((o, o.verdict) for o in outcomes)
    for outcome, verdict in pairs:
        case = outcome.case
        positive = case.truth is not None
        accepted = verdict.status is MatchStatus.AUTO
        accepted_id = verdict.best.candidate.provider_id if accepted and verdict.best else None
        counts["cases"] += 1
        counts["positives" if positive else "negatives"] += 1
        if positive and outcome.ranked and outcome.ranked[0].candidate.provider_id == case.truth:
            counts["top1_correct"] += 1
        if accepted:
            counts["auto_accepts"] += 1
            correct = accepted_id == case.truth
            counts["correct_accepts" if correct else "wrong_accepts"] += 1
            counts["positives_accepted" if positive else "negatives_accepted"] += 1
        elif verdict.status is MatchStatus.AMBIGUOUS:
            counts["ambiguous"] += 1
        else:
            counts["no_match"] += 1
    return Metrics(**counts)


def evaluate(cases_path: str | Path, *, threshold: float | None = None,
             margin: float | None = None) -> EvalReport:
    """Rank and decide every case with the real scorer and policy; report overall, per tag,
    for negatives (the indistinguishable ones apart), per half, and a threshold sweep."""
    threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    margin = DEFAULT_MARGIN if margin is None else margin
    outcomes: list[_Outcome] = []
    for case in read_cases(cases_path):
        ranked = tuple(rank(case.query, case.candidates))
        outcomes.append(_Outcome(case, ranked, decide(list(ranked), threshold, margin)))

    def subset(keep: Any) -> list[_Outcome]:
        return [o for o in outcomes if keep(o.case)]

    tags = sorted({tag for o in outcomes for tag in o.case.tags})
    sweep = tuple(
        SweepPoint(t, _tally(outcomes, (decide(list(o.ranked), t, margin) for o in outcomes)))
        for t in SWEEP_THRESHOLDS
    )
    wrong = tuple(
        WrongAccept(o.case.case_id, o.case.query.title, o.case.query.year,
                    _describe(o.verdict.best), o.case.truth)
        for o in outcomes
        if o.accepted and o.accepted_id != o.case.truth and o.verdict.best
    )
    return EvalReport(
        source=Path(cases_path).name,
        threshold=threshold,
        margin=margin,
        overall=_tally(outcomes),
        negatives=_tally(subset(lambda c: c.truth is None)),
        negatives_distinguishable=_tally(subset(lambda c: c.truth is None and INDISTINGUISHABLE not in c.tags)),
        indistinguishable=_tally(subset(lambda c: INDISTINGUISHABLE in c.tags)),
        by_tag={tag: _tally(subset(lambda c, tag=tag: tag in c.tags)) for tag in tags}
        | {"(untagged)": _tally(subset(lambda c: not c.tags))},
        by_half={half: _tally(subset(lambda c, half=half: c.half == half)) for half in "ab"},
        sweep=sweep,
        wrong=wrong,
    )


def _describe(scored: ScoredCandidate) -> str:
    c = scored.candidate
    return f"{c.title} ({c.year or '?'}) [{c.provider}:{c.provider_id}] {scored.score.value:.3f}"


# --- presenting ----------------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.2f} %"


def format_table(report: EvalReport) -> str:
    """A plain-text table for people: one row per subset, then the threshold sweep."""
    header = f"{'subset':<34}{'cases':>7}{'top-1':>10}{'coverage':>10}{'precision':>11}{'wrong':>7}{'neg. FA':>10}"
    lines = [f"{report.source}: threshold {report.threshold:.3f}, margin {report.margin:.3f}", "", header,
             "-" * len(header)]

    def row(name: str, m: Metrics) -> str:
        return (f"{name:<34}{m.cases:>7}{_pct(m.top1_accuracy):>10}{_pct(m.auto_accept_coverage):>10}"
                f"{_pct(m.auto_accept_precision):>11}{m.wrong_accepts:>7}{_pct(m.false_accept_rate_negatives):>10}")

    lines.append(row("overall", report.overall))
    lines.append(row("negatives", report.negatives))
    lines.append(row("negatives, distinguishable", report.negatives_distinguishable))
    lines.append(row("negatives, indistinguishable", report.indistinguishable))
    lines.extend(row(f"half {half}", m) for half, m in report.by_half.items())
    lines.extend(row(f"tag {tag}", m) for tag, m in report.by_tag.items())
    lines += ["", f"threshold sweep at margin {report.margin:.3f}:",
              f"{'threshold':>10}{'coverage':>10}{'precision':>11}{'wrong':>7}{'neg. FA':>10}"]
    for point in report.sweep:
        m = point.metrics
        lines.append(f"{point.threshold:>10.2f}{_pct(m.auto_accept_coverage):>10}"
                     f"{_pct(m.auto_accept_precision):>11}{m.wrong_accepts:>7}{_pct(m.false_accept_rate_negatives):>10}")
    if report.wrong:
        lines += ["", "wrong accepts:"]
        lines.extend(f"  {w.case_id}: {w.query} ({w.year}) -> {w.accepted}; truth {w.truth}" for w in report.wrong)
    return "\n".join(lines)
