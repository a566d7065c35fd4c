"""Run the timing-sensitive matrix tests many times and count wrong verdicts (issue 13).

    .venv/bin/python scripts/flake_check.py [--repeat 100]

Each run of a real library's client draws new random waits (jitter) and new scheduling, so
a verdict that depends on luck shows up here; CI runs each test once. Prints, per test,
how many of the repeats failed, and exits 1 if any did.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: the tests whose verdicts depend on random waits or on the clock
TESTS = [
    "tests/assertions/test_backoff_libraries.py",
    "tests/assertions/test_retry_after_dates.py",
    "tests/assertions/test_breakers.py",
    "tests/assertions/test_advice.py",
    "tests/assertions/test_virtual_asyncio.py",
    "tests/assertions/test_virtual_time_server.py",
    "tests/assertions/test_journal_per_test.py",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("tests", nargs="*", default=TESTS)
    options = parser.parse_args()
    failures: dict[str, int] = {}
    for run in range(options.repeat):
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rf",
             *options.tests], cwd=ROOT, capture_output=True, text=True, check=False)
        for line in done.stdout.splitlines():
            if line.startswith("FAILED "):
                test = line.split(" ")[1]
                failures[test] = failures.get(test, 0) + 1
        if done.returncode not in (0, 1):
            print(done.stdout[-2000:], done.stderr[-2000:])
            return 2
        print(f"run {run + 1}/{options.repeat}: {sum(failures.values())} failure(s) so far",
              flush=True)
    for test, count in sorted(failures.items()):
        print(f"{count:4d}/{options.repeat}  {test}")
    print(f"{len(failures)} test(s) flaked in {options.repeat} runs" if failures
          else f"0 flakes in {options.repeat} runs")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
