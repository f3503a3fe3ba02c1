"""An explainable match score: named, weighted parts whose contributions add up to the score.

The parts (relative weights, scaled to sum to 1 over the parts that apply):

- ``title`` (6)      best similarity between the query's title forms (title, original title,
  aliases) and the candidate's (title, original title, alternative titles) — normalised, with
  articles dropped; numbers must agree; a part of one title (main title, subtitle) against the
  whole of the other counts for less;
- ``year`` (2.5)     1 for the same year, 0.75 a year apart, 0.2 two years apart; a year apart
  on a *common* title counts 0.2 as well, because there it is as likely another film;
- ``kind`` (2)       the same media type (movie, show …) or not;
- ``popularity`` (0.15) a tie-break between otherwise equal candidates (vote count, log scale);
- ``ids`` (10)       only when both sides carry an id of the same kind: 1 when one is shared
  (a certain match), 0 when they differ (strong evidence against).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter

from rapidfuzz.distance import Indel

from curator.domain.models import Candidate, ExternalIds, LibraryItem, MediaKind
from curator.domain.text import (
    drop_leading_article,
    looks_like_filename,
    title_forms,
    title_from_filename,
)

TITLE_WEIGHT = 6.0
YEAR_WEIGHT = 2.5
KIND_WEIGHT = 2.0
POPULARITY_WEIGHT = 0.15
IDS_WEIGHT = 10.0

# Year agreement by distance in years; beyond the table it is 0.
YEAR_SIMILARITY = (1.0, 0.75, 0.2, 0.05)
UNKNOWN_YEAR_SIMILARITY = 0.3  # without a year a title alone cannot reach the default floor
# A title is common when at least this many other candidates carry all its words: a year
# apart on a common title is as likely another film of that name as a late release of this one.
COMMON_TITLE_NAMESAKES = 3
COMMON_TITLE_YEAR_OFF_BY_ONE = 0.2

# Title similarity = ((1 - WORD_SHARE) * character similarity + WORD_SHARE * shared words),
# times the factors below, raised to TITLE_EXPONENT (near misses count for less).
WORD_SHARE = 0.3
NUMBER_CONFLICT_FACTOR = 0.5  # both titles carry numbers and they differ: another instalment
NUMBER_MISSING_FACTOR = 0.95  # only one of the two carries a number ("Ice Age 2: The Meltdown")
PARTIAL_TITLE_FACTOR = 0.7  # a part of one title against the whole of the other
TITLE_EXPONENT = 1.5
POPULARITY_SATURATION_VOTES = 10_000
# Title similarity is kept to this many decimals: finer differences mean nothing, and equal
# parts can then be shared instead of built for every candidate.
SIMILARITY_DECIMALS = 4


# --- title forms ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TitleForm:
    """One normalised form of a title, ready for comparison."""

    text: str
    compact: str  # without spaces: "spider man" and "spiderman" are the same title
    words: frozenset[str]
    word_count: int
    numbers: frozenset[str]

    @classmethod
    def of(cls, normalised: str) -> TitleForm:
        text = drop_leading_article(normalised)
        tokens = text.split()
        words = frozenset(tokens)
        numbers = frozenset(t for t in tokens if t.isdecimal()) if _DIGIT.search(text) else _NONE
        return cls(text, "".join(tokens), words, len(words), numbers)


_DIGIT = re.compile(r"\d")
_NONE: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class TitleProfile:
    """The forms of all the titles one work is known by: full forms (title, original title,
    aliases) and partial ones (main title, subtitle, title without a possessive credit)."""

    full: tuple[TitleForm, ...]
    partial: tuple[TitleForm, ...]
    words: frozenset[str]  # of the full forms
    compacts: frozenset[str]  # of the full forms: one in common is an exact match


@lru_cache(maxsize=50_000)
def title_profile(titles: tuple[str, ...]) -> TitleProfile:
    """The profile of a work known by these titles (cached: candidates recur). Empty
    titles are ignored."""
    full: dict[str, TitleForm] = {}
    partial: dict[str, TitleForm] = {}
    for title in titles:
        if not title:
            continue
        variants, parts = title_forms(title)
        for variant in variants:
            form = _title_form(variant)
            if form.words:
                full.setdefault(form.text, form)
        for part in parts:
            form = _title_form(part)
            if form.words:
                partial.setdefault(form.text, form)
    forms = tuple(full.values())
    words = forms[0].words if len(forms) == 1 else frozenset().union(*(f.words for f in forms))
    return TitleProfile(forms, tuple(f for t, f in partial.items() if t not in full),
                        words, frozenset(f.compact for f in forms))


@lru_cache(maxsize=100_000)
def _title_form(normalised: str) -> TitleForm:
    """One form per normalised text, shared by every profile that has it."""
    return TitleForm.of(normalised)


def _profile_of(candidate: Candidate) -> TitleProfile:
    return _work_profile(candidate.title, candidate.original_title, candidate.alternative_titles)


@lru_cache(maxsize=50_000)
def _work_profile(title: str, original_title: str, alternative_titles: tuple[str, ...]) -> TitleProfile:
    """The profile of a query or a candidate by its title fields (cached: both recur). Works
    known by the same titles share one profile: ("Heat", "") and ("Heat", "Heat")."""
    return title_profile(tuple(dict.fromkeys(t for t in (title, original_title, *alternative_titles) if t)))


# --- values ----------------------------------------------------------------------------------

_NO_IDS = ExternalIds()


@dataclass(frozen=True, slots=True)
class MatchQuery:
    """What Curator knows about a library item when it looks for matches. The title forms
    are computed once, here, not once per candidate."""

    title: str
    year: int | None
    kind: MediaKind
    original_title: str = ""
    ids: ExternalIds = _NO_IDS
    alternative_titles: tuple[str, ...] = ()
    profile: TitleProfile = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "profile", _work_profile(self.title, self.original_title, self.alternative_titles))

    @classmethod
    def from_item(cls, item: LibraryItem) -> MatchQuery:
        """The query for a Plex item; a title that is really a file name is parsed first."""
        title, year = item.title, item.year
        source = title if looks_like_filename(title) else "" if title else item.file_path
        if source:
            title, parsed_year = title_from_filename(source)
            year = year or parsed_year
        return cls(title=title, year=year, kind=item.kind, original_title=item.original_title,
                   ids=item.external_ids)


@dataclass(frozen=True, slots=True)
class ScorePart:
    """One named part of a score: ``contribution = weight * similarity``; weights of a
    score's parts sum to 1."""

    name: str
    weight: float
    similarity: float
    contribution: float


