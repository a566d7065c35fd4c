"""What a webhook receiver did with the mock's deliveries, judged attempt by attempt.

Each check is a function from the attempts (the outbound journal, see
:mod:`contractkit.webhooks.outbox`) to a :class:`Blame` — one sentence and the attempts to
mark in the timeline — or None when the receiver behaved. A fault marks what a correct
receiver does with each attempt (``expected``: 2xx for a genuine delivery and its
duplicates, 4xx for a forged, stale or replayed copy); the checks compare the receiver's
answers with that. None passes when there is nothing to judge: each says which scenario
delivers what it needs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from contractkit.assertions.delivery_timeline import answer_of
from contractkit.webhooks.delivery import STALE_SECONDS
from contractkit.webhooks.faults import UNKNOWN_EVENT
from contractkit.webhooks.outbox import Attempt, Forged

_BAD_SIGNATURES: dict[Forged, str] = {
    "bad-signature": "one character of its signature changed",
    "wrong-secret": "signed with another secret",
    "missing-signature": "without any signature headers",
}


@dataclass(frozen=True)
class Blame:
    """What the receiver did wrong: one sentence, and the attempts to mark."""

    sentence: str
    marked: tuple[Attempt, ...] = ()


def _acknowledged(attempt: Attempt) -> bool:
    return attempt.status is not None and 200 <= attempt.status < 300


def _refused(attempt: Attempt) -> bool:
    return attempt.status is not None and 400 <= attempt.status < 500


def _genuine(attempts: Sequence[Attempt]) -> list[Attempt]:
    return [a for a in attempts if a.expected == "accept"]


def _no_answer(attempt: Attempt) -> str:
    """Why an attempt has no status, in words."""
    if attempt.outcome == "timeout":
        return "gave no answer within the attempt timeout"
    if attempt.outcome in ("refused", "unreachable"):
        return f"could not be reached ({attempt.error or attempt.outcome})"
    return f"could not be sent to ({attempt.error or attempt.outcome})"


def _signed(attempt: Attempt) -> str:
    return ", correctly signed" if attempt.signed else ""


def _nothing(what: str, scenario: str | None) -> Blame:
    how = (f"deliver under the {scenario} scenario" if scenario
           else "deliver an event to the receiver first (`deliver(event, to=url)`)")
    return Blame(f"no {what} to judge: {how}")


# -- answering fast ------------------------------------------------------------------------

def acknowledged_within(attempts: Sequence[Attempt], seconds: float) -> Blame | None:
    """Every genuine attempt was answered 2xx within ``seconds``. Strict: a provider's
    attempt timeout does not forgive a late answer, it retries (a duplicate)."""
    genuine = _genuine(attempts)
    if not genuine:
        return _nothing("genuine delivery", None)
    late = [a for a in genuine if a.status is not None and a.answer_seconds > seconds]
    unanswered = [a for a in genuine if a.status is None]
    refused = [a for a in genuine if a.status is not None and not _acknowledged(a)]
    if unanswered:
        first = unanswered[0]
        return Blame(f"{len(unanswered)} of {len(genuine)} genuine delivery attempt(s) were "
                     f"never acknowledged: the receiver {_no_answer(first)}", tuple(unanswered))
    if refused:
        first = refused[0]
        return Blame(f"answered {first.status} to a genuine{_signed(first)} delivery "
                     f"({first.event} {first.delivery_id}): {len(refused)} of {len(genuine)} "
                     "genuine attempt(s) were not acknowledged with a 2xx, so the provider "
                     "retries them and finally gives up", tuple(refused))
    if late:
        slowest = max(late, key=lambda a: a.answer_seconds)
        return Blame(f"acknowledged {len(late)} of {len(genuine)} genuine delivery attempt(s) "
                     f"later than {seconds:g} s (the slowest, {slowest.event} "
                     f"{slowest.delivery_id}, after {slowest.answer_seconds:.3f} s): providers "
                     "cut slow receivers off and deliver again; answer 2xx first and process "
                     "the event afterwards (a queue)", tuple(late))
    return None


# -- refusing forgeries --------------------------------------------------------------------

def _refuses(attempts: Sequence[Attempt], forged: list[Attempt],
             what: Callable[[Attempt], str], fix: str) -> Blame | None:
    """Each ``forged`` attempt got a 4xx, and the genuine ones a 2xx."""
    if not any(a.signed for a in attempts):
        return Blame("cannot be judged on signatures: the deliveries were not signed; give "
                     "the secret the receiver verifies with (`deliver(..., secret=...)`, "
                     "`--webhook-secret`), else a forged copy is no different from a "
                     "genuine one", tuple(forged))
    accepted = [a for a in forged if _acknowledged(a)]
    if accepted:
        first = accepted[0]
        return Blame(f"accepted {what(first)} with {first.status} ({first.event} "
                     f"{first.delivery_id}): {fix}", tuple(accepted))
    wrong = [a for a in forged if not _refused(a)]
    if wrong:
        first = wrong[0]
        answered = (f"answered {first.status} to" if first.status is not None
                    else f"{_no_answer(first)} for")
        return Blame(f"{answered} {what(first)} ({first.event} {first.delivery_id}): refuse "
                     "it with a 4xx (400, 401 or 403) at once; a 5xx or no answer asks the "
                     "provider to send it again", tuple(wrong))
    genuine = _genuine(attempts)
    copies = [a for a in genuine if _refused(a) and _is_copy(a)]
    if copies:
        first = copies[0]
        return Blame(f"rejected a duplicate of delivery {first.delivery_id} ({first.event}, "
                     f"the same id, signed anew) with {first.status} as if it were a replay: "
                     "providers deliver at least once and send a delivery again when they "
                     "missed the answer; answer 2xx and do nothing, and refuse only a "
                     "signature seen before", tuple(copies))
    rejected = [a for a in genuine if _refused(a)]
    if rejected:
        first = rejected[0]
        return Blame(f"rejected a genuine{_signed(first)} delivery with {first.status} "
                     f"({first.event} {first.delivery_id}): it verifies something "
                     "other than the exact bytes that were signed (re-serialised JSON is not "
                     "the same bytes) or uses another secret", tuple(rejected))
    if not any(_acknowledged(a) for a in genuine):
        return Blame("acknowledged no genuine delivery: refusing everything is not verifying "
                     "(answers: " + ", ".join(answer_of(a) for a in genuine[:5]) + ")",
                     tuple(genuine))
    return None


def rejected_bad_signature(attempts: Sequence[Attempt]) -> Blame | None:
    forged = [a for a in attempts if a.forgery in _BAD_SIGNATURES]
    if not forged:
        return _nothing("delivery with a bad signature", "webhook-forged")

    def what(attempt: Attempt) -> str:
        assert attempt.forgery is not None
        return (f"a forged delivery ({attempt.forgery}: "
                f"{_BAD_SIGNATURES[attempt.forgery]})")

    return _refuses(attempts, forged, what,
                    "anyone who knows the URL can post events to this receiver; verify the "
                    "signature over the raw request body before acting on it, and answer 4xx "
                    "when it does not match")


def rejected_stale(attempts: Sequence[Attempt]) -> Blame | None:
    stale = [a for a in attempts if a.forgery == "stale-timestamp"]
    if not stale:
        return _nothing("delivery with a stale timestamp", "webhook-forged")
    return _refuses(attempts, stale,
                    lambda _: f"a delivery signed {STALE_SECONDS // 60} minutes ago "
                              "(stale-timestamp, correctly signed)",
                    "whoever captured an old request can replay it; refuse a signed "
                    "timestamp older than your tolerance (5 minutes is usual)")


def rejected_replay(attempts: Sequence[Attempt]) -> Blame | None:
    replays = [a for a in attempts if a.forgery == "replay"]
    if not replays:
        return _nothing("replayed delivery", "webhook-forged")
    return _refuses(attempts, replays,
                    lambda a: "an exact replay of an acknowledged delivery (the same bytes "
                              "and signature headers)",
                    "remember the signatures (or id and timestamp) of the deliveries seen "
                    "within the timestamp tolerance and refuse a repeat; a duplicate the "
                    "provider re-signs is answered 2xx, a byte-for-byte copy is refused")


# -- duplicates, drift, order --------------------------------------------------------------

def duplicates(attempts: Sequence[Attempt]) -> tuple[list[str], Blame | None]:
    """The ids delivered more than once and acknowledged, and a blame when a copy was not
    answered 2xx (the provider keeps sending what it thinks failed)."""
    genuine = _genuine(attempts)
    copies: dict[str, list[Attempt]] = {}
    for attempt in genuine:
        copies.setdefault(attempt.delivery_id, []).append(attempt)
    repeated = [key for key, sent in copies.items() if len(sent) > 1]
    if not repeated:
        return [], _nothing("duplicate delivery (one id sent twice)", "webhook-duplicates")
    unacknowledged = [a for key in repeated for a in copies[key]
                      if not _acknowledged(a) and _is_copy(a)]
    if unacknowledged:
        first = unacknowledged[0]
        answered = (f"answered {first.status} to" if first.status is not None
                    else f"{_no_answer(first)} for")
        return repeated, Blame(
            f"{answered} a duplicate of delivery {first.delivery_id} ({first.event}, the same "
            "id again): a provider that sees no 2xx sends it again and again; answer 2xx and "
            "do nothing the second time", tuple(unacknowledged))
    return repeated, None


def _is_copy(attempt: Attempt) -> bool:
    fault = attempt.fault or ""
    return "duplicate" in fault or "redeliver" in fault


def distinct_acknowledged(attempts: Sequence[Attempt]) -> list[str]:
    """The delivery ids a receiver that applies each event once has applied."""
    seen: dict[str, None] = {}
    for attempt in attempts:
        if attempt.expected != "reject" and attempt.event != UNKNOWN_EVENT \
                and _acknowledged(attempt):
            seen.setdefault(attempt.delivery_id)
    return list(seen)


def tolerated_unknown_events(attempts: Sequence[Attempt]) -> Blame | None:
    drifted = [a for a in attempts if a.event == UNKNOWN_EVENT
               or (a.fault or "").startswith("drift=")]
    if not drifted:
        return _nothing("delivery of an unknown event type or drifted payload",
                        "webhook-chaos (or a `drift` fault)")
    broken = [a for a in drifted if not _acknowledged(a)]
    if not broken:
        return None
    first = broken[0]
    kind = ("an event type it does not know (type " + repr(UNKNOWN_EVENT) + ")"
            if first.event == UNKNOWN_EVENT
            else f"a payload the contract does not quite describe ({first.fault})")
    answered = (f"answered {first.status} to" if first.status is not None
                else f"{_no_answer(first)} for")
    return Blame(f"{answered} {kind}: providers add event types and fields without notice "
                 "and retry a failed delivery for days; answer 2xx and ignore what you do "
                 "not handle", tuple(broken))


def out_of_order(attempts: Sequence[Attempt]) -> tuple[list[Attempt], Blame | None]:
    """The genuine attempts delivered out of order, and a blame when one was not
    acknowledged."""
    reordered = [a for a in _genuine(attempts) if "out_of_order" in (a.fault or "")
                 and a.event != UNKNOWN_EVENT]
    if not reordered:
        return [], _nothing("out-of-order delivery", "webhook-out-of-order")
    broken = [a for a in reordered if not _acknowledged(a)]
    if broken:
        first = broken[0]
        answered = (f"answered {first.status} to" if first.status is not None
                    else f"{_no_answer(first)} for")
        return reordered, Blame(
            f"{answered} {first.event} ({first.delivery_id}), delivered out of order: "
            "acknowledge every event when it arrives, and order by the event's own sequence "
            "or time (or fetch the current state), never by arrival", tuple(broken))
    return reordered, None
