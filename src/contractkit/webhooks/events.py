"""The events a contract says its provider sends: OpenAPI 3.1 ``webhooks``, the
``x-webhooks`` extension and operations' ``callbacks``.

An event is named by its key in ``webhooks`` (``paymentSucceeded``; a leading ``/`` as
Adyen writes them may be left out) or by its operationId; a callback by its key, or by
``operationId.key`` when two operations declare callbacks of one name.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

from contractkit.contract.model import Contract, Operation
from contractkit.errors import WebhookError


@dataclass(frozen=True)
class Event:
    """One kind of request the provider makes to the consumer."""

    name: str
    kind: Literal["webhook", "callback"]
    #: the request as the contract describes it (method, request body, responses)
    operation: Operation
    #: for callbacks: the operation whose served request fires it, and the URL expression
    trigger: str | None = None
    expression: str | None = None

    @property
    def summary(self) -> str:
        operation = self.operation
        return operation.summary or operation.description.split("\n")[0][:100]


def events(contract: Contract) -> tuple[Event, ...]:
    """Every event of the contract: webhooks first, then callbacks, in the order written."""
    found: list[Event] = []
    seen: dict[str, int] = {}
    for operation in contract.webhooks:
        name = operation.path
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:  # one path item with several methods
            name = f"{name} {operation.method}"
        found.append(Event(name, "webhook", operation))
    callbacks = [(operation, callback) for operation in contract.operations
                 for callback in operation.callback_operations]
    counts: dict[str, int] = {}
    for _, callback in callbacks:
        counts[callback.name] = counts.get(callback.name, 0) + 1
    for operation, callback in callbacks:
        name = (callback.name if counts[callback.name] == 1
                else f"{operation.id}.{callback.name}")
        if name in seen:
            name = f"{name} {callback.operation.method}"
        seen[name] = 1
        found.append(Event(name, "callback", callback.operation, trigger=operation.id,
                           expression=callback.expression))
    return tuple(found)


def find_event(contract: Contract, name: str) -> Event:
    """The event called ``name``; :class:`WebhookError` with suggestions otherwise."""
    known = events(contract)
    if not known:
        raise WebhookError(
            f"{contract.source}: the contract declares no webhooks (no `webhooks`, "
            "`x-webhooks` or operation `callbacks`); there is nothing to deliver")
    for event in known:
        if name in (event.name, event.name.lstrip("/"), event.operation.id):
            return event
    names = [event.name for event in known]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5) or \
        difflib.get_close_matches(name, [n.lstrip("/") for n in names], n=3, cutoff=0.5)
    hint = (f"; did you mean {' or '.join(map(repr, close))}?" if close
            else f"; events: {', '.join(names[:10])}" + (" ..." if len(names) > 10 else ""))
    raise WebhookError(f"{contract.source}: no webhook event {name!r}{hint} "
                       "(`contractkit webhooks list` names them all)")


def callbacks_of(contract: Contract, operation_id: str) -> tuple[Event, ...]:
    """The callback events a served request to ``operation_id`` fires."""
    return tuple(e for e in events(contract) if e.kind == "callback"
                 and e.trigger == operation_id)
