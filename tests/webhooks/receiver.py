"""A webhook receiver for tests: a real HTTP server on 127.0.0.1, port 0, in a thread; it
keeps every request's raw bytes and answers as told (a status, or never until released)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    def __init__(self, statuses: list[int] | None = None, *, hang: bool = False) -> None:
        #: the answers, in order; the last one repeats
        self.statuses = statuses or [200]
        self.hang = hang
        self.received: list[Received] = []
        self.release = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                owner.received.append(Received(self.path, dict(self.headers.items()), body))
                if owner.hang:
                    owner.release.wait(30)
                    return
                index = min(len(owner.received) - 1, len(owner.statuses) - 1)
                status = owner.statuses[index]
                self.send_response(status)
                if status in (204, 304):
                    self.end_headers()
                    return
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
