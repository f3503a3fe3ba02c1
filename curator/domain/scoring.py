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
from typing import NamedTuple, TypeVar

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
    length: int  # of the text
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
        return cls(text, len(text), "".join(tokens), words, len(words), numbers)


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
    # The one full form of a work known by one title and no parts — most works: two such
    # profiles are compared on a fast path, one pair of forms, no loops.
    single: TitleForm | None


@lru_cache(maxsize=50_000)
def title_profile(titles: tuple[str, ...]) -> TitleProfile:
    """The profile of a work known by these titles (cached: candidates recur). Empty
    titles are ignored."""
    full: dict[str, TitleForm] = {}
    partial: dict[str, TitleForm] = {}
    for title in titles:
        if not title:
            continue
        variants, part_titles = title_forms(title)
        for variant in variants:
            form = _title_form(variant)
            if form.words:
                full.setdefault(form.text, form)
        for part in part_titles:
            form = _title_form(part)
            if form.words:
                partial.setdefault(form.text, form)
    forms = tuple(full.values())
    parts = tuple(f for t, f in partial.items() if t not in full)
    words = forms[0].words if len(forms) == 1 else frozenset().union(*(f.words for f in forms))
    return TitleProfile(forms, parts, words, frozenset(f.compact for f in forms),
                        forms[0] if len(forms) == 1 and not parts else None)


@lru_cache(maxsize=100_000)
def _title_form(normalised: str) -> TitleForm:
    """One form per normalised text, shared by every profile that has it."""
    return TitleForm.of(normalised)


def _profile_of(candidate: Candidate) -> TitleProfile:
    return _titles_profile(candidate.title, candidate.original_title, candidate.alternative_titles)


def _titles_profile(title: str, original_title: str, alternative_titles: tuple[str, ...]) -> TitleProfile:
    # Most works are known by one title: called with it alone, the cache's key is the title
    # itself, not a tuple of three to build, hash and compare.
    if original_title or alternative_titles:
        return _work_profile(title, original_title, alternative_titles)
    return _work_profile(title)


@lru_cache(maxsize=50_000)
def _work_profile(title: str, original_title: str = "", alternative_titles: tuple[str, ...] = ()) -> TitleProfile:
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
        object.__setattr__(self, "profile", _titles_profile(self.title, self.original_title, self.alternative_titles))

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
# Character similarity is rapidfuzz's Indel.normalized_similarity, 1 - distance / (sum of the
# lengths), computed here from the distance as rapidfuzz does (the same float, bit for bit):
# the distance costs half as much to call.
_character_distance = Indel.distance


def _best_pair(forms: tuple[TitleForm, ...], others: tuple[TitleForm, ...]) -> float:
    """Best similarity over all pairs of forms: characters and shared words; numbers must
    agree."""
    best = 0.0
    for a in forms:
        for b in others:
            if a.compact == b.compact:
                similarity = 1.0
            elif a.words.isdisjoint(b.words):  # no word shared: the words' share would add 0.0
                similarity = _CHARACTER_SHARE * (1.0 - _character_distance(a.text, b.text) / (a.length + b.length))
            else:
                similarity = (_CHARACTER_SHARE * (1.0 - _character_distance(a.text, b.text) / (a.length + b.length))
                              + _WORD_SHARE_PER_WORD * len(a.words & b.words) / (a.word_count + b.word_count))
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
        if candidate.partial and (part := PARTIAL_TITLE_FACTOR * _best_pair(query.full, candidate.partial)) > best:
            best = part
        if query.partial and (part := PARTIAL_TITLE_FACTOR * _best_pair(query.partial, candidate.full)) > best:
            best = part
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

_K = TypeVar("_K")
_V = TypeVar("_V")
_KEPT = 65_536  # parts kept per kind of part; the keys recur, so a cleared dict soon fills again


def _keep(kept: dict[_K, _V], key: _K, value: _V) -> _V:
    if len(kept) >= _KEPT:
        kept.clear()
    kept[key] = value
    return value


