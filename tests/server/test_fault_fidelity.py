"""Fault fidelity: what httpx, requests and aiohttp do on each transport and body fault.

``OUTCOMES`` is the table of ``docs/reference/faults.md``; the docs test below fails when
the page and what the clients really do part ways. Each client reads the answer as a
client library would: the body, then ``.json()``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

import aiohttp
import httpx
import pytest
import requests
from tests.conftest import ROOT

import contractkit
from contractkit.server.runner import MockServer

DOCS = ROOT / "docs" / "reference" / "faults.md"
TIMEOUT = 0.5  # the clients' timeout in the timing rows; the faults last longer

#: label → (rule faults, or the MockServer URL attribute to call; {client: outcome});
#: "returns ..." when the client raises nothing
OUTCOMES: dict[str, tuple[dict[str, Any] | str, dict[str, str]]] = {
    "server.refused_url": ("refused_url", {
        "httpx": "httpx.ConnectError", "requests": "requests.ConnectionError",
        "aiohttp": "aiohttp.ClientConnectorError"}),
    "server.connect_timeout_url (client timeout 0.5 s)": ("connect_timeout_url", {
        "httpx": "httpx.ConnectTimeout", "requests": "requests.ConnectTimeout",
        "aiohttp": "TimeoutError"}),
    "fault: reset": ({"fault": "reset"}, {
        "httpx": "httpx.ReadError", "requests": "requests.ConnectionError",
        "aiohttp": "aiohttp.ClientOSError"}),
    "fault: close": ({"fault": "close"}, {
        "httpx": "httpx.RemoteProtocolError", "requests": "requests.ConnectionError",
        "aiohttp": "aiohttp.ServerDisconnectedError"}),
    "fault: garbage": ({"fault": "garbage"}, {
        "httpx": "httpx.RemoteProtocolError", "requests": "requests.ConnectionError",
        "aiohttp": "aiohttp.ClientResponseError"}),
    "fault: bad_chunk": ({"fault": "bad_chunk"}, {
        "httpx": "httpx.RemoteProtocolError", "requests": "requests.ChunkedEncodingError",
        "aiohttp": "aiohttp.ClientResponseError"}),
    "fault: truncate": ({"fault": "truncate"}, {
        "httpx": "httpx.RemoteProtocolError", "requests": "requests.ChunkedEncodingError",
        "aiohttp": "aiohttp.ClientPayloadError"}),
    "malformed: invalid_json": ({"malformed": "invalid_json"}, {
        "httpx": "json.JSONDecodeError", "requests": "requests.JSONDecodeError",
        "aiohttp": "json.JSONDecodeError"}),
    "malformed: wrong_content_type": ({"malformed": "wrong_content_type"}, {
        "httpx": "returns the data", "requests": "returns the data",
        "aiohttp": "aiohttp.ContentTypeError"}),
    "malformed: invalid_utf8": ({"malformed": "invalid_utf8"}, {
        "httpx": "UnicodeDecodeError", "requests": "returns the data",
        "aiohttp": "UnicodeDecodeError"}),
    "malformed: html": ({"malformed": "html"}, {
        "httpx": "json.JSONDecodeError", "requests": "requests.JSONDecodeError",
        "aiohttp": "aiohttp.ContentTypeError"}),
    "malformed: empty": ({"malformed": "empty"}, {
        "httpx": "json.JSONDecodeError", "requests": "requests.JSONDecodeError",
        "aiohttp": "returns None"}),
    "hang (client timeout 0.5 s)": ({"hang": {"max": "10s"}}, {
        "httpx": "httpx.ReadTimeout", "requests": "requests.ReadTimeout",
        "aiohttp": "TimeoutError"}),
    "latency: 2s (client timeout 0.5 s)": ({"latency": "2s"}, {
        "httpx": "httpx.ReadTimeout", "requests": "requests.ReadTimeout",
        "aiohttp": "TimeoutError"}),
    "slow_body: 3s in 3 chunks (client timeout 0.5 s)": (
        {"slow_body": {"duration": "3s", "chunks": 3}}, {
            "httpx": "httpx.ReadTimeout", "requests": "requests.ConnectionError",
            "aiohttp": "TimeoutError"}),
}
CLIENTS = ("httpx", "requests", "aiohttp")
PAYMENT = "/payments/pay_3Nf8aZq2LkP0sT7x"
AUTH = {"Authorization": "Bearer sk_test_1"}


def outcome_name(error: BaseException) -> str:
    if isinstance(error, asyncio.TimeoutError | TimeoutError) and not isinstance(
            error, httpx.TimeoutException | requests.Timeout):
        return "TimeoutError"  # asyncio's and the builtin are one class from Python 3.11
    root = type(error).__module__.split(".")[0]
    return type(error).__name__ if root == "builtins" else f"{root}.{type(error).__name__}"


def _httpx(url: str) -> Any:
    return httpx.get(url, headers=AUTH, timeout=TIMEOUT).json()


def _requests(url: str) -> Any:
    return requests.get(url, headers=AUTH, timeout=TIMEOUT).json()


def _aiohttp(url: str) -> Any:
    async def call() -> Any:
        timeout = aiohttp.ClientTimeout(total=TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout) as session, session.get(
                url, headers=AUTH) as response:
            return await response.json()
    return asyncio.run(call())


CALLS: dict[str, Callable[[str], Any]] = {"httpx": _httpx, "requests": _requests,
                                          "aiohttp": _aiohttp}


@pytest.fixture(scope="module", params=["asyncio", "uvloop"])
def payments(request: pytest.FixtureRequest) -> Iterator[MockServer]:
    """The mock on each event loop it runs on (uvloop: `mock`'s default where installed):
    every fault must reach the clients the same way on both."""
    if request.param == "uvloop":
        pytest.importorskip("uvloop")
    with MockServer(contractkit.load(ROOT / "contracts" / "payments.yaml"),
                    loop=request.param) as server:
        yield server


@pytest.fixture(autouse=True)
def no_server_errors(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """However the client breaks off, the mock's own code raises nothing."""
    yield
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("label", list(OUTCOMES))
def test_client_outcome(payments: MockServer, label: str, client: str) -> None:
    faults, expected = OUTCOMES[label]
    if isinstance(faults, str):
        payments.use_scenario(None)
        url = getattr(payments, faults)
    else:
        payments.use_scenario({"name": "fidelity", "rules": [{"match": {"any": True},
                                                              **faults}]})
        url = payments.url
    try:
        value = CALLS[client](url + PAYMENT)
    except Exception as error:
        seen = outcome_name(error)
    else:
        seen = "returns None" if value is None else "returns the data"
    assert seen == expected[client]
    if isinstance(faults, str):
        return
    entry = payments.journal.entries()[-1]
    assert entry.rule == "rules[0]"
    assert entry.fault is not None


def render_table() -> str:
    lines = ["| fault | httpx | requests | aiohttp |", "|---|---|---|---|"]
    for label, (_, expected) in OUTCOMES.items():
        cells = [f"`{expected[c]}`" if "." in expected[c] or expected[c][0].isupper()
                 else expected[c] for c in CLIENTS]
        lines.append(f"| `{label}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def test_docs_table_is_what_the_clients_do() -> None:
    text = DOCS.read_text()
    found = re.search(r"<!-- fidelity:start -->\n(.*?)\n<!-- fidelity:end -->", text, re.S)
    assert found is not None, "docs/reference/faults.md lost its fidelity markers"
    assert found.group(1) == render_table(), (
        "docs/reference/faults.md is out of date; the table should read:\n" + render_table())


def test_outcomes_are_valid_json_for_the_docs() -> None:
    # the table is data: keep it serialisable (a future report could publish it)
    json.dumps({label: expected for label, (_, expected) in OUTCOMES.items()})
