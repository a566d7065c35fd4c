"""A WSGI webhook receiver of the orders contract whose every safeguard can be switched
off, to show that each receiver assertion passes with it and fails without it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

KNOWN = {"order.created", "order.paid", "order.shipped"}
_real_time = time.time  # virtual time must not age the receiver's clock


def standard_signature(secret: str, msg_id: str, stamp: str, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


class Hooks:
    def __init__(self, secret: str, *, verify: bool = True, reserialise: bool = False,
                 tolerance: float | None = 300.0, refuse_replays: bool = True,
                 dedup: bool = True, ordered: bool = True, unknown_status: int = 200,
                 forged_status: int = 401, delay: float = 0.0,
                 refuse_seen_ids: bool = False) -> None:
        self.secret = secret
        self.verify, self.reserialise, self.tolerance = verify, reserialise, tolerance
        self.refuse_replays, self.dedup, self.ordered = refuse_replays, dedup, ordered
        self.unknown_status, self.forged_status, self.delay = (unknown_status, forged_status,
                                                               delay)
        self.refuse_seen_ids = refuse_seen_ids
        self.applied: list[str] = []
        self.status: dict[str, str] = {}
        self._sequence: dict[str, int] = {}
        self._ids: set[str] = set()
        self._signatures: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        status = self.answer(body, {k[5:].replace("_", "-").lower(): v
                                    for k, v in environ.items() if k.startswith("HTTP_")})
        if self.delay:
            threading.Event().wait(self.delay)  # a slow receiver: it works before answering
        start_response(f"{status} X", [("Content-Length", "0")])
        return [b""]

    def answer(self, body: bytes, headers: dict[str, str]) -> int:
        msg_id = headers.get("webhook-id", "")
        stamp = headers.get("webhook-timestamp", "")
        signatures = headers.get("webhook-signature", "")
        with self._lock:
            if self.verify:
                signed = (json.dumps(json.loads(body), separators=(",", ":")).encode()
                          if self.reserialise else body)
                expected = standard_signature(self.secret, msg_id, stamp, signed)
                if not any(hmac.compare_digest(s.partition(",")[2], expected)
                           for s in signatures.split()):
                    return self.forged_status
                if self.tolerance is not None and abs(_real_time() - int(stamp)) > self.tolerance:
                    return 400
                if self.refuse_replays and signatures in self._signatures:
                    return 400
                self._signatures.add(signatures)
            event = json.loads(body)
            if event.get("type") not in KNOWN:
                return self.unknown_status
            if self.refuse_seen_ids and msg_id in self._ids:
                return 409  # takes a duplicate for a replay
            if self.dedup and msg_id in self._ids:
                return 200
            self._ids.add(msg_id)
            self.applied.append(msg_id)
            data = event["data"]
            order = data["order_id"]
            if not self.ordered or event["sequence"] > self._sequence.get(order, 0):
                self._sequence[order] = event["sequence"]
                self.status[order] = data["status"]
            return 200
