"""The journal: every exchange the mock server had, as data, with secrets redacted.

It is the source of truth for every consumer assertion, so each entry carries the
measurement basis of DESIGN §6: one clock for all timestamps, the connection, the session,
the operation, what was asked and answered, and the contract violations found.
Entries live in one bounded ring buffer, indexed per session; appending is O(1), and an
entry the ring evicts leaves its session too, so a client that sends a new session per
request cannot grow the journal. Bodies are kept as a bounded prefix with their size and
digest. The server appends a :class:`Record` (the raw exchange); hashing, redaction and
the frozen :class:`JournalEntry` happen when someone reads it, off the request path.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from contractkit._http import HttpRequest
from contractkit.contract.validation import Violation

DEFAULT_CAPACITY = 10_000
#: How much of each body an entry keeps (the size and digest are of the whole body).
BODY_PREFIX_BYTES = 64 * 1024
#: Headers whose values are credentials, always redacted (lower-case).
SECRET_HEADERS = frozenset({
    "authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "api-key",
    "x-auth-token", "x-access-token",
})


def fingerprint(secret: str) -> str:
    """A redacted stand-in that still tells two credentials apart (for token assertions)."""
    digest = hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"[redacted sha256:{digest}]"


def readable(text: str) -> str:
    """``text`` with the bytes that were not UTF-8 (kept by the HTTP parser as surrogate
    escapes) written as ``\\xff``, so that any request can be shown and serialised."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return text


def redact_headers(headers: Mapping[str, str], extra: Iterable[str] = ()) -> dict[str, str]:
    secret = SECRET_HEADERS | {name.lower() for name in extra}
    return {readable(name): fingerprint(value) if name.lower() in secret else readable(value)
            for name, value in headers.items()}


_SECRET_QUERY = frozenset({"api_key", "apikey", "access_token", "token"})


def redact_query(query: Iterable[tuple[str, str]],
                 secret_names: Iterable[str] = ()) -> tuple[tuple[str, str], ...]:
    names = {name.lower() for name in secret_names} | _SECRET_QUERY
    return tuple((readable(k), fingerprint(v) if k.lower() in names else readable(v))
                 for k, v in query)


#: JSON members whose values are credentials or card secrets, redacted when bodies are
#: written out (lower-case; ``-`` and ``_`` alike)
SECRET_FIELDS = frozenset({
    "password", "passwd", "secret", "client_secret", "token", "access_token",
    "refresh_token", "id_token", "api_key", "apikey", "cvc", "cvv", "pin",
})


