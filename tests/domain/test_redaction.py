from __future__ import annotations

import pytest

from curator.domain.redaction import MASK, SecretRegistry


@pytest.mark.parametrize("text", [
    "GET https://api.themoviedb.org/3/search/movie?query=x&api_key=abcdef123456",
    "GET https://www.omdbapi.com/?apikey=abcdef123456&t=x",
    "GET http://127.0.0.1:32400/library?X-Plex-Token=abcdef123456",
    "headers: {'Authorization': 'Bearer abcdef123456'}",
    'body {"apikey": "abcdef123456", "pin": "9999"}',
])
def test_carriers_are_masked_even_when_unregistered(text):
    out = SecretRegistry().redact(text)
    assert "abcdef123456" not in out
    assert MASK in out


def test_registered_secrets_are_masked_anywhere():
    registry = SecretRegistry()
    registry.register("s3cr3t-token-value")
    assert registry.redact("oops s3cr3t-token-value leaked") == f"oops {MASK} leaked"


def test_longer_secret_wins_over_its_prefix():
    registry = SecretRegistry()
    registry.register("abcd")
    registry.register("abcdefgh")
    assert registry.redact("x abcdefgh y") == f"x {MASK} y"


def test_short_values_are_not_registered():
    registry = SecretRegistry()
    registry.register("ab")
    assert registry.redact("ab cab") == "ab cab"


def test_forget_all():
    registry = SecretRegistry()
    registry.register("tokentoken")
    registry.forget_all()
    assert registry.redact("tokentoken") == "tokentoken"


def test_carrier_names_need_a_word_boundary():
    assert SecretRegistry().redact("Spin: the top") == "Spin: the top"
