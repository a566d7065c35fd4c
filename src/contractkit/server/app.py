"""The mock server's aiohttp application: mounts, routing, validation, answers, journal.

One catch-all route hands every request to :class:`MockApp.handle`, which uses the
contract's own router (literal segments before templates, per OpenAPI) rather than
aiohttp's, so a contract with a thousand paths costs one tree walk per request.
"""

from __future__ import annotations

import asyncio
import difflib
import itertools
import logging
import random
import secrets
import time
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import parse_qsl

import orjson
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from contractkit._http import HttpRequest
from contractkit.contract.fixtures import Fixtures
from contractkit.contract.model import Contract, Operation
from contractkit.contract.params import ArrayFormat
from contractkit.contract.validation import OperationValidator, Violation
from contractkit.errors import ScenarioError
from contractkit.journal import Journal, Record, readable
from contractkit.scenarios.engine import Decision
from contractkit.scenarios.faults import GraphQLError, Hang, SlowBody, Stream, Transport
from contractkit.scenarios.library import ScenarioLibrary
from contractkit.scenarios.model import RequestFacts
from contractkit.server import wire
from contractkit.server.access_log import AccessLog, Hidden
from contractkit.server.admin import Admin
from contractkit.server.faults import Abandoned, FaultPlayer, delay_of
from contractkit.server.guard import ConnectionIds
from contractkit.server.memo import Memo, Remembered, read_headers
from contractkit.server.metrics import Metrics
from contractkit.server.prefer import parse_preferences, strip_control_query
from contractkit.server.redis_state import RedisState
from contractkit.server.responses import (
    MockResponse,
    Optionals,
    Responder,
    problem,
    response_for_code,
)
from contractkit.server.sse import MEDIA_TYPE as SSE_MEDIA_TYPE
from contractkit.server.sse import wants_stream
from contractkit.server.webhooks import Webhooks, served_exchange

if TYPE_CHECKING:
    from contractkit.server.graphql import GraphQLResponder

ValidationMode = Literal["strict", "warn", "off"]
ADMIN_PREFIX = "/__contractkit/"
SESSION_HEADER = "x-contractkit-session"
SCENARIO_HEADER = "x-contractkit-scenario"
DEFAULT_SESSION = "default"
DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024
log = logging.getLogger("contractkit.server")
#: bound at import: virtual time patches ``time.monotonic``, and this must stay real
_real_monotonic = time.monotonic
_real_time = time.time


@dataclass(frozen=True)
class MockConfig:
    seed: int = 0
    validate: ValidationMode = "strict"
    cors: bool = True
    admin_token: str | None = None
    #: Host names the admin API answers besides loopback and the listened address
    allowed_hosts: tuple[str, ...] = ()
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    journal_capacity: int = 10_000
    log_format: Literal["plain", "json", "off"] = "plain"
    #: a connection must complete its request headers within this (slowloris bound)
    header_timeout: float = 10.0
    #: and then send its whole body within this
    body_timeout: float = 30.0
    #: path parameters reflected into answers (`GET /customers/cus_1` answers its id)
    reflect: bool = True


#: Internal errors kept (as text) for the pytest plugin to report; older ones are dropped.
MAX_KEPT_ERRORS = 100
_MAX_TRACE_CHARS = 8192


@dataclass(frozen=True)
class InternalError:
    """An exception raised inside the mock's own code (a bug), kept as text: holding the
    exception would keep its frames, and every object they reference, alive."""

    request: str
    kind: str
    message: str
    trace: str

    @classmethod
    def of(cls, error: BaseException, request: str) -> InternalError:
        trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        return cls(request, type(error).__name__, str(error)[:1000], trace[-_MAX_TRACE_CHARS:])

    def __str__(self) -> str:
        return f"{self.kind}: {self.message} (on {self.request})"


