"""What a consumer's test holds: a mock server's view for one test, with the assertions.

:class:`ContractServer` is what the pytest fixture ``contract_server`` yields, and what a
unittest suite can build itself around a :class:`~contractkit.MockServer`. It adds to the
server: this test's journal, ``expect(operation)`` (the behaviour assertions),
``wait_for`` (clients that run in the background), ``no_secrets_in`` and the checks run
after the test (requests that broke the contract, requests no operation matched, errors in
the mock).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar, overload

from contractkit._types import JSON
from contractkit.assertions.calls import Calls
from contractkit.assertions.deliveries import Deliveries
from contractkit.assertions.leaks import no_secrets_in
from contractkit.assertions.outcomes import raises_typed, tolerates
from contractkit.assertions.virtual_time import Sleep
from contractkit.errors import ContractViolation
from contractkit.interactions import Interaction, RecordedResponse
from contractkit.journal import JournalEntry, redact_json
from contractkit.server.runner import MockServer
from contractkit.webhooks.outbox import Attempt

Predicate = Callable[[list[JournalEntry]], bool]
T = TypeVar("T")


class ContractServer:
    def __init__(self, server: MockServer, *, scenario: str | None = None,
                 sleeps: Callable[[], Sequence[Sleep]] = lambda: (),
                 virtual: Callable[[], bool] = lambda: False, strict: bool = False) -> None:
        self.server = server
        self.scenario = scenario
        self._sleeps = sleeps
        self._virtual = virtual
        self.strict = strict

    # -- addresses -----------------------------------------------------------------------

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def root_url(self) -> str:
        return self.server.root_url

    @property
    def admin_url(self) -> str:
        return self.server.admin_url

    @property
    def refused_url(self) -> str:
        return self.server.refused_url

    @property
    def connect_timeout_url(self) -> str:
        return self.server.connect_timeout_url

    # -- what happened -------------------------------------------------------------------

    def entries(self, operation: str | None = None) -> list[JournalEntry]:
        """This test's exchanges (the admin API's are never journalled), oldest first."""
        return self.server.journal.entries(operation_id=operation)

    @property
    def sleeps(self) -> Sequence[Sleep]:
        """The client's sleeps, when the test runs in virtual time."""
        return self._sleeps()

    def expect(self, operation: str | None = None) -> Calls:
        """The behaviour assertions over this operation's calls (every operation's, with
        none): ``.called()``, ``.honoured_retry_after()``, ``.backed_off()``...,
        ``.tolerates(call)``, ``.raises_typed(call, errors)``, ``.no_secrets_in(text)``."""

        known = {op.id for m in self.server.app.mounts for op in m.contract.operations}
        if operation is not None and operation not in known:
            close = difflib.get_close_matches(operation, sorted(known), n=3, cutoff=0.5)
            hint = f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
            raise ContractViolation(f"no operation {operation!r} in the contract{hint}")
        return Calls(self.entries(operation), operation=operation, sleeps=self.sleeps,
                     virtual=self._virtual(), server=self)

    def wait_for(self, what: int | Predicate, timeout: float = 5.0) -> list[JournalEntry]:
        """Block until ``what`` requests were journalled (or ``what(entries)`` holds), for
        clients that run in the background; ``ContractViolation`` after ``timeout``."""
        __tracebackhide__ = True
        predicate: Predicate = ((lambda entries: len(entries) >= what)
                                if isinstance(what, int) else what)
        mine = self.server.journal.wait_for(predicate, timeout)
        if not predicate(mine):
            wanted = f"{what} request(s)" if isinstance(what, int) else "the condition"
            raise ContractViolation(
                f"waited {timeout:g} s for {wanted}; the mock received {len(mine)}:\n"
                + _listing(mine))
        return mine

    # -- webhooks ----------------------------------------------------------------------

    def deliver(self, events: str | Sequence[str], *, to: str | None = None,
                secret: str | None = None, signing: str | None = None,
                retries: str | None = None, attempt_timeout: float | None = None,
                payload: JSON = None) -> list[Attempt]:
        """Deliver ``events`` (one name, or related ones in their logical order) to the
        receiver at ``to``, signed with ``secret`` by ``signing`` (default ``standard``),
        under the test's scenario's webhook faults; every attempt, once all are done.
        Unknown names fail with the closest ones (``did you mean``)."""
        __tracebackhide__ = True
        return self.server.deliver(events, to=to, secret=secret, signing=signing,
                                   retries=retries, attempt_timeout=attempt_timeout,
                                   payload=payload)

    def deliveries(self, events: str | Sequence[str] | None = None, *,
                   timeout: float = 10.0) -> Deliveries:
        """The receiver assertions over this test's delivery attempts of ``events`` (all,
        with none), once no delivery is in flight (at most ``timeout`` seconds):
        ``.acknowledged_within(s)``, ``.rejected_bad_signature()``, ``.rejected_stale()``,
        ``.rejected_replay()``, ``.processed_once(effect=...)``,
        ``.tolerated_unknown_events()``, ``.handled_out_of_order(...)``."""
        __tracebackhide__ = True
        names = None
        if events is not None:  # by the names attempts carry; unknown: "did you mean"
            names = [self.server.app.webhooks.find(name)[1].name
                     for name in ([events] if isinstance(events, str) else events)]
        return Deliveries(self.server.outbox.wait_idle(timeout), events=names)

    @overload
    def tolerates(self, call: Callable[[], Awaitable[T]], *,
                  scenario: Any = ...) -> Awaitable[T]: ...

    @overload
    def tolerates(self, call: Callable[[], T], *, scenario: Any = ...) -> T: ...

    def tolerates(self, call: Callable[[], Any], *, scenario: Any = "schema-drift") -> Any:
        """``call()`` (sync or async) does not crash under ``scenario``, and its result
        differs from the one without only where the drift touched the answer; the same as
        ``expect().tolerates(call)``."""
        __tracebackhide__ = True
        return tolerates(call, scenario=scenario, server=self)

    # an async call returns an awaitable, which is also an object: the first overload wins
    @overload
    def raises_typed(  # type: ignore[overload-overlap]
            self, call: Callable[[], Awaitable[object]],
            errors: tuple[type[BaseException], ...], *, scenario: Any = ...,
            within: float = ...) -> Awaitable[BaseException | None]: ...

    @overload
    def raises_typed(self, call: Callable[[], object],
                     errors: tuple[type[BaseException], ...], *, scenario: Any = ...,
                     within: float = ...) -> BaseException | None: ...

    def raises_typed(self, call: Callable[[], Any], errors: tuple[type[BaseException], ...],
                     *, scenario: Any = None, within: float = 5.0) -> Any:
        """``call()`` (sync or async) raises one of ``errors`` (not another exception), or
        returns a good answer after idempotent retries, within ``within`` seconds; never
        the broken answer as data (None when it returned); the same as
        ``expect().raises_typed(call, errors)``."""
        __tracebackhide__ = True
        return raises_typed(call, errors, server=self, scenario=scenario, within=within)

    @property
    def active_scenario(self) -> str | None:
        return self.server.active_scenario

    def use_scenario(self, scenario: Any, *, session: str | None = None) -> None:
        self.server.use_scenario(scenario, session=session)

    def reset(self) -> None:
        self.server.reset()

    @property
    def journal(self) -> Any:
        return self.server.journal

    @property
    def app(self) -> Any:
        """The server's application (its mounts and contracts)."""
        return self.server.app

    def no_secrets_in(self, text: str) -> None:
        """Fail if any credential the mock received (Authorization, API keys, cookies)
        appears in ``text`` — the client's logs or error messages."""
        __tracebackhide__ = True
        no_secrets_in(text, server=self.server)

    def interactions(self) -> tuple[Interaction, ...]:
        """This test's exchanges as recorded interactions (``--contractkit-record``):
        requests and answers with credentials in headers, queries and JSON members
        redacted, paths relative to their contract's base path. Exchanges no operation
        matched are left out."""
        return tuple(interaction for _, interaction in self.timed_interactions())

    def timed_interactions(self) -> list[tuple[float, Interaction]]:
        """:meth:`interactions`, each with when its request arrived (the server's clock:
        the pytest plugin's servers share one, so a test's exchanges with several mocks
        can be put in the order they happened)."""
        contracts = {m.prefix: m.contract for m in self.server.app.mounts}
        found = []
        for entry in self.entries():
            contract = contracts.get(entry.mount)
            if entry.operation_id is None or contract is None:
                continue
            found.append((entry.t_headers, _interaction(
                entry, f"{contract.title} {contract.version}", self.scenario)))
        return found

    # -- after the test ------------------------------------------------------------------

    def check(self) -> None:
        """Raise if the client broke the contract, called something the contract does not
        have, or the mock failed inside."""
        __tracebackhide__ = True
        errors = list(self.server.app.errors)
        if errors:
            raise ContractViolation(
                f"the mock failed inside on {len(errors)} request(s) (a contractkit bug, "
                f"please report it): {errors[0]}\n{errors[0].trace}")
        entries = self.entries()
        invalid = [e for e in entries if e.violations]
        if invalid:
            lines = []
            for entry in invalid[:10]:
                lines.append(f"  {entry.method} {entry.path} → {entry.status} "
                             f"({entry.operation_id})")
                lines += [f"      {v}" for v in entry.violations[:5]]
            raise ContractViolation(
                f"the client sent {len(invalid)} request(s) that break the contract:\n"
                + "\n".join(lines))
        unmatched = [e for e in entries if e.outcome in ("not-found", "method-not-allowed")]
        if unmatched:
            raise ContractViolation(
                f"the client sent {len(unmatched)} request(s) that no operation of the "
                "contract matches:\n" + "\n".join(
                    f"  {e.method} {e.path}{self._nearest(e)}" for e in unmatched[:10])
                + "\nrequests received:\n" + _listing(entries))
        if self.strict:
            deprecated = {op.id for m in self.server.app.mounts
                          for op in m.contract.operations if op.deprecated}
            used = sorted({e.operation_id for e in entries if e.operation_id in deprecated})
            if used:
                raise ContractViolation(
                    f"the client calls deprecated operation(s) {', '.join(used)} "
                    "(--contractkit-strict)")

    def _nearest(self, entry: JournalEntry) -> str:
        known = [f"{op.method} {m.prefix}{op.path}" for m in self.server.app.mounts
                 for op in m.contract.operations]
        close = difflib.get_close_matches(f"{entry.method} {entry.path}", known, n=3,
                                          cutoff=0.4)
        return f"   (nearest: {', '.join(close)})" if close else ""


