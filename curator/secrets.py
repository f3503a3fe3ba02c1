"""Keys and tokens: from ``CURATOR_<NAME>`` environment variables, else the OS keyring.

Every value read or written is registered for redaction, so it never reaches a log line.
Without a usable keyring backend, reads of names set in the environment still work; anything
else raises NoKeyringBackend with what to install or which variable to set.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from typing import TypeVar

import keyring
import keyring.backend
import keyring.errors
from keyring.backends import chainer, fail, null

from curator.domain.errors import NoKeyringBackend, SecretsError
from curator.domain.redaction import redact, secrets


def _backend_failures() -> tuple[type[BaseException], ...]:
    """Exceptions that mean "the keyring service is not usable" (not "no such secret")."""
    failures: list[type[BaseException]] = [keyring.errors.KeyringError, RuntimeError, OSError]
    try:
        from secretstorage.exceptions import SecretStorageException
        failures.append(SecretStorageException)
    except ImportError:  # not on macOS/Windows
        pass
    try:
        from jeepney.wrappers import DBusErrorResponse
        failures.append(DBusErrorResponse)
    except ImportError:
        pass
    return tuple(failures)


_BACKEND_FAILURES = _backend_failures()
T = TypeVar("T")


def variable_name(name: str) -> str:
    """The environment variable that overrides secret ``name``: tmdb_api_key → CURATOR_TMDB_API_KEY."""
    return "CURATOR_" + re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_")


class SecretStore:
    """Named secrets for one keyring service."""

    def __init__(self, service: str = "curator", environ: Mapping[str, str] = os.environ) -> None:
        self.service = service
        self._environ = environ

    def get(self, name: str) -> str | None:
        """The secret, or None when it is not set anywhere."""
        from_environment = self._environ.get(variable_name(name))
        if from_environment:
            secrets.register(from_environment)
            return from_environment
        value = self._call(name, lambda backend: backend.get_password(self.service, name))
        secrets.register(value)
        return value

    def set(self, name: str, value: str) -> None:
        if not value:
            raise SecretsError(f"Refusing to store an empty value for {name}.")
        secrets.register(value)
        try:
            self._call(name, lambda backend: backend.set_password(self.service, name, value))
        except keyring.errors.PasswordSetError as exc:
            raise SecretsError(f"The keyring did not save {name} ({redact(str(exc))}).",
                               hint="Unlock the keyring and try again.") from None

    def delete(self, name: str) -> None:
        """Forget the secret; nothing happens when it was not stored."""
        try:
            self._call(name, lambda backend: backend.delete_password(self.service, name))
        except keyring.errors.PasswordDeleteError:
            return

    def backend_status(self) -> tuple[bool, str]:
        """Whether a keyring backend is usable, and its name or why not."""
        try:
            backend = _usable_backend()
        except NoKeyringBackend as exc:
            return False, str(exc)
        return True, backend.name

    def _call(self, name: str, operation: Callable[[keyring.backend.KeyringBackend], T]) -> T:
        backend = _usable_backend(variable_name(name))
        try:
            return operation(backend)
        except (keyring.errors.PasswordSetError, keyring.errors.PasswordDeleteError):
            raise
        except _BACKEND_FAILURES as exc:
            raise NoKeyringBackend(
                f"The system keyring failed ({type(exc).__name__}: {redact(str(exc))}); "
                f"set {variable_name(name)} to provide {name} without it."
            ) from None


def _usable_backend(variable: str = "CURATOR_<NAME>") -> keyring.backend.KeyringBackend:
    backend = keyring.get_keyring()
    unusable = (
        isinstance(backend, (fail.Keyring, null.Keyring))
        or (isinstance(backend, chainer.ChainerBackend) and not backend.backends)
    )
    if unusable:
        raise NoKeyringBackend(
            f"No usable system keyring was found ({backend.name}).",
            hint=("Install and start one (GNOME Keyring or KWallet with the Secret Service API on Linux), "
                  f"or set {variable} to run without it."))
    return backend
