"""Frozen values that travel between the layers. Raw service JSON never becomes one of these
outside the module that parses it."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field


class MediaKind(enum.Enum):
    """Plex's metadata types Curator handles, with Plex's type numbers."""

    MOVIE = "movie"
    SHOW = "show"
    SEASON = "season"
    EPISODE = "episode"

    @property
    def plex_type(self) -> int:
        return _PLEX_TYPE_NUMBERS[self]

    @classmethod
    def from_plex_type(cls, number: int) -> MediaKind:
        for kind, value in _PLEX_TYPE_NUMBERS.items():
            if value == number:
                return kind
        raise ValueError(f"unsupported Plex type number {number}")


_PLEX_TYPE_NUMBERS = {MediaKind.MOVIE: 1, MediaKind.SHOW: 2, MediaKind.SEASON: 3, MediaKind.EPISODE: 4}


class DecisionStatus(enum.StrEnum):
    """Where an item stands in review: proposed by the matcher, decided by the user, pushed."""

    PENDING = "pending"
    AUTO = "auto"
    AMBIGUOUS = "ambiguous"
    NO_MATCH = "no_match"
    ACCEPTED = "accepted"
    SKIPPED = "skipped"
    PUSHED = "pushed"
    FAILED = "failed"


class PushState(enum.StrEnum):
    """A push journal entry: intent recorded → written to Plex → read back (done); or failed;
    a done push can be reverted."""

    PENDING = "pending"
    WRITTEN = "written"
    DONE = "done"
    FAILED = "failed"
    REVERTED = "reverted"

_IMDB_ID = re.compile(r"tt[0-9]{5,10}")


def is_imdb_id(value: object) -> bool:
    """``tt`` and 5–10 ASCII digits, nothing else: the one check for an IMDb id from outside."""
    return isinstance(value, str) and _IMDB_ID.fullmatch(value) is not None


def is_plain_number(value: object) -> bool:
    """ASCII digits only (``"²".isdigit()`` is true, but it is no id)."""
    return isinstance(value, str) and value.isascii() and value.isdigit()


@dataclass(frozen=True, slots=True)
class ExternalIds:
    """Ids of one work in the outside databases. Any may be missing."""

    imdb: str | None = None
    tmdb: int | None = None
    tvdb: int | None = None

    @classmethod
    def from_guids(cls, guids: tuple[str, ...] | list[str]) -> ExternalIds:
        """From Plex ``Guid[].id`` values (``imdb://tt…``, ``tmdb://…``, ``tvdb://…``) and legacy
        agent guids (``com.plexapp.agents.imdb://tt…?lang=en``, ``…thetvdb://74205/1/1?lang=en``)."""
        imdb = tmdb = tvdb = None
        for guid in guids:
            scheme, sep, rest = guid.partition("://")
            if not sep:
                continue
            value = rest.split("?", 1)[0].split("/", 1)[0]
            scheme = scheme.rsplit(".", 1)[-1]  # com.plexapp.agents.imdb -> imdb
            if scheme == "imdb" and is_imdb_id(value):
                imdb = value
            elif scheme in ("tmdb", "themoviedb") and is_plain_number(value):
                tmdb = int(value)
            elif scheme in ("tvdb", "thetvdb") and is_plain_number(value):
                tvdb = int(value)
        return cls(imdb=imdb, tmdb=tmdb, tvdb=tvdb)

    def __bool__(self) -> bool:
        return bool(self.imdb or self.tmdb or self.tvdb)

    def agrees_with(self, other: ExternalIds) -> bool | None:
        """True when some id is shared, False when a shared kind differs, None when unknown."""
        verdict: bool | None = None
        for mine, theirs in ((self.imdb, other.imdb), (self.tmdb, other.tmdb), (self.tvdb, other.tvdb)):
            if mine is None or theirs is None:
                continue
            if mine == theirs:
                return True
            verdict = False
        return verdict


@dataclass(frozen=True, slots=True)
class PlexServer:
    """A Plex Media Server Curator talks to. The token is not here: it lives in the keyring."""

    base_url: str
    machine_identifier: str = ""
    name: str = ""
    version: str = ""


@dataclass(frozen=True, slots=True)
class LibrarySection:
    key: str
    title: str
    kind: MediaKind
    agent: str = ""
    language: str = ""
    uuid: str = ""


@dataclass(frozen=True, slots=True)
class LibraryItem:
    """One Plex item (movie, show, season or episode) as Curator needs it."""

    rating_key: str
    kind: MediaKind
    title: str
    section_key: str = ""
    year: int | None = None
    original_title: str = ""
    guid: str = ""
    guids: tuple[str, ...] = ()
    summary: str = ""
    locked_fields: frozenset[str] = frozenset()
    parent_rating_key: str = ""
    parent_title: str = ""
    grandparent_title: str = ""
    index: int | None = None
    parent_index: int | None = None
    file_path: str = ""

    @property
    def external_ids(self) -> ExternalIds:
        return ExternalIds.from_guids((self.guid, *self.guids))

    @property
    def summary_locked(self) -> bool:
        return "summary" in self.locked_fields

    @property
    def is_unmatched(self) -> bool:
        return self.guid.startswith("local://") or not self.guid


@dataclass(frozen=True, slots=True)
class ItemPage:
    """One page of a section listing. When the server did not page, ``offset`` is 0 and ``total``
    is the number of items it returned."""

    items: tuple[LibraryItem, ...]
    offset: int
    total: int | None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A possible match from one provider, already parsed out of the provider's JSON."""

    provider: str
    provider_id: str
    kind: MediaKind
    title: str
    year: int | None = None
    original_title: str = ""
    alternative_titles: tuple[str, ...] = ()
    ids: ExternalIds = field(default_factory=ExternalIds)
    popularity: float = 0.0
    vote_count: int = 0
    summary: str = ""
    summary_language: str = ""
    poster_url: str = ""
    original_language: str = ""
    #: Where the summary came from when another provider supplied it (e.g. "poms"); "" = ``provider``.
    summary_source: str = ""
