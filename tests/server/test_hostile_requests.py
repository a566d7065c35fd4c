"""Hostile requests never make the mock's own code fail; it stays up and records them."""

from __future__ import annotations

import contextlib
import socket

import httpx

import contractkit
from contractkit.server.runner import MockServer

AUTH = {"X-Shop-Key": "k", "Idempotency-Key": "k1", "Content-Type": "application/json"}


def test_oversized_body_gets_413(shop_contract: contractkit.Contract) -> None:
    with MockServer(shop_contract, max_body_bytes=1024) as server:
        response = httpx.post(server.url + "/items", content=b"x" * 5000, headers=AUTH)
        assert response.status_code == 413
        assert "capped at 1,024 bytes" in response.json()["detail"]
        assert server.journal.entries()[-1].outcome == "too-large"
        assert httpx.get(server.url + "/items").status_code == 200


def test_invalid_json_invalid_utf8_and_deep_nesting(shop: MockServer) -> None:
    bodies = [b'{"name": ', b'{"name": "\xff\xfe"}', b"[" * 100_000 + b"]" * 100_000,
              b"\x00\x01\x02"]
    for body in bodies:
        response = httpx.post(shop.url + "/items", content=body, headers=AUTH)
        assert response.status_code in (400, 422), (body[:20], response.text)
    assert len(shop.journal.entries()) == len(bodies)
    assert httpx.get(shop.url + "/items").status_code == 200


def test_unknown_content_type_and_path_traversal(shop: MockServer) -> None:
    odd = httpx.post(shop.url + "/items", content=b"<x/>",
                     headers={**AUTH, "Content-Type": "application/x-made-up"})
    assert odd.status_code == 415
    for path in ("/../../etc/passwd", "/items/..%2F..%2Fetc%2Fpasswd", "/items/%00",
                 "/%2e%2e/%2e%2e/"):
        response = httpx.get(shop.url + path)
        assert response.status_code in (400, 404), path
        assert "root:" not in response.text


def test_header_flood_is_refused_by_the_parser_and_the_server_stays_up(
        shop: MockServer) -> None:
    headers = {f"X-Flood-{i}": "y" * 100 for i in range(2000)}
    response = httpx.get(shop.url + "/items", headers=headers)
    assert response.status_code in (400, 431)
    huge = httpx.get(shop.url + "/items", headers={"X-Big": "z" * 100_000})
    assert huge.status_code in (400, 431)
    assert httpx.get(shop.url + "/items").status_code == 200


def test_garbage_on_the_socket(shop: MockServer) -> None:
    with socket.create_connection(("127.0.0.1", shop.port), timeout=5) as raw:
        raw.sendall(b"\x16\x03\x01garbage that is not HTTP\r\n\r\n")
        reply = raw.recv(1024)
    assert reply.startswith((b"HTTP/1.0 400", b"HTTP/1.1 400")) or reply == b""
    assert httpx.get(shop.url + "/items").status_code == 200


