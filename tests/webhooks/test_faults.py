"""Webhook faults over real sockets: what a receiver on 127.0.0.1 gets under each one, and
that each copy's ``expected`` is what a correct receiver does (checked with the
standardwebhooks verifier)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
import standardwebhooks
from tests.conftest import ROOT
from tests.webhooks.receiver import Received, Receiver

from contractkit.contract.loader import load
from contractkit.errors import ScenarioError
from contractkit.scenarios import load_scenario
from contractkit.server.runner import MockServer
from contractkit.webhooks.events import find_event
from contractkit.webhooks.outbox import Attempt
from contractkit.webhooks.payloads import is_valid

ORDERS = ROOT / "examples" / "webhook_suite" / "contracts" / "orders.yaml"
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
EVENTS = ["orderCreated", "orderPaid", "orderShipped"]


def delivered(scenario: Any, events: str | list[str] = "orderPaid",
              statuses: list[int] | None = None) -> tuple[list[Attempt], list[Received]]:
    with Receiver(statuses) as receiver, MockServer(
            ORDERS, webhooks_to=receiver.url, webhook_secret=SECRET,
            webhook_retries="none", scenario=scenario) as server:
        attempts = server.deliver(events)
        return attempts, list(receiver.received)


def genuine(received: Received) -> bool:
    try:
        standardwebhooks.Webhook(SECRET).verify(received.body, received.headers)
    except standardwebhooks.webhooks.WebhookVerificationError:
        return False
    return True


def faults(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"name": "t", "rules": [], "webhooks": {"faults": list(entries)}}


def test_duplicates_share_the_id_and_all_are_genuine() -> None:
    attempts, received = delivered("webhook-duplicates")
    assert len(received) == 3
    assert len({r.headers["webhook-id"] for r in received}) == 1
    assert all(genuine(r) for r in received)
    assert [a.fault for a in attempts] == [None, "duplicate=2", "redeliver"]
    assert {a.expected for a in attempts} == {"accept"}


def test_forged_copies_fail_verification_and_the_replay_is_byte_for_byte() -> None:
    attempts, received = delivered("webhook-forged")
    kinds = [a.fault for a in attempts]
    assert kinds == ["bad_signature", "wrong_secret", "stale_timestamp", "missing_signature",
                     None, "replay"]
    assert [genuine(r) for r in received[:5]] == [False, False, False, False, True]
    assert "webhook-signature" not in {k.lower() for k in received[3].headers}
    replay, original = received[5], received[4]
    assert replay.body == original.body
    assert {k: v for k, v in replay.headers.items() if k.startswith("webhook-")} == \
        {k: v for k, v in original.headers.items() if k.startswith("webhook-")}
    assert [a.expected for a in attempts] == ["reject"] * 4 + ["accept", "reject"]


def test_out_of_order_delivers_related_events_newest_first() -> None:
    attempts, received = delivered("webhook-out-of-order", EVENTS)
    assert [a.event for a in attempts] == list(reversed(EVENTS))
    assert [r.headers["webhook-id"] for r in received] == [a.delivery_id for a in attempts]
    assert all(a.fault == "out_of_order" for a in attempts)


def test_burst_is_distinct_valid_events_at_once() -> None:
    attempts, received = delivered(faults({"burst": 4}))
    contract = load(ORDERS)
    event = find_event(contract, "orderPaid")
    assert len({a.delivery_id for a in attempts}) == 4 == len(received)
    bodies = [orjson.loads(r.body) for r in received]
    assert len({b["id"] for b in bodies}) == 4
    assert all(is_valid(contract, event, b) for b in bodies)


def test_drift_extra_fields_unknown_event_missing_optionals() -> None:
    attempts, received = delivered(faults({"drift": True}))
    assert [a.fault for a in attempts] == [None, "drift=extra_fields", "drift=unknown_event",
                                           "drift=missing_optionals"]
    base, extra, unknown, missing = (orjson.loads(r.body) for r in received)
    assert set(extra) > set(base) or set(extra["data"]) > set(base["data"])
    assert unknown["type"] == "contractkit.unknown_event"
    assert attempts[2].event == "contractkit.unknown_event"
    assert "amount" in base["data"]
    assert "amount" not in missing["data"]
    assert all(genuine(r) for r in received)


def test_oversize_copy() -> None:
    attempts, received = delivered(faults({"oversize": 200_000}))
    assert len(received[1].body) >= 200_000
    assert attempts[1].expected == "either"
    assert genuine(received[1])


def test_delay_and_redelivery_after_a_wait() -> None:
    attempts, _ = delivered(faults({"delay": "50ms"}, {"redeliver": "80ms"}))
    first, again = attempts
    assert again.delivery_id == first.delivery_id
    assert again.t_start - first.t_end >= 0.08 - 0.02


def test_copies_after_a_delayed_delivery_are_not_delayed_again() -> None:
    attempts, _ = delivered(faults({"delay": "1s"}, {"drift": "extra_fields"},
                                   {"oversize": 2048}))
    first, drifted, padded = attempts
    assert (drifted.fault, padded.fault) == ("drift=extra_fields", "oversize=2048")
    # each copy follows at once (it used to wait the delay again)
    assert drifted.t_start - first.t_end < 0.5
    assert padded.t_start - drifted.t_end < 0.5


def test_a_fault_for_one_event_with_a_probability() -> None:
    attempts, _ = delivered(faults({"event": "orderPaid", "duplicate": 2},
                                   {"event": "orderShipped", "duplicate": 2,
                                    "probability": 0}), EVENTS)
    assert [a.event for a in attempts] == ["orderCreated", "orderPaid", "orderPaid",
                                           "orderShipped"]


def test_webhook_chaos_runs_every_fault() -> None:
    attempts, received = delivered("webhook-chaos", ["orderCreated", "orderPaid"])
    seen = {fault for a in attempts for fault in (a.fault or "").split(", ") if fault}
    assert {"bad_signature", "replay", "duplicate=2", "burst=3", "redeliver",
            "drift=extra_fields", "drift=unknown_event", "out_of_order"} <= seen
    assert len(received) == len(attempts)


def test_a_misspelt_webhook_fault_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("name: s\nrules: []\nwebhooks:\n  faults:\n    - duplicat: 2\n")
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    message = str(raised.value)
    assert message.startswith(f"{path}:5:")
    assert "/webhooks/faults/0" in message
    assert "\n" not in message
