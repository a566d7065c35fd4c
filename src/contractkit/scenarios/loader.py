"""Read scenarios: built-in names, YAML/JSON files, or Python mappings.

Every error is one line naming the file, line and JSON pointer, with "did you mean" for
misspelt keys, fault names and operation ids::

    scenarios/black-friday.yaml:7:7  /rules/0/latency  '5 sec' is not a duration; ...
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Collection, Iterable, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema_rs

from contractkit._types import JSON
from contractkit.contract._source import (
    ReadLimits,
    SourceDocument,
    join_pointer,
    parse_document,
    read_bytes,
)
from contractkit.errors import ContractLoadError, Location, ScenarioError
from contractkit.scenarios._duration import parse_duration
from contractkit.scenarios.faults import BUILDERS, Fault, build_fault
from contractkit.scenarios.model import Match, Rule, Scenario, Step, Trigger, Window

#: Scenario files are small; these caps keep a hostile one from costing much.
LIMITS = ReadLimits(max_bytes=1024 * 1024, max_yaml_nodes=100_000)
FAULT_KEYS = tuple(BUILDERS)


@cache
def scenario_schema() -> dict[str, Any]:
    """The JSON Schema scenario files are validated against (``contractkit scenarios
    schema`` prints it)."""
    text = resources.files("contractkit.scenarios").joinpath("schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@cache
def _fast_validator() -> Any:
    return jsonschema_rs.Draft202012Validator(scenario_schema())


def builtin_names() -> list[str]:
    folder = resources.files("contractkit.scenarios").joinpath("builtin")
    return sorted(entry.name.removesuffix(".yaml") for entry in folder.iterdir()
                  if entry.name.endswith(".yaml"))


def builtin_text(name: str) -> str:
    if name not in builtin_names():
        raise ScenarioError(unknown_name("built-in scenario", name, builtin_names()))
    return (resources.files("contractkit.scenarios") / "builtin" / f"{name}.yaml").read_text(
        "utf-8")


def load_scenario(source: str | os.PathLike[str] | Mapping[str, Any], *,
                  operation_ids: Collection[str] | None = None) -> Scenario:
    """A scenario from a built-in name (``flaky``), a file path, or a mapping.

    ``operation_ids``: the operations of the contracts served; a rule naming another one is
    an error (a typo would otherwise silently never match).
    """
    if isinstance(source, Mapping):
        document = SourceDocument("<scenario>", "scenario:", b"", _plain(source), "json")
    elif isinstance(source, str) and source in builtin_names():
        raw = builtin_text(source).encode()
        document = _parse(raw, f"<built-in {source}>")
    else:
        path = Path(source)
        if not path.is_file():
            raise ScenarioError(unknown_name("scenario", str(source), builtin_names()) +
                                " (and no such file)")
        try:
            raw = read_bytes(path, str(source), LIMITS)
        except ContractLoadError as error:
            raise ScenarioError(error.message, error.location) from None
        document = _parse(raw, str(source))
    return _Builder(document, operation_ids).scenario()


def _parse(raw: bytes, display: str) -> SourceDocument:
    try:
        return parse_document(raw, LIMITS, display=display, uri=f"scenario:{display}")
    except ContractLoadError as error:
        raise ScenarioError(error.message, error.location) from None


def _plain(value: Any) -> JSON:
    """A Python mapping as JSON data (tuples → lists), for validation."""
    result: JSON = json.loads(json.dumps(value, default=list))
    return result


def unknown_name(what: str, name: str, known: Iterable[str]) -> str:
    message = f"unknown {what} {name!r}"
    close = difflib.get_close_matches(name, list(known), n=2, cutoff=0.6)
    if close:
        message += "; did you mean " + " or ".join(repr(c) for c in close) + "?"
    return message


class _Builder:
    def __init__(self, document: SourceDocument,
                 operation_ids: Collection[str] | None) -> None:
        self.document = document
        self.operation_ids = operation_ids

    def locate(self, pointer: str) -> Location:
        if not self.document.raw:  # a mapping from Python: no lines to point at
            return Location(self.document.display, pointer=pointer)
        location = self.document.location(pointer)
        return Location(location.file, location.line, location.column, pointer)

    def error(self, pointer: str, message: str) -> ScenarioError:
        return ScenarioError(message, self.locate(pointer))

    def scenario(self) -> Scenario:
        data = self.document.data
        self.validate(data)
        assert isinstance(data, dict)
        rules = tuple(self.rule(rule, join_pointer("/rules", index), index)
                      for index, rule in enumerate(data["rules"]))
        return Scenario(name=data["name"], rules=rules,
                        description=data.get("description", ""), seed=data.get("seed"),
                        expect=data.get("expect", ""), source=self.document.display)

    def validate(self, data: JSON) -> None:
        if _fast_validator().is_valid(data):
            return
        # only an invalid file pays for importing jsonschema (about a second with its
        # format extras), whose errors carry what a good message needs
        import jsonschema  # noqa: PLC0415

        validator = jsonschema.Draft202012Validator(scenario_schema())
        errors = list(validator.iter_errors(data))
        error = jsonschema.exceptions.best_match(errors, key=_deepest_first)
        pointer = "".join("/" + str(p).replace("~", "~0").replace("/", "~1")
                          for p in error.absolute_path)
        raise self.error(*_explain(error, pointer))

    def rule(self, data: dict[str, Any], pointer: str, index: int) -> Rule:
        match = self.match(data.get("match", {}), join_pointer(pointer, "match"))
        fault_keys = [key for key in data if key in BUILDERS]
        if "sequence" in data:
            if fault_keys or data.get("pass"):
                raise self.error(pointer, "a rule has either a 'sequence' or its own faults "
                                          f"({', '.join(fault_keys)}), not both")
            steps = tuple(self.step(step, join_pointer(pointer, "sequence", i))
                          for i, step in enumerate(data["sequence"]))
        elif fault_keys or data.get("pass"):
            steps = (self.step({k: data[k] for k in fault_keys}, pointer),)
        else:
            raise self.error(pointer, "the rule does nothing: give it a fault (" +
                             ", ".join(FAULT_KEYS) + "), a 'sequence' or 'pass: true'")
        window = data.get("window")
        trigger = Trigger(
            probability=data.get("probability"), after=data.get("after", 0),
            times=data.get("times"), every=data.get("every"),
            window=Window(self.duration(window.get("from", 0), join_pointer(pointer, "window")),
                          self.duration(window["to"], join_pointer(pointer, "window"))
                          if "to" in window else None) if window is not None else None)
        location = self.locate(pointer)
        return Rule(name=data.get("name") or f"rules[{index}]", match=match, trigger=trigger,
                    steps=steps, sequence="sequence" in data,
                    origin=str(location))

    def step(self, data: Any, pointer: str) -> Step:
        if data == "pass" or not data:
            return Step()
        faults: list[Fault] = []
        for key, value in data.items():
            try:
                faults.append(build_fault(key, value))
            except (ValueError, TypeError) as error:
                raise self.error(join_pointer(pointer, key), str(error)) from None
        answers = [f.name for f in faults if f.role == "answer"]
        if len(answers) > 1:
            raise self.error(pointer, f"one step can answer only one way, not {answers}; "
                                      "use a 'sequence' to alternate")
        return Step(tuple(sorted(faults, key=lambda f: ("delay", "answer", "body").index(f.role))))

    def match(self, data: dict[str, Any], pointer: str) -> Match:
        operations = _names(data.get("operation"))
        if self.operation_ids is not None:
            for position, operation in enumerate(operations):
                if operation not in self.operation_ids:
                    where = join_pointer(pointer, "operation")
                    if isinstance(data["operation"], list):
                        where = join_pointer(where, position)
                    raise self.error(where, unknown_name("operation id", operation,
                                                     self.operation_ids))
        return Match(
            operations=operations,
            methods=tuple(m.upper() for m in _names(data.get("method"))),
            paths=_names(data.get("path")),
            headers=dict(data.get("header", {})),
            query=dict(data.get("query", {})),
            body=dict(data.get("body", {})),
            sessions=_names(data.get("session")),
        )

    def duration(self, value: Any, pointer: str) -> float:
        try:
            return parse_duration(value)
        except ValueError as error:
            raise self.error(pointer, str(error)) from None


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _deepest_first(error: Any) -> Any:
    # best_match prefers shallow errors; for a scenario the deepest one names the key
    from jsonschema.exceptions import relevance  # noqa: PLC0415 - see validate()

    return (-len(error.absolute_path), *relevance(error))


def _explain(error: Any, pointer: str) -> tuple[str, str]:
    """(pointer, message) a person can act on, from a schema error."""
    if error.validator == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        extra = [key for key in error.instance if key not in allowed]
        if extra:
            what = "fault or rule key" if "sequence" in allowed else "key"
            message = unknown_name(what, extra[0], allowed)
            if not message.endswith("?"):
                message += f"; expected one of {', '.join(allowed)}"
            return join_pointer(pointer, extra[0]), message
    if error.validator == "pattern" and _is_duration_pattern(error.schema):
        return pointer, _duration_message(error.instance)
    if error.validator == "required":
        return pointer, error.message.replace("is a required property", "is required")
    if error.validator in ("anyOf", "oneOf") and error.context:
        # the alternative that got furthest says the most
        deepest = max(error.context, key=lambda e: len(e.absolute_path))
        if len(deepest.absolute_path) > len(error.absolute_path):
            inner = pointer + "".join(
                "/" + str(p) for p in list(deepest.absolute_path)[len(error.absolute_path):])
            return _explain(deepest, inner)
        if "duration" in str(error.schema.get("description", "")) or _is_duration(error):
            return pointer, _duration_message(error.instance)
        names = [v for sub in error.context for v in sub.schema.get("enum", ())]
        if isinstance(error.instance, str) and names:
            what = pointer.rsplit("/", 1)[-1].replace("_", " ")
            return pointer, unknown_name(what, error.instance, names) + (
                f"; expected one of {', '.join(map(str, names))}")
        return pointer, f"{error.instance!r} is not valid here; " + _expected(error)
    return pointer, error.message


def _is_duration_pattern(schema: Any) -> bool:
    return isinstance(schema, dict) and str(schema.get("pattern", "")).endswith(
        "(ms|s|m|h)\\s*$")


def _is_duration(error: Any) -> bool:
    return any(_is_duration_pattern(sub.schema) for sub in error.context or ())


def _duration_message(value: Any) -> str:
    try:
        parse_duration(value)
    except ValueError as bad:
        return str(bad)
    return f"{value!r} is not a duration"


def _expected(error: Any) -> str:
    forms = []
    for sub in error.context or ():
        schema = sub.schema
        if "enum" in schema:
            forms.append("one of " + ", ".join(map(str, schema["enum"])))
        elif "const" in schema:
            forms.append(repr(schema["const"]))
        elif "type" in schema:
            kind = schema["type"]
            forms.append("a mapping" if kind == "object" else "a list" if kind == "array"
                         else f"a {kind}")
    unique = list(dict.fromkeys(forms))
    return "expected " + " or ".join(unique) if unique else error.message
