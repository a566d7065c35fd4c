"""The hot path's own HTTP/1.1 writer (``server/wire.py``) sends what aiohttp's
``web.Response`` would, and leaves to aiohttp every answer it does not handle: compared on
the wire, over real sockets, with http.client and raw requests."""

from __future__ import annotations

import asyncio
import http.client
import json
import socket
import threading
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from aiohttp import web

import contractkit
from contractkit.server import wire
from contractkit.server.runner import MockServer

ANSWERS: list[tuple[int, dict[str, str], bytes]] = [
    (200, {"Content-Type": "application/json"}, b'{"id": 1}'),
    (201, {}, b"untyped"),  # aiohttp calls a non-empty untyped body octet-stream
    (200, {}, b""),
    (503, {"Retry-After": "2", "Content-Type": "application/problem+json",
           "X-Custom": "a b;c=\"d\""}, b'{"title": "down"}'),
    (200, {"Date": "Mon, 01 Jan 2024 00:00:00 GMT", "Server": "provider/1"}, b"own"),
    (299, {}, b"unknown status"),  # no reason phrase, as aiohttp
    (599, {"content-type": "text/plain"}, b"lower-case name"),
]


@pytest.fixture(scope="module")
def both() -> Iterator[int]:
    """A bare aiohttp server answering ANSWERS[i] at /fast/i through wire and at /aiohttp/i
    through web.Response; yields its port."""
    ready = threading.Event()
    port: list[int] = []
    stop: list[asyncio.Event] = []
    loop = asyncio.new_event_loop()

    async def handle(request: web.BaseRequest) -> web.StreamResponse:
        kind, index = request.path.strip("/").split("/")
        status, headers, body = ANSWERS[int(index)]
        if kind == "fast":
            assert wire.writable(request, status, headers)
            await wire.write(request, status, dict(headers), body)
            return wire.SENT
        return web.Response(status=status, headers=headers, body=body)

    async def serve() -> None:
        server = await loop.create_server(web.Server(handle), "127.0.0.1", 0)
        port.append(server.sockets[0].getsockname()[1])
        stop.append(asyncio.Event())
        ready.set()
        await stop[0].wait()
        server.close()
        await server.wait_closed()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    assert ready.wait(10)
    yield port[0]
    loop.call_soon_threadsafe(stop[0].set)
    thread.join(10)


def _fetch(connection: http.client.HTTPConnection, path: str,
           ) -> tuple[str, list[tuple[str, str]], bytes]:
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    headers = sorted((name.lower(), value) for name, value in response.getheaders()
                     if name.lower() != "date")
    return f"{response.version} {response.status} {response.reason}", headers, body