def test_slowloris_headers_are_cut_off(shop_contract: contractkit.Contract) -> None:
    with MockServer(shop_contract, header_timeout=0.3) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
            raw.sendall(b"GET /api/items HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            # the server closes the connection itself; recv returns b"" at that moment
            assert raw.recv(1024) == b""
        assert httpx.get(server.url + "/items").status_code == 200


def test_slow_body_gets_408(shop_contract: contractkit.Contract) -> None:
    with MockServer(shop_contract, body_timeout=0.3) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
            raw.sendall(b"POST /api/items HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
                        b"Content-Type: application/json\r\n\r\n{\"na")
            reply = raw.recv(4096)
        assert reply.startswith(b"HTTP/1.1 408")
        assert server.journal.entries()[-1].outcome == "body-timeout"


def test_expect_100_continue_is_answered_before_the_body(shop: MockServer) -> None:
    body = b'{"name": "lamp", "price": 12.5}'
    with socket.create_connection(("127.0.0.1", shop.port), timeout=10) as raw:
        raw.sendall(b"POST /api/items HTTP/1.1\r\nHost: x\r\nX-Shop-Key: k\r\n"
                    b"Idempotency-Key: k2\r\nContent-Type: application/json\r\n"
                    b"Expect: 100-continue\r\n"
                    b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n")
        # a client like curl waits for this before it sends the body
        assert raw.recv(1024).startswith(b"HTTP/1.1 100 Continue")
        raw.sendall(body)
        assert raw.recv(4096).startswith(b"HTTP/1.1 201")


def test_long_query_strings_are_served_and_absurd_ones_refused(shop: MockServer) -> None:
    long = httpx.get(shop.url + "/items", params={"limit": "2", "x": "y" * 20_000})
    assert long.status_code == 200
    with socket.create_connection(("127.0.0.1", shop.port), timeout=10) as raw:
        raw.sendall(b"GET /api/items?x=" + b"y" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        assert raw.recv(1024).startswith((b"HTTP/1.1 400", b"HTTP/1.1 414", b"HTTP/1.0 400"))
    assert httpx.get(shop.url + "/items").status_code == 200


def test_json_nested_past_the_validators_depth_is_a_4xx(shop: MockServer) -> None:
    with httpx.Client(base_url=shop.url, headers=AUTH) as client:
        for depth in (256, 300, 600, 1023):
            body = '{"name":' * depth + "1" + "}" * depth
            response = client.post("/items", content=body)
            assert response.status_code == 422, (depth, response.text)
            assert "levels" in response.headers["contractkit-violations"], depth
    assert not shop.app.errors


def test_a_declared_length_over_the_cap_is_refused_at_once(
        shop_contract: contractkit.Contract) -> None:
    # a body timeout longer than the test may take: the answer must not wait for it
    with MockServer(shop_contract, body_timeout=600) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as raw:
            raw.sendall(b"POST /api/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                        b"\r\nContent-Length: 1000000000000\r\n\r\n{}")
            reply = b""
            while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
                reply += raw.recv(65536)
        assert reply.startswith(b"HTTP/1.1 413")
        assert b"Connection: close" in reply
        assert server.journal.entries()[-1].outcome == "too-large"
        assert not server.app.errors


def test_a_client_that_leaves_early_is_one_log_line(
        shop_contract: contractkit.Contract) -> None:
    import logging
    import threading

    lines: list[logging.LogRecord] = []
    left = threading.Event()

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record)
            if "the client left" in record.getMessage():
                left.set()

    handler = Collect(level=logging.DEBUG)
    loggers = [logging.getLogger(n) for n in ("contractkit.server", "aiohttp.server",
                                              "asyncio")]
    for logger in loggers:
        logger.addHandler(handler)
    logging.getLogger("contractkit.server").setLevel(logging.INFO)
    slow = {"name": "slow", "rules": [{"name": "lag", "match": {}, "latency": 0.5}]}
    try:
        with MockServer(shop_contract, scenario=slow, log_format="plain") as server:
            with contextlib.suppress(httpx.TimeoutException):
                httpx.get(server.url + "/items", timeout=0.05)
            assert left.wait(30)
            [entry] = server.journal.entries()
            assert entry.t_disconnect is not None
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
    assert not [r for r in lines if r.exc_info], [r.getMessage() for r in lines]
    # the access log writes its lines in batches: one record may hold several
    written = [line for r in lines for line in r.getMessage().splitlines()]
    assert [line for line in written if "left" in line] == [
        f"GET /api/items: the client left before its answer was sent  id={entry.correlation_id}"]


def test_prefer_code_must_be_an_http_status(shop: MockServer) -> None:
    for code in ("999", "42", "1000", "abc"):
        response = httpx.get(shop.url + "/items", headers={"Prefer": f"code={code}"})
        assert response.status_code == 400, code
        assert response.json()["status"] == 400


def test_generated_problems_carry_the_status_they_are_sent_with() -> None:
    problem = {"type": "object", "required": ["type", "status"], "properties": {
        "type": {"type": "string"}, "status": {"type": "integer", "minimum": 100}}}
    contract = contractkit.load({
        "openapi": "3.1.0", "info": {"title": "p", "version": "1"},
        "paths": {"/x": {"get": {"operationId": "x", "responses": {
            "200": {"description": "ok"},
            **{code: {"description": "no", "content": {
                "application/problem+json": {"schema": problem}}}
               for code in ("404", "503", "default")}}}}}})
    with MockServer(contract) as server, httpx.Client(base_url=server.url) as client:
        for code in (404, 503, 418, 500):
            response = client.get("/x", headers={"Prefer": f"code={code}"})
            assert response.status_code == code
            assert response.json()["status"] == code


def test_the_listen_backlog_holds_a_burst(shop_contract: contractkit.Contract) -> None:
    """Connections wait in the kernel's queue while the loop does not accept them: with
    asyncio's default backlog (100) most of a burst of 1,100 would not get in."""
    import asyncio
    import select
    from pathlib import Path

    burst = min(1100, int(Path("/proc/sys/net/core/somaxconn").read_text()) - 10)
    server = MockServer(shop_contract)
    assert server.backlog >= 1024
    loop = asyncio.new_event_loop()
    loop.run_until_complete(server.start())  # listening; the loop is not run from here on
    sockets = []
    try:
        for _ in range(burst):
            sock = socket.socket()
            sock.setblocking(False)
            sock.connect_ex(("127.0.0.1", server.port))
            sockets.append(sock)
        pending = set(sockets)
        poller = select.poll()
        for sock in sockets:
            poller.register(sock, select.POLLOUT)
        by_fd = {s.fileno(): s for s in sockets}
        while pending:
            ready = poller.poll(3000)
            if not ready:
                break
            for fd, _ in ready:
                poller.unregister(fd)
                pending.discard(by_fd[fd])
        connected = [s for s in sockets
                     if s not in pending and s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0]
        assert len(connected) == burst
    finally:
        for sock in sockets:
            sock.close()
        loop.run_until_complete(server.stop())
        loop.close()
