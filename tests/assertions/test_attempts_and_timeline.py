"""Grouping requests into logical operations, and the timeline failures print."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from tests.assertions.synthetic import entry, retry_after

from contractkit.assertions.attempts import group, retry_after_seconds
from contractkit.assertions.timeline import render_timeline
from contractkit.assertions.virtual_time import Sleep


def test_a_success_closes_an_operation_and_a_failure_keeps_it_open() -> None:
    entries = [entry(0.0, 503), entry(1.0, 200), entry(2.0, 200)]
    assert [len(op.attempts) for op in group(entries)] == [2, 1]


def test_a_retry_with_a_new_key_or_token_stays_in_its_operation() -> None:
    post = {"method": "POST", "path": "/v1/payments", "body": b'{"amount": 1}'}
    entries = [entry(0.0, 503, headers={"Idempotency-Key": "a"}, **post),  # type: ignore[arg-type]
               entry(1.0, 201, headers={"Idempotency-Key": "b"}, **post),  # type: ignore[arg-type]
               entry(2.0, 401, headers={"Authorization": "old"}),
               entry(3.0, 200, headers={"Authorization": "new"})]
    assert [len(op.attempts) for op in group(entries)] == [2, 2]


def test_different_requests_are_different_operations() -> None:
    entries = [entry(0.0, 503), entry(0.1, 503, path="/v1/payments/other"), entry(1.0, 200)]
    operations = group(entries)
    assert [[e.path for e in op.attempts] for op in operations] == [
        ["/v1/payments/pay_3Nf8aZq2LkP0sT7x"] * 2, ["/v1/payments/other"]]


@given(st.lists(st.tuples(st.sampled_from(["/v1/payments/a", "/v1/payments/b"]),
                          st.sampled_from([None, 200, 404, 503]),
                          st.sampled_from(["", "k1", "k2"])), max_size=30))
def test_grouping_partitions_the_requests_and_only_failures_are_retried(
        specs: list[tuple[str, int | None, str]]) -> None:
    entries = [entry(float(i), status, path=path,
                     headers={"Idempotency-Key": key} if key else None)
               for i, (path, status, key) in enumerate(specs)]
    operations = group(entries)
    assert sorted(e.seq for op in operations for e in op.attempts) == [e.seq for e in entries]
    for operation in operations:
        assert [e.t_headers for e in operation.attempts] == sorted(
            e.t_headers for e in operation.attempts)
        assert all(e.status is None or e.status >= 400 for e in operation.attempts[:-1])


def test_grouping_is_linear_in_the_journal_size() -> None:
    entries = [entry(float(i), 503, path=f"/v1/payments/{i}") for i in range(10_000)]
    assert len(group(entries)) == 10_000


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after_seconds("2", sent_at_unix=0.0) == 2.0
    sent = 1_795_000_000.0  # Wed, 18 Nov 2026 11:06:40 GMT
    assert retry_after_seconds("Wed, 18 Nov 2026 11:07:40 GMT", sent_at_unix=sent) == 60.0
    assert retry_after_seconds("soon", sent_at_unix=sent) is None


def test_the_timeline_shows_answers_gaps_sleeps_and_rules() -> None:
    first = entry(10.0, 503, answer=retry_after("1"), rule="fail-three-times", took=0.005)
    second = entry(10.2, None, fault="reset", rule="flaps", took=0.0)
    third = entry(11.0, 200)
    sleeps = [Sleep(10.05, 0.1, "MainThread", "/src/client.py:12 in fetch")]
    text = render_timeline([first, second, third], sleeps, marked={second.seq})
    lines = text.splitlines()
    assert lines[0].startswith("timeline (3 requests")
    assert "+0.000 s" in lines[2]
    assert "503 Retry-After: 1" in lines[2]
    assert "fail-three-times" in lines[2]
    assert lines[3].strip() == "client slept 0.100 s in client.py:12 fetch"
    assert lines[4].startswith(">")
    assert "reset" in lines[4]
    assert "0.195 s" in lines[4]
    assert "+1.000 s" in lines[5]
    assert "0.800 s" in lines[5]


def test_the_timeline_counts_repeated_sleeps() -> None:
    sleeps = [Sleep(1.0 + i, 1.0, "MainThread") for i in range(30)]
    text = render_timeline([entry(0.0, 503, took=1.0), entry(31.0, 503)], sleeps)
    assert "client slept 1.000 s x 30 (total 30.000 s)" in text


def test_the_timeline_says_how_a_hang_ended() -> None:
    capped = entry(0.0, None, fault="hang (max 30s)", outcome="hang-cap-reached", took=30.0)
    left = entry(31.0, None, fault="hang (max 30s)", disconnect_after=0.5)
    text = render_timeline([capped, left])
    assert "hang (max 30s): cap reached, the client never gave up" in text
    assert "hang (max 30s): client left after 0.500 s" in text
    assert render_timeline([]) == "timeline: no requests were recorded"


def test_the_timeline_shows_overlaps_and_auth_errors() -> None:
    expired = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
    text = render_timeline([entry(0.0, 401, answer=expired, took=0.5), entry(0.1, 200)])
    assert '401 error="invalid_token"' in text
    assert "overlaps" in text
