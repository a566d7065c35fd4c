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
from collections.abc import Mapping
from typing import Any, Literal

from contractkit.contract._source import join_pointer, split_pointer
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
from contractkit.diff.lifecycle import (
    NO_POLICY,
    DeprecationPolicy,
    Notice,
    deprecation,
    removed_operation,
    removed_parameter_before_sunset,
    soften_unstable,
    stability,
)
from contractkit.diff.messages import schema_message
from contractkit.diff.model import Change
from contractkit.diff.pairs import SchemaFinding
from contractkit.diff.recorder import Place, Recorder, Site, operation_label, resolver_of
from contractkit.diff.rules import SCHEMA_CHANGES_BY_NAME, schema_level
from contractkit.diff.schema import RESPONSE_MODES, TEXTUAL_MODES, Mode, SchemaDiffer
from contractkit.diff.security import compare_security, compare_security_schemes, compare_servers
from contractkit.diff.sites import schema_path
from contractkit.diff.sunset import parse_date
from contractkit.diff.views import Node, canonical

_VARIABLE = re.compile(r"\{[^{}/]*\}")
_BRANCH = re.compile(r"/(?:oneOf|anyOf)\[\d+\]")
_REMOVED_BRANCH = re.compile(r"/(?P<keyword>oneOf|anyOf)\[(?P<index>\d+)\]$")


