"""Deliveries made as providers make them: signed per attempt, a timeout per attempt,
retries on a non-2xx answer or a timeout on the policy's schedule, a give-up, and every
attempt journalled in the :class:`~contractkit.webhooks.outbox.Outbox`.

Waits between attempts run on the server's clock: with the pytest plugin's virtual time
on, :attr:`WebhookSender.advance` is set and a wait moves the shared clock instead of
sleeping, so a three-day schedule takes milliseconds and the journal's gaps are exact.
"""

from __future__ import annotations

import asyncio
import errno
import time
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp

from contractkit._bounded import Bounded
from contractkit._version import __version__
from contractkit.webhooks.delivery import STALE_SECONDS, Delivery, Target
from contractkit.webhooks.outbox import BODY_PREFIX_BYTES, Attempt, Outbox, Outcome, digest
from contractkit.webhooks.signing import Message, Signature

#: bound at import: virtual time patches them, and real waits must stay real
_real_sleep = asyncio.sleep
_real_monotonic = time.monotonic
_real_time = time.time
_WRONG_SECRET = "whsec_" + "d3Jvbmctc2VjcmV0LXdyb25nLXNlY3JldA=="  # "wrong-secret-wrong-secret"


@dataclass(frozen=True)
class Sent:
    """What one attempt put on the wire."""

    url: str
    headers: dict[str, str]


class WebhookSender:
    """Makes deliveries from one event loop; one HTTP client (pooled connections)."""

    def __init__(self, outbox: Outbox, *, clock: Callable[[], float] = time.monotonic,
                 wall_clock: Callable[[], float] = time.time) -> None:
        self.outbox = outbox
        self.clock = clock
        self.wall_clock = wall_clock
        #: asked first by every wait: True when it moved the (virtual) clock by the
        #: seconds instead, so no real wait is needed (the pytest plugin's virtual time)
        self.advance: Callable[[float], bool] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[list[Attempt]]] = set()
        #: the last timestamp signed per delivery id: a copy sent again (a retry, a
        #: duplicate) is signed at a later second, so only an attacker's replay repeats a
        #: signature byte for byte
        self._stamps: Bounded[str, int] = Bounded(4096)

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=256, force_close=False),
                auto_decompress=False, trust_env=False)
        return self._session

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def wait(self, seconds: float) -> None:
        if seconds <= 0 or (self.advance is not None and self.advance(seconds)):
            await _real_sleep(0)
        else:
            await _real_sleep(seconds)

    def track(self, task: asyncio.Task[list[Attempt]]) -> None:
        """Keep a background delivery alive until it ends (cancelled by :meth:`close`)."""
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def deliver(self, delivery: Delivery, target: Target) -> list[Attempt]:
        """Every attempt of ``delivery``, until one is acknowledged (2xx) or the policy
        gives up."""
        self.outbox.started()
        return await self._deliver(delivery, target)

    async def _deliver(self, delivery: Delivery, target: Target) -> list[Attempt]:
        try:
            if delivery.delay > 0:
                await self.wait(delivery.delay)
            delays = () if delivery.once else target.policy.delays
            made: list[Attempt] = []
            for number in range(1, len(delays) + 2):
                if number > 1:
                    await self.wait(delays[number - 2])
                attempt = await self._attempt(delivery, target, number,
                                              final=number == len(delays) + 1)
                made.append(attempt)
                if attempt.ok:
                    break
            return made
        finally:
            self.outbox.finished()

    def _signed(self, delivery: Delivery, target: Target) -> Sent:
        if delivery.replay_headers is not None:
            return Sent(delivery.replay_url or target.url, dict(delivery.replay_headers))
        base = {"Content-Type": delivery.media_type,
                "User-Agent": f"contractkit-webhooks/{__version__}"}
        scheme = target.scheme
        if scheme is None:
            return Sent(target.url, base)
        stamp = int(self.wall_clock())
        last = self._stamps.get(delivery.id)
        if last is not None and stamp <= last:
            stamp = last + 1
        self._stamps[delivery.id] = stamp
        if delivery.forgery == "stale-timestamp":
            stamp -= STALE_SECONDS
        secret = _WRONG_SECRET if delivery.forgery == "wrong-secret" else target.secret
        if delivery.forgery == "wrong-secret" and scheme.name == "stripe":
            secret = "whsec_wrongwrongwrongwrongwrong"
        signature: Signature = scheme.sign(
            Message(delivery.id, stamp, delivery.body, target.url, delivery.event,
                    delivery.media_type), secret)
        headers = {**base, **signature.headers}
        if delivery.forgery == "bad-signature":
            headers = {name: (_spoil(value) if name.lower() in scheme.signature_headers
                              and name.lower() != scheme.timestamp_header else value)
                       for name, value in headers.items()}
        elif delivery.forgery == "missing-signature":
            headers = {name: value for name, value in headers.items()
                       if name.lower() not in scheme.signature_headers}
        return Sent(signature.url, headers)

    async def _attempt(self, delivery: Delivery, target: Target, number: int, *,
                       final: bool) -> Attempt:
        sent = self._signed(delivery, target)
        headers = dict(sent.headers)
        if number > 1 and target.scheme is not None and target.scheme.name == "slack":
            headers["X-Slack-Retry-Num"] = str(number - 1)
            headers["X-Slack-Retry-Reason"] = "http_error"
        started, real_start = self.clock(), _real_monotonic()
        status: int | None = None
        answer = b""
        outcome: Outcome
        error = ""
        try:
            async with self._client().post(
                    sent.url, data=delivery.body, headers=headers, allow_redirects=False,
                    timeout=aiohttp.ClientTimeout(total=target.policy.timeout)) as response:
                status = response.status
                answer = await response.content.read(BODY_PREFIX_BYTES)
            outcome = "delivered" if 200 <= status < 300 else "rejected"
        except (asyncio.TimeoutError, aiohttp.ServerTimeoutError):
            outcome, error = "timeout", (f"no answer within {target.policy.timeout:g} s "
                                         "(the attempt timeout)")
        except aiohttp.ClientConnectorError as failure:
            refused = failure.os_error.errno == errno.ECONNREFUSED if failure.os_error else False
            outcome = "refused" if refused else "unreachable"
            error = f"cannot connect to {failure.host}:{failure.port}: " + (
                "connection refused" if refused else str(failure.os_error or failure))
        except aiohttp.ClientError as failure:
            outcome, error = "error", f"{type(failure).__name__}: {failure}"
        ended = started + (_real_monotonic() - real_start)
        attempt = Attempt(
            seq=self.outbox.next_seq(), delivery_id=delivery.id, event=delivery.event,
            attempt=number, url=sent.url, request_headers=headers,
            body_sha256=digest(delivery.body), body_size=len(delivery.body),
            body=delivery.body[:BODY_PREFIX_BYTES], t_start=started, t_end=ended,
            status=status, outcome=outcome, error=error, response_body=answer,
            fault=delivery.fault, expected=delivery.expected,
            final=final or outcome == "delivered", group=delivery.group,
            forgery="replay" if delivery.replay_of is not None else delivery.forgery,
            signed=target.scheme is not None)
        self.outbox.append(attempt)
        return attempt


def _spoil(value: str) -> str:
    """The same signature with one character changed: well-formed (``0``/``1`` are hex and
    base64 alike), wrong. The last one before any base64 padding."""
    body = value.rstrip("=")
    if not body:
        return "0"
    flipped = "1" if body[-1] == "0" else "0"
    return body[:-1] + flipped + value[len(body):]
