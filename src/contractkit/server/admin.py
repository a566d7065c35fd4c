"""The admin API under ``/__contractkit/``, described by ``admin-openapi.yaml`` beside this
module (the tests validate every admin answer against it with contractkit itself)."""

from __future__ import annotations

import hmac
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from aiohttp import web

from contractkit.errors import ContractkitError
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
        answer = self._answer(request, exchange)
        return await self.app._send(request, exchange, answer)

    def _answer(self, request: web.BaseRequest, exchange: _Exchange) -> MockResponse:
        token = self.app.config.admin_token
        if token is not None and not _authorised(request, token):
            answer = problem(401, "Unauthorized",
                             "the admin API needs 'Authorization: Bearer <admin token>'",
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
        if not isinstance(body, dict) or not ({"name", "scenario"} & set(body)):
            return problem(400, "Bad Request",
                           'send {"name": "rate-limited"} (null turns scenarios off) or '
                           '{"scenario": {...a scenario...}}', kind="admin-bad-body")
        try:
            name = (self.app.scenarios.add(body["scenario"]).name if body.get("scenario")
                    else body.get("name"))
            self.app.scenarios.activate(name, session=request.query.get("session"),
                                        now=self.app.clock())
        except ContractkitError as error:
            return problem(400, "Bad Request", str(error), kind="admin-bad-scenario")
        return self._scenario(request)

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
        entries = self.app.journal.entries(
            session=query.get("session"), operation_id=query.get("operation"),
            status=status, since_seq=since_seq)
        entries = [e for e in entries if e.outcome != "admin"][-limit:] if limit > 0 else []
        return _json(200, {"entries": [e.to_dict() for e in entries],
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


def _authorised(request: web.BaseRequest, token: str) -> bool:
    given = request.headers.get("Authorization", "")
    if given.lower().startswith("bearer "):
        given = given[7:].strip()
    else:
        given = request.headers.get("X-Contractkit-Admin-Token", "")
    return hmac.compare_digest(given.encode(), token.encode())
