from __future__ import annotations

import os
import uuid

import keyring.errors
import pytest
from keyring.backends import fail, null

from curator.domain.errors import NoKeyringBackend, SecretsError
from curator.domain.redaction import MASK, redact
from curator.secrets import SecretStore, variable_name
from tests.support.memory_keyring import MemoryKeyring, installed_keyring, memory_keyring


@pytest.fixture
def backend():
    with memory_keyring() as installed:
        yield installed


@pytest.mark.parametrize(("name", "variable"), [
    ("tmdb_api_key", "CURATOR_TMDB_API_KEY"),
    ("plex_token", "CURATOR_PLEX_TOKEN"),
    ("plex-token:abc123", "CURATOR_PLEX_TOKEN_ABC123"),
])
def test_variable_names(name, variable):
    assert variable_name(name) == variable


def test_round_trip_through_the_keyring(backend):
    store = SecretStore()
    assert store.get("tmdb_api_key") is None
    store.set("tmdb_api_key", "k-0123456789abcdef")
    assert backend.passwords == {("curator", "tmdb_api_key"): "k-0123456789abcdef"}
    assert store.get("tmdb_api_key") == "k-0123456789abcdef"
    store.delete("tmdb_api_key")
    assert store.get("tmdb_api_key") is None
    store.delete("tmdb_api_key")  # deleting twice is fine


def test_values_read_or_written_are_registered_for_redaction(backend):
    backend.passwords[("curator", "plex_token")] = "stored-plex-token"
    store = SecretStore(environ={"CURATOR_OMDB_API_KEY": "omdb-from-env"})
    store.set("tvdb_api_key", "written-tvdb-key")
    store.get("plex_token")
    store.get("omdb_api_key")
    text = redact("stored-plex-token omdb-from-env written-tvdb-key")
    assert text == f"{MASK} {MASK} {MASK}"


def test_environment_wins_over_the_keyring(backend):
    backend.passwords[("curator", "tmdb_api_key")] = "from-keyring"
    store = SecretStore(environ={"CURATOR_TMDB_API_KEY": "from-environment"})
    assert store.get("tmdb_api_key") == "from-environment"
    assert SecretStore(environ={}).get("tmdb_api_key") == "from-keyring"


def test_default_environment_is_the_process_environment(backend, monkeypatch):
    monkeypatch.setenv("CURATOR_PLEX_TOKEN", "token-from-process")
    assert SecretStore().get("plex_token") == "token-from-process"


def test_other_services_are_separate(backend):
    SecretStore(service="curator-test").set("k", "value-one")
    assert SecretStore().get("k") is None


def test_empty_values_are_refused(backend):
    with pytest.raises(SecretsError):
        SecretStore().set("k", "")


def test_backend_status_names_the_backend(backend):
    ok, description = SecretStore().backend_status()
    assert ok and "MemoryKeyring" in description


@pytest.mark.parametrize("unusable", [fail.Keyring(), null.Keyring()], ids=["fail", "null"])
def test_no_backend_gives_a_clear_error_but_environment_still_works(unusable):
    store = SecretStore(environ={"CURATOR_PLEX_TOKEN": "env-token-value"})
    with installed_keyring(unusable):
        assert store.get("plex_token") == "env-token-value"
        ok, description = store.backend_status()
        for operation in (lambda: store.get("tmdb_api_key"), lambda: store.set("tmdb_api_key", "v-123456"),
                          lambda: store.delete("tmdb_api_key")):
            with pytest.raises(NoKeyringBackend) as caught:
                operation()
            message = caught.value.user_message
            assert "CURATOR_TMDB_API_KEY" in message
            assert "GNOME Keyring" in message and "KWallet" in message
            assert message.count("GNOME Keyring") == 1  # said once, not in the message and again in the hint
    assert not ok and "No usable system keyring" in description


def test_a_run_without_a_keyring_gets_one_notice_however_many_keys_it_reads(monkeypatch):
    from curator.app import build_context

    monkeypatch.delenv("CURATOR_TVDB_PIN", raising=False)
    monkeypatch.delenv("CURATOR_FANART_CLIENT_KEY", raising=False)
    context = build_context()
    try:
        with installed_keyring(fail.Keyring()):
            assert context.secret("tvdb_pin") is None
            assert context.secret("fanart_client_key") is None
        assert len(context.notices) == 1
        assert context.notices[0].startswith("No usable system keyring was found: keys and tokens come from "
                                             "CURATOR_* environment variables only (first needed for CURATOR_TVDB_PIN).")
    finally:
        context.close()


class _BrokenKeyring(MemoryKeyring):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def _fail(self, *args: str) -> None:
        raise self.error

    get_password = set_password = delete_password = _fail  # type: ignore[assignment]


@pytest.mark.parametrize("error", [
    keyring.errors.KeyringLocked("Failed to unlock the collection!"),
    keyring.errors.InitError("Failed to create the collection"),
    ConnectionRefusedError("D-Bus socket refused"),
])
def test_keyring_failures_become_no_keyring_backend(error):
    with installed_keyring(_BrokenKeyring(error)):
        with pytest.raises(NoKeyringBackend, match="CURATOR_TVDB_API_KEY") as caught:
            SecretStore().get("tvdb_api_key")
    assert type(error).__name__ in str(caught.value)


def test_a_refused_save_is_a_secrets_error_without_the_value():
    with installed_keyring(_BrokenKeyring(keyring.errors.PasswordSetError("prompt dismissed"))):
        with pytest.raises(SecretsError) as caught:
            SecretStore().set("tmdb_api_key", "never-shown-value")
    assert not isinstance(caught.value, NoKeyringBackend)
    assert "never-shown-value" not in caught.value.user_message


@pytest.mark.keyring_integration
def test_round_trip_through_the_secret_service():
    if os.environ.get("CURATOR_TEST_SECRET_SERVICE") != "1":
        reason = ("no Secret Service session: run under dbus-run-session with tests/run_with_keyring.sh "
                  "(make test does)")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must not skip the keyring test: {reason}")
        pytest.skip(reason)
    from keyring.backends import SecretService

    store = SecretStore(service=f"curator-test-{uuid.uuid4().hex[:8]}")
    with installed_keyring(SecretService.Keyring()):
        assert store.backend_status()[0]
        store.set("tmdb_api_key", "integration-secret-value")
        try:
            assert store.get("tmdb_api_key") == "integration-secret-value"
        finally:
            store.delete("tmdb_api_key")
        assert store.get("tmdb_api_key") is None
