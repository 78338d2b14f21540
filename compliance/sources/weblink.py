"""Fetching a card's `license_link` that points outside the Hub (a publisher's terms page).

Only with the user's consent (`source.fetch_links: true` or `--fetch-links`), and only:

- `https://` URLs without credentials in them;
- to public addresses: the host is resolved first and *every* address it resolves to must be
  public (no loopback, private, link-local, multicast, reserved, unspecified or shared
  addresses); the connection then goes to the checked address itself (the hostname is kept
  for SNI, the certificate check and the Host header), so a second DNS answer cannot swap in
  another target (DNS rebinding);
- redirects are followed by hand, at most MAX_REDIRECTS, each target checked the same way;
- a streamed body of at most MAX_LINK_BYTES, a LINK_TIMEOUT per connect and read and for the
  whole exchange; no cookies, no credentials, no proxies or .netrc from the environment;
- cached on disk by URL, revalidated with the ETag (If-None-Match; a 304 reuses the copy).

HTML is turned into text before detection. What cannot be fetched is a skipped RepoFile: the
licence is then unknown with a note naming the link, never a pass.

The resolver and the transport are injectable so tests never reach the internet; the address
check itself is not.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import socket
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from .interface import RepoFile

MAX_LINK_BYTES = 2 * 1024 * 1024
LINK_TIMEOUT = 10.0
MAX_REDIRECTS = 5
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_ACCEPT = "text/html, text/plain;q=0.9, */*;q=0.1"


class LinkRefused(Exception):
    """The URL or the address it leads to is not one this tool will fetch."""


Resolver = Callable[[str, int], list[str]]


@dataclass(frozen=True)
class Target:
    """Where one request goes: the URL as written, and the checked address to connect to."""

    url: str
    host: str
    port: int
    address: str


@dataclass(frozen=True)
class LinkResponse:
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes
    too_large: bool = False


Transport = Callable[[Target, Mapping[str, str], float, int], LinkResponse]


def is_public_address(address: str) -> bool:
    """True only for a globally routable unicast address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and not is_public_address(str(embedded)):
            return False
        if ip in ipaddress.ip_network("64:ff9b::/96"):  # NAT64: the IPv4 address inside
            return is_public_address(str(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)))
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def check_url(url: str) -> tuple[str, int]:
    """(host, port) of an https URL this tool may fetch; LinkRefused otherwise."""
    try:
        parts = urllib.parse.urlsplit(url.strip())
        port = parts.port or 443
    except ValueError as exc:
        raise LinkRefused(f"not a valid URL ({exc})") from None
    if parts.scheme.lower() != "https":
        raise LinkRefused("only https links are fetched")
    if parts.username is not None or parts.password is not None:
        raise LinkRefused("a link with credentials in it is not fetched")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise LinkRefused("the link names no host")
    return host, port


def system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def public_target(url: str, resolver: Resolver) -> Target:
    """The checked address to connect to for `url`: every address the host resolves to must be
    public (one private answer refuses the link)."""
    host, port = check_url(url)
    try:
        ipaddress.ip_address(host)
        addresses = [host]
    except ValueError:
        try:
            addresses = resolver(host, port)
        except (OSError, UnicodeError) as exc:
            raise LinkRefused(f"{host} could not be resolved ({exc})") from None
    if not addresses:
        raise LinkRefused(f"{host} resolves to no address")
    private = [a for a in addresses if not is_public_address(a)]
    if private:
        raise LinkRefused(f"{host} resolves to a non-public address ({private[0]})")
    return Target(url.strip(), host, port, addresses[0])


def requests_transport(
    target: Target, headers: Mapping[str, str], timeout: float, cap: int
) -> LinkResponse:
    """One GET with `requests`, connected to target.address, the hostname kept for TLS."""
    import requests
    from requests.adapters import HTTPAdapter

    class _Pinned(HTTPAdapter):
        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            kwargs["server_hostname"] = target.host
            kwargs["assert_hostname"] = target.host
            super().init_poolmanager(*args, **kwargs)

    parts = urllib.parse.urlsplit(target.url)
    literal = f"[{target.address}]" if ":" in target.address else target.address
    pinned = urllib.parse.urlunsplit(
        ("https", f"{literal}:{target.port}", parts.path or "/", parts.query, "")
    )
    host_header = target.host if target.port == 443 else f"{target.host}:{target.port}"
    deadline = time.monotonic() + timeout
    with requests.Session() as session:
        session.trust_env = False  # no proxies, no .netrc credentials from the environment
        session.mount("https://", _Pinned())
        with session.get(
            pinned,
            headers={**headers, "Host": host_header},
            timeout=(timeout, timeout),
            allow_redirects=False,
            stream=True,
        ) as response:
            body = bytearray()
            for chunk in response.iter_content(64 * 1024):
                body += chunk
                if len(body) > cap:
                    return LinkResponse(response.status_code, _lower(response.headers), b"", True)
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the page took longer than {timeout:g} s")
            return LinkResponse(response.status_code, _lower(response.headers), bytes(body))


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