def redact_json(value: Any, extra: Iterable[str] = ()) -> Any:
    """``value`` (decoded JSON) with the strings of secret-named members fingerprinted."""
    names = SECRET_FIELDS | {name.lower().replace("-", "_") for name in extra}
    if isinstance(value, dict):
        return {key: fingerprint(item) if isinstance(item, str)
                and key.lower().replace("-", "_") in names
                else redact_json(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_json(item, names) for item in value]
    return value


@dataclass(frozen=True)
class JournalEntry:
    """One exchange. Timestamps are seconds on the server's clock (monotonic, plus any
    virtual seconds slept), so gaps between entries are exact."""

    seq: int
    session: str
    connection_id: int
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    request_headers: Mapping[str, str]
    request_body_size: int
    request_body_sha256: str
    operation_id: str | None
    mount: str
    status: int | None
    response_headers: Mapping[str, str]
    response_body_size: int
    response_body_sha256: str
    t_headers: float
    t_body_end: float
    t_resp_start: float | None
    t_resp_end: float | None
    t_disconnect: float | None = None
    violations: tuple[Violation, ...] = ()
    correlation_id: str = ""
    client: str = ""
    #: Idempotency-Key if sent, else method + path + body hash: attempts of one logical call
    logical_key: str = ""
    #: The fault injected, and the scenario rule that fired (None when served normally)
    fault: str | None = None
    rule: str | None = None
    #: Why the request was not routed: "not-found", "method-not-allowed", "abandoned" ...
    outcome: str = "served"
    request_body_preview: str = field(default="", repr=False)
    #: the bodies as journalled (at most :data:`BODY_PREFIX_BYTES` each), unredacted:
    #: whoever writes them out redacts them (:func:`redact_json`)
    request_body: bytes = field(default=b"", repr=False)
    response_body: bytes = field(default=b"", repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq, "session": self.session, "connection_id": self.connection_id,
            "method": self.method, "path": self.path, "query": [list(p) for p in self.query],
            "request_headers": dict(self.request_headers),
            "request_body_size": self.request_body_size,
            "request_body_sha256": self.request_body_sha256,
            "operation_id": self.operation_id, "mount": self.mount, "status": self.status,
            "response_headers": dict(self.response_headers),
            "response_body_size": self.response_body_size,
            "response_body_sha256": self.response_body_sha256,
            "t_headers": self.t_headers, "t_body_end": self.t_body_end,
            "t_resp_start": self.t_resp_start, "t_resp_end": self.t_resp_end,
            "t_disconnect": self.t_disconnect,
            "violations": [{"location": v.location, "pointer": v.pointer, "message": v.message}
                           for v in self.violations],
            "correlation_id": self.correlation_id, "client": self.client,
            "logical_key": self.logical_key, "fault": self.fault, "rule": self.rule,
            "outcome": self.outcome,
        }


@dataclass(eq=False, slots=True)
class Record:
    """One exchange as the server saw it, before redaction. The journal keeps these and
    turns each into a :class:`JournalEntry` when read; ``t_resp_end`` and ``t_disconnect``
    are filled in after the response left."""

    session: str
    connection_id: int
    request: HttpRequest
    operation_id: str | None
    mount: str
    status: int | None
    response_headers: Mapping[str, str]
    response_body: bytes
    t_headers: float
    t_body_end: float
    t_resp_start: float | None
    violations: tuple[Violation, ...] = ()
    correlation_id: str = ""
    client: str = ""
    outcome: str = "served"
    fault: str | None = None
    rule: str | None = None
    secret_headers: frozenset[str] = frozenset()
    secret_query: frozenset[str] = frozenset()
    t_resp_end: float | None = None
    t_disconnect: float | None = None
    seq: int = 0
    #: when the request's first byte arrived (None: not known); a reset between it and
    #: ``t_headers`` leaves the exchange to the journal that was cleared
    t_start: float | None = None
    #: the real monotonic time at ``t_resp_start`` (the server measures the send with it)
    real_start: float = 0.0
    #: size and digest of a body cut to its prefix (-1 and "": the body is whole)
    request_body_size: int = -1
    request_body_sha256: str = ""
    response_body_size: int = -1
    response_body_sha256: str = ""
    _entry: JournalEntry | None = None

    def bound_bodies(self) -> None:
        """Keep at most :data:`BODY_PREFIX_BYTES` of each body, with its size and digest."""
        body = self.request.body
        if len(body) > BODY_PREFIX_BYTES:
            self.request_body_size = len(body)
            self.request_body_sha256 = hashlib.sha256(body).hexdigest()
            self.request = replace(self.request, body=body[:BODY_PREFIX_BYTES])
        body = self.response_body
        if len(body) > BODY_PREFIX_BYTES:
            self.response_body_size = len(body)
            self.response_body_sha256 = hashlib.sha256(body).hexdigest()
            self.response_body = body[:BODY_PREFIX_BYTES]

    def entry(self) -> JournalEntry:
        """The redacted, frozen entry (cached once the exchange is complete)."""
        if self._entry is not None:
            return self._entry
        # read once: the server thread may stamp the end while this runs, and an entry
        # built without it must not be cached as the final one
        t_resp_end, t_disconnect = self.t_resp_end, self.t_disconnect
        request = self.request
        body_hash = self.request_body_sha256 or hashlib.sha256(request.body).hexdigest()
        idempotency = request.headers.get("idempotency-key")
        path = readable(request.path)
        entry = JournalEntry(
            seq=self.seq, session=readable(self.session), connection_id=self.connection_id,
            method=readable(request.method), path=path,
            query=redact_query(request.query, self.secret_query),
            request_headers=redact_headers(request.headers, self.secret_headers),
            request_body_size=(self.request_body_size if self.request_body_size >= 0
                               else len(request.body)),
            request_body_sha256=body_hash,
            operation_id=self.operation_id, mount=self.mount, status=self.status,
            response_headers=redact_headers(self.response_headers),
            response_body_size=(self.response_body_size if self.response_body_size >= 0
                                else len(self.response_body)),
            response_body_sha256=(self.response_body_sha256
                                  or hashlib.sha256(self.response_body).hexdigest()),
            t_headers=self.t_headers, t_body_end=self.t_body_end,
            t_resp_start=self.t_resp_start, t_resp_end=t_resp_end,
            t_disconnect=t_disconnect, violations=self.violations,
            correlation_id=readable(self.correlation_id), client=self.client,
            logical_key=(readable(idempotency) if idempotency
                         else f"{request.method} {path} {body_hash[:16]}"),
            fault=self.fault, rule=self.rule, outcome=self.outcome,
            request_body=request.body, response_body=self.response_body,
        )
        if t_resp_end is not None:
            self._entry = entry
        return entry


def _entry(item: JournalEntry | Record) -> JournalEntry:
    return item.entry() if isinstance(item, Record) else item


class Journal:
    """Thread-safe bounded record of exchanges, overall and per session.

    ``dropped`` counts the entries evicted to make room since the last full clear."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        #: threads in :meth:`_wait` (an append wakes them; with none it skips the notify)
        self._waiters = 0
        self._all: deque[JournalEntry | Record] = deque(maxlen=capacity)
        self._sessions: dict[str, deque[JournalEntry | Record]] = {}
        self._seq = 0
        self._dropped = 0
        #: exchanges whose first byte (else headers) arrived before this moment (the last
        #: full clear) belong to the journal that was cleared: one still in flight then is
        #: not recorded after
        self._cleared_at = float("-inf")

    @property
    def dropped(self) -> int:
        """Entries evicted to make room since the last full clear."""
        return self._dropped

    def append(self, item: JournalEntry | Record) -> int:
        """Record an exchange; a :class:`Record` gets its sequence number here. Returns it."""
        if isinstance(item, Record):
            item.bound_bodies()
        with self._lock:
            if isinstance(item, Record):
                self._seq += 1
                item.seq = self._seq
            else:
                self._seq = max(self._seq, item.seq)
            began = item.t_headers
            if isinstance(item, Record) and item.t_start is not None:
                began = min(began, item.t_start)
            if began < self._cleared_at:
                return item.seq
            if len(self._all) == self.capacity:
                self._dropped += 1
                self._forget_oldest()
            self._all.append(item)
            session = self._sessions.get(item.session)
            if session is None:
                session = self._sessions[item.session] = deque()
            session.append(item)
            if self._waiters:
                self._changed.notify_all()
            return item.seq

    def _forget_oldest(self) -> None:
        """Evict the oldest entry, from its session too (it is that session's oldest)."""
        oldest = self._all.popleft()
        session = self._sessions.get(oldest.session)
        if session is not None and session and session[0] is oldest:
            session.popleft()
            if not session:
                del self._sessions[oldest.session]

    def entries(
        self, *, session: str | None = None, operation_id: str | None = None,
        status: int | None = None, since_seq: int = 0, since_time: float | None = None,
    ) -> list[JournalEntry]:
        with self._lock:
            source: Iterable[JournalEntry | Record] = (
                self._all if session is None else self._sessions.get(session, ()))
            snapshot = list(source)
        return [
            _entry(e) for e in snapshot
            if e.seq > since_seq
            and (operation_id is None or e.operation_id == operation_id)
            and (status is None or e.status == status)
            and (since_time is None or e.t_headers >= since_time)
        ]

    def received_secrets(self) -> set[str]:
        """Every credential value the journalled requests carried (raw, for checking that
        a client does not leak them; never rendered)."""
        with self._lock:
            records = [r for r in self._all if isinstance(r, Record)]
        found: set[str] = set()
        for record in records:
            headers = record.request.headers
            names = SECRET_HEADERS | record.secret_headers
            for name, value in headers.items():
                if name in names and value:
                    found.add(value)
                    scheme, _, token = value.partition(" ")
                    if token and scheme.lower() in ("bearer", "basic", "token"):
                        found.add(token.strip())
            found.update(v for k, v in record.request.query
                         if v and (k in record.secret_query or k.lower() in _SECRET_QUERY))
        return {s for s in found if len(s) >= 4}

    def wait_for(self, predicate: Callable[[list[JournalEntry]], bool], timeout: float, *,
                 session: str | None = None) -> list[JournalEntry]:
        """Block until ``predicate(entries)`` holds (checked at each append) or ``timeout``
        seconds pass; return the entries either way."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                source = self._all if session is None else self._sessions.get(session, ())
                entries = [_entry(e) for e in source]
                remaining = deadline - time.monotonic()
                if predicate(entries) or remaining <= 0:
                    return entries
                self._wait(remaining)

    def _wait(self, seconds: float) -> None:
        """Wait (holding ``_changed``) until an append or ``seconds`` pass."""
        self._waiters += 1
        try:
            self._changed.wait(seconds)
        finally:
            self._waiters -= 1

    def clear(self, session: str | None = None, *, at: float | None = None) -> None:
        """Forget the entries (of one session, or all). With ``at`` (the server's clock now),
        a full clear also refuses exchanges that began before it but end later."""
        with self._lock:
            if session is None:
                if at is not None:
                    self._cleared_at = at
                self._all.clear()
                self._sessions.clear()
                self._dropped = 0
                return
            self._sessions.pop(session, None)
            kept = [e for e in self._all if e.session != session]
            self._all.clear()
            self._all.extend(kept)

    def __iter__(self) -> Iterator[JournalEntry]:
        return iter(self.entries())

    def __len__(self) -> int:
        with self._lock:
            return len(self._all)
