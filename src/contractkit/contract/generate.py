"""``generate(schema, seed)``: a JSON value valid for a JSON Schema, the same for a seed.

The schema is a *bundled* 2020-12 schema (:meth:`Contract.schema_bundle`): refs are local
``#/$defs/...``. Generation is constructive (build a value from the keywords) rather than
generate-and-filter, so it is fast enough for a mock server; only ``oneOf``, ``not`` and
examples are checked with a compiled validator. Recursion is cut at ``max_depth``: deeper
down, only required properties and minimal arrays are produced.
"""

from __future__ import annotations

import copy
import math
import random
import re
import string
from collections.abc import Mapping
from typing import Any, Literal

import orjson

from contractkit._bounded import Bounded
from contractkit._types import JSON
from contractkit.contract._regex import InvalidPattern, RegexError, string_matching
from contractkit.contract.formats import INTEGER_RANGES, string_for
from contractkit.contract.schema_validator import CompiledSchema
from contractkit.contract.shape import json_type
from contractkit.errors import GenerationError

Direction = Literal["request", "response"]
_HARD_DEPTH_FACTOR = 4
_ONE_OF_TRIES = 6
_WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
          "juliet", "kilo", "lima", "mike", "november", "oscar", "papa")
#: Past this many branch pairs, two anyOfs are not distributed but checked one by one.
_DISTRIBUTE_MAX = 64
_JS_REGEX = re.compile(r"^/(.+)/[dgimsuvy]*$")
#: What a relaxed (best-effort) subschema gives up.
_GIVEN_UP = frozenset({
    "allOf", "oneOf", "anyOf", "not", "if", "then", "else", "const", "enum", "pattern",
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength",
    "maxLength", "minItems", "maxItems", "minProperties", "maxProperties", "uniqueItems",
    "patternProperties", "propertyNames", "contains", "format"})
_MERGE_MIN = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_MERGE_MAX = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")


def generate(
    schema: Mapping[str, Any] | bool,
    *,
    seed: int = 0,
    direction: Direction = "response",
    max_depth: int = 6,
    use_examples: bool = True,
    fixtures: Mapping[str, JSON] | None = None,
    complete_levels: int = 0,
) -> JSON:
    """A value that validates against ``schema``; equal seeds give equal values.

    ``direction="request"`` leaves out ``readOnly`` properties, ``"response"`` leaves out
    ``writeOnly`` ones. ``fixtures`` maps ``$defs`` names to values laid over what is
    generated for them (see :func:`overlay`), where the result stays valid. Objects nested
    fewer than ``complete_levels`` objects deep (arrays do not count: the items of a
    top-level list are at level 1) get every optional property; deeper, each is chosen
    with a 60% chance. Raises
    :class:`GenerationError` naming the JSON pointer in the schema where no value could be
    made (contradictory constraints, ``false``, ...).
    """
    root = schema if isinstance(schema, Mapping) else {}
    generator = _Generator(root, random.Random(seed), direction, max_depth, use_examples)
    generator.fixtures = fixtures or {}
    generator.complete_levels = complete_levels
    return generator.value(schema, "", 0)


def generate_best_effort(
    schema: Mapping[str, Any] | bool, *, seed: int = 0, direction: Direction = "response",
    max_depth: int = 6, fixtures: Mapping[str, JSON] | None = None,
    complete_levels: int = 0,
) -> tuple[JSON, list[str]]:
    """The closest value :func:`generate` can make when no value satisfies ``schema``
    (overlapping ``oneOf`` branches, an unsatisfiable pattern, contradictory bounds), and a
    note per constraint it had to give up. Each failing subschema is relaxed where it fails:
    the rest of the value is still made by the rules."""
    root = schema if isinstance(schema, Mapping) else {}
    generator = _Generator(root, random.Random(seed), direction, max_depth, True)
    generator.fixtures = fixtures or {}
    generator.complete_levels = complete_levels
    generator.notes = []
    value = generator.value(schema, "", 0)
    return value, generator.notes


