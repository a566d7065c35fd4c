"""Checks about what the client sent and which answers it retried (DESIGN §6).

Each check takes an :class:`~contractkit.assertions.observation.Observation` and returns a
:class:`~contractkit.assertions.observation.Finding` when the client misbehaved, else None.
Attempts are grouped into logical operations as :mod:`~contractkit.assertions.attempts`
describes. A check that the recorded requests cannot exercise (no answer carried
``Retry-After``, no 401 happened) reports that too: a test that proves nothing should not
pass silently.
"""

from __future__ import annotations

from collections.abc import Collection
from itertools import pairwise

from contractkit.assertions.attempts import (
    IDEMPOTENT_METHODS,
    answer_end,
    header,
    retry_after_seconds,
)
from contractkit.assertions.observation import Finding, Observation
from contractkit.assertions.timeline import describe_answer
from contractkit.errors import ConfigError
from contractkit.journal import JournalEntry

#: client errors that the same request will meet again: retrying them is pointless
NOT_RETRYABLE = frozenset({400, 401, 403, 404, 422})


def _request(entry: JournalEntry) -> str:
    return f"{entry.method} {entry.path}"


def _times(n: int) -> str:
    return "once" if n == 1 else "twice" if n == 2 else f"{n} times"


def called(seen: Observation, times: int | None, at_least: int | None,
           at_most: int | None) -> Finding | None:
    count = len(seen.entries)
    problems = []
    if times is not None and count != times:
        problems.append(f"exactly {_times(times)}")
    if at_least is not None and count < at_least:
        problems.append(f"at least {_times(at_least)}")
    if at_most is not None and count > at_most:
        problems.append(f"at most {_times(at_most)}")
    if not problems:
        return None
    return Finding(f"was called {_times(count) if count else 'never'}, expected "
                   + " and ".join(problems) + " (every attempt counts, retries included)")


def honoured_retry_after(seen: Observation) -> Finding | None:
    answered = [e for e in seen.entries if header(e, "Retry-After", response=True)]
    if not answered:
        return Finding("no answer carried Retry-After, so there was nothing to honour; use a "
                       "scenario with `status: {code: 503, retry_after: 1s}` or a rate limit")
    for operation in seen.operations:
        for previous, attempt in operation.retries:
            value = header(previous, "Retry-After", response=True)
            if value is None:
                continue
            finding = _retry_after_finding(seen, previous, attempt, value)
            if finding is not None:
                return finding
    return None


def _retry_after_finding(seen: Observation, previous: JournalEntry, attempt: JournalEntry,
                         value: str) -> Finding | None:
    gap = attempt.t_headers - answer_end(previous)
    if value.strip().isdigit():
        needed = float(value.strip())
        if seen.tolerance.at_least(gap, needed):
            return None
        return Finding(
            f"retried after {gap:.2f} s although the {previous.status} said "
            f"Retry-After: {value} (wait at least {needed:.2f} s after the answer "
            "before sending the next attempt)", (previous, attempt))
    # an HTTP-date is a moment, whole seconds on the server's clock: the retry may start at
    # that moment, however long the answer took to arrive
    sent = previous.t_resp_start if previous.t_resp_start is not None \
        else answer_end(previous)
    until = retry_after_seconds(value, sent_at_unix=sent + seen.unix_offset)
    if until is None:
        return None
    if seen.tolerance.at_least(attempt.t_headers, sent + until):
        return None
    early = sent + until - attempt.t_headers
    return Finding(
        f"retried {early:.3f} s before the date its {previous.status} gave (Retry-After: "
        f"{value}, {until:.2f} s after the answer was sent; it retried after {gap:.2f} s): "
        "wait until that date before sending the next attempt", (previous, attempt))


def _could_retry(entry: JournalEntry) -> bool:
    """An answer a client may retry: none at all, a 5xx, a 408 or a 429."""
    return entry.status is None or entry.status >= 500 or entry.status in (408, 429)


def _statuses(statuses: Collection[int]) -> str:
    codes = sorted(statuses)
    return ", ".join(map(str, codes[:-1])) + (" or " if len(codes) > 1 else "") + str(codes[-1])


def retried_only_idempotent(seen: Observation) -> Finding | None:
    if not any(_could_retry(e) for e in seen.entries):
        return Finding(
            f"no answer failed ({len(seen.entries)} request(s), none got a 5xx, 408, 429 or "
            "no answer), so the client had nothing to retry and this proves nothing; use a "
            "scenario that fails (server-errors, flaky, or `status: 503` on the operation)")
    for operation in seen.operations:
        for previous, attempt in operation.retries:
            if attempt.method in IDEMPOTENT_METHODS or header(attempt, "Idempotency-Key"):
                continue
            return Finding(
                f"retried {_request(attempt)} without an Idempotency-Key after "
                f"{describe_answer(previous)}: the first attempt may already have been "
                "applied, so the retry can do it twice; retry only idempotent methods "
                "(GET, HEAD, PUT, DELETE, OPTIONS) or send an Idempotency-Key",
                (previous, attempt))
    return None


