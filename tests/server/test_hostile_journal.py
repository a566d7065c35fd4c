"""The journal holds under hostile traffic: any bytes, paging, bounded memory, every request."""

from __future__ import annotations

import hashlib
import socket

import httpx

import contractkit
from contractkit._http import HttpRequest
from contractkit.journal import BODY_PREFIX_BYTES, Journal, Record
from contractkit.server.runner import MockServer

AUTH = {"X-Shop-Key": "k", "Idempotency-Key": "k1", "Content-Type": "application/json"}


def _raw(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


def test_bytes_that_are_not_utf8_are_kept_escaped(shop: MockServer) -> None:
    reply = _raw(shop.port, b"GET /api/items HTTP/1.1\r\nHost: x\r\nUser-Agent: \xff\xfeok\r\n"
                            b"X-Request-Id: \xff\r\nX-Contractkit-Session: s\xff\r\n"
                            b"Connection: close\r\n\r\n")
    assert reply.startswith(b"HTTP/1.1 200")
    for _ in range(2):  # the journal answers, and goes on answering
        journal = httpx.get(shop.admin_url + "/journal")
        assert journal.status_code == 200
        [entry] = journal.json()["entries"]
        assert entry["request_headers"]["user-agent"] == "\\xff\\xfeok"
        assert entry["correlation_id"] == "\\udcff" or "\\x" in entry["correlation_id"]
        assert entry["session"] == "s\\xff"


def test_journal_pages_from_the_oldest(shop: MockServer) -> None:
    for _ in range(7):
        httpx.get(shop.url + "/items")
    httpx.get(shop.admin_url + "/health")  # admin requests take no journal slot
    seen: list[int] = []
    since = 0
    while True:
        page = httpx.get(shop.admin_url + "/journal",
                         params={"since_seq": since, "limit": 3}).json()
        seen += [e["seq"] for e in page["entries"]]
        since = page["next_since_seq"]
        if not page["more"]:
            break
    assert seen == [1, 2, 3, 4, 5, 6, 7]
    assert httpx.get(shop.admin_url + "/health").json()["journal_entries"] == 7
    assert httpx.get(shop.admin_url + "/journal",
                     params={"limit": -1}).status_code == 400


def test_dropped_restarts_at_reset(shop_contract: contractkit.Contract) -> None:
    with MockServer(shop_contract) as server:
        server.app.journal = Journal(capacity=3)
        for _ in range(5):
            httpx.get(server.url + "/items")
        assert httpx.get(server.admin_url + "/journal").json()["dropped"] == 2
        assert httpx.post(server.admin_url + "/reset").status_code == 204
        httpx.get(server.url + "/items")
        assert httpx.get(server.admin_url + "/journal").json()["dropped"] == 0


def test_a_body_that_never_arrives_is_journalled(shop: MockServer) -> None:
    with socket.create_connection(("127.0.0.1", shop.port), timeout=10) as raw:
        raw.sendall(b"POST /api/items HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    b"X-Contractkit-Session: gone\r\nContent-Length: 100\r\n\r\n{\"na")
    [entry] = shop.journal.wait_for(lambda entries: len(entries) == 1, 10, session="gone")
    assert entry.outcome == "abandoned"
    assert entry.status is None
    assert entry.t_disconnect is not None


def test_a_session_per_request_does_not_grow_the_journal() -> None:
    journal = Journal(capacity=100)
    for number in range(1000):
        journal.append(Record(f"s{number}", 1, HttpRequest("GET", "/"), None, "", 200, {}, b"",
                              0.0, 0.0, 0.0))
    assert len(journal) == 100
    assert len(journal._sessions) == 100  # the evicted sessions are gone too
    assert journal.entries(session="s0") == []
    assert len(journal.entries(session="s999")) == 1
    assert journal.dropped == 900


def test_bodies_are_kept_as_a_prefix_with_size_and_digest(
        shop_contract: contractkit.Contract) -> None:
    body = b'{"name": "' + b"x" * (1024 * 1024) + b'", "price": 1}'
    with MockServer(shop_contract, max_body_bytes=2 * 1024 * 1024) as server:
        httpx.post(server.url + "/items", content=body, headers=AUTH)
        [record] = list(server.journal._all)
        assert isinstance(record, Record)
        assert len(record.request.body) == BODY_PREFIX_BYTES
        [entry] = server.journal.entries()
        assert entry.request_body_size == len(body)
        assert entry.request_body_sha256 == hashlib.sha256(body).hexdigest()
        # the violation quotes the megabyte-long name: cut in the middle
        [violation] = entry.violations
        assert len(violation.message) < 500
        assert "characters]" in violation.message


def test_internal_errors_are_kept_as_bounded_text(shop: MockServer) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("a bug inside the mock")

    shop.app._answer = broken  # type: ignore[method-assign]
    with httpx.Client(base_url=shop.url) as client:
        for _ in range(150):
            assert client.get("/items").status_code == 500
    errors = list(shop.app.errors)
    assert len(errors) == 100
    assert str(errors[0]) == "RuntimeError: a bug inside the mock (on GET /api/items)"
    assert "Traceback" in errors[0].trace
    assert not any(isinstance(e, BaseException) for e in errors)