@dataclass
class Mount:
    """One contract served under a path prefix (``""`` for the root)."""

    prefix: str
    contract: Contract
    responder: Responder = field(init=False)
    graphql: GraphQLResponder | None = field(init=False, default=None)
    seed: int = 0
    #: Serve a GraphQL schema that fails validation as written (else refuse it).
    lenient: bool = False
    #: values laid over generated answers for named schemas (``--fixtures``)
    fixtures: Fixtures | None = None
    #: which optional properties generated bodies carry (``--optionals``)
    optionals: Optionals = "top"
    #: query arrays also read as ``a=1,2`` where the contract is silent (``--array-format``)
    array_format: ArrayFormat = "auto"

    _validators: dict[int, OperationValidator] = field(init=False, default_factory=dict)
    #: the request headers the contract reads (the memo's key holds their values)
    read_headers: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        self.prefix = self.prefix.rstrip("/")
        self.read_headers = read_headers(self.contract)
        self.responder = Responder(self.contract, seed=self.seed, fixtures=self.fixtures,
                                   optionals=self.optionals)
        if self.contract.kind == "graphql":
            # imported here: graphql-core takes 0.2 s to import, which a server of OpenAPI
            # contracts would pay at every start
            from contractkit.server.graphql import GraphQLResponder  # noqa: PLC0415
            self.graphql = GraphQLResponder(self.contract, seed=self.seed,
                                            lenient=self.lenient)

    def validator(self, operation: Operation) -> OperationValidator:
        """The operation's validator, looked up by identity (cheaper than the contract's
        cache, which hashes the operation's method and path)."""
        found = self._validators.get(id(operation))
        if found is None:
            found = self._validators[id(operation)] = (
                self.contract.validator(operation) if self.array_format == "auto" else
                OperationValidator(self.contract, operation, array_format=self.array_format))
        return found


@dataclass
class _Exchange:
    """What the handler learns about one request on its way through."""

    request: HttpRequest
    session: str
    correlation_id: str
    t_headers: float
    t_body_end: float = 0.0
    mount: Mount | None = None
    operation: Operation | None = None
    violations: tuple[Violation, ...] = ()
    outcome: str = "served"
    connection_id: int = 0
    client: str = ""
    fault: str | None = None
    rule: str | None = None
    #: when the request's first byte arrived (None: not seen), before ``t_headers``
    t_start: float | None = None
    transport: Any = None