class _Table(NamedTuple):
    """What scoring needs for one query year and one set of weights, unpacked into the
    scoring loop's local variables."""

    parts: _Parts  # which builds the parts not yet in ``title`` or ``popularity``
    title: dict[float, ScorePart]  # by closeness
    kind: tuple[ScorePart, ScorePart]  # by "the same kind"
    popularity: dict[int, ScorePart]  # by vote count
    year: dict[int | None, ScorePart]  # by candidate year, for those near the query's
    other_year: ScorePart  # for every other year
    off_by_one: ScorePart | None  # the part for a year apart…
    off_by_one_on_common_title: ScorePart  # … and for a year apart on a common title


class _Parts:
    """The parts for one set of weights — without the ids part or with it. Parts are
    immutable and recur, so each is built once and shared: the same title closeness (a ratio
    of small whole numbers: a few thousand values cover a run), year, kind and vote count give
    the same part. They are kept in plain dicts, looked up by one key: an lru_cache call, or
    a dict with __missing__, costs more per lookup."""

    __slots__ = ("kind", "popularities", "tables", "titles", "weights")

    def __init__(self, with_ids: bool) -> None:
        self.weights = _WEIGHTS[with_ids]
        self.titles: dict[float, ScorePart] = {}
        self.kind = (self._part("kind", 2, 0.0), self._part("kind", 2, 1.0))
        self.popularities: dict[int, ScorePart] = {}
        self.tables: dict[int | None, _Table] = {}

    def _part(self, name: str, index: int, similarity: float) -> ScorePart:
        weight = self.weights[index]
        return ScorePart(name, weight, similarity, weight * similarity)

    def title(self, closeness: float) -> ScorePart:
        """A title part not kept yet."""
        similarity = round(math.pow(closeness, TITLE_EXPONENT), SIMILARITY_DECIMALS)
        return _keep(self.titles, closeness, self._part("title", 0, similarity))

    def popularity(self, vote_count: int) -> ScorePart:
        """A popularity part not kept yet."""
        return _keep(self.popularities, vote_count, self._part("popularity", 3, popularity_similarity(vote_count)))

    def table(self, query_year: int | None) -> _Table:
        table = self.tables.get(query_year)
        return table if table is not None else _keep(self.tables, query_year, self._table(query_year))

    def _table(self, query_year: int | None) -> _Table:
        def year_part(candidate_year: int | None, common_title: bool = False) -> ScorePart:
            return self._part("year", 1, year_similarity(query_year, candidate_year, common_title))

        by_year: dict[int | None, ScorePart] = {}
        off_by_one = None
        if query_year is not None:
            by_year[None] = year_part(None)
            for distance in range(len(YEAR_SIMILARITY)):
                by_year[query_year - distance] = by_year[query_year + distance] = year_part(query_year + distance)
            off_by_one = by_year[query_year + 1]
        other_year = year_part(None if query_year is None else query_year + len(YEAR_SIMILARITY))
        common = year_part(None if query_year is None else query_year + 1, common_title=True)
        return _Table(self, self.titles, self.kind, self.popularities, by_year, other_year, off_by_one, common)


_PARTS = (_Parts(with_ids=False), _Parts(with_ids=True))  # [with_ids]
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
    return _scored(query, (candidate,), namesakes)[0].score


