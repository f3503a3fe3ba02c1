from __future__ import annotations

import pytest

from curator.store.cache import DAY, ProviderCache

make_key = ProviderCache.make_key


@pytest.fixture
def cache(db, clock):
    return ProviderCache(db, clock=clock)


# --- keys ------------------------------------------------------------------------------


def test_key_ignores_parameter_order_spacing_and_search_case():
    assert (make_key("tmdb", "/search/movie", {"query": "  The  Matrix ", "year": 1999, "language": "en-US"})
            == make_key("TMDB ", "/search/movie", {"language": "en-US", "year": "1999", "query": "the matrix"}))


@pytest.mark.parametrize(("first", "second"), [
    ({"query": "alien"}, {"query": "aliens"}),
    ({"language": "nl-NL"}, {"language": "en-US"}),
    ({"id": "VPWON_1234"}, {"id": "vpwon_1234"}),  # ids are not search text: case matters
    ({"include_adult": True}, {"include_adult": False}),
])
def test_key_distinguishes_what_matters(first, second):
    assert make_key("tmdb", "/x", first) != make_key("tmdb", "/x", second)


def test_key_differs_by_provider_and_endpoint():
    keys = {make_key("tmdb", "/movie/603", {}), make_key("tmdb", "/tv/603", {}), make_key("tvdb", "/movie/603", {})}
    assert len(keys) == 3


@pytest.mark.parametrize("secret_name", ["api_key", "apikey", "API_KEY", "client_key", "token", "X-Plex-Token"])
def test_secret_parameters_are_left_out_of_the_key(secret_name):
    plain = make_key("omdb", "/", {"t": "Alien"})
    assert make_key("omdb", "/", {"t": "Alien", secret_name: "first-secret"}) == plain
    assert make_key("omdb", f"/?{secret_name}=second-secret", {"t": "Alien"}) == plain
    assert "secret" not in make_key("omdb", "/", {"t": "Alien", secret_name: "secret"})


def test_key_merges_a_query_string_in_the_endpoint_and_drops_none():
    merged = make_key("tvmaze", "/search/shows?q=Lost", {"page": None})
    assert merged == make_key("tvmaze", "/search/shows", {"q": "lost"})


def test_key_names_its_provider():
    assert make_key("TMDB", "/movie/603", {}).startswith("tmdb:")


# --- get / put / expiry ------------------------------------------------------------------


def test_round_trip_of_found_and_not_found(cache):
    cache.put("k1", "tmdb", {"title": "Alien", "ids": [1, 2]})
    cache.put("k2", "tmdb", None, found=False)
    hit = cache.get("k1")
    assert hit is not None and hit.found and hit.payload == {"title": "Alien", "ids": [1, 2]}
    miss_marker = cache.get("k2")
    assert miss_marker is not None and not miss_marker.found and miss_marker.payload is None
    assert cache.get("absent") is None


def test_found_lives_30_days_and_not_found_7(cache, clock):
    cache.put("found", "tmdb", {"a": 1})
    cache.put("none", "tmdb", None, found=False)
    clock.advance(7 * DAY - 1)
    assert cache.get("none") is not None
    clock.advance(1)
    assert cache.get("none") is None
    assert cache.get("found") is not None
    clock.advance(23 * DAY - 1)
    assert cache.get("found") is not None
    clock.advance(1)
    assert cache.get("found") is None


def test_explicit_ttl_overrides_the_default(cache, clock):
    cache.put("short", "tmdb", {"a": 1}, ttl=60)
    clock.advance(59)
    assert cache.get("short") is not None
    clock.advance(1)
    assert cache.get("short") is None


def test_put_replaces_and_renews(cache, clock):
    cache.put("k", "tmdb", {"v": 1}, ttl=10)
    clock.advance(5)
    cache.put("k", "tmdb", {"v": 2}, ttl=10)
    clock.advance(9)
    assert cache.get("k").payload == {"v": 2}
    assert cache.stats().entries == 1


