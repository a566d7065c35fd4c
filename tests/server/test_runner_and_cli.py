"""MockServer as `with` and `async with`, with sync and async clients; `contractkit mock`
as a real process that prints where it listens and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from pathlib import Path

import aiohttp
import httpx
import pytest
import requests
from tests.conftest import ROOT

import contractkit
from contractkit.server.runner import MockServer
from contractkit.server.watch import reload_changed

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
          content:
            application/json:
              schema: {type: array, items: {type: string}}
              example: [rex]
"""


def test_with_block_serves_sync_clients(shop_contract: contractkit.Contract) -> None:
    with MockServer(shop_contract) as server:
        assert server.port > 0
        assert requests.get(server.url + "/items/mine", timeout=10).status_code == 200
    with pytest.raises(requests.ConnectionError):
        requests.get(server.url + "/items/mine", timeout=10)


def test_async_with_serves_async_clients(shop_contract: contractkit.Contract) -> None:
    async def scenario() -> tuple[int, int]:
        async with MockServer(shop_contract) as server:
            async with httpx.AsyncClient() as client:
                first = (await client.get(server.url + "/items/mine")).status_code
            async with aiohttp.ClientSession() as session, session.get(
                    server.url + "/items/mine") as response:
                second = response.status
            return first, second

    assert asyncio.run(scenario()) == (200, 200)


def test_two_contracts_need_distinct_prefixes(shop_contract: contractkit.Contract) -> None:
    with pytest.raises(contractkit.ConfigError, match="same prefix '/api'"):
        MockServer(shop_contract, shop_contract)
    with MockServer(shop_contract, mounts={"/v2": shop_contract}) as server:
        assert httpx.get(server.root_url + "/v2/items/mine").status_code == 200
        assert httpx.get(server.root_url + "/api/items/mine").status_code == 200


def test_watch_reloads_and_keeps_the_last_good_contract(tmp_path: Path) -> None:
    path = tmp_path / "pets.yaml"
    path.write_text(PETS)
    with MockServer(contractkit.load(path)) as server:
        seen: dict[int, dict[Path, int]] = {}
        assert reload_changed(server.app, seen) == []
        path.write_text(PETS.replace("[rex]", "[rex, fido]"))
        _touch_later(path)
        [message] = reload_changed(server.app, seen)
        assert message.startswith("reloaded")
        assert httpx.get(server.url + "/pets").json() == ["rex", "fido"]
        path.write_text("openapi: 3.0.3\npaths: [broken\n")
        _touch_later(path)
        [message] = reload_changed(server.app, seen)
        assert message.startswith("reload failed, still serving the last good contract:")
        assert "invalid YAML" in message
        assert httpx.get(server.url + "/pets").json() == ["rex", "fido"]


def test_watch_reloads_with_the_load_options_of_the_first_load(tmp_path: Path) -> None:
    path = tmp_path / "pets.yaml"
    path.write_text(PETS)
    with MockServer(contractkit.load(path, max_bytes=10_000)) as server:
        seen: dict[int, dict[Path, int]] = {}
        assert reload_changed(server.app, seen, max_bytes=10_000) == []
        path.write_text(PETS.replace("[rex]", "[rex, fido]") + "#" * 2000)
        _touch_later(path)
        [message] = reload_changed(server.app, seen, max_bytes=10_000)
        assert message.startswith("reloaded")
        path.write_text(PETS + "#" * 20_000)
        _touch_later(path)
        [message] = reload_changed(server.app, seen, max_bytes=10_000)
        assert "over the 10,000-byte cap" in message
        assert httpx.get(server.url + "/pets").json() == ["rex", "fido"]


def _touch_later(path: Path) -> None:
    """Move the mtime forward explicitly: two writes can land in one clock tick."""
    import os

    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_mock_command_serves_and_stops_on_sigterm(tmp_path: Path) -> None:
    path = tmp_path / "pets.yaml"
    path.write_text(PETS)
    process = subprocess.Popen(
        [sys.executable, "-m", "contractkit", "mock", str(path), "--port", "0",
         "--log-format", "json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith(f"serving {path} (OpenAPI 3.0.3, Pets 1, 1 operations) at "
                               "http://127.0.0.1:"), line
        url = line.rsplit(" at ", 1)[1].strip().rstrip("/")
        example = process.stdout.readline()
        assert example == f"  try: curl -s {url}/pets\n"
        tried = subprocess.run(example.split("try: ", 1)[1], shell=True, capture_output=True,
                               text=True, timeout=30, check=True)
        assert tried.stdout == '["rex"]'
        unreachable = process.stdout.readline()
        assert unreachable.startswith("unreachable on purpose: refused at http://127.0.0.1:")
        assert process.stdout.readline().startswith("admin API at ")
        assert httpx.get(url + "/pets").json() == ["rex"]
        refused = unreachable.split(" refused at ")[1].split(",")[0]
        with pytest.raises(httpx.ConnectError):
            httpx.get(refused + "/pets")
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0
    assert out.strip() == "stopped"
    assert '"operation":"listPets"' in err
    assert '"status":200' in err


def test_a_request_missing_the_base_path_is_told_where_the_api_lives(tmp_path: Path) -> None:
    path = tmp_path / "pets.yaml"
    path.write_text(PETS.replace('info: {title: Pets, version: "1"}\n',
                                 'info: {title: Pets, version: "1"}\n'
                                 'servers: [{url: "https://api.example.com/v1"}]\n'))
    with MockServer(contractkit.load(path)) as server:
        assert server.url == server.root_url + "/v1"
        answer = httpx.get(server.root_url + "/pets")
        assert answer.status_code == 404
        assert (f"{path} is served under /v1/ (the path of its server URL): GET /v1/pets"
                in answer.json()["detail"])
        assert answer.json()["nearest"][0] == "GET /v1/pets"


def test_mock_command_bad_contract_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("openapi: [")
    result = subprocess.run([sys.executable, "-m", "contractkit", "mock", "bad.yaml"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.returncode == 2
    assert result.stderr.startswith("contractkit mock: bad.yaml:2:1  invalid YAML: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_mock_command_port_in_use(tmp_path: Path, shop_contract: contractkit.Contract) -> None:
    (tmp_path / "pets.yaml").write_text(PETS)
    with MockServer(shop_contract) as busy:
        result = subprocess.run(
            [sys.executable, "-m", "contractkit", "mock", "pets.yaml", "--port",
             str(busy.port)], cwd=tmp_path, capture_output=True, text=True, timeout=60,
            check=False)
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{busy.port}" in result.stderr


DUPLICATES = """\
openapi: 3.0.3
info: {title: Dup, version: "1"}
paths:
  /a:
    get:
      operationId: same
      responses: {"200": {description: ok}}
  /b:
    get:
      operationId: same
      responses: {"200": {description: ok}}
"""


def test_mock_command_says_at_start_what_validate_calls_errors(tmp_path: Path) -> None:
    (tmp_path / "dup.yaml").write_text(DUPLICATES)
    process = subprocess.Popen(
        [sys.executable, "-m", "contractkit", "mock", "dup.yaml", "--port", "0",
         "--log-format", "off"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        assert process.stdout is not None
        url = process.stdout.readline().rsplit(" at ", 1)[1].strip().rstrip("/")
        assert httpx.get(url + "/b").status_code == 200  # served anyway
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert err.strip().splitlines() == [
        "dup.yaml:10:20  /paths/~1b/get/operationId  error: duplicate operationId 'same' "
        "(also GET /a); operationIds must be unique; served anyway: scenario rules and "
        "journal entries naming this operationId apply to every operation that has it"]
