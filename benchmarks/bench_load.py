"""Load time and peak memory of ``contractkit.load`` on GitHub's REST contract, next to a
plain ``json.loads`` of the same file measured in the same run.

    make bench            # or: .venv/bin/python benchmarks/bench_load.py [FILE]

Target (issue 2): load ≤ 3× the plain parse. Each figure is the median of several runs;
memory is the tracemalloc peak of one run. Machines are noisy, so read the ratio, not the
seconds.
"""

from __future__ import annotations

import gc
import json
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import contractkit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "corpus" / "large" / "github-rest-v23.0.2.json"
RUNS = 7


def timed(function: Callable[[], Any]) -> float:
    samples = []
    for _ in range(RUNS):
        gc.collect()
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def memory(function: Callable[[], Any]) -> tuple[int, int]:
    """(bytes still held by the result, peak bytes while producing it)."""
    gc.collect()
    tracemalloc.start()
    result = function()
    held, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    return held, peak


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not path.is_file():
        print(f"bench_load: {path} not found (the corpus lives in ../shared/corpus)")
        return 2

    def plain() -> Any:
        return json.loads(path.read_bytes())

    def load() -> contractkit.Contract:
        return contractkit.load(path)

    contract = load()
    baseline, ours = timed(plain), timed(load)
    (baseline_held, baseline_peak), (ours_held, ours_peak) = memory(plain), memory(load)
    print(f"file: {path.name} ({path.stat().st_size / 1e6:.1f} MB, "
          f"{len(contract.operations)} operations)")
    print(f"{'':18} {'time':>11}   {'held':>10}   {'peak':>10}")
    for name, seconds, held, peak in (("json.loads", baseline, baseline_held, baseline_peak),
                                      ("contractkit.load", ours, ours_held, ours_peak)):
        print(f"{name:18} {seconds * 1000:8.1f} ms   {held / 1e6:7.1f} MB   {peak / 1e6:7.1f} MB")
    print(f"{'ratio':18} {ours / baseline:8.2f} x    {ours_held / baseline_held:7.2f} x    "
          f"{ours_peak / baseline_peak:7.2f} x   (target: time ≤ 3.00 x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
