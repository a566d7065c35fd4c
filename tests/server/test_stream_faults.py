"""Stream faults (issue 12, item 10): an event stream cut mid-way, events slow to come,
an event whose data is not JSON; what LLM APIs' streams do to their clients."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.server.test_event_streams import contract_text, events

import contractkit
from contractkit.server.runner import MockServer


@pytest.fixture
def server(tmp_path: Path) -> Iterator[MockServer]:
    path = tmp_path / "api.json"
    path.write_text(contract_text())
    with MockServer(contractkit.load(path)) as running:
        yield running


def _use(server: MockServer, fault: object) -> None:
    server.use_scenario({"name": "streams", "rules": [
        {"match": {"operation": "chat"}, "stream": fault}]})


def test_a_cut_stream_ends_mid_body_without_done(server: MockServer) -> None:
    with httpx.stream("POST", f"{server.url}/chat", json={"stream": True}) as whole:
        complete = events(whole)
    assert complete[-1] == {"data": "[DONE]"}
    _use(server, {"cut_after": 1})
    received: list[str] = []
    with pytest.raises(httpx.RemoteProtocolError, match="incomplete"), httpx.stream(  # noqa: PT012
            "POST", f"{server.url}/chat", json={"stream": True}) as cut:
        assert cut.status_code == 200
        received.extend(cut.iter_lines())
    frames = [line for line in received if line.startswith("data: ")]
    assert frames == [f"data: {complete[0]['data']}"]
    entry = server.journal.entries()[-1]
    assert entry.fault == "stream cut after 1 event(s)"
    assert entry.t_disconnect is not None


def test_a_malformed_event_has_data_that_is_not_json(server: MockServer) -> None:
    _use(server, {"malformed": 2})
    with httpx.stream("POST", f"{server.url}/chat", json={"stream": True}) as answer:
        frames = events(answer)
    json.loads(frames[0]["data"])
    with pytest.raises(json.JSONDecodeError):
        json.loads(frames[1]["data"])
    json.loads(frames[2]["data"])
    assert frames[-1] == {"data": "[DONE]"}


def test_slow_events_come_interval_apart(server: MockServer) -> None:
    _use(server, {"interval": "150ms"})
    arrivals = []
    with httpx.stream("POST", f"{server.url}/chat", json={"stream": True}) as answer:
        for line in answer.iter_lines():
            if line.startswith("data: "):
                arrivals.append(time.monotonic())
    assert len(arrivals) >= 3
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    assert all(gap >= 0.15 - 0.02 for gap in gaps), gaps


def test_a_stream_fault_leaves_json_answers_alone(server: MockServer) -> None:
    _use(server, {"cut_after": 0})
    answer = httpx.post(f"{server.url}/chat", json={"stream": False})
    assert answer.status_code == 200
    assert answer.json() is not None


@pytest.mark.parametrize(("fault", "message"), [
    ({}, "stream"),
    ({"cut_after": -1}, "cut_after"),
    ({"pace": "1s"}, "pace"),
    ("sometimes", "stream"),
])
def test_a_bad_stream_fault_is_a_located_scenario_error(
        tmp_path: Path, fault: object, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: bad\nrules:\n  - match: {any: true}\n    stream: "
                    + json.dumps(fault) + "\n")
    with pytest.raises(contractkit.ScenarioError) as raised:
        contractkit.load_scenario(path)
    text = str(raised.value)
    assert text.startswith(f"{path}:4:"), text
    assert message in text
