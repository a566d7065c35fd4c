"""Turn a scenario's decision into bytes on the socket (or no bytes at all).

The fault values (``scenarios/faults.py``) say what happens; this module is the only place
that does it: waits, replaces the answer, changes its body, or breaks the exchange at the
transport (RST, FIN, garbage, a bad chunk, a Content-Length lie).
"""

from __future__ import annotations

import asyncio
import http
import random
import socket
import struct
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

import orjson
from aiohttp import web

from contractkit._types import JSON
from contractkit.contract.media_types import is_json
from contractkit.contract.model import Operation
from contractkit.contract.validation import find_media_type
from contractkit.scenarios.engine import Decision
from contractkit.scenarios.faults import (
    Hang,
    InsufficientScope,
    Latency,
    Malformed,
    Mutate,
    RateLimit,
    SlowBody,
    Status,
    Stream,
    TokenExpired,
    Transport,
    Ttfb,
)
from contractkit.scenarios.mutate import mutate
from contractkit.scenarios.ratelimit import http_date
from contractkit.server.responses import MockResponse, Responder, problem, response_for_code

if TYPE_CHECKING:
    from contractkit.contract.model import Contract

Sleep = Callable[[float], Awaitable[None]]

PROXY_502 = (b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
             b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
             b"</body>\r\n</html>\r\n")


class Abandoned(web.StreamResponse):
    """What the handler returns after breaking the connection itself: aiohttp must not
    write anything more (its ConnectionError path closes the connection quietly)."""

    def __init__(self, kind: str) -> None:
        super().__init__(status=599, reason=kind)

    async def prepare(self, request: web.BaseRequest) -> None:
        raise ConnectionResetError(f"contractkit fault: {self.reason}")

    async def write_eof(self, data: bytes = b"") -> None:
        return None


def answer_for_status(responder: Responder, operation: Operation, code: int,
                      accept: str | None, detail: str) -> MockResponse:
    """The contract's declared answer for ``code`` (its example or a generated body), else
    an RFC 9457 problem saying a fault was injected."""
    chosen = response_for_code(operation, str(code))
    if chosen is not None:
        from contractkit.server.prefer import DEFAULT  # noqa: PLC0415 - tiny, avoids a cycle

        built = responder.build(operation, chosen[0], code, DEFAULT, accept, 0)
        if built.status != code and accept is not None:
            # a provider's error answers ignore Accept (a 503 is problem+json whatever the
            # client asked for): serve the declared answer rather than a 406
            built = responder.build(operation, chosen[0], code, DEFAULT, None, 0)
        if built.status == code:
            return MockResponse(code, dict(built.headers), built.body)
    title = _reason(code)
    return problem(code, title, detail, kind="injected-fault")


def _reason(code: int) -> str:
    try:
        return http.HTTPStatus(code).phrase
    except ValueError:
        return "Injected status"


def delay_of(decision: Decision, rng: random.Random) -> float:
    """The seconds to wait before answering: the delay faults' samples, added."""
    total = 0.0
    for fault in decision.step.faults:
        if isinstance(fault, Latency):
            total += fault.sample(rng)
        elif isinstance(fault, Ttfb):
            total += fault.delay
    return total


