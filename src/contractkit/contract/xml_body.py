"""XML bodies through OpenAPI's ``xml`` mapping: read one into the value its schema
describes, and write a value (an example, generated data) as the XML its schema describes.

Properties are child elements (or attributes, ``xml.attribute``) named by ``xml.name`` or
the property name; arrays are repeated elements, or one wrapper element around them when
``xml.wrapped``; namespaces and prefixes are ignored (names are compared by local name);
scalars are the element's text, read as the schema's type. The root element's own name is
not checked (a contract's ``xml.name`` for the root is often missing). Unknown elements are
kept as strings, so ``additionalProperties: false`` still sees them. An element read as an
object that holds only text (``<pet>true</pet>``) is that text, which the schema rejects.

Writing is the same mapping backwards: the root element is named by the schema's
``xml.name``, else the name of the component it refers to, else ``root``; ``xml.namespace``
and ``xml.prefix`` are written as declared.
"""

from __future__ import annotations

import functools
import re
from typing import Any
from xml.etree import ElementTree

from contractkit._types import JSON
from contractkit.contract.shape import MAX_DEPTH, resolve


def read_xml(raw: bytes, schema: JSON) -> JSON:
    """``ValueError`` if the body is not well-formed XML. expat (≥ 2.4) bounds entity
    expansion, and ElementTree never fetches external entities."""
    try:
        root = ElementTree.fromstring(raw)
    except ElementTree.ParseError as error:
        raise ValueError(f"body is not well-formed XML: {error}") from None
    bundle = schema if isinstance(schema, dict) else {}
    return _Reader(bundle).element(root, bundle, 0)


