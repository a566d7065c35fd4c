"""The mock delivers: the admin API on demand, callbacks and scenario triggers after served
operations, retries on the provider's schedule (on the virtual clock: three days in
milliseconds), every attempt in the outbound journal."""

from __future__ import annotations

import asyncio
import itertools
import subprocess
import sys
from typing import Any

import httpx
import pytest
import standardwebhooks
from tests.conftest import CONTRACTS, ROOT
from tests.webhooks.receiver import Receiver
from tests.webhooks.test_events import CALLBACKS

from contractkit._http import HttpResponse
from contractkit.assertions.virtual_time import VirtualClock
from contractkit.contract.loader import load
from contractkit.server.admin import ADMIN_CONTRACT
from contractkit.server.runner import MockServer
from contractkit.webhooks.schedule import PROVIDERS

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
PAYMENTS = CONTRACTS / "payments.yaml"
AUTH = {"Authorization": "Bearer sk_test_1"}
PAYMENT = {"amount": 2000, "currency": "EUR",
           "payment_method": {"type": "card", "number": "4242424242424242", "exp_month": 12,
                              "exp_year": 2030, "cvc": "123"}}


def admin_valid(response: httpx.Response, operation: str) -> None:
    """The admin answer matches the admin API's own contract."""
    contract = load(ADMIN_CONTRACT)
    violations = contract.validator(operation).validate_response(HttpResponse(
        response.status_code, {k.lower(): v for k, v in response.headers.items()},
        response.content))
    assert violations == [], violations


def test_admin_delivers_on_demand_and_journals_each_attempt() -> None:
    with Receiver([200]) as receiver, MockServer(
            PAYMENTS, webhooks_to=receiver.url, webhook_secret=SECRET) as server:
        answer = httpx.post(server.admin_url + "/webhooks", json={"event": "paymentSucceeded"})
        assert answer.status_code == 202, answer.text
        admin_valid(answer, "deliverWebhook")
        [planned] = answer.json()["deliveries"]
        server.outbox.wait_idle(10)
        journal = httpx.get(server.admin_url + "/webhooks/journal")
        admin_valid(journal, "webhookJournal")
        [attempt] = journal.json()["attempts"]
        [received] = receiver.received
    assert standardwebhooks.Webhook(SECRET).verify(received.body, received.headers)
    assert attempt["delivery_id"] == planned["id"] == received.headers["webhook-id"]
    assert (attempt["status"], attempt["outcome"], attempt["attempt"]) == (200, "delivered", 1)
    assert attempt["body_size"] == len(received.body)
    assert "access-control-allow-origin" not in {k.lower() for k in journal.headers}
    assert SECRET not in journal.text


def test_admin_webhook_rules_hold() -> None:
    with MockServer(PAYMENTS, admin_token="t0k", webhooks_to="http://127.0.0.1:9/h") as server:
        url = server.admin_url + "/webhooks"
        assert httpx.post(url, json={"event": "paymentSucceeded"}).status_code == 401
        foreign = httpx.get(url + "/journal", headers={"Host": "evil.example",
                                                        "Authorization": "Bearer t0k"})
        assert foreign.status_code == 403
        token = {"Authorization": "Bearer t0k"}
        typo = httpx.post(url, json={"event": "paymentSuceeded"}, headers=token)
        assert typo.status_code == 400
        assert "did you mean 'paymentSucceeded'?" in typo.json()["detail"]
        remote = httpx.post(url, json={"event": "paymentSucceeded", "to": "http://10.1.2.3/"},
                            headers=token)
        assert remote.status_code == 400
        assert "is not on this machine" in remote.json()["detail"]
        for bad in ({"event": "paymentSucceeded", "path": "/etc/passwd"}, {"event": 3},
                    {"event": "paymentSucceeded", "delay": -1}):
            answer = httpx.post(url, json=bad, headers=token)
            assert answer.status_code == 400, bad
            admin_valid(answer, "deliverWebhook")
        assert server.outbox.attempts() == []


def test_retries_on_the_schedule_then_acknowledged() -> None:
    with Receiver([500, 503, 204]) as receiver, MockServer(
            PAYMENTS, webhooks_to=receiver.url, webhook_secret=SECRET,
            webhook_retries="exponential:base=0.05,factor=2,cap=1,retries=5") as server:
        attempts = server.deliver("paymentSucceeded")
    assert [(a.attempt, a.status, a.outcome) for a in attempts] == [
        (1, 500, "rejected"), (2, 503, "rejected"), (3, 204, "delivered")]
    assert len({a.delivery_id for a in attempts}) == 1
    # each retry is re-signed with its own timestamp, under the same id
    assert all(standardwebhooks.Webhook(SECRET).verify(r.body, r.headers)
               for r in receiver.received)
    gaps = [b.t_start - a.t_end for a, b in itertools.pairwise(attempts)]
    assert gaps[0] >= 0.05 - 0.02
    assert gaps[1] >= 0.1 - 0.02


