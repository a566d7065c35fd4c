"""A receiver given as an ASGI app: served on 127.0.0.1 by aiohttp, listening once
started, the lifespan protocol run around it for apps that speak it, the answer (status,
headers, body) passed back as the app sent it; deliveries from the mock reach it."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from standardwebhooks import Webhook
from tests.conftest import ROOT

from contractkit.errors import ConfigError
from contractkit.server.asgi_receiver import ASGIReceiver, is_asgi
from contractkit.server.runner import MockServer

ORDERS = ROOT / "examples" / "webhook_suite" / "contracts" / "orders.yaml"
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


class App:
    """Verifies Standard Webhooks signatures; records its lifespan."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.received: list[tuple[str, bytes]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                self.events.append(message["type"])
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        self.events.append(f"{scope['method']} {scope['path']}?{scope['query_string'].decode()}")
        self.received.append((scope["path"], body))
        try:
            Webhook(SECRET).verify(body, headers)
            status = 204
        except Exception:
            status = 401
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"x-receiver", b"asgi")]})
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def plain(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """No lifespan support (it raises), answers in two body chunks."""
    assert scope["type"] == "http", "lifespan is not supported here"
    await receive()
    await send({"type": "http.response.start", "status": 201,
                "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"cre", "more_body": True})
    await send({"type": "http.response.body", "body": b"ated"})


def test_the_mock_delivers_to_an_asgi_app() -> None:
    app = App()
    with ASGIReceiver(app, path="/hooks") as receiver, MockServer(ORDERS) as server:
        assert app.events == ["lifespan.startup"]  # before the first request
        [attempt] = server.deliver("orderCreated", to=receiver.url + "?v=1", secret=SECRET)
        answer = httpx.post(receiver.url, content=b"{}")
    assert (attempt.status, attempt.outcome) == (204, "delivered")
    assert (answer.status_code, answer.headers["x-receiver"]) == (401, "asgi")
    assert app.events == ["lifespan.startup", "POST /hooks?v=1", "POST /hooks?",
                          "lifespan.shutdown"]
    assert b"order.created" in app.received[0][1]


def test_an_app_without_lifespan_and_a_streamed_answer() -> None:
    with ASGIReceiver(plain) as receiver:
        answer = httpx.post(receiver.url, content=b"x")
    assert (answer.status_code, answer.text) == (201, "created")
    assert answer.headers["content-type"] == "text/plain"


def test_an_app_that_fails_answers_500() -> None:
    async def broken(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            raise RuntimeError("bug in the receiver")

    with ASGIReceiver(broken) as receiver:
        assert httpx.post(receiver.url, content=b"x").status_code == 500


def test_asgi_or_wsgi() -> None:
    def wsgi(environ: Any, start_response: Any) -> list[bytes]:
        return []

    assert is_asgi(App())
    assert is_asgi(plain)
    assert not is_asgi(wsgi)
    with pytest.raises(ConfigError, match="is not an ASGI application"):
        ASGIReceiver(wsgi)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="start the receiver first"):
        _ = ASGIReceiver(plain).url