def _shape(schema: Any, bundle: dict[str, Any],
           seen: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The shape, and a ``oneOf``/``anyOf`` of objects (or of an object and null) read as
    one object (an element does not say which branch it is)."""
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    if isinstance(ref, str):
        if ref in seen:
            return {}
        seen = seen | {ref}
    merged = resolve(schema, bundle)
    if "type" not in merged:
        for key in ("oneOf", "anyOf"):
            branches = [_shape(b, bundle, seen) for b in merged.get(key, ())]
            branches = [b for b in branches if b.get("type") != "null"]  # nullable: a, null
            if branches and all(_type(b) == "object" for b in branches):
                merged["type"] = "object"
                merged["properties"] = {k: v for b in branches
                                        for k, v in b.get("properties", {}).items()}
    return merged


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


class _Reader:
    def __init__(self, bundle: dict[str, Any]) -> None:
        self.bundle = bundle

    def resolve(self, schema: Any) -> dict[str, Any]:
        return _shape(schema, self.bundle)

    def element(self, node: ElementTree.Element, raw_schema: Any, depth: int) -> JSON:
        schema = self.resolve(raw_schema)
        kind = _type(schema)
        if depth > MAX_DEPTH:
            return node.text or ""
        if _is_null([node]) and self.admits_null(schema):
            return None  # XML has no null; `null` is how it is written where one is allowed
        if kind == "object" and not len(node) and not node.attrib and (node.text or "").strip():
            return node.text or ""  # text where child elements belong: not an object
        if kind == "object" or (kind is None and (len(node) or node.attrib)):
            return self.object(node, schema, depth)
        if kind == "array":
            # a root or wrapped array: its children are the items
            items = schema.get("items", {})
            return [self.element(child, items, depth + 1) for child in node]
        return _scalar(node.text or "", kind)

    def admits_null(self, schema: dict[str, Any]) -> bool:
        kind = schema.get("type")
        if kind == "null" or (isinstance(kind, list) and "null" in kind):
            return True
        if None in (schema.get("enum") or ()):
            return True
        return any(resolve(branch, self.bundle).get("type") == "null"
                   for key in ("anyOf", "oneOf") for branch in schema.get(key) or ())

    def object(self, node: ElementTree.Element, schema: dict[str, Any],
               depth: int) -> dict[str, JSON]:
        properties: dict[str, Any] = schema.get("properties", {})
        required = set(schema.get("required", ()))
        children = list(node)
        by_name: dict[str, list[ElementTree.Element]] = {}
        for child in children:
            by_name.setdefault(_local(child.tag), []).append(child)
        attributes = {_local(k): v for k, v in node.attrib.items()}
        value: dict[str, JSON] = {}
        claimed: set[str] = set()
        for name, raw in properties.items():
            declared = self.resolve(raw)
            xml = declared.get("xml", {}) if isinstance(declared.get("xml"), dict) else {}
            if isinstance(raw, dict) and isinstance(raw.get("xml"), dict):
                xml = {**xml, **raw["xml"]}
            tag = str(xml.get("name", name))
            if tag not in by_name and tag not in attributes and name in by_name:
                tag = name  # a referenced schema's own xml.name vs the property's: either
            if xml.get("attribute"):
                if tag in attributes:
                    value[name] = _scalar(attributes[tag], _type(declared))
                continue
            if _type(declared) == "array":
                items = self.resolve(declared.get("items", {}))
                item_xml = items.get("xml", {}) if isinstance(items.get("xml"), dict) else {}
                if xml.get("wrapped"):
                    wrapper = by_name.get(tag)
                    if wrapper:
                        claimed.add(tag)
                        value[name] = [self.element(c, declared.get("items", {}), depth + 1)
                                       for c in wrapper[0]]
                    continue
                item_tag = str(item_xml.get("name", name))
                for fallback in (tag, name):  # contracts name unwrapped items either way
                    if item_tag not in by_name and fallback in by_name:
                        item_tag = fallback
                if item_tag in by_name and _is_null(by_name[item_tag]) and self.admits_null(
                        declared):
                    claimed.add(item_tag)
                    value[name] = None  # a null array: `<size>null</size>`
                elif item_tag in by_name:
                    claimed.add(item_tag)
                    value[name] = [self.element(c, declared.get("items", {}), depth + 1)
                                   for c in by_name[item_tag]]
                elif name in required:
                    # an empty unwrapped array has no elements at all: absent reads as []
                    value[name] = []
                continue
            if tag in by_name:
                claimed.add(tag)
                value[name] = self.element(by_name[tag][0], raw, depth + 1)
        for tag, elements in by_name.items():
            if tag not in claimed and tag not in value:
                value[tag] = elements[0].text or ""
        return value


def _is_null(elements: list[ElementTree.Element]) -> bool:
    return (len(elements) == 1 and not len(elements[0]) and not elements[0].attrib
            and (elements[0].text or "").strip() == "null")


def _type(schema: dict[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        return kinds[0] if kinds else None
    if kind is None and "properties" in schema:
        return "object"
    return kind if isinstance(kind, str) else None


def _scalar(text: str, kind: str | None) -> JSON:
    stripped = text.strip()
    try:
        if kind == "integer":
            return int(stripped)
        if kind == "number":
            return float(stripped) if any(c in stripped for c in ".eE") else int(stripped)
    except ValueError:
        return text  # the schema then says what is wrong with it
    if kind == "boolean" and stripped in ("true", "false"):
        return stripped == "true"
    return text


def write_xml(value: JSON, schema: JSON) -> bytes:
    """``value`` as an XML document, its elements named by ``schema`` (a bundle made by
    ``Contract.schema_bundle``)."""
    bundle = schema if isinstance(schema, dict) else {}
    writer = _Writer(bundle)
    declared = writer.resolve(bundle)
    xml = _xml(bundle, declared)
    ref = bundle.get("$ref")
    fallback = ref.rsplit("/", 1)[-1] if isinstance(ref, str) else "root"
    root = writer.element(str(xml.get("name") or fallback), value, bundle, xml, 0)
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            + ElementTree.tostring(root, encoding="unicode").encode("utf-8"))


def _xml(raw: Any, declared: dict[str, Any]) -> dict[str, Any]:
    """A property's ``xml`` object: the referenced schema's, then the property's own."""
    xml = declared.get("xml", {}) if isinstance(declared.get("xml"), dict) else {}
    if isinstance(raw, dict) and isinstance(raw.get("xml"), dict):
        xml = {**xml, **raw["xml"]}
    return xml


#: Characters XML 1.0 cannot carry at all, and what is kept of a name in the end.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NOT_NAME = re.compile(r"[^\w.\-]")
_NOT_ASCII_NAME = re.compile(r"[^A-Za-z0-9_.\-]")


@functools.lru_cache(maxsize=4096)
def _name(name: str) -> str:
    """A valid XML element or attribute name (no colon: prefixes are added apart) for a
    property name: letters and digits kept where XML allows them, the rest ``_``."""
    for pattern in (_NOT_NAME, _NOT_ASCII_NAME):
        cleaned = pattern.sub("_", _NOT_XML.sub("", name)) or "_"
        if not (cleaned[0].isalpha() or cleaned[0] == "_"):
            cleaned = "_" + cleaned
        try:
            ElementTree.fromstring(f"<{cleaned}/>")
        except ElementTree.ParseError:
            continue  # e.g. a superscript digit, a letter XML does not allow in names
        return cleaned
    return "_"


def _text(value: JSON) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"  # how null is read back where the schema allows it
    return _NOT_XML.sub("", value if isinstance(value, str) else str(value))


class _Writer:
    def __init__(self, bundle: dict[str, Any]) -> None:
        self.bundle = bundle

    def resolve(self, schema: Any) -> dict[str, Any]:
        return _shape(schema, self.bundle)

    def element(self, tag: str, value: JSON, raw_schema: Any, xml: dict[str, Any],
                depth: int) -> ElementTree.Element:
        node = ElementTree.Element(_qualified(tag, xml))
        _declare(node, xml)
        schema = self.resolve(raw_schema)
        if depth > MAX_DEPTH:
            node.text = _text(str(value))
        elif isinstance(value, dict):
            self.members(node, value, schema, depth)
        elif isinstance(value, list):  # a root array: its items are the children
            items = schema.get("items", {})
            item_xml = _xml(items, self.resolve(items))
            for item in value:
                node.append(self.element(str(item_xml.get("name") or "item"), item, items,
                                         item_xml, depth + 1))
        else:
            node.text = _text(value)
        return node

    def members(self, node: ElementTree.Element, value: dict[str, JSON],
                schema: dict[str, Any], depth: int) -> None:
        properties: dict[str, Any] = schema.get("properties", {})
        for name, member in value.items():
            raw = properties.get(name, {})
            declared = self.resolve(raw)
            xml = _xml(raw, declared)
            tag = str(xml.get("name") or name)
            if xml.get("attribute") and not isinstance(member, (dict, list)):
                node.set(_qualified(tag, xml), _text(member))
                if _prefix(xml):  # an unprefixed attribute is in no namespace
                    _declare(node, xml)
                continue
            if not isinstance(member, list):
                node.append(self.element(tag, member, raw, xml, depth + 1))
                continue
            items = declared.get("items", {})
            item_xml = _xml(items, self.resolve(items))
            parent = node
            if xml.get("wrapped"):
                parent = ElementTree.SubElement(node, _qualified(tag, xml))
                _declare(parent, xml)
            # an array's own xml.name names only its wrapper (OpenAPI): unwrapped items are
            # named by the items' xml.name, else by the property
            item_tag = str(item_xml.get("name") or name)
            for item in member:
                parent.append(self.element(item_tag, item, items, item_xml, depth + 1))


def _prefix(xml: dict[str, Any]) -> str | None:
    """The declared prefix, if it can be written: only with its namespace."""
    prefix, namespace = xml.get("prefix"), xml.get("namespace")
    if isinstance(prefix, str) and prefix and isinstance(namespace, str):
        return _name(prefix)
    return None


def _declare(node: ElementTree.Element, xml: dict[str, Any]) -> None:
    namespace = xml.get("namespace")
    if isinstance(namespace, str):
        prefix = _prefix(xml)
        node.set(f"xmlns:{prefix}" if prefix else "xmlns", namespace)


def _qualified(tag: str, xml: dict[str, Any]) -> str:
    prefix = _prefix(xml)
    return f"{prefix}:{_name(tag)}" if prefix else _name(tag)
