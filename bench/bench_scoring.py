"""Scoring benchmark: rank 10 candidates for each of 20,000 synthetic library items with the
real scorer, and print candidate scores per second (target: at least 100,000 on one core).

    uv run python bench/bench_scoring.py [--items 20000] [--candidates 10]
    uv run python bench/bench_scoring.py --cases ../shared/eval/movielens-tmdb-dev.jsonl

The first pass starts with empty caches (every title normalised once); the next passes show
the steady state of a long run, where candidates recur (median and best of --passes). Rates
are given by wall clock and by this process's CPU time: on a shared or virtual machine the
CPU figure is the one-core figure. With --cases the labelled evaluation cases (read here, at
run time) are repeated until the same number of scores is reached.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import report

from curator.domain import scoring, text
from curator.domain.models import Candidate, ExternalIds, MediaKind
from curator.domain.scoring import MatchQuery, rank

Work = list[tuple[tuple[str, int | None], tuple[Candidate, ...]]]

_SYLLABLES = ("ka", "lo", "mi", "ra", "ten", "vor", "shi", "an", "del", "or", "qu", "bel", "ro",
              "na", "tis", "gar", "le", "mon", "su", "zan", "ith", "cro", "pa", "wen")
_ARTICLES = ("The", "A", "Les", "Das", "La", "El")
_NUMERALS = ("II", "III", "2", "3", "Part II", "IV")


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 3))).capitalize()


def _title(rng: random.Random) -> str:
    words = [_word(rng) for _ in range(rng.choice((1, 2, 2, 3, 3, 4, 5)))]
    title = " ".join(words)
    if rng.random() < 0.25:
        title = f"{rng.choice(_ARTICLES)} {title}"
    if rng.random() < 0.1:
        title = f"{title} {rng.choice(_NUMERALS)}"
    if rng.random() < 0.15:
        title = f"{title}: {_word(rng)} {_word(rng)}"
    return title


def _library_name(title: str, rng: random.Random) -> str:
    """The title as a library might hold it: article moved to the end, an alias, or as is."""
    head, _, rest = title.partition(" ")
    if head in _ARTICLES and rest and rng.random() < 0.7:
        return f"{rest}, {head}"
    if rng.random() < 0.1:
        return f"{title} ({_word(rng)} {_word(rng)})"
    return title


def synthetic_work(items: int, per_item: int, seed: int = 7) -> Work:
    rng = random.Random(seed)
    catalogue = [
        Candidate(provider="tmdb", provider_id=str(i), kind=MediaKind.MOVIE, title=_title(rng),
                  year=rng.randint(1920, 2024), ids=ExternalIds(tmdb=i), popularity=rng.random() * 50,
                  vote_count=rng.randint(0, 20_000))
        for i in range(items * 2)
    ]
    work: Work = []
    for _ in range(items):
        truth = rng.choice(catalogue)
        others = tuple(rng.choice(catalogue) for _ in range(per_item - 1))
        year = truth.year + rng.choice((0, 0, 0, 0, 1, -1)) if truth.year else None
        work.append(((_library_name(truth.title, rng), year), (truth, *others)))
    return work


def work_from_cases(path: str, scores: int) -> Work:
    from curator.services.evaluation import read_cases

    cases = [((c.query.title, c.query.year), c.candidates) for c in read_cases(path)]
    work: Work = []
    while sum(len(candidates) for _, candidates in work) < scores:
        work.extend(cases)
    return work


def _clear_caches() -> None:
    for cached in (text.normalise, text.title_forms, scoring.title_profile, scoring._candidate_profile):
        cached.cache_clear()


def run_pass(work: Work) -> tuple[float, float]:
    """Scores per second by wall clock and by this process's CPU time."""
    count = 0
    wall, cpu = time.perf_counter(), time.process_time()
    for (title, year), candidates in work:
        query = MatchQuery(title=title, year=year, kind=MediaKind.MOVIE)
        count += len(rank(query, candidates))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return count / wall, count / cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--candidates", type=int, default=10)
    parser.add_argument("--passes", type=int, default=5, help="warm passes after the cold one")
    parser.add_argument("--cases", help="a JSONL file of evaluation cases to repeat instead")
    args = parser.parse_args()
    if args.cases:
        work = work_from_cases(args.cases, args.items * args.candidates)
        source = Path(args.cases).name
    else:
        work = synthetic_work(args.items, args.candidates)
        source = "synthetic"
    scores = sum(len(candidates) for _, candidates in work)
    _clear_caches()
    cold_wall, cold_cpu = run_pass(work)
    warm = [run_pass(work) for _ in range(max(1, args.passes))]
    walls, cpus = [w for w, _ in warm], [c for _, c in warm]
    report("scoring", source=source, items=len(work), scores=scores,
           cold_scores_per_s=round(cold_wall), cold_scores_per_cpu_s=round(cold_cpu),
           warm_scores_per_s_median=round(statistics.median(walls)), warm_scores_per_s_best=round(max(walls)),
           warm_scores_per_cpu_s_median=round(statistics.median(cpus)), warm_scores_per_cpu_s_best=round(max(cpus)),
           target="at least 100,000 scores/s on one core")
    return 0


if __name__ == "__main__":
    sys.exit(main())
