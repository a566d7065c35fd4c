"""Soak: the mock's memory stays bounded under traffic built to grow it (issue 11).

    make bench        # or: .venv/bin/python benchmarks/bench_soak.py [--seconds 90]

(a) wrk at 64 connections for --seconds, every request with a new X-Contractkit-Session
    (each session once kept every entry the journal's ring had evicted);
(b) 100 POSTs of 8 MiB bodies (each journal entry once kept its whole body).
The process's resident memory (VmRSS) is sampled throughout. The baseline, measured in
the same run, is the same server's RSS after a short warm-up. Targets: under 200 MB
throughout, and flat (the median of the last third of the samples within 10 % of the
middle third's).
wrk comes from Debian's packages (`apt-get install wrk`). All traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import http.client
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

from bench_server import ROOT, serving_process

PAYMENTS = ROOT / "contracts" / "payments.yaml"
#: a new session per request; wrk's threads each number their own, so add the thread
SESSIONS_LUA = """
local counter = 0
local thread_id = tostring(math.random(1, 1000000000))
request = function()
  counter = counter + 1
  return wrk.format("GET", nil, {["X-Contractkit-Session"] = thread_id .. "-" .. counter,
                                 ["Authorization"] = "Bearer sk_test_soak"})
end
"""
BODY_BYTES = 8 * 1024 * 1024
TARGET_MB = 200.0


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise SystemExit(f"bench_soak: no VmRSS for process {pid}")


class Sampler:
    """RSS of one process every ``every`` seconds, on a thread, until stopped."""

    def __init__(self, pid: int, every: float) -> None:
        self.pid, self.every = pid, every
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._start = time.monotonic()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.monotonic() - self._start, rss_mb(self.pid)))
            self._stop.wait(self.every)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append((time.monotonic() - self._start, rss_mb(self.pid)))


def unique_sessions(url: str, seconds: int) -> int:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(SESSIONS_LUA)
    output = subprocess.run(["wrk", "-t2", "-c64", f"-d{seconds}s", "-s", script.name, url],
                            capture_output=True, text=True, check=True).stdout
    Path(script.name).unlink()
    for line in output.splitlines():
        if "requests in" in line:
            return int(line.split()[0])
    raise SystemExit(f"bench_soak: wrk printed no request count:\n{output}")


def big_bodies(url: str, count: int) -> list[int]:
    parts = urlsplit(url)
    body = b'{"amount": 2000, "currency": "EUR", "description": "' + b"x" * (
        BODY_BYTES - 60) + b'"}'
    statuses = []
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    for number in range(count):
        connection.request("POST", parts.path + "/payments", body=body, headers={
            "Content-Type": "application/json", "Authorization": "Bearer sk_test_soak",
            "Idempotency-Key": f"soak-{number}"})
        response = connection.getresponse()
        response.read()
        statuses.append(response.status)
    connection.close()
    return statuses


def report(name: str, samples: list[tuple[float, float]], baseline: float) -> bool:
    values = [rss for _, rss in samples]
    third = max(1, len(values) // 3)
    # flat: the typical RSS of the last third against the middle third's (a sample taken
    # while an 8 MiB request is being parsed is a peak that the next request frees)
    middle = statistics.median(values[third:2 * third] or values)
    last = statistics.median(values[-third:])
    ok = max(values) < TARGET_MB and last <= middle * 1.10 + 5
    print(f"{name:22} max {max(values):6.1f} MB  median {middle:6.1f} MB (middle third) "
          f"-> {last:6.1f} MB (last third)  end {values[-1]:6.1f} MB  "
          f"({max(values) / baseline:.2f} x baseline)  {'ok' if ok else 'FAILS'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=90)
    parser.add_argument("--bodies", type=int, default=100)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("bench_soak: wrk not found; install it with: apt-get install wrk")
        return 2
    command = [sys.executable, "-m", "contractkit", "mock", str(PAYMENTS), "--port", "0",
               "--log-format", "off"]
    with serving_process(command) as (url, process):
        subprocess.run(["wrk", "-t1", "-c8", "-d3s", url + "/payments"],
                       capture_output=True, check=True)  # warm-up: caches, first answers
        baseline = rss_mb(process.pid)
        print(f"baseline: the mock's RSS after warm-up {baseline:.1f} MB")
        with Sampler(process.pid, every=max(1.0, args.seconds / 30)) as sessions:
            requests = unique_sessions(url + "/payments", args.seconds)
        with Sampler(process.pid, every=0.5) as bodies:
            statuses = big_bodies(url, args.bodies)
    print(f"(a) {requests:,} requests, each a new session, in {args.seconds} s at 64 "
          "connections")
    print(f"(b) {len(statuses)} POSTs of {BODY_BYTES // (1024 * 1024)} MiB (answers: "
          f"{sorted(set(statuses))})")
    ok = report("(a) unique sessions", sessions.samples, baseline)
    ok = report("(b) 8 MiB bodies", bodies.samples, baseline) and ok
    print(f"target: under {TARGET_MB:.0f} MB and flat after warm-up")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
