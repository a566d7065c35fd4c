"""Several mock servers sharing one state in a real Redis behave as one provider: a rate
limit admits exactly its limit across them, a sequence plays once, the journal read from
any of them holds every exchange once; `contractkit mock --state` says clearly when Redis
cannot be used."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from tests.conftest import ROOT
from tests.mock_process import start_mock

from contractkit.server.redis_state import RedisState
from contractkit.server.runner import MockServer

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
        "429": {description: slow down}
        "503": {description: unavailable}
"""
RATE_LIMITED = {"name": "five-a-second", "rules": [
    {"match": {"any": True}, "rate_limit": {"limit": 5, "per": "1s", "key": "global"}}]}
FLAKY = {"name": "two-503s", "rules": [
    {"match": {"any": True}, "sequence": [{"status": 503}, {"status": 503}, "pass"]}]}


@pytest.fixture
def contract(tmp_path: Path) -> Path:
    path = tmp_path / "pets.yaml"
    path.write_text(PETS)
    return path


@pytest.fixture
def two_servers(contract: Path, redis_url: str) -> Iterator[tuple[MockServer, MockServer]]:
    """Two servers, each with its own Redis connection, on a frozen injected clock (the
    rate-limit window is the clock's, not Redis')."""
    with MockServer(contract, state=redis_url, clock=lambda: 1000.0) as first, \
            MockServer(contract, state=RedisState.from_url(redis_url),
                       clock=lambda: 1000.0) as second:
        yield first, second


def _spread(servers: tuple[MockServer, ...], count: int) -> list[int]:
    """``count`` concurrent GETs, alternating between the servers; their statuses."""
    urls = [servers[i % len(servers)].url + "/pets" for i in range(count)]
    with httpx.Client() as client, ThreadPoolExecutor(max_workers=count) as pool:
        return [r.status_code for r in pool.map(client.get, urls)]


def test_a_rate_limit_of_5_a_second_admits_exactly_5_across_servers(
        two_servers: tuple[MockServer, MockServer]) -> None:
    first, second = two_servers
    first.use_scenario(RATE_LIMITED)
    statuses = _spread(two_servers, 20)
    assert sorted(statuses) == [200] * 5 + [429] * 15  # in process each would admit 5
    assert second.app.scenarios.active() == "five-a-second"  # activated on the first


def test_a_sequence_plays_once_across_servers(
        two_servers: tuple[MockServer, MockServer]) -> None:
    _, second = two_servers
    second.use_scenario(FLAKY)
    statuses = _spread(two_servers, 10)
    assert sorted(statuses) == [200] * 8 + [503] * 2


def test_the_journal_read_from_either_server_holds_every_exchange_once(
        two_servers: tuple[MockServer, MockServer]) -> None:
    first, second = two_servers
    ids = [f"req-{n}" for n in range(12)]
    with httpx.Client() as client:
        for n, request_id in enumerate(ids):
            server = two_servers[n % 2]
            assert client.get(server.url + "/pets",
                              headers={"X-Request-Id": request_id}).status_code == 200
    for server in two_servers:
        entries = server.journal.entries()
        assert sorted(e.correlation_id for e in entries) == sorted(ids)
        assert len({e.seq for e in entries}) == 12
    first.reset()
    assert second.journal.entries() == []


def test_a_session_scenario_set_on_one_server_applies_on_the_other(
        two_servers: tuple[MockServer, MockServer]) -> None:
    first, second = two_servers
    first.use_scenario(FLAKY, session="ci-job-7")
    job = {"X-Contractkit-Session": "ci-job-7"}
    assert httpx.get(second.url + "/pets", headers=job).status_code == 503
    assert httpx.get(second.url + "/pets").status_code == 200  # other sessions: untouched
    assert httpx.get(first.url + "/pets", headers=job).status_code == 503
    assert httpx.get(second.url + "/pets", headers=job).status_code == 200


