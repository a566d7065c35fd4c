"""The receiver every provider's documentation asks for.

* verifies the Standard Webhooks signature over the **raw bytes** of the body, with the
  provider's own library (which also refuses timestamps older than 5 minutes);
* refuses an exact replay: a signature it has already seen (a duplicate the provider sends
  again is signed anew, at a later time);
* **acknowledges fast**: it answers 2xx as soon as the delivery is verified and queued, and
  a worker thread processes the event afterwards;
* **deduplicates by the delivery id** (``webhook-id``): a duplicate is answered 2xx and
  ignored;
* keeps the **newest** state of an order by the event's own ``sequence``, never by arrival;
* answers 2xx to event types it does not know, and ignores them.
"""

from __future__ import annotations

import queue
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError

HANDLED = {"order.created", "order.paid", "order.shipped"}
#: signatures remembered against replays: the deliveries of the timestamp tolerance
SEEN_SIGNATURES = 10_000


class ResilientReceiver:
    def __init__(self, secret: str) -> None:
        self._webhook = Webhook(secret)
        self._signatures: OrderedDict[str, None] = OrderedDict()
        self._ids: set[str] = set()
        self._sequence: dict[str, int] = {}
        self._status: dict[str, str] = {}
        self._applied = 0
        self._lock = threading.Lock()
        self._queue: queue.Queue[tuple[str, dict[str, Any]] | None] = queue.Queue()
        self._worker = threading.Thread(target=self._work, daemon=True)
        self._worker.start()

    # -- the HTTP side: verify, queue, answer ---------------------------------------------

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        headers = {key[5:].replace("_", "-").lower(): value
                   for key, value in environ.items() if key.startswith("HTTP_")}
        status = self._receive(body, headers)
        start_response(status, [("Content-Type", "text/plain")])
        return [status.encode()]

    def _receive(self, body: bytes, headers: dict[str, str]) -> str:
        try:
            event = self._webhook.verify(body, headers)  # the raw bytes, as received
        except WebhookVerificationError as error:
            return f"401 {error}"
        signature = headers["webhook-signature"]
        with self._lock:
            if signature in self._signatures:
                return "409 Replayed request"
            self._signatures[signature] = None
            if len(self._signatures) > SEEN_SIGNATURES:
                self._signatures.popitem(last=False)
        self._queue.put((headers["webhook-id"], event))
        return "202 Accepted"

    # -- the worker: apply each event once, newest state wins ----------------------------

    def _work(self) -> None:
        while (item := self._queue.get()) is not None:
            delivery_id, event = item
            self._apply(delivery_id, event)

    def _apply(self, delivery_id: str, event: dict[str, Any]) -> None:
        if event.get("type") not in HANDLED:
            return  # an event type added after this receiver was written
        with self._lock:
            if delivery_id in self._ids:
                return  # a duplicate: already applied
            self._ids.add(delivery_id)
            self._applied += 1
            order, sequence = event["data"]["order_id"], int(event["sequence"])
            if sequence > self._sequence.get(order, 0):
                self._sequence[order] = sequence
                self._status[order] = event["data"]["status"]

    # -- what the test reads ---------------------------------------------------------------

    def applied(self) -> int:
        with self._lock:
            return self._applied

    def status(self, order_id: str) -> str | None:
        with self._lock:
            return self._status.get(order_id)

    def close(self) -> None:
        self._queue.put(None)
        self._worker.join(5)
