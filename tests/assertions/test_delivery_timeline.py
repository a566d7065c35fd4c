"""The timeline of delivery attempts a failing receiver assertion prints."""

from __future__ import annotations

from contractkit.assertions.delivery_timeline import MAX_LINES, render_deliveries
from contractkit.webhooks.outbox import Attempt


def attempt(seq: int, **fields: object) -> Attempt:
    values: dict[str, object] = {
        "seq": seq, "delivery_id": f"msg_{seq}", "event": "orderCreated", "attempt": 1,
        "url": "http://127.0.0.1:9/hooks", "request_headers": {}, "body_sha256": "0" * 64,
        "body_size": 10, "body": b"{}", "t_start": 100.0 + seq, "t_end": 100.0 + seq + 0.25,
        "status": 200, **fields}
    return Attempt(**values)  # type: ignore[arg-type]


def test_each_attempt_is_a_line_with_what_a_correct_receiver_answers() -> None:
    text = render_deliveries(
        [attempt(1), attempt(2, forgery="bad-signature", expected="reject",
                             fault="bad_signature"),
         attempt(3, status=None, outcome="timeout", error="no answer within 0.2 s")],
        marked={2, 3})
    lines = text.splitlines()
    assert lines[0] == "timeline (3 delivery attempts, t since the first):"
    assert lines[2].split() == ["+0.000", "s", "orderCreated", "msg_1", "#1", "-", "genuine",
                                "200", "250", "ms", "2xx"]
    assert lines[3].startswith(">")
    assert "forged: bad-signature" in lines[3]
    assert lines[3].rstrip().endswith("4xx")
    assert lines[4].startswith(">")
    assert "timeout" in lines[4]
    assert lines[5] == "  #3: no answer within 0.2 s"


def test_long_timelines_keep_the_first_and_last_attempts() -> None:
    text = render_deliveries([attempt(n) for n in range(1, 101)])
    assert f"... {100 - MAX_LINES} more attempts ..." in text
    assert "msg_1 #1" in text
    assert "msg_100 #1" in text
    assert "msg_50 #1" not in text


def test_no_attempts() -> None:
    assert render_deliveries([]) == "timeline: no delivery attempts were recorded"
