"""One test suite for a webhook receiver of the orders contract, run against each example
receiver.

Each test puts the mock's deliveries in a failure mode (a scenario), delivers events to
the receiver, then asserts on what the receiver *answered* and *did*
(``contract_server.deliveries(...)``): when a receiver misbehaves, the failure says what it
did wrong, with the timeline of the attempts.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.contract("contracts/orders.yaml")

ORDER = "ord_1042"
#: the answer budget this suite gives (a provider's is seconds; the naive receiver
#: works 0.3 s per event before it answers)
BUDGET = 0.2


def test_acknowledges_fast(contract_server, receiver):
    contract_server.deliver("orderCreated", to=receiver.url, secret=receiver.secret)

    contract_server.deliveries("orderCreated").acknowledged_within(BUDGET)


@pytest.mark.scenarios("webhook-forged")
def test_refuses_forged_signatures(contract_server, receiver):
    # a customer's note in German: the bytes signed are UTF-8, not JSON's \u escapes
    event = {"id": "evt_created0001", "type": "order.created", "sequence": 1,
             "data": {"order_id": ORDER, "status": "created", "amount": 2000,
                      "note": "Geschenkpapier für Zoë"}}
    contract_server.deliver("orderCreated", to=receiver.url, secret=receiver.secret, payload=event)

    contract_server.deliveries("orderCreated").rejected_bad_signature()


@pytest.mark.scenarios("webhook-forged")
def test_refuses_stale_timestamps(contract_server, receiver):
    contract_server.deliver("orderCreated", to=receiver.url, secret=receiver.secret)

    contract_server.deliveries("orderCreated").rejected_stale()


@pytest.mark.scenarios("webhook-forged")
def test_refuses_replays(contract_server, receiver):
    contract_server.deliver("orderCreated", to=receiver.url, secret=receiver.secret)

    contract_server.deliveries("orderCreated").rejected_replay()


@pytest.mark.scenarios("webhook-duplicates")
def test_applies_duplicates_once(contract_server, receiver):
    contract_server.deliver("orderCreated", to=receiver.url, secret=receiver.secret)

    contract_server.deliveries("orderCreated").processed_once(effect=receiver.applied)


@pytest.mark.scenarios("scenarios/unknown-events.yaml")
def test_tolerates_unknown_events(contract_server, receiver):
    contract_server.deliver("orderCreated", to=receiver.url, secret=receiver.secret)

    contract_server.deliveries("orderCreated").tolerated_unknown_events()


@pytest.mark.scenarios("webhook-out-of-order")
def test_keeps_the_newest_state(contract_server, receiver):
    contract_server.deliver(["orderCreated", "orderPaid", "orderShipped"], to=receiver.url,
                            secret=receiver.secret)

    contract_server.deliveries().handled_out_of_order(
        lambda: receiver.status(ORDER), expected="shipped")
