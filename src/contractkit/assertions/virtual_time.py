"""Virtual time: sleeps in client code cost no real time and move one shared clock.

While active, ``time.monotonic``, ``time.time`` and ``time.perf_counter`` read the shared
clock (real monotonic time plus the seconds jumped) in every thread but the mock server's,
so retry libraries' deadlines, breakers' reset timeouts, event loops' timers and the
journal's timestamps all agree. Sleeps are recorded (:class:`Sleep`); zero sleeps pass
through (they only yield).

- ``time.sleep`` (one thread of sync code, which does nothing else meanwhile) advances the
  clock by its duration at once.
- ``asyncio.sleep`` waits on the loop's timer like a real one, and the loop's clock jumps
  to its next timer only when every task of the loop is waiting for time: asleep, or
  awaiting (through tasks and ``gather``) tasks that are. A task waiting for anything else
  (a socket, an event, a thread) keeps time real, as trio's autojump clock and
  ``looptime`` do; so ``asyncio.wait_for(request, 2)`` does not fire while another task
  sleeps 60 s and the request is still on its way, concurrent sleeps and timeouts wake in
  the order they would in real time, and ``loop.time()`` is the shared clock. The jump
  is done by the loop's selector (wrapped on the first virtual sleep on that loop):
  instead of blocking until the next timer, it checks for I/O once and moves the clock.
  On Python 3.11, ``asyncio.wait_for`` is swapped for 3.12's (a timeout around the
  awaited call), whose waiting the tasks show; on 3.10 a ``wait_for`` keeps time real.
- ``patch_datetime(module)`` makes ``module``'s ``datetime`` (the class, or the module,
  for ``import datetime``) read the shared clock, for libraries that measure time with
  ``datetime.now()`` (pybreaker's reset timeout, backoff's ``max_time``).
"""

from __future__ import annotations

import asyncio
import datetime
import selectors
import sys
import threading
import time
import traceback
import types
import weakref
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any, TypeVar

