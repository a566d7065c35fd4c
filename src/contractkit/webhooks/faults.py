"""Webhook faults and triggers: a scenario's ``webhooks:`` section as values, and what each
fault makes of one delivery.

A provider that misbehaves as real ones do turns one delivery into several (duplicates with
the same id, a burst, a redelivery after a 2xx, an attacker's forged, stale or replayed
copy), reorders related events, delays them, or sends a body the contract does not quite
describe (drift, oversize). :func:`expand` does that to a planned delivery and returns the
*waves* to send: one wave after the other, the deliveries of a wave at once. Every copy says
what a correct receiver does with it (``expected``), which the receiver assertions judge.

``triggers`` say which served operations cause deliveries (``after: createPayment``,
``deliver: paymentSucceeded``, ``delay: 2s``, ``set: {/data/object/id:
"{$response.body#/id}"}``).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from contractkit._types import JSON
from contractkit.webhooks.delivery import Delivery, Forgery

#: fault keys of a ``webhooks.faults`` entry, in the order they apply
FAULTS = ("delay", "duplicate", "burst", "out_of_order", "redeliver", "bad_signature",
          "wrong_secret", "stale_timestamp", "replay", "missing_signature", "drift",
          "oversize")
_FORGERIES: dict[str, Forgery] = {
    "bad_signature": "bad-signature", "wrong_secret": "wrong-secret",
    "stale_timestamp": "stale-timestamp", "missing_signature": "missing-signature",
}
DRIFTS = ("extra_fields", "unknown_event", "missing_optionals")
UNKNOWN_EVENT = "contractkit.unknown_event"

Duration = Callable[[object], float]


@dataclass(frozen=True)
class Trigger:
    """After a served ``after`` operation answers 2xx, deliver ``deliver`` (``delay``
    later), its payload's members at ``set``'s JSON pointers taken from the exchange."""

    after: str
    deliver: str
    delay: float = 0.0
    set: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WebhookFault:
    kind: str
    value: Any = True
    event: str | None = None  # None: every event
    probability: float | None = None

    def applies(self, event: str, rng: random.Random) -> bool:
        if self.event not in (None, "*", event):
            return False
        return self.probability is None or rng.random() < self.probability

    def explain(self) -> str:
        """What the fault does, in a sentence (docs, the mock's banner)."""
        scope = f" ({self.event} only)" if self.event not in (None, "*") else ""
        chance = (f", with probability {self.probability:g}" if self.probability is not None
                  else "")
        return self._sentence() + scope + chance

    def _sentence(self) -> str:
        value, kind = self.value, self.kind
        count = None if isinstance(value, bool) else value
        fixed = {
            "out_of_order": "related events delivered together arrive newest first",
            "bad_signature": "first a copy whose signature is wrong (to be refused)",
            "wrong_secret": "first a copy signed with another secret (to be refused)",
            "stale_timestamp": "first a copy signed an hour ago (to be refused)",
            "missing_signature": "first a copy without signature headers (to be refused)",
            "replay": "then the acknowledged request again, byte for byte (to be refused)",
        }
        if kind in fixed:
            return fixed[kind]
        if kind == "delay":
            return f"each delivery starts {float(value):g} s late"
        if kind == "duplicate":
            return f"sent {count or 2} times with the same id"
        if kind == "burst":
            return f"{count or 10} distinct deliveries of the event at once"
        if kind == "redeliver":
            later = f" ({float(value):g} s later)" if count is not None else ""
            return f"sent again, same id, after it was acknowledged{later}"
        if kind == "drift":
            drifts = DRIFTS if value is True else (value,) if isinstance(value, str) else value
            return "then copies the contract does not quite describe: " + ", ".join(drifts)
        return f"then a copy padded to {count or 1024 * 1024:,} bytes"

    def describe(self) -> str:
        what = self.kind if self.value is True else f"{self.kind}={self.value}"
        scope = f" on {self.event}" if self.event not in (None, "*") else ""
        chance = f" with p={self.probability:g}" if self.probability is not None else ""
        return f"{what}{scope}{chance}"


@dataclass(frozen=True)
class WebhookScenario:
    triggers: tuple[Trigger, ...] = ()
    faults: tuple[WebhookFault, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.triggers and not self.faults


def parse(raw: Mapping[str, Any] | None, *, duration: Duration) -> WebhookScenario:
    """A scenario's ``webhooks`` section (already checked by the scenario schema)."""
    if not raw:
        return WebhookScenario()
    triggers = tuple(
        Trigger(str(t["after"]), str(t["deliver"]), duration(t.get("delay", 0)),
                {str(k): str(v) for k, v in (t.get("set") or {}).items()})
        for t in raw.get("triggers", ()))
    faults = []
    for entry in raw.get("faults", ()):
        for kind in FAULTS:
            if kind not in entry:
                continue
            value = entry[kind]
            if kind in ("delay",) or (kind == "redeliver" and not isinstance(value, bool)):
                value = duration(value)
            faults.append(WebhookFault(kind, value, entry.get("event"),
                                       entry.get("probability")))
    return WebhookScenario(triggers, tuple(faults))


@dataclass
class Remake:
    """What :func:`expand` needs from the contract: a fresh delivery of the same event
    (a burst's distinct events) and payload drift."""

    #: another delivery of the event (new id); ``generated``: a new body, not the example
    fresh: Callable[[Delivery, int, bool], Delivery]
    drift: Callable[[Delivery, str, random.Random], Delivery]
    oversize: Callable[[Delivery, int], Delivery]


def expand(deliveries: Sequence[Delivery], faults: Sequence[WebhookFault],
           rng: random.Random, remake: Remake) -> list[list[Delivery]]:
    """The waves a misbehaving provider sends for ``deliveries`` (given in their logical
    order: created before succeeded)."""
    if not faults:
        return [[d] for d in deliveries]
    blocks: list[list[list[Delivery]]] = []
    reorder = False
    for index, original in enumerate(deliveries):
        chosen = [f for f in faults if f.applies(original.event, rng)]
        delivery = original
        before: list[list[Delivery]] = []
        after: list[list[Delivery]] = []
        together = [delivery]
        for fault in chosen:
            kind, value = fault.kind, fault.value
            label = fault.describe()
            if kind == "delay":
                delivery = delivery.but(delay=delivery.delay + float(value),
                                        fault=_join(delivery.fault, label))
                together[0] = delivery
            elif kind == "duplicate":
                copies = int(value) if not isinstance(value, bool) else 2
                after.extend([delivery.but(fault=label, once=True, delay=0.0,
                                           group=original.id)] for _ in range(copies - 1))
            elif kind == "burst":
                count = int(value) if not isinstance(value, bool) else 10
                together.extend(remake.fresh(original, i, True).but(fault=label, group=original.id)
                                for i in range(1, count))
            elif kind == "out_of_order":
                reorder = True
            elif kind == "redeliver":
                wait = 0.0 if isinstance(value, bool) else float(value)
                after.append([delivery.but(fault=label, once=True, delay=wait,
                                           group=original.id)])
            elif kind in _FORGERIES:
                forged = remake.fresh(original, index + 1000, False).but(
                    forgery=_FORGERIES[kind], fault=label, expected="reject", once=True,
                    delay=0.0, group=original.id)
                before.append([forged])
            elif kind == "replay":
                after.append([delivery.but(replay_of=delivery.id, fault=label,
                                           expected="reject", once=True, delay=0.0,
                                           group=original.id)])
            elif kind == "drift":
                drifts = DRIFTS if value is True else (
                    (value,) if isinstance(value, str) else tuple(value))
                for name in drifts:
                    after.append([remake.drift(delivery, name, rng).but(
                        fault=f"drift={name}", once=True, delay=0.0, group=original.id)])
            elif kind == "oversize":
                size = int(value) if not isinstance(value, bool) else 1024 * 1024
                after.append([remake.oversize(delivery, size).but(
                    fault=label, expected="either", once=True, delay=0.0,
                    group=original.id)])
        blocks.append([*before, together, *after])
    if reorder and len(blocks) > 1:
        # the related events arrive newest first, as when the first one's delivery is
        # retried and the next one overtakes it
        blocks = [[[d.but(fault=_join(d.fault, "out_of_order")) for d in wave]
                   for wave in block] for block in reversed(blocks)]
    return [wave for block in blocks for wave in block]


def _join(first: str | None, second: str) -> str:
    return second if not first else f"{first}, {second}"


def unknown_event(value: JSON) -> JSON:
    """A body of an event type the receiver has never seen (``type`` changed when the
    body has one, else wrapped)."""
    if isinstance(value, dict):
        changed = dict(value)
        for key in ("type", "event", "eventType", "event_type", "topic"):
            if key in changed:
                changed[key] = UNKNOWN_EVENT
                return changed
        return {"type": UNKNOWN_EVENT, "data": value}
    return {"type": UNKNOWN_EVENT, "data": value}
