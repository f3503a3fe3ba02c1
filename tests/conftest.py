"""Suite-wide test set-up: offscreen Qt, a private data folder per test, no real network."""

from __future__ import annotations

import os

# Qt must not look for a display; set before anything imports PySide6.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

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
