"""Run schemathesis against `contractkit mock` for many contracts; sort what fails.

    .venv/bin/python scripts/schemathesis_mock.py [CONTRACT ...] [--max-examples 5]

Without arguments: the bundled contracts and every OpenAPI contract of
../shared/corpus/openapi. For each one the mock is started on 127.0.0.1 (port 0), then
`schemathesis run` sends generated requests (see RUNS). Each failure schemathesis reports
(a code such as ST108, per operation) is either *known* — listed in
scripts/schemathesis_known.yaml with its class (`contract`: the contract is unsatisfiable
or inconsistent; `tool`: schemathesis reads the contract differently; `script`: this run's
own setup) and the reason — or counted as caused by the mock. Prints a line per contract and
a summary; exit 0 only when no failure is left unexplained.

Needs schemathesis (`pip install schemathesis`), which is not a test dependency.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

import contractkit
from contractkit.server.runner import MockServer

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "openapi"
KNOWN = Path(__file__).with_name("schemathesis_known.yaml")
CLASSES = ("contract", "tool", "script")
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


@dataclass(frozen=True)
class Known:
    """One failure that is not the mock's: which contract, code and operations, and why."""

    contract: str
    code: str
    kind: str
    reason: str
    operations: tuple[str, ...] = ()  # empty: every operation

    def explains(self, contract: str, code: str, operation: str) -> bool:
        return (self.contract == contract and self.code == code
                and (not self.operations or operation in self.operations))


def load_known(path: Path) -> list[Known]:
    entries = (yaml.safe_load(path.read_text()) or []) if path.exists() else []
    known = []
    for number, entry in enumerate(entries, 1):
        if entry.get("class") not in CLASSES or not entry.get("reason"):
            raise SystemExit(f"{path}: entry {number} needs a class ({', '.join(CLASSES)}) "
                             "and a reason")
        known.append(Known(entry["contract"], str(entry["code"]), entry["class"],
                           entry["reason"], tuple(entry.get("operations") or ())))
    return known


def run_one(path: Path, max_examples: int, timeout: float,
            known: list[Known]) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        contract = contractkit.load(path)
    except contractkit.ContractkitError as error:
        return {"contract": path.name, "status": "not loaded", "detail": str(error)}
    if contract.kind != "openapi" or not contract.operations:
        return {"contract": path.name, "status": "skipped", "detail": "no HTTP operations"}
    failures: list[dict[str, str]] = []  # one per (run, code, operation)
    cases = 0
    details = []
    with MockServer(contract, validate="strict") as server, \
            tempfile.TemporaryDirectory() as scratch:
        for mode, checks in RUNS:
            report = Path(scratch) / f"{mode}.json"
            command = [
                sys.executable, "-m", "schemathesis.cli", *_auth_config(contract, Path(scratch)),
                "run", str(path), "--url",
                server.url, "--max-examples", str(max_examples), "--workers", "1",
                "--no-color", "--seed", "1", "--request-timeout", "10",
                "--suppress-health-check", "all", "--max-failures", "50",
                "--phases", "examples,coverage,fuzzing", "--mode", mode, "--checks", checks,
                "--report", "json", "--report-json-path", str(report),
                *_credentials(contract),
            ]
            try:
                result = subprocess.run(command, capture_output=True, text=True,
                                        timeout=timeout, check=False, cwd=scratch)
            except subprocess.TimeoutExpired:
                failures.append({"run": mode, "code": "timeout", "title": f"over {timeout} s",
                                 "operation": ""})
                break
            details.append(_failures_section(result.stdout + result.stderr))
            summary = json.loads(report.read_text()) if report.exists() else {}
            cases += summary.get("test_cases", {}).get("generated", 0)
            for group in summary.get("failures", []):
                failures.extend({"run": mode, "code": group["code"], "title": group["title"],
                                 "operation": operation} for operation in group["operations"])
            for error in summary.get("errors", []):
                failures.append({"run": mode, "code": "error", "title": error["title"],
                                 "operation": ""})
            if not summary and result.returncode:
                failures.append({"run": mode, "code": "error", "title": "no report",
                                 "operation": ""})
        failures.extend({"run": "", "code": "mock-internal-error", "title": str(error),
                         "operation": ""} for error in server.app.errors)
    unexplained = classify(path.name, failures, known)
    return {
        "contract": path.name,
        "status": _status(unexplained, failures),
        "operations": len(contract.operations),
        "test_cases": cases,
        "failures": failures,
        "seconds": round(time.perf_counter() - started, 1),
        "details": details,
    }


def classify(contract: str, failures: list[dict[str, str]], known: list[Known]) -> int:
    """Mark each failure with the class of the known entry that explains it, else "mock";
    return how many are the mock's."""
    for failure in failures:
        entry = next((k for k in known if k.explains(contract, failure["code"],
                                                     failure["operation"])), None)
        failure["class"] = entry.kind if entry else "mock"
    return sum(failure["class"] == "mock" for failure in failures)


