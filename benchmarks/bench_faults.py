"""Fault injection under load (issue 4), with wrk, each figure next to its baseline from
the same run:

  - throughput of petstore GET /pets/{petId} with a scenario loaded whose rules do not fire
    for it, against the same server without a scenario (target ≥ 90 %);
  - accuracy of an injected 100 ms latency with 32 connections: p50 and p99 of the answer
    time minus 100 ms, next to the p50/p99 without latency (target: p99 error ≤ 5 ms).

    .venv/bin/python benchmarks/bench_faults.py [--seconds 5]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from bench_server import PETSTORE, serving, wrk

QUIET_SCENARIO = """\
name: loaded-not-firing
rules:
  - match: {operation: createPet}
    sequence: [{status: 503}, {fault: reset}, pass]
  - match: {operation: deletePet}
    probability: 0.5
    status: 500
  - match: {method: GET, path: "/pets/{petId}"}
    after: 100000000
    latency: 1s
  - match: {operation: listPets}
    rate_limit: {limit: 5, per: 1s}
"""
LATENCY_SCENARIO = """\
name: latency-100ms
rules:
  - match: {method: GET, path: "/pets/{petId}"}
    latency: 100ms
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("bench_faults: wrk not found; install it with: apt-get install wrk")
        return 2
    mock = [sys.executable, "-m", "contractkit", "mock", str(PETSTORE), "--port", "0",
            "--log-format", "off"]
    with tempfile.TemporaryDirectory() as folder:
        quiet = Path(folder, "quiet.yaml")
        quiet.write_text(QUIET_SCENARIO)
        slow = Path(folder, "slow.yaml")
        slow.write_text(LATENCY_SCENARIO)
        with serving(mock) as url:
            plain = wrk(url + "/pets/1", args.seconds)
            plain32 = wrk(url + "/pets/1", args.seconds, connections=32)
        with serving([*mock, "--scenario", str(quiet)]) as url:
            loaded = wrk(url + "/pets/1", args.seconds)
        with serving([*mock, "--scenario", str(slow)]) as url:
            delayed = wrk(url + "/pets/1", args.seconds, connections=32)
    print(f"{'run':44} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8}")
    for name, (rate, p50, p99) in (("no scenario (16 connections)", plain),
                                   ("scenario loaded, not firing (16)", loaded),
                                   ("no scenario (32 connections)", plain32),
                                   ("latency 100ms (32 connections)", delayed)):
        print(f"{name:44} {rate:9.0f} {p50:8.2f} {p99:8.2f}")
    print(f"throughput with a scenario loaded, not firing: {loaded[0] / plain[0]:.1%} of "
          f"without   (target ≥ 90 %)")
    print(f"injected 100 ms latency: p50 error {delayed[1] - 100:+.2f} ms, p99 error "
          f"{delayed[2] - 100:+.2f} ms   (target p99 ≤ 5 ms; without latency the answer "
          f"takes p50 {plain32[1]:.2f} / p99 {plain32[2]:.2f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
