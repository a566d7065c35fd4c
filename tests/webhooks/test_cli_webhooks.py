"""``contractkit webhooks list|send``: real deliveries to a receiver on 127.0.0.1, and each
bad input as one line on stderr with exit 2."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
import standardwebhooks
from tests.conftest import CONTRACTS, ROOT, corpus_dir
from tests.webhooks.receiver import Receiver

from contractkit.server.runner import MockServer

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
PAYMENTS = str(CONTRACTS / "payments.yaml")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "contractkit", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def refused_url() -> Iterator[str]:
    """A port bound but not listening: connections to it are refused."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{bound.getsockname()[1]}/hooks"


def test_list_names_webhooks_and_callbacks() -> None:
    result = run("webhooks", "list", PAYMENTS)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "paymentSucceeded  POST   webhook  [application/json; payload from generated]",
        "1 event(s)"]


def test_list_json_of_a_webhook_only_contract() -> None:
    path = corpus_dir() / "openapi" / "adyen.com__MarketPayNotificationService.json"
    result = run("webhooks", "list", str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)["events"]
    assert len(rows) == 19
    assert rows[0]["event"] == "/ACCOUNT_CLOSED"


def test_send_delivers_a_signed_event() -> None:
    with Receiver() as receiver:
        result = run("webhooks", "send", PAYMENTS, "paymentSucceeded", "--to", receiver.url,
                     "--secret", SECRET, "--signing", "standard")
        assert result.returncode == 0, result.stderr
        [received] = receiver.received
    assert standardwebhooks.Webhook(SECRET).verify(received.body, received.headers)
    assert result.stdout.startswith("paymentSucceeded #1 id=msg_")
    assert " → 200 in " in result.stdout
    assert SECRET not in result.stdout + result.stderr


def test_send_an_answer_other_than_2xx_is_a_finding() -> None:
    with Receiver([500, 500, 204]) as receiver:
        result = run("webhooks", "send", PAYMENTS, "paymentSucceeded", "--to", receiver.url,
                     "--retries", "exponential:base=0,cap=0,retries=1")
        assert len(receiver.received) == 2
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "contractkit webhooks send: the receiver answered 500 to paymentSucceeded after 2 "
        "attempts"]


@pytest.mark.parametrize(("args", "message"), [
    (["paymentSucceded"], "no webhook event 'paymentSucceded'; did you mean "
                          "'paymentSucceeded'?"),
    (["paymentSucceeded", "--secret", "sk_live_nope", "--signing", "stripe"],
     "a Stripe endpoint secret starts with 'whsec_'"),
    (["paymentSucceeded", "--secret", "plain", "--signing", "standard"],
     "a Standard Webhooks secret is 'whsec_' followed by 24 to 64 random bytes"),
    (["paymentSucceeded", "--to", "http://example.com/hooks"],
     "receiver URL 'http://example.com/hooks' is not on this machine"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    extra = [] if "--to" in args else ["--to", "http://127.0.0.1:9/hooks"]
    result = run("webhooks", "send", PAYMENTS, *args, *extra)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("contractkit webhooks send: ")
    assert message in line
    assert "sk_live_nope" not in line


def test_contract_without_webhooks() -> None:
    result = run("webhooks", "send", str(CONTRACTS / "petstore.yaml"), "x", "--to",
                 "http://127.0.0.1:9/hooks")
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert "the contract declares no webhooks" in line


def test_unreachable_receiver(refused_url: str) -> None:
    result = run("webhooks", "send", PAYMENTS, "paymentSucceeded", "--to", refused_url)
    assert result.returncode == 2
    assert result.stdout.split("→ ")[1].startswith("refused")
    [line] = result.stderr.splitlines()
    assert line.endswith("connection refused")
    assert "was not delivered: cannot connect to 127.0.0.1:" in line


def test_receiver_that_never_answers_times_out() -> None:
    with Receiver(hang=True) as receiver:
        result = run("webhooks", "send", PAYMENTS, "paymentSucceeded", "--to", receiver.url,
                     "--timeout", "0.3")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "contractkit webhooks send: paymentSucceeded was not delivered: no answer within "
        "0.3 s (the attempt timeout)"]


def test_mock_serves_a_webhook_only_contract() -> None:
    path = corpus_dir() / "openapi" / "adyen.com__BalancePlatformConfigurationNotification-v1.json"
    with MockServer(path) as server:
        health = httpx.get(server.admin_url + "/health")
        assert health.status_code == 200
        assert httpx.get(server.url + "/anything").status_code == 404
