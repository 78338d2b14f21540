"""A fake Hugging Face Hub: a real HTTP server on 127.0.0.1 serving fixture repos.

The real huggingface_hub client reaches it through HF_ENDPOINT. Repos are folders
`<root>/<org>/<name>/` holding the files as on the Hub, plus an optional `_hub.yaml` with what
the Hub knows beyond the files:

    sha: 40-hex commit           # default: derived from the folder's content
    gated: false | auto | manual
    pipeline_tag: text-generation
    tags: [...]                  # `license:<id>` and `base_model:...` tags are added from the card
    author: org
    branches: [main]             # revision names that resolve to `sha`
    granted_tokens: [hf_x]       # tokens that may read a gated repo's files

The server records every request (method, path, Authorization header) and can inject faults
and latency, for the reliability and speed tests. Like the Hub, it can enforce a rate limit: a
fixed window per bucket ("api", "resolvers": paths with /resolve/), announced on every answer
in the `RateLimit` / `RateLimit-Policy` headers, and a 429 with `Retry-After` beyond it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import re
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import yaml

_FRONT = re.compile(r"\A\ufeff?\s*---\s*\n(.*?)\n---\s*(\n|\Z)", re.S)


@dataclass
class Fault:
    """What to do instead of answering: status (+ Retry-After), hang, reset, truncate, bad json."""

    status: int | None = None
    retry_after: int | None = None
    hang: float = 0.0
    reset: bool = False
    truncate: bool = False
    invalid_json: bool = False
    times: int | None = None  # apply to the first N matching requests only (None: always)
    error_code: str | None = None
    repo_commit: str | None = None  # a file answered with this X-Repo-Commit (a moved branch)


@dataclass
class RateWindow:
    """`limit` requests per `seconds` in one bucket, counted from the window's first request."""

    limit: int
    seconds: float
    start: float = 0.0
    used: int = 0
    refused: int = 0  # 429s sent

    def take(self, now: float) -> tuple[bool, int, int]:
        """(allowed, remaining, seconds until reset) for one more request."""
        if now >= self.start + self.seconds:
            self.start, self.used = now, 0
        reset = max(1, math.ceil(self.start + self.seconds - now))
        if self.used >= self.limit:
            self.refused += 1
            return False, 0, reset
        self.used += 1
        return True, self.limit - self.used, reset


@dataclass
class Request:
    method: str
    path: str
    authorization: str | None


@dataclass
class Repo:
    repo_id: str
    folder: Path
    sha: str
    gated: Any
    meta: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)


def _card_data(readme: bytes | None) -> dict[str, Any]:
    if not readme:
        return {}
    match = _FRONT.match(readme.decode("utf-8", errors="replace"))
    if not match:
        return {}
    try:
        data = yaml.safe_load(match.group(1))
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):  # the Hub would answer {}
        return {}
    return data if isinstance(data, dict) else {}


def load_repo(folder: Path, repo_id: str) -> Repo:
    meta_path = folder / "_hub.yaml"
    meta: dict[str, Any] = yaml.safe_load(meta_path.read_text()) if meta_path.exists() else {}
    meta = meta or {}
    files: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != "_hub.yaml":
            files[path.relative_to(folder).as_posix()] = path.read_bytes()
    digest = hashlib.sha1(repo_id.encode())
    for name, data in files.items():
        digest.update(name.encode() + b"\0" + data)
    sha = str(meta.get("sha") or digest.hexdigest())
    return Repo(repo_id, folder, sha, meta.get("gated", False), meta, files)


