"""Convert a Swagger 2.0 document into the OpenAPI 3.0 shape the model is built from.

The original document is kept untouched (for diffing); the converted one records, for each
node it moved, where that node was in the original, so that messages point at real lines.
"""

from __future__ import annotations

from typing import Any

from contractkit.contract._source import join_pointer

_REF_PREFIXES = (
    ("#/definitions/", "#/components/schemas/"),
    ("#/parameters/", "#/components/parameters/"),
    ("#/responses/", "#/components/responses/"),
)
_POINTER_PREFIXES = (
    ("/components/schemas", "/definitions"),
    ("/components/parameters", "/parameters"),
    ("/components/responses", "/responses"),
    ("/components/securitySchemes", "/securityDefinitions"),
)
_SCHEMA_KEYS = (
    "type", "format", "items", "enum", "default", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "minLength", "maxLength", "pattern", "minItems", "maxItems",
    "uniqueItems", "multipleOf", "x-nullable",
)
_COLLECTION_STYLES = {
    "csv": ("form", False), "ssv": ("spaceDelimited", False),
    "pipes": ("pipeDelimited", False), "multi": ("form", True), "tsv": ("form", False),
}
_OAUTH_FLOWS = {
    "implicit": "implicit", "password": "password",
    "application": "clientCredentials", "accessCode": "authorizationCode",
}
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")