class OpenAPIDiff:
    """One comparison of an old and a new OpenAPI contract."""

    def __init__(self, old: Contract, new: Contract, *, today: dt.date,
                 closed_responses: bool = False,
                 deprecation_policy: DeprecationPolicy = NO_POLICY) -> None:
        self.old, self.new, self.today = old, new, today
        self.closed_responses = closed_responses
        self.policy = deprecation_policy
        #: what a deprecation in the operation being compared owes its clients
        self._notice = Notice(0, today)
        self.schemas = SchemaDiffer(resolver_of(old), resolver_of(new))
        self.record = Recorder(old, new)
        self._subjects: dict[Place, str] = {}
        self._messages: dict[tuple[str, str, Place, str, bytes, bytes], str] = {}
        self._add = self.record.add

    def run(self) -> list[Change]:
        compare_servers(self.record)
        compare_security_schemes(self.record)
        old_ops = {_operation_key(op): op for op in self.old.operations}
        new_ops = {_operation_key(op): op for op in self.new.operations}
        old_paths = {key[1] for key in old_ops}
        new_paths = {key[1] for key in new_ops}
        for key in sorted(old_ops.keys() | new_ops.keys()):
            before, after = old_ops.get(key), new_ops.get(key)
            start = len(self.record.changes)
            if after is None and before is not None:
                removed_operation(self.record, before, endpoint=key[1] not in new_paths,
                                  today=self.today)
            elif before is None and after is not None:
                label = operation_label(after)
                self._add("endpoint-added" if key[1] not in old_paths else "operation-added",
                          [label], f"{label} was added", operation=label,
                          site=("new", after.uri, after.pointer))
            elif before is not None and after is not None:
                self._operation(before, after)
            if before is not None:
                soften_unstable(self.record, before, start)
        self._webhooks()
        return self.record.located()

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
            self.record.enter(label, after[key])
            self._notice = self.policy.notice(after[key].extensions, self.today)
            was, now = before[key].request_body, after[key].request_body
            if was is None or now is None:
                continue
            parts = [label, "requestBody"]
            old_media, new_media = _media(was.content), _media(now.content)
            for media in sorted(old_media.keys() & new_media.keys()):
                old_schema, new_schema = old_media[media].schema, new_media[media].schema
                if old_schema is not None and new_schema is not None:
                    self._schema(old_schema, new_schema, _response_mode(media), "body",
                                 [*parts, new_media[media].name], label, "webhook payload",
                                 prefix="webhook")

    # -- operations -----------------------------------------------------------------

    def _operation(self, old: Operation, new: Operation) -> None:
        label = operation_label(new)
        self.record.enter(label, new)
        self._notice = self.policy.notice(new.extensions, self.today)
        site: Site = ("new", new.uri, new.pointer)
        if old.id != new.id and not old.generated_id and not new.generated_id:
            self._add("operation-id-changed", [label, "operationId"],
                      f"operationId changed from {old.id!r} to {new.id!r}: generated clients "
                      "will rename the method", old=old.id, new=new.id, operation=label,
                      site=site)
        deprecation(self.record, "operation", [label], label, old.deprecated, new.deprecated,
                    old.extensions, new.extensions, label, site, self._notice)
        stability(self.record, old, new, label, site)
        self._parameters(old, new, label)
        self._request_body(old.request_body, new.request_body, label, site)
        self._responses(old, new, label, site)
        compare_security(self.record, old, new, label, site)

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
            site: Site = ("new", new.uri, new.pointer)
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
            if removed_parameter_before_sunset(
                    self.record, parts, f"{parameter.location} parameter `{parameter.name}`",
                    _extensions(self.old, parameter), label, site, today=self.today):
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
        site: Site = ("new", operation.uri, new.pointer or operation.pointer)
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
        deprecation(self.record, "request-parameter", parts, title, old.deprecated,
                    new.deprecated, _extensions(self.old, old), _extensions(self.new, new),
                    label, site, self._notice)
        old_schema, new_schema = _parameter_schema(old), _parameter_schema(new)
        if old_schema is not None and new_schema is not None:
            self._schema(old_schema, new_schema, "parameter", "parameter", parts, label,
                         title)

    # -- bodies ---------------------------------------------------------------------

    def _request_body(self, old: RequestBody | None, new: RequestBody | None, label: str,
                      site: Site) -> None:
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
        here: Site = ("new", site[1], new.pointer)
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
            # only JSON bodies carry types; form fields, XML and text arrive as text, like
            # parameters, so a string accepts whatever they held before
            mode: Mode = "request" if _typed(key) else "parameter"
            self._media_schema(before[key], after[key], mode, [*parts, after[key].name],
                               label, site[1])

    def _media_schema(self, old: MediaType, new: MediaType, mode: Mode, parts: list[str],
                      label: str, uri: str) -> None:
        side = "response" if mode in RESPONSE_MODES else "request"
        if old.schema is not None and new.schema is not None:
            self._schema(old.schema, new.schema, mode, "body", parts, label, f"{side} body")
            return
        # a media type without a schema takes (or may carry) anything, as `{}` does
        added, removed = _constrains(new.schema), _constrains(old.schema)
        if not added and not removed:
            return
        consequence = {("request", True): ": requests the server took may now be rejected",
                       ("response", False): ": clients lose the promise of its shape"}
        self._add(f"{side}-media-type-schema-{'added' if added else 'removed'}", parts,
                  f"{side} media type {new.name} "
                  + ("gained a schema" if added else "lost its schema")
                  + consequence.get((side, added), ""), operation=label,
                  site=("new", uri, new.pointer))

    # -- responses ------------------------------------------------------------------

    def _responses(self, old: Operation, new: Operation, label: str,
                   site: Site) -> None:
        for key in sorted(old.responses.keys() - new.responses.keys()):
            status = _status(key)
            success = status.startswith("2")
            self._add(f"response-{'success' if success else 'non-success'}-status-removed",
                      [label, "responses", status],
                      f"response status {status} was removed"
                      + (": clients relying on it break" if success else ""),
                      operation=label, site=site, old=status)
        for key in sorted(new.responses.keys() - old.responses.keys()):
            status = _status(key)
            success = status.startswith("2")
            self._add(f"response-{'success' if success else 'non-success'}-status-added",
                      [label, "responses", status],
                      f"response status {status} was added"
                      + (": clients may not handle it" if success else ""),
                      operation=label, site=("new", site[1], new.responses[key].pointer),
                      new=status)
        for status in sorted(old.responses.keys() & new.responses.keys()):
            self._response(old.responses[status], new.responses[status], label, site)

    def _response(self, old: Response, new: Response, label: str,
                  site: Site) -> None:
        parts = [label, "responses", _status(new.status)]
        here: Site = ("new", site[1], new.pointer)
        before, after = _media(old.content), _media(new.content)
        unmatched_new = dict(after)
        for key in sorted(before.keys()):
            media = before[key]
            if key in after:
                unmatched_new.pop(key, None)
                self._media_schema(media, after[key], _response_mode(key),
                                   [*parts, after[key].name], label, site[1])
                continue
            general = [m for k, m in after.items() if k not in before and _wider(k, key)]
            special = [m for k, m in after.items() if k not in before and _wider(key, k)]
            if special:
                unmatched_new.pop(_media_key(special[0].name), None)
                self._add("response-media-type-specialized", [*parts, special[0].name],
                          f"response media type {media.name} became {special[0].name}",
                          old=media.name, new=special[0].name, operation=label, site=here)
                self._media_schema(media, special[0],
                                   _response_mode(_media_key(special[0].name)),
                                   [*parts, special[0].name], label, site[1])
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
                 parts: list[str], label: str, site: Site) -> None:
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
            here: Site = ("new", site[1], now.pointer)
            header_parts = [*parts, "headers", now.name]
            if was.required != now.required:
                self._add(f"response-header-became-{'required' if now.required else 'optional'}",
                          header_parts, f"response header `{now.name}` became "
                          + ("required" if now.required else
                             "optional: clients relying on it may not find it"),
                          old=was.required, new=now.required, operation=label, site=here)
            if was.schema is not None and now.schema is not None:
                # a header is text: a client reading a string reads whatever it became
                self._schema(was.schema, now.schema, "text-response", "header", header_parts,
                             label, f"response header `{now.name}`")

    # -- schemas --------------------------------------------------------------------

    def _schema(self, old: Schema, new: Schema, mode: Mode, root: str, parts: list[str],
                label: str, title: str, *, prefix: str = "") -> None:
        """Compare two schemas; ``prefix`` names the rules (``request``, ``response`` or
        ``webhook``), by default the side that ``mode`` reads from."""
        old_node = _schema_node(self.old, old)
        new_node = _schema_node(self.new, new)
        if old_node is None or new_node is None:
            return
        side: Literal["request", "response"] = (
            "response" if mode in RESPONSE_MODES else "request")
        text_body = root == "body" and mode in TEXTUAL_MODES
        seen: set[tuple[str, str, bytes, bytes]] = set()
        for found in self.schemas.compare(old_node, new_node, mode):
            # old branches merged into one new branch are each compared with it; what
            # the new branch changed is then found once per old branch
            identity = (found.change, found.path, canonical(found.old), canonical(found.new))
            if identity in seen:
                continue
            seen.add(identity)
            finding = self._noticed(_read_as_text(found) if text_body else found)
            nested = bool(_BRANCH.sub("", finding.path))
            change = SCHEMA_CHANGES_BY_NAME[finding.change]
            rule_id = f"{prefix or side}-{'property' if nested else root}-{change.name}"
            where = [*parts, finding.path] if finding.path else parts
            level = schema_level(change, side, closed_responses=self.closed_responses)
            written = _written(finding)
            if self.record.shared(label, written):
                # one message for every operation that reaches the site, written once:
                # named from its component, not by the path from one operation's body
                key = (rule_id, level, written, title, identity[2], identity[3])
                message = self._messages.get(key)
                if message is None:
                    subject = f"{prefix or side} {self._site_subject(written)}" if nested \
                        else ""
                    message = self._messages[key] = schema_message(
                        change, side, level, finding, title, nested, noun=prefix or side,
                        subject=subject)
            else:
                message = schema_message(change, side, level, finding, title, nested,
                                         noun=prefix or side)
            self._add(rule_id, where, message, old=finding.old, new=finding.new,
                      operation=label, site=("new", *finding.site), level=level,
                      written=written)

    def _noticed(self, finding: SchemaFinding) -> SchemaFinding:
        """A schema deprecated in an operation whose deprecation policy asks for notice:
        without a sunset date, or with one too soon, it breaks the policy."""
        if finding.change != "became-deprecated" or not self._notice.minimum:
            return finding
        if finding.new is True:
            return dataclasses.replace(finding, change="deprecated-sunset-missing", old=None,
                                       new=None)
        date = parse_date(finding.new)
        if date is not None and self._notice.too_soon(date):
            return dataclasses.replace(finding, change="deprecated-sunset-too-soon", old=None)
        return finding

    def _site_subject(self, place: Place) -> str:
        """``property `Payment.status``` (``schema `Status``` for a component's root),
        once per site: a site reached by 5,000 operations is named once."""
        subject = self._subjects.get(place)
        if subject is None:
            path = schema_path(self.record.site_name(place))
            subject = self._subjects[place] = (
                f"{'property' if '.' in path else 'schema'} `{path}`")
        return subject


