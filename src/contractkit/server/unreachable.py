"""Two addresses a client cannot talk to, for the faults that happen before HTTP does.

``refused``: a port bound but not listening, so a connection attempt is refused (the OS
answers the SYN with an RST) and stays refused while the server runs — nobody else can
take the port. ``connect_timeout``: a listening socket with a backlog of 0 whose queue is
kept full, so the OS drops further SYNs and the client's connect times out.

Both rely on how Linux treats loopback sockets (macOS behaves the same for ``refused``; its
accept-queue handling differs, so ``connect_timeout`` may connect there). They are created
on first use and closed with the server.
"""

from __future__ import annotations

import socket


class Unreachable:
    def __init__(self, host: str) -> None:
        self.host = host
        self._refusing: socket.socket | None = None
        self._listener: socket.socket | None = None
        self._fillers: list[socket.socket] = []

    def refused_port(self) -> int:
        if self._refusing is None:
            self._refusing = socket.socket(_family(self.host), socket.SOCK_STREAM)
            self._refusing.bind((self.host, 0))
        return int(self._refusing.getsockname()[1])

    def connect_timeout_port(self) -> int:
        if self._listener is None:
            self._listener = socket.socket(_family(self.host), socket.SOCK_STREAM)
            self._listener.bind((self.host, 0))
            self._listener.listen(0)
            port = int(self._listener.getsockname()[1])
            for _ in range(8):  # fill the accept queue until a connection no longer gets in
                probe = socket.socket(_family(self.host), socket.SOCK_STREAM)
                probe.settimeout(0.2)
                try:
                    probe.connect((self.host, port))
                except OSError:
                    probe.close()
                    break
                self._fillers.append(probe)
        return int(self._listener.getsockname()[1])

    def close(self) -> None:
        for sock in (*self._fillers, self._listener, self._refusing):
            if sock is not None:
                sock.close()
        self._fillers, self._listener, self._refusing = [], None, None


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET
