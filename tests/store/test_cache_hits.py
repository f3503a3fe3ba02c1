"""Cache hits are cheap: one read each, their last-used marks written together; keys are the
same as the urlencode-based definition they replace."""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from hypothesis import given
from hypothesis import strategies as st

from curator.domain.errors import DatabaseLocked
from curator.store.cache import TOUCH_BATCH, ProviderCache, _normalise_value
from curator.store.models import CacheEntry


def last_access(key: str) -> float:
    return CacheEntry.get(CacheEntry.key == key).last_access


def test_a_hit_is_marked_used_in_the_next_batch_not_at_once(db, clock):
    cache = ProviderCache(db, clock=clock)
    cache.put("a", "tmdb", {"n": 1})
    stored_at = clock.now
    clock.advance(60)
    assert cache.get("a").payload == {"n": 1}
    assert last_access("a") == stored_at  # not written yet
    cache.flush()
    assert last_access("a") == stored_at + 60


def test_marks_are_written_every_batch_of_hits(db, clock):
    cache = ProviderCache(db, clock=clock)
    keys = [f"k{n}" for n in range(TOUCH_BATCH)]
    for key in keys:
        cache.put(key, "tmdb", {})
    clock.advance(5)
    for key in keys:
        cache.get(key)
    assert {last_access(key) for key in keys} == {clock.now}


def test_stats_and_puts_see_the_pending_marks(db, clock):
    cache = ProviderCache(db, clock=clock)
    cache.put("a", "tmdb", {})
    clock.advance(5)
    cache.get("a")
    cache.put("b", "tmdb", {})
    assert last_access("a") == clock.now


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)


@given(st.dictionaries(st.sampled_from(["query", "year", "language", "page", "t", "x-y", "name"]),
                       st.one_of(_text, st.integers(), st.booleans()), max_size=5),
       st.sampled_from(["/search/movie", "/movie/603", "/find/tt0133093"]))
def test_keys_equal_the_urlencode_definition(params, endpoint):
    normalised = sorted((name.strip(), _normalise_value(name, value)) for name, value in params.items())
    canonical = f"tmdb\n{endpoint}\n{urlencode(normalised)}"
    expected = f"tmdb:{hashlib.sha256(canonical.encode()).hexdigest()[:40]}"
    assert ProviderCache.make_key("tmdb", endpoint, params) == expected


def test_a_hit_is_returned_even_when_its_mark_cannot_be_written(db, clock, monkeypatch):
    cache = ProviderCache(db, clock=clock)
    cache.put("a", "tmdb", {"n": 1})
    monkeypatch.setattr("curator.store.cache.TOUCH_BATCH", 1)

    def locked() -> None:
        raise DatabaseLocked("Curator's database is locked by another program.")

    monkeypatch.setattr(cache, "flush", locked)
    assert cache.get("a").payload == {"n": 1}
