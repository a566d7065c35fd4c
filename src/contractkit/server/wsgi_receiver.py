"""A webhook receiver given as a WSGI application (Flask, Django, Falcon, a function),
served on 127.0.0.1 so the mock can deliver to it.

The socket is bound (port 0, read back) and listening before :attr:`WSGIReceiver.url` is
known, so a delivery made right after ``with`` connects at once: no readiness probe and no
sleep. Requests are handled by the standard library's ``wsgiref``, one thread each, so a
slow receiver does not hold up the next delivery. ASGI applications are not served here
(that needs an ASGI server, which contractkit does not depend on): run one yourself and
deliver to its URL.
"""

from __future__ import annotations

import threading
from socketserver import ThreadingMixIn
from types import TracebackType
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from contractkit.errors import ConfigError

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication  # wsgiref.types is Python 3.11+


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = False  # port 0: never share a port with another server


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass  # no access log on the test's stderr


class WSGIReceiver:
    """``with WSGIReceiver(app, path="/hooks") as receiver:`` deliver to ``receiver.url``."""

    def __init__(self, app: WSGIApplication, *, path: str = "/") -> None:
        if not callable(app):
            raise ConfigError(f"WSGIReceiver: {app!r} is not a WSGI application (a callable "
                              "taking environ and start_response)")
        if not path.startswith("/"):
            raise ConfigError(f"WSGIReceiver: path {path!r} must start with '/'")
        self.app = app
        self.path = path
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise ConfigError("WSGIReceiver.url: start the receiver first (`with`)")
        return f"http://127.0.0.1:{self._server.server_address[1]}{self.path}"

    def start(self) -> WSGIReceiver:
        server = make_server("127.0.0.1", 0, self.app, server_class=_Server,
                             handler_class=_QuietHandler)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={
            "poll_interval": 0.05}, name="contractkit-wsgi-receiver", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)
        self._server = self._thread = None

    def __enter__(self) -> WSGIReceiver:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()
