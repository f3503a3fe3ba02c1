"""Scoring benchmark: rank 10 candidates for each of 20,000 synthetic library items with the
real scorer and print candidate scores per second (target: at least 100,000 on one core).

    uv run python bench/bench_scoring.py [--items 20000] [--candidates 10] [--passes 5]
    uv run python bench/bench_scoring.py --cases ../shared/eval/movielens-tmdb-dev.jsonl

Three figures, each in scores per second by wall clock and by this process's CPU time (on a
shared or virtual machine the CPU figure is the one-core figure):

- cold: every cache empty — every title, query and candidate, is normalised in the pass;
- library run (the target): each item's query is built once, in the timed loop, and the
  candidates' normalisation is already cached, as in a long run where search results recur;
- ranking only: queries built beforehand; what ``rank`` itself costs.

``loop_us`` (a fixed pure-Python loop) tells how fast this machine ran Python at the time, to
compare runs across machines. With --cases the labelled evaluation cases (read here, at run
time) are repeated until the same number of scores is reached — so their queries recur too.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
import timeit
from collections.abc import Callable
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
    for cached in (text.normalise, text.title_forms, scoring.title_profile, scoring._title_form,
                   scoring._work_profile):
        cached.cache_clear()


def _prepare(work: Work, *, candidates_known: bool) -> None:
    """Empty every cache; then, if asked, normalise every candidate (untimed)."""
    _clear_caches()
    if candidates_known:
        for _, candidates in work:
            for candidate in candidates:
                scoring.title_similarity(_PROBE, candidate)


_PROBE = MatchQuery(title="probe", year=None, kind=MediaKind.MOVIE)


def _timed(run: Callable[[], int]) -> tuple[float, float]:
    """Scores per second by wall clock and by CPU time. The pass starts with the garbage
    collector settled, so that objects made while preparing it are not rescanned on its time."""
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    count = run()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return count / wall, count / cpu


def library_pass(work: Work) -> int:
    count = 0
    for (title, year), candidates in work:
        query = MatchQuery(title=title, year=year, kind=MediaKind.MOVIE)
        count += len(rank(query, candidates))
    return count


def ranking_pass(prepared: list[tuple[MatchQuery, tuple[Candidate, ...]]]) -> int:
    return sum(len(rank(query, candidates)) for query, candidates in prepared)


def _summary(name: str, runs: list[tuple[float, float]]) -> dict[str, int]:
    walls, cpus = [w for w, _ in runs], [c for _, c in runs]
    return {f"{name}_per_s": round(statistics.median(walls)), f"{name}_per_cpu_s": round(statistics.median(cpus)),
            f"{name}_per_cpu_s_best": round(max(cpus))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--candidates", type=int, default=10)
    parser.add_argument("--passes", type=int, default=3, help="passes per figure (the median is shown)")
    parser.add_argument("--cases", help="a JSONL file of evaluation cases to repeat instead")
    args = parser.parse_args()
    if args.cases:
        work = work_from_cases(args.cases, args.items * args.candidates)
        source = Path(args.cases).name
    else:
        work = synthetic_work(args.items, args.candidates)
        source = "synthetic"
    passes = max(1, args.passes)
    loop_us = min(timeit.repeat("sum(range(1000))", number=2000, repeat=5)) / 2000 * 1e6

    cold = []
    for _ in range(passes):
        _prepare(work, candidates_known=False)
        cold.append(_timed(lambda: library_pass(work)))
    library = []
    for _ in range(passes):
        _prepare(work, candidates_known=True)
        library.append(_timed(lambda: library_pass(work)))
    prepared = [(MatchQuery(title=title, year=year, kind=MediaKind.MOVIE), candidates)
                for (title, year), candidates in work]
    ranking = [_timed(lambda: ranking_pass(prepared)) for _ in range(passes)]

    report("scoring", source=source, items=len(work), scores=sum(len(c) for _, c in work),
           **_summary("cold_scores", cold), **_summary("library_run_scores", library),
           **_summary("ranking_only_scores", ranking), loop_us=round(loop_us, 1),
           target="library run: at least 100,000 scores/s on one core")
    return 0


if __name__ == "__main__":
    sys.exit(main())