def no_retry_on(seen: Observation, statuses: Collection[int]) -> Finding | None:
    if not statuses:
        raise ConfigError("no_retry_on() needs at least one status code")
    if not any(e.status in statuses for e in seen.entries):
        return Finding(
            f"no answer was a {_statuses(statuses)} ({len(seen.entries)} request(s)), so "
            "there was nothing the client should not retry and this proves nothing; use a "
            "scenario that answers one (e.g. `status: 404` on the operation), or check that "
            "its rule fired")
    for operation in seen.operations:
        for previous, attempt in operation.retries:
            if previous.status not in statuses:
                continue
            if previous.status == 401 and (header(previous, "Authorization")
                                           != header(attempt, "Authorization")):
                continue  # a retry with a refreshed credential is a new request
            return Finding(
                f"retried {_request(attempt)} after a {previous.status}: the same request "
                f"will get the same {previous.status} again; surface the error to the "
                "caller instead of retrying", (previous, attempt))
    return None


def idempotency_key_stable(seen: Observation, name: str) -> Finding | None:
    if not seen.entries:
        return Finding("sent no requests, so no idempotency key could be checked")
    missing = [e for e in seen.entries if not header(e, name)]
    if missing:
        return Finding(f"sent {_request(missing[0])} without an {name} header (or with an "
                       "empty one); generate a key once per logical operation and send it "
                       "with every attempt", tuple(missing))
    owners: dict[str, int] = {}
    for index, operation in enumerate(seen.operations):
        keys = [header(a, name) or "" for a in operation.attempts]
        for (previous, before), (attempt, after) in pairwise(zip(operation.attempts, keys,
                                                                 strict=True)):
            if before != after:
                return Finding(
                    f"changed its {name} between attempts of one operation ({before!r}, "
                    f"then {after!r}): the provider sees a new operation and may apply it "
                    "twice; reuse the key for every retry", (previous, attempt))
            if previous.request_body_sha256 != attempt.request_body_sha256:
                return Finding(
                    f"reused {name} {after!r} for a request with a different body: the "
                    "provider answers 409 or replays the first result; generate a fresh "
                    "key per operation", (previous, attempt))
        earlier = owners.setdefault(keys[0], index)
        if earlier != index:
            return Finding(
                f"reused {name} {keys[0]!r} for two different operations: the provider "
                "would replay the first result for the second; generate a fresh key per "
                "operation", (seen.operations[earlier].first, operation.first))
    return None


def _invalid_token(entry: JournalEntry) -> bool:
    challenge = header(entry, "WWW-Authenticate", response=True) or ""
    return entry.status == 401 and "invalid_token" in challenge


def refreshed_token(seen: Observation, name: str) -> Finding | None:
    if not any(_invalid_token(e) for e in seen.entries):
        return Finding('no answer was a 401 with WWW-Authenticate: Bearer '
                       'error="invalid_token", so no refresh was needed; use the '
                       "`token_expired: {after_uses: N}` fault")
    for operation in seen.operations:
        attempts = operation.attempts
        for index, refused in enumerate(attempts):
            if not _invalid_token(refused):
                continue
            following = attempts[index + 1] if index + 1 < len(attempts) else None
            if following is None:
                if index == 0 or not _invalid_token(attempts[index - 1]):
                    return Finding(
                        f"gave up on {_request(refused)} after a 401 (invalid_token) instead "
                        "of refreshing its token and retrying once", (refused,))
                continue
            if header(following, name) == header(refused, name):
                return Finding(
                    f"retried {_request(following)} with the same {name} after a 401 "
                    "(invalid_token): the token had expired; refresh it before retrying",
                    (refused, following))
            if index > 0 and _invalid_token(attempts[index - 1]):
                return Finding(
                    f"retried {_request(following)} again after its refreshed token was "
                    "refused too: refresh and retry once per 401, then surface the error",
                    (attempts[index - 1], refused, following))
    return None


def carried_header(seen: Observation, name: str) -> Finding | None:
    if not seen.entries:
        return Finding(f"sent no requests, so none carried {name}")
    missing = [e for e in seen.entries if not header(e, name)]
    if not missing:
        return None
    first = missing[0]
    return Finding(
        f"sent {_request(first)} without {name} ({len(missing)} of {len(seen.entries)} "
        "requests lacked it); set it on every request, retries included", tuple(missing))
