"""A real redis-server for the shared-state tests: started on a free port in a temporary
folder, ready when it says so on stdout, stopped (by its PID) after the tests."""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

redis = pytest.importorskip("redis", reason="the redis client (contractkit[redis]) is missing")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``redis://127.0.0.1:PORT`` of a redis-server this session started."""
    binary = shutil.which("redis-server") or shutil.which("valkey-server")
    if binary is None:
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server)")
    folder: Path = tmp_path_factory.mktemp("redis")
    port = _free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
         "--save", "", "--appendonly", "no", "--databases", "64"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    seen = []
    for line in process.stdout:  # ends when the server exits
        seen.append(line)
        if "Ready to accept connections" in line:
            break
    else:
        process.wait(timeout=30)
        pytest.skip("redis-server did not start: " + "".join(seen[-3:]).strip())
    try:
        yield f"redis://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


_databases = iter(range(1, 64))


@pytest.fixture
def redis_url(redis_server: str) -> str:
    """A database of its own for each test (emptied first)."""
    url = f"{redis_server}/{next(_databases)}"
    redis.Redis.from_url(url).flushdb()
    return url