@dataclass(frozen=True, slots=True)
class Score:
    """A value in 0..1 and the parts it is the sum of."""

    value: float
    parts: tuple[ScorePart, ...]

    def part(self, name: str) -> ScorePart | None:
        return next((p for p in self.parts if p.name == name), None)

    @property
    def ids_agree(self) -> bool | None:
        """True when an external id is shared, False when one of the same kind differs,
        None when the two sides carry no comparable id (the ids part, when present, is last)."""
        last = self.parts[-1] if self.parts else None
        return None if last is None or last.name != "ids" else last.similarity == 1.0

    def explain(self) -> str:
        """'title 0.563 + year 0.235 + …' for logs and the CLI."""
        return " + ".join(f"{p.name} {p.contribution:.3f}" for p in self.parts)


@dataclass(frozen=True, slots=True)
class ScoredCandidate:
    candidate: Candidate
    score: Score


# --- parts -----------------------------------------------------------------------------------


_CHARACTER_SHARE = 1 - WORD_SHARE
_WORD_SHARE_PER_WORD = WORD_SHARE * 2  # shared words count on both sides: 2 × shared / (a + b)
_character_similarity = Indel.normalized_similarity


def _best_pair(forms: tuple[TitleForm, ...], others: tuple[TitleForm, ...]) -> float:
    """Best similarity over all pairs of forms: characters and shared words; numbers must
    agree."""
    best = 0.0
    for a in forms:
        for b in others:
            if a.compact == b.compact:
                similarity = 1.0
            else:
                shared = 0 if a.words.isdisjoint(b.words) else len(a.words & b.words)
                similarity = (_CHARACTER_SHARE * _character_similarity(a.text, b.text)
                              + _WORD_SHARE_PER_WORD * shared / (a.word_count + b.word_count))
            if a.numbers is not b.numbers and a.numbers != b.numbers:  # most share the empty set
                similarity *= NUMBER_CONFLICT_FACTOR if a.numbers and b.numbers else NUMBER_MISSING_FACTOR
            if similarity > best:
                best = similarity
    return best


