"""The admin API against an attacker: no file reads, no CORS, no foreign Host, the token."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

import contractkit
from contractkit.server.runner import MockServer

SECRET_LINE = "root-password-hash-do-not-leak"


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    """A readable file with a valid-looking scenario inside: the old admin API loaded it."""
    path = tmp_path / "secret.yaml"
    path.write_text(f"name: {SECRET_LINE}\nrules: []\n")
    return path


@pytest.mark.parametrize("value", ["{path}", "/etc/passwd", "/no/such/file", "../{name}"])
def test_scenario_put_never_reads_a_path(shop: MockServer, secret_file: Path,
                                         value: str) -> None:
    sent = value.format(path=secret_file, name=secret_file.name)
    for field in ("scenario", "name"):
        response = httpx.put(shop.admin_url + "/scenario", json={field: sent})
        assert response.status_code == 400, response.text
        text = response.text
        assert SECRET_LINE not in text
        assert "root:" not in text  # nothing of /etc/passwd either
        assert "no such file" not in text  # and no existence oracle
    assert shop.active_scenario is None
    # the same answer whether the path exists or not
    there = httpx.put(shop.admin_url + "/scenario", json={"scenario": str(secret_file)})
    missing = httpx.put(shop.admin_url + "/scenario",
                        json={"scenario": str(secret_file) + ".nope"})
    assert there.json()["detail"] == missing.json()["detail"]


def test_scenario_put_takes_names_and_inline_scenarios(shop: MockServer) -> None:
    named = httpx.put(shop.admin_url + "/scenario", json={"name": "flaky"})
    assert named.status_code == 200
    assert named.json()["active"] == "flaky"
    inline = httpx.put(shop.admin_url + "/scenario", json={"scenario": {
        "name": "down", "rules": [{"name": "all", "match": {}, "status": 503}]}})
    assert inline.status_code == 200, inline.text
    assert httpx.get(shop.url + "/items").status_code == 503
    off = httpx.put(shop.admin_url + "/scenario", json={"name": None})
    assert off.json()["active"] is None
    both = httpx.put(shop.admin_url + "/scenario", json={"name": "flaky", "scenario": {}})
    assert both.status_code == 400


def test_admin_answers_carry_no_cors_but_the_api_does(shop: MockServer) -> None:
    for origin in ("https://evil.example", "null"):
        headers = {"Origin": origin}
        admin = httpx.get(shop.admin_url + "/journal", headers=headers)
        assert admin.status_code == 200
        assert not [h for h in admin.headers if h.lower().startswith("access-control-")]
        preflight = httpx.options(shop.admin_url + "/reset", headers={
            **headers, "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in preflight.headers
        api = httpx.get(shop.url + "/items", headers=headers)
        assert api.headers["access-control-allow-origin"] == origin


def _raw_get(port: int, path: str, host: str) -> int:
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
                     .encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return int(data.split(b" ", 2)[1])


def test_a_foreign_host_is_refused_on_the_admin_api_only(shop: MockServer) -> None:
    port = shop.port
    for host in ("evil.example", f"evil.example:{port}", "127.0.0.1.evil.example",
                 "localhost.evil.example"):
        assert _raw_get(port, "/__contractkit/journal", host) == 403, host
        assert _raw_get(port, "/api/items", host) == 200, host  # the mocked API: any Host
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", "LOCALHOST", f"[::1]:{port}",
                 "app.localhost", "127.0.0.1"):
        assert _raw_get(port, "/__contractkit/journal", host) == 200, host
    refused = httpx.get(shop.admin_url + "/health", headers={"Host": "evil.example"})
    assert refused.status_code == 403
    assert "--allowed-host" in refused.json()["detail"]


def test_allowed_hosts_extend_the_list(shop_contract: contractkit.Contract) -> None:
    with MockServer(shop_contract, allowed_hosts=["mock.internal", ".test"]) as server:
        port = server.port
        assert _raw_get(port, "/__contractkit/health", f"mock.internal:{port}") == 200
        assert _raw_get(port, "/__contractkit/health", "a.b.test") == 200
        assert _raw_get(port, "/__contractkit/health", "test") == 200
        assert _raw_get(port, "/__contractkit/health", "other.internal") == 403
        assert _raw_get(port, "/__contractkit/health", "attest") == 403


def test_the_token_works_in_either_header(shop_contract: contractkit.Contract) -> None:
    with MockServer(shop_contract, admin_token="s3cret") as server:
        url = server.admin_url + "/journal"
        denied = httpx.get(url)
        assert denied.status_code == 401
        assert "X-Contractkit-Admin-Token" in denied.json()["detail"]
        assert httpx.get(url, headers={"X-Contractkit-Admin-Token": "no"}).status_code == 401
        assert httpx.get(url, headers={"X-Contractkit-Admin-Token": "s3cret"}).status_code == 200
        assert httpx.get(url, headers={"Authorization": "Bearer s3cret"}).status_code == 200
        # a foreign Host is refused before the token is looked at
        assert httpx.get(url, headers={"Authorization": "Bearer s3cret",
                                       "Host": "evil.example"}).status_code == 403


def test_the_cli_takes_the_token_from_the_environment(tmp_path: Path) -> None:
    """`contractkit mock` reads CONTRACTKIT_ADMIN_TOKEN, so the token is not in `ps`; it
    loads a --scenario-dir (switchable by name) and answers an --allowed-host."""
    contract = Path(__file__).resolve().parents[2] / "contracts" / "payments.yaml"
    (tmp_path / "mine.yaml").write_text(
        "name: mine\nrules:\n  - {name: down, match: {}, status: 503}\n")
    (tmp_path / "notes.txt").write_text("not a scenario")
    env = {**os.environ, "CONTRACTKIT_ADMIN_TOKEN": "from-env"}
    process = subprocess.Popen(
        [sys.executable, "-m", "contractkit", "mock", str(contract), "--port", "0",
         "--log-format", "off", "--scenario-dir", str(tmp_path),
         "--allowed-host", "mock.internal"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env=env)
    try:
        assert process.stdout is not None
        admin = ""
        for line in process.stdout:
            if line.startswith("admin API at "):
                admin = line.split()[3].rstrip("/")
                break
        assert admin, process.stderr.read() if process.stderr else ""
        assert httpx.get(admin + "/health").status_code == 401
        token = {"Authorization": "Bearer from-env"}
        assert httpx.get(admin + "/health", headers=token).status_code == 200
        assert httpx.get(admin + "/health", headers={**token, "Host": "mock.internal"}
                         ).status_code == 200
        assert httpx.get(admin + "/health", headers={**token, "Host": "evil.example"}
                         ).status_code == 403
        chosen = httpx.put(admin + "/scenario", json={"name": "mine"}, headers=token)
        assert chosen.json()["active"] == "mine"
    finally:
        process.terminate()
        process.wait(timeout=30)