def _credentials(contract: contractkit.Contract) -> list[str]:
    """Headers that satisfy the contract's security schemes, as a real client would send
    (schemathesis does not invent credentials; the mock rejects requests without them)."""
    kinds = {(s.scheme or "bearer").lower() if s.type == "http" else s.type
             for s in contract.security_schemes.values() if s.type != "apiKey"}
    headers = {"Authorization": "Basic Y29udHJhY3RraXQ6Y29uZm9ybWFuY2U=" if kinds == {"basic"}
               else "Bearer contractkit-conformance"}
    for scheme in contract.security_schemes.values():
        if scheme.type == "apiKey" and scheme.location == "header":
            headers.setdefault(scheme.parameter_name, "contractkit-conformance")
    return [argument for name, value in headers.items() for argument in ("-H", f"{name}: {value}")]


def _auth_config(contract: contractkit.Contract, scratch: Path) -> list[str]:
    """A config file with what ``-H`` cannot give: a value for each API key sent in the
    query (schemathesis does not invent credentials)."""
    entries = [f'[auth.openapi.{json.dumps(name)}]\napi_key = "contractkit-conformance"\n'
               for name, scheme in contract.security_schemes.items()
               if scheme.type == "apiKey" and scheme.location == "query"]
    if not entries:
        return []
    config = scratch / "schemathesis.toml"
    config.write_text("\n".join(entries))
    return ["--config-file", str(config)]


def _failures_section(text: str) -> str:
    """What went wrong: schemathesis' ERRORS and FAILURES sections, up to its SUMMARY."""
    starts = [i for i in (text.find("= ERRORS ="), text.find("= FAILURES =")) if i != -1]
    if not starts:
        return ""
    start = min(starts)
    end = text.find("= SUMMARY =", start)
    # reproducing requests can be hundreds of kilobytes long: keep the start of each line
    return "\n".join(line[:2000] for line in text[start:end].splitlines())


def _status(unexplained: int, failures: list[dict[str, str]]) -> str:
    return "failed" if unexplained else "known" if failures else "ok"


def _line(outcome: dict[str, Any]) -> str:
    by_code: dict[str, set[str]] = {}
    for failure in outcome.get("failures", []):
        by_code.setdefault(f"{failure['code']} ({failure['class']})", set()).add(
            failure["operation"])
    found = ", ".join(f"{code} x{len(ops)}" for code, ops in sorted(by_code.items()))
    return (f"{outcome['status']:10} {outcome.get('seconds', '')!s:>6}s  "
            f"{outcome.get('test_cases', '')!s:>6} cases  {outcome['contract']}  {found}")


def summarise(results: list[dict[str, Any]], known: list[Known]) -> int:
    """Print the totals; the number of failures caused by the mock."""
    counts: dict[str, int] = {}
    for outcome in results:
        counts[outcome["status"]] = counts.get(outcome["status"], 0) + 1
    failures = [f for outcome in results for f in outcome.get("failures", [])]
    by_class = {kind: sum(f["class"] == kind for f in failures) for kind in ("mock", *CLASSES)}
    print("contracts:", json.dumps(counts))
    print("test cases:", sum(outcome.get("test_cases", 0) for outcome in results))
    print("failures (code x operation) by class:", json.dumps(by_class))
    seen = {outcome["contract"]: {(f["code"], f["operation"]) for f in outcome["failures"]}
            for outcome in results if "failures" in outcome}
    for entry in known:
        if entry.contract in seen and not any(
                entry.explains(entry.contract, *found) for found in seen[entry.contract]):
            print(f"known but not seen (stale?): {entry.contract} {entry.code}")
    print("failures caused by the mock:", by_class["mock"])
    return by_class["mock"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("contracts", nargs="*", type=Path)
    parser.add_argument("--max-examples", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=900,
                        help="seconds per schemathesis run")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--rescore", type=Path, metavar="RESULTS",
                        help="classify the failures of a saved --json file again (after "
                             "editing the known list) instead of running")
    args = parser.parse_args()
    known = load_known(KNOWN)
    if args.rescore:
        results = json.loads(args.rescore.read_text())
        for outcome in results:
            if "failures" in outcome:
                unexplained = classify(outcome["contract"], outcome["failures"], known)
                outcome["status"] = _status(unexplained, outcome["failures"])
            print(_line(outcome))
        return 0 if summarise(results, known) == 0 else 1
    paths = args.contracts or [
        *(p for p in sorted((ROOT / "contracts").glob("*")) if p.suffix in (".yaml", ".json")),
        *sorted(CORPUS.glob("*.json")),
    ]
    results = []
    for path in paths:
        outcome = run_one(path.resolve(), args.max_examples, args.timeout, known)
        results.append(outcome)
        print(_line(outcome), flush=True)
        if args.json:  # after each contract, so a long run can be read while it goes
            args.json.write_text(json.dumps(results, indent=2))
    return 0 if summarise(results, known) == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
