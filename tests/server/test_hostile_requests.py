"""Hostile requests never make the mock's own code fail; it stays up and records them."""

from __future__ import annotations

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
