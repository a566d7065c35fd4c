"""Mock server throughput and latency with wrk, against a bare aiohttp handler measured in
the same run (the baseline), plus start-up time on GitHub's REST contract.

    make bench        # or: .venv/bin/python benchmarks/bench_server.py [--seconds 5]

Scenarios (issue 3):
  (a) petstore GET /pets/{petId}, validation on, valid request
  (b) the same with an invalid request (400 with a problem+json body)
  (c) GitHub REST GET /repos/{owner}/{repo}/issues/{issue_number}
  (d) start-up: process start to the first answered request on GitHub's contract
      (beside the floor any Python mock pays: interpreter, aiohttp, parsing the file)
Targets: (a) ≥ 50 % of the baseline; (c) ≥ 50 % of (a); (d) ≤ 2 s.
wrk comes from Debian's packages (`apt-get install wrk`). All traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import re
import shutil
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


def wrk(url: str, seconds: int, status: int = 200,
        connections: int = 16) -> tuple[float, float, float]:
    """(requests/s, p50 ms, p99 ms), after checking that ``url`` answers ``status`` (a
    benchmark of the wrong path, a 404, once measured nothing but the 404 page)."""
    _expect_status(url, status)
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url],
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("bench_server: wrk not found; install it with: apt-get install wrk")
        return 2
    mock = [sys.executable, "-m", "contractkit", "mock", "--port", "0", "--log-format", "off"]
    rows: list[tuple[str, float, float, float]] = []
    with serving([sys.executable, str(BARE), str(PETSTORE)]) as root:
        rows.append(("baseline: bare aiohttp", *wrk(root + "/pets/1", args.seconds)))
    with serving([*mock, str(PETSTORE)]) as root:
        rows.append(("(a) petstore valid", *wrk(root + "/pets/1", args.seconds)))
        rows.append(("(b) petstore invalid", *wrk(root + "/pets/not-a-number", args.seconds,
                                                     status=400)))
    if GITHUB.is_file():
        with serving([*mock, str(GITHUB)]) as root:
            rows.append(("(c) GitHub issue", *wrk(root + "/repos/octo/hello/issues/7",
                                                   args.seconds)))
    baseline = rows[0][1]
    print(f"{'scenario':28} {'req/s':>9} {'vs base':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for name, rate, p50, p99 in rows:
        print(f"{name:28} {rate:9.0f} {rate / baseline:8.1%} {p50:8.2f} {p99:8.2f}")
    rates = {name[:3]: rate for name, rate, _, _ in rows}
    if "(c)" in rates:
        print(f"(c) / (a) = {rates['(c)'] / rates['(a)']:.1%}   (target ≥ 50 %)")
        startup = startup_seconds(GITHUB, "/repos/octo/hello/issues/7")
        floor = floor_seconds(GITHUB)
        print(f"(d) start-up to first answer on GitHub: {startup:.2f} s   (target ≤ 2 s; "
              f"floor: python + import aiohttp + parse the JSON {floor:.2f} s, "
              f"{startup / floor:.1f} x)")
    print(f"(a) / baseline = {rates['(a)'] / baseline:.1%}   (target ≥ 50 %)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
