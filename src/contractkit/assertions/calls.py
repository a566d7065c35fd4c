"""``Calls``: chainable behaviour assertions on the journal (DESIGN §6).

>>> calls = Calls(server.journal.entries(operation_id="getPayment"),  # doctest: +SKIP
...               operation="getPayment")
>>> calls.called(at_most=4).honoured_retry_after().no_retry_on()      # doctest: +SKIP

Each method returns the same ``Calls`` when the client behaved, or raises
:class:`~contractkit.errors.ContractViolation` whose message is one sentence saying what the
client did wrong, then the timeline of its requests. Requests are grouped into logical
operations and attempts as :mod:`contractkit.assertions.attempts` describes; durations are
compared as :mod:`contractkit.assertions.tolerance` describes (strict lower bounds and
loose upper bounds in real time, 1 ms in virtual time).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Collection, Sequence
from typing import Any, NoReturn, TypeVar, overload

from contractkit.assertions import backoff, outcomes, retries, timing
from contractkit.assertions.attempts import group, in_order
from contractkit.assertions.backoff import BackoffKind, JitterFamily
from contractkit.assertions.leaks import no_secrets_in
from contractkit.assertions.observation import Finding, Observation
from contractkit.assertions.timeline import render_timeline
from contractkit.assertions.tolerance import Tolerance
from contractkit.assertions.virtual_time import Sleep
from contractkit.errors import ContractViolation
from contractkit.journal import JournalEntry

T = TypeVar("T")


def wall_offset(samples: int = 5) -> float:
    """``time.time() - time.monotonic()``, read so that a thread switch between the two
    reads cannot skew it: the monotonic clock is read on both sides of the wall clock, and
    the tightest of a few samples wins (a 3 ms preemption made a client that woke exactly
    at a Retry-After date look 3 ms early)."""
    best: tuple[float, float] = (float("inf"), 0.0)
    for _ in range(samples):
        before = time.monotonic()
        wall = time.time()
        after = time.monotonic()
        best = min(best, (after - before, wall - (before + after) / 2))
    return best[1]


class Calls:
    """The requests a client made for one operation (or all, with ``operation=None``).

    ``entries``: journal entries (others than ``operation``'s and admin calls are ignored).
    ``sleeps``: the sleeps recorded by virtual time; shown in timelines, and the measure of
    backoff when ``virtual`` is true. ``virtual``: durations are exact (1 ms tolerance).
    ``unix_offset``: added to a journal timestamp gives Unix time, to read Retry-After
    HTTP-dates; by default the current ``time.time() - time.monotonic()``. ``server``: the
    mock the entries came from (``contract_server.expect()`` gives it), for the assertions
    that run a call (:meth:`tolerates`, :meth:`raises_typed`) or read what the mock
    received (:meth:`no_secrets_in`).
    """

    def __init__(self, entries: Sequence[JournalEntry], *, operation: str | None,
                 sleeps: Sequence[Sleep] = (), virtual: bool = False,
                 unix_offset: float | None = None, server: Any = None) -> None:
        self.operation = operation
        self.server = server
        chosen = in_order(e for e in entries
                          if operation is None or e.operation_id == operation)
        self.entries: tuple[JournalEntry, ...] = tuple(chosen)
        self.observation = Observation(
            entries=self.entries, operations=tuple(group(chosen)), sleeps=tuple(sleeps),
            tolerance=Tolerance(virtual=virtual),
            unix_offset=wall_offset() if unix_offset is None else unix_offset)

    def __repr__(self) -> str:
        return (f"Calls({self.operation or 'all operations'}: {len(self.entries)} requests, "
                f"{len(self.observation.operations)} logical operations)")

    def _check(self, finding: Finding | None) -> Calls:
        __tracebackhide__ = True
        if finding is not None:
            self._fail(finding)
        return self

    def _fail(self, finding: Finding) -> NoReturn:
        __tracebackhide__ = True
        subject = self.operation or "the client"
        timeline = render_timeline(self.entries, self.observation.sleeps,
                                   marked={e.seq for e in finding.marked})
        raise ContractViolation(f"{subject}: {finding.sentence}\n\n{timeline}")

    # -- what was sent -----------------------------------------------------------------

    def called(self, times: int | None = None, *, at_least: int | None = None,
               at_most: int | None = None) -> Calls:
        """The number of requests (every attempt counts)."""
        __tracebackhide__ = True
        return self._check(retries.called(self.observation, times, at_least, at_most))

    def carried_header(self, name: str) -> Calls:
        """Every request carries a non-empty ``name`` header (``X-Request-Id``,
        ``traceparent``...)."""
        __tracebackhide__ = True
        return self._check(retries.carried_header(self.observation, name))

    def idempotency_key_stable(self, header: str = "Idempotency-Key") -> Calls:
        """Every request carries a non-empty key; all attempts of one logical operation
        carry the same key (and body); different operations carry different keys."""
        __tracebackhide__ = True
        return self._check(retries.idempotency_key_stable(self.observation, header))

    # -- which answers were retried -----------------------------------------------------

    def honoured_retry_after(self) -> Calls:
        """After an answer with ``Retry-After`` (seconds or HTTP-date), the next attempt of
        the operation starts at least that long after the answer ended."""
        __tracebackhide__ = True
        return self._check(retries.honoured_retry_after(self.observation))

    def retried_only_idempotent(self) -> Calls:
        """Only idempotent methods, or requests with an Idempotency-Key, were retried."""
        __tracebackhide__ = True
        return self._check(retries.retried_only_idempotent(self.observation))

    def no_retry_on(self, statuses: Collection[int] = retries.NOT_RETRYABLE) -> Calls:
        """No attempt follows an answer with one of ``statuses`` (a retry after a 401 with a
        different Authorization is a refresh, not a blind retry)."""
        __tracebackhide__ = True
        return self._check(retries.no_retry_on(self.observation, statuses))

    def refreshed_token(self, header: str = "Authorization") -> Calls:
        """After a 401 whose WWW-Authenticate says ``error="invalid_token"``, the next
        attempt carries a different credential, and there is one retry per 401."""
        __tracebackhide__ = True
        return self._check(retries.refreshed_token(self.observation, header))

    # -- when ---------------------------------------------------------------------------

    def backed_off(self, kind: BackoffKind = "exponential", *, base: float | None = None,
                   factor: float | None = None, cap: float | None = None,
                   jitter: JitterFamily | bool | None = None,
                   max_jitter: float = 1.0) -> Calls:
        """The waits before retries after retryable failures follow a backoff.

        Always: no retry without a wait (except an immediate first retry, as urllib3's
        ``Retry`` makes), and without ``base`` the waits must not all be the same. With
        ``base``, retry *i* (from 0) has the delay ``min(cap, base × factor^i)``
        (``exponential``, factor 2), ``base + factor × i`` (``linear``) or ``base``
        (``constant``), and ``jitter`` names where the wait may fall: ``"none"`` (exactly
        the delay), ``"full"`` (0 to it), ``"equal"`` (half of it to it), ``"additive"``
        (it plus up to ``max_jitter``), ``"decorrelated"`` (base to factor × the previous
        wait, factor 3); None accepts any of them (``True`` is ``"full"``, ``False``
        ``"none"``). ``jitter="none"`` without ``base`` infers it from the first wait.
        Waits after a Retry-After are left to :meth:`honoured_retry_after`. Measured from
        sleeps in virtual time, else gaps; :mod:`contractkit.assertions.backoff` has the
        rules and which library defaults each family covers."""
        __tracebackhide__ = True
        return self._check(backoff.backed_off(self.observation, kind, base, factor, cap,
                                              jitter, max_jitter))

    def circuit_opened(self, after: int, *, reset_timeout: float | None = None) -> Calls:
        """After ``after`` failures in a row (5xx or no answer), the client stops calling
        for ``reset_timeout`` after each failure until a request succeeds; every outage is
        checked (if not given: the next request must come after a pause longer than 3 ×
        every gap between the failures, and that pause is the reset timeout from then on)."""
        __tracebackhide__ = True
        return self._check(timing.circuit_opened(self.observation, after, reset_timeout))

    def half_open_probe(self, count: int = 1, *, reset_timeout: float | None = None) -> Calls:
        """After each pause (at least ``reset_timeout``, or 3 × the gaps before it) that
        follows a failure, exactly ``count`` requests go out before the answer or the next
        pause."""
        __tracebackhide__ = True
        return self._check(timing.half_open_probe(self.observation, count, reset_timeout))

    def timeout_at_most(self, seconds: float) -> Calls:
        """A request that hung (or dripped) was abandoned by the client within ``seconds``
        of its headers; reaching the mock's hang cap means the client has no timeout."""
        __tracebackhide__ = True
        return self._check(timing.timeout_at_most(self.observation, seconds))

    def retry_budget(self, total: float | None = None, attempts: int | None = None) -> Calls:
        """Per logical operation: at most ``attempts`` attempts (the first included) and at
        most ``total`` seconds from the first attempt's start to the last answer's end."""
        __tracebackhide__ = True
        return self._check(timing.retry_budget(self.observation, total, attempts))

    def max_concurrency(self, limit: int) -> Calls:
        """At most ``limit`` requests in flight at once (headers to answer end)."""
        __tracebackhide__ = True
        return self._check(timing.max_concurrency(self.observation, limit))

    def rate_after_429(self, rate: float, *, per: float = 1.0) -> Calls:
        """After the first 429, at most ``rate`` × ``per`` requests start in any window of
        ``per`` seconds."""
        __tracebackhide__ = True
        return self._check(timing.rate_after_429(self.observation, rate, per))

    # -- what a call returns or raises, what the client writes ---------------------------

    def _server(self, assertion: str) -> Any:
        if self.server is None:
            raise TypeError(f"Calls.{assertion} runs the call against the mock: use "
                            "contract_server.expect(...), or Calls(..., server=server)")
        return self.server

    @overload
    def tolerates(self, call: Callable[[], Awaitable[T]], *,
                  scenario: outcomes.ScenarioChoice = ...) -> Awaitable[T]: ...

    @overload
    def tolerates(self, call: Callable[[], T], *,
                  scenario: outcomes.ScenarioChoice = ...) -> T: ...

    def tolerates(self, call: Callable[[], Any], *,
                  scenario: outcomes.ScenarioChoice = "schema-drift") -> Any:
        """:func:`~contractkit.assertions.tolerates` on this operation's answers: under
        ``scenario`` the call does not crash, and its result differs from the one without
        only where the drift touched the answer. Returns the result (awaitable for an
        async call); unlike the others, this does not return ``Calls``."""
        __tracebackhide__ = True
        return outcomes.tolerates(call, scenario=scenario, server=self._server("tolerates"),
                                  operation=self.operation)

    # an async call returns an awaitable, which is also an object: the first overload wins
    @overload
    def raises_typed(  # type: ignore[overload-overlap]
            self, call: Callable[[], Awaitable[object]],
            errors: tuple[type[BaseException], ...], *,
            scenario: outcomes.ScenarioChoice = ...,
            within: float = ...) -> Awaitable[BaseException | None]: ...

    @overload
    def raises_typed(self, call: Callable[[], object],
                     errors: tuple[type[BaseException], ...], *,
                     scenario: outcomes.ScenarioChoice = ...,
                     within: float = ...) -> BaseException | None: ...

    def raises_typed(self, call: Callable[[], Any], errors: tuple[type[BaseException], ...],
                     *, scenario: outcomes.ScenarioChoice = None, within: float = 5.0) -> Any:
        """:func:`~contractkit.assertions.raises_typed` on this operation's answers: the
        call raises one of ``errors``, or returns a good answer after idempotent retries,
        within ``within`` seconds. Returns the error (None when it returned; awaitable for
        an async call)."""
        __tracebackhide__ = True
        return outcomes.raises_typed(call, errors, server=self._server("raises_typed"),
                                     scenario=scenario, within=within,
                                     operation=self.operation)

    def no_secrets_in(self, text: str) -> Calls:
        """No credential the mock received (Authorization, API keys, cookies) appears in
        ``text``: the client's logs or error messages."""
        __tracebackhide__ = True
        no_secrets_in(text, server=self._server("no_secrets_in"))
        return self
