"""The receiver assertions: each passes against a receiver with the safeguard it judges and
fails, saying why with the timeline of attempts, against one without it; none passes when
there is nothing to judge. Real receivers (WSGI on 127.0.0.1, port 0), real deliveries."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tests.conftest import ROOT
from tests.webhooks.hooks_app import Hooks
from tests.webhooks.receiver import Receiver

from contractkit.consumer import ContractServer
from contractkit.errors import ContractViolation, WebhookError
from contractkit.server.runner import MockServer
from contractkit.server.wsgi_receiver import WSGIReceiver

ORDERS = ROOT / "examples" / "webhook_suite" / "contracts" / "orders.yaml"
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
EVENTS = ["orderCreated", "orderPaid", "orderShipped"]


@pytest.fixture(scope="module")
def mock() -> Iterator[MockServer]:
    with MockServer(ORDERS) as server:
        yield server


@pytest.fixture
def server(mock: MockServer) -> Iterator[ContractServer]:
    mock.reset()
    yield ContractServer(mock)
    mock.use_scenario(None)


def run(server: ContractServer, app: Hooks, scenario: str | dict[str, Any] | None,
        events: str | list[str] = "orderCreated", **options: Any) -> Any:
    server.use_scenario(scenario)
    with WSGIReceiver(app, path="/hooks") as receiver:
        server.deliver(events, to=receiver.url, secret=SECRET, **options)
    return server.deliveries()


def failure(check: Any) -> str:
    with pytest.raises(ContractViolation) as raised:
        check()
    return str(raised.value)


# -- signatures ----------------------------------------------------------------------------

def test_a_careful_receiver_passes_every_signature_check(server: ContractServer) -> None:
    hooks = run(server, Hooks(SECRET), "webhook-forged")
    hooks.rejected_bad_signature().rejected_stale().rejected_replay().acknowledged_within(2.0)
    assert {a.forgery for a in hooks.attempts} == {
        None, "bad-signature", "wrong-secret", "stale-timestamp", "missing-signature",
        "replay"}


def test_accepting_a_forged_delivery_fails_clearly(server: ContractServer) -> None:
    hooks = run(server, Hooks(SECRET, verify=False), "webhook-forged")
    text = failure(hooks.rejected_bad_signature)
    assert text.startswith("the receiver accepted a forged delivery (bad-signature: one "
                           "character of its signature changed) with 200 (orderCreated ")
    assert "verify the signature over the raw request body" in text
    assert "timeline (6 delivery attempts" in text
    marked = [line for line in text.splitlines() if line.startswith(">")]
    assert [("forged: " in line) for line in marked] == [True, True, True]


def test_verifying_re_serialised_json_rejects_genuine_deliveries(
        server: ContractServer) -> None:
    payload = {"id": "evt_created0001", "type": "order.created", "sequence": 1,
               "data": {"order_id": "ord_1042", "status": "created", "amount": 2000,
                        "note": "Geschenkpapier für Zoë"}}
    hooks = run(server, Hooks(SECRET, reserialise=True), "webhook-forged", payload=payload)
    assert "rejected a genuine, correctly signed delivery with 401" in failure(
        hooks.rejected_bad_signature)


def test_a_5xx_to_a_forgery_is_not_a_refusal(server: ContractServer) -> None:
    hooks = run(server, Hooks(SECRET, forged_status=500), "webhook-forged")
    assert "answered 500 to a forged delivery (bad-signature" in failure(
        hooks.rejected_bad_signature)


def test_refusing_a_duplicate_as_a_replay_fails(server: ContractServer) -> None:
    scenario = {"name": "dup-forged", "rules": [], "webhooks": {
        "faults": [{"duplicate": 2}, {"bad_signature": True}]}}
    hooks = run(server, Hooks(SECRET, refuse_seen_ids=True), scenario)
    text = failure(hooks.rejected_bad_signature)
    assert "the receiver rejected a duplicate of delivery msg_" in text
    assert "(orderCreated, the same id, signed anew) with 409 as if it were a replay" in text


def test_no_timestamp_tolerance_fails_rejected_stale(server: ContractServer) -> None:
    hooks = run(server, Hooks(SECRET, tolerance=None), "webhook-forged")
    hooks.rejected_bad_signature()
    assert "accepted a delivery signed 60 minutes ago (stale-timestamp, correctly signed)" \
        in failure(hooks.rejected_stale)


def test_accepting_an_exact_replay_fails_rejected_replay(server: ContractServer) -> None:
    hooks = run(server, Hooks(SECRET, refuse_replays=False), "webhook-forged")
    hooks.rejected_stale()
    assert "accepted an exact replay of an acknowledged delivery (the same bytes and " \
        "signature headers) with 200" in failure(hooks.rejected_replay)


def test_unsigned_deliveries_cannot_judge_signatures(server: ContractServer) -> None:
    server.use_scenario("webhook-forged")
    with WSGIReceiver(Hooks(SECRET, verify=False)) as receiver:
        server.deliver("orderCreated", to=receiver.url)  # no secret: unsigned
    text = failure(server.deliveries().rejected_bad_signature)
    assert text.startswith("the receiver cannot be judged on signatures: the deliveries "
                           "were not signed; give the secret")


def test_nothing_forged_is_nothing_to_judge(server: ContractServer) -> None:
    hooks = run(server, Hooks(SECRET, verify=False), None)
    for check, what in ((hooks.rejected_bad_signature, "delivery with a bad signature"),
                        (hooks.rejected_stale, "delivery with a stale timestamp"),
                        (hooks.rejected_replay, "replayed delivery")):
        assert f"no {what} to judge: deliver under the webhook-forged scenario" in failure(
            check)


# -- answering fast ----------------------------------------------------------------------

def test_a_slow_receiver_is_not_acknowledged_within(server: ContractServer) -> None:
    hooks = run(server, Hooks(SECRET, delay=0.3), None)
    hooks.acknowledged_within(2.0)
    text = failure(lambda: hooks.acknowledged_within(0.1))
    assert "acknowledged 1 of 1 genuine delivery attempt(s) later than 0.1 s" in text
    assert "answer 2xx first and process the event afterwards" in text


def test_an_unreachable_receiver_is_a_clear_outcome(server: ContractServer) -> None:
    server.deliver("orderCreated", to=server.refused_url + "/hooks", secret=SECRET)
    text = failure(lambda: server.deliveries().acknowledged_within(2.0))
    assert "1 of 1 genuine delivery attempt(s) were never acknowledged: the receiver could " \
        "not be reached (cannot connect to 127.0.0.1:" in text
    assert "connection refused" in text


def test_a_receiver_that_never_answers_times_out_per_attempt(server: ContractServer) -> None:
    with Receiver(hang=True) as receiver:
        attempts = server.deliver("orderCreated", to=receiver.url, secret=SECRET,
                                  attempt_timeout=0.2)
    assert [a.outcome for a in attempts] == ["timeout"]
    assert "the receiver gave no answer within the attempt timeout" in failure(
        lambda: server.deliveries().acknowledged_within(2.0))


# -- effects -----------------------------------------------------------------------------

def test_duplicates_applied_once(server: ContractServer) -> None:
    app = Hooks(SECRET)
    hooks = run(server, app, "webhook-duplicates")
    assert len(hooks) == 3  # the delivery, its duplicate, the redelivery after the 2xx
    hooks.processed_once(effect=lambda: len(app.applied)).acknowledged_within(2.0)
    # an event named by its operationId selects the same attempts
    assert server.deliveries("onOrderCreated").attempts == hooks.attempts


def test_duplicates_applied_twice_fail(server: ContractServer) -> None:
    app = Hooks(SECRET, dedup=False)
    hooks = run(server, app, "webhook-duplicates")
    text = failure(lambda: hooks.processed_once(effect=lambda: len(app.applied)))
    assert text.startswith("the receiver applied the events 3 times, for 1 distinct "
                           "delivery acknowledged")
    assert "deduplicate by the delivery id" in text


def test_processed_once_waits_for_a_receiver_that_processes_later(
        server: ContractServer) -> None:
    app = Hooks(SECRET)
    hooks = run(server, app, "webhook-duplicates")
    reads = iter([0, 0, 1])  # the worker applies the event on the third look
    hooks.processed_once(effect=lambda: next(reads, 1))
    hooks.processed_once(effect=lambda: dict(app.status), expected={"ord_1042": "created"})


def test_processed_once_without_duplicates_judges_nothing(server: ContractServer) -> None:
    app = Hooks(SECRET)
    hooks = run(server, app, None)
    assert "no duplicate delivery (one id sent twice) to judge: deliver under the " \
        "webhook-duplicates scenario" in failure(
            lambda: hooks.processed_once(effect=lambda: len(app.applied)))


def test_unknown_events_answered_2xx(server: ContractServer) -> None:
    drift = {"name": "drift", "rules": [], "webhooks": {"faults": [{"drift": True}]}}
    run(server, Hooks(SECRET), drift).tolerated_unknown_events()
    hooks = run(server, Hooks(SECRET, unknown_status=500), drift)
    text = failure(hooks.tolerated_unknown_events)
    assert "answered 500 to an event type it does not know (type " \
        "'contractkit.unknown_event')" in text
    assert "contractkit.unknown_event" in text.split("timeline", 1)[1]


def test_out_of_order_ends_in_the_newest_state(server: ContractServer) -> None:
    app = Hooks(SECRET)
    hooks = run(server, app, "webhook-out-of-order", EVENTS)
    hooks.handled_out_of_order(lambda: app.status.get("ord_1042"), expected="shipped")
    naive = Hooks(SECRET, ordered=False)
    hooks = run(server, naive, "webhook-out-of-order", EVENTS)
    text = failure(lambda: hooks.handled_out_of_order(lambda: naive.status.get("ord_1042"),
                                                      expected="shipped", within=0.2))
    assert "ended in state 'created', not 'shipped', after the events arrived newest first " \
        "(orderShipped then orderPaid then orderCreated)" in text
    with pytest.raises(TypeError, match="give both `state`"):
        hooks.handled_out_of_order(lambda: 1)


# -- bad input -----------------------------------------------------------------------------

def test_unknown_event_names_say_did_you_mean(server: ContractServer) -> None:
    with pytest.raises(WebhookError, match=r"no webhook event 'orderCreatd'; did you mean "
                                           r"'orderCreated' or "):
        server.deliver("orderCreatd", to="http://127.0.0.1:9/hooks")
    with pytest.raises(WebhookError, match="did you mean 'orderShipped'"):
        server.deliveries("orderShiped")


def test_a_contract_without_webhooks_says_so() -> None:
    with MockServer(ROOT / "contracts" / "petstore.yaml") as mock, \
            pytest.raises(WebhookError, match="declares no webhooks"):
        ContractServer(mock).deliver("anything", to="http://127.0.0.1:9/hooks")


def test_a_secret_in_the_wrong_format_is_one_line(server: ContractServer) -> None:
    with pytest.raises(WebhookError) as raised:
        server.deliver("orderCreated", to="http://127.0.0.1:9/hooks", secret="not base64!")
    assert "\n" not in str(raised.value)
    assert server.server.outbox.attempts() == []


def test_nothing_delivered_is_nothing_to_judge(server: ContractServer) -> None:
    hooks = server.deliveries("orderCreated")
    assert len(hooks) == 0
    text = failure(lambda: hooks.acknowledged_within(2.0))
    assert "no genuine delivery to judge: deliver an event to the receiver first" in text
    assert "timeline: no delivery attempts were recorded" in text