_real_sleep = time.sleep
_real_monotonic = time.monotonic
_real_time = time.time
_real_perf_counter = time.perf_counter
_real_asyncio_sleep = asyncio.sleep
_real_wait_for = asyncio.wait_for
T = TypeVar("T")


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
        #: the futures of virtual asyncio sleeps still pending
        self._asleep: weakref.WeakSet[asyncio.Future[Any]] = weakref.WeakSet()
        #: loops whose selector was wrapped, and the selector they had
        self._wrapped: list[tuple[asyncio.AbstractEventLoop, Any]] = []

    def _record(self, seconds: float) -> int:
        caller = _caller()
        with self._lock:
            self.sleeps.append(Sleep(self.clock.now(), seconds,
                                     threading.current_thread().name, caller))
            return len(self.sleeps) - 1

    def _is_exempt(self) -> bool:
        return threading.get_ident() in self.exempt

    def sleep(self, seconds: float) -> None:
        if seconds <= 0 or self._is_exempt():
            _real_sleep(seconds)
            return
        self._record(seconds)
        self.clock.advance(seconds)

    async def asyncio_sleep(self, delay: float, result: Any = None) -> Any:
        if delay <= 0 or self._is_exempt():
            return await _real_asyncio_sleep(delay, result)
        loop = asyncio.get_running_loop()
        self._autojump(loop)
        index = self._record(delay)
        began = self.clock.now()
        future: asyncio.Future[Any] = loop.create_future()
        self._asleep.add(future)
        handle = loop.call_later(delay, _wake, future, result)
        try:
            return await future
        except asyncio.CancelledError:
            # a sleep cut short (a timeout around it) slept only until then
            with self._lock:
                self.sleeps[index] = replace(self.sleeps[index],
                                             seconds=self.clock.now() - began)
            raise
        finally:
            handle.cancel()

    def _autojump(self, loop: asyncio.AbstractEventLoop) -> None:
        selector = getattr(loop, "_selector", None)
        if selector is None or isinstance(selector, _JumpingSelector):
            return
        wrapped = _JumpingSelector(selector, self, loop)
        loop._selector = wrapped  # type: ignore[attr-defined]
        self._wrapped.append((loop, selector))

    def waiting_for_time(self, loop: asyncio.AbstractEventLoop) -> bool:
        """Whether every task of ``loop`` waits only for time (the clock may jump)."""
        tasks = asyncio.all_tasks(loop)
        return bool(tasks) and all(self._timed(task, 0) for task in tasks)

    def _timed(self, awaited: Any, depth: int) -> bool:
        if depth > 50:
            return False
        if awaited in self._asleep:
            return True
        if isinstance(awaited, asyncio.Task):
            waiter = getattr(awaited, "_fut_waiter", None)
            return waiter is not None and self._timed(waiter, depth + 1)
        children = getattr(awaited, "_children", None)  # gather's future
        if isinstance(children, list) and children:
            return all(child.done() or self._timed(child, depth + 1) for child in children)
        return False

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
        if (3, 11) <= sys.version_info < (3, 12):
            patches += [(asyncio, "wait_for", wait_for), (asyncio.tasks, "wait_for", wait_for)]
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
            for loop, selector in self._wrapped:
                loop._selector = selector  # type: ignore[attr-defined]
            self._wrapped.clear()

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
        """Make ``module.datetime`` read the shared clock until virtual time ends: the
        class (``from datetime import datetime``), or for a module that did ``import
        datetime`` (backoff's), a copy of the module whose ``datetime`` does."""
        current = module.datetime
        replacement: Any = self.datetime_class()
        if isinstance(current, types.ModuleType):
            copy = types.ModuleType(current.__name__, current.__doc__)
            copy.__dict__.update(vars(current))
            copy.datetime = replacement  # type: ignore[attr-defined]
            replacement = copy
        self._datetime_patches.append((module, current))
        module.datetime = replacement

    def slept(self) -> float:
        """Total seconds slept virtually so far."""
        return sum(s.seconds for s in self.sleeps)


class _JumpingSelector:
    """A loop's selector that, when the loop would block until its next timer while every
    task waits only for time, checks for I/O once and moves the clock to that timer."""

    def __init__(self, inner: selectors.BaseSelector, virtual: VirtualTime,
                 loop: asyncio.AbstractEventLoop) -> None:
        self._inner = inner
        self._virtual = virtual
        self._loop = weakref.ref(loop)

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        loop = self._loop()
        if timeout is not None and timeout > 0 and loop is not None \
                and self._virtual.waiting_for_time(loop):
            ready = self._inner.select(0)
            if ready:
                return ready
            self._virtual.clock.advance(timeout)
            return []
        return self._inner.select(timeout)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _wake(future: asyncio.Future[Any], result: Any) -> None:
    if not future.done():
        future.set_result(result)


async def wait_for(awaitable: Awaitable[T], timeout: float | None) -> T:
    """Python 3.12's ``asyncio.wait_for``: the awaited call runs in the calling task under
    a timeout (3.11's waits on a future of its own, which hides what it waits for)."""
    if timeout is not None and timeout <= 0:
        future = asyncio.ensure_future(awaitable)
        if not future.done():
            future.cancel()
            try:
                await future
            except asyncio.CancelledError as error:
                raise TimeoutError from error
        return future.result()
    if sys.version_info >= (3, 11):
        async with asyncio.timeout(timeout):
            return await awaitable
    return await _real_wait_for(awaitable, timeout)  # pragma: no cover - 3.10


def _caller() -> str:
    for frame in reversed(traceback.extract_stack(limit=12)[:-3]):
        if not any(part in frame.filename for part in ("/asyncio/", "virtual_time.py")):
            return f"{frame.filename}:{frame.lineno} in {frame.name}"
    return ""