def _scored(query: MatchQuery, candidates: Sequence[Candidate], namesakes: int | None = None) -> list[ScoredCandidate]:
    """Each candidate with its score: the parts, and their sum as the value. ``namesakes`` as
    for ``score_candidate``; None: count them among ``candidates``."""
    query_profile, query_kind, query_ids = query.profile, query.kind, query.ids
    query_single = query_profile.single
    if query_single is not None:
        query_text, query_length, query_compact, query_words, query_word_count, query_numbers = (
            query_single.text, query_single.length, query_single.compact, query_single.words,
            query_single.word_count, query_single.numbers)
    check_ids = bool(query_ids)
    without_ids = _PARTS[False].table(query.year)
    tables = (without_ids, _PARTS[True].table(query.year) if check_ids else without_ids)  # [ids agree or not]
    parts, title_parts, kind_parts, popularity_parts, year_parts, other_year, off_by_one, on_common_title = without_ids
    agreement = None
    carriers: int | None = None  # candidates carrying all the words of the query's title, once needed
    scored = []
    for candidate in candidates:
        if check_ids:
            agreement = query_ids.agrees_with(candidate.ids)
            parts, title_parts, kind_parts, popularity_parts, year_parts, other_year, off_by_one, on_common_title = (
                tables[agreement is not None])
        profile = (_work_profile(candidate.title) if not (candidate.original_title or candidate.alternative_titles)
                   else _profile_of(candidate))  # _profile_of, inline
        single = profile.single
        if single is None or query_single is None:
            closeness = _closeness(query_profile, profile)
        elif single.compact == query_compact:  # _closeness on its fast path, inline
            closeness = 1.0
        else:  # _best_pair of the two, inline: most candidates come here
            closeness = _CHARACTER_SHARE * (1.0 - _character_distance(query_text, single.text)
                                            / (query_length + single.length))
            words = single.words
            if not query_words.isdisjoint(words):
                closeness += _WORD_SHARE_PER_WORD * len(query_words & words) / (query_word_count + single.word_count)
            numbers = single.numbers
            if numbers is not query_numbers and numbers != query_numbers:
                closeness *= NUMBER_CONFLICT_FACTOR if numbers and query_numbers else NUMBER_MISSING_FACTOR
        try:
            title_part = title_parts[closeness]
        except KeyError:
            title_part = parts.title(closeness)
        year_part = year_parts.get(candidate.year, other_year)
        if year_part is off_by_one:  # a year apart: does a common title make it count for less?
            if namesakes is None:  # count the other candidates that carry the query's title
                if carriers is None:
                    carriers = _carriers(query_profile, candidates)
                others = carriers - _carries_title(query_profile, profile)
            else:
                others = namesakes
            if others >= COMMON_TITLE_NAMESAKES:
                year_part = on_common_title
        kind_part = kind_parts[candidate.kind is query_kind]
        try:
            popularity_part = popularity_parts[candidate.vote_count]
        except KeyError:
            popularity_part = parts.popularity(candidate.vote_count)
        value = title_part.contribution + year_part.contribution + kind_part.contribution + popularity_part.contribution
        score_parts: tuple[ScorePart, ...]
        if agreement is None:
            score_parts = (title_part, year_part, kind_part, popularity_part)
        else:
            ids_part = _ID_PARTS[agreement]
            value += ids_part.contribution
            score_parts = (title_part, year_part, kind_part, popularity_part, ids_part)
        score = _new(Score)
        _set_value(score, value if value < 1.0 else 1.0)
        _set_parts(score, score_parts)
        one = _new(ScoredCandidate)
        _set_candidate(one, candidate)
        _set_score(one, score)
        scored.append(one)
    return scored


def _carries_title(query: TitleProfile, work: TitleProfile) -> bool:
    """Does the work carry all the words of one of the query's full titles?"""
    return any(form.words <= work.words for form in query.full)


def _carriers(query: TitleProfile, candidates: Sequence[Candidate]) -> int:
    """How many candidates carry the query's title (``_carries_title``), counted in one pass:
    for a query known by one title, a subset test per candidate."""
    profiles = [_profile_of(c) for c in candidates]
    if len(query.full) != 1:
        return sum([_carries_title(query, profile) for profile in profiles])
    words = query.full[0].words
    return sum([words <= profile.words for profile in profiles])


def rank(query: MatchQuery, candidates: Sequence[Candidate]) -> list[ScoredCandidate]:
    """Candidates scored and sorted best first: a shared external id first, then by score;
    ties keep the provider's order."""
    scored = _scored(query, candidates)
    if query.ids:
        scored.sort(key=lambda s: (s.score.ids_agree is True, s.score.value), reverse=True)
    else:
        scored.sort(key=_by_value, reverse=True)
    return scored


_by_value = attrgetter("score.value")
