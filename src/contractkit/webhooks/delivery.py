"""A delivery to make: which event, which bytes, to whom, signed how — before any socket.

:func:`plan` builds one from the contract (payload from an example or the schema), and
:class:`Target` says where and how it goes (URL, secret, scheme, retry policy). The server
(``server/webhook_sender.py``) makes the attempts; faults (``webhooks/faults.py``) turn one
planned delivery into the several, or the altered one, a misbehaving provider sends.
"""

from __future__ import annotations

import hashlib
import ipaddress
import itertools
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal
from urllib.parse import urlsplit

from contractkit._types import JSON
from contractkit.contract.model import Contract
from contractkit.errors import WebhookError
from contractkit.webhooks.events import Event, find_event
from contractkit.webhooks.outbox import Expected
from contractkit.webhooks.payloads import encode, payload_for
from contractkit.webhooks.schedule import PROVIDERS, RetryPolicy, policy
from contractkit.webhooks.signing import Scheme, scheme

#: how far back a stale-timestamp fault dates its signature (providers' tolerance: 5 min)
STALE_SECONDS = 3600
#: how an attempt's signature is spoiled (a forged or stale delivery)
Forgery = Literal["bad-signature", "wrong-secret", "stale-timestamp", "missing-signature"]


@dataclass(frozen=True)
class Target:
    """Where deliveries go and how they are signed; ``secret`` never shows in ``repr``."""

    url: str
    secret: str = field(default="", repr=False)
    scheme: Scheme | None = None  # None: unsigned
    policy: RetryPolicy = PROVIDERS["none"]

    @classmethod
    def build(cls, url: str | None, *, secret: str | None = None, signing: str | None = None,
              retries: str | RetryPolicy | None = None, timeout: float | None = None,
              allow_remote: bool = False) -> Target:
        """A checked target: a loopback http(s) URL (unless ``allow_remote``), a secret in
        the scheme's format, a known retry schedule (default: the scheme's provider's
        when the mock delivers; ``none`` for one attempt). ``url`` None: signing only
        (callbacks, whose URL each served request gives)."""
        if url is not None:
            check_url(url, allow_remote=allow_remote)
        chosen = scheme(signing) if signing else (scheme("standard") if secret else None)
        if chosen is not None:
            if not secret:
                raise WebhookError(f"signing {chosen.name!r} needs a secret (--secret / "
                                   "--webhook-secret)")
            chosen.key(secret)  # the format check, before any delivery
        if timeout is not None and timeout <= 0:
            raise WebhookError("the attempt timeout must be positive")
        if isinstance(retries, RetryPolicy):
            chosen_policy = retries.with_timeout(timeout)
        else:
            chosen_policy = policy(retries or "none", timeout=timeout)
        return cls(url or "", secret or "", chosen, chosen_policy)


def check_url(url: str, *, allow_remote: bool = False) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookError(f"receiver URL {url!r}: expected http://HOST:PORT/PATH")
    try:
        parts.port  # noqa: B018 - validates the port
    except ValueError:
        raise WebhookError(f"receiver URL {url!r}: the port is not a number 0-65535") from None
    if allow_remote:
        return
    host = parts.hostname
    loopback = host == "localhost" or host.endswith(".localhost")
    if not loopback:
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
    if not loopback:
        raise WebhookError(f"receiver URL {url!r} is not on this machine; contractkit "
                           "delivers to 127.0.0.1 / localhost only unless allowed "
                           "(--allow-remote-receiver), so a contract or request cannot "
                           "make it call other hosts")


@dataclass(frozen=True)
class Delivery:
    """One delivery: the same ``id`` on every attempt, re-signed at each."""

    id: str
    event: str
    body: bytes
    media_type: str
    value: JSON = field(default=None, repr=False, compare=False)
    fault: str | None = None
    expected: Expected = "accept"
    forgery: Forgery | None = None
    #: sent as these exact headers (an attacker's replay): not re-signed
    replay_headers: Mapping[str, str] | None = None
    replay_url: str | None = None
    #: an exact copy of this delivery's acknowledged attempt (an attacker's replay)
    replay_of: str | None = None
    group: str = ""
    #: seconds to wait before the first attempt
    delay: float = 0.0
    #: no retries for this one (a fault's extra copy)
    once: bool = False

    def but(self, **changes: object) -> Delivery:
        return replace(self, **changes)  # type: ignore[arg-type]


class Ids:
    """Delivery ids, repeatable for a seed; ``None``: new ones every run (a receiver
    that deduplicates must not take one run's events for another's)."""

    def __init__(self, seed: int | None = 0) -> None:
        self._seed = secrets.token_hex(8) if seed is None else str(seed)
        self._counter = itertools.count(1)

    def next(self) -> str:
        n = next(self._counter)
        return "msg_" + hashlib.sha256(f"{self._seed}:{n}".encode()).hexdigest()[:24]


def plan(contract: Contract, event: str | Event, *, ids: Ids, seed: int = 0,
         payload: JSON = None, example: str | None = None,
         examples: bool = True) -> Delivery:
    """A delivery of ``event``: ``payload`` when given, else the contract's example or
    (always, with ``examples=False``) a generated body."""
    found = event if isinstance(event, Event) else find_event(contract, event)
    chosen = payload_for(contract, found, seed=seed, example=example, examples=examples)
    value = chosen.value if payload is None else payload
    return Delivery(ids.next(), found.name, encode(value, chosen.media_type),
                    chosen.media_type, value)
