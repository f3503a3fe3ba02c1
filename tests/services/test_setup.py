"""The set-up helpers against the demo fakes: one request per key test, clear failures, server
discovery with the address that works, and the keyring read and written off the loop."""

from __future__ import annotations

import socket

import pytest
import pytest_asyncio
from keyring.backends import fail

from curator.demo.servers import DemoServers
from curator.domain.errors import AuthFailed, InvalidInput, SecretsError, Unreachable
from curator.net.http import create_client
from curator.preferences import Preferences
from curator.secrets import SecretStore
from curator.services import setup
from tests.support.memory_keyring import installed_keyring, memory_keyring

CLIENT_ID = "test-client-identifier"


@pytest.fixture(scope="module")
def servers():
    with DemoServers() as demo:
        yield demo


@pytest.fixture
def demo(servers, monkeypatch):
    """The fakes' addresses in CURATOR_*_URL (their keys are not handed over: tests pass keys in)."""
    for name, value in servers.describe()["env"].items():
        if name.endswith("_URL"):
            monkeypatch.setenv(name, value)
    servers.providers.reset_counters()
    servers.providers.clear_faults()
    servers.plextv.auto_approve_after(2)
    return servers


@pytest_asyncio.fixture
async def http():
    async with create_client() as client:
        yield client


def keys_for(provider: str, values: dict[str, str]) -> dict[str, str]:
    return {name: values.get(name, "") for name in setup.PROVIDER_SECRETS[provider]}


def requests_to(demo: DemoServers, provider: str) -> int:
    return demo.providers.requests()[provider].total


@pytest.mark.asyncio
@pytest.mark.parametrize("provider", ["tmdb", "tvdb", "omdb", "fanart", "poms"])
async def test_a_good_key_works_with_one_request(demo, http, provider):
    check = await setup.check_provider_key(http, provider, keys_for(provider, demo.providers.keys()))
    assert check == setup.KeyCheck(provider, True, "Works")
    assert requests_to(demo, provider) == 1


@pytest.mark.asyncio
@pytest.mark.parametrize(("provider", "label"), [("tmdb", "TMDB"), ("tvdb", "TheTVDB"), ("omdb", "OMDb"),
                                                  ("fanart", "fanart.tv"), ("poms", "NPO POMS")])
async def test_a_wrong_key_fails_clearly_without_showing_it(demo, http, provider, label):
    wrong = {name: f"wrong-{name.lower()}" for name in setup.PROVIDER_SECRETS[provider]}
    check = await setup.check_provider_key(http, provider, wrong)
    assert not check.works
    assert check.message.startswith(label) and "refused" in check.message
    assert not any(value in check.message for value in wrong.values())
    assert requests_to(demo, provider) == 1  # not retried


@pytest.mark.asyncio
async def test_the_tmdb_read_access_token_works_too(demo, http):
    from curator.demo.providers import TMDB_READ_TOKEN

    check = await setup.check_provider_key(http, "tmdb", {"TMDB_API_KEY": TMDB_READ_TOKEN})
    assert check.works


@pytest.mark.asyncio
async def test_a_missing_key_asks_for_it_and_sends_nothing(demo, http):
    check = await setup.check_provider_key(http, "poms", {"POMS_API_KEY": "only-the-key", "POMS_API_SECRET": "  "})
    assert not check.works and check.message == "Enter the NPO POMS API secret first."
    assert requests_to(demo, "poms") == 0
    with pytest.raises(InvalidInput):
        await setup.check_provider_key(http, "tvmaze", {})


@pytest.mark.asyncio
async def test_an_unreachable_service_says_so(demo, http, monkeypatch):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("CURATOR_OMDB_URL", f"http://127.0.0.1:{port}")
    check = await setup.check_provider_key(http, "omdb", {"OMDB_API_KEY": "some-key-value"})
    assert not check.works and check.message.startswith("OMDb: could not connect")
    assert "some-key-value" not in check.message


