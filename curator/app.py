"""The composition root: the one place that builds the concrete parts and wires them together.

Both front ends (the Qt window and the CLI) get an ``AppContext`` from here and talk only to
services. In demo mode the embedded fake servers are started on loopback and every endpoint is
pointed at them, so the rest of the app cannot tell the difference.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any

import httpx

from curator import preferences as prefs_file
from curator import settings
from curator.domain.errors import AuthFailed, CuratorError, NoKeyringBackend, SecretsError
from curator.domain.models import MediaKind
from curator.domain.redaction import secrets as secret_registry
from curator.logs import configure_logging
from curator.net.gateway import ProviderGateway
from curator.net.http import create_client
from curator.preferences import Preferences
from curator.providers.base import Provider, build_gateway, default_settings
from curator.providers.chain import ProviderChain
from curator.secrets import SecretStore, variable_name
from curator.services.library import LibraryService
from curator.services.matching import MatchingService, MatchSettings
from curator.services.publishing import Publisher
from curator.store import db as store_db
from curator.store.cache import ProviderCache
from curator.store.decisions import DecisionStore
from curator.store.journal import PushJournal

#: The start of the one notice a run without a usable keyring gets.
NO_KEYRING_NOTICE = "No usable system keyring was found: keys and tokens come from CURATOR_* environment variables only"
log = logging.getLogger(__name__)

PLEX_TOKEN = "PLEX_TOKEN"  # noqa: S105 - the keyring entry's name, not a secret


@dataclass
class AppContext:
    paths: settings.Paths
    prefs: Preferences
    secrets: SecretStore
    demo: Any = None  # curator.demo.servers.DemoServers when running the demo
    notices: list[str] = field(default_factory=list)
    database: Any = None
    _http: httpx.AsyncClient | None = None
    _providers: ProviderSet | None = None

    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = create_client()
        return self._http

    def save_prefs(self, prefs: Preferences) -> None:
        self.prefs = prefs
        prefs_file.save(self.paths.data, prefs)

    def plex_token(self) -> str:
        if self.demo is not None:
            return str(self.demo.describe()["plex_token"])
        token = self.secrets.get(PLEX_TOKEN)
        if not token:
            raise AuthFailed("Plex", "no token saved for this server",
                             hint="Connect to a server first (URL and token), or set CURATOR_PLEX_TOKEN.")
        return token

    def plex_url(self) -> str:
        if self.demo is not None:
            return str(self.demo.describe()["plex_url"])
        return self.prefs.server_url

    async def open_library(self, url: str | None = None, token: str | None = None) -> LibraryService:
        base = url or self.plex_url()
        if not base:
            raise CuratorError("No Plex server is configured.",
                               hint="Use 'Connect to server' in the window, or pass --server URL.")
        return await LibraryService.connect(self.http, base, token or self.plex_token(),
                                            client_identifier=self.prefs.client_identifier)

    def secret(self, name: str) -> str | None:
        """A key from the environment or the keyring; None (and a notice) when unavailable."""
        try:
            return self.secrets.get(name)
        except NoKeyringBackend:
            # One notice for the whole run, not one per key the keyring was asked for.
            if not any(notice.startswith(NO_KEYRING_NOTICE) for notice in self.notices):
                self.notices.append(f"{NO_KEYRING_NOTICE} (first needed for {variable_name(name)}). "
                                    f"{NoKeyringBackend.hint}")
            return None
        except SecretsError as err:
            if err.user_message not in self.notices:
                self.notices.append(err.user_message)
            return None

    @property
    def providers(self) -> ProviderSet:
        """The provider chain and its gateways, built on first use from the keys available."""
        if self._providers is None:
            self._providers = build_providers(self)
        return self._providers

    def match_settings(self, *, threshold: float | None = None, margin: float | None = None,
                       concurrency: int | None = None) -> MatchSettings:
        """The user's thresholds and languages, with command-line overrides."""
        defaults = MatchSettings()
        return MatchSettings(
            threshold=_first_set(threshold, self.prefs.threshold, defaults.threshold),
            margin=_first_set(margin, self.prefs.margin, defaults.margin),
            languages=tuple(self.prefs.summary_languages) or defaults.languages,
            concurrency=concurrency or defaults.concurrency)

    def matching(self, library: LibraryService, settings: MatchSettings | None = None) -> MatchingService:
        return MatchingService(self.providers.chain, DecisionStore(self.database),
                               library.server.machine_identifier, settings or self.match_settings(),
                               episodes_of=lambda show: library.client.all_leaves(show.rating_key))

    def publisher(self, library: LibraryService) -> Publisher:
        return Publisher(library.client, library.server.machine_identifier, PushJournal(self.database),
                         DecisionStore(self.database))

    def decisions(self) -> DecisionStore:
        return DecisionStore(self.database)

    def reset_providers(self) -> None:
        """Forget the built providers (after keys, order or languages changed in Settings); the
        next use builds them again from the current keys and preferences."""
        self._providers = None

    async def aclose(self) -> None:
        if self._providers is not None:  # a cache preload or mark write still running finishes first
            for gateway in self._providers.gateways.values():
                await gateway.finish_cache_work()
        self._providers = None
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def close(self) -> None:
        if self.demo is not None:
            self.demo.stop()
            self.demo = None
        store_db.close_database()


