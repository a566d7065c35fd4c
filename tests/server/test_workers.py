"""`contractkit mock --workers N` (issue 17): N processes serve one port, the first prints
the banner (saying how state is kept) and stops the others; and the event loop choice."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from tests.conftest import ROOT
from tests.mock_process import start_mock

from contractkit.errors import ConfigError
from contractkit.server.loops import loop_factory

PETS = """\
openapi: 3.0.3
info: {title: Pets, version: "1"}
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        "200":
          description: ok
          content: {application/json: {example: [rex]}}
"""


def refused(url: str) -> bool:
    parts = urlsplit(url)
    with socket.socket() as probe:
        return probe.connect_ex((parts.hostname or "", parts.port or 0)) != 0


def test_two_workers_serve_one_port_and_stop_together(tmp_path: Path) -> None:
    contract = tmp_path / "pets.yaml"
    contract.write_text(PETS)
    process, url, banner = start_mock(contract, "--workers", "2")
    try:
        port = urlsplit(url).port
        assert any(line.startswith(f"workers: 2 processes share port {port} (SO_REUSEPORT, ")
                   for line in banner), banner
        assert any(line.startswith("state: per process: each worker keeps its own journal")
                   for line in banner), banner
        # each process names its requests with its own X-Request-Id prefix; new
        # connections are spread by the kernel (all 60 on one: a chance of 2**-59)
        prefixes = set()
        for _ in range(60):
            with httpx.Client() as client:
                answer = client.get(url + "/pets")
                assert answer.json() == ["rex"]
                prefixes.add(answer.headers["X-Request-Id"][:12])
        assert len(prefixes) == 2
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        assert out.strip() == "stopped"
        # the first process waited for the other: nothing listens any more
        assert refused(url)
    finally:
        if process.poll() is None:
            process.kill()


def test_the_other_workers_stop_when_the_first_is_killed(tmp_path: Path) -> None:
    contract = tmp_path / "pets.yaml"
    contract.write_text(PETS)
    process, url, _ = start_mock(contract, "--workers", "2")
    try:
        process.kill()  # SIGKILL: no chance to stop the other worker
        process.wait(timeout=30)
        # the orphan notices within its one-second check; until then it may still answer
        deadline = time.monotonic() + 30
        while not refused(url):
            assert time.monotonic() < deadline, "a worker outlived the first process"
            time.sleep(0.1)  # polling the port: the orphan's exit has no event to wait on
    finally:
        if process.poll() is None:
            process.kill()


def test_a_worker_count_where_the_port_is_taken_is_one_line_and_exit_2(
        tmp_path: Path) -> None:
    contract = tmp_path / "pets.yaml"
    contract.write_text(PETS)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "contractkit", "mock", str(contract), "--port", str(port),
             "--workers", "2"], capture_output=True, text=True, cwd=ROOT, timeout=60,
            check=False)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"contractkit mock: cannot listen on 127.0.0.1:{port}: Address already in use"]


def test_the_loop_is_uvloop_where_installed_and_asyncio_on_request() -> None:
    pytest.importorskip("uvloop")
    assert loop_factory("auto")[0] == "uvloop"
    assert loop_factory("asyncio")[0] == "asyncio"
    with pytest.raises(ConfigError, match="unknown event loop 'tokio'"):
        loop_factory("tokio")


def test_the_mock_serves_on_uvloop(tmp_path: Path) -> None:
    pytest.importorskip("uvloop")
    contract = tmp_path / "pets.yaml"
    contract.write_text(PETS)
    process, url, banner = start_mock(contract, "--loop", "uvloop", "--workers", "2")
    try:
        assert "uvloop loop)" in "\n".join(banner)
        assert httpx.get(url + "/pets").json() == ["rex"]
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=60)