class FaultPlayer:
    """Plays decisions for one server. ``sleep`` and ``clock`` are injectable (virtual
    time); ``disconnected`` gives a future that completes when a connection closes."""

    def __init__(self, *, sleep: Sleep = asyncio.sleep,
                 disconnected: Callable[[asyncio.BaseTransport | None], asyncio.Future[None]],
                 wall_clock: Callable[[], float] = time.time) -> None:
        self.sleep = sleep
        self.disconnected = disconnected
        #: epoch seconds on the server's clock (virtual time moves it): for HTTP-dates
        self.wall_clock = wall_clock

    def answer(self, decision: Decision, normal: MockResponse, *, contract: Contract,
               responder: Responder, operation: Operation, accept: str | None,
               rng: random.Random) -> MockResponse | Transport | Hang:
        """The answer to send, or the transport fault / hang to play instead."""
        detail = (f"injected by scenario rule {decision.rule.name!r}"
                  if decision.rule is not None else "injected")
        answer = normal
        for fault in decision.step.faults:
            if isinstance(fault, Status):
                answer = answer_for_status(responder, operation, fault.code, accept, detail)
                if fault.retry_after is not None:
                    answer.headers["Retry-After"] = _retry_after(
                        fault.retry_after.seconds, fault.retry_after.format, self.wall_clock())
                answer.headers.update(fault.headers)
            elif isinstance(fault, RateLimit):
                answer = answer_for_status(responder, operation, fault.status, accept,
                                           f"rate limit exceeded ({fault.describe()}); "
                                           f"{detail}")
                if decision.admission is not None:
                    answer.headers.update(decision.admission.headers(
                        fault.headers, self.wall_clock()))
            elif isinstance(fault, TokenExpired):
                answer = answer_for_status(responder, operation, 401, accept,
                                           f"the access token expired; {detail}")
                answer.headers["WWW-Authenticate"] = (
                    'Bearer realm="contractkit", error="invalid_token", '
                    'error_description="The access token expired"')
            elif isinstance(fault, InsufficientScope):
                answer = answer_for_status(responder, operation, 403, accept,
                                           f"the token lacks a scope; {detail}")
                scope = f', scope="{fault.scope}"' if fault.scope else ""
                answer.headers["WWW-Authenticate"] = (
                    f'Bearer realm="contractkit", error="insufficient_scope"{scope}')
            elif isinstance(fault, Malformed):
                answer = malformed(fault, answer, rng)
            elif isinstance(fault, Mutate):
                answer = mutated(fault, answer, contract, operation, rng)
            elif isinstance(fault, Transport | Hang):
                return fault
        if decision.headers:
            answer = MockResponse(answer.status, {**answer.headers, **decision.headers},
                                  answer.body)
        return answer

    async def transport(self, fault: Transport | Hang, request: web.BaseRequest,
                        answer: MockResponse, rng: random.Random,
                        cap_reached: Callable[[], None]) -> Abandoned:
        """Break the exchange; return what the handler hands back to aiohttp."""
        transport = request.transport
        if isinstance(fault, Hang):
            closed = self.disconnected(transport)
            try:
                await asyncio.wait_for(asyncio.shield(closed), fault.max)
            except asyncio.TimeoutError:
                cap_reached()
            if transport is not None and not transport.is_closing():
                transport.close()
            return Abandoned("hang")
        if transport is None or transport.is_closing():
            return Abandoned(fault.kind)
        if fault.kind == "reset":
            raw = transport.get_extra_info("socket")
            if raw is not None:
                raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            transport.abort()
        elif fault.kind == "close":
            transport.close()
        elif fault.kind == "garbage":
            transport.write(rng.randbytes(fault.size))
            transport.close()
        elif fault.kind == "bad_chunk":
            transport.write(_head(answer, {"Transfer-Encoding": "chunked"}) +
                            b"zz\r\n" + answer.body[:16] + b"\r\n")
            transport.close()
        else:  # truncate
            body = answer.body or b"{}"
            keep = int(len(body) * fault.keep)
            transport.write(_head(answer, {"Content-Length": str(len(body))}) + body[:keep])
            transport.close()
        return Abandoned(fault.kind)

    async def slow(self, fault: SlowBody, request: web.BaseRequest, answer: MockResponse,
                   headers: dict[str, str]) -> web.StreamResponse | None:
        """Headers now, the body in pieces spread over the duration. None when the client
        left before the end (a client timeout doing its job)."""
        response = web.StreamResponse(status=answer.status, headers=headers)
        response.content_length = len(answer.body)
        await response.prepare(request)
        pieces = max(1, min(fault.chunks, len(answer.body) or 1))
        size = -(-len(answer.body) // pieces) if answer.body else 0
        pause = fault.duration / pieces
        try:
            for index in range(pieces):
                await self.sleep(pause)
                await response.write(answer.body[index * size:(index + 1) * size])
            await response.write_eof()
        except ConnectionError:
            return None
        return response


    async def stream(self, fault: Stream, request: web.BaseRequest, answer: MockResponse,
                     headers: dict[str, str]) -> web.StreamResponse | None:
        """The event stream frame by frame, ``interval`` apart, one malformed, cut after
        ``cut_after`` frames (the connection closed mid-body). None when the client left
        or the stream was cut."""
        frames = [frame + b"\n\n" for frame in answer.body.split(b"\n\n") if frame.strip()]
        response = web.StreamResponse(status=answer.status, headers={
            k: v for k, v in headers.items() if k.lower() != "content-length"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        try:
            for index, frame in enumerate(frames):
                if fault.cut_after is not None and index >= fault.cut_after:
                    if request.transport is not None:
                        request.transport.close()  # what was written goes out, then FIN
                    return None
                if index and fault.interval:
                    await self.sleep(fault.interval)
                await response.write(_malformed_frame(frame) if fault.malformed == index + 1
                                     else frame)
            await response.write_eof()
        except ConnectionError:
            return None
        return response


def _malformed_frame(frame: bytes) -> bytes:
    """The frame with its data cut in half: ``data: {"id": "chatc`` (not JSON)."""
    lines = frame.rstrip(b"\n").split(b"\n")
    for index, line in enumerate(lines):
        if line.startswith(b"data:"):
            data = line[5:].strip()
            lines[index] = b"data: " + (data[: max(1, len(data) // 2)] if data != b"[DONE]"
                                        else b"{\"broken\":")
    return b"\n".join(lines) + b"\n\n"


def _retry_after(seconds: float, kind: str, now: float) -> str:
    if kind == "http-date":
        return http_date(now + seconds)
    return str(max(0, round(seconds)))


def _head(answer: MockResponse, extra: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {answer.status} {_reason(answer.status)}"]
    headers = {k: v for k, v in answer.headers.items()
               if k.lower() not in ("content-length", "transfer-encoding")}
    headers.setdefault("Content-Type", "application/json")
    lines += [f"{k}: {v}" for k, v in {**headers, **extra}.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")


def malformed(fault: Malformed, answer: MockResponse, rng: random.Random) -> MockResponse:
    body = answer.body or b'{"id": "x"}'
    headers = {k: v for k, v in answer.headers.items() if k.lower() != "content-type"}
    if fault.kind == "invalid_json":
        cut = max(1, len(body) // 2)
        return MockResponse(fault.status or answer.status,
                            {**headers, "Content-Type": "application/json"}, body[:cut])
    if fault.kind == "wrong_content_type":
        return MockResponse(fault.status or answer.status,
                            {**headers, "Content-Type": "text/plain; charset=utf-8"}, body)
    if fault.kind == "invalid_utf8":
        broken = (body[:-1] + b', "note": "\xff\xfe\xfd"}' if body.rstrip().endswith(b"}")
                  else b'"\xff\xfe\xfd"')
        return MockResponse(fault.status or answer.status,
                            {**headers, "Content-Type": "application/json"}, broken)
    if fault.kind == "html":
        return MockResponse(fault.status or 502,
                            {"Content-Type": "text/html", "Server": "nginx"}, PROXY_502)
    # empty: the status of success, a JSON content type, no body at all
    return MockResponse(fault.status or 200, {**headers, "Content-Type": "application/json"},
                        b"")


def mutated(fault: Mutate, answer: MockResponse, contract: Contract, operation: Operation,
            rng: random.Random) -> MockResponse:
    """The answer's JSON body drifted as ``fault`` says (non-JSON bodies are left alone)."""
    content_type = answer.headers.get("Content-Type", "")
    media_name = content_type.split(";", 1)[0].strip().lower()
    if not answer.body or not is_json(media_name):
        return answer
    chosen = response_for_code(operation, str(answer.status))
    schema: JSON = {}
    if chosen is not None:
        response = operation.responses[chosen[0]]
        media = find_media_type(response.content, media_name) if response.content else None
        if media is not None and media.schema is not None:
            schema = contract.schema_bundle(media.schema, "response")
    try:
        value = orjson.loads(answer.body)
    except orjson.JSONDecodeError:
        return answer
    changed = mutate(value, schema, fault, rng)
    return MockResponse(answer.status, dict(answer.headers), orjson.dumps(changed))
