"""What the first-run wizard and Settings ask of the outside world, without Qt: test a
provider key with one cheap request through its real gateway, connect to a Plex server, find
the servers of a plex.tv account and the address that works for each, read and save the
keys in the keyring off the event loop's thread.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass

import httpx

from curator.domain.errors import BadResponse, CuratorError, InvalidInput, NotFound, SecretsError, Unreachable
from curator.domain.models import ExternalIds, MediaKind
from curator.domain.redaction import secrets as secret_registry
from curator.net.gateway import ProviderGateway
from curator.net.resilience import RetryPolicy
from curator.plex.auth import (
    Pin,
    PinExpired,
    PlexResource,
    PlexTvClient,
    first_reachable,
    preferred_connections,
)
from curator.preferences import Preferences
from curator.providers import fanart, omdb, poms, tmdb
from curator.providers.base import build_gateway, default_settings
from curator.secrets import SecretStore
from curator.services.library import LibraryService

__all__ = [
    "PROVIDER_SECRETS", "KeyCheck", "Pin", "PinExpired", "PlexResource", "PlexTvClient", "PublishedPomsKey",
    "SecretValues",
    "check_provider_key", "chosen_libraries", "connect_server", "connection_kind", "discover_servers",
    "plextv_client", "reachable_address", "read_secrets", "save_secret", "save_secrets", "with_libraries",
]

log = logging.getLogger(__name__)

#: The keyring entries of each provider, the key first (the others are optional or paired).
PROVIDER_SECRETS: dict[str, tuple[str, ...]] = {
    "tmdb": ("TMDB_API_KEY",),
    "tvdb": ("TVDB_API_KEY", "TVDB_PIN"),
    "omdb": ("OMDB_API_KEY",),
    "fanart": ("FANART_API_KEY",),
    "poms": (poms.KEY_NAME, poms.SECRET_NAME),
}
WORKS = "Works"
#: Known records the key tests ask for: The Matrix (1999).
_MATRIX = ExternalIds(imdb="tt0133093", tmdb=603)
_LIBRARIES = "libraries"


# --- provider keys ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KeyCheck:
    """The outcome of one key test: ``message`` is "Works" or what went wrong and what to do."""

    provider: str
    works: bool
    message: str


async def check_provider_key(http: httpx.AsyncClient, provider: str, values: Mapping[str, str]) -> KeyCheck:
    """Make ONE cheap request to ``provider`` with the keys in ``values`` (by keyring name, as
    in PROVIDER_SECRETS) through a fresh gateway (no cache, no retry) and say whether it works."""
    if provider not in _PROBES:
        raise InvalidInput(f"There is no key test for {provider!r}.")
    cleaned = {name: value.strip() for name, value in values.items() if value and value.strip()}
    for value in cleaned.values():
        secret_registry.register(value)
    config = default_settings()[provider]
    try:
        await _PROBES[provider](http, cleaned)
    except CuratorError as err:
        log.info("%s key test failed: %s", config.label, type(err).__name__)
        return KeyCheck(provider, False, err.user_message)
    return KeyCheck(provider, True, WORKS)


def _gateway(http: httpx.AsyncClient, provider: str, auth: httpx.Auth | None) -> ProviderGateway:
    return build_gateway(default_settings()[provider], http, auth=auth, retry=RetryPolicy(attempts=1))


def _required(values: Mapping[str, str], name: str, what: str) -> str:
    value = values.get(name, "")
    if not value:
        raise InvalidInput(f"Enter the {what} first.")
    return value


async def _probe_tmdb(http: httpx.AsyncClient, values: Mapping[str, str]) -> None:
    key = _required(values, "TMDB_API_KEY", "TMDB API key or read access token")
    await _gateway(http, "tmdb", tmdb.tmdb_auth(key)).get_json("/configuration", not_found_is_empty=False)


async def _probe_tvdb(http: httpx.AsyncClient, values: Mapping[str, str]) -> None:
    """A login: the one request that checks the key (and the subscriber PIN, when given)."""
    body = {"apikey": _required(values, "TVDB_API_KEY", "TheTVDB API key")}
    if pin := values.get("TVDB_PIN"):
        body["pin"] = pin
    answer = await _gateway(http, "tvdb", None).post_json("/login", body, not_found_is_empty=False)
    data = answer.get("data") if isinstance(answer, dict) else None
    token = data.get("token") if isinstance(data, dict) else None
    if not isinstance(token, str) or not token:
        raise BadResponse("TheTVDB", "answered the login without a token")
    secret_registry.register(token)


async def _probe_omdb(http: httpx.AsyncClient, values: Mapping[str, str]) -> None:
    key = _required(values, "OMDB_API_KEY", "OMDb API key")
    await omdb.OmdbProvider(_gateway(http, "omdb", omdb.auth_for(key))).lookup(_MATRIX, MediaKind.MOVIE, "en")


async def _probe_fanart(http: httpx.AsyncClient, values: Mapping[str, str]) -> None:
    key = _required(values, "FANART_API_KEY", "fanart.tv API key")
    await fanart.FanartSource(_gateway(http, "fanart", fanart.auth_for(key))).artwork(_MATRIX, MediaKind.MOVIE)


async def _probe_poms(http: httpx.AsyncClient, values: Mapping[str, str]) -> None:
    key = _required(values, poms.KEY_NAME, "NPO POMS API key")
    secret = _required(values, poms.SECRET_NAME, "NPO POMS API secret")
    provider = poms.PomsProvider(_gateway(http, "poms", poms.auth_for(key, secret)), max_results=1)
    await provider.search_pages("Matrix", MediaKind.MOVIE)


_PROBES: dict[str, Callable[[httpx.AsyncClient, Mapping[str, str]], Awaitable[None]]] = {
    "tmdb": _probe_tmdb, "tvdb": _probe_tvdb, "omdb": _probe_omdb, "fanart": _probe_fanart, "poms": _probe_poms,
}


class PublishedPomsKey:
    """The POMS key and secret NPO publishes in the scripts of its cinema.nl pages, for users
    who have none of their own. One search at most a minute (``poms.CredentialFinder``): asking
    again sooner gives what the last search found. Keep one instance per window."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self._finder = poms.CredentialFinder(_gateway(http, "poms_key_pages", None))

    async def find(self) -> dict[str, str]:
        """The key and secret by keyring name (as in PROVIDER_SECRETS), or NotFound."""
        found = await self._finder.refresh()
        if found is None:
            raise NotFound("cinema.nl", "no published NPO POMS key was found (the site may be unreachable "
                           "or its pages changed; the log says which)",
                           hint="Enter a key and secret from the NPO instead.")
        return {poms.KEY_NAME: found.key, poms.SECRET_NAME: found.secret}


