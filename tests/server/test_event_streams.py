"""`text/event-stream` responses are served as server-sent events (issue 12, item 10):
`data:` frames of schema-valid events, `event:` named by the event's `type`, and OpenAI's
`data: [DONE]` where the contract speaks of it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import contractkit
from contractkit.contract.schema_validator import CompiledSchema
from contractkit.server.runner import MockServer

CHUNK = {"type": "object", "required": ["id", "object", "choices"], "properties": {
    "id": {"type": "string"}, "object": {"const": "chat.completion.chunk"},
    "choices": {"type": "array", "items": {"type": "object", "required": ["index"],
                                           "properties": {"index": {"type": "integer"}}}}}}
EVENT = {"oneOf": [
    {"type": "object", "required": ["type", "sequence"],
     "properties": {"type": {"const": "response.created"}, "sequence": {"type": "integer"}}},
    {"type": "object", "required": ["type", "delta"],
     "properties": {"type": {"const": "response.output_text.delta"},
                    "delta": {"type": "string"}}}]}


def contract_text() -> str:
    return json.dumps({
        "openapi": "3.1.0", "info": {"title": "llm", "version": "1"},
        "paths": {
            "/chat": {"post": {
                "operationId": "chat",
                "requestBody": {"content": {"application/json": {"schema": {
                    "type": "object", "properties": {"stream": {
                        "type": "boolean",
                        "description": "stream chunks, terminated by `data: [DONE]`"}}}}}},
                "responses": {"200": {"description": "ok", "content": {
                    "application/json": {"schema": {"type": "object"}},
                    "text/event-stream": {"schema": CHUNK}}}}}},
            "/responses": {"post": {
                "operationId": "responses",
                "responses": {"200": {"description": "ok", "content": {
                    "text/event-stream": {"schema": EVENT}}}}}},
        }})


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MockServer]:
    path: Path = tmp_path_factory.mktemp("c") / "api.json"
    path.write_text(contract_text())
    with MockServer(contractkit.load(path)) as running:
        yield running


def events(response: httpx.Response) -> list[dict[str, str]]:
    """Parse the stream as an SSE client does (one dict per frame)."""
    parsed, frame = [], {}
    for line in response.iter_lines():
        if not line:
            if frame:
                parsed.append(frame)
            frame = {}
            continue
        field, _, value = line.partition(": ")
        frame[field] = value
    return parsed


def test_stream_true_in_the_body_gets_data_frames_then_done(server: MockServer) -> None:
    with httpx.stream("POST", f"{server.url}/chat", json={"stream": True}) as answer:
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "text/event-stream"
        frames = events(answer)
    assert frames[-1] == {"data": "[DONE]"}
    validator = CompiledSchema(CHUNK)
    chunks = [json.loads(frame["data"]) for frame in frames[:-1]]
    assert len(chunks) >= 2
    assert all(validator.errors(chunk) == [] for chunk in chunks)
    plain = httpx.post(f"{server.url}/chat", json={"stream": False})
    assert plain.headers["content-type"] == "application/json"


def test_typed_events_are_named_and_accept_alone_asks_for_the_stream(
        server: MockServer) -> None:
    with httpx.stream("POST", f"{server.url}/responses",
                      headers={"Accept": "text/event-stream"}) as answer:
        frames = events(answer)
    validator = CompiledSchema(EVENT)
    assert len(frames) >= 2
    for frame in frames:  # [DONE] is contract-wide: this contract speaks of it
        if frame["data"] == "[DONE]":
            continue
        data = json.loads(frame["data"])
        assert validator.errors(data) == []
        assert frame["event"] == data["type"]
