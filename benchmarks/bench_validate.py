"""Request validation cost: jsonschema-rs (what contractkit uses) against pure-Python
jsonschema on the same compiled schemas, in the same run.

    .venv/bin/python benchmarks/bench_validate.py

Validates a valid and an invalid createPayment request of the bundled payments contract
(header and body) many times with each engine and prints microseconds per request and the
ratio. This is the measurement behind the choice in contract/schema_validator.py.

Then ``contractkit validate`` of GitHub's REST contract (13 MB, 462 warnings) next to loading
the same file, in the same run. Target (issue 11): validate ≤ 3× load.
"""

from __future__ import annotations

import gc
import json
import statistics
import time
from pathlib import Path
from typing import Any

import jsonschema

import contractkit
from contractkit import HttpRequest
from contractkit.contract.checks import validate_files
from contractkit.contract.schema_validator import CompiledSchema

ROOT = Path(__file__).resolve().parents[1]
GITHUB = ROOT.parent / "shared" / "corpus" / "large" / "github-rest-v23.0.2.json"
ROUNDS = 3000
BODY = {"amount": 1999, "currency": "EUR", "description": "order 42",
        "payment_method": {"type": "card", "number": "4242424242424242", "exp_month": 12,
                           "exp_year": 2030, "cvc": "123"}}


def per_request(function: Any) -> float:
    function()
    start = time.perf_counter()
    for _ in range(ROUNDS):
        function()
    return (time.perf_counter() - start) / ROUNDS * 1e6


def main() -> int:
    contract = contractkit.load(ROOT / "contracts" / "payments.yaml")
    validator = contract.validator("createPayment")
    headers = {"Authorization": "Bearer t", "Idempotency-Key": "k-1",
               "Content-Type": "application/json"}
    valid = HttpRequest.build("POST", "/payments", headers=headers, body=json.dumps(BODY))
    invalid = HttpRequest.build("POST", "/payments", headers=headers,
                                body=json.dumps({**BODY, "amount": 0, "currency": "euro"}))
    assert validator.validate_request(valid).ok, validator.validate_request(valid).violations
    assert not validator.validate_request(invalid).ok
    rust = {name: per_request(lambda r=r: validator.validate_request(r))
            for name, r in (("valid", valid), ("invalid", invalid))}
    # the same validator with every compiled schema forced onto pure-Python jsonschema
    for key, (bundled, _) in list(validator._compiled.items()):
        python = CompiledSchema.__new__(CompiledSchema)
        python.schema, python._rust = bundled, None
        python._fallback = jsonschema.Draft202012Validator(
            bundled, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
        validator._compiled[key] = (bundled, python)
    python_times = {name: per_request(lambda r=r: validator.validate_request(r))
                    for name, r in (("valid", valid), ("invalid", invalid))}
    print(f"{'request':10} {'jsonschema-rs':>15} {'jsonschema':>12} {'speed-up':>9}")
    for name in ("valid", "invalid"):
        print(f"{name:10} {rust[name]:12.1f} µs {python_times[name]:9.1f} µs "
              f"{python_times[name] / rust[name]:8.1f}x")
    return validate_against_load()


def median_seconds(function: Any, runs: int = 5) -> float:
    samples = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def validate_against_load() -> int:
    if not GITHUB.is_file():
        print(f"\nvalidate vs load: skipped, {GITHUB} is not there")
        return 0
    load = median_seconds(lambda: contractkit.load(GITHUB))
    # the first run is what the CLI pays (caches of compiled schemas are cold): judged on it
    gc.collect()
    start = time.perf_counter()
    report = validate_files([GITHUB])
    validate = time.perf_counter() - start
    warnings = sum(1 for file in report.files for problem in file.problems
                   if problem.severity == "warning")
    ratio = validate / load
    print(f"\nvalidate {GITHUB.name} ({warnings} warnings), first run: {validate:.2f} s; "
          f"load: {load:.2f} s; ratio {ratio:.1f}x (target <= 3x) "
          f"{'ok' if ratio <= 3 else 'OVER TARGET'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
