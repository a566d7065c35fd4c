"""Virtual time: sleeps in client code return at once and move one shared clock.

While active, ``time.sleep`` and ``asyncio.sleep`` called from any thread but the mock
server's are recorded (:class:`Sleep`) and advance the clock by their duration instead of
waiting; zero sleeps pass through (they only yield). ``time.monotonic``, ``time.time`` and
``time.perf_counter`` read the advanced clock in every thread, so retry libraries'
deadlines, breakers' reset timeouts and the journal's timestamps all agree: a
``Retry-After: 60`` costs milliseconds, with exact gaps.
"""

from __future__ import annotations

import asyncio
import datetime
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

_real_sleep = time.sleep
_real_monotonic = time.monotonic
_real_time = time.time
_real_perf_counter = time.perf_counter
_real_asyncio_sleep = asyncio.sleep


@dataclass(frozen=True)
class Sleep:
    """One sleep a client made: when (on the shared clock), how long, where from."""

    at: float
    seconds: float
    thread: str
    #: ``file:line in function`` of the code that called sleep (outside libraries' own
    #: retry loops when possible: the first frame not in asyncio/time/this module)
    caller: str = ""


class VirtualClock:
    """``monotonic()`` plus the seconds slept virtually. The server's clock."""

    def __init__(self) -> None:
        self.offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        return _real_monotonic() + self.offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self.offset += seconds


class VirtualTime:
    """Patches the sleeps and clocks while :meth:`active`; keeps the sleeps it saw."""

    def __init__(self, clock: VirtualClock | None = None) -> None:
        self.clock = clock or VirtualClock()
        self.sleeps: list[Sleep] = []
        #: threads whose sleeps are real (the mock server's)
        self.exempt: set[int] = set()
        self._lock = threading.Lock()
        self._datetime_patches: list[tuple[Any, Any]] = []

    def _record(self, seconds: float) -> None:
        caller = _caller()
        with self._lock:
            self.sleeps.append(Sleep(self.clock.now(), seconds,
                                     threading.current_thread().name, caller))
        self.clock.advance(seconds)

    def _is_exempt(self) -> bool:
        return threading.get_ident() in self.exempt

    def sleep(self, seconds: float) -> None:
        if seconds <= 0 or self._is_exempt():
            _real_sleep(seconds)
            return
        self._record(seconds)

    async def asyncio_sleep(self, delay: float, result: Any = None) -> Any:
        if delay <= 0 or self._is_exempt():
            return await _real_asyncio_sleep(delay, result)
        self._record(delay)
        return await _real_asyncio_sleep(0, result)

    # The server thread keeps real clocks: its event loop's timers (header deadlines, hang
    # caps) must not jump when a client sleeps; its journal uses ``clock.now()`` instead.
    def monotonic(self) -> float:
        return _real_monotonic() + (0.0 if self._is_exempt() else self.clock.offset)

    def perf_counter(self) -> float:
        return _real_perf_counter() + (0.0 if self._is_exempt() else self.clock.offset)

    def time(self) -> float:
        return _real_time() + (0.0 if self._is_exempt() else self.clock.offset)

    @contextmanager
    def active(self) -> Iterator[VirtualTime]:
        patches: list[tuple[Any, str, Callable[..., Any]]] = [
            (time, "sleep", self.sleep), (asyncio, "sleep", self.asyncio_sleep),
            (time, "monotonic", self.monotonic), (time, "time", self.time),
            (time, "perf_counter", self.perf_counter),
        ]
        saved = [(owner, name, getattr(owner, name)) for owner, name, _ in patches]
        for owner, name, replacement in patches:
            setattr(owner, name, replacement)
        try:
            yield self
        finally:
            for owner, name, original in saved:
                setattr(owner, name, original)
            for module, original in reversed(self._datetime_patches):
                module.datetime = original
            self._datetime_patches.clear()

    def datetime_class(self) -> type[datetime.datetime]:
        """A ``datetime`` whose ``now()``/``utcnow()`` read the virtual clock, for libraries
        that measure time with datetime (pybreaker's reset timeout)::

            monkeypatch.setattr(pybreaker, "datetime", virtual_time.datetime_class())
        """
        offset = self.clock

        class VirtualDatetime(datetime.datetime):
            @classmethod
            def now(cls, tz: datetime.tzinfo | None = None) -> VirtualDatetime:
                real = datetime.datetime.now(tz) + datetime.timedelta(seconds=offset.offset)
                return cls.fromtimestamp(real.timestamp(), tz)

            @classmethod
            def utcnow(cls) -> VirtualDatetime:
                return cls.now(datetime.timezone.utc).replace(tzinfo=None)

        return VirtualDatetime

    def patch_datetime(self, module: Any) -> None:
        """Make ``module.datetime`` the virtual one until virtual time ends."""
        self._datetime_patches.append((module, module.datetime))
        module.datetime = self.datetime_class()

    def slept(self) -> float:
        """Total seconds slept virtually so far."""
        return sum(s.seconds for s in self.sleeps)


def _caller() -> str:
    for frame in reversed(traceback.extract_stack(limit=12)[:-3]):
        if not any(part in frame.filename for part in ("/asyncio/", "virtual_time.py")):
            return f"{frame.filename}:{frame.lineno} in {frame.name}"
    return ""