def test_purge_expired_and_clear(cache, clock):
    cache.put("old", "tmdb", {"a": 1}, ttl=10)
    cache.put("new", "tvdb", {"a": 1})
    cache.put("other", "omdb", {"a": 1})
    clock.advance(11)
    assert cache.purge_expired() == 1
    assert cache.clear("TVDB") == 1
    assert cache.stats().entries_by_provider == {"omdb": 1}
    assert cache.clear() == 1
    assert cache.stats().entries == 0


# --- eviction ---------------------------------------------------------------------------


def test_least_recently_used_is_evicted_first(db, clock):
    cache = ProviderCache(db, max_entries=3, clock=clock)
    for key in ("a", "b", "c"):
        cache.put(key, "tmdb", {"k": key})
        clock.advance(1)
    assert cache.get("a") is not None  # a is now the most recently used
    clock.advance(1)
    cache.put("d", "tmdb", {"k": "d"})  # over the cap: evict down to 90 % of 3 = 2 entries
    assert [key for key in "abcd" if cache.get(key) is not None] == ["a", "d"]


def test_expired_entries_go_before_live_ones(db, clock):
    cache = ProviderCache(db, max_entries=3, clock=clock)
    cache.put("live-old", "tmdb", {})
    clock.advance(1)
    cache.put("live-mid", "tmdb", {})
    clock.advance(1)
    cache.put("expiring", "tmdb", {}, ttl=5)  # the most recently used, but expired by the next put
    clock.advance(10)
    cache.put("fresh", "tmdb", {})
    # Plain LRU would have dropped live-old and live-mid; the expired entry goes first.
    assert [key for key in ("live-old", "live-mid", "expiring", "fresh") if cache.get(key)] == ["live-mid", "fresh"]


def test_byte_cap_is_kept(db, clock):
    cache = ProviderCache(db, max_entries=1000, max_bytes=2000, clock=clock)
    for number in range(50):
        cache.put(f"k{number}", "tmdb", {"blob": "x" * 180})
        clock.advance(1)
        assert cache.stats().bytes <= 2000
    stats = cache.stats()
    assert stats.entries < 50 and cache.get("k49") is not None and cache.get("k0") is None


def test_entry_cap_is_kept_and_eviction_runs_in_batches(db, clock, monkeypatch):
    cache = ProviderCache(db, max_entries=100, clock=clock)
    evictions = 0
    real_evict = cache._evict

    def counting_evict():
        nonlocal evictions
        evictions += 1
        real_evict()

    monkeypatch.setattr(cache, "_evict", counting_evict)
    for number in range(400):
        cache.put(f"k{number}", "tmdb", {"n": number})
        clock.advance(1)
        assert cache.stats().entries <= 100
    assert evictions <= 400 // 10  # each eviction frees ~10 % of the cap, not one entry


def test_an_answer_larger_than_the_cache_is_not_stored(db, clock):
    cache = ProviderCache(db, max_bytes=100, clock=clock)
    cache.put("small", "tmdb", {"a": 1})
    cache.put("huge", "tmdb", {"blob": "x" * 500})
    assert cache.get("huge") is None and cache.get("small") is not None


def test_totals_are_reread_when_another_cache_object_shares_the_file(db, clock):
    first = ProviderCache(db, max_entries=5, clock=clock)
    second = ProviderCache(db, max_entries=5, clock=clock)
    for number in range(5):
        first.put(f"a{number}", "tmdb", {})
        clock.advance(1)
    for number in range(5):
        second.put(f"b{number}", "tmdb", {})
        clock.advance(1)
    assert first.stats().entries <= 5


# --- stats ------------------------------------------------------------------------------


def test_stats_count_hits_misses_and_providers(cache):
    cache.put("t1", "tmdb", {"a": 1})
    cache.put("t2", "TMDB", {"a": 2})
    cache.put("v1", "tvmaze", None, found=False)
    cache.get("t1")
    cache.get("v1")
    cache.get("nope")
    stats = cache.stats()
    assert (stats.hits, stats.misses, stats.entries) == (2, 1, 3)
    assert stats.entries_by_provider == {"tmdb": 2, "tvmaze": 1}
    assert stats.bytes == sum(len(k) for k in ("t1", "t2", "v1")) + 2 * len('{"a":1}')