def profile_similarity(query: TitleProfile, candidate: TitleProfile) -> float:
    """Title similarity of two works: the best over their full forms, or over a part of one
    against the whole of the other at PARTIAL_TITLE_FACTOR — never a part against a part
    ("Star Trek: X" is not "Star Trek: Y")."""
    return math.pow(_closeness(query, candidate), TITLE_EXPONENT)


def _closeness(query: TitleProfile, candidate: TitleProfile) -> float:
    """``profile_similarity`` before the exponent."""
    if not query.compacts.isdisjoint(candidate.compacts):
        return 1.0
    best = _best_pair(query.full, candidate.full)
    if best < PARTIAL_TITLE_FACTOR:  # else no part can beat it
        if candidate.partial:
            best = max(best, PARTIAL_TITLE_FACTOR * _best_pair(query.full, candidate.partial))
        if query.partial:
            best = max(best, PARTIAL_TITLE_FACTOR * _best_pair(query.partial, candidate.full))
    return best


def title_similarity(query: MatchQuery, candidate: Candidate) -> float:
    """The ``title`` part's similarity for this candidate."""
    return profile_similarity(query.profile, _profile_of(candidate))


def year_similarity(query_year: int | None, candidate_year: int | None, common_title: bool = False) -> float:
    """1 for the same year, less with each year apart; a year apart on a common title counts
    as little as two years apart."""
    if query_year is None or candidate_year is None:
        return UNKNOWN_YEAR_SIMILARITY
    distance = abs(query_year - candidate_year)
    if distance == 1 and common_title:
        return COMMON_TITLE_YEAR_OFF_BY_ONE
    return YEAR_SIMILARITY[distance] if distance < len(YEAR_SIMILARITY) else 0.0


@lru_cache(maxsize=65_536)
def popularity_similarity(vote_count: int) -> float:
    """Log of the vote count, 1 from POPULARITY_SATURATION_VOTES on, to three decimals (a
    tie-break needs no more)."""
    if vote_count <= 0:
        return 0.0
    return round(min(1.0, math.log1p(vote_count) / math.log1p(POPULARITY_SATURATION_VOTES)), 3)


def _normalised(*raw: float) -> tuple[float, ...]:
    total = sum(raw)
    return tuple(w / total for w in raw)


# Weights scaled to sum to 1: [with_ids] -> (title, year, kind, popularity[, ids]).
_WEIGHTS = {
    False: _normalised(TITLE_WEIGHT, YEAR_WEIGHT, KIND_WEIGHT, POPULARITY_WEIGHT),
    True: _normalised(TITLE_WEIGHT, YEAR_WEIGHT, KIND_WEIGHT, POPULARITY_WEIGHT, IDS_WEIGHT),
}


# Parts are immutable and recur, so they are built once and shared: the same year distance,
# the same kind, the same popularity to three decimals, and the same title closeness — a
# ratio of small whole numbers (lengths, shared words), so a few thousand values cover a run.
@lru_cache(maxsize=65_536)
def _title_part(with_ids: bool, closeness: float) -> ScorePart:
    weight = _WEIGHTS[with_ids][0]
    similarity = round(math.pow(closeness, TITLE_EXPONENT), SIMILARITY_DECIMALS)
    return ScorePart("title", weight, similarity, weight * similarity)


@lru_cache(maxsize=65_536)
def _other_parts(with_ids: bool, year: float, kind: float, popularity: float) -> tuple[ScorePart, ScorePart, ScorePart]:
    weights = _WEIGHTS[with_ids]
    return (ScorePart("year", weights[1], year, weights[1] * year),
            ScorePart("kind", weights[2], kind, weights[2] * kind),
            ScorePart("popularity", weights[3], popularity, weights[3] * popularity))


