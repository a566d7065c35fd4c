"""`contractkit mock` as a real process: started on a free port, its banner read."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def start_mock(contract: Path, *args: str) -> tuple[subprocess.Popen[str], str, list[str]]:
    """Start ``contractkit mock CONTRACT --port 0 --log-format off ARGS``; return the
    process, the first contract's URL and the banner's lines, once the banner says where
    the admin API is (everything listens by then)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "contractkit", "mock", str(contract), "--port", "0",
         "--log-format", "off", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert process.stdout is not None
    lines: list[str] = []
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("admin API at "):
            url = next(each for each in lines if each.startswith("serving "))
            return process, url.rsplit(" at ", 1)[1].strip().rstrip("/"), lines
    process.kill()
    raise AssertionError(process.stderr.read() if process.stderr else "no banner")
