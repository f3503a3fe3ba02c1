"""Cache keys reuse the encoding of parameters seen before; a key is still exactly the
urlencode-based definition, whatever came before it."""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urlencode

from hypothesis import given
from hypothesis import strategies as st

from curator.store.cache import ProviderCache, _normalise_value


def defined_key(provider: str, endpoint: str, params: dict[str, Any]) -> str:
    normalised = sorted((name.strip(), _normalise_value(name, value)) for name, value in params.items()
                        if value is not None and name.strip().lower().replace("-", "_") != "api_key")
    canonical = f"{provider}\n{endpoint}\n{urlencode(normalised)}"
    return f"{provider}:{hashlib.sha256(canonical.encode()).hexdigest()[:40]}"


def test_equal_values_of_other_types_are_not_confused():
    # True == 1 == 1.0 in Python, but they are different parameters: "true", "1", "1.0".
    for value in (1, True, 1.0, "1", False, 0, "true"):
        params = {"page": value}
        assert ProviderCache.make_key("tmdb", "/x", params) == defined_key("tmdb", "/x", params)
    assert ProviderCache.make_key("tmdb", "/x", {"page": True}) != ProviderCache.make_key("tmdb", "/x", {"page": 1})


def test_list_values_make_keys_too():
    params = {"append_to_response": ["images", "external_ids"], "language": "en-US"}
    assert ProviderCache.make_key("tmdb", "/movie/1", params) == defined_key("tmdb", "/movie/1", params)


def test_a_secret_stays_out_of_the_key_every_time():
    plain = ProviderCache.make_key("omdb", "/", {"t": "Alien"})
    for secret in ("first", "second", "first"):
        assert ProviderCache.make_key("omdb", "/", {"t": "Alien", "api_key": secret}) == plain


_values = st.one_of(st.text(max_size=8), st.integers(-2, 2), st.booleans(), st.sampled_from([0.0, 1.0, 2.5]),
                    st.lists(st.sampled_from(["a", "b c", "d,e"]), max_size=3))


@given(st.lists(st.dictionaries(st.sampled_from(["query", "Query ", "year", "page", "language", "x-y", "api_key"]),
                                _values, max_size=4), min_size=1, max_size=6))
def test_keys_in_any_sequence_equal_the_definition(requests):
    for params in requests:
        assert ProviderCache.make_key("tmdb", "/search/movie", params) == defined_key("tmdb", "/search/movie", params)
