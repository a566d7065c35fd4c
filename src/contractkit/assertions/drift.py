"""What a tolerant reader may change under schema drift, judged field by field (DESIGN §6).

Drift (``mutate``) drops optional properties, nulls nullable ones, swaps enum values for
unknown ones and adds unknown properties; a correct reader must then return something
different from its baseline, but only there. Both results are turned into plain data
(pydantic models by alias, dataclasses, objects' attributes, enums kept as members) and
compared with deepdiff; each difference is *handled* when the property it is at (the
nearest name on its path that the schemas declare: a key of a free-form map stands for the
map) is one the drift touches in that way:

- ``drop_optional``: a property the contract does not require (now absent, None or the
  reader's default);
- ``nulls``: a nullable property (now absent or None, or mapped to a default);
- ``unknown_enum``: a property with an ``enum`` (now the unknown value kept, or mapped to a
  fallback);
- ``extra_fields``/``undeclared_fields``: an added ``x_contractkit_*`` property kept.

Which properties are optional, nullable or enums comes from the response schemas of the
drifted answers (by name, anywhere in them). When no schema is known (a server without
contracts, a result that is a bare value), a difference is handled only by its kind: the
value became absent or None under ``drop_optional``/``nulls``; under ``unknown_enum``, the
value became an unknown one (``unknown_value``...) or another member of the same enum, or
was one of the values the schemas' enums list (a projection such as a tuple).
Every other difference is a field the drift did not touch that changed: a failure.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from contractkit.contract.shape import resolve

#: unknown properties the drift adds are named so
EXTRA_PREFIX = "x_contractkit_"
#: the value ``unknown_enum`` puts in a string enum (with ``_`` added until it is unknown)
UNKNOWN_ENUM = "unknown_value"
_MAX_DEPTH = 64


@dataclass(frozen=True)
class Drift:
    """What the drift did (its flags) and to which properties it could have done it."""

    drop_optional: bool = False
    nulls: bool = False
    unknown_enum: bool = False
    extra: bool = False
    #: the schemas were known; else differences are judged by their kind alone
    known: bool = False
    optional: frozenset[str] = frozenset()
    nullable: frozenset[str] = frozenset()
    enums: frozenset[str] = frozenset()
    #: every property name the schemas declare
    declared: frozenset[str] = frozenset()
    #: the values those enums list (to judge a result that kept no field names: a tuple)
    enum_values: frozenset[Any] = frozenset()

    @classmethod
    def from_faults(cls, faults: Iterable[str | None], schemas: Iterable[Any]) -> Drift:
        """From journal entries' ``fault`` texts (``mutate drop_optional,nulls``...) and the
        bundled response schemas of the drifted answers."""
        flags: set[str] = set()
        for fault in faults:
            for part in (fault or "").split("+"):
                name, _, chosen = part.strip().partition(" ")
                if name == "mutate":
                    flags |= {flag.split("=")[0] for flag in chosen.split(",")}
        fields = _Fields()
        for bundle in schemas:
            if isinstance(bundle, dict):
                fields.walk(bundle, bundle, 0)
        return cls(drop_optional="drop_optional" in flags, nulls="nulls" in flags,
                   unknown_enum="unknown_enum" in flags,
                   extra=bool(flags & {"extra_fields", "undeclared_fields"}),
                   known=bool(fields.seen), optional=frozenset(fields.optional),
                   nullable=frozenset(fields.nullable), enums=frozenset(fields.enums),
                   declared=frozenset(fields.declared),
                   enum_values=frozenset(fields.values))

    def why(self, name: str) -> str | None:
        """Why the drift may have changed property ``name``, or None if it could not."""
        if self.drop_optional and name in self.optional:
            return "optional, dropped"
        if self.nulls and name in self.nullable:
            return "nullable, set to null"
        if self.unknown_enum and name in self.enums:
            return "enum, given an unknown value"
        return None


@dataclass
class _Fields:
    """Property names by kind, gathered from every object in some schemas."""

    optional: set[str] = dataclasses.field(default_factory=set)
    nullable: set[str] = dataclasses.field(default_factory=set)
    enums: set[str] = dataclasses.field(default_factory=set)
    declared: set[str] = dataclasses.field(default_factory=set)
    values: set[Any] = dataclasses.field(default_factory=set)
    seen: set[int] = dataclasses.field(default_factory=set)

    def walk(self, schema: Any, bundle: dict[str, Any], depth: int) -> None:
        node = resolve(schema, bundle)
        if not node or depth > _MAX_DEPTH or id(schema) in self.seen:
            return
        self.seen.add(id(schema))
        self.values.update(v for v in node.get("enum") or ()
                           if isinstance(v, str | int | float))
        required = set(node.get("required", []))
        for name, raw in (node.get("properties") or {}).items():
            child = resolve(raw, bundle)
            self.declared.add(name)
            if name not in required:
                self.optional.add(name)
            if _nullable(child):
                self.nullable.add(name)
            if _has_enum(child, bundle):
                self.enums.add(name)
            self.walk(raw, bundle, depth + 1)
        for key in ("items", "additionalProperties"):
            if isinstance(node.get(key), dict):
                self.walk(node[key], bundle, depth + 1)
        for key in ("oneOf", "anyOf"):
            for branch in node.get(key) or ():
                self.walk(branch, bundle, depth + 1)


def _nullable(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    return any(isinstance(b, dict) and b.get("type") == "null"
               for b in (schema.get("oneOf") or schema.get("anyOf") or ()))


def _has_enum(schema: dict[str, Any], bundle: dict[str, Any]) -> bool:
    if isinstance(schema.get("enum"), list):
        return True
    items = resolve(schema.get("items"), bundle)
    return isinstance(items.get("enum"), list)


# -- results as plain data --------------------------------------------------------------

def plain(value: Any, depth: int = 0) -> Any:
    """``value`` as dicts, lists and scalars: a pydantic model by its fields' aliases (plus
    the extra fields it kept), a dataclass by its fields, another object by its attributes;
    enum members are kept (a fallback member is told from an unknown value)."""
    if isinstance(value, enum.Enum):
        return Member(value)
    if depth > _MAX_DEPTH or value is None or isinstance(value, str | int | float | bytes):
        return value
    if isinstance(value, Mapping):
        return {str(k): plain(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v, depth + 1) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((plain(v, depth + 1) for v in value), key=repr)
    fields = getattr(type(value), "model_fields", None)
    if isinstance(fields, Mapping):  # pydantic v2
        out = {(getattr(info, "alias", None) or name): plain(getattr(value, name), depth + 1)
               for name, info in fields.items()}
        extra = getattr(value, "model_extra", None) or {}
        out.update({str(k): plain(v, depth + 1) for k, v in extra.items()})
        return out
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name), depth + 1)
                for f in dataclasses.fields(value)}
    attributes = getattr(value, "__dict__", None)
    if isinstance(attributes, dict) and type(value).__module__ != "builtins":
        return {k: plain(v, depth + 1) for k, v in attributes.items() if not k.startswith("_")}
    return value


class Member(str):
    """An enum member as one value to deepdiff (which would walk into its ``name`` and
    ``value``), still knowing its enum."""

    member: enum.Enum

    def __new__(cls, member: enum.Enum) -> Member:
        made = super().__new__(cls, f"{type(member).__qualname__}.{member.name}")
        made.member = member
        return made

    def __repr__(self) -> str:
        return str(self)


# -- the judgement ----------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    """One difference between the baseline result and the drifted one."""

    path: str
    before: Any
    after: Any
    #: why the drift explains it ("optional, dropped"...), or None: an untouched field
    handled: str | None

    def describe(self) -> str:
        return (f"{self.path}: {_show(self.before)} → {_show(self.after)}"
                + (f" ({self.handled})" if self.handled else ""))


def changes(baseline: Any, result: Any, drift: Drift) -> list[Change]:
    """Every difference between the two results, each judged."""
    from deepdiff import DeepDiff  # noqa: PLC0415 - it imports pydantic and numpy: lazy

    diff = DeepDiff(plain(baseline), plain(result), view="tree", verbose_level=2,
                    threshold_to_diff_deeper=0)
    found = []
    for kind in diff:
        for level in diff[kind]:
            steps = level.path(output_format="list")
            before, after = level.t1, level.t2
            found.append(Change(_path(steps), before, after,
                                _handled(steps, before, after, drift)))
    return sorted(found, key=lambda c: c.path)


def _handled(steps: list[Any], before: Any, after: Any, drift: Drift) -> str | None:
    names = [s for s in steps if isinstance(s, str)]
    if names and _absent(before) and names[-1].startswith(EXTRA_PREFIX):
        return "an unknown field, kept" if drift.extra else None
    if drift.known:
        # the nearest property the contract declares decides: a key of a free-form map
        # (metadata's) or a name the reader made up stands for its parent; a declared one
        # for itself (a change below a property that is still there is not the property's)
        for name in reversed(names):
            if name in drift.declared:
                return drift.why(name)
    gone = after is None or _absent(after)
    if gone and (drift.drop_optional or drift.nulls):
        return "absent or null in the drifted answer"
    if drift.unknown_enum and (_unknown_or_fallback(before, after) or (
            isinstance(before, str | int | float) and before in drift.enum_values)):
        return "an unknown enum value, kept or mapped"
    return None


def _unknown_or_fallback(before: Any, after: Any) -> bool:
    if isinstance(after, str) and not isinstance(after, Member) and after.startswith(
            UNKNOWN_ENUM):
        return True
    if isinstance(after, Member):
        value = after.member.value
        if isinstance(value, str) and value.startswith(UNKNOWN_ENUM):
            return True
        return isinstance(before, Member) and type(after.member) is type(before.member)
    return False


def _absent(value: Any) -> bool:
    """deepdiff's marker for the side of an added or removed item that has none."""
    return type(value).__name__ == "NotPresent"


def _path(steps: list[Any]) -> str:
    text = ""
    for step in steps:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text or "the result"


def _show(value: Any, limit: int = 60) -> str:
    if _absent(value):
        return "(absent)"
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def short(value: Any, limit: int = 120) -> str:
    """A repr cut to ``limit`` characters (results can be multi-KB)."""
    return _show(value, limit)
