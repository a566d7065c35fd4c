"""A small real provider of tests/verify/widgets.yaml (aiohttp on 127.0.0.1, port 0) for
``verify`` to check: conforming, or with any of :data:`DEVIATIONS` seeded.

It validates what it receives the way a careful provider does (jsonschema for bodies,
explicit checks for parameters) and keeps state: widgets, replayed ``Idempotency-Key``
answers, a rate limit of one report in two requests.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from aiohttp import web

CONTRACT = Path(__file__).with_name("widgets.yaml")
TOKEN = "Bearer secret-token"
_SCHEMAS = yaml.safe_load(CONTRACT.read_text())["components"]["schemas"]
_NEW_WIDGET = jsonschema.Draft7Validator(_SCHEMAS["NewWidget"])

#: deviation → (operation, check that must find it, a word its message must hold)
DEVIATIONS: dict[str, tuple[str, str, str]] = {
    "wrong-status": ("GET /search", "positive_data_acceptance", "accepted"),
    "missing-field": ("GET /widgets", "response_schema_conformance", "size"),
    "wrong-type": ("GET /widgets/{id}/price", "response_schema_conformance", "integer"),
    "undocumented-status": ("DELETE /widgets/{id}", "status_code_conformance", "410"),
    "500-on-invalid": ("GET /widgets/{id}", "not_a_server_error", "500"),
    "accepts-invalid": ("GET /widgets", "negative_data_rejection", "invalid"),
    "wrong-content-type": ("GET /health", "content_type_conformance", "application/json"),
    "missing-header": ("POST /widgets", "response_headers_conformance", "Location"),
    "non-idempotent": ("POST /widgets", "idempotency", "/id"),
    "key-reuse-accepted": ("POST /widgets", "idempotency", "different body"),
    "429-without-retry-after": ("GET /reports", "rate_limit_headers", "Retry-After"),
    "ignored-auth": ("GET /widgets", "ignored_auth", "auth"),
    "no-deprecation-header": ("GET /legacy/widgets", "deprecation_headers", "Deprecation"),
    "error-schema": ("DELETE /widgets/{id}", "error_schema", "code"),
    "enum-value": ("GET /legacy/widgets", "response_schema_conformance", "purple"),
    "html-answer": ("GET /widgets/{id}", "content_type_conformance", "text/html"),
}


def _error(status: int, message: str, **headers: str) -> web.Response:
    return web.json_response({"code": str(status), "message": message}, status=status,
                             headers=headers)


class Widgets:
    """The provider's handlers; ``deviations`` names what it gets wrong."""

    def __init__(self, deviations: frozenset[str] = frozenset()) -> None:
        unknown = deviations - set(DEVIATIONS) - {"hang"}
        assert not unknown, unknown
        self.deviations = deviations
        self.widgets: dict[int, dict[str, Any]] = {
            1: {"id": 1, "name": "sprocket", "color": "red", "size": 3},
            2: {"id": 2, "name": "gear", "color": "blue", "size": 7},
        }
        self.keys: dict[str, tuple[Any, dict[str, Any]]] = {}
        self.reports = 0

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._auth])
        app.router.add_get("/widgets", self.list_widgets)
        app.router.add_post("/widgets", self.create_widget)
        app.router.add_get("/widgets/{id}", self.get_widget)
        app.router.add_delete("/widgets/{id}", self.delete_widget)
        app.router.add_get("/widgets/{id}/price", self.get_price)
        app.router.add_get("/search", self.search)
        app.router.add_get("/reports", self.report)
        app.router.add_get("/legacy/widgets", self.legacy)
        app.router.add_get("/health", self.health)
        return app

    @web.middleware
    async def _auth(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if "hang" in self.deviations and request.path != "/":
            await asyncio.sleep(3600)
        public = request.path in ("/health", "/") or (
            "ignored-auth" in self.deviations and request.path == "/widgets"
            and request.method == "GET")
        if not public and request.headers.get("Authorization") != TOKEN:
            return _error(401, "a valid bearer token is needed")
        response: web.StreamResponse = await handler(request)
        return response

    def on(self, deviation: str) -> bool:
        return deviation in self.deviations

    async def list_widgets(self, request: web.Request) -> web.Response:
        limits = request.query.getall("limit", [])
        limit = 20
        if limits:
            if len(limits) > 1 or not limits[0].isdigit():
                return _error(400, "limit must be one integer")
            limit = int(limits[0])
            if not 1 <= limit <= 20 and not self.on("accepts-invalid"):
                return _error(400, "limit must be between 1 and 20")
        items = list(self.widgets.values())[:max(limit, 1)]
        if self.on("missing-field"):
            items = [{k: v for k, v in item.items() if k != "size"} for item in items]
        return web.json_response({"items": items}, headers={"X-Request-Id": "req-1"})

    async def create_widget(self, request: web.Request) -> web.Response:
        if request.content_type != "application/json":
            return _error(415, "send application/json")
        try:
            body = json.loads(await request.read())
        except ValueError:
            return _error(400, "the body is not JSON")
        if not _NEW_WIDGET.is_valid(body):
            return _error(400, "the body does not fit NewWidget")
        key = request.headers.get("Idempotency-Key")
        if key is not None:
            if not 1 <= len(key) <= 64 or not all(c.isascii() and (c.isalnum() or c == "-")
                                                  for c in key):
                return _error(400, "Idempotency-Key must be 1-64 letters, digits or dashes")
            if key in self.keys and not self.on("non-idempotent"):
                first_body, widget = self.keys[key]
                if first_body != body and not self.on("key-reuse-accepted"):
                    return _error(409, "Idempotency-Key already used with another body")
                return self._created(widget)
        widget = {"id": max(self.widgets) + 1, "size": 1, **body}
        self.widgets[widget["id"]] = widget
        if key is not None and (key not in self.keys or self.on("non-idempotent")):
            self.keys[key] = (body, widget)
        return self._created(widget)

    def _created(self, widget: dict[str, Any]) -> web.Response:
        headers = {} if self.on("missing-header") else {"Location": f"/widgets/{widget['id']}"}
        return web.json_response(widget, status=201, headers=headers)

    def _id(self, request: web.Request) -> int | web.Response:
        text = request.match_info["id"]
        if not text.isdigit() or int(text) < 1:
            if self.on("500-on-invalid") and request.method == "GET" \
                    and not request.path.endswith("/price"):
                return web.Response(status=500, text="Traceback (most recent call last): ...")
            return _error(400, "id must be a positive integer")
        return int(text)

    async def get_widget(self, request: web.Request) -> web.Response:
        found = self._id(request)
        if isinstance(found, web.Response):
            return found
        if found not in self.widgets:
            if self.on("html-answer"):
                return web.Response(status=404, text="<html><body>Not Found</body></html>",
                                    content_type="text/html")
            return _error(404, f"no widget {found}")
        return web.json_response(self.widgets[found])

    async def delete_widget(self, request: web.Request) -> web.Response:
        found = self._id(request)
        if isinstance(found, web.Response):
            return found
        if found not in self.widgets:
            if self.on("undocumented-status"):
                body = {"detail": "gone"} if self.on("error-schema") else {
                    "code": "410", "message": "gone"}
                return web.json_response(body, status=410)
            if self.on("error-schema"):
                return web.json_response({"detail": "gone"}, status=410)
            return _error(404, f"no widget {found}")
        if found > 2:  # the two seeded widgets stay, for the other operations
            del self.widgets[found]
        return web.Response(status=204)

    async def get_price(self, request: web.Request) -> web.Response:
        found = self._id(request)
        if isinstance(found, web.Response):
            return found
        amount: Any = str(found * 100) if self.on("wrong-type") else found * 100
        return web.json_response({"amount": amount, "currency": "EUR"})

    async def search(self, request: web.Request) -> web.Response:
        queries = request.query.getall("q", [])
        if len(queries) != 1 or not 1 <= len(queries[0]) <= 30:
            return _error(400, "q must be one string of 1 to 30 characters")
        if self.on("wrong-status"):
            return _error(400, "search is unavailable")
        return web.json_response([w for w in self.widgets.values() if queries[0] in w["name"]])

    async def report(self, request: web.Request) -> web.Response:
        self.reports += 1
        if self.reports % 2 == 0:
            headers = {} if self.on("429-without-retry-after") else {"Retry-After": "1"}
            return _error(429, "one report in two requests", **headers)
        return web.json_response({"widgets": len(self.widgets)})

    async def legacy(self, request: web.Request) -> web.Response:
        items = list(self.widgets.values())
        if self.on("enum-value"):
            items = [{**item, "color": "purple"} for item in items]
        headers = {} if self.on("no-deprecation-header") else {
            "Deprecation": "@1735689600", "Sunset": "Wed, 31 Dec 2025 23:59:59 GMT"}
        return web.json_response(items, headers=headers)

    async def health(self, request: web.Request) -> web.Response:
        if self.on("wrong-content-type"):
            return web.json_response("ok")
        return web.Response(text="ok", content_type="text/plain")


@contextmanager
def serve(app: web.Application, *, ssl_context: ssl.SSLContext | None = None) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 (port 0) in a thread; yields its base URL once it listens."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    url: list[str] = []
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)

    async def start() -> None:
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
        await site.start()
        server = site._server
        assert server is not None
        port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        url.append(f"{'https' if ssl_context else 'http'}://127.0.0.1:{port}")
        ready.set()

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(start(), loop).result(timeout=10)
    ready.wait(10)
    try:
        yield url[0]
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        loop.close()


@contextmanager
def provider(*deviations: str) -> Iterator[str]:
    """The widgets provider with ``deviations`` seeded (none: conforming)."""
    with serve(Widgets(frozenset(deviations)).app()) as url:
        yield url