class FakeHub:
    def __init__(self, root: Path):
        self.root = root
        self.requests: list[Request] = []
        self.faults: list[tuple[re.Pattern[str], Fault]] = []
        self.latency = 0.0
        self.windows: dict[str, RateWindow] = {}  # bucket -> its window (none: unlimited)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.repos: dict[str, Repo] = {}
        self.reload()

    # -- fixtures -------------------------------------------------------------------------
    def reload(self) -> None:
        self.repos = {}
        if not self.root.is_dir():
            return
        for org in sorted(p for p in self.root.iterdir() if p.is_dir()):
            for repo in sorted(p for p in org.iterdir() if p.is_dir()):
                repo_id = f"{org.name}/{repo.name}"
                self.repos[repo_id.lower()] = load_repo(repo, repo_id)

    def add_fault(self, path_regex: str, fault: Fault) -> None:
        self.faults.append((re.compile(path_regex), fault))

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()
            self.faults.clear()
            self.windows.clear()
        self.latency = 0.0

    def rate_limit(self, bucket: str, limit: int, seconds: float) -> RateWindow:
        """Enforce `limit` requests per `seconds` on a bucket ("api" or "resolvers")."""
        window = self.windows[bucket] = RateWindow(limit, seconds)
        return window

    def take(self, path: str) -> tuple[bool, dict[str, str]]:
        """Count a request against its bucket's window: (allowed, the headers to send)."""
        bucket = "resolvers" if "/resolve/" in path else "api"
        with self._lock:
            window = self.windows.get(bucket)
            if window is None:
                return True, {}
            allowed, remaining, reset = window.take(time.monotonic())
            limit, seconds = window.limit, window.seconds
        headers = {
            "RateLimit": f'"{bucket}";r={remaining};t={reset}',
            "RateLimit-Policy": f'"fixed window";"{bucket}";q={limit};w={math.ceil(seconds)}',
        }
        if not allowed:
            headers["Retry-After"] = str(reset)
        return allowed, headers

    # -- server ---------------------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeHub:
        hub = self

        class Handler(_Handler):
            fake = hub

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def record(self, request: Request) -> Fault | None:
        with self._lock:
            self.requests.append(request)
            for pattern, fault in self.faults:
                if pattern.search(request.path):
                    if fault.times is not None:
                        if fault.times <= 0:
                            continue
                        fault.times -= 1
                    return fault
        return None


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (timeout, budget) closes its end: not a server bug.
        import sys

        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeHub
    rate_headers: dict[str, str] = {}  # noqa: RUF012 - set per request, before any answer
    blobs = False  # ?blobs=true: siblings carry size and git blob id
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else every body costs ~40 ms (hub-mechanics.md)

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    # -- plumbing -------------------------------------------------------------------------
    def _send(
        self,
        status: int,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        *,
        head: bool = False,
        content_type: str = "application/json",
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in {**self.rate_headers, **(headers or {})}.items():
            self.send_header(key, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _error(self, status: int, code: str, message: str, *, head: bool = False) -> None:
        body = json.dumps({"error": message}).encode()
        self._send(status, body, {"X-Error-Code": code, "X-Error-Message": message}, head=head)

    def _apply_fault(self, fault: Fault, head: bool) -> bool:
        if fault.hang:
            time.sleep(fault.hang)
        if fault.reset:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(2)
            return True
        if fault.status is not None:
            headers = (
                {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            )
            if fault.error_code:
                headers["X-Error-Code"] = fault.error_code
            self._send(fault.status, b'{"error": "injected"}', headers, head=head)
            return True
        return False

    def _serve(self, head: bool) -> None:
        parsed = urllib.parse.urlparse(self.path)
        path = urllib.parse.unquote(parsed.path)
        fault = self.fake.record(Request(self.command, path, self.headers.get("Authorization")))
        if self.fake.latency:
            time.sleep(self.fake.latency)
        allowed, self.rate_headers = self.fake.take(path)
        if not allowed:
            self._error(429, "RateLimited", "Too many requests", head=head)
            return
        self.blobs = "blobs=true" in parsed.query.split("&")
        if fault is not None and self._apply_fault(fault, head):
            return
        api = re.match(r"^/api/models/([^/]+/[^/]+?)(?:/revision/(.+?))?(/auth-check)?/?$", path)
        if api:
            self._model_info(api.group(1), api.group(2), bool(api.group(3)), head, fault)
            return
        resolve = re.match(r"^/([^/]+/[^/]+)/resolve/([^/]+)/(.+)$", path)
        if resolve:
            self._resolve(resolve.group(1), resolve.group(2), resolve.group(3), head, fault)
            return
        self._error(404, "EntryNotFound", f"no route for {path}", head=head)

    def _repo(self, repo_id: str, head: bool) -> Repo | None:
        repo = self.fake.repos.get(repo_id.lower())
        if repo is None:
            self._error(404, "RepoNotFound", f"Repository {repo_id} not found", head=head)
        return repo

    def _repo_at(self, repo_id: str, revision: str | None, head: bool) -> Repo | None:
        """The repo when it exists at `revision`; else the Hub's 404 has been sent."""
        repo = self._repo(repo_id, head)
        if repo is not None and not self._revision_ok(repo, revision):
            self._error(404, "RevisionNotFound", f"Invalid rev id: {revision}", head=head)
            return None
        return repo

    def _revision_ok(self, repo: Repo, revision: str | None) -> bool:
        if revision is None:
            return True
        branches = repo.meta.get("branches") or ["main"]
        return revision == repo.sha or revision in branches

    def _token(self) -> str | None:
        auth = self.headers.get("Authorization") or ""
        return auth[len("Bearer ") :] if auth.startswith("Bearer ") else None

    def _model_info(
        self, repo_id: str, revision: str | None, auth_check: bool, head: bool, fault: Fault | None
    ) -> None:
        repo = self._repo_at(repo_id, revision, head)
        if repo is None:
            return
        if auth_check:
            if repo.gated and not self._granted(repo):
                self._gated(repo, head)
            else:
                self._send(200, b"{}", head=head)
            return
        card = _card_data(repo.files.get("README.md"))
        tags = list(repo.meta.get("tags") or [])
        licence = card.get("license")
        for lic in licence if isinstance(licence, list) else [licence] if licence else []:
            tags.append(f"license:{lic}")
        bases = card.get("base_model")
        for base in bases if isinstance(bases, list) else [bases] if bases else []:
            tags.append(f"base_model:{base}")
        info = {
            "_id": hashlib.md5(repo.repo_id.encode()).hexdigest()[:24],
            "id": repo.repo_id,
            "modelId": repo.repo_id,
            "author": repo.meta.get("author", repo.repo_id.split("/")[0]),
            "sha": repo.sha,
            "lastModified": repo.meta.get("lastModified", "2025-01-01T00:00:00.000Z"),
            "private": False,
            "disabled": False,
            "gated": repo.gated,
            "pipeline_tag": repo.meta.get("pipeline_tag", card.get("pipeline_tag")),
            "library_name": repo.meta.get("library_name", card.get("library_name")),
            "tags": tags,
            "cardData": card,
            "siblings": [self._sibling(name, data) for name, data in repo.files.items()],
            "downloads": 0,
            "likes": 0,
        }
        body = json.dumps(info).encode()
        if fault is not None and fault.invalid_json:
            body = body[: len(body) // 2] + b"<html>"
        if fault is not None and fault.truncate:
            self._truncated(body, head)
            return
        self._send(200, body, head=head)

    def _sibling(self, name: str, data: bytes) -> dict[str, Any]:
        if not self.blobs:
            return {"rfilename": name}
        blob_id = hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()
        return {"rfilename": name, "blobId": blob_id, "size": len(data)}

    def _granted(self, repo: Repo) -> bool:
        return self._token() in set(repo.meta.get("granted_tokens") or [])

    def _gated(self, repo: Repo, head: bool) -> None:
        status = 403 if self._token() else 401
        message = f"Access to model {repo.repo_id} is restricted."
        self._error(status, "GatedRepo", message, head=head)

    def _truncated(self, body: bytes, head: bool, headers: dict[str, str] | None = None) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if not head:
            self.wfile.write(body[: len(body) // 2])
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(2)

    def _resolve(
        self, repo_id: str, revision: str, filename: str, head: bool, fault: Fault | None
    ) -> None:
        repo = self._repo_at(repo_id, revision, head)
        if repo is None:
            return
        if repo.gated and not self._granted(repo):
            self._gated(repo, head)
            return
        data = repo.files.get(filename)
        if data is None:
            self._error(404, "EntryNotFound", f"{filename} does not exist", head=head)
            return
        etag = '"' + hashlib.sha1(data).hexdigest() + '"'
        commit = fault.repo_commit if fault is not None and fault.repo_commit else repo.sha
        headers = {"X-Repo-Commit": commit, "ETag": etag, "Accept-Ranges": "bytes"}
        if fault is not None and fault.truncate and not head:
            self._truncated(data, head, headers)
            return
        self._send(200, data, headers, head=head, content_type="application/octet-stream")


def serve_forever(root: Path, port: int = 0) -> None:  # pragma: no cover - manual use
    hub = FakeHub(root).start()
    print(hub.url, flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        hub.stop()


RequestFilter = Callable[[Request], bool]


if __name__ == "__main__":  # pragma: no cover
    import sys

    serve_forever(Path(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/hub"))
