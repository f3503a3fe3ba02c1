"""One small error tree for everything Curator reports to a user.

Every error carries a message a user can act on (``str(err)``) and never a secret:
messages are built from service names, status codes and hints, not from URLs or headers.
Errors from remote services are mapped once, at the HTTP boundary (``curator.net.http``).
"""

from __future__ import annotations


class CuratorError(Exception):
    """Base of every error Curator raises on purpose."""

    hint: str = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    @property
    def user_message(self) -> str:
        text = str(self)
        return f"{text} {self.hint}".strip() if self.hint else text


# --- remote services (Plex, plex.tv, metadata providers) -------------------------------


class RemoteError(CuratorError):
    """A remote service (Plex, plex.tv or a metadata provider) failed to answer usefully."""

    def __init__(self, service: str, message: str, *, status: int | None = None,
                 hint: str | None = None) -> None:
        super().__init__(f"{service}: {message}", hint=hint)
        self.service = service
        self.status = status


# Providers are remote services too; ARCHITECTURE.md calls the branch ProviderError.
ProviderError = RemoteError


class AuthFailed(RemoteError):
    hint = "Check the token or API key in Settings."


class NotFound(RemoteError):
    pass


class BadRequest(RemoteError):
    pass


class RateLimited(RemoteError):
    hint = "Curator will slow down and try again."

    def __init__(self, service: str, message: str, *, status: int | None = 429,
                 retry_after: float | None = None, hint: str | None = None) -> None:
        super().__init__(service, message, status=status, hint=hint)
        self.retry_after = retry_after


class ServerError(RemoteError):
    hint = "The service had a problem; try again later."


class BadResponse(RemoteError):
    """The answer could not be read: malformed or truncated JSON, HTML where JSON was expected."""

    hint = "Is the address right? It may point at something that is not this service."


class Unreachable(RemoteError):
    """No connection: server down, wrong address, name resolution failed, connection dropped."""

    hint = "Check that the server is running and the address is right."


class TimedOut(RemoteError):
    hint = "The service is slow or unreachable; try again later."


class CircuitOpen(RemoteError):
    """A provider failed repeatedly and is skipped for a while."""

    hint = "Curator skips it for a while and uses the next provider."


# --- local state -------------------------------------------------------------------------


class StoreError(CuratorError):
    pass


class DatabaseLocked(StoreError):
    hint = "Another Curator may be running on the same data folder; close it and try again."


class DatabaseCorrupt(StoreError):
    hint = "Curator set the damaged file aside and started a new one."


class SecretsError(CuratorError):
    pass


class NoKeyringBackend(SecretsError):
    hint = ("Install a keyring service (GNOME Keyring, KWallet, macOS Keychain, Windows "
            "Credential Manager), or set CURATOR_<NAME> environment variables for headless use.")


class InvalidInput(CuratorError):
    """Something from outside (a user-typed id, a ratingKey) failed validation."""
