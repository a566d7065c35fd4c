"""Bound slow clients: a connection must finish its request headers within a time limit.

aiohttp waits for headers as long as a client keeps the socket open, so a "slowloris"
client sending one byte at a time would hold a connection forever. This protocol wraps
aiohttp's own and closes a connection whose current request has not completed its headers
(``\\r\\n\\r\\n``) within ``header_timeout`` seconds of its first byte (or of the
connection). One :class:`HeaderWatch` sweep per server checks the overdue connections, so a
request whose headers arrive in one piece (nearly all) costs no timer at all; a slow one is
closed between ``header_timeout`` and ``header_timeout`` + a quarter of it (at most 1 s).
Slow bodies are bounded separately, in the handler.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from typing import Any

_END_OF_HEADERS = b"\r\n\r\n"


class ConnectionIds:
    """Sequential ids for open connections (the journal shows keep-alive reuse with them),
    and when each connection's current request began: its first byte, on ``clock``."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._ids: dict[int, int] = {}
        self._counter = itertools.count(1)
        self._waiters: dict[int, asyncio.Future[None]] = {}
        self._clock = clock
        self._began: dict[int, float] = {}

    def began(self, transport: asyncio.BaseTransport) -> None:
        """Bytes arrived: the start of a request, unless one is already under way."""
        self._began.setdefault(id(transport), self._clock())

    def finished(self, transport: asyncio.BaseTransport | None, began: float | None) -> None:
        """The request that began at ``began`` is answered: the next bytes start another
        (unless they already did: a later start is kept)."""
        if began is not None and self._began.get(id(transport)) == began:
            del self._began[id(transport)]

    def started(self, transport: asyncio.BaseTransport | None) -> float | None:
        """When the current request's first byte arrived (None: not seen)."""
        return self._began.get(id(transport))

    def in_flight(self) -> int:
        """Requests begun (a byte received) and not finished by the handler."""
        return len(self._began)

    def opened(self, transport: asyncio.BaseTransport) -> None:
        self._ids[id(transport)] = next(self._counter)

    def closed(self, transport: asyncio.BaseTransport) -> None:
        self._ids.pop(id(transport), None)
        self._began.pop(id(transport), None)
        waiter = self._waiters.pop(id(transport), None)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def disconnected(self, transport: asyncio.BaseTransport | None) -> asyncio.Future[None]:
        """A future that completes when the client closes this connection (a hanging
        answer waits on it)."""
        waiter = asyncio.get_running_loop().create_future()
        if transport is None or id(transport) not in self._ids or transport.is_closing():
            waiter.set_result(None)
            return waiter
        return self._waiters.setdefault(id(transport), waiter)

    def of(self, transport: asyncio.BaseTransport | None) -> int:
        return self._ids.get(id(transport), 0)


class HeaderWatch:
    """The overdue-headers deadlines of one server's connections, checked by one timer."""

    def __init__(self, header_timeout: float) -> None:
        self.timeout = header_timeout
        self.interval = min(1.0, header_timeout / 4)
        self._deadlines: dict[HeaderDeadline, float] = {}
        self._sweep: asyncio.TimerHandle | None = None

    def waiting(self, protocol: HeaderDeadline) -> None:
        """``protocol``'s request has started and its headers are not complete yet."""
        if protocol in self._deadlines:
            return
        loop = asyncio.get_running_loop()
        self._deadlines[protocol] = loop.time() + self.timeout
        if self._sweep is None:
            self._sweep = loop.call_later(self.interval, self._check)

    def done(self, protocol: HeaderDeadline) -> None:
        self._deadlines.pop(protocol, None)

    def _check(self) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        for protocol, deadline in list(self._deadlines.items()):
            if deadline <= now:
                del self._deadlines[protocol]
                protocol.expire()
        self._sweep = (loop.call_later(self.interval, self._check) if self._deadlines
                       else None)


class HeaderDeadline(asyncio.Protocol):
    """Delegates everything to ``inner``; owns only the header deadline."""

    def __init__(self, inner: Any, watch: HeaderWatch, connections: ConnectionIds) -> None:
        self._inner = inner
        self._connections = connections
        self._watch = watch
        self._tail = b""
        self._transport: asyncio.BaseTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport
        self._connections.opened(transport)
        self._watch.waiting(self)
        self._inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if self._transport is not None:
            self._connections.began(self._transport)
        window = self._tail + data if self._tail else data
        end = window.rfind(_END_OF_HEADERS)
        if end < 0:
            self._tail = window[-3:]
            self._watch.waiting(self)  # a request has started (or goes on) without its end
        else:
            self._tail = b""
            if end + len(_END_OF_HEADERS) < len(window):
                # A pipelined next request may follow; its deadline starts with its bytes.
                self._watch.waiting(self)
            else:
                self._watch.done(self)
        self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        result: bool | None = self._inner.eof_received()
        return result

    def connection_lost(self, exc: Exception | None) -> None:
        self._watch.done(self)
        if self._transport is not None:
            self._connections.closed(self._transport)
        self._inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()

    def expire(self) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.close()