# --- the keyring, off the event loop's thread --------------------------------------------------


@dataclass(frozen=True, slots=True)
class SecretValues:
    """Secrets read from the environment or the keyring; ``problem`` says why some could not be
    read (no keyring), or is empty."""

    values: Mapping[str, str]
    problem: str = ""


async def read_secrets(store: SecretStore, names: Iterable[str]) -> SecretValues:
    """The secrets that are set, by name (keyring calls may block: they run in a thread)."""

    def read() -> SecretValues:
        values: dict[str, str] = {}
        problem = ""
        for name in names:
            try:
                value = store.get(name)
            except SecretsError as err:
                problem = problem or err.user_message
                continue
            if value:
                values[name] = value
        return SecretValues(values, problem)

    return await asyncio.to_thread(read)


async def save_secrets(store: SecretStore, changes: Mapping[str, str]) -> None:
    """Store each non-empty value and forget each name whose value is empty."""

    def write() -> None:
        for name, value in changes.items():
            if value.strip():
                store.set(name, value.strip())
            else:
                store.delete(name)

    await asyncio.to_thread(write)


async def save_secret(store: SecretStore, name: str, value: str) -> None:
    await save_secrets(store, {name: value})


# --- Plex ------------------------------------------------------------------------------------


def plextv_client(http: httpx.AsyncClient, client_identifier: str) -> PlexTvClient:
    """plex.tv for sign-in and server discovery (its address honours CURATOR_PLEXTV_URL)."""
    return PlexTvClient(http, client_identifier)


async def connect_server(http: httpx.AsyncClient, url: str, token: str, *,
                         client_identifier: str) -> LibraryService:
    """Connect to the server at ``url`` with ``token``: proves both, reads the libraries."""
    if not url.strip() or not token.strip():
        raise InvalidInput("Enter both the server address and the token.")
    secret_registry.register(token.strip())
    return await LibraryService.connect(http, url, token.strip(), client_identifier=client_identifier)


async def discover_servers(plextv: PlexTvClient, account_token: str) -> list[PlexResource]:
    """The account's Plex Media Servers, the user's own first."""
    servers = await plextv.resources(account_token)
    return sorted(servers, key=lambda server: (not server.owned, server.name.casefold()))


async def reachable_address(server: PlexResource, http: httpx.AsyncClient, *, client_identifier: str) -> str:
    """The first of the server's addresses (local first) where it answers; Unreachable if none."""
    addresses = preferred_connections(server)
    if not addresses:
        raise Unreachable("Plex", f"{server.name or 'the server'} has no address Curator can use",
                          hint="Ask the server's owner to enable remote access, or enter its address by hand.")
    return await first_reachable(addresses, server.access_token, http, client_identifier=client_identifier)


def connection_kind(server: PlexResource, url: str) -> str:
    """"local", "remote" or "relay": which of the server's connections ``url`` is."""
    for connection in server.connections:
        host = f"[{connection.address}]" if ":" in connection.address else connection.address
        if url in (connection.uri, f"http://{host}:{connection.port}"):
            return "relay" if connection.relay else "local" if connection.local else "remote"
    return "remote"


# --- preferences -----------------------------------------------------------------------------


def chosen_libraries(prefs: Preferences) -> list[str]:
    """The libraries the user picked (``prefs.library`` is the first of them)."""
    extra = prefs.extra.get(_LIBRARIES)
    titles = [str(title) for title in extra] if isinstance(extra, list) else []
    if prefs.library and prefs.library not in titles:
        titles.insert(0, prefs.library)
    return titles


def with_libraries(prefs: Preferences, titles: Iterable[str]) -> Preferences:
    chosen = list(dict.fromkeys(titles))
    return prefs.with_changes(library=chosen[0] if chosen else "", extra={**prefs.extra, _LIBRARIES: chosen})
