"""Assertions on what a client call *returns or raises* under a scenario (DESIGN §6).

``tolerates``: with the scenario (schema drift by default) the call does not crash, and
its result differs from the one without only where the drift touched the answer.
``raises_typed``: under broken answers, the call raises the client's own error type, or
returns a good answer after retrying an idempotent request, promptly. Both take the
server duck-typed (anything with ``use_scenario`` and ``journal``), so they work with
``MockServer`` and the pytest plugin's fixture alike, and restore the scenario that was
active before.

Both take sync and async calls: for an ``async def`` (or a call that returns an awaitable)
they return an awaitable to ``await``. The judgement is written once, as a coroutine; for
a sync call it is driven to its end without an event loop, since nothing in it waits.
"""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Protocol, TypeVar, overload

from contractkit.assertions.attempts import (
    IDEMPOTENT_METHODS,
    answer_end,
    group,
    header,
    in_order,
)
from contractkit.assertions.drift import Drift, changes, short
from contractkit.assertions.timeline import describe_answer, render_timeline
from contractkit.contract.validation import find_response
from contractkit.errors import ContractkitError, ContractViolation
from contractkit.journal import JournalEntry

T = TypeVar("T")
ScenarioChoice = str | Mapping[str, Any] | None


class _Journal(Protocol):
    def entries(self) -> list[JournalEntry]: ...


class ScenarioServer(Protocol):
    """What the outcome assertions need from a server (``MockServer`` has it)."""

    @property
    def journal(self) -> _Journal: ...

    @property
    def active_scenario(self) -> str | None: ...

    def use_scenario(self, scenario: Any, *, session: str | None = None) -> object: ...


@contextmanager
def _scenario(server: ScenarioServer, scenario: ScenarioChoice) -> Iterator[None]:
    previous = server.active_scenario
    server.use_scenario(scenario)
    try:
        yield
    finally:
        server.use_scenario(previous)


def _name(scenario: ScenarioChoice) -> str:
    if isinstance(scenario, Mapping):
        return repr(scenario.get("name", "the scenario"))
    return "no scenario" if scenario is None else repr(scenario)


def _last_seq(server: ScenarioServer) -> int:
    return max((e.seq for e in server.journal.entries()), default=0)


def _since(server: ScenarioServer, seq: int, operation: str | None = None
           ) -> list[JournalEntry]:
    return [e for e in server.journal.entries()
            if e.seq > seq and (operation is None or e.operation_id == operation)]


class _Awaitable(BaseException):
    """A call taken for sync returned an awaitable: start again awaiting it."""

    def __init__(self, awaitable: Awaitable[Any]) -> None:
        super().__init__()
        self.awaitable = awaitable


def _is_async(call: Callable[[], Any]) -> bool:
    while isinstance(call, functools.partial):
        call = call.func
    return inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(
        getattr(call, "__call__", None))  # noqa: B004 - an object whose __call__ is async


def _sync(call: Callable[[], Any]) -> Callable[[], Coroutine[Any, Any, Any]]:
    async def run() -> Any:
        result = call()
        if inspect.isawaitable(result):
            raise _Awaitable(result)
        return result
    return run


def _async(call: Callable[[], Any]) -> Callable[[], Coroutine[Any, Any, Any]]:
    async def run() -> Any:
        result = call()
        return await result if inspect.isawaitable(result) else result
    return run