def _start(contract: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    process, url, _ = start_mock(contract, *args)
    return process, url


def test_two_mock_processes_share_a_rate_limit_and_a_journal(
        contract: Path, redis_url: str, tmp_path: Path) -> None:
    scenario = tmp_path / "limit.yaml"
    # five a minute, not a second: the real clock runs, and 20 requests must fall in one
    # window however slow the machine
    scenario.write_text("name: five\nrules:\n  - match: {any: true}\n"
                        "    rate_limit: {limit: 5, per: 1m, key: global}\n")
    started = [_start(contract, "--state", redis_url, "--scenario", str(scenario))
               for _ in range(2)]
    try:
        urls = [url for _, url in started]
        with httpx.Client() as client, ThreadPoolExecutor(max_workers=20) as pool:
            statuses = [r.status_code for r in pool.map(
                client.get, [urls[i % 2] + "/pets" for i in range(20)])]
            assert sorted(statuses) == [200] * 5 + [429] * 15
            for url in urls:
                journal = client.get(url + "/__contractkit/journal").json()
                assert len(journal["entries"]) == 20
                assert len({e["seq"] for e in journal["entries"]}) == 20
        for process, _ in started:
            process.send_signal(signal.SIGTERM)
            out, _ = process.communicate(timeout=30)
            assert process.returncode == 0
            assert out.strip() == "stopped"
    finally:
        for process, _ in started:
            if process.poll() is None:
                process.kill()


def test_the_banner_says_the_state_is_shared(contract: Path, redis_url: str) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "contractkit", "mock", str(contract), "--port", "0",
         "--state", redis_url], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if line.startswith("admin API at "):
                break
        assert f"state: shared in {redis_url} (scenario counters" in "".join(lines)
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)


@pytest.mark.parametrize(("url", "says"), [
    ("redis://127.0.0.1:1/0", "--state: cannot reach Redis at 127.0.0.1:1 (database 0): "),
    ("redis://127.0.0.1:notaport/0", "--state 'redis://127.0.0.1:notaport/0': expected "
                                     "redis://HOST:PORT/DB (the port and the database are "
                                     "numbers)"),
    ("http://127.0.0.1:6379/0", "--state 'http://127.0.0.1:6379/0': expected "
                                "redis://HOST:PORT/DB"),
])
def test_an_unusable_state_is_one_line_and_exit_2(contract: Path, url: str, says: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "contractkit", "mock", str(contract), "--port", "0",
         "--state", url], capture_output=True, text=True, cwd=ROOT, timeout=60,
        check=False)
    assert done.returncode == 2
    assert done.stderr.startswith(f"contractkit mock: {says}"), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_two_workers_with_redis_play_a_sequence_once_and_journal_every_exchange(
        contract: Path, redis_url: str, tmp_path: Path) -> None:
    scenario = tmp_path / "flaky.yaml"
    scenario.write_text("name: two-503s\nrules:\n  - match: {any: true}\n"
                        "    sequence: [{status: 503}, {status: 503}, pass]\n")
    process, url = _start(contract, "--workers", "2", "--state", redis_url,
                          "--scenario", str(scenario))
    try:
        statuses, prefixes = [], set()
        for _ in range(40):  # a new connection each: the kernel spreads them
            with httpx.Client() as client:
                answer = client.get(url + "/pets")
                statuses.append(answer.status_code)
                prefixes.add(answer.headers["X-Request-Id"][:12])
        assert len(prefixes) == 2  # both workers served (all on one: a chance of 2**-39)
        assert statuses == [503, 503] + [200] * 38
        for _ in range(6):  # whichever worker answers the admin API reads the one journal
            with httpx.Client() as client:
                journal = client.get(url + "/__contractkit/journal")
                assert len(journal.json()["entries"]) == 40
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=60)
        assert process.returncode == 0
        assert out.strip() == "stopped"
    finally:
        if process.poll() is None:
            process.kill()


def test_the_journal_survives_redis_forgetting_its_scripts(
        contract: Path, redis_url: str) -> None:
    """Entries are written by EVALSHA in one round trip; a Redis that lost the scripts
    (restarted, SCRIPT FLUSH) gets them again, and no entry is written twice."""
    with MockServer(contract, state=redis_url) as server, httpx.Client() as client:
        assert client.get(server.url + "/pets").status_code == 200
        server.app.state.client.script_flush()
        for _ in range(3):
            assert client.get(server.url + "/pets").status_code == 200
        entries = server.journal.entries()
        assert [e.seq for e in entries] == [1, 2, 3, 4]
        assert all(e.t_resp_end is not None for e in entries[:-1])
