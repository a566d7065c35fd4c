"""The mock's per-request log lines, written in batches.

One ``logging`` call per request (a LogRecord, its caller's frame, a format, a lock, a
write and a flush) took 23% of the mock's throughput. The lines are the same, one per
request in the order answered; they are gathered on the server's loop and handed to the
``contractkit.server`` logger as one record every :data:`FLUSH_SECONDS`, or as soon as
:data:`MAX_LINES` wait, and when the server stops. A person watching the terminal sees
each request within a tenth of a second; errors and warnings are not batched.
"""

from __future__ import annotations

import asyncio
import logging

#: the longest a line waits before it is written
FLUSH_SECONDS = 0.1
#: the most lines that wait (a burst is written at once, memory stays bounded)
MAX_LINES = 256


class AccessLog:
    """Lines for ``logger`` at INFO, gathered and written together."""

    def __init__(self, logger: logging.Logger, *, flush_seconds: float | None = None,
                 max_lines: int | None = None) -> None:
        self.logger = logger
        self.flush_seconds = FLUSH_SECONDS if flush_seconds is None else flush_seconds
        self.max_lines = MAX_LINES if max_lines is None else max_lines
        self._lines: list[str] = []
        self._timer: asyncio.TimerHandle | None = None

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

    def flush(self) -> None:
        """Write what waits, as one record (its message one line per request)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._lines:
            lines, self._lines = self._lines, []
            self.logger.info("\n".join(lines))
