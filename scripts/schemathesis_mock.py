"""Run schemathesis against `contractkit mock` for many contracts; count what fails.

    .venv/bin/python scripts/schemathesis_mock.py [CONTRACT ...] [--max-examples 5]

Without arguments: the bundled contracts and every OpenAPI contract of
../shared/corpus/openapi. For each one the mock is started on 127.0.0.1 (port 0), then
`schemathesis run` sends generated requests with its default checks (no server errors,
status codes, content types, headers and bodies conforming to the contract, ...). Prints a
line per contract and a summary; exit 1 if any failure was found.

Needs schemathesis (`pip install schemathesis`), which is not a test dependency.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import contractkit
from contractkit.server.runner import MockServer

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "openapi"
#: Two runs per contract. Valid requests (positive) must get answers that conform to the
#: contract: status, content type, headers, body, and never a server error. Invalid
#: requests (negative) must be rejected without a server error; which 4xx is the
#: contract's to say, and many contracts declare none, so status conformance is not
#: checked for them. Not checked at all: `ignored_auth` (a mock checks that credentials are
#: present, not that they are genuine) and the stateful phase (a stateless mock keeps
#: serving a resource after DELETE).
RUNS = (
    ("positive", "not_a_server_error,status_code_conformance,content_type_conformance,"
                 "response_headers_conformance,response_schema_conformance,"
                 "positive_data_acceptance"),
    ("negative", "not_a_server_error,negative_data_rejection"),
)


def run_one(path: Path, max_examples: int, timeout: float) -> dict[str, object]:
    started = time.perf_counter()
    try:
        contract = contractkit.load(path)
    except contractkit.ContractkitError as error:
        return {"contract": str(path), "status": "not loaded", "detail": str(error)}
    if contract.kind != "openapi" or not contract.operations:
        return {"contract": str(path), "status": "skipped", "detail": "no HTTP operations"}
    outputs, codes = [], []
    with MockServer(contract, validate="strict") as server:
        for mode, checks in RUNS:
            command = [
                sys.executable, "-m", "schemathesis.cli", "run", str(path), "--url",
                server.url, "--max-examples", str(max_examples), "--workers", "1",
                "--no-color", "--seed", "1", "--request-timeout", "10",
                "--suppress-health-check", "all", "--max-failures", "50",
                "--phases", "examples,coverage,fuzzing", "--mode", mode, "--checks", checks,
                *_credentials(contract),
            ]
            try:
                result = subprocess.run(command, capture_output=True, text=True,
                                        timeout=timeout, check=False, cwd=ROOT)
            except subprocess.TimeoutExpired:
                return {"contract": str(path), "status": "timeout", "seconds": timeout}
            outputs.append(result.stdout + result.stderr)
            codes.append(result.returncode)
        mock_errors = [str(e) for e in server.app.errors]
    output = "\n".join(outputs)
    failures = sorted(set(re.findall(r"^\s*- (ST\d+ [^\n]{3,80})$", output, re.MULTILINE)))
    if any(codes) and not failures and "= ERRORS =" in output:
        failures = ["schemathesis error (see details)"]
    cases = sum(int(n) for n in re.findall(r"^\s+(\d+) generated", output, re.MULTILINE))
    return {
        "contract": str(path),
        "status": "ok" if not any(codes) and not mock_errors else "failed",
        "exit_codes": codes,
        "operations": len(contract.operations),
        "test_cases": cases,
        "failures": failures,
        "mock_internal_errors": mock_errors,
        "seconds": round(time.perf_counter() - started, 1),
        "details": [_failures_section(text)[:20000] for text in outputs],
    }


def _credentials(contract: contractkit.Contract) -> list[str]:
    """Headers that satisfy the contract's security schemes, as a real client would send
    (schemathesis does not invent credentials; the mock rejects requests without them)."""
    headers = {"Authorization": "Bearer contractkit-conformance"}
    for scheme in contract.security_schemes.values():
        if scheme.type == "apiKey" and scheme.location == "header":
            headers.setdefault(scheme.parameter_name, "contractkit-conformance")
    return [argument for name, value in headers.items() for argument in ("-H", f"{name}: {value}")]


def _failures_section(text: str) -> str:
    """What went wrong: schemathesis' ERRORS and FAILURES sections, up to its SUMMARY."""
    starts = [i for i in (text.find("= ERRORS ="), text.find("= FAILURES =")) if i != -1]
    if not starts:
        return ""
    start = min(starts)
    end = text.find("= SUMMARY =", start)
    return text[start:end]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("contracts", nargs="*", type=Path)
    parser.add_argument("--max-examples", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=180)
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    paths = args.contracts or [
        *(p for p in sorted((ROOT / "contracts").glob("*")) if p.suffix in (".yaml", ".json")),
        *sorted(CORPUS.glob("*.json")),
    ]
    results = []
    for path in paths:
        outcome = run_one(path, args.max_examples, args.timeout)
        results.append(outcome)
        failures = outcome.get("failures") or []
        print(f"{outcome['status']:10} {outcome.get('seconds', '')!s:>6}s  "
              f"{outcome.get('test_cases', '')!s:>5} cases  {path.name}  "
              f"{', '.join(failures)}", flush=True)
    counts: dict[str, int] = {}
    for outcome in results:
        counts[str(outcome["status"])] = counts.get(str(outcome["status"]), 0) + 1
    print("summary:", json.dumps(counts))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0 if counts.get("failed", 0) == 0 and counts.get("timeout", 0) == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
