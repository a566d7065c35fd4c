"""Providers that cannot be verified normally: nothing listening, TLS that fails, an
operation that hangs, HTML where JSON was promised. Each is one clear line or a finding,
never a traceback or a hang."""

from __future__ import annotations

import socket
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from aiohttp import web
from tests.verify.provider import CONTRACT, TOKEN, Widgets, provider, serve

from contractkit.errors import ProviderError
from contractkit.verify.run import verify

AUTH = {"Authorization": TOKEN}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_provider_is_one_line() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    with pytest.raises(ProviderError) as caught:
        verify(CONTRACT, base_url=url, headers=AUTH, seed=1)
    assert str(caught.value) == (f"cannot reach the provider at {url}: connection refused; "
                                 "is it running, and is --base-url right?")


def test_https_to_a_plain_http_provider_is_a_tls_error() -> None:
    with provider() as url:
        tls_url = url.replace("http://", "https://")
        with pytest.raises(ProviderError) as caught:
            verify(CONTRACT, base_url=tls_url, headers=AUTH, seed=1)
    message = str(caught.value)
    assert message.startswith(f"TLS handshake with {tls_url} failed (")
    assert "\n" not in message


@contextmanager
def _self_signed(tmp_path: Path) -> Iterator[str]:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1"],
                   check=True, capture_output=True, timeout=60)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    with serve(Widgets().app(), ssl_context=context) as url:
        yield url


def test_an_untrusted_certificate_is_a_tls_error_and_no_tls_verify_accepts_it(
        tmp_path: Path) -> None:
    with _self_signed(tmp_path) as url:
        with pytest.raises(ProviderError, match=r"\(certificate verify failed\).*--no-tls-verify"):
            verify(CONTRACT, base_url=url, headers=AUTH, seed=1)
        report = verify(CONTRACT, base_url=url, headers=AUTH, seed=1, max_examples=2,
                        include=["GET /widgets"], tls_verify=False)
    assert report.ok
    assert report.findings == ()


def test_a_hanging_provider_gives_one_timeout_finding_per_operation() -> None:
    with provider("hang") as url:
        report = verify(CONTRACT, base_url=url, headers=AUTH, seed=1, request_timeout=0.3,
                        include=["GET /widgets", "GET /search"])
    assert [(f.operation, f.code) for f in report.findings] == [
        ("GET /widgets", "CK-TIMEOUT"), ("GET /search", "CK-TIMEOUT")]
    finding = report.findings[0]
    assert finding.message.startswith("The provider did not answer within 0.3 s")
    assert finding.curl.startswith("curl -X GET")
    assert report.requests == 2  # one request each: the rest of the operation is skipped


async def _login_page(request: web.Request) -> web.Response:
    return web.Response(text="<html><body><form>Sign in</form></body></html>",
                        content_type="text/html")


def test_a_provider_answering_html_gives_findings() -> None:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", _login_page)
    with serve(app) as url:
        report = verify(CONTRACT, base_url=url, headers=AUTH, seed=1, max_examples=2,
                        include=["GET /widgets", "POST /widgets"])
    titles = {(f.operation, f.code) for f in report.findings}
    assert ("GET /widgets", "ST105") in titles  # Undocumented Content-Type
    html = next(f for f in report.findings if f.code == "ST105")
    assert "text/html" in html.message