class _Generator:
    def __init__(self, root: Mapping[str, Any], rng: random.Random, direction: Direction,
                 max_depth: int, use_examples: bool) -> None:
        self.root = root
        self.defs: Mapping[str, Any] = root.get("$defs", {}) if isinstance(root, Mapping) else {}
        self.rng = rng
        self.skip = "readOnly" if direction == "request" else "writeOnly"
        self.max_depth = max_depth
        self.use_examples = use_examples
        # keyed by id(); each entry keeps its schema alive so the id cannot be reused by a
        # later temporary (merged) schema
        self._validators: dict[int, tuple[Any, CompiledSchema]] = {}
        self._def_refs: dict[str, list[str]] = {}
        #: best effort (see generate_best_effort): what had to be given up, else None
        self.notes: list[str] | None = None
        #: values laid over what is generated for these ``$defs`` names
        self.fixtures: Mapping[str, JSON] = {}
        #: objects nested less deep than this get every optional property (see generate)
        self.complete_levels = 0
        self._level = 0

    # -- helpers ------------------------------------------------------------------------

    def resolve(self, node: Any, pointer: str) -> Any:
        seen = 0
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
            name = node["$ref"].rpartition("/")[2].replace("~1", "/").replace("~0", "~")
            if node["$ref"] == "#":
                target: Any = self.root
            elif name in self.defs:
                target = self.defs[name]
            else:
                raise GenerationError(f"{pointer or '/'}: unresolvable $ref {node['$ref']!r}")
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            node = merge(target, siblings) if siblings and isinstance(target, Mapping) else (
                target)
            seen += 1
            if seen > 64:
                raise GenerationError(f"{pointer or '/'}: $ref chain too long")
        return node

    def _discriminator_tags(self, node: Mapping[str, Any],
                            keyword: str) -> tuple[str, dict[int, Any]]:
        """The discriminator's property and, per ``oneOf``/``anyOf`` branch index, the value
        that names that branch: its ``mapping`` key; else the one value the branch itself
        declares for the property (``const``, one-value ``enum``), as SDKs, Prism and Steady
        read it; else (OpenAPI's implicit mapping) the name of the schema it refers to."""
        discriminator = node.get("discriminator")
        if not isinstance(discriminator, Mapping) or not isinstance(
                discriminator.get("propertyName"), str):
            return "", {}
        name = discriminator["propertyName"]
        mapping = discriminator.get("mapping") or {}
        tags: dict[int, Any] = {}

        def resolve(schema: Any) -> Any:
            try:
                return self.resolve(schema, "")
            except GenerationError:
                return {}

        for index, branch in enumerate(node[keyword]):
            ref = branch.get("$ref") if isinstance(branch, Mapping) else None
            for tag, target in mapping.items():
                if target == ref:
                    tags[index] = tag
            if index in tags:
                continue
            declared, value = _declared_value(branch, name, resolve)
            if declared:
                tags[index] = value
            elif isinstance(ref, str):
                tags[index] = ref.rpartition("/")[2]
        return name, tags

    def valid(self, node: Any, value: JSON) -> bool:
        found = self._validators.get(id(node))
        if found is None:
            schema = dict(node) if isinstance(node, Mapping) else node
            if isinstance(schema, dict) and self.defs:
                # only the definitions the node reaches: compiling all of them for every
                # branch checked cost GitHub's contract 14 s in `validate`
                schema = {**schema, "$defs": {name: self.defs[name]
                                              for name in self._reached(schema)}}
            found = self._validators[id(node)] = (node, _compiled(schema))
        return found[1].is_valid(value)

    def _reached(self, node: Any) -> list[str]:
        """The names of the ``$defs`` entries ``node`` refers to, directly or through others."""
        seen: dict[str, None] = {}
        pending = _local_refs(node)
        while pending:
            name = pending.pop()
            if name in seen or name not in self.defs:
                continue
            seen[name] = None
            refs = self._def_refs.get(name)
            if refs is None:
                refs = self._def_refs[name] = _local_refs(self.defs[name])
            pending.extend(refs)
        return list(seen)

    # -- dispatch -----------------------------------------------------------------------

    def value(self, node: Any, pointer: str, depth: int) -> JSON:
        notes = self.notes
        if notes is None:
            return self._value(node, pointer, depth)
        # best effort: by the rules if the subtree allows it; else with its children relaxed
        # where they fail; else relaxed here. Notes name only what the value gave up.
        self.notes = None
        try:
            return self._value(node, pointer, depth)
        except GenerationError:
            pass
        finally:
            self.notes = notes
        kept = len(notes)
        try:
            return self._value(node, pointer, depth)
        except GenerationError as error:
            del notes[kept:]
            notes.append(str(error))
        if depth > self.max_depth * _HARD_DEPTH_FACTOR:
            return None
        return self._relaxed(node, pointer, depth)

    def _relaxed(self, node: Any, pointer: str, depth: int) -> JSON:
        """A value for ``node`` with the constraints that made it fail given up: the first
        non-null branch of a ``oneOf``/``anyOf`` (not checked for exclusivity), the merged
        ``allOf`` parts, the type and shape without bounds, patterns or ``not``."""
        if not isinstance(node, Mapping):
            return None
        try:
            node = self.resolve(node, pointer)
        except GenerationError:
            return {}
        for key in ("oneOf", "anyOf"):
            branches = node.get(key)
            if isinstance(branches, list) and branches:
                rest = {k: v for k, v in node.items() if k not in (key, "discriminator")}
                first = next((b for b in branches if not _is_null(b)), branches[0])
                return self.value(merge(rest, self._resolved(first)), f"{pointer}/{key}/0",
                                  depth + 1)
        if isinstance(node.get("allOf"), list):
            merged: Any = {k: v for k, v in node.items() if k != "allOf"}
            for part in node["allOf"]:
                merged = merge(merged, self._resolved(part))
            merged = {k: v for k, v in merged.items() if k != "allOf"}
            return self.value(merged, pointer, depth + 1)
        if isinstance(node.get("enum"), list) and node["enum"]:
            return node["enum"][0]
        delimited = _JS_REGEX.match(node.get("pattern", "")) if isinstance(
            node.get("pattern"), str) else None
        if delimited:  # '/^[a-z]+$/' is a JavaScript regex literal; its inside may match
            try:
                return string_matching(delimited.group(1), self.rng)
            except RegexError:
                pass
        simple = {k: v for k, v in node.items() if k not in _GIVEN_UP}
        kind = simple.get("type")
        if isinstance(kind, list):
            simple["type"] = [k for k in kind if isinstance(k, str)] or "string"
        elif not isinstance(kind, str):
            simple.pop("type", None)
        try:
            return self._typed(simple, pointer, depth + 1)
        except GenerationError:
            return None

    def _resolved(self, node: Any) -> Any:
        try:
            return self.resolve(node, "")
        except GenerationError:
            return {}

    def _value(self, node: Any, pointer: str, depth: int) -> JSON:
        if node is True or node == {}:
            return self.rng.choice(_WORDS)
        if node is False:
            raise GenerationError(f"{pointer or '/'}: the schema is `false`; no value is valid")
        if not isinstance(node, Mapping):
            return None
        if depth > self.max_depth * _HARD_DEPTH_FACTOR:
            raise GenerationError(f"{pointer or '/'}: recursion never ends (a required "
                                  "property or item refers back to itself)")
        if self.fixtures:
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                name = ref[8:].replace("~1", "/").replace("~0", "~")
                if name in self.fixtures:
                    return self._fixture(node, self.fixtures[name], pointer, depth)
        node = self.resolve(node, pointer)
        if "const" in node:
            return node["const"]
        if self.use_examples:
            for candidate in _examples(node):
                if self.valid(node, candidate):
                    return candidate
        if "allOf" in node:
            merged: Mapping[str, Any] = {k: v for k, v in node.items() if k != "allOf"}
            for index, branch in enumerate(node["allOf"]):
                merged = merge(merged, self.resolve(branch, f"{pointer}/allOf/{index}"))
            if "allOf" not in merged:
                return self.value(merged, pointer, depth)
            # combinators merge() could not fold in (two oneOfs, say) came back as allOf:
            # make values for the rest and keep one the deferred parts accept, rather than
            # unfold the same allOf again (that recursed without end)
            rest = {k: v for k, v in merged.items() if k != "allOf"}
            for _ in range(_ONE_OF_TRIES):
                try:
                    candidate = self.value(rest, pointer, depth)
                except GenerationError:
                    continue
                if self.valid(merged, candidate):
                    return candidate
            raise GenerationError(f"{pointer}/allOf: no value made for one branch satisfied "
                                  "the others")
        if "oneOf" in node:
            return self._one_of(node, pointer, depth)
        if "anyOf" in node:
            return self._any_of(node, pointer, depth)
        if "enum" in node:
            return self._enum(node, pointer)
        if "not" in node:
            rest = {k: v for k, v in node.items() if k != "not"}
            for _ in range(_ONE_OF_TRIES):
                candidate = self.value(rest, pointer, depth)
                if self.valid(node, candidate):
                    return candidate
            raise GenerationError(f"{pointer}/not: every value tried was excluded by `not`")
        if "if" in node:
            return self._conditional(node, pointer, depth)
        return self._typed(node, pointer, depth)

    def _fixture(self, node: Mapping[str, Any], fixture: JSON, pointer: str,
                 depth: int) -> JSON:
        """The fixture laid over a value generated for ``node``; else the fixture alone;
        else (it does not fit here: a readOnly field in a request, say) the generated one."""
        resolved = self.resolve(node, pointer)
        generated = self._value(resolved, pointer, depth)
        fixture = copy.deepcopy(fixture)
        laid = overlay(generated, fixture)
        if self.valid(resolved, laid):
            return laid
        if self.valid(resolved, fixture):
            return fixture
        return generated

    def _typed(self, node: Mapping[str, Any], pointer: str, depth: int) -> JSON:
        kind = node.get("type")
        if kind == []:
            raise GenerationError(f"{pointer}/type: the types required by allOf contradict "
                                  "each other; no value has all of them")
        if isinstance(kind, list):
            options = [k for k in kind if k != "null"] or ["null"]
            if "null" in kind and (depth > self.max_depth or self.rng.random() < 0.1):
                return None
            kind = self.rng.choice(options)
        if kind is None:
            kind = _infer_type(node)
        if kind == "null":
            return None
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind == "integer":
            return self._integer(node, pointer)
        if kind == "number":
            return self._number(node, pointer)
        if kind == "string":
            return self._string(node, pointer)
        if kind == "array":
            return self._array(node, pointer, depth)
        if kind == "object":
            return self._object(node, pointer, depth)
        raise GenerationError(f"{pointer}/type: unknown type {kind!r}")

    # -- combinators --------------------------------------------------------------------

    def _any_of(self, node: Mapping[str, Any], pointer: str, depth: int) -> JSON:
        rest = {k: v for k, v in node.items() if k not in ("anyOf", "discriminator")}
        branches = list(enumerate(node["anyOf"]))
        tagged = self._discriminator_tags(node, "anyOf")
        self.rng.shuffle(branches)
        branches.sort(key=lambda b: _is_null(b[1]))  # prefer a non-null branch
        for index, branch in branches:
            here = f"{pointer}/anyOf/{index}"
            try:
                candidate = _tag(self.value(merge(rest, self.resolve(branch, here)), here,
                                            depth), tagged, index)
            except GenerationError:
                continue  # a branch the rest contradicts (null ∧ string): try another
            if ("not" not in node and index not in tagged[1]) or self.valid(node, candidate):
                return candidate
        raise GenerationError(f"{pointer}/anyOf: no branch gave a valid value")

    def _one_of(self, node: Mapping[str, Any], pointer: str, depth: int) -> JSON:
        rest = {k: v for k, v in node.items() if k not in ("oneOf", "discriminator")}
        branches = list(enumerate(node["oneOf"]))
        tagged = self._discriminator_tags(node, "oneOf")
        self.rng.shuffle(branches)
        branches.sort(key=lambda b: _is_null(b[1]))
        overlapping = True
        for _ in range(_ONE_OF_TRIES):
            for index, branch in branches:
                here = f"{pointer}/oneOf/{index}"
                resolved = self.resolve(branch, here)
                try:
                    candidate = _tag(self.value(merge(rest, resolved), here, depth), tagged,
                                     index)
                except GenerationError:
                    continue
                matches = sum(self.valid(b, candidate) for _, b in branches)
                if matches == 1 and self.valid(rest, candidate):
                    return candidate
                overlapping = overlapping and matches > 1
        if overlapping:
            raise GenerationError(f"{pointer}/oneOf: every value made matches several branches "
                                  "(they overlap), so none is valid for oneOf; make the "
                                  "branches exclusive (a const or required discriminator)")
        raise GenerationError(f"{pointer}/oneOf: no value matching exactly one branch found")

    def _conditional(self, node: Mapping[str, Any], pointer: str, depth: int) -> JSON:
        rest = {k: v for k, v in node.items() if k not in ("if", "then", "else")}
        candidate = self.value(rest, pointer, depth)
        branch = node.get("then") if self.valid(node["if"], candidate) else node.get("else")
        if branch is None or self.valid(node, candidate):
            return candidate
        return self.value(merge(rest, self.resolve(branch, pointer)), pointer, depth)

    def _enum(self, node: Mapping[str, Any], pointer: str) -> JSON:
        options = list(node["enum"])
        kind = node.get("type")
        if kind is not None:
            kinds = kind if isinstance(kind, list) else [kind]
            options = [o for o in options if json_type(o) in kinds
                       or (json_type(o) == "integer" and "number" in kinds)]
        if not options:
            raise GenerationError(f"{pointer}/enum: no enum value has the schema's type")
        non_null = [o for o in options if o is not None]
        return self.rng.choice(non_null or options)

    # -- scalars -----------------------------------------------------------------------

    def _integer(self, node: Mapping[str, Any], pointer: str) -> int:
        low, high = _bounds(node, integer=True)
        fmt = node.get("format")
        if isinstance(fmt, str) and fmt in INTEGER_RANGES:
            least, most = INTEGER_RANGES[fmt]
            low, high = max(low, least), min(high, most)
        step = node.get("multipleOf")
        if isinstance(step, (int, float)) and step > 0:
            first, last = math.ceil(low / step), math.floor(high / step)
            if first > last:
                raise GenerationError(f"{pointer}/multipleOf: no multiple of {step} in "
                                      f"[{low}, {high}]")
            value = self.rng.randint(first, last) * step
            return int(value)
        if low > high:
            raise GenerationError(f"{pointer}: no integer between {low} and {high}")
        return self.rng.randint(low, high)

    def _number(self, node: Mapping[str, Any], pointer: str) -> float | int:
        step = node.get("multipleOf")
        low, high = _bounds(node, integer=False)
        if isinstance(step, (int, float)) and step > 0:
            first, last = math.ceil(low / step), math.floor(high / step)
            candidates = [k for k in (first, last) if low <= k * step <= high]
            if first > last and not candidates:
                raise GenerationError(f"{pointer}/multipleOf: no multiple of {step} in range")
            value = self.rng.randint(first, max(first, last)) * step
            return int(value) if float(value).is_integer() else round(value, 10)
        if low > high:
            raise GenerationError(f"{pointer}: no number between {low} and {high}")
        value = round(self.rng.uniform(low, high), 2)
        if not low <= value <= high or value in _exclusive(node):
            value = (low + high) / 2
        return value

    def _string(self, node: Mapping[str, Any], pointer: str) -> str:
        low = int(node.get("minLength", 0))
        declared_high = node.get("maxLength")
        high = int(declared_high) if declared_high is not None else low + 64
        if low > high:
            raise GenerationError(f"{pointer}: minLength {low} is above maxLength {high}")
        pattern = node.get("pattern")
        if isinstance(pattern, str):
            for _ in range(12):
                try:
                    text = string_matching(pattern, self.rng)
                except InvalidPattern:
                    # the validator ignores a pattern it cannot compile; so does this (and
                    # `contractkit validate` warns about it)
                    break
                except RegexError as error:
                    raise GenerationError(f"{pointer}/pattern: {error}") from None
                if low <= len(text) <= high:
                    return text
            else:
                raise GenerationError(f"{pointer}/pattern: no string matching {pattern!r} "
                                      f"with length {low}..{high} found")
        formatted = string_for(node.get("format"), self.rng)
        if formatted is not None and low <= len(formatted) <= high:
            return formatted
        length = self.rng.randint(low, min(high, low + 12))
        text = self.rng.choice(_WORDS)
        while len(text) < length:
            text += self.rng.choice(string.ascii_lowercase)
        return text[:length]

    # -- containers --------------------------------------------------------------------

    def _array(self, node: Mapping[str, Any], pointer: str, depth: int) -> list[JSON]:
        low = int(node.get("minItems", 0))
        high = int(node.get("maxItems", low + 3))
        if low > high:
            raise GenerationError(f"{pointer}: minItems {low} is above maxItems {high}")
        prefix = list(node.get("prefixItems") or [])
        items = node.get("items", {} if not prefix else False)
        # at least one item where the schema allows it: a client reads `data[0]` (and an
        # empty list exercises nothing); past the depth bound, as few as allowed
        floor = max(low, min(1, high))
        count = low if depth >= self.max_depth else self.rng.randint(floor, min(high,
                                                                              max(floor, 2)))
        if items is False:
            count = min(max(count, min(low, len(prefix))), len(prefix))
        values: list[JSON] = []
        attempts = 0
        while len(values) < count and attempts < count * 8 + 8:
            attempts += 1
            index = len(values)
            schema = prefix[index] if index < len(prefix) else items
            value = self.value(schema, f"{pointer}/items", depth + 1)
            if node.get("uniqueItems") and value in values:
                continue
            values.append(value)
        if len(values) < low:
            raise GenerationError(f"{pointer}: could not make {low} distinct items")
        contains = node.get("contains")
        if contains is not None and not any(self.valid(contains, v) for v in values):
            item = self.value(contains, f"{pointer}/contains", depth + 1)
            values = [item, *values][: max(high, 1)]
        return values

    def _object(self, node: Mapping[str, Any], pointer: str, depth: int) -> dict[str, JSON]:
        properties: Mapping[str, Any] = node.get("properties") or {}
        required = [r for r in node.get("required") or [] if isinstance(r, str)]
        low = int(node.get("minProperties", 0))
        high = int(node.get("maxProperties", 10**6))
        dependent = node.get("dependentRequired") or {}
        chosen = list(dict.fromkeys(required))
        for name in properties:
            if name in chosen:
                continue
            prop = self.resolve(properties[name], f"{pointer}/properties/{name}")
            if isinstance(prop, Mapping) and prop.get(self.skip) is True:
                continue
            if depth < self.max_depth and (self._level < self.complete_levels
                                           or self.rng.random() < 0.6):
                chosen.append(name)
        for name in list(chosen):
            for extra in dependent.get(name, []):
                if extra not in chosen:
                    chosen.append(extra)
        out: dict[str, JSON] = {}
        self._level += 1
        try:
            for name in chosen:
                if len(out) >= high and name not in required:
                    continue
                schema = properties.get(name, node.get("additionalProperties", {}))
                if schema is False:
                    raise GenerationError(f"{pointer}/required: {name!r} is required but "
                                          "not allowed")
                out[name] = self.value(schema if schema is not True else {},
                                       f"{pointer}/properties/{name}", depth + 1)
        finally:
            self._level -= 1
        extra_schema = node.get("additionalProperties")
        want_extra = low - len(out)
        if isinstance(extra_schema, Mapping) and not properties and depth < self.max_depth:
            want_extra = max(want_extra, self.rng.randint(0, 2))
        if want_extra > 0:
            self._fill_extra(node, out, want_extra, pointer, depth)
        if len(out) < low:
            raise GenerationError(f"{pointer}/minProperties: only {len(out)} of {low} "
                                  "properties could be made")
        return out

    def _fill_extra(self, node: Mapping[str, Any], out: dict[str, JSON], count: int,
                    pointer: str, depth: int) -> None:
        extra = node.get("additionalProperties", True)
        patterns: Mapping[str, Any] = node.get("patternProperties") or {}
        names_schema = node.get("propertyNames")
        for _ in range(count * 4):
            if count <= 0:
                break
            if patterns:
                pattern, schema = self.rng.choice(sorted(patterns.items()))
                try:
                    name = string_matching(pattern, self.rng)
                except RegexError:
                    continue
            elif extra is False:
                break
            else:
                schema = extra if isinstance(extra, Mapping) else {}
                name = (self.value(names_schema, f"{pointer}/propertyNames", depth + 1)
                        if isinstance(names_schema, Mapping) else
                        f"{self.rng.choice(_WORDS)}_{self.rng.randint(1, 99)}")
                if not isinstance(name, str):
                    continue
            if name in out or name in (node.get("properties") or {}):
                continue
            out[name] = self.value(schema, f"{pointer}/additionalProperties", depth + 1)
            count -= 1


