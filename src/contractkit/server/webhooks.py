"""The mock's webhook side: deliveries on demand (admin API, ``MockServer.deliver``) and
caused by served operations (the contract's ``callbacks``, a scenario's ``webhooks.
triggers``), each shaped by the active scenario's webhook faults and made by the
:class:`~contractkit.server.webhook_sender.WebhookSender` into the outbound journal."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import orjson

from contractkit._http import HttpRequest
from contractkit._types import JSON
from contractkit.contract.model import Contract
from contractkit.errors import WebhookError
from contractkit.scenarios._duration import parse_duration
from contractkit.scenarios.faults import Mutate
from contractkit.scenarios.library import ScenarioLibrary
from contractkit.scenarios.mutate import mutate
from contractkit.server.responses import MockResponse
from contractkit.server.webhook_sender import WebhookSender
from contractkit.webhooks.delivery import Delivery, Ids, Target, check_url, plan
from contractkit.webhooks.events import Event, callbacks_of, events, find_event
from contractkit.webhooks.expressions import Exchange, Side, resolve
from contractkit.webhooks.faults import (
    UNKNOWN_EVENT,
    Remake,
    WebhookScenario,
    expand,
    parse,
    unknown_event,
)
from contractkit.webhooks.outbox import Attempt, Outbox, digest
from contractkit.webhooks.payloads import encode, media_type_of

log = logging.getLogger("contractkit.server")


class Webhooks:
    """What the mock delivers, where, and under which faults."""

    def __init__(self, contracts: Callable[[], Sequence[Contract]], *,
                 scenarios: ScenarioLibrary, seed: int = 0,
                 clock: Callable[[], float], wall_clock: Callable[[], float]) -> None:
        self._contracts = contracts
        self.scenarios = scenarios
        self.seed = seed
        self.outbox = Outbox()
        self.sender = WebhookSender(self.outbox, clock=clock, wall_clock=wall_clock)
        #: where deliveries go when none is named (``--webhooks-to``), and how signed
        self.target: Target | None = None
        #: also deliver callbacks to URLs that are not loopback (off: no SSRF by contract)
        self.allow_remote = False
        self.ids = Ids(seed)
        self._parsed: dict[str, WebhookScenario] = {}
        self._has_callbacks: bool | None = None

    # -- what and where ----------------------------------------------------------------

    def configure(self, url: str | None, *, secret: str | None = None,
                  signing: str | None = None, retries: str | None = None,
                  timeout: float | None = None, allow_remote: bool = False) -> None:
        """The default receiver; ``retries`` defaults to the signing provider's schedule."""
        self.allow_remote = allow_remote
        if url is None and not (secret or signing or retries or timeout):
            return
        # without a URL: callbacks go where their request says, signed as configured
        self.target = Target.build(url, secret=secret, signing=signing,
                                   retries=retries or _provider(signing, secret),
                                   timeout=timeout, allow_remote=allow_remote)

    def events(self) -> list[tuple[Contract, Event]]:
        return [(contract, event) for contract in self._contracts()
                for event in events(contract)]

    def find(self, name: str) -> tuple[Contract, Event]:
        contracts = list(self._contracts())
        error: WebhookError | None = None
        for contract in contracts:
            try:
                return contract, find_event(contract, name)
            except WebhookError as missing:
                error = error if error and "did you mean" in str(error) else missing
        if len(contracts) > 1 and not self.events():
            raise WebhookError("no contract served declares webhooks (no `webhooks`, "
                               "`x-webhooks` or operation `callbacks`)")
        assert error is not None
        raise error

    def target_for(self, to: str | None, *, secret: str | None = None,
                   signing: str | None = None, retries: str | None = None,
                   attempt_timeout: float | None = None) -> Target:
        """Where a delivery goes: ``to`` (else the configured receiver). Given any of
        ``secret``, ``signing``, ``retries`` or ``attempt_timeout``, the delivery is signed
        and retried as they say (defaults: Standard Webhooks when a secret is given, one
        attempt) instead of as configured (``--webhook-secret``...)."""
        if secret or signing or retries or attempt_timeout is not None:
            url = to if to is not None else (self.target.url if self.target else "")
            if not url:
                return self.target_for(None)  # the "no receiver" error
            return Target.build(url, secret=secret, signing=signing, retries=retries,
                                timeout=attempt_timeout, allow_remote=self.allow_remote)
        if to is None:
            if self.target is None or not self.target.url:
                raise WebhookError("no receiver to deliver to: give one (`to`) or start the "
                                   "mock with --webhooks-to URL")
            return self.target
        check_url(to, allow_remote=self.allow_remote)
        if self.target is None:
            return Target(to)
        return Target(to, self.target.secret, self.target.scheme, self.target.policy)

    def scenario(self, session: str | None = None) -> WebhookScenario:
        name = self.scenarios.active(session)
        if name is None:
            return WebhookScenario()
        found = self._parsed.get(name)
        if found is None:
            raw = getattr(self.scenarios.get(name), "webhooks", None)
            found = self._parsed[name] = parse(raw, duration=parse_duration)
        return found

    # -- on demand ---------------------------------------------------------------------

    def plan(self, names: str | Sequence[str], *, payload: JSON = None,
             example: str | None = None) -> list[Delivery]:
        """Deliveries of ``names`` (in their logical order), checked before any is sent."""
        chosen = [names] if isinstance(names, str) else list(names)
        if not chosen:
            raise WebhookError("name at least one event to deliver")
        planned = []
        for name in chosen:
            contract, event = self.find(name)
            planned.append(plan(contract, event, ids=self.ids, seed=self._seed_of(name),
                                payload=payload, example=example))
        return planned

    def start(self, deliveries: Sequence[Delivery], target: Target, *,
              session: str | None = None, delay: float = 0.0) -> asyncio.Task[list[Attempt]]:
        """Send in the background on the running loop; the outbox counts them at once."""
        self.outbox.started()
        task = asyncio.get_running_loop().create_task(
            self._run(deliveries, target, session, delay))
        self.sender.track(task)
        return task

    async def run(self, deliveries: Sequence[Delivery], target: Target, *,
                  session: str | None = None) -> list[Attempt]:
        self.outbox.started()
        return await self._run(deliveries, target, session, 0.0)

    async def _run(self, deliveries: Sequence[Delivery], target: Target,
                   session: str | None, delay: float) -> list[Attempt]:
        try:
            if delay > 0:
                await self.sender.wait(delay)
            scenario = self.scenario(session)
            rng = random.Random(_seed(self.seed, *(d.id for d in deliveries)))
            waves = expand(deliveries, scenario.faults, rng, self._remake())
            made: list[Attempt] = []
            for wave in waves:
                ready = [self._replayed(d) for d in wave]
                results = await asyncio.gather(*(self.sender.deliver(d, target)
                                                 for d in ready if d is not None))
                for attempts in results:
                    made.extend(attempts)
            return made
        except Exception as error:  # a bug: logged, never lost in a background task
            log.exception("contractkit mock: webhook delivery failed: %s", error)
            raise
        finally:
            self.outbox.finished()

    def _replayed(self, delivery: Delivery) -> Delivery | None:
        if delivery.replay_of is None:
            return delivery
        sent = [a for a in self.outbox.attempts() if a.delivery_id == delivery.replay_of]
        if not sent:
            return None
        last = next((a for a in reversed(sent) if a.ok), sent[-1])
        return delivery.but(replay_headers=dict(last.request_headers), replay_url=last.url)

    def _remake(self) -> Remake:
        def fresh(like: Delivery, index: int, generated: bool) -> Delivery:
            contract, event = self.find(like.event)
            return plan(contract, event, ids=self.ids, examples=not generated,
                        seed=self._seed_of(like.event) + index)

        def drift(delivery: Delivery, kind: str, rng: random.Random) -> Delivery:
            if kind == "unknown_event":
                value = unknown_event(delivery.value)
                return delivery.but(id=self.ids.next(), event=UNKNOWN_EVENT, value=value,
                                    body=encode(value, delivery.media_type))
            contract, event = self.find(delivery.event)
            _, media = media_type_of(event)
            schema: JSON = {}
            if media is not None and media.schema is not None:
                schema = contract.schema_bundle(media.schema, "response")
            fault = (Mutate(undeclared_fields=2) if kind == "extra_fields"
                     else Mutate(drop_optional=True))
            value = mutate(delivery.value, schema, fault, rng)
            return delivery.but(id=self.ids.next(), value=value,
                                body=encode(value, delivery.media_type))

        def oversize(delivery: Delivery, size: int) -> Delivery:
            value = delivery.value
            padded = (dict(value, contractkit_padding="x" * max(0, size - len(delivery.body)))
                      if isinstance(value, dict) else value)
            return delivery.but(id=self.ids.next(), value=padded,
                                body=encode(padded, delivery.media_type))

        return Remake(fresh, drift, oversize)

    def _seed_of(self, name: str) -> int:
        return _seed(self.seed, name) % (2**31)

    # -- caused by served operations ---------------------------------------------------

    def served(self, contract: Contract, operation_id: str, session: str, status: int,
               exchange: Callable[[], Exchange]) -> None:
        """After an operation answered: its callbacks, and the scenario's triggers."""
        if not 200 <= status < 300:
            return
        scenario = self.scenario(session) if self.scenarios.in_use else WebhookScenario()
        triggers = [t for t in scenario.triggers if t.after == operation_id]
        fired = callbacks_of(contract, operation_id) if self._callbacks() else ()
        if not triggers and not fired:
            return
        facts = exchange()
        for event in fired:
            self._callback(contract, event, facts, session)
        for trigger in triggers:
            try:
                target = self.target_for(None)
                contract_of, event = self.find(trigger.deliver)
                delivery = plan(contract_of, event, ids=self.ids,
                                seed=self._seed_of(trigger.deliver))
                if trigger.set:
                    value = _set(delivery.value, trigger.set, facts)
                    delivery = delivery.but(value=value,
                                            body=encode(value, delivery.media_type))
            except WebhookError as error:
                log.warning("contractkit mock: trigger after %s: %s", operation_id, error)
                continue
            self.start([delivery], target, session=session, delay=trigger.delay)

    def may_fire(self) -> bool:
        """Whether a served operation can cause a delivery (a scenario with a
        ``webhooks`` section is known and one is in use, or an operation has callbacks):
        most mocks, neither; asking which scenario is active costs a Redis round trip
        with a shared state."""
        return (self.scenarios.with_webhooks and self.scenarios.in_use) or self._callbacks()

    def _callbacks(self) -> bool:
        if self._has_callbacks is None:
            self._has_callbacks = any(op.callback_operations for contract in self._contracts()
                                      for op in contract.operations)
        return self._has_callbacks

    def _callback(self, contract: Contract, event: Event, facts: Exchange,
                  session: str) -> None:
        assert event.expression is not None
        delivery = plan(contract, event, ids=self.ids, seed=self._seed_of(event.name))
        try:
            url = str(resolve(event.expression, facts))
            target = self.target_for(url)
        except WebhookError as error:
            self.outbox.append(Attempt(
                seq=self.outbox.next_seq(), delivery_id=delivery.id, event=event.name,
                attempt=1, url=event.expression, request_headers={},
                body_sha256=digest(delivery.body), body_size=len(delivery.body),
                body=delivery.body, outcome="error", error=str(error), final=True))
            log.warning("contractkit mock: callback %s not sent: %s", event.name, error)
            return
        self.start([delivery], target, session=session)

    def reset(self) -> None:
        self.outbox.clear()


