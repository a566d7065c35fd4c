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


def _python_safe(node: Any) -> Any:
    """A copy of a schema without the ``pattern``s Python's ``re`` cannot compile (ECMA-262
    Unicode property escapes such as ``\\p{L}``): for those, no check beats a crash."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                try:
                    re.compile(value)
                except re.error:
                    continue
            out[key] = _python_safe(value) if key not in ("enum", "const", "examples",
                                                            "example", "default") else value
        return out
    if isinstance(node, list):
        return [_python_safe(item) for item in node]
    return node


class CompiledSchema:
    """A schema compiled once; call :meth:`errors` per value."""

    __slots__ = ("_fallback", "_rust", "schema")

    def __init__(self, schema: JSON) -> None:
        self.schema = schema
        self._rust: Any = None
        self._fallback: Any = None
        try:
            self._rust = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)
        except Exception:  # any refusal (a regex it rejects, say): the Python validator
            # imported here: with its format extras it takes about a second to import
            import jsonschema  # noqa: PLC0415

            self._fallback = jsonschema.Draft202012Validator(
                _python_safe(schema),
                format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
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