#: Compiled branch schemas by content, across generations: the same component recurs in
#: many responses (and requests), and compiling is the dear part of checking a candidate.
_COMPILED: Bounded[bytes, CompiledSchema] = Bounded(2048)


def _compiled(schema: Any) -> CompiledSchema:
    try:
        key = orjson.dumps(schema, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # an integer past 64 bits: not worth a key
        return CompiledSchema(schema)
    return _COMPILED.setdefault(key, lambda: CompiledSchema(schema))


def _local_refs(node: Any) -> list[str]:
    """The ``$defs`` names of the local refs inside ``node`` (``#/$defs/Name``)."""
    found: list[str] = []
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, Mapping):
            ref = current.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                found.append(ref[8:].replace("~1", "/").replace("~0", "~"))
            pending.extend(value for key, value in current.items()
                           if key not in ("enum", "const", "examples", "example", "default"))
        elif isinstance(current, list):
            pending.extend(current)
    return found


def _declared_value(node: Any, name: str, resolve: Any, depth: int = 0) -> tuple[bool, Any]:
    """The one value a schema allows for property ``name`` (a ``const`` or a one-value
    ``enum``, on the schema or one of its ``allOf`` parts), if it declares one."""
    if depth > 8 or not isinstance(node, Mapping):
        return False, None
    node = resolve(node)
    prop = node.get("properties", {}).get(name) if isinstance(node.get("properties"),
                                                               Mapping) else None
    if isinstance(prop, Mapping):
        prop = resolve(prop)
        if "const" in prop:
            return True, prop["const"]
        if isinstance(prop.get("enum"), list) and len(prop["enum"]) == 1:
            return True, prop["enum"][0]
    for part in node.get("allOf", ()) if isinstance(node.get("allOf"), list) else ():
        found = _declared_value(part, name, resolve, depth + 1)
        if found[0]:
            return found
    return False, None