def build_context(*, demo: bool = False, demo_items: int | None = None, to_stderr: bool = False) -> AppContext:
    """Create folders, logging, the store, the secret store and (for the demo) the fake servers."""
    paths = settings.paths().ensure()
    configure_logging(paths, to_stderr=to_stderr)
    opened = store_db.open_database(paths.database)
    notices: list[str] = []
    if opened.recovered is not None:
        notices.append(opened.recovered.user_message)
    context = AppContext(paths=paths, prefs=prefs_file.load(paths.data), secrets=SecretStore(), notices=notices,
                         database=opened)
    if demo:
        context.demo = start_demo(demo_items)
    return context


def start_demo(items: int | None = None) -> Any:
    """Start the embedded fake servers and point every endpoint at them (this process only)."""
    from curator.demo.servers import DemoServers

    servers = DemoServers(items=items)
    servers.start()
    described = servers.describe()
    os.environ.update(described["env"])
    secret_registry.register(str(described.get("plex_token", "")))
    log.info("demo servers started: %s", ", ".join(sorted(described["env"])))
    return servers


@dataclass
class ProviderSet:
    """What matching needs from the providers: the chain, each gateway (for statistics and
    circuit state) and the optional artwork source."""

    chain: ProviderChain
    gateways: dict[str, ProviderGateway]
    artwork: Any = None  # curator.providers.fanart.FanartSource when a fanart.tv key is set


def import_providers() -> None:
    """Import the provider modules (bs4 among them) ahead of need, off the event loop's thread.
    ``build_providers`` imports them on first use; the window calls this while it connects, so
    the first library opened does not pay for the imports while its items load (an import holds
    the interpreter lock the window's event loop needs)."""
    from curator.providers import cinema_nl, fanart, omdb, poms, tmdb, tvdb, tvmaze  # noqa: F401


def build_providers(context: AppContext) -> ProviderSet:
    """One gateway per provider that has its key (TVmaze needs none), sharing the HTTP client
    and the SQLite response cache; the chain orders them as the user chose."""
    # Imported here, not at start-up: the window shows before any provider is needed.
    from curator.providers import cinema_nl, omdb, poms, tmdb, tvdb, tvmaze
    config = default_settings()
    cache = ProviderCache(context.database) if context.database is not None else None
    gateways: dict[str, ProviderGateway] = {}
    providers: dict[str, Provider] = {}

    def gateway(name: str, auth: httpx.Auth | None) -> ProviderGateway:
        built = build_gateway(config[name], context.http, cache=cache, auth=auth)
        gateways[name] = built
        return built

    if key := context.secret("TMDB_API_KEY"):
        providers["tmdb"] = tmdb.TmdbProvider(gateway("tmdb", tmdb.tmdb_auth(key)))
    if key := context.secret("TVDB_API_KEY"):
        auth = tvdb.TvdbAuth(key, context.secret("TVDB_PIN"), tvdb.SecretTokenStore(context.secrets),
                             config["tvdb"].base_url)
        providers["tvdb"] = tvdb.TvdbProvider(gateway("tvdb", auth))
    if key := context.secret("OMDB_API_KEY"):
        providers["omdb"] = omdb.OmdbProvider(gateway("omdb", omdb.auth_for(key)))
    providers["tvmaze"] = tvmaze.TvmazeProvider(gateway("tvmaze", None))
    poms_key, poms_secret = context.secret(poms.KEY_NAME), context.secret(poms.SECRET_NAME)
    if poms_key and poms_secret:
        # A refused key is looked for again where NPO publishes it (at most once a minute).
        finder = poms.CredentialFinder(build_gateway(config["poms_key_pages"], context.http),
                                       known=poms.PomsCredentials(poms_key, poms_secret))
        providers["poms"] = poms.PomsProvider(gateway("poms", poms.auth_for(poms_key, poms_secret, finder=finder)))
    wanted_sources = {name for lang in context.prefs.summary_languages
                      for name in context.prefs.summary_sources.get(lang, ())}
    if "cinema_nl" in wanted_sources:  # a web site, not an API: only when a language asks for it
        providers["cinema_nl"] = cinema_nl.CinemaNlProvider(
            gateway("cinema_nl", None), image_origin=settings.endpoint("CINEMA_NL_IMAGES"))
    artwork = None
    if key := context.secret("FANART_API_KEY"):
        from curator.providers import fanart

        artwork = fanart.FanartSource(gateway("fanart", fanart.auth_for(key, context.secret("FANART_CLIENT_KEY"))))
    order = {MediaKind.MOVIE: context.prefs.movie_providers, MediaKind.SHOW: context.prefs.show_providers}
    if not providers.keys() - {"tvmaze"}:
        context.notices.append("No metadata provider keys are set: only TVmaze (TV shows) can be searched. "
                               "Add a TMDB key in Settings.")
    match = context.match_settings()
    chain = ProviderChain(providers, order, summary_sources=context.prefs.summary_sources,
                          threshold=match.threshold, margin=match.margin)
    return ProviderSet(chain, gateways, artwork)


def _first_set(*values: float | None) -> float:
    return next(value for value in values if value is not None)
