"""A receiver given as a WSGI app: served on 127.0.0.1 and listening as soon as it is
started (the first request after ``with`` is answered, no sleep), and the plugin's
``webhook_receiver`` fixture that serves one (or an ASGI app) for a test and stops it
after."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from tests.conftest import ROOT

from contractkit.errors import ConfigError
from contractkit.server.wsgi_receiver import WSGIReceiver

ORDERS = str(ROOT / "examples" / "webhook_suite" / "contracts" / "orders.yaml")


def echo(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response("202 Accepted", [("Content-Type", "text/plain")])
    return [environ["PATH_INFO"].encode() + b" " + body]


def test_listening_before_the_url_is_known() -> None:
    with WSGIReceiver(echo, path="/hooks") as receiver:
        url = receiver.url
        assert url.startswith("http://127.0.0.1:")
        assert url.endswith("/hooks")
        answer = httpx.post(url, content=b"hi")
    assert (answer.status_code, answer.text) == (202, "/hooks hi")
    with pytest.raises(httpx.ConnectError):
        httpx.post(url, content=b"hi")  # stopped: the port is closed


def test_bad_receivers_are_refused_with_one_line() -> None:
    with pytest.raises(ConfigError, match="is not a WSGI application"):
        WSGIReceiver("http://127.0.0.1:9000")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="must start with '/'"):
        WSGIReceiver(echo, path="hooks")
    with pytest.raises(ConfigError, match="start the receiver first"):
        _ = WSGIReceiver(echo).url


def test_the_plugin_serves_a_wsgi_receiver_for_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(f'''
import pytest

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
received = []

def app(environ, start_response):
    received.append(environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"])))
    start_response("204 No Content", [])
    return [b""]

@pytest.mark.contract({ORDERS!r})
def test_delivered(contract_server, webhook_receiver):
    url = webhook_receiver(app, path="/hooks")
    [attempt] = contract_server.deliver("orderCreated", to=url, secret=SECRET)
    assert attempt.status == 204
    contract_server.deliveries("orderCreated").acknowledged_within(2.0)
    assert b"order.created" in received[0]

@pytest.mark.contract({ORDERS!r})
@pytest.mark.scenarios("webhook-forged")
def test_forged(contract_server, webhook_receiver):
    contract_server.deliver("orderCreated", to=webhook_receiver(app), secret=SECRET)
    contract_server.deliveries().rejected_bad_signature()

async def asgi_app(scope, receive, send):
    if scope["type"] != "http":
        return
    received.append((await receive())["body"])
    await send({{"type": "http.response.start", "status": 202, "headers": []}})
    await send({{"type": "http.response.body", "body": b""}})

@pytest.mark.contract({ORDERS!r})
def test_asgi(contract_server, webhook_receiver):
    url = webhook_receiver(asgi_app, path="/hooks")
    [attempt] = contract_server.deliver("orderPaid", to=url, secret=SECRET)
    assert attempt.status == 202
    assert b"order.paid" in received[-1]
''')
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*ContractViolation: the receiver accepted a forged "
                                 "delivery (bad-signature*"])


def test_retries_in_virtual_time_reach_a_receiver_on_the_same_clock(
        pytester: pytest.Pytester) -> None:
    """Under virtual time the retries are signed at virtual times (hours later); a
    receiver in the test process that reads the same clock verifies them."""
    pytester.makepyfile(f'''
import pytest, standardwebhooks.webhooks
from standardwebhooks import Webhook, WebhookVerificationError

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

class Busy:
    """500 to the first three attempts, then verifies."""
    def __init__(self):
        self.seen = 0
    def __call__(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"]))
        headers = {{k[5:].replace("_", "-").lower(): v for k, v in environ.items()
                   if k.startswith("HTTP_")}}
        self.seen += 1
        if self.seen <= 3:
            start_response("500 Busy", [])
            return [b""]
        try:
            Webhook(SECRET).verify(body, headers)
        except WebhookVerificationError as error:
            start_response("401 " + str(error), [])
            return [b""]
        start_response("204 No Content", [])
        return [b""]

@pytest.mark.contract({ORDERS!r})
def test_retried(contract_server, webhook_receiver, virtual_time):
    virtual_time.patch_datetime(standardwebhooks.webhooks)
    url = webhook_receiver(Busy())
    attempts = contract_server.deliver("orderCreated", to=url, secret=SECRET,
                                       retries="standard")
    assert [a.status for a in attempts] == [500, 500, 500, 204]
    assert attempts[-1].t_start - attempts[0].t_start >= 35 * 60  # 5 s + 5 min + 30 min
''')
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
