"""Request metrics in the Prometheus text format (no client library needed)."""

from __future__ import annotations

import itertools
import threading
from bisect import bisect_left
from collections import Counter

#: Latency histogram buckets, seconds.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clear()

    def _clear(self) -> None:
        self.requests: Counter[tuple[str, int]] = Counter()
        self.violations: Counter[str] = Counter()
        self.faults: Counter[tuple[str, str]] = Counter()
        self._bucket_counts = [0] * len(BUCKETS)
        self._count = 0
        self._sum = 0.0

    def observe(self, operation: str, status: int, seconds: float, violations: int) -> None:
        with self._lock:
            self.requests[(operation, status)] += 1
            if violations:
                self.violations[operation] += violations
            self._count += 1
            self._sum += seconds
            # one bucket per observation; render() accumulates them as Prometheus wants
            index = bisect_left(BUCKETS, seconds)
            if index < len(BUCKETS):
                self._bucket_counts[index] += 1

    def fault(self, fault: str, operation: str) -> None:
        with self._lock:
            self.faults[(fault, operation)] += 1

    def reset(self) -> None:
        with self._lock:
            self._clear()

    def render(self) -> str:
        with self._lock:
            lines = [
                "# HELP contractkit_requests_total Requests answered, by operation and status.",
                "# TYPE contractkit_requests_total counter",
            ]
            lines += [
                f'contractkit_requests_total{{operation="{_label(op)}",status="{status}"}} {n}'
                for (op, status), n in sorted(self.requests.items())
            ]
            lines += [
                "# HELP contractkit_request_violations_total Contract violations in requests.",
                "# TYPE contractkit_request_violations_total counter",
            ]
            lines += [
                f'contractkit_request_violations_total{{operation="{_label(op)}"}} {n}'
                for op, n in sorted(self.violations.items())
            ]
            lines += [
                "# HELP contractkit_faults_total Faults injected, by fault and operation.",
                "# TYPE contractkit_faults_total counter",
            ]
            lines += [
                f'contractkit_faults_total{{fault="{_label(f)}",operation="{_label(op)}"}} {n}'
                for (f, op), n in sorted(self.faults.items())
            ]
            lines += [
                "# HELP contractkit_request_duration_seconds Time from the request headers to "
                "the start of the response.",
                "# TYPE contractkit_request_duration_seconds histogram",
            ]
            lines += [
                f'contractkit_request_duration_seconds_bucket{{le="{bound}"}} {count}'
                for bound, count in zip(BUCKETS, itertools.accumulate(self._bucket_counts),
                                        strict=True)
            ]
            lines += [
                f'contractkit_request_duration_seconds_bucket{{le="+Inf"}} {self._count}',
                f"contractkit_request_duration_seconds_sum {self._sum:.6f}",
                f"contractkit_request_duration_seconds_count {self._count}",
            ]
        return "\n".join(lines) + "\n"