class _Text(HTMLParser):
    """HTML -> text: script/style dropped, block elements on their own lines."""

    _BLOCK = frozenset(
        {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table"}
        | {"section", "article", "header", "footer", "pre", "blockquote", "dt", "dd"}
    )
    _SKIP = frozenset({"script", "style", "noscript", "template", "svg"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip() + "\n"


def _is_html(content_type: str, body: str) -> bool:
    if "html" in content_type.lower():
        return True
    head = body.lstrip()[:200].lower()
    return head.startswith(("<!doctype html", "<html"))


class LinkFetcher:
    """Fetches consented links, cached under `cache_dir` by URL and ETag."""

    def __init__(
        self,
        cache_dir: Path | None,
        *,
        resolver: Resolver = system_resolver,
        transport: Transport = requests_transport,
        timeout: float = LINK_TIMEOUT,
        cap: int = MAX_LINK_BYTES,
    ):
        self.cache_dir = cache_dir
        self.resolver = resolver
        self.transport = transport
        self.timeout = timeout
        self.cap = cap

    def _cache_file(self, url: str) -> Path | None:
        if self.cache_dir is None:
            return None
        return self.cache_dir / (hashlib.sha256(url.encode("utf-8")).hexdigest() + ".json")

    def _cached(self, url: str) -> dict[str, Any] | None:
        path = self._cache_file(url)
        try:
            data = json.loads(path.read_text(encoding="utf-8")) if path else None
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("url") != url:
            return None
        return data if isinstance(data.get("text"), str) else None

    def _store(self, url: str, etag: str, text: str) -> None:
        path = self._cache_file(url)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps({"url": url, "etag": etag, "text": text}), encoding="utf-8")
            tmp.replace(path)
        except OSError:
            pass  # a cache that cannot be written only costs a request next time

    def fetch(self, url: str) -> RepoFile:
        """The page as a licence file (path: the URL), or a skipped entry saying why."""
        try:
            text = self._fetch_text(url)
        except LinkRefused as exc:
            return _skipped(url, f"refused: {exc}")
        except Exception as exc:  # network, TLS, timeout, decoding: the link was not read
            return _skipped(url, f"not fetched: {type(exc).__name__}: {str(exc)[:200]}")
        data = text.encode("utf-8")
        return RepoFile(url, text, hashlib.sha256(data).hexdigest(), len(data))

    def _fetch_text(self, url: str) -> str:
        cached = self._cached(url)
        current = url
        deadline = time.monotonic() + self.timeout
        for _ in range(MAX_REDIRECTS + 1):
            target = public_target(current, self.resolver)
            headers = {
                "Accept": "text/html, text/plain;q=0.9, */*;q=0.1",
                "User-Agent": "compliance",
            }
            if cached is not None and current == url and cached.get("etag"):
                headers["If-None-Match"] = str(cached["etag"])
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no answer within {self.timeout:g} s")
            response = self.transport(target, headers, left, self.cap)
            if response.status == 304 and cached is not None and current == url:
                return str(cached["text"])
            if response.status in _REDIRECTS:
                location = response.headers.get("location")
                if not location:
                    raise LinkRefused(f"a {response.status} redirect without a location")
                current = urllib.parse.urljoin(current, location)
                continue
            if response.too_large:
                raise LinkRefused(f"the page is larger than {self.cap} bytes")
            if response.status != 200:
                raise LinkRefused(f"the server answered {response.status}")
            text = response.body.decode("utf-8", errors="replace")
            if _is_html(response.headers.get("content-type", ""), text):
                text = html_to_text(text)
            etag = response.headers.get("etag")
            if etag and current == url:
                self._store(url, etag, text)
            return text
        raise LinkRefused(f"more than {MAX_REDIRECTS} redirects")


def _skipped(url: str, why: str) -> RepoFile:
    return RepoFile(url, None, None, None, skipped=why)
