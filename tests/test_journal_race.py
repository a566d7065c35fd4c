"""A journal entry read while the server stamps the end of its response is never cached
without that end (it was: a reader could keep ``t_resp_end=None`` forever)."""

from __future__ import annotations

from typing import Any

import pytest

from contractkit import journal as journal_module
from contractkit._http import HttpRequest
from contractkit.journal import Journal, JournalEntry, Record


def test_an_entry_read_during_the_stamp_is_not_cached_stale(
        monkeypatch: pytest.MonkeyPatch) -> None:
    record = Record(session="s", connection_id=1, request=HttpRequest("GET", "/x", (), {}, b""),
                    operation_id="op", mount="", status=200, response_headers={},
                    response_body=b"{}", t_headers=1.0, t_body_end=1.0, t_resp_start=1.0)
    journal = Journal()
    journal.append(record)

    def built_then_stamped(**fields: Any) -> JournalEntry:
        entry = JournalEntry(**fields)
        record.t_resp_end = 2.0  # the server thread, right between build and cache
        return entry

    monkeypatch.setattr(journal_module, "JournalEntry", built_then_stamped)
    assert journal.entries()[0].t_resp_end is None  # read before the end: fine
    monkeypatch.undo()
    assert journal.entries()[0].t_resp_end == 2.0  # but not cached that way


def _record(t_headers: float) -> Record:
    return Record(session="s", connection_id=1, request=HttpRequest("GET", "/x", (), {}, b""),
                  operation_id="op", mount="", status=200, response_headers={},
                  response_body=b"{}", t_headers=t_headers, t_body_end=t_headers,
                  t_resp_start=t_headers)


def test_an_exchange_in_flight_at_a_clear_is_not_recorded_after_it() -> None:
    # a test ended (the journal is cleared at 10.0) while a request that arrived at 9.5 was
    # still waiting out its latency: it belongs to that test, not to the next one
    journal = Journal()
    journal.clear(at=10.0)
    journal.append(_record(9.5))
    journal.append(_record(10.2))
    assert [e.t_headers for e in journal.entries()] == [10.2]
