"""Runs the one webhook suite against either receiver: ``--receiver=resilient`` (the
default) or ``--receiver=naive``. The receiver is a WSGI app; the plugin's
``webhook_receiver`` fixture serves it on 127.0.0.1 for the test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from order_receivers.naive import NaiveReceiver
from order_receivers.resilient import ResilientReceiver

RECEIVERS = ("resilient", "naive")
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--receiver", choices=RECEIVERS, default="resilient",
                     help="which example webhook receiver the suite tests (default: resilient)")


def pytest_report_header(config: pytest.Config) -> str:
    return f"webhook receiver under test: {config.getoption('receiver')}"


@dataclass
class Served:
    """The receiver under test and where it listens."""

    app: Any
    url: str
    #: the secret it shares with the provider (the mock signs with it)
    secret: str = SECRET

    def applied(self) -> int:
        return int(self.app.applied())

    def status(self, order_id: str) -> str | None:
        status: str | None = self.app.status(order_id)
        return status


@pytest.fixture
def receiver(request: pytest.FixtureRequest,
             webhook_receiver: Callable[..., str]) -> Iterator[Served]:
    kind = request.config.getoption("receiver")
    app = NaiveReceiver(SECRET) if kind == "naive" else ResilientReceiver(SECRET)
    yield Served(app, webhook_receiver(app, path="/hooks"))
    app.close()