class SwaggerConversion:
    """One conversion: the 3.0 document and the pointer map back to the 2.0 original."""

    def __init__(self, original: dict[str, Any]) -> None:
        self.original = original
        self.pointer_map: dict[str, str] = {}
        self.document = self._convert(_rewrite_refs(original))

    def _convert(self, doc: dict[str, Any]) -> dict[str, Any]:
        consumes = doc.get("consumes") or ["application/json"]
        produces = doc.get("produces") or ["application/json"]
        components: dict[str, Any] = {}
        if isinstance(doc.get("definitions"), dict):
            components["schemas"] = _discriminator_mappings(doc["definitions"])
        if isinstance(doc.get("parameters"), dict):
            components["parameters"] = {
                name: self._parameter(p, join_pointer("/components/parameters", name))
                for name, p in doc["parameters"].items()
                if isinstance(p, dict) and p.get("in") not in ("body", "formData")
            }
        if isinstance(doc.get("responses"), dict):
            components["responses"] = {
                name: self._response(r, produces, join_pointer("/components/responses", name))
                for name, r in doc["responses"].items() if isinstance(r, dict)
            }
        if isinstance(doc.get("securityDefinitions"), dict):
            components["securitySchemes"] = {
                name: _security_scheme(s) for name, s in doc["securityDefinitions"].items()
                if isinstance(s, dict)
            }
        out: dict[str, Any] = {
            "openapi": "3.0.3",
            "info": doc.get("info", {}),
            "servers": _servers(doc),
            "paths": {},
            "components": components,
        }
        for key in ("security", "tags", "externalDocs"):
            if key in doc:
                out[key] = doc[key]
        out.update({k: v for k, v in doc.items() if k.startswith("x-")})
        for path, item in (doc.get("paths") or {}).items():
            if isinstance(item, dict):
                out["paths"][path] = self._path_item(doc, path, item, consumes, produces)
        return out

    def _path_item(
        self, doc: dict[str, Any], path: str, item: dict[str, Any],
        consumes: list[str], produces: list[str],
    ) -> dict[str, Any]:
        base = join_pointer("/paths", path)
        shared = item.get("parameters") or []
        out: dict[str, Any] = {k: v for k, v in item.items() if k.startswith("x-")}
        for method in _METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                out[method] = self._operation(
                    doc, shared, operation, join_pointer(base, method), consumes, produces)
        return out

    def _operation(
        self, doc: dict[str, Any], shared: list[Any], operation: dict[str, Any],
        pointer: str, consumes: list[str], produces: list[str],
    ) -> dict[str, Any]:
        consumes = operation.get("consumes") or consumes
        produces = operation.get("produces") or produces
        out = {k: v for k, v in operation.items()
               if k not in ("parameters", "responses", "consumes", "produces", "schemes")}
        merged: dict[tuple[str, str], tuple[dict[str, Any], str]] = {}
        for where, params in (("path", shared), ("operation", operation.get("parameters") or [])):
            owner = pointer.rsplit("/", 1)[0] if where == "path" else pointer
            for index, raw in enumerate(params):
                param = _inline(doc, raw)
                if isinstance(param, dict):
                    merged[(str(param.get("name")), str(param.get("in")))] = (
                        param, f"{owner}/parameters/{index}")
        parameters: list[dict[str, Any]] = []
        form: list[dict[str, Any]] = []
        for param, original in merged.values():
            if param.get("in") == "body":
                self._body(out, param, original, pointer, consumes)
            elif param.get("in") == "formData":
                form.append(param)
            else:
                target = f"{pointer}/parameters/{len(parameters)}"
                self.pointer_map[target] = original
                parameters.append(self._parameter(param, target))
        if form:
            out["requestBody"] = _form_body(form, consumes)
        if parameters:
            out["parameters"] = parameters
        responses = operation.get("responses") or {}
        out["responses"] = {
            str(status): self._response(r, produces, join_pointer(pointer, "responses", status))
            for status, r in responses.items() if isinstance(r, dict)
        }
        return out

    def _body(
        self, out: dict[str, Any], param: dict[str, Any], original: str, pointer: str,
        consumes: list[str],
    ) -> None:
        body_pointer = join_pointer(pointer, "requestBody")
        self.pointer_map[body_pointer] = original
        media_types = [m for m in consumes if "form" not in m] or ["application/json"]
        for media_type in media_types:
            self.pointer_map[join_pointer(body_pointer, "content", media_type, "schema")] = (
                original + "/schema")
        body: dict[str, Any] = {
            "required": bool(param.get("required", False)),
            "content": {m: {"schema": param.get("schema", {})} for m in media_types},
        }
        if "description" in param:
            body["description"] = param["description"]
        if "x-examples" in param and isinstance(param["x-examples"], dict):
            for media_type, example in param["x-examples"].items():
                if media_type in body["content"]:
                    body["content"][media_type]["example"] = example
        out["requestBody"] = body

    def _parameter(self, param: dict[str, Any], pointer: str) -> dict[str, Any]:
        if "$ref" in param:
            return param
        out = {k: v for k, v in param.items()
               if k in ("name", "in", "description", "required", "deprecated")
               or k.startswith("x-")}
        schema = {k: param[k] for k in _SCHEMA_KEYS if k in param}
        out["schema"] = schema
        self.pointer_map[pointer + "/schema"] = self.pointer_map.get(pointer, pointer)
        if schema.get("type") == "array":
            style, explode = _COLLECTION_STYLES.get(param.get("collectionFormat", "csv"),
                                                    ("form", False))
            if param.get("in") in ("path", "header"):
                style = "simple"
            out["style"], out["explode"] = style, explode
        if param.get("in") == "path":
            out["required"] = True
        return out

    def _response(
        self, response: dict[str, Any], produces: list[str], pointer: str
    ) -> dict[str, Any]:
        if "$ref" in response:
            return response
        out: dict[str, Any] = {"description": response.get("description", "")}
        if "schema" in response:
            examples = response.get("examples") or {}
            content = {}
            for media_type in produces:
                entry: dict[str, Any] = {"schema": response["schema"]}
                if isinstance(examples, dict) and media_type in examples:
                    entry["example"] = examples[media_type]
                content[media_type] = entry
                self.pointer_map[join_pointer(pointer, "content", media_type, "schema")] = (
                    pointer + "/schema")
            out["content"] = content
        if isinstance(response.get("headers"), dict):
            out["headers"] = {
                name: {
                    "description": header.get("description", ""),
                    "schema": {k: header[k] for k in _SCHEMA_KEYS if k in header},
                }
                for name, header in response["headers"].items() if isinstance(header, dict)
            }
        out.update({k: v for k, v in response.items() if k.startswith("x-")})
        return out

    def original_pointer(self, pointer: str) -> str:
        """Where a node of the converted document was in the 2.0 original."""
        best = ""
        for prefix in self.pointer_map:
            if (pointer == prefix or pointer.startswith(prefix + "/")) and len(prefix) > len(best):
                best = prefix
        if best:
            return self.pointer_map[best] + pointer[len(best):]
        for converted, original in _POINTER_PREFIXES:
            if pointer == converted or pointer.startswith(converted + "/"):
                return original + pointer[len(converted):]
        return pointer


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        out = {k: _rewrite_refs(v) for k, v in node.items()}
        ref = out.get("$ref")
        if isinstance(ref, str):
            for old, new in _REF_PREFIXES:
                if old in ref:
                    out["$ref"] = ref.replace(old, new, 1)
                    break
        discriminator = out.get("discriminator")
        if isinstance(discriminator, str):
            out["discriminator"] = {"propertyName": discriminator}
        return out
    if isinstance(node, list):
        return [_rewrite_refs(v) for v in node]
    return node