def _tag(candidate: JSON, tagged: tuple[str, dict[int, Any]], index: int) -> JSON:
    name, tags = tagged
    if index in tags and isinstance(candidate, dict):
        return {**candidate, name: tags[index]}
    return candidate


def overlay(base: JSON, over: JSON) -> JSON:
    """``over`` laid on ``base``: for two objects, each member ``over`` gives replaces
    ``base``'s (whole: a map's generated keys would be noise beside the given ones);
    anything else is ``over``."""
    if isinstance(base, dict) and isinstance(over, dict):
        return {**base, **over}
    return over


def merge(base: Any, extra: Any) -> Any:
    """Merge two schemas as ``allOf`` does, for the keywords generation cares about."""
    if not isinstance(base, Mapping) or not isinstance(extra, Mapping):
        return extra if isinstance(base, Mapping) or base is True else base
    out: dict[str, Any] = dict(base)
    for key, value in extra.items():
        if key not in out:
            out[key] = value
        elif key == "properties":
            merged = dict(out[key])
            for name, schema in value.items():
                merged[name] = {"allOf": [merged[name], schema]} if name in merged else schema
            out[key] = merged
        elif key == "required":
            out[key] = list(dict.fromkeys([*out[key], *value]))
        elif key == "type":
            left = out[key] if isinstance(out[key], list) else [out[key]]
            right = value if isinstance(value, list) else [value]
            both = [t for t in left if t in right or (t == "integer" and "number" in right)]
            both += [t for t in right if t == "integer" and "number" in left and t not in both]
            out[key] = both[0] if len(both) == 1 else both
        elif key in _MERGE_MIN:
            out[key] = max(out[key], value)
        elif key in _MERGE_MAX:
            out[key] = min(out[key], value)
        elif key == "enum":
            out[key] = [v for v in out[key] if v in value]
        elif key == "allOf":
            out[key] = [*out[key], *value]
        elif key == "anyOf" and len(out[key]) * len(value) <= _DISTRIBUTE_MAX:
            # anyOf(A…) ∧ anyOf(B…) is anyOf(A∧B …): the same set, and one level flatter
            out[key] = [{"allOf": [mine, theirs]} for mine in out[key] for theirs in value]
        elif key in ("oneOf", "anyOf"):
            # both sides constrain: keep ours, and require theirs through allOf
            out["allOf"] = [*out.get("allOf", []), {key: value}]
        else:
            out[key] = value
    return out


