"""Which operations × statuses × scenarios a consumer suite exercised (and which never).

Collected per test from the journal, merged across xdist workers, printed at the end of the
run and written as JSON for CI (``--contractkit-report``), so a team sees the failure modes
its client was never tested against.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from contractkit.contract.model import Contract
from contractkit.journal import JournalEntry

REPORT_VERSION = 1
NO_SCENARIO = "(none)"


class Coverage:
    def __init__(self) -> None:
        #: operation id → declared response keys ("200", "4XX", "DEFAULT")
        self.declared: dict[str, list[str]] = {}
        #: operation id → answer ("200", "fault: reset") → scenario → count
        self.exercised: dict[str, dict[str, dict[str, int]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(int)))
        #: scenario → number of tests run with it
        self.scenarios: dict[str, int] = defaultdict(int)
        self.tests = 0

    def declare(self, contract: Contract) -> None:
        for operation in contract.operations:
            self.declared.setdefault(operation.id, list(operation.responses))

    def record(self, entries: Iterable[JournalEntry], scenario: str | None,
               test: str) -> None:
        self.tests += 1
        name = scenario or NO_SCENARIO
        self.scenarios[name] += 1
        for entry in entries:
            if entry.operation_id is None:
                continue
            answer = (f"fault: {entry.fault}" if entry.status is None and entry.fault
                      else str(entry.status))
            self.exercised[entry.operation_id][answer][name] += 1

    def merge(self, data: dict[str, Any]) -> None:
        self.tests += int(data.get("tests", 0))
        for name, count in data.get("scenarios", {}).items():
            self.scenarios[name] += count
        for operation, info in data.get("operations", {}).items():
            self.declared.setdefault(operation, list(info.get("declared", [])))
            for answer, per_scenario in info.get("exercised", {}).items():
                for name, count in per_scenario.items():
                    self.exercised[operation][answer][name] += count

    def to_dict(self) -> dict[str, Any]:
        operations = {}
        for operation in sorted({*self.declared, *self.exercised}):
            exercised = self.exercised.get(operation, {})
            operations[operation] = {
                "declared": self.declared.get(operation, []),
                "exercised": {answer: dict(sorted(per.items()))
                              for answer, per in sorted(exercised.items())},
                "declared_not_exercised": [
                    key for key in self.declared.get(operation, [])
                    if not any(_covers(key, answer) for answer in exercised)],
            }
        return {"version": REPORT_VERSION, "tests": self.tests,
                "scenarios": dict(sorted(self.scenarios.items())), "operations": operations}

    def summary_lines(self) -> list[str]:
        data = self.to_dict()
        operations = data["operations"]
        used = [op for op, info in operations.items() if info["exercised"]]
        never = [op for op, info in operations.items() if not info["exercised"]]
        declared = sum(len(info["declared"]) for info in operations.values())
        answered = declared - sum(len(info["declared_not_exercised"])
                                  for info in operations.values())
        lines = [f"operations exercised: {len(used)}/{len(operations)}"
                 + (f" (never: {', '.join(never)})" if never else ""),
                 f"declared responses seen: {answered}/{declared}",
                 "scenarios: " + ", ".join(f"{name} ({count} test{'s' * (count != 1)})"
                                           for name, count in data["scenarios"].items())]
        for operation in used:
            answers = operations[operation]["exercised"]
            parts = [f"{answer}×{'+'.join(sorted(per))}" for answer, per in answers.items()]
            lines.append(f"  {operation}: {', '.join(parts)}")
        return lines


def _covers(key: str, answer: str) -> bool:
    if not answer.isdigit():
        return False
    if key == answer:
        return True
    if key.endswith("XX"):
        return answer[0] == key[0]
    return key == "DEFAULT" and not answer.startswith("2")