def _discriminator_mappings(definitions: dict[str, Any]) -> dict[str, Any]:
    """2.0 subtypes name their wire value with ``x-discriminator-value`` (else the schema
    name is the value); 3.x says it with ``discriminator.mapping`` on the base."""
    out = dict(definitions)
    for name, schema in definitions.items():
        if not isinstance(schema, dict):
            continue
        for part in schema.get("allOf") or []:
            ref = part.get("$ref") if isinstance(part, dict) else None
            base_name = ref.rpartition("/")[2] if isinstance(ref, str) else None
            base = out.get(base_name) if base_name else None
            if not (isinstance(base, dict) and isinstance(base.get("discriminator"), dict)):
                continue
            value = str(schema.get("x-discriminator-value", name))
            discriminator = dict(base["discriminator"])
            discriminator["mapping"] = {**discriminator.get("mapping", {}),
                                        value: f"#/components/schemas/{name}"}
            out[str(base_name)] = {**base, "discriminator": discriminator}
    return out


def _inline(doc: dict[str, Any], param: Any) -> Any:
    """Resolve ``#/components/parameters/X`` (a 2.0 parameter, possibly a body) in place."""
    if isinstance(param, dict) and isinstance(param.get("$ref"), str):
        prefix = "#/components/parameters/"
        if param["$ref"].startswith(prefix):
            name = param["$ref"][len(prefix):].replace("~1", "/").replace("~0", "~")
            found = (doc.get("parameters") or {}).get(name)
            if isinstance(found, dict):
                return found
    return param


_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def _form_body(form: list[dict[str, Any]], consumes: list[str]) -> dict[str, Any]:
    """formData parameters as one body schema, in every form media type ``consumes``
    names (a file parameter needs multipart; with no form type, urlencoded)."""
    has_file = any(p.get("type") == "file" for p in form)
    named = [m for m in consumes if m.split(";")[0].strip().lower() in _FORM_TYPES]
    if has_file:
        named = [m for m in named if m.lower().startswith("multipart/")] or [_FORM_TYPES[0]]
    media_types = named or [_FORM_TYPES[1]]
    properties = {
        str(p.get("name")): {k: p[k] for k in _SCHEMA_KEYS if k in p} for p in form
    }
    required = [str(p.get("name")) for p in form if p.get("required")]
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return {"required": bool(required),
            "content": {m: {"schema": dict(schema)} for m in dict.fromkeys(media_types)}}


def _servers(doc: dict[str, Any]) -> list[dict[str, Any]]:
    base_path = doc.get("basePath") or ""
    host = doc.get("host")
    if not host:
        return [{"url": base_path or "/"}]
    schemes = doc.get("schemes") or ["https"]
    return [{"url": f"{scheme}://{host}{base_path}"} for scheme in schemes]


def _security_scheme(scheme: dict[str, Any]) -> dict[str, Any]:
    kind = scheme.get("type")
    description = {"description": scheme["description"]} if "description" in scheme else {}
    if kind == "basic":
        return {"type": "http", "scheme": "basic", **description}
    if kind == "apiKey":
        return {"type": "apiKey", "name": scheme.get("name", ""), "in": scheme.get("in", "header"),
                **description}
    if kind == "oauth2":
        flow_name = _OAUTH_FLOWS.get(str(scheme.get("flow")), "implicit")
        flow: dict[str, Any] = {"scopes": scheme.get("scopes") or {}}
        if "authorizationUrl" in scheme:
            flow["authorizationUrl"] = scheme["authorizationUrl"]
        if "tokenUrl" in scheme:
            flow["tokenUrl"] = scheme["tokenUrl"]
        return {"type": "oauth2", "flows": {flow_name: flow}, **description}
    return dict(scheme)
