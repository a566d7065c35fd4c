"""``contractkit validate``'s engine: load contracts and look for problems in them.

Loading already reports what it meets on the way (duplicate operationIds, undeclared path
parameters). :func:`check` goes further, at a cost that only ``validate`` pays: every
schema the operations use must bundle and compile, and every example must validate against
its schema.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from contractkit.contract._regex import pattern_error
from contractkit.contract._source import FileRefused, join_pointer
from contractkit.contract.generate import generate
from contractkit.contract.loader import load
from contractkit.contract.media_types import is_json
from contractkit.contract.model import Contract, Example, MediaType, Operation, Problem, Schema
from contractkit.contract.schema_validator import CompiledSchema
from contractkit.errors import ContractLoadError, GenerationError, Location

CONTRACT_SUFFIXES = (".yaml", ".yml", ".json", ".graphql", ".gql", ".graphqls")


@dataclass(frozen=True)
class FileReport:
    """What validating one file found."""

    file: str
    problems: tuple[Problem, ...]
    summary: dict[str, Any] = field(default_factory=dict)
    #: False when the file could not be read at all (missing, unreadable).
    readable: bool = True

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def ok(self) -> bool:
        return self.readable and not self.errors


@dataclass(frozen=True)
class ValidationReport:
    files: tuple[FileReport, ...]

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)


def expand_paths(paths: Iterable[str | os.PathLike[str]]) -> list[str]:
    """Files as given; a directory stands for the contract files directly inside it."""
    out: list[str] = []
    for path in paths:
        given = Path(path)
        if given.is_dir():
            out.extend(str(child) for child in sorted(given.iterdir())
                       if child.is_file() and child.suffix.lower() in CONTRACT_SUFFIXES)
        else:
            out.append(str(path))
    return out


def validate_files(
    paths: Iterable[str | os.PathLike[str]], **load_options: Any
) -> ValidationReport:
    reports = []
    for path in expand_paths(paths):
        try:
            contract = load(path, **load_options)
        except ContractLoadError as error:
            problems = tuple(Problem("error", each.location or Location(path), each.message,
                                     "load-error") for each in error.errors)
            # a file not read at all is an input error (exit 2), not a finding (exit 1);
            # one it refers to that is missing is a finding about the contract
            refused = (isinstance(error, FileRefused) and error.location is not None
                       and error.location.file == path)
            reports.append(FileReport(path, problems,
                                      readable=Path(path).is_file() and not refused))
            continue
        problems = tuple(dict.fromkeys((*contract.problems, *check(contract))))
        reports.append(FileReport(path, problems, summarise(contract)))
    return ValidationReport(tuple(reports))


def summarise(contract: Contract) -> dict[str, Any]:
    if contract.kind == "graphql":
        return {"kind": "GraphQL", "operations": len(contract.operations)}
    return {
        "kind": "Swagger" if contract.spec_version == "2.0" else "OpenAPI",
        "spec_version": contract.spec_version,
        "title": contract.title,
        "version": contract.version,
        "operations": len(contract.operations),
        "schemas": len(contract.schemas),
    }


def check(contract: Contract) -> list[Problem]:
    """Problems found by compiling every schema and validating every example."""
    if contract.kind != "openapi":
        return []
    problems: list[Problem] = []
    mismatches: list[tuple[str, str, str]] = []  # (uri, pointer, message), located at the end
    compiled: dict[tuple[str, str], CompiledSchema | None] = {}
    by_text: dict[bytes, CompiledSchema] = {}  # a bundle met again is not compiled again
    for schema, examples, direction in _schemas_with_examples(contract):
        key = (schema.uri, schema.pointer)
        if key not in compiled:
            compiled[key] = _compile(contract, schema, direction, problems, by_text)
        validator = compiled[key]
        if validator is None:
            continue
        for note in contract._runtime.bundle_notes():
            problems.append(Problem("warning", note.location or Location(contract.source),
                                    note.message, "discriminator-mapping-unresolvable"))
        for example in examples:
            for error in validator.errors(example.value):
                mismatches.append((
                    schema.uri, example.pointer + error.pointer,
                    f"example {example.name!r} does not match its schema: {error.message}"))
    places = contract._runtime.locations([(uri, pointer) for uri, pointer, _ in mismatches])
    problems.extend(Problem("warning", location, message, "example-invalid")
                    for location, (_, _, message) in zip(places, mismatches, strict=True))
    problems.extend(_bad_patterns(contract))
    problems.extend(_ungenerable(contract, compiled))
    return problems


def _ungenerable(contract: Contract,
                 compiled: dict[tuple[str, str], CompiledSchema | None]) -> list[Problem]:
    """A warning per response body the mock can answer only with its closest value: no
    example of it validates, and no value generated by the schema does."""
    found = []
    tried: set[tuple[str, str]] = set()
    for operation in contract.operations:
        for status, response in operation.responses.items():
            for name, media in response.content.items():
                schema = media.schema
                if schema is None or not is_json(name.split(";")[0].strip().lower()):
                    continue
                key = (schema.uri, schema.pointer)
                validator = compiled.get(key)
                if validator is None or any(validator.is_valid(example.value)
                                            for example in media.examples):
                    continue
                if key in tried:
                    continue  # a schema shared by many responses (a $ref) is tried once
                tried.add(key)
                try:
                    generate(contract.schema_bundle(schema, "response"), direction="response")
                except GenerationError as error:
                    found.append(Problem(
                        "warning", contract.location(schema.uri, schema.pointer),
                        f"no valid {status} body for {operation.id} can be generated: {error}; "
                        "the mock answers the closest value, with a Contractkit-Warning "
                        "header", "response-ungenerable"))
    return found


#: Keys whose values are data, not schema keywords; and keys whose members are names.
_DATA_KEYS = frozenset({"example", "examples", "default", "enum", "const"})
_NAME_MAPS = frozenset({"properties", "patternProperties", "definitions", "$defs", "schemas",
                        "dependentSchemas", "paths", "responses", "parameters", "headers",
                        "content", "securitySchemes", "requestBodies", "callbacks"})


_JSON_PATTERN = re.compile(r'"pattern"\s*:\s*"((?:[^"\\]|\\.)*)"')


def _any_bad_pattern(text: str) -> bool:
    """Whether any string ``"pattern"`` member of a JSON text fails to compile."""
    for raw in {match.group(1) for match in _JSON_PATTERN.finditer(text)}:
        try:
            value = json.loads(f'"{raw}"')
        except ValueError:
            return True
        if pattern_error(value) is not None:
            return True
    return False


def _bad_patterns(contract: Contract) -> list[Problem]:
    """A warning for each ``pattern`` Python's ``re`` cannot compile (after translating
    ECMA-262 property escapes): the generator ignores it rather than fail."""
    runtime = contract._runtime
    if runtime.resolver is None:
        return []
    found: list[tuple[str, str, str]] = []

    def walk(node: Any, uri: str, pointer: str, names: bool) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                name = str(key)
                if not names and (name in _DATA_KEYS or name.startswith("x-")):
                    continue
                here = join_pointer(pointer, name)
                if not names and name == "pattern" and isinstance(value, str):
                    why = pattern_error(value)
                    if why is not None:
                        found.append((uri, here, f"pattern {value!r} is not a regular "
                                                 f"expression contractkit can compile ({why}); "
                                                 "values the mock generates may not match it"))
                    continue
                walk(value, uri, here, not names and name in _NAME_MAPS)
        elif isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, uri, f"{pointer}/{index}", False)

    root = runtime.resolver.root.uri
    for uri, document in list(runtime.resolver.documents.items()):
        if document.syntax == "json" and not _any_bad_pattern(document.text):
            continue  # the walk below costs a second on a 13 MB file; this, a few ms
        walk(contract.raw if uri == root else document.data, uri, "", False)
    locations = runtime.locations([(uri, pointer) for uri, pointer, _ in found],
                                  as_written=True)
    return [Problem("warning", location, message, "pattern-invalid")
            for location, (_, _, message) in zip(locations, found, strict=True)]


def _compile(contract: Contract, schema: Schema, direction: str, problems: list[Problem],
             by_text: dict[bytes, CompiledSchema]) -> CompiledSchema | None:
    try:
        bundled = contract.schema_bundle(schema, "request" if direction == "request"
                                         else "response")
        try:
            text = orjson.dumps(bundled, option=orjson.OPT_SORT_KEYS)
        except TypeError:  # an integer past 64 bits, say: compile it on its own
            return CompiledSchema(bundled)
        if text not in by_text:
            by_text[text] = CompiledSchema(bundled)
            if by_text[text].refused:
                problems.extend(_meta_errors(contract, schema, bundled))
        return by_text[text]
    except ContractLoadError as error:
        problems.append(Problem("error", error.location or contract.location(
            schema.uri, schema.pointer), error.message, "schema-unresolvable"))
    except Exception as error:
        problems.append(Problem("error", contract.location(schema.uri, schema.pointer),
                                f"schema cannot be compiled: {error}", "schema-invalid"))
    return None


def _meta_errors(contract: Contract, schema: Schema, bundled: Any) -> list[Problem]:
    """What makes a schema jsonschema-rs refused invalid JSON Schema (``minimum: "x"``); a
    refusal for a regex dialect, which the Python validator takes, is none."""
    import jsonschema  # noqa: PLC0415 - a second to import; only for refused schemas

    meta = jsonschema.Draft202012Validator(jsonschema.Draft202012Validator.META_SCHEMA)
    found = []
    for error in list(meta.iter_errors(bundled))[:3]:
        inside = "".join(f"/{part}" for part in error.absolute_path)
        found.append(Problem("error", contract.location(schema.uri, schema.pointer),
                             f"schema is not valid JSON Schema at {inside or '/'}: "
                             f"{error.message}; the mock ignores that keyword",
                             "schema-invalid"))
    return found


def _schemas_with_examples(
    contract: Contract,
) -> Iterator[tuple[Schema, tuple[Example, ...], str]]:
    for operation in contract.operations:
        yield from _operation_schemas(operation)
    for name, schema in contract.schemas.items():
        raw = schema.raw
        if isinstance(raw, dict) and "example" in raw:
            yield schema, (Example(name, raw["example"], pointer=schema.pointer + "/example"),
                           ), "response"


def _json_examples(media: MediaType) -> tuple[Example, ...]:
    """Examples of JSON bodies; an XML or text example is a string, not data to validate."""
    return media.examples if is_json(media.name.split(";")[0].strip().lower()) else ()


def _operation_schemas(operation: Operation) -> Iterator[tuple[Schema, tuple[Example, ...], str]]:
    for parameter in operation.parameters:
        if parameter.schema is not None:
            yield parameter.schema, parameter.examples, "request"
    if operation.request_body is not None:
        for media in operation.request_body.content.values():
            if media.schema is not None:
                yield media.schema, _json_examples(media), "request"
    for response in operation.responses.values():
        for media in response.content.values():
            if media.schema is not None:
                yield media.schema, _json_examples(media), "response"
        for header in response.headers.values():
            if header.schema is not None:
                yield header.schema, (), "response"
