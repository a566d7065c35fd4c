"""Ignore files: entries match rule id and location by glob, need a reason, and stop
ignoring after their expiry date (saying so)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from tests.diff.helpers import api

import contractkit

OLD = api(request={"type": "object", "properties": {"a": {"type": "string"},
                                                     "b": {"type": "string"}}})
NEW = api(request={"type": "object", "required": ["a", "b"],
                   "properties": {"a": {"type": "string"}, "b": {"type": "string"}}})


def run(tmp_path: Path, text: str, today: dt.date = dt.date(2026, 6, 1)) -> contractkit.DiffReport:
    (tmp_path / "ignore.yaml").write_text(text)
    return contractkit.diff(contractkit.load(OLD), contractkit.load(NEW),
                            ignore=tmp_path / "ignore.yaml", today=today)


def test_entries_match_rule_and_location_globs(tmp_path: Path) -> None:
    report = run(tmp_path, """
ignore:
  - rule: request-property-became-*
    location: "POST /payments → * → /a"
    reason: clients always send a (checked in JIRA-1)
""")
    assert [c.location.rsplit(" → ", 1)[1] for c in report.changes] == ["/b"]
    [ignored] = report.ignored
    assert ignored.change.location.endswith("/a")
    assert ignored.reason == "clients always send a (checked in JIRA-1)"
    assert str(ignored.entry).endswith("ignore.yaml:3")


def test_an_expired_entry_ignores_nothing_and_says_so(tmp_path: Path) -> None:
    text = """
- rule: request-property-became-required
  reason: temporary
  expires: 2026-01-31
"""
    report = run(tmp_path, text)
    assert len(report.changes) == 2
    assert report.ignored == ()
    [note] = report.notes
    assert "expired on 2026-01-31" in note
    assert note.startswith(str(tmp_path / "ignore.yaml") + ":2")
    assert len(run(tmp_path, text, today=dt.date(2026, 1, 1)).ignored) == 2


@pytest.mark.parametrize(("text", "message"), [
    ("ignore: [oops\n", "ignore.yaml:2: invalid YAML"),
    ("ignore:\n  - rule: x\n", "ignore.yaml:2: entry has no 'reason'"),
    ("ignore:\n  - rule: x\n    reason: y\n    until: 2026-01-01\n",
     "ignore.yaml:4: unknown key 'until'"),
    ("ignore:\n  - rule: x\n    reason: y\n    expires: soon\n",
     "ignore.yaml:2: expires 'soon' is not a date"),
    ("rules: []\n", "ignore.yaml:1: expected a mapping with one key, 'ignore'"),
])
def test_mistakes_name_the_line(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(contractkit.ConfigError) as raised:
        run(tmp_path, text)
    assert message in str(raised.value)


def test_a_missing_ignore_file(tmp_path: Path) -> None:
    with pytest.raises(contractkit.ConfigError, match="cannot read the ignore file"):
        contractkit.diff(contractkit.load(OLD), contractkit.load(NEW),
                         ignore=tmp_path / "nope.yaml")
