"""What a delivery carries: the event's example when the contract gives a valid one, else a
value generated from the webhook's request-body schema (deterministic per seed), encoded
as its media type asks (JSON, or a form as Twilio's callbacks are)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import orjson

from contractkit._types import JSON
from contractkit.contract.generate import generate, generate_best_effort
from contractkit.contract.media_types import is_json
from contractkit.contract.model import Contract, MediaType
from contractkit.contract.validation import validator_for
from contractkit.errors import GenerationError
from contractkit.webhooks.events import Event

FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Payload:
    """A delivery's body: the value, its media type, and where it came from."""

    value: JSON
    media_type: str
    #: ``example:NAME``, ``generated`` or ``given``
    origin: str

    def encode(self) -> bytes:
        return encode(self.value, self.media_type)


def encode(value: JSON, media_type: str) -> bytes:
    if media_type == FORM and isinstance(value, Mapping):
        return urlencode([(str(k), _form_value(v)) for k, v in value.items()]).encode()
    if isinstance(value, bytes):
        return value
    if isinstance(value, str) and not is_json(media_type):
        return value.encode()
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    return "" if value is None else str(value)


def media_type_of(event: Event) -> tuple[str, MediaType | None]:
    """The media type a delivery of ``event`` is sent as: JSON when the contract offers
    it, else the first one it names (``application/json`` when it names none)."""
    body = event.operation.request_body
    if body is None or not body.content:
        return "application/json", None
    for name, media in body.content.items():
        if is_json(name):
            return name, media
    name, media = next(iter(body.content.items()))
    return name, media


def payload_for(contract: Contract, event: Event, *, seed: int = 0,
                example: str | None = None, examples: bool = True) -> Payload:
    """The body of a delivery of ``event``: the named (or first valid) example, else one
    generated from the schema with ``seed`` (always, with ``examples=False``).

    Generated as a response is (``readOnly`` members in, ``writeOnly`` ones out): a
    webhook's body is data the provider produces, ids and timestamps included."""
    media_type, media = media_type_of(event)
    if media is None or media.schema is None:
        value = media.examples[0].value if media is not None and media.examples else {}
        return Payload(value, media_type, "example" if media and media.examples else "empty")
    validator = validator_for(contract, event.operation)
    bundled, compiled = validator.compiled(media.schema, "response")
    for each in media.examples if examples else ():
        if (example is None or each.name == example) and compiled.is_valid(each.value):
            return Payload(each.value, media_type, f"example:{each.name}")
    try:
        value = generate(bundled, seed=seed, direction="response", complete_levels=1)
    except GenerationError:
        value, _ = generate_best_effort(bundled, seed=seed, direction="response")
    return Payload(value, media_type, "generated")


def is_valid(contract: Contract, event: Event, value: JSON) -> bool:
    """Whether ``value`` is a valid body of ``event`` by the contract."""
    _, media = media_type_of(event)
    if media is None or media.schema is None:
        return True
    return validator_for(contract, event.operation).compiled(media.schema,
                                                             "response")[1].is_valid(value)
