"""Attempts and logical operations: how the journal's requests are grouped for assertions.

A *logical operation* is one thing the client meant to do ("create this payment", "get
that payment"); each request it sent for it is an *attempt*. The journal does not know the
client's intent, so attempts are grouped by these rules, walking entries in the order their
headers arrived (``t_headers``, then ``seq``):

1. An entry whose answer was unsuccessful (no status: a transport fault, a hang or a client
   disconnect; or a status ≥ 400) leaves its logical operation *open*: the client may retry.
   A successful answer (status < 400) *closes* it.
2. A new entry joins the most recent open operation that has either the same
   ``logical_key`` (its Idempotency-Key if sent, else method + path + body hash) or the same
   *request identity* (method, path, query and body hash, headers ignored). The second
   rule keeps a retry in its operation even when the client changed its Idempotency-Key or
   refreshed its token, which is exactly what some assertions look for.
3. Otherwise the entry starts a new logical operation.

So two successful ``GET /payments/x`` are two operations, and ``GET`` → 503, ``GET`` → 200
is one operation with two attempts. A client that gives up and later makes the same
request again is counted as retrying it: keep such tests to one logical call per request
identity, or filter the entries.
"""

from __future__ import annotations

import email.utils
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from contractkit.journal import JournalEntry

#: methods that may be repeated without changing the outcome (RFC 9110 §9.2.2)
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})


@dataclass(frozen=True)
class LogicalOperation:
    """The attempts of one logical operation, in order."""

    attempts: tuple[JournalEntry, ...]

    @property
    def first(self) -> JournalEntry:
        return self.attempts[0]

    @property
    def retries(self) -> Iterable[tuple[JournalEntry, JournalEntry]]:
        """(previous attempt, next attempt) pairs."""
        return pairwise(self.attempts)


def request_identity(entry: JournalEntry) -> tuple[str, str, tuple[tuple[str, str], ...], str]:
    return (entry.method, entry.path, entry.query, entry.request_body_sha256)


def unsuccessful(entry: JournalEntry) -> bool:
    """No status (transport fault, hang, disconnect) or a 4xx/5xx answer."""
    return entry.status is None or entry.status >= 400


def failed(entry: JournalEntry) -> bool:
    """What a circuit breaker counts: no status, or a 5xx answer."""
    return entry.status is None or entry.status >= 500


def answer_end(entry: JournalEntry) -> float:
    """When the client had the whole answer (or left): the end of the response, else the
    disconnect, else the start of the response, else the end of the request body."""
    for moment in (entry.t_resp_end, entry.t_disconnect, entry.t_resp_start):
        if moment is not None:
            return moment
    return entry.t_body_end


def answer_start(entry: JournalEntry) -> float:
    """When the answer began (else when the request arrived): the client cannot have slept
    for a retry before this, even if the server records the answer's end a moment after the
    client has it."""
    return entry.t_resp_start if entry.t_resp_start is not None else entry.t_headers


def in_order(entries: Iterable[JournalEntry]) -> list[JournalEntry]:
    return sorted(entries, key=lambda e: (e.t_headers, e.seq))


def group(entries: Sequence[JournalEntry]) -> list[LogicalOperation]:
    """Group entries (already in order) into logical operations (see the module docstring)."""
    groups: list[list[JournalEntry]] = []
    # the open operations by the keys of their last attempt, and when that was (O(1) each)
    by_key: dict[str, int] = {}
    by_identity: dict[tuple[str, str, tuple[tuple[str, str], ...], str], int] = {}
    last_seen: dict[int, int] = {}
    for position, entry in enumerate(entries):
        identity = request_identity(entry)
        candidates = [i for i in (by_key.get(entry.logical_key), by_identity.get(identity))
                      if i is not None]
        if candidates:
            joined = max(candidates, key=last_seen.__getitem__)
            last = groups[joined][-1]
            if by_key.get(last.logical_key) == joined:
                del by_key[last.logical_key]
            if by_identity.get(request_identity(last)) == joined:
                del by_identity[request_identity(last)]
            groups[joined].append(entry)
        else:
            groups.append([entry])
            joined = len(groups) - 1
        last_seen[joined] = position
        if unsuccessful(entry):
            by_key[entry.logical_key] = joined
            by_identity[identity] = joined
    return [LogicalOperation(tuple(attempts)) for attempts in groups]


def header(entry: JournalEntry, name: str, *, response: bool = False) -> str | None:
    """A request (or response) header, looked up case-insensitively."""
    headers = entry.response_headers if response else entry.request_headers
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)


def retry_after_seconds(value: str, *, sent_at_unix: float) -> float | None:
    """``Retry-After`` as a delay: delay-seconds, or an HTTP-date minus when the answer was
    sent (``sent_at_unix``). None if it is neither."""
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - sent_at_unix)