#: request headers that describe the connection, not the request (never recorded)
_UNRECORDED = frozenset({"host", "content-length", "connection", "transfer-encoding",
                         "accept-encoding", "keep-alive"})


def _interaction(entry: JournalEntry, contract: str, scenario: str | None) -> Interaction:
    headers = {name: value for name, value in entry.request_headers.items()
               if name.lower() not in _UNRECORDED
               and not name.lower().startswith("x-contractkit-")}
    response_type = next((v for k, v in entry.response_headers.items()
                          if k.lower() == "content-type"), "")
    # the journal keeps a prefix of a large body: a prefix is no body to send or compare
    request_whole = entry.request_body_size <= len(entry.request_body)
    response_whole = entry.response_body_size <= len(entry.response_body)
    return Interaction(
        operation=entry.operation_id, method=entry.method,
        path=entry.path[len(entry.mount):] or "/", query=entry.query, headers=headers,
        body=_body(entry.request_body, headers.get("content-type", ""))
        if request_whole else None, body_truncated=not request_whole,
        scenario=scenario, fault=entry.fault, rule=entry.rule, contract=contract,
        response=RecordedResponse(status=entry.status,
                                  content_type=response_type.split(";")[0].strip(),
                                  body=_body(entry.response_body, response_type)
                                  if response_whole else None))


def _body(raw: bytes, content_type: str) -> JSON:
    """A body as recorded: redacted JSON when it is JSON, else its text, or None."""
    if not raw:
        return None
    if "json" in content_type.lower():
        try:
            return redact_json(json.loads(raw))
        except ValueError:
            pass  # a malformed body (a fault): kept as text, as the client saw it
    return raw.decode("utf-8", "backslashreplace")


def _listing(entries: Sequence[JournalEntry]) -> str:
    if not entries:
        return "  (none)"
    start = entries[0].t_headers
    return "\n".join(
        f"  +{e.t_headers - start:7.3f}s  {e.method} {e.path} → "
        f"{e.status if e.status is not None else e.fault}"
        + (f"  [{e.fault}]" if e.fault and e.status is not None else "")
        for e in entries[-20:])
