"""Choose and build the mock's answer for an operation (no aiohttp here: data in, bytes out).

Order (DESIGN §4): ``Prefer`` (code, example, dynamic, seed) → the first declared 2xx with
its example → a body generated from the schema, deterministic per seed. Examples that do
not validate against their schema are never served; generated bodies are. Non-dynamic
answers are cached per (operation, status, media type, example, seed).
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson

from contractkit._bounded import Bounded
from contractkit._types import JSON
from contractkit.contract.fixtures import Fixtures
from contractkit.contract.generate import generate, generate_best_effort
from contractkit.contract.media_types import is_json, is_xml
from contractkit.contract.model import Contract, Header, MediaType, Operation, Response
from contractkit.contract.schema_validator import CompiledSchema
from contractkit.contract.validation import Violation, find_media_type
from contractkit.contract.xml_body import write_xml
from contractkit.errors import GenerationError
from contractkit.server import links, sse
from contractkit.server.negotiation import member_accepted, negotiate
from contractkit.server.prefer import Preferences

PROBLEM_JSON = "application/problem+json"
Optionals = Literal["some", "top", "all"]
#: How many object levels of a generated body carry every optional property: ``some``
#: none (each optional property with a 60% chance), ``top`` the body's object and the
#: objects in it (a list's items too: arrays do not count), ``all`` every level.
OPTIONALS: dict[str, int] = {"some": 0, "top": 2, "all": 1_000_000}

#: Answers kept per contract (one per operation, status, Accept, example and seed asked).
MAX_CACHED_ANSWERS = 10_000
#: reflected answers kept (one per answer and URL), each at most this large: at most
#: 64 MiB however many URLs a client walks through
MAX_CACHED_REFLECTIONS = 1_024
MAX_REFLECTED_BYTES = 64 * 1024


@dataclass(frozen=True)
class MockResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


#: The fields of an error body a person reads (and an SDK puts in its exception's text).
_READABLE_FIELDS = ("message", "detail", "error_description", "description", "title",
                    "error", "msg", "reason")


def _text_holders(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The body and the objects one level down that carry an error's text
    (``{"error": {"message": ...}}``, ``{"errors": [{"message": ...}]}``)."""
    holders = [body]
    for value in body.values():
        if isinstance(value, dict):
            holders.append(value)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            holders.append(value[0])
    return holders


#: Set on an answer whose body could not satisfy its schema (the closest value was sent).
WARNING_HEADER = "Contractkit-Warning"


def _warning(where: str, notes: list[str]) -> str:
    """One line (the server escapes what HTTP forbids): where, and what the body gave up."""
    text = (f"{where}: the body does not match its schema, no value does: "
            + "; ".join(notes[:3]) + (f" (and {len(notes) - 3} more)" if len(notes) > 3
                                      else ""))
    return text if len(text) <= 400 else text[:397] + "..."