def _examples(node: Mapping[str, Any]) -> list[JSON]:
    found: list[JSON] = []
    examples = node.get("examples")
    if isinstance(examples, list):
        found.extend(examples[:3])
    if "example" in node:
        found.append(node["example"])
    if "default" in node:
        found.append(node["default"])
    return found


def _bounds(node: Mapping[str, Any], *, integer: bool) -> tuple[Any, Any]:
    low: Any = node.get("minimum")
    high: Any = node.get("maximum")
    exclusive_low = node.get("exclusiveMinimum")
    exclusive_high = node.get("exclusiveMaximum")
    if isinstance(exclusive_low, (int, float)) and not isinstance(exclusive_low, bool):
        candidate = math.floor(exclusive_low) + 1 if integer else exclusive_low + _epsilon(
            exclusive_low)
        low = candidate if low is None else max(low, candidate)
    if isinstance(exclusive_high, (int, float)) and not isinstance(exclusive_high, bool):
        candidate = math.ceil(exclusive_high) - 1 if integer else exclusive_high - _epsilon(
            exclusive_high)
        high = candidate if high is None else min(high, candidate)
    if low is None and high is None:
        low, high = 1, 1000
    elif low is None:
        low = high - 1000
    elif high is None:
        high = low + 1000
    if integer:
        return math.ceil(low), math.floor(high)
    return low, high


def _epsilon(value: float) -> float:
    return max(abs(value) * 1e-9, 0.01)


def _exclusive(node: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(v for k, v in node.items() if k in ("exclusiveMinimum", "exclusiveMaximum"))


def _infer_type(node: Mapping[str, Any]) -> str:
    if any(k in node for k in ("properties", "required", "additionalProperties",
                               "patternProperties", "minProperties")):
        return "object"
    if any(k in node for k in ("items", "prefixItems", "minItems", "maxItems", "contains")):
        return "array"
    if any(k in node for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
                               "multipleOf")):
        return "number"
    return "string"


def _is_null(branch: Any) -> bool:
    return isinstance(branch, Mapping) and branch.get("type") == "null"


