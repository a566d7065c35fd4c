"""Build small OpenAPI documents in tests, so each test shows only what it changes."""

from __future__ import annotations

import copy
from typing import Any

import contractkit


def api(*, request: Any = None, response: Any = None, parameters: Any = None,
        components: Any = None, operation: Any = None, path: str = "/payments",
        method: str = "post", version: str = "1.0.0", **top: Any) -> dict[str, Any]:
    """A one-operation OpenAPI 3.1 document; ``request``/``response`` are JSON schemas."""
    op: dict[str, Any] = {"operationId": "createPayment", "responses": {"200": {
        "description": "ok"}}}
    if request is not None:
        op["requestBody"] = {"required": True,
                             "content": {"application/json": {"schema": request}}}
    if response is not None:
        op["responses"]["200"]["content"] = {"application/json": {"schema": response}}
    if parameters is not None:
        op["parameters"] = parameters
    op.update(operation or {})
    document: dict[str, Any] = {"openapi": "3.1.0", "info": {"title": "t", "version": version},
                                "paths": {path: {method: op}}}
    if components is not None:
        document["components"] = components
    document.update(top)
    return copy.deepcopy(document)


def changes(old: dict[str, Any], new: dict[str, Any], **options: Any) -> list[tuple[str, str]]:
    """``(rule_id, level)`` of every change from ``old`` to ``new``."""
    report = contractkit.diff(contractkit.load(old), contractkit.load(new), **options)
    return [(change.rule_id, change.level) for change in report.changes]


def reached(report: contractkit.DiffReport) -> list[tuple[str, str, str]]:
    """``(rule_id, operation, location)`` of each change as each operation reaches it:
    a change in a component once per reach, any other change as it is."""
    found = []
    for change in report.changes:
        for reach in change.reaches:
            found.append((change.rule_id, reach.operation, reach.location))
        if not change.reaches:
            found.append((change.rule_id, change.operation, change.location))
    return found