def served_exchange(request: HttpRequest, answer: MockResponse) -> Exchange:
    """A served exchange as runtime expressions read it (JSON bodies decoded)."""
    return Exchange(
        url=request.path, method=request.method, status=answer.status,
        request=Side(request.headers, request.query, {}, _json(request.body)),
        response=Side({k.lower(): v for k, v in answer.headers.items()}, (), {},
                      _json(answer.body)))


def _json(body: bytes) -> JSON:
    try:
        return orjson.loads(body) if body else None
    except orjson.JSONDecodeError:
        return None


def _provider(signing: str | None, secret: str | None) -> str:
    """The retry schedule of the signing scheme's provider (hmac: Standard Webhooks')."""
    if not signing:
        return "standard" if secret else "none"
    return signing.partition(":")[0].strip().lower()


def _seed(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256(repr(parts).encode()).digest()[:8], "big")


def _set(value: JSON, members: Mapping[str, str], facts: Exchange) -> JSON:
    """``value`` with each JSON pointer of ``members`` set to its expression's value."""
    result: Any = orjson.loads(orjson.dumps(value))
    for pointer, expression in members.items():
        found = resolve(expression, facts)
        parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("/").split("/")]
        node = result
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
        if isinstance(node, list):
            node[int(parts[-1])] = found
        elif isinstance(node, dict):
            node[parts[-1]] = found
    return result
