"""The mock's per-request log lines, written in batches.

One ``logging`` call per request (a LogRecord, its caller's frame, a format, a lock, a
write and a flush) took 23% of the mock's throughput. The lines are the same, one per
request in the order answered; they are gathered on the server's loop and handed to the
``contractkit.server`` logger as one record every :data:`FLUSH_SECONDS`, or as soon as
:data:`MAX_LINES` wait, and when the server stops. A person watching the terminal sees
each request within a tenth of a second; errors and warnings are not batched.

Under load nobody reads twenty thousand lines a second, and formatting them cost 15% of
the throughput: at most :data:`LINES_PER_SECOND` requests a second get their own line,
and the others are counted by operation and status and told in one line when the second
ends (``… 19,900 more requests in 1.0 s: getPet → 200 ×19,900``). The journal still
holds every exchange.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable

#: the longest a line waits before it is written
FLUSH_SECONDS = 0.1
#: the most lines that wait (a burst is written at once, memory stays bounded)
MAX_LINES = 256
#: requests a second that get a line of their own; the rest are counted (see above)
LINES_PER_SECOND = 100

#: (operation or outcome, status) → how many requests went without a line of their own
Hidden = Counter[tuple[str, int | None]]
#: the line telling ``count`` hidden requests over ``seconds`` (``per_second`` shown)
Summary = Callable[[int, float, Hidden, int], str]


class AccessLog:
    """Lines for ``logger`` at INFO, gathered and written together."""

    def __init__(self, logger: logging.Logger, *, flush_seconds: float | None = None,
                 max_lines: int | None = None, per_second: int | None = None,
                 summary: Summary | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.logger = logger
        self.flush_seconds = FLUSH_SECONDS if flush_seconds is None else flush_seconds
        self.max_lines = MAX_LINES if max_lines is None else max_lines
        self.per_second = LINES_PER_SECOND if per_second is None else per_second
        self.summary = summary or _plain_summary
        self.clock = clock
        self._lines: list[str] = []
        self._timer: asyncio.TimerHandle | None = None
        self._second = float("-inf")  # when the current one-second window began
        self._shown = 0
        self._hidden: Hidden = Counter()
        self._second_timer: asyncio.TimerHandle | None = None

    def admit(self) -> bool:
        """Whether the next request gets a line of its own (else :meth:`hide` it)."""
        now = self.clock()
        if now - self._second >= 1.0:
            self._end_second(now)
        if self._shown < self.per_second:
            self._shown += 1
            return True
        return False

    def hide(self, operation: str, status: int | None) -> None:
        """Count a request :meth:`admit` refused a line; told when its second ends."""
        if not self._hidden and self._second_timer is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                pass  # outside a loop: told at the next admit or flush
            else:
                remaining = max(self._second + 1.0 - self.clock(), 0.0)
                self._second_timer = loop.call_later(remaining, self._end_second_now)
        self._hidden[operation, status] += 1

    def _end_second_now(self) -> None:
        self._second_timer = None
        self._end_second(self.clock())

    def _end_second(self, now: float) -> None:
        if self._second_timer is not None:
            self._second_timer.cancel()
            self._second_timer = None
        if self._hidden:
            hidden, self._hidden = self._hidden, Counter()
            self.add(self.summary(sum(hidden.values()), min(now - self._second, 1.0),
                                  hidden, self.per_second))
        self._second, self._shown = now, 0

    def enabled(self) -> bool:
        """Whether a line would be written (the logger takes INFO)."""
        return self.logger.isEnabledFor(logging.INFO)

    def add(self, line: str) -> None:
        """Queue one line; written within ``flush_seconds`` (at once outside a loop)."""
        self._lines.append(line)
        if len(self._lines) >= self.max_lines:
            self.flush()
        elif self._timer is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                self.flush()
                return
            self._timer = loop.call_later(self.flush_seconds, self.flush)

    def close(self) -> None:
        """Write everything, the count of requests not shown one by one included (when the
        server stops)."""
        self._end_second(self.clock())
        self.flush()

    def flush(self) -> None:
        """Write what waits, as one record (its message one line per request)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._lines:
            lines, self._lines = self._lines, []
            self.logger.info("\n".join(lines))


def _plain_summary(count: int, seconds: float, hidden: Hidden, per_second: int) -> str:
    groups = ", ".join(f"{operation} → {status} ×{n:,}"
                       for (operation, status), n in hidden.most_common(5))
    more = f", {len(hidden) - 5} more kinds" if len(hidden) > 5 else ""
    return (f"… {count:,} more requests in {seconds:.1f} s, not shown one by one (at most "
            f"{per_second} lines a second): {groups}{more}")
