"""What the fake Plex holds when it starts: sections of items, as frozen values.

The demo catalogue and the synthetic generator both produce these; the fake server turns them
into its mutable library state.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

PlexKind = Literal["movie", "show", "season", "episode"]
SectionKind = Literal["movie", "show"]

#: Plex metadata type numbers (PLEX_API.md §3).
TYPE_NUMBERS: dict[str, int] = {"movie": 1, "show": 2, "season": 3, "episode": 4}
#: Which item kinds each section kind lists, its own kind first.
SECTION_KINDS: dict[str, tuple[PlexKind, ...]] = {
    "movie": ("movie",),
    "show": ("show", "season", "episode"),
}


@dataclass(frozen=True, slots=True)
class PlexEntry:
    """One library item as Plex holds it at start-up.

    ``guid`` is the agent guid (``plex://movie/…``, ``com.plexapp.agents.imdb://tt…?lang=en``
    or ``local://…``); ``external_guids`` are the ``Guid[]`` ids (``imdb://…``, ``tmdb://…``,
    ``tvdb://…``), present for new-agent items only. ``parent`` is the rating key of the
    season (episodes) or show (seasons).
    """

    rating_key: int
    kind: PlexKind
    title: str
    year: int | None = None
    guid: str = ""
    external_guids: tuple[str, ...] = ()
    summary: str = ""
    locked: frozenset[str] = frozenset()
    original_title: str = ""
    originally_available_at: str = ""
    file: str = ""
    duration_ms: int = 0
    parent: int | None = None
    index: int | None = None
    added_at: int = 1_700_000_000
    work_key: str = ""


@dataclass(frozen=True, slots=True)
class PlexSectionSpec:
    """A library section and its items (parents listed before their children)."""

    key: int
    title: str
    kind: SectionKind
    entries: tuple[PlexEntry, ...]
    location: str
    language: str = "en-US"
    created_at: int = 1_690_000_000

    @property
    def agent(self) -> str:
        return "tv.plex.agents.movie" if self.kind == "movie" else "tv.plex.agents.series"

    @property
    def scanner(self) -> str:
        return "Plex Movie" if self.kind == "movie" else "Plex TV Series"


def plex_guid(kind: PlexKind, seed: str) -> str:
    """A new-agent guid with a stable 24-hex id derived from ``seed``."""
    digest = hashlib.sha1(f"{kind}:{seed}".encode()).hexdigest()
    return f"plex://{kind}/5d77{digest[:20]}"
