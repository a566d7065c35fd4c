"""Time and peak memory of ``contractkit.diff`` on real contract pairs, each next to the
time to load both files, measured in the same run.

    make bench            # or: .venv/bin/python benchmarks/bench_diff.py [OLD NEW]

Pairs: GitHub's REST contract v22 → v23 (target, issue 6: the diff ≤ 1 s and ≤ the load
time); Stripe's spec3 at two consecutive commits (four enum values added; target, issue
14: ≤ 2 s and ≤ 500 MB) and Stripe against itself; GitHub's GraphQL schema
(v15.0.0 → v15.26.1). Issue 14 also asks of every pair: the diff ≤ 2× loading both files.
Each time is the median of several runs on freshly loaded contracts (nothing is cached
between runs); memory is the tracemalloc peak of one diff, and the process's peak RSS
(loaded contracts included) after all runs of the pair. Read the ratio, not the seconds.
"""

from __future__ import annotations

import gc
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import contractkit

ROOT = Path(__file__).resolve().parents[1]
#: beside the checkout, or beside its worktree folder (as tests/conftest.py)
CORPUS = next((folder / "shared" / "corpus" for folder in (ROOT.parent, ROOT.parent.parent)
               if (folder / "shared" / "corpus").is_dir()), ROOT.parent / "shared" / "corpus")
GITHUB = (CORPUS / "large" / "github-rest-v22.0.0.json",
          CORPUS / "large" / "github-rest-v23.0.2.json")
STRIPE = (CORPUS / "diff" / "stripe" / "spec3-cf0b457a.yaml",
          CORPUS / "diff" / "stripe" / "spec3-98a7c58c.yaml")
GRAPHQL = (CORPUS / "graphql" / "github-v15.0.0.graphql",
           CORPUS / "graphql" / "github-v15.26.1.graphql")
#: (old, new, runs, target seconds or None, target ratio to loading both)
PAIRS = [
    (*GITHUB, 5, 1.0, 1.0),
    (*STRIPE, 3, 2.0, 2.0),
    (STRIPE[0], STRIPE[0], 3, 2.0, 2.0),
    (*GRAPHQL, 5, None, 2.0),
]
STRIPE_MEMORY_MB = 500


def measure(old: Path, new: Path, runs: int, seconds: float | None, ratio: float) -> bool:
    """Print the figures of one pair; whether they meet their targets."""
    loads, diffs = [], []
    report = None
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        before, after = contractkit.load(old), contractkit.load(new)
        loaded = time.perf_counter()
        report = contractkit.diff(before, after)
        done = time.perf_counter()
        loads.append(loaded - start)
        diffs.append(done - loaded)
    before, after = contractkit.load(old), contractkit.load(new)
    gc.collect()
    tracemalloc.start()
    contractkit.diff(before, after)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    assert report is not None
    load_time, diff_time = statistics.median(loads), statistics.median(diffs)
    counts = report.counts()
    print(f"files: {old.name} → {new.name} ({len(after.operations)} operations); "
          f"{len(report.changes)} changes: {counts['breaking']} breaking, "
          f"{counts['dangerous']} dangerous, {counts['safe']} safe")
    print(f"load both   {load_time * 1000:8.1f} ms")
    print(f"diff        {diff_time * 1000:8.1f} ms   peak {peak / 1e6:6.1f} MB (tracemalloc), "
          f"process peak RSS so far {rss:6.0f} MB")
    limit = f"≤ {seconds:g} s and " if seconds is not None else ""
    print(f"ratio       {diff_time / load_time:8.2f} x   (target: diff {limit}≤ {ratio:.2f} x "
          "the load time)")
    met = diff_time <= ratio * load_time and (seconds is None or diff_time <= seconds)
    if old.parent == STRIPE[0].parent:
        print(f"memory      target ≤ {STRIPE_MEMORY_MB} MB: tracemalloc peak "
              f"{peak / 1e6:.0f} MB")
        met = met and peak / 1e6 <= STRIPE_MEMORY_MB
    print(f"target      {'met' if met else 'MISSED'}")
    return met


def main() -> int:
    pairs = [(Path(sys.argv[1]), Path(sys.argv[2]), 3, None, 2.0)] if len(sys.argv) > 2 \
        else PAIRS
    for old, new, runs, seconds, ratio in pairs:
        missing = [path for path in (old, new) if not path.is_file()]
        if missing:
            print(f"bench_diff: {missing[0]} not found (the corpus lives in ../shared/corpus)")
            return 2
        measure(old, new, runs, seconds, ratio)
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
