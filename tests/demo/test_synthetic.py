"""Synthetic sections: deterministic, plausible, cheap."""

from __future__ import annotations

import time
import tracemalloc
from collections import Counter

import pytest

from curator.demo.synthetic import (
    FIRST_SYNTHETIC_RATING_KEY,
    generate_movies,
    synthetic_section,
)


def test_same_seed_same_items_other_seed_other_items() -> None:
    assert generate_movies(200, seed=5) == generate_movies(200, seed=5)
    assert generate_movies(200, seed=5) != generate_movies(200, seed=6)
    assert generate_movies(50, seed=5) == generate_movies(200, seed=5)[:50]


def test_items_are_plausible_and_varied() -> None:
    items = generate_movies(2000, seed=1)
    assert [i.rating_key for i in items] == list(range(FIRST_SYNTHETIC_RATING_KEY, FIRST_SYNTHETIC_RATING_KEY + 2000))
    agents = Counter(i.guid.split("://")[0] for i in items)
    assert set(agents) == {"plex", "com.plexapp.agents.imdb", "local"}
    assert 0.4 < agents["plex"] / 2000 < 0.6
    assert all(bool(i.external_guids) == i.guid.startswith("plex://") for i in items)
    assert 0.15 < sum(not i.summary for i in items) / 2000 < 0.35
    assert 0 < sum("summary" in i.locked for i in items) < 200
    assert any(i.year is None for i in items)
    assert all(i.year is None or 1930 <= i.year <= 2024 for i in items)
    assert all(i.kind == "movie" and i.file.endswith(".mkv") for i in items)
    assert len({i.title for i in items}) > 500


def test_twenty_thousand_items_are_cheap() -> None:
    started = time.perf_counter()
    section = synthetic_section(20_000, seed=2)
    elapsed = time.perf_counter() - started
    assert len(section.entries) == 20_000 and section.kind == "movie" and section.key == 3
    assert elapsed < 3
    tracemalloc.start()
    sample = generate_movies(2_000, seed=2)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(sample) == 2_000 and peak / 2_000 < 2_000  # under 2 kB an item


def test_negative_count_is_refused() -> None:
    with pytest.raises(ValueError):
        generate_movies(-1)
