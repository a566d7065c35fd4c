"""Compare two OpenAPI contracts: operations, parameters, bodies, responses, security,
servers and lifecycle; schemas are handed to :mod:`contractkit.diff.schema`.

Operations are matched by method and path template with the variable names blanked, so
renaming ``/pets/{id}`` to ``/pets/{petId}`` is not a removal; path parameters are matched
by position for the same reason.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

from contractkit._types import JSON
from contractkit.contract._source import split_pointer
from contractkit.contract.model import (
    Contract,
    Header,
    MediaType,
    Operation,
    Parameter,
    RequestBody,
    Response,
    Schema,
)
from contractkit.contract.routing import template_variables
from contractkit.diff.lines import json_positions
from contractkit.diff.messages import schema_message
from contractkit.diff.model import Change
from contractkit.diff.rules import SCHEMA_CHANGES_BY_NAME, Level, rule, schema_level
from contractkit.diff.schema import Mode, Node, SchemaDiffer, parse_date
from contractkit.errors import Location

_VARIABLE = re.compile(r"\{[^{}/]*\}")
_BRANCH = re.compile(r"/(?:oneOf|anyOf)\[\d+\]")
_STABILITY = ("draft", "alpha", "beta", "stable")
Side = Literal["old", "new"]


class OpenAPIDiff:
    """One comparison of an old and a new OpenAPI contract."""

    def __init__(self, old: Contract, new: Contract, *, today: dt.date) -> None:
        self.old, self.new, self.today = old, new, today
        self.schemas = SchemaDiffer(_resolver(old), _resolver(new))
        self.changes: list[Change] = []
        self._sites: list[tuple[Side, str, str] | None] = []

    def run(self) -> list[Change]:
        self._servers()
        self._security_schemes()
        old_ops = {_operation_key(op): op for op in self.old.operations}
        new_ops = {_operation_key(op): op for op in self.new.operations}
        old_paths = {key[1] for key in old_ops}
        new_paths = {key[1] for key in new_ops}
        for key in sorted(old_ops.keys() | new_ops.keys()):
            before, after = old_ops.get(key), new_ops.get(key)
            start = len(self.changes)
            if after is None and before is not None:
                self._removed(before, endpoint=key[1] not in new_paths)
            elif before is None and after is not None:
                self._add("endpoint-added" if key[1] not in old_paths else "operation-added",
                          [_label(after)], f"{_label(after)} was added", operation=_label(after),
                          site=("new", after.uri, after.pointer))
            elif before is not None and after is not None:
                self._operation(before, after)
            if before is not None:
                self._unstable(before, start)
        self._webhooks()
        return self._located()

    def _webhooks(self) -> None:
        """Webhooks turn the exchange around: the API sends the request and subscribers
        read it, so their payloads are compared as responses are."""
        before = {(op.method, op.path): op for op in self.old.webhooks}
        after = {(op.method, op.path): op for op in self.new.webhooks}
        for key in sorted(before.keys() - after.keys()):
            label = f"webhook {key[1]} {key[0]}"
            self._add("webhook-removed", [label], f"{label} was removed: subscribers stop "
                      "receiving these events", operation=label,
                      site=("old", before[key].uri, before[key].pointer))
        for key in sorted(after.keys() - before.keys()):
            label = f"webhook {key[1]} {key[0]}"
            self._add("webhook-added", [label], f"{label} was added", operation=label,
                      site=("new", after[key].uri, after[key].pointer))
        for key in sorted(before.keys() & after.keys()):
            label = f"webhook {key[1]} {key[0]}"
            was, now = before[key].request_body, after[key].request_body
            if was is None or now is None:
                continue
            parts = [label, "requestBody"]
            old_media, new_media = _media(was.content), _media(now.content)
            for media in sorted(old_media.keys() & new_media.keys()):
                old_schema, new_schema = old_media[media].schema, new_media[media].schema
                if old_schema is not None and new_schema is not None:
                    self._schema(old_schema, new_schema, "response", "body",
                                 [*parts, new_media[media].name], label, "webhook payload",
                                 prefix="webhook")

    # -- recording ------------------------------------------------------------------

    def _add(self, rule_id: str, parts: Iterable[str], message: str, *, old: JSON = None,
             new: JSON = None, operation: str = "", site: tuple[Side, str, str] | None = None,
             level: Level | None = None) -> None:
        self.changes.append(Change(
            rule_id=rule_id, level=level or rule(rule_id).level,
            location=" → ".join(parts), message=message, old=old, new=new,
            operation=operation))
        self._sites.append(site)

    def _located(self) -> list[Change]:
        """The changes with their file:line, found for all of them at once."""
        wanted: dict[tuple[Side, str], set[str]] = {}
        for site in self._sites:
            if site is not None:
                wanted.setdefault((site[0], site[1]), set()).add(site[2])
        found: dict[tuple[Side, str, str], Location] = {}
        for (side, uri), pointers in wanted.items():
            contract = self.old if side == "old" else self.new
            for pointer, location in _locations(contract, uri, pointers).items():
                found[side, uri, pointer] = location
        return [change if site is None else dataclasses.replace(change, source_line=found.get(
            site)) for change, site in zip(self.changes, self._sites, strict=True)]

    # -- operations -----------------------------------------------------------------

    def _unstable(self, operation: Operation, start: int) -> None:
        """An operation published as ``draft`` or ``alpha`` promises no compatibility:
        what would break its clients is reported as dangerous instead."""
        stability = operation.extensions.get("x-stability-level")
        if stability not in ("draft", "alpha"):
            return
        for index in range(start, len(self.changes)):
            change = self.changes[index]
            if change.level == "breaking" and change.rule_id != "stability-level-invalid":
                self.changes[index] = dataclasses.replace(
                    change, level="dangerous",
                    message=f"{change.message} (the operation was {stability}, "
                            "so this is not counted as breaking)")

    def _removed(self, operation: Operation, *, endpoint: bool) -> None:
        label = _label(operation)
        site: tuple[Side, str, str] = ("old", operation.uri, operation.pointer)
        if operation.deprecated:
            sunset = parse_date(operation.extensions.get("x-sunset"))
            if sunset is not None and sunset > self.today:
                self._add("operation-removed-before-sunset", [label],
                          f"{label} was removed before its sunset date {sunset}: clients "
                          "were promised it until then", operation=label, site=site,
                          old=str(sunset))
            else:
                self._add("operation-removed-after-deprecation", [label],
                          f"deprecated {label} was removed", operation=label, site=site)
            return
        rule_id = "endpoint-removed" if endpoint else "operation-removed"
        self._add(rule_id, [label], f"{label} was removed without being deprecated first: "
                  "clients calling it will get 404 or 405", operation=label, site=site)

    def _operation(self, old: Operation, new: Operation) -> None:
        label = _label(new)
        site: tuple[Side, str, str] = ("new", new.uri, new.pointer)
        if old.id != new.id and not old.generated_id and not new.generated_id:
            self._add("operation-id-changed", [label, "operationId"],
                      f"operationId changed from {old.id!r} to {new.id!r}: generated clients "
                      "will rename the method", old=old.id, new=new.id, operation=label,
                      site=site)
        self._lifecycle("operation", [label], label, old.deprecated, new.deprecated,
                        old.extensions, new.extensions, label, site)
        self._stability(old, new, label, site)
        self._parameters(old, new, label)
        self._request_body(old.request_body, new.request_body, label, site)
        self._responses(old, new, label, site)
        self._security(old, new, label, site)

    def _lifecycle(self, what: Literal["operation", "request-parameter"], parts: list[str],
                   name: str, was: bool, now: bool, old_ext: Mapping[str, Any],
                   new_ext: Mapping[str, Any], label: str, site: tuple[Side, str, str]) -> None:
        """Deprecation and ``x-sunset`` of an operation or parameter called ``name``."""
        old_sunset, new_sunset = old_ext.get("x-sunset"), new_ext.get("x-sunset")
        if now and not was:
            if new_sunset is None:
                self._add(f"{what}-deprecated-without-sunset", parts,
                          f"{name} was deprecated without an x-sunset date: clients cannot "
                          "tell when it goes away", operation=label, site=site)
            else:
                self._add(f"{what}-deprecated", parts,
                          f"{name} was deprecated, sunset {new_sunset}", operation=label,
                          site=site, new=new_sunset)
        elif was and not now:
            self._add(f"{what}-reactivated", parts, f"{name} is no longer deprecated",
                      operation=label, site=site)
        if old_sunset == new_sunset:
            return
        before, after = parse_date(old_sunset), parse_date(new_sunset)
        if new_sunset is not None and after is None:
            self._add("sunset-invalid", [*parts, "x-sunset"],
                      f"x-sunset {new_sunset!r} of {name} is not a date (YYYY-MM-DD): removal "
                      "cannot be checked against it", old=old_sunset, new=new_sunset,
                      operation=label, site=site)
        elif now and before is not None and new_sunset is None:
            self._add("sunset-removed", [*parts, "x-sunset"],
                      f"{name} is still deprecated but lost its sunset date {before}",
                      old=str(before), operation=label, site=site)
        elif before is not None and after is not None:
            earlier = after < before
            self._add(f"sunset-moved-{'earlier' if earlier else 'later'}", [*parts, "x-sunset"],
                      f"the sunset date of {name} moved from {before} to {after}"
                      + (": clients have less time than announced" if earlier else ""),
                      old=str(before), new=str(after), operation=label, site=site)

    def _stability(self, old: Operation, new: Operation, label: str,
                   site: tuple[Side, str, str]) -> None:
        before = old.extensions.get("x-stability-level")
        after = new.extensions.get("x-stability-level")
        if before == after:
            return
        parts = [label, "x-stability-level"]
        for value in (after, before):
            if value is not None and value not in _STABILITY:
                self._add("stability-level-invalid", parts,
                          f"x-stability-level {value!r} is not one of draft, alpha, beta, "
                          "stable, so the impact of changes cannot be judged",
                          old=before, new=after, operation=label, site=site)
                return
        rank_before = _STABILITY.index(before or "stable")
        rank_after = _STABILITY.index(after or "stable")
        if rank_before != rank_after:
            lower = rank_after < rank_before
            self._add(f"stability-level-{'decreased' if lower else 'increased'}", parts,
                      f"{label} went from {before or 'stable'} to {after or 'stable'}",
                      old=before, new=after, operation=label, site=site)

    # -- parameters -----------------------------------------------------------------

    def _parameters(self, old: Operation, new: Operation, label: str) -> None:
        before = {_parameter_key(old, p): p for p in old.parameters}
        after = {_parameter_key(new, p): p for p in new.parameters}
        moved: set[str] = set()
        for key in sorted(before.keys() - after.keys()):
            parameter = before[key]
            elsewhere = [p for k, p in after.items() if k not in before
                         and p.name.lower() == parameter.name.lower()]
            parts = [label, "parameters", f"{parameter.location} {parameter.name}"]
            site: tuple[Side, str, str] = ("new", new.uri, new.pointer)
            if elsewhere and elsewhere[0].location == parameter.location:
                # declared under a name its template does not use: same parameter
                moved.add(elsewhere[0].name.lower())
                self._parameter(parameter, elsewhere[0], new, label)
                continue
            if elsewhere:
                moved.add(elsewhere[0].name.lower())
                self._add("request-parameter-location-changed", parts,
                          f"{parameter.location} parameter `{parameter.name}` moved to the "
                          f"{elsewhere[0].location}: clients send it in the wrong place",
                          old=parameter.location, new=elsewhere[0].location, operation=label,
                          site=("new", new.uri, elsewhere[0].pointer or new.pointer))
                continue
            self._add("request-parameter-removed", parts,
                      f"{parameter.location} parameter `{parameter.name}` was removed: "
                      "clients still send it", operation=label, site=site)
        for key in sorted(after.keys() - before.keys()):
            parameter = after[key]
            if parameter.name.lower() in moved:
                continue
            parts = [label, "parameters", f"{parameter.location} {parameter.name}"]
            site = ("new", new.uri, parameter.pointer or new.pointer)
            if parameter.required:
                self._add("request-required-parameter-added", parts,
                          f"required {parameter.location} parameter `{parameter.name}` was "
                          "added: existing clients do not send it and will get 400",
                          operation=label, site=site)
            else:
                self._add("request-parameter-added", parts,
                          f"optional {parameter.location} parameter `{parameter.name}` was "
                          "added", operation=label, site=site)
        for key in sorted(before.keys() & after.keys()):
            self._parameter(before[key], after[key], new, label)

    def _parameter(self, old: Parameter, new: Parameter, operation: Operation,
                   label: str) -> None:
        parts = [label, "parameters", f"{new.location} {new.name}"]
        site: tuple[Side, str, str] = ("new", operation.uri, new.pointer or operation.pointer)
        title = f"{new.location} parameter `{new.name}`"
        if old.required != new.required:
            self._add(f"request-parameter-became-{'required' if new.required else 'optional'}",
                      parts, f"{title} became "
                      + ("required: existing clients that omit it will get 400"
                         if new.required else "optional"),
                      old=old.required, new=new.required, operation=label, site=site)
        if old.style != new.style:
            self._add("request-parameter-style-changed", parts,
                      f"{title} changed style from {old.style} to {new.style}: clients "
                      "serialise it the old way", old=old.style, new=new.style,
                      operation=label, site=site)
        elif old.explode != new.explode and not new.content:
            self._add("request-parameter-explode-changed", parts,
                      f"{title} changed explode from {old.explode} to {new.explode}: "
                      "clients serialise it the old way", old=old.explode, new=new.explode,
                      operation=label, site=site)
        self._lifecycle("request-parameter", parts, title, old.deprecated, new.deprecated,
                        _extensions(self.old, old), _extensions(self.new, new), label, site)
        old_schema, new_schema = _parameter_schema(old), _parameter_schema(new)
        if old_schema is not None and new_schema is not None:
            self._schema(old_schema, new_schema, "parameter", "parameter", parts, label,
                         title)

    # -- bodies ---------------------------------------------------------------------

    def _request_body(self, old: RequestBody | None, new: RequestBody | None, label: str,
                      site: tuple[Side, str, str]) -> None:
        parts = [label, "requestBody"]
        if old is None and new is None:
            return
        if old is None and new is not None:
            rule_id = "request-required-body-added" if new.required else "request-body-added"
            self._add(rule_id, parts, ("a required request body was added: existing clients "
                      "do not send one" if new.required else "an optional request body was "
                      "added"), operation=label, site=("new", site[1], new.pointer))
            return
        if new is None:
            self._add("request-body-removed", parts, "the request body was removed: clients "
                      "still send one", operation=label, site=site)
            return
        assert old is not None
        here: tuple[Side, str, str] = ("new", site[1], new.pointer)
        if old.required != new.required:
            self._add(f"request-body-became-{'required' if new.required else 'optional'}",
                      parts, "the request body became " + (
                          "required: clients that send none will get 400" if new.required
                          else "optional"), old=old.required, new=new.required,
                      operation=label, site=here)
        before, after = _media(old.content), _media(new.content)
        for key in sorted(before.keys() - after.keys()):
            self._add("request-media-type-removed", [*parts, before[key].name],
                      f"request media type {before[key].name} was removed: clients sending it "
                      "will get 415", operation=label, site=here)
        for key in sorted(after.keys() - before.keys()):
            self._add("request-media-type-added", [*parts, after[key].name],
                      f"request media type {after[key].name} was added", operation=label,
                      site=("new", site[1], after[key].pointer))
        for key in sorted(before.keys() & after.keys()):
            # XML and text bodies arrive as text, like parameters: a string accepts them all
            mode: Mode = "request" if "json" in key or "form" in key else "parameter"
            self._media_schema(before[key], after[key], mode, [*parts, after[key].name],
                               label)

    def _media_schema(self, old: MediaType, new: MediaType, mode: Mode, parts: list[str],
                      label: str) -> None:
        if old.schema is not None and new.schema is not None:
            side = "response" if mode == "response" else "request"
            self._schema(old.schema, new.schema, mode, "body", parts, label, f"{side} body")

    # -- responses ------------------------------------------------------------------

    def _responses(self, old: Operation, new: Operation, label: str,
                   site: tuple[Side, str, str]) -> None:
        for status in sorted(old.responses.keys() - new.responses.keys()):
            success = status.startswith("2")
            self._add(f"response-{'success' if success else 'non-success'}-status-removed",
                      [label, "responses", status],
                      f"response status {status} was removed"
                      + (": clients relying on it break" if success else ""),
                      operation=label, site=site, old=status)
        for status in sorted(new.responses.keys() - old.responses.keys()):
            success = status.startswith("2")
            self._add(f"response-{'success' if success else 'non-success'}-status-added",
                      [label, "responses", status],
                      f"response status {status} was added"
                      + (": clients may not handle it" if success else ""),
                      operation=label, site=("new", site[1], new.responses[status].pointer),
                      new=status)
        for status in sorted(old.responses.keys() & new.responses.keys()):
            self._response(old.responses[status], new.responses[status], label, site)

    def _response(self, old: Response, new: Response, label: str,
                  site: tuple[Side, str, str]) -> None:
        parts = [label, "responses", new.status]
        here: tuple[Side, str, str] = ("new", site[1], new.pointer)
        before, after = _media(old.content), _media(new.content)
        unmatched_new = dict(after)
        for key in sorted(before.keys()):
            media = before[key]
            if key in after:
                unmatched_new.pop(key, None)
                self._media_schema(media, after[key], "response", [*parts, after[key].name],
                                   label)
                continue
            general = [m for k, m in after.items() if k not in before and _wider(k, key)]
            special = [m for k, m in after.items() if k not in before and _wider(key, k)]
            if special:
                unmatched_new.pop(_media_key(special[0].name), None)
                self._add("response-media-type-specialized", [*parts, special[0].name],
                          f"response media type {media.name} became {special[0].name}",
                          old=media.name, new=special[0].name, operation=label, site=here)
                self._media_schema(media, special[0], "response", [*parts, special[0].name],
                                   label)
            elif general:
                unmatched_new.pop(_media_key(general[0].name), None)
                self._add("response-media-type-generalized", [*parts, general[0].name],
                          f"response media type {media.name} became the less specific "
                          f"{general[0].name}: clients may receive something they cannot "
                          "parse", old=media.name, new=general[0].name, operation=label,
                          site=here)
            else:
                self._add("response-media-type-removed", [*parts, media.name],
                          f"response media type {media.name} was removed: clients asking "
                          "for it will get 406 or another type", operation=label, site=here)
        for media in unmatched_new.values():
            if _media_key(media.name) not in before:
                self._add("response-media-type-added", [*parts, media.name],
                          f"response media type {media.name} was added", operation=label,
                          site=("new", site[1], media.pointer))
        self._headers(old.headers, new.headers, parts, label, here)

    def _headers(self, old: Mapping[str, Header], new: Mapping[str, Header],
                 parts: list[str], label: str, site: tuple[Side, str, str]) -> None:
        before = {name.lower(): h for name, h in old.items()}
        after = {name.lower(): h for name, h in new.items()}
        for key in sorted(before.keys() - after.keys()):
            header = before[key]
            kind = "required" if header.required else "optional"
            self._add(f"response-{kind}-header-removed", [*parts, "headers", header.name],
                      f"{kind} response header `{header.name}` was removed"
                      + (": clients reading it will not find it" if header.required else ""),
                      operation=label, site=site)
        for key in sorted(after.keys() - before.keys()):
            header = after[key]
            self._add("response-header-added", [*parts, "headers", header.name],
                      f"response header `{header.name}` was added", operation=label,
                      site=("new", site[1], header.pointer))
        for key in sorted(before.keys() & after.keys()):
            was, now = before[key], after[key]
            here: tuple[Side, str, str] = ("new", site[1], now.pointer)
            header_parts = [*parts, "headers", now.name]
            if was.required != now.required:
                self._add(f"response-header-became-{'required' if now.required else 'optional'}",
                          header_parts, f"response header `{now.name}` became "
                          + ("required" if now.required else
                             "optional: clients relying on it may not find it"),
                          old=was.required, new=now.required, operation=label, site=here)
            if was.schema is not None and now.schema is not None:
                self._schema(was.schema, now.schema, "response", "header", header_parts, label,
                             f"response header `{now.name}`")

    # -- security and servers ---------------------------------------------------------

    def _security(self, old: Operation, new: Operation, label: str,
                  site: tuple[Side, str, str]) -> None:
        parts = [label, "security"]
        before = {frozenset(r): r for r in old.security if r}
        after = {frozenset(r): r for r in new.security if r}
        open_before = not before or len(before) < len(old.security)
        open_after = not after or len(after) < len(new.security)
        if open_before and not open_after:
            self._add("security-added", parts,
                      "the operation now needs credentials (" + _alternatives(after)
                      + "): anonymous clients will get 401", operation=label, site=site,
                      new=_alternatives(after))
            return
        if open_after and not open_before:
            self._add("security-removed", parts, "the operation no longer needs credentials",
                      operation=label, site=site, old=_alternatives(before))
            return
        for key in sorted(before.keys() - after.keys(), key=sorted):
            self._add("security-alternative-removed", [*parts, " + ".join(sorted(key))],
                      f"authenticating with {' + '.join(sorted(key))} is no longer accepted: "
                      "clients using it will get 401", operation=label, site=site)
        for key in sorted(after.keys() - before.keys(), key=sorted):
            self._add("security-alternative-added", [*parts, " + ".join(sorted(key))],
                      f"authenticating with {' + '.join(sorted(key))} is now accepted",
                      operation=label, site=site)
        for key in sorted(before.keys() & after.keys(), key=sorted):
            for scheme in sorted(key):
                was, now = set(before[key][scheme]), set(after[key][scheme])
                for scope in sorted(now - was):
                    self._add("security-scope-added", [*parts, scheme, scope],
                              f"scope `{scope}` of {scheme} is now required: tokens without "
                              "it will get 403", new=scope, operation=label, site=site)
                for scope in sorted(was - now):
                    self._add("security-scope-removed", [*parts, scheme, scope],
                              f"scope `{scope}` of {scheme} is no longer required", old=scope,
                              operation=label, site=site)

    def _security_schemes(self) -> None:
        before, after = self.old.security_schemes, self.new.security_schemes
        for name in sorted(before.keys() & after.keys()):
            was, now = before[name], after[name]
            old_shape = (was.type, was.scheme, was.location, was.parameter_name)
            new_shape = (now.type, now.scheme, now.location, now.parameter_name)
            if old_shape != new_shape:
                self._add("security-scheme-changed", ["securitySchemes", name],
                          f"security scheme {name} changed from {_scheme_text(old_shape)} to "
                          f"{_scheme_text(new_shape)}: clients send credentials the old way",
                          old=_scheme_text(old_shape), new=_scheme_text(new_shape),
                          site=("new", _root_uri(self.new), now.pointer))

    def _servers(self) -> None:
        before = [s.url for s in self.old.servers]
        after = [s.url for s in self.new.servers]
        for url in before:
            if url not in after and after:
                self._add("server-removed", ["servers", url],
                          f"server {url} was removed: clients configured with it stop working",
                          old=url)
        for url in after:
            if url not in before and before:
                self._add("server-added", ["servers", url], f"server {url} was added", new=url)

    # -- schemas --------------------------------------------------------------------

    def _schema(self, old: Schema, new: Schema, mode: Mode, root: str, parts: list[str],
                label: str, title: str, *, prefix: str = "") -> None:
        """Compare two schemas; ``prefix`` names the rules (``request``, ``response`` or
        ``webhook``), by default the side that ``mode`` reads from."""
        old_node = _schema_node(self.old, old)
        new_node = _schema_node(self.new, new)
        if old_node is None or new_node is None:
            return
        side: Literal["request", "response"] = "response" if mode == "response" else "request"
        for finding in self.schemas.compare(old_node, new_node, mode):
            nested = bool(_BRANCH.sub("", finding.path))
            change = SCHEMA_CHANGES_BY_NAME[finding.change]
            rule_id = f"{prefix or side}-{'property' if nested else root}-{change.name}"
            where = [*parts, finding.path] if finding.path else parts
            self._add(rule_id, where,
                      schema_message(change, side, schema_level(change, side), finding, title,
                                     nested, noun=prefix or side),
                      old=finding.old, new=finding.new, operation=label,
                      site=("new", *finding.site))


def _locations(contract: Contract, uri: str, pointers: set[str]) -> dict[str, Location]:
    resolver = _resolver(contract)
    document = resolver.documents.get(uri) if resolver is not None else None
    if (document is None or document.syntax != "json" or not document.raw
            or contract.spec_version == "2.0"):
        # YAML positions come from one cached parse; Swagger pointers need the contract's
        # mapping back to the document as written
        return {pointer: contract.location(uri, pointer) for pointer in pointers}
    return {pointer: Location(document.display, line, column, pointer)
            for pointer, (line, column) in json_positions(document.raw, pointers).items()}


def _resolver(contract: Contract) -> Any:
    # The model keeps schemas as written; following their refs needs the contract's own
    # resolver, which the runtime holds (no public accessor exists yet).
    return contract._runtime.resolver


def _root_uri(contract: Contract) -> str:
    resolver = _resolver(contract)
    return str(resolver.root.uri) if resolver is not None else contract.source


def _schema_node(contract: Contract, schema: Schema) -> Node | None:
    resolver = _resolver(contract)
    if resolver is None or schema.uri not in resolver.documents:
        return None
    return Node(schema.raw, resolver.document(schema.uri), schema.pointer)


def _operation_key(operation: Operation) -> tuple[str, str]:
    return operation.method, _VARIABLE.sub("{}", operation.path)


def _label(operation: Operation) -> str:
    return f"{operation.method} {operation.path}"


def _parameter_key(operation: Operation, parameter: Parameter) -> tuple[str, str]:
    if parameter.location == "path":
        names = template_variables(operation.path)
        if parameter.name in names:
            return "path", f"#{names.index(parameter.name)}"
    name = parameter.name.lower() if parameter.location == "header" else parameter.name
    return parameter.location, name


def _parameter_schema(parameter: Parameter) -> Schema | None:
    if parameter.schema is not None:
        return parameter.schema
    for media in parameter.content.values():
        return media.schema
    return None


def _extensions(contract: Contract, parameter: Parameter) -> Mapping[str, Any]:
    """The ``x-`` keys of a parameter (the model keeps only the standard fields)."""
    if not parameter.deprecated:
        return {}  # x-sunset only means something on a deprecated parameter
    resolver = _resolver(contract)
    if resolver is None or not parameter.pointer:
        return {}
    node: Any = resolver.root.data
    for token in split_pointer(parameter.pointer):
        if isinstance(node, dict):
            node = node.get(token)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return {}
    if not isinstance(node, dict):
        return {}
    return {k: v for k, v in node.items() if k.startswith("x-")}


def _media_key(name: str) -> str:
    return name.split(";", 1)[0].strip().lower()


def _media(content: Mapping[str, MediaType]) -> dict[str, MediaType]:
    return {_media_key(name): media for name, media in content.items()}


def _wider(general: str, specific: str) -> bool:
    """Whether media type ``general`` covers ``specific`` (``*/*``, ``application/*``,
    ``application/json`` ⊃ ``application/problem+json``)."""
    if general == specific:
        return False
    if general == "*/*":
        return True
    kind, _, sub = general.partition("/")
    specific_kind, _, specific_sub = specific.partition("/")
    if kind != specific_kind:
        return False
    return sub == "*" or specific_sub.endswith("+" + sub)


def _alternatives(requirements: Mapping[frozenset[str], Mapping[str, tuple[str, ...]]]) -> str:
    return " or ".join(" + ".join(sorted(key)) for key in sorted(requirements, key=sorted))


def _scheme_text(shape: tuple[str, str, str, str]) -> str:
    kind, scheme, location, name = shape
    if kind == "apiKey":
        return f"apiKey in {location} {name}"
    return f"{kind} {scheme}".strip()