_ID_PARTS = {agreement: ScorePart("ids", _WEIGHTS[True][4], float(agreement), _WEIGHTS[True][4] * agreement)
             for agreement in (True, False)}


# A Score and a ScoredCandidate are made for every candidate. Their generated __init__ sets
# each field through object.__setattr__ (they are frozen); setting the slots directly makes the
# same object in half the time.
_new = object.__new__
_set_value, _set_parts = Score.__dict__["value"].__set__, Score.__dict__["parts"].__set__
_set_candidate, _set_score = ScoredCandidate.__dict__["candidate"].__set__, ScoredCandidate.__dict__["score"].__set__


# --- scoring ---------------------------------------------------------------------------------


def score_candidate(query: MatchQuery, candidate: Candidate, *, namesakes: int = 0) -> Score:
    """The candidate's score for this query, with its parts. ``namesakes`` is how many other
    candidates carry all the words of the query's title (``rank`` counts them): when several
    do, the title is common and a year apart does not confirm it."""
    common_title = namesakes >= COMMON_TITLE_NAMESAKES
    return _scored(query, (candidate,), (_profile_of(candidate),), (common_title,))[0].score


def _scored(query: MatchQuery, candidates: Sequence[Candidate], profiles: Sequence[TitleProfile],
            common_titles: Sequence[bool]) -> list[ScoredCandidate]:
    """Each candidate with its score: the parts, and their sum as the value."""
    query_profile, query_year, query_kind, query_ids = query.profile, query.year, query.kind, query.ids
    check_ids = bool(query_ids)
    scored = []
    for candidate, profile, common_title in zip(candidates, profiles, common_titles, strict=True):
        agreement = query_ids.agrees_with(candidate.ids) if check_ids else None
        with_ids = agreement is not None
        title_part = _title_part(with_ids, _closeness(query_profile, profile))
        year_part, kind_part, popularity_part = _other_parts(
            with_ids, year_similarity(query_year, candidate.year, common_title),
            1.0 if query_kind is candidate.kind else 0.0, popularity_similarity(candidate.vote_count))
        value = title_part.contribution + year_part.contribution + kind_part.contribution + popularity_part.contribution
        parts: tuple[ScorePart, ...]
        if agreement is None:
            parts = (title_part, year_part, kind_part, popularity_part)
        else:
            ids_part = _ID_PARTS[agreement]
            value += ids_part.contribution
            parts = (title_part, year_part, kind_part, popularity_part, ids_part)
        score = _new(Score)
        _set_value(score, value if value < 1.0 else 1.0)
        _set_parts(score, parts)
        one = _new(ScoredCandidate)
        _set_candidate(one, candidate)
        _set_score(one, score)
        scored.append(one)
    return scored


def _common_titles(query: MatchQuery, candidates: Sequence[Candidate], profiles: list[TitleProfile]) -> list[bool]:
    """For each candidate: do enough *other* candidates carry all the words of the query's
    title to call it common? Only asked when some candidate is a year apart, the one case
    where the answer changes a score."""
    year = query.year
    if year is None:
        return [False] * len(candidates)
    years = {c.year for c in candidates}
    if year - 1 not in years and year + 1 not in years:
        return [False] * len(candidates)
    full = query.profile.full
    if len(full) == 1:
        words = full[0].words
        carriers = [words <= p.words for p in profiles]
    else:
        carriers = [any(form.words <= p.words for form in full) for p in profiles]
    namesakes = sum(carriers)
    return [namesakes - carries >= COMMON_TITLE_NAMESAKES for carries in carriers]


def rank(query: MatchQuery, candidates: Sequence[Candidate]) -> list[ScoredCandidate]:
    """Candidates scored and sorted best first: a shared external id first, then by score;
    ties keep the provider's order."""
    profiles = [_work_profile(c.title, c.original_title, c.alternative_titles) for c in candidates]
    scored = _scored(query, candidates, profiles, _common_titles(query, candidates, profiles))
    if query.ids:
        scored.sort(key=lambda s: (s.score.ids_agree is True, s.score.value), reverse=True)
    else:
        scored.sort(key=_by_value, reverse=True)
    return scored


_by_value = attrgetter("score.value")
