"""Mock server throughput and latency with wrk, against bare aiohttp handlers measured in
the same run (the baselines: on uvloop, the ceiling, and on asyncio's loop), plus start-up
time on GitHub's REST contract, each ratio next to the one recorded before.

    make bench        # or: .venv/bin/python benchmarks/bench_server.py [--seconds 8]
    .venv/bin/python benchmarks/bench_server.py --save   # record these as "before"

Rows (wrk -t2 -c32, as users compare with WireMock; issue 17):
  (a) petstore GET /pets/{petId}, validation and journal on, default logging
  (a0) the same with --log-format off
  (b) the same with an invalid request (400 with a problem+json body)
  (c) GitHub REST GET /repos/{owner}/{repo}/issues/{issue_number}, against a bare aiohttp
      server sending the same 17 KB answer (its own baseline) as well
  (e) petstore with --workers 2 (on 2 cores shared with wrk: what is left for a second)
  (f) petstore with --state redis:// (when redis-server is installed)
  (d) start-up: process start to the first answered request on GitHub's contract
      (beside the floor any Python mock pays: interpreter, aiohttp, parsing the file)
Targets: (a) ≥ 0.60 x the uvloop baseline; (b) ≥ 0.50 x; (c) within 10 % of (a); p99 ≤ 5 ms;
(d) ≤ 2 s. The mock runs on uvloop where installed (`--loop auto`).
wrk comes from Debian's packages (`apt-get install wrk`). All traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GITHUB = ROOT.parent / "shared" / "corpus" / "large" / "github-rest-v23.0.2.json"
PETSTORE = ROOT / "contracts" / "petstore.yaml"
BARE = Path(__file__).with_name("bare_aiohttp.py")


@contextmanager
def serving(command: list[str]) -> Iterator[str]:
    """Start a server process that prints 'serving ... at URL' or 'listening URL'; yield
    that URL (the mock's includes the contract's base path, e.g. /v1); stop it (by its
    PID) afterwards."""
    with serving_process(command) as (url, _):
        yield url


@contextmanager
def serving_process(command: list[str]) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """:func:`serving`, yielding the process too (to measure it)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, cwd=ROOT)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"(http://127\.0\.0\.1:\d+\S*)", line)
        if match is None:
            raise SystemExit(f"server did not start: {line!r}")
        yield match.group(1), process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def wrk(url: str, seconds: int, status: int = 200, connections: int = 16,
        threads: int = 1) -> tuple[float, float, float]:
    """(requests/s, p50 ms, p99 ms), after checking that ``url`` answers ``status`` (a
    benchmark of the wrong path, a 404, once measured nothing but the 404 page)."""
    _expect_status(url, status)
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    return rate, _latency(output, "50%"), _latency(output, "99%")


def _expect_status(url: str, status: int) -> None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            got = response.status
    except urllib.error.HTTPError as error:
        got = error.code
    if got != status:
        raise SystemExit(f"bench_server: {url} answered {got}, expected {status}")


def _latency(output: str, percentile: str) -> float:
    match = re.search(rf"{re.escape(percentile)}\s+([\d.]+)(us|ms|s)", output)
    if match is None:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def startup_seconds(contract: Path, path: str) -> float:
    start = time.perf_counter()
    with serving([sys.executable, "-m", "contractkit", "mock", str(contract), "--port", "0",
                  "--log-format", "off"]) as root:
        with urllib.request.urlopen(root + path, timeout=30) as response:
            response.read()
        return time.perf_counter() - start


def floor_seconds(contract: Path) -> float:
    """What any Python mock of ``contract`` pays before it can answer: start the
    interpreter, import aiohttp, parse the file. Start-up is absolute seconds, so this floor
    measured in the same run says how fast the machine is today."""
    code = ("import sys, aiohttp, orjson; from pathlib import Path; "
            "orjson.loads(Path(sys.argv[1]).read_bytes())")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code, str(contract)], check=True)
    return time.perf_counter() - start


PREVIOUS = Path(__file__).with_name("previous-server.json")
Row = tuple[str, float, float, float]


