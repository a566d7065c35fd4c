"""Several mock processes serving one port (``mock --workers N``).

The contracts are loaded once, then the process forks: every worker (the first process
and N-1 children) binds its own listening socket to the same port with ``SO_REUSEPORT``,
and the kernel spreads connections across them. Before forking, a socket is bound (not
listening) to reserve the port, so ``--port 0`` gives every worker the same free port.
Forking happens before any event loop or thread exists.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import time
from dataclasses import dataclass, field

from contractkit.errors import ConfigError

#: how long the first process waits for the others to stop before killing them
STOP_SECONDS = 10.0


def supported() -> str | None:
    """Why several workers cannot run here, or None."""
    if not hasattr(os, "fork"):
        return "--workers needs os.fork (Linux, macOS, BSD)"
    if not hasattr(socket, "SO_REUSEPORT"):
        return "--workers needs SO_REUSEPORT (Linux 3.9+, macOS, BSD)"
    return None


@dataclass
class Workers:
    """The processes of one mock: ``index`` is this process's (0: the first, which
    prints the banner and stops the others)."""

    count: int
    port: int
    index: int = 0
    children: list[int] = field(default_factory=list)
    reserved: socket.socket | None = None

    @property
    def first(self) -> bool:
        return self.index == 0

    async def until_orphaned(self, stop: asyncio.Event) -> None:
        """In a child: set ``stop`` once the first process is gone (killed without the
        chance to stop its workers), checked every second."""
        parent = os.getppid()
        while os.getppid() == parent:
            await asyncio.sleep(1.0)
        stop.set()

    def stop_children(self) -> None:
        """SIGTERM every child, wait for them (``STOP_SECONDS`` at most, then SIGKILL)."""
        for pid in self.children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        deadline = time.monotonic() + STOP_SECONDS
        for pid in self.children:
            while True:
                try:
                    done, _ = os.waitpid(pid, os.WNOHANG)
                except ChildProcessError:
                    break
                if done:
                    break
                if time.monotonic() > deadline:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                    break
                time.sleep(0.02)  # polling a child's exit: waitpid has no timeout
        self.children.clear()
        if self.reserved is not None:
            self.reserved.close()
            self.reserved = None


def start(count: int, host: str, port: int) -> Workers:
    """Reserve the port, fork ``count - 1`` children; in each process, its :class:`Workers`."""
    reason = supported()
    if reason is not None:
        raise ConfigError(reason)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    reserved = socket.socket(family, socket.SOCK_STREAM)
    reserved.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    reserved.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        reserved.bind((host, port))
    except OSError:
        reserved.close()
        raise
    workers = Workers(count, int(reserved.getsockname()[1]), reserved=reserved)
    for index in range(1, count):
        pid = os.fork()
        if pid == 0:
            workers.index, workers.children = index, []
            return workers
        workers.children.append(pid)
    return workers
