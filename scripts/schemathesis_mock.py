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


def run_one(path: Path, max_examples: int, timeout: float) -> dict[str, object]:
    started = time.perf_counter()
    try:
        contract = contractkit.load(path)
    except contractkit.ContractkitError as error:
        return {"contract": str(path), "status": "not loaded", "detail": str(error)}
    if contract.kind != "openapi" or not contract.operations:
        return {"contract": str(path), "status": "skipped", "detail": "no HTTP operations"}
    with MockServer(contract, validate="strict") as server:
        command = [
            sys.executable, "-m", "schemathesis.cli", "run", str(path), "--url", server.url,
            "--max-examples", str(max_examples), "--workers", "1", "--no-color",
            "--seed", "1", "--request-timeout", "10", "--suppress-health-check", "all",
            "--max-failures", "50",
            # a stateless mock cannot pass stateful checks (a deleted resource stays
            # available), so the stateful phase is not run
            "--phases", "examples,coverage,fuzzing",
            # a mock checks that credentials are present, not that they are genuine (the
            # token_expired fault simulates rejection), so ignored_auth is not checked
            "--exclude-checks", "ignored_auth",
        ]
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                    check=False, cwd=ROOT)
        except subprocess.TimeoutExpired:
            return {"contract": str(path), "status": "timeout", "seconds": timeout}
        mock_errors = [str(e) for e in server.app.errors]
    output = result.stdout + result.stderr
    failures = sorted(set(re.findall(r"^\s*- ([A-Z][^\n]{3,80})$", output, re.MULTILINE)))
    summary = re.findall(r"^(?:=+ )?(\d+ (?:passed|failed|errored|skipped).*)$", output,
                         re.MULTILINE)
    return {
        "contract": str(path),
        "status": "ok" if result.returncode == 0 and not mock_errors else "failed",
        "exit_code": result.returncode,
        "operations": len(contract.operations),
        "failures": failures,
        "mock_internal_errors": mock_errors,
        "summary": summary[-1] if summary else "",
        "seconds": round(time.perf_counter() - started, 1),
        "tail": output[-3000:] if result.returncode else "",
    }


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
        print(f"{outcome['status']:10} {outcome.get('seconds', '')!s:>6}s  {path.name}  "
              f"{outcome.get('summary', '')}  {', '.join(outcome.get('failures', []))}",
              flush=True)
    counts: dict[str, int] = {}
    for outcome in results:
        counts[str(outcome["status"])] = counts.get(str(outcome["status"]), 0) + 1
    print("summary:", json.dumps(counts))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0 if counts.get("failed", 0) == 0 and counts.get("timeout", 0) == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
