"""Time and peak memory of ``contractkit.diff`` on two published versions of GitHub's REST
contract, next to the time to load both files, measured in the same run.

    make bench            # or: .venv/bin/python benchmarks/bench_diff.py [OLD NEW]

Target (issue 6): the diff itself ≤ 1 s and ≤ the time to load both contracts. Each time is
the median of several runs on freshly loaded contracts (nothing is cached between runs);
memory is the tracemalloc peak of one diff. Read the ratio, not the seconds. Without
arguments it also measures GitHub's GraphQL schema (v15.0.0 → v15.26.1) the same way.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import contractkit

ROOT = Path(__file__).resolve().parents[1]
LARGE = ROOT.parent / "shared" / "corpus" / "large"
DEFAULT = (LARGE / "github-rest-v22.0.0.json", LARGE / "github-rest-v23.0.2.json")
GRAPHQL = ROOT.parent / "shared" / "corpus" / "graphql"
GRAPHQL_PAIR = (GRAPHQL / "github-v15.0.0.graphql", GRAPHQL / "github-v15.26.1.graphql")
RUNS = 5


def measure(old: Path, new: Path) -> None:
    loads, diffs = [], []
    report = None
    for _ in range(RUNS):
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
    assert report is not None
    load_time, diff_time = statistics.median(loads), statistics.median(diffs)
    counts = report.counts()
    print(f"files: {old.name} → {new.name} ({len(after.operations)} operations); "
          f"{len(report.changes)} changes: {counts['breaking']} breaking, "
          f"{counts['dangerous']} dangerous, {counts['safe']} safe")
    print(f"load both   {load_time * 1000:8.1f} ms")
    print(f"diff        {diff_time * 1000:8.1f} ms   peak {peak / 1e6:6.1f} MB (tracemalloc)")
    print(f"ratio       {diff_time / load_time:8.2f} x   (target: diff ≤ 1 s and ≤ 1.00 x the "
          "load time)")


def main() -> int:
    pairs = [tuple(Path(a) for a in sys.argv[1:3])] if len(sys.argv) > 2 else [
        DEFAULT, GRAPHQL_PAIR]
    for old, new in pairs:
        missing = [path for path in (old, new) if not path.is_file()]
        if missing:
            print(f"bench_diff: {missing[0]} not found (the corpus lives in ../shared/corpus)")
            return 2
        measure(old, new)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
