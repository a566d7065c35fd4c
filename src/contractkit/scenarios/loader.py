"""Read scenarios: built-in names, YAML/JSON files, or Python mappings.

Every error is one line naming the file, line and JSON pointer, with "did you mean" for
misspelt keys, fault names and operation ids::

    scenarios/black-friday.yaml:7:7  /rules/0/latency  '5 sec' is not a duration; ...

:func:`check_scenario` finds every error in a file at once (what ``contractkit scenarios
validate`` prints); :func:`load_scenario` raises the first of them.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
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
LIMITS = ReadLimits(max_bytes=1024 * 1024, max_yaml_nodes=100_000,
                    raise_bytes="scenario files are capped at 1 MiB",
                    raise_nodes="scenario files are capped at 100,000 nodes")
FAULT_KEYS = tuple(BUILDERS)
_EMPTY = ("empty scenario file; expected a mapping with 'name' and 'rules', e.g. "
          "{name: flaky, rules: [{match: {any: true}, status: 503}]} "
          "(contractkit scenarios show flaky prints a whole one)")
_NOT_A_MAPPING = "expected a mapping with 'name' and 'rules' at the top of the file"


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


@dataclass(frozen=True)
class ScenarioCheck:
    """What reading a scenario found: the scenario when it is valid, else every error in
    it, in file order (a file that cannot be read or parsed has just one)."""

    scenario: Scenario | None
    errors: tuple[ScenarioError, ...] = ()


def load_scenario(source: str | os.PathLike[str] | Mapping[str, Any], *,
                  operation_ids: Collection[str] | None = None) -> Scenario:
    """A scenario from a built-in name (``flaky``), a file path, or a mapping.

    ``operation_ids``: the operations of the contracts served; a rule naming another one is
    an error (a typo would otherwise silently never match).
    Raises :class:`~contractkit.errors.ScenarioError`: the first error in the file
    (:func:`check_scenario` returns all of them).
    """
    checked = check_scenario(source, operation_ids=operation_ids)
    if checked.scenario is None:
        raise checked.errors[0]
    return checked.scenario


def check_scenario(source: str | os.PathLike[str] | Mapping[str, Any], *,
                   operation_ids: Collection[str] | None = None) -> ScenarioCheck:
    """Like :func:`load_scenario`, but every error in the source is returned, not raised:
    each schema error, then for the rules the schema accepts, each unknown operation id,
    fault value or duration."""
    try:
        document = _read(source)
    except ScenarioError as error:
        return ScenarioCheck(None, (error,))
    return _Builder(document, operation_ids).check()


def _read(source: str | os.PathLike[str] | Mapping[str, Any]) -> SourceDocument:
    if isinstance(source, Mapping):
        return SourceDocument("<scenario>", "scenario:", b"", _plain(source), "json")
    if isinstance(source, str) and source in builtin_names():
        return _parse(builtin_text(source).encode(), f"<built-in {source}>")
    path = Path(source)
    if not path.is_file():
        raise ScenarioError(unknown_name("scenario", str(source), builtin_names()) +
                            " (and no such file)")
    try:
        raw = read_bytes(path, str(source), LIMITS)
    except ContractLoadError as error:
        raise ScenarioError(error.message, error.location) from None
    return _parse(raw, str(source))


def _parse(raw: bytes, display: str) -> SourceDocument:
    # The contract reader would call an empty file an empty contract; and YAML that is
    # only comments, or `null`, parses to no data at all: the same mistake.
    if not raw.removeprefix(b"\xef\xbb\xbf").strip():
        raise ScenarioError(_EMPTY, Location(display))
    try:
        document = parse_document(raw, LIMITS, display=display, uri=f"scenario:{display}")
    except ContractLoadError as error:
        raise ScenarioError(error.message, error.location) from None
    if document.data is None:
        raise ScenarioError(_EMPTY, Location(display))
    return document


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
    """Builds the model from valid data, recording each error it meets and going on, so
    that one run reports them all; a scenario is returned only when there is none."""

    def __init__(self, document: SourceDocument,
                 operation_ids: Collection[str] | None) -> None:
        self.document = document
        self.operation_ids = operation_ids
        self.errors: list[ScenarioError] = []

    def locate(self, pointer: str) -> Location:
        if not self.document.raw:  # a mapping from Python: no lines to point at
            return Location(self.document.display, pointer=pointer)
        location = self.document.location(pointer)
        return Location(location.file, location.line, location.column, pointer)

    def report(self, pointer: str, message: str) -> None:
        self.errors.append(ScenarioError(message, self.locate(pointer)))

    def check(self) -> ScenarioCheck:
        data = self.document.data
        invalid = self.validate(data)
        rules = []
        if isinstance(data, dict) and isinstance(data.get("rules"), list):
            for index, rule in enumerate(data["rules"]):
                pointer = join_pointer("/rules", index)
                if not _inside(pointer, invalid):
                    rules.append(self.rule(rule, pointer, index))
                elif (isinstance(rule, dict) and isinstance(rule.get("match"), dict)
                      and not _inside(join_pointer(pointer, "match"), invalid)):
                    # the schema refused another part of the rule; its operation ids
                    # can still be checked
                    self.match(rule["match"], join_pointer(pointer, "match"))
        if self.errors:
            return ScenarioCheck(None, _in_file_order(self.errors))
        assert isinstance(data, dict)
        return ScenarioCheck(Scenario(
            name=data["name"], rules=tuple(rules), description=data.get("description", ""),
            seed=data.get("seed"), expect=data.get("expect", ""),
            source=self.document.display, webhooks=data.get("webhooks") or {}))

    def validate(self, data: JSON) -> list[str]:
        """Report each schema error; the pointers of the values the schema refused."""
        if _fast_validator().is_valid(data):
            return []
        # only an invalid file pays for importing jsonschema (about a second with its
        # format extras), whose errors carry what a good message needs
        import jsonschema  # noqa: PLC0415

        validator = jsonschema.Draft202012Validator(scenario_schema())
        invalid = []
        for error in validator.iter_errors(data):
            invalid.append(_pointer(error.absolute_path))
            best = jsonschema.exceptions.best_match([error], key=_deepest_first)
            for pointer, message in _explain(best, _pointer(best.absolute_path)):
                self.report(pointer, message)
        return invalid

    def rule(self, data: dict[str, Any], pointer: str, index: int) -> Rule:
        match = self.match(data.get("match", {}), join_pointer(pointer, "match"))
        fault_keys = [key for key in data if key in BUILDERS]
        steps: tuple[Step, ...] = ()
        if "sequence" in data:
            if fault_keys or data.get("pass"):
                self.report(pointer, "a rule has either a 'sequence' or its own faults "
                                     f"({', '.join(fault_keys)}), not both")
            else:
                steps = tuple(self.step(step, join_pointer(pointer, "sequence", i))
                              for i, step in enumerate(data["sequence"]))
        elif fault_keys or data.get("pass"):
            steps = (self.step({k: data[k] for k in fault_keys}, pointer),)
        else:
            self.report(pointer, "the rule does nothing: give it a fault (" +
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
                self.report(join_pointer(pointer, key), str(error))
        answers = [f.name for f in faults if f.role == "answer"]
        if len(answers) > 1:
            self.report(pointer, f"one step can answer only one way, not {answers}; "
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
                    self.report(where, unknown_name("operation id", operation,
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
            self.report(pointer, str(error))
            return 0.0  # never used: a scenario with an error is not built


def _pointer(path: Iterable[Any]) -> str:
    return join_pointer("", *path)


def _inside(pointer: str, pointers: Iterable[str]) -> bool:
    """Whether any of ``pointers`` is ``pointer`` or inside it."""
    return any(p == pointer or p.startswith(pointer + "/") for p in pointers)


def _in_file_order(errors: list[ScenarioError]) -> tuple[ScenarioError, ...]:
    unique = {str(error): error for error in errors}.values()
    return tuple(sorted(unique, key=lambda e: (e.location.line or 0, e.location.column or 0)
                        if e.location is not None else (0, 0)))


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _deepest_first(error: Any) -> Any:
    # best_match prefers shallow errors; for a scenario the deepest one names the key
    from jsonschema.exceptions import relevance  # noqa: PLC0415 - see validate()

    return (-len(error.absolute_path), *relevance(error))


def _explain(error: Any, pointer: str) -> list[tuple[str, str]]:
    """(pointer, message) pairs a person can act on, from a schema error: one, or one per
    unknown key when a mapping has several."""
    if error.validator == "additionalProperties":
        allowed = list(error.schema.get("properties", {}))
        what = "fault or rule key" if "sequence" in allowed else "key"
        found = []
        for key in (key for key in error.instance if key not in allowed):
            message = unknown_name(what, key, allowed)
            if not message.endswith("?"):
                message += f"; expected one of {', '.join(allowed)}"
            found.append((join_pointer(pointer, key), message))
        if found:
            return found
    if error.validator == "type" and not pointer:
        return [(pointer, f"{_NOT_A_MAPPING}, not {_kind(error.instance)}")]
    if error.validator == "pattern" and _is_duration_pattern(error.schema):
        return [(pointer, _duration_message(error.instance))]
    if error.validator == "required":
        return [(pointer, error.message.replace("is a required property", "is required"))]
    if error.validator in ("anyOf", "oneOf") and error.context:
        # the alternative that got furthest says the most
        deepest = max(error.context, key=lambda e: len(e.absolute_path))
        if len(deepest.absolute_path) > len(error.absolute_path):
            inner = pointer + "".join(
                "/" + str(p) for p in list(deepest.absolute_path)[len(error.absolute_path):])
            return _explain(deepest, inner)
        if "duration" in str(error.schema.get("description", "")) or _is_duration(error):
            return [(pointer, _duration_message(error.instance))]
        names = [v for sub in error.context for v in sub.schema.get("enum", ())]
        if isinstance(error.instance, str) and names:
            what = pointer.rsplit("/", 1)[-1].replace("_", " ")
            return [(pointer, unknown_name(what, error.instance, names) +
                     f"; expected one of {', '.join(map(str, names))}")]
        return [(pointer, f"{error.instance!r} is not valid here; " + _expected(error))]
    return [(pointer, error.message)]


def _kind(value: JSON) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return "a boolean" if isinstance(value, bool) else "a number"


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
