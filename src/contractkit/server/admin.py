"""The admin API under ``/__contractkit/``, described by ``admin-openapi.yaml`` beside this
module (the tests validate every admin answer against it with contractkit itself)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from aiohttp import web

from contractkit.errors import ContractkitError
from contractkit.server.admin_access import authorised, host_allowed
from contractkit.server.responses import MockResponse, problem

if TYPE_CHECKING:
    from contractkit.server.app import MockApp, _Exchange

ADMIN_CONTRACT = Path(__file__).with_name("admin-openapi.yaml")
_JSON = "application/json"


class Admin:
    def __init__(self, app: MockApp, started: float) -> None:
        self.app = app
        self.started = started

    async def __call__(self, request: web.BaseRequest, exchange: _Exchange) -> web.StreamResponse:
        """Answer an admin request: not journalled, not counted, never with CORS headers
        (a web page must not read the journal or drive the mock)."""
        answer = self._answer(request, exchange)
        response = web.Response(status=answer.status, body=answer.body,
                                headers={**answer.headers,
                                         "X-Request-Id": exchange.correlation_id})
        await response.prepare(request)
        await response.write_eof()
        return response

    def _answer(self, request: web.BaseRequest, exchange: _Exchange) -> MockResponse:
        config = self.app.config
        sockname = request.transport.get_extra_info("sockname") if request.transport else None
        if not host_allowed(request.headers.get("Host"),
                            str(sockname[0]) if sockname else None, config.allowed_hosts):
            return problem(403, "Forbidden",
                           "the admin API answers only requests addressed to a loopback "
                           "name or the address it listens on (a guard against DNS "
                           "rebinding); start the mock with --allowed-host NAME to allow "
                           "another Host", kind="admin-forbidden-host")
        token = config.admin_token
        if token is not None and not authorised(request.headers, token):
            answer = problem(401, "Unauthorized",
                             "the admin API needs the admin token: send "
                             "'Authorization: Bearer <token>' or "
                             "'X-Contractkit-Admin-Token: <token>'",
                             kind="admin-unauthorized")
            answer.headers["WWW-Authenticate"] = 'Bearer realm="contractkit-admin"'
            return answer
        name = request.path.removeprefix("/__contractkit/").strip("/")
        method = request.method
        routes: dict[tuple[str, str], Callable[[web.BaseRequest], MockResponse]] = {
            ("GET", "health"): self._health,
            ("GET", "journal"): self._journal,
            ("DELETE", "journal"): self._clear_journal,
            ("POST", "reset"): self._reset,
            ("GET", "contracts"): self._contracts,
            ("GET", "metrics"): self._metrics,
            ("GET", "scenario"): self._scenario,
            ("PUT", "scenario"): lambda r: self._set_scenario(r, exchange.request.body),
            ("GET", "scenarios"): self._scenarios,
            ("POST", "webhooks"): lambda r: self._deliver(r, exchange.request.body),
            ("GET", "webhooks/journal"): self._webhook_journal,
            ("DELETE", "webhooks/journal"): self._clear_webhook_journal,
        }
        route = routes.get((method, name))
        if route is None:
            known = sorted({n for _, n in routes})
            return problem(404, "Not Found",
                           f"no admin endpoint {method} /__contractkit/{name}; endpoints: "
                           + ", ".join(f"/__contractkit/{k}" for k in known),
                           kind="admin-not-found")
        return route(request)

    def _scenario(self, request: web.BaseRequest) -> MockResponse:
        session = request.query.get("session")
        library = self.app.scenarios
        name = library.active(session)
        rules = library.get(name).rules if name is not None else ()
        return _json(200, {"active": name, "session": session, "rules": [
            {"name": rule.name, "does": rule.describe(), "origin": rule.origin}
            for rule in rules]})

    def _set_scenario(self, request: web.BaseRequest, raw: bytes) -> MockResponse:
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            return problem(400, "Bad Request", f"the body is not JSON: {error}",
                           kind="admin-bad-body")
        usage = ('send {"name": "rate-limited"} (a built-in scenario or one loaded at start '
                 'with --scenario, --scenarios or --scenario-dir; null turns scenarios off) '
                 'or {"scenario": {...a whole scenario...}}; the admin API never reads files')
        if not isinstance(body, dict) or len({"name", "scenario"} & set(body)) != 1:
            return problem(400, "Bad Request", usage, kind="admin-bad-body")
        inline, name = body.get("scenario"), body.get("name")
        # a string here is what a file path would be: refuse it without looking at it, so
        # the answer says nothing about the filesystem
        if ("scenario" in body and not isinstance(inline, Mapping)) or (
                "name" in body and name is not None and not isinstance(name, str)):
            return problem(400, "Bad Request", usage, kind="admin-bad-body")
        try:
            if isinstance(inline, Mapping):
                name = self.app.scenarios.add(inline).name
            self.app.scenarios.activate(name, session=request.query.get("session"),
                                        now=self.app.clock())
        except ContractkitError as error:
            return problem(400, "Bad Request", str(error), kind="admin-bad-scenario")
        return self._scenario(request)

    def _deliver(self, request: web.BaseRequest, raw: bytes) -> MockResponse:
        usage = ('send {"event": "paymentSucceeded"} (or a list of related events, in their '
                 'order), optionally "to": a receiver URL (default: --webhooks-to), '
                 '"payload": a body, "delay": seconds')
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            return problem(400, "Bad Request", f"the body is not JSON: {error}; {usage}",
                           kind="admin-bad-body")
        event = body.get("event") if isinstance(body, dict) else None
        names_ok = isinstance(event, str) or (
            isinstance(event, list) and event and all(isinstance(e, str) for e in event))
        delay = body.get("delay", 0) if isinstance(body, dict) else 0
        if (not names_ok or not isinstance(body.get("to", ""), str)
                or not isinstance(delay, int | float) or isinstance(delay, bool) or delay < 0
                or set(body) - {"event", "to", "payload", "delay"}):
            return problem(400, "Bad Request", usage, kind="admin-bad-body")
        webhooks = self.app.webhooks
        assert isinstance(event, str | list)
        try:
            deliveries = webhooks.plan(event, payload=body.get("payload"))
            target = webhooks.target_for(body.get("to"))
        except ContractkitError as error:
            return problem(400, "Bad Request", str(error), kind="admin-bad-webhook")
        webhooks.start(deliveries, target, session=request.query.get("session"),
                       delay=float(delay))
        return _json(202, {"to": target.url, "deliveries": [
            {"id": d.id, "event": d.event} for d in deliveries]})

    def _webhook_journal(self, request: web.BaseRequest) -> MockResponse:
        try:
            since_seq = int(request.query.get("since_seq", "0"))
        except ValueError:
            return problem(400, "Bad Request", "since_seq must be an integer",
                           kind="admin-bad-query")
        outbox = self.app.webhooks.outbox
        attempts = outbox.attempts(request.query.get("event"), since_seq=since_seq)
        return _json(200, {"attempts": [a.to_dict() for a in attempts],
                           "pending": outbox.pending, "dropped": outbox.dropped})

    def _clear_webhook_journal(self, request: web.BaseRequest) -> MockResponse:
        self.app.webhooks.outbox.clear()
        return MockResponse(204)

    def _scenarios(self, request: web.BaseRequest) -> MockResponse:
        library = self.app.scenarios
        return _json(200, {"scenarios": [
            {"name": name, "description": library.get(name).description}
            for name in library.names()]})

    def _health(self, request: web.BaseRequest) -> MockResponse:
        return _json(200, {
            "status": "ok",
            "uptime_seconds": round(self.app.clock() - self.started, 3),
            "contracts": len(self.app.mounts),
            "journal_entries": len(self.app.journal),
        })

    def _journal(self, request: web.BaseRequest) -> MockResponse:
        query = request.query
        try:
            status = int(query["status"]) if "status" in query else None
            since_seq = int(query.get("since_seq", "0"))
            limit = int(query.get("limit", "1000"))
        except ValueError:
            return problem(400, "Bad Request", "status, since_seq and limit must be integers",
                           kind="admin-bad-query")
        if since_seq < 0 or limit < 0:
            return problem(400, "Bad Request", "since_seq and limit cannot be negative",
                           kind="admin-bad-query")
        matching = self.app.journal.entries(
            session=query.get("session"), operation_id=query.get("operation"),
            status=status, since_seq=since_seq)
        # a page: the oldest `limit` after since_seq, and where the next page starts
        page = matching[:limit]
        return _json(200, {"entries": [e.to_dict() for e in page],
                           "next_since_seq": page[-1].seq if page else since_seq,
                           "more": len(matching) > len(page),
                           "dropped": self.app.journal.dropped})

    def _clear_journal(self, request: web.BaseRequest) -> MockResponse:
        self.app.journal.clear(request.query.get("session"))
        return MockResponse(204)

    def _reset(self, request: web.BaseRequest) -> MockResponse:
        self.app.reset(request.query.get("session"))
        return MockResponse(204)

    def _contracts(self, request: web.BaseRequest) -> MockResponse:
        return _json(200, {"contracts": [
            {
                "mount": mount.prefix or "/",
                "source": mount.contract.source,
                "kind": mount.contract.kind,
                "spec_version": mount.contract.spec_version,
                "title": mount.contract.title,
                "version": mount.contract.version,
                "operations": [{"id": op.id, "method": op.method, "path": op.path}
                               for op in mount.contract.operations],
            }
            for mount in self.app.mounts
        ]})

    def _metrics(self, request: web.BaseRequest) -> MockResponse:
        return MockResponse(200, {"Content-Type": "text/plain; version=0.0.4; charset=utf-8"},
                            self.app.metrics.render().encode())


def _json(status: int, data: Any) -> MockResponse:
    return MockResponse(status, {"Content-Type": _JSON}, orjson.dumps(data))
