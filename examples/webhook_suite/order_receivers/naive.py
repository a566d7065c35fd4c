"""The receiver written in an afternoon; every shortcut here is a production incident.

* verifies the signature over the body **after parsing and re-serialising it** as JSON,
  which is not the bytes the provider signed (``json.dumps`` escapes ``ü`` as ``\\u00fc``);
* never looks at the timestamp, so a request captured long ago still verifies;
* has no idea which deliveries it has seen: a duplicate or a replay is applied again;
* does the work **before** answering, so a slow database makes the provider time out and
  send the event again;
* looks the event type up in its handlers and crashes (500) on one it does not know;
* sets the order's state from whichever event arrived last.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Callable, Iterable
from typing import Any


class NaiveReceiver:
    def __init__(self, secret: str, *, work_seconds: float = 0.3) -> None:
        self._key = base64.b64decode(secret.removeprefix("whsec_"))
        self.work_seconds = work_seconds
        self._status: dict[str, str] = {}
        self._applied = 0
        self._handlers = {"order.created": self._set_status, "order.paid": self._set_status,
                          "order.shipped": self._set_status}

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        event = json.loads(body)
        canonical = json.dumps(event, separators=(",", ":")).encode()
        signed = (f"{environ.get('HTTP_WEBHOOK_ID')}.{environ.get('HTTP_WEBHOOK_TIMESTAMP')}."
                  .encode() + canonical)
        expected = "v1," + base64.b64encode(
            hmac.new(self._key, signed, hashlib.sha256).digest()).decode()
        if expected not in environ.get("HTTP_WEBHOOK_SIGNATURE", "").split(" "):
            start_response("401 Unauthorized", [("Content-Type", "text/plain")])
            return [b"bad signature"]
        try:
            self._handlers[event["type"]](event)
        except KeyError:
            start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
            return [b"unknown event type"]
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    def _set_status(self, event: dict[str, Any]) -> None:
        threading.Event().wait(self.work_seconds)  # the database write it waits for
        self._applied += 1
        self._status[event["data"]["order_id"]] = event["data"]["status"]

    def applied(self) -> int:
        return self._applied

    def status(self, order_id: str) -> str | None:
        return self._status.get(order_id)

    def close(self) -> None:
        pass
