"""Who may use the admin API: the ``Host`` check (against DNS rebinding) and the token.

A web page the developer happens to open can make their browser send requests to
``127.0.0.1``; with DNS rebinding it can even read the answers, under a host name the
attacker controls. Browsers always send that name in ``Host``, so the admin API answers
only requests whose ``Host`` is a loopback name, the address the client connected to, or
a name the user allowed (``--allowed-host``), and it never sends CORS headers.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Collection, Mapping

TOKEN_HEADER = "x-contractkit-admin-token"


def host_name(host_header: str) -> str:
    """The name in a ``Host`` header, without port, lower-case, without a trailing dot."""
    host = host_header.strip().lower()
    if host.startswith("["):
        host = host[1:].partition("]")[0]
    elif host.count(":") == 1:
        host = host.partition(":")[0]
    return host.rstrip(".")


def _is_loopback(name: str) -> bool:
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_allowed(host_header: str | None, local_address: str | None,
                 allowed: Collection[str]) -> bool:
    """Whether an admin request with this ``Host`` may be answered.

    ``local_address``: the address the connection was accepted on. ``allowed``: names as
    ``--allowed-host`` takes them, ``example.test`` (exactly), ``.example.test`` (it and
    its subdomains) or ``*`` (any: turns the check off).
    """
    if host_header is None:  # HTTP/1.0 without Host: no browser sends that
        return True
    name = host_name(host_header)
    if _is_loopback(name) or (local_address is not None and name == local_address.lower()):
        return True
    for given in allowed:
        pattern = given.lower().rstrip(".")
        if pattern in ("*", name) or (
                pattern.startswith(".") and (name == pattern[1:] or name.endswith(pattern))):
            return True
    return False


def token_given(headers: Mapping[str, str]) -> str:
    """The admin token a request carries: ``Authorization: Bearer`` or the token header."""
    given = headers.get("Authorization", "")
    if given.lower().startswith("bearer "):
        return given[7:].strip()
    return headers.get(TOKEN_HEADER, "")


def authorised(headers: Mapping[str, str], token: str) -> bool:
    return hmac.compare_digest(token_given(headers).encode("utf-8", "surrogateescape"),
                               token.encode("utf-8", "surrogateescape"))
