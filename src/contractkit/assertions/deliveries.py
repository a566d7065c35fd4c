"""``Deliveries``: chainable assertions on what a webhook receiver did with the mock's
deliveries (DESIGN §6, issue 15).

>>> server.deliver("paymentSucceeded", to=url)               # doctest: +SKIP
>>> hooks = server.deliveries("paymentSucceeded")              # doctest: +SKIP
>>> hooks.acknowledged_within(2.0).rejected_bad_signature()    # doctest: +SKIP

Each method returns the same ``Deliveries`` when the receiver behaved, or raises
:class:`~contractkit.errors.ContractViolation`: one sentence saying what the receiver did
wrong, then the timeline of the attempts (:mod:`~contractkit.assertions.delivery_timeline`).
The checks themselves are in :mod:`~contractkit.assertions.receiver`. Pytest-free.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import NoReturn

from contractkit.assertions import receiver
from contractkit.assertions.delivery_timeline import render_deliveries
from contractkit.assertions.receiver import Blame
from contractkit.errors import ContractViolation
from contractkit.webhooks.outbox import Attempt

#: bound at import: virtual time patches ``time.monotonic``; a receiver's own work is real
_real_monotonic = time.monotonic
#: how often an ``effect`` or ``state`` is read while waiting for it
POLL_SECONDS = 0.01
_UNSET = object()


def related(attempts: Iterable[Attempt], events: Sequence[str] | None) -> list[Attempt]:
    """The attempts of ``events`` (all, with None), and the copies a fault derived from
    them under another event name (an unknown event type), oldest first."""
    chosen = sorted(attempts, key=lambda a: a.seq)
    if events is None:
        return chosen
    ids = {a.delivery_id for a in chosen if a.event in events}
    return [a for a in chosen if a.event in events or a.delivery_id in ids or a.group in ids]


class Deliveries:
    """The delivery attempts of some events (all, with ``events=None``), judged.

    ``attempts``: outbound journal entries (``MockServer.outbox.attempts()``); the copies
    a fault derived from them are judged with them.
    """

    def __init__(self, attempts: Iterable[Attempt], *,
                 events: str | Sequence[str] | None = None) -> None:
        self.events = (events,) if isinstance(events, str) else (
            tuple(events) if events is not None else None)
        self.attempts: tuple[Attempt, ...] = tuple(related(attempts, self.events))

    def __repr__(self) -> str:
        which = ", ".join(self.events) if self.events else "all events"
        ids = {a.delivery_id for a in self.attempts}
        return f"Deliveries({which}: {len(self.attempts)} attempts of {len(ids)} deliveries)"

    def __len__(self) -> int:
        return len(self.attempts)

    def _check(self, blame: Blame | None) -> Deliveries:
        __tracebackhide__ = True
        if blame is not None:
            self._fail(blame)
        return self

    def _fail(self, blame: Blame) -> NoReturn:
        __tracebackhide__ = True
        subject = f"{', '.join(self.events)}: " if self.events else ""
        timeline = render_deliveries(self.attempts, marked={a.seq for a in blame.marked})
        raise ContractViolation(f"{subject}the receiver {blame.sentence}\n\n{timeline}")

    # -- answers -----------------------------------------------------------------------

    def acknowledged_within(self, seconds: float) -> Deliveries:
        """Every genuine attempt (and duplicate) was answered 2xx within ``seconds``."""
        __tracebackhide__ = True
        return self._check(receiver.acknowledged_within(self.attempts, seconds))

    def rejected_bad_signature(self) -> Deliveries:
        """Copies with a wrong signature, another secret's or none got a 4xx; the genuine
        deliveries a 2xx."""
        __tracebackhide__ = True
        return self._check(receiver.rejected_bad_signature(self.attempts))

    def rejected_stale(self) -> Deliveries:
        """A correctly signed copy with an old timestamp got a 4xx; the genuine ones 2xx."""
        __tracebackhide__ = True
        return self._check(receiver.rejected_stale(self.attempts))

    def rejected_replay(self) -> Deliveries:
        """A byte-for-byte copy of an acknowledged request got a 4xx; genuine ones 2xx."""
        __tracebackhide__ = True
        return self._check(receiver.rejected_replay(self.attempts))

    def tolerated_unknown_events(self) -> Deliveries:
        """Deliveries of an event type the receiver does not know, and payloads with extra
        or missing optional fields, were answered 2xx."""
        __tracebackhide__ = True
        return self._check(receiver.tolerated_unknown_events(self.attempts))

    # -- effects -----------------------------------------------------------------------

    def processed_once(self, effect: Callable[[], object], *, expected: object = _UNSET,
                       within: float = 2.0) -> Deliveries:
        """Duplicates (one id delivered again) were answered 2xx and applied once.

        ``effect()`` tells what the receiver applied: a count (compared with the number of
        distinct deliveries acknowledged), or any state when ``expected`` says which. It is
        read until it matches, for at most ``within`` real seconds, so a receiver that
        acknowledges first and processes afterwards has the time to; a count above the
        expected one fails at once.
        """
        __tracebackhide__ = True
        repeated, blame = receiver.duplicates(self.attempts)
        self._check(blame)
        distinct = receiver.distinct_acknowledged(self.attempts)
        target = len(distinct) if expected is _UNSET else expected
        value, matched = _settle(effect, target, within, counting=expected is _UNSET)
        if not matched:
            copies = sum(1 for a in self.attempts if a.delivery_id in repeated and a.ok)
            if expected is _UNSET:
                sentence = (f"applied the events {value!r} times, for {target} distinct "
                            f"deliver{'y' if target == 1 else 'ies'} acknowledged ({copies} "
                            f"acknowledged copies of {len(repeated)} id(s) sent more than "
                            "once)")
            else:
                sentence = (f"left the effect at {value!r}, expected {target!r} after "
                            f"{len(distinct)} distinct deliveries ({copies} acknowledged "
                            f"copies of {len(repeated)} id(s) sent more than once)")
            late = "" if _exceeds(value, target) else f" (read for {within:g} s)"
            self._fail(Blame(sentence + late + ": deduplicate by the delivery id "
                             "(webhook-id, the event's id) before acting, and store the id "
                             "with the effect in one transaction",
                             tuple(a for a in self.attempts if a.delivery_id in repeated)))
        return self

    def handled_out_of_order(self, state: Callable[[], object] | None = None, *,
                             expected: object = _UNSET, within: float = 2.0) -> Deliveries:
        """Related events delivered newest first were each acknowledged, and — given
        ``state`` and ``expected`` — the receiver ends in the state the newest event says
        (``state()`` read until it matches, for at most ``within`` real seconds)."""
        __tracebackhide__ = True
        if (state is None) != (expected is _UNSET):
            raise TypeError("handled_out_of_order(): give both `state` (a callable) and "
                            "`expected` (the state the newest event leaves), or neither")
        reordered, blame = receiver.out_of_order(self.attempts)
        self._check(blame)
        if state is None:
            return self
        value, matched = _settle(state, expected, within, counting=False)
        if not matched:
            newest = reordered[0]
            order = " then ".join(dict.fromkeys(a.event for a in reordered))
            self._fail(Blame(
                f"ended in state {value!r}, not {expected!r}, after the events arrived "
                f"newest first ({order}): it applied them in the order they arrived; order "
                "by the event's own sequence or time (or fetch the current state), so an "
                f"older event never overwrites a newer one (read for {within:g} s)",
                (newest,)))
        return self


def _exceeds(value: object, target: object) -> bool:
    return isinstance(value, int) and isinstance(target, int) and value > target


def _settle(read: Callable[[], object], target: object, within: float, *,
            counting: bool) -> tuple[object, bool]:
    """Read ``read()`` until it equals ``target`` (or, counting, exceeds it), at most
    ``within`` real seconds; the last value and whether it matched."""
    deadline = _real_monotonic() + within
    pause = threading.Event()
    while True:
        value = read()
        if counting and not isinstance(value, int):
            raise TypeError(f"processed_once(effect=...): effect() returned {value!r}; "
                            "return a count, or give `expected=` the state to compare with")
        if value == target:
            return value, True
        if _exceeds(value, target) or _real_monotonic() >= deadline:
            return value, False
        pause.wait(POLL_SECONDS)  # a real wait: the receiver's worker runs meanwhile