def _read_as_text(finding: SchemaFinding) -> SchemaFinding:
    """A body that is not JSON and whose schema is ``type: string`` is read whole, as
    text: any body is one. So its root becoming a string takes every body sent before
    (widened), and a string root that became structured gives clients text still
    (narrowed); below the root, an object is child elements, not text."""
    if finding.path or finding.change != "type-changed":
        return finding
    if finding.new == "string":
        return dataclasses.replace(finding, change="type-widened")
    if finding.old == "string":
        return dataclasses.replace(finding, change="type-narrowed")
    return finding


def _written(finding: SchemaFinding) -> Place:
    """Where a schema change is written in the new contract: the schema it changed, or
    for a removed property or branch, where it was in the object or union that held it."""
    uri, pointer = finding.site
    if finding.change.endswith("-property-removed"):
        return uri, join_pointer(pointer, "properties", finding.path.rsplit("/", 1)[-1])
    branch = _REMOVED_BRANCH.search(finding.path)
    if finding.change.endswith("-branch-removed") and branch is not None:
        return uri, join_pointer(pointer, branch["keyword"], branch["index"])
    return uri, pointer


def _constrains(schema: Schema | None) -> bool:
    """Whether a media type's schema limits what its bodies hold (``{}`` and ``true``
    accept anything, as no schema does)."""
    return schema is not None and schema.raw not in ({}, True)


def _schema_node(contract: Contract, schema: Schema) -> Node | None:
    resolver = resolver_of(contract)
    if resolver is None or schema.uri not in resolver.documents:
        return None
    return Node(schema.raw, resolver.document(schema.uri), schema.pointer)


def _status(key: str) -> str:
    """A response key as contracts spell it: the model upper-cases ``default``."""
    return "default" if key == "DEFAULT" else key


def _operation_key(operation: Operation) -> tuple[str, str]:
    return operation.method, _VARIABLE.sub("{}", operation.path)


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
    resolver = resolver_of(contract)
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


def _typed(media_key: str) -> bool:
    """Whether a body of this media type carries JSON's types (``1`` is not ``"1"``);
    form fields, XML and text carry text only."""
    return "json" in media_key


def _response_mode(media_key: str) -> Mode:
    """A response body is read with its types when it is JSON, else as text: a client
    reading a string then reads whatever the value became, as a server does in
    requests (oasdiff's ``type-compatible``)."""
    return "response" if _typed(media_key) else "text-response"


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
