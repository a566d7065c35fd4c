"""The pytest plugin's costs (issue 5), measured with real pytest runs in subprocesses:

  - per-test overhead of ``contract_server`` (reset, scenario switch, teardown check):
    N tests that take the fixture and do nothing, against N tests that do not, in the same
    run of this script (target ≤ 5 ms per test);
  - wall time of a test that gets ``429 Retry-After: 60`` three times in virtual time and
    retries after each (target ≤ 0.5 s).

    .venv/bin/python benchmarks/bench_plugin.py [--tests 300]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAYMENTS = ROOT / "contracts" / "payments.yaml"

EMPTY = """
import pytest

@pytest.mark.parametrize("n", range({n}))
def test_plain(n):
    pass
"""
WITH_SERVER = """
import pytest

@pytest.mark.contract({contract!r})
@pytest.mark.parametrize("n", range({n}))
def test_with_server(n, contract_server):
    pass

@pytest.mark.contract({contract!r})
def test_a_first_test_starts_the_server(contract_server):
    pass
"""
RETRY_AFTER = """
import time
import httpx, pytest
from contractkit.assertions.virtual_time import _real_perf_counter

@pytest.mark.contract({contract!r})
def test_retry_after_60_three_times(contract_server, virtual_time):
    contract_server.use_scenario({{"name": "slow-down", "rules": [{{"match": {{"any": True}},
        "sequence": [{{"status": {{"code": 429, "retry_after": "60s"}}}}] * 3}}]}})
    started = _real_perf_counter()
    for _ in range(4):
        answer = httpx.get(contract_server.url + "/payments/pay_3Nf8aZq2LkP0sT7x",
                           headers={{"Authorization": "Bearer sk_test_1"}})
        if answer.status_code != 429:
            break
        time.sleep(int(answer.headers["Retry-After"]))
    assert answer.status_code == 200
    contract_server.expect("getPayment")
    print(f"WALL {{_real_perf_counter() - started:.4f}}")
"""


def run(folder: Path, source: str, *extra: str) -> tuple[float, str]:
    test = folder / "test_bench.py"
    test.write_text(source)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-s", "-p",
                             "no:cacheprovider", str(test), *extra], cwd=folder,
                            capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"bench_plugin: the run failed:\n{result.stdout}\n{result.stderr}")
    return elapsed, result.stdout


def pytest_seconds(output: str) -> float:
    match = re.search(r"passed in ([\d.]+)s", output)
    return float(match.group(1)) if match else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=300)
    args = parser.parse_args()
    n = args.tests
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        _, plain = run(folder, EMPTY.format(n=n))
        _, served = run(folder, WITH_SERVER.format(n=n, contract=str(PAYMENTS)))
        _, retry = run(folder, RETRY_AFTER.format(contract=str(PAYMENTS)))
    base, with_server = pytest_seconds(plain), pytest_seconds(served)
    wall = float(re.search(r"WALL ([\d.]+)", retry).group(1))  # type: ignore[union-attr]
    print(f"{n} empty tests: {base:.2f} s; {n} tests with contract_server: {with_server:.2f} s "
          f"(includes starting the server once)")
    print(f"contract_server overhead per test: {(with_server - base) / n * 1000:.2f} ms   "
          f"(target ≤ 5 ms)")
    print(f"virtual-time test, Retry-After: 60 three times: {wall:.3f} s wall   "
          f"(target ≤ 0.5 s; 180 s of waiting in real time)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
