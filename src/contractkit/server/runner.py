"""``MockServer``: the mock as a context manager, for tests and scripts.

``with MockServer(...)`` runs the server in its own thread with its own event loop (for
sync clients such as requests); ``async with MockServer(...)`` runs it on the current loop
(for httpx.AsyncClient or aiohttp). Both bind port 0 by default and read the real port
back from the listening socket, never probing for a free one first.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from contractkit._types import JSON
from contractkit.contract.fixtures import Fixtures, load_fixtures
from contractkit.contract.loader import load
from contractkit.contract.model import Contract
from contractkit.contract.params import ARRAY_FORMATS, ArrayFormat
from contractkit.errors import ConfigError
from contractkit.journal import Journal
from contractkit.scenarios.model import Scenario
from contractkit.server.app import (
    DEFAULT_MAX_BODY_BYTES,
    MockApp,
    MockConfig,
    Mount,
    ValidationMode,
)
from contractkit.server.guard import HeaderDeadline, HeaderWatch
from contractkit.server.loops import LoopName, loop_factory
from contractkit.server.redis_state import RedisState, aligned_clock
from contractkit.server.responses import Optionals
from contractkit.server.unreachable import Unreachable
from contractkit.webhooks.outbox import Attempt, Outbox

ContractSource = Contract | str | os.PathLike[str]
ScenarioSource = Scenario | str | os.PathLike[str] | Mapping[str, Any]
_START_TIMEOUT_SECONDS = 60.0
#: Idle keep-alive connections are closed after this long (aiohttp's default is an hour).
KEEPALIVE_SECONDS = 75.0
#: Connections the kernel queues before the server accepts them (asyncio's default, 100,
#: lost connections in a burst of 10,000; the kernel caps it at net.core.somaxconn).
DEFAULT_BACKLOG = 4096


def build_mounts(contracts: Sequence[ContractSource], mounts: Mapping[str, ContractSource],
                 seed: int, *, lenient: bool = False,
                 fixtures: str | os.PathLike[str] | None = None,
                 optionals: Optionals = "top",
                 array_format: ArrayFormat | Mapping[str, ArrayFormat] = "auto") -> list[Mount]:
    """Contracts mounted at their server base path; ``mounts`` at an explicit prefix;
    ``fixtures``: a fixtures file, its entries applied to the contracts that name them."""
    placed = [(_contract(c).base_path, _contract(c)) for c in contracts]
    placed += [(prefix, _contract(c)) for prefix, c in mounts.items()]
    if not placed:
        raise ConfigError("no contract to serve: pass at least one contract file")
    laid: list[Fixtures | None] = [None] * len(placed)
    if fixtures is not None:
        laid = list(load_fixtures(fixtures, [contract for _, contract in placed],
                                  lenient=lenient))
    formats = _array_formats(array_format, [prefix.rstrip("/") for prefix, _ in placed])
    built = [Mount(prefix, contract, seed=seed, lenient=lenient, fixtures=each,
                   optionals=optionals, array_format=formats[prefix.rstrip("/")])
             for (prefix, contract), each in zip(placed, laid, strict=True)]
    prefixes = [m.prefix for m in built]
    clashes = {p for p in prefixes if prefixes.count(p) > 1}
    if clashes:
        raise ConfigError(
            "two contracts are mounted at the same prefix "
            + ", ".join(repr(p or "/") for p in sorted(clashes))
            + "; give one of them another prefix with --mount PREFIX=FILE")
    return built


def _array_formats(given: ArrayFormat | Mapping[str, ArrayFormat],
                   prefixes: list[str]) -> dict[str, ArrayFormat]:
    """The query-array format of each mount prefix: one for all, or some by prefix."""
    if isinstance(given, str):
        chosen = dict.fromkeys(prefixes, given)
    else:
        chosen = dict.fromkeys(prefixes, "auto")
        for prefix, value in given.items():
            key = prefix.rstrip("/")
            if key not in chosen:
                raise ConfigError(f"--array-format names the prefix {prefix!r}, where no "
                                  "contract is served; served: "
                                  + ", ".join(repr(p or "/") for p in prefixes))
            chosen[key] = value
    for prefix, value in chosen.items():
        if value not in ARRAY_FORMATS:
            raise ConfigError(f"unknown array format {value!r} for {prefix or '/'!r}; use "
                              + " or ".join(ARRAY_FORMATS))
    return chosen


class _BadClientInput(logging.Filter):
    """aiohttp logs a full traceback when a client sends a malformed request (a NUL in a
    header, TLS on a plain port). That is the client's problem, answered with 400; keep
    it to one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], HttpProcessingError):
            error = record.exc_info[1]
            record.msg = "rejected a malformed request: %s"
            record.args = (str(error).splitlines()[0] if str(error) else type(error).__name__,)
            record.exc_info = None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def _quiet_bad_clients() -> None:
    logger = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, _BadClientInput) for f in logger.filters):
        logger.addFilter(_BadClientInput())


