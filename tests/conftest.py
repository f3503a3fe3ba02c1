"""Suite-wide test set-up: offscreen Qt, a private data folder per test, no real network."""

from __future__ import annotations

import os

# Qt must not look for a display; set before anything imports PySide6.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import socket

import pytest

from curator.domain.redaction import secrets
from curator.logs import remove_handlers


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path, monkeypatch):
    """Every test gets its own data folder and no inherited CURATOR_* settings."""
    for name in list(os.environ):
        if name.startswith("CURATOR_") and name != "CURATOR_TEST_SECRET_SERVICE":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CURATOR_DATA_DIR", str(tmp_path / "curator-data"))
    yield
    secrets.forget_all()
    remove_handlers()  # a handler on a test's captured stderr must not outlive the test


_real_getaddrinfo = socket.getaddrinfo
_LOCAL_NAMES = {"localhost", "127.0.0.1", "::1", "0.0.0.0", ""}


def _loopback_only_getaddrinfo(host, *args, **kwargs):
    """Tests never reach the internet: resolving any name but loopback fails at once (rather
    than hanging on DNS), so a test that forgot to point at a fake fails loudly."""
    name = host.decode() if isinstance(host, bytes) else (host or "")
    if name not in _LOCAL_NAMES and not name.startswith("127."):
        raise socket.gaierror(socket.EAI_NONAME, f"tests may not resolve {name!r}: use a loopback fake")
    return _real_getaddrinfo(host, *args, **kwargs)


@pytest.fixture(autouse=True, scope="session")
def _no_internet():
    socket.getaddrinfo = _loopback_only_getaddrinfo
    yield
    socket.getaddrinfo = _real_getaddrinfo