def problem(status: int, title: str, detail: str, *, kind: str,
            violations: tuple[Violation, ...] = (), **extra: Any) -> MockResponse:
    """An RFC 9457 (7807) problem+json answer from the mock itself."""
    document: dict[str, Any] = {
        "type": f"https://contractkit.dev/problems/{kind}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if violations:
        document["violations"] = [
            {"location": v.location, "pointer": v.pointer, "message": v.message}
            for v in violations
        ]
    document.update(extra)
    return MockResponse(status, {"Content-Type": PROBLEM_JSON}, orjson.dumps(document))


def declared_status(operation: Operation) -> tuple[str, int] | None:
    """The response key and status code served by default: the lowest declared 2xx."""
    keys = list(operation.responses)
    successes = sorted(k for k in keys if k.isdigit() and k.startswith("2"))
    if successes:
        return successes[0], int(successes[0])
    if "2XX" in keys:
        return "2XX", 200
    if "DEFAULT" in keys:
        return "DEFAULT", 200
    for key in keys:
        if key.isdigit():
            return key, int(key)
    return None


def response_for_code(operation: Operation, code: str) -> tuple[str, int] | None:
    if not code.isdigit():
        return None
    responses = operation.responses
    for key in (code, f"{code[0]}XX", "DEFAULT"):
        if key in responses:
            return key, int(code)
    return None


def _reflect_all(body: dict[str, Any], path_params: Mapping[str, str], path: str | None,
                 raw: bytes) -> bool:
    """Put every path parameter (the last one also in ``id``) and every link into ``body``
    at once; True if anything changed. The common case: the schema allows all of it."""
    changed = False
    for target, value in _reflections(body, path_params):
        body[target] = value
        changed = True
    if path and links.has_links(raw):
        changed |= links.link(body, path)
    return changed


def _reflections(body: dict[str, Any], path_params: Mapping[str, str]
                 ) -> Iterator[tuple[str, Any]]:
    """Each (member, value) a path parameter would change in ``body``: the member of its
    name, or ``id`` for the last one; digits stay an integer where the member was one."""
    names = list(path_params)
    for name, value in path_params.items():
        target = name if name in body else ("id" if name == names[-1] and "id" in body
                                            else None)
        if target is None or body[target] == value:
            continue
        yield target, int(value) if isinstance(body[target], int) and value.isdigit() else value


class Responder:
    """Builds answers for one contract; caches what does not change between requests."""

    def __init__(self, contract: Contract, *, seed: int = 0, reflect: bool = True,
                 fixtures: Fixtures | None = None, optionals: Optionals = "top") -> None:
        self.contract = contract
        self.seed = seed
        #: which optional properties generated bodies carry (see OPTIONALS)
        self.complete_levels = OPTIONALS[optionals]
        #: values laid over what is generated for named schemas (``--fixtures``)
        self.fixtures = fixtures
        #: path parameters reflected into answers (see respond)
        self.reflect = reflect
        # keyed by what a client sends (Accept, Prefer's example and seed): bounded
        self._cache: Bounded[tuple[Any, ...], MockResponse] = Bounded(MAX_CACHED_ANSWERS)
        #: answers with the request's path parameters and links in them, by answer and URL
        self._reflections: Bounded[tuple[Any, ...], MockResponse] = Bounded(
            MAX_CACHED_REFLECTIONS)
        self._valid_examples: dict[tuple[str, str, str], bool] = {}
        self._header_validators: dict[tuple[str, str], CompiledSchema] = {}
        self._streams: dict[int, bool] = {}
        #: per operation (by id: operations live as long as their contract), its default
        self._declared: dict[int, tuple[str, int] | None] = {}
        #: whether the contract speaks of OpenAI's `data: [DONE]` end-of-stream sentinel
        self._done: bool | None = None

    def respond(self, operation: Operation, preferences: Preferences, accept: str | None,
                ordinal: int, path_params: Mapping[str, str] | None = None,
                path: str | None = None) -> MockResponse:
        """The answer; ``path_params`` are reflected into it where it allows (``GET
        /customers/cus_123`` answers ``"id": "cus_123"``), and generated ``url``/``href``
        members become paths under the request's ``path`` (see ``links``), unless
        ``reflect`` is off."""
        answer = self._respond(operation, preferences, accept, ordinal)
        if self.reflect and 200 <= answer.status < 300 and (
                path_params or (path and links.has_links(answer.body))):
            # the same answer at the same URL reflects the same way: parsing, editing and
            # re-validating a large body took most of a request's time (GitHub's issue)
            params = tuple((path_params or {}).items())
            key = (operation.id, answer.status, answer.body, params, path)
            reflected = self._reflections.get(key)
            if reflected is None:
                reflected = self._reflected(operation, answer, path_params or {}, path)
                if len(reflected.body) <= MAX_REFLECTED_BYTES:
                    self._reflections[key] = reflected
            return reflected
        return answer

    def _reflected(self, operation: Operation, answer: MockResponse,
                   path_params: Mapping[str, str], path: str | None = None) -> MockResponse:
        """``answer`` with each path parameter's value in the body's member of that name, and
        the last one (the resource's id) in ``id``, each only where the schema holds; and
        its links under ``path``, where the schema holds with them."""
        chosen = response_for_code(operation, str(answer.status))
        content_type = answer.headers.get("Content-Type", "")
        if chosen is None or not is_json(content_type.split(";")[0].strip().lower()):
            return answer
        media = find_media_type(operation.responses[chosen[0]].content, content_type)
        if media is None or media.schema is None:
            return answer
        try:
            body = orjson.loads(answer.body)
        except orjson.JSONDecodeError:
            return answer
        if not isinstance(body, dict):
            return answer
        compiled = self._compiled(media.schema)
        if not _reflect_all(body, path_params, path, answer.body):
            return answer
        if compiled.is_valid(body):
            return MockResponse(answer.status, answer.headers, orjson.dumps(body))
        # the schema refuses the whole: each parameter, then the links, where it allows
        body = orjson.loads(answer.body)
        changed = False
        for target, value in list(_reflections(body, path_params)):
            before, body[target] = body[target], value
            if compiled.is_valid(body):
                changed = True
            else:
                body[target] = before
        if path and links.has_links(answer.body):
            linked = orjson.loads(orjson.dumps(body))
            if links.link(linked, path) and compiled.is_valid(linked):
                body, changed = linked, True
        if not changed:
            return answer
        return MockResponse(answer.status, answer.headers, orjson.dumps(body))

    def _respond(self, operation: Operation, preferences: Preferences, accept: str | None,
                 ordinal: int) -> MockResponse:
        if preferences.code is not None:
            if not (preferences.code.isdigit() and 100 <= int(preferences.code) <= 599):
                return problem(400, "Bad Request",
                               f"Prefer: code={preferences.code} is not an HTTP status code "
                               "(100 to 599)", kind="bad-prefer")
            chosen = response_for_code(operation, preferences.code)
            if chosen is None:
                return problem(
                    500, "No response defined",
                    f"{operation.id} declares no response for status {preferences.code}; "
                    f"declared: {', '.join(operation.responses) or 'none'}",
                    kind="no-response-defined")
        else:
            if id(operation) in self._declared:
                chosen = self._declared[id(operation)]
            else:
                chosen = self._declared[id(operation)] = declared_status(operation)
            if chosen is None:
                return MockResponse(204)
        key, status = chosen
        return self.build(operation, key, status, preferences, accept, ordinal)

    def build(self, operation: Operation, key: str, status: int, preferences: Preferences,
              accept: str | None, ordinal: int) -> MockResponse:
        response = operation.responses[key]
        seed = preferences.seed if preferences.seed is not None else self.seed
        if preferences.dynamic and preferences.seed is None:
            seed = zlib.crc32(f"{self.seed}:{operation.id}:{ordinal}".encode())
        cache_key = (operation.method, operation.path, key, status, accept,
                     preferences.example, seed)
        if not preferences.dynamic:
            cached = self._cache.get(cache_key)
            if cached is not None:
                return cached
        built = self._build(operation, response, status, preferences, accept, seed)
        if not preferences.dynamic and built.status == status:
            self._cache[cache_key] = built
        return built

    def streams(self, operation: Operation) -> bool:
        """Whether one of the operation's responses is a ``text/event-stream``."""
        found = self._streams.get(id(operation))
        if found is None:
            found = self._streams[id(operation)] = any(
                name.split(";")[0].strip().lower() == sse.MEDIA_TYPE
                for response in operation.responses.values() for name in response.content)
        return found

    def _stream(self, media: MediaType, preferences: Preferences, seed: int,
                headers: dict[str, str], status: int) -> MockResponse:
        """A ``text/event-stream`` answer: the examples, else a few generated events."""
        if media.examples and not preferences.dynamic:
            events: list[JSON] = [example.value for example in media.examples]
        elif media.schema is None:
            events = [{}]
        else:
            bundled = self.contract.schema_bundle(media.schema, "response")
            events = []
            for index in range(sse.EVENTS):
                try:
                    events.append(self._generate(bundled, seed + index))
                except GenerationError:
                    value, notes = self._best_effort(bundled, seed + index)
                    events.append(value)
                    headers[WARNING_HEADER] = _warning("event stream", notes)
        if self._done is None:
            runtime = self.contract._runtime
            root = runtime.resolver.root.raw if runtime.resolver is not None else b""
            self._done = b"[DONE]" in root
        headers["Content-Type"] = sse.MEDIA_TYPE
        headers["Cache-Control"] = "no-cache"
        return MockResponse(status, headers, sse.frames(events, done=self._done))

    def explained(self, operation: Operation, key: str, answer: MockResponse,
                  message: str) -> MockResponse:
        """``answer`` (the contract's own error response) with ``message`` in its
        human-readable string fields (``message``, ``detail``, ``description``...: the text an
        SDK shows), each only where the schema still holds with it."""
        content_type = answer.headers.get("Content-Type", "")
        media = find_media_type(operation.responses[key].content, content_type)
        if media is None or media.schema is None or not is_json(
                content_type.split(";")[0].strip().lower()):
            return answer
        try:
            body = orjson.loads(answer.body)
        except orjson.JSONDecodeError:
            return answer
        if not isinstance(body, dict):
            return answer
        compiled = self._compiled(media.schema)
        changed = False
        for holder in _text_holders(body):
            for name in _READABLE_FIELDS:
                if isinstance(holder.get(name), str):
                    before = holder[name]
                    holder[name] = message
                    if compiled.is_valid(body):
                        changed = True
                    else:
                        holder[name] = before
        if not changed:
            return answer
        return MockResponse(answer.status, answer.headers, orjson.dumps(body))

    def _compiled(self, schema: Any) -> CompiledSchema:
        key = (schema.uri, schema.pointer)
        found = self._header_validators.get(key)
        if found is None:
            found = self._header_validators[key] = CompiledSchema(
                self.contract.schema_bundle(schema, "response"))
        return found

    def _build(self, operation: Operation, response: Response, status: int,
               preferences: Preferences, accept: str | None, seed: int) -> MockResponse:
        headers = self._headers(response, seed, preferences.dynamic)
        if operation.deprecated:
            headers["Deprecation"] = "true"
        if not response.content:
            return MockResponse(status, headers)
        media_name = negotiate(accept, list(response.content))
        if media_name is None:
            return problem(406, "Not Acceptable",
                           f"none of the media types {operation.id} answers with for status "
                           f"{status} is acceptable: {', '.join(response.content)}",
                           kind="not-acceptable", available=list(response.content))
        media = response.content[media_name]
        if media_name.split(";")[0].strip().lower() == sse.MEDIA_TYPE:
            return self._stream(media, preferences, seed, headers, status)
        try:
            value, generated = self._body_value(media, preferences, seed)
        except LookupError as error:
            return problem(404, "Example not found", str(error.args[0]),
                           kind="example-not-found")
        except GenerationError:
            # no value satisfies the schema: answer the closest one, and say so (a mock
            # that refuses to answer is worse than a best effort)
            assert media.schema is not None  # only a schema fails to generate
            bundled = self.contract.schema_bundle(media.schema, "response")
            value, notes = self._best_effort(bundled, seed)
            generated = True
            headers[WARNING_HEADER] = _warning(f"{operation.id} {status}", notes)
        if generated and isinstance(value, dict) and isinstance(value.get("status"), int) \
                and media_name.lower().endswith("problem+json"):
            # RFC 9457: a problem's `status` is the HTTP status it is sent with
            value = {**value, "status": status}
        content_type = (member_accepted(accept, media_name)
                        or _concrete_media_type(media_name, value))
        headers["Content-Type"] = content_type
        if is_xml(content_type.split(";", maxsplit=1)[0].strip().lower()) and not isinstance(
                value, str):
            bundled = (self.contract.schema_bundle(media.schema, "response") if media.schema
                       else {})
            return MockResponse(status, headers, write_xml(value, bundled))
        return MockResponse(status, headers, _serialise(value, content_type))

    def _body_value(self, media: MediaType, preferences: Preferences,
                    seed: int) -> tuple[JSON, bool]:
        """The body, and whether it was generated (rather than the contract's example)."""
        if preferences.example is not None:
            for example in media.examples:
                if example.name == preferences.example:
                    return example.value, False
            names = ", ".join(e.name for e in media.examples) or "none"
            raise LookupError(f"no example named {preferences.example!r}; available: {names}")
        if not preferences.dynamic:
            for example in media.examples:
                if self._example_is_valid(media, example.name, example.value):
                    return example.value, False
        if media.schema is None:
            return ({} if is_json(media.name) else ""), False
        bundled = self.contract.schema_bundle(media.schema, "response")
        return self._generate(bundled, seed), True

    def _generate(self, bundled: JSON, seed: int) -> JSON:
        return generate(bundled, seed=seed, direction="response",
                        fixtures=self._fixtures(bundled),
                        complete_levels=self.complete_levels)

    def _best_effort(self, bundled: JSON, seed: int) -> tuple[JSON, list[str]]:
        return generate_best_effort(bundled, seed=seed,
                                    direction="response", fixtures=self._fixtures(bundled),
                                    complete_levels=self.complete_levels)

    def _fixtures(self, bundled: JSON) -> Mapping[str, JSON] | None:
        return self.fixtures.for_bundle(bundled, "response") if self.fixtures else None

    def _example_is_valid(self, media: MediaType, name: str, value: JSON) -> bool:
        if media.schema is None:
            return True
        key = (media.schema.uri, media.schema.pointer, name)
        valid = self._valid_examples.get(key)
        if valid is None:
            bundled = self.contract.schema_bundle(media.schema, "response")
            valid = self._valid_examples[key] = CompiledSchema(bundled).is_valid(value)
        return valid

    def _headers(self, response: Response, seed: int, dynamic: bool) -> dict[str, str]:
        headers: dict[str, str] = {}
        for name, header in response.headers.items():
            if name.lower() == "content-type":
                continue
            # each header its own stream: Limit and Remaining should not always be equal
            value = self._header_value(header, zlib.crc32(f"{seed}:{name.lower()}".encode()))
            if value is not None:
                headers[name] = value
        return headers

    def _header_value(self, header: Header, seed: int) -> str | None:
        if header.schema is None:
            return None
        bundled = self.contract.schema_bundle(header.schema, "response")
        if header.examples:
            key = (header.schema.uri, header.schema.pointer)
            validator = self._header_validators.get(key)
            if validator is None:
                validator = self._header_validators[key] = CompiledSchema(bundled)
            for example in header.examples:
                if validator.is_valid(example.value):
                    return header_text(example.value)
        try:
            value = generate(bundled, seed=seed, direction="response")
        except GenerationError:
            return None
        return header_text(value)


def header_text(value: JSON) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(header_text(v) for v in value)
    if isinstance(value, dict):
        return ",".join(f"{k},{header_text(v)}" for k, v in value.items())
    if value is None:
        return ""
    return str(value)


#: What a range such as ``image/*`` is served as: a common member of it.
_RANGE_MEMBERS = {"text": "text/plain", "application": "application/octet-stream",
                  "image": "image/png", "audio": "audio/mpeg", "video": "video/mp4",
                  "font": "font/woff2", "model": "model/gltf-binary"}


def _concrete_media_type(declared: str, value: JSON) -> str:
    """The Content-Type served for a declared media type; a range (``*/*``, ``image/*``, or
    the not-quite-valid ``*``) becomes one of its members."""
    plain = declared.split(";", maxsplit=1)[0].strip().lower()
    if "*" not in plain:
        return declared
    kind = plain.partition("/")[0]
    if kind in ("*", ""):
        return "application/json" if not isinstance(value, str) else "text/plain"
    if kind == "application" and not isinstance(value, str):
        return "application/json"
    return _RANGE_MEMBERS.get(kind, f"{kind}/octet-stream" if kind.isalpha() else "text/plain")


def _serialise(value: JSON, content_type: str) -> bytes:
    plain = content_type.split(";", maxsplit=1)[0].strip().lower()
    if is_json(plain):
        try:
            return orjson.dumps(value)
        except TypeError:  # e.g. integers beyond 64 bits in an example
            return json.dumps(value).encode()
    if isinstance(value, str):
        return value.encode("utf-8")
    return json.dumps(value).encode()
