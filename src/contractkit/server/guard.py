"""Bound slow clients: a connection must finish its request headers within a time limit.

aiohttp waits for headers as long as a client keeps the socket open, so a "slowloris"
client sending one byte at a time would hold a connection forever. This protocol wraps
aiohttp's own and closes a connection whose current request has not completed its headers
(``\\r\\n\\r\\n``) within ``header_timeout`` seconds of its first byte (or of the connection).
Slow bodies are bounded separately, in the handler.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

_END_OF_HEADERS = b"\r\n\r\n"


class ConnectionIds:
    """Sequential ids for open connections (the journal shows keep-alive reuse with them)."""

    def __init__(self) -> None:
        self._ids: dict[int, int] = {}
        self._counter = itertools.count(1)

    def opened(self, transport: asyncio.BaseTransport) -> None:
        self._ids[id(transport)] = next(self._counter)

    def closed(self, transport: asyncio.BaseTransport) -> None:
        self._ids.pop(id(transport), None)

    def of(self, transport: asyncio.BaseTransport | None) -> int:
        return self._ids.get(id(transport), 0)


class HeaderDeadline(asyncio.Protocol):
    """Delegates everything to ``inner``; owns only the header deadline."""

    def __init__(self, inner: Any, header_timeout: float, connections: ConnectionIds) -> None:
        self._inner = inner
        self._connections = connections
        self._timeout = header_timeout
        self._timer: asyncio.TimerHandle | None = None
        self._tail = b""
        self._transport: asyncio.BaseTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport
        self._connections.opened(transport)
        self._arm()
        self._inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        window = self._tail + data
        if self._timer is None:
            self._arm()  # a new request starts (keep-alive)
        if _END_OF_HEADERS in window:
            self._disarm()
            # A pipelined next request may follow; its deadline starts with its bytes.
            rest = window.rsplit(_END_OF_HEADERS, 1)[1]
            self._tail = b""
            if rest:
                self._arm()
        else:
            self._tail = window[-3:]
        self._inner.data_received(data)

    def eof_received(self) -> bool | None:
        result: bool | None = self._inner.eof_received()
        return result

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._transport is not None:
            self._connections.closed(self._transport)
        self._inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self._inner.pause_writing()

    def resume_writing(self) -> None:
        self._inner.resume_writing()

    def _arm(self) -> None:
        self._disarm()
        self._timer = asyncio.get_running_loop().call_later(self._timeout, self._expire)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _expire(self) -> None:
        self._timer = None
        if self._transport is not None and not self._transport.is_closing():
            self._transport.close()