@pytest.mark.asyncio
async def test_discover_servers_and_the_address_that_works(demo, http):
    plextv = setup.plextv_client(http, CLIENT_ID)
    servers = await setup.discover_servers(plextv, demo.plextv.account_token)
    assert [(s.name, s.owned) for s in servers] == [(demo.plex.name, True), ("Friend's Server", False)]
    own, friends = servers
    address = await setup.reachable_address(own, http, client_identifier=CLIENT_ID)
    assert address == demo.plex.url and setup.connection_kind(own, address) == "local"
    with pytest.raises(Unreachable):  # its addresses lead nowhere (and tests resolve no names)
        await setup.reachable_address(friends, http, client_identifier=CLIENT_ID)
    library = await setup.connect_server(http, address, own.access_token, client_identifier=CLIENT_ID)
    assert library.server.name == demo.plex.name
    assert [s.title for s in await library.sections()] == ["Movies", "TV Shows"]


@pytest.mark.asyncio
async def test_connect_server_refuses_a_wrong_token_and_empty_fields(demo, http):
    with pytest.raises(AuthFailed):
        await setup.connect_server(http, demo.plex.url, "wrong-token-value", client_identifier=CLIENT_ID)
    with pytest.raises(InvalidInput):
        await setup.connect_server(http, demo.plex.url, " ", client_identifier=CLIENT_ID)


@pytest.mark.asyncio
async def test_sign_in_pin_flow_through_the_re_exported_client(demo, http):
    plextv = setup.plextv_client(http, CLIENT_ID)
    pin = await plextv.create_pin(strong=True)
    assert len(pin.code) == 25 and setup.plextv_client(http, CLIENT_ID).auth_url(pin).startswith(demo.plextv.url)
    token = await plextv.wait_for_token(pin, interval=0.55)
    assert token == demo.plextv.account_token


@pytest.mark.asyncio
async def test_secrets_are_read_and_saved_off_the_loop():
    store = SecretStore(environ={"CURATOR_TMDB_API_KEY": "from-the-environment"})
    with memory_keyring() as backend:
        await setup.save_secrets(store, {"OMDB_API_KEY": " typed-key ", "FANART_API_KEY": ""})
        assert backend.passwords == {("curator", "OMDB_API_KEY"): "typed-key"}
        found = await setup.read_secrets(store, ["TMDB_API_KEY", "OMDB_API_KEY", "TVDB_API_KEY"])
        assert found == setup.SecretValues({"TMDB_API_KEY": "from-the-environment", "OMDB_API_KEY": "typed-key"})
        await setup.save_secrets(store, {"OMDB_API_KEY": ""})
        assert backend.passwords == {}


@pytest.mark.asyncio
async def test_without_a_keyring_reading_says_why_and_saving_raises():
    store = SecretStore(environ={"CURATOR_TMDB_API_KEY": "from-the-environment"})
    with installed_keyring(fail.Keyring()):
        found = await setup.read_secrets(store, ["TMDB_API_KEY", "OMDB_API_KEY"])
        assert found.values == {"TMDB_API_KEY": "from-the-environment"}
        assert "keyring" in found.problem and "CURATOR_OMDB_API_KEY" in found.problem
        with pytest.raises(SecretsError):
            await setup.save_secret(store, "OMDB_API_KEY", "value")


def test_chosen_libraries_round_trip():
    prefs = Preferences()
    assert setup.chosen_libraries(prefs) == []
    chosen = setup.with_libraries(prefs, ["Films", "Series", "Films"])
    assert chosen.library == "Films" and setup.chosen_libraries(chosen) == ["Films", "Series"]
    assert setup.chosen_libraries(Preferences(library="Old")) == ["Old"]
    assert setup.with_libraries(chosen, []).library == ""


def test_connection_kind_of_unknown_address_is_remote():
    resource = setup.PlexResource(name="x", client_identifier="id", access_token="t", owned=True,
                                  product_version="1", connections=())
    assert setup.connection_kind(resource, "https://example.invalid") == "remote"
