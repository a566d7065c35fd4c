"""Answers written straight to the connection: the hot path's HTTP/1.1 serialisation.

aiohttp's response machinery (``web.Response``, ``prepare``, ``write_eof``: a multidict of
headers, coroutines per step, generic checks for chunking, compression and cookies) cost about
as much per request as everything else the mock does. For the common answer — HTTP/1.1,
keep-alive, a complete body of known length, no framing headers of its own — the mock writes
the status line, headers and body to the transport in one call and hands aiohttp
:data:`SENT`, a response that is already finished, so its connection handler only reads
``keep_alive`` from it. Everything else (HTTP/1.0, ``HEAD``, 1xx/204/304, answers that set
``Connection``, ``Content-Length`` or ``Transfer-Encoding``, header names outside RFC 9110's
token characters) goes through aiohttp as before: :func:`writable` says which.

The bytes match what aiohttp would send: the same headers, ``Content-Type:
application/octet-stream`` on an untyped non-empty body, ``Date`` and aiohttp's ``Server``
unless the answer has its own (``tests/server/test_wire.py`` compares the two on the wire).
"""

from __future__ import annotations

import re
import time
from email.utils import formatdate
from http import HTTPStatus

from aiohttp import web
from aiohttp.http import SERVER_SOFTWARE, HttpVersion11

#: header names the fast path leaves to aiohttp (they change the framing)
_FRAMING = frozenset({"connection", "content-length", "transfer-encoding"})
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
#: names already checked against ``_TOKEN`` (names come from contracts: few, repeated)
_CHECKED: set[str] = set()
_MAX_CHECKED = 4096
_REASONS = {status.value: status.phrase for status in HTTPStatus}
_STATUS_LINES: dict[int, str] = {}


class _Sent(web.StreamResponse):
    """A response :func:`write` already wrote: aiohttp's prepare and write_eof do nothing."""

    def __init__(self) -> None:
        super().__init__()
        self._keep_alive = True
        self._eof_sent = True


#: what the handler returns to aiohttp after :func:`write` (shared: nothing mutates it)
SENT: web.StreamResponse = _Sent()


def writable(request: web.BaseRequest, status: int, headers: dict[str, str]) -> bool:
    """Whether :func:`write` can send this answer (else aiohttp's ``web.Response`` does)."""
    if (request.version != HttpVersion11 or not request.keep_alive or status < 200
            or status in (204, 304) or request.method == "HEAD"):
        return False
    for name in headers:
        if name not in _CHECKED:
            if name.lower() in _FRAMING or _TOKEN.fullmatch(name) is None:
                return False
            if len(_CHECKED) < _MAX_CHECKED:
                _CHECKED.add(name)
    return True


class _Date:
    """The ``Date`` header's value, formatted once a second."""

    second = -1
    value = ""

    @classmethod
    def now(cls) -> str:
        second = int(time.time())
        if second != cls.second:
            cls.value = formatdate(second, usegmt=True)
            cls.second = second
        return cls.value


def _status_line(status: int) -> str:
    line = _STATUS_LINES.get(status)
    if line is None:
        line = f"HTTP/1.1 {status} {_REASONS.get(status, '')}\r\n"
        if len(_STATUS_LINES) < 1000:
            _STATUS_LINES[status] = line
    return line


async def write(request: web.BaseRequest, status: int, headers: dict[str, str],
                body: bytes) -> None:
    """Send one answer :func:`writable` accepted; ConnectionResetError when the client left.
    ``headers`` values must be header-safe already (the mock escapes them)."""
    transport = request.transport
    if transport is None or transport.is_closing():
        raise ConnectionResetError("the client closed the connection")
    lines = [_status_line(status)]
    lines += [f"{name}: {value}\r\n" for name, value in headers.items()]
    lines.append(f"Content-Length: {len(body)}\r\n")
    lowered = {name.lower() for name in headers}
    if body and "content-type" not in lowered:
        lines.append("Content-Type: application/octet-stream\r\n")
    if "date" not in lowered:
        lines.append(f"Date: {_Date.now()}\r\n")
    if "server" not in lowered:
        lines.append(f"Server: {SERVER_SOFTWARE}\r\n")
    lines.append("\r\n")
    transport.write("".join(lines).encode() + body)
    if transport.get_write_buffer_size():
        await request.writer.drain()  # waits only while the transport is paused