class MockApp:
    """Serves mounts; owns the journal and the metrics."""

    def __init__(self, mounts: Sequence[Mount], config: MockConfig,
                 clock: Callable[[], float] = time.monotonic,
                 state: RedisState | None = None) -> None:
        self.mounts_in_order = list(mounts)
        #: where the state that must be global lives: None, this process
        self.state = state
        #: longest prefix first, so /v1/admin wins over /v1
        self.mounts = sorted(mounts, key=lambda m: -len(m.prefix))
        self.config = config
        self.clock = clock
        self.journal = (Journal(config.journal_capacity) if state is None
                        else state.journal(config.journal_capacity))
        self.metrics = Metrics()
        #: one line per request, written in batches (see access_log)
        self.access_log = AccessLog(log, summary=_json_summary
                                    if config.log_format == "json" else None)
        #: the answers to repeated requests (see memo)
        self.memo = Memo()
        self._ordinals = itertools.count(1)
        #: X-Request-Id for requests without one: unique per server run, cheaper than uuid4
        self._request_ids = itertools.count(1)
        self._request_id_prefix = secrets.token_hex(6)
        self.connections = ConnectionIds(clock)
        #: Exceptions raised inside the mock's own code (a bug), the latest ones as text:
        #: the pytest plugin fails the test with them.
        self.errors: deque[InternalError] = deque(maxlen=MAX_KEPT_ERRORS)
        self._secret_headers = frozenset({
            scheme.parameter_name.lower()
            for mount in mounts for scheme in mount.contract.security_schemes.values()
            if scheme.type == "apiKey" and scheme.location == "header"
        })
        self._secret_query = frozenset({
            scheme.parameter_name
            for mount in mounts for scheme in mount.contract.security_schemes.values()
            if scheme.type == "apiKey" and scheme.location == "query"
        })
        self.started = clock()
        self.scenarios = ScenarioLibrary(
            seed=config.seed, now=self.started, state=state,
            operation_ids={op.id for mount in mounts for op in mount.contract.operations})
        self.faults = FaultPlayer(
            disconnected=self.connections.disconnected,
            wall_clock=lambda: _real_time() + (self.clock() - _real_monotonic()))
        self.admin: Callable[[web.BaseRequest, _Exchange], Any] | None = Admin(self, self.started)
        #: deliveries to the consumer's receiver (on demand, callbacks, scenario triggers)
        self.webhooks = Webhooks(lambda: [m.contract for m in self.mounts_in_order],
                                 scenarios=self.scenarios, seed=config.seed, clock=clock,
                                 wall_clock=self.faults.wall_clock)

    def _new_request_id(self) -> str:
        return f"{self._request_id_prefix}{next(self._request_ids):08x}"

    def replace_mount(self, old: Mount, new: Mount) -> None:
        """Swap a mount's contract (for --watch); requests in flight keep the old one."""
        self.mounts_in_order = [new if m is old else m for m in self.mounts_in_order]
        self.mounts = [new if m is old else m for m in self.mounts]
        self.memo.clear()

    def reset(self, session: str | None = None) -> None:
        """Forget the journal (of one session, or all) and, for all, the metrics; scenario
        counters, sequences and buckets start over."""
        self.journal.clear(session, at=self.clock())
        self.scenarios.reset(self.clock(), session)
        if session is None:
            self.metrics.reset()
            self.webhooks.reset()

    def server(self, **kwargs: Any) -> web.Server:
        """aiohttp's low-level server with every request going to :meth:`handle`: the
        contract's router does the routing, so aiohttp's router and middleware are skipped.
        ``kwargs`` go to aiohttp's connection handler (``keepalive_timeout``...)."""
        loop = asyncio.get_running_loop()
        max_size = self.config.max_body_bytes

        def make_request(message: Any, payload: Any, protocol: Any, writer: Any,
                         task: Any) -> web.BaseRequest:
            return web.BaseRequest(message, payload, protocol, writer, task, loop,
                                   client_max_size=max_size)

        return web.Server(self.handle, request_factory=make_request, **kwargs)

    # -- the request path ------------------------------------------------------------

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        # the request began at its first byte; it is finished when journalled (before its
        # answer leaves, so the client's next request starts afresh), or here at the latest
        began = self.connections.started(request.transport)
        try:
            return await self._handle(request, began)
        finally:
            self.connections.finished(request.transport, began)

    async def _handle(self, request: web.BaseRequest,
                      began: float | None) -> web.StreamResponse:
        t_headers = self.clock()
        session = request.headers.get(SESSION_HEADER, DEFAULT_SESSION)
        correlation_id = (_header_safe(request.headers.get("x-request-id", ""))
                          or self._new_request_id())
        body, failure = await self._body(request)
        exchange = _Exchange(_http_request(request, body), session, correlation_id, t_headers,
                             self.clock())
        exchange.connection_id = self.connections.of(request.transport)
        exchange.t_start = began
        exchange.transport = request.transport
        exchange.client = request.remote or ""
        if failure is not None:
            return await self._unread(request, exchange, failure)
        if request.path.startswith(ADMIN_PREFIX) and self.admin is not None:
            response: web.StreamResponse = await self.admin(request, exchange)
            return response
        try:
            answer = self._answer(exchange, request)
        except Exception as error:
            self.errors.append(InternalError.of(error, f"{request.method} {request.path}"))
            log.exception("contractkit mock: internal error on %s %s", request.method,
                          request.path)
            exchange.outcome = "mock-error"
            answer = problem(500, "contractkit internal error",
                             f"the mock failed on this request ({type(error).__name__}: "
                             f"{error}); please report it", kind="mock-error")
            return await self._send(request, exchange, answer)
        if exchange.operation is not None and (
                self.scenarios.in_use or SCENARIO_HEADER in exchange.request.headers):
            try:
                decision = self._decide(exchange)
            except ScenarioError as error:
                exchange.outcome = "unknown-scenario"
                answer = problem(400, "Unknown scenario", str(error), kind="unknown-scenario")
            else:
                if decision is not None:
                    return await self._scenario(request, exchange, answer, decision)
        return await self._send(request, exchange, answer)

    def _decide(self, exchange: _Exchange) -> Decision | None:
        """The active scenario's decision, or None when it changes nothing (most requests:
        kept off the async path, so a loaded scenario costs little)."""
        now = self.clock()
        engine = self.scenarios.engine(
            exchange.session, exchange.request.headers.get(SCENARIO_HEADER), now)
        if engine is None:
            return None
        decision = engine.decide(self._facts(exchange), now)
        return None if decision.rule is None and not decision.headers else decision

    async def _scenario(self, request: web.BaseRequest, exchange: _Exchange,
                        answer: MockResponse, decision: Decision) -> web.StreamResponse:
        """Play the fault the scenario picked."""
        http_request = exchange.request
        assert exchange.mount is not None
        assert exchange.operation is not None
        exchange.fault = decision.fault
        exchange.rule = decision.rule.name if decision.rule and decision.fault else None
        if exchange.fault:
            self.metrics.fault("+".join(f.label for f in decision.step.faults),
                               exchange.operation.id)
        rng = decision.rng()
        # a delay counts from the request's first byte (else its headers): the answer
        # starts `latency` after the request, whatever waiting for the loop, routing and
        # validation took
        since = exchange.t_headers if exchange.t_start is None else min(
            exchange.t_start, exchange.t_headers)
        wait = delay_of(decision, rng) - (self.clock() - since)
        if wait > 0:
            await self.faults.sleep(wait)
        if exchange.mount.graphql is not None:
            from contractkit.server.graphql import FieldFailure  # noqa: PLC0415 - loaded
            failures = [FieldFailure(f.path, f.message, f.code) for f in decision.step.faults
                        if isinstance(f, GraphQLError)]
            if failures:
                answer, _ = exchange.mount.graphql.respond(http_request, failures)
        played = self.faults.answer(
            decision, answer, contract=exchange.mount.contract,
            responder=exchange.mount.responder, operation=exchange.operation,
            accept=http_request.headers.get("accept"), rng=rng)
        if isinstance(played, Transport | Hang):
            return await self._break(request, exchange, played, answer, rng)
        slow = next((f for f in decision.step.faults if isinstance(f, SlowBody)), None)
        stream = next((f for f in decision.step.faults if isinstance(f, Stream)), None)
        if stream is not None and not played.headers.get("Content-Type", "").startswith(
                SSE_MEDIA_TYPE):
            stream = None  # a stream fault changes event streams only
        if slow is not None or stream is not None:
            headers = self._headers(request, exchange, played)
            record = self.record(exchange, played, headers, self.clock())
            if stream is not None:
                response = await self.faults.stream(stream, request, played, headers)
            else:
                assert slow is not None
                response = await self.faults.slow(slow, request, played, headers)
            ended = self._since_start(record)
            if response is None:
                record.t_disconnect = ended  # before the end: readers cache once it is set
            record.t_resp_end = ended
            return response if response is not None else Abandoned("client left mid-body")
        return await self._send(request, exchange, played)

    async def _break(self, request: web.BaseRequest, exchange: _Exchange,
                     fault: Transport | Hang, answer: MockResponse,
                     rng: random.Random) -> web.StreamResponse:
        exchange.outcome = "fault"
        record = self.record(exchange, MockResponse(0), {}, self.clock(), status=None)

        def cap_reached() -> None:
            record.outcome = "hang-cap-reached"

        result = await self.faults.transport(fault, request, answer, rng, cap_reached)
        ended = self._since_start(record)
        if isinstance(fault, Hang) and record.outcome != "hang-cap-reached":
            record.t_disconnect = ended  # before the end: readers cache once it is set
        record.t_resp_end = ended
        return result

    def _facts(self, exchange: _Exchange) -> RequestFacts:
        request = exchange.request
        operation = exchange.operation
        body: Any = None
        if request.body and "json" in request.headers.get("content-type", ""):
            try:
                body = orjson.loads(request.body)
            except orjson.JSONDecodeError:
                body = None
        return RequestFacts(
            method=request.method, path=request.path,
            operation_id=operation.id if operation else None,
            template=operation.path if operation else None,
            headers=request.headers, query=request.query, body=body,
            session=exchange.session, credential=self._credential(request))

    def _credential(self, request: HttpRequest) -> str | None:
        """The credential a request carries (keys rate limits and token expiry)."""
        found = request.headers.get("authorization")
        if found:
            return found
        for name in self._secret_headers:
            if request.headers.get(name):
                return request.headers[name]
        for name, value in request.query:
            if name in self._secret_query:
                return value
        return None

    async def _body(self, request: web.BaseRequest) -> tuple[bytes, str | None]:
        """The request body, or why there is none: ``too-large``, ``body-timeout``,
        ``abandoned`` (the client left before sending it all) or ``bad-body``."""
        if not request.body_exists:
            return b"", None
        declared = request.content_length
        if declared is not None and declared > self.config.max_body_bytes:
            return b"", "too-large"  # say so now, not after the body timeout
        try:
            # wait_for costs a task per call: only bodies that are still to arrive need it
            return await asyncio.wait_for(self._read(request), self.config.body_timeout), None
        except asyncio.TimeoutError:  # not TimeoutError: on 3.10 they differ
            return b"", "body-timeout"
        except web.HTTPRequestEntityTooLarge:
            return b"", "too-large"
        except ConnectionError:
            return b"", "abandoned"
        except HttpProcessingError:  # a broken chunked encoding, a short body
            return b"", "bad-body"

    async def _unread(self, request: web.BaseRequest, exchange: _Exchange,
                      failure: str) -> web.StreamResponse:
        """Answer (and journal) a request whose body could not be read."""
        exchange.outcome = failure
        if failure == "abandoned":
            record = self.record(exchange, MockResponse(0), {}, self.clock(), status=None)
            record.t_disconnect = record.t_resp_end = self._since_start(record)
            return Abandoned("client left before sending its whole body")
        if failure == "too-large":
            answer = problem(413, "Payload Too Large",
                             f"request bodies are capped at {self.config.max_body_bytes:,} "
                             "bytes (--max-body-bytes)", kind="payload-too-large")
        elif failure == "body-timeout":
            answer = problem(408, "Request Timeout",
                             f"the request body did not arrive within "
                             f"{self.config.body_timeout:g} s", kind="body-timeout")
        else:
            answer = problem(400, "Bad Request", "the request body is malformed at the "
                             "HTTP level (chunked encoding or length)", kind="bad-body")
        # the rest of the body is not read: the connection cannot carry another request
        answer.headers["Connection"] = "close"
        return await self._send(request, exchange, answer)

    @staticmethod
    async def _read(request: web.BaseRequest) -> bytes:
        if (request.headers.get("expect", "").lower() == "100-continue"
                and request.version >= (1, 1)):
            # what aiohttp's router would do: let the client send its body
            await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        return await request.read()

    def _answer(self, exchange: _Exchange, request: web.BaseRequest) -> MockResponse:
        http_request = exchange.request
        if self.config.cors and http_request.method == "OPTIONS" and (
                "access-control-request-method" in http_request.headers):
            exchange.outcome = "preflight"
            return _preflight(http_request)
        mount, relative = self._mount_for(http_request.path)
        if mount is None:
            exchange.outcome = "not-found"
            return self._not_found(http_request, None, http_request.path)
        exchange.mount = mount
        if mount.graphql is not None:
            return self._graphql(exchange, mount.graphql, relative)
        key = None if http_request.body else self.memo.key(
            mount, http_request.method, http_request.path, request.rel_url.raw_query_string,
            http_request.query, http_request.headers, mount.read_headers)
        if key is not None:
            found = self.memo.get(key)
            if found is not None:
                exchange.operation, exchange.violations = found.operation, found.violations
                exchange.outcome = found.outcome
                if found.counted:
                    next(self._ordinals)
                return found.answer
        answer = self._operation_answer(exchange, mount, relative)
        if key is not None:
            self.memo.keep(key, Remembered(answer, exchange.operation, exchange.violations,
                                           exchange.outcome, counted=exchange.outcome == "served"))
        return answer

    def _operation_answer(self, exchange: _Exchange, mount: Mount,
                          relative: str) -> MockResponse:
        """Route, validate and answer a request to ``mount`` (not GraphQL)."""
        http_request = exchange.request
        contract = mount.contract
        match = contract.match(http_request.method, relative, http_request.headers,
                               http_request.query)
        if match is None:
            allowed = contract.allowed_methods(relative)
            if http_request.method == "OPTIONS" and allowed:
                exchange.outcome = "options"
                return MockResponse(204, {"Allow": ", ".join((*allowed, "OPTIONS"))})
            if allowed:
                exchange.outcome = "method-not-allowed"
                return _method_not_allowed(http_request, relative, allowed, mount)
            exchange.outcome = "not-found"
            return self._not_found(http_request, mount, relative)
        operation = exchange.operation = match.operation
        preferences = parse_preferences(http_request.headers.get("prefer"), http_request.query)
        validation_request = HttpRequest(http_request.method, relative,
                                         strip_control_query(http_request.query),
                                         http_request.headers, http_request.body)
        mode = self.config.validate if preferences.validate else "off"
        if mode != "off":
            result = mount.validator(operation).validate_request(validation_request,
                                                                 match.path_params)
            exchange.violations = result.violations
            if result.violations and mode == "strict":
                exchange.outcome = "invalid"
                return self._invalid(mount, operation, result.violations, http_request)
        ordinal = next(self._ordinals)
        accept = http_request.headers.get("accept")
        if mount.responder.streams(operation) and wants_stream(accept, http_request.body):
            accept = SSE_MEDIA_TYPE
        return mount.responder.respond(operation, preferences, accept, ordinal,
                                       match.path_params if self.config.reflect else None,
                                       http_request.path if self.config.reflect else None)

    def _graphql(self, exchange: _Exchange, responder: GraphQLResponder,
                 relative: str) -> MockResponse:
        if relative.rstrip("/") not in ("/graphql", ""):
            exchange.outcome = "not-found"
            return problem(404, "Not Found", "GraphQL is served at "
                           f"{exchange.mount.prefix if exchange.mount else ''}/graphql",
                           kind="no-operation")
        answer, root_field = responder.respond(exchange.request)
        if root_field is not None and exchange.mount is not None:
            exchange.operation = exchange.mount.contract._runtime.by_id.get(root_field)
        return answer

    def _mount_for(self, path: str) -> tuple[Mount | None, str]:
        for mount in self.mounts:
            if not mount.prefix:
                return mount, path
            if path == mount.prefix or path.startswith(mount.prefix + "/"):
                return mount, path[len(mount.prefix):] or "/"
        return None, path

    def _invalid(self, mount: Mount, operation: Operation, violations: tuple[Violation, ...],
                 request: HttpRequest) -> MockResponse:
        locations = {v.location for v in violations}
        candidates: tuple[str, ...]
        if "security" in locations:
            candidates, status, title = ("401",), 401, "Unauthorized"
        elif "content-type" in locations:
            candidates, status, title = ("415",), 415, "Unsupported Media Type"
        elif "body" in locations:
            candidates, status, title = ("422", "400"), 422, "Unprocessable Content"
        else:
            candidates, status, title = ("400", "422"), 400, "Bad Request"
        summary = "; ".join(str(v) for v in violations[:3])
        for code in (*candidates, "default"):
            chosen = (response_for_code(operation, code) if code != "default" else
                      ("DEFAULT", status) if "DEFAULT" in operation.responses else None)
            if chosen is not None and (chosen[0] != "DEFAULT" or code == "default"):
                declared = mount.responder.build(
                    operation, chosen[0], chosen[1], parse_preferences(None, ()),
                    request.headers.get("accept"), 0)
                # the violations in the body's text fields, where its schema allows: what
                # the client's SDK shows (`APIError: br` said nothing)
                declared = mount.responder.explained(
                    operation, chosen[0], declared,
                    f"the request does not match {operation.id}: {summary}")
                headers = {**declared.headers, "Contractkit-Violations": summary[:500]}
                return MockResponse(declared.status, headers, declared.body)
        answer = problem(status, title,
                         f"the request does not match {operation.id}: {summary}",
                         kind="request-invalid", violations=violations,
                         operation=operation.id)
        if status == 401:
            answer.headers["WWW-Authenticate"] = 'Bearer realm="contractkit"'
        return answer

    def _not_found(self, request: HttpRequest, mount: Mount | None,
                   relative: str) -> MockResponse:
        wanted = f"{request.method} {request.path}"
        known = [(f"{op.method} {m.prefix}{op.path}") for m in self.mounts
                 for op in m.contract.operations]
        nearest = difflib.get_close_matches(wanted, known, n=5, cutoff=0.4)
        detail = f"no operation matches {wanted}"
        if mount is None:
            # the commonest first 404: the API lives under its server URL's path (/v1)
            for other in self.mounts:
                if other.prefix and not request.path.startswith(other.prefix + "/") and \
                        other.contract.match(request.method, request.path) is not None:
                    detail += (f"; {other.contract.source} is served under {other.prefix}/ "
                               f"(the path of its server URL): {request.method} "
                               f"{other.prefix}{request.path}")
                    nearest = list(dict.fromkeys(
                        [f"{request.method} {other.prefix}{request.path}", *nearest]))
                    break
        if nearest:
            detail += "; nearest: " + ", ".join(nearest)
        return problem(404, "Not Found", detail, kind="no-operation", nearest=nearest)

    async def _send(self, request: web.BaseRequest, exchange: _Exchange,
                    answer: MockResponse) -> web.StreamResponse:
        headers = self._headers(request, exchange, answer)
        if wire.writable(request, answer.status, headers):
            record = self.record(exchange, answer, headers, self.clock())
            try:
                await wire.write(request, answer.status, headers, answer.body)
            except ConnectionError:
                return self._left(record)
            record.t_resp_end = self._since_start(record)
            return wire.SENT
        # aiohttp sends Content-Length but no body for HEAD by itself
        response = web.Response(status=answer.status, body=answer.body, headers=headers)
        if headers.get("Connection", "").lower() == "close":
            # aiohttp then reads and drops what the client still sends for a while (its
            # lingering close, 10 s at most), so that the client reads this answer rather
            # than a reset
            response.force_close()
        record = self.record(exchange, answer, headers, self.clock())
        try:
            await response.prepare(request)
            await response.write_eof()
        except ConnectionError:
            return self._left(record)
        record.t_resp_end = self._since_start(record)
        return response

    def _left(self, record: Record) -> web.StreamResponse:
        """The client left before its answer was sent: note it in the record and the log."""
        record.t_disconnect = self._since_start(record)
        record.t_resp_end = record.t_disconnect
        if self.config.log_format != "off" and self.access_log.enabled():
            self.access_log.add(
                f"{record.request.method} {readable(record.request.path)}: the client "
                f"left before its answer was sent  id={record.correlation_id}")
        return Abandoned("client left")

    def _since_start(self, record: Record) -> float:
        """Now, as ``t_resp_start`` plus the real time since it. With virtual time the
        server's clock jumps when a client sleeps; a client can have its answer and sleep
        before this line runs, and the end of the response must not move with that."""
        return (record.t_resp_start or 0.0) + (_real_monotonic() - record.real_start)

    def _headers(self, request: web.BaseRequest, exchange: _Exchange,
                 answer: MockResponse) -> dict[str, str]:
        headers = {name: _header_safe(value) for name, value in answer.headers.items()}
        headers["X-Request-Id"] = exchange.correlation_id
        origin = request.headers.get("origin")
        if self.config.cors and origin is not None:  # browsers send Origin on CORS requests
            headers.setdefault("Access-Control-Allow-Origin", origin)
            headers.setdefault("Access-Control-Expose-Headers", "*")
            headers.setdefault("Vary", "Origin")
        return headers

    def record(self, exchange: _Exchange, answer: MockResponse, headers: dict[str, str],
               t_resp_start: float, *, status: int | None = -1) -> Record:
        """Journal the exchange (before the response leaves, so a client holding its answer
        always finds it), count it in the metrics and log it."""
        operation = exchange.operation
        record = Record(
            session=exchange.session,
            connection_id=exchange.connection_id,
            request=exchange.request,
            operation_id=operation.id if operation else None,
            mount=exchange.mount.prefix if exchange.mount else "",
            status=answer.status if status == -1 else status,
            response_headers=headers,
            response_body=answer.body,
            t_headers=exchange.t_headers,
            t_start=exchange.t_start,
            t_body_end=exchange.t_body_end,
            t_resp_start=t_resp_start,
            violations=exchange.violations,
            correlation_id=exchange.correlation_id,
            client=exchange.client,
            outcome=exchange.outcome,
            fault=exchange.fault,
            rule=exchange.rule,
            secret_headers=self._secret_headers,
            secret_query=self._secret_query,
        )
        record.real_start = _real_monotonic()
        self.journal.append(record)
        self.connections.finished(exchange.transport, exchange.t_start)
        duration = t_resp_start - exchange.t_headers
        self.metrics.observe(record.operation_id or exchange.outcome, record.status or 0,
                             duration, len(exchange.violations))
        if self.config.log_format != "off":
            self._log(record, duration)
        if operation is not None and exchange.mount is not None and record.status and (
                self.webhooks.may_fire()):
            self.webhooks.served(exchange.mount.contract, operation.id, exchange.session,
                                 record.status, lambda: served_exchange(exchange.request,
                                                                        answer))
        return record

    def _log(self, entry: Record, duration: float) -> None:
        if not self.access_log.enabled():
            return
        if not self.access_log.admit():  # under load: counted, told once a second
            self.access_log.hide(entry.operation_id or entry.outcome, entry.status)
            return
        path = readable(entry.request.path)  # a request may carry bytes that are not UTF-8
        if self.config.log_format == "json":
            self.access_log.add(orjson.dumps({
                "method": entry.request.method, "path": path,
                "status": entry.status,
                "operation": entry.operation_id, "ms": round(duration * 1000, 2),
                "session": readable(entry.session), "request_id": entry.correlation_id,
                "violations": len(entry.violations), "outcome": entry.outcome,
            }).decode())
            return
        operation = entry.operation_id or entry.outcome
        suffix = f"  {len(entry.violations)} violation(s)" if entry.violations else ""
        self.access_log.add(f"{entry.request.method} {path} → {entry.status}  {operation}  "
                            f"{duration * 1000:.1f} ms  id={entry.correlation_id}{suffix}")


