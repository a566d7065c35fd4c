"""Compiled JSON Schema validators behind one small interface.

jsonschema-rs (Rust) validates on the hot path; measured on the bundled payments schema it
is far faster than pure-Python jsonschema (see ``benchmarks/bench_validate.py``). If it
cannot compile a schema (a regex dialect it refuses, say) the pure-Python validator takes
over for that schema, so every contract still validates; there, a ``pattern`` Python's
``re`` cannot compile is skipped instead of failing the request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import jsonschema_rs

from contractkit._types import JSON
from contractkit.contract._source import escape_token
from contractkit.contract.formats import CHECKERS

#: Stop after this many errors for one value: a wholly wrong body would list hundreds.
MAX_ERRORS = 20
#: Longer messages are cut in the middle (they quote the value).
MAX_MESSAGE_CHARS = 400
#: How deep jsonschema-rs follows a value when it explains an error.
MAX_DEPTH = 255


@dataclass(frozen=True)
class SchemaError:
    """One way a value fails a schema: where in the value, and why."""

    pointer: str
    message: str
    schema_path: str


def _short(message: str) -> str:
    """A message quotes the failing value, which may be megabytes long: keep both ends."""
    if len(message) <= MAX_MESSAGE_CHARS:
        return message
    return (f"{message[:MAX_MESSAGE_CHARS - 100]} …[{len(message):,} characters]… "
            f"{message[-80:]}")


def _pointer(parts: Iterable[Any]) -> str:
    return "".join("/" + escape_token(str(part)) for part in parts)


#: Keywords whose value must be a number; a string there (``minimum: "-9e18"``, which YAML
#: 1.1 made of a number) makes the Python validator compare int with str and crash.
_NUMERIC_KEYWORDS = frozenset({
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength",
    "maxLength", "minItems", "maxItems", "minProperties", "maxProperties", "minContains",
    "maxContains"})


#: Keywords whose members are names (of properties, definitions), not keywords.
_NAME_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions",
                        "dependentSchemas"})
_LITERALS = frozenset({"enum", "const", "examples", "example", "default"})


def _python_safe(node: Any, names: bool = False) -> Any:
    """A copy of a schema without what the Python validator cannot use: ``pattern``s its
    ``re`` cannot compile (ECMA-262 Unicode property escapes such as ``\\p{L}``), numeric
    keywords holding strings and a ``type`` that is an object. For those, no check beats a
    crash; ``contractkit validate`` reports them."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if names:  # a property or definition name: its value is a schema
                out[key] = _python_safe(value)
                continue
            if key in _NUMERIC_KEYWORDS and isinstance(value, str):
                continue
            if key == "type" and isinstance(value, dict):  # a schema where a name belongs
                continue
            if key == "pattern" and isinstance(value, str):
                try:
                    re.compile(value)
                except re.error:
                    continue
            out[key] = value if key in _LITERALS else _python_safe(value, key in _NAME_MAPS)
        return out
    if isinstance(node, list):
        return [_python_safe(item) for item in node]
    return node


def _python_format_checker() -> Any:
    """JSON Schema's format checks plus the registry's (:data:`CHECKERS`), for strings."""
    import jsonschema  # noqa: PLC0415 - a second to import; only for refused schemas

    checker = jsonschema.FormatChecker(jsonschema.Draft202012Validator.FORMAT_CHECKER.checkers)
    for name, check in CHECKERS.items():
        checker.checks(name)(lambda value, check=check: not isinstance(value, str)
                             or check(value))
    return checker


class CompiledSchema:
    """A schema compiled once; call :meth:`errors` per value."""

    __slots__ = ("_fallback", "_rust", "refused", "schema")

    def __init__(self, schema: JSON) -> None:
        self.schema = schema
        self._rust: Any = None
        self._fallback: Any = None
        #: jsonschema-rs refused the schema (a regex dialect it lacks, or invalid JSON
        #: Schema); the Python validator checks what it can.
        self.refused = False
        try:
            self._rust = jsonschema_rs.Draft202012Validator(schema, validate_formats=True,
                                                            formats=CHECKERS)
        except Exception:
            # any refusal (a regex it rejects, say): the Python validator
            self.refused = True
            # imported here: with its format extras it takes about a second to import
            import jsonschema  # noqa: PLC0415

            self._fallback = jsonschema.Draft202012Validator(
                _python_safe(schema),
                format_checker=_python_format_checker(),
            )

    def is_valid(self, value: JSON) -> bool:
        if self._rust is not None:
            return bool(self._rust.is_valid(value))
        return bool(self._fallback.is_valid(value))

    def errors(self, value: JSON) -> list[SchemaError]:
        found: list[SchemaError] = []
        try:
            if self._rust is not None:
                if self._rust.is_valid(value):
                    return found
                for error in self._rust.iter_errors(value):
                    found.append(SchemaError(_pointer(error.instance_path),
                                             _short(error.message),
                                             _pointer(error.schema_path)))
                    if len(found) >= MAX_ERRORS:
                        break
                return found
            for error in self._fallback.iter_errors(value):
                found.append(SchemaError(_pointer(error.absolute_path), _short(error.message),
                                         _pointer(error.absolute_schema_path)))
                if len(found) >= MAX_ERRORS:
                    break
        except (ValueError, RecursionError) as error:
            # jsonschema-rs explains errors only MAX_DEPTH levels deep ("Recursion limit
            # reached"); the Python validator recurses per level. Either way: too deep.
            if isinstance(error, ValueError) and "ecursion" not in str(error):
                raise
            return [SchemaError("", f"the value does not match the schema and is nested "
                                    f"deeper than {MAX_DEPTH} levels, the limit to which "
                                    "contractkit locates errors", "")]
        return found
