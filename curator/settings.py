"""Where Curator keeps its files and which addresses it talks to.

Folders default to platformdirs' per-OS locations; ``CURATOR_DATA_DIR`` puts data, cache and
logs under one folder instead. Every remote endpoint can be overridden with
``CURATOR_<NAME>_URL`` (e.g. ``CURATOR_TMDB_URL``): that is how the demo, the tests and the
benchmarks point Curator at loopback servers, and how a user can go through a proxy.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_DIR_NAME = "Curator"

#: Default base URLs of every remote service, by the name used in ``CURATOR_<NAME>_URL``.
DEFAULT_ENDPOINTS: dict[str, str] = {
    "PLEXTV": "https://plex.tv",
    "PLEX_AUTH_APP": "https://app.plex.tv/auth",
    "TMDB": "https://api.themoviedb.org/3",
    "TMDB_IMAGES": "https://image.tmdb.org/t/p",
    "TVDB": "https://api4.thetvdb.com/v4",
    "TVMAZE": "https://api.tvmaze.com",
    "OMDB": "https://www.omdbapi.com",
    "FANART": "https://webservice.fanart.tv/v3",
    "POMS": "https://rs.poms.omroep.nl/v1",
    "CINEMA_NL": "https://www.cinema.nl",
    "CINEMA_NL_IMAGES": "https://images.vpro.nl",
    # The cinema.nl pages whose scripts carry the POMS key NPO publishes for its own site.
    "POMS_KEY_PAGES": "https://www.cinema.nl",
}


@dataclass(frozen=True, slots=True)
class Paths:
    data: Path
    cache: Path
    logs: Path

    @property
    def database(self) -> Path:
        return self.data / "curator.sqlite3"

    def ensure(self) -> Paths:
        for folder in (self.data, self.cache, self.logs):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def paths(environ: dict[str, str] | None = None) -> Paths:
    env = os.environ if environ is None else environ
    root = env.get("CURATOR_DATA_DIR")
    if root:
        base = Path(root).expanduser()
        return Paths(data=base, cache=base / "cache", logs=base / "logs")
    return Paths(
        data=Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False)),
        cache=Path(platformdirs.user_cache_dir(APP_DIR_NAME, appauthor=False)),
        logs=Path(platformdirs.user_log_dir(APP_DIR_NAME, appauthor=False)),
    )


def endpoint(name: str, environ: dict[str, str] | None = None) -> str:
    """Base URL of service ``name`` (a key of DEFAULT_ENDPOINTS), without a trailing slash."""
    env = os.environ if environ is None else environ
    key = name.upper()
    url = env.get(f"CURATOR_{key}_URL") or DEFAULT_ENDPOINTS[key]
    return url.rstrip("/")


def log_level(environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return env.get("CURATOR_LOG_LEVEL", "INFO").upper()