def _contract(source: ContractSource) -> Contract:
    return source if isinstance(source, Contract) else load(source)


class MockServer:
    """A running mock of one or more contracts.

    >>> with MockServer("contracts/petstore.yaml") as server:   # doctest: +SKIP
    ...     requests.get(server.url + "/pets")
    """

    def __init__(
        self,
        *contracts: ContractSource,
        mounts: Mapping[str, ContractSource] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 0,
        validate: ValidationMode = "strict",
        admin_token: str | None = None,
        allowed_hosts: Sequence[str] = (),
        cors: bool = True,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        log_format: str = "off",
        header_timeout: float = 10.0,
        body_timeout: float = 30.0,
        scenario: ScenarioSource | None = None,
        scenarios: Sequence[ScenarioSource] = (),
        clock: Callable[[], float] = time.monotonic,
        backlog: int = DEFAULT_BACKLOG,
        lenient: bool = False,
        reflect_path_params: bool = True,
        fixtures: str | os.PathLike[str] | None = None,
        optionals: Optionals = "top",
        array_format: ArrayFormat | Mapping[str, ArrayFormat] = "auto",
        webhooks_to: str | None = None,
        webhook_secret: str | None = None,
        webhook_signing: str | None = None,
        webhook_retries: str | None = None,
        webhook_timeout: float | None = None,
        allow_remote_receiver: bool = False,
        state: str | RedisState | None = None,
        reuse_port: bool = False,
        loop: LoopName = "asyncio",
    ) -> None:
        # ``reuse_port``: share the port with other processes (``mock --workers``);
        # ``loop``: the event loop a ``with`` block serves on (``auto``: uvloop if installed)
        # ``state``: keep scenario counters, sessions and the journal in Redis
        # (``redis://HOST:PORT/DB`` or a RedisState), shared with other mock processes
        shared = RedisState.from_url(state) if isinstance(state, str) else state
        if shared is not None and clock is time.monotonic:
            clock = aligned_clock()  # instants that compare between processes
        config = MockConfig(seed=seed, validate=validate, cors=cors, admin_token=admin_token,
                            allowed_hosts=tuple(allowed_hosts),
                            log_format=log_format,  # type: ignore[arg-type]
                            max_body_bytes=max_body_bytes, header_timeout=header_timeout,
                            body_timeout=body_timeout, reflect=reflect_path_params)
        self.app = MockApp(build_mounts(contracts, mounts or {}, seed, lenient=lenient,
                                        fixtures=fixtures, optionals=optionals,
                                        array_format=array_format), config,
                           clock=clock, state=shared)
        self.app.webhooks.configure(webhooks_to, secret=webhook_secret,
                                    signing=webhook_signing, retries=webhook_retries,
                                    timeout=webhook_timeout, allow_remote=allow_remote_receiver)
        for source in scenarios:
            self.app.scenarios.add(source)
        if scenario is not None:
            # without `now`: a process joining others that share a state keeps their counters
            self.use_scenario(scenario, _joining=True)
        self.host = host
        self.port = port
        self.backlog = backlog
        self.reuse_port = reuse_port
        self.loop_name, self._loop_factory = loop_factory(loop)
        self._unreachable = Unreachable(host)
        self._runner: web.ServerRunner | None = None
        self._listener: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        #: the thread serving requests (``with``), or the loop's thread (``async with``)
        self.thread_ident: int | None = None

    # -- addresses ---------------------------------------------------------------------

    @property
    def root_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        """The base URL a client of the first contract uses (root + its mount prefix)."""
        return self.root_url + self.app.mounts_in_order[0].prefix

    @property
    def admin_url(self) -> str:
        return self.root_url + "/__contractkit"

    @property
    def refused_url(self) -> str:
        """A URL whose connections are refused (the provider is down): same path as
        :attr:`url`, on a port bound but not listening."""
        return self._unreachable_url(self._unreachable.refused_port())

    @property
    def connect_timeout_url(self) -> str:
        """A URL where connecting times out (the provider's host is unreachable): a port
        whose accept queue is kept full. Linux-specific; see the fault catalogue."""
        return self._unreachable_url(self._unreachable.connect_timeout_port())

    def _unreachable_url(self, port: int) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{port}{self.app.mounts_in_order[0].prefix}"

    @property
    def journal(self) -> Journal:
        return self.app.journal

    def reset(self, session: str | None = None) -> None:
        """Forget the journal and metrics; scenario counters and sequences start over."""
        self.app.reset(session)

    @property
    def active_scenario(self) -> str | None:
        """The name of the server-wide scenario, if one is active."""
        return self.app.scenarios.active()

    def use_scenario(self, scenario: ScenarioSource | None, *,
                     session: str | None = None, _joining: bool = False) -> Scenario | None:
        """Make a scenario active for the whole server (or one session); None: none.

        ``scenario``: a built-in name (``"flaky"``), a scenario file, a mapping as in a file,
        or a :class:`~contractkit.scenarios.Scenario`.
        """
        library = self.app.scenarios
        now = None if _joining else self.app.clock()
        if scenario is None:
            return library.activate(None, session=session, now=now)
        name = (scenario if isinstance(scenario, str) and scenario in library.names()
                else library.add(scenario).name)
        return library.activate(name, session=session, now=now)

    # -- webhooks ----------------------------------------------------------------------

    @property
    def outbox(self) -> Outbox:
        """Every webhook delivery attempt the mock made (the outbound journal)."""
        return self.app.webhooks.outbox

    def deliver(self, events: str | Sequence[str], *, to: str | None = None,
                payload: JSON = None, session: str | None = None,
                secret: str | None = None, signing: str | None = None,
                retries: str | None = None, attempt_timeout: float | None = None,
                timeout: float = 600.0) -> list[Attempt]:
        """Deliver ``events`` (one name, or related ones in their logical order) to ``to``
        (default: ``webhooks_to``) under the active scenario's webhook faults, and return
        every attempt once all are done (waiting at most ``timeout`` seconds). ``secret``,
        ``signing``, ``retries`` and ``attempt_timeout`` replace the server's
        ``webhook_*`` options for these deliveries. For a server run with ``with``."""
        webhooks = self.app.webhooks
        deliveries = webhooks.plan(events, payload=payload)
        target = webhooks.target_for(to, secret=secret, signing=signing, retries=retries,
                                     attempt_timeout=attempt_timeout)
        if self._loop is None or self._thread is None:
            raise ConfigError("MockServer.deliver() needs the server started with `with`; "
                              "under `async with`, await deliver_async()")
        future = asyncio.run_coroutine_threadsafe(
            webhooks.run(deliveries, target, session=session), self._loop)
        return future.result(timeout)

    async def deliver_async(self, events: str | Sequence[str], *, to: str | None = None,
                            payload: JSON = None, session: str | None = None,
                            secret: str | None = None, signing: str | None = None,
                            retries: str | None = None,
                            attempt_timeout: float | None = None) -> list[Attempt]:
        """:meth:`deliver` for a server run with ``async with`` (on this loop)."""
        webhooks = self.app.webhooks
        target = webhooks.target_for(to, secret=secret, signing=signing, retries=retries,
                                     attempt_timeout=attempt_timeout)
        return await webhooks.run(webhooks.plan(events, payload=payload), target,
                                  session=session)

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self) -> None:
        _quiet_bad_clients()
        self.thread_ident = threading.get_ident()
        runner = web.ServerRunner(
            # request lines up to 64 KiB: long query strings are legal and real APIs take
            # them (aiohttp's default is 8 KiB); header fields keep aiohttp's cap
            self.app.server(access_log=None, keepalive_timeout=KEEPALIVE_SECONDS,
                            max_line_size=64 * 1024),
            handle_signals=False)
        await runner.setup()
        factory = runner.server
        assert factory is not None
        watch = HeaderWatch(self.app.config.header_timeout)
        connections = self.app.connections
        self._listener = await asyncio.get_running_loop().create_server(
            lambda: HeaderDeadline(factory(), watch, connections), self.host, self.port,
            reuse_address=True, reuse_port=self.reuse_port or None, backlog=self.backlog)
        self._runner = runner
        self.port = int(self._listener.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        self._unreachable.close()
        await self.app.webhooks.sender.close()
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self.app.access_log.close()  # the lines of the last requests

    async def __aenter__(self) -> MockServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def __enter__(self) -> MockServer:
        started = threading.Event()
        failure: list[BaseException] = []
        loop = self._loop_factory()

        def serve() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.start())
            except BaseException as error:
                failure.append(error)
                started.set()
                loop.close()
                return
            self._stopping = asyncio.Event()
            started.set()
            loop.run_until_complete(self._stopping.wait())
            loop.run_until_complete(self.stop())
            # what asyncio.run does: connection tasks aiohttp left behind end here, not
            # as "Task was destroyed but it is pending" noise
            left = asyncio.all_tasks(loop)
            for task in left:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*left, return_exceptions=True))
            loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=serve, name="contractkit-mock", daemon=True)
        self._thread.start()
        if not started.wait(_START_TIMEOUT_SECONDS):
            raise ConfigError("the mock server did not start within "
                              f"{_START_TIMEOUT_SECONDS:.0f} s")
        if failure:
            raise failure[0]
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)
        if self._thread is not None:
            self._thread.join(timeout=30)
        self._thread = None


def contract_files(contract: Contract) -> list[Path]:
    """Every local file the contract was read from (for --watch)."""
    runtime: Any = contract._runtime
    resolver = getattr(runtime, "resolver", None)
    if resolver is None:
        return [Path(contract.source)] if Path(contract.source).is_file() else []
    files = []
    for uri in resolver.documents:
        if uri.startswith("file://"):
            files.append(Path(unquote(urlsplit(uri).path)))
    return files