def _drive(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never waits (its calls are sync) to its end, without a loop."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coroutine.close()  # pragma: no cover - only sync calls are driven
    raise RuntimeError("a sync judgement waited on something")


def _dispatch(call: Callable[[], Any],
              judge: Callable[[Callable[[], Coroutine[Any, Any, Any]]],
                              Coroutine[Any, Any, Any]]) -> Any:
    """The judgement's result for a sync call; a coroutine to await for an async one."""
    if not _is_async(call):
        try:
            return _drive(judge(_sync(call)))
        except _Awaitable as signal:
            close = getattr(signal.awaitable, "close", None)
            if close is not None:
                close()  # created, never awaited: the judgement starts over awaiting it
    return judge(_async(call))


def _error(error: BaseException) -> str:
    return f"{type(error).__module__}.{type(error).__qualname__}: {error}"


@overload
def tolerates(call: Callable[[], Awaitable[T]], *, scenario: ScenarioChoice = ...,
              server: ScenarioServer, operation: str | None = ...) -> Awaitable[T]: ...


@overload
def tolerates(call: Callable[[], T], *, scenario: ScenarioChoice = ...,
              server: ScenarioServer, operation: str | None = ...) -> T: ...


def tolerates(call: Callable[[], Any], *, scenario: ScenarioChoice = "schema-drift",
              server: ScenarioServer, operation: str | None = None) -> Any:
    """Run ``call()`` without a scenario (the baseline), then under ``scenario``; the second
    run must not raise, and its result may differ from the baseline only where the drift
    touched the answer (a dropped optional, a null, an unknown enum value, an unknown field
    kept), as :mod:`contractkit.assertions.drift` judges. Returns the drifted result (an
    awaitable of it for an async call). With ``operation``, only that operation's answers
    are looked at, and the call must make one."""
    __tracebackhide__ = True
    return _dispatch(call, lambda run: _tolerates(run, scenario, server, operation))


async def _tolerates(run: Callable[[], Coroutine[Any, Any, T]], scenario: ScenarioChoice,
                     server: ScenarioServer, operation: str | None) -> T:
    __tracebackhide__ = True
    with _scenario(server, None):
        try:
            baseline = await run()
        except Exception as error:
            raise ContractViolation(
                f"the call failed with no scenario active ({_error(error)}), so there is no "
                "baseline to compare with; make the call work against the plain mock first"
            ) from error
    start = _last_seq(server)
    with _scenario(server, scenario):
        try:
            result = await run()
        except Exception as error:
            raise ContractViolation(
                f"the call raised {_error(error)} under {_name(scenario)}, but returned "
                f"{short(baseline)} without it: a tolerant reader ignores unknown fields, "
                "treats missing optionals and nulls as absent, and maps unknown enum values "
                "to a fallback\n\n" + render_timeline(_since(server, start, operation))) from error
    sent = _since(server, start, operation)
    if operation is not None and not sent:
        raise ContractViolation(
            f"the call made no {operation} request under {_name(scenario)}, so there was "
            "nothing to judge; check the operation and that the call reaches the mock")
    drift = Drift.from_faults((e.fault for e in sent), _response_schemas(server, sent))
    found = changes(baseline, result, drift)
    wrong = [c for c in found if c.handled is None]
    if wrong:
        handled = [c for c in found if c.handled is not None]
        raise ContractViolation(
            f"under {_name(scenario)} the call's result changed in {len(wrong)} place(s) "
            "the drift did not touch: a tolerant reader keeps what the answer still says, "
            "and only fields the drift dropped, nulled or gave an unknown enum value may "
            "differ\n" + "\n".join(f"  {c.describe()}" for c in wrong[:20])
            + ("\nhandled:\n" + "\n".join(f"  {c.describe()}" for c in handled[:20])
               if handled else "")
            + "\n\n" + render_timeline(sent))
    return result


def _response_schemas(server: object, entries: list[JournalEntry]) -> list[Any]:
    """The bundled response schemas of the drifted answers, when ``server`` has contracts
    (``server.app.mounts``, as ``MockServer`` and ``ContractServer`` have)."""
    mounts = getattr(getattr(server, "app", None), "mounts", None) or ()
    found: list[Any] = []
    for entry in entries:
        if not entry.operation_id or entry.status is None or "mutate" not in (entry.fault
                                                                              or ""):
            continue
        for mount in mounts:
            if mount.prefix != entry.mount:
                continue
            try:
                operation = mount.contract.operation(entry.operation_id)
            except ContractkitError:
                continue
            response = find_response(operation, entry.status)
            for media in (response.content.values() if response else ()):
                if media.schema is not None:
                    found.append(mount.contract.schema_bundle(media.schema))
    return found


#: where an exception comes from when it is not the client's own: the standard library and
#: the HTTP stacks a client is built on
_LIBRARIES = frozenset({
    "builtins", "json", "http", "socket", "ssl", "asyncio", "urllib", "email", "zlib",
    "httpx", "httpcore", "h11", "h2", "anyio", "requests", "urllib3", "aiohttp", "yarl",
    "multidict", "orjson", "simplejson", "tenacity", "stamina", "pybreaker",
})


def _from_a_library(error: BaseException) -> bool:
    return type(error).__module__.split(".")[0] in _LIBRARIES


#: faults that delay or drift an answer without breaking it
_INTACT = ("latency", "ttfb", "slow body", "mutate", "status")


def _broken(entry: JournalEntry) -> bool:
    """No answer, an error status, or a fault that broke the body or the connection."""
    if entry.status is None or entry.status >= 400:
        return True
    return any(not part.strip().startswith(_INTACT) for part in (entry.fault or "").split("+")
               if part.strip())


def _blind_retry(sent: list[JournalEntry]) -> tuple[JournalEntry, JournalEntry] | None:
    for operation in group(in_order(sent)):
        for previous, attempt in operation.retries:
            if attempt.method not in IDEMPOTENT_METHODS and not header(attempt,
                                                                       "Idempotency-Key"):
                return previous, attempt
    return None


# an async call returns an awaitable, which is also an object: the first overload wins
@overload
def raises_typed(  # type: ignore[overload-overlap]
        call: Callable[[], Awaitable[object]], errors: tuple[type[BaseException], ...], *,
        server: ScenarioServer, scenario: ScenarioChoice = ..., within: float = ...,
        operation: str | None = ...) -> Awaitable[BaseException | None]: ...


@overload
def raises_typed(call: Callable[[], object], errors: tuple[type[BaseException], ...], *,
                 server: ScenarioServer, scenario: ScenarioChoice = ..., within: float = ...,
                 operation: str | None = ...) -> BaseException | None: ...


def raises_typed(call: Callable[[], Any], errors: tuple[type[BaseException], ...], *,
                 server: ScenarioServer, scenario: ScenarioChoice = None,
                 within: float = 5.0, operation: str | None = None) -> Any:
    """Under broken answers, ``call()`` must raise one of ``errors`` or, having retried an
    idempotent request (or one with an Idempotency-Key), return what a good answer gave;
    never return a broken answer as data, leak another exception, retry a non-idempotent
    request blindly, or take longer than ``within`` seconds. With ``scenario``, it runs
    under that scenario (restoring the previous one after); with ``operation``, only that
    operation's answers are judged. Returns the error raised, or None when a good answer
    came after the retries (an awaitable of it for an async call)."""
    __tracebackhide__ = True
    return _dispatch(call, lambda run: _raises_typed(run, errors, server, scenario, within,
                                                     operation))


async def _raises_typed(run: Callable[[], Coroutine[Any, Any, Any]],
                        errors: tuple[type[BaseException], ...], server: ScenarioServer,
                        scenario: ScenarioChoice, within: float,
                        operation: str | None) -> BaseException | None:
    __tracebackhide__ = True
    expected = " or ".join(e.__qualname__ for e in errors)
    start = _last_seq(server)
    began = time.monotonic()
    with _scenario(server, scenario) if scenario is not None else _unchanged():
        try:
            result = await run()
        except errors as error:
            raised: BaseException | None = error
        except Exception as error:
            why = (f"a library error from deep inside leaked out; catch it in the client and "
                   f"raise {expected} from it" if _from_a_library(error) else
                   f"the client's own error is not one of those the test expects; raise "
                   f"{expected} (or a subclass) for this failure")
            raise ContractViolation(
                f"the call raised {_error(error)} instead of {expected}: {why}\n\n"
                + render_timeline(_since(server, start, operation))) from error
        else:
            raised = None
    elapsed = time.monotonic() - began
    sent = _since(server, start, operation)
    # a connection refused or timed out never reaches the journal: then only the raise counts
    if (sent or raised is None) and not any(_broken(e) for e in sent):
        raise ContractViolation(
            f"none of the {len(sent)} answer(s) the call got was broken (the scenario's rule "
            "did not fire), so there was nothing to judge; check the scenario and that the "
            "call reaches the mock\n\n" + render_timeline(sent))
    blind = _blind_retry(sent)
    if blind is not None:
        previous, attempt = blind
        raise ContractViolation(
            f"the call retried {attempt.method} {attempt.path} without an Idempotency-Key "
            f"after a broken answer ({describe_answer(previous)}): the provider may have "
            "applied the first attempt, so the retry can apply it twice; send an "
            "Idempotency-Key, or raise " + expected + " instead of retrying\n\n"
            + render_timeline(sent, marked={attempt.seq}))
    if raised is None and _broken(sent[-1]):
        last = sent[-1]
        raise ContractViolation(
            f"the call returned {short(result)} instead of raising {expected}, although its last "
            f"answer was broken ({describe_answer(last)}): the broken answer was taken for a "
            "good one\n\n" + render_timeline(sent, marked={last.seq}))
    if elapsed > within:
        outcome = (f"raise {type(raised).__qualname__}" if raised is not None
                   else "get a good answer")
        slept = [s for s in getattr(server, "sleeps", ()) if began <= s.at <= began + elapsed]
        raise ContractViolation(
            f"the call took {elapsed:.2f} s to {outcome}, more than {within:g} s: "
            + _slow_because(elapsed, sent, slept)
            + "\n\n" + render_timeline(sent, slept))
    return raised


#: what bounds the time a retrying client spends, in the libraries' own words
_BUDGETS = ("stamina's timeout= or attempts=, tenacity's stop_after_delay, backoff's "
            "max_time, urllib3's Retry(total=)")


def _slow_because(elapsed: float, sent: list[JournalEntry], slept: list[Any]) -> str:
    """Where the time went, and the advice that matches it: sleeping between retries
    (a retry budget), waiting on an answer (a timeout), or, when no request reached the
    mock and no sleep was recorded, either."""
    sleeping = sum(s.seconds for s in slept)
    waits = [answer_end(e) - e.t_headers for e in sent]
    longest = max(waits, default=0.0)
    if sleeping >= elapsed / 2:
        return (f"it slept {sleeping:.2f} s in {len(slept)} waits between attempts "
                f"({len(sent)} request(s) reached the mock), so the time went in retrying, "
                "not in waiting on the provider; give the retries a budget below it ("
                + _BUDGETS + ")")
    if longest >= elapsed / 2:
        return (f"a request waited {longest:.2f} s for its answer; set a timeout (and a "
                "retry budget) so a slow provider cannot stall the caller")
    if sent:
        return (f"it made {len(sent)} attempts, none waiting long (at most {longest:.2f} s "
                "each), so the time went between them; give the retries a budget ("
                + _BUDGETS + ")")
    return ("no request reached the mock (connections refused or timed out), and no "
            "sleep was recorded (run under virtual time to see them): either each "
            "connection attempt waited (set a connect timeout) or the client retried for "
            "that long (give the retries a budget: " + _BUDGETS + ")")


@contextmanager
def _unchanged() -> Iterator[None]:
    yield