def test_give_up_after_the_last_attempt_and_unreachable_receiver_per_attempt() -> None:
    with MockServer(PAYMENTS, webhook_retries="exponential:base=0,cap=0,retries=2") as server:
        attempts = server.deliver("paymentSucceeded", to=server.refused_url + "/hooks")
    assert [a.outcome for a in attempts] == ["refused"] * 3
    assert [a.final for a in attempts] == [False, False, True]
    assert "connection refused" in attempts[-1].error


def test_three_day_stripe_schedule_on_the_virtual_clock() -> None:
    clock = VirtualClock()
    with Receiver([500]) as receiver, MockServer(
            PAYMENTS, clock=clock.now, webhooks_to=receiver.url,
            webhook_secret="whsec_test_secret_1234567890", webhook_signing="stripe") as server:

        def advance(seconds: float) -> bool:
            clock.advance(seconds)
            return True

        server.app.webhooks.sender.advance = advance
        attempts = server.deliver("paymentSucceeded")
    policy = PROVIDERS["stripe"]
    assert len(attempts) == policy.attempts == len(receiver.received)
    assert attempts[-1].final
    assert attempts[-1].outcome == "rejected"
    gaps = [b.t_start - a.t_start for a, b in itertools.pairwise(attempts)]
    assert gaps == pytest.approx(list(policy.delays), abs=0.5)
    assert attempts[-1].t_start - attempts[0].t_start >= 2.5 * 86_400


def test_trigger_after_a_served_operation_carries_its_id() -> None:
    scenario: dict[str, Any] = {"name": "payments-hooks", "rules": [], "webhooks": {
        "triggers": [{"after": "createPayment", "deliver": "paymentSucceeded", "delay": "10ms",
                      "set": {"/data/object/id": "{$response.body#/id}",
                              "/data/object/amount": "{$request.body#/amount}"}}]}}
    with Receiver() as receiver, MockServer(PAYMENTS, webhooks_to=receiver.url,
                                            webhook_secret=SECRET, scenario=scenario) as server:
        created = httpx.post(server.url + "/payments", json=PAYMENT,
                             headers={**AUTH, "Idempotency-Key": "k1"})
        assert created.status_code == 201, created.text
        server.outbox.wait_idle(10, lambda attempts: len(attempts) >= 1)
        server.outbox.wait_idle(10)
        [received] = receiver.received
    event = standardwebhooks.Webhook(SECRET).verify(received.body, received.headers)
    assert event["data"]["object"]["id"] == created.json()["id"]
    assert event["data"]["object"]["amount"] == 2000


def test_callback_url_from_the_request_when_it_is_served() -> None:
    with Receiver() as receiver, MockServer(CALLBACKS) as server:
        served = httpx.post(server.url + "/subscribe", json={"callbackUrl": receiver.url})
        assert served.status_code == 201
        server.outbox.wait_idle(10, lambda attempts: len(attempts) >= 1)
        server.outbox.wait_idle(10)
        [received] = receiver.received
        [attempt] = server.outbox.attempts()
    assert received.path == f"/hooks?sub={served.json()['id']}"
    assert (attempt.event, attempt.outcome) == ("onData", "delivered")


def test_callback_to_another_host_is_not_made_and_says_why() -> None:
    with MockServer(CALLBACKS) as server:
        httpx.post(server.url + "/subscribe", json={"callbackUrl": "http://169.254.169.254/"})
        [attempt] = server.outbox.wait_idle(10, lambda attempts: len(attempts) >= 1)
    assert attempt.outcome == "error"
    assert "is not on this machine" in attempt.error


def test_async_with_delivers_on_the_running_loop() -> None:
    async def run() -> list[Any]:
        with Receiver() as receiver:
            async with MockServer(PAYMENTS, webhooks_to=receiver.url) as server:
                return await server.deliver_async("paymentSucceeded")

    [attempt] = asyncio.run(run())
    assert attempt.outcome == "delivered"
    assert "webhook-signature" not in attempt.request_headers  # no secret: unsigned


@pytest.mark.parametrize(("args", "message"), [
    (["--webhooks-to", "http://127.0.0.1:9/h", "--webhook-secret", "nope"],
     "a Standard Webhooks secret is 'whsec_'"),
    (["--webhooks-to", "http://example.com/h"], "is not on this machine"),
    (["--webhooks-to", "http://127.0.0.1:9/h", "--webhook-retries", "hourly"],
     "unknown retry schedule 'hourly'"),
])
def test_mock_webhook_options_bad_input(args: list[str], message: str) -> None:
    result = subprocess.run([sys.executable, "-m", "contractkit", "mock", str(PAYMENTS),
                             "--port", "0", *args], cwd=ROOT, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("contractkit mock: ")
    assert message in line
