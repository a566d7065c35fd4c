"""Server-sent events: a ``text/event-stream`` response written as ``data:`` frames.

The contract's schema for such a response describes one event; the mock sends a few,
generated (or the examples), each as ``event: <type>`` (when the event object names its
``type``, as OpenAI's Responses and Assistants streams do) and ``data: <json>``, then the
``data: [DONE]`` sentinel when the contract speaks of it (OpenAI's convention).
"""

from __future__ import annotations

from collections.abc import Iterable

import orjson

from contractkit._types import JSON

MEDIA_TYPE = "text/event-stream"
#: Events in a generated stream.
EVENTS = 3


def frames(events: Iterable[JSON], *, done: bool) -> bytes:
    """The stream's bytes: one frame per event, then ``[DONE]`` if ``done``."""
    out = []
    for event in events:
        if isinstance(event, str):  # an example written as the stream's text
            out.append(event if event.endswith("\n\n") else event.rstrip("\n") + "\n\n")
            continue
        kind = event.get("type") if isinstance(event, dict) else None
        head = f"event: {kind}\n" if isinstance(kind, str) and "\n" not in kind else ""
        out.append(f"{head}data: {orjson.dumps(event).decode()}\n\n")
    if done:
        out.append("data: [DONE]\n\n")
    return "".join(out).encode()


def wants_stream(accept: str | None, body: bytes) -> bool:
    """Whether the request asks for a stream: ``Accept: text/event-stream``, or a JSON body
    with ``"stream": true`` (the convention of OpenAI's, Anthropic's and most LLM APIs)."""
    if accept and MEDIA_TYPE in accept.lower():
        return True
    if b'"stream"' not in body:
        return False
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return False
    return isinstance(data, dict) and data.get("stream") is True