@pytest.mark.parametrize("index", range(len(ANSWERS)))
def test_the_writer_sends_what_aiohttp_sends(both: int, index: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", both, timeout=10)
    try:
        for _ in range(2):  # and the connection is kept alive for the next request
            assert _fetch(connection, f"/fast/{index}") == _fetch(connection,
                                                                  f"/aiohttp/{index}")
    finally:
        connection.close()


def test_an_answer_that_sets_its_own_date_keeps_it(both: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", both, timeout=10)
    try:
        connection.request("GET", "/fast/4")
        response = connection.getresponse()
        response.read()
        assert response.getheader("Date") == "Mon, 01 Jan 2024 00:00:00 GMT"
        connection.request("GET", "/fast/0")
        response = connection.getresponse()
        response.read()
        assert response.getheader("Date", "").endswith(" GMT")
    finally:
        connection.close()


# -- through the mock: what the writer leaves to aiohttp -----------------------------------

BIG = 3_000_000
CONTRACT = f"""\
openapi: 3.0.3
info: {{title: Wire, version: "1"}}
paths:
  /items/{{id}}:
    get:
      operationId: getItem
      parameters: [{{name: id, in: path, required: true, schema: {{type: integer}}}}]
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {{type: object, properties: {{id: {{type: integer}}}}}}
              example: {{id: 1}}
        "204": {{description: nothing}}
  /big:
    get:
      operationId: getBig
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {{type: object, properties: {{blob: {{type: string}}}}}}
              example: {{blob: "{'x' * BIG}"}}
"""


@pytest.fixture(scope="module")
def mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    path = tmp_path_factory.mktemp("wire") / "wire.yaml"
    path.write_text(CONTRACT)
    with MockServer(contractkit.load(path), log_format="off") as server:
        yield server


def _address(server: MockServer) -> tuple[str, int, str]:
    """(host, port, base path) of the mock."""
    url = urlsplit(server.url)
    assert url.hostname is not None
    assert url.port is not None
    return url.hostname, url.port, url.path.rstrip("/")


def _raw(server: MockServer, data: bytes, *, until_closed: bool = False,
         answers: int = 1) -> bytes:
    """Send ``data`` on one connection; read ``answers`` complete answers (or until EOF)."""
    host, port, _ = _address(server)
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(data)
        received = b""
        while True:
            if not until_closed and _complete(received) >= answers:
                return received
            chunk = sock.recv(65536)
            if not chunk:
                return received
            received += chunk


def _complete(data: bytes) -> int:
    """How many whole answers (with Content-Length bodies) ``data`` holds."""
    count = 0
    while b"\r\n\r\n" in data:
        head, _, rest = data.partition(b"\r\n\r\n")
        lengths = [int(line.split(b":")[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")]
        length = lengths[0] if lengths else 0
        if b"HEAD" in head.split(b"\r\n")[0] or len(rest) < length:
            return count
        data = rest[length:]
        count += 1
    return count


def test_pipelined_requests_are_answered_in_order(mock: MockServer) -> None:
    base = _address(mock)[2]
    data = b"".join(f"GET {base}/items/{n} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
                    for n in (1, 2, 3))
    received = _raw(mock, data, answers=3)
    bodies = [json.loads(part.split(b"\r\n\r\n", 1)[1][:9]) for part in
              received.split(b"HTTP/1.1 200 OK\r\n")[1:]]
    assert bodies == [{"id": 1}, {"id": 2}, {"id": 3}]


def test_http_1_0_and_connection_close_get_aiohttp_framing(mock: MockServer) -> None:
    base = _address(mock)[2]
    old = _raw(mock, f"GET {base}/items/1 HTTP/1.0\r\n\r\n".encode(), until_closed=True)
    assert old.startswith(b"HTTP/1.0 200 OK\r\n")
    assert old.endswith(b'{"id":1}')
    closing = _raw(mock, f"GET {base}/items/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                   .encode(), until_closed=True)
    assert b"\r\nConnection: close\r\n" in closing
    assert closing.endswith(b'{"id":1}')


def test_head_and_204_have_no_body(mock: MockServer) -> None:
    host, port, path = _address(mock)
    c = http.client.HTTPConnection(host, port, timeout=10)
    try:
        c.request("HEAD", f"{path}/items/1")
        head = c.getresponse()
        assert head.status == 200
        assert head.read() == b""
        assert head.getheader("Content-Length") == "8"
        c.request("GET", f"{path}/items/1", headers={"Prefer": "code=204"})
        empty = c.getresponse()
        assert (empty.status, empty.read(), empty.getheader("Content-Length")) == (
            204, b"", None)
        c.request("GET", f"{path}/items/1")  # the connection still carries requests
        assert c.getresponse().read() == b'{"id":1}'
    finally:
        c.close()


def test_a_large_answer_to_a_slow_reader_arrives_whole(mock: MockServer) -> None:
    host, port, path = _address(mock)
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.settimeout(10)
        sock.connect((host, port))
        request = f"GET {path}/big HTTP/1.1\r\nHost: x\r\n\r\n".encode()
        sock.sendall(request * 2)
        received = b""
        while _complete(received) < 2:
            chunk = sock.recv(4096)
            assert chunk, "the mock closed the connection"
            received += chunk
    first, _, rest = received.partition(b"\r\n\r\n")
    body = rest[:int(first.split(b"Content-Length: ")[1].split(b"\r\n")[0])]
    assert json.loads(body) == {"blob": "x" * BIG}
    assert mock.journal.entries()[-1].status == 200
    assert len(mock.journal.entries(operation_id="getBig")) == 2