def measure(seconds: int) -> list[Row]:
    def run(name: str, url: str, status: int = 200) -> Row:
        return (name, *wrk(url, seconds, status=status, connections=32, threads=2))

    mock = [sys.executable, "-m", "contractkit", "mock", "--port", "0"]
    rows: list[Row] = []
    for loop in ("uvloop", "asyncio"):
        with serving([sys.executable, str(BARE), str(PETSTORE), loop]) as root:
            rows.append(run(f"baseline: bare aiohttp, {loop}", root + "/pets/1"))
    with serving([*mock, str(PETSTORE)]) as root:
        rows.append(run("(a) petstore valid", root + "/pets/1"))
    with serving([*mock, str(PETSTORE), "--log-format", "off"]) as root:
        rows.append(run("(a0) petstore, log off", root + "/pets/1"))
        rows.append(run("(b) petstore invalid", root + "/pets/not-a-number", status=400))
    if GITHUB.is_file():
        issue = "/repos/octo/hello/issues/7"
        with serving([sys.executable, str(BARE), str(GITHUB), "uvloop", issue]) as root:
            rows.append(run("baseline: GitHub's answer, uvloop", root + issue))
        with serving([*mock, str(GITHUB)]) as root:
            rows.append(run("(c) GitHub issue", root + issue))
    with serving([*mock, str(PETSTORE), "--workers", "2"]) as root:
        rows.append(run("(e) petstore, 2 workers", root + "/pets/1"))
    with redis_server() as url:
        if url is not None:
            with serving([*mock, str(PETSTORE), "--state", url]) as root:
                rows.append(run("(f) petstore, --state redis", root + "/pets/1"))
    return rows


@contextmanager
def redis_server() -> Iterator[str | None]:
    """A throwaway redis-server on a free port (None when it is not installed)."""
    if shutil.which("redis-server") is None:
        yield None
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(["redis-server", "--port", str(port), "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            with socket.socket() as client:
                if client.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)  # redis-server has no readiness line on a pipe we read
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--save", action="store_true",
                        help=f"record this run's ratios in {PREVIOUS.name}")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("bench_server: wrk not found; install it with: apt-get install wrk")
        return 2
    rows = measure(args.seconds)
    uv, plain = rows[0][1], rows[1][1]
    previous = json.loads(PREVIOUS.read_text()) if PREVIOUS.is_file() else {}
    before = previous.get("ratios", {})
    print(f"{'scenario':32} {'req/s':>8} {'vs uvloop':>9} {'vs asyncio':>10} "
          f"{'before':>7} {'p50 ms':>7} {'p99 ms':>7}")
    ratios = {}
    for name, rate, p50, p99 in rows:
        ratios[name] = round(rate / uv, 3)
        was = f"{before[name]:.2f}" if name in before else "-"
        print(f"{name:32} {rate:8.0f} {rate / uv:8.2f}x {rate / plain:9.2f}x {was:>7} "
              f"{p50:7.2f} {p99:7.2f}")
    if previous:
        print(f"(before: {previous.get('when', '?')}, {previous.get('commit', '?')})")
    rates = {name.split(")")[0] + ")": rate for name, rate, _, _ in rows}
    print(f"(a) / uvloop baseline = {rates['(a)'] / uv:.2f} x   (target ≥ 0.60 x)")
    print(f"(b) / uvloop baseline = {rates['(b)'] / uv:.2f} x   (target ≥ 0.50 x)")
    p99 = {name.split(")")[0] + ")": late for name, _, _, late in rows}
    print(f"(a) p99 = {p99['(a)']:.2f} ms   (target ≤ 5 ms at 32 connections)")
    if "(c)" in rates:
        # a 17 KB answer costs any server more than the petstore's 100 bytes: each row
        # against a bare aiohttp server sending the same answer, so what is left is the
        # contract's size (both with default logging)
        own = next(rate for name, rate, _, _ in rows if name.startswith("baseline: GitHub"))
        github, petstore = rates["(c)"] / own, rates["(a)"] / uv
        print(f"(c) / its own baseline = {github:.2f} x, (a) / uvloop baseline = "
              f"{petstore:.2f} x: GitHub at {github / petstore:.1%} of petstore   (target ≥ "
              f"90 %; raw (c) / (a) = {rates['(c)'] / rates['(a)']:.1%}, the bytes "
              f"included)")
        startup = startup_seconds(GITHUB, "/repos/octo/hello/issues/7")
        floor = floor_seconds(GITHUB)
        print(f"(d) start-up to first answer on GitHub: {startup:.2f} s   (target ≤ 2 s; "
              f"floor: python + import aiohttp + parse the JSON {floor:.2f} s, "
              f"{startup / floor:.1f} x)")
    if args.save:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, cwd=ROOT, check=False).stdout.strip()
        PREVIOUS.write_text(json.dumps({"when": time.strftime("%Y-%m-%d"), "commit": commit,
                                        "ratios": ratios}, indent=2) + "\n")
        print(f"saved in {PREVIOUS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
