"""``mock``, ``validate`` and ``diff`` read contracts under the same options:
``--max-bytes``, ``--max-yaml-nodes`` and ``--allow-remote-refs`` work on each of them."""

from __future__ import annotations

import functools
import http.server
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

COMMANDS = ("mock", "validate", "diff")

SMALL = """\
openapi: 3.0.3
info: {title: Pets, version: '1'}
paths:
  /pets:
    get:
      operationId: listPets
      responses:
        '200':
          description: the pets
          content:
            application/json:
              schema: PET_SCHEMA
"""


def contract(schema: str = "{type: string}", extra: str = "") -> str:
    return SMALL.replace("PET_SCHEMA", schema) + extra


#: Data that expands to 2.3 million nodes from a few hundred bytes: over the default cap of
#: 2,000,000, and fine for a trusted file with the cap raised.
ALIASES = "x-aliases:\n  l0: &l0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
    f"  l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]\n" for i in range(1, 6)
) + "  top: [*l5]\n"


def run(command: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The command on ``api.yaml`` (diff: against itself); mock stops once it serves."""
    files = ["api.yaml", "api.yaml"] if command == "diff" else ["api.yaml"]
    argv = [sys.executable, "-m", "contractkit", command, *files, *args]
    env = {**os.environ, "NO_PROXY": "127.0.0.1"}  # remote refs come from a local server
    if command != "mock":
        return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=120,
                              check=False, env=env)
    process = subprocess.Popen([*argv, "--port", "0", "--log-format", "off"], cwd=cwd,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=env)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        if first.startswith("serving "):
            process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    return subprocess.CompletedProcess(argv, process.returncode, first + out, err)


def assert_refused(result: subprocess.CompletedProcess[str], *expected: str,
                   unread: bool = False) -> None:
    """diff and mock cannot go on: exit 2 and one line; validate lists the file's problem
    (exit 1: it reports problems in files it could open; 2 when it did not read the file)."""
    command = result.args[3]
    output = result.stdout if command == "validate" else result.stderr
    assert result.returncode == (1 if command == "validate" and not unread else 2), result
    for text in expected:
        assert text in output, output
    if command != "validate":
        [line] = result.stderr.splitlines()
        assert line.startswith(f"contractkit {command}: api.yaml")
        assert result.stdout == ""


def assert_accepted(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result
    command = result.args[3]
    if command == "mock":
        assert result.stdout.startswith("serving api.yaml (OpenAPI 3.0.3, Pets 1, 1 operations)")
    elif command == "validate":
        assert result.stdout.startswith("api.yaml: ok ")
    else:
        assert result.stdout.startswith("api.yaml → api.yaml: 0 breaking")


@pytest.mark.parametrize("command", COMMANDS)
def test_max_bytes(tmp_path: Path, command: str) -> None:
    (tmp_path / "api.yaml").write_text(contract())
    assert_refused(run(command, "--max-bytes", "100", cwd=tmp_path), "over the 100-byte cap",
                   unread=True)
    assert_accepted(run(command, "--max-bytes", "100000", cwd=tmp_path))


@pytest.mark.parametrize("command", COMMANDS)
def test_max_yaml_nodes(tmp_path: Path, command: str) -> None:
    (tmp_path / "api.yaml").write_text(contract(extra=ALIASES))
    assert_refused(run(command, cwd=tmp_path), "more than 2,000,000 nodes")
    assert_refused(run(command, "--max-yaml-nodes", "1000", cwd=tmp_path),
                   "more than 1,000 nodes")
    assert_accepted(run(command, "--max-yaml-nodes", "3000000", cwd=tmp_path))


@pytest.fixture
def schema_server(tmp_path: Path) -> Iterator[str]:
    """A local HTTP server of ``tmp_path/remote``, as a remote ``$ref`` would be fetched."""
    folder = tmp_path / "remote"
    folder.mkdir()
    (folder / "pet.yaml").write_text("Pet: {type: string}\n")

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize("command", COMMANDS)
def test_allow_remote_refs(tmp_path: Path, schema_server: str, command: str) -> None:
    (tmp_path / "api.yaml").write_text(contract(f"{{$ref: '{schema_server}/pet.yaml#/Pet'}}"))
    assert_refused(run(command, cwd=tmp_path), f"remote $ref '{schema_server}/pet.yaml")
    assert_accepted(run(command, "--allow-remote-refs", cwd=tmp_path))


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_the_same_loading_options(command: str) -> None:
    result = subprocess.run([sys.executable, "-m", "contractkit", command, "--help"],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0
    for option in ("--allow-remote-refs", "--max-bytes INTEGER", "--max-yaml-nodes INTEGER"):
        assert option in result.stdout