def _json_summary(count: int, seconds: float, hidden: Hidden, per_second: int) -> str:
    """The JSON log's line for the requests not shown one by one (see access_log)."""
    return orjson.dumps({"not_shown": count, "seconds": round(seconds, 3),
                         "lines_per_second": per_second, "by": [
        {"operation": operation, "status": status, "requests": n}
        for (operation, status), n in hidden.most_common()]}).decode()


def _header_safe(value: str) -> str:
    """Header values may echo request data (violation messages): escape what HTTP forbids."""
    if value.isascii() and value.isprintable():
        return value
    return "".join(c if " " <= c < "\x7f" else f"\\u{ord(c):04x}" for c in value)


def _http_request(request: web.BaseRequest, body: bytes) -> HttpRequest:
    return HttpRequest(
        method=request.method.upper(),
        # the raw path: an encoded slash (%2F) inside a path parameter is not a separator
        path=request.rel_url.raw_path,
        query=(tuple(parse_qsl(query, keep_blank_values=True))
               if (query := request.rel_url.raw_query_string) else ()),
        headers={k.lower(): v for k, v in request.headers.items()},
        body=body,
    )


def _preflight(request: HttpRequest) -> MockResponse:
    return MockResponse(204, {
        "Access-Control-Allow-Origin": request.headers.get("origin", "*"),
        "Access-Control-Allow-Methods": request.headers.get("access-control-request-method",
                                                            "GET"),
        "Access-Control-Allow-Headers": request.headers.get("access-control-request-headers",
                                                            "*"),
        "Access-Control-Max-Age": "600",
    })


def _method_not_allowed(request: HttpRequest, relative: str, allowed: tuple[str, ...],
                        mount: Mount) -> MockResponse:
    answer = problem(
        405, "Method Not Allowed",
        f"{request.method} is not declared for {request.path}; allowed: {', '.join(allowed)}",
        kind="method-not-allowed",
        nearest=[f"{method} {mount.prefix}{relative}" for method in allowed])
    answer.headers["Allow"] = ", ".join(allowed)
    return answer
