"""Fetching a licence link outside the Hub: address checks, redirects, cap, cache, HTML.

Nothing here reaches the internet: the address checks are tested directly (and a loopback or
private URL is refused before any connection), the fetch path through an injected resolver and
transport."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from compliance.sources.weblink import (
    LinkFetcher,
    LinkRefused,
    LinkResponse,
    Target,
    check_url,
    html_to_text,
    is_public_address,
    public_target,
)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # shared (carrier-grade NAT)
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.1",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",  # IPv4-mapped loopback
        "::ffff:10.0.0.1",
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "not-an-address",
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_pass(address: str) -> None:
    assert is_public_address(address)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/licence",
        "ftp://example.com/licence",
        "https://user:pw@example.com/licence",
        "https:///nohost",
        "file:///etc/passwd",
    ],
)
def test_only_plain_https_urls(url: str) -> None:
    with pytest.raises(LinkRefused):
        check_url(url)


def _resolver(table: dict[str, list[str]]):
    def resolve(host: str, port: int) -> list[str]:
        return table[host]

    return resolve


def test_a_name_with_any_private_answer_is_refused() -> None:
    resolve = _resolver({"a.example": ["8.8.8.8", "10.0.0.5"], "b.example": ["8.8.4.4"]})
    with pytest.raises(LinkRefused, match="non-public"):
        public_target("https://a.example/terms", resolve)
    target = public_target("https://b.example:8443/terms", resolve)
    assert (target.host, target.port, target.address) == ("b.example", 8443, "8.8.4.4")


def test_loopback_and_private_urls_are_refused_before_connecting(tmp_path: Path) -> None:
    calls: list[Target] = []

    def transport(target, headers, timeout, cap):  # pragma: no cover - must not be called
        calls.append(target)
        raise AssertionError("connected")

    fetcher = LinkFetcher(tmp_path, transport=transport)  # the real system resolver
    for url in (
        "https://127.0.0.1/licence",
        "https://localhost/licence",
        "https://[::1]/licence",
        "https://10.0.0.1/licence",
        "https://169.254.169.254/latest/meta-data",
    ):
        got = fetcher.fetch(url)
        assert got.text is None and got.skipped and got.skipped.startswith("refused:"), url
    assert not calls


class FakeWeb:
    """A transport that answers from a table of (url -> responses) and records what it sent."""

    def __init__(self, pages: dict[str, list[LinkResponse]]):
        self.pages = pages
        self.sent: list[tuple[Target, dict[str, str]]] = []

    def __call__(
        self, target: Target, headers: Mapping[str, str], timeout: float, cap: int
    ) -> LinkResponse:
        self.sent.append((target, dict(headers)))
        return self.pages[target.url].pop(0)


PUBLIC = _resolver({"terms.example": ["8.8.8.8"], "evil.example": ["127.0.0.1"]})
HTML = (
    b"<html><head><style>p{}</style><script>var x = 'no';</script></head><body>"
    b"<h1>Example Model Licence</h1><p>You may use the model for <b>non-commercial</b>"
    b" purposes only.</p></body></html>"
)


def test_html_page_is_fetched_as_text_and_sends_no_credentials(tmp_path: Path) -> None:
    ok = LinkResponse(200, {"content-type": "text/html; charset=utf-8"}, HTML)
    web = FakeWeb({"https://terms.example/licence": [ok]})
    got = LinkFetcher(tmp_path, resolver=PUBLIC, transport=web).fetch(
        "https://terms.example/licence"
    )
    assert got.path == "https://terms.example/licence" and got.text is not None
    assert "non-commercial purposes only." in got.text and "var x" not in got.text
    assert got.text.splitlines()[0] == "Example Model Licence"
    ((target, headers),) = web.sent
    assert target.address == "8.8.8.8"  # connects to the checked address
    assert not {"authorization", "cookie"} & {h.lower() for h in headers}


def test_a_redirect_to_a_private_address_is_refused(tmp_path: Path) -> None:
    hop = LinkResponse(302, {"location": "https://evil.example/x"}, b"")
    web = FakeWeb({"https://terms.example/licence": [hop]})
    got = LinkFetcher(tmp_path, resolver=PUBLIC, transport=web).fetch(
        "https://terms.example/licence"
    )
    assert got.text is None and got.skipped and "non-public" in got.skipped
    assert len(web.sent) == 1


def test_a_redirect_to_http_is_refused(tmp_path: Path) -> None:
    hop = LinkResponse(301, {"location": "http://terms.example/plain"}, b"")
    web = FakeWeb({"https://terms.example/licence": [hop]})
    got = LinkFetcher(tmp_path, resolver=PUBLIC, transport=web).fetch(
        "https://terms.example/licence"
    )
    assert got.text is None and got.skipped and "https" in got.skipped


def test_too_large_and_error_pages_are_not_read(tmp_path: Path) -> None:
    web = FakeWeb(
        {
            "https://terms.example/big": [LinkResponse(200, {}, b"", too_large=True)],
            "https://terms.example/gone": [LinkResponse(404, {}, b"not here")],
        }
    )
    fetcher = LinkFetcher(tmp_path, resolver=PUBLIC, transport=web)
    big, gone = (
        fetcher.fetch("https://terms.example/big"),
        fetcher.fetch("https://terms.example/gone"),
    )
    assert big.text is None and big.skipped and "larger" in big.skipped
    assert gone.text is None and gone.skipped and "404" in gone.skipped


def test_cached_by_url_and_etag(tmp_path: Path) -> None:
    url = "https://terms.example/licence"
    first = LinkResponse(200, {"content-type": "text/plain", "etag": '"v1"'}, b"Terms v1\n")
    web = FakeWeb({url: [first, LinkResponse(304, {}, b"")]})
    fetcher = LinkFetcher(tmp_path, resolver=PUBLIC, transport=web)
    assert fetcher.fetch(url).text == "Terms v1\n"
    again = fetcher.fetch(url)
    assert again.text == "Terms v1\n"
    assert web.sent[1][1].get("If-None-Match") == '"v1"'
    assert "If-None-Match" not in web.sent[0][1]


def test_network_failure_is_a_skipped_file(tmp_path: Path) -> None:
    def down(target, headers, timeout, cap):
        raise ConnectionError("network unreachable")

    got = LinkFetcher(tmp_path, resolver=PUBLIC, transport=down).fetch(
        "https://terms.example/licence"
    )
    assert got.text is None and got.skipped and "network unreachable" in got.skipped


def test_html_to_text_keeps_blocks_on_lines() -> None:
    text = html_to_text("<div>One</div><div>Two &amp; three</div><script>x</script>")
    assert text == "One\n\nTwo & three\n"
