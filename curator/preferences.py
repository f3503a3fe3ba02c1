"""The user's non-secret choices (server address, languages, provider order, thresholds),
kept as a small JSON file in the data folder. Secrets never go here: they live in the keyring.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import uuid
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FILE_NAME = "preferences.json"


@dataclass(frozen=True, slots=True)
class Preferences:
    server_url: str = ""
    server_name: str = ""
    library: str = ""
    client_identifier: str = ""
    summary_languages: tuple[str, ...] = ("en",)
    movie_providers: tuple[str, ...] = ("tmdb", "omdb", "tvdb")
    show_providers: tuple[str, ...] = ("tvdb", "tmdb", "tvmaze")
    #: Per summary language, the search-only sources whose text is preferred (Dutch: the VPRO
    #: Cinema reviews from NPO POMS, then cinema.nl).
    summary_sources: dict[str, tuple[str, ...]] = field(default_factory=lambda: {"nl": ("poms", "cinema_nl")})
    threshold: float | None = None
    margin: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def with_changes(self, **changes: Any) -> Preferences:
        return replace(self, **changes)


def load(folder: Path) -> Preferences:
    """The saved preferences; defaults (with a new client identifier) when missing or unreadable."""
    path = folder / FILE_NAME
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not an object")
        except (OSError, ValueError) as exc:
            log.warning("preferences file unreadable (%s); using defaults", type(exc).__name__)
            data = {}
    known = {f.name for f in fields(Preferences)}
    values: dict[str, Any] = {k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items() if k in known}
    if isinstance(values.get("summary_sources"), dict):
        values["summary_sources"] = {str(lang): tuple(names) for lang, names in values["summary_sources"].items()
                                     if isinstance(names, list | tuple)}
    prefs = Preferences(**values)
    if not prefs.client_identifier:
        prefs = prefs.with_changes(client_identifier=str(uuid.uuid4()))
        save(folder, prefs)
    return prefs


def save(folder: Path, prefs: Preferences) -> None:
    """Write atomically: a crash mid-write leaves the old file intact."""
    folder.mkdir(parents=True, exist_ok=True)
    payload = json.dumps(asdict(prefs), indent=2, ensure_ascii=False)
    fd, tmp = tempfile.mkstemp(prefix=".preferences-", suffix=".json", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, folder / FILE_NAME)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
