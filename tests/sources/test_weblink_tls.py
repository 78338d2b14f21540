"""The real `requests` transport against a local HTTPS server: it connects to the checked
address while keeping the hostname for SNI, the certificate and the Host header, verifies the
certificate, sends no credentials or cookies, and stops at the size cap.

The address check is not involved (the transport is called directly with a Target), so nothing
here weakens it; verification is pointed at the test's own certificate only in one test."""

from __future__ import annotations

import http.server
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from compliance.sources.weblink import Target, requests_transport

BODY = b"<html><body><p>Example terms</p></body></html>"


@pytest.fixture()
def tls_server(tmp_path: Path) -> Iterator[tuple[int, Path, dict[str, Any]]]:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    openssl = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    names = ["-subj", "/CN=terms.example", "-addext", "subjectAltName=DNS:terms.example"]
    subprocess.run(
        [*openssl, "-keyout", str(key), "-out", str(cert), *names],
        check=True,
        capture_output=True,
    )
    seen: dict[str, Any] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen["headers"] = {k.lower(): v for k, v in self.headers.items()}
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(str(cert), str(key))
    ctx.sni_callback = lambda sock, name, c: seen.__setitem__("sni", name)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], cert, seen
    server.shutdown()
    server.server_close()


def _target(port: int) -> Target:
    return Target(f"https://terms.example:{port}/licence", "terms.example", port, "127.0.0.1")


def test_an_untrusted_certificate_is_refused(tls_server) -> None:
    port, _, seen = tls_server
    with pytest.raises(requests.exceptions.SSLError):
        requests_transport(_target(port), {"User-Agent": "compliance"}, 5, 10_000)
    assert seen.get("sni") == "terms.example"


def test_pinned_address_hostname_kept_no_credentials_and_cap(tls_server, monkeypatch) -> None:
    port, cert, seen = tls_server
    real_get = requests.Session.get

    def trusting_the_test_cert(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return real_get(self, *args, **{**kwargs, "verify": str(cert)})

    monkeypatch.setattr(requests.Session, "get", trusting_the_test_cert)
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")  # ignored: trust_env is off
    got = requests_transport(_target(port), {"User-Agent": "compliance"}, 5, 10_000)
    assert (got.status, got.body, got.too_large) == (200, BODY, False)
    assert seen["sni"] == "terms.example"
    assert seen["headers"]["host"] == f"terms.example:{port}"
    assert not {"authorization", "cookie", "proxy-authorization"} & set(seen["headers"])
    small = requests_transport(_target(port), {"User-Agent": "compliance"}, 5, 10)
    assert small.too_large and small.body == b""
