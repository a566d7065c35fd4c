"""Which event loop the mock runs on: uvloop where it is installed (the ``fast`` extra),
else asyncio's own; and running a coroutine on the one chosen."""

from __future__ import annotations

import asyncio
import importlib
import sys
from collections.abc import Callable, Coroutine
from typing import Any, Literal, TypeVar

from contractkit.errors import ConfigError

T = TypeVar("T")
LoopName = Literal["auto", "asyncio", "uvloop"]
LOOPS: tuple[LoopName, ...] = ("auto", "asyncio", "uvloop")
LoopFactory = Callable[[], asyncio.AbstractEventLoop]


def loop_factory(name: str) -> tuple[str, LoopFactory]:
    """(the loop's name, a factory of it) for ``auto`` (uvloop if installed),
    ``asyncio`` or ``uvloop`` (an error if it is not installed)."""
    if name not in LOOPS:
        raise ConfigError(f"unknown event loop {name!r}: expected one of {', '.join(LOOPS)}")
    if name == "asyncio" or sys.platform == "win32":
        return "asyncio", asyncio.new_event_loop
    try:
        uvloop = importlib.import_module("uvloop")
    except ImportError:
        if name == "uvloop":
            raise ConfigError("--loop uvloop: uvloop is not installed (install contractkit "
                              "with its `fast` extra)") from None
        return "asyncio", asyncio.new_event_loop
    factory: LoopFactory = uvloop.new_event_loop
    return "uvloop", factory


def run(main: Coroutine[Any, Any, T], factory: LoopFactory) -> T:
    """:func:`asyncio.run` on a loop from ``factory``."""
    if sys.version_info >= (3, 11):
        with asyncio.Runner(loop_factory=factory) as runner:
            return runner.run(main)
    loop = factory()  # pragma: no cover - Python 3.10
    try:
        asyncio.set_event_loop(loop)
        return loop.run_until_complete(main)
    finally:
        left = asyncio.all_tasks(loop)
        for task in left:
            task.cancel()
        loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
        asyncio.set_event_loop(None)
        loop.close()
