"""A webhook receiver given as an ASGI application (Starlette, FastAPI, Quart, a
coroutine), served on 127.0.0.1 by aiohttp so the mock can deliver to it.

One thread runs an event loop with an aiohttp server bound to port 0; :meth:`start`
returns once the socket listens (it waits for the loop to say so, not for a time). Each
request becomes one ASGI ``http`` call: the body is read whole first (webhook bodies are
small) and the answer is collected, then sent. The ``lifespan`` protocol runs around the
server (startup before the first request, shutdown at stop) when the application speaks
it; one that raises on it is served without. HTTP only: no WebSocket.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import inspect
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from types import TracebackType
from typing import Any

from aiohttp import web

from contractkit.errors import ConfigError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApplication = Callable[[Scope, Callable[[], Awaitable[Message]],
                            Callable[[Message], Awaitable[None]]], Awaitable[None]]


def is_asgi(app: object) -> bool:
    """Whether ``app`` looks like an ASGI application (an ``async`` callable) rather than
    a WSGI one."""
    if inspect.iscoroutinefunction(app):
        return True
    # the class's own __call__ (looked up without calling, so B004 does not apply)
    method = next((vars(base)["__call__"] for base in type(app).__mro__
                   if "__call__" in vars(base)), None)
    return inspect.iscoroutinefunction(method)


class ASGIReceiver:
    """``with ASGIReceiver(app, path="/hooks") as receiver:`` deliver to ``receiver.url``."""

    def __init__(self, app: ASGIApplication, *, path: str = "/",
                 start_timeout: float = 10.0) -> None:
        if not is_asgi(app):
            raise ConfigError(f"ASGIReceiver: {app!r} is not an ASGI application (an async "
                              "callable taking scope, receive and send)")
        if not path.startswith("/"):
            raise ConfigError(f"ASGIReceiver: path {path!r} must start with '/'")
        self.app = app
        self.path = path
        self.start_timeout = start_timeout
        self._port: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopping: asyncio.Event | None = None

    @property
    def url(self) -> str:
        if self._port is None:
            raise ConfigError("ASGIReceiver.url: start the receiver first (`with`)")
        return f"http://127.0.0.1:{self._port}{self.path}"

    def start(self) -> ASGIReceiver:
        ready: concurrent.futures.Future[int] = concurrent.futures.Future()
        self._thread = threading.Thread(target=self._run, args=(ready,),
                                        name="contractkit-asgi-receiver", daemon=True)
        self._thread.start()
        self._port = ready.result(self.start_timeout)
        return self

    def stop(self) -> None:
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        if self._thread is not None:
            self._thread.join(10)
        self._port = self._loop = self._thread = self._stopping = None

    def __enter__(self) -> ASGIReceiver:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    # -- the server thread ---------------------------------------------------------------

    def _run(self, ready: concurrent.futures.Future[int]) -> None:
        try:
            asyncio.run(self._serve(ready))
        except BaseException as error:  # handed to the thread that waits
            if not ready.done():
                ready.set_exception(error)

    async def _serve(self, ready: concurrent.futures.Future[int]) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        lifespan = _Lifespan(self.app)
        await lifespan.startup()
        runner = web.ServerRunner(web.Server(self._handle), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        ready.set_result(runner.addresses[0][1])
        try:
            await self._stopping.wait()
        finally:
            await runner.cleanup()
            await lifespan.shutdown()

    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        body = await request.read()
        peer = request.transport.get_extra_info("peername") if request.transport else None
        scope: Scope = {
            "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": f"{request.version.major}.{request.version.minor}",
            "method": request.method, "scheme": "http", "path": request.path,
            "raw_path": request.raw_path.split("?", 1)[0].encode(),
            "query_string": request.query_string.encode(), "root_path": "",
            "headers": [(name.lower(), value) for name, value in request.raw_headers],
            "client": tuple(peer[:2]) if peer else None,
            "server": ("127.0.0.1", self._port), "state": {},
        }
        answered = asyncio.Event()
        sent: dict[str, Any] = {"status": 500, "headers": [], "body": bytearray()}
        delivered = False

        async def receive() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            await answered.wait()  # the client is gone once the answer is out
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                sent["status"] = int(message["status"])
                sent["headers"] = list(message.get("headers", ()))
            elif message["type"] == "http.response.body":
                sent["body"] += message.get("body", b"")
                if not message.get("more_body", False):
                    answered.set()

        try:
            await self.app(scope, receive, send)
        finally:
            answered.set()
        headers = [(bytes(k).decode("latin-1"), bytes(v).decode("latin-1"))
                   for k, v in sent["headers"]
                   if bytes(k).lower() not in (b"content-length", b"transfer-encoding")]
        response = web.Response(status=sent["status"], body=bytes(sent["body"]))
        for name, value in headers:
            response.headers.add(name, value)
        return response


class _Lifespan:
    """The ASGI lifespan protocol, for applications that speak it (FastAPI's startup
    handlers); an application that raises on it is served without."""

    def __init__(self, app: ASGIApplication) -> None:
        self.app = app
        self._inbox: asyncio.Queue[Message] = asyncio.Queue()
        self._outbox: asyncio.Queue[Message] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def _call(self) -> None:
        with contextlib.suppress(Exception):  # raised: the app does not speak lifespan
            await self.app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}},
                           self._inbox.get, self._outbox.put)
        # returned or raised: whoever still waits for an answer learns there is none
        await self._outbox.put({"type": "lifespan.unsupported"})

    async def startup(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._call())
        await self._inbox.put({"type": "lifespan.startup"})
        answer = await self._outbox.get()
        if answer["type"] == "lifespan.startup.failed":
            raise ConfigError("ASGIReceiver: the application's startup failed: "
                              + str(answer.get("message", "")))
        if answer["type"] != "lifespan.startup.complete":
            self._task = None  # unsupported: nothing to shut down

    async def shutdown(self) -> None:
        if self._task is None:
            return
        await self._inbox.put({"type": "lifespan.shutdown"})
        try:
            await asyncio.wait_for(self._outbox.get(), 5)
        except asyncio.TimeoutError:
            self._task.cancel()
