"""Signing schemes as data: how each provider signs a delivery, byte for byte.

Each scheme turns a :class:`Message` (the delivery's id, timestamp, exact body bytes, URL,
event) and a secret into the headers the provider sends (and, for Twilio's JSON bodies,
the URL, which carries ``bodySHA256``). The tests check every scheme with the provider's or
the standard's own verifier where one exists (``standardwebhooks``, ``stripe``,
``slack_sdk``, ``twilio``).

=========  ======================================================================
standard   Standard Webhooks: ``webhook-id``/``-timestamp``/``-signature``
           (``v1,`` base64 HMAC-SHA256 of ``id.timestamp.body``), ``whsec_`` secrets
stripe     ``Stripe-Signature: t=…,v1=…`` (hex HMAC-SHA256 of ``t.body``)
github     ``X-Hub-Signature-256: sha256=…`` (hex HMAC-SHA256 of the body)
slack      ``X-Slack-Signature: v0=…`` (hex HMAC-SHA256 of ``v0:ts:body``)
shopify    ``X-Shopify-Hmac-Sha256`` (base64 HMAC-SHA256 of the body)
twilio     ``X-Twilio-Signature`` (base64 HMAC-SHA1 of the URL and sorted form fields)
hmac       generic: ``hmac:header=…,algorithm=…,encoding=…,prefix=…,signed=…``
=========  ======================================================================
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import hmac
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

from contractkit.errors import WebhookError

SCHEMES = ("standard", "stripe", "github", "slack", "shopify", "twilio", "hmac")
_ALGORITHMS = ("sha1", "sha256", "sha512")


@dataclass(frozen=True)
class Message:
    """What a scheme signs: one attempt of one delivery."""

    id: str
    timestamp: int  # Unix seconds, as the provider's clock reads at the attempt
    body: bytes
    url: str
    event: str = ""
    content_type: str = "application/json"


@dataclass(frozen=True)
class Signature:
    """The headers that sign an attempt, and the URL it goes to."""

    headers: dict[str, str]
    url: str


def _mac(key: bytes, data: bytes, algorithm: str = "sha256") -> bytes:
    return hmac.new(key, data, algorithm).digest()


def _hex(key: bytes, data: bytes, algorithm: str = "sha256") -> str:
    return _mac(key, data, algorithm).hex()


def _b64(key: bytes, data: bytes, algorithm: str = "sha256") -> str:
    return base64.b64encode(_mac(key, data, algorithm)).decode()


@dataclass(frozen=True)
class Scheme:
    """A signing scheme; :meth:`sign` gives the headers of one attempt."""

    name: str
    #: the headers that carry the signature (what the missing-signature fault removes)
    signature_headers: tuple[str, ...] = ()
    #: where the timestamp is, for schemes that sign one (the stale-timestamp fault)
    timestamp_header: str | None = None

    def key(self, secret: str) -> bytes:
        """The HMAC key of ``secret``; :class:`WebhookError` when it has the wrong form."""
        if not secret:
            raise WebhookError(f"the {self.name} signing scheme needs a non-empty secret")
        return secret.encode()

    def sign(self, message: Message, secret: str) -> Signature:
        raise NotImplementedError


@dataclass(frozen=True)
class StandardWebhooks(Scheme):
    name: str = "standard"
    signature_headers: tuple[str, ...] = ("webhook-signature",)
    timestamp_header: str | None = "webhook-timestamp"

    def key(self, secret: str) -> bytes:
        encoded = secret.removeprefix("whsec_")
        try:
            key = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if not secret.startswith("whsec_") or not 24 <= len(key) <= 64:
            raise WebhookError(
                "a Standard Webhooks secret is 'whsec_' followed by 24 to 64 random bytes in "
                f"base64 (got {_shape(secret)}); e.g. whsec_"
                "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        return key

    def sign(self, message: Message, secret: str) -> Signature:
        signed = f"{message.id}.{message.timestamp}.".encode() + message.body
        return Signature({
            "webhook-id": message.id,
            "webhook-timestamp": str(message.timestamp),
            "webhook-signature": "v1," + _b64(self.key(secret), signed),
        }, message.url)


@dataclass(frozen=True)
class Stripe(Scheme):
    name: str = "stripe"
    signature_headers: tuple[str, ...] = ("stripe-signature",)  # t= is inside it

    def key(self, secret: str) -> bytes:
        if not secret.startswith("whsec_") or len(secret) < 10:
            raise WebhookError("a Stripe endpoint secret starts with 'whsec_' (the signing "
                               f"secret of the endpoint, got {_shape(secret)})")
        return secret.encode()

    def sign(self, message: Message, secret: str) -> Signature:
        signed = f"{message.timestamp}.".encode() + message.body
        return Signature({"Stripe-Signature":
                          f"t={message.timestamp},v1={_hex(self.key(secret), signed)}"},
                         message.url)


@dataclass(frozen=True)
class GitHub(Scheme):
    name: str = "github"
    signature_headers: tuple[str, ...] = ("x-hub-signature-256",)

    def sign(self, message: Message, secret: str) -> Signature:
        return Signature({
            "X-Hub-Signature-256": "sha256=" + _hex(self.key(secret), message.body),
            "X-GitHub-Event": message.event,
            "X-GitHub-Delivery": str(uuid.uuid5(uuid.NAMESPACE_URL, message.id)),
            "User-Agent": "GitHub-Hookshot/contractkit",
        }, message.url)


@dataclass(frozen=True)
class Slack(Scheme):
    name: str = "slack"
    signature_headers: tuple[str, ...] = ("x-slack-signature", "x-slack-request-timestamp")
    timestamp_header: str | None = "x-slack-request-timestamp"

    def sign(self, message: Message, secret: str) -> Signature:
        signed = f"v0:{message.timestamp}:".encode() + message.body
        return Signature({
            "X-Slack-Request-Timestamp": str(message.timestamp),
            "X-Slack-Signature": "v0=" + _hex(self.key(secret), signed),
        }, message.url)


@dataclass(frozen=True)
class Shopify(Scheme):
    name: str = "shopify"
    signature_headers: tuple[str, ...] = ("x-shopify-hmac-sha256",)

    def sign(self, message: Message, secret: str) -> Signature:
        at = datetime.datetime.fromtimestamp(message.timestamp, datetime.timezone.utc)
        return Signature({
            "X-Shopify-Hmac-Sha256": _b64(self.key(secret), message.body),
            "X-Shopify-Topic": message.event,
            "X-Shopify-Webhook-Id": message.id,
            "X-Shopify-Event-Id": message.id,
            "X-Shopify-Triggered-At": at.isoformat().replace("+00:00", "Z"),
        }, message.url)


@dataclass(frozen=True)
class Twilio(Scheme):
    """Form bodies: the URL followed by each field's name and value, sorted by name. JSON
    bodies: the URL gains ``bodySHA256`` (hex SHA-256 of the body) and only it is signed."""

    name: str = "twilio"
    signature_headers: tuple[str, ...] = ("x-twilio-signature",)

    def sign(self, message: Message, secret: str) -> Signature:
        url = message.url
        if message.content_type.startswith("application/x-www-form-urlencoded"):
            fields = sorted(parse_qsl(message.body.decode(), keep_blank_values=True))
            data = url + "".join(name + value for name, value in fields)
        else:
            digest = hashlib.sha256(message.body).hexdigest()
            url += ("&" if urlsplit(url).query else "?") + f"bodySHA256={digest}"
            data = url
        return Signature({"X-Twilio-Signature": _b64(self.key(secret), data.encode(),
                                                     "sha1")}, url)


@dataclass(frozen=True)
class GenericHmac(Scheme):
    """A provider of your own: which header, algorithm, encoding and prefix, and what is
    signed (``signed``: a template of ``{body}``, ``{timestamp}`` and ``{id}``)."""

    name: str = "hmac"
    header: str = "X-Signature"
    algorithm: str = "sha256"
    encoding: str = "hex"
    prefix: str = ""
    signed: str = "{body}"
    timestamp_header: str | None = None
    signature_headers: tuple[str, ...] = field(default=())

    def sign(self, message: Message, secret: str) -> Signature:
        before, _, after = self.signed.partition("{body}")
        fill = {"timestamp": str(message.timestamp), "id": message.id}
        data = before.format(**fill).encode() + message.body + after.format(**fill).encode()
        mac = _mac(self.key(secret), data, self.algorithm)
        value = mac.hex() if self.encoding == "hex" else base64.b64encode(mac).decode()
        headers = {self.header: self.prefix + value}
        if self.timestamp_header:
            headers[self.timestamp_header] = str(message.timestamp)
        if "{id}" in self.signed:
            headers["X-Webhook-Id"] = message.id
        return Signature(headers, message.url)


_BUILT_IN: dict[str, Scheme] = {
    "standard": StandardWebhooks(), "stripe": Stripe(), "github": GitHub(),
    "slack": Slack(), "shopify": Shopify(), "twilio": Twilio(),
}


def scheme(spec: str) -> Scheme:
    """The scheme named by ``spec``: ``standard``, ``stripe``, … or ``hmac`` with options
    (``hmac:header=X-Sig,algorithm=sha512,encoding=base64,prefix=sha512=,
    signed={timestamp}.{body},timestamp_header=X-Timestamp``)."""
    name, _, options = spec.partition(":")
    name = name.strip().lower()
    if name in _BUILT_IN and not options:
        return _BUILT_IN[name]
    if name != "hmac":
        import difflib  # noqa: PLC0415 - only for the message

        close = difflib.get_close_matches(name, SCHEMES, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise WebhookError(f"unknown signing scheme {spec!r}; {hint}schemes: "
                           + ", ".join(SCHEMES))
    values: dict[str, str] = {}
    for part in filter(None, options.split(",")):
        key, equals, value = part.partition("=")
        if not equals or key not in ("header", "algorithm", "encoding", "prefix", "signed",
                                     "timestamp_header"):
            raise WebhookError(f"hmac option {part!r}: expected KEY=VALUE with KEY one of "
                               "header, algorithm, encoding, prefix, signed, timestamp_header")
        values[key] = value
    algorithm, encoding = values.get("algorithm", "sha256"), values.get("encoding", "hex")
    signed = values.get("signed", "{body}")
    if algorithm not in _ALGORITHMS:
        raise WebhookError(f"hmac algorithm {algorithm!r}: use one of " + ", ".join(_ALGORITHMS))
    if encoding not in ("hex", "base64"):
        raise WebhookError(f"hmac encoding {encoding!r}: use hex or base64")
    try:
        signed.replace("{body}", "").format(timestamp="", id="")
    except (KeyError, IndexError, ValueError) as error:
        raise WebhookError(f"hmac signed={signed!r}: a template of {{body}}, {{timestamp}} "
                           f"and {{id}} ({error})") from None
    header = values.get("header", "X-Signature")
    stamp = values.get("timestamp_header") or ("X-Timestamp" if "{timestamp}" in signed
                                               else None)
    return GenericHmac(header=header, algorithm=algorithm, encoding=encoding,
                       prefix=values.get("prefix", ""), signed=signed, timestamp_header=stamp,
                       signature_headers=(header.lower(), *((stamp.lower(),) if stamp else ())))


def _shape(secret: str) -> str:
    """What a secret looks like, without showing it."""
    prefix = secret[:6] if secret.startswith("whsec_") else ""
    return f"{len(secret)} characters" + (f" starting {prefix!r}" if prefix else "")
