"""Removal of secrets from any text that may be logged, stored or shown.

Two layers: every secret Curator learns (keys, tokens) is registered and replaced wherever it
appears, and well-known carriers (``api_key=…``, ``X-Plex-Token=…``, ``Authorization: …``) are
masked even when the value was never registered.
"""

from __future__ import annotations

import re
import threading

MASK = "***"
_MIN_SECRET_LENGTH = 4

_CARRIERS = re.compile(
    r"(?P<name>\b(?:api_?key|apikey|client_key|x-plex-token|access_?token|auth_?token|token|secret|pin|password)"
    r"[\"']?\s*[=:]\s*[\"']?)(?P<value>[^&\s\"',;}]+)",
    re.IGNORECASE,
)
_AUTH_HEADER = re.compile(
    r"(?P<name>\bauthorization[\"']?\s*[:=]\s*[\"']?(?:bearer|npo|basic)?\s*)(?P<value>[^\s\"',;}]+)",
    re.IGNORECASE)


class SecretRegistry:
    """The set of secret values this process knows; ``redact`` hides them in text."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: tuple[str, ...] = ()
        self._pattern: re.Pattern[str] | None = None

    def register(self, secret: str | None) -> None:
        if not secret or len(secret) < _MIN_SECRET_LENGTH:
            return
        with self._lock:
            if secret in self._secrets:
                return
            secrets = sorted({*self._secrets, secret}, key=len, reverse=True)
            self._secrets = tuple(secrets)
            self._pattern = re.compile("|".join(re.escape(s) for s in secrets))

    def forget_all(self) -> None:
        with self._lock:
            self._secrets = ()
            self._pattern = None

    def redact(self, text: str) -> str:
        pattern = self._pattern
        if pattern is not None:
            text = pattern.sub(MASK, text)
        text = _AUTH_HEADER.sub(lambda m: m.group("name") + MASK, text)
        return _CARRIERS.sub(lambda m: m.group("name") + MASK, text)


#: The process-wide registry. ``curator.secrets`` registers every key it reads.
secrets = SecretRegistry()


def redact(text: str) -> str:
    return secrets.redact(text)
