"""Request validation cost: jsonschema-rs (what contractkit uses) against pure-Python
jsonschema on the same compiled schemas, in the same run.

    .venv/bin/python benchmarks/bench_validate.py

Validates a valid and an invalid createPayment request of the bundled payments contract
(header and body) many times with each engine and prints microseconds per request and the
ratio. This is the measurement behind the choice in contract/schema_validator.py.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import jsonschema

import contractkit
from contractkit import HttpRequest
from contractkit.contract.schema_validator import CompiledSchema

ROOT = Path(__file__).resolve().parents[1]
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
