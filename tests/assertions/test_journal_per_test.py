"""Each test sees only its own exchanges: a request whose first bytes reached the mock
before a reset (the previous test's end) is not journalled after it, even when its headers
are only complete after the reset; over a real socket."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from tests.conftest import ROOT

from contractkit.server.runner import MockServer

REQUEST = (b"GET /v1/payments/pay_3Nf8aZq2LkP0sT7x HTTP/1.1\r\nHost: 127.0.0.1\r\n"
           b"Authorization: Bearer sk_test_1\r\nConnection: close\r\n\r\n")


@pytest.fixture(scope="module")
def server() -> Iterator[MockServer]:
    with MockServer(ROOT / "contracts" / "payments.yaml") as running:
        yield running


def until(condition: object, what: str) -> None:
    """A readiness wait on the server's state (no sleeping)."""
    deadline = time.perf_counter() + 5.0
    while not condition():  # type: ignore[operator]
        assert time.perf_counter() < deadline, what


def answer(connection: socket.socket) -> bytes:
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


def test_a_request_begun_before_a_reset_is_not_journalled_after_it(
        server: MockServer) -> None:
    server.reset()
    with socket.create_connection((server.host, server.port)) as connection:
        connection.sendall(REQUEST[:20])  # the previous test's request, cut by its end
        until(lambda: server.app.connections.in_flight() == 1, "the first bytes arrived")
        server.reset()  # the next test begins
        connection.sendall(REQUEST[20:])
        assert answer(connection).startswith(b"HTTP/1.1 200")
    # the next test's own request is journalled, on a new connection
    httpx.get(server.url + "/payments/pay_3Nf8aZq2LkP0sT7x",
              headers={"Authorization": "Bearer sk_test_1"})
    assert len(server.journal.entries()) == 1


def test_keep_alive_requests_after_a_reset_are_journalled(server: MockServer) -> None:
    with httpx.Client(base_url=server.url,
                      headers={"Authorization": "Bearer sk_test_1"}) as client:
        client.get("/payments/pay_3Nf8aZq2LkP0sT7x")
        # no wait: the request is finished when journalled, before its answer leaves
        assert server.app.connections.in_flight() == 0
        first = server.journal.entries()[-1].connection_id
        server.reset()
        client.get("/payments/pay_3Nf8aZq2LkP0sT7x")  # the same connection, a new test
    assert [e.connection_id for e in server.journal.entries()] == [first]
