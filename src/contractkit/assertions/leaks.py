"""``no_secrets_in``: no credential the mock received appears in a client's text (DESIGN §6).

The journal keeps the credentials requests carried (Authorization, API keys, cookies) only
to answer this; the text is the client's logs, error messages or exception strings.
"""

from __future__ import annotations

from typing import Protocol

from contractkit.errors import ContractViolation


class _SecretsJournal(Protocol):
    def received_secrets(self) -> set[str]: ...


class SecretsServer(Protocol):
    """What ``no_secrets_in`` needs from a server (``MockServer`` has it)."""

    @property
    def journal(self) -> _SecretsJournal: ...


def no_secrets_in(text: str, *, server: SecretsServer) -> None:
    """Fail if any credential the mock received (Authorization, API keys, cookies) appears
    in ``text``: the client's logs or error messages."""
    __tracebackhide__ = True
    found = [s for s in server.journal.received_secrets() if s in text]
    # "Bearer abc" and its token "abc" are one credential: keep the innermost
    leaked = sorted(s for s in found if not any(o != s and o in s for o in found))
    if leaked:
        shown = ", ".join(f"{s[:4]}…({len(s)} chars)" for s in leaked)
        raise ContractViolation(
            f"{len(leaked)} credential(s) the client sent appear in the text: {shown}; "
            "redact Authorization headers, API keys and cookies before logging or putting "
            "requests in error messages")
